// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction-count benchmark of the route lookup (kmod/core/lpm.c):
 * builds a trie of N random IPv4 and IPv6 routes and performs a fixed
 * number of lookups. Run it under callgrind with
 * --toggle-collect=vnet_lpm_lookup and divide by the lookup count: the
 * figure is repeatable, unlike a time.
 *
 * usage: bench_lpm ROUTES LOOKUPS
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../kmod/core/lpm.h"

/* A small deterministic generator, so every run sees the same input. */
static u32 rng_state = 2463534242U;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void random_prefix(struct vnet_prefix *p)
{
	unsigned int bits, i;

	memset(p, 0, sizeof(*p));
	p->family = rng() % 2 ? AF_INET : AF_INET6;
	bits = vnet_prefix_bits(p->family);
	for (i = 0; i < bits / 8; i++)
		p->addr[i] = (u8)rng();
	/* Route-table-like lengths: /16../32 and /32../64, /128 hosts. */
	if (p->family == AF_INET)
		p->len = (u8)(16 + rng() % 17);
	else
		p->len = rng() % 8 ? (u8)(32 + rng() % 33) : 128;
	for (i = p->len; i < bits; i++)
		p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
}

int main(int argc, char **argv)
{
	unsigned long routes, lookups, i, hits = 0;
	struct vnet_prefix *p;
	struct vnet_lpm t;
	u8 addr[16];

	if (argc != 3) {
		fprintf(stderr, "usage: %s ROUTES LOOKUPS\n", argv[0]);
		return 2;
	}
	routes = strtoul(argv[1], NULL, 10);
	lookups = strtoul(argv[2], NULL, 10);
	p = calloc(routes ? routes : 1, sizeof(*p));
	if (!p || vnet_lpm_init(&t, (u32)routes))
		return 1;
	for (i = 0; i < routes; i++) {
		random_prefix(&p[i]);
		if (vnet_lpm_insert(&t, &p[i], (u32)i))
			return 1;
	}
	for (i = 0; i < lookups; i++) {
		/* Half the lookups hit a stored route, half are random. */
		const struct vnet_prefix *q = &p[rng() % (routes ? routes : 1)];
		u8 family = q->family;
		unsigned int j;

		for (j = 0; j < 16; j++)
			addr[j] = (u8)rng();
		if (routes && i % 2)
			memcpy(addr, q->addr, q->len / 8);
		else
			family = rng() % 2 ? AF_INET : AF_INET6;
		hits += vnet_lpm_lookup(&t, family, addr) != VNET_LPM_NONE;
	}
	printf("routes %lu lookups %lu hits %lu nodes %u\n", routes, lookups,
	       hits, t.nr_nodes - 1);
	vnet_lpm_free(&t);
	free(p);
	return 0;
}
