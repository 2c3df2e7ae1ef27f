#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Internal load balancers (rule 11): TCP and UDP through a frontend, IPv4
# and IPv6, from the lb's vnet and from a connected peer with access on;
# not from a peer with access off nor over an initiated peering; replies
# from the frontend; stickiness and spreading; backends going away; the
# ACLs on the translated packet; every refusal, rule 12, vnet del.
#
# One function per case, each leaving the topology as it found it (the
# setup below, with the four lbs web, web6, dns and dns6): TESTS="traffic
# acls" (VNET_TESTS through vm.sh) runs those alone. Except vnet_del, which
# deletes vnet A and so runs last: a case after it fails.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	add_show
	traffic
	frontend_on_wire
	denied_cases
	fragments_icmp
	short_first_fragment
	acls
	rule_add_udp
	trace
	refusals
	bad_usage
	batch
	backend_removed
	replace
	backend_gone
	peer_lb
	clash
	own_prefix
	monitor
	vnet_del
"

# Topology:
#
#   vnet A 10.1.0.0/16 fd00:1::/48, subnet s 10.1.1.0/24 fd00:1:0:1::/64:
#       backends b1 .4, b2 .5, b3 .6 (lb.py serve on 8080), client c1 .10
#       lb web   frontend 10.1.0.100  tcp 80 -> b1..b3:8080 (off-subnet)
#       lb web6  frontend fd00:1::100 tcp 80 -> b1..b3:8080
#       lb dns   frontend 10.1.1.200  udp 53 -> b1..b3:8080 (on-link)
#       lb dns6  frontend fd00:1:0:1::200 udp 53 -> b1..b3:8080
#   vnet P 10.2.0.0/16 fd00:2::/48: p1 .1.4, peered with A, access on
#   vnet Q 10.3.0.0/16 fd00:3::/48: q1 .1.4, peered with A, access off on Q's side
#   vnet R 10.4.0.0/16 fd00:4::/48: r1 .1.4, peering R -> A only (initiated)
#   vnet E 10.5.0.0/16 10.50.0.0/24 (no peerings): e1 .1.4, lb x on 10.50.0.10
#   lb pweb of P: frontend 10.2.0.50 tcp 80 -> p1:8080, used from A

LB="/usr/bin/python3 $(dirname "$(realpath "$0")")/lb.py"
UDP="/usr/bin/python3 $(dirname "$(realpath "$0")")/udp.py"

add_vnets A:1 P:2 Q:3 R:4
add_vm b1 A s 10.1.1.4 fd00:1:0:1::4 52:54:00:01:01:04
add_vm b2 A s 10.1.1.5 fd00:1:0:1::5 52:54:00:01:01:05
add_vm b3 A s 10.1.1.6 fd00:1:0:1::6 52:54:00:01:01:06
add_vm c1 A s 10.1.1.10 fd00:1:0:1::10 52:54:00:01:01:10
add_vm p1 P s 10.2.1.4 fd00:2:0:1::4 52:54:00:02:01:04
add_vm q1 Q s 10.3.1.4 fd00:3:0:1::4 52:54:00:03:01:04
add_vm r1 R s 10.4.1.4 fd00:4:0:1::4 52:54:00:04:01:04
v peering add A a-p remote P
v peering add P p-a remote A
v peering add A a-q remote Q
v peering add Q q-a remote A access off
v peering add R r-a remote A
for b in b1 b2 b3; do
	vm_bg "$b" $LB serve "$b" 8080 >/dev/null 2>&1
done
vm_bg p1 $LB serve p1 8080 >/dev/null 2>&1	# for pweb

state()		# what a refusal must leave alone (one vnetctl: a batch)
{
	printf '%s\n' "lb show" "port show" "vnet show" "endpoint show" | v -j -b -
}

BACKENDS4="backend 10.1.1.4:8080 backend 10.1.1.5:8080 backend 10.1.1.6:8080"
BACKENDS6="backend [fd00:1:0:1::4]:8080 backend [fd00:1:0:1::5]:8080 backend [fd00:1:0:1::6]:8080"

# shellcheck disable=SC2086
lbs_add()	# the four lbs of the setup
{
	v lb add A web frontend 10.1.0.100 proto tcp port 80 $BACKENDS4 &&
		v lb add A web6 frontend fd00:1::100 proto tcp port 80 $BACKENDS6 &&
		v lb add A dns frontend 10.1.1.200 proto udp port 53 $BACKENDS4 &&
		v lb add A dns6 frontend fd00:1:0:1::200 proto udp port 53 $BACKENDS6
}
lbs_add
for b in b1 b2 b3 p1; do	# the backends start
	wait_listen "$b" tcp 8080
	wait_listen "$b" udp 8080
done

# ---- traffic: every answer comes through a connected socket, so it came
# from the frontend address and port ----

