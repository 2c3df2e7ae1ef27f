#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packets per second through vnet.ko and through its peers, in one VM
# boot, with pktgen as the sender: fresh skbs (clone_skb 0) handed straight
# to a VM namespace's eth0 (a veth), so the sender's cost is small and
# the same for every setup. Each setup is three namespaces:
#
#   sender (pktgen, eth0 10.1.1.4) -- forwarder -- sink (eth0 10.1.2.4)
#
# and the traffic is UDP from 10.1.1.4:4000 to 10.200.0.0/20 (4,096
# destinations, behind the sink as a gateway's prefix or a route)
# ports 5000-5001. The sink drops everything at its ingress hook.
# Setups (forwarder):
#   plain   Linux IP forwarding (a router namespace, ip_forward=1)
#   ipt     the same with iptables-nft rules in FORWARD (stateful first)
#   nft     the same with nftables: a concatenated interval set
#   ovs     Open vSwitch's kernel datapath with the rules as OpenFlow
#   vnet    vnet.ko: the sender a port, the sink the gateway port
#   drop    the traffic dropped at the forwarder's ingress hook (an
#           nftables netdev rule): what the sender and the veth cost,
#           so time per packet minus this is the forwarder's own cost
# Rounds are interleaved (one measurement of each setup per round), so
# drift of the shared machine hits every setup alike. Prints medians,
# ranges and ratios against plain forwarding, and writes the samples to
# $VNET_OUT/bench_flows.tsv when VNET_OUT is set (the plot).
# A benchmark, not a test: nothing here is asserted.
#
# Environment: BENCH_ROUNDS (7), BENCH_SECS (seconds per sample, 2),
# BENCH_SCALES (rule counts, "10 1000 10000 100000"), BENCH_LOAD_MAX (the
# seconds a peer gets to load a rule set, 240), BENCH_SETUPS (the setups,
# all by default), BENCH_PARTS (which parts run, in this order: "scale
# churn flows ipv6 vnets peering new100k"), BENCH_CHURN_SECS (10: seconds
# before and during the churn), BENCH_CHURN_CPUS ("free any burn free any
# burn": a churn run for each, see churn()), BENCH_DEBUG (counters after
# each run), BENCH_PROFILE (a perf profile of the sender's CPU with
# vnet, after the new100k part: all-new flows, then established ones),
# BENCH_BUDGET (seconds for the whole, 2400: a rule load gets at most an
# eighth of what is left, and a run or part that would not fit in what
# is left is left out, saying so).
set -u
ROUNDS=${BENCH_ROUNDS:-7}
SECS=${BENCH_SECS:-2}
SCALES=${BENCH_SCALES:-10 1000 10000 100000}
LOADMAX=${BENCH_LOAD_MAX:-240}
BUDGET=${BENCH_BUDGET:-2400}
PARTS=${BENCH_PARTS:-scale churn flows ipv6 vnets peering new100k}
SETUPS=(${BENCH_SETUPS:-plain ipt nft ovs vnet drop})
HERE=$(cd "$(dirname "$0")" && pwd)
START=$SECONDS
WORK=$(mktemp -d)
OUT=${VNET_OUT:-$WORK}
TSV=$OUT/bench_flows.tsv
: >"$TSV"

modprobe -q veth
modprobe -q pktgen || { echo "bench_flows: no pktgen module" >&2; exit 1; }
NSS=()
PIDS=()
cleanup()
{
	local p n
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -z "${OVS_RUN:-}" ] || ovs_stop
	for n in "${NSS[@]}"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT
has() { [[ " ${SETUPS[*]} " == *" $1 "* ]]; }
part() { [[ " $PARTS " == *" $1 "* ]]; }
say() { printf '# [%4ds] %s\n' $((SECONDS - START)) "$*"; }
left() { echo $((BUDGET - (SECONDS - START))); }
# fits SECONDS WHAT: is there that much of the budget left? Else says
# WHAT is left out.
fits()
{
	[ "$(left)" -ge "$1" ] && return
	say "$2: left out, it needs about $1 s and $(left) s of the budget are left"
	return 1
}

newns()
{
	ip netns add "$1" && ip -n "$1" link set lo up
	NSS+=("$1")
	# A process that stays in the namespace: its /proc/PID/net/dev gives
	# the namespace's counters without a fork while traffic runs.
	ip netns exec "$1" sleep infinity &
	PIDS+=($!)
	NSPID[$1]=$!
}
declare -A NSPID SENDER IN OUT_ DMAC SMAC

# vm NS FWDNS FWDDEV MAC: a "VM" NS whose eth0 is the peer of FWDDEV in
# FWDNS, with GRO and the like off so a packet stays a packet.
vm()
{
	ip -n "$2" link add "$3" type veth peer name eth0 netns "$1"
	ip -n "$1" link set eth0 address "$4" up
	ip -n "$2" link set "$3" up
	ip netns exec "$1" ethtool -K eth0 gro off gso off tso off >/dev/null 2>&1
	ip netns exec "$2" ethtool -K "$3" gro off gso off tso off >/dev/null 2>&1
}

# sink NS: drop everything at eth0's ingress (counted by the veth first).
sink()
{
	ip netns exec "$1" nft -f - <<-EOF
	table netdev sink {
		chain in { type filter hook ingress device eth0 priority 0; policy drop; }
	}
	EOF
}

# router SETUP: sender, router and sink namespaces of a Linux setup; the
# 4,096 destinations are routed to the sink, whose MAC is a permanent
# neighbour (the sink answers nothing).
router()
{
	local s=$1 r=$1-r
	newns "$s-s"; newns "$r"; newns "$s-k"
	vm "$s-s" "$r" fwd-in 52:54:00:00:01:04
	vm "$s-k" "$r" fwd-out 52:54:00:00:02:04
	ip -n "$r" addr add 10.1.1.1/24 dev fwd-in
	ip -n "$r" addr add 10.1.2.1/24 dev fwd-out
	ip -n "$r" addr add fd00:1:0:1::1/64 dev fwd-in nodad
	ip -n "$r" addr add fd00:1:0:2::1/64 dev fwd-out nodad
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$r" neigh add 10.1.2.4 lladdr 52:54:00:00:02:04 dev fwd-out nud permanent
	ip -n "$r" neigh add fd00:1:0:2::4 lladdr 52:54:00:00:02:04 dev fwd-out nud permanent
	ip -n "$r" route add 10.200.0.0/16 via 10.1.2.4
	ip -n "$r" route add fd00:200::/32 via fd00:1:0:2::4
	sink "$s-k"
	SENDER[$s]=$s-s IN[$s]="$r fwd-in" OUT_[$s]="$s-k eth0"
	ip -n "$r" link set fwd-in address 52:54:00:00:01:01
	DMAC[$s]=52:54:00:00:01:01
}

