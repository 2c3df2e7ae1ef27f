#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage (in the VM): selftests/graph_check.sh [FILTER ...]
#
# Is what "vnetctl graph" prints valid DOT for every topology the
# selftests build? Runs each selftest (through run_all.sh; the FILTERs it
# takes, in the order given) with the vnetctl of graph_check/ first on
# PATH, which keeps each distinct graph drawn after a successful change;
# after each test, dot -Tsvg reads every graph it drew and a "# graph_check"
# line says how that went; at the end one TAP line per test and the tally.
# Not part of make check (it slows every change down); run it after
# changing graph.c:  selftests/vm.sh selftests/graph_check.sh
dir=$(dirname "$(realpath "$0")")
graphs=$(mktemp -d)

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in "$dir"/test_*.sh; do
		tests+=("$(basename "$t")")
	done
fi

suite=0 total=0 invalid=0 n=0 tap=
for t in "${tests[@]}"; do
	g=$graphs/$t
	mkdir -p "$g"
	chmod 1777 "$g"	# tests also run vnetctl as other users
	VNET_GRAPH_DIR=$g PATH=$dir/graph_check:$PATH \
		bash "$dir/run_all.sh" "$t" || suite=1
	count=0 bad=
	for f in "$g"/*.dot; do
		[ -e "$f" ] || continue
		count=$((count + 1))
		if ! err=$(dot -Tsvg -o /dev/null "$f" 2>&1) || [ -n "$err" ]; then
			bad+="after $(sed -n 2p "${f%.dot}.from"): $err"$'\n'
		fi
	done
	[ "$count" -gt 0 ] || continue
	total=$((total + count))
	n=$((n + 1))
	if [ -z "$bad" ]; then
		line="ok $n - $t: its $count distinct graphs are valid DOT"
	else
		invalid=$((invalid + $(grep -c '^after' <<<"$bad")))
		line="not ok $n - $t: dot refuses some of its $count graphs"
		line+=$'\n'$(printf '%s' "$bad" | head -n 20 | sed 's/^/# /')
	fi
	echo "# graph_check: $line" | head -n 1
	tap+=$line$'\n'
	echo "# graph_check: so far $total graphs, with peerings" \
		"$(grep -l -- '-> "vnet:' "$graphs"/*/*.dot 2>/dev/null | wc -l)," \
		"gateways $(grep -l '"gateway:' "$graphs"/*/*.dot 2>/dev/null | wc -l)," \
		"lbs $(grep -l '"lb:' "$graphs"/*/*.dot 2>/dev/null | wc -l)," \
		"user routes $(grep -l 'color=blue' "$graphs"/*/*.dot 2>/dev/null | wc -l)"
done
echo "# graph_check: dot -Tsvg on every graph the selftests drew"
printf '%s' "$tap"
echo "1..$n"
echo "# graph_check: $total distinct graphs, $invalid refused by dot"
[ "$suite" -eq 0 ] || echo "# graph_check: some selftests themselves failed"
rm -rf "$graphs"
[ "$invalid" -eq 0 ] && [ "$suite" -eq 0 ]
