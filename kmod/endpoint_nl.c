// SPDX-License-Identifier: GPL-2.0
/*
 * Remote endpoints over generic netlink: policies, handlers, the dump and
 * events. The helpers of netlink.c parse and build what objects share.
 */
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "endpoint.h"
#include "events.h"
#include "vnet_nl.h"

const struct nla_policy vnet_endpoint_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ORIGIN] = { .type = NLA_U8 },
	[VNET_A_ENDPOINT_IP] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_MAC] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[VNET_A_ENDPOINT_UNDERLAY] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_PORT_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PORT_F_ALL),
};

const struct nla_policy vnet_endpoint_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ENDPOINT_IP] = NLA_POLICY_NESTED(vnet_prefix_policy),
};

static int get_ip(struct genl_info *info, struct vnet_prefix *ip)
{
	if (!vnet_nl_name(info, VNET_A_VNET) ||
	    vnet_nl_need(info, VNET_A_ENDPOINT_IP, "missing attribute: endpoint IP"))
		return -EINVAL;
	return vnet_nl_prefix(info, info->attrs[VNET_A_ENDPOINT_IP], ip, true);
}

int vnet_endpoint_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix ip, remote;
	u32 flags = 0, selector = 0;
	struct vnet_vnet *v;
	u8 mac[ETH_ALEN];
	int err;

	err = get_ip(info, &ip);
	if (err)
		return err;
	if (vnet_nl_need(info, VNET_A_MAC, "missing attribute: MAC address") ||
	    vnet_nl_need(info, VNET_A_ENDPOINT_UNDERLAY,
			 "missing attribute: endpoint underlay address"))
		return -EINVAL;
	err = vnet_nl_prefix(info, info->attrs[VNET_A_ENDPOINT_UNDERLAY],
			     &remote, true);
	if (err)
		return err;
	nla_memcpy(mac, info->attrs[VNET_A_MAC], ETH_ALEN);
	vnet_nl_flags(info->attrs[VNET_A_PORT_FLAGS], &flags, &selector);
	rtnl_lock();	/* the first endpoint creates the tunnel device */
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = IS_ERR(v) ? PTR_ERR(v) :
			  vnet_endpoint_add(&req, v, &ip, mac, &remote,
					    flags & selector &
					    VNET_PORT_F_FORWARDING);
	vnet_nl_unlock_commit(req.vn);
	rtnl_unlock();
	return err;
}

int vnet_endpoint_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix ip;
	struct vnet_vnet *v;
	int err;

	err = get_ip(info, &ip);
	if (err)
		return err;
	rtnl_lock();	/* the last endpoint removes the tunnel device */
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = IS_ERR(v) ? PTR_ERR(v) : vnet_endpoint_del(&req, v, &ip);
	vnet_nl_unlock_commit(req.vn);
	rtnl_unlock();
	return err;
}

/* Messages */

/* Also for traces: where a packet to @ep goes. */
int vnet_nl_put_endpoint(struct sk_buff *skb, const struct vnet_endpoint *ep)
{
	return vnet_nl_put_addr(skb, VNET_A_ENDPOINT_IP, &ep->ip) ||
	       nla_put(skb, VNET_A_MAC, ETH_ALEN, ep->mac) ||
	       vnet_nl_put_addr(skb, VNET_A_ENDPOINT_UNDERLAY, &ep->remote) ?
	       -EMSGSIZE : 0;
}

/* A dump part or an event; a delete event carries the identity only. */
static int fill_endpoint(struct sk_buff *skb, const struct vnet_endpoint *ep,
			 const struct vnet_msg *m)
{
	void *hdr = vnet_msg_start(skb, m);
	int err;

	if (!hdr)
		return -EMSGSIZE;
	err = nla_put_string(skb, VNET_A_VNET, ep->vnet->n.name);
	if (!err && m->identity_only)
		err = vnet_nl_put_addr(skb, VNET_A_ENDPOINT_IP, &ep->ip);
	else if (!err)
		err = vnet_nl_put_endpoint(skb, ep) ||
		      nla_put_string(skb, VNET_A_SUBNET, ep->subnet->n.name) ||
		      nla_put_bitfield32(skb, VNET_A_PORT_FLAGS,
					 ep->forwarding ?
					 VNET_PORT_F_FORWARDING : 0,
					 VNET_PORT_F_ALL) ||
		      vnet_nl_put_origin(skb, ep->origin);
	return vnet_msg_end(skb, hdr, err);
}

void vnet_notify_endpoint(const struct vnet_endpoint *ep, u8 cmd)
{
	struct vnet_net *vn = ep->vnet->vn;
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(vn, skb, fill_endpoint(skb, ep, &m));
}

/* The cursor of an endpoint dump, in cb->ctx: the last endpoint sent. */
struct endpoint_cursor {
	u32 vnet_id;		/* 0: none yet */
	struct vnet_prefix ip;
};

static_assert(sizeof(struct endpoint_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

int vnet_endpoint_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = vnet_dump_msg(cb, VNET_CMD_ENDPOINT_GET);
	struct endpoint_cursor *c = (struct endpoint_cursor *)cb->ctx;
	struct nlattr *only = info->attrs[VNET_A_VNET];
	struct vnet_endpoint *ep;
	struct vnet_vnet *v;
	int err = 0;

	v = vnet_nl_dump_lock(vn, cb, only, c->vnet_id);
	if (IS_ERR(v))
		return PTR_ERR(v);
	for (; v; v = vnet_nl_dump_next(v, only)) {
		ep = vnet_endpoint_next(v, c->vnet_id == v->id ? &c->ip : NULL);
		for (; ep; ep = vnet_endpoint_next(v, &ep->ip)) {
			err = fill_endpoint(skb, ep, &m);
			if (err)
				goto out;
			c->vnet_id = v->id;
			c->ip = ep->ip;
		}
	}
out:
	mutex_unlock(&vn->lock);
	return vnet_dump_done(skb, err);
}
