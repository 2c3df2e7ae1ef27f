#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module itself: it is loaded, its generic netlink family answers and
# validates requests of a raw client (nlraw.py, not vnetctl), in the initial
# namespace and in others, and it unloads and loads again with objects
# present, so module exit frees what every namespace holds. Leaves the
# module loaded, as vm.sh expects.
#
# One function per case, each leaving the module loaded and no vnet of
# its own behind (the vnet "raw" of nlraw.py is deleted at the end), but
# reload and ns_gone unload the module and so drop every object of the
# test: TESTS="reload" (VNET_TESTS through vm.sh) runs one alone. ns_gone
# deletes the namespace mod-a; a case after it that needs mod-a fails.
# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2034  # read by tests_run
ALL_TESTS="
	genl_family
	namespaces
	reload
	ns_gone
	loaded_at_end
"


ko=${VNET_KO:?VNET_KO is set by vm.sh}
nlraw=$(dirname "$0")/nlraw.py

# shellcheck disable=SC2317  # called through check_output
# nl CASE [NS]: the answer to one raw request, in the initial namespace
# or NS: "errno N" without the message.
nl()
{
	if [ $# -gt 1 ]; then
		in_ns "$2" /usr/bin/python3 "$nlraw" "$1"
	else
		/usr/bin/python3 "$nlraw" "$1"
	fi | cut -d: -f1
}

# raw_gone [NS]: the vnet that "nl ok" makes is deleted again.
raw_gone()
{
	if [ $# -gt 0 ]; then
		vnetctl -n "$(ns "$1")" vnet del raw
	else
		vnetctl vnet del raw
	fi
}

ns_create mod-a mod-b

genl_family()
{
	local c
	check "the module is loaded" test -d /sys/module/vnet
	check_output "the family accepts a new vnet" "errno 0" nl ok
	check_output "a second vnet of the same name is refused" "errno 17" nl ok
	for c in unknown-attr foreign-attr missing-attr bad-name host-bits; do
		check_output "$c is refused with EINVAL" "errno 22" nl "$c"
	done
	check_output "an unprivileged request is refused with EPERM" "errno 1" \
		nl unprivileged
	raw_gone
}

namespaces()
{
	check_output "the family answers in another namespace" "errno 0" nl ok mod-a
	check_output "each namespace has its own objects" "errno 0" nl ok mod-b
	raw_gone mod-a
	raw_gone mod-b
}

# Objects in three namespaces: module exit must free them all.
reload()
{
	nl ok >/dev/null
	nl ok mod-a >/dev/null
	nl ok mod-b >/dev/null
	check "rmmod with objects in three namespaces" rmmod vnet
	check_fail "the module is gone" test -d /sys/module/vnet
	check_exit 1 "the family is gone" /usr/bin/python3 "$nlraw" ok
	check "insmod again" insmod "$ko"
	check_output "no object survived the reload" "errno 0" nl ok
	check_output "nor in another namespace" "errno 0" nl ok mod-a
	raw_gone
	raw_gone mod-a
}

# A namespace that goes away frees its objects, then a second cycle.
ns_gone()
{
	nl ok mod-a >/dev/null
	check "a namespace with objects is deleted" ip netns del "$(ns mod-a)"
	check "rmmod after a namespace was deleted" rmmod vnet
	check "insmod once more" insmod "$ko"
}

# vm.sh unloads the module after the tests: keep it loaded whatever
# happened above.
loaded_at_end()
{
	[ -d /sys/module/vnet ] || insmod "$ko"
	check "the module is loaded at the end" test -d /sys/module/vnet
}

tests_run
done_testing
