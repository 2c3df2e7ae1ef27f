// SPDX-License-Identifier: GPL-2.0
/*
 * Route requests: policies, handlers, dumps (including the effective
 * routes of a subnet) and events.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "route.h"
#include "vnet_nl.h"

const struct nla_policy vnet_route_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ORIGIN] = { .type = NLA_U8 },
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_ROUTE_PREFIX] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_ROUTE_NEXTHOP] = NLA_POLICY_MAX(NLA_U8, VNET_ROUTE_NH_GATEWAY),
	[VNET_A_ROUTE_VIA] = NLA_POLICY_NESTED(vnet_prefix_policy),
};

const struct nla_policy vnet_route_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_ROUTE_PREFIX] = NLA_POLICY_NESTED(vnet_prefix_policy),
};

const struct nla_policy vnet_route_get_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_ROUTE_EFFECTIVE] = { .type = NLA_FLAG },
};

/* Requests */

/* The vnet and subnet a request names; under vn->lock. */
static struct vnet_subnet *get_subnet(struct vnet_req *req)
{
	struct vnet_vnet *v = vnet_nl_vnet(req, VNET_A_VNET);

	return IS_ERR(v) ? ERR_CAST(v) : vnet_nl_subnet(req, v);
}

int vnet_route_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix p, via = {};
	struct vnet_subnet *s;
	u8 nexthop;
	int err;

	if (!vnet_nl_name(info, VNET_A_SUBNET) ||
	    vnet_nl_need(info, VNET_A_ROUTE_PREFIX, "missing attribute: route prefix") ||
	    vnet_nl_need(info, VNET_A_ROUTE_NEXTHOP, "missing attribute: route next hop"))
		return -EINVAL;
	err = vnet_nl_prefix(info, info->attrs[VNET_A_ROUTE_PREFIX], &p, false);
	if (err)
		return err;
	nexthop = nla_get_u8(info->attrs[VNET_A_ROUTE_NEXTHOP]);
	if (nexthop == VNET_ROUTE_NH_APPLIANCE) {
		if (vnet_nl_need(info, VNET_A_ROUTE_VIA,
				 "next hop appliance needs the appliance's address"))
			return -EINVAL;
		err = vnet_nl_prefix(info, info->attrs[VNET_A_ROUTE_VIA], &via,
				     true);
		if (err)
			return err;
	} else if (info->attrs[VNET_A_ROUTE_VIA]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VNET_A_ROUTE_VIA],
				    "only next hop appliance has an address");
		return -EINVAL;
	}
	mutex_lock(&req.vn->lock);
	s = get_subnet(&req);
	err = IS_ERR(s) ? PTR_ERR(s) :
			  vnet_route_add(&req, s, &p, nexthop, &via);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

int vnet_route_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_subnet *s;
	struct vnet_prefix p;
	int err;

	if (!vnet_nl_name(info, VNET_A_SUBNET) ||
	    vnet_nl_need(info, VNET_A_ROUTE_PREFIX, "missing attribute: route prefix"))
		return -EINVAL;
	err = vnet_nl_prefix(info, info->attrs[VNET_A_ROUTE_PREFIX], &p, false);
	if (err)
		return err;
	mutex_lock(&req.vn->lock);
	s = get_subnet(&req);
	err = IS_ERR(s) ? PTR_ERR(s) : vnet_route_del(&req, s, &p);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

/* Messages */

/* What one line of "route show" or "route show ... effective" says. */
struct route_view {
	struct vnet_prefix prefix;
	struct vnet_prefix via;
	u8 nexthop;
	u8 source;
	u8 origin;
	bool active;
	bool effective;		/* the attributes below are sent */
	const char *remote;	/* a vnet name */
	const char *peering;
	const char *status;	/* why it drops, or NULL */
};

