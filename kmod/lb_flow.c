// SPDX-License-Identifier: GPL-2.0
/*
 * Internal load balancers, the packet path: backend choice, connection
 * stickiness and the address translation of a connection's packets both
 * ways (its later fragments and ICMP errors: lb_related.c).
 *
 * A packet to a frontend (an address of the destination vnet that no port
 * owns, vn->lb_fes) on the lb's protocol and port goes to a backend: the
 * one its connection already uses, or for a new connection one chosen by
 * a hash of its 5-tuple among the backends whose port is there now, or
 * that a remote endpoint has (then the tunnel carries it, and its reply
 * comes back through it), and that are not the client itself (a backend
 * may use its own lb). Its
 * destination address and port become the backend's (DNAT); the ACLs and
 * connection tracking then see the translated packet. A packet to a
 * frontend on another protocol or port is dropped (lb-no-rule), and so is
 * one for an lb none of whose backends has a port (lb-no-backend).
 *
 * Each connection is recorded in vn->lb_flows under two keys, like
 * conntrack: the client's packet as sent (to the frontend) and the
 * backend's reply as sent (from the backend); a reply that finds its key
 * gets the frontend back as its source (SNAT). An entry names its lb by
 * uid: once the lb is deleted, or the backend lost its port, the entry
 * goes and the connection's next packet is balanced again among the
 * backends left (a TCP packet that is not a SYN then drops: it stops).
 *
 * Entries are made only for packets that passed the ACLs, in GFP_ATOMIC,
 * and for TCP only by a SYN: any other TCP packet without an entry drops
 * as lb-not-syn, so stray segments cannot fill the table. Each entry is
 * charged to the client's port and vnet like a tracked connection
 * (port-share, vnet-share, conntrack-full at ct_max
 * entries in the namespace). A new connection that cannot be recorded
 * otherwise (no memory, or its backend side already another
 * connection's) is dropped as lb-untracked: its replies could not be
 * translated back. An entry's state (new, established once the backend
 * answered, fin, close) picks its idle timeout, as in connection
 * tracking. vn->lb_flows is a flow table (flow_table.c): lock free,
 * with its collector, shares and locking rules.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/tcp.h>

#include "endpoint.h"
#include "lb_flow.h"
#include "core/flow_key.h"

static bool lbf_stale(struct vnet_flow_table *ft,
		      const struct vnet_ft_entry *e);

/*
 * The same for the table and for its lookups, which every flow-table hit
 * makes once the namespace has lb connections: vnet_ft_find_fast().
 */
#define LBF_PARAMS VNET_FT_PARAMS(lbf_half, NULL, NULL)

static const struct rhashtable_params lbf_params = LBF_PARAMS;

static struct vnet_ft_type lbf_type =
	VNET_FT_TYPE(vnet_lb_flow, half, lbf_half, 2, lbf_stale, LBF_PARAMS);

void lbf_key_set(struct lbf_key *key, u32 vnet_id, u8 family, u8 proto,
		 const u8 *src, u16 sport, const u8 *dst, u16 dport)
{
	unsigned int len = family == AF_INET ? 4 : 16;

	memset(key, 0, sizeof(*key));
	key->vnet_id = vnet_id;
	key->family = family;
	key->proto = proto;
	key->sport = sport;
	key->dport = dport;
	memcpy(key->src, src, len);
	memcpy(key->dst, dst, len);
}

/* The client's key of a connection to @lb. */
static void orig_key(struct lbf_key *key, const struct vnet_port *port,
		     const struct vnet_acl_key *k, const struct vnet_lb *lb)
{
	lbf_key_set(key, port->vnet->id, k->family, k->proto, k->src,
		    k->sport, lb->frontend.addr, lb->port);
}

static void lbf_kill(struct vnet_net *vn, struct vnet_lb_flow *fl)
{
	vnet_ft_kill(&vn->lb_flows, &fl->e);
}

/* The live connection with a half @key, and in *@dir which half. */
struct vnet_lb_flow *lbf_find(struct vnet_net *vn, const struct lbf_key *key,
			      unsigned int *dir)
{
	struct vnet_ft_entry *e = vnet_ft_find_fast(&vn->lb_flows, key, dir,
						    lbf_params);

	return e ? container_of(e, struct vnet_lb_flow, e) : NULL;
}

