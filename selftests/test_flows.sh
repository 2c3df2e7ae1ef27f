#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flow table: the packets of a connection that the full path delivered
# are delivered by one lookup (a hit) until the configuration changes;
# then the next packet of each connection takes the full path again (a
# recomputation), so that every kind of change acts on established flows
# at their next packet; but an ACL change that no changed rule of which
# matches a flow carries that flow's entry over (a hit, counted as
# carried too). Shown with traffic and with each port's flow-hits,
# flow-misses, flow-recomputes and flow-carried counters.
#
#   vnet A 10.1/16 fd00:1::/48, subnet s: a1 .1.4, a2 .1.5
#                               subnet n: nva .2.6 (an appliance:
#                                         forwarding on)
#   vnet B 10.2/16 fd00:2::/48, subnet s: b1 .1.4     (peered with A)
#
# UDP servers on a2, nva and b1, port 5000. Each case uses its own source
# ports, so its connections are its own; one function per case, each
# leaving the topology as it found it: TESTS="acl route" (VNET_TESTS
# through vm.sh) runs those alone. The cases with small shares (reflect,
# pool, pool_back) come first: they need a nearly empty table, and an
# answered UDP flow of another case lives 180 s.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	hits
	reflect
	pool
	pool_back
	acl
	acl_more
	batch
	peering
	route
	port
	lb
	lb_tcp
	lb_route
	lb_backend_first
	endpoint
	squat
	squat_moved
	squat_stopped
	squat_fragments
	drops
	renew
"

PARAMS=/sys/module/vnet/parameters
UDP="/usr/bin/python3 $(dirname "$(readlink -f "$0")")/udp.py"
FRAG="/usr/bin/python3 $(dirname "$(readlink -f "$0")")/frag.py"

# ask VM SPORT ADDR: one datagram to ADDR port 5000 from SPORT; prints
# reply or timeout (2 s).
ask() { vm "$1" $UDP ask "$2" "$3" 5000 2; }

# flows DEV: DEV's flow-hits, flow-misses, flow-recomputes and
# flow-carried, one line (one vnetctl: each process costs under
# emulation).
flows() { counters "$1" flow-hits flow-misses flow-recomputes flow-carried; }

# snap DEV...: remembers their flow counters as they are now.
declare -A SNAP
snap()
{
	local d
	for d in "$@"; do
		SNAP[$d]=$(flows "$d")
	done
}

# since DEV: how far DEV's hits, misses, recomputations and carried hits
# moved since snap DEV, one line.
since()
{
	local -a was now
	read -ra was <<<"${SNAP[$1]}"
	read -ra now <<<"$(flows "$1")"
	echo $((now[0] - was[0])) $((now[1] - was[1])) $((now[2] - was[2])) \
		$((now[3] - was[3]))
}

# moved DEV "HITS MISSES RECOMPUTES [CARRIED]": how far DEV's counters
# moved since snap DEV; "-" takes any count. Without CARRIED, none of
# the hits may be carried ones.
moved()
{
	local -a d want
	local i names=(flow-hits flow-misses flow-recomputes flow-carried)
	read -ra d <<<"$(since "$1")"
	read -ra want <<<"$2"
	[ "${#want[@]}" -eq 4 ] || want+=(0)
	for i in 0 1 2 3; do
		[ "${want[i]}" = - ] && continue
		[ "${d[i]}" -eq "${want[i]}" ] && continue
		echo "$1 ${names[i]} moved by ${d[i]}, expected" \
			"${want[i]}; stats: $(v stats "$1")" >&2
		return 1
	done
}

# Both directions of a connection hit: a reply, a hit on each side (not
# carried over a change), no miss and no recomputation.
hit_both()	# DESC VM DEV SPORT ADDR DDEV
{
	snap "$3" "$6"
	check_output "$1" reply ask "$2" "$4" "$5"
	check "$1: a hit each way" eval \
		"moved $3 '1 0 0' && moved $6 '1 0 0'"
}

# After a change, the connection's next exchange is recomputed each way
# (both halves knew where they went) and passes; the one after hits.
recomputed()	# DESC VM DEV SPORT ADDR DDEV
{
	snap "$3" "$6"
	check_output "$1" reply ask "$2" "$4" "$5"
	check "$1: recomputed each way" eval \
		"moved $3 '0 0 1' && moved $6 '0 0 1'"
	hit_both "$1, then hits again" "$2" "$3" "$4" "$5" "$6"
}

# After a change, the connection's next packet is dropped as REASON on
# DEV, recomputed; with "collected" the change takes the connection's
# entry with it, sooner or later: a recomputation or a miss.
stopped()	# DESC VM DEV SPORT ADDR REASON [collected]
{
	local d want='0 0 1'
	[ "${7:-}" = collected ] && want='0 - -'
	d=$(counter "$3" "$6")
	snap "$3"
	check_output "$1" timeout ask "$2" "$4" "$5"
	check "$1: dropped as $6, no hit" eval \
		"moved $3 '$want' && [ \$(counter $3 $6) -gt $d ]"
}

# After an ACL change that no changed rule of which matches the
# connection, its next exchange hits each way, carried over the change
# (its halves knew the generation just before it); the one after hits
# as usual.
carried()	# DESC VM DEV SPORT ADDR DDEV
{
	snap "$3" "$6"
	check_output "$1" reply ask "$2" "$4" "$5"
	check "$1: a hit each way, carried over the change" eval \
		"moved $3 '1 0 0 1' && moved $6 '1 0 0 1'"
	hit_both "$1, then hits" "$2" "$3" "$4" "$5" "$6"
}

# A flow whose first packets were denied (that verdict cached) is allowed
# now: its next packet is recomputed, its reply hits (the way back was
# cached when it opened).
reopened()	# DESC VM DEV SPORT ADDR DDEV
{
	snap "$3" "$6"
	check_output "$1" reply ask "$2" "$4" "$5"
	check "$1: recomputed, the reply a hit" eval \
		"moved $3 '0 0 1' && moved $6 '1 0 0'"
	hit_both "$1, then hits" "$2" "$3" "$4" "$5" "$6"
}

# A new connection: its first packet misses; the way back was cached
# when it opened (both directions at once), so the first reply hits.
opened()	# DESC VM DEV SPORT ADDR DDEV
{
	snap "$3" "$6"
	check_output "$1" reply ask "$2" "$4" "$5"
	check "$1: a miss, its reply a hit" eval \
		"moved $3 '0 1 0' && moved $6 '1 0 0'"
	hit_both "$1, then hits" "$2" "$3" "$4" "$5" "$6"
}

