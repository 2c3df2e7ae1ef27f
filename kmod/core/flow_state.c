// SPDX-License-Identifier: GPL-2.0
/*
 * Flow states and idle timeouts (see flow_state.h).
 */
#include "flow_state.h"

/* IANA protocol numbers and ICMP types: the core has no kernel headers. */
enum {
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ICMPV6 = 58,
};

enum {
	ICMP_UNREACH = 3,
	ICMP_TIME_EXCEED = 11,
	ICMP_PARAMPROB = 12,
	ICMPV6_UNREACH = 1,
	ICMPV6_TOOBIG = 2,
	ICMPV6_TIME_EXCEED = 3,
	ICMPV6_PARAMPROB = 4,
};

u8 vnet_flow_next_state(u8 state, bool reply, u8 tcp_flags)
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

enum vnet_flow_timeout vnet_flow_timeout_of(u8 proto, u8 state)
{
	switch (proto) {
	case PROTO_TCP:
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
	case PROTO_UDP:
		return state == VNET_FLOW_NEW ? VNET_FLOW_TO_UDP :
						VNET_FLOW_TO_UDP_STREAM;
	case PROTO_ICMP:
	case PROTO_ICMPV6:
		return VNET_FLOW_TO_ICMP;
	default:
		return VNET_FLOW_TO_OTHER;
	}
}

bool vnet_icmp_is_error(u8 family, u8 type)
{
	if (family == AF_INET)
		return type == ICMP_UNREACH || type == ICMP_TIME_EXCEED ||
		       type == ICMP_PARAMPROB;
	return type == ICMPV6_UNREACH || type == ICMPV6_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}
