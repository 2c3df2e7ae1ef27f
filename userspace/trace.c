// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl trace: what the module decides for the first packet of a
 * connection from a source address to a destination, step by step (the
 * sender's outbound ACLs, the route, a load balancer's choice of backend,
 * the receiver's inbound ACLs), and
 * whether it is delivered or dropped. The kernel runs the packet path's
 * own lookups; this file asks and prints.
 */
#include <netinet/in.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

static const char *const dir_names[] = {
	[VNET_ACL_DIR_IN] = "in", [VNET_ACL_DIR_OUT] = "out",
};
static const char *const scope_names[] = {
	[VNET_ACL_SCOPE_SUBNET] = "subnet", [VNET_ACL_SCOPE_PORT] = "port",
};
static const char *const action_names[] = {
	[VNET_ACL_ALLOW] = "allow", [VNET_ACL_DENY] = "deny",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void set_u(json_t *o, const char *key, const struct nlattr *a,
		  enum mnl_attr_data_type type)
{
	if (!a || mnl_attr_validate(a, type))
		return;
	json_object_set_new(o, key, json_integer(
		type == MNL_TYPE_U8 ? mnl_attr_get_u8(a) :
		type == MNL_TYPE_U16 ? mnl_attr_get_u16(a) :
		mnl_attr_get_u32(a)));
}

static void set_prefix(json_t *o, const char *key, const struct nlattr *a,
		       bool addr)
{
	struct vnet_prefix p;
	char buf[FMT_LEN];

	if (a && msg_get_prefix(a, &p))
		json_object_set_new(o, key, json_string(
			addr ? format_addr(&p, buf) : format_prefix(&p, buf)));
}

static int collect(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= VNET_A_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static json_t *parse_step(const struct nlattr *nest)
{
	const struct nlattr *tb[VNET_TRACE_A_MAX + 1] = {}, *a;
	json_t *o = json_object();

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) <= VNET_TRACE_A_MAX)
			tb[mnl_attr_get_type(a)] = a;
	if (tb[VNET_TRACE_A_KIND] &&
	    mnl_attr_get_u8(tb[VNET_TRACE_A_KIND]) == VNET_TRACE_ROUTE) {
		json_object_set_new(o, "step", json_string("route"));
		set_prefix(o, "prefix", tb[VNET_TRACE_A_PREFIX], false);
		msg_set_enum(o, "source", tb[VNET_TRACE_A_SOURCE],
			     route_source_names, ROUTE_SOURCE_NAMES);
		msg_set_enum(o, "nexthop", tb[VNET_TRACE_A_NEXTHOP],
			     route_nexthop_names, ROUTE_NEXTHOP_NAMES);
		set_prefix(o, "appliance", tb[VNET_TRACE_A_VIA], true);
		msg_set_str(o, "remote", tb[VNET_TRACE_A_REMOTE]);
		return o;
	}
	if (tb[VNET_TRACE_A_KIND] &&
	    mnl_attr_get_u8(tb[VNET_TRACE_A_KIND]) == VNET_TRACE_LB) {
		struct vnet_prefix p;
		char buf[FMT_LEN];

		json_object_set_new(o, "step", json_string("lb"));
		msg_set_str(o, "name", tb[VNET_TRACE_A_NAME]);
		if (tb[VNET_TRACE_A_VIA] && msg_get_prefix(tb[VNET_TRACE_A_VIA], &p) &&
		    tb[VNET_TRACE_A_PORT] &&
		    !mnl_attr_validate(tb[VNET_TRACE_A_PORT], MNL_TYPE_U16))
			json_object_set_new(o, "backend", json_string(
				format_backend(&p,
					       mnl_attr_get_u16(tb[VNET_TRACE_A_PORT]),
					       buf)));
		return o;
	}
	json_object_set_new(o, "step", json_string("acl"));
	msg_set_enum(o, "dir", tb[VNET_TRACE_A_DIR], dir_names,
		     N_OF(dir_names));
	msg_set_enum(o, "scope", tb[VNET_TRACE_A_SCOPE], scope_names,
		     N_OF(scope_names));
	msg_set_str(o, "name", tb[VNET_TRACE_A_NAME]);
	set_u(o, "rules", tb[VNET_TRACE_A_RULES], MNL_TYPE_U32);
	set_u(o, "prio", tb[VNET_TRACE_A_PRIO], MNL_TYPE_U16);
	msg_set_enum(o, "action", tb[VNET_TRACE_A_ACTION], action_names,
		     N_OF(action_names));
	return o;
}

static json_t *parse_trace_msg(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[VNET_A_MAX + 1] = {}, *a;
	json_t *o = json_object(), *steps = json_array();
	const char *reason;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), collect, tb);
	msg_set_str(o, "vnet", tb[VNET_A_VNET]);
	msg_set_str(o, "subnet", tb[VNET_A_SUBNET]);
	msg_set_str(o, "port", tb[VNET_A_IFNAME]);
	if (tb[VNET_A_TRACE_STEPS])
		mnl_attr_for_each_nested(a, tb[VNET_A_TRACE_STEPS])
			json_array_append_new(steps, parse_step(a));
	json_object_set_new(o, "steps", steps);
	msg_set_str(o, "to", tb[VNET_A_TRACE_TO]);
	msg_set_str(o, "remote", tb[VNET_A_REMOTE]);
	msg_set_addr(o, "endpoint", tb[VNET_A_ENDPOINT_IP]);
	msg_set_addr(o, "underlay", tb[VNET_A_ENDPOINT_UNDERLAY]);
	if (tb[VNET_A_TRACE_DROP] &&
	    !mnl_attr_validate(tb[VNET_A_TRACE_DROP], MNL_TYPE_U8)) {
		json_object_set_new(o, "verdict", json_string("drop"));
		reason = drop_reason_name(mnl_attr_get_u8(tb[VNET_A_TRACE_DROP]));
		json_object_set_new(o, "reason", reason ? json_string(reason) :
				    json_integer(mnl_attr_get_u8(tb[VNET_A_TRACE_DROP])));
	} else {
		json_object_set_new(o, "verdict", json_string("deliver"));
	}
	return o;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

