// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path, in packet order, for every frame a port sends:
 *
 *   port security (VLAN, source MAC) -> ARP / neighbour discovery answered
 *   here -> IP header checks and source IP -> broadcast, DHCP and RA drops
 *   -> next hop (nexthop.c: routes, appliances, gateways) -> connection
 *   tracking and ACLs (conntrack.c, acl.c) -> Ethernet rewrite
 *   (destination MAC, router MAC as source) -> transmit on the
 *   destination interface, or through the tunnel to a remote endpoint
 *   (tunnel.c, which also delivers what comes out of the tunnel).
 *
 * Runs in the ingress hook under RCU, never sleeps, takes no lock. Every
 * frame is consumed (NF_STOLEN) or dropped and counted (NF_DROP): traffic
 * from a port never reaches the host's own stack. The IP header is
 * changed only by a load balancer (the frontend to a backend and back).
 */
#include <linux/etherdevice.h>
#include <linux/icmpv6.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ndisc.h>

#include "vnet.h"

unsigned int vnet_drop(struct vnet_port *port, enum vnet_drop_reason why)
{
	struct vnet_port_stats *st = this_cpu_ptr(port->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->drops[why]);
	u64_stats_update_end(&st->syncp);
	return NF_DROP;
}

void vnet_count_tx(struct vnet_port *port, unsigned int len)
{
	struct vnet_port_stats *st = this_cpu_ptr(port->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->tx_packets);
	u64_stats_add(&st->tx_bytes, len);
	u64_stats_update_end(&st->syncp);
}

void vnet_count_rx(struct vnet_port *port, unsigned int len)
{
	struct vnet_port_stats *st = this_cpu_ptr(port->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->rx_packets);
	u64_stats_add(&st->rx_bytes, len);
	u64_stats_update_end(&st->syncp);
}

static bool port_owns(const struct vnet_port *port, u8 family,
		      const void *addr)
{
	unsigned int i, len = family == AF_INET ? 4 : 16;

	for (i = 0; i < port->nr_addrs; i++)
		if (port->addrs[i].key.family == family &&
		    !memcmp(port->addrs[i].key.addr, addr, len))
			return true;
	return false;
}

bool vnet_source_ok(const struct vnet_port *port, u8 family,
		      const void *addr)
{
	return (port->flags & VNET_PORT_F_FORWARDING) ||
	       port_owns(port, family, addr);
}

/*
 * The transport ports of a TCP or UDP packet whose header starts at
 * @thoff; zero for other protocols and for non-first fragments. False if
 * the packet is too short to hold them: it is malformed.
 */
static bool key_ports(struct sk_buff *skb, unsigned int thoff,
		      struct vnet_acl_key *k)
{
	const __be16 *ports;

	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP)
		return true;
	if (!pskb_may_pull(skb, thoff + 4))
		return false;
	ports = (const __be16 *)(skb->data + thoff);
	k->sport = ntohs(ports[0]);
	k->dport = ntohs(ports[1]);
	return true;
}

/*
 * Rewrite the Ethernet header of @skb (from @src, which counts a failure)
 * for @dport, a port, and transmit it on its interface; or send it through
 * the tunnel if @dport stands for a remote endpoint.
 */
unsigned int vnet_rewrite_xmit(struct vnet_port *src, struct sk_buff *skb,
			       struct vnet_port *dport)
{
	unsigned int len;
	int err;

	if (dport->endpoint)
		return vnet_tunnel_xmit(src, skb, dport->endpoint);
	/* The MAC header is in front of skb->data at ingress. */
	skb_push(skb, skb->mac_len);
	if (skb_ensure_writable(skb, ETH_HLEN)) {
		skb_pull(skb, skb->mac_len);
		return vnet_drop(src, VNET_DROP_NO_MEMORY);
	}
	skb_reset_mac_header(skb);
	ether_addr_copy(eth_hdr(skb)->h_dest, dport->mac);
	ether_addr_copy(eth_hdr(skb)->h_source, src->vn->router_mac);
	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	skb->dev = dport->dev;
	len = skb->len;
	err = dev_queue_xmit(skb);
	if (net_xmit_eval(err))
		vnet_drop(dport, VNET_DROP_TX_ERROR);
	else
		vnet_count_tx(dport, len);
	return NF_STOLEN;
}

/*
 * Route @skb to its next hop (nexthop.c): the port that owns the
 * destination, a remote endpoint, an appliance or gateway port a route
 * leads to, or the backend of a load balancer's frontend (lb_flow.c: its
 * DNAT comes before the ACLs, which see the backend; a backend's reply
 * gets its frontend back as source after them). Later fragments and ICMP
 * errors of an lb connection are translated with it.
 */
