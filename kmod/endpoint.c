// SPDX-License-Identifier: GPL-2.0
/*
 * Remote endpoints: a VM on another host, known by its vnet and IP, with
 * its MAC and the underlay (provider) address of its host. An endpoint is
 * a host route of its vnet: its IP lies in a subnet of the vnet (Azure:
 * the remote VM is in a subnet of the same vnet) and is no port's.
 *
 * The packet path finds an endpoint by (vnet id, IP) in vn->endpoints,
 * where it would look for a port, and sends to it through the namespace's
 * tunnel (tunnel.c). Each endpoint has a stand-in port, without device or
 * ACLs, that connection tracking and the ACL checks take as the other end
 * of a connection: the outbound ACLs of the local side apply; the inbound
 * ACLs of the remote VM are its own host's.
 *
 * Called with RTNL and vn->lock held: the first endpoint of a namespace
 * creates the tunnel device, the last one removes it.
 */
#include <linux/etherdevice.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/dst_metadata.h>

#include "vnet.h"
#include "datapath.h"
#include "endpoint.h"
#include "events.h"
#include "lb.h"

static const struct rhashtable_params ep_params = {
	.key_len = sizeof(struct vnet_addr_key),
	.key_offset = offsetof(struct vnet_endpoint, key),
	.head_offset = offsetof(struct vnet_endpoint, node),
	.automatic_shrinking = true,
};

/* The subnet of every stand-in port: no ACL rules, never changed. */
static struct vnet_subnet no_acls;

static const struct rhashtable_params fwd_params = {
	.key_len = sizeof(struct vnet_fwd_key),
	.key_offset = offsetof(struct vnet_endpoint, fwd_key),
	.head_offset = offsetof(struct vnet_endpoint, fwd_node),
	.automatic_shrinking = true,
};

int vnet_endpoints_init(struct vnet_net *vn)
{
	int err = rhashtable_init(&vn->endpoints, &ep_params);

	if (err)
		return err;
	err = rhashtable_init(&vn->forwarders, &fwd_params);
	if (err)
		rhashtable_destroy(&vn->endpoints);
	return err;
}

void vnet_endpoints_destroy(struct vnet_net *vn)
{
	rhashtable_destroy(&vn->forwarders);
	rhashtable_destroy(&vn->endpoints);
}

void vnet_fwd_key_init(struct vnet_fwd_key *key,
		       const struct vnet_prefix *remote, const u8 *mac,
		       u8 family)
{
	memset(key, 0, sizeof(*key));
	memcpy(key->remote, remote->addr, sizeof(key->remote));
	key->remote_family = remote->family;
	key->family = family;
	ether_addr_copy(key->mac, mac);
}

/* Packet path, under RCU: the forwarding endpoint @key names, if any. */
struct vnet_endpoint *vnet_endpoint_forwarder(struct vnet_net *vn,
					      const struct vnet_fwd_key *key)
{
	return rhashtable_lookup(&vn->forwarders, key, fwd_params);
}

/*
 * Packet path, under RCU: the port of vnet @vnet_id with @addr, or the
 * stand-in port of its remote endpoint (no address is both's).
 */
struct vnet_port *vnet_owner_lookup(struct vnet_net *vn, u32 vnet_id,
				    u8 family, const u8 *addr)
{
	struct vnet_port *port = vnet_port_lookup(vn, vnet_id, family, addr);
	struct vnet_endpoint *ep;

	if (port)
		return port;
	ep = vnet_endpoint_lookup(vn, vnet_id, family, addr);
	return ep ? ep->port : NULL;
}

/* Packet path, under RCU (the control path uses vnet_endpoint_find()). */
struct vnet_endpoint *vnet_endpoint_lookup(struct vnet_net *vn, u32 vnet_id,
					   u8 family, const u8 *addr)
{
	struct vnet_addr_key key;

	vnet_addr_key_init(&key, vnet_id, family, addr);
	return rhashtable_lookup(&vn->endpoints, &key, ep_params);
}

struct vnet_endpoint *vnet_endpoint_find(struct vnet_vnet *v,
					 const struct vnet_prefix *ip)
{
	struct rb_node *rb = v->endpoints.rb_node;

	while (rb) {
		struct vnet_endpoint *ep = rb_entry(rb, struct vnet_endpoint,
						    rb);
		int c = vnet_prefix_cmp(ip, &ep->ip);

		if (!c)
			return ep;
		rb = c < 0 ? rb->rb_left : rb->rb_right;
	}
	return NULL;
}

