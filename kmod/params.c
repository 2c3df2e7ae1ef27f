// SPDX-License-Identifier: GPL-2.0
/* Object count limits; a request beyond one is refused with -ENOSPC. */
#include <linux/moduleparam.h>

#include "vnet.h"

unsigned int vnet_max_vnets = 65536;
module_param_named(max_vnets, vnet_max_vnets, uint, 0644);
MODULE_PARM_DESC(max_vnets, "Maximum number of vnets per network namespace");

unsigned int vnet_max_prefixes = 64;
module_param_named(max_prefixes, vnet_max_prefixes, uint, 0644);
MODULE_PARM_DESC(max_prefixes, "Maximum number of address prefixes per vnet");

unsigned int vnet_max_subnets = 1024;
module_param_named(max_subnets, vnet_max_subnets, uint, 0644);
MODULE_PARM_DESC(max_subnets, "Maximum number of subnets per vnet");

unsigned int vnet_max_peerings = 500;
module_param_named(max_peerings, vnet_max_peerings, uint, 0644);
MODULE_PARM_DESC(max_peerings, "Maximum number of peerings per vnet");

unsigned int vnet_max_ports = 65536;
module_param_named(max_ports, vnet_max_ports, uint, 0644);
MODULE_PARM_DESC(max_ports, "Maximum number of ports per network namespace");

unsigned int vnet_max_port_addrs = 16;
module_param_named(max_port_addrs, vnet_max_port_addrs, uint, 0644);
MODULE_PARM_DESC(max_port_addrs, "Maximum number of IP addresses per port");

unsigned int vnet_max_acl_rules = 100000;
module_param_named(max_acl_rules, vnet_max_acl_rules, uint, 0644);
MODULE_PARM_DESC(max_acl_rules,
		 "Maximum number of ACL rules per scope and direction");

unsigned int vnet_ct_max = 262144;
module_param_named(ct_max, vnet_ct_max, uint, 0644);
MODULE_PARM_DESC(ct_max,
		 "Maximum number of tracked connections per network namespace");

unsigned int vnet_ct_max_per_port = 16384;
module_param_named(ct_max_per_port, vnet_ct_max_per_port, uint, 0644);
MODULE_PARM_DESC(ct_max_per_port,
		 "Maximum number of tracked connections one port may open");

#define VNET_CT_TIMEOUT(name, secs, what)				\
	unsigned int vnet_ct_timeout_##name = secs;			\
	module_param_named(ct_timeout_##name, vnet_ct_timeout_##name,	\
			   uint, 0644);					\
	MODULE_PARM_DESC(ct_timeout_##name, "Idle timeout (s): " what)

VNET_CT_TIMEOUT(tcp_syn, 30, "TCP connection not answered yet");
VNET_CT_TIMEOUT(tcp_established, 7440, "established TCP connection");
VNET_CT_TIMEOUT(tcp_fin, 120, "TCP connection after a FIN");
VNET_CT_TIMEOUT(tcp_close, 10, "TCP connection after a RST");
VNET_CT_TIMEOUT(udp, 30, "UDP flow not answered yet");
VNET_CT_TIMEOUT(udp_stream, 180, "UDP flow with traffic both ways");
VNET_CT_TIMEOUT(icmp, 30, "ICMP echo");
VNET_CT_TIMEOUT(other, 600, "other protocols");
VNET_CT_TIMEOUT(fragment, 10, "later fragments follow their first one");
unsigned int vnet_max_routes = 100000;
module_param_named(max_routes, vnet_max_routes, uint, 0644);
MODULE_PARM_DESC(max_routes, "Maximum number of user routes per subnet");

/*
 * A gateway, or an lb, is one netlink message (its event, its dump part),
 * which must fit NLMSG_GOODSIZE: 64 IPv6 prefixes or backends do, with
 * room to spare; more could not be shown, so they cannot be set.
 */
#define VNET_MAX_PER_MSG 64

static int per_msg_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, VNET_MAX_PER_MSG);
}

static const struct kernel_param_ops per_msg_ops = {
	.set = per_msg_set,
	.get = param_get_uint,
};

unsigned int vnet_max_gateway_prefixes = VNET_MAX_PER_MSG;
module_param_cb(max_gateway_prefixes, &per_msg_ops,
		&vnet_max_gateway_prefixes, 0644);
MODULE_PARM_DESC(max_gateway_prefixes,
		 "Maximum number of on-premises prefixes of a gateway (1-64)");

unsigned int vnet_max_lbs = 4096;
module_param_named(max_lbs, vnet_max_lbs, uint, 0644);
MODULE_PARM_DESC(max_lbs,
		 "Maximum number of load balancers per network namespace");

unsigned int vnet_max_lb_backends = VNET_MAX_PER_MSG;
module_param_cb(max_lb_backends, &per_msg_ops, &vnet_max_lb_backends, 0644);
MODULE_PARM_DESC(max_lb_backends,
		 "Maximum number of backends per load balancer (1-64)");

unsigned int vnet_max_endpoints = 65536;
module_param_named(max_endpoints, vnet_max_endpoints, uint, 0644);
MODULE_PARM_DESC(max_endpoints,
		 "Maximum number of remote endpoints per network namespace");

#ifdef VNET_DEBUG
/*
 * Debug builds only (make -C kmod VNET_DEBUG=1): writing debug_warn
 * triggers a WARN, so the test harness can show that it catches one.
 */
static int debug_warn_set(const char *val, const struct kernel_param *kp)
{
	WARN(1, "vnet: debug_warn written\n");
	return 0;
}

static const struct kernel_param_ops debug_warn_ops = {
	.set = debug_warn_set,
};
module_param_cb(debug_warn, &debug_warn_ops, NULL, 0200);
MODULE_PARM_DESC(debug_warn, "Debug builds: write to trigger a WARN");
#endif
