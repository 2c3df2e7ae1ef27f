// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table: two keys per entry, lock-free lookups and kills, the
 * garbage collector and the per-port and per-vnet shares. The rules it
 * keeps are written at the top of flow_table.h.
 */
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vnet.h"

/*
 * Entries are tenants' to make and free at will: a cache of their own,
 * not shared with other objects of their size, where the kernel can say
 * so (SLAB_NO_MERGE, Linux 6.5 on; "slub_nomerge" on the command line
 * before).
 */
#ifdef SLAB_NO_MERGE
#define FT_SLAB_FLAGS	SLAB_NO_MERGE
#else
#define FT_SLAB_FLAGS	0
#endif

/* How often the collector looks for expired entries while there are any. */
#define VNET_FT_GC_INTERVAL	(2 * HZ)

/*
 * The collector walks the whole table: on an unbound worker, so that it
 * runs where the scheduler finds room, not on the CPU whose packets
 * queued it (a per-CPU worker took a quarter of the sender's CPU with
 * all-new flows at make bench's rates).
 */
#define ft_gc_wq	system_unbound_wq

/*
 * What a port, or a vnet, holds in the tables. A port's is refcounted by
 * the port and by every entry of any table that names it; a vnet's by
 * the vnet and by its ports' accounts. So either outlives its entries,
 * whose removal uncharges it.
 */
struct vnet_ct_account {
	refcount_t ref;
	/* entries opened, all tables, by pool: the share */
	atomic_t held[VNET_FT_NR_POOLS];
	atomic_t kind[VNET_CT_NR_KINDS];	/* a port's, by table */
	struct vnet_ct_account *vnet;	/* a port's vnet; none for a vnet */
	u32 id;			/* what flow keys name it by */
	bool gone;		/* the port was removed */
};

/*
 * Accounts' ids, unique among the living: an entry holds the accounts
 * its keys name, so no key outlives its id.
 */
static DEFINE_IDA(account_ids);

static struct vnet_ct_account *account_get(struct vnet_ct_account *a)
{
	refcount_inc(&a->ref);
	return a;
}

static void account_put(struct vnet_ct_account *a)
{
	if (!refcount_dec_and_test(&a->ref))
		return;
	if (a->vnet)
		account_put(a->vnet);
	ida_free(&account_ids, a->id);
	kfree(a);
}

static struct vnet_ct_account *account_new(void)
{
	struct vnet_ct_account *a = kzalloc(sizeof(*a), GFP_KERNEL);
	int id;

	if (!a)
		return NULL;
	id = ida_alloc_min(&account_ids, 1, GFP_KERNEL);
	if (id < 0) {
		kfree(a);
		return NULL;
	}
	a->id = id;
	refcount_set(&a->ref, 1);
	return a;
}

bool vnet_ct_account_gone(const struct vnet_ct_account *a)
{
	return READ_ONCE(a->gone);
}

/* Its port is being removed: its entries go at the next collection. */
void vnet_ct_account_retire(struct vnet_ct_account *a)
{
	WRITE_ONCE(a->gone, true);
}

int vnet_ct_port_init(struct vnet_port *port)
{
	port->ct = account_new();
	if (!port->ct)
		return -ENOMEM;
	port->ct_id = port->ct->id;	/* read per packet, unlike the account */
	return 0;
}

/*
 * @port now belongs to port->vnet (a port never changes vnet): its
 * entries count against that vnet's share too. Before the packet path
 * can see the port.
 */
void vnet_ct_port_bind(struct vnet_port *port)
{
	port->ct->vnet = account_get(port->vnet->ct);
}

/* After the port's grace period. */
void vnet_ct_port_release(struct vnet_port *port)
{
	if (port->ct)
		account_put(port->ct);
}

int vnet_ct_vnet_init(struct vnet_vnet *v)
{
	v->ct = account_new();
	return v->ct ? 0 : -ENOMEM;
}

/* After the vnet's grace period; its ports' entries may hold it longer. */
void vnet_ct_vnet_release(struct vnet_vnet *v)
{
	if (v->ct)
		account_put(v->ct);
}

/* The entries of @kind that @port opened and that are still there. */
unsigned int vnet_ct_port_count(const struct vnet_port *port,
				enum vnet_ct_kind kind)
{
	return atomic_read(&port->ct->kind[kind]);
}

