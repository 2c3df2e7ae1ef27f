#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Netlink fuzzing of the vnet family (issue 13): a refused request
changes nothing.

usage: nlfuzz.py [--seed N] [--count N] [--timeout S] [--skip NAME]...
                 [--effective] [--no-netns] [--dry-run] [--verbose]

A seeded generator (the message sequence is a function of the seed alone)
sends --count messages (default 3000) to every op of the family, do and
dump alike (the ops come from CTRL_CMD_GETFAMILY): valid requests built
from a small model of objects (vnets A..F with 10.N.0.0/16 and
fd00:N::/48, subnets web and db, ports fz0..fz5, peerings "A-B", ACLs,
routes, gateways, lbs "lb1" "lb2", endpoints), well-formed requests whose
values conflict (overlapping or duplicate prefixes and addresses, another
vnet's, multicast MACs, flags a peering cannot take, too many backends),
and the same requests mutated: attributes dropped, duplicated, retyped,
truncated, extended, flat where nested is expected and the reverse,
wrong nla_len, flag bits (NLA_F_NESTED, NLA_F_NET_BYTEORDER), huge
values, empty, long and unterminated strings, unknown and foreign
attributes, nested elements mutated the same way, oversized payloads, a
truncated body, a bad genl or netlink header (flags, version, reserved,
command), random bytes. A fixed setup, replayed every 250 messages, and
the valid requests keep the state rich: vnets with subnets, ports up
(veth, tap) and absent, peerings initiated, connected and disconnected,
ACLs, routes, a gateway, an lb, an endpoint (and its tunnel device);
interfaces of port names are added, deleted, renamed and set up as the
run goes. It runs in a network namespace of its own (--no-netns: the
caller's), whose objects go with it when it exits.

The invariants, over the fuzzer's own socket:
  - before each message, a snapshot of every object: the VNET_GET,
    SUBNET_GET, PEERING_GET, PORT_GET, GATEWAY_GET, LB_GET and
    ENDPOINT_GET dumps, ACL_GET and ROUTE_GET of every vnet (with
    --effective also each subnet's effective routes: slower), and
    INFO_GET's object counts, and the namespace's interfaces; when the module
    refuses the message, the same snapshot after it must be byte-identical
    (generic netlink payloads; a message it accepts sets the new
    expectation);
  - every request is answered before --timeout seconds (default 30);
  - the errno is a sane negative errno (1..133: no positive error, no
    kernel-internal ERESTART*).
A first TAP line checks the checker: an accepted VNET_NEW changes the
snapshot, and its VNET_DEL brings back the same bytes.
The kernel side (no crash, no WARNING, no leak when the module is
unloaded) is vm.sh's: run it as selftests/vm.sh selftests/nlfuzz.py.

Output is TAP: one line per op and kind (do, dump) with the messages it
got and how many the module refused, a line for requests to commands that
are not ops, a summary; exits 1 on any violation, each printed with the
seed, the message's index, its hex and what changed. The same seed
and a --count just past that index replay the run up to it.

--skip NAME leaves out the messages of a known kernel bug (KNOWN_BUGS
below; none is known now) or every message of command NAME (VNET_NEW or
VNET_CMD_VNET_NEW), so that the rest can be checked past it. --dry-run
builds the messages without a kernel (on the host) and prints
statistics; --verbose prints each message.
"""
import argparse
import copy
import ctypes
import errno as errno_mod
import os
import random
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlraw import (nla, uapi_enum, parse_attrs, u32,  # noqa: E402
                   NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                   CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_OPS,
                   CTRL_ATTR_OP_ID, CTRL_ATTR_OP_FLAGS, GENL_CMD_CAP_DO,
                   GENL_CMD_CAP_DUMP, NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP,
                   NLMSG_ERROR, NLMSG_DONE, NLM_F_ACK_TLVS, NLM_F_CAPPED,
                   NLMSGERR_ATTR_MSG, NETLINK_EXT_ACK, SOL_NETLINK,
                   NLA_F_NESTED)
import policy  # noqa: E402

NLA_F_NET_BYTEORDER = 0x4000
NETLINK_CAP_ACK = 10
NLMSGERR_ATTR_OFFS = 2
CLONE_NEWNET = 0x40000000
ERRNO_MAX = 133		# EHWPOISON, the highest errno of Linux

CMD = uapi_enum("vnet_cmd")


def short(enum, prefix):
    """{NAME without PREFIX: value} of an enum of the uapi header."""
    return {k[len(prefix):]: v for k, v in uapi_enum(enum).items()
            if k.startswith(prefix)}


C = short("vnet_cmd", "VNET_CMD_")
CMDS = {v: k for k, v in C.items()}
A = short("vnet_attr", "VNET_A_")
A_MAX = max(A.values())
P = short("vnet_prefix_attr", "VNET_PREFIX_A_")
B = short("vnet_backend_attr", "VNET_BACKEND_A_")
ANAME = {v: k for k, v in A.items() if not k.startswith("_")}

# The ops of the family, for --dry-run (in the VM they come from the
# family itself): which answer a dump, and which a do as well.
DUMP_ONLY = {"SUBNET_GET", "PEERING_GET", "ACL_GET", "ROUTE_GET",
             "GATEWAY_GET", "LB_GET", "ENDPOINT_GET"}
DO_AND_DUMP = {"VNET_GET", "PORT_GET", "STATS_GET"}

# Known kernel bugs, left out with --skip NAME: NAME -> (what, predicate
# over (cmd, flags, encoded attributes)). Each entry says where it is
# reported. None is known now.
KNOWN_BUGS = {}


# Messages: a list of attributes, each [type, value, xor_flags, len_delta]
# where value is bytes (flat) or a list of attributes (nested, encoded with
# NLA_F_NESTED unless xor_flags clears it); len_delta skews nla_len.

def at(t, v):
    if isinstance(t, str):
        t = A[t]
    return [t, v, 0, 0]


def encode(attrs):
    out = b""
    for t, v, xf, dl in attrs:
        if isinstance(v, list):
            payload = encode(v)
            t |= NLA_F_NESTED
        else:
            payload = v
        t ^= xf
        alen = max(0, min(0xffff, 4 + len(payload) + dl))
        out += struct.pack("=HH", alen, t & 0xffff) + payload
        out += b"\0" * ((4 - len(payload) % 4) % 4)
    return out


def s(name):
    return name.encode() + b"\0"


def u8(v):
    return struct.pack("=B", v & 0xff)


def u16(v):
    return struct.pack("=H", v & 0xffff)


def u32b(v):
    return struct.pack("=I", v & 0xffffffff)


def ip(addr):
    if ":" in addr:
        return socket.inet_pton(socket.AF_INET6, addr)
    return socket.inet_aton(addr)


def addr_attrs(addr):
    """A nested address: [IN_ADDR or IN6_ADDR]."""
    return [[P["IN6_ADDR"] if ":" in addr else P["IN_ADDR"], ip(addr), 0, 0]]


def pfx_attrs(text):
    addr, plen = text.split("/")
    return addr_attrs(addr) + [[P["LEN"], u8(int(plen)), 0, 0]]


def plist(prefixes):
    """An array of nested prefixes, the element's type its index."""
    return [[i + 1, pfx_attrs(p), 0, 0] for i, p in enumerate(prefixes)]


def bits(value, selector):
    return struct.pack("=II", value, selector)


# The model: names and addresses that make valid requests likely to
# refer to objects that exist.
VNETS = ["A", "B", "C", "D", "E", "F"]
SUBNETS = ["web", "db"]
PORTS = ["fz%d" % k for k in range(6)]
LBS = ["lb1", "lb2"]


def vnum(v):
    return VNETS.index(v) + 1 if v in VNETS else 9


def vnet_prefixes(v):
    n = vnum(v)
    return ["10.%d.0.0/16" % n, "fd00:%d::/48" % n]


def subnet_prefixes(v, sn):
    n, j = vnum(v), (SUBNETS.index(sn) + 1 if sn in SUBNETS else 9)
    return ["10.%d.%d.0/24" % (n, j), "fd00:%d:0:%d::/64" % (n, j)]


def port_ips(v, sn, k):
    n, j = vnum(v), (SUBNETS.index(sn) + 1 if sn in SUBNETS else 9)
    return ["10.%d.%d.%d" % (n, j, 10 + k), "fd00:%d:0:%d::%x" % (n, j, 10 + k)]


def port_mac(v, k):
    return bytes([0x52, 0x54, 0, 0, vnum(v), 0x10 + k])


class Gen:
    """Builds messages from the seed alone (never from the replies), so
    that a seed replays the same run."""

    def __init__(self, rng):
        self.r = rng

    def pick(self, seq):
        return self.r.choice(seq)

    def vnet(self):
        return self.pick(VNETS[:4] * 3 + VNETS[4:])

    def subnet(self):
        return self.pick(SUBNETS)

    def port(self):
        return self.r.randrange(len(PORTS))

    def fam(self):
        return self.r.randrange(2)

    def name_attr(self, t, v):
        return at(t, s(v))

    # Valid requests, op by op.
    def valid(self, op, dump):
        r = self.r
        if not dump and op in SETUP_TWIN and r.random() < 0.5:
            made = [a for o, a in SETUP_OBJECTS if o == SETUP_TWIN[op][0]]
            if made:
                keep = SETUP_TWIN[op][1]
                out = [copy.deepcopy(a) for a in r.choice(made)
                       if ANAME.get(a[0]) in keep]
                if op == "PEERING_SET":
                    out.append(at("FLAGS", bits(r.randrange(16), r.randrange(16))))
                if op == "PORT_SET" and r.random() < 0.5:
                    out.append(at("PORT_FLAGS", bits(r.randrange(2), 1)))
                if op == "TRACE":
                    port = r.choice(made)
                    out = [copy.deepcopy(port[1]), at("TRACE_SRC",
                           copy.deepcopy(port[4][1][0][1]))]
                    out.append(at("TRACE_DST", addr_attrs(r.choice(
                        ["10.1.2.11", "10.2.1.12", "10.2.1.13", "10.1.0.100",
                         "10.1.1.200", "10.3.2.14", "192.168.1.1"]))))
                    out.append(at("TRACE_PROTO", u8(r.choice([6, 17, 1]))))
                    out.append(at("TRACE_DPORT", u16(r.choice([80, 23]))))
                return out
        v = self.vnet()
        sn = self.subnet()
        k = self.port()
        f = self.fam()
        V = at("VNET", s(v))
        S = at("SUBNET", s(sn))
        I = at("IFNAME", s(PORTS[k]))
        if dump:
            out = []
            if op in ("SUBNET_GET", "PEERING_GET", "GATEWAY_GET", "LB_GET",
                      "ENDPOINT_GET") and r.random() < 0.5:
                out.append(V)
            if op in ("ACL_GET", "ROUTE_GET"):
                out.append(V)
            if op == "ROUTE_GET":
                if r.random() < 0.6:
                    out.append(S)
                if r.random() < 0.5:
                    out.append(at("ROUTE_EFFECTIVE", b""))
            return out
        if op in ("INFO_GET", "ACL_COMMIT"):
            return []
        if op == "VNET_NEW":
            pf = vnet_prefixes(v)
            pf = r.choice([pf, pf[:1], pf[1:]])
            vid = vnum(v) if r.random() < 0.85 else r.choice(
                [1, 2, 7, 100, 16777215])
            return [V, at("ID", u32b(vid)), at("PREFIXES", plist(pf))]
        if op in ("VNET_DEL", "VNET_GET", "GATEWAY_DEL"):
            return [V]
        if op in ("PREFIX_NEW", "PREFIX_DEL"):
            n = vnum(v)
            p = r.choice(["10.%d.0.0/16" % (n + 100), "172.%d.0.0/16" % (16 + n),
                          "fd00:%d::/48" % (n + 100)] + vnet_prefixes(v))
            return [V, at("PREFIXES", plist([p]))]
        if op == "SUBNET_NEW":
            pf = subnet_prefixes(v, sn)
            pf = r.choice([pf, pf, pf[:1], pf[1:]])
            return [V, S, at("PREFIXES", plist(pf))]
        if op == "SUBNET_DEL":
            return [V, S]
        w = self.vnet()
        PEER = at("PEERING", s("%s-%s" % (v, w)))
        if op == "PEERING_NEW":
            out = [V, PEER, at("REMOTE", s(w))]
            if r.random() < 0.5:
                out.append(at("FLAGS", bits(r.randrange(16), r.randrange(16))))
            return out
        if op == "PEERING_SET":
            return [V, PEER, at("FLAGS", bits(r.randrange(16), r.randrange(16)))]
        if op == "PEERING_DEL":
            return [V, PEER]
        ips = port_ips(v, sn, k)
        if op == "PORT_NEW":
            out = [I, V, S, at("MAC", port_mac(v, k)),
                   at("ADDRS", [[i + 1, addr_attrs(a), 0, 0] for i, a in
                                enumerate(r.choice([ips, ips[:1], ips[1:]]))])]
            if r.random() < 0.5:
                out.append(at("PORT_FLAGS", bits(r.randrange(2), 1)))
            return out
        if op == "PORT_SET":
            out = [I]
            if r.random() < 0.4:
                out.append(at("MAC", port_mac(v, k)))
            if r.random() < 0.5:
                out.append(at("ADDRS", [[1, addr_attrs(ips[f]), 0, 0]]))
            if r.random() < 0.5:
                out.append(at("PORT_FLAGS", bits(r.randrange(2), 1)))
            return out
        if op in ("PORT_DEL", "PORT_GET", "STATS_GET"):
            return [I]
        if op in ("ACL_NEW", "ACL_DEL"):
            out = [V]
            if r.random() < 0.5:
                out += [at("ACL_SCOPE", u8(0)), S]
            else:
                out += [at("ACL_SCOPE", u8(1)), I]
            out += [at("ACL_DIR", u8(r.randrange(2))),
                    at("ACL_PRIO", u16(r.choice([1, 2, 3, 10, 20, 65535])))]
            if op == "ACL_NEW":
                out.append(at("ACL_ACTION", u8(r.randrange(2))))
                proto = r.choice([None, 6, 17, 1, 58])
                if proto is not None:
                    out.append(at("ACL_PROTO", u8(proto)))
                if r.random() < 0.4:
                    out.append(at("ACL_SRC", pfx_attrs(
                        vnet_prefixes(self.vnet())[f])))
                if r.random() < 0.4:
                    out.append(at("ACL_DST", pfx_attrs(
                        subnet_prefixes(v, sn)[f])))
                if proto in (6, 17) and r.random() < 0.5:
                    lo = r.choice([22, 80, 1000])
                    out.append(at("ACL_DPORT", u32b(lo << 16 | (lo + r.randrange(3)))))
                if proto in (6, 17) and r.random() < 0.3:
                    out.append(at("ACL_SPORT", u32b(1024 << 16 | 65535)))
                if r.random() < 0.3:
                    out.append(at("ACL_FROM_VNET", s(self.vnet())))
            if r.random() < 0.3:
                out.append(at("ACL_DEFER", b""))
            return out
        rpfx = r.choice(["10.%d.0.0/16" % vnum(w), "0.0.0.0/0", "10.9.0.0/16",
                         "fd00:%d::/48" % vnum(w), "::/0", "192.168.0.0/16"])
        if op == "ROUTE_NEW":
            nh = r.choice([0, 1, 1, 2])
            out = [V, S, at("ROUTE_PREFIX", pfx_attrs(rpfx)),
                   at("ROUTE_NEXTHOP", u8(nh))]
            if nh == 1:
                fam6 = ":" in rpfx
                out.append(at("ROUTE_VIA", addr_attrs(
                    port_ips(v, self.subnet(), self.port())[int(fam6)])))
            return out
        if op == "ROUTE_DEL":
            return [V, S, at("ROUTE_PREFIX", pfx_attrs(rpfx))]
        if op == "GATEWAY_SET":
            return [V, I, at("PREFIXES", plist(r.choice(
                [["192.168.0.0/16"], ["192.168.0.0/16", "fd99::/32"],
                 ["172.31.0.0/16"]])))]
        if op == "TRACE":
            src = port_ips(v, sn, k)[f]
            dst = port_ips(w, self.subnet(), self.port())[f]
            out = [V, at("TRACE_SRC", addr_attrs(src)),
                   at("TRACE_DST", addr_attrs(dst))]
            if r.random() < 0.7:
                out.append(at("TRACE_PROTO", u8(r.choice([6, 17, 1, 58]))))
            if r.random() < 0.5:
                out.append(at("TRACE_SPORT", u16(40000)))
            if r.random() < 0.5:
                out.append(at("TRACE_DPORT", u16(r.choice([22, 80, 23]))))
            if r.random() < 0.3:
                out.append(I)
            return out
        L = at("LB", s(self.pick(LBS)))
        if op == "LB_NEW":
            n = vnum(v)
            fe = ["10.%d.0.100" % n, "fd00:%d::100" % n][f]
            backends = []
            for i in range(r.randrange(1, 4)):
                bip = port_ips(v, self.subnet(), self.port())[f]
                backends.append([i + 1, [[B["ADDR"], addr_attrs(bip), 0, 0],
                                         [B["PORT"], u16(8080), 0, 0]], 0, 0])
            return [V, L, at("LB_FRONTEND", addr_attrs(fe)),
                    at("LB_PROTO", u8(r.choice([6, 17]))),
                    at("LB_PORT", u16(r.choice([80, 443]))),
                    at("LB_BACKENDS", backends)]
        if op == "LB_DEL":
            return [V, L]
        n, j = vnum(v), SUBNETS.index(sn) + 1
        eip = ["10.%d.%d.%d" % (n, j, 200 + k % 3),
               "fd00:%d:0:%d::%d" % (n, j, 200 + k % 3)][f]
        E = at("ENDPOINT_IP", addr_attrs(eip))
        if op == "ENDPOINT_NEW":
            und = r.choice(["192.0.2.2", "192.0.2.3", "2001:db8::2"])
            return [V, E, at("MAC", bytes([0x52, 0x54, 0, 0xee, n, k])),
                    at("ENDPOINT_UNDERLAY", addr_attrs(und))]
        if op == "ENDPOINT_DEL":
            return [V, E]
        raise ValueError("no builder for " + op)

    # Well-formed requests whose values conflict with each other or with
    # the state: what the policies pass and only the handlers can refuse,
    # often after part of the work (a second prefix, address or backend).
    def semantic(self, op):
        r = self.r
        v, w = self.vnet(), self.vnet()
        n = vnum(v)
        sn = self.subnet()
        k, k2 = self.port(), self.port()
        V = at("VNET", s(v))
        S = at("SUBNET", s(sn))
        I = at("IFNAME", s(PORTS[k]))
        ips = port_ips(v, sn, k)
        other = port_ips(w, self.subnet(), k2)
        outside = ["10.%d.9.9" % n, "fd00:%d:0:9::9" % n, "192.0.2.1",
                   "10.%d.0.0" % n, "10.%d.%d.255" % (n, SUBNETS.index(sn) + 1)]
        bad_mac = r.choice([b"\xff" * 6, b"\0" * 6, b"\x01\0\x5e\0\0\1",
                            port_mac(w, k2)])

        def addrs(lst):
            return at("ADDRS", [[i + 1, addr_attrs(a), 0, 0]
                                for i, a in enumerate(lst)])
        if op == "VNET_NEW":
            pf = r.choice([["10.%d.0.0/16" % n, "10.%d.5.0/24" % n],
                           ["10.%d.0.0/16" % n, "10.%d.0.0/16" % n],
                           vnet_prefixes(v) + vnet_prefixes(w),
                           vnet_prefixes(v) + ["0.0.0.0/0"],
                           ["10.%d.0.0/16" % n] * 2 + ["fd00::/8"] * 40])
            return [V, at("ID", u32b(r.choice([vnum(w), n, 0, 16777216]))),
                    at("PREFIXES", plist(pf))]
        if op in ("PREFIX_NEW", "PREFIX_DEL"):
            return [V, at("PREFIXES", plist([r.choice(
                subnet_prefixes(v, sn) + vnet_prefixes(w) +
                ["10.%d.0.0/8" % n, "10.%d.128.0/17" % n])]))]
        if op == "SUBNET_NEW":
            pf = subnet_prefixes(v, sn)
            pf = r.choice([[pf[0], pf[0]], [pf[0], "10.%d.7.0/24" % n],
                           [pf[0], pf[1], "10.%d.8.0/24" % n],
                           subnet_prefixes(w, sn), [pf[0], "fd00:%d::/32" % n],
                           ["10.%d.0.0/16" % n], [pf[0], "fd00:%d:0:1::/64" % n]])
            return [V, at("SUBNET", s(r.choice(SUBNETS + ["new"]))),
                    at("PREFIXES", plist(pf))]
        if op in ("PEERING_NEW", "PEERING_SET"):
            out = [V, at("PEERING", s(r.choice(["%s-%s" % (v, w), "%s-%s" % (v, v),
                                               "%s-%s" % (w, v)]))),
                   at("FLAGS", bits(r.choice([0xc, 0x8, 0x4, 0xf, 0x10, 0xffffffff]),
                                    r.choice([0xf, 0x8, 0x1f, 0])))]
            if op == "PEERING_NEW":
                out.insert(2, at("REMOTE", s(r.choice([v, w, "Z"]))))
            return out
        if op == "PORT_NEW":
            lst = r.choice([[ips[0], ips[0]], [ips[0], other[0]],
                            [ips[0], r.choice(outside)], [ips[0], ips[1], ips[0]],
                            [ips[0]] * 20, [r.choice(outside)]])
            return [at("IFNAME", s(r.choice(PORTS + ["lo", "vnet-vxlan",
                                                     "fz0p"]))),
                    V, S, at("MAC", r.choice([bad_mac, port_mac(v, k)])),
                    addrs(lst), at("PORT_FLAGS", bits(r.randrange(2), 1))]
        if op == "PORT_SET":
            out = [I]
            out.append(at("MAC", r.choice([bad_mac, port_mac(v, k)])))
            out.append(addrs(r.choice([[ips[0], other[0]], [ips[1], ips[1]],
                                       [r.choice(outside)], [ips[0]] * 20, []])))
            out.append(at("PORT_FLAGS", bits(r.randrange(2), r.choice([1, 3]))))
            r.shuffle(out)
            return out
        if op in ("ACL_NEW", "ACL_DEL"):
            out = self.valid(op, False)
            extra = r.choice([
                [at("ACL_SRC", pfx_attrs("10.1.0.0/16")),
                 at("ACL_DST", pfx_attrs("fd00:1::/48"))],
                [at("ACL_PROTO", u8(1)), at("ACL_DPORT", u32b(80 << 16 | 80))],
                [at("ACL_PROTO", u8(6)), at("ACL_DPORT", u32b(90 << 16 | 80))],
                [at("ACL_FROM_VNET", s(r.choice(["Z", v])))],
                [at("ACL_SCOPE", u8(0)), at("IFNAME", s(PORTS[k]))],
                [at("SUBNET", s(sn)), at("IFNAME", s(PORTS[k]))]])
            if op == "ACL_DEL":
                extra = [at("ACL_DEFER", b"")] + [at("SUBNET", s(sn))]
            return out + extra
        if op == "ROUTE_NEW":
            return [V, S, at("ROUTE_PREFIX", pfx_attrs(r.choice(
                ["10.%d.0.0/16" % n, "10.2.0.0/16", "fd00:9::/48"]))),
                at("ROUTE_NEXTHOP", u8(r.choice([0, 1, 2]))),
                at("ROUTE_VIA", addr_attrs(r.choice(ips + other + outside)))]
        if op == "GATEWAY_SET":
            return [V, at("IFNAME", s(PORTS[k])), at("PREFIXES", plist(r.choice(
                [vnet_prefixes(v), ["192.168.0.0/16", "192.168.1.0/24"],
                 ["192.168.0.0/16"] * 3, vnet_prefixes(w),
                 ["10.%d.0.0/%d" % (i, 16) for i in range(100, 140)]])))]
        if op == "LB_NEW":
            backends = []
            for i in range(r.choice([2, 3, 70])):
                bip = r.choice(ips + other + outside)
                backends.append([i + 1, [[B["ADDR"], addr_attrs(bip), 0, 0],
                                         [B["PORT"], u16(8080), 0, 0]], 0, 0])
            return [V, at("LB", s(self.pick(LBS))),
                    at("LB_FRONTEND", addr_attrs(r.choice(ips + outside))),
                    at("LB_PROTO", u8(r.choice([6, 17, 1, 0]))),
                    at("LB_PORT", u16(80)), at("LB_BACKENDS", backends)]
        if op == "ENDPOINT_NEW":
            return [V, at("ENDPOINT_IP", addr_attrs(r.choice(ips + outside))),
                    at("MAC", r.choice([bad_mac, port_mac(v, k)])),
                    at("ENDPOINT_UNDERLAY", addr_attrs(r.choice(
                        ["0.0.0.0", "224.0.0.1", "ff02::1", "::", ips[0],
                         "192.0.2.2"])))]
        if op == "TRACE":
            return [V, at("TRACE_SRC", addr_attrs(ips[0])),
                    at("TRACE_DST", addr_attrs(r.choice(other[1:] + outside))),
                    at("IFNAME", s(PORTS[k2]))]
        return self.valid(op, False)

    # Mutations of an attribute list (in place); each returns its name.
    def walk(self, attrs, depth=0):
        """Every attribute of the tree, as (list, index)."""
        out = []
        for i, a in enumerate(attrs):
            out.append((attrs, i))
            if isinstance(a[1], list) and depth < 3:
                out += self.walk(a[1], depth + 1)
        return out

    def strings(self):
        r = self.r
        return r.choice([
            b"", b"\0", b"A", b"A" * 31 + b"\0", b"A" * 32 + b"\0",
            b"A" * 33 + b"\0", b"a/b\0", b"a b\0", b"..\0", b"-\0",
            b"A\0B\0", b"\xff\xfe\0", "é\0".encode(), b"fz0" * 5 + b"\0",
            b"x" * 16 + b"\0", b"x" * 15 + b"\0", b"\0" * 8,
            bytes(r.randrange(1, 256) for _ in range(r.randrange(1, 40)))])

    def mutate_attrs(self, attrs, op):
        r = self.r
        nodes = self.walk(attrs)
        kind = r.randrange(17)
        if not nodes and kind < 13:
            kind = 13
        if kind < 13:
            lst, i = r.choice(nodes)
            a = lst[i]
        if kind == 0:
            del lst[i]
            return "drop"
        if kind == 1:
            dup = copy.deepcopy(a)
            if not isinstance(dup[1], list) and dup[1] and r.random() < 0.5:
                dup[1] = bytes(reversed(dup[1]))
            lst.insert(r.randrange(len(lst) + 1), dup)
            return "duplicate"
        if kind == 2:
            a[0] = r.choice([0, r.randrange(A_MAX + 3),
                             r.randrange(A_MAX + 1, 0x3fff)])
            return "retype"
        if kind == 3:
            if isinstance(a[1], list):
                a[1] = encode(a[1])
                return "flat-for-nested"
            if r.random() < 0.5:
                a[1] = [[r.randrange(1, 5), a[1], 0, 0]]
            else:
                a[1] = []
            return "nested-for-flat"
        if kind == 4:
            a[2] ^= r.choice([NLA_F_NESTED, NLA_F_NET_BYTEORDER,
                              NLA_F_NESTED | NLA_F_NET_BYTEORDER])
            return "nla-flags"
        if kind == 5:
            a[3] = r.choice([-4, -3, -1, 1, 4, 8, 100, -100, 0x10000])
            return "nla-len"
        if kind == 6:
            v = a[1] if not isinstance(a[1], list) else encode(a[1])
            a[1] = v[:r.randrange(len(v))] if v else b""
            return "truncate-attr"
        if kind == 7:
            v = a[1] if not isinstance(a[1], list) else encode(a[1])
            a[1] = v + bytes(r.randrange(256) for _ in range(r.randrange(1, 9)))
            return "extend-attr"
        if kind == 8:
            if isinstance(a[1], list):
                return self.mutate_attrs(a[1], op) + "-inner"
            n = len(a[1])
            if n in (1, 2, 4, 8):
                a[1] = r.choice([b"\xff" * n, b"\0" * n, b"\x80" + b"\0" * (n - 1),
                                 b"\0" * (n - 1) + b"\x80"])
            else:
                a[1] = b"\xff" * r.choice([1, 2, 4, 8])
            return "huge-value"
        if kind == 9:
            a[1] = self.strings()
            return "string"
        if kind == 10:
            n = r.choice([64, 300, 4096, 32768, 65000])
            if isinstance(a[1], list) and a[1]:
                a[1] = [[j + 1, copy.deepcopy(a[1][0][1]), 0, 0]
                        for j in range(n // 24)]
            else:
                a[1] = (b"A" * (n - 1) + b"\0") if r.random() < 0.5 else \
                    bytes(r.randrange(256) for _ in range(n))
            return "oversized"
        if kind == 11:
            a[1] = bytes(r.randrange(256) for _ in range(r.randrange(0, 40)))
            return "random-payload"
        if kind == 12:
            if isinstance(a[1], list):
                a[1] = []
            else:
                a[1] = b""
            return "empty"
        if kind == 13:
            t = r.randrange(1, A_MAX + 1)
            name = ANAME[t]
            attrs.insert(r.randrange(len(attrs) + 1),
                         self.to_attr(policy.value(t, name)))
            return "foreign:" + name
        if kind == 14:
            t = r.choice([0, A_MAX + 1, A_MAX + 2, r.randrange(A_MAX + 1, 0x3fff)])
            attrs.insert(r.randrange(len(attrs) + 1),
                         [t, bytes(r.randrange(256) for _ in range(r.randrange(0, 12))),
                          0, 0])
            return "unknown"
        if kind == 15:
            r.shuffle(attrs)
            return "reorder"
        # kind 16: a prefix or address made inconsistent
        bad = r.choice([
            [[P["IN_ADDR"], ip("10.1.0.1"), 0, 0], [P["LEN"], u8(8), 0, 0]],
            [[P["IN_ADDR"], ip("10.1.0.0"), 0, 0], [P["LEN"], u8(33), 0, 0]],
            [[P["IN6_ADDR"], ip("fd00::"), 0, 0], [P["LEN"], u8(129), 0, 0]],
            [[P["IN_ADDR"], ip("10.1.0.0"), 0, 0],
             [P["IN6_ADDR"], ip("fd00::"), 0, 0], [P["LEN"], u8(16), 0, 0]],
            [[P["LEN"], u8(16), 0, 0]],
            [[P["IN6_ADDR"], ip("10.1.0.0"), 0, 0]],
            [[P["IN_ADDR"], ip("fd00::"), 0, 0]],
            [[P["IN_ADDR"], ip("255.255.255.255"), 0, 0], [P["LEN"], u8(0), 0, 0]],
            [[P["IN_ADDR"], ip("0.0.0.0"), 0, 0], [P["LEN"], u8(0), 0, 0]],
            [[P["IN_ADDR"], ip("224.0.0.1"), 0, 0], [P["LEN"], u8(32), 0, 0]],
            [[P["IN6_ADDR"], ip("ff02::1"), 0, 0], [P["LEN"], u8(128), 0, 0]],
            [[P["IN_ADDR"], ip("10.1.0.0"), 0, 0], [P["LEN"], u16(16), 0, 0]],
            [[0, b"", 0, 0]],
            [[max(P.values()) + 1, u8(1), 0, 0]],
        ])
        for lst, i in nodes:
            if isinstance(lst[i][1], list):
                target = lst[i]
                if target[1] and isinstance(target[1][0][1], list) and \
                        r.random() < 0.5:
                    target = target[1][0]
                target[1] = copy.deepcopy(bad)
                return "bad-prefix"
        attrs.append([A["PREFIXES"], [[0 if r.random() < 0.3 else 1, bad, 0, 0]],
                      0, 0])
        return "bad-prefix-added"

    def to_attr(self, raw):
        """An encoded attribute from policy.value() as a list entry."""
        alen, t = struct.unpack("=HH", raw[:4])
        return [t & ~NLA_F_NESTED, raw[4:alen], t & NLA_F_NESTED, 0]


class Message:
    def __init__(self, cmd, flags, body, label, mutations, op, dump):
        self.cmd = cmd
        self.flags = flags
        self.body = body		# genl header and attributes
        self.label = label
        self.mutations = mutations
        self.op = op
        self.dump = dump

    def raw(self, family, seq):
        return struct.pack("=IHHII", 16 + len(self.body), family, self.flags,
                           seq, 0) + self.body


def build(gen, ops, op, dump):
    """One message for OP (do or dump): valid, mutated, with a bad header,
    or random bytes."""
    r = gen.r
    base = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
    cmd = C[op]
    attrs = gen.valid(op, dump)
    # Deletions valid less often than the rest: the state stays rich.
    p_valid = 0.12 if op.endswith("_DEL") else 0.3
    x = r.random()
    muts = []
    version, reserved, flags = 1, 0, base
    if x < p_valid:
        label = "valid"
    elif x < 0.45 and not dump:
        label = "semantic"
        attrs = gen.semantic(op)
    elif x < 0.86:
        label = "mutated"
        for _ in range(r.choice([1, 1, 1, 2, 2, 3])):
            muts.append(gen.mutate_attrs(attrs, op))
    elif x < 0.94:
        label = "header"
        what = r.randrange(6)
        if what == 0:
            flags = NLM_F_REQUEST | NLM_F_ACK | r.choice(
                [0x100, 0x200, 0x400, 0x800, 0x8, 0x2, 0x10, 0x20,
                 0x300 ^ (base & 0x300), r.randrange(0x10000)])
            muts.append("nlmsg-flags=%#x" % flags)
        elif what == 1:
            version = r.choice([0, 2, 255])
            muts.append("genl-version=%d" % version)
        elif what == 2:
            reserved = r.choice([1, 0xffff])
            muts.append("genl-reserved=%#x" % reserved)
        elif what == 3:
            cmd = r.choice([0, C["ERROR"], C["PEERING_STATE"], C["PORT_STATE"],
                            C["GATEWAY_STATE"], max(CMDS) + 1, 255,
                            r.randrange(256)])
            muts.append("genl-cmd=%d" % cmd)
        elif what == 4:
            flags = (flags | r.randrange(0x10000)) | NLM_F_REQUEST | NLM_F_ACK
            muts.append("nlmsg-flags=%#x" % flags)
        else:
            muts.append("genl-header-truncated")
            return Message(cmd, flags, bytes([cmd, 1, 0])[:r.randrange(4)],
                           "header", muts, op, dump)
    else:
        label = "random"
        n = r.choice([0, 1, 3, 4, 8, 16, 64, 512])
        tail = bytes(r.randrange(256) for _ in range(n))
        if r.random() < 0.5:	# attribute-shaped: a header, random payload
            t = r.randrange(A_MAX + 2) | r.choice([0, NLA_F_NESTED])
            tail = struct.pack("=HH", 4 + n, t) + tail
        muts.append("random-bytes")
        body = struct.pack("=BBH", cmd, version, reserved) + tail
        return Message(cmd, flags, body, label, muts, op, dump)
    payload = encode(attrs)
    if label == "mutated" and r.random() < 0.12:
        payload = payload[:r.randrange(len(payload) + 1)]
        muts.append("body-truncated")
    body = struct.pack("=BBH", cmd, version, reserved) + payload
    return Message(cmd, flags, body, label, muts, op, dump)


# The setup, replayed every SETUP_EVERY messages (refused the second time:
# EEXIST refusals are checked too). Tuples: a netlink request, or
# ("ip", ARGS...) for an interface.
def setup_script():
    def pf(v):
        return at("PREFIXES", plist(vnet_prefixes(v)))

    def vnet(v):
        return ("VNET_NEW", [at("VNET", s(v)), at("ID", u32b(vnum(v))), pf(v)])

    def subnet(v, sn):
        return ("SUBNET_NEW", [at("VNET", s(v)), at("SUBNET", s(sn)),
                               at("PREFIXES", plist(subnet_prefixes(v, sn)))])

    def port(k, v, sn, fwd=False):
        ips = port_ips(v, sn, k)
        out = [at("IFNAME", s(PORTS[k])), at("VNET", s(v)), at("SUBNET", s(sn)),
               at("MAC", port_mac(v, k)),
               at("ADDRS", [[i + 1, addr_attrs(a), 0, 0]
                            for i, a in enumerate(ips)])]
        if fwd:
            out.append(at("PORT_FLAGS", bits(1, 1)))
        return ("PORT_NEW", out)

    def peering(v, w, flags=None):
        out = [at("VNET", s(v)), at("PEERING", s("%s-%s" % (v, w))),
               at("REMOTE", s(w))]
        if flags is not None:
            out.append(at("FLAGS", bits(flags, 0xf)))
        return ("PEERING_NEW", out)

    steps = [("ip", "link", "add", "fz0", "type", "veth", "peer", "name", "fz0p"),
             ("ip", "link", "add", "fz1", "type", "veth", "peer", "name", "fz1p"),
             ("ip", "tuntap", "add", "dev", "fz2", "mode", "tap")]
    for v in "ABCE":
        steps.append(vnet(v))
        for sn in SUBNETS:
            steps.append(subnet(v, sn))
    steps += [port(0, "A", "web", fwd=True), port(1, "A", "db"),
              port(2, "B", "web"), port(3, "B", "web"), port(4, "C", "db"),
              port(5, "A", "web"),
              peering("A", "B"), peering("B", "A", 0x3),
              peering("B", "C"), peering("C", "B", 0x2),
              peering("A", "C"),
              peering("A", "E"), peering("E", "A"),
              ("VNET_DEL", [at("VNET", s("E"))]),	# A-E: disconnected
              ("ACL_NEW", [at("VNET", s("A")), at("ACL_SCOPE", u8(0)),
                           at("SUBNET", s("web")), at("ACL_DIR", u8(0)),
                           at("ACL_PRIO", u16(10)), at("ACL_ACTION", u8(1)),
                           at("ACL_PROTO", u8(6)),
                           at("ACL_DPORT", u32b(23 << 16 | 23))]),
              ("ACL_NEW", [at("VNET", s("A")), at("ACL_SCOPE", u8(1)),
                           at("IFNAME", s("fz0")), at("ACL_DIR", u8(1)),
                           at("ACL_PRIO", u16(20)), at("ACL_ACTION", u8(0)),
                           at("ACL_FROM_VNET", s("B"))]),
              ("ROUTE_NEW", [at("VNET", s("A")), at("SUBNET", s("db")),
                             at("ROUTE_PREFIX", pfx_attrs("10.2.0.0/16")),
                             at("ROUTE_NEXTHOP", u8(1)),
                             at("ROUTE_VIA", addr_attrs("10.1.1.10"))]),
              ("ROUTE_NEW", [at("VNET", s("A")), at("SUBNET", s("web")),
                             at("ROUTE_PREFIX", pfx_attrs("10.9.0.0/16")),
                             at("ROUTE_NEXTHOP", u8(0))]),
              ("GATEWAY_SET", [at("VNET", s("A")), at("IFNAME", s("fz0")),
                               at("PREFIXES", plist(["192.168.0.0/16"]))]),
              ("ROUTE_NEW", [at("VNET", s("A")), at("SUBNET", s("db")),
                             at("ROUTE_PREFIX", pfx_attrs("0.0.0.0/0")),
                             at("ROUTE_NEXTHOP", u8(2))]),
              ("LB_NEW", [at("VNET", s("A")), at("LB", s("lb1")),
                          at("LB_FRONTEND", addr_attrs("10.1.0.100")),
                          at("LB_PROTO", u8(6)), at("LB_PORT", u16(80)),
                          at("LB_BACKENDS", [
                              [1, [[B["ADDR"], addr_attrs("10.1.1.10"), 0, 0],
                                   [B["PORT"], u16(8080), 0, 0]], 0, 0],
                              [2, [[B["ADDR"], addr_attrs("10.1.2.11"), 0, 0],
                                   [B["PORT"], u16(8080), 0, 0]], 0, 0]])]),
              ("ENDPOINT_NEW", [at("VNET", s("A")),
                                at("ENDPOINT_IP", addr_attrs("10.1.1.200")),
                                at("MAC", bytes([0x52, 0x54, 0, 0xee, 1, 0])),
                                at("ENDPOINT_UNDERLAY", addr_attrs("192.0.2.2"))])]
    return steps


SETUP_EVERY = 250
SETUP_OBJECTS = [x for x in setup_script() if x[0] != "ip"]

# Half of the valid DEL, SET and TRACE requests name an object of the
# setup (which the next replay of the setup brings back): op -> (the op
# that made it, the attributes that name it).
SETUP_TWIN = {
    "VNET_DEL": ("VNET_NEW", {"VNET"}),
    "SUBNET_DEL": ("SUBNET_NEW", {"VNET", "SUBNET"}),
    "PEERING_DEL": ("PEERING_NEW", {"VNET", "PEERING"}),
    "PEERING_SET": ("PEERING_NEW", {"VNET", "PEERING"}),
    "PORT_DEL": ("PORT_NEW", {"IFNAME"}),
    "PORT_SET": ("PORT_NEW", {"IFNAME", "MAC", "ADDRS"}),
    "ACL_DEL": ("ACL_NEW", {"VNET", "ACL_SCOPE", "SUBNET", "IFNAME",
                            "ACL_DIR", "ACL_PRIO"}),
    "ROUTE_DEL": ("ROUTE_NEW", {"VNET", "SUBNET", "ROUTE_PREFIX"}),
    "GATEWAY_DEL": ("GATEWAY_SET", {"VNET"}),
    "LB_DEL": ("LB_NEW", {"VNET", "LB"}),
    "ENDPOINT_DEL": ("ENDPOINT_NEW", {"VNET", "ENDPOINT_IP"}),
    "TRACE": ("PORT_NEW", {"VNET"}),
}


def iface_action(r):
    """An interface of a port's name added, deleted, renamed to another
    port's name or set up (its host then sends router solicitations and
    DAD probes into the hook): the ports go up or absent. Now and then the
    endpoints' tunnel device is deleted from under the module, or its name
    taken first."""
    name = r.choice(PORTS)
    x = r.randrange(12)
    if x < 3:
        return ("ip", "link", "add", name, "type", "veth", "peer", "name",
                name + "p")
    if x < 5:
        return ("ip", "tuntap", "add", "dev", name, "mode", "tap")
    if x < 8:
        return ("ip", "link", "del", name)
    if x == 8:
        return ("ip", "link", "set", name, "name", r.choice(PORTS))
    if x == 9:
        return ("ip", "link", "set", name, "up")
    if x == 10:
        return ("ip", "link", "del", "vnet-vxlan")
    return ("ip", "link", "add", "vnet-vxlan", "type", "veth", "peer", "name",
            "vxp")


class Violation(Exception):
    pass


class Client:
    def __init__(self, timeout):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.seq = 1000

    def send_raw(self, raw_fn):
        """Sends raw_fn(seq); returns (errno, text, [payloads]) of the
        answer to that seq, where errno is the kernel's (negative or 0)."""
        self.seq += 1
        seq = self.seq
        self.sock.send(raw_fn(seq))
        replies, detail = [], ""
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except socket.timeout:
                raise Violation("no answer within %d s (hang)" % self.timeout)
            while len(data) >= 16:
                mlen, mtype, mflags, mseq, _ = struct.unpack("=IHHII",
                                                             data[:16])
                if mlen < 16:
                    raise Violation("reply with nlmsg_len %d" % mlen)
                payload = data[16:mlen]
                data = data[(mlen + 3) & ~3:]
                if mseq != seq:
                    continue
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    err = struct.unpack("=i", payload[:4])[0] \
                        if len(payload) >= 4 else 0
                    text = detail
                    if mtype == NLMSG_ERROR and mflags & NLM_F_ACK_TLVS:
                        skip = 4 + (16 if mflags & NLM_F_CAPPED else
                                    u32(payload[4:8]))
                        tlv = parse_attrs(payload[skip:])
                        if not text and NLMSGERR_ATTR_MSG in tlv:
                            text = tlv[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode(
                                errors="replace")
                    return err, text, replies
                if len(payload) >= 4 and payload[0] == C["ERROR"]:
                    a = parse_attrs(payload[4:])
                    detail = a.get(A["ERROR_MSG"], b"").rstrip(b"\0").decode(
                        errors="replace")
                replies.append(payload)

    def request(self, family, cmd, attrs, dump=False):
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        body = struct.pack("=BBH", cmd, 1, 0) + attrs
        return self.send_raw(lambda seq: struct.pack(
            "=IHHII", 16 + len(body), family, flags, seq, 0) + body)

    def family(self, name):
        err, text, replies = self.request(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if err:
            sys.exit("Bail out! family %s: errno %d %s" % (name, err, text))
        info = parse_attrs(replies[0][4:])
        fam = struct.unpack("=H", info[CTRL_ATTR_FAMILY_ID][:2])[0]
        ops = {}
        for op in parse_attrs(info[CTRL_ATTR_OPS]).values():
            a = parse_attrs(op)
            cmd, fl = u32(a[CTRL_ATTR_OP_ID]), u32(a[CTRL_ATTR_OP_FLAGS])
            kinds = []
            if fl & GENL_CMD_CAP_DO:
                kinds.append(False)
            if fl & GENL_CMD_CAP_DUMP:
                kinds.append(True)
            ops[CMDS.get(cmd, "cmd-%d" % cmd)] = kinds
        return fam, ops


def static_ops():
    ops = {}
    for op in policy.TAKES:
        ops[op] = [True] if op in DUMP_ONLY else \
            [False, True] if op in DO_AND_DUMP else [False]
    return ops


class State:
    """Snapshots of every object, over the fuzzer's socket."""

    def __init__(self, client, family, effective):
        self.c = client
        self.fam = family
        self.effective = effective
        self.peering_states = {}
        self.port_states = {}
        self.gateway_states = {}

    def part(self, label, cmd, attrs=b"", dump=True):
        err, text, replies = self.c.request(self.fam, cmd, attrs, dump)
        return (label, err, tuple(replies))

    def take(self):
        snap = [self.part("INFO_GET", C["INFO_GET"], dump=False)]
        vnets = self.part("VNET_GET", C["VNET_GET"])
        snap.append(vnets)
        for label in ("SUBNET_GET", "PEERING_GET", "PORT_GET", "GATEWAY_GET",
                      "LB_GET", "ENDPOINT_GET"):
            snap.append(self.part(label, C[label]))
        subnets = [parse_attrs(p[4:]) for p in snap[2][2]]
        for p in vnets[2]:
            name = parse_attrs(p[4:]).get(A["VNET"], b"")
            vn = nla(A["VNET"], name)
            label = name.rstrip(b"\0").decode(errors="replace")
            snap.append(self.part("ACL_GET " + label, C["ACL_GET"], vn))
            snap.append(self.part("ROUTE_GET " + label, C["ROUTE_GET"], vn))
            for sa in subnets if self.effective else ():
                if sa.get(A["VNET"]) == name:
                    sub = sa.get(A["SUBNET"], b"")
                    snap.append(self.part(
                        "ROUTE_GET %s %s effective" % (
                            label, sub.rstrip(b"\0").decode(errors="replace")),
                        C["ROUTE_GET"], vn + nla(A["SUBNET"], sub) +
                        nla(A["ROUTE_EFFECTIVE"], b"")))
        # The namespace's interfaces: a refused request adds or removes
        # none (the endpoints' tunnel device among them).
        snap.append(("LINKS", 0, tuple(sorted(
            n.encode() for _, n in socket.if_nameindex()))))
        self.note(snap)
        return snap

    def note(self, snap):
        """Which states the run has reached, for the coverage lines."""
        for label, _, replies in snap:
            key = {"PEERING_GET": self.peering_states,
                   "PORT_GET": self.port_states,
                   "GATEWAY_GET": self.gateway_states}.get(label)
            if key is None:
                continue
            for p in replies:
                st = parse_attrs(p[4:]).get(A["STATE"])
                if st:
                    key[st[0]] = key.get(st[0], 0) + 1


def describe(attrs_bytes, depth=0):
    """Attributes in words, for a report."""
    out = []
    while len(attrs_bytes) >= 4:
        alen, t = struct.unpack("=HH", attrs_bytes[:4])
        if alen < 4:
            out.append("<bad nla_len %d>" % alen)
            break
        v = attrs_bytes[4:alen]
        name = ANAME.get(t & 0x3fff, str(t & 0x3fff)) if depth == 0 else \
            str(t & 0x3fff)
        if t & NLA_F_NESTED:
            out.append("%s{%s}" % (name, describe(v, depth + 1)))
        elif v.endswith(b"\0") and v[:-1].isascii() and \
                v[:-1].decode().isprintable() and len(v) > 1:
            out.append('%s="%s"' % (name, v[:-1].decode()))
        else:
            out.append("%s=%s" % (name, v.hex()))
        attrs_bytes = attrs_bytes[(alen + 3) & ~3:]
    return " ".join(out)


def diff(before, after):
    lines = []
    b = {x[0]: x for x in before}
    a = {x[0]: x for x in after}
    for label in list(b) + [x for x in a if x not in b]:
        x, y = b.get(label), a.get(label)
        if x == y:
            continue
        if label == "LINKS" and x and y:
            lines.append("LINKS: %s -> %s" % (
                b" ".join(x[2]).decode(), b" ".join(y[2]).decode()))
            continue
        if x is None or y is None:
            lines.append("%s: %s" % (label, "appeared" if x is None else
                                     "disappeared"))
            continue
        if x[1] != y[1]:
            lines.append("%s: errno %d -> %d" % (label, x[1], y[1]))
        xs, ys = set(x[2]), set(y[2])
        for p in x[2]:
            if p not in ys:
                lines.append("%s: - %s" % (label, describe(p[4:])))
        for p in y[2]:
            if p not in xs:
                lines.append("%s: + %s" % (label, describe(p[4:])))
        if xs == ys and x[2] != y[2]:
            lines.append("%s: same objects, another order" % label)
    return lines


def skipped(msg, skips):
    if msg.op in skips or CMDS.get(msg.cmd) in skips:
        return True
    for name in skips:
        if name in KNOWN_BUGS and KNOWN_BUGS[name][1](
                msg.cmd, msg.flags, msg.body[4:]):
            return True
    return False


def enter_netns():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        sys.exit("Bail out! unshare(CLONE_NEWNET): %s"
                 % os.strerror(ctypes.get_errno()))
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--skip", action="append", default=[])
    ap.add_argument("--no-netns", action="store_true")
    ap.add_argument("--effective", action="store_true")
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    skips = set()
    for name in args.skip:
        n = name[len("VNET_CMD_"):] if name.startswith("VNET_CMD_") else name
        if n not in KNOWN_BUGS and n not in C:
            sys.exit("nlfuzz.py: --skip %s: neither a known bug (%s) nor a "
                     "command" % (name, ", ".join(KNOWN_BUGS) or "none"))
        skips.add(n)
    print("# nlfuzz: seed %d count %d%s (replay: selftests/vm.sh "
          "selftests/nlfuzz.py --seed %d --count %d)"
          % (seed, args.count, "".join(" --skip " + x for x in sorted(skips)),
             seed, args.count), flush=True)
    rng = random.Random(seed)
    gen = Gen(rng)
    if args.dry_run:
        client, fam, ops = None, 0, static_ops()
    else:
        if not args.no_netns:
            enter_netns()
        subprocess.run(["modprobe", "tun"], check=False,
                       stderr=subprocess.DEVNULL)
        client = Client(args.timeout)
        fam, ops = client.family("vnet")
    unknown = sorted(set(ops) - set(policy.TAKES))
    if unknown:
        sys.exit("Bail out! ops without a builder: %s" % " ".join(unknown))
    kinds = sorted((op, d) for op in ops for d in ops[op])
    state = State(client, fam, args.effective) if client else None
    stats = {k: [0, 0] for k in kinds}	# messages, refused
    other = [0, 0]
    labels, errnos = {}, {}
    violations = []
    bad_keys = {}
    setup = setup_script()
    expect = None
    n_ip = n_snap = n_skip = 0
    times = {"snapshot": 0.0, "request": 0.0, "ip": 0.0}
    start = time.time()

    def run_ip(argv):
        nonlocal expect, n_ip
        n_ip += 1
        if args.verbose:
            print("# %s" % " ".join(argv))
        if client:
            t0 = time.time()
            subprocess.run(list(argv), check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            times["ip"] += time.time() - t0
            expect = None

    def msg_key(msg):
        return (CMDS.get(msg.cmd),
                bool(msg.flags & NLM_F_DUMP == NLM_F_DUMP))

    def violation(i, msg, why, lines=()):
        key = msg_key(msg) if msg_key(msg) in stats else None
        bad_keys[key] = bad_keys.get(key, 0) + 1
        violations.append(i)
        if len(violations) > 20:
            return
        print("# VIOLATION at message %d of seed %d: %s %s (%s: %s): %s"
              % (i, seed, msg.op, "dump" if msg.dump else "do", msg.label,
                 ", ".join(msg.mutations) or "-", why))
        print("#   cmd %s flags %#x attributes: %s"
              % (CMDS.get(msg.cmd, msg.cmd), msg.flags, describe(msg.body[4:])))
        print("#   hex: %s" % msg.raw(fam, 0).hex())
        for line in lines[:30]:
            print("#   " + line)
        sys.stdout.flush()

    def send(i, msg):
        nonlocal expect, n_snap
        if args.verbose:
            print("# %d %s %s %s [%s] %s" % (
                i, msg.op, "dump" if msg.dump else "do", msg.label,
                ", ".join(msg.mutations), msg.raw(fam, 0).hex()))
        st = stats.get(msg_key(msg), other)
        st[0] += 1
        labels[msg.label] = labels.get(msg.label, 0) + 1
        if not client:
            return
        t0 = time.time()
        if expect is None:
            expect = state.take()
            n_snap += 1
        t1 = time.time()
        times["snapshot"] += t1 - t0
        try:
            err, text, _ = client.send_raw(lambda seq: msg.raw(fam, seq))
        except Violation as e:
            violation(i, msg, str(e))
            expect = None
            return
        except OSError as e:	# the send itself refused (EMSGSIZE...)
            err, text = -e.errno, "send: " + e.strerror
        times["request"] += time.time() - t1
        errnos[err] = errnos.get(err, 0) + 1
        if msg.label == "setup" and err and i < len(setup):
            print("# setup: %s refused: errno %d %s" % (
                describe(msg.body[4:]), err, text))
        if err > 0 or -err > ERRNO_MAX:
            violation(i, msg, "errno %d is not a negative errno" % err)
        if err == 0:
            expect = None
            return
        st[1] += 1
        t0 = time.time()
        after = state.take()
        times["snapshot"] += time.time() - t0
        n_snap += 1
        if after != expect:
            violation(i, msg, "refused (errno %d %s: %s) but the state changed"
                      % (err, errno_mod.errorcode.get(-err, "?"), text),
                      diff(expect, after))
        expect = after

    # The checker checked: an accepted VNET_NEW must change the snapshot,
    # and its VNET_DEL must bring back the very same bytes.
    probe = None
    if client:
        before = state.take()
        name = nla(A["VNET"], b"fuzz-probe\0")
        err1, text1, _ = client.request(fam, C["VNET_NEW"], name + nla(
            A["ID"], u32b(4040)) + encode([at("PREFIXES",
                                              plist(["10.240.0.0/16"]))]))
        changed = state.take()
        err2, text2, _ = client.request(fam, C["VNET_DEL"], name)
        again = state.take()
        probe = (err1 == 0 and err2 == 0 and changed != before and
                 again == before, "VNET_NEW errno %d %s, VNET_DEL errno %d %s, "
                 "snapshot changed %s, back to the same bytes %s" % (
                     err1, text1, err2, text2, changed != before,
                     again == before))

    i = 0
    while i < args.count:
        if i % SETUP_EVERY == 0:
            for step in setup:
                if i >= args.count:
                    break
                if step[0] == "ip":
                    run_ip(step)
                    continue
                op, attrs = step
                msg = Message(C[op], NLM_F_REQUEST | NLM_F_ACK,
                              struct.pack("=BBH", C[op], 1, 0) + encode(attrs),
                              "setup", [], op, False)
                send(i, msg)
                i += 1
            continue
        if rng.random() < 0.03:
            run_ip(iface_action(rng))
            continue
        op, dump = rng.choice(kinds)
        msg = build(gen, ops, op, dump)
        if skipped(msg, skips):
            n_skip += 1
            i += 1
            continue
        send(i, msg)
        i += 1
        if len(violations) > 50:
            print("# more than 50 violations: stopping")
            break
    elapsed = time.time() - start

    n = 0
    print("1..%d" % (len(kinds) + 2 + (probe is not None)))
    if probe is not None:
        n += 1
        print("%s %d - the snapshot sees an accepted VNET_NEW and its "
              "VNET_DEL undoes it to the byte%s" % (
                  "ok" if probe[0] else "not ok", n,
                  "" if probe[0] else ": " + probe[1]))
        if not probe[0]:
            violations.append(-1)
    for key in kinds:
        n += 1
        m, refused = stats[key]
        bad = bad_keys.get(key, 0)
        what = "state unchanged after every refusal" if not bad else \
            "%d violation(s)" % bad
        print("%s %d - %s %s: %d messages, %d refused, %s" % (
            "not ok" if bad or (m == 0 and client) else "ok", n, key[0],
            "dump" if key[1] else "do", m, refused,
            what if m else "no messages"))
    n += 1
    bad = bad_keys.get(None, 0)
    print("%s %d - requests to commands or kinds that are not ops: %d "
          "messages, %d refused, %s" % (
              "not ok" if bad else "ok", n, other[0], other[1],
              "state unchanged after every refusal" if not bad
              else "%d violation(s)" % bad))
    total = sum(x[0] for x in stats.values()) + other[0]
    refused = sum(x[1] for x in stats.values()) + other[1]
    n += 1
    print("%s %d - seed %d: %d messages, %d refused, %d violations" % (
        "not ok" if violations else "ok", n, seed, total, refused,
        len(violations)))
    print("# kinds: %s" % ", ".join("%s %d" % kv for kv in sorted(labels.items())))
    if errnos:
        print("# errnos: %s" % ", ".join(
            "%s %d" % (errno_mod.errorcode.get(-e, str(e)) if e else "0", c)
            for e, c in sorted(errnos.items())))
    if state:
        names = ["initiated", "connected", "disconnected"]
        print("# seen in snapshots: peerings %s; ports %s; gateways %s" % (
            ", ".join("%s %d" % (names[k] if k < 3 else k, v)
                      for k, v in sorted(state.peering_states.items())),
            ", ".join("%s %d" % (["up", "absent"][k] if k < 2 else k, v)
                      for k, v in sorted(state.port_states.items())),
            ", ".join("%s %d" % (["active", "absent"][k] if k < 2 else k, v)
                      for k, v in sorted(state.gateway_states.items()))))
    print("# %d interface changes, %d snapshots, %d skipped, %.0f s (%s)"
          % (n_ip, n_snap, n_skip, elapsed, ", ".join(
              "%s %.0f s" % kv for kv in times.items())))
    first = [x for x in violations if x >= 0]
    if first:
        print("# replay up to the first: selftests/vm.sh selftests/nlfuzz.py "
              "--seed %d --count %d" % (seed, min(first) + 1))
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
