// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ACL classifier of the policy core, against the
 * first-match reference of tests/reference.h. The input is a rule count,
 * the rules in priority order, then packets until it ends. A rule has a
 * family (or none: no prefixes, both families), source and destination
 * prefixes typed in whole, in a short IPv6 form, or derived from an
 * earlier rule's (so they nest and share bits), a protocol or any, port
 * ranges and a source vnet or any. A packet is typed, or made to fall in
 * or near a rule (its prefixes, host bits from the input, ports in its
 * ranges). The compiled classifier must pick the reference's rule for
 * every packet, and the core's own rule check must agree with the
 * reference's.
 */
#include <string.h>

#include "../tests/reference.h"
#include "input.h"

#define MAX_RULES 256
#define MAX_PACKETS 256

static const u8 protos[4] = { 6, 17, 1, 58 };

static void clear_host_bits(struct vnet_prefix *p)
{
	for (unsigned int i = p->len; i < 128; i++)
		p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
}

static void read_prefix(struct fuzz_in *in, const struct vnet_acl_rule *rules,
			u32 n, u8 family, struct vnet_prefix *p)
{
	u8 how = fuzz_u8(in), len = fuzz_u8(in);
	const struct vnet_acl_rule *r;

	memset(p, 0, sizeof(*p));
	p->family = family;
	switch (how % 4) {
	case 0:		/* typed in whole */
		fuzz_bytes(in, p->addr, vnet_prefix_bits(family) / 8);
		break;
	case 1:		/* short: 10.x.y.z, fd00:xy::..zz */
		if (family == AF_INET) {
			p->addr[0] = 10;
			fuzz_bytes(in, p->addr + 1, 3);
		} else {
			p->addr[0] = 0xfd;
			p->addr[2] = fuzz_u8(in);
			p->addr[7] = fuzz_u8(in);
			p->addr[8] = fuzz_u8(in);
			p->addr[15] = fuzz_u8(in);
		}
		break;
	default:	/* an earlier rule's source or destination */
		if (!n)
			break;
		r = &rules[fuzz_u8(in) % n];
		if (how & 4) {
			if (r->dst.family == family)
				memcpy(p->addr, r->dst.addr, 16);
		} else if (r->src.family == family) {
			memcpy(p->addr, r->src.addr, 16);
		}
		if (how & 8)
			p->addr[fuzz_u8(in) % (vnet_prefix_bits(family) / 8)] ^=
				fuzz_u8(in);
	}
	p->len = (u8)(len % (vnet_prefix_bits(family) + 1));
	clear_host_bits(p);
}

/* Any; one port or a short range, low; a wide range anywhere. */
static void read_range(struct fuzz_in *in, u8 mode, u16 *lo, u16 *hi)
{
	u32 top;

	switch (mode % 4) {
	case 0:
		*lo = 0;
		*hi = 65535;
		break;
	case 1:
		*lo = *hi = fuzz_u8(in);
		break;
	case 2:
		*lo = fuzz_u8(in);
		*hi = (u16)(*lo + fuzz_u8(in));
		break;
	default:
		*lo = fuzz_u16(in);
		top = (u32)*lo + fuzz_u16(in);
		*hi = (u16)(top > 65535 ? 65535 : top);
	}
}

static void read_rule(struct fuzz_in *in, struct vnet_acl_rule *rules, u32 i)
{
	struct vnet_acl_rule *r = &rules[i];
	u8 f = fuzz_u8(in), pm;

	memset(r, 0, sizeof(*r));
	r->prio = i + 1;
	r->family = (f & 3) == 0 ? 0 : (f & 3) == 2 ? AF_INET6 : AF_INET;
	if (r->family) {
		/* A zero-length prefix keeps its family, as "0.0.0.0/0" does. */
		read_prefix(in, rules, i, r->family, &r->src);
		read_prefix(in, rules, i, r->family, &r->dst);
	}
	r->any_proto = !!(f & 4);
	if (!r->any_proto)
		r->proto = protos[fuzz_u8(in) % 4];
	pm = fuzz_u8(in);
	read_range(in, pm, &r->sport_lo, &r->sport_hi);
	read_range(in, pm >> 2, &r->dport_lo, &r->dport_hi);
	if (f & 8)
		r->from_vnet = 1 + fuzz_u8(in) % 8;
}

