// SPDX-License-Identifier: GPL-2.0
/*
 * User routes of a subnet (rule 6): a prefix and a next hop, "none" (drop),
 * "gateway" (the vnet's effective gateway) or "appliance IP" (the port that
 * owns IP, in the vnet or in a connected peer). Called with vn->lock held.
 *
 * The packet path reads the subnet's rtable: a trie of the routes whose
 * values index an array of next hops. Adding a route writes its next hop
 * into a free slot and inserts its prefix into the trie in place, which
 * readers tolerate (see core/lpm.h); removing one clears its trie value.
 * Only when the trie or the slots are full, or dead routes outnumber the
 * live ones, is the table rebuilt at twice the live size and replaced
 * under RCU: a batch of N routes costs O(N), not O(N^2).
 */
#include <linux/slab.h>

#include "vnet.h"
#include "events.h"
#include "endpoint.h"
#include "route.h"

#define RTABLE_MIN 16

static void rtable_free(struct vnet_rtable *rt)
{
	if (!rt)
		return;
	vnet_lpm_free(&rt->lpm);
	kvfree(rt);
}

static void rtable_free_rcu(struct rcu_head *head)
{
	rtable_free(container_of(head, struct vnet_rtable, rcu));
}

static struct vnet_rtable *rtable_of(struct vnet_subnet *s)
{
	return rcu_dereference_protected(s->rtable,
					 lockdep_is_held(&s->vnet->vn->lock));
}

static void rtable_publish(struct vnet_subnet *s, struct vnet_rtable *rt)
{
	struct vnet_rtable *old;

	old = rcu_replace_pointer(s->rtable, rt,
				  lockdep_is_held(&s->vnet->vn->lock));
	if (old)
		call_rcu(&old->rcu, rtable_free_rcu);
}

/* Fill slot @r->slot, then make the route visible. */
static int rtable_insert(struct vnet_rtable *rt, struct vnet_route *r)
{
	struct vnet_rt_nexthop *nh = &rt->nh[r->slot];

	nh->nexthop = r->nexthop;
	nh->len = r->prefix.len;
	nh->family = r->via.family;
	memcpy(nh->via, r->via.addr, sizeof(nh->via));
	/* The trie's release store orders the slot before the link. */
	return vnet_lpm_insert(&rt->lpm, &r->prefix, r->slot);
}

/* A new table with every route of @s, room for @extra more. */
static struct vnet_rtable *rtable_build(struct vnet_subnet *s,
					unsigned int extra)
{
	unsigned int cap = max(2 * (s->nr_routes + extra), RTABLE_MIN);
	struct vnet_rtable *rt;
	struct rb_node *rb;

	rt = kvzalloc(struct_size(rt, nh, cap), GFP_KERNEL);
	if (!rt)
		return NULL;
	if (vnet_lpm_init(&rt->lpm, cap)) {
		kvfree(rt);
		return NULL;
	}
	rt->max_slots = cap;
	for (rb = rb_first(&s->routes); rb; rb = rb_next(rb)) {
		struct vnet_route *r = rb_entry(rb, struct vnet_route, rb);

		r->slot = rt->nr_slots++;
		/* The trie may find no memory for a node: no bug, a refusal. */
		if (rtable_insert(rt, r)) {
			rtable_free(rt);
			return NULL;
		}
	}
	return rt;
}

static int rtable_rebuild(struct vnet_subnet *s, unsigned int extra)
{
	struct vnet_rtable *rt = NULL;

	if (s->nr_routes + extra) {
		rt = rtable_build(s, extra);
		if (!rt)
			return -ENOMEM;
	}
	rtable_publish(s, rt);
	s->nr_dead_routes = 0;
	return 0;
}

struct vnet_route *vnet_route_find(struct vnet_subnet *s,
				   const struct vnet_prefix *p)
{
	struct rb_node *rb = s->routes.rb_node;

	while (rb) {
		struct vnet_route *r = rb_entry(rb, struct vnet_route, rb);
		int c = vnet_prefix_cmp(p, &r->prefix);

		if (!c)
			return r;
		rb = c < 0 ? rb->rb_left : rb->rb_right;
	}
	return NULL;
}