/* The TCP flags of @skb, 0 for UDP. */
static u8 tcp_flags(struct sk_buff *skb, const struct vnet_flow *f)
{
	if (f->key.proto != IPPROTO_TCP ||
	    !pskb_may_pull(skb, f->thoff + 14))
		return 0;
	return skb->data[f->thoff + 13];
}

/* The backend @addr:@port of @lb, if it still has it. */
const struct vnet_lb_backend *lbf_backend(const struct vnet_lb *lb,
					  const u8 *addr, u16 port)
{
	unsigned int i;

	for (i = 0; i < lb->nr_backends; i++)
		if (lb->backends[i].port == port &&
		    !memcmp(lb->backends[i].addr.addr, addr, 16))
			return &lb->backends[i];
	return NULL;
}

/*
 * The port of a backend address, if it is up (absent ones are skipped),
 * or the stand-in port of the remote endpoint that has it.
 */
struct vnet_port *lbf_backend_port(struct vnet_net *vn, u32 vnet_id,
				   u8 family, const u8 *addr)
{
	struct vnet_port *port = vnet_owner_lookup(vn, vnet_id, family, addr);

	return port && !vnet_port_absent(port) ? port : NULL;
}

/*
 * Under RCU: @k goes to an address of vnet @vnet_id that no port owns. If
 * it is a frontend, the backend port the packet goes to, with @hit filled;
 * else NULL, with *@why set when the frontend drops it.
 */
struct vnet_port *vnet_lb_select(struct vnet_port *port, u32 vnet_id,
				 const struct vnet_acl_key *k,
				 struct vnet_lb_hit *hit,
				 enum vnet_drop_reason *why)
{
	struct vnet_net *vn = port->vn;
	const struct vnet_lb_backend *be;
	const struct vnet_lb *lb;
	struct vnet_port *dport;
	struct vnet_lb_flow *fl;
	unsigned int i, n, start, dir;
	struct lbf_key key;
	bool any;

	lb = vnet_lb_frontend(vn, vnet_id, k->family, k->dst, k->proto,
			      k->dport, &any);
	if (!any)
		return NULL;
	if (hit->kind != VNET_LB_CONN)
		return lbf_select_related(port, vnet_id, k, hit, why);
	if (!lb || k->fragment) {
		*why = VNET_DROP_LB_NO_RULE;
		return NULL;
	}
	hit->lb = lb;
	orig_key(&key, port, k, lb);
	fl = lbf_find(vn, &key, &dir);
	if (fl && dir == LBF_ORIG) {
		be = fl->nat.lb_uid == lb->uid ?
		     lbf_backend(lb, fl->nat.be, fl->nat.bport) : NULL;
		dport = be ? lbf_backend_port(vn, lb->vnet_id, k->family,
					      be->addr.addr) : NULL;
		if (dport && dport != port) {
			hit->be = be;
			hit->flow = fl;
			return dport;
		}
		/* Its backend or lb went: the connection stops here. */
		lbf_kill(vn, fl);
	}
	n = lb->nr_backends;
	start = reciprocal_scale(jhash(&key, sizeof(key), vn->lb_seed), n);
	for (i = 0; i < n; i++) {
		be = &lb->backends[(start + i) % n];
		dport = lbf_backend_port(vn, lb->vnet_id, k->family,
					 be->addr.addr);
		/* A backend that is the client uses the others. */
		if (dport && dport != port) {
			hit->be = be;
			return dport;
		}
	}
	*why = VNET_DROP_LB_NO_BACKEND;
	return NULL;
}

/* What ACLs and conntrack see: the backend as destination. */
void vnet_lb_translate_key(struct vnet_acl_key *k,
			   const struct vnet_lb_hit *hit)
{
	memcpy(k->dst, hit->be->addr.addr, sizeof(k->dst));
	k->dport = hit->be->port;
}

/*
 * Rewrites the source (@dst false) or destination address and port of
 * the TCP or UDP packet @skb, with its IPv4 header and L4 checksums:
 * -EINVAL when the datagram (a first fragment) ends inside that header,
 * which the ports alone were enough to parse.
 */
