// SPDX-License-Identifier: GPL-2.0
/* vnetctl vnet: virtual networks and their address spaces. */
#include <string.h>

#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

#define MAX_CLI_PREFIXES 1024

const struct field vnet_fields[] = {
	{ "name", F_POS, NULL },
	{ "id", F_KEY, NULL },
	{ "prefixes", F_LIST, "prefix" },
	{ "router-mac", F_KEY, NULL },
	{ "origin", F_KEY, NULL },
	FIELDS_END
};

static int vnet_add(struct ctx *c, int argc, char **argv)
{
	static struct vnet_prefix prefixes[MAX_CLI_PREFIXES];
	struct nlmsghdr *nlh;
	unsigned int n = 0;
	bool have_id = false;
	char err[ERR_LEN];
	uint32_t id = 0;

	if (need_arg(argc, argv, 0, "vnet name"))
		return EXIT_USAGE;
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value", argv[i]);
		if (!strcmp(argv[i], "id")) {
			if (have_id)
				return usage_error("id given twice");
			if (parse_id(argv[i + 1], &id, err))
				return usage_error("%s", err);
			have_id = true;
		} else if (!strcmp(argv[i], "prefix")) {
			if (n == MAX_CLI_PREFIXES)
				return usage_error("more than %d prefixes",
						   MAX_CLI_PREFIXES);
			if (parse_prefix(argv[i + 1], &prefixes[n++], err))
				return usage_error("%s", err);
		} else {
			return usage_error("unknown keyword \"%s\" in vnet add",
					   argv[i]);
		}
	}
	if (!have_id)
		return usage_error("vnet add needs \"id ID\"");
	if (!n)
		return usage_error("vnet add needs at least one \"prefix CIDR\"");
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_VNET_NEW, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_u32(nlh, VNET_A_ID, id);
	put_prefixes(nlh, prefixes, n);
	return ctx_do(c, nlh);
}

static int vnet_del(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];

	if (need_arg(argc, argv, 0, "vnet name"))
		return EXIT_USAGE;
	if (argc > 1)
		return usage_error("unexpected \"%s\" after vnet del NAME", argv[1]);
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_VNET_DEL, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	return ctx_do(c, nlh);
}

/* The router MAC is one per namespace; each vnet shows it to its VMs. */
static void add_router_mac(struct ctx *c, json_t *vnets)
{
	json_t *info = json_array(), *mac, *v;
	size_t i;

	if (!vnl_talk(&c->nl, vnl_request(&c->nl, VNET_CMD_INFO_GET, NLM_F_ACK),
		      parse_info_msg, info)) {
		mac = json_object_get(json_array_get(info, 0), "router-mac");
		json_array_foreach(vnets, i, v)
			if (mac)
				json_object_set(v, "router-mac", mac);
	}
	json_decref(info);
}

static int vnet_show(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	json_t *arr;
	int status;

	if (argc > 1)
		return usage_error("unexpected \"%s\" after vnet show NAME", argv[1]);
	if (argc == 1 && parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	if (argc == 1) {
		arr = json_array();
		nlh = vnl_request(&c->nl, VNET_CMD_VNET_GET, NLM_F_ACK);
		mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
		status = vnl_talk(&c->nl, nlh, parse_vnet_msg, arr);
	} else {
		arr = vnl_dump(&c->nl, VNET_CMD_VNET_GET, NULL, parse_vnet_msg,
			       &status);
	}
	if (!status) {
		add_router_mac(c, arr);
		print_list(c, arr, vnet_fields, "name", NULL);
	}
	json_decref(arr);
	return status ? EXIT_FAILED : EXIT_DONE;
}

static int vnet_prefix(struct ctx *c, int argc, char **argv)
{
	struct vnet_prefix p;
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	uint8_t cmd;

	if (argc < 1 || (strcmp(argv[0], "add") && strcmp(argv[0], "del")))
		return usage_error("vnet prefix takes add or del");
	cmd = !strcmp(argv[0], "add") ? VNET_CMD_PREFIX_NEW : VNET_CMD_PREFIX_DEL;
	if (argc != 3)
		return usage_error("usage: vnet prefix %s NAME CIDR", argv[0]);
	if (parse_name("vnet", argv[1], err) || parse_prefix(argv[2], &p, err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, cmd, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[1]);
	put_prefixes(nlh, &p, 1);
	return ctx_do(c, nlh);
}

static const struct verb vnet_verbs[] = {
	{ "add", vnet_add },
	{ "del", vnet_del },
	{ "show", vnet_show },
	{ "list", vnet_show },
	{ "prefix", vnet_prefix },
	{ NULL, NULL },
};

const struct object vnet_object = {
	.name = "vnet",
	.verbs = vnet_verbs,
	.usage =
	"  vnet add NAME id ID prefix CIDR [prefix CIDR ...]\n"
	"  vnet del NAME\n"
	"  vnet show [NAME]\n"
	"  vnet prefix add|del NAME CIDR\n",
};
