#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control plane: vnets, prefixes, subnets and peerings, rules 1-5 and
# 12 of Documentation/vnet.rst with a passing and a refused case. After each
# refusal the whole configuration (vnetctl -j ... show) is byte-identical.
#
# One function per case, each leaving the configuration as it found it
# (the setup below: vnets A, B and C, nothing else): TESTS="states limits"
# (VNET_TESTS through vm.sh) runs those alone. A case that needs
# peerings, subnets or more vnets adds them first, without a check.
source "$(dirname "$0")/lib.sh"
ns_new CTL2 host2

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	vnets
	subnets
	peerings
	states
	not_transitive
	vnet_del_peers
	limits
	namespaces
	origin
"


# The whole configuration as JSON: what must not change after a refusal.
snapshot()
{
	# One vnetctl for all (a batch): each process costs under emulation.
	printf '%s\n' "vnet show" "subnet show" "peering show" | v -j -b -
}

# refused_as STATUS TEXT DESC CMD...: CMD exits with STATUS, its error says
# TEXT, and the configuration is byte-identical afterwards.
refused_as()
{
	local want=$1 text=$2 desc=$3 before after out status
	shift 3
	before=$(snapshot)
	out=$("$@" 2>&1)
	status=$?
	after=$(snapshot)
	if [ "$status" -ne "$want" ]; then
		fail "$desc" "exit status $status, expected $want: $out"
	elif [[ "$out" != *"$text"* ]]; then
		fail "$desc" "error \"$out\" does not say \"$text\""
	elif [ "$before" != "$after" ]; then
		fail "$desc" "the configuration changed: $(diff <(echo "$before") <(echo "$after"))"
	else
		ok "$desc"
	fi
}

vnets_abc()
{
	v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
	v vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
	v vnet add C id 3 prefix 10.3.0.0/16
}
vnets_abc

