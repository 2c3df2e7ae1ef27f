// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction-count benchmark of the ACL classifier (kmod/core/acl.c):
 * compiles N rules shaped like a large tenant ACL (host and subnet rules
 * on source or destination, a service port, some "any"), then classifies
 * a fixed number of packets. Run under callgrind with
 * --toggle-collect=vnet_acl_lookup and divide by the packet count.
 *
 * usage: bench_acl RULES PACKETS [6]
 *
 * With "6", the same mix in IPv6 (prefix lengths 48 to 128 instead of
 * 16 to 32).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../kmod/core/acl.h"

#define BENCH_RNG_SEED 88172645U
#include "rng.h"

static int v6;	/* the same mix in IPv6: fd00::/8, 48 to 128 bits */

static void addr(u8 *a)
{
	u32 v = (10U << 24) | (rng() & 0xffffff);

	memset(a, 0, 16);
	if (v6) {
		/* 24 random bits, spread over the /48, /56, /64 and host parts */
		a[0] = 0xfd;
		a[5] = (u8)(v >> 16);
		a[6] = (u8)(v >> 8);
		a[15] = (u8)v;
		return;
	}
	a[0] = (u8)(v >> 24);
	a[1] = (u8)(v >> 16);
	a[2] = (u8)(v >> 8);
	a[3] = (u8)v;
}

static void prefix(struct vnet_prefix *p)
{
	static const u8 lens[] = { 0, 16, 24, 24, 28, 32, 32, 32 };
	static const u8 lens6[] = { 0, 48, 56, 56, 64, 128, 128, 128 };
	unsigned int bits = v6 ? 128 : 32;

	memset(p, 0, sizeof(*p));
	p->family = v6 ? AF_INET6 : AF_INET;
	p->len = v6 ? lens6[rng() % 8] : lens[rng() % 8];
	addr(p->addr);
	for (unsigned int i = p->len; i < bits; i++)
		p->addr[i / 8] &= (u8)~(0x80 >> (i % 8));
}

int main(int argc, char **argv)
{
	static const u16 ports[] = { 22, 53, 80, 443, 3306, 5432, 6379, 8080 };
	unsigned long nrules, packets, i, hits = 0;
	struct vnet_acl_rule *r;
	struct vnet_acl acl;
	struct timespec t0, t1;
	unsigned long bytes;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s RULES PACKETS [6]\n", argv[0]);
		return 2;
	}
	v6 = argc == 4 && !strcmp(argv[3], "6");
	nrules = strtoul(argv[1], NULL, 10);
	packets = strtoul(argv[2], NULL, 10);
	r = calloc(nrules ? nrules : 1, sizeof(*r));
	if (!r)
		return 1;
	for (i = 0; i < nrules; i++) {
		r[i].prio = (u32)i + 1;
		r[i].family = v6 ? AF_INET6 : AF_INET;
		prefix(&r[i].src);
		prefix(&r[i].dst);
		if (!r[i].src.len && !r[i].dst.len)	/* no catch-all rules */
			r[i].dst.len = v6 ? 128 : 32;
		r[i].any_proto = rng() % 4 == 0;
		r[i].proto = rng() % 2 ? 6 : 17;
		r[i].sport_hi = 65535;
		if (rng() % 4) {
			r[i].dport_lo = ports[rng() % 8];
			r[i].dport_hi = r[i].dport_lo;
		} else {
			r[i].dport_hi = 65535;
		}
		if (r[i].any_proto) {
			r[i].dport_lo = 0;
			r[i].dport_hi = 65535;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (vnet_acl_compile(&acl, r, (u32)nrules))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	bytes = nrules * sizeof(*acl.match) + acl.nr_nodes * sizeof(*acl.nodes) +
		acl.nr_leaf * sizeof(u32);
	for (i = 0; i < packets; i++) {
		struct vnet_acl_key k = { .family = v6 ? AF_INET6 : AF_INET };

		addr(k.src);
		addr(k.dst);
		k.proto = rng() % 2 ? 6 : 17;
		k.sport = (u16)(32768 + rng() % 28000);
		k.dport = ports[rng() % 8];
		k.from_vnet = 1;
		hits += vnet_acl_lookup(&acl, &k) != VNET_ACL_NONE;
	}
	printf("%lu rules: %lu of %lu packets matched; %u nodes, %u leaf entries\n",
	       nrules, hits, packets, acl.nr_nodes, acl.nr_leaf);
	printf("compile %.3f s, %lu bytes (%lu per rule)\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       bytes, nrules ? bytes / nrules : 0);
	vnet_acl_free(&acl);
	free(r);
	return 0;
}
