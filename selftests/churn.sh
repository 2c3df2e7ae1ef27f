#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration churn under traffic (make check-churn; not part of make
# check): for CHURN_SECONDS (VNET_CHURN_SECONDS through vm.sh, 60), a loop
# on CPU 0 adds and removes a peering, replaces a subnet's rule list,
# swaps routes, replaces a load balancer and rebinds a port (its
# interface deleted and made again), while churn_traffic.py on CPU 1
# sends flows that policy always allows and probes that every state the
# loop passes through forbids, and captures every VM's eth0.
#
#   vnet A 10.1/16: a1 .4, a2 .5, a3 .6 (its interface comes and goes),
#                   a4 .7; lb 10.1.0.100 udp 9100 -> a1 or a2
#   vnet B 10.2/16: subnet s: b1 .4, nva .5 (appliance, forwarding on);
#                   subnet s2: b2 10.2.2.4
#   vnet C 10.3/16: c1 .4
#   B-C peered throughout; A-B peered and unpeered by the loop.
#
# Checks: no probe reaches a VM where policy forbids it; the module
# counted at least as many drops as probes went undelivered; the flow
# that policy always allows (a2 -> a1) never stalls more than a second
# (a gap between two arrivals with datagrams lost in between, from kernel
# receive timestamps); every churned path carried traffic; the loop ends
# in the state it started from. vm.sh fails the run on any kernel report.
source "$(dirname "$0")/lib.sh"

seconds=${CHURN_SECONDS:-${VNET_CHURN_SECONDS:-60}}
# CHURN_FAULTS=P (VNET_CHURN_FAULTS; a kernel with FAILSLAB, booted with
# slub_debug=A,vnet_* to mark the module's caches): while the loop runs,
# P percent of the allocations from those caches fail, in the packet path
# (flows) and in requests alike; each step the loop makes is then retried
# until it is done, and every refusal must be a plain error:
#   VNET_CHURN_FAULTS=1 VM_APPEND='slub_debug=A,vnet_*' \
#	scripts/check_debug.sh --run selftests/churn.sh
faults=${CHURN_FAULTS:-${VNET_CHURN_FAULTS:-0}}
dir=$(dirname "$(realpath "$0")")

add_vnets A:1 B:2 C:3
v subnet add B s2 prefix 10.2.2.0/24 prefix fd00:2:0:2::/64
add_vm a1 A s 10.1.1.4 fd00:1:0:1::4 52:54:00:01:01:04
add_vm a2 A s 10.1.1.5 fd00:1:0:1::5 52:54:00:01:01:05
add_vm a3 A s 10.1.1.6 fd00:1:0:1::6 52:54:00:01:01:06
add_vm a4 A s 10.1.1.7 fd00:1:0:1::7 52:54:00:01:01:07
add_vm b1 B s 10.2.1.4 fd00:2:0:1::4 52:54:00:02:01:04
add_vm nva B s 10.2.1.5 fd00:2:0:1::5 52:54:00:02:01:05 forwarding on
add_vm b2 B s2 10.2.2.4 fd00:2:0:2::4 52:54:00:02:02:04
add_vm c1 C s 10.3.1.4 fd00:3:0:1::4 52:54:00:03:01:04
# The appliance receives, and forwards nothing.
vm nva sysctl -qw net.ipv4.ip_forward=0

# The rules every version of A's list keeps (from-vnet B: UDP 9002, and
# 9100 behind the lb), at priorities that move, among rules that change.
acl_list()	# VERSION: the batch that replaces the list by version VERSION
{
	local old=$((3 - $1)) p
	for p in 10 11 12 13; do
		echo "acl del A subnet s dir in prio $((old * 100 + p))"
	done
	p=$(($1 * 100))
	echo "acl add A subnet s dir in prio $((p + 10)) action deny proto udp dport 9002 from-vnet B"
	echo "acl add A subnet s dir in prio $((p + 11)) action deny proto udp dport 9100 from-vnet B"
	echo "acl add A subnet s dir in prio $((p + 12)) action deny proto tcp dport $((1000 + $1))"
	echo "acl add A subnet s dir in prio $((p + 13)) action allow proto udp src 10.2.0.0/16 dport 7000-7010"
}

