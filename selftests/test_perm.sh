#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may read (Documentation/vnet.rst, "Who may read"): every operation of
# the family, reads included (show and dumps, stats, trace, -V, the events
# group), needs CAP_NET_ADMIN over the network namespace, since the state
# names every tenant's addresses and rules. Refused: an unprivileged user,
# and root of a user namespace that does not own the network namespace;
# vnetctl says so in one line and exits 1, and the kernel itself refuses a
# raw client (nlraw.py). Root still does everything, and so does root of a
# user namespace in a network namespace of its own.
#
# Each identity runs its commands in one go (run.sh below), which keeps
# process start-ups, slow under emulation, to a few.
#
# One function per case; none changes the configuration (the setup
# below): TESTS="userns" (VNET_TESTS through vm.sh) runs it alone.
# shellcheck source=selftests/lib.sh
# shellcheck disable=SC2317  # functions called through check
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	unprivileged
	userns
	root
	root_monitor
	userns_own_netns
"


here=$(realpath "$(dirname "$0")")
msg="Error: permission denied: vnetctl needs CAP_NET_ADMIN in this network namespace"

# ---- a configuration worth reading ----
ip -n "$CTL" link add vm-one type veth peer name vm-one-peer
ip -n "$CTL" link set vm-one up
setup()
{
	v -b - <<EOF
vnet add A id 1 prefix 10.1.0.0/16
vnet add B id 2 prefix 10.2.0.0/16
subnet add A web prefix 10.1.1.0/24
subnet add B db prefix 10.2.1.0/24
peering add A ab remote B
port add vm-one vnet A subnet web mac 02:00:00:00:01:04 ip 10.1.1.4 forwarding on
acl add A subnet web dir in prio 100 action allow proto tcp dport 22
route add A web 10.9.0.0/16 nexthop none
gateway set A port vm-one prefix 192.168.0.0/16
lb add A front frontend 10.1.1.100 proto tcp port 80 backend 10.1.1.4:8080
EOF
}
check "root configures vnets, a peering, a port, a rule, a route, a gateway and an lb" setup

# state: what root sees, to prove that refused writes changed nothing.
state() { printf '%s\n' "vnet show" "subnet show" "port show" "acl show A" | v -b -; }
before=$(state)

# What every identity tries, one "vnetctl" command line each. Reads: every
# show and dump, stats, trace (by source address and by port), -V, and a
# batch of a read. Others: monitor (which must fail to join the events
# group, not wait) and writes.
chmod 755 "$WORK"
cat >"$WORK/reads" <<EOF
vnet show
vnet show A
subnet show
peering show
port show
port show vm-one
acl show A
route show A
route show A web effective
gateway show
lb show
endpoint show
stats
stats vm-one
trace A src 10.1.1.4 dst 10.1.1.100 proto tcp dport 80
trace A src 10.1.1.77 dst 10.1.1.100 port vm-one
-V
-b $WORK/batch
EOF
cat "$WORK/reads" - >"$WORK/all" <<EOF
monitor
vnet add C id 3 prefix 10.3.0.0/16
vnet del A
subnet add A app prefix 10.1.2.0/24
port del vm-one
acl del A subnet web dir in prio 100
EOF
echo "vnet show" >"$WORK/batch"

# run.sh LIST DIR: "vnetctl LINE" for line N of LIST, stdin closed, its
# exit status in DIR/N.status, stdout in DIR/N.out and stderr in DIR/N.err
# (a monitor that got in would wait: timeout ends it, 124); then
# nlraw.py's view in DIR/raw.
cat >"$WORK/run.sh" <<EOF
#!/bin/bash
set -f
n=0
while read -r line; do
	n=\$((n + 1))
	t=
	[ "\$line" = monitor ] && t="timeout 10"
	# shellcheck disable=SC2086
	\$t vnetctl \$line </dev/null >"\$2/\$n.out" 2>"\$2/\$n.err"
	echo \$? >"\$2/\$n.status"
done <"\$1"
/usr/bin/python3 "$here/nlraw.py" perms >"\$2/raw" 2>&1
EOF
chmod 644 "$WORK/reads" "$WORK/all" "$WORK/batch"
chmod 755 "$WORK/run.sh"

