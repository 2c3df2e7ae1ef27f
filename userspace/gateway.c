// SPDX-License-Identifier: GPL-2.0
/* vnetctl gateway: a vnet's gateway port and its on-premises prefixes. */
#include <string.h>

#include <linux/genetlink.h>
#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

#define GATEWAY_MAX_PREFIXES 64

const struct field gateway_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "port", F_KEY, NULL },
	{ "prefixes", F_LIST, "prefix" },
	{ "state", F_KEY, NULL },
	FIELDS_END
};

/* "gateway state": its port went absent or came back. */
const struct field gateway_state_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "port", F_KEY, NULL },
	{ "state", F_POS, NULL },
	FIELDS_END
};

static const char *gateway_state_name(unsigned int state)
{
	static const char *const names[] = {
		[VNET_GATEWAY_ACTIVE] = "active",
		[VNET_GATEWAY_PORT_ABSENT] = "port-absent",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] :
							  "unknown";
}

json_t *parse_gateway_msg(const struct nlmsghdr *nlh)
{
	json_t *o = parse_subnet_msg(nlh);	/* vnet and prefixes */
	const struct nlattr *a;

	json_object_del(o, "name");
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == VNET_A_IFNAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			json_object_set_new(o, "port",
					    json_string(mnl_attr_get_str(a)));
		else if (mnl_attr_get_type(a) == VNET_A_STATE &&
			 mnl_attr_validate(a, MNL_TYPE_U8) == 0)
			json_object_set_new(o, "state", json_string(
				gateway_state_name(mnl_attr_get_u8(a))));
	}
	return o;
}

static int gateway_set(struct ctx *c, int argc, char **argv)
{
	struct vnet_prefix p[GATEWAY_MAX_PREFIXES];
	const char *dev = NULL;
	struct nlmsghdr *nlh;
	unsigned int n = 0;
	char err[ERR_LEN];

	if (argc < 1)
		return usage_error("usage: gateway set VNET port DEV prefix CIDR [prefix CIDR ...]");
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value", argv[i]);
		if (!strcmp(argv[i], "port") && !dev) {
			if (parse_ifname(argv[i + 1], err))
				return usage_error("%s", err);
			dev = argv[i + 1];
		} else if (!strcmp(argv[i], "prefix")) {
			if (n == GATEWAY_MAX_PREFIXES)
				return usage_error("more than %d prefixes",
						   GATEWAY_MAX_PREFIXES);
			if (parse_prefix(argv[i + 1], &p[n++], err))
				return usage_error("%s", err);
		} else {
			return usage_error("unexpected \"%s\" in gateway set",
					   argv[i]);
		}
	}
	if (!dev || !n)
		return usage_error("gateway set needs \"port DEV\" and at least one \"prefix CIDR\"");
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_GATEWAY_SET, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_IFNAME, dev);
	put_prefixes(nlh, p, n);
	return ctx_do(c, nlh);
}

static int gateway_del(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];

	if (argc != 1)
		return usage_error("usage: gateway del VNET");
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_GATEWAY_DEL, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	return ctx_do(c, nlh);
}

static int gateway_show(struct ctx *c, int argc, char **argv)
{
	char err[ERR_LEN];

	if (argc > 1)
		return usage_error("unexpected \"%s\" after gateway show VNET",
				   argv[1]);
	if (argc == 1 && parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	return ctx_show(c, VNET_CMD_GATEWAY_GET, argc ? argv[0] : NULL,
			parse_gateway_msg, gateway_fields, "vnet", NULL);
}

static const struct verb gateway_verbs[] = {
	{ "set", gateway_set },
	{ "del", gateway_del },
	{ "show", gateway_show },
	{ "list", gateway_show },
	{ NULL, NULL },
};

const struct object gateway_object = {
	.name = "gateway",
	.verbs = gateway_verbs,
	.usage =
	"  gateway set VNET port DEV prefix CIDR [prefix CIDR ...]\n"
	"  gateway del VNET\n"
	"  gateway show [VNET]\n",
};
