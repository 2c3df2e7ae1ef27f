#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage (in the VM, which make demo boots): selftests/demo.sh [PART ...]
#
# A tour of vnet for a person to read: each step is a command as an
# operator types it at a prompt ("host$" on the host, "s1$" in the VM s1),
# then what happened, in words, after "=>". The parts, in order (all of
# them when none is named; make demo STEP=lb runs one):
#
#   peering  two vnets, a peering's three states, an ACL, the frozen space
#   hub      hub and spokes: spoke to spoke only through the hub's appliance
#   gateway  a spoke reaches on-premises through the hub's gateway
#   lb       the hub's internal load balancer, used from a spoke
#   trace    why one packet passes and another is dropped
#   routes   the routes a spoke's VMs really get
#   graph    the topology in Graphviz DOT (make demo draws it)
#
# A part that builds on earlier ones sets them up first, without printing.
# selftests/test_demo.sh checks every "=>" line against the story.
# VNET_OUT: the folder for demo-topology.dot (default: a temporary one).
#
#   part peering:  vm-a 10.1.1.4 in vnet A 10.1.0.0/16
#                  vm-b 10.2.1.4 in vnet B 10.2.0.0/16, then A ~ B peered
#
#   parts hub to graph:
#                       vnet hub 10.0.0.0/16, subnet hs 10.0.1.0/24
#      nva .4 (appliance)  gw .5 (gateway)--onprem 192.168.1.2  web1 .6  web2 .7
#                          lb web: 10.0.0.100 tcp 80 -> web1, web2 port 8080
#                    /  peering                    \  peering
#      vnet spoke1 10.1.0.0/16: s1 10.1.1.4     vnet spoke2 10.2.0.0/16: s2 10.2.1.4
set -u

PARTS="peering hub gateway lb trace routes graph"
ctl=demo-host-$$
out=${VNET_OUT:-}
tmp=$(mktemp -d)
[ -n "$out" ] || out=$tmp
declare -A NSOF=()	# VM name -> its network namespace
declare -A PARTS_DONE=()	# parts already run