# The OVS setup: the bridge in the root namespace (ovs-vswitchd's), the
# daemons on the VM's tmpfs; OpenFlow does the routing (rewrite the MACs,
# out to the sink) under the policy's rules.
OVS_DIR=$WORK/ovs
ovsctl() { ovs-vsctl --db="unix:$OVS_DIR/db.sock" "$@"; }
ovs_start()
{
	mkdir -p "$OVS_DIR"
	export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR OVS_SYSCONFDIR=$OVS_DIR
	modprobe -q openvswitch || return 1
	ovsdb-tool create "$OVS_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" \
		--pidfile="$OVS_DIR/ovsdb-server.pid" --log-file="$OVS_DIR/ovsdb-server.log" -vconsole:off \
		--detach || return 1
	OVS_RUN=1
	ovsctl --no-wait init
	ovs-vswitchd "unix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovs-vswitchd.pid" \
		--log-file="$OVS_DIR/ovs-vswitchd.log" -vconsole:off --detach || return 1
}
ovs_stop()
{
	local p
	for p in ovs-vswitchd ovsdb-server; do
		[ -f "$OVS_DIR/$p.pid" ] && kill "$(cat "$OVS_DIR/$p.pid")" 2>/dev/null
	done
	OVS_RUN=
}
ovs_setup()
{
	ovs_start || { echo "# ovs: the daemons did not start" >&2; return 1; }
	newns ovs-s; newns ovs-k
	NSPID[ovs]=$$
	ip link add ovs-in type veth peer name eth0 netns ovs-s
	ip link add ovs-out type veth peer name eth0 netns ovs-k
	ip -n ovs-s link set eth0 address 52:54:00:00:01:04 up
	ip -n ovs-k link set eth0 address 52:54:00:00:02:04 up
	local d
	for d in ovs-in ovs-out; do
		ip link set "$d" up
		ethtool -K "$d" gro off gso off tso off >/dev/null 2>&1
	done
	ip netns exec ovs-s ethtool -K eth0 gro off gso off tso off >/dev/null 2>&1
	ip netns exec ovs-k ethtool -K eth0 gro off gso off tso off >/dev/null 2>&1
	ovsctl add-br br-b -- set bridge br-b fail-mode=secure
	ovsctl add-port br-b ovs-in -- set interface ovs-in ofport_request=1
	ovsctl add-port br-b ovs-out -- set interface ovs-out ofport_request=2
	sink ovs-k
	SENDER[ovs]=ovs-s IN[ovs]="ovs ovs-in" OUT_[ovs]="ovs-k eth0"
	# The router MAC of the OpenFlow "router": any fixed MAC will do.
	DMAC[ovs]=02:00:00:00:00:fe
}

# The vnet setup: vnet A with the sender's subnet s1 and the sink's s2;
# the sink is A's gateway for 10.200.0.0/16 (and fd00:200::/32).
vnet_setup()
{
	newns vh; newns vnet-s; newns vnet-k
	vm vnet-s vh vs-src 52:54:00:00:01:04
	vm vnet-k vh vs-gw 52:54:00:00:02:04
	vnetctl -n vh -b - <<-EOF
	vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
	subnet add A s1 prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
	subnet add A s2 prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
	port add vs-src vnet A subnet s1 mac 52:54:00:00:01:04 ip 10.1.1.4 ip fd00:1:0:1::4
	port add vs-gw vnet A subnet s2 mac 52:54:00:00:02:04 ip 10.1.2.4 ip fd00:1:0:2::4 forwarding on
	gateway set A port vs-gw prefix 10.200.0.0/16 prefix fd00:200::/32
	EOF
	sink vnet-k
	SENDER[vnet]=vnet-s IN[vnet]="vh vs-src" OUT_[vnet]="vnet-k eth0"
	DMAC[vnet]=$(vnetctl -n vh -j vnet show A | jq -r '.[0]["router-mac"]')
}

drop_setup()
{
	newns drop-s; newns drop-r
	vm drop-s drop-r fwd-in 52:54:00:00:01:04
	ip netns exec drop-r nft -f - <<-EOF
	table netdev cost {
		chain in { type filter hook ingress device fwd-in priority 0; policy drop; }
	}
	EOF
	SENDER[drop]=drop-s IN[drop]="drop-r fwd-in" OUT_[drop]=
	DMAC[drop]=02:00:00:00:00:fe
}

# pg NS LINE...: write pktgen commands for eth0 of NS.
pg()
{
	local ns=$1; shift
	ip netns exec "$ns" bash -c 'for l in "$@"; do echo "$l" >/proc/net/pktgen/eth0 ||
		echo "bench_flows: pktgen refused: $l" >&2; done' - "$@"
}
pg_setup() # SETUP
{
	local ns=${SENDER[$1]}
	ip netns exec "$ns" bash -c 'echo rem_device_all >/proc/net/pktgen/kpktgend_0
		echo add_device eth0 >/proc/net/pktgen/kpktgend_0'
	pg "$ns" "count 0" "clone_skb 0" "pkt_size 60" "delay 0" \
		"dst_mac ${DMAC[$1]}" "flag NO_TIMESTAMP"
	traffic "$1" v4 est
}
# traffic SETUP v4|v6 est|new|flows1k: the packets' addresses and ports.
#   est     4,096 destinations x 2 ports: 8,192 flows, established after
#           the warm-up (the scale runs)
#   flows1k pktgen's 1,000 flows (each keeps one random destination of
#           the 4,096), port 5000: at most 1,000 established flows
#   new     random source port 1024-65534 too: almost every packet is
#           the first of its flow (about 528 million tuples)
traffic()
{
	local ns=${SENDER[$1]} a=()
	if [ "$2" = v4 ]; then
		a+=("flag !IPV6" "src_min 10.1.1.4" "src_max 10.1.1.4"
		    "dst_min 10.200.0.0" "dst_max 10.200.16.0" "flag IPDST_RND")
	else
		# IPv6: pktgen takes (random | dst6_min) & dst6_max.
		a+=("flag IPV6" "src6 fd00:1:0:1::4" "dst6_min fd00:200::"
		    "dst6_max fd00:200::fff")
	fi
	case $3 in
	est) a+=("flows 0" "flag !UDPSRC_RND" "udp_src_min 4000" "udp_src_max 4000"
		 "udp_dst_min 5000" "udp_dst_max 5002" "flag UDPDST_RND") ;;
	flows1k) a+=("flows 1000" "flowlen 1000000000" "flag !UDPSRC_RND" "flag !UDPDST_RND" "udp_src_min 4000"
		 "udp_src_max 4000" "udp_dst_min 5000" "udp_dst_max 5000") ;;
	new) a+=("flows 0" "udp_src_min 1024" "udp_src_max 65535" "flag UDPSRC_RND"
		 "udp_dst_min 5000" "udp_dst_max 5002" "flag UDPDST_RND") ;;
	esac
	pg "$ns" "${a[@]}"
	# (In random mode pktgen draws in [min, max): the maxima above are
	# one past the last address and port.)
}

