// SPDX-License-Identifier: GPL-2.0
/*
 * Port and stats requests: parse, call port.c, reply, notify.
 */
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "endpoint.h"
#include "events.h"
#include "vnet_nl.h"

const struct nla_policy vnet_port_new_policy[VNET_A_MAX + 1] = {
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_VNET] = VNET_NAME_POLICY,
	[VNET_A_SUBNET] = VNET_NAME_POLICY,
	[VNET_A_MAC] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[VNET_A_ADDRS] = VNET_PREFIXES_POLICY,
	[VNET_A_PORT_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PORT_F_ALL),
};

const struct nla_policy vnet_port_set_policy[VNET_A_MAX + 1] = {
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
	[VNET_A_MAC] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[VNET_A_ADDRS] = VNET_PREFIXES_POLICY,
	[VNET_A_PORT_FLAGS] = NLA_POLICY_BITFIELD32(VNET_PORT_F_ALL),
};

/* port del and get, stats */
const struct nla_policy vnet_ifname_policy[VNET_A_MAX + 1] = {
	[VNET_A_IFNAME] = VNET_IFNAME_POLICY,
};

static int put_addrs(struct sk_buff *skb, const struct vnet_port_conf *conf)
{
	struct nlattr *nest = nla_nest_start(skb, VNET_A_ADDRS), *a;
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < conf->nr_addrs; i++) {
		const struct vnet_addr_key *k = &conf->addrs[i].key;

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

/* Under vn->lock. */
static int fill_port(struct sk_buff *skb, const struct vnet_port *port,
		     const struct vnet_msg *m)
{
	const struct vnet_port_conf *conf = vnet_port_conf(port);
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_IFNAME, port->n.name) ||
			    (!m->identity_only &&
			     (nla_put_string(skb, VNET_A_VNET, port->vnet->n.name) ||
			      nla_put_string(skb, VNET_A_SUBNET,
					     port->subnet->n.name) ||
			      nla_put(skb, VNET_A_MAC, ETH_ALEN, conf->mac) ||
			      put_addrs(skb, conf) ||
			      nla_put_bitfield32(skb, VNET_A_PORT_FLAGS,
						 conf->flags, VNET_PORT_F_ALL) ||
			      nla_put_u8(skb, VNET_A_STATE,
					 vnet_port_state(port)))));
}

static void stats_sum(const struct vnet_port *port, struct vnet_port_stats *sum)
{
	unsigned int start, i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vnet_port_stats *st = per_cpu_ptr(port->stats, cpu);
		u64 v[4 + VNET_FLOW_NR + __VNET_DROP_MAX];
		u64 *flows = v + 4, *drops = flows + VNET_FLOW_NR;

		do {
			start = u64_stats_fetch_begin(&st->syncp);
			v[0] = u64_stats_read(&st->rx_packets);
			v[1] = u64_stats_read(&st->rx_bytes);
			v[2] = u64_stats_read(&st->tx_packets);
			v[3] = u64_stats_read(&st->tx_bytes);
			for (i = 0; i < VNET_FLOW_NR; i++)
				flows[i] = u64_stats_read(&st->flows[i]);
			for (i = 0; i < __VNET_DROP_MAX; i++)
				drops[i] = u64_stats_read(&st->drops[i]);
		} while (u64_stats_fetch_retry(&st->syncp, start));
		u64_stats_add(&sum->rx_packets, v[0]);
		u64_stats_add(&sum->rx_bytes, v[1]);
		u64_stats_add(&sum->tx_packets, v[2]);
		u64_stats_add(&sum->tx_bytes, v[3]);
		for (i = 0; i < VNET_FLOW_NR; i++)
			u64_stats_add(&sum->flows[i], flows[i]);
		for (i = 0; i < __VNET_DROP_MAX; i++)
			u64_stats_add(&sum->drops[i], drops[i]);
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
			vnet_ct_port_count(port, VNET_CT_LB_FLOW)) ||
	    nla_put_u32(skb, VNET_STATS_A_DENIED_FLOWS,
			vnet_ct_port_count(port, VNET_CT_DROP)) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_FLOW_HITS,
			      u64_stats_read(&sum.flows[VNET_FLOW_HIT]),
			      VNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_FLOW_MISSES,
			      u64_stats_read(&sum.flows[VNET_FLOW_MISS]),
			      VNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_FLOW_RECOMPUTES,
			      u64_stats_read(&sum.flows[VNET_FLOW_RECOMPUTE]),
			      VNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_FLOW_INSERT_FAILED,
			      u64_stats_read(&sum.flows[VNET_FLOW_INSERT_FAILED]),
			      VNET_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNET_STATS_A_FLOW_CARRIED,
			      u64_stats_read(&sum.flows[VNET_FLOW_CARRIED]),
			      VNET_STATS_A_PAD))
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
	void *hdr = vnet_msg_start(skb, m);

	if (!hdr)
		return -EMSGSIZE;
	return vnet_msg_end(skb, hdr,
			    nla_put_string(skb, VNET_A_IFNAME, port->n.name) ||
			    put_stats(skb, port));
}

