#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ACL rules: scope subnet and port, direction,
# priority order, protocols and port ranges, from-vnet, IPv4 and IPv6,
# and the refusals. Topology (VMs are namespaces on veth ports):
#
#   vnet A 10.1/16 fd00:1::/48: web (vm1 .1.4, vm2 .1.5), db (vm3 .2.4)
#   vnet B 10.2/16 fd00:2::/48: vm4 10.2.1.4     (peered with A)
#   vnet C 10.3/16 fd00:3::/48: vm5 10.3.1.4     (peered with A)
#
# One function per case, each leaving the topology as it found it (the
# setup below, no rule): TESTS="priority fragments" (VNET_TESTS through
# vm.sh) runs those alone. Except vnet_del, which deletes vnets B and C,
# and so runs last.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	no_acl
	from_vnet
	prefix
	port_rule
	priority
	ports
	refusals
	fragments
	max_rules
	batch
	subnet_del
	vnet_del
"

v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
v vnet add C id 3 prefix 10.3.0.0/16 prefix fd00:3::/48
v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
v subnet add A db prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
v subnet add B s prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
v subnet add C s prefix 10.3.1.0/24 prefix fd00:3:0:1::/64
for p in "A ab B" "B ba A" "A ac C" "C ca A"; do
	set -- $p
	v peering add "$1" "$2" remote "$3"
done
add_vm vm1 A web 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
add_vm vm2 A web 10.1.1.5 fd00:1:0:1::5 52:54:00:00:01:05
add_vm vm3 A db 10.1.2.4 fd00:1:0:2::4 52:54:00:00:02:04
add_vm vm4 B s 10.2.1.4 fd00:2:0:1::4 52:54:00:00:04:04
add_vm vm5 C s 10.3.1.4 fd00:3:0:1::4 52:54:00:00:05:04

# The rule of the ports case, which later cases expect in db's list.
DB_RULE="A subnet db dir in prio 100 action deny proto tcp dport 7000-7100"
db_rule() { v acl add A subnet db dir in prio 100 action deny proto tcp dport 7000-7100; }

no_acl()
{
	check "no ACL: B reaches db" reach vm4 10.1.2.4
	check "no ACL: C reaches db" reach vm5 10.1.2.4
}

# from-vnet: one peer by identity, not the other.
from_vnet()
{
	local before
	check "acl add: db inbound denies from-vnet B" \
		v acl add A subnet db dir in prio 100 action deny from-vnet B
	before=$(counter vm-vm4 acl)
	check "from-vnet B: vm4 cannot reach db (IPv4)" no_reach vm4 10.1.2.4 acl
	check "from-vnet B: nor over IPv6" no_reach vm4 fd00:1:0:2::4 acl
	check "and the drop is counted as acl" test "$(counter vm-vm4 acl)" -gt "$before"
	check "from-vnet B: C still reaches db" reach vm5 10.1.2.4
	check "from-vnet B: A's own web still reaches db" reach vm1 fd00:1:0:2::4
	check "acl del" v acl del A subnet db dir in prio 100
	check "after acl del, B reaches db again" reach vm4 10.1.2.4
}

# A peer's prefix denied to a subnet while other traffic flows.
prefix()
{
	check "web inbound denies src 10.2.0.0/16" \
		v acl add A subnet web dir in prio 100 action deny src 10.2.0.0/16
	check "vm4 (10.2.1.4) cannot reach web" no_reach vm4 10.1.1.4 acl
	check "IPv6 from B is not matched by the IPv4 rule" reach vm4 fd00:1:0:1::4
	check "C still reaches web" reach vm5 10.1.1.4
	v acl del A subnet web dir in prio 100
}

# A port rule denies one VM only.
port_rule()
{
	check "port vm-vm2 inbound denies everything" \
		v acl add A port vm-vm2 dir in prio 10 action deny
	check "vm1 cannot reach vm2" no_reach vm1 10.1.1.5 acl
	check "vm1 still reaches vm3" reach vm1 10.1.2.4
	check "stateful: vm2's own pings get their replies through its deny-all" \
		reach vm2 10.1.2.4
	v acl del A port vm-vm2 dir in prio 10
}

