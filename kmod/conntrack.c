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
 * A half's key names the port that sends it by its conntrack account,
 * which lives as long as an entry refers to it (but for a half no packet
 * may find: CT_TAG_OFF_PATH), and the half names the port it goes to:
 * two vnets that use the same addresses never share an entry, and an
 * entry dies with either of its ports. The key leaves the destination
 * port out, so that a packet finds its connection before its route is
 * looked up: that is the flow table of the packet path.
 *
 * The flow table (vnet_ct_fast()): each half remembers the flow
 * generation (vn->flow_gen, bumped by every change of configuration and
 * every port bound or unbound) under which the full path last delivered
 * a packet of it to its destination port, and how a load balancer
 * translated that packet (ct_proof()). A packet whose half remembers the
 * current generation, translated as it would be, is delivered by that
 * one lookup: no route lookup, no ACL. Any change makes every half stale
 * at once; the next packet of each takes the full path again (a
 * recomputation) and, if it is still delivered the same way, renews the
 * half's generation. But for ACL rules: a publication of rules comes
 * with what it changed (acl_delta.c), and a half that knew its flow just
 * before it, which no changed rule matches, is carried over to the new
 * generation by its next packet (ct_carry()).
 *
 * A connection that a load balancer translates is keyed as translated,
 * the backend as destination: the client's packet, which goes to the
 * frontend, finds its lb record first (lb_flow.c), then the connection
 * under the translated key; the backend's reply finds the connection,
 * then its record for the frontend it must come from. The two lookups
 * yield the translation and the output; the full path's route, backend
 * choice and ACLs are skipped.
 *
 * Every ACL change bumps vn->acl_gen. An entry remembers the generation it
 * was last checked at; a hit with an older one checks the original
 * direction against the rules again and stops the entry if they no
 * longer allow it (ct_stop()): removing an allow rule stops open
 * connections.
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
 * The table, its shares, its collector and its locking are the flow
 * table's (flow_table.c): this file knows the keys and what a packet
 * means to a connection.
 */
#include <asm/unaligned.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "vnet.h"
#include "acl.h"
#include "datapath.h"
#include "lb.h"
#include "core/flow_key.h"

enum { CT_ORIG, CT_REPLY };

/*
 * A packet of a connection reads its half, then the entry's head: one
 * cache line each (struct vnet_conn is cache aligned), so the half holds
 * no more than its lookup needs.
 */
struct ct_half {
	struct rhash_head node;
	struct vnet_ct_key key;
	u8 dir;			/* CT_ORIG or CT_REPLY */
	/*
	 * Where it goes: the other half's sender, whose account the entry
	 * holds; valid while that account is not gone (the port is freed
	 * a grace period after it is retired).
	 */
	struct vnet_port *out;
};

/*
 * e.acct[0] is the account charged for it, the opener's (or with
 * CT_DST_PAYS, for a fragment entry, the other port's), the other one is
 * in e.acct[1]; e.gen is vn->acl_gen when the rules last allowed it. Who
 * sends a half is ct_sender()'s to say, not its key's (an off-path half).
 */
struct vnet_conn {
	struct vnet_ft_entry e;
	u32 proof[2];		/* ct_proof() of a half's last delivery, or 0 */
	struct ct_half half[2];
} ____cacheline_aligned;

static_assert(!IS_ENABLED(CONFIG_64BIT) ||
	      (offsetof(struct vnet_conn, half) == 64 &&
	       sizeof(struct ct_half) == 64));

/* Bits of c->e.flags. */
enum {
	CT_DROP = VNET_FT_USER,	/* not a connection: a denied flow (below) */
	CT_DST_PAYS,		/* e.acct[0] is the receiver's, not the opener's */
};

static bool ct_flag(const struct vnet_conn *c, unsigned int bit)
{
	return test_bit(bit, &c->e.flags);
}

/* A half's key, hashed (@len is always the key's size). */
static u32 ct_hash(const void *data, u32 len, u32 seed)
{
	return vnet_ct_key_hash(data, seed);
}

/* A half's key against a lookup's: 0 if they are equal. */
static int ct_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	return !vnet_ct_key_equal(&((const struct ct_half *)obj)->key,
				  arg->key);
}

/* The same for the table and for each lookup: vnet_ft_find_fast(). */
#define CT_PARAMS VNET_FT_PARAMS(ct_half, ct_hash, ct_cmp)

static const struct rhashtable_params ct_params = CT_PARAMS;

static struct vnet_ft_type ct_type =
	VNET_FT_TYPE(vnet_conn, half, ct_half, 2, NULL, CT_PARAMS);

