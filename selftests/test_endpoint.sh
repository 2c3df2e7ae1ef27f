#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Remote endpoints over VXLAN: two hosts, each its own controller (its own
# network namespace), joined by an underlay; VMs on one host reach VMs on
# the other through the tunnel that the module creates by itself. IPv4 and
# IPv6 overlays over IPv4 and IPv6 underlays, isolation by VNI, drops of
# what the tunnel must not deliver, ACLs, refusals, and teardown.
#
# One function per case, each leaving the topology as it found it (the
# setup below, every endpoint included): TESTS="acls peering" (VNET_TESTS
# through vm.sh) runs those alone. Except teardown, which deletes host B
# and unloads the module, and so runs last.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	add_show
	traffic
	bulk
	delivered_mac
	vxlan
	isolation
	trace
	tunnel_drops
	acls
	peering
	hub_spoke
	local_appliance
	lb_remote
	refusals
	raw_refusals
	bad_usage
	monitor_batch
	endpoint_del
	tunnel_gone
	teardown
"

# Topology:
#
#   host A (namespace HA)                      host B (namespace HB)
#   vnet X id 100, vnet Y id 200: the same     the same vnets
#   addresses 10.1.0.0/16 fd00:1::/48,
#   subnet s 10.1.1.0/24 fd00:1:0:1::/64
#   vm a1 (X) .4 ---+                          +--- vm b1 (X) .5
#   vm a2 (Y) .4 ---+ ul-a 192.0.2.1/24 ------ + ul-b 192.0.2.2/24
#                     2001:db8::1/64             2001:db8::2/64
#                                              +--- vm b2 (Y) .5
#
#   X: the IPv4 overlay over the IPv4 underlay, IPv6 over IPv6.
#   Y: both overlays over the IPv4 underlay.

ns_new HA hostA
ns_new HB hostB
# va, vb: vnetctl on host A, B, through lib.sh's v (so VNET_MUTATE applies);
# lib.sh's counter and dropped_as look at host A, $CTL.
CTL=$HA
va() { v "$@"; }
vb() { CTL=$HB v "$@"; }

MAC_A1=52:54:00:0a:01:04 MAC_A2=52:54:00:0a:02:04
MAC_B1=52:54:00:0b:01:05 MAC_B2=52:54:00:0b:02:05

# add_host_vm HOST NAME VNET IP4 IP6 MAC [SUBNET]: like lib.sh's add_vm,
# on HOST and in SUBNET (s).
add_host_vm()
{
	local host=$1 name=$2 vnet=$3 ip4=$4 ip6=$5 mac=$6 subnet=${7:-s} ns
	ns_new "NS_$name" "$name"
	ns="NS_$name"
	ns=${!ns}
	ip -n "$host" link add "vm-$name" type veth peer name eth0 netns "$ns"
	ip -n "$host" link set "vm-$name" up
	ip -n "$ns" link set eth0 address "$mac" up
	ip -n "$ns" addr add "$ip4/24" dev eth0
	ip -n "$ns" addr add "$ip6/64" dev eth0 nodad
	ip -n "$ns" route add default via "${ip4%.*}.1"
	ip -n "$ns" -6 route add default via "${ip6%::*}::1"
	vnetctl -n "$host" port add "vm-$name" vnet "$vnet" subnet "$subnet" \
		mac "$mac" ip "$ip4" ip "$ip6"
}

# The underlay: jumbo enough for a full overlay frame and its headers.
ip -n "$HA" link add ul-a mtu 1600 type veth peer name ul-b mtu 1600 netns "$HB"
ip -n "$HA" addr add 192.0.2.1/24 dev ul-a
ip -n "$HB" addr add 192.0.2.2/24 dev ul-b
ip -n "$HA" addr add 2001:db8::1/64 dev ul-a nodad
ip -n "$HB" addr add 2001:db8::2/64 dev ul-b nodad
ip -n "$HA" link set ul-a up
ip -n "$HB" link set ul-b up

for h in va vb; do
	$h vnet add X id 100 prefix 10.1.0.0/16 prefix fd00:1::/48
	$h vnet add Y id 200 prefix 10.1.0.0/16 prefix fd00:1::/48
	$h subnet add X s prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
	$h subnet add Y s prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
done
add_host_vm "$HA" a1 X 10.1.1.4 fd00:1:0:1::4 $MAC_A1
add_host_vm "$HA" a2 Y 10.1.1.4 fd00:1:0:1::4 $MAC_A2
add_host_vm "$HB" b1 X 10.1.1.5 fd00:1:0:1::5 $MAC_B1
add_host_vm "$HB" b2 Y 10.1.1.5 fd00:1:0:1::5 $MAC_B2
va endpoint add X 10.1.1.5 mac $MAC_B1 remote 192.0.2.2
va endpoint add X fd00:1:0:1::5 mac $MAC_B1 remote 2001:db8::2
va endpoint add Y 10.1.1.5 mac $MAC_B2 remote 192.0.2.2
va endpoint add Y fd00:1:0:1::5 mac $MAC_B2 remote 192.0.2.2
vb endpoint add X 10.1.1.4 mac $MAC_A1 remote 192.0.2.1
vb endpoint add X fd00:1:0:1::4 mac $MAC_A1 remote 2001:db8::1
vb endpoint add Y 10.1.1.4 mac $MAC_A2 remote 192.0.2.1
vb endpoint add Y fd00:1:0:1::4 mac $MAC_A2 remote 192.0.2.1

