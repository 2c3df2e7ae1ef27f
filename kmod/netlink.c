// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family: strict policies, request parsing, replies,
 * dumps and events. Handlers parse, take vn->lock, call the object code
 * and reply; the rules live with the objects.
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <linux/rtnetlink.h>
#include <net/sock.h>

#include "vnet.h"
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

#define PREFIXES_POLICY NLA_POLICY_NESTED_ARRAY(vnet_prefix_policy)

static struct netlink_range_validation id_range __ro_after_init = {
	.min = VNET_ID_MIN,
	.max = VNET_ID_MAX,
};

static const struct nla_policy vnet_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_ID] = NLA_POLICY_FULL_RANGE(NLA_U32, &id_range),
	[VNET_A_PREFIXES] = PREFIXES_POLICY,
};

/*
 * The vnet name alone: vnet del and get, and the dumps that a vnet name
 * restricts (subnets, peerings, ACL rules, gateways, lbs, endpoints).
 */
const struct nla_policy vnet_vnet_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
};

static const struct nla_policy prefix_change_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_PREFIXES] = PREFIXES_POLICY,
};

static const struct nla_policy subnet_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_PREFIXES] = PREFIXES_POLICY,
};

static const struct nla_policy subnet_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
};

static const struct nla_policy peering_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_PEERING] = VNET_NAME_POLICY,
	[VNET_A_REMOTE] = VNET_NAME_POLICY,
	[VNET_A_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PEERING_F_ALL),
};

static const struct nla_policy peering_set_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_PEERING] = VNET_NAME_POLICY,
	[VNET_A_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PEERING_F_ALL),
};

static const struct nla_policy peering_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_PEERING] = VNET_NAME_POLICY,
};


static const struct nla_policy port_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_MAC] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[VNET_A_ADDRS] = PREFIXES_POLICY,
	[VNET_A_PORT_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PORT_F_ALL),
};

static struct netlink_range_validation acl_prio_range __ro_after_init = {
	.min = VNET_ACL_PRIO_MIN,
	.max = VNET_ACL_PRIO_MAX,
};

static const struct nla_policy acl_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
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
static const struct nla_policy acl_del_policy[VNET_A_MAX + 1] = {
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_ACL_SCOPE] = NLA_POLICY_MAX(NLA_U8, VNET_ACL_SCOPE_PORT),
	[VNET_A_ACL_DIR] = NLA_POLICY_MAX(NLA_U8, VNET_ACL_DIR_OUT),
	[VNET_A_ACL_PRIO] = NLA_POLICY_FULL_RANGE(NLA_U16, &acl_prio_range),
	[VNET_A_ACL_DEFER] = { .type = NLA_FLAG },
};

/* No attributes: an all-zero policy refuses every one (strict). */
static const struct nla_policy empty_policy[VNET_A_MAX + 1] = {};

/* port del and get, stats */
static const struct nla_policy ifname_policy[VNET_A_MAX + 1] = {
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
};

/* Refusals */

/*
 * Refuse a request: @msg, a fixed string, goes into the extack (Linux 6.1
 * copies it only after the handler returned and the locks are dropped, so
 * it cannot be formatted); the formatted text, which names the objects
 * involved, is unicast to the requester as VNET_CMD_ERROR just before the
 * error. Returns @err so callers can "return vnet_refuse(...)".
 */
int vnet_refuse(struct vnet_req *req, int err, const char *msg,
		const char *fmt, ...)
{
	struct genl_info *info = req ? req->info : NULL;
	struct sk_buff *skb;
	va_list ap;
	char *text;
	void *hdr;

	if (!info)
		return err;
	if (info->extack)
		info->extack->_msg = msg;	/* a string literal */

	va_start(ap, fmt);
	text = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (!text)
		return err;
	skb = genlmsg_new(nla_total_size(strlen(text) + 1), GFP_KERNEL);
	if (!skb)
		goto out;
	hdr = genlmsg_put_reply(skb, info, &vnet_family, 0, VNET_CMD_ERROR);
	if (!hdr || nla_put_string(skb, VNET_A_ERROR_MSG, text)) {
		nlmsg_free(skb);
		goto out;
	}
	genlmsg_end(skb, hdr);
	genlmsg_reply(skb, info);
out:
	kfree(text);
	return err;
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
static bool missing(struct genl_info *info, int type)
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

	if (missing(info, type))
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
static int parse_list(struct genl_info *info, int type, unsigned int min,
		      unsigned int max, struct vnet_prefix **out,
		      unsigned int *count)
{
	struct nlattr *attr = info->attrs[type];
	struct vnet_prefix *p;
	unsigned int n = 0;
	struct nlattr *a;
	int rem, err;

	if (missing(info, type))
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
	return parse_list(info, VNET_A_PREFIXES, min, max, out, count);
}

struct vnet_vnet *vnet_nl_vnet(struct vnet_req *req, int type)
{
	const char *name = vnet_nl_name(req->info, type);
	struct vnet_vnet *v;

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

/* Where a message goes: a reply, a dump part or an event. */
struct vnet_msg {
	u32 portid;
	u32 seq;
	int flags;
	u8 cmd;
	struct netlink_callback *cb;	/* dumps only */
	bool identity_only;		/* delete events */
};

static void *msg_start(struct sk_buff *skb, const struct vnet_msg *m)
{
	void *hdr = genlmsg_put(skb, m->portid, m->seq, &vnet_family,
				m->flags, m->cmd);

	if (hdr && m->cb)
		genl_dump_check_consistent(m->cb, hdr);
	return hdr;
}

static int msg_end(struct sk_buff *skb, void *hdr, int err)
{
	if (err) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int fill_vnet(struct sk_buff *skb, const struct vnet_vnet *v,
		     const struct vnet_msg *m)
{
	void *hdr = msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, VNET_A_VNET, v->n.name) ||
		       (!m->identity_only &&
			(nla_put_u32(skb, VNET_A_ID, v->id) ||
			 vnet_nl_put_prefixes(skb, v->prefixes, v->nr_prefixes))));
}

static int fill_prefix(struct sk_buff *skb, const struct vnet_vnet *v,
		       const struct vnet_prefix *p, const struct vnet_msg *m)
{
	void *hdr = msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, VNET_A_VNET, v->n.name) ||
		       vnet_nl_put_prefixes(skb, p, 1));
}

