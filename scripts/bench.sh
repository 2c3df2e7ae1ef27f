#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the data path against Linux forwarding (iperf3) and the
# packet rates against plain forwarding, iptables-nft, nftables and Open
# vSwitch (pktgen, selftests/bench_flows.sh), each in one VM boot without
# slub_debug, then the policy core's instruction counts. The table of
# bench_flows.sh is printed and kept with its samples and plot in
# .build/bench/ (bench_flows.txt, bench_flows.tsv, bench_flows.png).
#
# BENCH_ROUNDS, BENCH_SECS, BENCH_SCALES, BENCH_LOAD_MAX, BENCH_SETUPS,
# BENCH_PARTS, BENCH_CHURN_SECS and BENCH_CHURN_CPUS go to bench_flows.sh
# (see its head); BENCH_ONLY=flows runs that part alone.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
out=.build/bench
mkdir -p "$out"
if [ "${BENCH_ONLY:-}" != flows ]; then
	selftests/vm.sh --no-slub-debug env ${BENCH_ROUNDS:+BENCH_ROUNDS=$BENCH_ROUNDS} \
		selftests/bench_datapath.sh
fi
# slub_nomerge: vnet_conn keeps a cache of its own in /proc/slabinfo (the
# memory per flow) instead of sharing one with other objects of its size.
# VM_TIMEOUT: the whole run is meant to take about 40 minutes.
vars=()
for v in $(compgen -v BENCH_); do vars+=("$v=${!v}"); done
VM_APPEND=slub_nomerge VM_OUT=$out VM_TIMEOUT=${VM_TIMEOUT:-3600} \
	selftests/vm.sh --no-slub-debug env "${vars[@]}" selftests/bench_flows.sh |
	tee "$out/bench_flows.txt"
# The plot is of the scale part's samples: none if BENCH_PARTS left it out.
if awk -F'\t' '$1 ~ /^[0-9]+ rules$/ { f = 1 } END { exit !f }' \
	"$out/bench_flows.tsv" 2>/dev/null; then
	scripts/bench_plot.sh "$out/bench_flows.tsv" "$out/bench_flows.png"
fi
if [ "${BENCH_ONLY:-}" != flows ]; then
	scripts/bench-core.sh
fi
echo "make bench: $((SECONDS - start)) s"