# ---- the operators' commands, and nothing else (host A's endpoints of X
# again) ----
add_show()
{
	va endpoint del X 10.1.1.5
	va endpoint del X fd00:1:0:1::5
	check "endpoint add on host A (IPv4 over IPv4)" \
		va endpoint add X 10.1.1.5 mac $MAC_B1 remote 192.0.2.2
	check "endpoint add on host A (IPv6 over IPv6)" \
		va endpoint add X fd00:1:0:1::5 mac $MAC_B1 remote 2001:db8::2
	check "the module made the tunnel device" ip -n "$HA" link show vnet-vxlan
	check_output "endpoint show X" \
"X 10.1.1.5 mac $MAC_B1 remote 192.0.2.2
X fd00:1:0:1::5 mac $MAC_B1 remote 2001:db8::2" va endpoint show X
	check_output "endpoint show -j: command-line words as keys, sorted" \
"[{\"vnet\":\"X\",\"ip\":\"10.1.1.5\",\"mac\":\"$MAC_B1\",\"remote\":\"192.0.2.2\"},\
{\"vnet\":\"X\",\"ip\":\"fd00:1:0:1::5\",\"mac\":\"$MAC_B1\",\"remote\":\"2001:db8::2\"},\
{\"vnet\":\"Y\",\"ip\":\"10.1.1.5\",\"mac\":\"$MAC_B2\",\"remote\":\"192.0.2.2\"},\
{\"vnet\":\"Y\",\"ip\":\"fd00:1:0:1::5\",\"mac\":\"$MAC_B2\",\"remote\":\"192.0.2.2\"}]" \
		va -j endpoint show
}

# ---- traffic across hosts ----
udp_ok()	# FROM TO ADDR: a UDP datagram arrives
{
	local pid f=4 a=$3 port=$((9000 + RANDOM % 500))
	[[ $3 == *:* ]] && f=6 a="[$3]"
	rm -f "$WORK/udp"
	vm_bg "$2" timeout 8 socat -u "UDP$f-RECV:$port" OPEN:"$WORK/udp",creat
	pid=$!
	wait_listen "$2" udp "$port"
	for _ in $(seq 10); do
		echo "datagram $port" | vm "$1" socat -u - "UDP$f-SENDTO:$a:$port"
		sleep 0.3
		grep -q "datagram $port" "$WORK/udp" 2>/dev/null && break
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -q "datagram $port" "$WORK/udp"
}

traffic()
{
	check "ping across hosts (IPv4 over IPv4)" reach a1 10.1.1.5
	check "ping across hosts (IPv6 over IPv6)" reach a1 fd00:1:0:1::5
	check "ping back from host B (IPv4)" reach b1 10.1.1.4
	check "ping across hosts in Y (IPv6 over IPv4)" reach a2 fd00:1:0:1::5
	check "TCP across hosts (IPv4)" tcp_ok a1 b1 10.1.1.5 7001
	check "TCP across hosts (IPv6)" tcp_ok b1 a1 fd00:1:0:1::4 7002
	check "UDP across hosts (IPv4)" udp_ok a1 b1 10.1.1.5
	check "UDP across hosts (IPv6)" udp_ok b2 a2 fd00:1:0:1::4
}

# A bulk transfer: VMs send GSO super-packets, the tunnel segments them.
bulk_ok()	# FROM TO ADDR PORT: 2 MB of TCP arrive whole
{
	local pid
	rm -f "$WORK/bulk"
	vm_bg "$2" timeout 30 nc -4 -l "$4" >"$WORK/bulk" 2>/dev/null
	pid=$!
	wait_listen "$2" tcp "$4"
	head -c 2000000 /dev/zero | vm "$1" timeout 25 nc -N -w 5 "$3" "$4"
	wait "$pid"
	[ "$(stat -c %s "$WORK/bulk")" = 2000000 ]
}
bulk()
{
	check "2 MB of TCP across hosts (GSO through the tunnel)" bulk_ok a1 b1 10.1.1.5 7003
}

# The delivered frame carries the VM's own MAC and the router's as source.
# Every echo request from a1 that reaches b1 (one at least) carries b1's MAC.
own_mac()
{
	cap_start b1 b1 eth0 "icmp and src 10.1.1.4" -Q in
	cap_sync b1 "ether dst $MAC_B1" vm a1 ping -c 1 -W 1 10.1.1.5 || return 1
	cap_stop b1
	[ "$(cap_count b1 "not ether dst $MAC_B1")" -eq 0 ] ||
		{ cap_show b1 '' -e >&2; return 1; }
}
delivered_mac()
{
	check "delivered to b1 with its own MAC as destination" own_mac
}

