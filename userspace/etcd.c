// SPDX-License-Identifier: GPL-2.0
/*
 * The etcd v3 client of vnetd: JSON over HTTP(S) with libcurl (etcd.h).
 * 64-bit numbers travel as strings in etcd's JSON (lease ids, revisions),
 * and fields that hold their default value (0, false) are left out of its
 * answers: a missing "succeeded" is false, a missing "TTL" 0.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "etcd.h"

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *etcd_b64(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(4 * ((len + 2) / 3) + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned int v = p[i] << 16;

		if (i + 1 < len)
			v |= p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = b64chars[(v >> 18) & 63];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? b64chars[v & 63] : '=';
	}
	*o = 0;
	return out;
}

char *etcd_unb64(const char *s, size_t *len)
{
	size_t n = strlen(s), k = 0;
	char *out = malloc(n / 4 * 3 + 1);
	unsigned int v = 0;
	int bits = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *c = strchr(b64chars, s[i]);

		if (!c || !s[i]) {
			free(out);
			return NULL;
		}
		v = (v << 6) | (unsigned int)(c - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)((v >> bits) & 0xff);
		}
	}
	out[k] = 0;
	if (len)
		*len = k;
	return out;
}

char *etcd_prefix_end(const char *prefix)
{
	char *end = strdup(prefix);
	size_t n = strlen(end);

	/* Prefixes here are text: the last byte is never 0xff. */
	if (end && n)
		end[n - 1]++;
	return end;
}

int etcd_init(struct etcd *e, const char *endpoints)
{
	char *copy = strdup(endpoints), *tok, *save = NULL;

	memset(e, 0, sizeof(*e));
	e->timeout_ms = 3000;
	for (tok = strtok_r(copy, ",", &save); tok && e->n < 16;
	     tok = strtok_r(NULL, ",", &save))
		e->urls[e->n++] = strdup(tok);
	free(copy);
	e->curl = curl_easy_init();
	if (!e->n || !e->curl) {
		snprintf(e->err, sizeof(e->err), "%s", e->n ?
			 "cannot start libcurl" : "no etcd endpoint");
		return -1;
	}
	return 0;
}

void etcd_free(struct etcd *e)
{
	for (int i = 0; i < e->n; i++)
		free(e->urls[i]);
	if (e->curl)
		curl_easy_cleanup(e->curl);
	e->n = 0;
	e->curl = NULL;
}

struct buf {
	char *s;
	size_t n;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;
	size_t len = size * nmemb;
	char *s = realloc(b->s, b->n + len + 1);

	if (!s)
		return 0;
	memcpy(s + b->n, data, len);
	b->s = s;
	b->n += len;
	b->s[b->n] = 0;
	return len;
}

static void setup(struct etcd *e, CURL *c, const char *url,
		  struct curl_slist *hdrs, const char *body)
{
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (e->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, e->cacert);
	if (e->cert)
		curl_easy_setopt(c, CURLOPT_SSLCERT, e->cert);
	if (e->key)
		curl_easy_setopt(c, CURLOPT_SSLKEY, e->key);
}

/*
 * POSTs @req (consumed) to @path of a member, trying each member once from
 * the last good one: the answer, or NULL (e->err says why).
 */
