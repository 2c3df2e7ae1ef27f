# SPDX-License-Identifier: GPL-2.0
#
# awk -v n=N -f bench_rules.awk: the rule list of selftests/bench_flows.sh,
# one rule a line in priority order:
#   ACTION SRC DST SPORT_LO SPORT_HI DPORT_LO DPORT_HI
# (all UDP), rendered by that script for vnet, iptables, nftables and
# OpenFlow alike, so every setup enforces the same policy.
#
# The traffic: UDP from 10.1.1.4 port 4000 to 10.200.0.0/20 (4,096
# destinations) ports 5000 and 5001. N-3 fillers look like tenants'
# rules and overlap the traffic in some field but never match it as a
# whole, each unique and disjoint from the others (an nftables interval
# set refuses overlapping elements); the last three touch it: a deny
# that takes a quarter of the packets (upper half of the destinations,
# port 5001), then two allows whose port ranges split the flow space.
# The fillers come first so a linear walk (iptables) pays for all of
# them; a classifier should not care.
function filler(i,    k, j)
{
	k = int(i / 4)
	if (i % 4 == 0) {
		# Source and destination on the traffic, ports beside it.
		j = k % 4096
		printf "deny 10.1.1.0/24 10.200.%d.%d/32 0 65535 %d %d\n",
		       int(j / 256), j % 256, 6000 + int(k / 4096) * 10,
		       6009 + int(k / 4096) * 10
	} else if (i % 4 == 1) {
		# The traffic's destinations and ports, other sources.
		printf "deny 10.%d.%d.0/24 10.200.0.0/20 0 65535 5000 5001\n",
		       2 + k % 200, int(k / 200) % 256
	} else if (i % 4 == 2) {
		# The traffic's source, destinations elsewhere, any port.
		printf "allow 10.1.1.4/32 10.%d.%d.%d/32 0 65535 0 65535\n",
		       201 + int(k / 65536), int(k / 256) % 256, k % 256
	} else {
		# Neighbouring sources, the destinations' /24s, low source ports.
		printf "deny 10.1.%d.0/24 10.200.%d.0/24 1 1023 %d %d\n",
		       2 + k % 250, int(k / 250) % 16,
		       5000 + int(k / 4000) * 2, 5001 + int(k / 4000) * 2
	}
}
BEGIN {
	if (n < 3)
		n = 3
	for (i = 0; i < n - 3; i++)
		filler(i)
	print "deny 10.1.1.0/24 10.200.8.0/21 0 65535 5001 5001"
	print "allow 10.1.1.4/32 10.200.0.0/20 4000 4000 5000 5000"
	print "allow 10.1.0.0/16 10.200.0.0/16 0 65535 5001 5100"
}