static int fill_route(struct sk_buff *skb, const struct vnet_subnet *s,
		      const struct route_view *r, const struct vnet_msg *m)
{
	void *hdr;
	int err;

	hdr = vnet_msg_start(skb, m);
	if (!hdr)
		return -EMSGSIZE;
	err = nla_put_string(skb, VNET_A_VNET, s->vnet->n.name) ||
	      nla_put_string(skb, VNET_A_SUBNET, s->n.name) ||
	      vnet_nl_put_prefix(skb, VNET_A_ROUTE_PREFIX, &r->prefix);
	if (!err && !m->identity_only) {
		err = nla_put_u8(skb, VNET_A_ROUTE_NEXTHOP, r->nexthop) ||
		      vnet_nl_put_origin(skb, r->origin);
		if (!err && r->nexthop == VNET_ROUTE_NH_APPLIANCE) {
			struct nlattr *nest = nla_nest_start(skb,
							     VNET_A_ROUTE_VIA);

			err = !nest || (r->via.family == AF_INET ?
			      nla_put(skb, VNET_PREFIX_A_IN_ADDR, 4, r->via.addr) :
			      nla_put(skb, VNET_PREFIX_A_IN6_ADDR, 16, r->via.addr));
			if (!err)
				nla_nest_end(skb, nest);
		}
	}
	if (!err && r->effective)
		err = nla_put_u8(skb, VNET_A_ROUTE_SOURCE, r->source) ||
		      nla_put_u8(skb, VNET_A_ROUTE_ACTIVE, r->active) ||
		      (r->remote &&
		       nla_put_string(skb, VNET_A_REMOTE, r->remote)) ||
		      (r->peering &&
		       nla_put_string(skb, VNET_A_PEERING, r->peering)) ||
		      (r->status &&
		       nla_put_string(skb, VNET_A_ROUTE_STATUS, r->status));
	return vnet_msg_end(skb, hdr, err);
}

static void user_view(struct route_view *rv, const struct vnet_route *r)
{
	memset(rv, 0, sizeof(*rv));
	rv->prefix = r->prefix;
	rv->via = r->via;
	rv->nexthop = r->nexthop;
	rv->origin = r->origin;
	rv->source = VNET_ROUTE_SRC_USER;
	rv->active = true;	/* user routes win ties, and never repeat */
}

void vnet_notify_route(struct vnet_subnet *s, const struct vnet_route *r,
		       u8 cmd)
{
	struct vnet_net *vn = s->vnet->vn;
	struct route_view rv;
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(vn, cmd, &m);

	if (!skb)
		return;
	user_view(&rv, r);
	vnet_nl_event_send(vn, skb, fill_route(skb, s, &rv, &m));
}

/* Effective routes */

#define STATUS_LEN 160

static void peer_status(char *buf, const struct vnet_peering *p, u8 drop)
{
	snprintf(buf, STATUS_LEN, "peering %s %s", p->n.name,
		 drop == VNET_DROP_PEERING_ACCESS_OFF + 1 ?
		 "has access off on a side" : "is not connected");
}

/* Why traffic to the gateway @v uses drops, or NULL. */
static const char *gateway_status(struct vnet_vnet *v, char *buf)
{
	struct vnet_peering *via;
	struct vnet_vnet *g = vnet_gateway_effective(v, &via);
	u8 drop;

	if (!g) {
		snprintf(buf, STATUS_LEN, "vnet %s uses no gateway", v->n.name);
		return buf;
	}
	if (vnet_port_state(g->gateway->port) != VNET_PORT_UP) {
		snprintf(buf, STATUS_LEN,
			 "gateway port %s of vnet %s is absent",
			 g->gateway->port->n.name, g->n.name);
		return buf;
	}
	drop = via ? vnet_peering_drop(via) : 0;
	if (!drop)
		return NULL;
	peer_status(buf, via, drop);
	return buf;
}

/*
 * The cursor of a route dump: the key of the last route sent. That is
 * its subnet (by name) and its place in the subnet's list: a system route
 * (effective view) by the walk's order, which is the order of its kind,
 * peering name (a peer's) and prefix (fib.c walks peerings by name and
 * sorted prefixes), or a user route by its prefix. Each part resumes
 * after it, whatever was added or removed in between. Two names and a
 * prefix do not fit in cb->ctx: vnet_route_get_start() allocates the
 * cursor, cb->ctx holds its address and vnet_route_get_done() frees it.
 */
enum route_kind {
	ROUTE_PEER_DOWN,	/* a peer's prefix, the peering drops */
	ROUTE_GATEWAY,		/* an on-premises prefix */
	ROUTE_PEER,		/* a usable peer's prefix */
	ROUTE_OWN,		/* the vnet's own space */
	ROUTE_USER,		/* a route of the subnet */
};

