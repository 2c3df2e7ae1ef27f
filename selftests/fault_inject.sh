#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every allocation a command makes, failed once (make check-debug: needs a
# kernel with FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC, which
# Debian's has not; elsewhere it says so and fails).
#
# For each command of a list that builds a namespace's whole state (vnets,
# prefixes, subnets, ports up and absent, port set, peerings and their
# flags, rules, routes, a gateway, an lb, an endpoint with its tunnel,
# reads and traces) and then takes it apart again, N = 1, 2, 3, ... is
# written to /proc/thread-self/fail-nth of vnetctl just before its request
# (fault/fail_nth.c, LD_PRELOAD), so that the request's Nth allocation in
# the kernel fails, until a run makes fewer than N allocations. Each run:
#  - refused: an error message, exit 1, and the state exactly as before;
#  - done although the fault fired (an allocation the command can do
#    without, such as an event): the state exactly as after a run without
#    fault; the inverse command puts it back for the next N;
#  - the fault did not fire: the state as after, and the command is done;
#  - "the kernel's answer was lost": the acknowledgement, which netlink
#    allocates after the module's work, found no memory; vnetctl says the
#    request may have been carried out, and the state must be exactly as
#    after (or as before, a plain refusal).
# A refusal without an injected fault is a failure too. The state is the
# export and the states of peerings, gateways and ports. vm.sh then scans
# the kernel log, and make check-debug has kmemleak scan after rmmod.
source "$(dirname "$0")/lib.sh"

dir=$(dirname "$(realpath "$0")")
if [ ! -e /proc/self/fail-nth ] || [ ! -d /sys/kernel/debug/failslab ]; then
	fail "this kernel has fault injection" \
		"no /proc/self/fail-nth or /sys/kernel/debug/failslab: run it in make check-debug"
	done_testing
fi

shim=$WORK/fail_nth.so
gcc -shared -fPIC -O1 -o "$shim" "$dir/fault/fail_nth.c" -ldl ||
	{ fail "the shim builds"; done_testing; }

# Sleeping allocations (GFP_KERNEL) fail too; quietly (each injected fault
# would print a stack).
for f in failslab fail_page_alloc; do
	echo N >"/sys/kernel/debug/$f/ignore-gfp-wait"
	echo 0 >"/sys/kernel/debug/$f/verbose"
done
echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem

ip -n "$CTL" link add vm-a1 type veth peer name vm-a1-p
ip -n "$CTL" link set vm-a1 up

# COMMAND | INVERSE ("-": a read, which changes nothing). The second half
# of the run is the same list backwards, each line's two sides swapped.
cat >"$WORK/cmds" <<'EOF'
vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48 | vnet del A
vnet add B id 2 prefix 10.2.0.0/16 | vnet del B
vnet prefix add A 10.11.0.0/16 | vnet prefix del A 10.11.0.0/16
subnet add A s prefix 10.1.1.0/24 prefix fd00:1:0:1::/64 | subnet del A s
subnet add B s prefix 10.2.1.0/24 | subnet del B s
port add vm-a1 vnet A subnet s mac 52:54:00:00:01:04 ip 10.1.1.4 ip fd00:1:0:1::4 | port del vm-a1
port add vm-a2 vnet A subnet s mac 52:54:00:00:01:05 ip 10.1.1.5 forwarding on | port del vm-a2
port add vm-b1 vnet B subnet s mac 52:54:00:00:02:04 ip 10.2.1.4 forwarding on | port del vm-b1
port set vm-a1 ip 10.1.1.4 ip 10.1.1.6 ip fd00:1:0:1::4 | port set vm-a1 ip 10.1.1.4 ip fd00:1:0:1::4
peering add A ab remote B | peering del A ab
peering add B ba remote A gateway-transit on | peering del B ba
peering set A ab forwarded on | peering set A ab forwarded off
acl add A subnet s dir in prio 10 action deny proto tcp dport 22 | acl del A subnet s dir in prio 10
acl add A port vm-a1 dir out prio 5 action allow proto udp dport 53 | acl del A port vm-a1 dir out prio 5
route add A s 10.9.0.0/16 nexthop appliance 10.1.1.5 | route del A s 10.9.0.0/16
route add A s 10.8.0.0/16 nexthop none | route del A s 10.8.0.0/16
gateway set B port vm-b1 prefix 192.168.0.0/16 | gateway del B
peering set A ab use-remote-gateways on | peering set A ab use-remote-gateways off
lb add A web frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.4:80 backend 10.1.1.5:80 | lb del A web
endpoint add A 10.1.1.9 mac 52:54:00:00:01:09 remote 192.0.2.2 | endpoint del A 10.1.1.9
vnet show | -
port show | -
acl show A | -
route show A s effective | -
lb show A | -
trace A src 10.1.1.4 dst 10.2.1.4 proto tcp dport 80 | -
EOF
{
	cat "$WORK/cmds"
	tac "$WORK/cmds" | grep -v '| -$' | awk -F' [|] ' '{ print $2 " | " $1 }'
} >"$WORK/plan"

