#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ports outlive their interfaces (rule 12, issue 15): a VM on a tap driven
# the way QEMU drives one (tap_relay.py holds the tap's fd and relays its
# frames to a veth whose other end is the VM's namespace, so that
# namespace's own kernel speaks ARP, ND, ping and TCP through the tap).
# Its port is declared before the tap exists (state absent, traffic to it
# drops as port-absent), comes up with the tap, and survives the tap going
# and coming back three times with its ACL and its lb backend role;
# vnetctl monitor, running through the whole test, shows each change.
#
# The cases build on each other and run in order: absent_port leaves the
# port absent, relay_up leaves it up, acl_and_lb adds the ACL and the lb,
# cycles leaves it up, port_del removes it, monitor_lines reads what the
# monitors printed meanwhile.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	absent_port
	relay_up
	acl_and_lb
	cycles
	port_del
	monitor_lines
"

# Topology:
#
#   vnet A 10.1.0.0/16 fd00:1::/48, subnet s 10.1.1.0/24 fd00:1:0:1::/64
#     c1  .10  an ordinary VM (veth, port vm-c1): the client
#     b2  .5   an ordinary VM (veth, port vm-b2): the lb's other backend
#     q1  .20  the "QEMU VM": namespace NS_q1, its eth0 a veth whose host
#              end vq-q1 (in $CTL) is no port; the port is tap-q1, the tap
#              tap_relay.py creates in $CTL and relays to vq-q1
#   acl  A port tap-q1 dir in prio 100 action deny proto tcp dport 9000
#   lb   A web frontend 10.1.0.100 tcp 80 -> 10.1.1.20:8080, 10.1.1.5:8080

HERE=$(dirname "$(realpath "$0")")
RELAY=(/usr/bin/python3 -S "$HERE/tap_relay.py")
LB=(/usr/bin/python3 "$HERE/lb.py")
TAP=tap-q1
QMAC=52:54:00:01:01:20
Q4=10.1.1.20
Q6=fd00:1:0:1::20
DENIED=9000	# the port the ACL denies; tcp_echo uses 7000-7999

# The VM has no udev to load it; veth is loaded by lib.sh.
modprobe -q tun 2>/dev/null

# Through the whole test: the monitors, text and JSON (the pid is
# vnetctl's own, not a subshell's).
MON='' JMON=''
if monitor_start MON "$WORK/mon" vnetctl -n "$CTL" &&
	monitor_start JMON "$WORK/jmon" vnetctl -n "$CTL" -j; then
	ok "vnetctl monitor and monitor -j listen"
else
	fail "vnetctl monitor and monitor -j listen" "$(cat "$WORK/mon" "$WORK/jmon")"
fi

v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v subnet add A s prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
add_vm c1 A s 10.1.1.10 fd00:1:0:1::10 52:54:00:01:01:10
add_vm b2 A s 10.1.1.5 fd00:1:0:1::5 52:54:00:01:01:05

# The QEMU VM: its namespace and the veth to the relay; no port.
NS_q1=
ns_new NS_q1 q1
ip -n "$CTL" -b - <<EOF
link add vq-q1 type veth peer name eth0 netns $NS_q1
link set vq-q1 up
EOF
ip -n "$NS_q1" -b - <<EOF
link set eth0 address $QMAC up
addr add $Q4/24 dev eth0
addr add $Q6/64 dev eth0 nodad
route add default via 10.1.1.1
route add ::/0 via fd00:1:0:1::1
EOF
for b in q1 b2; do	# the lb's backends
	vm_bg "$b" "${LB[@]}" serve "$b" 8080 >/dev/null 2>&1
done

state()		# what a refusal must leave alone (one vnetctl: a batch)
{
	printf '%s\n' "port show" "acl show A" "lb show" | v -j -b -
}

