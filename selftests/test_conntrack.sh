#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection tracking, the stateful part of the ACLs: return traffic of an
# allowed connection passes an inbound deny-all, ICMP errors pass as
# related, a rule change re-checks open connections, idle timeouts, the
# capacity limits, and entries dying with their ports. IPv4 and IPv6.
#
#   vnet A 10.1/16 fd00:1::/48: web (vm1 .1.4, vm2 .1.5), db (vm3 .2.4)
#   vnet B 10.2/16 fd00:2::/48: vm4 10.2.1.4          (peered with A)
#   vnet T 10.1/16 fd00:1::/48: web (t1 .1.4), db (t3 .2.4)  (A's twin)
#
# One function per case, each leaving the topology as it found it (the
# setup below: vm1 and t1 behind an inbound deny-all, UDP servers on vm3
# and vm4 port 5000): TESTS="related fragments" (VNET_TESTS through
# vm.sh) runs those alone. Connections a case opened stay in the table
# until they time out (UDP 180 s once answered): counts are taken before
# and after, not from zero, except in shares, whose vm5 no other case uses.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	return_traffic
	udp
	related
	twin
	rule_del
	rule_add
	rule_add_udp
	stopped_expires
	fragments
	timeouts
	shares
	port_del
"


UDP="/usr/bin/python3 $(dirname "$(readlink -f "$0")")/udp.py"
PARAMS=/sys/module/vnet/parameters

# A UDP server on VM NAME at ADDR PORT answering after DELAY seconds.
serve() { vm_bg "$1" $UDP serve "$2" "$3" "${4:-0}" >/dev/null 2>&1; }
# bound VM ADDR PORT: waits until a server is bound there (python is slow
# to start on a loaded machine).
bound()
{
	local i a=$2
	[[ "$a" == *:* ]] && a="[$a]"
	for i in $(seq 300); do
		vm "$1" ss -Hlun "src $a:$3" | grep -q . && return
		sleep 0.1
	done
}
# ask VM SPORT ADDR PORT [WAIT]: prints reply, refused or timeout.
ask() { vm "$1" $UDP ask "$2" "$3" "$4" "${5:-2}"; }

# A TCP stream of a line every 0.1 s from FROM to TO, ADDR PORT.
stream_start()
{
	: >"$WORK/stream"
	local ns="NS_$1" i
	vm_bg "$2" timeout 60 nc $(family "$3") -l "$4" >"$WORK/stream" 2>/dev/null
	STREAM_PIDS=$!
	wait_listen "$2" tcp "$4"
	(for i in $(seq 600); do echo "$i"; sleep 0.1; done) |
		ip netns exec "${!ns}" timeout 60 nc "$3" "$4" >/dev/null 2>&1 &
	STREAM_PIDS+=" $!"
}
lines() { wc -l <"$WORK/stream"; }
lines_above() { [ "$(lines)" -gt "$1" ]; }
stream_flows() { busywait 10000 lines_above "$(lines)"; }
# stream_stopped DEV: the stream's packets are dropped on DEV as acl (two of
# them: no more pass), and while one more is dropped (a TCP retransmit),
# no line arrives. Retransmits back off (0.2 s, doubling): by the third
# drop the next can be seconds away, hence the generous bound.
stream_stopped()
{
	local d n
	d=$(counter "$1" acl)
	busywait 20000 counter_above "$1" acl $((d + 1)) ||
		{ echo "no acl drops on $1" >&2; return 1; }
	n=$(lines)
	d=$(counter "$1" acl)
	busywait 40000 counter_above "$1" acl "$d" ||
		{ echo "no more acl drops on $1" >&2; return 1; }
	[ "$(lines)" -eq "$n" ] || { echo "lines went on: $n, $(lines)" >&2; return 1; }
}
stream_stop() { kill $STREAM_PIDS 2>/dev/null; wait $STREAM_PIDS 2>/dev/null; }

