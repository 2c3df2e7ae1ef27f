// SPDX-License-Identifier: GPL-2.0
/*
 * The compiled routes of each vnet (its fib), read by the packet path.
 *
 * A change marks the vnets whose routes it affects (vnet_fib_touch()); the
 * netlink handler then rebuilds each of them once (vnet_fib_commit()) and
 * publishes the new table with rcu_assign_pointer(). The old one is freed
 * after a grace period. Packets see the old table or the new one, never a
 * half-built one, and a change rebuilds only the vnets it touches.
 *
 * System routes, from weakest to strongest on an equal prefix:
 *   peers that are not usable (a drop that says why), the on-premises
 *   prefixes of the gateway the vnet uses, usable peers (both sides
 *   connected with access on), the vnet's own address space. One walk
 *   (vnet_sys_routes_walk()) yields them in that order for the fib and for
 *   "route show ... effective", so the two never disagree. User routes of
 *   subnets are another table (route.c); nexthop.c consults both.
 */
#include <linux/slab.h>

#include "vnet.h"
#include "route.h"

void vnet_fib_touch(struct vnet_vnet *v)
{
	if (list_empty(&v->dirty_link))
		list_add_tail(&v->dirty_link, &v->vn->dirty);
}

static void fib_free(struct vnet_fib *fib)
{
	if (!fib)
		return;
	vnet_lpm_free(&fib->lpm);
	kfree(fib);
}

static void fib_free_rcu(struct rcu_head *head)
{
	fib_free(container_of(head, struct vnet_fib, rcu));
}

static void fib_publish(struct vnet_vnet *v, struct vnet_fib *fib)
{
	struct vnet_fib *old;

	old = rcu_replace_pointer(v->fib, fib, lockdep_is_held(&v->vn->lock));
	if (old)
		call_rcu(&old->rcu, fib_free_rcu);
}

/* The remote side of @p, if it exists. */
struct vnet_peering *vnet_peering_rev(const struct vnet_peering *p)
{
	struct rb_node *rb;