# lb_ask DESC VM PROTO ADDR PORT CONNS REQS: every connection answered, all
# requests of one connection by the same backend.
lb_ask()
{
	local desc=$1 out line w bad=""
	shift
	out=$(vm "$1" $LB ask "$2" "$3" "$4" "$5" "$6" 2>&1)
	while read -r line; do
		[ "$line" = failed ] && bad="a connection failed"
		for w in $line; do
			[ "$w" = "${line%% *}" ] || bad="a connection changed backend: $line"
		done
	done <<<"$out"
	[ "$(wc -l <<<"$out")" -eq "$5" ] || bad="expected $5 connections"
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		fail "$desc" "$bad
$out"
	fi
	printf '%s\n' "$out" >"$WORK/last"
}

# spread DESC: the last lb_ask reached at least two backends.
spread()
{
	local n
	n=$(awk '{ print $1 }' "$WORK/last" | sort -u | grep -c '^b')
	if [ "$n" -ge 2 ]; then
		ok "$1"
	else
		fail "$1" "$(cat "$WORK/last")"
	fi
}

# denied DESC VM PROTO ADDR PORT DEV REASON: one connection's first packet
# is counted as REASON on DEV, and no answer came (decided once the
# counter moves: lb.py is killed then).
denied()
{
	local err
	if ! err=$(counted "$6" "$7" "$2" env LB_TRIES=2 PYTHONUNBUFFERED=1 \
		$LB ask "$3" "$4" "$5" 1 1 2>&1); then
		fail "$1" "$err; lb.py: $(cat "$WORK/counted")"
	elif grep -q '^b' "$WORK/counted"; then
		fail "$1" "answered: $(cat "$WORK/counted")"
	else
		ok "$1"
	fi
}

# tcpdump in a VM, started in the background; decisions wait until it
# listens, and until what it must have seen is in its file.
CAPTURES=()
capture()	# VM FILE FILTER: tcpdump in the background
{
	vm_bg "$1" timeout 900 tcpdump -U --immediate-mode -nni eth0 -w "$2" "$3" \
		2>"$2.err"
	CAPTURES+=($!)
}
capturing()	# FILE...: true once each FILE's tcpdump captures (not named
		# "listening": lib.sh's wait_listen calls that one)
{
	local i f
	for f in "$@"; do
		for i in $(seq 300); do
			grep -q "listening on" "$f.err" 2>/dev/null && break
			sleep 0.1
		done
		grep -q "listening on" "$f.err" 2>/dev/null || return 1
	done
}
captured()	# FILE FILTER N: true once FILE holds N packets matching FILTER
{
	local i
	for i in $(seq 50); do
		[ "$(tcpdump -nr "$1" "$2" 2>/dev/null | wc -l)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
addr_of() { case $1 in b1) echo 10.1.1.4 ;; b2) echo 10.1.1.5 ;; b3) echo 10.1.1.6 ;; esac; }

# shellcheck disable=SC2086
add_show()
{
	v lb del A web; v lb del A web6; v lb del A dns; v lb del A dns6
	check "lb add (IPv4, tcp)" v lb add A web frontend 10.1.0.100 proto tcp port 80 $BACKENDS4
	check "lb add (IPv6, tcp)" v lb add A web6 frontend fd00:1::100 proto tcp port 80 $BACKENDS6
	check "lb add (IPv4, udp, on-link frontend)" v lb add A dns frontend 10.1.1.200 proto udp port 53 $BACKENDS4
	check "lb add (IPv6, udp)" v lb add A dns6 frontend fd00:1:0:1::200 proto udp port 53 $BACKENDS6
	check_output "lb show: sorted by name, command-line words" \
"A dns frontend 10.1.1.200 proto udp port 53 backend 10.1.1.4:8080 backend 10.1.1.5:8080 backend 10.1.1.6:8080
A dns6 frontend fd00:1:0:1::200 proto udp port 53 backend [fd00:1:0:1::4]:8080 backend [fd00:1:0:1::5]:8080 backend [fd00:1:0:1::6]:8080
A web frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.4:8080 backend 10.1.1.5:8080 backend 10.1.1.6:8080
A web6 frontend fd00:1::100 proto tcp port 80 backend [fd00:1:0:1::4]:8080 backend [fd00:1:0:1::5]:8080 backend [fd00:1:0:1::6]:8080" \
		v lb show
	check_output "lb show -j VNET: a JSON array, backends as \"IP:PORT\" strings" \
'[{"vnet":"A","name":"dns","frontend":"10.1.1.200","proto":"udp","port":53,"backends":["10.1.1.4:8080","10.1.1.5:8080","10.1.1.6:8080"]},{"vnet":"A","name":"dns6","frontend":"fd00:1:0:1::200","proto":"udp","port":53,"backends":["[fd00:1:0:1::4]:8080","[fd00:1:0:1::5]:8080","[fd00:1:0:1::6]:8080"]},{"vnet":"A","name":"web","frontend":"10.1.0.100","proto":"tcp","port":80,"backends":["10.1.1.4:8080","10.1.1.5:8080","10.1.1.6:8080"]},{"vnet":"A","name":"web6","frontend":"fd00:1::100","proto":"tcp","port":80,"backends":["[fd00:1:0:1::4]:8080","[fd00:1:0:1::5]:8080","[fd00:1:0:1::6]:8080"]}]' \
		v -j lb show A
	check_output "lb show of a vnet without lbs is empty" "[]" v -j lb show P
}