/* One line per step, from the JSON object, so the two never drift. */
static void print_trace_text(json_t *o)
{
	json_t *steps = json_object_get(o, "steps"), *s, *v;
	size_t i;

	printf("%s -> %s", str(o, "src"), str(o, "dst"));
	if ((v = json_object_get(o, "proto"))) {
		if (json_is_string(v))
			printf(" proto %s", json_string_value(v));
		else
			printf(" proto %lld", json_integer_value(v));
	}
	if ((v = json_object_get(o, "sport")))
		printf(" sport %lld", json_integer_value(v));
	if ((v = json_object_get(o, "dport")))
		printf(" dport %lld", json_integer_value(v));
	printf(" from port %s (vnet %s subnet %s)\n", str(o, "port"),
	       str(o, "vnet"), str(o, "subnet"));
	json_array_foreach(steps, i, s) {
		if (!strcmp(str(s, "step"), "route")) {
			printf("  route %s source %s nexthop %s", str(s, "prefix"),
			       str(s, "source"), str(s, "nexthop"));
			if (json_object_get(s, "appliance"))
				printf(" %s", str(s, "appliance"));
			if (json_object_get(s, "remote"))
				printf(" remote %s", str(s, "remote"));
			putchar('\n');
			continue;
		}
		if (!strcmp(str(s, "step"), "lb")) {
			printf("  lb %s frontend %s backend %s\n", str(s, "name"),
			       str(o, "dst"), str(s, "backend"));
			continue;
		}
		printf("  acl %s %s %s: ", str(s, "dir"), str(s, "scope"),
		       str(s, "name"));
		if (!json_integer_value(json_object_get(s, "rules")))
			printf("no rules\n");
		else if (json_object_get(s, "prio"))
			printf("prio %lld %s\n",
			       json_integer_value(json_object_get(s, "prio")),
			       str(s, "action"));
		else
			printf("no rule matches (%lld rules)\n",
			       json_integer_value(json_object_get(s, "rules")));
	}
	if (!strcmp(str(o, "verdict"), "deliver") &&
	    json_object_get(o, "endpoint"))
		printf("deliver to endpoint %s (vnet %s) through the tunnel to %s\n",
		       str(o, "endpoint"), str(o, "remote"), str(o, "underlay"));
	else if (!strcmp(str(o, "verdict"), "deliver"))
		printf("deliver to port %s (vnet %s)\n", str(o, "to"),
		       str(o, "remote"));
	else
		printf("drop %s\n", str(o, "reason"));
}

struct trace_args {
	const char *vnet, *port;
	struct vnet_prefix src, dst;
	bool have_src, have_dst, have_proto, have_sport, have_dport;
	uint8_t proto;
	uint32_t sport, dport;
};

