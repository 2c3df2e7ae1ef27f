#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnetd across three hosts through etcd (make check-etcd; not part of make
# check): Debian's etcd with three members, three host namespaces on one
# underlay, each with its own vnet.ko state, its vnetd and its VMs. The
# intent is written once with etcdctl; nobody types "endpoint add".
#
#   namespace UL: bridge br-ul, etcd members m1 m2 m3 on 192.0.2.11-13
#   host H1 192.0.2.1: x1 (X 10.1.1.4); dup (Z 10.1.1.9) for a while
#   host H2 192.0.2.2: x2 (X 10.1.1.5), y2 (Y 10.2.1.5)
#   host H3 192.0.2.3: x3 (X 10.1.1.6), z3 (Z 10.1.1.9)
#   X and Y peered; Z has X's addresses and no peering; a rule of Y's
#   subnet denies ICMP from x3.
#
# Each case builds on the ones before: run them in order. Times that the
# cases measure are printed as "# ..." lines. VNET_VNETD=PATH runs another
# vnetd (a mutant: its negative checks must fail), VNET_ETCD_TTL the lease.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	cluster
	intent
	endpoints
	same_vnet
	peered
	acl_isolation
	vm_added
	vm_removed
	subnet_removed
	duplicate
	appliance_route
	remote_appliance
	remote_lb
	rogue_values
	restart
	member_killed
	all_killed
	host_killed
	tls
"

TTL=${VNET_ETCD_TTL:-8}
MEMBERS=http://192.0.2.11:2379,http://192.0.2.12:2379,http://192.0.2.13:2379
modprobe -q bridge
modprobe -q vxlan

command -v etcd >/dev/null && command -v etcdctl >/dev/null || {
	echo "# etcd and etcdctl are missing: apt-get install etcd-server etcd-client"
	skip "vnetd across hosts" "no etcd"
	done_testing
}

ns_new UL underlay
ip -n "$UL" link add br-ul mtu 1600 type bridge
ip -n "$UL" link set br-ul up
for i in 1 2 3; do
	ip -n "$UL" addr add "192.0.2.1$i/24" dev br-ul
done

declare -A HOST=()	# H1 -> namespace
host_new()	# N: host Hn on 192.0.2.n
{
	local n ns
	ns_new n "host$1"
	HOST[H$1]=$n
	ip -n "$UL" link add "ul-h$1" mtu 1600 type veth peer name eth-ul mtu 1600 \
		netns "$n"
	ip -n "$UL" link set "ul-h$1" master br-ul up
	ip -n "$n" addr add "192.0.2.$1/24" dev eth-ul
	ip -n "$n" link set eth-ul up
}
for i in 1 2 3; do host_new $i; done

# etcdctl in the underlay's namespace (etcd is not reachable from others).
ctl() { ip netns exec "$UL" etcdctl --endpoints="${ENDPOINTS:-$MEMBERS}" --command-timeout=10s "$@"; }
# h HOST ARGS...: vnetctl on host HOST.
h() { local n=${HOST[$1]}; shift; vnetctl -n "$n" "$@"; }

# ---- etcd ----
declare -A ETCD_PID=()
member_start()	# N
{
	local a=192.0.2.1$1
	ip netns exec "$UL" etcd --name "m$1" \
		--data-dir "$WORK/m$1" \
		--listen-client-urls "http://$a:2379" \
		--advertise-client-urls "http://$a:2379" \
		--listen-peer-urls "http://$a:2380" \
		--initial-advertise-peer-urls "http://$a:2380" \
		--initial-cluster m1=http://192.0.2.11:2380,m2=http://192.0.2.12:2380,m3=http://192.0.2.13:2380 \
		--initial-cluster-state new --initial-cluster-token vnet-test \
		--heartbeat-interval 300 --election-timeout 3000 \
		--log-level warn >>"$WORK/etcd-m$1.log" 2>&1 &
	ETCD_PID[$1]=$!
}
member_kill()	# N
{
	kill -9 "${ETCD_PID[$1]}" 2>/dev/null
	wait "${ETCD_PID[$1]}" 2>/dev/null
}
healthy()	# the cluster answers a linearizable read
{
	ip netns exec "$UL" etcdctl --endpoints="$MEMBERS" --command-timeout=3s \
		get /vnet/none >/dev/null 2>&1
}

