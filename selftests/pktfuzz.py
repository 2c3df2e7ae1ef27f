#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Packet fuzzing of the vnet datapath (issue 13): mutated real frames
from a port and from the underlay; nothing crashes, nothing reaches a
namespace that policy forbids, every frame is counted.

usage: pktfuzz.py [--seed N] [--count N] [--dry-run] [--verbose]

A seeded generator (the frame sequence is a function of the seed alone;
the one value learnt at run time, the namespace's random router MAC, is
patched into the frames that name it when they are sent) builds --count
frames (default 2000) from real ones and mutates them. Sources: a port
(atk), a port with forwarding on (atkf), the lb's backend (vic2: its
answers to lb clients and its ICMP errors about them, which the module
translates), the gateway's port and the appliance's (both forwarding on:
on-premises sources, packets forwarded on), all through a packet socket
on the VM's eth0, and the
underlay (VXLAN datagrams to UDP 4789 of the host, over IPv4 and
IPv6, from the address of the remote host that the endpoint is behind or
another one, with the VNI of vnet A, of vnet C or another).
Destinations: a port of the subnet with port ACLs (vic1), one of another
subnet (vic2), one whose ACL denies everything (dny), a peered vnet
(peer), a vnet not peered (iso), a peering that is only initiated
(dpeer), a prefix behind an appliance route (app), the gateway's
on-premises prefixes (gw), load balancer frontends (backend vic2), a
remote endpoint (the tunnel), the router, an address nobody has.
Payloads: TCP, UDP, ICMP and ICMPv6 echo, ICMP errors quoting an inner
packet, neighbour discovery, ARP, GRE, IPIP, 6in4 and VXLAN inside, IPv4
options, IPv6 extension chains, fragments (tiny, overlapping pairs).
Mutations: every header field (Ethernet addresses incl. multicast,
broadcast and other ports' MACs; EtherType incl. 802.1Q, QinQ, LLC; ARP
fields; IPv4 version, IHL, options, total length, fragment offset and MF,
TTL, protocol, checksum, addresses incl. another tenant's, broadcast,
multicast, loopback; IPv6 version, payload length, next header, hop
limit, addresses; extension headers inserted, repeated, unknown, too
many, misplaced, cut; TCP flags and data offset; UDP length; ICMP type
and code), Ethernet padding, truncation at any offset (and now and then
one frame cut at every offset in turn), bit flips.

Each frame carries a tag, "@Z", 12 digits and "@", in its payload, so that
a capture that sees it knows the frame (a mutation may destroy the tag:
such a frame is still judged by the counters, not by the captures).

The invariants, decided from counters and captures, never from time:
  - every frame is accounted for exactly once (vnetctl stats: the
    sending port's, or the tunnel's, received packets grow by one, and
    the drops and sent packets of all devices by one); the module's
    counters are read over generic netlink after each frame until they
    balance, so nothing else can be blamed on the frame: the VMs' own
    kernels send nothing (an nftables output chain drops all). A frame
    that the kernel may drop before vnet's hook (VXLAN's own checks, a
    VLAN header too short to take out) is followed by a sentinel of a
    length no fuzzed frame has, dropped for a known reason: once it is
    counted, the frame before it was taken in or never will be;
  - nothing reaches a namespace that policy forbids: not by the counters
    (the device that sent it on) and not by the captures (a packet socket
    in every VM's namespace and on the underlay, proven running by a
    marker frame before the first frame and again after the last):
    vnets C and D, dny, and for a frame from the underlay every vnet but
    its VNI's; arrivals also obey the rules on their own bytes (a source
    a port may not send from, a forwarded source across a peering without
    "forwarded on", vic1's denied ports, a later fragment without its
    first at a port with rules, neighbour discovery, DHCP servers,
    multicast, unknown or type 0 routing headers);
  - what the module delivers is well formed: the receiver's MAC as
    destination, the router MAC as source, IP only, no Ethernet padding;
  - frames the generator knows must drop (bad source MAC, VLAN tags,
    other EtherTypes, bad IP version or lengths, a destination no route
    of vnet A reaches, and so on) are dropped, so the drop counters rise
    by at least their number; captures and counters agree;
  - nothing reaches the host's own stack (an nftables netdev ingress
    chain after vnet's hook counts zero).
The kernel side (no crash, WARNING or leak) is vm.sh's: run it as
selftests/vm.sh selftests/pktfuzz.py. VNET_MUTATE=deny-allow turns the
topology's "deny" into "allow", under which the run must fail.

