// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a packet's IP and transport headers into a struct vnet_flow, for
 * the ports' packet path and for what comes out of the tunnel.
 *
 * Everything is read within the datagram's own length (IPv4 total length,
 * IPv6 payload length): the skb is first trimmed to it, so Ethernet padding
 * is never taken for a header, and what is forwarded is the datagram
 * alone. IPv6 extension headers are walked by the core's walker
 * (core/ipv6_chain.c) wherever the fragment header sits, so the protocol
 * and ports are the transport's. What cannot be read is dropped with a
 * reason, never passed unparsed:
 *
 *   - malformed: bad version or lengths, a transport header cut short (a
 *     first fragment must hold its first 8 bytes, the ports);
 *   - ipv6-exthdr: a chain too long, truncated, or with an unknown,
 *     misplaced or repeated header;
 *   - routing-header-0: RFC 5095.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "vnet.h"
#include "datapath.h"

static const void *skb_read(void *ctx, unsigned int off, unsigned int len,
			    void *buf)
{
	return skb_header_pointer(ctx, off, len, buf);
}

/*
 * Walks the IPv6 chain of the header at @off from skb->data, up to the end
 * of @skb. True if it can be read; *@c then says what it found.
 */
bool vnet_ipv6_walk_skb(struct sk_buff *skb, unsigned int off,
			struct vnet_ipv6_chain *c)
{
	return vnet_ipv6_walk(skb_read, skb, off, skb->len, c) ==
	       VNET_IPV6_WALK_OK;
}

/* The datagram is @len bytes: drop what follows it. */
static bool trim(struct sk_buff *skb, unsigned int len)
{
	return len >= skb->len || !pskb_trim_rcsum(skb, len);
}

/*
 * The transport header at f->thoff of a packet that has one (not a later
 * fragment): it must be whole; a first fragment must hold at least its
 * first 8 bytes, the ports (RFC 791's smallest fragment; the tiny
 * fragments of RFC 1858 that hide the ports are malformed).
 */
static enum vnet_drop_reason transport(struct sk_buff *skb,
				       struct vnet_flow *f)
{
	struct vnet_acl_key *k = &f->key;
	bool icmp = false;
	unsigned int need;
	const u8 *l4;

	switch (k->proto) {
	case IPPROTO_TCP:
		need = sizeof(struct tcphdr);
		break;
	case IPPROTO_UDP:
		need = sizeof(struct udphdr);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP of the other family is just a protocol number. */
		if ((k->proto == IPPROTO_ICMP) != (k->family == AF_INET))
			return VNET_PASS;
		icmp = true;
		need = 8;
		break;
	default:
		return VNET_PASS;
	}
	if (f->frag_first)
		need = 8;
	if (!pskb_may_pull(skb, f->thoff + need))
		return VNET_DROP_MALFORMED;
	l4 = skb->data + f->thoff;
	if (icmp) {
		f->icmp_type = l4[0];
	} else {
		k->sport = get_unaligned_be16(l4);
		k->dport = get_unaligned_be16(l4 + 2);
	}
	return VNET_PASS;
}

static enum vnet_drop_reason ipv4_parse(struct sk_buff *skb,
					struct vnet_flow *f)
{
	struct vnet_acl_key *k = &f->key;
	const struct iphdr *iph;
	unsigned int ihl, len;
	u16 frag;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return VNET_DROP_MALFORMED;
	iph = ip_hdr(skb);
	ihl = iph->ihl * 4;
	len = ntohs(iph->tot_len);
	if (iph->version != 4 || ihl < sizeof(*iph) || len < ihl ||
	    len > skb->len || !pskb_may_pull(skb, ihl))
		return VNET_DROP_MALFORMED;
	if (!trim(skb, len))
		return VNET_DROP_NO_MEMORY;
	iph = ip_hdr(skb);
	k->family = AF_INET;
	k->proto = iph->protocol;
	memcpy(k->src, &iph->saddr, 4);
	memcpy(k->dst, &iph->daddr, 4);
	f->thoff = ihl;
	f->frag_id = ntohs(iph->id);
	frag = ntohs(iph->frag_off);
	if (frag & IP_OFFSET) {
		/*
		 * A later fragment holds no ports: it can rewrite no more
		 * than the TCP flags of an overlapping first fragment, which
		 * no rule matches and receivers' reassembly refuses.
		 */
		k->fragment = 1;
		return VNET_PASS;
	}
	f->frag_first = !!(frag & IP_MF);
	return transport(skb, f);
}

