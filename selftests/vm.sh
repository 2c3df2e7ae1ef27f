#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: selftests/vm.sh [--no-slub-debug] CMD [ARG ...]
#
# Boots Debian's kernel in QEMU with the host's root shared read-only over
# 9p, loads vnet.ko, puts userspace/ (vnetctl) on PATH and runs CMD as root
# in the repository. Prints CMD's output (stdout and stderr together) and
# exits with its status, unless the run itself went wrong: the VM died or
# timed out, rmmod vnet failed, the kernel log shows a bug, or the kernel
# is tainted by more than the expected O and E (unsigned out-of-tree
# module). Those print "vm.sh: ..." on stderr and exit non-zero.
#
# usage: selftests/vm.sh --scan FILE
#
# Only applies the kernel log scan to FILE (no VM): prints the lines that
# report a problem and exits 1 if there are any, 2 if FILE cannot be
# read (selftests/harness.sh checks the patterns with it).
#
# Environment: VNET_KVER (kernel version), VNET_KERNEL (kernel image),
# VNET_MODULES (a folder holding lib/modules/VNET_KVER, as made by
# "make modules_install INSTALL_MOD_PATH=...": the VM finds that kernel's
# modules there instead of the host's /lib/modules; scripts/debug_kernel.sh
# prints one), VM_APPEND (more kernel command line),
# VNET_KO (module, default kmod/vnet.ko), VM_TIMEOUT (seconds, 900),
# VM_MEM (MiB, 1536), VM_SMP (virtual CPUs, 2), VM_SLUB_DEBUG (0 as
# --no-slub-debug, or the slub_debug= flags, default FZPU), VM_OUT (a host
# folder: what CMD writes into the folder $VNET_OUT is copied there after
# the run). Variables named VNET_* are passed on to CMD.
#
# When the kernel has kmemleak (a debug kernel), the leaks found before
# vnet.ko is loaded are cleared, and after rmmod vnet a scan that finds a
# leak fails the run. The console, the kernel log and kmemleak's reports of
# the last run are kept in VM_LOGS (default .build/vm) as last-console.txt,
# last-dmesg.txt, last-kmemleak.txt and last-kmemleak-boot.txt (before the
# module was loaded).
set -euo pipefail

self=$(realpath "$0")
repo=$(dirname "$(dirname "$self")")
build=$repo/.build/vm
logs=${VM_LOGS:-$build}

die()
{
	echo "vm.sh: $*" >&2
	exit 1
}

# Signs of a kernel bug. Each names a report, never a checker: a debug
# kernel's boot log names kmemleak, KASAN and lockdep in its banners.
# slub_debug reports read "BUG kmalloc-64 (...)"; KASAN's "BUG: KASAN:
# ...", and "KASAN: null-ptr-deref ..." under a general protection fault;
# lockdep's and PROVE_RCU's start with "WARNING:" (possible circular or
# recursive locking, inconsistent lock state, suspicious RCU usage...);
# DEBUG_ATOMIC_SLEEP's with "BUG:"; UBSAN's with "UBSAN:"; kmemleak's scan
# says "N new suspected memory leaks".
bad='\bBUG\b|WARNING:|Oops|general protection|KASAN:|UBSAN:'
bad+='|possible circular locking|possible recursive locking'
bad+='|inconsistent lock state|suspicious RCU usage|lockdep is turned off'
bad+='|turning off the locking correctness validator'
bad+='|suspected memory leak|kmemleak: .*(disabled|Cannot)'
bad+='|still has objects|Kernel panic'
bad+='|INFO: task .* blocked|refcount_t:|list_add corruption'
bad+='|list_del corruption|Poison overwritten|Redzone|Object padding'

if [ "${1:-}" = --scan ]; then
	[ $# -eq 2 ] || die "usage: vm.sh --scan FILE"
	status=0
	grep -E "$bad" "$2" || status=$?
	case $status in
	0) exit 1 ;;
	1) exit 0 ;;
	*) echo "vm.sh: cannot read $2" >&2; exit 2 ;;
	esac
fi

# Red zones, poisoning and sanity checks of the slab allocator: Debian's
# kernel has no KASAN, this is what catches overruns and use-after-free.
case ${VM_SLUB_DEBUG:-1} in
0) slub= ;;
1) slub=slub_debug=FZPU ;;
*) slub=slub_debug=$VM_SLUB_DEBUG ;;
esac
while [ $# -gt 0 ]; do
	case $1 in
	--no-slub-debug) slub= ; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "usage: vm.sh [--no-slub-debug] CMD [ARG ...]"

