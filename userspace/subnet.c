// SPDX-License-Identifier: GPL-2.0
/* vnetctl subnet: subnets of a vnet, at most one prefix per family. */
#include <string.h>

#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

const struct field subnet_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "name", F_POS, NULL },
	{ "prefixes", F_LIST, "prefix" },
	{ "origin", F_KEY, NULL },
	FIELDS_END
};

static int subnet_names(int argc, char **argv, const char *verb)
{
	char err[ERR_LEN];

	if (argc < 2)
		return usage_error("usage: subnet %s VNET NAME ...", verb);
	if (parse_name("vnet", argv[0], err) || parse_name("subnet", argv[1], err))
		return usage_error("%s", err);
	return 0;
}

static int subnet_add(struct ctx *c, int argc, char **argv)
{
	struct vnet_prefix p[2];
	struct nlmsghdr *nlh;
	unsigned int n = 0;
	char err[ERR_LEN];

	if (subnet_names(argc, argv, "add"))
		return EXIT_USAGE;
	for (int i = 2; i < argc; i += 2) {
		if (strcmp(argv[i], "prefix"))
			return usage_error("unknown keyword \"%s\" in subnet add",
					   argv[i]);
		if (i + 1 >= argc)
			return usage_error("\"prefix\" needs a value");
		if (n == 2)
			return usage_error("a subnet has at most one IPv4 and one IPv6 prefix");
		if (parse_prefix(argv[i + 1], &p[n], err))
			return usage_error("%s", err);
		if (n == 1 && p[0].family == p[1].family)
			return usage_error("a subnet has at most one prefix per address family: %s and %s",
					   argv[i - 1], argv[i + 1]);
		n++;
	}
	if (!n)
		return usage_error("subnet add needs \"prefix CIDR\"");
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_SUBNET_NEW, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_SUBNET, argv[1]);
	put_prefixes(nlh, p, n);
	return ctx_do(c, nlh);
}

static int subnet_del(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;

	if (subnet_names(argc, argv, "del"))
		return EXIT_USAGE;
	if (argc > 2)
		return usage_error("unexpected \"%s\" after subnet del VNET NAME",
				   argv[2]);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_SUBNET_DEL, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_SUBNET, argv[1]);
	return ctx_do(c, nlh);
}

static int subnet_show(struct ctx *c, int argc, char **argv)
{
	char err[ERR_LEN];

	if (argc > 1)
		return usage_error("unexpected \"%s\" after subnet show VNET", argv[1]);
	if (argc == 1 && parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	return ctx_show(c, VNET_CMD_SUBNET_GET, argc ? argv[0] : NULL,
			parse_subnet_msg, subnet_fields, "vnet", "name");
}

static const struct verb subnet_verbs[] = {
	{ "add", subnet_add },
	{ "del", subnet_del },
	{ "show", subnet_show },
	{ "list", subnet_show },
	{ NULL, NULL },
};

const struct object subnet_object = {
	.name = "subnet",
	.verbs = subnet_verbs,
	.usage =
	"  subnet add VNET NAME prefix CIDR [prefix CIDR]   (one per family)\n"
	"  subnet del VNET NAME\n"
	"  subnet show [VNET]\n",
};