Output is TAP, one line per invariant; each violation prints the frame's
index, source, mutations and bytes in hex. --dry-run builds the frames on
the host and prints their statistics and a digest (the same seed gives
the same digest); --verbose prints every frame and its fate.
"""
import argparse
import copy
import hashlib
import ipaddress
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attack  # noqa: E402  (the netlink stats reader)
import capture  # noqa: E402
from capture import setns  # noqa: E402
import nlraw  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUTER_PH = bytes.fromhex("02feedfacade")   # the router MAC, until known
# The underlay: host A (UL_HOST), the remote host (UL_REMOTE) and an
# address of the remote host that no endpoint is behind (UL_OTHER).
UL_HOST = {4: "192.0.2.1", 6: "2001:db8::1"}
UL_REMOTE = {4: "192.0.2.2", 6: "2001:db8::2"}
UL_OTHER = {4: "192.0.2.3", 6: "2001:db8::3"}
# The remote host's VMs as host A knows them: VNI, addresses, MAC and
# the underlay address they are behind.
EPS = [dict(vni=1, ip4="10.1.1.50", ip6="fd00:1:0:1::50",
            mac="52:54:00:0e:01:50", ul=UL_REMOTE[4]),
       dict(vni=1, ip4="10.1.1.51", ip6="fd00:1:0:1::51",
            mac="52:54:00:0e:01:51", ul=UL_REMOTE[6]),
       dict(vni=3, ip4="10.3.1.50", ip6=None, mac="52:54:00:0e:03:50",
            ul=UL_REMOTE[4])]
SENTINEL_VNI, SENTINEL_LEN = 999, 1480
LB_CLIENT_PORTS = (40000, 40001)
MAX_INNER = 1470        # underlay frames: shorter than the sentinel
MAX_FRAME = 1500        # shorter than a port's sentinel (1514)
TAG = re.compile(rb"@Z(\d{6})(\d{6})@")
MARK = re.compile(rb"@M([a-z0-9]+)-(\d+)@")

# name, vnet, subnet, host part of the addresses (10.V.S.H and
# fd00:V:0:S::H), MAC, port options
VMS = [
    ("atk", "A", "web", "1.10", "52:54:00:00:01:10", ""),
    ("atkf", "A", "web", "1.11", "52:54:00:00:01:11", "forwarding on"),
    ("vic1", "A", "web", "1.20", "52:54:00:00:01:20", ""),
    ("vic2", "A", "db", "2.20", "52:54:00:00:02:20", ""),
    ("dny", "A", "db", "2.30", "52:54:00:00:02:30", ""),
    ("app", "A", "db", "2.40", "52:54:00:00:02:40", "forwarding on"),
    ("gw", "A", "db", "2.50", "52:54:00:00:02:50", "forwarding on"),
    ("peer", "B", "s", "1.20", "52:54:00:00:0b:20", ""),
    ("iso", "C", "s", "1.20", "52:54:00:00:0c:20", ""),
    ("dpeer", "D", "s", "1.20", "52:54:00:00:0d:20", ""),
]
VM = {v[0]: dict(
    name=v[0], vnet=v[1], subnet=v[2], mac=v[4], opts=v[5],
    ip4="10.%d.%s" % ("ABCD".index(v[1]) + 1, v[3]),
    ip6="fd00:%d:0:%s::%s" % ("ABCD".index(v[1]) + 1, *v[3].split(".")))
    for v in VMS}
VNET_ID = {"A": 1, "B": 2, "C": 3, "D": 4}
SPACE = {n: (ipaddress.ip_network("10.%d.0.0/16" % i),
             ipaddress.ip_network("fd00:%d::/48" % i))
         for n, i in VNET_ID.items()}

TOPOLOGY = """\
vnet add A id 1 prefix 10.1.0.0/16 prefix fd00:1::/48
vnet add B id 2 prefix 10.2.0.0/16 prefix fd00:2::/48
vnet add C id 3 prefix 10.3.0.0/16 prefix fd00:3::/48
vnet add D id 4 prefix 10.4.0.0/16 prefix fd00:4::/48
subnet add A web prefix 10.1.1.0/24 prefix fd00:1:0:1::/64
subnet add A db prefix 10.1.2.0/24 prefix fd00:1:0:2::/64
subnet add B s prefix 10.2.1.0/24 prefix fd00:2:0:1::/64
subnet add C s prefix 10.3.1.0/24 prefix fd00:3:0:1::/64
subnet add D s prefix 10.4.1.0/24 prefix fd00:4:0:1::/64
peering add A ab remote B
peering add B ba remote A forwarded off
peering add A ad remote D
{ports}
acl add A port vm-vic1 dir in prio 20 action deny proto tcp dport 23
acl add A port vm-vic1 dir in prio 21 action deny proto udp dport 161
acl add A port vm-dny dir in prio 1 action deny
route add A web 10.1.3.0/24 nexthop appliance 10.1.2.40
route add A web fd00:1:0:3::/64 nexthop appliance fd00:1:0:2::40
gateway set A port vm-gw prefix 192.168.50.0/24 prefix fd00:50::/64
lb add A lb4 frontend 10.1.2.100 proto tcp port 80 backend 10.1.2.20:8080
lb add A lb6 frontend fd00:1:0:2::100 proto tcp port 80 \
backend [fd00:1:0:2::20]:8080
lb add A lbu frontend 10.1.2.101 proto udp port 53 backend 10.1.2.20:5353
{endpoints}
"""
PORT_SOURCES = ("atk", "atkf", "vic2", "gw", "app")


def tag_of(i):
    """Frame I's tag: its number twice, the second time scrambled, so
    that no flipped or overwritten byte turns one tag into another."""
    return b"@Z%06d%06d@" % (i, (i * 7919 + 104729) % 1000000)


def tags_in(f):
    """The numbers of the whole tags in frame F."""
    return [int(m.group(1)) for m in TAG.finditer(f)
            if tag_of(int(m.group(1))) == m.group(0)]


def mac_b(s):
    return bytes.fromhex(s.replace(":", ""))


def ip_b(s):
    return ipaddress.ip_address(s).packed


def padn(n):
    """N bytes of IPv6 options: PadN (Pad1 for a last single byte)."""
    out = b""
    while n > 0:
        if n == 1:
            return out + b"\0"
        ln = min(n - 2, 255)
        out += bytes([1, ln]) + b"\0" * ln
        n -= ln + 2
    return out


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


# ------------------------------------------------------------------ frames
class Pkt:
    """A frame as layers, rendered bottom up: lengths and checksums are
    computed unless a field overrides them; byte operations (post) apply
    to the rendered frame."""

    def __init__(self, src_mac, dst_mac, l3, exts=(), l4=None, payload=b""):
        self.eth = dict(dst=dst_mac, src=src_mac, type=None)
        self.tags = []           # (tpid, tci), outermost first
        self.llc = False
        self.l3 = l3             # dict(kind=ip4|ip6|arp|raw, ...)
        self.exts = list(exts)   # IPv6 extension headers
        self.l4 = l4             # dict(kind=tcp|udp|icmp|icmp6|gre|raw ...)
        self.payload = payload
        self.pad = b""
        self.post = []

    # -- layers
    def l4_bytes(self, src, dst, proto):
        l4 = self.l4
        if l4 is None:
            return self.payload
        k = l4["kind"]
        pl = l4.get("inner", b"") + self.payload
        if k == "tcp":
            opts = l4.get("opts", b"")
            doff = l4.get("doff", (20 + len(opts)) // 4)
            h = struct.pack("!HHIIBBHHH", l4["sport"], l4["dport"],
                            l4.get("seq", 1), l4.get("ack", 0),
                            (doff & 15) << 4, l4.get("flags", 2),
                            l4.get("win", 65535), 0, l4.get("urg", 0)) + opts
            b = h + pl
            off = 16
        elif k == "udp":
            b = struct.pack("!HHHH", l4["sport"], l4["dport"],
                            l4.get("len", 8 + len(pl)) & 0xffff, 0) + pl
            off = 6
        elif k in ("icmp", "icmp6"):
            b = struct.pack("!BBH", l4["type"], l4.get("code", 0), 0) + \
                l4.get("rest", b"\0\0\0\0") + pl
            off = 2
        elif k == "gre":
            b = struct.pack("!HH", 0, l4.get("ptype", 0x0800)) + pl
            return b
        else:
            return pl
        if "csum" in l4:
            c = l4["csum"]
        elif k == "icmp":
            c = csum(b)
        else:
            if len(src) == 4:
                ph = src + dst + struct.pack("!BBH", 0, proto, len(b))
            else:
                ph = src + dst + struct.pack("!I3xB", len(b), proto)
            c = csum(ph + b)
            if k == "udp" and c == 0:
                c = 0xffff
        return b[:off] + struct.pack("!H", c) + b[off + 2:]

    def l4_proto(self):
        if self.l4 is None:
            return 59
        return {"tcp": 6, "udp": 17, "icmp": 1, "icmp6": 58, "gre": 47}.get(
            self.l4["kind"], self.l4.get("proto", 253))

    def exts_bytes(self, last):
        out = b""
        n = len(self.exts)
        for i, e in enumerate(self.exts):
            nh = e.get("nh", self.exts[i + 1]["t"] if i + 1 < n else last)
            t = e["t"]
            if t == 44:
                out += struct.pack("!BBHI", nh, 0, (e.get("off", 0) << 3) |
                                   e.get("m", 0), e.get("id", 1))
            elif t == 51:
                icv = e.get("data", b"\0" * 12)
                out += struct.pack("!BBHII", nh, e.get(
                    "len", (12 + len(icv)) // 4 - 2) & 255, 0, 0x100, 1) + icv
            else:
                data = e.get("data", b"\x01\x04\0\0\0\0")
                hl = e.get("len", (len(data) + 2) // 8 - 1)
                out += bytes([nh, hl & 255]) + data
        return out

    def render(self, router=ROUTER_PH):
        l3 = self.l3
        k = l3["kind"]
        if k == "ip4":
            src, dst = ip_b(l3["src"]), ip_b(l3["dst"])
            proto = l3.get("proto", self.l4_proto())
            body = self.l4_bytes(src, dst, self.l4_proto())
            opts = l3.get("opts", b"")
            ihl = l3.get("ihl", 5 + len(opts) // 4)
            tot = l3.get("tot_len", 20 + len(opts) + len(body))
            h = struct.pack("!BBHHHBBH4s4s", (l3.get("version", 4) << 4) |
                            (ihl & 15), l3.get("tos", 0), tot & 0xffff,
                            l3.get("id", 1), l3.get("frag", 0),
                            l3.get("ttl", 64), proto & 255, 0, src, dst) + opts
            c = l3.get("csum", csum(h))
            net = h[:10] + struct.pack("!H", c) + h[12:] + body
            etype = 0x0800
        elif k == "ip6":
            src, dst = ip_b(l3["src"]), ip_b(l3["dst"])
            last = self.l4_proto()
            body = self.l4_bytes(src, dst, last)
            ext = self.exts_bytes(last)
            nh = l3.get("nh", self.exts[0]["t"] if self.exts else last)
            plen = l3.get("plen", len(ext) + len(body))
            net = struct.pack("!IHBB16s16s", (l3.get("version", 6) << 28) |
                              l3.get("flow", 0), plen & 0xffff, nh & 255,
                              l3.get("hlim", 64), src, dst) + ext + body
            etype = 0x86dd
        elif k == "arp":
            net = struct.pack("!HHBBH6s4s6s4s", l3.get("hrd", 1) & 0xffff,
                              l3.get("pro", 0x0800) & 0xffff,
                              l3.get("hln", 6) & 255, l3.get("pln", 4) & 255,
                              l3.get("op", 1) & 0xffff,
                              mac_b(l3["sha"]), ip_b(l3["spa"]),
                              mac_b(l3["tha"]), ip_b(l3["tpa"])) + self.payload
            etype = 0x0806
        else:
            net = l3.get("data", b"") + self.payload
            etype = l3.get("etype", 0x88b5)
        if self.eth["type"] is not None:
            etype = self.eth["type"]
        dst = mac_b(self.eth["dst"]) if isinstance(self.eth["dst"], str) \
            else self.eth["dst"]
        src = mac_b(self.eth["src"]) if isinstance(self.eth["src"], str) \
            else self.eth["src"]
        if dst == ROUTER_PH:
            dst = router
        frame = dst + src
        for tpid, tci in self.tags:
            frame += struct.pack("!HH", tpid, tci)
        if self.llc:
            frame += struct.pack("!H", min(len(net) + 8, 1500)) + \
                b"\xaa\xaa\x03\0\0\0" + struct.pack("!H", etype)
        else:
            frame += struct.pack("!H", etype)
        frame += net + self.pad
        return bytes(apply_post(frame, self.post))[:MAX_FRAME]


def apply_post(frame, post):
    f = bytearray(frame)
    for op in post:
        if op[0] == "trunc":
            del f[max(14, min(op[1], len(f))):]
        elif op[0] == "flip" and op[1] < len(f):
            f[op[1]] ^= 1 << op[2]
        elif op[0] == "set" and op[1] < len(f):
            f[op[1]] = op[2]
        elif op[0] == "ins":
            f[op[1]:op[1]] = op[2]
        elif op[0] == "retag":
            f = bytearray(bytes(f).replace(op[1], op[2]))
        elif op[0] == "del":
            del f[op[1]:op[1] + op[2]]
    return f


class Gen:
    """Frames from the seed alone: cases of one frame (or two, for
    fragment pairs), each a real frame, then mutated."""

    V4 = ["10.1.1.10", "10.1.1.11", "10.1.1.20", "10.1.2.20", "10.1.2.30",
          "10.2.1.20", "10.3.1.20", "10.4.1.20", "10.1.1.1", "10.1.1.255",
          "255.255.255.255", "224.0.0.1", "239.1.2.3", "127.0.0.1",
          "0.0.0.0", "10.1.1.50", "10.3.1.50", "192.168.50.7", "10.1.3.9",
          "10.1.2.100", "10.1.2.101", "169.254.1.1", "10.1.1.77",
          "192.0.2.1", "8.8.8.8"]
    V6 = ["fd00:1:0:1::10", "fd00:1:0:1::11", "fd00:1:0:1::20",
          "fd00:1:0:2::20", "fd00:1:0:2::30", "fd00:2:0:1::20",
          "fd00:3:0:1::20", "fd00:4:0:1::20", "fd00:1:0:1::1",
          "fe80::1", "fe80::5054:ff:fe00:110", "ff02::1", "ff02::1:ff00:20",
          "ff05::2", "::", "::1", "::ffff:10.1.1.20", "fd00:1:0:1::50",
          "fd00:50::7", "fd00:1:0:3::9", "fd00:1:0:2::100", "2001:db8::1"]
    MACS = ["ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", "33:33:00:00:00:01",
            "00:00:00:00:00:00", "52:54:00:00:01:20", "52:54:00:00:0c:20",
            "52:54:00:00:01:11", "02:00:00:00:00:99", "01:80:c2:00:00:00"]

    def __init__(self, rng):
        self.r = rng
        self.n = 0

    def tag(self):
        t = tag_of(self.n)
        self.n += 1
        return t

    # -- real frames
    def targets(self, source, vni):
        if source == "ul":
            if vni == 3:
                return ["iso", "vic1"]
            return ["vic1", "vic2", "dny", "atk", "peer", "iso", "gw",
                    "ep", "nobody"]
        if source == "vic2":
            # the lb's backend: answers to its clients, and errors
            return ["atk", "atk", "atk", "atkf", "vic1", "peer", "iso",
                    "dny", "lb", "self"]
        return ["vic1", "vic1", "vic2", "dny", "peer", "iso", "dpeer", "app",
                "gwpfx", "lb", "lb", "ep", "ep6ul", "router", "nobody",
                "self", "vic2"]

    def addr(self, target, fam, src_vm):
        t = {"app": ("10.1.3.9", "fd00:1:0:3::9"),
             "gwpfx": ("192.168.50.7", "fd00:50::7"),
             "lb": ("10.1.2.100", "fd00:1:0:2::100"),
             "ep": ("10.1.1.50", "fd00:1:0:1::50"),
             "ep6ul": ("10.1.1.51", "fd00:1:0:1::51"),
             "router": ("10.1.1.1", "fd00:1:0:1::1"),
             "nobody": ("10.1.1.77", "fd00:1:0:1::77")}.get(target)
        if target == "self":
            t = (src_vm["ip4"], src_vm["ip6"])
        if t is None:
            t = (VM[target]["ip4"], VM[target]["ip6"])
        return t[0] if fam == 4 else t[1]

    def base(self, source):
        """One real frame: (pkt, meta)."""
        r = self.r
        vni, ul = 1, None
        if source == "ul":
            ep = r.choice([EPS[0], EPS[0], EPS[1], EPS[2]])
            vni, ul, src_mac = ep["vni"], ep["ul"], ep["mac"]
            fam = 4 if ep["ip6"] is None or r.random() < 0.5 else 6
            src_ip = ep["ip%d" % fam]
            svm = ep
        else:
            svm = VM[source]
            src_mac = svm["mac"]
            fam = r.choice([4, 6])
            src_ip = svm["ip4"] if fam == 4 else svm["ip6"]
        target = r.choice(self.targets(source, vni))
        dst_ip = self.addr(target, fam, svm)
        tag = self.tag()
        kinds = ["tcp", "tcp", "udp", "udp", "echo", "icmperr", "tunnel",
                 "rawproto", "tcpdeny", "udpdeny"]
        if fam == 4 and source != "ul":
            kinds += ["arp", "ipopts"]
        if fam == 6:
            kinds += ["nd", "exthdr", "exthdr"]
        if target == "lb":
            kinds += ["tcp80"] * 4 + ["udp53"] * 2
        if source == "vic2" and target == "atk":
            kinds += ["lbreply"] * 6 + ["lberr"] * 3
        kind = r.choice(kinds)
        l3 = dict(kind="ip%d" % fam, src=src_ip, dst=dst_ip,
                  id=r.randrange(65536))
        payload = tag + bytes(r.randrange(256) for _ in range(r.choice(
            [0, 0, 4, 16, 64, 300])))
        sport = r.choice([r.randrange(1024, 65536), 53, 80, 443, 12345])
        if target == "lb":
            sport = r.choice(LB_CLIENT_PORTS)    # an lb flow to find again
        l4 = None
        exts = []
        if kind in ("tcp", "tcpdeny", "tcp80"):
            dport = {"tcpdeny": 23, "tcp80": 80}.get(kind, r.choice(
                [80, 22, 23, 8080, 443, r.randrange(65536)]))
            l4 = dict(kind="tcp", sport=sport, dport=dport,
                      flags=r.choice([2, 2, 2, 0x12, 0x10, 0x18, 0x11, 4]),
                      seq=r.randrange(1 << 32))
        elif kind in ("udp", "udpdeny", "udp53"):
            dport = {"udpdeny": 161, "udp53": 53}.get(kind, r.choice(
                [53, 161, 123, 4789, 5353, 67, 68, 546, 547,
                 r.randrange(65536)]))
            l4 = dict(kind="udp", sport=sport, dport=dport)
        elif kind == "echo":
            l4 = dict(kind="icmp" if fam == 4 else "icmp6",
                      type=8 if fam == 4 else 128,
                      rest=struct.pack("!HH", r.randrange(65536), 1))
        elif kind == "lbreply":
            # the backend's answer to an lb client: the module gives it
            # the frontend's address back (SNAT)
            if fam == 6 or r.random() < 0.6:
                l4 = dict(kind="tcp", sport=8080,
                          dport=r.choice(LB_CLIENT_PORTS),
                          flags=r.choice([0x12, 0x10, 0x18, 0x11, 4]),
                          seq=r.randrange(1 << 32), ack=r.randrange(1 << 32))
            else:
                l4 = dict(kind="udp", sport=5353,
                          dport=r.choice(LB_CLIENT_PORTS))
        elif kind == "lberr":
            # the backend's ICMP error about what an lb client sent it:
            # translated to come from the frontend (lb_related)
            udp = fam == 4 and r.random() < 0.4
            inner = Pkt(VM["atk"]["mac"], ROUTER_PH, dict(
                kind="ip%d" % fam, src=dst_ip, dst=src_ip, id=9),
                l4=dict(kind="udp" if udp else "tcp",
                        sport=r.choice(LB_CLIENT_PORTS),
                        dport=5353 if udp else 8080, flags=2), payload=tag)
            q = inner.render()[14:]
            q = q[:r.choice([len(q), len(q), 28, 48, 8])]
            t, c = (3, 4) if fam == 4 else (2, 0)
            if r.random() < 0.3:
                t, c = (11, 0) if fam == 4 else (1, 4)
            l4 = dict(kind="icmp" if fam == 4 else "icmp6", type=t, code=c,
                      rest=struct.pack("!I", 1300 if c == 4 or t == 2
                                       else 0), inner=q)
            payload = b""
        elif kind == "icmperr":
            # An error about a packet the destination sent to us: it
            # quotes that packet (the tag rides in the quote).
            inner = Pkt(src_mac, ROUTER_PH, dict(
                kind="ip%d" % fam, src=dst_ip, dst=src_ip, id=7),
                l4=dict(kind=r.choice(["tcp", "udp"]),
                        sport=r.choice([80, 23, 53, 161]),
                        dport=sport), payload=tag)
            q = inner.render()[14:]
            q = q[:r.choice([len(q), 28, 48, 20, 8])]
            if fam == 4:
                t, c = r.choice([(3, 3), (3, 4), (11, 0), (12, 0), (3, 1),
                                 (5, 1), (4, 0)])
            else:
                t, c = r.choice([(1, 4), (2, 0), (3, 0), (4, 0), (1, 1)])
            rest = struct.pack("!I", 1400 if (fam, t) in ((4, 3), (6, 2))
                               else 0)
            l4 = dict(kind="icmp" if fam == 4 else "icmp6", type=t, code=c,
                      rest=rest, inner=q)
            payload = b""
        elif kind == "tunnel":
            which = r.choice(["gre", "ipip", "6in4", "vxlan"])
            ib = Pkt(src_mac, ROUTER_PH, dict(
                kind="ip4" if which != "6in4" else "ip6",
                src=VM["iso"]["ip%d" % (4 if which != "6in4" else 6)],
                dst=VM["vic1"]["ip%d" % (4 if which != "6in4" else 6)]),
                l4=dict(kind="tcp", sport=1234, dport=23), payload=tag)
            inner = ib.render()
            if which == "gre":
                l4 = dict(kind="gre", inner=inner[14:])
            elif which == "vxlan":
                l4 = dict(kind="udp", sport=sport, dport=4789,
                          inner=struct.pack("!II", 0x08000000, 3 << 8) + inner)
            else:
                l4 = dict(kind="raw", proto=4 if which == "ipip" else 41,
                          inner=inner[14:])
                if fam == 6 and which == "ipip":
                    l4["proto"] = 4
            payload = b""
            kind = "tunnel-" + which
        elif kind == "rawproto":
            l4 = dict(kind="raw", proto=r.choice([0, 2, 50, 51, 103, 132,
                                                  136, 253, 255]))
        elif kind == "arp":
            tpa = r.choice(["10.1.1.1", "10.1.1.20", "10.1.2.20",
                            "10.3.1.20", "10.1.1.10", "10.1.1.77"])
            l3 = dict(kind="arp", op=1, sha=src_mac, spa=svm["ip4"],
                      tha="00:00:00:00:00:00", tpa=tpa)
            pkt = Pkt(src_mac, "ff:ff:ff:ff:ff:ff", l3, payload=tag)
            return pkt, dict(source=source, vni=vni, ul_src=ul,
                             vx_flags=0x08000000, kind=kind,
                             target=target, tag=tag, fam=4)
        elif kind == "ipopts":
            l3["opts"] = r.choice([
                b"\x94\x04\0\0",                     # router alert
                b"\x07\x07\x04" + ip_b("10.3.1.20") + b"\0",   # RR
                b"\x83\x07\x04" + ip_b("10.3.1.20") + b"\0",   # LSRR
                b"\x89\x07\x04" + ip_b("10.3.1.20") + b"\0",   # SSRR
                b"\x01\x01\x01\x00", b"\x44\x0c\x05\x00" + b"\0" * 8])
            l4 = dict(kind="udp", sport=sport, dport=r.choice([53, 161]))
        elif kind == "nd":
            t = r.choice([133, 134, 135, 135, 136, 137])
            tgt = ip_b(r.choice(["fd00:1:0:1::1", "fd00:1:0:1::20",
                                 "fd00:3:0:1::20", "fe80::1"]))
            body = {133: b"\0" * 4, 134: b"\x40\0\x07\x08" + b"\0" * 8,
                    135: b"\0" * 4 + tgt, 136: b"\x60\0\0\0" + tgt,
                    137: b"\0" * 4 + tgt + tgt}[t]
            l4 = dict(kind="icmp6", type=t, rest=body[:4], inner=body[4:] +
                      b"\x01\x01" + mac_b(src_mac))
            l3["hlim"] = 255
            if r.random() < 0.5:
                l3["src"] = "fe80::5054:ff:fe00:110"
                if t == 135:
                    l3["dst"] = "ff02::1:ff00:1"
        elif kind == "exthdr":
            l4 = dict(kind=r.choice(["tcp", "udp"]), sport=sport,
                      dport=r.choice([23, 80, 161, 53]))
            exts = self.chain()
        pkt = Pkt(src_mac, ROUTER_PH, l3, exts, l4, payload)
        return pkt, dict(source=source, vni=vni, ul_src=ul,
                             vx_flags=0x08000000, kind=kind, target=target,
                         tag=tag, fam=fam)

    def ext(self, t=None):
        r = self.r
        t = t if t is not None else r.choice([0, 60, 43, 44, 51])
        if t == 43:
            rt = r.choice([0, 2, 3, 4, 4, 253])
            sl = r.choice([0, 0, 1])
            return dict(t=43, data=bytes([rt, sl]) + b"\0" * 4 +
                        ip_b("fd00:1:0:1::20"))
        if t == 44:
            return dict(t=44, off=r.choice([0, 0, 1, 8]), m=r.choice([0, 1]),
                        id=r.randrange(1 << 32))
        if t == 51:
            return dict(t=51)
        if t in (0, 60):
            n = r.choice([0, 0, 8, 256, 1000])
            return dict(t=t, data=padn(n + (-(n + 2)) % 8) if n else
                        b"\x01\x04\0\0\0\0")
        return dict(t=t, data=b"\0" * 6)

    def chain(self):
        r = self.r
        n = r.choice([1, 1, 2, 3, 4, 8, 9, 12])
        return [self.ext() for _ in range(n)]

    # -- mutations: each changes pkt and returns its label
    def mutate(self, pkt, meta):
        r = self.r
        l3, l4, k = pkt.l3, pkt.l4, pkt.l3["kind"]
        ip = k in ("ip4", "ip6")
        m = r.choice(
            ["eth_dst", "eth_src", "ethertype", "vlan", "qinq", "llc",
             "trunc", "trunc", "flip", "flip", "pad", "setbyte", "insdel"] +
            (["ip_src", "ip_dst", "ip_src", "ip_dst", "ttl", "proto",
              "version", "lenfield", "lenfield", "frag", "frag"] if ip else
             ["arp_field", "arp_field", "arp_field"]) +
            (["ihl", "ip4_csum", "tos", "options"] if k == "ip4" else []) +
            (["ext_insert", "ext_insert", "ext_chain", "ext_mangle",
              "nh", "flow"] if k == "ip6" else []) +
            (["l4_port", "l4_field", "l4_csum", "l4_kind"] if l4 else []))
        if m == "eth_dst":
            pkt.eth["dst"] = r.choice(self.MACS + [ROUTER_PH])
        elif m == "eth_src":
            pkt.eth["src"] = r.choice(self.MACS + ["52:54:00:00:01:10",
                                                   "52:54:00:00:01:11"])
        elif m == "ethertype":
            pkt.eth["type"] = r.choice([0x0800, 0x86dd, 0x0806, 0x8035,
                                        0x88cc, 0x8847, 0x0000, 0x05dc,
                                        0x0600, 0xffff, 0x9100, 0x88a8,
                                        0x8100, r.randrange(65536)])
        elif m == "vlan":
            pkt.tags.append((0x8100, r.choice([0, 1, 100, 4095,
                                               r.randrange(65536)])))
        elif m == "qinq":
            pkt.tags += [(r.choice([0x88a8, 0x9100, 0x8100]),
                          r.randrange(4096)), (0x8100, r.randrange(4096))]
        elif m == "llc":
            pkt.llc = True
        elif m == "trunc":
            pkt.post.append(("trunc", r.choice([
                14, 15, 20, 33, 34, 35, 38, 42, 53, 54, 55, 58, 62, 66, 74,
                r.randrange(14, 200)])))
        elif m == "flip":
            pkt.post.append(("flip", r.randrange(14, 80), r.randrange(8)))
        elif m == "setbyte":
            pkt.post.append(("set", r.randrange(12, 100), r.choice(
                [0, 0xff, 0x80, r.randrange(256)])))
        elif m == "insdel":
            if r.random() < 0.5:
                pkt.post.append(("ins", r.randrange(14, 80),
                                 bytes(r.randrange(256) for _ in
                                       range(r.choice([1, 2, 4, 8])))))
            else:
                pkt.post.append(("del", r.randrange(14, 80),
                                 r.choice([1, 2, 4, 8])))
        elif m == "pad":
            # Ethernet padding; with a TCP header to a denied port in it
            # sometimes (never read: headers end at the datagram's length)
            pkt.pad = r.choice([b"\0" * 6, b"\0" * 30, bytes(
                r.randrange(256) for _ in range(20)),
                struct.pack("!HHIIBBHHH", 1234, 23, 0, 0, 0x50, 2, 0, 0, 0)])
        elif m == "ip_src":
            l3["src"] = r.choice(self.V4 if k == "ip4" else self.V6)
        elif m == "ip_dst":
            l3["dst"] = r.choice(self.V4 if k == "ip4" else self.V6)
        elif m == "ttl":
            l3["ttl" if k == "ip4" else "hlim"] = r.choice([0, 1, 255])
        elif m == "proto":
            v = r.choice([0, 1, 4, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60,
                          132, 135, 253, 255, r.randrange(256)])
            l3["proto" if k == "ip4" else "nh"] = v
        elif m == "version":
            l3["version"] = r.choice([0, 4, 6, 5, 15])
        elif m == "lenfield":
            f = "tot_len" if k == "ip4" else "plen"
            l3[f] = r.choice([0, 1, 19, 20, 21, 28, 40, 60, 100, 1500,
                              65535, r.randrange(65536)])
        elif m == "frag":
            if k == "ip4":
                l3["frag"] = r.choice([0x2000, 0x2000, 0x0001, 0x2001,
                                       0x4000, 0x6000, 0x1fff, 0x8000,
                                       r.randrange(65536)])
            else:
                pos = r.randrange(len(pkt.exts) + 1)
                pkt.exts.insert(pos, self.ext(44))
        elif m == "ihl":
            l3["ihl"] = r.choice([0, 1, 4, 5, 6, 15])
        elif m == "ip4_csum":
            l3["csum"] = r.choice([0, 0xffff, r.randrange(65536)])
        elif m == "tos":
            l3["tos"] = r.randrange(256)
        elif m == "options":
            l3["opts"] = r.choice([b"\x01" * 4, b"\x00" * 4,
                                   b"\x44\x02\x05\x00",
                                   b"\x83\x03\x04\x00", b"\x07\xff\0\0",
                                   bytes(r.randrange(256) for _ in range(40))])
        elif m == "ext_insert":
            pkt.exts.insert(r.randrange(len(pkt.exts) + 1), self.ext(
                r.choice([0, 60, 43, 44, 51, 253, 254, 135, 139, 140, 59])))
        elif m == "ext_chain":
            pkt.exts = self.chain()
        elif m == "ext_mangle" and pkt.exts:
            e = r.choice(pkt.exts)
            e[r.choice(["nh", "len"])] = r.choice([0, 1, 59, 255, 43, 44,
                                                   r.randrange(256)])
        elif m == "nh":
            l3["nh"] = r.choice([0, 43, 44, 51, 59, 60, 135, 253, 6, 17,
                                 58])
        elif m == "flow":
            l3["flow"] = r.randrange(1 << 28)
        elif m == "l4_port":
            if l4["kind"] in ("tcp", "udp"):
                l4[r.choice(["sport", "dport"])] = r.choice(
                    [0, 23, 53, 67, 68, 80, 161, 546, 547, 4789, 65535])
        elif m == "l4_field":
            if l4["kind"] == "tcp":
                f = r.choice(["flags", "doff", "urg"])
                l4[f] = {"flags": r.choice([0, 0xff, 3, 0x29, 2, 0x12]),
                         "doff": r.choice([0, 1, 4, 5, 15]),
                         "urg": r.randrange(65536)}[f]
            elif l4["kind"] == "udp":
                l4["len"] = r.choice([0, 1, 7, 8, 9, 1000, 65535])
            elif l4["kind"] in ("icmp", "icmp6"):
                l4["type"] = r.choice([0, 3, 5, 8, 11, 128, 129, 133, 134,
                                       135, 136, 137, 143, 255])
                l4["code"] = r.choice([0, 1, 4, 255])
        elif m == "l4_csum":
            l4["csum"] = r.choice([0, 0xffff, r.randrange(65536)])
        elif m == "l4_kind":
            l4["kind"] = r.choice(["tcp", "udp", "icmp", "icmp6", "raw"])
            l4.setdefault("sport", 1)
            l4.setdefault("dport", 23)
            l4.setdefault("type", 8)
        elif m == "arp_field":
            f = r.choice(["op", "hrd", "pro", "hln", "pln", "sha", "spa",
                          "tha", "tpa"])
            if f in ("sha", "tha"):
                l3[f] = r.choice(self.MACS + [VM["atk"]["mac"]])
            elif f in ("spa", "tpa"):
                l3[f] = r.choice(self.V4)
            elif f == "op":
                l3[f] = r.choice([0, 1, 2, 3, 4, 8, 9, 0xffff])
            else:
                l3[f] = r.choice([0, 1, 6, 4, 0x0800, 0x86dd, 16, 255])
        return m

    def fragpair(self, source):
        """Two fragments of one datagram: a first fragment and a later one
        that overlaps it (rewriting the ports) or follows it; or a tiny
        first fragment that hides the ports."""
        r = self.r
        svm = VM[source]
        fam = r.choice([4, 6])
        dst = r.choice(["vic1", "vic1", "vic2", "peer", "dny", "iso"])
        src_ip = svm["ip4"] if fam == 4 else svm["ip6"]
        dst_ip = VM[dst]["ip4"] if fam == 4 else VM[dst]["ip6"]
        t1, t2 = self.tag(), self.tag()
        proto = r.choice(["tcp", "udp"])
        good = 80 if proto == "tcp" else 53
        bad = 23 if proto == "tcp" else 161
        first_port = r.choice([good, bad])
        whole = Pkt(svm["mac"], ROUTER_PH, dict(
            kind="ip%d" % fam, src=src_ip, dst=dst_ip),
            l4=dict(kind=proto, sport=40000, dport=first_port),
            payload=t1 + b"." * 24).render()
        body = whole[34:] if fam == 4 else whole[54:]
        ident = r.randrange(1 << 16 if fam == 4 else 1 << 32)
        cut = r.choice([8, 8, 16, 24, 4, 2])
        second_off = r.choice([8, 8, 0, 1]) if cut >= 8 else 8
        rewrite = Pkt(svm["mac"], ROUTER_PH, dict(
            kind="ip%d" % fam, src=src_ip, dst=dst_ip),
            l4=dict(kind=proto, sport=40000, dport=bad if first_port == good
                    else good), payload=t2 + b"." * 24).render()
        rbody = rewrite[34:] if fam == 4 else rewrite[54:]
        frags = []
        for off, data, more, tag in ((0, body[:cut], 1, t1),
                                     (second_off, rbody[second_off * 8:], 0,
                                      t2)):
            if t2 not in data and tag == t2:
                data = data + t2
            if fam == 4:
                p = Pkt(svm["mac"], ROUTER_PH, dict(
                    kind="ip4", src=src_ip, dst=dst_ip, id=ident,
                    proto=6 if proto == "tcp" else 17,
                    frag=(more << 13) | off), l4=None, payload=data)
            else:
                p = Pkt(svm["mac"], ROUTER_PH, dict(
                    kind="ip6", src=src_ip, dst=dst_ip),
                    exts=[dict(t=44, off=off, m=more, id=ident,
                               nh=6 if proto == "tcp" else 17)],
                    l4=None, payload=data)
                p.exts[0]["nh"] = 6 if proto == "tcp" else 17
            frags.append((p, dict(source=source, vni=1, kind="frag-%s-%d-%d"
                                  % (proto, cut, second_off), target=dst,
                                  tag=tag, fam=fam)))
        return frags

    def sweep(self, source, pkt, meta):
        """A real frame cut at every offset from the Ethernet header's end
        on, each cut with a tag of its own (where the cut leaves one)."""
        whole = pkt.render()
        if len(whole) > 160 or meta["tag"] not in whole:
            return None
        out = []
        for k in range(14, len(whole) + 1):
            p = copy.deepcopy(pkt)
            tag = meta["tag"] if k == 14 else self.tag()
            p.post += [("retag", meta["tag"], tag), ("trunc", k)]
            m = dict(meta, tag=tag, kind="sweep-" + meta["kind"])
            out.append((source, p, m, ["cut at %d" % k]))
        return out

    def case(self):
        """A list of (source, bytes, meta, mutation labels)."""
        r = self.r
        source = r.choice(["atk", "atk", "atk", "atkf", "atkf", "vic2", "gw",
                           "app", "ul", "ul"])
        if source != "ul" and r.random() < 0.08:
            pairs = self.fragpair(source)
            out = []
            for p, meta in pairs:
                labels = [self.mutate(p, meta)] if r.random() < 0.3 else []
                out.append((source, p, meta, labels))
            return out
        pkt, meta = self.base(source)
        if r.random() < 0.002:
            sweep = self.sweep(source, pkt, meta)
            if sweep:
                return sweep
        n = r.choice([0, 1, 1, 1, 2, 2, 3, 4])
        labels = [self.mutate(pkt, meta) for _ in range(n)]
        if source == "ul":
            meta["vni"] = r.choice([meta["vni"]] * 8 + [2, 4, 0, 77, 1 << 23])
            if r.random() < 0.1:
                meta["ul_src"] = r.choice(list(UL_OTHER.values()) +
                                          list(UL_REMOTE.values()))
            meta["vx_flags"] = 0x08000000 if r.random() < 0.95 else \
                r.choice([0, 0x08000001, 0xff000000])
        return [(source, pkt, meta, labels)]


# ------------------------------------------------------------ parsing
def parse(frame):
    """What the module would read of a frame: a dict with eth fields and,
    for IP, family, src, dst, proto, ports, fragment facts and the chain;
    'bad' when the IP part cannot be read."""
    d = dict(edst=frame[0:6], esrc=frame[6:12], len=len(frame))
    if len(frame) < 14:
        d["etype"] = None
        return d
    et = struct.unpack("!H", frame[12:14])[0]
    d["etype"] = et
    net = frame[14:]
    if et == 0x0800 and len(net) >= 20:
        v, ihl = net[0] >> 4, (net[0] & 15) * 4
        tot = struct.unpack("!H", net[2:4])[0]
        d.update(family=4, version=v, tot=tot, ihl=ihl)
        if v != 4 or ihl < 20 or tot < ihl or tot > len(net):
            d["bad"] = "length"
            return d
        net = net[:tot]
        d.update(src=net[12:16], dst=net[16:20], proto=net[9],
                 id=struct.unpack("!H", net[4:6])[0])
        fo = struct.unpack("!H", net[6:8])[0]
        d["later"] = bool(fo & 0x1fff)
        d["first"] = bool(fo & 0x2000) and not d["later"]
        d["thoff"] = ihl
        d["l4"] = net[ihl:]
    elif et == 0x86dd and len(net) >= 40:
        v = net[0] >> 4
        plen = struct.unpack("!H", net[4:6])[0]
        d.update(family=6, version=v, tot=40 + plen)
        if v != 6 or 40 + plen > len(net):
            d["bad"] = "length"
            return d
        net = net[:40 + plen]
        d.update(src=net[8:24], dst=net[24:40])
        nh, off, exts = net[6], 40, []
        d.update(later=False, first=False, id=None)
        while nh in (0, 43, 60, 44, 51):
            if len(net) < off + 8:
                d["bad"] = "chain"
                break
            exts.append(nh)
            if nh == 44:
                fo = struct.unpack("!H", net[off + 2:off + 4])[0]
                d["id"] = struct.unpack("!I", net[off + 4:off + 8])[0]
                if fo & 0xfff8:
                    d["later"] = True
                elif fo & 1:
                    d["first"] = True
                nxt, ln = net[off], 8
            elif nh == 51:
                nxt, ln = net[off], (net[off + 1] + 2) * 4
            else:
                nxt, ln = net[off], (net[off + 1] + 1) * 8
                if nh == 43 and net[off + 2] == 0:
                    d["rh0"] = True
            off += ln
            nh = nxt
            if d["later"]:
                break
        d.update(exts=exts, proto=nh, thoff=off, l4=net[off:])
    else:
        d["family"] = None
        return d
    l4 = d["l4"]
    if not d["later"] and d["proto"] in (6, 17) and len(l4) >= 4:
        d["sport"], d["dport"] = struct.unpack("!HH", l4[:4])
    if not d["later"] and d["proto"] in (1, 58) and len(l4) >= 1:
        d["icmp"] = l4[0]
    return d


def in_space(addr, vnet):
    a = ipaddress.ip_address(addr)
    return any(a in n for n in SPACE[vnet] if n.version == a.version)


def must_drop(frame, source):
    """Why the module must drop this frame from port SOURCE, or None when
    the generator cannot tell: only what the rules and the packet path
    (Documentation/vnet.rst) state plainly, in the path's order."""
    d = parse(frame)
    et = d.get("etype")
    if et in (0x8100, 0x88a8) and len(frame) < 20:
        return None     # the kernel drops it before the hook (no tag)
    if et in (0x8100, 0x88a8, 0x9100):
        return "vlan"
    if d["esrc"] != mac_b(VM[source]["mac"]):
        return "spoofed-mac"
    if et not in (0x0800, 0x86dd, 0x0806):
        return "protocol"
    if et == 0x0806:
        return None
    if d.get("family") is None or d.get("bad") == "length":
        return "malformed"
    fam, later = d["family"], d["later"]
    if d.get("bad") == "chain":
        return "ipv6-exthdr"
    if fam == 6 and not later:
        ex = d["exts"]
        if d.get("rh0"):
            return "routing-header-0"
        if d["proto"] in (253, 254, 135, 139, 140) or len(ex) > 8 or \
                0 in ex[1:] or ex.count(44) > 1:
            return "ipv6-exthdr"
    l4 = d["l4"]
    if not later:
        need = {6: 20, 17: 8, 1 if fam == 4 else 58: 8}.get(d["proto"])
        if need and len(l4) < (8 if d["first"] else need):
            return "malformed"
    if fam == 6 and not later and d["proto"] == 58 and \
            d.get("icmp") in range(133, 138):
        return "nd-exthdr" if d["exts"] else None
    if not later and d["proto"] == 17 and (
            (fam == 4 and (d["sport"] == 67 or d["dport"] == 68)) or
            (fam == 6 and (d["sport"] == 547 or d["dport"] == 546))):
        return "dhcp-server"
    dst = ipaddress.ip_address(d["dst"])
    if d["edst"][0] & 1 or dst.is_multicast or \
            (fam == 4 and str(dst) == "255.255.255.255"):
        return "broadcast"
    src = ipaddress.ip_address(d["src"])
    if not VM[source]["opts"] and str(src) not in (VM[source]["ip4"],
                                                   VM[source]["ip6"]):
        return "spoofed-ip"
    if (in_space(dst, "C") or in_space(dst, "D")) and not in_space(dst, "A"):
        return "no-route"
    return None


