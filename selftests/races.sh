#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown races (make check-churn; not part of make check): the two ends
# of a port's veth deleted at once from two namespaces, a namespace with
# 10,000 objects deleted under a half-read dump, rmmod against a
# half-read dump and looped against traffic, and an interface deleted
# while it is a gateway's port, a load balancer's backend and a route's
# appliance. Nothing may crash, warn, hang or leak: vm.sh scans the
# kernel log, and every rmmod here has the module's caches checked for
# objects left behind.
#
# One function per case; TESTS="netns_mid_dump" (VNET_TESTS) runs one.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	veth_both_ends
	netns_mid_dump
	rmmod_mid_dump
	rmmod_loop
	unplug_three_roles
"

ko=${VNET_KO:?VNET_KO is set by vm.sh}
dir=$(dirname "$(realpath "$0")")
rounds=${VNET_RACE_ROUNDS:-20}

# rules N VNET: a batch of N deny rules on VNET's subnet s.
rules()
{
	local i
	for ((i = 1; i <= $1; i++)); do
		echo "acl add $2 subnet s dir in prio $i action deny proto tcp dport $((i % 60000 + 1))"
	done
}

# half_dump NS KIND VNET: a dump in NS read one part; its pid in DUMP_PID,
# its output in $WORK/dump.out; go_on lets it read the rest.
half_dump()
{
	rm -f "$WORK/ready" "$WORK/go"
	ip netns exec "$1" /usr/bin/python3 "$dir/half_dump.py" "$2" "$3" \
		"$WORK/ready" "$WORK/go" >"$WORK/dump.out" 2>&1 &
	DUMP_PID=$!
	busywait 30000 test -s "$WORK/ready"
}
go_on()
{
	touch "$WORK/go"
	wait "$DUMP_PID"
}

