/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: the flow table, one implementation for every table of flows the
 * packet path makes: tracked connections (conntrack.c), load balancer
 * connections (lb_flow.c) and their first fragments (lb_related.c).
 *
 * An entry is the user's struct, which starts with a struct vnet_ft_entry
 * and holds an array of one or two halves; a half is the user's struct
 * of an rhash_head node, the key and a u8 dir, its index in the array.
 * Every half is found by its key in the table's rhashtable, and each
 * leads to the same entry: a connection is found from either direction.
 * The entry holds what the table needs: its expiry, its state, a DEAD
 * bit, the configuration generation it was last checked against and the
 * share accounts it is charged to; the user's payload follows.
 *
 * Shares: every entry is charged, when it is allocated, to one account
 * (a port's: acct[0]) and through it to that port's vnet, and counts
 * against the table's size (at most ct_max entries); it may hold a second
 * account (acct[1]) that is not charged, only kept alive and watched. An
 * entry goes when either of its ports goes. A cached verdict
 * (VNET_CT_DROP) is charged the same way in a pool of its own, apart
 * from the connections' places (enum vnet_ft_pool).
 *
 * DOC: Locking
 *
 * - Lookups, inserts and kills run under RCU, lock free, in the packet
 *   path (softirq) or in a request that runs it (trace, inside
 *   rcu_read_lock()): the table is an rhashtable, which resizes itself
 *   in a worker. The garbage collector, a delayed work per table, walks
 *   it in process context inside rcu_read_lock() (the walk's). No lock
 *   of the control path is needed or taken here; vn->lock callers only
 *   retire accounts and ask for a collection.
 * - An entry is born DEAD: vnet_ft_alloc() sets the bit, and
 *   vnet_ft_insert() clears it (a release) only once every half is in.
 *   So nobody finds or kills a half-inserted entry, and only its inserter
 *   may take it out again (when a half cannot go in).
 * - vnet_ft_kill() is the one way out of the table: whoever sets the DEAD
 *   bit first (test_and_set_bit(), a full barrier) removes every half,
 *   uncharges the shares and hands the entry to call_rcu(); everyone else
 *   returns. So an entry is removed and uncharged exactly once, whether
 *   the packet path (expired at lookup, stopped by a rule, replaced) or
 *   the collector (expired, its port or lb gone, namespace exit) gets
 *   there first. vnet_ft_replace() takes the bit the same way, and moves
 *   the entry's keys and its charge to the entry that replaces it.
 * - A lookup that finds a half whose entry is DEAD, or expired, misses. An
 *   entry found alive may be killed right after by another CPU: its
 *   memory, its accounts and everything it points to stay valid until the
 *   end of the finder's RCU read side, so it may still read and update
 *   it (expiry, state, user fields written with WRITE_ONCE()); those
 *   updates are lost with the entry, as if the kill had come first.
 * - A port's account is retired (marked gone) when the port is removed:
 *   the collector kills every entry that holds a retired account. An
 *   entry that a packet already in flight inserts after the retirement
 *   is killed by a later pass: the collector runs again every interval
 *   while the table's count is not zero. vnet_ft_exit() runs once no
 *   packet path can: it stops the collector and kills every entry.
 * - Freed after a grace period: the RCU callback drops the entry's
 *   account references and frees it to its type's cache. Module exit
 *   waits for those callbacks (rcu_barrier()) before it destroys the
 *   caches.
 * - Accounts are refcounted: a port's by the port and by every entry
 *   that holds it, a vnet's by the vnet and by its ports' accounts. So an
 *   account outlives every entry that holds it or is charged through it.
 * - Counters (an account's held[] and kind[], a table's nr[]) go up
 *   before the limits are checked, so CPUs racing for the last place
 *   cannot both take it: one may be refused in vain, never one too many
 *   let in. A table's nr[] are never all zero while an entry is findable
 *   alive in it.
 */
#ifndef _VNET_FLOW_TABLE_H
#define _VNET_FLOW_TABLE_H

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/stddef.h>
#include <linux/workqueue.h>
#include <linux/vnet.h>

#include "core/flow_state.h"

struct vnet_port;
struct vnet_vnet;
struct kmem_cache;

/* Its limits and idle timeouts, module parameters (params.c). */
extern unsigned int vnet_ct_max;
extern unsigned int vnet_ct_max_per_port;
extern unsigned int vnet_ct_max_per_vnet;
int vnet_ct_limits_init(void);
/* Idle timeouts, in seconds. */
extern unsigned int vnet_ct_timeout_tcp_syn;
extern unsigned int vnet_ct_timeout_tcp_established;
extern unsigned int vnet_ct_timeout_tcp_fin;
extern unsigned int vnet_ct_timeout_tcp_close;
extern unsigned int vnet_ct_timeout_udp;
extern unsigned int vnet_ct_timeout_udp_stream;
extern unsigned int vnet_ct_timeout_icmp;
extern unsigned int vnet_ct_timeout_other;
extern unsigned int vnet_ct_timeout_fragment;
extern unsigned int vnet_ct_timeout_drop;

/* What a VM can fill: each entry counts against its port's, vnet's share. */
enum vnet_ct_kind {
	VNET_CT_CONN,		/* a tracked connection */
	VNET_CT_FRAGMENT,	/* a first fragment's decision, for the rest */
	VNET_CT_LB_FLOW,	/* a load balancer connection (lb_flow.c) */
	VNET_CT_DROP,		/* a flow the rules deny: a cached verdict */
	VNET_CT_NR_KINDS
};

/* Whose places an entry takes: connections', or cached verdicts'. */
enum vnet_ft_pool {
	VNET_FT_POOL_CONN,	/* every kind but VNET_CT_DROP */
	VNET_FT_POOL_VERDICT,	/* VNET_CT_DROP: a quarter of each limit */
	VNET_FT_NR_POOLS
};

/* What a port, or a vnet, holds in the tables (flow_table.c). */
struct vnet_ct_account;

int vnet_ct_port_init(struct vnet_port *port);
void vnet_ct_port_bind(struct vnet_port *port);
void vnet_ct_port_release(struct vnet_port *port);
int vnet_ct_vnet_init(struct vnet_vnet *v);
void vnet_ct_vnet_release(struct vnet_vnet *v);
unsigned int vnet_ct_port_count(const struct vnet_port *port,
				enum vnet_ct_kind kind);
void vnet_ct_account_retire(struct vnet_ct_account *a);
bool vnet_ct_account_gone(const struct vnet_ct_account *a);

/* The head of an entry: the user's struct starts with it. */
struct vnet_ft_entry {
	struct vnet_ct_account *acct[2];	/* [0] charged; [1] or NULL */
	unsigned long expires;			/* jiffies */
	unsigned long flags;			/* VNET_FT_DEAD, user's */
	u32 gen;				/* the user's generation */
	u8 kind;				/* enum vnet_ct_kind */
	u8 state;				/* enum vnet_flow_state */
	u8 type;				/* its vnet_ft_type's id */
	struct rcu_head rcu;
};

/*
 * Bits of flags: the table's, then the user's own. The user sets its bits
 * with plain __set_bit() only before vnet_ft_insert() or vnet_ft_replace()
 * makes the entry findable; after that every write to the word must be
 * atomic (set_bit()), or it could undo another CPU's DEAD bit.
 */
enum { VNET_FT_DEAD, VNET_FT_USER };

struct vnet_flow_table;

/* A kind of entry and the table that holds it: static, one per table. */
struct vnet_ft_type {
	struct rhashtable_params params;	/* offsets inside a half */
	const char *name;			/* of its slab cache */
	unsigned int size, align;		/* of the user's struct */
	unsigned int half_offset;		/* of halves[0] in it */
	unsigned int half_size;
	unsigned int dir_offset;		/* in a half */
	unsigned int nr_keys;			/* 1 or 2 */
	/* The collector asks, under RCU: must @e go, though not expired? */
	bool (*stale)(struct vnet_flow_table *ft,
		      const struct vnet_ft_entry *e);
	struct kmem_cache *cache;
	u8 id;
};

/*
 * The rhashtable parameters of halves of struct @half_type, each with its
 * members node and key. @hash_fn: the hash of a key, or NULL for
 * rhashtable's own (jhash2 over the whole key); @cmp_fn: a key against
 * a half, or NULL for memcmp().
 */
#define VNET_FT_PARAMS(half_type, hash_fn, cmp_fn) {			\
	.key_len = sizeof_field(struct half_type, key),			\
	.key_offset = offsetof(struct half_type, key),			\
	.head_offset = offsetof(struct half_type, node),		\
	.hashfn = (hash_fn),						\
	.obj_cmpfn = (cmp_fn),						\
	.automatic_shrinking = true,					\
}

/*
 * The type of struct @type, which starts with its struct vnet_ft_entry
 * e, and whose halves are the array @halves of @nr struct @half_type,
 * each with its members node, key and dir; @params: VNET_FT_PARAMS() of
 * its halves.
 */
#define VNET_FT_TYPE(type, halves, half_type, nr, stale_fn, params_) {	\
	.params = params_,						\
	.name = #type,							\
	.size = sizeof(struct type) +					\
		BUILD_BUG_ON_ZERO(offsetof(struct type, e)),		\
	.align = __alignof__(struct type),				\
	.half_offset = offsetof(struct type, halves),			\
	.half_size = sizeof(struct half_type),				\
	.dir_offset = offsetof(struct half_type, dir),			\
	.nr_keys = (nr),						\
	.stale = (stale_fn),						\
}

