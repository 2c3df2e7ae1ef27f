// SPDX-License-Identifier: GPL-2.0
/*
 * The policy core (kmod/core) built in userspace: prefix arithmetic and the
 * longest-prefix-match trie, each checked against a trivially correct
 * reference on random input with fixed seeds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../../kmod/core/lpm.h"
#include "../../kmod/core/name.h"
#include "reference.h"

static struct vnet_prefix pfx(const char *s)
{
	struct vnet_prefix p = { 0 };
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = 0;
	p.len = (u8)atoi(slash + 1);
	if (inet_pton(AF_INET, buf, p.addr) == 1)
		p.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p.addr) == 1)
		p.family = AF_INET6;
	else
		fail_msg("bad prefix %s", s);
	return p;
}

static void test_prefix_valid(void **state)
{
	struct vnet_prefix p;

	(void)state;
	assert_true(vnet_prefix_valid(&(struct vnet_prefix){ 0 }) == false);
	p = pfx("10.0.0.0/8");
	assert_true(vnet_prefix_valid(&p));
	p = pfx("10.0.0.1/8");
	assert_false(vnet_prefix_valid(&p));
	p = pfx("10.0.0.1/32");
	assert_true(vnet_prefix_valid(&p));
	p = pfx("0.0.0.0/0");
	assert_true(vnet_prefix_valid(&p));
	p = pfx("10.0.0.0/33");
	assert_false(vnet_prefix_valid(&p));
	p = pfx("fd00::/8");
	assert_true(vnet_prefix_valid(&p));
	p = pfx("fd00::1/64");
	assert_false(vnet_prefix_valid(&p));
	p = pfx("fd00::/129");
	assert_false(vnet_prefix_valid(&p));
	p = pfx("fd00:0:0:1::/63");
	assert_false(vnet_prefix_valid(&p));
}

static void test_prefix_overlap(void **state)
{
	struct vnet_prefix a = pfx("10.1.0.0/16"), b = pfx("10.1.2.0/24");
	struct vnet_prefix c = pfx("10.2.0.0/16"), d = pfx("fd00::/8");
	struct vnet_prefix e = pfx("0.0.0.0/0");

	(void)state;
	assert_true(vnet_prefix_contains(&a, &b));
	assert_false(vnet_prefix_contains(&b, &a));
	assert_true(vnet_prefix_overlaps(&b, &a));
	assert_false(vnet_prefix_overlaps(&a, &c));
	assert_false(vnet_prefix_overlaps(&a, &d));
	assert_true(vnet_prefix_overlaps(&e, &c));
	assert_true(vnet_prefix_sets_overlap((struct vnet_prefix[]){ c, b }, 2,
					     &a, 1));
	assert_false(vnet_prefix_sets_overlap(&c, 1, &d, 1));
	assert_true(vnet_prefix_cmp(&a, &d) < 0);
	assert_true(vnet_prefix_cmp(&a, &b) < 0);
	assert_int_equal(vnet_prefix_cmp(&a, &a), 0);
}

static void test_name(void **state)
{
	(void)state;
	assert_true(vnet_name_valid("a", 32));
	assert_true(vnet_name_valid("Vnet-1_a.b", 32));
	assert_true(vnet_name_valid("0123456789012345678901234567890", 32));
	assert_false(vnet_name_valid("01234567890123456789012345678901", 32));
	assert_false(vnet_name_valid("", 32));
	assert_false(vnet_name_valid("a b", 32));
	assert_false(vnet_name_valid("a/b", 32));
}

static void random_prefix(struct vnet_prefix *p, u8 family)
{
	unsigned int bits = vnet_prefix_bits(family), i;

	memset(p, 0, sizeof(*p));
	p->family = family;
	/* Few distinct top bytes so that prefixes nest and collide. */
	p->addr[0] = (u8)(10 + rand() % 3);
	for (i = 1; i < bits / 8; i++)
		p->addr[i] = (u8)(rand() % 4);
	p->len = (u8)(rand() % (bits + 1));
	for (i = p->len; i < bits; i++)
		p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
}