# count NS DEV: rx packets of DEV in NS, from /proc/PID/net/dev of a
# process in NS ("DEV: rx_bytes rx_packets ..."): no exec while traffic runs.
count()
{
	local line f
	while read -r line; do
		if [[ $line == "$2:"* ]]; then
			f=(${line#*:})
			echo "${f[1]}"
			return
		fi
	done <"/proc/${NSPID[$1]}/net/dev"
	echo 0
}

# measure SETUP: handled and delivered packets per second over SECS, after
# half a second of ramp. Prints "HANDLED DELIVERED".
measure()
{
	local s=$1 ns=${SENDER[$1]} i0 o0 i1 o1 t0 t1 pid
	ip netns exec "$ns" bash -c 'echo start >/proc/net/pktgen/pgctrl' &
	pid=$!
	sleep 0.5
	t0=$EPOCHREALTIME; i0=$(count ${IN[$s]}); o0=0
	[ -z "${OUT_[$s]}" ] || o0=$(count ${OUT_[$s]})
	sleep "$SECS"
	t1=$EPOCHREALTIME; i1=$(count ${IN[$s]}); o1=0
	[ -z "${OUT_[$s]}" ] || o1=$(count ${OUT_[$s]})
	ip netns exec "$ns" bash -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pid"
	# The packets still queued in the backlog are processed after pktgen
	# stops: at 10,000 rules in a linear peer that is seconds of CPU, and
	# it must not fall into the next setup's sample. Wait for them (the
	# backlog is capped at 100 packets, see netdev_max_backlog below).
	sleep "$(awk -v a="$i0" -v b="$i1" -v t0="$t0" -v t1="$t1" 'BEGIN {
		r = (b - a) / (t1 - t0); d = r > 0 ? 110 / r : 10
		print (d > 10 ? 10 : (d < 0.1 ? 0.1 : d)) }')"
	awk -v a="$i0" -v b="$i1" -v c="$o0" -v d="$o1" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%d %d\n", (b - a) / (t1 - t0), (d - c) / (t1 - t0) }'
}

vstats() # the vnet sender port's flow counters: "HITS MISSES RECOMPUTES CARRIED"
{
	vnetctl -n vh -j stats vs-src |
		jq -r '.[0] | "\(.["flow-hits"] // 0) \(.["flow-misses"] // 0) \(.["flow-recomputes"] // 0) \(.["flow-carried"] // 0)"'
}

# run SCENARIO: ROUNDS interleaved rounds over the setups that are ready,
# after a warm-up sample of each (it also fills the flow tables), then
# one line per setup.
declare -A READY LOADT RATIO LOADS
run()
{
	local sc=$1 s r v h0= h1=
	local list=()
	for s in "${SETUPS[@]}"; do [ -n "${READY[$s]:-}" ] && list+=("$s"); done
	# A sample takes SECS, the ramp and the drain: about SECS + 2 s.
	fits $(((ROUNDS + 1) * ${#list[@]} * (SECS + 2))) "$sc" || return
	rm -f "$WORK"/samples.*
	for s in "${list[@]}"; do measure "$s" >/dev/null; : >"$WORK/samples.$s"; done
	[ -z "${READY[vnet]:-}" ] || h0=$(vstats)
	for ((r = 0; r < ROUNDS; r++)); do
		for s in "${list[@]}"; do
			v=$(measure "$s")
			echo "$v" >>"$WORK/samples.$s"
			printf '%s\t%s\t%d\t%s\n' "$sc" "$s" "$r" "$v" >>"$TSV"
		done
	done
	h1=
	[ -z "${READY[vnet]:-}" ] || h1=$(vstats)
	summary "$sc" "$h0" "$h1" "${list[@]}"
	[ -z "${BENCH_DEBUG:-}" ] || debug
}
debug()
{
	local s
	for s in plain ipt nft; do
		[ -n "${READY[$s]:-}" ] || continue
		echo "## $s"; ip -n "$s-r" -s link show fwd-in; ip -n "$s-r" -s link show fwd-out
		ip -n "$s-k" -s link show eth0
	done
	[ -z "${READY[ipt]:-}" ] || ip netns exec ipt-r iptables-nft -nvL FORWARD | head -4
	[ -z "${READY[ipt]:-}" ] || ip netns exec ipt-r iptables-nft -nvL FORWARD | tail -4
	[ -z "${READY[ipt]:-}" ] || ip netns exec ipt-r cat /proc/sys/net/netfilter/nf_conntrack_count
	[ -z "${READY[vnet]:-}" ] || vnetctl -n vh stats
	if [ -n "${READY[ovs]:-}" ]; then
		ovs-ofctl dump-flows br-b | head -5
		ovs-appctl dpctl/show
		ovs-appctl dpctl/dump-flows | head -5
		ip -s link show ovs-in; ip -n ovs-k -s link show eth0
		tail -5 "$OVS_DIR/ovs-vswitchd.log"
	fi
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
summary() # SCENARIO H0 H1 SETUP...
{
	local sc=$1 h0=$2 h1=$3 s m lo hi dm base hit drop
	shift 3
	base=$(cut -d' ' -f1 "$WORK/samples.plain" 2>/dev/null | median)
	# The forwarder's own cost: time per packet minus that of the same
	# packets dropped at the ingress hook (the sender's and the veth's
	# share cancels), against the same difference for plain forwarding.
	drop=$(cut -d' ' -f1 "$WORK/samples.drop" 2>/dev/null | median)
	for s in "$@"; do
		m=$(cut -d" " -f1 "$WORK/samples.$s" | median)
		lo=$(cut -d" " -f1 "$WORK/samples.$s" | sort -n | head -n 1)
		hi=$(cut -d" " -f1 "$WORK/samples.$s" | sort -n | tail -n 1)
		dm=$(cut -d" " -f2 "$WORK/samples.$s" | median)
		RATIO[$s]=$(awk -v m="$m" -v b="${base:-0}" \
			'BEGIN { printf "%.3f", b ? m / b : 1 }')
		hit=-
		if [ "$s" = vnet ] && [ -n "$h1" ]; then
			hit=$(awk -v a="$h0" -v b="$h1" 'BEGIN { split(a, x, " "); split(b, y, " ")
				h = y[1] - x[1]; m = y[2] - x[2]; r = y[3] - x[3]
				printf "%.1f%%", (h + m) ? 100 * h / (h + m) : 0 }')
		fi
		awk -v sc="$sc" -v s="$s" -v m="$m" -v lo="$lo" -v hi="$hi" -v b="${base:-0}" \
			-v dm="$dm" -v hit="$hit" -v lt="${LOADT[$s]:--}" -v dr="${drop:-0}" 'BEGIN {
			r = b ? sprintf("%.2f", m / b) : "-"
			x = (b && m) ? sprintf("%+.0f", 1e9 / m - 1e9 / b) : "-"
			d = (s == "drop") ? "-" : (m ? sprintf("%.0f%%", 100 * dm / m) : "-")
			own = ownr = "-"
			if (dr && m && s != "drop") {
				o = 1e9 / m - 1e9 / dr; own = sprintf("%.0f", o)
				if (b) { ob = 1e9 / b - 1e9 / dr; ownr = ob > 0 ? sprintf("%.2f", o / ob) : "-" }
			}
			printf "| %s | %s | %d | %d-%d | %s | %s | %s | %s | %s | %s | %s |\n",
				sc, s, m, lo, hi, r, x, own, ownr, d, hit, lt }'
	done
}

# The rules. rules N [v6]: the list of bench_rules.awk, in IPv6 with v6
# (10.1.C.D to fd00:1:0:C::D, 10.B.C.D to fd00:B::C*256+D for the
# destinations, 10.B.C.0/24 to fd00:B:C::/64 for other sources).
rules()
{
	awk -v n="$1" -f "$HERE/bench_rules.awk" |
	if [ "${2:-}" = v6 ]; then
		awk 'function v6(p, a, l) {
			split(p, a, "[./]"); l = a[5]
			if (a[2] == 1)
				return sprintf("fd00:1:0:%x::%x/%d", a[3], a[4],
					l >= 32 ? 128 : (l >= 24 ? 64 : 48))
			if (a[2] >= 200 && l >= 16)
				return sprintf("fd00:%d::%x/%d", a[2], a[3] * 256 + a[4], 96 + l)
			return sprintf("fd00:%d:%x::/64", a[2], a[3])
		}
		{ $2 = v6($2); $3 = v6($3); print }'
	else
		cat
	fi
}
ports() # FLAG LO HI SEP: "FLAG LO[SEP HI]", nothing for any port
{
	if [ "$2" = 0 ] && [ "$3" = 65535 ]; then return; fi
	if [ "$2" = "$3" ]; then echo "$1 $2"; else echo "$1 $2$4$3"; fi
}

# vnet: the fillers on s1 outbound from priority 1 (past 60,000, on s2
# inbound: a priority is 16 bits), the three rules that touch the traffic
# last on s1 outbound, at 65001-65003.
vnet_rules() # FILE N [v6]
{
	rules "$2" "${3:-}" | awk -v n="$2" '
	function pr(lo, hi) { return (lo == 0 && hi == 65535) ? "" : (lo == hi ? " " lo : " " lo "-" hi) }
	{
		if (NR > n - 3) { sc = "subnet s1 dir out"; p = 65001 + NR - (n - 2) }
		else if (NR <= 60000) { sc = "subnet s1 dir out"; p = NR }
		else { sc = "subnet s2 dir in"; p = NR - 60000 }
		sp = pr($4, $5); dp = pr($6, $7)
		printf "acl add A %s prio %d action %s proto udp src %s dst %s%s%s\n",
			sc, p, $1, $2, $3, sp ? " sport" sp : "", dp ? " dport" dp : ""
	}' >"$1"
}
vnet_load() # N [v6]
{
	vnet_rules "$WORK/vnet.rules" "$@"
	if [ -s "$WORK/vnet.del" ]; then
		vnetctl -n vh -b "$WORK/vnet.del" >/dev/null
	fi
	sed 's/^acl add \(.*\) action .*/acl del \1/' "$WORK/vnet.rules" >"$WORK/vnet.del"
	vnetctl -n vh -b "$WORK/vnet.rules"
}

# iptables-nft: a stateful forward chain as tenants write one (replies and
# established flows first, then the rules in order). One-way UDP never
# becomes ESTABLISHED in Linux conntrack (no reply), so every packet of
# this traffic walks the rules.
ipt_load() # N [v6]
{
	local cmd=iptables-nft-restore
	[ "${2:-}" != v6 ] || cmd=ip6tables-nft-restore
	{
		echo '*filter'
		echo ':FORWARD ACCEPT [0:0]'
		echo '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'
		rules "$@" | awk '
		function pr(f, lo, hi) { return (lo == 0 && hi == 65535) ? "" : (lo == hi ? " " f " " lo : " " f " " lo ":" hi) }
		{ printf "-A FORWARD -p udp -s %s -d %s%s%s -j %s\n", $2, $3,
			pr("--sport", $4, $5), pr("--dport", $6, $7), $1 == "deny" ? "DROP" : "ACCEPT" }'
		echo COMMIT
	} >"$WORK/ipt.rules"
	timeout "$LOADMAX" ip netns exec ipt-r "$cmd" "$WORK/ipt.rules"
}

# nftables: the deny rules and the allow rules in two concatenated
# interval sets (source . destination . source port . destination
# port); the two are disjoint but for the deny that touches the traffic,
# which comes first as its priority says.
nft_load() # N [v6]
{
	local fam=ip t=ipv4_addr
	[ "${2:-}" != v6 ] || { fam=ip6; t=ipv6_addr; }
	{
		echo "table $fam acl"
		echo "delete table $fam acl"
		echo "table $fam acl {"
		echo "	set deny { type $t . $t . inet_service . inet_service; flags interval; }"
		echo "	set allow { type $t . $t . inet_service . inet_service; flags interval; }"
		echo "	chain tenant { type filter hook forward priority 0; policy accept;"
		echo "		ct state established,related accept"
		echo "		meta l4proto udp $fam saddr . $fam daddr . udp sport . udp dport @deny drop"
		echo "		meta l4proto udp $fam saddr . $fam daddr . udp sport . udp dport @allow accept"
		echo "	}"
		echo "}"
		rules "$@" | awk -v fam="$fam" '
		function pr(lo, hi) { return lo == hi ? lo : lo "-" hi }
		{ printf "add element %s acl %s { %s . %s . %s . %s }\n", fam, $1, $2, $3,
			pr($4, $5), pr($6, $7) }'
	} >"$WORK/nft.rules"
	timeout "$LOADMAX" ip netns exec nft-r nft -f "$WORK/nft.rules"
}

# OpenFlow: one flow per rule and port-range piece (OpenFlow matches
# ports under a mask, so a range becomes the aligned blocks that cover
# it), priority 40000 and down in rule order; the forwarding itself (MACs
# rewritten, out to the sink) at priority 1 for the gateway's prefix.
ovs_load() # N [v6]
{
	local ip=ip nw_src=nw_src nw_dst=nw_dst
	[ "${2:-}" != v6 ] || { ip=ipv6; nw_src=ipv6_src; nw_dst=ipv6_dst; }
	{
		echo "priority=1,$ip,in_port=1,$nw_dst=$( [ "$ip" = ip ] && echo 10.200.0.0/16 || echo fd00:200::/32),actions=mod_dl_src:02:00:00:00:00:fe,mod_dl_dst:52:54:00:00:02:04,output:2"
		rules "$@" | awk -v ip="$ip" -v s="$nw_src" -v d="$nw_dst" '
		# blocks(lo, hi): "value/mask" pieces covering lo..hi
		function blocks(lo, hi,   out, sz) {
			if (lo == 0 && hi == 65535) return "*"
			out = ""
			while (lo <= hi) {
				sz = 1
				while (lo % (sz * 2) == 0 && lo + sz * 2 - 1 <= hi && sz < 65536) sz *= 2
				out = out " " sprintf("0x%x/0x%x", lo, 65536 - sz)
				lo += sz
			}
			return substr(out, 2)
		}
		{
			prio = 40000 - NR; if (prio < 2) prio = 2
			act = $1 == "deny" ? "drop" : "mod_dl_src:02:00:00:00:00:fe,mod_dl_dst:52:54:00:00:02:04,output:2"
			ns = split(blocks($4, $5), sp, " "); nd = split(blocks($6, $7), dp, " ")
			for (i = 1; i <= ns; i++) for (j = 1; j <= nd; j++)
				printf "priority=%d,udp%s,in_port=1,%s=%s,%s=%s%s%s,actions=%s\n", prio,
					ip == "ipv6" ? "6" : "", s, $2, d, $3,
					sp[i] == "*" ? "" : ",tp_src=" sp[i],
					dp[j] == "*" ? "" : ",tp_dst=" dp[j], act
		}'
	} >"$WORK/ovs.flows"
	ovs-ofctl del-flows br-b
	timeout "$LOADMAX" ovs-ofctl add-flows br-b "$WORK/ovs.flows"
}

# load_cap: the seconds a load may take: an eighth of what is left of
# the budget, 20 at least, BENCH_LOAD_MAX at most.
load_cap()
{
	local cap=$(($(left) / 8))
	[ "$cap" -ge 20 ] || cap=20
	[ "$cap" -le "$LOADMAX" ] || cap=$LOADMAX
	echo "$cap"
}

# leave_out SETUP N WHY: SETUP is not loaded or run at N rules and after.
leave_out()
{
	say "$1: left out at $2 rules: $3"
	LOADT[$1]="left out: $3"
	unset "READY[$1]"
}

# load SETUP N [v6]: time a setup's load of N rules into LOADT; a setup
# that fails or times out is left out of the runs that follow.
load()
{
	local s=$1 t0 rc cap
	# What the peers' *_load get (dynamic scope); computed before the
	# local shadows the global that load_cap reads.
	cap=$(load_cap)
	local LOADMAX=$cap
	say "$s: loading $2 rules${3:+ ($3)}, at most $LOADMAX s"
	t0=$EPOCHREALTIME
	"${s}_load" "${@:2}" >"$WORK/load.log" 2>&1
	rc=$?
	LOADS[$s]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	LOADT[$s]="${LOADS[$s]} s"
	if [ "$rc" = 124 ]; then
		say "$s: loading $2 rules did not finish in $LOADMAX s: left out"
		LOADT[$s]="not in ${LOADMAX} s"
		unset "READY[$s]"
		# ovs-vswitchd goes on digesting what it was sent, on a
		# core the other setups need: it stops here.
		[ "$s" != ovs ] || ovs_stop
	elif [ "$rc" != 0 ]; then
		say "$s: loading $2 rules failed ($rc): $(tail -n 3 "$WORK/load.log" | tr '\n' ' ')"
		LOADT[$s]="failed"
		unset "READY[$s]"
	else
		READY[$s]=1
		say "$s: loaded in ${LOADT[$s]}"
	fi
}

header()
{
	echo
	echo "| scenario | setup | packets/s (median) | range | ratio to plain | extra ns/packet | own ns/packet | own cost / plain's | delivered | flow-table hits | rules load |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
}

# A short backlog: what a slow forwarder still has queued when pktgen
# stops is drained before the next sample (measure).
sysctl -qw net.core.netdev_max_backlog=100
say "setting up: ${SETUPS[*]}; $ROUNDS rounds of $SECS s; slub_debug: $(grep -o 'slub_debug[^ ]*' /proc/cmdline || echo off)"
for s in "${SETUPS[@]}"; do
	case $s in
	plain|ipt|nft) router "$s" ;;
	ovs) ovs_setup || { say "ovs: left out"; continue; } ;;
	vnet) vnet_setup ;;
	drop) drop_setup ;;
	esac
	pg_setup "$s"
	READY[$s]=1
	say "$s: ready"
