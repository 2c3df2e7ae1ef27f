// SPDX-License-Identifier: GPL-2.0
/*
 * ACL classifier: cut trees over the words of a packet (see acl.h), in the
 * manner of HiCuts, with cuts on bit boundaries. A branch splits its region
 * on a run of 1 to 16 bits of one word, so a lookup step is a shift, a mask
 * and a load, whatever the number of rules. Prefixes never straddle such a
 * cut: a prefix either fixes the bits (one child) or leaves them free (all
 * children), so replication stays low, and a run may start past bits that
 * all the rules share (10.0.0.0/8 costs no level). Rules with wide
 * addresses live in trees of their own, so an "any source" rule is not
 * copied under every narrow source; a lookup walks one path per tree, with
 * no backtracking, and skips the trees whose best rule cannot win.
 */
#include "acl.h"

#define LEAF_RULES	4	/* a leaf scans at most this many rules... */
#define MAX_DEPTH	12	/* ...unless the tree is this deep */
#define MAX_BITS	16	/* a branch has at most 2^16 children */
#define SPACE_FACTOR	4	/* a cut may copy each rule 4 times on average */
#define CHILD_FACTOR	4	/* and have up to 4 children per rule */
#define BUDGET_PER_RULE	64	/* leaf entries and children, in all */
#define SHADOW_RULES	16	/* nodes this small drop shadowed rules */

#define PORT_LOW	((1ULL << 48) - 1)	/* bits below a port */

static inline u64 top_mask(unsigned int len)
{
	return len ? ~0ULL << (64 - len) : 0;
}

/* Words 0 and 4 of the leaf check (acl.h) from the words of a packet. */
static inline u64 match_w0(const u64 *w, bool v6)
{
	return v6 ? w[VNET_ACL_SRC_HI] : w[VNET_ACL_SRC_HI] | w[VNET_ACL_DST_HI] >> 32;
}

static inline u64 match_w4(const u64 *w)
{
	return w[VNET_ACL_PROTO] >> 24 | w[VNET_ACL_VNET] >> 32;
}

static void key_words(const struct vnet_acl_key *k, u64 *w)
{
	if (k->family == AF_INET6) {
		w[VNET_ACL_SRC_HI] = core_load_be64(k->src);
		w[VNET_ACL_SRC_LO] = core_load_be64(k->src + 8);
		w[VNET_ACL_DST_HI] = core_load_be64(k->dst);
		w[VNET_ACL_DST_LO] = core_load_be64(k->dst + 8);
	} else {
		w[VNET_ACL_SRC_HI] = (u64)core_load_be32(k->src) << 32;
		w[VNET_ACL_SRC_LO] = 0;
		w[VNET_ACL_DST_HI] = (u64)core_load_be32(k->dst) << 32;
		w[VNET_ACL_DST_LO] = 0;
	}
	w[VNET_ACL_PROTO] = (u64)k->proto << 56;
	w[VNET_ACL_VNET] = (u64)k->from_vnet << 32;
	w[VNET_ACL_SPORT] = (u64)k->sport << 48;
	w[VNET_ACL_DPORT] = (u64)k->dport << 48;
}

/*
 * The leaf check; @m0 and @m4 are words 0 and 4 of the packet. An IPv4
 * rule needs two words, IPv6 five.
 */
