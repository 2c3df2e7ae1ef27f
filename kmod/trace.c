// SPDX-License-Identifier: GPL-2.0
/*
 * "vnetctl trace": what the packet path decides for the first packet of a
 * connection, step by step, without sending one. It calls what the packet
 * path calls (the port check, vnet_next_hop(), the ACL classifier) on the
 * same RCU snapshots, so its answer cannot drift from what packets meet.
 * Connection tracking is left out: a trace is of a new connection (a
 * load balancer's step shows the backend that connection would get).
 * Runs under RTNL and vn->lock, in that order, like every request that
 * looks up or names devices.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "vnet.h"

const struct nla_policy vnet_trace_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_TRACE_SRC] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_TRACE_DST] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_TRACE_PROTO] = { .type = NLA_U8 },
	[VNET_A_TRACE_SPORT] = { .type = NLA_U16 },
	[VNET_A_TRACE_DPORT] = { .type = NLA_U16 },
};

/* The prefix of length @len that @addr is in. */
static void prefix_of(struct vnet_prefix *p, u8 family, const u8 *addr,
		      unsigned int len)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = len;
	memcpy(p->addr, addr, family == AF_INET ? 4 : 16);
	for (i = len; i < vnet_prefix_bits(family); i++)
		p->addr[i / 8] &= ~(0x80 >> (i % 8));
}

static int put_acl_step(struct sk_buff *msg, int idx,
			const struct vnet_acl_list *l, u8 dir, u8 scope,
			const char *name, const struct vnet_acl_key *k,
			bool *allowed)
{
	const struct vnet_acl_verdict *r;
	unsigned int rules;
	struct nlattr *step;

	r = vnet_acl_decide(l, k, &rules);
	if (r && r->action != VNET_ACL_ALLOW)
		*allowed = false;
	step = nla_nest_start(msg, idx);
	if (!step ||
	    nla_put_u8(msg, VNET_TRACE_A_KIND, VNET_TRACE_ACL) ||
	    nla_put_u8(msg, VNET_TRACE_A_DIR, dir) ||
	    nla_put_u8(msg, VNET_TRACE_A_SCOPE, scope) ||
	    nla_put_string(msg, VNET_TRACE_A_NAME, name) ||
	    nla_put_u32(msg, VNET_TRACE_A_RULES, rules) ||
	    (r && (nla_put_u16(msg, VNET_TRACE_A_PRIO, r->prio) ||
		   nla_put_u8(msg, VNET_TRACE_A_ACTION, r->action))))
		return -EMSGSIZE;
	nla_nest_end(msg, step);
	return 0;
}

static int put_route_step(struct sk_buff *msg, int idx,
			  const struct vnet_port *port,
			  const struct vnet_route_pick *pick,
			  const struct vnet_acl_key *k)
{
	const struct vnet_nexthop *nh = pick->sys;
	const struct vnet_rt_nexthop *u = pick->user;
	struct vnet_vnet *remote = NULL;
	struct vnet_prefix p, via;
	struct nlattr *step;
	u8 source, nexthop;

	if (u) {
		prefix_of(&p, k->family, k->dst, u->len);
		source = VNET_ROUTE_SRC_USER;
		nexthop = u->nexthop;
	} else {
		prefix_of(&p, k->family, k->dst, nh->len);
		remote = xa_load(&port->vn->ids, nh->vnet_id);
		if (nh->kind == VNET_NH_GATEWAY) {
			source = VNET_ROUTE_SRC_GATEWAY;
			nexthop = VNET_ROUTE_NH_GATEWAY;
		} else {
			source = nh->vnet_id == port->vnet->id ?
				 VNET_ROUTE_SRC_VNET : VNET_ROUTE_SRC_PEERING;
			nexthop = VNET_ROUTE_NH_VNET;
		}
	}
	step = nla_nest_start(msg, idx);
	if (!step ||
	    nla_put_u8(msg, VNET_TRACE_A_KIND, VNET_TRACE_ROUTE) ||
	    vnet_nl_put_prefix(msg, VNET_TRACE_A_PREFIX, &p) ||
	    nla_put_u8(msg, VNET_TRACE_A_SOURCE, source) ||
	    nla_put_u8(msg, VNET_TRACE_A_NEXTHOP, nexthop) ||
	    (remote && nla_put_string(msg, VNET_TRACE_A_REMOTE,
				      remote->n.name)))
		return -EMSGSIZE;
	if (u && u->nexthop == VNET_ROUTE_NH_APPLIANCE) {
		prefix_of(&via, u->family, u->via,
			  vnet_prefix_bits(u->family));
		if (vnet_nl_put_prefix(msg, VNET_TRACE_A_VIA, &via))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, step);
	return 0;
}

