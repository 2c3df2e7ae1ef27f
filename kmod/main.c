// SPDX-License-Identifier: GPL-2.0
/*
 * vnet: virtual networks with peering for Linux hosts.
 *
 * Init and exit order only. The generic netlink family comes last and goes
 * first, so userspace never meets a half-initialised module.
 */
#include <linux/module.h>

#include "vnet.h"
#include "datapath.h"
#include "endpoint.h"
#include "events.h"
#include "lb.h"

static int __init vnet_init(void)
{
	int err;

	err = vnet_ct_limits_init();
	if (err)
		return err;
	err = vnet_caches_init();
	if (err)
		return err;
	err = vnet_ct_cache_init();
	if (err)
		goto err_caches;
	err = vnet_lb_flow_cache_init();
	if (err)
		goto err_ct;
	err = vnet_pernet_init();
	if (err)
		goto err_lb;
	err = vnet_notifier_init();
	if (err)
		goto err_pernet;
	err = vnet_genl_init();
	if (err)
		goto err_notifier;
	pr_info("vnet " VNET_MOD_VERSION " loaded\n");
	return 0;

err_notifier:
	vnet_notifier_exit();
err_pernet:
	vnet_pernet_exit();
err_lb:
	vnet_lb_flow_cache_exit();
err_ct:
	vnet_ct_cache_exit();
err_caches:
	vnet_caches_exit();
	return err;
}

bool vnet_unloading;

static void __exit vnet_exit(void)
{
	vnet_genl_exit();
	vnet_tunnels_remove_all();
	WRITE_ONCE(vnet_unloading, true);
	/*
	 * Replays NETDEV_UNREGISTER for every device: every port lets go of
	 * its interface, and none binds again (hook.c).
	 */
	vnet_notifier_exit();
	vnet_pernet_exit();
	vnet_lb_flow_cache_exit();
	vnet_ct_cache_exit();
	vnet_caches_exit();
}

module_init(vnet_init);
module_exit(vnet_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual networks with peering");
MODULE_VERSION(VNET_MOD_VERSION);
MODULE_ALIAS_GENL_FAMILY(VNET_GENL_NAME);