port_state()	# DEV: the state field of its port show line
{
	v port show "$1" 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "state") print $(i + 1) }'
}
port_state_is()	# DEV STATE: it is; true also when DEV is no port (waiting
{		# cannot help then: check_port_state decides)
	local out
	out=$(v port show "$1" 2>/dev/null) || return 0
	[[ $out == *" state $2" ]]
}
# check_port_state DESC DEV STATE: the port reaches STATE (the binding
# follows the interface's notifier: asked until it shows, bounded).
check_port_state()
{
	busywait "${STATE_WAIT_MS:-20000}" port_state_is "$2" "$3"
	if [ "$(port_state "$2")" = "$3" ]; then
		ok "$1"
	else
		fail "$1" "port show $2: $(v port show "$2" 2>&1)"
	fi
}
# check_json_state DESC DEV STATE: port show -j has "state":"STATE".
check_json_state()
{
	local out
	out=$(v -j port show "$2" 2>&1)
	if [[ $out == *'"dev":"'"$2"'"'* && $out == *'"state":"'"$3"'"'* ]]; then
		ok "$1"
	else
		fail "$1" "$out"
	fi
}

# gate STATE: whether the checks that need the port in STATE (up or
# absent) can pass: the port exists and is not in the other state (a port
# line without a state counts as up). A closed gate makes "gated" fail
# those checks at once, instead of each waiting for its bound.
GATE=1 GATE_STATE=up
gate()
{
	local out
	GATE=0 GATE_STATE=$1
	out=$(v port show "$TAP" 2>/dev/null) || return 0
	case $1 in
	up) [[ $out == *" state absent" ]] || GATE=1 ;;
	absent) [[ $out == *" state up" ]] || GATE=1 ;;
	esac
}
# gated FUNC DESC ARG...: runs FUNC DESC ARG... (check, dropped_as,
# lb_ask, ...) if the last gate opened; else "not ok DESC".
gated()
{
	if [ "$GATE" = 1 ]; then
		"$@"
	else
		fail "$2" "not run: port $TAP is not $GATE_STATE: $(v port show "$TAP" 2>&1)"
	fi
}

# start_relay: tap_relay.py in $CTL, in the background ($RELAY_PID is its
# own pid: ip netns exec execs it); returns once it printed "ready TAP"
# (the tap is up and its socket bound).
RELAY_PID=
start_relay()
{
	rm -f "$WORK/relay.out"
	ip netns exec "$CTL" "${RELAY[@]}" "$TAP" vq-q1 >"$WORK/relay.out" 2>"$WORK/relay.err" &
	RELAY_PID=$!
	if ! busywait 30000 grep -qsx "ready $TAP" "$WORK/relay.out"; then
		echo "tap_relay.py not ready: $(cat "$WORK/relay.out" "$WORK/relay.err")" >&2
		return 1
	fi
}
# stop_relay: SIGTERM, as when the VM stops; once it is reaped its fd is
# closed and the tap gone.
stop_relay()
{
	[ -n "$RELAY_PID" ] || return 0
	kill "$RELAY_PID" 2>/dev/null
	wait "$RELAY_PID" 2>/dev/null
	RELAY_PID=
	! ip -n "$CTL" link show "$TAP" >/dev/null 2>&1
}

# lb_ask DESC CONNS: CONNS connections from c1 to the frontend, one
# request each, every one answered; the names of the backends that
# answered in $WORK/last, one line per connection.
lb_ask()
{
	local out
	# No lb (its add failed): say so at once; lb.py would retry each
	# connection for a long time.
	if ! v lb show A 2>/dev/null | grep -q '^A web '; then
		: >"$WORK/last"
		fail "$1" "no lb web: $(v lb show A 2>&1)"
		return
	fi
	out=$(vm c1 "${LB[@]}" ask tcp 10.1.0.100 80 "$2" 1 2>&1)
	printf '%s\n' "$out" >"$WORK/last"
	if grep -q failed <<<"$out" || [ "$(grep -c '^[a-z]' <<<"$out")" -ne "$2" ]; then
		fail "$1" "expected $2 answered connections: $out"
	else
		ok "$1"
	fi
}
# used DESC NAMES: the backends in the last lb_ask were exactly NAMES
# (sorted, space-separated).
used()
{
	local got
	got=$(sort -u "$WORK/last" | tr '\n' ' ')
	if [ "${got% }" = "$2" ]; then
		ok "$1"
	else
		fail "$1" "backends used: ${got% }"
	fi
}

