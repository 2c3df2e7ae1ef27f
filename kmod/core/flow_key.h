/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The key of a connection half in the flow table (kmod/conntrack.c): what
 * the packet path hashes and compares on every lookup. Here, apart from
 * the kernel glue, so that the userspace model of a flow-table hit
 * (userspace/bench/bench_flow.c) hashes and compares the same bytes.
 */
#ifndef _VNET_CORE_FLOW_KEY_H
#define _VNET_CORE_FLOW_KEY_H

#include "compat.h"

/* Who sends a half: its port's account (opaque here). */
struct vnet_ct_account;

struct vnet_ct_key {
	const struct vnet_ct_account *from;
	u8 src[16], dst[16];
	u16 sport, dport;	/* TCP, UDP; ICMP echo id; fragment id */
	u8 stag, dtag;		/* what sport, dport hold if not ports */
	u8 family, proto;
};

/*
 * Tags: an ICMP echo request's id, or the IP id of a fragmented packet.
 * CT_TAG_OFF_PATH marks a reply half that no packet may find: that of an
 * entry whose replies would not be routed back to its opener, and that
 * of a fragment entry (only its own direction is looked up). No packet's
 * key has the mark, and such a half is keyed under the opener's account,
 * not the replier's: it never takes a key that a real connection, or
 * another opener's marked half, needs. (Else a port with forwarding on,
 * which may send any source, could open entries whose reply halves hold
 * the keys of other ports' replies, or of their fragments' entries.)
 */
enum { CT_TAG_ECHO = 1, CT_TAG_FRAGMENT, CT_TAG_OFF_PATH = 0x80 };

/* @r: the key of the replies to key @k, sent by account @to. */
static inline void vnet_ct_mirror(struct vnet_ct_key *r,
				  const struct vnet_ct_key *k,
				  const struct vnet_ct_account *to)
{
	memset(r, 0, sizeof(*r));
	r->from = to;
	memcpy(r->src, k->dst, sizeof(r->src));
	memcpy(r->dst, k->src, sizeof(r->dst));
	r->sport = k->dport;
	r->dport = k->sport;
	r->stag = k->dtag;
	r->dtag = k->stag;
	r->family = k->family;
	r->proto = k->proto;
}

#endif /* _VNET_CORE_FLOW_KEY_H */