add_vnets A:1 B:2
v peering add A ab remote B
v peering add B ba remote A
add_vm a1 A s 10.1.1.4 fd00:1:0:1::4 52:54:00:01:01:04
add_vm a2 A s 10.1.1.5 fd00:1:0:1::5 52:54:00:01:01:05
v subnet add A n prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
add_router_vm nva A n 10.1.2.6 fd00:1:0:2::6 52:54:00:01:02:06
add_vm b1 B s 10.2.1.4 fd00:2:0:1::4 52:54:00:02:01:04
for a in 10.1.1.5 fd00:1:0:1::5; do
	vm_bg a2 $UDP serve "$a" 5000 >/dev/null 2>&1
done
for a in 10.2.1.4 fd00:2:0:1::4; do
	vm_bg b1 $UDP serve "$a" 5000 >/dev/null 2>&1
done
vm_bg nva $UDP serve 10.1.2.6 5000 >/dev/null 2>&1
wait_listen a2 udp 5000 2
wait_listen b1 udp 5000 2
wait_listen nva udp 5000

hits()
{
	opened "a1 to a2 (IPv4)" a1 vm-a1 6101 10.1.1.5 vm-a2
	opened "a1 to a2 (IPv6)" a1 vm-a1 6101 fd00:1:0:1::5 vm-a2
	opened "a1 to b1 across the peering" a1 vm-a1 6102 10.2.1.4 vm-b1
	# A read changes nothing: the flow table keeps what it knows.
	v stats >/dev/null
	v vnet show >/dev/null
	v -j export >/dev/null
	hit_both "after reads" a1 vm-a1 6101 10.1.1.5 vm-a2
}

acl()
{
	opened "a1 to a2" a1 vm-a1 6201 10.1.1.5 vm-a2
	v acl add A port vm-a2 dir in prio 100 action allow proto tcp dport 22
	carried "an unrelated rule added" a1 vm-a1 6201 10.1.1.5 vm-a2
	# The replies pass by the connection whatever the rules say.
	v acl add A port vm-a1 dir in prio 105 action deny proto udp \
		src 10.1.1.5/32 sport 5000
	carried "a deny of its replies alone added" a1 vm-a1 6201 10.1.1.5 vm-a2
	# A rule that matches it is asked again, even if it changes nothing.
	v acl add A port vm-a2 dir in prio 107 action allow proto udp \
		src 10.1.1.4/32
	recomputed "an allow that matches it added" a1 vm-a1 6201 10.1.1.5 vm-a2
	v acl del A port vm-a2 dir in prio 107
	recomputed "that allow deleted" a1 vm-a1 6201 10.1.1.5 vm-a2
	v acl del A port vm-a1 dir in prio 105
	carried "the deny of its replies deleted" a1 vm-a1 6201 10.1.1.5 vm-a2
	# Only the last change's rules are kept: two behind is the full path.
	v acl add A port vm-a2 dir in prio 101 action allow proto tcp dport 23
	v acl del A port vm-a2 dir in prio 101
	recomputed "two unrelated changes" a1 vm-a1 6201 10.1.1.5 vm-a2
	# A change that is not only of rules is the full path too.
	v acl add A port vm-a2 dir in prio 101 action allow proto tcp dport 23
	v subnet add A spare prefix 10.1.9.0/24
	recomputed "a rule and a subnet added" a1 vm-a1 6201 10.1.1.5 vm-a2
	v subnet del A spare
	v acl del A port vm-a2 dir in prio 101
	v acl add A port vm-a2 dir in prio 110 action deny proto udp \
		src 10.1.1.4/32 sport 6201
	stopped "a deny of that connection added" a1 vm-a1 6201 10.1.1.5 acl
	v acl del A port vm-a2 dir in prio 110
	reopened "the deny removed" a1 vm-a1 6201 10.1.1.5 vm-a2
	v acl add A port vm-a1 dir out prio 120 action deny proto udp dport 5000
	stopped "a deny on the sender's side" a1 vm-a1 6201 10.1.1.5 acl
	v acl del A port vm-a1 dir out prio 120
	v acl del A port vm-a2 dir in prio 100
}

# dropped_carried DESC VM DEV SPORT ADDR: a flow the rules deny (its
# verdict cached) is still dropped after an ACL change that does not
# concern it, by a hit carried over the change.
dropped_carried()
{
	local d
	d=$(counter "$3" acl)
	snap "$3"
	check_output "$1" timeout ask "$2" "$4" "$5"
	check "$1: dropped as acl, a hit carried over the change" eval \
		"moved $3 '1 0 0 1' && [ \$(counter $3 acl) -gt $d ]"
}

# More of what an ACL change carries over, or not: IPv6 and a subnet's
# rules; a rule with a source vnet (the delta leaves the source vnet
# out: the flow is asked again); a commit of two lists; more changed
# rules than acl_delta_max; a stopped flow's verdict.
acl_more()
{
	local max
	opened "a1 to a2 (IPv6)" a1 vm-a1 6211 fd00:1:0:1::5 vm-a2
	v acl add A subnet s dir in prio 100 action deny proto udp \
		src fd00:1:0:1::99/128
	carried "IPv6: a subnet's deny of another address added" \
		a1 vm-a1 6211 fd00:1:0:1::5 vm-a2
	v acl add A subnet s dir in prio 110 action deny proto udp \
		src fd00:1:0:1::4/128 sport 6211
	stopped "IPv6: a subnet's deny of that connection added" \
		a1 vm-a1 6211 fd00:1:0:1::5 acl
	v acl del A subnet s dir in prio 110
	v acl del A subnet s dir in prio 100

	opened "a1 to a2" a1 vm-a1 6212 10.1.1.5 vm-a2
	v acl add A port vm-a2 dir in prio 100 action allow proto udp \
		from-vnet B
	recomputed "an allow from vnet B added" a1 vm-a1 6212 10.1.1.5 vm-a2
	v acl del A port vm-a2 dir in prio 100
	recomputed "that allow deleted" a1 vm-a1 6212 10.1.1.5 vm-a2

	# One commit, two lists: b1's rule does not concern the flow, a2's does.
	printf '%s\n' \
		"acl add B port vm-b1 dir in prio 100 action allow proto tcp dport 22" \
		"acl add A port vm-a2 dir in prio 100 action allow proto udp src 10.1.1.4/32" \
		>"$WORK/two"
	v -b "$WORK/two"
	recomputed "a commit of two lists, one rule of which matches it" \
		a1 vm-a1 6212 10.1.1.5 vm-a2
	sed 's/^acl add \(.* prio [0-9]*\) .*/acl del \1/' "$WORK/two" >"$WORK/untwo"
	v -b "$WORK/untwo"
	recomputed "both deleted in one commit" a1 vm-a1 6212 10.1.1.5 vm-a2

	max=$(cat $PARAMS/acl_delta_max)
	echo 2 >$PARAMS/acl_delta_max
	printf 'acl add B port vm-b1 dir in prio %d action allow proto tcp dport 22\n' \
		101 102 >"$WORK/many"
	v -b "$WORK/many"
	carried "two unrelated rules in a commit, acl_delta_max 2" \
		a1 vm-a1 6212 10.1.1.5 vm-a2
	printf 'acl add B port vm-b1 dir in prio %d action allow proto tcp dport 22\n' \
		103 104 105 >"$WORK/many"
	v -b "$WORK/many"
	recomputed "three unrelated rules in a commit, acl_delta_max 2" \
		a1 vm-a1 6212 10.1.1.5 vm-a2
	echo "$max" >$PARAMS/acl_delta_max
	printf 'acl del B port vm-b1 dir in prio %d\n' 101 102 103 104 105 \
		>"$WORK/many"
	v -b "$WORK/many"

	opened "a1 to a2" a1 vm-a1 6213 10.1.1.5 vm-a2
	v acl add A port vm-a2 dir in prio 120 action deny proto udp \
		src 10.1.1.4/32 sport 6213
	stopped "a deny of that connection added" a1 vm-a1 6213 10.1.1.5 acl
	v acl add B port vm-b1 dir in prio 100 action allow proto tcp dport 22
	dropped_carried "its verdict, after an unrelated rule" \
		a1 vm-a1 6213 10.1.1.5
	v acl del B port vm-b1 dir in prio 100
	v acl del A port vm-a2 dir in prio 120
}

