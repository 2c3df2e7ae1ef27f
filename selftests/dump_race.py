#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A dump that races changes: objects already sent are deleted, and
others added, between the parts of one multipart dump. Run in the
namespace of the controller (ip netns exec).

usage: dump_race.py vnet|subnet|peering|acl [VNET] [ADD-BATCH]
       dump_race.py route VNET[/SUBNET] [ADD-BATCH]
       dump_race.py effective VNET/SUBNET [ADD-BATCH]

Dumps once to know the objects, starts a second dump and reads its first
part, deletes (vnetctl -b) the first 30 objects that part held, adds the
objects of ADD-BATCH (a vnetctl -b file) if given, then reads the rest.
Passes (prints "ok", exits 0) when the second dump holds every object of
the first exactly once, and no object twice: a dump must neither skip nor
repeat what did not change because other objects did. Prints the parts
and whether the kernel flagged the dump as interrupted.

Routes: "route" dumps user routes (deleted with route del), "effective"
a subnet's effective routes, system routes first: a peer's (deleted with
its peering, which must then add no other route) or user routes. Their
parts are smaller, so the first 10 routes go, not 30.
"""
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nlraw  # noqa: E402

NLM_F_REQUEST = 1
NLM_F_MULTI = 2
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3


def uapi_enums():
    """The numbers of enum vnet_cmd and enum vnet_attr, from the header."""
    here = os.path.dirname(os.path.abspath(__file__))
    text = open(os.path.join(here, "../include/uapi/linux/vnet.h")).read()
    out = {}
    for enum in ("vnet_cmd", "vnet_attr", "vnet_prefix_attr",
                 "vnet_route_source"):
        body = re.search(r"enum %s \{(.*?)\};" % enum, text, re.S).group(1)
        for i, name in enumerate(re.findall(r"^\s*(\w+),", body, re.M)):
            out[name] = i
    return out


E = uapi_enums()


def sval(attrs, name):
    return attrs[E[name]].rstrip(b"\0").decode()


def key_of(kind, a):
    """An object's identity, and the vnetctl command that deletes it."""
    if kind == "vnet":
        k = sval(a, "VNET_A_VNET")
        return k, "vnet del %s" % k
    if kind in ("subnet", "peering"):
        k = (sval(a, "VNET_A_VNET"),
             sval(a, "VNET_A_SUBNET" if kind == "subnet" else "VNET_A_PEERING"))
        return k, "%s del %s %s" % (kind, k[0], k[1])
    if kind in ("route", "effective"):
        p = nlraw.parse_attrs(a[E["VNET_A_ROUTE_PREFIX"]])
        v4 = E["VNET_PREFIX_A_IN_ADDR"] in p
        addr = p[E["VNET_PREFIX_A_IN_ADDR" if v4 else "VNET_PREFIX_A_IN6_ADDR"]]
        cidr = "%s/%d" % (socket.inet_ntop(socket.AF_INET if v4 else
                                           socket.AF_INET6, addr),
                          p[E["VNET_PREFIX_A_LEN"]][0])
        src = a[E["VNET_A_ROUTE_SOURCE"]][0] if kind == "effective" else \
            E["VNET_ROUTE_SRC_USER"]
        peering = sval(a, "VNET_A_PEERING") \
            if E["VNET_A_PEERING"] in a else ""
        k = (sval(a, "VNET_A_VNET"), sval(a, "VNET_A_SUBNET"), cidr, src,
             peering)
        if src == E["VNET_ROUTE_SRC_USER"]:
            return k, "route del %s %s %s" % (k[0], k[1], cidr)
        if src == E["VNET_ROUTE_SRC_PEERING"]:
            return k, "peering del %s %s" % (k[0], peering)
        return k, None
    port = a[E["VNET_A_ACL_SCOPE"]][0] == 1
    scope = ("port", sval(a, "VNET_A_IFNAME")) if port else \
        ("subnet", sval(a, "VNET_A_SUBNET"))
    d = "in" if a[E["VNET_A_ACL_DIR"]][0] == 0 else "out"
    prio = struct.unpack("=H", a[E["VNET_A_ACL_PRIO"]][:2])[0]
    k = (sval(a, "VNET_A_VNET"), scope, d, prio)
    return k, "acl del %s %s %s dir %s prio %d" % (k[0], scope[0], scope[1],
                                                   d, prio)


