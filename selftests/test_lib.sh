#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tests of the tests: every negative check in selftests/lib.sh must
# FAIL when the packet it says is dropped is let through, or is dropped
# for another reason than the one it names, and must pass when the module
# drops it as named. Each helper is run against the same path with an ACL
# and without it, so a helper that passes on a timeout, or from any
# counter, is caught here rather than trusted in every other file.
#
#   vnet A 10.1/16 fd00:1::/48: subnet s: a1 .1.4, a2 .1.5
source "$(dirname "$0")/lib.sh"

# fails_because DESC WHY CMD...: CMD fails, and says WHY. A helper that
# must fail waits NEG_WAIT_MS for a counter that does not move: short here,
# since the failure comes from the counter, not from the wait.
fails_because()
{
	local desc=$1 why=$2 out
	shift 2
	if out=$(NEG_WAIT_MS=3000 "$@" 2>&1); then
		fail "$desc" "succeeded: $out"
	elif ! grep -qF -- "$why" <<<"$out"; then
		fail "$desc" "failed, but not because \"$why\": $out"
	else
		ok "$desc"
	fi
}

v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v subnet add A s prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
add_vm a1 A s 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
add_vm a2 A s 10.1.1.5 fd00:1:0:1::5 52:54:00:00:01:05
check "the path is open (positive control)" reach a1 10.1.1.5

# ---- no_reach / dropped_as: one echo request, decided from counters ----
fails_because "no_reach fails on an open path (IPv4)" "counter acl of vm-a1 stayed" \
	no_reach a1 10.1.1.5 acl
fails_because "no_reach fails on an open path (IPv6)" "counter acl of vm-a1 stayed" \
	no_reach a1 fd00:1:0:1::5 acl
check_fail "no_reach without a reason fails on an open path" no_reach a1 10.1.1.5
v acl add A port vm-a2 dir in prio 10 action deny proto icmp
v acl add A port vm-a2 dir in prio 11 action deny proto icmpv6
check "no_reach passes when the module drops it as named" \
	no_reach a1 10.1.1.5 acl
check "over IPv6 too, the port named (the sender's)" \
	no_reach a1 fd00:1:0:1::5 acl vm-a1
fails_because "no_reach fails when the drop has another reason" \
	"counter no-route of vm-a1 stayed" no_reach a1 10.1.1.5 no-route
fails_because "no_reach fails when the drop is counted elsewhere" \
	"counter acl of vm-a2 stayed" no_reach a1 10.1.1.5 acl vm-a2
v acl del A port vm-a2 dir in prio 10
v acl del A port vm-a2 dir in prio 11

# ---- tcp_dropped: one connection attempt, decided from counters ----
fails_because "tcp_dropped fails on an open path" \
	"drop counter acl of vm-a1 stayed" tcp_dropped a1 a2 10.1.1.5 7000 acl
check "tcp_ok passes on the same path (positive control)" tcp_ok a1 a2 10.1.1.5 7001
v acl add A port vm-a2 dir in prio 10 action deny proto tcp dport 7000-7002
check "tcp_dropped passes when the module drops it as named" \
	tcp_dropped a1 a2 10.1.1.5 7000 acl
fails_because "tcp_dropped fails when the drop has another reason" \
	"drop counter no-route of vm-a1 stayed" tcp_dropped a1 a2 10.1.1.5 7001 no-route
check_fail "tcp_ok fails when the connection is dropped" tcp_denied a1 a2 10.1.1.5 7002
v acl del A port vm-a2 dir in prio 10

# ---- a capture that must see nothing ----
# nothing_seen FILTER CMD...: the pattern of the tests: a capture proven
# running by a control, CMD, a trailing control, then no packet matching
# FILTER.
nothing_seen()
{
	local filter=$1 status=0
	shift
	cap_start t a2 eth0 "udp dst port 9999 or ($filter)"
	cap_sync t 'udp dst port 9999 and udp src port 4999' \
		udp_control a1 10.1.1.5 9999 4999 || status=1
	"$@" >/dev/null 2>&1
	cap_sync t 'udp dst port 9999 and udp src port 4998' \
		udp_control a1 10.1.1.5 9999 4998 || status=1
	cap_stop t
	[ "$status" -eq 0 ] && [ "$(cap_count t "$filter")" -eq 0 ]
}
send_udp() { echo x | vm a1 socat -u - "UDP4:10.1.1.5:$1,sourceport=5000"; }
check_fail "a capture that must see nothing fails when the packet arrives" \
	nothing_seen 'udp dst port 7100' send_udp 7100
v acl add A port vm-a2 dir in prio 10 action deny proto udp dport 7100
check "and passes when the module drops it" \
	nothing_seen 'udp dst port 7100' send_udp 7100
v acl del A port vm-a2 dir in prio 10
cap_start dead a2 nosuchdev 'udp'
dead_sync() { CAP_WAIT_MS=2000 cap_sync dead udp true; }
check_fail "cap_sync fails on a capture that does not run" dead_sync
cap_stop dead

# ---- the waits themselves ----
check_fail "busywait gives up on a command that never succeeds" busywait 300 false
check "busywait returns as soon as the command succeeds" busywait 300 true
nobody_listens() { LISTEN_WAIT_MS=500 wait_listen a2 tcp 7999; }
check_fail "wait_listen fails when nothing listens" nobody_listens
check_fail "counter_above fails on a counter that did not move" \
	counter_above vm-a1 acl "$(counter vm-a1 acl)"

done_testing