/*
 * The places an entry takes. A cached verdict (VNET_CT_DROP) is no
 * connection: it takes no place in the shares or in the table's size,
 * which are the connections', but has a pool of its own, a quarter of
 * each (ct_max_per_port / 4 per port, ct_max_per_vnet / 4 per vnet,
 * ct_max / 4 per table). Else a port with forwarding on, which may send
 * in any VM's name, could make another VM's answers denied flows charged
 * to that VM and fill its share, or its vnet's; and one tenant could take
 * every other's verdicts. A verdict the pool refuses is only not cached.
 */
static enum vnet_ft_pool pool_of(enum vnet_ct_kind kind)
{
	return kind == VNET_CT_DROP ? VNET_FT_POOL_VERDICT : VNET_FT_POOL_CONN;
}

/* Limit @param (a module parameter) in pool @p. */
static unsigned int pool_limit(const unsigned int *param, enum vnet_ft_pool p)
{
	return READ_ONCE(*param) / (p == VNET_FT_POOL_VERDICT ? 4 : 1);
}

/*
 * A new entry of @kind in @ft, opened by the port of account @a. Checks
 * and charges, in its pool, the port's share, then its vnet's, then the
 * table's size; returns VNET_PASS, or the reason to drop, with nothing
 * charged. Counts go up before the checks so that CPUs racing for the
 * last place cannot both take it; one may be refused in vain, never one
 * too many let in.
 */
static enum vnet_drop_reason charge(struct vnet_ct_account *a,
				    enum vnet_ct_kind kind,
				    struct vnet_flow_table *ft)
{
	enum vnet_ft_pool p = pool_of(kind);
	struct vnet_ct_account *v = a->vnet;
	enum vnet_drop_reason why;

	if (atomic_inc_return(&a->held[p]) >
	    pool_limit(&vnet_ct_max_per_port, p)) {
		why = VNET_DROP_PORT_SHARE;
		goto undo_port;
	}
	if (v && atomic_inc_return(&v->held[p]) >
		 pool_limit(&vnet_ct_max_per_vnet, p)) {
		why = VNET_DROP_VNET_SHARE;
		goto undo_vnet;
	}
	if (atomic_inc_return(&ft->nr[p]) > pool_limit(&vnet_ct_max, p)) {
		atomic_dec(&ft->nr[p]);
		why = VNET_DROP_CT_FULL;
		goto undo_vnet;
	}
	atomic_inc(&a->kind[kind]);
	return VNET_PASS;

undo_vnet:
	if (v)
		atomic_dec(&v->held[p]);
undo_port:
	atomic_dec(&a->held[p]);
	return why;
}

/* The entry charged by charge() is gone. */
static void uncharge(struct vnet_ct_account *a, enum vnet_ct_kind kind,
		     struct vnet_flow_table *ft)
{
	enum vnet_ft_pool p = pool_of(kind);

	atomic_dec(&a->kind[kind]);
	atomic_dec(&ft->nr[p]);
	if (a->vnet)
		atomic_dec(&a->vnet->held[p]);
	atomic_dec(&a->held[p]);
}

/*
 * The types, by id (conntrack, lb flows, lb fragments; room for one
 * more): set at module init, before any table exists.
 */
static struct vnet_ft_type *types[4];
static unsigned int nr_types;

/*
 * A half is the user's struct: rhashtable lookups and walks return its
 * start, and the table reaches its node and dir by the type's offsets.
 */
static void *half_of(const struct vnet_ft_type *t, struct vnet_ft_entry *e,
		     unsigned int i)
{
	return (char *)e + t->half_offset + i * t->half_size;
}

static struct rhash_head *node_of(const struct vnet_ft_type *t, void *half)
{
	return (struct rhash_head *)((char *)half + t->params.head_offset);
}

static u8 *dir_of(const struct vnet_ft_type *t, void *half)
{
	return (u8 *)half + t->dir_offset;
}

static struct vnet_ft_entry *entry_of(const struct vnet_ft_type *t,
				      void *half)
{
	return (struct vnet_ft_entry *)((char *)half -
					*dir_of(t, half) * t->half_size -
					t->half_offset);
}

static void ft_free_rcu(struct rcu_head *head)
{
	struct vnet_ft_entry *e = container_of(head, struct vnet_ft_entry, rcu);

	account_put(e->acct[0]);
	if (e->acct[1])
		account_put(e->acct[1]);
	kmem_cache_free(types[e->type]->cache, e);
}

/*
 * An entry of @kind holding @payer (and @other, if any), not charged:
 * DEAD, so that nobody else finds or kills it half inserted. The callers'
 * entries or ports are alive (RCU): so are their accounts.
 */
