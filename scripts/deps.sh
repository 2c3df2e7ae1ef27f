#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# usage: scripts/deps.sh [attack|dkms|fuzz|debug|etcd|bench]
#
# Installs the Debian packages the build, the unit tests and the VM
# selftests need; with "attack" also the attack tools of make
# check-attack (thc-ipv6, nmap, hping3); with "dkms" the dkms of make
# check-dkms; with "fuzz" clang and its fuzzer runtime for make
# check-fuzz-userspace (libclang-rt-14-dev: a recommends of clang, which
# an install without recommends skips); with "debug" the kernel source
# and tools to build the debug kernel of make check-debug; with "etcd"
# the etcd of make check-etcd; with "bench" the peers and the plot of make
# bench (Open vSwitch, iptables, gnuplot). Idempotent and quick when everything is
# present: apt is only asked when dpkg says a package is
# missing. Run as root.
set -euo pipefail

packages=(
	build-essential pkg-config
	linux-image-amd64 linux-headers-amd64	# the VM's kernel and its headers
	qemu-system-x86 busybox-static kmod	# the VM and its initramfs
	iproute2 libmnl-dev libjansson-dev libcmocka-dev
	libcurl4-openssl-dev			# vnetd's etcd client
	iperf3 iputils-ping netcat-openbsd socat tcpdump python3-scapy
	procps valgrind ethtool jq		# benchmarks and their numbers
	graphviz				# vnetctl graph, rendered by dot
	nftables				# test_attack.sh: the host's leak counter
	man-db systemd bash-completion		# selftests/install.sh
	python3-yaml				# userspace/tests/test_spec.py
)
if [ "${1:-}" = attack ]; then
	packages+=(thc-ipv6 nmap hping3)	# selftests/attack_tools.sh
elif [ "${1:-}" = dkms ]; then
	packages+=(dkms)			# selftests/install.sh dkms
elif [ "${1:-}" = fuzz ]; then
	packages+=(clang libclang-rt-14-dev)	# userspace/fuzz (libFuzzer)
elif [ "${1:-}" = debug ]; then
	# scripts/debug_kernel.sh
	packages+=(linux-source-6.1 flex bison bc libelf-dev libssl-dev)
elif [ "${1:-}" = etcd ]; then
	packages+=(etcd-server etcd-client)	# selftests/etcd.sh
elif [ "${1:-}" = bench ]; then
	# selftests/bench_flows.sh: the peers vnet.ko is measured against
	# (the daemons run from the VM's tmpfs, not as services), and the plot.
	packages+=(openvswitch-switch iptables gnuplot-nox)
fi

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps.sh: installing ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: must run as root to install packages" >&2
		exit 1
	fi
	apt-get update
	# INITRD=No: the VM boots its own tiny initramfs, and generating
	# Debian's takes about two minutes of a kernel install.
	DEBIAN_FRONTEND=noninteractive INITRD=No \
		apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The VM boots /boot/vmlinuz-V and vnet.ko is built against
# /lib/modules/V/build: some V must have both.
for build in /lib/modules/*/build; do
	v=$(basename "$(dirname "$build")")
	if [ -d "$build" ] && [ -e "/boot/vmlinuz-$v" ]; then
		exit 0
	fi
done
echo "deps.sh: no kernel version has both /boot/vmlinuz-V and" \
	"/lib/modules/V/build; install matching linux-image-amd64 and" \
	"linux-headers-amd64" >&2
exit 1
