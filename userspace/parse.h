/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing of command-line words: pure functions, no I/O, so the unit tests
 * can feed them anything. Each returns 0 or fills @err (ERR_LEN bytes) with
 * a sentence for the operator and returns -1.
 */
#ifndef VNETCTL_PARSE_H
#define VNETCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kmod/core/prefix.h"

#define ERR_LEN 256

int parse_name(const char *what, const char *s, char *err);
int parse_id(const char *s, uint32_t *id, char *err);
int parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
	      uint32_t *out, char *err);
int parse_prefix(const char *s, struct vnet_prefix *p, char *err);
int parse_addr(const char *s, struct vnet_prefix *p, char *err);
int parse_mac(const char *s, uint8_t mac[6], char *err);
int parse_onoff(const char *what, const char *s, bool *on, char *err);
/* VNET_A_ORIGIN by name (operator, vnetd) or number; the name of one. */
int parse_origin(const char *s, uint8_t *v, char *err);
const char *origin_name(uint8_t v);
int parse_ifname(const char *s, char *err);
/* A load balancer's backend: "IP:PORT", "[IPv6]:PORT", port 1..65535. */
int parse_backend(const char *s, struct vnet_prefix *p, uint16_t *port,
		  char *err);

/*
 * The words after "endpoint add" (VNET IP mac MAC remote UNDERLAY-IP
 * [forwarding on|off], after VNET IP in any order) or, with !@add,
 * "endpoint del" (VNET IP).
 */
struct endpoint_args {
	const char *vnet;
	struct vnet_prefix ip, remote;
	uint8_t mac[6];
	bool have_fwd, forwarding;
};

int parse_endpoint_args(int argc, char **argv, bool add,
			struct endpoint_args *a, char *err);

/*
 * A line of a batch file (-b) split into words in place: blanks (space,
 * tab, CR, LF) separate words, a word that starts with '#' starts a
 * comment to the end of the line; no quoting. Returns the number of words
 * (at most @max, in @argv), or -1 when the line has more.
 */
int split_words(char *line, char **argv, int max);

/* Text forms; @buf holds at least FMT_LEN bytes. */
#define FMT_LEN 64
const char *format_prefix(const struct vnet_prefix *p, char *buf);
const char *format_addr(const struct vnet_prefix *p, char *buf);
const char *format_mac(const uint8_t mac[6], char *buf);
const char *format_backend(const struct vnet_prefix *p, uint16_t port,
			   char *buf);

#endif
