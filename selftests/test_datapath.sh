#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data plane with real traffic, IPv4 and IPv6: reachability inside a
# vnet and across peerings, isolation (including two vnets with the same
# addresses), port security, and the host kept out of reach.
#
# One function per case, each leaving the topology as it found it:
# TESTS="peering_reachability port_security" (VNET_TESTS through vm.sh)
# runs those alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	port_show
	inside_vnet
	router_mac
	same_addresses
	peering_reachability
	transfer_across_peering
	port_security
	host_unreachable
"

# Topology: the controller namespace $CTL is the host; each VM is a
# namespace whose eth0 is a veth with its host side (vm-NAME) in $CTL.
#
#   vnet A 10.1.0.0/16 fd00:1::/48    web: vm1 .1.4, vm2 .1.5   db: vm3 .2.4
#   vnet B 10.2.0.0/16 fd00:2::/48    app: vm4 10.2.1.4
#   vnet C 10.3.0.0/16 fd00:3::/48    app: vm5 10.3.1.4
#   vnet X and vnet Y, both 10.9.0.0/16: vmx1/vmy1 .1.4, vmx2/vmy2 .1.5

# tcp_copy FROM TO ADDR BYTES: a TCP transfer arrives byte for byte.
tcp_copy()
{
	local from=$1 to=$2 addr=$3 bytes=$4 port=$((5000 + RANDOM % 1000)) i pid
	head -c "$bytes" /dev/urandom >"$WORK/tx"
	rm -f "$WORK/rx"
	vm_bg "$to" timeout 30 nc "$(family "$addr")" -l "$port" >"$WORK/rx" 2>/dev/null
	pid=$!
	wait_listen "$to" tcp "$port"
	for i in $(seq 20); do
		vm "$from" timeout 20 nc -N -w 5 "$addr" "$port" <"$WORK/tx" && break
		sleep 0.3
	done
	wait "$pid"
	cmp -s "$WORK/tx" "$WORK/rx"
}

# udp_send FROM TO ADDR: a datagram arrives.
udp_send()
{
	local from=$1 to=$2 addr=$3 port=$((6000 + RANDOM % 1000)) i pid
	rm -f "$WORK/udp"
	vm_bg "$to" timeout 10 nc "$(family "$addr")" -u -l "$port" >"$WORK/udp" 2>/dev/null
	pid=$!
	wait_listen "$to" udp "$port"
	for i in $(seq 20); do
		echo "datagram $RANDOM" | vm "$from" nc -u -w 1 -q 0 "$addr" "$port" 2>/dev/null
		grep -q datagram "$WORK/udp" && break
	done
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	grep -q datagram "$WORK/udp"
}

v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
v vnet add C id 3 prefix 10.3.0.0/16 prefix fd00:3::/48
v vnet add X id 7 prefix 10.9.0.0/16 prefix fd00:9::/48
v vnet add Y id 8 prefix 10.9.0.0/16 prefix fd00:9::/48
v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
v subnet add A db prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
v subnet add B app prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
v subnet add C app prefix 10.3.1.0/24 prefix fd00:3:0:1::/64
v subnet add X s prefix 10.9.1.0/24 prefix fd00:9:0:1::/64
v subnet add Y s prefix 10.9.1.0/24 prefix fd00:9:0:1::/64
add_vm vm1 A web 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
add_vm vm2 A web 10.1.1.5 fd00:1:0:1::5 52:54:00:00:01:05
add_vm vm3 A db 10.1.2.4 fd00:1:0:2::4 52:54:00:00:02:04
add_vm vm4 B app 10.2.1.4 fd00:2:0:1::4 52:54:00:00:04:04
add_vm vm5 C app 10.3.1.4 fd00:3:0:1::4 52:54:00:00:05:04
add_vm vmx1 X s 10.9.1.4 fd00:9:0:1::4 52:54:00:00:09:04
add_vm vmx2 X s 10.9.1.5 fd00:9:0:1::5 52:54:00:00:09:05
add_vm vmy1 Y s 10.9.1.4 fd00:9:0:1::4 52:54:00:00:0a:04
add_vm vmy2 Y s 10.9.1.5 fd00:9:0:1::5 52:54:00:00:0a:05
rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')

port_show()
{
	check_output "port show lists the ports" \
		"vm-vm1 vnet A subnet web mac 52:54:00:00:01:04 ip 10.1.1.4 ip fd00:1:0:1::4 forwarding off state up" \
		v port show vm-vm1
}

