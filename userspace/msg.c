// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vnet.h>

#include "msg.h"

/* Builders */

static void put_one(struct nlmsghdr *nlh, uint16_t index,
		    const struct vnet_prefix *p, bool with_len)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, index);

	if (p->family == AF_INET)
		mnl_attr_put(nlh, VNET_PREFIX_A_IN_ADDR, 4, p->addr);
	else
		mnl_attr_put(nlh, VNET_PREFIX_A_IN6_ADDR, 16, p->addr);
	if (with_len)
		mnl_attr_put_u8(nlh, VNET_PREFIX_A_LEN, p->len);
	mnl_attr_nest_end(nlh, nest);
}

void put_prefix(struct nlmsghdr *nlh, uint16_t type,
		const struct vnet_prefix *p)
{
	put_one(nlh, type, p, true);
}

/* An address: a prefix without its length. */
void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct vnet_prefix *a)
{
	put_one(nlh, type, a, false);
}

void put_prefixes(struct nlmsghdr *nlh, const struct vnet_prefix *p,
		  unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, VNET_A_PREFIXES);

	for (unsigned int i = 0; i < n; i++)
		put_one(nlh, (uint16_t)(i + 1), &p[i], true);
	mnl_attr_nest_end(nlh, nest);
}

void put_addrs(struct nlmsghdr *nlh, const struct vnet_prefix *p,
	       unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, VNET_A_ADDRS);

	for (unsigned int i = 0; i < n; i++)
		put_one(nlh, (uint16_t)(i + 1), &p[i], false);
	mnl_attr_nest_end(nlh, nest);
}

void put_bitfield(struct nlmsghdr *nlh, uint16_t type, uint32_t value,
		  uint32_t selector)
{
	struct nla_bitfield32 bf = { .value = value, .selector = selector };

	mnl_attr_put(nlh, type, sizeof(bf), &bf);
}

/* Parsers: attributes the CLI does not know are skipped. */

struct attrs {
	const struct nlattr *tb[VNET_A_MAX + 1];
};

static int collect(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= VNET_A_MAX)
		at->tb[type] = a;
	return MNL_CB_OK;
}

static void parse_attrs(const struct nlmsghdr *nlh, struct attrs *at)
{
	memset(at, 0, sizeof(*at));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), collect, at);
}

uint8_t msg_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
}

/* Who made the object (VNET_A_ORIGIN), unless an operator did. */
void msg_set_origin(json_t *o, const struct nlattr *a)
{
	const char *name;
	uint8_t v;

	if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return;
	v = mnl_attr_get_u8(a);
	name = origin_name(v);
	if (name)
		json_object_set_new(o, "origin", json_string(name));
	else if (v)
		json_object_set_new(o, "origin", json_integer(v));
}

void msg_set_str(json_t *o, const char *key, const struct nlattr *a)
{
	if (a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		json_object_set_new(o, key, json_string(mnl_attr_get_str(a)));
}

void msg_set_enum(json_t *o, const char *key, const struct nlattr *a,
		  const char *const *names, size_t n)
{
	unsigned int v;

	if (!a || mnl_attr_validate(a, MNL_TYPE_U8))
		return;
	v = mnl_attr_get_u8(a);
	if (v < n && names[v])
		json_object_set_new(o, key, json_string(names[v]));
	else
		json_object_set_new(o, key, json_integer(v));
}

/* One nested prefix or address; false when it carries no address. */
bool msg_get_prefix(const struct nlattr *nest, struct vnet_prefix *p)
{
	const struct nlattr *a;

	memset(p, 0, sizeof(*p));
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case VNET_PREFIX_A_IN_ADDR:
			if (mnl_attr_get_payload_len(a) != 4)
				break;
			p->family = AF_INET;
			memcpy(p->addr, mnl_attr_get_payload(a), 4);
			break;
		case VNET_PREFIX_A_IN6_ADDR:
			if (mnl_attr_get_payload_len(a) != 16)
				break;
			p->family = AF_INET6;
			memcpy(p->addr, mnl_attr_get_payload(a), 16);
			break;
		case VNET_PREFIX_A_LEN:
			p->len = mnl_attr_get_u8(a);
			break;
		}
	}
	return p->family;
}