static int rewrite(struct sk_buff *skb, const struct vnet_flow *f, bool dst,
		   const u8 *addr, u16 port)
{
	bool tcp = f->key.proto == IPPROTO_TCP;
	unsigned int hlen = tcp ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	__be16 *pp, nport = htons(port);
	__sum16 *check;
	bool csum;
	u8 *l4;

	if (skb->len < f->thoff + hlen)
		return -EINVAL;
	if (skb_ensure_writable(skb, f->thoff + hlen))
		return -ENOMEM;
	l4 = skb->data + f->thoff;
	if (tcp) {
		check = &((struct tcphdr *)l4)->check;
		csum = true;
	} else {
		check = &((struct udphdr *)l4)->check;
		/* An IPv4 UDP checksum of zero means none. */
		csum = *check || skb->ip_summed == CHECKSUM_PARTIAL;
	}
	pp = (__be16 *)l4 + (dst ? 1 : 0);
	if (f->key.family == AF_INET) {
		struct iphdr *iph = ip_hdr(skb);
		__be32 *a = dst ? &iph->daddr : &iph->saddr, na;

		memcpy(&na, addr, 4);
		if (csum)
			inet_proto_csum_replace4(check, skb, *a, na, true);
		csum_replace4(&iph->check, *a, na);
		*a = na;
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct in6_addr *a = dst ? &ip6h->daddr : &ip6h->saddr, na;

		memcpy(&na, addr, 16);
		if (csum)
			inet_proto_csum_replace16(check, skb, a->s6_addr32,
						  na.s6_addr32, true);
		*a = na;
	}
	if (csum) {
		inet_proto_csum_replace2(check, skb, *pp, nport, false);
		if (!tcp && !*check)
			*check = CSUM_MANGLED_0;
	}
	*pp = nport;
	return 0;
}

/* DNAT: @skb and its key now go to the backend of @hit. */
int vnet_lb_dnat(struct sk_buff *skb, struct vnet_flow *f,
		 const struct vnet_lb_hit *hit)
{
	int err;

	if (hit->kind != VNET_LB_CONN)
		return lbf_dnat_related(skb, f, hit);
	err = rewrite(skb, f, true, hit->be->addr.addr, hit->be->port);
	if (!err)
		vnet_lb_translate_key(&f->key, hit);
	return err;
}

/* The translation of a connection to backend @be of @lb. */
static void lbf_nat_set(struct lbf_nat *nat, const struct vnet_lb *lb,
			const struct vnet_lb_backend *be)
{
	nat->lb_uid = lb->uid;
	nat->lb_vnet = lb->vnet_id;
	memcpy(nat->fe, lb->frontend.addr, 16);
	memcpy(nat->be, be->addr.addr, 16);
	nat->fport = lb->port;
	nat->bport = be->port;
}

/*
 * The packet of @hit passed: refresh its connection, or record a new one
 * so that it sticks to its backend and its replies are translated back.
 * @f is the translated packet.
 */