struct route_cursor {
	char subnet[VNET_NAME_MAX];
	char peering[VNET_NAME_MAX];	/* ROUTE_PEER_DOWN, ROUTE_PEER */
	struct vnet_prefix prefix;
	u8 kind;			/* enum route_kind */
	bool started;			/* false: nothing sent yet */
};

static struct route_cursor *route_cursor(struct netlink_callback *cb)
{
	return *(struct route_cursor **)cb->ctx;
}

int vnet_route_get_start(struct netlink_callback *cb)
{
	struct route_cursor **c = (struct route_cursor **)cb->ctx;

	*c = kzalloc(sizeof(**c), GFP_KERNEL_ACCOUNT);
	return *c ? 0 : -ENOMEM;
}

int vnet_route_get_done(struct netlink_callback *cb)
{
	kfree(route_cursor(cb));
	return 0;
}

/* The last route sent was @prefix of @s, of @kind (through @peering). */
static void cursor_set(struct route_cursor *c, const struct vnet_subnet *s,
		       u8 kind, const struct vnet_peering *peering,
		       const struct vnet_prefix *prefix)
{
	strscpy(c->subnet, s->n.name, sizeof(c->subnet));
	strscpy(c->peering, peering ? peering->n.name : "",
		sizeof(c->peering));
	c->prefix = *prefix;
	c->kind = kind;
	c->started = true;
}

static u8 sys_kind(const struct vnet_sys_route *r)
{
	switch (r->source) {
	case VNET_ROUTE_SRC_GATEWAY:
		return ROUTE_GATEWAY;
	case VNET_ROUTE_SRC_VNET:
		return ROUTE_OWN;
	default:
		return r->drop ? ROUTE_PEER_DOWN : ROUTE_PEER;
	}
}

/* Does @r come after the cursor's system route in the walk? */
static bool sys_after(const struct vnet_sys_route *r,
		      const struct route_cursor *c)
{
	u8 kind = sys_kind(r);
	int d;

	if (kind != c->kind)
		return kind > c->kind;
	if (kind == ROUTE_PEER_DOWN || kind == ROUTE_PEER) {
		d = strcmp(r->peering->n.name, c->peering);
		if (d)
			return d > 0;
	}
	return vnet_prefix_cmp(r->prefix, &c->prefix) > 0;
}

/* A dump of a subnet's system routes: the walk's state. */
struct sys_dump {
	struct sk_buff *skb;
	struct route_cursor *c;
	bool same;			/* the cursor's subnet: resume */
	const struct vnet_msg *m;
	struct vnet_subnet *s;
	const struct vnet_fib *fib;
	unsigned int i;			/* index in the walk */
};

static int dump_sys_route(void *arg, const struct vnet_sys_route *r)
{
	struct sys_dump *d = arg;
	char status[STATUS_LEN];
	struct route_view rv = {
		.prefix = *r->prefix,
		.source = r->source,
		.effective = true,
		.remote = r->remote->n.name,
		.peering = r->peering ? r->peering->n.name : NULL,
	};
	unsigned int i = d->i++;
	int err;

	if (d->same && !sys_after(r, d->c))
		return 0;
	if (r->source == VNET_ROUTE_SRC_GATEWAY) {
		rv.nexthop = VNET_ROUTE_NH_GATEWAY;
		rv.status = gateway_status(d->s->vnet, status);
	} else {
		rv.nexthop = VNET_ROUTE_NH_VNET;
		if (r->drop) {
			peer_status(status, r->peering, r->drop);
			rv.status = status;
		}
	}
	/*
	 * The fib's value of a prefix is the index of the route that won it
	 * in the same walk; a user route of the subnet beats them all.
	 */
	rv.active = d->fib && vnet_lpm_get(&d->fib->lpm, r->prefix) == i &&
		    !vnet_route_find(d->s, r->prefix);
	err = fill_route(d->skb, d->s, &rv, d->m);
	if (!err)
		cursor_set(d->c, d->s, sys_kind(r),
			   sys_kind(r) == ROUTE_GATEWAY ? NULL : r->peering,
			   r->prefix);
	return err;
}

