#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dumps resume after the key of the last object sent: objects deleted or
# added between the parts of a dump make it neither skip nor repeat the
# others (selftests/dump_race.py), for vnets, subnets, peerings, ACL
# rules (subnet and port scopes) and routes (user routes across subnets, a
# subnet's effective routes).
#
# One function per case over a shared setup (the 600 vnets, their subnets
# and peerings, loaded once: loading them again for each case would double
# the file's time). A race changes what it dumps (it deletes the first 30
# objects it got and adds others): the cases after it race on what is left,
# as in one long run, and dump_race.py only compares two dumps of the same
# moment. Each runs once per run (its additions would exist the second
# time); TESTS="acls" (VNET_TESTS through vm.sh) runs one alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	vnets
	subnets
	peerings
	subnets_one_vnet
	acls
	routes
"

race() { ip netns exec "$CTL" /usr/bin/python3 "$(dirname "$0")/dump_race.py" "$@"; }

for ((i = 0; i < 600; i++)); do
	printf 'vnet add v%04d id %d prefix 10.%d.%d.0/24\n' \
		"$i" $((i + 1)) $((i / 256)) $((i % 256))
done >"$WORK/vnets"
names=(a b c)
for ((i = 0; i < 300; i++)); do
	for j in 0 1 2; do
		printf 'subnet add v%04d %s prefix 10.%d.%d.%d/26\n' "$i" \
			"${names[j]}" $((i / 256)) $((i % 256)) $((j * 64))
	done
done >"$WORK/subnets"
v vnet add zw id 7000 prefix 10.150.0.0/16
for ((i = 0; i < 200; i++)); do
	printf 'subnet add zw w%03d prefix 10.150.%d.0/24\n' "$i" "$i"
done >>"$WORK/subnets"
for ((i = 0; i < 600; i += 2)); do
	printf 'peering add v%04d p%d remote v%04d\n' "$i" "$i" $((i + 1))
	printf 'peering add v%04d p%d remote v%04d\n' $((i + 1)) $((i + 1)) "$i"
done >"$WORK/peerings"
cat "$WORK/vnets" "$WORK/subnets" "$WORK/peerings" >"$WORK/all"
check "600 vnets, 1100 subnets, 600 peerings" v -b "$WORK/all"

vnets()
{
	printf 'vnet add v%04d id %d prefix 10.200.%d.0/24\n' 2000 2001 1 2001 2002 2 \
		5000 5001 3 >"$WORK/more-vnets"
	check "vnet dump: deleting sent vnets skips none and repeats none" \
		race vnet "" "$WORK/more-vnets"
}

# Whole vnets whose children were sent go too.
subnets()
{
	printf '%s\n' "subnet add v0299 d prefix 10.1.43.192/26" "vnet del v0031" \
		"subnet add v0599 a prefix 10.2.87.0/26" "vnet del v0032" >"$WORK/more-subnets"
	check "subnet dump: the same" race subnet "" "$WORK/more-subnets"
}

peerings()
{
	printf '%s\n' "vnet del v0033" "vnet del v0034" >"$WORK/less-vnets"
	check "peering dump: the same" race peering "" "$WORK/less-vnets"
}

subnets_one_vnet()
{
	printf 'subnet add zw w%d prefix 10.150.%d.0/24\n' 500 201 9 202 >"$WORK/more-w"
	check "subnet dump of one vnet: the same" race subnet zw "$WORK/more-w"
}

# ACL rules: two subnets and a port, both directions.
acls()
{
	local sc d p
	v vnet add A id 9000 prefix 10.100.0.0/16
	v subnet add A s1 prefix 10.100.1.0/24
	v subnet add A s2 prefix 10.100.2.0/24
	ip -n "$CTL" link add vm-dump type veth peer name vm-dump-peer
	v port add vm-dump vnet A subnet s2 mac 52:54:00:00:09:01 ip 10.100.2.4
	for sc in "subnet s1" "subnet s2" "port vm-dump"; do
		for d in in out; do
			for ((p = 1; p <= 150; p++)); do
				echo "acl add A $sc dir $d prio $p action deny proto tcp dport $p"
			done
		done
	done >"$WORK/acl"
	check "900 ACL rules in three scopes" v -b "$WORK/acl"
	printf '%s\n' "acl add A subnet s1 dir out prio 1000 action allow" \
		"acl add A port vm-dump dir in prio 1000 action allow" \
		"subnet add A s3 prefix 10.100.3.0/24" \
		"acl add A subnet s3 dir in prio 5 action allow" >"$WORK/more-acl"
	check "acl dump: deleting sent rules skips none and repeats none" \
		race acl A "$WORK/more-acl"
	check_output "and a dump after it has every rule" 873 \
		sh -c "vnetctl -n $CTL acl show A | wc -l"
}

# Routes: user routes of 40 subnets (by subnet, then prefix), and the
# effective routes of one subnet, whose system routes (here 120 peers')
# resume after the key of the last one sent as well.
routes()
{
	v vnet add R id 9100 prefix 10.160.0.0/16
	for ((i = 0; i < 40; i++)); do
		printf 'subnet add R s%02d prefix 10.160.%d.0/24\n' "$i" "$i"
		for ((j = 1; j <= 5; j++)); do
			printf 'route add R s%02d 172.%d.%d.0/24 nexthop none\n' \
				"$i" "$j" "$i"
		done
	done >"$WORK/routes"
	for ((i = 0; i < 120; i++)); do
		printf 'vnet add r%03d id %d prefix 10.170.%d.0/24\n' "$i" $((9200 + i)) "$i"
		printf 'peering add R p%03d remote r%03d\n' "$i" "$i"
	done >>"$WORK/routes"
	check "200 routes in 40 subnets, 120 peerings" v -b "$WORK/routes"
	# The first 10 routes sent are those of s00 and s01, which go too.
	printf '%s\n' "subnet del R s00" "subnet del R s01" \
		"route add R s39 192.168.1.0/24 nexthop none" >"$WORK/more-routes"
	check "route dump: deleting sent routes skips none and repeats none" \
		race route R "$WORK/more-routes"
	printf '%s\n' "vnet add r500 id 9700 prefix 10.171.0.0/24" \
		"peering add R q500 remote r500" >"$WORK/more-peers"
	check "effective route dump: deleting sent peers' routes, the same" \
		race effective R/s39 "$WORK/more-peers"
}

tests_run
done_testing
