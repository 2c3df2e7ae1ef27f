#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnetctl export and apply: the whole configuration as one JSON document,
# applied to a fresh namespace, edited and applied again (only the
# difference), and a refused step undone. Configuration only, no traffic.
#
# One function per case: the configuration of $CTL (the setup below) is
# only read; each case that applies files does it into a fresh namespace
# of its own (fresh): TESTS="refused_step" (VNET_TESTS through vm.sh)
# runs it alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	export_own
	fresh_apply
	edit
	refused_step
	id_change
	scope
	remnants
	bad_usage
"


# The interfaces the ports are bound to, in namespace $1.
mkports()
{
	local d
	for d in vm-nva vm-gw vm-be vm-s1 vm-s2; do
		ip -n "$1" link add "$d" type veth peer name "$d-p" &&
			ip -n "$1" link set "$d" up
	done
}

mkports "$CTL"
cat >"$WORK/setup" <<'B'
vnet add hub id 10 prefix 10.0.0.0/16 prefix fd00:10::/48
vnet add spoke1 id 11 prefix 10.1.0.0/16
vnet add spoke2 id 12 prefix 10.2.0.0/16
subnet add hub hs prefix 10.0.1.0/24 prefix fd00:10:0:1::/64
subnet add spoke1 s prefix 10.1.1.0/24
subnet add spoke2 s prefix 10.2.1.0/24
port add vm-nva vnet hub subnet hs mac 52:54:00:00:00:04 ip 10.0.1.4 ip fd00:10:0:1::4 forwarding on
port add vm-gw vnet hub subnet hs mac 52:54:00:00:00:05 ip 10.0.1.5 forwarding on
port add vm-be vnet hub subnet hs mac 52:54:00:00:00:06 ip 10.0.1.6
port add vm-s1 vnet spoke1 subnet s mac 52:54:00:00:01:04 ip 10.1.1.4
port add vm-s2 vnet spoke2 subnet s mac 52:54:00:00:02:04 ip 10.2.1.4
gateway set hub port vm-gw prefix 192.168.0.0/16
peering add hub h-s1 remote spoke1 gateway-transit on forwarded on
peering add spoke1 s1-h remote hub use-remote-gateways on
peering add hub h-s2 remote spoke2
peering add spoke2 s2-h remote hub
route add spoke1 s 10.2.0.0/16 nexthop appliance 10.0.1.4
route add spoke1 s 10.9.0.0/16 nexthop none
acl add hub subnet hs dir in prio 100 action deny proto tcp dport 22 from-vnet spoke2
acl add hub port vm-be dir in prio 10 action allow proto tcp dport 8080
lb add hub web frontend 10.0.0.100 proto tcp port 80 backend 10.0.1.6:8080
endpoint add spoke2 10.2.1.9 mac 52:54:00:00:02:09 remote 192.0.2.2
endpoint add hub 10.0.1.20 mac 52:54:00:00:00:20 remote 192.0.2.2 forwarding on
B
check "the configuration loads" v -b "$WORK/setup"
v export >"$WORK/a.json"

# Edit: a flag, a new rule, a route gone, a prefix added to a peered vnet.
jq '(.peerings[] | select(.name == "h-s2") | .access) = false
    | .acls += [{"vnet":"spoke1","subnet":"s","dir":"out","prio":5,"action":"deny","proto":"udp"}]
    | .routes |= map(select(.prefix != "10.9.0.0/16"))
    | (.vnets[] | select(.name == "spoke2") | .prefixes) += ["10.3.0.0/16"]' \
	"$WORK/a.json" >"$WORK/c.json"

# fresh VAR [FILE]: a fresh namespace with the same interfaces, its name in
# VAR, FILE applied to it.
fresh()
{
	ns_new "$1" host2
	mkports "${!1}"
	[ -z "${2:-}" ] || vnetctl -n "${!1}" apply "$2" >/dev/null
}

export_own()
{
	check "export is JSON with every kind" \
		jq -e '.vnets and .subnets and .ports and .endpoints and .gateways and .peerings and .routes and .acls and .lbs' "$WORK/a.json"
	check "export has no states" sh -c "! grep -qE '\"(state|router-mac)\"' '$WORK/a.json'"
	check_output "a forwarding endpoint says so, a plain one has no key" "true null" \
		jq -r '[.endpoints[] | .forwarding] | map(tostring) | join(" ")' "$WORK/a.json"
	check_output "apply of the namespace's own export plans nothing" "" v apply --dry-run "$WORK/a.json"
	check "and applies" v apply "$WORK/a.json"
}

# A fresh namespace with the same interfaces: apply, export, compare.
fresh_apply()
{
	local CTL2
	fresh CTL2
	check "apply into a fresh namespace" vnetctl -n "$CTL2" apply "$WORK/a.json"
	vnetctl -n "$CTL2" export >"$WORK/b.json"
	check "export after apply reproduces the file" cmp "$WORK/a.json" "$WORK/b.json"
	check_output "both sides of the peerings are connected" "connected connected connected connected" \
		sh -c "vnetctl -n '$CTL2' -j peering show | jq -r '[.[].state] | join(\" \")'"
}

