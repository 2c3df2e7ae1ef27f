// SPDX-License-Identifier: GPL-2.0
/*
 * Internal load balancers (rule 11), the control path: lifetime and the
 * rules of an lb. An lb lives in a vnet and is named there; its frontend
 * is an address of the vnet's space that no port has; its backends are
 * IPs of ports or remote endpoints of the same vnet (as in Azure, not of
 * peers). Several lbs may
 * share a frontend address with different protocols or ports.
 *
 * The packet path finds lbs by frontend address in vn->lb_fes: one entry
 * per (vnet id, address) with an RCU list of the lbs on it. An lb never
 * changes once published; it is removed, and freed after a grace period.
 *
 * Rule 12: a prefix that holds a frontend cannot be deleted, nor can a
 * port that is a backend (the error names the lb); vnet deletion removes
 * the vnet's lbs. An interface that goes away cannot be refused, nor can
 * a remote endpoint (its host may be gone): their backends stay, and new
 * connections skip them until a port or endpoint has the address again.
 * Called with vn->lock held.
 */
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "vnet.h"
#include "endpoint.h"
#include "events.h"
#include "lb.h"

struct vnet_lb_fe {
	struct rhash_head node;
	struct vnet_addr_key key;
	struct hlist_head lbs;		/* struct vnet_lb, RCU */
	struct rcu_head rcu;
};

static const struct rhashtable_params fe_params = {
	.key_len = sizeof(struct vnet_addr_key),
	.key_offset = offsetof(struct vnet_lb_fe, key),
	.head_offset = offsetof(struct vnet_lb_fe, node),
	.automatic_shrinking = true,
};

static void fe_key(struct vnet_addr_key *key, u32 vnet_id, u8 family,
		   const u8 *addr)
{
	memset(key, 0, sizeof(*key));
	key->vnet_id = vnet_id;
	key->family = family;
	memcpy(key->addr, addr, family == AF_INET ? 4 : 16);
}

/*
 * Under RCU (the packet path, trace, the lb flow sweep): the lb of
 * @vnet_id on @addr for @proto and @port, or NULL; *@any tells whether
 * @addr is a frontend. The control path uses vnet_lb_at().
 */
const struct vnet_lb *vnet_lb_frontend(struct vnet_net *vn, u32 vnet_id,
				       u8 family, const u8 *addr, u8 proto,
				       u16 port, bool *any)
{
	struct vnet_addr_key key;
	struct vnet_lb_fe *fe;
	struct vnet_lb *lb;

	*any = false;
	fe_key(&key, vnet_id, family, addr);
	fe = rhashtable_lookup(&vn->lb_fes, &key, fe_params);
	if (!fe)
		return NULL;
	*any = true;
	hlist_for_each_entry_rcu(lb, &fe->lbs, fe_link)
		if (lb->proto == proto && lb->port == port)
			return lb;
	return NULL;
}

static struct vnet_lb *vnet_lb_find(struct vnet_vnet *v, const char *name)
{
	return vnet_node_entry(vnet_node_find(&v->lbs, name), struct vnet_lb);
}

struct vnet_lb *vnet_lb_alloc(unsigned int nr_backends)
{
	struct vnet_lb *lb;

	lb = kzalloc(struct_size(lb, backends, nr_backends), GFP_KERNEL);
	if (lb)
		lb->nr_backends = nr_backends;
	return lb;
}

/* The lb of @v whose frontend is @addr with @proto and @port. */
static struct vnet_lb *same_frontend(struct vnet_vnet *v,
				     const struct vnet_prefix *addr, u8 proto,
				     u16 port)
{
	struct rb_node *rb;

	for (rb = rb_first(&v->lbs); rb; rb = rb_next(rb)) {
		struct vnet_lb *lb = rb_entry(rb, struct vnet_lb, n.rb);

		if (lb->proto == proto && lb->port == port &&
		    vnet_prefix_equal(&lb->frontend, addr))
			return lb;
	}
	return NULL;
}

static bool in_space(const struct vnet_vnet *v, const struct vnet_prefix *a)
{
	unsigned int i;

	for (i = 0; i < v->nr_prefixes; i++)
		if (vnet_prefix_contains(&v->prefixes[i], a))
			return true;
	return false;
}

