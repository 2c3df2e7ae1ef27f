// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl export and apply: the namespace's whole configuration as one
 * JSON document, and making the namespace equal to such a document.
 *
 * The document has one array per kind of object ("vnets", "subnets",
 * "ports", ...), whose objects are what "KIND show -j" prints without the
 * states (peering and gateway state, the router MAC): what an operator
 * configures, not what happened since.
 *
 * apply compares the document with an export of the namespace, kind by
 * kind, by identity (a vnet by name, a subnet by vnet and name, ...), and
 * plans the difference as vnetctl commands: removals children first, then
 * additions parents first, changes in place where a "set" exists (peering
 * flags, vnet prefixes, a port's MAC, IPs and forwarding, an lb's
 * backends with "lb replace"), else as a removal and an addition. An object that
 * is replaced takes the objects that depend on it along (a subnet its
 * ports, routes and rules, a port its rules and the lbs it backs, a vnet
 * everything in it and the rules that name it): each is removed and added
 * again explicitly, so every step has a simple inverse. If a step is
 * refused, the steps before it are undone in reverse order and apply
 * exits with the refused step's status. --dry-run prints the plan.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vnet.h>

#include "lb_msg.h"
#include "msg.h"
#include "vnetctl.h"

enum kind {
	K_VNET, K_SUBNET, K_PORT, K_ENDPOINT, K_GATEWAY, K_PEERING, K_ROUTE,
	K_ACL, K_LB, K_MAX
};

struct kind_info {
	const char *name;		/* the document's key */
	uint8_t cmd;			/* its dump */
	bool per_vnet;			/* dumped one vnet at a time */
	vnl_parse_fn parse;
	const char *id[5];		/* identity keys */
	const char *runtime[6];		/* keys an export leaves out */
	/* Sorted by these; NULL: in the kernel's order, vnet by vnet. */
	const char *sort1, *sort2;
};

static const struct kind_info kinds[K_MAX] = {
	[K_VNET] = { "vnets", VNET_CMD_VNET_GET, false, parse_vnet_msg,
		     { "name" }, { "router-mac" }, "name", NULL },
	[K_SUBNET] = { "subnets", VNET_CMD_SUBNET_GET, false, parse_subnet_msg,
		       { "vnet", "name" }, { NULL }, "vnet", "name" },
	[K_PORT] = { "ports", VNET_CMD_PORT_GET, false, parse_port_msg,
		     { "dev" }, { "state" }, "dev", NULL },
	[K_ENDPOINT] = { "endpoints", VNET_CMD_ENDPOINT_GET, false,
			 parse_endpoint_msg, { "vnet", "ip" }, { NULL },
			 "vnet", "ip" },
	[K_GATEWAY] = { "gateways", VNET_CMD_GATEWAY_GET, false,
			parse_gateway_msg, { "vnet" }, { "state" }, "vnet",
			NULL },
	[K_PEERING] = { "peerings", VNET_CMD_PEERING_GET, false,
			parse_peering_msg, { "vnet", "name" }, { "state" },
			"vnet", "name" },
	[K_ROUTE] = { "routes", VNET_CMD_ROUTE_GET, true, parse_route_msg,
		      { "vnet", "subnet", "prefix" },
		      { "source", "active", "drops", "peering", "remote" },
		      NULL, NULL },
	[K_ACL] = { "acls", VNET_CMD_ACL_GET, true, parse_acl_msg,
		    { "vnet", "subnet", "port", "dir", "prio" }, { NULL },
		    NULL, NULL },
	[K_LB] = { "lbs", VNET_CMD_LB_GET, false, parse_lb_msg,
		   { "vnet", "name" }, { NULL }, "vnet", "name" },
};

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static const char *onoff(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key)) ? "on" : "off";
}

/* The identity of @o as one string, for comparisons. */
static void identity(enum kind k, json_t *o, char *buf, size_t size)
{
	size_t n = 0;
	json_t *v;

	buf[0] = 0;
	for (int i = 0; i < 5 && kinds[k].id[i] && n < size; i++) {
		v = json_object_get(o, kinds[k].id[i]);
		if (json_is_integer(v))
			n += (size_t)snprintf(buf + n, size - n, "%lld\x1f",
					      (long long)json_integer_value(v));
		else
			n += (size_t)snprintf(buf + n, size - n, "%s\x1f",
					      json_is_string(v) ?
					      json_string_value(v) : "");
	}
}