static json_t *call(struct etcd *e, const char *path, json_t *req)
{
	struct curl_slist *hdrs = curl_slist_append(NULL,
					"Content-Type: application/json");
	char *body = json_dumps(req, JSON_COMPACT), url[512];
	json_t *ans = NULL;

	json_decref(req);
	for (int t = 0; t < e->n && !ans; t++) {
		int i = (e->cur + t) % e->n;
		struct buf b = { NULL, 0 };
		json_error_t jerr;
		long code = 0;
		CURLcode rc;

		snprintf(url, sizeof(url), "%s%s", e->urls[i], path);
		setup(e, e->curl, url, hdrs, body);
		curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, e->timeout_ms);
		curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, &b);
		rc = curl_easy_perform(e->curl);
		curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &code);
		if (rc == CURLE_OK && code == 200)
			ans = json_loads(b.s ? b.s : "", 0, &jerr);
		if (rc != CURLE_OK)
			snprintf(e->err, sizeof(e->err), "%s: %s", url,
				 curl_easy_strerror(rc));
		else if (code != 200)
			snprintf(e->err, sizeof(e->err), "%s: HTTP %ld: %.120s",
				 url, code, b.s ? b.s : "");
		else if (!ans)
			snprintf(e->err, sizeof(e->err), "%s: %s", url,
				 jerr.text);
		else
			e->cur = i;
		free(b.s);
	}
	free(body);
	curl_slist_free_all(hdrs);
	return ans;
}

static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static json_t *b64v(const char *s)
{
	char *b = etcd_b64(s, strlen(s));
	json_t *v = json_string(b);

	free(b);
	return v;
}

static json_t *lease_v(long long lease)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", lease);
	return json_string(buf);
}

/* The kvs of an answer as {"key", "value", "create", "mod"}. */
static json_t *decode_kvs(json_t *kvs)
{
	json_t *arr = json_array(), *kv;
	size_t i;

	json_array_foreach(kvs, i, kv) {
		const char *k = json_string_value(json_object_get(kv, "key"));
		const char *v = json_string_value(json_object_get(kv, "value"));
		char *key = etcd_unb64(k ? k : "", NULL);
		char *val = etcd_unb64(v ? v : "", NULL);

		if (key && val)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I}",
				"key", key, "value", val,
				"create", (json_int_t)num(kv, "create_revision"),
				"mod", (json_int_t)num(kv, "mod_revision")));
		free(key);
		free(val);
	}
	return arr;
}

int etcd_range(struct etcd *e, const char *key, const char *end,
	       json_t **kvs, long long *rev)
{
	json_t *req = json_pack("{s:o}", "key", b64v(key)), *ans;

	if (end)
		json_object_set_new(req, "range_end", b64v(end));
	ans = call(e, "/v3/kv/range", req);
	if (!ans)
		return -1;
	*kvs = decode_kvs(json_object_get(ans, "kvs"));
	if (rev)
		*rev = num(json_object_get(ans, "header"), "revision");
	json_decref(ans);
	return 0;
}

static json_t *put_op(const char *key, const char *value, long long lease)
{
	json_t *put = json_pack("{s:o,s:o}", "key", b64v(key), "value",
				b64v(value));

	if (lease)
		json_object_set_new(put, "lease", lease_v(lease));
	return put;
}

int etcd_put(struct etcd *e, const char *key, const char *value,
	     long long lease)
{
	json_t *ans = call(e, "/v3/kv/put", put_op(key, value, lease));

	json_decref(ans);
	return ans ? 0 : -1;
}

int etcd_delete(struct etcd *e, const char *key, const char *value)
{
	json_t *del = json_pack("{s:o}", "key", b64v(key)), *ans;

	if (!value) {
		ans = call(e, "/v3/kv/deleterange", del);
	} else {
		ans = call(e, "/v3/kv/txn", json_pack(
			"{s:[{s:o,s:s,s:s,s:o}],s:[{s:o}]}",
			"compare", "key", b64v(key), "target", "VALUE",
			"result", "EQUAL", "value", b64v(value),
			"success", "request_delete_range", del));
	}
	json_decref(ans);
	return ans ? 0 : -1;
}