# The underlay carries VXLAN on UDP 4789 with the vnet's id as VNI.
# shellcheck disable=SC2034  # "vm hostA", for cap_start
NS_hostA=$HA
vxlan_seen()	# VM ADDR VNI [tcpdump filter words]
{
	cap_start ul hostA ul-a "udp dst port 4789 and ${4:-ip}"
	# Pings until the capture shows one (it may start late).
	cap_sync ul "udp dst port 4789" vm "$1" ping -c 1 -W 1 "$2" || return 1
	cap_stop ul
	cap_show ul >"$WORK/ul.txt"
	grep -q "vni $3\b" "$WORK/ul.txt" || { cat "$WORK/ul.txt"; return 1; }
}
vxlan()
{
	check "the underlay sees UDP 4789 with VNI 100 for X" vxlan_seen a1 10.1.1.5 100
	check "and VNI 200 for Y" vxlan_seen a2 10.1.1.5 200
	check "X's IPv6 overlay goes over the IPv6 underlay" \
		vxlan_seen a1 fd00:1:0:1::5 100 ip6
}

# Isolation: the same addresses in X and Y; the VNI keeps them apart.
isolation()
{
	local pid
	rm -f "$WORK/b1rx"
	vm_bg b1 timeout 20 nc -4 -l 7100 >"$WORK/b1rx" 2>/dev/null
	pid=$!
	wait_listen b1 tcp 7100
	# b2 answers with a reset (nothing listens there): the connection is over.
	echo from-a2 | vm a2 timeout 3 nc -N -w 2 10.1.1.5 7100 2>/dev/null
	kill "$pid"
	wait "$pid"
	check_fail "Y's a2 does not reach X's b1 (same address)" grep -q from-a2 "$WORK/b1rx"
	check "a2 reaches Y's b2" tcp_ok a2 b2 10.1.1.5 7101
}

# trace shows the remote endpoint next hop.
trace()
{
	local out
	out=$(va trace X src 10.1.1.4 dst 10.1.1.5 2>&1)
	check "trace: deliver to the endpoint through the tunnel" \
		grep -q "deliver to endpoint 10.1.1.5 (vnet X) through the tunnel to 192.0.2.2" <<<"$out"
}

# ---- what the tunnel must not deliver ----
# send_vxlan NS SRC4 VNI INNER_SRC INNER_DST [INNER_SRC_MAC]: a VXLAN
# datagram with an inner ICMP echo, sent from NS (bound to SRC4) to host A.
send_vxlan()
{
	ip netns exec "$1" /usr/bin/python3 - "$2" "$3" "$4" "$5" \
		"${6:-52:54:00:00:ff:01}" <<'EOF'
import socket, struct, sys
src, vni, isrc, idst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
smac = bytes.fromhex(sys.argv[5].replace(':', ''))
def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff
icmp = struct.pack('!BBHHH', 8, 0, 0, 1, 1) + b'x' * 16
icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                 socket.inet_aton(isrc), socket.inet_aton(idst))
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
eth = bytes.fromhex('020000000001') + smac + b'\x08\x00'
vx = struct.pack('!II', 0x08000000, vni << 8)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
for _ in range(3):
    s.sendto(vx + eth + ip + icmp, ('192.0.2.1', 4789))
EOF
}

# tunnel_drop DESC DEV COUNTER SEND-ARGS...: COUNTER of host A's DEV grows.
tunnel_drop()
{
	local desc=$1 dev=$2 what=$3 before after
	shift 3
	before=$(counter "$dev" "$what")
	send_vxlan "$@"
	busywait 5000 counter_above "$dev" "$what" "$before"
	after=$(counter "$dev" "$what")
	if [ "$after" -gt "$before" ]; then
		ok "$desc"
	else
		fail "$desc" "$what of $dev stayed at $after: $(va stats "$dev")"
	fi
}

tunnel_drops()
{
	ip -n "$HB" addr add 192.0.2.3/24 dev ul-b
	tunnel_drop "unknown VNI: dropped and counted" vnet-vxlan unknown-vni \
		"$HB" 192.0.2.2 999 10.1.1.5 10.1.1.4
	tunnel_drop "unknown inner source: dropped and counted" vnet-vxlan unknown-endpoint \
		"$HB" 192.0.2.2 100 10.1.1.99 10.1.1.4
	tunnel_drop "a known endpoint from the wrong underlay address: dropped" \
		vnet-vxlan unknown-endpoint "$HB" 192.0.2.3 100 10.1.1.5 10.1.1.4 $MAC_B1
	tunnel_drop "a known endpoint's address with another MAC of its host: dropped" \
		vnet-vxlan unknown-endpoint "$HB" 192.0.2.2 100 10.1.1.5 10.1.1.4 $MAC_B2
	tunnel_drop "an inner destination that is no port: dropped" vnet-vxlan no-port \
		"$HB" 192.0.2.2 100 10.1.1.5 10.1.1.77 $MAC_B1
	tunnel_drop "a well-formed one from the endpoint is delivered" vm-a1 tx-packets \
		"$HB" 192.0.2.2 100 10.1.1.5 10.1.1.4 $MAC_B1
	ip -n "$HB" addr del 192.0.2.3/24 dev ul-b
}