/* A load balancer's frontend: the lb and the backend it chose. */
static int put_lb_step(struct sk_buff *msg, int idx,
		       const struct vnet_lb_hit *hit)
{
	struct nlattr *step = nla_nest_start(msg, idx);

	if (!step ||
	    nla_put_u8(msg, VNET_TRACE_A_KIND, VNET_TRACE_LB) ||
	    nla_put_string(msg, VNET_TRACE_A_NAME, hit->lb->n.name) ||
	    vnet_nl_put_prefix(msg, VNET_TRACE_A_VIA, &hit->be->addr) ||
	    nla_put_u16(msg, VNET_TRACE_A_PORT, hit->be->port))
		return -EMSGSIZE;
	nla_nest_end(msg, step);
	return 0;
}

/* The steps, then where the packet goes or why it drops. Under RCU. */
static int put_trace(struct sk_buff *msg, struct vnet_port *port,
		     struct vnet_acl_key *k)
{
	enum vnet_drop_reason why = VNET_PASS, route_why;
	struct vnet_route_pick pick = {};
	struct vnet_port *dport = NULL;
	bool allowed = true;
	struct nlattr *steps;
	int idx = 1;

	steps = nla_nest_start(msg, VNET_A_TRACE_STEPS);
	if (!steps)
		return -EMSGSIZE;
	if (!vnet_source_ok(port, k->family, k->src)) {
		why = VNET_DROP_SPOOF_IP;
		goto verdict;
	}
	dport = vnet_next_hop(port, k, &route_why, &pick);
	/* The ACLs see a load balancer's backend, as in the packet path. */
	if (dport && pick.lb.lb)
		vnet_lb_translate_key(k, &pick.lb);
	k->from_vnet = port->vnet->id;
	if (put_acl_step(msg, idx++, &port->acl[VNET_ACL_DIR_OUT],
			 VNET_ACL_DIR_OUT, VNET_ACL_SCOPE_PORT,
			 port->dev->name, k, &allowed) ||
	    put_acl_step(msg, idx++, &port->subnet->acl[VNET_ACL_DIR_OUT],
			 VNET_ACL_DIR_OUT, VNET_ACL_SCOPE_SUBNET,
			 port->subnet->n.name, k, &allowed))
		return -EMSGSIZE;
	if ((pick.sys || pick.user) &&
	    put_route_step(msg, idx++, port, &pick, k))
		return -EMSGSIZE;
	if (dport && pick.lb.lb && put_lb_step(msg, idx++, &pick.lb))
		return -EMSGSIZE;
	if (!dport) {
		why = route_why;
		goto verdict;
	}
	if (dport == port) {
		why = VNET_DROP_LOOP;
		goto verdict;
	}
	/* A remote endpoint's inbound ACLs are its own host's. */
	if (dport->endpoint)
		goto verdict;
	if (put_acl_step(msg, idx++, &dport->subnet->acl[VNET_ACL_DIR_IN],
			 VNET_ACL_DIR_IN, VNET_ACL_SCOPE_SUBNET,
			 dport->subnet->n.name, k, &allowed) ||
	    put_acl_step(msg, idx++, &dport->acl[VNET_ACL_DIR_IN],
			 VNET_ACL_DIR_IN, VNET_ACL_SCOPE_PORT,
			 dport->dev->name, k, &allowed))
		return -EMSGSIZE;
	if (!allowed)
		why = VNET_DROP_ACL;
verdict:
	nla_nest_end(msg, steps);
	if (dport && (nla_put_string(msg, VNET_A_REMOTE, dport->vnet->n.name) ||
		      (dport->endpoint ?
		       vnet_nl_put_endpoint(msg, dport->endpoint) :
		       nla_put_string(msg, VNET_A_TRACE_TO, dport->dev->name))))
		return -EMSGSIZE;
	if (why != VNET_PASS && nla_put_u8(msg, VNET_A_TRACE_DROP, why))
		return -EMSGSIZE;
	return 0;
}

