// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for vnetctl's word parsers (parse.h): the first byte
 * picks a parser, the rest is the word (or, for the endpoint arguments,
 * the words, split at blanks). Each parser is held to a reference of what
 * it must accept, written here a different way; what it accepts must
 * format and parse back to the same value, the formatted text being a
 * fixed point (the canonical form); what it refuses it must explain. CIDRs
 * have their own target, fuzz_cidr.
 */
#include <arpa/inet.h>
#include <string.h>

#include <linux/vnet.h>

#include "../parse.h"
#include "input.h"

#define WORD_MAX 160

static bool ref_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > VNET_NAME_MAX - 1)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") == n;
}

/* Plain decimal digits, no sign, no blank; the value saturates. */
static bool ref_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t acc = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		acc = acc * 10 + (uint64_t)(*s - '0');
		if (acc > 0xffffffffULL)
			acc = 0x100000000ULL;
	}
	*v = (uint32_t)acc;
	return acc >= min && acc <= max;
}

/* Either family's inet_pton; the family is the one that takes it. */
static bool ref_addr(const char *s, struct vnet_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, p->addr) == 1) {
		p->family = AF_INET;
		p->len = 32;
		return true;
	}
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET6, s, p->addr) == 1) {
		p->family = AF_INET6;
		p->len = 128;
		return true;
	}
	return false;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* xx:xx:xx:xx:xx:xx, unicast, not all zeros. */
static bool ref_mac(const char *s, uint8_t mac[6])
{
	uint8_t any = 0;

	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
		any |= mac[i];
	}
	return any && !(mac[0] & 1);
}

/* The kernel's dev_valid_name(): its isspace() also knows 0xa0. */
static bool ref_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || strchr(" \t\n\v\f\r", *s) ||
		    (unsigned char)*s == 0xa0)
			return false;
	return true;
}