/*
 * The routes of one subnet, system routes first in the effective view;
 * @same: the subnet of the cursor, so start after its route.
 */
static int dump_subnet(struct sk_buff *skb, struct route_cursor *c,
		       const struct vnet_msg *m, struct vnet_subnet *s,
		       bool effective, bool same)
{
	char status[STATUS_LEN];
	struct route_view rv;
	struct vnet_route *r;
	int err = 0;

	if (effective && !(same && c->kind == ROUTE_USER)) {
		struct sys_dump d = {
			.skb = skb,
			.c = c,
			.same = same,
			.m = m,
			.s = s,
			.fib = rcu_dereference_protected(s->vnet->fib,
				lockdep_is_held(&s->vnet->vn->lock)),
		};

		err = vnet_sys_routes_walk(s->vnet, dump_sys_route, &d);
		if (err)
			return err;
	}
	same = same && c->kind == ROUTE_USER;
	for (r = vnet_route_next(s, same ? &c->prefix : NULL); r && !err;
	     r = vnet_route_next(s, &r->prefix)) {
		user_view(&rv, r);
		rv.effective = effective;
		if (effective && r->nexthop == VNET_ROUTE_NH_APPLIANCE)
			rv.status = vnet_appliance_status(s->vnet, &r->via,
							  status,
							  sizeof(status));
		else if (effective && r->nexthop == VNET_ROUTE_NH_GATEWAY)
			rv.status = gateway_status(s->vnet, status);
		else if (effective && r->nexthop == VNET_ROUTE_NH_NONE)
			rv.status = "next hop none";
		err = fill_route(skb, s, &rv, m);
		if (!err)
			cursor_set(c, s, ROUTE_USER, NULL, &r->prefix);
	}
	return err;
}

/* The subnet to resume from: the cursor's (@same), or the next by name. */
static struct rb_node *resume(struct vnet_vnet *v,
			      const struct route_cursor *c, bool *same)
{
	struct vnet_node *n;

	*same = false;
	if (!c->started)
		return rb_first(&v->subnets);
	n = vnet_node_find(&v->subnets, c->subnet);
	*same = n;
	if (!n)
		n = vnet_node_after(&v->subnets, c->subnet);
	return n ? &n->rb : NULL;
}

/* The routes of a vnet's subnets, by subnet name, or of the one named. */
int vnet_route_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = vnet_dump_msg(cb, VNET_CMD_ROUTE_GET);
	struct route_cursor *c = route_cursor(cb);
	struct nlattr *name = info->attrs[VNET_A_VNET];
	struct nlattr *only = info->attrs[VNET_A_SUBNET];
	bool effective = nla_get_flag(info->attrs[VNET_A_ROUTE_EFFECTIVE]);
	struct vnet_subnet *s = NULL;
	struct vnet_vnet *v;
	struct rb_node *rb;
	bool same;
	int err = 0;

	if (!name) {
		NL_SET_ERR_MSG(cb->extack, "missing attribute: vnet name");
		return -EINVAL;
	}
	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	v = vnet_find(vn, nla_data(name));
	if (v && only)
		s = vnet_subnet_find(v, nla_data(only));
	/* Gone since the last part: vn->gen moved, the dump says so. */
	if (c->started && (!v || (only && !s))) {
		mutex_unlock(&vn->lock);
		return 0;
	}
	if (!v) {
		mutex_unlock(&vn->lock);
		NL_SET_ERR_MSG_ATTR(cb->extack, name, "vnet does not exist");
		return -ENOENT;
	}
	if (only && !s) {
		mutex_unlock(&vn->lock);
		NL_SET_ERR_MSG_ATTR(cb->extack, only, "subnet does not exist");
		return -ENOENT;
	}
	if (only) {
		same = c->started;
		rb = &s->n.rb;
	} else {
		rb = resume(v, c, &same);
	}
	for (; rb; rb = only ? NULL : rb_next(rb), same = false) {
		err = dump_subnet(skb, c, &m, rb_entry(rb, struct vnet_subnet,
						       n.rb), effective, same);
		if (err)
			break;
	}
	mutex_unlock(&vn->lock);
	return vnet_dump_done(skb, err);
}