inside_vnet()
{
	check "IPv4 ping inside a subnet" reach vm1 10.1.1.5
	check "IPv6 ping inside a subnet" reach vm1 fd00:1:0:1::5
	check "IPv4 ping across subnets" reach vm1 10.1.2.4
	check "IPv6 ping across subnets" reach vm1 fd00:1:0:2::4
	check "IPv4 TCP transfer across subnets, byte for byte (4 MiB, GSO)" \
		tcp_copy vm1 vm3 10.1.2.4 4194304
	check "IPv6 TCP transfer across subnets, byte for byte (4 MiB, GSO)" \
		tcp_copy vm3 vm1 fd00:1:0:1::4 4194304
	check "IPv4 UDP inside a subnet" udp_send vm2 vm1 10.1.1.4
	check "IPv6 UDP across subnets" udp_send vm1 vm3 fd00:1:0:2::4
}

# Every echo request that reaches vm2 (one at least) carries its MAC.
own_mac()
{
	cap_start mac vm2 eth0 icmp -Q in
	cap_sync mac "ether src $rmac and ether dst 52:54:00:00:01:05" \
		vm vm1 ping -c 1 -W 1 10.1.1.5 || return 1
	cap_stop mac
	[ "$(cap_count mac 'not ether dst 52:54:00:00:01:05')" -eq 0 ] ||
		{ cap_show mac '' -e >&2; return 1; }
}

router_mac()
{
	local mac
	reach vm1 10.1.1.5	# vm1 resolves 10.1.1.5
	mac=$(vm vm1 ip neigh show 10.1.1.5 | awk '{ print $5 }')
	check_output "ARP resolves to the virtual router MAC" "$rmac" echo "$mac"
	check "frames arrive with the VM's own MAC as destination" own_mac
}

# y_sees_x: how many packets with vmx1's addresses vmy2 receives while X's
# VMs talk, between two controls from vmy1 (UDP to ports 9797 and 9798,
# left out of the count): one before X's traffic, one after it.
y_sees_x()
{
	cap_start y vmy2 eth0 'ip or ip6' -Q in
	cap_sync y 'udp dst port 9797' udp_control vmy1 10.9.1.5 9797 || return 1
	tcp_copy vmx1 vmx2 10.9.1.5 262144
	reach vmx1 fd00:9:0:1::5
	cap_sync y 'udp dst port 9798' udp_control vmy1 10.9.1.5 9798 || return 1
	cap_stop y
	cap_show y 'not udp dst portrange 9797-9798' | grep -cE '10\.9\.1\.4|fd00:9:0:1::4'
}

same_addresses()	# two vnets with the same address space
{
	check "vnet X: IPv4 TCP between its VMs" tcp_copy vmx1 vmx2 10.9.1.5 1048576
	check "vnet Y: IPv6 TCP between its VMs (same IPs as X)" \
		tcp_copy vmy1 vmy2 fd00:9:0:1::5 1048576
	check_output "vnet Y's VM sees none of vnet X's packets" 0 y_sees_x
}

peering_reachability()
{
	dropped_as "non-peered vnets: no route" vm1 10.2.1.4 vm-vm1 no-route
	v peering add A a2b remote B
	dropped_as "initiated peering: not reachable" vm1 10.2.1.4 vm-vm1 peering-not-connected
	v peering add B b2a remote A
	check "connected peering: IPv4 ping" reach vm1 10.2.1.4
	check "connected peering: IPv6 ping" reach vm4 fd00:1:0:1::4
	check "connected peering: IPv4 TCP transfer" tcp_copy vm4 vm1 10.1.1.4 2097152
	check "connected peering: IPv6 TCP transfer" tcp_copy vm1 vm4 fd00:2:0:1::4 2097152
	check "connected peering: UDP" udp_send vm3 vm4 10.2.1.4
	v peering set A a2b access off
	dropped_as "access off on the local side" vm1 10.2.1.4 vm-vm1 peering-access-off
	dropped_as "access off on the local side, seen from the remote" vm4 fd00:1:0:1::4 vm-vm4 peering-access-off
	v peering set A a2b access on
	v peering set B b2a access off
	dropped_as "access off on the remote side" vm1 fd00:2:0:1::4 vm-vm1 peering-access-off
	v peering set B b2a access on
	check "access on again: reachable" reach vm1 10.2.1.4
	v peering add B b2c remote C
	v peering add C c2b remote B
	check "B reaches C over its peering" reach vm4 10.3.1.4
	dropped_as "A peered with B, B with C: A cannot reach C" vm1 10.3.1.4 vm-vm1 no-route
	dropped_as "and C cannot reach A" vm5 fd00:1:0:1::4 vm-vm5 no-route
	v peering del B b2c
	v peering del C c2b
	v peering del A a2b
	v peering del B b2a
}

