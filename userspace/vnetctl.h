/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the object files of vnetctl share: the context of one run, the exit
 * statuses (README.md), errors and the one printing path for text and JSON.
 */
#ifndef VNETCTL_H
#define VNETCTL_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "nl.h"
#include "parse.h"

#ifndef VNETCTL_VERSION
#define VNETCTL_VERSION "0.1.0"
#endif

enum {
	EXIT_DONE = 0,		/* done */
	EXIT_FAILED = 1,	/* refused by the kernel, or failed */
	EXIT_USAGE = 2,		/* bad usage, caught before the kernel */
};

struct ctx {
	struct vnl nl;
	bool json;
	bool pretty;
	bool batch;		/* -b: ACL changes are committed together */
	bool acl_pending;	/* deferred ACL changes not committed yet */
};

/* "Error: <message>" on stderr. */
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, and EXIT_USAGE, for the object's "help" to follow. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Opens the netlink socket on first use: help and usage need no module. */
int ctx_connect(struct ctx *c);

/* A command: argv starts after the verb. */
typedef int (*cmd_fn)(struct ctx *c, int argc, char **argv);

struct verb {
	const char *name;
	cmd_fn fn;
};

struct object {
	const char *name;
	const struct verb *verbs;	/* OBJECT COMMAND ... */
	cmd_fn run;			/* or OBJECT ARGS ... */
	const char *usage;
};

extern const struct object vnet_object, subnet_object, peering_object,
	port_object, acl_object, stats_object, monitor_object, route_object,
	gateway_object, lb_object, endpoint_object, trace_object, graph_object,
	export_object, apply_object;

int run_object(struct ctx *c, const struct object *obj, int argc, char **argv);
/*
 * The configuration as export prints it (config.c): one array per kind,
 * with the states too if @states. NULL on failure (error printed).
 */
json_t *config_snapshot(struct ctx *c, bool states);
/*
 * Turns what deletions left in @doc (a snapshot without states) into what
 * apply can build, saying each change on @warn (config_remnants.c): the
 * number of objects changed.
 */
unsigned int config_fix_remnants(json_t *doc, FILE *warn);
/*
 * apply's plan and its steps (config.c): makes the namespace equal to @doc
 * in the kinds of @only ("KIND,..." as after apply's "only"; NULL: every
 * kind), undoing what it did if a step is refused. With @dry nothing runs
 * and the plan goes to @out; else each step done goes to @out (NULL: not
 * printed). *@steps (may be NULL): the number of steps done or planned.
 * An exit status.
 */
int config_apply(struct ctx *c, json_t *doc, const char *only, bool dry,
		 FILE *out, size_t *steps);
/* Runs one command line's words (OBJECT COMMAND ...): an exit status. */
int vnetctl_dispatch(struct ctx *c, int argc, char **argv);

/* Sends a built request and waits for its ack: an exit status. */
int ctx_do(struct ctx *c, struct nlmsghdr *nlh);

/*
 * Text output is derived from the JSON object, field by field, so the two
 * never drift: POS prints the value, KEY "word value", LIST "word v" per
 * element, FLAG "word on|off", MAP "word k v ..." when not empty.
 */
enum field_kind { F_POS, F_KEY, F_LIST, F_FLAG, F_MAP };

struct field {
	const char *key;
	enum field_kind kind;
	const char *word;	/* defaults to key */
};

#define FIELDS_END { NULL, F_POS, NULL }

void print_text(FILE *f, const struct field *spec, json_t *o);
/* Sorts @arr by @key1 then @key2 (may be NULL) and prints it. */
void print_list(struct ctx *c, json_t *arr, const struct field *spec,
		const char *key1, const char *key2);
void print_json(struct ctx *c, json_t *v);
/* Sorts the objects of @arr by @key1 then @key2 (may be NULL). */
void sort_array(json_t *arr, const char *key1, const char *key2);

/* Dumps @cmd (of one vnet if @vnet), prints it sorted: an exit status. */
int ctx_show(struct ctx *c, uint8_t cmd, const char *vnet, vnl_parse_fn parse,
	     const struct field *spec, const char *key1, const char *key2);

/* Makes deferred ACL changes of a batch take effect: an exit status. */
int acl_commit(struct ctx *c);

/* show and stats of ports: one DEV, or all. */
int port_query(struct ctx *c, int argc, char **argv, uint8_t cmd,
	       vnl_parse_fn parse, const struct field *spec);

/* Argument helpers for the verb parsers. */
int need_arg(int argc, char **argv, int i, const char *what);

extern const struct field vnet_fields[], subnet_fields[], peering_fields[],
	port_fields[], stats_fields[], acl_fields[], route_fields[],
	gateway_fields[], gateway_state_fields[], port_state_fields[], lb_fields[],
	endpoint_fields[];

#endif