done
# The conntrack shares: one port gets every entry the namespace has, for
# the all-new-flows runs (ct_max first: the others must stay below it).
if has vnet; then
	echo 4194304 >/sys/module/vnet/parameters/ct_max
	echo 4194304 >/sys/module/vnet/parameters/ct_max_per_vnet
	echo 4194304 >/sys/module/vnet/parameters/ct_max_per_port
fi

# The parts after the scales keep this much of the budget (BENCH_REST).
REST=${BENCH_REST:-900}
part churn || part flows || part ipv6 || part vnets || part peering ||
	part new100k || REST=0
prev=0
if part scale; then
	header
	for n in $SCALES; do
		BUDGET=$((BUDGET - REST)) fits 240 "$n rules" || break
		for s in ipt nft ovs vnet; do
			has "$s" && [ -n "${READY[$s]:-}${LOADT[$s]:-}" ] || continue
			[[ ${LOADT[$s]:-} != not* && ${LOADT[$s]:-} != failed &&
			   ${LOADT[$s]:-} != left* ]] || continue
			# A linear walk only gets slower with more rules: past a
			# twentieth of plain's rate, a sample would take minutes.
			if awk -v r="${RATIO[$s]:-1}" 'BEGIN { exit !(r < 0.05) }'; then
				leave_out "$s" "$n" "${RATIO[$s]} of plain's rate at $prev"
				continue
			fi
			# A load is at least linear in the rules, and a peer's
			# may be worse and not interruptible: one whose last
			# load took 2 s or more (below that, starting the tool
			# is most of it) and, scaled by (N / last N)^1.5, would
			# pass what a load may take now (load_cap) is not
			# tried. nftables' by the square: its concatenated
			# interval set inserts each element in time that grows
			# with the set, and commits in the kernel, where no
			# timeout ends it (4.7 s at 10,000 rules, then 100,000
			# ran past 20 minutes).
			if [ "$s" != vnet ] && [ -n "${LOADS[$s]:-}" ] &&
			   awk -v t="${LOADS[$s]}" -v n="$n" -v p="$prev" -v c="$(load_cap)" \
				-v e="$([ "$s" = nft ] && echo 2 || echo 1.5)" \
				'BEGIN { exit !(p && t >= 2 && t * (n / p) ^ e > c) }'; then
				leave_out "$s" "$n" "its $prev took ${LOADS[$s]} s"
				continue
			fi
			load "$s" "$n"
		done
		LOADT[plain]=- LOADT[drop]=-
		run "$n rules"
		prev=$n
	done