# ------------------------------------------------------------ the runner
def run_cmd(argv, stdin=None):
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError("%s: exit %d: %s%s" % (" ".join(argv[:4]),
                                                  p.returncode, p.stdout,
                                                  p.stderr))
    return p.stdout


def nft(ns, cmds):
    """nft CMDS in namespace NS through libnftables (no process: each
    costs seconds under emulation); its output. Raises on an error."""
    import ctypes
    lib = ctypes.CDLL("libnftables.so.1")
    lib.nft_ctx_new.restype = ctypes.c_void_p
    lib.nft_ctx_buffer_output.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_output_buffer.restype = ctypes.c_char_p
    lib.nft_ctx_get_output_buffer.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
    lib.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
    lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.nft_ctx_free.argtypes = [ctypes.c_void_p]
    setns(ns)
    try:
        ctx = lib.nft_ctx_new(0)
        lib.nft_ctx_buffer_output(ctx)
        lib.nft_ctx_buffer_error(ctx)
        rc = lib.nft_run_cmd_from_buffer(ctx, cmds.encode())
        out = (lib.nft_ctx_get_output_buffer(ctx) or b"").decode()
        err = (lib.nft_ctx_get_error_buffer(ctx) or b"").decode()
        lib.nft_ctx_free(ctx)
    finally:
        setns(None)
    if rc:
        raise RuntimeError("nft in %s: %s" % (ns, err))
    return out


