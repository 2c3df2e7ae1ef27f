#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile tenants (issue 11): crafted frames from a VM against rules 9 and
# 10 (Documentation/vnet.rst). IPv6 extension header chains, fragments (tiny,
# overlapping), IPv4 options and malformed lengths, VLAN and LLC frames,
# spoofing, ARP and neighbour discovery lies, router advertisements, DHCP
# servers, packets for the host, and real TCP connections with IPv6
# options set through the socket API. Each denied variant must not
# arrive and must be counted under its drop reason; its twin to an
# allowed port must arrive.
#
#   vnet A 10.1/16 fd00:1::/48   web: atk .1.10, atkf .1.11 (forwarding on),
#                                     vic1 .1.20 (port ACL)
#                                db:  vic2 .2.20 (subnet ACL)
#   vnet B 10.2/16 fd00:2::/48   peer 10.2.1.20 (port ACL), peered with A
#   vnet C 10.3/16 fd00:3::/48   iso 10.3.1.20, not peered
#   the host ($CTL): 10.1.1.254 and fd00:1:0:1::fe on vm-atk, 192.168.77.1
#                    and fd00:77::1 on lo
#   ACL (inbound) at vic1, db and peer: allow tcp 80, allow udp 53,
#   deny tcp 23, deny udp 161 (any family); everything else is allowed.
#
# Observation: a packet socket (ETH_P_ALL, what tcpdump uses) on every
# VM's eth0 and on every host-side interface, all read by attack.py; a
# frame counts as delivered if a capture other than its sender's own two
# has its token. Every capture is proven running before the frames go and
# complete after (a control frame from each VM must show up in both of
# its captures), and none may have dropped a frame. The drop reason of
# each frame is read from the sender's port counters (vnetctl stats) just
# after it. The host stack: an nftables netdev ingress chain on every
# port at priority 10, after vnet's hook at 0, counts whatever vnet lets
# through to the host (nothing may), and the host namespace's nstat IP
# input counters must not move.
#
# What is expected where the contract could be read two ways: a routing
# header type 0 drops whatever its segments left (routing-header-0); a
# first fragment whose chain does not reach the transport header drops
# (ipv6-exthdr, RFC 7112) and so do its later fragments; a later
# fragment that overlaps the transport header of its first one (and so
# could rewrite the ports) must not arrive; an unknown header (253, 254,
# 135) drops whatever the port; DHCP from 67/547 or to 68/546 drops
# whatever the other port, behind extension headers too; ND (NS, NA, RS,
# RA, redirect) behind an extension header drops as nd-exthdr; headers
# are read within tot_len / payload_len, never from the Ethernet padding.
#
# Cases are functions (ipv6_exthdr ipv6_frag ipv4 ipv4_frag l2 arp_nd ra
# dhcp host sockopt legit); TESTS (or VNET_ATTACK_TESTS, which vm.sh
# passes on) selects some, e.g. VNET_ATTACK_TESTS="ra dhcp"
# selftests/vm.sh selftests/run_all.sh attack. attack.py sends the frames
# of the selected cases in one run and decides each check; the cases
# print its verdicts.
source "$(dirname "$0")/lib.sh"

ALL_TESTS="ipv6_exthdr ipv6_frag ipv4 ipv4_frag l2 arp_nd ra dhcp host sockopt legit"
TESTS=${TESTS:-${VNET_ATTACK_TESTS:-$ALL_TESTS}}
ATTACK="/usr/bin/python3 $(dirname "$(realpath "$0")")/attack.py"
VMS="atk atkf vic1 vic2 peer iso"
START=${EPOCHREALTIME/[.,]/}	# microseconds, no process
stage() { echo "# [$(( (${EPOCHREALTIME/[.,]/} - START) / 1000000 )) s] $*"; }
vmns() { local n="NS_$1"; echo "${!n}"; }

declare -A GROUP=([ipv6_exthdr]=exthdr [ipv6_frag]=frag6 [ipv4]=ipv4
	[ipv4_frag]=frag4 [l2]=l2 [arp_nd]=nd [ra]=ra [dhcp]=dhcp [host]=host
	[sockopt]=sockopt [legit]=legit)