class Dump:
    """One dump on its own socket, read one part (datagram) at a time."""

    def __init__(self, family, cmd, attrs):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  nlraw.NETLINK_GENERIC)
        self.sock.bind((0, 0))
        body = struct.pack("=BBH", cmd, 1, 0) + attrs
        self.sock.send(struct.pack("=IHHII", 16 + len(body), family,
                                   NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
        self.done = False
        self.intr = False
        self.parts = 0

    def part(self):
        """The objects of the next part, as attribute dicts."""
        objs = []
        data = self.sock.recv(8192)
        self.parts += 1
        while data:
            mlen, mtype, mflags, _, _ = struct.unpack("=IHHII", data[:16])
            payload = data[16:mlen]
            data = data[(mlen + 3) & ~3:]
            if mflags & NLM_F_DUMP_INTR:
                self.intr = True
            if mtype == NLMSG_DONE:
                self.done = True
            elif mtype == NLMSG_ERROR:
                sys.exit("dump failed: errno %d" %
                         -struct.unpack("=i", payload[:4])[0])
            else:
                objs.append(nlraw.parse_attrs(payload[4:]))
        return objs


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("vnet", "subnet", "peering",
                                                "acl", "route", "effective"):
        sys.exit(__doc__)
    kind = sys.argv[1]
    vnet = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    extra = sys.argv[3] if len(sys.argv) > 3 else None
    ndel = 30
    if kind in ("route", "effective"):
        cmd = E["VNET_CMD_ROUTE_GET"]
        vnet, _, subnet = vnet.partition("/")
        attrs = nlraw.nla_str(E["VNET_A_VNET"], vnet)
        if subnet:
            attrs += nlraw.nla_str(E["VNET_A_SUBNET"], subnet)
        if kind == "effective":
            attrs += nlraw.nla(E["VNET_A_ROUTE_EFFECTIVE"], b"")
        ndel = 10
    else:
        cmd = E["VNET_CMD_%s_GET" % kind.upper()]
        attrs = nlraw.nla_str(E["VNET_A_VNET"], vnet) if vnet else b""
    fam = nlraw.Genl().family("vnet")

    first = Dump(fam, cmd, attrs)
    before = []
    while not first.done:
        before += [key_of(kind, a)[0] for a in first.part()]

    race = Dump(fam, cmd, attrs)
    got = [key_of(kind, a) for a in race.part()]
    if race.done or len(got) < ndel:
        sys.exit("the first part holds everything: make more objects")
    dels = [g[1] for g in got[:ndel]]
    if None in dels:
        sys.exit("the first %d objects cannot all be deleted" % ndel)
    with tempfile.NamedTemporaryFile("w", suffix=".batch") as f:
        f.write("".join(d + "\n" for d in dict.fromkeys(dels)))
        f.flush()
        subprocess.run(["vnetctl", "-b", f.name], check=True)
    if extra:
        subprocess.run(["vnetctl", "-b", extra], check=True)
    got = [g[0] for g in got]
    while not race.done:
        got += [key_of(kind, a)[0] for a in race.part()]

    print("# %d objects, %d parts, dump %sflagged interrupted" %
          (len(before), race.parts, "" if race.intr else "not "))
    seen, bad = set(), []
    for k in got:
        if k in seen:
            bad.append("sent twice: %s" % (k,))
        seen.add(k)
    bad += ["missed: %s" % (k,) for k in before if k not in seen]
    for b in bad[:10]:
        print(b)
    if bad:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