# A batch's ACL changes reach the packet path at its commit (vnetctl -b
# defers them, then commits), so the flows take the full path again once
# then, not after each line. a1 streams datagrams to a2 (one a
# millisecond) while a batch adds 2,000 rules that concern neither (on
# b1's port): a1's flow is recomputed at the commit (twice if the
# deferred commit came first, after a second without a line). Then a
# batch's deny of the connection stops the stream: a2, which answers each
# datagram, may have an answer on its way then, and it must not open the
# flow again the other way round (test_conntrack rule_add_udp); and the
# deny's removal lets the stream through again.
batch()
{
	local pid p h m r d u

	opened "a1 to a2" a1 vm-a1 6251 10.1.1.5 vm-a2
	for ((p = 1000; p < 3000; p++)); do
		echo "acl add B port vm-b1 dir in prio $p action allow proto tcp dport 22"
	done >"$WORK/batch"
	vm_bg a1 $UDP stream 6251 10.1.1.5 5000
	pid=$!
	snap vm-a1
	check "a1 streams to a2: hits" retry 50 eval \
		'[ "$(since vm-a1 | cut -d " " -f 1)" -ge 3 ]'
	snap vm-a1
	check "a batch of 2,000 rules on b1's port" v -b "$WORK/batch"
	# One packet after the commit, at least: carried over it.
	check "the stream goes on after the batch" retry 50 eval \
		'[ "$(since vm-a1 | cut -d " " -f 4)" -ge 1 ]'
	read -r h m r c <<<"$(since vm-a1)"
	check "the stream ran through the batch ($h hits, $m misses, $r recomputations)" \
		test $((h + m + r)) -ge 20
	check "a1's flow carried over the commit ($c), not recomputed ($r)" \
		test "$r" -eq 0 -a "$c" -ge 1 -a "$c" -le 2
	echo "acl add A port vm-a2 dir in prio 110 action deny proto udp src 10.1.1.4/32 sport 6251" \
		>"$WORK/deny"
	d=$(counter vm-a1 acl)
	check "a batch denies the stream" v -b "$WORK/deny"
	check "the stream is dropped as acl" \
		retry 50 counter_above vm-a1 acl $((d + 2))
	# From then on every datagram drops: a2 receives none of the next 20.
	u=$(udp_in a2)
	d=$(counter vm-a1 acl)
	check "the stream keeps being dropped" \
		retry 50 counter_above vm-a1 acl $((d + 19))
	check_output "a2 received none of it" "$u" udp_in a2
	echo "acl del A port vm-a2 dir in prio 110" >"$WORK/deny"
	check "a batch deletes the deny" v -b "$WORK/deny"
	snap vm-a1
	check "the stream passes again: hits" retry 50 eval \
		'[ "$(since vm-a1 | cut -d " " -f 1)" -ge 3 ]'
	kill "$pid"
	wait "$pid" 2>/dev/null
	sed 's/^acl add \(.* prio [0-9]*\) .*/acl del \1/' "$WORK/batch" \
		>"$WORK/unbatch"
	check "the 2,000 rules deleted in a batch" v -b "$WORK/unbatch"
}

peering()
{
	opened "a1 to b1" a1 vm-a1 6301 10.2.1.4 vm-b1
	v peering set A ab access off
	stopped "access off" a1 vm-a1 6301 10.2.1.4 peering-access-off
	v peering set A ab access on
	# The connection outlived the drop: its halves knew the old state.
	recomputed "access on again" a1 vm-a1 6301 10.2.1.4 vm-b1
	v peering del B ba
	stopped "the peering's other side deleted" a1 vm-a1 6301 10.2.1.4 \
		peering-not-connected
	v peering add B ba remote A
	recomputed "the peering connected again" a1 vm-a1 6301 10.2.1.4 vm-b1
}

# ip_in VM: the IPv4 packets VM's stack has taken in, its own or to
# forward (not ARP: an appliance's neighbour probes come at any time).
ip_in() { snmp "$1" Ip 4; }

# udp_in VM: the IPv4 UDP datagrams VM has received (InDatagrams).
udp_in() { snmp "$1" Udp 2; }

# snmp VM GROUP FIELD: field FIELD of VM's GROUP counters (/proc/net/snmp).
snmp()
{
	vm "$1" awk -v g="$2:" -v f="$3" '$1 == g && $f ~ /^[0-9]+$/ { print $f }' /proc/net/snmp
}

