// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl route: user routes of a subnet, and the effective routes (every
 * route that applies to the subnet's packets, with its source and whether
 * it wins).
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

const struct field route_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "subnet", F_POS, NULL },
	{ "prefix", F_POS, NULL },
	{ "nexthop", F_KEY, NULL },
	{ "appliance", F_POS, NULL },
	{ "remote", F_POS, NULL },
	{ "source", F_KEY, NULL },
	{ "peering", F_KEY, NULL },
	{ "active", F_FLAG, NULL },
	{ "drops", F_KEY, NULL },
	{ "origin", F_KEY, NULL },
	FIELDS_END
};

const char *const route_nexthop_names[ROUTE_NEXTHOP_NAMES] = {
	[VNET_ROUTE_NH_NONE] = "none",
	[VNET_ROUTE_NH_APPLIANCE] = "appliance",
	[VNET_ROUTE_NH_GATEWAY] = "gateway",
	[VNET_ROUTE_NH_VNET] = "vnet",
};

const char *const route_source_names[ROUTE_SOURCE_NAMES] = {
	[VNET_ROUTE_SRC_USER] = "user",
	[VNET_ROUTE_SRC_VNET] = "vnet",
	[VNET_ROUTE_SRC_PEERING] = "peering",
	[VNET_ROUTE_SRC_GATEWAY] = "gateway",
};

struct route_attrs {
	const struct nlattr *tb[VNET_A_MAX + 1];
};

static int route_collect(const struct nlattr *a, void *data)
{
	struct route_attrs *at = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= VNET_A_MAX)
		at->tb[type] = a;
	return MNL_CB_OK;
}

json_t *parse_route_msg(const struct nlmsghdr *nlh)
{
	struct route_attrs at = {};
	json_t *o = json_object();
	struct vnet_prefix p;
	char buf[FMT_LEN];

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), route_collect, &at);
	msg_set_str(o, "vnet", at.tb[VNET_A_VNET]);
	msg_set_str(o, "subnet", at.tb[VNET_A_SUBNET]);
	if (at.tb[VNET_A_ROUTE_PREFIX] &&
	    msg_get_prefix(at.tb[VNET_A_ROUTE_PREFIX], &p))
		json_object_set_new(o, "prefix",
				    json_string(format_prefix(&p, buf)));
	msg_set_enum(o, "nexthop", at.tb[VNET_A_ROUTE_NEXTHOP],
		     route_nexthop_names, ROUTE_NEXTHOP_NAMES);
	if (at.tb[VNET_A_ROUTE_VIA] &&
	    msg_get_prefix(at.tb[VNET_A_ROUTE_VIA], &p))
		json_object_set_new(o, "appliance",
				    json_string(format_addr(&p, buf)));
	msg_set_str(o, "remote", at.tb[VNET_A_REMOTE]);
	msg_set_enum(o, "source", at.tb[VNET_A_ROUTE_SOURCE],
		     route_source_names, ROUTE_SOURCE_NAMES);
	msg_set_str(o, "peering", at.tb[VNET_A_PEERING]);
	if (at.tb[VNET_A_ROUTE_ACTIVE] &&
	    mnl_attr_get_payload_len(at.tb[VNET_A_ROUTE_ACTIVE]) == 1)
		json_object_set_new(o, "active", json_boolean(
			mnl_attr_get_u8(at.tb[VNET_A_ROUTE_ACTIVE])));
	msg_set_str(o, "drops", at.tb[VNET_A_ROUTE_STATUS]);
	msg_set_origin(o, at.tb[VNET_A_ORIGIN]);
	return o;
}

/* "VNET SUBNET CIDR": checked before the kernel is asked. */
static int route_words(int argc, char **argv, const char *verb,
		       struct vnet_prefix *p)
{
	char err[ERR_LEN];

	if (argc < 3)
		return usage_error("usage: route %s VNET SUBNET CIDR ...", verb);
	if (parse_name("vnet", argv[0], err) ||
	    parse_name("subnet", argv[1], err) || parse_prefix(argv[2], p, err))
		return usage_error("%s", err);
	return 0;
}

static void put_target(struct nlmsghdr *nlh, char **argv,
		       const struct vnet_prefix *p)
{
	mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
	mnl_attr_put_strz(nlh, VNET_A_SUBNET, argv[1]);
	put_prefix(nlh, VNET_A_ROUTE_PREFIX, p);
}

