/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: shared structures of the module.
 *
 * DOC: Locking
 *
 * Everything is per network namespace (struct vnet_net). The control path
 * (generic netlink handlers, and later the netdevice notifier) changes the
 * objects of a namespace only with vn->lock held; it is a mutex, so the
 * control path may sleep and allocate with GFP_KERNEL. Where RTNL is
 * needed too, RTNL is taken first, then vn->lock (a netdevice notifier runs
 * under RTNL and takes vn->lock).
 *
 * The objects below (vnets, subnets, peerings) are written only with
 * vn->lock held, and the control path reads them only under it. The packet
 * path reaches a vnet and a subnet through the port a packet came in on,
 * under RCU, and reads only what does not change while they live (a
 * vnet's id) or what is itself published with rcu_assign_pointer() (a
 * vnet's fib, a subnet's route table and ACL sets, a port's ACL sets);
 * so vnets, subnets and ports are freed after a grace period
 * (call_rcu(), never synchronize_rcu() per command: under emulation it
 * costs tens of milliseconds). Peerings are never read by the packet path:
 * it sees their effect in the fib.
 *
 * Every function that needs vn->lock says so with lockdep_assert_held(),
 * and every one that needs RTNL with ASSERT_RTNL().
 *
 * Load balancers (lb.c) are immutable once published: the packet path
 * finds them under RCU in vn->lb_fes, and a change replaces or removes
 * one and frees it after a grace period. Their connection entries
 * (lb_flow.c), like conntrack's, are made and removed by the packet path
 * itself, lock free, and freed after a grace period.
 *
 * Remote endpoints and the tunnel device (endpoint.c, tunnel.c): adding
 * or removing one takes RTNL, then vn->lock, because the first endpoint
 * creates the namespace's VXLAN device and the last one deletes it. That
 * creation and deletion run the module's own netdevice notifier (also
 * on a failed registration), which would take vn->lock again:
 * vn->tunnel_busy, set around them and read under RTNL, tells it to stay
 * out. The packet path reaches endpoints through
 * vn->endpoints and the tunnel through vn->tunnel, both under RCU; both
 * are freed after a grace period.
 *
 * Dumps take vn->lock per message and resume from a cursor; vn->gen is
 * bumped by every change so genl_dump_check_consistent() flags a dump that
 * raced one.
 *
 * Ports and devices: a port is named by its interface and outlives it
 * (port.c). Binding a port to an interface of its name and unbinding it
 * happen under RTNL and vn->lock: port add and del, and the netdevice
 * notifier. The packet path reads port->dev under RCU; NULL means the
 * port is absent. Other requests name ports by their own names and need
 * no RTNL.
 *
 * The rhashtables the packet path reads (vn->addrs, vn->endpoints,
 * vn->lb_fes) are resized by a worker that does not take vn->lock and
 * frees the old bucket table after a grace period: the control path also
 * looks them up inside rcu_read_lock() (vnet_port_find()). What it finds
 * stays valid after rcu_read_unlock() until vn->lock is dropped, as
 * objects are removed and freed only under vn->lock.
 */
#ifndef _VNET_H
#define _VNET_H

#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rbtree.h>
#include <linux/rhashtable-types.h>
#include <linux/u64_stats_sync.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <linux/vnet.h>

#include "core/lpm.h"
#include "core/acl.h"
#include "core/ipv6_chain.h"
#include "core/prefix.h"
#include "flow_table.h"

#define VNET_MOD_VERSION "0.1.0"

/* Limits, module parameters (params.c). */
extern unsigned int vnet_max_vnets;
extern unsigned int vnet_max_prefixes;
extern unsigned int vnet_max_subnets;
extern unsigned int vnet_max_peerings;
extern unsigned int vnet_max_ports;
extern unsigned int vnet_max_port_addrs;
extern unsigned int vnet_max_acl_rules;
extern unsigned int vnet_ct_max;
extern unsigned int vnet_ct_max_per_port;
extern unsigned int vnet_ct_max_per_vnet;
int vnet_ct_limits_init(void);
/* Connection tracking idle timeouts, in seconds (conntrack.c). */
extern unsigned int vnet_ct_timeout_tcp_syn;
extern unsigned int vnet_ct_timeout_tcp_established;
extern unsigned int vnet_ct_timeout_tcp_fin;
extern unsigned int vnet_ct_timeout_tcp_close;
extern unsigned int vnet_ct_timeout_udp;
extern unsigned int vnet_ct_timeout_udp_stream;
extern unsigned int vnet_ct_timeout_icmp;
extern unsigned int vnet_ct_timeout_other;
extern unsigned int vnet_ct_timeout_fragment;

