#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/check.sh [FILTER ...]
#
# What "make check" runs once the packages are there and everything is
# built: the userspace unit tests, the harness and the installation
# checks on the host, and every selftest in VMs (or those FILTER selects,
# see selftests/run_all.sh).
# Prints all the TAP, the time of each phase and of each selftest file,
# and ends with one line "N passed, N failed"; exits non-zero on any
# failure, including a failure that is not a test's (a build error, or
# vm.sh's kernel log scan).
#
# The work runs in LANES at once (one per core, at most 4): each lane
# runs its share of the host jobs (unit tests, harness, install checks),
# then one VM (selftests/vm.sh, VM_SMP virtual CPUs: 1) with its share of
# the test files; the shares are balanced by the durations below, longest first.
# Measured on the 2-core machine (shared with other VMs) under TCG,
# test_trace.sh and test_control.sh: two VMs with -smp 1 took 89-128 s,
# one VM with -smp 1 133-140 s, two VMs with -smp 2 135-153 s, one VM
# with -smp 2 204-321 s (a guest with two vCPUs on busy cores waits for
# its other vCPU: IPIs, RCU grace periods, a lock holder that the host
# descheduled). CHECK_PHASES="NAME SECONDS ...": the phases before this
# script (make check's install and build), printed with the others.
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

# Seconds each job takes, measured in "make check" on the 2-core machine
# with two lanes (session 18): only the ratios matter, to balance the
# lanes. A test file not listed counts as DEFAULT_DURATION.
declare -A DURATION=(
	[@unit]=31 [@harness]=135 [@install]=5 [test_acl.sh]=68
	[test_apply.sh]=38 [test_attack.sh]=50 [test_config.sh]=38
	[test_conntrack.sh]=144 [test_control.sh]=41
	[test_datapath.sh]=69 [test_demo.sh]=89 [test_dump.sh]=21
	[test_endpoint.sh]=88 [test_flood.sh]=43 [test_flows.sh]=259
	[test_graph.sh]=11 [test_install.sh]=46 [test_lb.sh]=97
	[test_lib.sh]=60 [test_module.sh]=14 [test_perm.sh]=12
	[test_pktfuzz.sh]=6 [test_policy.sh]=3 [test_port.sh]=58
	[test_routes.sh]=79 [test_scale.sh]=77 [test_tap.sh]=45
	[test_teardown.sh]=21 [test_trace.sh]=18
	[test_walkthrough.sh]=5
)
DEFAULT_DURATION=60

ncpu=$(nproc)
nlanes=${VM_GROUPS:-$((ncpu < 4 ? ncpu : 4))}
export VM_SMP=${VM_SMP:-1}	# the harness's VMs too