# ---- vnetd ----
declare -A VNETD_PID=()
vnetd_start()	# HOST
{
	local n=${HOST[$1]}
	ip netns exec "$n" "${VNET_VNETD:-vnetd}" --name "$1" --underlay "192.0.2.${1#H}" \
		--etcd "$MEMBERS" --ttl "$TTL" >>"$WORK/vnetd-$1.log" 2>&1 &
	VNETD_PID[$1]=$!
}
vnetd_kill()	# HOST [SIGNAL]
{
	kill "-${2:-TERM}" "${VNETD_PID[$1]}" 2>/dev/null
	wait "${VNETD_PID[$1]}" 2>/dev/null
}
log_of() { cat "$WORK/vnetd-$1.log"; }

# ---- VMs ----
vm_new()	# HOST NAME VNET IP MAC [SUBNET]
{
	local host=${HOST[$1]} name=$2 ns
	ns_new "NS_$name" "$name"
	ns="NS_$name"
	ns=${!ns}
	ip -n "$host" link add "vm-$name" type veth peer name eth0 netns "$ns"
	ip -n "$host" link set "vm-$name" up
	ip -n "$ns" link set eth0 address "$5" up
	ip -n "$ns" addr add "$4/24" dev eth0
	ip -n "$ns" route add default via "${4%.*}.1"
	h "$1" port add "vm-$name" vnet "$3" subnet "${6:-s}" mac "$5" ip "$4"
}

# The cluster-wide part of an export: what the intent must set.
cluster_part()
{
	jq -S '{vnets, subnets, peerings, routes, lbs,
		acls: [.acls[] | select(has("port") | not)]}'
}
same_intent()	# HOST: its export's cluster-wide part equals the intent's
{
	[ "$(h "$1" export 2>/dev/null | cluster_part)" = \
	  "$(cluster_part <"$WORK/intent.json")" ]
}
# has_ep HOST VNET IP [REMOTE]: HOST has that endpoint (to REMOTE)
has_ep()
{
	h "$1" -j endpoint show 2>/dev/null | jq -e --arg v "$2" --arg ip "$3" \
		--arg r "${4:-}" 'any(.[]; .vnet == $v and .ip == $ip and
			($r == "" or .remote == $r))' >/dev/null
}
no_ep() { ! has_ep "$@"; }
ms_since() { echo $(((${EPOCHREALTIME/./} - $1) / 1000)); }

# The intent, built with vnetctl in a scratch namespace and exported: the
# document's format is export's.
ns_new SCRATCH intent
# Through lib.sh's v: VNET_MUTATE=deny-allow lets the intent's rule allow.
vs() { CTL=$SCRATCH v "$@"; }
# write_intent [JQ]: the scratch namespace's export (through the jq
# filter JQ: what the scratch namespace cannot hold) written to etcd.
write_intent()
{
	vs export | jq "${1:-.}" >"$WORK/intent.json" &&
		ctl put /vnet/intent "$(cat "$WORK/intent.json")" >/dev/null
}
vs vnet add X id 100 prefix 10.1.0.0/16
vs vnet add Y id 200 prefix 10.2.0.0/16
vs vnet add Z id 300 prefix 10.1.0.0/16
vs subnet add X s prefix 10.1.1.0/24
vs subnet add Y s prefix 10.2.1.0/24
vs subnet add Z s prefix 10.1.1.0/24
vs peering add X x-to-y remote Y
vs peering add Y y-to-x remote X
vs acl add Y subnet s dir in prio 100 action deny proto icmp src 10.1.1.6/32

cluster()
{
	local t0=${EPOCHREALTIME/./}
	for i in 1 2 3; do member_start $i; done
	check "etcd: three members on the underlay answer" busywait 60000 healthy
	echo "# etcd ready in $(ms_since "$t0") ms"
	for i in 1 2 3; do vnetd_start H$i; done
	check "vnetd runs on the three hosts" \
		busywait 20000 grep -q "lease .* granted" "$WORK/vnetd-H3.log"
}

