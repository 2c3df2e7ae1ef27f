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

unsigned int vnet_max_routes = 100000;
module_param_named(max_routes, vnet_max_routes, uint, 0644);
MODULE_PARM_DESC(max_routes, "Maximum number of user routes per subnet");

unsigned int vnet_max_gateway_prefixes = 64;
module_param_named(max_gateway_prefixes, vnet_max_gateway_prefixes, uint,
		   0644);
MODULE_PARM_DESC(max_gateway_prefixes,
		 "Maximum number of on-premises prefixes of a gateway");

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