{
	echo "peering add B bc remote C"
	echo "peering add C cb remote B"
	acl_list 2 | grep -v 'acl del'
	echo "acl add A port vm-a3 dir in prio 10 action deny proto udp dport 9004"
	echo "route add B s 10.1.0.0/16 nexthop none"
	echo "lb add A web frontend 10.1.0.100 proto udp port 9100 backend 10.1.1.4:9100"
} >"$WORK/setup"
check "the topology loads" v -b "$WORK/setup"
v export >"$WORK/start.json" 2>/dev/null

# The flows: name, from, to, port, rate, probe, VMs it may reach. The
# "fresh" ones open a new connection with every datagram, so connections
# are set up (and, with faults, fail to be) throughout the loop.
cat >"$WORK/traffic.json" <<EOF
{"vms": {$(for n in a1 a2 a3 a4 b1 nva b2 c1; do
	ns=NS_$n
	printf '"%s": {"ns": "%s", "ip4": "%s"},' "$n" "${!ns}" \
		"$(ip -n "${!ns}" -4 -o addr show dev eth0 | awk '{ sub("/.*", "", $4); print $4 }')"
done | sed 's/,$//')},
 "flows": [
  {"name": "steady", "from": "a2", "to": "10.1.1.4", "port": 7000, "pps": 200, "allowed": ["a1"]},
  {"name": "peer", "from": "b2", "to": "10.1.1.5", "port": 7002, "pps": 50, "allowed": ["a2"]},
  {"name": "rebound", "from": "a2", "to": "10.1.1.6", "port": 7003, "pps": 50, "allowed": ["a3"]},
  {"name": "lb", "from": "a4", "to": "10.1.0.100", "port": 9100, "pps": 50, "allowed": ["a1", "a2"]},
  {"name": "fresh", "from": "a4", "to": "10.1.1.5", "port": 7001, "pps": 100, "fresh": true, "allowed": ["a2"]},
  {"name": "c1a", "from": "c1", "to": "10.1.1.4", "port": 9001, "pps": 100, "probe": true, "fresh": true, "allowed": []},
  {"name": "c1lb", "from": "c1", "to": "10.1.0.100", "port": 9100, "pps": 100, "probe": true, "allowed": []},
  {"name": "b2acl", "from": "b2", "to": "10.1.1.4", "port": 9002, "pps": 100, "probe": true, "fresh": true, "allowed": []},
  {"name": "b2lb", "from": "b2", "to": "10.1.0.100", "port": 9100, "pps": 100, "probe": true, "allowed": []},
  {"name": "b1route", "from": "b1", "to": "10.1.1.4", "port": 9003, "pps": 100, "probe": true, "allowed": ["nva"]},
  {"name": "a2port", "from": "a2", "to": "10.1.1.6", "port": 9004, "pps": 100, "probe": true, "allowed": []}
 ]}
EOF

# drops_total: every drop the module counted, on every port.
drops_total()
{
	local d n=0
	for d in a1 a2 a3 a4 b1 nva b2 c1; do
		n=$((n + $(counter "vm-$d" drops)))
	done
	echo "$n"
}

