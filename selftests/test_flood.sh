#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow table shares (issue 11, hostile tenants): a tenant that floods new
# flows from several VMs (TCP SYNs, UDP datagrams from distinct source
# ports, SYNs to a load balancer, TCP segments without SYN at a frontend)
# fills its own ports' and vnet's shares and no more: its new flows drop
# as port-share, vnet-share or lb-not-syn, while another tenant keeps
# opening connections and load balancer connections. Load balancer
# connections count against the port's share; the parameters keep
# ct_max_per_port <= ct_max_per_vnet <= ct_max, at run time and at load
# time (the module reloads at the end). Decided from counters.
#
#   vnet X 10.1/16 (the flooder): x1 .1.4, x2 .1.5, x3 .1.6, xb .1.10
#       lb xweb 10.1.0.100 tcp 80 -> xb:8080 (nothing listens)
#   vnet Y 10.2/16 (the victim): y1 .1.4, yb .1.10 (lb.py serve on 8080)
#       lb ytcp 10.2.0.100 tcp 80, lb yudp 10.2.0.100 udp 53 -> yb:8080
#
# One function per case. The flood is one story: port_share, vnet_share,
# no_syn, other_tenant and share_back each start from the counts the ones
# before left (every count is exact), so a case run alone (TESTS=no_syn,
# VNET_TESTS through vm.sh) runs those before it first (after). frag_owner
# and params stand alone and leave things as they found them; load_time
# reloads the module, and so runs last.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	port_share
	vnet_share
	no_syn
	other_tenant
	share_back
	frag_owner
	params
	load_time
"


HERE=$(dirname "$(readlink -f "$0")")
FLOOD="/usr/bin/python3 $HERE/flood.py"
LB="/usr/bin/python3 $HERE/lb.py"
PARAMS=/sys/module/vnet/parameters

# Small shares; long idle timeouts, so no entry expires during the test
# and every count below is exact.
PORT_SHARE=10
VNET_SHARE=24
CT_MAX=64
SAVED=""
for p in ct_max ct_max_per_vnet ct_max_per_port ct_timeout_tcp_syn \
	ct_timeout_tcp_close ct_timeout_udp ct_timeout_fragment; do
	SAVED+=" $p=$(<"$PARAMS/$p")"
done
restore_params()
{
	local kv
	# ct_max first, per-port last, so each write keeps the order; a
	# second round for whatever the first could not write yet.
	for _ in 1 2; do
		for kv in $SAVED; do
			echo "${kv#*=}" 2>/dev/null >"$PARAMS/${kv%%=*}"
		done
	done
}
trap 'restore_params; cleanup' EXIT
echo $PORT_SHARE >$PARAMS/ct_max_per_port
echo $VNET_SHARE >$PARAMS/ct_max_per_vnet
echo $CT_MAX >$PARAMS/ct_max
for p in tcp_syn tcp_close udp fragment; do echo 600 >$PARAMS/ct_timeout_$p; done

v vnet add X id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v vnet add Y id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
v subnet add X s prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
v subnet add Y s prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
add_vm x1 X s 10.1.1.4 fd00:1:0:1::4 52:54:00:01:01:04
add_vm x2 X s 10.1.1.5 fd00:1:0:1::5 52:54:00:01:01:05
add_vm x3 X s 10.1.1.6 fd00:1:0:1::6 52:54:00:01:01:06
add_vm xb X s 10.1.1.10 fd00:1:0:1::10 52:54:00:01:01:10
add_vm y1 Y s 10.2.1.4 fd00:2:0:1::4 52:54:00:02:01:04
add_vm yb Y s 10.2.1.10 fd00:2:0:1::10 52:54:00:02:01:10
v lb add X xweb frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.10:8080
v lb add Y ytcp frontend 10.2.0.100 proto tcp port 80 backend 10.2.1.10:8080
v lb add Y yudp frontend 10.2.0.100 proto udp port 53 backend 10.2.1.10:8080
vm_bg yb $LB serve yb 8080 >/dev/null 2>&1
RMAC=$(v -j vnet show X | sed -n 's/.*"router-mac":"\([0-9a-f:]*\)".*/\1/p')
export RMAC

