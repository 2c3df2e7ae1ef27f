#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ports outlive their interfaces (rule 12) and change in place: a port
# declared before its interface, bound when an interface of its name
# appears (created, renamed to it, moved in from another namespace),
# absent when it goes, with its addresses, ACL rules and roles kept and its
# addresses still its own; "port set" of the MAC, addresses and forwarding
# with real traffic; and the refusals, which change nothing. The tap
# device of a real VM is test_tap.sh's.
#
#   vnet A 10.1/16 fd00:1::/48, subnet web 10.1.1/24 fd00:1:0:1::/64:
#     a1 .4 (a veth VM), a2 .5 (a VM whose interface comes and goes)
#
# One function per case, each leaving the topology as it found it:
# TESTS="port_set" (VNET_TESTS through vm.sh) runs one alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	declared_first
	comes_and_goes
	rename_and_move
	absent_keeps_its_own
	not_an_ethernet
	names
	swap_names
	port_set
	set_refusals
"

state() { printf '%s\n' "port show" "acl show A" "lb show" | v -j -b -; }
port_state() { v -j port show "$1" | jq -r '.[0].state'; }
# verdict SRC: what trace decides for a2 sending from SRC to a1.
verdict()
{
	v -j trace A src "$1" dst 10.1.1.4 port vm-a2 |
		jq -r '.verdict + " " + (if .verdict == "deliver" then .to else .reason end)'
}

v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
add_vm a1 A web 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
ns_new NS_a2 a2
v port add vm-a2 vnet A subnet web mac 52:54:00:00:01:05 \
	ip 10.1.1.5 ip fd00:1:0:1::5
# An ACL of a2's port: TCP to port 9 is denied, the rest passes.
v acl add A port vm-a2 dir in prio 10 action deny proto tcp dport 9

# a2_link [NAME]: a2's interface appears in the host, as NAME (vm-a2).
a2_link()
{
	local name=${1:-vm-a2}
	ip -n "$CTL" link add "$name" type veth peer name eth0 netns "$NS_a2" &&
		ip -n "$CTL" link set "$name" up &&
		vm a2 ip link set eth0 address 52:54:00:00:01:05 up &&
		vm a2 ip addr add 10.1.1.5/24 dev eth0 &&
		vm a2 ip addr add fd00:1:0:1::5/64 dev eth0 nodad &&
		vm a2 ip route add default via 10.1.1.1 &&
		vm a2 ip -6 route add default via fd00:1:0:1::1
}

# The setup: a2's port is declared, its interface does not exist yet.
declared_first()
{
	check_output "a port declared before its interface is absent" \
		"vm-a2 vnet A subnet web mac 52:54:00:00:01:05 ip 10.1.1.5 ip fd00:1:0:1::5 forwarding off state absent" \
		v port show vm-a2
	check_output "port show -j says so too" "absent" port_state vm-a2
	dropped_as "traffic to it drops, counted port-absent (IPv4)" \
		a1 10.1.1.5 vm-a1 port-absent
	dropped_as "traffic to it drops, counted port-absent (IPv6)" \
		a1 fd00:1:0:1::5 vm-a1 port-absent
	check_output "trace says why" "drop port-absent" \
		sh -c "vnetctl -n $CTL -j trace A src 10.1.1.4 dst 10.1.1.5 | jq -r '.verdict + \" \" + .reason'"
	check_output "its ACL rule is there" "1" \
		sh -c "vnetctl -n $CTL -j acl show A | jq '[.[] | select(.port == \"vm-a2\")] | length'"
}

comes_and_goes()
{
	local mon= i
	monitor_start mon "$WORK/mon" v
	for i in 1 2 3; do
		check "round $i: an interface of its name appears" a2_link
		check_output "round $i: the port is up" "up" port_state vm-a2
		check "round $i: a1 reaches it (IPv4)" reach a1 10.1.1.5
		check "round $i: a1 reaches it (IPv6)" reach a1 fd00:1:0:1::5
		check "round $i: TCP to it" tcp_ok a1 a2 10.1.1.5 8000
		check "round $i: its ACL rule still holds" \
			tcp_dropped a1 a2 10.1.1.5 9 acl
		check "round $i: the interface is deleted" \
			ip -n "$CTL" link del vm-a2
		check_output "round $i: the port is absent" "absent" port_state vm-a2
		dropped_as "round $i: traffic to it drops, counted" \
			a1 10.1.1.5 vm-a1 port-absent
	done
	busywait 10000 sh -c "[ \$(grep -c '^port state vm-a2' '$WORK/mon') -ge 6 ]"
	kill "$mon"; wait "$mon" 2>/dev/null
	check_output "monitor prints each change, in order" \
		"$(printf 'port state vm-a2 %s\n' up absent up absent up absent)" \
		grep "^port state" "$WORK/mon"
}

