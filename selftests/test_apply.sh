#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnetctl apply under traffic: a flow that both the old and the new file
# forbid is never delivered while apply goes from one to the other (its
# removals take reachability away before the rules that guard it, its
# additions put rules in place before what they guard), and a flow that
# the new file allows starts during it. test_config.sh checks the plans
# and their undo without traffic.
#
#   vnet A 10.1/16: a1 .1.4, a2 .1.5 (its port denies UDP 9 in both files)
#   vnet B 10.2/16: b1 .1.4        vnet C 10.3/16: c1 .1.4
#   old file: A and C peered, A's subnet denies UDP 9 from C
#   new file: A and B peered, A's subnet denies UDP 9 from B; C unpeered;
#             a2 gets another address and forwarding on, a route is added
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	old_to_new
	new_to_old
"

add_vnets A:1 B:2 C:3
add_vm a1 A s 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
add_vm a2 A s 10.1.1.5 fd00:1:0:1::5 52:54:00:00:01:05
add_vm b1 B s 10.2.1.4 fd00:2:0:1::4 52:54:00:00:02:04
add_vm c1 C s 10.3.1.4 fd00:3:0:1::4 52:54:00:00:03:04
v acl add A port vm-a2 dir in prio 10 action deny proto udp dport 9
v peering add A a-c remote C
v peering add C c-a remote A
v acl add A subnet s dir in prio 10 action deny proto udp dport 9 from-vnet C
v export >"$WORK/old.json"
jq '.peerings = [
      {"vnet":"A","name":"a-b","remote":"B","access":true,"forwarded":false,"gateway-transit":false,"use-remote-gateways":false},
      {"vnet":"B","name":"b-a","remote":"A","access":true,"forwarded":false,"gateway-transit":false,"use-remote-gateways":false}]
    | .acls |= map(if .["from-vnet"] == "C" then .["from-vnet"] = "B" else . end)
    | .ports |= map(if .dev == "vm-a2" then .ips += ["10.1.1.6"] | .forwarding = true else . end)
    | .routes += [{"vnet":"A","subnet":"s","prefix":"10.9.0.0/16","nexthop":"none"}]' \
	"$WORK/old.json" >"$WORK/new.json"

# listen VM PORT: a UDP receiver in VM on PORT, appending what it gets to
# $WORK/VM.PORT; ready once it is bound.
listen()
{
	: >"$WORK/$1.$2"
	vm_bg "$1" socat -u "UDP4-RECV:$2" "OPEN:$WORK/$1.$2,append" \
		2>/dev/null
	wait_listen "$1" udp "$2"
}

# send VM ADDR PORT: one datagram "x" every 10 ms from VM, until killed.
send()
{
	vm_bg "$1" /usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    try:
        s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))
    except OSError:
        pass
    time.sleep(0.01)' "$2" "$3"
}

# moved: every sender's UDP 9 was dropped again since $WORK/drops: by a
# rule or for want of a route, b1's and c1's, and a1's to a2 by a2's rule.
drops() { echo "$(counter vm-b1 drops) $(counter vm-c1 drops) $(counter vm-a1 acl)"; }
moved()
{
	local b c a nb nc na
	read -r b c a <"$WORK/drops"
	read -r nb nc na <<<"$(drops)"
	[ "$nb" -gt "$b" ] && [ "$nc" -gt "$c" ] && [ "$na" -gt "$a" ]
}

# apply_under_traffic FILE: apply FILE while b1 and c1 send to a1 (UDP 9,
# which both files forbid from the vnet they do not peer, and UDP 10,
# allowed where peered) and a1 sends to a2 (UDP 9, denied by a2's port).
# The senders are seen running (their drops counted) before the apply
# starts, and again after it ends.
apply_under_traffic()
{
	local pids=() p
	for p in 9 10; do
		listen a1 "$p"
	done
	listen a2 9
	drops >"$WORK/drops"
	send b1 10.1.1.4 9; pids+=($!)
	send c1 10.1.1.4 9; pids+=($!)
	send b1 10.1.1.4 10; pids+=($!)
	send c1 10.1.1.4 10; pids+=($!)
	send a1 10.1.1.5 9; pids+=($!)
	check "the probes run before the apply" busywait 30000 moved
	check "apply $(basename "$1")" v apply "$1"
	drops >"$WORK/drops"
	: >"$WORK/a1.10"
	check "and after it" busywait 30000 moved
	check "the flow the new file allows arrives after it" \
		busywait 30000 test -s "$WORK/a1.10"
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
}

# dropped_by_acl DEV N: DEV's port counted more than N ACL drops (its
# stats if not).
dropped_by_acl()
{
	counter_above "$1" acl "$2" || { v stats "$1" >&2; return 1; }
}

old_to_new()
{
	local acl_b1
	acl_b1=$(counter vm-b1 acl)
	check_output "the old file is in force" "" v apply --dry-run "$WORK/old.json"
	apply_under_traffic "$WORK/new.json"
	check_output "the new file is in force" "" v apply --dry-run "$WORK/new.json"
	check_output "B's UDP 9 to a1 was never delivered (no peering, then a rule)" \
		"0" stat -c %s "$WORK/a1.9"
	check_output "nor a1's UDP 9 to a2 (a2's rule, while a2 changed)" \
		"0" stat -c %s "$WORK/a2.9"
	check "B's UDP 9 now meets A's rule: counted acl" \
		dropped_by_acl vm-b1 "$acl_b1"
}

new_to_old()
{
	local acl_c1
	acl_c1=$(counter vm-c1 acl)
	apply_under_traffic "$WORK/old.json"
	check_output "the old file is in force again" "" v apply --dry-run "$WORK/old.json"
	check_output "UDP 9 to a1 was never delivered" "0" stat -c %s "$WORK/a1.9"
	check_output "nor to a2" "0" stat -c %s "$WORK/a2.9"
	check "C's UDP 9 meets A's rule again: counted acl" \
		dropped_by_acl vm-c1 "$acl_c1"
}

tests_run
done_testing
