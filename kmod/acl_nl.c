// SPDX-License-Identifier: GPL-2.0
/*
 * ACL rule requests: parse, call acl.c, reply, dump, notify.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "acl.h"
#include "events.h"
#include "vnet_nl.h"

static struct netlink_range_validation acl_prio_range __ro_after_init = {
	.min = VNET_ACL_PRIO_MIN,
	.max = VNET_ACL_PRIO_MAX,
};

const struct nla_policy vnet_acl_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ORIGIN] = { .type = NLA_U8 },
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_ACL_SCOPE] = NLA_POLICY_MAX(NLA_U8, VNET_ACL_SCOPE_PORT),
	[VNET_A_ACL_DIR] = NLA_POLICY_MAX(NLA_U8, VNET_ACL_DIR_OUT),
	[VNET_A_ACL_PRIO] = NLA_POLICY_FULL_RANGE(NLA_U16, &acl_prio_range),
	[VNET_A_ACL_ACTION] = NLA_POLICY_MAX(NLA_U8, VNET_ACL_DENY),
	[VNET_A_ACL_PROTO] = { .type = NLA_U8 },
	[VNET_A_ACL_SRC] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_ACL_DST] = NLA_POLICY_NESTED(vnet_prefix_policy),
	[VNET_A_ACL_SPORT] = { .type = NLA_U32 },
	[VNET_A_ACL_DPORT] = { .type = NLA_U32 },
	[VNET_A_ACL_FROM_VNET] = VNET_NAME_POLICY,
	[VNET_A_ACL_DEFER] = { .type = NLA_FLAG },
};

/* A rule's identity: its list (vnet, scope, direction) and priority. */
const struct nla_policy vnet_acl_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_ACL_SCOPE] = NLA_POLICY_MAX(NLA_U8, VNET_ACL_SCOPE_PORT),
	[VNET_A_ACL_DIR] = NLA_POLICY_MAX(NLA_U8, VNET_ACL_DIR_OUT),
	[VNET_A_ACL_PRIO] = NLA_POLICY_FULL_RANGE(NLA_U16, &acl_prio_range),
	[VNET_A_ACL_DEFER] = { .type = NLA_FLAG },
};

/* ACL rules */

/* The list a request names, and the scope in words for errors. */
static struct vnet_acl_list *get_acl_list(struct vnet_req *req,
					  struct vnet_vnet *v, char *scope,
					  size_t len)
{
	struct genl_info *info = req->info;
	struct vnet_subnet *s;
	struct vnet_port *port;
	u8 dir;

	if (vnet_nl_missing(info, VNET_A_ACL_SCOPE) || vnet_nl_missing(info, VNET_A_ACL_DIR))
		return ERR_PTR(-EINVAL);
	dir = nla_get_u8(info->attrs[VNET_A_ACL_DIR]);
	if (nla_get_u8(info->attrs[VNET_A_ACL_SCOPE]) == VNET_ACL_SCOPE_PORT) {
		port = vnet_nl_port(req);
		if (IS_ERR(port))
			return ERR_CAST(port);
		if (port->vnet != v)
			return ERR_PTR(vnet_refuse(req, -EINVAL,
						   "port is in another vnet",
						   "port %s is in vnet %s, not %s",
						   port->n.name,
						   port->vnet->n.name,
						   v->n.name));
		snprintf(scope, len, "port %s", port->n.name);
		vnet_acl_list_bind(&port->acl[dir], NULL, port, dir);
		return &port->acl[dir];
	}
	s = vnet_nl_subnet(req, v);
	if (IS_ERR(s))
		return ERR_CAST(s);
	snprintf(scope, len, "subnet %s of vnet %s", s->n.name, v->n.name);
	vnet_acl_list_bind(&s->acl[dir], s, NULL, dir);
	return &s->acl[dir];
}

static int get_port_range(struct genl_info *info, int type, u16 *lo, u16 *hi)
{
	u32 r;

	*lo = 0;
	*hi = 65535;
	if (!info->attrs[type])
		return 0;
	r = nla_get_u32(info->attrs[type]);
	*lo = r >> 16;
	*hi = r & 0xffff;
	if (*lo > *hi) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[type],
				    "port range is reversed: the first port is above the last");
		return -EINVAL;
	}
	return 0;
}