enum vnet_drop_reason vnet_lb_open(struct vnet_port *port,
				   struct sk_buff *skb,
				   const struct vnet_flow *f,
				   const struct vnet_lb_hit *hit)
{
	const struct vnet_acl_key *k = &f->key;
	const struct vnet_lb *lb = hit->lb;
	struct vnet_net *vn = port->vn;
	u8 flags = tcp_flags(skb, f);
	enum vnet_drop_reason why;
	struct vnet_lb_flow *fl;
	struct lbf_nat nat;
	int err;

	/* A later fragment or an ICMP error: its connection's business. */
	if (hit->kind != VNET_LB_CONN)
		return VNET_PASS;
	lbf_nat_set(&nat, lb, hit->be);
	if (f->frag_first)
		lbf_frag_add(vn, port->ct, port->vnet->id, f, k->src,
			     lb->frontend.addr, false, &nat);
	if (hit->flow) {
		vnet_ft_touch(&hit->flow->e, k->proto, false, flags);
		return VNET_PASS;
	}
	/* Only a SYN opens a TCP connection: stray segments record nothing. */
	if (k->proto == IPPROTO_TCP &&
	    (flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) != TCPHDR_SYN)
		return VNET_DROP_LB_NOT_SYN;
	fl = vnet_ft_alloc(&vn->lb_flows, port->ct, NULL, VNET_CT_LB_FLOW,
			   &why);
	if (!fl)
		return why == VNET_DROP_NO_MEMORY ? VNET_DROP_LB_UNTRACKED : why;
	lbf_key_set(&fl->half[LBF_ORIG].key, port->vnet->id, k->family,
		    k->proto, k->src, k->sport, lb->frontend.addr, lb->port);
	lbf_key_set(&fl->half[LBF_REPLY].key, lb->vnet_id, k->family,
		    k->proto, hit->be->addr.addr, hit->be->port, k->src,
		    k->sport);
	fl->nat = nat;
	vnet_ft_touch(&fl->e, k->proto, false, flags);
	err = vnet_ft_insert(&vn->lb_flows, &fl->e);
	/* Another CPU recorded this connection first: same backend. */
	if (!err || err == -EEXIST)
		return VNET_PASS;
	/*
	 * No memory, or the backend's side is another connection's: its
	 * replies could not be translated back, better not to start.
	 */
	return VNET_DROP_LB_UNTRACKED;
}

/*
 * Under RCU: the record with half @want whose key is a TCP or UDP packet
 * from @port with these addresses and ports, as sent; NULL if none.
 */