intent()
{
	local t0=${EPOCHREALTIME/./} i
	check "intent written once with etcdctl" write_intent
	for i in 1 2 3; do
		check "H$i: export equals the intent (cluster-wide kinds)" \
			busywait 30000 same_intent H$i
	done
	echo "# intent on every host in $(ms_since "$t0") ms"
	# The hosts' own objects: ports, by vnetctl on each host.
	vm_new H1 x1 X 10.1.1.4 52:54:00:01:00:04
	vm_new H2 x2 X 10.1.1.5 52:54:00:02:00:05
	vm_new H2 y2 Y 10.2.1.5 52:54:00:02:01:05
	vm_new H3 x3 X 10.1.1.6 52:54:00:03:00:06
	vm_new H3 z3 Z 10.1.1.9 52:54:00:03:02:09
	check "a port ACL stays the host's own" \
		h H1 acl add X port vm-x1 dir in prio 10 action allow proto tcp dport 5999
	check "H1: the port ACL survives the intent" busywait 5000 \
		eval 'h H1 -j acl show X | grep -q 5999'
}

endpoints()
{
	local t0=${EPOCHREALTIME/./}
	check "H1: endpoints of X's VMs on H2 and H3" busywait 30000 \
		eval 'has_ep H1 X 10.1.1.5 192.0.2.2 && has_ep H1 X 10.1.1.6 192.0.2.3'
	check "H1: endpoint of peered Y's VM on H2" busywait 30000 has_ep H1 Y 10.2.1.5 192.0.2.2
	check "H3: endpoints of X's VMs on H1 and H2" busywait 30000 \
		eval 'has_ep H3 X 10.1.1.4 192.0.2.1 && has_ep H3 X 10.1.1.5 192.0.2.2'
	check "H2: endpoints of x1 and x3" busywait 30000 \
		eval 'has_ep H2 X 10.1.1.4 192.0.2.1 && has_ep H2 X 10.1.1.6 192.0.2.3'
	echo "# endpoints everywhere in $(ms_since "$t0") ms"
	check "H1: no endpoint of Z (no port of Z or its peers here)" no_ep H1 Z 10.1.1.9
	check "H1: no endpoint for its own VM" no_ep H1 X 10.1.1.4
	check "vnetd logged each endpoint it added" \
		grep -q "endpoint: endpoint add X 10.1.1.5" "$WORK/vnetd-H1.log"
}

same_vnet()
{
	check "x1 (H1) pings x2 (H2)" reach x1 10.1.1.5
	check "x1 (H1) pings x3 (H3)" reach x1 10.1.1.6
	check "x3 (H3) pings x2 (H2)" reach x3 10.1.1.5
	check "TCP x1 (H1) -> x2 (H2)" tcp_ok x1 x2 10.1.1.5 5001
	check "TCP x2 (H2) -> x3 (H3)" tcp_ok x2 x3 10.1.1.6 5002
}

peered()
{
	check "x1 (H1, X) pings y2 (H2, peered Y)" reach x1 10.2.1.5
	check "TCP x1 (H1, X) -> y2 (H2, Y)" tcp_ok x1 y2 10.2.1.5 5003
	check "TCP y2 (H2, Y) -> x3 (H3, X)" tcp_ok y2 x3 10.1.1.6 5004
}

acl_isolation()
{
	# x3's echo request into Y's subnet: the subnet rule of the intent,
	# enforced by y2's host when the packet leaves its tunnel.
	STATS="h H2" check "ICMP x3 (H3) -> y2 (H2) dropped by Y's subnet rule on H2" \
		no_reach x3 10.2.1.5 acl vnet-vxlan
	check "TCP x3 (H3) -> y2 (H2) still allowed" tcp_ok x3 y2 10.2.1.5 5005
	# z3 in Z has X's addresses: x1's address is not Z's VM.
	STATS="h H3" check "z3 (H3, unpeered Z) cannot reach x1's address" \
		no_reach z3 10.1.1.4 no-port vm-z3
}

