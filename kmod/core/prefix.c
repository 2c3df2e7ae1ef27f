// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix arithmetic of the policy core: validity (no host bits), containment
 * and overlap. Plain C: builds into the module and into userspace tests.
 */
#include "prefix.h"

/* Compare the first @bits bits of @a and @b. */
static bool bits_equal(const u8 *a, const u8 *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;
	u8 mask;

	if (memcmp(a, b, bytes))
		return false;
	if (!rest)
		return true;
	mask = (u8)(0xff << (8 - rest));
	return !((a[bytes] ^ b[bytes]) & mask);
}

bool vnet_prefix_valid(const struct vnet_prefix *p)
{
	unsigned int bits, i;

	if (p->family != AF_INET && p->family != AF_INET6)
		return false;
	bits = vnet_prefix_bits(p->family);
	if (p->len > bits)
		return false;
	for (i = p->len; i < bits; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	/* Unused bytes of an IPv4 prefix stay zero so memcmp() orders it. */
	for (i = bits / 8; i < sizeof(p->addr); i++)
		if (p->addr[i])
			return false;
	return true;
}

bool vnet_prefix_match(const struct vnet_prefix *p, const u8 *addr)
{
	return bits_equal(p->addr, addr, p->len);
}

bool vnet_prefix_contains(const struct vnet_prefix *outer,
			  const struct vnet_prefix *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
	       bits_equal(outer->addr, inner->addr, outer->len);
}

bool vnet_prefix_overlaps(const struct vnet_prefix *a,
			  const struct vnet_prefix *b)
{
	return vnet_prefix_contains(a, b) || vnet_prefix_contains(b, a);
}

bool vnet_prefix_equal(const struct vnet_prefix *a,
		       const struct vnet_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Total order: IPv4 before IPv6, then address, then length. */
int vnet_prefix_cmp(const struct vnet_prefix *a, const struct vnet_prefix *b)
{
	int r;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r)
		return r;
	return (int)a->len - (int)b->len;
}

bool vnet_prefix_sets_overlap(const struct vnet_prefix *a, unsigned int na,
			      const struct vnet_prefix *b, unsigned int nb)
{
	unsigned int i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (vnet_prefix_overlaps(&a[i], &b[j]))
				return true;
	return false;
}
