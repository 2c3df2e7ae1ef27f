/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACL classifier: given rules in priority order, find the first rule a
 * packet matches. Rules are compiled into decision trees once, when they
 * change; a lookup walks a few tree levels (one shift and mask at each)
 * and scans one small leaf per tree, so its cost depends on the shape of
 * the rule set, not on the number of rules.
 */
#ifndef _VNET_CORE_ACL_H
#define _VNET_CORE_ACL_H

#include "prefix.h"

/* One rule, as the control path validated it. */
struct vnet_acl_rule {
	u32 prio;		/* lower first; unique within a rule set */
	u8 family;		/* AF_INET, AF_INET6, or 0: both */
	u8 any_proto;
	u8 proto;
	struct vnet_prefix src, dst;	/* len 0: any */
	u16 sport_lo, sport_hi;		/* inclusive */
	u16 dport_lo, dport_hi;
	u32 from_vnet;		/* 0: any */
};

/* The fields of a packet. Addresses in network byte order. */
struct vnet_acl_key {
	u8 family;
	u8 proto;
	u16 sport, dport;
	u32 from_vnet;
	u8 src[16], dst[16];
	u8 fragment;	/* not the first fragment: no ports to match */
};

/*
 * A packet as the trees see it: eight 64-bit words, each field aligned to
 * the top of its word (an IPv4 address fills the top half of the high
 * word, a port the top 16 bits), so one shift and mask picks any run of a
 * field's bits. Source, destination, protocol and source vnet are matched
 * as prefixes of their words (exact or any for the last two), the ports
 * as ranges.
 */
enum vnet_acl_word {
	VNET_ACL_SRC_HI,
	VNET_ACL_SRC_LO,
	VNET_ACL_DST_HI,
	VNET_ACL_DST_LO,
	VNET_ACL_PROTO,
	VNET_ACL_VNET,
	VNET_ACL_PREFIX_WORDS,			/* the words above: prefixes */
	VNET_ACL_SPORT = VNET_ACL_PREFIX_WORDS,	/* these: ranges */
	VNET_ACL_DPORT,
	VNET_ACL_WORDS
};

/*
 * A rule as a leaf checks it: addresses, then protocol and source vnet,
 * as values under masks; an IPv4 rule packs source and destination in
 * word 0 (the source on top), an IPv6 rule spreads them over words 0-3
 * (source, then destination, high words first); word 4 holds protocol
 * and vnet (protocol above). A rule of family 0 has no prefixes.
 */
#define VNET_ACL_MATCH_WORDS 5

struct vnet_acl_match {
	u64 val[VNET_ACL_MATCH_WORDS];
	u64 mask[VNET_ACL_MATCH_WORDS];
	u16 port_lo[2];		/* source, destination */
	u16 port_span[2];	/* hi - lo */
};

/*
 * A branch (mask != 0) picks its child by a run of bits of one word:
 * node[first + ((word >> shift) & mask)]; its children lie side by side.
 * A leaf (mask == 0) lists rule indexes, in priority order, from
 * leaf[first] to a VNET_ACL_NONE.
 */
struct vnet_acl_node {
	u32 first;
	u16 mask;
	u8 word;
	u8 shift;
};

struct vnet_acl_tree {
	u32 root;
	u32 min_rule;	/* the best rule in the tree, to skip it early */
};

/*
 * Trees per family: rules are separated by how wide their addresses are,
 * so a rule for "any" source is not copied under every narrow source.
 * A lookup walks one path in each tree, with no backtracking.
 */
#define VNET_ACL_TREES 4

struct vnet_acl {
	u32 nr_rules;
	struct vnet_acl_match *match;	/* by rule index */
	struct vnet_acl_node *nodes;
	u32 *leaf;			/* rule indexes, priority order */
	u32 nr_nodes, nr_leaf;
	u32 cap_nodes, cap_leaf;
	u32 nr_trees[2];
	struct vnet_acl_tree trees[2][VNET_ACL_TREES];	/* IPv4, IPv6 */
};

#define VNET_ACL_NONE 0xffffffffU

/*
 * Compile @n rules, sorted by priority, into @acl. Returns 0 or -ENOMEM
 * (then @acl holds nothing to free). Lookups return rule indexes.
 */
int vnet_acl_compile(struct vnet_acl *acl, const struct vnet_acl_rule *rules,
		     u32 n);
void vnet_acl_free(struct vnet_acl *acl);

/* The index of the first rule that matches @k, or VNET_ACL_NONE. */
u32 vnet_acl_lookup(const struct vnet_acl *acl, const struct vnet_acl_key *k);

/* The trivially correct reference: every rule in order. */
bool vnet_acl_rule_match(const struct vnet_acl_rule *r,
			 const struct vnet_acl_key *k);

#endif /* _VNET_CORE_ACL_H */