vm_added()
{
	local t0
	vm_new H2 x4 X 10.1.1.7 52:54:00:02:00:07
	# From the port's creation, its last step.
	t0=${EPOCHREALTIME/./}
	check "a VM added on H2: H1 has its endpoint" busywait 30000 \
		has_ep H1 X 10.1.1.7 192.0.2.2
	echo "# endpoint of a new VM on another host in $(ms_since "$t0") ms"
	check "x1 (H1) pings the new x4 (H2)" reach x1 10.1.1.7
	echo "# new VM reachable from another host in $(ms_since "$t0") ms"
}

vm_removed()
{
	local t0
	t0=${EPOCHREALTIME/./}
	h H2 port del vm-x4
	check "a VM removed on H2: H1 drops its endpoint" busywait 30000 \
		no_ep H1 X 10.1.1.7
	echo "# endpoint of a removed VM gone in $(ms_since "$t0") ms"
	STATS="h H1" check "x1 (H1) cannot reach the removed x4" \
		no_reach x1 10.1.1.7 no-port vm-x1
	check "its claim is released" eval \
		'[ -z "$(ctl get /vnet/claims/X/10.1.1.7 --print-value-only)" ]'
}

# A subnet that holds endpoints is not deleted (rule 12), and endpoints
# are not the intent's: vnetd takes those of the vnet away, applies, and
# puts back what is still wanted. A host with a port left in the subnet
# refuses the change until the port goes.
subnet_removed()
{
	vs subnet add X t prefix 10.1.2.0/24
	check "intent: a subnet t added to X" write_intent
	check "H2 has subnet t" busywait 30000 same_intent H2
	vm_new H2 t2 X 10.1.2.5 52:54:00:02:03:05 t
	check "H1: endpoint of t2 (H2) in subnet t" busywait 30000 has_ep H1 X 10.1.2.5 192.0.2.2
	vs subnet del X t
	check "intent: subnet t removed while t2 still runs" write_intent
	check "H1 removes subnet t despite its endpoint" busywait 30000 same_intent H1
	check "H1 said how" grep -q "again without the endpoints" "$WORK/vnetd-H1.log"
	check "H1 keeps the endpoints of X still wanted" busywait 30000 \
		eval 'has_ep H1 X 10.1.1.5 192.0.2.2 && has_ep H1 X 10.1.1.6 192.0.2.3'
	check "H1 has no endpoint outside its subnets" no_ep H1 X 10.1.2.5
	check "H2 refuses while its port is in t" busywait 30000 \
		grep -q "refused; the last applied stays" "$WORK/vnetd-H2.log"
	h H2 port del vm-t2
	check "H2 removes subnet t once its port went" busywait 30000 same_intent H2
	check "x1 (H1) pings x2 (H2)" reach x1 10.1.1.5
}

duplicate()
{
	# On H1, which has no port of Z and so no endpoint of Z: the kernel
	# takes the port, the claim in etcd refuses it.
	vm_new H1 dup Z 10.1.1.9 52:54:00:01:02:09
	check "a duplicate address on H1 is refused by its claim" busywait 20000 \
		grep -q "port vm-dup: refused: Z 10.1.1.9 is claimed by H3/vm-z3" \
		"$WORK/vnetd-H1.log"
	check "the first claim stays (H3's z3)" eval \
		'[ "$(ctl get /vnet/claims/Z/10.1.1.9 --print-value-only)" = H3/vm-z3 ]'
	check "the refused port is not published" eval \
		'[ -z "$(ctl get /vnet/ports/H1/vm-dup --print-value-only)" ]'
	check "H3's z3 stays published" eval \
		'[ -n "$(ctl get /vnet/ports/H3/vm-z3 --print-value-only)" ]'
	check "the holder, H3, reports the refusal too" busywait 20000 \
		grep -q "port vm-z3: Z 10.1.1.9 is claimed by H1/vm-dup too" \
		"$WORK/vnetd-H3.log"
	h H1 port del vm-dup
	check "the refusal's key goes with the port" busywait 20000 \
		eval '[ -z "$(ctl get --prefix /vnet/conflicts/ --keys-only)" ]'
}