static struct vnet_ft_entry *ft_new(struct vnet_flow_table *ft,
				    struct vnet_ct_account *payer,
				    struct vnet_ct_account *other,
				    enum vnet_ct_kind kind)
{
	const struct vnet_ft_type *t = ft->type;
	struct vnet_ft_entry *e;
	unsigned int i;

	e = kmem_cache_zalloc(t->cache, GFP_ATOMIC);
	if (!e)
		return NULL;
	e->acct[0] = account_get(payer);
	e->acct[1] = other ? account_get(other) : NULL;
	e->type = t->id;
	e->kind = kind;
	e->state = VNET_FLOW_NEW;
	for (i = 0; i < t->nr_keys; i++)
		*dir_of(t, half_of(t, e, i)) = i;
	e->flags = BIT(VNET_FT_DEAD);
	return e;
}

/*
 * Packet path, under RCU: a new entry of @kind, charged to @payer (and
 * holding @other, if any, alive), DEAD until vnet_ft_insert(). The caller
 * fills in its keys, expiry and payload. NULL with *@why set if a share
 * or the table is full, or there is no memory.
 */
void *vnet_ft_alloc(struct vnet_flow_table *ft, struct vnet_ct_account *payer,
		    struct vnet_ct_account *other, enum vnet_ct_kind kind,
		    enum vnet_drop_reason *why)
{
	struct vnet_ft_entry *e;

	*why = charge(payer, kind, ft);
	if (*why != VNET_PASS)
		return NULL;
	e = ft_new(ft, payer, other, kind);
	if (!e) {
		uncharge(payer, kind, ft);
		*why = VNET_DROP_NO_MEMORY;
	}
	return e;
}

/*
 * Packet path, under RCU: a new entry of the same type, kind, accounts and
 * user's flag bits as live entry @old, to take its place
 * (vnet_ft_replace()), whose charge it inherits: it is not charged again,
 * so no share refuses it. DEAD until then; the caller fills in its keys
 * (the same as @old's), expiry and payload. NULL if there is no memory.
 */
void *vnet_ft_alloc_like(struct vnet_flow_table *ft,
			 const struct vnet_ft_entry *old)
{
	struct vnet_ft_entry *e;

	e = ft_new(ft, old->acct[0], old->acct[1], old->kind);
	if (e)
		e->flags |= READ_ONCE(old->flags) & ~BIT(VNET_FT_DEAD);
	return e;
}

/*
 * One key of an entry. A table above its size grows in a worker; when
 * inserts outrun it, an insert must allocate the larger table itself,
 * atomically, and may fail (-ENOMEM), or find another resize under way
 * (-EBUSY): the worker has been kicked by then, so one more try is
 * worth it.
 */
static int ft_insert_key(struct vnet_flow_table *ft, struct rhash_head *node)
{
	int err = rhashtable_lookup_insert_fast(&ft->ht, node,
						ft->type->params);

	if (err == -ENOMEM || err == -EBUSY)
		err = rhashtable_lookup_insert_fast(&ft->ht, node,
						    ft->type->params);
	return err;
}

/*
 * Packet path, under RCU: publishes @e, from vnet_ft_alloc(), under all
 * its keys. On failure @e is uncharged and freed: -EEXIST if its first
 * key is another entry's (another CPU was first), -EADDRINUSE if a later
 * key is, or the table's error (it could not grow).
 */
int vnet_ft_insert(struct vnet_flow_table *ft, struct vnet_ft_entry *e)
{
	const struct vnet_ft_type *t = ft->type;
	unsigned int i;
	int err = 0;

	for (i = 0; i < t->nr_keys; i++) {
		err = ft_insert_key(ft, node_of(t, half_of(t, e, i)));
		if (err) {
			if (err == -EEXIST && i)
				err = -EADDRINUSE;
			break;
		}
	}
	if (err) {
		while (i--)
			rhashtable_remove_fast(&ft->ht,
					       node_of(t, half_of(t, e, i)),
					       t->params);
		uncharge(e->acct[0], e->kind, ft);
		call_rcu(&e->rcu, ft_free_rcu);
		return err;
	}
	clear_bit_unlock(VNET_FT_DEAD, &e->flags);
	if (!delayed_work_pending(&ft->gc))
		queue_delayed_work(ft_gc_wq, &ft->gc,
				   VNET_FT_GC_INTERVAL);
	return 0;
}

