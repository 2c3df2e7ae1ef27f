// SPDX-License-Identifier: GPL-2.0
/*
 * Internal load balancers, the packet path: the packets related to a
 * connection (lb_flow.c), later fragments and ICMP errors, and their
 * translation, the quoted packet's included.
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
 *
 * vn->lb_frags is a flow table (flow_table.c) like vn->lb_flows: lock
 * free, its entries charged to the client's shares.
 */
#include <asm/unaligned.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "lb_flow.h"

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
	struct lbf_nat nat;	/* the connection's */
};

static struct vnet_ft_type lbf_frag_type =
	VNET_FT_TYPE(vnet_lb_frag, half, lbf_frag_half, 1, NULL,
		     VNET_FT_PARAMS(lbf_frag_half, NULL, NULL));

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
 * will find this, under the key of the sender's vnet @vnet_id, @src,
 * @dst and @f's IP id (@reply: the backend sent it). Charged to the
 * client's shares (@acct) like a conntrack fragment entry. Best effort:
 * without it they drop, as they would in conntrack.
 */
void lbf_frag_add(struct vnet_net *vn, struct vnet_ct_account *acct,
		  u32 vnet_id, const struct vnet_flow *f, const u8 *src,
		  const u8 *dst, bool reply, const struct lbf_nat *nat)
{
	enum vnet_drop_reason why;
	struct lbf_frag_key key;
	struct vnet_lb_frag *fr;

	lbf_frag_key_set(&key, vnet_id, f, src, dst, reply);
	fr = lbf_frag_find(vn, &key);	/* the same id, earlier */
	if (fr)
		vnet_ft_kill(&vn->lb_frags, &fr->e);
	/* A port being removed records nothing: its entries are collected. */
	if (vnet_ct_account_gone(acct))
		return;
	fr = vnet_ft_alloc(&vn->lb_frags, acct, NULL, VNET_CT_FRAGMENT, &why);
	if (!fr)
		return;
	fr->half[0].key = key;
	fr->nat = *nat;
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

/*
 * vnet_lb_select() for what vnet_lb_related() found: the backend port of
 * the connection, if the packet goes to its frontend and the lb and the
 * backend are still there.
 */
struct vnet_port *lbf_select_related(struct vnet_port *port, u32 vnet_id,
				     const struct vnet_acl_key *k,
				     struct vnet_lb_hit *hit,
				     enum vnet_drop_reason *why)
{
	unsigned int len = k->family == AF_INET ? 4 : 16;
	const struct vnet_lb_backend *be;
	const struct vnet_lb *lb;
	const struct lbf_nat *nat;
	struct vnet_port *dport;
	u8 proto;
	bool any;

	if (hit->kind == VNET_LB_FRAGMENT) {
		nat = &hit->frag->nat;
		proto = k->proto;
	} else {
		nat = &hit->flow->nat;
		proto = hit->flow->half[LBF_ORIG].key.proto;
	}
	*why = VNET_DROP_LB_NO_RULE;
	if (nat->lb_vnet != vnet_id || memcmp(nat->fe, k->dst, len))
		return NULL;
	lb = vnet_lb_frontend(port->vn, vnet_id, k->family, nat->fe, proto,
			      nat->fport, &any);
	if (!lb || lb->uid != nat->lb_uid)
		return NULL;
	*why = VNET_DROP_LB_NO_BACKEND;
	be = lbf_backend(lb, nat->be, nat->bport);
	dport = be ? lbf_backend_port(port->vn, vnet_id, k->family,
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
int lbf_dnat_related(struct sk_buff *skb, struct vnet_flow *f,
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
void lbf_reply_related(struct vnet_port *port, struct sk_buff *skb,
		       const struct vnet_flow *f, struct vnet_lb_rev *rev)
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
		memcpy(rev->addr, fr->nat.fe, sizeof(rev->addr));
		rev->kind = VNET_LB_FRAGMENT;
		rev->hit = true;
		return;
	}
	fl = lbf_quoted(port, skb, f, LBF_REPLY);
	if (!fl)
		return;
	lb = vnet_lb_frontend(vn, fl->nat.lb_vnet, k->family, fl->nat.fe,
			      fl->half[LBF_ORIG].key.proto, fl->nat.fport,
			      &any);
	/* Only the backend speaks for the backend. */
	if (!lb || lb->uid != fl->nat.lb_uid ||
	    lbf_backend_port(vn, fl->nat.lb_vnet, k->family,
			     fl->nat.be) != port)
		return;
	memcpy(rev->addr, fl->nat.fe, sizeof(rev->addr));
	rev->port = fl->nat.fport;
	rev->kind = VNET_LB_ICMP;
	rev->hit = true;
}

/* vnet_lb_snat() of a later fragment or an ICMP error from a backend. */
int lbf_snat_related(struct sk_buff *skb, const struct vnet_flow *f,
		     const struct vnet_lb_rev *rev)
{
	if (rev->kind == VNET_LB_FRAGMENT)
		return rewrite_addr(skb, f, false, rev->addr);
	return rewrite_icmp(skb, f, false, rev->addr, rev->port);
}

int lbf_frags_init(struct vnet_net *vn)
{
	return vnet_ft_init(&vn->lb_frags, &lbf_frag_type);
}

/* Namespace exit: no packet path runs any more. */
void lbf_frags_exit(struct vnet_net *vn)
{
	vnet_ft_exit(&vn->lb_frags);
}

int lbf_frag_type_init(void)
{
	return vnet_ft_type_init(&lbf_frag_type, NULL);
}

void lbf_frag_type_exit(void)
{
	vnet_ft_type_exit(&lbf_frag_type);
}
