// SPDX-License-Identifier: GPL-2.0
/* vnetctl acl: priority-ordered rules of a subnet or a port. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

const struct field acl_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "subnet", F_KEY, NULL },
	{ "port", F_KEY, NULL },
	{ "dir", F_KEY, NULL },
	{ "prio", F_KEY, NULL },
	{ "action", F_KEY, NULL },
	{ "proto", F_KEY, NULL },
	{ "src", F_KEY, NULL },
	{ "dst", F_KEY, NULL },
	{ "from-vnet", F_KEY, NULL },
	{ "sport", F_KEY, NULL },
	{ "dport", F_KEY, NULL },
	{ "origin", F_KEY, NULL },
	FIELDS_END
};

struct acl_args {
	const char *vnet, *subnet, *port, *from;
	int dir, action;	/* -1: not given */
	uint32_t prio;
	bool have_prio, have_proto;
	uint8_t proto;
	struct vnet_prefix src, dst;
	bool have_src, have_dst;
	uint32_t sport, dport;	/* first << 16 | last */
	bool have_sport, have_dport;
};

static int parse_range(const char *what, const char *s, uint32_t *out,
		       char *err)
{
	char lo[16], *dash = strchr(s, '-');
	uint32_t a, b;

	if (dash) {
		if ((size_t)(dash - s) >= sizeof(lo))
			goto bad;
		memcpy(lo, s, dash - s);
		lo[dash - s] = '\0';
		if (parse_u32(what, lo, 0, 65535, &a, err) ||
		    parse_u32(what, dash + 1, 0, 65535, &b, err))
			return -1;
	} else {
		if (parse_u32(what, s, 0, 65535, &a, err))
			return -1;
		b = a;
	}
	if (a > b) {
		snprintf(err, ERR_LEN, "%s range %s is reversed", what, s);
		return -1;
	}
	*out = a << 16 | b;
	return 0;
bad:
	snprintf(err, ERR_LEN, "invalid %s range \"%.40s\"", what, s);
	return -1;
}

static int parse_proto(const char *s, struct acl_args *a, char *err)
{
	uint32_t n;

	if (!strcmp(s, "any"))
		return 0;
	if (acl_proto_number(s, &a->proto)) {
		a->have_proto = true;
		return 0;
	}
	if (parse_u32("protocol", s, 0, 255, &n, err))
		return -1;
	a->proto = (uint8_t)n;
	a->have_proto = true;
	return 0;
}

/* VNET subnet S | port DEV dir in|out prio N [rule words if @rule] */
static int parse_acl_args(int argc, char **argv, bool rule, struct acl_args *a)
{
	char err[ERR_LEN];

	memset(a, 0, sizeof(*a));
	a->dir = a->action = -1;
	if (argc < 1)
		return usage_error("missing vnet name");
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	a->vnet = argv[0];
	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage_error("\"%s\" needs a value", k);
		if (!strcmp(k, "subnet") && !a->subnet && !a->port) {
			if (parse_name("subnet", v, err))
				return usage_error("%s", err);
			a->subnet = v;
		} else if (!strcmp(k, "port") && !a->subnet && !a->port) {
			if (parse_ifname(v, err))
				return usage_error("%s", err);
			a->port = v;
		} else if (!strcmp(k, "dir") && a->dir < 0) {
			if (!strcmp(v, "in"))
				a->dir = VNET_ACL_DIR_IN;
			else if (!strcmp(v, "out"))
				a->dir = VNET_ACL_DIR_OUT;
			else
				return usage_error("dir takes in or out, not \"%s\"", v);
		} else if (!strcmp(k, "prio") && !a->have_prio) {
			if (parse_u32("priority", v, VNET_ACL_PRIO_MIN,
				      VNET_ACL_PRIO_MAX, &a->prio, err))
				return usage_error("%s", err);
			a->have_prio = true;
		} else if (rule && !strcmp(k, "action") && a->action < 0) {
			if (!strcmp(v, "allow"))
				a->action = VNET_ACL_ALLOW;
			else if (!strcmp(v, "deny"))
				a->action = VNET_ACL_DENY;
			else
				return usage_error("action takes allow or deny, not \"%s\"", v);
		} else if (rule && !strcmp(k, "proto")) {
			if (parse_proto(v, a, err))
				return usage_error("%s", err);
		} else if (rule && !strcmp(k, "src") && !a->have_src) {
			if (parse_prefix(v, &a->src, err))
				return usage_error("%s", err);
			a->have_src = true;
		} else if (rule && !strcmp(k, "dst") && !a->have_dst) {
			if (parse_prefix(v, &a->dst, err))
				return usage_error("%s", err);
			a->have_dst = true;
		} else if (rule && !strcmp(k, "from-vnet") && !a->from) {
			if (parse_name("vnet", v, err))
				return usage_error("%s", err);
			a->from = v;
		} else if (rule && !strcmp(k, "sport") && !a->have_sport) {
			if (parse_range("source port", v, &a->sport, err))
				return usage_error("%s", err);
			a->have_sport = true;
		} else if (rule && !strcmp(k, "dport") && !a->have_dport) {
			if (parse_range("destination port", v, &a->dport, err))
				return usage_error("%s", err);
			a->have_dport = true;
		} else {
			return usage_error("unknown or repeated keyword \"%s\" in acl", k);
		}
	}
	if (!a->subnet && !a->port)
		return usage_error("acl needs a scope: subnet SUBNET or port DEV");
	if (a->dir < 0 || !a->have_prio)
		return usage_error("acl needs dir in|out and prio N");
	if (!rule)
		return 0;
	if (a->action < 0)
		return usage_error("acl add needs action allow|deny");
	if ((a->have_sport || a->have_dport) &&
	    !(a->have_proto && (a->proto == IPPROTO_TCP || a->proto == IPPROTO_UDP)))
		return usage_error("sport and dport need proto tcp or udp");
	if (a->have_src && a->have_dst && a->src.family != a->dst.family)
		return usage_error("src and dst are of different address families");
	return 0;
}

