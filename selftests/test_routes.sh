#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# User routes, service chaining through an appliance, forwarded traffic
# (rule 7), gateway transit (rule 8) and the gateway's port (rule 12: it
# cannot be deleted; its interface can, and the gateway fails closed), with
# real traffic, IPv4 and IPv6.
#
# One function per case, each leaving the topology as it found it (the
# setup below): TESTS="gateway_port_absent large_batch" (VNET_TESTS through
# vm.sh) runs those alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	plain_peering
	service_chaining
	fail_closed
	blackholes
	refusals
	gateway_transit
	gateway_port_absent
	events
	large_batch
"

# Topology (hub and spoke; the spokes are not peered with each other):
#
#   vnet spoke1 10.1.0.0/16 fd00:11::/48   subnet s: vm s1 .1.4
#   vnet spoke2 10.2.0.0/16 fd00:12::/48   subnet s: vm s2 .1.4
#          \ s1h/h2s1                 / s2h/h2s2
#   vnet hub 10.0.0.0/16 fd00:10::/48      subnet hs: app .1.4 (appliance,
#        forwarding on), gw .1.5 (gateway, forwarding on), h1 .1.6
#
#   gw's eth1 -- onprem's eth0: 192.168.1.0/24 fd00:99:0:1::/64, behind the
#   hub's gateway as 192.168.0.0/16 and fd00:99::/48

state()		# the configuration, as JSON: refusals must not change it
{
	# One vnetctl for all (a batch): each process costs under emulation.
	printf '%s\n' "vnet show" "subnet show" "peering show" "port show" \
		"route show spoke1" "route show spoke2" "route show hub" \
		"gateway show" | v -j -b -
}

v vnet add hub id 10 prefix 10.0.0.0/16 prefix fd00:10::/48
v vnet add spoke1 id 11 prefix 10.1.0.0/16 prefix fd00:11::/48
v vnet add spoke2 id 12 prefix 10.2.0.0/16 prefix fd00:12::/48
v subnet add hub hs prefix 10.0.1.0/24 prefix fd00:10:0:1::/64
v subnet add spoke1 s prefix 10.1.1.0/24 prefix fd00:11:0:1::/64
v subnet add spoke1 v4only prefix 10.1.9.0/24
v subnet add spoke2 s prefix 10.2.1.0/24 prefix fd00:12:0:1::/64
add_router_vm app hub hs 10.0.1.4 fd00:10:0:1::4 52:54:00:10:01:04
add_router_vm gw hub hs 10.0.1.5 fd00:10:0:1::5 52:54:00:10:01:05
add_vm h1 hub hs 10.0.1.6 fd00:10:0:1::6 52:54:00:10:01:06
add_vm s1 spoke1 s 10.1.1.4 fd00:11:0:1::4 52:54:00:11:01:04
add_vm s2 spoke2 s 10.2.1.4 fd00:12:0:1::4 52:54:00:12:01:04
v peering add spoke1 s1h remote hub
v peering add hub h2s1 remote spoke1
v peering add spoke2 s2h remote hub
v peering add hub h2s2 remote spoke2

# On premises, behind the gw VM's eth1.
ns_new NS_onprem onprem
ip -n "$NS_gw" link add eth1 type veth peer name eth0 netns "$NS_onprem"
ip -n "$NS_gw" link set eth1 up
ip -n "$NS_gw" addr add 192.168.1.1/24 dev eth1
ip -n "$NS_gw" addr add fd00:99:0:1::1/64 dev eth1 nodad
ip -n "$NS_onprem" link set eth0 up
ip -n "$NS_onprem" addr add 192.168.1.2/24 dev eth0
ip -n "$NS_onprem" addr add fd00:99:0:1::2/64 dev eth0 nodad
ip -n "$NS_onprem" route add default via 192.168.1.1
ip -n "$NS_onprem" -6 route add default via fd00:99:0:1::1

# chain_on, chain_off: the routes through the appliance both ways, and
# forwarded traffic allowed on the spokes' sides (as service_chaining
# leaves them), then none of it.
chain_on()
{
	v route add spoke1 s 10.2.0.0/16 nexthop appliance 10.0.1.4
	v route add spoke1 s fd00:12::/48 nexthop appliance fd00:10:0:1::4
	v route add spoke2 s 10.1.0.0/16 nexthop appliance 10.0.1.4
	v route add spoke2 s fd00:11::/48 nexthop appliance fd00:10:0:1::4
	v peering set spoke1 s1h forwarded on
	v peering set spoke2 s2h forwarded on
}
chain_off()
{
	v peering set spoke1 s1h forwarded off
	v peering set spoke2 s2h forwarded off
	v route del spoke1 s 10.2.0.0/16
	v route del spoke1 s fd00:12::/48
	v route del spoke2 s 10.1.0.0/16
	v route del spoke2 s fd00:11::/48
}