v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
v vnet add T id 3 prefix 10.1.0.0/16 prefix fd00:1::/48
v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
v subnet add A db prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
v subnet add B s prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
v subnet add T web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
v subnet add T db prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
v peering add A ab remote B
v peering add B ba remote A
add_vm vm1 A web 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
add_vm vm2 A web 10.1.1.5 fd00:1:0:1::5 52:54:00:00:01:05
add_vm vm3 A db 10.1.2.4 fd00:1:0:2::4 52:54:00:00:02:04
add_vm vm4 B s 10.2.1.4 fd00:2:0:1::4 52:54:00:00:04:04
add_vm t1 T web 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
add_vm t3 T db 10.1.2.4 fd00:1:0:2::4 52:54:00:00:02:04
add_vm vm5 A web 10.1.1.6 fd00:1:0:1::6 52:54:00:00:01:06


check "inbound deny-all on vm1's port" \
	v acl add A port vm-vm1 dir in prio 100 action deny
check "inbound deny-all on t1's port (twin vnet)" \
	v acl add T port vm-t1 dir in prio 100 action deny
serve vm3 0.0.0.0 5000
serve vm3 :: 5000
serve vm4 0.0.0.0 5000
wait_listen vm3 udp 5000 2
wait_listen vm4 udp 5000

# Return traffic of what vm1 opens passes; what others open does not.
return_traffic()
{
	local a
	for a in 10.1.2.4 fd00:1:0:2::4; do
		check "TCP from vm1 to $a gets its return traffic" tcp_ok vm1 vm3 "$a" 7000
		check "ping from vm1 to $a gets its replies" reach vm1 "$a"
	done
	for a in 10.1.1.4 fd00:1:0:1::4; do
		check "vm3 cannot open TCP to vm1 ($a)" tcp_dropped vm3 vm1 "$a" 7000 acl
		check "vm3 cannot ping vm1 ($a)" no_reach vm3 "$a" acl
	done
}

udp()
{
	check_output "UDP from vm1 to vm3 gets its answer" reply ask vm1 4000 10.1.2.4 5000
	check_output "UDP over IPv6 too" reply ask vm1 4000 fd00:1:0:2::4 5000
	check_output "across a peering too" reply ask vm1 4001 10.2.1.4 5000
	# At least these three UDP flows (answered: 180 s); on a loaded machine
	# the echoes and TCP connections of return_traffic may have expired.
	check "vm1's port counts the connections it opened" \
		test "$(counter vm-vm1 connections)" -ge 3
}

# ICMP errors about a tracked connection are related: a closed port's
# "port unreachable" reaches vm1 through its deny-all.
related()
{
	check_output "ICMP port unreachable passes as related" refused \
		ask vm1 4002 10.1.2.4 5999
	check_output "ICMPv6 port unreachable passes as related" refused \
		ask vm1 4002 fd00:1:0:2::4 5999
}

# The key holds the ports, and so the vnets: in the twin vnet T, the mirror
# of vm1's flow (same addresses and ports) is not return traffic.
twin()
{
	local before
	check_output "vm1's flow to vm3 port 5000, which T's t3 mirrors" reply \
		ask vm1 4000 10.1.2.4 5000
	before=$(counter vm-t3 acl)
	check_output "the mirror packet in twin vnet T is no reply" timeout \
		ask t3 5000 10.1.1.4 4000 1
	check "and t3's port counts it as an acl drop" \
		test "$(counter vm-t3 acl)" -gt "$before"
}

# Removing the rule that allows an open connection stops it.
rule_del()
{
	local a before
	check "vm3 inbound: allow tcp 7100 at 100" \
		v acl add A port vm-vm3 dir in prio 100 action allow proto tcp dport 7100
	check "vm3 inbound: deny all at 200" \
		v acl add A port vm-vm3 dir in prio 200 action deny
	for a in 10.1.2.4 fd00:1:0:2::4; do
		stream_start vm2 vm3 "$a" 7100
		check "a TCP stream from vm2 to $a flows" retry 3 stream_flows
		before=$(counter vm-vm2 acl)
		check "acl del of the allowing rule" v acl del A port vm-vm3 dir in prio 100
		check "the open connection stops" stream_stopped vm-vm2
		check "its packets are counted as acl drops" \
			test "$(counter vm-vm2 acl)" -gt "$before"
		stream_stop
		v acl add A port vm-vm3 dir in prio 100 action allow proto tcp dport 7100
	done
	v acl del A port vm-vm3 dir in prio 100
	v acl del A port vm-vm3 dir in prio 200
}