struct vnet_ct_account;
extern unsigned int vnet_max_routes;
extern unsigned int vnet_max_gateway_prefixes;
extern unsigned int vnet_max_lbs;
extern unsigned int vnet_max_lb_backends;
extern unsigned int vnet_max_endpoints;
/* Set while the module unloads: the notifier's replay is not a removal. */
extern bool vnet_unloading;

/* A name-keyed red-black tree node: vnets, subnets and peerings use it. */
struct vnet_node {
	struct rb_node rb;
	char name[VNET_NAME_MAX];
};

struct vnet_node *vnet_node_find(struct rb_root *root, const char *name);
int vnet_node_insert(struct rb_root *root, struct vnet_node *node);
struct vnet_node *vnet_node_nth(struct rb_root *root, unsigned long n);
struct vnet_node *vnet_node_after(struct rb_root *root, const char *name);

#define vnet_node_entry(ptr, type) \
	((ptr) ? container_of(ptr, type, n) : NULL)

/* Per network namespace state: one network controller. */
struct vnet_net {
	struct net *net;
	struct mutex lock;		/* the control path, see above */
	struct rb_root vnets;		/* struct vnet_vnet by name */
	struct xarray ids;		/* vnet id -> struct vnet_vnet */
	struct list_head orphans;	/* peerings whose remote vnet is gone */
	struct list_head dirty;		/* vnets whose fib needs a rebuild */
	struct list_head acl_dirty;	/* ACL lists with deferred changes */
	struct delayed_work acl_work;	/* commits them if nobody does */
	struct rb_root ports;		/* struct vnet_port by name */
	struct xarray port_ids;		/* port id -> port, for packets */
	u32 next_port_id;		/* ids are not reused soon */
	struct xarray bound;		/* ifindex -> its port, if up */
	struct rhashtable addrs;	/* (vnet id, IP) -> port, for packets */
	struct rhashtable endpoints;	/* (vnet id, IP) -> remote endpoint */
	/* The tunnel device's stand-in port, while there are endpoints. */
	struct vnet_port __rcu *tunnel;
	/* Under RTNL: the module is creating or deleting its tunnel device. */
	bool tunnel_busy;
	struct vnet_flow_table conns;	/* tracked connections, conntrack.c */
	struct rhashtable lb_fes;	/* (vnet id, IP) -> lbs, lb.c */
	struct vnet_flow_table lb_flows;	/* lb connections, lb_flow.c */
	struct vnet_flow_table lb_frags; /* their datagrams' first fragments */
	u64 lb_uid;			/* the last lb's uid */
	u32 lb_seed;			/* of the backend hash */
	u32 acl_gen;			/* bumped by every ACL change */
	u32 gen;			/* bumped by every change */
	bool dying;			/* namespace exit: no events */
	u8 router_mac[ETH_ALEN];
	unsigned int nr_vnets;
	unsigned int nr_subnets;
	unsigned int nr_peerings;
	unsigned int nr_prefixes;
	unsigned int nr_ports;
	unsigned int nr_lbs;
	unsigned int nr_endpoints;
};

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

struct vnet_vnet {
	struct vnet_node n;
	struct vnet_net *vn;
	u32 id;
	/* Address space, sorted by vnet_prefix_cmp(), never overlapping. */
	struct vnet_prefix *prefixes;
	unsigned int nr_prefixes;
	struct rb_root subnets;		/* struct vnet_subnet by name */
	unsigned int nr_subnets;
	struct rb_root peerings;	/* this vnet's sides, by name */
	unsigned int nr_peerings;
	struct list_head incoming;	/* other vnets' peerings to this one */
	struct list_head ports;		/* struct vnet_port, bind order */
	struct rb_root endpoints;	/* struct vnet_endpoint by IP */
	unsigned int nr_endpoints;
	struct list_head dirty_link;	/* on vn->dirty when fib is stale */
	/* ACL entries (of any vnet) whose from-vnet is this one. */
	struct hlist_head acl_users;
	struct vnet_gateway *gateway;	/* its own, or NULL */
	struct rb_root lbs;		/* struct vnet_lb by name */
	/* What its ports hold in the flow tables: its share (conntrack.c). */
	struct vnet_ct_account *ct;
	/* Read by the packet path, which is why a vnet is freed after RCU. */
	struct vnet_fib __rcu *fib;
	struct rcu_head rcu;
};