snapshot()
{
	v export 2>&1
	printf 'peering show\ngateway show\nport show\n' | v -j -b - 2>&1
}

# run N WORDS...: vnetctl WORDS with its request's Nth allocation failed
# (N 0: none); status in $status, what it printed in $WORK/out, "fired"
# or "unfired" in $WORK/fired.
run()
{
	local n=$1
	shift
	rm -f "$WORK/fired"
	if [ "$n" -eq 0 ]; then
		vnetctl -n "$CTL" "$@" >"$WORK/out" 2>&1
	else
		FAIL_NTH=$n FAIL_NTH_REPORT=$WORK/fired LD_PRELOAD=$shim \
			vnetctl -n "$CTL" "$@" >"$WORK/out" 2>&1
	fi
	status=$?
}

sites=0 cmds=0 lost=0
while IFS='|' read -r -u 3 cmd inv; do
	read -ra words <<<"$cmd"
	read -ra undo <<<"$inv"
	cmd=${cmd% } inv=${inv# }
	cmds=$((cmds + 1))
	v export >"$WORK/conf" 2>&1
	run 0 "${words[@]}"
	if [ "$status" -ne 0 ]; then
		fail "$cmd: runs without a fault" "$(cat "$WORK/out")"
		continue
	fi
	snapshot >"$WORK/after"
	[ "$inv" = - ] || run 0 "${undo[@]}"
	# The configuration comes back; a state may not (a side whose
	# remote side came and went is disconnected, no longer initiated):
	# what the inverse leaves is what each N starts from.
	snapshot >"$WORK/before"
	if ! v export 2>&1 | cmp -s "$WORK/conf" -; then
		fail "$cmd: its inverse \"$inv\" puts the configuration back" \
			"$(v export 2>&1 | diff "$WORK/conf" - | head -n 10)"
		continue
	fi
	n=1 bad=
	while [ "$n" -lt 500 ] && [ -z "$bad" ]; do
		run "$n" "${words[@]}"
		fired=$(cat "$WORK/fired" 2>/dev/null)
		snapshot >"$WORK/now"
		if [ "$status" -ne 0 ] && grep -q "answer was lost" "$WORK/out" &&
			cmp -s "$WORK/after" "$WORK/now"; then
			# Done, but the acknowledgement found no memory (the
			# kernel's, after the module's work): vnetctl says the
			# request may have been carried out. It was, wholly.
			lost=$((lost + 1))
			[ "$inv" = - ] || run 0 "${undo[@]}"
		elif [ "$status" -ne 0 ]; then
			if [ "$fired" != fired ]; then
				bad="N=$n: refused without an injected fault: $(cat "$WORK/out")"
			elif [ "$status" -ne 1 ] || ! grep -q '^Error: ' "$WORK/out"; then
				bad="N=$n: exit $status, not a plain error: $(head -c 300 "$WORK/out")"
			elif ! cmp -s "$WORK/before" "$WORK/now"; then
				bad="N=$n: refused ($(head -c 200 "$WORK/out")) but the state changed: $(diff "$WORK/before" "$WORK/now" | head -n 8 | tr '\n' ' ')"
			fi
		elif ! cmp -s "$WORK/after" "$WORK/now"; then
			bad="N=$n: done ($fired) but the state is not what a run without fault leaves: $(diff "$WORK/after" "$WORK/now" | head -n 8 | tr '\n' ' ')"
		elif [ "$fired" != fired ]; then
			break	# fewer than N allocations: every one has failed once
		elif [ "$inv" != - ]; then
			run 0 "${undo[@]}"
		fi
		n=$((n + 1))
	done
	[ "$n" -lt 500 ] || bad="500 allocations and still going"
	if [ -n "$bad" ]; then
		fail "$cmd: each of its allocations failed once" "$bad"
		# Where the run stopped: the state after the command, for the next.
		[ "$status" -eq 0 ] || run 0 "${words[@]}"
	else
		ok "$cmd: each of its $((n - 1)) allocations failed once, cleanly"
		sites=$((sites + n - 1))
	fi
done 3<"$WORK/plan"
echo "# $cmds commands, $sites failed allocations ($lost of them the answer's)"
check_output "the namespace is empty at the end" "[]" v -j vnet show

done_testing
