// SPDX-License-Identifier: GPL-2.0
/*
 * Connection tracking: the stateful half of the ACLs (rule 9).
 *
 * The first packet of a connection is checked against the ACLs of its
 * path; if they allow it, an entry is made with two keys in one hash table
 * per namespace: the packet's own (the original direction) and its mirror
 * (the reply direction). A later packet that finds its key passes without
 * an ACL lookup, so the return traffic of an allowed connection passes
 * whatever the rules of the other direction say. An ICMP error that
 * quotes a tracked packet passes as related.
 *
 * A key names the two ports by their conntrack accounts, which live as
 * long as an entry refers to them. Two vnets that use the same addresses
 * never share an entry, and an entry dies with either of its ports.
 *
 * Every ACL change bumps vn->acl_gen. An entry remembers the generation it
 * was last checked at; a hit with an older one checks the original
 * direction against the rules again and removes the entry if they no
 * longer allow it: removing an allow rule stops open connections.
 *
 * Only some packets open a connection: a TCP SYN without ACK, the first
 * UDP datagram, an ICMP echo request, the first packet of another
 * protocol (behind any IPv6 extension headers: flow_parse.c walks them).
 * Anything else without an
 * entry is checked against the ACLs and passes or not on its own; so a TCP
 * connection or an echo stopped by a rule change cannot come back with its
 * roles reversed. (UDP and other protocols have no such roles: a datagram
 * the rules allow opens a connection whichever side sends it first.)
 *
 * Capacity: every entry a port opens, here or in another table a VM can
 * fill (lb_flow.c), is charged to the port's account and to its vnet's
 * (the entry of a reply's first fragment to the connection's opener):
 * at most ct_max_per_port and ct_max_per_vnet entries, and ct_max per
 * table in the namespace. At any of these ends a new connection is
 * refused and its packet dropped (port-share, vnet-share,
 * conntrack-full); existing entries keep working. The shares keep one
 * VM, or one tenant, from taking the tables from the others.
 *
 * Locking: lookups, inserts and removals run in the packet path under RCU,
 * lock free (rhashtable). Whoever sets an entry's DEAD bit first (the
 * packet path or the garbage collector) removes it; it is freed after a
 * grace period. The collector is a delayed work per namespace.
 */
#include <asm/unaligned.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "vnet.h"

/* How often the collector looks for expired entries while there are any. */
#define VNET_CT_GC_INTERVAL	(2 * HZ)

/*
 * What a port, or a vnet, holds in the tables. A port's is refcounted by
 * the port and by every entry of any table that names it; a vnet's by
 * the vnet and by its ports' accounts. So either outlives its entries,
 * whose removal uncharges it.
 */
struct vnet_ct_account {
	refcount_t ref;
	atomic_t held;		/* entries opened, all tables: the share */
	atomic_t kind[VNET_CT_NR_KINDS];	/* a port's, by table */
	struct vnet_ct_account *vnet;	/* a port's vnet; none for a vnet */
	bool gone;		/* the port was removed */
};

struct ct_key {
	const struct vnet_ct_account *from, *to;
	u8 src[16], dst[16];
	u16 sport, dport;	/* TCP, UDP; ICMP echo id; fragment id */
	u8 stag, dtag;		/* what sport, dport hold if not ports */
	u8 family, proto;
};

/* Tags: an ICMP echo request's id, or the IP id of a fragmented packet. */
enum { CT_TAG_ECHO = 1, CT_TAG_FRAGMENT };

enum { CT_ORIG, CT_REPLY };

struct ct_half {
	struct rhash_head node;
	struct ct_key key;
	u8 dir;			/* CT_ORIG or CT_REPLY */
};

enum ct_state {
	CT_NEW,			/* nothing came back yet */
	CT_ESTABLISHED,		/* the reply direction has answered */
	CT_FIN,			/* TCP: a FIN was seen */
	CT_CLOSE,		/* TCP: a RST was seen */
};

enum { CT_DEAD };

struct vnet_conn {
	struct ct_half half[2];
	struct vnet_ct_account *acct[2];	/* of key.from, key.to */
	unsigned long expires;			/* jiffies */
	unsigned long flags;			/* CT_DEAD */
	u32 gen;				/* vn->acl_gen last checked */
	u8 state;				/* enum ct_state */
	u8 payer;				/* acct[] charged for it */
	struct rcu_head rcu;
};

