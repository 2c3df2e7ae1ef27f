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
 * (port-share, vnet-share, conntrack-full at ct_max
 * entries in the namespace). A new connection that cannot be recorded
 * otherwise (no memory, or its backend side already another
 * connection's) is dropped as lb-untracked: its replies could not be
 * translated back. An entry's state (new, established once the backend
 * answered, fin, close) picks its idle timeout, as in connection
 * tracking. Both tables here are flow tables (flow_table.c): lock free,
 * with their collectors, shares and locking rules.
 */
#include <asm/unaligned.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/jhash.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/tcp.h>

#include "vnet.h"

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

struct lbf_half {
	struct rhash_head node;
	struct lbf_key key;
	u8 dir;			/* LBF_ORIG or LBF_REPLY */
};

/* e.acct[0]: the client's port, charged for it. */
struct vnet_lb_flow {
	struct vnet_ft_entry e;
	struct lbf_half half[2];
	u64 lb_uid;
	u32 lb_vnet;
	u8 fe[16];
	u8 be[16];
	u16 fport;
	u16 bport;
};

static bool lbf_stale(struct vnet_flow_table *ft,
		      const struct vnet_ft_entry *e);

static struct vnet_ft_type lbf_type =
	VNET_FT_TYPE(vnet_lb_flow, half, lbf_half, 2, lbf_stale);

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

static void lbf_kill(struct vnet_net *vn, struct vnet_lb_flow *fl)
{
	vnet_ft_kill(&vn->lb_flows, &fl->e);
}