# The kernel to boot must match the headers vnet.ko was built against.
find_kver()
{
	local b v
	for b in /lib/modules/*/build; do
		v=$(basename "$(dirname "$b")")
		if [ -d "$b" ] && [ -e "/boot/vmlinuz-$v" ]; then
			echo "$v"
		fi
	done | sort -V | tail -n 1
}
kver=${VNET_KVER:-$(find_kver)}
[ -n "$kver" ] || die "no kernel with both /boot/vmlinuz-V and" \
	"/lib/modules/V/build (run scripts/deps.sh)"
moddir=${VNET_MODULES:-}/lib/modules/$kver
[ -d "$moddir/kernel" ] || die "no $moddir/kernel"
kernel=${VNET_KERNEL:-/boot/vmlinuz-$kver}
[ -r "$kernel" ] || die "cannot read kernel image $kernel"
ko=$(realpath "${VNET_KO:-$repo/kmod/vnet.ko}" 2>/dev/null) || ko=
[ -r "$ko" ] || die "no module ${VNET_KO:-$repo/kmod/vnet.ko} (make -C kmod)"
busybox=$(command -v busybox) || die "busybox is missing (busybox-static)"

# The initramfs: busybox and the virtio and 9p modules, just enough to
# mount the host's root and chroot into it. Cached per kernel version.
initrd=$build/initrd-$kver.gz
build_initrd()
{
	local stage m f
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc,newroot,mods}
	: >"$stage/mods/order"	# empty when they are all built in
	cp "$busybox" "$stage/bin/busybox"
	for m in sh cat mount mkdir ln insmod chroot sleep echo; do
		ln -s busybox "$stage/bin/$m"
	done
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
		virtio_pci 9pnet 9pnet_virtio netfs fscache 9p; do
		# Absent ones are built into the kernel (or not needed).
		f=$(find "$moddir/kernel" -name "$m.ko*" | head -n 1)
		case $f in
		"") ;;
		*.ko) cp "$f" "$stage/mods/$m.ko" ;;
		*.ko.xz) "$busybox" xz -dc "$f" >"$stage/mods/$m.ko" ;;
		*.ko.gz) "$busybox" gzip -dc "$f" >"$stage/mods/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$stage/mods/$m.ko" ;;
		*) die "unknown module format: $f" ;;
		esac
		[ -z "$f" ] || echo "$m" >>"$stage/mods/order"
	done
	cat >"$stage/init" <<'EOF'
#!/bin/sh
# No /dev/console in the archive: take the console from devtmpfs.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
for m in $(cat /mods/order); do
	insmod /mods/$m.ko
done
# cache=loose: the shared root does not change during a run, and program
# start-up gets several times faster.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose hostroot /newroot
r=/newroot
mount -t proc proc $r/proc
echo /bin/modprobe >/proc/sys/kernel/modprobe
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
# Process substitution in bash, <(...), opens /dev/fd/N.
ln -s /proc/self/fd $r/dev/fd
ln -s /proc/self/fd/0 $r/dev/stdin
ln -s /proc/self/fd/1 $r/dev/stdout
ln -s /proc/self/fd/2 $r/dev/stderr
mount -t tmpfs tmpfs $r/dev/shm
mount -t tmpfs tmpfs $r/tmp
mount -t tmpfs tmpfs $r/run	# ip netns add writes /run/netns
mkdir $r/tmp/scratch
mount -t 9p -o trans=virtio,version=9p2000.L scratch $r/tmp/scratch
# The project at its host path, even when that path is under /tmp or /run
# (a CI clone), which the tmpfs mounts above hide. The kernel hands
# VNET_REPO from its command line to init as an environment variable.
if [ -n "$VNET_REPO" ]; then
	mkdir -p "$r$VNET_REPO" 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose repo "$r$VNET_REPO"
fi
chroot $r /bin/bash /tmp/scratch/guest.sh
echo 1 >/proc/sys/kernel/sysrq
echo o >/proc/sysrq-trigger
sleep 60
EOF
	# The kernel loads modules on demand (veth, vxlan, nf_tables...) by
	# running /proc/sys/kernel/modprobe with the root of PID 1, which is
	# this initramfs: send it to the shared root's modprobe.
	cat >"$stage/bin/modprobe" <<'EOF'
#!/bin/sh
exec chroot /newroot /sbin/modprobe "$@"
EOF
	chmod +x "$stage/init" "$stage/bin/modprobe"
	mkdir -p "$build"
	# Built aside and renamed, so a concurrent run never reads half of it.
	(cd "$stage" && find . | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
		gzip -1 >"$initrd.$$"
	mv "$initrd.$$" "$initrd"
	rm -rf "$stage"
}
if [ ! -s "$initrd" ] || [ "$self" -nt "$initrd" ]; then
	build_initrd
fi

scratch=$(mktemp -d)
qemu_pid=
# shellcheck disable=SC2317  # called by the trap
cleanup()
{
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The guest side: run CMD between insmod and rmmod, then collect the
# kernel log and taint for the checks below. Results come back through
# the writable scratch export, mounted at /tmp/scratch.
cp "$ko" "$scratch/vnet.ko"	# /tmp is a tmpfs in the guest: copy it over
: >"$scratch/out"
{
	printf 'REPO=%q\n' "$repo"
	# shellcheck disable=SC2016  # expanded in the guest
	echo 'export PATH=$REPO/userspace:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo 'export HOME=/tmp LANG=C.UTF-8'
	for v in $(compgen -v VNET_); do
		printf 'export %s=%q\n' "$v" "${!v}"
	done
	echo 'export VNET_KO=/tmp/scratch/vnet.ko'
	if [ -n "${VM_OUT:-}" ]; then
		mkdir -p "$scratch/keep"
		echo 'export VNET_OUT=/tmp/scratch/keep'
	fi
	printf 'CMD=('; printf ' %q' "$@"; printf ' )\n'
	cat <<'EOF'
S=/tmp/scratch
cat /proc/sys/kernel/tainted >$S/tainted_before
# Another kernel's modules (a debug kernel's), in place of the host's.
if [ -n "${VNET_MODULES:-}" ]; then
	mount --bind "$VNET_MODULES/lib/modules" /lib/modules
fi
# kmemleak: what the boot left is not vnet's, clear it.
K=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -e $K ]; then
	echo scan >$K && cat $K >$S/kmemleak_boot && echo clear >$K
fi
# insmod loads no dependency: load what modinfo names (vxlan, whose
# vxlan_dev_create() makes the endpoints' tunnel) first.
for dep in $(modinfo -F depends "$VNET_KO" | tr , ' '); do
	modprobe "$dep" >>$S/out 2>&1
done
if insmod "$VNET_KO" >>$S/out 2>&1; then
	cd "$REPO"
	"${CMD[@]}" </dev/null >>$S/out 2>&1
	echo $? >$S/rc
	# Where its code was: kmemleak prints a frame of an unloaded
	# module as a bare address.
	for f in /sys/module/vnet/sections/.text*; do
		echo "${f##*/} $(cat "$f")"
	done >$S/vnet_sections 2>/dev/null
	rmmod vnet >$S/rmmod_err 2>&1
	echo $? >$S/rmmod_rc
	if [ -e $K ]; then
		# kmemleak reports no object younger than 5 s (its minimum
		# age): wait that long, then scan twice, as its documentation
		# advises against transient false positives.
		sleep 6
		echo scan >$K && echo scan >$K && cat $K >$S/kmemleak
	fi