route()
{
	local rx

	opened "a1 to b1" a1 vm-a1 6401 10.2.1.4 vm-b1
	v route add A s 10.2.0.0/16 nexthop appliance 10.1.2.6
	rx=$(ip_in nva)
	snap vm-a1
	check_output "through the appliance once routed there" reply \
		ask a1 6401 10.2.1.4
	check "a1's packet recomputed" moved vm-a1 '0 0 1'
	check "the appliance got it" test "$(ip_in nva)" -gt "$rx"
	rx=$(ip_in nva)
	snap vm-a1
	check_output "the next one too" reply ask a1 6401 10.2.1.4
	check "a1's packet hit" moved vm-a1 '1 0 0'
	check "the appliance got it" test "$(ip_in nva)" -gt "$rx"
	v route del A s 10.2.0.0/16
	v route add A s 10.2.0.0/16 nexthop none
	stopped "a route to nowhere" a1 vm-a1 6401 10.2.1.4 route-none
	v route del A s 10.2.0.0/16
	rx=$(ip_in nva)
	check_output "direct again once the route is gone" reply \
		ask a1 6401 10.2.1.4
	check "the appliance got nothing" test "$(ip_in nva)" -eq "$rx"
}

port()
{
	opened "a1 to a2" a1 vm-a1 6501 10.1.1.5 vm-a2
	v port set vm-a2 ip 10.1.1.7 ip fd00:1:0:1::5
	stopped "a2's address given up" a1 vm-a1 6501 10.1.1.5 no-port
	v port set vm-a2 ip 10.1.1.5 ip fd00:1:0:1::5
	recomputed "a2's address back" a1 vm-a1 6501 10.1.1.5 vm-a2
	ip -n "$CTL" link set vm-a2 down
	ip -n "$CTL" link del vm-a2
	stopped "a2's interface gone (the port unbound)" a1 vm-a1 6501 \
		10.1.1.5 port-absent
	replug a2 52:54:00:01:01:05 10.1.1.5
	ip -n "$NS_a2" addr add fd00:1:0:1::5/64 dev eth0 nodad
	check "a2's port bound again" retry 50 \
		eval "v port show vm-a2 | grep -qw up"
	recomputed "a2 back" a1 vm-a1 6501 10.1.1.5 vm-a2
}

# An lb's translation is the flow table's too: the client's packets find
# the lb's record (they go to the frontend), then the connection under
# the translated key; the backend's replies find the connection, then
# the record (their source becomes the frontend). A hit translates them
# as the full path does: the backend answers only what reaches its own
# address, and the client's connected socket only what comes from the
# frontend.
lb()
{
	local tx

	v lb add A web frontend 10.1.1.100 proto udp port 5000 \
		backend 10.1.1.5:5000
	v lb add A web6 frontend fd00:1:0:1::100 proto udp port 5000 \
		backend [fd00:1:0:1::5]:5000
	opened "a1 through the lb" a1 vm-a1 6601 10.1.1.100 vm-a2
	opened "a1 through the lb (IPv6)" a1 vm-a1 6601 fd00:1:0:1::100 vm-a2
	v lb del A web6
	# The flow goes on with the new backend at its next datagram.
	v lb replace A web frontend 10.1.1.100 proto udp port 5000 \
		backend 10.1.2.6:5000
	tx=$(counter vm-nva tx-packets)
	snap vm-a1 vm-nva
	check_output "its backend replaced" reply ask a1 6601 10.1.1.100
	check "no hit for the client: the change is recomputed" eval \
		"moved vm-a1 '0 - -' && moved vm-nva '1 0 0'"
	check "the new backend got it" counter_above vm-nva tx-packets "$tx"
	hit_both "the new backend, then hits" a1 vm-a1 6601 10.1.1.100 vm-nva
	v lb del A web
	snap vm-a1
	check_output "the lb deleted" timeout ask a1 6601 10.1.1.100
	check "no hit" moved vm-a1 '0 - -'
	opened "a1 to a2 directly" a1 vm-a1 6602 10.1.1.5 vm-a2
}

# moved_at_least DEV HITS MAX_MISSES: since snap DEV, at least HITS hits
# and at most MAX_MISSES misses.
moved_at_least()
{
	local -a d
	read -ra d <<<"$(since "$1")"
	[ "${d[0]}" -ge "$2" ] && [ "${d[1]}" -le "$3" ] && return
	echo "$1: ${d[0]} hits, ${d[1]} misses" >&2
	return 1
}

# A TCP connection through an lb, 256 KiB each way: after its SYN every
# segment is a hit both ways, translated on the hit (addresses, ports
# and checksums: the data comes back intact, or the connection fails).
lb_tcp()
{
	local pid want got

	v lb add A tweb frontend 10.1.1.101 proto tcp port 7100 \
		backend 10.1.1.5:7100
	head -c 262144 /dev/urandom >"$WORK/lbdata"
	want=$(md5sum <"$WORK/lbdata")
	vm_bg a2 timeout 60 socat -T 20 TCP4-LISTEN:7100,reuseaddr EXEC:cat \
		>/dev/null 2>&1
	pid=$!
	wait_listen a2 tcp 7100
	snap vm-a1 vm-a2
	got=$(vm a1 timeout 50 socat -t 10 - TCP4:10.1.1.101:7100 \
		<"$WORK/lbdata" 2>/dev/null | md5sum)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	check_output "256 KiB through the lb and back, intact" "$want" echo "$got"
	check "the client's segments hit (its SYN a miss)" \
		moved_at_least vm-a1 20 2
	check "the backend's hit, none missed" moved_at_least vm-a2 20 0
	v lb del A tweb
}

# A datagram sent straight to the backend, on the 5-tuple of a1's lb
# connection, proves nothing for the frontend's path: after a route sends
# the frontend nowhere, it still reaches a2 (a direct connection), but
# the next datagram to the frontend must meet that route, not a hit that
# the direct one renewed (each half remembers whether its proof was
# translated: ct_proof()).
lb_route()
{
	local tx pid

	v lb add A web frontend 10.1.1.100 proto udp port 5000 \
		backend 10.1.1.5:5000
	opened "a1 through the lb" a1 vm-a1 6611 10.1.1.100 vm-a2
	v route add A s 10.1.1.100/32 nexthop none
	# a2 answers (from the frontend: its lb record): a socket takes the
	# answer, so that no port unreachable from a1 crosses the counts.
	vm_bg a1 timeout 30 socat -u UDP4-RECV:6611,bind=10.1.1.4 \
		"OPEN:$WORK/answer,creat,append" 2>/dev/null
	pid=$!
	wait_listen a1 udp 6611
	tx=$(counter vm-a2 tx-packets)
	check "a1 straight to a2 on the same 5-tuple" \
		send a1 52:54:00:01:01:04 10.1.1.4,10.1.1.5,6611,5000
	check "a2 got it" retry 20 counter_above vm-a2 tx-packets "$tx"
	check "a2's answer reached a1" retry 50 grep -q "re:" "$WORK/answer"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	stopped "then to the frontend, routed nowhere" a1 vm-a1 6611 \
		10.1.1.100 route-none
	v route del A s 10.1.1.100/32
	recomputed "the route gone, through the lb again" a1 vm-a1 6611 \
		10.1.1.100 vm-a2
	v lb del A web
}

