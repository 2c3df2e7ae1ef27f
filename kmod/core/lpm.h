/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Longest prefix match over IPv4 and IPv6 prefixes. The control path
 * inserts and removes prefixes in place while the packet path looks up
 * under RCU. Each prefix maps to a u32 value chosen by the caller.
 *
 * The first top_bits of an address index a direct table; below it, a
 * path-compressed trie of 16-way nodes (4 address bits per level) holds
 * the longer prefixes. top_bits grows with the table's capacity (up to 16),
 * so a large table starts deep and a small one stays small: a lookup costs
 * about the same from 10 to 100,000 prefixes.
 */
#ifndef _VNET_CORE_LPM_H
#define _VNET_CORE_LPM_H

#include "prefix.h"

#define VNET_LPM_NONE 0xffffffffU

#define VNET_LPM_STRIDE 4
#define VNET_LPM_FANOUT (1 << VNET_LPM_STRIDE)
#define VNET_LPM_TOP_BITS_MAX 16

/* Where a lookup goes on: a value (or VNET_LPM_NONE) and a child node. */
struct vnet_lpm_slot {
	u32 value;	/* the longest prefix of this table covering the slot */
	u32 child;	/* node index; 0 is "none" */
};

/*
 * A node covers the addresses that start with its prefix (len bits, a
 * multiple of the stride) and branches on the next 4 bits. It holds the
 * prefixes of length len + 1 .. len + 4. For the control path only, it
 * also keeps what a removal needs to restore the prefixes a removed one
 * hid: the values of the shorter ones, at (1 << k) + (their first k bits
 * past len) for k = 1..3, and which slots hold a prefix of length len + 4
 * (whose value is then the slot's).
 *
 * Addresses are two host-order 64-bit words (IPv4 in the top half of the
 * first), so a node matches with two masked compares. 256 bytes: a chunk
 * of 64 nodes is 16 KiB, a size the kernel allocates without waste.
 */
struct vnet_lpm_node {
	u64 key[2];	/* the node's prefix; bits past len are zero */
	u64 mask[2];	/* len leading one bits */
	u8 len;
	u16 full;	/* slots holding a prefix of length len + 4 */
	struct vnet_lpm_slot slot[VNET_LPM_FANOUT];
	u32 prefix[VNET_LPM_FANOUT];	/* [0] and [1] unused */
	u8 spare[24];
};

/*
 * The direct table of one address family: the prefixes up to top_bits
 * long, and for the control path their values at (1 << k) + (their first
 * k bits), k = 0..top_bits.
 */
struct vnet_lpm_top {
	u32 *prefix;	/* 2^(top_bits + 1) entries, after the slots */
	struct vnet_lpm_slot slot[];
};

/*
 * Nodes live in chunks of 64 (16 KiB) that are allocated as the trie grows
 * and never move, so readers can hold an index while the control path
 * inserts.
 */
#define VNET_LPM_CHUNK_SHIFT 6
#define VNET_LPM_CHUNK (1U << VNET_LPM_CHUNK_SHIFT)

struct vnet_lpm {
	struct vnet_lpm_top *top[2];	/* IPv4, IPv6: made on first use */
	struct vnet_lpm_node **chunks;
	u32 nr_nodes;			/* index 0 is never used */
	u32 max_nodes;
	u8 top_bits;			/* a multiple of the stride */
};

/* Prepare a trie for up to @max_prefixes insertions. */
int vnet_lpm_init(struct vnet_lpm *t, u32 max_prefixes);
void vnet_lpm_free(struct vnet_lpm *t);

/*
 * Insert @p with @value. An equal prefix inserted earlier gets the new
 * value: insert the entries that must win ties last. -ENOSPC when the
 * trie is full, -ENOMEM when memory runs out; nothing changed then.
 *
 * Insertions and removals may run while readers look up under RCU: a new
 * node or table is complete before a release store links it, and a slot's
 * value changes with one store. Removal leaves nodes in place, so the trie
 * only grows: rebuild it when too many prefixes are dead.
 */
int vnet_lpm_insert(struct vnet_lpm *t, const struct vnet_prefix *p,
		    u32 value);
/* Forget @p's value: -ENOENT if @p has none. */
int vnet_lpm_remove(struct vnet_lpm *t, const struct vnet_prefix *p);

/* @addr: 4 (AF_INET) or 16 (AF_INET6) bytes in network order. */
u32 vnet_lpm_lookup(const struct vnet_lpm *t, u8 family, const u8 *addr);

/* The value of exactly @p, or VNET_LPM_NONE. For the control path. */
u32 vnet_lpm_get(const struct vnet_lpm *t, const struct vnet_prefix *p);

#endif /* _VNET_CORE_LPM_H */