/* The live connection with a half @key, and in *@dir which half. */
static struct vnet_lb_flow *lbf_find(struct vnet_net *vn,
				     const struct lbf_key *key,
				     unsigned int *dir)
{
	struct vnet_ft_entry *e = vnet_ft_find(&vn->lb_flows, key, dir);

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
static const struct vnet_lb_backend *lb_backend(const struct vnet_lb *lb,
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
 * Fragments and ICMP errors of lb connections.
 *
 * A later fragment carries no ports: it follows the first fragment of its
 * datagram, whose translation is recorded (in vn->lb_frags, for
 * ct_timeout_fragment seconds) under the key conntrack uses for its
 * fragment entries: the sender's vnet, addresses, protocol and IP id, as
 * sent (a client's to the frontend, a backend's reply to the client).
 * Only its address changes; the transport checksum lives in the first
 * fragment, whose rewrite already covers the new pseudo header and port.
 * A later fragment without a record goes nowhere (lb-no-rule).
 *
 * An ICMP error quoting a packet of an lb connection is translated like
 * the packets it is about: one from the backend's port quoting what the
 * client sent (client -> backend) reaches the client from the frontend,
 * quoting client -> frontend; one to the frontend quoting a reply (frontend
 * -> client) reaches the backend, quoting backend -> client. The outer and
 * quoted headers, the quoted IPv4 header checksum, the quoted transport
 * checksum when the error carries it whole, and the ICMP checksum are
 * updated incrementally (a wrong checksum stays wrong).
 */
struct lbf_frag_key {
	u32 vnet_id;		/* of the sender */
	u32 id;			/* IP identification */
	u8 family;
	u8 proto;
	u8 reply;		/* sent by the backend */
	u8 pad;
	u8 src[16];
	u8 dst[16];
};

struct lbf_frag_half {
	struct rhash_head node;
	struct lbf_frag_key key;
	u8 dir;			/* always 0: one key */
};

/* e.acct[0]: the client's port, charged for it. */
struct vnet_lb_frag {
	struct vnet_ft_entry e;
	struct lbf_frag_half half[1];
	u64 lb_uid;		/* the connection's */
	u32 lb_vnet;
	u8 fe[16];
	u8 be[16];
	u16 fport;
	u16 bport;
};

static struct vnet_ft_type lbf_frag_type =
	VNET_FT_TYPE(vnet_lb_frag, half, lbf_frag_half, 1, NULL);

static void lbf_frag_key_set(struct lbf_frag_key *key, u32 vnet_id,
			     const struct vnet_flow *f, const u8 *src,
			     const u8 *dst, bool reply)
{
	unsigned int len = f->key.family == AF_INET ? 4 : 16;

	memset(key, 0, sizeof(*key));
	key->vnet_id = vnet_id;
	key->id = f->frag_id;
	key->family = f->key.family;
	key->proto = f->key.proto;
	key->reply = reply;
	memcpy(key->src, src, len);
	memcpy(key->dst, dst, len);
}

static struct vnet_lb_frag *lbf_frag_find(struct vnet_net *vn,
					  const struct lbf_frag_key *key)
{
	struct vnet_ft_entry *e = vnet_ft_find(&vn->lb_frags, key, NULL);

	return e ? container_of(e, struct vnet_lb_frag, e) : NULL;
}

/*
 * A first fragment of a connection went through: its later fragments
 * will find this. Charged to the client's shares like a conntrack
 * fragment entry. Best effort: without it they drop, as they would in
 * conntrack.
 */
static void lbf_frag_add(struct vnet_net *vn, struct vnet_ct_account *acct,
			 const struct lbf_frag_key *key, u64 lb_uid,
			 u32 lb_vnet, const u8 *fe, u16 fport, const u8 *be,
			 u16 bport)
{
	enum vnet_drop_reason why;
	struct vnet_lb_frag *fr;

	fr = lbf_frag_find(vn, key);	/* the same id, earlier */
	if (fr)
		vnet_ft_kill(&vn->lb_frags, &fr->e);
	/* A port being removed records nothing: its entries are collected. */
	if (vnet_ct_account_gone(acct))
		return;
	fr = vnet_ft_alloc(&vn->lb_frags, acct, NULL, VNET_CT_FRAGMENT, &why);
	if (!fr)
		return;
	fr->half[0].key = *key;
	fr->lb_uid = lb_uid;
	fr->lb_vnet = lb_vnet;
	memcpy(fr->fe, fe, sizeof(fr->fe));
	memcpy(fr->be, be, sizeof(fr->be));
	fr->fport = fport;
	fr->bport = bport;
	vnet_ft_expire_in(&fr->e, VNET_FLOW_TO_FRAGMENT);
	/* Another CPU may have been first, or the table cannot grow. */
	vnet_ft_insert(&vn->lb_frags, &fr->e);
}

/* The packet an ICMP error quotes, and where its parts are. */
struct lbf_quote {
	unsigned int ipoff;	/* its IP header, from skb->data */
	unsigned int l4off;	/* its TCP or UDP header */
	unsigned int end;	/* of the error's datagram, not of the frame */
	u8 proto;
	u16 sport, dport;
	u8 src[16], dst[16];
};

/*
 * Is @skb an ICMP error quoting a TCP or UDP packet (its first fragment,
 * if a fragment) with at least its ports? Then @q says what it quotes.
 * An error that is itself fragmented, or whose checksum is left to the
 * hardware, is not translated.
 */
static bool lbf_quote(struct sk_buff *skb, const struct vnet_flow *f,
		      struct lbf_quote *q)
{
	const struct vnet_acl_key *k = &f->key;
	bool v4 = k->family == AF_INET;
	const u8 *l4;

	if (k->proto != (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) ||
	    k->fragment || f->frag_first || skb_is_gso(skb) ||
	    skb->ip_summed == CHECKSUM_PARTIAL)
		return false;
	if (v4)
		q->end = ntohs(ip_hdr(skb)->tot_len);
	else
		q->end = sizeof(struct ipv6hdr) +
			 ntohs(ipv6_hdr(skb)->payload_len);
	/* Both ICMP headers are 8 bytes long. */
	q->ipoff = f->thoff + 8;
	if (q->ipoff > q->end || !vnet_icmp_is_error(k->family, f->icmp_type))
		return false;
	if (v4) {
		const struct iphdr *iph;

		if (q->ipoff + sizeof(*iph) > q->end ||
		    !pskb_may_pull(skb, q->ipoff + sizeof(*iph)))
			return false;
		iph = (const struct iphdr *)(skb->data + q->ipoff);
		if (iph->version != 4 || iph->ihl < 5 ||
		    (iph->frag_off & htons(IP_OFFSET)))
			return false;
		q->proto = iph->protocol;
		q->l4off = q->ipoff + iph->ihl * 4;
		memset(q->src, 0, sizeof(q->src));
		memset(q->dst, 0, sizeof(q->dst));
		memcpy(q->src, &iph->saddr, 4);
		memcpy(q->dst, &iph->daddr, 4);
	} else {
		const struct ipv6hdr *ip6h;
		struct vnet_ipv6_chain c;

		/* The walk conntrack makes of it (ct_quoted()). */
		if (q->ipoff + sizeof(*ip6h) > q->end ||
		    !vnet_ipv6_walk_skb(skb, q->ipoff, &c) || c.later ||
		    !pskb_may_pull(skb, q->ipoff + sizeof(*ip6h)))
			return false;
		ip6h = (const struct ipv6hdr *)(skb->data + q->ipoff);
		if (ip6h->version != 6)
			return false;
		memcpy(q->src, &ip6h->saddr, 16);
		memcpy(q->dst, &ip6h->daddr, 16);
		q->proto = c.proto;
		q->l4off = q->ipoff + c.thoff;
	}
	if ((q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP) ||
	    q->l4off + 4 > q->end || !pskb_may_pull(skb, q->l4off + 4))
		return false;
	l4 = skb->data + q->l4off;
	q->sport = get_unaligned_be16(l4);
	q->dport = get_unaligned_be16(l4 + 2);
	return true;
}

/*
 * Is @skb from @port an ICMP error about a packet that the frontend sent
 * to the error's sender? The sender's own packet mirrors the one quoted:
 * a client's (@want LBF_ORIG) quotes a reply, a backend's (LBF_REPLY)
 * what the client sent. The connection, if the mirror is its half @want.
 */
static struct vnet_lb_flow *lbf_quoted(struct vnet_port *port,
				       struct sk_buff *skb,
				       const struct vnet_flow *f,
				       unsigned int want)
{
	const struct vnet_acl_key *k = &f->key;
	struct vnet_net *vn = port->vn;
	struct vnet_lb_flow *fl;
	struct lbf_quote q;
	struct lbf_key key;
	unsigned int dir;

	if (vnet_ft_empty(&vn->lb_flows) || !lbf_quote(skb, f, &q) ||
	    memcmp(q.src, k->dst, sizeof(q.src)) ||
	    memcmp(q.dst, k->src, sizeof(q.dst)))
		return NULL;
	lbf_key_set(&key, port->vnet->id, k->family, q.proto, q.dst, q.dport,
		    q.src, q.sport);
	fl = lbf_find(vn, &key, &dir);
	return fl && dir == want ? fl : NULL;
}

/*
 * Before routing, under RCU: is @skb, to a frontend maybe, a later
 * fragment or an ICMP error of a connection of @port's? Then @hit says
 * which, for vnet_lb_select().
 */
void vnet_lb_related(struct vnet_port *port, struct sk_buff *skb,
		     const struct vnet_flow *f, struct vnet_lb_hit *hit)
{
	const struct vnet_acl_key *k = &f->key;
	struct vnet_net *vn = port->vn;
	struct lbf_frag_key fkey;

	if (k->fragment) {
		lbf_frag_key_set(&fkey, port->vnet->id, f, k->src, k->dst,
				 false);
		hit->frag = lbf_frag_find(vn, &fkey);
		if (hit->frag)
			hit->kind = VNET_LB_FRAGMENT;
		return;
	}
	hit->flow = lbf_quoted(port, skb, f, LBF_ORIG);
	if (hit->flow)
		hit->kind = VNET_LB_ICMP;
}

/* The port of a backend address, if it is up: absent ones are skipped. */
static struct vnet_port *backend_port(struct vnet_net *vn, u32 vnet_id,
				      u8 family, const u8 *addr)
{
	struct vnet_port *port = vnet_port_lookup(vn, vnet_id, family, addr);

	return port && !vnet_port_absent(port) ? port : NULL;
}

/*
 * vnet_lb_select() for what vnet_lb_related() found: the backend port of
 * the connection, if the packet goes to its frontend and the lb and the
 * backend are still there.
 */
static struct vnet_port *lbf_select_related(struct vnet_port *port,
					    u32 vnet_id,
					    const struct vnet_acl_key *k,
					    struct vnet_lb_hit *hit,
					    enum vnet_drop_reason *why)
{
	unsigned int len = k->family == AF_INET ? 4 : 16;
	const struct vnet_lb_backend *be;
	const u8 *fe, *be_addr;
	const struct vnet_lb *lb;
	struct vnet_port *dport;
	u16 fport, bport;
	u32 lb_vnet;
	u64 uid;
	u8 proto;
	bool any;

	if (hit->kind == VNET_LB_FRAGMENT) {
		const struct vnet_lb_frag *fr = hit->frag;

		uid = fr->lb_uid;
		lb_vnet = fr->lb_vnet;
		fe = fr->fe;
		fport = fr->fport;
		be_addr = fr->be;
		bport = fr->bport;
		proto = k->proto;
	} else {
		const struct vnet_lb_flow *fl = hit->flow;

		uid = fl->lb_uid;
		lb_vnet = fl->lb_vnet;
		fe = fl->fe;
		fport = fl->fport;
		be_addr = fl->be;
		bport = fl->bport;
		proto = fl->half[LBF_ORIG].key.proto;
	}
	*why = VNET_DROP_LB_NO_RULE;
	if (lb_vnet != vnet_id || memcmp(fe, k->dst, len))
		return NULL;
	lb = vnet_lb_frontend(port->vn, vnet_id, k->family, fe, proto, fport,
			      &any);
	if (!lb || lb->uid != uid)
		return NULL;
	*why = VNET_DROP_LB_NO_BACKEND;
	be = lb_backend(lb, be_addr, bport);
	dport = be ? backend_port(port->vn, vnet_id, k->family,
				  be->addr.addr) : NULL;
	if (!dport || dport == port)
		return NULL;
	hit->lb = lb;
	hit->be = be;
	return dport;
}

/* @sum covers the @len bytes (even) at @old, which become @val. */
static void csum_words(__sum16 *sum, const void *old, const void *val,
		       unsigned int len)
{
	const u8 *o = old, *v = val;
	unsigned int i;
	__be16 a, b;

	for (i = 0; i < len; i += 2) {
		memcpy(&a, o + i, 2);
		memcpy(&b, v + i, 2);
		csum_replace2(sum, a, b);
	}
}

/* A later fragment: the source (@dst false) or destination address. */
static int rewrite_addr(struct sk_buff *skb, const struct vnet_flow *f,
			bool dst, const u8 *addr)
{
	if (f->key.family == AF_INET) {
		struct iphdr *iph;
		__be32 *a;

		if (skb_ensure_writable(skb, sizeof(*iph)))
			return -ENOMEM;
		iph = ip_hdr(skb);
		a = dst ? &iph->daddr : &iph->saddr;
		csum_words(&iph->check, a, addr, 4);
		memcpy(a, addr, 4);
	} else {
		struct ipv6hdr *ip6h;

		if (skb_ensure_writable(skb, sizeof(*ip6h)))
			return -ENOMEM;
		ip6h = ipv6_hdr(skb);
		memcpy(dst ? &ip6h->daddr : &ip6h->saddr, addr, 16);
	}
	return 0;
}

/*
 * An ICMP error to the backend (@dst: outer destination, quoted source)
 * or from it (outer source, quoted destination): that address becomes
 * @addr, the quoted port @port. Every field changes with the checksums
 * that cover it: the ICMP one covers the quoted packet (and for ICMPv6
 * the outer addresses), the quoted headers have their own.
 */
static int rewrite_icmp(struct sk_buff *skb, const struct vnet_flow *f,
			bool dst, const u8 *addr, u16 port)
{
	bool v4 = f->key.family == AF_INET;
	unsigned int alen = v4 ? 4 : 16, coff, wlen;
	__sum16 *sum, *qcsum = NULL;
	__be16 nport = htons(port);
	struct lbf_quote q;
	u8 *qaddr, *qport;

	if (!lbf_quote(skb, f, &q))
		return -EINVAL;
	coff = q.l4off + (q.proto == IPPROTO_TCP ?
			  offsetof(struct tcphdr, check) :
			  offsetof(struct udphdr, check));
	/* The quoted transport checksum, if the error carries it. */
	wlen = coff + 2 <= q.end ? coff + 2 : q.l4off + 4;
	if (skb_ensure_writable(skb, wlen))
		return -ENOMEM;
	/* icmphdr.checksum and icmp6hdr.icmp6_cksum: after type and code */
	sum = (__sum16 *)(skb->data + f->thoff + 2);
	qport = skb->data + q.l4off + (dst ? 0 : 2);
	if (v4) {
		struct iphdr *qiph = (struct iphdr *)(skb->data + q.ipoff);
		__sum16 check = qiph->check;

		qaddr = (u8 *)(dst ? &qiph->saddr : &qiph->daddr);
		csum_words(&check, qaddr, addr, 4);
		csum_words(sum, &qiph->check, &check, 2);
		qiph->check = check;
	} else {
		struct ipv6hdr *qip6h = (struct ipv6hdr *)(skb->data + q.ipoff);

		qaddr = (u8 *)(dst ? &qip6h->saddr : &qip6h->daddr);
	}
	if (coff + 2 <= q.end)
		qcsum = (__sum16 *)(skb->data + coff);
	/* A UDP checksum of zero: none (IPv4), or wrong anyway (IPv6). */
	if (qcsum && (q.proto == IPPROTO_TCP || *qcsum)) {
		__sum16 check = *qcsum;

		csum_words(&check, qaddr, addr, alen);
		csum_words(&check, qport, &nport, 2);
		if (q.proto == IPPROTO_UDP && !check)
			check = CSUM_MANGLED_0;
		csum_words(sum, qcsum, &check, 2);
		*qcsum = check;
	}
	csum_words(sum, qport, &nport, 2);
	memcpy(qport, &nport, 2);
	csum_words(sum, qaddr, addr, alen);
	memcpy(qaddr, addr, alen);
	if (v4) {
		struct iphdr *iph = ip_hdr(skb);
		__be32 *a = dst ? &iph->daddr : &iph->saddr;

		csum_words(&iph->check, a, addr, 4);
		memcpy(a, addr, 4);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);
		struct in6_addr *a = dst ? &ip6h->daddr : &ip6h->saddr;

		/* The ICMPv6 pseudo header. */
		csum_words(sum, a, addr, 16);
		memcpy(a, addr, 16);
	}
	return 0;
}

/* vnet_lb_dnat() of a later fragment or an ICMP error to the backend. */
static int lbf_dnat_related(struct sk_buff *skb, struct vnet_flow *f,
			    const struct vnet_lb_hit *hit)
{
	const u8 *addr = hit->be->addr.addr;
	int err;

	if (hit->kind == VNET_LB_FRAGMENT)
		err = rewrite_addr(skb, f, true, addr);
	else
		err = rewrite_icmp(skb, f, true, addr, hit->be->port);
	if (!err)
		memcpy(f->key.dst, addr, sizeof(f->key.dst));
	return err;
}

/*
 * vnet_lb_reply() of a later fragment or an ICMP error from a backend's
 * port: @rev is set if it belongs to a connection whose lb is there.
 */
static void lbf_reply_related(struct vnet_port *port, struct sk_buff *skb,
			      const struct vnet_flow *f,
			      struct vnet_lb_rev *rev)
{
	const struct vnet_acl_key *k = &f->key;
	struct vnet_net *vn = port->vn;
	const struct vnet_lb_flow *fl;
	struct lbf_frag_key fkey;
	const struct vnet_lb *lb;
	struct vnet_lb_frag *fr;
	bool any;

	if (k->fragment) {
		lbf_frag_key_set(&fkey, port->vnet->id, f, k->src, k->dst,
				 true);
		fr = lbf_frag_find(vn, &fkey);
		/* Even if its lb just went: the first one left translated. */
		if (!fr)
			return;
		memcpy(rev->addr, fr->fe, sizeof(rev->addr));
		rev->kind = VNET_LB_FRAGMENT;
		rev->hit = true;
		return;
	}
	fl = lbf_quoted(port, skb, f, LBF_REPLY);
	if (!fl)
		return;
	lb = vnet_lb_frontend(vn, fl->lb_vnet, k->family, fl->fe,
			      fl->half[LBF_ORIG].key.proto, fl->fport, &any);
	/* Only the backend speaks for the backend. */
	if (!lb || lb->uid != fl->lb_uid ||
	    vnet_port_lookup(vn, fl->lb_vnet, k->family, fl->be) != port)
		return;
	memcpy(rev->addr, fl->fe, sizeof(rev->addr));
	rev->port = fl->fport;
	rev->kind = VNET_LB_ICMP;
	rev->hit = true;
}

/* vnet_lb_snat() of a later fragment or an ICMP error from a backend. */
static int lbf_snat_related(struct sk_buff *skb, const struct vnet_flow *f,
			    const struct vnet_lb_rev *rev)
{
	if (rev->kind == VNET_LB_FRAGMENT)
		return rewrite_addr(skb, f, false, rev->addr);
	return rewrite_icmp(skb, f, false, rev->addr, rev->port);
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
		be = fl->lb_uid == lb->uid ? lb_backend(lb, fl->be, fl->bport) :
					     NULL;
		dport = be ? backend_port(vn, lb->vnet_id, k->family,
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
		dport = backend_port(vn, lb->vnet_id, k->family,
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
	int err;

	if (hit->kind != VNET_LB_CONN)
		return lbf_dnat_related(skb, f, hit);
	err = rewrite(skb, f, true, hit->be->addr.addr, hit->be->port);
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
	struct lbf_frag_key fkey;
	int err;

	/* A later fragment or an ICMP error: its connection's business. */
	if (hit->kind != VNET_LB_CONN)
		return VNET_PASS;
	if (f->frag_first) {
		lbf_frag_key_set(&fkey, port->vnet->id, f, k->src,
				 lb->frontend.addr, false);
		lbf_frag_add(vn, port->ct, &fkey, lb->uid, lb->vnet_id,
			     lb->frontend.addr, lb->port, hit->be->addr.addr,
			     hit->be->port);
	}
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
	fl->lb_uid = lb->uid;
	fl->lb_vnet = lb->vnet_id;
	memcpy(fl->fe, lb->frontend.addr, 16);
	memcpy(fl->be, hit->be->addr.addr, 16);
	fl->fport = lb->port;
	fl->bport = hit->be->port;
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
	unsigned int dir;
	bool any;

	if (k->fragment || k->proto == IPPROTO_ICMP ||
	    k->proto == IPPROTO_ICMPV6) {
		lbf_reply_related(port, skb, f, rev);
		return;
	}
	if (vnet_ft_empty(&vn->lb_flows) ||
	    (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP))
		return;
	lbf_key_set(&key, port->vnet->id, k->family, k->proto, k->src,
		    k->sport, k->dst, k->dport);
	fl = lbf_find(vn, &key, &dir);
	if (!fl || dir != LBF_REPLY)
		return;
	lb = vnet_lb_frontend(vn, fl->lb_vnet, k->family, fl->fe, k->proto,
			      fl->fport, &any);
	if (!lb || lb->uid != fl->lb_uid) {
		lbf_kill(vn, fl);
		return;
	}
	vnet_ft_touch(&fl->e, k->proto, true, tcp_flags(skb, f));
	memcpy(rev->addr, fl->fe, sizeof(rev->addr));
	rev->port = fl->fport;
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
	struct lbf_frag_key fkey;
	int err;

	if (rev->kind != VNET_LB_CONN)
		return lbf_snat_related(skb, f, rev);
	err = rewrite(skb, f, false, rev->addr, rev->port);
	if (!err && f->frag_first) {
		lbf_frag_key_set(&fkey, fl->half[LBF_REPLY].key.vnet_id, f,
				 f->key.src, f->key.dst, true);
		lbf_frag_add(rev->vn, rev->acct, &fkey, fl->lb_uid,
			     fl->lb_vnet, fl->fe, fl->fport, fl->be, fl->bport);
	}
	return err;
}

/* Is the lb of @fl still there, with the backend's port? Under RCU. */
static bool lbf_live(struct vnet_net *vn, const struct vnet_lb_flow *fl)
{
	const struct lbf_key *k = &fl->half[LBF_ORIG].key;
	const struct vnet_lb *lb;
	bool any;

	lb = vnet_lb_frontend(vn, fl->lb_vnet, k->family, fl->fe, k->proto,
			      fl->fport, &any);
	return lb && lb->uid == fl->lb_uid &&
	       lb_backend(lb, fl->be, fl->bport) &&
	       backend_port(vn, fl->lb_vnet, k->family, fl->be);
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
	err = vnet_ft_init(&vn->lb_frags, &lbf_frag_type);
	if (err)
		vnet_ft_exit(&vn->lb_flows);
	return err;
}

/* Namespace exit: no packet path runs any more. */
void vnet_lb_flows_exit(struct vnet_net *vn)
{
	vnet_ft_exit(&vn->lb_flows);
	vnet_ft_exit(&vn->lb_frags);
}

int vnet_lb_flow_cache_init(void)
{
	int err;

	err = vnet_ft_type_init(&lbf_type);
	if (err)
		return err;
	err = vnet_ft_type_init(&lbf_frag_type);
	if (err)
		vnet_ft_type_exit(&lbf_type);
	return err;
}

void vnet_lb_flow_cache_exit(void)
{
	vnet_ft_type_exit(&lbf_frag_type);
	vnet_ft_type_exit(&lbf_type);
}