/* The port that sends: the one named, or the owner of the source address. */
static struct vnet_port *sender(struct vnet_req *req, struct vnet_vnet *v,
				const struct vnet_prefix *src)
{
	char a[VNET_PREFIX_STR];
	struct net_device *dev;
	struct vnet_port *port;

	if (req->info->attrs[VNET_A_IFNAME]) {
		dev = vnet_nl_dev(req);
		if (IS_ERR(dev))
			return ERR_CAST(dev);
		port = vnet_port_of(req->vn, dev);
		if (!port || port->vnet != v)
			return ERR_PTR(vnet_refuse(req, -EINVAL,
						   "sending interface is not a port of the vnet",
						   "trace: interface %s is not a port of vnet %s",
						   dev->name, v->n.name));
		return port;
	}
	port = vnet_port_find(req->vn, v->id, src->family, src->addr);
	if (!port) {
		snprintf(a, sizeof(a), src->family == AF_INET ? "%pI4" : "%pI6c",
			 src->addr);
		return ERR_PTR(vnet_refuse(req, -ENOENT,
					   "no port has the source address",
					   "trace: no port of vnet %s has address %s: name the sending port",
					   v->n.name, a));
	}
	return port;
}

int vnet_trace_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct nlattr **attrs = info->attrs;
	struct vnet_acl_key k = {};
	struct vnet_prefix src, dst;
	struct vnet_port *port;
	struct sk_buff *msg;
	struct vnet_vnet *v;
	void *hdr;
	int err;

	if (!attrs[VNET_A_TRACE_SRC] || !attrs[VNET_A_TRACE_DST]) {
		NL_SET_ERR_MSG(info->extack,
			       "missing attribute: trace source or destination");
		return -EINVAL;
	}
	err = vnet_nl_prefix(info, attrs[VNET_A_TRACE_SRC], &src, true) ?:
	      vnet_nl_prefix(info, attrs[VNET_A_TRACE_DST], &dst, true);
	if (err)
		return err;
	if (src.family != dst.family) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[VNET_A_TRACE_DST],
				    "source and destination of different address families");
		return -EINVAL;
	}
	k.family = src.family;
	memcpy(k.src, src.addr, sizeof(k.src));
	memcpy(k.dst, dst.addr, sizeof(k.dst));
	if (attrs[VNET_A_TRACE_PROTO])
		k.proto = nla_get_u8(attrs[VNET_A_TRACE_PROTO]);
	else
		k.proto = k.family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (k.proto == IPPROTO_TCP || k.proto == IPPROTO_UDP) {
		if (attrs[VNET_A_TRACE_SPORT])
			k.sport = nla_get_u16(attrs[VNET_A_TRACE_SPORT]);
		if (attrs[VNET_A_TRACE_DPORT])
			k.dport = nla_get_u16(attrs[VNET_A_TRACE_DPORT]);
	} else if (attrs[VNET_A_TRACE_SPORT] || attrs[VNET_A_TRACE_DPORT]) {
		NL_SET_ERR_MSG(info->extack, "ports need protocol tcp or udp");
		return -EINVAL;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	/*
	 * RTNL, then vn->lock (the lock order): "port DEV" is looked up by
	 * name, and the reply names the sending and receiving ports, whose
	 * devices a concurrent rename or removal would change under us.
	 */
	rtnl_lock();
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	port = IS_ERR(v) ? ERR_CAST(v) : sender(&req, v, &src);
	if (IS_ERR(port)) {
		err = PTR_ERR(port);
		goto out;
	}
	err = -EMSGSIZE;
	hdr = vnet_nl_put_hdr(msg, info->snd_portid, info->snd_seq, 0,
			      VNET_CMD_TRACE);
	if (!hdr ||
	    nla_put_string(msg, VNET_A_VNET, v->n.name) ||
	    nla_put_string(msg, VNET_A_SUBNET, port->subnet->n.name) ||
	    nla_put_string(msg, VNET_A_IFNAME, port->dev->name))
		goto out;
	rcu_read_lock();
	err = put_trace(msg, port, &k);
	rcu_read_unlock();
	if (err)
		goto out;
	genlmsg_end(msg, hdr);
	mutex_unlock(&req.vn->lock);
	rtnl_unlock();
	return genlmsg_reply(msg, info);
out:
	mutex_unlock(&req.vn->lock);
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}