# refused WHO DIR: each command exited 1 with the one line $msg on stderr
# (a batch adds where it stopped), and the raw client was refused too:
# every op the family lists carries GENL_UNS_ADMIN_PERM, every request of
# every op gets EPERM, and so does joining the events group.
refused()
{
	local who=$1 dir=$2 n=0 line status err want raw bad ops
	while read -r line; do
		n=$((n + 1))
		status=$(<"$dir/$n.status")
		err=$(<"$dir/$n.err")
		want=$msg
		[ "$line" = "-b $WORK/batch" ] &&
			want="$msg"$'\n'"Error: batch stopped at $WORK/batch:1"
		if [ "$status" != 1 ]; then
			fail "$who: vnetctl $line is refused" \
				"exit status ${status:-none}, expected 1: $err"
		elif [ "$err" != "$want" ]; then
			fail "$who: vnetctl $line is refused" \
				"stderr is not what was expected: $err"
		else
			ok "$who: vnetctl $line is refused"
		fi
	done <"$WORK/all"
	raw=$(<"$dir/raw")
	ops=$(grep -c " flags " <<<"$raw")
	bad=$(grep -v -e " flags uns-admin$" -e " errno 1$" <<<"$raw")
	if [ "$ops" -lt 34 ]; then
		fail "$who: raw netlink: every op refuses with EPERM" \
			"only $ops ops listed: $raw"
	elif [ -n "$bad" ] || ! grep -qx "events join errno 1" <<<"$raw"; then
		fail "$who: raw netlink: every op refuses with EPERM" "$bad"
	else
		ok "$who: raw netlink: all $ops ops refuse every request with EPERM, and the events group"
	fi
	check_output "$who: nothing changed" "$before" state
}

# ---- an unprivileged user: uid and gid 65534, no groups ----
unprivileged()
{
	mkdir -m 777 "$WORK/nobody"
	ip netns exec "$CTL" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$WORK/run.sh" "$WORK/all" "$WORK/nobody"
	refused "unprivileged" "$WORK/nobody"
}

# ---- root of a user namespace that does not own the namespace ----
userns()
{
	mkdir "$WORK/userns"
	ip netns exec "$CTL" /usr/bin/python3 "$here/userns.py" \
		"$WORK/run.sh" "$WORK/all" "$WORK/userns"
	refused "user namespace" "$WORK/userns"
}

# ---- root still does everything (positive control) ----
# trace_out PATTERN: the first line of the output of the read matching it.
trace_out() { head -n 1 "$WORK/root/$(grep -n "$1" "$WORK/reads" | cut -d: -f1).out"; }
root_raw()
{
	local out
	out=$(<"$WORK/root/raw")
	if grep -e " errno 1$" -e " flags none$" -e " flags admin$" <<<"$out" ||
		! grep -qx "VNET_CMD_INFO_GET do errno 0" <<<"$out" ||
		! grep -qx "events join errno 0" <<<"$out"; then
		echo "$out"
		return 1
	fi
}
root()
{
	local n line
	mkdir "$WORK/root"
	ip netns exec "$CTL" "$WORK/run.sh" "$WORK/reads" "$WORK/root"
	n=0
	while read -r line; do
		n=$((n + 1))
		if [ "$(<"$WORK/root/$n.status")" = 0 ]; then
			ok "root: vnetctl $line"
		else
			fail "root: vnetctl $line" "$(<"$WORK/root/$n.err")"
		fi
	done <"$WORK/reads"
	check_output "root: trace names the sending port" \
		"10.1.1.4 -> 10.1.1.100 proto tcp dport 80 from port vm-one (vnet A subnet web)" \
		trace_out "^trace.*dport 80$"
	check_output "root: trace from a port named by its device" \
		"10.1.1.77 -> 10.1.1.100 from port vm-one (vnet A subnet web)" \
		trace_out "^trace.*port vm-one$"
	check "root, raw netlink: no EPERM, INFO_GET answers, the events group lets it in" root_raw
}

root_monitor()
{
	local mon
	vnetctl -n "$CTL" monitor >"$WORK/mon" 2>&1 &
	mon=$!
	for _ in $(seq 50); do	# the monitor listens once it prints our event
		v vnet prefix add B 10.20.0.0/16 2>/dev/null &&
			v vnet prefix del B 10.20.0.0/16
		grep -q "10.20.0.0/16" "$WORK/mon" && break
		sleep 0.1
	done
	kill "$mon" 2>/dev/null
	wait "$mon" 2>/dev/null
	check "root: monitor receives events" grep -q "prefix add B 10.20.0.0/16" "$WORK/mon"
}

# Root of a user namespace has CAP_NET_ADMIN over a network namespace that
# user namespace owns: GENL_UNS_ADMIN_PERM lets it in there, as nftables.
own_netns()
{
	/usr/bin/python3 "$here/userns.py" unshare -n sh -c \
		'vnetctl vnet add U id 7 prefix 10.7.0.0/16 &&
		vnetctl -V >/dev/null && vnetctl vnet show' |
		sed 's/ router-mac .*//'
}
userns_own_netns()
{
	check_output "a user namespace uses vnet in a network namespace of its own" \
		"U id 7 prefix 10.7.0.0/16" own_netns
}

tests_run
done_testing
