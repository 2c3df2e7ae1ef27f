/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: the packet path, in the order a packet meets it: the hook on a
 * port's interface (hook.c), the parse of its headers (flow_parse.c), the
 * ARP/ND responder (arp_nd.c), the route lookup (nexthop.c), connection
 * tracking (conntrack.c) and delivery (datapath.c); and trace.c, which
 * tells what it would do with one packet.
 */
#ifndef _VNET_DATAPATH_H
#define _VNET_DATAPATH_H

#include "core/acl.h"
#include "core/ipv6_chain.h"
#include "lb.h"

struct vnet_nexthop;
struct vnet_rt_nexthop;

/* A packet as the packet path parsed it, for routes, ACLs and conntrack. */
struct vnet_flow {
	struct vnet_acl_key key;	/* .fragment: not the first fragment */
	unsigned int thoff;		/* transport header, from skb->data */
	u32 frag_id;			/* IP identification, for fragments */
	bool frag_first;		/* the first fragment of several */
	u8 icmp_type;			/* ICMP or ICMPv6 of the packet's family */
	u8 exthdrs;			/* IPv6 extension headers before it */
};

/* flow_parse.c: the IP and transport headers, within the datagram */
enum vnet_drop_reason vnet_flow_parse(struct sk_buff *skb,
				      struct vnet_flow *f);
bool vnet_flow_multicast(const struct vnet_acl_key *k);
bool vnet_flow_is_nd(const struct vnet_flow *f);
enum vnet_drop_reason vnet_flow_forbidden(const struct vnet_flow *f);
bool vnet_ipv6_walk_skb(struct sk_buff *skb, unsigned int off,
			struct vnet_ipv6_chain *c);

/* conntrack.c: connection tracking, the stateful part of the ACLs */
struct vnet_conn;

/* The connection half a packet passed by (vnet_ct_filter()). */
struct vnet_ct_hit {
	struct vnet_conn *conn;
	unsigned int dir;
	bool way_back;		/* it opened it; replies come back */
};

int vnet_ct_cache_init(void);
void vnet_ct_cache_exit(void);
int vnet_ct_init(struct vnet_net *vn);
void vnet_ct_exit(struct vnet_net *vn);
void vnet_ct_port_gone(struct vnet_port *port);
struct vnet_acl_delta;
void vnet_ct_rules_changed(struct vnet_net *vn, struct vnet_acl_delta *delta);
enum vnet_drop_reason vnet_ct_filter(struct vnet_port *src,
				     struct vnet_port *dst, struct sk_buff *skb,
				     const struct vnet_flow *f, bool nat,
				     struct vnet_ct_hit *hit);
/* How an lb translated a packet (conntrack.c, ct_proof()). */
enum vnet_ct_xlate {
	VNET_CT_UNTRANSLATED,
	VNET_CT_DNAT,		/* to a frontend: now to its backend */
	VNET_CT_SNAT,		/* a backend's reply: now from the frontend */
};

void vnet_ct_remember(const struct vnet_ct_hit *hit, struct vnet_port *dport,
		      u32 gen, enum vnet_ct_xlate x);
bool vnet_ct_fast(struct vnet_port *port, struct sk_buff *skb,
		  const struct vnet_flow *f, u32 gen, struct vnet_port **out,
		  enum vnet_drop_reason *why);

/* nexthop.c: the packet path's route lookup */
/* The route vnet_next_hop() took, for "vnetctl trace": one is set. */
struct vnet_route_pick {
	const struct vnet_nexthop *sys;
	const struct vnet_rt_nexthop *user;
	struct vnet_lb_hit lb;		/* a frontend: the lb and backend */
};

struct vnet_port *vnet_next_hop(struct vnet_port *port,
				const struct vnet_acl_key *k,
				enum vnet_drop_reason *why,
				struct vnet_route_pick *pick);
struct vnet_port *vnet_next_hop_remote(struct vnet_endpoint *ep,
				       const struct vnet_acl_key *k,
				       enum vnet_drop_reason *why);
enum vnet_drop_reason vnet_nat_drop(int err);

/* hook.c: netfilter hooks and the netdevice notifier */
int vnet_hook_register(struct vnet_port *port, struct net_device *dev);
void vnet_hook_unregister(struct vnet_port *port, struct net_device *dev);
int vnet_notifier_init(void);
void vnet_notifier_exit(void);

/* datapath.c, arp_nd.c: the packet path */
unsigned int vnet_hook_fn(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state);
/* @conf: the port's, read once per frame (port set may replace it). */
unsigned int vnet_arp_input(struct vnet_port *port,
			    const struct vnet_port_conf *conf,
			    struct sk_buff *skb);
unsigned int vnet_nd_input(struct vnet_port *port,
			   const struct vnet_port_conf *conf,
			   struct sk_buff *skb);
unsigned int vnet_drop(struct vnet_port *port, enum vnet_drop_reason why);
unsigned int vnet_rewrite_xmit(struct vnet_port *src, struct sk_buff *skb,
			       struct vnet_port *dport);
void vnet_count_rx(struct vnet_port *port, unsigned int len);
bool vnet_source_ok(const struct vnet_port_conf *conf, u8 family,
		    const void *addr);
void vnet_count_tx(struct vnet_port *port, unsigned int len);
void vnet_count_flow(struct vnet_port *port, enum vnet_flow_count what);

/* trace.c: what the packet path would do with one packet */
struct vnet_trace_step {
	u8 kind;			/* enum vnet_trace_kind */
	u8 dir, scope;			/* ACL */
	bool decided;			/* ACL: a rule decided (prio, action) */
	u8 action;
	u16 prio;
	u32 rules;
	const char *name;		/* ACL: list; route: remote vnet; lb */
	struct vnet_prefix prefix;	/* route */
	struct vnet_prefix via;		/* route: appliance; lb: backend */
	bool has_via;
	u8 source, nexthop;		/* route */
	u16 port;			/* lb: the backend's */
};

struct vnet_trace {
	struct vnet_trace_step steps[6];	/* 2 ACLs, route, lb, 2 ACLs */
	unsigned int n;
	struct vnet_port *dport;		/* where it goes, or NULL */
	enum vnet_drop_reason why;		/* VNET_PASS: delivered */
};

void vnet_trace_run(struct vnet_port *port, struct vnet_acl_key *k,
		    struct vnet_trace *t);

#endif /* _VNET_DATAPATH_H */
