// SPDX-License-Identifier: GPL-2.0
/*
 * The ACL classifier of the policy core against the trivially correct
 * reference (every rule in priority order), on random rule sets and random
 * packets with fixed seeds, plus a few hand-written cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../../kmod/core/acl.h"
#include "reference.h"

static u32 rng_state;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void mask(struct vnet_prefix *p)
{
	for (unsigned int i = p->len; i < vnet_prefix_bits(p->family); i++)
		p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
}

/*
 * Addresses come from a small pool of networks, so rules overlap and
 * packets hit them; lengths from any to host routes.
 */
static void random_addr(u8 family, u8 *a)
{
	memset(a, 0, 16);
	if (family == AF_INET) {
		a[0] = 10;
		a[1] = (u8)(rng() % 4);
		a[2] = (u8)(rng() % 8);
		a[3] = (u8)rng();
	} else {
		a[0] = 0xfd;
		a[1] = (u8)(rng() % 4);
		a[7] = (u8)(rng() % 8);
		a[15] = (u8)rng();
	}
}

static void random_prefix(u8 family, struct vnet_prefix *p)
{
	static const u8 len4[] = { 0, 8, 14, 16, 21, 24, 28, 32 };
	static const u8 len6[] = { 0, 16, 24, 48, 56, 64, 120, 128 };

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = family == AF_INET ? len4[rng() % 8] : len6[rng() % 8];
	random_addr(family, p->addr);
	mask(p);
}

static void random_range(u16 *lo, u16 *hi)
{
	switch (rng() % 4) {
	case 0:
		*lo = 0;
		*hi = 65535;
		break;
	case 1:
		*lo = *hi = (u16)(rng() % 64);
		break;
	default:
		*lo = (u16)(rng() % 64);
		*hi = (u16)(*lo + rng() % 32);
	}
}

static void random_rule(struct vnet_acl_rule *r, u32 prio)
{
	memset(r, 0, sizeof(*r));
	r->prio = prio;
	switch (rng() % 4) {
	case 0:
		r->family = 0;	/* no prefixes: both families */
		break;
	case 1:
		r->family = AF_INET6;
		break;
	default:
		r->family = AF_INET;
	}
	if (r->family) {
		random_prefix(r->family, &r->src);
		random_prefix(r->family, &r->dst);
	}
	r->any_proto = rng() % 3 == 0;
	r->proto = rng() % 2 ? 6 : 17;
	random_range(&r->sport_lo, &r->sport_hi);
	random_range(&r->dport_lo, &r->dport_hi);
	r->from_vnet = rng() % 3 ? 0 : 1 + rng() % 3;
}

static void random_key(struct vnet_acl_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = rng() % 2 ? AF_INET : AF_INET6;
	random_addr(k->family, k->src);
	random_addr(k->family, k->dst);
	k->proto = rng() % 3 ? (rng() % 2 ? 6 : 17) : 1;
	k->sport = (u16)(rng() % 100);
	k->dport = (u16)(rng() % 100);
	k->from_vnet = 1 + rng() % 4;
}

/*
 * A second shape, like a large tenant ACL (and the benchmark): host and
 * subnet rules within one /8 or /32 (IPv6), single service ports or wide
 * port ranges anywhere in 0-65535, some "any". Shadowing, cuts on port
 * ranges with gaps and shared subtrees get exercised here.
 */
static void tenant_prefix(u8 family, struct vnet_prefix *p)
{
	static const u8 len4[] = { 0, 16, 20, 24, 24, 28, 32, 32 };
	static const u8 len6[] = { 0, 48, 56, 64, 64, 96, 128, 128 };
	u32 i;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = family == AF_INET ? len4[rng() % 8] : len6[rng() % 8];
	if (family == AF_INET) {
		p->addr[0] = 10;
		p->addr[1] = (u8)(rng() % 16);
		p->addr[2] = (u8)(rng() % 64);
		p->addr[3] = (u8)rng();
	} else {
		p->addr[0] = 0xfd;
		p->addr[5] = (u8)(rng() % 16);
		p->addr[7] = (u8)(rng() % 64);
		for (i = 8; i < 16; i++)
			p->addr[i] = (u8)(rng() % 4);
	}
	mask(p);
}