rename_and_move()
{
	local tx
	check "an interface with another name" a2_link vm-x
	check_output "does not bind the port" "absent" port_state vm-a2
	ip -n "$CTL" link set vm-x down
	check "renamed to the port's name" \
		ip -n "$CTL" link set vm-x name vm-a2
	ip -n "$CTL" link set vm-a2 up
	check_output "it binds the port" "up" port_state vm-a2
	check "a1 reaches a2" reach a1 10.1.1.5
	ns_new OTHER other
	check "moved to another namespace" \
		ip -n "$CTL" link set vm-a2 netns "$OTHER"
	check_output "the port is absent" "absent" port_state vm-a2
	tx=$(ip -n "$OTHER" -j -s link show vm-a2 | jq '.[0].stats64.tx.packets')
	dropped_as "and traffic to it drops" a1 10.1.1.5 vm-a1 port-absent
	check_output "nothing is sent on it in its new namespace" "$tx" \
		sh -c "ip -n $OTHER -j -s link show vm-a2 | jq '.[0].stats64.tx.packets'"
	check "moved back" ip -n "$OTHER" link set vm-a2 netns "$CTL"
	ip -n "$CTL" link set vm-a2 up
	check_output "the port is up again" "up" port_state vm-a2
	check "a1 reaches a2" reach a1 10.1.1.5
	ip -n "$CTL" link set vm-a2 down
	check "renamed away" ip -n "$CTL" link set vm-a2 name vm-y
	check_output "the port is absent" "absent" port_state vm-a2
	dropped_as "and traffic to it drops" a1 10.1.1.5 vm-a1 port-absent
	ip -n "$CTL" link del vm-y
}

absent_keeps_its_own()
{
	refused "an absent port's address is still its own" \
		"10.1.1.5|vm-a2" v port add vm-z vnet A subnet web \
		mac 52:54:00:00:01:09 ip 10.1.1.5
	refused "and port set cannot take it" "10.1.1.5|vm-a2" \
		v port set vm-a1 ip 10.1.1.4 ip 10.1.1.5
	refused "an absent port's name is taken" "vm-a2" \
		v port add vm-a2 vnet A subnet web mac 52:54:00:00:01:09 ip 10.1.1.9
	v lb add A web frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.5:80
	refused "an absent lb backend cannot be deleted" "vm-a2|lb web" \
		v port del vm-a2
	v lb del A web
	check "an absent port can be deleted" v port del vm-a2
	check_output "with its ACL rule" "0" \
		sh -c "vnetctl -n $CTL -j acl show A | jq '[.[] | select(.port == \"vm-a2\")] | length'"
	# Back to the setup.
	v port add vm-a2 vnet A subnet web mac 52:54:00:00:01:05 \
		ip 10.1.1.5 ip fd00:1:0:1::5
	v acl add A port vm-a2 dir in prio 10 action deny proto tcp dport 9
}

not_an_ethernet()
{
	modprobe -q tun
	refused "an existing interface that is not Ethernet is refused" \
		"lo|Ethernet" v port add lo vnet A subnet web \
		mac 52:54:00:00:01:09 ip 10.1.1.9
	check "a port for a name that has no interface" \
		v port add tun-x vnet A subnet web mac 52:54:00:00:01:09 ip 10.1.1.9
	check "a tun (not a tap) device of its name appears" \
		ip -n "$CTL" tuntap add dev tun-x mode tun
	check_output "the port stays absent: a tun carries no Ethernet" \
		"absent" port_state tun-x
	ip -n "$CTL" link del tun-x
	check "a tap device of its name" \
		ip -n "$CTL" tuntap add dev tun-x mode tap
	check_output "binds it" "up" port_state tun-x
	ip -n "$CTL" link del tun-x
	refused "the tunnel device's name cannot be a port" "vnet-vxlan" \
		v port add vnet-vxlan vnet A subnet web mac 52:54:00:00:01:0a ip 10.1.1.10
	v port del tun-x
}

