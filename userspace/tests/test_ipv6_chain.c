// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv6 extension header walker (kmod/core/ipv6_chain.c) built in
 * userspace: every kind of header, the limits, the refusals, and random
 * chains read from buffers exactly as long as the datagram, so ASan sees
 * any read past its end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../kmod/core/ipv6_chain.h"

/* A packet under construction. */
struct pkt {
	u8 b[8192];
	unsigned int len;
	u8 *nh;		/* where the next header's number goes */
};

struct reader {
	const u8 *data;
	unsigned int size;	/* what the buffer holds, padding included */
	unsigned int end;	/* what the walker was told */
};

static const void *read_buf(void *ctx, unsigned int off, unsigned int len,
			    void *buf)
{
	const struct reader *r = ctx;

	(void)buf;
	/* The walker must never ask beyond the datagram. */
	assert_true(off + len <= r->end);
	if (off + len > r->size)
		return NULL;
	return r->data + off;
}

static void start(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 0x60;
	p->len = VNET_IPV6_HLEN;
	p->nh = &p->b[6];
}

/* An extension header of type @type and @bytes bytes (multiple of 8). */
static u8 *ext(struct pkt *p, u8 type, unsigned int bytes)
{
	u8 *h = p->b + p->len;

	*p->nh = type;
	p->nh = h;
	if (type == VNET_IP6_NH_AH)
		h[1] = (u8)(bytes / 4 - 2);
	else if (type != VNET_IP6_NH_FRAGMENT)
		h[1] = (u8)(bytes / 8 - 1);
	p->len += bytes;
	return h;
}

static void frag(struct pkt *p, unsigned int offset, bool more, u32 id)
{
	u8 *h = ext(p, VNET_IP6_NH_FRAGMENT, 8);
	u16 fo = (u16)(offset << 3 | more);

	h[2] = fo >> 8;
	h[3] = fo & 0xff;
	h[4] = id >> 24;
	h[5] = id >> 16;
	h[6] = id >> 8;
	h[7] = id;
}

static void upper(struct pkt *p, u8 proto, unsigned int bytes)
{
	*p->nh = proto;
	p->len += bytes;
}

static enum vnet_ipv6_walk walk_end(const struct pkt *p, unsigned int end,
				    struct vnet_ipv6_chain *c)
{
	struct reader r = { p->b, p->len, end };

	return vnet_ipv6_walk(read_buf, &r, 0, end, c);
}

static enum vnet_ipv6_walk walk(const struct pkt *p, struct vnet_ipv6_chain *c)
{
	return walk_end(p, p->len, c);
}

static void test_plain(void **state)
{
	struct vnet_ipv6_chain c;
	struct pkt p;

	(void)state;
	start(&p);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	assert_int_equal(c.proto, VNET_IP6_NH_TCP);
	assert_int_equal(c.thoff, 40);
	assert_int_equal(c.exthdrs, 0);
	assert_false(c.fragment);
}

static void test_each_header(void **state)
{
	struct vnet_ipv6_chain c;
	struct pkt p;
	u8 *rh;

	(void)state;
	start(&p);
	ext(&p, VNET_IP6_NH_HOP, 8);
	ext(&p, VNET_IP6_NH_DEST, 16);
	rh = ext(&p, VNET_IP6_NH_ROUTING, 24);
	rh[2] = 4;	/* segment routing */
	rh[3] = 1;
	ext(&p, VNET_IP6_NH_AH, 24);
	ext(&p, VNET_IP6_NH_DEST, 8);
	upper(&p, VNET_IP6_NH_UDP, 8);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	assert_int_equal(c.proto, VNET_IP6_NH_UDP);
	assert_int_equal(c.thoff, 40 + 8 + 16 + 24 + 24 + 8);
	assert_int_equal(c.exthdrs, 5);
}

static void test_fragment_after_dest(void **state)
{
	struct vnet_ipv6_chain c;
	struct pkt p;

	(void)state;
	start(&p);
	ext(&p, VNET_IP6_NH_DEST, 8);
	frag(&p, 0, true, 0xdeadbeef);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	assert_true(c.fragment);
	assert_true(c.more);
	assert_false(c.later);
	assert_int_equal(c.frag_id, 0xdeadbeef);
	assert_int_equal(c.proto, VNET_IP6_NH_TCP);
	assert_int_equal(c.thoff, 56);

	/* A later fragment: what follows is payload, whatever it looks like. */
	start(&p);
	ext(&p, VNET_IP6_NH_DEST, 8);
	frag(&p, 100, false, 7);
	upper(&p, VNET_IP6_NH_DEST, 3);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	assert_true(c.later);
	assert_int_equal(c.proto, VNET_IP6_NH_DEST);
	assert_int_equal(c.thoff, 56);

	/* An atomic fragment is a whole packet. */
	start(&p);
	frag(&p, 0, false, 9);
	upper(&p, VNET_IP6_NH_ICMPV6, 8);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	assert_true(c.fragment);
	assert_false(c.more);
	assert_false(c.later);
	assert_int_equal(c.proto, VNET_IP6_NH_ICMPV6);
}