/*
 * The whole configuration, one array per kind, or NULL (error printed).
 * With @states, also what happened (peering and gateway states).
 */
json_t *config_snapshot(struct ctx *c, bool states)
{
	json_t *doc = json_object(), *vnets = NULL;
	int status = 0;

	for (int k = 0; k < K_MAX && !status; k++) {
		json_t *arr, *o;
		size_t i;

		if (!kinds[k].per_vnet) {
			arr = vnl_dump(&c->nl, kinds[k].cmd, NULL, kinds[k].parse,
				       &status);
		} else {
			arr = json_array();
			json_array_foreach(vnets, i, o) {
				json_t *part = vnl_dump(&c->nl, kinds[k].cmd,
							str(o, "name"),
							kinds[k].parse, &status);

				json_array_extend(arr, part);
				json_decref(part);
				if (status)
					break;
			}
		}
		json_array_foreach(arr, i, o) {
			for (int r = 0; r < 6 && kinds[k].runtime[r] && !states;
			     r++)
				json_object_del(o, kinds[k].runtime[r]);
			/* Who made it is not configuration: apply makes it. */
			if (!states)
				json_object_del(o, "origin");
		}
		if (kinds[k].sort1)
			sort_array(arr, kinds[k].sort1, kinds[k].sort2);
		json_object_set_new(doc, kinds[k].name, arr);
		if (k == K_VNET)
			vnets = arr;
	}
	if (status) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int export_run(struct ctx *c, int argc, char **argv)
{
	json_t *doc;

	(void)argv;
	if (argc)
		return usage_error("export takes no arguments");
	if (ctx_connect(c))
		return EXIT_FAILED;
	doc = config_snapshot(c, false);
	if (!doc)
		return EXIT_FAILED;
	config_fix_remnants(doc, stderr);
	if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ||
	    putchar('\n') == EOF) {
		json_decref(doc);
		return EXIT_FAILED;
	}
	json_decref(doc);
	return EXIT_DONE;
}

/* Command lines, built one word at a time. */
struct line {
	char s[4096];
	size_t n;
};

static void w(struct line *l, const char *word)
{
	if (l->n < sizeof(l->s))
		l->n += (size_t)snprintf(l->s + l->n, sizeof(l->s) - l->n,
					 "%s%s", l->n ? " " : "", word);
}

static void wv(struct line *l, json_t *v)
{
	char buf[32];

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		w(l, buf);
	} else {
		w(l, json_is_string(v) ? json_string_value(v) : "?");
	}
}

/* " KEY value" for each element of the array @key of @o. */
static void wlist(struct line *l, const char *word, json_t *o, const char *key)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(o, key), i, v) {
		w(l, word);
		wv(l, v);
	}
}

/* "KEY value" if @o has @key. */
static void wopt(struct line *l, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v) {
		w(l, key);
		wv(l, v);
	}
}

static void acl_scope(struct line *l, json_t *o)
{
	wv(l, json_object_get(o, "vnet"));
	if (json_object_get(o, "port")) {
		w(l, "port");
		wv(l, json_object_get(o, "port"));
	} else {
		w(l, "subnet");
		wv(l, json_object_get(o, "subnet"));
	}
	w(l, "dir");
	wv(l, json_object_get(o, "dir"));
	w(l, "prio");
	wv(l, json_object_get(o, "prio"));
}

/* "lb add" or "lb replace" and the words of lb @o. */
static void lb_words(json_t *o, struct line *l, const char *verb)
{
	w(l, verb);
	w(l, str(o, "vnet"));
	w(l, str(o, "name"));
	wopt(l, o, "frontend");
	wopt(l, o, "proto");
	wopt(l, o, "port");
	wlist(l, "backend", o, "backends");
}