/* The first route after @after (or the first one): dumps resume here. */
struct vnet_route *vnet_route_next(struct vnet_subnet *s,
				   const struct vnet_prefix *after)
{
	struct rb_node *rb = s->routes.rb_node;
	struct vnet_route *best = NULL;

	if (!after) {
		rb = rb_first(&s->routes);
		return rb ? rb_entry(rb, struct vnet_route, rb) : NULL;
	}
	while (rb) {
		struct vnet_route *r = rb_entry(rb, struct vnet_route, rb);

		if (vnet_prefix_cmp(after, &r->prefix) < 0) {
			best = r;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

static void route_link(struct vnet_subnet *s, struct vnet_route *new)
{
	struct rb_node **link = &s->routes.rb_node, *parent = NULL;

	while (*link) {
		struct vnet_route *r = rb_entry(*link, struct vnet_route, rb);

		parent = *link;
		link = vnet_prefix_cmp(&new->prefix, &r->prefix) < 0 ?
		       &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&new->rb, parent, link);
	rb_insert_color(&new->rb, &s->routes);
}

/* The port of @v that owns @via, or the stand-in of its endpoint. */
static struct vnet_port *owner_in(struct vnet_vnet *v,
				  const struct vnet_prefix *via)
{
	struct vnet_port *port;
	struct vnet_endpoint *ep;

	port = vnet_port_find(v->vn, v->id, via->family, via->addr);
	if (port)
		return port;
	ep = vnet_endpoint_find(v, via);
	return ep ? ep->port : NULL;
}

/*
 * The port that owns @via in @v or in a peer of @v whose side exists, or
 * the stand-in port of a remote endpoint there (an appliance on another
 * host), and the peering that leads there (NULL inside @v).
 */
static struct vnet_port *appliance_port(struct vnet_vnet *v,
					const struct vnet_prefix *via,
					struct vnet_peering **pp)
{
	struct vnet_port *port;
	struct rb_node *rb;

	*pp = NULL;
	port = owner_in(v, via);
	if (port)
		return port;
	for (rb = rb_first(&v->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *p = rb_entry(rb, struct vnet_peering,
						  n.rb);

		if (!p->remote)
			continue;
		port = owner_in(p->remote, via);
		if (port) {
			*pp = p;
			return port;
		}
	}
	return NULL;
}

/*
 * Why a route to appliance @via drops now, in words, or NULL when the
 * packet path reaches it. Under vn->lock.
 */
const char *vnet_appliance_status(struct vnet_vnet *v,
				  const struct vnet_prefix *via,
				  char *buf, size_t len)
{
	char a[VNET_PREFIX_STR];
	struct vnet_peering *p;
	struct vnet_port *port;
	u8 drop;

	vnet_addr_fmt(a, via);
	port = appliance_port(v, via, &p);
	if (!port) {
		snprintf(buf, len,
			 "appliance %s is not a port or endpoint of vnet %s or of a connected peer",
			 a, v->n.name);
		return buf;
	}
	if (vnet_port_absent(port)) {
		snprintf(buf, len, "appliance %s is port %s, which is absent",
			 a, port->n.name);
		return buf;
	}
	drop = p ? vnet_peering_drop(p) : 0;
	if (!drop)
		return NULL;
	snprintf(buf, len, "appliance %s is in vnet %s, and peering %s %s",
		 a, p->remote_name, p->n.name,
		 drop == VNET_DROP_PEERING_ACCESS_OFF + 1 ?
		 "has access off on a side" : "is not connected");
	return buf;
}

static int route_check(struct vnet_req *req, struct vnet_subnet *s,
		       const struct vnet_prefix *p, u8 nexthop,
		       const struct vnet_prefix *via)
{
	struct vnet_vnet *v = s->vnet;
	char ps[VNET_PREFIX_STR], a[VNET_PREFIX_STR];
	const struct vnet_prefix *sp;
	struct vnet_peering *peer;
	struct vnet_route *r;

	vnet_prefix_fmt(ps, p);
	r = vnet_route_find(s, p);
	if (r)
		return vnet_refuse(req, -EEXIST, "route already exists",
				   "subnet %s of vnet %s already has a route to %s: delete it first",
				   s->n.name, v->n.name, ps);
	sp = p->family == AF_INET ? &s->v4 : &s->v6;
	if (!sp->family)
		return vnet_refuse(req, -EINVAL,
				   "route prefix of an address family the subnet does not have",
				   "route %s: subnet %s of vnet %s has no %s prefix",
				   ps, s->n.name, v->n.name,
				   p->family == AF_INET ? "IPv4" : "IPv6");
	if (s->nr_routes >= vnet_max_routes)
		return vnet_refuse(req, -ENOSPC, "route limit reached",
				   "cannot add route %s: subnet %s of vnet %s has %u routes, the limit (max_routes parameter)",
				   ps, s->n.name, v->n.name, vnet_max_routes);
	if (nexthop != VNET_ROUTE_NH_APPLIANCE)
		return 0;
	vnet_addr_fmt(a, via);
	if (via->family != p->family)
		return vnet_refuse(req, -EINVAL,
				   "appliance address and route prefix of different address families",
				   "route %s: appliance %s is not of the prefix's address family",
				   ps, a);
	if (!appliance_port(v, via, &peer) ||
	    (peer && peer->state != VNET_PEERING_CONNECTED))
		return vnet_refuse(req, -EINVAL,
				   "appliance is not a port or endpoint of the vnet or of a connected peer",
				   "route %s: appliance %s is not the address of a port or endpoint of vnet %s or of a connected peer",
				   ps, a, v->n.name);
	return 0;
}

int vnet_route_add(struct vnet_req *req, struct vnet_subnet *s,
		   const struct vnet_prefix *p, u8 nexthop,
		   const struct vnet_prefix *via)
{
	struct vnet_rtable *rt = rtable_of(s);
	bool in_place = false;
	struct vnet_route *r;
	int err;

	lockdep_assert_held(&req->vn->lock);
	err = route_check(req, s, p, nexthop, via);
	if (err)
		return err;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->origin = req->origin;
	r->prefix = *p;
	r->nexthop = nexthop;
	if (nexthop == VNET_ROUTE_NH_APPLIANCE)
		r->via = *via;
	if (rt && rt->nr_slots < rt->max_slots) {
		r->slot = rt->nr_slots;
		in_place = !rtable_insert(rt, r);
		if (in_place)
			rt->nr_slots++;
	}
	route_link(s, r);
	s->nr_routes++;
	if (!in_place) {
		/* Full, or no table yet: rebuild with this route in it. */
		err = rtable_rebuild(s, 0);
		if (err) {
			rb_erase(&r->rb, &s->routes);
			s->nr_routes--;
			kfree(r);
			return err;
		}
	}
	s->vnet->vn->gen++;
	vnet_notify_route(s, r, VNET_CMD_ROUTE_NEW);
	return 0;
}

int vnet_route_del(struct vnet_req *req, struct vnet_subnet *s,
		   const struct vnet_prefix *p)
{
	struct vnet_rtable *rt = rtable_of(s);
	char ps[VNET_PREFIX_STR];
	struct vnet_route *r;

	lockdep_assert_held(&req->vn->lock);
	r = vnet_route_find(s, p);
	if (!r) {
		vnet_prefix_fmt(ps, p);
		return vnet_refuse(req, -ENOENT, "no such route",
				   "subnet %s of vnet %s has no route to %s",
				   s->n.name, s->vnet->n.name, ps);
	}
	rb_erase(&r->rb, &s->routes);
	s->nr_routes--;
	if (rt)
		WARN_ON(vnet_lpm_remove(&rt->lpm, &r->prefix));
	s->nr_dead_routes++;
	/*
	 * Out of memory the dead route stays in the trie as a branching
	 * point, harmless; the next rebuild drops it.
	 */
	if (!s->nr_routes || s->nr_dead_routes > s->nr_routes + RTABLE_MIN)
		rtable_rebuild(s, 0);
	s->vnet->vn->gen++;
	vnet_notify_route(s, r, VNET_CMD_ROUTE_DEL);
	kfree(r);
	return 0;
}

/* The subnet goes away: its routes go with it, silently. */
void vnet_routes_clear(struct vnet_subnet *s)
{
	struct rb_node *rb;

	while ((rb = rb_first(&s->routes))) {
		rb_erase(rb, &s->routes);
		kfree(rb_entry(rb, struct vnet_route, rb));
	}
	s->nr_routes = 0;
	rtable_publish(s, NULL);
}