static const struct rhashtable_params ct_params = {
	.key_len = sizeof(struct ct_key),
	.key_offset = offsetof(struct ct_half, key),
	.head_offset = offsetof(struct ct_half, node),
	.automatic_shrinking = true,
};

static struct kmem_cache *conn_cache;

/* What a packet means to the tracker. */
struct ct_pkt {
	struct ct_key key;
	u8 tcp_flags;
	bool opens;		/* may open a connection */
	bool error;		/* an ICMP error; @inner is what it quotes */
	struct ct_key inner;
};

static struct vnet_conn *conn_of(struct ct_half *h)
{
	return container_of(h - h->dir, struct vnet_conn, half[0]);
}

static unsigned long ct_timeout(const struct vnet_conn *c)
{
	const struct ct_key *k = &c->half[CT_ORIG].key;
	unsigned int secs;

	if (k->stag == CT_TAG_FRAGMENT)
		return jiffies +
		       (unsigned long)READ_ONCE(vnet_ct_timeout_fragment) * HZ;
	switch (k->proto) {
	case IPPROTO_TCP:
		switch (READ_ONCE(c->state)) {
		case CT_NEW:
			secs = READ_ONCE(vnet_ct_timeout_tcp_syn);
			break;
		case CT_ESTABLISHED:
			secs = READ_ONCE(vnet_ct_timeout_tcp_established);
			break;
		case CT_FIN:
			secs = READ_ONCE(vnet_ct_timeout_tcp_fin);
			break;
		default:
			secs = READ_ONCE(vnet_ct_timeout_tcp_close);
		}
		break;
	case IPPROTO_UDP:
		secs = READ_ONCE(c->state) == CT_NEW ?
		       READ_ONCE(vnet_ct_timeout_udp) :
		       READ_ONCE(vnet_ct_timeout_udp_stream);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		secs = READ_ONCE(vnet_ct_timeout_icmp);
		break;
	default:
		secs = READ_ONCE(vnet_ct_timeout_other);
	}
	return jiffies + (unsigned long)secs * HZ;
}

static void ct_mirror(struct ct_key *r, const struct ct_key *k)
{
	memset(r, 0, sizeof(*r));
	r->from = k->to;
	r->to = k->from;
	memcpy(r->src, k->dst, sizeof(r->src));
	memcpy(r->dst, k->src, sizeof(r->dst));
	r->sport = k->dport;
	r->dport = k->sport;
	r->stag = k->dtag;
	r->dtag = k->stag;
	r->family = k->family;
	r->proto = k->proto;
}

static bool icmp_is_error(u8 family, u8 type)
{
	if (family == AF_INET)
		return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
		       type == ICMP_PARAMETERPROB;
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED || type == ICMPV6_PARAMPROB;
}

/*
 * The transport part of @key from the header at @off: ports, or the ICMP
 * echo id on the side of the request. Also what the packet may do.
 */
static bool ct_transport(struct sk_buff *skb, unsigned int off,
			 struct ct_key *key, struct ct_pkt *pkt, bool quoted)
{
	const u8 *l4;
	bool v4;
	u8 type;

	switch (key->proto) {
	case IPPROTO_TCP:
		/* An ICMP error may quote only 8 bytes: the ports. */
		if (!pskb_may_pull(skb, off + (quoted ? 4 : 14)))
			return false;
		l4 = skb->data + off;
		key->sport = get_unaligned_be16(l4);
		key->dport = get_unaligned_be16(l4 + 2);
		if (quoted)
			return true;
		pkt->tcp_flags = l4[13];
		pkt->opens = (l4[13] & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) ==
			     TCPHDR_SYN;
		return true;
	case IPPROTO_UDP:
		if (!pskb_may_pull(skb, off + 4))
			return false;
		l4 = skb->data + off;
		key->sport = get_unaligned_be16(l4);
		key->dport = get_unaligned_be16(l4 + 2);
		pkt->opens = true;
		return true;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((key->proto == IPPROTO_ICMP) != (key->family == AF_INET)) {
			pkt->opens = true;	/* not ICMP of this family */
			return true;
		}
		if (!pskb_may_pull(skb, off + 8))
			return false;
		l4 = skb->data + off;
		type = l4[0];
		v4 = key->family == AF_INET;
		if (type == (v4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST)) {
			key->sport = get_unaligned_be16(l4 + 4);
			key->stag = CT_TAG_ECHO;
			pkt->opens = true;
		} else if (type == (v4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY)) {
			key->dport = get_unaligned_be16(l4 + 4);
			key->dtag = CT_TAG_ECHO;
		} else if (icmp_is_error(key->family, type)) {
			pkt->error = true;
		}
		return true;
	default:
		/* The transport: flow_parse.c walked any extension headers. */
		pkt->opens = true;
		return true;
	}
}

