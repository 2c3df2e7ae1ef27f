// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv6 extension header walker (see ipv6_chain.h). Plain C: builds
 * into the module and into userspace tests and fuzzers.
 */
#include "ipv6_chain.h"

/* The bytes @len at @off, if the datagram (ending at @end) holds them. */
static const u8 *take(vnet_read_fn read, void *ctx, unsigned int off,
		      unsigned int len, unsigned int end, void *buf)
{
	if (off > end || len > end - off)
		return NULL;
	return read(ctx, off, len, buf);
}

/* The length of extension header @nh whose first two bytes are @h. */
static unsigned int exthdr_len(u8 nh, const u8 *h)
{
	if (nh == VNET_IP6_NH_FRAGMENT)
		return 8;
	if (nh == VNET_IP6_NH_AH)
		return ((unsigned int)h[1] + 2) * 4;
	return ((unsigned int)h[1] + 1) * 8;
}

enum vnet_ipv6_walk vnet_ipv6_walk(vnet_read_fn read, void *ctx,
				   unsigned int base, unsigned int end,
				   struct vnet_ipv6_chain *c)
{
	unsigned int off = base + VNET_IPV6_HLEN, len;
	u8 buf[8], nh;
	const u8 *h;

	memset(c, 0, sizeof(*c));
	if (end < off)
		return VNET_IPV6_WALK_TRUNCATED;
	/* Version to hop limit: the next header is byte 6. */
	h = take(read, ctx, base, 8, end, buf);
	if (!h)
		return VNET_IPV6_WALK_TRUNCATED;
	nh = h[6];
	for (;;) {
		switch (nh) {
		case VNET_IP6_NH_HOP:
			/* Only right behind the fixed header (RFC 8200). */
			if (c->exthdrs)
				return VNET_IPV6_WALK_BAD;
			break;
		case VNET_IP6_NH_ROUTING:
		case VNET_IP6_NH_DEST:
		case VNET_IP6_NH_AH:
			break;
		case VNET_IP6_NH_FRAGMENT:
			if (c->fragment)
				return VNET_IPV6_WALK_BAD;
			break;
		case VNET_IP6_NH_MOBILITY:
		case VNET_IP6_NH_HIP:
		case VNET_IP6_NH_SHIM6:
		case VNET_IP6_NH_EXP1:
		case VNET_IP6_NH_EXP2:
			/* Extension headers this walker does not read. */
			return VNET_IPV6_WALK_BAD;
		default:
			/*
			 * An upper-layer protocol (or ESP, or no next header),
			 * which must start within the datagram.
			 */
			if (nh != VNET_IP6_NH_NONE && off >= end)
				return VNET_IPV6_WALK_TRUNCATED;
			c->proto = nh;
			c->thoff = (u16)(off - base);
			return VNET_IPV6_WALK_OK;
		}
		if (++c->exthdrs > VNET_IPV6_MAX_EXTHDRS)
			return VNET_IPV6_WALK_TOO_LONG;
		h = take(read, ctx, off, nh == VNET_IP6_NH_FRAGMENT ? 8 : 4, end,
			 buf);
		if (!h)
			return VNET_IPV6_WALK_TRUNCATED;
		len = exthdr_len(nh, h);
		if (off + len - (base + VNET_IPV6_HLEN) > VNET_IPV6_MAX_EXTBYTES)
			return VNET_IPV6_WALK_TOO_LONG;
		if (len > end - off)
			return VNET_IPV6_WALK_TRUNCATED;
		/* Type 0 is refused whatever its segments left (RFC 5095). */
		if (nh == VNET_IP6_NH_ROUTING && h[2] == 0)
			return VNET_IPV6_WALK_RH0;
		if (nh == VNET_IP6_NH_FRAGMENT) {
			u16 frag_off = (u16)(h[2] << 8 | h[3]);

			c->fragment = true;
			c->more = frag_off & 1;
			c->frag_id = core_load_be32(h + 4);
			if (frag_off & 0xfff8) {
				/* The rest is payload, not headers. */
				c->later = true;
				c->proto = h[0];
				c->thoff = (u16)(off + len - base);
				return VNET_IPV6_WALK_OK;
			}
		}
		nh = h[0];
		off += len;
	}
}
