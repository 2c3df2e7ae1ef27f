// SPDX-License-Identifier: GPL-2.0
/*
 * ACL rules of a subnet or a port, one list per direction. A change
 * compiles the list again with the policy core's classifier and publishes
 * the result with rcu_assign_pointer(); the packet path never sees a half
 * updated rule set, and the old set is freed after a grace period.
 *
 * A rule with from-vnet names a vnet by its id, which a later vnet may
 * take: deleting a vnet removes the rules of other vnets that name it
 * (vnet_acl_unref()), each vnet keeping the list of those rules.
 */
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vnet.h"
#include "acl.h"
#include "datapath.h"
#include "events.h"

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

static struct vnet_acl_entry *vnet_acl_find(struct vnet_acl_list *l,
					     u16 prio)
{
	struct rb_node *rb = rb_find(&prio, &l->rules, prio_cmp);

	return rb ? rb_entry(rb, struct vnet_acl_entry, rb) : NULL;
}

/* The first rule of @l after priority @prio: where a dump resumes. */
struct vnet_acl_entry *vnet_acl_next(struct vnet_acl_list *l, u16 prio)
{
	struct vnet_acl_entry *next = NULL, *e;
	struct rb_node *rb = l->rules.rb_node;

	while (rb) {
		e = rb_entry(rb, struct vnet_acl_entry, rb);
		if (e->prio > prio) {
			next = e;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return next;
}

/* What events and the from-vnet clean-up need to know about a list. */
void vnet_acl_list_bind(struct vnet_acl_list *l, struct vnet_subnet *s,
			struct vnet_port *port, u8 dir)
{
	l->subnet = s;
	l->port = port;
	l->dir = dir;
}

struct vnet_vnet *vnet_acl_list_vnet(const struct vnet_acl_list *l)
{
	return l->port ? l->port->vnet : l->subnet->vnet;
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

/*
 * Builds the set of the rules in @l, in priority order, leaving out those
 * whose from-vnet is @skip (a vnet id, or 0 to keep every rule).
 */
static struct vnet_acl_set *acl_compile(struct vnet_acl_list *l, u32 skip)
{
	struct vnet_acl_rule *rules;
	struct vnet_acl_set *set;
	struct rb_node *rb;
	unsigned int i = 0;

	set = kvzalloc(struct_size(set, rule, l->count), GFP_KERNEL);
	rules = kvcalloc(l->count ? l->count : 1, sizeof(*rules), GFP_KERNEL);
	if (!set || !rules)
		goto fail;
	for (rb = rb_first(&l->rules); rb; rb = rb_next(rb)) {
		struct vnet_acl_entry *e = rb_entry(rb, struct vnet_acl_entry, rb);

		if (skip && e->rule.from_vnet == skip)
			continue;
		rules[i] = e->rule;
		set->rule[i].prio = e->prio;
		set->rule[i++].action = e->action;
	}
	set->count = i;
	if (vnet_acl_compile(&set->cls, rules, i))
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
 * The flow table learns of it once the publishing is done (acl_changed()).
 */
static void acl_publish(struct vnet_net *vn, struct vnet_acl_list *l,
			struct vnet_acl_set *set)
{
	struct vnet_acl_set *old;

	if (!l->count) {
		acl_set_free(set);
		set = NULL;
	}
	old = rcu_replace_pointer(l->set, set, lockdep_is_held(&vn->lock));
	if (old)
		call_rcu(&old->rcu, acl_set_free_rcu);
}

static void acl_insert(struct vnet_acl_list *l, struct vnet_acl_entry *e)
{
	rb_add(&e->rb, &l->rules, prio_less);
	l->count++;
}

static void acl_remove(struct vnet_acl_list *l, struct vnet_acl_entry *e)
{
	rb_erase(&e->rb, &l->rules);
	l->count--;
}

/*
 * After one or more sets are published: tracked connections check
 * themselves against the new rules, but for those that no changed rule
 * can concern (acl_delta.c).
 */
static void acl_changed(struct vnet_net *vn)
{
	vnet_ct_rules_changed(vn, vnet_acl_delta_take(vn));
}

/* @set is compiled from every rule of @l: deferred changes end here. */
static void acl_publish_all(struct vnet_net *vn, struct vnet_acl_list *l,
			    struct vnet_acl_set *set)
{
	acl_publish(vn, l, set);
	if (!l->dirty)
		return;
	list_del(&l->dirty_link);
	l->dirty = false;
	vnet_notify_acl_commit(l);
	l->added = 0;
	l->removed = 0;
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
	bool published = false;
	int err = 0;

	list_for_each_entry_safe(l, tmp, &vn->acl_dirty, dirty_link) {
		set = acl_compile(l, 0);
		if (!set) {	/* the old rules stay; try again soon */
			mod_delayed_work(system_wq, &vn->acl_work, HZ);
			err = -ENOMEM;
			break;
		}
		acl_publish_all(vn, l, set);
		published = true;
	}
	if (published)
		acl_changed(vn);
	return err;
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
	struct vnet_vnet *from;

	lockdep_assert_held(&req->vn->lock);
	if (vnet_acl_find(l, e->prio))
		return vnet_refuse(req, -EEXIST, "ACL priority already used",
				   "%s already has a rule of priority %u in this direction",
				   scope, e->prio);
	if (l->count >= vnet_max_acl_rules)
		return vnet_refuse(req, -ENOSPC, "ACL rule limit reached",
				   "%s already has %u rules in this direction (module parameter max_acl_rules)",
				   scope, l->count);
	e->list = l;
	acl_insert(l, e);
	/* Noted even if refused below: a delta may name more rules. */
	vnet_acl_delta_note(req->vn, &e->rule);
	if (defer) {
		l->added++;
		acl_defer(req->vn, l);
	} else {
		set = acl_compile(l, 0);
		if (!set) {
			acl_remove(l, e);
			return -ENOMEM;
		}
		acl_publish_all(req->vn, l, set);
		acl_changed(req->vn);
		vnet_notify_acl(l, e, VNET_CMD_ACL_NEW, NULL);
	}
	if (e->rule.from_vnet) {
		from = xa_load(&req->vn->ids, e->rule.from_vnet);
		hlist_add_head(&e->from_link, &from->acl_users);
	}
	return 0;
}

int vnet_acl_del(struct vnet_req *req, struct vnet_acl_list *l,
		 const char *scope, u16 prio, bool defer)
{
	struct vnet_acl_entry *e = vnet_acl_find(l, prio);
	struct vnet_acl_set *set;

	lockdep_assert_held(&req->vn->lock);
	if (!e)
		return vnet_refuse(req, -ENOENT, "no ACL rule of that priority",
				   "%s has no rule of priority %u in this direction",
				   scope, prio);
	acl_remove(l, e);
	vnet_acl_delta_note(req->vn, &e->rule);
	if (defer) {
		l->removed++;
		acl_defer(req->vn, l);
	} else {
		set = acl_compile(l, 0);
		if (!set) {
			acl_insert(l, e);
			return -ENOMEM;
		}
		acl_publish_all(req->vn, l, set);
		acl_changed(req->vn);
		vnet_notify_acl(l, e, VNET_CMD_ACL_DEL, NULL);
	}
	hlist_del_init(&e->from_link);
	kfree(e);
	return 0;
}

/*
 * Deleting vnet @v: the rules of other vnets' lists whose from-vnet is @v
 * go, each announced as deleted with the cause, and their lists are
 * compiled again, before @v's id can be taken by a new vnet. Every set is
 * compiled first, so that running out of memory refuses the deletion and
 * changes nothing. Rules in @v's own lists go with them (vnet_del()).
 */
int vnet_acl_unref(struct vnet_req *req, struct vnet_vnet *v)
{
	struct vnet_acl_list *l, *tmp;
	struct vnet_acl_entry *e;
	struct hlist_node *next;
	LIST_HEAD(lists);

	lockdep_assert_held(&req->vn->lock);
	hlist_for_each_entry(e, &v->acl_users, from_link) {
		l = e->list;
		if (vnet_acl_list_vnet(l) == v || l->unref_set)
			continue;
		l->unref_set = acl_compile(l, v->id);
		if (!l->unref_set)
			goto nomem;
		list_add_tail(&l->unref_link, &lists);
	}
	/* Only rules of @v's own lists name it: they go with @v. */
	if (list_empty(&lists))
		return 0;
	/* These rules go without a note: no delta for what follows. */
	vnet_acl_delta_unknown(req->vn);
	hlist_for_each_entry_safe(e, next, &v->acl_users, from_link) {
		l = e->list;
		if (vnet_acl_list_vnet(l) == v)
			continue;
		acl_remove(l, e);
		hlist_del_init(&e->from_link);
		vnet_notify_acl(l, e, VNET_CMD_ACL_DEL, v);
		kfree(e);
	}
	list_for_each_entry_safe(l, tmp, &lists, unref_link) {
		list_del(&l->unref_link);
		acl_publish_all(req->vn, l, l->unref_set);
		l->unref_set = NULL;
	}
	acl_changed(req->vn);
	return 0;

nomem:
	list_for_each_entry_safe(l, tmp, &lists, unref_link) {
		list_del(&l->unref_link);
		acl_set_free(l->unref_set);
		l->unref_set = NULL;
	}
	return vnet_refuse(req, -ENOMEM, "out of memory compiling ACL rules",
			   "out of memory compiling the ACL rules that name vnet %s as from-vnet: vnet %s is not deleted",
			   v->n.name, v->n.name);
}

/*
 * @v is being freed: no rule may point at it any more. After
 * vnet_acl_unref() only the namespace exit leaves some (every list goes).
 */
void vnet_acl_unref_detach(struct vnet_vnet *v)
{
	struct vnet_acl_entry *e;
	struct hlist_node *next;

	hlist_for_each_entry_safe(e, next, &v->acl_users, from_link)
		hlist_del_init(&e->from_link);
}

/*
 * The rules go now; the compiled set stays for readers until the owner's
 * grace period ends (vnet_acl_list_free_set()).
 */
void vnet_acl_list_clear(struct vnet_acl_list *l)
{
	struct vnet_acl_entry *e, *tmp;

	rbtree_postorder_for_each_entry_safe(e, tmp, &l->rules, rb) {
		hlist_del_init(&e->from_link);
		kfree(e);
	}
	l->rules = RB_ROOT;
	l->count = 0;
	if (l->dirty) {
		list_del(&l->dirty_link);
		l->dirty = false;
	}
}

/*
 * After a grace period: nobody reads @l any more. The list was cleared
 * under vn->lock (vnet_acl_list_clear()), so nothing publishes a set again.
 */
void vnet_acl_list_free_set(struct vnet_acl_list *l)
{
	acl_set_free(rcu_dereference_protected(l->set, !l->count && !l->dirty));
	RCU_INIT_POINTER(l->set, NULL);
}

/* Packet path, under RCU: no rule, or the first matching rule allows. */
static bool vnet_acl_allows(const struct vnet_acl_list *l,
			    const struct vnet_acl_key *k)
{
	const struct vnet_acl_set *set = rcu_dereference(l->set);
	u32 r;

	if (!set)
		return true;
	r = vnet_acl_lookup(&set->cls, k);
	return r == VNET_ACL_NONE || set->rule[r].action == VNET_ACL_ALLOW;
}

/*
 * For "vnetctl trace", under RCU: the rule of @l that decides @k, or NULL
 * when none matches, and how many rules the packet path knows in @l.
 */
const struct vnet_acl_verdict *
vnet_acl_decide(const struct vnet_acl_list *l, const struct vnet_acl_key *k,
		unsigned int *nr_rules)
{
	const struct vnet_acl_set *set = rcu_dereference(l->set);
	u32 r;

	*nr_rules = set ? set->count : 0;
	if (!set)
		return NULL;
	r = vnet_acl_lookup(&set->cls, k);
	return r == VNET_ACL_NONE ? NULL : &set->rule[r];
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