static int backends_check(struct vnet_req *req, struct vnet_vnet *v,
			  const struct vnet_lb *lb)
{
	char a[VNET_PREFIX_STR];
	struct vnet_port *port;
	unsigned int i, j;

	for (i = 0; i < lb->nr_backends; i++) {
		const struct vnet_lb_backend *be = &lb->backends[i];

		vnet_addr_fmt(a, &be->addr);
		if (be->addr.family != lb->frontend.family)
			return vnet_refuse(req, -EINVAL,
					   "backend and frontend of different address families",
					   "lb %s of vnet %s: backend %s is not of the frontend's address family",
					   lb->n.name, v->n.name, a);
		for (j = 0; j < i; j++)
			if (vnet_prefix_equal(&lb->backends[j].addr,
					      &be->addr) &&
			    lb->backends[j].port == be->port)
				return vnet_refuse(req, -EINVAL,
						   "backend given twice",
						   "lb %s of vnet %s: backend %s port %u is given twice",
						   lb->n.name, v->n.name, a,
						   be->port);
		port = vnet_port_find(req->vn, v->id, be->addr.family,
				      be->addr.addr);
		if (!port && !vnet_endpoint_find(v, &be->addr))
			return vnet_refuse(req, -EINVAL,
					   "backend is not the IP of a port or endpoint of the vnet",
					   "lb %s of vnet %s: backend %s is not the IP of a port or remote endpoint of vnet %s",
					   lb->n.name, v->n.name, a, v->n.name);
	}
	return 0;
}

static int lb_check(struct vnet_req *req, struct vnet_vnet *v,
		    const struct vnet_lb *lb)
{
	struct vnet_port *port;
	struct vnet_lb *other;
	char a[VNET_PREFIX_STR];

	if (vnet_lb_find(v, lb->n.name))
		return vnet_refuse(req, -EEXIST, "lb already exists",
				   "vnet %s already has lb %s",
				   v->n.name, lb->n.name);
	if (req->vn->nr_lbs >= vnet_max_lbs)
		return vnet_refuse(req, -ENOSPC, "lb limit reached",
				   "cannot add lb %s: %u lbs is the limit (max_lbs parameter)",
				   lb->n.name, vnet_max_lbs);
	if (lb->nr_backends > vnet_max_lb_backends)
		return vnet_refuse(req, -ENOSPC, "too many backends",
				   "lb %s: %u backends, the limit is %u (max_lb_backends parameter)",
				   lb->n.name, lb->nr_backends,
				   vnet_max_lb_backends);
	vnet_addr_fmt(a, &lb->frontend);
	if (!in_space(v, &lb->frontend))
		return vnet_refuse(req, -EINVAL,
				   "frontend outside the vnet's address space",
				   "lb %s: frontend %s is outside the address space of vnet %s",
				   lb->n.name, a, v->n.name);
	port = vnet_port_find(req->vn, v->id, lb->frontend.family,
			      lb->frontend.addr);
	if (port)
		return vnet_refuse(req, -EEXIST, "frontend is a port's address",
				   "lb %s: frontend %s is the address of port %s in vnet %s",
				   lb->n.name, a, port->n.name, v->n.name);
	if (vnet_endpoint_find(v, &lb->frontend))
		return vnet_refuse(req, -EEXIST,
				   "frontend is a remote endpoint's address",
				   "lb %s: frontend %s is remote endpoint %s of vnet %s",
				   lb->n.name, a, a, v->n.name);
	other = same_frontend(v, &lb->frontend, lb->proto, lb->port);
	if (other)
		return vnet_refuse(req, -EEXIST,
				   "frontend, protocol and port already used by another lb",
				   "lb %s: frontend %s %s port %u is already lb %s of vnet %s",
				   lb->n.name, a,
				   lb->proto == IPPROTO_TCP ? "tcp" : "udp",
				   lb->port, other->n.name, v->n.name);
	return backends_check(req, v, lb);
}