def link_up(ns, dev):
    """ip -n NS link set DEV up, without a process."""
    import fcntl
    setns(ns)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    finally:
        setns(None)
    try:
        req = struct.pack("16sH14x", dev.encode(), 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, req))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", dev.encode(),
                                           flags | 1))   # IFF_UP
    finally:
        s.close()


class Topo:
    """The namespaces, the module's configuration and the quiet VMs."""

    def __init__(self):
        sfx = "%d" % (os.getpid())
        self.ctl = "pfz-host-" + sfx
        self.ul = "pfz-ul-" + sfx
        self.ns = {n: "pfz-%s-%s" % (n, sfx) for n in VM}
        self.made = []

    def build(self):
        mutate = os.environ.get("VNET_MUTATE", "")
        root = ["netns add %s" % self.ctl, "netns add %s" % self.ul]
        root += ["netns add %s" % ns for ns in self.ns.values()]
        t = time.monotonic()
        run_cmd(["ip", "-b", "-"], "\n".join(root) + "\n")
        self.times = ["namespaces %.1f" % (time.monotonic() - t)]
        self.made = [self.ctl, self.ul] + list(self.ns.values())
        # The VMs' kernels send nothing (loaded before their links exist:
        # no DAD, MLD or router solicitation gets out either); the frames
        # come from packet sockets, which netfilter does not see.
        quiet = ("table inet quiet {\n chain out { type filter hook output "
                 "priority 0; policy drop; }\n chain pass { type filter hook "
                 "forward priority 0; policy drop; }\n}\n")
        for ns in self.ns.values():
            nft(ns, quiet)
        self.times.append("nft %.1f" % (time.monotonic() - t))
        # The VMs need no address: their kernels answer nothing.
        links = []
        for n, v in VM.items():
            links.append("link add vm-%s netns %s type veth peer name eth0 "
                         "address %s netns %s" % (n, self.ctl, v["mac"],
                                                     self.ns[n]))
        links.append("link add ul-a netns %s mtu 1600 type veth peer name "
                     "ul-b netns %s mtu 1600" % (self.ctl, self.ul))
        run_cmd(["ip", "-b", "-"], "\n".join(links) + "\n")
        for ns in self.ns.values():
            link_up(ns, "eth0")
        run_cmd(["ip", "-n", self.ctl, "-b", "-"], "\n".join(
            ["link set lo up", "addr add %s/24 dev ul-a" % UL_HOST[4],
             "addr add %s/64 dev ul-a nodad" % UL_HOST[6],
             "link set ul-a up"] +
            ["link set vm-%s up" % n for n in VM]) + "\n")
        run_cmd(["ip", "-n", self.ul, "-b", "-"], "\n".join(
            ["link set lo up", "link set ul-b up"] +
            ["addr add %s/%d dev ul-b nodad" % (a, 24 if f == 4 else 64)
             for u in (UL_REMOTE, UL_OTHER) for f, a in u.items()]) +
            "\n")
        self.times.append("links %.1f" % (time.monotonic() - t))
        ports = "\n".join(
            "port add vm-%s vnet %s subnet %s mac %s ip %s ip %s %s" % (
                n, v["vnet"], v["subnet"], v["mac"], v["ip4"], v["ip6"],
                v["opts"]) for n, v in VM.items())
        endpoints = "\n".join(
            "endpoint add %s %s mac %s remote %s" % (
                "A" if e["vni"] == 1 else "C", e["ip%d" % f], e["mac"],
                e["ul"]) for e in EPS for f in (4, 6) if e["ip%d" % f])
        conf = TOPOLOGY.format(ports=ports, endpoints=endpoints)
        if mutate == "deny-allow":
            conf = conf.replace(" deny", " allow")
        run_cmd(["vnetctl", "-n", self.ctl, "-b", "-"], conf)
        self.times.append("vnetctl %.1f" % (time.monotonic() - t))
        info = json.loads(run_cmd(["vnetctl", "-n", self.ctl, "-j", "vnet",
                                   "show", "A"]))
        info = info[0] if isinstance(info, list) else info
        self.router = mac_b(info["router-mac"])
        # Whatever vnet lets through to the host's stack reaches this
        # chain, after vnet's hook (priority 0).
        devs = ", ".join(["vm-%s" % n for n in VM] + ["vnet-vxlan"])
        # An anonymous counter: a named one needs nft_objref, which a
        # trimmed debug kernel may not have.
        nft(self.ctl, "table netdev pfz_leak {\n"
            " chain in {\n  type filter hook ingress devices = { %s } "
            "priority 10; policy accept;\n  counter\n }\n}\n"
            % devs)

    def leak(self):
        out = nft(self.ctl, "list chain netdev pfz_leak in")
        m = re.search(r"counter packets (\d+)", out)
        return int(m.group(1)) if m else -1

    def remove(self):
        if self.made:
            subprocess.run(["ip", "-b", "-"], input="".join(
                "netns del %s\n" % n for n in self.made), text=True,
                capture_output=True)