static void tenant_range(u16 *lo, u16 *hi)
{
	static const u16 ports[] = { 22, 53, 80, 443, 3306, 5432, 8080, 49152 };

	switch (rng() % 4) {
	case 0:
		*lo = 0;
		*hi = 65535;
		break;
	case 1:
		*lo = (u16)rng();
		*hi = (u16)(*lo + rng() % (65536 - *lo));
		break;
	default:
		*lo = *hi = ports[rng() % 8];
	}
}

static void tenant_rule(struct vnet_acl_rule *r, u32 prio)
{
	memset(r, 0, sizeof(*r));
	r->prio = prio;
	r->family = rng() % 4 ? AF_INET : AF_INET6;
	if (rng() % 16 == 0)
		r->family = 0;
	if (r->family) {
		tenant_prefix(r->family, &r->src);
		tenant_prefix(r->family, &r->dst);
	}
	r->any_proto = rng() % 4 == 0;
	r->proto = rng() % 2 ? 6 : 17;
	tenant_range(&r->sport_lo, &r->sport_hi);
	tenant_range(&r->dport_lo, &r->dport_hi);
	if (rng() % 2)
		r->sport_lo = 0, r->sport_hi = 65535;
	r->from_vnet = rng() % 8 ? 0 : 1 + rng() % 3;
}

/* A packet inside rule @r, or near it: its prefixes, a port in range. */
static void tenant_key(struct vnet_acl_key *k, const struct vnet_acl_rule *r)
{
	struct vnet_prefix p;

	memset(k, 0, sizeof(*k));
	k->family = r->family ? r->family : (rng() % 2 ? AF_INET : AF_INET6);
	tenant_prefix(k->family, &p);
	memcpy(k->src, p.addr, 16);
	tenant_prefix(k->family, &p);
	memcpy(k->dst, p.addr, 16);
	if (rng() % 2)	/* the rule's prefixes, host bits as they came */
		for (u32 i = 0; i < r->src.len; i++) {
			u8 bit = 0x80 >> (i % 8);

			k->src[i / 8] = (u8)((k->src[i / 8] & ~bit) |
					     (r->src.addr[i / 8] & bit));
		}
	if (rng() % 2)
		for (u32 i = 0; i < r->dst.len; i++) {
			u8 bit = 0x80 >> (i % 8);

			k->dst[i / 8] = (u8)((k->dst[i / 8] & ~bit) |
					     (r->dst.addr[i / 8] & bit));
		}
	k->proto = rng() % 8 ? r->proto : (u8)(rng() % 3 ? 6 : 1);
	k->sport = (u16)(rng() % 2 ? r->sport_lo + rng() %
			 (r->sport_hi - r->sport_lo + 1U) : rng());
	k->dport = (u16)(rng() % 4 ? r->dport_lo + rng() %
			 (r->dport_hi - r->dport_lo + 1U) : rng());
	if (rng() % 8 == 0)
		k->dport = (u16)(k->dport + 1);
	k->from_vnet = 1 + rng() % 4;
}

static void compare_shape(u32 seed, u32 nrules, u32 npackets, bool tenant)
{
	struct vnet_acl_rule *rules = calloc(nrules ? nrules : 1, sizeof(*rules));
	struct vnet_acl acl;
	u32 hits = 0;

	assert_non_null(rules);
	rng_state = seed;
	for (u32 i = 0; i < nrules; i++)
		if (tenant)
			tenant_rule(&rules[i], i + 1);
		else
			random_rule(&rules[i], i + 1);
	assert_int_equal(vnet_acl_compile(&acl, rules, nrules), 0);
	for (u32 p = 0; p < npackets; p++) {
		struct vnet_acl_key k;
		u32 want, got;

		if (tenant && nrules)
			tenant_key(&k, &rules[rng() % nrules]);
		else
			random_key(&k);
		want = ref_acl_first(rules, nrules, &k);
		got = vnet_acl_lookup(&acl, &k);
		if (want != got)
			fail_msg("seed %u, %u rules, packet %u: rule %d, expected %d",
				 seed, nrules, p, (int)got, (int)want);
		hits += want != VNET_ACL_NONE;
	}
	/* Packets must hit rules for the comparison to prove anything. */
	if (nrules >= 10)
		assert_true(hits > 0);
	if (tenant && nrules >= 10)	/* they are made to hit */
		assert_true(hits > npackets / 20);
	if (getenv("ACL_TEST_VERBOSE"))
		printf("# seed %u, %u rules: %u of %u packets hit\n", seed,
		       nrules, hits, npackets);
	vnet_acl_free(&acl);
	free(rules);
}