cleanup()
{
	local n
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	for n in "${NSOF[@]}"; do
		ip netns del "$n" 2>/dev/null
	done
	ip netns del "$ctl" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- how the story is told ----

# step TITLE: a new step, numbered.
nstep=0
step()
{
	nstep=$((nstep + 1))
	printf '\n== %d. %s\n' "$nstep" "$*"
}

# tell TEXT...: prose for the reader, wrapped.
tell()
{
	printf '%s\n' "$*" | fold -s -w 76 | sed 's/ *$//'
}

# result WORDS: what the last command did.
result()
{
	printf '  => %s\n' "$*"
}

# why TEXT...: what the result means, under it.
why()
{
	printf '%s\n' "$*" | fold -s -w 71 | sed 's/ *$//; s/^/     /'
}

vnetctl()
{
	command vnetctl -n "$ctl" "$@"
}

# host CMD...: a command on the host, its output indented; a refusal says
# so (a success says nothing, as vnetctl does).
host()
{
	local status
	printf 'host$ %s\n' "$*"
	"$@" >"$tmp/out" 2>&1
	status=$?
	sed 's/^/  /' "$tmp/out"
	[ "$status" -eq 0 ] || result "refused (exit status $status)"
	return "$status"
}

# on VM CMD...: CMD in the VM, as its prompt shows it.
on()
{
	local vm=$1
	shift
	printf '%s$ %s\n' "$vm" "$*"
	ip netns exec "${NSOF[$vm]}" "$@" 2>&1 | sed 's/^/  /'
	return "${PIPESTATUS[0]}"
}

# in_vm VM CMD...: CMD in the VM, not shown (the set-up of the VMs).
in_vm()
{
	local vm=$1
	shift
	ip netns exec "${NSOF[$vm]}" "$@"
}

# ping_from VM ADDR: three pings, 0.2 s apart; answered if one comes back
# within 2 s of the last (under a loaded emulation one can take a second).
ping_from()
{
	printf '%s$ ping -c 3 -i 0.2 %s\n' "$1" "$2"
	if in_vm "$1" ping -c 3 -i 0.2 -W 2 -q "$2" >/dev/null 2>&1; then
		result "answered"
	else
		result "no answer"
	fi
}

# states: the state of each peering side that peering show printed.
states()
{
	result "$(awk '{ for (i = 1; i < NF; i++) if ($i == "state")
		printf "%s%s'"'"'s side %s: %s", n++ ? "; " : "", $1, $2, $(i + 1) }' "$tmp/out")"
}

# counter DEV KEY: one of a port's counters.
counter()
{
	vnetctl -j stats "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# A VM: a namespace whose eth0 is a veth, its host side DEV in the host
# namespace; IPv4 only, the vnet's router .1 its default route.
add_vm()	# NAME DEV MAC IP
{
	local ns=demo-$1-$$
	NSOF[$1]=$ns
	ip netns add "$ns"
	ip -n "$ctl" link add "$2" type veth peer name eth0 netns "$ns"
	ip -n "$ctl" link set "$2" up
	in_vm "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 address "$3" up
	ip -n "$ns" addr add "$4/24" dev eth0
	ip -n "$ns" route add default via "${4%.*}.1"
}

del_vm()	# NAME
{
	ip netns del "${NSOF[$1]}"
	unset "NSOF[$1]"
}

# A VM that forwards packets that are not its own (an appliance, a
# gateway): IP forwarding on, and no ICMP redirects for the spokes.
forwarder()	# NAME
{
	in_vm "$1" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0
}

# ---- the parts ----

part_peering()
{
	add_vm vm-a veth-a 52:54:00:00:0a:04 10.1.1.4
	add_vm vm-b veth-b 52:54:00:00:0b:04 10.2.1.4

	step "Two virtual networks (vnets), a subnet and a VM in each"
	tell "A vnet is a private address space; a VM joins one through a" \
		"port: its NIC as the host sees it (veth-a is vm-a's). VMs of" \
		"different vnets cannot talk."
	host vnetctl vnet add A id 100 prefix 10.1.0.0/16
	host vnetctl vnet add B id 200 prefix 10.2.0.0/16
	host vnetctl subnet add A web prefix 10.1.1.0/24
	host vnetctl subnet add B db prefix 10.2.1.0/24
	host vnetctl port add veth-a vnet A subnet web mac 52:54:00:00:0a:04 ip 10.1.1.4
	host vnetctl port add veth-b vnet B subnet db mac 52:54:00:00:0b:04 ip 10.2.1.4
	host vnetctl vnet show
	ping_from vm-a 10.2.1.4
	why "vm-a's vnet A has no route to B's addresses."

	step "Peering, first from A's side"
	tell "A peering joins two vnets. Each vnet's owner adds its own side;" \
		"the first side alone is 'initiated'."
	host vnetctl peering add A a-to-b remote B
	host vnetctl peering show
	states
	ping_from vm-a 10.2.1.4
	why "One side is not enough: B has not agreed."

	step "Then from B's side: both sides connected"
	host vnetctl peering add B b-to-a remote A
	host vnetctl peering show
	states
	ping_from vm-a 10.2.1.4
	why "Both sides exist, so both are 'connected' and traffic flows."
	printf 'vm-a$ nc -l 5001 > received &\n'
	printf 'vm-b$ nc -N 10.1.1.4 5001 < 1MiB-of-random-bytes\n'
	in_vm vm-a timeout 30 nc -4 -l 5001 >"$tmp/rx" &
	head -c 1048576 /dev/urandom >"$tmp/tx"
	for _ in $(seq 20); do	# until the listener is up
		in_vm vm-b timeout 20 nc -N -w 5 10.1.1.4 5001 <"$tmp/tx" \
			2>/dev/null && break
		sleep 0.3
	done
	wait
	if cmp -s "$tmp/tx" "$tmp/rx"; then
		result "vm-a received the 1048576 bytes intact"
	else
		result "the transfer failed"
	fi

	step "An ACL on A's subnet denies traffic from vnet B"
	tell "ACLs are firewall rules on a subnet or a port; 'from-vnet B'" \
		"matches whatever addresses B has, now or later."
	host vnetctl acl add A subnet web dir in prio 100 action deny from-vnet B
	host vnetctl acl show A
	ping_from vm-b 10.1.1.4
	why "B's ping into A's subnet is denied."
	ping_from vm-a 10.2.1.4
	why "ACLs are stateful: the replies to vm-a's own pings still come back."
	host vnetctl acl del A subnet web dir in prio 100
	ping_from vm-b 10.1.1.4
	why "Rule gone, traffic back."

	step "The address space is frozen while a peering exists"
	host vnetctl vnet prefix add A 10.11.0.0/16
	why "The peer checked A's space when it agreed; to change it, remove" \
		"the peering first."

	step "B removes its side: A's side shows disconnected"
	host vnetctl peering del B b-to-a
	host vnetctl peering show
	states
	ping_from vm-a 10.2.1.4

	step "B adds its side again: connected, without re-creating A's side"
	host vnetctl peering add B b-to-a remote A
	host vnetctl peering show
	states
	ping_from vm-a 10.2.1.4

	step "Counters of vm-a's port, and the end of the first story"
	tell "rx counts what the VM sent, tx what it received; drops are" \
		"counted by reason."
	host vnetctl stats veth-a
	host vnetctl vnet del A
	host vnetctl vnet del B
	host vnetctl vnet show
	[ -s "$tmp/out" ] || result "no vnets left"
	why "Deleting a vnet deletes its subnets, ports, ACLs and peerings."
	del_vm vm-a
	del_vm vm-b
}

part_hub()
{
	add_vm nva vm-nva 52:54:00:10:01:04 10.0.1.4
	add_vm s1 vm-s1 52:54:00:11:01:04 10.1.1.4
	add_vm s2 vm-s2 52:54:00:12:01:04 10.2.1.4
	forwarder nva

	step "Hub and spokes: a hub vnet with an appliance, two spoke vnets"
	tell "A common layout: shared services live in a hub vnet, each team's" \
		"VMs in a spoke vnet peered with the hub. nva is a network" \
		"appliance (a firewall VM); its port has 'forwarding on' so it" \
		"may send packets that are not its own."
	host vnetctl vnet add hub id 10 prefix 10.0.0.0/16
	host vnetctl vnet add spoke1 id 11 prefix 10.1.0.0/16
	host vnetctl vnet add spoke2 id 12 prefix 10.2.0.0/16
	host vnetctl subnet add hub hs prefix 10.0.1.0/24
	host vnetctl subnet add spoke1 s prefix 10.1.1.0/24
	host vnetctl subnet add spoke2 s prefix 10.2.1.0/24
	host vnetctl port add vm-nva vnet hub subnet hs mac 52:54:00:10:01:04 ip 10.0.1.4 forwarding on
	host vnetctl port add vm-s1 vnet spoke1 subnet s mac 52:54:00:11:01:04 ip 10.1.1.4
	host vnetctl port add vm-s2 vnet spoke2 subnet s mac 52:54:00:12:01:04 ip 10.2.1.4
	host vnetctl peering add hub hub-s1 remote spoke1
	host vnetctl peering add spoke1 s1-hub remote hub forwarded on
	host vnetctl peering add hub hub-s2 remote spoke2
	host vnetctl peering add spoke2 s2-hub remote hub forwarded on
	why "'forwarded on': a spoke accepts packets that the hub's appliance" \
		"forwards on behalf of others (their source is not a hub address)."
	ping_from s1 10.0.1.4
	why "A spoke reaches the hub."

	step "Peering is not transitive"
	ping_from s1 10.2.1.4
	why "spoke1 and spoke2 are both peered with the hub, not with each" \
		"other, so spoke1 has no route to spoke2: the hub does not pass" \
		"traffic on by itself."

	step "Spoke to spoke through the appliance, by user routes"
	tell "A user route on each spoke's subnet sends the other spoke's" \
		"prefix to the appliance; the appliance's own routing sends it on."
	host vnetctl route add spoke1 s 10.2.0.0/16 nexthop appliance 10.0.1.4
	host vnetctl route add spoke2 s 10.1.0.0/16 nexthop appliance 10.0.1.4
	host vnetctl route show spoke1
	chained
	why "Every packet between the spokes went into the appliance and" \
		"back out of it."

	step "If the appliance stops forwarding, the spokes are cut off"
	on nva sysctl -w net.ipv4.ip_forward=0
	chained
	why "The appliance stopped forwarding: the packets still went to it" \
		"and stopped there. vnet never routes around an appliance."
	on nva sysctl -w net.ipv4.ip_forward=1
	ping_from s1 10.2.1.4
}

# chained: a ping from s1 to s2, and what the appliance's port counted.
chained()
{
	local to from
	to=$(counter vm-nva tx-packets) from=$(counter vm-nva rx-packets)
	ping_from s1 10.2.1.4
	host vnetctl stats vm-nva
	result "during the ping, the appliance's port: $(($(counter vm-nva tx-packets) - to))" \
		"packets went into it, $(($(counter vm-nva rx-packets) - from))" \
		"came out"
}

part_gateway()
{
	add_vm gw vm-gw 52:54:00:10:01:05 10.0.1.5
	forwarder gw
	# onprem: an on-premises network behind gw's second NIC, eth1.
	NSOF[onprem]=demo-onprem-$$
	ip netns add "${NSOF[onprem]}"
	ip -n "${NSOF[gw]}" link add eth1 type veth peer name eth0 netns "${NSOF[onprem]}"
	ip -n "${NSOF[gw]}" link set eth1 up
	ip -n "${NSOF[gw]}" addr add 192.168.1.1/24 dev eth1
	ip -n "${NSOF[onprem]}" link set eth0 up
	ip -n "${NSOF[onprem]}" addr add 192.168.1.2/24 dev eth0
	ip -n "${NSOF[onprem]}" route add default via 192.168.1.1

	step "Gateway transit: a spoke reaches on-premises through the hub's gateway"
	tell "gw is the hub's gateway VM (think VPN): its second NIC leads to" \
		"the on-premises network 192.168.1.0/24, where a machine has" \
		"192.168.1.2. The hub declares the prefixes behind it."
	host vnetctl port add vm-gw vnet hub subnet hs mac 52:54:00:10:01:05 ip 10.0.1.5 forwarding on
	host vnetctl gateway set hub port vm-gw prefix 192.168.0.0/16
	host vnetctl gateway show
	ping_from s1 192.168.1.2
	why "The gateway is the hub's; spoke1 does not use it yet."
	tell "The hub offers its gateway to spoke1 (gateway-transit), spoke1" \
		"takes it (use-remote-gateways):"
	host vnetctl peering set hub hub-s1 gateway-transit on
	host vnetctl peering set spoke1 s1-hub use-remote-gateways on
	ping_from s1 192.168.1.2
	why "spoke1 now has a route to 192.168.0.0/16 through the hub's gateway."
	ping_from s2 192.168.1.2
	why "spoke2 did not ask for it, so it has no such route."
	host vnetctl gateway del hub
	why "A gateway that a peer uses cannot be removed from under it."
}

part_lb()
{
	local f n
	add_vm web1 vm-web1 52:54:00:10:01:06 10.0.1.6
	add_vm web2 vm-web2 52:54:00:10:01:07 10.0.1.7

	step "An internal load balancer in the hub, used from a spoke"
	tell "Two web servers in the hub, web1 and web2, each answer with" \
		"their name on port 8080. A load balancer gives them one address," \
		"10.0.0.100 port 80, reachable from the hub and its peers."
	host vnetctl port add vm-web1 vnet hub subnet hs mac 52:54:00:10:01:06 ip 10.0.1.6
	host vnetctl port add vm-web2 vnet hub subnet hs mac 52:54:00:10:01:07 ip 10.0.1.7
	for n in web1 web2; do
		printf "%s\$ socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'echo %s' &\n" "$n" "$n"
		in_vm "$n" socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:"echo $n" &
	done
	for n in web1 web2; do	# until both listen
		for _ in $(seq 100); do
			in_vm "$n" ss -Hltn "sport = :8080" | grep -q . && break
			sleep 0.1
		done
	done
	host vnetctl lb add hub web frontend 10.0.0.100 proto tcp port 80 backend 10.0.1.6:8080 backend 10.0.1.7:8080
	host vnetctl lb show
	# shellcheck disable=SC2016  # the command as typed
	printf 's1$ for i in $(seq 12); do nc -w 10 10.0.0.100 80 </dev/null; done\n'
	for _ in $(seq 12); do
		in_vm s1 nc -w 10 10.0.0.100 80 </dev/null 2>/dev/null | grep . ||
			echo failed
	done >"$tmp/lb"
	printf '  %s\n' "$(paste -sd ' ' "$tmp/lb")"
	f=$(grep -c failed "$tmp/lb")
	result "12 connections: web1 answered $(grep -c web1 "$tmp/lb")," \
		"web2 answered $(grep -c web2 "$tmp/lb")$( ((f == 0)) ||
			echo ", $f failed")"
	why "Each connection goes to one backend, chosen by its addresses and" \
		"ports, and the answers come back from 10.0.0.100."
}

part_trace()
{
	step "vnetctl trace: why a packet passes"
	tell "trace walks a packet through the rules without sending it:" \
		"ACLs on the way out, the route, ACLs on the way in."
	host vnetctl trace spoke1 src 10.1.1.4 dst 10.2.1.4 proto tcp dport 80
	result "$(trace_words)"
	why "The user route wins over everything else for 10.2.0.0/16 and" \
		"hands the packet to the appliance."

	step "vnetctl trace: why a packet is dropped"
	tell "The hub's subnet refuses SSH from spoke2:"
	host vnetctl acl add hub subnet hs dir in prio 100 action deny proto tcp dport 22 from-vnet spoke2
	host vnetctl trace spoke2 src 10.2.1.4 dst 10.0.1.4 proto tcp dport 22
	result "$(trace_words)"
	why "The trace names the rule that decided."
}

# trace_words: the verdict of the trace just printed, in words.
trace_words()
{
	local last
	last=$(tail -n 1 "$tmp/out")
	case $last in
	deliver*) echo "passes: delivered ${last#deliver }" ;;
	"drop acl")
		echo "dropped by an ACL rule:$(grep -E 'acl .*(deny|drop)' \
			"$tmp/out" | tail -n 1 | sed 's/^ *acl/ acl/')" ;;
	drop*) echo "dropped: ${last#drop }" ;;
	*) echo "no verdict: $last" ;;
	esac
}

