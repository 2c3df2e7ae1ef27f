/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only header the policy core includes: it maps the few kernel types
 * and helpers the core uses onto the C library when the core is built into
 * userspace tests, fuzzers and benchmarks.
 */
#ifndef _VNET_CORE_COMPAT_H
#define _VNET_CORE_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>	/* offsetof */
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/mm.h>		/* kvmalloc_array, kvfree */
#include <linux/socket.h>	/* AF_INET, AF_INET6 */
#include <linux/sort.h>
#include <asm/barrier.h>
#include <asm/unaligned.h>

#define core_load_be32(p) get_unaligned_be32(p)
#define core_load_be64(p) get_unaligned_be64(p)
#define core_load32(p) get_unaligned((const u32 *)(p))
#define core_load64(p) get_unaligned((const u64 *)(p))

/* Tables are built by the control path, which may sleep. Zeroed. */
#define core_alloc_array(n, size) kvcalloc(n, size, GFP_KERNEL)
#define core_free(p) kvfree(p)
#define core_sort(base, n, size, cmp) sort(base, n, size, cmp, NULL)

/*
 * A table that readers walk under RCU while the control path grows it in
 * place: a store that makes initialised memory reachable is a release, and
 * readers load what such stores write with READ_ONCE().
 */
#define core_store_release(p, v) smp_store_release(p, v)
#define core_load_once(p) READ_ONCE(*(p))
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define core_alloc_array(n, size) calloc(n, size)
#define core_free(p) free(p)
#define core_sort(base, n, size, cmp) qsort(base, n, size, cmp)
#define core_store_release(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define core_load_once(p) __atomic_load_n(p, __ATOMIC_RELAXED)

/*
 * Big-endian loads from any alignment: one load, and on a little-endian
 * host one byte swap. (Assembled from single bytes instead, a 64-bit load
 * compiles to two 32-bit ones and their swaps: more instructions than
 * the module's get_unaligned_be64() in every lookup userspace counts.)
 */
static inline u32 core_load_be32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline u64 core_load_be64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Host-order loads from any alignment (one load each). */
static inline u32 core_load32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u64 core_load64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}
#endif

#endif /* _VNET_CORE_COMPAT_H */