traffic()
{
	lb_ask "TCP from the vnet (IPv4): sticky connections" c1 tcp 10.1.0.100 80 12 4
	spread "TCP connections spread over backends (IPv4)"
	lb_ask "TCP from the vnet (IPv6): sticky connections" c1 tcp fd00:1::100 80 12 4
	spread "TCP connections spread over backends (IPv6)"
	lb_ask "UDP from the vnet (IPv4, on-link frontend)" c1 udp 10.1.1.200 53 12 4
	spread "UDP flows spread over backends (IPv4)"
	lb_ask "UDP from the vnet (IPv6)" c1 udp fd00:1:0:1::200 53 12 4
	spread "UDP flows spread over backends (IPv6)"
	lb_ask "TCP from a connected peer with access on (IPv4)" p1 tcp 10.1.0.100 80 4 3
	lb_ask "TCP from a connected peer with access on (IPv6)" p1 tcp fd00:1::100 80 4 3
	lb_ask "UDP from a connected peer with access on (IPv4)" p1 udp 10.1.1.200 53 4 3
	lb_ask "UDP from a connected peer with access on (IPv6)" p1 udp fd00:1:0:1::200 53 4 3
}

# What the client sees on the wire: the frontend, never a backend.
frontend_on_wire()
{
	if ! command -v tcpdump >/dev/null; then
		fail "the client's packets come from the frontend address and port" \
			"no tcpdump in the VM"
		return
	fi
	# Between two controls, UDP from the client to b1's port 9 (left out):
	# the capture runs before the connection and has all of it after.
	cap_start dump c1 eth0 'tcp or udp port 9'
	cap_sync dump 'udp dst port 9 and udp src port 4999' udp_control c1 10.1.1.4 9 4999
	lb_ask "TCP while tcpdump watches the client" c1 tcp 10.1.0.100 80 1 2
	cap_sync dump 'udp dst port 9 and udp src port 4998' udp_control c1 10.1.1.4 9 4998
	cap_stop dump
	cap_show dump 'tcp' >"$WORK/dump"
	if grep -q "IP 10.1.0.100.80 > 10.1.1.10" "$WORK/dump" &&
		! grep -q "10.1.1.[456].8080" "$WORK/dump"; then
		ok "the client's packets come from the frontend address and port"
	else
		fail "the client's packets come from the frontend address and port" \
			"$(cat "$WORK/dump" "$WORK/dump.err")"
	fi
}

denied_cases()
{
	denied "not from a peer whose side has access off" q1 udp 10.1.1.200 53 vm-q1 peering-access-off
	denied "not over an initiated peering" r1 udp fd00:1:0:1::200 53 vm-r1 peering-not-connected
	denied "another port on the frontend: dropped as lb-no-rule (tcp)" c1 tcp 10.1.0.100 81 vm-c1 lb-no-rule
	denied "another protocol on the frontend: dropped as lb-no-rule (udp 80)" c1 udp 10.1.0.100 80 vm-c1 lb-no-rule
	check "ping to a frontend is not answered" no_reach c1 10.1.0.100 lb-no-rule
}

# A first fragment whose TCP header ends after the ports parses (the
# ports are all an ACL needs) but cannot be translated: malformed, not a
# failed allocation (found by the packet fuzzer).
short_first_fragment()
{
	local rmac nomem frag
	rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
	frag="/usr/bin/python3 $(dirname "$(realpath "$0")")/frag.py"
	nomem=$(counter vm-c1 no-memory)
	check "a first fragment with 8 bytes of TCP to a frontend drops as malformed (IPv4)" \
		counted vm-c1 malformed c1 $frag eth0 52:54:00:01:01:10 "$rmac" \
		10.1.1.10,10.1.0.100,40001,80,77,tcphead
	check "and so does one over IPv6" \
		counted vm-c1 malformed c1 $frag eth0 52:54:00:01:01:10 "$rmac" \
		fd00:1:0:1::10,fd00:1::100,40001,80,78,tcphead
	check_output "neither counts as no-memory" "$nomem" counter vm-c1 no-memory
}

