// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family and what every handler shares: the ops table
 * (each op with the policy of exactly its attributes, validated strictly),
 * the refusal, request parsing, the message builder, the event helper and
 * the dump helpers. The handlers live in one *_nl.c per kind of object;
 * they parse, take vn->lock, call the object code and reply, and the rules
 * live with the objects.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <linux/rtnetlink.h>
#include <net/sock.h>

#include "events.h"
#include "route.h"
#include "vnet_nl.h"
#include "core/name.h"

static struct genl_family vnet_family;

enum { VNET_MCGRP_EVENTS_ID };

/* Events tell what every tenant changes: joining needs CAP_NET_ADMIN too. */
static const struct genl_multicast_group vnet_mcgrps[] = {
	[VNET_MCGRP_EVENTS_ID] = { .name = VNET_MCGRP_EVENTS,
				   .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/* Policies: each command accepts its own attributes and nothing else. */

const struct nla_policy vnet_prefix_policy[VNET_PREFIX_A_MAX + 1] = {
	[VNET_PREFIX_A_IN_ADDR] = NLA_POLICY_EXACT_LEN(4),
	[VNET_PREFIX_A_IN6_ADDR] = NLA_POLICY_EXACT_LEN(16),
	[VNET_PREFIX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/*
 * The vnet name alone: vnet del and get, and the dumps that a vnet name
 * restricts (subnets, peerings, ACL rules, gateways, lbs, endpoints).
 */
const struct nla_policy vnet_vnet_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
};

/* genl_ops.internal_flags: a request that may change state (post_doit). */
#define VNET_OP_CHANGES	0x01

/* No attributes: an all-zero policy refuses every one (strict). */
static const struct nla_policy empty_policy[VNET_A_MAX + 1] = {};

/* Refusals */

/*
 * Before each request: where its refusal goes (vnet_nl_req()). After it:
 * the flow table told of a change, the refusal, if any, as the extack
 * message and, just before the error, a VNET_CMD_ERROR message with the
 * full text.
 */
static int vnet_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			 struct genl_info *info)
{
	info->user_ptr[0] = kzalloc(sizeof(struct vnet_refusal), GFP_KERNEL);
	return info->user_ptr[0] ? 0 : -ENOMEM;
}

static void vnet_post_doit(const struct genl_ops *ops, struct sk_buff *skb,
			   struct genl_info *info)
{
	struct vnet_refusal *r = info->user_ptr[0];
	struct vnet_msg m;
	struct sk_buff *msg;
	void *hdr;

	/* Done or refused, what it changed is in place (published). */
	if (ops->internal_flags & VNET_OP_CHANGES)
		vnet_flows_changed(vnet_pernet(genl_info_net(info)));

	if (r->msg && info->extack)
		info->extack->_msg = r->msg;	/* a string literal */
	if (!r->text)
		goto out;
	msg = genlmsg_new(nla_total_size(strlen(r->text) + 1), GFP_KERNEL);
	if (!msg)
		goto out;
	m = vnet_reply_msg(info, VNET_CMD_ERROR);
	hdr = vnet_msg_start(msg, &m);
	if (!hdr || nla_put_string(msg, VNET_A_ERROR_MSG, r->text)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	genlmsg_reply(msg, info);
out:
	kfree(r->text);
	kfree(r);
}

/* Request parsing */

static const char *const missing_msg[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = "missing attribute: vnet name",
	[VNET_A_ID] = "missing attribute: vnet id",
	[VNET_A_PREFIXES] = "missing attribute: prefixes",
	[VNET_A_SUBNET] = "missing attribute: subnet name",
	[VNET_A_PEERING] = "missing attribute: peering name",
	[VNET_A_REMOTE] = "missing attribute: remote vnet",
	[VNET_A_FLAGS] = "missing attribute: peering flags",
	[VNET_A_IFNAME] = "missing attribute: interface name",
	[VNET_A_MAC] = "missing attribute: MAC address",
	[VNET_A_ADDRS] = "missing attribute: addresses",
	[VNET_A_ACL_SCOPE] = "missing attribute: ACL scope",
	[VNET_A_ACL_DIR] = "missing attribute: ACL direction",
	[VNET_A_ACL_PRIO] = "missing attribute: ACL priority",
	[VNET_A_ACL_ACTION] = "missing attribute: ACL action",
	[VNET_A_LB] = "missing attribute: lb name",
};

/* A required attribute is absent: say which, in words and as a type. */
bool vnet_nl_missing(struct genl_info *info, int type)
{
	if (info->attrs[type])
		return false;
	if (info->extack)
		info->extack->_msg = missing_msg[type];	/* static strings */
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
	return true;
}

/* The same, with the words of @msg (a static string). */
bool vnet_nl_need(struct genl_info *info, int type, const char *msg)
{
	if (info->attrs[type])
		return false;
	if (info->extack)
		info->extack->_msg = msg;
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, type);
	return true;
}

const char *vnet_nl_name(struct genl_info *info, int type)
{
	const char *name;

	if (vnet_nl_missing(info, type))
		return NULL;
	name = nla_data(info->attrs[type]);
	if (!vnet_name_valid(name, VNET_NAME_MAX)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "bad name: use 1 to 31 characters of A-Z a-z 0-9 _ . -");
		return NULL;
	}
	return name;
}

/*
 * A prefix, or with @addr an address (a prefix of full length, given
 * without VNET_PREFIX_A_LEN).
 */
int vnet_nl_prefix(struct genl_info *info, const struct nlattr *attr,
		   struct vnet_prefix *p, bool addr)
{
	struct nlattr *tb[VNET_PREFIX_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, VNET_PREFIX_A_MAX, attr, vnet_prefix_policy,
			       info->extack);
	if (err)
		return err;
	memset(p, 0, sizeof(*p));
	if (!!tb[VNET_PREFIX_A_IN_ADDR] == !!tb[VNET_PREFIX_A_IN6_ADDR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a prefix needs exactly one IPv4 or IPv6 address");
		return -EINVAL;
	}
	if (addr && tb[VNET_PREFIX_A_LEN]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "an address has no length");
		return -EINVAL;
	}
	if (!addr && !tb[VNET_PREFIX_A_LEN]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a prefix needs a length");
		return -EINVAL;
	}
	if (tb[VNET_PREFIX_A_IN_ADDR]) {
		p->family = AF_INET;
		nla_memcpy(p->addr, tb[VNET_PREFIX_A_IN_ADDR], 4);
	} else {
		p->family = AF_INET6;
		nla_memcpy(p->addr, tb[VNET_PREFIX_A_IN6_ADDR], 16);
	}
	p->len = addr ? vnet_prefix_bits(p->family) :
			nla_get_u8(tb[VNET_PREFIX_A_LEN]);
	if (p->len > vnet_prefix_bits(p->family)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VNET_PREFIX_A_LEN],
				    "prefix length out of range for the address family");
		return -EINVAL;
	}
	if (!vnet_prefix_valid(p)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "prefix has host bits set");
		return -EINVAL;
	}
	return 0;
}