/* Publishes @lb (taken over on success) as an lb of @v. */
int vnet_lb_add(struct vnet_req *req, struct vnet_vnet *v, struct vnet_lb *lb)
{
	struct vnet_net *vn = req->vn;
	struct vnet_addr_key key;
	struct vnet_lb_fe *fe;
	int err;

	lockdep_assert_held(&req->vn->lock);
	err = lb_check(req, v, lb);
	if (err)
		return err;
	fe_key(&key, v->id, lb->frontend.family, lb->frontend.addr);
	fe = rhashtable_lookup_fast(&vn->lb_fes, &key, fe_params);
	if (!fe) {
		fe = kzalloc(sizeof(*fe), GFP_KERNEL);
		if (!fe)
			return -ENOMEM;
		fe->key = key;
		INIT_HLIST_HEAD(&fe->lbs);
		err = rhashtable_insert_fast(&vn->lb_fes, &fe->node, fe_params);
		if (err) {
			kfree(fe);
			return err;
		}
	}
	lb->vnet = v;
	lb->vnet_id = v->id;
	lb->fe = fe;
	lb->uid = ++vn->lb_uid;
	WARN_ON(vnet_node_insert(&v->lbs, &lb->n));
	hlist_add_head_rcu(&lb->fe_link, &fe->lbs);
	vn->nr_lbs++;
	vn->gen++;
	vnet_notify_lb(lb, VNET_CMD_LB_NEW);
	return 0;
}

/*
 * Replaces the lb of @v named as @lb (taken over on success) by @lb, with
 * the same frontend, protocol and port and other backends, or adds @lb if
 * there is none. It keeps the old one's identity (uid): its connections
 * to a backend it keeps go on; those to a backend it drops are balanced
 * again at their next packet.
 */
int vnet_lb_replace(struct vnet_req *req, struct vnet_vnet *v,
		    struct vnet_lb *lb)
{
	struct vnet_lb *old = vnet_lb_find(v, lb->n.name);
	struct vnet_net *vn = req->vn;
	int err;

	lockdep_assert_held(&req->vn->lock);
	if (!old)
		return vnet_lb_add(req, v, lb);
	if (!vnet_prefix_equal(&old->frontend, &lb->frontend) ||
	    old->proto != lb->proto || old->port != lb->port)
		return vnet_refuse(req, -EINVAL,
				   "a replaced lb keeps its frontend, protocol and port",
				   "lb %s of vnet %s: a replace changes its backends only (delete the lb and add it to change its frontend, protocol or port)",
				   lb->n.name, v->n.name);
	err = backends_check(req, v, lb);
	if (err)
		return err;
	lb->vnet = v;
	lb->vnet_id = v->id;
	lb->fe = old->fe;
	lb->uid = old->uid;
	rb_replace_node(&old->n.rb, &lb->n.rb, &v->lbs);
	hlist_replace_rcu(&old->fe_link, &lb->fe_link);
	vn->gen++;
	vnet_notify_lb(lb, VNET_CMD_LB_NEW);
	kfree_rcu(old, rcu);
	vnet_lb_flows_stale(vn);
	return 0;
}

static void lb_unlink(struct vnet_lb *lb)
{
	struct vnet_net *vn = lb->vnet->vn;
	struct vnet_lb_fe *fe = lb->fe;

	hlist_del_rcu(&lb->fe_link);
	if (hlist_empty(&fe->lbs)) {
		rhashtable_remove_fast(&vn->lb_fes, &fe->node, fe_params);
		kfree_rcu(fe, rcu);
	}
	rb_erase(&lb->n.rb, &lb->vnet->lbs);
	vn->nr_lbs--;
	vn->gen++;
	/* Its connections find no lb with its uid and go (lb_flow.c). */
	kfree_rcu(lb, rcu);
	vnet_lb_flows_stale(vn);
}

int vnet_lb_del(struct vnet_req *req, struct vnet_vnet *v, const char *name)
{
	struct vnet_lb *lb = vnet_lb_find(v, name);

	lockdep_assert_held(&req->vn->lock);
	if (!lb)
		return vnet_refuse(req, -ENOENT, "lb not found",
				   "vnet %s has no lb %s", v->n.name, name);
	vnet_notify_lb(lb, VNET_CMD_LB_DEL);
	lb_unlink(lb);
	return 0;
}

/* The vnet goes: its lbs with it (its DEL event says so). */
void vnet_lb_release_all(struct vnet_vnet *v)
{
	struct rb_node *rb;

	while ((rb = rb_first(&v->lbs)))
		lb_unlink(rb_entry(rb, struct vnet_lb, n.rb));
}

