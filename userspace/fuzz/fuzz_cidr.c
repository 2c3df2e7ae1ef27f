// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the CIDR parser (parse_prefix) and the prefix
 * arithmetic of the policy core. The input is one CIDR, or two separated
 * by a blank.
 *
 * Each CIDR is held to a reference parser written here another way; an
 * accepted one must be a valid core prefix, format and parse back to the
 * same value, its text being a fixed point of format(parse()) (the
 * canonical form); one refused for its host bits must suggest a prefix
 * that parses, has the same length and contains the address typed. Two
 * accepted CIDRs are compared by the core (equal, contains, overlaps,
 * order) and bit by bit.
 */
#include <arpa/inet.h>
#include <string.h>

#include "../parse.h"
#include "../tests/reference.h"
#include "input.h"

#define CIDR_MAX 100

enum ref_result { REF_OK, REF_MALFORMED, REF_LENGTH, REF_HOST_BITS };

static enum ref_result ref_cidr(const char *s, struct vnet_prefix *p)
{
	const char *slash = strchr(s, '/'), *d;
	char addr[CIDR_MAX + 1];
	unsigned int len = 0, bits;

	memset(p, 0, sizeof(*p));
	if (!slash)
		return REF_MALFORMED;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, p->addr) == 1) {
		p->family = AF_INET;
	} else {
		memset(p->addr, 0, sizeof(p->addr));
		if (inet_pton(AF_INET6, addr, p->addr) != 1)
			return REF_MALFORMED;
		p->family = AF_INET6;
	}
	bits = p->family == AF_INET ? 32 : 128;
	if (!slash[1])
		return REF_LENGTH;
	for (d = slash + 1; *d; d++) {
		if (*d < '0' || *d > '9')
			return REF_LENGTH;
		len = len * 10 + (unsigned int)(*d - '0');
		if (len > bits)
			return REF_LENGTH;
	}
	p->len = (u8)len;
	for (unsigned int i = len; i < bits; i++)
		if (ref_bit(p->addr, i))
			return REF_HOST_BITS;
	return REF_OK;
}

/* The suggestion after "did you mean ", up to the '?'. */
static void check_suggestion(const char *s, const struct vnet_prefix *typed,
			     const char *err)
{
	const char *at = NULL, *end;
	char text[FMT_LEN], err2[ERR_LEN] = "";
	struct vnet_prefix q;

	/* The last one: the message quotes the CIDR first. */
	for (end = err; (end = strstr(end, "did you mean ")); end++)
		at = end;
	fuzz_check(!strncmp(err, "host bits set in ", 17) && at,
		   "\"%s\": host bits set but no suggestion: %s", s, err);
	at += strlen("did you mean ");
	end = strchr(at, '?');
	fuzz_check(end && end - at < FMT_LEN, "\"%s\": %s", s, err);
	memcpy(text, at, (size_t)(end - at));
	text[end - at] = '\0';
	fuzz_check(!parse_prefix(text, &q, err2),
		   "\"%s\": the suggestion \"%s\" is refused: %s", s, text, err2);
	fuzz_check(q.family == typed->family && q.len == typed->len &&
		   ref_prefix_match(&q, typed->addr),
		   "\"%s\": the suggestion \"%s\" does not contain it", s, text);
}

/* Returns true with @p when @s is accepted. */
static bool fuzz_one(const char *s, struct vnet_prefix *p)
{
	char err[ERR_LEN] = "", text[FMT_LEN], again[FMT_LEN];
	struct vnet_prefix want, q;
	enum ref_result r = ref_cidr(s, &want);
	int ret = parse_prefix(s, p, err);

	if (r != REF_OK) {
		fuzz_check(ret == -1, "parse_prefix accepted \"%s\" (reference: %d)",
			   s, r);
		fuzz_check(err[0], "parse_prefix refused \"%s\" without a reason", s);
		if (r == REF_HOST_BITS)
			check_suggestion(s, &want, err);
		else
			fuzz_check(strncmp(err, "host bits", 9),
				   "\"%s\": a suggestion for a malformed CIDR: %s",
				   s, err);
		return false;
	}
	fuzz_check(ret == 0, "parse_prefix refused \"%s\": %s", s, err);
	fuzz_check(!memcmp(p, &want, sizeof(*p)), "\"%s\" parsed to another prefix", s);
	fuzz_check(vnet_prefix_valid(p), "\"%s\" is not a valid core prefix", s);
	format_prefix(p, text);
	fuzz_check(!parse_prefix(text, &q, err), "\"%s\" -> \"%s\" refused: %s",
		   s, text, err);
	fuzz_check(!memcmp(p, &q, sizeof(q)), "\"%s\" -> \"%s\" parses to another prefix",
		   s, text);
	fuzz_check(!strcmp(format_prefix(&q, again), text), "\"%s\" -> \"%s\" -> \"%s\"",
		   s, text, again);
	return true;
}

static void compare(const struct vnet_prefix *a, const struct vnet_prefix *b)
{
	bool same = a->family == b->family;
	bool a_in_b = same && b->len <= a->len && ref_prefix_match(b, a->addr);
	bool b_in_a = same && a->len <= b->len && ref_prefix_match(a, b->addr);
	bool equal = a_in_b && b_in_a;
	int cmp = vnet_prefix_cmp(a, b);

	fuzz_check(vnet_prefix_contains(b, a) == a_in_b, "contains(b, a)");
	fuzz_check(vnet_prefix_contains(a, b) == b_in_a, "contains(a, b)");
	fuzz_check(vnet_prefix_overlaps(a, b) == (a_in_b || b_in_a), "overlaps");
	fuzz_check(vnet_prefix_sets_overlap(a, 1, b, 1) == (a_in_b || b_in_a),
		   "sets_overlap");
	fuzz_check(vnet_prefix_equal(a, b) == equal, "equal");
	fuzz_check((cmp == 0) == equal, "cmp %d, equal %d", cmp, equal);
	fuzz_check((cmp < 0) == (vnet_prefix_cmp(b, a) > 0), "cmp is not antisymmetric");
	if (!same)
		fuzz_check((cmp < 0) == (a->family == AF_INET), "IPv4 sorts first");
	fuzz_check(vnet_prefix_match(a, b->addr) == ref_prefix_match(a, b->addr),
		   "match");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[2 * CIDR_MAX + 2], *second;
	struct vnet_prefix a, b;
	bool ok_a, ok_b;

	if (size > 2 * CIDR_MAX + 1 || memchr(data, '\0', size))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	second = strchr(s, ' ');
	if (second)
		*second++ = '\0';
	if (strlen(s) > CIDR_MAX || (second && strlen(second) > CIDR_MAX))
		return 0;
	ok_a = fuzz_one(s, &a);
	if (!second)
		return 0;
	ok_b = fuzz_one(second, &b);
	if (ok_a && ok_b)
		compare(&a, &b);
	return 0;
}