static void add_line(enum kind k, json_t *o, struct line *l)
{
	l->n = 0;
	switch (k) {
	case K_VNET:
		w(l, "vnet add");
		w(l, str(o, "name"));
		wopt(l, o, "id");
		wlist(l, "prefix", o, "prefixes");
		break;
	case K_SUBNET:
		w(l, "subnet add");
		w(l, str(o, "vnet"));
		w(l, str(o, "name"));
		wlist(l, "prefix", o, "prefixes");
		break;
	case K_PORT:
		w(l, "port add");
		w(l, str(o, "dev"));
		wopt(l, o, "vnet");
		wopt(l, o, "subnet");
		wopt(l, o, "mac");
		wlist(l, "ip", o, "ips");
		w(l, "forwarding");
		w(l, onoff(o, "forwarding"));
		break;
	case K_ENDPOINT:
		w(l, "endpoint add");
		w(l, str(o, "vnet"));
		w(l, str(o, "ip"));
		wopt(l, o, "mac");
		wopt(l, o, "remote");
		if (json_is_true(json_object_get(o, "forwarding")))
			w(l, "forwarding on");
		break;
	case K_GATEWAY:
		w(l, "gateway set");
		w(l, str(o, "vnet"));
		wopt(l, o, "port");
		wlist(l, "prefix", o, "prefixes");
		break;
	case K_PEERING:
		w(l, "peering add");
		w(l, str(o, "vnet"));
		w(l, str(o, "name"));
		wopt(l, o, "remote");
		for (const char *const *f = (const char *const[]){ "access",
			"forwarded", "gateway-transit", "use-remote-gateways",
			NULL }; *f; f++) {
			w(l, *f);
			w(l, onoff(o, *f));
		}
		break;
	case K_ROUTE:
		w(l, "route add");
		w(l, str(o, "vnet"));
		w(l, str(o, "subnet"));
		w(l, str(o, "prefix"));
		w(l, "nexthop");
		w(l, str(o, "nexthop"));
		if (json_object_get(o, "appliance"))
			w(l, str(o, "appliance"));
		break;
	case K_ACL:
		w(l, "acl add");
		acl_scope(l, o);
		wopt(l, o, "action");
		for (const char *const *f = (const char *const[]){ "proto",
			"src", "dst", "from-vnet", "sport", "dport", NULL };
		     *f; f++)
			wopt(l, o, *f);
		break;
	case K_LB:
		lb_words(o, l, "lb add");
		break;
	case K_MAX:
		break;
	}
}

static void del_line(enum kind k, json_t *o, struct line *l)
{
	static const char *const objs[K_MAX] = {
		"vnet", "subnet", "port", "endpoint", "gateway", "peering",
		"route", "acl", "lb",
	};

	l->n = 0;
	w(l, objs[k]);
	w(l, "del");
	if (k == K_ACL) {
		acl_scope(l, o);
		return;
	}
	for (int i = 0; i < 5 && kinds[k].id[i]; i++)
		wv(l, json_object_get(o, kinds[k].id[i]));
}

/* One step of a plan, and the step that undoes it. */
struct step {
	char *run, *undo;
};

struct plan {
	struct step *steps;
	size_t n, cap;
};

static void plan_add(struct plan *p, const char *run, const char *undo)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->steps = realloc(p->steps, p->cap * sizeof(*p->steps));
		if (!p->steps) {
			perror("vnetctl");
			exit(EXIT_FAILED);
		}
	}
	p->steps[p->n].run = strdup(run);
	p->steps[p->n].undo = strdup(undo);
	p->n++;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->steps[i].run);
		free(p->steps[i].undo);
	}
	free(p->steps);
}

/* What apply compares: the current and the wanted objects of each kind. */
struct diff {
	json_t *cur[K_MAX], *want[K_MAX];
	json_t *cur_idx[K_MAX], *want_idx[K_MAX];	/* by identity */
	bool scope[K_MAX];
	/* Per kind, by identity: replace (del + add) although maybe equal. */
	json_t *replace[K_MAX];
};

static json_t *index_of(enum kind k, json_t *arr)
{
	json_t *idx = json_object(), *o;
	char id[512];
	size_t i;

	json_array_foreach(arr, i, o) {
		identity(k, o, id, sizeof(id));
		json_object_set(idx, id, o);
	}
	return idx;
}

/* The object of @idx with the identity of @like, or NULL. */
static json_t *find(enum kind k, json_t *idx, json_t *like)
{
	char id[512];

	identity(k, like, id, sizeof(id));
	return json_object_get(idx, id);
}

static bool replaced(struct diff *d, enum kind k, json_t *o)
{
	char id[512];

	identity(k, o, id, sizeof(id));
	return json_object_get(d->replace[k], id) != NULL;
}

static bool mark(struct diff *d, enum kind k, json_t *o)
{
	char id[512];

	if (!d->scope[k] || replaced(d, k, o))
		return false;
	identity(k, o, id, sizeof(id));
	json_object_set_new(d->replace[k], id, json_true());
	return true;
}

