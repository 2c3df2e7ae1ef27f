/* SPDX-License-Identifier: GPL-2.0 */
/* Load balancers: "lb add" arguments and messages (lb_msg.c). */
#ifndef VNETCTL_LB_MSG_H
#define VNETCTL_LB_MSG_H

#include <jansson.h>
#include <libmnl/libmnl.h>

#include "parse.h"

/* The most backends the CLI sends; the kernel's limit is max_lb_backends. */
#define LB_ARGS_MAX 1024

struct lb_args {
	const char *vnet, *name;
	struct vnet_prefix frontend;
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	unsigned int nr_backends;
	struct vnet_prefix backends[LB_ARGS_MAX];
	uint16_t ports[LB_ARGS_MAX];
};

/* argv after "lb add": VNET NAME frontend IP proto P port N backend ... */
int lb_parse_args(int argc, char **argv, struct lb_args *lb, char *err);
void lb_put_args(struct nlmsghdr *nlh, const struct lb_args *lb);
/* An LB_GET reply or an LB event, keys as the command-line words. */
json_t *parse_lb_msg(const struct nlmsghdr *nlh);

#endif
