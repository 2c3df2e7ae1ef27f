# SPDX-License-Identifier: GPL-2.0
#
# make            builds kmod/vnet.ko and userspace/vnetctl
# make check      installs missing packages, builds, runs the unit tests and
#                 every selftest in the VM; ends with "N passed, N failed"
# make demo       a tour of vnet in the VM, told for people (STEP=lb: one
#                 part; selftests/demo.sh lists them); draws its topology
#                 into demo-topology.png
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

# Sequenced by recursion rather than prerequisites, so that "make -j check"
# still installs the packages before building anything.
check: deps
	$(MAKE) all
	scripts/check.sh

# Not part of make check: real attack tools, minutes under emulation.
check-attack: deps
	scripts/deps.sh attack
	$(MAKE) all
	@start=$$(date +%s); status=0; \
	VM_TIMEOUT=$${VM_TIMEOUT:-5400} selftests/vm.sh selftests/attack_tools.sh || status=$$?; \
	echo "# make check-attack: $$(( $$(date +%s) - start )) s"; exit $$status

comma := ,
# A tour, not a test (test_demo.sh is that): without slub_debug, faster.
demo: deps
	@$(MAKE) -s --no-print-directory all
	@rm -rf .build/demo
	@start=$$(date +%s); \
	VM_OUT=.build/demo selftests/vm.sh --no-slub-debug selftests/demo.sh $(subst $(comma), ,$(STEP)) && \
	if [ -s .build/demo/demo-topology.dot ]; then \
		dot -Tpng -o demo-topology.png .build/demo/demo-topology.dot && \
		echo "The topology, drawn by dot: $(CURDIR)/demo-topology.png"; \
	fi && \
	echo "make demo: $$(( $$(date +%s) - start )) s"

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
