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

ok()
{
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $1"
}

# fail DESC [DETAILS]: DETAILS become "# " comment lines.
fail()
{
	T_NUM=$((T_NUM + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_NUM - $1"
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
v()
{
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

# A VM on the host $CTL: a namespace NS_NAME whose eth0 is a veth with its
# host side, vm-NAME, bound as a port of VNET and SUBNET; routers .1 and ::1.
# Arguments after MAC go to "port add" (forwarding on).
add_vm()	# NAME VNET SUBNET IP4 IP6 MAC [PORT-OPTION...]
{
	local name=$1 vnet=$2 subnet=$3 ip4=$4 ip6=$5 mac=$6 ns
	ns_new "NS_$name" "$name"
	ns="NS_$name"
	ns=${!ns}
	ip -n "$CTL" link add "vm-$name" type veth peer name eth0 netns "$ns"
	ip -n "$CTL" link set "vm-$name" up
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 address "$mac" up
	ip -n "$ns" addr add "$ip4/24" dev eth0
	ip -n "$ns" addr add "$ip6/64" dev eth0 nodad
	ip -n "$ns" route add default via "${ip4%.*}.1"
	ip -n "$ns" -6 route add default via "${ip6%::*}::1"
	v port add "vm-$name" vnet "$vnet" subnet "$subnet" mac "$mac" \
		ip "$ip4" ip "$ip6" "${@:7}"
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

no_reach()	# VM ADDR: three pings go unanswered
{
	! vm "$1" ping -c 3 -i 0.3 -W 1 "$2" >/dev/null 2>&1
}

tcp_ok()	# FROM TO ADDR PORT: a short TCP exchange works
{
	local pid i
	rm -f "$WORK/rx"
	# Stopped below: on a loaded machine nc can take seconds to start.
	vm_bg "$2" timeout 120 nc $(family "$3") -l "$4" >"$WORK/rx" 2>/dev/null
	pid=$!
	for i in $(seq 100); do
		vm "$2" ss -Hltn "sport = :$4" | grep -q . && break
		sleep 0.1
	done
	for i in $(seq "${TCP_TRIES:-10}"); do
		echo hello | vm "$1" timeout 3 nc -N -w 2 "$3" "$4" 2>/dev/null && break
		sleep 0.3
	done
	for i in $(seq 20); do
		grep -q hello "$WORK/rx" && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid"
	grep -q hello "$WORK/rx"
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

# A denied connection: two tries (the listener was up for a passing one).
tcp_denied() { TCP_TRIES=2 tcp_ok "$@"; }

counter()	# DEV KEY: a port's stats counter (drop reasons too), 0 if none
{
	v -j stats "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" | grep . || echo 0
}

# dropped_as DESC VM ADDR DEV REASON: unreachable, and counted as REASON.
dropped_as()
{
	local before after
	before=$(counter "$4" "$5")
	if ! no_reach "$2" "$3"; then
		fail "$1" "$3 answered"
		return
	fi
	after=$(counter "$4" "$5")
	if [ "$after" -gt "$before" ]; then
		ok "$1"
	else
		fail "$1" "drop counter $5 of $4 stayed at $after; stats: $(v stats "$4")"
	fi
}
