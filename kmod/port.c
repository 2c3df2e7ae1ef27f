// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: host interfaces bound to a vnet and subnet, with their MAC and
 * IPs. Binding registers the interface's ingress hook; unbinding (port
 * del, interface removal, vnet deletion, namespace exit, module unload)
 * removes it. A port that is its vnet's gateway cannot be deleted by
 * request; its interface can go, and then the gateway stays without a
 * port (gateway.c). Nor can a port that is a load balancer's backend
 * (lb.c); its interface can go, and then the backend is skipped. Called with RTNL and vn->lock held.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>

#include "vnet.h"

static const struct rhashtable_params addr_params = {
	.key_len = sizeof(struct vnet_addr_key),
	.key_offset = offsetof(struct vnet_port_addr, key),
	.head_offset = offsetof(struct vnet_port_addr, node),
	.automatic_shrinking = true,
};

int vnet_port_addrs_init(struct vnet_net *vn)
{
	return rhashtable_init(&vn->addrs, &addr_params);
}

void vnet_port_addrs_destroy(struct vnet_net *vn)
{
	rhashtable_destroy(&vn->addrs);
}

void vnet_addr_key_init(struct vnet_addr_key *key, u32 vnet_id, u8 family,
			const u8 *addr)
{
	memset(key, 0, sizeof(*key));
	key->vnet_id = vnet_id;
	key->family = family;
	memcpy(key->addr, addr, family == AF_INET ? 4 : 16);
}

/*
 * The port of @vnet_id that owns @addr. Under RCU: the packet path, and
 * the control path through vnet_port_find().
 */
struct vnet_port *vnet_port_lookup(struct vnet_net *vn, u32 vnet_id,
				   u8 family, const u8 *addr)
{
	struct vnet_port_addr *a;
	struct vnet_addr_key key;

	vnet_addr_key_init(&key, vnet_id, family, addr);
	a = rhashtable_lookup(&vn->addrs, &key, addr_params);
	return a ? a->port : NULL;
}

/*
 * vnet_port_lookup() for the control path, which holds vn->lock. The lock
 * does not keep the table itself: the rhashtable's resize worker replaces
 * and frees bucket tables without it, after a grace period, so the walk
 * needs an RCU read-side section. The port found outlives that section:
 * ports are unbound and freed only with vn->lock held (vnet_port_del()),
 * so it stays valid until the caller drops vn->lock.
 */
struct vnet_port *vnet_port_find(struct vnet_net *vn, u32 vnet_id,
				 u8 family, const u8 *addr)
{
	struct vnet_port *port;

	lockdep_assert_held(&vn->lock);
	rcu_read_lock();
	port = vnet_port_lookup(vn, vnet_id, family, addr);
	rcu_read_unlock();
	return port;
}

struct vnet_port *vnet_port_of(struct vnet_net *vn,
			       const struct net_device *dev)
{
	struct vnet_port *port = xa_load(&vn->ports, dev->ifindex);

	return port && port->dev == dev ? port : NULL;
}

static int port_addrs_check(struct vnet_req *req, struct net_device *dev,
			    struct vnet_subnet *s,
			    const struct vnet_prefix *addrs, unsigned int n)
{
	struct vnet_vnet *v = s->vnet;
	char a[VNET_PREFIX_STR];
	struct vnet_port *other;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		const struct vnet_prefix *sp;

		vnet_addr_fmt(a, &addrs[i]);
		sp = addrs[i].family == AF_INET ? &s->v4 : &s->v6;
		if (!vnet_prefix_contains(sp, &addrs[i]))
			return vnet_refuse(req, -EINVAL,
					   "port address outside its subnet",
					   "port %s: address %s is outside subnet %s of vnet %s",
					   dev->name, a, s->n.name, v->n.name);
		for (j = 0; j < i; j++)
			if (vnet_prefix_equal(&addrs[i], &addrs[j]))
				return vnet_refuse(req, -EINVAL,
						   "port address given twice",
						   "port %s: address %s is given twice",
						   dev->name, a);
		if (vnet_lb_port_add_check(req, v, dev->name, &addrs[i]))
			return -EEXIST;
		other = vnet_port_find(req->vn, v->id, addrs[i].family,
				       addrs[i].addr);
		if (other)
			return vnet_refuse(req, -EEXIST,
					   "address already used by another port",
					   "port %s: address %s is already used by port %s in vnet %s",
					   dev->name, a, other->dev->name,
					   v->n.name);
		if (vnet_endpoint_addr_check(req, dev->name, v, &addrs[i]))
			return -EEXIST;
	}
	return 0;
}

