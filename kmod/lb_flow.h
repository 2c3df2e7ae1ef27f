/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: what the two halves of the load balancers' packet path share:
 * lb_flow.c (connections: backend choice, their records, the translation
 * of their packets) and lb_related.c (the packets related to a
 * connection: later fragments and ICMP errors). Nothing else includes it.
 */
#ifndef _VNET_LB_FLOW_H
#define _VNET_LB_FLOW_H

#include "datapath.h"
#include "lb.h"

/* A half of a connection: one direction's packet as sent. */
struct lbf_key {
	u32 vnet_id;		/* of the sender */
	u8 family;
	u8 proto;
	u16 sport;
	u16 dport;
	u8 pad[2];
	u8 src[16];
	u8 dst[16];
};

enum { LBF_ORIG, LBF_REPLY };

struct lbf_half {
	struct rhash_head node;
	struct lbf_key key;
	u8 dir;			/* LBF_ORIG or LBF_REPLY */
};

/* The translation of a connection: which lb, frontend and backend. */
struct lbf_nat {
	u64 lb_uid;
	u32 lb_vnet;
	u8 fe[16];
	u8 be[16];
	u16 fport;
	u16 bport;
};

/* e.acct[0]: the client's port, charged for it. */
struct vnet_lb_flow {
	struct vnet_ft_entry e;
	struct lbf_half half[2];
	struct lbf_nat nat;
};

/* lb_flow.c */
void lbf_key_set(struct lbf_key *key, u32 vnet_id, u8 family, u8 proto,
		 const u8 *src, u16 sport, const u8 *dst, u16 dport);
struct vnet_lb_flow *lbf_find(struct vnet_net *vn, const struct lbf_key *key,
			      unsigned int *dir);
const struct vnet_lb_backend *lbf_backend(const struct vnet_lb *lb,
					  const u8 *addr, u16 port);
struct vnet_port *lbf_backend_port(struct vnet_net *vn, u32 vnet_id,
				   u8 family, const u8 *addr);

/* lb_related.c */
int lbf_frag_type_init(void);
void lbf_frag_type_exit(void);
int lbf_frags_init(struct vnet_net *vn);
void lbf_frags_exit(struct vnet_net *vn);
void lbf_frag_add(struct vnet_net *vn, struct vnet_ct_account *acct,
		  u32 vnet_id, const struct vnet_flow *f, const u8 *src,
		  const u8 *dst, bool reply, const struct lbf_nat *nat);
struct vnet_port *lbf_select_related(struct vnet_port *port, u32 vnet_id,
				     const struct vnet_acl_key *k,
				     struct vnet_lb_hit *hit,
				     enum vnet_drop_reason *why);
int lbf_dnat_related(struct sk_buff *skb, struct vnet_flow *f,
		     const struct vnet_lb_hit *hit);
void lbf_reply_related(struct vnet_port *port, struct sk_buff *skb,
		       const struct vnet_flow *f, struct vnet_lb_rev *rev);
int lbf_snat_related(struct sk_buff *skb, const struct vnet_flow *f,
		     const struct vnet_lb_rev *rev);

#endif /* _VNET_LB_FLOW_H */