/* An array of prefixes (with lengths) or addresses (without). */
static json_t *prefix_list(const struct nlattr *nest, bool with_len)
{
	json_t *arr = json_array();
	const struct nlattr *elem;

	if (!nest)
		return arr;
	mnl_attr_for_each_nested(elem, nest) {
		struct vnet_prefix p;
		char buf[FMT_LEN];

		if (!msg_get_prefix(elem, &p))
			continue;
		json_array_append_new(arr, json_string(with_len ?
				      format_prefix(&p, buf) :
				      format_addr(&p, buf)));
	}
	return arr;
}

static const struct nla_bitfield32 *bitfield(const struct nlattr *a)
{
	if (!a || mnl_attr_get_payload_len(a) != sizeof(struct nla_bitfield32))
		return NULL;
	return mnl_attr_get_payload(a);
}

static void set_flag(json_t *o, const char *key, const struct nlattr *a,
		     uint32_t bit)
{
	const struct nla_bitfield32 *bf = bitfield(a);

	if (bf && (bf->selector & bit))
		json_object_set_new(o, key, json_boolean(bf->value & bit));
}

/* Is @bit of the bitfield @a given and on? */
static bool flag_on(const struct nlattr *a, uint32_t bit)
{
	const struct nla_bitfield32 *bf = bitfield(a);

	return bf && (bf->selector & bf->value & bit);
}

json_t *parse_vnet_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object();
	struct attrs at;

	parse_attrs(nlh, &at);
	msg_set_str(o, "name", at.tb[VNET_A_VNET]);
	if (at.tb[VNET_A_ID])
		json_object_set_new(o, "id",
				    json_integer(mnl_attr_get_u32(at.tb[VNET_A_ID])));
	if (at.tb[VNET_A_PREFIXES])
		json_object_set_new(o, "prefixes",
				    prefix_list(at.tb[VNET_A_PREFIXES], true));
	msg_set_origin(o, at.tb[VNET_A_ORIGIN]);
	return o;
}

json_t *parse_prefix_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object(), *list;
	struct attrs at;

	parse_attrs(nlh, &at);
	msg_set_str(o, "vnet", at.tb[VNET_A_VNET]);
	list = prefix_list(at.tb[VNET_A_PREFIXES], true);
	if (json_array_size(list))
		json_object_set(o, "prefix", json_array_get(list, 0));
	json_decref(list);
	return o;
}

json_t *parse_subnet_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object();
	struct attrs at;

	parse_attrs(nlh, &at);
	msg_set_str(o, "vnet", at.tb[VNET_A_VNET]);
	msg_set_str(o, "name", at.tb[VNET_A_SUBNET]);
	if (at.tb[VNET_A_PREFIXES])
		json_object_set_new(o, "prefixes",
				    prefix_list(at.tb[VNET_A_PREFIXES], true));
	msg_set_origin(o, at.tb[VNET_A_ORIGIN]);
	return o;
}

const char *peering_state_name(unsigned int state)
{
	static const char *const names[] = {
		[VNET_PEERING_INITIATED] = "initiated",
		[VNET_PEERING_CONNECTED] = "connected",
		[VNET_PEERING_DISCONNECTED] = "disconnected",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] :
							  "unknown";
}

json_t *parse_peering_msg(const struct nlmsghdr *nlh)
{
	const struct nlattr *flags;
	json_t *o = json_object();
	struct attrs at;

	parse_attrs(nlh, &at);
	msg_set_str(o, "vnet", at.tb[VNET_A_VNET]);
	msg_set_str(o, "name", at.tb[VNET_A_PEERING]);
	msg_set_str(o, "remote", at.tb[VNET_A_REMOTE]);
	if (at.tb[VNET_A_STATE])
		json_object_set_new(o, "state",
			json_string(peering_state_name(mnl_attr_get_u8(at.tb[VNET_A_STATE]))));
	flags = at.tb[VNET_A_FLAGS];
	set_flag(o, "access", flags, VNET_PEERING_F_ACCESS);
	set_flag(o, "forwarded", flags, VNET_PEERING_F_FORWARDED);
	set_flag(o, "gateway-transit", flags, VNET_PEERING_F_GATEWAY_TRANSIT);
	set_flag(o, "use-remote-gateways", flags, VNET_PEERING_F_USE_REMOTE_GW);
	msg_set_origin(o, at.tb[VNET_A_ORIGIN]);
	return o;
}