static bool flag_on(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* Does port @p own address @ip ("IP" or an lb backend's "IP:PORT")? */
static bool port_has(json_t *p, const char *backend)
{
	char ip[128], *end;
	size_t i;
	json_t *a;

	snprintf(ip, sizeof(ip), "%s", backend[0] == '[' ? backend + 1 : backend);
	end = backend[0] == '[' ? strchr(ip, ']') : strrchr(ip, ':');
	if (end)
		*end = 0;
	json_array_foreach(json_object_get(p, "ips"), i, a)
		if (!strcmp(json_string_value(a), ip))
			return true;
	return false;
}

/* Objects of the namespace that depend on @o of kind @k go with it. */
static bool mark_dependents(struct diff *d, enum kind k, json_t *o)
{
	bool more = false;
	size_t i, j;
	json_t *x, *b;

	for (int c = 0; c < K_MAX; c++) {
		json_array_foreach(d->cur[c], i, x) {
			bool dep = false;

			if (k == K_VNET)
				dep = c != K_VNET &&
				      (!strcmp(str(x, "vnet"), str(o, "name")) ||
				       (c == K_ACL && !strcmp(str(x, "from-vnet"),
							      str(o, "name"))));
			else if (k == K_SUBNET)
				dep = (c == K_PORT || c == K_ROUTE || c == K_ACL) &&
				      !strcmp(str(x, "vnet"), str(o, "vnet")) &&
				      !strcmp(str(x, "subnet"), str(o, "name"));
			else if (k == K_PORT && c == K_ACL)
				dep = !strcmp(str(x, "port"), str(o, "dev"));
			else if (k == K_PORT && c == K_GATEWAY)
				dep = !strcmp(str(x, "port"), str(o, "dev"));
			else if (k == K_GATEWAY && c == K_PEERING)
				dep = flag_on(x, "use-remote-gateways") &&
				      !strcmp(str(x, "remote"), str(o, "vnet"));
			else if (k == K_PORT && c == K_LB)
				json_array_foreach(json_object_get(x, "backends"),
						   j, b)
					dep |= !strcmp(str(x, "vnet"),
						       str(o, "vnet")) &&
					       port_has(o, json_string_value(b));
			if (dep)
				more |= mark(d, c, x);
		}
	}
	return more;
}

static void prefix_steps(struct plan *p, json_t *cur, json_t *want, bool add)
{
	char run[512], undo[512];
	json_t *from = add ? want : cur, *other = add ? cur : want, *a, *b;
	size_t i, j;

	json_array_foreach(json_object_get(from, "prefixes"), i, a) {
		bool found = false;

		json_array_foreach(json_object_get(other, "prefixes"), j, b)
			found |= json_equal(a, b);
		if (found)
			continue;
		snprintf(run, sizeof(run), "vnet prefix %s %s %s",
			 add ? "add" : "del", str(from, "name"),
			 json_string_value(a));
		snprintf(undo, sizeof(undo), "vnet prefix %s %s %s",
			 add ? "del" : "add", str(from, "name"),
			 json_string_value(a));
		plan_add(p, run, undo);
	}
}

/* Do @a and @b have the same value (or none) at each of @keys? */
static bool same_keys(json_t *a, json_t *b, const char *const *keys)
{
	json_t *x, *y;

	for (; *keys; keys++) {
		x = json_object_get(a, *keys);
		y = json_object_get(b, *keys);
		if (x != y && !(x && y && json_equal(x, y)))
			return false;
	}
	return true;
}

/* An lb whose backends change keeps its connections to those it keeps. */
static void lb_replace_line(json_t *o, struct line *l)
{
	l->n = 0;
	lb_words(o, l, "lb replace");
}

/* A port that stays in its subnet changes in place (its rules stay). */
static void port_set_line(json_t *o, struct line *l)
{
	l->n = 0;
	w(l, "port set");
	w(l, str(o, "dev"));
	wopt(l, o, "mac");
	wlist(l, "ip", o, "ips");
	w(l, "forwarding");
	w(l, onoff(o, "forwarding"));
}

static void peering_set_line(json_t *o, struct line *l, bool urg)
{
	l->n = 0;
	w(l, "peering set");
	w(l, str(o, "vnet"));
	w(l, str(o, "name"));
	for (const char *const *f = (const char *const[]){ "access",
		"forwarded", "gateway-transit", NULL }; *f; f++) {
		w(l, *f);
		w(l, onoff(o, *f));
	}
	w(l, "use-remote-gateways");
	w(l, urg ? onoff(o, "use-remote-gateways") : "off");
}

/*
 * The order of the steps, which never opens a path that the file forbids.
 * Removals take reachability away (load balancers, routes, peerings,
 * gateways, endpoints, ports) before the rules that guard it; a port goes
 * with its rules in one step. Additions put the rules in place before
 * what they guard: a subnet's rules before its ports, a port's right
 * after it (a port needs to exist for its rules), and both before
 * endpoints, gateways, peerings, routes and load balancers. ACL rules
 * are on a subnet (ACL_SUBNET) or a port (ACL_PORT).
 */
enum acl_part { ACL_ANY, ACL_SUBNET, ACL_PORT };

static const struct order {
	enum kind k;
	enum acl_part acl;
} del_order[] = {
	{ K_LB, ACL_ANY }, { K_ROUTE, ACL_ANY }, { K_PEERING, ACL_ANY },
	{ K_GATEWAY, ACL_ANY }, { K_ENDPOINT, ACL_ANY }, { K_ACL, ACL_PORT },
	{ K_PORT, ACL_ANY }, { K_ACL, ACL_SUBNET }, { K_SUBNET, ACL_ANY },
	{ K_VNET, ACL_ANY },
}, add_order[] = {
	{ K_VNET, ACL_ANY }, { K_SUBNET, ACL_ANY }, { K_ACL, ACL_SUBNET },
	{ K_PORT, ACL_ANY }, { K_ACL, ACL_PORT }, { K_ENDPOINT, ACL_ANY },
	{ K_GATEWAY, ACL_ANY }, { K_PEERING, ACL_ANY }, { K_ROUTE, ACL_ANY },
	{ K_LB, ACL_ANY },
};

#define N_ORDER (sizeof(del_order) / sizeof(del_order[0]))

/* Is @o, of kind @k, one of the objects @part of the order takes? */
static bool in_part(enum kind k, enum acl_part part, json_t *o)
{
	if (k != K_ACL || part == ACL_ANY)
		return true;
	return (json_object_get(o, "port") != NULL) == (part == ACL_PORT);
}

/* A port's rules that leave with it: its del step re-adds them on undo. */
static bool leaves_with_port(struct diff *d, json_t *acl)
{
	json_t *like, *port;
	bool gone;

	if (!json_object_get(acl, "port"))
		return false;
	like = json_pack("{s:s}", "dev", str(acl, "port"));
	port = find(K_PORT, d->cur_idx[K_PORT], like);
	gone = port && (replaced(d, K_PORT, port) ||
			(d->scope[K_PORT] &&
			 !find(K_PORT, d->want_idx[K_PORT], port)));
	json_decref(like);
	return gone;
}

/* "port del": its undo adds the port back, then its rules. */
static void port_del_step(struct diff *d, struct plan *p, json_t *port)
{
	struct line run, undo;
	size_t i, len;
	char *all;
	json_t *a;

	del_line(K_PORT, port, &run);
	add_line(K_PORT, port, &undo);
	all = strdup(undo.s);
	json_array_foreach(d->cur[K_ACL], i, a) {
		if (!leaves_with_port(d, a) ||
		    strcmp(str(a, "port"), str(port, "dev")))
			continue;
		add_line(K_ACL, a, &undo);
		len = strlen(all) + strlen(undo.s) + 2;
		all = realloc(all, len);
		if (!all) {
			perror("vnetctl");
			exit(EXIT_FAILED);
		}
		strcat(strcat(all, "\n"), undo.s);
	}
	plan_add(p, run.s, all);
	free(all);
}

static void make_plan(struct diff *d, struct plan *p)
{
	struct line run, undo;
	size_t i;
	json_t *o, *other;
	bool more;

	/* What changes without a "set" is replaced, with what depends on it. */
	for (int k = 0; k < K_MAX; k++) {
		if (!d->scope[k])
			continue;
		json_array_foreach(d->cur[k], i, o) {
			other = find(k, d->want_idx[k], o);
			if (!other)
				continue;
			if (k == K_VNET) {
				/* Prefixes change in place, the id does not. */
				if (!json_equal(json_object_get(o, "id"),
						json_object_get(other, "id")))
					mark(d, k, o);
			} else if (k == K_PEERING) {
				if (strcmp(str(o, "remote"), str(other, "remote")))
					mark(d, k, o);
			} else if (k == K_PORT) {
				if (strcmp(str(o, "vnet"), str(other, "vnet")) ||
				    strcmp(str(o, "subnet"), str(other, "subnet")))
					mark(d, k, o);
			} else if (k == K_LB) {
				/* Backends change in place (lb replace). */
				if (!same_keys(o, other, (const char *const[]){
					"frontend", "proto", "port", NULL }))
					mark(d, k, o);
			} else if (!json_equal(o, other)) {
				mark(d, k, o);
			}
		}
	}
	/* A vnet whose address space changes loses its peerings meanwhile. */
	json_array_foreach(d->cur[K_VNET], i, o) {
		size_t j;
		json_t *pe;

		other = find(K_VNET, d->want_idx[K_VNET], o);
		if (!other || replaced(d, K_VNET, o) ||
		    json_equal(json_object_get(o, "prefixes"),
			       json_object_get(other, "prefixes")))
			continue;
		json_array_foreach(d->cur[K_PEERING], j, pe)
			if (!strcmp(str(pe, "vnet"), str(o, "name")))
				mark(d, K_PEERING, pe);
	}
	do {
		more = false;
		for (int k = 0; k < K_MAX; k++)
			json_array_foreach(d->cur[k], i, o)
				if (replaced(d, k, o) || (d->scope[k] &&
				    !find(k, d->want_idx[k], o)))
					more |= mark_dependents(d, k, o);
	} while (more);

	/* Removals, children first. */
	json_array_foreach(d->cur[K_PEERING], i, o) {
		/* Stop using a gateway before it may go. */
		other = find(K_PEERING, d->want_idx[K_PEERING], o);
		if (d->scope[K_PEERING] && flag_on(o, "use-remote-gateways") &&
		    other && !replaced(d, K_PEERING, o) &&
		    !flag_on(other, "use-remote-gateways")) {
			peering_set_line(o, &run, false);
			peering_set_line(o, &undo, true);
			plan_add(p, run.s, undo.s);
		}
	}
	for (size_t n = 0; n < N_ORDER; n++) {
		enum kind k = del_order[n].k;

		if (!d->scope[k])
			continue;
		/* Peerings that use a gateway go before those that give it. */
		for (int pass = 0; pass < (k == K_PEERING ? 2 : 1); pass++) {
			json_array_foreach(d->cur[k], i, o) {
				if (k == K_PEERING &&
				    flag_on(o, "use-remote-gateways") != !pass)
					continue;
				if (!in_part(k, del_order[n].acl, o) ||
				    (k == K_ACL && leaves_with_port(d, o)))
					continue;
				if (find(k, d->want_idx[k], o) && !replaced(d, k, o))
					continue;
				if (k == K_PORT) {
					port_del_step(d, p, o);
					continue;
				}
				del_line(k, o, &run);
				add_line(k, o, &undo);
				plan_add(p, run.s, undo.s);
			}
		}
		if (k == K_SUBNET && d->scope[K_VNET])
			json_array_foreach(d->cur[K_VNET], i, o) {
				other = find(K_VNET, d->want_idx[K_VNET], o);
				if (other && !replaced(d, K_VNET, o))
					prefix_steps(p, o, other, false);
			}
	}
	/* Additions and changes in place, parents first. */
	for (size_t n = 0; n < N_ORDER; n++) {
		enum kind k = add_order[n].k;

		if (!d->scope[k])
			continue;
		for (int pass = 0; pass < (k == K_PEERING ? 2 : 1); pass++) {
			json_array_foreach(d->want[k], i, o) {
				json_t *cur = find(k, d->cur_idx[k], o);

				if (k == K_PEERING &&
				    flag_on(o, "use-remote-gateways") != pass)
					continue;
				if (!in_part(k, add_order[n].acl, o))
					continue;
				if (cur && !replaced(d, k, cur)) {
					if (k == K_PEERING && !json_equal(cur, o)) {
						peering_set_line(o, &run, true);
						peering_set_line(cur, &undo, true);
						plan_add(p, run.s, undo.s);
					} else if (k == K_PORT && !json_equal(cur, o)) {
						port_set_line(o, &run);
						port_set_line(cur, &undo);
						plan_add(p, run.s, undo.s);
					} else if (k == K_LB && !json_equal(cur, o)) {
						lb_replace_line(o, &run);
						lb_replace_line(cur, &undo);
						plan_add(p, run.s, undo.s);
					}
					continue;
				}
				add_line(k, o, &run);
				del_line(k, o, &undo);
				plan_add(p, run.s, undo.s);
			}
		}
		if (k == K_VNET)
			json_array_foreach(d->cur[K_VNET], i, o) {
				other = find(K_VNET, d->want_idx[K_VNET], o);
				if (other && !replaced(d, K_VNET, o))
					prefix_steps(p, o, other, true);
			}
	}
}

#define MAX_WORDS 512

static int run_line(struct ctx *c, const char *line)
{
	char *copy = strdup(line), *argv[MAX_WORDS], *tok, *save = NULL;
	int argc = 0, status;

	for (tok = strtok_r(copy, " ", &save); tok && argc < MAX_WORDS;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	status = vnetctl_dispatch(c, argc, argv);
	free(copy);
	return status;
}

/* An undo may be several commands, one a line: all are tried. */
static int run_lines(struct ctx *c, const char *lines)
{
	char *copy = strdup(lines), *line, *save = NULL;
	int status = EXIT_DONE;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (run_line(c, line))
			status = EXIT_FAILED;
	free(copy);
	return status;
}

/* Checks the document's shape: an object of arrays of objects. */
static int read_doc(const char *path, json_t **out)
{
	json_error_t jerr;
	const char *key;
	json_t *doc, *v;

	doc = strcmp(path, "-") ? json_load_file(path, 0, &jerr) :
				  json_loadf(stdin, 0, &jerr);
	if (!doc)
		return usage_error("%s:%d: %s", path, jerr.line, jerr.text);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return usage_error("%s: not a JSON object", path);
	}
	json_object_foreach(doc, key, v) {
		int k;
		size_t i;
		json_t *o;

		for (k = 0; k < K_MAX && strcmp(kinds[k].name, key); k++)
			;
		if (k == K_MAX || !json_is_array(v)) {
			json_decref(doc);
			return usage_error("%s: \"%s\" is not an array of %s", path,
					   key, k == K_MAX ? "a known kind" :
					   "objects");
		}
		json_array_foreach(v, i, o)
			if (!json_is_object(o)) {
				json_decref(doc);
				return usage_error("%s: %s[%zu] is not an object",
						   path, key, i);
			}
	}
	*out = doc;
	return EXIT_DONE;
}

/*
 * The kinds of "only KIND,...": a document's kind, or "subnet-acls" and
 * "port-acls", the two halves of "acls" (the rules of subnets, the rules of
 * ports), which vnetd needs apart: subnet rules are the cluster's, port
 * rules the host's.
 */
static int parse_only(const char *list, bool *scope, bool *acl_part)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int status = EXIT_DONE;

	for (int k = 0; k < K_MAX; k++)
		scope[k] = false;
	acl_part[ACL_SUBNET] = acl_part[ACL_PORT] = false;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int k;

		if (!strcmp(tok, "subnet-acls") || !strcmp(tok, "port-acls")) {
			scope[K_ACL] = true;
			acl_part[tok[0] == 's' ? ACL_SUBNET : ACL_PORT] = true;
			continue;
		}
		for (k = 0; k < K_MAX && strcmp(kinds[k].name, tok); k++)
			;
		if (k == K_MAX) {
			status = usage_error("unknown kind \"%s\" in only", tok);
			break;
		}
		scope[k] = true;
		if (k == K_ACL)
			acl_part[ACL_SUBNET] = acl_part[ACL_PORT] = true;
	}
	free(copy);
	return status;
}

