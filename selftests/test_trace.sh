#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnetctl trace: the decision for the first packet of a connection, step
# by step, checked against real traffic for each verdict (deliver, no
# route, ACL, user route none, peering access off, spoofed source, loop),
# IPv4 and IPv6, and the errors. Topology:
#
#   vnet A 10.1/16 fd00:1::/48: subnet web: a1 .1.4, a2 .1.5 (forwarding on)
#   vnet B 10.2/16 fd00:2::/48: subnet s: b1 .1.4
#
# One function per case, each leaving the topology as it found it (the
# setup below, no peering, no rule): TESTS="acls errors" (VNET_TESTS
# through vm.sh) runs those alone. The cases after across peer A and B
# first, as across leaves them before it undoes its peering.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	inside
	across
	acls
	user_routes
	sending_port
	errors
"


v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
v subnet add B s prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
add_vm a1 A web 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
add_vm a2 A web 10.1.1.5 fd00:1:0:1::5 52:54:00:00:01:05 forwarding on
add_vm b1 B s 10.2.1.4 fd00:2:0:1::4 52:54:00:00:02:04

# trace_json ARGS...: the trace as JSON.
trace_json() { v -j trace "$@"; }
# verdict ARGS...: "deliver PORT" or "drop REASON".
verdict()
{
	trace_json "$@" | python3 -c '
import json, sys
t = json.load(sys.stdin)
print(t["verdict"], t.get("to") if t["verdict"] == "deliver" else t["reason"])'
}
# step N "KEY..." ARGS...: keys of the Nth step (from 0), space-separated.
step()
{
	local n=$1 keys=$2
	shift 2
	trace_json "$@" | python3 -c "
import json, sys
s = json.load(sys.stdin)['steps'][$n]
print(*[s.get(k, '-') for k in '$keys'.split()])"
}
# kinds ARGS...: the kinds of the steps.
kinds()
{
	trace_json "$@" | python3 -c "
import json, sys
print(*[s['step'] for s in json.load(sys.stdin)['steps']])"
}
# err ARGS...: what vnetctl prints on stderr.
err() { v "$@" 2>&1 >/dev/null; }

peered() { v peering add A ab remote B && v peering add B ba remote A; }
unpeered() { v peering del A ab && v peering del B ba; }

# ---- delivered, inside a vnet ----
inside()
{
	check_output "same subnet: delivered to the owner of the address" \
		"deliver vm-a2" verdict A src 10.1.1.4 dst 10.1.1.5
	check "and a ping agrees" reach a1 10.1.1.5
	check_output "the steps: outbound port and subnet ACLs, route, inbound ACLs" \
		"acl acl route acl acl" kinds A src 10.1.1.4 dst 10.1.1.5
	check_output "the route is the vnet's own space" "vnet" \
		step 2 source A src 10.1.1.4 dst 10.1.1.5
	check_output "IPv6 as well" "deliver vm-a2" \
		verdict A src fd00:1:0:1::4 dst fd00:1:0:1::5
	check_output "plain text" \
	"10.1.1.4 -> 10.1.1.5 proto tcp dport 80 from port vm-a1 (vnet A subnet web)
  acl out port vm-a1: no rules
  acl out subnet web: no rules
  route 10.1.0.0/16 source vnet nexthop vnet remote A
  acl in subnet web: no rules
  acl in port vm-a2: no rules
deliver to port vm-a2 (vnet A)" \
		v trace A src 10.1.1.4 dst 10.1.1.5 proto tcp dport 80
	check_output "JSON: the request in command-line words" \
		'{"vnet":"A","subnet":"web","port":"vm-a1","steps":[{"step":"acl","dir":"out","scope":"port","name":"vm-a1","rules":0},{"step":"acl","dir":"out","scope":"subnet","name":"web","rules":0},{"step":"route","prefix":"10.1.0.0/16","source":"vnet","nexthop":"vnet","remote":"A"},{"step":"acl","dir":"in","scope":"subnet","name":"web","rules":0},{"step":"acl","dir":"in","scope":"port","name":"vm-a2","rules":0}],"to":"vm-a2","remote":"A","verdict":"deliver","src":"10.1.1.4","dst":"10.1.1.5","proto":"udp","sport":5353,"dport":53}' \
		v -j trace A src 10.1.1.4 dst 10.1.1.5 proto udp sport 5353 dport 53
}