class Stats(attack.Stats):
    """The ports' and the tunnel's counters, with received bytes."""

    def __init__(self, ctl):
        super().__init__(ctl)
        hdr = open(os.path.join(REPO, "include/uapi/linux/vnet.h")).read()
        self.s_rxb = attack.c_enum(hdr, "vnet_stats_attr")[
            "VNET_STATS_A_RX_BYTES"]

    def read(self):
        out = {}
        err, text, replies = self.genl.request(
            self.family, self.cmd, b"", nlraw.NLM_F_REQUEST | nlraw.NLM_F_DUMP)
        if err:
            raise OSError(err, "vnet netlink: " + (text or os.strerror(err)))
        u64 = lambda b: struct.unpack("=Q", b[:8])[0] if b else 0  # noqa
        for m in replies:
            dev = m[self.a_ifname].rstrip(b"\0").decode()
            st = nlraw.parse_attrs(m.get(self.a_stats, b""))
            drops = {self.reason.get(t - 1, "reason-%d" % (t - 1)): u64(v)
                     for t, v in nlraw.parse_attrs(
                         st.get(self.s_drops, b"")).items() if u64(v)}
            out[dev] = (u64(st.get(self.s_rx)), u64(st.get(self.s_rxb)),
                        u64(st.get(self.s_tx)), drops)
        return out