static int fill_subnet(struct sk_buff *skb, const struct vnet_subnet *s,
		       const struct vnet_msg *m)
{
	struct vnet_prefix p[2] = { s->v4, s->v6 };
	void *hdr = msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, VNET_A_VNET, s->vnet->n.name) ||
		       nla_put_string(skb, VNET_A_SUBNET, s->n.name) ||
		       (!m->identity_only && vnet_nl_put_prefixes(skb, p, 2)));
}

static int fill_peering(struct sk_buff *skb, const struct vnet_peering *p,
			const struct vnet_msg *m)
{
	void *hdr = msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, VNET_A_VNET, p->local->n.name) ||
		       nla_put_string(skb, VNET_A_PEERING, p->n.name) ||
		       (!m->identity_only &&
			(nla_put_string(skb, VNET_A_REMOTE, p->remote_name) ||
			 nla_put_bitfield32(skb, VNET_A_FLAGS, p->flags,
					    VNET_PEERING_F_ALL) ||
			 nla_put_u8(skb, VNET_A_STATE, p->state))));
}

static int put_addrs(struct sk_buff *skb, const struct vnet_port *port)
{
	struct nlattr *nest = nla_nest_start(skb, VNET_A_ADDRS), *a;
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < port->nr_addrs; i++) {
		const struct vnet_addr_key *k = &port->addrs[i].key;

		a = nla_nest_start(skb, i + 1);
		if (!a || (k->family == AF_INET ?
			   nla_put(skb, VNET_PREFIX_A_IN_ADDR, 4, k->addr) :
			   nla_put(skb, VNET_PREFIX_A_IN6_ADDR, 16, k->addr))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, a);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Under RTNL (the interface name) and vn->lock. */
static int fill_port(struct sk_buff *skb, const struct vnet_port *port,
		     const struct vnet_msg *m)
{
	void *hdr = msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, VNET_A_IFNAME, port->dev->name) ||
		       (!m->identity_only &&
			(nla_put_string(skb, VNET_A_VNET, port->vnet->n.name) ||
			 nla_put_string(skb, VNET_A_SUBNET,
					port->subnet->n.name) ||
			 nla_put(skb, VNET_A_MAC, ETH_ALEN, port->mac) ||
			 put_addrs(skb, port) ||
			 nla_put_bitfield32(skb, VNET_A_PORT_FLAGS, port->flags,
					    VNET_PORT_F_ALL))));
}

