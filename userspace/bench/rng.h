/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmarks' random numbers: a small deterministic generator
 * (xorshift32), so that every run sees the same input. Each benchmark
 * defines BENCH_RNG_SEED before it includes this, and keeps its own.
 */
#ifndef _VNET_BENCH_RNG_H
#define _VNET_BENCH_RNG_H

static u32 rng_state = BENCH_RNG_SEED;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

#endif /* _VNET_BENCH_RNG_H */