fi

# Churn: 1% of 100,000 rules replaced every second while traffic runs
# (vnet only): one batch a second deletes 1,000 fillers and adds 1,000
# others at the same priorities. Prints packets per second of each
# second, before and during the churn; the dip is the lowest second.
# One run per word of BENCH_CHURN_CPUS, one row each (the dip varies
# from run to run): "free" runs the batches on the CPU that pktgen's
# thread (kpktgend_0) leaves free, as an operator keeps the control
# plane off the CPUs that carry the traffic; "any" leaves them to the
# scheduler; "burn" changes no rule but keeps that free CPU busy (a
# shell loop), which under emulation takes host CPU from the sender's
# virtual CPU: the share of a dip that is not the module's; "memburn"
# changes no rule either but has the free CPU allocate, fill and free
# 64 MiB over and over (more memory a second than a batch's compile of
# 100,000 rules allocates and frees), for the share of memory traffic. Each run
# also counts the interrupts the sender's CPU took from the others
# (TLB shootdowns, function calls), which a batch's vmalloc()ed sets
# may cause when they are freed.
churn()
{
	local r cpus=(${BENCH_CHURN_CPUS:-free any burn free any burn})
	has vnet && [ -n "${READY[vnet]:-}" ] || return
	fits $((2 * ${BENCH_CHURN_SECS:-10} + 240)) "churn" || return
	load vnet 100000
	[ -n "${READY[vnet]:-}" ] || { say "churn: 100,000 rules did not load"; return; }
	# The replacement rules: the same shape, other addresses (10.99/16).
	awk '$0 ~ / subnet s1 dir out prio [0-9]+ / && $9 <= 60000' "$WORK/vnet.rules" |
		head -n 60000 >"$WORK/churn.base"
	# For "elsewhere": the same vnet and rules in a namespace of its own.
	if [[ " ${cpus[*]} " == *" elsewhere "* ]]; then
		newns vh2
		vnetctl -n vh2 -b - <<-EOF
		vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
		subnet add A s1 prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
		subnet add A s2 prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
		EOF
		vnetctl -n vh2 -b "$WORK/vnet.rules" >/dev/null
	fi
	for ((r = 0; r < ${#cpus[@]}; r++)); do
		[ "$r" -eq 0 ] || fits $((2 * ${BENCH_CHURN_SECS:-10} + 30)) "churn run $((r + 1))" || return
		churn_run "$((r + 1))" "${cpus[r]}"
	done
}

# churn_run RUN CPU: RUN, its number, names its samples (churn1, ...);
# CPU: free, any, burn, memburn, execs (the batches' loop on the free
# CPU with cat in vnetctl's place: the same programs started, no commit)
# or elsewhere (the same batches, on the free CPU, into a copy of the
# vnet and its rules in another namespace, which no packet crosses).
churn_run()
{
	local t=${BENCH_CHURN_SECS:-10} i c0 c1 t0 t1 pid cpid n=0 h0 h1 tc secs
	local pin=(taskset -c "$(($(nproc) > 1 ? 1 : 0))") what ns=vh
	case $2 in
	free) what="100000 rules, 1% replaced each second, batches on the free CPU" ;;
	any) what="100000 rules, 1% replaced each second, batches on any CPU"; pin=() ;;
	burn) what="100000 rules, none replaced, the free CPU kept busy" ;;
	memburn) what="100000 rules, none replaced, the free CPU moving memory" ;;
	execs) what="100000 rules, none replaced, the batches' other programs on the free CPU" ;;
	elsewhere) what="100000 rules, 1% replaced each second in another namespace, batches on the free CPU"; ns=vh2 ;;
	*) say "churn: no such run: $2 (free, any, burn, memburn, execs or elsewhere)"; return ;;
	esac
	: >"$WORK/churn.pps"
	ip netns exec vnet-s bash -c 'echo start >/proc/net/pktgen/pgctrl' &
	pid=$!
	sleep 1
	rm -f "$WORK/churn.go"
	(
		local r=0 a b
		# From the first second "during" on: the loop below takes more
		# than a second a turn, so a sleep of t would start it early.
		while [ ! -e "$WORK/churn.go" ]; do sleep 0.1; done
		[ "$2" != burn ] || exec "${pin[@]}" bash -c 'while :; do :; done'
		[ "$2" != memburn ] || exec "${pin[@]}" python3 -c '
while True:
    b = bytearray(64 << 20)
    b[::4096] = b"\1" * (len(b) // 4096)
    del b'
		while :; do
			a=$((r * 1000 % 59000 + 1))
			# 1,000 rules out, 1,000 new at their priorities, one batch.
			sed -n "${a},$((a + 999))p" "$WORK/churn.base" |
				awk -v r="$r" '{ print "acl del A subnet s1 dir out prio " $9
					x = $0; sub(/src 10\.[0-9]+\./, "src 10.99.", x)
					sub(/prio [0-9]+ action (allow|deny)/, "prio " $9 " action " (r % 2 ? "deny" : "allow"), x)
					print x }' >"$WORK/churn.batch"
			b=$EPOCHREALTIME
			if [ "$2" = execs ]; then
				# Everything a batch runs but vnetctl itself.
				"${pin[@]}" cat "$WORK/churn.batch" >/dev/null
			else
				"${pin[@]}" vnetctl -n "$ns" -b "$WORK/churn.batch" >/dev/null 2>&1 ||
					echo "churn: batch $r refused" >&2
			fi
			echo "$b $EPOCHREALTIME" >>"$WORK/churn.times"
			r=$((r + 1))
			sleep "$(awk -v a="$b" -v b="$EPOCHREALTIME" 'BEGIN { d = 1 - (b - a); print (d > 0 ? d : 0) }')"
		done
	) &
	cpid=$!
	: >"$WORK/churn.times"
	local i0 i1
	c0=$(count vh vs-src); t0=$EPOCHREALTIME
	for ((i = 0; i < 2 * t; i++)); do
		[ "$i" -ne "$t" ] || {
			h0=$(vstats)
			i0=$(ipis)
			tc=$EPOCHREALTIME
			touch "$WORK/churn.go"
		}
		sleep 1
		c1=$(count vh vs-src); t1=$EPOCHREALTIME
		awk -v i="$i" -v t="$t" -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" \
			'BEGIN { printf "%s %d\n", i < t ? "before" : "during", (b - a) / (t1 - t0) }' >>"$WORK/churn.pps"
		c0=$c1 t0=$t1
	done
	h1=$(vstats)
	i1=$(ipis)
	# The seconds of the churn as they passed (a loaded machine
	# stretches the loop's).
	secs=$(awk -v a="$tc" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
	ip netns exec vnet-s bash -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pid"
	n=$(wc -l <"$WORK/churn.times")
	local before during low busy
	before=$(awk '$1 == "before" { print $2 }' "$WORK/churn.pps" | median)
	during=$(awk '$1 == "during" { print $2 }' "$WORK/churn.pps" | median)
	low=$(awk '$1 == "during" { print $2 }' "$WORK/churn.pps" | sort -n | head -n 1)
	busy=$(awk '{ d += $2 - $1 } END { printf "%.2f", NR ? d / NR : 0 }' "$WORK/churn.times")
	awk -v b="$before" -v d="$during" -v l="$low" -v n="$n" -v t="$secs" -v busy="$busy" -v what="$what" 'BEGIN {
		printf "| %s | vnet | %d before, %d during (medians) | lowest second %d | %.0f%% | %d batches of 2,000 commands in %d s, %s s each |\n",
			what, b, d, l, b ? 100 * (1 - l / b) : 0, n, t, busy }'
	echo "# churn, packets/s each second: $(awk '{ printf "%s:%s ", $1, $2 }' "$WORK/churn.pps")"
	# Each batch may send each flow through the full path once (its
	# commit), no more; none whose rules it does not change (carried).
	echo "$h0 $h1" | awk '{ h = $5 - $1; m = $6 - $2; r = $7 - $3; c = $8 - $4
		printf "# churn: flow-table hits %.1f %% of the sender'"'"'s packets during the churn (%d hits, %d of them carried over a commit, %d misses, %d recomputations)\n",
			h + m + r ? 100 * h / (h + m + r) : 0, h, c, m, r }'
	echo "$i0 $i1" | awk '{ printf "# churn: the sender'"'"'s CPU took %d TLB shootdowns and %d function call interrupts during the churn\n", $3 - $1, $4 - $2 }'
	awk -v r="$1" '{ printf "churn%d\tvnet\t%d\t%s\t0\n", r, NR - 1, $2 }' "$WORK/churn.pps" >>"$TSV"
}

