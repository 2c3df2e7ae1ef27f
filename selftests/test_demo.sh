#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo is for people to read, so nothing else would notice if its
# story stopped being true: run it and check every result it reports (each
# "=>" line, with the command it answers), one TAP line each; then that a
# part runs alone (make demo STEP=...) and that its graph is valid DOT.
source "$(dirname "$0")/lib.sh"

demo=$(dirname "$0")/demo.sh

# results: "COMMAND => RESULT" for each result of the demo's output on
# stdin; the counts that vary from run to run become N when not zero.
results()
{
	awk '/^[a-z0-9-]+\$ / { cmd = $0 } /^  => / { sub(/^  => /, ""); print cmd " => " $0 }' |
		sed -E 's/: [1-9][0-9]* packets went into it, [1-9][0-9]* came out/: N packets went into it, N came out/
			s/: [1-9][0-9]* packets went into it, 0 came out/: N packets went into it, 0 came out/
			s/web1 answered [1-9][0-9]*, web2 answered [1-9][0-9]*$/web1 answered N, web2 answered N/'
}

# check_results WHAT EXPECTED: each line of EXPECTED against the same line
# of the results in $WORK/results, then none left over.
check_results()
{
	local what=$1 i=0 want got
	local -a wants gots
	mapfile -t wants <<<"$2"
	mapfile -t gots <"$WORK/results"
	for want in "${wants[@]}"; do
		got=${gots[i]:-(no more results)}
		if [ "$got" = "$want" ]; then
			ok "$what: $want"
		else
			fail "$what: $want" "got: $got"
		fi
		i=$((i + 1))
	done
	if [ "${#gots[@]}" -gt "$i" ]; then
		fail "$what: no other results" "$(printf '%s\n' "${gots[@]:i}")"
	else
		ok "$what: no other results"
	fi
}

mkdir -p "$WORK/all"
status=0
VNET_OUT=$WORK/all bash "$demo" >"$WORK/out" 2>&1 || status=$?
check "demo.sh exits 0" test "$status" -eq 0
results <"$WORK/out" >"$WORK/results"

p="ping -c 3 -i 0.2"
check_results "demo" \
"vm-a\$ $p 10.2.1.4 => no answer
host\$ vnetctl peering show => A's side a-to-b: initiated
vm-a\$ $p 10.2.1.4 => no answer
host\$ vnetctl peering show => A's side a-to-b: connected; B's side b-to-a: connected
vm-a\$ $p 10.2.1.4 => answered
vm-b\$ nc -N 10.1.1.4 5001 < 1MiB-of-random-bytes => vm-a received the 1048576 bytes intact
vm-b\$ $p 10.1.1.4 => no answer
vm-a\$ $p 10.2.1.4 => answered
vm-b\$ $p 10.1.1.4 => answered
host\$ vnetctl vnet prefix add A 10.11.0.0/16 => refused (exit status 1)
host\$ vnetctl peering show => A's side a-to-b: disconnected
vm-a\$ $p 10.2.1.4 => no answer
host\$ vnetctl peering show => A's side a-to-b: connected; B's side b-to-a: connected
vm-a\$ $p 10.2.1.4 => answered
host\$ vnetctl vnet show => no vnets left
s1\$ $p 10.0.1.4 => answered
s1\$ $p 10.2.1.4 => no answer
s1\$ $p 10.2.1.4 => answered
host\$ vnetctl stats vm-nva => during the ping, the appliance's port: N packets went into it, N came out
s1\$ $p 10.2.1.4 => no answer
host\$ vnetctl stats vm-nva => during the ping, the appliance's port: N packets went into it, 0 came out
s1\$ $p 10.2.1.4 => answered
s1\$ $p 192.168.1.2 => no answer
s1\$ $p 192.168.1.2 => answered
s2\$ $p 192.168.1.2 => no answer
host\$ vnetctl gateway del hub => refused (exit status 1)
s1\$ for i in \$(seq 12); do nc -w 10 10.0.0.100 80 </dev/null; done => 12 connections: web1 answered N, web2 answered N
host\$ vnetctl trace spoke1 src 10.1.1.4 dst 10.2.1.4 proto tcp dport 80 => passes: delivered to port vm-nva (vnet hub)
host\$ vnetctl trace spoke2 src 10.2.1.4 dst 10.0.1.4 proto tcp dport 22 => dropped by an ACL rule: acl in subnet hs: prio 100 deny
host\$ vnetctl route show spoke1 s effective => 10.0.0.0/16 to vnet hub; 10.1.0.0/16 to vnet spoke1; 10.2.0.0/16 to appliance 10.0.1.4; 192.168.0.0/16 to gateway hub
host\$ vnetctl graph > demo-topology.dot => 3 vnets, 4 peering sides, 1 gateway, 1 load balancer"

# The refusals are the ones the story tells, in the operator's words.
check "the frozen address space names the peering that freezes it" \
	grep -q 'cannot change while it has peering a-to-b' "$WORK/out"
check "the gateway's refusal names the peer that uses it" \
	grep -q 'used by vnet spoke1 (peering s1-hub' "$WORK/out"
check "the graph the demo wrote is valid DOT" \
	dot -Tsvg -o "$WORK/all/g.svg" "$WORK/all/demo-topology.dot"

# One part alone sets up what it builds on without printing it.
mkdir -p "$WORK/one"
status=0
VNET_OUT=$WORK/one bash "$demo" trace >"$WORK/out1" 2>&1 || status=$?
check "demo.sh trace exits 0" test "$status" -eq 0
check "it says what it set up first" grep -qx '(setting up the hub part first)' "$WORK/out1"
check "and numbers its own steps from 1" grep -q "^== 1. vnetctl trace: why a packet passes" "$WORK/out1"
check "and shows no step of that part" \
	sh -c "! grep -q 'Peering is not transitive' '$WORK/out1'"
results <"$WORK/out1" >"$WORK/results"
check_results "demo trace" \
"host\$ vnetctl trace spoke1 src 10.1.1.4 dst 10.2.1.4 proto tcp dport 80 => passes: delivered to port vm-nva (vnet hub)
host\$ vnetctl trace spoke2 src 10.2.1.4 dst 10.0.1.4 proto tcp dport 22 => dropped by an ACL rule: acl in subnet hs: prio 100 deny"
check_exit 2 "an unknown part is refused" bash "$demo" nosuchpart

done_testing