/*
 * The packet an ICMP error quotes, as a key from the error's receiver (who
 * sent the quoted packet) to its sender.
 */
static bool ct_quoted(struct sk_buff *skb, unsigned int off,
		      struct ct_pkt *pkt)
{
	struct ct_key *k = &pkt->inner;
	struct ct_pkt ignored = {};
	unsigned int hlen;

	memset(k, 0, sizeof(*k));
	k->from = pkt->key.to;
	k->to = pkt->key.from;
	k->family = pkt->key.family;
	if (k->family == AF_INET) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, off + sizeof(*iph)))
			return false;
		iph = (const struct iphdr *)(skb->data + off);
		hlen = iph->ihl * 4;
		if (iph->version != 4 || hlen < sizeof(*iph) ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return false;
		k->proto = iph->protocol;
		memcpy(k->src, &iph->saddr, 4);
		memcpy(k->dst, &iph->daddr, 4);
	} else {
		const struct ipv6hdr *ip6h;
		struct vnet_ipv6_chain c;

		/* The same walk as the packet's own, up to the quote's end. */
		if (!vnet_ipv6_walk_skb(skb, off, &c) || c.later ||
		    !pskb_may_pull(skb, off + sizeof(*ip6h)))
			return false;
		ip6h = (const struct ipv6hdr *)(skb->data + off);
		if (ip6h->version != 6)
			return false;
		hlen = c.thoff;
		k->proto = c.proto;
		memcpy(k->src, &ip6h->saddr, 16);
		memcpy(k->dst, &ip6h->daddr, 16);
	}
	/* An error about an error is not related to anything. */
	return ct_transport(skb, off + hlen, k, &ignored, true) &&
	       !ignored.error;
}

static void ct_addresses(struct ct_key *key, const struct vnet_port *src,
			 const struct vnet_port *dst,
			 const struct vnet_acl_key *k)
{
	key->from = src->ct;
	key->to = dst->ct;
	key->family = k->family;
	key->proto = k->proto;
	memcpy(key->src, k->src, sizeof(key->src));
	memcpy(key->dst, k->dst, sizeof(key->dst));
}

static bool ct_classify(struct sk_buff *skb, const struct vnet_port *src,
			const struct vnet_port *dst,
			const struct vnet_flow *f, struct ct_pkt *pkt)
{
	ct_addresses(&pkt->key, src, dst, &f->key);
	if (!ct_transport(skb, f->thoff, &pkt->key, pkt, false))
		return false;
	if (pkt->error && !ct_quoted(skb, f->thoff + 8, pkt))
		pkt->error = false;
	return true;
}

/* The key under which the later fragments of @f find its first one. */
static void ct_fragment_key(struct ct_key *key, const struct vnet_port *src,
			    const struct vnet_port *dst,
			    const struct vnet_flow *f)
{
	memset(key, 0, sizeof(*key));
	ct_addresses(key, src, dst, &f->key);
	key->sport = f->frag_id >> 16;
	key->dport = f->frag_id & 0xffff;
	key->stag = CT_TAG_FRAGMENT;
}

static void ct_put_account(struct vnet_ct_account *a)
{
	if (!refcount_dec_and_test(&a->ref))
		return;
	if (a->vnet)
		ct_put_account(a->vnet);
	kfree(a);
}

struct vnet_ct_account *vnet_ct_account_get(struct vnet_ct_account *a)
{
	refcount_inc(&a->ref);
	return a;
}

