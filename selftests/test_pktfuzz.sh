#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzing, a short fixed run (issue 13): selftests/pktfuzz.py sends
# 400 mutated frames of seed 27 from five ports and from the underlay into
# a topology of its own (four vnets, a peering and a half, ACLs, an
# appliance route, a gateway, load balancers, remote endpoints) and
# checks that each is counted once, that none reaches a namespace that
# policy forbids (counters and captures in every namespace), that what
# arrives obeys the rules and is well formed, that the frames that must
# drop did, and that the host's stack got nothing. Its TAP is this
# file's. "make check-pktfuzz" runs it with a random seed and more
# frames; VNET_PKTFUZZ_SEED and VNET_PKTFUZZ_COUNT (vm.sh passes VNET_*
# on) change this run. Seed 27's 400 frames hold every kind of frame, a
# frame cut at every offset among them.
dir=$(dirname "$(realpath "$0")")
exec /usr/bin/python3 "$dir/pktfuzz.py" \
	--seed "${VNET_PKTFUZZ_SEED:-27}" --count "${VNET_PKTFUZZ_COUNT:-400}"