static void stats_sum(const struct vnet_port *port, struct vnet_port_stats *sum)
{
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vnet_port_stats *st = per_cpu_ptr(port->stats, cpu);
		u64 v[4 + __VNET_DROP_MAX];

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			v[0] = u64_stats_read(&st->rx_packets);
			v[1] = u64_stats_read(&st->rx_bytes);
			v[2] = u64_stats_read(&st->tx_packets);
			v[3] = u64_stats_read(&st->tx_bytes);
			for (i = 0; i < __VNET_DROP_MAX; i++)
				v[4 + i] = u64_stats_read(&st->drops[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		u64_stats_add(&sum->rx_packets, v[0]);
		u64_stats_add(&sum->rx_bytes, v[1]);
		u64_stats_add(&sum->tx_packets, v[2]);
		u64_stats_add(&sum->tx_bytes, v[3]);
		for (i = 0; i < __VNET_DROP_MAX; i++)
			u64_stats_add(&sum->drops[i], v[4 + i]);
	}
}

static int put_stats(struct sk_buff *skb, const struct vnet_port *port)
{
	struct nlattr *nest, *drops;
	struct vnet_port_stats sum;
	unsigned int i;

	stats_sum(port, &sum);
	nest = nla_nest_start(skb, VNET_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_RX_PACKETS,
			      u64_stats_read(&sum.rx_packets), VNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_RX_BYTES,
			      u64_stats_read(&sum.rx_bytes), VNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_TX_PACKETS,
			      u64_stats_read(&sum.tx_packets), VNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_TX_BYTES,
			      u64_stats_read(&sum.tx_bytes), VNET_STATS_A_PAD) ||
	    nla_put_u32(skb, VNET_STATS_A_CONNS,
			vnet_ct_port_count(port, VNET_CT_CONN)) ||
	    nla_put_u32(skb, VNET_STATS_A_FRAGMENTS,
			vnet_ct_port_count(port, VNET_CT_FRAGMENT)) ||
	    nla_put_u32(skb, VNET_STATS_A_LB_FLOWS,
			vnet_ct_port_count(port, VNET_CT_LB_FLOW)))
		return -EMSGSIZE;
	drops = nla_nest_start(skb, VNET_STATS_A_DROPS);
	if (!drops)
		return -EMSGSIZE;
	for (i = 0; i < __VNET_DROP_MAX; i++) {
		u64 n = u64_stats_read(&sum.drops[i]);

		if (n && nla_put_u64_64bit(skb, i + 1, n, VNET_STATS_A_PAD))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, drops);
	nla_nest_end(skb, nest);
	return 0;
}

static int fill_stats(struct sk_buff *skb, const struct vnet_port *port,
		      const struct vnet_msg *m)
{
	void *hdr = msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return msg_end(skb, hdr,
		       nla_put_string(skb, VNET_A_IFNAME, port->dev->name) ||
		       put_stats(skb, port));
}

/* Events */

/*
 * Under vn->lock: the vnet a dump of per-vnet objects goes on from, the
 * cb->args[0]th, or the one @only names (in its first part only); NULL
 * when there is none left, -ENOENT if @only names no vnet.
 */
struct vnet_node *vnet_nl_dump_start(struct vnet_net *vn,
				     struct netlink_callback *cb,
				     const struct nlattr *only)
{
	struct vnet_node *n;

	if (!only)
		return vnet_node_nth(&vn->vnets, cb->args[0]);
	if (cb->args[0])
		return NULL;
	n = vnet_node_find(&vn->vnets, nla_data(only));
	if (n)
		return n;
	NL_SET_ERR_MSG_ATTR(cb->extack, only, "vnet does not exist");
	return ERR_PTR(-ENOENT);
}

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

static struct vnet_msg event_msg(u8 cmd)
{
	return (struct vnet_msg){
		.cmd = cmd,
		.identity_only = cmd == VNET_CMD_VNET_DEL ||
				 cmd == VNET_CMD_SUBNET_DEL ||
				 cmd == VNET_CMD_PEERING_DEL ||
				 cmd == VNET_CMD_PORT_DEL ||
				 cmd == VNET_CMD_ACL_DEL,
	};
}

void vnet_notify_vnet(struct vnet_vnet *v, u8 cmd)
{
	struct vnet_msg m = event_msg(cmd);
	struct sk_buff *skb;

	if (!vnet_nl_events_wanted(v->vn))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		vnet_nl_event_send(v->vn, skb, fill_vnet(skb, v, &m));
}

void vnet_notify_prefix(struct vnet_vnet *v, const struct vnet_prefix *p,
			u8 cmd)
{
	struct vnet_msg m = event_msg(cmd);
	struct sk_buff *skb;

	if (!vnet_nl_events_wanted(v->vn))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		vnet_nl_event_send(v->vn, skb, fill_prefix(skb, v, p, &m));
}

void vnet_notify_subnet(struct vnet_subnet *s, u8 cmd)
{
	struct vnet_msg m = event_msg(cmd);
	struct sk_buff *skb;

	if (!vnet_nl_events_wanted(s->vnet->vn))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		vnet_nl_event_send(s->vnet->vn, skb, fill_subnet(skb, s, &m));
}

void vnet_notify_peering(struct vnet_peering *p, u8 cmd)
{
	struct vnet_msg m = event_msg(cmd);
	struct sk_buff *skb;

	if (!vnet_nl_events_wanted(p->local->vn))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		vnet_nl_event_send(p->local->vn, skb, fill_peering(skb, p, &m));
}

void vnet_notify_port(struct vnet_port *port, u8 cmd)
{
	struct vnet_msg m = event_msg(cmd);
	struct sk_buff *skb;

	if (!vnet_nl_events_wanted(port->vn))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		vnet_nl_event_send(port->vn, skb, fill_port(skb, port, &m));
}