# A route via an appliance that is neither a port nor an endpoint of a
# host (H1 and H2 have no port of Z, so no endpoint of z3): that host
# takes it as "nexthop none", which drops what it would have sent (as
# export does with a route whose appliance went), rather than let the
# traffic past the appliance. The appliance's host (H3) takes it as it is.
ROUTE_Z='{"vnet": "Z", "subnet": "s", "prefix": "10.8.0.0/16", "nexthop": "appliance", "appliance": "10.1.1.9"}'
same_as()	# HOST JQ: its export equals the intent through JQ
{
	[ "$(h "$1" export 2>/dev/null | cluster_part)" = \
	  "$(jq "$2" "$WORK/intent.json" | cluster_part)" ]
}
appliance_route()
{
	# The scratch namespace has no z3 to take the route: jq adds it.
	check "intent: a route of Z via z3 (H3) as appliance" write_intent \
		".routes += [$ROUTE_Z]"
	check "the intent has the route" grep -q 10.8.0.0/16 "$WORK/intent.json"
	check "H3 (z3's host) takes the route as it is" busywait 30000 same_intent H3
	for i in 1 2; do
		check "H$i takes it as nexthop none" busywait 30000 same_as H$i \
			'(.routes[] | select(.prefix == "10.8.0.0/16")) |= {vnet, subnet, prefix, nexthop: "none"}'
	done
	check "H1 says why" grep -q \
		"route Z s 10.8.0.0/16: appliance 10.1.1.9 is neither a port nor an endpoint here; nexthop none here until it is" \
		"$WORK/vnetd-H1.log"
	check "intent: the route removed" write_intent
	for i in 1 2 3; do
		check "H$i: the route goes" busywait 30000 same_intent H$i
	done
}

# Hub and spoke across hosts through vnetd: nva (X, subnet n, forwarding
# on) on H3 is the appliance of the route of X's subnet s to Y and of Y's
# route to X. x1 (H1) and y2 (H2) talk through it: each packet crosses the
# tunnel to H3 and from it. Every host knows nva as a forwarding endpoint,
# from its published port.
ROUTES_NVA='{"vnet": "X", "subnet": "s", "prefix": "10.2.0.0/16", "nexthop": "appliance", "appliance": "10.1.2.7"},
	{"vnet": "Y", "subnet": "s", "prefix": "10.1.0.0/16", "nexthop": "appliance", "appliance": "10.1.2.7"}'
nva_moved()	# RX TX: nva's port on H3 received and sent 2 more at least
{
	[ "$(STATS="h H3" counter vm-nva rx-packets)" -ge $(($1 + 2)) ] &&
		[ "$(STATS="h H3" counter vm-nva tx-packets)" -ge $(($2 + 2)) ]
}
fwd_ep()	# HOST: HOST has nva as a forwarding endpoint
{
	h "$1" -j endpoint show X | jq -e \
		'any(.[]; .ip == "10.1.2.7" and .forwarding == true)' >/dev/null
}
remote_appliance()
{
	local rx tx i
	vs subnet add X n prefix 10.1.2.0/24
	check "intent: X has subnet n" write_intent
	check "H3 has it" busywait 30000 same_intent H3
	vm_new H3 nva X 10.1.2.7 52:54:00:03:00:07 n
	h H3 port set vm-nva forwarding on
	vm nva sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0
	for i in 1 2; do
		check "H$i: nva is a forwarding endpoint" busywait 30000 fwd_ep H$i
	done
	check "intent: X and Y route to each other via nva" write_intent \
		".routes += [$ROUTES_NVA]"
	for i in 1 2 3; do
		check "H$i takes the routes as they are" busywait 30000 same_intent H$i
	done
	rx=$(STATS="h H3" counter vm-nva rx-packets)
	tx=$(STATS="h H3" counter vm-nva tx-packets)
	check "x1 (H1) pings y2 (H2)" reach x1 10.2.1.5
	check "through nva on H3, both ways" nva_moved "$rx" "$tx"
	check "TCP from y2 to x1 through nva" tcp_ok y2 x1 10.1.1.4 7500
	h H3 port del vm-nva
	ip -n "${HOST[H3]}" link del vm-nva
	check "nva gone: H1 takes the route as nexthop none" busywait 30000 same_as H1 \
		'(.routes[] | select(.prefix == "10.2.0.0/16")) |= {vnet, subnet, prefix, nexthop: "none"}
		 | (.routes[] | select(.prefix == "10.1.0.0/16")) |= {vnet, subnet, prefix, nexthop: "none"}'
	check_fail "and x1 no longer reaches y2" reach x1 10.2.1.5
	vs subnet del X n
	check "intent: the routes and subnet n removed" write_intent
	for i in 1 2 3; do
		check "H$i: the routes go" busywait 30000 same_intent H$i
	done
}