void vnet_notify_port(struct vnet_port *port, u8 cmd)
{
	struct vnet_msg m;
	struct sk_buff *skb = vnet_nl_event_new(port->vn, cmd, &m);

	if (skb)
		vnet_nl_event_send(port->vn, skb, fill_port(skb, port, &m));
}

/* The port the request names (VNET_A_IFNAME), or refuse. */
struct vnet_port *vnet_nl_port(struct vnet_req *req)
{
	struct genl_info *info = req->info;
	struct vnet_port *port;
	const char *name;

	lockdep_assert_held(&req->vn->lock);
	if (vnet_nl_missing(info, VNET_A_IFNAME))
		return ERR_PTR(-EINVAL);
	name = nla_data(info->attrs[VNET_A_IFNAME]);
	port = vnet_port_by_name(req->vn, name);
	/* The tunnel device has counters too. */
	if (!port && info->genlhdr->cmd == VNET_CMD_STATS_GET &&
	    !strcmp(name, VNET_TUNNEL_IFNAME))
		port = vnet_tunnel_port(req->vn, NULL);
	if (!port) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[VNET_A_IFNAME]);
		return ERR_PTR(vnet_refuse(req, -ENOENT, "port not found",
					   "there is no port %s", name));
	}
	return port;
}

int vnet_port_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	u32 flags = 0, selector = 0;
	struct vnet_subnet *s;
	struct vnet_prefix *a;
	const char *sname;
	struct vnet_vnet *v;
	unsigned int n;
	int err;

	sname = vnet_nl_name(info, VNET_A_SUBNET);
	if (!sname || vnet_nl_missing(info, VNET_A_MAC) ||
	    vnet_nl_missing(info, VNET_A_IFNAME))
		return -EINVAL;
	err = vnet_nl_prefix_list(info, VNET_A_ADDRS, 1, vnet_max_port_addrs, &a, &n);
	if (err)
		return err;
	if (info->attrs[VNET_A_PORT_FLAGS])
		vnet_nl_flags(info->attrs[VNET_A_PORT_FLAGS], &flags, &selector);
	rtnl_lock();	/* binds the interface of that name, if there is one */
	mutex_lock(&req.vn->lock);
	v = vnet_nl_vnet(&req, VNET_A_VNET);
	s = IS_ERR(v) ? ERR_CAST(v) : vnet_nl_subnet(&req, v);
	err = IS_ERR(s) ? PTR_ERR(s) :
		vnet_port_add(&req, nla_data(info->attrs[VNET_A_IFNAME]), s,
			      nla_data(info->attrs[VNET_A_MAC]), a, n,
			      flags & selector);
	vnet_nl_unlock_commit(req.vn);
	rtnl_unlock();
	kfree(a);
	return err;
}

