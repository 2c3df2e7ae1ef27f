// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl lb: internal load balancers. A frontend address, protocol and
 * port of a vnet, and backends "IP:PORT" (IPv6 as "[addr]:port") that are
 * port IPs of the same vnet.
 */
#include <string.h>

#include <linux/genetlink.h>
#include <linux/vnet.h>

#include "lb_msg.h"
#include "msg.h"
#include "vnetctl.h"

const struct field lb_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "name", F_POS, NULL },
	{ "frontend", F_KEY, NULL },
	{ "proto", F_KEY, NULL },
	{ "port", F_KEY, NULL },
	{ "backends", F_LIST, "backend" },
	{ "origin", F_KEY, NULL },
	FIELDS_END
};

static int lb_new(struct ctx *c, int argc, char **argv, bool replace)
{
	static struct lb_args lb;	/* big: not on the stack */
	struct nlmsghdr *nlh;
	char err[ERR_LEN];

	if (lb_parse_args(argc, argv, &lb, err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_LB_NEW, NLM_F_ACK);
	lb_put_args(nlh, &lb);
	if (replace)
		mnl_attr_put(nlh, VNET_A_LB_REPLACE, 0, NULL);
	return ctx_do(c, nlh);
}

static int lb_add(struct ctx *c, int argc, char **argv)
{
	return lb_new(c, argc, argv, false);
}

/* Its backends only: the lb keeps its connections to those it keeps. */
static int lb_replace(struct ctx *c, int argc, char **argv)
{
	return lb_new(c, argc, argv, true);
}

static int lb_del(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];

	if (argc != 2)
		return usage_error("usage: lb del VNET NAME");
	if (parse_name("vnet", argv[0], err) || parse_name("lb", argv[1], err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_LB_DEL, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_LB, argv[1]);
	return ctx_do(c, nlh);
}

static int lb_show(struct ctx *c, int argc, char **argv)
{
	char err[ERR_LEN];

	if (argc > 1)
		return usage_error("unexpected \"%s\" after lb show VNET",
				   argv[1]);
	if (argc == 1 && parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	return ctx_show(c, VNET_CMD_LB_GET, argc ? argv[0] : NULL,
			parse_lb_msg, lb_fields, "vnet", "name");
}

static const struct verb lb_verbs[] = {
	{ "add", lb_add },
	{ "replace", lb_replace },
	{ "del", lb_del },
	{ "show", lb_show },
	{ "list", lb_show },
	{ NULL, NULL },
};

const struct object lb_object = {
	.name = "lb",
	.verbs = lb_verbs,
	.usage =
	"  lb add VNET NAME frontend IP proto tcp|udp port N backend IP:PORT [backend IP:PORT ...]\n"
	"                              (IPv6 backends as [ADDR]:PORT)\n"
	"  lb replace VNET NAME frontend IP proto tcp|udp port N backend IP:PORT ...\n"
	"  lb del VNET NAME\n"
	"  lb show [VNET]\n",
};