def delta(a, b):
    """(rx per dev, rx bytes per dev, fates: {('tx'|reason, dev): n})."""
    rx, rxb, fate = {}, {}, {}
    for dev, (r1, b1, t1, d1) in b.items():
        r0, b0, t0, d0 = a.get(dev, (0, 0, 0, {}))
        if r1 - r0:
            rx[dev] = r1 - r0
        if b1 - b0:
            rxb[dev] = b1 - b0
        if t1 - t0:
            fate[("tx", dev)] = t1 - t0
        for why, n in d1.items():
            if n - d0.get(why, 0):
                fate[(why, dev)] = n - d0.get(why, 0)
    return rx, rxb, fate


class Captures(capture.Capture):
    """A capture on every VM's eth0 and on the underlay's end; incoming
    frames only. Marker frames (barrier) are recorded apart."""

    def __init__(self, topo):
        super().__init__([(n, ns, "eth0") for n, ns in topo.ns.items()] +
                         [("ul", topo.ul, "ul-b")])
        self.frames = {n: [] for n in self.socks.values()}
        self.marks = set()
        self.start()

    def note(self, cap, f, addr, anc):
        if addr[2] == socket.PACKET_OUTGOING:
            return
        m = MARK.search(f)
        with self.lock:
            if m:
                self.marks.add((cap, m.group(1).decode(), int(m.group(2))))
            else:
                self.frames[cap].append(f)


def barrier(topo, caps, rnd, timeout=60):
    """A marker frame from the host's side into each capture, again every
    0.3 s until every capture has its own. Returns those still missing."""
    socks = {}
    for n in caps.frames:
        setns(topo.ctl)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        setns(None)
        s.bind(("vm-" + n if n != "ul" else "ul-a", 0))
        socks[n] = s
    pending = set(socks)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for n in sorted(pending):
            with caps.lock:
                if (n, n, rnd) in caps.marks:
                    pending.discard(n)
                    continue
            # EtherType 0x88b5 (local experimental): no kernel answers.
            socks[n].send(b"\xff" * 6 + b"\x02\0\0\0\0\x01\x88\xb5" +
                          b"@M%s-%d@" % (n.encode(), rnd) + b"\0" * 40)
        if pending:
            time.sleep(0.3)
    for s in socks.values():
        s.close()
    return sorted(pending)


