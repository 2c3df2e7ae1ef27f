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
 * The objects below (vnets, subnets, peerings) are control-path objects:
 * only code holding vn->lock reads or writes them. The packet path never
 * touches them; it reads immutable tables compiled from them and published
 * with rcu_assign_pointer(), which are freed after a grace period with
 * kfree_rcu()/call_rcu() (never synchronize_rcu() per command: under
 * emulation it costs tens of milliseconds).
 *
 * Dumps take vn->lock per message and resume from a cursor; vn->gen is
 * bumped by every change so genl_dump_check_consistent() flags a dump that
 * raced one.
 */
#ifndef _VNET_H
#define _VNET_H

#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <linux/vnet.h>

#include "core/prefix.h"

#define VNET_MOD_VERSION "0.1.0"

/* Limits, module parameters (params.c). */
extern unsigned int vnet_max_vnets;
extern unsigned int vnet_max_prefixes;
extern unsigned int vnet_max_subnets;
extern unsigned int vnet_max_peerings;

/* A name-keyed red-black tree node: vnets, subnets and peerings use it. */
struct vnet_node {
	struct rb_node rb;
	char name[VNET_NAME_MAX];
};

struct vnet_node *vnet_node_find(struct rb_root *root, const char *name);
int vnet_node_insert(struct rb_root *root, struct vnet_node *node);
struct vnet_node *vnet_node_nth(struct rb_root *root, unsigned long n);

#define vnet_node_entry(ptr, type) \
	((ptr) ? container_of(ptr, type, n) : NULL)

/* Per network namespace state: one network controller. */
struct vnet_net {
	struct net *net;
	struct mutex lock;		/* the control path, see above */
	struct rb_root vnets;		/* struct vnet_vnet by name */
	struct xarray ids;		/* vnet id -> struct vnet_vnet */
	struct list_head orphans;	/* peerings whose remote vnet is gone */
	u32 gen;			/* bumped by every change */
	bool dying;			/* namespace exit: no events */
	u8 router_mac[ETH_ALEN];
	unsigned int nr_vnets;
	unsigned int nr_subnets;
	unsigned int nr_peerings;
	unsigned int nr_prefixes;
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
};

struct vnet_subnet {
	struct vnet_node n;
	struct vnet_vnet *vnet;
	/* At most one prefix per family; family 0 means none. */
	struct vnet_prefix v4;
	struct vnet_prefix v6;
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

/* vnet.c */
struct vnet_vnet *vnet_find(struct vnet_net *vn, const char *name);
int vnet_add(struct vnet_req *req, const char *name, u32 id,
	     const struct vnet_prefix *prefixes, unsigned int n);
void vnet_del(struct vnet_vnet *v);
int vnet_prefix_add(struct vnet_req *req, struct vnet_vnet *v,
		    const struct vnet_prefix *p);
int vnet_prefix_del(struct vnet_req *req, struct vnet_vnet *v,
		    const struct vnet_prefix *p);
int vnet_prefix_index(const struct vnet_vnet *v, const struct vnet_prefix *p);
void vnet_destroy_all(struct vnet_net *vn);

#define VNET_PREFIX_STR 48	/* "ffff:...:ffff/128" and its NUL */
void vnet_prefix_fmt(char *buf, const struct vnet_prefix *p);

/* subnet.c */
struct vnet_subnet *vnet_subnet_find(struct vnet_vnet *v, const char *name);
int vnet_subnet_add(struct vnet_req *req, struct vnet_vnet *v,
		    const char *name, const struct vnet_prefix *prefixes,
		    unsigned int n);
void vnet_subnet_del(struct vnet_subnet *s);

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

/* netlink.c */
int vnet_genl_init(void);
void vnet_genl_exit(void);
void vnet_notify_vnet(struct vnet_vnet *v, u8 cmd);
void vnet_notify_prefix(struct vnet_vnet *v, const struct vnet_prefix *p,
			u8 cmd);
void vnet_notify_subnet(struct vnet_subnet *s, u8 cmd);
void vnet_notify_peering(struct vnet_peering *p, u8 cmd);

#endif /* _VNET_H */
