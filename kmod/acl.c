// SPDX-License-Identifier: GPL-2.0
/*
 * ACL rules of a subnet or a port, one list per direction. A change
 * compiles the list again with the policy core's classifier and publishes
 * the result with rcu_assign_pointer(); the packet path never sees a half
 * updated rule set, and the old set is freed after a grace period.
 */
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vnet.h"

static int prio_cmp(const void *key, const struct rb_node *rb)
{
	return (int)*(const u16 *)key -
	       (int)rb_entry(rb, struct vnet_acl_entry, rb)->prio;
}

static bool prio_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct vnet_acl_entry, rb)->prio <
	       rb_entry(b, struct vnet_acl_entry, rb)->prio;
}

struct vnet_acl_entry *vnet_acl_find(struct vnet_acl_list *l, u16 prio)
{
	struct rb_node *rb = rb_find(&prio, &l->rules, prio_cmp);

	return rb ? rb_entry(rb, struct vnet_acl_entry, rb) : NULL;
}

static void acl_set_free(struct vnet_acl_set *set)
{
	if (!set)
		return;
	vnet_acl_free(&set->cls);
	kvfree(set);
}

static void acl_set_free_rcu(struct rcu_head *head)
{
	acl_set_free(container_of(head, struct vnet_acl_set, rcu));
}

/* Builds the set of the rules in @l, in priority order. */
static struct vnet_acl_set *acl_compile(struct vnet_acl_list *l)
{
	struct vnet_acl_rule *rules;
	struct vnet_acl_set *set;
	struct rb_node *rb;
	unsigned int i = 0;

	set = kvzalloc(struct_size(set, action, l->count), GFP_KERNEL);
	rules = kvcalloc(l->count ? l->count : 1, sizeof(*rules), GFP_KERNEL);
	if (!set || !rules)
		goto fail;
	for (rb = rb_first(&l->rules); rb; rb = rb_next(rb), i++) {
		struct vnet_acl_entry *e = rb_entry(rb, struct vnet_acl_entry, rb);

		rules[i] = e->rule;
		set->action[i] = e->action;
	}
	if (vnet_acl_compile(&set->cls, rules, l->count))
		goto fail;
	kvfree(rules);
	return set;
fail:
	kvfree(rules);
	kvfree(set);
	return NULL;
}

/*
 * An empty list publishes no set: the packet path knows no rule applies.
 * Tracked connections check themselves against the new rules.
 */
static void acl_publish(struct vnet_net *vn, struct vnet_acl_list *l,
			struct vnet_acl_set *set)
{
	struct vnet_acl_set *old;

	if (!l->count) {
		acl_set_free(set);
		set = NULL;
	}
	old = rcu_replace_pointer(l->set, set, true);
	vnet_ct_rules_changed(vn);
	if (old)
		call_rcu(&old->rcu, acl_set_free_rcu);
}

static void acl_insert(struct vnet_acl_list *l, struct vnet_acl_entry *e)
{
	rb_add(&e->rb, &l->rules, prio_less);
	l->count++;
}

/*
 * A deferred change leaves the packet path on the old set until a commit:
 * by VNET_CMD_ACL_COMMIT at the end of a batch, or by the work a second
 * after the last deferred change, should the client go away first.
 */
static void acl_defer(struct vnet_net *vn, struct vnet_acl_list *l)
{
	if (!l->dirty) {
		list_add_tail(&l->dirty_link, &vn->acl_dirty);
		l->dirty = true;
	}
	mod_delayed_work(system_wq, &vn->acl_work, HZ);
}

/* Compiles every list with deferred changes; vn->lock held. */
int vnet_acl_commit(struct vnet_net *vn)
{
	struct vnet_acl_list *l, *tmp;
	struct vnet_acl_set *set;

	list_for_each_entry_safe(l, tmp, &vn->acl_dirty, dirty_link) {
		set = acl_compile(l);
		if (!set) {	/* the old rules stay; try again soon */
			mod_delayed_work(system_wq, &vn->acl_work, HZ);
			return -ENOMEM;
		}
		acl_publish(vn, l, set);
		list_del(&l->dirty_link);
		l->dirty = false;
	}
	return 0;
}

void vnet_acl_work(struct work_struct *work)
{
	struct vnet_net *vn = container_of(to_delayed_work(work),
					   struct vnet_net, acl_work);

	mutex_lock(&vn->lock);
	vnet_acl_commit(vn);
	mutex_unlock(&vn->lock);
}