/* What a packet means to the tracker. */
struct ct_pkt {
	struct vnet_ct_key key;
	u8 tcp_flags;
	bool opens;		/* may open a connection */
	bool error;		/* an ICMP error; @inner is what it quotes */
	struct vnet_ct_key inner;
};

/*
 * The transport part of @key from the header at @off: ports, or the ICMP
 * echo id on the side of the request. Also what the packet may do.
 */
static bool ct_transport(struct sk_buff *skb, unsigned int off,
			 struct vnet_ct_key *key, struct ct_pkt *pkt, bool quoted)
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
		} else if (vnet_icmp_is_error(key->family, type)) {
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
		      const struct vnet_port *dst, struct ct_pkt *pkt)
{
	struct vnet_ct_key *k = &pkt->inner;
	struct ct_pkt ignored = {};
	unsigned int hlen;

	memset(k, 0, sizeof(*k));
	k->from = dst->ct_id;
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

static void ct_addresses(struct vnet_ct_key *key, const struct vnet_port *src,
			 const struct vnet_acl_key *k)
{
	key->from = src->ct_id;
	key->family = k->family;
	key->proto = k->proto;
	memcpy(key->src, k->src, sizeof(key->src));
	memcpy(key->dst, k->dst, sizeof(key->dst));
}

static bool ct_classify(struct sk_buff *skb, const struct vnet_port *src,
			const struct vnet_flow *f, struct ct_pkt *pkt)
{
	ct_addresses(&pkt->key, src, &f->key);
	return ct_transport(skb, f->thoff, &pkt->key, pkt, false);
}

/* The key under which the later fragments of @f find its first one. */
static void ct_fragment_key(struct vnet_ct_key *key,
			    const struct vnet_port *src,
			    const struct vnet_flow *f)
{
	memset(key, 0, sizeof(*key));
	ct_addresses(key, src, &f->key);
	key->sport = f->frag_id >> 16;
	key->dport = f->frag_id & 0xffff;
	key->stag = CT_TAG_FRAGMENT;
}

static enum vnet_ct_kind ct_kind(const struct vnet_ct_key *k)
{
	return k->stag == CT_TAG_FRAGMENT ? VNET_CT_FRAGMENT : VNET_CT_CONN;
}

/* The account of the port that sends half @dir of @c. */
static const struct vnet_ct_account *ct_sender(const struct vnet_conn *c,
					       unsigned int dir)
{
	return c->e.acct[(dir == CT_ORIG) == ct_flag(c, CT_DST_PAYS)];
}

static void ct_kill(struct vnet_net *vn, struct vnet_conn *c)
{
	vnet_ft_kill(&vn->conns, &c->e);
}

/* The live connection with a half @key, and in *@dir which half. */
static struct vnet_conn *ct_find(struct vnet_net *vn,
				 const struct vnet_ct_key *key,
				 unsigned int *dir)
{
	struct vnet_ft_entry *e = vnet_ft_find_fast(&vn->conns, key, dir,
						    ct_params);

	return e ? container_of(e, struct vnet_conn, e) : NULL;
}

/*
 * The live connection with a half @key that goes to @dst. One of that
 * key going elsewhere is not this packet's: the route of its packets
 * changed since it was made (a reply half whose replies went another way
 * from the start is never found: CT_TAG_OFF_PATH). If this packet may
 * open a connection, that one is obsolete: it goes, so that the new one
 * can take its key. Only a party to it can do that: the key names its
 * sender.
 */
static struct vnet_conn *ct_find_to(struct vnet_net *vn,
				    const struct ct_pkt *pkt,
				    const struct vnet_port *dst,
				    unsigned int *dir)
{
	struct vnet_conn *c = ct_find(vn, &pkt->key, dir);

	if (!c || ct_sender(c, !*dir) == dst->ct)
		return c;
	if (pkt->opens)
		ct_kill(vn, c);
	return NULL;
}

/*
 * What the rules and the routes see of connection key @o: its own
 * direction, or with @reverse that of its replies.
 */
static void ct_acl_key(struct vnet_acl_key *k, const struct vnet_ct_key *o,
		       bool reverse)
{
	memset(k, 0, sizeof(*k));
	k->family = o->family;
	k->proto = o->proto;
	memcpy(k->src, reverse ? o->dst : o->src, sizeof(k->src));
	memcpy(k->dst, reverse ? o->src : o->dst, sizeof(k->dst));
	if (o->proto == IPPROTO_TCP || o->proto == IPPROTO_UDP) {
		k->sport = reverse ? o->dport : o->sport;
		k->dport = reverse ? o->sport : o->dport;
	}
}

/*
 * The rules no longer allow connection @c. A TCP connection or an echo
 * goes: a packet of its other side cannot open it again (a TCP ACK, an
 * echo reply opens nothing). A flow that either side may open (UDP,
 * other protocols, through an lb too) is replaced by the verdict of a
 * denied flow under both of its keys, "stopped": its denied direction
 * drops at the flow table's one lookup, like any denied flow, and a
 * packet of its other side passes on the rules alone and opens nothing
 * (vnet_ct_filter()). Else an answer that was on its way when the rule
 * came would open the flow again the other way round, the denied
 * datagrams would be its replies, and a flow that both sides keep busy
 * would never stop. The verdict takes the connection's place in its
 * opener's share (so no share refuses it) for one drop timeout from the
 * stop, never renewed: long enough for the answers on their way, and
 * nobody can keep a place of another VM's share with it. Then the flow
 * is as any other. Without memory for it, the connection only goes
 * (counted on @port, whose packet stopped it, as an insert failure).
 * Returns the verdict, or NULL if there is none (or another CPU made it).
 */
static struct vnet_conn *ct_stop(struct vnet_net *vn, struct vnet_conn *c,
				 u32 gen, struct vnet_port *port)
{
	const struct vnet_ct_key *k = &c->half[CT_ORIG].key;
	struct vnet_conn *v;
	unsigned int i;

	if (k->proto == IPPROTO_TCP || k->stag == CT_TAG_ECHO)
		goto kill;
	v = vnet_ft_alloc_like(&vn->conns, &c->e);
	if (!v) {
		vnet_count_flow(port, VNET_FLOW_INSERT_FAILED);
		goto kill;
	}
	for (i = 0; i < 2; i++) {
		v->half[i].key = c->half[i].key;
		v->half[i].out = c->half[i].out;
	}
	__set_bit(CT_DROP, &v->e.flags);	/* CT_DST_PAYS came with it */
	v->e.gen = gen;
	vnet_ft_expire_in(&v->e, VNET_FLOW_TO_DROP);
	return vnet_ft_replace(&vn->conns, &c->e, &v->e) ? NULL : v;
kill:
	ct_kill(vn, c);
	return NULL;
}

/*
 * Is verdict @c a stopped flow's? It kept the stopped connection's kind
 * (and charge); one made for a denied packet is VNET_CT_DROP.
 */
static bool ct_stopped(const struct vnet_conn *c)
{
	return c->e.kind != VNET_CT_DROP;
}

/*
 * Is connection @c, found by its half @dir, still allowed by the rules?
 * Checks its original direction again if the rules changed since it was
 * last checked; if not, it is stopped, and *@verdict (if not NULL) is
 * what took its place (ct_stop()).
 */
static bool ct_still_allowed(struct vnet_net *vn, struct vnet_conn *c,
			     unsigned int dir, struct vnet_port *src,
			     struct vnet_port *dst, u32 gen,
			     struct vnet_conn **verdict)
{
	struct vnet_conn *v;
	struct vnet_port *sender = src;
	struct vnet_acl_key k;

	if (READ_ONCE(c->e.gen) == gen)
		return true;
	if (dir == CT_REPLY)
		swap(src, dst);
	ct_acl_key(&k, &c->half[CT_ORIG].key, false);
	k.from_vnet = src->vnet->id;
	if (!vnet_acl_path_allows(src, dst, &k)) {
		v = ct_stop(vn, c, gen, sender);
		if (verdict)
			*verdict = v;
		return false;
	}
	WRITE_ONCE(c->e.gen, gen);
	return true;
}

/*
 * Where a reply to the packet with key @k to @dst is routed (NULL: it is
 * dropped). From a remote endpoint, as its host decides (tunnel.c).
 */
static struct vnet_port *ct_way_back(struct vnet_port *dst,
				     const struct vnet_ct_key *k)
{
	enum vnet_drop_reason why;
	struct vnet_acl_key r;

	ct_acl_key(&r, k, true);
	if (dst->endpoint)
		return vnet_next_hop_remote(dst->endpoint, &r, &why);
	return vnet_next_hop(dst, &r, &why, NULL);
}

/*
 * The reply key @key of a new entry, whose replies go to @back, may be
 * held by another entry that it makes obsolete: so it goes, and the new
 * one takes the key. That is a reply half whose replies no longer come
 * back to its opener (the routes changed since it was made, and a port
 * with forwarding on may have made it in another VM's name, and keep it
 * alive), or a denied flow's verdict (the new connection's replies are
 * that flow, and they are allowed as replies), unless a rule change
 * stopped that flow (ct_stop()) and its replies still come back to its
 * opener. False if a live entry that stays holds the key; true if none
 * does now (this one went, or ct_find() met an expired one and removed
 * it, or a dying one).
 */
static bool ct_evict_stale(struct vnet_net *vn, const struct vnet_ct_key *key,
			   const struct vnet_port *back)
{
	unsigned int dir;
	struct vnet_conn *c = ct_find(vn, key, &dir);

	if (!c)
		return true;
	if ((!ct_flag(c, CT_DROP) || ct_stopped(c)) &&
	    (dir != CT_REPLY || c->half[CT_REPLY].out == back))
		return false;
	ct_kill(vn, c);
	return true;
}

/* How ct_open() makes an entry. */
enum {
	CT_OPEN_DST_PAYS = BIT(0),	/* charged to the receiving port */
	CT_OPEN_DROP = BIT(1),		/* a denied flow's verdict */
};

static enum vnet_flow_timeout ct_timeout(enum vnet_ct_kind kind, u8 proto)
{
	switch (kind) {
	case VNET_CT_FRAGMENT:
		return VNET_FLOW_TO_FRAGMENT;
	case VNET_CT_DROP:
		return VNET_FLOW_TO_DROP;
	default:
		return vnet_flow_timeout_of(proto, VNET_FLOW_NEW);
	}
}

/*
 * Makes and inserts an entry of @kind for @pkt, charged to @payer; see
 * ct_open(). Returns vnet_ft_insert()'s error, or -ENOSPC with *@why set.
 */
static int ct_insert(struct vnet_net *vn, struct vnet_port *src,
		     struct vnet_port *dst, const struct ct_pkt *pkt, u32 gen,
		     unsigned int how, enum vnet_ct_kind kind,
		     struct vnet_ct_hit *hit, enum vnet_drop_reason *why)
{
	bool dst_pays = how & CT_OPEN_DST_PAYS;
	struct vnet_conn *c;
	bool back;
	int err;

	/* vnet_ct_key_hash() counts on it, and every key builder does it. */
	WARN_ON_ONCE(pkt->key.family == AF_INET &&
		     !vnet_ct_key_v4_tails_zero(&pkt->key));
	c = vnet_ft_alloc(&vn->conns, dst_pays ? dst->ct : src->ct,
			  dst_pays ? src->ct : dst->ct, kind, why);
	if (!c)
		return -ENOSPC;
	c->half[CT_ORIG].key = pkt->key;
	c->half[CT_ORIG].out = dst;
	c->half[CT_REPLY].out = src;
	back = kind == VNET_CT_CONN && ct_way_back(dst, &pkt->key) == src;
	if (back) {
		vnet_ct_mirror(&c->half[CT_REPLY].key, &pkt->key, dst->ct_id);
		ct_evict_stale(vn, &c->half[CT_REPLY].key, src);
	} else {
		vnet_ct_mirror(&c->half[CT_REPLY].key, &pkt->key, src->ct_id);
		c->half[CT_REPLY].key.dtag |= CT_TAG_OFF_PATH;
	}
	/* Not yet findable: plain stores. */
	if (kind == VNET_CT_DROP)
		__set_bit(CT_DROP, &c->e.flags);
	if (dst_pays)
		__set_bit(CT_DST_PAYS, &c->e.flags);
	c->e.gen = gen;
	vnet_ft_expire_in(&c->e, ct_timeout(kind, pkt->key.proto));
	err = vnet_ft_insert(&vn->conns, &c->e);
	if (!err && hit) {
		hit->conn = c;
		hit->dir = CT_ORIG;
		hit->way_back = back;
	}
	/* Only a reply key that ct_evict_stale() may free is worth a retry. */
	if (err == -EADDRINUSE && !back)
		err = -EEXIST;
	return err;
}

/*
 * A new entry for @pkt, charged to @src's account, or to @dst's with
 * CT_OPEN_DST_PAYS (a fragment entry of a packet that @dst's connection
 * brought). With @hit, where it went in.
 *
 * With CT_OPEN_DROP it is no connection but the verdict of a flow the
 * rules deny, so that its next packets are dropped by the flow table's
 * one lookup, not by the classifier. It holds its own key and nothing
 * else: it never lets a packet through (the packet path's lookups pass
 * it by), a connection that needs its key takes it (ct_evict_stale(),
 * unless it is a stopped flow's), and it takes no place a connection
 * needs: verdicts have a pool of their own (flow_table.c), and one the
 * pool refuses is not cached.
 */
static enum vnet_drop_reason ct_open(struct vnet_net *vn,
				     struct vnet_port *src,
				     struct vnet_port *dst,
				     const struct ct_pkt *pkt, u32 gen,
				     unsigned int how,
				     struct vnet_ct_hit *hit)
{
	enum vnet_ct_kind kind = how & CT_OPEN_DROP ? VNET_CT_DROP :
				 ct_kind(&pkt->key);
	enum vnet_drop_reason why = VNET_PASS, again;
	struct vnet_ct_key reply;
	int err;

	/* A port being removed opens nothing: its entries are collected. */
	if (vnet_ct_account_gone(src->ct) || vnet_ct_account_gone(dst->ct))
		return VNET_PASS;
	err = ct_insert(vn, src, dst, pkt, gen, how, kind, hit, &why);
	/*
	 * Another CPU may have cached a denied flow under the reply key
	 * since ct_evict_stale() looked: if it goes now, once more. The
	 * packet was allowed: it passes whatever the second try meets.
	 */
	if (err == -EADDRINUSE) {
		vnet_ct_mirror(&reply, &pkt->key, dst->ct_id);
		if (ct_evict_stale(vn, &reply, src)) {
			err = ct_insert(vn, src, dst, pkt, gen, how, kind, hit,
					&again);
			if (err == -ENOSPC)
				err = -ENOMEM;	/* counted below */
		}
	}
	if (kind == VNET_CT_DROP)
		return VNET_PASS;	/* the packet drops anyway */
	/*
	 * Another CPU may have opened it first, another entry may hold its
	 * reply key (off the path, or the replies of a connection in the
	 * other direction), or the table could not grow (counted): the
	 * packet was allowed anyway; only its entry is missing.
	 */
	if (err && err != -ENOSPC && err != -EEXIST && err != -EADDRINUSE)
		vnet_count_flow(src, VNET_FLOW_INSERT_FAILED);
	return why;
}

/*
 * The rules still deny the flow of verdict @c: it stays (the whole
 * datagram and the first fragment of a flow find the same one, and
 * neither may kill and remake it for the other), renewed unless it is a
 * stopped flow's (ct_stop()), and it may be remembered under the current
 * flow generation.
 */
static void ct_renew_verdict(struct vnet_conn *c, struct vnet_ct_hit *hit)
{
	if (!ct_stopped(c))
		vnet_ft_expire_in(&c->e, VNET_FLOW_TO_DROP);
	if (hit) {
		hit->conn = c;
		hit->dir = CT_ORIG;
	}
}

/* Was ACL generation @a read before @b? (The counter wraps.) */
static bool ct_gen_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
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
	struct vnet_conn *c;
	unsigned int dir;
	struct vnet_ct_key key;

	ct_fragment_key(&key, src, f);
	c = ct_find(vn, &key, &dir);
	if (c && dir == CT_ORIG && READ_ONCE(c->e.gen) == gen &&
	    ct_sender(c, CT_REPLY) == dst->ct)
		return VNET_PASS;
	return acl_verdict(src, dst, &f->key);
}

