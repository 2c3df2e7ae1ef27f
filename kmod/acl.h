/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: the ACL rules of subnets and ports (acl.c). A list (struct
 * vnet_acl_list, in vnet.h: subnets and ports hold it) keeps its rules
 * (struct vnet_acl_entry) for the control path and compiles them into a
 * set, which the packet path reads: the classifier of core/acl.c and the
 * verdict of each rule.
 */
#ifndef _VNET_ACL_H
#define _VNET_ACL_H

#include "core/acl.h"
#include "vnet.h"

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

/*
 * What one publication of ACL rules changed, for the flow table: the
 * rules deleted and added since the last one (acl_delta.c), as a
 * classifier. A flow that none of them matches is decided by the new
 * rules as by the old, so an entry that knew it at flow generation
 * @flow_from (ACL generation @acl_to - 1) still knows it at @flow_to
 * (@acl_to): conntrack.c carries it over instead of taking the full
 * path again. Published under RCU once the flow generation moved from
 * @flow_from to @flow_to with nothing else in between.
 */
struct vnet_acl_delta {
	struct vnet_acl cls;
	u32 flow_from, flow_to;
	u32 acl_to;
	struct rcu_head rcu;
};

struct vnet_acl_entry {
	struct rb_node rb;
	struct vnet_acl_list *list;
	struct hlist_node from_link;	/* on the from-vnet's acl_users */
	u16 prio;
	u8 action;		/* enum vnet_acl_action */
	u8 origin;		/* enum vnet_origin, from the request */
	struct vnet_acl_rule rule;
};

/* acl.c: ACL rules of subnets and ports */
void vnet_acl_list_bind(struct vnet_acl_list *l, struct vnet_subnet *s,
			struct vnet_port *port, u8 dir);
struct vnet_vnet *vnet_acl_list_vnet(const struct vnet_acl_list *l);
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
const struct vnet_acl_verdict *
vnet_acl_decide(const struct vnet_acl_list *l, const struct vnet_acl_key *k,
		unsigned int *nr_rules);
bool vnet_acl_path_allows(const struct vnet_port *src,
			  const struct vnet_port *dst,
			  const struct vnet_acl_key *k);

/* acl_delta.c: what a publication changed (vn->lock held, but _misses) */
void vnet_acl_delta_note(struct vnet_net *vn, const struct vnet_acl_rule *r);
void vnet_acl_delta_unknown(struct vnet_net *vn);
struct vnet_acl_delta *vnet_acl_delta_take(struct vnet_net *vn);
void vnet_acl_delta_free(struct vnet_acl_delta *d);
void vnet_acl_delta_free_rcu(struct vnet_acl_delta *d);
void vnet_acl_delta_exit(struct vnet_net *vn);
bool vnet_acl_delta_misses(const struct vnet_acl_delta *d,
			   const struct vnet_acl_key *k);

#endif /* _VNET_ACL_H */