# So does a new deny rule: open connections are not grandfathered.
rule_add()
{
	stream_start vm2 vm3 10.1.2.4 7200
	check "a TCP stream from vm2 to vm3 flows without rules" retry 3 stream_flows
	check "acl add of a deny rule on db" \
		v acl add A subnet db dir in prio 10 action deny proto tcp dport 7200
	check "the open connection stops" stream_stopped vm-vm2
	stream_stop
	v acl del A subnet db dir in prio 10
}

# So does a new deny of a UDP flow, whichever side's datagram comes first
# after it. UDP has no roles: a datagram the rules allow opens a flow
# from either side. But an answer that was on its way when the rule came
# may pass (the rules allow that direction), and must not open the flow
# again the other way round: the denied datagrams would be its replies,
# and a flow that both sides keep busy would never stop. vm3's late
# answer is sent by hand, from the port vm2 wrote to; nothing listens on
# either side (5002, and vm2's source port), so each datagram that
# arrives is answered by a port unreachable ("refused").
rule_add_udp()
{
	local d first sport=4100
	for first in answer datagram; do
		check_output "UDP from vm2 to vm3 opens a flow ($first first)" refused \
			ask vm2 $sport 10.1.2.4 5002
		check "acl add of a deny of that flow ($first first)" \
			v acl add A subnet db dir in prio 10 action deny proto udp \
			src 10.1.1.5/32 sport $sport
		d=$(counter vm-vm2 acl)
		[ "$first" = answer ] ||
			check_output "vm2's next datagram is dropped" timeout \
				ask vm2 $sport 10.1.2.4 5002 1
		check_output "vm3's late answer passes on the rules alone ($first first)" \
			refused ask vm3 5002 10.1.1.5 $sport
		check_output "vm2's datagram after it is dropped ($first first)" timeout \
			ask vm2 $sport 10.1.2.4 5002 1
		check "counted as acl on vm2's port ($first first)" \
			counter_above vm-vm2 acl "$d"
		v acl del A subnet db dir in prio 10
		check_output "the deny deleted, the flow opens again ($first first)" refused \
			ask vm2 $sport 10.1.2.4 5002
		sport=$((sport + 1))
	done
}

# A stopped flow's verdict keeps the connection's place in the opener's
# share for one drop timeout from the stop (2 s here), however busy the
# denied side keeps it: then its datagrams make a denied flow's verdict,
# in the verdicts' pool (denied-flows). Else a VM made to answer (by a
# port with forwarding on, in another VM's name) could hold its share.
stopped_expires()
{
	local old d pid
	old=$(cat $PARAMS/ct_timeout_drop)
	echo 2 >$PARAMS/ct_timeout_drop
	check "vm2 holds no denied flow's verdict" \
		busywait 40000 eval '[ "$(counter vm-vm2 denied-flows)" -eq 0 ]'
	check_output "UDP from vm2 to vm3 opens a flow" refused \
		ask vm2 4200 10.1.2.4 5002
	v acl add A subnet db dir in prio 10 action deny proto udp \
		src 10.1.1.5/32 sport 4200
	d=$(counter vm-vm2 acl)
	vm_bg vm2 $UDP stream 4200 10.1.2.4 5002
	pid=$!
	check "vm2's stream is stopped" busywait 10000 counter_above vm-vm2 acl "$d"
	check "its verdict becomes a denied flow's while the stream runs" \
		busywait 20000 counter_above vm-vm2 denied-flows 0
	kill "$pid"
	wait "$pid" 2>/dev/null
	v acl del A subnet db dir in prio 10
	echo "$old" >$PARAMS/ct_timeout_drop
}