/* Everything of a rule but its scope, checked as rule 9 says. */
static int parse_acl_rule(struct vnet_req *req, struct vnet_acl_entry *e)
{
	struct genl_info *info = req->info;
	struct vnet_acl_rule *r = &e->rule;
	struct vnet_vnet *from;
	int err;

	if (vnet_nl_missing(info, VNET_A_ACL_PRIO) || vnet_nl_missing(info, VNET_A_ACL_ACTION))
		return -EINVAL;
	e->prio = nla_get_u16(info->attrs[VNET_A_ACL_PRIO]);
	e->action = nla_get_u8(info->attrs[VNET_A_ACL_ACTION]);
	r->prio = e->prio;
	r->any_proto = !info->attrs[VNET_A_ACL_PROTO];
	if (!r->any_proto)
		r->proto = nla_get_u8(info->attrs[VNET_A_ACL_PROTO]);
	if (info->attrs[VNET_A_ACL_SRC]) {
		err = vnet_nl_prefix(info, info->attrs[VNET_A_ACL_SRC], &r->src,
				     false);
		if (err)
			return err;
		r->family = r->src.family;
	}
	if (info->attrs[VNET_A_ACL_DST]) {
		err = vnet_nl_prefix(info, info->attrs[VNET_A_ACL_DST], &r->dst,
				     false);
		if (err)
			return err;
		if (r->family && r->family != r->dst.family) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[VNET_A_ACL_DST],
					    "source and destination prefixes of different address families");
			return -EINVAL;
		}
		r->family = r->dst.family;
	}
	err = get_port_range(info, VNET_A_ACL_SPORT, &r->sport_lo, &r->sport_hi) ?:
	      get_port_range(info, VNET_A_ACL_DPORT, &r->dport_lo, &r->dport_hi);
	if (err)
		return err;
	if ((info->attrs[VNET_A_ACL_SPORT] || info->attrs[VNET_A_ACL_DPORT]) &&
	    (r->any_proto || (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP))) {
		NL_SET_ERR_MSG(info->extack,
			       "port ranges need protocol tcp or udp");
		return -EINVAL;
	}
	if (info->attrs[VNET_A_ACL_FROM_VNET]) {
		from = vnet_nl_vnet(req, VNET_A_ACL_FROM_VNET);
		if (IS_ERR(from))
			return PTR_ERR(from);
		r->from_vnet = from->id;
	}
	return 0;
}

int vnet_acl_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_acl_list *l;
	struct vnet_acl_entry *e;
	struct vnet_vnet *v;
	char scope[80];
	int err;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->origin = req.origin;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = PTR_ERR_OR_ZERO(v);
	if (err)
		goto out;
	l = get_acl_list(&req, v, scope, sizeof(scope));
	err = PTR_ERR_OR_ZERO(l) ?: parse_acl_rule(&req, e);
	if (err)
		goto out;
	err = vnet_acl_add(&req, l, scope, e,
			   nla_get_flag(info->attrs[VNET_A_ACL_DEFER]));
	if (!err) {
		e = NULL;
		req.vn->gen++;
	}
out:
	mutex_unlock(&req.vn->lock);
	kfree(e);
	return err;
}

int vnet_acl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_acl_list *l;
	struct vnet_vnet *v;
	char scope[80];
	int err;

	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = PTR_ERR_OR_ZERO(v);
	if (err)
		goto out;
	l = get_acl_list(&req, v, scope, sizeof(scope));
	err = PTR_ERR_OR_ZERO(l);
	if (err)
		goto out;
	if (vnet_nl_missing(info, VNET_A_ACL_PRIO)) {
		err = -EINVAL;
		goto out;
	}
	err = vnet_acl_del(&req, l, scope,
			   nla_get_u16(info->attrs[VNET_A_ACL_PRIO]),
			   nla_get_flag(info->attrs[VNET_A_ACL_DEFER]));
	if (!err)
		req.vn->gen++;
out:
	mutex_unlock(&req.vn->lock);
	return err;
}

int vnet_acl_commit_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	int err;

	mutex_lock(&req.vn->lock);
	err = vnet_acl_commit(req.vn);
	mutex_unlock(&req.vn->lock);
	if (err)
		NL_SET_ERR_MSG(info->extack,
			       "out of memory compiling ACL rules: the previous rules stay in force, retried in a second");
	return err;
}

static int put_port_range(struct sk_buff *skb, int type, u16 lo, u16 hi)
{
	if (!lo && hi == 65535)
		return 0;
	return nla_put_u32(skb, type, (u32)lo << 16 | hi);
}

