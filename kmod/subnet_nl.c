// SPDX-License-Identifier: GPL-2.0
/*
 * Subnet requests: parse, call subnet.c, reply, notify.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "vnet_nl.h"

const struct nla_policy vnet_subnet_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ORIGIN] = { .type = NLA_U8 },
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_PREFIXES] = VNET_PREFIXES_POLICY,
};

const struct nla_policy vnet_subnet_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
};

static int fill_subnet(struct sk_buff *skb, const struct vnet_subnet *s,
		       const struct vnet_msg *m)
{
	struct vnet_prefix p[2] = { s->v4, s->v6 };
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_VNET, s->vnet->n.name) ||
			    nla_put_string(skb, VNET_A_SUBNET, s->n.name) ||
			    (!m->identity_only &&
			     (vnet_nl_put_prefixes(skb, p, 2) ||
			      vnet_nl_put_origin(skb, s->n.origin))));
}

void vnet_notify_subnet(struct vnet_subnet *s, u8 cmd)
{
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(s->vnet->vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(s->vnet->vn, skb, fill_subnet(skb, s, &m));
}

static struct rb_root *subnets_of(struct vnet_vnet *v)
{
	return &v->subnets;
}

static int fill_subnet_rb(struct sk_buff *skb, struct rb_node *rb,
			  const struct vnet_msg *m)
{
	return fill_subnet(skb, rb_entry(rb, struct vnet_subnet, n.rb), m);
}

int vnet_subnet_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	static const struct vnet_child_dump d = {
		.cmd = VNET_CMD_SUBNET_GET,
		.root = subnets_of,
		.fill = fill_subnet_rb,
	};

	return vnet_child_dump(skb, cb, &d);
}

int vnet_subnet_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix *p;
	struct vnet_vnet *v;
	const char *name;
	unsigned int n;
	int err;

	name = vnet_nl_name(info, VNET_A_SUBNET);
	if (!name)
		return -EINVAL;
	err = vnet_nl_prefixes(info, 1, 2, &p, &n);
	if (err)
		return err;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = IS_ERR(v) ? PTR_ERR(v) : vnet_subnet_add(&req, v, name, p, n);
	vnet_nl_unlock_commit(req.vn);
	kfree(p);
	return err;
}

int vnet_subnet_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_subnet *s;
	struct vnet_vnet *v;
	int err;

	if (!vnet_nl_name(info, VNET_A_SUBNET))
		return -EINVAL;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	s = IS_ERR(v) ? ERR_CAST(v) : vnet_nl_subnet(&req, v);
	err = IS_ERR(s) ? PTR_ERR(s) : vnet_subnet_remove(&req, s);
	vnet_nl_unlock_commit(req.vn);
	return err;
}