edit()
{
	local CTL2
	fresh CTL2 "$WORK/a.json"
	vnetctl -n "$CTL2" apply --dry-run "$WORK/c.json" >"$WORK/plan"
	check_output "the plan is the difference" "route del spoke1 s 10.9.0.0/16
peering del spoke2 s2-h
vnet prefix add spoke2 10.3.0.0/16
acl add spoke1 subnet s dir out prio 5 action deny proto udp
peering set hub h-s2 access off forwarded off gateway-transit off use-remote-gateways off
peering add spoke2 s2-h remote hub access on forwarded off gateway-transit off use-remote-gateways off" cat "$WORK/plan"
	check "the edited file applies" vnetctl -n "$CTL2" apply "$WORK/c.json"
	vnetctl -n "$CTL2" export >"$WORK/d.json"
	jq -S . "$WORK/c.json" >"$WORK/c.sorted"
	jq -S . "$WORK/d.json" >"$WORK/d.sorted"
	check "export equals the edited file" cmp "$WORK/c.sorted" "$WORK/d.sorted"
	check_output "applying it again changes nothing" "" vnetctl -n "$CTL2" apply --dry-run "$WORK/c.json"
}

# A file whose last object only the kernel can refuse: an overlapping
# peering. Everything before it is undone.
refused_step()
{
	local CTL2 out status
	fresh CTL2 "$WORK/c.json"
	vnetctl -n "$CTL2" export >"$WORK/d.json"
	jq '.vnets += [{"name":"twin","id":20,"prefixes":["10.0.0.0/16"]}]
    | .subnets += [{"vnet":"twin","name":"t","prefixes":["10.0.9.0/24"]}]
    | .peerings += [{"vnet":"twin","name":"t-s1","remote":"spoke1","access":true,"forwarded":false,"gateway-transit":false,"use-remote-gateways":false},
                    {"vnet":"spoke1","name":"s1-t","remote":"twin","access":true,"forwarded":false,"gateway-transit":false,"use-remote-gateways":false}]' \
		"$WORK/c.json" >"$WORK/bad.json"
	out=$(vnetctl -n "$CTL2" apply "$WORK/bad.json" 2>&1); status=$?
	check "a refused step fails the apply (exit 1)" test "$status" -eq 1
	check "the error names the step" grep -q "apply: step .* refused: peering add" <<<"$out"
	vnetctl -n "$CTL2" export >"$WORK/e.json"
	check "and the steps before it are undone" cmp "$WORK/d.json" "$WORK/e.json"
}

# A vnet's id has no "set": the vnet and everything in it are replaced,
# and the rules elsewhere that name it too.
id_change()
{
	local CTL2
	fresh CTL2 "$WORK/c.json"
	jq '(.vnets[] | select(.name == "spoke2") | .id) = 22' "$WORK/c.json" >"$WORK/i.json"
	check "an id change applies" vnetctl -n "$CTL2" apply "$WORK/i.json"
	vnetctl -n "$CTL2" export | jq -S . >"$WORK/i.got"
	jq -S . "$WORK/i.json" >"$WORK/i.want"
	check "and export shows every object again" cmp "$WORK/i.want" "$WORK/i.got"
	check "apply back to the old id" vnetctl -n "$CTL2" apply "$WORK/c.json"
}

# Scope: only the kinds named change.
scope()
{
	local CTL2
	fresh CTL2 "$WORK/c.json"
	jq '.routes = [] | .acls = []' "$WORK/c.json" >"$WORK/f.json"
	check "apply only acls" vnetctl -n "$CTL2" apply only acls "$WORK/f.json"
	check_output "removed the rules" 0 sh -c "vnetctl -n '$CTL2' export | jq '.acls | length'"
	check_output "kept the routes" 1 sh -c "vnetctl -n '$CTL2' export | jq '.routes | length'"
	# The two halves of acls: the subnets' rules, the ports' rules.
	local CTL3
	fresh CTL3 "$WORK/c.json"
	check "apply only subnet-acls" vnetctl -n "$CTL3" apply only subnet-acls "$WORK/f.json"
	check_output "removed the subnet's rule, kept the port's" '[{"port":"vm-be"}]' \
		sh -c "vnetctl -n '$CTL3' export | jq -c '[.acls[] | {port}]'"
	check_output "only port-acls: the file's port rules, not its subnet rules" "" \
		vnetctl -n "$CTL3" apply --dry-run only port-acls "$WORK/c.json"
	check "apply only port-acls" vnetctl -n "$CTL3" apply only port-acls "$WORK/f.json"
	check_output "removed the port's rule" 0 sh -c "vnetctl -n '$CTL3' export | jq '.acls | length'"
}

