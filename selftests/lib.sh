# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by every selftests/test_*.sh, which run as root inside the VM
# (selftests/vm.sh) with vnet.ko loaded and vnetctl on PATH.
#
# TAP: one "ok N - what" or "not ok N - what" line per check, numbered
# automatically, details of a failure as "# " comment lines, and the plan
# "1..N" at the end (done_testing). Topologies live in fresh network
# namespaces with random suffixes, removed on exit whatever happens.
#
# No "set -e": a test goes on after a failed check and reports the rest.
set -u

T_NUM=0
T_FAILED=0
T_NAMESPACES=()
declare -A NS=()	# ns_create: logical name -> real namespace name

# A private scratch folder for the test's files.
WORK=$(mktemp -d)

# VNET_TEST_TIMES=1 (vm.sh passes VNET_* on): each check's line ends with
# the seconds since the previous one, to find the slow ones.
T_LAST=${EPOCHREALTIME/./}
T_TOOK=
t_took()
{
	local now=${EPOCHREALTIME/./} d
	T_TOOK=
	[ "${VNET_TEST_TIMES:-0}" = 1 ] || return 0
	d=$(((now - T_LAST) / 10000))
	T_LAST=$now
	printf -v T_TOOK ' # %d.%02d s' $((d / 100)) $((d % 100))
}

ok()
{
	T_NUM=$((T_NUM + 1))
	t_took
	echo "ok $T_NUM - $1$T_TOOK"
}

# fail DESC [DETAILS]: DETAILS become "# " comment lines.
fail()
{
	T_NUM=$((T_NUM + 1))
	T_FAILED=$((T_FAILED + 1))
	t_took
	echo "not ok $T_NUM - $1$T_TOOK"
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" | head -n 40 | sed 's/^/# /'
	fi
	return 0
}

# skip DESC [WHY]
skip()
{
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1 # SKIP ${2:-}"
}

# check DESC CMD...: CMD succeeds.
check()
{
	local desc=$1 out status=0
	shift
	out=$("$@" 2>&1) || status=$?
	if [ "$status" -eq 0 ]; then
		ok "$desc"
	else
		fail "$desc" "exit status $status: $out"
	fi
}

# check_fail DESC CMD...: CMD fails.
check_fail()
{
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$desc" "succeeded: $out"
	else
		ok "$desc"
	fi
}

# check_exit STATUS DESC CMD...: CMD exits with exactly STATUS.
check_exit()
{
	local want=$1 desc=$2 out status=0
	shift 2
	out=$("$@" 2>&1) || status=$?
	if [ "$status" -eq "$want" ]; then
		ok "$desc"
	else
		fail "$desc" "exit status $status, expected $want: $out"
	fi
}

# check_output DESC EXPECTED CMD...: CMD prints exactly EXPECTED on stdout
# (stderr is shown on a mismatch, never compared).
check_output()
{
	local desc=$1 want=$2 out
	shift 2
	out=$("$@" 2>"$WORK/.stderr")
	if [ "$out" = "$want" ]; then
		ok "$desc"
	else
		# Files, not <(...): the VM may have no /dev/fd.
		printf '%s\n' "$want" >"$WORK/.want"
		printf '%s\n' "$out" >"$WORK/.got"
		fail "$desc" "$(diff -u "$WORK/.want" "$WORK/.got" | tail -n +3
			cat "$WORK/.stderr")"
	fi
}