/* The first endpoint of @v after @after (NULL: the first): dump order. */
struct vnet_endpoint *vnet_endpoint_next(struct vnet_vnet *v,
					 const struct vnet_prefix *after)
{
	struct vnet_endpoint *next = NULL, *ep;
	struct rb_node *rb = v->endpoints.rb_node;

	if (!after) {
		rb = rb_first(&v->endpoints);
		return rb ? rb_entry(rb, struct vnet_endpoint, rb) : NULL;
	}
	while (rb) {
		ep = rb_entry(rb, struct vnet_endpoint, rb);
		if (vnet_prefix_cmp(&ep->ip, after) > 0) {
			next = ep;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return next;
}

static void ep_insert(struct vnet_vnet *v, struct vnet_endpoint *ep)
{
	struct rb_node **link = &v->endpoints.rb_node, *parent = NULL;

	while (*link) {
		struct vnet_endpoint *o = rb_entry(*link, struct vnet_endpoint,
						   rb);

		parent = *link;
		link = vnet_prefix_cmp(&ep->ip, &o->ip) < 0 ?
		       &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&ep->rb, parent, link);
	rb_insert_color(&ep->rb, &v->endpoints);
}

static struct vnet_subnet *subnet_of(struct vnet_vnet *v,
				     const struct vnet_prefix *ip)
{
	struct rb_node *rb;

	for (rb = rb_first(&v->subnets); rb; rb = rb_next(rb)) {
		struct vnet_subnet *s = rb_entry(rb, struct vnet_subnet, n.rb);
		const struct vnet_prefix *sp;

		sp = ip->family == AF_INET ? &s->v4 : &s->v6;
		if (sp->family && vnet_prefix_contains(sp, ip))
			return s;
	}
	return NULL;
}

/* A port may not take the address of a remote endpoint of its vnet. */
int vnet_endpoint_addr_check(struct vnet_req *req, const char *dev,
			     struct vnet_vnet *v,
			     const struct vnet_prefix *addr)
{
	char a[VNET_PREFIX_STR];

	lockdep_assert_held(&req->vn->lock);
	if (!vnet_endpoint_find(v, addr))
		return 0;
	vnet_addr_fmt(a, addr);
	return vnet_refuse(req, -EEXIST,
			   "address already used by a remote endpoint",
			   "port %s: address %s is remote endpoint %s of vnet %s (endpoint del %s %s)",
			   dev, a, a, v->n.name, v->n.name, a);
}

static bool underlay_ok(const struct vnet_prefix *r)
{
	struct in6_addr a6;
	__be32 a4;

	if (r->family == AF_INET) {
		memcpy(&a4, r->addr, 4);
		return !ipv4_is_zeronet(a4) && !ipv4_is_multicast(a4) &&
		       !ipv4_is_lbcast(a4) && !ipv4_is_loopback(a4);
	}
	memcpy(&a6, r->addr, 16);
	return !ipv6_addr_any(&a6) && !ipv6_addr_is_multicast(&a6) &&
	       !ipv6_addr_loopback(&a6);
}

static int endpoint_checks(struct vnet_req *req, struct vnet_vnet *v,
			   const struct vnet_prefix *ip, const u8 *mac,
			   const struct vnet_prefix *remote,
			   const struct vnet_fwd_key *fwd,
			   struct vnet_subnet **s)
{
	char a[VNET_PREFIX_STR], r[VNET_PREFIX_STR], o[VNET_PREFIX_STR];
	struct vnet_endpoint *other;
	const struct vnet_lb *lb;
	struct vnet_port *port;

	vnet_addr_fmt(a, ip);
	vnet_addr_fmt(r, remote);
	if (vnet_endpoint_find(v, ip))
		return vnet_refuse(req, -EEXIST, "endpoint already exists",
				   "vnet %s already has endpoint %s (endpoint del %s %s first)",
				   v->n.name, a, v->n.name, a);
	port = vnet_port_find(req->vn, v->id, ip->family, ip->addr);
	if (port)
		return vnet_refuse(req, -EEXIST,
				   "endpoint address is a local port's",
				   "endpoint %s of vnet %s: the address is port %s's, on this host",
				   a, v->n.name, port->n.name);
	lb = vnet_lb_at(v, ip);
	if (lb)
		return vnet_refuse(req, -EEXIST,
				   "endpoint address is a load balancer frontend",
				   "endpoint %s of vnet %s: the address is the frontend of lb %s",
				   a, v->n.name, lb->n.name);
	*s = subnet_of(v, ip);
	if (!*s)
		return vnet_refuse(req, -EINVAL,
				   "endpoint address outside the vnet's subnets",
				   "endpoint %s is in no subnet of vnet %s: a remote VM lives in a subnet of its vnet",
				   a, v->n.name);
	if (!is_valid_ether_addr(mac))
		return vnet_refuse(req, -EINVAL, "endpoint MAC must be unicast",
				   "endpoint %s of vnet %s: MAC %pM is not a unicast address",
				   a, v->n.name, mac);
	if (remote->family == AF_INET6 && !IS_ENABLED(CONFIG_IPV6))
		return vnet_refuse(req, -EAFNOSUPPORT,
				   "IPv6 underlay not supported by this kernel",
				   "endpoint %s of vnet %s: underlay address %s is IPv6, and this kernel has no IPv6",
				   a, v->n.name, r);
	if (!underlay_ok(remote))
		return vnet_refuse(req, -EINVAL,
				   "underlay address must be a unicast address",
				   "endpoint %s of vnet %s: underlay address %s is not a unicast host address",
				   a, v->n.name, r);
	rcu_read_lock();
	other = fwd ? vnet_endpoint_forwarder(req->vn, fwd) : NULL;
	rcu_read_unlock();
	if (other) {
		vnet_addr_fmt(o, &other->ip);
		return vnet_refuse(req, -EEXIST,
				   "a forwarding endpoint of that host already has that MAC",
				   "endpoint %s of vnet %s: endpoint %s of vnet %s, on host %s too, forwards with MAC %pM: a host's forwarding VMs are told apart by MAC, one address per family",
				   a, v->n.name, o, other->vnet->n.name, r, mac);
	}
	if (req->vn->nr_endpoints >= vnet_max_endpoints)
		return vnet_refuse(req, -ENOSPC, "endpoint limit reached",
				   "cannot add endpoint %s to vnet %s: %u endpoints is the limit (max_endpoints parameter)",
				   a, v->n.name, vnet_max_endpoints);
	return 0;
}

static void ep_free_rcu(struct rcu_head *head)
{
	struct vnet_endpoint *ep = container_of(head, struct vnet_endpoint,
						rcu);

	if (ep->md)
		dst_release(&ep->md->dst);
	kfree(ep);
}

int vnet_endpoint_add(struct vnet_req *req, struct vnet_vnet *v,
		      const struct vnet_prefix *ip, const u8 *mac,
		      const struct vnet_prefix *remote, bool forwarding)
{
	struct vnet_net *vn = req->vn;
	struct vnet_endpoint *ep;
	struct vnet_fwd_key fwd;
	struct vnet_subnet *s;
	int err;

	lockdep_assert_held(&req->vn->lock);
	ASSERT_RTNL();
	vnet_fwd_key_init(&fwd, remote, mac, ip->family);
	err = endpoint_checks(req, v, ip, mac, remote,
			      forwarding ? &fwd : NULL, &s);
	if (err)
		return err;
	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return -ENOMEM;
	ep->fwd_key = fwd;
	ep->forwarding = forwarding;
	ep->origin = req->origin;
	ep->md = vnet_tunnel_md(v->id, remote);
	ep->port = vnet_alloc_port();
	if (!ep->md || !ep->port) {
		err = -ENOMEM;
		goto err_free;
	}
	ep->port->vn = vn;
	ep->port->vnet = v;
	vnet_ct_port_bind(ep->port);
	ep->port->subnet = &no_acls;
	ep->port->endpoint = ep;
	ether_addr_copy(ep->mac, mac);
	ep->vnet = v;
	ep->subnet = s;
	ep->ip = *ip;
	ep->remote = *remote;
	vnet_addr_key_init(&ep->key, v->id, ip->family, ip->addr);
	/* The first endpoint brings the tunnel; it may be refused. */
	err = vnet_tunnel_get(req);
	if (err)
		goto err_free;
	err = rhashtable_insert_fast(&vn->endpoints, &ep->node, ep_params);
	if (err) {
		vnet_tunnel_put(vn);
		goto err_free;
	}
	if (forwarding) {
		err = rhashtable_insert_fast(&vn->forwarders, &ep->fwd_node,
					     fwd_params);
		if (err) {
			rhashtable_remove_fast(&vn->endpoints, &ep->node,
					       ep_params);
			vnet_tunnel_put(vn);
			goto err_free_rcu;
		}
	}
	ep_insert(v, ep);
	v->nr_endpoints++;
	s->nr_endpoints++;
	vn->nr_endpoints++;
	vn->gen++;
	vnet_notify_endpoint(ep, VNET_CMD_ENDPOINT_NEW);
	return 0;

err_free:
	if (ep->port)
		vnet_free_port_rcu(ep->port);
	ep_free_rcu(&ep->rcu);
	return err;

err_free_rcu:	/* it was in vn->endpoints: packets may have used it */
	vnet_ct_port_gone(ep->port);
	vnet_free_port_rcu(ep->port);
	call_rcu(&ep->rcu, ep_free_rcu);
	return err;
}

static void ep_remove(struct vnet_endpoint *ep, bool announce)
{
	struct vnet_net *vn = ep->vnet->vn;

	rhashtable_remove_fast(&vn->endpoints, &ep->node, ep_params);
	if (ep->forwarding)
		rhashtable_remove_fast(&vn->forwarders, &ep->fwd_node,
				       fwd_params);
	rb_erase(&ep->rb, &ep->vnet->endpoints);
	ep->vnet->nr_endpoints--;
	ep->subnet->nr_endpoints--;
	vn->nr_endpoints--;
	vn->gen++;
	if (announce)
		vnet_notify_endpoint(ep, VNET_CMD_ENDPOINT_DEL);
	/* Its connections go; packets that found it finish first. */
	vnet_ct_port_gone(ep->port);
	vnet_free_port_rcu(ep->port);
	call_rcu(&ep->rcu, ep_free_rcu);
	vnet_tunnel_put(vn);
}

int vnet_endpoint_del(struct vnet_req *req, struct vnet_vnet *v,
		      const struct vnet_prefix *ip)
{
	struct vnet_endpoint *ep = vnet_endpoint_find(v, ip);
	char a[VNET_PREFIX_STR];

	lockdep_assert_held(&req->vn->lock);
	ASSERT_RTNL();
	if (!ep) {
		vnet_addr_fmt(a, ip);
		return vnet_refuse(req, -ENOENT, "endpoint not found",
				   "vnet %s has no endpoint %s", v->n.name, a);
	}
	ep_remove(ep, true);
	return 0;
}

/* The vnet goes: its endpoints go with it, announced by its DEL event. */
void vnet_endpoints_clear(struct vnet_vnet *v)
{
	struct rb_node *rb;

	while ((rb = rb_first(&v->endpoints)))
		ep_remove(rb_entry(rb, struct vnet_endpoint, rb), false);
}

/* Rule 12: a subnet that holds endpoints stays; the error names them. */
int vnet_endpoint_users(struct vnet_req *req, struct vnet_subnet *s)
{
	char users[160] = "", a[VNET_PREFIX_STR];
	unsigned int count = 0;
	struct rb_node *rb;
	size_t len = 0;

	lockdep_assert_held(&req->vn->lock);
	if (!s->nr_endpoints)
		return 0;
	for (rb = rb_first(&s->vnet->endpoints); rb && count < 3;
	     rb = rb_next(rb)) {
		struct vnet_endpoint *ep = rb_entry(rb, struct vnet_endpoint,
						    rb);

		if (ep->subnet != s)
			continue;
		vnet_addr_fmt(a, &ep->ip);
		len += scnprintf(users + len, sizeof(users) - len, "%s%s",
				 count++ ? ", " : "", a);
	}
	return vnet_refuse(req, -EBUSY, "subnet in use by remote endpoints",
			   "subnet %s of vnet %s holds remote endpoint%s %s%s: delete them first (endpoint del %s IP)",
			   s->n.name, s->vnet->n.name,
			   s->nr_endpoints > 1 ? "s" : "", users,
			   s->nr_endpoints > 3 ? " and others" : "",
			   s->vnet->n.name);
}
