#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A dump left half read while something is torn down under it.

usage: half_dump.py KIND VNET READY GO   (run in the namespace: ip netns exec)

Starts a dump of KIND (vnet, subnet, peering, acl, route; acl and route
of vnet VNET), reads its first part, writes READY, waits until the file GO
exists (the caller tears down meanwhile: the namespace, the module, the
vnet), then reads on until the dump ends or fails, and prints "PARTS
parts, done" or "PARTS parts, errno N". Exits 0 either way: what must not
happen is a crash, a hang or a leak, which vm.sh and the caller's timeout
see.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nlraw  # noqa: E402
from dump_race import E, Dump  # noqa: E402


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    kind, vnet, ready, go = sys.argv[1:]
    cmd = E["VNET_CMD_%s_GET" % kind.upper()]
    attrs = nlraw.nla_str(E["VNET_A_VNET"], vnet) if vnet else b""
    dump = Dump(nlraw.Genl().family("vnet"), cmd, attrs)
    dump.part()
    if dump.done:
        sys.exit("the first part holds everything: make more objects")
    with open(ready, "w") as f:
        f.write("%d\n" % os.getpid())
    while not os.path.exists(go):
        time.sleep(0.05)
    try:
        while not dump.done:
            dump.part()
        print("%d parts, done" % dump.parts)
    except OSError as e:
        print("%d parts, errno %d" % (dump.parts, e.errno))
    except SystemExit as e:	# Dump.part: an error message in the dump
        print("%d parts, %s" % (dump.parts, e))


if __name__ == "__main__":
    main()
