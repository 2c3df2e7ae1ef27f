// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl graph: the namespace's topology in Graphviz DOT. Each vnet is a
 * cluster (name, id, address space) holding its subnets, and each subnet
 * its ports; gateways, load balancers and remote endpoints (VMs of other
 * hosts) sit in their vnet. Edges: one per
 * side of a peering (coloured by state, labelled with its flags), user
 * routes to appliances (ports or endpoints) and gateways, and lb frontends
 * to their backends.
 * It draws what export prints (with the states), sorted, so an unchanged
 * state draws the same file.
 */
#include <stdio.h>
#include <string.h>

#include <linux/vnet.h>

#include "vnetctl.h"

/* A DOT string: quoted, with quotes and backslashes escaped. */
static void dot_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static bool flag(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* An identifier "KIND:A/B" for a node. */
static void node_id(FILE *f, const char *kind, const char *a, const char *b)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s:%s%s%s", kind, a, b ? "/" : "", b ? b : "");
	dot_str(f, buf);
}

/* The elements of the array @key of @o, one per line after @head. */
static void lines(char *buf, size_t size, const char *head, json_t *o,
		  const char *key)
{
	size_t i, n = strlen(buf);
	json_t *v;

	n += (size_t)snprintf(buf + n, size - n, "%s", head);
	json_array_foreach(json_object_get(o, key), i, v) {
		if (n >= size)
			break;
		n += (size_t)snprintf(buf + n, size - n, "\n%s",
				      json_is_string(v) ? json_string_value(v) :
							  "?");
	}
}

/* The port of vnet @vnet that owns address @ip, or NULL. */
static const char *port_of_ip(json_t *ports, const char *vnet, const char *ip)
{
	size_t i, j;
	json_t *p, *a;

	json_array_foreach(ports, i, p) {
		if (vnet && strcmp(str(p, "vnet"), vnet))
			continue;
		json_array_foreach(json_object_get(p, "ips"), j, a)
			if (!strcmp(json_string_value(a), ip))
				return str(p, "dev");
	}
	return NULL;
}

/* The remote endpoint with @ip, in @vnet (NULL: any), or NULL. */
static json_t *endpoint_of_ip(json_t *endpoints, const char *vnet,
			      const char *ip)
{
	size_t i;
	json_t *e;

	json_array_foreach(endpoints, i, e)
		if ((!vnet || !strcmp(str(e, "vnet"), vnet)) &&
		    !strcmp(str(e, "ip"), ip))
			return e;
	return NULL;
}

static void draw_ports(FILE *f, json_t *ports, const char *vnet,
		       const char *subnet)
{
	char label[512];
	size_t i;
	json_t *p;

	json_array_foreach(ports, i, p) {
		/* An absent port (no interface now) is drawn dashed. */
		bool absent = json_object_get(p, "state") &&
			      !strcmp(str(p, "state"), "absent");

		if (strcmp(str(p, "vnet"), vnet) || strcmp(str(p, "subnet"), subnet))
			continue;
		snprintf(label, sizeof(label), "%s%s\n%s%s", str(p, "dev"),
			 absent ? " (absent)" : "", str(p, "mac"),
			 flag(p, "forwarding") ? "\nforwarding" : "");
		lines(label, sizeof(label), "", p, "ips");
		fputs("      ", f);
		node_id(f, "port", str(p, "dev"), NULL);
		fputs(absent ? " [shape=box, style=dashed, label=" :
			       " [shape=box, label=", f);
		dot_str(f, label);
		fputs("];\n", f);
	}
}

