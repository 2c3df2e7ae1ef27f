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
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/mm.h>		/* kvmalloc_array, kvfree */
#include <linux/socket.h>	/* AF_INET, AF_INET6 */

/* Tables are built by the control path, which may sleep. */
#define core_alloc_array(n, size) kvmalloc_array(n, size, GFP_KERNEL)
#define core_free(p) kvfree(p)
#else
#include <stdbool.h>
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
#endif

#endif /* _VNET_CORE_COMPAT_H */
