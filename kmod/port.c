// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: a VM's place in a vnet and subnet, with its MAC and IPs, named by
 * the host interface the VM's frames arrive on. A port outlives that
 * interface (a VM's tap device comes and goes with the VM): it may be
 * added before the interface exists, and when the interface goes it stays,
 * absent, with its addresses, ACLs and roles, until an interface of its
 * name appears again (hook.c tells). Bound, it holds the interface and
 * its ingress hook; absent, the packet path drops what is sent to it.
 *
 * A port that is its vnet's gateway (gateway.c) or a load balancer's
 * backend (lb.c) cannot be deleted by request. Called with RTNL and
 * vn->lock held.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "vnet.h"
#include "datapath.h"
#include "endpoint.h"
#include "events.h"
#include "lb.h"
#include "route.h"

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
 * The port of @vnet_id that owns @addr, up or absent. Under RCU: the
 * packet path, and the control path through vnet_port_find().
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
 * ports are freed only with vn->lock held (vnet_port_del()), so it stays
 * valid until the caller drops vn->lock.
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

/* The port named @name, up or absent. */
struct vnet_port *vnet_port_by_name(struct vnet_net *vn, const char *name)
{
	lockdep_assert_held(&vn->lock);
	return vnet_node_entry(vnet_node_find(&vn->ports, name),
			       struct vnet_port);
}

/* The port bound to @dev, if any. */
struct vnet_port *vnet_port_of(struct vnet_net *vn,
			       const struct net_device *dev)
{
	struct vnet_port *port;

	lockdep_assert_held(&vn->lock);
	port = xa_load(&vn->bound, dev->ifindex);
	return port && vnet_port_dev(port) == dev ? port : NULL;
}

u8 vnet_port_state(const struct vnet_port *port)
{
	return rcu_access_pointer(port->dev) ? VNET_PORT_UP : VNET_PORT_ABSENT;
}

/* Can @dev carry a port's frames? The tunnel device cannot. */
static const char *dev_unsuitable(struct vnet_net *vn,
				  const struct net_device *dev)
{
	if (vnet_tunnel_port(vn, dev))
		return "is this host's tunnel to remote endpoints";
	if (dev->reg_state != NETREG_REGISTERED)
		return "is going away";
	if (dev->type != ARPHRD_ETHER || (dev->flags & IFF_LOOPBACK) ||
	    dev->addr_len != ETH_ALEN)
		return "is not an Ethernet interface";
	return NULL;
}

/*
 * The addresses @addrs of port @name in subnet @s: inside the subnet,
 * each once, and no other port's, lb frontend's or remote endpoint's.
 * @self, when set, is the port being changed: its own addresses are fine.
 */
static int port_addrs_check(struct vnet_req *req, const char *name,
			    struct vnet_port *self, struct vnet_subnet *s,
			    const struct vnet_prefix *addrs, unsigned int n)
{
	struct vnet_vnet *v = s->vnet;
	char a[VNET_PREFIX_STR];
	struct vnet_port *other;
	unsigned int i, j;

	if (n > vnet_max_port_addrs)
		return vnet_refuse(req, -ENOSPC, "too many port addresses",
				   "port %s: %u addresses, the limit is %u (max_port_addrs parameter)",
				   name, n, vnet_max_port_addrs);
	for (i = 0; i < n; i++) {
		const struct vnet_prefix *sp;

		vnet_addr_fmt(a, &addrs[i]);
		sp = addrs[i].family == AF_INET ? &s->v4 : &s->v6;
		if (!vnet_prefix_contains(sp, &addrs[i]))
			return vnet_refuse(req, -EINVAL,
					   "port address outside its subnet",
					   "port %s: address %s is outside subnet %s of vnet %s",
					   name, a, s->n.name, v->n.name);
		for (j = 0; j < i; j++)
			if (vnet_prefix_equal(&addrs[i], &addrs[j]))
				return vnet_refuse(req, -EINVAL,
						   "port address given twice",
						   "port %s: address %s is given twice",
						   name, a);
		if (vnet_lb_port_add_check(req, v, name, &addrs[i]))
			return -EEXIST;
		other = vnet_port_find(req->vn, v->id, addrs[i].family,
				       addrs[i].addr);
		if (other && other != self)
			return vnet_refuse(req, -EEXIST,
					   "address already used by another port",
					   "port %s: address %s is already used by port %s in vnet %s",
					   name, a, other->n.name, v->n.name);
		if (vnet_endpoint_addr_check(req, name, v, &addrs[i]))
			return -EEXIST;
	}
	return 0;
}

static int port_add_checks(struct vnet_req *req, const char *name,
			   struct net_device *dev, struct vnet_subnet *s,
			   const u8 *mac, const struct vnet_prefix *addrs,
			   unsigned int n)
{
	struct vnet_port *other = vnet_port_by_name(req->vn, name);
	const char *why;

	if (!dev_valid_name(name))
		return vnet_refuse(req, -EINVAL, "not a valid interface name",
				   "port %s: not a valid interface name", name);
	if (other)
		return vnet_refuse(req, -EEXIST, "port already exists",
				   "port %s already exists (in vnet %s)",
				   name, other->vnet->n.name);
	if (!strcmp(name, VNET_TUNNEL_IFNAME))
		return vnet_refuse(req, -EINVAL, "name of the tunnel device",
				   "%s is the name of this host's tunnel to remote endpoints: it cannot be a port",
				   name);
	why = dev ? dev_unsuitable(req->vn, dev) : NULL;
	if (why)
		return vnet_refuse(req, -EINVAL, "interface cannot be a port",
				   "interface %s %s: it cannot be a port",
				   name, why);
	if (!is_valid_ether_addr(mac))
		return vnet_refuse(req, -EINVAL, "port MAC must be unicast",
				   "port %s: MAC %pM is not a unicast address",
				   name, mac);
	if (req->vn->nr_ports >= vnet_max_ports)
		return vnet_refuse(req, -ENOSPC, "port limit reached",
				   "cannot add port %s: %u ports is the limit (max_ports parameter)",
				   name, vnet_max_ports);
	return port_addrs_check(req, name, NULL, s, addrs, n);
}

static struct vnet_port_conf *conf_new(struct vnet_port *port, const u8 *mac,
				       u32 flags,
				       const struct vnet_prefix *addrs,
				       unsigned int n)
{
	struct vnet_port_conf *conf;
	unsigned int i;

	conf = kzalloc(struct_size(conf, addrs, n), GFP_KERNEL_ACCOUNT);
	if (!conf)
		return NULL;
	ether_addr_copy(conf->mac, mac);
	conf->flags = flags;
	conf->nr_addrs = n;
	for (i = 0; i < n; i++) {
		conf->addrs[i].port = port;
		vnet_addr_key_init(&conf->addrs[i].key, port->vnet->id,
				   addrs[i].family, addrs[i].addr);
	}
	return conf;
}

/* @conf's entry for the address of @key, or NULL. */
static struct vnet_port_addr *conf_addr(struct vnet_port_conf *conf,
					const struct vnet_addr_key *key)
{
	unsigned int i;

	for (i = 0; i < conf->nr_addrs; i++)
		if (!memcmp(&conf->addrs[i].key, key, sizeof(*key)))
			return &conf->addrs[i];
	return NULL;
}

/* Removes the first @n addresses of @conf from vn->addrs. */
static void conf_addrs_remove(struct vnet_net *vn,
			      struct vnet_port_conf *conf, unsigned int n)
{
	while (n--)
		rhashtable_remove_fast(&vn->addrs, &conf->addrs[n].node,
				       addr_params);
}

static int conf_addrs_insert(struct vnet_net *vn, struct vnet_port_conf *conf)
{
	unsigned int i;
	int err;

	for (i = 0; i < conf->nr_addrs; i++) {
		err = rhashtable_insert_fast(&vn->addrs, &conf->addrs[i].node,
					     addr_params);
		if (err) {
			conf_addrs_remove(vn, conf, i);
			return err;
		}
	}
	return 0;
}

/*
 * Binds @port to @dev, an interface of its name: its frames now reach the
 * packet path (the hook), then what is sent to the port goes out on @dev.
 */
static int port_bind(struct vnet_port *port, struct net_device *dev)
{
	struct vnet_net *vn = port->vn;
	struct vnet_dev_ref *ref;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&vn->lock);
	ref = kzalloc(sizeof(*ref), GFP_KERNEL_ACCOUNT);
	if (!ref)
		return -ENOMEM;
	err = xa_insert(&vn->bound, dev->ifindex, port, GFP_KERNEL);
	if (err)
		goto err_free;
	err = vnet_hook_register(port, dev);
	if (err)
		goto err_bound;
	ref->dev = dev;
	netdev_hold(dev, &ref->tracker, GFP_KERNEL);
	port->ref = ref;
	rcu_assign_pointer(port->dev, dev);
	return 0;

err_bound:
	xa_erase(&vn->bound, dev->ifindex);
err_free:
	kfree(ref);
	return err;
}