static int port_checks(struct vnet_req *req, struct net_device *dev,
		       struct vnet_subnet *s, const u8 *mac,
		       const struct vnet_prefix *addrs, unsigned int n,
		       u32 flags)
{
	struct vnet_port *other = vnet_port_of(req->vn, dev);

	if (other)
		return vnet_refuse(req, -EEXIST, "interface is already a port",
				   "interface %s is already a port of vnet %s",
				   dev->name, other->vnet->n.name);
	if (vnet_tunnel_port(req->vn, dev))
		return vnet_refuse(req, -EBUSY, "interface is the tunnel device",
				   "interface %s is this host's tunnel to remote endpoints: it cannot be a port",
				   dev->name);
	if (dev->reg_state != NETREG_REGISTERED)
		return vnet_refuse(req, -ENODEV, "interface is going away",
				   "interface %s is going away", dev->name);
	if (dev->type != ARPHRD_ETHER || (dev->flags & IFF_LOOPBACK) ||
	    dev->addr_len != ETH_ALEN)
		return vnet_refuse(req, -EINVAL, "not an Ethernet interface",
				   "interface %s is not an Ethernet interface",
				   dev->name);
	if (!is_valid_ether_addr(mac))
		return vnet_refuse(req, -EINVAL, "port MAC must be unicast",
				   "port %s: MAC %pM is not a unicast address",
				   dev->name, mac);
	if (req->vn->nr_ports >= vnet_max_ports)
		return vnet_refuse(req, -ENOSPC, "port limit reached",
				   "cannot add port %s: %u ports is the limit (max_ports parameter)",
				   dev->name, vnet_max_ports);
	if (n > vnet_max_port_addrs)
		return vnet_refuse(req, -ENOSPC, "too many port addresses",
				   "port %s: %u addresses, the limit is %u (max_port_addrs parameter)",
				   dev->name, n, vnet_max_port_addrs);
	return port_addrs_check(req, dev, s, addrs, n) ?:
	       vnet_gateway_port_add_check(req, s->vnet, dev, flags);
}

static void port_addrs_remove(struct vnet_port *port, unsigned int n)
{
	while (n--)
		rhashtable_remove_fast(&port->vn->addrs, &port->addrs[n].node,
				       addr_params);
}

int vnet_port_add(struct vnet_req *req, struct net_device *dev,
		  struct vnet_subnet *s, const u8 *mac,
		  const struct vnet_prefix *addrs, unsigned int n, u32 flags)
{
	struct vnet_net *vn = req->vn;
	struct vnet_port *port;
	unsigned int i;
	int err;

	lockdep_assert_held(&req->vn->lock);
	ASSERT_RTNL();
	err = port_checks(req, dev, s, mac, addrs, n, flags);
	if (err)
		return err;
	port = vnet_alloc_port();
	if (!port)
		return -ENOMEM;
	port->addrs = kcalloc(n, sizeof(*port->addrs), GFP_KERNEL);
	if (!port->addrs) {
		err = -ENOMEM;
		goto err_free;
	}
	port->dev = dev;
	netdev_hold(dev, &port->dev_tracker, GFP_KERNEL);
	port->vn = vn;
	port->vnet = s->vnet;
	vnet_ct_port_bind(port);
	port->subnet = s;
	ether_addr_copy(port->mac, mac);
	port->flags = flags;
	for (i = 0; i < n; i++) {
		port->addrs[i].port = port;
		vnet_addr_key_init(&port->addrs[i].key, s->vnet->id,
				   addrs[i].family, addrs[i].addr);
		err = rhashtable_insert_fast(&vn->addrs, &port->addrs[i].node,
					     addr_params);
		if (err)
			goto err_addrs;
		port->nr_addrs++;
	}
	err = xa_insert(&vn->ports, dev->ifindex, port, GFP_KERNEL);
	if (err)
		goto err_addrs;
	err = vnet_hook_register(port);
	if (err) {
		xa_erase(&vn->ports, dev->ifindex);
		goto err_addrs;
	}
	list_add_tail(&port->vnet_link, &s->vnet->ports);
	s->nr_ports++;
	vn->nr_ports++;
	vn->gen++;
	vnet_notify_port(port, VNET_CMD_PORT_NEW);
	if (vnet_port_is_gateway(port))
		vnet_gateway_port_changed(port);	/* back: active */
	return 0;

err_addrs:
	port_addrs_remove(port, port->nr_addrs);
	vnet_ct_port_gone(port);	/* packets may have reached it */
err_free:
	/* Lookups may have seen an address entry: free after RCU. */
	vnet_free_port_rcu(port);
	return err;
}

/*
 * Unbinds @port whatever uses it: interface removal, vnet deletion (whose
 * gateway went first), namespace exit, unload. Requests use
 * vnet_port_remove().
 */
void vnet_port_del(struct vnet_port *port)
{
	bool gateway = vnet_port_is_gateway(port);
	struct vnet_net *vn = port->vn;

	ASSERT_RTNL();
	vnet_hook_unregister(port);
	port_addrs_remove(port, port->nr_addrs);
	xa_erase(&vn->ports, port->dev->ifindex);
	list_del(&port->vnet_link);
	port->subnet->nr_ports--;
	vn->nr_ports--;
	vn->gen++;
	vnet_notify_port(port, VNET_CMD_PORT_DEL);
	if (gateway)
		vnet_gateway_port_changed(port);	/* port-gone */
	vnet_ct_port_gone(port);
	vnet_lb_flows_stale(vn);
	vnet_free_port_rcu(port);
}

/* "port del": refused while the port is its vnet's gateway (rule 12). */
int vnet_port_remove(struct vnet_req *req, struct vnet_port *port)
{
	int err = vnet_gateway_port_del_check(req, port) ?:
		  vnet_lb_port_del_check(req, port);

	lockdep_assert_held(&req->vn->lock);
	if (err)
		return err;
	vnet_port_del(port);
	return 0;
}