# ---- fragments and ICMP errors, through lbs with the one backend b1 ----
# A UDP datagram larger than the MTU crosses in fragments both ways: later
# fragments follow their first. ICMP errors about an lb connection are
# translated like its packets: b1's "fragmentation needed" and "packet too
# big" reach the client from the frontend (its sockets learn the path
# MTU), the client's errors about b1's answers reach b1, both as related
# to the connection through rules that deny ICMP. tcpdump in both
# records what arrives; lb_icmp_check.py checks addresses, ports and
# checksums.
ICMPPY="/usr/bin/python3 $(dirname "$(realpath "$0")")/lb_icmp.py"
fragments_icmp()
{
	local rmac before i dev c big
	rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
	v lb add A frag frontend 10.1.0.120 proto udp port 5300 backend 10.1.1.4:8080
	v lb add A frag6 frontend fd00:1::120 proto udp port 5300 backend "[fd00:1:0:1::4]:8080"
	CAPTURES=()
	capture c1 "$WORK/c1.pcap" "ip or ip6"
	capture b1 "$WORK/b1.pcap" "icmp or icmp6"
	if capturing "$WORK/c1.pcap" "$WORK/b1.pcap"; then
		ok "tcpdump captures in the client and in the backend"
	else
		fail "tcpdump captures in the client and in the backend" "$(cat "$WORK"/*.pcap.err)"
	fi
	rm -f "$WORK/sent"
	vm_bg c1 $LB big 40100 3000 1280 "$WORK/sent" 10.1.0.120 5300 fd00:1::120 5300 \
		>"$WORK/big" 2>&1
	big=$!
	for i in $(seq 600); do	# python is slow to start on a loaded machine
		[ "$(wc -l <"$WORK/big")" -ge 2 ] && break
		sleep 0.1
	done
	check_output "a 3000-byte UDP datagram and its 3000-byte answer cross the lb whole (IPv4)" \
		"b1 3000" sed -n 1p "$WORK/big"
	check_output "a 3000-byte UDP datagram and its 3000-byte answer cross the lb whole (IPv6)" \
		"b1 3000" sed -n 2p "$WORK/big"
	# Rules that deny ICMP into both: the errors pass as related to the
	# connection (connection tracking sees them translated as its packets).
	for dev in vm-c1 vm-b1; do
		v acl add A port "$dev" dir in prio 10 action deny proto icmp
		v acl add A port "$dev" dir in prio 11 action deny proto icmpv6
	done
	before=$(counter vm-c1 lb-no-rule)
	vm b1 $ICMPPY backend 52:54:00:01:01:04 "$rmac"
	touch "$WORK/sent"
	vm c1 $ICMPPY client 52:54:00:01:01:10 "$rmac"
	wait "$big"
	for dev in vm-c1 vm-b1; do
		v acl del A port "$dev" dir in prio 10
		v acl del A port "$dev" dir in prio 11
	done
	check_output "the client's sockets learn the path MTU from the backend's errors" \
		"mtu 1280
mtu 1280" sed -n 3,4p "$WORK/big"
	for i in $(seq 30); do
		[ "$(counter vm-c1 lb-no-rule)" -ge $((before + 2)) ] && break
		sleep 0.1
	done
	if [ "$(counter vm-c1 lb-no-rule)" -eq $((before + 2)) ]; then
		ok "later fragments to a frontend without their first drop as lb-no-rule"
	else
		fail "later fragments to a frontend without their first drop as lb-no-rule" \
			"counter went from $before to $(counter vm-c1 lb-no-rule)"
	fi
	captured "$WORK/b1.pcap" "(icmp and icmp[0] == 3 and icmp[1] == 3) or (icmp6 and ip6[40] == 1)" 2
	kill "${CAPTURES[@]}" 2>/dev/null
	wait "${CAPTURES[@]}" 2>/dev/null
	/usr/bin/python3 "$(dirname "$(realpath "$0")")/lb_icmp_check.py" \
		"$WORK/c1.pcap" "$WORK/b1.pcap" >"$WORK/icmpcheck" 2>&1
	for c in "client-icmp4:the backend's frag-needed reaches the client from the frontend, checksums valid" \
		"client-icmp6:the backend's packet-too-big reaches the client from the frontend, checksums valid" \
		"client-icmp6-fragment:an error quoting a first fragment is translated, UDP checksum too" \
		"backend-icmp4:the client's error about an answer reaches the backend (IPv4), checksums valid" \
		"backend-icmp6:the client's error about an answer reaches the backend (IPv6), checksums valid" \
		"client-fragments4:the answer's later fragments reach the client from the frontend (IPv4)" \
		"client-fragments6:the answer's later fragments reach the client from the frontend (IPv6)" \
		"client-no-backend:the client never sees a backend's address"; do
		if grep -qx "${c%%:*} ok" "$WORK/icmpcheck"; then
			ok "${c#*:}"
		else
			fail "${c#*:}" "$(cat "$WORK/icmpcheck")"
		fi
	done
	v lb del A frag
	v lb del A frag6
}