/* Handlers */

/* End of a change: publish the routes it touched, then let others in. */
void vnet_nl_unlock_commit(struct vnet_net *vn)
{
	vnet_fib_commit(vn);
	mutex_unlock(&vn->lock);
}

struct vnet_req vnet_nl_req(struct genl_info *info)
{
	return (struct vnet_req){
		.info = info,
		.vn = vnet_pernet(genl_info_net(info)),
	};
}

static int info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_net *vn = vnet_pernet(genl_info_net(info));
	struct sk_buff *reply;
	struct nlattr *nest;
	void *hdr;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &vnet_family, 0,
				VNET_CMD_INFO_GET);
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

static int vnet_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix *p;
	const char *name;
	unsigned int n;
	int err;

	name = vnet_nl_name(info, VNET_A_VNET);
	if (!name || missing(info, VNET_A_ID))
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

static int vnet_del_doit(struct sk_buff *skb, struct genl_info *info)
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

static int vnet_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_msg m = {
		.portid = info->snd_portid,
		.seq = info->snd_seq,
		.cmd = VNET_CMD_VNET_GET,
	};
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

static struct vnet_msg dump_msg(struct netlink_callback *cb, u8 cmd)
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
 * A dump part holds as many objects as fit; the cursor in cb->args counts
 * the objects already sent. An object that does not fit in an empty part
 * is an error, never a silent truncation.
 */
static int dump_result(struct sk_buff *skb, int err)
{
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* The cursor of a vnet dump, in cb->ctx: the name of the last vnet sent. */
struct vnet_cursor {
	char name[VNET_NAME_MAX];
	bool started;
};

static_assert(sizeof(struct vnet_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

static int vnet_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = dump_msg(cb, VNET_CMD_VNET_GET);
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
	return dump_result(skb, err);
}

/*
 * Subnet and peering dumps walk vnets by id and, in each, a tree of
 * children by name. VNET_A_VNET restricts the walk to one vnet.
 */
struct child_dump {
	u8 cmd;
	struct rb_root *(*root)(struct vnet_vnet *v);
	int (*fill)(struct sk_buff *skb, struct rb_node *rb,
		    const struct vnet_msg *m);
};

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
			   const struct child_dump *d,
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

static int child_dump(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct child_dump *d)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct child_cursor *c = (struct child_cursor *)cb->ctx;
	struct vnet_msg m = dump_msg(cb, d->cmd);
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
	return dump_result(skb, err);
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

static int subnet_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	static const struct child_dump d = {
		.cmd = VNET_CMD_SUBNET_GET,
		.root = subnets_of,
		.fill = fill_subnet_rb,
	};

	return child_dump(skb, cb, &d);
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

static int peering_get_dumpit(struct sk_buff *skb,
			      struct netlink_callback *cb)
{
	static const struct child_dump d = {
		.cmd = VNET_CMD_PEERING_GET,
		.root = peerings_of,
		.fill = fill_peering_rb,
	};

	return child_dump(skb, cb, &d);
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

static int prefix_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	return prefix_change_doit(info, true);
}

static int prefix_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return prefix_change_doit(info, false);
}

static int subnet_new_doit(struct sk_buff *skb, struct genl_info *info)
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

static int subnet_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_subnet *s = NULL;
	struct vnet_vnet *v;
	const char *name;
	int err = 0;

	name = vnet_nl_name(info, VNET_A_SUBNET);
	if (!name)
		return -EINVAL;
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	if (IS_ERR(v))
		err = PTR_ERR(v);
	else
		s = vnet_subnet_find(v, name);
	if (!err && !s)
		err = vnet_refuse(&req, -ENOENT, "subnet not found",
				  "vnet %s has no subnet %s", v->n.name, name);
	if (!err)
		err = vnet_subnet_remove(&req, s);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

static void get_flags(const struct nlattr *attr, u32 *value, u32 *selector)
{
	struct nla_bitfield32 bf = { 0, 0 };

	if (attr)
		bf = nla_get_bitfield32(attr);
	*value = bf.value;
	*selector = bf.selector;
}

static int peering_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_vnet *v, *r;
	u32 value, selector;
	const char *name;
	int err;

	name = vnet_nl_name(info, VNET_A_PEERING);
	if (!name)
		return -EINVAL;
	get_flags(info->attrs[VNET_A_FLAGS], &value, &selector);
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

static int peering_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_peering *p;
	u32 value, selector;
	int err;

	if (missing(info, VNET_A_FLAGS))
		return -EINVAL;
	get_flags(info->attrs[VNET_A_FLAGS], &value, &selector);
	mutex_lock(&req.vn->lock);
	p = get_peering(&req);
	err = IS_ERR(p) ? PTR_ERR(p) :
			  vnet_peering_set(&req, p, value, selector);
	vnet_nl_unlock_commit(req.vn);
	return err;
}

