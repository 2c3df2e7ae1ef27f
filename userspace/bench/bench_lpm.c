// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction-count benchmark of the route lookup (kmod/core/lpm.c):
 * builds a trie of N random IPv4 and IPv6 routes and performs a fixed
 * number of lookups. Run it under callgrind with
 * --toggle-collect=vnet_lpm_lookup and divide by the lookup count: the
 * figure is repeatable, unlike a time.
 *
 * usage: bench_lpm ROUTES LOOKUPS [dense]
 *
 * By default the routes are spread over the whole address space. With
 * "dense" they are what one tenant subnet would hold: IPv4 /20 to /28 in
 * 10.0.0.0/8 and IPv6 /48 to /64 in fd00::/16, so they share long paths.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../../kmod/core/lpm.h"

#define BENCH_RNG_SEED 2463534242U
#include "rng.h"

static bool dense;

static void random_prefix(struct vnet_prefix *p)
{
	unsigned int bits, i;

	memset(p, 0, sizeof(*p));
	p->family = rng() % 2 ? AF_INET : AF_INET6;
	bits = vnet_prefix_bits(p->family);
	for (i = 0; i < bits / 8; i++)
		p->addr[i] = (u8)rng();
	if (dense && p->family == AF_INET) {
		p->addr[0] = 10;
		p->len = (u8)(20 + rng() % 9);
	} else if (dense) {
		p->addr[0] = 0xfd;
		p->addr[1] = 0;
		p->len = (u8)(48 + rng() % 17);
	} else if (p->family == AF_INET) {
		/* Route-table-like lengths: /16../32 and /32../64, /128. */
		p->len = (u8)(16 + rng() % 17);
	} else {
		p->len = rng() % 8 ? (u8)(32 + rng() % 33) : 128;
	}
	for (i = p->len; i < bits; i++)
		p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
}

int main(int argc, char **argv)
{
	unsigned long routes, lookups, i, hits = 0;
	struct vnet_prefix *p;
	struct vnet_lpm t;
	u8 addr[16];

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "dense"))) {
		fprintf(stderr, "usage: %s ROUTES LOOKUPS [dense]\n", argv[0]);
		return 2;
	}
	dense = argc == 4;
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
		if (routes && i % 2) {
			memcpy(addr, q->addr, q->len / 8);
		} else {
			family = rng() % 2 ? AF_INET : AF_INET6;
			if (dense) {
				addr[0] = family == AF_INET ? 10 : 0xfd;
				addr[1] = family == AF_INET ? addr[1] : 0;
			}
		}
		hits += vnet_lpm_lookup(&t, family, addr) != VNET_LPM_NONE;
	}
	printf("routes %lu lookups %lu hits %lu nodes %u bytes/route %lu\n",
	       routes, lookups, hits, t.nr_nodes - 1,
	       routes ? (unsigned long)(t.nr_nodes - 1) *
			sizeof(struct vnet_lpm_node) / routes : 0);
	vnet_lpm_free(&t);
	free(p);
	return 0;
}
