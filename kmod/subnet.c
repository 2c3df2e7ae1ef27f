// SPDX-License-Identifier: GPL-2.0
/*
 * Subnets: at most one IPv4 and one IPv6 prefix, inside the vnet's address
 * space, never overlapping another subnet of the vnet. Called with vn->lock
 * held.
 */
#include "vnet.h"
#include "endpoint.h"
#include "events.h"
#include "route.h"

struct vnet_subnet *vnet_subnet_find(struct vnet_vnet *v, const char *name)
{
	return vnet_node_entry(vnet_node_find(&v->subnets, name),
			       struct vnet_subnet);
}

static bool in_address_space(const struct vnet_vnet *v,
			     const struct vnet_prefix *p)
{
	unsigned int i;

	for (i = 0; i < v->nr_prefixes; i++)
		if (vnet_prefix_contains(&v->prefixes[i], p))
			return true;
	return false;
}

static int subnet_prefix_check(struct vnet_req *req, struct vnet_vnet *v,
			       const char *name, const struct vnet_prefix *p)
{
	char s[VNET_PREFIX_STR], o[VNET_PREFIX_STR];
	struct rb_node *rb;

	vnet_prefix_fmt(s, p);
	if (!in_address_space(v, p))
		return vnet_refuse(req, -EINVAL,
				   "subnet prefix outside the vnet's address space",
				   "prefix %s of subnet %s is outside the address space of vnet %s",
				   s, name, v->n.name);
	for (rb = rb_first(&v->subnets); rb; rb = rb_next(rb)) {
		struct vnet_subnet *other = rb_entry(rb, struct vnet_subnet,
						     n.rb);
		const struct vnet_prefix *op;

		op = p->family == AF_INET ? &other->v4 : &other->v6;
		if (!op->family || !vnet_prefix_overlaps(p, op))
			continue;
		vnet_prefix_fmt(o, op);
		return vnet_refuse(req, -EINVAL,
				   "subnet prefix overlaps another subnet",
				   "prefix %s of subnet %s overlaps subnet %s (%s) of vnet %s",
				   s, name, other->n.name, o, v->n.name);
	}
	return 0;
}

int vnet_subnet_add(struct vnet_req *req, struct vnet_vnet *v,
		    const char *name, const struct vnet_prefix *prefixes,
		    unsigned int n)
{
	struct vnet_subnet *s;
	unsigned int i;
	int err;

	lockdep_assert_held(&req->vn->lock);
	if (vnet_subnet_find(v, name))
		return vnet_refuse(req, -EEXIST, "subnet already exists",
				   "subnet %s already exists in vnet %s",
				   name, v->n.name);
	if (v->nr_subnets >= vnet_max_subnets)
		return vnet_refuse(req, -ENOSPC, "subnet limit reached",
				   "cannot add subnet %s: vnet %s has %u subnets, the limit (max_subnets parameter)",
				   name, v->n.name, vnet_max_subnets);
	if (n == 2 && prefixes[0].family == prefixes[1].family)
		return vnet_refuse(req, -EINVAL,
				   "at most one subnet prefix per address family",
				   "subnet %s: at most one prefix per address family",
				   name);
	for (i = 0; i < n; i++) {
		err = subnet_prefix_check(req, v, name, &prefixes[i]);
		if (err)
			return err;
	}

	s = vnet_alloc_subnet();
	if (!s)
		return -ENOMEM;
	s->n.origin = req->origin;
	strscpy(s->n.name, name, sizeof(s->n.name));
	s->vnet = v;
	for (i = 0; i < n; i++) {
		if (prefixes[i].family == AF_INET)
			s->v4 = prefixes[i];
		else
			s->v6 = prefixes[i];
	}
	WARN_ON(vnet_node_insert(&v->subnets, &s->n));
	v->nr_subnets++;
	v->vn->nr_subnets++;
	v->vn->gen++;
	vnet_notify_subnet(s, VNET_CMD_SUBNET_NEW);
	return 0;
}

void vnet_subnet_del(struct vnet_subnet *s)
{
	struct vnet_vnet *v = s->vnet;

	vnet_routes_clear(s);
	rb_erase(&s->n.rb, &v->subnets);
	v->nr_subnets--;
	v->vn->nr_subnets--;
	v->vn->gen++;
	vnet_notify_subnet(s, VNET_CMD_SUBNET_DEL);
	vnet_free_subnet(s);
}

/*
 * Rule 12: a subnet with ports, routes or remote endpoints stays; the
 * error names them.
 */
int vnet_subnet_remove(struct vnet_req *req, struct vnet_subnet *s)
{
	char users[128] = "";
	struct vnet_port *port;
	unsigned int count = 0;
	size_t len = 0;

	lockdep_assert_held(&req->vn->lock);
	if (s->nr_routes && !s->nr_ports) {
		struct vnet_route *r = vnet_route_next(s, NULL);

		vnet_prefix_fmt(users, &r->prefix);
		return vnet_refuse(req, -EBUSY, "subnet in use by routes",
				   "subnet %s of vnet %s has route%s to %s%s: delete them first",
				   s->n.name, s->vnet->n.name,
				   s->nr_routes > 1 ? "s" : "", users,
				   s->nr_routes > 1 ? " and others" : "");
	}
	if (!s->nr_ports) {
		int err = vnet_endpoint_users(req, s);

		if (err)
			return err;
		vnet_subnet_del(s);
		return 0;
	}
	list_for_each_entry(port, &s->vnet->ports, vnet_link) {
		if (port->subnet != s || count++ >= 3)
			continue;
		len += scnprintf(users + len, sizeof(users) - len, "%s%s",
				 count > 1 ? ", " : "", port->n.name);
	}
	return vnet_refuse(req, -EBUSY, "subnet in use by ports",
			   "subnet %s of vnet %s is in use by port%s %s%s",
			   s->n.name, s->vnet->n.name, count > 1 ? "s" : "",
			   users, count > 3 ? " and others" : "");
}