/*
 * Packet path, under RCU: may @skb, parsed as @f, go from @src to @dst?
 * Returns VNET_PASS to let it pass, or why it is dropped. @nat: an lb
 * translates it. @hit, if not NULL (the flow table is in front: a
 * port's packets, not the tunnel's), learns the connection half it passed
 * by, or the denied flow's entry it made, for vnet_ct_remember().
 */
enum vnet_drop_reason vnet_ct_filter(struct vnet_port *src,
				     struct vnet_port *dst, struct sk_buff *skb,
				     const struct vnet_flow *f, bool nat,
				     struct vnet_ct_hit *hit)
{
	struct vnet_net *vn = src->vn;
	/* Read before the rules: a change after it makes a later re-check. */
	u32 gen = smp_load_acquire(&vn->acl_gen);
	enum vnet_drop_reason why;
	struct vnet_conn *c, *verdict = NULL;
	struct ct_pkt pkt = {};
	bool reply = false;
	unsigned int dir;

	if (f->key.fragment)
		return ct_later_fragment(vn, src, dst, f, gen);
	if (!ct_classify(skb, src, f, &pkt)) {
		why = acl_verdict(src, dst, &f->key);
	} else if (pkt.error) {
		/* An error about a packet that @dst sent to @src. */
		c = NULL;
		if (ct_quoted(skb, f->thoff + 8, dst, &pkt))
			c = ct_find(vn, &pkt.inner, &dir);
		if (c && !ct_flag(c, CT_DROP) && ct_sender(c, !dir) == src->ct &&
		    ct_still_allowed(vn, c, dir, dst, src, gen, NULL))
			why = VNET_PASS;
		else
			why = acl_verdict(src, dst, &f->key);
	} else {
		c = ct_find_to(vn, &pkt, dst, &dir);
		/*
		 * A denied flow's verdict is the rules' to give again. A SYN
		 * on a closing connection starts a new one, from either
		 * side: it is checked like any new connection.
		 */
		if (c && ct_flag(c, CT_DROP)) {
			verdict = c;
			c = NULL;
		} else if (c && pkt.opens && pkt.key.proto == IPPROTO_TCP &&
			   READ_ONCE(c->e.state) >= VNET_FLOW_FIN) {
			ct_kill(vn, c);
			c = NULL;
		} else if (c && !ct_still_allowed(vn, c, dir, src, dst, gen,
						  &verdict)) {
			c = NULL;	/* the packet meets its verdict, if any */
		}
		if (c) {
			reply = dir == CT_REPLY;
			/* Its TCP flags are 0 unless it is TCP. */
			vnet_ft_touch(&c->e, pkt.key.proto, reply,
				      pkt.tcp_flags);
			if (hit) {
				hit->conn = c;
				hit->dir = dir;
			}
			why = VNET_PASS;
		} else if (!vnet_acl_path_allows(src, dst, &f->key)) {
			why = VNET_DROP_ACL;
			/*
			 * Cached, if the flow table is in front of this
			 * path (@hit) and would find it; a verdict that
			 * still stands is renewed in place.
			 */
			if (verdict) {
				if (dir == CT_ORIG && !nat)
					ct_renew_verdict(verdict, hit);
			} else if (hit && pkt.opens && !nat && !f->frag_first) {
				ct_open(vn, src, dst, &pkt, gen, CT_OPEN_DROP,
					hit);
			}
		} else if (verdict &&
			   (dir == CT_REPLY ||
			    ct_gen_before(gen, READ_ONCE(verdict->e.gen)))) {
			/*
			 * The other side of a stopped flow (ct_stop()), or a
			 * packet checked against rules older than the
			 * verdict's: it passes, but opens nothing, and the
			 * verdict stays.
			 */
			why = VNET_PASS;
		} else {
			if (verdict)
				ct_kill(vn, verdict);
			why = pkt.opens ?
			      ct_open(vn, src, dst, &pkt, gen, 0, hit) :
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
		ct_fragment_key(&pkt.key, src, f);
		c = ct_find(vn, &pkt.key, NULL);	/* the same id, earlier */
		if (c)
			ct_kill(vn, c);
		ct_open(vn, src, dst, &pkt, gen,
			reply ? CT_OPEN_DST_PAYS : 0, NULL);
	}
	return why;
}

/*
 * What a half remembers of the full path's last delivery of one of its
 * packets: the flow generation, and how an lb translated the packet. One
 * half may carry packets of more than one kind (a client that sends to
 * a frontend and straight to its backend from the same port shares one
 * connection between the two): a packet is a hit only if the full path
 * proved its own kind, else one direct datagram after a change would
 * renew the half for the frontend's packets too, which a route to the
 * frontend may now drop. One store: the two never tear. 0 is never a
 * proof (gen 0 is skipped, and so is any whose shift is 0). The shift
 * makes a generation match the one 2^30 changes away (vnet.rst).
 */
static u32 ct_proof(u32 gen, enum vnet_ct_xlate x)
{
	return gen << 2 | x;
}

/* How a packet that found @lb (or none) is translated. */
static enum vnet_ct_xlate ct_xlate_of(const struct vnet_lb_fast *lb)
{
	if (!lb->flow)
		return VNET_CT_UNTRANSLATED;
	return lb->reply ? VNET_CT_SNAT : VNET_CT_DNAT;
}

/* The replies of a packet translated @x are translated the other way. */
static enum vnet_ct_xlate ct_xlate_back(enum vnet_ct_xlate x)
{
	return x == VNET_CT_DNAT ? VNET_CT_SNAT :
	       x == VNET_CT_SNAT ? VNET_CT_DNAT : VNET_CT_UNTRANSLATED;
}

static void ct_remember_half(struct vnet_conn *c, unsigned int dir,
			     u32 proof)
{
	if (proof && READ_ONCE(c->proof[dir]) != proof)
		WRITE_ONCE(c->proof[dir], proof);
}

/*
 * The full path delivered the packet that passed by @hit to @dport under
 * flow generation @gen, translated by an lb as @x says (ct_proof()): the
 * next packets of that half may take the short way
 * (vnet_ct_fast()) until it changes. If the packet opened the connection
 * and its replies are routed back (ct_way_back(), under the same
 * generation), they may too: both directions are cached at once, and the
 * first reply is a hit.
 */
void vnet_ct_remember(const struct vnet_ct_hit *hit, struct vnet_port *dport,
		      u32 gen, enum vnet_ct_xlate x)
{
	struct vnet_conn *c = hit->conn;

	if (!c || !gen)
		return;
	if (c->half[hit->dir].out == dport)
		ct_remember_half(c, hit->dir, ct_proof(gen, x));
	if (hit->way_back)
		ct_remember_half(c, CT_REPLY, ct_proof(gen, ct_xlate_back(x)));
}

/*
 * The connection of a client's packet @pkt to an lb frontend, under the
 * key its record translates it to (the backend as destination), with
 * that translation in @lb; NULL if it has none. Either half: a backend
 * may have sent first, straight to the client.
 */
static struct vnet_conn *ct_find_lb(struct vnet_net *vn,
				    struct vnet_port *port,
				    const struct ct_pkt *pkt,
				    struct vnet_lb_fast *lb,
				    unsigned int *dir)
{
	struct vnet_ct_key key;

	if (!vnet_lb_fast_find(port, &pkt->key, false, lb))
		return NULL;
	key = pkt->key;
	memcpy(key.dst, lb->addr, sizeof(key.dst));
	key.dport = lb->port;
	return ct_find(vn, &key, dir);
}

/*
 * Half @dir of @c, which knew its flow under proof @hgen, meets a packet
 * an lb would translate as @x, under flow generation @gen: if only ACL
 * rules changed in between and none of those matches the connection's
 * original direction (all the rules check of it: replies pass by the
 * connection, and a denied flow's verdict is of the packets of that
 * direction too), the rules decide it as before. Its proof and its
 * entry's ACL generation are renewed as the full path would: true. Only
 * untranslated TCP and UDP, whose key the rules see whole
 * (ct_acl_key()); the rest take the full path.
 */
static bool ct_carry(struct vnet_net *vn, struct vnet_conn *c,
		     unsigned int dir, u32 hgen, u32 gen, enum vnet_ct_xlate x)
{
	const struct vnet_ct_key *o = &c->half[CT_ORIG].key;
	const struct vnet_acl_delta *d = rcu_dereference(vn->acl_delta);
	struct vnet_acl_key k;

	if (x != VNET_CT_UNTRANSLATED || !d || d->flow_to != gen ||
	    hgen != ct_proof(d->flow_from, VNET_CT_UNTRANSLATED) ||
	    (o->proto != IPPROTO_TCP && o->proto != IPPROTO_UDP) ||
	    o->stag || o->dtag)
		return false;
	ct_acl_key(&k, o, false);
	if (!vnet_acl_delta_misses(d, &k))
		return false;
	/* As ct_still_allowed() would; a later check may have moved it. */
	cmpxchg(&c->e.gen, d->acl_to - 1, d->acl_to);
	ct_remember_half(c, dir, ct_proof(gen, VNET_CT_UNTRANSLATED));
	return true;
}

/*
 * The flow table's lookup, under RCU: if the half of @skb's connection
 * (from @port, parsed as @f) was delivered under flow generation @gen,
 * translated as @skb would be (ct_proof()), true and in *@out the port
 * it goes to, @skb translated if an lb translates it; if it is a flow
 * the rules denied under @gen, or its translation fails, true, NULL and
 * in *@why the reason it is dropped. Else false, and it takes the full
 * path. Counts a hit, a recomputation (a half that knew another proof)
 * or a miss.
 */
bool vnet_ct_fast(struct vnet_port *port, struct sk_buff *skb,
		  const struct vnet_flow *f, u32 gen, struct vnet_port **out,
		  enum vnet_drop_reason *why)
{
	struct vnet_net *vn = port->vn;
	enum vnet_flow_count what = VNET_FLOW_MISS;
	struct vnet_lb_fast lb = {};
	struct ct_pkt pkt = {};
	struct vnet_conn *c;
	unsigned int dir;
	enum vnet_ct_xlate x;
	bool carried = false;
	struct ct_half *h;
	u32 hgen;
	int err;

