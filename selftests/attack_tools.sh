#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real attack tools against vnet's port ACLs (issue 11, "make
# check-attack"; not part of make check): thc-ipv6 (atk6-firewall6,
# atk6-fragmentation6, atk6-implementation6, atk6-fake_router6), nmap
# fragment scans and hping3 (fragmented, IP options, spoofed), run as
# root from a hostile tenant VM against a victim port whose inbound ACL
# denies TCP 23 and UDP 161 (and allows TCP 80, UDP 53).
#
#   vnet A 10.1/16 fd00:1::/48, subnet web: atk 10.1.1.10 (the tools),
#   vic 10.1.1.20 (listens on TCP 23 and 80, accept_ra 2)
#
# For each tool the victim's eth0 and the attacker's host-side port
# (which sees every frame before vnet's hook) are captured with tcpdump,
# proven running by a control frame before the tool starts and complete
# by another after it ends; attack.py analyze counts the datagrams the
# tool sent toward the victim and those that reached a denied port there,
# fragments reassembled both ways an overlap can go. What reaches a
# denied port must be 0 for every tool. Prints each tool's own verdicts as comments and
# the time each took. Runs inside the VM: selftests/vm.sh
# selftests/attack_tools.sh [TOOL...] (TOOL: firewall6 firewall6-udp
# fragmentation6 implementation6 fake_router6 nmap hping3).
source "$(dirname "$0")/lib.sh"

ATTACK="/usr/bin/python3 $(dirname "$(realpath "$0")")/attack.py"
ALL="firewall6 firewall6-udp fragmentation6 implementation6 fake_router6 nmap hping3"
TOOLS=${*:-${VNET_ATTACK_TOOLS:-$ALL}}
START=$(date +%s)
VIC4=10.1.1.20
VIC6=fd00:1:0:1::20
DENIED=tcp:23,udp:161

for t in atk6-firewall6 atk6-fragmentation6 atk6-implementation6 \
	atk6-fake_router6 nmap hping3 tcpdump; do
	command -v "$t" >/dev/null ||
		{ echo "Bail out! $t is missing (make check-attack installs it)"; exit 1; }
done

v vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
v subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
add_vm atk A web 10.1.1.10 fd00:1:0:1::10 52:54:00:00:01:10
add_vm vic A web "$VIC4" "$VIC6" 52:54:00:00:01:20
v acl add A port vm-vic dir in prio 10 action allow proto tcp dport 80
v acl add A port vm-vic dir in prio 11 action allow proto udp dport 53
v acl add A port vm-vic dir in prio 20 action deny proto tcp dport 23
v acl add A port vm-vic dir in prio 21 action deny proto udp dport 161
vm vic sysctl -qw net.ipv6.conf.eth0.accept_ra=2
vm_bg vic $ATTACK serve 23 80 >/dev/null 2>&1
check "vic is reachable from atk (IPv4)" reach atk "$VIC4"
check "vic is reachable from atk (IPv6)" reach atk "$VIC6"
check "TCP to the allowed port 80 connects" retry 10 vm atk nc -z -w 3 "$VIC6" 80

# capture NAME: tcpdump on vic's eth0 into NAME.pcap and on atk's host
# side port into NAME-sent.pcap, both proven running.
CAP=
capture()
{
	rm -f "$WORK/$1.pcap" "$WORK/$1-sent.pcap"
	vm_bg vic tcpdump -U -nni eth0 -w "$WORK/$1.pcap" >/dev/null 2>&1
	CAP=$!
	ip netns exec "$CTL" tcpdump -U -nni vm-atk -w "$WORK/$1-sent.pcap" >/dev/null 2>&1 &
	CAP+=" $!"
	seen "$1" a
}
# seen NAME MARK: a control frame sent until both captures have it.
seen()
{
	local tok="@C$1-$2@"
	for _ in $(seq 100); do
		vm atk bash -c "echo '$tok' >/dev/udp/$VIC4/9" 2>/dev/null
		grep -qaF "$tok" "$WORK/$1.pcap" 2>/dev/null &&
			grep -qaF "$tok" "$WORK/$1-sent.pcap" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}
