// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel of a namespace: a VXLAN device in external (metadata) mode,
 * UDP port 4789, named VNET_TUNNEL_IFNAME, that the module creates with
 * the first remote endpoint and removes with the last one (or at
 * namespace exit and module unload). The kernel's vxlan driver does the
 * encapsulation; this file tells it where each packet goes and takes what
 * comes out.
 *
 * Transmit: a packet for a remote endpoint gets the endpoint's MAC as
 * destination, the sending port's MAC as source, and the endpoint's
 * metadata dst (VNI = the endpoint's vnet id, underlay destination = its
 * host), then goes to the VXLAN device, as act_tunnel_key does.
 *
 * Receive: an ingress hook on the VXLAN device maps the packet's VNI to
 * the vnet with that id. The sender must be a remote endpoint of that
 * vnet or of a peer the vnet's routes reach (connected, access on both
 * sides), sent from that endpoint's underlay address with its MAC as
 * inner source (the sending port's, written on transmit): the inner
 * source itself, or, for what an appliance on another host forwards, a
 * forwarding endpoint known by that address and MAC. The route lookup is
 * then made again from the sender's position, with its subnet's user
 * routes and rule 7, as its host made it, and must end at a port of that
 * vnet here (the destination's, or an appliance's). Then the inbound
 * ACLs and connection tracking decide, as for a packet between local
 * ports, a remote backend's reply to an lb connection of this host gets
 * its frontend back as source, and the packet is delivered with the
 * Ethernet header rewritten.
 * Anything else is dropped and counted on the tunnel's stand-in port
 * (vnetctl stats shows it under the device's name).
 *
 * The tunnel's stand-in port (vn->tunnel) holds the device reference and
 * the counters; it is freed after a grace period. If the device goes away
 * by another hand (ip link del), endpoints stay and their traffic drops
 * (no-tunnel) until the next endpoint add creates the device again.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <net/dst_metadata.h>
#include <net/ip_tunnels.h>
#include <net/vxlan.h>

#include "vnet.h"
#include "datapath.h"
#include "endpoint.h"
#include "lb.h"
#include "route.h"

struct metadata_dst *vnet_tunnel_md(u32 vni, const struct vnet_prefix *remote)
{
	__be64 id = key32_to_tunnel_id(cpu_to_be32(vni));
	__be16 flags = TUNNEL_KEY | TUNNEL_CSUM;
	__be16 port = htons(VNET_TUNNEL_PORT);
	struct metadata_dst *md;
	struct in6_addr a6;
	__be32 a4;

	if (remote->family == AF_INET) {
		memcpy(&a4, remote->addr, 4);
		md = __ip_tun_set_dst(0, a4, 0, 0, port, flags, id, 0);
	} else {
		memcpy(&a6, remote->addr, 16);
		md = __ipv6_tun_set_dst(&in6addr_any, &a6, 0, 0, port, 0,
					flags, id, 0);
	}
	if (!md)
		return NULL;
	md->u.tun_info.mode |= IP_TUNNEL_INFO_TX;
#ifdef CONFIG_DST_CACHE
	/* vxlan keeps the underlay route there instead of a lookup per packet */
	if (dst_cache_init(&md->u.tun_info.dst_cache, GFP_KERNEL)) {
		dst_release(&md->dst);
		return NULL;
	}
#endif
	return md;
}

unsigned int vnet_tunnel_xmit(struct vnet_port *src, struct sk_buff *skb,
			      const struct vnet_endpoint *ep)
{
	struct vnet_port *tport = rcu_dereference(src->vn->tunnel);
	unsigned int len;
	int err;

	if (!tport)
		return vnet_drop(src, VNET_DROP_NO_TUNNEL);
	skb_push(skb, skb->mac_len);
	if (skb_ensure_writable(skb, ETH_HLEN)) {
		skb_pull(skb, skb->mac_len);
		return vnet_drop(src, VNET_DROP_NO_MEMORY);
	}
	skb_reset_mac_header(skb);
	ether_addr_copy(eth_hdr(skb)->h_dest, ep->mac);
	/* The sender's own MAC: how the far side knows a forwarding VM. */
	ether_addr_copy(eth_hdr(skb)->h_source,
			rcu_dereference(src->conf)->mac);
	skb_forward_csum(skb);
	skb_clear_tstamp(skb);
	skb_dst_drop(skb);
	/* The endpoint holds its reference until after a grace period. */
	dst_hold(&ep->md->dst);
	skb_dst_set(skb, &ep->md->dst);
	skb->dev = rcu_dereference(tport->dev);
	len = skb->len;
	err = dev_queue_xmit(skb);
	if (net_xmit_eval(err))
		vnet_drop(tport, VNET_DROP_TX_ERROR);
	else
		vnet_count_tx(tport, len);
	return NF_STOLEN;
}

static bool underlay_is(const struct vnet_endpoint *ep,
			const struct ip_tunnel_info *info)
{
	if (ep->remote.family != ip_tunnel_info_af(info))
		return false;
	if (ep->remote.family == AF_INET)
		return !memcmp(ep->remote.addr, &info->key.u.ipv4.src, 4);
	return !memcmp(ep->remote.addr, &info->key.u.ipv6.src, 16);
}

/*
 * The vnet that vnet @v's routes lead to for @addr: the own one or a
 * usable peer (0, with *@why set, when none does).
 */
static u32 reached_vnet(struct vnet_vnet *v, u8 family, const u8 *addr,
			enum vnet_drop_reason *why)
{
	const struct vnet_fib *fib = rcu_dereference(v->fib);
	const struct vnet_nexthop *nh;
	u32 idx;

	*why = VNET_DROP_UNKNOWN_ENDPOINT;
	if (!fib)
		return 0;
	idx = vnet_lpm_lookup(&fib->lpm, family, addr);
	if (idx == VNET_LPM_NONE)
		return 0;
	nh = &fib->nexthops[idx];
	if (nh->kind != VNET_NH_VNET)
		return 0;
	if (nh->drop) {
		*why = nh->drop - 1;
		return 0;
	}
	return nh->vnet_id;
}

/*
 * The endpoint that sent @k into vnet @v: the vnet's routes must lead to
 * the source's vnet (the own one or a usable peer), which must know the
 * source as an endpoint behind the packet's underlay source, with the
 * inner source MAC its host writes: another VM of that host (a forwarding
 * one) cannot speak for it.
 */
static struct vnet_endpoint *source_endpoint(struct vnet_net *vn,
					     struct vnet_vnet *v,
					     const struct sk_buff *skb,
					     const struct vnet_acl_key *k,
					     const struct ip_tunnel_info *info,
					     enum vnet_drop_reason *why)
{
	u32 id = reached_vnet(v, k->family, k->src, why);
	struct vnet_endpoint *ep;

	if (!id)
		return NULL;
	ep = vnet_endpoint_lookup(vn, id, k->family, k->src);
	return ep && underlay_is(ep, info) &&
	       ether_addr_equal(ep->mac, eth_hdr(skb)->h_source) ? ep : NULL;
}

/*
 * A packet whose source is not the sender's own may come from a
 * forwarding endpoint (an appliance on another host) passing on what
 * others sent: known by its host and by its MAC, the inner source its
 * host writes, and only if vnet @v's routes lead to it.
 */
static struct vnet_endpoint *forwarder(struct vnet_net *vn,
				       struct vnet_vnet *v,
				       const struct sk_buff *skb,
				       const struct vnet_acl_key *k,
				       const struct ip_tunnel_info *info)
{
	struct vnet_prefix src = { .family = ip_tunnel_info_af(info) };
	enum vnet_drop_reason why;
	struct vnet_endpoint *ep;
	struct vnet_fwd_key key;

	if (src.family == AF_INET)
		memcpy(src.addr, &info->key.u.ipv4.src, 4);
	else
		memcpy(src.addr, &info->key.u.ipv6.src, 16);
	vnet_fwd_key_init(&key, &src, eth_hdr(skb)->h_source, k->family);
	ep = vnet_endpoint_forwarder(vn, &key);
	if (!ep || reached_vnet(v, k->family, ep->ip.addr, &why) !=
		   ep->key.vnet_id)
		return NULL;
	return ep;
}

/*
 * The sending host's decision, made again from the sender's position: a
 * port of vnet @vni on this host, never one back into the tunnel. How a
 * packet reaches an appliance here (its destination is not the
 * appliance's), and how what an appliance there forwarded meets rule 7.
 */
static struct vnet_port *remote_next_hop(struct vnet_endpoint *ep, u32 vni,
					 const struct vnet_acl_key *k,
					 enum vnet_drop_reason *why)
{
	struct vnet_port *dport = vnet_next_hop_remote(ep, k, why);

	if (!dport)
		return NULL;
	/* The lookup drops at an absent port itself (nexthop.c). */
	if (dport->endpoint || dport->vnet->id != vni) {
		*why = VNET_DROP_NO_PORT;
		return NULL;
	}
	return dport;
}

static unsigned int tunnel_rcv(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct ip_tunnel_info *info = skb_tunnel_info(skb);
	struct vnet_port *tport = priv;
	struct vnet_net *vn = tport->vn;
	struct vnet_lb_rev rev = {};
	enum vnet_drop_reason why;
	struct vnet_endpoint *ep;
	struct vnet_port *dport;
	struct vnet_flow flow;
	struct vnet_vnet *v;
	u32 vni;

	vnet_count_rx(tport, skb->len + skb->mac_len);
	if (!info || !(info->key.tun_flags & TUNNEL_KEY))
		return vnet_drop(tport, VNET_DROP_MALFORMED);
	vni = be32_to_cpu(tunnel_id_to_key32(info->key.tun_id));
	v = xa_load(&vn->ids, vni);
	if (!v)
		return vnet_drop(tport, VNET_DROP_UNKNOWN_VNI);
	if (skb->mac_len != ETH_HLEN || skb_vlan_tag_present(skb))
		return vnet_drop(tport, VNET_DROP_MALFORMED);
	/* A remote host's VMs are held to what a local port may send. */
	why = vnet_flow_parse(skb, &flow);
	if (why == VNET_PASS)
		why = vnet_flow_forbidden(&flow);
	if (why == VNET_PASS && (vnet_flow_is_nd(&flow) ||
				 vnet_flow_multicast(&flow.key)))
		why = VNET_DROP_BROADCAST;
	if (why != VNET_PASS)
		return vnet_drop(tport, why);
	ep = source_endpoint(vn, v, skb, &flow.key, info, &why);
	/* Not its own packet: forwarded by an appliance there? */
	if (!ep)
		ep = forwarder(vn, v, skb, &flow.key, info);
	if (!ep)
		return vnet_drop(tport, why);
	/*
	 * Where its routes lead: to the destination's port, or to an
	 * appliance here whatever the destination (a route through an
	 * appliance is never skipped because the destination is here too).
	 */
	dport = remote_next_hop(ep, vni, &flow.key, &why);
	if (!dport)
		return vnet_drop(tport, why);
	/* A remote backend's reply to an lb connection of this host. */
	vnet_lb_reply(ep->port, skb, &flow, &rev);
	flow.key.from_vnet = ep->key.vnet_id;
	why = vnet_ct_filter(ep->port, dport, skb, &flow, rev.hit, NULL);
	if (why != VNET_PASS)
		return vnet_drop(tport, why);
	if (rev.hit) {
		int err = vnet_lb_snat(skb, &flow, &rev);

		if (err)
			return vnet_drop(tport, vnet_nat_drop(err));
	}
	skb_dst_drop(skb);	/* the tunnel's metadata */
	return vnet_rewrite_xmit(tport, skb, dport);
}

/* Under RTNL and vn->lock: make sure the namespace has its tunnel. */
int vnet_tunnel_get(struct vnet_req *req)
{
	struct vxlan_config conf = {
		.no_share = true,
		.flags = VXLAN_F_COLLECT_METADATA | VXLAN_F_UDP_ZERO_CSUM6_RX,
		.dst_port = htons(VNET_TUNNEL_PORT),
		/* The packet path sends what VMs send, up to GSO size. */
		.mtu = IP_MAX_MTU,
	};
	struct vnet_net *vn = req->vn;
	struct net_device *dev;
	struct vnet_port *tport;
	int err;

	lockdep_assert_held(&req->vn->lock);
	ASSERT_RTNL();
	if (rcu_access_pointer(vn->tunnel))
		return 0;
	tport = vnet_alloc_port();
	if (!tport)
		return -ENOMEM;
	vn->tunnel_busy = true;
	dev = vxlan_dev_create(vn->net, VNET_TUNNEL_IFNAME, NET_NAME_USER,
			       &conf);
	vn->tunnel_busy = false;
	if (IS_ERR(dev)) {
		vnet_free_port_rcu(tport);
		return vnet_refuse(req, PTR_ERR(dev),
				   "cannot create the tunnel device",
				   "cannot create tunnel device %s (error %ld): is an interface of that name in the way?",
				   VNET_TUNNEL_IFNAME, PTR_ERR(dev));
	}
	/* Its packets belong to this namespace's vnets. */
	dev->features |= NETIF_F_NETNS_LOCAL;
	vn->tunnel_busy = true;
	err = dev_change_flags(dev, dev->flags | IFF_UP, NULL);
	if (err) {
		rtnl_delete_link(dev, 0, NULL);
		vn->tunnel_busy = false;
		vnet_free_port_rcu(tport);
		return vnet_refuse(req, err, "cannot open the tunnel device",
				   "cannot open tunnel device %s (error %d): is UDP port %d in use in this namespace?",
				   VNET_TUNNEL_IFNAME, err, VNET_TUNNEL_PORT);
	}
	vn->tunnel_busy = false;
	RCU_INIT_POINTER(tport->dev, dev);
	strscpy(tport->n.name, VNET_TUNNEL_IFNAME, sizeof(tport->n.name));
	netdev_hold(dev, &tport->dev_tracker, GFP_KERNEL);
	tport->vn = vn;
	tport->hook.hook = tunnel_rcv;
	tport->hook.pf = NFPROTO_NETDEV;
	tport->hook.hooknum = NF_NETDEV_INGRESS;
	tport->hook.dev = dev;
	tport->hook.priv = tport;
	err = nf_register_net_hook(vn->net, &tport->hook);
	if (err) {
		vn->tunnel_busy = true;
		rtnl_delete_link(dev, 0, NULL);
		vn->tunnel_busy = false;
		vnet_free_port_rcu(tport);
		return err;
	}
	rcu_assign_pointer(vn->tunnel, tport);
	return 0;
}

/* Detach the tunnel's stand-in port; the caller deals with the device. */
static struct vnet_port *tunnel_detach(struct vnet_net *vn)
{
	struct vnet_port *tport;

	tport = rcu_replace_pointer(vn->tunnel, NULL,
				    lockdep_is_held(&vn->lock));
	if (tport)
		nf_unregister_net_hook(vn->net, &tport->hook);
	return tport;
}

/*
 * Under RTNL and vn->lock: an endpoint went; without endpoints the tunnel
 * device goes too. Its removal runs our own netdevice notifier, which must
 * not take vn->lock again: vn->tunnel_busy tells it.
 */
void vnet_tunnel_put(struct vnet_net *vn)
{
	struct vnet_port *tport;

	ASSERT_RTNL();
	if (vn->nr_endpoints)
		return;
	tport = tunnel_detach(vn);
	if (!tport)
		return;
	vn->tunnel_busy = true;
	rtnl_delete_link(rtnl_dereference(tport->dev), 0, NULL);
	vn->tunnel_busy = false;
	vnet_free_port_rcu(tport);
}

/*
 * Module unload, before the notifier goes: delete every namespace's
 * tunnel device now. Once the notifier is gone, a device deleted by
 * another hand (ip link del, a namespace exit) would keep the reference
 * its stand-in port holds, and the namespace exit would delete it again.
 */
void vnet_tunnels_remove_all(void)
{
	struct vnet_port *tport;
	struct vnet_net *vn;
	struct net *net;

	rtnl_lock();
	down_read(&net_rwsem);
	for_each_net(net) {
		vn = vnet_pernet(net);
		mutex_lock(&vn->lock);
		tport = tunnel_detach(vn);
		if (tport) {
			vn->tunnel_busy = true;
			rtnl_delete_link(rtnl_dereference(tport->dev), 0, NULL);
			vn->tunnel_busy = false;
			vnet_free_port_rcu(tport);
		}
		mutex_unlock(&vn->lock);
	}
	up_read(&net_rwsem);
	rtnl_unlock();
}

/*
 * Netdevice notifier, under RTNL and vn->lock: @dev is being unregistered
 * by another hand (ip link del, namespace exit). The notifier's replay at
 * module unload is not a removal: the namespace exit removes the device.
 */
void vnet_tunnel_gone(struct vnet_net *vn, struct net_device *dev)
{
	struct vnet_port *tport = rcu_dereference_protected(vn->tunnel,
				lockdep_is_held(&vn->lock));

	if (!tport || rcu_access_pointer(tport->dev) != dev ||
	    READ_ONCE(vnet_unloading))
		return;
	tunnel_detach(vn);
	vnet_free_port_rcu(tport);
}

/* The tunnel's stand-in port if @dev (any if NULL) is the tunnel device. */
struct vnet_port *vnet_tunnel_port(struct vnet_net *vn,
				   const struct net_device *dev)
{
	struct vnet_port *tport = rcu_dereference_protected(vn->tunnel,
				lockdep_is_held(&vn->lock));

	return tport && (!dev || rcu_access_pointer(tport->dev) == dev) ?
	       tport : NULL;
}