void vnet_ct_account_put(struct vnet_ct_account *a)
{
	ct_put_account(a);
}

bool vnet_ct_account_gone(const struct vnet_ct_account *a)
{
	return READ_ONCE(a->gone);
}

/*
 * Packet path: a new entry of @kind, in the table whose namespace count
 * is @nr, opened by the port of account @a. Checks and charges the
 * port's share, then its vnet's, then the table's size; returns
 * VNET_PASS, or the reason to drop, with nothing charged. Counts go up
 * before the checks so that CPUs racing for the last place cannot both
 * take it; one may be refused in vain, never one too many let in.
 */
enum vnet_drop_reason vnet_ct_charge(struct vnet_ct_account *a,
				     enum vnet_ct_kind kind, atomic_t *nr)
{
	struct vnet_ct_account *v = a->vnet;
	enum vnet_drop_reason why;

	if (atomic_inc_return(&a->held) > READ_ONCE(vnet_ct_max_per_port)) {
		why = VNET_DROP_PORT_SHARE;
		goto undo_port;
	}
	if (v && atomic_inc_return(&v->held) >
		 READ_ONCE(vnet_ct_max_per_vnet)) {
		why = VNET_DROP_VNET_SHARE;
		goto undo_vnet;
	}
	if (atomic_inc_return(nr) > READ_ONCE(vnet_ct_max)) {
		atomic_dec(nr);
		why = VNET_DROP_CT_FULL;
		goto undo_vnet;
	}
	atomic_inc(&a->kind[kind]);
	return VNET_PASS;

undo_vnet:
	if (v)
		atomic_dec(&v->held);
undo_port:
	atomic_dec(&a->held);
	return why;
}

/* The entry charged by vnet_ct_charge() is gone. */
void vnet_ct_uncharge(struct vnet_ct_account *a, enum vnet_ct_kind kind,
		      atomic_t *nr)
{
	atomic_dec(&a->kind[kind]);
	atomic_dec(nr);
	if (a->vnet)
		atomic_dec(&a->vnet->held);
	atomic_dec(&a->held);
}

static enum vnet_ct_kind ct_kind(const struct ct_key *k)
{
	return k->stag == CT_TAG_FRAGMENT ? VNET_CT_FRAGMENT : VNET_CT_CONN;
}

static void ct_free_rcu(struct rcu_head *head)
{
	struct vnet_conn *c = container_of(head, struct vnet_conn, rcu);

	ct_put_account(c->acct[0]);
	ct_put_account(c->acct[1]);
	kmem_cache_free(conn_cache, c);
}

/* Removes @c unless someone else does; it is freed after RCU. */
static void ct_kill(struct vnet_net *vn, struct vnet_conn *c)
{
	if (test_and_set_bit(CT_DEAD, &c->flags))
		return;
	rhashtable_remove_fast(&vn->conns, &c->half[CT_ORIG].node, ct_params);
	rhashtable_remove_fast(&vn->conns, &c->half[CT_REPLY].node, ct_params);
	vnet_ct_uncharge(c->acct[c->payer], ct_kind(&c->half[CT_ORIG].key),
			 &vn->nr_conns);
	call_rcu(&c->rcu, ct_free_rcu);
}

static struct ct_half *ct_find(struct vnet_net *vn, const struct ct_key *key)
{
	struct ct_half *h = rhashtable_lookup(&vn->conns, key, ct_params);
	struct vnet_conn *c;

	if (!h)
		return NULL;
	c = conn_of(h);
	if (test_bit(CT_DEAD, &c->flags))
		return NULL;
	if (time_after(jiffies, READ_ONCE(c->expires))) {
		ct_kill(vn, c);
		return NULL;
	}
	return h;
}

/*
 * Is @h's connection still allowed by the rules? Checks its original
 * direction again if the rules changed since it was last checked.
 */