static void put_scope(struct nlmsghdr *nlh, const struct acl_args *a)
{
	mnl_attr_put_strz(nlh, VNET_A_VNET, a->vnet);
	if (a->port) {
		mnl_attr_put_u8(nlh, VNET_A_ACL_SCOPE, VNET_ACL_SCOPE_PORT);
		mnl_attr_put_strz(nlh, VNET_A_IFNAME, a->port);
	} else {
		mnl_attr_put_u8(nlh, VNET_A_ACL_SCOPE, VNET_ACL_SCOPE_SUBNET);
		mnl_attr_put_strz(nlh, VNET_A_SUBNET, a->subnet);
	}
	mnl_attr_put_u8(nlh, VNET_A_ACL_DIR, (uint8_t)a->dir);
	mnl_attr_put_u16(nlh, VNET_A_ACL_PRIO, (uint16_t)a->prio);
}

/*
 * In a batch, rule changes are deferred and compiled once, at the end or
 * before the first command that is not an ACL change: loading 100,000
 * rules must not compile the classifier 100,000 times.
 */
static void put_defer(struct ctx *c, struct nlmsghdr *nlh)
{
	if (!c->batch)
		return;
	mnl_attr_put(nlh, VNET_A_ACL_DEFER, 0, NULL);
	c->acl_pending = true;
}

int acl_commit(struct ctx *c)
{
	if (!c->acl_pending)
		return EXIT_DONE;
	c->acl_pending = false;
	return ctx_do(c, vnl_request(&c->nl, VNET_CMD_ACL_COMMIT, NLM_F_ACK));
}

static int acl_add(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct acl_args a;

	if (parse_acl_args(argc, argv, true, &a))
		return EXIT_USAGE;
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_ACL_NEW, NLM_F_ACK);
	put_scope(nlh, &a);
	mnl_attr_put_u8(nlh, VNET_A_ACL_ACTION, (uint8_t)a.action);
	if (a.have_proto)
		mnl_attr_put_u8(nlh, VNET_A_ACL_PROTO, a.proto);
	if (a.have_src)
		put_prefix(nlh, VNET_A_ACL_SRC, &a.src);
	if (a.have_dst)
		put_prefix(nlh, VNET_A_ACL_DST, &a.dst);
	if (a.have_sport)
		mnl_attr_put_u32(nlh, VNET_A_ACL_SPORT, a.sport);
	if (a.have_dport)
		mnl_attr_put_u32(nlh, VNET_A_ACL_DPORT, a.dport);
	if (a.from)
		mnl_attr_put_strz(nlh, VNET_A_ACL_FROM_VNET, a.from);
	put_defer(c, nlh);
	return ctx_do(c, nlh);
}

static int acl_del(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct acl_args a;

	if (parse_acl_args(argc, argv, false, &a))
		return EXIT_USAGE;
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_ACL_DEL, NLM_F_ACK);
	put_scope(nlh, &a);
	put_defer(c, nlh);
	return ctx_do(c, nlh);
}

static int acl_show(struct ctx *c, int argc, char **argv)
{
	char err[ERR_LEN];
	json_t *arr;
	int status;

	if (argc != 1)
		return usage_error("usage: acl show VNET");
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	arr = vnl_dump(&c->nl, VNET_CMD_ACL_GET, argv[0], parse_acl_msg, &status);
	/* The kernel's order: subnets by name, then ports; in, out; priority. */
	if (!status)
		print_list(c, arr, acl_fields, NULL, NULL);
	json_decref(arr);
	return status ? EXIT_FAILED : EXIT_DONE;
}

static const struct verb acl_verbs[] = {
	{ "add", acl_add },
	{ "del", acl_del },
	{ "show", acl_show },
	{ "list", acl_show },
	{ NULL, NULL },
};

const struct object acl_object = {
	.name = "acl",
	.verbs = acl_verbs,
	.usage =
	"  acl add VNET subnet SUBNET | port DEV dir in|out prio N action allow|deny\n"
	"          [proto any|tcp|udp|icmp|icmpv6|NUM] [src CIDR] [dst CIDR]\n"
	"          [from-vnet NAME] [sport P[-P]] [dport P[-P]]\n"
	"  acl del VNET subnet SUBNET | port DEV dir in|out prio N\n"
	"  acl show VNET\n",
};