# ------------------------------------------------------------- topology
# Few processes: under emulation each costs a lot. One ip batch makes
# every namespace and veth pair, one per namespace configures it, one
# vnetctl batch the vnets, ports and ACLs; attack.py sets the sysctls.
: >"$WORK/root.ip"
: >"$WORK/ctl.ip"
declare -A CONF=()
vm_quick()	# NAME VNET SUBNET IP4 IP6 MAC [PORT-OPTION...]: add_vm's VM
{
	local name=$1 ns="$1-$RANDOM$RANDOM"
	printf -v "NS_$name" '%s' "$ns"
	T_NAMESPACES+=("$ns")
	cat >>"$WORK/root.ip" <<-EOF
	netns add $ns
	link add vm-$name netns $CTL type veth peer name eth0 netns $ns
	EOF
	CONF[$ns]="link set lo up
link set eth0 address $6 up
addr add $4/24 dev eth0
addr add $5/64 dev eth0 nodad
route add default via ${4%.*}.1
route add default via ${5%::*}::1"
	echo "link set vm-$name up" >>"$WORK/ctl.ip"
	echo "port add vm-$name vnet $2 subnet $3 mac $6 ip $4 ip $5 ${*:7}" >>"$WORK/ctl.v"
}
cat >"$WORK/ctl.v" <<EOF
vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
vnet add C id 3 prefix 10.3.0.0/16 prefix fd00:3::/48
subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
subnet add A db prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
subnet add B s prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
subnet add C s prefix 10.3.1.0/24 prefix fd00:3:0:1::/64
peering add A ab remote B
peering add B ba remote A
EOF
vm_quick atk A web 10.1.1.10 fd00:1:0:1::10 52:54:00:00:01:10
vm_quick atkf A web 10.1.1.11 fd00:1:0:1::11 52:54:00:00:01:11 forwarding on
vm_quick vic1 A web 10.1.1.20 fd00:1:0:1::20 52:54:00:00:01:20
vm_quick vic2 A db 10.1.2.20 fd00:1:0:2::20 52:54:00:00:02:20
vm_quick peer B s 10.2.1.20 fd00:2:0:1::20 52:54:00:00:0b:20
vm_quick iso C s 10.3.1.20 fd00:3:0:1::20 52:54:00:00:0c:20
for scope in "A port vm-vic1" "A subnet db" "B port vm-peer"; do
	cat >>"$WORK/ctl.v" <<-EOF
	acl add $scope dir in prio 10 action allow proto tcp dport 80
	acl add $scope dir in prio 11 action allow proto udp dport 53
	acl add $scope dir in prio 20 action deny proto tcp dport 23
	acl add $scope dir in prio 21 action deny proto udp dport 161
	EOF
done
# A namespace pair outside vnet: the positive control that the victims'
# kernel takes the RA frames the attacks use when nothing stops them.
RACTL=ractl-$RANDOM$RANDOM
RAVIC=ravic-$RANDOM$RANDOM
T_NAMESPACES+=("$RACTL" "$RAVIC")
cat >>"$WORK/root.ip" <<EOF
netns add $RACTL
netns add $RAVIC
link add eth0 netns $RACTL type veth peer name eth0 netns $RAVIC
EOF
CONF[$RACTL]="link set eth0 up"
CONF[$RAVIC]="link set eth0 address 52:54:00:00:0d:20 up
addr add fd00:d::20/64 dev eth0 nodad"
# The host's own addresses.
cat >>"$WORK/ctl.ip" <<EOF
addr add 10.1.1.254/24 dev vm-atk
addr add fd00:1:0:1::fe/64 dev vm-atk nodad
addr add 192.168.77.1/32 dev lo
addr add fd00:77::1/128 dev lo
EOF
stage "lib.sh and the batch files"
check "topology: namespaces and veth pairs (ip -b)" ip -b "$WORK/root.ip"
bad=
for ns in "${!CONF[@]}"; do
	ip -n "$ns" -b - <<<"${CONF[$ns]}" || bad+=" $ns"
done
check_output "topology: every namespace configured" "" echo "$bad"
stage "namespaces"
check "topology: vnets, subnets, peering, ports, ACLs (vnetctl -b)" \
	v -b "$WORK/ctl.v"
check "topology: host side up, host addresses" ip -n "$CTL" -b "$WORK/ctl.ip"
re='"router-mac":"([0-9a-f:]+)"'
[[ $(v -j vnet show A) =~ $re ]] && RMAC=${BASH_REMATCH[1]}
stage "vnets and ports"

# The attackers' own kernels stay quiet (no RST, no ICMP errors): a TCP
# reset to a denied port would be one more acl drop on their port.
for x in atk atkf; do
	vm "$x" nft -f - <<-'EOF'
	table inet quiet {
		chain out {
			type filter hook output priority 0; policy accept;
			tcp flags rst drop
			icmp type { destination-unreachable, time-exceeded, parameter-problem } drop
			icmpv6 type { destination-unreachable, time-exceeded, parameter-problem } drop
		}
	}
	EOF
done

