// SPDX-License-Identifier: GPL-2.0
/*
 * The trace request: parse the packet to trace, find the sending port,
 * run vnet_trace_run() (trace.c) and send its steps, under vn->lock.
 */
#include <linux/slab.h>
#include <net/genetlink.h>

#include "datapath.h"
#include "vnet_nl.h"

const struct nla_policy vnet_trace_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_TRACE_SRC] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_TRACE_DST] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_TRACE_PROTO] = { .type = NLA_U8 },
	[VNET_A_TRACE_SPORT] = { .type = NLA_U16 },
	[VNET_A_TRACE_DPORT] = { .type = NLA_U16 },
};

static int put_step(struct sk_buff *msg, int idx,
		    const struct vnet_trace_step *s)
{
	struct nlattr *nest = nla_nest_start(msg, idx);

	if (!nest || nla_put_u8(msg, VNET_TRACE_A_KIND, s->kind))
		return -EMSGSIZE;
	switch (s->kind) {
	case VNET_TRACE_ACL:
		if (nla_put_u8(msg, VNET_TRACE_A_DIR, s->dir) ||
		    nla_put_u8(msg, VNET_TRACE_A_SCOPE, s->scope) ||
		    nla_put_string(msg, VNET_TRACE_A_NAME, s->name) ||
		    nla_put_u32(msg, VNET_TRACE_A_RULES, s->rules) ||
		    (s->decided &&
		     (nla_put_u16(msg, VNET_TRACE_A_PRIO, s->prio) ||
		      nla_put_u8(msg, VNET_TRACE_A_ACTION, s->action))))
			return -EMSGSIZE;
		break;
	case VNET_TRACE_ROUTE:
		if (vnet_nl_put_prefix(msg, VNET_TRACE_A_PREFIX, &s->prefix) ||
		    nla_put_u8(msg, VNET_TRACE_A_SOURCE, s->source) ||
		    nla_put_u8(msg, VNET_TRACE_A_NEXTHOP, s->nexthop) ||
		    (s->name &&
		     nla_put_string(msg, VNET_TRACE_A_REMOTE, s->name)) ||
		    (s->has_via &&
		     vnet_nl_put_prefix(msg, VNET_TRACE_A_VIA, &s->via)))
			return -EMSGSIZE;
		break;
	case VNET_TRACE_LB:
		if (nla_put_string(msg, VNET_TRACE_A_NAME, s->name) ||
		    vnet_nl_put_prefix(msg, VNET_TRACE_A_VIA, &s->via) ||
		    nla_put_u16(msg, VNET_TRACE_A_PORT, s->port))
			return -EMSGSIZE;
		break;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The steps, then where the packet goes or why it drops. */
static int put_trace(struct sk_buff *msg, const struct vnet_trace *t)
{
	struct vnet_port *dport = t->dport;
	struct nlattr *steps;
	unsigned int i;

	steps = nla_nest_start(msg, VNET_A_TRACE_STEPS);
	if (!steps)
		return -EMSGSIZE;
	for (i = 0; i < t->n; i++)
		if (put_step(msg, i + 1, &t->steps[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, steps);
	if (dport && (nla_put_string(msg, VNET_A_REMOTE, dport->vnet->n.name) ||
		      (dport->endpoint ?
		       vnet_nl_put_endpoint(msg, dport->endpoint) :
		       nla_put_string(msg, VNET_A_TRACE_TO, dport->n.name))))
		return -EMSGSIZE;
	if (t->why != VNET_PASS && nla_put_u8(msg, VNET_A_TRACE_DROP, t->why))
		return -EMSGSIZE;
	return 0;
}

/* The port that sends: the one named, or the owner of the source address. */
static struct vnet_port *sender(struct vnet_req *req, struct vnet_vnet *v,
				const struct vnet_prefix *src)
{
	char a[VNET_PREFIX_STR];
	struct vnet_port *port;

	if (req->info->attrs[VNET_A_IFNAME]) {
		port = vnet_nl_port(req);
		if (IS_ERR(port))
			return port;
		if (port->vnet != v)
			return ERR_PTR(vnet_refuse(req, -EINVAL,
						   "sending port is not a port of the vnet",
						   "trace: port %s is not a port of vnet %s",
						   port->n.name, v->n.name));
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
	struct vnet_msg m = vnet_reply_msg(info, VNET_CMD_TRACE);
	struct vnet_req req = vnet_nl_req(info);
	struct nlattr **attrs = info->attrs;
	struct vnet_trace t;
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
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	port = IS_ERR(v) ? ERR_CAST(v) : sender(&req, v, &src);
	if (IS_ERR(port)) {
		err = PTR_ERR(port);
		goto out;
	}
	err = -EMSGSIZE;
	hdr = vnet_msg_start(msg, &m);
	if (!hdr ||
	    nla_put_string(msg, VNET_A_VNET, v->n.name) ||
	    nla_put_string(msg, VNET_A_SUBNET, port->subnet->n.name) ||
	    nla_put_string(msg, VNET_A_IFNAME, port->n.name))
		goto out;
	rcu_read_lock();
	vnet_trace_run(port, &k, &t);
	err = vnet_msg_end(msg, hdr, put_trace(msg, &t));
	rcu_read_unlock();
	if (err)
		goto out;
	mutex_unlock(&req.vn->lock);
	return genlmsg_reply(msg, info);
out:
	mutex_unlock(&req.vn->lock);
	nlmsg_free(msg);
	return err;
}