else
	echo "vm.sh: insmod $VNET_KO failed" >>$S/out
	echo 125 >$S/rc
	echo 0 >$S/rmmod_rc
fi
dmesg >$S/dmesg
cat /proc/sys/kernel/tainted >$S/tainted
sync
EOF
} >"$scratch/guest.sh"

# Standard input /dev/null: a backgrounded -nographic QEMU stops on
# SIGTTIN otherwise. The console goes to a log, shown if the VM fails.
# no_timer_check: on a loaded host the emulated timer can tick too late
# for the kernel's IO-APIC timer test, which then panics at boot.
timeout "${VM_TIMEOUT:-900}" qemu-system-x86_64 -accel tcg \
	-m "${VM_MEM:-1536}" -smp "${VM_SMP:-2}" -nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet loglevel=3 no_timer_check $slub ${VM_APPEND:-} VNET_REPO=$repo" \
	-fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=r,mount_tag=hostroot \
	-fsdev "local,id=s,path=$scratch,security_model=none" \
	-device virtio-9p-pci,fsdev=s,mount_tag=scratch \
	-fsdev "local,id=p,path=$repo,security_model=none,readonly=on,multidevs=remap" \
	-device virtio-9p-pci,fsdev=p,mount_tag=repo \
	</dev/null >"$scratch/console" 2>&1 &
qemu_pid=$!

# Stream CMD's output while it runs; tail ends once QEMU has exited and
# the rest of the file is printed.
tail -n +1 -s 0.2 -f --pid="$qemu_pid" "$scratch/out"
status=0
wait "$qemu_pid" || status=$?
qemu_pid=

mkdir -p "$build" "$logs"
if [ -n "${VM_OUT:-}" ]; then
	mkdir -p "$VM_OUT" && cp -R "$scratch/keep/." "$VM_OUT/"
fi
cp "$scratch/console" "$logs/last-console.txt"
rm -f "$logs/last-dmesg.txt" "$logs/last-kmemleak.txt" "$logs/last-kmemleak-boot.txt"
[ ! -f "$scratch/dmesg" ] || cp "$scratch/dmesg" "$logs/last-dmesg.txt"
# What kmemleak found before vnet.ko was loaded (cleared, not a failure).
[ ! -s "$scratch/kmemleak_boot" ] || cp "$scratch/kmemleak_boot" "$logs/last-kmemleak-boot.txt"