static int peering_del_doit(struct sk_buff *skb, struct genl_info *info)
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

/* Find the interface the request names; under RTNL. */
struct net_device *vnet_nl_dev(struct vnet_req *req)
{
	struct genl_info *info = req->info;
	struct net_device *dev;
	const char *name;

	if (missing(info, VNET_A_IFNAME))
		return ERR_PTR(-EINVAL);
	name = nla_data(info->attrs[VNET_A_IFNAME]);
	dev = __dev_get_by_name(req->vn->net, name);
	if (!dev) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VNET_A_IFNAME]);
		return ERR_PTR(vnet_refuse(req, -ENODEV,
					   "interface does not exist",
					   "interface %s does not exist in this network namespace",
					   name));
	}
	return dev;
}

static struct vnet_port *get_port(struct vnet_req *req)
{
	struct net_device *dev = vnet_nl_dev(req);
	struct vnet_port *port;

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	port = vnet_port_of(req->vn, dev);
	/* The tunnel device has counters too. */
	if (!port && req->info->genlhdr->cmd == VNET_CMD_STATS_GET)
		port = vnet_tunnel_port(req->vn, dev);
	if (!port)
		return ERR_PTR(vnet_refuse(req, -ENOENT,
					   "interface is not a port",
					   "interface %s is not a port",
					   dev->name));
	return port;
}

static int port_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_subnet *s = NULL;
	struct net_device *dev;
	u32 flags = 0, selector = 0;
	struct vnet_prefix *a;
	const char *sname;
	struct vnet_vnet *v;
	unsigned int n;
	int err;

	sname = vnet_nl_name(info, VNET_A_SUBNET);
	if (!sname || missing(info, VNET_A_MAC))
		return -EINVAL;
	err = parse_list(info, VNET_A_ADDRS, 1, vnet_max_port_addrs, &a, &n);
	if (err)
		return err;
	if (info->attrs[VNET_A_PORT_FLAGS])
		get_flags(info->attrs[VNET_A_PORT_FLAGS], &flags, &selector);
	rtnl_lock();
	mutex_lock(&req.vn->lock);
	dev = vnet_nl_dev(&req);
	v = IS_ERR(dev) ? ERR_CAST(dev) : vnet_nl_vnet(&req, VNET_A_VNET);
	if (IS_ERR(v)) {
		err = PTR_ERR(v);
		goto out;
	}
	s = vnet_subnet_find(v, sname);
	if (!s) {
		err = vnet_refuse(&req, -ENOENT, "subnet not found",
				  "vnet %s has no subnet %s", v->n.name, sname);
		goto out;
	}
	err = vnet_port_add(&req, dev, s, nla_data(info->attrs[VNET_A_MAC]),
			    a, n, flags & selector);
out:
	vnet_nl_unlock_commit(req.vn);
	rtnl_unlock();
	kfree(a);
	return err;
}

static int port_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_port *port;
	int err;

	rtnl_lock();
	mutex_lock(&req.vn->lock);
	port = get_port(&req);
	err = IS_ERR(port) ? PTR_ERR(port) : vnet_port_remove(&req, port);
	vnet_nl_unlock_commit(req.vn);
	rtnl_unlock();
	return err;
}

/* Port and stats replies: one port (doit) or all, by ifindex (dumpit). */
typedef int (*port_filler)(struct sk_buff *skb, const struct vnet_port *port,
			   const struct vnet_msg *m);

static int port_reply(struct genl_info *info, u8 cmd, port_filler fill)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_msg m = {
		.portid = info->snd_portid,
		.seq = info->snd_seq,
		.cmd = cmd,
	};
	struct vnet_port *port;
	struct sk_buff *reply;
	int err;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	rtnl_lock();
	mutex_lock(&req.vn->lock);
	port = get_port(&req);
	err = IS_ERR(port) ? PTR_ERR(port) : fill(reply, port, &m);
	mutex_unlock(&req.vn->lock);
	rtnl_unlock();
	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

static int port_dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
		     port_filler fill)
{
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = dump_msg(cb, cmd);
	struct vnet_port *port;
	unsigned long idx;
	int err = 0;

	rtnl_lock();
	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	xa_for_each_start(&vn->ports, idx, port, cb->args[0]) {
		err = fill(skb, port, &m);
		if (err)
			break;
		cb->args[0] = idx + 1;
	}
	/* Stats: the tunnel's counters after the ports' (cb->args[1]). */
	port = vnet_tunnel_port(vn, NULL);
	if (!err && cmd == VNET_CMD_STATS_GET && port && !cb->args[1]) {
		err = fill(skb, port, &m);
		if (!err)
			cb->args[1] = 1;
	}
	mutex_unlock(&vn->lock);
	rtnl_unlock();
	return dump_result(skb, err);
}

static int port_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return port_reply(info, VNET_CMD_PORT_GET, fill_port);
}

