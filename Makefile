# SPDX-License-Identifier: GPL-2.0
#
# make            builds kmod/vnet.ko, userspace/vnetctl and userspace/vnetd
# make check      installs missing packages, builds, runs the unit tests and
#                 every selftest in the VM; ends with "N passed, N failed"
# make demo       a tour of vnet in the VM, told for people (STEP=lb: one
#                 part; selftests/demo.sh lists them); draws its topology
#                 into demo-topology.png
# make bench      the benchmarks; make bench-core: the lookup cost alone
# make check-attack  installs thc-ipv6, nmap and hping3 and runs them from a
#                 hostile VM against a port's ACL (selftests/attack_tools.sh)
# make check-fuzz runs both fuzzers below, each of which also runs alone:
#   check-fuzz-netlink sends COUNT random and mutated netlink messages
#                 (seeded by SEED, random by default) to the module in the VM
#                 and checks that each refused one changed nothing
#                 (selftests/nlfuzz.py)
#   check-fuzz-userspace installs clang and its fuzzer runtime and runs each
#                 libFuzzer target of userspace/fuzz for FUZZ_TIME seconds
#                 (60; FUZZ_TARGETS=NAME... for some): the CLI's parsers, the
#                 LPM trie and the ACL classifier against their references
# make check-pktfuzz  sends COUNT mutated frames (seeded by SEED, random by
#                 default; 10000 unless COUNT is given) from ports and from
#                 the underlay into the module in the VM and checks that
#                 nothing reaches what policy forbids (selftests/pktfuzz.py)
# make check-churn  configuration churn under traffic, then teardown races,
#                 in the VM (selftests/churn.sh, selftests/races.sh)
# make check-debug  the selftests on a debug kernel (KASAN, lockdep, PROVE_RCU,
#                 kmemleak, UBSAN) built from Debian's linux-source-6.1 and
#                 cached in /var/cache/vnet/debug-kernel (16 min of CPU the
#                 first time); TESTS="lb port" runs a selection, LANES=2 two
#                 VMs (scripts/check_debug.sh; not part of make check)
# make check-capacity  500,008 connections of one port, each then a flow
#                 table hit (selftests/test_scale.sh; minutes)
# make check-etcd installs etcd and runs vnetd on three hosts with a
#                 three-member etcd in the VM (selftests/etcd.sh; minutes)
#
# make install   installs what "make" built (it builds nothing): see
#                 "Installing" below for the variables and the file list
# make check-install  the installation's host checks (selftests/install.sh,
#                 also part of make check)
# make check-dkms builds the module with dkms in a scratch tree (minutes;
#                 not part of make check)
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

# Not part of make check: netlink fuzzing, about 5 minutes under TCG on 2
# cores. The seed is printed; SEED=N COUNT=N replays a run. Both fuzzers
# run, and the target fails if either does.
SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
COUNT ?= 3000
check-fuzz:
	@status=0; $(MAKE) check-fuzz-userspace || status=1; \
	$(MAKE) check-fuzz-netlink || status=1; exit $$status

check-fuzz-netlink: deps
	$(MAKE) all
	@start=$$(date +%s); status=0; \
	VM_TIMEOUT=$${VM_TIMEOUT:-1800} selftests/vm.sh selftests/nlfuzz.py --seed $(SEED) --count $(COUNT) || status=$$?; \
	echo "# make check-fuzz-netlink: $$(( $$(date +%s) - start )) s"; exit $$status

# libFuzzer, on the host: about FUZZ_TIME seconds per target (6 targets).
check-fuzz-userspace:
	scripts/deps.sh fuzz
	@start=$$(date +%s); status=0; \
	$(MAKE) -C userspace check-fuzz || status=$$?; \
	echo "# make check-fuzz-userspace: $$(( $$(date +%s) - start )) s"; exit $$status

# Not part of make check: configuration churn under traffic for
# CHURN_SECONDS (60), then the checks (selftests/churn.sh); then the
# teardown races, RACE_ROUNDS (20) rounds where they loop (races.sh).
CHURN_SECONDS ?= 60
RACE_ROUNDS ?= 20
check-churn: deps
	$(MAKE) all
	@start=$$(date +%s); status=0; \
	VNET_CHURN_SECONDS=$(CHURN_SECONDS) VM_TIMEOUT=$${VM_TIMEOUT:-1800} \
		selftests/vm.sh selftests/churn.sh || status=$$?; \
	VNET_RACE_ROUNDS=$(RACE_ROUNDS) VM_TIMEOUT=$${VM_TIMEOUT:-1800} \
		selftests/vm.sh selftests/races.sh || status=$$?; \
	echo "# make check-churn: $$(( $$(date +%s) - start )) s"; exit $$status