# ---- across vnets ----
across()
{
	check_output "no peering: no route" "drop no-route" \
		verdict A src 10.1.1.4 dst 10.2.1.4
	check "and a ping agrees" no_reach a1 10.2.1.4 no-route
	peered
	check_output "peered: delivered to the peer's port" "deliver vm-b1" \
		verdict A src 10.1.1.4 dst 10.2.1.4
	check_output "by the peer's route" "peering B" \
		step 2 "source remote" A src 10.1.1.4 dst 10.2.1.4
	check "and a ping agrees" reach a1 10.2.1.4
	check_output "IPv6 across the peering" "deliver vm-b1" \
		verdict A src fd00:1:0:1::4 dst fd00:2:0:1::4
	v peering set B ba access off
	check_output "access off on one side" "drop peering-access-off" \
		verdict A src 10.1.1.4 dst 10.2.1.4
	check "and a ping agrees" no_reach a1 10.2.1.4 peering-access-off
	v peering set B ba access on
	unpeered
}

# ---- ACLs ----
acls()
{
	peered
	v acl add B subnet s dir in prio 100 action deny proto tcp dport 22
	check_output "an inbound deny rule decides" "drop acl" \
		verdict A src 10.1.1.4 dst 10.2.1.4 proto tcp dport 22
	check_output "the step names the rule" "100 deny" \
		step 3 "prio action" A src 10.1.1.4 dst 10.2.1.4 proto tcp dport 22
	check "and TCP to port 22 agrees" tcp_dropped a1 b1 10.2.1.4 22 acl
	check_output "another port passes" "deliver vm-b1" \
		verdict A src 10.1.1.4 dst 10.2.1.4 proto tcp dport 80
	check_output "and says no rule matched out of 1" "- 1" \
		step 3 "prio rules" A src 10.1.1.4 dst 10.2.1.4 proto tcp dport 80
	check "and TCP to port 80 agrees" tcp_ok a1 b1 10.2.1.4 80
	v acl add A port vm-a1 dir out prio 5 action allow proto tcp
	check_output "an outbound allow does not override an inbound deny" \
		"drop acl" verdict A src 10.1.1.4 dst 10.2.1.4 proto tcp dport 22
	check_output "the outbound step shows the allow" "5 allow" \
		step 0 "prio action" A src 10.1.1.4 dst 10.2.1.4 proto tcp dport 22
	v acl del A port vm-a1 dir out prio 5
	v acl del B subnet s dir in prio 100
	unpeered
}

# ---- user routes ----
user_routes()
{
	peered
	v route add A web 10.2.1.0/24 nexthop none
	check_output "a user route none" "drop route-none" \
		verdict A src 10.1.1.4 dst 10.2.1.4
	check_output "the route step is the user route" "user none 10.2.1.0/24" \
		step 2 "source nexthop prefix" A src 10.1.1.4 dst 10.2.1.4
	check "and a ping agrees" no_reach a1 10.2.1.4 route-none
	v route del A web 10.2.1.0/24
	v route add A web 10.2.1.0/24 nexthop appliance 10.1.1.5
	check_output "a route via an appliance leads to the appliance's port" \
		"deliver vm-a2" verdict A src 10.1.1.4 dst 10.2.1.4
	check_output "and shows the appliance" "appliance 10.1.1.5" \
		step 2 "nexthop appliance" A src 10.1.1.4 dst 10.2.1.4
	v route del A web 10.2.1.0/24
	unpeered
}

# ---- the sending port ----
sending_port()
{
	peered
	check_output "a source that is not the port's own address: spoofed" \
		"drop spoofed-ip" verdict A src 10.1.1.99 dst 10.1.1.5 port vm-a1
	check_output "unless the port has forwarding on (an appliance)" \
		"deliver vm-a1" verdict A src 10.2.1.4 dst 10.1.1.4 port vm-a2
	check_output "a packet back to its own port" "drop loop" \
		verdict A src 10.1.1.4 dst 10.1.1.4
	unpeered
}

# ---- errors ----
errors()
{
	check_exit 1 "unknown vnet" v trace Z src 10.1.1.4 dst 10.1.1.5
	check_output "its message" "Error: vnet Z does not exist" \
		err trace Z src 10.1.1.4 dst 10.1.1.5
	check_exit 1 "a source no port owns, without port DEV" \
		v trace A src 10.1.1.99 dst 10.1.1.5
	check_output "the error says to name the port" \
		"Error: trace: no port of vnet A has address 10.1.1.99: name the sending port" \
		err trace A src 10.1.1.99 dst 10.1.1.5
	check_exit 1 "port DEV in another vnet" \
		v trace A src 10.2.1.4 dst 10.1.1.5 port vm-b1
	check_exit 2 "missing dst" v trace A src 10.1.1.4
	check_exit 2 "src and dst of different families" \
		v trace A src 10.1.1.4 dst fd00:1:0:1::5
	check_exit 2 "dport without tcp or udp" \
		v trace A src 10.1.1.4 dst 10.1.1.5 proto icmp dport 80
	check_exit 2 "a bad address" v trace A src 10.1.1.400 dst 10.1.1.5
	check_exit 0 "trace help" v trace help
}

tests_run
done_testing