# backlog_drops: packets the kernel dropped before any hook saw them, its
# per-CPU input queues full (the second column of softnet_stat, in hex).
backlog_drops()
{
	local n=0 d
	for d in $(awk '{ print $2 }' /proc/net/softnet_stat); do
		n=$((n + 16#$d))
	done
	echo "$n"
}

# rebind: a3's interface deleted and made again; the port stays, with its
# rule, and binds the new one.
rebind()
{
	ip -n "$CTL" link del vm-a3
	replug a3 52:54:00:01:01:06 10.1.1.6
}

# One round of the loop: each change, in an order that keeps every probe
# forbidden at each step. Routes: the subnet's user routes always cover
# 10.1.1.4 (a /24 via the appliance is added before the /16 "none" goes,
# and the reverse), so b1's probe never takes the peering's route.
round()	# N
{
	local n=$1
	if [ $((n % 2)) -eq 0 ]; then
		step peering add A ab remote B && step peering add B ba remote A
	else
		step peering del A ab && step peering del B ba
	fi || return 1
	acl_list $((n % 2 + 1)) >"$WORK/acl.$n"
	if [ "$faults" = 0 ]; then
		v -b "$WORK/acl.$n" || return 1
	else	# one rule at a time, the new ones first
		local line
		while read -r line; do
			# shellcheck disable=SC2086  # the words of one command
			step $line || return 1
		done < <(grep 'acl add' "$WORK/acl.$n"; grep 'acl del' "$WORK/acl.$n")
	fi
	case $((n % 4)) in
	0) step route add B s 10.1.1.0/24 nexthop appliance 10.2.1.5 ;;
	1) step route del B s 10.1.0.0/16 ;;
	2) step route add B s 10.1.0.0/16 nexthop none ;;
	3) step route del B s 10.1.1.0/24 ;;
	esac || return 1
	step lb del A web &&
		step lb add A web frontend 10.1.0.100 proto udp port 9100 \
			backend "10.1.1.$((4 + (n + 1) % 2)):9100" || return 1
	rebind
}

# step WORDS...: vnetctl WORDS. With faults, again until it is done: a
# refusal must be a plain error, and after one whose answer was lost
# (the change made, the acknowledgement not allocated) the retry finds
# it done ("already", "no ... of", "does not exist").
retried=0 unclean=0
step()
{
	local i out
	[ "$faults" != 0 ] || { v "$@"; return; }
	for ((i = 0; i < 100; i++)); do
		out=$(v "$@" 2>&1) && return 0
		[[ $out == Error:* ]] || { unclean=$((unclean + 1)); echo "# $*: $out"; }
		if [ "$i" -gt 0 ] && [[ $out =~ already|does\ not\ exist|has\ no|no\ such ]]; then
			return 0
		fi
		retried=$((retried + 1))
	done
	echo "# $*: $out" >&2
	return 1
}

# faults_on P: P percent of the allocations from the module's caches
# fail (failslab, its cache filter on those caches alone), sleeping ones
# too, in any task; 0: none. "times" counts down from FAULT_BUDGET with
# each failure, so that faults_injected can tell how many there were.
FAULT_BUDGET=100000000
faults_on()
{
	local f=/sys/kernel/debug/failslab c
	echo N >$f/ignore-gfp-wait
	echo 0 >$f/verbose
	echo Y >$f/cache-filter
	echo N >$f/task-filter
	echo 1 >$f/interval
	echo $FAULT_BUDGET >$f/times
	echo "$1" >$f/probability
}
faults_injected()
{
	echo $((FAULT_BUDGET - $(cat /sys/kernel/debug/failslab/times)))
}
# The caches marked for failslab: 6.1 marks a cache only when it is made,
# from the boot's slub_debug=A,vnet_* (sysfs' failslab is read-only).
marked()
{
	local c
	for c in /sys/kernel/slab/vnet_*; do
		# A merged cache is a link to one that others share.
		[ ! -L "$c" ] && [ "$(cat "$c/failslab")" = 1 ] && printf '%s ' "${c##*/}"
	done
}
if [ "$faults" != 0 ]; then
	check "failslab is there (a kernel with FAILSLAB)" test -d /sys/kernel/debug/failslab
	check "the module's caches are marked for it (boot with slub_debug=A,vnet_*)" \
		test -n "$(marked)"
	echo "# failing $faults% of the allocations from: $(marked)"
fi