# Not part of make check: packet fuzzing, a few minutes under TCG (a
# short fixed run is: selftests/test_pktfuzz.sh). The same SEED; COUNT
# means frames here.
PKTFUZZ_COUNT = $(if $(filter command line environment,$(origin COUNT)),$(COUNT),10000)
check-pktfuzz: deps
	$(MAKE) all
	@start=$$(date +%s); status=0; \
	VM_TIMEOUT=$${VM_TIMEOUT:-1800} selftests/vm.sh selftests/pktfuzz.py --seed $(SEED) --count $(PKTFUZZ_COUNT) || status=$$?; \
	echo "# make check-pktfuzz: $$(( $$(date +%s) - start )) s"; exit $$status

# Not part of make check: the first run builds the kernel (minutes), and
# its checkers make every test several times slower under TCG.
TESTS ?=
check-debug: deps
	scripts/deps.sh debug
	$(MAKE) -C userspace
	scripts/check_debug.sh $(TESTS)

# Not part of make check: vnetd on three hosts through a three-member etcd
# in one VM (selftests/etcd.sh; Debian's etcd-server and etcd-client).
check-etcd: deps
	scripts/deps.sh etcd
	$(MAKE) all
	@start=$$(date +%s); status=0; \
	VM_MEM=$${VM_MEM:-2048} VM_TIMEOUT=$${VM_TIMEOUT:-1800} selftests/vm.sh selftests/etcd.sh || status=$$?; \
	echo "# make check-etcd: $$(( $$(date +%s) - start )) s"; exit $$status

# Not part of make check: 500,008 connections of one port, then each
# delivered again by the flow table (selftests/test_scale.sh, case flows;
# make check runs it with 100,008). Minutes under emulation.
check-capacity: deps
	$(MAKE) all
	@start=$$(date +%s); status=0; \
	VNET_TESTS=flows VNET_FLOWS=500008 VM_TIMEOUT=$${VM_TIMEOUT:-1800} \
		selftests/vm.sh selftests/test_scale.sh || status=$$?; \
	echo "# make check-capacity: $$(( $$(date +%s) - start )) s"; exit $$status

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
	scripts/deps.sh bench
	$(MAKE) all
	@if [ -x scripts/bench.sh ]; then scripts/bench.sh; \
	else echo "scripts/bench.sh does not exist yet"; fi

bench-core: deps
	scripts/bench-core.sh

clean:
	$(MAKE) -C kmod clean $(if $(KDIR),KDIR=$(KDIR))
	$(MAKE) -C userspace clean
	rm -rf .build

# Installing.
#
# PREFIX is /usr/local by default, as for any program installed by hand; a
# Debian package passes PREFIX=/usr (and DESTDIR=debian/vnet). The unit
# goes to /lib/systemd/system for PREFIX=/usr (where Debian 12's packages
# put theirs), else to PREFIX/lib/systemd/system, which systemd also
# reads. The module goes through the kernel's modules_install to
# DESTDIR/lib/modules/KVERSION/extra/vnet.ko (for the kernel of KDIR),
# unsigned (Secure Boot: use DKMS, which signs with its own key); depmod
# runs when there is no DESTDIR. With DKMS, "make install-files
# install-dkms" leaves the module to it. /etc/vnet/vnet.json is never
# installed: without it the unit loads the module and applies nothing;
# the example lands in the documentation folder.
VERSION := $(shell sed -n 's/^\#define VNET_MOD_VERSION "\(.*\)"/\1/p' kmod/vnet.h)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vnet
LIBDIR ?= $(PREFIX)/lib/vnet
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSCONFDIR ?= /etc
INSTALL ?= install

# The unit names the installed paths.
define subst_paths
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    -e 's|@LIBDIR@|$(LIBDIR)|g'
endef

install: install-files install-module

