// SPDX-License-Identifier: GPL-2.0
/*
 * Gateways (rule 8): a vnet's gateway is one of its ports (with forwarding
 * on) and the on-premises prefixes behind it. A vnet uses at most one
 * gateway: its own, or a peer's when its side of the peering has
 * use-remote-gateways on, the peer's side has gateway-transit on and the
 * peer has a gateway. The prefixes become system routes of every vnet that
 * uses the gateway (fib.c). Called with vn->lock held, except
 * vnet_gateway_port(), which the packet path calls under RCU.
 */
#include <linux/slab.h>

#include "vnet.h"
#include "events.h"
#include "route.h"

struct vnet_vnet *vnet_gateway_effective(struct vnet_vnet *v,
					 struct vnet_peering **via)
{
	struct rb_node *rb;

	*via = NULL;
	if (v->gateway)
		return v;
	for (rb = rb_first(&v->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *p = rb_entry(rb, struct vnet_peering,
						  n.rb);
		struct vnet_peering *rev;

		if (!(p->flags & VNET_PEERING_F_USE_REMOTE_GW) || !p->remote)
			continue;
		rev = vnet_peering_rev(p);
		if (rev && (rev->flags & VNET_PEERING_F_GATEWAY_TRANSIT) &&
		    p->remote->gateway) {
			*via = p;
			return p->remote;
		}
	}
	return NULL;
}

/*
 * The gateway port @port_id if it is still a port of vnet @vnet_id, up or
 * absent. Under RCU (the packet path) or vn->lock.
 */
struct vnet_port *vnet_gateway_port(struct vnet_net *vn, u32 vnet_id,
				    u32 port_id)
{
	struct vnet_port *port = xa_load(&vn->port_ids, port_id);

	return port && READ_ONCE(port->vnet)->id == vnet_id ? port : NULL;
}

/* Is @port the port of its own vnet's gateway? */
bool vnet_port_is_gateway(const struct vnet_port *port)
{
	const struct vnet_gateway *gw = port->vnet->gateway;

	return gw && gw->port == port;
}

/* enum vnet_gateway_state of @v's own gateway, which must exist. */
u8 vnet_gateway_state(struct vnet_vnet *v)
{
	return vnet_port_state(v->gateway->port) == VNET_PORT_UP ?
	       VNET_GATEWAY_ACTIVE : VNET_GATEWAY_PORT_ABSENT;
}

/*
 * Rule 12 for the gateway's port: it stays while it is the gateway. The
 * interface itself can still go (it cannot be refused): then the gateway
 * stays, in state port-absent, and traffic to it drops (fails closed).
 */
int vnet_gateway_port_del_check(struct vnet_req *req,
				const struct vnet_port *port)
{
	lockdep_assert_held(&req->vn->lock);
	if (!vnet_port_is_gateway(port))
		return 0;
	return vnet_refuse(req, -EBUSY,
			   "port is the gateway of its vnet: delete the gateway first",
			   "port %s is the gateway of vnet %s: delete the gateway first (gateway del %s)",
			   port->n.name, port->vnet->n.name,
			   port->vnet->n.name);
}

/* @port, the gateway's, was bound or unbound: the gateway follows. */
void vnet_gateway_port_changed(struct vnet_port *port)
{
	vnet_notify_gateway(port->vnet, VNET_CMD_GATEWAY_STATE);
}

/* The routes of @v and of every vnet that may use its gateway change. */
static void touch_users(struct vnet_vnet *v)
{
	struct vnet_peering *p;

	vnet_fib_touch(v);
	list_for_each_entry(p, &v->incoming, remote_link)
		vnet_fib_touch(p->local);
}

static int gateway_prefixes_check(struct vnet_req *req, struct vnet_vnet *v,
				  struct vnet_prefix *p, unsigned int n)
{
	char a[VNET_PREFIX_STR], b[VNET_PREFIX_STR];
	unsigned int i, j;

