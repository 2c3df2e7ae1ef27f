/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACL classifier: given rules in priority order, find the first rule a
 * packet matches. Rules are compiled into decision trees once, when they
 * change; a lookup walks a few tree levels (a binary search over interval
 * bounds at each) and scans one small leaf, so its cost depends on the
 * shape of the rule set, not on the number of rules.
 */
#ifndef _VNET_CORE_ACL_H
#define _VNET_CORE_ACL_H

#include "prefix.h"

enum vnet_acl_dim {
	VNET_ACL_SRC,		/* source address */
	VNET_ACL_DST,		/* destination address */
	VNET_ACL_SPORT,		/* source port (0 when not TCP/UDP) */
	VNET_ACL_DPORT,		/* destination port (0 when not TCP/UDP) */
	VNET_ACL_PROTO,		/* IP protocol */
	VNET_ACL_VNET,		/* the vnet the packet comes from */
	VNET_ACL_DIMS
};

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

struct vnet_acl_u128 {
	u64 hi, lo;
};

/* A rule as the trees see it: an inclusive box in every dimension. */
struct vnet_acl_box {
	struct vnet_acl_u128 lo[VNET_ACL_DIMS], hi[VNET_ACL_DIMS];
};

/*
 * A branch splits its region of dimension @dim into count + 1 intervals
 * at bounds[first..first + count) (each bound starts an interval); the
 * child of interval i is child[child0 + i]. A leaf lists @count rules at
 * leaf[first]. Rules too wide to cut with the others go to another tree,
 * @extra, searched as well (unless its best rule, @extra_min, cannot win).
 */
struct vnet_acl_node {
	u8 dim;		/* VNET_ACL_DIMS: a leaf */
	u32 count;
	u32 first;
	u32 child0;
	u32 extra;	/* VNET_ACL_NONE: none */
	u32 extra_min;
};

struct vnet_acl_tree {
	u32 root;
	u32 min_rule;	/* the best rule in the tree, to skip it early */
};

/*
 * Trees per family: rules are separated by how wide their addresses are,
 * so a rule for "any" source is not copied under every narrow source.
 */
#define VNET_ACL_TREES 4

struct vnet_acl {
	u32 nr_rules;
	struct vnet_acl_box *boxes;	/* by rule index (priority order) */
	struct vnet_acl_node *nodes;
	struct vnet_acl_u128 *bounds;
	u32 *child;
	u32 *leaf;			/* rule indexes, priority order */
	u32 nr_nodes, nr_bounds, nr_child, nr_leaf;
	u32 cap_nodes, cap_bounds, cap_child, cap_leaf;
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