# The port before its tap: absent, and traffic to it drops.
absent_port()
{
	check_fail "no interface $TAP yet" ip -n "$CTL" link show "$TAP"
	check "port add of an interface that does not exist yet" \
		v port add "$TAP" vnet A subnet s mac "$QMAC" ip "$Q4" ip "$Q6"
	check_output "port show: state absent" \
		"$TAP vnet A subnet s mac $QMAC ip $Q4 ip $Q6 forwarding off state absent" \
		v port show "$TAP"
	check_json_state "port show -j: \"state\":\"absent\"" "$TAP" absent
	check_output "port show of an up port: state up" \
		"vm-c1 vnet A subnet s mac 52:54:00:01:01:10 ip 10.1.1.10 ip fd00:1:0:1::10 forwarding off state up" \
		v port show vm-c1
	refused "an absent port's IP stays its own" "$Q4" \
		v port add tap-x vnet A subnet s mac 52:54:00:01:01:99 ip "$Q4"
	gate absent
	gated dropped_as "to the absent port (IPv4): dropped, counted port-absent on the sender" \
		c1 "$Q4" vm-c1 port-absent
	gated dropped_as "to the absent port (IPv6): dropped, counted port-absent on the sender" \
		c1 "$Q6" vm-c1 port-absent
}

# The VM starts: its tap appears and is bound.
relay_up()
{
	start_relay
	check "tap_relay.py: the tap is up and relayed" test $? -eq 0
	check_port_state "the tap appeared: state up" "$TAP" up
	check_output "port show: state up" \
		"$TAP vnet A subnet s mac $QMAC ip $Q4 ip $Q6 forwarding off state up" \
		v port show "$TAP"
	check_json_state "port show -j: \"state\":\"up\"" "$TAP" up
	gate up
	gated check "ping to the tap VM (IPv4)" reach c1 "$Q4"
	gated check "ping to the tap VM (IPv6)" reach c1 "$Q6"
	gated check "ping from the tap VM (IPv4)" reach q1 10.1.1.10
	gated check "ping from the tap VM (IPv6)" reach q1 fd00:1:0:1::10
	gated check "TCP to the tap VM (IPv4)" tcp_echo c1 q1 "$Q4"
	gated check "TCP from the tap VM (IPv4)" tcp_echo q1 c1 10.1.1.10
	gated check "TCP to the tap VM (IPv6)" tcp_echo c1 q1 "$Q6"
	gated check "TCP from the tap VM (IPv6)" tcp_echo q1 c1 fd00:1:0:1::10
}

# The tap's port gets an ACL and an lb backend role while it is up.
acl_and_lb()
{
	gate up
	check "a port ACL on the tap's port" \
		v acl add A port "$TAP" dir in prio 100 action deny proto tcp dport "$DENIED"
	gated check "the ACL denies TCP $DENIED to the tap VM" \
		tcp_dropped c1 q1 "$Q4" "$DENIED" acl vm-c1
	gated check "the ACL lets other TCP through" tcp_echo c1 q1 "$Q4"
	check "an lb with the tap VM and an ordinary VM as backends" \
		v lb add A web frontend 10.1.0.100 proto tcp port 80 \
		backend "$Q4:8080" backend 10.1.1.5:8080
	wait_listen q1 tcp 8080
	wait_listen b2 tcp 8080
	gated lb_ask "16 connections through the lb, all answered" 16
	gated used "the lb uses both backends, the tap VM's too" "b2 q1"
}

# Three times: the VM stops (its tap goes), the port waits, the VM starts.
cycles()
{
	local i
	for i in 1 2 3; do
		echo "# cycle $i"
		stop_relay
		check "cycle $i: the relay stopped, the tap is gone" test $? -eq 0
		check_port_state "cycle $i: the tap went: state absent" "$TAP" absent
		check_output "cycle $i: port show keeps the addresses" \
			"$TAP vnet A subnet s mac $QMAC ip $Q4 ip $Q6 forwarding off state absent" \
			v port show "$TAP"
		gate absent
		gated dropped_as "cycle $i: to the absent port: dropped as port-absent" \
			c1 "$Q4" vm-c1 port-absent
		check_output "cycle $i: the port keeps its ACL" \
			"A port $TAP dir in prio 100 action deny proto tcp dport $DENIED" \
			sh -c "vnetctl -n $CTL acl show A | grep ' port $TAP '"
		lb_ask "cycle $i: the lb answers without the tap VM" 8
		used "cycle $i: every connection goes to the other backend" "b2"

		start_relay
		check "cycle $i: the relay started again" test $? -eq 0
		check_port_state "cycle $i: the tap is back: state up" "$TAP" up
		gate up
		gated check "cycle $i: ping to the tap VM again" reach c1 "$Q4"
		gated check "cycle $i: the ACL still denies TCP $DENIED" \
			tcp_dropped c1 q1 "$Q4" "$DENIED" acl vm-c1
		gated check "cycle $i: the ACL still lets other TCP through" \
			tcp_echo c1 q1 "$Q4"
		gated lb_ask "cycle $i: the lb answers" 16
		gated used "cycle $i: the lb uses the tap VM again" "b2 q1"
	done
}