# ---- ACLs ----
acls()
{
	local before
	va acl add X subnet s dir out prio 100 action deny proto icmp dst 10.1.1.5/32
	dropped_as "an outbound ACL on host A blocks the remote endpoint" a1 10.1.1.5 vm-a1 acl
	va acl del X subnet s dir out prio 100
	check "and it passes again without the rule" reach a1 10.1.1.5
	va acl add X port vm-a1 dir in prio 10 action deny proto tcp dport 7200
	before=$(counter vnet-vxlan acl)
	check "an inbound ACL on host A blocks TCP from the remote VM" \
		tcp_dropped b1 a1 10.1.1.4 7200 acl vnet-vxlan
	check "counted as acl on the tunnel device" \
		test "$(counter vnet-vxlan acl)" -gt "$before"
	va acl del X port vm-a1 dir in prio 10
	check "TCP from the remote VM passes without the rule" tcp_ok b1 a1 10.1.1.4 7201
}

# ---- peering across hosts: a peer's endpoints are reached as its ports ----
# vnet P (id 300) with vm p1 on host A only; X and P peered on both hosts;
# each host knows the other side's VM as an endpoint of its own vnet. All
# of it goes at the end.
#
# Host B drops the echo request that comes out of its tunnel.
hb_no_reach() { STATS=vb no_reach "$@"; }
peering()
{
	local h before after
	for h in va vb; do
		$h vnet add P id 300 prefix 10.3.0.0/16 prefix fd00:3::/48
		$h subnet add P s prefix 10.3.1.0/24 prefix fd00:3:0:1::/64
		$h peering add X x2p remote P
		$h peering add P p2x remote X
	done
	add_host_vm "$HA" p1 P 10.3.1.4 fd00:3:0:1::4 52:54:00:0a:03:04
	vb endpoint add P 10.3.1.4 mac 52:54:00:0a:03:04 remote 192.0.2.1
	check "a peer's VM on host A reaches X's b1 on host B" reach p1 10.1.1.5
	check "TCP too" tcp_ok p1 b1 10.1.1.5 7300
	vb peering del P p2x
	before=$(vnetctl -n "$HB" -j stats vnet-vxlan | grep -o '"peering-not-connected":[0-9]*' | cut -d: -f2)
	check "host B's side of the peering gone: no reply" \
		hb_no_reach p1 10.1.1.5 peering-not-connected vnet-vxlan
	after=$(vnetctl -n "$HB" -j stats vnet-vxlan | grep -o '"peering-not-connected":[0-9]*' | cut -d: -f2)
	check "host B drops what comes out of the tunnel as peering-not-connected" \
		test "${after:-0}" -gt "${before:-0}"
	vb peering add P p2x remote X
	check "the peering back on host B: reached again" reach p1 10.1.1.5
	for h in va vb; do
		$h peering del X x2p
		$h peering del P p2x
		$h vnet del P
	done
	ip -n "$HA" link del vm-p1
}

