#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnet.ko against plain Linux IP forwarding between the same kind of
# namespaces, in one VM boot, interleaved A/B so drift hits both alike.
# Reports medians and ratios; asserts nothing (benchmarks are not tests).
#
#   vnet:    c1 (10.1.1.4) -- [host ns, vnet A] -- c2 (10.1.2.4)
#   linux:   l1 (10.8.1.4) -- [router ns, ip_forward=1] -- l2 (10.8.2.4)
set -u
ROUNDS=${BENCH_ROUNDS:-10}
SECS=${BENCH_SECS:-3}
modprobe -q veth
WORK=$(mktemp -d)
NSS=(bh bc1 bc2 br bl1 bl2)
cleanup() { for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT
for n in "${NSS[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done

# vm NS HOSTNS HOSTIF IP GW MAC
vm()
{
	ip -n "$2" link add "$3" type veth peer name eth0 netns "$1"
	ip -n "$2" link set "$3" up
	ip -n "$1" link set eth0 address "$6" up
	ip -n "$1" addr add "$4/24" dev eth0
	ip -n "$1" route add default via "$5"
}

vm bc1 bh vm-c1 10.1.1.4 10.1.1.1 52:54:00:00:01:04
vm bc2 bh vm-c2 10.1.2.4 10.1.2.1 52:54:00:00:02:04
vnetctl -n bh vnet add A id 1 prefix 10.1.0.0/16
vnetctl -n bh subnet add A s1 prefix 10.1.1.0/24
vnetctl -n bh subnet add A s2 prefix 10.1.2.0/24
vnetctl -n bh port add vm-c1 vnet A subnet s1 mac 52:54:00:00:01:04 ip 10.1.1.4
vnetctl -n bh port add vm-c2 vnet A subnet s2 mac 52:54:00:00:02:04 ip 10.1.2.4

vm bl1 br r-l1 10.8.1.4 10.8.1.1 52:54:00:00:08:04
vm bl2 br r-l2 10.8.2.4 10.8.2.1 52:54:00:00:09:04
ip -n br addr add 10.8.1.1/24 dev r-l1
ip -n br addr add 10.8.2.1/24 dev r-l2
ip netns exec br sysctl -qw net.ipv4.ip_forward=1

for n in bc2 bl2; do ip netns exec "$n" iperf3 -s -D >/dev/null 2>&1; done
ip netns exec bc1 ping -c 3 -q 10.1.2.4 >/dev/null
ip netns exec bl1 ping -c 3 -q 10.8.2.4 >/dev/null

offloads() # on|off for every interface of both setups
{
	local ns dev
	for ns in bc1 bc2 bl1 bl2; do
		ip netns exec "$ns" ethtool -K eth0 gso "$1" tso "$1" gro "$1" >/dev/null 2>&1
	done
	for dev in vm-c1 vm-c2; do ip netns exec bh ethtool -K "$dev" gso "$1" tso "$1" gro "$1" >/dev/null 2>&1; done
	for dev in r-l1 r-l2; do ip netns exec br ethtool -K "$dev" gso "$1" tso "$1" gro "$1" >/dev/null 2>&1; done
}

tcp()	# NS DST: receiver Mbit/s
{
	ip netns exec "$1" iperf3 -c "$2" -t "$SECS" -J 2>/dev/null |
		jq '.end.sum_received.bits_per_second / 1e6 | floor'
}

udp()	# NS DST: datagrams of 64 bytes per second that arrived
{
	ip netns exec "$1" iperf3 -c "$2" -u -b 0 -l 64 -t "$SECS" -J 2>/dev/null |
		jq '.end.sum | ((.packets - .lost_packets) / .seconds) | floor'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

run()	# LABEL FUNC OFFLOADS
{
	local i
	offloads "$3"
	for ((i = 0; i < ROUNDS; i++)); do
		"$2" bc1 10.1.2.4 >>"$WORK/$2.vnet"
		"$2" bl1 10.8.2.4 >>"$WORK/$2.linux"
	done
	local a b
	a=$(median <"$WORK/$2.vnet")
	b=$(median <"$WORK/$2.linux")
	printf '%-28s vnet.ko %10s   linux forwarding %10s   ratio %s\n' \
		"$1" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
	echo "# $1 vnet samples: $(tr '\n' ' ' <"$WORK/$2.vnet")"
	echo "# $1 linux samples: $(tr '\n' ' ' <"$WORK/$2.linux")"
}

echo "# $ROUNDS interleaved rounds of $SECS s, medians; slub_debug: $(grep -o 'slub_debug[^ ]*' /proc/cmdline || echo off)"
run "tcp Mbit/s" tcp on
run "udp 64B packets/s (no GSO)" udp off
vnetctl -n bh stats
