// SPDX-License-Identifier: GPL-2.0
/*
 * A userspace model of the flow table's lookup (kmod/conntrack.c,
 * vnet_ct_fast(); its table, kmod/flow_table.c), for instruction counts
 * and cache misses under callgrind. Run it with --toggle-collect=model_hit
 * (an established packet: one lookup decides it) or
 * --toggle-collect=model_open (a new connection's part of the table: a
 * lookup that misses, then both halves inserted) and divide by PACKETS.
 *
 * What is modelled as the module does it: the key (core/flow_key.h, the
 * same struct) built from the parsed headers; its hash, the module's own
 * (vnet_ct_key_hash() there: Bob Jenkins' lookup3, seeded), a bucket array
 * of a power of two that the table keeps under 3/4 full, chains compared
 * key by key; an entry laid out as struct vnet_conn, cache aligned (a
 * 64-byte line of head and the halves' proofs, then a line per half:
 * chain link, key, direction, port); the checks of a hit (dead, expired,
 * proof, the other port's account, a denied flow's verdict) and its
 * update (the core's own state machine, inline in core/flow_state.h,
 * and the expiry). What it leaves out: the netfilter hook, the header
 * parse (flow_parse.c), the source check, the per-CPU counter's
 * preemption guard, the Ethernet rewrite and the transmit; and for
 * model_open the allocation and the route and ACL lookups (bench_lpm
 * and bench_acl count those).
 *
 * usage: bench_flow FLOWS PACKETS
 *
 * FLOWS UDP connections between 10.0.0.0/8 addresses are opened, then
 * PACKETS packets of random connections, in either direction, are looked
 * up: all hits.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../kmod/core/flow_key.h"
#include "../../kmod/core/flow_state.h"

#define BENCH_RNG_SEED 2166136261U
#include "rng.h"

/* What a port's account holds that a hit reads. */
struct vnet_ct_account {
	int ref;
	bool gone;
};

struct model_port {
	struct vnet_ct_account *ct;
	u32 ct_id;			/* its account's id: keys name it so */
	unsigned long hits;		/* per CPU in the module */
};

struct model_half {
	struct model_half *next;	/* struct rhash_head */
	struct vnet_ct_key key;
	u8 dir;
	struct model_port *out;
};

/* Bits of flags. */
enum { MODEL_DEAD, MODEL_DROP, MODEL_DST_PAYS };

/* struct vnet_ft_entry, then the user's fields (struct vnet_conn). */
struct model_conn {
	struct vnet_ct_account *acct[2];
	unsigned long expires;
	unsigned long flags;
	u32 gen;
	u8 kind, state, type;
	void *rcu[2];			/* struct rcu_head */
	u32 proof[2];
	struct model_half half[2];
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct model_conn, half) == 64 &&
	       sizeof(struct model_half) == 64, "the module's layout");

/* The parsed packet the key is built from (struct vnet_flow). */
struct model_pkt {
	struct model_port *from;
	u8 family, proto;
	u8 src[16], dst[16];
	u8 l4[8];			/* the UDP header */
};

struct model_table {
	struct model_half **buckets;
	u32 mask, seed;
};

static unsigned long jiffies = 1000;
#define HZ 250

/* The module's default idle timeouts, in seconds (params.c). */
static const unsigned int timeouts[VNET_FLOW_TO_NR] = {
	[VNET_FLOW_TO_TCP_SYN] = 30,
	[VNET_FLOW_TO_TCP_ESTABLISHED] = 7440,
	[VNET_FLOW_TO_TCP_FIN] = 120,
	[VNET_FLOW_TO_TCP_CLOSE] = 10,
	[VNET_FLOW_TO_UDP] = 30,
	[VNET_FLOW_TO_UDP_STREAM] = 180,
	[VNET_FLOW_TO_ICMP] = 30,
	[VNET_FLOW_TO_OTHER] = 600,
	[VNET_FLOW_TO_FRAGMENT] = 10,
	[VNET_FLOW_TO_DROP] = 30,
};

static struct model_half **bucket(const struct model_table *t,
				  const struct vnet_ct_key *key)
{
	return &t->buckets[vnet_ct_key_hash(key, t->seed) & t->mask];
}

static struct model_half *lookup(const struct model_table *t,
				 const struct vnet_ct_key *key)
{
	struct model_half *h;

	for (h = *bucket(t, key); h; h = h->next)
		if (vnet_ct_key_equal(&h->key, key))	/* as ct_cmp() */
			return h;
	return NULL;
}

static struct model_conn *conn_of(struct model_half *h)
{
	return (struct model_conn *)((char *)(h - h->dir) -
				     offsetof(struct model_conn, half));
}

/* ct_classify(): the key of @p, as its sender sends it. */
static void classify(const struct model_pkt *p, struct vnet_ct_key *key)
{
	memset(key, 0, sizeof(*key));
	key->from = p->from->ct_id;
	key->family = p->family;
	key->proto = p->proto;
	memcpy(key->src, p->src, sizeof(key->src));
	memcpy(key->dst, p->dst, sizeof(key->dst));
	key->sport = (u16)(p->l4[0] << 8 | p->l4[1]);
	key->dport = (u16)(p->l4[2] << 8 | p->l4[3]);
}

