// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual networks: lifetime, identity (name and id) and address space.
 * Called with vn->lock held.
 */
#include <linux/slab.h>
#include <linux/rtnetlink.h>
#include <linux/sort.h>

#include "vnet.h"
#include "acl.h"
#include "endpoint.h"
#include "events.h"
#include "lb.h"
#include "route.h"

struct vnet_vnet *vnet_find(struct vnet_net *vn, const char *name)
{
	return vnet_node_entry(vnet_node_find(&vn->vnets, name),
			       struct vnet_vnet);
}

static int prefix_sort_cmp(const void *a, const void *b)
{
	return vnet_prefix_cmp(a, b);
}

/*
 * Sorts @p and finds two overlapping prefixes (*i < *j); false when all
 * are disjoint. Sorted, overlapping prefixes are neighbours or one contains
 * the next, so checking neighbours is not enough in general: all pairs
 * are checked (callers bound @n by a module parameter).
 */
bool vnet_prefixes_overlap(struct vnet_prefix *p, unsigned int n,
			   unsigned int *i, unsigned int *j)
{
	sort(p, n, sizeof(*p), prefix_sort_cmp, NULL);
	for (*i = 0; *i < n; (*i)++)
		for (*j = *i + 1; *j < n; (*j)++)
			if (vnet_prefix_overlaps(&p[*i], &p[*j]))
				return true;
	return false;
}

/* Check and sort an address space. */
static int address_space_check(struct vnet_req *req, const char *vnet,
			       struct vnet_prefix *p, unsigned int n)
{
	char a[VNET_PREFIX_STR], b[VNET_PREFIX_STR];
	unsigned int i, j;

	if (n > vnet_max_prefixes)
		return vnet_refuse(req, -ENOSPC, "too many prefixes",
				   "vnet %s: too many prefixes (%u, the limit is the max_prefixes parameter, %u)",
				   vnet, n, vnet_max_prefixes);
	if (!vnet_prefixes_overlap(p, n, &i, &j))
		return 0;
	vnet_prefix_fmt(a, &p[i]);
	vnet_prefix_fmt(b, &p[j]);
	return vnet_refuse(req, -EINVAL, "prefixes of a vnet overlap",
			   "vnet %s: prefixes %s and %s overlap", vnet, a, b);
}

int vnet_add(struct vnet_req *req, const char *name, u32 id,
	     const struct vnet_prefix *prefixes, unsigned int n)
{
	struct vnet_net *vn = req->vn;
	struct vnet_vnet *v, *other;
	int err;

	lockdep_assert_held(&req->vn->lock);
	if (vnet_find(vn, name))
		return vnet_refuse(req, -EEXIST, "vnet already exists",
				   "vnet %s already exists", name);
	other = xa_load(&vn->ids, id);
	if (other)
		return vnet_refuse(req, -EEXIST, "vnet id already in use",
				   "vnet id %u is already used by vnet %s",
				   id, other->n.name);
	if (vn->nr_vnets >= vnet_max_vnets)
		return vnet_refuse(req, -ENOSPC, "vnet limit reached",
				   "cannot add vnet %s: %u vnets is the limit (max_vnets parameter)",
				   name, vnet_max_vnets);

	v = vnet_alloc_vnet();
	if (!v)
		return -ENOMEM;
	v->n.origin = req->origin;
	v->prefixes = kmemdup(prefixes, n * sizeof(*prefixes), GFP_KERNEL);
	if (!v->prefixes) {
		err = -ENOMEM;
		goto err_free;
	}
	v->nr_prefixes = n;
	err = address_space_check(req, name, v->prefixes, n);
	if (err)
		goto err_free;
	err = xa_insert(&vn->ids, id, v, GFP_KERNEL);
	if (err)
		goto err_free;

	strscpy(v->n.name, name, sizeof(v->n.name));
	v->vn = vn;
	v->id = id;
	v->subnets = RB_ROOT;
	v->peerings = RB_ROOT;
	v->lbs = RB_ROOT;
	INIT_LIST_HEAD(&v->incoming);
	INIT_LIST_HEAD(&v->ports);
	INIT_LIST_HEAD(&v->dirty_link);
	WARN_ON(vnet_node_insert(&vn->vnets, &v->n));
	vnet_fib_touch(v);
	vn->nr_vnets++;
	vn->nr_prefixes += n;
	vn->gen++;
	vnet_notify_vnet(v, VNET_CMD_VNET_NEW);
	/* Peerings that named a vnet of this name before find it again. */
	vnet_peering_remote_back(v);
	return 0;

err_free:
	vnet_free_vnet(v);
	return err;
}