# A load balancer in the intent: on every host, its backend x2 (H2) is a
# port or an endpoint, so every host has the lb and translates its own
# clients' connections.
LB_X='{"vnet": "X", "name": "web", "frontend": "10.1.1.100", "proto": "tcp", "port": 8080, "backends": ["10.1.1.5:8080"]}'
remote_lb()
{
	local i
	check "intent: an lb of X with backend x2" write_intent ".lbs = [$LB_X]"
	for i in 1 2 3; do
		check "H$i has the lb" busywait 30000 same_intent H$i
	done
	check "x1 (H1) reaches x2 (H2) through the frontend" tcp_ok x1 x2 10.1.1.100 8080
	check "x3 (H3) too" tcp_ok x3 x2 10.1.1.100 8080
	check "intent: the lb removed" write_intent
	for i in 1 2 3; do
		check "H$i: the lb goes" busywait 30000 same_intent H$i
	done
}

# Values that a host's mistake (or a host that lies) may publish: an
# address another port holds the claim of, a MAC that is none. Each is
# left out where it would be installed, said once, and stalls nothing: a
# VM added afterwards gets its endpoints as before.
rogue_values()
{
	ctl put /vnet/ports/H9/steal \
		'{"vnet":"X","subnet":"s","mac":"52:54:00:09:00:05","ips":["10.1.1.5"],"underlay":"192.0.2.9","forwarding":true}' >/dev/null
	ctl put /vnet/claims/X/10.1.1.50 H9/bad >/dev/null
	ctl put /vnet/ports/H9/bad \
		'{"vnet":"X","subnet":"s","mac":"zz","ips":["10.1.1.50"],"underlay":"192.0.2.9"}' >/dev/null
	check "H1 leaves out an address claimed by another port" busywait 30000 grep -q \
		"endpoint: port H9/steal not installed: X/10.1.1.5 is H2/vm-x2's, by its claim" \
		"$WORK/vnetd-H1.log"
	check "and a value that is no endpoint" busywait 30000 grep -q \
		"endpoint: port H9/bad not installed: " "$WORK/vnetd-H1.log"
	check "x2's endpoint on H1 stays H2's" has_ep H1 X 10.1.1.5 192.0.2.2
	vm_new H2 x4 X 10.1.1.8 52:54:00:02:00:08
	check "a VM added afterwards still gets its endpoint on H1" busywait 30000 \
		has_ep H1 X 10.1.1.8 192.0.2.2
	check "each is said once" test "$(grep -c 'port H9/bad not installed' "$WORK/vnetd-H1.log")" -eq 1
	ctl del --prefix /vnet/ports/H9/ >/dev/null
	ctl del /vnet/claims/X/10.1.1.50 >/dev/null
	h H2 port del vm-x4
	check "x4 gone: its endpoint goes from H1" busywait 30000 no_ep H1 X 10.1.1.8
}

restart()
{
	local t0
	vnetd_kill H2
	# The intent changes while H2's vnetd is down.
	vs vnet add V id 400 prefix 10.4.0.0/16
	vs subnet add V s prefix 10.4.1.0/24
	vs route add X s 10.9.0.0/16 nexthop none
	check "intent changed while H2's vnetd is down" write_intent
	check "H1 follows the change" busywait 30000 same_intent H1
	t0=${EPOCHREALTIME/./}
	vnetd_start H2
	check "H2's vnetd restarted converges to the intent" busywait 30000 same_intent H2
	echo "# restarted vnetd converged in $(ms_since "$t0") ms"
	check "H1 and H2 export the same cluster-wide state" eval \
		'[ "$(h H1 export | cluster_part)" = "$(h H2 export | cluster_part)" ]'
	check "H2 keeps its endpoints" busywait 20000 \
		eval 'has_ep H2 X 10.1.1.4 192.0.2.1 && has_ep H2 X 10.1.1.6 192.0.2.3'
	check "x2 (H2) pings x1 (H1) after the restart" busywait 30000 reach x2 10.1.1.4
}