install-files:
	@test -x userspace/vnetctl -a -x userspace/vnetd || { echo "make install: build first (make)" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(LIBDIR)
	$(INSTALL) -m 755 userspace/vnetctl $(DESTDIR)$(SBINDIR)/vnetctl
	$(INSTALL) -m 755 userspace/vnetd $(DESTDIR)$(SBINDIR)/vnetd
	$(INSTALL) -m 644 Documentation/vnetctl.8 $(DESTDIR)$(MANDIR)/man8/vnetctl.8
	$(INSTALL) -m 644 Documentation/vnetd.8 $(DESTDIR)$(MANDIR)/man8/vnetd.8
	$(INSTALL) -m 644 dist/vnetctl.bash $(DESTDIR)$(COMPLETIONDIR)/vnetctl
	$(subst_paths) dist/vnet.service >$(DESTDIR)$(UNITDIR)/vnet.service
	chmod 644 $(DESTDIR)$(UNITDIR)/vnet.service
	$(subst_paths) dist/vnetd.service >$(DESTDIR)$(UNITDIR)/vnetd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/vnetd.service
	$(subst_paths) dist/vnet-port-up >$(DESTDIR)$(LIBDIR)/vnet-port-up
	chmod 755 $(DESTDIR)$(LIBDIR)/vnet-port-up
	$(INSTALL) -m 644 dist/vnet.json $(DESTDIR)$(DOCDIR)/examples/vnet.json
	$(INSTALL) -m 644 dist/vnetd.conf $(DESTDIR)$(DOCDIR)/examples/vnetd.conf
	$(INSTALL) -m 644 README.md Documentation/vnet.rst Documentation/install.rst \
		$(DESTDIR)$(DOCDIR)/

# The release modules_install installs for (Debian's kernel.release says
# the upstream version; utsrelease.h the directory's name).
KRELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

install-module:
	@test -n "$(KDIR)" || { echo "make install: no kernel headers (set KDIR)" >&2; exit 1; }
	@test -f kmod/vnet.ko || { echo "make install: build first (make)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod INSTALL_MOD_PATH=$(DESTDIR) \
		CONFIG_MODULE_SIG_ALL= modules_install
	@# Headers have no System.map, so modules_install skips depmod. A
	@# package's postinst runs it; a DESTDIR install leaves it to that.
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KRELEASE); fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vnetctl $(DESTDIR)$(MANDIR)/man8/vnetctl.8 \
		$(DESTDIR)$(COMPLETIONDIR)/vnetctl $(DESTDIR)$(UNITDIR)/vnet.service \
		$(DESTDIR)$(LIBDIR)/vnet-port-up $(DESTDIR)$(SBINDIR)/vnetd \
		$(DESTDIR)$(MANDIR)/man8/vnetd.8 $(DESTDIR)$(UNITDIR)/vnetd.service
	rm -rf $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(LIBDIR)
	rm -f $(DESTDIR)/lib/modules/*/extra/vnet.ko
	@echo "make uninstall: left $(SYSCONFDIR)/vnet/ (your configuration); run depmod -a"

# DKMS: the module's sources and dkms.conf under /usr/src/vnet-VERSION;
# without DESTDIR also registered, then built and installed for every
# kernel that has its headers (dkms rebuilds it for kernels installed
# later by itself).
DKMS_SRC := dkms.conf kmod/Kbuild kmod/Makefile $(wildcard kmod/*.[ch] kmod/core/*.[ch]) \
	include/uapi/linux/vnet.h

install-dkms:
	@for f in $(DKMS_SRC); do \
		$(INSTALL) -D -m 644 $$f $(DESTDIR)/usr/src/vnet-$(VERSION)/$$f || exit 1; \
	done
	@echo "installed the sources in $(DESTDIR)/usr/src/vnet-$(VERSION)"
	if [ -z "$(DESTDIR)" ]; then \
		dkms add vnet/$(VERSION) && \
		for b in /lib/modules/*/build; do \
			[ -d "$$b" ] || continue; \
			dkms install vnet/$(VERSION) -k "$$(basename "$$(dirname "$$b")")" || exit 1; \
		done; \
	fi

uninstall-dkms:
	-dkms remove vnet/$(VERSION) --all
	rm -rf $(DESTDIR)/usr/src/vnet-$(VERSION)

check-install: deps
	$(MAKE) all
	selftests/install.sh

check-dkms: deps
	scripts/deps.sh dkms
	@start=$$(date +%s); status=0; selftests/install.sh dkms || status=$$?; \
	echo "# make check-dkms: $$(( $$(date +%s) - start )) s"; exit $$status

.PHONY: check-capacity all deps check check-attack check-fuzz check-fuzz-netlink \
	check-fuzz-userspace check-churn check-pktfuzz check-debug check-etcd \
	demo bench bench-core clean install \
	install-files install-module uninstall install-dkms uninstall-dkms \
	check-install check-dkms
