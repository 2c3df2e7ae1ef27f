#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/check_debug.sh [--checkers] [FILTER ...]
#        scripts/check_debug.sh --run CMD [ARG ...]
#
# What "make check-debug" runs: builds the debug kernel when its cache
# does not have it (scripts/debug_kernel.sh), builds vnet.ko against it in
# .build/check-debug/kmod (a copy: kmod/vnet.ko stays Debian's), proves
# that each checker reports and that vm.sh catches it (scripts/
# checker_probe, a module that does one wrong thing of each kind), and runs
# the selftests (all of them, or those FILTER selects, as for
# selftests/run_all.sh) in VMs booting that kernel: KASAN, lockdep and
# PROVE_RCU, kmemleak (a scan after rmmod vnet fails the run on a leak),
# UBSAN, DEBUG_ATOMIC_SLEEP. Prints the TAP and the time of each step;
# exits non-zero on any failure, including a kernel report. --checkers:
# only the proof of the checkers, no selftests. --run: only CMD in a VM
# booting that kernel, as selftests/vm.sh runs it (the files that need a
# debug kernel: selftests/fault_inject.sh; VNET_CHURN_FAULTS=1
# selftests/churn.sh; selftests/races.sh).
#
# Environment: LANES (VMs at once, default 1; the test files are dealt
# out to them in turn), VM_MEM (MiB, default 3072: KASAN's shadow takes
# an eighth), VM_TIMEOUT (seconds per VM, default 10800), VM_SMP,
# SELFTEST_TIMEOUT (seconds per test file, default 3600).
# The console, kernel log and kmemleak report of each VM are kept in
# .build/check-debug/vmN/.
set -euo pipefail

cd "$(dirname "$(realpath "$0")")/.."
out=.build/check-debug
checkers_only=0 run=0
if [ "${1:-}" = --checkers ]; then
	checkers_only=1
	shift
elif [ "${1:-}" = --run ]; then
	run=1
	shift
fi
now() { date +%s; }

t0=$(now)
[ -f "$(scripts/debug_kernel.sh env 2>/dev/null | sed -n 's/^DEBUG_KERNEL=//p')" ] &&
	cached=" (cached)" || cached=
env=$(scripts/debug_kernel.sh build)
DEBUG_KVER='' DEBUG_KERNEL='' DEBUG_KDIR='' DEBUG_MODULES=''
while IFS='=' read -r k v; do
	case $k in DEBUG_*) printf -v "$k" '%s' "$v" ;; esac
done <<<"$env"
t1=$(now)

rm -rf "$out"
mkdir -p "$out"
cp -r kmod include "$out/"
make -s -C "$out/kmod" KDIR="$DEBUG_KDIR" clean >/dev/null
make -s -C "$out/kmod" KDIR="$DEBUG_KDIR" >"$out/kmod-build.log" 2>&1 ||
	{ cat "$out/kmod-build.log" >&2; echo "check_debug.sh: vnet.ko did not build" >&2; exit 1; }
t2=$(now)

# The checkers: a VM loads scripts/checker_probe, which makes KASAN,
# kmemleak, UBSAN, PROVE_RCU, DEBUG_ATOMIC_SLEEP and lockdep report once
# each. Each report must be in the log and caught by vm.sh's scan, and
# vm.sh must fail that run: a checker that is off, or a scan that misses
# it, would make the suite below prove nothing.
rm -rf "$out/probe" && mkdir -p "$out/probe"
cp scripts/checker_probe/checker_probe.c scripts/checker_probe/Kbuild "$out/probe/"
make -s -C "$DEBUG_KDIR" M="$PWD/$out/probe" modules >"$out/probe/build.log" 2>&1 ||
	{ cat "$out/probe/build.log" >&2; echo "check_debug.sh: checker_probe.ko did not build" >&2; exit 1; }
t3=$(now)

if [ "$run" = 1 ]; then
	export VNET_KVER=$DEBUG_KVER VNET_KERNEL=$DEBUG_KERNEL VNET_MODULES=$DEBUG_MODULES
	export VNET_KO=$out/kmod/vnet.ko VM_SLUB_DEBUG=0
	export VM_APPEND="kasan_multi_shot loglevel=5 ${VM_APPEND:-}"
	export VM_MEM=${VM_MEM:-3072} VM_TIMEOUT=${VM_TIMEOUT:-10800}
	exec selftests/vm.sh "$@"
fi
files=$(selftests/run_all.sh --list "$@")
# test_install.sh installs the tree's kmod/vnet.ko, which is built for
# Debian's kernel (this script builds its own copy for the debug one), and
# then loads it from the install: it tests the packaging, not the module,
# and cannot run on this kernel.
if grep -qx test_install.sh <<<"$files"; then
	files=$(grep -vx test_install.sh <<<"$files" || true)
	echo "# check-debug: test_install.sh left out (it installs the module built for Debian's kernel)"