stage "attackers quiet"
# Whatever vnet lets through from a port reaches this chain (priority 10
# runs after vnet's hook at 0): the host stack would see it. Anonymous
# counters, told apart by comment: named ones need nft_objref, which a
# trimmed debug kernel may not have.
devs=
for x in $VMS; do
	devs+="${devs:+, }vm-$x"
done
check "the host's leak counters: nftables netdev ingress after vnet's hook" \
	ip netns exec "$CTL" nft -f - <<EOF
table netdev vnet_attack {
	chain leak {
		type filter hook ingress devices = { $devs } priority 10; policy accept;
		counter comment "any"
		iifname "vm-atk" counter comment "atk"
		iifname "vm-atkf" counter comment "atkf"
	}
}
EOF
stage "topology up"

# ------------------------------------------------------------- the attacks
# attack.py finds the MACs and link-local addresses itself.
{
	printf '{"ctl":"%s","router_mac":"%s","gw4":"10.1.1.1","gw6":"fd00:1:0:1::1",' \
		"$CTL" "$RMAC"
	printf '"probe6":"fd00:1:0:1::a:%%d",'
	printf '"host":{"ip4":"10.1.1.254","ip6":"fd00:1:0:1::fe","lo4":"192.168.77.1","lo6":"fd00:77::1"},'
	printf '"ractl":{"ns":"%s","peer_ns":"%s","dst6":"fd00:d::20","dmac":"52:54:00:00:0d:20"},' \
		"$RACTL" "$RAVIC"
	printf '"vms":{'
	sep=
	while read -r _ _ dev _ _ _ _ _ _ _ ip4 _ ip6 _; do
		x=${dev#vm-}
		nsv=NS_$x
		printf '%s"%s":{"name":"%s","ns":"%s","dev":"%s","ip4":"%s","ip6":"%s"}' \
			"$sep" "$x" "$x" "${!nsv}" "$dev" "$ip4" "$ip6"
		sep=,
	done < <(grep '^port add' "$WORK/ctl.v")
	printf '}}\n'
} >"$WORK/conf.json"

# The legitimate traffic before, the captures with their control frames,
# the items, the legitimate traffic after, and the verdicts: one run.
groups=
for t in $TESTS; do
	groups+=" ${GROUP[$t]:-}"
done
# shellcheck disable=SC2086
if ! out=$($ATTACK batch "$WORK/conf.json" "$WORK/results" $groups 2>&1); then
	fail "attack.py ran" "$out"
fi
stage "attacks sent"

# verdicts GROUP: the TAP lines attack.py decided for GROUP. No process
# per line (under emulation a fork costs a lot): fail's detail inline.
verdicts()
{
	local res desc detail n=0
	[ -e "$WORK/results.tap.$1" ] || : >"$WORK/results.tap.$1"
	while IFS=$'\t' read -r res desc detail; do
		n=$((n + 1))
		if [ "$res" = ok ]; then
			ok "$desc"
		else
			T_NUM=$((T_NUM + 1))
			T_FAILED=$((T_FAILED + 1))
			echo "not ok $T_NUM - $desc"
			[ -z "$detail" ] || echo "# $detail"
		fi
	done <"$WORK/results.tap.$1"
	[ "$n" -gt 0 ] || fail "attack.py has verdicts for $1" "$out"
}
verdicts setup

# ------------------------------------------------------------- the cases
test_ipv6_exthdr() { verdicts exthdr; }
test_ipv6_frag() { verdicts frag6; }
test_ipv4() { verdicts ipv4; }
test_ipv4_frag() { verdicts frag4; }
test_l2() { verdicts l2; }
test_arp_nd() { verdicts nd; }
test_ra() { verdicts ra; }
test_dhcp() { verdicts dhcp; }
test_sockopt() { verdicts sockopt; }
test_legit() { verdicts legit; }

test_host()
{
	local n got re
	verdicts host
	got=$(ip netns exec "$CTL" nft list table netdev vnet_attack)
	for n in atk atkf any; do
		re="counter packets ([0-9]+) bytes [0-9]+ comment \"$n\""
		if [[ $got =~ $re ]] && [ "${BASH_REMATCH[1]}" = 0 ]; then
			ok "the host stack got no packet from ${n/any/any port} (nftables ingress after vnet's hook)"
		else
			fail "the host stack got no packet from ${n/any/any port} (nftables ingress after vnet's hook)" \
				"$got"
		fi
	done
}

for t in $TESTS; do
	if declare -F "test_$t" >/dev/null; then
		"test_$t"
		stage "$t done"
	else
		fail "test case $t exists" "known: $ALL_TESTS"
	fi
done
stage "test_attack.sh done"
done_testing