json_t *parse_port_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object();
	struct attrs at;
	char buf[FMT_LEN];

	parse_attrs(nlh, &at);
	msg_set_str(o, "dev", at.tb[VNET_A_IFNAME]);
	msg_set_str(o, "vnet", at.tb[VNET_A_VNET]);
	msg_set_str(o, "subnet", at.tb[VNET_A_SUBNET]);
	if (at.tb[VNET_A_MAC] && mnl_attr_get_payload_len(at.tb[VNET_A_MAC]) == 6)
		json_object_set_new(o, "mac", json_string(
			format_mac(mnl_attr_get_payload(at.tb[VNET_A_MAC]), buf)));
	if (at.tb[VNET_A_ADDRS])
		json_object_set_new(o, "ips",
				    prefix_list(at.tb[VNET_A_ADDRS], false));
	set_flag(o, "forwarding", at.tb[VNET_A_PORT_FLAGS],
		 VNET_PORT_F_FORWARDING);
	if (at.tb[VNET_A_STATE])
		json_object_set_new(o, "state", json_string(
			mnl_attr_get_u8(at.tb[VNET_A_STATE]) == VNET_PORT_UP ?
			"up" : "absent"));
	return o;
}

const char *drop_reason_name(unsigned int reason)
{
	static const char *const names[__VNET_DROP_MAX] = {
		[VNET_DROP_MALFORMED] = "malformed",
		[VNET_DROP_SPOOF_MAC] = "spoofed-mac",
		[VNET_DROP_SPOOF_IP] = "spoofed-ip",
		[VNET_DROP_VLAN] = "vlan",
		[VNET_DROP_PROTOCOL] = "protocol",
		[VNET_DROP_BROADCAST] = "broadcast",
		[VNET_DROP_ARP_IGNORED] = "arp-ignored",
		[VNET_DROP_ND_IGNORED] = "nd-ignored",
		[VNET_DROP_RA] = "router-advertisement",
		[VNET_DROP_DHCP_SERVER] = "dhcp-server",
		[VNET_DROP_NO_ROUTE] = "no-route",
		[VNET_DROP_PEERING_NOT_CONNECTED] = "peering-not-connected",
		[VNET_DROP_PEERING_ACCESS_OFF] = "peering-access-off",
		[VNET_DROP_NO_PORT] = "no-port",
		[VNET_DROP_LOOP] = "loop",
		[VNET_DROP_TX_ERROR] = "tx-error",
		[VNET_DROP_NO_MEMORY] = "no-memory",
		[VNET_DROP_ACL] = "acl",
		[VNET_DROP_CT_FULL] = "conntrack-full",
		[VNET_DROP_ROUTE_NONE] = "route-none",
		[VNET_DROP_APPLIANCE_UNREACHABLE] = "appliance-unreachable",
		[VNET_DROP_FORWARDED] = "forwarded",
		[VNET_DROP_NO_GATEWAY] = "gateway-unreachable",
		[VNET_DROP_LB_NO_RULE] = "lb-no-rule",
		[VNET_DROP_LB_NO_BACKEND] = "lb-no-backend",
		[VNET_DROP_NO_TUNNEL] = "no-tunnel",
		[VNET_DROP_UNKNOWN_VNI] = "unknown-vni",
		[VNET_DROP_UNKNOWN_ENDPOINT] = "unknown-endpoint",
		[VNET_DROP_LB_UNTRACKED] = "lb-untracked",
		[VNET_DROP_IPV6_EXTHDR] = "ipv6-exthdr",
		[VNET_DROP_RH0] = "routing-header-0",
		[VNET_DROP_ND_EXTHDR] = "nd-exthdr",
		[VNET_DROP_PORT_SHARE] = "port-share",
		[VNET_DROP_VNET_SHARE] = "vnet-share",
		[VNET_DROP_LB_NOT_SYN] = "lb-not-syn",
		[VNET_DROP_PORT_ABSENT] = "port-absent",
	};

	return reason < __VNET_DROP_MAX && names[reason] ? names[reason] : NULL;
}