	if (n > vnet_max_gateway_prefixes)
		return vnet_refuse(req, -ENOSPC, "too many gateway prefixes",
				   "gateway of vnet %s: %u prefixes, the limit is %u (max_gateway_prefixes parameter)",
				   v->n.name, n, vnet_max_gateway_prefixes);
	if (vnet_prefixes_overlap(p, n, &i, &j)) {
		vnet_prefix_fmt(a, &p[i]);
		vnet_prefix_fmt(b, &p[j]);
		return vnet_refuse(req, -EINVAL, "on-premises prefixes overlap",
				   "gateway of vnet %s: on-premises prefixes %s and %s overlap",
				   v->n.name, a, b);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < v->nr_prefixes; j++) {
			if (!vnet_prefix_overlaps(&p[i], &v->prefixes[j]))
				continue;
			vnet_prefix_fmt(a, &p[i]);
			vnet_prefix_fmt(b, &v->prefixes[j]);
			return vnet_refuse(req, -EINVAL,
					   "on-premises prefix overlaps the vnet's address space",
					   "gateway of vnet %s: on-premises prefix %s overlaps the vnet's prefix %s",
					   v->n.name, a, b);
		}
	}
	return 0;
}

int vnet_gateway_set(struct vnet_req *req, struct vnet_vnet *v,
		     struct vnet_port *port, const struct vnet_prefix *p,
		     unsigned int n)
{
	struct vnet_gateway *gw;
	struct rb_node *rb;
	int err;

	lockdep_assert_held(&req->vn->lock);
	for (rb = rb_first(&v->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *q = rb_entry(rb, struct vnet_peering,
						  n.rb);

		if (q->flags & VNET_PEERING_F_USE_REMOTE_GW)
			return vnet_refuse(req, -EBUSY,
					   "vnet uses a remote gateway",
					   "vnet %s uses the gateway of vnet %s (peering %s has use-remote-gateways on) and cannot have its own",
					   v->n.name, q->remote_name, q->n.name);
	}
	if (port->vnet != v)
		return vnet_refuse(req, -EINVAL, "gateway port is in another vnet",
				   "gateway of vnet %s: port %s is in vnet %s",
				   v->n.name, port->n.name, port->vnet->n.name);
	if (!(vnet_port_conf(port)->flags & VNET_PORT_F_FORWARDING))
		return vnet_refuse(req, -EINVAL,
				   "gateway port needs forwarding on",
				   "gateway of vnet %s: port %s has forwarding off, and a gateway sends traffic from on-premises addresses",
				   v->n.name, port->n.name);
	gw = kzalloc(struct_size(gw, prefixes, n), GFP_KERNEL);
	if (!gw)
		return -ENOMEM;
	memcpy(gw->prefixes, p, n * sizeof(*p));
	gw->nr_prefixes = n;
	err = gateway_prefixes_check(req, v, gw->prefixes, n);
	if (err) {
		kfree(gw);
		return err;
	}
	gw->port = port;
	/* The packet path reads only the fibs compiled from it. */
	kfree(v->gateway);
	v->gateway = gw;
	v->vn->gen++;
	touch_users(v);
	vnet_notify_gateway(v, VNET_CMD_GATEWAY_SET);
	return 0;
}

int vnet_gateway_del(struct vnet_req *req, struct vnet_vnet *v)
{
	struct vnet_peering *q;

	lockdep_assert_held(&req->vn->lock);
	if (!v->gateway)
		return vnet_refuse(req, -ENOENT, "vnet has no gateway",
				   "vnet %s has no gateway", v->n.name);
	list_for_each_entry(q, &v->incoming, remote_link)
		if (q->flags & VNET_PEERING_F_USE_REMOTE_GW)
			return vnet_refuse(req, -EBUSY,
					   "gateway in use by a peer",
					   "the gateway of vnet %s is used by vnet %s (peering %s has use-remote-gateways on); turn it off there first",
					   v->n.name, q->local->n.name, q->n.name);
	vnet_notify_gateway(v, VNET_CMD_GATEWAY_DEL);
	vnet_gateway_release(v);
	v->vn->gen++;
	return 0;
}

/* The gateway goes, whoever used it (vnet deletion). */
void vnet_gateway_release(struct vnet_vnet *v)
{
	if (!v->gateway)
		return;
	kfree(v->gateway);
	v->gateway = NULL;
	touch_users(v);
}
