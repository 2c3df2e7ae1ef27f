/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink attributes <-> JSON objects. Builders append attributes to a
 * request; parsers turn a reply or an event into the JSON object that both
 * the text and the JSON output print, with the command-line words as keys.
 */
#ifndef VNETCTL_MSG_H
#define VNETCTL_MSG_H

#include <jansson.h>
#include <libmnl/libmnl.h>

#include "parse.h"

void put_prefixes(struct nlmsghdr *nlh, const struct vnet_prefix *p,
		  unsigned int n);
void put_addrs(struct nlmsghdr *nlh, const struct vnet_prefix *p,
	       unsigned int n);
void put_prefix(struct nlmsghdr *nlh, uint16_t type,
		const struct vnet_prefix *p);
void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct vnet_prefix *a);
void put_bitfield(struct nlmsghdr *nlh, uint16_t type, uint32_t value,
		  uint32_t selector);

json_t *parse_vnet_msg(const struct nlmsghdr *nlh);
json_t *parse_prefix_msg(const struct nlmsghdr *nlh);
json_t *parse_subnet_msg(const struct nlmsghdr *nlh);
json_t *parse_peering_msg(const struct nlmsghdr *nlh);
json_t *parse_port_msg(const struct nlmsghdr *nlh);
json_t *parse_stats_msg(const struct nlmsghdr *nlh);
json_t *parse_info_msg(const struct nlmsghdr *nlh);
json_t *parse_acl_msg(const struct nlmsghdr *nlh);
json_t *parse_route_msg(const struct nlmsghdr *nlh);	/* route.c */
/* Names of enum vnet_route_nexthop and enum vnet_route_source (route.c). */
#define ROUTE_NEXTHOP_NAMES 4
#define ROUTE_SOURCE_NAMES 4
extern const char *const route_nexthop_names[ROUTE_NEXTHOP_NAMES];
extern const char *const route_source_names[ROUTE_SOURCE_NAMES];
json_t *parse_gateway_msg(const struct nlmsghdr *nlh);	/* gateway.c */
/* An endpoint: vnet, ip, mac, remote (the command-line words). */
json_t *parse_endpoint_msg(const struct nlmsghdr *nlh);
/* @key: the nested address @a as text, if it holds one. */
void msg_set_addr(json_t *o, const char *key, const struct nlattr *a);
/* Protocol names of ACL rules; NULL or false: use the number. */
const char *acl_proto_name(unsigned int proto);
bool acl_proto_number(const char *name, uint8_t *proto);

/* @key: the string @a, if it is one. */
void msg_set_str(json_t *o, const char *key, const struct nlattr *a);
void msg_set_origin(json_t *o, const struct nlattr *a);
/* @key: the name of the u8 @a in @names[@n], or its number. */
void msg_set_enum(json_t *o, const char *key, const struct nlattr *a,
		  const char *const *names, size_t n);
/* One nested prefix or address; false when it carries no address. */
bool msg_get_prefix(const struct nlattr *nest, struct vnet_prefix *p);

/* The genl command of a message. */
uint8_t msg_cmd(const struct nlmsghdr *nlh);

const char *drop_reason_name(unsigned int reason);
const char *peering_state_name(unsigned int state);

#endif