# ---- vnets (A, B and C again) ----
vnets()
{
	local rmac
	v vnet del A
	v vnet del B
	v vnet del C
	check "vnet add with IPv4 and IPv6 prefixes" \
		v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
	check "vnet add B" v vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
	check "vnet add C" v vnet add C id 3 prefix 10.3.0.0/16
	check "vnet add with the largest id" v vnet add Max id 16777215 prefix 10.200.0.0/16
	check_output "vnet show lists vnets sorted by name" \
	"A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
C id 3 prefix 10.3.0.0/16
Max id 16777215 prefix 10.200.0.0/16" \
		sh -c "vnetctl -n $CTL vnet show | sed 's/ router-mac .*//'"
	rmac=$(v -j vnet show A | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
	if [[ "$rmac" =~ ^[0-9a-f][26ae](:[0-9a-f]{2}){5}$ ]]; then
		ok "vnet show gives a locally administered router MAC ($rmac)"
	else
		fail "vnet show gives a locally administered router MAC" "got \"$rmac\""
	fi
	check_output "vnet show -j NAME" \
		"[{\"name\":\"C\",\"id\":3,\"prefixes\":[\"10.3.0.0/16\"],\"router-mac\":\"$rmac\"}]" \
		v -j vnet show C

	refused_as 1 "already exists" "duplicate vnet name refused" \
		v vnet add A id 10 prefix 10.10.0.0/16
	refused_as 1 "id 1" "duplicate vnet id refused" \
		v vnet add D id 1 prefix 10.10.0.0/16
	refused_as 1 "does not exist" "vnet del of an unknown vnet refused" v vnet del Nope
	refused_as 2 "malformed CIDR" "malformed CIDR refused" \
		v vnet add D id 4 prefix 10.4.0/16
	refused_as 2 "host bits set" "host bits refused" v vnet add D id 4 prefix 10.4.0.1/16
	refused_as 2 "prefix length" "prefix length out of range refused" \
		v vnet add D id 4 prefix 10.4.0.0/33
	refused_as 2 "prefix length" "IPv6 prefix length out of range refused" \
		v vnet add D id 4 prefix fd00:4::/129
	refused_as 2 "1 to 31 characters" "name too long refused" \
		v vnet add ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 id 4 prefix 10.4.0.0/16
	refused_as 2 "1 to 31 characters" "name with bad characters refused" \
		v vnet add 'A:B' id 4 prefix 10.4.0.0/16
	refused_as 2 "from 1 to 16777215" "id 0 refused" v vnet add D id 0 prefix 10.4.0.0/16
	refused_as 2 "from 1 to 16777215" "id 16777216 refused" \
		v vnet add D id 16777216 prefix 10.4.0.0/16
	refused_as 2 "unknown keyword" "unknown keyword refused" \
		v vnet add D id 4 prefix 10.4.0.0/16 colour blue
	refused_as 2 "needs at least one" "vnet without prefix refused" v vnet add D id 4
	refused_as 2 "unknown object" "unknown object refused" v frobnicate add
	refused_as 2 "unknown command" "unknown command refused" v vnet frobnicate
	v vnet del Max
}

# ---- prefixes and subnets ----
subnets()
{
	check "prefix add" v vnet prefix add C 10.33.0.0/16
	check "prefix del" v vnet prefix del C 10.33.0.0/16
	refused_as 1 "already" "duplicate prefix refused" v vnet prefix add C 10.3.0.0/16
	refused_as 1 "overlap" "overlapping prefix in one vnet refused" \
		v vnet prefix add C 10.3.128.0/17
	refused_as 1 "last" "deleting the last prefix refused" v vnet prefix del C 10.3.0.0/16
	check "dual-stack subnet add" v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
	check "IPv4-only subnet add" v subnet add A db prefix 10.1.2.0/24
	check "IPv6-only subnet add" v subnet add B app prefix fd00:2:0:1::/64
	check_output "subnet show A" \
	"A db prefix 10.1.2.0/24
A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64" v subnet show A
	check_output "subnet show -j" \
	'[{"vnet":"A","name":"db","prefixes":["10.1.2.0/24"]},{"vnet":"A","name":"web","prefixes":["10.1.1.0/24","fd00:1:0:1::/64"]},{"vnet":"B","name":"app","prefixes":["fd00:2:0:1::/64"]}]' \
		v -j subnet show
	refused_as 1 "outside" "subnet outside the address space refused" \
		v subnet add A out prefix 10.9.1.0/24
	refused_as 1 "overlap" "overlapping subnets refused" \
		v subnet add A web2 prefix 10.1.1.128/25
	refused_as 1 "already exists" "duplicate subnet name refused" \
		v subnet add A web prefix 10.1.3.0/24
	refused_as 2 "one prefix per address family" "two IPv4 prefixes in a subnet refused" \
		v subnet add A two prefix 10.1.4.0/24 prefix 10.1.5.0/24
	refused_as 1 "does not exist" "subnet in an unknown vnet refused" \
		v subnet add Nope s prefix 10.1.6.0/24
	refused_as 1 "web" "deleting a prefix used by a subnet names the subnet" \
		v vnet prefix del A fd00:1::/48
	check "subnet del" v subnet del A db
	refused_as 1 "db" "deleting an unknown subnet refused" v subnet del A db
	v subnet del A web
	v subnet del B app
}

# ---- peerings: rules 1 and 2 ----
peerings()
{
	check "vnet add Overlap (overlaps A)" v vnet add Overlap id 5 prefix 10.1.128.0/17
	check "vnet add Near (overlaps B only)" v vnet add Near id 6 prefix 10.2.128.0/17
	refused_as 1 "overlap" "peering of overlapping vnets refused" \
		v peering add A a2o remote Overlap
	refused_as 1 "itself" "self-peering refused" v peering add A a2a remote A
	refused_as 1 "not known to this network controller" "peering to an unknown vnet refused (rule 2)" \
		v peering add A a2x remote Nope
	check "peering add A -> B" v peering add A a2b remote B
	check_state A a2b initiated "A's side is initiated"
	refused_as 1 "already" "second peering to the same remote refused" \
		v peering add A a2b-again remote B
	refused_as 1 "a2b" "duplicate peering name refused" v peering add A a2b remote C
	refused_as 1 "overlap" "peering to a vnet overlapping a peer of the local vnet refused" \
		v peering add A a2n remote Near
	refused_as 1 "remove the peering" "prefix add while a peering exists refused (rule 3)" \
		v vnet prefix add A 10.11.0.0/16
	refused_as 1 "a2b" "the rule-3 error names the peering" \
		v vnet prefix del A 10.1.0.0/16
	refused_as 2 "on or off" "bad flag value refused" \
		v peering add B b2a remote A access maybe
	refused_as 2 "unknown keyword" "unknown peering keyword refused" \
		v peering add B b2a remote A colour blue
	v peering del A a2b
	v vnet del Overlap
	v vnet del Near
}

# ---- rule 5: states ----
states()
{
	v peering add A a2b remote B
	check "peering add B -> A" v peering add B b2a remote A
	check_state A a2b connected "A's side is connected"
	check_state B b2a connected "B's side is connected"
	check "peering set flags" v peering set A a2b access off forwarded on
	check_output "peering show -j A" \
	'[{"vnet":"A","name":"a2b","remote":"B","state":"connected","access":false,"forwarded":true,"gateway-transit":false,"use-remote-gateways":false}]' \
		v -j peering show A
	check "peering set back" v peering set A a2b access on forwarded off
	check "B removes its side" v peering del B b2a
	check_state A a2b disconnected "A's side is disconnected"
	refused_as 1 "remove the peering" "prefix add refused while a disconnected peering exists" \
		v vnet prefix add A 10.11.0.0/16
	# B's space may change while its side is gone; the re-add is checked again.
	check "B's space changes to overlap A" v vnet prefix add B 10.1.200.0/24
	refused_as 1 "overlap" "re-adding a side checks the address spaces again" \
		v peering add B b2a remote A
	check_state A a2b disconnected "A stays disconnected after the refused re-add"
	check "B's space changes back" v vnet prefix del B 10.1.200.0/24
	check "B adds its side again" v peering add B b2a remote A
	check_state A a2b connected "A is connected again without re-creating its side"
	check_state B b2a connected "B is connected again"
	v peering del A a2b
	v peering del B b2a
}

# Non-transitivity: C peers with B, but A sees no peering to C.
not_transitive()
{
	v peering add A a2b remote B
	v peering add B b2a remote A
	check "B <-> C peered" sh -c "vnetctl -n $CTL peering add B b2c remote C && vnetctl -n $CTL peering add C c2b remote B"
	check_output "A has no peering to C (not transitive)" "A a2b remote B" \
		sh -c "vnetctl -n $CTL peering show A | cut -d' ' -f1-4"
	# A re-add is checked against the other side's connected peers, both ways.
	check "C removes its side to B" v peering del C c2b
	check "C's space changes to overlap A, A's peer B's peer" v vnet prefix add C 10.1.201.0/24
	refused_as 1 "overlap" "re-add refused when the remote overlaps a connected peer of the local side" \
		v peering add C c2b remote B
	check "C's space changes back" v vnet prefix del C 10.1.201.0/24
	check "C re-adds its side" v peering add C c2b remote B
	v peering del B b2c
	v peering del C c2b
	v peering del A a2b
	v peering del B b2a
}

# Deleting a vnet disconnects its peers; adding it back reconnects.
vnet_del_peers()
{
	v peering add A a2b remote B
	v peering add B b2a remote A
	v peering add B b2c remote C
	v peering add C c2b remote B
	check "vnet del B with peerings" v vnet del B
	check_state A a2b disconnected "A is disconnected when B is deleted"
	check_state C c2b disconnected "C is disconnected when B is deleted"
	check "vnet B is added again" v vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
	check_state A a2b disconnected "a new B without its side leaves A disconnected"
	check "the new B adds its side" v peering add B b2a remote A
	check_state A a2b connected "A is connected to the new B"
	check "peering del" v peering del A a2b
	check_state B b2a disconnected "B is disconnected when A's side goes"
	check "peering del B" v peering del B b2a
	check "prefix add is allowed once no peering is left" v vnet prefix add A 10.11.0.0/16
	v vnet prefix del A 10.11.0.0/16
	v peering del C c2b
}

# ---- limits ----
limits()
{
	local old n
	old=$(cat /sys/module/vnet/parameters/max_vnets)
	n=$(v -j vnet show | grep -o '"name"' | wc -l)
	echo "$n" > /sys/module/vnet/parameters/max_vnets
	refused_as 1 "limit" "a vnet beyond max_vnets is refused with a message" \
		v vnet add Extra id 99 prefix 10.99.0.0/16
	echo "$old" > /sys/module/vnet/parameters/max_vnets
	check "and accepted when the limit allows it" v vnet add Extra id 99 prefix 10.99.0.0/16
	v vnet del Extra
}

# ---- namespaces are separate controllers ----
namespaces()
{
	check_output "another namespace sees no vnet" "[]" vnetctl -n "$CTL2" -j vnet show
	check "another namespace may reuse names and ids" \
		vnetctl -n "$CTL2" vnet add A id 1 prefix 10.1.0.0/16
	vnetctl -n "$CTL2" vnet del A
}

# ---- who made an object: -O ORIGIN, kept by the kernel, not exported ----
origin()
{
	check "vnetctl -O vnetd vnet add" v -O vnetd vnet add O id 77 prefix 10.77.0.0/16
	check "and a subnet, a peering and a rule, by number and by name" \
		sh -c "vnetctl -n $CTL -O 9 subnet add O s prefix 10.77.1.0/24 &&
		       vnetctl -n $CTL -O vnetd peering add O o2a remote A &&
		       vnetctl -n $CTL -O vnetd acl add O subnet s dir in prio 10 action deny proto udp"
	check_output "vnet show says who made it, last" "O id 77 prefix 10.77.0.0/16 origin vnetd" \
		sh -c "vnetctl -n $CTL vnet show O | sed 's/ router-mac [^ ]*//'"
	check_output "-j: the origin by name, or by number" '"vnetd" 9 "vnetd" "vnetd"' \
		sh -c "printf '%s\n' 'vnet show O' 'subnet show O' 'peering show O' 'acl show O' |
		       vnetctl -n $CTL -j -b - | jq -c '.[] | select(.vnet == \"O\" or .name == \"O\") | .origin' | tr '\n' ' ' | sed 's/ $//'"
	check_output "an operator's object says nothing" "null" \
		sh -c "vnetctl -n $CTL -j vnet show A | jq '.[0].origin'"
	check_output "export leaves it out" "0" \
		sh -c "vnetctl -n $CTL export 2>/dev/null | grep -c origin"
	check_fail "an unknown origin is bad usage" v -O nobody vnet show
	check_output "with exit status 2" 2 sh -c "vnetctl -n $CTL -O 256 vnet show >/dev/null 2>&1; echo \$?"
	check "-O with a delete: only what makes an object carries it" \
		v -O vnetd peering del O o2a
	v vnet del O
}

tests_run
done_testing