/* @e is the caller's; on success it belongs to @l. */
int vnet_acl_add(struct vnet_req *req, struct vnet_acl_list *l,
		 const char *scope, struct vnet_acl_entry *e, bool defer)
{
	struct vnet_acl_set *set;

	if (vnet_acl_find(l, e->prio))
		return vnet_refuse(req, -EEXIST, "ACL priority already used",
				   "%s already has a rule of priority %u in this direction",
				   scope, e->prio);
	if (l->count >= vnet_max_acl_rules)
		return vnet_refuse(req, -ENOSPC, "ACL rule limit reached",
				   "%s already has %u rules in this direction (module parameter max_acl_rules)",
				   scope, l->count);
	acl_insert(l, e);
	if (defer) {
		acl_defer(req->vn, l);
		return 0;
	}
	set = acl_compile(l);
	if (!set) {
		rb_erase(&e->rb, &l->rules);
		l->count--;
		return -ENOMEM;
	}
	acl_publish(req->vn, l, set);
	return 0;
}

int vnet_acl_del(struct vnet_req *req, struct vnet_acl_list *l,
		 const char *scope, u16 prio, bool defer)
{
	struct vnet_acl_entry *e = vnet_acl_find(l, prio);
	struct vnet_acl_set *set;

	if (!e)
		return vnet_refuse(req, -ENOENT, "no ACL rule of that priority",
				   "%s has no rule of priority %u in this direction",
				   scope, prio);
	rb_erase(&e->rb, &l->rules);
	l->count--;
	if (defer) {
		acl_defer(req->vn, l);
		kfree(e);
		return 0;
	}
	set = acl_compile(l);
	if (!set) {
		acl_insert(l, e);
		return -ENOMEM;
	}
	acl_publish(req->vn, l, set);
	kfree(e);
	return 0;
}

/*
 * The rules go now; the compiled set stays for readers until the owner's
 * grace period ends (vnet_acl_list_free_set()).
 */
void vnet_acl_list_clear(struct vnet_acl_list *l)
{
	struct vnet_acl_entry *e, *tmp;

	rbtree_postorder_for_each_entry_safe(e, tmp, &l->rules, rb)
		kfree(e);
	l->rules = RB_ROOT;
	l->count = 0;
	if (l->dirty) {
		list_del(&l->dirty_link);
		l->dirty = false;
	}
}

/* After a grace period: nobody reads @l any more. */
void vnet_acl_list_free_set(struct vnet_acl_list *l)
{
	acl_set_free(rcu_dereference_protected(l->set, true));
	RCU_INIT_POINTER(l->set, NULL);
}

/* Packet path, under RCU: no rule, or the first matching rule allows. */
bool vnet_acl_allows(const struct vnet_acl_list *l,
		     const struct vnet_acl_key *k)
{
	const struct vnet_acl_set *set = rcu_dereference(l->set);
	u32 r;

	if (!set)
		return true;
	r = vnet_acl_lookup(&set->cls, k);
	return r == VNET_ACL_NONE || set->action[r] == VNET_ACL_ALLOW;
}

/*
 * Rule 9 for a packet from @src to @dst: the sender's port, then its
 * subnet (outbound); the receiver's subnet, then its port (inbound). All
 * four must allow.
 */
bool vnet_acl_path_allows(const struct vnet_port *src,
			  const struct vnet_port *dst,
			  const struct vnet_acl_key *k)
{
	/*
	 * A later fragment has no ports and no connection to follow: it
	 * could slip past a port rule, so where any rule applies it is
	 * dropped.
	 */
	if (k->fragment)
		return !(rcu_access_pointer(src->acl[VNET_ACL_DIR_OUT].set) ||
			 rcu_access_pointer(src->subnet->acl[VNET_ACL_DIR_OUT].set) ||
			 rcu_access_pointer(dst->subnet->acl[VNET_ACL_DIR_IN].set) ||
			 rcu_access_pointer(dst->acl[VNET_ACL_DIR_IN].set));
	return vnet_acl_allows(&src->acl[VNET_ACL_DIR_OUT], k) &&
	       vnet_acl_allows(&src->subnet->acl[VNET_ACL_DIR_OUT], k) &&
	       vnet_acl_allows(&dst->subnet->acl[VNET_ACL_DIR_IN], k) &&
	       vnet_acl_allows(&dst->acl[VNET_ACL_DIR_IN], k);
}