# profile WHAT: where the sender's CPU (0, pktgen's: the module runs in
# its transmit) spends its time with vnet's setup and the current
# traffic, as perf's cpu-clock samples (no hardware counters under
# emulation): the top symbols, then the share of each object.
profile()
{
	local pid sort
	command -v perf >/dev/null || { say "profile: no perf"; return; }
	sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
	ip netns exec vnet-s bash -c 'echo start >/proc/net/pktgen/pgctrl' &
	pid=$!
	sleep 0.5
	# -N: no build-id cache (the root is read-only); symbols come from
	# /proc/kallsyms, the module's too.
	HOME=$WORK perf record -N -q -C 0 -e cpu-clock -F 1000 \
		-o "$WORK/perf.data" -- sleep 4 >/dev/null 2>&1
	ip netns exec vnet-s bash -c 'echo stop >/proc/net/pktgen/pgctrl'
	wait "$pid"
	echo "# profile, $1: CPU 0's samples by symbol (top 40), then by object"
	for sort in sym:40 dso:8; do
		HOME=$WORK perf report -q -i "$WORK/perf.data" \
			--kallsyms=/proc/kallsyms --stdio --no-children \
			--sort "${sort%:*}" 2>/dev/null | grep -v '^$' |
			head -n "${sort#*:}" | sed 's/^/# profile: /'
	done
}