member_killed()
{
	member_kill 1
	vs vnet add Q id 500 prefix 10.5.0.0/16
	check "one member killed: intent written to the other two" eval \
		'vs export >"$WORK/intent.json" &&
		 ENDPOINTS=http://192.0.2.12:2379,http://192.0.2.13:2379 \
			ctl put /vnet/intent "$(cat "$WORK/intent.json")" >/dev/null'
	for i in 1 2 3; do
		check "H$i: the intent arrives with m1 down" busywait 30000 same_intent H$i
	done
	check "x1 (H1) pings x3 (H3)" reach x1 10.1.1.6
}

all_killed()
{
	local applied
	member_kill 2
	member_kill 3
	check "all members killed: vnetd reports etcd unreachable" busywait 30000 \
		grep -q "etcd: .*the kernel keeps its state" "$WORK/vnetd-H1.log"
	check "forwarding goes on: x1 (H1) pings x2 (H2)" reach x1 10.1.1.5
	check "TCP x1 (H1) -> y2 (H2) with etcd down" tcp_ok x1 y2 10.2.1.5 5006
	check "H1 keeps its endpoints" has_ep H1 X 10.1.1.5 192.0.2.2
	applied=$(grep -c "intent: vnet add Q" "$WORK/vnetd-H1.log")
	for i in 1 2 3; do member_start $i; done
	check "etcd back" busywait 60000 healthy
	vs vnet add R id 600 prefix 10.6.0.0/16
	check "intent written after the restart" write_intent
	for i in 1 2 3; do
		check "H$i: the new intent arrives" busywait 30000 same_intent H$i
	done
	check "nothing applied twice (H1 added Q once)" eval \
		'[ "$applied" = 1 ] && [ "$(grep -c "intent: vnet add Q" "$WORK/vnetd-H1.log")" = 1 ]'
	check "x1 (H1) pings x2 (H2) after etcd's return" reach x1 10.1.1.5
}

host_killed()
{
	local t0
	vnetd_kill H3 KILL
	t0=${EPOCHREALTIME/./}
	check "host H3 killed: H1 drops its endpoints when its lease expires" \
		busywait $(((TTL + 30) * 1000)) \
		no_ep H1 X 10.1.1.6
	echo "# dead host's endpoints gone in $(ms_since "$t0") ms (lease TTL $TTL s)"
	check "H2 drops them too" busywait 20000 no_ep H2 X 10.1.1.6
	check "H1 keeps H2's endpoints" has_ep H1 X 10.1.1.5 192.0.2.2
	check "x1 (H1) still pings x2 (H2)" reach x1 10.1.1.5
}

