#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/check_debug.sh [FILTER ...]
#
# What "make check-debug" runs: builds the debug kernel when its cache
# does not have it (scripts/debug_kernel.sh), builds vnet.ko against it in
# .build/check-debug/kmod (a copy: kmod/vnet.ko stays Debian's), and runs
# the selftests (all of them, or those FILTER selects, as for
# selftests/run_all.sh) in VMs booting that kernel: KASAN, lockdep and
# PROVE_RCU, kmemleak (a scan after rmmod vnet fails the run on a leak),
# UBSAN, DEBUG_ATOMIC_SLEEP. Prints the TAP and the time of each step;
# exits non-zero on any failure, including a kernel report.
#
# Environment: LANES (VMs at once, default 1; the test files are dealt
# out to them in turn), VM_MEM (MiB, default 3072: KASAN's shadow takes
# an eighth), VM_TIMEOUT (seconds per VM, default 10800), VM_SMP.
# The console, kernel log and kmemleak report of each VM are kept in
# .build/check-debug/vmN/.
set -euo pipefail

cd "$(dirname "$(realpath "$0")")/.."
out=.build/check-debug
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

files=$(selftests/run_all.sh --list "$@")
lanes=${LANES:-1}
declare -a lane_files=()
i=0
for f in $files; do
	lane_files[i % lanes]+=" $f"
	i=$((i + 1))
done

export VNET_KVER=$DEBUG_KVER VNET_KERNEL=$DEBUG_KERNEL VNET_MODULES=$DEBUG_MODULES
export VNET_KO=$out/kmod/vnet.ko
# KASAN replaces slub_debug; every KASAN report, not only the first.
export VM_SLUB_DEBUG=0 VM_APPEND="kasan_multi_shot ${VM_APPEND:-}"
export VM_MEM=${VM_MEM:-3072} VM_TIMEOUT=${VM_TIMEOUT:-10800}
echo "# check-debug: kernel $DEBUG_KVER, $lanes VM(s) of ${VM_SMP:-2} vCPU, ${VM_MEM} MiB"
pids=()
for ((l = 0; l < lanes; l++)); do
	[ -n "${lane_files[l]:-}" ] || continue
	mkdir -p "$out/vm$((l + 1))"
	# shellcheck disable=SC2086  # the list of files
	VM_LOGS=$out/vm$((l + 1)) selftests/vm.sh selftests/run_all.sh ${lane_files[l]} \
		>"$out/vm$((l + 1))/tap" 2>&1 </dev/null &
	pids+=($!)
	echo "# VM $((l + 1)):${lane_files[l]}"
done
status=0
for ((l = 0; l < ${#pids[@]}; l++)); do
	wait "${pids[l]}" || status=1
done
t3=$(now)

for ((l = 1; l <= ${#pids[@]}; l++)); do
	echo "# ---- VM $l (log: $out/vm$l/)"
	cat "$out/vm$l/tap"
done
passed=$(cat "$out"/vm*/tap | grep -c '^ok ') || true
failed=$(cat "$out"/vm*/tap | grep -c '^not ok ') || true
echo "# check-debug: kernel $((t1 - t0)) s$cached, vnet.ko $((t2 - t1)) s," \
	"selftests $((t3 - t2)) s"
echo "# check-debug: $passed passed, $failed failed$( ((status == 0)) || echo ', a VM reported a failure (vm.sh: lines above)')"
exit "$status"