/*
 * The ACL rules of one scope (a subnet or a port) in one direction: an
 * rbtree by priority for the control path, compiled into @set, which the
 * packet path reads under RCU and which is replaced as a whole.
 */
struct vnet_acl_verdict {
	u16 prio;
	u8 action;		/* enum vnet_acl_action */
};

struct vnet_acl_set {
	struct vnet_acl cls;
	struct rcu_head rcu;
	unsigned int count;
	struct vnet_acl_verdict rule[];	/* by rule index */
};

struct vnet_acl_list {
	struct rb_root rules;	/* struct vnet_acl_entry by priority */
	unsigned int count;
	struct vnet_acl_set __rcu *set;
	/* On vn->acl_dirty while @set is older than @rules (deferred). */
	struct list_head dirty_link;
	bool dirty;
	/* Deferred changes since the last commit, for its event. */
	unsigned int added, removed;
	/* The owner (a subnet or a port) and direction, set by the first rule. */
	struct vnet_subnet *subnet;
	struct vnet_port *port;
	u8 dir;
	/* While a deleted vnet's rules leave: the set without them. */
	struct list_head unref_link;
	struct vnet_acl_set *unref_set;
};

struct vnet_acl_entry {
	struct rb_node rb;
	struct vnet_acl_list *list;
	struct hlist_node from_link;	/* on the from-vnet's acl_users */
	u16 prio;
	u8 action;		/* enum vnet_acl_action */
	struct vnet_acl_rule rule;
};

struct vnet_subnet {
	struct vnet_node n;
	struct vnet_vnet *vnet;
	/* At most one prefix per family; family 0 means none. */
	struct vnet_prefix v4;
	struct vnet_prefix v6;
	unsigned int nr_ports;
	unsigned int nr_endpoints;	/* whose IP is in the subnet */
	struct vnet_acl_list acl[2];	/* by enum vnet_acl_dir */
	struct rb_root routes;		/* struct vnet_route by prefix */
	unsigned int nr_routes;
	unsigned int nr_dead_routes;	/* removed, still in @rtable */
	struct vnet_rtable __rcu *rtable;
	struct rcu_head rcu;		/* the packet path reads acl[] */
};

/* Per-CPU packet counters of a port. */
struct vnet_port_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t drops[__VNET_DROP_MAX];
	struct u64_stats_sync syncp;
};

/* Key of vn->addrs: an IP of a port in a vnet. */
struct vnet_addr_key {
	u32 vnet_id;
	u8 family;
	u8 pad[3];
	u8 addr[16];
};

struct vnet_port_addr {
	struct rhash_head node;
	struct vnet_addr_key key;
	struct vnet_port *port;
};

/*
 * What "port set" changes: replaced as a whole and freed after a grace
 * period, as the packet path reads it. Its addresses are also the port's
 * entries in vn->addrs.
 */
struct vnet_port_conf {
	struct rcu_head rcu;
	u8 mac[ETH_ALEN];
	u32 flags;			/* VNET_PORT_F_* */
	unsigned int nr_addrs;
	struct vnet_port_addr addrs[];
};

/*
 * A port: a VM's place in a vnet, named by its host interface. It outlives
 * the interface: @dev is the interface while one of that name is in the
 * namespace (state up), NULL otherwise (absent). The packet path reaches
 * it as its hook's private data (source), through vn->addrs (destination)
 * or vn->port_ids (a gateway), so it is freed after an RCU grace period.
 *
 * Two kinds of stand-in ports are never in vn->ports nor on a vnet's list:
 * a remote endpoint's (@endpoint set, no device, no ACLs, no @conf; the
 * other end of its connections for conntrack) and the tunnel's (@dev the
 * VXLAN device, no vnet; counts what goes through the tunnel).
 */
struct vnet_port {
	/* read by the packet path */
	struct net_device __rcu *dev;
	struct vnet_net *vn;
	struct vnet_vnet *vnet;
	struct vnet_port_conf __rcu *conf;
	struct vnet_port_stats __percpu *stats;
	struct vnet_subnet *subnet;
	struct vnet_acl_list acl[2];	/* by enum vnet_acl_dir */
	struct vnet_ct_account *ct;	/* connections it takes part in */
	struct vnet_endpoint *endpoint;	/* a remote endpoint's stand-in */
	/* control path */
	struct vnet_node n;		/* on vn->ports: the interface name */
	u32 id;				/* in vn->port_ids */
	struct list_head vnet_link;	/* on vnet->ports */
	struct nf_hook_ops hook;	/* while bound */
	struct vnet_dev_ref *ref;	/* while bound: its hold on @dev */
	netdevice_tracker dev_tracker;	/* the tunnel's stand-in's hold */
	struct rcu_head rcu;
};