static enum vnet_drop_reason ipv6_parse(struct sk_buff *skb,
					struct vnet_flow *f)
{
	struct vnet_acl_key *k = &f->key;
	const struct ipv6hdr *ip6h;
	struct vnet_ipv6_chain c;
	unsigned int len;

	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return VNET_DROP_MALFORMED;
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6)
		return VNET_DROP_MALFORMED;
	len = sizeof(*ip6h) + ntohs(ip6h->payload_len);
	/* A zero payload length is a jumbogram; only GSO sends those. */
	if (!ip6h->payload_len && skb_is_gso(skb))
		len = skb->len;
	if (len > skb->len)
		return VNET_DROP_MALFORMED;
	if (!trim(skb, len))
		return VNET_DROP_NO_MEMORY;
	switch (vnet_ipv6_walk(skb_read, skb, 0, skb->len, &c)) {
	case VNET_IPV6_WALK_OK:
		break;
	case VNET_IPV6_WALK_RH0:
		return VNET_DROP_RH0;
	default:
		return VNET_DROP_IPV6_EXTHDR;
	}
	ip6h = ipv6_hdr(skb);
	k->family = AF_INET6;
	k->proto = c.proto;
	memcpy(k->src, &ip6h->saddr, 16);
	memcpy(k->dst, &ip6h->daddr, 16);
	f->thoff = c.thoff;
	f->exthdrs = c.exthdrs;
	f->frag_id = c.frag_id;
	if (c.later) {
		k->fragment = 1;
		return VNET_PASS;
	}
	f->frag_first = c.more;
	return transport(skb, f);
}

/*
 * Fills @f from the IP packet at skb->data (skb->protocol says which).
 * Returns VNET_PASS, or why the packet cannot be read.
 */
enum vnet_drop_reason vnet_flow_parse(struct sk_buff *skb,
				      struct vnet_flow *f)
{
	memset(f, 0, sizeof(*f));
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		return ipv4_parse(skb, f);
	case htons(ETH_P_IPV6):
		return ipv6_parse(skb, f);
	default:
		return VNET_DROP_PROTOCOL;
	}
}

/* To a multicast or broadcast address: never flooded. */
bool vnet_flow_multicast(const struct vnet_acl_key *k)
{
	__be32 daddr;

	if (k->family == AF_INET6)
		return ipv6_addr_is_multicast((const struct in6_addr *)k->dst);
	memcpy(&daddr, k->dst, 4);
	return ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr);
}

/* Neighbour discovery: RS, RA, NS, NA or redirect. */
bool vnet_flow_is_nd(const struct vnet_flow *f)
{
	return f->key.family == AF_INET6 && f->key.proto == IPPROTO_ICMPV6 &&
	       !f->key.fragment &&
	       f->icmp_type >= NDISC_ROUTER_SOLICITATION &&
	       f->icmp_type <= NDISC_REDIRECT;
}

/*
 * What no VM may send, whatever the rules say: DHCP server messages
 * (IPv4 from port 67 or to 68, IPv6 from 547 or to 546) and neighbour
 * discovery behind extension headers (RFC 6980). Plain ND is the
 * responder's (arp_nd.c). VNET_PASS if none of these.
 */
enum vnet_drop_reason vnet_flow_forbidden(const struct vnet_flow *f)
{
	const struct vnet_acl_key *k = &f->key;

	if (k->proto == IPPROTO_UDP && !k->fragment) {
		if (k->family == AF_INET ? k->sport == 67 || k->dport == 68 :
					   k->sport == 547 || k->dport == 546)
			return VNET_DROP_DHCP_SERVER;
	}
	if (vnet_flow_is_nd(f) && f->exthdrs)
		return VNET_DROP_ND_EXTHDR;
	return VNET_PASS;
}
