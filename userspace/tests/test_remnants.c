// SPDX-License-Identifier: GPL-2.0
/*
 * export's remnants (config_remnants.c): what deletions leave that apply
 * cannot build is written in its nearest buildable form, never one that
 * lets more through, and said; everything else is left as it is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../vnetctl.h"

static const char *base =
	"{\"vnets\": ["
	" {\"name\": \"A\", \"id\": 1, \"prefixes\": [\"10.1.0.0/16\"]},"
	" {\"name\": \"B\", \"id\": 2, \"prefixes\": [\"10.2.0.0/16\"]},"
	" {\"name\": \"C\", \"id\": 3, \"prefixes\": [\"10.2.128.0/20\", \"fd00:3::/48\"]}],"
	" \"ports\": ["
	" {\"dev\": \"pa\", \"vnet\": \"A\", \"subnet\": \"s\", \"ips\": [\"10.1.1.4\"]},"
	" {\"dev\": \"pb\", \"vnet\": \"B\", \"subnet\": \"s\", \"ips\": [\"10.2.1.4\", \"fd00:2::4\"]}],"
	" \"endpoints\": [{\"vnet\": \"A\", \"ip\": \"10.1.1.9\"}],"
	" \"gateways\": [{\"vnet\": \"B\", \"port\": \"pb\"}],"
	" \"peerings\": [], \"routes\": []}";

static json_t *doc_with(const char *peerings, const char *routes)
{
	json_t *doc = json_loads(base, 0, NULL);

	assert_non_null(doc);
	json_object_set_new(doc, "peerings", json_loads(peerings, 0, NULL));
	json_object_set_new(doc, "routes", json_loads(routes, 0, NULL));
	assert_non_null(json_object_get(doc, "peerings"));
	assert_non_null(json_object_get(doc, "routes"));
	return doc;
}

/* config_fix_remnants on @doc: its count, and what it said in @said. */
static unsigned int fix(json_t *doc, char **said)
{
	size_t len;
	FILE *f = open_memstream(said, &len);
	unsigned int n;

	assert_non_null(f);
	n = config_fix_remnants(doc, f);
	fclose(f);
	return n;
}

static json_t *peering(const char *v, const char *n, const char *r,
		       bool transit, bool urg)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "vnet", v,
			 "name", n, "remote", r, "access", 1, "forwarded", 0,
			 "gateway-transit", transit, "use-remote-gateways", urg);
}

static json_t *pair(void)
{
	json_t *arr = json_array();

	json_array_append_new(arr, peering("A", "a-b", "B", false, true));
	json_array_append_new(arr, peering("B", "b-a", "A", true, false));
	return arr;
}

static const char *names(json_t *doc)
{
	static char buf[256];
	json_t *p;
	size_t i, n = 0;

	buf[0] = 0;
	json_array_foreach(json_object_get(doc, "peerings"), i, p)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      n ? " " : "",
				      json_string_value(json_object_get(p, "name")));
	return buf;
}

static void test_nothing_to_fix(void **state)
{
	json_t *doc = doc_with("[]",
		"[{\"vnet\": \"A\", \"subnet\": \"s\", \"prefix\": \"0.0.0.0/0\", \"nexthop\": \"appliance\", \"appliance\": \"10.1.1.4\"},"
		" {\"vnet\": \"A\", \"subnet\": \"s\", \"prefix\": \"10.9.0.0/16\", \"nexthop\": \"appliance\", \"appliance\": \"10.1.1.9\"},"
		" {\"vnet\": \"A\", \"subnet\": \"s\", \"prefix\": \"10.8.0.0/16\", \"nexthop\": \"none\"}]");
	json_t *before;
	char *said;

	(void)state;
	json_object_set_new(doc, "peerings", pair());
	before = json_deep_copy(doc);
	assert_int_equal(fix(doc, &said), 0);
	assert_string_equal(said, "");
	assert_true(json_equal(doc, before));
	free(said);
	json_decref(before);
	json_decref(doc);
}

static void test_orphaned_side(void **state)
{
	json_t *doc = doc_with("[]", "[]");
	json_t *arr = pair();
	char *said;

	(void)state;
	json_array_append_new(arr, peering("A", "a-gone", "Z", false, false));
	json_object_set_new(doc, "peerings", arr);
	assert_int_equal(fix(doc, &said), 1);
	assert_string_equal(names(doc), "a-b b-a");
	assert_non_null(strstr(said, "peering a-gone of vnet A to Z left out: its remote vnet Z is gone"));
	free(said);
	json_decref(doc);
}