# raw_port_add NAME: a PORT_NEW for NAME that vnetctl would never send;
# prints "errno N: MESSAGE".
raw_port_add()
{
	ip netns exec "$CTL" /usr/bin/python3 - "$1" "$(dirname "$0")" <<'EOF'
import socket, sys
sys.path.insert(0, sys.argv[2])
from nlraw import Genl, nla, nla_str, uapi_enum, NLA_F_NESTED
cmd, a = uapi_enum('vnet_cmd'), uapi_enum('vnet_attr')
p = uapi_enum('vnet_prefix_attr')
ip = nla(a['VNET_A_ADDRS'] | NLA_F_NESTED,
         nla(1 | NLA_F_NESTED, nla(p['VNET_PREFIX_A_IN_ADDR'],
                                   socket.inet_aton('10.1.1.40'))))
msg = (nla_str(a['VNET_A_IFNAME'], sys.argv[1]) + nla_str(a['VNET_A_VNET'], 'A') +
       nla_str(a['VNET_A_SUBNET'], 'web') +
       nla(a['VNET_A_MAC'], bytes([0x52, 0x54, 0, 0, 1, 0x40]))) + ip
g = Genl()
err, text, _ = g.request(g.family('vnet'), cmd['VNET_CMD_PORT_NEW'], msg)
print('errno %d: %s' % (err, text))
EOF
}

# What is not an interface name cannot be a port (the kernel checks what
# vnetctl refuses first); an alternative name is not the name, and a name
# the kernel enumerated says nothing of the VM behind it.
names()
{
	local n
	for n in "" "." ".." "a/b" "a b" "a:b"; do
		check_output "kernel: \"$n\" is not an interface name" \
			"errno 22: port $n: not a valid interface name" raw_port_add "$n"
	done
	check_output "and nothing was added" "vm-a1 vm-a2" \
		sh -c "vnetctl -n $CTL -j port show | jq -r '[.[].dev] | join(\" \")'"
	modprobe -q dummy
	ip -n "$CTL" link add d0 type dummy
	ip -n "$CTL" link property add dev d0 altname vm-alt
	check "a port named like an interface's alternative name" \
		v port add vm-alt vnet A subnet web mac 52:54:00:00:01:0b ip 10.1.1.11
	check_output "is not bound to that interface" "absent" port_state vm-alt
	v port del vm-alt
	ip -n "$CTL" link del d0
	check "a port for a name the kernel enumerates" \
		v port add dummy0 vnet A subnet web mac 52:54:00:00:01:0b ip 10.1.1.11
	check "an interface that the kernel names dummy0" \
		ip -n "$CTL" link add type dummy
	check_output "does not bind it" "absent" port_state dummy0
	ip -n "$CTL" link set dummy0 name dummy0x
	ip -n "$CTL" link set dummy0x name dummy0
	check_output "renamed to it by someone, it does" "up" port_state dummy0
	v port del dummy0
	ip -n "$CTL" link del dummy0
}

# An interface renamed from one port's name to another's: the first port
# is absent, the second up, and traffic follows.
swap_names()
{
	local mon=
	monitor_start mon "$WORK/swap" v
	check "a2's interface as vm-a3" a2_link vm-a3
	check "a port vm-a3 for it" \
		v port add vm-a3 vnet A subnet web mac 52:54:00:00:01:05 ip 10.1.1.13
	vm a2 ip addr add 10.1.1.13/24 dev eth0
	check "a1 reaches it as vm-a3" reach a1 10.1.1.13
	ip -n "$CTL" link set vm-a3 down
	check "renamed to vm-a2" ip -n "$CTL" link set vm-a3 name vm-a2
	ip -n "$CTL" link set vm-a2 up
	check_output "vm-a3 is absent" "absent" port_state vm-a3
	check_output "vm-a2 is up" "up" port_state vm-a2
	check "a1 reaches it as vm-a2" reach a1 10.1.1.5
	dropped_as "and not as vm-a3" a1 10.1.1.13 vm-a1 port-absent
	busywait 10000 grep -q "^port state vm-a2 up" "$WORK/swap"
	kill "$mon"; wait "$mon" 2>/dev/null
	check_output "monitor: one absent, then the other up" \
		"port state vm-a3 absent
port state vm-a2 up" grep "^port state" "$WORK/swap"
	v port del vm-a3
	ip -n "$CTL" link del vm-a2
}