/* Rule 12: a prefix that holds a frontend stays. */
int vnet_lb_prefix_del_check(struct vnet_req *req, struct vnet_vnet *v,
			     const struct vnet_prefix *p)
{
	char s[VNET_PREFIX_STR], a[VNET_PREFIX_STR];
	struct rb_node *rb;

	lockdep_assert_held(&req->vn->lock);
	for (rb = rb_first(&v->lbs); rb; rb = rb_next(rb)) {
		struct vnet_lb *lb = rb_entry(rb, struct vnet_lb, n.rb);

		if (!vnet_prefix_contains(p, &lb->frontend))
			continue;
		vnet_prefix_fmt(s, p);
		vnet_addr_fmt(a, &lb->frontend);
		return vnet_refuse(req, -EBUSY, "prefix in use by a load balancer",
				   "prefix %s of vnet %s is in use by lb %s (frontend %s)",
				   s, v->n.name, lb->n.name, a);
	}
	return 0;
}

static bool kept(const struct vnet_lb_backend *be,
		 const struct vnet_prefix *keep, unsigned int n)
{
	while (n--)
		if (keep[n].family == be->addr.family &&
		    !memcmp(keep[n].addr, be->addr.addr, 16))
			return true;
	return false;
}

/*
 * Rule 12: a port's address that is a backend stays (delete the lb
 * first): on "port del" (@n 0), and on "port set" unless among @keep.
 */
int vnet_lb_backend_check(struct vnet_req *req, const struct vnet_port *port,
			  const struct vnet_prefix *keep, unsigned int n)
{
	const struct vnet_port_conf *conf = vnet_port_conf(port);
	struct vnet_vnet *v = port->vnet;
	char a[VNET_PREFIX_STR];
	struct rb_node *rb;
	unsigned int i, j;

	lockdep_assert_held(&req->vn->lock);
	for (rb = rb_first(&v->lbs); rb; rb = rb_next(rb)) {
		struct vnet_lb *lb = rb_entry(rb, struct vnet_lb, n.rb);

		for (i = 0; i < lb->nr_backends; i++) {
			const struct vnet_lb_backend *be = &lb->backends[i];

			if (kept(be, keep, n))
				continue;
			for (j = 0; j < conf->nr_addrs; j++) {
				const struct vnet_addr_key *k =
					&conf->addrs[j].key;

				if (k->family != be->addr.family ||
				    memcmp(k->addr, be->addr.addr, 16))
					continue;
				vnet_addr_fmt(a, &be->addr);
				return vnet_refuse(req, -EBUSY,
						   "port address is a load balancer backend: delete the lb first",
						   "port %s (%s) is a backend of lb %s of vnet %s: delete the lb first (lb del %s %s)",
						   port->n.name, a, lb->n.name,
						   v->n.name, v->n.name,
						   lb->n.name);
			}
		}
	}
	return 0;
}

/* Control path: an lb of @v whose frontend is @addr, or NULL. */
const struct vnet_lb *vnet_lb_at(struct vnet_vnet *v,
				 const struct vnet_prefix *addr)
{
	struct rb_node *rb;

	for (rb = rb_first(&v->lbs); rb; rb = rb_next(rb)) {
		struct vnet_lb *lb = rb_entry(rb, struct vnet_lb, n.rb);

		if (vnet_prefix_equal(&lb->frontend, addr))
			return lb;
	}
	return NULL;
}

/* A port may not take an address that is a frontend. */
int vnet_lb_port_add_check(struct vnet_req *req, struct vnet_vnet *v,
			   const char *dev, const struct vnet_prefix *addr)
{
	const struct vnet_lb *lb = vnet_lb_at(v, addr);
	char a[VNET_PREFIX_STR];

	lockdep_assert_held(&req->vn->lock);
	if (!lb)
		return 0;
	vnet_addr_fmt(a, addr);
	return vnet_refuse(req, -EEXIST, "address is a load balancer frontend",
			   "port %s: address %s is the frontend of lb %s in vnet %s",
			   dev, a, lb->n.name, v->n.name);
}

int vnet_lb_init(struct vnet_net *vn)
{
	int err;

	vn->lb_seed = get_random_u32();
	err = rhashtable_init(&vn->lb_fes, &fe_params);
	if (err)
		return err;
	err = vnet_lb_flows_init(vn);
	if (err)
		rhashtable_destroy(&vn->lb_fes);
	return err;
}

/* Namespace exit, after every vnet (and so every lb) went. */
void vnet_lb_exit(struct vnet_net *vn)
{
	vnet_lb_flows_exit(vn);
	WARN_ON(atomic_read(&vn->lb_fes.nelems));
	rhashtable_destroy(&vn->lb_fes);
}
