// SPDX-License-Identifier: GPL-2.0
/* vnetctl peering: one side of a peering between two vnets. */
#include <string.h>

#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

const struct field peering_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "name", F_POS, NULL },
	{ "remote", F_KEY, NULL },
	{ "state", F_KEY, NULL },
	{ "access", F_FLAG, NULL },
	{ "forwarded", F_FLAG, NULL },
	{ "gateway-transit", F_FLAG, NULL },
	{ "use-remote-gateways", F_FLAG, NULL },
	{ "origin", F_KEY, NULL },
	FIELDS_END
};

static const struct {
	const char *word;
	uint32_t bit;
} peering_flags[] = {
	{ "access", VNET_PEERING_F_ACCESS },
	{ "forwarded", VNET_PEERING_F_FORWARDED },
	{ "gateway-transit", VNET_PEERING_F_GATEWAY_TRANSIT },
	{ "use-remote-gateways", VNET_PEERING_F_USE_REMOTE_GW },
};

/*
 * Parses "[remote VNET] [FLAG on|off ...]" from argv[2]; @remote is NULL
 * for set, which has no remote.
 */
static int parse_peering_args(int argc, char **argv, const char *verb,
			      const char **remote, uint32_t *value,
			      uint32_t *selector)
{
	char err[ERR_LEN];

	if (argc < 2)
		return usage_error("usage: peering %s VNET NAME ...", verb);
	if (parse_name("vnet", argv[0], err) || parse_name("peering", argv[1], err))
		return usage_error("%s", err);
	for (int i = 2; i < argc; i += 2) {
		size_t f;

		if (i + 1 >= argc)
			return usage_error("\"%s\" needs a value", argv[i]);
		if (remote && !strcmp(argv[i], "remote")) {
			if (*remote)
				return usage_error("remote given twice");
			if (parse_name("remote vnet", argv[i + 1], err))
				return usage_error("%s", err);
			*remote = argv[i + 1];
			continue;
		}
		for (f = 0; f < sizeof(peering_flags) / sizeof(peering_flags[0]); f++)
			if (!strcmp(argv[i], peering_flags[f].word))
				break;
		if (f == sizeof(peering_flags) / sizeof(peering_flags[0]))
			return usage_error("unknown keyword \"%s\" in peering %s",
					   argv[i], verb);
		if (*selector & peering_flags[f].bit)
			return usage_error("%s given twice", argv[i]);
		bool on;

		if (parse_onoff(argv[i], argv[i + 1], &on, err))
			return usage_error("%s", err);
		*selector |= peering_flags[f].bit;
		if (on)
			*value |= peering_flags[f].bit;
	}
	return 0;
}

static int peering_add(struct ctx *c, int argc, char **argv)
{
	uint32_t value = 0, selector = 0;
	const char *remote = NULL;
	struct nlmsghdr *nlh;

	if (parse_peering_args(argc, argv, "add", &remote, &value, &selector))
		return EXIT_USAGE;
	if (!remote)
		return usage_error("peering add needs \"remote VNET\"");
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_PEERING_NEW, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_PEERING, argv[1]);
	mnl_attr_put_strz(nlh, VNET_A_REMOTE, remote);
	if (selector)
		put_bitfield(nlh, VNET_A_FLAGS, value, selector);
	return ctx_do(c, nlh);
}

static int peering_set(struct ctx *c, int argc, char **argv)
{
	uint32_t value = 0, selector = 0;
	struct nlmsghdr *nlh;

	if (parse_peering_args(argc, argv, "set", NULL, &value, &selector))
		return EXIT_USAGE;
	if (!selector)
		return usage_error("peering set needs at least one of access, forwarded, gateway-transit, use-remote-gateways");
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_PEERING_SET, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_PEERING, argv[1]);
	put_bitfield(nlh, VNET_A_FLAGS, value, selector);
	return ctx_do(c, nlh);
}

static int peering_del(struct ctx *c, int argc, char **argv)
{
	uint32_t value = 0, selector = 0;
	struct nlmsghdr *nlh;

	if (argc > 2)
		return usage_error("unexpected \"%s\" after peering del VNET NAME",
				   argv[2]);
	if (parse_peering_args(argc, argv, "del", NULL, &value, &selector))
		return EXIT_USAGE;
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_PEERING_DEL, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_PEERING, argv[1]);
	return ctx_do(c, nlh);
}

static int peering_show(struct ctx *c, int argc, char **argv)
{
	char err[ERR_LEN];

	if (argc > 1)
		return usage_error("unexpected \"%s\" after peering show VNET", argv[1]);
	if (argc == 1 && parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	return ctx_show(c, VNET_CMD_PEERING_GET, argc ? argv[0] : NULL,
			parse_peering_msg, peering_fields, "vnet", "name");
}

static const struct verb peering_verbs[] = {
	{ "add", peering_add },
	{ "set", peering_set },
	{ "del", peering_del },
	{ "show", peering_show },
	{ "list", peering_show },
	{ NULL, NULL },
};

const struct object peering_object = {
	.name = "peering",
	.verbs = peering_verbs,
	.usage =
	"  peering add VNET NAME remote VNET [access on|off] [forwarded on|off]\n"
	"              [gateway-transit on|off] [use-remote-gateways on|off]\n"
	"  peering set VNET NAME [access on|off] [forwarded on|off]\n"
	"              [gateway-transit on|off] [use-remote-gateways on|off]\n"
	"  peering del VNET NAME\n"
	"  peering show [VNET]\n",
};