/*
 * The rules apply wants when only one half of "acls" is in scope: that
 * half from the document, the other half as the namespace has it.
 */
static json_t *acls_wanted(json_t *want, json_t *cur, const bool *acl_part)
{
	json_t *arr = json_array(), *o;
	size_t i;

	json_array_foreach(want, i, o)
		if (acl_part[json_object_get(o, "port") ? ACL_PORT : ACL_SUBNET])
			json_array_append(arr, o);
	json_array_foreach(cur, i, o)
		if (!acl_part[json_object_get(o, "port") ? ACL_PORT : ACL_SUBNET])
			json_array_append(arr, o);
	return arr;
}

/*
 * A string in @v that is not one word of a command line, or NULL. apply
 * writes every value into vnetctl lines, which are split at blanks and
 * where '#' starts a comment: a value with a blank would become several
 * words, and so options the document never named (vnetd's documents come
 * from other hosts).
 */
static const char *not_one_word(json_t *v)
{
	const char *s, *key;
	json_t *x;
	size_t i;

	if (json_is_string(v)) {
		s = json_string_value(v);
		return *s == '#' || strpbrk(s, " \t\n\r\v\f") ? s : NULL;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if ((s = not_one_word(x)))
				return s;
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, x)
			if ((s = not_one_word(x)))
				return s;
	}
	return NULL;
}

