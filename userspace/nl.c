// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vnet.h>

#include "nl.h"
#include "vnetctl.h"

static int ctrl_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, CTRL_ATTR_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static void find_events_group(struct vnl *nl, const struct nlattr *groups)
{
	const struct nlattr *g;

	mnl_attr_for_each_nested(g, groups) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {};
		const struct nlattr *a;

		mnl_attr_for_each_nested(a, g)
			if (mnl_attr_get_type(a) <= CTRL_ATTR_MCAST_GRP_MAX)
				tb[mnl_attr_get_type(a)] = a;
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    VNET_MCGRP_EVENTS))
			nl->events_group = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int resolve_family(struct vnl *nl)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = {};
	struct genlmsghdr *g;
	struct nlmsghdr *nlh;
	ssize_t n;

	nlh = mnl_nlmsg_put_header(nl->req);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, VNET_GENL_NAME);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	n = mnl_socket_recvfrom(nl->sock, nl->buf, VNL_BUF_SIZE);
	if (n < 0)
		goto fail;
	nlh = (struct nlmsghdr *)nl->buf;
	if (!mnl_nlmsg_ok(nlh, (int)n))
		goto fail;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (e->error == -ENOENT) {
			error("the vnet module is not loaded (no generic netlink family \"%s\")",
			      VNET_GENL_NAME);
			return 1;
		}
		errno = -e->error;
		goto fail;
	}
	mnl_attr_parse(nlh, sizeof(*g), ctrl_attr, tb);
	if (!tb[CTRL_ATTR_FAMILY_ID])
		goto fail;
	nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		find_events_group(nl, tb[CTRL_ATTR_MCAST_GROUPS]);
	return 0;
fail:
	error("cannot resolve the generic netlink family \"%s\": %s",
	      VNET_GENL_NAME, strerror(errno));
	return 1;
}

int vnl_open(struct vnl *nl)
{
	int one = 1;

	if (nl->sock)
		return 0;
	nl->buf = malloc(VNL_BUF_SIZE);
	nl->req = malloc(VNL_BUF_SIZE);
	if (!nl->buf || !nl->req) {
		error("out of memory");
		return 1;
	}
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		error("cannot open a generic netlink socket: %s", strerror(errno));
		return 1;
	}
	/* Extended acks carry the kernel's message; capped acks stay small. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return resolve_family(nl);
}

void vnl_close(struct vnl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->req);
	memset(nl, 0, sizeof(*nl));
}

/* The requests that make an object, which keeps their VNET_A_ORIGIN. */
static bool makes_object(uint8_t cmd)
{
	switch (cmd) {
	case VNET_CMD_VNET_NEW:
	case VNET_CMD_SUBNET_NEW:
	case VNET_CMD_PEERING_NEW:
	case VNET_CMD_ACL_NEW:
	case VNET_CMD_ROUTE_NEW:
	case VNET_CMD_LB_NEW:
	case VNET_CMD_ENDPOINT_NEW:
		return true;
	default:
		return false;
	}
}

struct nlmsghdr *vnl_request(struct vnl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = VNET_GENL_VERSION;
	if (nl->origin && makes_object(cmd))
		mnl_attr_put_u8(nlh, VNET_A_ORIGIN, nl->origin);
	return nlh;
}

/* The extack message of an error or NLMSG_DONE, if the kernel sent one. */
static const char *extack_msg(const struct nlmsghdr *nlh, size_t hdrlen)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	mnl_attr_for_each(a, nlh, hdrlen)
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(a);
	return NULL;
}

/*
 * Every command of the family, reads and the events group included, needs
 * CAP_NET_ADMIN over the network namespace; the kernel refuses without a
 * message, so say what is missing.
 */
static void permission_denied(void)
{
	error("permission denied: vnetctl needs CAP_NET_ADMIN in this network namespace");
}

static int refused(int err, const char *detail, const char *ext)
{
	if (err == -EPERM)
		permission_denied();
	else if (detail[0])
		error("%s", detail);
	else if (ext)
		error("%s", ext);
	else
		error("%s", strerror(-err));
	return 1;
}

static void remember_detail(const struct nlmsghdr *nlh, char *detail)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == VNET_A_ERROR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(detail, ERR_LEN, "%s", mnl_attr_get_str(a));
}

int vnl_talk(struct vnl *nl, struct nlmsghdr *req, vnl_parse_fn parse,
	     json_t *out)
{
	uint32_t seq = req->nlmsg_seq;
	char detail[ERR_LEN] = "";
	bool intr = false;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		error("cannot send to the kernel: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, VNL_BUF_SIZE);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int len = (int)n;

		if (n < 0 && errno == ENOBUFS &&
		    (req->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP) {
			/* The answer, not the request, found no memory. */
			error("the kernel's answer was lost (no buffer space): the request may have been carried out; look with show");
			return 1;
		}
		if (n < 0) {
			error("cannot receive from the kernel: %s", strerror(errno));
			return 1;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;	/* a late reply to an older request */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				size_t hl = sizeof(*e);

				if (!e->error)
					return 0;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					hl += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
				return refused(e->error, detail, extack_msg(nlh, hl));
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				const int *err = mnl_nlmsg_get_payload(nlh);

				if (*err < 0)
					return refused(*err, detail,
						       extack_msg(nlh, sizeof(*err)));
				return intr ? -EINTR : 0;
			}
			if (nlh->nlmsg_type != nl->family)
				continue;
			if (((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd ==
			    VNET_CMD_ERROR) {
				remember_detail(nlh, detail);
				continue;
			}
			if (parse && out) {
				json_t *o = parse(nlh);

				if (o)
					json_array_append_new(out, o);
			}
			/* A doit reply without an ack request ends here. */
			if (!(req->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)))
				return 0;
		}
	}
}

json_t *vnl_dump(struct vnl *nl, uint8_t cmd, const char *vnet,
		 vnl_parse_fn parse, int *status)
{
	json_t *out = json_array();

	for (int tries = 0; tries < 20; tries++) {
		struct nlmsghdr *nlh = vnl_request(nl, cmd, NLM_F_DUMP);

		if (vnet)
			mnl_attr_put_strz(nlh, VNET_A_VNET, vnet);
		json_array_clear(out);
		*status = vnl_talk(nl, nlh, parse, out);
		if (*status != -EINTR)
			break;
	}
	if (*status == -EINTR) {
		error("the configuration kept changing during the dump; try again");
		*status = 1;
	}
	return out;
}

int vnl_join_events(struct vnl *nl)
{
	int group = (int)nl->events_group;

	if (!group) {
		error("the vnet family has no \"%s\" multicast group",
		      VNET_MCGRP_EVENTS);
		return 1;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0) {
		if (errno == EPERM)
			permission_denied();
		else
			error("cannot listen to vnet events: %s",
			      strerror(errno));
		return 1;
	}
	return 0;
}
