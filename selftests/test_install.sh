#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The installed system without systemd: "make install" into a scratch
# root, depmod there as a package's postinst would, then the commands of
# the installed vnet.service (its ExecStart and ExecReload lines, with
# the scratch root's paths and "modprobe -d") run in the test's namespace
# in place of the host's:
#   - no /etc/vnet/vnet.json: the module loads, nothing is applied;
#   - the example configuration (VMs' tap devices) is applied, survives
#     rmmod + boot (the ExecStart lines again) and reload of an edited
#     file; a bad file changes nothing and fails the unit;
#   - vnet-port-up brings a re-created tap's port back (QEMU script and
#     libvirt hook forms), with its rules and lb role;
#   - the bash completion offers the module's names to root, and nothing,
#     silently, to an unprivileged user.
source "$(dirname "$0")/lib.sh"

root=$WORK/root
chmod 755 "$WORK"	# the unprivileged completion reads the install
kver=$(uname -r)
out=$(make -s --no-print-directory install DESTDIR="$root" PREFIX=/usr 2>&1)
check "make install DESTDIR (in the VM)" test -f "$root/lib/modules/$kver/extra/vnet.ko" \
	-a -x "$root/usr/sbin/vnetctl" -a -f "$root/lib/systemd/system/vnet.service"
[ -f "$root/lib/modules/$kver/extra/vnet.ko" ] || echo "$out" | sed 's/^/# /'
# The module's dependencies live in the real tree (already loaded).
check "depmod in the scratch root" depmod -b "$root" "$kver"
check "modprobe finds vnet.ko there" sh -c "modprobe -d '$root' --show-depends vnet | grep -q 'insmod $root/lib/modules/$kver/extra/vnet.ko'"

unit=$root/lib/systemd/system/vnet.service
conf=$root/etc/vnet/vnet.json
mkdir -p "$root/etc/vnet"