static void dev_ref_free(struct rcu_head *head)
{
	struct vnet_dev_ref *ref = container_of(head, struct vnet_dev_ref, rcu);

	netdev_put(ref->dev, &ref->tracker);
	kfree(ref);
}

/*
 * Stops @port's traffic on its interface. The packet path may still send
 * to the device for a grace period, so the hold on it goes after one
 * (an interface being deleted waits for that). An interface @moving to
 * another namespace has left this one when the notifier runs: nothing may
 * reach it from here once the move goes on, so that waits here.
 */
static void port_unbind(struct vnet_port *port, bool moving)
{
	struct net_device *dev = vnet_port_dev(port);
	struct vnet_net *vn = port->vn;

	ASSERT_RTNL();
	if (!dev)
		return;
	vnet_hook_unregister(port, dev);
	xa_erase(&vn->bound, dev->ifindex);
	RCU_INIT_POINTER(port->dev, NULL);
	if (moving)
		synchronize_net();
	call_rcu(&port->ref->rcu, dev_ref_free);
	port->ref = NULL;
}

/* The state of @port changed: tell, and so does its gateway. */
static void port_state_changed(struct vnet_port *port)
{
	port->vn->gen++;
	vnet_lb_flows_stale(port->vn);
	vnet_notify_port(port, VNET_CMD_PORT_STATE);
	if (vnet_port_is_gateway(port))
		vnet_gateway_port_changed(port);
}