# flood VM ADDR: pings ADDR from VM as fast as it answers, in the
# background (killed by cleanup or stop_flood).
flood()
{
	vm_bg "$1" ping -q -f "$2" >/dev/null 2>&1
	FLOODS+=($!)
}
FLOODS=()
stop_flood()
{
	[ ${#FLOODS[@]} -eq 0 ] || kill "${FLOODS[@]}" 2>/dev/null
	wait "${FLOODS[@]}" 2>/dev/null
	FLOODS=()
}

veth_both_ends()
{
	local i failed=0
	add_vnets A:1
	add_vm a1 A s 10.1.1.4 fd00:1:0:1::4 52:54:00:01:01:04
	add_vm x A s 10.1.1.9 fd00:1:0:1::9 52:54:00:01:01:09
	flood a1 10.1.1.9
	for ((i = 0; i < rounds; i++)); do
		ip -n "$CTL" link del vm-x 2>/dev/null &
		ip -n "$NS_x" link del eth0 2>/dev/null &
		wait %%- %% 2>/dev/null
		busywait 5000 sh -c "[ \"\$(vnetctl -n $CTL -j port show vm-x | jq -r '.[0].state')\" = absent ]" ||
			failed=$((failed + 1))
		replug x 52:54:00:01:01:09 10.1.1.9
	done
	check_output "after each of $rounds races the port is absent" 0 echo "$failed"
	check_output "and binds the last interface" up \
		sh -c "vnetctl -n $CTL -j port show vm-x | jq -r '.[0].state'"
	check "which answers" reach a1 10.1.1.9
	stop_flood
	v vnet del A
}

netns_mid_dump()
{
	local N
	ns_new N gone
	vnetctl -n "$N" vnet add A id 1 prefix 10.1.0.0/16 &&
		vnetctl -n "$N" subnet add A s prefix 10.1.1.0/24
	rules 10000 A >"$WORK/rules"
	check "10,000 rules in a namespace" vnetctl -n "$N" -b "$WORK/rules"
	half_dump "$N" acl A
	check "a dump of them is half read" test -s "$WORK/ready"
	check "the namespace is deleted under it" ip netns del "$N"
	go_on
	check "the dump ends cleanly" grep -qE '^[0-9]+ parts, (done|errno [0-9]+)$' "$WORK/dump.out"
	echo "# the dump: $(cat "$WORK/dump.out")"
	# The namespace goes once the dump's socket closes; another works.
	check "the module serves other namespaces" v vnet add B id 2 prefix 10.2.0.0/16
	v vnet del B
}

rmmod_mid_dump()
{
	rules 3000 A >"$WORK/rules"
	v vnet add A id 1 prefix 10.1.0.0/16 && v subnet add A s prefix 10.1.1.0/24
	check "3,000 rules" v -b "$WORK/rules"
	half_dump "$CTL" acl A
	# The dump holds a reference on the module until it ends.
	check_fail "rmmod is refused while a dump is open" rmmod vnet
	go_on
	check "the dump ends cleanly" grep -qE '^[0-9]+ parts, done$' "$WORK/dump.out"
	check "rmmod after it" rmmod vnet
	check "insmod again" insmod "$ko"
}

rmmod_loop()
{
	local i bad=0
	for ((i = 0; i < rounds / 2; i++)); do
		add_vnets A:1 >/dev/null
		add_vm "l1$i" A s 10.1.1.4 fd00:1:0:1::4 52:54:00:01:01:04
		add_vm "l2$i" A s 10.1.1.5 fd00:1:0:1::5 52:54:00:01:01:05
		rules 500 A | v -b -
		flood "l1$i" 10.1.1.5
		half_dump "$CTL" acl A
		go_on
		rmmod vnet || bad=$((bad + 1))
		stop_flood
		insmod "$ko" || bad=$((bad + 1))
	done
	check_output "$((rounds / 2)) times: rmmod under traffic after a dump, insmod" 0 echo "$bad"
	check_output "the namespace starts empty" "[]" v -j vnet show
}

# The interface of a port that is the gateway's port, an lb backend and
# an appliance goes while traffic uses all three, and comes back.
unplug_three_roles()
{
	add_vnets H:1
	add_vm c H s 10.1.1.4 fd00:1:0:1::4 52:54:00:01:01:04
	add_vm be H s 10.1.1.6 fd00:1:0:1::6 52:54:00:01:01:06
	add_vm nva H s 10.1.1.5 fd00:1:0:1::5 52:54:00:01:01:05 forwarding on
	vm nva sysctl -qw net.ipv4.ip_forward=1
	v -b - <<-EOF
	gateway set H port vm-nva prefix 192.168.0.0/16
	route add H s 10.9.0.0/16 nexthop appliance 10.1.1.5
	lb add H web frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.5:80 backend 10.1.1.6:80
	EOF
	vm nva ip addr add 192.168.1.1/32 dev lo
	vm nva ip addr add 10.9.0.1/32 dev lo
	flood c 192.168.1.1
	flood c 10.9.0.1
	check "the gateway answers" reach c 192.168.1.1
	check "ip link del while the three roles carry traffic" \
		ip -n "$CTL" link del vm-nva
	check_output "the gateway is port-absent" port-absent \
		sh -c "vnetctl -n $CTL -j gateway show H | jq -r '.[0].state'"
	check_output "the appliance route drops" "drop appliance-unreachable" \
		sh -c "vnetctl -n $CTL -j trace H src 10.1.1.4 dst 10.9.0.1 | jq -r '\"\\(.verdict) \\(.reason)\"'"
	check_output "the lb skips the backend" "deliver vm-be" \
		sh -c "for p in \$(seq 1000 1015); do vnetctl -n $CTL -j trace H src 10.1.1.4 dst 10.1.0.100 proto tcp sport \$p dport 80 | jq -r '\"\\(.verdict) \\(.to)\"'; done | sort -u"
	stop_flood
	replug nva 52:54:00:01:01:05 10.1.1.5
	check_output "it binds again" active \
		sh -c "vnetctl -n $CTL -j gateway show H | jq -r '.[0].state'"
	check "the gateway answers again" reach c 192.168.1.1
	check "the appliance answers again" reach c 10.9.0.1
	v vnet del H
}

tests_run
done_testing
