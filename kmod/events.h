/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: the generic netlink family as the rest of the module sees it: its
 * registration (netlink.c) and the events that tell listeners of every
 * change (each defined in the *_nl.c file of its kind of object).
 */
#ifndef _VNET_EVENTS_H
#define _VNET_EVENTS_H

#include "vnet.h"

struct vnet_lb;
struct vnet_endpoint;
struct vnet_acl_entry;
struct vnet_route;

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

#endif /* _VNET_EVENTS_H */
