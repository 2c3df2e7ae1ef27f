// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vnet.h>

#include "../kmod/core/name.h"
#include "parse.h"

int parse_name(const char *what, const char *s, char *err)
{
	if (vnet_name_valid(s, VNET_NAME_MAX))
		return 0;
	snprintf(err, ERR_LEN,
		 "invalid %s name \"%.40s%s\": use 1 to %d characters of A-Z a-z 0-9 _ . -",
		 what, s, strlen(s) > 40 ? "..." : "", VNET_NAME_MAX - 1);
	return -1;
}

int parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	      uint32_t *out, char *err)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts signs and blanks: insist on plain digits. */
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = (uint32_t)v;
	return 0;
bad:
	snprintf(err, ERR_LEN, "invalid %s \"%.40s\": expected a number from %u to %u",
		 what, s, min, max);
	return -1;
}

int parse_id(const char *s, uint32_t *id, char *err)
{
	return parse_u32("vnet id", s, VNET_ID_MIN, VNET_ID_MAX, id, err);
}

static int addr_family(const char *s)
{
	return strchr(s, ':') ? AF_INET6 : AF_INET;
}

int parse_addr(const char *s, struct vnet_prefix *p, char *err)
{
	memset(p, 0, sizeof(*p));
	p->family = addr_family(s);
	p->len = vnet_prefix_bits(p->family);
	if (inet_pton(p->family, s, p->addr) == 1)
		return 0;
	snprintf(err, ERR_LEN, "invalid IP address \"%.60s\"", s);
	return -1;
}

int parse_prefix(const char *s, struct vnet_prefix *p, char *err)
{
	char addr[INET6_ADDRSTRLEN], fixed[FMT_LEN];
	const char *slash = strchr(s, '/');
	struct vnet_prefix masked;
	uint32_t len;
	size_t n;

	memset(p, 0, sizeof(*p));
	n = slash ? (size_t)(slash - s) : 0;
	if (!slash || n == 0 || n >= sizeof(addr))
		goto malformed;
	memcpy(addr, s, n);
	addr[n] = '\0';
	p->family = addr_family(addr);
	if (inet_pton(p->family, addr, p->addr) != 1)
		goto malformed;
	if (parse_u32("prefix length", slash + 1, 0,
		      vnet_prefix_bits(p->family), &len, err))
		return -1;
	p->len = (uint8_t)len;
	if (!vnet_prefix_valid(p)) {
		masked = *p;
		for (unsigned int i = len; i < vnet_prefix_bits(p->family); i++)
			masked.addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		snprintf(err, ERR_LEN,
			 "host bits set in %.60s: did you mean %s?", s,
			 format_prefix(&masked, fixed));
		return -1;
	}
	return 0;
malformed:
	snprintf(err, ERR_LEN,
		 "malformed CIDR \"%.60s\": expected ADDRESS/LENGTH such as 10.1.0.0/16 or fd00:1::/48",
		 s);
	return -1;
}

int parse_mac(const char *s, uint8_t mac[6], char *err)
{
	unsigned int b[6];
	char end;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		goto bad;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[i * 3]) ||
		    !isxdigit((unsigned char)s[i * 3 + 1]))
			goto bad;
		mac[i] = (uint8_t)b[i];
	}
	if (mac[0] & 1) {
		snprintf(err, ERR_LEN,
			 "MAC %s is a multicast or broadcast address: a port needs a unicast MAC", s);
		return -1;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		snprintf(err, ERR_LEN, "MAC %s is all zeros", s);
		return -1;
	}
	return 0;
bad:
	snprintf(err, ERR_LEN,
		 "invalid MAC address \"%.40s\": expected six hex bytes such as 52:54:00:12:34:56",
		 s);
	return -1;
}

static const char *const origin_names[] = {
	[VNET_ORIGIN_OPERATOR] = "operator",
	[VNET_ORIGIN_VNETD] = "vnetd",
};

const char *origin_name(uint8_t v)
{
	return v < sizeof(origin_names) / sizeof(origin_names[0]) ?
	       origin_names[v] : NULL;
}

int parse_origin(const char *s, uint8_t *v, char *err)
{
	unsigned long n;
	char *end;

	for (size_t i = 0; i < sizeof(origin_names) / sizeof(origin_names[0]); i++)
		if (!strcmp(s, origin_names[i])) {
			*v = (uint8_t)i;
			return 0;
		}
	errno = 0;
	n = strtoul(s, &end, 10);
	if (!*s || *end || errno || n > 255 || s[0] == '-' || s[0] == '+') {
		snprintf(err, ERR_LEN,
			 "origin \"%.40s\" is not operator, vnetd or a number 0-255",
			 s);
		return -1;
	}
	*v = (uint8_t)n;
	return 0;
}