static void random_addr(u8 *addr, u8 family)
{
	unsigned int i;

	memset(addr, 0, 16);
	addr[0] = (u8)(9 + rand() % 5);
	for (i = 1; i < (family == AF_INET ? 4u : 16u); i++)
		addr[i] = (u8)(rand() % 4);
}

/*
 * @cap is the capacity the trie is made for: it sets the size of the
 * direct table at the top, so the same prefixes are also tried below a
 * 16-bit one.
 */
static void lpm_against_reference(unsigned int seed, unsigned int n,
				  unsigned int cap)
{
	struct vnet_prefix *p = calloc(n, sizeof(*p));
	u32 *val = calloc(n, sizeof(*val));
	struct vnet_lpm t;
	unsigned int i;
	u8 addr[16];

	assert_non_null(p);
	assert_non_null(val);
	srand(seed);
	assert_int_equal(vnet_lpm_init(&t, cap), 0);
	for (i = 0; i < n; i++) {
		random_prefix(&p[i], rand() % 2 ? AF_INET : AF_INET6);
		val[i] = i;
		assert_true(vnet_prefix_valid(&p[i]));
		assert_int_equal(vnet_lpm_insert(&t, &p[i], val[i]), 0);
	}
	for (i = 0; i < 20000; i++) {
		u8 family = rand() % 2 ? AF_INET : AF_INET6;

		random_addr(addr, family);
		/* Half the probes inside a stored prefix. */
		if (n && rand() % 2) {
			const struct vnet_prefix *q = &p[rand() % n];

			family = q->family;
			memcpy(addr, q->addr, (q->len + 7) / 8);
		}
		assert_int_equal(vnet_lpm_lookup(&t, family, addr),
				 ref_lpm_lookup(p, val, n, family, addr));
	}
	vnet_lpm_free(&t);
	free(p);
	free(val);
}

static void test_lpm_random(void **state)
{
	static const unsigned int sizes[] = { 0, 1, 2, 10, 100, 1000, 5000 };
	unsigned int i, seed;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (seed = 1; seed <= 3; seed++)
			lpm_against_reference(seed * 7919 + i, sizes[i],
					      seed == 2 ? 100000 : sizes[i]);
}

/*
 * Removal and re-insertion against the reference: distinct prefixes,
 * half removed at random, some of those added back with a new value, the
 * rest removed twice (-ENOENT); lookups then see only the live ones.
 */
static void lpm_remove_against_reference(unsigned int seed, unsigned int n,
					 unsigned int cap)
{
	struct vnet_prefix *p = calloc(n + 1, sizeof(*p)), *live;
	u32 *val = calloc(n + 1, sizeof(*val)), *live_val;
	unsigned int i, j, m = 0, nlive = 0;
	struct vnet_lpm t;
	u8 addr[16];
	bool *gone;

	live = calloc(n + 1, sizeof(*live));
	live_val = calloc(n + 1, sizeof(*live_val));
	gone = calloc(n + 1, sizeof(*gone));
	assert_non_null(p);
	assert_non_null(val);
	assert_non_null(live);
	assert_non_null(live_val);
	assert_non_null(gone);
	srand(seed);
	/* Removal leaves nodes behind: room for every insertion. */
	assert_int_equal(vnet_lpm_init(&t, cap), 0);
	for (i = 0; i < n; i++) {
		struct vnet_prefix q;

		random_prefix(&q, rand() % 2 ? AF_INET : AF_INET6);
		for (j = 0; j < m && !vnet_prefix_equal(&p[j], &q); j++)
			;
		if (j < m)
			continue;
		p[m] = q;
		val[m] = m;
		assert_int_equal(vnet_lpm_insert(&t, &p[m], val[m]), 0);
		m++;
	}
	for (i = 0; i < m; i++) {
		if (rand() % 2)
			continue;
		assert_int_equal(vnet_lpm_remove(&t, &p[i]), 0);
		if (rand() % 3 == 0) {
			val[i] = 100000 + i;
			assert_int_equal(vnet_lpm_insert(&t, &p[i], val[i]), 0);
		} else {
			gone[i] = true;
			assert_int_equal(vnet_lpm_remove(&t, &p[i]), -ENOENT);
		}
	}
	for (i = 0; i < m; i++) {
		/* Exact match: what "route show effective" asks. */
		assert_int_equal(vnet_lpm_get(&t, &p[i]),
				 gone[i] ? VNET_LPM_NONE : val[i]);
		if (gone[i])
			continue;
		live[nlive] = p[i];
		live_val[nlive++] = val[i];
	}
	for (i = 0; i < 20000; i++) {
		u8 family = rand() % 2 ? AF_INET : AF_INET6;

		random_addr(addr, family);
		if (m && rand() % 2) {
			const struct vnet_prefix *q = &p[rand() % m];

			family = q->family;
			memcpy(addr, q->addr, (q->len + 7) / 8);
		}
		assert_int_equal(vnet_lpm_lookup(&t, family, addr),
				 ref_lpm_lookup(live, live_val, nlive, family, addr));
	}
	vnet_lpm_free(&t);
	free(p);
	free(val);
	free(live);
	free(live_val);
	free(gone);
}