static void draw_vnet(FILE *f, json_t *v, json_t *subnets, json_t *ports,
		      json_t *gateways, json_t *lbs, json_t *endpoints)
{
	const char *name = str(v, "name");
	char label[1024];
	size_t i;
	json_t *o;

	fputs("  subgraph ", f);
	node_id(f, "cluster_vnet", name, NULL);
	fputs(" {\n    style=rounded;\n", f);
	snprintf(label, sizeof(label), "vnet %s (id %lld)", name,
		 (long long)json_integer_value(json_object_get(v, "id")));
	lines(label, sizeof(label), "", v, "prefixes");
	fputs("    label=", f);
	dot_str(f, label);
	fputs(";\n    ", f);
	/* The end of this vnet's peering edges. */
	node_id(f, "vnet", name, NULL);
	fputs(" [shape=point, width=0.15];\n", f);
	json_array_foreach(subnets, i, o) {
		if (strcmp(str(o, "vnet"), name))
			continue;
		fputs("    subgraph ", f);
		node_id(f, "cluster_subnet", name, str(o, "name"));
		snprintf(label, sizeof(label), "subnet %s", str(o, "name"));
		lines(label, sizeof(label), "", o, "prefixes");
		fputs(" {\n      style=dashed;\n      label=", f);
		dot_str(f, label);
		fputs(";\n      ", f);
		node_id(f, "subnet", name, str(o, "name"));
		fputs(" [shape=point, width=0.1];\n", f);
		draw_ports(f, ports, name, str(o, "name"));
		fputs("    }\n", f);
	}
	json_array_foreach(gateways, i, o) {
		if (strcmp(str(o, "vnet"), name))
			continue;
		snprintf(label, sizeof(label), "gateway (%s)", str(o, "state"));
		lines(label, sizeof(label), "", o, "prefixes");
		fputs("    ", f);
		node_id(f, "gateway", name, NULL);
		fputs(" [shape=house, label=", f);
		dot_str(f, label);
		fputs("];\n    ", f);
		node_id(f, "gateway", name, NULL);
		fputs(" -> ", f);
		node_id(f, "port", str(o, "port"), NULL);
		fputs(" [style=dotted, arrowhead=none];\n", f);
	}
	json_array_foreach(lbs, i, o) {
		json_t *proto = json_object_get(o, "proto");

		if (strcmp(str(o, "vnet"), name))
			continue;
		snprintf(label, sizeof(label), "lb %s\n%s %s %lld", str(o, "name"),
			 str(o, "frontend"),
			 json_is_string(proto) ? json_string_value(proto) : "proto",
			 (long long)json_integer_value(json_object_get(o, "port")));
		fputs("    ", f);
		node_id(f, "lb", name, str(o, "name"));
		fputs(" [shape=ellipse, label=", f);
		dot_str(f, label);
		fputs("];\n", f);
	}
	json_array_foreach(endpoints, i, o) {
		if (strcmp(str(o, "vnet"), name))
			continue;
		snprintf(label, sizeof(label), "endpoint %s\n%s\nhost %s%s",
			 str(o, "ip"), str(o, "mac"), str(o, "remote"),
			 flag(o, "forwarding") ? "\nforwarding" : "");
		fputs("    ", f);
		node_id(f, "endpoint", name, str(o, "ip"));
		fputs(" [shape=box, style=\"rounded,dashed\", label=", f);
		dot_str(f, label);
		fputs("];\n", f);
	}
	fputs("  }\n", f);
}

/*
 * The node of the port or endpoint @ip (in @vnet, NULL: any), else that
 * of an unreachable @ip, and false: its caller draws that node after the
 * edge (DOT takes a node's attributes after its first use too).
 */
static bool target(FILE *f, json_t *ports, json_t *endpoints,
		   const char *vnet, const char *ip)
{
	const char *dev = port_of_ip(ports, vnet, ip);
	json_t *e;

	if (dev) {
		node_id(f, "port", dev, NULL);
		return true;
	}
	e = endpoint_of_ip(endpoints, vnet, ip);
	if (e) {
		node_id(f, "endpoint", str(e, "vnet"), str(e, "ip"));
		return true;
	}
	node_id(f, "unreachable", ip, NULL);
	return false;
}

static void draw_peerings(FILE *f, json_t *peerings)
{
	char label[256];
	const char *state, *color;
	size_t i;
	json_t *p;

	json_array_foreach(peerings, i, p) {
		state = str(p, "state");
		color = !strcmp(state, "connected") ? "darkgreen" :
			!strcmp(state, "initiated") ? "orange" : "red";
		snprintf(label, sizeof(label), "%s\n%s%s%s%s%s", str(p, "name"),
			 state, flag(p, "access") ? "" : "\naccess off",
			 flag(p, "forwarded") ? "\nforwarded" : "",
			 flag(p, "gateway-transit") ? "\ngateway-transit" : "",
			 flag(p, "use-remote-gateways") ? "\nuse-remote-gateways" : "");
		fputs("  ", f);
		node_id(f, "vnet", str(p, "vnet"), NULL);
		fputs(" -> ", f);
		node_id(f, "vnet", str(p, "remote"), NULL);
		fprintf(f, " [color=%s, fontcolor=%s, style=%s, label=", color,
			color, !strcmp(state, "connected") ? "solid" : "dashed");
		dot_str(f, label);
		fputs("];\n", f);
	}
}

/* A node that stands for a drop: a route to none, an appliance not there. */
static void drop_node(FILE *f, const char *kind, const char *a, const char *b,
		      const char *label)
{
	fputs("  ", f);
	node_id(f, kind, a, b);
	fputs(" [shape=octagon, color=red, fontcolor=red, label=", f);
	dot_str(f, label);
	fputs("];\n", f);
}