# Later fragments follow their first fragment. frag.py sends UDP datagrams
# from vm2 to vm3 in three fragments each (one python run: it takes a
# second to start under emulation); tcpdump on vm3 records what arrives.
send_frags()	# DST,DPORT,IPID[,later]...: sends them, records arrivals
{
	local rmac
	rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
	# Controls, UDP from vm2 to vm3's allowed port 9001, not fragmented:
	# from port 4999, until the capture shows one (it runs), and from 4998
	# right after the fragments (what came before it has been captured).
	cap_start frag vm3 eth0 \
		'(ip src 10.1.1.5 and ip[6:2] & 0x3fff != 0) or (ip6 src fd00:1:0:1::5 and ip6[6] == 44) or (ip src 10.1.1.5 and udp dst port 9001 and udp src portrange 4998-4999)'
	FRAG_SYNC="the capture on vm3 never ran"
	cap_sync frag 'udp src port 4999' udp_control vm2 10.1.2.4 9001 4999 || return 1
	local c src dst dport ipid later specs=()
	for c in "$@"; do	# DST,DPORT,IPID[,later] as frag.py wants it
		IFS=, read -r dst dport ipid later <<<"$c"
		[[ $dst == *:* ]] && src=fd00:1:0:1::5 || src=10.1.1.5
		specs+=("$src,$dst,4000,$dport,$ipid,${later:-all}")
	done
	vm vm2 /usr/bin/python3 "$(dirname "$0")/frag.py" eth0 52:54:00:00:01:05 "$rmac" \
		"${specs[@]}" 10.1.1.5,10.1.2.4,4998,9001,1,whole
	FRAG_SYNC="the capture on vm3 missed the last control"
	cap_sync frag 'udp src port 4998' true || return 1
	FRAG_SYNC=ok
	cap_stop frag
}
arrived()	# DST IPID: how many fragments of that datagram vm3 received
{
	local f="ip[4:2] == $2 and not udp src portrange 4998-4999"
	[[ "$1" != *:* ]] || f="ip6[44:4] == $2"
	# Nothing to count unless the capture saw both controls.
	[ "${FRAG_SYNC:-}" = ok ] || { echo "${FRAG_SYNC:-no capture}"; return 1; }
	cap_count frag "$f"
}
fragments()
{
	local a n
	check "vm3 inbound: allow udp 9001 at 10" \
		v acl add A port vm-vm3 dir in prio 10 action allow proto udp dport 9001
	check "vm3 inbound: deny all at 20" v acl add A port vm-vm3 dir in prio 20 action deny
	FRAGS_WANT=6 send_frags 10.1.2.4,9001,101 10.1.2.4,9000,102 10.1.2.4,9001,103,later \
		fd00:1:0:2::4,9001,104 fd00:1:0:2::4,9000,105 fd00:1:0:2::4,9001,106,later
	for a in 10.1.2.4 fd00:1:0:2::4; do
		[[ "$a" == *:* ]] && n=104 || n=101
		check_output "all three fragments to allowed port 9001 arrive ($a)" 3 arrived "$a" "$n"
		check_output "no fragment to denied port 9000 arrives ($a)" 0 arrived "$a" $((n + 1))
		check_output "later fragments without their first do not pass ($a)" 0 \
			arrived "$a" $((n + 2))
	done
	v acl del A port vm-vm3 dir in prio 10
	v acl del A port vm-vm3 dir in prio 20
	FRAGS_WANT=2 send_frags 10.1.2.4,9001,107,later
	check_output "without rules later fragments pass alone" 2 arrived 10.1.2.4 107
}

# late_dropped: the answer comes after 3 s and finds no connection: vm3's
# port drops it (vm1's deny-all), and vm1 has received nothing.
late_dropped()
{
	counted vm-vm3 acl vm1 /usr/bin/python3 -u "${UDP#* }" ask 4011 10.1.2.4 5001 6 ||
		return 1
	[ ! -s "$WORK/counted" ] || { cat "$WORK/counted" >&2; return 1; }
}
# Idle timeouts are module parameters: an answer later than the UDP
# timeout finds no connection.
timeouts()
{
	local old server
	serve vm3 0.0.0.0 5001 3
	server=$!
	wait_listen vm3 udp 5001
	check_output "an answer after 3 s passes with the default 30 s timeout" \
		reply ask vm1 4010 10.1.2.4 5001 6
	old=$(cat $PARAMS/ct_timeout_udp)
	echo 1 >$PARAMS/ct_timeout_udp
	check "with ct_timeout_udp=1 the late answer is dropped" late_dropped
	echo "$old" >$PARAMS/ct_timeout_udp
	kill "$server"
	wait "$server" 2>/dev/null
}