part_routes()
{
	step "The routes a spoke's VMs really get"
	tell "'effective' merges the routes of every source: the vnet's own" \
		"space, its peers', the gateway's and the user's. The longest" \
		"prefix wins; on a tie the user route wins."
	host vnetctl route show spoke1 s effective
	# "spoke1 s PREFIX nexthop KIND [WHAT] source SOURCE ... active on"
	result "$(awk '$4 == "nexthop" && $NF == "on" {
		printf "%s%s to %s %s", n++ ? "; " : "", $3, $5, $6 }' "$tmp/out")"
	why "spoke1's own space stays in spoke1; the hub is reached over the" \
		"peering; spoke2's space goes to the appliance (the user route);" \
		"on-premises goes to the hub's gateway. Nothing else has a route."
}

part_graph()
{
	step "The topology as a picture"
	tell "vnetctl graph prints the topology in Graphviz DOT: vnets with" \
		"their subnets and ports, peerings coloured by state, user routes," \
		"the gateway and the load balancer."
	printf 'host$ vnetctl graph > demo-topology.dot\n'
	vnetctl graph >"$out/demo-topology.dot"
	result "$(grep -c 'subgraph "cluster_vnet:' "$out/demo-topology.dot") vnets," \
		"$(grep -c '"vnet:[^"]*" -> "vnet:' "$out/demo-topology.dot") peering sides," \
		"$(grep -c '"gateway:[^"]*" \[' "$out/demo-topology.dot") gateway," \
		"$(grep -c '"lb:[^"]*" \[' "$out/demo-topology.dot") load balancer"
	why "make demo draws it with: dot -Tpng demo-topology.dot -o" \
		"demo-topology.png"
}

# ---- which parts ----

# need PART...: runs each PART not run yet, without printing.
need()
{
	local p
	for p; do
		[ -n "${PARTS_DONE[$p]:-}" ] && continue
		printf '(setting up the %s part first)\n' "$p"
		PARTS_DONE[$p]=1
		"part_$p" >/dev/null 2>&1
		nstep=0	# the steps the reader sees start at 1
	done
}

modprobe -q veth	# no udev in the VM to load it on demand
cat <<'EOF'
vnet: virtual networks for the VMs of a Linux host, joined by peerings,
with ACLs, user routes, gateways and load balancers. The VMs below are
network namespaces with one NIC each; "host$" is a command on the host,
"vm-a$" or "s1$" one in that VM, and "=>" says what happened.
make demo STEP=NAME runs one part: peering, hub, gateway, lb, trace,
routes or graph.
EOF
ip netns add "$ctl"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || read -ra parts <<<"$PARTS"
start=$(date +%s)
times=
for p in "${parts[@]}"; do
	case $p in
	peering|hub) ;;
	gateway|lb) need hub ;;
	trace) need hub ;;
	routes) need hub gateway ;;
	graph) need hub gateway lb ;;
	*) echo "demo.sh: no part \"$p\" (parts: $PARTS)" >&2; exit 2 ;;
	esac
	PARTS_DONE[$p]=1
	t=$(date +%s)
	"part_$p"
	times+="${times:+, }$p $(( $(date +%s) - t ))"
done
printf '\n(%s s in the VM: %s)\n' "$(( $(date +%s) - start ))" "$times"
