// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the line splitter of vnetctl -b (split_words): the
 * input is one line as getline() returns it (a NUL in it ends the line for
 * the splitter), after a first byte that sets the word limit. The words
 * must be those of a reference that copies them out one character at a
 * time; each lies inside the line, holds no blank and does not start a
 * comment; and the words joined by single blanks split again the same.
 */
#include <string.h>

#include "../parse.h"
#include "input.h"

#define LINE_MAX_FUZZ 4096
#define WORDS_MAX 64

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Words as offsets and lengths into @s; -1 past @max words. */
static int ref_split(const char *s, int max, size_t *off, size_t *len)
{
	int n = 0;
	size_t i = 0;

	for (;;) {
		while (s[i] && blank(s[i]))
			i++;
		if (!s[i] || s[i] == '#')
			return n;
		if (n == max)
			return -1;
		off[n] = i;
		while (s[i] && !blank(s[i]))
			i++;
		len[n] = i - off[n];
		n++;
	}
}

/* Splits @line (a copy of @orig) into @argv: the number of words. */
static int check(const char *orig, char *line, size_t size, int max,
		 char **argv)
{
	size_t off[WORDS_MAX], len[WORDS_MAX];
	int want = ref_split(orig, max, off, len);
	int argc = split_words(line, argv, max);

	fuzz_check(argc == want, "%d words, the reference says %d", argc, want);
	for (int i = 0; i < argc; i++) {
		fuzz_check(argv[i] >= line && argv[i] + len[i] < line + size,
			   "word %d outside the line", i);
		fuzz_check(argv[i] == line + off[i] && strlen(argv[i]) == len[i] &&
			   !memcmp(argv[i], orig + off[i], len[i]),
			   "word %d is \"%s\"", i, argv[i]);
		fuzz_check(len[i] > 0 && argv[i][0] != '#', "word %d", i);
		for (size_t j = 0; j < len[i]; j++)
			fuzz_check(!blank(argv[i][j]), "a blank in word %d", i);
	}
	return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char orig[LINE_MAX_FUZZ + 1], line[LINE_MAX_FUZZ + 1];
	char joined[2 * LINE_MAX_FUZZ + 2], again[2 * LINE_MAX_FUZZ + 2];
	char *argv[WORDS_MAX], *argv2[WORDS_MAX];
	size_t n, pos = 0;
	int max, argc;

	if (size < 1 || size > LINE_MAX_FUZZ + 1)
		return 0;
	max = data[0] % WORDS_MAX;
	n = size - 1;
	memcpy(orig, data + 1, n);
	orig[n] = '\0';
	memcpy(line, orig, n + 1);
	argc = check(orig, line, n + 1, max, argv);

	/* The words joined by single blanks split the same again. */
	if (argc <= 0)
		return 0;
	for (int i = 0; i < argc; i++)
		pos += (size_t)snprintf(joined + pos, sizeof(joined) - pos,
					"%s%s", i ? " " : "", argv[i]);
	memcpy(again, joined, pos + 1);
	fuzz_check(check(joined, again, pos + 1, max, argv2) == argc,
		   "the joined words split into another count");
	for (int i = 0; i < argc; i++)
		fuzz_check(!strcmp(argv[i], argv2[i]), "word %d changed", i);
	return 0;
}