/*
 * Parse VNET_A_PREFIXES into a new array of @min..@max prefixes; the
 * caller frees *@out.
 */
int vnet_nl_prefix_list(struct genl_info *info, int type, unsigned int min,
			unsigned int max, struct vnet_prefix **out,
			unsigned int *count)
{
	struct nlattr *attr = info->attrs[type];
	struct vnet_prefix *p;
	unsigned int n = 0;
	struct nlattr *a;
	int rem, err;

	if (vnet_nl_missing(info, type))
		return -EINVAL;
	nla_for_each_nested(a, attr, rem)
		n++;
	if (n < min) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "too few prefixes");
		return -EINVAL;
	}
	if (n > max) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "too many prefixes");
		return max > 2 ? -ENOSPC : -EINVAL;
	}
	p = kmalloc_array(n, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(a, attr, rem) {
		err = vnet_nl_prefix(info, a, &p[n++], type == VNET_A_ADDRS);
		if (err) {
			kfree(p);
			return err;
		}
	}
	*out = p;
	*count = n;
	return 0;
}

int vnet_nl_prefixes(struct genl_info *info, unsigned int min,
		     unsigned int max, struct vnet_prefix **out,
		     unsigned int *count)
{
	return vnet_nl_prefix_list(info, VNET_A_PREFIXES, min, max, out, count);
}

