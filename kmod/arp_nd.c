// SPDX-License-Identifier: GPL-2.0
/*
 * The ARP and neighbour discovery responder: every address a port asks
 * for resolves to the virtual router's MAC, so all traffic between ports
 * is routed by the module. Duplicate address probes (ARP probes,
 * gratuitous ARP, NS from ::) get no answer, so a VM never sees its own
 * address as taken; reachability probes are answered like any request.
 * Router advertisements and other ND messages from ports are dropped.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/ipv6.h>
#include <net/arp.h>
#include <net/ip6_checksum.h>
#include <net/ndisc.h>

#include "vnet.h"
#include "datapath.h"

static void send_reply(struct vnet_port *port, struct sk_buff *reply)
{
	unsigned int len = reply->len;
	int err;

	/* net_xmit_eval() evaluates its argument twice: never pass a call. */
	err = dev_queue_xmit(reply);
	if (net_xmit_eval(err))
		vnet_drop(port, VNET_DROP_TX_ERROR);
	else
		vnet_count_tx(port, len);
}

/*
 * ARP and ND replies go out on the interface the request came in on: the
 * port's, which may be going away (then the reply is lost with it).
 */
unsigned int vnet_arp_input(struct vnet_port *port,
			    const struct vnet_port_conf *conf,
			    struct sk_buff *skb)
{
	const struct arphdr *arp;
	struct sk_buff *reply;
	__be32 sip, tip;
	const u8 *p;

	if (!pskb_may_pull(skb, arp_hdr_len(skb->dev)))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	arp = arp_hdr(skb);
	if (arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
		return vnet_drop(port, VNET_DROP_MALFORMED);
	if (arp->ar_op != htons(ARPOP_REQUEST))
		return vnet_drop(port, VNET_DROP_ARP_IGNORED);
	/* sender MAC, sender IP, target MAC, target IP */
	p = (const u8 *)(arp + 1);
	memcpy(&sip, p + ETH_ALEN, 4);
	memcpy(&tip, p + 2 * ETH_ALEN + 4, 4);
	if (!ether_addr_equal(p, conf->mac))
		return vnet_drop(port, VNET_DROP_SPOOF_MAC);
	if (!sip || sip == tip)
		return vnet_drop(port, VNET_DROP_ARP_IGNORED);
	if (!vnet_source_ok(conf, AF_INET, &sip))
		return vnet_drop(port, VNET_DROP_SPOOF_IP);

	reply = arp_create(ARPOP_REPLY, ETH_P_ARP, sip, skb->dev, tip,
			   conf->mac, port->vn->router_mac, conf->mac);
	if (!reply)
		return vnet_drop(port, VNET_DROP_NO_MEMORY);
	send_reply(port, reply);
	consume_skb(skb);
	return NF_STOLEN;
}

/* A neighbour advertisement for @target, sent to @daddr (of MAC @mac). */
static struct sk_buff *na_create(struct vnet_port *port, const u8 *mac,
				 struct net_device *dev,
				 const struct in6_addr *target,
				 const struct in6_addr *daddr)
{
	unsigned int icmp_len = sizeof(struct nd_msg) + 8;
	struct sk_buff *skb;
	struct ipv6hdr *ip6h;
	struct nd_msg *na;

	skb = alloc_skb(LL_RESERVED_SPACE(dev) + sizeof(*ip6h) + icmp_len +
			dev->needed_tailroom, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_network_header(skb);
	ip6h = skb_put(skb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(icmp_len);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	ip6h->hop_limit = 255;
	ip6h->saddr = *target;
	ip6h->daddr = *daddr;

	na = skb_put_zero(skb, icmp_len);
	na->icmph.icmp6_type = NDISC_NEIGHBOUR_ADVERTISEMENT;
	na->icmph.icmp6_router = 1;
	na->icmph.icmp6_solicited = 1;
	na->icmph.icmp6_override = 1;
	na->target = *target;
	na->opt[0] = ND_OPT_TARGET_LL_ADDR;
	na->opt[1] = 1;			/* in units of 8 bytes */
	ether_addr_copy(&na->opt[2], port->vn->router_mac);
	na->icmph.icmp6_cksum = csum_ipv6_magic(target, daddr, icmp_len,
						IPPROTO_ICMPV6,
						csum_partial(na, icmp_len, 0));

	skb->dev = dev;
	skb->protocol = htons(ETH_P_IPV6);
	if (dev_hard_header(skb, dev, ETH_P_IPV6, mac, port->vn->router_mac,
			    skb->len) < 0) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

unsigned int vnet_nd_input(struct vnet_port *port,
			   const struct vnet_port_conf *conf,
			   struct sk_buff *skb)
{
	const unsigned int off = sizeof(struct ipv6hdr);
	const struct ipv6hdr *ip6h;
	struct in6_addr target;
	const struct nd_msg *ns;
	struct sk_buff *reply;

	if (!pskb_may_pull(skb, off + sizeof(struct icmp6hdr)))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	ns = (const struct nd_msg *)(skb->data + off);
	switch (ns->icmph.icmp6_type) {
	case NDISC_NEIGHBOUR_SOLICITATION:
		break;
	case NDISC_ROUTER_ADVERTISEMENT:
		return vnet_drop(port, VNET_DROP_RA);
	default:	/* RS, NA, redirect: nothing to answer */
		return vnet_drop(port, VNET_DROP_ND_IGNORED);
	}
	if (!pskb_may_pull(skb, off + sizeof(*ns)))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	ip6h = ipv6_hdr(skb);
	ns = (const struct nd_msg *)(skb->data + off);
	if (ip6h->hop_limit != 255 || ns->icmph.icmp6_code ||
	    ipv6_addr_is_multicast(&ns->target))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	if (ipv6_addr_any(&ip6h->saddr))
		return vnet_drop(port, VNET_DROP_ND_IGNORED);
	if (!(ipv6_addr_type(&ip6h->saddr) & IPV6_ADDR_LINKLOCAL) &&
	    !vnet_source_ok(conf, AF_INET6, &ip6h->saddr))
		return vnet_drop(port, VNET_DROP_SPOOF_IP);

	target = ns->target;
	reply = na_create(port, conf->mac, skb->dev, &target, &ip6h->saddr);
	if (!reply)
		return vnet_drop(port, VNET_DROP_NO_MEMORY);
	send_reply(port, reply);
	consume_skb(skb);
	return NF_STOLEN;
}