# ---- what the ACLs see: the backend's address and port ----
acls()
{
	v acl add A subnet s dir in prio 100 action deny proto tcp dport 80
	lb_ask "an inbound rule on the frontend's port does not apply" c1 tcp 10.1.0.100 80 2 1
	v acl del A subnet s dir in prio 100
	v acl add A subnet s dir in prio 100 action deny proto tcp dst 10.1.1.0/24 dport 8080
	denied "an inbound rule on the backends' address and port applies" c1 tcp 10.1.0.100 80 vm-c1 acl
	v acl del A subnet s dir in prio 100
	v acl add A port vm-c1 dir out prio 100 action deny proto udp dport 8080
	denied "an outbound rule of the client sees the backend's port" c1 udp 10.1.1.200 53 vm-c1 acl
	v acl del A port vm-c1 dir out prio 100
}

# A new deny stops an lb's UDP flow for good, whichever side sends first
# after it, as without an lb (test_conntrack rule_add_udp): the backend's
# late answer comes back from the frontend, but does not open the flow
# again the other way round. lb late: frontend 10.1.1.201 udp 54 to
# b1:8081, where nothing listens (c1 is answered "refused"); b1's late
# answer is sent by hand, from that port to c1's.
rule_add_udp()
{
	local d first sport=4300
	v lb add A late frontend 10.1.1.201 proto udp port 54 backend 10.1.1.4:8081
	for first in answer datagram; do
		check_output "c1 to lb late opens a flow ($first first)" refused \
			vm c1 $UDP ask $sport 10.1.1.201 54 2
		check "a deny of that flow into b1 ($first first)" \
			v acl add A port vm-b1 dir in prio 100 action deny proto udp \
			src 10.1.1.10/32 sport $sport
		d=$(counter vm-c1 acl)
		[ "$first" = answer ] ||
			check_output "c1's next datagram is dropped" timeout \
				vm c1 $UDP ask $sport 10.1.1.201 54 1
		vm b1 $UDP ask 8081 10.1.1.10 $sport 1 >/dev/null
		check_output "c1's datagram after b1's late answer is dropped ($first first)" \
			timeout vm c1 $UDP ask $sport 10.1.1.201 54 1
		check "counted as acl on c1's port ($first first)" \
			counter_above vm-c1 acl "$d"
		v acl del A port vm-b1 dir in prio 100
		check_output "the deny deleted, the flow opens again ($first first)" \
			refused vm c1 $UDP ask $sport 10.1.1.201 54 2
		sport=$((sport + 1))
	done
	v lb del A late
}

trace()
{
	local out
	out=$(v trace A src 10.1.1.10 dst 10.1.0.100 proto tcp sport 4321 dport 80 2>&1)
	if grep -q "lb web frontend 10.1.0.100 backend 10.1.1.[456]:8080" <<<"$out" &&
		grep -q "deliver to port vm-b[123]" <<<"$out"; then
		ok "trace shows the lb step and the backend"
	else
		fail "trace shows the lb step and the backend" "$out"
	fi
	out=$(v trace A src 10.1.1.10 dst 10.1.0.100 proto tcp dport 81 2>&1)
	if grep -q "drop lb-no-rule" <<<"$out"; then
		ok "trace: another port on a frontend drops"
	else
		fail "trace: another port on a frontend drops" "$out"
	fi
}

