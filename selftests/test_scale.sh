#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: 10,000 vnets (one prefix each) and 10,000 peerings loaded with
# vnetctl -b, dumped and deleted. Times and memory are reported as TAP
# comments, never asserted (benchmarks are not tests).
#
# One function per case, each deleting what it loaded: TESTS=acl_rules
# (VNET_TESTS through vm.sh) runs one alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	vnets_peerings
	acl_rules
"

# 10,000 vnets and 10,000 peerings loaded with -b, dumped and deleted.
N=${VNET_SCALE:-10000}
dir=$(mktemp -d)

for ((i = 0; i < N; i++)); do
	echo "vnet add v$i id $((i + 1)) prefix 10.$((i / 256)).$((i % 256)).0/24"
done >"$dir/vnets"
for ((i = 0; i < N; i += 2)); do
	echo "peering add v$i p$i remote v$((i + 1))"
	echo "peering add v$((i + 1)) p$((i + 1)) remote v$i"
done >"$dir/peerings"
sed -n 's/^peering add \(v[0-9]*\) \(p[0-9]*\) .*/peering del \1 \2/p' "$dir/peerings" >"$dir/peerings-del"
sed -n 's/^vnet add \(v[0-9]*\) .*/vnet del \1/p' "$dir/vnets" >"$dir/vnets-del"

now_ms() { date +%s%3N; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# phase DESC CMD...: runs CMD, reports its wall time as a TAP comment.
phase()
{
	local desc=$1 t0 t1
	shift
	t0=$(now_ms)
	check "$desc" "$@"
	t1=$(now_ms)
	echo "# time: $desc: $((t1 - t0)) ms"
}

vnets_peerings()
{
	local slab0 vm0 slab1 vm1 slab2 vm2 t0
	slab0=$(meminfo Slab); vm0=$(meminfo VmallocUsed)
	phase "load $N vnets with -b" v -b "$dir/vnets"
	slab1=$(meminfo Slab); vm1=$(meminfo VmallocUsed)
	phase "load $N peerings with -b" v -b "$dir/peerings"
	slab2=$(meminfo Slab); vm2=$(meminfo VmallocUsed)
	echo "# memory per vnet: $(( (slab1 - slab0 + vm1 - vm0) * 1024 / N )) bytes (slab and vmalloc)"
	echo "# memory per peering: $(( (slab2 - slab1 + vm2 - vm1) * 1024 / N )) bytes (slab and vmalloc)"

	t0=$(now_ms)
	v -j vnet show >"$dir/vnet.json"
	echo "# time: dump $N vnets: $(( $(now_ms) - t0 )) ms"
	check_output "vnet show returns all $N vnets" "$N" \
		sh -c "grep -o '\"name\"' $dir/vnet.json | wc -l"
	t0=$(now_ms)
	v peering show >"$dir/peering.txt"
	echo "# time: dump $N peerings: $(( $(now_ms) - t0 )) ms"
	check_output "peering show returns all $N peerings, connected" "$N" \
		sh -c "grep -c ' state connected ' $dir/peering.txt"
	check "peering show is sorted by vnet" \
		sh -c "cut -d' ' -f1 $dir/peering.txt | LC_ALL=C sort -c"
	check_output "every vnet appears once in peering show" "$N" \
		sh -c "cut -d' ' -f1 $dir/peering.txt | sort -u | wc -l"

	phase "delete $N peerings with -b" v -b "$dir/peerings-del"
	phase "delete $N vnets with -b" v -b "$dir/vnets-del"
	check_output "nothing is left" "[]" v -j vnet show
}

# 100,000 ACL rules in one scope (priorities are per direction, 1..65535),
# loaded with -b: deferred and compiled once at the end of the batch.
acl_rules()
{
	local i d p t0
	v vnet add acl id 1 prefix 10.0.0.0/8
	v subnet add acl s prefix 10.1.0.0/16
	for ((i = 1; i <= 100000; i++)); do
		if ((i <= 65535)); then d=in; p=$i; else d=out; p=$((i - 65535)); fi
		echo "acl add acl subnet s dir $d prio $p action deny proto tcp src 10.$((i % 200)).$((i / 200 % 256)).0/24 dport $((1000 + i % 5000))"
	done >"$dir/acl"
	phase "load 100000 ACL rules in one scope with -b" v -b "$dir/acl"
	phase "add one rule to 100000" v acl add acl subnet s dir out prio 65000 action allow
	t0=$(now_ms)
	check_output "acl show returns all 100001 rules" 100001 sh -c "vnetctl -n $CTL acl show acl | wc -l"
	echo "# time: dump 100001 rules: $(( $(now_ms) - t0 )) ms"
	phase "delete the subnet and its 100001 rules" v subnet del acl s
	v vnet del acl
}

tests_run
rm -rf "$dir"
done_testing
