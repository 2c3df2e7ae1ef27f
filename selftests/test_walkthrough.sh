#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The peering walkthrough of the Windows Server SDN document, watched by
# vnetctl monitor (text and JSON), checked line by line.
#
# One case (TESTS=walkthrough, VNET_TESTS through vm.sh): the walkthrough
# is one story, and the monitors check all of it at the end; vnet B, which
# it leaves, goes after that.
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	walkthrough
"

# The walkthrough of the seed document, watched by vnetctl monitor.
walkthrough()
{
	local mon mon_pid jmon jmon_pid i flags
	mon=$(mktemp)
	vnetctl -n "$CTL" monitor >"$mon" 2>&1 &
	mon_pid=$!
	jmon=$(mktemp)
	vnetctl -n "$CTL" -j monitor >"$jmon" 2>&1 &
	jmon_pid=$!

	# The monitors are listening once they print an event of ours.
	for i in $(seq 50); do
		v vnet add Sync id 999 prefix 10.250.0.0/16 && v vnet del Sync
		grep -q "vnet del Sync" "$mon" && grep -q '"name":"Sync"' "$jmon" && break
		sleep 0.2
	done

	check "vnet add A" v vnet add A id 1 prefix 10.1.0.0/16
	check "vnet add B" v vnet add B id 2 prefix 10.2.0.0/16
	check "A peers to B" v peering add A a2b remote B
	check_state A a2b initiated "A shows initiated"
	check "B peers to A" v peering add B b2a remote A
	check_state A a2b connected "A shows connected"
	check_state B b2a connected "B shows connected"
	check "B removes its side" v peering del B b2a
	check_state A a2b disconnected "A shows disconnected"
	check_fail "prefix add on A refused while its disconnected peering exists" \
		v vnet prefix add A 10.11.0.0/16
	check "B adds its side again" v peering add B b2a remote A
	check_state A a2b connected "A is connected again, no delete and re-create"
	check_state B b2a connected "B is connected again"
	check "A deletes its side" v peering del A a2b
	check "B deletes its side" v peering del B b2a
	check "prefix add on A allowed after both sides are deleted" \
		v vnet prefix add A 10.11.0.0/16
	check "vnet del A" v vnet del A

	# Let the last events arrive, then compare line by line.
	for i in $(seq 50); do
		grep -q "vnet del A" "$mon" && grep -q '"event":"del","object":"vnet","name":"A"' "$jmon" && break
		sleep 0.1
	done
	kill "$mon_pid" "$jmon_pid"
	wait "$mon_pid" "$jmon_pid" 2>/dev/null
	flags="access on forwarded off gateway-transit off use-remote-gateways off"
	check_output "monitor prints every change and state change of the walkthrough" \
	"vnet add A id 1 prefix 10.1.0.0/16
vnet add B id 2 prefix 10.2.0.0/16
peering add A a2b remote B state initiated $flags
peering add B b2a remote A state connected $flags
peering state A a2b remote B connected
peering del B b2a
peering state A a2b remote B disconnected
peering add B b2a remote A state connected $flags
peering state A a2b remote B connected
peering del A a2b
peering state B b2a remote A disconnected
peering del B b2a
vnet prefix add A 10.11.0.0/16
vnet del A" grep -v Sync "$mon"
	check_output "monitor -j: one JSON object per event" \
	'{"event":"add","object":"vnet","name":"A","id":1,"prefixes":["10.1.0.0/16"]}' \
		sh -c "grep -v Sync $jmon | head -1"
	check_output "monitor -j: a state change" \
	'{"event":"state","object":"peering","vnet":"A","name":"a2b","remote":"B","state":"disconnected","access":true,"forwarded":false,"gateway-transit":false,"use-remote-gateways":false}' \
		sh -c "grep -v Sync $jmon | sed -n 7p"
	check_output "monitor -j: as many events as the text monitor" 14 \
		sh -c "grep -vc Sync $jmon"
	rm -f "$mon" "$jmon"
	v vnet del B
}

tests_run
done_testing
