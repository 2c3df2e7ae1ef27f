#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module itself: it is loaded, its generic netlink family answers and
# validates requests of a raw client (nlraw.py, not vnetctl), in the initial
# namespace and in others, and it unloads and loads again with objects
# present, so module exit frees what every namespace holds. Leaves the
# module loaded, as vm.sh expects.
# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

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

check "the module is loaded" test -d /sys/module/vnet
check_output "the family accepts a new vnet" "errno 0" nl ok
check_output "a second vnet of the same name is refused" "errno 17" nl ok
for c in unknown-attr foreign-attr missing-attr bad-name host-bits; do
	check_output "$c is refused with EINVAL" "errno 22" nl "$c"
done
check_output "an unprivileged request is refused with EPERM" "errno 1" \
	nl unprivileged

ns_create mod-a mod-b
check_output "the family answers in another namespace" "errno 0" nl ok mod-a
check_output "each namespace has its own objects" "errno 0" nl ok mod-b

# Objects in three namespaces now: module exit must free them all.
check "rmmod with objects in three namespaces" rmmod vnet
check_fail "the module is gone" test -d /sys/module/vnet
check_exit 1 "the family is gone" /usr/bin/python3 "$nlraw" ok
check "insmod again" insmod "$ko"
check_output "no object survived the reload" "errno 0" nl ok
check_output "nor in another namespace" "errno 0" nl ok mod-a

# A namespace that goes away frees its objects, then a second cycle.
check "a namespace with objects is deleted" ip netns del "$(ns mod-a)"
check "rmmod after a namespace was deleted" rmmod vnet
check "insmod once more" insmod "$ko"

# vm.sh unloads the module after the tests: keep it loaded whatever
# happened above.
[ -d /sys/module/vnet ] || insmod "$ko"
check "the module is loaded at the end" test -d /sys/module/vnet

done_testing
