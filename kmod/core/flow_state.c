// SPDX-License-Identifier: GPL-2.0
/*
 * Which ICMP messages are errors (see flow_state.h; the states and
 * timeouts are inline there).
 */
#include "flow_state.h"

/* ICMP and ICMPv6 error types. */
enum {
	ICMP_UNREACH = 3,
	ICMP_TIME_EXCEED = 11,
	ICMP_PARAMPROB = 12,
	ICMPV6_UNREACH = 1,
	ICMPV6_TOOBIG = 2,
	ICMPV6_TIME_EXCEED = 3,
	ICMPV6_PARAMPROB = 4,
};

bool vnet_icmp_is_error(u8 family, u8 type)
{
	if (family == AF_INET)
		return type == ICMP_UNREACH || type == ICMP_TIME_EXCEED ||
		       type == ICMP_PARAMPROB;
	return type == ICMPV6_UNREACH || type == ICMPV6_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}
