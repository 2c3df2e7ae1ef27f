// SPDX-License-Identifier: GPL-2.0
/*
 * Longest prefix match: a path-compressed binary trie. A node holds a
 * prefix; its children extend it by at least one bit, chosen by the bit
 * right after the node's prefix. Lookups walk from the root while the
 * node's prefix matches and remember the last value seen, so the cost is
 * the number of branching points on the path, not the number of prefixes.
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

static inline unsigned int bit(const u64 a[2], unsigned int i)
{
	return i < 64 ? (a[0] >> (63 - i)) & 1 : (a[1] >> (127 - i)) & 1;
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

int vnet_lpm_init(struct vnet_lpm *t, u32 max_prefixes)
{
	memset(t, 0, sizeof(*t));
	/* Each insertion adds at most two nodes; index 0 means "none". */
	t->max_nodes = 2 * max_prefixes + 1;
	t->nodes = core_alloc_array(t->max_nodes, sizeof(*t->nodes));
	if (!t->nodes)
		return -ENOMEM;
	t->nr_nodes = 1;
	return 0;
}

void vnet_lpm_free(struct vnet_lpm *t)
{
	core_free(t->nodes);
	t->nodes = NULL;
}

static u32 new_node(struct vnet_lpm *t, const u64 key[2], unsigned int len,
		    u32 value)
{
	struct vnet_lpm_node *n = &t->nodes[t->nr_nodes];

	memset(n, 0, sizeof(*n));
	n->mask[0] = mask_word(len);
	n->mask[1] = mask_word(len > 64 ? len - 64 : 0);
	n->key[0] = key[0] & n->mask[0];
	n->key[1] = key[1] & n->mask[1];
	n->len = (u8)len;
	n->value = value;
	return t->nr_nodes++;
}

int vnet_lpm_insert(struct vnet_lpm *t, const struct vnet_prefix *p,
		    u32 value)
{
	u32 *link = &t->root[p->family == AF_INET6];
	struct vnet_lpm_node *n;
	unsigned int common;
	u32 old, idx;
	u64 a[2];

	if (t->nr_nodes + 2 > t->max_nodes)
		return -ENOSPC;
	load(a, p->family, p->addr);
	while (*link) {
		n = &t->nodes[*link];
		common = common_bits(n->key, a,
				     n->len < p->len ? n->len : p->len);
		if (common == n->len && n->len == p->len) {
			core_store_release(&n->value, value);
			return 0;
		}
		if (common == n->len) {
			link = &n->child[bit(a, n->len)];
			continue;
		}
		/* @p and @n part before @n ends: a node goes above @n. */
		old = *link;
		if (common == p->len) {
			idx = new_node(t, a, p->len, value);
			t->nodes[idx].child[bit(n->key, p->len)] = old;
		} else {
			idx = new_node(t, a, common, VNET_LPM_NONE);
			t->nodes[idx].child[bit(n->key, common)] = old;
			t->nodes[idx].child[bit(a, common)] =
				new_node(t, a, p->len, value);
		}
		core_store_release(link, idx);
		return 0;
	}
	idx = new_node(t, a, p->len, value);
	core_store_release(link, idx);
	return 0;
}

int vnet_lpm_remove(struct vnet_lpm *t, const struct vnet_prefix *p)
{
	u32 idx = t->root[p->family == AF_INET6];
	u64 a[2];

	load(a, p->family, p->addr);
	while (idx) {
		struct vnet_lpm_node *n = &t->nodes[idx];

		if (n->len > p->len ||
		    common_bits(n->key, a, n->len) != n->len)
			break;
		if (n->len == p->len) {
			if (n->value == VNET_LPM_NONE)
				break;
			core_store_release(&n->value, VNET_LPM_NONE);
			return 0;
		}
		idx = n->child[bit(a, n->len)];
	}
	return -ENOENT;
}

u32 vnet_lpm_lookup(const struct vnet_lpm *t, u8 family, const u8 *addr)
{
	unsigned int bits = family == AF_INET ? 32 : 128;
	u32 idx = core_load_once(&t->root[family == AF_INET6]);
	u32 best = VNET_LPM_NONE, value;
	u64 a[2];

	load(a, family, addr);
	while (idx) {
		const struct vnet_lpm_node *n = &t->nodes[idx];

		if (((a[0] ^ n->key[0]) & n->mask[0]) |
		    ((a[1] ^ n->key[1]) & n->mask[1]))
			break;
		value = core_load_once(&n->value);
		if (value != VNET_LPM_NONE)
			best = value;
		if (n->len >= bits)
			break;
		idx = core_load_once(&n->child[bit(a, n->len)]);
	}
	return best;
}
