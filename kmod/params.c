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