static unsigned int route(struct vnet_port *port, struct sk_buff *skb,
			  struct vnet_flow *f)
{
	struct vnet_acl_key *k = &f->key;
	struct vnet_route_pick pick = {};
	struct vnet_lb_rev rev = {};
	enum vnet_drop_reason why;
	struct vnet_port *dport;

	vnet_lb_reply(port, skb, f, &rev);
	vnet_lb_related(port, skb, f, &pick.lb);
	dport = vnet_next_hop(port, k, &why, &pick);
	if (!dport)
		return vnet_drop(port, why);
	if (dport == port)
		return vnet_drop(port, VNET_DROP_LOOP);
	if (pick.lb.lb && vnet_lb_dnat(skb, f, &pick.lb))
		return vnet_drop(port, VNET_DROP_NO_MEMORY);
	k->from_vnet = port->vnet->id;
	why = vnet_ct_filter(port, dport, skb, f);
	if (why != VNET_PASS)
		return vnet_drop(port, why);
	if (pick.lb.lb) {
		why = vnet_lb_open(port, skb, f, &pick.lb);
		if (why != VNET_PASS)
			return vnet_drop(port, why);
	} else if (rev.hit && vnet_lb_snat(skb, f, &rev)) {
		return vnet_drop(port, VNET_DROP_NO_MEMORY);
	}
	return vnet_rewrite_xmit(port, skb, dport);
}

static bool dhcp_server(struct sk_buff *skb, unsigned int thoff, __be16 port)
{
	const struct udphdr *uh;

	if (!pskb_may_pull(skb, thoff + sizeof(*uh)))
		return false;
	uh = (const struct udphdr *)(skb->data + thoff);
	return uh->source == port;
}

static unsigned int ipv4_input(struct vnet_port *port, struct sk_buff *skb)
{
	struct vnet_flow flow = {};
	struct vnet_acl_key *k = &flow.key;
	const struct iphdr *iph;
	unsigned int ihl;
	__be32 daddr;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	iph = ip_hdr(skb);
	ihl = iph->ihl * 4;
	if (iph->version != 4 || ihl < sizeof(*iph) ||
	    !pskb_may_pull(skb, ihl))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	iph = ip_hdr(skb);
	if (ntohs(iph->tot_len) < ihl || ntohs(iph->tot_len) > skb->len)
		return vnet_drop(port, VNET_DROP_MALFORMED);
	/*
	 * What is never routed is counted as what it is before the source
	 * check, so "spoofed-ip" means a VM really used a foreign address.
	 */
	if (iph->protocol == IPPROTO_UDP &&
	    !(iph->frag_off & htons(IP_OFFSET)) &&
	    dhcp_server(skb, ihl, htons(67)))
		return vnet_drop(port, VNET_DROP_DHCP_SERVER);
	iph = ip_hdr(skb);
	daddr = iph->daddr;
	if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr) ||
	    !is_unicast_ether_addr(eth_hdr(skb)->h_dest))
		return vnet_drop(port, VNET_DROP_BROADCAST);
	if (!vnet_source_ok(port, AF_INET, &iph->saddr))
		return vnet_drop(port, VNET_DROP_SPOOF_IP);
	k->family = AF_INET;
	k->proto = iph->protocol;
	memcpy(k->src, &iph->saddr, 4);
	memcpy(k->dst, &daddr, 4);
	flow.thoff = ihl;
	flow.frag_id = ntohs(iph->id);
	if (iph->frag_off & htons(IP_OFFSET)) {
		k->fragment = 1;
	} else {
		flow.frag_first = !!(iph->frag_off & htons(IP_MF));
		if (!key_ports(skb, ihl, k))
			return vnet_drop(port, VNET_DROP_MALFORMED);
	}
	return route(port, skb, &flow);
}

static bool is_nd(struct sk_buff *skb)
{
	unsigned int off = sizeof(struct ipv6hdr);
	u8 type;

	if (ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6 ||
	    !pskb_may_pull(skb, off + sizeof(struct icmp6hdr)))
		return false;
	type = ((struct icmp6hdr *)(skb->data + off))->icmp6_type;
	return type >= NDISC_ROUTER_SOLICITATION && type <= NDISC_REDIRECT;
}

/*
 * The transport protocol and header offset of an IPv6 packet, and its
 * fragment header if it comes first. Other extension headers are not
 * walked: their number is what an ACL's protocol matches.
 */
static bool ipv6_transport(struct sk_buff *skb, struct vnet_flow *f)
{
	const struct frag_hdr *fh;

	f->key.proto = ipv6_hdr(skb)->nexthdr;
	f->thoff = sizeof(struct ipv6hdr);
	if (f->key.proto != NEXTHDR_FRAGMENT)
		return true;
	if (!pskb_may_pull(skb, f->thoff + sizeof(*fh)))
		return false;
	fh = (const struct frag_hdr *)(skb->data + f->thoff);
	f->key.proto = fh->nexthdr;
	f->thoff += sizeof(*fh);
	f->frag_id = ntohl(fh->identification);
	if (fh->frag_off & htons(IP6_OFFSET))
		f->key.fragment = 1;
	else
		f->frag_first = !!(fh->frag_off & htons(IP6_MF));
	return true;
}

