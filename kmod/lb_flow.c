// SPDX-License-Identifier: GPL-2.0
/*
 * Internal load balancers, the packet path: backend choice, connection
 * stickiness and the address translation both ways.
 *
 * A packet to a frontend (an address of the destination vnet that no port
 * owns, vn->lb_fes) on the lb's protocol and port goes to a backend: the
 * one its connection already uses, or for a new connection one chosen by
 * a hash of its 5-tuple among the backends whose port is there now (and
 * that are not the client itself: a backend may use its own lb). Its
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
 * (vnet_ct_charge(): port-share, vnet-share, conntrack-full at ct_max
 * entries in the namespace). A new connection that cannot be recorded
 * otherwise (no memory, or its backend side already another
 * connection's) is dropped as lb-untracked: its replies could not be
 * translated back. An entry's state (new, established once the backend
 * answered, fin, close) picks its idle timeout. Lock free under RCU (rhashtable); the entry whose DEAD
 * bit is set first is removed by its setter and freed after a grace
 * period. A delayed work per namespace removes idle entries, with the
 * timeouts of connection tracking.
 */
#include <linux/jhash.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/workqueue.h>
#include <net/checksum.h>
#include <net/tcp.h>

#include "vnet.h"

#define LBF_GC_INTERVAL	(2 * HZ)

struct lbf_key {
	u32 vnet_id;		/* of the sender */
	u8 family;
	u8 proto;
	u16 sport;
	u16 dport;
	u8 pad[2];
	u8 src[16];
	u8 dst[16];
};

enum { LBF_ORIG, LBF_REPLY };
/* Where a connection is, for its idle timeout; as in connection tracking. */
enum lbf_state { LBF_NEW, LBF_ESTABLISHED, LBF_FIN, LBF_CLOSE };
enum { LBF_DEAD };

struct lbf_half {
	struct rhash_head node;
	struct lbf_key key;
	u8 dir;
};

struct vnet_lb_flow {
	struct lbf_half half[2];
	u64 lb_uid;
	u32 lb_vnet;
	u8 fe[16];
	u8 be[16];
	u16 fport;
	u16 bport;
	u8 state;		/* enum lbf_state */
	unsigned long expires;	/* jiffies */
	unsigned long flags;	/* LBF_DEAD */
	struct vnet_ct_account *acct;	/* the client's port: its shares */
	struct rcu_head rcu;
};

static const struct rhashtable_params lbf_params = {
	.key_len = sizeof(struct lbf_key),
	.key_offset = offsetof(struct lbf_half, key),
	.head_offset = offsetof(struct lbf_half, node),
	.automatic_shrinking = true,
};

static struct kmem_cache *lbf_cache;

static struct vnet_lb_flow *flow_of(struct lbf_half *h)
{
	return container_of(h - h->dir, struct vnet_lb_flow, half[0]);
}

static void lbf_key_set(struct lbf_key *key, u32 vnet_id, u8 family,
			u8 proto, const u8 *src, u16 sport, const u8 *dst,
			u16 dport)
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

static void lbf_free_rcu(struct rcu_head *head)
{
	struct vnet_lb_flow *fl = container_of(head, struct vnet_lb_flow, rcu);

	vnet_ct_account_put(fl->acct);
	kmem_cache_free(lbf_cache, fl);
}

static void lbf_kill(struct vnet_net *vn, struct vnet_lb_flow *fl)
{
	if (test_and_set_bit(LBF_DEAD, &fl->flags))
		return;
	rhashtable_remove_fast(&vn->lb_flows, &fl->half[LBF_ORIG].node,
			       lbf_params);
	rhashtable_remove_fast(&vn->lb_flows, &fl->half[LBF_REPLY].node,
			       lbf_params);
	vnet_ct_uncharge(fl->acct, VNET_CT_LB_FLOW, &vn->nr_lb_flows);
	call_rcu(&fl->rcu, lbf_free_rcu);
}

static struct lbf_half *lbf_find(struct vnet_net *vn,
				 const struct lbf_key *key)
{
	struct lbf_half *h = rhashtable_lookup(&vn->lb_flows, key, lbf_params);
	struct vnet_lb_flow *fl;

	if (!h)
		return NULL;
	fl = flow_of(h);
	if (test_bit(LBF_DEAD, &fl->flags))
		return NULL;
	if (time_after(jiffies, READ_ONCE(fl->expires))) {
		lbf_kill(vn, fl);
		return NULL;
	}
	return h;
}

/* The TCP flags of @skb, 0 for UDP. */
static u8 tcp_flags(struct sk_buff *skb, const struct vnet_flow *f)
{
	if (f->key.proto != IPPROTO_TCP ||
	    !pskb_may_pull(skb, f->thoff + 14))
		return 0;
	return skb->data[f->thoff + 13];
}

/*
 * A packet of @fl went by (@reply: from the backend). A connection is
 * established once its backend answered; a FIN or RST is for good, so a
 * closed connection leaves the table after the short timeouts.
 */