	if (!p->remote)
		return NULL;
	for (rb = rb_first(&p->remote->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *rev = rb_entry(rb, struct vnet_peering,
						    n.rb);

		if (rev->remote == p->local)
			return rev;
	}
	return NULL;
}

/* Why a peering cannot carry traffic now (drop reason + 1), or 0. */
u8 vnet_peering_drop(const struct vnet_peering *p)
{
	const struct vnet_peering *rev;

	if (p->state != VNET_PEERING_CONNECTED || !p->remote)
		return VNET_DROP_PEERING_NOT_CONNECTED + 1;
	rev = vnet_peering_rev(p);
	if (!rev)
		return VNET_DROP_PEERING_NOT_CONNECTED + 1;
	if (!(p->flags & rev->flags & VNET_PEERING_F_ACCESS))
		return VNET_DROP_PEERING_ACCESS_OFF + 1;
	return 0;
}

static bool overlaps_own(const struct vnet_vnet *v,
			 const struct vnet_prefix *p)
{
	return vnet_prefix_sets_overlap(v->prefixes, v->nr_prefixes, p, 1);
}

/*
 * Rule 7 flags of the way from @p's local vnet into its remote one, as the
 * remote side decides: forwarded traffic, and whether it uses the local
 * vnet's gateway (whose traffic is not "forwarded").
 */
static u8 peering_nh_flags(const struct vnet_peering *p)
{
	const struct vnet_peering *rev = vnet_peering_rev(p);
	u8 flags = 0;

	if (!rev)
		return 0;
	if (rev->flags & VNET_PEERING_F_FORWARDED)
		flags |= VNET_NH_F_FORWARDED;
	if ((rev->flags & VNET_PEERING_F_USE_REMOTE_GW) &&
	    (p->flags & VNET_PEERING_F_GATEWAY_TRANSIT) && p->local->gateway)
		flags |= VNET_NH_F_GW_USER;
	return flags;
}

static int walk_peers(struct vnet_vnet *v, bool usable,
		      vnet_sys_route_fn fn, void *arg)
{
	struct vnet_sys_route r = { .source = VNET_ROUTE_SRC_PEERING };
	struct rb_node *rb;
	unsigned int i;
	int err;

	for (rb = rb_first(&v->peerings); rb; rb = rb_next(rb)) {
		r.peering = rb_entry(rb, struct vnet_peering, n.rb);
		r.remote = r.peering->remote;
		r.drop = vnet_peering_drop(r.peering);
		if (!r.remote || !r.drop != usable)
			continue;
		for (i = 0; i < r.remote->nr_prefixes; i++) {
			r.prefix = &r.remote->prefixes[i];
			/* A stale peer never shadows the own space. */
			if (r.drop && overlaps_own(v, r.prefix))
				continue;
			err = fn(arg, &r);
			if (err)
				return err;
		}
	}
	return 0;
}

int vnet_sys_routes_walk(struct vnet_vnet *v, vnet_sys_route_fn fn,
			 void *arg)
{
	struct vnet_sys_route r = { .source = VNET_ROUTE_SRC_GATEWAY };
	struct vnet_vnet *g;
	unsigned int i;
	int err;

	err = walk_peers(v, false, fn, arg);
	if (err)
		return err;
	/* The gateway's on-premises prefixes never shadow the own space. */
	g = vnet_gateway_effective(v, &r.peering);
	r.remote = g;
	r.drop = r.peering ? vnet_peering_drop(r.peering) : 0;
	for (i = 0; g && i < g->gateway->nr_prefixes; i++) {
		r.prefix = &g->gateway->prefixes[i];
		if (overlaps_own(v, r.prefix))
			continue;
		err = fn(arg, &r);
		if (err)
			return err;
	}
	err = walk_peers(v, true, fn, arg);
	if (err)
		return err;
	r = (struct vnet_sys_route){ .source = VNET_ROUTE_SRC_VNET,
				     .remote = v };
	for (i = 0; i < v->nr_prefixes; i++) {
		r.prefix = &v->prefixes[i];
		err = fn(arg, &r);
		if (err)
			return err;
	}
	return 0;
}

static int count_route(void *arg, const struct vnet_sys_route *r)
{
	(*(unsigned int *)arg)++;
	return 0;
}

/* The fib's next hop of each system route: its index in the walk. */
static int fib_add(void *arg, const struct vnet_sys_route *r)
{
	struct vnet_fib *fib = arg;
	struct vnet_nexthop *nh = &fib->nexthops[fib->nr_nexthops];

	if (r->source == VNET_ROUTE_SRC_GATEWAY) {
		*nh = fib->gw;
	} else {
		memset(nh, 0, sizeof(*nh));
		nh->kind = VNET_NH_VNET;
		nh->vnet_id = r->remote->id;
		if (r->peering) {
			nh->drop = r->drop;
			nh->flags = peering_nh_flags(r->peering);
		}
	}
	nh->len = r->prefix->len;
	return vnet_lpm_insert(&fib->lpm, r->prefix, fib->nr_nexthops++);
}

/* fib->gw: where "nexthop gateway" routes of @v go. */
static void fib_set_gateway(struct vnet_fib *fib, struct vnet_vnet *v)
{
	struct vnet_peering *via;
	struct vnet_vnet *g = vnet_gateway_effective(v, &via);

	fib->gw.kind = VNET_NH_GATEWAY;
	if (v->gateway)
		fib->own_gw_port = v->gateway->port->id;
	if (!g) {
		fib->gw.drop = VNET_DROP_NO_GATEWAY + 1;
		return;
	}
	fib->gw.vnet_id = g->id;
	fib->gw.port_id = g->gateway->port->id;
	if (via) {
		fib->gw.drop = vnet_peering_drop(via);
		fib->gw.flags = peering_nh_flags(via);
	}
}

static struct vnet_fib *fib_build(struct vnet_vnet *v)
{
	struct vnet_fib *fib;
	unsigned int n = 0;

	vnet_sys_routes_walk(v, count_route, &n);
	fib = kzalloc(struct_size(fib, nexthops, n), GFP_KERNEL);
	if (!fib)
		return NULL;
	fib_set_gateway(fib, v);
	if (vnet_lpm_init(&fib->lpm, n) ||
	    vnet_sys_routes_walk(v, fib_add, fib)) {
		fib_free(fib);
		return NULL;
	}
	return fib;
}

/*
 * Rebuild the touched vnets. Out of memory, a vnet gets no routes at all
 * (its packets drop as "no route"): it fails closed, never open.
 */
void vnet_fib_commit(struct vnet_net *vn)
{
	struct vnet_vnet *v, *tmp;

	list_for_each_entry_safe(v, tmp, &vn->dirty, dirty_link) {
		struct vnet_fib *fib = fib_build(v);

		if (!fib)
			pr_err_ratelimited("vnet %s: out of memory building routes, dropping its traffic\n",
					   v->n.name);
		fib_publish(v, fib);
		list_del_init(&v->dirty_link);
	}
}

/* @v is going away: its table goes after a grace period. */
void vnet_fib_release(struct vnet_vnet *v)
{
	if (!list_empty(&v->dirty_link))
		list_del_init(&v->dirty_link);
	fib_publish(v, NULL);
}
