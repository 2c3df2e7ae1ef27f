// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path, in packet order, for every frame a port sends:
 *
 *   port security (VLAN, source MAC) -> ARP answered here -> IP and
 *   transport headers read (flow_parse.c) -> neighbour discovery answered
 *   -> DHCP servers, ND behind extension headers, broadcast and the source
 *   IP checked -> the flow table (conntrack.c: a known flow's packet is
 *   delivered, translated or dropped by its lookup) -> else next hop
 *   (nexthop.c: routes, appliances, gateways) -> connection tracking and
 *   ACLs (conntrack.c, acl.c) -> Ethernet rewrite
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
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/addrconf.h>
#include <net/ip.h>

#include "vnet.h"
#include "datapath.h"
#include "endpoint.h"
#include "lb.h"

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

void vnet_count_flow(struct vnet_port *port, enum vnet_flow_count what)
{
	struct vnet_port_stats *st = this_cpu_ptr(port->stats);

	u64_stats_update_begin(&st->syncp);
	u64_stats_inc(&st->flows[what]);
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

static bool port_owns(const struct vnet_port_conf *conf, u8 family,
		      const void *addr)
{
	unsigned int i, len = family == AF_INET ? 4 : 16;

	for (i = 0; i < conf->nr_addrs; i++)
		if (conf->addrs[i].key.family == family &&
		    !memcmp(conf->addrs[i].key.addr, addr, len))
			return true;
	return false;
}

bool vnet_source_ok(const struct vnet_port_conf *conf, u8 family,
		    const void *addr)
{
	return (conf->flags & VNET_PORT_F_FORWARDING) ||
	       port_owns(conf, family, addr);
}

/*
 * Rewrite the Ethernet header of @skb (from @src, which counts a failure)
 * for @dport, a port, and transmit it on its interface; or send it through
 * the tunnel if @dport stands for a remote endpoint.
 */
unsigned int vnet_rewrite_xmit(struct vnet_port *src, struct sk_buff *skb,
			       struct vnet_port *dport)
{
	struct net_device *dev;
	unsigned int len;
	int err;

	if (dport->endpoint)
		return vnet_tunnel_xmit(src, skb, dport->endpoint);
	/* The next hop saw it up; its interface may have gone since. */
	dev = rcu_dereference(dport->dev);
	if (!dev)
		return vnet_drop(src, VNET_DROP_PORT_ABSENT);
	/* The MAC header is in front of skb->data at ingress. */
	skb_push(skb, skb->mac_len);
	if (skb_ensure_writable(skb, ETH_HLEN)) {
		skb_pull(skb, skb->mac_len);
		return vnet_drop(src, VNET_DROP_NO_MEMORY);
	}
	skb_reset_mac_header(skb);
	ether_addr_copy(eth_hdr(skb)->h_dest,
			rcu_dereference(dport->conf)->mac);
	ether_addr_copy(eth_hdr(skb)->h_source, src->vn->router_mac);
	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	skb->dev = dev;
	len = skb->len;
	err = dev_queue_xmit(skb);
	if (net_xmit_eval(err))
		vnet_drop(dport, VNET_DROP_TX_ERROR);
	else
		vnet_count_tx(dport, len);
	return NF_STOLEN;
}

/* Why an lb translation failed: a header cut short, or no memory. */
enum vnet_drop_reason vnet_nat_drop(int err)
{
	return err == -EINVAL ? VNET_DROP_MALFORMED : VNET_DROP_NO_MEMORY;
}

/*
 * The flow table first (conntrack.c): a packet of a connection that the
 * full path delivered since the last change goes where it went,
 * translated as it was if an lb translates it; one of a flow it denied
 * since then is dropped. Else
 * route @skb to its next hop (nexthop.c): the port that owns the
 * destination, a remote endpoint, an appliance or gateway port a route
 * leads to, or the backend of a load balancer's frontend (lb_flow.c: its
 * DNAT comes before the ACLs, which see the backend; a backend's reply
 * gets its frontend back as source after them). Later fragments and ICMP
 * errors of an lb connection are translated with it (lb_related.c).
 */
static unsigned int route(struct vnet_port *port, struct sk_buff *skb,
			  struct vnet_flow *f)
{
	/* Before any lookup: a change after it makes the result stale. */
	u32 gen = vnet_flow_gen(port->vn);
	struct vnet_acl_key *k = &f->key;
	struct vnet_route_pick pick = {};
	struct vnet_lb_rev rev = {};
	struct vnet_ct_hit hit = {};
	enum vnet_drop_reason why;
	struct vnet_port *dport;
	bool related = false;	/* an lb's fragment or ICMP error */
	int err;

	if (vnet_ct_fast(port, skb, f, gen, &dport, &why))
		return dport ? vnet_rewrite_xmit(port, skb, dport) :
			       vnet_drop(port, why);
	vnet_lb_reply(port, skb, f, &rev);
	vnet_lb_related(port, skb, f, &pick.lb);
	dport = vnet_next_hop(port, k, &why, &pick);
	if (!dport)
		return vnet_drop(port, why);
	if (dport == port)
		return vnet_drop(port, VNET_DROP_LOOP);
	if (pick.lb.lb) {
		err = vnet_lb_dnat(skb, f, &pick.lb);
		if (err)
			return vnet_drop(port, vnet_nat_drop(err));
	}
	k->from_vnet = port->vnet->id;
	why = vnet_ct_filter(port, dport, skb, f, pick.lb.lb || rev.hit, &hit);
	if (why != VNET_PASS) {
		/* A denied flow's verdict, if it was cached. */
		vnet_ct_remember(&hit, dport, gen, VNET_CT_UNTRANSLATED);
		return vnet_drop(port, why);
	}
	if (pick.lb.lb) {
		why = vnet_lb_open(port, skb, f, &pick.lb);
		if (why != VNET_PASS)
			return vnet_drop(port, why);
		related = pick.lb.kind != VNET_LB_CONN;
	} else if (rev.hit) {
		err = vnet_lb_snat(skb, f, &rev);
		if (err)
			return vnet_drop(port, vnet_nat_drop(err));
		related = rev.kind != VNET_LB_CONN;
	}
	if (!related)
		vnet_ct_remember(&hit, dport, gen,
				 pick.lb.lb ? VNET_CT_DNAT :
				 rev.hit ? VNET_CT_SNAT : VNET_CT_UNTRANSLATED);
	return vnet_rewrite_xmit(port, skb, dport);
}

/*
 * An IP packet from @port: read its headers (flow_parse.c), answer
 * neighbour discovery, drop what no VM may send, then check the source
 * and route it. What is never routed is counted as what it is before the
 * source check, so "spoofed-ip" means a VM really used a foreign address.
 */
static unsigned int ip_input(struct vnet_port *port,
			     const struct vnet_port_conf *conf,
			     struct sk_buff *skb)
{
	struct vnet_flow flow;
	enum vnet_drop_reason why;
	const struct vnet_acl_key *k = &flow.key;

	why = vnet_flow_parse(skb, &flow);
	if (why != VNET_PASS)
		return vnet_drop(port, why);
	if (vnet_flow_is_nd(&flow) && !flow.exthdrs)
		return vnet_nd_input(port, conf, skb);
	why = vnet_flow_forbidden(&flow);
	if (why != VNET_PASS)
		return vnet_drop(port, why);
	if (vnet_flow_multicast(k) ||
	    !is_unicast_ether_addr(eth_hdr(skb)->h_dest))
		return vnet_drop(port, VNET_DROP_BROADCAST);
	if (!vnet_source_ok(conf, k->family, k->src))
		return vnet_drop(port, VNET_DROP_SPOOF_IP);
	return route(port, skb, &flow);
}

unsigned int vnet_hook_fn(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	const struct vnet_port_conf *conf;
	struct vnet_port *port = priv;

	vnet_count_rx(port, skb->len + skb->mac_len);
	if (skb_vlan_tag_present(skb) || eth_type_vlan(skb->protocol))
		return vnet_drop(port, VNET_DROP_VLAN);
	/* One conf for the whole frame: its MAC and its addresses agree. */
	conf = rcu_dereference(port->conf);
	if (skb->mac_len != ETH_HLEN ||
	    !ether_addr_equal(eth_hdr(skb)->h_source, conf->mac))
		return vnet_drop(port, VNET_DROP_SPOOF_MAC);

	switch (skb->protocol) {
	case htons(ETH_P_ARP):
		return vnet_arp_input(port, conf, skb);
	case htons(ETH_P_IP):
	case htons(ETH_P_IPV6):
		return ip_input(port, conf, skb);
	default:
		return vnet_drop(port, VNET_DROP_PROTOCOL);
	}
}
