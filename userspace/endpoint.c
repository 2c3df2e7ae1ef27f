// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl endpoint: remote endpoints, VMs on other hosts reached through
 * the tunnel: vnet and IP, the VM's MAC and its host's underlay address;
 * "forwarding on" for an appliance there, which sends what it forwards.
 */
#include <string.h>

#include <linux/genetlink.h>
#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

const struct field endpoint_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "ip", F_POS, NULL },
	{ "mac", F_KEY, NULL },
	{ "remote", F_KEY, NULL },
	{ "forwarding", F_FLAG, NULL },
	{ "origin", F_KEY, NULL },
	FIELDS_END
};

static int endpoint_add(struct ctx *c, int argc, char **argv)
{
	struct endpoint_args a;
	struct nlmsghdr *nlh;
	char err[ERR_LEN];

	if (parse_endpoint_args(argc, argv, true, &a, err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_ENDPOINT_NEW, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, a.vnet);
	put_addr(nlh, VNET_A_ENDPOINT_IP, &a.ip);
	mnl_attr_put(nlh, VNET_A_MAC, sizeof(a.mac), a.mac);
	put_addr(nlh, VNET_A_ENDPOINT_UNDERLAY, &a.remote);
	if (a.have_fwd)
		put_bitfield(nlh, VNET_A_PORT_FLAGS,
			     a.forwarding ? VNET_PORT_F_FORWARDING : 0,
			     VNET_PORT_F_FORWARDING);
	return ctx_do(c, nlh);
}

static int endpoint_del(struct ctx *c, int argc, char **argv)
{
	struct endpoint_args a;
	struct nlmsghdr *nlh;
	char err[ERR_LEN];

	if (parse_endpoint_args(argc, argv, false, &a, err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_ENDPOINT_DEL, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_VNET, a.vnet);
	put_addr(nlh, VNET_A_ENDPOINT_IP, &a.ip);
	return ctx_do(c, nlh);
}

static int endpoint_show(struct ctx *c, int argc, char **argv)
{
	char err[ERR_LEN];

	if (argc > 1)
		return usage_error("unexpected \"%s\" after endpoint show VNET",
				   argv[1]);
	if (argc == 1 && parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	return ctx_show(c, VNET_CMD_ENDPOINT_GET, argc ? argv[0] : NULL,
			parse_endpoint_msg, endpoint_fields, "vnet", "ip");
}

static const struct verb endpoint_verbs[] = {
	{ "add", endpoint_add },
	{ "del", endpoint_del },
	{ "show", endpoint_show },
	{ "list", endpoint_show },
	{ NULL, NULL },
};

const struct object endpoint_object = {
	.name = "endpoint",
	.verbs = endpoint_verbs,
	.usage =
	"  endpoint add VNET IP mac MAC remote UNDERLAY-IP [forwarding on|off]\n"
	"  endpoint del VNET IP\n"
	"  endpoint show [VNET]\n",
};