int vnet_port_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_prefix *a = NULL;
	u32 flags = 0, selector = 0;
	struct vnet_port *port;
	unsigned int n = 0;
	const u8 *mac;
	int err;

	if (info->attrs[VNET_A_ADDRS]) {
		err = vnet_nl_prefix_list(info, VNET_A_ADDRS, 1,
					  vnet_max_port_addrs, &a, &n);
		if (err)
			return err;
	}
	mac = info->attrs[VNET_A_MAC] ? nla_data(info->attrs[VNET_A_MAC]) :
					NULL;
	if (info->attrs[VNET_A_PORT_FLAGS])
		vnet_nl_flags(info->attrs[VNET_A_PORT_FLAGS], &flags, &selector);
	mutex_lock(&req.vn->lock);
	port = vnet_nl_port(&req);
	err = IS_ERR(port) ? PTR_ERR(port) :
		vnet_port_set(&req, port, mac, a, n, flags, selector);
	vnet_nl_unlock_commit(req.vn);
	kfree(a);
	return err;
}

int vnet_port_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_port *port;
	int err;

	rtnl_lock();	/* unbinds its interface */
	mutex_lock(&req.vn->lock);
	port = vnet_nl_port(&req);
	err = IS_ERR(port) ? PTR_ERR(port) : vnet_port_remove(&req, port);
	vnet_nl_unlock_commit(req.vn);
	rtnl_unlock();
	return err;
}

/* Port and stats replies: one port (doit) or all, by name (dumpit). */
typedef int (*port_filler)(struct sk_buff *skb, const struct vnet_port *port,
			   const struct vnet_msg *m);

static int port_reply(struct genl_info *info, u8 cmd, port_filler fill)
{
	struct vnet_req req = vnet_nl_req(info);
	struct vnet_msg m = vnet_reply_msg(info, cmd);
	struct vnet_port *port;
	struct sk_buff *reply;
	int err;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	mutex_lock(&req.vn->lock);
	port = vnet_nl_port(&req);
	err = IS_ERR(port) ? PTR_ERR(port) : fill(reply, port, &m);
	mutex_unlock(&req.vn->lock);
	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/* The cursor of a port dump, in cb->ctx: the last port sent. */
struct port_cursor {
	char name[VNET_NAME_MAX];	/* "": none yet */
	bool tunnel_sent;		/* stats: the tunnel's counters too */
};

static_assert(sizeof(struct port_cursor) <=
	      sizeof_field(struct netlink_callback, ctx));

static int port_dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
		     port_filler fill)
{
	struct vnet_net *vn = vnet_pernet(sock_net(skb->sk));
	struct port_cursor *c = (struct port_cursor *)cb->ctx;
	struct vnet_msg m = vnet_dump_msg(cb, cmd);
	struct vnet_port *port;
	struct vnet_node *n;
	struct rb_node *rb;
	int err = 0;

	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	n = vnet_node_after(&vn->ports, c->name);	/* "" is before all */
	for (rb = n ? &n->rb : NULL; rb; rb = rb_next(rb)) {
		port = rb_entry(rb, struct vnet_port, n.rb);
		err = fill(skb, port, &m);
		if (err)
			break;
		strscpy(c->name, port->n.name, sizeof(c->name));
	}
	/* Stats: the tunnel's counters after the ports'. */
	port = vnet_tunnel_port(vn, NULL);
	if (!err && cmd == VNET_CMD_STATS_GET && port && !c->tunnel_sent) {
		err = fill(skb, port, &m);
		if (!err)
			c->tunnel_sent = true;
	}
	mutex_unlock(&vn->lock);
	return vnet_dump_done(skb, err);
}
int vnet_port_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return port_reply(info, VNET_CMD_PORT_GET, fill_port);
}

int vnet_port_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return port_dump(skb, cb, VNET_CMD_PORT_GET, fill_port);
}

int vnet_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return port_reply(info, VNET_CMD_STATS_GET, fill_stats);
}

int vnet_stats_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return port_dump(skb, cb, VNET_CMD_STATS_GET, fill_stats);
}
