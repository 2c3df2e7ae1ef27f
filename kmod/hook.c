// SPDX-License-Identifier: GPL-2.0
/*
 * The ingress hook of each port and the netdevice notifier that unbinds a
 * port whose interface goes away (removed, or moved to another namespace)
 * and follows the renames of gateway ports, and forgets the tunnel device
 * when it goes by another hand.
 */
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "vnet.h"

int vnet_hook_register(struct vnet_port *port)
{
	struct nf_hook_ops *ops = &port->hook;

	ASSERT_RTNL();
	ops->hook = vnet_hook_fn;
	ops->pf = NFPROTO_NETDEV;
	ops->hooknum = NF_NETDEV_INGRESS;
	ops->priority = 0;
	ops->dev = port->dev;
	ops->priv = port;
	return nf_register_net_hook(dev_net(port->dev), ops);
}

/*
 * Readers may still run the hook with this port: the port is freed after
 * a grace period (vnet_free_port_rcu()).
 */
void vnet_hook_unregister(struct vnet_port *port)
{
	ASSERT_RTNL();
	nf_unregister_net_hook(dev_net(port->dev), &port->hook);
}

/*
 * Under RTNL; cannot fail. Also replayed for every device when the
 * notifier is unregistered, so finding no port is normal. A rename only
 * matters to a gateway, which shows its port's name.
 */
static int vnet_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vnet_net *vn;
	struct vnet_port *port;

	if (event != NETDEV_UNREGISTER && event != NETDEV_CHANGENAME)
		return NOTIFY_DONE;
	vn = vnet_pernet(dev_net(dev));
	/* The module makes and deletes its tunnel device with vn->lock held. */
	if (vn->tunnel_busy)
		return NOTIFY_DONE;
	mutex_lock(&vn->lock);
	port = vnet_port_of(vn, dev);
	if (port && event == NETDEV_UNREGISTER)
		vnet_port_del(port);
	else if (port)
		vnet_gateway_port_renamed(port);
	else if (event == NETDEV_UNREGISTER)
		vnet_tunnel_gone(vn, dev);
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
