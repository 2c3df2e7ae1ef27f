/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer targets share: reading a fuzzer's input as a stream
 * of small fields (zeros once it runs out, so every input decodes), and a
 * check that stays on in every build and says what failed before abort().
 */
#ifndef VNET_FUZZ_INPUT_H
#define VNET_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s: ",	\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline int fuzz_more(const struct fuzz_in *in)
{
	return in->left > 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u16(in);

	return hi << 16 | fuzz_u16(in);
}

static inline void fuzz_bytes(struct fuzz_in *in, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = fuzz_u8(in);
}

#endif
