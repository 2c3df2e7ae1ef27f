/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4 and IPv6 prefixes as the policy core sees them: addresses in network
 * byte order in a 16-byte buffer (IPv4 in the first four bytes), so one set
 * of bit operations serves both families.
 */
#ifndef _VNET_CORE_PREFIX_H
#define _VNET_CORE_PREFIX_H

#include "compat.h"

struct vnet_prefix {
	u8 family;	/* AF_INET or AF_INET6 */
	u8 len;		/* prefix length in bits */
	u8 addr[16];
};

static inline unsigned int vnet_prefix_bits(u8 family)
{
	return family == AF_INET ? 32 : 128;
}

bool vnet_prefix_valid(const struct vnet_prefix *p);
bool vnet_prefix_contains(const struct vnet_prefix *outer,
			  const struct vnet_prefix *inner);
bool vnet_prefix_overlaps(const struct vnet_prefix *a,
			  const struct vnet_prefix *b);
bool vnet_prefix_equal(const struct vnet_prefix *a,
		       const struct vnet_prefix *b);
int vnet_prefix_cmp(const struct vnet_prefix *a, const struct vnet_prefix *b);
bool vnet_prefix_match(const struct vnet_prefix *p, const u8 *addr);

/* Does any prefix of set @a overlap any prefix of set @b? */
bool vnet_prefix_sets_overlap(const struct vnet_prefix *a, unsigned int na,
			      const struct vnet_prefix *b, unsigned int nb);

#endif /* _VNET_CORE_PREFIX_H */
