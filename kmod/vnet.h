/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: the objects of the module (namespaces, vnets, subnets, peerings,
 * ports), their limits and the rules of their locking; the umbrella that
 * the area headers include:
 *
 *   route.h     fib.c, route.c, gateway.c: system routes, user routes,
 *               gateways
 *   acl.h       acl.c: ACL rules of subnets and ports
 *   lb.h        lb.c, lb_flow.c, lb_related.c: internal load balancers
 *   endpoint.h  endpoint.c, tunnel.c: remote endpoints and their tunnel
 *   datapath.h  the packet path: hook.c, datapath.c, flow_parse.c,
 *               nexthop.c, conntrack.c, arp_nd.c, and trace.c
 *   events.h    the netlink family as the rest sees it: its registration
 *               and the events the object code sends
 *   flow_table.h  the flow table (conntrack and lb connections)
 *   vnet_nl.h   what the netlink files (netlink.c, *_nl.c) share
 *
 * Functions are declared in the header of the area that defines them.
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
 * vn->forwarders, vn->lb_fes) are resized by a worker that does not take
 * vn->lock and frees the old bucket table after a grace period: the
 * control path also looks them up inside rcu_read_lock()
 * (vnet_port_find()). What it finds
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

#include "core/prefix.h"
#include "flow_table.h"

#define VNET_MOD_VERSION "0.1.0"

/* Not a drop reason: the packet passes. */
#define VNET_PASS __VNET_DROP_MAX

/* Limits, module parameters (params.c). */
extern unsigned int vnet_max_vnets;
extern unsigned int vnet_max_prefixes;
extern unsigned int vnet_max_subnets;
extern unsigned int vnet_max_peerings;
extern unsigned int vnet_max_ports;
extern unsigned int vnet_max_port_addrs;
extern unsigned int vnet_max_acl_rules;
extern unsigned int vnet_acl_delta_max;
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
	u8 origin;			/* enum vnet_origin, from the request */
};

struct vnet_node *vnet_node_find(struct rb_root *root, const char *name);
int vnet_node_insert(struct rb_root *root, struct vnet_node *node);
struct vnet_node *vnet_node_nth(struct rb_root *root, unsigned long n);
struct vnet_node *vnet_node_after(struct rb_root *root, const char *name);

#define vnet_node_entry(ptr, type) \
	((ptr) ? container_of(ptr, type, n) : NULL)

struct vnet_acl_delta;
struct vnet_acl_rule;

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
	/* The rules changed since the last publication (acl_delta.c). */
	struct vnet_acl_rule *delta_rules;
	unsigned int delta_count, delta_cap;
	bool delta_unknown;		/* some change is not in delta_rules */
	/* The last publication's, for the flow table (conntrack.c). */
	struct vnet_acl_delta __rcu *acl_delta;
	struct rb_root ports;		/* struct vnet_port by name */
	struct xarray port_ids;		/* port id -> port, for packets */
	u32 next_port_id;		/* ids are not reused soon */
	struct xarray bound;		/* ifindex -> its port, if up */
	struct rhashtable addrs;	/* (vnet id, IP) -> port, for packets */
	struct rhashtable endpoints;	/* (vnet id, IP) -> remote endpoint */
	struct rhashtable forwarders;	/* (host, MAC, family) -> endpoint */
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
	atomic_t flow_gen;		/* vnet_flows_changed() */
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

struct vnet_acl_set;
struct vnet_endpoint;
struct vnet_fib;
struct vnet_gateway;
struct vnet_rtable;

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
 * packet path reads under RCU and which is replaced as a whole (acl.h).
 */
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

/* What the flow table did with a packet from a port (conntrack.c). */
enum vnet_flow_count {
	VNET_FLOW_HIT,		/* delivered by its connection's half */
	VNET_FLOW_MISS,		/* no half that knew where it goes */
	VNET_FLOW_RECOMPUTE,	/* a half that knew, before a change */
	VNET_FLOW_INSERT_FAILED, /* an entry it opened the table refused */
	VNET_FLOW_CARRIED,	/* a hit carried over an ACL change */
	VNET_FLOW_NR
};

/* Per-CPU packet counters of a port. */
struct vnet_port_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t flows[VNET_FLOW_NR];
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
	u32 ct_id;			/* @ct's id, as flow keys name it */
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
/*
 * Every change the packet path may see (a request that changes anything,
 * an interface bound or unbound) ends with this, once the change is
 * published: whatever the flow table learned before it is stale
 * (conntrack.c). ACL rules published (one command's, or a batch's at its
 * commit) move the generation too, with what they changed, so that the
 * flow table may keep what they cannot concern (vnet_ct_rules_changed()).
 * 0 is never a generation the flow table remembers anything under.
 */
static inline void vnet_flows_changed(struct vnet_net *vn)
{
	/* Fully ordered: the change, then the new value. */
	if (atomic_inc_return(&vn->flow_gen) == 0)
		atomic_inc(&vn->flow_gen);
}

/* Read before the lookups whose result the flow table remembers. */
static inline u32 vnet_flow_gen(struct vnet_net *vn)
{
	return atomic_read_acquire(&vn->flow_gen);
}

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
 * The context of one control-path request. Object code refuses with
 * vnet_refuse(), which only records the refusal: a fixed message (6.1
 * cannot format an extack message safely) and the full text, which names
 * the objects involved. The netlink side sends both once the handler is
 * done (netlink.c, the family's post_doit). The first refusal counts.
 * post_doit does not see the handler's result, so a refusal must end the
 * request: a handler never refuses and then succeeds. The text is best
 * effort (a full socket loses it; the extack message stays).
 */
struct vnet_refusal {
	const char *msg;
	char *text;
};

struct vnet_req {
	struct genl_info *info;		/* for the *_nl.c files only */
	struct vnet_net *vn;
	struct vnet_refusal *refusal;	/* NULL: nobody to tell */
	u8 origin;			/* VNET_A_ORIGIN: what it makes keeps it */
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

#endif /* _VNET_H */