/* vnet_ct_fast() for a UDP packet: where it goes, or NULL (full path). */
__attribute__((noinline))
struct model_port *model_hit(const struct model_table *t,
			     const struct model_pkt *p, u32 gen)
{
	struct vnet_ct_key key;
	struct model_half *h;
	struct model_conn *c;
	u8 state, next;

	classify(p, &key);
	h = lookup(t, &key);
	if (!h)
		return NULL;
	c = conn_of(h);
	if ((c->flags & 1UL << MODEL_DEAD) || jiffies > c->expires ||
	    c->proof[h->dir] != gen)
		return NULL;
	/* The other half's sender (ct_sender()). */
	if (c->acct[(h->dir == 1) == !!(c->flags & 1UL << MODEL_DST_PAYS)]->gone)
		return NULL;
	if (c->flags & 1UL << MODEL_DROP) {
		c->expires = jiffies + timeouts[VNET_FLOW_TO_DROP] * HZ;
		return NULL;
	}
	state = c->state;
	next = vnet_flow_next_state(state, h->dir, 0);
	if (next != state)
		c->state = next;
	c->expires = jiffies + timeouts[vnet_flow_timeout_of(p->proto, next)] * HZ;
	p->from->hits++;
	return h->out;
}

static void link_half(struct model_table *t, struct model_half *h)
{
	struct model_half **b = bucket(t, &h->key);

	h->next = *b;
	*b = h;
}

/*
 * A new connection's part of the table: the lookup that misses, the
 * entry filled in (memory from the caller: the slab in the module) and
 * both halves linked.
 */
__attribute__((noinline))
bool model_open(struct model_table *t, const struct model_pkt *p,
		struct model_port *to, struct model_conn *c, u32 gen)
{
	struct vnet_ct_key key;

	classify(p, &key);
	if (lookup(t, &key))
		return false;
	c->acct[0] = p->from->ct;
	c->acct[1] = to->ct;
	c->half[0].key = key;
	c->half[0].out = to;
	c->proof[0] = gen;
	c->half[1].out = p->from;
	c->proof[1] = gen;
	c->half[1].dir = 1;
	vnet_ct_mirror(&c->half[1].key, &key, to->ct_id);
	c->expires = jiffies +
		     timeouts[vnet_flow_timeout_of(p->proto, VNET_FLOW_NEW)] * HZ;
	link_half(t, &c->half[0]);
	link_half(t, &c->half[1]);
	return true;
}

static void address(u8 *a)
{
	u32 v = (10U << 24) | (rng() & 0xffffff);

	memset(a, 0, 16);
	a[0] = (u8)(v >> 24);
	a[1] = (u8)(v >> 16);
	a[2] = (u8)(v >> 8);
	a[3] = (u8)v;
}

int main(int argc, char **argv)
{
	static struct vnet_ct_account acct[2] = { { 1, false }, { 1, false } };
	static struct model_port port[2] = { { &acct[0], 1, 0 },
					     { &acct[1], 2, 0 } };
	unsigned long flows, packets, i, hits = 0;
	struct model_table t = { .seed = 0x9e3779b9 };
	struct model_conn *conns;
	struct model_pkt *pkts, *rev;
	u32 size = 4;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FLOWS PACKETS\n", argv[0]);
		return 2;
	}
	flows = strtoul(argv[1], NULL, 10);
	packets = strtoul(argv[2], NULL, 10);
	if (!flows)
		return 2;
	/* Two keys an entry; rhashtable grows past 3/4 full. */
	while (size * 3 / 4 < 2 * flows)
		size *= 2;
	t.mask = size - 1;
	t.buckets = calloc(size, sizeof(*t.buckets));
	conns = aligned_alloc(64, flows * sizeof(*conns));
	pkts = calloc(flows, sizeof(*pkts));
	rev = calloc(flows, sizeof(*rev));
	if (!t.buckets || !conns || !pkts || !rev)
		return 1;
	memset(conns, 0, flows * sizeof(*conns));
	for (i = 0; i < flows; i++) {
		struct model_pkt *p = &pkts[i], *r = &rev[i];

		p->from = &port[0];
		p->family = AF_INET;
		p->proto = 17;
		address(p->src);
		address(p->dst);
		p->l4[0] = (u8)(0x80 | (rng() & 0x7f));
		p->l4[1] = (u8)rng();
		p->l4[3] = 53;
		*r = *p;
		r->from = &port[1];
		memcpy(r->src, p->dst, 16);
		memcpy(r->dst, p->src, 16);
		memcpy(r->l4, p->l4 + 2, 2);
		memcpy(r->l4 + 2, p->l4, 2);
		if (!model_open(&t, p, &port[1], &conns[i], 1))
			return 1;	/* the generator repeated a flow */
	}
	for (i = 0; i < packets; i++) {
		unsigned long n = rng() % flows;
		/* Copied here: a received packet's headers are in the cache. */
		struct model_pkt p = rng() % 2 ? rev[n] : pkts[n];

		hits += model_hit(&t, &p, 1) != NULL;
	}
	printf("flows %lu packets %lu hits %lu buckets %u bytes/entry %zu\n",
	       flows, packets, hits, size, sizeof(struct model_conn));
	free(t.buckets);
	free(conns);
	free(pkts);
	free(rev);
	return hits == packets ? 0 : 1;
}
