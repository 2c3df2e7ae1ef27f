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
 * Compared whole (vnet_ct_key_equal()); hashed whole, or for IPv4 without
 * the addresses' last 12 bytes, which every builder leaves zero
 * (vnet_ct_key_hash()). 44 bytes, so that a half (chain link, key,
 * direction, output) fills one cache line.
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
/* An IPv4 key's words that are hashed: the head and an address word each. */
#define VNET_CT_KEY_WORDS4	(VNET_CT_KEY_HEAD + 2)

/* No padding: every byte hashed and compared is one a builder wrote. */
_Static_assert(sizeof(struct vnet_ct_key) == 4 + 8 + 32,
	       "a flow key is hashed as 32-bit words, without padding");
/* What vnet_ct_key_hash() is written for. */
_Static_assert(VNET_CT_KEY_HEAD == 3 && VNET_CT_KEY_WORDS % 3 == 2,
	       "three words before the addresses, two left after the rounds");

/*
 * Are the last 12 bytes of both of @k's addresses zero? They must be in
 * an IPv4 key: vnet_ct_key_hash() leaves them out.
 */
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
 * The flow table's hash: Bob Jenkins' lookup3 over 32-bit words, seeded
 * (what the kernel's jhash2() computes), written out for the two lengths
 * a key has, so that the module's lookups and the userspace model of them
 * (userspace/bench/bench_flow.c) run the same instructions.
 */
#define VNET_HASH_INIT	0xdeadbeefU

static inline u32 vnet_hash_rol32(u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* lookup3's running state: three words. */
struct vnet_hash {
	u32 a, b, c;
};

/* Mixes the three words just added into the state. */
static inline void vnet_hash_mix(struct vnet_hash *h)
{
	h->a -= h->c; h->a ^= vnet_hash_rol32(h->c, 4);  h->c += h->b;
	h->b -= h->a; h->b ^= vnet_hash_rol32(h->a, 6);  h->a += h->c;
	h->c -= h->b; h->c ^= vnet_hash_rol32(h->b, 8);  h->b += h->a;
	h->a -= h->c; h->a ^= vnet_hash_rol32(h->c, 16); h->c += h->b;
	h->b -= h->a; h->b ^= vnet_hash_rol32(h->a, 19); h->a += h->c;
	h->c -= h->b; h->c ^= vnet_hash_rol32(h->b, 4);  h->b += h->a;
}

/* After the last words: every bit of the input reaches every bit of c. */
static inline u32 vnet_hash_final(struct vnet_hash *h)
{
	h->c ^= h->b; h->c -= vnet_hash_rol32(h->b, 14);
	h->a ^= h->c; h->a -= vnet_hash_rol32(h->c, 11);
	h->b ^= h->a; h->b -= vnet_hash_rol32(h->a, 25);
	h->c ^= h->b; h->c -= vnet_hash_rol32(h->b, 16);
	h->a ^= h->c; h->a -= vnet_hash_rol32(h->c, 4);
	h->b ^= h->a; h->b -= vnet_hash_rol32(h->a, 14);
	h->c ^= h->b; h->c -= vnet_hash_rol32(h->b, 24);
	return h->c;
}

/* The state for @words words under @seed. */
static inline void vnet_hash_init(struct vnet_hash *h, u32 words, u32 seed)
{
	h->a = h->b = h->c = VNET_HASH_INIT + (words << 2) + seed;
}

/*
 * @k hashed under @seed. An IPv4 key is five words: the three before the
 * addresses and the first word of each, read where they are (a mixing
 * round and the final one, half the work of the whole key). That leaves
 * out bytes that differ only if a builder broke the rule that an IPv4
 * key's address tails are zero (ct_insert() checks it): two such keys
 * would share a bucket whatever the seed, but still compare unequal.
 */
static inline u32 vnet_ct_key_hash(const struct vnet_ct_key *k, u32 seed)
{
	const u8 *p = (const u8 *)k;
	struct vnet_hash h;
	unsigned int i;

	if (k->family == AF_INET) {
		vnet_hash_init(&h, VNET_CT_KEY_WORDS4, seed);
		h.a += core_load32(p);
		h.b += core_load32(p + 4);
		h.c += core_load32(p + 8);
		vnet_hash_mix(&h);
		h.a += core_load32(k->src);
		h.b += core_load32(k->dst);
		return vnet_hash_final(&h);
	}
	vnet_hash_init(&h, VNET_CT_KEY_WORDS, seed);
	for (i = 0; i + 3 < VNET_CT_KEY_WORDS; i += 3) {
		h.a += core_load32(p + 4 * i);
		h.b += core_load32(p + 4 * i + 4);
		h.c += core_load32(p + 4 * i + 8);
		vnet_hash_mix(&h);
	}
	/* Eleven words: two are left for the final round. */
	h.a += core_load32(p + 4 * i);
	h.b += core_load32(p + 4 * i + 4);
	return vnet_hash_final(&h);
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
