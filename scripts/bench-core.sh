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