static void lbf_refresh(struct vnet_lb_flow *fl, u8 proto, u8 flags,
			bool reply)
{
	u8 state = READ_ONCE(fl->state), next = state;
	bool udp = proto == IPPROTO_UDP;
	unsigned long expires;
	unsigned int secs;

	if (reply && state == LBF_NEW)
		next = LBF_ESTABLISHED;
	if (flags & TCPHDR_RST)
		next = LBF_CLOSE;
	else if ((flags & TCPHDR_FIN) && next != LBF_CLOSE)
		next = LBF_FIN;
	if (next != state)
		WRITE_ONCE(fl->state, next);
	switch (next) {
	case LBF_NEW:
		secs = udp ? READ_ONCE(vnet_ct_timeout_udp) :
			     READ_ONCE(vnet_ct_timeout_tcp_syn);
		break;
	case LBF_ESTABLISHED:
		secs = udp ? READ_ONCE(vnet_ct_timeout_udp_stream) :
			     READ_ONCE(vnet_ct_timeout_tcp_established);
		break;
	case LBF_FIN:
		secs = READ_ONCE(vnet_ct_timeout_tcp_fin);
		break;
	default:
		secs = READ_ONCE(vnet_ct_timeout_tcp_close);
	}
	expires = jiffies + (unsigned long)secs * HZ;
	if (READ_ONCE(fl->expires) != expires)
		WRITE_ONCE(fl->expires, expires);
}

