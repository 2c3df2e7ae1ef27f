// SPDX-License-Identifier: GPL-2.0
/*
 * vnetd: one per host, keeps the host in step with the cluster through
 * etcd (Documentation/vnet.rst, "Many hosts: vnetd").
 *
 * Keys under the prefix P (/vnet by default):
 *   P/intent             the cluster's intent: an export document; vnetd
 *                        applies its cluster-wide kinds (CLUSTER_KINDS)
 *   P/ports/HOST/DEV     {"vnet","subnet","mac","ips","underlay",
 *                        "forwarding"}: a port bound (state up) on HOST,
 *                        under HOST's lease
 *   P/claims/VNET/IP     "HOST/DEV": who owns that address, created only if
 *                        absent (first claim wins), under the lease
 *   P/conflicts/VNET/IP/HOST  "HOST/DEV": HOST's claim was refused, under
 *                        HOST's lease: the holder reports it too
 *
 * The loop is level-triggered: each round reads the whole prefix at one
 * revision, and makes the namespace equal to it with apply's code (a
 * difference against the kernel: a change seen twice is applied once, a
 * change missed is seen in the next round). A watch from the revision
 * last read wakes the loop as soon as something changes; without events,
 * a round runs every RESYNC seconds anyway, and the local ports are looked
 * at every second. While etcd cannot be reached, the kernel keeps what
 * was applied last.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include <linux/vnet.h>

#include "etcd.h"
#include "msg.h"
#include "vnetctl.h"

#define CLUSTER_KINDS "vnets,subnets,peerings,subnet-acls,routes,lbs"
#define RESYNC 10	/* seconds between rounds without events */

struct config {
	const char *name, *underlay, *endpoints, *prefix;
	const char *cacert, *cert, *key;
	int ttl;
};

static struct config cfg = { .prefix = "/vnet", .ttl = 6 };
static struct etcd etc;
static struct ctx ctl;
static int wake[2];			/* the watch thread wakes the loop */
static atomic_llong watch_from;		/* revision the watch starts at */
static volatile sig_atomic_t stopping;

/* State of the loop. */
static long long lease;
static long long intent_mod = -1;	/* mod revision of the intent applied */
static json_t *published;		/* DEV -> the value put for it */
static json_t *refused;			/* DEV -> holder, told once */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vnetd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/*
 * A state that lasts (a route waiting for its appliance, a port refused)
 * is said once: in the round that first sees it, and again only after it
 * went and came back. Each message site keeps a struct once across
 * rounds, and once_round() ends a round.
 */
struct once {
	json_t *told;		/* said in the last round */
	json_t *seen;		/* said or due in this one */
};

static void say_once(struct once *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say_once(struct once *o, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!o->seen)
		o->seen = json_object();
	if (!json_object_get(o->told, msg))
		say("%s", msg);
	json_object_set_new(o->seen, msg, json_true());
}