fi
lanes=${LANES:-1}
declare -a lane_files=()
i=0
for f in $files; do
	lane_files[i % lanes]+=" $f"
	i=$((i + 1))
done

export VNET_KVER=$DEBUG_KVER VNET_KERNEL=$DEBUG_KERNEL VNET_MODULES=$DEBUG_MODULES
export VNET_KO=$out/kmod/vnet.ko
# KASAN replaces slub_debug; every KASAN report, not only the first;
# warnings and errors on the console too (after vm.sh's loglevel=3), so
# that a VM that dies or times out still shows its reports.
export VM_SLUB_DEBUG=0 VM_APPEND="kasan_multi_shot loglevel=5 ${VM_APPEND:-}"
export VM_MEM=${VM_MEM:-3072} VM_TIMEOUT=${VM_TIMEOUT:-10800}
# run_all.sh's bound on one test file (900 s by default on Debian's kernel).
selftest_timeout=${SELFTEST_TIMEOUT:-3600}
n=0
checker_failed=0
check()	# STATUS DESC
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - checkers: $2"
	else
		echo "not ok $n - checkers: $2"
		checker_failed=$((checker_failed + 1))
	fi
}
echo "# check-debug: the checkers (scripts/checker_probe, log: $out/checkers/)"
mkdir -p "$out/checkers"
# insmod must fail (the probe's init returns -EAGAIN): the command
# succeeds, so only the kernel's reports can fail the run.
st=0
# shellcheck disable=SC2016  # expanded in the guest
VNET_PROBE=$PWD/$out/probe/checker_probe.ko VM_LOGS=$out/checkers selftests/vm.sh \
	sh -c '! insmod "$VNET_PROBE"' >"$out/checkers/out" 2>&1 </dev/null || st=$?
check $((st == 0)) "vm.sh fails a run whose command succeeded but whose kernel reported"
st=0
grep -q '^vm.sh: kmemleak found [1-9]' "$out/checkers/out" || st=1
check $st "vm.sh fails a run that leaks (kmemleak after rmmod vnet)"
for want in 'BUG: KASAN: slab-out-of-bounds in probe_kasan' \
	'UBSAN: shift-out-of-bounds' 'WARNING: suspicious RCU usage' \
	'BUG: sleeping function called from invalid context' \
	'WARNING: possible circular locking dependency detected'; do
	line=$(grep -m 1 -F "$want" "$out/checkers/last-dmesg.txt" 2>/dev/null) || line=
	st=1
	if [ -n "$line" ]; then
		selftests/vm.sh --scan <(echo "$line") >/dev/null || st=$(($? != 1))
	fi
	check $st "reported and caught by the log scan: $want"
done
echo "1..$n"
t4=$(now)
if [ "$checkers_only" = 1 ]; then
	echo "# check-debug: checkers $((t4 - t3)) s: $((n - checker_failed)) passed, $checker_failed failed"
	exit $((checker_failed != 0))
fi

echo "# check-debug: kernel $DEBUG_KVER, $lanes VM(s) of ${VM_SMP:-2} vCPU, ${VM_MEM} MiB"
pids=()
for ((l = 0; l < lanes; l++)); do
	[ -n "${lane_files[l]:-}" ] || continue
	mkdir -p "$out/vm$((l + 1))"
	# shellcheck disable=SC2086  # the list of files
	VM_LOGS=$out/vm$((l + 1)) selftests/vm.sh \
		env SELFTEST_TIMEOUT="$selftest_timeout" selftests/run_all.sh ${lane_files[l]} \
		>"$out/vm$((l + 1))/tap" 2>&1 </dev/null &
	pids+=($!)
	echo "# VM $((l + 1)):${lane_files[l]}"
done
status=0
for ((l = 0; l < ${#pids[@]}; l++)); do
	wait "${pids[l]}" || status=1
done
t5=$(now)

for ((l = 1; l <= ${#pids[@]}; l++)); do
	echo "# ---- VM $l (log: $out/vm$l/)"
	cat "$out/vm$l/tap"
done
passed=$(cat "$out"/vm*/tap | grep -c '^ok ') || true
failed=$(cat "$out"/vm*/tap | grep -c '^not ok ') || true
echo "# check-debug: kernel $((t1 - t0)) s$cached, vnet.ko $((t2 - t1)) s, probe $((t3 - t2)) s," \
	"checkers $((t4 - t3)) s, selftests $((t5 - t4)) s"
echo "# check-debug: checkers: $((n - checker_failed)) passed, $checker_failed failed"
echo "# check-debug: selftests: $passed passed, $failed failed$( ((status == 0)) || echo ', a VM reported a failure (vm.sh: lines above)')"
((checker_failed == 0)) || status=1
exit "$status"
