// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table's key (kmod/core/flow_key.h) built in userspace: its
 * hash against lookup3 written out again here as a loop over any number
 * of words, its compare against memcmp() with every byte changed in turn,
 * how evenly keys that differ only where a tenant chooses spread over the
 * buckets, and the key of the replies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../kmod/core/flow_key.h"

#define BENCH_RNG_SEED 0x5eed1234U
#include "../bench/rng.h"

static u32 rol(u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

/* lookup3's hashword(): @n words, three at a time, then the last ones. */
static u32 reference_hash(const u32 *k, u32 n, u32 seed)
{
	u32 a, b, c;

	a = b = c = 0xdeadbeef + (n << 2) + seed;
	while (n > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		a -= c; a ^= rol(c, 4);  c += b;
		b -= a; b ^= rol(a, 6);  a += c;
		c -= b; c ^= rol(b, 8);  b += a;
		a -= c; a ^= rol(c, 16); c += b;
		b -= a; b ^= rol(a, 19); a += c;
		c -= b; c ^= rol(b, 4);  b += a;
		n -= 3;
		k += 3;
	}
	switch (n) {
	case 3:
		c += k[2];
		/* fall through */
	case 2:
		b += k[1];
		/* fall through */
	case 1:
		a += k[0];
		c ^= b; c -= rol(b, 14);
		a ^= c; a -= rol(c, 11);
		b ^= a; b -= rol(a, 25);
		c ^= b; c -= rol(b, 16);
		a ^= c; a -= rol(c, 4);
		b ^= a; b -= rol(a, 14);
		c ^= b; c -= rol(b, 24);
	}
	return c;
}

static void random_bytes(void *p, size_t n)
{
	u8 *b = p;

	while (n--)
		*b++ = (u8)rng();
}

/* A key as the module builds one: an IPv4 key's address tails zero. */
static void random_key(struct vnet_ct_key *k, u8 family)
{
	random_bytes(k, sizeof(*k));
	k->family = family;
	if (family == AF_INET) {
		memset(&k->src[4], 0, 12);
		memset(&k->dst[4], 0, 12);
	}
}

/* The words lookup3 is given: the whole key, or IPv4's five. */
static u32 expected_hash(const struct vnet_ct_key *k, u32 seed)
{
	u32 w[VNET_CT_KEY_WORDS];

	memcpy(w, k, sizeof(*k));
	if (k->family != AF_INET)
		return reference_hash(w, VNET_CT_KEY_WORDS, seed);
	w[3] = w[offsetof(struct vnet_ct_key, src) / 4];
	w[4] = w[offsetof(struct vnet_ct_key, dst) / 4];
	return reference_hash(w, VNET_CT_KEY_WORDS4, seed);
}

static void test_hash_is_lookup3(void **state)
{
	static const u8 families[] = { AF_INET, AF_INET6, 0, 255 };
	struct vnet_ct_key k;
	unsigned int i;

	(void)state;
	for (i = 0; i < 40000; i++) {
		u32 seed = rng();

		random_key(&k, families[i % 4]);
		assert_int_equal(vnet_ct_key_hash(&k, seed),
				 expected_hash(&k, seed));
	}
	/* The kernel's jhash2() of nothing but the seed, as a fixed point. */
	assert_int_equal(reference_hash(NULL, 0, 0), 0xdeadbeef);
}

/* Is byte @i of a key of @family one the hash leaves out? */
static bool unhashed(u8 family, size_t i)
{
	size_t src = offsetof(struct vnet_ct_key, src);
	size_t dst = offsetof(struct vnet_ct_key, dst);

	return family == AF_INET &&
	       ((i >= src + 4 && i < dst) || i >= dst + 4);
}

/* Every byte the module may set reaches the hash. */
static void test_hash_reads_every_byte(void **state)
{
	static const u8 families[] = { AF_INET, AF_INET6 };
	struct vnet_ct_key k, m;
	unsigned int f, byte, bit;

	(void)state;
	for (f = 0; f < 2; f++) {
		random_key(&k, families[f]);
		for (byte = 0; byte < sizeof(k); byte++) {
			/* The family byte picks the words: not a flip. */
			if (unhashed(families[f], byte) ||
			    byte == offsetof(struct vnet_ct_key, family))
				continue;
			for (bit = 0; bit < 8; bit++) {
				m = k;
				((u8 *)&m)[byte] ^= 1 << bit;
				assert_int_not_equal(vnet_ct_key_hash(&m, 7),
						     vnet_ct_key_hash(&k, 7));
			}
		}
	}
}

/*
 * One sender's keys to one address, differing only in the ports and the
 * source's last bits (what a tenant chooses), over 2^17 buckets: no
 * bucket holds many more than a random function would put there. With
 * the seed and keys fixed, the outcome is too.
 */
static void test_hash_spreads(void **state)
{
	enum { BITS = 17, KEYS = 100000 };
	static u16 count[1 << BITS];
	struct vnet_ct_key k;
	unsigned int i, most = 0;

	(void)state;
	memset(&k, 0, sizeof(k));
	k.from = 3;
	k.family = AF_INET;
	k.proto = 17;
	k.src[0] = 10;
	k.dst[0] = 10;
	k.dst[3] = 1;
	for (i = 0; i < KEYS; i++) {
		u32 h;

		k.sport = (u16)(1024 + i % 50000);
		k.dport = (u16)(i / 50000 + 53);
		k.src[3] = (u8)(i / 50000);
		h = vnet_ct_key_hash(&k, 0x12345678) & ((1 << BITS) - 1);
		if (++count[h] > most)
			most = count[h];
	}
	/* 0.76 keys a bucket: Poisson gives 7 or more about once in 2^17. */
	assert_true(most <= 9);
}

static void test_equal_is_memcmp(void **state)
{
	struct vnet_ct_key a, b;
	unsigned int byte, i;

	(void)state;
	for (i = 0; i < 100; i++) {
		random_key(&a, i % 2 ? AF_INET : AF_INET6);
		b = a;
		assert_true(vnet_ct_key_equal(&a, &b));
		for (byte = 0; byte < sizeof(a); byte++) {
			b = a;
			((u8 *)&b)[byte] ^= (u8)(1 << (i % 8));
			assert_false(vnet_ct_key_equal(&a, &b));
			assert_false(vnet_ct_key_equal(&b, &a));
		}
	}
}

/*
 * The tails an IPv4 key must not have: the check inserts make, and why
 * (the hash leaves them out, so keys that differ there alone share a
 * bucket whatever the seed, though they compare unequal).
 */
static void test_v4_tails(void **state)
{
	struct vnet_ct_key k, t;
	u32 seed;

	(void)state;
	random_key(&k, AF_INET);
	assert_true(vnet_ct_key_v4_tails_zero(&k));
	t = k;
	t.dst[15] = 1;
	assert_false(vnet_ct_key_v4_tails_zero(&t));
	t = k;
	t.src[4] = 1;
	assert_false(vnet_ct_key_v4_tails_zero(&t));
	assert_false(vnet_ct_key_equal(&k, &t));
	for (seed = 0; seed < 1000; seed++)
		assert_int_equal(vnet_ct_key_hash(&k, seed * 0x9e3779b9U),
				 vnet_ct_key_hash(&t, seed * 0x9e3779b9U));
}

/* The replies' key: addresses, ports and tags swapped, the replier's id. */
static void test_mirror(void **state)
{
	struct vnet_ct_key k, r, back;

	(void)state;
	random_key(&k, AF_INET6);
	vnet_ct_mirror(&r, &k, 42);
	assert_int_equal(r.from, 42);
	assert_memory_equal(r.src, k.dst, 16);
	assert_memory_equal(r.dst, k.src, 16);
	assert_int_equal(r.sport, k.dport);
	assert_int_equal(r.dport, k.sport);
	assert_int_equal(r.stag, k.dtag);
	assert_int_equal(r.dtag, k.stag);
	assert_int_equal(r.proto, k.proto);
	vnet_ct_mirror(&back, &r, k.from);
	assert_true(vnet_ct_key_equal(&back, &k));
	/* An IPv4 key's mirror keeps the tails zero. */
	random_key(&k, AF_INET);
	vnet_ct_mirror(&r, &k, 1);
	assert_true(vnet_ct_key_v4_tails_zero(&r));
}

int main(void)
{
	const struct CMUnitTest flow_key[] = {
		cmocka_unit_test(test_hash_is_lookup3),
		cmocka_unit_test(test_hash_reads_every_byte),
		cmocka_unit_test(test_hash_spreads),
		cmocka_unit_test(test_equal_is_memcmp),
		cmocka_unit_test(test_v4_tails),
		cmocka_unit_test(test_mirror),
	};

	return cmocka_run_group_tests(flow_key, NULL, NULL);
}
