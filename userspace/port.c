// SPDX-License-Identifier: GPL-2.0
/* vnetctl port: host interfaces bound to a vnet and subnet. */
#include <string.h>

#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

#define MAX_CLI_ADDRS 256

const struct field port_fields[] = {
	{ "dev", F_POS, NULL },
	{ "vnet", F_KEY, NULL },
	{ "subnet", F_KEY, NULL },
	{ "mac", F_KEY, NULL },
	{ "ips", F_LIST, "ip" },
	{ "forwarding", F_FLAG, NULL },
	{ "state", F_KEY, NULL },
	FIELDS_END
};

/* "port state": its interface appeared or went. */
const struct field port_state_fields[] = {
	{ "dev", F_POS, NULL },
	{ "state", F_POS, NULL },
	FIELDS_END
};

/* The words of "port add" and "port set" after DEV; add also takes a place. */
struct port_opts {
	const char *vnet, *subnet;
	bool have_mac, have_fwd, fwd;
	uint8_t mac[6];
	unsigned int n;
	struct vnet_prefix addrs[MAX_CLI_ADDRS];
};

static int parse_port_opts(int argc, char **argv, const char *verb,
			   struct port_opts *o)
{
	bool add = !strcmp(verb, "add");
	char err[ERR_LEN];

	memset(o, 0, sizeof(*o));	/* static (its size), and -b runs many */
	if (need_arg(argc, argv, 0, "interface name"))
		return EXIT_USAGE;
	if (parse_ifname(argv[0], err))
		return usage_error("%s", err);
	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage_error("\"%s\" needs a value", k);
		if (add && !strcmp(k, "vnet") && !o->vnet) {
			if (parse_name("vnet", v, err))
				return usage_error("%s", err);
			o->vnet = v;
		} else if (add && !strcmp(k, "subnet") && !o->subnet) {
			if (parse_name("subnet", v, err))
				return usage_error("%s", err);
			o->subnet = v;
		} else if (!strcmp(k, "mac") && !o->have_mac) {
			if (parse_mac(v, o->mac, err))
				return usage_error("%s", err);
			o->have_mac = true;
		} else if (!strcmp(k, "ip")) {
			if (o->n == MAX_CLI_ADDRS)
				return usage_error("more than %d addresses",
						   MAX_CLI_ADDRS);
			if (parse_addr(v, &o->addrs[o->n++], err))
				return usage_error("%s", err);
		} else if (!strcmp(k, "forwarding") && !o->have_fwd) {
			if (parse_onoff("forwarding", v, &o->fwd, err))
				return usage_error("%s", err);
			o->have_fwd = true;
		} else {
			return usage_error("unknown or repeated keyword \"%s\" in port %s",
					   k, verb);
		}
	}
	return 0;
}

static int port_add(struct ctx *c, int argc, char **argv)
{
	static struct port_opts o;
	struct nlmsghdr *nlh;
	int status = parse_port_opts(argc, argv, "add", &o);

	if (status)
		return status;
	if (!o.vnet || !o.subnet || !o.have_mac || !o.n)
		return usage_error("port add needs vnet VNET subnet SUBNET mac MAC ip ADDR");
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_PORT_NEW, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_IFNAME, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_VNET, o.vnet);
	mnl_attr_put_strz(nlh, VNET_A_SUBNET, o.subnet);
	mnl_attr_put(nlh, VNET_A_MAC, 6, o.mac);
	put_addrs(nlh, o.addrs, o.n);
	put_bitfield(nlh, VNET_A_PORT_FLAGS, o.fwd ? VNET_PORT_F_FORWARDING : 0,
		     VNET_PORT_F_ALL);
	return ctx_do(c, nlh);
}

/* What it is not given stays; "ip" replaces the whole list. */
static int port_set(struct ctx *c, int argc, char **argv)
{
	static struct port_opts o;
	struct nlmsghdr *nlh;
	int status = parse_port_opts(argc, argv, "set", &o);

	if (status)
		return status;
	if (!o.have_mac && !o.n && !o.have_fwd)
		return usage_error("port set needs mac MAC, ip ADDR or forwarding on|off");
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_PORT_SET, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_IFNAME, argv[0]);
	if (o.have_mac)
		mnl_attr_put(nlh, VNET_A_MAC, 6, o.mac);
	if (o.n)
		put_addrs(nlh, o.addrs, o.n);
	if (o.have_fwd)
		put_bitfield(nlh, VNET_A_PORT_FLAGS,
			     o.fwd ? VNET_PORT_F_FORWARDING : 0,
			     VNET_PORT_F_FORWARDING);
	return ctx_do(c, nlh);
}

static int port_del(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];

	if (need_arg(argc, argv, 0, "interface name"))
		return EXIT_USAGE;
	if (argc > 1)
		return usage_error("unexpected \"%s\" after port del DEV", argv[1]);
	if (parse_ifname(argv[0], err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_PORT_DEL, NLM_F_ACK);
	mnl_attr_put_strz(nlh, VNET_A_IFNAME, argv[0]);
	return ctx_do(c, nlh);
}

/* show and stats: one port by name, or all of them. */
int port_query(struct ctx *c, int argc, char **argv, uint8_t cmd,
	       vnl_parse_fn parse, const struct field *spec)
{
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	json_t *arr;
	int status;

	if (argc > 1)
		return usage_error("unexpected \"%s\" after DEV", argv[1]);
	if (argc == 1 && parse_ifname(argv[0], err))
		return usage_error("%s", err);
	if (ctx_connect(c))
		return EXIT_FAILED;
	if (argc == 1) {
		arr = json_array();
		nlh = vnl_request(&c->nl, cmd, NLM_F_ACK);
		mnl_attr_put_strz(nlh, VNET_A_IFNAME, argv[0]);
		status = vnl_talk(&c->nl, nlh, parse, arr);
	} else {
		arr = vnl_dump(&c->nl, cmd, NULL, parse, &status);
	}
	if (!status)
		print_list(c, arr, spec, "dev", NULL);
	json_decref(arr);
	return status ? EXIT_FAILED : EXIT_DONE;
}

static int port_show(struct ctx *c, int argc, char **argv)
{
	return port_query(c, argc, argv, VNET_CMD_PORT_GET, parse_port_msg,
			  port_fields);
}

static const struct verb port_verbs[] = {
	{ "add", port_add },
	{ "set", port_set },
	{ "del", port_del },
	{ "show", port_show },
	{ "list", port_show },
	{ NULL, NULL },
};

const struct object port_object = {
	.name = "port",
	.verbs = port_verbs,
	.usage =
	"  port add DEV vnet VNET subnet SUBNET mac MAC ip ADDR [ip ADDR ...]\n"
	"           [forwarding on|off]     (DEV need not exist)\n"
	"  port set DEV [mac MAC] [ip ADDR ...] [forwarding on|off]\n"
	"  port del DEV\n"
	"  port show [DEV]                     (state up or absent)\n",
};