# The backend sends first, straight to the client; then the client goes
# through the lb on that 5-tuple: one connection, whose client half is
# found under the translated key, and whose backend half is the
# backend's reply as the full path sees it (an lb record has its key:
# from the frontend). Each hits as what it is after a change.
lb_backend_first()
{
	v lb add A web frontend 10.1.1.100 proto udp port 5000 \
		backend 10.1.1.5:5000
	check "a2 sends a1 a datagram first" \
		send a2 52:54:00:01:01:05 10.1.1.5,10.1.1.4,5000,6621
	check_output "then a1 through the lb from that port: answered from the frontend" \
		reply ask a1 6621 10.1.1.100
	v acl add A port vm-a2 dir in prio 100 action allow proto tcp dport 22
	recomputed "after a change" a1 vm-a1 6621 10.1.1.100 vm-a2
	v acl del A port vm-a2 dir in prio 100
	v lb del A web
}

endpoint()
{
	local d

	ip -n "$CTL" link add under0 type dummy
	ip -n "$CTL" addr add 192.0.2.1/24 dev under0
	ip -n "$CTL" link set under0 up
	v endpoint add A 10.1.1.9 mac 52:54:00:01:01:09 remote 192.0.2.2
	# No host answers: the datagrams go into the tunnel, unanswered.
	snap vm-a1
	check_output "a1 to an endpoint" timeout ask a1 6701 10.1.1.9
	check "a miss" moved vm-a1 '0 1 0'
	snap vm-a1
	check_output "again" timeout ask a1 6701 10.1.1.9
	check "a hit" moved vm-a1 '1 0 0'
	v endpoint del A 10.1.1.9
	stopped "the endpoint deleted" a1 vm-a1 6701 10.1.1.9 no-port collected
	ip -n "$CTL" link del under0
}

# spoof SRC SPORT DST DPORT [N]: nva, whose port has forwarding on (it may
# send any source), sends one UDP datagram from SRC:SPORT to DST:DPORT, or
# N from SPORT up.
spoof()
{
	vm nva python3 -c '
import socket, sys
src, sport, dst, dport = sys.argv[1:5]
for p in range(int(sport), int(sport) + int(sys.argv[5])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_IP, 19, 1)	# IP_TRANSPARENT: any source
    s.bind((src, p))
    s.sendto(b"squat", (dst, int(dport)))' "$1" "$2" "$3" "$4" "${5:-1}"
}

# A port with forwarding on opens connections in other ports' names; their
# reply halves must not take the keys of those ports' own connections,
# which the flow table keys by sender and 5-tuple alone: a reply half
# whose replies are not routed back to its opener is never found. a1's
# inbound UDP is denied, so its answers pass only on its connections.
squat()
{
	local tx d

	v acl add A port vm-a1 dir in prio 100 action deny proto udp
	tx=$(counter vm-a2 tx-packets)
	check "nva sends from a1's address to a2" spoof 10.1.1.4 6802 10.1.1.5 5000
	check "a2 got it" retry 20 counter_above vm-a2 tx-packets "$tx"
	d=$(counter vm-a2 acl)
	check_output "a1 opens that 5-tuple itself: answered" reply \
		ask a1 6802 10.1.1.5
	check "a2's answer was not dropped" test "$(counter vm-a2 acl)" -eq "$d"
	hit_both "a1's connection, then hits" a1 vm-a1 6802 10.1.1.5 vm-a2

	# The other way: a datagram a1 accepts, as if from a2.
	v acl del A port vm-a1 dir in prio 100
	tx=$(counter vm-a1 tx-packets)
	check "nva sends from a2's address to a1" spoof 10.1.1.5 5000 10.1.1.4 6803
	check "a1 got it" retry 20 counter_above vm-a1 tx-packets "$tx"
	v acl add A port vm-a1 dir in prio 100 action deny proto udp
	check_output "a1 opens the mirror of that 5-tuple: answered" reply \
		ask a1 6803 10.1.1.5
	hit_both "a1's connection, then hits" a1 vm-a1 6803 10.1.1.5 vm-a2
	v acl del A port vm-a1 dir in prio 100
}

# An entry whose replies came back through its opener when it was made
# keeps its reply key until the routes change; then it is obsolete, and
# the connection that needs that key now takes it.
squat_moved()
{
	local tx d

	v acl add A port vm-a1 dir in prio 100 action deny proto udp
	v route add A s 10.1.1.4/32 nexthop appliance 10.1.2.6
	tx=$(counter vm-a2 tx-packets)
	check "nva sends from a1's address to a2 (on a2's way back)" \
		spoof 10.1.1.4 6804 10.1.1.5 5000
	check "a2 got it" retry 20 counter_above vm-a2 tx-packets "$tx"
	v route del A s 10.1.1.4/32
	d=$(counter vm-a2 acl)
	check_output "a1 opens that 5-tuple once the route is gone: answered" \
		reply ask a1 6804 10.1.1.5
	check "a2's answer was not dropped" test "$(counter vm-a2 acl)" -eq "$d"
	hit_both "a1's connection, then hits" a1 vm-a1 6804 10.1.1.5 vm-a2
	v acl del A port vm-a1 dir in prio 100
}

# A stopped flow's verdict (a rule change stopped a UDP flow, test_conntrack
# rule_add_udp) gives its key to a new connection whose replies no longer
# come back to the flow's opener, as a live connection's reply half does
# (squat_moved): a deny on a1's side stops a1's flow to a2, then a1's
# address is routed to nva, which opens that 5-tuple in a1's name. nva
# takes in UDP only as return traffic: a2's answer must come back to it
# as such, not be judged on the rules alone (and dropped).
squat_stopped()
{
	local d rx

	check_output "a1 to a2 from 6806" reply ask a1 6806 10.1.1.5
	v acl add A port vm-a1 dir out prio 120 action deny proto udp sport 6806
	d=$(counter vm-a1 acl)
	check_output "a1's next datagram is stopped" timeout ask a1 6806 10.1.1.5
	check "dropped as acl" counter_above vm-a1 acl "$d"
	v acl add A port vm-nva dir in prio 100 action deny proto udp
	v route add A s 10.1.1.4/32 nexthop appliance 10.1.2.6
	rx=$(ip_in nva)
	d=$(counter vm-a2 acl)
	check "nva sends from a1's address and port to a2" \
		spoof 10.1.1.4 6806 10.1.1.5 5000
	check "a2's answer reached nva" retry 20 eval '[ "$(ip_in nva)" -gt "$rx" ]'
	check "a2's answer was not dropped" test "$(counter vm-a2 acl)" -eq "$d"
	v route del A s 10.1.1.4/32
	v acl del A port vm-nva dir in prio 100
	v acl del A port vm-a1 dir out prio 120
}