static void test_refusals(void **state)
{
	static const u8 unknown[] = {
		VNET_IP6_NH_MOBILITY, VNET_IP6_NH_HIP, VNET_IP6_NH_SHIM6,
		VNET_IP6_NH_EXP1, VNET_IP6_NH_EXP2,
	};
	struct vnet_ipv6_chain c;
	struct pkt p;
	unsigned int i;
	u8 *rh;

	(void)state;
	/* Hop-by-hop only first. */
	start(&p);
	ext(&p, VNET_IP6_NH_DEST, 8);
	ext(&p, VNET_IP6_NH_HOP, 8);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_BAD);

	/* Two fragment headers. */
	start(&p);
	frag(&p, 0, true, 1);
	frag(&p, 0, true, 1);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_BAD);

	/* Routing header type 0, even with no segments left. */
	start(&p);
	rh = ext(&p, VNET_IP6_NH_ROUTING, 24);
	rh[2] = 0;
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_RH0);

	for (i = 0; i < sizeof(unknown); i++) {
		start(&p);
		ext(&p, VNET_IP6_NH_DEST, 8);
		ext(&p, unknown[i], 8);
		upper(&p, VNET_IP6_NH_TCP, 20);
		assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_BAD);
	}
}

static void test_limits(void **state)
{
	struct vnet_ipv6_chain c;
	struct pkt p;
	unsigned int i;

	(void)state;
	start(&p);
	for (i = 0; i < VNET_IPV6_MAX_EXTHDRS; i++)
		ext(&p, VNET_IP6_NH_DEST, 8);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	assert_int_equal(c.exthdrs, VNET_IPV6_MAX_EXTHDRS);

	start(&p);
	for (i = 0; i < 20; i++)
		ext(&p, VNET_IP6_NH_DEST, 8);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_TOO_LONG);

	/* The byte limit: 1232 pass (a 1 kB option among them), 1240 not. */
	start(&p);
	ext(&p, VNET_IP6_NH_HOP, 1024);
	ext(&p, VNET_IP6_NH_DEST, 208);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	start(&p);
	ext(&p, VNET_IP6_NH_HOP, 1024);
	ext(&p, VNET_IP6_NH_DEST, 216);
	upper(&p, VNET_IP6_NH_TCP, 20);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_TOO_LONG);
}

static void test_truncated(void **state)
{
	struct vnet_ipv6_chain c;
	struct pkt p;

	(void)state;
	start(&p);
	ext(&p, VNET_IP6_NH_DEST, 16);
	upper(&p, VNET_IP6_NH_TCP, 20);
	/*
	 * Ending inside the fixed header, inside the option, right after it
	 * (the upper-layer header must start in the datagram: RFC 7112).
	 */
	assert_int_equal(walk_end(&p, 20, &c), VNET_IPV6_WALK_TRUNCATED);
	assert_int_equal(walk_end(&p, 43, &c), VNET_IPV6_WALK_TRUNCATED);
	assert_int_equal(walk_end(&p, 50, &c), VNET_IPV6_WALK_TRUNCATED);
	assert_int_equal(walk_end(&p, 56, &c), VNET_IPV6_WALK_TRUNCATED);
	assert_int_equal(walk_end(&p, 57, &c), VNET_IPV6_WALK_OK);

	/* No next header needs nothing after it. */
	start(&p);
	ext(&p, VNET_IP6_NH_DEST, 8);
	upper(&p, VNET_IP6_NH_NONE, 0);
	assert_int_equal(walk(&p, &c), VNET_IPV6_WALK_OK);
	assert_int_equal(c.proto, VNET_IP6_NH_NONE);

	/*
	 * Padding: the buffer holds the rest of the header, but the datagram
	 * ends before it; read_buf fails the test if the walker looks there.
	 */
	start(&p);
	frag(&p, 0, true, 5);
	upper(&p, VNET_IP6_NH_UDP, 8);
	assert_int_equal(walk_end(&p, 44, &c), VNET_IPV6_WALK_TRUNCATED);
}

/* Random chains over buffers of the datagram's size: no over-read, sane. */
static void test_random(void **state)
{
	static const u8 kinds[] = {
		VNET_IP6_NH_HOP, VNET_IP6_NH_ROUTING, VNET_IP6_NH_FRAGMENT,
		VNET_IP6_NH_DEST, VNET_IP6_NH_AH, VNET_IP6_NH_TCP,
		VNET_IP6_NH_UDP, VNET_IP6_NH_ICMPV6, VNET_IP6_NH_NONE, 253,
	};
	u32 x = 2463534242u;
	unsigned int n;

	(void)state;
	for (n = 0; n < 200000; n++) {
		unsigned int len = 0, i, end;
		struct vnet_ipv6_chain c;
		struct reader r;
		u8 *buf;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		len = 40 + x % 700;
		buf = malloc(len);
		assert_non_null(buf);
		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (u8)x;
			/* Mostly known next headers and small lengths. */
			if (i == 6 || (i >= 40 && i % 8 == 0 && (x >> 8) % 4))
				buf[i] = kinds[(x >> 12) % sizeof(kinds)];
			else if (i >= 40 && i % 8 == 1 && (x >> 8) % 4)
				buf[i] = (u8)((x >> 16) % 4);
		}
		end = len - (x >> 20) % (len - 39);
		r.data = buf;
		r.size = end;	/* ASan catches any read beyond */
		r.end = end;
		if (vnet_ipv6_walk(read_buf, &r, 0, end, &c) ==
		    VNET_IPV6_WALK_OK) {
			assert_true(c.thoff >= 40 && c.thoff <= end);
			assert_true(c.exthdrs <= VNET_IPV6_MAX_EXTHDRS);
			assert_true(c.thoff - 40 <= VNET_IPV6_MAX_EXTBYTES);
			if (!c.later) {
				assert_true(c.proto != VNET_IP6_NH_HOP);
				assert_true(c.proto != VNET_IP6_NH_DEST);
				assert_true(c.proto != VNET_IP6_NH_ROUTING);
				assert_true(c.proto != VNET_IP6_NH_FRAGMENT);
				assert_true(c.proto != VNET_IP6_NH_AH);
			}
		}
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_each_header),
		cmocka_unit_test(test_fragment_after_dest),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests_name("ipv6_chain", tests, NULL, NULL);
}