static bool ct_still_allowed(struct vnet_net *vn, struct ct_half *h,
			     struct vnet_port *src, struct vnet_port *dst,
			     u32 gen)
{
	struct vnet_conn *c = conn_of(h);
	const struct ct_key *o = &c->half[CT_ORIG].key;
	struct vnet_acl_key k = {};

	if (READ_ONCE(c->gen) == gen)
		return true;
	if (h->dir == CT_REPLY)
		swap(src, dst);
	k.family = o->family;
	k.proto = o->proto;
	memcpy(k.src, o->src, sizeof(k.src));
	memcpy(k.dst, o->dst, sizeof(k.dst));
	if (o->proto == IPPROTO_TCP || o->proto == IPPROTO_UDP) {
		k.sport = o->sport;
		k.dport = o->dport;
	}
	k.from_vnet = src->vnet->id;
	if (!vnet_acl_path_allows(src, dst, &k)) {
		ct_kill(vn, c);
		return false;
	}
	WRITE_ONCE(c->gen, gen);
	return true;
}

static void ct_update(struct vnet_conn *c, unsigned int dir,
		      const struct ct_pkt *pkt)
{
	u8 state = READ_ONCE(c->state), next = state;
	unsigned long expires;

	if (dir == CT_REPLY && state == CT_NEW)
		next = CT_ESTABLISHED;
	if (pkt->key.proto == IPPROTO_TCP) {
		if (pkt->tcp_flags & TCPHDR_RST)
			next = CT_CLOSE;
		else if ((pkt->tcp_flags & TCPHDR_FIN) && next != CT_CLOSE)
			next = CT_FIN;
	}
	if (next != state)
		WRITE_ONCE(c->state, next);
	expires = ct_timeout(c);
	if (READ_ONCE(c->expires) != expires)
		WRITE_ONCE(c->expires, expires);
}

/*
 * A new entry for @pkt, charged to @src's account, or to @dst's if
 * @dst_pays (a fragment entry of a packet that @dst's connection brought).
 */
static enum vnet_drop_reason ct_open(struct vnet_net *vn,
				     struct vnet_port *src,
				     struct vnet_port *dst,
				     const struct ct_pkt *pkt, u32 gen,
				     bool dst_pays)
{
	struct vnet_ct_account *payer = dst_pays ? dst->ct : src->ct;
	enum vnet_ct_kind kind = ct_kind(&pkt->key);
	enum vnet_drop_reason why;
	struct vnet_conn *c;
	int err;

	/* A port being removed opens nothing: its entries are collected. */
	if (READ_ONCE(src->ct->gone) || READ_ONCE(dst->ct->gone))
		return VNET_PASS;
	why = vnet_ct_charge(payer, kind, &vn->nr_conns);
	if (why != VNET_PASS)
		return why;
	c = kmem_cache_zalloc(conn_cache, GFP_ATOMIC);
	if (!c) {
		vnet_ct_uncharge(payer, kind, &vn->nr_conns);
		return VNET_DROP_NO_MEMORY;
	}
	c->half[CT_ORIG].key = pkt->key;
	ct_mirror(&c->half[CT_REPLY].key, &pkt->key);
	c->half[CT_REPLY].dir = CT_REPLY;
	/* Both ports are alive (RCU): their accounts are. */
	refcount_inc(&src->ct->ref);
	refcount_inc(&dst->ct->ref);
	c->acct[0] = src->ct;
	c->acct[1] = dst->ct;
	c->payer = dst_pays;
	c->gen = gen;
	c->state = CT_NEW;
	c->expires = ct_timeout(c);
	/*
	 * Dead until both halves are in: nobody else finds or kills a half
	 * inserted entry, so only this opener may take it out again.
	 */
	c->flags = BIT(CT_DEAD);
	err = rhashtable_lookup_insert_fast(&vn->conns,
					    &c->half[CT_ORIG].node, ct_params);
	if (!err) {
		err = rhashtable_lookup_insert_fast(&vn->conns,
						    &c->half[CT_REPLY].node,
						    ct_params);
		if (err)
			rhashtable_remove_fast(&vn->conns,
					       &c->half[CT_ORIG].node,
					       ct_params);
	}
	if (err) {
		/* Another CPU opened it first, or the table cannot grow. */
		vnet_ct_uncharge(payer, kind, &vn->nr_conns);
		call_rcu(&c->rcu, ct_free_rcu);
		/* The packet was allowed; only its entry is missing. */
		return VNET_PASS;
	}
	clear_bit_unlock(CT_DEAD, &c->flags);
	if (!delayed_work_pending(&vn->ct_gc))
		queue_delayed_work(system_power_efficient_wq, &vn->ct_gc,
				   VNET_CT_GC_INTERVAL);
	return VNET_PASS;
}

