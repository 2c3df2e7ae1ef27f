// SPDX-License-Identifier: GPL-2.0
/*
 * ACL classifier: decision trees over six dimensions (addresses, ports,
 * protocol, source vnet), built the HiCuts way with a twist: a node cuts
 * its region of one dimension at the elementary intervals that the rule
 * edges make, choosing the dimension whose largest child is smallest. A
 * node whose first rule covers the whole region ends there, since no
 * later rule can win inside it. Rules with wide addresses live in their
 * own trees, so they are not copied into every narrow interval.
 */
#include "acl.h"

#define LEAF_RULES	8	/* a leaf scans at most this many rules... */
#define MAX_DEPTH	10	/* ...unless the tree is this deep */
#define SPACE_FACTOR	4	/* a cut may copy each rule 4 times on average */


static const struct vnet_acl_u128 u128_max = { ~0ULL, ~0ULL };

static inline int cmp128(struct vnet_acl_u128 a, struct vnet_acl_u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static inline struct vnet_acl_u128 inc128(struct vnet_acl_u128 a)
{
	a.lo++;
	if (!a.lo)
		a.hi++;
	return a;
}

static inline struct vnet_acl_u128 dec128(struct vnet_acl_u128 a)
{
	if (!a.lo)
		a.hi--;
	a.lo--;
	return a;
}

static inline struct vnet_acl_u128 num(u64 v)
{
	return (struct vnet_acl_u128){ 0, v };
}

/* IPv4 addresses are small numbers, IPv6 addresses fill 128 bits. */
static struct vnet_acl_u128 addr128(u8 family, const u8 *a)
{
	if (family == AF_INET)
		return num(core_load_be32(a));
	return (struct vnet_acl_u128){ core_load_be64(a), core_load_be64(a + 8) };
}

static void prefix_range(const struct vnet_prefix *p, struct vnet_acl_u128 *lo, struct vnet_acl_u128 *hi)
{
	unsigned int host;
	struct vnet_acl_u128 m;

	if (!p->len) {
		*lo = num(0);
		*hi = u128_max;
		return;
	}
	*lo = addr128(p->family, p->addr);
	host = vnet_prefix_bits(p->family) - p->len;	/* bits set in hi */
	if (host >= 64) {
		m.hi = host >= 128 ? ~0ULL : (1ULL << (host - 64)) - 1;
		m.lo = ~0ULL;
	} else {
		m.hi = 0;
		m.lo = host ? (1ULL << host) - 1 : 0;
	}
	hi->hi = lo->hi | m.hi;
	hi->lo = lo->lo | m.lo;
}

static void rule_box(const struct vnet_acl_rule *r, struct vnet_acl_box *b)
{
	prefix_range(&r->src, &b->lo[VNET_ACL_SRC], &b->hi[VNET_ACL_SRC]);
	prefix_range(&r->dst, &b->lo[VNET_ACL_DST], &b->hi[VNET_ACL_DST]);
	b->lo[VNET_ACL_SPORT] = num(r->sport_lo);
	b->hi[VNET_ACL_SPORT] = num(r->sport_hi);
	b->lo[VNET_ACL_DPORT] = num(r->dport_lo);
	b->hi[VNET_ACL_DPORT] = num(r->dport_hi);
	b->lo[VNET_ACL_PROTO] = num(r->any_proto ? 0 : r->proto);
	b->hi[VNET_ACL_PROTO] = num(r->any_proto ? 255 : r->proto);
	b->lo[VNET_ACL_VNET] = num(r->from_vnet);
	b->hi[VNET_ACL_VNET] = num(r->from_vnet ? r->from_vnet : 0xffffffffU);
}

static void key_point(const struct vnet_acl_key *k, struct vnet_acl_u128 v[VNET_ACL_DIMS])
{
	v[VNET_ACL_SRC] = addr128(k->family, k->src);
	v[VNET_ACL_DST] = addr128(k->family, k->dst);
	v[VNET_ACL_SPORT] = num(k->sport);
	v[VNET_ACL_DPORT] = num(k->dport);
	v[VNET_ACL_PROTO] = num(k->proto);
	v[VNET_ACL_VNET] = num(k->from_vnet);
}

bool vnet_acl_rule_match(const struct vnet_acl_rule *r,
			 const struct vnet_acl_key *k)
{
	if (r->family && r->family != k->family)
		return false;
	if (r->src.len && !vnet_prefix_match(&r->src, k->src))
		return false;
	if (r->dst.len && !vnet_prefix_match(&r->dst, k->dst))
		return false;
	if (!r->any_proto && r->proto != k->proto)
		return false;
	if (k->sport < r->sport_lo || k->sport > r->sport_hi ||
	    k->dport < r->dport_lo || k->dport > r->dport_hi)
		return false;
	return !r->from_vnet || r->from_vnet == k->from_vnet;
}

/* Growing arrays; the control path builds, so it may allocate freely. */
static int grow(void **arr, u32 *cap, u32 need, size_t size)
{
	u32 ncap = *cap ? *cap : 64;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > 0x7fffffffU)
			return -ENOMEM;
		ncap *= 2;
	}
	n = core_alloc_array(ncap, size);
	if (!n)
		return -ENOMEM;
	if (*arr) {
		memcpy(n, *arr, (size_t)*cap * size);
		core_free(*arr);
	}
	*arr = n;
	*cap = ncap;
	return 0;
}

