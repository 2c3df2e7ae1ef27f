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
 * @tcp_flags its TCP flags (0 for any other protocol).
 */
u8 vnet_flow_next_state(u8 state, bool reply, u8 tcp_flags);

/* Which idle timeout a flow of IP protocol @proto has in @state. */
enum vnet_flow_timeout vnet_flow_timeout_of(u8 proto, u8 state);

/* Is ICMP (@family AF_INET) or ICMPv6 type @type an error message? */
bool vnet_icmp_is_error(u8 family, u8 type);

#endif /* _VNET_CORE_FLOW_STATE_H */