static int port_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return port_dump(skb, cb, VNET_CMD_PORT_GET, fill_port);
}

static int stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return port_reply(info, VNET_CMD_STATS_GET, fill_stats);
}

static int stats_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return port_dump(skb, cb, VNET_CMD_STATS_GET, fill_stats);
}

/* ACL rules */

/* The list a request names, and the scope in words for errors. */
static struct vnet_acl_list *get_acl_list(struct vnet_req *req,
					  struct vnet_vnet *v, char *scope,
					  size_t len)
{
	struct genl_info *info = req->info;
	struct vnet_subnet *s;
	struct vnet_port *port;
	const char *name;
	u8 dir;

	if (missing(info, VNET_A_ACL_SCOPE) || missing(info, VNET_A_ACL_DIR))
		return ERR_PTR(-EINVAL);
	dir = nla_get_u8(info->attrs[VNET_A_ACL_DIR]);
	if (nla_get_u8(info->attrs[VNET_A_ACL_SCOPE]) == VNET_ACL_SCOPE_PORT) {
		port = get_port(req);
		if (IS_ERR(port))
			return ERR_CAST(port);
		if (port->vnet != v)
			return ERR_PTR(vnet_refuse(req, -EINVAL,
						   "port is in another vnet",
						   "port %s is in vnet %s, not %s",
						   port->dev->name,
						   port->vnet->n.name,
						   v->n.name));
		snprintf(scope, len, "port %s", port->dev->name);
		vnet_acl_list_bind(&port->acl[dir], NULL, port, dir);
		return &port->acl[dir];
	}
	name = vnet_nl_name(info, VNET_A_SUBNET);
	if (!name)
		return ERR_PTR(-EINVAL);
	s = vnet_subnet_find(v, name);
	if (!s)
		return ERR_PTR(vnet_refuse(req, -ENOENT, "subnet not found",
					   "vnet %s has no subnet %s",
					   v->n.name, name));
	snprintf(scope, len, "subnet %s of vnet %s", name, v->n.name);
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

	if (missing(info, VNET_A_ACL_PRIO) || missing(info, VNET_A_ACL_ACTION))
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

static int acl_new_doit(struct sk_buff *skb, struct genl_info *info)
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
	rtnl_lock();	/* a port scope looks up its device */
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
	rtnl_unlock();
	kfree(e);
	return err;
}

static int acl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_acl_list *l;
	struct vnet_vnet *v;
	char scope[80];
	int err;

	rtnl_lock();
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	err = PTR_ERR_OR_ZERO(v);
	if (err)
		goto out;
	l = get_acl_list(&req, v, scope, sizeof(scope));
	err = PTR_ERR_OR_ZERO(l);
	if (err)
		goto out;
	if (missing(info, VNET_A_ACL_PRIO)) {
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
	rtnl_unlock();
	return err;
}

static int acl_commit_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	int err;

	rtnl_lock();	/* its events name ports */
	mutex_lock(&req.vn->lock);
	err = vnet_acl_commit(req.vn);
	mutex_unlock(&req.vn->lock);
	rtnl_unlock();
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
	void *hdr = msg_start(skb, m);
	struct vnet_vnet *from;
	int err;

	if (!hdr)
		return -EMSGSIZE;
	err = nla_put_string(skb, VNET_A_VNET, v->n.name) ||
	      nla_put_u8(skb, VNET_A_ACL_SCOPE, port ? VNET_ACL_SCOPE_PORT :
						      VNET_ACL_SCOPE_SUBNET) ||
	      (port ? nla_put_string(skb, VNET_A_IFNAME, port->dev->name) :
		      nla_put_string(skb, VNET_A_SUBNET, s->n.name)) ||
	      nla_put_u8(skb, VNET_A_ACL_DIR, dir) ||
	      nla_put_u16(skb, VNET_A_ACL_PRIO, e->prio);
	if (err || m->identity_only) {
		if (!err && gone)
			err = nla_put_string(skb, VNET_A_ACL_FROM_VNET,
					     gone->n.name);
		return msg_end(skb, hdr, err);
	}
	err = nla_put_u8(skb, VNET_A_ACL_ACTION, e->action) ||
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
	return msg_end(skb, hdr, err);
}

/*
 * The cursor of an ACL dump, in cb->ctx: the key of the last rule sent.
 * Each part resumes after it with tree searches, whatever was added or
 * removed in between.
 */
struct acl_cursor {
	char subnet[VNET_NAME_MAX];	/* scope subnet: its name */
	int ifindex;			/* scope port: its ifindex */
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
			if (port) {
				c->scope = VNET_ACL_SCOPE_PORT;
				c->ifindex = port->dev->ifindex;
			} else {
				c->scope = VNET_ACL_SCOPE_SUBNET;
				strscpy(c->subnet, s->n.name, sizeof(c->subnet));
			}
			c->dir = dir;
			c->prio = e->prio;
			c->started = true;
		}
	}
	return 0;
}