int vnet_port_add(struct vnet_req *req, const char *name,
		  struct vnet_subnet *s, const u8 *mac,
		  const struct vnet_prefix *addrs, unsigned int n, u32 flags)
{
	struct net_device *dev = __dev_get_by_name(req->vn->net, name);
	struct vnet_net *vn = req->vn;
	struct vnet_port_conf *conf;
	struct vnet_port *port;
	int err;

	lockdep_assert_held(&vn->lock);
	ASSERT_RTNL();
	/* An alternative name is not the interface's name. */
	if (dev && strcmp(dev->name, name))
		dev = NULL;
	err = port_add_checks(req, name, dev, s, mac, addrs, n);
	if (err)
		return err;
	port = vnet_alloc_port();
	if (!port)
		return -ENOMEM;
	strscpy(port->n.name, name, sizeof(port->n.name));
	port->vn = vn;
	port->vnet = s->vnet;
	port->subnet = s;
	vnet_ct_port_bind(port);
	conf = conf_new(port, mac, flags, addrs, n);
	if (!conf) {
		err = -ENOMEM;
		goto err_free;
	}
	RCU_INIT_POINTER(port->conf, conf);
	/* Not the id of a port just deleted, which a stale fib may hold. */
	err = xa_alloc_cyclic(&vn->port_ids, &port->id, port, xa_limit_31b,
			      &vn->next_port_id, GFP_KERNEL);
	if (err < 0)
		goto err_free;
	err = conf_addrs_insert(vn, conf);
	if (err)
		goto err_id;
	if (dev) {
		err = port_bind(port, dev);
		if (err) {
			vnet_refuse(req, err, "cannot bind the interface",
				    "port %s: interface %s could not be bound (error %d)",
				    name, name, err);
			goto err_addrs;
		}
	}
	WARN_ON(vnet_node_insert(&vn->ports, &port->n));
	list_add_tail(&port->vnet_link, &s->vnet->ports);
	s->nr_ports++;
	vn->nr_ports++;
	vn->gen++;
	vnet_notify_port(port, VNET_CMD_PORT_NEW);
	return 0;

err_addrs:
	conf_addrs_remove(vn, conf, conf->nr_addrs);
	vnet_ct_port_gone(port);	/* packets may have reached it */
err_id:
	xa_erase(&vn->port_ids, port->id);
err_free:
	/* Lookups may have seen an address entry: free after RCU. */
	vnet_free_port_rcu(port);
	return err;
}

/*
 * Removes @port whatever uses it: vnet deletion (whose gateway went
 * first), namespace exit, unload. Requests use vnet_port_remove().
 */
void vnet_port_del(struct vnet_port *port)
{
	struct vnet_port_conf *conf = vnet_port_conf(port);
	struct vnet_net *vn = port->vn;

	ASSERT_RTNL();
	port_unbind(port, false);
	conf_addrs_remove(vn, conf, conf->nr_addrs);
	xa_erase(&vn->port_ids, port->id);
	rb_erase(&port->n.rb, &vn->ports);
	list_del(&port->vnet_link);
	port->subnet->nr_ports--;
	vn->nr_ports--;
	vn->gen++;
	vnet_notify_port(port, VNET_CMD_PORT_DEL);
	vnet_ct_port_gone(port);
	vnet_lb_flows_stale(vn);
	vnet_free_port_rcu(port);
}

/* "port del": refused while the port is a gateway's or a backend. */
int vnet_port_remove(struct vnet_req *req, struct vnet_port *port)
{
	int err = vnet_gateway_port_del_check(req, port) ?:
		  vnet_lb_backend_check(req, port, NULL, 0);

	lockdep_assert_held(&req->vn->lock);
	if (err)
		return err;
	vnet_port_del(port);
	return 0;
}