struct build {
	struct vnet_acl *acl;
	u64 budget;	/* rules visited: bounds compile time and memory */
	int err;
};

static u32 new_node(struct build *b)
{
	struct vnet_acl *acl = b->acl;

	if (grow((void **)&acl->nodes, &acl->cap_nodes, acl->nr_nodes + 1,
		 sizeof(*acl->nodes))) {
		b->err = -ENOMEM;
		return 0;
	}
	return acl->nr_nodes++;
}

static u32 make_leaf(struct build *b, const u32 *rules, u32 n)
{
	struct vnet_acl *acl = b->acl;
	u32 id = new_node(b);

	if (b->err || grow((void **)&acl->leaf, &acl->cap_leaf,
			   acl->nr_leaf + n, sizeof(u32))) {
		b->err = -ENOMEM;
		return 0;
	}
	acl->nodes[id] = (struct vnet_acl_node){
		.dim = VNET_ACL_DIMS, .count = n, .first = acl->nr_leaf,
		.extra = VNET_ACL_NONE,
	};
	if (n)
		memcpy(&acl->leaf[acl->nr_leaf], rules, n * sizeof(u32));
	acl->nr_leaf += n;
	return id;
}

static bool covers(const struct vnet_acl_box *r, const struct vnet_acl_box *g)
{
	int d;

	for (d = 0; d < VNET_ACL_DIMS; d++)
		if (cmp128(r->lo[d], g->lo[d]) > 0 || cmp128(r->hi[d], g->hi[d]) < 0)
			return false;
	return true;
}

static int cmp_u128(const void *a, const void *b)
{
	return cmp128(*(const struct vnet_acl_u128 *)a, *(const struct vnet_acl_u128 *)b);
}