static bool ref_backend(const char *s, struct vnet_prefix *p, uint16_t *port)
{
	char addr[WORD_MAX];
	const char *colon;
	uint32_t v;

	memset(p, 0, sizeof(*p));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return false;
		memcpy(addr, s + 1, (size_t)(close - s - 1));
		addr[close - s - 1] = '\0';
		colon = close + 1;
		if (inet_pton(AF_INET6, addr, p->addr) != 1)
			return false;
		p->family = AF_INET6;
		p->len = 128;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		memcpy(addr, s, (size_t)(colon - s));
		addr[colon - s] = '\0';
		if (inet_pton(AF_INET, addr, p->addr) != 1)
			return false;
		p->family = AF_INET;
		p->len = 32;
	}
	if (!ref_u32(colon + 1, 1, 65535, &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

static void check_refusal(int ret, const char *err, const char *what,
			  const char *s)
{
	fuzz_check(ret == -1, "%s \"%s\" returned %d", what, s, ret);
	fuzz_check(err[0] && strlen(err) < ERR_LEN,
		   "%s refused \"%s\" without saying why", what, s);
}

/* Same value; the formatted text is a fixed point of format(parse()). */
static void check_addr_round_trip(const struct vnet_prefix *p, const char *s)
{
	char text[FMT_LEN], again[FMT_LEN], err[ERR_LEN] = "";
	struct vnet_prefix q;

	format_addr(p, text);
	fuzz_check(!parse_addr(text, &q, err), "\"%s\" formats as \"%s\", which is refused: %s",
		   s, text, err);
	fuzz_check(!memcmp(p, &q, sizeof(q)), "\"%s\" -> \"%s\" parses to another value",
		   s, text);
	fuzz_check(!strcmp(format_addr(&q, again), text), "\"%s\" -> \"%s\" -> \"%s\"",
		   s, text, again);
}

static void try_name(const char *s)
{
	char err[ERR_LEN] = "";
	int ret = parse_name("vnet", s, err);

	if (!ref_name(s))
		return check_refusal(ret, err, "parse_name", s);
	fuzz_check(ret == 0, "parse_name refused \"%s\": %s", s, err);
}

static void try_u32(const char *s, int which)
{
	static const uint32_t range[3][2] = {
		{ VNET_ID_MIN, VNET_ID_MAX }, { 1, 65535 }, { 0, 0xffffffffU },
	};
	uint32_t min = range[which][0], max = range[which][1], got = 7, want;
	char err[ERR_LEN] = "", text[16];
	int ret;

	if (which == 0)
		ret = parse_id(s, &got, err);
	else
		ret = parse_u32("number", s, min, max, &got, err);
	if (!ref_u32(s, min, max, &want))
		return check_refusal(ret, err, "parse_u32", s);
	fuzz_check(ret == 0, "parse_u32 refused \"%s\" (%u..%u): %s", s, min,
		   max, err);
	fuzz_check(got == want, "\"%s\" parsed as %u, not %u", s, got, want);
	snprintf(text, sizeof(text), "%u", got);
	fuzz_check(!parse_u32("number", text, min, max, &want, err) &&
		   want == got, "%u does not parse back", got);
}

static void try_addr(const char *s)
{
	struct vnet_prefix p, want;
	char err[ERR_LEN] = "";
	int ret = parse_addr(s, &p, err);

	if (!ref_addr(s, &want))
		return check_refusal(ret, err, "parse_addr", s);
	fuzz_check(ret == 0, "parse_addr refused \"%s\": %s", s, err);
	fuzz_check(!memcmp(&p, &want, sizeof(p)), "\"%s\" parsed to another value", s);
	check_addr_round_trip(&p, s);
}

static void try_mac(const char *s)
{
	uint8_t mac[6], want[6], again[6];
	char err[ERR_LEN] = "", text[FMT_LEN], lower[18];
	int ret = parse_mac(s, mac, err);

	if (!ref_mac(s, want))
		return check_refusal(ret, err, "parse_mac", s);
	fuzz_check(ret == 0, "parse_mac refused \"%s\": %s", s, err);
	fuzz_check(!memcmp(mac, want, 6), "\"%s\" parsed to another MAC", s);
	format_mac(mac, text);
	fuzz_check(!parse_mac(text, again, err) && !memcmp(mac, again, 6),
		   "\"%s\" -> \"%s\" does not parse back", s, text);
	/* The canonical form is the input in lower case. */
	for (int i = 0; i < 18; i++)
		lower[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
	fuzz_check(!strcmp(text, lower), "\"%s\" formats as \"%s\"", s, text);
}

static void try_onoff(const char *s)
{
	char err[ERR_LEN] = "";
	bool on = false;
	int ret = parse_onoff("access", s, &on, err);

	if (strcmp(s, "on") && strcmp(s, "off"))
		return check_refusal(ret, err, "parse_onoff", s);
	fuzz_check(ret == 0 && on == !strcmp(s, "on"), "parse_onoff \"%s\"", s);
}

static void try_ifname(const char *s)
{
	char err[ERR_LEN] = "";
	int ret = parse_ifname(s, err);

	if (!ref_ifname(s))
		return check_refusal(ret, err, "parse_ifname", s);
	fuzz_check(ret == 0, "parse_ifname refused \"%s\": %s", s, err);
}

static void try_backend(const char *s)
{
	char err[ERR_LEN] = "", text[FMT_LEN], again[FMT_LEN];
	struct vnet_prefix p, want, q;
	uint16_t port = 0, want_port = 0, port2 = 0;
	int ret = parse_backend(s, &p, &port, err);

	if (!ref_backend(s, &want, &want_port))
		return check_refusal(ret, err, "parse_backend", s);
	fuzz_check(ret == 0, "parse_backend refused \"%s\": %s", s, err);
	fuzz_check(!memcmp(&p, &want, sizeof(p)) && port == want_port,
		   "\"%s\" parsed to another backend", s);
	format_backend(&p, port, text);
	fuzz_check(!parse_backend(text, &q, &port2, err), "\"%s\" -> \"%s\" refused: %s",
		   s, text, err);
	fuzz_check(!memcmp(&p, &q, sizeof(q)) && port == port2,
		   "\"%s\" -> \"%s\" parses to another backend", s, text);
	fuzz_check(!strcmp(format_backend(&q, port2, again), text),
		   "\"%s\" -> \"%s\" -> \"%s\"", s, text, again);
}

/* What parse_endpoint_args() must accept, from the grammar. */
static bool ref_endpoint(int argc, char **argv, bool add)
{
	bool mac = false, remote = false;
	struct vnet_prefix p;
	uint8_t m[6];

	if (argc < 2 || !ref_name(argv[0]) || !ref_addr(argv[1], &p))
		return false;
	if (!add)
		return argc == 2;
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return false;
		if (!strcmp(argv[i], "mac") && !mac && ref_mac(argv[i + 1], m))
			mac = true;
		else if (!strcmp(argv[i], "remote") && !remote &&
			 ref_addr(argv[i + 1], &p))
			remote = true;
		else
			return false;
	}
	return mac && remote;
}

static void try_endpoint(char *s, bool add)
{
	char *argv[16], err[ERR_LEN] = "", text[FMT_LEN];
	struct endpoint_args a;
	uint8_t mac[6];
	int argc = 0, ret;

	for (char *w = strtok(s, " "); w && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	ret = parse_endpoint_args(argc, argv, add, &a, err);
	if (!ref_endpoint(argc, argv, add))
		return check_refusal(ret, err, "parse_endpoint_args", "...");
	fuzz_check(ret == 0, "parse_endpoint_args refused: %s", err);
	fuzz_check(a.vnet == argv[0], "the vnet is not the first word");
	check_addr_round_trip(&a.ip, argv[1]);
	if (!add)
		return;
	check_addr_round_trip(&a.remote, "remote");
	format_mac(a.mac, text);
	fuzz_check(!parse_mac(text, mac, err) && !memcmp(mac, a.mac, 6),
		   "endpoint mac \"%s\" does not parse back", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[WORD_MAX + 1];
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1 < WORD_MAX ? size - 1 : WORD_MAX;
	memcpy(s, data + 1, n);
	s[n] = '\0';
	switch (data[0] % 11) {
	case 0:
		try_name(s);
		break;
	case 1:
	case 2:
	case 3:
		try_u32(s, data[0] % 11 - 1);
		break;
	case 4:
		try_addr(s);
		break;
	case 5:
		try_mac(s);
		break;
	case 6:
		try_onoff(s);
		break;
	case 7:
		try_ifname(s);
		break;
	case 8:
		try_backend(s);
		break;
	default:
		try_endpoint(s, data[0] % 11 == 9);
	}
	return 0;
}
