#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage (in the VM): selftests/graph_check.sh [FILTER ...]
#
# Is what "vnetctl graph" prints valid DOT for every topology the
# selftests build? Runs them (run_all.sh, same FILTERs) with the vnetctl of
# graph_check/ first on PATH, which keeps each distinct graph drawn after a
# successful change, then hands every graph to dot -Tsvg: one TAP line per
# test that drew graphs, and the tally. Not part of make check (it slows
# every change down); run it after changing graph.c:
#   selftests/vm.sh selftests/graph_check.sh
dir=$(dirname "$(realpath "$0")")
graphs=$(mktemp -d)
chmod 1777 "$graphs"	# tests also run vnetctl as other users

suite=0
VNET_GRAPH_DIR=$graphs PATH=$dir/graph_check:$PATH \
	bash "$dir/run_all.sh" "$@" || suite=$?

echo "# graph_check: dot -Tsvg on every graph the selftests drew"
declare -A bad=() count=()
total=0 invalid=0
for f in "$graphs"/*.dot; do
	[ -e "$f" ] || continue
	from=$(head -n 1 "${f%.dot}.from" 2>/dev/null)
	t=$(grep -o 'test_[a-z_]*\.sh' <<<"$from" | head -n 1)
	t=${t:-unknown}
	count[$t]=$((${count[$t]:-0} + 1))
	total=$((total + 1))
	if ! err=$(dot -Tsvg -o /dev/null "$f" 2>&1) || [ -n "$err" ]; then
		invalid=$((invalid + 1))
		bad[$t]+="after $(sed -n 2p "${f%.dot}.from"): $err"$'\n'
	fi
done
n=0
for t in $(printf '%s\n' "${!count[@]}" | sort); do
	n=$((n + 1))
	if [ -z "${bad[$t]:-}" ]; then
		echo "ok $n - $t: its ${count[$t]} distinct graphs are valid DOT"
	else
		echo "not ok $n - $t: a graph dot refuses"
		printf '%s' "${bad[$t]}" | head -n 20 | sed 's/^/# /'
	fi
done
echo "1..$n"
echo "# graph_check: $total distinct graphs, $invalid refused by dot;" \
	"with peerings: $(grep -l -- '-> "vnet:' "$graphs"/*.dot 2>/dev/null | wc -l)," \
	"gateways: $(grep -l '"gateway:' "$graphs"/*.dot 2>/dev/null | wc -l)," \
	"lbs: $(grep -l '"lb:' "$graphs"/*.dot 2>/dev/null | wc -l)"
[ "$suite" -eq 0 ] || echo "# graph_check: the selftests themselves failed (status $suite)"
rm -rf "$graphs"
[ "$invalid" -eq 0 ] && [ "$suite" -eq 0 ]
