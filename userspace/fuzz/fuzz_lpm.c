// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the longest-prefix-match trie of the policy core,
 * against the reference of tests/reference.h (every live prefix scanned).
 * The input is a capacity, which sets the size of the trie's direct table
 * (top_bits 0 to 16) and how many insertions it takes, then a sequence of
 * operations: insert, remove, exact get and lookup. Prefixes are typed in
 * whole or derived from one inserted before (same address, another
 * length, one byte changed), so they nest and collide; lookups probe
 * addresses in and around the stored prefixes. Every answer of the trie
 * must be the reference's; a refused insertion (-ENOSPC) must come only
 * once the capacity is used, and change nothing.
 */
#include <string.h>

#include "../tests/reference.h"
#include "input.h"

#define MAX_LIVE 512

/*
 * top_bits 0 to 8 mostly; 12 and 16 rarely: a short prefix refreshes every
 * slot of their direct tables it covers, which makes runs slow. A table,
 * not a compare, so that libFuzzer's compare tracing does not favour them.
 */
static const u32 capacities[32] = {
	1, 4, 16, 100, 256, 100, 16, 4, 1, 4, 16, 100, 256, 100, 16, 4,
	1, 4, 16, 100, 256, 100, 16, 4, 1, 4, 16, 100, 256, 100, 4096, 65536,
};

struct model {
	struct vnet_prefix p[MAX_LIVE];
	u32 val[MAX_LIVE];
	unsigned int n;
};

static int find(const struct model *m, const struct vnet_prefix *p)
{
	for (unsigned int i = 0; i < m->n; i++)
		if (!memcmp(&m->p[i], p, sizeof(*p)))
			return (int)i;
	return -1;
}

static void clear_host_bits(struct vnet_prefix *p)
{
	for (unsigned int i = p->len; i < 128; i++)
		p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
}

/* A prefix typed in whole, or one derived from a live one. */
static void read_prefix(struct fuzz_in *in, const struct model *m,
			struct vnet_prefix *p)
{
	u8 how = fuzz_u8(in), len = fuzz_u8(in);

	memset(p, 0, sizeof(*p));
	if ((how & 1) && m->n) {
		*p = m->p[fuzz_u8(in) % m->n];
		if (how & 2)	/* one byte changed */
			p->addr[fuzz_u8(in) % (vnet_prefix_bits(p->family) / 8)] ^=
				fuzz_u8(in);
	} else {
		p->family = how & 2 ? AF_INET6 : AF_INET;
		fuzz_bytes(in, p->addr, vnet_prefix_bits(p->family) / 8);
	}
	p->len = (u8)(len % (vnet_prefix_bits(p->family) + 1));
	clear_host_bits(p);
}

static void check_lookup(const struct vnet_lpm *t, const struct model *m,
			 u8 family, const u8 *addr)
{
	u32 got = vnet_lpm_lookup(t, family, addr);
	u32 want = ref_lpm_lookup(m->p, m->val, m->n, family, addr);

	fuzz_check(got == want, "lookup of %s %02x%02x%02x%02x...: %u, reference %u",
		   family == AF_INET ? "IPv4" : "IPv6", addr[0], addr[1],
		   addr[2], addr[3], got, want);
}

/* An address inside prefix @p, its host bits those of @fill. */
static void addr_in(const struct vnet_prefix *p, u8 fill, u8 *addr)
{
	memset(addr, fill, 16);
	for (unsigned int i = 0; i < p->len; i++) {
		u8 bit = (u8)(0x80 >> (i % 8));

		addr[i / 8] = (u8)((addr[i / 8] & ~bit) | (p->addr[i / 8] & bit));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	static struct model m;
	struct vnet_prefix p;
	struct vnet_lpm t;
	u32 cap, inserted = 0, next_val = 0, got;
	unsigned int ops = 0;
	u8 addr[16];
	int i, err;

	i = fuzz_u8(&in);
	cap = capacities[i % 32];
	if (vnet_lpm_init(&t, cap))
		return 0;
	m.n = 0;
	while (fuzz_more(&in) && ops++ < 2000) {
		u8 op = fuzz_u8(&in);

		switch (op % 8) {
		case 0:
		case 1:
		case 2:		/* insert */
			read_prefix(&in, &m, &p);
			i = find(&m, &p);
			if (i < 0 && m.n == MAX_LIVE)
				break;
			err = vnet_lpm_insert(&t, &p, next_val);
			if (err) {
				fuzz_check(err == -ENOSPC && inserted >= cap,
					   "insert: %d after %u of %u insertions",
					   err, inserted, cap);
				break;
			}
			inserted++;
			if (i < 0)
				i = (int)m.n++;
			m.p[i] = p;
			m.val[i] = next_val++;
			break;
		case 3:		/* remove: a live prefix, or any */
			read_prefix(&in, &m, &p);
			i = find(&m, &p);
			err = vnet_lpm_remove(&t, &p);
			fuzz_check(err == (i < 0 ? -ENOENT : 0),
				   "remove: %d, the prefix is %s", err,
				   i < 0 ? "absent" : "present");
			if (i >= 0) {
				m.p[i] = m.p[m.n - 1];
				m.val[i] = m.val[m.n - 1];
				m.n--;
			}
			break;
		case 4:		/* exact get */
			read_prefix(&in, &m, &p);
			i = find(&m, &p);
			got = vnet_lpm_get(&t, &p);
			fuzz_check(got == (i < 0 ? VNET_LPM_NONE : m.val[i]),
				   "get: %u", got);
			break;
		case 5:		/* lookup of any address */
			memset(addr, 0, sizeof(addr));
			fuzz_bytes(&in, addr, op & 8 ? 16 : 4);
			check_lookup(&t, &m, op & 8 ? AF_INET6 : AF_INET, addr);
			break;
		default:	/* lookup inside a prefix, or one of its kind */
			read_prefix(&in, &m, &p);
			addr_in(&p, fuzz_u8(&in), addr);
			check_lookup(&t, &m, p.family, addr);
		}
	}
	/* Every live prefix, at both ends of its range. */
	for (unsigned int k = 0; k < m.n; k++) {
		fuzz_check(vnet_lpm_get(&t, &m.p[k]) == m.val[k], "get of a live prefix");
		addr_in(&m.p[k], 0, addr);
		check_lookup(&t, &m, m.p[k].family, addr);
		addr_in(&m.p[k], 0xff, addr);
		check_lookup(&t, &m, m.p[k].family, addr);
	}
	vnet_lpm_free(&t);
	return 0;
}