static struct vnet_lb_flow *lbf_find_sent(struct vnet_port *port, u8 family,
					  u8 proto, const u8 *src, u16 sport,
					  const u8 *dst, u16 dport,
					  unsigned int want)
{
	struct vnet_net *vn = port->vn;
	struct vnet_lb_flow *fl;
	struct lbf_key key;
	unsigned int dir;

	if (vnet_ft_empty(&vn->lb_flows) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return NULL;
	lbf_key_set(&key, port->vnet->id, family, proto, src, sport, dst,
		    dport);
	fl = lbf_find(vn, &key, &dir);
	return fl && dir == want ? fl : NULL;
}

/*
 * Under RCU, before routing: is @skb from @port the reply of a backend to
 * an lb connection? Then @rev says which frontend it must come from.
 */
void vnet_lb_reply(struct vnet_port *port, struct sk_buff *skb,
		   const struct vnet_flow *f, struct vnet_lb_rev *rev)
{
	const struct vnet_acl_key *k = &f->key;
	struct vnet_net *vn = port->vn;
	const struct vnet_lb *lb;
	struct vnet_lb_flow *fl;
	bool any;

	if (k->fragment || k->proto == IPPROTO_ICMP ||
	    k->proto == IPPROTO_ICMPV6) {
		lbf_reply_related(port, skb, f, rev);
		return;
	}
	fl = lbf_find_sent(port, k->family, k->proto, k->src, k->sport, k->dst,
			   k->dport, LBF_REPLY);
	if (!fl)
		return;
	lb = vnet_lb_frontend(vn, fl->nat.lb_vnet, k->family, fl->nat.fe,
			      k->proto, fl->nat.fport, &any);
	if (!lb || lb->uid != fl->nat.lb_uid) {
		lbf_kill(vn, fl);
		return;
	}
	vnet_ft_touch(&fl->e, k->proto, true, tcp_flags(skb, f));
	memcpy(rev->addr, fl->nat.fe, sizeof(rev->addr));
	rev->port = fl->nat.fport;
	rev->hit = true;
	rev->vn = vn;
	/* Its first fragments' records are the client's, as the flow is. */
	rev->acct = fl->e.acct[0];
	rev->flow = fl;
}

/* SNAT: the reply @skb comes from the frontend of @rev. */
int vnet_lb_snat(struct sk_buff *skb, const struct vnet_flow *f,
		 const struct vnet_lb_rev *rev)
{
	const struct vnet_lb_flow *fl = rev->flow;
	int err;

	if (rev->kind != VNET_LB_CONN)
		return lbf_snat_related(skb, f, rev);
	err = rewrite(skb, f, false, rev->addr, rev->port);
	if (!err && f->frag_first)
		lbf_frag_add(rev->vn, rev->acct,
			     fl->half[LBF_REPLY].key.vnet_id, f, f->key.src,
			     f->key.dst, true, &fl->nat);
	return err;
}

/*
 * Under RCU, for the flow table (conntrack.c, vnet_ct_fast()): is the TCP
 * or UDP packet with key @k from @port, as sent, a record's half: the
 * client's packet to the frontend, or with @reply the backend's reply?
 * Then @fast has its translation. Whether the full path delivered it
 * so under the current configuration is the connection's half to say.
 */
bool vnet_lb_fast_find(struct vnet_port *port, const struct vnet_ct_key *k,
		       bool reply, struct vnet_lb_fast *fast)
{
	struct vnet_lb_flow *fl;

	fl = lbf_find_sent(port, k->family, k->proto, k->src, k->sport, k->dst,
			   k->dport, reply ? LBF_REPLY : LBF_ORIG);
	if (!fl)
		return false;
	fast->flow = fl;
	fast->reply = reply;
	fast->addr = reply ? fl->nat.fe : fl->nat.be;
	fast->port = reply ? fl->nat.fport : fl->nat.bport;
	return true;
}

/*
 * A flow-table hit on @fast's record: @skb is translated as the full
 * path translates it (vnet_lb_dnat(), vnet_lb_snat()), and the record is
 * refreshed as vnet_lb_open() and vnet_lb_reply() refresh it. Not for a
 * fragment: the flow table leaves those to the full path.
 */
int vnet_lb_fast_xlate(struct sk_buff *skb, const struct vnet_flow *f,
		       const struct vnet_lb_fast *fast, u8 tcp_flags)
{
	int err = rewrite(skb, f, !fast->reply, fast->addr, fast->port);

	if (!err)
		vnet_ft_touch(&fast->flow->e, f->key.proto, fast->reply,
			      tcp_flags);
	return err;
}

/* Is the lb of @fl still there, with the backend's port? Under RCU. */
static bool lbf_live(struct vnet_net *vn, const struct vnet_lb_flow *fl)
{
	const struct lbf_key *k = &fl->half[LBF_ORIG].key;
	const struct vnet_lb *lb;
	bool any;

	lb = vnet_lb_frontend(vn, fl->nat.lb_vnet, k->family, fl->nat.fe,
			      k->proto, fl->nat.fport, &any);
	return lb && lb->uid == fl->nat.lb_uid &&
	       lbf_backend(lb, fl->nat.be, fl->nat.bport) &&
	       lbf_backend_port(vn, fl->nat.lb_vnet, k->family, fl->nat.be);
}

/* The collector: an entry whose lb or backend went goes too. */
static bool lbf_stale(struct vnet_flow_table *ft,
		      const struct vnet_ft_entry *e)
{
	return !lbf_live(container_of(ft, struct vnet_net, lb_flows),
			 container_of(e, struct vnet_lb_flow, e));
}

/* An lb or a port went (vn->lock held): collect soon. */
void vnet_lb_flows_stale(struct vnet_net *vn)
{
	vnet_ft_collect_soon(&vn->lb_flows);
	vnet_ft_collect_soon(&vn->lb_frags);
}

int vnet_lb_flows_init(struct vnet_net *vn)
{
	int err;

	err = vnet_ft_init(&vn->lb_flows, &lbf_type);
	if (err)
		return err;
	err = lbf_frags_init(vn);
	if (err)
		vnet_ft_exit(&vn->lb_flows);
	return err;
}

/* Namespace exit: no packet path runs any more. */
void vnet_lb_flows_exit(struct vnet_net *vn)
{
	vnet_ft_exit(&vn->lb_flows);
	lbf_frags_exit(vn);
}

int vnet_lb_flow_cache_init(void)
{
	int err;

	err = vnet_ft_type_init(&lbf_type, &lbf_params);
	if (err)
		return err;
	err = lbf_frag_type_init();
	if (err)
		vnet_ft_type_exit(&lbf_type);
	return err;
}

void vnet_lb_flow_cache_exit(void)
{
	lbf_frag_type_exit();
	vnet_ft_type_exit(&lbf_type);
}
