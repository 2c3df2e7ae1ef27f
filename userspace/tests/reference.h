/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trivially correct references for the policy core, shared by the unit
 * tests (tests/test_core.c, tests/test_acl.c) and the libFuzzer targets
 * (fuzz/): one bit at a time, one entry or rule after another, and nothing
 * of the core's own code but its structures, so a bug in a helper the core
 * shares (prefix matching) cannot hide in both sides of a comparison.
 */
#ifndef VNET_TESTS_REFERENCE_H
#define VNET_TESTS_REFERENCE_H

#include "../../kmod/core/acl.h"
#include "../../kmod/core/lpm.h"

/* Bit @i of @addr, counted from the top of the first byte. */
static inline unsigned int ref_bit(const u8 *addr, unsigned int i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

/* Do the first p->len bits of @addr equal those of @p? */
static inline bool ref_prefix_match(const struct vnet_prefix *p,
				    const u8 *addr)
{
	for (unsigned int i = 0; i < p->len; i++)
		if (ref_bit(p->addr, i) != ref_bit(addr, i))
			return false;
	return true;
}

/*
 * Longest prefix match by scanning every entry: the longest that matches
 * wins, and of equal prefixes the last one.
 */
static inline u32 ref_lpm_lookup(const struct vnet_prefix *p, const u32 *val,
				 unsigned int n, u8 family, const u8 *addr)
{
	u32 best = VNET_LPM_NONE;
	int best_len = -1;

	for (unsigned int i = 0; i < n; i++) {
		if (p[i].family != family || !ref_prefix_match(&p[i], addr))
			continue;
		if (p[i].len >= best_len) {
			best_len = p[i].len;
			best = val[i];
		}
	}
	return best;
}

/*
 * Does packet @k match rule @r? A rule of family 0 has no prefixes and
 * matches both families; a prefix of length 0 is "any".
 */
static inline bool ref_acl_match(const struct vnet_acl_rule *r,
				 const struct vnet_acl_key *k)
{
	if (r->family && r->family != k->family)
		return false;
	if (r->src.len && !ref_prefix_match(&r->src, k->src))
		return false;
	if (r->dst.len && !ref_prefix_match(&r->dst, k->dst))
		return false;
	if (!r->any_proto && r->proto != k->proto)
		return false;
	if (k->sport < r->sport_lo || k->sport > r->sport_hi)
		return false;
	if (k->dport < r->dport_lo || k->dport > r->dport_hi)
		return false;
	return !r->from_vnet || r->from_vnet == k->from_vnet;
}

/* The first of @n rules (in priority order) that @k matches. */
static inline u32 ref_acl_first(const struct vnet_acl_rule *rules, u32 n,
				const struct vnet_acl_key *k)
{
	for (u32 i = 0; i < n; i++)
		if (ref_acl_match(&rules[i], k))
			return i;
	return VNET_ACL_NONE;
}

#endif