static void set_u64(json_t *o, const char *key, const struct nlattr *a)
{
	if (a && mnl_attr_get_payload_len(a) == sizeof(uint64_t))
		json_object_set_new(o, key,
				    json_integer((json_int_t)mnl_attr_get_u64(a)));
}

static void set_u32(json_t *o, const char *key, const struct nlattr *a)
{
	if (a && mnl_attr_get_payload_len(a) == sizeof(uint32_t))
		json_object_set_new(o, key, json_integer(mnl_attr_get_u32(a)));
}

void msg_set_addr(json_t *o, const char *key, const struct nlattr *a)
{
	struct vnet_prefix p;
	char buf[FMT_LEN];

	if (a && msg_get_prefix(a, &p))
		json_object_set_new(o, key, json_string(format_addr(&p, buf)));
}

json_t *parse_endpoint_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object();
	char buf[FMT_LEN];
	struct attrs at;

	parse_attrs(nlh, &at);
	msg_set_str(o, "vnet", at.tb[VNET_A_VNET]);
	msg_set_addr(o, "ip", at.tb[VNET_A_ENDPOINT_IP]);
	if (at.tb[VNET_A_MAC] && mnl_attr_get_payload_len(at.tb[VNET_A_MAC]) == 6)
		json_object_set_new(o, "mac", json_string(
			format_mac(mnl_attr_get_payload(at.tb[VNET_A_MAC]), buf)));
	msg_set_addr(o, "remote", at.tb[VNET_A_ENDPOINT_UNDERLAY]);
	/* Only when on: documents written before the flag stay the same. */
	if (flag_on(at.tb[VNET_A_PORT_FLAGS], VNET_PORT_F_FORWARDING))
		json_object_set_new(o, "forwarding", json_true());
	msg_set_origin(o, at.tb[VNET_A_ORIGIN]);
	return o;
}

json_t *parse_stats_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object(), *drops = json_object();
	const struct nlattr *a, *d;
	struct attrs at;

	parse_attrs(nlh, &at);
	msg_set_str(o, "dev", at.tb[VNET_A_IFNAME]);
	if (!at.tb[VNET_A_STATS])
		goto out;
	mnl_attr_for_each_nested(a, at.tb[VNET_A_STATS]) {
		switch (mnl_attr_get_type(a)) {
		case VNET_STATS_A_RX_PACKETS:
			set_u64(o, "rx-packets", a);
			break;
		case VNET_STATS_A_RX_BYTES:
			set_u64(o, "rx-bytes", a);
			break;
		case VNET_STATS_A_TX_PACKETS:
			set_u64(o, "tx-packets", a);
			break;
		case VNET_STATS_A_TX_BYTES:
			set_u64(o, "tx-bytes", a);
			break;
		case VNET_STATS_A_CONNS:
			set_u32(o, "connections", a);
			break;
		case VNET_STATS_A_FRAGMENTS:
			set_u32(o, "fragments", a);
			break;
		case VNET_STATS_A_LB_FLOWS:
			set_u32(o, "lb-flows", a);
			break;
		case VNET_STATS_A_FLOW_HITS:
			set_u64(o, "flow-hits", a);
			break;
		case VNET_STATS_A_FLOW_MISSES:
			set_u64(o, "flow-misses", a);
			break;
		case VNET_STATS_A_FLOW_RECOMPUTES:
			set_u64(o, "flow-recomputes", a);
			break;
		case VNET_STATS_A_FLOW_INSERT_FAILED:
			set_u64(o, "flow-insert-failed", a);
			break;
		case VNET_STATS_A_DENIED_FLOWS:
			set_u32(o, "denied-flows", a);
			break;
		case VNET_STATS_A_FLOW_CARRIED:
			set_u64(o, "flow-carried", a);
			break;
		case VNET_STATS_A_DROPS:
			mnl_attr_for_each_nested(d, a) {
				unsigned int r = mnl_attr_get_type(d) - 1u;
				const char *name = drop_reason_name(r);
				char other[32];

				if (!name) {
					snprintf(other, sizeof(other), "reason-%u", r);
					name = other;
				}
				set_u64(drops, name, d);
			}
			break;
		}
	}
out:
	json_object_set_new(o, "drops", drops);
	return o;
}