int config_apply(struct ctx *c, json_t *doc, const char *only, bool dry,
		 FILE *out, size_t *steps)
{
	struct diff d = {};
	struct plan p = {};
	bool acl_part[3] = { false, true, true };
	json_t *cur = NULL, *acls = NULL;
	int status = EXIT_DONE;
	size_t done;

	for (int k = 0; k < K_MAX; k++) {
		json_t *o;
		const char *bad;
		size_t i;

		json_array_foreach(json_object_get(doc, kinds[k].name), i, o)
			if ((bad = not_one_word(o)))
				return usage_error("%s[%zu]: \"%s\" is not one word (a blank, or a leading '#')",
						   kinds[k].name, i, bad);
	}
	for (int k = 0; k < K_MAX; k++)
		d.scope[k] = true;
	if (only) {
		status = parse_only(only, d.scope, acl_part);
		if (status)
			return status;
	}
	if (ctx_connect(c) || !(cur = config_snapshot(c, false)))
		return EXIT_FAILED;
	for (int k = 0; k < K_MAX; k++) {
		json_t *want = json_object_get(doc, kinds[k].name);

		/* Kinds out of scope, or that the file leaves out, stay. */
		d.cur[k] = json_object_get(cur, kinds[k].name);
		d.want[k] = want && d.scope[k] ? want : d.cur[k];
		if (k == K_ACL && want && d.scope[k] &&
		    !(acl_part[ACL_SUBNET] && acl_part[ACL_PORT]))
			d.want[k] = acls = acls_wanted(want, d.cur[k], acl_part);
		d.cur_idx[k] = index_of(k, d.cur[k]);
		d.want_idx[k] = index_of(k, d.want[k]);
		d.replace[k] = json_object();
	}
	make_plan(&d, &p);
	for (done = 0; done < p.n && !dry; done++) {
		status = run_line(c, p.steps[done].run);
		if (status) {
			fprintf(stderr, "Error: apply: step %zu refused: %s\n",
				done + 1, p.steps[done].run);
			break;
		}
		if (out)
			fprintf(out, "%s\n", p.steps[done].run);
	}
	if (dry) {
		for (size_t i = 0; i < p.n && out; i++)
			fprintf(out, "%s\n", p.steps[i].run);
	} else if (status) {
		/* Undo what was done, last first; report what cannot be. */
		while (done-- > 0)
			if (run_lines(c, p.steps[done].undo))
				fprintf(stderr,
					"Error: apply: could not undo step %zu: %s\n",
					done + 1, p.steps[done].undo);
	}
	if (acl_commit(c) && !status)
		status = EXIT_FAILED;
	if (steps)
		*steps = status ? 0 : p.n;
	plan_free(&p);
	for (int k = 0; k < K_MAX; k++) {
		json_decref(d.replace[k]);
		json_decref(d.cur_idx[k]);
		json_decref(d.want_idx[k]);
	}
	json_decref(acls);
	json_decref(cur);
	return status;
}