# uncapture NAME: a last control frame, then the captures stop.
uncapture()
{
	seen "$1" z
	# shellcheck disable=SC2086
	kill $CAP 2>/dev/null
	# shellcheck disable=SC2086
	wait $CAP 2>/dev/null
}

# drops: atk's port's drop counters, "reason=n ..." (no process but v).
drops()
{
	local j re='"([a-z0-9-]+)":([0-9]+)' out=
	j=$(v -j stats vm-atk)
	j=${j#*\"drops\":\{}
	j=${j%%\}*}
	while [[ $j =~ $re ]]; do
		out+="${BASH_REMATCH[1]}=${BASH_REMATCH[2]} "
		j=${j#*"${BASH_REMATCH[0]}"}
	done
	echo "$out"
}
# delta BEFORE AFTER: the counts that grew, "reason +n ...".
delta()
{
	local -A b=()
	local kv out=
	for kv in $1; do b[${kv%=*}]=${kv#*=}; done
	for kv in $2; do
		(( ${kv#*=} > ${b[${kv%=*}]:-0} )) &&
			out+="${kv%=*} +$(( ${kv#*=} - ${b[${kv%=*}]:-0} )) "
	done
	echo "${out:-none}"
}

# run NAME TIMEOUT CMD...: CMD in atk with vic captured; its output in
# $WORK/NAME.out, its verdict lines as comments, then the checks.
RAS=0
run()
{
	local name=$1 limit=$2 t0 secs out d0
	shift 2
	if ! capture "$name"; then
		fail "$name: the victim's capture runs" "no control frame"
		return
	fi
	d0=$(drops)
	t0=$(date +%s)
	vm atk timeout "$limit" "$@" >"$WORK/$name.out" 2>&1
	secs=$(( $(date +%s) - t0 ))
	uncapture "$name"
	echo "# $name: drops on atk's port: $(delta "$d0" "$(drops)")"
	echo "# $name ($*): $secs s"
	# The tool's own verdicts (thc-ipv6: "PASSED" is a bypass it saw).
	grep -aE 'Test +[0-9]+|PASSED|FAILED|^[0-9]+/(tcp|udp)|flags=|packets transmitted|[Ee]rror|[Ww]arning|Starting|Nmap done' \
		"$WORK/$name.out" | head -n 80 | sed 's/^/#   /'
	out=$($ATTACK analyze "$VIC4,$VIC6" "$DENIED" "$WORK/$name-sent.pcap" \
		"$WORK/$name.pcap")
	read -r _ sent sent_denied RAS <<<"$(sed -n 1p <<<"$out")"
	read -r _ arrived denied ras_in <<<"$(grep -v '^ ' <<<"$out" | sed -n 2p)"
	echo "# $name: sent toward vic $sent datagrams ($sent_denied to a denied port) and $RAS router advertisements; at vic: $arrived datagrams, $denied at a denied port, $ras_in router advertisements (fragments reassembled, control frames included)"
	awk '/^[^ ]/ { p = $1 !~ /-sent\.pcap$/ } p && /^  arrived:/' <<<"$out" | sed 's/^ */#   vic: /'
	if [ "${sent:-0}" -gt 2 ] || [ "${RAS:-0}" -gt 0 ]; then
		ok "$name: the tool sent datagrams toward the victim"
	else
		fail "$name: the tool sent datagrams toward the victim" \
			"$(tail -n 5 "$WORK/$name.out")"
	fi
	if [ "${denied:-x}" = 0 ]; then
		ok "$name: nothing reached the denied ports ($DENIED)"
	else
		fail "$name: nothing reached the denied ports ($DENIED)" \
			"$(awk '/^[^ ]/ { p = $1 !~ /-sent\.pcap$/ } p && /^  [TU]/' <<<"$out" | head -n 25)"
	fi
}

ra_learned()
{
	vm vic ip -6 addr show dev eth0 | grep -q 2001:db8:bad ||
		vm vic ip -6 route show | grep -q 'proto ra'
}

for tool in $TOOLS; do
	case $tool in
	firewall6)
		run firewall6 900 atk6-firewall6 eth0 "$VIC6" 23 ;;
	firewall6-udp)
		run firewall6-udp 900 atk6-firewall6 -u eth0 "$VIC6" 161 ;;
	fragmentation6)
		run fragmentation6 900 atk6-fragmentation6 eth0 "$VIC6" ;;
	implementation6)
		run implementation6 900 atk6-implementation6 eth0 "$VIC6" ;;
	fake_router6)
		for o in "" -H -F -D; do
			run "fake_router6${o}" 12 atk6-fake_router6 $o eth0 2001:db8:bad::/64
			if [ "${RAS:-0}" -gt 0 ] && [ "${ras_in:-x}" = 0 ]; then
				ok "fake_router6${o}: none of its $RAS router advertisements reached vic"
			else
				fail "fake_router6${o}: none of its router advertisements reached vic" \
					"sent ${RAS:-?}, at vic ${ras_in:-?}"
			fi
		done
		check_fail "fake_router6: vic (accept_ra 2) gained no address or route" \
			ra_learned
		;;
	nmap)
		# nmap 7.93 fragments IPv4 only ("fragmentation is not
		# supported with IPv6"): IPv6 gets a plain SYN scan.
		run nmap6 300 nmap -6 -e eth0 -Pn -n -sS -p 23,80 "$VIC6"
		run nmap4-f 300 nmap -e eth0 -Pn -n -sS -f -p 23,80 "$VIC4"
		run nmap4-mtu16 300 nmap -e eth0 -Pn -n -sS --mtu 16 -p 23,80 "$VIC4"
		run nmap4-ipopt-rr 300 nmap -e eth0 -Pn -n -sS --ip-options R -p 23,80 "$VIC4"
		run nmap4-decoys 300 nmap -e eth0 -Pn -n -sS -D 10.1.1.98,10.1.1.99,ME -p 23,80 "$VIC4"
		# nmap fragments TCP scans only: UDP plainly (hping3 fragments UDP).
		run nmap4-udp 300 nmap -e eth0 -Pn -n -sU -p 161,53 "$VIC4"
		for n in nmap6 nmap4-f nmap4-mtu16 nmap4-ipopt-rr nmap4-decoys; do
			if grep -qE '^23/tcp +(open|closed)' "$WORK/$n.out"; then
				fail "$n: port 23 looks filtered" "$(grep '^23/' "$WORK/$n.out")"
			else
				ok "$n: port 23 looks filtered"
			fi
		done
		;;
	hping3)
		run hping3-frag 60 hping3 -I eth0 -c 5 -i u200000 -S -p 23 -f "$VIC4"
		run hping3-frag-mtu8 60 hping3 -I eth0 -c 5 -i u200000 -S -p 23 -m 8 "$VIC4"
		run hping3-rroute 60 hping3 -I eth0 -c 5 -i u200000 -S -p 23 -G "$VIC4"
		run hping3-spoofed 60 hping3 -I eth0 -c 5 -i u200000 -S -p 23 -a 10.1.1.99 "$VIC4"
		run hping3-udp-frag 60 hping3 -I eth0 -c 5 -i u200000 -2 -p 161 -f -d 64 "$VIC4"
		run hping3-allowed-frag 60 hping3 -I eth0 -c 5 -i u200000 -S -p 80 -f "$VIC4"
		if grep -q 'flags=SA' "$WORK/hping3-allowed-frag.out"; then
			ok "hping3 control: fragmented SYNs to the allowed port 80 get SYN-ACKs"
		else
			fail "hping3 control: fragmented SYNs to the allowed port 80 get SYN-ACKs" \
				"$(tail -n 5 "$WORK/hping3-allowed-frag.out")"
		fi
		;;
	*)
		fail "tool $tool is known" "known: $ALL" ;;
	esac
done
echo "# drops on atk's port: $(v -j stats vm-atk | sed -n 's/.*"drops":\({[^}]*}\).*/\1/p')"
echo "# attack_tools.sh: $(( $(date +%s) - START )) s"
done_testing
