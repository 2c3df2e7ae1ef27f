#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/bench_plot.sh TSV PNG
#
# The plot of Documentation/performance.md: packets per second (median of
# the rounds) against the number of rules, one line per setup, from the
# samples selftests/bench_flows.sh writes (SCENARIO SETUP ROUND HANDLED
# DELIVERED, tab-separated; the scale runs are the scenarios "N rules").
set -euo pipefail
tsv=$1 png=$2
command -v gnuplot >/dev/null || { echo "bench_plot: gnuplot is missing (scripts/deps.sh bench)" >&2; exit 1; }
dat=$(mktemp -d)
trap 'rm -rf "$dat"' EXIT
# One file per setup: "RULES MEDIAN", rule counts in order.
awk -F'\t' '$1 ~ /^[0-9]+ rules$/ { split($1, a, " "); print $2, a[1], $4 }' "$tsv" |
	sort -k1,1 -k2,2n -k3,3n |
	awk -v d="$dat" '
	function flush() { if (n) { m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		print r, m >> (d "/" s ".dat") } n = 0 }
	$1 != s || $2 != r { flush(); s = $1; r = $2 }
	{ v[++n] = $3 }
	END { flush() }'
plots=()
for f in "$dat"/*.dat; do
	[ -e "$f" ] || { echo "bench_plot: no scale samples in $tsv" >&2; exit 1; }
	s=$(basename "$f" .dat)
	case $s in
	plain) t="plain Linux forwarding" ;;
	ipt) t="iptables-nft (FORWARD)" ;;
	nft) t="nftables (concatenated interval sets)" ;;
	ovs) t="Open vSwitch kernel datapath" ;;
	vnet) t="vnet.ko" ;;
	drop) t="dropped at the ingress hook (the sender alone)" ;;
	*) t=$s ;;
	esac
	plots+=("'$f' using 1:2 with linespoints title '$t'")
done
gnuplot <<-EOF
set terminal pngcairo size 900,640 noenhanced
set output '$png'
set title 'Packets per second against rule count (pktgen, 64-byte UDP, QEMU TCG; medians)'
set logscale x
set xrange [5:200000]
set logscale y
set xlabel 'rules'
set ylabel 'packets per second handled by the forwarder'
set key below
set grid
plot $(IFS=,; echo "${plots[*]}")
EOF
echo "bench_plot: $png"