phases=()	# "NAME SECONDS", in order
read -ra earlier <<<"${CHECK_PHASES:-}"
for ((i = 0; i + 1 < ${#earlier[@]}; i += 2)); do
	phases+=("${earlier[i]} ${earlier[i + 1]}")
done
now() { date +%s; }
wall0=$(now)

extra=0
# failure WHY: a failure outside the TAP of the tests, counted once.
failure()
{
	echo "not ok - $*"
	extra=$((extra + 1))
}

# ---- the jobs, and the lane of each ----
status=0
files=$(selftests/run_all.sh --list "$@" 2>&1) || status=$?
if [ "$status" -ne 0 ]; then
	failure "selftests/run_all.sh: $files"
	files=
fi
declare -a lane_jobs=() lane_load=()
for ((l = 0; l < nlanes; l++)); do
	lane_jobs[l]=
	lane_load[l]=0
done
# Longest first, each to the lane with the least work so far.
while read -r secs job; do
	[ -n "$job" ] || continue
	best=0
	for ((l = 1; l < nlanes; l++)); do
		[ "${lane_load[l]}" -lt "${lane_load[best]}" ] && best=$l
	done
	lane_jobs[best]+=" $job"
	lane_load[best]=$((lane_load[best] + secs))
done < <(for job in @unit @harness @install $files; do
	echo "${DURATION[$job]:-$DEFAULT_DURATION} $job"
done | sort -k1,1nr -k2,2)

# unit: the userspace unit tests (cmocka, ASan, UBSan), into $logs/unit.
unit()
{
	if ! grep -q '^check:' userspace/Makefile 2>/dev/null; then
		echo "no check target" >"$logs/unit.fail"
		return
	fi
	make -s -C userspace check >"$logs/unit" 2>&1 || echo $? >"$logs/unit.status"
}

# harness: the tests of the test harness (vm.sh's verdicts).
harness()
{
	selftests/harness.sh >"$logs/harness" 2>&1 || echo $? >"$logs/harness.status"
}

# install: make install into a scratch root, and what it installed (the
# man page against vnetctl help, the unit, the completion).
install()
{
	selftests/install.sh >"$logs/install" 2>&1 || echo $? >"$logs/install.status"
}

# lane L: its host jobs, then its test files in one VM; the seconds of
# each step go to $logs/times.L.
lane()
{
	local l=$1 job t vmfiles=()
	: >"$logs/times.$l"
	for job in ${lane_jobs[l]}; do
		case $job in
		@*)
			t=$(now)
			"${job#@}"
			echo "${job#@} $(($(now) - t))" >>"$logs/times.$l"
			;;
		*)
			vmfiles+=("$job")
			;;
		esac
	done
	[ ${#vmfiles[@]} -gt 0 ] || return 0
	t=$(now)
	# In the order of the file names, as run_all.sh alone would run them.
	mapfile -t vmfiles < <(printf '%s\n' "${vmfiles[@]}" | sort)
	# Generous: run_all.sh bounds each test on its own.
	VM_TIMEOUT=${VM_TIMEOUT:-3600} selftests/vm.sh selftests/run_all.sh \
		"${vmfiles[@]}" >"$logs/vm$l" 2>&1 </dev/null || echo $? >"$logs/vm$l.status"
	echo "vm$l $(($(now) - t))" >>"$logs/times.$l"
}

for ((l = 0; l < nlanes; l++)); do
	[ -n "${lane_jobs[l]}" ] || continue
	echo "# lane $((l + 1)) of $nlanes (VMs with -smp $VM_SMP):${lane_jobs[l]}" \
		"(about ${lane_load[l]} s)"
	lane "$l" </dev/null &
	pids+=($!)
done

# Progress while they run: each test file's result line as it comes.
declare -A shown=()
progress()
{
	local l line
	for ((l = 0; l < nlanes; l++)); do
		[ -f "$logs/vm$l" ] || continue
		while IFS= read -r line; do
			[ -z "${shown[$l:$line]:-}" ] || continue
			shown[$l:$line]=1
			echo "# VM $((l + 1)): ${line#\# }"
		done < <(grep -E '^# test_[^ ]*: [0-9]+ passed' "$logs/vm$l" 2>/dev/null)
	done
}
for pid in "${pids[@]}"; do
	while kill -0 "$pid" 2>/dev/null; do
		progress
		sleep 2
	done
	wait "$pid" || true
done
pids=()
progress

# ---- the TAP of each job, in a fixed order, and its verdict ----
echo "# unit tests: make -C userspace check"
if [ -f "$logs/unit.fail" ]; then
	: >"$logs/unit"
	failure "no unit tests: userspace/Makefile has no check target"
else
	cat "$logs/unit"
	if [ -f "$logs/unit.status" ] && ! grep -q '^not ok ' "$logs/unit"; then
		failure "make -C userspace check failed (status $(cat "$logs/unit.status"))"
	fi
fi
echo "# harness: selftests/harness.sh"
cat "$logs/harness"
if [ -f "$logs/harness.status" ] && ! grep -q '^not ok ' "$logs/harness"; then
	failure "selftests/harness.sh failed (status $(cat "$logs/harness.status"))"
fi
echo "# install: selftests/install.sh"
cat "$logs/install"
if [ -f "$logs/install.status" ] && ! grep -q '^not ok ' "$logs/install"; then
	failure "selftests/install.sh failed (status $(cat "$logs/install.status"))"
fi
: >"$logs/vm"
for ((l = 0; l < nlanes; l++)); do
	[ -f "$logs/vm$l" ] || continue
	echo "# ---- VM $((l + 1)): selftests/run_all.sh$(for job in ${lane_jobs[l]}; do
		[[ $job == @* ]] || printf ' %s' "$job"
	done)"
	cat "$logs/vm$l"
	cat "$logs/vm$l" >>"$logs/vm"
	# vm.sh's own verdict (VM died, rmmod failed, a bug in the kernel
	# log) comes as "vm.sh: ..." lines; a non-zero status without any
	# failed test is also something the TAP does not show.
	if [ -f "$logs/vm$l.status" ]; then
		if grep -q '^vm.sh: ' "$logs/vm$l"; then
			failure "selftests/vm.sh (VM $((l + 1))): $(grep '^vm.sh: ' "$logs/vm$l" | head -n 1 | cut -d' ' -f2-)"
		elif ! grep -q '^not ok ' "$logs/vm$l"; then
			failure "selftests/vm.sh (VM $((l + 1))) exited with status $(cat "$logs/vm$l.status")"
		fi
	fi
done

# ---- the time of each phase, then the verdict ----
cat "$logs"/times.* 2>/dev/null | sort -s -k1,1 >"$logs/times"
while read -r name secs; do
	case $name in
	unit) phases+=("unit-tests $secs") ;;
	esac
done <"$logs/times"
while read -r name secs; do
	case $name in
	harness) phases+=("harness $secs") ;;
	install) phases+=("install-checks $secs") ;;
	vm*) phases+=("selftests-in-VM-$((${name#vm} + 1)) $secs") ;;
	esac
done <"$logs/times"
for p in "${phases[@]}"; do
	read -r name secs <<<"$p"
	printf '# time: %-24s %5d s\n' "${name//-/ }" "$secs"
done
for ((l = 0; l < nlanes; l++)); do
	[ -f "$logs/vm$l" ] || continue
	sed -n 's/^# \(test_[^ ]*\): [0-9]* passed, [0-9]* failed, \([0-9]*\) s$/\1 \2/p' \
		"$logs/vm$l" | while read -r f secs; do
		printf '# time:   %-22s %5d s (VM %d)\n' "$f" "$secs" $((l + 1))
	done
done
total=$(($(now) - wall0))
for p in "${phases[@]:0:${#earlier[@]}/2}"; do
	total=$((total + ${p##* }))
done
printf '# time: %-24s %5d s (%d lanes at once)\n' total "$total" "$nlanes"

passed=$(cat "$logs/unit" "$logs/harness" "$logs/install" "$logs/vm" | grep -c '^ok ' || true)
failed=$(cat "$logs/unit" "$logs/harness" "$logs/install" "$logs/vm" | grep -c '^not ok ' || true)
failed=$((failed + extra))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
