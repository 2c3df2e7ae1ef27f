#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage (in the VM): selftests/graph_check.sh [--graph] [--config] [FILTER ...]
#        selftests/config_check.sh [FILTER ...]  (graph_check.sh --config)
#
# Runs each selftest (through run_all.sh; the FILTERs it takes, in the
# order given) with the vnetctl of graph_check/ first on PATH, which keeps
# what the namespace looks like after each successful change, one file per
# distinct content; after each test, checks every file it kept, says how
# that went on a "# graph_check" (or "# config_check") line, and at the end
# prints one TAP line per test and check, and the tally. Not part of make
# check (it slows every change down).
#
# --graph (the default): is what "vnetctl graph" prints valid DOT for
# every topology the selftests build? dot -Tsvg reads each distinct graph.
# Run it after changing graph.c:  selftests/vm.sh selftests/graph_check.sh
#
# --config: does every configuration the selftests build survive export
# and apply? Each distinct "vnetctl export" is applied to a fresh network
# namespace (ports whose interfaces do not exist there are added absent,
# endpoints make their own tunnel), exported again and compared with the
# file, byte for byte, else after "jq -S" (key order; said so), and the
# namespace is deleted. No refusal is expected (export writes what
# deletions left in a form apply builds), nor a warning from the second
# export (what apply built needs no such rewriting). Run it after
# changing config.c or config_remnants.c or what a kind's
# "show -j" prints:  selftests/vm.sh selftests/config_check.sh
dir=$(dirname "$(realpath "$0")")
kept=$(mktemp -d)

modes=()
while [ $# -gt 0 ]; do
	case $1 in
	--graph) modes+=(graph) ;;
	--config) modes+=(config) ;;
	*) break ;;
	esac
	shift