# What deletions leave and no add builds (a side whose remote vnet or
# remote side went, use-remote-gateways without the remote side, a route
# whose appliance went with that side): export writes what apply can build,
# lets no more through, and says so.
remnants()
{
	local CTL2 CTL3
	fresh CTL2
	vnetctl -n "$CTL2" -b - <<'B'
vnet add a id 1 prefix 10.1.0.0/16
vnet add b id 2 prefix 10.2.0.0/16
vnet add c id 3 prefix 10.3.0.0/16
vnet add gone id 4 prefix 10.4.0.0/16
subnet add a s prefix 10.1.1.0/24
subnet add b s prefix 10.2.1.0/24
port add vm-s1 vnet a subnet s mac 52:54:00:00:01:04 ip 10.1.1.4
port add vm-nva vnet b subnet s mac 52:54:00:00:02:04 ip 10.2.1.4 forwarding on
port add vm-gw vnet b subnet s mac 52:54:00:00:02:05 ip 10.2.1.5 forwarding on
gateway set b port vm-gw prefix 192.168.0.0/16
peering add b b-a remote a gateway-transit on
peering add a a-b remote b use-remote-gateways on
route add a s 10.9.0.0/16 nexthop appliance 10.2.1.4
peering add a a-gone remote gone
peering add gone g-a remote a
peering add a a-c remote c
peering add c c-a remote a
peering del b b-a
vnet del gone
peering del c c-a
vnet prefix add c 10.1.128.0/20
B
	check_output "the deletions leave their remnants" "a-b disconnected true
a-c disconnected false
a-gone disconnected false" sides_of_a "$CTL2"
	check_output "the route via the appliance drops" "drop appliance-unreachable" \
		verdict_to_9 "$CTL2"
	check "export succeeds" sh -c "vnetctl -n '$CTL2' export >'$WORK/r.json' 2>'$WORK/r.err'"
	check_output "export says each of the four" 4 grep -c '^Warning: export:' "$WORK/r.err"
	check "a side whose remote vnet went is left out" \
		grep -q "peering a-gone of vnet a to gone left out: its remote vnet gone is gone" "$WORK/r.err"
	check "a one-sided side that overlaps since is left out" \
		grep -q "peering a-c of vnet a to c left out: its other side is gone and the address spaces of a and c overlap" "$WORK/r.err"
	check "use-remote-gateways without the remote side is written off" \
		grep -q "peering a-b of vnet a written with use-remote-gateways off: vnet b has no side to a" "$WORK/r.err"
	check "a route via an appliance gone with its peering is written nexthop none" \
		grep -q "route 10.9.0.0/16 of subnet s of vnet a written with nexthop none: appliance 10.2.1.4" "$WORK/r.err"
	check_output "the file says so" 'a-b false
10.9.0.0/16 none null' \
		jq -r '(.peerings[] | "\(.name) \(."use-remote-gateways")"), (.routes[] | "\(.prefix) \(.nexthop) \(.appliance)")' "$WORK/r.json"
	fresh CTL3
	check "the export applies to a fresh namespace" vnetctl -n "$CTL3" apply "$WORK/r.json"
	check_output "which exports it again, without a word" "" \
		sh -c "vnetctl -n '$CTL3' export 2>&1 >'$WORK/r2.json'"
	check "identical" cmp "$WORK/r.json" "$WORK/r2.json"
	check "applied where it was taken" vnetctl -n "$CTL2" apply "$WORK/r.json"
	vnetctl -n "$CTL2" export >"$WORK/r3.json" 2>/dev/null
	check "it leaves what the file says" cmp "$WORK/r.json" "$WORK/r3.json"
	check_output "and the route still drops" "drop route-none" verdict_to_9 "$CTL2"
}
sides_of_a()
{
	vnetctl -n "$1" -j peering show a |
		jq -r '.[] | "\(.name) \(.state) \(."use-remote-gateways")"'
}
verdict_to_9()
{
	vnetctl -n "$1" -j trace a src 10.1.1.4 dst 10.9.0.1 |
		jq -r '"\(.verdict) \(.reason)"'
}

bad_usage()
{
	echo '{"vnets": 3}' >"$WORK/g.json"
	check_exit 2 "a kind that is not an array is bad usage" v apply "$WORK/g.json"
	echo '{"vnets": [' >"$WORK/h.json"
	check_exit 2 "a file that is not JSON is bad usage" v apply "$WORK/h.json"
	check_exit 2 "an unknown kind in only is bad usage" v apply only frobs "$WORK/a.json"
	jq '(.ports[] | select(.dev == "vm-be") | .mac) = "52:54:00:00:00:06 forwarding on"' \
		"$WORK/a.json" >"$WORK/w.json"
	check_exit 2 "a value that is not one word is bad usage (no words smuggled in)" \
		v apply "$WORK/w.json"
	check "before any step runs, naming the value" \
		sh -c "vnetctl -n '$CTL' apply '$WORK/w.json' 2>&1 | grep -q '^Error: ports\[[0-9]*\]: \"52:54:00:00:00:06 forwarding on\" is not one word'"
	check_exit 2 "apply without a file is bad usage" v apply
	check_output "and none of them changed anything" "$(cat "$WORK/a.json")" v export
}

tests_run
done_testing