struct vnet_flow_table {
	struct rhashtable ht;
	atomic_t nr[VNET_FT_NR_POOLS];	/* entries charged to it, by pool */
	struct delayed_work gc;		/* removes expired entries */
	struct vnet_ft_type *type;
};

int vnet_ft_type_init(struct vnet_ft_type *type,
		      const struct rhashtable_params *fast);
void vnet_ft_type_exit(struct vnet_ft_type *type);
int vnet_ft_init(struct vnet_flow_table *ft, struct vnet_ft_type *type);
void vnet_ft_exit(struct vnet_flow_table *ft);

void *vnet_ft_alloc(struct vnet_flow_table *ft, struct vnet_ct_account *payer,
		    struct vnet_ct_account *other, enum vnet_ct_kind kind,
		    enum vnet_drop_reason *why);
int vnet_ft_insert(struct vnet_flow_table *ft, struct vnet_ft_entry *e);
void *vnet_ft_alloc_like(struct vnet_flow_table *ft,
			 const struct vnet_ft_entry *old);
int vnet_ft_replace(struct vnet_flow_table *ft, struct vnet_ft_entry *old,
		    struct vnet_ft_entry *new);
struct vnet_ft_entry *vnet_ft_found(struct vnet_flow_table *ft, void *h,
				    unsigned int *dir);