/*
 * A rule of the list of @dir of subnet @s or @port. A delete event carries
 * the rule's identity, and @gone, the deleted vnet it named as from-vnet,
 * when that is why it went.
 */
static int fill_acl(struct sk_buff *skb, const struct vnet_vnet *v,
		    const struct vnet_subnet *s, const struct vnet_port *port,
		    u8 dir, const struct vnet_acl_entry *e,
		    const struct vnet_msg *m, const struct vnet_vnet *gone)
{
	const struct vnet_acl_rule *r = &e->rule;
	void *hdr = vnet_msg_start(skb, m);
	struct vnet_vnet *from;
	int err;

	if (!hdr)
		return -EMSGSIZE;
	err = nla_put_string(skb, VNET_A_VNET, v->n.name) ||
	      nla_put_u8(skb, VNET_A_ACL_SCOPE, port ? VNET_ACL_SCOPE_PORT :
						      VNET_ACL_SCOPE_SUBNET) ||
	      (port ? nla_put_string(skb, VNET_A_IFNAME, port->n.name) :
		      nla_put_string(skb, VNET_A_SUBNET, s->n.name)) ||
	      nla_put_u8(skb, VNET_A_ACL_DIR, dir) ||
	      nla_put_u16(skb, VNET_A_ACL_PRIO, e->prio);
	if (err || m->identity_only) {
		if (!err && gone)
			err = nla_put_string(skb, VNET_A_ACL_FROM_VNET,
					     gone->n.name);
		return vnet_msg_end(skb, hdr, err);
	}
	err = nla_put_u8(skb, VNET_A_ACL_ACTION, e->action) ||
	      vnet_nl_put_origin(skb, e->origin) ||
	      (!r->any_proto && nla_put_u8(skb, VNET_A_ACL_PROTO, r->proto)) ||
	      (r->src.family && vnet_nl_put_prefix(skb, VNET_A_ACL_SRC, &r->src)) ||
	      (r->dst.family && vnet_nl_put_prefix(skb, VNET_A_ACL_DST, &r->dst)) ||
	      put_port_range(skb, VNET_A_ACL_SPORT, r->sport_lo, r->sport_hi) ||
	      put_port_range(skb, VNET_A_ACL_DPORT, r->dport_lo, r->dport_hi);
	if (!err && r->from_vnet) {
		/* Deleting a vnet removes the rules that name it. */
		from = xa_load(&v->vn->ids, r->from_vnet);
		err = from ? nla_put_string(skb, VNET_A_ACL_FROM_VNET, from->n.name) :
			     nla_put_u32(skb, VNET_A_ID, r->from_vnet);
	}
	return vnet_msg_end(skb, hdr, err);
}

/*
 * The cursor of an ACL dump, in cb->ctx: the key of the last rule sent.
 * Each part resumes after it with tree searches, whatever was added or
 * removed in between.
 */
struct acl_cursor {
	char name[VNET_NAME_MAX];	/* of the scope, a subnet or port */
	u16 prio;
	u8 scope;			/* enum vnet_acl_scope */
	u8 dir;
	bool started;			/* false: nothing sent yet */
};

