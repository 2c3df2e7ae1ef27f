// SPDX-License-Identifier: GPL-2.0
/*
 * vnetd's etcd client (etcd.c), the parts that need no server: base64 both
 * ways (keys and values travel so), the end of a prefix's range, and the
 * list of endpoints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../etcd.h"

static void b64_known(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "/vnet/x", "L3ZuZXQveA==" },
		{ "/vnet/intent", "L3ZuZXQvaW50ZW50" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = etcd_b64(cases[i].in, strlen(cases[i].in)), *d;
		size_t len;

		assert_string_equal(e, cases[i].out);
		d = etcd_unb64(e, &len);
		assert_non_null(d);
		assert_int_equal(len, strlen(cases[i].in));
		assert_string_equal(d, cases[i].in);
		free(e);
		free(d);
	}
}

static void b64_all_bytes(void **state)
{
	char in[256], *e, *d;
	size_t len;

	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (char)(255 - i);
	for (size_t n = 0; n < sizeof(in); n += 37) {
		e = etcd_b64(in, n);
		d = etcd_unb64(e, &len);
		assert_int_equal(len, n);
		assert_memory_equal(d, in, n);
		free(e);
		free(d);
	}
}

static void b64_malformed(void **state)
{
	(void)state;
	assert_null(etcd_unb64("Zm9v!", NULL));
	assert_null(etcd_unb64("Zm 9v", NULL));
}

static void prefix_end(void **state)
{
	char *e = etcd_prefix_end("/vnet/");

	(void)state;
	assert_string_equal(e, "/vnet0");
	free(e);
}

static void endpoints(void **state)
{
	struct etcd e;

	(void)state;
	assert_int_equal(etcd_init(&e, "http://a:2379,http://b:2379"), 0);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.urls[1], "http://b:2379");
	etcd_free(&e);
	assert_int_equal(etcd_init(&e, ","), -1);
	etcd_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64_known),
		cmocka_unit_test(b64_all_bytes),
		cmocka_unit_test(b64_malformed),
		cmocka_unit_test(prefix_end),
		cmocka_unit_test(endpoints),
	};

	return cmocka_run_group_tests_name("etcd", tests, NULL, NULL);
}
