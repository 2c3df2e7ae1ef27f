// SPDX-License-Identifier: GPL-2.0
/* Object count limits; a request beyond one is refused with -ENOSPC. */
#include <linux/kernel.h>
#include <linux/module.h>
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

/* Not a refusal: beyond it, a publication carries no flow (acl_delta.c). */
unsigned int vnet_acl_delta_max = 16384;
module_param_named(acl_delta_max, vnet_acl_delta_max, uint, 0644);
MODULE_PARM_DESC(acl_delta_max,
		 "Most ACL rules one publication may change and still carry established flows over");

/*
 * The flow tables' sizes and shares (conntrack.c): ct_max_per_port <=
 * ct_max_per_vnet <= ct_max always holds, or a port could be given more
 * than its vnet. At load time the values are taken in any order and
 * checked together by vnet_ct_limits_init(); after that a write that
 * would break the order is refused with -EINVAL. Writes through sysfs
 * are serialised by the module's parameter lock, so two of them cannot
 * each pass against the other's old value.
 */
/*
 * Sized for a host: a full table of 2^20 entries is about 250 MiB, a
 * port's share a sixteenth of a vnet's. Azure's 500,000 flows per NIC
 * need the three raised together (Documentation/vnet.rst).
 */
unsigned int vnet_ct_max = 1048576;
unsigned int vnet_ct_max_per_vnet = 1048576 / 4;
unsigned int vnet_ct_max_per_port = 65536;
static bool ct_limits_live;
static bool ct_vnet_given, ct_port_given;

static int ct_limit_set(const char *val, const struct kernel_param *kp)
{
	unsigned int max = vnet_ct_max, vnet = vnet_ct_max_per_vnet;
	unsigned int port = vnet_ct_max_per_port, n;
	int err;

	err = kstrtouint(val, 0, &n);
	if (err)
		return err;
	if (kp->arg == &vnet_ct_max)
		max = n;
	else if (kp->arg == &vnet_ct_max_per_vnet)
		vnet = n;
	else
		port = n;
	if (ct_limits_live && (port > vnet || vnet > max))
		return -EINVAL;
	if (kp->arg == &vnet_ct_max_per_vnet)
		ct_vnet_given = true;
	else if (kp->arg == &vnet_ct_max_per_port)
		ct_port_given = true;
	/* The packet path reads them without the parameter lock. */
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

static const struct kernel_param_ops ct_limit_ops = {
	.set = ct_limit_set,
	.get = param_get_uint,
};

module_param_cb(ct_max, &ct_limit_ops, &vnet_ct_max, 0644);
MODULE_PARM_DESC(ct_max,
		 "Maximum number of entries per flow table (connections, lb connections) per network namespace; cached verdicts of denied flows have a quarter more, apart");
module_param_cb(ct_max_per_vnet, &ct_limit_ops, &vnet_ct_max_per_vnet, 0644);
MODULE_PARM_DESC(ct_max_per_vnet,
		 "Maximum number of flow table entries the ports of one vnet may open (default ct_max / 4; at most ct_max); cached verdicts of denied flows have a quarter more, apart");
module_param_cb(ct_max_per_port, &ct_limit_ops, &vnet_ct_max_per_port, 0644);
MODULE_PARM_DESC(ct_max_per_port,
		 "Maximum number of flow table entries one port may open (default 65536; at most ct_max_per_vnet); cached verdicts of denied flows have a quarter more, apart");

/*
 * Module init, after the load-time parameters: the defaults that were
 * not given follow those that were, then the order must hold.
 */
int vnet_ct_limits_init(void)
{
	int err = 0;

	/* sysfs shows the parameters already: no write in between. */
	kernel_param_lock(THIS_MODULE);
	if (!ct_vnet_given)
		vnet_ct_max_per_vnet = DIV_ROUND_UP(vnet_ct_max, 4);
	if (!ct_port_given)
		vnet_ct_max_per_port = min(vnet_ct_max_per_port,
					   vnet_ct_max_per_vnet);
	if (vnet_ct_max_per_port > vnet_ct_max_per_vnet ||
	    vnet_ct_max_per_vnet > vnet_ct_max) {
		pr_err("vnet: ct_max_per_port %u <= ct_max_per_vnet %u <= ct_max %u does not hold\n",
		       vnet_ct_max_per_port, vnet_ct_max_per_vnet, vnet_ct_max);
		err = -EINVAL;
	}
	ct_limits_live = !err;
	kernel_param_unlock(THIS_MODULE);
	return err;
}

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
VNET_CT_TIMEOUT(drop, 30, "a denied flow's verdict, cached");
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