static int dump_acl_rules(struct sk_buff *skb, struct acl_cursor *c,
			  const struct vnet_msg *m, struct vnet_vnet *v)
{
	struct vnet_net *vn = v->vn;
	struct vnet_port *port;
	unsigned long idx = 0;
	struct vnet_node *n;
	struct rb_node *rb;
	bool same = false;
	int err;

	if (!c->started || c->scope == VNET_ACL_SCOPE_SUBNET) {
		rb = rb_first(&v->subnets);
		if (c->started) {
			n = vnet_node_find(&v->subnets, c->subnet);
			same = n;
			if (!n)
				n = vnet_node_after(&v->subnets, c->subnet);
			rb = n ? &n->rb : NULL;
		}
		for (; rb; rb = rb_next(rb), same = false) {
			err = dump_acl_scope(skb, c, m, v,
					     rb_entry(rb, struct vnet_subnet, n.rb),
					     NULL, same);
			if (err)
				return err;
		}
	} else {
		idx = c->ifindex;
	}
	xa_for_each_start(&vn->ports, idx, port, idx) {
		if (port->vnet != v)
			continue;
		same = c->started && c->scope == VNET_ACL_SCOPE_PORT &&
		       idx == c->ifindex;
		err = dump_acl_scope(skb, c, m, v, NULL, port, same);
		if (err)
			return err;
	}
	return 0;
}

/* Every rule of a vnet: subnets by name, then ports by ifindex. */
static int acl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct vnet_msg m = dump_msg(cb, VNET_CMD_ACL_GET);
	struct acl_cursor *c = (struct acl_cursor *)cb->ctx;
	struct nlattr *name = info->attrs[VNET_A_VNET];
	struct vnet_vnet *v;
	int err = 0;

	if (!name) {
		NL_SET_ERR_MSG(cb->extack, "missing attribute: vnet name");
		return -EINVAL;
	}
	rtnl_lock();	/* port names */
	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	v = vnet_find(vn, nla_data(name));
	if (v)
		err = dump_acl_rules(skb, c, &m, v);
	mutex_unlock(&vn->lock);
	rtnl_unlock();
	if (!v && !c->started) {
		NL_SET_ERR_MSG(cb->extack, "vnet not found");
		return -ENOENT;
	}
	return dump_result(skb, err);
}

/* ACL events: under RTNL (port names) and vn->lock. */
void vnet_notify_acl(const struct vnet_acl_list *l,
		     const struct vnet_acl_entry *e, u8 cmd,
		     const struct vnet_vnet *gone)
{
	struct vnet_vnet *v = vnet_acl_list_vnet(l);
	struct vnet_msg m = event_msg(cmd);
	struct sk_buff *skb;

	if (!vnet_nl_events_wanted(v->vn))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		vnet_nl_event_send(v->vn, skb,
				   fill_acl(skb, v, l->subnet, l->port, l->dir, e,
					    &m, gone));
}

/* Deferred changes of @l took effect: one event for all of them. */
void vnet_notify_acl_commit(const struct vnet_acl_list *l)
{
	struct vnet_vnet *v = vnet_acl_list_vnet(l);
	struct vnet_msg m = event_msg(VNET_CMD_ACL_COMMIT);
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!vnet_nl_events_wanted(v->vn))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = msg_start(skb, &m);
	if (!hdr) {
		nlmsg_free(skb);
		return;
	}
	err = nla_put_string(skb, VNET_A_VNET, v->n.name) ||
	      nla_put_u8(skb, VNET_A_ACL_SCOPE,
			 l->port ? VNET_ACL_SCOPE_PORT : VNET_ACL_SCOPE_SUBNET) ||
	      (l->port ?
	       nla_put_string(skb, VNET_A_IFNAME, l->port->dev->name) :
	       nla_put_string(skb, VNET_A_SUBNET, l->subnet->n.name)) ||
	      nla_put_u8(skb, VNET_A_ACL_DIR, l->dir) ||
	      nla_put_u32(skb, VNET_A_ACL_RULES, l->count) ||
	      nla_put_u32(skb, VNET_A_ACL_ADDED, l->added) ||
	      nla_put_u32(skb, VNET_A_ACL_REMOVED, l->removed);
	vnet_nl_event_send(v->vn, skb, msg_end(skb, hdr, err));
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
	{							\
		.cmd = _cmd,					\
		.doit = _doit,					\
		.dumpit = _dumpit,				\
		.policy = _policy,				\
		.maxattr = VNET_A_MAX,				\
		.flags = GENL_UNS_ADMIN_PERM,			\
	}

