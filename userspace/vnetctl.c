// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl: the command line of vnet.ko. Options, the object table, batch
 * files and the version; each object lives in its own file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vnet.h>

#include "msg.h"
#include "vnetctl.h"

static const struct object *const objects[] = {
	&vnet_object, &subnet_object, &peering_object, &port_object, &acl_object,
	&route_object, &gateway_object, &lb_object, &endpoint_object,
	&trace_object, &stats_object,
	&monitor_object, &graph_object, &export_object, &apply_object,
};

#define N_OBJECTS (sizeof(objects) / sizeof(objects[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vnetctl [OPTIONS] OBJECT COMMAND [ARGS...]\n"
		"       vnetctl [OPTIONS] -b FILE\n"
		"       vnetctl help | -V\n"
		"Options:\n"
		"  -j          JSON output\n"
		"  -p          pretty JSON (with -j)\n"
		"  -b FILE     run one command per line of FILE (- for stdin) over one\n"
		"              socket; stop at the first failure and report FILE:LINE\n"
		"  -n NETNS    act in the network namespace NETNS (ip netns name)\n"
		"  -O ORIGIN   mark what is made as made by ORIGIN (vnetd, or a\n"
		"              number 1-255); show lists it as \"origin ORIGIN\"\n"
		"  -V          print the vnetctl and vnet.ko versions\n"
		"Objects:\n");
	for (size_t i = 0; i < N_OBJECTS; i++)
		fprintf(f, "%s", objects[i]->usage);
	fprintf(f, "Exit status: 0 done, 1 refused by the kernel or failed, 2 bad usage.\n");
}

int ctx_connect(struct ctx *c)
{
	return vnl_open(&c->nl);
}

int run_object(struct ctx *c, const struct object *obj, int argc, char **argv)
{
	const struct verb *v;

	if (argc >= 1 && !strcmp(argv[0], "help")) {
		fputs(obj->usage, stdout);
		return EXIT_DONE;
	}
	if (obj->run)
		return obj->run(c, argc, argv);
	if (argc < 1) {
		/* "vnetctl vnet" alone shows, as "ip link" does. */
		for (v = obj->verbs; v->name; v++)
			if (!strcmp(v->name, "show"))
				return v->fn(c, 0, argv);
		return usage_error("%s needs a command; try \"vnetctl %s help\"",
				   obj->name, obj->name);
	}
	for (v = obj->verbs; v->name; v++)
		if (!strcmp(v->name, argv[0]))
			return v->fn(c, argc - 1, argv + 1);
	return usage_error("unknown command \"%s\" for %s; try \"vnetctl %s help\"",
			   argv[0], obj->name, obj->name);
}

int vnetctl_dispatch(struct ctx *c, int argc, char **argv)
{
	if (argc < 1)
		return usage_error("missing object; try \"vnetctl help\"");
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return EXIT_DONE;
	}
	for (size_t i = 0; i < N_OBJECTS; i++)
		if (!strcmp(objects[i]->name, argv[0]))
			return run_object(c, objects[i], argc - 1, argv + 1);
	return usage_error("unknown object \"%s\"; try \"vnetctl help\"", argv[0]);
}

static int version(struct ctx *c)
{
	struct nlmsghdr *nlh;
	json_t *info = json_array(), *o;
	int err;

	printf("vnetctl %s\n", VNETCTL_VERSION);
	fflush(stdout);
	err = ctx_connect(c);
	if (err)
		goto out;
	nlh = vnl_request(&c->nl, VNET_CMD_INFO_GET, NLM_F_ACK);
	err = vnl_talk(&c->nl, nlh, parse_info_msg, info);
	if (err)
		goto out;
	o = json_array_get(info, 0);
	printf("vnet.ko %s, netlink family %s version %d, router MAC %s\n",
	       json_string_value(json_object_get(o, "version")), VNET_GENL_NAME,
	       VNET_GENL_VERSION,
	       json_string_value(json_object_get(o, "router-mac")));
out:
	json_decref(info);
	return err ? EXIT_FAILED : EXIT_DONE;
}

#define BATCH_MAX_WORDS 256

static int batch(struct ctx *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL, *argv[BATCH_MAX_WORDS];
	unsigned long lineno = 0;
	size_t cap = 0;
	int status = EXIT_DONE;

	if (!f) {
		error("cannot open %s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	c->batch = true;
	while (getline(&line, &cap, f) >= 0) {
		char **words = argv;
		int argc;

		lineno++;
		argc = split_words(line, argv, BATCH_MAX_WORDS);
		if (argc > 0 && !strcmp(argv[0], "vnetctl")) {
			words++;
			argc--;
		}
		if (argc < 0) {
			status = usage_error("more than %d words on a line",
					     BATCH_MAX_WORDS);
		} else if (argc == 0) {
			continue;
		} else {
			/* Deferred rules take effect before anything else runs. */
			if (strcmp(words[0], "acl"))
				status = acl_commit(c);
			if (!status)
				status = vnetctl_dispatch(c, argc, words);
		}
		if (status) {
			fflush(stdout);
			fprintf(stderr, "Error: batch stopped at %s:%lu\n",
				strcmp(path, "-") ? path : "stdin", lineno);
			break;
		}
	}
	/* What was accepted takes effect, also when a line failed. */
	if (acl_commit(c) && !status)
		status = EXIT_FAILED;
	free(line);
	if (f != stdin)
		fclose(f);
	return status;
}

static int enter_netns(const char *name)
{
	char path[256];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error("cannot open network namespace \"%s\": %s", name,
		      strerror(errno));
		return EXIT_FAILED;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		error("cannot enter network namespace \"%s\": %s", name,
		      strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	close(fd);
	return EXIT_DONE;
}

int main(int argc, char **argv)
{
	struct ctx c = {};
	const char *batch_file = NULL;
	bool show_version = false;
	char err[ERR_LEN];
	int opt, status;

	/* '+': options end at the first word, so "-1" style values pass. */
	while ((opt = getopt(argc, argv, "+jpb:n:O:Vh")) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'p':
			c.pretty = true;
			break;
		case 'b':
			batch_file = optarg;
			break;
		case 'n':
			if (enter_netns(optarg))
				return EXIT_FAILED;
			break;
		case 'O':
			if (parse_origin(optarg, &c.nl.origin, err))
				return usage_error("%s", err);
			break;
		case 'V':
			show_version = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_DONE;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (show_version)
		status = version(&c);
	else if (batch_file && optind < argc)
		status = usage_error("-b FILE takes no command on the command line");
	else if (batch_file)
		status = batch(&c, batch_file);
	else
		status = vnetctl_dispatch(&c, argc - optind, argv + optind);
	vnl_close(&c.nl);
	if (fflush(stdout) && !status) {
		error("cannot write the output: %s", strerror(errno));
		status = EXIT_FAILED;
	}
	return status;
}

int ctx_do(struct ctx *c, struct nlmsghdr *nlh)
{
	return vnl_talk(&c->nl, nlh, NULL, NULL) ? EXIT_FAILED : EXIT_DONE;
}

int ctx_show(struct ctx *c, uint8_t cmd, const char *vnet, vnl_parse_fn parse,
	     const struct field *spec, const char *key1, const char *key2)
{
	json_t *arr;
	int status;

	if (ctx_connect(c))
		return EXIT_FAILED;
	arr = vnl_dump(&c->nl, cmd, vnet, parse, &status);
	if (!status)
		print_list(c, arr, spec, key1, key2);
	json_decref(arr);
	return status ? EXIT_FAILED : EXIT_DONE;
}