/*
 * "port set": a new MAC, address list or flags, in place. The new
 * addresses enter vn->addrs before the new conf is published and the
 * dropped ones leave after it; an address kept is replaced in one step,
 * so its traffic never finds no owner.
 */
int vnet_port_set(struct vnet_req *req, struct vnet_port *port,
		  const u8 *mac, const struct vnet_prefix *addrs,
		  unsigned int n, u32 flags, u32 selector)
{
	struct vnet_port_conf *old = vnet_port_conf(port), *conf;
	struct vnet_port_addr *a, *was;
	const char *name = port->n.name;
	struct vnet_net *vn = req->vn;
	unsigned int i, done;
	int err = 0;

	lockdep_assert_held(&vn->lock);
	if (mac && !is_valid_ether_addr(mac))
		return vnet_refuse(req, -EINVAL, "port MAC must be unicast",
				   "port %s: MAC %pM is not a unicast address",
				   name, mac);
	flags = (old->flags & ~selector) | (flags & selector);
	if (!(flags & VNET_PORT_F_FORWARDING) && vnet_port_is_gateway(port))
		return vnet_refuse(req, -EBUSY,
				   "port is a gateway's and needs forwarding on",
				   "port %s is the gateway of vnet %s, which sends traffic from on-premises addresses: forwarding stays on",
				   name, port->vnet->n.name);
	if (addrs) {
		err = port_addrs_check(req, name, port, port->subnet, addrs,
				       n) ?:
		      vnet_lb_backend_check(req, port, addrs, n);
		if (err)
			return err;
	}
	conf = addrs ? conf_new(port, old->mac, flags, addrs, n) :
		       kmemdup(old, struct_size(old, addrs, old->nr_addrs),
			       GFP_KERNEL_ACCOUNT);
	if (!conf)
		return -ENOMEM;
	if (mac)
		ether_addr_copy(conf->mac, mac);
	conf->flags = flags;
	/* Each new address enters, or replaces the old entry of its own. */
	for (done = 0; done < conf->nr_addrs; done++) {
		a = &conf->addrs[done];
		was = conf_addr(old, &a->key);
		err = was ? rhashtable_replace_fast(&vn->addrs, &was->node,
						    &a->node, addr_params) :
			    rhashtable_insert_fast(&vn->addrs, &a->node,
						   addr_params);
		if (err)
			break;
	}
	if (err) {
		/* Back as it was: the old entries return in reverse. */
		while (done--) {
			a = &conf->addrs[done];
			was = conf_addr(old, &a->key);
			if (was)
				WARN_ON(rhashtable_replace_fast(&vn->addrs,
								&a->node,
								&was->node,
								addr_params));
			else
				rhashtable_remove_fast(&vn->addrs, &a->node,
						       addr_params);
		}
		kfree_rcu(conf, rcu);	/* lookups may have seen it */
		return err;
	}
	rcu_assign_pointer(port->conf, conf);
	for (i = 0; i < old->nr_addrs; i++)
		if (!conf_addr(conf, &old->addrs[i].key))
			rhashtable_remove_fast(&vn->addrs, &old->addrs[i].node,
					       addr_params);
	kfree_rcu(old, rcu);
	vn->gen++;
	vnet_lb_flows_stale(vn);
	vnet_notify_port(port, VNET_CMD_PORT_SET);
	return 0;
}

/*
 * The netdevice notifier (hook.c), under RTNL and vn->lock: @dev was
 * registered in, moved into or renamed in the namespace (@gone false), or
 * is being unregistered from it (@gone true): deleted, or moved away if
 * still registered. A port bound to @dev under another name, or to a @dev
 * that goes, is absent from now on; an absent port of @dev's name binds
 * to it. Nothing is refused: an interface that cannot carry a port leaves
 * the port absent. Nor do interfaces named by the kernel's enumeration
 * ("veth%d"), whose name says nothing of the VM behind them.
 */
void vnet_port_dev_event(struct vnet_net *vn, struct net_device *dev,
			 bool gone)
{
	struct vnet_port *port = vnet_port_of(vn, dev);

	ASSERT_RTNL();
	lockdep_assert_held(&vn->lock);
	if (port && (gone || strcmp(port->n.name, dev->name))) {
		port_unbind(port, gone && dev->reg_state == NETREG_REGISTERED &&
				  !READ_ONCE(vnet_unloading));
		port_state_changed(port);
	}
	if (gone || READ_ONCE(vnet_unloading))
		return;
	port = vnet_port_by_name(vn, dev->name);
	if (!port || vnet_port_dev(port) || dev_unsuitable(vn, dev) ||
	    dev->name_assign_type == NET_NAME_ENUM)
		return;
	if (port_bind(port, dev)) {
		net_warn_ratelimited("vnet: port %s stays absent: its interface could not be bound\n",
				     port->n.name);
		return;
	}
	port_state_changed(port);
}
