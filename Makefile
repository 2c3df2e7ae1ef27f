# SPDX-License-Identifier: GPL-2.0
#
# make            builds kmod/vnet.ko and userspace/vnetctl
# make check      installs missing packages, builds, runs the unit tests and
#                 every selftest in the VM; ends with "N passed, N failed"
# make demo       the peering walkthrough in the VM
# make bench      the benchmarks; make bench-core: the lookup cost alone
# make check-attack  installs thc-ipv6, nmap and hping3 and runs them from a
#                 hostile VM against a port's ACL (selftests/attack_tools.sh)
#
# KDIR=/path/to/kernel/build builds vnet.ko against another kernel tree.

# The newest kernel that has both its headers and an image to boot in the
# VM (selftests/vm.sh picks the same). Expanded only when used, so "make
# check" on a fresh machine finds the headers deps has just installed.
KVERS = $(foreach v,$(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build))),$(if $(wildcard /boot/vmlinuz-$(v)),$(v)))
KDIR ?= $(if $(KVERS),/lib/modules/$(lastword $(shell printf '%s\n' $(KVERS) | sort -V))/build)

all:
	$(MAKE) -C kmod $(if $(KDIR),KDIR=$(KDIR))
	$(MAKE) -C userspace

deps:
	scripts/deps.sh

# Sequenced in one recipe rather than by prerequisites, so that "make -j
# check" still installs the packages before building anything; the time of
# each step goes to check.sh, which prints it with its own.
check:
	@t0=$$(date +%s); $(MAKE) deps || exit; t1=$$(date +%s); \
	$(MAKE) all || exit; t2=$$(date +%s); \
	CHECK_PHASES="install $$((t1 - t0)) build $$((t2 - t1))" scripts/check.sh

# Not part of make check: real attack tools, minutes under emulation.
check-attack: deps
	scripts/deps.sh attack
	$(MAKE) all
	@start=$$(date +%s); status=0; \
	VM_TIMEOUT=$${VM_TIMEOUT:-5400} selftests/vm.sh selftests/attack_tools.sh || status=$$?; \
	echo "# make check-attack: $$(( $$(date +%s) - start )) s"; exit $$status

demo: deps
	$(MAKE) all
	selftests/vm.sh selftests/demo.sh

bench: deps
	$(MAKE) all
	@if [ -x scripts/bench.sh ]; then scripts/bench.sh; \
	else echo "scripts/bench.sh does not exist yet"; fi

bench-core: deps
	scripts/bench-core.sh

clean:
	$(MAKE) -C kmod clean $(if $(KDIR),KDIR=$(KDIR))
	$(MAKE) -C userspace clean
	rm -rf .build

.PHONY: all deps check check-attack demo bench bench-core clean