# unit_run KEY: the unit's KEY= lines (ExecStart, ExecReload), in order,
# as systemd would run them, in the namespace $CTL, with the scratch root;
# stops at the first failing line. Output on stdout, status as the unit's.
unit_run()
{
	local line status=0
	while IFS= read -r line; do
		line=${line#"$1"=}
		case $line in
		[-@:+!]*) echo "unit_run: prefix not handled: $line"; return 99 ;;
		esac
		line=${line//\/sbin\/modprobe /modprobe -d $root }
		line=${line//\/usr\/sbin\/vnetctl/$root\/usr\/sbin\/vnetctl}
		line=${line//\/etc\/vnet\//$root\/etc\/vnet\/}
		ip netns exec "$CTL" sh -c "$line" 2>&1 || { status=$?; break; }
	done < <(grep "^$1=" "$unit")
	return "$status"
}

# same_config DESC FILE: export of $CTL has FILE's content.
same_config()
{
	local diff
	diff=$(diff <(jq -S . "$2") <(v export | jq -S .) 2>&1)
	if [ -z "$diff" ]; then ok "$1"; else fail "$1" "$diff"; fi
}

check_output "the unit runs modprobe, then applies the file" \
	"/sbin/modprobe vnet
/bin/sh" sh -c "grep '^ExecStart=' '$unit' | sed 's/^ExecStart=//' | cut -d' ' -f1-2 | sed 's| -c||'"

# VMs: tap devices, as QEMU and libvirt make them.
modprobe tun
for d in vm-web1 vm-web2 vm-db1; do
	ip -n "$CTL" tuntap add dev "$d" mode tap
done

# Boot without a configuration file.
rmmod vnet
out=$(unit_run ExecStart)
status=$?
[ "$status" -eq 0 ] && [ -d /sys/module/vnet ] && echo "$out" | grep -q 'nothing applied'
if [ $? -eq 0 ]; then ok "without vnet.json: the module loads, nothing applied"; else
	fail "without vnet.json: the module loads, nothing applied" "status $status: $out"; fi
check_output "and the namespace is empty" "0" sh -c "vnetctl -n '$CTL' -j vnet show | jq length"

# Boot with the example.
cp "$root/usr/share/doc/vnet/examples/vnet.json" "$conf"
check "the unit applies the example" unit_run ExecStart
same_config "the namespace holds the example" "$conf"

# Reboot: the module goes with everything in it; the unit restores it.
check "rmmod vnet" rmmod vnet
check_fail "nothing is left" vnetctl -n "$CTL" vnet show
check "after rmmod the unit's commands run again" unit_run ExecStart
same_config "and restore the configuration" "$conf"
states() { v -j peering show | jq -r '[.[].state] | join(" ")'; }
check_output "the peering is connected again" "connected connected" states

# Reload an edited file: a rule gone, a route added, a port off.
jq '.acls |= map(select(.prio != 200))
    | .routes += [{"vnet":"blue","subnet":"web","prefix":"10.9.0.0/16","nexthop":"none"}]
    | .ports |= map(select(.dev != "vm-db1"))' "$conf" >"$WORK/edited"
cp "$conf" "$WORK/example"
cp "$WORK/edited" "$conf"
check "reload applies the edited file" unit_run ExecReload
same_config "the namespace holds the edited file" "$conf"

# A file the kernel refuses (the last object: an lb on a port's IP):
# reload fails, and nothing changes.
jq '.lbs += [{"vnet":"blue","name":"bad","frontend":"10.1.1.4","proto":"tcp","port":81,"backends":["10.1.1.5:81"]}]
    | .acls += [{"vnet":"blue","subnet":"web","dir":"in","prio":7,"action":"deny"}]' \
	"$WORK/edited" >"$conf"
check_fail "reload of a refused file fails the unit" unit_run ExecReload
same_config "and leaves the state as it was" "$WORK/edited"
echo '{ "vnets": [' >"$conf"
check_exit 2 "reload of a file that is not JSON: bad usage" unit_run ExecReload
same_config "and leaves the state as it was" "$WORK/edited"
rm "$conf"
reload_text() { unit_run ExecReload | sed "s|$root||"; }
check_output "reload without the file applies nothing" \
	"vnet: no /etc/vnet/vnet.json, nothing applied" reload_text
same_config "and keeps the state" "$WORK/edited"

# A VM restarts: its tap goes and comes back; vnet-port-up (QEMU's script
# and the libvirt hook) makes it the port of the file again.
cp "$WORK/example" "$conf"
unit_run ExecReload >/dev/null
hook=$root/usr/lib/vnet/vnet-port-up
ip -n "$CTL" link del vm-web2
echo "# with vm-web2 deleted: ports $(v -j port show | jq -c '[.[].dev]'), lb backends $(v -j lb show | jq -c '[.[].backends]')"
ip -n "$CTL" tuntap add dev vm-web2 mode tap
port_up() { ip netns exec "$CTL" env VNET_CONFIG="$conf" "$hook" "$@"; }
check "vnet-port-up DEV (QEMU script) for a re-created tap" port_up vm-web2
same_config "the port is back with its ACL rule and lb role" "$conf"
check "the tap is up" sh -c "ip -n '$CTL' -o link show vm-web2 | grep -q '[<,]UP[,>]'"
ip -n "$CTL" link del vm-db1
ip -n "$CTL" tuntap add dev vm-db1 mode tap
domain_xml()	# the domain XML libvirt gives its hooks (the part that counts)
{
	printf '%s\n' "<domain type='kvm'>" "  <name>db1</name>" "  <devices>" \
		"    <interface type='ethernet'>" "      <mac address='52:54:00:02:01:04'/>" \
		"      <target dev='vm-db1' managed='yes'/>" "      <model type='virtio'/>" \
		"    </interface>" "  </devices>" "</domain>"
}
hook_started() { domain_xml | port_up db1 started begin -; }
check "vnet-port-up as libvirt's qemu hook (started)" hook_started
same_config "the port is back too" "$conf"
check_fail "vnet-port-up for a tap that does not exist fails" port_up vm-other
check_output "vnet-port-up leaves a port the module has alone" "" port_up vm-web1
same_config "nothing else changed" "$conf"

# The completion, with the module's names, for root and for nobody.
complete_in_ns()	# USER WORD...: candidates for the last WORD in $CTL
{
	local user=$1
	shift
	ip netns exec "$CTL" setpriv --reuid="$user" --regid="$user" --clear-groups \
		env XDG_DATA_DIRS="$root/usr/share" PATH="$root/usr/sbin:/usr/bin:/bin" \
		bash -c '
		. /usr/share/bash-completion/bash_completion
		_completion_loader vnetctl
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_vnetctl; printf "%s\n" "${COMPREPLY[@]}"' complete "$@" 2>&1
}
sorted() { "$@" | sort; }
check_output "completion offers the vnets" "blue
green" complete_in_ns 0 vnetctl peering add ''
check_output "the subnets of a vnet" "web" complete_in_ns 0 vnetctl route add blue ''
check_output "the ports" "vm-db1
vm-web1
vm-web2" sorted complete_in_ns 0 vnetctl port del ''
check_output "the peerings of a vnet" "to-green" complete_in_ns 0 vnetctl peering set blue ''
check_output "the lbs of a vnet" "web" complete_in_ns 0 vnetctl lb del blue ''
check_output "as nobody: nothing offered, nothing printed" "" complete_in_ns 65534 vnetctl peering add ''
check_output "as nobody, the ports: nothing" "" complete_in_ns 65534 vnetctl port del ''
check_exit 1 "(nobody may not read them)" ip netns exec "$CTL" setpriv --reuid=65534 \
	--regid=65534 --clear-groups vnetctl vnet show

done_testing