/* An address in prefix @p, its host bits those of @fill. */
static void addr_in(const struct vnet_prefix *p, u8 fill, u8 *addr)
{
	memset(addr, fill, 16);
	for (unsigned int i = 0; i < p->len; i++) {
		u8 bit = (u8)(0x80 >> (i % 8));

		addr[i / 8] = (u8)((addr[i / 8] & ~bit) | (p->addr[i / 8] & bit));
	}
}

static u16 port_in(struct fuzz_in *in, u16 lo, u16 hi)
{
	u16 v = fuzz_u16(in);

	switch (v & 3) {
	case 0:
		return lo;
	case 1:
		return hi;
	case 2:
		return (u16)(hi + 1);	/* just outside */
	default:
		return (u16)(lo + v % ((u32)hi - lo + 1));
	}
}

static void read_key(struct fuzz_in *in, const struct vnet_acl_rule *rules,
		     u32 n, struct vnet_acl_key *k)
{
	u8 f = fuzz_u8(in);
	const struct vnet_acl_rule *r;

	memset(k, 0, sizeof(*k));
	k->family = f & 1 ? AF_INET6 : AF_INET;
	if ((f & 2) && n) {	/* in or near a rule */
		r = &rules[fuzz_u8(in) % n];
		if (r->family)
			k->family = r->family;
		addr_in(&r->src, fuzz_u8(in), k->src);
		addr_in(&r->dst, fuzz_u8(in), k->dst);
		k->proto = r->any_proto || (f & 4) ? protos[fuzz_u8(in) % 4] :
			   r->proto;
		k->sport = port_in(in, r->sport_lo, r->sport_hi);
		k->dport = port_in(in, r->dport_lo, r->dport_hi);
		k->from_vnet = r->from_vnet && !(f & 8) ? r->from_vnet :
			       1 + fuzz_u8(in) % 8;
	} else {
		fuzz_bytes(in, k->src, k->family == AF_INET ? 4 : 16);
		fuzz_bytes(in, k->dst, k->family == AF_INET ? 4 : 16);
		k->proto = protos[fuzz_u8(in) % 4];
		k->sport = f & 32 ? fuzz_u16(in) : fuzz_u8(in);
		k->dport = f & 32 ? fuzz_u16(in) : fuzz_u8(in);
		k->from_vnet = 1 + fuzz_u8(in) % 8;
	}
	k->fragment = !!(f & 16);	/* the classifier does not look */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vnet_acl_rule rules[MAX_RULES];
	struct fuzz_in in = { data, size };
	struct vnet_acl_key k;
	struct vnet_acl acl;
	u32 n, got, want;
	int err;

	n = fuzz_u8(&in);
	for (u32 i = 0; i < n; i++)
		read_rule(&in, rules, i);
	err = vnet_acl_compile(&acl, rules, n);
	fuzz_check(!err, "compile of %u rules: %d", n, err);
	for (u32 p = 0; p < MAX_PACKETS && fuzz_more(&in); p++) {
		read_key(&in, rules, n, &k);
		got = vnet_acl_lookup(&acl, &k);
		want = ref_acl_first(rules, n, &k);
		fuzz_check(got == want, "%u rules, packet %u: rule %d, reference %d",
			   n, p, (int)got, (int)want);
		for (u32 i = 0; i < n; i++)
			fuzz_check(vnet_acl_rule_match(&rules[i], &k) ==
				   ref_acl_match(&rules[i], &k),
				   "rule %u: the core's rule check disagrees", i);
	}
	vnet_acl_free(&acl);
	return 0;
}
