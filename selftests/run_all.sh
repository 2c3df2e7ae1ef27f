#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: selftests/run_all.sh [--list] [FILTER ...]
#
# Runs inside the VM (selftests/vm.sh selftests/run_all.sh): every
# selftests/test_*.sh in order, or those matching a FILTER (a name such as
# "module", "test_module.sh", or a glob such as "test_d*"). Prints their
# TAP under a "# test_x.sh" header, then "# test_x.sh: N passed, N failed,
# S s", and ends with "# selftests: N passed, N failed"; exits non-zero on
# any failure. --list: only prints the names of the files it would run
# (on the host too: scripts/check.sh splits them over VMs).
set -euo pipefail

dir=$(dirname "$(realpath "$0")")
cd "$dir/.."

# selected NAME: true when no filter is given or one matches NAME.
selected()
{
	local f
	[ ${#filters[@]} -eq 0 ] && return 0
	for f in "${filters[@]}"; do
		# shellcheck disable=SC2053  # $f is a glob on purpose
		[[ $1 == $f || $1 == test_$f.sh || $1 == $f.sh || $1 == test_$f ]] &&
			return 0
	done
	return 1
}

list=0
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
filters=("$@")
tests=()
for t in selftests/test_*.sh; do
	if [ -e "$t" ] && selected "$(basename "$t")"; then
		tests+=("$t")
	fi
done
if [ ${#tests[@]} -eq 0 ]; then
	echo "run_all.sh: no test matches: $*" >&2
	exit 1
fi
if [ "$list" = 1 ]; then
	for t in "${tests[@]}"; do
		basename "$t"
	done
	exit 0
fi

passed=0
failed=0
for t in "${tests[@]}"; do
	name=$(basename "$t")
	echo "# $name"
	start=$(date +%s)
	p=0
	f=0
	# Counted as it streams, with no file: a test may fill /tmp.
	# A hung test must not take the whole run with it.
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
		case $line in
		"ok "*) p=$((p + 1)) ;;
		"not ok "*) f=$((f + 1)) ;;
		esac
	done < <(timeout "${SELFTEST_TIMEOUT:-900}" bash "$t" 2>&1)
	status=0
	wait $! || status=$?
	# Dying without a "not ok" (syntax error, set -u, timeout) is a failure
	# too; reported as TAP so that whoever counts lines counts it.
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $status"
		f=1
	fi
	# The next tests and vm.sh need the module loaded.
	if [ ! -d /sys/module/vnet ]; then
		echo "not ok - $name left vnet.ko unloaded"
		f=$((f + 1))
		insmod "${VNET_KO:?}" || true
	fi
	echo "# $name: $p passed, $f failed, $(( $(date +%s) - start )) s"
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "# selftests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
