// SPDX-License-Identifier: GPL-2.0
/*
 * Peering requests: parse, call peering.c, reply, notify.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "vnet_nl.h"

const struct nla_policy vnet_peering_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ORIGIN] = { .type = NLA_U8 },
	[VNET_A_PEERING] = VNET_NAME_POLICY,
	[VNET_A_REMOTE] = VNET_NAME_POLICY,
	[VNET_A_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PEERING_F_ALL),
};

const struct nla_policy vnet_peering_set_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_PEERING] = VNET_NAME_POLICY,
	[VNET_A_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PEERING_F_ALL),
};

const struct nla_policy vnet_peering_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_PEERING] = VNET_NAME_POLICY,
};

static int fill_peering(struct sk_buff *skb, const struct vnet_peering *p,
			const struct vnet_msg *m)
{
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_VNET, p->local->n.name) ||
			    nla_put_string(skb, VNET_A_PEERING, p->n.name) ||
			    (!m->identity_only &&
			     (nla_put_string(skb, VNET_A_REMOTE, p->remote_name) ||
			      nla_put_bitfield32(skb, VNET_A_FLAGS, p->flags,
						 VNET_PEERING_F_ALL) ||
			      nla_put_u8(skb, VNET_A_STATE, p->state) ||
			      vnet_nl_put_origin(skb, p->n.origin))));
}

void vnet_notify_peering(struct vnet_peering *p, u8 cmd)
{
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(p->local->vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(p->local->vn, skb, fill_peering(skb, p, &m));
}

static struct rb_root *peerings_of(struct vnet_vnet *v)
{
	return &v->peerings;
}

static int fill_peering_rb(struct sk_buff *skb, struct rb_node *rb,
			   const struct vnet_msg *m)
{
	return fill_peering(skb, rb_entry(rb, struct vnet_peering, n.rb), m);
}

int vnet_peering_get_dumpit(struct sk_buff *skb,
			    struct netlink_callback *cb)
{
	static const struct vnet_child_dump d = {
		.cmd = VNET_CMD_PEERING_GET,
		.root = peerings_of,
		.fill = fill_peering_rb,
	};

	return vnet_child_dump(skb, cb, &d);
}

int vnet_peering_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_vnet *v, *r;
	u32 value, selector;
	const char *name;
	int err;

	name = vnet_nl_name(info, VNET_A_PEERING);
	if (!name)
		return -EINVAL;
	vnet_nl_flags(info->attrs[VNET_A_FLAGS], &value, &selector);
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	r = IS_ERR(v) ? v : vnet_nl_vnet(&req, VNET_A_REMOTE);
	if (IS_ERR(r))
		err = PTR_ERR(r);
	else
		err = vnet_peering_add(&req, v, name, r, value, selector);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

/* Find the peering the request names, or refuse. */
static struct vnet_peering *get_peering(struct vnet_req *req)
{
	const char *name = vnet_nl_name(req->info, VNET_A_PEERING);
	struct vnet_peering *p;
	struct vnet_vnet *v;

	if (!name)
		return ERR_PTR(-EINVAL);
	v = vnet_nl_vnet(req, VNET_A_VNET);
	if (IS_ERR(v))
		return ERR_CAST(v);
	p = vnet_peering_find(v, name);
	if (!p)
		return ERR_PTR(vnet_refuse(req, -ENOENT, "peering not found",
					   "vnet %s has no peering %s",
					   v->n.name, name));
	return p;
}

int vnet_peering_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_peering *p;
	u32 value, selector;
	int err;

	if (vnet_nl_missing(info, VNET_A_FLAGS))
		return -EINVAL;
	vnet_nl_flags(info->attrs[VNET_A_FLAGS], &value, &selector);
	mutex_lock(&req.vn->lock);
	p = get_peering(&req);
	err = IS_ERR(p) ? PTR_ERR(p) :
			  vnet_peering_set(&req, p, value, selector);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

int vnet_peering_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_peering *p;

	mutex_lock(&req.vn->lock);
	p = get_peering(&req);
	if (!IS_ERR(p))
		vnet_peering_del(p);
	vnet_nl_unlock_commit(req.vn);
	return PTR_ERR_OR_ZERO(p);
}