static int apply_run(struct ctx *c, int argc, char **argv)
{
	bool dry = false, scope[K_MAX], acl_part[3];
	const char *path = NULL, *only = NULL;
	json_t *doc = NULL;
	int status;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run")) {
			dry = true;
		} else if (!strcmp(argv[i], "only")) {
			if (++i == argc)
				return usage_error("only needs KIND[,KIND...]");
			/* Bad usage is told before the file is read. */
			status = parse_only(argv[i], scope, acl_part);
			if (status)
				return status;
			only = argv[i];
		} else if (!path) {
			path = argv[i];
		} else {
			return usage_error("unexpected \"%s\" in apply", argv[i]);
		}
	}
	if (!path)
		return usage_error("apply needs a FILE");
	status = read_doc(path, &doc);
	if (status)
		return status;
	status = config_apply(c, doc, only, dry, dry ? stdout : NULL, NULL);
	json_decref(doc);
	return status;
}

const struct object export_object = {
	.name = "export",
	.run = export_run,
	.usage = "  export               (the whole configuration as one JSON document)\n",
};

const struct object apply_object = {
	.name = "apply",
	.run = apply_run,
	.usage = "  apply [--dry-run] [only KIND[,KIND...]] FILE\n"
		 "                       (make the configuration equal to FILE;\n"
		 "                        KIND: vnets subnets ports endpoints gateways\n"
		 "                        peerings routes acls lbs, or subnet-acls\n"
		 "                        port-acls: the two halves of acls)\n",
};
