// SPDX-License-Identifier: GPL-2.0
/*
 * "vnetctl trace": what the packet path decides for the first packet of a
 * connection, step by step, without sending one. It calls what the packet
 * path calls (the port check, vnet_next_hop(), the ACL classifier) on the
 * same RCU snapshots, so its answer cannot drift from what packets meet.
 * Connection tracking is left out: a trace is of a new connection (a
 * load balancer's step shows the backend that connection would get).
 * trace_nl.c parses the request and sends the result.
 */
#include "vnet.h"
#include "acl.h"
#include "datapath.h"
#include "lb.h"
#include "route.h"

/* The prefix of length @len that @addr is in. */
static void prefix_of(struct vnet_prefix *p, u8 family, const u8 *addr,
		      unsigned int len)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = len;
	memcpy(p->addr, addr, family == AF_INET ? 4 : 16);
	for (i = len; i < vnet_prefix_bits(family); i++)
		p->addr[i / 8] &= ~(0x80 >> (i % 8));
}

static void acl_step(struct vnet_trace *t, const struct vnet_acl_list *l,
		     u8 dir, u8 scope, const char *name,
		     const struct vnet_acl_key *k, bool *allowed)
{
	struct vnet_trace_step *s = &t->steps[t->n++];
	const struct vnet_acl_verdict *r;
	unsigned int rules;

	r = vnet_acl_decide(l, k, &rules);
	if (r && r->action != VNET_ACL_ALLOW)
		*allowed = false;
	*s = (struct vnet_trace_step){
		.kind = VNET_TRACE_ACL,
		.dir = dir,
		.scope = scope,
		.name = name,
		.rules = rules,
		.decided = r,
		.prio = r ? r->prio : 0,
		.action = r ? r->action : 0,
	};
}

static void route_step(struct vnet_trace *t, const struct vnet_port *port,
		       const struct vnet_route_pick *pick,
		       const struct vnet_acl_key *k)
{
	struct vnet_trace_step *s = &t->steps[t->n++];
	const struct vnet_nexthop *nh = pick->sys;
	const struct vnet_rt_nexthop *u = pick->user;
	struct vnet_vnet *remote;

	memset(s, 0, sizeof(*s));
	s->kind = VNET_TRACE_ROUTE;
	if (u) {
		prefix_of(&s->prefix, k->family, k->dst, u->len);
		s->source = VNET_ROUTE_SRC_USER;
		s->nexthop = u->nexthop;
		if (u->nexthop == VNET_ROUTE_NH_APPLIANCE) {
			prefix_of(&s->via, u->family, u->via,
				  vnet_prefix_bits(u->family));
			s->has_via = true;
		}
		return;
	}
	prefix_of(&s->prefix, k->family, k->dst, nh->len);
	remote = xa_load(&port->vn->ids, nh->vnet_id);
	s->name = remote ? remote->n.name : NULL;
	if (nh->kind == VNET_NH_GATEWAY) {
		s->source = VNET_ROUTE_SRC_GATEWAY;
		s->nexthop = VNET_ROUTE_NH_GATEWAY;
	} else {
		s->source = nh->vnet_id == port->vnet->id ?
			    VNET_ROUTE_SRC_VNET : VNET_ROUTE_SRC_PEERING;
		s->nexthop = VNET_ROUTE_NH_VNET;
	}
}

/* A load balancer's frontend: the lb and the backend it chose. */
static void lb_step(struct vnet_trace *t, const struct vnet_lb_hit *hit)
{
	struct vnet_trace_step *s = &t->steps[t->n++];

	memset(s, 0, sizeof(*s));
	s->kind = VNET_TRACE_LB;
	s->name = hit->lb->n.name;
	s->via = hit->be->addr;
	s->has_via = true;
	s->port = hit->be->port;
}

/*
 * The steps of the first packet @k from @port, then where it goes
 * (t->dport) or why it drops (t->why). Under RTNL, vn->lock and RCU: the
 * names in the steps point into the objects.
 */
void vnet_trace_run(struct vnet_port *port, struct vnet_acl_key *k,
		    struct vnet_trace *t)
{
	struct vnet_route_pick pick = {};
	enum vnet_drop_reason route_why;
	struct vnet_port *dport;
	bool allowed = true;

	memset(t, 0, sizeof(*t));
	t->why = VNET_PASS;
	if (!vnet_source_ok(rcu_dereference(port->conf), k->family, k->src)) {
		t->why = VNET_DROP_SPOOF_IP;
		return;
	}
	dport = vnet_next_hop(port, k, &route_why, &pick);
	/* The ACLs see a load balancer's backend, as in the packet path. */
	if (dport && pick.lb.lb)
		vnet_lb_translate_key(k, &pick.lb);
	k->from_vnet = port->vnet->id;
	acl_step(t, &port->acl[VNET_ACL_DIR_OUT], VNET_ACL_DIR_OUT,
		 VNET_ACL_SCOPE_PORT, port->n.name, k, &allowed);
	acl_step(t, &port->subnet->acl[VNET_ACL_DIR_OUT], VNET_ACL_DIR_OUT,
		 VNET_ACL_SCOPE_SUBNET, port->subnet->n.name, k, &allowed);
	if (pick.sys || pick.user)
		route_step(t, port, &pick, k);
	if (dport && pick.lb.lb)
		lb_step(t, &pick.lb);
	t->dport = dport;
	if (!dport) {
		t->why = route_why;
		return;
	}
	if (dport == port) {
		t->why = VNET_DROP_LOOP;
		return;
	}
	/* A remote endpoint's inbound ACLs are its own host's. */
	if (dport->endpoint)
		return;
	acl_step(t, &dport->subnet->acl[VNET_ACL_DIR_IN], VNET_ACL_DIR_IN,
		 VNET_ACL_SCOPE_SUBNET, dport->subnet->n.name, k, &allowed);
	acl_step(t, &dport->acl[VNET_ACL_DIR_IN], VNET_ACL_DIR_IN,
		 VNET_ACL_SCOPE_PORT, dport->n.name, k, &allowed);
	if (!allowed)
		t->why = VNET_DROP_ACL;
}