# retry TRIES CMD...: under emulation a first packet can take a second
# (ARP, cold caches), so try CMD a few times before calling it failed.
retry()
{
	local tries=$1 i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# nap SECONDS: sleep without a process (a read that times out on a FIFO
# nobody writes): polling loops run it many times.
mkfifo "$WORK/.nap" && exec {NAP_FD}<>"$WORK/.nap"
nap()
{
	read -rt "$1" -u "$NAP_FD" _ || :
}

# busywait TIMEOUT_MS CMD...: runs CMD until it succeeds, every 50 ms,
# for at most TIMEOUT_MS (at least once); CMD's last status. Like busywait
# in the kernel's tools/testing/selftests/net/forwarding/lib.sh: decide as
# soon as the state is there, never after a fixed sleep.
busywait()
{
	local timeout_us=$(($1 * 1000)) start status
	shift
	start=${EPOCHREALTIME/./}
	while :; do
		status=0
		"$@" || status=$?
		[ "$status" -eq 0 ] && return 0
		[ $((${EPOCHREALTIME/./} - start)) -lt "$timeout_us" ] || return "$status"
		nap 0.05
	done
}

# Registers a namespace for removal at exit; lo is up.
ns_add()
{
	ip netns add "$1" || { echo "# cannot create namespace $1" >&2; exit 1; }
	T_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

# ns_create NAME...: fresh namespaces NAME-<random>; ${NS[NAME]} (or
# "$(ns NAME)") is the real name, and in_ns and veth_ns take either.
ns_create()
{
	local name
	for name in "$@"; do
		NS[$name]="$name-$RANDOM$RANDOM"
		ns_add "${NS[$name]}"
	done
}

# ns_new VAR PREFIX: a fresh namespace PREFIX-<random>, its name in VAR.
ns_new()
{
	local name="$2-$RANDOM$RANDOM"
	ns_add "$name"
	printf -v "$1" '%s' "$name"
}

# ns NAME: the real name of a namespace made by ns_create (else NAME).
ns()
{
	echo "${NS[$1]:-$1}"
}

# in_ns NS CMD...: runs CMD in namespace NS.
in_ns()
{
	local n
	n=$(ns "$1")
	shift
	ip netns exec "$n" "$@"
}

# veth_ns NS IFNAME_IN_NS HOSTIFNAME: a veth pair, HOSTIFNAME in the
# current namespace and IFNAME_IN_NS in NS, both up. Use names longer than
# one letter: "ip link add a ..." reads "a" as the keyword "address".
veth_ns()
{
	local n
	n=$(ns "$1")
	ip link add "$3" type veth peer name "$2" netns "$n" &&
		ip link set "$3" up &&
		ip -n "$n" link set "$2" up
}

cleanup()
{
	local ns
	# Background helpers (servers, monitors) must not outlive the test.
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	for ns in "${T_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# tests_run: runs the test cases (functions) named in TESTS, or in
# VNET_TESTS (vm.sh passes VNET_* on), by default ALL_TESTS, in order; like
# tests_run in the kernel's net/forwarding/lib.sh. A test file whose cases
# each leave the topology as they found it can rerun one alone:
#   VNET_TESTS=port_security selftests/vm.sh selftests/test_datapath.sh
tests_run()
{
	local t
	for t in ${TESTS:-${VNET_TESTS:-$ALL_TESTS}}; do
		if [ "$(type -t "$t")" != function ]; then
			fail "no test case $t" "cases:${ALL_TESTS//[[:space:]]/ }"
			continue
		fi
		echo "# $t"
		"$t"
	done
}

# done_testing: the plan, and the status: 1 when a check failed.
done_testing()
{
	echo "1..$T_NUM"
	[ "$T_FAILED" -eq 0 ] && exit 0
	exit 1
}

# veth is a module in Debian's kernel, and the VM has no udev to load it.
modprobe -q veth 2>/dev/null

# The "host" whose controller the test configures: a fresh namespace, so
# tests never see each other's objects. v runs vnetctl there.
ns_new CTL host
# VNET_MUTATE=deny-allow turns every "deny" word the test types into
# "allow": the mutation under which its negative checks must fail (the
# packet they expect dropped is let through).
v()
{
	if [ "${VNET_MUTATE:-}" = deny-allow ]; then
		local a args=()
		for a in "$@"; do
			[ "$a" = deny ] && a=allow
			args+=("$a")
		done
		set -- "${args[@]}"
	fi
	vnetctl -n "$CTL" "$@"
}

# state_of VNET PEERING: the state of one side of a peering.
state_of()
{
	v peering show "$1" | awk -v p="$2" \
		'$2 == p { for (i = 3; i < NF; i++) if ($i == "state") print $(i + 1) }'
}

# check_state VNET PEERING STATE DESC
check_state()
{
	local got

	got=$(state_of "$1" "$2")
	if [ "$got" = "$3" ]; then
		ok "$4"
	else
		fail "$4" "state of $1 $2 is \"$got\", expected $3"
	fi
}

# add_vnets NAME:ID...: vnet NAME with 10.ID.0.0/16 and fd00:ID::/48, and
# its subnet s with 10.ID.1.0/24 and fd00:ID:0:1::/64.
add_vnets()
{
	local n name id
	for n in "$@"; do
		name=${n%:*} id=${n#*:}
		v vnet add "$name" id "$id" prefix "10.$id.0.0/16" \
			prefix "fd00:$id::/48" &&
			v subnet add "$name" s prefix "10.$id.1.0/24" \
				prefix "fd00:$id:0:1::/64" || return 1
	done
}

# A VM on the host $CTL: a namespace NS_NAME whose eth0 is a veth with its
# host side, vm-NAME, bound as a port of VNET and SUBNET; routers .1 and ::1.
# Arguments after MAC go to "port add" (forwarding on).
add_vm()	# NAME VNET SUBNET IP4 IP6 MAC [PORT-OPTION...]
{
	local name=$1 vnet=$2 subnet=$3 ip4=$4 ip6=$5 mac=$6 ns
	ns_new "NS_$name" "$name"
	ns="NS_$name"
	ns=${!ns}
	# One ip per namespace (-b): each process costs under emulation.
	ip -n "$CTL" -b - <<-EOF
	link add vm-$name type veth peer name eth0 netns $ns
	link set vm-$name up
	EOF
	ip -n "$ns" -b - <<-EOF
	link set eth0 address $mac up
	addr add $ip4/24 dev eth0
	addr add $ip6/64 dev eth0 nodad
	route add default via ${ip4%.*}.1
	route add ::/0 via ${ip6%::*}::1
	EOF
	v port add "vm-$name" vnet "$vnet" subnet "$subnet" mac "$mac" \
		ip "$ip4" ip "$ip6" "${@:7}"
}

# A VM whose port has forwarding on, and that forwards IP itself.
add_router_vm()	# NAME VNET SUBNET IP4 IP6 MAC
{
	add_vm "$@" forwarding on &&
		vm "$1" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.send_redirects=0 \
			net.ipv4.conf.eth0.send_redirects=0 \
			net.ipv6.conf.all.forwarding=1
}

# replug NAME MAC IP4: the veth of VM NAME (add_vm) made again after its
# deletion: vm-NAME on the host, eth0 in the VM with MAC and IP4/24, both
# up, and the default route through the router.
replug()
{
	local ns="NS_$1"
	ip -n "$CTL" link add "vm-$1" type veth peer name eth0 netns "${!ns}" &&
		ip -n "$CTL" link set "vm-$1" up &&
		ip -n "${!ns}" -b - <<-EOF
		link set eth0 address $2 up
		addr add $3/24 dev eth0
		route add default via ${3%.*}.1
		EOF
}

# vm NAME CMD...: runs CMD in the VM NAME.
vm()
{
	local ns="NS_$1"
	shift
	ip netns exec "${!ns}" "$@"
}

# family ADDR: nc's -4 or -6 (it listens on IPv4 only unless told).
family()
{
	[[ "$1" == *:* ]] && echo -6 || echo -4
}

# vm_bg NAME CMD...: CMD in VM NAME in the background, with $! its own pid
# (not a subshell's), so that killing it stops CMD. Helpers wait for their
# own pids only: servers a test starts may run until its end.
vm_bg()
{
	local ns="NS_$1"
	shift
	ip netns exec "${!ns}" "$@" &
}

reach()		# VM ADDR: ping answers within a few tries
{
	local i
	for i in 1 2 3 4 5; do
		vm "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
	done
	return 1
}

# ---- negative checks decide from the module's counters ----
#
# A drop is counted synchronously, when the port's hook handles the packet:
# once a packet has been sent and its drop counter has moved, the verdict
# is final. So a negative check sends one packet, busywaits (bounded, in
# 50 ms steps) until the expected counter moves, and checks that nothing
# was answered; it never waits for a timeout when it passes. NEG_WAIT_MS
# bounds the wait (only a failing check waits that long).

counters()	# DEV KEY...: a port's stats counters (drop reasons too) on
{		# one line, 0 for each it lacks. STATS: the vnetctl to ask (v).
	local out k line=
	# Polled in loops: no process but vnetctl itself.
	out=$(${STATS:-v} -j stats "$1" 2>/dev/null)
	shift
	for k; do
		if [[ $out =~ \"$k\":([0-9]+) ]]; then
			line+="${BASH_REMATCH[1]} "
		else
			line+="0 "
		fi
	done
	echo "${line% }"
}

counter()	# DEV KEY: one of counters, or with KEY "drops" the sum of
{		# all its drops.
	local out n=0 re
	[ "$2" = drops ] || { counters "$@"; return; }
	out=$(${STATS:-v} -j stats "$1" 2>/dev/null)
	[[ $out =~ \"drops\":\{([^\}]*)\} ]] || { echo 0; return; }
	out=${BASH_REMATCH[1]}
	re=':([0-9]+)(.*)'
	while [[ $out =~ $re ]]; do
		n=$((n + BASH_REMATCH[1]))
		out=${BASH_REMATCH[2]}
	done
	echo "$n"
}

counter_above()	# DEV KEY N: the counter is above N
{
	[ "$(counter "$1" "$2")" -gt "$3" ]
}

# counted DEV KEY VM CMD...: CMD runs in VM in the background (it sends
# packets), until DEV's counter KEY moves (bounded: NEG_WAIT_MS, 20000);
# CMD is killed then (one process: ip netns exec and stdbuf exec it), its
# output left in $WORK/counted.
counted()
{
	local dev=$1 key=$2 vmn=$3 before pid status=0
	shift 3
	before=$(counter "$dev" "$key")
	vm_bg "$vmn" "$@" >"$WORK/counted" 2>&1
	pid=$!
	if ! busywait "${NEG_WAIT_MS:-20000}" counter_above "$dev" "$key" "$before"; then
		echo "counter $key of $dev stayed at $before;" \
			"stats: $(${STATS:-v} stats "$dev")" >&2
		status=1
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return "$status"
}

# no_reach VM ADDR [REASON [DEV]]: one echo request from VM to ADDR is
# dropped by the module, counted on DEV (default VM's own port, vm-VM) as
# REASON (default: any drop reason), and VM gets no reply. Details of a
# failure on stderr (check shows them).
no_reach()
{
	local status=0 err
	# Line-buffered: a reply must be in the file when ping is killed.
	err=$(counted "${4:-vm-$1}" "${3:-drops}" "$1" \
		stdbuf -oL ping -n -c 1 -W 5 "$2" 2>&1) || status=1
	if [ "$status" -ne 0 ] && [ -z "${3:-}" ]; then
		# No reason given (a caller of the older form, whose VM may
		# not be a port vm-VM): an answer to that ping says the path
		# is open; else three more pings go unanswered, as before.
		grep -q 'bytes from' "$WORK/counted" && return 1
		! vm "$1" ping -c 3 -i 0.3 -W 1 "$2" >/dev/null 2>&1
		return
	fi
	[ -z "$err" ] || echo "$err" >&2
	if grep -q 'bytes from' "$WORK/counted"; then
		echo "$2 answered: $(cat "$WORK/counted")" >&2
		status=1
	fi
	return "$status"
}

# dropped_as DESC VM ADDR DEV REASON: a check that ADDR is unreachable
# from VM, the echo request counted on DEV as REASON.
dropped_as()
{
	check "$1" no_reach "$2" "$3" "$5" "$4"
}

# listening VM tcp|udp PORT [N]: N sockets (1) in VM listen on (TCP) or
# are bound to (UDP) PORT. Polled often, so read from /proc, with no
# process: "ip netns exec ... ss" costs a second under a loaded emulator.
listening()
{
	local nsf p f n=0 laddr st want=0A port
	# VM: a VM of add_vm (NS_VM), of ns_create, or a namespace's name.
	if [[ $1 =~ ^[A-Za-z0-9_]+$ ]] && declare -p "NS_$1" >/dev/null 2>&1; then
		nsf=NS_$1
		nsf=/run/netns/${!nsf}
	else
		nsf=/run/netns/$(ns "$1")
	fi
	# /proc/PID/net is the network namespace of PID: find one in VM's.
	for p in /proc/[0-9]*; do
		[[ $p/ns/net -ef $nsf ]] && break
		p=
	done
	[ -n "$p" ] || return 1
	printf -v port '%04X' "$3"
	# TCP_LISTEN is 0A; an unconnected UDP socket is 07 (TCP_CLOSE).
	[ "$2" = tcp ] || want=07
	for f in "$p/net/$2" "$p/net/${2}6"; do
		while read -r _ laddr _ st _; do
			[[ $laddr == *:"$port" && $st == "$want" ]] && n=$((n + 1))
		done <"$f"
	done 2>/dev/null
	[ "$n" -ge "${4:-1}" ]
}

# wait_listen VM tcp|udp PORT [N]: a server started in the background is
# ready once it listens: poll for that instead of sleeping.
wait_listen()
{
	busywait "${LISTEN_WAIT_MS:-15000}" listening "$@"
}

tcp_ok()	# FROM TO ADDR PORT: a short TCP exchange works
{
	local pid i
	rm -f "$WORK/rx"
	# Stopped below: on a loaded machine nc can take seconds to start.
	vm_bg "$2" timeout 120 nc "$(family "$3")" -l "$4" >"$WORK/rx" 2>/dev/null
	pid=$!
	wait_listen "$2" tcp "$4"
	for i in $(seq "${TCP_TRIES:-10}"); do
		echo hello | vm "$1" timeout 3 nc -N -w 2 "$3" "$4" 2>/dev/null && break
		sleep 0.3
	done
	# The listener may write what it read after the client is done.
	for i in $(seq 20); do
		grep -q hello "$WORK/rx" && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -q hello "$WORK/rx"
}

# tcp_echo FROM TO ADDR: a TCP connection carries a line both ways (socat,
# on a random port of 7000-7999). The server waits up to 5 s for cat's
# echo after the client's EOF (socat's default is 0.5 s, which a loaded
# emulated VM can miss while it starts cat) and forks, so a failed try
# does not use up the listener for the next.
tcp_echo()
{
	local from=$1 to=$2 addr=$3 port=$((7000 + RANDOM % 1000)) i got pid
	local f=4 a=$addr
	[[ $addr == *:* ]] && f=6 a="[$addr]"
	vm_bg "$to" timeout 30 socat -t 5 "TCP$f-LISTEN:$port,reuseaddr,fork" \
		EXEC:cat >/dev/null 2>&1
	pid=$!
	wait_listen "$to" tcp "$port"
	for i in $(seq 20); do
		got=$(echo "hello $port" | vm "$from" timeout 8 socat -t 5 - "TCP$f:$a:$port" 2>/dev/null)
		[ "$got" = "hello $port" ] && break
		sleep 0.3
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$got" = "hello $port" ] || { echo "got \"$got\"" >&2; return 1; }
}

# tcp_dropped FROM TO ADDR PORT [REASON [DEV]]: a listener in TO is ready,
# one connection attempt from FROM is dropped by the module, counted on DEV
# (default FROM's port, vm-FROM) as REASON (default: any), and nothing
# arrives. The listener is killed once that is decided.
tcp_dropped()
{
	local from=$1 to=$2 addr=$3 port=$4 reason=${5:-drops} dev=${6:-vm-$1}
	local lpid cpid before status=0
	rm -f "$WORK/rx"
	echo hello >"$WORK/hello"
	vm_bg "$to" nc "$(family "$addr")" -l "$port" >"$WORK/rx" 2>/dev/null
	lpid=$!
	if ! wait_listen "$to" tcp "$port"; then
		echo "no listener on $to port $port" >&2
		kill "$lpid" 2>/dev/null
		wait "$lpid" 2>/dev/null
		return 1
	fi
	before=$(counter "$dev" "$reason")
	vm_bg "$from" nc -N -w 5 "$addr" "$port" <"$WORK/hello" >/dev/null 2>&1
	cpid=$!
	if ! busywait "${NEG_WAIT_MS:-20000}" counter_above "$dev" "$reason" "$before"; then
		echo "drop counter $reason of $dev stayed at $before;" \
			"stats: $(${STATS:-v} stats "$dev")" >&2
		status=1
	fi
	kill "$cpid" "$lpid" 2>/dev/null
	wait "$cpid" "$lpid" 2>/dev/null
	if [ -s "$WORK/rx" ]; then
		echo "the connection went through: $(cat "$WORK/rx")" >&2
		status=1
	fi
	return "$status"
}

# ---- captures: running before the packet, and a positive control ----
#
# A check that must see NOTHING in a capture proves first that the capture
# runs (cap_sync: a control packet it must see), sends what must not
# arrive, then a trailing control (cap_sync again): what came before it
# has been captured too. --immediate-mode: tcpdump otherwise gets packets
# in blocks, up to a second late, and loses them when it is killed.
declare -A CAP_PID=()

# cap_start NAME VM IFACE FILTER [TCPDUMP-OPTION...]: capture into
# $WORK/NAME.pcap.
cap_start()
{
	local name=$1 vmn=$2 ifc=$3 filter=$4
	shift 4
	rm -f "$WORK/$name.pcap"
	vm_bg "$vmn" timeout 300 tcpdump --immediate-mode -U -nn -i "$ifc" "$@" \
		-w "$WORK/$name.pcap" "$filter" >/dev/null 2>"$WORK/$name.err"
	CAP_PID[$name]=$!
}

# cap_count NAME [FILTER [TCPDUMP-OPTION...]]: packets captured so far
# (that match FILTER).
cap_count()
{
	local name=$1 filter=${2:-}
	shift 2 2>/dev/null || shift
	tcpdump -nn "$@" -r "$WORK/$name.pcap" ${filter:+"$filter"} 2>/dev/null | wc -l
}

# cap_show NAME [FILTER [OPTION...]]: what was captured, as tcpdump prints it.
cap_show()
{
	local name=$1 filter=${2:-}
	shift 2 2>/dev/null || shift
	tcpdump -nn "$@" -r "$WORK/$name.pcap" ${filter:+"$filter"} 2>/dev/null
}

cap_seen()	# NAME FILTER: a packet matching FILTER was captured
{
	[ "$(cap_count "$1" "$2")" -gt 0 ]
}

# cap_sync NAME FILTER CMD...: runs CMD (which sends a control packet)
# until a packet matching FILTER shows in the capture; bounded (10 s).
cap_sync()
{
	local name=$1 filter=$2 start=${EPOCHREALTIME/./}
	shift 2
	while [ $((${EPOCHREALTIME/./} - start)) -lt "${CAP_WAIT_MS:-10000}000" ]; do
		"$@" >/dev/null 2>&1
		busywait 300 cap_seen "$name" "$filter" && return 0
	done
	echo "the capture $name never saw $filter: $(cat "$WORK/$name.err")" >&2
	return 1
}

# udp_control VM ADDR PORT [SPORT]: one datagram from VM, a control packet
# for a capture.
udp_control()
{
	local f=4 a=$2
	[[ $2 == *:* ]] && f=6 a="[$2]"
	echo control | vm "$1" socat -u - "UDP$f:$a:$3${4:+,sourceport=$4}"
}

cap_stop()	# NAME
{
	kill "${CAP_PID[$1]}" 2>/dev/null
	wait "${CAP_PID[$1]}" 2>/dev/null
	return 0
}

# refused DESC WORDS CMD...: CMD exits 1, its error names each of WORDS (a
# |-separated list), and the configuration, as the test's own state()
# prints it, is byte for byte the same.
refused()
{
	local desc=$1 words=$2 before after out status=0 w ws
	shift 2
	before=$(state)
	out=$("$@" 2>&1) || status=$?
	after=$(state)
	if [ "$status" -ne 1 ]; then
		fail "$desc" "exit status $status, expected 1: $out"
		return
	elif [ "$before" != "$after" ]; then
		fail "$desc" "the state changed: $out"
		return
	fi
	IFS='|' read -ra ws <<<"$words"
	for w in "${ws[@]}"; do
		if ! grep -qF -- "$w" <<<"$out"; then
			fail "$desc" "the error does not name \"$w\": $out"
			return
		fi
	done
	ok "$desc"
}

# tcp_denied FROM TO ADDR PORT: tcp_ok with two tries, for check_fail;
# tcp_dropped decides faster, from the drop counter.
tcp_denied() { TCP_TRIES=2 tcp_ok "$@"; }

# monitor_start PIDVAR FILE VNETCTL [OPTION...]: "VNETCTL OPTION... monitor"
# in the background into FILE, its pid in PIDVAR; returns once it listens:
# once it prints a change of ours (vnet Sync, added and deleted by
# "VNETCTL OPTION...", so "vnetctl -n NS" works too: lines for the checks
# to leave out). With a program for VNETCTL (not the function v), PIDVAR
# is the monitor's own pid, not a subshell's: killing it stops it.
monitor_start()
{
	local var=$1 file=$2 ctl=$3
	shift 3
	"$ctl" "$@" monitor >"$file" 2>&1 &
	printf -v "$var" '%s' "$!"
	for _ in $(seq 100); do
		"$ctl" "$@" vnet add Sync id 999 prefix 10.250.0.0/16 >/dev/null 2>&1
		"$ctl" "$@" vnet del Sync >/dev/null 2>&1
		busywait 200 grep -q Sync "$file" && return 0
	done
	echo "# the monitor never printed an event" >&2
	return 1
}
