/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: routes. The compiled system routes of each vnet (fib.c), the
 * user routes of subnets (route.c) and gateways (gateway.c); the packet
 * path's lookup in them is nexthop.c's (datapath.h).
 */
#ifndef _VNET_ROUTE_H
#define _VNET_ROUTE_H

#include "core/lpm.h"
#include "vnet.h"

/*
 * Where a destination prefix leads: a vnet (the own one or a usable peer),
 * a gateway's port, or a drop with its reason (a peer that is not
 * connected or has access off, so the counters say why).
 */
enum vnet_nh_kind {
	VNET_NH_VNET,		/* the port that owns the destination */
	VNET_NH_GATEWAY,	/* the gateway port @port_id of vnet @vnet_id */
};

/* Rule 7 as the receiving side of the peering to @vnet_id sees it. */
#define VNET_NH_F_FORWARDED	BIT(0)	/* it accepts forwarded traffic */
#define VNET_NH_F_GW_USER	BIT(1)	/* it uses this vnet's gateway */

struct vnet_nexthop {
	u32 vnet_id;
	u32 port_id;	/* VNET_NH_GATEWAY */
	u8 drop;	/* 0, or enum vnet_drop_reason + 1 */
	u8 kind;	/* enum vnet_nh_kind */
	u8 len;		/* of the prefix: user routes win ties */
	u8 flags;	/* VNET_NH_F_* */
};

/* The compiled system routes of one vnet: immutable, replaced as a whole. */
struct vnet_fib {
	struct vnet_lpm lpm;
	struct rcu_head rcu;
	u32 own_gw_port;		/* the vnet's own gateway port id, or 0 */
	struct vnet_nexthop gw;		/* "nexthop gateway": the effective one */
	unsigned int nr_nexthops;
	struct vnet_nexthop nexthops[];
};

/*
 * A user route of a subnet (route.c). The control path keeps them in an
 * rbtree by prefix; the packet path reads @rtable, a trie that grows in
 * place (vnet_lpm_insert() is safe against readers) and is rebuilt, then
 * replaced under RCU, only when it is full or holds too many dead routes.
 */
struct vnet_route {
	struct rb_node rb;
	struct vnet_prefix prefix;
	struct vnet_prefix via;		/* the appliance's address */
	u8 nexthop;			/* enum vnet_route_nexthop */
	u8 origin;			/* enum vnet_origin, from the request */
	u32 slot;			/* in the subnet's rtable */
};

struct vnet_rt_nexthop {
	u8 nexthop;			/* enum vnet_route_nexthop */
	u8 len;
	u8 family;
	u8 via[16];
};

struct vnet_rtable {
	struct vnet_lpm lpm;
	struct rcu_head rcu;
	u32 nr_slots;			/* used, including dead routes' */
	u32 max_slots;
	struct vnet_rt_nexthop nh[];	/* by slot, the trie's values */
};

/*
 * The gateway of a vnet (gateway.c): one of its ports, and on-premises
 * prefixes. The port stays while it is the gateway; while it is absent the
 * gateway drops traffic.
 */
struct vnet_gateway {
	struct vnet_port *port;
	unsigned int nr_prefixes;
	struct vnet_prefix prefixes[];	/* sorted */
};

/* fib.c: the compiled routes of each vnet */
void vnet_fib_touch(struct vnet_vnet *v);
void vnet_fib_commit(struct vnet_net *vn);
void vnet_fib_release(struct vnet_vnet *v);
u8 vnet_peering_drop(const struct vnet_peering *p);
struct vnet_peering *vnet_peering_rev(const struct vnet_peering *p);

/* One system route of a vnet, as vnet_sys_routes_walk() yields it. */
struct vnet_sys_route {
	const struct vnet_prefix *prefix;
	struct vnet_vnet *remote;	/* the vnet it leads to (own, peer, gateway's) */
	struct vnet_peering *peering;	/* the way there; NULL inside the vnet */
	u8 source;			/* VNET_ROUTE_SRC_* */
	u8 drop;			/* the peering's drop reason + 1, or 0 */
};

typedef int (*vnet_sys_route_fn)(void *arg, const struct vnet_sys_route *r);
/*
 * Call @fn for each system route of @v, weakest first: the fib's order, in
 * which the last of equal prefixes wins. Stops at, and returns, the first
 * non-zero result. Under vn->lock.
 */
int vnet_sys_routes_walk(struct vnet_vnet *v, vnet_sys_route_fn fn,
			 void *arg);

/* route.c: user routes of subnets */
struct vnet_route *vnet_route_find(struct vnet_subnet *s,
				   const struct vnet_prefix *p);
struct vnet_route *vnet_route_next(struct vnet_subnet *s,
				   const struct vnet_prefix *after);
int vnet_route_add(struct vnet_req *req, struct vnet_subnet *s,
		   const struct vnet_prefix *p, u8 nexthop,
		   const struct vnet_prefix *via);
int vnet_route_del(struct vnet_req *req, struct vnet_subnet *s,
		   const struct vnet_prefix *p);
void vnet_routes_clear(struct vnet_subnet *s);
const char *vnet_appliance_status(struct vnet_vnet *v,
				  const struct vnet_prefix *via,
				  char *buf, size_t len);

/* gateway.c: gateways and rule 8 */
struct vnet_vnet *vnet_gateway_effective(struct vnet_vnet *v,
					 struct vnet_peering **via);
int vnet_gateway_set(struct vnet_req *req, struct vnet_vnet *v,
		     struct vnet_port *port, const struct vnet_prefix *p,
		     unsigned int n);
int vnet_gateway_del(struct vnet_req *req, struct vnet_vnet *v);
void vnet_gateway_release(struct vnet_vnet *v);
struct vnet_port *vnet_gateway_port(struct vnet_net *vn, u32 vnet_id,
				    u32 port_id);
bool vnet_port_is_gateway(const struct vnet_port *port);
u8 vnet_gateway_state(struct vnet_vnet *v);
int vnet_gateway_port_del_check(struct vnet_req *req,
				const struct vnet_port *port);
void vnet_gateway_port_changed(struct vnet_port *port);

#endif /* _VNET_ROUTE_H */
