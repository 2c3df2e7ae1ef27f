// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the IPv6 extension header walker: the input is a
 * datagram (IPv6 header first), its last byte also says where the datagram
 * ends, so the walker meets truncated chains as well as whole ones. The
 * buffer is exactly as long as the datagram: ASan reports any read past it.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../kmod/core/ipv6_chain.h"

struct reader {
	const u8 *data;
	unsigned int end;
};

static const void *read_buf(void *ctx, unsigned int off, unsigned int len,
			    void *buf)
{
	const struct reader *r = ctx;

	(void)buf;
	assert(off + len <= r->end);
	return r->data + off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnet_ipv6_chain c;
	struct reader r;
	unsigned int end;
	u8 *copy;

	if (size < 2 || size > 65536)
		return 0;
	end = (unsigned int)size - 1;
	end -= data[end] % (end + 1) / 4;	/* sometimes cut short */
	copy = malloc(end ? end : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, end);
	r.data = copy;
	r.end = end;
	if (vnet_ipv6_walk(read_buf, &r, 0, end, &c) == VNET_IPV6_WALK_OK) {
		assert(c.thoff >= VNET_IPV6_HLEN && c.thoff <= end);
		assert(c.exthdrs <= VNET_IPV6_MAX_EXTHDRS);
		assert(c.thoff - VNET_IPV6_HLEN <= VNET_IPV6_MAX_EXTBYTES);
	}
	free(copy);
	return 0;
}