struct vnet_ft_entry *vnet_ft_find(struct vnet_flow_table *ft,
				   const void *key, unsigned int *dir);
void vnet_ft_kill(struct vnet_flow_table *ft, struct vnet_ft_entry *e);
void vnet_ft_expire_in(struct vnet_ft_entry *e, enum vnet_flow_timeout t);
void vnet_ft_touch(struct vnet_ft_entry *e, u8 proto, bool reply,
		   u8 tcp_flags);
void vnet_ft_collect_soon(struct vnet_flow_table *ft);

/* Are there entries in @ft? A cheap test before a lookup. */
static inline bool vnet_ft_empty(struct vnet_flow_table *ft)
{
	return !atomic_read(&ft->nr[VNET_FT_POOL_CONN]) &&
	       !atomic_read(&ft->nr[VNET_FT_POOL_VERDICT]);
}

/*
 * vnet_ft_find() with @params, the table type's, known where it is
 * called: the hash and the key compare are then direct calls the
 * compiler may inline, and the key's length a constant, instead of
 * calls through the type's parameters (indirect, with retpolines) and a
 * memcmp() of a length read at run time. For the lookups of every
 * packet; @params must be @ft's type's own, or lookups miss.
 */
static __always_inline struct vnet_ft_entry *
vnet_ft_find_fast(struct vnet_flow_table *ft, const void *key,
		  unsigned int *dir, const struct rhashtable_params params)
{
	if (vnet_ft_empty(ft))
		return NULL;
	return vnet_ft_found(ft, rhashtable_lookup(&ft->ht, key, params), dir);
}

#endif /* _VNET_FLOW_TABLE_H */
