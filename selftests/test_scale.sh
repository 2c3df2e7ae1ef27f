#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scale: 10,000 vnets (one prefix each) and 10,000 peerings loaded with
# vnetctl -b, dumped and deleted; 100,000 ACL rules; 100,008 connections
# of one port (VNET_FLOWS: 500,008 in make check-capacity), then each of
# them delivered again by the flow table. Times and memory are reported
# as TAP comments, never asserted (benchmarks are not tests).
#
# One function per case, each deleting what it loaded: TESTS=acl_rules
# (VNET_TESTS through vm.sh) runs one alone.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	vnets_peerings
	acl_rules
	flows
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

# pktgen COUNT: COUNT (8 times an odd number S) 60-byte UDP datagrams
# from c1 (10.1.1.4) to d1 (10.1.1.5), fresh skbs, source ports 1024 to
# 1024 + S - 1 and destination ports 5000..5007 stepping together: COUNT
# distinct 5-tuples in a row (S is odd, so a pair comes back only after 8
# times S datagrams).
pktgen()
{
	local pg=/proc/net/pktgen s=$(($1 / 8))
	vm c1 sh -e -c "
		echo rem_device_all > $pg/kpktgend_0
		echo add_device eth0 > $pg/kpktgend_0
		for c in 'count $1' 'clone_skb 0' 'pkt_size 60' 'delay 0' \
			'dst 10.1.1.5' 'dst_mac $ROUTER_MAC' \
			'src_min 10.1.1.4' 'src_max 10.1.1.4' \
			'udp_src_min 1024' 'udp_src_max $((1024 + s))' \
			'udp_dst_min 5000' 'udp_dst_max 5008'; do
			echo \"\$c\" > $pg/eth0
		done
		echo start > $pg/pgctrl" ||
		{ vm c1 cat $pg/eth0 >&2; return 1; }
}

# fc DEV: DEV's flow-hits, flow-misses, flow-recomputes, connections,
# tx-packets, tx-error drops and flow-insert-failed, one line (one
# vnetctl).
fc()
{
	counters "$1" flow-hits flow-misses flow-recomputes connections \
		tx-packets tx-error flow-insert-failed
}

