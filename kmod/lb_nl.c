// SPDX-License-Identifier: GPL-2.0
/*
 * Internal load balancers over generic netlink: policies, handlers, the
 * dump and events. The rules live in lb.c.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "lb.h"
#include "vnet_nl.h"

static const struct nla_policy backend_policy[VNET_BACKEND_A_MAX + 1] = {
	[VNET_BACKEND_A_ADDR] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_BACKEND_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

const struct nla_policy vnet_lb_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ORIGIN] = { .type = NLA_U8 },
	[VNET_A_LB_REPLACE] = { .type = NLA_FLAG },
	[VNET_A_LB] = VNET_NAME_POLICY,
	[VNET_A_LB_FRONTEND] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_LB_PROTO] = { .type = NLA_U8 },
	[VNET_A_LB_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[VNET_A_LB_BACKENDS] = NLA_POLICY_NESTED_ARRAY(backend_policy),
};

const struct nla_policy vnet_lb_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_LB] = VNET_NAME_POLICY,
};

static int parse_backend(struct genl_info *info, const struct nlattr *attr,
			 struct vnet_lb_backend *be)
{
	struct nlattr *tb[VNET_BACKEND_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, VNET_BACKEND_A_MAX, attr, backend_policy,
			       info->extack);
	if (err)
		return err;
	if (!tb[VNET_BACKEND_A_ADDR] || !tb[VNET_BACKEND_A_PORT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a backend needs an address and a port");
		return -EINVAL;
	}
	be->port = nla_get_u16(tb[VNET_BACKEND_A_PORT]);
	return vnet_nl_prefix(info, tb[VNET_BACKEND_A_ADDR], &be->addr, true);
}

/* A new lb from the request, not yet checked against the vnet. */
static struct vnet_lb *parse_lb(struct genl_info *info, const char *name)
{
	struct nlattr **attrs = info->attrs;
	struct vnet_lb *lb;
	unsigned int n = 0;
	struct nlattr *a;
	int rem, err;
	u8 proto;

	if (vnet_nl_need(info, VNET_A_LB_FRONTEND, "missing attribute: lb frontend") ||
	    vnet_nl_need(info, VNET_A_LB_PROTO, "missing attribute: lb protocol") ||
	    vnet_nl_need(info, VNET_A_LB_PORT, "missing attribute: lb port") ||
	    vnet_nl_need(info, VNET_A_LB_BACKENDS, "missing attribute: lb backends"))
		return ERR_PTR(-EINVAL);
	proto = nla_get_u8(attrs[VNET_A_LB_PROTO]);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[VNET_A_LB_PROTO],
				    "lb protocol must be tcp or udp");
		return ERR_PTR(-EINVAL);
	}
	nla_for_each_nested(a, attrs[VNET_A_LB_BACKENDS], rem)
		n++;
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[VNET_A_LB_BACKENDS],
				    "an lb needs at least one backend");
		return ERR_PTR(-EINVAL);
	}
	if (n > vnet_max_lb_backends) {
		struct vnet_req req = vnet_nl_req(info);

		NL_SET_BAD_ATTR(info->extack, attrs[VNET_A_LB_BACKENDS]);
		return ERR_PTR(vnet_refuse(&req, -ENOSPC, "too many backends",
					   "lb %s: %u backends, the limit is %u (max_lb_backends parameter)",
					   name, n, vnet_max_lb_backends));
	}
	lb = vnet_lb_alloc(n);
	if (!lb)
		return ERR_PTR(-ENOMEM);
	strscpy(lb->n.name, name, sizeof(lb->n.name));
	lb->proto = proto;
	lb->port = nla_get_u16(attrs[VNET_A_LB_PORT]);
	err = vnet_nl_prefix(info, attrs[VNET_A_LB_FRONTEND], &lb->frontend,
			     true);
	n = 0;
	nla_for_each_nested(a, attrs[VNET_A_LB_BACKENDS], rem) {
		if (err)
			break;
		err = parse_backend(info, a, &lb->backends[n++]);
	}
	if (err) {
		kfree(lb);
		return ERR_PTR(err);
	}
	return lb;
}

