/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client of etcd's v3 API through its JSON gateway (etcd 3.4:
 * POST /v3/kv/range, /v3/kv/txn, /v3/kv/deleterange, /v3/watch,
 * /v3/lease/grant, /v3/lease/keepalive), with libcurl and jansson. Keys
 * and values are text here; base64 on the wire is this file's business.
 *
 * A client holds a list of endpoints (URLs of cluster members) and sends
 * each request to the one that answered last, moving on to the next when
 * one cannot be reached or times out. One client per thread.
 */
#ifndef VNETD_ETCD_H
#define VNETD_ETCD_H

#include <stdbool.h>

#include <jansson.h>

struct etcd {
	char *urls[16];
	int n, cur;
	const char *cacert, *cert, *key;	/* TLS, or NULL */
	long timeout_ms;			/* per request */
	void *curl;
	char err[1024];			/* why the last call failed */
};

/* @endpoints: "URL[,URL...]". 0, or -1 (message in e->err). */
int etcd_init(struct etcd *e, const char *endpoints);
void etcd_free(struct etcd *e);

/* The smallest key after every key that starts with @prefix (malloc'ed). */
char *etcd_prefix_end(const char *prefix);

/*
 * Keys from @key up to @end (NULL: @key alone), as a JSON array of
 * {"key", "value", "create", "mod"} (revisions as integers), and the
 * store's revision. 0 or -1.
 */
int etcd_range(struct etcd *e, const char *key, const char *end,
	       json_t **kvs, long long *rev);
/* Puts @key = @value, attached to @lease (0: none). 0 or -1. */
int etcd_put(struct etcd *e, const char *key, const char *value,
	     long long lease);
/* Deletes @key, only if its value is @value (NULL: whatever it is). */
int etcd_delete(struct etcd *e, const char *key, const char *value);
/*
 * Creates @key = @value under @lease in a transaction, only if @key does
 * not exist; if it exists with @value already (a claim of ours, maybe
 * under an older lease) it is put again under @lease. 1 claimed, 0 held by
 * someone else (*holder: their value, malloc'ed), -1 error.
 */
int etcd_claim(struct etcd *e, const char *key, const char *value,
	       long long lease, char **holder);
/* A lease of @ttl seconds: its id, or 0 (error). */
long long etcd_lease_grant(struct etcd *e, int ttl);
/* Refreshes @lease: its remaining TTL, 0 if it has expired, -1 error. */
long long etcd_lease_keepalive(struct etcd *e, long long lease);

/*
 * Watches the keys from @key up to @end from revision @from, calling
 * @fn(@arg, result) for each message of the stream ({"header", "events",
 * "compact_revision", "canceled", ...}); returns when @fn returns non-zero,
 * the stream ends or fails: 0 if @fn stopped it, -1 otherwise. Blocks.
 */
int etcd_watch(struct etcd *e, const char *key, const char *end,
	       long long from, int (*fn)(void *arg, json_t *result),
	       void *arg);

/* Base64 of @len bytes (malloc'ed), and back (NULL if malformed). */
char *etcd_b64(const char *s, size_t len);
char *etcd_unb64(const char *s, size_t *len);

#endif
