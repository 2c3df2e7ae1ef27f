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
		err = nla_put_u8(skb, VNET_A_ROUTE_NEXTHOP, r->nexthop);
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

/* A dump of a subnet's system routes: the walk's state. */
struct sys_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;	/* cb->args[1]: routes sent */
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

	if (i < d->cb->args[1])
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
		d->cb->args[1]++;
	return err;
}

/*
 * The routes of one subnet past the dump's cursor: cb->args[1] counts the
 * system routes sent (effective view), cb->args[2] says whether
 * cb->args[3..5] hold the prefix of the last user route sent.
 */
static int dump_subnet(struct sk_buff *skb, struct netlink_callback *cb,
		       struct vnet_subnet *s, bool effective)
{
	struct vnet_msg m = vnet_dump_msg(cb, VNET_CMD_ROUTE_GET);
	struct vnet_prefix *last = (struct vnet_prefix *)&cb->args[3];
	char status[STATUS_LEN];
	struct route_view rv;
	struct vnet_route *r;
	int err = 0;

	BUILD_BUG_ON(sizeof(*last) > 3 * sizeof(cb->args[0]));
	if (effective && !cb->args[2]) {
		struct sys_dump d = {
			.skb = skb,
			.cb = cb,
			.m = &m,
			.s = s,
			.fib = rcu_dereference_protected(s->vnet->fib,
				lockdep_is_held(&s->vnet->vn->lock)),
		};

		err = vnet_sys_routes_walk(s->vnet, dump_sys_route, &d);
		if (err)
			return err;
	}
	for (r = vnet_route_next(s, cb->args[2] ? last : NULL); r && !err;
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
		err = fill_route(skb, s, &rv, &m);
		if (!err) {
			*last = r->prefix;
			cb->args[2] = 1;
		}
	}
	return err;
}

/* cb->args[0]: subnets of the vnet done, by name. */
int vnet_route_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct nlattr *name = info->attrs[VNET_A_VNET];
	struct nlattr *only = info->attrs[VNET_A_SUBNET];
	bool effective = nla_get_flag(info->attrs[VNET_A_ROUTE_EFFECTIVE]);
	struct vnet_subnet *s;
	struct vnet_node *n;
	struct vnet_vnet *v;
	struct rb_node *rb;
	int err = 0;

	if (!name) {
		NL_SET_ERR_MSG(cb->extack, "missing attribute: vnet name");
		return -EINVAL;
	}
	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	v = vnet_find(vn, nla_data(name));
	if (!v) {
		mutex_unlock(&vn->lock);
		NL_SET_ERR_MSG_ATTR(cb->extack, name, "vnet does not exist");
		return -ENOENT;
	}
	if (only) {
		s = vnet_subnet_find(v, nla_data(only));
		if (!s) {
			mutex_unlock(&vn->lock);
			NL_SET_ERR_MSG_ATTR(cb->extack, only,
					    "subnet does not exist");
			return -ENOENT;
		}
		rb = cb->args[0] ? NULL : &s->n.rb;
	} else {
		n = vnet_node_nth(&v->subnets, cb->args[0]);
		rb = n ? &n->rb : NULL;
	}
	for (; rb && !err; rb = only ? NULL : rb_next(rb)) {
		err = dump_subnet(skb, cb, rb_entry(rb, struct vnet_subnet,
						    n.rb), effective);
		if (err)
			break;
		cb->args[0]++;
		cb->args[1] = 0;
		cb->args[2] = 0;
	}
	mutex_unlock(&vn->lock);
	return vnet_dump_done(skb, err);
}
