// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vnetctl.h"

static void verror(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("Error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int need_arg(int argc, char **argv, int i, const char *what)
{
	if (i < argc)
		return 0;
	(void)argv;
	return usage_error("missing %s", what);
}

static void print_scalar(FILE *f, json_t *v)
{
	if (json_is_string(v))
		fputs(json_string_value(v), f);
	else if (json_is_integer(v))
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "on" : "off", f);
}

void print_text(FILE *f, const struct field *spec, json_t *o)
{
	bool first = true;

	for (; spec->key; spec++) {
		const char *word = spec->word ? spec->word : spec->key;
		json_t *v = json_object_get(o, spec->key), *e;
		const char *k;
		size_t i;

		if (!v)
			continue;
		switch (spec->kind) {
		case F_POS:
			fprintf(f, "%s", first ? "" : " ");
			print_scalar(f, v);
			break;
		case F_KEY:
		case F_FLAG:
			fprintf(f, "%s%s ", first ? "" : " ", word);
			print_scalar(f, v);
			break;
		case F_LIST:
			json_array_foreach(v, i, e) {
				fprintf(f, "%s%s ", first ? "" : " ", word);
				print_scalar(f, e);
				first = false;
			}
			break;
		case F_MAP:
			if (!json_object_size(v))
				continue;
			fprintf(f, "%s%s", first ? "" : " ", word);
			json_object_foreach(v, k, e) {
				fprintf(f, " %s ", k);
				print_scalar(f, e);
			}
			break;
		}
		first = false;
	}
	fputc('\n', f);
}

static const char *sort_key1, *sort_key2;

static int key_cmp(json_t *a, json_t *b, const char *key)
{
	const char *x = json_string_value(json_object_get(a, key));
	const char *y = json_string_value(json_object_get(b, key));

	return strcmp(x ? x : "", y ? y : "");
}

static int obj_cmp(const void *pa, const void *pb)
{
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	int r = key_cmp(a, b, sort_key1);

	return r || !sort_key2 ? r : key_cmp(a, b, sort_key2);
}

void sort_array(json_t *arr, const char *key1, const char *key2)
{
	size_t n = json_array_size(arr), i;
	json_t **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	sort_key1 = key1;
	sort_key2 = key2;
	qsort(v, n, sizeof(*v), obj_cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

void print_json(struct ctx *c, json_t *v)
{
	json_dumpf(v, stdout, c->pretty ? JSON_INDENT(4) : JSON_COMPACT);
	fputc('\n', stdout);
}

void print_list(struct ctx *c, json_t *arr, const struct field *spec,
		const char *key1, const char *key2)
{
	size_t i;
	json_t *o;

	if (key1)
		sort_array(arr, key1, key2);
	if (c->json) {
		print_json(c, arr);
		return;
	}
	json_array_foreach(arr, i, o)
		print_text(stdout, spec, o);
}