/*
 * A bound port's hold on its interface, dropped a grace period after the
 * port lets go (the packet path may still be sending to it).
 */
struct vnet_dev_ref {
	struct rcu_head rcu;
	struct net_device *dev;
	netdevice_tracker tracker;
};

/* Under RCU: is @port one whose interface is gone? Stand-ins never are. */
static inline bool vnet_port_absent(const struct vnet_port *port)
{
	return !port->endpoint && !rcu_access_pointer(port->dev);
}

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

/*
 * A remote endpoint (endpoint.c): a VM on another host. The packet path
 * finds it in vn->endpoints under RCU; it is freed after a grace period,
 * and so are its stand-in port and its transmit metadata.
 */
struct vnet_endpoint {
	struct rhash_head node;		/* on vn->endpoints */
	struct vnet_addr_key key;	/* vnet id and IP */
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

struct vnet_peering {
	struct vnet_node n;
	struct vnet_vnet *local;
	/* NULL once the remote vnet is deleted (then on vn->orphans). */
	struct vnet_vnet *remote;
	struct list_head remote_link;	/* on remote->incoming or orphans */
	char remote_name[VNET_NAME_MAX];
	u32 flags;			/* VNET_PEERING_F_* */
	u8 state;			/* enum vnet_peering_state */
};

/* pernet.c */
struct vnet_net *vnet_pernet(struct net *net);
int vnet_pernet_init(void);
void vnet_pernet_exit(void);

/* objects.c: kmem caches with live counters, so leaks show in the log. */
int vnet_caches_init(void);
void vnet_caches_exit(void);
struct vnet_vnet *vnet_alloc_vnet(void);
void vnet_free_vnet(struct vnet_vnet *v);
struct vnet_subnet *vnet_alloc_subnet(void);
void vnet_free_subnet(struct vnet_subnet *s);
struct vnet_peering *vnet_alloc_peering(void);
void vnet_free_peering(struct vnet_peering *p);
struct vnet_port *vnet_alloc_port(void);
void vnet_free_port_rcu(struct vnet_port *port);

/*
 * The context of one control-path request: where refusals go. A refusal
 * sets a fixed extack message (6.1 cannot format one safely) and unicasts
 * the full text, which names the objects involved, to the requester.
 */

struct vnet_req {
	struct genl_info *info;
	struct vnet_net *vn;
};

__printf(4, 5)
int vnet_refuse(struct vnet_req *req, int err, const char *msg,
		const char *fmt, ...);

/* network.c: vnets */
struct vnet_vnet *vnet_find(struct vnet_net *vn, const char *name);
int vnet_add(struct vnet_req *req, const char *name, u32 id,
	     const struct vnet_prefix *prefixes, unsigned int n);
void vnet_del(struct vnet_vnet *v);
int vnet_remove(struct vnet_req *req, struct vnet_vnet *v);
int vnet_prefix_add(struct vnet_req *req, struct vnet_vnet *v,
		    const struct vnet_prefix *p);
int vnet_prefix_del(struct vnet_req *req, struct vnet_vnet *v,
		    const struct vnet_prefix *p);
int vnet_prefix_index(const struct vnet_vnet *v, const struct vnet_prefix *p);
bool vnet_prefixes_overlap(struct vnet_prefix *p, unsigned int n,
			   unsigned int *i, unsigned int *j);
void vnet_destroy_all(struct vnet_net *vn);

#define VNET_PREFIX_STR 48	/* "ffff:...:ffff/128" and its NUL */
void vnet_prefix_fmt(char *buf, const struct vnet_prefix *p);
void vnet_addr_fmt(char *buf, const struct vnet_prefix *a);

/* subnet.c */
struct vnet_subnet *vnet_subnet_find(struct vnet_vnet *v, const char *name);
int vnet_subnet_add(struct vnet_req *req, struct vnet_vnet *v,
		    const char *name, const struct vnet_prefix *prefixes,
		    unsigned int n);
void vnet_subnet_del(struct vnet_subnet *s);
int vnet_subnet_remove(struct vnet_req *req, struct vnet_subnet *s);

/* peering.c */
struct vnet_peering *vnet_peering_find(struct vnet_vnet *v, const char *name);
int vnet_peering_add(struct vnet_req *req, struct vnet_vnet *v,
		     const char *name, struct vnet_vnet *remote, u32 value,
		     u32 selector);
int vnet_peering_set(struct vnet_req *req, struct vnet_peering *p, u32 value,
		     u32 selector);
void vnet_peering_del(struct vnet_peering *p);
void vnet_peering_remote_gone(struct vnet_vnet *v);
void vnet_peering_remote_back(struct vnet_vnet *v);

/* port.c */
int vnet_port_add(struct vnet_req *req, const char *name,
		  struct vnet_subnet *s, const u8 *mac,
		  const struct vnet_prefix *addrs, unsigned int n, u32 flags);
int vnet_port_set(struct vnet_req *req, struct vnet_port *port,
		  const u8 *mac, const struct vnet_prefix *addrs,
		  unsigned int n, u32 flags, u32 selector);
void vnet_port_del(struct vnet_port *port);
int vnet_port_remove(struct vnet_req *req, struct vnet_port *port);
struct vnet_port *vnet_port_by_name(struct vnet_net *vn, const char *name);
struct vnet_port *vnet_port_of(struct vnet_net *vn,
			       const struct net_device *dev);
u8 vnet_port_state(const struct vnet_port *port);
void vnet_port_dev_event(struct vnet_net *vn, struct net_device *dev,
			 bool gone);

/* A port's interface (NULL: absent) and conf, for the control path. */
static inline struct net_device *vnet_port_dev(const struct vnet_port *port)
{
	return rcu_dereference_protected(port->dev,
					 lockdep_is_held(&port->vn->lock));
}

static inline struct vnet_port_conf *
vnet_port_conf(const struct vnet_port *port)
{
	return rcu_dereference_protected(port->conf,
					 lockdep_is_held(&port->vn->lock));
}
int vnet_port_addrs_init(struct vnet_net *vn);
void vnet_port_addrs_destroy(struct vnet_net *vn);
/* Owner of an address: _lookup under RCU, _find under vn->lock. */
struct vnet_port *vnet_port_lookup(struct vnet_net *vn, u32 vnet_id,
				   u8 family, const u8 *addr);
struct vnet_port *vnet_port_find(struct vnet_net *vn, u32 vnet_id,
				 u8 family, const u8 *addr);
void vnet_addr_key_init(struct vnet_addr_key *key, u32 vnet_id, u8 family,
			const u8 *addr);

/* endpoint.c: remote endpoints */
int vnet_endpoints_init(struct vnet_net *vn);
void vnet_endpoints_destroy(struct vnet_net *vn);
struct vnet_endpoint *vnet_endpoint_lookup(struct vnet_net *vn, u32 vnet_id,
					   u8 family, const u8 *addr);
struct vnet_endpoint *vnet_endpoint_find(struct vnet_vnet *v,
					 const struct vnet_prefix *ip);
struct vnet_endpoint *vnet_endpoint_next(struct vnet_vnet *v,
					 const struct vnet_prefix *after);
int vnet_endpoint_add(struct vnet_req *req, struct vnet_vnet *v,
		      const struct vnet_prefix *ip, const u8 *mac,
		      const struct vnet_prefix *remote);
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

/* acl.c: ACL rules of subnets and ports */
void vnet_acl_list_bind(struct vnet_acl_list *l, struct vnet_subnet *s,
			struct vnet_port *port, u8 dir);
struct vnet_vnet *vnet_acl_list_vnet(const struct vnet_acl_list *l);
struct vnet_acl_entry *vnet_acl_find(struct vnet_acl_list *l, u16 prio);
struct vnet_acl_entry *vnet_acl_next(struct vnet_acl_list *l, u16 prio);
int vnet_acl_unref(struct vnet_req *req, struct vnet_vnet *v);
void vnet_acl_unref_detach(struct vnet_vnet *v);
int vnet_acl_add(struct vnet_req *req, struct vnet_acl_list *l,
		 const char *scope, struct vnet_acl_entry *e, bool defer);
int vnet_acl_del(struct vnet_req *req, struct vnet_acl_list *l,
		 const char *scope, u16 prio, bool defer);
int vnet_acl_commit(struct vnet_net *vn);
void vnet_acl_work(struct work_struct *work);
void vnet_acl_list_clear(struct vnet_acl_list *l);
void vnet_acl_list_free_set(struct vnet_acl_list *l);
bool vnet_acl_allows(const struct vnet_acl_list *l,
		     const struct vnet_acl_key *k);
const struct vnet_acl_verdict *
vnet_acl_decide(const struct vnet_acl_list *l, const struct vnet_acl_key *k,
		unsigned int *nr_rules);
bool vnet_acl_path_allows(const struct vnet_port *src,
			  const struct vnet_port *dst,
			  const struct vnet_acl_key *k);

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

/* Not a drop reason: the packet passes. */
#define VNET_PASS __VNET_DROP_MAX

int vnet_ct_cache_init(void);
void vnet_ct_cache_exit(void);
int vnet_ct_init(struct vnet_net *vn);
void vnet_ct_exit(struct vnet_net *vn);
void vnet_ct_port_gone(struct vnet_port *port);
void vnet_ct_rules_changed(struct vnet_net *vn);
enum vnet_drop_reason vnet_ct_filter(struct vnet_port *src,
				     struct vnet_port *dst, struct sk_buff *skb,
				     const struct vnet_flow *f);

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

/* lb.c: internal load balancers, the control path */
struct vnet_lb *vnet_lb_find(struct vnet_vnet *v, const char *name);
struct vnet_lb *vnet_lb_alloc(unsigned int nr_backends);
int vnet_lb_add(struct vnet_req *req, struct vnet_vnet *v, struct vnet_lb *lb);
int vnet_lb_del(struct vnet_req *req, struct vnet_vnet *v, const char *name);
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

/* lb_flow.c: internal load balancers, the packet path */
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

void vnet_lb_reply(struct vnet_port *port, struct sk_buff *skb,
		   const struct vnet_flow *f, struct vnet_lb_rev *rev);
void vnet_lb_related(struct vnet_port *port, struct sk_buff *skb,
		     const struct vnet_flow *f, struct vnet_lb_hit *hit);
int vnet_lb_snat(struct sk_buff *skb, const struct vnet_flow *f,
		 const struct vnet_lb_rev *rev);

/* hook.c: netfilter hooks and the netdevice notifier */
int vnet_hook_register(struct vnet_port *port, struct net_device *dev);
void vnet_hook_unregister(struct vnet_port *port, struct net_device *dev);
int vnet_notifier_init(void);
void vnet_notifier_exit(void);

/* datapath.c, arp_nd.c: the packet path */
unsigned int vnet_hook_fn(void *priv, struct sk_buff *skb,
			  const struct nf_hook_state *state);
unsigned int vnet_arp_input(struct vnet_port *port, struct sk_buff *skb);
unsigned int vnet_nd_input(struct vnet_port *port, struct sk_buff *skb);
unsigned int vnet_drop(struct vnet_port *port, enum vnet_drop_reason why);
unsigned int vnet_rewrite_xmit(struct vnet_port *src, struct sk_buff *skb,
			       struct vnet_port *dport);
void vnet_count_rx(struct vnet_port *port, unsigned int len);
bool vnet_source_ok(const struct vnet_port *port, u8 family,
		    const void *addr);
void vnet_count_tx(struct vnet_port *port, unsigned int len);

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

/*
 * Events, sent by the *_nl.c files when the object code changes
 * something; callers hold vn->lock.
 */
int vnet_genl_init(void);
void vnet_genl_exit(void);
void vnet_notify_vnet(struct vnet_vnet *v, u8 cmd);
void vnet_notify_prefix(struct vnet_vnet *v, const struct vnet_prefix *p,
			u8 cmd);
void vnet_notify_subnet(struct vnet_subnet *s, u8 cmd);
void vnet_notify_peering(struct vnet_peering *p, u8 cmd);
void vnet_notify_port(struct vnet_port *port, u8 cmd);
void vnet_notify_acl(const struct vnet_acl_list *l,
		     const struct vnet_acl_entry *e, u8 cmd,
		     const struct vnet_vnet *gone);
void vnet_notify_acl_commit(const struct vnet_acl_list *l);
void vnet_notify_route(struct vnet_subnet *s, const struct vnet_route *r,
		       u8 cmd);
void vnet_notify_gateway(struct vnet_vnet *v, u8 cmd);
void vnet_notify_lb(const struct vnet_lb *lb, u8 cmd);
void vnet_notify_endpoint(const struct vnet_endpoint *ep, u8 cmd);

#endif /* _VNET_H */