/* Number of bounds <= @v: the interval @v falls in. */
static u32 interval_of(const struct vnet_acl_u128 *bounds, u32 n, struct vnet_acl_u128 v)
{
	u32 lo = 0, hi = n;

	while (lo < hi) {
		u32 mid = (lo + hi) / 2;

		if (cmp128(bounds[mid], v) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The interval bounds of dimension @d inside @region: every rule edge,
 * sorted and unique, not counting the region's own start. @pts holds 2n.
 */
static u32 cut_points(const struct vnet_acl_box *boxes, const u32 *rules,
		      u32 n, const struct vnet_acl_box *region, int d, struct vnet_acl_u128 *pts)
{
	u32 i, k = 0, u;

	for (i = 0; i < n; i++) {
		const struct vnet_acl_box *r = &boxes[rules[i]];

		if (cmp128(r->lo[d], region->lo[d]) > 0)
			pts[k++] = r->lo[d];
		if (cmp128(r->hi[d], region->hi[d]) < 0)
			pts[k++] = inc128(r->hi[d]);
	}
	if (!k)
		return 0;
	core_sort(pts, k, sizeof(*pts), cmp_u128);
	for (i = 1, u = 1; i < k; i++)
		if (cmp128(pts[i], pts[u - 1]))
			pts[u++] = pts[i];
	return u;
}

/* Rule range of @r in dimension @d as first and last interval. */
static void span(const struct vnet_acl_box *r, const struct vnet_acl_box *region,
		 int d, const struct vnet_acl_u128 *pts, u32 k, u32 *s, u32 *e)
{
	struct vnet_acl_u128 lo = cmp128(r->lo[d], region->lo[d]) > 0 ? r->lo[d] : region->lo[d];
	struct vnet_acl_u128 hi = cmp128(r->hi[d], region->hi[d]) < 0 ? r->hi[d] : region->hi[d];

	*s = interval_of(pts, k, lo);
	*e = interval_of(pts, k, hi);
}

static u32 build_node(struct build *b, const u32 *rules, u32 n,
		      const struct vnet_acl_box *region, int depth);

static u32 build_branch(struct build *b, const u32 *rules, u32 n,
			const struct vnet_acl_box *region, int depth,
			int d, struct vnet_acl_u128 *pts, u32 k)
{
	struct vnet_acl *acl = b->acl;
	u32 *count = NULL, *off = NULL, *lists = NULL, *keep = NULL;
	u32 i, j, m, s, e, total = 0, id, bound0, child0;
	struct vnet_acl_box sub;

	count = core_alloc_array(k + 1, sizeof(u32));
	off = core_alloc_array(k + 2, sizeof(u32));
	keep = core_alloc_array(k + 1, sizeof(u32));
	if (!count || !off || !keep)
		goto nomem;
	for (i = 0; i < n; i++) {
		span(&acl->boxes[rules[i]], region, d, pts, k, &s, &e);
		for (j = s; j <= e; j++)
			count[j]++;
		total += e - s + 1;
	}
	lists = core_alloc_array(total ? total : 1, sizeof(u32));
	if (!lists)
		goto nomem;
	for (j = 0; j <= k; j++)
		off[j + 1] = off[j] + count[j];
	memset(count, 0, (k + 1) * sizeof(u32));
	for (i = 0; i < n; i++) {	/* in priority order */
		span(&acl->boxes[rules[i]], region, d, pts, k, &s, &e);
		for (j = s; j <= e; j++)
			lists[off[j] + count[j]++] = rules[i];
	}

	/* Neighbouring intervals with the same rules are one interval. */
	for (j = 1, m = 0, keep[0] = 0; j <= k; j++) {
		if (count[j] == count[keep[m]] &&
		    !memcmp(&lists[off[j]], &lists[off[keep[m]]],
			    count[j] * sizeof(u32)))
			continue;
		keep[++m] = j;
		pts[m - 1] = pts[j - 1];
	}
	k = m;
	if (!k) {	/* the cut separated nothing */
		id = make_leaf(b, rules, n);
		goto out;
	}

	id = new_node(b);
	if (b->err ||
	    grow((void **)&acl->bounds, &acl->cap_bounds, acl->nr_bounds + k,
		 sizeof(struct vnet_acl_u128)) ||
	    grow((void **)&acl->child, &acl->cap_child, acl->nr_child + k + 1,
		 sizeof(u32)))
		goto nomem;
	bound0 = acl->nr_bounds;
	child0 = acl->nr_child;
	memcpy(&acl->bounds[bound0], pts, k * sizeof(struct vnet_acl_u128));
	acl->nr_bounds += k;
	acl->nr_child += k + 1;
	acl->nodes[id] = (struct vnet_acl_node){
		.dim = (u8)d, .count = k, .first = bound0, .child0 = child0,
		.extra = VNET_ACL_NONE,
	};
	for (j = 0; j <= k && !b->err; j++) {
		u32 c;

		sub = *region;
		if (j)
			sub.lo[d] = acl->bounds[bound0 + j - 1];
		if (j < k)
			sub.hi[d] = dec128(acl->bounds[bound0 + j]);
		c = build_node(b, &lists[off[keep[j]]], count[keep[j]], &sub,
			       depth + 1);
		acl->child[child0 + j] = c;
	}
out:
	core_free(keep);
	core_free(lists);
	core_free(off);
	core_free(count);
	return id;
nomem:
	core_free(keep);
	core_free(lists);
	core_free(off);
	core_free(count);
	b->err = -ENOMEM;
	return 0;
}

/*
 * No cut is cheap enough: rules that fit in one interval of the most
 * finely cut dimension are cut there, the wider rules go to a tree of
 * their own (where, without the narrow rules, they cut well in turn).
 */
static u32 separate(struct build *b, const u32 *rules, u32 n,
		    const struct vnet_acl_box *region, int depth,
		    struct vnet_acl_u128 *pts)
{
	const struct vnet_acl_box *boxes = b->acl->boxes;
	u32 *narrow, *wide, nn = 0, nw = 0, k = 0, kd, i, s, e, id, extra;
	int d, dd = -1;

	for (d = 0; d < VNET_ACL_DIMS; d++) {
		kd = cut_points(boxes, rules, n, region, d, pts);
		if (kd > k) {
			k = kd;
			dd = d;
		}
	}
	if (dd < 0)
		return make_leaf(b, rules, n);
	k = cut_points(boxes, rules, n, region, dd, pts);
	narrow = core_alloc_array(n, sizeof(u32));
	wide = core_alloc_array(n, sizeof(u32));
	if (!narrow || !wide) {
		b->err = -ENOMEM;
		id = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		span(&boxes[rules[i]], region, dd, pts, k, &s, &e);
		if (s == e)
			narrow[nn++] = rules[i];
		else
			wide[nw++] = rules[i];
	}
	if (!nn || !nw) {
		id = make_leaf(b, rules, n);
		goto out;
	}
	id = build_branch(b, narrow, nn, region, depth, dd, pts, k);
	extra = build_node(b, wide, nw, region, depth + 1);
	if (!b->err) {
		b->acl->nodes[id].extra = extra;
		b->acl->nodes[id].extra_min = wide[0];
	}
out:
	core_free(narrow);
	core_free(wide);
	return id;
}

static u32 build_node(struct build *b, const u32 *rules, u32 n,
		      const struct vnet_acl_box *region, int depth)
{
	const struct vnet_acl_box *boxes = b->acl->boxes;
	u32 best_max = n, best_total = 0, best_k = 0, i, k;
	int d, best_d = -1;
	struct vnet_acl_u128 *pts, *best_pts;

	if (b->err)
		return 0;
	if (!n)
		return make_leaf(b, rules, 0);
	if (covers(&boxes[rules[0]], region))
		return make_leaf(b, rules, 1);
	if (n <= LEAF_RULES || depth >= MAX_DEPTH || n > b->budget)
		return make_leaf(b, rules, n);
	b->budget -= n;

	pts = core_alloc_array(2 * n, sizeof(*pts));
	best_pts = core_alloc_array(2 * n, sizeof(*pts));
	if (!pts || !best_pts)
		goto nomem;
	for (d = 0; d < VNET_ACL_DIMS; d++) {
		u32 max = 0, total = 0, cur = 0;
		u32 *diff;

		k = cut_points(boxes, rules, n, region, d, pts);
		if (!k)
			continue;
		diff = core_alloc_array(k + 2, sizeof(u32));
		if (!diff)
			goto nomem;
		for (i = 0; i < n; i++) {
			u32 s, e;

			span(&boxes[rules[i]], region, d, pts, k, &s, &e);
			diff[s]++;
			diff[e + 1]--;
			total += e - s + 1;
		}
		for (i = 0; i <= k; i++) {
			cur += diff[i];
			if (cur > max)
				max = cur;
		}
		core_free(diff);
		/* A cut that copies rules too often costs more than it saves. */
		if (total > SPACE_FACTOR * n)
			continue;
		if (max < best_max || (max == best_max && best_d >= 0 &&
				       total < best_total)) {
			best_max = max;
			best_total = total;
			best_d = d;
			best_k = k;
			memcpy(best_pts, pts, k * sizeof(*pts));
		}
	}
	core_free(pts);
	pts = NULL;
	if (best_d < 0)
		i = separate(b, rules, n, region, depth, best_pts);
	else
		i = build_branch(b, rules, n, region, depth, best_d, best_pts,
				 best_k);
	core_free(best_pts);
	return i;
nomem:
	core_free(pts);
	core_free(best_pts);
	b->err = -ENOMEM;
	return 0;
}

/* Wide addresses (short prefixes, "any") go to trees of their own. */
static unsigned int tree_of(const struct vnet_acl_rule *r)
{
	unsigned int narrow = r->family == AF_INET6 ? 32 : 16;

	return (r->src.len < narrow) | (r->dst.len < narrow) << 1;
}

int vnet_acl_compile(struct vnet_acl *acl, const struct vnet_acl_rule *rules,
		     u32 n)
{
	struct build b = { .acl = acl, .budget = 24ULL * n + 4096 };
	struct vnet_acl_box full;
	u32 *list = NULL, i, m;
	int f, t, d;

	memset(acl, 0, sizeof(*acl));
	acl->nr_rules = n;
	acl->boxes = core_alloc_array(n ? n : 1, sizeof(*acl->boxes));
	list = core_alloc_array(n ? n : 1, sizeof(u32));
	if (!acl->boxes || !list)
		goto nomem;
	for (i = 0; i < n; i++)
		rule_box(&rules[i], &acl->boxes[i]);
	for (d = 0; d < VNET_ACL_DIMS; d++) {
		full.lo[d] = num(0);
		full.hi[d] = u128_max;
	}
	for (f = 0; f < 2; f++) {
		u8 family = f ? AF_INET6 : AF_INET;

		for (t = 0; t < VNET_ACL_TREES; t++) {
			for (i = 0, m = 0; i < n; i++)
				if ((!rules[i].family || rules[i].family == family) &&
				    tree_of(&rules[i]) == (unsigned int)t)
					list[m++] = i;
			if (!m)
				continue;
			acl->trees[f][acl->nr_trees[f]++] = (struct vnet_acl_tree){
				.root = build_node(&b, list, m, &full, 0),
				.min_rule = list[0],
			};
			if (b.err)
				goto nomem;
		}
		/* Trees in order of their best rule: a lookup stops early. */
		for (i = 1; i < acl->nr_trees[f]; i++)
			for (m = i; m > 0 && acl->trees[f][m - 1].min_rule >
					     acl->trees[f][m].min_rule; m--) {
				struct vnet_acl_tree tmp = acl->trees[f][m];

				acl->trees[f][m] = acl->trees[f][m - 1];
				acl->trees[f][m - 1] = tmp;
			}
	}
	core_free(list);
	return 0;
nomem:
	core_free(list);
	vnet_acl_free(acl);
	return -ENOMEM;
}

void vnet_acl_free(struct vnet_acl *acl)
{
	core_free(acl->boxes);
	core_free(acl->nodes);
	core_free(acl->bounds);
	core_free(acl->child);
	core_free(acl->leaf);
	memset(acl, 0, sizeof(*acl));
}

static bool inside(const struct vnet_acl_box *r, const struct vnet_acl_u128 v[VNET_ACL_DIMS])
{
	int d;

	for (d = 0; d < VNET_ACL_DIMS; d++)
		if (cmp128(v[d], r->lo[d]) < 0 || cmp128(v[d], r->hi[d]) > 0)
			return false;
	return true;
}

/*
 * Extra trees still to search, as the nodes that hold them. A walk pushes
 * at most one per level, an extra tree starts a level deeper than its
 * node, so the stack never holds more than the sum of 1..MAX_DEPTH + 1.
 */
#define STACK_SIZE	((MAX_DEPTH + 1) * (MAX_DEPTH + 2) / 2 + 6)

static u32 linear(const struct vnet_acl *acl, const struct vnet_acl_u128 *v,
		  u32 best)
{
	u32 r;

	for (r = 0; r < best && r < acl->nr_rules; r++)
		if (inside(&acl->boxes[r], v))
			return r;
	return best;
}

/* Walks from @node to a leaf; returns false if the stack overflowed. */
static bool walk(const struct vnet_acl *acl, const struct vnet_acl_u128 *v,
		 const struct vnet_acl_node *node, u32 *best, u32 *stack,
		 u32 *sp)
{
	u32 i;

	for (;;) {
		if (node->extra != VNET_ACL_NONE && node->extra_min < *best) {
			if (*sp == STACK_SIZE)
				return false;
			stack[(*sp)++] = node - acl->nodes;
		}
		if (node->dim == VNET_ACL_DIMS)
			break;
		i = interval_of(&acl->bounds[node->first], node->count,
				v[node->dim]);
		node = &acl->nodes[acl->child[node->child0 + i]];
	}
	for (i = 0; i < node->count; i++) {
		u32 r = acl->leaf[node->first + i];

		if (r >= *best)
			break;
		if (inside(&acl->boxes[r], v)) {
			*best = r;
			break;
		}
	}
	return true;
}

u32 vnet_acl_lookup(const struct vnet_acl *acl, const struct vnet_acl_key *k)
{
	int f = k->family == AF_INET6;
	struct vnet_acl_u128 v[VNET_ACL_DIMS];
	u32 best = VNET_ACL_NONE, t, sp = 0;
	u32 stack[STACK_SIZE];

	key_point(k, v);
	for (t = 0; t < acl->nr_trees[f]; t++) {
		if (acl->trees[f][t].min_rule >= best)
			break;
		if (!walk(acl, v, &acl->nodes[acl->trees[f][t].root], &best,
			  stack, &sp))
			return linear(acl, v, best);
		while (sp) {
			const struct vnet_acl_node *holder = &acl->nodes[stack[--sp]];

			if (holder->extra_min >= best)
				continue;
			if (!walk(acl, v, &acl->nodes[holder->extra], &best,
				  stack, &sp))
				return linear(acl, v, best);
		}
	}
	return best;
}
