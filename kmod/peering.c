// SPDX-License-Identifier: GPL-2.0
/*
 * Peerings: one side per vnet, the state machine of rule 5 and the checks
 * of rules 1, 2 and 8. Called with vn->lock held.
 *
 * A side names its remote vnet. While that vnet exists the side is on its
 * ->incoming list; once it is deleted the side moves to vn->orphans and
 * comes back when a vnet of that name is created again, so that the remote
 * side can reconnect without the local side being re-created.
 */
#include "vnet.h"
#include "events.h"
#include "route.h"

struct vnet_peering *vnet_peering_find(struct vnet_vnet *v, const char *name)
{
	return vnet_node_entry(vnet_node_find(&v->peerings, name),
			       struct vnet_peering);
}

/* @v's side to @remote, if any: at most one exists (rule 1). */
static struct vnet_peering *peering_to(struct vnet_vnet *v,
				       const struct vnet_vnet *remote)
{
	struct rb_node *rb;

	for (rb = rb_first(&v->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *p = rb_entry(rb, struct vnet_peering,
						  n.rb);

		if (p->remote == remote)
			return p;
	}
	return NULL;
}

static struct vnet_peering *peering_reverse(const struct vnet_peering *p)
{
	return p->remote ? peering_to(p->remote, p->local) : NULL;
}

static void peering_set_state(struct vnet_peering *p, u8 state)
{
	if (p->state == state)
		return;
	p->state = state;
	p->local->vn->gen++;
	vnet_fib_touch(p->local);
	vnet_notify_peering(p, VNET_CMD_PEERING_STATE);
}

static bool spaces_overlap(const struct vnet_vnet *a, const struct vnet_vnet *b)
{
	return vnet_prefix_sets_overlap(a->prefixes, a->nr_prefixes,
					b->prefixes, b->nr_prefixes);
}

/*
 * Rules 1 and 5: the two address spaces must not overlap, the remote must
 * not overlap a vnet the local one already peers with, and when the remote
 * side exists (this add connects) the local vnet must not overlap a
 * connected peer of the remote one.
 */
static int peering_space_check(struct vnet_req *req, const char *name,
			       struct vnet_vnet *l, struct vnet_vnet *r)
{
	struct vnet_peering *rev = peering_to(r, l);
	struct rb_node *rb;

	if (spaces_overlap(l, r))
		return vnet_refuse(req, -EINVAL,
				   "address spaces of peered vnets overlap",
				   "peering %s: the address spaces of vnets %s and %s overlap",
				   name, l->n.name, r->n.name);
	for (rb = rb_first(&l->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *q = rb_entry(rb, struct vnet_peering,
						  n.rb);

		if (q->remote && spaces_overlap(r, q->remote))
			return vnet_refuse(req, -EINVAL,
					   "remote vnet overlaps a vnet already peered",
					   "peering %s: vnet %s overlaps vnet %s, which vnet %s already peers with (peering %s)",
					   name, r->n.name, q->remote->n.name,
					   l->n.name, q->n.name);
	}
	if (!rev)
		return 0;
	for (rb = rb_first(&r->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *q = rb_entry(rb, struct vnet_peering,
						  n.rb);

		if (q == rev || q->state != VNET_PEERING_CONNECTED ||
		    !q->remote || !spaces_overlap(l, q->remote))
			continue;
		return vnet_refuse(req, -EINVAL,
				   "vnet overlaps a connected peer of the remote vnet",
				   "peering %s: vnet %s overlaps vnet %s, a connected peer of vnet %s (peering %s)",
				   name, l->n.name, q->remote->n.name,
				   r->n.name, q->n.name);
	}
	return 0;
}

static bool vnet_has_gateway(const struct vnet_vnet *v)
{
	return v->gateway;
}

/*
 * Rule 8: use-remote-gateways needs the remote side with gateway-transit
 * on, a gateway on the remote vnet, and no other remote gateway in use.
 */
static int use_remote_gw_check(struct vnet_req *req, const char *name,
			       struct vnet_vnet *l, struct vnet_vnet *r,
			       const struct vnet_peering *self)
{
	struct vnet_peering *rev = peering_to(r, l);
	struct rb_node *rb;

	if (vnet_has_gateway(l))
		return vnet_refuse(req, -EINVAL, "vnet has its own gateway",
				   "peering %s: vnet %s has its own gateway and cannot use a remote one",
				   name, l->n.name);
	for (rb = rb_first(&l->peerings); rb; rb = rb_next(rb)) {
		struct vnet_peering *q = rb_entry(rb, struct vnet_peering,
						  n.rb);

		if (q != self && (q->flags & VNET_PEERING_F_USE_REMOTE_GW))
			return vnet_refuse(req, -EBUSY,
					   "vnet already uses a remote gateway",
					   "peering %s: vnet %s already uses the gateway of vnet %s (peering %s)",
					   name, l->n.name, q->remote_name,
					   q->n.name);
	}
	if (!rev)
		return vnet_refuse(req, -EINVAL,
				   "use-remote-gateways needs the remote side",
				   "peering %s: use-remote-gateways needs the remote side, and vnet %s has no peering to %s",
				   name, r->n.name, l->n.name);
	if (!(rev->flags & VNET_PEERING_F_GATEWAY_TRANSIT))
		return vnet_refuse(req, -EINVAL,
				   "remote side does not allow gateway transit",
				   "peering %s: peering %s of vnet %s does not allow gateway transit",
				   name, rev->n.name, r->n.name);
	if (!vnet_has_gateway(r))
		return vnet_refuse(req, -EINVAL, "remote vnet has no gateway",
				   "peering %s: vnet %s has no gateway",
				   name, r->n.name);
	return 0;
}

int vnet_peering_add(struct vnet_req *req, struct vnet_vnet *l,
		     const char *name, struct vnet_vnet *r, u32 value,
		     u32 selector)
{
	u32 flags = (VNET_PEERING_F_DEFAULT & ~selector) | (value & selector);
	struct vnet_peering *p, *rev;
	int err;

	lockdep_assert_held(&req->vn->lock);
	if (vnet_peering_find(l, name))
		return vnet_refuse(req, -EEXIST, "peering already exists",
				   "peering %s already exists in vnet %s",
				   name, l->n.name);
	if (l == r)
		return vnet_refuse(req, -EINVAL,
				   "a vnet cannot peer with itself",
				   "peering %s: vnet %s cannot peer with itself",
				   name, l->n.name);
	p = peering_to(l, r);
	if (p)
		return vnet_refuse(req, -EEXIST,
				   "vnet already peers with the remote vnet",
				   "vnet %s already peers with vnet %s (peering %s)",
				   l->n.name, r->n.name, p->n.name);
	if (l->nr_peerings >= vnet_max_peerings)
		return vnet_refuse(req, -ENOSPC, "peering limit reached",
				   "cannot add peering %s: vnet %s has %u peerings, the limit (max_peerings parameter)",
				   name, l->n.name, vnet_max_peerings);
	err = peering_space_check(req, name, l, r);
	if (err)
		return err;
	if (flags & VNET_PEERING_F_USE_REMOTE_GW) {
		err = use_remote_gw_check(req, name, l, r, NULL);
		if (err)
			return err;
	}

	p = vnet_alloc_peering();
	if (!p)
		return -ENOMEM;
	p->n.origin = req->origin;
	strscpy(p->n.name, name, sizeof(p->n.name));
	strscpy(p->remote_name, r->n.name, sizeof(p->remote_name));
	p->local = l;
	p->remote = r;
	p->flags = flags;
	rev = peering_to(r, l);
	p->state = rev ? VNET_PEERING_CONNECTED : VNET_PEERING_INITIATED;
	WARN_ON(vnet_node_insert(&l->peerings, &p->n));
	list_add_tail(&p->remote_link, &r->incoming);
	l->nr_peerings++;
	l->vn->nr_peerings++;
	l->vn->gen++;
	vnet_fib_touch(l);
	vnet_fib_touch(r);
	vnet_notify_peering(p, VNET_CMD_PEERING_NEW);
	if (rev)
		peering_set_state(rev, VNET_PEERING_CONNECTED);
	return 0;
}

int vnet_peering_set(struct vnet_req *req, struct vnet_peering *p, u32 value,
		     u32 selector)
{
	u32 flags = (p->flags & ~selector) | (value & selector);
	struct vnet_peering *rev = peering_reverse(p);
	int err;

	lockdep_assert_held(&req->vn->lock);
	if ((p->flags & ~flags & VNET_PEERING_F_GATEWAY_TRANSIT) && rev &&
	    (rev->flags & VNET_PEERING_F_USE_REMOTE_GW))
		return vnet_refuse(req, -EBUSY,
				   "gateway transit is in use by a peer",
				   "peering %s of vnet %s: vnet %s uses this gateway transit (peering %s); turn use-remote-gateways off there first",
				   p->n.name, p->local->n.name,
				   rev->local->n.name, rev->n.name);
	if ((flags & ~p->flags & VNET_PEERING_F_USE_REMOTE_GW)) {
		if (!p->remote)
			return vnet_refuse(req, -EINVAL,
					   "remote vnet does not exist",
					   "peering %s: remote vnet %s does not exist",
					   p->n.name, p->remote_name);
		err = use_remote_gw_check(req, p->n.name, p->local, p->remote,
					  p);
		if (err)
			return err;
	}
	if (flags == p->flags)
		return 0;
	p->flags = flags;
	p->local->vn->gen++;
	vnet_fib_touch(p->local);
	if (p->remote)
		vnet_fib_touch(p->remote);
	vnet_notify_peering(p, VNET_CMD_PEERING_SET);
	return 0;
}

void vnet_peering_del(struct vnet_peering *p)
{
	struct vnet_peering *rev = peering_reverse(p);
	struct vnet_vnet *l = p->local;

	rb_erase(&p->n.rb, &l->peerings);
	list_del(&p->remote_link);
	vnet_fib_touch(l);
	if (p->remote)
		vnet_fib_touch(p->remote);
	l->nr_peerings--;
	l->vn->nr_peerings--;
	l->vn->gen++;
	vnet_notify_peering(p, VNET_CMD_PEERING_DEL);
	vnet_free_peering(p);
	if (rev)
		peering_set_state(rev, VNET_PEERING_DISCONNECTED);
}

/* @v is being deleted: the sides that point to it lose their remote. */
void vnet_peering_remote_gone(struct vnet_vnet *v)
{
	struct vnet_peering *p, *tmp;

	list_for_each_entry_safe(p, tmp, &v->incoming, remote_link) {
		p->remote = NULL;
		list_move_tail(&p->remote_link, &v->vn->orphans);
		vnet_fib_touch(p->local);
		peering_set_state(p, VNET_PEERING_DISCONNECTED);
	}
}

/* @v was just created: sides that name it point to it again. */
void vnet_peering_remote_back(struct vnet_vnet *v)
{
	struct vnet_peering *p, *tmp;

	list_for_each_entry_safe(p, tmp, &v->vn->orphans, remote_link) {
		if (strcmp(p->remote_name, v->n.name))
			continue;
		p->remote = v;
		list_move_tail(&p->remote_link, &v->incoming);
		vnet_fib_touch(p->local);
	}
}