static void once_round(struct once *o)
{
	json_decref(o->told);
	o->told = o->seen;
	o->seen = NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* ---- the watch thread ---- */

static int on_watch(void *arg, json_t *res)
{
	long long rev = 0;
	json_t *h = json_object_get(res, "header");
	json_t *r = json_object_get(h, "revision");

	(void)arg;
	if (json_is_string(r))
		rev = strtoll(json_string_value(r), NULL, 10);
	if (json_array_size(json_object_get(res, "events")) ||
	    json_object_get(res, "compact_revision") ||
	    json_is_true(json_object_get(res, "canceled"))) {
		if (write(wake[1], "w", 1) < 0 && errno != EAGAIN)
			return 1;
	}
	/* A canceled watch (compacted revision) starts again from now. */
	if (json_is_true(json_object_get(res, "canceled")))
		return 1;
	if (rev >= atomic_load(&watch_from))
		atomic_store(&watch_from, rev + 1);
	return stopping;
}

static void *watch_thread(void *arg)
{
	struct etcd w;
	char *end = etcd_prefix_end(arg);
	double pause = 0.2;

	if (etcd_init(&w, cfg.endpoints))
		return NULL;
	w.cacert = cfg.cacert;
	w.cert = cfg.cert;
	w.key = cfg.key;
	while (!stopping) {
		long long from = atomic_load(&watch_from);
		double t0 = now();

		if (from > 0 && etcd_watch(&w, arg, end, from, on_watch, NULL))
			say("watch: %s; again in %.1f s", w.err, pause);
		/* Only a watch that fails at once backs off. */
		pause = now() - t0 > 5 ? 0.2 : pause * 2 > 5 ? 5 : pause * 2;
		if (from <= 0)
			pause = 0.2;
		usleep((useconds_t)(pause * 1e6));
	}
	free(end);
	etcd_free(&w);
	return NULL;
}

/*
 * The keepalive thread: refreshes the lease in alive_lease every third of
 * its TTL, on a connection of its own, so that a long round (a slow
 * member, a large apply) never lets it expire. An expired lease is set to
 * 0 there, for the loop to grant another.
 */
static atomic_llong alive_lease;

static void *keepalive_thread(void *arg)
{
	struct etcd k;

	(void)arg;
	if (etcd_init(&k, cfg.endpoints))
		return NULL;
	k.cacert = cfg.cacert;
	k.cert = cfg.cert;
	k.key = cfg.key;
	k.timeout_ms = cfg.ttl * 1000L / 3;
	while (!stopping) {
		long long id = atomic_load(&alive_lease);

		if (id && etcd_lease_keepalive(&k, id) == 0) {
			atomic_compare_exchange_strong(&alive_lease, &id, 0);
			if (write(wake[1], "k", 1) < 0 && errno != EAGAIN)
				break;
		}
		usleep((useconds_t)(cfg.ttl * 1e6 / 3));
	}
	etcd_free(&k);
	return NULL;
}

/* ---- applying ---- */

/*
 * config_apply with each step it runs logged as "vnetd: WHAT: STEP": an
 * exit status, *steps the number of steps done.
 */
static int apply_logged(const char *what, json_t *doc, const char *only,
			size_t *steps)
{
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int status;

	if (!f)
		return EXIT_FAILED;
	status = config_apply(&ctl, doc, only, false, f, steps);
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		say("%s: %s", what, line);
	free(text);
	return status;
}

/* The subnet of @vnet in @doc that holds @ip, or NULL. */
static json_t *subnet_of(json_t *doc, const char *vnet, const char *ip)
{
	struct vnet_prefix a, p;
	char err[ERR_LEN];
	size_t i, j;
	json_t *o, *v;

	if (parse_addr(ip, &a, err))
		return NULL;
	json_array_foreach(json_object_get(doc, "subnets"), i, o) {
		if (strcmp(str(o, "vnet"), vnet))
			continue;
		json_array_foreach(json_object_get(o, "prefixes"), j, v)
			if (!parse_prefix(json_string_value(v), &p, err) &&
			    p.family == a.family && vnet_prefix_match(&p, a.addr))
				return o;
	}
	return NULL;
}

/* Is @ip in a subnet of @vnet in @local (the kernel takes no other)? */
static bool in_subnet(json_t *local, const char *vnet, const char *ip)
{
	return subnet_of(local, vnet, ip) != NULL;
}

/*
 * The endpoints of the namespace but those in subnets that @doc changes
 * or removes: the kernel deletes no subnet that holds endpoints (rule 12),
 * and endpoints are not in the intent's scope.
 */
static json_t *endpoints_kept(json_t *doc)
{
	json_t *cur = config_snapshot(&ctl, false), *keep, *o, *sub;
	size_t i, j;

	if (!cur)
		return NULL;
	keep = json_array();
	json_array_foreach(json_object_get(cur, "endpoints"), i, o) {
		bool same = false;
		json_t *w;

		sub = subnet_of(cur, str(o, "vnet"), str(o, "ip"));
		json_array_foreach(json_object_get(doc, "subnets"), j, w)
			same |= json_equal(w, sub);
		if (same)
			json_array_append(keep, o);
	}
	json_decref(cur);
	return json_pack("{s:o}", "endpoints", keep);
}

/*
 * An lb's backends must be ports or endpoints here (the kernel refuses
 * others): those not here yet are left out of it, and an lb none of whose
 * backends is here is left out, so traffic to its frontend drops here
 * (no port has that address) until one is. @ips holds "VNET/IP" of the
 * ports and endpoints.
 */
static void lbs_here(json_t *doc, json_t *ips, struct once *said)
{
	char id[256], ip[FMT_LEN], err[ERR_LEN];
	json_t *lbs, *o, *v, *kept;
	struct vnet_prefix addr;
	size_t i, j, n;
	uint16_t port;

	if (!json_object_get(doc, "lbs"))
		return;
	lbs = json_array();
	json_array_foreach(json_object_get(doc, "lbs"), i, o) {
		kept = json_array();
		n = json_array_size(json_object_get(o, "backends"));
		json_array_foreach(json_object_get(o, "backends"), j, v) {
			if (parse_backend(json_string_value(v), &addr, &port,
					  err))
				continue;	/* apply refuses the lb */
			snprintf(id, sizeof(id), "%s/%s", str(o, "vnet"),
				 format_addr(&addr, ip));
			if (json_object_get(ips, id))
				json_array_append(kept, v);
		}
		if (json_array_size(kept) < n)
			say_once(said, "intent: lb %s %s: %zu of its %zu backends are neither ports nor endpoints here; %s",
				 str(o, "vnet"), str(o, "name"),
				 n - json_array_size(kept), n,
				 json_array_size(kept) ?
				 "the others serve here" :
				 "left out here until one is");
		if (json_array_size(kept)) {
			json_object_set(o, "backends", kept);
			json_array_append(lbs, o);
		}
		json_decref(kept);
	}
	json_object_set_new(doc, "lbs", lbs);
}

/*
 * A route via an appliance needs the appliance here, as a port or as the
 * endpoint of a port on another host (in the route's vnet or a peer): the
 * kernel refuses a route to an appliance it does not know. Until the
 * appliance's endpoint is installed (or while its host is gone), such a
 * route is applied as "nexthop none", which drops what it would have sent
 * to the appliance (leaving it out would let that traffic past the
 * appliance). Returns a copy of @doc so changed, saying each route once
 * per change.
 */
static json_t *routes_here(json_t *doc, json_t *local)
{
	json_t *out = json_deep_copy(doc), *ips = json_object();
	static struct once said;
	json_t *o, *v, *pe;
	size_t i, j;
	char id[256];

	json_array_foreach(json_object_get(local, "ports"), i, o)
		json_array_foreach(json_object_get(o, "ips"), j, v) {
			snprintf(id, sizeof(id), "%s/%s", str(o, "vnet"),
				 json_string_value(v));
			json_object_set_new(ips, id, json_true());
		}
	json_array_foreach(json_object_get(local, "endpoints"), i, o) {
		snprintf(id, sizeof(id), "%s/%s", str(o, "vnet"), str(o, "ip"));
		json_object_set_new(ips, id, json_true());
	}
	json_array_foreach(json_object_get(out, "routes"), i, o) {
		const char *a = json_string_value(json_object_get(o, "appliance"));
		bool here;

		if (!a)
			continue;
		snprintf(id, sizeof(id), "%s/%s", str(o, "vnet"), a);
		here = json_object_get(ips, id);
		json_array_foreach(json_object_get(out, "peerings"), j, pe) {
			if (strcmp(str(pe, "vnet"), str(o, "vnet")))
				continue;
			snprintf(id, sizeof(id), "%s/%s", str(pe, "remote"), a);
			here |= json_object_get(ips, id) != NULL;
		}
		if (here)
			continue;
		say_once(&said, "intent: route %s %s %s: appliance %s is neither a port nor an endpoint here; nexthop none here until it is",
			 str(o, "vnet"), str(o, "subnet"), str(o, "prefix"), a);
		json_object_set_new(o, "nexthop", json_string("none"));
		json_object_del(o, "appliance");
	}
	lbs_here(out, ips, &said);
	once_round(&said);
	json_decref(ips);
	return out;
}

/*
 * Applies the intent @doc of revision @mod, unless that very document was
 * applied last (it changes with the revision, and with the host's ports
 * and endpoints for the routes via appliances and the lbs' backends).
 */
static void apply_intent(json_t *doc, long long mod, json_t *local)
{
	static json_t *applied;
	size_t steps = 0;
	json_t *here;
	int status;

	if (!doc) {
		/* No intent, or not one: the cluster-wide objects stay. */
		if (mod != intent_mod)
			say("intent: %s; nothing applied", mod ?
			    "not a JSON object" : "no key");
		intent_mod = mod;
		return;
	}
	here = routes_here(doc, local);
	if (mod == intent_mod && json_equal(here, applied)) {
		json_decref(here);
		return;
	}
	status = apply_logged("intent", here, CLUSTER_KINDS, &steps);
	if (status) {
		/*
		 * Endpoints are outside the scope, and the kernel refuses to
		 * delete a subnet that holds some: without them, once; the
		 * round puts back those that are still wanted.
		 */
		json_t *keep = endpoints_kept(here);

		say("intent: revision %lld refused; again without the endpoints in subnets it changes",
		    mod);
		if (keep && !apply_logged("endpoint", keep, "endpoints", NULL))
			status = apply_logged("intent", here, CLUSTER_KINDS,
					      &steps);
		json_decref(keep);
	}
	if (!status) {
		say("intent: revision %lld applied (%zu changes)", mod, steps);
		intent_mod = mod;
		json_decref(applied);
		applied = json_incref(here);
	} else {
		/* Undone; tried again at the next round. */
		say("intent: revision %lld refused; the last applied stays",
		    mod);
	}
	json_decref(here);
}

/* The host part of "P/ports/HOST/DEV", or NULL. */
static bool port_key(const char *key, char *host, size_t hsize,
		     const char **dev)
{
	char pre[256];
	size_t n = (size_t)snprintf(pre, sizeof(pre), "%s/ports/", cfg.prefix);
	const char *slash;

	if (strncmp(key, pre, n))
		return false;
	slash = strchr(key + n, '/');
	if (!slash || (size_t)(slash - key - n) >= hsize)
		return false;
	memcpy(host, key + n, (size_t)(slash - key - n));
	host[slash - key - n] = 0;
	*dev = slash + 1;
	return true;
}

/* "VNET/IP" -> "HOST/DEV": the claims in @kvs. */
static json_t *claims_of(json_t *kvs)
{
	json_t *claims = json_object(), *o;
	char pre[256];
	size_t i, n;

	n = (size_t)snprintf(pre, sizeof(pre), "%s/claims/", cfg.prefix);
	json_array_foreach(kvs, i, o)
		if (!strncmp(str(o, "key"), pre, n))
			json_object_set(claims, str(o, "key") + n,
					json_object_get(o, "value"));
	return claims;
}

/*
 * Why the endpoint @ep, published as @owner ("HOST/DEV"), is not
 * installed here, or NULL. The whole set goes to the kernel at once and
 * one refusal undoes it all: what the kernel would refuse is left out
 * here, one endpoint at a time, so that one bad value (a host's mistake,
 * or a host that lies) stalls nothing else.
 */
static const char *endpoint_unfit(json_t *ep, const char *owner,
				  json_t *claims, json_t *frontends,
				  char *why, size_t size)
{
	char *words[6] = {
		(char *)str(ep, "vnet"), (char *)str(ep, "ip"), "mac",
		(char *)str(ep, "mac"), "remote", (char *)str(ep, "remote"),
	};
	struct endpoint_args a;
	char id[256], err[ERR_LEN];

	snprintf(id, sizeof(id), "%s/%s", str(ep, "vnet"), str(ep, "ip"));
	if (strcmp(str(claims, id), owner)) {
		snprintf(why, size, "%s is %s's, by its claim", id,
			 *str(claims, id) ? str(claims, id) : "claimed by nobody");
		return why;
	}
	if (json_object_get(frontends, id)) {
		snprintf(why, size, "%s is a load balancer's frontend here", id);
		return why;
	}
	if (parse_endpoint_args(6, words, true, &a, err)) {
		snprintf(why, size, "%s", err);
		return why;
	}
	return NULL;
}

/*
 * Endpoints for the ports of other hosts in the vnets that have a port
 * here, or that are peered with such a vnet; never for an address of a
 * port of this host (a refused claim), nor outside the subnets this host
 * has (the intent not applied yet, or refused), nor for a port that does
 * not hold the address's claim. A forwarding port (an appliance) is a
 * forwarding endpoint with its first address of each family: the kernel
 * tells a host's forwarding VMs apart by MAC and family (a second port of
 * that host with that MAC is a plain endpoint). Returns the number of
 * changes made.
 */
static size_t apply_endpoints(json_t *kvs, json_t *local)
{
	static struct once said;
	json_t *relevant = json_object(), *mine = json_object();
	json_t *eps = json_object(), *arr = json_array(), *doc, *o, *v;
	json_t *claims = claims_of(kvs), *frontends = json_object();
	json_t *fwd_keys = json_object();
	size_t i, j, steps = 0;
	char host[128], id[256], owner[300], why[640], fk[1024];
	const char *k, *dev;

	json_array_foreach(json_object_get(local, "lbs"), i, o) {
		snprintf(id, sizeof(id), "%s/%s", str(o, "vnet"),
			 str(o, "frontend"));
		json_object_set_new(frontends, id, json_true());
	}

	json_array_foreach(json_object_get(local, "ports"), i, o) {
		json_object_set_new(relevant, str(o, "vnet"), json_true());
		json_array_foreach(json_object_get(o, "ips"), j, v) {
			snprintf(id, sizeof(id), "%s/%s", str(o, "vnet"),
				 json_string_value(v));
			json_object_set_new(mine, id, json_true());
		}
	}
	json_array_foreach(json_object_get(local, "peerings"), i, o) {
		if (json_object_get(relevant, str(o, "vnet")))
			json_object_set_new(relevant, str(o, "remote"),
					    json_true());
		if (json_object_get(relevant, str(o, "remote")))
			json_object_set_new(relevant, str(o, "vnet"),
					    json_true());
	}
	json_array_foreach(kvs, i, o) {
		bool vnet_here, fwd4, fwd6;
		json_t *p, *ep;

		if (!port_key(str(o, "key"), host, sizeof(host), &dev) ||
		    !strcmp(host, cfg.name))
			continue;
		p = json_loads(str(o, "value"), 0, NULL);
		snprintf(owner, sizeof(owner), "%s/%s", host, dev);
		vnet_here = json_object_get(relevant, str(p, "vnet"));
		fwd4 = fwd6 = json_is_true(json_object_get(p, "forwarding"));
		json_array_foreach(json_object_get(p, "ips"), j, v) {
			bool *fwd = strchr(json_string_value(v), ':') ?
				    &fwd6 : &fwd4;

			snprintf(id, sizeof(id), "%s/%s", str(p, "vnet"),
				 json_string_value(v));
			if (!vnet_here ||
			    json_object_get(mine, id) ||
			    !in_subnet(local, str(p, "vnet"),
				       json_string_value(v)))
				continue;
			ep = json_pack("{s:s,s:s,s:s,s:s}", "vnet",
				       str(p, "vnet"), "ip",
				       json_string_value(v), "mac",
				       str(p, "mac"), "remote",
				       str(p, "underlay"));
			if (endpoint_unfit(ep, owner, claims, frontends, why,
					   sizeof(why))) {
				say_once(&said, "endpoint: port %s not installed: %s",
					 owner, why);
				json_decref(ep);
				continue;
			}
			snprintf(fk, sizeof(fk), "%s/%s/%c", str(p, "underlay"),
				 str(p, "mac"), fwd == &fwd6 ? '6' : '4');
			if (*fwd && json_object_get(fwd_keys, fk)) {
				say_once(&said, "endpoint: %s: %s forwards with MAC %s on that host already; a plain endpoint here",
					 owner, str(fwd_keys, fk), str(p, "mac"));
			} else if (*fwd) {
				json_object_set_new(ep, "forwarding",
						    json_true());
				json_object_set_new(fwd_keys, fk,
						    json_string(owner));
			}
			*fwd = false;
			json_object_set_new(eps, id, ep);
		}
		json_decref(p);
	}
	json_object_foreach(eps, k, o)
		json_array_append(arr, o);
	doc = json_pack("{s:o}", "endpoints", arr);
	if (apply_logged("endpoint", doc, "endpoints", &steps))
		say("endpoint: refused; tried again at the next round");
	json_decref(doc);
	json_decref(eps);
	json_decref(relevant);
	json_decref(mine);
	json_decref(claims);
	json_decref(frontends);
	json_decref(fwd_keys);
	once_round(&said);
	return steps;
}

/* ---- publishing this host's ports ---- */

static void claim_key(char *buf, size_t size, json_t *port, json_t *ip)
{
	snprintf(buf, size, "%s/claims/%s/%s", cfg.prefix, str(port, "vnet"),
		 json_string_value(ip));
}

static void unpublish(const char *dev, json_t *val)
{
	char key[512], me[256];
	size_t i;
	json_t *ip;

	snprintf(key, sizeof(key), "%s/ports/%s/%s", cfg.prefix, cfg.name, dev);
	snprintf(me, sizeof(me), "%s/%s", cfg.name, dev);
	etcd_delete(&etc, key, NULL);
	json_array_foreach(json_object_get(val, "ips"), i, ip) {
		claim_key(key, sizeof(key), val, ip);
		etcd_delete(&etc, key, me);
	}
}

/* 0, or -1 when etcd failed (the round stops). */
static int publish_one(const char *dev, json_t *val)
{
	char key[512], me[256], *holder = NULL, *text;
	json_t *ip, *got = json_array(), *old;
	size_t i;
	int r = 1;

	snprintf(me, sizeof(me), "%s/%s", cfg.name, dev);
	json_array_foreach(json_object_get(val, "ips"), i, ip) {
		claim_key(key, sizeof(key), val, ip);
		r = etcd_claim(&etc, key, me, lease, &holder);
		if (r <= 0)
			break;
		json_array_append(got, ip);
	}
	if (r <= 0) {
		/* Our claims of this port go back: all or none. */
		json_array_foreach(got, i, ip) {
			claim_key(key, sizeof(key), val, ip);
			etcd_delete(&etc, key, me);
		}
		json_decref(got);
		if (r < 0)
			return -1;
		old = json_object_get(refused, dev);
		if (!old || strcmp(json_string_value(old), holder)) {
			say("port %s: refused: %s %s is claimed by %s; not published",
			    dev, str(val, "vnet"), json_string_value(ip), holder);
			json_object_set_new(refused, dev, json_string(holder));
			/* For the holder to report it too. */
			snprintf(key, sizeof(key), "%s/conflicts/%s/%s/%s",
				 cfg.prefix, str(val, "vnet"),
				 json_string_value(ip), cfg.name);
			if (etcd_put(&etc, key, me, lease)) {
				free(holder);
				return -1;
			}
		}
		free(holder);
		return 0;
	}
	json_decref(got);
	snprintf(key, sizeof(key), "%s/ports/%s/%s", cfg.prefix, cfg.name, dev);
	text = json_dumps(val, JSON_COMPACT | JSON_SORT_KEYS);
	r = etcd_put(&etc, key, text, lease);
	free(text);
	if (r)
		return -1;
	json_object_del(refused, dev);
	json_object_set(published, dev, val);
	say("port %s: published (%s, under lease %llx)", dev, str(val, "vnet"),
	    (unsigned long long)lease);
	return 0;
}

/* The ports bound here, as published: DEV -> value. */
static json_t *ports_up(json_t *local)
{
	json_t *want = json_object(), *o;
	size_t i;

	json_array_foreach(json_object_get(local, "ports"), i, o)
		if (!strcmp(str(o, "state"), "up"))
			json_object_set_new(want, str(o, "dev"), json_pack(
				"{s:s,s:s,s:s,s:O,s:s,s:b}", "vnet",
				str(o, "vnet"), "subnet", str(o, "subnet"),
				"mac", str(o, "mac"),
				"ips", json_object_get(o, "ips"),
				"underlay", cfg.underlay, "forwarding",
				json_is_true(json_object_get(o, "forwarding"))));
	return want;
}

static bool conflict_key(const char *key, char *vnet, char *ip, char *host);

static int publish(json_t *want, json_t *kvs)
{
	const char *dev, *k;
	json_t *val, *o;
	char host[128], me[256];
	void *tmp;
	size_t i;

	json_object_foreach_safe(published, tmp, dev, val) {
		json_t *w = json_object_get(want, dev);

		if (w && json_equal(w, val))
			continue;
		unpublish(dev, val);
		say("port %s: unpublished", dev);
		json_object_del(published, dev);
	}
	snprintf(me, sizeof(me), "%s/", cfg.name);
	/* Keys of ours that we do not know of (an earlier run) go. */
	json_array_foreach(kvs, i, o) {
		k = str(o, "key");
		if (port_key(k, host, sizeof(host), &dev) &&
		    !strcmp(host, cfg.name) && !json_object_get(want, dev)) {
			etcd_delete(&etc, k, NULL);
			say("port %s: stale key removed", dev);
		}
		if (strstr(k, "/claims/") && !strncmp(str(o, "value"), me,
						      strlen(me)) &&
		    !json_object_get(want, str(o, "value") + strlen(me)))
			etcd_delete(&etc, k, str(o, "value"));
	}
	json_object_foreach(want, dev, val)
		if (!json_object_get(published, dev) &&
		    publish_one(dev, val))
			return -1;
	/* Refusals of ports that went, or are published now, are forgotten. */
	json_object_foreach_safe(refused, tmp, dev, val)
		if (!json_object_get(want, dev) ||
		    json_object_get(published, dev))
			json_object_del(refused, dev);
	json_array_foreach(kvs, i, o) {
		const char *v = str(o, "value");

		if (conflict_key(str(o, "key"), NULL, NULL, host) &&
		    !strcmp(host, cfg.name) &&
		    !json_object_get(refused, v + strlen(me)))
			etcd_delete(&etc, str(o, "key"), v);
	}
	return 0;
}

/*
 * Splits "P/conflicts/VNET/IP/HOST" (a host whose claim of VNET's IP was
 * refused) into its parts, each 128 bytes: false if not such a key.
 */
static bool conflict_key(const char *key, char *vnet, char *ip, char *host)
{
	char pre[256], parts[3][128] = { "", "", "" };
	size_t n = (size_t)snprintf(pre, sizeof(pre), "%s/conflicts/",
				    cfg.prefix);
	const char *p = key + n;

	if (strncmp(key, pre, n))
		return false;
	for (int i = 0; i < 3; i++) {
		size_t len = i < 2 ? strcspn(p, "/") : strlen(p);

		if (!len || len >= 128 || (i < 2 && p[len] != '/'))
			return false;
		memcpy(parts[i], p, len);
		p += len + (i < 2);
	}
	if (vnet)
		strcpy(vnet, parts[0]);
	if (ip)
		strcpy(ip, parts[1]);
	strcpy(host, parts[2]);
	return true;
}

/* Refusals of other hosts against this host's claims, told once each. */
static void report_conflicts(json_t *kvs)
{
	static struct once said;
	char vnet[128], ip[128], host[128], claim[512], me[256];
	json_t *o, *c;
	size_t i, j;

	snprintf(me, sizeof(me), "%s/", cfg.name);
	json_array_foreach(kvs, i, o) {
		if (!conflict_key(str(o, "key"), vnet, ip, host))
			continue;
		snprintf(claim, sizeof(claim), "%s/claims/%s/%s", cfg.prefix,
			 vnet, ip);
		json_array_foreach(kvs, j, c) {
			if (strcmp(str(c, "key"), claim) ||
			    strncmp(str(c, "value"), me, strlen(me)))
				continue;
			say_once(&said, "port %s: %s %s is claimed by %s too: refused there, kept here",
				 str(c, "value") + strlen(me), vnet, ip,
				 str(o, "value"));
		}
	}
	once_round(&said);
}

/* ---- the loop ---- */

/* The namespace's ports, as {"ports": [...]}, or NULL (error printed). */
static json_t *local_ports(void)
{
	int status = 0;
	json_t *arr = vnl_dump(&ctl.nl, VNET_CMD_PORT_GET, NULL,
			       parse_port_msg, &status);

	if (status) {
		json_decref(arr);
		return NULL;
	}
	return json_pack("{s:o}", "ports", arr);
}

static int lease_up(void)
{
	static bool told;

	lease = etcd_lease_grant(&etc, cfg.ttl);
	if (!lease) {
		if (!told)
			say("lease: %s; trying again every second", etc.err);
		told = true;
		return -1;
	}
	told = false;
	say("lease %llx granted (TTL %d s)", (unsigned long long)lease, cfg.ttl);
	/* Everything is published (and refused) again under it. */
	json_object_clear(published);
	json_object_clear(refused);
	return 0;
}

/* One round: 0, or -1 if etcd could not be reached. */
static int round_once(json_t *want)
{
	char pre[256], *end;
	json_t *kvs = NULL, *o, *doc = NULL, *local;
	long long rev = 0, mod = 0;
	size_t i;
	int err;

	snprintf(pre, sizeof(pre), "%s/", cfg.prefix);
	end = etcd_prefix_end(pre);
	err = etcd_range(&etc, pre, end, &kvs, &rev);
	free(end);
	if (err)
		return -1;
	snprintf(pre, sizeof(pre), "%s/intent", cfg.prefix);
	json_array_foreach(kvs, i, o)
		if (!strcmp(str(o, "key"), pre)) {
			mod = json_integer_value(json_object_get(o, "mod"));
			doc = json_loads(str(o, "value"), 0, NULL);
			if (!json_is_object(doc)) {
				json_decref(doc);
				doc = NULL;
			}
		}
	local = config_snapshot(&ctl, true);
	if (local)
		apply_intent(doc, mod, local);
	json_decref(local);
	err = publish(want, kvs);
	if (!err) {
		report_conflicts(kvs);
		local = config_snapshot(&ctl, true);
		/* New endpoints may be the appliances of routes: again. */
		if (local && apply_endpoints(kvs, local)) {
			json_decref(local);
			local = config_snapshot(&ctl, true);
			if (local)
				apply_intent(doc, mod, local);
		}
		json_decref(local);
		if (atomic_load(&watch_from) <= rev)
			atomic_store(&watch_from, rev + 1);
	}
	json_decref(doc);
	json_decref(kvs);
	return err;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vnetd [-c FILE] [--name HOST] [--underlay ADDR] [--etcd URL[,URL...]]\n"
		"             [--prefix KEY] [--ttl SECONDS] [--cacert FILE] [--cert FILE] [--key FILE]\n"
		"Keeps this network namespace's vnet configuration in step with the\n"
		"cluster's intent in etcd, publishes its bound ports under a lease and\n"
		"installs endpoints for the ports of the other hosts.\n"
		"  -c FILE      read NAME=VALUE lines (name, underlay, etcd, prefix, ttl,\n"
		"               cacert, cert, key); options given later override them\n"
		"  --name       this host's name in etcd (default: the hostname)\n"
		"  --underlay   this host's underlay address, the other hosts' tunnel remote\n"
		"  --etcd       client URLs of etcd members (default http://127.0.0.1:2379)\n"
		"  --prefix     key prefix (default /vnet)\n"
		"  --ttl        lease of the published ports, seconds (default 6)\n");
}