# ---- refusals: exit 1, named, nothing changed ----
# shellcheck disable=SC2086
refusals()
{
	refused "unknown vnet" "Z" v lb add Z web frontend 10.1.0.100 proto tcp port 80 $BACKENDS4
	refused "duplicate lb name" "web" v lb add A web frontend 10.1.0.101 proto tcp port 80 $BACKENDS4
	refused "frontend outside the vnet's address space" "10.9.0.1|A" \
		v lb add A x frontend 10.9.0.1 proto tcp port 80 $BACKENDS4
	refused "frontend that is a port's IP" "10.1.1.4|vm-b1" \
		v lb add A x frontend 10.1.1.4 proto tcp port 80 $BACKENDS4
	refused "frontend, proto and port of another lb" "web" \
		v lb add A x frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.4:80
	refused "backend that is no port's IP" "10.1.1.99" \
		v lb add A x frontend 10.1.0.101 proto tcp port 80 backend 10.1.1.99:80
	refused "backend in a peer vnet" "10.2.1.4" \
		v lb add A x frontend 10.1.0.101 proto tcp port 80 backend 10.2.1.4:80
	refused "backend of another address family" "fd00:1:0:1::4" \
		v lb add A x frontend 10.1.0.101 proto tcp port 80 backend "[fd00:1:0:1::4]:80"
	refused "a backend given twice" "10.1.1.4" \
		v lb add A x frontend 10.1.0.101 proto tcp port 80 backend 10.1.1.4:80 backend 10.1.1.4:80
	refused "lb del of an unknown lb" "nosuch" v lb del A nosuch
	refused "lb del in an unknown vnet" "Z" v lb del Z web
	echo 2 >/sys/module/vnet/parameters/max_lb_backends
	refused "more backends than max_lb_backends" "max_lb_backends" \
		v lb add A x frontend 10.1.0.101 proto tcp port 80 $BACKENDS4
	echo 64 >/sys/module/vnet/parameters/max_lb_backends
	check_fail "max_lb_backends cannot be set above 64 (one lb is one message)" \
		sh -c 'echo 65 >/sys/module/vnet/parameters/max_lb_backends'
	check_output "max_lb_backends stays 64" 64 cat /sys/module/vnet/parameters/max_lb_backends
	# The setup's four lbs fill a limit of 4.
	echo 4 >/sys/module/vnet/parameters/max_lbs
	refused "more lbs than max_lbs" "max_lbs" \
		v lb add A x frontend 10.1.0.101 proto tcp port 80 backend 10.1.1.4:80
	echo 4096 >/sys/module/vnet/parameters/max_lbs
	ip -n "$CTL" link add vm-x type veth peer name vm-x-peer
	refused "a port cannot take a frontend's address" "10.1.1.200|dns" \
		v port add vm-x vnet A subnet s mac 52:54:00:01:01:99 ip 10.1.1.200
	ip -n "$CTL" link del vm-x
	refused "a backend's port cannot be deleted" "vm-b1|lb dns" v port del vm-b1
	# A remote endpoint and a frontend never share an address.
	check "an endpoint in subnet s" \
		v endpoint add A 10.1.1.201 mac 52:54:00:01:01:a1 remote 192.0.2.2
	refused "a frontend on a remote endpoint's address" "10.1.1.201" \
		v lb add A x frontend 10.1.1.201 proto tcp port 80 backend 10.1.1.4:80
	check "the endpoint deleted" v endpoint del A 10.1.1.201
	refused "an endpoint on a frontend's address" "10.1.1.200|dns" \
		v endpoint add A 10.1.1.200 mac 52:54:00:01:01:a2 remote 192.0.2.2
}

# ---- bad usage: exit 2, before the kernel ----
bad_usage()
{
	check_exit 2 "malformed IP:PORT" v lb add A x frontend 10.1.0.101 proto tcp port 80 backend 10.1.1.4
	check_exit 2 "IPv6 backend without brackets" v lb add A x frontend fd00:1::101 proto tcp port 80 backend fd00:1:0:1::4:80
	check_exit 2 "backend port 0" v lb add A x frontend 10.1.0.101 proto tcp port 80 backend 10.1.1.4:0
	check_exit 2 "lb port 0" v lb add A x frontend 10.1.0.101 proto tcp port 0 backend 10.1.1.4:80
	check_exit 2 "lb port 65536" v lb add A x frontend 10.1.0.101 proto tcp port 65536 backend 10.1.1.4:80
	check_exit 2 "unknown protocol" v lb add A x frontend 10.1.0.101 proto sctp port 80 backend 10.1.1.4:80
	check_exit 2 "no backend" v lb add A x frontend 10.1.0.101 proto tcp port 80
	check_exit 2 "lb del needs a name" v lb del A
}

batch()
{
	printf '%s\n' "lb add A batch1 frontend 10.1.0.110 proto tcp port 80 backend 10.1.1.5:8080" \
		"lb add A batch2 frontend 10.1.0.110 proto tcp port 81 backend 10.1.1.6:8080" >"$WORK/batch"
	check "lb add in a batch" v -b "$WORK/batch"
	lb_ask "a batch-made lb answers" c1 tcp 10.1.0.110 81 1 2
	check_output "the batch-made lb uses its one backend" "b3 b3" cat "$WORK/last"
	v lb del A batch1
	v lb del A batch2
}

# ---- backends going away ----
# A held connection's backend leaves the lb: the connection stops, new
# connections avoid it. The lb web gets all three back at the end.
backend_removed()
{
	local held others b i hold
	rm -f "$WORK/go"
	vm_bg c1 $LB hold 10.1.0.100 80 "$WORK/go" >"$WORK/hold" 2>&1
	hold=$!
	for i in $(seq 30); do [ -s "$WORK/hold" ] && break; sleep 0.3; done
	held=$(head -n 1 "$WORK/hold")
	case $held in
	b[123])
		ok "a held connection reached a backend ($held)"
		;;
	*)
		fail "a held connection reached a backend" "$(cat "$WORK/hold")"
		;;
	esac
	others=""
	for b in b1 b2 b3; do
		[ "$b" = "$held" ] || others="$others backend $(addr_of "$b"):8080"
	done
	v lb del A web
	# shellcheck disable=SC2086
	check "the lb again, without the held connection's backend" \
		v lb add A web frontend 10.1.0.100 proto tcp port 80 $others
	touch "$WORK/go"
	wait "$hold"
	check_output "the connection to the removed backend stopped" "stopped" sed -n 2p "$WORK/hold"
	lb_ask "new connections work" c1 tcp 10.1.0.100 80 8 2
	if grep -q "$held" "$WORK/last"; then
		fail "new connections avoid the removed backend" "$(cat "$WORK/last")"
	else
		ok "new connections avoid the removed backend"
	fi
	v lb del A web
	# shellcheck disable=SC2086
	v lb add A web frontend 10.1.0.100 proto tcp port 80 $BACKENDS4
}

