// SPDX-License-Identifier: GPL-2.0
/*
 * Object memory: one kmem_cache per object type, so that unloading the
 * module with an object still alive makes kmem_cache_destroy() complain in
 * the kernel log even on kernels without kmemleak. Also the name-keyed
 * red-black tree that vnets, subnets and peerings share.
 */
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vnet.h"
#include "acl.h"

static struct kmem_cache *vnet_cache;
static struct kmem_cache *subnet_cache;
static struct kmem_cache *peering_cache;
static struct kmem_cache *port_cache;

int vnet_caches_init(void)
{
	vnet_cache = KMEM_CACHE(vnet_vnet, 0);
	subnet_cache = KMEM_CACHE(vnet_subnet, 0);
	peering_cache = KMEM_CACHE(vnet_peering, 0);
	/* Ports need no interface: charge them to whoever adds them. */
	port_cache = KMEM_CACHE(vnet_port, SLAB_ACCOUNT);
	if (!vnet_cache || !subnet_cache || !peering_cache || !port_cache) {
		vnet_caches_exit();
		return -ENOMEM;
	}
	return 0;
}

void vnet_caches_exit(void)
{
	/* Objects freed with call_rcu() must be gone first. */
	rcu_barrier();
	kmem_cache_destroy(port_cache);
	kmem_cache_destroy(peering_cache);
	kmem_cache_destroy(subnet_cache);
	kmem_cache_destroy(vnet_cache);
}

struct vnet_vnet *vnet_alloc_vnet(void)
{
	struct vnet_vnet *v = kmem_cache_zalloc(vnet_cache, GFP_KERNEL);

	if (v && vnet_ct_vnet_init(v)) {
		kmem_cache_free(vnet_cache, v);
		return NULL;
	}
	return v;
}

static void vnet_free_rcu(struct rcu_head *head)
{
	struct vnet_vnet *v = container_of(head, struct vnet_vnet, rcu);

	kfree(v->prefixes);
	vnet_ct_vnet_release(v);
	kmem_cache_free(vnet_cache, v);
}

/* Ports being unbound may still read the vnet (its fib): wait for them. */
void vnet_free_vnet(struct vnet_vnet *v)
{
	call_rcu(&v->rcu, vnet_free_rcu);
}

struct vnet_subnet *vnet_alloc_subnet(void)
{
	return kmem_cache_zalloc(subnet_cache, GFP_KERNEL);
}

static void vnet_free_subnet_rcu(struct rcu_head *head)
{
	struct vnet_subnet *s = container_of(head, struct vnet_subnet, rcu);

	vnet_acl_list_free_set(&s->acl[VNET_ACL_DIR_IN]);
	vnet_acl_list_free_set(&s->acl[VNET_ACL_DIR_OUT]);
	kmem_cache_free(subnet_cache, s);
}

/* The packet path reads a port's subnet's ACLs: free after RCU. */
void vnet_free_subnet(struct vnet_subnet *s)
{
	vnet_acl_list_clear(&s->acl[VNET_ACL_DIR_IN]);
	vnet_acl_list_clear(&s->acl[VNET_ACL_DIR_OUT]);
	call_rcu(&s->rcu, vnet_free_subnet_rcu);
}

struct vnet_peering *vnet_alloc_peering(void)
{
	return kmem_cache_zalloc(peering_cache, GFP_KERNEL);
}

void vnet_free_peering(struct vnet_peering *p)
{
	kmem_cache_free(peering_cache, p);
}

struct vnet_port *vnet_alloc_port(void)
{
	struct vnet_port *port = kmem_cache_zalloc(port_cache, GFP_KERNEL);

	if (!port)
		return NULL;
	port->stats = __netdev_alloc_pcpu_stats(struct vnet_port_stats,
					       GFP_KERNEL_ACCOUNT);
	if (!port->stats || vnet_ct_port_init(port)) {
		free_percpu(port->stats);
		kmem_cache_free(port_cache, port);
		return NULL;
	}
	return port;
}

static void vnet_free_port_cb(struct rcu_head *head)
{
	struct vnet_port *port = container_of(head, struct vnet_port, rcu);

	/* Nothing else holds the port now. */
	netdev_put(rcu_dereference_protected(port->dev, true),
		   &port->dev_tracker);
	vnet_acl_list_free_set(&port->acl[VNET_ACL_DIR_IN]);
	vnet_acl_list_free_set(&port->acl[VNET_ACL_DIR_OUT]);
	free_percpu(port->stats);
	vnet_ct_port_release(port);
	kfree(rcu_dereference_protected(port->conf, true));
	kmem_cache_free(port_cache, port);
}

/*
 * The packet path may still hold the port (and send to its device) until
 * a grace period has passed; the device reference goes with it.
 */
void vnet_free_port_rcu(struct vnet_port *port)
{
	vnet_acl_list_clear(&port->acl[VNET_ACL_DIR_IN]);
	vnet_acl_list_clear(&port->acl[VNET_ACL_DIR_OUT]);
	call_rcu(&port->rcu, vnet_free_port_cb);
}

struct vnet_node *vnet_node_find(struct rb_root *root, const char *name)
{
	struct rb_node *rb = root->rb_node;

	while (rb) {
		struct vnet_node *n = rb_entry(rb, struct vnet_node, rb);
		int c = strcmp(name, n->name);

		if (!c)
			return n;
		rb = c < 0 ? rb->rb_left : rb->rb_right;
	}
	return NULL;
}

int vnet_node_insert(struct rb_root *root, struct vnet_node *node)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		struct vnet_node *n = rb_entry(*link, struct vnet_node, rb);
		int c = strcmp(node->name, n->name);

		if (!c)
			return -EEXIST;
		parent = *link;
		link = c < 0 ? &parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&node->rb, parent, link);
	rb_insert_color(&node->rb, root);
	return 0;
}

/* The first node whose name sorts after @name: where a dump resumes. */
struct vnet_node *vnet_node_after(struct rb_root *root, const char *name)
{
	struct vnet_node *after = NULL, *n;
	struct rb_node *rb = root->rb_node;

	while (rb) {
		n = rb_entry(rb, struct vnet_node, rb);
		if (strcmp(n->name, name) > 0) {
			after = n;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return after;
}

/* The @n-th node in name order. */
struct vnet_node *vnet_node_nth(struct rb_root *root, unsigned long n)
{
	struct rb_node *rb = rb_first(root);

	while (rb && n--)
		rb = rb_next(rb);
	return rb ? rb_entry(rb, struct vnet_node, rb) : NULL;
}
