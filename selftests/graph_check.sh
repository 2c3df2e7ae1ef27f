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
# namespace is deleted. A refusal that is by design (refused_by_design)
# is counted apart. Run it after changing config.c or what a kind's
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

# drop_peering FILE VNET NAME OUT: FILE without the side NAME of VNET.
drop_peering()
{
	jq --arg v "$2" --arg n "$3" \
		'.peerings |= map(select(.vnet != $v or .name != $n))' "$1" >"$4"
}

# refused_by_design FILE ERROR OUT: true when apply's refusal of FILE
# (ERROR, what it printed) is by design: FILE holds a state the kernel
# keeps but lets nobody build, as checked in FILE itself (a refusal of a
# file that could be built is a failure, whatever the message). Prints
# why, and writes FILE without the refused object to OUT.
refused_by_design()
{
	local re='refused: route add ([^ ]*) ([^ ]*) ([^ ]*) nexthop appliance ([^ ]*)'
	# A route is added only when its appliance is the address of a port
	# (or endpoint) of the vnet or of a connected peer, but stays when
	# that port or peering goes (it drops, appliance-unreachable).
	if [[ $2 =~ $re ]] && [[ $2 == *"is not the address of a port of vnet"* ]] &&
		jq -e --arg v "${BASH_REMATCH[1]}" --arg s "${BASH_REMATCH[2]}" \
		--arg p "${BASH_REMATCH[3]}" --arg a "${BASH_REMATCH[4]}" '
		. as $d
		| ([$v] + [.peerings[] | select(.vnet == $v) | .remote as $r
			| select(any($d.peerings[]; .vnet == $r and .remote == $v))
			| $r]) as $vs
		| any(.routes[]; .vnet == $v and .subnet == $s and .prefix == $p
			and .appliance == $a)
		  and ([(.ports + .endpoints)[] | select(.vnet as $x | $vs | index($x))
			| (.ips // [.ip])[]] | index($a) | not)' "$1" >/dev/null &&
		jq --arg v "${BASH_REMATCH[1]}" --arg s "${BASH_REMATCH[2]}" \
		--arg p "${BASH_REMATCH[3]}" '
		.routes |= map(select(.vnet != $v or .subnet != $s or .prefix != $p))' \
		"$1" >"$3"
	then
		echo "route ${BASH_REMATCH[3]} of subnet ${BASH_REMATCH[2]} of" \
			"vnet ${BASH_REMATCH[1]} via appliance ${BASH_REMATCH[4]}," \
			"an address no port of that vnet or of a peer on both sides" \
			"has (the kernel keeps such a route when the port or the" \
			"peering goes, dropping, but adds none)"
		return 0
	fi
	# A side stays when its remote vnet goes (orphaned, disconnected,
	# back when a vnet of that name comes), but is added only to a vnet
	# that exists.
	re='refused: peering add ([^ ]*) ([^ ]*) remote ([^ ]*) '
	if [[ $2 =~ $re ]] && jq -e --arg r "${BASH_REMATCH[3]}" \
		'any(.vnets[]; .name == $r) | not' "$1" >/dev/null &&
		drop_peering "$1" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$3"
	then
		echo "peering ${BASH_REMATCH[2]} of vnet ${BASH_REMATCH[1]} to" \
			"vnet ${BASH_REMATCH[3]}, which the file lacks (the kernel" \
			"keeps a side whose remote vnet goes, but adds none to a" \
			"vnet that does not exist)"
		return 0
	fi
	# A side whose other side is gone stays when a vnet's space changes
	# (rule 3 asks that only of the vnet's own sides), so it may come to
	# overlap, but a side is added only where nothing overlaps.
	re='refused: peering add ([^ ]*) ([^ ]*) remote ([^ ]*) '
	if [[ $2 =~ $re ]] && [[ $2 == *overlap* ]] &&
		/usr/bin/python3 - "$1" "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}" <<-'EOF'
		import ipaddress, json, sys
		d = json.load(open(sys.argv[1]))
		v, r = sys.argv[2], sys.argv[3]
		space = {x["name"]: [ipaddress.ip_network(p) for p in x["prefixes"]]
			 for x in d["vnets"]}
		sides = {(p["vnet"], p["remote"]) for p in d["peerings"]}
		overlap = lambda a, b: any(p.version == q.version and p.overlaps(q)
			for p in space.get(a, []) for q in space.get(b, []))
		one_sided = (r, v) not in sides
		clash = (overlap(v, r)
			 or any(overlap(r, x) for (y, x) in sides if y == v and x != r)
			 or any(overlap(v, x) for (y, x) in sides
				if y == r and x != v and (x, r) in sides))
		sys.exit(0 if one_sided and clash else 1)
		EOF
	then
		drop_peering "$1" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "$3"
		echo "peering ${BASH_REMATCH[2]} of vnet ${BASH_REMATCH[1]} to" \
			"vnet ${BASH_REMATCH[3]}, one-sided (its other side went)" \
			"and overlapping since (the kernel keeps such a side when" \
			"a space changes, but adds none that overlaps)"
		return 0
	fi
	# use-remote-gateways is set only while the remote side exists with
	# gateway-transit on and the remote vnet has a gateway; a side that
	# has it stays so when the remote side goes.
	re='refused: peering add ([^ ]*) ([^ ]*) remote ([^ ]*) .*use-remote-gateways on'
	if [[ $2 =~ $re ]] && jq -e --arg v "${BASH_REMATCH[1]}" \
		--arg r "${BASH_REMATCH[3]}" '
		([.peerings[] | select(.vnet == $r and .remote == $v
			and ."gateway-transit")] | length == 0)
		or (any(.gateways[]; .vnet == $r) | not)' "$1" >/dev/null &&
		jq --arg v "${BASH_REMATCH[1]}" --arg n "${BASH_REMATCH[2]}" '
		(.peerings[] | select(.vnet == $v and .name == $n)
			| ."use-remote-gateways") = false' "$1" >"$3"
	then
		echo "use-remote-gateways on peering ${BASH_REMATCH[2]} of vnet" \
			"${BASH_REMATCH[1]}, whose remote side with gateway-transit" \
			"or whose remote gateway the file lacks (the kernel keeps" \
			"the flag when the remote side goes, but sets it only" \
			"while all are there)"
		return 0
	fi
	return 1
}

config_total=0 config_same=0 config_sorted=0 config_refused=0
config_differ=0 config_design=0
check_config()
{
	local f want ns out err status why design tries sorted=0 designed=0 a b
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
		# A refusal by design: the file without what is refused, which
		# must come back as the rest does (apply undid its steps).
		want=$f design=
		for tries in 1 2 3 4 5 6 7 8 9; do
			err=$(vnetctl -n "$ns" apply "$want" 2>&1 >/dev/null)
			status=$?
			[ "$status" -ne 0 ] || break
			why=$(refused_by_design "$want" "$err" "$kept/want.$tries.json") ||
				break
			design+="${design:+; }$why"
			want=$kept/want.$tries.json
		done
		# What jq wrote is compared in jq's layout, in the same key order.
		a=$want b=$out
		if [ "$want" != "$f" ]; then
			config_design=$((config_design + 1))
			designed=$((designed + 1))
			note+="# by design: $(after "$f"): apply refuses $design"$'\n'
			jq . "$want" >"$kept/a.json"
			a=$kept/a.json b=$kept/b.json
		fi
		if [ "$status" -ne 0 ]; then
			config_refused=$((config_refused + 1))
			bad+="$(after "$f"): apply exits $status: $(head -c 600 <<<"$err" | tr '\n' ' ')"$'\n'
		elif ! vnetctl -n "$ns" export >"$out" 2>"$out.err" ||
			! jq . "$out" >"$kept/b.json"; then
			config_refused=$((config_refused + 1))
			bad+="$(after "$f"): export fails: $(head -c 300 "$out.err")"$'\n'
		elif cmp -s "$a" "$b"; then
			config_same=$((config_same + 1))
		elif cmp -s <(jq -S . "$a") <(jq -S . "$b"); then
			config_sorted=$((config_sorted + 1))
			sorted=$((sorted + 1))
		else
			config_differ=$((config_differ + 1))
			bad+="$(after "$f"): export differs (< the file, > the export):"
			bad+=" $(diff <(jq -S -c '.[] | .[]' "$a") <(jq -S -c '.[] | .[]' "$b") |
				grep '^[<>]' | head -n 6 | tr '\n' ' ')"$'\n'
		fi
		ip netns del "$ns"
	done
	config_total=$((config_total + count))
	ok_text="its $count distinct exports apply to a fresh namespace and export again identical"
	[ "$sorted" -eq 0 ] || ok_text+=" ($sorted only after jq -S: key order)"
	[ "$designed" -eq 0 ] ||
		ok_text+=" ($designed less a part apply refuses by design)"
	bad_text="some of its $count distinct exports do not come back from apply"
}
summary_config()
{
	echo "# config_check: so far $config_total exports: $config_same" \
		"identical, $config_sorted after jq -S, $config_differ differ," \
		"$config_refused refused by apply; $config_design with a part" \
		"refused by design"
}
tally_config()
{
	echo "# config_check: $config_total distinct exports applied to a fresh" \
		"namespace and exported again: $config_same identical byte for byte," \
		"$config_sorted identical after jq -S (key order), $config_differ" \
		"different, $config_refused refused; $config_design of them with a" \
		"part that apply refuses by design, compared without it"
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
