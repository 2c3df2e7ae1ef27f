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
