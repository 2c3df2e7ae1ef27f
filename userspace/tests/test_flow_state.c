// SPDX-License-Identifier: GPL-2.0
/*
 * Flow states and idle timeouts (kmod/core/flow_state.h) built in
 * userspace: every state, direction and set of TCP flags against the
 * rules written out again here, every protocol's timeouts, and the ICMP
 * error types against the C library's names for them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <cmocka.h>

#include "../../kmod/core/flow_state.h"

static void test_tcp_flag_bits(void **state)
{
	(void)state;
	assert_int_equal(VNET_TCP_FIN, TH_FIN);
	assert_int_equal(VNET_TCP_SYN, TH_SYN);
	assert_int_equal(VNET_TCP_RST, TH_RST);
	assert_int_equal(VNET_TCP_ACK, TH_ACK);
}

/* The rules as a table: what each flag does from each state. */
static u8 reference_next(u8 s, bool reply, u8 flags)
{
	bool rst = flags & TH_RST, fin = flags & TH_FIN;

	if (rst || s == VNET_FLOW_CLOSE)
		return VNET_FLOW_CLOSE;
	if (fin || s == VNET_FLOW_FIN)
		return VNET_FLOW_FIN;
	if (reply || s == VNET_FLOW_ESTABLISHED)
		return VNET_FLOW_ESTABLISHED;
	return VNET_FLOW_NEW;
}

static void test_next_state_all(void **state)
{
	unsigned int s, flags, reply;

	(void)state;
	for (s = VNET_FLOW_NEW; s <= VNET_FLOW_CLOSE; s++)
		for (reply = 0; reply < 2; reply++)
			for (flags = 0; flags < 256; flags++)
				assert_int_equal(vnet_flow_next_state(s, reply,
								      flags),
						 reference_next(s, reply,
								flags));
}

static void test_next_state_examples(void **state)
{
	(void)state;
	/* A SYN stays new until the other side answers. */
	assert_int_equal(vnet_flow_next_state(VNET_FLOW_NEW, false, TH_SYN),
			 VNET_FLOW_NEW);
	assert_int_equal(vnet_flow_next_state(VNET_FLOW_NEW, true,
					      TH_SYN | TH_ACK),
			 VNET_FLOW_ESTABLISHED);
	/* The opener's own traffic does not establish a UDP flow. */
	assert_int_equal(vnet_flow_next_state(VNET_FLOW_NEW, false, 0),
			 VNET_FLOW_NEW);
	/* A FIN never undoes a RST, a reply never undoes a FIN. */
	assert_int_equal(vnet_flow_next_state(VNET_FLOW_CLOSE, true, TH_FIN),
			 VNET_FLOW_CLOSE);
	assert_int_equal(vnet_flow_next_state(VNET_FLOW_FIN, true, TH_ACK),
			 VNET_FLOW_FIN);
	assert_int_equal(vnet_flow_next_state(VNET_FLOW_FIN, false, TH_RST),
			 VNET_FLOW_CLOSE);
	assert_int_equal(vnet_flow_next_state(VNET_FLOW_NEW, false,
					      TH_SYN | TH_FIN),
			 VNET_FLOW_FIN);
}

static void test_timeouts(void **state)
{
	static const u8 others[] = { 0, IPPROTO_SCTP, IPPROTO_GRE, 255 };
	unsigned int s, i;

	(void)state;
	assert_int_equal(vnet_flow_timeout_of(IPPROTO_TCP, VNET_FLOW_NEW),
			 VNET_FLOW_TO_TCP_SYN);
	assert_int_equal(vnet_flow_timeout_of(IPPROTO_TCP,
					      VNET_FLOW_ESTABLISHED),
			 VNET_FLOW_TO_TCP_ESTABLISHED);
	assert_int_equal(vnet_flow_timeout_of(IPPROTO_TCP, VNET_FLOW_FIN),
			 VNET_FLOW_TO_TCP_FIN);
	assert_int_equal(vnet_flow_timeout_of(IPPROTO_TCP, VNET_FLOW_CLOSE),
			 VNET_FLOW_TO_TCP_CLOSE);
	assert_int_equal(vnet_flow_timeout_of(IPPROTO_UDP, VNET_FLOW_NEW),
			 VNET_FLOW_TO_UDP);
	for (s = VNET_FLOW_ESTABLISHED; s <= VNET_FLOW_CLOSE; s++)
		assert_int_equal(vnet_flow_timeout_of(IPPROTO_UDP, s),
				 VNET_FLOW_TO_UDP_STREAM);
	for (s = VNET_FLOW_NEW; s <= VNET_FLOW_CLOSE; s++) {
		assert_int_equal(vnet_flow_timeout_of(IPPROTO_ICMP, s),
				 VNET_FLOW_TO_ICMP);
		assert_int_equal(vnet_flow_timeout_of(IPPROTO_ICMPV6, s),
				 VNET_FLOW_TO_ICMP);
		for (i = 0; i < sizeof(others); i++)
			assert_int_equal(vnet_flow_timeout_of(others[i], s),
					 VNET_FLOW_TO_OTHER);
	}
}

static void test_icmp_errors(void **state)
{
	unsigned int t;
	bool v4, v6;

	(void)state;
	for (t = 0; t < 256; t++) {
		v4 = t == ICMP_DEST_UNREACH || t == ICMP_TIME_EXCEEDED ||
		     t == ICMP_PARAMETERPROB;
		v6 = t == ICMP6_DST_UNREACH || t == ICMP6_PACKET_TOO_BIG ||
		     t == ICMP6_TIME_EXCEEDED || t == ICMP6_PARAM_PROB;
		assert_int_equal(vnet_icmp_is_error(AF_INET, t), v4);
		assert_int_equal(vnet_icmp_is_error(AF_INET6, t), v6);
	}
	/* Echo requests and replies are not errors. */
	assert_false(vnet_icmp_is_error(AF_INET, ICMP_ECHO));
	assert_false(vnet_icmp_is_error(AF_INET6, ICMP6_ECHO_REQUEST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_flag_bits),
		cmocka_unit_test(test_next_state_all),
		cmocka_unit_test(test_next_state_examples),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_icmp_errors),
	};

	return cmocka_run_group_tests_name("flow_state", tests, NULL, NULL);
}