json_t *parse_info_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object();
	struct attrs at;
	char buf[FMT_LEN];

	parse_attrs(nlh, &at);
	msg_set_str(o, "version", at.tb[VNET_A_VERSION]);
	if (at.tb[VNET_A_ROUTER_MAC] &&
	    mnl_attr_get_payload_len(at.tb[VNET_A_ROUTER_MAC]) == 6)
		json_object_set_new(o, "router-mac", json_string(
			format_mac(mnl_attr_get_payload(at.tb[VNET_A_ROUTER_MAC]), buf)));
	return o;
}

static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "icmp", IPPROTO_ICMP }, { "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP }, { "icmpv6", IPPROTO_ICMPV6 },
};

const char *acl_proto_name(unsigned int proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

bool acl_proto_number(const char *name, uint8_t *proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(name, protos[i].name)) {
			*proto = protos[i].num;
			return true;
		}
	return false;
}

/* One prefix nested directly in @nest (VNET_A_ACL_SRC, VNET_A_ACL_DST). */
static json_t *single_prefix(const struct nlattr *nest)
{
	struct vnet_prefix p;
	char buf[FMT_LEN];

	return msg_get_prefix(nest, &p) ? json_string(format_prefix(&p, buf)) : NULL;
}

static void set_range(json_t *o, const char *key, const struct nlattr *a)
{
	uint32_t r;
	char buf[16];

	if (!a || mnl_attr_get_payload_len(a) != 4)
		return;
	r = mnl_attr_get_u32(a);
	if (r >> 16 == (r & 0xffff))
		snprintf(buf, sizeof(buf), "%u", r >> 16);
	else
		snprintf(buf, sizeof(buf), "%u-%u", r >> 16, r & 0xffff);
	json_object_set_new(o, key, json_string(buf));
}

json_t *parse_acl_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object(), *p;
	struct attrs at;
	const char *name;

	parse_attrs(nlh, &at);
	msg_set_str(o, "vnet", at.tb[VNET_A_VNET]);
	if (at.tb[VNET_A_ACL_SCOPE] &&
	    mnl_attr_get_u8(at.tb[VNET_A_ACL_SCOPE]) == VNET_ACL_SCOPE_PORT)
		msg_set_str(o, "port", at.tb[VNET_A_IFNAME]);
	else
		msg_set_str(o, "subnet", at.tb[VNET_A_SUBNET]);
	if (at.tb[VNET_A_ACL_DIR])
		json_object_set_new(o, "dir", json_string(
			mnl_attr_get_u8(at.tb[VNET_A_ACL_DIR]) == VNET_ACL_DIR_IN ?
			"in" : "out"));
	if (at.tb[VNET_A_ACL_PRIO])
		json_object_set_new(o, "prio",
			json_integer(mnl_attr_get_u16(at.tb[VNET_A_ACL_PRIO])));
	if (at.tb[VNET_A_ACL_ACTION])
		json_object_set_new(o, "action", json_string(
			mnl_attr_get_u8(at.tb[VNET_A_ACL_ACTION]) == VNET_ACL_ALLOW ?
			"allow" : "deny"));
	if (at.tb[VNET_A_ACL_PROTO]) {
		unsigned int n = mnl_attr_get_u8(at.tb[VNET_A_ACL_PROTO]);

		name = acl_proto_name(n);
		json_object_set_new(o, "proto", name ? json_string(name) :
							json_integer(n));
	}
	if (at.tb[VNET_A_ACL_SRC] && (p = single_prefix(at.tb[VNET_A_ACL_SRC])))
		json_object_set_new(o, "src", p);
	if (at.tb[VNET_A_ACL_DST] && (p = single_prefix(at.tb[VNET_A_ACL_DST])))
		json_object_set_new(o, "dst", p);
	msg_set_str(o, "from-vnet", at.tb[VNET_A_ACL_FROM_VNET]);
	set_range(o, "sport", at.tb[VNET_A_ACL_SPORT]);
	set_range(o, "dport", at.tb[VNET_A_ACL_DPORT]);
	/* The commit event of deferred changes. */
	set_u32(o, "rules", at.tb[VNET_A_ACL_RULES]);
	set_u32(o, "added", at.tb[VNET_A_ACL_ADDED]);
	set_u32(o, "removed", at.tb[VNET_A_ACL_REMOVED]);
	msg_set_origin(o, at.tb[VNET_A_ORIGIN]);
	return o;
}