/* The vnet whose gateway @vnet uses: its own, or a peer's. */
static const char *gateway_vnet(json_t *peerings, const char *vnet)
{
	size_t i;
	json_t *p;

	json_array_foreach(peerings, i, p)
		if (!strcmp(str(p, "vnet"), vnet) &&
		    flag(p, "use-remote-gateways"))
			return str(p, "remote");
	return vnet;
}

/*
 * User routes: to an appliance's port or endpoint, to a gateway, or to a
 * drop.
 */
static void draw_routes(FILE *f, json_t *routes, json_t *ports,
			json_t *endpoints, json_t *peerings)
{
	const char *nh, *vnet, *subnet, *a;
	bool unreachable;
	char label[256];
	size_t i;
	json_t *r;

	json_array_foreach(routes, i, r) {
		nh = str(r, "nexthop");
		vnet = str(r, "vnet");
		subnet = str(r, "subnet");
		a = str(r, "appliance");
		unreachable = false;
		if (strcmp(nh, "appliance") && strcmp(nh, "gateway"))
			drop_node(f, "drop", vnet, subnet, "drop");
		snprintf(label, sizeof(label), "%s\n%s %s", str(r, "prefix"), nh,
			 a);
		fputs("  ", f);
		node_id(f, "subnet", vnet, subnet);
		fputs(" -> ", f);
		if (!strcmp(nh, "appliance"))
			unreachable = !target(f, ports, endpoints, NULL, a);
		else if (!strcmp(nh, "gateway"))
			node_id(f, "gateway", gateway_vnet(peerings, vnet), NULL);
		else
			node_id(f, "drop", vnet, subnet);
		fputs(" [color=blue, fontcolor=blue, style=bold, label=", f);
		dot_str(f, label);
		fputs("];\n", f);
		if (unreachable)
			drop_node(f, "unreachable", a, NULL,
				  "appliance unreachable");
	}
}

static void draw_backends(FILE *f, json_t *lbs, json_t *ports,
			  json_t *endpoints)
{
	char ip[FMT_LEN], port[8], err[ERR_LEN];
	struct vnet_prefix addr;
	const char *vnet;
	size_t i, j;
	json_t *lb, *b;
	uint16_t n;
	bool found;

	json_array_foreach(lbs, i, lb) {
		vnet = str(lb, "vnet");
		json_array_foreach(json_object_get(lb, "backends"), j, b) {
			if (parse_backend(json_string_value(b), &addr, &n, err))
				continue;
			format_addr(&addr, ip);
			snprintf(port, sizeof(port), "%u", n);
			fputs("  ", f);
			node_id(f, "lb", vnet, str(lb, "name"));
			fputs(" -> ", f);
			found = target(f, ports, endpoints, vnet, ip);
			fputs(" [style=dashed, label=", f);
			dot_str(f, port);
			fputs("];\n", f);
			if (!found)
				drop_node(f, "unreachable", ip, NULL,
					  "backend without a port");
		}
	}
}

static int graph_run(struct ctx *c, int argc, char **argv)
{
	json_t *doc, *vnets, *v;
	size_t i;

	(void)argv;
	if (argc)
		return usage_error("graph takes no arguments");
	if (ctx_connect(c))
		return EXIT_FAILED;
	doc = config_snapshot(c, true);
	if (!doc)
		return EXIT_FAILED;
#define KIND(name) json_object_get(doc, name)
	vnets = KIND("vnets");
	puts("digraph vnet {\n  compound=true;\n  rankdir=LR;\n"
	     "  node [fontname=\"sans\", fontsize=10];\n"
	     "  edge [fontname=\"sans\", fontsize=9];\n"
	     "  graph [fontname=\"sans\", fontsize=11];");
	json_array_foreach(vnets, i, v)
		draw_vnet(stdout, v, KIND("subnets"), KIND("ports"),
			  KIND("gateways"), KIND("lbs"), KIND("endpoints"));
	draw_peerings(stdout, KIND("peerings"));
	draw_routes(stdout, KIND("routes"), KIND("ports"), KIND("endpoints"),
		    KIND("peerings"));
	draw_backends(stdout, KIND("lbs"), KIND("ports"), KIND("endpoints"));
	puts("}");
#undef KIND
	json_decref(doc);
	return EXIT_DONE;
}

const struct object graph_object = {
	.name = "graph",
	.run = graph_run,
	.usage = "  graph                (the topology as Graphviz DOT)\n",
};
