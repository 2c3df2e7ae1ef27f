/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Longest prefix match over IPv4 and IPv6 prefixes: a path-compressed
 * binary trie in one flat array, built once by the control path and then
 * only read (by the packet path, under RCU). Each prefix maps to a u32
 * value chosen by the caller.
 */
#ifndef _VNET_CORE_LPM_H
#define _VNET_CORE_LPM_H

#include "prefix.h"

#define VNET_LPM_NONE 0xffffffffU

/*
 * Addresses are two host-order 64-bit words (IPv4 in the top half of the
 * first), so a node matches with two masked compares.
 */
struct vnet_lpm_node {
	u64 key[2];	/* the node's prefix; bits past len are zero */
	u64 mask[2];	/* len leading one bits */
	u32 value;	/* VNET_LPM_NONE for a pure branching node */
	u32 child[2];	/* node indexes; 0 is "none" (the root is never a child) */
	u8 len;
};

struct vnet_lpm {
	struct vnet_lpm_node *nodes;	/* nodes[0] unused */
	u32 nr_nodes;
	u32 max_nodes;
	u32 root[2];			/* IPv4 and IPv6 */
};

/* Prepare a trie for up to @max_prefixes insertions. */
int vnet_lpm_init(struct vnet_lpm *t, u32 max_prefixes);
void vnet_lpm_free(struct vnet_lpm *t);

/*
 * Insert @p with @value. An equal prefix inserted earlier gets the new
 * value: insert the entries that must win ties last. -ENOSPC when the
 * trie is full (nothing changed then).
 *
 * Insertions and removals may run while readers look up under RCU: a new
 * node is complete before a release store links it, and a value changes
 * with one store. Removal leaves the node as a branching point, so the
 * trie only grows: rebuild it when too many nodes are dead.
 */
int vnet_lpm_insert(struct vnet_lpm *t, const struct vnet_prefix *p,
		    u32 value);
/* Forget @p's value: -ENOENT if @p has none. */
int vnet_lpm_remove(struct vnet_lpm *t, const struct vnet_prefix *p);

/* @addr: 4 (AF_INET) or 16 (AF_INET6) bytes in network order. */
u32 vnet_lpm_lookup(const struct vnet_lpm *t, u8 family, const u8 *addr);

#endif /* _VNET_CORE_LPM_H */
