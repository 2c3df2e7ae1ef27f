/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key of a connection half in the flow table (kmod/conntrack.c): what
 * the packet path hashes and compares on every lookup. Here, apart from
 * the kernel glue, so that the userspace model of a flow-table hit
 * (userspace/bench/bench_flow.c) hashes and compares the same bytes.
 */
#ifndef _VNET_CORE_FLOW_KEY_H
#define _VNET_CORE_FLOW_KEY_H

#include "compat.h"

/*
 * Compared whole; hashed whole, or for an IPv4 key whose addresses' last
 * 12 bytes are zero (every key the module builds) without them: the
 * first 12 bytes, then the two addresses (vnet_ct_key_words()). 44 bytes,
 * so that a half (chain link, key, direction, output) fills one cache
 * line.
 */
struct vnet_ct_key {
	u32 from;		/* who sends it: its port's account's id */
	u16 sport, dport;	/* TCP, UDP; ICMP echo id; fragment id */
	u8 stag, dtag;		/* what sport, dport hold if not ports */
	u8 family, proto;
	u8 src[16], dst[16];
};

/* The key in 32-bit words; the words before the addresses. */
#define VNET_CT_KEY_WORDS	(sizeof(struct vnet_ct_key) / 4)
#define VNET_CT_KEY_HEAD	(offsetof(struct vnet_ct_key, src) / 4)
#define VNET_CT_KEY_WORDS4	(VNET_CT_KEY_HEAD + 2)

/* No padding: every byte hashed and compared is one a builder wrote. */
_Static_assert(sizeof(struct vnet_ct_key) == 4 + 8 + 32,
	       "a flow key is hashed as 32-bit words, without padding");

/* Are the last 12 bytes of both of @k's addresses zero? */
static inline bool vnet_ct_key_v4_tails_zero(const struct vnet_ct_key *k)
{
	u32 s[3], d[3];

	memcpy(s, &k->src[4], sizeof(s));
	memcpy(d, &k->dst[4], sizeof(d));
	return !(s[0] | s[1] | s[2] | d[0] | d[1] | d[2]);
}

/*
 * Are keys @a and @b equal? The flow table's compare of every lookup
 * (conntrack.c's ct_cmp()): five 64-bit words and a 32-bit one, no loop
 * and no call (the kernel's memcmp() is a call that loops a word, then a
 * byte, at a time).
 */
static inline bool vnet_ct_key_equal(const struct vnet_ct_key *a,
				     const struct vnet_ct_key *b)
{
	const u8 *x = (const u8 *)a, *y = (const u8 *)b;

	return !((core_load64(x) ^ core_load64(y)) |
		 (core_load64(x + 8) ^ core_load64(y + 8)) |
		 (core_load64(x + 16) ^ core_load64(y + 16)) |
		 (core_load64(x + 24) ^ core_load64(y + 24)) |
		 (core_load64(x + 32) ^ core_load64(y + 32)) |
		 (core_load32(x + 40) ^ core_load32(y + 40)));
}

/*
 * The words of @k to hash, and in *@n how many: @k's own, or for IPv4
 * @buf's (VNET_CT_KEY_WORDS4 of them): half the hashing of a lookup.
 * Only when the tails left out are zero: else two keys that differ only
 * there would collide whatever the seed.
 */
static inline const u32 *vnet_ct_key_words(const struct vnet_ct_key *k,
					   u32 *buf, u32 *n)
{
	if (k->family != AF_INET || !vnet_ct_key_v4_tails_zero(k)) {
		*n = VNET_CT_KEY_WORDS;
		return (const u32 *)k;
	}
	memcpy(buf, k, VNET_CT_KEY_HEAD * 4);
	memcpy(&buf[VNET_CT_KEY_HEAD], k->src, 4);
	memcpy(&buf[VNET_CT_KEY_HEAD + 1], k->dst, 4);
	*n = VNET_CT_KEY_WORDS4;
	return buf;
}

/*
 * Tags: an ICMP echo request's id, or the IP id of a fragmented packet.
 * CT_TAG_OFF_PATH marks a reply half that no packet may find: that of an
 * entry whose replies would not be routed back to its opener, and that
 * of a fragment entry (only its own direction is looked up). No packet's
 * key has the mark, and such a half is keyed under the opener's account,
 * not the replier's: it never takes a key that a real connection, or
 * another opener's marked half, needs. (Else a port with forwarding on,
 * which may send any source, could open entries whose reply halves hold
 * the keys of other ports' replies, or of their fragments' entries.)
 */
enum { CT_TAG_ECHO = 1, CT_TAG_FRAGMENT, CT_TAG_OFF_PATH = 0x80 };

/* @r: the key of the replies to key @k, sent by account id @to. */
static inline void vnet_ct_mirror(struct vnet_ct_key *r,
				  const struct vnet_ct_key *k, u32 to)
{
	memset(r, 0, sizeof(*r));
	r->from = to;
	memcpy(r->src, k->dst, sizeof(r->src));
	memcpy(r->dst, k->src, sizeof(r->dst));
	r->sport = k->dport;
	r->dport = k->sport;
	r->stag = k->dtag;
	r->dtag = k->stag;
	r->family = k->family;
	r->proto = k->proto;
}

#endif /* _VNET_CORE_FLOW_KEY_H */
