// SPDX-License-Identifier: GPL-2.0
/*
 * Gateway requests: set, delete, dump, and the events of a gateway whose
 * port goes away or comes back.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "route.h"
#include "vnet_nl.h"

const struct nla_policy vnet_gateway_set_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_PREFIXES] = VNET_PREFIXES_POLICY,
};

int vnet_gateway_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_port *port;
	struct vnet_prefix *p;
	struct vnet_vnet *v;
	unsigned int n;
	int err;

	err = vnet_nl_prefixes(info, 1, vnet_max_gateway_prefixes, &p, &n);
	if (err)
		return err;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	port = IS_ERR(v) ? ERR_CAST(v) : vnet_nl_port(&req);
	err = IS_ERR(port) ? PTR_ERR(port) :
			     vnet_gateway_set(&req, v, port, p, n);
	vnet_nl_unlock_commit(req.vn);
	kfree(p);
	return err;
}

int vnet_gateway_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_vnet *v;
	int err;

	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = IS_ERR(v) ? PTR_ERR(v) : vnet_gateway_del(&req, v);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

/* A dump part or an event; a delete event names the vnet only. */
static int fill_gateway(struct sk_buff *skb, struct vnet_vnet *v,
			const struct vnet_msg *m)
{
	const struct vnet_gateway *gw = v->gateway;
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_VNET, v->n.name) ||
			    (gw && !m->identity_only &&
			     (nla_put_string(skb, VNET_A_IFNAME, gw->port->n.name) ||
			      vnet_nl_put_prefixes(skb, gw->prefixes,
						   gw->nr_prefixes) ||
			      nla_put_u8(skb, VNET_A_STATE,
					 vnet_gateway_state(v)))));
}

void vnet_notify_gateway(struct vnet_vnet *v, u8 cmd)
{
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(v->vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(v->vn, skb, fill_gateway(skb, v, &m));
}

/* The cursor of a gateway dump, in cb->ctx: the last gateway sent. */
struct gateway_cursor {
	u32 vnet_id;		/* 0: none yet */
};

static_assert(sizeof(struct gateway_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

int vnet_gateway_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = vnet_dump_msg(cb, VNET_CMD_GATEWAY_GET);
	struct gateway_cursor *c = (struct gateway_cursor *)cb->ctx;
	struct nlattr *only = info->attrs[VNET_A_VNET];
	struct vnet_vnet *v;
	int err = 0;

	v = vnet_nl_dump_lock(vn, cb, only, c->vnet_id);
	if (IS_ERR(v))
		return PTR_ERR(v);
	if (v && c->vnet_id)	/* its gateway went in the last part */
		v = vnet_nl_dump_next(v, only);
	for (; v; v = vnet_nl_dump_next(v, only)) {
		if (!v->gateway)
			continue;
		err = fill_gateway(skb, v, &m);
		if (err)
			break;
		c->vnet_id = v->id;
	}
	mutex_unlock(&vn->lock);
	return vnet_dump_done(skb, err);
}