# ---- hub and spoke across hosts: the appliance on host B ----
# vnets H (id 400) 10.40/16, S1 (410) 10.41/16 and S2 (420) 10.42/16 on
# both hosts, each with subnet s; H peered with S1 and S2, the spokes'
# sides forwarded on; on both hosts S1 routes 10.42/16 and S2 10.41/16
# via the appliance nva (H, .4, forwarding on) on host B. s1 (S1) and s2
# (S2) are on host A: every packet between them crosses the tunnel twice,
# to the appliance and back from it. Host A knows nva as a forwarding
# endpoint; host B knows s1 and s2. All of it goes at the end.
MAC_NVA=52:54:00:0b:40:04 MAC_S1=52:54:00:0a:41:04 MAC_S2=52:54:00:0a:42:04
hub_spoke_up()
{
	local h n
	for h in va vb; do
		for n in 0 1 2; do
			$h vnet add "$(hs_vnet $n)" id $((400 + n * 10)) \
				prefix 10.4$n.0.0/16 prefix fd00:4$n::/48
			$h subnet add "$(hs_vnet $n)" s prefix 10.4$n.1.0/24 \
				prefix fd00:4$n:0:1::/64
		done
		$h peering add H h2s1 remote S1
		$h peering add S1 s12h remote H forwarded on
		$h peering add H h2s2 remote S2
		$h peering add S2 s22h remote H forwarded on
	done
	add_host_vm "$HB" nva H 10.40.1.4 fd00:40:0:1::4 $MAC_NVA
	vb port set vm-nva forwarding on
	vm nva sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0 net.ipv6.conf.all.forwarding=1
	add_host_vm "$HA" s1 S1 10.41.1.4 fd00:41:0:1::4 $MAC_S1
	add_host_vm "$HA" s2 S2 10.42.1.4 fd00:42:0:1::4 $MAC_S2
	for n in 1 2; do
		vb endpoint add "S$n" 10.4$n.1.4 mac "$(hs_mac $n)" remote 192.0.2.1
		vb endpoint add "S$n" fd00:4$n:0:1::4 mac "$(hs_mac $n)" remote 192.0.2.1
	done
}
hs_vnet() { [ "$1" = 0 ] && echo H || echo "S$1"; }
hs_mac() { [ "$1" = 1 ] && echo $MAC_S1 || echo $MAC_S2; }
hs_routes()	# vnetctl: the spokes' routes via the appliance
{
	$1 route add S1 s 10.42.0.0/16 nexthop appliance 10.40.1.4 &&
	$1 route add S1 s fd00:42::/48 nexthop appliance fd00:40:0:1::4 &&
	$1 route add S2 s 10.41.0.0/16 nexthop appliance 10.40.1.4 &&
	$1 route add S2 s fd00:41::/48 nexthop appliance fd00:40:0:1::4
}
# through_nva VM ADDR: a ping answers, and the appliance on host B both
# received and sent packets of it (its port's counters on host B).
through_nva()
{
	local rx tx
	rx=$(STATS=vb counter vm-nva rx-packets)
	tx=$(STATS=vb counter vm-nva tx-packets)
	reach "$1" "$2" || return 1
	# Request and reply both went through it: two each at least.
	[ "$(STATS=vb counter vm-nva rx-packets)" -ge $((rx + 2)) ] &&
		[ "$(STATS=vb counter vm-nva tx-packets)" -ge $((tx + 2)) ]
}
nva_endpoints()	# [forwarding on|off]: host A's endpoints of nva, again
{
	va endpoint del H 10.40.1.4 2>/dev/null
	va endpoint del H fd00:40:0:1::4 2>/dev/null
	va endpoint add H 10.40.1.4 mac $MAC_NVA remote 192.0.2.2 "$@" &&
		va endpoint add H fd00:40:0:1::4 mac $MAC_NVA remote 192.0.2.2 "$@"
}
route_state()	# PREFIX: whether S1's route to PREFIX on host A is active, and why it drops
{
	va -j route show S1 s effective | jq -r --arg p "$1" '.[] |
		select(.prefix == $p and .source == "user") |
		"\(if .active then "active" else "inactive" end), \(.drops // "no drops")"'
}
hub_spoke()
{
	local h
	hub_spoke_up
	check_fail "host A refuses a route via an appliance it does not know" \
		va route add S1 s 10.42.0.0/16 nexthop appliance 10.40.1.4
	check "host A knows the appliance as a forwarding endpoint" \
		nva_endpoints forwarding on
	check_output "endpoint show H says so" \
"H 10.40.1.4 mac $MAC_NVA remote 192.0.2.2 forwarding on
H fd00:40:0:1::4 mac $MAC_NVA remote 192.0.2.2 forwarding on" va endpoint show H
	check "routes via the appliance on host B, on host A" hs_routes va
	check "and on host B" hs_routes vb
	check_output "the route's appliance is reachable from host A" "active, no drops" \
		route_state 10.42.0.0/16
	check "s1 reaches s2 through the appliance on host B (IPv4)" through_nva s1 10.42.1.4
	check "and s2 reaches s1 (IPv4)" through_nva s2 10.41.1.4
	check "and over IPv6" through_nva s1 fd00:42:0:1::4
	check "TCP through the appliance across hosts" tcp_ok s1 s2 10.42.1.4 7400

	# What the appliance forwards is its own host's word only for a
	# forwarding endpoint, and only where rule 7 lets it in.
	check_fail "a second forwarding endpoint with nva's MAC on host B is refused" \
		va endpoint add H 10.40.1.9 mac $MAC_NVA remote 192.0.2.2 forwarding on
	nva_endpoints
	dropped_as "nva not forwarding on host A: what it forwards is dropped" \
		s1 10.42.1.4 vnet-vxlan unknown-endpoint
	va endpoint add H 10.40.1.5 mac 52:54:00:0b:40:05 remote 192.0.2.2
	tunnel_drop "nva cannot speak for another endpoint of its host (hb, H)" \
		vnet-vxlan unknown-endpoint "$HB" 192.0.2.2 420 10.40.1.5 10.42.1.4 $MAC_NVA
	tunnel_drop "hb itself, with its own MAC, is delivered (rule 7 allows it)" \
		vm-s2 tx-packets "$HB" 192.0.2.2 420 10.40.1.5 10.42.1.4 52:54:00:0b:40:05
	va endpoint del H 10.40.1.5
	nva_endpoints forwarding on
	va peering set S2 s22h forwarded off
	dropped_as "S2's side forwarded off on host A: dropped there (rule 7)" \
		s1 10.42.1.4 vnet-vxlan forwarded
	va peering set S2 s22h forwarded on
	check "forwarded on again: through" through_nva s1 10.42.1.4
	ip -n "$HB" addr add 192.0.2.3/24 dev ul-b
	tunnel_drop "nva's MAC from another underlay address: dropped" vnet-vxlan \
		unknown-endpoint "$HB" 192.0.2.3 420 10.41.1.4 10.42.1.4 $MAC_NVA
	ip -n "$HB" addr del 192.0.2.3/24 dev ul-b
	tunnel_drop "nva's MAC into a vnet that does not reach H: dropped" vnet-vxlan \
		unknown-endpoint "$HB" 192.0.2.2 100 10.41.1.4 10.1.1.4 $MAC_NVA
	tunnel_drop "a forged forwarded packet that rule 7 allows is delivered" vm-s2 \
		tx-packets "$HB" 192.0.2.2 420 10.41.1.4 10.42.1.4 $MAC_NVA

	va endpoint del H 10.40.1.4
	check_output "the appliance's endpoint gone: the route says why" \
		"active, appliance 10.40.1.4 is not a port or endpoint of vnet S1 or of a connected peer" \
		route_state 10.42.0.0/16
	dropped_as "and s1's traffic to s2 drops as appliance-unreachable" \
		s1 10.42.1.4 vm-s1 appliance-unreachable

	for h in va vb; do
		$h vnet del S1
		$h vnet del S2
		$h vnet del H
	done
	ip -n "$HA" link del vm-s1
	ip -n "$HA" link del vm-s2
	ip -n "$HB" link del vm-nva
}

