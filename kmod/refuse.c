// SPDX-License-Identifier: GPL-2.0
/*
 * Refusals: how object code says no to a request without speaking netlink.
 * The refusal waits in the request's context (struct vnet_req) until the
 * netlink side sends it (netlink.c).
 */
#include <linux/kernel.h>
#include <linux/slab.h>

#include "vnet.h"

/*
 * Refuse a request: returns @err, so callers can "return vnet_refuse()".
 * @msg is a fixed string (the extack message); the formatted text names
 * the objects involved. Both wait in @req for the netlink side to send
 * them (vnet_post_doit()); the first refusal of a request counts.
 */
int vnet_refuse(struct vnet_req *req, int err, const char *msg,
		const char *fmt, ...)
{
	struct vnet_refusal *r = req ? req->refusal : NULL;
	va_list ap;

	if (!r || r->msg)
		return err;
	r->msg = msg;
	va_start(ap, fmt);
	r->text = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	return err;
}