int etcd_claim(struct etcd *e, const char *key, const char *value,
	       long long lease, char **holder)
{
	json_t *ans, *kvs;
	int ret = -1;

	*holder = NULL;
	ans = call(e, "/v3/kv/txn", json_pack(
		"{s:[{s:o,s:s,s:s,s:s}],s:[{s:o}],s:[{s:{s:o}}]}",
		"compare", "key", b64v(key), "target", "CREATE",
		"result", "EQUAL", "create_revision", "0",
		"success", "request_put", put_op(key, value, lease),
		"failure", "request_range", "key", b64v(key)));
	if (!ans)
		return -1;
	if (json_is_true(json_object_get(ans, "succeeded"))) {
		ret = 1;
	} else {
		const char *v;

		kvs = decode_kvs(json_object_get(json_object_get(
			json_array_get(json_object_get(ans, "responses"), 0),
			"response_range"), "kvs"));
		v = json_string_value(json_object_get(json_array_get(kvs, 0),
						      "value"));

		if (v && !strcmp(v, value))	/* ours: under this lease now */
			ret = etcd_put(e, key, value, lease) ? -1 : 1;
		else if (v)
			ret = 0, *holder = strdup(v);
		else		/* deleted since: try again next time */
			ret = 0, *holder = strdup("(released meanwhile)");
		json_decref(kvs);
	}
	json_decref(ans);
	return ret;
}

long long etcd_lease_grant(struct etcd *e, int ttl)
{
	json_t *ans = call(e, "/v3/lease/grant", json_pack("{s:i}", "TTL", ttl));
	long long id = ans ? num(ans, "ID") : 0;

	json_decref(ans);
	return id;
}

long long etcd_lease_keepalive(struct etcd *e, long long lease)
{
	json_t *ans = call(e, "/v3/lease/keepalive",
			   json_pack("{s:o}", "ID", lease_v(lease)));
	long long ttl;

	if (!ans)
		return -1;
	ttl = num(json_object_get(ans, "result"), "TTL");
	json_decref(ans);
	return ttl > 0 ? ttl : 0;
}

struct watch {
	struct buf b;
	int (*fn)(void *arg, json_t *result);
	void *arg;
	bool stopped;
};

/* The stream: one JSON object a line, {"result": {...}} or {"error": ...}. */
static size_t watch_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct watch *w = arg;
	size_t len = size * nmemb;
	char *nl;

	if (collect(data, size, nmemb, &w->b) != len)
		return 0;
	while ((nl = memchr(w->b.s, '\n', w->b.n))) {
		json_t *msg = json_loadb(w->b.s, (size_t)(nl - w->b.s), 0, NULL);
		json_t *res = json_object_get(msg, "result");
		int stop = !res || w->fn(w->arg, res);

		json_decref(msg);
		w->b.n -= (size_t)(nl + 1 - w->b.s);
		memmove(w->b.s, nl + 1, w->b.n + 1);
		if (stop) {
			w->stopped = true;
			return 0;	/* ends the transfer */
		}
	}
	return len;
}

int etcd_watch(struct etcd *e, const char *key, const char *end,
	       long long from, int (*fn)(void *arg, json_t *result),
	       void *arg)
{
	struct curl_slist *hdrs = curl_slist_append(NULL,
					"Content-Type: application/json");
	struct watch w = { { NULL, 0 }, fn, arg, false };
	json_t *req = json_pack("{s:{s:o,s:o,s:o}}", "create_request",
				"key", b64v(key), "range_end", b64v(end),
				"start_revision", lease_v(from));
	char *body = json_dumps(req, JSON_COMPACT), url[512];
	CURLcode rc;

	json_decref(req);
	snprintf(url, sizeof(url), "%s/v3/watch", e->urls[e->cur]);
	setup(e, e->curl, url, hdrs, body);
	curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, watch_data);
	curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, &w);
	rc = curl_easy_perform(e->curl);
	if (!w.stopped)
		snprintf(e->err, sizeof(e->err), "%s: %s", url,
			 rc == CURLE_OK ? "the stream ended" :
			 curl_easy_strerror(rc));
	free(w.b.s);
	free(body);
	curl_slist_free_all(hdrs);
	/* The next watch goes to the next member. */
	if (!w.stopped)
		e->cur = (e->cur + 1) % e->n;
	return w.stopped ? 0 : -1;
}
