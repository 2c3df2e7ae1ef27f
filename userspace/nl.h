/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the vnet generic netlink family over one libmnl socket: build
 * a request, send it, read replies, acks and errors. Kernel refusals are
 * printed here, once, as "Error: <message>".
 */
#ifndef VNETCTL_NL_H
#define VNETCTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <libmnl/libmnl.h>

struct vnl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint32_t events_group;
	char *buf;		/* receive buffer, VNL_BUF_SIZE */
	char *req;		/* request being built */
	uint8_t origin;		/* VNET_A_ORIGIN of every NEW request, if set */
};

#define VNL_BUF_SIZE (64 * 1024)

/* Parses one reply message into a JSON object (NULL: skip it). */
typedef json_t *(*vnl_parse_fn)(const struct nlmsghdr *nlh);

/* Opens the socket and resolves the family; 0, or 1 with an error printed. */
int vnl_open(struct vnl *nl);
void vnl_close(struct vnl *nl);

/* Starts a request of @cmd in nl->req. */
struct nlmsghdr *vnl_request(struct vnl *nl, uint8_t cmd, uint16_t flags);

/*
 * Sends @nlh and reads until its ack (or the end of a dump). Each data
 * message is parsed by @parse (may be NULL) and appended to @out. Returns 0,
 * 1 when the kernel refused (message printed), or -EINTR when a dump raced
 * a change and must be repeated.
 */
int vnl_talk(struct vnl *nl, struct nlmsghdr *nlh, vnl_parse_fn parse,
	     json_t *out);

/* A dump of @cmd into a fresh array, repeated if it raced a change. */
json_t *vnl_dump(struct vnl *nl, uint8_t cmd, const char *vnet,
		 vnl_parse_fn parse, int *status);

int vnl_join_events(struct vnl *nl);

#endif