# held_start: a held TCP connection through web (lb.py hold), its process
# in HOLD, its backend in HELD and another backend in OTHER.
held_start()
{
	local b
	rm -f "$WORK/go"
	vm_bg c1 $LB hold 10.1.0.100 80 "$WORK/go" >"$WORK/hold" 2>&1
	HOLD=$!
	for _ in $(seq 30); do [ -s "$WORK/hold" ] && break; sleep 0.3; done
	HELD=$(head -n 1 "$WORK/hold")
	for b in b1 b2 b3; do
		[ "$b" = "$HELD" ] || { OTHER=$b; break; }
	done
}
held_end()	# the held connection asked again: its answer is line 2
{
	touch "$WORK/go"
	wait "$HOLD"
}

# lb replace: other backends, the same lb. A connection to a backend it
# keeps goes on (a del and add would stop it: backend_removed); one to a
# backend it drops stops. apply plans a change of backends as a replace.
replace()
{
	held_start
	check "lb replace with two backends, the held connection's kept" \
		v lb replace A web frontend 10.1.0.100 proto tcp port 80 \
		backend "$(addr_of "$HELD"):8080" backend "$(addr_of "$OTHER"):8080"
	check_output "lb show: the new backends" \
		"A web frontend 10.1.0.100 proto tcp port 80 backend $(addr_of "$HELD"):8080 backend $(addr_of "$OTHER"):8080" \
		sh -c "vnetctl -n $CTL lb show A | grep ' web '"
	held_end
	check_output "the held connection goes on" "alive $HELD" sed -n 2p "$WORK/hold"
	held_start
	check "lb replace without the held connection's backend" \
		v lb replace A web frontend 10.1.0.100 proto tcp port 80 \
		backend "$(addr_of "$OTHER"):8080"
	held_end
	check_output "the connection to the dropped backend stops" "stopped" sed -n 2p "$WORK/hold"
	refused "a replace that changes the port is refused" "web|frontend, protocol or port" \
		v lb replace A web frontend 10.1.0.100 proto tcp port 81 backend 10.1.1.4:8080
	refused "a replace with a backend that is no port is refused" "10.1.1.77" \
		v lb replace A web frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.77:8080
	# shellcheck disable=SC2086
	check "lb replace back to the three backends" \
		v lb replace A web frontend 10.1.0.100 proto tcp port 80 $BACKENDS4
	v export >"$WORK/lb.json"
	jq '(.lbs[] | select(.name == "dns") | .backends) |= .[:1]' "$WORK/lb.json" >"$WORK/lb2.json"
	check_output "apply plans a change of backends as a replace" \
		"lb replace A dns frontend 10.1.1.200 proto udp port 53 backend 10.1.1.4:8080" \
		v apply --dry-run "$WORK/lb2.json"
	check "replace without an lb of that name adds it" \
		v lb replace A web2 frontend 10.1.0.101 proto tcp port 80 backend 10.1.1.4:8080
	lb_ask "and it answers" c1 tcp 10.1.0.101 80 2 1
	v lb del A web2
}

# An interface that goes cannot be refused: its port stays, absent, still
# a backend, and the lb skips it. The backend is b3 (b1 is the one of
# fragments_icmp and of the refusals); its interface comes back at the
# end, and the lb uses it again (a port that binds is up).
backend_gone()
{
	local gone=b3 ns=NS_b3
	ns=${!ns}
	ip -n "$CTL" link del "vm-$gone"
	check_output "the backend's port stays, absent" "absent" \
		sh -c "vnetctl -n $CTL -j port show vm-$gone | jq -r '.[0].state'"
	lb_ask "after a backend's interface went, connections still work" c1 tcp 10.1.0.100 80 8 2
	if grep -q "$gone" "$WORK/last"; then
		fail "the absent backend is skipped" "$(cat "$WORK/last")"
	else
		ok "the absent backend is skipped"
	fi
	refused "an absent backend's port cannot be deleted" "vm-$gone|is a backend of lb" \
		v port del "vm-$gone"
	# b3 as add_vm made it; its lb.py still listens on every address.
	ip -n "$CTL" -b - <<-EOF
	link add vm-$gone type veth peer name eth0 netns $ns
	link set vm-$gone up
	EOF
	ip -n "$ns" -b - <<-EOF
	link set eth0 address 52:54:00:01:01:06 up
	addr add 10.1.1.6/24 dev eth0
	addr add fd00:1:0:1::6/64 dev eth0 nodad
	route add default via 10.1.1.1
	route add ::/0 via fd00:1:0:1::1
	EOF
	check_output "an interface of its name brings the backend's port back" \
		"up" sh -c "vnetctl -n $CTL -j port show vm-$gone | jq -r '.[0].state'"
}