static unsigned int ipv6_input(struct vnet_port *port, struct sk_buff *skb)
{
	struct vnet_flow flow = {};
	struct vnet_acl_key *k = &flow.key;
	const struct ipv6hdr *ip6h;
	struct in6_addr daddr;

	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	ip6h = ipv6_hdr(skb);
	if (ip6h->version != 6 ||
	    ntohs(ip6h->payload_len) + sizeof(*ip6h) > skb->len)
		return vnet_drop(port, VNET_DROP_MALFORMED);
	if (is_nd(skb))
		return vnet_nd_input(port, skb);
	if (ipv6_hdr(skb)->nexthdr == IPPROTO_UDP &&
	    dhcp_server(skb, sizeof(*ip6h), htons(547)))
		return vnet_drop(port, VNET_DROP_DHCP_SERVER);
	ip6h = ipv6_hdr(skb);
	daddr = ip6h->daddr;
	if (ipv6_addr_is_multicast(&daddr) ||
	    !is_unicast_ether_addr(eth_hdr(skb)->h_dest))
		return vnet_drop(port, VNET_DROP_BROADCAST);
	if (!vnet_source_ok(port, AF_INET6, &ip6h->saddr))
		return vnet_drop(port, VNET_DROP_SPOOF_IP);
	k->family = AF_INET6;
	memcpy(k->src, &ip6h->saddr, 16);
	memcpy(k->dst, &daddr, 16);
	if (!ipv6_transport(skb, &flow))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	if (!k->fragment && !key_ports(skb, flow.thoff, k))
		return vnet_drop(port, VNET_DROP_MALFORMED);
	return route(port, skb, &flow);
}

/*
 * For packets out of the tunnel: check the IP header of @skb and fill
 * @f as the ports' input does. False if it is malformed or not IP.
 */
bool vnet_flow_parse(struct sk_buff *skb, struct vnet_flow *f)
{
	struct vnet_acl_key *k = &f->key;
	const struct ipv6hdr *ip6h;
	const struct iphdr *iph;
	unsigned int ihl;

	memset(f, 0, sizeof(*f));
	if (skb->protocol == htons(ETH_P_IP)) {
		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		ihl = iph->ihl * 4;
		if (iph->version != 4 || ihl < sizeof(*iph) ||
		    !pskb_may_pull(skb, ihl))
			return false;
		iph = ip_hdr(skb);
		if (ntohs(iph->tot_len) < ihl || ntohs(iph->tot_len) > skb->len ||
		    ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr))
			return false;
		k->family = AF_INET;
		k->proto = iph->protocol;
		memcpy(k->src, &iph->saddr, 4);
		memcpy(k->dst, &iph->daddr, 4);
		f->thoff = ihl;
		f->frag_id = ntohs(iph->id);
		if (iph->frag_off & htons(IP_OFFSET)) {
			k->fragment = 1;
			return true;
		}
		f->frag_first = !!(iph->frag_off & htons(IP_MF));
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return false;
		ip6h = ipv6_hdr(skb);
		if (ip6h->version != 6 ||
		    ntohs(ip6h->payload_len) + sizeof(*ip6h) > skb->len ||
		    ipv6_addr_is_multicast(&ip6h->daddr))
			return false;
		k->family = AF_INET6;
		memcpy(k->src, &ip6h->saddr, 16);
		memcpy(k->dst, &ip6h->daddr, 16);
		if (!ipv6_transport(skb, f))
			return false;
		if (k->fragment)
			return true;
	} else {
		return false;
	}
	return key_ports(skb, f->thoff, k);
}

unsigned int vnet_hook_fn(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct vnet_port *port = priv;

	vnet_count_rx(port, skb->len + skb->mac_len);
	if (skb_vlan_tag_present(skb) || eth_type_vlan(skb->protocol))
		return vnet_drop(port, VNET_DROP_VLAN);
	if (skb->mac_len != ETH_HLEN ||
	    !ether_addr_equal(eth_hdr(skb)->h_source, port->mac))
		return vnet_drop(port, VNET_DROP_SPOOF_MAC);

	switch (skb->protocol) {
	case htons(ETH_P_ARP):
		return vnet_arp_input(port, skb);
	case htons(ETH_P_IP):
		return ipv4_input(port, skb);
	case htons(ETH_P_IPV6):
		return ipv6_input(port, skb);
	default:
		return vnet_drop(port, VNET_DROP_PROTOCOL);
	}
}