static const struct genl_ops vnet_ops[] = {
	VNET_OP(VNET_CMD_INFO_GET, info_get_doit, NULL, empty_policy),
	VNET_OP(VNET_CMD_VNET_NEW, vnet_new_doit, NULL, vnet_new_policy),
	VNET_OP(VNET_CMD_VNET_DEL, vnet_del_doit, NULL, vnet_vnet_policy),
	VNET_OP(VNET_CMD_VNET_GET, vnet_get_doit, vnet_get_dumpit,
		vnet_vnet_policy),
	VNET_OP(VNET_CMD_PREFIX_NEW, prefix_new_doit, NULL,
		prefix_change_policy),
	VNET_OP(VNET_CMD_PREFIX_DEL, prefix_del_doit, NULL,
		prefix_change_policy),
	VNET_OP(VNET_CMD_SUBNET_NEW, subnet_new_doit, NULL, subnet_new_policy),
	VNET_OP(VNET_CMD_SUBNET_DEL, subnet_del_doit, NULL, subnet_del_policy),
	VNET_OP(VNET_CMD_SUBNET_GET, NULL, subnet_get_dumpit,
		vnet_vnet_policy),
	VNET_OP(VNET_CMD_PEERING_NEW, peering_new_doit, NULL,
		peering_new_policy),
	VNET_OP(VNET_CMD_PEERING_SET, peering_set_doit, NULL,
		peering_set_policy),
	VNET_OP(VNET_CMD_PEERING_DEL, peering_del_doit, NULL,
		peering_del_policy),
	VNET_OP(VNET_CMD_PEERING_GET, NULL, peering_get_dumpit,
		vnet_vnet_policy),
	VNET_OP(VNET_CMD_PORT_NEW, port_new_doit, NULL, port_new_policy),
	VNET_OP(VNET_CMD_PORT_DEL, port_del_doit, NULL, ifname_policy),
	VNET_OP(VNET_CMD_PORT_GET, port_get_doit, port_get_dumpit,
		ifname_policy),
	VNET_OP(VNET_CMD_STATS_GET, stats_get_doit, stats_get_dumpit,
		ifname_policy),
	VNET_OP(VNET_CMD_ACL_NEW, acl_new_doit, NULL, acl_new_policy),
	VNET_OP(VNET_CMD_ACL_DEL, acl_del_doit, NULL, acl_del_policy),
	VNET_OP(VNET_CMD_ACL_GET, NULL, acl_get_dumpit, vnet_vnet_policy),
	VNET_OP(VNET_CMD_ACL_COMMIT, acl_commit_doit, NULL, empty_policy),
	VNET_OP(VNET_CMD_ROUTE_NEW, vnet_route_new_doit, NULL,
		vnet_route_new_policy),
	VNET_OP(VNET_CMD_ROUTE_DEL, vnet_route_del_doit, NULL,
		vnet_route_del_policy),
	VNET_OP(VNET_CMD_ROUTE_GET, NULL, vnet_route_get_dumpit,
		vnet_route_get_policy),
	VNET_OP(VNET_CMD_GATEWAY_SET, vnet_gateway_set_doit, NULL,
		vnet_gateway_set_policy),
	VNET_OP(VNET_CMD_GATEWAY_DEL, vnet_gateway_del_doit, NULL,
		vnet_vnet_policy),
	VNET_OP(VNET_CMD_GATEWAY_GET, NULL, vnet_gateway_get_dumpit,
		vnet_vnet_policy),
	VNET_OP(VNET_CMD_TRACE, vnet_trace_doit, NULL, vnet_trace_policy),
	VNET_OP(VNET_CMD_LB_NEW, vnet_lb_new_doit, NULL, vnet_lb_new_policy),
	VNET_OP(VNET_CMD_LB_DEL, vnet_lb_del_doit, NULL, vnet_lb_del_policy),
	VNET_OP(VNET_CMD_LB_GET, NULL, vnet_lb_get_dumpit, vnet_vnet_policy),
	VNET_OP(VNET_CMD_ENDPOINT_NEW, vnet_endpoint_new_doit, NULL,
		vnet_endpoint_new_policy),
	VNET_OP(VNET_CMD_ENDPOINT_DEL, vnet_endpoint_del_doit, NULL,
		vnet_endpoint_del_policy),
	VNET_OP(VNET_CMD_ENDPOINT_GET, NULL, vnet_endpoint_get_dumpit,
		vnet_vnet_policy),
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
};

int vnet_genl_init(void)
{
	return genl_register_family(&vnet_family);
}

void vnet_genl_exit(void)
{
	genl_unregister_family(&vnet_family);
}

void *vnet_nl_put_hdr(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		      u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &vnet_family, flags, cmd);
}

/* The header of a dump part (@cb) or of an event (no @cb). */
void *vnet_nl_part_hdr(struct sk_buff *skb, struct netlink_callback *cb,
		       u8 cmd)
{
	void *hdr;

	if (!cb)
		return vnet_nl_put_hdr(skb, 0, 0, 0, cmd);
	hdr = vnet_nl_put_hdr(skb, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, cmd);
	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

