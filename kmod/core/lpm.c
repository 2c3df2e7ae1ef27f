// SPDX-License-Identifier: GPL-2.0
/*
 * Longest prefix match: a direct table for the first top_bits of an
 * address, then a path-compressed trie of 16-way nodes.
 *
 * A prefix of length l > top_bits lives in the node at depth d = (l - 1)
 * rounded down to a multiple of 4, where it covers 2^(4 - (l - d)) of the
 * node's 16 slots; shorter prefixes live in the direct table the same way.
 * Each slot caches the longest prefix of its table that covers it, so a
 * lookup reads one value per level and remembers the last one it saw on
 * its way down. A chain of nodes with one child each is skipped: a child
 * may sit deeper than its parent's depth + 4, and a lookup checks its key
 * on arrival.
 */
#include "lpm.h"

static void load(u64 a[2], u8 family, const u8 *addr)
{
	if (family == AF_INET) {
		a[0] = (u64)core_load_be32(addr) << 32;
		a[1] = 0;
	} else {
		a[0] = core_load_be64(addr);
		a[1] = core_load_be64(addr + 8);
	}
}

/* The 4 bits of @a that follow its first @len (a multiple of 4) bits. */
static inline unsigned int nibble(const u64 a[2], unsigned int len)
{
	if (len < 64)
		return (a[0] >> (60 - len)) & (VNET_LPM_FANOUT - 1);
	return (a[1] >> (124 - len)) & (VNET_LPM_FANOUT - 1);
}

static u64 mask_word(unsigned int len)
{
	if (!len)
		return 0;
	return len >= 64 ? ~0ULL : ~0ULL << (64 - len);
}

/* Number of leading bits, up to @max, that @a and @b share. */
static unsigned int common_bits(const u64 a[2], const u64 b[2],
				unsigned int max)
{
	u64 x0 = a[0] ^ b[0], x1 = a[1] ^ b[1];
	unsigned int c;

	if (x0)
		c = __builtin_clzll(x0);
	else
		c = x1 ? 64 + __builtin_clzll(x1) : 128;
	return c < max ? c : max;
}

/* The depth of the node that holds prefixes of length @len. */
static unsigned int depth_of(unsigned int len)
{
	return (len - 1) & ~(VNET_LPM_STRIDE - 1U);
}

/* The first @bits bits of @a, @bits <= 64. */
static inline u32 first_bits(const u64 a[2], unsigned int bits)
{
	return bits ? (u32)(a[0] >> (64 - bits)) : 0;
}

_Static_assert(sizeof(struct vnet_lpm_node) == 256,
	       "a chunk of VNET_LPM_CHUNK nodes must fill 16 KiB");

static inline struct vnet_lpm_node *node_at(const struct vnet_lpm *t, u32 idx)
{
	struct vnet_lpm_node *chunk;

	chunk = core_load_once(&t->chunks[idx >> VNET_LPM_CHUNK_SHIFT]);
	return &chunk[idx & (VNET_LPM_CHUNK - 1)];
}

int vnet_lpm_init(struct vnet_lpm *t, u32 max_prefixes)
{
	memset(t, 0, sizeof(*t));
	/* Each insertion adds at most two nodes; index 0 means "none". */
	t->max_nodes = 2 * max_prefixes + 1;
	t->chunks = core_alloc_array((t->max_nodes + VNET_LPM_CHUNK - 1) /
				     VNET_LPM_CHUNK, sizeof(*t->chunks));
	if (!t->chunks)
		return -ENOMEM;
	t->nr_nodes = 1;
	/* At most one direct slot per prefix the table can hold. */
	while (t->top_bits < VNET_LPM_TOP_BITS_MAX &&
	       (1U << (t->top_bits + VNET_LPM_STRIDE)) <= max_prefixes)
		t->top_bits += VNET_LPM_STRIDE;
	return 0;
}

void vnet_lpm_free(struct vnet_lpm *t)
{
	u32 i;

	core_free(t->top[0]);
	core_free(t->top[1]);
	t->top[0] = NULL;
	t->top[1] = NULL;
	if (!t->chunks)
		return;
	for (i = 0; i * VNET_LPM_CHUNK < t->max_nodes; i++)
		core_free(t->chunks[i]);
	core_free(t->chunks);
	t->chunks = NULL;
}

static struct vnet_lpm_top *new_top(unsigned int bits)
{
	u32 slots = 1U << bits, i;
	struct vnet_lpm_top *top;

	top = core_alloc_array(1, sizeof(*top) + slots * sizeof(top->slot[0]) +
			       2 * slots * sizeof(u32));
	if (!top)
		return NULL;
	top->prefix = (u32 *)&top->slot[slots];
	for (i = 0; i < slots; i++)
		top->slot[i].value = VNET_LPM_NONE;
	memset(top->prefix, 0xff, 2 * slots * sizeof(u32));
	return top;
}

/*
 * Make sure the direct table of @family and the next two nodes exist. A
 * small trie gets a first chunk of its own size, so the many small tables
 * (one per vnet) stay small.
 */