# ---- an lb of the peer, used across the peering ----
peer_lb()
{
	check "lb add in the peer vnet" v lb add P pweb frontend 10.2.0.50 proto tcp port 80 backend 10.2.1.4:8080
	lb_ask "an lb of a connected peer (access on) answers" c1 tcp 10.2.0.50 80 3 2
	check_output "its backend is the peer's port" "p1 p1
p1 p1
p1 p1" cat "$WORK/last"
	denied "the peer's own backend is not its own client" p1 tcp 10.2.0.50 80 vm-p1 lb-no-backend
	v lb del P pweb
}

# ---- two lbs, one backend: a 5-tuple the backend already has ----
# One source port to two frontends of the same backend makes the same
# connection at the backend: the second cannot be told apart, and drops.
clash()
{
	local before after
	v lb add A clash1 frontend 10.1.0.110 proto udp port 5000 backend 10.1.1.5:8080
	v lb add A clash2 frontend 10.1.0.111 proto udp port 5000 backend 10.1.1.5:8080
	before=$(counter vm-c1 lb-untracked)
	vm c1 sh -c 'echo one | socat -u - UDP:10.1.0.110:5000,sourceport=40000'
	vm c1 sh -c 'echo two | socat -u - UDP:10.1.0.111:5000,sourceport=40000'
	busywait 5000 counter_above vm-c1 lb-untracked "$before"
	after=$(counter vm-c1 lb-untracked)
	if [ "$after" -gt "$before" ]; then
		ok "the second lb's clashing connection drops as lb-untracked"
	else
		fail "the second lb's clashing connection drops as lb-untracked" "counter stayed at $after"
	fi
	v lb del A clash1
	v lb del A clash2
}

# ---- rule 12: a vnet E of its own, deleted with its lb ----
own_prefix()
{
	v vnet add E id 5 prefix 10.5.0.0/16 prefix 10.50.0.0/24
	v subnet add E s prefix 10.5.1.0/24
	ip -n "$CTL" link add vm-e1 type veth peer name vm-e1-peer
	v port add vm-e1 vnet E subnet s mac 52:54:00:05:01:04 ip 10.5.1.4
	check "lb on a prefix of its own" v lb add E x frontend 10.50.0.10 proto tcp port 80 backend 10.5.1.4:80
	refused "the prefix of a frontend cannot be deleted" "10.50.0.0/24|x" v vnet prefix del E 10.50.0.0/24
	check "vnet del removes its lbs" v vnet del E
	check_output "no lb of E is left" "" sh -c "vnetctl -n $CTL lb show | grep '^E '"
	check_exit 1 "lb show of a deleted vnet" v lb show E
	ip -n "$CTL" link del vm-e1
}

monitor()
{
	local mon
	monitor_start mon "$WORK/monitor" v
	v lb del A web
	# shellcheck disable=SC2086
	v lb add A web frontend 10.1.0.100 proto tcp port 80 $BACKENDS4
	busywait 10000 grep -q "^lb add A web " "$WORK/monitor"
	kill "$mon"
	wait "$mon" 2>/dev/null
	if grep -q "^lb add A web frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.4:8080" "$WORK/monitor" &&
		grep -q "^lb del A web$" "$WORK/monitor"; then
		ok "monitor prints lb add and lb del"
	else
		fail "monitor prints lb add and lb del" "$(grep '^lb' "$WORK/monitor")"
	fi
}

# ---- vnet del, with live lb connections; the peer's lb stays until the
# namespace goes, with its connections (no leak: vm.sh checks the caches).
# Last: A is gone after it.
vnet_del()
{
	check "lb add in the peer vnet, kept" v lb add P pweb frontend 10.2.0.50 proto tcp port 80 backend 10.2.1.4:8080
	lb_ask "the peer's lb answers before vnet del" c1 tcp 10.2.0.50 80 3 2
	lb_ask "and A's lb" c1 tcp 10.1.0.100 80 3 2
	check "vnet del of the lbs' vnet" v vnet del A
	check_output "only the peer's lb is left" "P pweb" sh -c "vnetctl -n $CTL lb show | cut -d' ' -f1,2"
}

tests_run
done_testing