# ipis: "TLB CAL", the TLB shootdowns and function call interrupts CPU 0
# (pktgen's, the sender's) has taken so far.
ipis()
{
	awk '$1 == "TLB:" { t = $2 } $1 == "CAL:" { c = $2 } END { print t + 0, c + 0 }' /proc/interrupts
}

slab() # the vnet_conn cache: "ACTIVE OBJSIZE" (booted with slub_nomerge)
{
	awk '$1 == "vnet_conn" { print $2, $4 }' /proc/slabinfo
}

# A second vnet B (10.50.0.0/16) peered with A, and a third subnet s3
# in A; a sender port for each (10.1.1.5 to 10.1.3.4 inside A, 10.1.1.6
# to 10.50.1.4 across the peering), both sinks dropping UDP at ingress
# but answering ping (the latency).
peering_setup()
{
	newns vnet-s2; newns vnet-s3; newns vnet-i; newns vnet-p
	vm vnet-s2 vh vs-src2 52:54:00:00:01:05
	vm vnet-s3 vh vs-src3 52:54:00:00:01:06
	vm vnet-i vh vs-in 52:54:00:00:03:04
	vm vnet-p vh vs-pb 52:54:00:00:50:04
	vnetctl -n vh -b - <<-EOF
	vnet add B id 2 prefix 10.50.0.0/16
	subnet add B b1 prefix 10.50.1.0/24
	subnet add A s3 prefix 10.1.3.0/24
	port add vs-src2 vnet A subnet s1 mac 52:54:00:00:01:05 ip 10.1.1.5
	port add vs-src3 vnet A subnet s1 mac 52:54:00:00:01:06 ip 10.1.1.6
	port add vs-in vnet A subnet s3 mac 52:54:00:00:03:04 ip 10.1.3.4
	port add vs-pb vnet B subnet b1 mac 52:54:00:00:50:04 ip 10.50.1.4
	peering add A a-b remote B
	peering add B b-a remote A
	EOF
	local ns ip gw
	for ns in vnet-s2:10.1.1.5:10.1.1.1 vnet-s3:10.1.1.6:10.1.1.1 vnet-i:10.1.3.4:10.1.3.1 vnet-p:10.50.1.4:10.50.1.1; do
		IFS=: read -r ns ip gw <<<"$ns"
		ip -n "$ns" addr add "$ip/24" dev eth0
		ip -n "$ns" route add default via "$gw"
	done
	for ns in vnet-i vnet-p; do
		ip netns exec "$ns" nft -f - <<-EOF
		table netdev sink {
			chain in { type filter hook ingress device eth0 priority 0; policy accept; udp dport 5000-5001 drop; }
		}
		EOF
	done
	SENDER[vin]=vnet-s2 IN[vin]="vh vs-src2" OUT_[vin]="vnet-i eth0" DMAC[vin]=${DMAC[vnet]}
	SENDER[vpeer]=vnet-s3 IN[vpeer]="vh vs-src3" OUT_[vpeer]="vnet-p eth0" DMAC[vpeer]=${DMAC[vnet]}
	for s in vin vpeer; do
		pg_setup "$s"
		pg "${SENDER[$s]}" "flag !IPDST_RND"
	done
	pg vnet-s2 "src_min 10.1.1.5" "src_max 10.1.1.5" "dst_min 10.1.3.4" "dst_max 10.1.3.4"
	pg vnet-s3 "src_min 10.1.1.6" "src_max 10.1.1.6" "dst_min 10.50.1.4" "dst_max 10.50.1.4"
}
latency() # NS DST: ping's "min/avg/max/mdev" in ms
{
	ip netns exec "$1" ping -c 20 -i 0.05 -q "$2" 2>/dev/null | awk -F' = ' '/rtt/ { print $2 }'
}

