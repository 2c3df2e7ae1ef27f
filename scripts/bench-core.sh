#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instructions per route lookup of the policy core, counted by callgrind
# (repeatable, unlike time) at several table sizes.
set -eu
cd "$(dirname "$0")/.."
lookups=100000
command -v valgrind >/dev/null || { echo "valgrind is missing" >&2; exit 1; }
make -s -C userspace bench >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# count BINARY FUNCTION WHAT [ARG]: instructions per call at three table
# sizes; ARG goes to the benchmark after the sizes.
count()
{
	printf '%-10s %s\n' "$3" "instructions/lookup"
	for n in 10 1000 100000; do
		valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
			--toggle-collect="$2" "$1" "$n" "$lookups" ${4:+"$4"} \
			>/dev/null 2>"$out/log"
		ir=$(sed -n 's/^summary: *//p' "$out/cg")
		printf '%-10s %s\n' "$n" "$((ir / lookups))"
	done
}

count userspace/bench/bench_lpm vnet_lpm_lookup routes
count userspace/bench/bench_lpm vnet_lpm_lookup "routes (dense)" dense
for n in 1000 100000; do
	userspace/bench/bench_lpm "$n" 0 | sed 's/^/lpm: /'
	userspace/bench/bench_lpm "$n" 0 dense | sed 's/^/lpm (dense): /'
done
count userspace/bench/bench_acl vnet_acl_lookup "acl rules"
count userspace/bench/bench_acl vnet_acl_lookup "acl (IPv6)" 6
# Compile time and memory of the largest set, outside valgrind.
userspace/bench/bench_acl 100000 0 | sed -n 's/^compile/acl 100000 rules: compile/p'

# The flow table's model (userspace/bench/bench_flow.c): per hit and per
# new connection, instructions and misses of a 32 KiB 8-way D1 and an
# 8 MiB 16-way last level (given, not the host's: a 2-core VM host
# reports odd ones), at three table sizes.
printf '%-10s %s\n' "flows" "hit: instr D1-miss LL-miss | open: instr D1-miss LL-miss"
for n in 10 1000 100000; do
	line=
	for fn in model_hit model_open; do
		valgrind --tool=callgrind --cache-sim=yes \
			--D1=32768,8,64 --LL=8388608,16,64 \
			--callgrind-out-file="$out/cg" --toggle-collect="$fn" \
			userspace/bench/bench_flow "$n" "$lookups" \
			>/dev/null 2>"$out/log"
		# events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw (trailing
		# zeros left out)
		read -r ir _ _ _ d1r d1w _ dlr dlw < <(sed -n 's/^summary: *//p' "$out/cg")
		calls=$lookups
		[ "$fn" = model_open ] && calls=$n
		line+=$(awk -v ir="$ir" -v d1="$((${d1r:-0} + ${d1w:-0}))" \
			-v ll="$((${dlr:-0} + ${dlw:-0}))" -v c="$calls" \
			'BEGIN { printf "%6d %5.2f %5.2f", ir / c, d1 / c, ll / c }')
		[ "$fn" = model_hit ] && line+=" |"
	done
	printf '%-10s %s\n' "$n" "$line"
done