class Sender:
    """Sends a frame from its source: a packet socket on atk's or atkf's
    eth0, or a UDP socket of the underlay's host (from its address or
    another) to the host's VXLAN port."""

    def __init__(self, topo):
        self.raw = {}
        for n in PORT_SOURCES:
            setns(topo.ns[n])
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            setns(None)
            s.bind(("eth0", 0))
            self.raw[n] = s
        self.udp = {}
        for a in list(UL_REMOTE.values()) + list(UL_OTHER.values()):
            setns(topo.ul)
            s = socket.socket(socket.AF_INET6 if ":" in a else
                              socket.AF_INET, socket.SOCK_DGRAM)
            setns(None)
            s.bind((a, 0))
            self.udp[a] = s

    def send(self, source, frame, meta):
        if source == "ul":
            a = meta["ul_src"]
            self.udp[a].sendto(struct.pack(
                "!II", meta["vx_flags"], (meta["vni"] & 0xffffff) << 8) +
                frame, (UL_HOST[6 if ":" in a else 4], 4789))
        else:
            self.raw[source].send(frame)

    def sentinel(self, source, router):
        """A frame of a length no fuzzed frame has, dropped for a known
        reason: from the underlay, a VXLAN datagram of an unknown VNI
        (SENTINEL_LEN bytes inside); from a port, a full-size frame of an
        EtherType vnet does not route. Returns (length, drop reason)."""
        if source != "ul":
            self.raw[source].send(router + mac_b(VM[source]["mac"]) +
                                  b"\x88\xb5" + b"\0" * 1500)
            return 1514, "protocol"
        inner = router + mac_b(EPS[0]["mac"]) + b"\x08\x00"
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, SENTINEL_LEN - 14, 0, 0,
                         64, 17, 0, ip_b(EPS[0]["ip4"]),
                         ip_b(VM["vic1"]["ip4"]))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        inner += ip + b"\0" * (SENTINEL_LEN - len(inner) - len(ip))
        self.udp[UL_REMOTE[4]].sendto(struct.pack(
            "!II", 0x08000000, SENTINEL_VNI << 8) + inner, (UL_HOST[4], 4789))
        return SENTINEL_LEN, "unknown-vni"


def forbidden_ns(meta, cap):
    """Whether policy forbids frame META to reach capture CAP: dny never
    (its ACL denies all); a port's frame (vnet A) never vnets C and D;
    the underlay's only its VNI's vnet (the tunnel delivers to ports of
    that vnet alone). The underlay's own capture may see a port's frame
    (inside VNI 1, checked where it is read) and never the underlay's."""
    if cap == "dny":
        return True
    if cap == "ul":
        return meta["source"] == "ul"
    vnet = VM[cap]["vnet"]
    if meta["source"] == "ul":
        return VNET_ID[vnet] != meta["vni"]
    return vnet in ("C", "D")


def fmt(d):
    return ",".join("%s=%d" % ("%s@%s" % k if isinstance(k, tuple) else k, v)
                    for k, v in sorted(d.items())) or "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else \
        int.from_bytes(os.urandom(4), "little")
    print("# pktfuzz: seed %d count %d (replay: selftests/vm.sh "
          "selftests/pktfuzz.py --seed %d --count %d)"
          % (seed, args.count, seed, args.count), flush=True)
    gen = Gen(random.Random(seed))
    frames = []          # (index, source, pkt, meta, labels)
    while len(frames) < args.count:
        for source, pkt, meta, labels in gen.case():
            if len(frames) < args.count:
                frames.append((len(frames), source, pkt, meta, labels))
    if args.dry_run:
        dry_run(frames)
        return
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    topo = Topo()
    try:
        sys.exit(fuzz(args, seed, frames, topo))
    finally:
        topo.remove()


def dry_run(frames):
    h = hashlib.sha256()
    kinds, labels, sources, drops = {}, {}, {}, {}
    for i, source, pkt, meta, labs in frames:
        b = pkt.render()
        h.update(b)
        kinds[meta["kind"]] = kinds.get(meta["kind"], 0) + 1
        sources[source] = sources.get(source, 0) + 1
        for lab in labs:
            labels[lab] = labels.get(lab, 0) + 1
        if source != "ul":
            why = must_drop(b, source)
            if why:
                drops[why] = drops.get(why, 0) + 1
    print("# frames %d, digest %s" % (len(frames), h.hexdigest()))
    print("# sources: %s" % fmt(sources))
    print("# kinds: %s" % fmt(kinds))
    print("# mutations: %s" % fmt(labels))
    print("# known drops: %s" % fmt(drops))


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, good, desc, details=()):
        self.n += 1
        print("%s %d - %s" % ("ok" if good else "not ok", self.n, desc))
        if not good:
            self.failed += 1
            for line in list(details)[:20]:
                print("# " + line)
            if len(details) > 20:
                print("# ... %d more" % (len(details) - 20))
        sys.stdout.flush()