static int reserve(struct vnet_lpm *t, bool v6)
{
	u32 last = t->nr_nodes + 1, c, size;
	struct vnet_lpm_node *chunk;
	struct vnet_lpm_top *top;

	if (last >= t->max_nodes)
		return -ENOSPC;
	if (!t->top[v6]) {
		top = new_top(t->top_bits);
		if (!top)
			return -ENOMEM;
		core_store_release(&t->top[v6], top);
	}
	for (c = t->nr_nodes >> VNET_LPM_CHUNK_SHIFT;
	     c <= last >> VNET_LPM_CHUNK_SHIFT; c++) {
		if (t->chunks[c])
			continue;
		size = t->max_nodes - c * VNET_LPM_CHUNK;
		if (size > VNET_LPM_CHUNK)
			size = VNET_LPM_CHUNK;
		chunk = core_alloc_array(size, sizeof(*chunk));
		if (!chunk)
			return -ENOMEM;
		/* Published before any index into it is. */
		core_store_release(&t->chunks[c], chunk);
	}
	return 0;
}

/* A new, unlinked node at depth @len on the path of @a. */
static u32 new_node(struct vnet_lpm *t, const u64 a[2], unsigned int len)
{
	struct vnet_lpm_node *n = node_at(t, t->nr_nodes);
	unsigned int s;

	memset(n, 0, sizeof(*n));
	for (s = 0; s < VNET_LPM_FANOUT; s++)
		n->slot[s].value = VNET_LPM_NONE;
	memset(n->prefix, 0xff, sizeof(n->prefix));
	n->mask[0] = mask_word(len);
	n->mask[1] = mask_word(len > 64 ? len - 64 : 0);
	n->key[0] = a[0] & n->mask[0];
	n->key[1] = a[1] & n->mask[1];
	n->len = (u8)len;
	return t->nr_nodes++;
}

/* The longest prefix of a direct table that covers slot @s. */
static u32 top_resolve(const struct vnet_lpm *t, const struct vnet_lpm_top *top,
		       u32 s)
{
	unsigned int k;
	u32 v;

	for (k = t->top_bits; k > 0; k--) {
		v = top->prefix[(1U << k) + (s >> (t->top_bits - k))];
		if (v != VNET_LPM_NONE)
			return v;
	}
	return top->prefix[1];
}

/*
 * Store (or, with VNET_LPM_NONE, clear) the value of the prefix of length
 * @len on the path of @a in a direct table, then refresh the slots it
 * covers. Returns the value it had.
 */
static u32 set_in_top(struct vnet_lpm *t, struct vnet_lpm_top *top,
		      const u64 a[2], unsigned int len, u32 value)
{
	u32 pos = first_bits(a, len), shift = t->top_bits - len, s;
	u32 *entry = &top->prefix[(1U << len) + pos], old = *entry;

	*entry = value;
	for (s = pos << shift; s < (pos + 1) << shift; s++)
		core_store_release(&top->slot[s].value, top_resolve(t, top, s));
	return old;
}

/* The longest prefix of @n shorter than len + 4 that covers slot @s. */
static u32 node_resolve(const struct vnet_lpm_node *n, unsigned int s)
{
	unsigned int k;
	u32 v;

	for (k = VNET_LPM_STRIDE - 1; k > 0; k--) {
		v = n->prefix[(1U << k) + (s >> (VNET_LPM_STRIDE - k))];
		if (v != VNET_LPM_NONE)
			return v;
	}
	return VNET_LPM_NONE;
}

/* The same in a node; a prefix of length len + 4 owns its one slot. */
static u32 set_in_node(struct vnet_lpm_node *n, const u64 a[2],
		       unsigned int len, u32 value)
{
	unsigned int k = len - n->len, shift = VNET_LPM_STRIDE - k;
	unsigned int s = nibble(a, n->len), pos = s >> shift;
	u32 *entry, old;

	if (k == VNET_LPM_STRIDE) {
		old = n->full & (1U << s) ? n->slot[s].value : VNET_LPM_NONE;
		if (value != VNET_LPM_NONE)
			n->full |= 1U << s;
		else
			n->full &= ~(1U << s);
		core_store_release(&n->slot[s].value,
				   value != VNET_LPM_NONE ? value :
				   node_resolve(n, s));
		return old;
	}
	entry = &n->prefix[(1U << k) + pos];
	old = *entry;
	*entry = value;
	for (s = pos << shift; s < (pos + 1) << shift; s++)
		if (!(n->full & (1U << s)))
			core_store_release(&n->slot[s].value,
					   node_resolve(n, s));
	return old;
}