# ---- a route through an appliance on the receiving host ----
# X's subnet s routes 10.1.3.0/24 via fw (10.1.2.4, subnet f, host A);
# d1 (10.1.3.4, subnet d) is on host A too. b1 (host B) sends to d1: host
# B sends it to fw through the tunnel, and host A must deliver it to fw,
# not skip fw because d1 is here.
local_appliance()
{
	local h rx
	for h in va vb; do
		$h subnet add X f prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
		$h subnet add X d prefix 10.1.3.0/24 prefix fd00:1:0:3::/64
	done
	add_host_vm "$HA" fw X 10.1.2.4 fd00:1:0:2::4 52:54:00:0a:02:04 f
	va port set vm-fw forwarding on
	add_host_vm "$HA" d1 X 10.1.3.4 fd00:1:0:3::4 52:54:00:0a:03:04 d
	vb endpoint add X 10.1.2.4 mac 52:54:00:0a:02:04 remote 192.0.2.1 forwarding on
	vb endpoint add X 10.1.3.4 mac 52:54:00:0a:03:04 remote 192.0.2.1
	for h in va vb; do
		$h route add X s 10.1.3.0/24 nexthop appliance 10.1.2.4
	done
	rx=$(counter vm-d1 tx-packets)
	tunnel_drop "b1's packet for d1 goes to fw, its route's appliance, on host A" \
		vm-fw tx-packets "$HB" 192.0.2.2 100 10.1.1.5 10.1.3.4 $MAC_B1
	check_output "and not to d1 around it" "$rx" counter vm-d1 tx-packets
	for h in va vb; do
		$h route del X s 10.1.3.0/24
	done
	tunnel_drop "without the route it goes to d1" \
		vm-d1 tx-packets "$HB" 192.0.2.2 100 10.1.1.5 10.1.3.4 $MAC_B1
	vb endpoint del X 10.1.2.4
	vb endpoint del X 10.1.3.4
	va port del vm-fw
	va port del vm-d1
	ip -n "$HA" link del vm-fw
	ip -n "$HA" link del vm-d1
	for h in va vb; do
		$h subnet del X f
		$h subnet del X d
	done
}

# ---- a load balancer on host A whose backend is on host B ----
# a1 connects to X's frontend 10.1.1.100; its backend is b1, host A's
# endpoint 10.1.1.5: host A translates both ways, host B sees a plain
# connection from a1. A TCP exchange that works shows both translations
# (a reply from 10.1.1.5 itself would be reset by a1).
lb_remote()
{
	check "an lb backend may be a remote endpoint" \
		va lb add X web frontend 10.1.1.100 proto tcp port 8080 backend 10.1.1.5:8080
	check "a1 reaches its backend on host B through the frontend" \
		tcp_ok a1 b1 10.1.1.100 8080
	check "and again (the same backend, a new connection)" \
		tcp_ok a1 b1 10.1.1.100 8080
	check "the endpoint of a backend may be deleted (its host may be gone)" \
		va endpoint del X 10.1.1.5
	check "then the lb has no backend" \
		tcp_dropped a1 b1 10.1.1.100 8080 lb-no-backend vm-a1
	va endpoint add X 10.1.1.5 mac $MAC_B1 remote 192.0.2.2
	check "the endpoint back: the backend serves again" \
		tcp_ok a1 b1 10.1.1.100 8080
	va lb del X web
	check_fail "a backend that is neither a port nor an endpoint is refused" \
		va lb add X web frontend 10.1.1.100 proto tcp port 8080 backend 10.1.1.77:8080
}