# A transfer in flight stops when the peering goes, resumes when it returns.
transfer_across_peering()
{
	local port=5999 base d stopped s1 s2 s3 server client
	v peering add A a2b remote B
	v peering add B b2a remote A
	# Progress is what the vnet delivered to vm1's port: the data itself
	# would fill the VM's /tmp within seconds.
	vm_bg vm1 timeout 60 nc -4 -l "$port" >/dev/null 2>&1
	server=$!
	wait_listen vm1 tcp "$port"
	vm_bg vm4 timeout 60 nc -w 30 10.1.1.4 "$port" </dev/zero >/dev/null 2>&1
	client=$!
	base=$(size)
	busywait 15000 size_above $((base + 100000))
	v peering del B b2a
	# Decided by vm4's drops: once two of its packets were dropped nothing
	# more passes; two more (TCP retransmits) dropped later, vm1 has still
	# received nothing but ARP/ND answers (tens of bytes).
	d=$(counter vm-vm4 drops)
	stopped=yes
	busywait 20000 counter_above vm-vm4 drops $((d + 1)) || stopped="no drops"
	s1=$(size)
	d=$(counter vm-vm4 drops)
	busywait 20000 counter_above vm-vm4 drops $((d + 1)) || stopped="no drops"
	s2=$(size)
	if [ "$stopped" = yes ] && [ "$s1" -gt "$base" ] && [ $((s2 - s1)) -lt 2000 ]; then
		ok "removing the peering stops a running TCP transfer"
	else
		fail "removing the peering stops a running TCP transfer" \
			"$s1 then $s2 bytes, vm4 dropping: $stopped"
	fi
	v peering add B b2a remote A
	busywait 15000 size_above $((s2 + 100000))
	s3=$(size)
	if [ "$s3" -gt $((s2 + 100000)) ]; then
		ok "re-peering resumes it"
	else
		fail "re-peering resumes it" "stuck at $s3 bytes"
	fi
	kill "$server" "$client" 2>/dev/null
	wait "$server" "$client" 2>/dev/null
	v peering del B b2a
	dropped_as "disconnected peering: not reachable" vm1 10.2.1.4 vm-vm1 peering-not-connected
	v peering del A a2b
}
size() { counter vm-vm1 tx-bytes; }
size_above() { [ "$(size)" -gt "$1" ]; }

port_security()
{
	vm vm1 ip addr add 10.1.1.99/32 dev eth0
	check "a spoofed source IP is dropped and counted" \
		counted vm-vm1 spoofed-ip vm1 ping -c 2 -W 1 -I 10.1.1.99 10.1.1.5
	v port del vm-vm1
	v port add vm-vm1 vnet A subnet web mac 52:54:00:00:01:04 ip 10.1.1.4 \
		ip fd00:1:0:1::4 forwarding on
	check "with forwarding on the source IP is not checked" \
		counted vm-vm2 tx-packets vm1 ping -c 2 -W 1 -I 10.1.1.99 10.1.1.5
	vm vm2 ip link set eth0 address 52:54:00:00:01:99
	check "a spoofed source MAC is dropped and counted" \
		counted vm-vm2 spoofed-mac vm2 ping -c 2 -W 1 10.1.1.4
	vm vm2 ip link set eth0 address 52:54:00:00:01:05
	vm vm1 ip addr del 10.1.1.99/32 dev eth0
	v port del vm-vm1
	v port add vm-vm1 vnet A subnet web mac 52:54:00:00:01:04 ip 10.1.1.4 \
		ip fd00:1:0:1::4
}

# The host's own addresses are not reachable from a VM.
host_unreachable()
{
	ip -n "$CTL" link set lo up
	ip -n "$CTL" addr add 10.1.1.254/24 dev vm-vm2
	ip -n "$CTL" addr add 192.168.77.1/32 dev lo
	ip -n "$CTL" addr add fd00:1:0:1::fe/64 dev vm-vm2 nodad
	check "a VM gets no answer from the host's address on its own port" \
		no_reach vm2 10.1.1.254 no-port
	check "nor from the host's IPv6 address on its port" \
		no_reach vm2 fd00:1:0:1::fe no-port
	check "nor from any other host address" no_reach vm2 192.168.77.1 no-route
	ip -n "$CTL" addr del 10.1.1.254/24 dev vm-vm2
	ip -n "$CTL" addr del 192.168.77.1/32 dev lo
	ip -n "$CTL" addr del fd00:1:0:1::fe/64 dev vm-vm2
}

tests_run
done_testing