# in_fragments DESC VM MAC SPORT: VM sends a datagram in three fragments,
# IP id 4242, from a1's addresses and SPORT to a2's port 5001, in IPv4
# and IPv6; a2 gets all six.
in_fragments()
{
	local tx
	tx=$(counter vm-a2 tx-packets)
	check "$1" craft "$2" "$3" 10.1.1.4,10.1.1.5,"$4",5001,4242,all \
		fd00:1:0:1::4,fd00:1:0:1::5,"$4",5001,4242,all
	check "a2 got the six fragments" \
		retry 20 counter_above vm-a2 tx-packets $((tx + 5))
}

# A fragment entry's reply half is never looked up, but it holds a key
# all the same. nva, with forwarding on, sends first fragments in a1's
# name with the ids a1 will use; a1's own fragment entries must still be
# made, or its later fragments fail closed wherever a rule applies (here
# a2's allow). a2's replies to a1 are routed nowhere, so that a1 is as
# far off its replies' way back as nva is.
squat_fragments()
{
	local d p
	v acl add A port vm-a2 dir in prio 100 action allow proto udp
	for p in 10.1.1.4/32 fd00:1:0:1::4/128; do
		v route add A s $p nexthop none
	done
	in_fragments "nva sends datagrams in fragments in a1's name" \
		nva 52:54:00:01:02:06 6810
	d=$(counter vm-a1 acl)
	in_fragments "a1 sends its own, with the same ids" \
		a1 52:54:00:01:01:04 6811
	check "none of a1's was dropped" test "$(counter vm-a1 acl)" -eq "$d"
	for p in 10.1.1.4/32 fd00:1:0:1::4/128; do
		v route del A s $p
	done
	v acl del A port vm-a2 dir in prio 100
}

# craft VM MAC PACKET...: frag.py's PACKETs from VM's eth0 (MAC) to vnet
# A's router.
craft()
{
	local vm=$1 mac=$2 rmac
	shift 2
	rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
	vm "$vm" $FRAG eth0 "$mac" "$rmac" "$@"
}

# send VM MAC SRC,DST,SPORT,DPORT...: one UDP datagram each, crafted.
send()
{
	local vm=$1 mac=$2
	shift 2
	craft "$vm" "$mac" "${@/%/,1,whole}"
}

# unreachable VM MAC SRC DST QSRC QDST QSPORT QDPORT: an ICMP port
# unreachable from SRC to DST quoting the UDP datagram QSRC:QSPORT to
# QDST:QDPORT, crafted on VM's eth0.
unreachable()
{
	local rmac
	rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
	vm "$1" python3 -c '
import socket, struct, sys
sys.path.insert(0, sys.argv[1])
from frag import ipv4, udp
from inet import csum
mac, rmac, src, dst, qsrc, qdst, qsport, qdport = sys.argv[2:]
_, quoted = ipv4(qsrc, qdst, 7, 0, False,
                 udp(qsrc, qdst, int(qsport), int(qdport), b"x", False))
icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quoted[:28]
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
eth, pkt = ipv4(src, dst, 8, 0, False, icmp, 1)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(bytes.fromhex(rmac.replace(":", "")) +
       bytes.fromhex(mac.replace(":", "")) + eth + pkt)' \
		"$(dirname "$(readlink -f "$0")")" "$2" "$rmac" "${@:3}"
}

# A flow the rules deny is cached too: its next packets are dropped by
# the flow table's lookup (a hit), until the configuration changes. Such
# an entry never lets anything through: a connection whose replies are
# that flow takes its key, and an ICMP error quoting a denied packet is
# not related to anything.
drops()
{
	local d

	v acl add A port vm-a2 dir in prio 100 action deny proto udp
	v acl add A port vm-a1 dir in prio 100 action deny proto icmp
	d=$(counter vm-a1 acl)
	snap vm-a1
	check "a1 sends a denied datagram twice" \
		send a1 52:54:00:01:01:04 10.1.1.4,10.1.1.5,6901,5000 \
		10.1.1.4,10.1.1.5,6901,5000
	check "both dropped as acl" retry 20 counter_above vm-a1 acl $((d + 1))
	check "the first a miss, the second a hit" moved vm-a1 '1 1 0'
	d=$(counter vm-a1 acl)
	snap vm-a1
	check_output "a1 asks the same, denied" timeout ask a1 6901 10.1.1.5
	check "a hit, dropped as acl" eval \
		"moved vm-a1 '1 0 0' && [ \$(counter vm-a1 acl) -gt $d ]"

	# An ICMP error that quotes a denied datagram is related to nothing:
	# a1's inbound ICMP is denied, so it must be dropped (no rule changed
	# since the verdict was cached: nothing checks that entry again).
	d=$(counter vm-a2 acl)
	check "a2 sends an unreachable quoting a1's denied datagram" \
		unreachable a2 52:54:00:01:01:05 10.1.1.5 10.1.1.4 \
		10.1.1.4 10.1.1.5 6901 5000
	check "it is dropped as acl" retry 20 counter_above vm-a2 acl "$d"
	v acl del A port vm-a1 dir in prio 100

	v acl del A port vm-a2 dir in prio 100
	reopened "the deny removed" a1 vm-a1 6901 10.1.1.5 vm-a2

	# a2's datagram to a1's port 6902 is denied and cached; then a1
	# opens 6902 to a2's 5000: a2's answer is that flow, as a reply.
	v acl add A port vm-a1 dir in prio 100 action deny proto udp
	# Earlier cases' verdicts expire (ct_timeout_drop): the count is
	# exact from here.
	check "a2 holds no denied flow" \
		retry 250 eval '[ "$(counter vm-a2 denied-flows)" = 0 ]'
	d=$(counter vm-a2 acl)
	snap vm-a2
	check "a2 sends a1 a denied datagram twice" \
		send a2 52:54:00:01:01:05 10.1.1.5,10.1.1.4,5000,6902 \
		10.1.1.5,10.1.1.4,5000,6902
	check "both dropped as acl" retry 20 counter_above vm-a2 acl $((d + 1))
	check "the second a hit" moved vm-a2 '1 1 0'
	check_output "a2 holds that denied flow" 1 counter vm-a2 denied-flows
	opened "a1 opens the mirror of that flow: answered" a1 vm-a1 6902 \
		10.1.1.5 vm-a2
	check_output "it took the denied flow's place" 0 \
		counter vm-a2 denied-flows
	v acl del A port vm-a1 dir in prio 100
}

