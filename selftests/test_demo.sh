#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo is for people to read, so nothing else would notice if its
# story stopped being true: run it and check what each ping says.
source "$(dirname "$0")/lib.sh"

demo=$(bash "$(dirname "$0")/demo.sh" 2>&1)
check "demo.sh exits 0" test $? -eq 0
pings=$(printf '%s\n' "$demo" | grep -E '^\$ ping|^  (reachable|unreachable)$' |
	paste -d' ' - - | sed 's/^\$ ping -c 3 //; s/  */ /g')
check_output "every ping of the walkthrough says what the story says" \
"10.2.1.4 (from vm-a) unreachable
10.2.1.4 (from vm-a) unreachable
10.2.1.4 (from vm-a) reachable
10.1.1.4 (from vm-b) unreachable
10.2.1.4 (from vm-a) reachable
10.1.1.4 (from vm-b) reachable
10.2.1.4 (from vm-a) unreachable
10.2.1.4 (from vm-a) reachable" printf '%s\n' "$pings"
check "the demo shows the address space refusal" \
	grep -q 'cannot change while it has peering a-to-b' <<<"$demo"
check "the demo shows both peering states" \
	grep -q 'state disconnected' <<<"$demo"

done_testing