struct vnet_vnet *vnet_nl_vnet(struct vnet_req *req, int type)
{
	const char *name = vnet_nl_name(req->info, type);
	struct vnet_vnet *v;

	lockdep_assert_held(&req->vn->lock);
	if (!name)
		return ERR_PTR(-EINVAL);
	v = vnet_find(req->vn, name);
	if (!v) {
		NL_SET_BAD_ATTR(req->info->extack, req->info->attrs[type]);
		if (type == VNET_A_REMOTE)	/* rule 2 */
			vnet_refuse(req, -ENOENT, "remote vnet not found",
				    "remote vnet %s is not known to this network controller (network namespace)",
				    name);
		else
			vnet_refuse(req, -ENOENT, "vnet not found",
				    "vnet %s does not exist", name);
		return ERR_PTR(-ENOENT);
	}
	return v;
}

/* The subnet of @v the request's VNET_A_SUBNET names, or a refusal. */
struct vnet_subnet *vnet_nl_subnet(struct vnet_req *req, struct vnet_vnet *v)
{
	const char *name = vnet_nl_name(req->info, VNET_A_SUBNET);
	struct vnet_subnet *s;

	lockdep_assert_held(&req->vn->lock);
	if (!name)
		return ERR_PTR(-EINVAL);
	s = vnet_subnet_find(v, name);
	if (!s) {
		NL_SET_BAD_ATTR(req->info->extack,
				req->info->attrs[VNET_A_SUBNET]);
		return ERR_PTR(vnet_refuse(req, -ENOENT, "subnet not found",
					   "vnet %s has no subnet %s",
					   v->n.name, name));
	}
	return s;
}

/* Messages: GET replies and events share these fillers. */