def fuzz(args, seed, frames, topo):
    T = Tap()
    t0 = time.monotonic()
    try:
        subprocess.run(["modprobe", "-q", "veth"], check=False)
        topo.build()
    except RuntimeError as e:
        T.check(False, "topology built", [str(e)])
        print("1..%d" % T.n)
        return 1
    print("# topology built: %.1f s (%s)" % (time.monotonic() - t0,
                                            ", ".join(topo.times)))
    T.check(True, "topology: 4 vnets, 10 ports, a peering and a half, ACLs, "
            "an appliance route, a gateway, 3 lbs, 5 endpoints (IPv4 and IPv6 "
            "underlays), quiet VMs")
    stats = Stats(topo.ctl)
    sender = Sender(topo)
    caps = Captures(topo)
    print("# captures open: %.1f s" % (time.monotonic() - t0))
    missing = barrier(topo, caps, 1)
    T.check(not missing, "every capture runs before the first frame (a "
            "marker seen in each of %d)" % len(caps.frames),
            ["missing: " + " ".join(missing)])
    t_setup = time.monotonic() - t0
    sent = []           # per frame: (bytes, fate, note)
    unbalanced, stray, unknown = [], [], []
    not_taken = 0
    prev = stats.read()
    t1 = time.monotonic()
    for i, source, pkt, meta, labels in frames:
        b = pkt.render(topo.router)
        if source == "ul" and len(b) > MAX_INNER:
            b = b[:MAX_INNER]
        try:
            sender.send(source, b, meta)
        except OSError as e:
            unknown.append("frame %d from %s could not be sent: %s" % (
                i, source, e))
            sent.append((b, None, "send failed"))
            continue
        dev = "vnet-vxlan" if source == "ul" else "vm-" + source
        # A frame the kernel may drop before the hook (VXLAN's checks,
        # a VLAN tag it cannot take out) is followed by a sentinel of a
        # length no fuzzed frame has: once that is counted, the frame
        # before it was taken in or never will be.
        slen = 0
        if source == "ul" or b[12:14] in (b"\x81\x00", b"\x88\xa8"):
            slen, sreason = sender.sentinel(source, topo.router)
        deadline = time.monotonic() + 10
        while True:
            now = stats.read()
            rx, rxb, fate = delta(prev, now)
            nrx, nfate = sum(rx.values()), sum(fate.values())
            if slen:
                done = nrx == nfate and rxb.get(dev, 0) >= slen
            else:
                done = nrx == nfate and rx.get(dev, 0) >= 1
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.002)
        if slen and done:
            for d, k in ((rx, dev), (fate, (sreason, dev))):
                d[k] = d.get(k, 0) - 1
                if not d[k]:
                    del d[k]
        note = ""
        taken = rx.get(dev, 0)
        if not done:
            unbalanced.append("frame %d from %s: received %s, fates %s "
                              "(hex %s)" % (i, source, fmt(rx), fmt(fate),
                                            b.hex()))
            note = "unbalanced"
        elif set(rx) - {dev}:
            stray.append("frame %d from %s: received %s" % (i, source,
                                                             fmt(rx)))
        elif taken > 1 or (not slen and taken != 1) or \
                taken != sum(fate.values()):
            unknown.append("frame %d from %s: received %s, fates %s" % (
                i, source, fmt(rx), fmt(fate)))
        elif not taken:
            not_taken += 1
        sent.append((b, fate, note))
        if args.verbose:
            print("# %d %s %s [%s] %s -> %s" % (
                i, source, meta["kind"], ",".join(labels), b.hex(),
                fmt(fate)))
        prev = now
    t_send = time.monotonic() - t1
    missing = barrier(topo, caps, 2)
    lost = caps.close()
    T.check(not missing and not any(lost.values()),
            "every capture has all frames after the last (a marker again), "
            "none lost a frame",
            ["missing: " + " ".join(missing)] +
            ["%s lost %d" % kv for kv in lost.items() if kv[1]])

    def frame_desc(i):
        _, source, pkt, meta, labels = frames[i]
        return "frame %d from %s%s (%s -> %s, %s; mutations: %s): %s" % (
            i, source, "" if source != "ul" else " VNI %d underlay %s" % (
                meta["vni"], meta["ul_src"]), meta["kind"], meta["target"],
            "fate " + fmt(sent[i][1] or {}), ",".join(labels) or "none",
            sent[i][0].hex())

    # ---- accounting
    T.check(not unbalanced and not unknown,
            "every frame taken in is counted once: received = dropped + "
            "sent, over all devices (%d frames; %d dropped by the kernel "
            "before the hook: VXLAN's checks, a VLAN tag cut short)" % (
                len(frames), not_taken),
            unbalanced + unknown)
    T.check(not stray, "no traffic but the fuzzer's entered the module "
            "(the VMs' kernels are quiet)", stray)
    # ---- forbidden deliveries, by the counters
    bad = []
    tx_dev = {}
    for i, (b, fate, _) in enumerate(sent):
        meta = frames[i][3]
        for (why, dev), n in (fate or {}).items():
            if why != "tx":
                continue
            tx_dev[dev] = tx_dev.get(dev, 0) + n
            name = dev[3:] if dev.startswith("vm-") else None
            if name in VM and forbidden_ns(meta, name):
                bad.append("sent on %s: %s" % (dev, frame_desc(i)))
            if dev == "vnet-vxlan" and meta["source"] == "ul":
                bad.append("sent back into the tunnel: " + frame_desc(i))
    T.check(not bad, "no frame sent on to a port that policy forbids "
            "(counters; sent on: %s)" % fmt(tx_dev), bad)

    # ---- captures: tags where policy forbids them, and the arrivals
    arrivals = {}
    forbidden, rule_bad, shape_bad, agree_bad = [], [], [], []
    first_frags = {}
    for cap, flist in caps.frames.items():
        for f in flist:
            if cap == "ul":
                # VXLAN from the host (over IPv4 or IPv6): its VNI
                udp = 34 if f[12:14] == b"\x08\x00" else 54
                if len(f) < udp + 16 or f[12:14] not in (
                        b"\x08\x00", b"\x86\xdd") or \
                        f[23 if udp == 34 else 20] != 17 or \
                        f[udp + 2:udp + 4] != b"\x12\xb5":
                    continue
                vni = struct.unpack("!I", f[udp + 12:udp + 16])[0] >> 8
                for i in tags_in(f):
                    if i >= len(frames):
                        continue
                    arrivals.setdefault(i, set()).add("ul")
                    meta = frames[i][3]
                    if meta["source"] == "ul" or vni != 1:
                        forbidden.append("in the tunnel with VNI %d: %s" % (
                            vni, frame_desc(i)))
                continue
            tags = tags_in(f)
            from_router = f[6:12] == topo.router
            if not tags and cap in PORT_SOURCES and answer(f):
                continue        # the module's ARP or ND answer
            if from_router or tags:
                d = parse(f)
                why = arrival_rules(cap, d, f, first_frags)
                if f[0:6] != mac_b(VM[cap]["mac"]) or not from_router:
                    shape_bad.append("%s got %s -> %s: %s" % (
                        cap, f[6:12].hex(), f[0:6].hex(), f.hex()))
                elif d.get("family") is None or d.get("bad") or \
                        d["tot"] != len(f) - 14:
                    shape_bad.append("%s got a frame that is not one whole "
                                     "IP datagram: %s" % (cap, f.hex()))
                if why:
                    rule_bad.append("%s got %s: %s (tags %s)" % (
                        cap, why, f.hex(), tags))
            for i in tags:
                if i >= len(frames):
                    continue
                arrivals.setdefault(i, set()).add(cap)
                meta = frames[i][3]
                if forbidden_ns(meta, cap):
                    forbidden.append("at %s (arrived as %s): %s" % (
                        cap, f.hex(), frame_desc(i)))
                own = sources_of(meta["source"])
                if own and from_router:
                    d = parse(f)
                    if d.get("src") and str(ipaddress.ip_address(d["src"])) \
                            not in own:
                        rule_bad.append("%s got a frame from %s with a "
                                        "source it does not own: %s" % (
                                            cap, meta["source"],
                                            frame_desc(i)))
                if meta["source"] == "ul" and from_router:
                    d = parse(f)
                    # an endpoint behind the underlay address it came from
                    eps = [e["ip%d" % f] for e in EPS for f in (4, 6)
                           if e["ul"] == meta["ul_src"] and e["ip%d" % f]]
                    if d.get("src") and str(ipaddress.ip_address(d["src"])) \
                            not in eps:
                        rule_bad.append("%s got an underlay frame whose "
                                        "source is no endpoint behind %s: "
                                        "%s" % (cap, meta["ul_src"],
                                                frame_desc(i)))
    T.check(not forbidden, "no tag arrived where policy forbids it "
            "(captures: %d of %d tags arrived somewhere)" % (
                len(arrivals), len(frames)), forbidden)
    T.check(not rule_bad, "what arrived obeys the rules (sources, "
            "forwarded traffic across the peering, vic1's denied ports, "
            "later fragments, ND, DHCP servers, multicast, extension "
            "headers)", rule_bad)
    T.check(not shape_bad, "what the module delivered is well formed (the "
            "receiver's MAC, the router's MAC, one IP datagram, no "
            "padding)", shape_bad)
    # ---- captures agree with the counters
    for i, caps_seen in sorted(arrivals.items()):
        fate = sent[i][1] or {}
        for cap in caps_seen:
            dev = "vnet-vxlan" if cap == "ul" else "vm-" + cap
            if ("tx", dev) not in fate:
                agree_bad.append("%s got it but %s did not send it: %s" % (
                    cap, dev, frame_desc(i)))
    T.check(not agree_bad, "each tag a capture saw was counted as sent on "
            "that capture's device", agree_bad)
    # ---- known drops
    known, not_dropped, reasons = 0, [], {}
    total_drops = 0
    for i, (b, fate, _) in enumerate(sent):
        fate = fate or {}
        total_drops += sum(n for (why, dev), n in fate.items()
                           if why != "tx")
        for (why, dev), n in fate.items():
            if why != "tx":
                reasons[why] = reasons.get(why, 0) + n
        source = frames[i][1]
        if source == "ul":
            continue
        why = must_drop(b, source)
        if not why:
            continue
        known += 1
        if not any(w != "tx" for (w, _) in fate):
            not_dropped.append("must drop as %s: %s" % (why, frame_desc(i)))
    T.check(not not_dropped and total_drops >= known,
            "the %d frames the generator knows must drop were dropped "
            "(drop counters rose by %d)" % (known, total_drops), not_dropped)
    n = topo.leak()
    T.check(n == 0, "nothing reached the host's own stack (nftables ingress "
            "after vnet's hook: %d packets)" % n)
    T.check(T.failed == 0, "seed %d: %d frames (%s), %.0f s (setup %.0f s, "
            "frames %.0f s)" % (seed, len(frames), ", ".join(
                "%s %d" % (s, sum(1 for f in frames if f[1] == s))
                for s in PORT_SOURCES + ("ul",)), time.monotonic() - t0,
                t_setup, t_send))
    print("# drops: %s" % fmt(reasons))
    # What became of each source's frames: sent on, dropped, not taken in.
    fates = {}
    for i, (b, fate, _) in enumerate(sent):
        source, meta = frames[i][1], frames[i][3]
        if source == "ul":
            source += "6" if ":" in meta["ul_src"] else "4"
        what = "sent on" if any(w == "tx" for w, _ in (fate or {})) else \
            "dropped" if fate else "not taken in"
        fates[(source, what)] = fates.get((source, what), 0) + 1
    print("# fates: %s" % ", ".join("%s %s %d" % (s, w, n) for (s, w), n in
                                    sorted(fates.items())))
    # Drops that say the kernel failed rather than the frame: each shown.
    for i, (b, fate, _) in enumerate(sent):
        for (why, dev), n in (fate or {}).items():
            if why in ("no-memory", "tx-error"):
                print("# %s on %s: %s" % (why, dev, frame_desc(i)))
    if T.failed:
        print("# replay: selftests/vm.sh selftests/pktfuzz.py --seed %d "
              "--count %d" % (seed, len(frames)))
    print("1..%d" % T.n)
    return 1 if T.failed else 0


def sources_of(source):
    """The sources a frame of port SOURCE may arrive with: its own
    addresses (and the frontends of the lbs it backs, the answers that
    the module translates), or None when it forwards (any source)."""
    v = VM.get(source)
    if not v or v["opts"]:
        return None
    own = {v["ip4"], v["ip6"]}
    if source == "vic2":
        own |= {"10.1.2.100", "fd00:1:0:2::100", "10.1.2.101"}
    return own


def answer(f):
    """An ARP reply or a neighbour advertisement."""
    return f[12:14] == b"\x08\x06" or (
        f[12:14] == b"\x86\xdd" and len(f) > 54 and f[20] == 58 and
        f[54] == 136)


def arrival_rules(cap, d, f, first_frags):
    """A rule the arriving frame (parsed d) breaks at CAP, or None."""
    if cap == "dny":
        return "a frame at a port whose ACL denies everything"
    if d.get("family") is None or d.get("bad"):
        return None
    fam = d["family"]
    src = ipaddress.ip_address(d["src"])
    dst = ipaddress.ip_address(d["dst"])
    if dst.is_multicast or str(dst) == "255.255.255.255":
        return "a multicast or broadcast destination"
    if fam == 6 and not d["later"] and (
            d.get("rh0") or d["proto"] in (253, 254, 135, 139, 140) or
            len(d["exts"]) > 8):
        return "an IPv6 chain the walker refuses"
    if fam == 6 and d["proto"] == 58 and d.get("icmp") in range(133, 138):
        return "neighbour discovery"
    if d["proto"] == 17 and "sport" in d and (
            (fam == 4 and (d["sport"] == 67 or d["dport"] == 68)) or
            (fam == 6 and (d["sport"] == 547 or d["dport"] == 546))):
        return "a DHCP server's message"
    if cap == "peer" and not in_space(src, "A"):
        return "a source outside vnet A across a peering with forwarded off"
    key = (fam, d["src"], d["dst"], d["proto"], d["id"])
    if d["first"]:
        first_frags.setdefault(cap, set()).add(key)
    if cap == "vic1":
        if "dport" in d and ((d["proto"] == 6 and d["dport"] == 23) or
                             (d["proto"] == 17 and d["dport"] == 161)):
            return "a port vic1's ACL denies"
        if d["later"] and key not in first_frags.get(cap, set()):
            return "a later fragment without its first, at a port with rules"
    return None


if __name__ == "__main__":
    main()
