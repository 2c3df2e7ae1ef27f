// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl monitor: every change announced on the family's events group, one
 * line per event, flushed at once. The text line reads like the command
 * that would make the change ("vnet add A id 1 prefix 10.1.0.0/16").
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/vnet.h>

#include "lb_msg.h"
#include "msg.h"
#include "vnetctl.h"

static const struct field prefix_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "prefix", F_POS, NULL },
	FIELDS_END
};

static const struct field state_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "name", F_POS, NULL },
	{ "remote", F_KEY, NULL },
	{ "state", F_POS, NULL },
	FIELDS_END
};

/* Deferred ACL changes (a batch) are announced per list, when in force. */
static const struct field acl_commit_fields[] = {
	{ "vnet", F_POS, NULL },
	{ "subnet", F_KEY, NULL },
	{ "port", F_KEY, NULL },
	{ "dir", F_KEY, NULL },
	{ "rules", F_KEY, NULL },
	{ "added", F_KEY, NULL },
	{ "removed", F_KEY, NULL },
	FIELDS_END
};

static const struct event {
	uint8_t cmd;
	const char *object;	/* the words before the event */
	const char *json_object;
	const char *event;
	vnl_parse_fn parse;
	const struct field *fields;
} events[] = {
	{ VNET_CMD_VNET_NEW, "vnet", "vnet", "add", parse_vnet_msg, vnet_fields },
	{ VNET_CMD_VNET_DEL, "vnet", "vnet", "del", parse_vnet_msg, vnet_fields },
	{ VNET_CMD_PREFIX_NEW, "vnet prefix", "prefix", "add", parse_prefix_msg,
	  prefix_fields },
	{ VNET_CMD_PREFIX_DEL, "vnet prefix", "prefix", "del", parse_prefix_msg,
	  prefix_fields },
	{ VNET_CMD_SUBNET_NEW, "subnet", "subnet", "add", parse_subnet_msg,
	  subnet_fields },
	{ VNET_CMD_SUBNET_DEL, "subnet", "subnet", "del", parse_subnet_msg,
	  subnet_fields },
	{ VNET_CMD_PEERING_NEW, "peering", "peering", "add", parse_peering_msg,
	  peering_fields },
	{ VNET_CMD_PEERING_SET, "peering", "peering", "set", parse_peering_msg,
	  peering_fields },
	{ VNET_CMD_PEERING_DEL, "peering", "peering", "del", parse_peering_msg,
	  peering_fields },
	{ VNET_CMD_PEERING_STATE, "peering", "peering", "state",
	  parse_peering_msg, state_fields },
	{ VNET_CMD_PORT_NEW, "port", "port", "add", parse_port_msg, port_fields },
	{ VNET_CMD_PORT_SET, "port", "port", "set", parse_port_msg, port_fields },
	{ VNET_CMD_PORT_DEL, "port", "port", "del", parse_port_msg, port_fields },
	{ VNET_CMD_PORT_STATE, "port", "port", "state", parse_port_msg,
	  port_state_fields },
	{ VNET_CMD_ACL_NEW, "acl", "acl", "add", parse_acl_msg, acl_fields },
	{ VNET_CMD_ACL_DEL, "acl", "acl", "del", parse_acl_msg, acl_fields },
	{ VNET_CMD_ACL_COMMIT, "acl", "acl", "commit", parse_acl_msg,
	  acl_commit_fields },
	{ VNET_CMD_ROUTE_NEW, "route", "route", "add", parse_route_msg,
	  route_fields },
	{ VNET_CMD_ROUTE_DEL, "route", "route", "del", parse_route_msg,
	  route_fields },
	{ VNET_CMD_GATEWAY_SET, "gateway", "gateway", "set", parse_gateway_msg,
	  gateway_fields },
	{ VNET_CMD_GATEWAY_DEL, "gateway", "gateway", "del", parse_gateway_msg,
	  gateway_fields },
	{ VNET_CMD_GATEWAY_STATE, "gateway", "gateway", "state",
	  parse_gateway_msg, gateway_state_fields },
	{ VNET_CMD_LB_NEW, "lb", "lb", "add", parse_lb_msg, lb_fields },
	{ VNET_CMD_LB_DEL, "lb", "lb", "del", parse_lb_msg, lb_fields },
	{ VNET_CMD_ENDPOINT_NEW, "endpoint", "endpoint", "add",
	  parse_endpoint_msg, endpoint_fields },
	{ VNET_CMD_ENDPOINT_DEL, "endpoint", "endpoint", "del",
	  parse_endpoint_msg, endpoint_fields },
};

static void print_event(struct ctx *c, const struct nlmsghdr *nlh)
{
	const struct event *e = NULL;
	json_t *o, *line;

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (events[i].cmd == msg_cmd(nlh))
			e = &events[i];
	if (!e)
		return;		/* an event of a newer module */
	o = e->parse(nlh);
	if (c->json) {
		line = json_pack("{s:s, s:s}", "event", e->event, "object",
				 e->json_object);
		json_object_update(line, o);
		json_dumpf(line, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(line);
	} else {
		printf("%s %s ", e->object, e->event);
		print_text(stdout, e->fields, o);
	}
	json_decref(o);
	fflush(stdout);
}

static int monitor_run(struct ctx *c, int argc, char **argv)
{
	int big = 4 << 20;

	if (argc > 0)
		return usage_error("unexpected \"%s\" after monitor", argv[0]);
	if (ctx_connect(c) || vnl_join_events(&c->nl))
		return EXIT_FAILED;
	/* A burst of changes (a batch of thousands) must not overrun us. */
	setsockopt(mnl_socket_get_fd(c->nl.sock), SOL_SOCKET, SO_RCVBUFFORCE,
		   &big, sizeof(big));
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(c->nl.sock, c->nl.buf,
						VNL_BUF_SIZE);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)c->nl.buf;
		int len = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				error("events were lost: the receive buffer overflowed");
				continue;
			}
			error("cannot receive events: %s", strerror(errno));
			return EXIT_FAILED;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == c->nl.family)
				print_event(c, nlh);
	}
}

const struct object monitor_object = {
	.name = "monitor",
	.run = monitor_run,
	.usage = "  monitor\n",
};
