#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the test harness itself, run on the host: selftests/vm.sh must
# pass a command's status through, and must fail a run whose kernel log
# shows a WARN even when the command succeeded. The WARN comes from a
# debug build of the module (VNET_DEBUG=1: a debug_warn parameter).
set -u
cd "$(dirname "$(realpath "$0")")/.."
# Booting without slub_debug is twice as fast, and these checks do not need it.
export VM_SLUB_DEBUG=${VM_SLUB_DEBUG:-0}
n=0
failed=0
report()	# STATUS DESC
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - harness: $2"
	else
		echo "not ok $n - harness: $2"
		failed=$((failed + 1))
	fi
}

# The kernel log scan (vm.sh --scan, no VM): each report a checker of a
# debug kernel or Debian's kernel writes is caught, and no boot banner of
# a debug kernel is. The lines are copied from real logs.
samples=$(mktemp -d)
trap 'rm -rf "$samples"' EXIT
while IFS= read -r line; do
	[ -n "$line" ] || continue
	printf '%s\n' "$line" >"$samples/log"
	selftests/vm.sh --scan "$samples/log" >/dev/null 2>&1
	report $(($? != 1)) "the log scan catches: $line"
done <<'EOF'
[   12.345678] BUG: KASAN: slab-out-of-bounds in vnet_port_del+0x1c/0x80 [vnet]
[   12.345678] BUG: KASAN: use-after-free in vnet_flow_lookup+0x2a/0x90 [vnet]
[   12.345678] KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]
[   12.345678] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN
[   60.123456] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
[   60.123456] kmemleak: Cannot allocate a kmemleak_object structure
[   60.123456] kmemleak: Kernel memory leak detector disabled
[   20.000000] WARNING: possible circular locking dependency detected
[   20.000000] WARNING: possible recursive locking detected
[   20.000000] WARNING: inconsistent lock state
[   20.000000] WARNING: suspicious RCU usage
[   20.000000] WARNING: bad unlock balance detected!
[   20.000000] INFO: lockdep is turned off.
[   20.000000] turning off the locking correctness validator.
[   20.000000] BUG: sleeping function called from invalid context at mm/slab.h:730
[   20.000000] BUG: scheduling while atomic: ip/123/0x00000002
[   20.000000] UBSAN: shift-out-of-bounds in kmod/flow.c:120:9
[   20.000000] UBSAN: array-index-out-of-bounds in kmod/acl.c:88:17
[   20.000000] WARNING: CPU: 1 PID: 123 at kmod/port.c:88 port_del+0x12/0x40 [vnet]
[   20.000000] BUG kmalloc-64 (Tainted: G           O     ): Redzone overwritten
[   20.000000] BUG: unable to handle page fault for address: ffffffffc0201000
[   20.000000] refcount_t: underflow; use-after-free.
[   20.000000] Kernel panic - not syncing: Fatal exception
EOF
while IFS= read -r line; do
	[ -n "$line" ] || continue
	printf '%s\n' "$line" >"$samples/log"
	selftests/vm.sh --scan "$samples/log" >/dev/null 2>&1
	report $? "the log scan lets pass: $line"
done <<'EOF'
[    0.000000] kmemleak: Kernel memory leak detector initialized (mem pool available: 38771)
[    0.000000] kasan: KernelAddressSanitizer initialized
[    0.000000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar
[    0.000000] ... MAX_LOCKDEP_SUBCLASSES:  8
[    0.000000] ... MAX_LOCKDEP_CHAINS:      65536
[    0.000000] rcu: 	RCU lockdep checking is enabled.
[    0.000000] Kernel command line: console=ttyS0 panic=-1 quiet loglevel=3 no_timer_check kasan_multi_shot
EOF
selftests/vm.sh --scan "$samples/missing" >/dev/null 2>&1
report $(($? != 2)) "the log scan fails (status 2) on a file it cannot read"

out=$(selftests/vm.sh true 2>&1)
report $? "vm.sh true succeeds"
selftests/vm.sh false >/dev/null 2>&1
report $(($? == 0)) "vm.sh false fails"
out=$(selftests/vm.sh vnetctl -V 2>&1)
echo "$out" | grep -q '^vnet.ko ' && echo "$out" | grep -q '^vnetctl '
report $? "vm.sh vnetctl -V prints the CLI and module versions"

dbg=.build/debug
rm -rf "$dbg" && mkdir -p "$dbg" && cp -r kmod include "$dbg"/
make -s -C "$dbg/kmod" clean >/dev/null 2>&1
if make -s -C "$dbg/kmod" VNET_DEBUG=1 >"$dbg/build.log" 2>&1; then
	out=$(VNET_KO=$dbg/kmod/vnet.ko selftests/vm.sh \
		sh -c 'echo 1 > /sys/module/vnet/parameters/debug_warn' 2>&1)
	status=$?
	[ "$status" -ne 0 ] && echo "$out" | grep -q 'WARNING:'
	report $? "a WARN in the kernel log fails a run whose command succeeded"
else
	report 1 "debug build of the module (see $dbg/build.log)"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