static void test_lpm_remove_random(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 10, 100, 1000, 3000 };
	unsigned int i, seed;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (seed = 1; seed <= 3; seed++)
			lpm_remove_against_reference(seed * 104729 + i,
						     sizes[i],
						     seed == 2 ? 100000 :
						     2 * sizes[i]);
}

static void test_lpm_basic(void **state)
{
	struct vnet_prefix a = pfx("10.1.0.0/16"), b = pfx("10.1.2.0/24");
	struct vnet_prefix d = pfx("0.0.0.0/0"), e = pfx("fd00::/8");
	struct vnet_prefix c = pfx("10.1.2.0/23");
	u8 x[16] = { 10, 1, 2, 3 }, y[16] = { 10, 1, 3, 3 };
	u8 z[16] = { 11 }, v6[16] = { 0xfd, 0, 1 };
	struct vnet_lpm t;

	(void)state;
	assert_int_equal(vnet_lpm_init(&t, 8), 0);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET, x), VNET_LPM_NONE);
	assert_int_equal(vnet_lpm_insert(&t, &b, 2), 0);
	assert_int_equal(vnet_lpm_insert(&t, &a, 1), 0);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET, x), 2);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET, y), 1);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET, z), VNET_LPM_NONE);
	assert_int_equal(vnet_lpm_insert(&t, &d, 3), 0);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET, z), 3);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET6, v6), VNET_LPM_NONE);
	assert_int_equal(vnet_lpm_insert(&t, &e, 4), 0);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET6, v6), 4);
	/* An equal prefix inserted later wins: user routes go last. */
	assert_int_equal(vnet_lpm_insert(&t, &a, 5), 0);
	assert_int_equal(vnet_lpm_lookup(&t, AF_INET, y), 5);
	assert_int_equal(vnet_lpm_get(&t, &a), 5);
	assert_int_equal(vnet_lpm_get(&t, &b), 2);
	assert_int_equal(vnet_lpm_get(&t, &d), 3);
	assert_int_equal(vnet_lpm_get(&t, &e), 4);
	assert_int_equal(vnet_lpm_get(&t, &c), VNET_LPM_NONE);
	vnet_lpm_free(&t);
}

static void test_lpm_full(void **state)
{
	struct vnet_prefix a = pfx("10.1.0.0/16");
	struct vnet_lpm t;

	(void)state;
	assert_int_equal(vnet_lpm_init(&t, 0), 0);
	assert_int_equal(vnet_lpm_insert(&t, &a, 1), -ENOSPC);
	vnet_lpm_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_valid),
		cmocka_unit_test(test_prefix_overlap),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_lpm_basic),
		cmocka_unit_test(test_lpm_full),
		cmocka_unit_test(test_lpm_random),
		cmocka_unit_test(test_lpm_remove_random),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