# name_vnet_frames REPORT SECTIONS KO: kmemleak's REPORT with the frames
# that were in vnet.ko (SECTIONS: "name address" of its code sections when
# loaded) named "vnet:function+0xoff"; bash's 64-bit arithmetic, since
# awk's doubles cannot hold a kernel address.
name_vnet_frames()
{
	local -a sname=() sbase=() ssize=() fsec=() fval=() fsize=() fname=()
	local line addr name base size sec val off i j
	while read -r name base; do
		size=$(objdump -h "$3" | awk -v n="$name" '$2 == n { print $3 }')
		[[ -n $base && -n $size ]] || continue
		sname+=("$name") sbase+=("$((base))") ssize+=("$((0x$size))")
	done <"$2" 2>/dev/null
	while read -r val sec size name; do
		fsec+=("$sec") fval+=("$((0x$val))") fsize+=("$((0x$size))") fname+=("$name")
	done < <(objdump -t "$3" | awk '$3 == "F" { print $1, $4, $5, $6 }')
	while IFS= read -r line; do
		# "[<hashed or raw address>] 0xADDRESS": no symbol to name it.
		if [[ $line =~ \]\ 0x([0-9a-f]+)$ ]]; then
			addr=$((0x${BASH_REMATCH[1]}))
			for i in "${!sname[@]}"; do
				off=$((addr - sbase[i]))
				((off >= 0 && off < ssize[i])) || continue
				for j in "${!fname[@]}"; do
					[ "${fsec[j]}" = "${sname[i]}" ] || continue
					((off >= fval[j] && off < fval[j] + fsize[j])) || continue
					line+=$(printf ' vnet:%s+0x%x' "${fname[j]}" "$((off - fval[j]))")
					break
				done
				break
			done
		fi
		printf '%s\n' "$line"
	done <"$1"
}

if [ ! -s "$scratch/rc" ]; then
	if [ "$status" = 124 ]; then
		echo "vm.sh: timed out after ${VM_TIMEOUT:-900} s (VM_TIMEOUT)" >&2
	else
		echo "vm.sh: the VM ended before CMD did (QEMU status $status)" >&2
	fi
	# From the first sign of a bug (the panic) if any, without the
	# terminal escapes of the firmware; all of it in last-console.txt.
	first=$(grep -Enm 1 "$bad" "$scratch/console" | cut -d: -f1) || first=
	echo "vm.sh: console (all of it in $logs/last-console.txt):" >&2
	if [ -n "$first" ]; then
		tail -n "+$first" "$scratch/console" | head -n 40
	else
		tail -n 40 "$scratch/console"
	fi | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/^/vm.sh:   /' >&2
	exit 1
fi
rc=$(cat "$scratch/rc")

failed=0
if [ "$(cat "$scratch/rmmod_rc" 2>/dev/null)" != 0 ]; then
	echo "vm.sh: rmmod vnet failed after CMD:" \
		"$(cat "$scratch/rmmod_err" 2>/dev/null)" >&2
	failed=1
fi
if [ ! -s "$scratch/dmesg" ]; then
	echo "vm.sh: no kernel log came back" >&2
	failed=1
fi
if grep -Eq "$bad" "$scratch/dmesg" 2>/dev/null; then
	echo "vm.sh: the kernel log reports a problem" \
		"(all of it in $logs/last-dmesg.txt):" >&2
	grep -E -m 40 "$bad" "$scratch/dmesg" | sed 's/^/vm.sh:   /' >&2
	failed=1
fi
if [ -s "$scratch/kmemleak" ]; then
	name_vnet_frames "$scratch/kmemleak" "$scratch/vnet_sections" "$ko" \
		>"$logs/last-kmemleak.txt"
	echo "vm.sh: kmemleak found $(grep -c '^unreferenced object' "$scratch/kmemleak")" \
		"leaked objects after rmmod vnet (all of it in" \
		"$logs/last-kmemleak.txt):" >&2
	head -n 40 "$logs/last-kmemleak.txt" | sed 's/^/vm.sh:   /' >&2
	failed=1
fi
# O (4096) and E (8192): an unsigned out-of-tree module, expected.
tainted=$(cat "$scratch/tainted" 2>/dev/null || echo -1)
if [ "$tainted" = -1 ] || (( tainted & ~(4096 | 8192) )); then
	echo "vm.sh: kernel tainted $tainted" \
		"(before CMD: $(cat "$scratch/tainted_before" 2>/dev/null))" >&2
	failed=1
fi
if [ "$failed" = 1 ]; then
	[ "$rc" != 0 ] || rc=1
	echo "vm.sh: failed (CMD exited with status $(cat "$scratch/rc"))" >&2
fi
exit "$rc"