# Priority order: the lower number decides.
priority()
{
	local p
	check "allow icmp at 100" v acl add A port vm-vm3 dir in prio 100 action allow proto icmp
	check "deny all at 200" v acl add A port vm-vm3 dir in prio 200 action deny
	check "allow 100 beats deny 200: ping passes" reach vm1 10.1.2.4
	check "deny 200 stops TCP" tcp_dropped vm1 vm3 10.1.2.4 7001 acl
	check "deny all at 50" v acl add A port vm-vm3 dir in prio 50 action deny
	check "deny 50 beats allow 100: ping fails" no_reach vm1 10.1.2.4 acl
	for p in 50 100 200; do v acl del A port vm-vm3 dir in prio "$p"; done
}

# Protocols and port ranges.
ports()
{
	check "deny tcp dport 7000-7100 inbound on db" \
		v acl add A subnet db dir in prio 100 action deny proto tcp dport 7000-7100
	check "TCP to port 7050 is denied" tcp_dropped vm1 vm3 10.1.2.4 7050 acl
	check "TCP to port 7200 passes" tcp_ok vm1 vm3 10.1.2.4 7200
	check "IPv6 TCP to port 7200 passes" tcp_ok vm1 vm3 fd00:1:0:2::4 7200
	check "ping passes a tcp rule" reach vm1 10.1.2.4
	check_output "acl show" "$DB_RULE" v acl show A
	check_output "acl show -j" \
'[{"vnet":"A","subnet":"db","dir":"in","prio":100,"action":"deny","proto":"tcp","dport":"7000-7100"}]' \
		v -j acl show A
	v acl del A subnet db dir in prio 100
}

# Refusals: exit 1 from the kernel, 2 from the CLI, and nothing changes.
refusals()
{
	local snap
	db_rule
	snap=$(v -j acl show A)
	check_exit 1 "duplicate priority refused" \
		v acl add A subnet db dir in prio 100 action allow
	check_exit 1 "unknown subnet refused" v acl add A subnet nope dir in prio 1 action deny
	check_exit 1 "a port of another vnet refused" v acl add A port vm-vm4 dir in prio 1 action deny
	check_exit 1 "unknown from-vnet refused" v acl add A subnet db dir in prio 1 action deny from-vnet Z
	check_exit 1 "deleting a missing rule refused" v acl del A subnet db dir in prio 1
	check_exit 2 "priority 0 refused" v acl add A subnet db dir in prio 0 action deny
	check_exit 2 "reversed port range refused" \
		v acl add A subnet db dir in prio 1 action deny proto tcp dport 90-80
	check_exit 2 "port out of range refused" \
		v acl add A subnet db dir in prio 1 action deny proto tcp dport 65536
	check_exit 2 "ports without tcp/udp refused" v acl add A subnet db dir in prio 1 action deny dport 80
	check_exit 2 "IPv4 src with IPv6 dst refused" \
		v acl add A subnet db dir in prio 1 action deny src 10.0.0.0/8 dst fd00::/8
	check_exit 2 "unknown scope refused" v acl add A zone db dir in prio 1 action deny
	check_output "refusals changed nothing" "$snap" v -j acl show A
	v acl del A subnet db dir in prio 100
}