static __always_inline bool matches(const struct vnet_acl_match *m,
				    const u64 *w, u64 m0, u64 m4, bool v6)
{
	u64 diff;

	if ((u16)((w[VNET_ACL_DPORT] >> 48) - m->port_lo[1]) > m->port_span[1] ||
	    (u16)((w[VNET_ACL_SPORT] >> 48) - m->port_lo[0]) > m->port_span[0])
		return false;
	diff = ((m0 ^ m->val[0]) & m->mask[0]) | ((m4 ^ m->val[4]) & m->mask[4]);
	if (v6)
		diff |= ((w[VNET_ACL_SRC_LO] ^ m->val[1]) & m->mask[1]) |
			((w[VNET_ACL_DST_HI] ^ m->val[2]) & m->mask[2]) |
			((w[VNET_ACL_DST_LO] ^ m->val[3]) & m->mask[3]);
	return !diff;
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

/*
 * A rule as the build sees it: in each prefix word a value, a mask and
 * the length of the mask; in each port word a range, aligned to the top.
 */
struct brule {
	u64 val[VNET_ACL_PREFIX_WORDS];
	u64 mask[VNET_ACL_PREFIX_WORDS];
	u64 lo[2], hi[2];
	u8 len[VNET_ACL_PREFIX_WORDS];
};

/* The build: the rules, the arrays it fills. */
struct build {
	struct vnet_acl *acl;
	struct brule *r;	/* by rule index */
	u64 budget;		/* leaf entries and children still allowed */
	int err;
};

/*
 * The packets that reach a node: in each word, those with the bits of
 * @fix set as in @val. A cut fixes a run of bits, not always the first
 * free ones, so a port word may hold gaps too; a port range is then
 * weighed against the smallest block around the region (rlo(), rhi()),
 * which errs on the safe side: a rule reaches a child if it may match
 * there, and covers or shadows only if it surely does.
 */
struct region {
	u64 fix[VNET_ACL_WORDS];
	u64 val[VNET_ACL_WORDS];
};

static inline u64 rlo(const struct region *g, int d)
{
	return g->val[d];
}

static inline u64 rhi(const struct region *g, int d)
{
	return g->val[d] | ~g->fix[d];
}

/* A cut of @word on bits [start, start + bits), counted from the top. */
struct cut {
	int word;		/* -1: none */
	unsigned int start, bits;
	u64 max;		/* rules in the largest child */
	u64 total;		/* rules in all children */
};

static void put_prefix(const struct vnet_prefix *p, u8 family, u64 *val,
		       u64 *mask, u8 *len)
{
	unsigned int l = p->len, hl, ll;
	u64 hi, lo;

	if (family == AF_INET) {
		l = l > 32 ? 32 : l;
		hi = (u64)core_load_be32(p->addr) << 32;
		lo = 0;
	} else {
		hi = core_load_be64(p->addr);
		lo = core_load_be64(p->addr + 8);
	}
	hl = l > 64 ? 64 : l;
	ll = l > 64 ? l - 64 : 0;
	len[0] = (u8)hl;
	len[1] = (u8)ll;
	mask[0] = top_mask(hl);
	mask[1] = top_mask(ll);
	val[0] = hi & mask[0];
	val[1] = lo & mask[1];
}

/*
 * A rule of family 0 has no prefixes (the control path takes the family
 * from them) and reads the same in both families.
 */
static u8 rule_family(const struct vnet_acl_rule *r)
{
	if (r->family)
		return r->family;
	if (r->src.len)
		return r->src.family;
	return r->dst.len ? r->dst.family : 0;
}

/* The words of the leaf check (acl.h) from those of the trees. */
static void pack(const u64 *w, u64 *m, bool v6)
{
	m[0] = match_w0(w, v6);
	m[1] = v6 ? w[VNET_ACL_SRC_LO] : 0;
	m[2] = v6 ? w[VNET_ACL_DST_HI] : 0;
	m[3] = v6 ? w[VNET_ACL_DST_LO] : 0;
	m[4] = match_w4(w);
}

static void put_rule(const struct vnet_acl_rule *r, struct brule *br,
		     struct vnet_acl_match *m)
{
	u8 family = rule_family(r);

	put_prefix(&r->src, family, &br->val[VNET_ACL_SRC_HI],
		   &br->mask[VNET_ACL_SRC_HI], &br->len[VNET_ACL_SRC_HI]);
	put_prefix(&r->dst, family, &br->val[VNET_ACL_DST_HI],
		   &br->mask[VNET_ACL_DST_HI], &br->len[VNET_ACL_DST_HI]);
	br->len[VNET_ACL_PROTO] = r->any_proto ? 0 : 8;
	br->mask[VNET_ACL_PROTO] = top_mask(br->len[VNET_ACL_PROTO]);
	br->val[VNET_ACL_PROTO] = r->any_proto ? 0 : (u64)r->proto << 56;
	br->len[VNET_ACL_VNET] = r->from_vnet ? 32 : 0;
	br->mask[VNET_ACL_VNET] = top_mask(br->len[VNET_ACL_VNET]);
	br->val[VNET_ACL_VNET] = (u64)r->from_vnet << 32;
	br->lo[0] = (u64)r->sport_lo << 48;
	br->hi[0] = (u64)r->sport_hi << 48 | PORT_LOW;
	br->lo[1] = (u64)r->dport_lo << 48;
	br->hi[1] = (u64)r->dport_hi << 48 | PORT_LOW;

	pack(br->val, m->val, family == AF_INET6);
	pack(br->mask, m->mask, family == AF_INET6);
	m->port_lo[0] = r->sport_lo;
	m->port_span[0] = r->sport_hi - r->sport_lo;
	m->port_lo[1] = r->dport_lo;
	m->port_span[1] = r->dport_hi - r->dport_lo;
}

/* Growing arrays; the control path builds, so it may allocate freely. */
static int grow(void **arr, u32 *cap, u64 need, size_t size)
{
	u64 ncap = *cap ? *cap : 64;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	if (ncap > 0x7fffffffU)
		return -ENOMEM;
	n = core_alloc_array((size_t)ncap, size);
	if (!n)
		return -ENOMEM;
	if (*arr) {
		memcpy(n, *arr, (size_t)*cap * size);
		core_free(*arr);
	}
	*arr = n;
	*cap = (u32)ncap;
	return 0;
}

/* Room for @k nodes, side by side: the index of the first. */
/* Arrays grew by doubling; the set keeps what it uses. */
static int shrink(void **arr, u32 *cap, u32 used, size_t size)
{
	void *n;

	if (used == *cap)
		return 0;
	n = core_alloc_array(used ? used : 1, size);
	if (!n)
		return -ENOMEM;
	memcpy(n, *arr, (size_t)used * size);
	core_free(*arr);
	*arr = n;
	*cap = used;
	return 0;
}

static u32 new_nodes(struct build *b, u32 k)
{
	struct vnet_acl *acl = b->acl;

	if (b->err || grow((void **)&acl->nodes, &acl->cap_nodes,
			   (u64)acl->nr_nodes + k, sizeof(*acl->nodes))) {
		b->err = -ENOMEM;
		return 0;
	}
	acl->nr_nodes += k;
	return acl->nr_nodes - k;
}

/* Node @slot becomes a leaf of @n rules, and VNET_ACL_NONE to end them. */
static void make_leaf(struct build *b, const u32 *rules, u32 n, u32 slot)
{
	struct vnet_acl *acl = b->acl;

	if (b->err)
		return;
	if (!n) {	/* the empty list, leaf[0] */
		acl->nodes[slot] = (struct vnet_acl_node){ 0 };
		return;
	}
	if (grow((void **)&acl->leaf, &acl->cap_leaf,
		 (u64)acl->nr_leaf + n + 1, sizeof(u32))) {
		b->err = -ENOMEM;
		return;
	}
	acl->nodes[slot] = (struct vnet_acl_node){ .first = acl->nr_leaf };
	memcpy(&acl->leaf[acl->nr_leaf], rules, n * sizeof(u32));
	acl->leaf[acl->nr_leaf + n] = VNET_ACL_NONE;
	acl->nr_leaf += n + 1;
}

/* Does rule @r match every packet of region @g? */
static bool covers(const struct build *b, u32 r, const struct region *g)
{
	const struct brule *m = &b->r[r];
	int i;

	for (i = 0; i < VNET_ACL_PREFIX_WORDS; i++)
		if (m->mask[i] & ~g->fix[i])
			return false;
	for (i = 0; i < 2; i++)
		if (m->lo[i] > rlo(g, VNET_ACL_SPORT + i) ||
		    m->hi[i] < rhi(g, VNET_ACL_SPORT + i))
			return false;
	return true;
}

/*
 * Does rule @r match every packet of region @g that rule @q matches? Then
 * @q, after @r, can never win in @g.
 */
static bool shadows(const struct build *b, u32 r, u32 q,
		    const struct region *g)
{
	const struct brule *mr = &b->r[r], *mq = &b->r[q];
	u64 need, lo, hi;
	int i;

	for (i = 0; i < VNET_ACL_PREFIX_WORDS; i++) {
		need = mr->mask[i] & ~g->fix[i];
		if ((need & ~mq->mask[i]) || ((mr->val[i] ^ mq->val[i]) & need))
			return false;
	}
	for (i = 0; i < 2; i++) {
		lo = rlo(g, VNET_ACL_SPORT + i);
		hi = rhi(g, VNET_ACL_SPORT + i);
		lo = mq->lo[i] > lo ? mq->lo[i] : lo;
		hi = mq->hi[i] < hi ? mq->hi[i] : hi;
		if (mr->lo[i] > lo || mr->hi[i] < hi)
			return false;
	}
	return true;
}

/* The children of cut @c that rule @r reaches: [*first, *first + *cnt). */
static void span(const struct build *b, u32 r, const struct region *g,
		 const struct cut *c, u32 *first, u32 *cnt)
{
	const struct brule *m = &b->r[r];
	unsigned int shift = 64 - c->start - c->bits;
	u64 wm = (1ULL << c->bits) - 1, lo, hi, blk;
	unsigned int l, end, free;
	int i;

	if (c->word < VNET_ACL_PREFIX_WORDS) {
		l = m->len[c->word];
		end = c->start + c->bits;
		free = l <= c->start ? c->bits : l >= end ? 0 : end - l;
		*first = (u32)((m->val[c->word] >> shift) & wm &
			       ~((1ULL << free) - 1));
		*cnt = 1U << free;
		return;
	}
	i = c->word - VNET_ACL_PREFIX_WORDS;
	lo = rlo(g, c->word);
	hi = rhi(g, c->word);
	lo = m->lo[i] > lo ? m->lo[i] : lo;
	hi = m->hi[i] < hi ? m->hi[i] : hi;
	/*
	 * The bits from the run down, as the range runs through them: wider
	 * than their span, or wrapping around (the run does not start at
	 * the top), it reaches every child.
	 */
	blk = ~0ULL >> c->start;
	if (hi - lo > blk || (hi & blk) < (lo & blk)) {
		*first = 0;
		*cnt = 1U << c->bits;
		return;
	}
	*first = (u32)((lo >> shift) & wm);
	*cnt = (u32)((hi >> shift) & wm) - *first + 1;
}

static inline unsigned int clz64(u64 v)
{
	return v ? (unsigned int)__builtin_clzll(v) : 64;
}

/* The most children a node of @n rules may have, as a power of two. */
static unsigned int max_bits(u32 n)
{
	unsigned int bits = 1;

	while (bits < MAX_BITS && (1ULL << (bits + 1)) <= (u64)CHILD_FACTOR * n)
		bits++;
	return bits;
}

/*
 * Rate cut @c (its total already known): the rules in its largest child.
 * @diff has room for 2^bits + 1 counters (which may wrap in between).
 */
static void rate(const struct build *b, const u32 *rules, u32 n,
		 const struct region *g, struct cut *c, struct cut *best,
		 u32 *diff)
{
	u32 i, k = 1U << c->bits, first, cnt, cur = 0;

	memset(diff, 0, (k + 1) * sizeof(*diff));
	for (i = 0; i < n; i++) {
		span(b, rules[i], g, c, &first, &cnt);
		diff[first]++;
		diff[first + cnt]--;
	}
	c->max = 0;
	for (i = 0; i < k; i++) {
		cur += diff[i];
		if (cur > c->max)
			c->max = cur;
	}
	/* The smallest largest child, then the smallest child on average. */
	if (best->word < 0 || c->max < best->max ||
	    (c->max == best->max &&
	     c->total << best->bits < best->total << c->bits))
		*best = *c;
}

/*
 * Cuts of prefix word @d: from its first free bit, and from the first
 * bit where the rules differ (bits they all share are no use), as many
 * bits as the space allows.
 */
static void try_prefix(const struct build *b, const u32 *rules, u32 n,
		       const struct region *g, int d, struct cut *best,
		       u32 *diff)
{
	const struct brule *m = b->r;
	u64 fix = g->fix[d], ref = 0, differ = 0, partial = 0, total = 0;
	unsigned int maxl = 0, i, s, bits, room, starts[2];
	u32 hist[65];
	struct cut c;
	int j;

	memset(hist, 0, sizeof(hist));
	for (i = 0; i < n; i++) {
		unsigned int l = m[rules[i]].len[d];

		hist[l]++;
		partial |= m[rules[i]].mask[d];
		if (l > maxl) {
			maxl = l;
			ref = m[rules[i]].val[d];
		}
	}
	if (!(partial & ~fix))
		return;		/* every rule covers the region here */
	for (i = 0; i < n; i++)
		differ |= (m[rules[i]].val[d] ^ ref) & m[rules[i]].mask[d];
	starts[0] = clz64(~fix);
	starts[1] = differ & ~fix ? clz64(differ & ~fix) : starts[0];
	for (j = 0; j < 2; j++) {
		s = starts[j];
		if (s >= maxl || (j && s == starts[0]))
			continue;
		/* Bits the region fixed already end the run. */
		room = s < 64 ? clz64(fix << s) : 0;
		room = room < maxl - s ? room : maxl - s;
		room = room < max_bits(n) ? room : max_bits(n);
		c = (struct cut){ .word = d, .start = s };
		for (bits = room; bits >= 1; bits--) {
			total = 0;
			for (i = 0; i <= 64; i++) {
				unsigned int free;

				if (!hist[i])
					continue;
				free = i <= s ? bits : i >= s + bits ? 0 :
				       s + bits - i;
				total += (u64)hist[i] << free;
			}
			if (total <= (u64)SPACE_FACTOR * n || bits == 1)
				break;
		}
		if (!bits)
			continue;
		c.bits = bits;
		c.total = total;
		rate(b, rules, n, g, &c, best, diff);
	}
}

/*
 * Cuts of port word @d: from its first free bit, and from the first bit
 * where the ranges that do not cover the region differ.
 */
static void try_range(const struct build *b, const u32 *rules, u32 n,
		      const struct region *g, int d, struct cut *best,
		      u32 *diff)
{
	u64 fix = g->fix[d], lo = rlo(g, d), hi = rhi(g, d), ref = 0, differ = 0;
	unsigned int s, bits, room, starts[2];
	u64 total[MAX_BITS + 1];
	bool partial = false;
	struct cut c;
	u32 r, first, cnt;
	int i = d - VNET_ACL_PREFIX_WORDS, j;

	for (r = 0; r < n; r++) {
		const struct brule *m = &b->r[rules[r]];
		u64 rl = m->lo[i] > lo ? m->lo[i] : lo;
		u64 rh = m->hi[i] < hi ? m->hi[i] : hi;

		if (rl == lo && rh == hi)
			continue;
		if (!partial)
			ref = rl;
		partial = true;
		differ |= (rl ^ ref) | (rh ^ ref);
	}
	if (!partial)
		return;		/* every rule covers the region here */
	starts[0] = clz64(~fix);
	starts[1] = clz64(differ & ~fix);
	for (j = 0; j < 2; j++) {
		s = starts[j];
		if (s >= 16 || (j && s == starts[0]))
			continue;
		room = clz64(fix << s);
		room = room < 16 - s ? room : 16 - s;
		room = room < max_bits(n) ? room : max_bits(n);
		if (!room)
			continue;
		memset(total, 0, sizeof(total));
		c = (struct cut){ .word = d, .start = s };
		for (bits = 1; bits <= room; bits++) {
			c.bits = bits;
			for (r = 0; r < n; r++) {
				span(b, rules[r], g, &c, &first, &cnt);
				total[bits] += cnt;
			}
		}
		for (bits = room; bits > 1; bits--)
			if (total[bits] <= (u64)SPACE_FACTOR * n)
				break;
		c.bits = bits;
		c.total = total[bits];
		rate(b, rules, n, g, &c, best, diff);
	}
}

static void build_node(struct build *b, const u32 *rules, u32 n,
		       const struct region *g, int depth, u32 slot);

/* FNV-1a over a list of rule indexes: equal children share one node. */
static u32 hash_list(const u32 *l, u32 n)
{
	u32 h = 2166136261U, i;

	for (i = 0; i < n; i++)
		h = (h ^ l[i]) * 16777619U;
	return h;
}

static void build_branch(struct build *b, const u32 *rules, u32 n,
			 const struct region *g, int depth,
			 const struct cut *c, u32 slot)
{
	struct vnet_acl *acl = b->acl;
	u32 k = 1U << c->bits, hsize = 2 * k, i, j, first, cnt, child0;
	unsigned int shift = 64 - c->start - c->bits;
	u32 *count, *off, *lists = NULL, *seen;
	struct region sub;
	u64 total = 0;

	count = core_alloc_array(k, sizeof(u32));
	off = core_alloc_array(k + 1, sizeof(u32));
	seen = core_alloc_array(hsize, sizeof(u32));	/* child + 1 */
	if (!count || !off || !seen)
		goto nomem;
	for (i = 0; i < n; i++) {
		span(b, rules[i], g, c, &first, &cnt);
		for (j = first; j < first + cnt; j++)
			count[j]++;
		total += cnt;
	}
	lists = core_alloc_array(total, sizeof(u32));
	if (!lists)
		goto nomem;
	for (j = 0; j < k; j++)
		off[j + 1] = off[j] + count[j];
	memset(count, 0, k * sizeof(u32));
	for (i = 0; i < n; i++) {	/* in priority order */
		span(b, rules[i], g, c, &first, &cnt);
		for (j = first; j < first + cnt; j++)
			lists[off[j] + count[j]++] = rules[i];
	}

	child0 = new_nodes(b, k);
	if (b->err)
		goto nomem;
	acl->nodes[slot] = (struct vnet_acl_node){
		.first = child0, .mask = (u16)(k - 1), .word = (u8)c->word,
		.shift = (u8)shift,
	};
	for (j = 0; j < k && !b->err; j++) {
		const u32 *l = &lists[off[j]];
		u32 h = hash_list(l, count[j]) & (hsize - 1);

		/*
		 * A child like one before it (often its neighbour) is shared;
		 * only if the cut is on a prefix word, though: there a rule
		 * reaches, covers and shadows the same in both children. Not
		 * in a port word, where both its ends may fall in the children.
		 */
		if (c->word >= VNET_ACL_PREFIX_WORDS && count[j])
			h = hsize;	/* not looked up, not recorded */
		for (; h < hsize && seen[h]; h = (h + 1) & (hsize - 1)) {
			i = seen[h] - 1;
			if (count[i] == count[j] &&
			    !memcmp(&lists[off[i]], l, count[j] * sizeof(u32)))
				break;
		}
		if (h < hsize && seen[h]) {
			acl->nodes[child0 + j] = acl->nodes[child0 + seen[h] - 1];
			continue;
		}
		if (h < hsize)
			seen[h] = j + 1;
		sub = *g;
		sub.fix[c->word] |= (u64)(k - 1) << shift;
		sub.val[c->word] |= (u64)j << shift;
		build_node(b, l, count[j], &sub, depth + 1, child0 + j);
	}
	core_free(seen);
	core_free(lists);
	core_free(off);
	core_free(count);
	return;
nomem:
	core_free(seen);
	core_free(lists);
	core_free(off);
	core_free(count);
	b->err = -ENOMEM;
}

/* Node @slot becomes the tree of @n rules in region @g. */
static void build_node(struct build *b, const u32 *rules, u32 n,
		       const struct region *g, int depth, u32 slot)
{
	struct cut best = { .word = -1 };
	u32 kept[SHADOW_RULES];
	u32 *diff;
	u32 i, j, m;
	int d;

	if (b->err)
		return;
	/* No rule after one that covers the region can win in it... */
	for (i = 0; i < n; i++)
		if (covers(b, rules[i], g)) {
			n = i + 1;
			break;
		}
	if (!n)
		return make_leaf(b, rules, 0, slot);
	/* ...nor one that an earlier rule shadows here (few rules: n^2). */
	if (n <= SHADOW_RULES) {
		for (i = 0, m = 0; i < n; i++) {
			for (j = 0; j < m && !shadows(b, kept[j], rules[i], g); j++)
				;
			if (j == m)
				kept[m++] = rules[i];
		}
		rules = kept;
		n = m;
	}
	if (n <= LEAF_RULES || depth >= MAX_DEPTH)
		return make_leaf(b, rules, n, slot);
	diff = core_alloc_array((1U << max_bits(n)) + 1, sizeof(*diff));
	if (!diff) {
		b->err = -ENOMEM;
		return;
	}
	for (d = 0; d < VNET_ACL_PREFIX_WORDS; d++)
		try_prefix(b, rules, n, g, d, &best, diff);
	for (; d < VNET_ACL_WORDS; d++)
		try_range(b, rules, n, g, d, &best, diff);
	core_free(diff);
	/*
	 * A cut must make some child smaller, or halve the rules in a child
	 * on average.
	 */
	if (best.word < 0 ||
	    (best.max >= n && best.total * 2 > (u64)n << best.bits) ||
	    best.total + (1ULL << best.bits) > b->budget)
		return make_leaf(b, rules, n, slot);
	b->budget -= best.total + (1ULL << best.bits);
	build_branch(b, rules, n, g, depth, &best, slot);
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
	struct build b = {
		.acl = acl,
		.budget = (u64)BUDGET_PER_RULE * n + (4ULL << MAX_BITS),
	};
	struct region full;
	u32 *list = NULL, i, m, root;
	int f, t;

	memset(acl, 0, sizeof(*acl));
	acl->nr_rules = n;
	acl->match = core_alloc_array(n ? n : 1, sizeof(*acl->match));
	b.r = core_alloc_array(n ? n : 1, sizeof(*b.r));
	list = core_alloc_array(n ? n : 1, sizeof(u32));
	if (!acl->match || !b.r || !list)
		goto nomem;
	for (i = 0; i < n; i++)
		put_rule(&rules[i], &b.r[i], &acl->match[i]);
	memset(&full, 0, sizeof(full));
	/* leaf[0] ends the empty list. */
	if (grow((void **)&acl->leaf, &acl->cap_leaf, 1, sizeof(u32)))
		goto nomem;
	acl->leaf[acl->nr_leaf++] = VNET_ACL_NONE;
	for (f = 0; f < 2 && !b.err; f++) {
		u8 family = f ? AF_INET6 : AF_INET;

		for (t = 0; t < VNET_ACL_TREES; t++) {
			for (i = 0, m = 0; i < n; i++) {
				u8 rf = rule_family(&rules[i]);

				if ((!rf || rf == family) &&
				    tree_of(&rules[i]) == (unsigned int)t)
					list[m++] = i;
			}
			if (!m)
				continue;
			root = new_nodes(&b, 1);
			build_node(&b, list, m, &full, 0, root);
			acl->trees[f][acl->nr_trees[f]++] = (struct vnet_acl_tree){
				.root = root, .min_rule = list[0],
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
	if (b.err)
		goto nomem;
	core_free(list);
	core_free(b.r);
	list = NULL;
	b.r = NULL;
	if (shrink((void **)&acl->nodes, &acl->cap_nodes, acl->nr_nodes,
		   sizeof(*acl->nodes)) ||
	    shrink((void **)&acl->leaf, &acl->cap_leaf, acl->nr_leaf,
		   sizeof(u32)))
		goto nomem;
	return 0;
nomem:
	core_free(list);
	core_free(b.r);
	vnet_acl_free(acl);
	return -ENOMEM;
}

void vnet_acl_free(struct vnet_acl *acl)
{
	core_free(acl->match);
	core_free(acl->nodes);
	core_free(acl->leaf);
	memset(acl, 0, sizeof(*acl));
}

/*
 * Under RCU in the kernel: no allocation, no recursion. Each tree is
 * walked from its root to one leaf (at most MAX_DEPTH steps) and the leaf
 * scanned while its rules can still beat the best match found.
 */
static __always_inline u32 lookup(const struct vnet_acl *acl, const u64 *w,
				  bool v6)
{
	const struct vnet_acl_tree *t = acl->trees[v6];
	const struct vnet_acl_tree *end = t + acl->nr_trees[v6];
	u64 m0 = match_w0(w, v6), m4 = match_w4(w);
	u32 best = VNET_ACL_NONE;

	for (; t < end && t->min_rule < best; t++) {
		const struct vnet_acl_node *node = &acl->nodes[t->root];
		const u32 *r;

		while (node->mask)
			node = &acl->nodes[node->first +
				((w[node->word] >> node->shift) & node->mask)];
		/* VNET_ACL_NONE ends the list. */
		for (r = &acl->leaf[node->first]; *r < best; r++)
			if (matches(&acl->match[*r], w, m0, m4, v6)) {
				best = *r;
				break;
			}
	}
	return best;
}

u32 vnet_acl_lookup(const struct vnet_acl *acl, const struct vnet_acl_key *k)
{
	u64 w[VNET_ACL_WORDS];

	key_words(k, w);
	if (k->family == AF_INET6)
		return lookup(acl, w, true);
	return lookup(acl, w, false);
}
