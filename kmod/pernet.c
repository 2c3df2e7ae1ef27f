// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: one network controller per namespace. A
 * namespace going away frees every object it holds.
 */
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "vnet.h"
#include "acl.h"
#include "datapath.h"
#include "endpoint.h"
#include "lb.h"

static unsigned int vnet_net_id __read_mostly;

struct vnet_net *vnet_pernet(struct net *net)
{
	return net_generic(net, vnet_net_id);
}

static int __net_init vnet_net_init(struct net *net)
{
	struct vnet_net *vn = vnet_pernet(net);
	int err;

	vn->net = net;
	mutex_init(&vn->lock);
	vn->vnets = RB_ROOT;
	xa_init(&vn->ids);
	INIT_LIST_HEAD(&vn->orphans);
	INIT_LIST_HEAD(&vn->dirty);
	INIT_LIST_HEAD(&vn->acl_dirty);
	INIT_DELAYED_WORK(&vn->acl_work, vnet_acl_work);
	vn->ports = RB_ROOT;
	xa_init_flags(&vn->port_ids, XA_FLAGS_ALLOC1);
	xa_init(&vn->bound);
	/* Locally administered unicast: the virtual router of this host. */
	eth_random_addr(vn->router_mac);
	atomic_set(&vn->flow_gen, 1);
	err = vnet_ct_init(vn);
	if (err)
		return err;
	err = vnet_port_addrs_init(vn);
	if (err)
		goto err_ct;
	err = vnet_lb_init(vn);
	if (err)
		goto err_addrs;
	err = vnet_endpoints_init(vn);
	if (err)
		goto err_lb;
	return 0;

err_lb:
	vnet_lb_exit(vn);
err_addrs:
	vnet_port_addrs_destroy(vn);
err_ct:
	vnet_ct_exit(vn);
	return err;
}

static void __net_exit vnet_net_exit(struct net *net)
{
	struct vnet_net *vn = vnet_pernet(net);

	/* No request comes any more (namespace exit, or the family is gone). */
	cancel_delayed_work_sync(&vn->acl_work);
	/* Ports let go of their interfaces before (hook.c); free them. */
	rtnl_lock();
	mutex_lock(&vn->lock);
	vnet_destroy_all(vn);
	mutex_unlock(&vn->lock);
	rtnl_unlock();
	WARN_ON(!RB_EMPTY_ROOT(&vn->ports) || !xa_empty(&vn->bound) ||
		!list_empty(&vn->orphans) || !list_empty(&vn->dirty) ||
		!list_empty(&vn->acl_dirty) || vn->nr_endpoints ||
		rcu_access_pointer(vn->tunnel));
	/* Packets that found a port before it went are done after this. */
	synchronize_rcu();
	vnet_acl_delta_exit(vn);
	vnet_ct_exit(vn);
	vnet_lb_exit(vn);
	vnet_endpoints_destroy(vn);
	vnet_port_addrs_destroy(vn);
	xa_destroy(&vn->port_ids);
	xa_destroy(&vn->bound);
	xa_destroy(&vn->ids);
	mutex_destroy(&vn->lock);
}

static struct pernet_operations vnet_net_ops = {
	.init = vnet_net_init,
	.exit = vnet_net_exit,
	.id = &vnet_net_id,
	.size = sizeof(struct vnet_net),
};

int vnet_pernet_init(void)
{
	return register_pernet_subsys(&vnet_net_ops);
}

void vnet_pernet_exit(void)
{
	unregister_pernet_subsys(&vnet_net_ops);
}
