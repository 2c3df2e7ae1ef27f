#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/debug_kernel.sh [build|env]
#
# Builds the debug kernel of "make check-debug" from Debian's
# linux-source-6.1: x86_64_defconfig, kernel/configs/kvm_guest.config and
# scripts/debug-kernel.config (KASAN, lockdep, PROVE_RCU, kmemleak, UBSAN,
# fault injection; the drivers a QEMU guest never needs switched off).
# The build happens out of tree in a cache outside the repository,
# VNET_DEBUG_CACHE (default /var/cache/vnet/debug-kernel), in a folder
# named after a hash of the configuration inputs and the source version:
# it is kept between runs and built again only when one of those changes.
# Each option of the fragment is checked after olddefconfig; one that did
# not end up as asked fails the build.
#
# "build" (the default) builds what is missing (progress on stderr) and
# prints the variables below; "env" only prints them, and fails if the
# kernel is not built:
#   DEBUG_KERNEL   the bzImage to boot (selftests/vm.sh: VNET_KERNEL)
#   DEBUG_KDIR     the O= build tree to build vnet.ko against (KDIR)
#   DEBUG_KVER     the kernel release (VNET_KVER)
#   DEBUG_MODULES  the modules_install root, DEBUG_MODULES/lib/modules/KVER
#                  (selftests/vm.sh: VNET_MODULES)
#
# Environment: VNET_KSRC (source tree, default /usr/src/linux-source-6.1,
# unpacked from its tarball when missing), JOBS (make -j, default 2).
set -euo pipefail

repo=$(dirname "$(dirname "$(realpath "$0")")")
fragment=$repo/scripts/debug-kernel.config
src=${VNET_KSRC:-/usr/src/linux-source-6.1}
cache=${VNET_DEBUG_CACHE:-/var/cache/vnet/debug-kernel}
jobs=${JOBS:-2}
mode=${1:-build}

die()
{
	echo "debug_kernel.sh: $*" >&2
	exit 1
}

if [ ! -f "$src/Makefile" ]; then
	[ "$mode" = build ] || die "no kernel source in $src"
	[ -f "$src.tar.xz" ] || die "no $src and no $src.tar.xz (apt-get install linux-source-6.1)"
	echo "debug_kernel.sh: unpacking $src.tar.xz" >&2
	tar -C "$(dirname "$src")" -xf "$src.tar.xz"
fi
[ -f "$src/kernel/configs/kvm_guest.config" ] || die "$src is not a kernel source tree"

# The key: the fragment, the steps of this script that shape the
# configuration, the source's version (Debian's package version when the
# source is Debian's) and the compiler.
srcver=$(make -s -C "$src" kernelversion 2>/dev/null) || die "cannot read the version of $src"
pkgver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null) || pkgver=
key=$( {
	cat "$fragment" "$src/kernel/configs/kvm_guest.config" \
		"$src/arch/x86/configs/x86_64_defconfig"
	sed -n '/^# --- configuration ---$/,/^# --- end ---$/p' "$0"
	echo "$srcver $pkgver"
	gcc --version | head -n 1
} | sha256sum | cut -c1-16)
dir=$cache/$srcver-$key
out=$dir/build
modroot=$dir/modules

print_env()
{
	local kver
	kver=$(cat "$dir/kernelrelease")
	echo "DEBUG_KERNEL=$dir/bzImage"
	echo "DEBUG_KDIR=$out"
	echo "DEBUG_KVER=$kver"
	echo "DEBUG_MODULES=$modroot"
}

if [ -f "$dir/done" ]; then
	print_env
	exit 0
fi
[ "$mode" = build ] || die "the debug kernel is not built in $dir (scripts/debug_kernel.sh build)"

mkdir -p "$dir"
# One build at a time per configuration; a second caller waits for it.
exec 9>"$dir/lock"
flock 9
if [ -f "$dir/done" ]; then
	print_env
	exit 0
fi

log=$dir/build.log
run()
{
	if ! nice -n 19 "$@" >>"$log" 2>&1; then
		echo "debug_kernel.sh: failed: $*" >&2
		tail -n 30 "$log" | sed 's/^/debug_kernel.sh:   /' >&2
		die "the full log is $log"
	fi
}

start=$(date +%s)
echo "debug_kernel.sh: building $srcver in $dir (log: $log)" >&2
: >"$log"
mkdir -p "$out"
# --- configuration ---
run make -C "$src" O="$out" x86_64_defconfig
run "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
	"$src/kernel/configs/kvm_guest.config" "$fragment"
run make -C "$src" O="$out" olddefconfig
# --- end ---

# Every line of the fragment must have stuck: olddefconfig silently drops
# an option whose dependencies are not met.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		name=${line%%=*}
		got=$(grep -E "^$name=|^# $name is not set" "$out/.config" || true)
		[ "$got" = "$line" ] || { echo "debug_kernel.sh: asked $line, got '${got:-nothing}'" >&2; bad=1; }
		;;
	"# CONFIG_"*" is not set")
		name=${line#\# }
		name=${name%% *}
		! grep -q "^$name=" "$out/.config" ||
			{ echo "debug_kernel.sh: asked $line, got $(grep "^$name=" "$out/.config")" >&2; bad=1; }
		;;
	esac
done <"$fragment"
[ "$bad" = 0 ] || die "the configuration is not what $fragment asks (see above)"

run make -C "$src" O="$out" -j"$jobs" bzImage modules
rm -rf "$modroot"
run make -C "$src" O="$out" INSTALL_MOD_PATH="$modroot" modules_install
make -s -C "$src" O="$out" kernelrelease >"$dir/kernelrelease"
cp "$out/arch/x86/boot/bzImage" "$dir/bzImage"
end=$(date +%s)
echo "$((end - start))" >"$dir/build-seconds"
touch "$dir/done"
echo "debug_kernel.sh: built in $((end - start)) s" >&2
print_env