static int set_opt(const char *name, const char *value)
{
	static const struct {
		const char *name;
		const char **to;
	} strs[] = {
		{ "name", &cfg.name }, { "underlay", &cfg.underlay },
		{ "etcd", &cfg.endpoints }, { "prefix", &cfg.prefix },
		{ "cacert", &cfg.cacert }, { "cert", &cfg.cert },
		{ "key", &cfg.key },
	};

	if (!strcmp(name, "ttl")) {
		cfg.ttl = atoi(value);
		return cfg.ttl >= 2 ? 0 : -1;
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(strs[i].name, name)) {
			*strs[i].to = strdup(value);
			return 0;
		}
	return -1;
}

static int read_config(const char *path)
{
	char line[1024], *eq, *k, *v;
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f) {
		say("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		k = line + strspn(line, " \t");
		if (*k == '#' || *k == '\n' || !*k)
			continue;
		eq = strchr(k, '=');
		if (!eq)
			goto bad;
		*eq = 0;
		v = eq + 1;
		k[strcspn(k, " \t")] = 0;
		v += strspn(v, " \t");
		v[strcspn(v, "\r\n")] = 0;
		if (set_opt(k, v))
			goto bad;
	}
	fclose(f);
	return 0;
bad:
	say("%s:%d: expected NAME=VALUE with a known NAME", path, n);
	fclose(f);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "underlay", required_argument, NULL, 'u' },
		{ "etcd", required_argument, NULL, 'e' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "ttl", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double next_round = 0, pause = 0.25;
	json_t *last_want = NULL;
	char hostname[128];
	pthread_t watcher;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		int bad = 0;

		for (int i = 0; opts[i].name; i++)
			if (opts[i].val == opt && opt != 'h')
				bad = set_opt(opts[i].name, optarg);
		if (opt == 'c')
			bad = read_config(optarg);
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt == '?' || bad) {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (!cfg.name && !gethostname(hostname, sizeof(hostname)))
		cfg.name = hostname;
	if (!cfg.endpoints)
		cfg.endpoints = "http://127.0.0.1:2379";
	if (!cfg.underlay || !cfg.name || strchr(cfg.name, '/')) {
		say("needs --underlay ADDR and a host name without '/'");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (etcd_init(&etc, cfg.endpoints)) {
		say("%s", etc.err);
		return 2;
	}
	etc.cacert = cfg.cacert;
	etc.cert = cfg.cert;
	etc.key = cfg.key;
	if (pipe2(wake, O_NONBLOCK)) {
		say("pipe: %s", strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	published = json_object();
	refused = json_object();
	/* What vnetd makes says so (vnetctl show: "origin vnetd"). */
	ctl.nl.origin = VNET_ORIGIN_VNETD;
	if (ctx_connect(&ctl))
		return 1;
	say("host %s, underlay %s, etcd %s, prefix %s", cfg.name, cfg.underlay,
	    cfg.endpoints, cfg.prefix);
	if (pthread_create(&watcher, NULL, watch_thread, (void *)cfg.prefix)) {
		say("cannot start the watch");
		return 1;
	}
	pthread_detach(watcher);
	if (pthread_create(&watcher, NULL, keepalive_thread, NULL)) {
		say("cannot start the keepalive");
		return 1;
	}
	pthread_detach(watcher);
	while (!stopping) {
		struct pollfd pfd = { wake[0], POLLIN, 0 };
		json_t *local = local_ports(), *want;
		bool changed;
		char drain[64];

		if (!local) {
			say("cannot read the namespace's configuration");
			poll(NULL, 0, 1000);
			continue;
		}
		want = ports_up(local);
		json_decref(local);
		changed = !last_want || !json_equal(want, last_want);
		json_decref(last_want);
		last_want = want;
		if (lease && atomic_load(&alive_lease) == 0) {
			say("lease %llx expired", (unsigned long long)lease);
			lease = 0;
		}
		if (!lease && !lease_up()) {
			atomic_store(&alive_lease, lease);
			next_round = 0;
		}
		if (lease && (changed || now() >= next_round)) {
			if (round_once(want)) {
				say("etcd: %s; the kernel keeps its state, again in %.2f s",
				    etc.err, pause);
				next_round = now() + pause;
				pause = pause * 2 > 5 ? 5 : pause * 2;
			} else {
				next_round = now() + RESYNC;
				pause = 0.25;
			}
		}
		/* Local ports are looked at every second; etcd wakes us. */
		if (poll(&pfd, 1, 1000) > 0) {
			while (read(wake[0], drain, sizeof(drain)) == sizeof(drain))
				;
			next_round = 0;
		}
	}
	say("stopping; the kernel keeps its state, the lease expires in %d s",
	    cfg.ttl);
	json_decref(last_want);
	etcd_free(&etc);
	return 0;
}
