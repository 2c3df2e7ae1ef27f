#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/check.sh [FILTER ...]
#
# What "make check" runs once the packages are there and everything is
# built: the userspace unit tests on the host, then every selftest in VMs
# (or those FILTER selects, see selftests/run_all.sh). Prints all the TAP,
# the time of each phase and of each selftest file, and ends with one line
# "N passed, N failed"; exits non-zero on any failure, including a failure
# that is not a test's (a build error, or vm.sh's kernel log scan).
#
# The selftest files run in VM_GROUPS VMs at once (one per core, at most
# 4), each with VM_SMP virtual CPUs (1), the files split so that the
# groups take about as long (by the durations below). Measured on the
# 2-core machine (shared with other VMs) under TCG, test_trace.sh and
# test_control.sh: two VMs with -smp 1 took 89-128 s, one VM with -smp 1
# 133-140 s, two VMs with -smp 2 135-153 s, one VM with -smp 2 204-321 s
# (a guest with two vCPUs on busy cores waits for its other vCPU: IPIs,
# RCU grace periods, a lock holder that the host descheduled).
# CHECK_PHASES="NAME SECONDS ...": earlier phases (make check's install
# and build) to print with the others.
set -euo pipefail

cd "$(dirname "$(realpath "$0")")/.."
logs=$(mktemp -d)
pids=()
# shellcheck disable=SC2317  # called by the trap
cleanup()
{
	[ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
	rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds each file takes in a VM of its own with -smp 1 (measured on the
# 2-core machine while other VMs ran: only the ratios matter, to balance
# the groups). A file not listed counts as DEFAULT_DURATION.
declare -A DURATION=(
	[test_acl.sh]=100 [test_conntrack.sh]=110 [test_control.sh]=50
	[test_datapath.sh]=120 [test_demo.sh]=20 [test_dump.sh]=12
	[test_endpoint.sh]=130 [test_lb.sh]=100 [test_module.sh]=20
	[test_routes.sh]=150 [test_scale.sh]=80 [test_teardown.sh]=30
	[test_trace.sh]=35 [test_walkthrough.sh]=10
)
DEFAULT_DURATION=60

ncpu=$(nproc)
ngroups=${VM_GROUPS:-$((ncpu < 4 ? ncpu : 4))}
export VM_SMP=${VM_SMP:-1}	# the harness's VMs too

phases=()	# "NAME SECONDS", in order
read -ra earlier <<<"${CHECK_PHASES:-}"
for ((i = 0; i + 1 < ${#earlier[@]}; i += 2)); do
	phases+=("${earlier[i]} ${earlier[i + 1]}")
done
now() { date +%s; }

extra=0
# failure WHY: a failure outside the TAP of the tests, counted once.
failure()
{
	echo "not ok - $*"
	extra=$((extra + 1))
}

start=$(now)
echo "# unit tests: make -C userspace check"
if grep -q '^check:' userspace/Makefile 2>/dev/null; then
	status=0
	make -s -C userspace check 2>&1 | tee "$logs/unit" || status=${PIPESTATUS[0]}
	if [ "$status" -ne 0 ] && ! grep -q '^not ok ' "$logs/unit"; then
		failure "make -C userspace check failed (status $status)"
	fi
else
	: >"$logs/unit"
	failure "no unit tests: userspace/Makefile has no check target"
fi
phases+=("unit-tests $(($(now) - start))")

start=$(now)
echo "# harness: selftests/harness.sh"
status=0
selftests/harness.sh 2>&1 | tee "$logs/harness" || status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] && ! grep -q '^not ok ' "$logs/harness"; then
	failure "selftests/harness.sh failed (status $status)"
fi
phases+=("harness $(($(now) - start))")

# ---- the selftests, in VM_GROUPS VMs at once ----
start=$(now)
status=0
files=$(selftests/run_all.sh --list "$@" 2>&1) || status=$?
if [ "$status" -ne 0 ]; then
	failure "selftests/run_all.sh: $files"
	files=
fi
# Longest first, each to the group with the least work so far.
declare -a group_files=() group_load=()
for ((g = 0; g < ngroups; g++)); do
	group_files[g]=
	group_load[g]=0
done
sorted=$(for f in $files; do
	echo "${DURATION[$f]:-$DEFAULT_DURATION} $f"
done | sort -k1,1nr -k2,2)
while read -r secs f; do
	[ -n "$f" ] || continue
	best=0
	for ((g = 1; g < ngroups; g++)); do
		[ "${group_load[g]}" -lt "${group_load[best]}" ] && best=$g
	done
	group_files[best]+=" $f"
	group_load[best]=$((group_load[best] + secs))
done <<<"$sorted"

: >"$logs/vm"
active=()
for ((g = 0; g < ngroups; g++)); do
	[ -n "${group_files[g]}" ] || continue
	# In the order of the file names, as run_all.sh alone would run them.
	# shellcheck disable=SC2086  # a list of file names
	group_files[g]=$(printf '%s\n' ${group_files[g]} | sort | tr '\n' ' ')
	echo "# selftests in VM $((g + 1)) of $ngroups (-smp $VM_SMP):" \
		"${group_files[g]}(about ${group_load[g]} s)"
	# Generous: run_all.sh bounds each test on its own.
	# shellcheck disable=SC2086  # a list of file names
	VM_TIMEOUT=${VM_TIMEOUT:-3600} selftests/vm.sh selftests/run_all.sh ${group_files[g]} \
		>"$logs/vm$g" 2>&1 </dev/null &
	pids+=($!)
	active+=("$g")
done

# Progress while they run: each file's result line as it comes.
declare -A shown=()
progress()
{
	local g line
	for g in "${active[@]}"; do
		while IFS= read -r line; do
			[ -z "${shown[$g:$line]:-}" ] || continue
			shown[$g:$line]=1
			echo "# VM $((g + 1)): ${line#\# }"
		done < <(grep -E '^# test_[^ ]*: [0-9]+ passed' "$logs/vm$g" 2>/dev/null)
	done
}
i=0
for g in "${active[@]}"; do
	while kill -0 "${pids[i]}" 2>/dev/null; do
		progress
		sleep 2
	done
	i=$((i + 1))
done
progress

i=0
for g in "${active[@]}"; do
	status=0
	wait "${pids[i]}" || status=$?
	i=$((i + 1))
	echo "# ---- VM $((g + 1)): selftests/run_all.sh ${group_files[g]}"
	cat "$logs/vm$g"
	cat "$logs/vm$g" >>"$logs/vm"
	# vm.sh's own verdict (VM died, rmmod failed, a bug in the kernel
	# log) comes as "vm.sh: ..." lines; a non-zero status without any
	# failed test is also something the TAP does not show.
	if [ "$status" -ne 0 ]; then
		if grep -q '^vm.sh: ' "$logs/vm$g"; then
			failure "selftests/vm.sh (VM $((g + 1))): $(grep '^vm.sh: ' "$logs/vm$g" | head -n 1 | cut -d' ' -f2-)"
		elif ! grep -q '^not ok ' "$logs/vm$g"; then
			failure "selftests/vm.sh (VM $((g + 1))) exited with status $status"
		fi
	fi
done
pids=()
phases+=("selftests $(($(now) - start))")

# ---- the time of each phase, then the verdict ----
total=0
for p in "${phases[@]}"; do
	read -r name secs <<<"$p"
	printf '# time: %-24s %5d s\n' "${name//-/ }" "$secs"
	total=$((total + secs))
done
for ((g = 0; g < ngroups; g++)); do
	[ -s "$logs/vm$g" ] || continue
	sed -n 's/^# \(test_[^ ]*\): [0-9]* passed, [0-9]* failed, \([0-9]*\) s$/\1 \2/p' \
		"$logs/vm$g" | while read -r f secs; do
		printf '# time:   %-22s %5d s (VM %d)\n' "$f" "$secs" $((g + 1))
	done
done
printf '# time: %-24s %5d s\n' total "$total"

passed=$(cat "$logs/unit" "$logs/harness" "$logs/vm" | grep -c '^ok ' || true)
failed=$(cat "$logs/unit" "$logs/harness" "$logs/vm" | grep -c '^not ok ' || true)
failed=$((failed + extra))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
