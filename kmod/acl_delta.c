// SPDX-License-Identifier: GPL-2.0
/*
 * What a publication of ACL rules changed, so that the flow table can keep
 * what it knows of the flows the change cannot concern.
 *
 * A packet is decided by the first rule of each list on its path that
 * matches it, or allowed if none does. Adding or deleting a rule that does
 * not match a packet leaves that first match where it was: the packet is
 * decided as before. So every rule deleted or added since the last
 * publication is noted here (whichever list it is in, and whatever its
 * action), and at the publication they are compiled into one classifier,
 * the delta: a flow none of them matches keeps its verdict. Rules are
 * noted with any source vnet: a delta may only match more than the
 * changed rules do, never less.
 *
 * The notes cover the changes published since the last publication, and
 * those still deferred in a batch, which will be published later (a
 * delta may name more rules than changed, never fewer). A change that
 * is not noted (a deleted vnet's rules leaving other lists), more than
 * acl_delta_max changes (about 64 bytes each while noted: a batch that
 * changes more changes enough for every flow to take the full path
 * again), or no memory make the notes unknown: the publication then has
 * no delta, and every flow takes the full path again.
 *
 * Everything but vnet_acl_delta_misses() runs under vn->lock.
 */
#include <linux/slab.h>

#include "vnet.h"
#include "acl.h"

static void delta_forget(struct vnet_net *vn)
{
	kvfree(vn->delta_rules);
	vn->delta_rules = NULL;
	vn->delta_count = 0;
	vn->delta_cap = 0;
}

/* Some change will not be noted: the next publication has no delta. */
void vnet_acl_delta_unknown(struct vnet_net *vn)
{
	lockdep_assert_held(&vn->lock);
	delta_forget(vn);
	vn->delta_unknown = true;
}

/* Rule @r is added or deleted (deferred or not). */
void vnet_acl_delta_note(struct vnet_net *vn, const struct vnet_acl_rule *r)
{
	struct vnet_acl_rule *rules;
	unsigned int cap;

	lockdep_assert_held(&vn->lock);
	if (vn->delta_unknown)
		return;
	if (vn->delta_count >= READ_ONCE(vnet_acl_delta_max)) {
		vnet_acl_delta_unknown(vn);
		return;
	}
	if (vn->delta_count == vn->delta_cap) {
		cap = vn->delta_cap ? 2 * vn->delta_cap : 64;
		rules = kvmalloc_array(cap, sizeof(*rules), GFP_KERNEL);
		if (!rules) {
			vnet_acl_delta_unknown(vn);
			return;
		}
		if (vn->delta_count)
			memcpy(rules, vn->delta_rules,
			       vn->delta_count * sizeof(*rules));
		kvfree(vn->delta_rules);
		vn->delta_rules = rules;
		vn->delta_cap = cap;
	}
	rules = &vn->delta_rules[vn->delta_count];
	*rules = *r;
	rules->prio = vn->delta_count++;	/* the classifier's order */
	rules->from_vnet = 0;			/* any: see above */
}

/*
 * At a publication: its delta, or NULL if it has none (unknown, or no
 * memory). The notes start again once no list has deferred changes.
 */
struct vnet_acl_delta *vnet_acl_delta_take(struct vnet_net *vn)
{
	struct vnet_acl_delta *d = NULL;

	lockdep_assert_held(&vn->lock);
	if (!vn->delta_unknown && vn->delta_count) {
		d = kzalloc(sizeof(*d), GFP_KERNEL);
		if (d && vnet_acl_compile(&d->cls, vn->delta_rules,
					  vn->delta_count)) {
			kfree(d);
			d = NULL;
		}
	}
	/* A deferred change not noted is still to come: unknown stays. */
	if (list_empty(&vn->acl_dirty)) {
		delta_forget(vn);
		vn->delta_unknown = false;
	}
	return d;
}

void vnet_acl_delta_free(struct vnet_acl_delta *d)
{
	if (!d)
		return;
	vnet_acl_free(&d->cls);
	kfree(d);
}

static void delta_free_rcu(struct rcu_head *head)
{
	vnet_acl_delta_free(container_of(head, struct vnet_acl_delta, rcu));
}

void vnet_acl_delta_free_rcu(struct vnet_acl_delta *d)
{
	if (d)
		call_rcu(&d->rcu, delta_free_rcu);
}

/* Namespace exit, after the last packet: the notes and the last delta. */
void vnet_acl_delta_exit(struct vnet_net *vn)
{
	delta_forget(vn);
	vnet_acl_delta_free(rcu_dereference_protected(vn->acl_delta, true));
	RCU_INIT_POINTER(vn->acl_delta, NULL);
}

/* Packet path: does no rule of delta @d match @k? */
bool vnet_acl_delta_misses(const struct vnet_acl_delta *d,
			   const struct vnet_acl_key *k)
{
	return vnet_acl_lookup(&d->cls, k) == VNET_ACL_NONE;
}