# The VM stops for good: its absent port is changed in place, then deleted
# with its ACL; a tap of that name later is no port.
port_del()
{
	stop_relay
	check_port_state "the tap went: state absent" "$TAP" absent
	check "port set changes an absent port in place" \
		v port set "$TAP" forwarding on
	check_output "port show: forwarding on, still absent" \
		"$TAP vnet A subnet s mac $QMAC ip $Q4 ip $Q6 forwarding on state absent" \
		v port show "$TAP"
	check_output "port set keeps the port's ACL" \
		"A port $TAP dir in prio 100 action deny proto tcp dport $DENIED" \
		sh -c "vnetctl -n $CTL acl show A | grep ' port $TAP '"
	refused "a backend's port cannot be deleted, absent or not" "$TAP|web" \
		v port del "$TAP"
	check "lb del" v lb del A web
	check "port del of the absent port" v port del "$TAP"
	check_output "port show has no line for it" "" \
		sh -c "vnetctl -n $CTL port show | grep '^$TAP '"
	check_exit 1 "port show of it is refused" v port show "$TAP"
	check_output "its ACL went with it" "" \
		sh -c "vnetctl -n $CTL acl show A | grep ' port $TAP '"
	start_relay
	check "the relay again, after port del" test $? -eq 0
	check_output "a tap of a deleted port's name is no port" "" \
		sh -c "vnetctl -n $CTL port show | grep '^$TAP '"
	dropped_as "to its old address: dropped as no-port" c1 "$Q4" vm-c1 no-port
	stop_relay
}

# What the monitors printed: one state line per change, in order.
monitor_lines()
{
	busywait 10000 grep -Eq "^port del $TAP( |\$)" "$WORK/mon"
	busywait 10000 grep -q '"event":"del","object":"port","dev":"'"$TAP"'"' "$WORK/jmon"
	kill "$MON" "$JMON" 2>/dev/null
	wait "$MON" "$JMON" 2>/dev/null
	check_output "monitor: port state lines, one per change, in order" \
"port state $TAP up
port state $TAP absent
port state $TAP up
port state $TAP absent
port state $TAP up
port state $TAP absent
port state $TAP up
port state $TAP absent
port del $TAP" sh -c "grep -E '^port (state $TAP |del $TAP( |\$))' $WORK/mon |
		cut -d' ' -f1-4 | sed 's/^\(port del [^ ]*\) .*/\1/'"
	check_output "monitor: no state line for ordinary ports" "" \
		grep "^port state vm-" "$WORK/mon"
	# A state event carries the port as port show -j prints it.
	check_output "monitor -j: the first state change" \
		'{"event":"state","object":"port","dev":"'"$TAP"'","vnet":"A","subnet":"s","mac":"52:54:00:01:01:20","ips":["10.1.1.20","fd00:1:0:1::20"],"forwarding":false,"state":"up"}' \
		sh -c "grep '\"event\":\"state\",\"object\":\"port\"' $WORK/jmon | head -n 1"
	check_output "monitor -j: as many port state events as the text monitor" 8 \
		grep -c '"event":"state","object":"port","dev":"'"$TAP"'"' "$WORK/jmon"
	check_output "monitor -j: up and absent alternate" \
		"up absent up absent up absent up absent" \
		sh -c "grep '\"event\":\"state\",\"object\":\"port\"' $WORK/jmon |
			sed 's/.*\"state\":\"\\([a-z]*\\)\".*/\\1/' | tr '\n' ' ' | sed 's/ \$//'"
}

tests_run
stop_relay
done_testing