static int parse_trace_args(int argc, char **argv, struct trace_args *t)
{
	char err[ERR_LEN];
	int i;

	memset(t, 0, sizeof(*t));
	if (argc < 1)
		return usage_error("usage: trace VNET src IP dst IP [proto P] [sport N] [dport N] [port DEV]");
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	t->vnet = argv[0];
	for (i = 1; i < argc; i += 2) {
		const char *w = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!arg)
			return usage_error("\"%s\" needs a value", w);
		if (!strcmp(w, "src") && !t->have_src) {
			bad = parse_addr(arg, &t->src, err);
			t->have_src = true;
		} else if (!strcmp(w, "dst") && !t->have_dst) {
			bad = parse_addr(arg, &t->dst, err);
			t->have_dst = true;
		} else if (!strcmp(w, "proto") && !t->have_proto) {
			uint32_t n;

			if (!acl_proto_number(arg, &t->proto)) {
				bad = parse_u32("protocol", arg, 0, 255, &n, err);
				t->proto = (uint8_t)n;
			}
			t->have_proto = true;
		} else if (!strcmp(w, "sport") && !t->have_sport) {
			bad = parse_u32("source port", arg, 0, 65535,
					&t->sport, err);
			t->have_sport = true;
		} else if (!strcmp(w, "dport") && !t->have_dport) {
			bad = parse_u32("destination port", arg, 0, 65535,
					&t->dport, err);
			t->have_dport = true;
		} else if (!strcmp(w, "port") && !t->port) {
			bad = parse_ifname(arg, err);
			t->port = arg;
		} else {
			return usage_error("unexpected \"%s\" in trace", w);
		}
		if (bad)
			return usage_error("%s", err);
	}
	if (!t->have_src || !t->have_dst)
		return usage_error("trace needs \"src IP\" and \"dst IP\"");
	if (t->src.family != t->dst.family)
		return usage_error("src and dst of different address families");
	if ((t->have_sport || t->have_dport) &&
	    (!t->have_proto ||
	     (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)))
		return usage_error("sport and dport need \"proto tcp\" or \"proto udp\"");
	return 0;
}

static int trace(struct ctx *c, int argc, char **argv)
{
	char buf[FMT_LEN];
	struct trace_args t;
	struct nlmsghdr *nlh;
	const char *name;
	json_t *arr, *o;
	int status;

	if (parse_trace_args(argc, argv, &t))
		return EXIT_USAGE;
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_TRACE, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, t.vnet);
	put_addr(nlh, VNET_A_TRACE_SRC, &t.src);
	put_addr(nlh, VNET_A_TRACE_DST, &t.dst);
	if (t.have_proto)
		mnl_attr_put_u8(nlh, VNET_A_TRACE_PROTO, t.proto);
	if (t.have_sport)
		mnl_attr_put_u16(nlh, VNET_A_TRACE_SPORT, (uint16_t)t.sport);
	if (t.have_dport)
		mnl_attr_put_u16(nlh, VNET_A_TRACE_DPORT, (uint16_t)t.dport);
	if (t.port)
		mnl_attr_put_strz(nlh, VNET_A_IFNAME, t.port);
	arr = json_array();
	status = vnl_talk(&c->nl, nlh, parse_trace_msg, arr);
	o = json_array_get(arr, 0);
	if (!status && o) {
		/* What was asked, in the words of the command line. */
		json_object_set_new(o, "src",
				    json_string(format_addr(&t.src, buf)));
		json_object_set_new(o, "dst",
				    json_string(format_addr(&t.dst, buf)));
		if (t.have_proto) {
			name = acl_proto_name(t.proto);
			json_object_set_new(o, "proto", name ? json_string(name) :
					    json_integer(t.proto));
		}
		if (t.have_sport)
			json_object_set_new(o, "sport", json_integer(t.sport));
		if (t.have_dport)
			json_object_set_new(o, "dport", json_integer(t.dport));
		if (c->json)
			print_json(c, o);
		else
			print_trace_text(o);
	}
	json_decref(arr);
	return status ? EXIT_FAILED : EXIT_DONE;
}

const struct object trace_object = {
	.name = "trace",
	.run = trace,
	.usage =
	"  trace VNET src IP dst IP [proto P] [sport N] [dport N] [port DEV]\n"
	"        what the module decides for the first packet of such a\n"
	"        connection; port DEV: the sending port, when it is not the\n"
	"        owner of the source address (an appliance or a gateway)\n",
};