done
[ ${#modes[@]} -gt 0 ] || modes=(graph)
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	for t in "$dir"/test_*.sh; do
		tests+=("$(basename "$t")")
	done
fi

# after FILE: "after vnetctl ARGS", the change FILE was taken after.
after()
{
	echo "after $(sed -n 2p "${1%.*}.from")"
}

# Each mode: the stand-in's variable for its folder; check_MODE FOLDER
# checks what the stand-in kept there (sets count, bad: one line per
# failure, note, ok_text and bad_text); summary_MODE after each test,
# tally_MODE at the end.
declare -A var=([graph]=VNET_GRAPH_DIR [config]=VNET_CONFIG_DIR)

graph_total=0 graph_bad=0
check_graph()
{
	local f err
	for f in "$1"/*.dot; do
		[ -e "$f" ] || continue
		count=$((count + 1))
		if ! err=$(dot -Tsvg -o /dev/null "$f" 2>&1) || [ -n "$err" ]; then
			bad+="$(after "$f"): $err"$'\n'
		fi
	done
	graph_total=$((graph_total + count))
	graph_bad=$((graph_bad + $(grep -c '^after' <<<"$bad")))
	ok_text="its $count distinct graphs are valid DOT"
	bad_text="dot refuses some of its $count graphs"
}
summary_graph()
{
	local g=$kept/graph
	echo "# graph_check: so far $graph_total graphs, with peerings" \
		"$(grep -l -- '-> "vnet:' "$g"/*/*.dot 2>/dev/null | wc -l)," \
		"gateways $(grep -l '"gateway:' "$g"/*/*.dot 2>/dev/null | wc -l)," \
		"lbs $(grep -l '"lb:' "$g"/*/*.dot 2>/dev/null | wc -l)," \
		"user routes $(grep -l 'color=blue' "$g"/*/*.dot 2>/dev/null | wc -l)"
}
tally_graph()
{
	echo "# graph_check: $graph_total distinct graphs, $graph_bad refused by dot"
}

config_total=0 config_same=0 config_sorted=0 config_refused=0
config_differ=0
check_config()
{
	local f ns out err status sorted=0
	ns=config-check-$$
	out=$kept/export.json
	for f in "$1"/*.json; do
		[ -e "$f" ] || continue
		count=$((count + 1))
		ip netns del "$ns" 2>/dev/null
		if ! err=$(ip netns add "$ns" 2>&1); then
			config_refused=$((config_refused + 1))
			bad+="$(after "$f"): ip netns add: $err"$'\n'
			continue
		fi
		err=$(vnetctl -n "$ns" apply "$f" 2>&1 >/dev/null)
		status=$?
		if [ "$status" -ne 0 ]; then
			config_refused=$((config_refused + 1))
			bad+="$(after "$f"): apply exits $status: $(head -c 600 <<<"$err" | tr '\n' ' ')"$'\n'
		elif ! vnetctl -n "$ns" export >"$out" 2>"$out.err"; then
			config_refused=$((config_refused + 1))
			bad+="$(after "$f"): export fails: $(head -c 300 "$out.err")"$'\n'
		elif [ -s "$out.err" ]; then
			# What apply built has nothing export must rewrite.
			config_differ=$((config_differ + 1))
			bad+="$(after "$f"): export of what apply built warns: $(head -c 300 "$out.err")"$'\n'
		elif cmp -s "$f" "$out"; then
			config_same=$((config_same + 1))
		elif cmp -s <(jq -S . "$f") <(jq -S . "$out"); then
			config_sorted=$((config_sorted + 1))
			sorted=$((sorted + 1))
		else
			config_differ=$((config_differ + 1))
			bad+="$(after "$f"): export differs (< the file, > the export):"
			bad+=" $(diff <(jq -S -c '.[] | .[]' "$f") <(jq -S -c '.[] | .[]' "$out") |
				grep '^[<>]' | head -n 6 | tr '\n' ' ')"$'\n'
		fi
		ip netns del "$ns"
	done
	config_total=$((config_total + count))
	ok_text="its $count distinct exports apply to a fresh namespace and export again identical"
	[ "$sorted" -eq 0 ] || ok_text+=" ($sorted only after jq -S: key order)"
	bad_text="some of its $count distinct exports do not come back from apply"
}
summary_config()
{
	echo "# config_check: so far $config_total exports: $config_same" \
		"identical, $config_sorted after jq -S, $config_differ differ," \
		"$config_refused refused by apply"
}
tally_config()
{
	echo "# config_check: $config_total distinct exports applied to a fresh" \
		"namespace and exported again: $config_same identical byte for byte," \
		"$config_sorted identical after jq -S (key order), $config_differ" \
		"different, $config_refused refused"
}

suite=0 failed=0 n=0 tap=
for t in "${tests[@]}"; do
	env=()
	for m in "${modes[@]}"; do
		mkdir -p "$kept/$m/$t"
		chmod 1777 "$kept/$m/$t"	# tests also run vnetctl as other users
		env+=("${var[$m]}=$kept/$m/$t")
	done
	env "${env[@]}" PATH="$dir/graph_check:$PATH" \
		bash "$dir/run_all.sh" "$t" || suite=1
	for m in "${modes[@]}"; do
		count=0 bad='' note=''
		"check_$m" "$kept/$m/$t"
		[ "$count" -gt 0 ] || continue
		n=$((n + 1))
		if [ -z "$bad" ]; then
			line="ok $n - $t: $ok_text"
		else
			failed=$((failed + $(grep -c '^after' <<<"$bad")))
			line="not ok $n - $t: $bad_text"
			line+=$'\n'$(printf '%s' "$bad" | head -n 20 | sed 's/^/# /')
		fi
		[ -z "$note" ] || line+=$'\n'${note%$'\n'}
		# All of it now too (a run cut short still says what failed).
		echo "# ${m}_check: $line"
		tap+=$line$'\n'
		"summary_$m"
	done
done
for m in "${modes[@]}"; do
	case $m in
	graph) echo "# graph_check: dot -Tsvg on every graph the selftests drew" ;;
	config) echo "# config_check: every export the selftests made, applied to a fresh namespace" ;;
	esac
done
printf '%s' "$tap"
echo "1..$n"
for m in "${modes[@]}"; do
	"tally_$m"
done
[ "$suite" -eq 0 ] || echo "# ${modes[0]}_check: some selftests themselves failed"
rm -rf "$kept"
[ "$failed" -eq 0 ] && [ "$suite" -eq 0 ]