port_set()
{
	a2_link
	check "a1 reaches a2" reach a1 10.1.1.5
	check "port set: a2 gets another address" \
		v port set vm-a2 ip 10.1.1.6 ip fd00:1:0:1::5
	vm a2 ip addr add 10.1.1.6/24 dev eth0
	check "a1 reaches the new address" reach a1 10.1.1.6
	dropped_as "the old one is nobody's" a1 10.1.1.5 vm-a1 no-port
	check "a2's ACL rule still holds" tcp_dropped a1 a2 10.1.1.6 9 acl
	check "a2 sends from the new address" \
		vm a2 ping -c 1 -W 2 -I 10.1.1.6 10.1.1.4
	dropped_as "not from the old one" a2 10.1.1.4 vm-a2 spoofed-ip
	check "port set: the old address back" \
		v port set vm-a2 ip 10.1.1.5 ip fd00:1:0:1::5
	vm a2 ip addr del 10.1.1.6/24 dev eth0
	check "port set: another MAC" v port set vm-a2 mac 52:54:00:00:01:55
	check_output "port show has it" "52:54:00:00:01:55" \
		sh -c "vnetctl -n $CTL -j port show vm-a2 | jq -r '.[0].mac'"
	dropped_as "frames from the old MAC drop" a2 10.1.1.4 vm-a2 spoofed-mac
	vm a2 ip link set eth0 address 52:54:00:00:01:55
	check "the VM with the new MAC reaches a1" reach a2 10.1.1.4
	v port set vm-a2 mac 52:54:00:00:01:05
	vm a2 ip link set eth0 address 52:54:00:00:01:05
	check "port set: forwarding on" v port set vm-a2 forwarding on
	vm a2 ip addr add 10.1.1.77/32 dev eth0
	check_output "trace: a forwarding port may send from any address" \
		"deliver vm-a1" verdict 10.1.1.77
	check "a1 gets its packet from another address" \
		counted vm-a1 tx-packets a2 ping -c 1 -W 1 -I 10.1.1.77 10.1.1.4
	check "port set: forwarding off" v port set vm-a2 forwarding off
	check_output "trace: then it may not" "drop spoofed-ip" verdict 10.1.1.77
	check "and its packet from another address drops" \
		counted vm-a2 spoofed-ip a2 ping -c 1 -W 1 -I 10.1.1.77 10.1.1.4
	vm a2 ip addr del 10.1.1.77/32 dev eth0
	# Traffic to a kept address never finds no owner while the port's
	# MAC and other addresses change under it.
	local before before_tx i pid
	lost() { echo "$(counter vm-a1 no-port) $(counter vm-a1 port-absent)"; }
	before=$(lost) before_tx=$(counter vm-a2 tx-packets)
	# 300 datagrams, 10 ms apart, while 40 changes go in.
	vm_bg a1 /usr/bin/python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(300):
    s.sendto(b"x", ("10.1.1.5", 7000))
    time.sleep(0.01)'
	pid=$!
	for i in $(seq 20); do
		v port set vm-a2 ip 10.1.1.5 ip fd00:1:0:1::5 ip "10.1.1.$((100 + i))"
		v port set vm-a2 mac "52:54:00:00:01:$((10 + i))"
	done
	wait "$pid"
	v port set vm-a2 mac 52:54:00:00:01:05 ip 10.1.1.5 ip fd00:1:0:1::5
	check_output "port set under traffic: nothing to a kept address found no owner" \
		"$before" lost
	check "and every datagram was delivered" \
		test "$(counter vm-a2 tx-packets)" -ge "$((before_tx + 300))"
	check_output "port set keeps what it was not given" \
		"vm-a2 vnet A subnet web mac 52:54:00:00:01:05 ip 10.1.1.5 ip fd00:1:0:1::5 forwarding off state up" \
		v port show vm-a2
	ip -n "$CTL" link del vm-a2
}

set_refusals()
{
	refused "port set of an unknown port" "vm-nope" \
		v port set vm-nope forwarding on
	refused "an address outside the subnet" "10.1.2.5|web" \
		v port set vm-a2 ip 10.1.2.5
	refused "another port's address" "10.1.1.4|vm-a1" \
		v port set vm-a2 ip 10.1.1.4
	refused "an address given twice" "10.1.1.7" \
		v port set vm-a2 ip 10.1.1.7 ip 10.1.1.7
	check_exit 2 "a multicast MAC is bad usage" \
		v port set vm-a2 mac 01:00:5e:00:00:01
	v lb add A web frontend 10.1.1.100 proto tcp port 80 backend 10.1.1.5:80
	refused "an lb frontend's address" "10.1.1.100|lb web" \
		v port set vm-a2 ip 10.1.1.100 ip 10.1.1.5
	refused "dropping an address that is an lb backend" "10.1.1.5|lb web" \
		v port set vm-a2 ip 10.1.1.8
	check "keeping it is fine" v port set vm-a2 ip 10.1.1.5 ip 10.1.1.8
	v port set vm-a2 ip 10.1.1.5 ip fd00:1:0:1::5
	v lb del A web
	check_exit 2 "port set with nothing to set is bad usage" \
		v port set vm-a2
	check_exit 2 "an unknown keyword is bad usage" \
		v port set vm-a2 subnet web
}

tests_run
done_testing
