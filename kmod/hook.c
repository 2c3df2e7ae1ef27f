// SPDX-License-Identifier: GPL-2.0
/*
 * The ingress hook of each bound port, and the netdevice notifier that
 * binds a port to an interface of its name when one appears in the
 * namespace and unbinds it when the interface goes (port.c), and forgets
 * the tunnel device when it goes by another hand.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "vnet.h"
#include "datapath.h"
#include "endpoint.h"

int vnet_hook_register(struct vnet_port *port, struct net_device *dev)
{
	struct nf_hook_ops *ops = &port->hook;

	ASSERT_RTNL();
	ops->hook = vnet_hook_fn;
	ops->pf = NFPROTO_NETDEV;
	ops->hooknum = NF_NETDEV_INGRESS;
	ops->priority = 0;
	ops->dev = dev;
	ops->priv = port;
	return nf_register_net_hook(dev_net(dev), ops);
}

/*
 * Readers may still run the hook with this port: the port is freed after
 * a grace period (vnet_free_port_rcu()).
 */
void vnet_hook_unregister(struct vnet_port *port, struct net_device *dev)
{
	ASSERT_RTNL();
	nf_unregister_net_hook(dev_net(dev), &port->hook);
}

/*
 * Under RTNL; cannot fail, and never vetoes an interface. A device moved
 * to another namespace is unregistered from the old one and registered in
 * the new one. At module unload the notifier's unregistration replays an
 * UNREGISTER for every device, so that no port holds an interface once
 * the notifier is gone (an interface deleted then would wait for it);
 * nothing binds after that, and the namespace exits remove the ports.
 */
static int vnet_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vnet_net *vn;

	if (event != NETDEV_REGISTER && event != NETDEV_UNREGISTER &&
	    event != NETDEV_CHANGENAME)
		return NOTIFY_DONE;
	if (READ_ONCE(vnet_unloading) && event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	vn = vnet_pernet(dev_net(dev));
	/* The module makes and deletes its tunnel device with vn->lock held. */
	if (vn->tunnel_busy)
		return NOTIFY_DONE;
	mutex_lock(&vn->lock);
	if (event == NETDEV_UNREGISTER)
		vnet_tunnel_gone(vn, dev);
	vnet_port_dev_event(vn, dev, event == NETDEV_UNREGISTER);
	vnet_flows_changed(vn);
	mutex_unlock(&vn->lock);
	return NOTIFY_DONE;
}
static struct notifier_block vnet_netdev_notifier = {
	.notifier_call = vnet_netdev_event,
};

int vnet_notifier_init(void)
{
	return register_netdevice_notifier(&vnet_netdev_notifier);
}

void vnet_notifier_exit(void)
{
	unregister_netdevice_notifier(&vnet_netdev_notifier);
}