/* Removes @e unless someone else does; it is freed after RCU. */
void vnet_ft_kill(struct vnet_flow_table *ft, struct vnet_ft_entry *e)
{
	const struct vnet_ft_type *t = ft->type;
	unsigned int i;

	if (test_and_set_bit(VNET_FT_DEAD, &e->flags))
		return;
	for (i = 0; i < t->nr_keys; i++)
		rhashtable_remove_fast(&ft->ht, node_of(t, half_of(t, e, i)),
				       t->params);
	uncharge(e->acct[0], e->kind, ft);
	call_rcu(&e->rcu, ft_free_rcu);
}

/*
 * Packet path, under RCU: @new, from vnet_ft_alloc_like(@old), takes the
 * place of @old under every key, unless someone kills @old first (then
 * -ENOENT, and @new is freed). Each key goes from one entry to the other
 * in one step (rhashtable_replace_fast()): no packet finds the key free
 * in between and makes an entry of its own there. Both are DEAD until
 * every key has moved (a lookup misses), so that nobody kills @new while
 * a key of it is not in yet; then @old goes as vnet_ft_kill() would,
 * except that its charge is @new's now.
 */
int vnet_ft_replace(struct vnet_flow_table *ft, struct vnet_ft_entry *old,
		    struct vnet_ft_entry *new)
{
	const struct vnet_ft_type *t = ft->type;
	unsigned int i;

	if (test_and_set_bit(VNET_FT_DEAD, &old->flags)) {
		call_rcu(&new->rcu, ft_free_rcu);
		return -ENOENT;
	}
	/* Only the DEAD bit's owner takes @old's halves out: all are in. */
	for (i = 0; i < t->nr_keys; i++)
		WARN_ON_ONCE(rhashtable_replace_fast(&ft->ht,
						     node_of(t, half_of(t, old, i)),
						     node_of(t, half_of(t, new, i)),
						     t->params));
	call_rcu(&old->rcu, ft_free_rcu);
	clear_bit_unlock(VNET_FT_DEAD, &new->flags);
	return 0;
}

/*
 * Packet path, under RCU: the live entry with half @key, and in *@dir
 * (if not NULL) which of its halves that is; an expired one is killed.
 */
struct vnet_ft_entry *vnet_ft_find(struct vnet_flow_table *ft,
				   const void *key, unsigned int *dir)
{
	return vnet_ft_find_fast(ft, key, dir, ft->type->params);
}

/* The rest of vnet_ft_find(), for @h, the half a lookup found, or NULL. */
struct vnet_ft_entry *vnet_ft_found(struct vnet_flow_table *ft, void *h,
				    unsigned int *dir)
{
	struct vnet_ft_entry *e;

	if (!h)
		return NULL;
	e = entry_of(ft->type, h);
	if (test_bit(VNET_FT_DEAD, &e->flags))
		return NULL;
	if (time_after(jiffies, READ_ONCE(e->expires))) {
		vnet_ft_kill(ft, e);
		return NULL;
	}
	if (dir)
		*dir = *dir_of(ft->type, h);
	return e;
}

/* The module parameters of the timeouts, in seconds (params.c). */
static unsigned int *const timeouts[VNET_FLOW_TO_NR] = {
	[VNET_FLOW_TO_TCP_SYN] = &vnet_ct_timeout_tcp_syn,
	[VNET_FLOW_TO_TCP_ESTABLISHED] = &vnet_ct_timeout_tcp_established,
	[VNET_FLOW_TO_TCP_FIN] = &vnet_ct_timeout_tcp_fin,
	[VNET_FLOW_TO_TCP_CLOSE] = &vnet_ct_timeout_tcp_close,
	[VNET_FLOW_TO_UDP] = &vnet_ct_timeout_udp,
	[VNET_FLOW_TO_UDP_STREAM] = &vnet_ct_timeout_udp_stream,
	[VNET_FLOW_TO_ICMP] = &vnet_ct_timeout_icmp,
	[VNET_FLOW_TO_OTHER] = &vnet_ct_timeout_other,
	[VNET_FLOW_TO_FRAGMENT] = &vnet_ct_timeout_fragment,
	[VNET_FLOW_TO_DROP] = &vnet_ct_timeout_drop,
};

