// SPDX-License-Identifier: GPL-2.0
/*
 * The route lookup of the packet path (rules 6 and 7): the longest prefix
 * over the source vnet's system routes (its fib) and the source subnet's
 * user routes (its rtable), a user route winning a tie; then the port the
 * packet goes to, or the stand-in port of a remote endpoint (endpoint.c):
 * an endpoint is found where a port would be, in its vnet (the own one or
 * a usable peer), so peering and rule 7 apply to it as to a port. Runs
 * under RCU in the ingress hook: no locks, no sleep.
 *
 * A user route whose appliance or gateway cannot be reached drops the
 * packet (fails closed): it never falls back to a system route.
 */
#include "vnet.h"
#include "datapath.h"
#include "endpoint.h"
#include "lb.h"
#include "route.h"

/* Is @addr inside the address space of the fib's own vnet @id? */
static bool own_source(const struct vnet_fib *fib, u32 id, u8 family,
		       const u8 *addr)
{
	u32 idx = vnet_lpm_lookup(&fib->lpm, family, addr);
	const struct vnet_nexthop *nh;

	if (idx == VNET_LPM_NONE)
		return false;
	nh = &fib->nexthops[idx];
	return nh->kind == VNET_NH_VNET && !nh->drop && nh->vnet_id == id;
}

/*
 * Rule 7: a packet that crosses the peering @nh leads over, with a source
 * outside the sending vnet's space, needs forwarded on at the receiving
 * side, unless it comes from the gateway that the receiving vnet uses.
 */
static bool crossing_allowed(const struct vnet_port *port,
			     const struct vnet_fib *fib,
			     const struct vnet_nexthop *nh,
			     const struct vnet_acl_key *k)
{
	if (nh->vnet_id == port->vnet->id || (nh->flags & VNET_NH_F_FORWARDED))
		return true;
	if ((nh->flags & VNET_NH_F_GW_USER) &&
	    fib->own_gw_port == port->id)
		return true;
	return own_source(fib, port->vnet->id, k->family, k->src);
}

/*
 * Deliver along a system route (or the gateway) to @addr. With @pick, an
 * address that no port or endpoint owns may be a load balancer's frontend
 * (lb_flow.c).
 */
static struct vnet_port *follow(struct vnet_port *port,
				const struct vnet_fib *fib,
				const struct vnet_nexthop *nh,
				const struct vnet_acl_key *k, const u8 *addr,
				enum vnet_drop_reason *why,
				struct vnet_route_pick *pick)
{
	struct vnet_port *dport;

	if (nh->drop) {
		*why = nh->drop - 1;
		return NULL;
	}
	if (nh->kind == VNET_NH_GATEWAY) {
		dport = vnet_gateway_port(port->vn, nh->vnet_id, nh->port_id);
		*why = VNET_DROP_NO_GATEWAY;
		if (dport && vnet_port_absent(dport))
			return NULL;	/* its port is absent: fail closed */
	} else {
		dport = vnet_owner_lookup(port->vn, nh->vnet_id, k->family,
					  addr);
		*why = VNET_DROP_NO_PORT;
		if (dport && vnet_port_absent(dport)) {
			*why = VNET_DROP_PORT_ABSENT;
			return NULL;
		}
		if (!dport && pick)
			dport = vnet_lb_select(port, nh->vnet_id, k, &pick->lb,
					       why);
	}
	if (!dport)
		return NULL;
	if (!crossing_allowed(port, fib, nh, k)) {
		*why = VNET_DROP_FORWARDED;
		return NULL;
	}
	return dport;
}

static struct vnet_port *user_route(struct vnet_port *port,
				    const struct vnet_fib *fib,
				    const struct vnet_rt_nexthop *u,
				    const struct vnet_acl_key *k,
				    enum vnet_drop_reason *why)
{
	struct vnet_port *dport;
	u32 idx;

	switch (u->nexthop) {
	case VNET_ROUTE_NH_APPLIANCE:
		/* The appliance's vnet: the own one or a usable peer. */
		idx = vnet_lpm_lookup(&fib->lpm, u->family, u->via);
		if (idx == VNET_LPM_NONE ||
		    fib->nexthops[idx].kind != VNET_NH_VNET) {
			*why = VNET_DROP_APPLIANCE_UNREACHABLE;
			return NULL;
		}
		dport = follow(port, fib, &fib->nexthops[idx], k, u->via, why,
			       NULL);
		if (!dport && *why != VNET_DROP_FORWARDED)
			*why = VNET_DROP_APPLIANCE_UNREACHABLE;
		return dport;
	case VNET_ROUTE_NH_GATEWAY:
		return follow(port, fib, &fib->gw, k, k->dst, why, NULL);
	default:
		*why = VNET_DROP_ROUTE_NONE;
		return NULL;
	}
}

static struct vnet_port *next_hop(struct vnet_port *port,
				  const struct vnet_rtable *rt,
				  const struct vnet_acl_key *k,
				  enum vnet_drop_reason *why,
				  struct vnet_route_pick *pick)
{
	const struct vnet_fib *fib = rcu_dereference(port->vnet->fib);
	const struct vnet_nexthop *nh = NULL;
	u32 idx;

	*why = VNET_DROP_NO_ROUTE;
	if (!fib)
		return NULL;
	idx = vnet_lpm_lookup(&fib->lpm, k->family, k->dst);
	if (idx != VNET_LPM_NONE)
		nh = &fib->nexthops[idx];
	if (rt) {
		idx = vnet_lpm_lookup(&rt->lpm, k->family, k->dst);
		if (idx != VNET_LPM_NONE && (!nh || rt->nh[idx].len >= nh->len)) {
			if (pick)
				pick->user = &rt->nh[idx];
			return user_route(port, fib, &rt->nh[idx], k, why);
		}
	}
	if (!nh)
		return NULL;
	if (pick)
		pick->sys = nh;
	return follow(port, fib, nh, k, k->dst, why, pick);
}

struct vnet_port *vnet_next_hop(struct vnet_port *port,
				const struct vnet_acl_key *k,
				enum vnet_drop_reason *why,
				struct vnet_route_pick *pick)
{
	return next_hop(port, rcu_dereference(port->subnet->rtable), k, why,
			pick);
}

/*
 * The same decision from the position of the remote endpoint @ep, with
 * its subnet's user routes (its stand-in port has none): what its host
 * decided before sending the packet through the tunnel (tunnel.c).
 */
struct vnet_port *vnet_next_hop_remote(struct vnet_endpoint *ep,
				       const struct vnet_acl_key *k,
				       enum vnet_drop_reason *why)
{
	return next_hop(ep->port, rcu_dereference(ep->subnet->rtable), k, why,
			NULL);
}
