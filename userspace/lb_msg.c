// SPDX-License-Identifier: GPL-2.0
/*
 * Load balancers: the words of "lb add" and the netlink attributes built
 * from them and read back. Pure, so the unit tests can feed them anything.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/vnet.h>

#include "lb_msg.h"
#include "msg.h"

static json_t *parse_backends(const struct nlattr *list)
{
	json_t *arr = json_array();
	const struct nlattr *elem, *a;

	mnl_attr_for_each_nested(elem, list) {
		struct vnet_prefix p = {};
		uint16_t port = 0;
		char buf[FMT_LEN];

		mnl_attr_for_each_nested(a, elem) {
			if (mnl_attr_get_type(a) == VNET_BACKEND_A_ADDR)
				msg_get_prefix(a, &p);
			else if (mnl_attr_get_type(a) == VNET_BACKEND_A_PORT &&
				 !mnl_attr_validate(a, MNL_TYPE_U16))
				port = mnl_attr_get_u16(a);
		}
		if (p.family)
			json_array_append_new(arr, json_string(
				format_backend(&p, port, buf)));
	}
	return arr;
}

json_t *parse_lb_msg(const struct nlmsghdr *nlh)
{
	json_t *o = json_object();
	const struct nlattr *a;
	struct vnet_prefix p;
	char buf[FMT_LEN];

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case VNET_A_VNET:
			msg_set_str(o, "vnet", a);
			break;
		case VNET_A_LB:
			msg_set_str(o, "name", a);
			break;
		case VNET_A_LB_FRONTEND:
			if (msg_get_prefix(a, &p))
				json_object_set_new(o, "frontend", json_string(
					format_addr(&p, buf)));
			break;
		case VNET_A_LB_PROTO:
			if (mnl_attr_validate(a, MNL_TYPE_U8))
				break;
			if (mnl_attr_get_u8(a) == IPPROTO_TCP)
				json_object_set_new(o, "proto", json_string("tcp"));
			else if (mnl_attr_get_u8(a) == IPPROTO_UDP)
				json_object_set_new(o, "proto", json_string("udp"));
			else
				json_object_set_new(o, "proto", json_integer(
					mnl_attr_get_u8(a)));
			break;
		case VNET_A_LB_PORT:
			if (!mnl_attr_validate(a, MNL_TYPE_U16))
				json_object_set_new(o, "port", json_integer(
					mnl_attr_get_u16(a)));
			break;
		case VNET_A_LB_BACKENDS:
			json_object_set_new(o, "backends", parse_backends(a));
			break;
		case VNET_A_ORIGIN:
			msg_set_origin(o, a);
			break;
		}
	}
	return o;
}

int lb_parse_args(int argc, char **argv, struct lb_args *lb, char *err)
{
	uint32_t port;

	memset(lb, 0, sizeof(*lb));
	if (argc < 2) {
		snprintf(err, ERR_LEN,
			 "usage: lb add VNET NAME frontend IP proto tcp|udp port N backend IP:PORT [backend IP:PORT ...]");
		return -1;
	}
	if (parse_name("vnet", argv[0], err) || parse_name("lb", argv[1], err))
		return -1;
	lb->vnet = argv[0];
	lb->name = argv[1];
	for (int i = 2; i < argc; i += 2) {
		const char *w = argv[i], *val;

		if (i + 1 >= argc) {
			snprintf(err, ERR_LEN, "\"%.40s\" needs a value", w);
			return -1;
		}
		val = argv[i + 1];
		if (!strcmp(w, "frontend") && !lb->frontend.family) {
			if (parse_addr(val, &lb->frontend, err))
				return -1;
		} else if (!strcmp(w, "proto") && !lb->proto) {
			if (!strcmp(val, "tcp")) {
				lb->proto = IPPROTO_TCP;
			} else if (!strcmp(val, "udp")) {
				lb->proto = IPPROTO_UDP;
			} else {
				snprintf(err, ERR_LEN,
					 "invalid lb protocol \"%.40s\": expected tcp or udp",
					 val);
				return -1;
			}
		} else if (!strcmp(w, "port") && !lb->port) {
			if (parse_u32("lb port", val, 1, 65535, &port, err))
				return -1;
			lb->port = (uint16_t)port;
		} else if (!strcmp(w, "backend")) {
			if (lb->nr_backends == LB_ARGS_MAX) {
				snprintf(err, ERR_LEN, "more than %d backends",
					 LB_ARGS_MAX);
				return -1;
			}
			if (parse_backend(val, &lb->backends[lb->nr_backends],
					  &lb->ports[lb->nr_backends], err))
				return -1;
			lb->nr_backends++;
		} else {
			snprintf(err, ERR_LEN, "unexpected \"%.40s\" in lb add", w);
			return -1;
		}
	}
	if (!lb->frontend.family || !lb->proto || !lb->port ||
	    !lb->nr_backends) {
		snprintf(err, ERR_LEN,
			 "lb add needs \"frontend IP\", \"proto tcp|udp\", \"port N\" and at least one \"backend IP:PORT\"");
		return -1;
	}
	return 0;
}

void lb_put_args(struct nlmsghdr *nlh, const struct lb_args *lb)
{
	struct nlattr *list, *be;

	mnl_attr_put_strz(nlh, VNET_A_VNET, lb->vnet);
	mnl_attr_put_strz(nlh, VNET_A_LB, lb->name);
	put_addr(nlh, VNET_A_LB_FRONTEND, &lb->frontend);
	mnl_attr_put_u8(nlh, VNET_A_LB_PROTO, lb->proto);
	mnl_attr_put_u16(nlh, VNET_A_LB_PORT, lb->port);
	list = mnl_attr_nest_start(nlh, VNET_A_LB_BACKENDS);
	for (unsigned int i = 0; i < lb->nr_backends; i++) {
		be = mnl_attr_nest_start(nlh, (uint16_t)(i + 1));
		put_addr(nlh, VNET_BACKEND_A_ADDR, &lb->backends[i]);
		mnl_attr_put_u16(nlh, VNET_BACKEND_A_PORT, lb->ports[i]);
		mnl_attr_nest_end(nlh, be);
	}
	mnl_attr_nest_end(nlh, list);
}