/* The rules alone, for a packet that no connection lets through. */
static enum vnet_drop_reason acl_verdict(const struct vnet_port *src,
					 const struct vnet_port *dst,
					 const struct vnet_acl_key *k)
{
	return vnet_acl_path_allows(src, dst, k) ? VNET_PASS : VNET_DROP_ACL;
}

/*
 * A later fragment passes if its first fragment passed since the rules
 * last changed; without that it has no ports to check and is left to
 * vnet_acl_path_allows(), which drops it wherever any rule applies.
 */
static enum vnet_drop_reason ct_later_fragment(struct vnet_net *vn,
					       struct vnet_port *src,
					       struct vnet_port *dst,
					       const struct vnet_flow *f,
					       u32 gen)
{
	struct ct_key key;
	struct ct_half *h;

	ct_fragment_key(&key, src, dst, f);
	h = ct_find(vn, &key);
	if (h && h->dir == CT_ORIG && READ_ONCE(conn_of(h)->gen) == gen)
		return VNET_PASS;
	return acl_verdict(src, dst, &f->key);
}

/*
 * Packet path, under RCU: may @skb, parsed as @f, go from @src to @dst?
 * Returns VNET_PASS to let it pass, or why it is dropped.
 */
enum vnet_drop_reason vnet_ct_filter(struct vnet_port *src,
				     struct vnet_port *dst, struct sk_buff *skb,
				     const struct vnet_flow *f)
{
	struct vnet_net *vn = src->vn;
	/* Read before the rules: a change after it makes a later re-check. */
	u32 gen = smp_load_acquire(&vn->acl_gen);
	enum vnet_drop_reason why;
	struct ct_pkt pkt = {};
	bool reply = false;
	struct ct_half *h;

	if (f->key.fragment)
		return ct_later_fragment(vn, src, dst, f, gen);
	if (!ct_classify(skb, src, dst, f, &pkt)) {
		why = acl_verdict(src, dst, &f->key);
	} else if (pkt.error) {
		h = ct_find(vn, &pkt.inner);
		if (h && ct_still_allowed(vn, h, dst, src, gen))
			why = VNET_PASS;
		else
			why = acl_verdict(src, dst, &f->key);
	} else {
		h = ct_find(vn, &pkt.key);
		/*
		 * A SYN on a closing connection starts a new one, from
		 * either side: it is checked like any new connection.
		 */
		if (h && pkt.opens && pkt.key.proto == IPPROTO_TCP &&
		    READ_ONCE(conn_of(h)->state) >= CT_FIN) {
			ct_kill(vn, conn_of(h));
			h = NULL;
		}
		if (h && ct_still_allowed(vn, h, src, dst, gen)) {
			ct_update(conn_of(h), h->dir, &pkt);
			reply = h->dir == CT_REPLY;
			why = VNET_PASS;
		} else if (!vnet_acl_path_allows(src, dst, &f->key)) {
			why = VNET_DROP_ACL;
		} else {
			why = pkt.opens ? ct_open(vn, src, dst, &pkt, gen,
						  false) :
					  VNET_PASS;
		}
	}
	if (why == VNET_PASS && f->frag_first) {
		/*
		 * Best effort, within the shares: without it the later
		 * fragments fail closed. The first one passes anyway, so a
		 * datagram of an established flow never drops for a share.
		 * A reply's entry is charged to the connection's opener, as
		 * the connection is: else whoever can make a VM answer with
		 * large datagrams (a ping of a large size will do) fills
		 * that VM's share, and it can open nothing.
		 */
		memset(&pkt, 0, sizeof(pkt));
		ct_fragment_key(&pkt.key, src, dst, f);
		h = ct_find(vn, &pkt.key);	/* the same id, earlier */
		if (h)
			ct_kill(vn, conn_of(h));
		ct_open(vn, src, dst, &pkt, gen, reply);
	}
	return why;
}

/*
 * Removes expired entries and those of removed ports; every entry if
 * @all (the namespace goes). Process context.
 */
