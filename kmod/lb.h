/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: internal load balancers: the objects and their control path
 * (lb.c), the packet path's choice of a backend and its translations
 * (lb_flow.c for connections, lb_related.c for their later fragments and
 * ICMP errors).
 */
#ifndef _VNET_LB_H
#define _VNET_LB_H

#include "vnet.h"

struct vnet_acl_key;
struct vnet_flow;

/*
 * An internal load balancer (lb.c). Immutable once published: the packet
 * path finds it under RCU through its frontend (vn->lb_fes) and it is
 * freed after a grace period.
 */
struct vnet_lb_backend {
	struct vnet_prefix addr;	/* a port IP of the lb's vnet */
	u16 port;
};

struct vnet_lb_fe;

struct vnet_lb {
	struct vnet_node n;
	struct vnet_vnet *vnet;		/* control path */
	struct vnet_lb_fe *fe;		/* control path */
	struct hlist_node fe_link;	/* on fe->lbs, RCU */
	u32 vnet_id;
	u64 uid;			/* unique in the namespace, never reused */
	struct vnet_prefix frontend;
	u8 proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	u16 port;
	struct rcu_head rcu;
	unsigned int nr_backends;
	struct vnet_lb_backend backends[];
};

/*
 * What an lb translates: a packet of a connection (addresses and ports),
 * a later fragment of one of its datagrams (the address alone), or an
 * ICMP error quoting one of its packets (outer and quoted addresses).
 */
enum vnet_lb_kind {
	VNET_LB_CONN,
	VNET_LB_FRAGMENT,
	VNET_LB_ICMP,
};

/* What the lb step of the packet path chose for a packet to a frontend. */
struct vnet_lb_flow;
struct vnet_lb_frag;
struct vnet_lb_hit {
	const struct vnet_lb *lb;
	const struct vnet_lb_backend *be;
	struct vnet_lb_flow *flow;	/* the connection's, or NULL: new */
	struct vnet_lb_frag *frag;	/* VNET_LB_FRAGMENT: the first's record */
	u8 kind;			/* enum vnet_lb_kind */
};

/* lb.c: internal load balancers, the control path */
struct vnet_lb *vnet_lb_alloc(unsigned int nr_backends);
int vnet_lb_add(struct vnet_req *req, struct vnet_vnet *v, struct vnet_lb *lb);
int vnet_lb_del(struct vnet_req *req, struct vnet_vnet *v, const char *name);
int vnet_lb_replace(struct vnet_req *req, struct vnet_vnet *v,
		    struct vnet_lb *lb);
void vnet_lb_release_all(struct vnet_vnet *v);
int vnet_lb_prefix_del_check(struct vnet_req *req, struct vnet_vnet *v,
			     const struct vnet_prefix *p);
int vnet_lb_backend_check(struct vnet_req *req, const struct vnet_port *port,
			  const struct vnet_prefix *keep, unsigned int n);
const struct vnet_lb *vnet_lb_at(struct vnet_vnet *v,
				 const struct vnet_prefix *addr);
int vnet_lb_port_add_check(struct vnet_req *req, struct vnet_vnet *v,
			   const char *dev, const struct vnet_prefix *addr);
int vnet_lb_init(struct vnet_net *vn);
void vnet_lb_exit(struct vnet_net *vn);
const struct vnet_lb *vnet_lb_frontend(struct vnet_net *vn, u32 vnet_id,
				       u8 family, const u8 *addr, u8 proto,
				       u16 port, bool *any);

/* lb_flow.c, lb_related.c: internal load balancers, the packet path */
int vnet_lb_flow_cache_init(void);
void vnet_lb_flow_cache_exit(void);
int vnet_lb_flows_init(struct vnet_net *vn);
void vnet_lb_flows_stale(struct vnet_net *vn);
void vnet_lb_flows_exit(struct vnet_net *vn);
struct vnet_port *vnet_lb_select(struct vnet_port *port, u32 vnet_id,
				 const struct vnet_acl_key *k,
				 struct vnet_lb_hit *hit,
				 enum vnet_drop_reason *why);
void vnet_lb_translate_key(struct vnet_acl_key *k,
			   const struct vnet_lb_hit *hit);
int vnet_lb_dnat(struct sk_buff *skb, struct vnet_flow *f,
		 const struct vnet_lb_hit *hit);
enum vnet_drop_reason vnet_lb_open(struct vnet_port *port,
				   struct sk_buff *skb,
				   const struct vnet_flow *f,
				   const struct vnet_lb_hit *hit);
/* A reply of a backend: the frontend it must come from. */
struct vnet_lb_rev {
	u8 addr[16];
	u16 port;
	bool hit;
	u8 kind;			/* enum vnet_lb_kind */
	struct vnet_net *vn;
	struct vnet_ct_account *acct;	/* the client's: its shares */
	struct vnet_lb_flow *flow;	/* VNET_LB_CONN */
};

/*
 * The flow table's view of an lb connection (vnet_ct_fast()): which of
 * its records a packet belongs to, and the address and port it gets,
 * as destination (the client's packet to the frontend) or as source
 * (the backend's reply).
 */
struct vnet_lb_fast {
	struct vnet_lb_flow *flow;
	const u8 *addr;
	u16 port;
	bool reply;
};

struct vnet_ct_key;
bool vnet_lb_fast_find(struct vnet_port *port, const struct vnet_ct_key *k,
		       bool reply, struct vnet_lb_fast *fast);
int vnet_lb_fast_xlate(struct sk_buff *skb, const struct vnet_flow *f,
		       const struct vnet_lb_fast *fast, u8 tcp_flags);

void vnet_lb_reply(struct vnet_port *port, struct sk_buff *skb,
		   const struct vnet_flow *f, struct vnet_lb_rev *rev);
void vnet_lb_related(struct vnet_port *port, struct sk_buff *skb,
		     const struct vnet_flow *f, struct vnet_lb_hit *hit);
int vnet_lb_snat(struct sk_buff *skb, const struct vnet_flow *f,
		 const struct vnet_lb_rev *rev);

#endif /* _VNET_LB_H */