# Capacity: a port's share, then the namespace's; established connections
# keep working and other ports are not starved by one. vm5 sends nothing
# in any other case, so its count is exact. (test_flood.sh: the vnet's
# share.)
shares()
{
	local old_port old_vnet old_max share full conns
	old_port=$(cat $PARAMS/ct_max_per_port)
	old_vnet=$(cat $PARAMS/ct_max_per_vnet)
	old_max=$(cat $PARAMS/ct_max)
	share=$(counter vm-vm5 port-share)
	full=$(counter vm-vm4 conntrack-full)
	conns=$(counter vm-vm4 connections)
	echo 2 >$PARAMS/ct_max_per_port
	check_output "vm5 opens a connection" reply ask vm5 4020 10.1.2.4 5000
	check_output "and a second one: its share is 2" reply ask vm5 4021 10.1.2.4 5000
	check_output "a third is refused" timeout ask vm5 4022 10.1.2.4 5000 1
	check "and counted as port-share" test "$(counter vm-vm5 port-share)" -eq $((share + 1))
	check "not as conntrack-full" test "$(counter vm-vm5 conntrack-full)" -eq 0
	check_output "vm5's open connection still works" reply ask vm5 4020 10.1.2.4 5000
	check_output "another port (vm4, across the peering) still opens one" \
		reply ask vm4 4023 10.1.2.4 5000
	check "counted on vm4's port" test "$(counter vm-vm4 connections)" -eq $((conns + 1))

	# A namespace table of 2, which vnet A alone fills (vm5's two at
	# least): vm4 (vnet B, one connection) is within its port's and
	# vnet's shares of 2. The order per-port <= per-vnet <= ct_max must
	# hold at every write.
	echo 2 >$PARAMS/ct_max_per_vnet
	echo 2 >$PARAMS/ct_max
	check_output "a full namespace refuses a new connection" \
		timeout ask vm4 4024 10.1.2.4 5000 1
	check "counted as conntrack-full on vm4" \
		test "$(counter vm-vm4 conntrack-full)" -eq $((full + 1))
	check_output "vm5's open connection still works" reply ask vm5 4021 10.1.2.4 5000
	echo "$old_max" >$PARAMS/ct_max
	echo "$old_vnet" >$PARAMS/ct_max_per_vnet
	echo "$old_port" >$PARAMS/ct_max_per_port
}

# Entries die with their ports, also many (the collector's walk pauses
# every 1,024 entries). The ports come back at the end.
vm1_idle() { [ "$(counter vm-vm1 connections)" -eq 0 ]; }
port_del()
{
	local old

	# Under a debug kernel the spray outlasts the 30 s UDP timeout: its
	# first connections must not expire before they are counted.
	old=$(cat $PARAMS/ct_timeout_udp)
	echo 600 >$PARAMS/ct_timeout_udp
	check_output "vm1 opens 3000 more connections" 3000 vm vm1 $UDP spray 3000 10.1.2.4 5000
	check "vm1 counts them" test "$(counter vm-vm1 connections)" -ge 3000
	echo "$old" >$PARAMS/ct_timeout_udp
	v port del vm-vm3
	v port del vm-vm4
	v port del vm-vm2
	check "removing the other ports frees vm1's connections" retry 50 vm1_idle
	v port add vm-vm3 vnet A subnet db mac 52:54:00:00:02:04 ip 10.1.2.4 ip fd00:1:0:2::4
	# Flow keys name ports by their account's id, which a new port may
	# reuse once no entry names it: what vm1 sends the new vm3 is new.
	check_output "vm1 sends the new vm3 a datagram" 1 vm vm1 $UDP spray 1 10.1.2.4 5000
	check "it opens one new connection" test "$(counter vm-vm1 connections)" -eq 1
	v port add vm-vm4 vnet B subnet s mac 52:54:00:00:04:04 ip 10.2.1.4 ip fd00:2:0:1::4
	v port add vm-vm2 vnet A subnet web mac 52:54:00:00:01:05 ip 10.1.1.5 ip fd00:1:0:1::5
}

tests_run
done_testing
