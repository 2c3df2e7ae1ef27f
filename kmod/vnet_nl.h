/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the netlink layer shares: netlink.c (the family, the ops table,
 * refusals and the helpers below) and the *_nl.c files, one per kind of
 * object, which parse a request, call the object code and reply. Nothing
 * outside these files includes this header.
 */
#ifndef _VNET_NL_H
#define _VNET_NL_H

#include <net/genetlink.h>

#include "vnet.h"

/* Policies */
#define VNET_NAME_POLICY { .type = NLA_NUL_STRING, .len = VNET_NAME_MAX - 1 }
#define VNET_IFNAME_POLICY { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 }
/* A nested prefix, or an address (a prefix without VNET_PREFIX_A_LEN). */
extern const struct nla_policy vnet_prefix_policy[VNET_PREFIX_A_MAX + 1];
#define VNET_PREFIXES_POLICY NLA_POLICY_NESTED_ARRAY(vnet_prefix_policy)
/* The vnet name alone. */
extern const struct nla_policy vnet_vnet_policy[VNET_A_MAX + 1];

/* Requests: parsing; each helper sets the extack when it refuses. */
struct vnet_req vnet_nl_req(struct genl_info *info);
int vnet_nl_put_origin(struct sk_buff *skb, u8 origin);
bool vnet_nl_missing(struct genl_info *info, int type);
bool vnet_nl_need(struct genl_info *info, int type, const char *msg);
const char *vnet_nl_name(struct genl_info *info, int type);
int vnet_nl_prefix(struct genl_info *info, const struct nlattr *attr,
		   struct vnet_prefix *p, bool addr);
int vnet_nl_prefix_list(struct genl_info *info, int type, unsigned int min,
			unsigned int max, struct vnet_prefix **out,
			unsigned int *count);
int vnet_nl_prefixes(struct genl_info *info, unsigned int min,
		     unsigned int max, struct vnet_prefix **out,
		     unsigned int *count);
void vnet_nl_flags(const struct nlattr *attr, u32 *value, u32 *selector);
struct vnet_vnet *vnet_nl_vnet(struct vnet_req *req, int type);
struct vnet_subnet *vnet_nl_subnet(struct vnet_req *req, struct vnet_vnet *v);
struct vnet_port *vnet_nl_port(struct vnet_req *req);
void vnet_nl_unlock_commit(struct vnet_net *vn);

/* Messages: one builder for replies, dump parts and events. */
struct vnet_msg {
	u32 portid;
	u32 seq;
	int flags;
	u8 cmd;
	struct netlink_callback *cb;	/* dumps only */
	bool identity_only;		/* delete events */
};

void *vnet_msg_start(struct sk_buff *skb, const struct vnet_msg *m);
int vnet_msg_end(struct sk_buff *skb, void *hdr, int err);
struct vnet_msg vnet_reply_msg(const struct genl_info *info, u8 cmd);
int vnet_nl_put_addr(struct sk_buff *skb, int type,
		     const struct vnet_prefix *a);
int vnet_nl_put_prefix(struct sk_buff *skb, int type,
		       const struct vnet_prefix *p);
int vnet_nl_put_prefixes(struct sk_buff *skb, const struct vnet_prefix *p,
			 unsigned int n);

/* Dumps */
struct vnet_msg vnet_dump_msg(struct netlink_callback *cb, u8 cmd);
int vnet_dump_done(struct sk_buff *skb, int err);
struct vnet_vnet *vnet_nl_dump_lock(struct vnet_net *vn,
				    struct netlink_callback *cb,
				    const struct nlattr *only, u32 last);
struct vnet_vnet *vnet_nl_dump_next(struct vnet_vnet *v,
				    const struct nlattr *only);

/* A dump of the children (subnets, peerings) of each vnet, by name. */
struct vnet_child_dump {
	u8 cmd;
	struct rb_root *(*root)(struct vnet_vnet *v);
	int (*fill)(struct sk_buff *skb, struct rb_node *rb,
		    const struct vnet_msg *m);
};

int vnet_child_dump(struct sk_buff *skb, struct netlink_callback *cb,
		    const struct vnet_child_dump *d);

/* Events */
bool vnet_nl_events_wanted(struct vnet_net *vn);
struct sk_buff *vnet_nl_event_new(struct vnet_net *vn, u8 cmd,
				  struct vnet_msg *m);
void vnet_nl_event_send(struct vnet_net *vn, struct sk_buff *skb, int err);

/* The handlers of the ops table, and their policies, by file. */

/* vnet_nl.c */
extern const struct nla_policy vnet_vnet_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_prefix_change_policy[VNET_A_MAX + 1];
int vnet_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_get_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vnet_prefix_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_prefix_del_doit(struct sk_buff *skb, struct genl_info *info);

/* subnet_nl.c */
extern const struct nla_policy vnet_subnet_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_subnet_del_policy[VNET_A_MAX + 1];
int vnet_subnet_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_subnet_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_subnet_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* peering_nl.c */
extern const struct nla_policy vnet_peering_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_peering_set_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_peering_del_policy[VNET_A_MAX + 1];
int vnet_peering_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_peering_set_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_peering_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_peering_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* port_nl.c: ports and their counters */
extern const struct nla_policy vnet_port_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_port_set_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_ifname_policy[VNET_A_MAX + 1];
int vnet_port_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_port_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_port_set_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_port_get_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_port_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vnet_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_stats_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* acl_nl.c */
extern const struct nla_policy vnet_acl_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_acl_del_policy[VNET_A_MAX + 1];
int vnet_acl_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_acl_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_acl_commit_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_acl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* route_nl.c */
extern const struct nla_policy vnet_route_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_route_del_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_route_get_policy[VNET_A_MAX + 1];
int vnet_route_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_route_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_route_get_start(struct netlink_callback *cb);
int vnet_route_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vnet_route_get_done(struct netlink_callback *cb);

/* gateway_nl.c */
extern const struct nla_policy vnet_gateway_set_policy[VNET_A_MAX + 1];
int vnet_gateway_set_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_gateway_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_gateway_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* trace_nl.c */
extern const struct nla_policy vnet_trace_policy[VNET_A_MAX + 1];
int vnet_trace_doit(struct sk_buff *skb, struct genl_info *info);

/* lb_nl.c */
extern const struct nla_policy vnet_lb_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_lb_del_policy[VNET_A_MAX + 1];
int vnet_lb_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_lb_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_lb_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* endpoint_nl.c */
extern const struct nla_policy vnet_endpoint_new_policy[VNET_A_MAX + 1];
extern const struct nla_policy vnet_endpoint_del_policy[VNET_A_MAX + 1];
int vnet_endpoint_new_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_endpoint_del_doit(struct sk_buff *skb, struct genl_info *info);
int vnet_endpoint_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int vnet_nl_put_endpoint(struct sk_buff *skb, const struct vnet_endpoint *ep);

#endif /* _VNET_NL_H */