# Fragments: a non-first fragment has no ports, so it must not slip past a
# port rule (frag.py sends a UDP datagram in three fragments).
frags()	# DPORT: fragments from vm1 that vm2 receives
{
	local rmac
	rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
	# Controls, UDP to port 9999 that no rule denies: the first proves the
	# capture runs before the fragments go, the last (sent right after
	# them) that what came before it has been captured.
	cap_start frag vm2 eth0 'ip src 10.1.1.4 and ((ip[6:2] & 0x3fff != 0) or udp dst port 9999)'
	cap_sync frag 'udp dst port 9999' udp_control vm1 10.1.1.5 9999 || return 1
	vm vm1 /usr/bin/python3 "$(dirname "$0")/frag.py" eth0 52:54:00:00:01:04 "$rmac" \
		"10.1.1.4,10.1.1.5,4000,$1,4242,all" 10.1.1.4,10.1.1.5,4000,9999,4243,whole
	cap_sync frag 'udp dst port 9999 and ip[4:2] == 4243' true || return 1
	cap_stop frag
	cap_count frag 'ip[6:2] & 0x3fff != 0'
}
fragments()
{
	check_output "without a rule all three fragments arrive" 3 frags 9000
	check "deny udp dport 9000 on vm2's port" \
		v acl add A port vm-vm2 dir in prio 5 action deny proto udp dport 9000
	check_output "with the rule no fragment arrives" 0 frags 9000
	v acl del A port vm-vm2 dir in prio 5
}

# The per-list limit is a module parameter, refused with a message.
max_rules()
{
	local old
	db_rule
	old=$(cat /sys/module/vnet/parameters/max_acl_rules)
	echo 1 > /sys/module/vnet/parameters/max_acl_rules
	check_output "a rule beyond max_acl_rules is refused" \
		"Error: subnet db of vnet A already has 1 rules in this direction (module parameter max_acl_rules)" \
		sh -c "vnetctl -n $CTL acl add A subnet db dir in prio 2 action deny 2>&1"
	echo "$old" > /sys/module/vnet/parameters/max_acl_rules
	v acl del A subnet db dir in prio 100
}

# In a batch, rules take effect together at the end (or before the next
# command that is not an ACL change).
batch()
{
	db_rule
	printf '%s\n' "acl add A port vm-vm3 dir in prio 10 action deny proto icmp" \
		"acl add A port vm-vm3 dir in prio 11 action deny proto icmp" >"$WORK/batch"
	check "a batch of rules" v -b "$WORK/batch"
	check "takes effect at its end" no_reach vm1 10.1.2.4 acl
	printf '%s\n' "acl del A port vm-vm3 dir in prio 10" "acl del A port vm-vm3 dir in prio 11" \
		"acl show A" >"$WORK/batch"
	check_output "deferred deletions apply before the next command of the batch" \
		"$DB_RULE" v -b "$WORK/batch"
	check "and the packet path follows" reach vm1 10.1.2.4
	v acl del A subnet db dir in prio 100
}

subnet_del()
{
	local snap
	db_rule
	snap=$(v -j acl show A)
	v subnet add A tmp prefix 10.1.9.0/24
	v acl add A subnet tmp dir out prio 1 action allow
	check "a subnet with rules can be deleted, its rules with it" v subnet del A tmp
	check_output "its rules are gone" "$snap" v -j acl show A
	v acl del A subnet db dir in prio 100
}