static const struct vnet_lb_backend *backend_of(const struct vnet_lb *lb,
						const struct vnet_lb_flow *fl)
{
	unsigned int i;

	for (i = 0; i < lb->nr_backends; i++)
		if (lb->backends[i].port == fl->bport &&
		    !memcmp(lb->backends[i].addr.addr, fl->be, 16))
			return &lb->backends[i];
	return NULL;
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
	unsigned int i, n, start;
	struct lbf_key key;
	struct lbf_half *h;
	bool any;

	lb = vnet_lb_frontend(vn, vnet_id, k->family, k->dst, k->proto,
			      k->dport, &any);
	if (!any)
		return NULL;
	if (!lb || k->fragment) {
		*why = VNET_DROP_LB_NO_RULE;
		return NULL;
	}
	hit->lb = lb;
	orig_key(&key, port, k, lb);
	h = lbf_find(vn, &key);
	if (h && h->dir == LBF_ORIG) {
		fl = flow_of(h);
		be = fl->lb_uid == lb->uid ? backend_of(lb, fl) : NULL;
		dport = be ? vnet_port_lookup(vn, lb->vnet_id, k->family,
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
		dport = vnet_port_lookup(vn, lb->vnet_id, k->family,
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
 * the TCP or UDP packet @skb, with its IPv4 header and L4 checksums.
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
	int err = rewrite(skb, f, true, hit->be->addr.addr, hit->be->port);

	if (!err)
		vnet_lb_translate_key(&f->key, hit);
	return err;
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
	int err;

	if (hit->flow) {
		lbf_refresh(hit->flow, k->proto, flags, false);
		return VNET_PASS;
	}
	/* Only a SYN opens a TCP connection: stray segments record nothing. */
	if (k->proto == IPPROTO_TCP &&
	    (flags & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) != TCPHDR_SYN)
		return VNET_DROP_LB_NOT_SYN;
	why = vnet_ct_charge(port->ct, VNET_CT_LB_FLOW, &vn->nr_lb_flows);
	if (why != VNET_PASS)
		return why;
	fl = kmem_cache_zalloc(lbf_cache, GFP_ATOMIC);
	if (!fl)
		goto untracked;
	fl->acct = vnet_ct_account_get(port->ct);
	lbf_key_set(&fl->half[LBF_ORIG].key, port->vnet->id, k->family,
		    k->proto, k->src, k->sport, lb->frontend.addr, lb->port);
	lbf_key_set(&fl->half[LBF_REPLY].key, lb->vnet_id, k->family,
		    k->proto, hit->be->addr.addr, hit->be->port, k->src,
		    k->sport);
	fl->half[LBF_REPLY].dir = LBF_REPLY;
	fl->lb_uid = lb->uid;
	fl->lb_vnet = lb->vnet_id;
	memcpy(fl->fe, lb->frontend.addr, 16);
	memcpy(fl->be, hit->be->addr.addr, 16);
	fl->fport = lb->port;
	fl->bport = hit->be->port;
	lbf_refresh(fl, k->proto, flags, false);
	/* Dead until both halves are in: only this opener may remove it. */
	fl->flags = BIT(LBF_DEAD);
	err = rhashtable_lookup_insert_fast(&vn->lb_flows,
					    &fl->half[LBF_ORIG].node,
					    lbf_params);
	if (err == -EEXIST) {
		/* Another CPU recorded this connection first: same backend. */
		call_rcu(&fl->rcu, lbf_free_rcu);
		vnet_ct_uncharge(port->ct, VNET_CT_LB_FLOW, &vn->nr_lb_flows);
		return VNET_PASS;
	}
	if (!err) {
		err = rhashtable_lookup_insert_fast(&vn->lb_flows,
						    &fl->half[LBF_REPLY].node,
						    lbf_params);
		if (err)
			rhashtable_remove_fast(&vn->lb_flows,
					       &fl->half[LBF_ORIG].node,
					       lbf_params);
	}
	if (err) {
		/* No memory, or the backend's side is another connection's. */
		call_rcu(&fl->rcu, lbf_free_rcu);
		goto untracked;
	}
	clear_bit_unlock(LBF_DEAD, &fl->flags);
	if (!delayed_work_pending(&vn->lb_gc))
		queue_delayed_work(system_power_efficient_wq, &vn->lb_gc,
				   LBF_GC_INTERVAL);
	return VNET_PASS;
untracked:
	/* Its replies could not be translated back: better not to start. */
	vnet_ct_uncharge(port->ct, VNET_CT_LB_FLOW, &vn->nr_lb_flows);
	return VNET_DROP_LB_UNTRACKED;
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
	struct lbf_key key;
	struct lbf_half *h;
	bool any;

	if (!atomic_read(&vn->nr_lb_flows) || k->fragment ||
	    (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP))
		return;
	lbf_key_set(&key, port->vnet->id, k->family, k->proto, k->src,
		    k->sport, k->dst, k->dport);
	h = lbf_find(vn, &key);
	if (!h || h->dir != LBF_REPLY)
		return;
	fl = flow_of(h);
	lb = vnet_lb_frontend(vn, fl->lb_vnet, k->family, fl->fe, k->proto,
			      fl->fport, &any);
	if (!lb || lb->uid != fl->lb_uid) {
		lbf_kill(vn, fl);
		return;
	}
	lbf_refresh(fl, k->proto, tcp_flags(skb, f), true);
	memcpy(rev->addr, fl->fe, sizeof(rev->addr));
	rev->port = fl->fport;
	rev->hit = true;
}

/* SNAT: the reply @skb comes from the frontend of @rev. */
int vnet_lb_snat(struct sk_buff *skb, const struct vnet_flow *f,
		 const struct vnet_lb_rev *rev)
{
	return rewrite(skb, f, false, rev->addr, rev->port);
}

/* Is the lb of @fl still there, with the backend's port? Under RCU. */
static bool lbf_live(struct vnet_net *vn, const struct vnet_lb_flow *fl)
{
	const struct lbf_key *k = &fl->half[LBF_ORIG].key;
	const struct vnet_lb *lb;
	bool any;

	lb = vnet_lb_frontend(vn, fl->lb_vnet, k->family, fl->fe, k->proto,
			      fl->fport, &any);
	return lb && lb->uid == fl->lb_uid && backend_of(lb, fl) &&
	       vnet_port_lookup(vn, fl->lb_vnet, k->family, fl->be);
}

/*
 * Removes idle entries and those whose lb or backend went, or all of them
 * with @all. Process context.
 */
static void lbf_sweep(struct vnet_net *vn, bool all)
{
	struct rhashtable_iter iter;
	unsigned int n = 0;
	struct lbf_half *h;

	rhashtable_walk_enter(&vn->lb_flows, &iter);
	rhashtable_walk_start(&iter);
	while ((h = rhashtable_walk_next(&iter))) {
		struct vnet_lb_flow *fl;

		if (IS_ERR(h)) {
			if (PTR_ERR(h) == -EAGAIN)
				continue;
			break;
		}
		if (h->dir != LBF_ORIG)
			continue;
		fl = flow_of(h);
		/* A removed client's entries go too: they hold its shares. */
		if (all || time_after(jiffies, READ_ONCE(fl->expires)) ||
		    vnet_ct_account_gone(fl->acct) || !lbf_live(vn, fl))
			lbf_kill(vn, fl);
		if (++n % 1024 == 0) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static void lbf_gc(struct work_struct *work)
{
	struct vnet_net *vn = container_of(to_delayed_work(work),
					   struct vnet_net, lb_gc);

	lbf_sweep(vn, false);
	if (atomic_read(&vn->nr_lb_flows))
		queue_delayed_work(system_power_efficient_wq, &vn->lb_gc,
				   LBF_GC_INTERVAL);
}

/* An lb or a backend's port went (vn->lock held): collect soon. */
void vnet_lb_flows_stale(struct vnet_net *vn)
{
	if (atomic_read(&vn->nr_lb_flows))
		mod_delayed_work(system_power_efficient_wq, &vn->lb_gc, 0);
}

int vnet_lb_flows_init(struct vnet_net *vn)
{
	atomic_set(&vn->nr_lb_flows, 0);
	INIT_DELAYED_WORK(&vn->lb_gc, lbf_gc);
	return rhashtable_init(&vn->lb_flows, &lbf_params);
}

/* Namespace exit: no packet path runs any more. */
void vnet_lb_flows_exit(struct vnet_net *vn)
{
	cancel_delayed_work_sync(&vn->lb_gc);
	do
		lbf_sweep(vn, true);
	while (atomic_read(&vn->nr_lb_flows));
	rhashtable_destroy(&vn->lb_flows);
}

int vnet_lb_flow_cache_init(void)
{
	lbf_cache = KMEM_CACHE(vnet_lb_flow, 0);
	return lbf_cache ? 0 : -ENOMEM;
}

void vnet_lb_flow_cache_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(lbf_cache);
}