int vnet_nl_put_prefix(struct sk_buff *skb, int type,
		       const struct vnet_prefix *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if ((p->family == AF_INET ?
	     nla_put(skb, VNET_PREFIX_A_IN_ADDR, 4, p->addr) :
	     nla_put(skb, VNET_PREFIX_A_IN6_ADDR, 16, p->addr)) ||
	    nla_put_u8(skb, VNET_PREFIX_A_LEN, p->len)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* An address: a prefix without its length. */
/* Who made an object, unless an operator did (VNET_A_ORIGIN). */
int vnet_nl_put_origin(struct sk_buff *skb, u8 origin)
{
	return origin ? nla_put_u8(skb, VNET_A_ORIGIN, origin) : 0;
}

int vnet_nl_put_addr(struct sk_buff *skb, int type, const struct vnet_prefix *a)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (a->family == AF_INET ?
	    nla_put(skb, VNET_PREFIX_A_IN_ADDR, 4, a->addr) :
	    nla_put(skb, VNET_PREFIX_A_IN6_ADDR, 16, a->addr)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int vnet_nl_put_prefixes(struct sk_buff *skb, const struct vnet_prefix *p,
			 unsigned int n)
{
	struct nlattr *nest = nla_nest_start(skb, VNET_A_PREFIXES);
	unsigned int i, idx = 0;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		if (!p[i].family)
			continue;
		if (vnet_nl_put_prefix(skb, ++idx, &p[i])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The one message builder: every reply, dump part and event starts with
 * vnet_msg_start() and ends with vnet_msg_end(), whatever it carries.
 */
void *vnet_msg_start(struct sk_buff *skb, const struct vnet_msg *m)
{
	void *hdr = genlmsg_put(skb, m->portid, m->seq, &vnet_family,
				m->flags, m->cmd);

	if (hdr && m->cb)
		genl_dump_check_consistent(m->cb, hdr);
	return hdr;
}

int vnet_msg_end(struct sk_buff *skb, void *hdr, int err)
{
	if (err) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Dumps */

/*
 * The start of a part of a dump of per-vnet objects: takes vn->lock (the
 * caller drops it), and returns the vnet the part goes on in. Dumps walk
 * vnets by name and remember the key of the last object they sent, whose
 * vnet is @last (its id; 0 before the first object). That vnet, the first
 * one, or the one @only names; NULL when there is none, or when the
 * cursor's vnet was deleted since the last part (the change moved vn->gen:
 * the dump ends flagged as interrupted and the requester retries);
 * -ENOENT, unlocked, when @only names no vnet.
 */
struct vnet_vnet *vnet_nl_dump_lock(struct vnet_net *vn,
				    struct netlink_callback *cb,
				    const struct nlattr *only, u32 last)
{
	struct vnet_vnet *v;
	struct rb_node *rb;

	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	if (only) {
		v = vnet_find(vn, nla_data(only));
		if (!v && !last) {
			mutex_unlock(&vn->lock);
			NL_SET_ERR_MSG_ATTR(cb->extack, only, "vnet does not exist");
			return ERR_PTR(-ENOENT);
		}
		return v && (!last || v->id == last) ? v : NULL;
	}
	if (last)
		return xa_load(&vn->ids, last);
	rb = rb_first(&vn->vnets);
	return rb ? rb_entry(rb, struct vnet_vnet, n.rb) : NULL;
}

/* The vnet after @v by name, or NULL; a dump restricted to one has none. */
struct vnet_vnet *vnet_nl_dump_next(struct vnet_vnet *v,
				    const struct nlattr *only)
{
	struct rb_node *rb = only ? NULL : rb_next(&v->n.rb);

	return rb ? rb_entry(rb, struct vnet_vnet, n.rb) : NULL;
}

/* Events */

bool vnet_nl_events_wanted(struct vnet_net *vn)
{
	return !vn->dying &&
	       genl_has_listeners(&vnet_family, vn->net, VNET_MCGRP_EVENTS_ID);
}

void vnet_nl_event_send(struct vnet_net *vn, struct sk_buff *skb, int err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&vnet_family, vn->net, skb, 0,
				VNET_MCGRP_EVENTS_ID, GFP_KERNEL);
}

/*
 * The one notify helper: a message for event @cmd and its header fields in
 * @m, or NULL when nobody listens (or no memory). The caller fills it and
 * hands it to vnet_nl_event_send(). A delete event carries the identity of
 * the object only.
 */
struct sk_buff *vnet_nl_event_new(struct vnet_net *vn, u8 cmd,
				  struct vnet_msg *m)
{
	lockdep_assert_held(&vn->lock);
	*m = (struct vnet_msg){
		.cmd = cmd,
		.identity_only = cmd == VNET_CMD_VNET_DEL ||
				 cmd == VNET_CMD_SUBNET_DEL ||
				 cmd == VNET_CMD_PEERING_DEL ||
				 cmd == VNET_CMD_PORT_DEL ||
				 cmd == VNET_CMD_ACL_DEL ||
				 cmd == VNET_CMD_ROUTE_DEL ||
				 cmd == VNET_CMD_GATEWAY_DEL ||
				 cmd == VNET_CMD_LB_DEL ||
				 cmd == VNET_CMD_ENDPOINT_DEL,
	};
	if (!vnet_nl_events_wanted(vn))
		return NULL;
	return genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
}

/* Handlers */

/* End of a change: publish the routes it touched, then let others in. */
void vnet_nl_unlock_commit(struct vnet_net *vn)
{
	lockdep_assert_held(&vn->lock);
	vnet_fib_commit(vn);
	mutex_unlock(&vn->lock);
}

struct vnet_req vnet_nl_req(struct genl_info *info)
{
	return (struct vnet_req){
		.info = info,
		.vn = vnet_pernet(genl_info_net(info)),
		.refusal = info->user_ptr[0],
		.origin = info->attrs[VNET_A_ORIGIN] ?
			  nla_get_u8(info->attrs[VNET_A_ORIGIN]) : 0,
	};
}

static int info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_msg m = vnet_reply_msg(info, VNET_CMD_INFO_GET);
	struct vnet_net *vn = vnet_pernet(genl_info_net(info));
	struct sk_buff *reply;
	struct nlattr *nest;
	void *hdr;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = vnet_msg_start(reply, &m);
	if (!hdr)
		goto nospace;
	mutex_lock(&vn->lock);
	if (nla_put_string(reply, VNET_A_VERSION, VNET_MOD_VERSION) ||
	    nla_put(reply, VNET_A_ROUTER_MAC, ETH_ALEN, vn->router_mac))
		goto nospace_unlock;
	nest = nla_nest_start(reply, VNET_A_OBJECTS);
	if (!nest ||
	    nla_put_u32(reply, VNET_OBJ_A_VNETS, vn->nr_vnets) ||
	    nla_put_u32(reply, VNET_OBJ_A_SUBNETS, vn->nr_subnets) ||
	    nla_put_u32(reply, VNET_OBJ_A_PEERINGS, vn->nr_peerings) ||
	    nla_put_u32(reply, VNET_OBJ_A_PREFIXES, vn->nr_prefixes))
		goto nospace_unlock;
	nla_nest_end(reply, nest);
	mutex_unlock(&vn->lock);
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

nospace_unlock:
	mutex_unlock(&vn->lock);
nospace:
	nlmsg_free(reply);
	return -EMSGSIZE;
}

/* A reply to the request @info. */
struct vnet_msg vnet_reply_msg(const struct genl_info *info, u8 cmd)
{
	return (struct vnet_msg){
		.portid = info->snd_portid,
		.seq = info->snd_seq,
		.cmd = cmd,
	};
}

/* A part of the dump @cb. */
struct vnet_msg vnet_dump_msg(struct netlink_callback *cb, u8 cmd)
{
	return (struct vnet_msg){
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.flags = NLM_F_MULTI,
		.cmd = cmd,
		.cb = cb,
	};
}

/*
 * The end of a dump part: it holds as many objects as fit, and the
 * cursor remembers the key of the last one sent. An object that does not
 * fit in an empty part is an error, never a silent truncation.
 */
int vnet_dump_done(struct sk_buff *skb, int err)
{
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* The cursor, in cb->ctx: the last child sent, by vnet id and name. */
struct child_cursor {
	char name[VNET_NAME_MAX];
	u32 id;
	bool started;
};

static_assert(sizeof(struct child_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

/* The children of @v, after the cursor's if @v is the cursor's vnet. */
static int child_dump_vnet(struct sk_buff *skb, struct child_cursor *c,
			   const struct vnet_child_dump *d,
			   const struct vnet_msg *m, struct vnet_vnet *v,
			   bool same)
{
	struct rb_root *root = d->root(v);
	struct vnet_node *n;
	struct rb_node *rb;
	int err;

	if (same) {
		n = vnet_node_after(root, c->name);
		rb = n ? &n->rb : NULL;
	} else {
		rb = rb_first(root);
	}
	for (; rb; rb = rb_next(rb)) {
		err = d->fill(skb, rb, m);
		if (err)
			return err;
		c->id = v->id;
		strscpy(c->name, rb_entry(rb, struct vnet_node, rb)->name,
			sizeof(c->name));
		c->started = true;
	}
	return 0;
}

/*
 * Subnet and peering dumps walk vnets by id and, in each, a tree of
 * children by name. VNET_A_VNET restricts the walk to one vnet.
 */
int vnet_child_dump(struct sk_buff *skb, struct netlink_callback *cb,
		    const struct vnet_child_dump *d)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct child_cursor *c = (struct child_cursor *)cb->ctx;
	struct vnet_msg m = vnet_dump_msg(cb, d->cmd);
	struct nlattr *only = info->attrs[VNET_A_VNET];
	unsigned long id;
	struct vnet_vnet *v;
	int err = 0;

	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	if (only) {
		v = vnet_find(vn, nla_data(only));
		if (v)
			err = child_dump_vnet(skb, c, d, &m, v, c->started);
		else if (!c->started)
			err = -ENOENT;
	} else {
		xa_for_each_start(&vn->ids, id, v, c->started ? c->id : 0) {
			err = child_dump_vnet(skb, c, d, &m, v,
					      c->started && c->id == id);
			if (err)
				break;
		}
	}
	mutex_unlock(&vn->lock);
	if (err == -ENOENT) {
		NL_SET_ERR_MSG_ATTR(cb->extack, only, "vnet does not exist");
		return err;
	}
	return vnet_dump_done(skb, err);
}

/* A bitfield32 attribute, or nothing selected when it is absent. */
void vnet_nl_flags(const struct nlattr *attr, u32 *value, u32 *selector)
{
	struct nla_bitfield32 bf = { 0, 0 };

	if (attr)
		bf = nla_get_bitfield32(attr);
	*value = bf.value;
	*selector = bf.selector;
}

/* The family */

/*
 * Every command needs CAP_NET_ADMIN in the user namespace that owns the
 * socket's network namespace, reads included, as nftables asks to list a
 * ruleset: the state names every tenant's addresses, rules and traffic.
 * genetlink checks the flag before any policy or handler runs, so the
 * refusal is a bare -EPERM without extack message; vnetctl explains it.
 */
#define VNET_OP(_cmd, _doit, _dumpit, _policy)			\
	VNET_OP_FULL(_cmd, _doit, NULL, _dumpit, NULL, _policy, 0)

/* A dump whose cursor @_start allocates and @_done frees. */
#define VNET_OP_CURSOR(_cmd, _doit, _start, _dumpit, _done, _policy) \
	VNET_OP_FULL(_cmd, _doit, _start, _dumpit, _done, _policy, 0)

/* A request that may change state: the flow table forgets (post_doit). */
#define VNET_OP_CHANGE(_cmd, _doit, _dumpit, _policy)		\
	VNET_OP_FULL(_cmd, _doit, NULL, _dumpit, NULL, _policy,	\
		     VNET_OP_CHANGES)

/*
 * A change that reaches the packet path only when it is published (ACL
 * rules: a batch defers them to its commit), and which tells the flow
 * table then (vnet_ct_rules_changed()): not at each request, else every
 * flow would take the full path again after each line of a batch.
 */
#define VNET_OP_PUBLISH(_cmd, _doit, _policy)			\
	VNET_OP(_cmd, _doit, NULL, _policy)

#define VNET_OP_FULL(_cmd, _doit, _start, _dumpit, _done, _policy, _iflags) \
	{							\
		.cmd = _cmd,					\
		.doit = _doit,					\
		.start = _start,				\
		.dumpit = _dumpit,				\
		.done = _done,					\
		.policy = _policy,				\
		.maxattr = VNET_A_MAX,				\
		.flags = GENL_UNS_ADMIN_PERM,			\
		.internal_flags = _iflags,			\
	}

static const struct genl_ops vnet_ops[] = {
	VNET_OP(VNET_CMD_INFO_GET, info_get_doit, NULL, empty_policy),
	VNET_OP_CHANGE(VNET_CMD_VNET_NEW, vnet_new_doit, NULL, vnet_vnet_new_policy),
	VNET_OP_CHANGE(VNET_CMD_VNET_DEL, vnet_del_doit, NULL, vnet_vnet_policy),
	VNET_OP(VNET_CMD_VNET_GET, vnet_get_doit, vnet_get_dumpit,
		vnet_vnet_policy),
	VNET_OP_CHANGE(VNET_CMD_PREFIX_NEW, vnet_prefix_new_doit, NULL,
		vnet_prefix_change_policy),
	VNET_OP_CHANGE(VNET_CMD_PREFIX_DEL, vnet_prefix_del_doit, NULL,
		vnet_prefix_change_policy),
	VNET_OP_CHANGE(VNET_CMD_SUBNET_NEW, vnet_subnet_new_doit, NULL, vnet_subnet_new_policy),
	VNET_OP_CHANGE(VNET_CMD_SUBNET_DEL, vnet_subnet_del_doit, NULL, vnet_subnet_del_policy),
	VNET_OP(VNET_CMD_SUBNET_GET, NULL, vnet_subnet_get_dumpit,
		vnet_vnet_policy),
	VNET_OP_CHANGE(VNET_CMD_PEERING_NEW, vnet_peering_new_doit, NULL,
		vnet_peering_new_policy),
	VNET_OP_CHANGE(VNET_CMD_PEERING_SET, vnet_peering_set_doit, NULL,
		vnet_peering_set_policy),
	VNET_OP_CHANGE(VNET_CMD_PEERING_DEL, vnet_peering_del_doit, NULL,
		vnet_peering_del_policy),
	VNET_OP(VNET_CMD_PEERING_GET, NULL, vnet_peering_get_dumpit,
		vnet_vnet_policy),
	VNET_OP_CHANGE(VNET_CMD_PORT_NEW, vnet_port_new_doit, NULL, vnet_port_new_policy),
	VNET_OP_CHANGE(VNET_CMD_PORT_DEL, vnet_port_del_doit, NULL, vnet_ifname_policy),
	VNET_OP(VNET_CMD_PORT_GET, vnet_port_get_doit, vnet_port_get_dumpit,
		vnet_ifname_policy),
	VNET_OP(VNET_CMD_STATS_GET, vnet_stats_get_doit, vnet_stats_get_dumpit,
		vnet_ifname_policy),
	VNET_OP_PUBLISH(VNET_CMD_ACL_NEW, vnet_acl_new_doit, vnet_acl_new_policy),
	VNET_OP_PUBLISH(VNET_CMD_ACL_DEL, vnet_acl_del_doit, vnet_acl_del_policy),
	VNET_OP(VNET_CMD_ACL_GET, NULL, vnet_acl_get_dumpit, vnet_vnet_policy),
	VNET_OP_PUBLISH(VNET_CMD_ACL_COMMIT, vnet_acl_commit_doit, empty_policy),
	VNET_OP_CHANGE(VNET_CMD_ROUTE_NEW, vnet_route_new_doit, NULL,
		vnet_route_new_policy),
	VNET_OP_CHANGE(VNET_CMD_ROUTE_DEL, vnet_route_del_doit, NULL,
		vnet_route_del_policy),
	VNET_OP_CURSOR(VNET_CMD_ROUTE_GET, NULL, vnet_route_get_start,
		       vnet_route_get_dumpit, vnet_route_get_done,
		       vnet_route_get_policy),
	VNET_OP_CHANGE(VNET_CMD_GATEWAY_SET, vnet_gateway_set_doit, NULL,
		vnet_gateway_set_policy),
	VNET_OP_CHANGE(VNET_CMD_GATEWAY_DEL, vnet_gateway_del_doit, NULL,
		vnet_vnet_policy),
	VNET_OP(VNET_CMD_GATEWAY_GET, NULL, vnet_gateway_get_dumpit,
		vnet_vnet_policy),
	VNET_OP(VNET_CMD_TRACE, vnet_trace_doit, NULL, vnet_trace_policy),
	VNET_OP_CHANGE(VNET_CMD_LB_NEW, vnet_lb_new_doit, NULL, vnet_lb_new_policy),
	VNET_OP_CHANGE(VNET_CMD_LB_DEL, vnet_lb_del_doit, NULL, vnet_lb_del_policy),
	VNET_OP(VNET_CMD_LB_GET, NULL, vnet_lb_get_dumpit, vnet_vnet_policy),
	VNET_OP_CHANGE(VNET_CMD_ENDPOINT_NEW, vnet_endpoint_new_doit, NULL,
		vnet_endpoint_new_policy),
	VNET_OP_CHANGE(VNET_CMD_ENDPOINT_DEL, vnet_endpoint_del_doit, NULL,
		vnet_endpoint_del_policy),
	VNET_OP(VNET_CMD_ENDPOINT_GET, NULL, vnet_endpoint_get_dumpit,
		vnet_vnet_policy),
	VNET_OP_CHANGE(VNET_CMD_PORT_SET, vnet_port_set_doit, NULL, vnet_port_set_policy),
};

static struct genl_family vnet_family __ro_after_init = {
	.name = VNET_GENL_NAME,
	.version = VNET_GENL_VERSION,
	.maxattr = VNET_A_MAX,
	.netnsok = true,
	.parallel_ops = true,	/* vn->lock serialises each namespace */
	.module = THIS_MODULE,
	.ops = vnet_ops,
	.n_ops = ARRAY_SIZE(vnet_ops),
	.mcgrps = vnet_mcgrps,
	.n_mcgrps = ARRAY_SIZE(vnet_mcgrps),
	.pre_doit = vnet_pre_doit,
	.post_doit = vnet_post_doit,
};

int vnet_genl_init(void)
{
	return genl_register_family(&vnet_family);
}

void vnet_genl_exit(void)
{
	genl_unregister_family(&vnet_family);
}