int parse_onoff(const char *what, const char *s, bool *on, char *err)
{
	if (!strcmp(s, "on")) {
		*on = true;
		return 0;
	}
	if (!strcmp(s, "off")) {
		*on = false;
		return 0;
	}
	snprintf(err, ERR_LEN, "%s takes on or off, not \"%.40s\"", what, s);
	return -1;
}

/*
 * The kernel's rule (dev_valid_name()), whose isspace() also counts 0xa0,
 * the Latin-1 no-break space: a name it refuses can name no interface.
 */
int parse_ifname(const char *s, char *err)
{
	size_t n = strlen(s);

	if (n > 0 && n < IFNAMSIZ && !strchr(s, '/') && !strchr(s, ':') &&
	    strcmp(s, ".") && strcmp(s, "..")) {
		for (size_t i = 0; i < n; i++)
			if (isspace((unsigned char)s[i]) ||
			    (unsigned char)s[i] == 0xa0)
				goto bad;
		return 0;
	}
bad:
	snprintf(err, ERR_LEN, "invalid interface name \"%.40s\"", s);
	return -1;
}

/* "10.1.1.4:8080" or "[fd00::4]:8080": a load balancer's backend. */
int parse_backend(const char *s, struct vnet_prefix *p, uint16_t *port,
		  char *err)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *colon, *start = s;
	size_t len;
	uint32_t v;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			goto bad;
		start = s + 1;
		len = (size_t)(close - start);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			goto bad;
		len = (size_t)(colon - s);
	}
	if (!len || len >= sizeof(addr))
		goto bad;
	memcpy(addr, start, len);
	addr[len] = '\0';
	memset(p, 0, sizeof(*p));
	p->family = s[0] == '[' ? AF_INET6 : AF_INET;
	p->len = vnet_prefix_bits(p->family);
	if (inet_pton(p->family, addr, p->addr) != 1)
		goto bad;
	if (parse_u32("backend port", colon + 1, 1, 65535, &v, err))
		return -1;
	*port = (uint16_t)v;
	return 0;
bad:
	snprintf(err, ERR_LEN,
		 "invalid backend \"%.60s\": expected IP:PORT, or [IPv6]:PORT",
		 s);
	return -1;
}

const char *format_backend(const struct vnet_prefix *p, uint16_t port,
			   char *buf)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, FMT_LEN, p->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 port);
	return buf;
}

int parse_endpoint_args(int argc, char **argv, bool add,
			struct endpoint_args *a, char *err)
{
	bool have_mac = false, have_remote = false;

	memset(a, 0, sizeof(*a));
	if (argc < 2) {
		snprintf(err, ERR_LEN, add ?
			 "usage: endpoint add VNET IP mac MAC remote UNDERLAY-IP [forwarding on|off]" :
			 "usage: endpoint del VNET IP");
		return -1;
	}
	if (parse_name("vnet", argv[0], err) || parse_addr(argv[1], &a->ip, err))
		return -1;
	a->vnet = argv[0];
	if (!add) {
		if (argc == 2)
			return 0;
		snprintf(err, ERR_LEN, "unexpected \"%.40s\" after endpoint del VNET IP",
			 argv[2]);
		return -1;
	}
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc) {
			snprintf(err, ERR_LEN, "\"%.40s\" needs a value", argv[i]);
			return -1;
		}
		if (!strcmp(argv[i], "mac") && !have_mac) {
			if (parse_mac(argv[i + 1], a->mac, err))
				return -1;
			have_mac = true;
		} else if (!strcmp(argv[i], "remote") && !have_remote) {
			if (parse_addr(argv[i + 1], &a->remote, err))
				return -1;
			have_remote = true;
		} else if (!strcmp(argv[i], "forwarding") && !a->have_fwd) {
			if (parse_onoff("forwarding", argv[i + 1], &a->forwarding,
					err))
				return -1;
			a->have_fwd = true;
		} else {
			snprintf(err, ERR_LEN, "unexpected \"%.40s\" in endpoint add",
				 argv[i]);
			return -1;
		}
	}
	if (!have_mac || !have_remote) {
		snprintf(err, ERR_LEN,
			 "endpoint add needs \"mac MAC\" and \"remote UNDERLAY-IP\"");
		return -1;
	}
	return 0;
}

const char *format_addr(const struct vnet_prefix *p, char *buf)
{
	if (!inet_ntop(p->family, p->addr, buf, FMT_LEN))
		snprintf(buf, FMT_LEN, "?");
	return buf;
}

const char *format_prefix(const struct vnet_prefix *p, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, FMT_LEN, "%s/%u", a, p->len);
	return buf;
}

const char *format_mac(const uint8_t m[6], char *buf)
{
	snprintf(buf, FMT_LEN, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	return buf;
}

int split_words(char *line, char **argv, int max)
{
	int argc = 0;

	for (char *p = line;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
}