int vnet_lpm_insert(struct vnet_lpm *t, const struct vnet_prefix *p,
		    u32 value)
{
	bool v6 = p->family == AF_INET6;
	unsigned int d = depth_of(p->len), c, up;
	struct vnet_lpm_node *n, *m;
	struct vnet_lpm_top *top;
	u32 *link, idx, leaf;
	int err;
	u64 a[2];

	err = reserve(t, v6);
	if (err)
		return err;
	load(a, p->family, p->addr);
	top = t->top[v6];
	if (p->len <= t->top_bits) {
		set_in_top(t, top, a, p->len, value);
		return 0;
	}
	link = &top->slot[first_bits(a, t->top_bits)].child;
	while (*link) {
		n = node_at(t, *link);
		c = common_bits(n->key, a, n->len);
		if (c == n->len && n->len == d) {
			set_in_node(n, a, p->len, value);
			return 0;
		}
		if (c == n->len && n->len < d) {
			link = &n->slot[nibble(a, n->len)].child;
			continue;
		}
		/*
		 * @p's path leaves @n's key above @n, or @p belongs above @n:
		 * a new node goes in between, at the deepest depth that is
		 * a prefix of both.
		 */
		up = c & ~(VNET_LPM_STRIDE - 1U);
		if (up > d)
			up = d;
		idx = new_node(t, a, up);
		m = node_at(t, idx);
		m->slot[nibble(n->key, up)].child = *link;
		if (up == d) {
			set_in_node(m, a, p->len, value);
		} else {
			leaf = new_node(t, a, d);
			set_in_node(node_at(t, leaf), a, p->len, value);
			m->slot[nibble(a, up)].child = leaf;
		}
		core_store_release(link, idx);
		return 0;
	}
	idx = new_node(t, a, d);
	set_in_node(node_at(t, idx), a, p->len, value);
	core_store_release(link, idx);
	return 0;
}

/*
 * The table entry of exactly @p: its prefix values, the slot count of the
 * table and @p's index among them. False when no table holds @p's length
 * on its path.
 */
static bool find_entry(const struct vnet_lpm *t, const struct vnet_prefix *p,
		       const u64 a[2], struct vnet_lpm_node **np,
		       struct vnet_lpm_top **tp)
{
	struct vnet_lpm_top *top = t->top[p->family == AF_INET6];
	unsigned int d = depth_of(p->len);
	struct vnet_lpm_node *n;
	u32 idx;

	*np = NULL;
	*tp = top;
	if (!top)
		return false;
	if (p->len <= t->top_bits)
		return true;
	idx = top->slot[first_bits(a, t->top_bits)].child;
	while (idx) {
		n = node_at(t, idx);
		if (n->len > d || common_bits(n->key, a, n->len) != n->len)
			return false;
		if (n->len == d) {
			*np = n;
			return true;
		}
		idx = n->slot[nibble(a, n->len)].child;
	}
	return false;
}

int vnet_lpm_remove(struct vnet_lpm *t, const struct vnet_prefix *p)
{
	struct vnet_lpm_node *n;
	struct vnet_lpm_top *top;
	u32 old;
	u64 a[2];

	load(a, p->family, p->addr);
	if (!find_entry(t, p, a, &n, &top))
		return -ENOENT;
	if (n)
		old = set_in_node(n, a, p->len, VNET_LPM_NONE);
	else
		old = set_in_top(t, top, a, p->len, VNET_LPM_NONE);
	return old == VNET_LPM_NONE ? -ENOENT : 0;
}

u32 vnet_lpm_get(const struct vnet_lpm *t, const struct vnet_prefix *p)
{
	struct vnet_lpm_node *n;
	struct vnet_lpm_top *top;
	unsigned int k, s;
	u64 a[2];

	load(a, p->family, p->addr);
	if (!find_entry(t, p, a, &n, &top))
		return VNET_LPM_NONE;
	if (!n)
		return top->prefix[(1U << p->len) + first_bits(a, p->len)];
	k = p->len - n->len;
	s = nibble(a, n->len);
	if (k == VNET_LPM_STRIDE)
		return n->full & (1U << s) ? n->slot[s].value : VNET_LPM_NONE;
	return n->prefix[(1U << k) + (s >> (VNET_LPM_STRIDE - k))];
}

u32 vnet_lpm_lookup(const struct vnet_lpm *t, u8 family, const u8 *addr)
{
	const struct vnet_lpm_top *top;
	const struct vnet_lpm_slot *slot;
	const struct vnet_lpm_node *n;
	u32 best, value, idx;
	u64 a[2];

	top = core_load_once(&t->top[family == AF_INET6]);
	if (!top)
		return VNET_LPM_NONE;
	load(a, family, addr);
	slot = &top->slot[first_bits(a, t->top_bits)];
	best = core_load_once(&slot->value);
	idx = core_load_once(&slot->child);
	while (idx) {
		n = node_at(t, idx);
		if (((a[0] ^ n->key[0]) & n->mask[0]) |
		    ((a[1] ^ n->key[1]) & n->mask[1]))
			break;
		slot = &n->slot[nibble(a, n->len)];
		value = core_load_once(&slot->value);
		if (value != VNET_LPM_NONE)
			best = value;
		idx = core_load_once(&slot->child);
	}
	return best;
}