# ---- TLS: a member that wants client certificates ----
# A one-member etcd m4 (192.0.2.14) that serves HTTPS and asks every client
# for a certificate of the test's CA; host H4 (192.0.2.4) runs vnetd with
# the CA, its certificate and its key, and gets the intent written there.
# vnetd without a client certificate, or trusting another CA, gets nothing.
pki()	# DIR: a CA, m4's server certificate, a client certificate, another CA
{
	local d=$1 n
	mkdir -p "$d"
	for n in ca other; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$d/$n-key.pem" -out "$d/$n.pem" -days 2 \
			-subj "/CN=vnet test $n" 2>/dev/null || return 1
	done
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/m4-key.pem" -out "$d/m4.csr" -subj /CN=m4 2>/dev/null &&
	openssl x509 -req -in "$d/m4.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
		-CAcreateserial -out "$d/m4.pem" -days 2 \
		-extfile <(printf 'subjectAltName=IP:192.0.2.14\nextendedKeyUsage=serverAuth,clientAuth\n') \
		2>/dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/h4-key.pem" -out "$d/h4.csr" -subj /CN=H4 2>/dev/null &&
	openssl x509 -req -in "$d/h4.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
		-CAcreateserial -out "$d/h4.pem" -days 2 \
		-extfile <(printf 'extendedKeyUsage=clientAuth\n') 2>/dev/null
}
tls_ctl()
{
	ip netns exec "$UL" etcdctl --endpoints=https://192.0.2.14:2379 \
		--cacert "$PKI/ca.pem" --cert "$PKI/h4.pem" --key "$PKI/h4-key.pem" \
		--command-timeout=10s "$@"
}
tls_vnetd()	# HOST LOG ARGS...: vnetd on HOST against m4
{
	local n=${HOST[$1]} log=$2
	shift 2
	ip netns exec "$n" "${VNET_VNETD:-vnetd}" --name "$1" --underlay "192.0.2.${1#H}" \
		--etcd https://192.0.2.14:2379 --ttl "$TTL" "$@" >>"$WORK/$log.log" 2>&1 &
	TLS_PIDS+=($!)
}
tls()
{
	local pid etcd_pid
	PKI=$WORK/pki TLS_PIDS=()
	check "a CA and certificates (openssl)" pki "$PKI"
	ip -n "$UL" addr add 192.0.2.14/24 dev br-ul
	ip netns exec "$UL" etcd --name m4 --data-dir "$WORK/m4" \
		--listen-client-urls https://192.0.2.14:2379 \
		--advertise-client-urls https://192.0.2.14:2379 \
		--listen-peer-urls http://192.0.2.14:2380 \
		--initial-advertise-peer-urls http://192.0.2.14:2380 \
		--initial-cluster m4=http://192.0.2.14:2380 \
		--cert-file "$PKI/m4.pem" --key-file "$PKI/m4-key.pem" \
		--client-cert-auth --trusted-ca-file "$PKI/ca.pem" \
		--log-level warn >>"$WORK/etcd-m4.log" 2>&1 &
	etcd_pid=$!
	check "m4 serves HTTPS to a client with a certificate" busywait 60000 \
		tls_ctl put /vnet/intent "$(cat "$WORK/intent.json")"
	host_new 4
	host_new 5
	host_new 6
	tls_vnetd H4 vnetd-H4 --cacert "$PKI/ca.pem" --cert "$PKI/h4.pem" --key "$PKI/h4-key.pem"
	tls_vnetd H5 vnetd-H5 --cacert "$PKI/ca.pem"
	tls_vnetd H6 vnetd-H6 --cacert "$PKI/other.pem" --cert "$PKI/h4.pem" --key "$PKI/h4-key.pem"
	check "H4's vnetd, with the CA and its certificate, takes a lease" busywait 30000 \
		grep -q "lease .* granted" "$WORK/vnetd-H4.log"
	check "and applies the intent" busywait 30000 same_intent H4
	check "H5's, without a client certificate, is refused" busywait 30000 \
		grep -q "lease: " "$WORK/vnetd-H5.log"
	check "H6's, trusting another CA, refuses the member" busywait 30000 \
		grep -q "lease: " "$WORK/vnetd-H6.log"
	check_output "neither takes a lease nor applies anything" "0 0 []" sh -c \
		"echo \$(grep -c granted '$WORK/vnetd-H5.log') \$(grep -c granted '$WORK/vnetd-H6.log') \
		 \$(vnetctl -n '${HOST[H5]}' -j vnet show)"
	echo "# H5: $(grep -m1 'lease: ' "$WORK/vnetd-H5.log")"
	echo "# H6: $(grep -m1 'lease: ' "$WORK/vnetd-H6.log")"
	for pid in "${TLS_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	kill -9 "$etcd_pid" 2>/dev/null
	wait "$etcd_pid" 2>/dev/null
}

tests_run

for hn in H1 H2 H3; do
	vnetd_kill "$hn" 2>/dev/null
done
for i in 1 2 3; do member_kill $i; done
if [ "$T_FAILED" -gt 0 ]; then
	for hn in H1 H2 H3; do
		echo "# --- vnetd $hn"
		tail -n 60 "$WORK/vnetd-$hn.log" | sed 's/^/#   /'
	done
	tail -n 20 "$WORK/etcd-m1.log" | sed 's/^/#   m1: /'
fi
done_testing