/* Touch the vnets whose routes show @v's address space. */
static void touch_peers_of(struct vnet_vnet *v)
{
	struct vnet_peering *p;

	list_for_each_entry(p, &v->incoming, remote_link)
		vnet_fib_touch(p->local);
}

/*
 * Called with RTNL held too: ports are unbound. Outside the namespace exit
 * (where every vnet goes), call vnet_remove() instead.
 */
void vnet_del(struct vnet_vnet *v)
{
	struct vnet_net *vn = v->vn;
	struct rb_node *rb;

	ASSERT_RTNL();
	/* First, so that its port leaving announces no gateway state. */
	vnet_gateway_release(v);
	vnet_lb_release_all(v);
	while (!list_empty(&v->ports))
		vnet_port_del(list_first_entry(&v->ports, struct vnet_port,
					       vnet_link));
	vnet_endpoints_clear(v);
	while ((rb = rb_first(&v->peerings)))
		vnet_peering_del(rb_entry(rb, struct vnet_peering, n.rb));
	while ((rb = rb_first(&v->subnets)))
		vnet_subnet_del(rb_entry(rb, struct vnet_subnet, n.rb));
	vnet_peering_remote_gone(v);
	vnet_acl_unref_detach(v);
	vnet_fib_release(v);

	xa_erase(&vn->ids, v->id);
	rb_erase(&v->n.rb, &vn->vnets);
	vn->nr_vnets--;
	vn->nr_prefixes -= v->nr_prefixes;
	vn->gen++;
	vnet_notify_vnet(v, VNET_CMD_VNET_DEL);
	vnet_free_vnet(v);
}

/*
 * A request deletes @v: first the rules of other vnets that name it as
 * from-vnet (the only step that can fail, and then nothing changed).
 */
int vnet_remove(struct vnet_req *req, struct vnet_vnet *v)
{
	int err;

	lockdep_assert_held(&req->vn->lock);
	err = vnet_acl_unref(req, v);
	if (err)
		return err;
	vnet_del(v);
	return 0;
}

/*
 * Rule 3: while a vnet has a peering in any state, its address space is
 * frozen; the peerings were checked against it.
 */
static int address_space_frozen(struct vnet_req *req, struct vnet_vnet *v)
{
	struct vnet_peering *p;

	p = vnet_node_entry(vnet_node_nth(&v->peerings, 0),
			    struct vnet_peering);
	if (!p)
		return 0;
	return vnet_refuse(req, -EBUSY,
			   "address space frozen by a peering: remove the peering, change the address space, and add the peering again",
			   "the address space of vnet %s cannot change while it has peering %s (to %s)%s: remove the peering, change the address space, and add the peering again",
			   v->n.name, p->n.name, p->remote_name,
			   v->nr_peerings > 1 ? " and others" : "");
}

/* Replace the address space with @n prefixes, @p being already sorted. */
static int address_space_replace(struct vnet_vnet *v,
				 const struct vnet_prefix *p, unsigned int n)
{
	struct vnet_prefix *np;

	np = kmemdup(p, n * sizeof(*p), GFP_KERNEL);
	if (!np)
		return -ENOMEM;
	kfree(v->prefixes);
	v->vn->nr_prefixes += n;
	v->vn->nr_prefixes -= v->nr_prefixes;
	v->prefixes = np;
	v->nr_prefixes = n;
	v->vn->gen++;
	vnet_fib_touch(v);
	touch_peers_of(v);
	return 0;
}

/* The index of @p in the address space of @v, or -1. */
static int vnet_prefix_index(const struct vnet_vnet *v,
			     const struct vnet_prefix *p)
{
	unsigned int i;

	for (i = 0; i < v->nr_prefixes; i++)
		if (vnet_prefix_equal(&v->prefixes[i], p))
			return i;
	return -1;
}