# A from-vnet rule names a vnet, not an id: deleting vnet B removes the
# rules that name it (announced), so a new vnet that takes B's id is not
# denied by them. Watched by vnetctl monitor, text and JSON. Last: B and
# C are gone after it.
vnet_del()
{
	local mon=$WORK/mon jmon=$WORK/jmon pids i
	db_rule
	vnetctl -n "$CTL" monitor >"$mon" 2>&1 &
	pids=$!
	vnetctl -n "$CTL" -j monitor >"$jmon" 2>&1 &
	pids+=" $!"
	for i in $(seq 50); do	# the monitors listen once they print our event
		v vnet add Sync id 999 prefix 10.250.0.0/16 && v vnet del Sync
		grep -q "vnet del Sync" "$mon" && grep -q '"name":"Sync"' "$jmon" && break
		sleep 0.2
	done
	check "acl add: db inbound denies from-vnet B at 300" \
		v acl add A subnet db dir in prio 300 action deny from-vnet B
	check "and web outbound at 7, from-vnet B" \
		v acl add A subnet web dir out prio 7 action deny from-vnet B proto udp
	check "and B's own port, from-vnet B" v acl add B port vm-vm4 dir out prio 3 action deny from-vnet B
	check "acl del of one" v acl del A subnet web dir out prio 7
	check "from-vnet B: vm4 cannot reach db" no_reach vm4 10.1.2.4 acl
	printf '%s\n' "acl add A port vm-vm3 dir out prio 20 action allow" \
		"acl add A port vm-vm3 dir out prio 21 action allow proto tcp" \
		"acl add A port vm-vm3 dir in prio 20 action allow" \
		"acl del A port vm-vm3 dir out prio 21" >"$WORK/batch"
	check "a batch of rules" v -b "$WORK/batch"
	check "vnet del B" v vnet del B
	check_output "the rule that named B is gone from A's list" \
"A subnet db dir in prio 100 action deny proto tcp dport 7000-7100
A port vm-vm3 dir in prio 20 action allow
A port vm-vm3 dir out prio 20 action allow" v acl show A
	check "a new vnet D takes B's id 2" v vnet add D id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
	v subnet add D s prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
	v peering del A ab
	check "D peers with A" v peering add A ad remote D
	check "A peers with D" v peering add D da remote A
	check "vm4's interface becomes a port of D" \
		v port add vm-vm4 vnet D subnet s mac 52:54:00:00:04:04 ip 10.2.1.4 ip fd00:2:0:1::4
	check "D (id 2) reaches db: B's rule does not apply to it" reach vm4 10.1.2.4
	check "over IPv6 too" reach vm4 fd00:1:0:2::4
	check "a rule from-vnet D" v acl add A subnet db dir in prio 300 action deny from-vnet D
	check "denies D" no_reach vm4 10.1.2.4 acl
	check_output "acl show names D" \
"A subnet db dir in prio 100 action deny proto tcp dport 7000-7100
A subnet db dir in prio 300 action deny from-vnet D
A port vm-vm3 dir in prio 20 action allow
A port vm-vm3 dir out prio 20 action allow" v acl show A
	printf '%s\n' "acl add A port vm-vm3 dir in prio 30 action deny from-vnet C" \
		"vnet del C" >"$WORK/batch"
	check "a batch adds a rule from-vnet C, then deletes C" v -b "$WORK/batch"
	check_output "leaves no rule behind" 0 sh -c "vnetctl -n $CTL acl show A | grep -c 'from-vnet C'"

	for i in $(seq 50); do
		grep -q "acl del A port vm-vm3 dir in prio 30 from-vnet C" "$mon" &&
			grep -q '"from-vnet":"C"' "$jmon" && break
		sleep 0.1
	done
	check_output "monitor prints rule changes like the commands, and why a rule went" \
"acl add A subnet db dir in prio 300 action deny from-vnet B
acl add A subnet web dir out prio 7 action deny proto udp from-vnet B
acl add B port vm-vm4 dir out prio 3 action deny from-vnet B
acl del A subnet web dir out prio 7
acl commit A port vm-vm3 dir out rules 1 added 2 removed 1
acl commit A port vm-vm3 dir in rules 1 added 1 removed 0
acl del A subnet db dir in prio 300 from-vnet B
acl add A subnet db dir in prio 300 action deny from-vnet D
acl commit A port vm-vm3 dir in rules 2 added 1 removed 0
acl del A port vm-vm3 dir in prio 30 from-vnet C" grep "^acl " "$mon"
	check_output "monitor -j: a rule added" \
'{"event":"add","object":"acl","vnet":"A","subnet":"db","dir":"in","prio":300,"action":"deny","from-vnet":"B"}' \
		sh -c "grep '\"object\":\"acl\"' $jmon | head -1"
	check_output "monitor -j: a batch committed" \
'{"event":"commit","object":"acl","vnet":"A","port":"vm-vm3","dir":"out","rules":1,"added":2,"removed":1}' \
		sh -c "grep '\"object\":\"acl\"' $jmon | sed -n 5p"
	check_output "monitor -j: a rule removed with its from-vnet" \
'{"event":"del","object":"acl","vnet":"A","subnet":"db","dir":"in","prio":300,"from-vnet":"B"}' \
		sh -c "grep '\"object\":\"acl\"' $jmon | sed -n 7p"
	# shellcheck disable=SC2086
	kill $pids
}

tests_run
done_testing