# Hub and spoke, no transitivity.
plain_peering()
{
	check "spoke1 reaches the hub (IPv4)" reach s1 10.0.1.6
	check "spoke2 reaches the hub (IPv6)" reach s2 fd00:10:0:1::6
	dropped_as "spoke1 cannot reach spoke2 through the hub (IPv4)" s1 10.2.1.4 vm-s1 no-route
	dropped_as "spoke2 cannot reach spoke1 through the hub (IPv6)" s2 fd00:11:0:1::4 vm-s2 no-route
}
# Service chaining through the appliance.
service_chaining()
{
	check "route via the appliance on spoke1 (IPv4)" \
		v route add spoke1 s 10.2.0.0/16 nexthop appliance 10.0.1.4
	check "route via the appliance on spoke1 (IPv6)" \
		v route add spoke1 s fd00:12::/48 nexthop appliance fd00:10:0:1::4
	v route add spoke2 s 10.1.0.0/16 nexthop appliance 10.0.1.4
	v route add spoke2 s fd00:11::/48 nexthop appliance fd00:10:0:1::4
	check_output "route show lists the routes, sorted, as they were given" \
	"spoke1 s 10.2.0.0/16 nexthop appliance 10.0.1.4
spoke1 s fd00:12::/48 nexthop appliance fd00:10:0:1::4" v route show spoke1
	check_output "route show -j: command-line words as keys" \
	'[{"vnet":"spoke1","subnet":"s","prefix":"10.2.0.0/16","nexthop":"appliance","appliance":"10.0.1.4"},{"vnet":"spoke1","subnet":"s","prefix":"fd00:12::/48","nexthop":"appliance","appliance":"fd00:10:0:1::4"}]' \
		v -j route show spoke1 s
	dropped_as "through the appliance without forwarded on: dropped (IPv4)" s1 10.2.1.4 vm-app forwarded
	dropped_as "through the appliance without forwarded on: dropped (IPv6)" s2 fd00:11:0:1::4 vm-app forwarded
	v peering set spoke1 s1h forwarded on
	v peering set spoke2 s2h forwarded on
	cap_start app app eth0 "icmp and host 10.1.1.4 and host 10.2.1.4"
	check "with forwarded on: spoke1 reaches spoke2 through the appliance (IPv4)" reach s1 10.2.1.4
	check "and spoke2 reaches spoke1 (IPv6)" reach s2 fd00:11:0:1::4
	# The capture may have started late: pings until it shows one.
	check "tcpdump in the appliance sees the spoke-to-spoke packets" \
		cap_sync app "src 10.1.1.4 and dst 10.2.1.4" vm s1 ping -c 1 -W 1 10.2.1.4
	cap_stop app
	check "TCP through the appliance (IPv4)" tcp_echo s1 s2 10.2.1.4
	check "TCP through the appliance (IPv6)" tcp_echo s2 s1 fd00:11:0:1::4
	check "the hub itself is still reached directly" reach s1 10.0.1.6
	v peering set spoke2 s2h forwarded off
	dropped_as "forwarded off again on spoke2's side: dropped" s1 10.2.1.4 vm-app forwarded
	v peering set spoke2 s2h forwarded on
	chain_off
}
# The appliance goes, the route stays and drops.
fail_closed()
{
	chain_on
	v port del vm-app
	dropped_as "appliance port removed: the route drops, counted (IPv4)" s1 10.2.1.4 vm-s1 appliance-unreachable
	dropped_as "appliance port removed: the route drops, counted (IPv6)" s1 fd00:12:0:1::4 vm-s1 appliance-unreachable
	check "effective routes say why the route drops" \
		sh -c "vnetctl -n $CTL -j route show spoke1 s effective | grep -q '\"prefix\":\"10.2.0.0/16\",\"nexthop\":\"appliance\",\"appliance\":\"10.0.1.4\",\"source\":\"user\",\"active\":true,\"drops\":\"appliance 10.0.1.4 is not a port or endpoint of vnet spoke1 or of a connected peer\"'"
	v port add vm-app vnet hub subnet hs mac 52:54:00:10:01:04 ip 10.0.1.4 \
		ip fd00:10:0:1::4 forwarding on
	check "appliance back: chaining works again" reach s1 10.2.1.4
	v peering del hub h2s1
	dropped_as "peering to the appliance disconnected: drops, no bypass" s1 10.2.1.4 vm-s1 appliance-unreachable
	v peering add hub h2s1 remote spoke1
	check "peering back: chaining works again" reach s1 10.2.1.4
	chain_off
}
# Blackholes, longest prefix, ties.
blackholes()
{
	v route add spoke1 s 10.0.0.0/8 nexthop none
	check "a shorter user route loses to the hub's /16" reach s1 10.0.1.6
	v route add spoke1 s 10.0.1.6/32 nexthop none
	dropped_as "nexthop none blackholes a /32 (IPv4)" s1 10.0.1.6 vm-s1 route-none
	check "the longest prefix wins: the hub's other hosts are reachable" reach s1 10.0.1.4
	v route add spoke1 s fd00:10::/48 nexthop none
	dropped_as "on an equal prefix the user route wins (IPv6 /48 none)" s1 fd00:10:0:1::6 vm-s1 route-none
	check "effective: the user route wins the tie, the system one is shown inactive" \
		sh -c "vnetctl -n $CTL -j route show spoke1 s effective | grep -q '\"prefix\":\"fd00:10::/48\",\"nexthop\":\"vnet\",\"remote\":\"hub\",\"source\":\"peering\",\"peering\":\"s1h\",\"active\":false'"
	v route add spoke1 s 10.0.0.0/16 nexthop none
	dropped_as "on an equal prefix the user route wins (IPv4 /16 none)" s1 10.0.1.4 vm-s1 route-none
	check "route del" v route del spoke1 s 10.0.0.0/16
	check "route del (IPv6)" v route del spoke1 s fd00:10::/48
	v route del spoke1 s 10.0.1.6/32
	v route del spoke1 s 10.0.0.0/8
	check "routes deleted: the hub is reachable again" reach s1 10.0.1.6
}
# Bad input: refused, named, nothing changes.
refusals()
{
	v route add spoke1 s 10.2.0.0/16 nexthop appliance 10.0.1.4
	refused "appliance that is no port of the vnet or a connected peer" \
		"10.0.1.99|spoke1" v route add spoke1 s 10.3.0.0/16 nexthop appliance 10.0.1.99
	refused "appliance in a vnet that is not peered" \
		"10.2.1.4|spoke1" v route add spoke1 s 10.3.0.0/16 nexthop appliance 10.2.1.4
	refused "duplicate route" "10.2.0.0/16|spoke1" \
		v route add spoke1 s 10.2.0.0/16 nexthop none
	refused "IPv6 route on a subnet without IPv6" "v4only|IPv6" \
		v route add spoke1 v4only fd00:12::/48 nexthop none
	check_exit 2 "appliance of the other family: caught by vnetctl" \
		v route add spoke1 s 10.3.0.0/16 nexthop appliance fd00:10:0:1::4
	check_exit 2 "route with host bits set: caught by vnetctl" \
		v route add spoke1 s 10.3.0.1/16 nexthop none
	refused "deleting a route that does not exist" "10.9.0.0/16" \
		v route del spoke1 s 10.9.0.0/16
	v route add spoke1 v4only 10.7.0.0/16 nexthop none
	refused "deleting a subnet that has routes (rule 12)" "v4only|10.7.0.0/16" \
		v subnet del spoke1 v4only
	refused "gateway port in another vnet" "vm-s1|spoke1" \
		v gateway set hub port vm-s1 prefix 192.168.0.0/16
	refused "gateway port without forwarding" "vm-h1|forwarding" \
		v gateway set hub port vm-h1 prefix 192.168.0.0/16
	refused "on-premises prefix inside the vnet's space" "10.0.0.0/16" \
		v gateway set hub port vm-gw prefix 10.0.5.0/24
	refused "use-remote-gateways while the peer has no gateway transit" "h2s1|hub" \
		v peering set spoke1 s1h use-remote-gateways on
	v route del spoke1 v4only 10.7.0.0/16
	v route del spoke1 s 10.2.0.0/16
}
# Gateway transit (rule 8).
gateway_transit()
{
	v peering set spoke1 s1h forwarded off
	v peering set spoke2 s2h forwarded off
	dropped_as "no gateway: the hub has no route on premises" h1 192.168.1.2 vm-h1 no-route
	check "gateway set" v gateway set hub port vm-gw prefix 192.168.0.0/16 prefix fd00:99::/48
	check_output "gateway show" "hub port vm-gw prefix 192.168.0.0/16 prefix fd00:99::/48 state active" \
		v gateway show
	check_output "gateway show -j: the port is there (state active)" \
	'[{"vnet":"hub","prefixes":["192.168.0.0/16","fd00:99::/48"],"port":"vm-gw","state":"active"}]' \
		v -j gateway show hub
	refused "deleting the gateway's port (rule 12): names the vnet, says gateway del" \
		"vm-gw|vnet hub|gateway del hub" v port del vm-gw
	check "the hub reaches on premises through its gateway (IPv4)" reach h1 192.168.1.2
	check "the hub reaches on premises through its gateway (IPv6)" reach h1 fd00:99:0:1::2
	dropped_as "a spoke without use-remote-gateways does not (IPv4)" s1 192.168.1.2 vm-s1 no-route
	refused "use-remote-gateways without gateway transit on the hub's side" "h2s1" \
		v peering set spoke1 s1h use-remote-gateways on
	check "gateway-transit on the hub's side" v peering set hub h2s1 gateway-transit on
	refused "use-remote-gateways on a vnet that has its own gateway" "hub" \
		v peering set hub h2s1 use-remote-gateways on
	check "use-remote-gateways on spoke1" v peering set spoke1 s1h use-remote-gateways on
	check "spoke1 reaches on premises through the hub's gateway (IPv4, forwarded off)" \
		reach s1 192.168.1.2
	check "spoke1 reaches on premises through the hub's gateway (IPv6)" \
		reach s1 fd00:99:0:1::2
	check "TCP from spoke1 to on premises" tcp_echo s1 onprem 192.168.1.2
	dropped_as "spoke2 (no use-remote-gateways) still does not (IPv6)" s2 fd00:99:0:1::2 vm-s2 no-route
	check "spoke1's effective routes hold the on-premises prefix from the gateway" \
		sh -c "vnetctl -n $CTL -j route show spoke1 effective | grep -q '\"prefix\":\"192.168.0.0/16\",\"nexthop\":\"gateway\",\"remote\":\"hub\",\"source\":\"gateway\",\"peering\":\"s1h\",\"active\":true}'"
	refused "removing the gateway while a peer uses it" "spoke1|s1h" v gateway del hub
	refused "gateway-transit off while a peer uses it" "spoke1|s1h" \
		v peering set hub h2s1 gateway-transit off
	refused "a gateway on a vnet that uses a remote one" "spoke1|s1h" \
		v gateway set spoke1 port vm-s1 prefix 172.16.0.0/16
	v vnet add spoke3 id 13 prefix 10.3.0.0/16 prefix fd00:13::/48
	v subnet add spoke3 s prefix 10.3.1.0/24 prefix fd00:13:0:1::/64
	add_router_vm gw3 spoke3 s 10.3.1.5 fd00:13:0:1::5 52:54:00:13:01:05
	v gateway set spoke3 port vm-gw3 prefix 172.16.0.0/16
	v peering add spoke1 s1s3 remote spoke3
	v peering add spoke3 s3s1 remote spoke1 gateway-transit on
	refused "use-remote-gateways on a second peering" "s1h|hub" \
		v peering set spoke1 s1s3 use-remote-gateways on
	v peering del spoke1 s1s3
	v peering del spoke3 s3s1
	check "route via gateway" v route add spoke1 s 172.31.0.0/16 nexthop gateway
	check "route via gateway (IPv6)" v route add spoke1 s fd00:98::/48 nexthop gateway
	ip -n "$NS_onprem" addr add 172.31.0.1/32 dev lo
	ip -n "$NS_gw" route add 172.31.0.1/32 via 192.168.1.2
	check "nexthop gateway sends a prefix to the gateway" reach s1 172.31.0.1
	v peering del hub h2s1
	dropped_as "hub's side deleted: transit stops" s1 192.168.1.2 vm-s1 no-route
	dropped_as "and the route to the gateway fails closed" s1 172.31.0.1 vm-s1 gateway-unreachable
	v peering add hub h2s1 remote spoke1 gateway-transit on
	check "hub's side back with transit: on premises again" reach s1 192.168.1.2
	check "use-remote-gateways off" v peering set spoke1 s1h use-remote-gateways off
	check "then the gateway can go" v gateway del hub
	dropped_as "gateway gone: the hub has no route on premises" h1 192.168.1.2 vm-h1 no-route

	# Back to the setup: no gateway, no routes to it, no spoke3.
	v route del spoke1 s 172.31.0.0/16
	v route del spoke1 s fd00:98::/48
	ip -n "$NS_onprem" addr del 172.31.0.1/32 dev lo
	ip -n "$NS_gw" route del 172.31.0.1/32 via 192.168.1.2
	v peering set hub h2s1 gateway-transit off
	v gateway del spoke3
	v vnet del spoke3
	ip -n "$CTL" link del vm-gw3
}
# The gateway's interface goes away: not refusable, fails closed.
# gw_link [index N]: vm-gw again, with its other end eth0 in the gw VM.
gw_link()
{
	ip -n "$CTL" link add vm-gw "$@" type veth peer name eth0 netns "$NS_gw" &&
		ip -n "$CTL" link set vm-gw up &&
		vm gw ip link set eth0 address 52:54:00:10:01:05 up &&
		vm gw ip addr add 10.0.1.5/24 dev eth0 &&
		vm gw ip addr add fd00:10:0:1::5/64 dev eth0 nodad &&
		vm gw ip route add default via 10.0.1.1 &&
		vm gw ip -6 route add default via fd00:10:0:1::1
}
gw_port()	# [forwarding on]: vm-gw as a port of the hub
{
	v port add vm-gw vnet hub subnet hs mac 52:54:00:10:01:05 \
		ip 10.0.1.5 ip fd00:10:0:1::5 "$@"
}
gw_show="hub port vm-gw prefix 192.168.0.0/16 prefix fd00:99::/48 state"
gw_port_show="vm-gw vnet hub subnet hs mac 52:54:00:10:01:05 ip 10.0.1.5 ip fd00:10:0:1::5 forwarding on state"
# The gateway's port outlives its interface (rule 12): absent, it stays
# the gateway, which fails closed, and both come back with an interface
# of its name, whatever its ifindex.
gateway_port_absent()
{
	check "without a gateway, its port can be deleted" v port del vm-gw
	check "and added again" gw_port forwarding on
	check "gateway set again" v gateway set hub port vm-gw prefix 192.168.0.0/16 prefix fd00:99::/48
	check "the hub reaches on premises again" reach h1 192.168.1.2
	gwmon=
	monitor_start gwmon "$WORK/gwmon" v
	check "the gateway's interface is deleted (cannot be refused)" ip -n "$CTL" link del vm-gw
	check_output "gateway show says its port is absent" "$gw_show port-absent" v gateway show hub
	check_output "gateway show -j: state port-absent" \
	'[{"vnet":"hub","prefixes":["192.168.0.0/16","fd00:99::/48"],"port":"vm-gw","state":"port-absent"}]' \
		v -j gateway show hub
	check_output "port show keeps the port, absent" "$gw_port_show absent" v port show vm-gw
	dropped_as "port absent: the gateway stays and drops, counted (IPv4)" h1 192.168.1.2 vm-h1 gateway-unreachable
	dropped_as "port absent: the gateway stays and drops, counted (IPv6)" h1 fd00:99:0:1::2 vm-h1 gateway-unreachable
	check "effective routes say why the gateway's prefixes drop" \
		sh -c "vnetctl -n $CTL -j route show hub hs effective | grep -qF '\"prefix\":\"192.168.0.0/16\",\"nexthop\":\"gateway\",\"remote\":\"hub\",\"source\":\"gateway\",\"active\":true,\"drops\":\"gateway port vm-gw of vnet hub is absent\"'"
	refused "the absent port is still the gateway's: port del is refused" \
		"vm-gw|vnet hub|gateway del" v port del vm-gw
	refused "port set cannot turn the gateway port's forwarding off" \
		"vm-gw|vnet hub|forwarding" v port set vm-gw forwarding off
	check "an interface of its name comes back" gw_link
	check_output "the port is up again" "$gw_port_show up" v port show vm-gw
	check_output "and the gateway is active again" "$gw_show active" v gateway show hub
	check "the hub reaches on premises again (IPv4)" reach h1 192.168.1.2
	check "the hub reaches on premises again (IPv6)" reach h1 fd00:99:0:1::2
	ip -n "$CTL" link set vm-gw down
	ip -n "$CTL" link set vm-gw name vm-gw0
	check_output "renamed away, its interface leaves the port absent" \
		"$gw_show port-absent" v gateway show hub
	dropped_as "and traffic on premises drops" h1 192.168.1.2 vm-h1 gateway-unreachable
	ip -n "$CTL" link set vm-gw0 name vm-gw
	ip -n "$CTL" link set vm-gw up
	check_output "renamed back, the gateway is active" "$gw_show active" v gateway show hub
	check "the hub reaches on premises" reach h1 192.168.1.2
	busywait 10000 grep -q "^port state vm-gw up" "$WORK/gwmon"
	kill "$gwmon"; wait "$gwmon" 2>/dev/null
	check_output "monitor announces the gateway's state changes" \
	"gateway state hub port vm-gw port-absent
gateway state hub port vm-gw active
gateway state hub port vm-gw port-absent
gateway state hub port vm-gw active" grep "^gateway state" "$WORK/gwmon"
	check_output "and the port's" \
	"port state vm-gw absent
port state vm-gw up
port state vm-gw absent
port state vm-gw up" grep "^port state" "$WORK/gwmon"

	# Back to the setup: no gateway, its port named vm-gw.
	v gateway del hub
}
# Events.
events()
{
	mon=
	monitor_start mon "$WORK/mon" v
	v route add spoke1 s 10.50.0.0/16 nexthop none
	v route del spoke1 s 10.50.0.0/16
	busywait 10000 grep -q "^route del spoke1 s 10.50.0.0/16" "$WORK/mon"
	kill "$mon"; wait "$mon" 2>/dev/null
	check_output "monitor prints route events" \
	"route add spoke1 s 10.50.0.0/16 nexthop none
route del spoke1 s 10.50.0.0/16" grep -v Sync "$WORK/mon"
}
# A large batch loads fast (the table grows in place).
large_batch()
{
	local i start secs
	chain_on
	v route add spoke1 v4only 10.7.0.0/16 nexthop none
	for ((i = 0; i < 20000; i++)); do
		echo "route add spoke1 v4only 172.20.$((i / 256)).$((i % 256))/32 nexthop none"
	done >"$WORK/batch"
	start=$(date +%s)
	check "a batch of 20,000 routes" v -b "$WORK/batch"
	secs=$(($(date +%s) - start))
	echo "# 20,000 routes in $secs s"
	check_output "all of them are there" 20001 sh -c "vnetctl -n $CTL route show spoke1 v4only | wc -l"
	sed 's/route add \(.*\) nexthop none/route del \1/' "$WORK/batch" | head -n 15000 >"$WORK/batch-del"
	check "deleting 15,000 of them in a batch" v -b "$WORK/batch-del"
	check_output "5,001 are left" 5001 sh -c "vnetctl -n $CTL route show spoke1 v4only | wc -l"
	v peering set spoke1 s1h forwarded on
	v peering set spoke2 s2h forwarded on
	check "chaining still works beside them" reach s1 10.2.1.4
	check "deleting a vnet removes its routes" v vnet del spoke2
	check "the remaining routes are intact" sh -c "vnetctl -n $CTL route show spoke1 | grep -q 10.2.0.0/16"

	# Back to the setup: spoke1 without its 5,001 routes, spoke2 again.
	v vnet del spoke1
	v vnet add spoke1 id 11 prefix 10.1.0.0/16 prefix fd00:11::/48
	v subnet add spoke1 s prefix 10.1.1.0/24 prefix fd00:11:0:1::/64
	v subnet add spoke1 v4only prefix 10.1.9.0/24
	v vnet add spoke2 id 12 prefix 10.2.0.0/16 prefix fd00:12::/48
	v subnet add spoke2 s prefix 10.2.1.0/24 prefix fd00:12:0:1::/64
	v port add vm-s1 vnet spoke1 subnet s mac 52:54:00:11:01:04 \
		ip 10.1.1.4 ip fd00:11:0:1::4
	v port add vm-s2 vnet spoke2 subnet s mac 52:54:00:12:01:04 \
		ip 10.2.1.4 ip fd00:12:0:1::4
	v peering add spoke1 s1h remote hub
	v peering add spoke2 s2h remote hub
}

tests_run
done_testing