static void ct_sweep(struct vnet_net *vn, bool all)
{
	struct rhashtable_iter iter;
	unsigned int n = 0;
	struct ct_half *h;

	rhashtable_walk_enter(&vn->conns, &iter);
	rhashtable_walk_start(&iter);
	while ((h = rhashtable_walk_next(&iter))) {
		struct vnet_conn *c;

		if (IS_ERR(h)) {
			if (PTR_ERR(h) == -EAGAIN)
				continue;
			break;
		}
		c = conn_of(h);
		if (h->dir != CT_ORIG)
			continue;
		if (all || READ_ONCE(c->acct[0]->gone) ||
		    READ_ONCE(c->acct[1]->gone) ||
		    time_after(jiffies, READ_ONCE(c->expires)))
			ct_kill(vn, c);
		if (++n % 1024 == 0) {	/* let others run */
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static void ct_gc(struct work_struct *work)
{
	struct vnet_net *vn = container_of(to_delayed_work(work),
					   struct vnet_net, ct_gc);

	ct_sweep(vn, false);
	if (atomic_read(&vn->nr_conns))
		queue_delayed_work(system_power_efficient_wq, &vn->ct_gc,
				   VNET_CT_GC_INTERVAL);
}

/* A rule changed: entries check their original direction again. */
void vnet_ct_rules_changed(struct vnet_net *vn)
{
	/* After the new set: whoever sees this generation sees the set. */
	smp_store_release(&vn->acl_gen, vn->acl_gen + 1);
}

static struct vnet_ct_account *ct_account_new(void)
{
	struct vnet_ct_account *a = kzalloc(sizeof(*a), GFP_KERNEL);

	if (a)
		refcount_set(&a->ref, 1);
	return a;
}

int vnet_ct_port_init(struct vnet_port *port)
{
	port->ct = ct_account_new();
	return port->ct ? 0 : -ENOMEM;
}

/*
 * @port now belongs to port->vnet (a port never changes vnet): its
 * entries count against that vnet's share too. Before the packet path
 * can see the port.
 */
void vnet_ct_port_bind(struct vnet_port *port)
{
	port->ct->vnet = vnet_ct_account_get(port->vnet->ct);
}

int vnet_ct_vnet_init(struct vnet_vnet *v)
{
	v->ct = ct_account_new();
	return v->ct ? 0 : -ENOMEM;
}

/* After the vnet's grace period; its ports' entries may hold it longer. */
void vnet_ct_vnet_release(struct vnet_vnet *v)
{
	if (v->ct)
		ct_put_account(v->ct);
}

/* The port is being removed (vn->lock held): its entries go soon. */
void vnet_ct_port_gone(struct vnet_port *port)
{
	WRITE_ONCE(port->ct->gone, true);
	if (atomic_read(&port->vn->nr_conns))
		mod_delayed_work(system_power_efficient_wq, &port->vn->ct_gc, 0);
}

/* After the port's grace period. */
void vnet_ct_port_release(struct vnet_port *port)
{
	if (port->ct)
		ct_put_account(port->ct);
}

/* The entries of @kind that @port opened and that are still there. */
unsigned int vnet_ct_port_count(const struct vnet_port *port,
				enum vnet_ct_kind kind)
{
	return atomic_read(&port->ct->kind[kind]);
}

int vnet_ct_init(struct vnet_net *vn)
{
	atomic_set(&vn->nr_conns, 0);
	INIT_DELAYED_WORK(&vn->ct_gc, ct_gc);
	return rhashtable_init(&vn->conns, &ct_params);
}

/* Namespace exit: every port is gone and no packet path runs any more. */
void vnet_ct_exit(struct vnet_net *vn)
{
	cancel_delayed_work_sync(&vn->ct_gc);
	/* A walk that pauses can skip entries after the one it removed. */
	do
		ct_sweep(vn, true);
	while (atomic_read(&vn->nr_conns));
	rhashtable_destroy(&vn->conns);
}

int vnet_ct_cache_init(void)
{
	conn_cache = KMEM_CACHE(vnet_conn, 0);
	return conn_cache ? 0 : -ENOMEM;
}

void vnet_ct_cache_exit(void)
{
	rcu_barrier();	/* entries freed with call_rcu() */
	kmem_cache_destroy(conn_cache);
}