# VNET_FLOWS connections from one port, with the shares raised for them
# as an operator would for 500,000 (Documentation/vnet.rst, Limits), then
# the same datagrams again: each one a hit of the flow table. pktgen
# outruns the receiving softirq under emulation, and a veth's backlog
# holds netdev_max_backlog packets (1000): it is raised to hold them all,
# and what reached the module is still decided from its counters.
flows()
{
	local P=/sys/module/vnet/parameters n=${VNET_FLOWS:-100008} old t0 t1
	local objs snap0 max vnet port udp icmp backlog lost
	local -a c0 c1 d0 d1
	if ((n % 8 || n / 8 % 2 == 0 || n > 500008)); then
		fail "VNET_FLOWS=$n" "8 times an odd number, at most 500008"
		return
	fi
	old="$(cat $P/ct_max) $(cat $P/ct_max_per_vnet) $(cat $P/ct_max_per_port)"
	old+=" $(cat $P/ct_timeout_udp) $(cat $P/ct_timeout_icmp)"
	backlog=$(sysctl -n net.core.netdev_max_backlog)
	sysctl -qw net.core.netdev_max_backlog="$n"
	echo 4194304 >$P/ct_max
	echo 1048576 >$P/ct_max_per_vnet
	# 500008 and the echo of "reach" below (it lives as long as the
	# flows: ct_timeout_icmp): the spray's last datagram would find the
	# share full.
	echo 500016 >$P/ct_max_per_port
	# Unanswered UDP lives 30 s, echoes too: less than the spray takes
	# under emulation, and the counts compare before and after.
	echo 600 >$P/ct_timeout_udp
	echo 600 >$P/ct_timeout_icmp
	modprobe pktgen
	v vnet add F id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
	v subnet add F s prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
	add_vm c1 F s 10.1.1.4 fd00:1:0:1::4 52:54:00:00:01:04
	add_vm d1 F s 10.1.1.5 fd00:1:0:1::5 52:54:00:00:01:05
	# d1 takes them silently: no port unreachable for each.
	vm d1 nft add table ip f '{ chain i { type filter hook input priority 0; udp dport 5000-5007 drop; }; }'
	check "c1 reaches d1" reach c1 10.1.1.5
	# Every address's MAC is the router's (arp_nd.c answers for all).
	ROUTER_MAC=$(vm c1 ip neigh show 10.1.1.5 | awk '{ print $5 }')

	snap0=$(meminfo Slab)
	read -ra c0 <<<"$(fc vm-c1)"
	t0=$(now_ms)
	check "pktgen sends $n datagrams of distinct 5-tuples" pktgen $n
	t1=$(now_ms)
	read -ra c1 <<<"$(fc vm-c1)"
	echo "# $((c1[1] - c0[1])) of $n reached the module:" \
		"$(( (c1[1] - c0[1]) * 1000 / (t1 - t0 + 1) )) new connections" \
		"per second (pktgen's time, $((t1 - t0)) ms)"
	check_output "all reach the module, each a miss" $n \
		echo $((c1[1] - c0[1]))
	# An insert can fail while the table grows (rhashtable, GFP_ATOMIC):
	# that datagram passes without its entry. Counted, and bounded.
	lost=$(( (c1[1] - c0[1]) - (c1[3] - c0[3]) ))
	echo "# entries lost while the table grew: $lost"
	check_output "each lost entry counted as flow-insert-failed" "$lost" \
		echo $((c1[6] - c0[6]))
	check "each one opened a connection (but for 1 in 10,000 at most)" \
		test "$lost" -ge 0 -a "$lost" -le $((n / 10000))
	objs=$(awk '$1 == "vnet_conn" { print $2 " objects of " $4 " bytes" }' \
		/proc/slabinfo 2>/dev/null)
	echo "# vnet_conn: ${objs:-merged with another cache};" \
		"$(( ($(meminfo Slab) - snap0) * 1024 / n )) bytes of slab" \
		"per connection, the tables' buckets included"

	read -ra d0 <<<"$(fc vm-d1)"
	t0=$(now_ms)
	check "the same datagrams again" pktgen $n
	t1=$(now_ms)
	read -ra c0 <<<"$(fc vm-c1)"
	read -ra d1 <<<"$(fc vm-d1)"
	echo "# $((c0[0] - c1[0])) hits: $((t1 - t0)) ms"
	check_output "all reach the module again, each a hit (but the lost)" \
		$((n - lost)) echo $((c0[0] - c1[0]))
	check_output "a miss for each lost entry, no other, no recomputation" \
		"$lost" echo $((c0[1] + c0[2] - c1[1] - c1[2]))
	# d1's backlog may overflow too: its veth refuses, counted on d1.
	echo "# d1: $((d1[4] - d0[4])) delivered, $((d1[5] - d0[5])) refused"
	check "each hit delivered to d1 (or refused by its veth)" \
		test $((d1[4] - d0[4] + d1[5] - d0[5])) -ge $((c0[0] - c1[0]))

	v port del vm-d1
	check "d1's port gone, c1's connections go with it" \
		retry 150 eval '[ "$(counter vm-c1 connections)" -lt 10 ]'
	v vnet del F
	# Lower the shares before ct_max: the order must hold at each step.
	read -r max vnet port udp icmp <<<"$old"
	echo "$udp" >$P/ct_timeout_udp
	echo "$icmp" >$P/ct_timeout_icmp
	echo "$port" >$P/ct_max_per_port
	echo "$vnet" >$P/ct_max_per_vnet
	echo "$max" >$P/ct_max
	sysctl -qw net.core.netdev_max_backlog="$backlog"
}

tests_run
rm -rf "$dir"
done_testing