retraffic() # v4|v6 est|new|flows1k: every ready setup's pktgen
{
	local s
	for s in "${SETUPS[@]}"; do
		[ -n "${READY[$s]:-}" ] && traffic "$s" "$1" "$2"
	done
}
load_all() # N [v6]
{
	local s
	for s in ipt nft ovs vnet; do
		has "$s" && [ -n "${SENDER[$s]:-}" ] && load "$s" "$@"
	done
}

if part churn; then
	echo
	echo "| scenario | setup | packets/s | dip | share of the rate lost at the lowest second | churn |"
	echo "|---|---|---|---|---|---|"
	churn
fi

MID=
if { part flows || part ipv6 || part vnets || part peering; } &&
	fits 300 "the parts with 1,000 rules"; then
	MID=1
	say "1,000 rules in every setup for the parts below"
	load_all 1000
	header
	retraffic v4 est
	run "1000 rules, 8,192 flows (again)"
fi
if [ -n "$MID" ] && part flows; then
	retraffic v4 flows1k
	run "1000 rules, ~1,000 flows"
	# All-new flows: every packet a new connection, for the conntrack of
	# vnet and of Linux (iptables and nftables rules are stateful).
	modprobe -q nf_conntrack
	sysctl -qw net.netfilter.nf_conntrack_max=4194304 2>/dev/null
	retraffic v4 new
	sl0=$(slab); c0=$(vnetctl -n vh -j stats vs-src | jq '.[0].connections // 0')
	run "1000 rules, all-new flows"
	sl1=$(slab); c1=$(vnetctl -n vh -j stats vs-src | jq '.[0].connections // 0')
	awk -v a="$sl0" -v b="$sl1" -v c0="$c0" -v c1="$c1" 'BEGIN { split(a, x, " "); split(b, y, " ")
		printf "# vnet_conn: %d objects of %d bytes for %d connections (was %d objects for %d)", y[1], y[2], c1, x[1], c0
		if (c1 > c0) printf "; %.0f bytes of slab per new connection", (y[1] - x[1]) * y[2] / (c1 - c0)
		print "" }'
	echo "# flow setup rate: the vnet row above (every packet a new flow; denied ones make none)"
	retraffic v4 est
fi
if [ -n "$MID" ] && part ipv6; then
	say "IPv6: the same rules and traffic in IPv6"
	load_all 1000 v6
	retraffic v6 est
	run "1000 rules, IPv6"
	load_all 1000
	retraffic v4 est
fi
if [ -n "$MID" ] && part vnets && has vnet && fits $((120 + 3 * (ROUNDS + 1) * (SECS + 2))) "10,000 vnets"; then
	say "10,000 vnets in the namespace"
	for ((i = 0; i < 9999; i++)); do
		echo "vnet add V$i id $((i + 100)) prefix 11.$((i / 256)).$((i % 256)).0/24"
	done >"$WORK/vnets"
	t0=$EPOCHREALTIME
	vnetctl -n vh -b "$WORK/vnets" >/dev/null
	LOADT[vnet]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s (vnets)", b - a }')
	saved=("${SETUPS[@]}"); SETUPS=(plain vnet drop)
	run "1000 rules, 10,000 vnets"
	SETUPS=("${saved[@]}")
	sed 's/^vnet add \(V[0-9]*\) .*/vnet del \1/' "$WORK/vnets" >"$WORK/vnets.del"
	vnetctl -n vh -b "$WORK/vnets.del" >/dev/null
fi
if [ -n "$MID" ] && part peering && has vnet; then
	say "inside one vnet against across a peering"
	peering_setup
	saved=("${SETUPS[@]}"); SETUPS=(vin vpeer drop); READY[vin]=1 READY[vpeer]=1
	LOADT[vin]=- LOADT[vpeer]=-
	run "1000 rules, one destination: vin inside A, vpeer across A-B"
	SETUPS=("${saved[@]}")
	for r in 1 2 3; do
		echo "# ping inside A (10.1.1.5 to 10.1.3.4): $(latency vnet-s2 10.1.3.4);" \
			"across the peering (10.1.1.6 to 10.50.1.4): $(latency vnet-s3 10.50.1.4)"
	done
fi
# All-new flows at 100,000 rules (vnet against plain; the peers are not
# loaded at that scale): every packet a new connection, each looked up in
# the full rule set. Last, as it loads nf_conntrack (which slows plain)
# if the flows part has not.
if part new100k && has vnet && [ -n "${READY[vnet]:-}" ] &&
	fits $((240 + 3 * (ROUNDS + 1) * (SECS + 2))) "all-new flows at 100,000 rules"; then
	say "all-new flows at 100,000 rules"
	load vnet 100000
	if [ -n "${READY[vnet]:-}" ]; then
		modprobe -q nf_conntrack
		sysctl -qw net.netfilter.nf_conntrack_max=4194304 2>/dev/null
		saved=("${SETUPS[@]}"); SETUPS=(plain vnet drop)
		retraffic v4 new
		header
		run "100000 rules, all-new flows"
		[ -z "${BENCH_PROFILE:-}" ] || profile "all-new flows"
		retraffic v4 est
		[ -z "${BENCH_PROFILE:-}" ] || profile "established flows"
		SETUPS=("${saved[@]}")
	fi
fi
say "done in $((SECONDS - START)) s (budget $BUDGET s)"