# few_connections: the ports hold 8 connections at most, all together.
few_connections()
{
	local d n=0
	for d in vm-a1 vm-a2 vm-nva vm-b1; do
		n=$((n + $(counter "$d" connections)))
	done
	[ "$n" -le 8 ]
}

# small_pools: remembers the shares and the timeouts, waits until no
# port holds a verdict, then sets shares of 16 and a table of 32: pools
# of 4 per port and per vnet, 8 in the namespace. restore_pools puts
# them back (per-port <= per-vnet <= ct_max at every write).
# save_pools alone only remembers them.
declare -A SAVED
save_pools()
{
	local p
	for p in ct_max_per_port ct_max_per_vnet ct_max ct_timeout_drop \
		ct_timeout_udp ct_timeout_udp_stream; do
		SAVED[$p]=$(<$PARAMS/$p)
	done
}
small_pools()
{
	save_pools
	no_verdicts vm-a1 vm-a2 vm-nva vm-b1
	# Room in the small shares for the connections a case opens: what
	# earlier cases left (live for the UDP timeout; reflect shortens
	# its own) is gone first.
	check "the ports hold at most 8 connections" retry 250 few_connections
	echo 16 >$PARAMS/ct_max_per_port
	echo 16 >$PARAMS/ct_max_per_vnet
	echo 32 >$PARAMS/ct_max
}
restore_pools()
{
	local p
	for p in ct_timeout_udp_stream ct_timeout_udp ct_timeout_drop ct_max \
		ct_max_per_vnet ct_max_per_port; do
		echo "${SAVED[$p]}" >$PARAMS/$p
	done
}

# b1_asks_8: b1 asks a2 from source ports 7200-7207; how many answered.
b1_asks_8()
{
	local sp n=0
	for sp in $(seq 7200 7207); do
		[ "$(ask b1 "$sp" 10.1.1.5)" = reply ] && n=$((n + 1))
	done
	echo "$n"
}

# A port with forwarding on can make a VM answer a third one: nva sends
# datagrams from a1's address to b1 (vnet B), and b1's answers go to a1,
# whose inbound UDP is denied. Each answer is a denied flow of b1's; its
# cached verdict must take no place that b1's connections, or vnet B's,
# need. b1 is vnet B's only port, and opens nothing in the other cases.
reflect()
{
	local d

	save_pools
	v acl add A port vm-a1 dir in prio 100 action deny proto udp
	check "b1 holds no entry" retry 250 eval \
		'[ "$(counters vm-b1 connections fragments denied-flows)" = "0 0 0" ]'
	# The verdicts outlive the case however slow the machine.
	echo 600 >$PARAMS/ct_timeout_drop
	d=$(counter vm-b1 acl)
	check "nva sends 20 datagrams from a1's address to b1" \
		spoof 10.1.1.4 7100 10.2.1.4 5000 20
	check "b1's 20 answers are dropped as acl" \
		retry 50 counter_above vm-b1 acl $((d + 19))
	check_output "b1 holds their 20 verdicts" 20 counter vm-b1 denied-flows

	# Shares of 8 (per-port <= per-vnet <= ct_max at every write):
	# verdicts have a pool of a quarter of that, apart, which b1's 20
	# already overflow.
	echo 8 >$PARAMS/ct_max_per_port
	echo 8 >$PARAMS/ct_max_per_vnet
	check_output "b1 opens 8 connections: its whole share" 8 b1_asks_8
	d=$(counter vm-b1 port-share)
	check_output "a ninth is refused" timeout ask b1 7208 10.1.1.5
	check "as port-share" counter_above vm-b1 port-share "$d"
	d=$(counter vm-b1 acl)
	check "b1 sends a1 10 denied datagrams" vm b1 $UDP spray 10 10.1.1.4 5000
	check "dropped as acl" retry 50 counter_above vm-b1 acl $((d + 9))
	check_output "none cached: the pool is full" 20 \
		counter vm-b1 denied-flows
	echo "${SAVED[ct_max_per_vnet]}" >$PARAMS/ct_max_per_vnet
	echo "${SAVED[ct_max_per_port]}" >$PARAMS/ct_max_per_port
	# A verdict's expiry is renewed with the timeout of the moment, and
	# so is a connection's: nva's 20 and b1's 8 go too, leaving room
	# in the small shares of the cases after this one.
	echo 1 >$PARAMS/ct_timeout_drop
	echo 1 >$PARAMS/ct_timeout_udp
	echo 1 >$PARAMS/ct_timeout_udp_stream
	check "nva sends the 20 again: b1's answers renew their verdicts" \
		spoof 10.1.1.4 7100 10.2.1.4 5000 20
	check_output "b1 renews its 8 connections" 8 b1_asks_8
	no_verdicts vm-b1
	check "the ports hold at most 8 connections" retry 250 few_connections
	restore_pools
	v acl del A port vm-a1 dir in prio 100
}

# no_verdicts DEV...: the verdicts the ports hold have expired.
no_verdicts()
{
	local d
	for d; do
		check "$d holds no verdict" \
			retry 250 eval "[ \"\$(counter $d denied-flows)\" = 0 ]"
	done
}

# Verdicts have a pool per vnet too (a quarter of ct_max_per_vnet), so
# that one tenant cannot take the namespace's (a quarter of ct_max) from
# the others. Shares of 16, a table of 32: pools of 4 per port and per
# vnet, 8 in the namespace.
pool()
{
	small_pools
	v acl add A port vm-a2 dir in prio 100 action deny proto udp
	check "a1 sends 10 denied flows" vm a1 $UDP spray 10 10.1.1.5 5000
	check "nva sends 10 denied flows" vm nva $UDP spray 10 10.1.1.5 5000
	check_output "a1 holds 4: its port's pool" 4 counter vm-a1 denied-flows
	check_output "nva holds none: vnet A's pool is full" 0 \
		counter vm-nva denied-flows
	snap vm-b1
	check_output "b1 (vnet B) sends a denied flow" timeout ask b1 7300 10.1.1.5
	check_output "and again" timeout ask b1 7300 10.1.1.5
	check "the second a hit: vnet B's verdict was cached" moved vm-b1 '1 1 0'
	check_output "b1 holds it" 1 counter vm-b1 denied-flows
	restore_pools
	v acl del A port vm-a2 dir in prio 100
}

