#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/check.sh [FILTER ...]
#
# What "make check" runs once the packages are there and everything is
# built: the userspace unit tests on the host, then every selftest in the
# VM (or those FILTER selects, see selftests/run_all.sh). Prints all the TAP and ends with one line "N passed, N failed";
# exits non-zero on any failure, including a failure that is not a test's
# (a build error, or vm.sh's kernel log scan).
set -euo pipefail

cd "$(dirname "$(realpath "$0")")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

extra=0
# failure WHY: a failure outside the TAP of the tests, counted once.
failure()
{
	echo "not ok - $*"
	extra=$((extra + 1))
}

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

echo "# harness: selftests/harness.sh"
status=0
selftests/harness.sh 2>&1 | tee "$logs/harness" || status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] && ! grep -q '^not ok ' "$logs/harness"; then
	failure "selftests/harness.sh failed (status $status)"
fi

echo "# install: selftests/install.sh"
selftests/install.sh 2>&1 | tee "$logs/install" ||
	grep -q '^not ok ' "$logs/install" || failure "selftests/install.sh failed"

echo "# selftests: selftests/vm.sh selftests/run_all.sh $*"
status=0
# Generous: the whole suite runs in one VM under emulation; run_all.sh
# bounds each test on its own.
VM_TIMEOUT=${VM_TIMEOUT:-3600} selftests/vm.sh selftests/run_all.sh "$@" 2>&1 |
	tee "$logs/vm" || status=${PIPESTATUS[0]}
# vm.sh's own verdict (VM died, rmmod failed, a bug in the kernel log)
# comes as "vm.sh: ..." lines; a non-zero status without any failed test
# is also something the TAP does not show.
if [ "$status" -ne 0 ]; then
	if grep -q '^vm.sh: ' "$logs/vm"; then
		failure "selftests/vm.sh: $(grep '^vm.sh: ' "$logs/vm" | head -n 1 | cut -d' ' -f2-)"
	elif ! grep -q '^not ok ' "$logs/vm"; then
		failure "selftests/vm.sh exited with status $status"
	fi
fi

passed=$(cat "$logs/unit" "$logs/harness" "$logs/install" "$logs/vm" | grep -c '^ok ' || true)
failed=$(cat "$logs/unit" "$logs/harness" "$logs/install" "$logs/vm" | grep -c '^not ok ' || true)
failed=$((failed + extra))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
