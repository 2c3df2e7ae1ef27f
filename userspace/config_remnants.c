// SPDX-License-Identifier: GPL-2.0
/*
 * What deletions leave behind that no addition can build again.
 *
 * The kernel keeps an object when something it depends on goes, so that
 * nothing opens by surprise: a peering side whose remote vnet or remote
 * side is deleted stays, disconnected; a route whose appliance goes keeps
 * winning and drops. But the rules that guard additions refuse to build
 * some of those states from nothing: no peering to a vnet that does not
 * exist, none that overlaps, no use-remote-gateways without the remote
 * side's gateway transit, no route to an appliance that is not there.
 *
 * export writes what apply can build, so that a saved configuration
 * always restores (a host that boots with the file must come up). Each
 * remnant becomes its nearest buildable form, which lets through no more
 * than the remnant did, and export says so on stderr:
 *  - a side that cannot be added again (remote vnet gone, or one-sided and
 *    overlapping) is left out: a side without its other side carries no
 *    traffic;
 *  - use-remote-gateways without a remote side that offers transit and a
 *    gateway is written off: it carries no traffic either;
 *  - a route via an appliance that no port or endpoint of the vnet or of a
 *    connected peer has is written "nexthop none": it drops, as it does
 *    now, instead of being left out (which would let the traffic past the
 *    appliance).
 * Pure functions of the document, so the unit tests feed them anything.
 */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "vnetctl.h"

#define MAX_SPACE 64

struct space {
	struct vnet_prefix p[MAX_SPACE];
	unsigned int n;
};

static const char *jstr(json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}

static const char *s_of(json_t *o, const char *key)
{
	return jstr(json_object_get(o, key));
}

static json_t *vnet_named(json_t *doc, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(doc, "vnets"), i, v)
		if (!strcmp(s_of(v, "name"), name))
			return v;
	return NULL;
}

static void space_of(json_t *vnet, struct space *sp)
{
	char err[ERR_LEN];
	json_t *p;
	size_t i;

	sp->n = 0;
	json_array_foreach(json_object_get(vnet, "prefixes"), i, p)
		if (sp->n < MAX_SPACE &&
		    !parse_prefix(jstr(p), &sp->p[sp->n], err))
			sp->n++;
}

static bool vnets_overlap(json_t *doc, const char *a, const char *b)
{
	struct space sa, sb;

	space_of(vnet_named(doc, a), &sa);
	space_of(vnet_named(doc, b), &sb);
	return vnet_prefix_sets_overlap(sa.p, sa.n, sb.p, sb.n);
}

/* The side of vnet @v to vnet @r in @peerings, or NULL. */
static json_t *side(json_t *peerings, const char *v, const char *r)
{
	json_t *p;
	size_t i;

	json_array_foreach(peerings, i, p)
		if (!strcmp(s_of(p, "vnet"), v) && !strcmp(s_of(p, "remote"), r))
			return p;
	return NULL;
}

static bool has_gateway(json_t *doc, const char *v)
{
	json_t *g;
	size_t i;

	json_array_foreach(json_object_get(doc, "gateways"), i, g)
		if (!strcmp(s_of(g, "vnet"), v))
			return true;
	return false;
}

/* A side whose other side exists: what the kernel connected. */
static bool two_sided(json_t *doc, json_t *all, json_t *p)
{
	return vnet_named(doc, s_of(p, "remote")) &&
	       side(all, s_of(p, "remote"), s_of(p, "vnet"));
}

static bool contains(json_t *arr, json_t *p)
{
	json_t *q;
	size_t i;

	json_array_foreach(arr, i, q)
		if (q == p)
			return true;
	return false;
}

/*
 * Why the one-sided side @p, the @at'th of @all, cannot be added, or
 * NULL. apply adds sides in the document's order, so @p meets the
 * two-sided sides (kept whatever their place) and the one-sided sides
 * before it that are not @dropped. The kernel's own checks for a side
 * whose remote side does not exist: the remote vnet must exist, and
 * overlap neither the local vnet nor a vnet the local one peers with.
 */
static const char *unbuildable(json_t *doc, json_t *all, json_t *dropped,
			       size_t at, char *why, size_t size)
{
	json_t *p = json_array_get(all, at), *q;
	const char *v = s_of(p, "vnet"), *r = s_of(p, "remote");
	size_t i;

	if (!vnet_named(doc, r)) {
		snprintf(why, size, "its remote vnet %s is gone", r);
		return why;
	}
	if (vnets_overlap(doc, v, r)) {
		snprintf(why, size,
			 "its other side is gone and the address spaces of %s and %s overlap since",
			 v, r);
		return why;
	}
	json_array_foreach(all, i, q) {
		if (i == at || strcmp(s_of(q, "vnet"), v) ||
		    contains(dropped, q) ||
		    (i > at && !two_sided(doc, all, q)))
			continue;
		if (vnet_named(doc, s_of(q, "remote")) &&
		    vnets_overlap(doc, r, s_of(q, "remote"))) {
			snprintf(why, size,
				 "its other side is gone and vnet %s overlaps vnet %s since, which vnet %s also peers with (peering %s)",
				 r, s_of(q, "remote"), v, s_of(q, "name"));
			return why;
		}
	}
	return NULL;
}