static int route_add(struct ctx *c, int argc, char **argv)
{
	struct vnet_prefix p, via = {};
	struct nlmsghdr *nlh;
	char err[ERR_LEN];
	uint8_t nh;

	if (route_words(argc, argv, "add", &p))
		return EXIT_USAGE;
	if (argc < 5 || strcmp(argv[3], "nexthop"))
		return usage_error("route add needs \"nexthop appliance IP | gateway | none\"");
	if (!strcmp(argv[4], "appliance")) {
		nh = VNET_ROUTE_NH_APPLIANCE;
		if (argc < 6)
			return usage_error("\"appliance\" needs the appliance's IP");
		if (parse_addr(argv[5], &via, err))
			return usage_error("%s", err);
		if (via.family != p.family)
			return usage_error("appliance %s and route %s are of different address families",
					   argv[5], argv[2]);
		if (argc > 6)
			return usage_error("unexpected \"%s\" after the appliance",
					   argv[6]);
	} else if (!strcmp(argv[4], "gateway") || !strcmp(argv[4], "none")) {
		nh = argv[4][0] == 'g' ? VNET_ROUTE_NH_GATEWAY :
					 VNET_ROUTE_NH_NONE;
		if (argc > 5)
			return usage_error("unexpected \"%s\" after nexthop %s",
					   argv[5], argv[4]);
	} else {
		return usage_error("unknown next hop \"%s\": appliance IP, gateway or none",
				   argv[4]);
	}
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_ROUTE_NEW, NLM_F_ACK);
	put_target(nlh, argv, &p);
	mnl_attr_put_u8(nlh, VNET_A_ROUTE_NEXTHOP, nh);
	if (nh == VNET_ROUTE_NH_APPLIANCE) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, VNET_A_ROUTE_VIA);

		if (via.family == AF_INET)
			mnl_attr_put(nlh, VNET_PREFIX_A_IN_ADDR, 4, via.addr);
		else
			mnl_attr_put(nlh, VNET_PREFIX_A_IN6_ADDR, 16, via.addr);
		mnl_attr_nest_end(nlh, nest);
	}
	return ctx_do(c, nlh);
}

static int route_del(struct ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct vnet_prefix p;

	if (route_words(argc, argv, "del", &p))
		return EXIT_USAGE;
	if (argc > 3)
		return usage_error("unexpected \"%s\" after route del VNET SUBNET CIDR",
				   argv[3]);
	if (ctx_connect(c))
		return EXIT_FAILED;
	nlh = vnl_request(&c->nl, VNET_CMD_ROUTE_DEL, NLM_F_ACK);
	put_target(nlh, argv, &p);
	return ctx_do(c, nlh);
}

static int route_show(struct ctx *c, int argc, char **argv)
{
	const char *subnet = NULL;
	bool effective = false;
	char err[ERR_LEN];
	json_t *arr;
	int status = 0;

	if (argc < 1)
		return usage_error("usage: route show VNET [SUBNET] [effective]");
	if (parse_name("vnet", argv[0], err))
		return usage_error("%s", err);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "effective") && !effective) {
			effective = true;
		} else if (!subnet && !effective) {
			if (parse_name("subnet", argv[i], err))
				return usage_error("%s", err);
			subnet = argv[i];
		} else {
			return usage_error("unexpected \"%s\" in route show",
					   argv[i]);
		}
	}
	if (ctx_connect(c))
		return EXIT_FAILED;
	arr = json_array();
	for (int tries = 0; tries < 20; tries++) {
		struct nlmsghdr *nlh = vnl_request(&c->nl, VNET_CMD_ROUTE_GET,
						   NLM_F_DUMP);

		mnl_attr_put_strz(nlh, VNET_A_VNET, argv[0]);
		if (subnet)
			mnl_attr_put_strz(nlh, VNET_A_SUBNET, subnet);
		if (effective)
			mnl_attr_put(nlh, VNET_A_ROUTE_EFFECTIVE, 0, NULL);
		json_array_clear(arr);
		status = vnl_talk(&c->nl, nlh, parse_route_msg, arr);
		if (status != -EINTR)
			break;
	}
	if (status == -EINTR)
		error("the configuration kept changing during the dump; try again");
	if (!status)
		print_list(c, arr, route_fields, "subnet", "prefix");
	json_decref(arr);
	return status ? EXIT_FAILED : EXIT_DONE;
}

static const struct verb route_verbs[] = {
	{ "add", route_add },
	{ "del", route_del },
	{ "show", route_show },
	{ "list", route_show },
	{ NULL, NULL },
};

const struct object route_object = {
	.name = "route",
	.verbs = route_verbs,
	.usage =
	"  route add VNET SUBNET CIDR nexthop appliance IP | gateway | none\n"
	"  route del VNET SUBNET CIDR\n"
	"  route show VNET [SUBNET] [effective]\n",
};