int vnet_prefix_add(struct vnet_req *req, struct vnet_vnet *v,
		    const struct vnet_prefix *p)
{
	unsigned int n = v->nr_prefixes + 1;
	struct vnet_prefix *tmp;
	char s[VNET_PREFIX_STR];
	int err;

	lockdep_assert_held(&req->vn->lock);
	err = address_space_frozen(req, v);
	if (err)
		return err;
	if (vnet_prefix_index(v, p) >= 0) {
		vnet_prefix_fmt(s, p);
		return vnet_refuse(req, -EEXIST, "vnet already has this prefix",
				   "vnet %s already has prefix %s",
				   v->n.name, s);
	}
	tmp = kmalloc_array(n, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, v->prefixes, v->nr_prefixes * sizeof(*tmp));
	tmp[n - 1] = *p;
	err = address_space_check(req, v->n.name, tmp, n);
	if (!err)
		err = address_space_replace(v, tmp, n);
	kfree(tmp);
	if (!err)
		vnet_notify_prefix(v, p, VNET_CMD_PREFIX_NEW);
	return err;
}

/* Rule 12: name the subnets that live in a prefix about to go away. */
static int prefix_users(struct vnet_req *req, struct vnet_vnet *v,
			const struct vnet_prefix *p)
{
	char s[VNET_PREFIX_STR], users[128] = "";
	unsigned int count = 0;
	struct rb_node *rb;
	size_t len = 0;

	for (rb = rb_first(&v->subnets); rb; rb = rb_next(rb)) {
		struct vnet_subnet *sub = rb_entry(rb, struct vnet_subnet, n.rb);

		if (!vnet_prefix_contains(p, &sub->v4) &&
		    !vnet_prefix_contains(p, &sub->v6))
			continue;
		if (count++ < 3)
			len += scnprintf(users + len, sizeof(users) - len,
					 "%s%s", count > 1 ? ", " : "",
					 sub->n.name);
	}
	if (!count)
		return 0;
	vnet_prefix_fmt(s, p);
	return vnet_refuse(req, -EBUSY, "prefix in use by subnets",
			   "prefix %s of vnet %s is in use by subnet%s %s%s",
			   s, v->n.name, count > 1 ? "s" : "", users,
			   count > 3 ? " and others" : "");
}

int vnet_prefix_del(struct vnet_req *req, struct vnet_vnet *v,
		    const struct vnet_prefix *p)
{
	struct vnet_prefix *tmp;
	char s[VNET_PREFIX_STR];
	int i, err;

	lockdep_assert_held(&req->vn->lock);
	err = address_space_frozen(req, v);
	if (err)
		return err;
	i = vnet_prefix_index(v, p);
	vnet_prefix_fmt(s, p);
	if (i < 0)
		return vnet_refuse(req, -ENOENT, "vnet has no such prefix",
				   "vnet %s has no prefix %s", v->n.name, s);
	if (v->nr_prefixes == 1)
		return vnet_refuse(req, -EINVAL,
				   "a vnet needs at least one prefix",
				   "prefix %s is the last one of vnet %s: a vnet needs an address space",
				   s, v->n.name);
	err = prefix_users(req, v, p) ?: vnet_lb_prefix_del_check(req, v, p);
	if (err)
		return err;
	tmp = kmalloc_array(v->nr_prefixes - 1, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, v->prefixes, i * sizeof(*tmp));
	memcpy(tmp + i, v->prefixes + i + 1,
	       (v->nr_prefixes - i - 1) * sizeof(*tmp));
	err = address_space_replace(v, tmp, v->nr_prefixes - 1);
	kfree(tmp);
	if (!err)
		vnet_notify_prefix(v, p, VNET_CMD_PREFIX_DEL);
	return err;
}

/* Namespace exit: free everything, announce nothing. */
void vnet_destroy_all(struct vnet_net *vn)
{
	struct rb_node *rb;

	vn->dying = true;
	while ((rb = rb_first(&vn->vnets)))
		vnet_del(rb_entry(rb, struct vnet_vnet, n.rb));
}

/* "10.1.0.0/16" or "fd00::/48" */
void vnet_prefix_fmt(char *buf, const struct vnet_prefix *p)
{
	if (p->family == AF_INET)
		snprintf(buf, VNET_PREFIX_STR, "%pI4/%u", p->addr, p->len);
	else
		snprintf(buf, VNET_PREFIX_STR, "%pI6c/%u", p->addr, p->len);
}

/* An address: a prefix without its length. */
void vnet_addr_fmt(char *buf, const struct vnet_prefix *a)
{
	if (a->family == AF_INET)
		snprintf(buf, VNET_PREFIX_STR, "%pI4", a->addr);
	else
		snprintf(buf, VNET_PREFIX_STR, "%pI6c", a->addr);
}
