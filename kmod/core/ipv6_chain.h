/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPv6 extension header walker: from the fixed header to the
 * upper-layer protocol, wherever the fragment header sits. One walker for
 * every place that reads an IPv6 packet (ports, tunnel, the packets ICMP
 * errors quote), so ACLs, connection tracking, load balancers and the
 * RA / ND / DHCPv6 checks all see the same transport.
 *
 * It reads, it does not refuse what it can read: hop-by-hop, routing,
 * destination options, fragment and AH headers are stepped over. It
 * refuses what it cannot read safely: a chain longer than the limits
 * below, a header that runs past the datagram (the upper-layer header
 * too must start in it: RFC 7112 for first fragments), an extension header
 * it does not know, a hop-by-hop header that is not first, a second
 * fragment header, and routing header type 0 (RFC 5095).
 */
#ifndef _VNET_CORE_IPV6_CHAIN_H
#define _VNET_CORE_IPV6_CHAIN_H

#include "compat.h"

/*
 * At most this many extension headers, of at most this many bytes in all:
 * what fits before a UDP header in 1280 bytes, the IPv6 minimum MTU, which
 * a first fragment holding the whole chain must fit in (RFC 7112).
 */
#define VNET_IPV6_MAX_EXTHDRS	8
#define VNET_IPV6_MAX_EXTBYTES	(1280 - 40 - 8)

/* The fixed header, and the next-header values the walker knows. */
#define VNET_IPV6_HLEN		40
enum {
	VNET_IP6_NH_HOP = 0,
	VNET_IP6_NH_TCP = 6,
	VNET_IP6_NH_UDP = 17,
	VNET_IP6_NH_ROUTING = 43,
	VNET_IP6_NH_FRAGMENT = 44,
	VNET_IP6_NH_ESP = 50,
	VNET_IP6_NH_AH = 51,
	VNET_IP6_NH_ICMPV6 = 58,
	VNET_IP6_NH_NONE = 59,
	VNET_IP6_NH_DEST = 60,
	VNET_IP6_NH_MOBILITY = 135,
	VNET_IP6_NH_HIP = 139,
	VNET_IP6_NH_SHIM6 = 140,
	VNET_IP6_NH_EXP1 = 253,
	VNET_IP6_NH_EXP2 = 254,
};

enum vnet_ipv6_walk {
	VNET_IPV6_WALK_OK,
	VNET_IPV6_WALK_TRUNCATED,	/* a header runs past the datagram */
	VNET_IPV6_WALK_TOO_LONG,	/* beyond the limits above */
	VNET_IPV6_WALK_BAD,		/* unknown, misplaced or repeated header */
	VNET_IPV6_WALK_RH0,		/* routing header type 0 */
};

struct vnet_ipv6_chain {
	u32 frag_id;		/* the fragment header's identification */
	u16 thoff;		/* the upper-layer header, from the IPv6 header */
	u8 proto;		/* the upper-layer protocol */
	u8 exthdrs;		/* extension headers stepped over */
	bool fragment;		/* a fragment header was found */
	bool later;		/* non-zero fragment offset: no transport */
	bool more;		/* the fragment header's M flag */
};

/*
 * Reads @len bytes at offset @off of the packet: a pointer to them (maybe
 * @buf, which holds at least 8 bytes), or NULL if they are not there.
 */
typedef const void *(*vnet_read_fn)(void *ctx, unsigned int off,
				     unsigned int len, void *buf);

/*
 * Walks the chain of the IPv6 packet whose fixed header is at @base and
 * whose datagram ends at @end (from its payload length, never further: no
 * Ethernet padding is read). Fills @c on VNET_IPV6_WALK_OK.
 */
enum vnet_ipv6_walk vnet_ipv6_walk(vnet_read_fn read, void *ctx,
				   unsigned int base, unsigned int end,
				   struct vnet_ipv6_chain *c);

#endif /* _VNET_CORE_IPV6_CHAIN_H */
