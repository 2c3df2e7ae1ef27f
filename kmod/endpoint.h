/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: remote endpoints, VMs on other hosts (endpoint.c), and the VXLAN
 * tunnel that reaches them (tunnel.c).
 */
#ifndef _VNET_ENDPOINT_H
#define _VNET_ENDPOINT_H

#include "vnet.h"

struct metadata_dst;

/*
 * How the tunnel knows a forwarding endpoint (an appliance on another
 * host) that sends a packet whose source is not its own: by its host's
 * underlay address and its MAC, the inner source of what its host sends.
 */
struct vnet_fwd_key {
	u8 remote[16];			/* its host's underlay address */
	u8 remote_family;
	u8 family;			/* of its IP: one per family */
	u8 mac[ETH_ALEN];
};

/*
 * A remote endpoint (endpoint.c): a VM on another host. The packet path
 * finds it in vn->endpoints under RCU, and a forwarding one also in
 * vn->forwarders; it is freed after a grace period, and so are its
 * stand-in port and its transmit metadata.
 */
struct vnet_endpoint {
	struct rhash_head node;		/* on vn->endpoints */
	struct vnet_addr_key key;	/* vnet id and IP */
	struct rhash_head fwd_node;	/* on vn->forwarders if @forwarding */
	struct vnet_fwd_key fwd_key;
	bool forwarding;		/* sends what it forwards, as a port */
	u8 origin;			/* enum vnet_origin, from the request */
	struct metadata_dst *md;	/* VNI and underlay address, for tx */
	struct vnet_port *port;		/* stand-in for conntrack and ACLs */
	u8 mac[ETH_ALEN];
	struct vnet_prefix remote;	/* the underlay address of its host */
	/* control path */
	struct rb_node rb;		/* on vnet->endpoints, by IP */
	struct vnet_vnet *vnet;
	struct vnet_subnet *subnet;	/* the subnet its IP is in */
	struct vnet_prefix ip;
	struct rcu_head rcu;
};

/* endpoint.c: remote endpoints */
int vnet_endpoints_init(struct vnet_net *vn);
void vnet_endpoints_destroy(struct vnet_net *vn);
struct vnet_endpoint *vnet_endpoint_lookup(struct vnet_net *vn, u32 vnet_id,
					   u8 family, const u8 *addr);
struct vnet_port *vnet_owner_lookup(struct vnet_net *vn, u32 vnet_id,
				    u8 family, const u8 *addr);
void vnet_fwd_key_init(struct vnet_fwd_key *key,
		       const struct vnet_prefix *remote, const u8 *mac,
		       u8 family);
struct vnet_endpoint *vnet_endpoint_forwarder(struct vnet_net *vn,
					      const struct vnet_fwd_key *key);
struct vnet_endpoint *vnet_endpoint_find(struct vnet_vnet *v,
					 const struct vnet_prefix *ip);
struct vnet_endpoint *vnet_endpoint_next(struct vnet_vnet *v,
					 const struct vnet_prefix *after);
int vnet_endpoint_add(struct vnet_req *req, struct vnet_vnet *v,
		      const struct vnet_prefix *ip, const u8 *mac,
		      const struct vnet_prefix *remote, bool forwarding);
int vnet_endpoint_del(struct vnet_req *req, struct vnet_vnet *v,
		      const struct vnet_prefix *ip);
void vnet_endpoints_clear(struct vnet_vnet *v);
int vnet_endpoint_users(struct vnet_req *req, struct vnet_subnet *s);
int vnet_endpoint_addr_check(struct vnet_req *req, const char *dev,
			     struct vnet_vnet *v,
			     const struct vnet_prefix *addr);

/* tunnel.c: the VXLAN device of a namespace, encap and decap */
int vnet_tunnel_get(struct vnet_req *req);
void vnet_tunnels_remove_all(void);
void vnet_tunnel_put(struct vnet_net *vn);
void vnet_tunnel_gone(struct vnet_net *vn, struct net_device *dev);
struct vnet_port *vnet_tunnel_port(struct vnet_net *vn,
				   const struct net_device *dev);
struct metadata_dst *vnet_tunnel_md(u32 vni, const struct vnet_prefix *remote);
unsigned int vnet_tunnel_xmit(struct vnet_port *src, struct sk_buff *skb,
			      const struct vnet_endpoint *ep);

#endif /* _VNET_ENDPOINT_H */