int vnet_lb_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	const char *name = vnet_nl_name(info, VNET_A_LB);
	struct vnet_vnet *v;
	struct vnet_lb *lb;
	int err;

	if (!name)
		return -EINVAL;
	lb = parse_lb(info, name);
	if (IS_ERR(lb))
		return PTR_ERR(lb);
	lb->n.origin = req.origin;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	if (IS_ERR(v))
		err = PTR_ERR(v);
	else if (nla_get_flag(info->attrs[VNET_A_LB_REPLACE]))
		err = vnet_lb_replace(&req, v, lb);
	else
		err = vnet_lb_add(&req, v, lb);
	vnet_nl_unlock_commit(req.vn);
	if (err)
		kfree(lb);
	return err;
}

int vnet_lb_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	const char *name = vnet_nl_name(info, VNET_A_LB);
	struct vnet_vnet *v;
	int err;

	if (!name)
		return -EINVAL;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = IS_ERR(v) ? PTR_ERR(v) : vnet_lb_del(&req, v, name);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

/* Messages */

static int put_backends(struct sk_buff *skb, const struct vnet_lb *lb)
{
	struct nlattr *list, *be;
	unsigned int i;

	list = nla_nest_start(skb, VNET_A_LB_BACKENDS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < lb->nr_backends; i++) {
		be = nla_nest_start(skb, i + 1);
		if (!be ||
		    vnet_nl_put_addr(skb, VNET_BACKEND_A_ADDR, &lb->backends[i].addr) ||
		    nla_put_u16(skb, VNET_BACKEND_A_PORT,
				lb->backends[i].port))
			return -EMSGSIZE;
		nla_nest_end(skb, be);
	}
	nla_nest_end(skb, list);
	return 0;
}

/* A dump part or an event; a delete event carries the identity only. */
static int fill_lb(struct sk_buff *skb, const struct vnet_lb *lb,
		   const struct vnet_msg *m)
{
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_VNET, lb->vnet->n.name) ||
			    nla_put_string(skb, VNET_A_LB, lb->n.name) ||
			    (!m->identity_only &&
			     (vnet_nl_put_addr(skb, VNET_A_LB_FRONTEND,
					       &lb->frontend) ||
			      nla_put_u8(skb, VNET_A_LB_PROTO, lb->proto) ||
			      nla_put_u16(skb, VNET_A_LB_PORT, lb->port) ||
			      put_backends(skb, lb) ||
			      vnet_nl_put_origin(skb, lb->n.origin))));
}

void vnet_notify_lb(const struct vnet_lb *lb, u8 cmd)
{
	struct vnet_net *vn = lb->vnet->vn;
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(vn, skb, fill_lb(skb, lb, &m));
}

/*
 * The cursor of an lb dump, in cb->ctx: the last lb sent, by the id of
 * its vnet and its name. Vnets in name order, lbs in name order in each.
 */
struct lb_cursor {
	u32 vnet_id;		/* 0: none yet */
	char name[VNET_NAME_MAX];
};

static_assert(sizeof(struct lb_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

int vnet_lb_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = vnet_dump_msg(cb, VNET_CMD_LB_GET);
	struct lb_cursor *c = (struct lb_cursor *)cb->ctx;
	struct nlattr *only = info->attrs[VNET_A_VNET];
	struct vnet_node *n;
	struct vnet_vnet *v;
	int err = 0;

	v = vnet_nl_dump_lock(vn, cb, only, c->vnet_id);
	if (IS_ERR(v))
		return PTR_ERR(v);
	for (; v; v = vnet_nl_dump_next(v, only)) {
		n = c->vnet_id == v->id ? vnet_node_after(&v->lbs, c->name) :
					  vnet_node_nth(&v->lbs, 0);
		for (; n; n = vnet_node_after(&v->lbs, n->name)) {
			err = fill_lb(skb, container_of(n, struct vnet_lb, n),
				      &m);
			if (err)
				goto out;
			c->vnet_id = v->id;
			strscpy(c->name, n->name, sizeof(c->name));
		}
	}
out:
	mutex_unlock(&vn->lock);
	return vnet_dump_done(skb, err);
}
