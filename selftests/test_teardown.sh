#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tearing things down while traffic flows: a port's interface, a vnet with
# ports, the controller's namespace, and the module itself. Nothing may
# crash, warn or leak (vm.sh scans the kernel log after the run; the
# module's caches complain on unload if an object was left behind).
#
#   vm1 (10.1.1.4) --veth-- [host: vnet A] --veth-- vm2 (10.1.1.5)
#         TCP stream from vm1 to vm2 while each step runs
source "$(dirname "$0")/lib.sh"

ko=${VNET_KO:?VNET_KO is set by vm.sh}

# setup: a fresh host namespace $CTL with vnet A and two VMs.
setup()
{
	local i
	ns_new CTL host
	ns_new VM1 vm1
	ns_new VM2 vm2
	v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
	v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
	for i in 1 2; do
		local ns="VM$i"
		ip -n "$CTL" link add "vm-vm$i" type veth peer name eth0 netns "${!ns}"
		ip -n "$CTL" link set "vm-vm$i" up
		ip -n "${!ns}" link set eth0 address "52:54:00:00:01:0$i" up
		ip -n "${!ns}" addr add "10.1.1.$((i + 3))/24" dev eth0
		v port add "vm-vm$i" vnet A subnet web mac "52:54:00:00:01:0$i" \
			ip "10.1.1.$((i + 3))"
	done
}

# delivered: bytes the vnet delivered to vm2's port so far.
delivered()
{
	v -j stats vm-vm2 2>/dev/null | sed -n 's/.*"tx-bytes":\([0-9]*\).*/\1/p' | grep . || echo 0
}

# stream: starts a TCP stream vm1 -> vm2 and waits until data flows.
stream()
{
	local i
	local base
	base=$(delivered)
	# To /dev/null: the data would fill the VM's /tmp within seconds.
	# Both outputs away from check's $(...), which would wait for them.
	ip netns exec "$VM2" timeout 60 nc -4 -l 5001 >/dev/null 2>&1 &
	wait_listen "$VM2" tcp 5001
	# The client retries until the server listens.
	ip netns exec "$VM1" sh -c 'for i in $(seq 30); do
		nc -w 60 10.1.1.5 5001 </dev/zero && break; sleep 0.3; done' \
		>/dev/null 2>&1 &
	for i in $(seq 50); do
		[ "$(delivered)" -gt $((base + 100000)) ] && return 0
		sleep 0.2
	done
	return 1
}

stop_stream()
{
	local ns
	for ns in "$VM1" "$VM2"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	wait 2>/dev/null
}

setup
check "traffic flows" stream
check "deleting a port's interface while it carries traffic" \
	ip -n "$CTL" link del vm-vm2
check_output "the port stays, absent" "vm-vm1 up
vm-vm2 absent" sh -c "vnetctl -n $CTL port show | awk '{ print \$1, \$NF }'"
check "the other port still works" ip netns exec "$VM1" ping -c 1 -W 2 10.1.1.4
stop_stream
ip -n "$CTL" link add vm-vm2 type veth peer name eth0 netns "$VM2"
ip -n "$CTL" link set vm-vm2 up
ip -n "$VM2" link set eth0 address 52:54:00:00:01:02 up
ip -n "$VM2" addr add 10.1.1.5/24 dev eth0
check_output "a new interface of its name binds it" "up" \
	sh -c "vnetctl -n $CTL -j port show vm-vm2 | jq -r '.[0].state'"

check "traffic flows again on a new interface" stream
check "deleting a vnet with ports while traffic flows" v vnet del A
check_output "its ports go with it" "" v port show
check_output "and the vnet is gone" "[]" v -j vnet show
stop_stream

setup
check "traffic flows in a new host namespace" stream
check "deleting the host namespace while traffic flows" ip netns del "$CTL"
stop_stream

setup
check "traffic flows before rmmod" stream
check "rmmod while traffic flows" rmmod vnet
check_fail "the module is gone" test -d /sys/module/vnet
stop_stream
check "insmod again" insmod "$ko"
check_output "the namespace starts empty after the reload" "[]" v -j vnet show

done_testing