static_assert(sizeof(struct acl_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

/*
 * The rules of one scope, in then out, by priority; @same: the scope of
 * the cursor, so start after its rule.
 */
static int dump_acl_scope(struct sk_buff *skb, struct acl_cursor *c,
			  const struct vnet_msg *m, const struct vnet_vnet *v,
			  struct vnet_subnet *s, struct vnet_port *port,
			  bool same)
{
	struct vnet_acl_list *lists = port ? port->acl : s->acl;
	struct vnet_acl_entry *e;
	struct rb_node *rb;
	int err;
	u8 dir;

	for (dir = same ? c->dir : 0; dir < 2; dir++) {
		if (same && dir == c->dir) {
			e = vnet_acl_next(&lists[dir], c->prio);
			rb = e ? &e->rb : NULL;
		} else {
			rb = rb_first(&lists[dir].rules);
		}
		for (; rb; rb = rb_next(rb)) {
			e = rb_entry(rb, struct vnet_acl_entry, rb);
			err = fill_acl(skb, v, s, port, dir, e, m, NULL);
			if (err)
				return err;
			c->scope = port ? VNET_ACL_SCOPE_PORT :
					  VNET_ACL_SCOPE_SUBNET;
			strscpy(c->name, port ? port->n.name : s->n.name,
				sizeof(c->name));
			c->dir = dir;
			c->prio = e->prio;
			c->started = true;
		}
	}
	return 0;
}

/* The scope to resume from in @root: the cursor's (@same), or the next. */
static struct rb_node *resume(struct rb_root *root, const struct acl_cursor *c,
			      bool *same)
{
	struct vnet_node *n = vnet_node_find(root, c->name);

	*same = n;
	if (!n)
		n = vnet_node_after(root, c->name);
	return n ? &n->rb : NULL;
}

static int dump_acl_rules(struct sk_buff *skb, struct acl_cursor *c,
			  const struct vnet_msg *m, struct vnet_vnet *v)
{
	struct vnet_port *port;
	struct rb_node *rb;
	bool same = false;
	int err;

	if (!c->started || c->scope == VNET_ACL_SCOPE_SUBNET) {
		rb = c->started ? resume(&v->subnets, c, &same) :
				  rb_first(&v->subnets);
		for (; rb; rb = rb_next(rb), same = false) {
			err = dump_acl_scope(skb, c, m, v,
					     rb_entry(rb, struct vnet_subnet, n.rb),
					     NULL, same);
			if (err)
				return err;
		}
		rb = rb_first(&v->vn->ports);
	} else {
		rb = resume(&v->vn->ports, c, &same);
	}
	for (; rb; rb = rb_next(rb), same = false) {
		port = rb_entry(rb, struct vnet_port, n.rb);
		if (port->vnet != v)
			continue;
		err = dump_acl_scope(skb, c, m, v, NULL, port, same);
		if (err)
			return err;
	}
	return 0;
}

/* Every rule of a vnet: subnets by name, then ports by name. */
int vnet_acl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = vnet_dump_msg(cb, VNET_CMD_ACL_GET);
	struct acl_cursor *c = (struct acl_cursor *)cb->ctx;
	struct nlattr *name = info->attrs[VNET_A_VNET];
	struct vnet_vnet *v;
	int err = 0;

	if (!name) {
		NL_SET_ERR_MSG(cb->extack, "missing attribute: vnet name");
		return -EINVAL;
	}
	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	v = vnet_find(vn, nla_data(name));
	if (v)
		err = dump_acl_rules(skb, c, &m, v);
	mutex_unlock(&vn->lock);
	if (!v && !c->started) {
		NL_SET_ERR_MSG(cb->extack, "vnet not found");
		return -ENOENT;
	}
	return vnet_dump_done(skb, err);
}

/* ACL events: under vn->lock. */
void vnet_notify_acl(const struct vnet_acl_list *l,
		     const struct vnet_acl_entry *e, u8 cmd,
		     const struct vnet_vnet *gone)
{
	struct vnet_vnet *v = vnet_acl_list_vnet(l);
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(v->vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(v->vn, skb,
				   fill_acl(skb, v, l->subnet, l->port, l->dir, e,
					    &m, gone));
}

/* Deferred changes of @l took effect: one event for all of them. */
void vnet_notify_acl_commit(const struct vnet_acl_list *l)
{
	struct vnet_vnet *v = vnet_acl_list_vnet(l);
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(v->vn, VNET_CMD_ACL_COMMIT, &m);
	void *hdr;
	int err;

	if (!skb)
		return;
	hdr = vnet_msg_start(skb, &m);
	if (!hdr) {
		nlmsg_free(skb);
		return;
	}
	err = nla_put_string(skb, VNET_A_VNET, v->n.name) ||
	      nla_put_u8(skb, VNET_A_ACL_SCOPE,
			 l->port ? VNET_ACL_SCOPE_PORT : VNET_ACL_SCOPE_SUBNET) ||
	      (l->port ?
	       nla_put_string(skb, VNET_A_IFNAME, l->port->n.name) :
	       nla_put_string(skb, VNET_A_SUBNET, l->subnet->n.name)) ||
	      nla_put_u8(skb, VNET_A_ACL_DIR, l->dir) ||
	      nla_put_u32(skb, VNET_A_ACL_RULES, l->count) ||
	      nla_put_u32(skb, VNET_A_ACL_ADDED, l->added) ||
	      nla_put_u32(skb, VNET_A_ACL_REMOVED, l->removed);
	vnet_nl_event_send(v->vn, skb, vnet_msg_end(skb, hdr, err));
}