/* @e expires after timeout @t from now. */
void vnet_ft_expire_in(struct vnet_ft_entry *e, enum vnet_flow_timeout t)
{
	unsigned long expires = jiffies +
				(unsigned long)READ_ONCE(*timeouts[t]) * HZ;

	if (READ_ONCE(e->expires) != expires)
		WRITE_ONCE(e->expires, expires);
}

/*
 * A packet of @e went by (@reply: in the reply direction), with TCP flags
 * @tcp_flags (0 if not TCP): its state, then its idle timeout.
 */
void vnet_ft_touch(struct vnet_ft_entry *e, u8 proto, bool reply,
		   u8 tcp_flags)
{
	u8 state = READ_ONCE(e->state);
	u8 next = vnet_flow_next_state(state, reply, tcp_flags);

	if (next != state)
		WRITE_ONCE(e->state, next);
	vnet_ft_expire_in(e, vnet_flow_timeout_of(proto, next));
}

/*
 * Removes expired entries, those of removed ports and those the type
 * calls stale; every entry if @all (the namespace goes). Process context.
 */
static void ft_sweep(struct vnet_flow_table *ft, bool all)
{
	const struct vnet_ft_type *t = ft->type;
	struct rhashtable_iter iter;
	unsigned int n = 0;
	void *h;

	rhashtable_walk_enter(&ft->ht, &iter);
	rhashtable_walk_start(&iter);
	while ((h = rhashtable_walk_next(&iter))) {
		struct vnet_ft_entry *e;

		if (IS_ERR(h)) {
			if (PTR_ERR(h) == -EAGAIN)
				continue;
			break;
		}
		if (*dir_of(t, h))	/* each entry once, by its first half */
			continue;
		e = entry_of(t, h);
		if (all || time_after(jiffies, READ_ONCE(e->expires)) ||
		    vnet_ct_account_gone(e->acct[0]) ||
		    (e->acct[1] && vnet_ct_account_gone(e->acct[1])) ||
		    (t->stale && t->stale(ft, e)))
			vnet_ft_kill(ft, e);
		if (++n % 1024 == 0) {	/* let others run */
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

static void ft_gc(struct work_struct *work)
{
	struct vnet_flow_table *ft = container_of(to_delayed_work(work),
						  struct vnet_flow_table, gc);

	ft_sweep(ft, false);
	if (!vnet_ft_empty(ft))
		queue_delayed_work(ft_gc_wq, &ft->gc,
				   VNET_FT_GC_INTERVAL);
}

/* A port, or what the type's stale() checks, went: collect soon. */
void vnet_ft_collect_soon(struct vnet_flow_table *ft)
{
	if (!vnet_ft_empty(ft))
		mod_delayed_work(ft_gc_wq, &ft->gc, 0);
}

int vnet_ft_init(struct vnet_flow_table *ft, struct vnet_ft_type *type)
{
	ft->type = type;
	atomic_set(&ft->nr[VNET_FT_POOL_CONN], 0);
	atomic_set(&ft->nr[VNET_FT_POOL_VERDICT], 0);
	INIT_DELAYED_WORK(&ft->gc, ft_gc);
	return rhashtable_init(&ft->ht, &type->params);
}

/* Namespace exit: no packet path runs any more. */
void vnet_ft_exit(struct vnet_flow_table *ft)
{
	cancel_delayed_work_sync(&ft->gc);
	/* A walk that pauses can skip entries after the one it removed. */
	do
		ft_sweep(ft, true);
	while (!vnet_ft_empty(ft));
	rhashtable_destroy(&ft->ht);
}

/*
 * Module init, one type at a time. @fast: the parameters the packet path
 * passes to vnet_ft_find_fast() for this type, which must be its own, or
 * NULL if it looks up only with vnet_ft_find().
 */
int vnet_ft_type_init(struct vnet_ft_type *type,
		      const struct rhashtable_params *fast)
{
	if (WARN_ON(nr_types == ARRAY_SIZE(types)))
		return -ENOSPC;
	if (WARN_ON(fast && memcmp(&type->params, fast, sizeof(*fast))))
		return -EINVAL;
	type->cache = kmem_cache_create(type->name, type->size, type->align,
					FT_SLAB_FLAGS, NULL);
	if (!type->cache)
		return -ENOMEM;
	/* Registered only once it can be freed to: ft_free_rcu() looks here. */
	type->id = nr_types;
	types[nr_types++] = type;
	return 0;
}

void vnet_ft_type_exit(struct vnet_ft_type *type)
{
	rcu_barrier();	/* entries freed with call_rcu() */
	kmem_cache_destroy(type->cache);
}