drops0=$(drops_total) backlog0=$(backlog_drops)
taskset -c 1 /usr/bin/python3 "$dir/churn_traffic.py" "$WORK/traffic.json" \
	"$WORK/ready" "$WORK/result.json" &
traffic=$!
busywait 60000 test -s "$WORK/ready"
check_output "a capture runs on every VM's eth0" ready cat "$WORK/ready"

# The loop and every command it runs on CPU 0, the traffic on CPU 1.
taskset -cp 0 $$ >/dev/null
[ "$faults" = 0 ] || faults_on "$faults"
rounds=0 failed_round=
end=$((SECONDS + seconds))
while [ "$SECONDS" -lt "$end" ]; do
	if ! round "$rounds"; then
		failed_round=$rounds
		break
	fi
	rounds=$((rounds + 1))
done
# Back to the starting state: an even number of rounds, the lb on a1.
while [ -z "$failed_round" ] && [ $((rounds % 4)) -ne 0 ]; do
	round "$rounds" || failed_round=$rounds
	rounds=$((rounds + 1))
done
[ "$faults" = 0 ] || { injected=$(faults_injected); faults_on 0; }
kill -TERM "$traffic"
wait "$traffic"
if [ "$faults" != 0 ]; then
	echo "# $retried steps refused by an injected fault and retried"
	check "allocations failed ($injected injected)" test "$injected" -gt 0
	check_output "every refusal was a plain error" 0 echo "$unclean"
fi
check "every change of $rounds rounds was accepted" test -z "$failed_round"
echo "# $rounds rounds in ${seconds}s"

r=$WORK/result.json
check "the traffic ran and reported" test -s "$r"
check_output "the captures lost nothing" 0 \
	jq '[.capture_lost[]] | add' "$r"
# Per probe, where it arrived that policy forbids.
check_output "no probe reached a VM that policy forbids" "" \
	jq -r --slurpfile t "$WORK/traffic.json" '
		($t[0].flows | map({(.name): .allowed}) | add) as $ok
		| .flows | to_entries[]
		| .key as $f | .value.received | to_entries[]
		| select(.key as $vm | $ok[$f] | index($vm) | not)
		| "\($f) reached \(.key) \(.value) times"' "$r"
check_output "every flow and probe was sent" "" \
	jq -r '.flows | to_entries[] | select(.value.sent == 0) | .key' "$r"
sent_probes=$(jq --slurpfile t "$WORK/traffic.json" \
	'[$t[0].flows[] | select(.probe) | .name] as $p
	 | [.flows | to_entries[] | select(.key as $k | $p | index($k))
	    | .value.sent - ([.value.received[]] | add // 0)] | add' "$r")
# A floor that shows the probes ran the whole time, not a rate: 10 a
# second, which the debug kernel (KASAN, lockdep) meets too (about 18 a
# second there under emulation, some hundreds on Debian's).
check "the probes were sent ($sent_probes undelivered)" \
	test "$sent_probes" -gt $((seconds * 10))
drops=$(($(drops_total) - drops0)) backlog=$(($(backlog_drops) - backlog0))
check "the module counted a drop for each ($drops drops, $backlog in full input queues)" \
	test $((drops + backlog)) -ge "$sent_probes"
check_output "the allowed flow never stalled a second" true \
	jq '.flows.steady.stall < 1.0' "$r"
echo "# longest stall with losses: $(jq .flows.steady.stall "$r") s;" \
	"steady flow: $(jq '.flows.steady.sent' "$r") sent," \
	"$(jq '.flows.steady.received.a1 // 0' "$r") received"
for f in peer rebound fresh; do
	check "the churned path of flow $f carried traffic" \
		jq -e ".flows.$f.received | length > 0" "$r"
done
check "the lb sent to both backends in turn" \
	jq -e '.flows.lb.received | (.a1 // 0) > 0 and (.a2 // 0) > 0' "$r"
v export >"$WORK/end.json" 2>/dev/null
check "the loop ends in the state it started from" \
	cmp "$WORK/start.json" "$WORK/end.json"

done_testing
