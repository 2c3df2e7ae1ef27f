#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policies that mean what they say: each op of the family refuses, in its
# policy, every attribute it does not take (also type 0 and types beyond
# VNET_A_MAX), for do and dump requests alike, with an extack that points
# at the refused attribute. A raw client (policy.py) sends the requests
# vnetctl never would; this file turns its lines into TAP.
#
# One case (TESTS=foreign_attrs, VNET_TESTS through vm.sh): policy.py
# decides every op in one run.
# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	foreign_attrs
"


here=$(realpath "$(dirname "$0")")

foreign_attrs()
{
	local status n line
	in_ns "$CTL" /usr/bin/python3 "$here/policy.py" >"$WORK/out" 2>&1
	status=$?
	n=0
	while read -r line; do
		case $line in
		"ok "*)
			n=$((n + 1))
			ok "${line#ok } foreign attributes refused"
			;;
		*)
			fail "${line#not ok }"
			;;
		esac
	done <"$WORK/out"
	# 35 ops, 3 of them with do and dump: a short run is a failure too.
	check_output "every op and kind answered" 38 echo "$n"
	check_exit 0 "policy.py found no attribute accepted that an op does not take" \
		test "$status" -eq 0
}

tests_run
done_testing
