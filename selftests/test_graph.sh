#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnetctl graph: the topology in Graphviz DOT. Configuration only, no
# traffic: a hub and two spokes, an appliance route, a gateway and an lb.
#
#   spoke1 10.1.0.0/16 --- hub 10.0.0.0/16 --- spoke2 10.2.0.0/16
#   (s1: route 10.2/16     (nva .4 forwarding, gw .5 gateway,
#    via appliance 10.0.1.4) lb web 10.0.0.100 -> be .6:8080)
#
# One function per case, each leaving the configuration as it found it
# (the setup below): TESTS="quote" (VNET_TESTS through vm.sh) runs it
# alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	graph
	labels
	quote
	disconnected
	no_appliance
	endpoints
	bad_usage
"


mkport()	# DEV: an interface for a port; configuration alone needs no VM
{
	ip -n "$CTL" link add "$1" type veth peer name "$1-p" && ip -n "$CTL" link set "$1" up
}

v vnet add hub id 10 prefix 10.0.0.0/16
v vnet add spoke1 id 11 prefix 10.1.0.0/16
v vnet add spoke2 id 12 prefix 10.2.0.0/16
v subnet add hub hs prefix 10.0.1.0/24
v subnet add spoke1 s prefix 10.1.1.0/24
v subnet add spoke2 s prefix 10.2.1.0/24
for d in vm-nva vm-gw vm-be vm-s1 vm-s2 'vm-q"x'; do mkport "$d"; done
v port add vm-nva vnet hub subnet hs mac 52:54:00:00:00:04 ip 10.0.1.4 forwarding on
v port add vm-gw vnet hub subnet hs mac 52:54:00:00:00:05 ip 10.0.1.5 forwarding on
v port add vm-be vnet hub subnet hs mac 52:54:00:00:00:06 ip 10.0.1.6
v port add vm-s1 vnet spoke1 subnet s mac 52:54:00:00:01:04 ip 10.1.1.4
v port add vm-s2 vnet spoke2 subnet s mac 52:54:00:00:02:04 ip 10.2.1.4
v gateway set hub port vm-gw prefix 192.168.0.0/16
v peering add hub h-s1 remote spoke1 gateway-transit on forwarded on
v peering add spoke1 s1-h remote hub use-remote-gateways on
v peering add hub h-s2 remote spoke2
v route add spoke1 s 10.2.0.0/16 nexthop appliance 10.0.1.4
v route add spoke1 s 10.9.0.0/16 nexthop none
v lb add hub web frontend 10.0.0.100 proto tcp port 80 backend 10.0.1.6:8080

graph()
{
	v graph >"$WORK/g1.dot"
	check "graph succeeds" test -s "$WORK/g1.dot"
	check "dot reads it" dot -Tsvg -o "$WORK/g1.svg" "$WORK/g1.dot"
	v graph >"$WORK/g2.dot"
	check "an unchanged state draws the same graph" cmp "$WORK/g1.dot" "$WORK/g2.dot"
}

has()	# DESC REGEX: a line of the graph matches
{
	check "$1" grep -qE -- "$2" "$WORK/g1.dot"
}
labels()
{
	v graph >"$WORK/g1.dot"
	has "vnets are clusters with their space" '^  subgraph "cluster_vnet:hub" \{'
	has "the hub's label names id and prefix" 'label="vnet hub \(id 10\)\\n10\.0\.0\.0/16"'
	has "subnets hold their ports" '"port:vm-nva" \[shape=box, label="vm-nva\\n52:54:00:00:00:04\\nforwarding\\n10\.0\.1\.4"\]'
	has "a connected peering side, with its flags" '"vnet:hub" -> "vnet:spoke1" \[color=darkgreen.*label="h-s1\\nconnected\\nforwarded\\ngateway-transit"\]'
	has "the spoke's side uses the remote gateway" '"vnet:spoke1" -> "vnet:hub" .*use-remote-gateways'
	has "an initiated side is orange" '"vnet:hub" -> "vnet:spoke2" \[color=orange'
	has "the appliance route leads to its port" '"subnet:spoke1/s" -> "port:vm-nva" .*label="10\.2\.0\.0/16\\nappliance 10\.0\.1\.4"'
	has "a route to none leads to a drop" '"subnet:spoke1/s" -> "drop:spoke1/s"'
	has "the gateway names its prefixes" '"gateway:hub" \[shape=house, label="gateway \(active\)\\n192\.168\.0\.0/16"\]'
	has "the gateway sits on its port" '"gateway:hub" -> "port:vm-gw"'
	has "the lb leads to its backend" '"lb:hub/web" -> "port:vm-be" \[style=dashed, label="8080"\]'
}

# Names are the operator's: an interface name with a quote stays one string.
quote()
{
	v port add 'vm-q"x' vnet spoke2 subnet s mac 52:54:00:00:02:05 ip 10.2.1.5
	v graph >"$WORK/g3.dot"
	check "an interface name with a quote is escaped" grep -qF '"port:vm-q\"x"' "$WORK/g3.dot"
	check "and dot still reads the graph" dot -Tsvg -o "$WORK/g3.svg" "$WORK/g3.dot"
	v port del 'vm-q"x'
}

disconnected()
{
	v peering del spoke1 s1-h
	v graph >"$WORK/g4.dot"
	check "a disconnected side is red and dashed" \
		grep -qE '"vnet:hub" -> "vnet:spoke1" \[color=red, fontcolor=red, style=dashed' "$WORK/g4.dot"
	v peering add spoke1 s1-h remote hub use-remote-gateways on
}

no_appliance()
{
	v port del vm-nva
	v graph >"$WORK/g5.dot"
	check "an appliance without a port is drawn as unreachable" \
		grep -qF '"subnet:spoke1/s" -> "unreachable:10.0.1.4"' "$WORK/g5.dot"
	v port add vm-nva vnet hub subnet hs mac 52:54:00:00:00:04 ip 10.0.1.4 forwarding on
}

# Remote endpoints sit in their vnet; an appliance or backend that is one
# is drawn there, not as unreachable.
endpoints()
{
	v port del vm-nva
	v endpoint add hub 10.0.1.4 mac 52:54:00:00:00:04 remote 192.0.2.2 forwarding on
	v endpoint add hub 10.0.1.7 mac 52:54:00:00:00:07 remote 192.0.2.3
	v lb add hub web2 frontend 10.0.0.101 proto tcp port 80 backend 10.0.1.7:8080
	v graph >"$WORK/g6.dot"
	check "a remote endpoint is drawn in its vnet, with its host" grep -qF \
		'"endpoint:hub/10.0.1.4" [shape=box, style="rounded,dashed", label="endpoint 10.0.1.4\n52:54:00:00:00:04\nhost 192.0.2.2\nforwarding"]' \
		"$WORK/g6.dot"
	check "the appliance route leads to the appliance's endpoint" \
		grep -qF '"subnet:spoke1/s" -> "endpoint:hub/10.0.1.4"' "$WORK/g6.dot"
	check "the lb leads to its remote backend" \
		grep -qF '"lb:hub/web2" -> "endpoint:hub/10.0.1.7"' "$WORK/g6.dot"
	check "and dot reads the graph" dot -Tsvg -o "$WORK/g6.svg" "$WORK/g6.dot"
	v lb del hub web2
	v endpoint del hub 10.0.1.7
	v endpoint del hub 10.0.1.4
	v port add vm-nva vnet hub subnet hs mac 52:54:00:00:00:04 ip 10.0.1.4 forwarding on
}

bad_usage()
{
	check_exit 2 "graph takes no arguments" v graph extra
}

tests_run
done_testing