static unsigned int fix_peerings(json_t *doc, FILE *warn)
{
	json_t *all = json_object_get(doc, "peerings"), *dropped = json_array();
	unsigned int changed = 0;
	char why[256];
	json_t *p;
	size_t i;

	json_array_foreach(all, i, p) {
		if (two_sided(doc, all, p) ||
		    !unbuildable(doc, all, dropped, i, why, sizeof(why)))
			continue;
		fprintf(warn,
			"Warning: export: peering %s of vnet %s to %s left out: %s, and no peering can be added so (it carries no traffic)\n",
			s_of(p, "name"), s_of(p, "vnet"), s_of(p, "remote"), why);
		json_array_append(dropped, p);
		changed++;
	}
	if (changed) {
		json_t *left = json_array();

		json_array_foreach(all, i, p)
			if (!contains(dropped, p))
				json_array_append(left, p);
		json_object_set_new(doc, "peerings", left);
		all = left;
	}
	json_decref(dropped);

	json_array_foreach(all, i, p) {
		const char *v = s_of(p, "vnet"), *r = s_of(p, "remote");
		json_t *rev = side(all, r, v);

		if (!json_is_true(json_object_get(p, "use-remote-gateways")))
			continue;
		if (has_gateway(doc, v))
			snprintf(why, sizeof(why), "vnet %s has its own gateway", v);
		else if (!rev)
			snprintf(why, sizeof(why), "vnet %s has no side to %s", r, v);
		else if (!json_is_true(json_object_get(rev, "gateway-transit")))
			snprintf(why, sizeof(why),
				 "peering %s of vnet %s does not allow gateway transit",
				 s_of(rev, "name"), r);
		else if (!has_gateway(doc, r))
			snprintf(why, sizeof(why), "vnet %s has no gateway", r);
		else
			continue;
		fprintf(warn,
			"Warning: export: peering %s of vnet %s written with use-remote-gateways off: %s (it carries no transit now)\n",
			s_of(p, "name"), v, why);
		json_object_set_new(p, "use-remote-gateways", json_false());
		changed++;
	}
	return changed;
}

/* Has a port or an endpoint of vnet @v the address @a? */
static bool vnet_has_addr(json_t *doc, const char *v,
			  const struct vnet_prefix *a)
{
	static const char *const kinds[] = { "ports", "endpoints" };
	char err[ERR_LEN];

	for (size_t k = 0; k < 2; k++) {
		json_t *o, *ip;
		size_t i, j;

		json_array_foreach(json_object_get(doc, kinds[k]), i, o) {
			json_t *ips = json_object_get(o, "ips");
			struct vnet_prefix b;

			if (strcmp(s_of(o, "vnet"), v))
				continue;
			if (!ips) {
				if (!parse_addr(s_of(o, "ip"), &b, err) &&
				    vnet_prefix_equal(a, &b))
					return true;
				continue;
			}
			json_array_foreach(ips, j, ip)
				if (!parse_addr(jstr(ip), &b, err) &&
				    vnet_prefix_equal(a, &b))
					return true;
		}
	}
	return false;
}

static bool appliance_reachable(json_t *doc, const char *v,
				const struct vnet_prefix *a)
{
	json_t *peerings = json_object_get(doc, "peerings"), *p;
	size_t i;

	if (vnet_has_addr(doc, v, a))
		return true;
	json_array_foreach(peerings, i, p)
		if (!strcmp(s_of(p, "vnet"), v) &&
		    side(peerings, s_of(p, "remote"), v) &&
		    vnet_has_addr(doc, s_of(p, "remote"), a))
			return true;
	return false;
}

static unsigned int fix_routes(json_t *doc, FILE *warn)
{
	unsigned int changed = 0;
	char err[ERR_LEN];
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(doc, "routes"), i, r) {
		struct vnet_prefix a;

		if (strcmp(s_of(r, "nexthop"), "appliance"))
			continue;
		if (!parse_addr(s_of(r, "appliance"), &a, err) &&
		    appliance_reachable(doc, s_of(r, "vnet"), &a))
			continue;
		fprintf(warn,
			"Warning: export: route %s of subnet %s of vnet %s written with nexthop none: appliance %s is no port or endpoint of vnet %s or of a connected peer (it drops now, and still will)\n",
			s_of(r, "prefix"), s_of(r, "subnet"), s_of(r, "vnet"),
			s_of(r, "appliance"), s_of(r, "vnet"));
		json_object_set_new(r, "nexthop", json_string("none"));
		json_object_del(r, "appliance");
		changed++;
	}
	return changed;
}

unsigned int config_fix_remnants(json_t *doc, FILE *warn)
{
	/* Peerings first: a route's appliance may be in a peer. */
	unsigned int changed = fix_peerings(doc, warn);

	return changed + fix_routes(doc, warn);
}