# ---- refusals: exit 1, nothing changes ----
state() { printf '%s\n' "endpoint show" "subnet show" "port show" | va -j -b -; }
refusals()
{
	va subnet add X s2 prefix 10.1.2.0/24
	va endpoint add X 10.1.2.7 mac 52:54:00:0b:02:07 remote 192.0.2.2
	refused "the tunnel device cannot be a port" "vnet-vxlan" \
		va port add vnet-vxlan vnet X subnet s mac 52:54:00:0b:02:99 ip 10.1.1.99
	refused "unknown vnet" "vnet Q does not exist" \
		va endpoint add Q 10.1.1.9 mac $MAC_B1 remote 192.0.2.2
	refused "IP in the vnet's space but in no subnet" "10.1.9.9|vnet X" \
		va endpoint add X 10.1.9.9 mac $MAC_B1 remote 192.0.2.2
	refused "IP outside the vnet's space" "10.9.0.1" \
		va endpoint add X 10.9.0.1 mac $MAC_B1 remote 192.0.2.2
	refused "IP of a local port" "port vm-a1" \
		va endpoint add X 10.1.1.4 mac $MAC_B1 remote 192.0.2.2
	refused "duplicate endpoint" "already has endpoint 10.1.1.5" \
		va endpoint add X 10.1.1.5 mac $MAC_B1 remote 192.0.2.2
	refused "multicast underlay address" "224.0.0.5" \
		va endpoint add X 10.1.1.9 mac $MAC_B1 remote 224.0.0.5
	va -j endpoint show | grep -o '"ip"' | wc -l >/sys/module/vnet/parameters/max_endpoints
	refused "the max_endpoints limit" "max_endpoints" \
		va endpoint add X 10.1.1.9 mac $MAC_B1 remote 192.0.2.2
	echo 65536 >/sys/module/vnet/parameters/max_endpoints
	refused "subnet del names the endpoints it holds" "subnet s2|10.1.2.7" \
		va subnet del X s2
	refused "endpoint del of an unknown endpoint" "no endpoint 10.1.1.99" \
		va endpoint del X 10.1.1.99
	ip -n "$HA" link add vm-x type veth peer name vm-xp
	refused "a port cannot take an endpoint's IP" "10.1.2.7|endpoint" \
		va port add vm-x vnet X subnet s2 mac 52:54:00:0a:09:09 ip 10.1.2.7
	ip -n "$HA" link del vm-x
	va endpoint del X 10.1.2.7
	va subnet del X s2
}

# ---- the kernel checks again what vnetctl refuses first (a raw client) ----
# raw_endpoint CASE: an ENDPOINT_NEW that vnetctl would never send, built
# with nlraw.py's client; prints "errno N: MESSAGE". Numbers come from the
# uapi header, so they follow it.
raw_endpoint()
{
	ip netns exec "$HA" /usr/bin/python3 - "$1" "$(dirname "$0")" <<'EOF'
import socket, sys
sys.path.insert(0, sys.argv[2])
from nlraw import Genl, nla, nla_str, uapi_enum, NLA_F_NESTED
cmd, a = uapi_enum('vnet_cmd'), uapi_enum('vnet_attr')
p = uapi_enum('vnet_prefix_attr')
def addr(t, s, plen=None):
    inner = nla(p['VNET_PREFIX_A_IN_ADDR'], socket.inet_aton(s))
    if plen is not None:
        inner += nla(p['VNET_PREFIX_A_LEN'], bytes([plen]))
    return nla(a[t] | NLA_F_NESTED, inner)
vnet = nla_str(a['VNET_A_VNET'], 'X')
ip = addr('VNET_A_ENDPOINT_IP', '10.1.1.9')
ul = addr('VNET_A_ENDPOINT_UNDERLAY', '192.0.2.2')
def mac(b):
    return nla(a['VNET_A_MAC'], bytes(b))
good = [0x52, 0x54, 0, 0, 0, 9]
cases = {
    'multicast-mac': vnet + ip + mac([1, 0, 0x5e, 0, 0, 1]) + ul,
    'zero-mac': vnet + ip + mac([0] * 6) + ul,
    'short-mac': vnet + ip + mac(good[:5]) + ul,
    'no-underlay': vnet + ip + mac(good),
    'ip-with-length': vnet + addr('VNET_A_ENDPOINT_IP', '10.1.1.9', 32) +
                      mac(good) + ul,
    'foreign-attr': vnet + ip + mac(good) + ul +
                    nla_str(a['VNET_A_IFNAME'], 'x'),
}
g = Genl()
err, text, _ = g.request(g.family('vnet'), cmd['VNET_CMD_ENDPOINT_NEW'],
                         cases[sys.argv[1]])
print('errno %d: %s' % (err, text))
EOF
}

