// SPDX-License-Identifier: GPL-2.0
/*
 * Longest prefix match: a path-compressed binary trie. A node holds a
 * prefix; its children extend it by at least one bit, chosen by the bit
 * right after the node's prefix. Lookups walk from the root while the
 * node's prefix matches and remember the last value seen, so the cost is
 * the number of branching points on the path, not the number of prefixes.
 */
#include "lpm.h"

static inline unsigned int addr_bit(const u8 *addr, unsigned int i)
{
	return (addr[i / 8] >> (7 - i % 8)) & 1;
}

/* Number of leading bits, up to @max, that @a and @b share. */
static unsigned int common_bits(const u8 *a, const u8 *b, unsigned int max)
{
	unsigned int i = 0;

	while (i + 8 <= max && a[i / 8] == b[i / 8])
		i += 8;
	while (i < max && addr_bit(a, i) == addr_bit(b, i))
		i++;
	return i;
}

static bool key_match(const struct vnet_lpm_node *n, const u8 *addr)
{
	unsigned int bytes = n->len / 8, rest = n->len % 8;

	if (memcmp(n->key, addr, bytes))
		return false;
	return !rest || !((n->key[bytes] ^ addr[bytes]) & (0xff << (8 - rest)));
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

static u32 new_node(struct vnet_lpm *t, const u8 *key, unsigned int len,
		    u32 value)
{
	struct vnet_lpm_node *n = &t->nodes[t->nr_nodes];

	memset(n, 0, sizeof(*n));
	memcpy(n->key, key, (len + 7) / 8);
	if (len % 8)
		n->key[len / 8] &= (u8)(0xff << (8 - len % 8));
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

	if (t->nr_nodes + 2 > t->max_nodes)
		return -ENOSPC;
	while (*link) {
		n = &t->nodes[*link];
		common = common_bits(n->key, p->addr,
				     n->len < p->len ? n->len : p->len);
		if (common == n->len && n->len == p->len) {
			n->value = value;
			return 0;
		}
		if (common == n->len) {
			link = &n->child[addr_bit(p->addr, n->len)];
			continue;
		}
		/* @p and @n part before @n ends: a node goes above @n. */
		old = *link;
		if (common == p->len) {
			idx = new_node(t, p->addr, p->len, value);
			t->nodes[idx].child[addr_bit(n->key, p->len)] = old;
		} else {
			idx = new_node(t, p->addr, common, VNET_LPM_NONE);
			t->nodes[idx].child[addr_bit(n->key, common)] = old;
			t->nodes[idx].child[addr_bit(p->addr, common)] =
				new_node(t, p->addr, p->len, value);
		}
		*link = idx;
		return 0;
	}
	*link = new_node(t, p->addr, p->len, value);
	return 0;
}

u32 vnet_lpm_lookup(const struct vnet_lpm *t, u8 family, const u8 *addr)
{
	unsigned int bits = family == AF_INET ? 32 : 128;
	u32 idx = t->root[family == AF_INET6];
	u32 best = VNET_LPM_NONE;

	while (idx) {
		const struct vnet_lpm_node *n = &t->nodes[idx];

		if (!key_match(n, addr))
			break;
		if (n->value != VNET_LPM_NONE)
			best = n->value;
		if (n->len >= bits)
			break;
		idx = n->child[addr_bit(addr, n->len)];
	}
	return best;
}