static void test_one_sided_overlap(void **state)
{
	json_t *doc = doc_with("[]", "[]");
	json_t *arr = json_array();
	char *said;

	(void)state;
	/* B and C overlap: A's two-sided peering to B stays, to C goes. */
	json_array_append_new(arr, peering("A", "a-b", "B", false, false));
	json_array_append_new(arr, peering("A", "a-c", "C", false, false));
	json_array_append_new(arr, peering("B", "b-a", "A", false, false));
	json_object_set_new(doc, "peerings", arr);
	assert_int_equal(fix(doc, &said), 1);
	assert_string_equal(names(doc), "a-b b-a");
	assert_non_null(strstr(said, "peering a-c of vnet A to C left out: its other side is gone and vnet C overlaps vnet B since"));
	free(said);
	json_decref(doc);

	/* Two one-sided sides that overlap each other: the first stays. */
	doc = doc_with("[]", "[]");
	arr = json_array();
	json_array_append_new(arr, peering("A", "a-b", "B", false, false));
	json_array_append_new(arr, peering("A", "a-c", "C", false, false));
	json_object_set_new(doc, "peerings", arr);
	assert_int_equal(fix(doc, &said), 1);
	assert_string_equal(names(doc), "a-b");
	free(said);
	json_decref(doc);

	/* One-sided, overlapping its own remote. */
	doc = doc_with("[]", "[]");
	json_array_set_new(json_object_get(json_array_get(json_object_get(doc, "vnets"), 2),
					   "prefixes"), 0, json_string("10.1.128.0/20"));
	arr = json_array();
	json_array_append_new(arr, peering("A", "a-c", "C", false, false));
	json_object_set_new(doc, "peerings", arr);
	assert_int_equal(fix(doc, &said), 1);
	assert_string_equal(names(doc), "");
	assert_non_null(strstr(said, "the address spaces of A and C overlap since"));
	free(said);
	json_decref(doc);
}

static void test_use_remote_gateways(void **state)
{
	json_t *doc = doc_with("[]", "[]");
	json_t *arr = json_array(), *a;
	char *said;

	(void)state;
	/* The remote side is gone: the flag goes, the side stays. */
	json_array_append_new(arr, peering("A", "a-b", "B", false, true));
	json_object_set_new(doc, "peerings", arr);
	assert_int_equal(fix(doc, &said), 1);
	a = json_array_get(json_object_get(doc, "peerings"), 0);
	assert_true(json_is_false(json_object_get(a, "use-remote-gateways")));
	assert_non_null(strstr(said, "peering a-b of vnet A written with use-remote-gateways off: vnet B has no side to A"));
	free(said);
	json_decref(doc);

	/* The remote side without transit; the remote vnet without gateway. */
	doc = doc_with("[]", "[]");
	arr = pair();
	json_object_set_new(json_array_get(arr, 1), "gateway-transit", json_false());
	json_object_set_new(doc, "peerings", arr);
	assert_int_equal(fix(doc, &said), 1);
	assert_non_null(strstr(said, "peering b-a of vnet B does not allow gateway transit"));
	free(said);
	json_decref(doc);
	doc = doc_with("[]", "[]");
	json_object_set_new(doc, "peerings", pair());
	json_array_clear(json_object_get(doc, "gateways"));
	assert_int_equal(fix(doc, &said), 1);
	assert_non_null(strstr(said, "vnet B has no gateway"));
	free(said);
	json_decref(doc);
}

static void test_route_appliance(void **state)
{
	const char *routes =
		"[{\"vnet\": \"A\", \"subnet\": \"s\", \"prefix\": \"10.2.0.0/16\", \"nexthop\": \"appliance\", \"appliance\": \"10.2.1.4\"},"
		" {\"vnet\": \"A\", \"subnet\": \"s\", \"prefix\": \"::/0\", \"nexthop\": \"appliance\", \"appliance\": \"fd00:2::4\"},"
		" {\"vnet\": \"A\", \"subnet\": \"s\", \"prefix\": \"10.7.0.0/16\", \"nexthop\": \"appliance\", \"appliance\": \"10.1.1.5\"}]";
	json_t *doc = doc_with("[]", routes), *r;
	char *said;

	(void)state;
	/* Peered both ways: the appliances in B are reachable. */
	json_object_set_new(doc, "peerings", pair());
	assert_int_equal(fix(doc, &said), 1);
	r = json_array_get(json_object_get(doc, "routes"), 2);
	assert_string_equal(json_string_value(json_object_get(r, "nexthop")), "none");
	assert_null(json_object_get(r, "appliance"));
	assert_non_null(strstr(said, "route 10.7.0.0/16 of subnet s of vnet A written with nexthop none: appliance 10.1.1.5 is no port"));
	free(said);
	json_decref(doc);

	/* One side only: B is no connected peer of A. */
	doc = doc_with("[]", routes);
	json_array_append_new(json_object_get(doc, "peerings"),
			      peering("A", "a-b", "B", false, false));
	assert_int_equal(fix(doc, &said), 3);
	for (size_t i = 0; i < 3; i++) {
		r = json_array_get(json_object_get(doc, "routes"), i);
		assert_string_equal(json_string_value(json_object_get(r, "nexthop")), "none");
	}
	free(said);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_to_fix),
		cmocka_unit_test(test_orphaned_side),
		cmocka_unit_test(test_one_sided_overlap),
		cmocka_unit_test(test_use_remote_gateways),
		cmocka_unit_test(test_route_appliance),
	};

	return cmocka_run_group_tests_name("remnants", tests, NULL, NULL);
}