# A verdict's place in the vnet pool is given back when it goes: taken
# by a connection that needs its key (ct_evict_stale()), or expired.
# Shares of 16: pools of 4 per port and per vnet. Timeouts of 600 s
# while counting (the verdicts outlive the case however slow the
# machine), 1 s only to clear, with the flows sent again to renew them.
pool_back()
{
	local d
	small_pools
	echo 600 >$PARAMS/ct_timeout_drop
	v acl add A port vm-a1 dir in prio 100 action deny proto udp
	local a2=(10.1.1.5,10.1.1.4,5000,7400 10.1.1.5,10.1.1.4,5000,7401
		  10.1.1.5,10.1.1.4,5000,7402 10.1.1.5,10.1.1.4,5000,7403)
	local nva=(10.1.2.6,10.1.1.4,7410,5000 10.1.2.6,10.1.1.4,7411,5000)
	local nva4=(10.1.2.6,10.1.1.4,7420,5000 10.1.2.6,10.1.1.4,7421,5000
		    10.1.2.6,10.1.1.4,7422,5000 10.1.2.6,10.1.1.4,7423,5000)
	check "a2 sends a1 4 denied datagrams" \
		send a2 52:54:00:01:01:05 "${a2[@]}"
	check "a2 holds 4: vnet A's pool" \
		retry 20 eval '[ "$(counter vm-a2 denied-flows)" = 4 ]'
	d=$(counter vm-nva acl)
	check "nva sends a1 2 denied datagrams" \
		send nva 52:54:00:01:02:06 "${nva[@]}"
	check "both dropped as acl" \
		retry 50 counter_above vm-nva acl $((d + 1))
	check_output "nva holds none: the pool is full" 0 \
		counter vm-nva denied-flows
	check_output "a1 opens the flow a2's first verdict denied the other way" \
		reply ask a1 7400 10.1.1.5
	check_output "its key taken, a2 holds 3" 3 counter vm-a2 denied-flows
	check "nva sends the 2 again" send nva 52:54:00:01:02:06 "${nva[@]}"
	check "nva holds 1: the taken verdict's place" \
		retry 20 eval '[ "$(counter vm-nva denied-flows)" = 1 ]'
	d=$(counter vm-nva acl)
	check "nva sends the 2 again" send nva 52:54:00:01:02:06 "${nva[@]}"
	check "both dropped" retry 50 counter_above vm-nva acl $((d + 1))
	check_output "and still 1: the pool is full again" 1 \
		counter vm-nva denied-flows

	# The same flows again renew them with a timeout of 1 s.
	echo 1 >$PARAMS/ct_timeout_drop
	check "a2 sends its 3 again" send a2 52:54:00:01:01:05 "${a2[@]:1}"
	check "nva sends its 2 again" send nva 52:54:00:01:02:06 "${nva[@]}"
	no_verdicts vm-a2 vm-nva
	echo 600 >$PARAMS/ct_timeout_drop
	check "nva sends a1 4 other denied datagrams" \
		send nva 52:54:00:01:02:06 "${nva4[@]}"
	check "nva holds 4: the expired verdicts' places" \
		retry 20 eval '[ "$(counter vm-nva denied-flows)" = 4 ]'
	echo 1 >$PARAMS/ct_timeout_drop
	check "nva sends them again" send nva 52:54:00:01:02:06 "${nva4[@]}"
	no_verdicts vm-nva
	restore_pools
	v acl del A port vm-a1 dir in prio 100
}

# allocs: flow table entries allocated so far (a kprobe on vnet_ft_alloc,
# set up by renew).
allocs() { awk '$1 == "vnet_alloc" { print $2 }' /sys/kernel/tracing/kprobe_profile; }

# A verdict that still stands after a change is renewed in place, not
# killed and made again; a first fragment finds it and leaves it too.
# Counted by a kprobe: no entry is allocated after the first packet.
renew()
{
	local T=/sys/kernel/tracing d n0 probe=
	mountpoint -q $T || mount -t tracefs tracefs $T
	# The debug kernel's trimmed configuration has no kprobe events:
	# there the allocation checks are skipped, and say so.
	if echo 'p:vnet_alloc vnet:vnet_ft_alloc' 2>/dev/null >>$T/kprobe_events; then
		echo 1 >$T/events/kprobes/vnet_alloc/enable
		probe=1
	fi
	v acl add A port vm-a2 dir in prio 100 action deny proto udp
	d=$(counter vm-a1 acl)
	check "a1 sends a denied datagram" \
		send a1 52:54:00:01:01:04 10.1.1.4,10.1.1.5,6950,5000
	check "dropped as acl" retry 20 counter_above vm-a1 acl "$d"
	if [ -n "$probe" ]; then
		n0=$(allocs)
		check "the probe counts" test "$n0" -gt 0
	else
		skip "the probe counts" "no kprobe events in this kernel"
	fi
	v acl add A port vm-a2 dir in prio 150 action allow proto tcp dport 22
	snap vm-a1
	check "again after an unrelated rule" \
		send a1 52:54:00:01:01:04 10.1.1.4,10.1.1.5,6950,5000
	check "dropped as acl" retry 20 counter_above vm-a1 acl $((d + 1))
	check "a hit, carried over the change" moved vm-a1 '1 0 0 1'
	# Below the deny: it matches the flow, and changes nothing.
	v acl add A port vm-a2 dir in prio 200 action allow proto udp dport 5000
	snap vm-a1
	check "again after a rule that matches it" \
		send a1 52:54:00:01:01:04 10.1.1.4,10.1.1.5,6950,5000
	check "dropped as acl" retry 20 counter_above vm-a1 acl $((d + 2))
	check "a recomputation" moved vm-a1 '0 0 1'
	check "then that flow's next datagram in fragments" \
		craft a1 52:54:00:01:01:04 10.1.1.4,10.1.1.5,6950,5000,78,all
	check "and a whole one" \
		send a1 52:54:00:01:01:04 10.1.1.4,10.1.1.5,6950,5000
	check "all dropped as acl" retry 20 counter_above vm-a1 acl $((d + 6))
	check "the whole one a hit" moved vm-a1 '1 3 1'
	if [ -n "$probe" ]; then
		check_output "no entry allocated since the verdict" "$n0" allocs
	else
		skip "no entry allocated since the verdict" "no kprobe events in this kernel"
	fi
	v acl del A port vm-a2 dir in prio 200
	v acl del A port vm-a2 dir in prio 150
	v acl del A port vm-a2 dir in prio 100
	if [ -n "$probe" ]; then
		echo 0 >$T/events/kprobes/vnet_alloc/enable
		echo '-:vnet_alloc' >>$T/kprobe_events
	fi
}

tests_run
done_testing
