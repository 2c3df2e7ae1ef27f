#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instructions per route lookup of the policy core, counted by callgrind
# (repeatable, unlike time) at several table sizes.
set -eu
cd "$(dirname "$0")/.."
bin=userspace/bench/bench_lpm
lookups=100000
command -v valgrind >/dev/null || { echo "valgrind is missing" >&2; exit 1; }
make -s -C userspace bench >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-10s %s\n' routes "instructions/lookup"
for routes in 10 1000 100000; do
	valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
		--toggle-collect=vnet_lpm_lookup "$bin" "$routes" "$lookups" \
		>/dev/null 2>"$out/log"
	ir=$(sed -n 's/^summary: *//p' "$out/cg")
	printf '%-10s %s\n' "$routes" "$((ir / lookups))"
done