raw_refused()	# DESC CASE ERRNO WORDS: refused, saying WORDS, no change
{
	local before after out
	before=$(va -j endpoint show)
	out=$(raw_endpoint "$2" 2>&1)
	after=$(va -j endpoint show)
	if [[ $out != "errno $3: "*"$4"* ]]; then
		fail "$1" "$out"
	elif [ "$before" != "$after" ]; then
		fail "$1" "the endpoints changed: $out"
	else
		ok "$1"
	fi
}
raw_refusals()
{
	raw_refused "kernel: multicast MAC" multicast-mac 22 "not a unicast address"
	raw_refused "kernel: zero MAC" zero-mac 22 "not a unicast address"
	raw_refused "kernel: a MAC of 5 bytes (policy)" short-mac 34 "out of range"
	raw_refused "kernel: no underlay address" no-underlay 22 "underlay"
	raw_refused "kernel: an endpoint IP with a length" ip-with-length 22 "no length"
	raw_refused "kernel: an attribute of another command" foreign-attr 22 ""
}

# ---- bad usage: exit 2 before the kernel ----
bad_usage()
{
	check_exit 2 "multicast MAC" va endpoint add X 10.1.1.9 mac 01:00:5e:00:00:01 remote 192.0.2.2
	check_exit 2 "zero MAC" va endpoint add X 10.1.1.9 mac 00:00:00:00:00:00 remote 192.0.2.2
	check_exit 2 "missing remote" va endpoint add X 10.1.1.9 mac $MAC_B1
	check_exit 2 "a prefix is not an IP" va endpoint add X 10.1.1.0/24 mac $MAC_B1 remote 192.0.2.2
	check_exit 2 "bad underlay address" va endpoint add X 10.1.1.9 mac $MAC_B1 remote 192.0.2
	check_exit 2 "unknown keyword" va endpoint add X 10.1.1.9 mac $MAC_B1 remote 192.0.2.2 vni 5
	check_exit 2 "endpoint del needs an IP" va endpoint del X
	check_exit 2 "bad vnet name" va endpoint show 'a/b'
}

# ---- monitor, batch ----
monitor_batch()
{
	local mon
	va subnet add X s2 prefix 10.1.2.0/24
	monitor_start mon "$WORK/mon" va
	printf 'endpoint add X 10.1.2.8 mac 52:54:00:0b:02:08 remote 192.0.2.2\nendpoint del X 10.1.2.8\n' >"$WORK/batch"
	check "a batch adds and deletes an endpoint" va -b "$WORK/batch"
	busywait 10000 grep -q "^endpoint del X 10.1.2.8" "$WORK/mon"
	kill "$mon"
	wait "$mon" 2>/dev/null
	check_output "monitor prints the endpoint events" \
"endpoint add X 10.1.2.8 mac 52:54:00:0b:02:08 remote 192.0.2.2
endpoint del X 10.1.2.8" grep endpoint "$WORK/mon"
	va subnet del X s2
}

# ---- endpoint del, the tunnel device going ----
endpoint_del()
{
	va endpoint del X 10.1.1.5
	dropped_as "after endpoint del, no route to the old endpoint" a1 10.1.1.5 vm-a1 no-port
	va endpoint add X 10.1.1.5 mac $MAC_B1 remote 192.0.2.2
	check "after endpoint add again, it is reached" reach a1 10.1.1.5
}

tunnel_gone()
{
	ip -n "$HA" link del vnet-vxlan
	dropped_as "the tunnel device deleted by hand: traffic drops" a1 10.1.1.5 vm-a1 no-tunnel
	va endpoint add X 10.1.1.6 mac $MAC_B1 remote 192.0.2.2
	check "the next endpoint add brings it back" reach a1 10.1.1.5
	va endpoint del X 10.1.1.6
}

# ---- vnet del, the namespaces and the module going: last ----
teardown()
{
	local ip
	check "vnet del Y" va vnet del Y
	check_output "its endpoints went with it" "" bash -c "vnetctl -n $HA endpoint show | grep '^Y '"
	for ip in 10.1.1.5 fd00:1:0:1::5; do
		va endpoint del X $ip
	done
	check_fail "without endpoints, the tunnel device is gone" \
		ip -n "$HA" link show vnet-vxlan
	check_output "and endpoint show is empty" "[]" va -j endpoint show

	# Host B still has endpoints and its tunnel: the namespace goes with them.
	check "host B's namespace deleted with endpoints present" ip netns del "$HB"
	sleep 1
	check "host A's controller still answers" va vnet show

	# A third host with endpoints sees the module unloaded.
	ns_new HC hostC
	vnetctl -n "$HC" vnet add X id 100 prefix 10.1.0.0/16
	vnetctl -n "$HC" subnet add X s prefix 10.1.1.0/24
	vnetctl -n "$HC" endpoint add X 10.1.1.5 mac $MAC_B1 remote 192.0.2.2
	check "rmmod with endpoints present" rmmod vnet
	check_fail "and the tunnel device it made is gone" ip -n "$HC" link show vnet-vxlan
	check "insmod again" insmod "${VNET_KO:?}"
}

tests_run
done_testing
