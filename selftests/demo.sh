#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The walkthrough of virtual network peering, for a person to read. Runs in
# the VM (make demo). Two vnets, one subnet and one VM each:
#
#   vm-a (10.1.1.4)              vm-b (10.2.1.4)
#     | veth-a                     | veth-b
#   [ vnet A 10.1.0.0/16 ] ~~~ [ vnet B 10.2.0.0/16 ]
#                       peering
set -u

ns_a=demo-vm-a-$$
ns_b=demo-vm-b-$$
ctl=demo-host-$$

cleanup()
{
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	ip netns del "$ctl" 2>/dev/null
}
trap cleanup EXIT

step()
{
	printf '\n== %s\n' "$*"
}

# Shows a command as the operator would type it, then runs it.
run()
{
	printf '$ %s\n' "$*"
	"$@" 2>&1 | sed 's/^/  /'
	return "${PIPESTATUS[0]}"
}

vnetctl()
{
	command vnetctl -n "$ctl" "$@"
}

ping_from()	# VM NAMESPACE ADDR
{
	printf '$ ping -c 3 %s   (from %s)\n' "$3" "$1"
	if ip netns exec "$2" ping -c 3 -i 0.5 -W 2 -q "$3" >/dev/null 2>&1; then
		echo "  reachable"
	else
		echo "  unreachable"
	fi
}
ping_b() { ping_from vm-a "$ns_a" 10.2.1.4; }
ping_a() { ping_from vm-b "$ns_b" 10.1.1.4; }

# A VM: a namespace with one NIC whose host side is in the host namespace.
add_vm()
{
	local ns=$1 host_if=$2 mac=$3 ip=$4 gw=$5

	ip netns add "$ns"
	ip -n "$ctl" link add "$host_if" type veth peer name eth0 netns "$ns"
	ip -n "$ctl" link set "$host_if" up
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 address "$mac" up
	ip -n "$ns" addr add "$ip/24" dev eth0
	ip -n "$ns" route add default via "$gw"
}

modprobe -q veth	# no udev in the VM to load it on demand
ip netns add "$ctl"
add_vm "$ns_a" veth-a 52:54:00:00:0a:04 10.1.1.4 10.1.1.1
add_vm "$ns_b" veth-b 52:54:00:00:0b:04 10.2.1.4 10.2.1.1

step "Two virtual networks, a subnet and a VM in each"
run vnetctl vnet add A id 100 prefix 10.1.0.0/16
run vnetctl vnet add B id 200 prefix 10.2.0.0/16
run vnetctl subnet add A web prefix 10.1.1.0/24
run vnetctl subnet add B db prefix 10.2.1.0/24
run vnetctl port add veth-a vnet A subnet web mac 52:54:00:00:0a:04 ip 10.1.1.4
run vnetctl port add veth-b vnet B subnet db mac 52:54:00:00:0b:04 ip 10.2.1.4
run vnetctl vnet show
ping_b

step "Peering from A: initiated, no traffic yet"
run vnetctl peering add A a-to-b remote B
run vnetctl peering show
ping_b

step "Peering from B: both sides connected"
run vnetctl peering add B b-to-a remote A
run vnetctl peering show
ping_b
printf '$ a TCP transfer of 1 MiB from vm-b to vm-a\n'
ip netns exec "$ns_a" timeout 30 nc -4 -l 5001 >/tmp/demo-rx.$$ &
head -c 1048576 /dev/urandom >/tmp/demo-tx.$$
for try in $(seq 20); do	# until the listener is up
	ip netns exec "$ns_b" timeout 20 nc -N -w 5 10.1.1.4 5001 \
		</tmp/demo-tx.$$ 2>/dev/null && break
	sleep 0.3
done
wait
if cmp -s /tmp/demo-tx.$$ /tmp/demo-rx.$$; then
	echo "  1048576 bytes arrived intact"
else
	echo "  the transfer failed"
fi
rm -f /tmp/demo-tx.$$ /tmp/demo-rx.$$

step "An ACL on A's subnet denies traffic from vnet B, whatever its prefixes"
run vnetctl acl add A subnet web dir in prio 100 action deny from-vnet B
run vnetctl acl show A
ping_a
printf '  (ACLs are stateful: the replies to vm-a'"'"'s own pings still come back)\n'
ping_b
run vnetctl acl del A subnet web dir in prio 100
ping_a

step "The address space is frozen while a peering exists"
run vnetctl vnet prefix add A 10.11.0.0/16

step "B removes its side: A shows disconnected, no traffic"
run vnetctl peering del B b-to-a
run vnetctl peering show
ping_b

step "B adds its side again: connected, no delete-and-recreate needed"
run vnetctl peering add B b-to-a remote A
run vnetctl peering show
ping_b

step "Counters of vm-a's port"
run vnetctl stats veth-a
