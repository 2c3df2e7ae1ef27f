/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a flow is, and how long it may stay idle there: the pure part of
 * the flow table (connection tracking and load balancer entries), shared
 * by the module and the userspace unit tests.
 *
 * A flow starts NEW; the first packet of its reply direction makes it
 * ESTABLISHED; a TCP FIN moves it to FIN and a TCP RST to CLOSE, for good
 * (a FIN after a RST changes nothing). The state and the protocol pick
 * one of the idle timeouts below, which the module reads from its
 * parameters.
 */
#ifndef _VNET_CORE_FLOW_STATE_H
#define _VNET_CORE_FLOW_STATE_H

#include "compat.h"

enum vnet_flow_state {
	VNET_FLOW_NEW,		/* nothing came back yet */
	VNET_FLOW_ESTABLISHED,	/* the reply direction has answered */
	VNET_FLOW_FIN,		/* TCP: a FIN was seen */
	VNET_FLOW_CLOSE,	/* TCP: a RST was seen */
};

/* The idle timeouts, one per module parameter ct_timeout_<name>. */
enum vnet_flow_timeout {
	VNET_FLOW_TO_TCP_SYN,
	VNET_FLOW_TO_TCP_ESTABLISHED,
	VNET_FLOW_TO_TCP_FIN,
	VNET_FLOW_TO_TCP_CLOSE,
	VNET_FLOW_TO_UDP,
	VNET_FLOW_TO_UDP_STREAM,
	VNET_FLOW_TO_ICMP,
	VNET_FLOW_TO_OTHER,
	VNET_FLOW_TO_FRAGMENT,
	VNET_FLOW_TO_DROP,
	VNET_FLOW_TO_NR
};

/* The TCP header's flag bits the state follows. */
#define VNET_TCP_FIN	0x01
#define VNET_TCP_SYN	0x02
#define VNET_TCP_RST	0x04
#define VNET_TCP_ACK	0x10

/*
 * The state after a packet: @reply if it went in the reply direction,
 * @tcp_flags its TCP flags (0 for any other protocol). Inline, as the
 * next one: every flow-table hit asks both.
 */
static inline u8 vnet_flow_next_state(u8 state, bool reply, u8 tcp_flags)
{
	u8 next = state;

	if (reply && state == VNET_FLOW_NEW)
		next = VNET_FLOW_ESTABLISHED;
	if (tcp_flags & VNET_TCP_RST)
		next = VNET_FLOW_CLOSE;
	else if ((tcp_flags & VNET_TCP_FIN) && next != VNET_FLOW_CLOSE)
		next = VNET_FLOW_FIN;
	return next;
}

/* IANA protocol numbers: the core has no kernel headers. */
#define VNET_PROTO_ICMP		1
#define VNET_PROTO_TCP		6
#define VNET_PROTO_UDP		17
#define VNET_PROTO_ICMPV6	58

/* Which idle timeout a flow of IP protocol @proto has in @state. */
static inline enum vnet_flow_timeout vnet_flow_timeout_of(u8 proto, u8 state)
{
	switch (proto) {
	case VNET_PROTO_TCP:
		switch (state) {
		case VNET_FLOW_NEW:
			return VNET_FLOW_TO_TCP_SYN;
		case VNET_FLOW_ESTABLISHED:
			return VNET_FLOW_TO_TCP_ESTABLISHED;
		case VNET_FLOW_FIN:
			return VNET_FLOW_TO_TCP_FIN;
		default:
			return VNET_FLOW_TO_TCP_CLOSE;
		}
	case VNET_PROTO_UDP:
		return state == VNET_FLOW_NEW ? VNET_FLOW_TO_UDP :
						VNET_FLOW_TO_UDP_STREAM;
	case VNET_PROTO_ICMP:
	case VNET_PROTO_ICMPV6:
		return VNET_FLOW_TO_ICMP;
	default:
		return VNET_FLOW_TO_OTHER;
	}
}

/* Is ICMP (@family AF_INET) or ICMPv6 type @type an error message? */
bool vnet_icmp_is_error(u8 family, u8 type);

#endif /* _VNET_CORE_FLOW_STATE_H */