	/*
	 * Fragments and errors follow another entry: the full path. So
	 * does everything at generation 0, which no half remembers but
	 * a half never delivered holds (the counter passes it on a wrap).
	 */
	if (!gen || f->key.fragment || f->frag_first ||
	    vnet_ft_empty(&vn->conns) ||
	    !ct_classify(skb, port, f, &pkt) || pkt.error)
		goto out;
	/*
	 * How the full path would translate it: to the backend if it goes
	 * to a frontend (the connection is keyed translated), from the
	 * frontend if it is a backend's reply (vnet_lb_reply() asks that
	 * of every packet), else not at all.
	 */
	c = ct_find(vn, &pkt.key, &dir);
	if (c)
		vnet_lb_fast_find(port, &pkt.key, true, &lb);
	else
		c = ct_find_lb(vn, port, &pkt, &lb, &dir);
	if (!c)
		goto out;
	/* Delivered under @gen, and translated as this one would be. */
	h = &c->half[dir];
	hgen = READ_ONCE(c->proof[dir]);
	x = ct_xlate_of(&lb);
	if (!hgen || hgen != ct_proof(gen, x)) {
		if (!hgen)
			goto out;
		/* Stale: a recomputation, unless carried and a hit below. */
		what = VNET_FLOW_RECOMPUTE;
		if (!ct_carry(vn, c, dir, hgen, gen, x))
			goto out;
		carried = true;
	}
	/* A SYN on a closing connection opens a new one: the full path. */
	if (pkt.opens && pkt.key.proto == IPPROTO_TCP &&
	    READ_ONCE(c->e.state) >= VNET_FLOW_FIN)
		goto out;
	/* Its port is being removed: h->out may be freed after this. */
	if (vnet_ct_account_gone(ct_sender(c, !dir)))
		goto out;
	*out = NULL;
	if (ct_flag(c, CT_DROP)) {
		if (!ct_stopped(c))
			vnet_ft_expire_in(&c->e, VNET_FLOW_TO_DROP);
		*why = VNET_DROP_ACL;
		goto hit;
	}
	err = lb.flow ? vnet_lb_fast_xlate(skb, f, &lb, pkt.tcp_flags) : 0;
	if (err) {
		*why = vnet_nat_drop(err);
		goto hit;
	}
	vnet_ft_touch(&c->e, pkt.key.proto, dir == CT_REPLY, pkt.tcp_flags);
	*out = h->out;
hit:
	vnet_count_flow(port, VNET_FLOW_HIT);
	if (carried)
		vnet_count_flow(port, VNET_FLOW_CARRIED);
	return true;
out:
	vnet_count_flow(port, what);
	return false;
}

/*
 * Rules changed (vn->lock held): entries check their original direction
 * again. With @delta (which this takes), the rules that changed: the
 * flow table may carry its halves over the change (ct_carry()). The
 * delta is published only if this moves the flow generation from the
 * value read here to the next; if another change moved it first, the
 * halves are stale as after any change, and the last delta goes. (A
 * change of another kind moves the generation after it is published:
 * one published but not yet counted may be carried over, as every half
 * hits until that change moves the generation, which ends the carry.)
 */
void vnet_ct_rules_changed(struct vnet_net *vn, struct vnet_acl_delta *delta)
{
	u32 from = vnet_flow_gen(vn);
	u32 to = from + 1 ? from + 1 : 1;	/* 0 is never a generation */

	/* After the new set: whoever sees this generation sees the set. */
	smp_store_release(&vn->acl_gen, vn->acl_gen + 1);
	if (!delta || atomic_cmpxchg(&vn->flow_gen, from, to) != from) {
		vnet_acl_delta_free(delta);
		vnet_flows_changed(vn);
		delta = NULL;
	} else {
		delta->flow_from = from;
		delta->flow_to = to;
		delta->acl_to = vn->acl_gen;
	}
	vnet_acl_delta_free_rcu(rcu_replace_pointer(vn->acl_delta, delta,
						    lockdep_is_held(&vn->lock)));
}

/* The port is being removed (vn->lock held): its entries go soon. */
void vnet_ct_port_gone(struct vnet_port *port)
{
	vnet_ct_account_retire(port->ct);
	vnet_ft_collect_soon(&port->vn->conns);
}

int vnet_ct_init(struct vnet_net *vn)
{
	return vnet_ft_init(&vn->conns, &ct_type);
}

/* Namespace exit: every port is gone and no packet path runs any more. */
void vnet_ct_exit(struct vnet_net *vn)
{
	vnet_ft_exit(&vn->conns);
}

int vnet_ct_cache_init(void)
{
	return vnet_ft_type_init(&ct_type, &ct_params);
}

void vnet_ct_cache_exit(void)
{
	vnet_ft_type_exit(&ct_type);
}