static void compare(u32 seed, u32 nrules, u32 npackets)
{
	compare_shape(seed, nrules, npackets, false);
}

static void test_acl_random(void **state)
{
	static const u32 sizes[] = { 0, 1, 2, 5, 10, 30, 100, 300, 1000, 3000 };

	(void)state;
	for (u32 s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (u32 seed = 1; seed <= 4; seed++)
			compare(seed * 7919 + s, sizes[s], 3000);
}

static void test_acl_large(void **state)
{
	(void)state;
	compare(424242, 5000, 5000);
	compare(434343, 30000, 2000);
}

static void test_acl_tenant(void **state)
{
	static const u32 sizes[] = { 1, 10, 50, 200, 1000, 5000 };

	(void)state;
	for (u32 s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (u32 seed = 1; seed <= 4; seed++)
			compare_shape(seed * 104729 + s, sizes[s], 3000, true);
	compare_shape(271828, 50000, 2000, true);
}

/*
 * What the flow table relies on to carry its entries over an ACL change
 * (kmod/acl_delta.c): a packet that no deleted or added rule matches is
 * matched first by the same rule before and after the change, or by none
 * either time. The delta is compiled as the module compiles it (every
 * changed rule, any source vnet, in the order noted); the rule sets
 * before and after are checked with the reference, which shares nothing
 * with the classifier. Packets are drawn near changed rules, so that the
 * delta both matches and misses. Returns how many packets it missed.
 */
static u32 delta_shape(u32 seed, u32 nrules, u32 nchanges, u32 npackets)
{
	struct vnet_acl_rule *old = calloc(nrules, sizeof(*old));
	struct vnet_acl_rule *new = calloc(nrules + nchanges, sizeof(*new));
	struct vnet_acl_rule *delta = calloc(2 * nchanges, sizeof(*delta));
	u32 nold = nrules, nnew = 0, ndelta = 0, misses = 0;
	bool *gone = calloc(nrules, sizeof(*gone));
	bool *added = calloc(nrules, sizeof(*added));
	struct vnet_acl cls;

	assert_true(old && new && delta && gone && added);
	rng_state = seed;
	for (u32 i = 0; i < nrules; i++)
		tenant_rule(&old[i], 2 * (i + 1));	/* odd ones are free */
	/* Half the changes delete a rule, half add one at a free priority. */
	for (u32 c = 0; c < nchanges; c++) {
		if (c % 2 == 0) {
			u32 i = rng() % nrules;

			if (gone[i])
				continue;
			gone[i] = true;
			delta[ndelta++] = old[i];
		} else {
			u32 i = rng() % nrules;

			/* Priorities stay unique: one rule after old rule i. */
			if (added[i])
				continue;
			added[i] = true;
			tenant_rule(&delta[ndelta++], 2 * (i + 1) + 1);
		}
	}
	/* After: the old rules left, and the added ones, by priority. */
	for (u32 i = 0; i < nrules; i++) {
		if (!gone[i])
			new[nnew++] = old[i];
		for (u32 d = 0; d < ndelta; d++)
			if (delta[d].prio == 2 * (i + 1) + 1)
				new[nnew++] = delta[d];
	}
	for (u32 d = 0; d < ndelta; d++) {
		delta[d].from_vnet = 0;
		delta[d].prio = d;
	}
	assert_int_equal(vnet_acl_compile(&cls, delta, ndelta), 0);
	for (u32 p = 0; p < npackets; p++) {
		struct vnet_acl_key k;
		u32 before, after;

		tenant_key(&k, rng() % 2 ? &delta[rng() % ndelta] :
					   &old[rng() % nold]);
		if (vnet_acl_lookup(&cls, &k) != VNET_ACL_NONE)
			continue;
		misses++;
		before = ref_acl_first(old, nold, &k);
		after = ref_acl_first(new, nnew, &k);
		before = before == VNET_ACL_NONE ? 0 : old[before].prio;
		after = after == VNET_ACL_NONE ? 0 : new[after].prio;
		if (before != after)
			fail_msg("seed %u, packet %u: rule %u before, %u after, none changed",
				 seed, p, before, after);
	}
	if (getenv("ACL_TEST_VERBOSE"))
		printf("# seed %u: %u changed rules, %u of %u packets missed them\n",
		       seed, ndelta, misses, npackets);
	vnet_acl_free(&cls);
	free(old);
	free(new);
	free(delta);
	free(gone);
	free(added);
	return misses;
}

static void test_acl_delta(void **state)
{
	u32 misses = 0, n = 0;

	(void)state;
	for (u32 seed = 1; seed <= 8; seed++, n += 4000)
		misses += delta_shape(seed * 65537, 300, 40, 4000);
	misses += delta_shape(31337, 3000, 400, 4000);
	misses += delta_shape(27182, 20, 10, 4000);
	n += 8000;
	/*
	 * Both kinds of packet, or the comparison proves nothing (a changed
	 * rule for any address, protocol and port makes a delta that every
	 * packet matches: some seeds draw one).
	 */
	assert_true(misses > n / 4 && misses < n);
}

static struct vnet_prefix pfx(const char *s)
{
	struct vnet_prefix p = { 0 };
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*slash = 0;
	p.len = (u8)atoi(slash + 1);
	p.family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(p.family, buf, p.addr), 1);
	return p;
}

static struct vnet_acl_key key4(const char *src, const char *dst, u8 proto,
				u16 dport)
{
	struct vnet_acl_key k = { .family = AF_INET, .proto = proto,
				  .sport = 40000, .dport = dport, .from_vnet = 2 };

	inet_pton(AF_INET, src, k.src);
	inet_pton(AF_INET, dst, k.dst);
	return k;
}

static void test_acl_cases(void **state)
{
	struct vnet_acl_rule r[4] = {
		/* allow tcp 80 to 10.1.1.0/24 */
		{ .prio = 100, .family = AF_INET, .proto = 6,
		  .dst = pfx("10.1.1.0/24"), .dport_lo = 80, .dport_hi = 80,
		  .sport_hi = 65535 },
		/* deny everything from vnet 2 */
		{ .prio = 200, .any_proto = 1, .from_vnet = 2,
		  .sport_hi = 65535, .dport_hi = 65535 },
		/* deny 10.0.0.0/8 -> any */
		{ .prio = 300, .family = AF_INET, .any_proto = 1,
		  .src = pfx("10.0.0.0/8"), .sport_hi = 65535, .dport_hi = 65535 },
		/* IPv6 only */
		{ .prio = 400, .family = AF_INET6, .any_proto = 1,
		  .dst = pfx("fd00::/8"), .sport_hi = 65535, .dport_hi = 65535 },
	};
	struct vnet_acl acl;
	struct vnet_acl_key k;

	(void)state;
	assert_int_equal(vnet_acl_compile(&acl, r, 4), 0);
	k = key4("10.2.0.1", "10.1.1.5", 6, 80);
	assert_int_equal(vnet_acl_lookup(&acl, &k), 0);
	k = key4("10.2.0.1", "10.1.1.5", 6, 81);
	assert_int_equal(vnet_acl_lookup(&acl, &k), 1);
	k.from_vnet = 3;
	assert_int_equal(vnet_acl_lookup(&acl, &k), 2);
	k = key4("192.168.0.1", "10.1.1.5", 17, 80);
	k.from_vnet = 3;
	assert_int_equal(vnet_acl_lookup(&acl, &k), VNET_ACL_NONE);
	k.family = AF_INET6;
	memset(k.dst, 0, 16);
	k.dst[0] = 0xfd;
	assert_int_equal(vnet_acl_lookup(&acl, &k), 3);
	vnet_acl_free(&acl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_cases),
		cmocka_unit_test(test_acl_random),
		cmocka_unit_test(test_acl_large),
		cmocka_unit_test(test_acl_tenant),
		cmocka_unit_test(test_acl_delta),
	};

	return cmocka_run_group_tests_name("acl classifier", tests, NULL, NULL);
}