# flood VM KIND SRC DST DPORT SPORT N [SECONDS]
flood() { local n=$1; shift; vm "$n" $FLOOD "$@"; }

# Counters come from one "stats" per port, parsed without more processes
# (each costs seconds in a busy emulated VM).
# snap DEV: reads the port's stats; get KEY: one of them in REPLY (0 if
# none); report: the interesting ones as a TAP comment.
snap() { SNAP_DEV=$1; SNAP=$(v -j stats "$1"); }
get()
{
	REPLY=0
	if [[ $SNAP =~ \"$1\":([0-9]+) ]]; then
		REPLY=${BASH_REMATCH[1]}
	fi
}
report()
{
	local k out="$SNAP_DEV:"
	for k in connections fragments lb-flows port-share vnet-share lb-not-syn \
		conntrack-full lb-untracked; do
		get "$k"
		out+=" $k=$REPLY"
	done
	echo "# $out"
}
# held: every entry the port of the last snap opened, in all tables
held()
{
	local n=0 k
	for k in connections fragments lb-flows; do
		get "$k"
		n=$((n + REPLY))
	done
	REPLY=$n
}
# expect DESC KEY VALUE: the last snap's counter is exactly VALUE
expect()
{
	get "$2"
	if [ "$REPLY" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "$2 of $SNAP_DEV is $REPLY, expected $3; $SNAP"
	fi
}

echo "# shares: ct_max_per_port=$PORT_SHARE ct_max_per_vnet=$VNET_SHARE ct_max=$CT_MAX"
for c in vnet_conn vnet_lb_flow; do
	[ -r /sys/kernel/slab/$c/object_size ] &&
		echo "# an entry of $c: $(</sys/kernel/slab/$c/object_size) bytes"
done

# after CASE...: the cases of the story this one builds on, each run once.
DONE=" "
after()
{
	local c
	for c in "$@"; do
		[[ $DONE == *" $c "* ]] && continue
		echo "# $c first: a prerequisite"
		"$c"
	done
}

# ---- a port's share, lb connections included ----
# x3's SYNs to X's lb: each takes a connection and an lb entry, two of
# its 10; from the sixth on, the connection is refused.
port_share()
{
	DONE+="port_share "
	check_output "x3 sends 20 SYNs to lb xweb from 20 source ports" 20 \
		flood x3 syn 10.1.1.6 10.1.0.100 80 20000 20
	snap vm-x3
	report
	expect "x3 holds 5 lb connections" lb-flows 5
	expect "and 5 tracked connections: its share of 10" connections 5
	expect "the other 15 SYNs drop as port-share" port-share 15
	check_output "a plain UDP datagram of x3 drops too: lb entries use its share" 1 \
		flood x3 udp 10.1.1.6 10.1.1.10 9 30000 1
	snap vm-x3
	expect "counted as port-share" port-share 16

	check_output "x1 sends 30 UDP datagrams to xb from 30 source ports" 30 \
		flood x1 udp 10.1.1.4 10.1.1.10 9 20000 30
	snap vm-x1
	report
	expect "x1 holds its share of 10" connections $PORT_SHARE
	expect "its 20 others drop as port-share" port-share 20
}

# ---- the vnet's share ----
# x3 and x1 hold 20 of X's 24: x2 gets the last 4, whatever its own
# share says.
vnet_share()
{
	local total p
	after port_share
	DONE+="vnet_share "
	check_output "x2 sends 30 SYNs to xb from 30 source ports" 30 \
		flood x2 syn 10.1.1.5 10.1.1.10 80 20000 30
	snap vm-x2
	report
	expect "x2 holds the 4 left in vnet X's share" connections 4
	expect "its 26 others drop as vnet-share" vnet-share 26
	expect "none as port-share" port-share 0
	total=0
	for p in x1 x2 x3 xb; do
		snap "vm-$p"
		held
		total=$((total + REPLY))
	done
	echo "# vnet X holds $total entries (share $VNET_SHARE, namespace table $CT_MAX)"
	check "vnet X holds exactly its share, not the namespace's tables" \
		test "$total" -eq "$VNET_SHARE"
}

# ---- TCP without SYN at a frontend records nothing ----
no_syn()
{
	after port_share vnet_share
	DONE+="no_syn "
	check_output "x2 sends 40 ACKs to lb xweb from 40 new source ports" 40 \
		flood x2 ack 10.1.1.5 10.1.0.100 80 21000 40
	snap vm-x2
	report
	expect "they drop as lb-not-syn" lb-not-syn 40
	expect "and make no lb entry" lb-flows 0
	expect "nor count against a share" vnet-share 26
}

# ---- meanwhile the other tenant works ----
# x1 keeps flooding lb xweb with SYNs in the background while vnet Y
# opens connections and lb connections.
# y_asks DESC PROTO ADDR PORT: one connection of two requests, answered
y_asks()
{
	local out
	out=$(vm y1 $LB ask "$2" "$3" "$4" 1 2 2>&1)
	if [ "$out" = "yb yb" ]; then
		ok "$1"
	else
		fail "$1" "$out"
	fi
}
other_tenant()
{
	local bg r
	after port_share vnet_share
	DONE+="other_tenant "
	flood x1 syn 10.1.1.4 10.1.0.100 80 40000 300 8 >"$WORK/bg" 2>&1 &
	bg=$!
	y_asks "y1 opens a TCP connection to yb" tcp 10.2.1.10 8080
	y_asks "y1 opens a TCP connection through lb ytcp" tcp 10.2.0.100 80
	y_asks "y1 opens a UDP flow through lb yudp" udp 10.2.0.100 53
	wait "$bg"
	check_output "x1's background flood of 300 SYNs ended" 300 cat "$WORK/bg"
	snap vm-x1
	report
	expect "all 300 dropped as port-share" port-share 320
	snap vm-y1
	report
	get lb-flows
	check "y1's lb connections are recorded" test "$REPLY" -ge 2
	for r in port-share vnet-share conntrack-full lb-untracked lb-not-syn; do
		expect "no $r drop on y1" "$r" 0
	done
}

# ---- an entry's removal gives its share back ----
# The collector frees x1's 10 at once: x2 can open again.
x2_opens()
{
	local before
	snap vm-x2
	get connections
	before=$REPLY
	flood x2 udp 10.1.1.5 10.1.1.10 9 $((22000 + RANDOM % 1000)) 1 >/dev/null
	snap vm-x2
	get connections
	[ "$REPLY" -gt "$before" ]
}
share_back()
{
	after port_share vnet_share
	DONE+="share_back "
	check "x1's port removed" v port del vm-x1
	check "vnet X's share has room again once x1 is gone" retry 5 x2_opens
}

# ---- who pays for a connection's fragments ----
# A first fragment takes an entry so that its later fragments follow it.
# z1 asks z2's UDP service for answers larger than the MTU, from one
# connection that z1 opened. Charged to their sender, z2, the entries of
# those answers would let any VM that can reach z2 fill z2's share (ping
# with a large size does the same), so that z2 can open nothing: they are
# the opener's, z1's, like the connection.
# The service may take seconds to start on a loaded machine: ask again.
z2_answers()
{
	[ "$(vm z1 $LB ask udp 10.3.1.10 8080 1 1 2>/dev/null)" = z2 ]
}
frag_owner()
{
	local out pids
	v vnet add Z id 3 prefix 10.3.0.0/16 prefix fd00:3::/48
	v subnet add Z s prefix 10.3.1.0/24 prefix fd00:3:0:1::/64
	add_vm z1 Z s 10.3.1.4 fd00:3:0:1::4 52:54:00:03:01:04
	add_vm z2 Z s 10.3.1.10 fd00:3:0:1::10 52:54:00:03:01:10
	add_vm z3 Z s 10.3.1.11 fd00:3:0:1::11 52:54:00:03:01:11
	vm_bg z2 $LB serve z2 8080 >/dev/null 2>&1
	pids=$!
	vm_bg z3 $LB serve z3 8080 >/dev/null 2>&1
	pids+=" $!"
	check "z2's service answers z1" retry 20 z2_answers
	out=$(vm z1 $LB amp 10.3.1.10 8080 3000 30 2>&1)
	echo "# z1 got $out of 30 answers of 3000 bytes from z2"
	snap vm-z2
	report
	expect "z2 holds no fragment entry for the answers z1 asked for" fragments 0
	snap vm-z1
	report
	held
	check "z1 holds them, within its share" test "$REPLY" -le $PORT_SHARE -a "$REPLY" -ge 2
	check_output "z2 still opens a UDP flow to z3" z3 \
		vm z2 $LB ask udp 10.3.1.11 8080 1 1
	# shellcheck disable=SC2086
	kill $pids
	wait $pids 2>/dev/null
	v vnet del Z
	for out in z1 z2 z3; do
		ip -n "$CTL" link del "vm-$out"
	done
}

# ---- the parameters keep per-port <= per-vnet <= ct_max ----
param_refused()	# DESC NAME VALUE: the write fails and changes nothing
{
	local old
	old=$(<"$PARAMS/$2")
	if echo "$3" 2>/dev/null >"$PARAMS/$2"; then
		fail "$1" "$2=$3 was accepted"
	elif [ "$(<"$PARAMS/$2")" != "$old" ]; then
		fail "$1" "$2 changed to $(<"$PARAMS/$2")"
	else
		ok "$1"
	fi
}
params()
{
	param_refused "ct_max_per_port above ct_max_per_vnet is refused" \
		ct_max_per_port $((VNET_SHARE + 1))
	param_refused "ct_max_per_vnet below ct_max_per_port is refused" \
		ct_max_per_vnet $((PORT_SHARE - 1))
	param_refused "ct_max_per_vnet above ct_max is refused" \
		ct_max_per_vnet $((CT_MAX + 1))
	param_refused "ct_max below ct_max_per_vnet is refused" \
		ct_max $((VNET_SHARE - 1))
	param_refused "a value that is no number is refused" ct_max_per_vnet many
	check "equal values are accepted" \
		sh -c "echo $VNET_SHARE >$PARAMS/ct_max_per_port && echo $CT_MAX >$PARAMS/ct_max_per_vnet"
	echo $PORT_SHARE >$PARAMS/ct_max_per_port
	echo $VNET_SHARE >$PARAMS/ct_max_per_vnet
}

# ---- at load time the three limits are given in any order ----
# (the module reloads: the objects of this test go with it)
ko=${VNET_KO:?VNET_KO is set by vm.sh}
limits()
{
	echo "$(<$PARAMS/ct_max) $(<$PARAMS/ct_max_per_vnet) $(<$PARAMS/ct_max_per_port)"
}
load_time()
{
	check "rmmod" rmmod vnet
	check_fail "insmod with ct_max_per_vnet above ct_max fails" \
		insmod "$ko" ct_max=100 ct_max_per_vnet=200
	check "insmod with the shares before ct_max loads" \
		insmod "$ko" ct_max_per_port=10 ct_max_per_vnet=50 ct_max=100
	check_output "and takes them" "100 50 10" limits
	rmmod vnet
	check "insmod with ct_max alone loads" insmod "$ko" ct_max=1000
	check_output "the vnet share is a quarter, the port share no more" \
		"1000 250 250" limits
	rmmod vnet
	insmod "$ko"
	[ -d /sys/module/vnet ] || insmod "$ko"
	check_output "the defaults" "1048576 262144 65536" limits
}

tests_run
done_testing
