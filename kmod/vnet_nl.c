// SPDX-License-Identifier: GPL-2.0
/*
 * vnet and prefix requests: parse, call network.c, reply, notify.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "events.h"
#include "vnet_nl.h"

static struct netlink_range_validation id_range __ro_after_init = {
	.min = VNET_ID_MIN,
	.max = VNET_ID_MAX,
};

const struct nla_policy vnet_vnet_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ORIGIN] = { .type = NLA_U8 },
	[VNET_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[VNET_A_PREFIXES] = VNET_PREFIXES_POLICY,
};

const struct nla_policy vnet_prefix_change_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_PREFIXES] = VNET_PREFIXES_POLICY,
};

static int fill_vnet(struct sk_buff *skb, const struct vnet_vnet *v,
		     const struct vnet_msg *m)
{
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_VNET, v->n.name) ||
			    (!m->identity_only &&
			     (nla_put_u32(skb, VNET_A_ID, v->id) ||
			      vnet_nl_put_prefixes(skb, v->prefixes, v->nr_prefixes) ||
			      vnet_nl_put_origin(skb, v->n.origin))));
}

static int fill_prefix(struct sk_buff *skb, const struct vnet_vnet *v,
		       const struct vnet_prefix *p, const struct vnet_msg *m)
{
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_VNET, v->n.name) ||
			    vnet_nl_put_prefixes(skb, p, 1));
}

void vnet_notify_vnet(struct vnet_vnet *v, u8 cmd)
{
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(v->vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(v->vn, skb, fill_vnet(skb, v, &m));
}

void vnet_notify_prefix(struct vnet_vnet *v, const struct vnet_prefix *p,
			u8 cmd)
{
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(v->vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(v->vn, skb, fill_prefix(skb, v, p, &m));
}

int vnet_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix *p;
	const char *name;
	unsigned int n;
	int err;

	name = vnet_nl_name(info, VNET_A_VNET);
	if (!name || vnet_nl_missing(info, VNET_A_ID))
		return -EINVAL;
	err = vnet_nl_prefixes(info, 1, vnet_max_prefixes, &p, &n);
	if (err)
		return err;
	mutex_lock(&req.vn->lock);
	err = vnet_add(&req, name, nla_get_u32(info->attrs[VNET_A_ID]), p, n);
	vnet_nl_unlock_commit(req.vn);
	kfree(p);
	return err;
}

int vnet_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_vnet *v;
	int err;

	rtnl_lock();	/* its ports are unbound */
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = IS_ERR(v) ? PTR_ERR(v) : vnet_remove(&req, v);
	vnet_nl_unlock_commit(req.vn);
	rtnl_unlock();
	return err;
}

int vnet_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_msg m = vnet_reply_msg(info, VNET_CMD_VNET_GET);
	struct sk_buff *reply;
	struct vnet_vnet *v;
	int err;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = IS_ERR(v) ? PTR_ERR(v) : fill_vnet(reply, v, &m);
	mutex_unlock(&req.vn->lock);
	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/* The cursor of a vnet dump, in cb->ctx: the name of the last vnet sent. */
struct vnet_cursor {
	char name[VNET_NAME_MAX];
	bool started;
};

static_assert(sizeof(struct vnet_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

int vnet_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = vnet_dump_msg(cb, VNET_CMD_VNET_GET);
	struct vnet_cursor *c = (struct vnet_cursor *)cb->ctx;
	struct vnet_vnet *v;
	struct vnet_node *n;
	struct rb_node *rb;
	int err = 0;

	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	if (c->started) {
		n = vnet_node_after(&vn->vnets, c->name);
		rb = n ? &n->rb : NULL;
	} else {
		rb = rb_first(&vn->vnets);
	}
	for (; rb; rb = rb_next(rb)) {
		v = rb_entry(rb, struct vnet_vnet, n.rb);
		err = fill_vnet(skb, v, &m);
		if (err)
			break;
		strscpy(c->name, v->n.name, sizeof(c->name));
		c->started = true;
	}
	mutex_unlock(&vn->lock);
	return vnet_dump_done(skb, err);
}

static int prefix_change_doit(struct genl_info *info, bool add)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix *p;
	struct vnet_vnet *v;
	unsigned int n;
	int err;

	err = vnet_nl_prefixes(info, 1, 1, &p, &n);
	if (err)
		return err;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	if (IS_ERR(v))
		err = PTR_ERR(v);
	else if (add)
		err = vnet_prefix_add(&req, v, p);
	else
		err = vnet_prefix_del(&req, v, p);
	vnet_nl_unlock_commit(req.vn);
	kfree(p);
	return err;
}

int vnet_prefix_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return prefix_change_doit(info, true);
}

int vnet_prefix_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return prefix_change_doit(info, false);
}
