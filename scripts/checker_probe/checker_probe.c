// SPDX-License-Identifier: GPL-2.0
/*
 * Makes each checker of the debug kernel report once, so that "make
 * check-debug" proves that they are live and that selftests/vm.sh's log
 * scan catches what they print. Not part of vnet. Loading it does the
 * harm and then fails with -EAGAIN, so it never stays loaded.
 *
 * Order matters: lockdep turns itself off after its first report, and
 * after any taint that makes it unreliable (a KASAN report), and PROVE_RCU
 * needs it on: RCU first, then the lock inversion, then the rest.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static DEFINE_MUTEX(probe_a);
static DEFINE_MUTEX(probe_b);
static DEFINE_SPINLOCK(probe_lock);
static int __rcu *probe_rcu;
static void *probe_ptr;
/* Parameters, so that the compiler cannot see the harm coming. */
static int probe_index = 16;
module_param(probe_index, int, 0444);
static int probe_shift = 40;
module_param(probe_shift, int, 0444);

/* KASAN: a read one byte past a 16-byte object. */
static noinline void probe_kasan(void)
{
	char *p = kmalloc(16, GFP_KERNEL);

	if (!p)
		return;
	pr_info("checker_probe: kasan read %d\n", READ_ONCE(p[probe_index]));
	kfree(p);
}

/* kmemleak: the only pointer to an object is overwritten. */
static noinline void probe_leak(void)
{
	WRITE_ONCE(probe_ptr, kmalloc(64, GFP_KERNEL));
	WRITE_ONCE(probe_ptr, NULL);
}

/* UBSAN: a shift wider than the type. */
static noinline void probe_ubsan(void)
{
	pr_info("checker_probe: ubsan shift %d\n", 1 << probe_shift);
}

/* PROVE_RCU: rcu_dereference() outside a read-side critical section. */
static noinline void probe_rcu_usage(void)
{
	pr_info("checker_probe: rcu %p\n", rcu_dereference(probe_rcu));
}

/* DEBUG_ATOMIC_SLEEP: a might-sleep point under a spinlock. */
static noinline void probe_sleep(void)
{
	spin_lock(&probe_lock);
	might_sleep();
	spin_unlock(&probe_lock);
}

/* PROVE_LOCKING: a then b, later b then a. */
static noinline void probe_lockdep(void)
{
	mutex_lock(&probe_a);
	mutex_lock(&probe_b);
	mutex_unlock(&probe_b);
	mutex_unlock(&probe_a);
	mutex_lock(&probe_b);
	mutex_lock(&probe_a);
	mutex_unlock(&probe_a);
	mutex_unlock(&probe_b);
}

static int __init checker_probe_init(void)
{
	probe_rcu_usage();
	probe_lockdep();
	probe_sleep();
	probe_ubsan();
	probe_kasan();
	probe_leak();
	return -EAGAIN;
}
module_init(checker_probe_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Makes each checker of a debug kernel report once");
