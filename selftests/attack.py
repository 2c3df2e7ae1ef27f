#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile tenant frames for selftests/test_attack.sh (issue 11).

  attack.py batch CONF OUT GROUP...  sends the items of each GROUP, one
                                     frame at a time, and writes one result
                                     line per item to OUT
  attack.py groups                   lists the groups
  attack.py serve PORT...            TCP listeners (dual stack)
  attack.py analyze VICTIMS PORTS PCAP...
                                     per capture: datagrams to a victim
                                     address (comma list), and those to
                                     one of PORTS ("tcp:23,udp:161"),
                                     fragments reassembled both ways an
                                     overlap can go

Runs as root in the VM's initial namespace and enters the VMs' namespaces
itself (setns, per thread): one python start-up (seconds under
emulation) for everything. CONF is the JSON the test writes: the
controller namespace, the router MAC, per VM its namespace, port and
addresses (MACs and link-local addresses are read here).

A batch: the legitimate pings before (they also fill vic1's neighbour
cache), the servers, a packet socket (ETH_P_ALL, as tcpdump) on every
VM's eth0 and every port's host side read by one thread, a control frame
from each VM until both of its captures have it, then the items, the
control frames again, the legitimate traffic after, and the verdicts:
one file OUT.tap.GROUP per group, "ok|not ok<TAB>what<TAB>detail" a
line, which test_attack.sh prints as TAP.

An item is one frame (or one socket operation) with its own token, a
unique marker in its bytes that the captures are searched for: "@T0042@",
or "~042" where only four bytes fit (a TCP sequence number, a tiny
option). Its expectation is "deliver" (the token must reach the target
VM), "drop:R1|R2" (not delivered, counted on the sender's port under one
of those drop reasons), "drop:*" (not delivered, counted under any named
reason), or for real TCP connections "connect" / "noconnect". A frame is
delivered when a capture other than the sender's own two has its token.

After each item the port counters (VNET_CMD_STATS_GET over generic
netlink, as vnetctl -j stats) are read until the sender's port has seen
the item's frame and its fate (a drop on the sender's port or a transmit
on another port) is counted; OUT gets one line per item:

  ID GROUP SENDER TARGET EXPECT TOKEN DROPS TX RESULT DESCRIPTION

tab-separated; DROPS is "reason=n,..." of the sender's port, TX
"dev=n,..." of the other ports, RESULT "-", "connected=yes|no" or
"probe=ADDR" (an NS for an address nobody has: no NA may come back).
"""
import fcntl
import json
import os
import re
import select
import socket
import struct
import subprocess
import sys
import time

import capture
import nlraw
from capture import setns, socket_in

TCP_DENY, TCP_ALLOW, UDP_DENY, UDP_ALLOW = 23, 80, 161, 53
RA_PREFIX = "2001:db8:bad::"

T_START = time.monotonic()


class Plan:
    def __init__(self, conf):
        self.c = conf
        self.items = []
        self.n = 0
        self.control = None

    def new(self):
        """A fresh item number and its long and short tokens."""
        self.n += 1
        return self.n, b"@T%04d@" % self.n, b"~%03d" % (self.n % 1000)

    def add(self, num, group, sender, desc, expect, target, frame,
            token, kind="frame"):
        self.items.append(dict(id=num, group=group, sender=sender,
                               desc=desc, expect=expect, target=target,
                               frame=frame, token=token.decode(),
                               kind=kind))

    def one(self, group, sender, desc, expect, target, build):
        """An item of one frame; build(token) makes its bytes."""
        num, tok, _ = self.new()
        self.add(num, group, sender, desc, expect, target, bytes(build(tok)),
                 tok)


def vm(c, name):
    return c["vms"][name]


# ---------------------------------------------------------------- frames
def frames(c):
    """Builds every item; returns the plan. Imports scapy (slow)."""
    # The layers only: scapy.all takes twice as long to import.
    from scapy.compat import raw
    from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption
    from scapy.layers.inet6 import (
        ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA,
        ICMPv6ND_Redirect, ICMPv6ND_RS,
        ICMPv6NDOptDstLLAddr, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
        ICMPv6NDOptUnknown, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
        IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting,
        Jumbo, PadN)
    from scapy.layers.l2 import ARP, LLC, SNAP, Dot1AD, Dot1Q, Dot3, Ether
    from scapy.packet import Raw
    from scapy.utils6 import in6_getnsma, in6_getnsmac
    from scapy.layers.ipsec import AH

    P = Plan(c)
    rmac = c["router_mac"]
    atk, atkf = vm(c, "atk"), vm(c, "atkf")
    vic1, vic2, peer, iso = (vm(c, n) for n in ("vic1", "vic2", "peer", "iso"))

    def eth(s, dst=None, src=None, typ=None):
        e = Ether(src=src or s["mac"], dst=dst or rmac)
        if typ is not None:
            e.type = typ
        return e

    def sport(num):
        return 20000 + num

    def tcp(num, dport, tok, flags="S"):
        return TCP(sport=sport(num), dport=dport, flags=flags,
                   seq=1000 + num) / Raw(tok)

    def udp(num, dport, tok, sp=None):
        return UDP(sport=sp or sport(num), dport=dport) / Raw(tok)

    def ip4(s, d, **kw):
        return IP(src=kw.pop("src", s["ip4"]), dst=d["ip4"]
                  if isinstance(d, dict) else d, **kw)

    def ip6(s, d, **kw):
        return IPv6(src=kw.pop("src", s["ip6"]), dst=d["ip6"]
                    if isinstance(d, dict) else d, **kw)

    def tokopt(tok):
        """An unknown ND option carrying the token (receivers skip it)."""
        return ICMPv6NDOptUnknown(type=250, len=2,
                                  data=tok.ljust(14, b"\0"))

    def l4(num, kind, tok):
        if kind == "tcp-deny":
            return tcp(num, TCP_DENY, tok)
        if kind == "tcp-allow":
            return tcp(num, TCP_ALLOW, tok)
        if kind == "udp-deny":
            return udp(num, UDP_DENY, tok)
        if kind == "udp-allow":
            return udp(num, UDP_ALLOW, tok)
        return ICMPv6EchoRequest(id=num, seq=1, data=tok)

    allowed = ("tcp-allow", "udp-allow", "icmpv6")
    every = ("tcp-deny", "tcp-allow", "udp-deny", "udp-allow", "icmpv6")

    def l4_expect(kind):
        return "deliver" if kind in allowed else "drop:acl"

    def l4_name(kind):
        return {"tcp-deny": "TCP to denied port %d" % TCP_DENY,
                "tcp-allow": "TCP to allowed port %d" % TCP_ALLOW,
                "udp-deny": "UDP to denied port %d" % UDP_DENY,
                "udp-allow": "UDP to allowed port %d" % UDP_ALLOW,
                "icmpv6": "ICMPv6 echo"}[kind]

    # ------------------------------------------------ IPv6 header chains
    g = "exthdr"

    def chain_items(victim, name, hdrs, kinds, expect=None):
        for kind in kinds:
            def build(tok, kind=kind):
                num = P.n
                p = ip6(atk, victim)
                for h in hdrs():
                    p = p / h
                return eth(atk) / p / l4(num, kind, tok)
            P.one(g, "atk", "%s + %s to %s" % (name, l4_name(kind),
                                                victim["name"]),
                  expect or l4_expect(kind), victim["name"], build)

    hbh = lambda: [IPv6ExtHdrHopByHop()]
    dst = lambda: [IPv6ExtHdrDestOpt()]
    rh2 = lambda: [IPv6ExtHdrRouting(type=2, segleft=0,
                                     addresses=[vic1["ip6"]])]
    rh4 = lambda: [IPv6ExtHdrSegmentRouting(segleft=0, lastentry=0,
                                            addresses=[vic1["ip6"]])]
    rh0 = lambda: [IPv6ExtHdrRouting(type=0, segleft=0,
                                     addresses=[vic1["ip6"]])]
    rh0sl = lambda: [IPv6ExtHdrRouting(type=0, segleft=1,
                                       addresses=[vic2["ip6"]])]
    dst_frag = lambda: [IPv6ExtHdrDestOpt(),
                        IPv6ExtHdrFragment(offset=0, m=0, id=0x60000 + P.n)]
    atomic = lambda: [IPv6ExtHdrFragment(offset=0, m=0, id=0x61000 + P.n)]
    legit3 = lambda: [IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt(),
                      IPv6ExtHdrSegmentRouting(segleft=0, lastentry=0,
                                               addresses=[vic1["ip6"]])]
    ah = lambda: [AH(nh=6, payloadlen=4, spi=0x100, seq=1, icv=b"\0" * 12)]

    chain_items(vic1, "hop-by-hop", hbh, every)
    chain_items(vic1, "destination options", dst, every)
    chain_items(vic1, "routing header type 2", rh2, every)
    chain_items(vic1, "routing header type 4 (SRH)", rh4, every)
    chain_items(vic1, "routing header type 0", rh0, every,
                "drop:routing-header-0")
    chain_items(vic1, "routing header type 0 (segments left 1)", rh0sl,
                ("tcp-allow",), "drop:routing-header-0")
    chain_items(vic1, "hop-by-hop + routing header type 0",
                lambda: hbh() + rh0(), ("tcp-allow",),
                "drop:routing-header-0")
    chain_items(vic1, "destination options + fragment header (whole)",
                dst_frag, ("tcp-deny", "tcp-allow", "udp-deny", "udp-allow"))
    chain_items(vic1, "atomic fragment", atomic,
                ("tcp-deny", "tcp-allow", "udp-deny", "udp-allow"))
    chain_items(vic1, "hop-by-hop + dest options + SRH", legit3,
                ("tcp-deny", "tcp-allow"))
    chain_items(vic1, "authentication header", ah,
                ("tcp-deny", "tcp-allow"))
    # As atk6-firewall6 tests 11 and 19: two fragment headers; one
    # destination options header of 1 kB (read to its end; 2 kB as in
    # the tool needs fragments on a 1500-byte link).
    chain_items(vic1, "two atomic fragment headers", lambda: [
        IPv6ExtHdrFragment(offset=0, m=0, id=0x62000 + P.n),
        IPv6ExtHdrFragment(offset=0, m=0, id=0x63000 + P.n)],
        ("tcp-deny",), "drop:acl|ipv6-exthdr")
    big = lambda: [IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 253)] * 4,
                                     autopad=1)]
    chain_items(vic1, "one 1 kB destination options header", big,
                ("tcp-deny", "tcp-allow"))
    chain_items(vic1, "20 destination options headers",
                lambda: [IPv6ExtHdrDestOpt() for _ in range(20)],
                ("tcp-allow", "tcp-deny"), "drop:ipv6-exthdr")
    for victim in (vic2, peer):
        chain_items(victim, "hop-by-hop", hbh, ("tcp-deny", "tcp-allow",
                                                "udp-deny", "udp-allow"))
        chain_items(victim, "destination options + fragment header (whole)",
                    dst_frag, ("tcp-deny", "tcp-allow"))
        chain_items(victim, "routing header type 0", rh0, ("tcp-allow",),
                    "drop:routing-header-0")
    chain_items(iso, "hop-by-hop (not peered)", hbh, ("tcp-allow",),
                "drop:no-route")

    # Unknown headers before the transport: 253, 254 (experiments, RFC
    # 3692), 135 (mobility), in the generic extension header format.
    for nh in (253, 254, 135):
        for kind in ("tcp-allow", "udp-deny"):
            def build(tok, nh=nh, kind=kind):
                body = raw(IPv6(src=atk["ip6"], dst=vic1["ip6"]) /
                           l4(P.n, kind, tok))[40:]
                nxt = 6 if kind.startswith("tcp") else 17
                return eth(atk) / ip6(atk, vic1, nh=nh) / Raw(
                    bytes([nxt, 0]) + b"\0" * 6 + body)
            P.one(g, "atk", "unknown header %d + %s to vic1" %
                  (nh, l4_name(kind)), "drop:ipv6-exthdr", "vic1", build)

    # Truncated chains: a hop-by-hop header longer than the packet; a
    # destination options header cut by payload_len; a transport header
    # cut after two bytes; the rest of a chain in Ethernet padding.
    def trunc_hbh(tok):
        hdr = bytes([60, 8]) + b"\x01\x04\0\0\0\0" + tok.ljust(8, b"\0")
        return eth(atk) / ip6(atk, vic1, nh=0) / Raw(hdr)
    P.one(g, "atk", "truncated chain: hop-by-hop longer than the packet",
          "drop:ipv6-exthdr", "vic1", trunc_hbh)

    def trunc_in_dst(tok):
        num = P.n
        t = bytes(tcp(num, TCP_ALLOW, tok))
        hdr = bytes([60, 0]) + b"\x01\x04\0\0\0\0"
        dst2 = bytes([6, 1]) + b"\x01\x0c" + tok.ljust(12, b"\0")
        return eth(atk) / ip6(atk, vic1, nh=0, plen=8 + 8) / Raw(
            hdr + dst2 + t)
    P.one(g, "atk", "truncated chain: payload_len ends inside the 2nd "
          "header, the rest (TCP to allowed port) in padding",
          "drop:ipv6-exthdr|malformed", "vic1", trunc_in_dst)

    def trunc_l4(tok):
        num = P.n
        t = bytes(tcp(num, TCP_ALLOW, tok))
        hdr = bytes([6, 0]) + b"\x01\x04\0\0\0\0"
        return eth(atk) / ip6(atk, vic1, nh=60, plen=8 + 2) / Raw(hdr + t)
    P.one(g, "atk", "destination options + TCP cut after 2 bytes by "
          "payload_len, ports in padding", "drop:ipv6-exthdr|malformed",
          "vic1", trunc_l4)

    def plen_pad(tok, dport=TCP_ALLOW):
        num = P.n
        t = bytes(tcp(num, dport, tok))
        return eth(atk) / ip6(atk, vic1, nh=6, plen=2) / Raw(t)
    P.one(g, "atk", "IPv6 TCP, payload_len 2, ports to allowed port in "
          "padding", "drop:malformed", "vic1", plen_pad)
    P.one(g, "atk", "IPv6 TCP, payload_len 2, ports to denied port in "
          "padding", "drop:malformed", "vic1",
          lambda tok: plen_pad(tok, TCP_DENY))

    def jumbo(tok):
        num = P.n
        return eth(atk) / ip6(atk, vic1, plen=0) / IPv6ExtHdrHopByHop(
            options=[Jumbo(jumboplen=100)]) / tcp(num, TCP_ALLOW, tok)
    P.one(g, "atk", "payload_len 0 (jumbogram form) + hop-by-hop + TCP",
          "drop:malformed|ipv6-exthdr", "vic1", jumbo)

    def plen_long(tok):
        num = P.n
        return eth(atk) / ip6(atk, vic1, plen=400) / tcp(num, TCP_ALLOW, tok)
    P.one(g, "atk", "payload_len larger than the frame", "drop:malformed",
          "vic1", plen_long)

    # -------------------------------------------------- IPv6 fragments
    g = "frag6"

    def frag6_pair(victim, dport, name, exp_first, exp_later,
                   first_bytes=8, with_dst=False):
        """A TCP SYN split after first_bytes of its fragmentable part."""
        n1, t1, s1 = P.new()
        n2, t2, _ = P.new()
        ident = 0x70000 + n1
        seg = TCP(sport=sport(n1), dport=dport, flags="S",
                  seq=int.from_bytes(s1, "big")) / Raw(t2 + b"." * 9)
        body = raw(IPv6(src=atk["ip6"], dst=victim["ip6"]) / seg)[40:]
        if with_dst:
            # an unknown option (skip if unknown) carries the short token
            body = bytes([6, 0, 0x1e, 4]) + s1 + body
        nh = 60 if with_dst else 6
        f1 = eth(atk) / ip6(atk, victim) / IPv6ExtHdrFragment(
            nh=nh, offset=0, m=1, id=ident) / Raw(body[:first_bytes])
        f2 = eth(atk) / ip6(atk, victim) / IPv6ExtHdrFragment(
            nh=nh, offset=first_bytes // 8, m=0, id=ident) / Raw(
                body[first_bytes:])
        P.add(n1, g, "atk", name + ": first fragment", exp_first,
              victim["name"], bytes(f1), s1)
        P.add(n2, g, "atk", name + ": later fragment", exp_later,
              victim["name"], bytes(f2), t2)

    for victim in (vic1, vic2, peer):
        frag6_pair(victim, TCP_DENY, "tiny fragments (8 bytes: ports, seq) "
                   "TCP to denied port %d to %s" % (TCP_DENY, victim["name"]),
                   "drop:acl", "drop:*")
        frag6_pair(victim, TCP_ALLOW, "tiny fragments TCP to allowed port "
                   "%d to %s" % (TCP_ALLOW, victim["name"]),
                   "deliver", "deliver")
    frag6_pair(vic1, TCP_DENY, "first fragment holds only a destination "
               "options header, TCP to denied port %d in the next" % TCP_DENY,
               "drop:ipv6-exthdr", "drop:*", with_dst=True)
    frag6_pair(vic1, TCP_ALLOW, "first fragment holds only a destination "
               "options header, TCP to allowed port %d in the next" %
               TCP_ALLOW, "drop:ipv6-exthdr", "drop:*", with_dst=True)

    # Overlaps. (a) A second first fragment of the same datagram with a
    # denied port. (b) A later fragment at offset 8 that overlaps the TCP
    # header behind a destination options header and rewrites the ports.
    n1, _, t1 = P.new()
    n2, _, t2 = P.new()
    n3, t3, _ = P.new()
    ident = 0x71000 + n1
    body_ok = raw(IPv6(src=atk["ip6"], dst=vic1["ip6"]) / TCP(
        sport=sport(n1), dport=TCP_ALLOW, flags="S",
        seq=int.from_bytes(t1, "big")) / Raw(b"." * 20))[40:]
    body_bad = raw(IPv6(src=atk["ip6"], dst=vic1["ip6"]) / TCP(
        sport=sport(n1), dport=TCP_DENY, flags="S",
        seq=int.from_bytes(t2, "big")) / Raw(b"." * 20))[40:]
    for num, tok, body, exp, what in (
            (n1, t1, body_ok, "deliver", "first fragment, allowed port %d"
             % TCP_ALLOW),
            (n2, t2, body_bad, "drop:acl", "overlapping first fragment "
             "rewriting the port to denied %d" % TCP_DENY)):
        f = eth(atk) / ip6(atk, vic1) / IPv6ExtHdrFragment(
            nh=6, offset=0, m=1, id=ident) / Raw(body[:24])
        P.add(num, g, "atk", "IPv6 overlap: " + what, exp, "vic1", bytes(f),
              tok)
    f = eth(atk) / ip6(atk, vic1) / IPv6ExtHdrFragment(
        nh=6, offset=3, m=0, id=ident) / Raw(t3 + b"." * 9)
    P.add(n3, g, "atk", "IPv6 overlap: last fragment (follows the allowed "
          "first)", "deliver", "vic1", bytes(f), t3)

    n1, t1, _ = P.new()
    n2, t2, _ = P.new()
    ident = 0x72000 + n1
    d = IPv6ExtHdrDestOpt(nh=6)
    first = raw(IPv6(src=atk["ip6"], dst=vic1["ip6"]) / d / TCP(
        sport=sport(n1), dport=TCP_ALLOW, flags="S") /
        Raw(t1 + b"." * 5))[40:]
    later = raw(IPv6(src=atk["ip6"], dst=vic1["ip6"]) / TCP(
        sport=sport(n1), dport=TCP_DENY, flags="S") /
        Raw(t2 + b"." * 13))[40:]
    f1 = eth(atk) / ip6(atk, vic1) / IPv6ExtHdrFragment(
        nh=60, offset=0, m=1, id=ident) / Raw(first[:40])
    f2 = eth(atk) / ip6(atk, vic1) / IPv6ExtHdrFragment(
        nh=60, offset=1, m=0, id=ident) / Raw(later)
    P.add(n1, g, "atk", "IPv6 overlap: first fragment destination options"
          " + TCP to allowed port %d" % TCP_ALLOW, "deliver", "vic1",
          bytes(f1), t1)
    P.add(n2, g, "atk", "IPv6 overlap: later fragment at offset 8 rewrites "
          "the TCP ports to denied %d" % TCP_DENY, "drop:*", "vic1",
          bytes(f2), t2)

    # A destination options header, then a fragment header, then TCP, in
    # two fragments: the first must be matched on its TCP ports.
    for dport, e1, e2 in ((TCP_DENY, "drop:acl", "drop:*"),
                          (TCP_ALLOW, "deliver", "deliver")):
        n1, t1, _ = P.new()
        n2, t2, _ = P.new()
        ident = 0x73000 + n1
        body = raw(IPv6(src=atk["ip6"], dst=vic1["ip6"]) / TCP(
            sport=sport(n1), dport=dport, flags="S") /
            Raw(t1 + b"." * 9 + t2 + b"." * 9))[40:]
        f1 = eth(atk) / ip6(atk, vic1) / IPv6ExtHdrDestOpt() / \
            IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=ident) / \
            Raw(body[:32])
        f2 = eth(atk) / ip6(atk, vic1) / IPv6ExtHdrDestOpt() / \
            IPv6ExtHdrFragment(nh=6, offset=4, m=0, id=ident) / \
            Raw(body[32:])
        P.add(n1, g, "atk", "destination options + fragment + TCP to port "
              "%d: first fragment" % dport, e1, "vic1", bytes(f1), t1)
        P.add(n2, g, "atk", "destination options + fragment + TCP to port "
              "%d: later fragment" % dport, e2, "vic1", bytes(f2), t2)

    # ----------------------------------------------------------- IPv4
    g = "ipv4"
    rr = IPOption(b"\x07\x0b\x04" + b"\0" * 8)
    ts = IPOption(b"\x44\x0c\x05\x00" + b"\0" * 8)
    nop = IPOption(b"\x01")
    for name, opts in (("record route", [rr, nop]), ("timestamp", [ts]),
                       ("record route + timestamp", [rr, nop, ts])):
        for kind in ("tcp-deny", "tcp-allow", "udp-deny", "udp-allow"):
            def build(tok, opts=opts, kind=kind):
                return eth(atk) / ip4(atk, vic1, options=opts) / l4(
                    P.n, kind, tok)
            P.one(g, "atk", "IPv4 %s option + %s to vic1" %
                  (name, l4_name(kind)), l4_expect(kind), "vic1", build)
    for kind in ("tcp-deny", "tcp-allow"):
        P.one(g, "atk", "IPv4 record route + %s to vic2" % l4_name(kind),
              l4_expect(kind), "vic2",
              lambda tok, kind=kind: eth(atk) / ip4(
                  atk, vic2, options=[rr, nop]) / l4(P.n, kind, tok))

    def v4_raw(tok, **kw):
        return eth(atk) / ip4(atk, vic1, **kw) / tcp(P.n, TCP_ALLOW, tok)
    P.one(g, "atk", "IPv4 tot_len larger than the frame", "drop:malformed",
          "vic1", lambda tok: v4_raw(tok, len=1000))
    P.one(g, "atk", "IPv4 ihl 4", "drop:malformed", "vic1",
          lambda tok: v4_raw(tok, ihl=4))
    P.one(g, "atk", "IPv4 ihl 0", "drop:malformed", "vic1",
          lambda tok: v4_raw(tok, ihl=0))
    P.one(g, "atk", "IPv4 tot_len 10, shorter than its header",
          "drop:malformed", "vic1", lambda tok: v4_raw(tok, len=10))
    P.one(g, "atk", "IPv4 ihl 15 beyond tot_len", "drop:malformed", "vic1",
          lambda tok: v4_raw(tok, ihl=15, len=40))
    P.one(g, "atk", "version 6 inside an IPv4 ethertype", "drop:malformed",
          "vic1", lambda tok: eth(atk, typ=0x0800) / ip6(atk, vic1) /
          tcp(P.n, TCP_ALLOW, tok))
    P.one(g, "atk", "version 4 inside an IPv6 ethertype", "drop:malformed",
          "vic1", lambda tok: eth(atk, typ=0x86dd) / ip4(atk, vic1) /
          tcp(P.n, TCP_ALLOW, tok))
    for dport, name in ((TCP_ALLOW, "allowed"), (TCP_DENY, "denied")):
        P.one(g, "atk", "IPv4 tot_len 22 ends in the TCP source port, "
              "destination port (%s %d) in Ethernet padding" % (name, dport),
              "drop:malformed", "vic1",
              lambda tok, dport=dport: eth(atk) / ip4(
                  atk, vic1, len=22, proto=6) / tcp(P.n, dport, tok))
    P.one(g, "atk", "IPv4 UDP tot_len 20, ports (allowed %d) in padding" %
          UDP_ALLOW, "drop:malformed", "vic1",
          lambda tok: eth(atk) / ip4(atk, vic1, len=20, proto=17) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "IPv4 first fragment with no payload (tot_len 20, MF),"
          " ports (allowed %d) in padding" % TCP_ALLOW, "drop:malformed",
          "vic1", lambda tok: eth(atk) / ip4(
              atk, vic1, len=20, proto=6, flags="MF", id=0x4000 + P.n) /
          tcp(P.n, TCP_ALLOW, tok))

    # ----------------------------------------------------- IPv4 fragments
    g = "frag4"

    def frag4_pair(victim, dport, name, e1, e2):
        n1, t1, s1 = P.new()
        n2, t2, _ = P.new()
        ident = 0x5000 + n1
        seg = raw(IP(src=atk["ip4"], dst=victim["ip4"]) / TCP(
            sport=sport(n1), dport=dport, flags="S",
            seq=int.from_bytes(s1, "big")) / Raw(t2 + b"." * 9))[20:]
        f1 = eth(atk) / ip4(atk, victim, proto=6, id=ident, flags="MF",
                            frag=0) / Raw(seg[:8])
        f2 = eth(atk) / ip4(atk, victim, proto=6, id=ident, frag=1) / \
            Raw(seg[8:])
        P.add(n1, g, "atk", name + ": first fragment", e1, victim["name"],
              bytes(f1), s1)
        P.add(n2, g, "atk", name + ": later fragment", e2, victim["name"],
              bytes(f2), t2)

    for victim in (vic1, vic2, peer):
        frag4_pair(victim, TCP_DENY, "IPv4 tiny fragments (8 bytes) TCP to "
                   "denied port %d to %s" % (TCP_DENY, victim["name"]),
                   "drop:acl", "drop:*")
        frag4_pair(victim, TCP_ALLOW, "IPv4 tiny fragments TCP to allowed "
                   "port %d to %s" % (TCP_ALLOW, victim["name"]),
                   "deliver", "deliver")
    n1, t1, _ = P.new()
    n2, t2, _ = P.new()
    n3, t3, _ = P.new()
    ident = 0x5800 + n1
    ok = raw(IP(src=atk["ip4"], dst=vic1["ip4"]) / TCP(
        sport=sport(n1), dport=TCP_ALLOW, flags="S") / Raw(t1 + b"." * 5))[20:]
    bad = raw(IP(src=atk["ip4"], dst=vic1["ip4"]) / TCP(
        sport=sport(n1), dport=TCP_DENY, flags="S") / Raw(t2 + b"." * 5))[20:]
    for num, tok, seg, exp, what in (
            (n1, t1, ok, "deliver", "first fragment, allowed port %d" %
             TCP_ALLOW),
            (n2, t2, bad, "drop:acl", "overlapping first fragment rewriting "
             "the port to denied %d" % TCP_DENY)):
        f = eth(atk) / ip4(atk, vic1, proto=6, id=ident, flags="MF",
                           frag=0) / Raw(seg[:32])
        P.add(num, g, "atk", "IPv4 overlap: " + what, exp, "vic1", bytes(f),
              tok)
    f = eth(atk) / ip4(atk, vic1, proto=6, id=ident, frag=4) / Raw(
        t3 + b"." * 9)
    P.add(n3, g, "atk", "IPv4 overlap: last fragment (follows the allowed "
          "first)", "deliver", "vic1", bytes(f), t3)
    n1, t1, _ = P.new()
    f = eth(atk) / ip4(atk, vic1, proto=6, id=0x5900 + n1, frag=2) / Raw(
        t1 + b"." * 9)
    P.add(n1, g, "atk", "IPv4 later fragment without a first one", "drop:*",
          "vic1", bytes(f), t1)

    # ------------------------------------------------------- Layer 2
    g = "l2"
    u4 = lambda tok: ip4(atk, vic1) / udp(P.n, UDP_ALLOW, tok)
    P.one(g, "atk", "VLAN 0 (priority tag)", "drop:vlan", "vic1",
          lambda tok: eth(atk) / Dot1Q(vlan=0, prio=5) / u4(tok))
    P.one(g, "atk", "802.1Q VLAN 5", "drop:vlan", "vic1",
          lambda tok: eth(atk) / Dot1Q(vlan=5) / u4(tok))
    P.one(g, "atk", "802.1Q VLAN 5, IPv6 inside", "drop:vlan", "vic1",
          lambda tok: eth(atk) / Dot1Q(vlan=5) / ip6(atk, vic1) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "802.1ad QinQ (outer 5, inner 6)", "drop:vlan", "vic1",
          lambda tok: eth(atk, typ=0x88a8) / Dot1AD(vlan=5) /
          Dot1Q(vlan=6) / u4(tok))
    P.one(g, "atk", "802.1Q with ARP inside", "drop:vlan", "vic1",
          lambda tok: eth(atk, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=0) /
          ARP(op=1, hwsrc=atk["mac"], psrc=atk["ip4"], pdst=vic1["ip4"]) /
          Raw(tok))
    P.one(g, "atk", "LLC/SNAP carrying IPv4", "drop:protocol", "vic1",
          lambda tok: Dot3(src=atk["mac"], dst=rmac) /
          LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(OUI=0, code=0x0800) /
          u4(tok))
    P.one(g, "atk", "802.3 LLC (STP addresses)", "drop:protocol", "vic1",
          lambda tok: Dot3(src=atk["mac"], dst="01:80:c2:00:00:00") /
          LLC(dsap=0x42, ssap=0x42, ctrl=3) / Raw(tok))
    P.one(g, "atk", "ethertype 0x88b5 (local experimental)",
          "drop:protocol", "vic1",
          lambda tok: eth(atk, typ=0x88b5) / Raw(tok))
    P.one(g, "atk", "spoofed source MAC (vic1's) IPv4", "drop:spoofed-mac",
          "vic2", lambda tok: eth(atk, src=vic1["mac"]) / ip4(atk, vic2) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "spoofed source MAC (router's) IPv6",
          "drop:spoofed-mac", "vic2",
          lambda tok: eth(atk, src=rmac) / ip6(atk, vic2) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "multicast source MAC", "drop:spoofed-mac", "vic2",
          lambda tok: eth(atk, src="01:00:5e:00:00:01") / ip4(atk, vic2) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atkf", "spoofed source MAC from a forwarding port",
          "drop:spoofed-mac", "vic2",
          lambda tok: eth(atkf, src=vic1["mac"]) / ip4(atkf, vic2) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "spoofed source IPv4 (vic1's)", "drop:spoofed-ip",
          "vic2", lambda tok: eth(atk) / ip4(atk, vic2, src=vic1["ip4"]) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "spoofed source IPv6 (vic1's)", "drop:spoofed-ip",
          "vic2", lambda tok: eth(atk) / ip6(atk, vic2, src=vic1["ip6"]) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "spoofed source IPv4 of another vnet",
          "drop:spoofed-ip", "vic2",
          lambda tok: eth(atk) / ip4(atk, vic2, src=iso["ip4"]) /
          udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "spoofed source IPv6 behind hop-by-hop",
          "drop:spoofed-ip", "vic2",
          lambda tok: eth(atk) / ip6(atk, vic2, src=vic1["ip6"]) /
          IPv6ExtHdrHopByHop() / udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "spoofed source IPv4 in a later fragment",
          "drop:spoofed-ip", "vic2",
          lambda tok: eth(atk) / ip4(atk, vic2, src=vic1["ip4"], proto=17,
                                     id=0x3000 + P.n, frag=3) / Raw(tok))
    P.one(g, "atk", "IPv4 to the broadcast address", "drop:broadcast",
          "vic1", lambda tok: eth(atk, dst="ff:ff:ff:ff:ff:ff") /
          ip4(atk, "10.1.1.255") / udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "IPv6 to all nodes", "drop:broadcast", "vic1",
          lambda tok: eth(atk, dst="33:33:00:00:00:01") /
          ip6(atk, "ff02::1") / udp(P.n, UDP_ALLOW, tok))
    P.one(g, "atk", "IPv6 unicast to vic1 in a broadcast frame",
          "drop:broadcast", "vic1",
          lambda tok: eth(atk, dst="ff:ff:ff:ff:ff:ff") / ip6(atk, vic1) /
          udp(P.n, UDP_ALLOW, tok))

    # --------------------------------------------------- ARP and ND
    g = "nd"
    gw4, gw6 = c["gw4"], c["gw6"]
    bc = "ff:ff:ff:ff:ff:ff"
    P.one(g, "atk", "ARP reply to vic1: router address %s is at the "
          "attacker" % gw4, "drop:arp-ignored", "vic1",
          lambda tok: eth(atk, dst=vic1["mac"], typ=0x0806) /
          ARP(op=2, hwsrc=atk["mac"], psrc=gw4, hwdst=vic1["mac"],
              pdst=vic1["ip4"]) / Raw(tok))
    P.one(g, "atk", "broadcast ARP reply claiming atkf's address",
          "drop:arp-ignored", "vic1",
          lambda tok: eth(atk, dst=bc, typ=0x0806) /
          ARP(op=2, hwsrc=atk["mac"], psrc=atkf["ip4"], hwdst=bc,
              pdst=atkf["ip4"]) / Raw(tok))
    P.one(g, "atk", "gratuitous ARP request claiming atkf's address",
          "drop:arp-ignored", "vic1",
          lambda tok: eth(atk, dst=bc, typ=0x0806) /
          ARP(op=1, hwsrc=atk["mac"], psrc=atkf["ip4"], hwdst="00:00:00:00:00:00",
              pdst=atkf["ip4"]) / Raw(tok))
    P.one(g, "atk", "ARP request with the router address as sender",
          "drop:spoofed-ip", "vic1",
          lambda tok: eth(atk, dst=bc, typ=0x0806) /
          ARP(op=1, hwsrc=atk["mac"], psrc=gw4, pdst=vic1["ip4"]) /
          Raw(tok))
    P.one(g, "atk", "ARP request with vic1's MAC as sender hardware "
          "address", "drop:spoofed-mac", "vic1",
          lambda tok: eth(atk, dst=bc, typ=0x0806) /
          ARP(op=1, hwsrc=vic1["mac"], psrc=atk["ip4"], pdst=vic1["ip4"]) /
          Raw(tok))
    P.one(g, "atkf", "ARP reply from a forwarding port: router address "
          "is at atkf", "drop:arp-ignored", "vic1",
          lambda tok: eth(atkf, dst=vic1["mac"], typ=0x0806) /
          ARP(op=2, hwsrc=atkf["mac"], psrc=gw4, hwdst=vic1["mac"],
              pdst=vic1["ip4"]) / Raw(tok))

    def na(s, dst, dmac, target, tok, hdrs=(), src=None):
        p = eth(s, dst=dmac) / ip6(s, dst, src=src or s["ip6"], hlim=255)
        for h in hdrs:
            p = p / h
        return p / ICMPv6ND_NA(tgt=target, R=0, S=0, O=1) / \
            ICMPv6NDOptDstLLAddr(lladdr=s["mac"]) / tokopt(tok)
    P.one(g, "atk", "unsolicited NA to all nodes: router %s is at the "
          "attacker" % gw6, "drop:nd-ignored", "vic1",
          lambda tok: na(atk, "ff02::1", "33:33:00:00:00:01", gw6, tok))
    P.one(g, "atk", "NA to vic1: router is at the attacker",
          "drop:nd-ignored", "vic1",
          lambda tok: na(atk, vic1, rmac, gw6, tok))
    P.one(g, "atk", "NA to vic1 from the attacker's link-local address",
          "drop:nd-ignored", "vic1",
          lambda tok: na(atk, vic1, rmac, gw6, tok, src=atk["ll6"]))
    P.one(g, "atk", "hop-by-hop + NA to vic1: router is at the attacker",
          "drop:nd-exthdr", "vic1",
          lambda tok: na(atk, vic1, rmac, gw6, tok,
                         hdrs=[IPv6ExtHdrHopByHop()]))
    P.one(g, "atk", "destination options + NA to vic1: atkf is at the "
          "attacker", "drop:nd-exthdr", "vic1",
          lambda tok: na(atk, vic1, rmac, atkf["ip6"], tok,
                         hdrs=[IPv6ExtHdrDestOpt()]))
    P.one(g, "atk", "atomic fragment + NA to vic1", "drop:nd-exthdr",
          "vic1", lambda tok: na(atk, vic1, rmac, gw6, tok, hdrs=[
              IPv6ExtHdrFragment(offset=0, m=0, id=0x7f000 + P.n)]))
    P.one(g, "atkf", "hop-by-hop + NA to vic1 from a forwarding port "
          "(link-local source)", "drop:nd-exthdr", "vic1",
          lambda tok: na(atkf, vic1, rmac, gw6, tok, src=atkf["ll6"],
                         hdrs=[IPv6ExtHdrHopByHop()]))

    def ns(s, dst, dmac, target, tok, hdrs=()):
        p = eth(s, dst=dmac) / ip6(s, dst, hlim=255)
        for h in hdrs:
            p = p / h
        return p / ICMPv6ND_NS(tgt=target) / \
            ICMPv6NDOptSrcLLAddr(lladdr=s["mac"]) / tokopt(tok)
    a6 = socket.inet_pton(socket.AF_INET6, vic1["ip6"])
    sn = socket.inet_ntop(socket.AF_INET6, in6_getnsma(a6))
    snmac = in6_getnsmac(in6_getnsma(a6))
    for name, hdrs in (("hop-by-hop", lambda: [IPv6ExtHdrHopByHop()]),
                       ("destination options",
                        lambda: [IPv6ExtHdrDestOpt()])):
        P.one(g, "atk", "%s + NS to vic1 (unicast)" % name,
              "drop:nd-exthdr", "vic1",
              lambda tok, hdrs=hdrs: ns(atk, vic1, rmac, vic1["ip6"], tok,
                                        hdrs()))
        P.one(g, "atk", "%s + NS to vic1's solicited-node group" % name,
              "drop:nd-exthdr", "vic1",
              lambda tok, hdrs=hdrs: ns(atk, sn, snmac,
                                        vic1["ip6"], tok, hdrs()))
        # The module answers NS for any address: one nobody has shows
        # whether it answered (test_attack.sh looks for the NA).
        num, tok, _ = P.new()
        probe = c["probe6"] % num
        P.add(num, g, "atk", "%s + NS to the router for %s" % (name, probe),
              "drop:nd-exthdr", "vic1",
              bytes(ns(atk, gw6, rmac, probe, tok, hdrs())), tok)
        P.items[-1]["extra"] = "probe=" + probe

    # Redirects and router solicitations: dropped plain, and behind an
    # extension header too (ND is ND wherever it sits).
    def redirect(s, tok, hdrs=(), src=None):
        p = eth(s) / ip6(s, vic1, src=src or s["ll6"], hlim=255)
        for h in hdrs:
            p = p / h
        return p / ICMPv6ND_Redirect(tgt=s["ll6"], dst=vic2["ip6"]) / \
            ICMPv6NDOptDstLLAddr(lladdr=s["mac"]) / tokopt(tok)
    P.one(g, "atkf", "redirect to vic1 (vic2 is via atkf)", "drop:nd-ignored",
          "vic1", lambda tok: redirect(atkf, tok))
    P.one(g, "atkf", "hop-by-hop + redirect to vic1 (vic2 is via atkf)",
          "drop:nd-exthdr", "vic1",
          lambda tok: redirect(atkf, tok, [IPv6ExtHdrHopByHop()]))
    P.one(g, "atk", "hop-by-hop + router solicitation to vic1",
          "drop:nd-exthdr", "vic1",
          lambda tok: eth(atk) / ip6(atk, vic1, hlim=255) /
          IPv6ExtHdrHopByHop() / ICMPv6ND_RS() /
          ICMPv6NDOptSrcLLAddr(lladdr=atk["mac"]) / tokopt(tok))

    # ---------------------------------------------- router advertisements
    g = "ra"

    def ra(s, dst, dmac, tok, hdrs=(), src=None):
        p = eth(s, dst=dmac) / ip6(s, dst, src=src or s["ll6"], hlim=255)
        for h in hdrs:
            p = p / h
        return p / ICMPv6ND_RA(routerlifetime=1800, prf=1) / \
            ICMPv6NDOptPrefixInfo(prefix=RA_PREFIX, prefixlen=64, L=1, A=1,
                                  validlifetime=7200,
                                  preferredlifetime=3600) / \
            ICMPv6NDOptSrcLLAddr(lladdr=s["mac"]) / tokopt(tok)

    for sname in ("atk", "atkf"):
        s = vm(c, sname)
        fw = "forwarding port" if sname == "atkf" else "port"
        P.one(g, sname, "RA to all nodes from a %s" % fw,
              "drop:router-advertisement", "vic1",
              lambda tok, s=s: ra(s, "ff02::1", "33:33:00:00:00:01", tok))
        P.one(g, sname, "RA to vic1 (unicast) from a %s" % fw,
              "drop:router-advertisement", "vic1",
              lambda tok, s=s: ra(s, vic1, rmac, tok))
        for name, hdrs in (
                ("hop-by-hop", lambda: [IPv6ExtHdrHopByHop()]),
                ("destination options", lambda: [IPv6ExtHdrDestOpt()]),
                ("atomic fragment", lambda: [IPv6ExtHdrFragment(
                    offset=0, m=0, id=0x7e000 + P.n)]),
                ("hop-by-hop + destination options", lambda: [
                    IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt()])):
            P.one(g, sname, "%s + RA to all nodes from a %s" % (name, fw),
                  "drop:nd-exthdr", "vic1",
                  lambda tok, s=s, hdrs=hdrs: ra(
                      s, "ff02::1", "33:33:00:00:00:01", tok, hdrs()))
            P.one(g, sname, "%s + RA to vic1 (unicast) from a %s" %
                  (name, fw), "drop:nd-exthdr", "vic1",
                  lambda tok, s=s, hdrs=hdrs: ra(s, vic1, rmac, tok, hdrs()))
        P.one(g, sname, "hop-by-hop + RA to vic2 (unicast, global source) "
              "from a %s" % fw, "drop:nd-exthdr", "vic2",
              lambda tok, s=s: ra(s, vic2, rmac, tok,
                                  [IPv6ExtHdrHopByHop()], src=s["ip6"]))
        # Fragmented: the RA split in two.
        n1, t1, _ = P.new()
        n2, t2, _ = P.new()
        ident = 0x7d000 + n1
        body = raw(IPv6(src=s["ll6"], dst=vic1["ip6"], hlim=255) /
                   ICMPv6ND_RA(routerlifetime=1800) / tokopt(t1) /
                   ICMPv6NDOptPrefixInfo(
                       prefix=RA_PREFIX, prefixlen=64, L=1, A=1,
                       validlifetime=7200, preferredlifetime=3600) /
                   tokopt(t2))[40:]
        for num, tok, off, part, m, exp in (
                (n1, t1, 0, body[:48], 1, "drop:nd-exthdr"),
                (n2, t2, 6, body[48:], 0, "drop:*")):
            f = eth(s) / IPv6(src=s["ll6"], dst=vic1["ip6"], hlim=255) / \
                IPv6ExtHdrFragment(nh=58, offset=off, m=m, id=ident) / \
                Raw(part)
            P.add(num, g, sname, "fragmented RA to vic1 from a %s: %s" %
                  (fw, "first fragment" if m else "later fragment"), exp,
                  "vic1", bytes(f), tok)

    # The positive control: the same kind of RA (behind hop-by-hop) on a
    # plain veth pair outside vnet, which the receiver must take.
    r = c.get("ractl")
    if r:
        P.control = bytes(
            Ether(src=r["mac"], dst=r["dmac"]) /
            IPv6(src=r["ll6"], dst=r["dst6"], hlim=255) /
            IPv6ExtHdrHopByHop() / ICMPv6ND_RA(routerlifetime=1800) /
            ICMPv6NDOptPrefixInfo(prefix=RA_PREFIX, prefixlen=64, L=1, A=1,
                                  validlifetime=7200,
                                  preferredlifetime=3600) /
            ICMPv6NDOptSrcLLAddr(lladdr=r["mac"]))

    # --------------------------------------------------------- DHCP
    g = "dhcp"
    boot = lambda tok: Raw(b"\x02\x01\x06\x00" + tok.ljust(236, b"\0") +
                           b"\x63\x82\x53\x63\x35\x01\x02\xff")
    for sname, s in (("atk", atk), ("atkf", atkf)):
        fw = " from a forwarding port" if sname == "atkf" else ""
        P.one(g, sname, "DHCPv4 offer 67->68 to vic1 (unicast)" + fw,
              "drop:dhcp-server", "vic1",
              lambda tok, s=s: eth(s) / ip4(s, vic1) /
              UDP(sport=67, dport=68) / boot(tok))
        P.one(g, sname, "DHCPv4 offer 67->68 broadcast" + fw,
              "drop:dhcp-server", "vic1",
              lambda tok, s=s: eth(s, dst=bc) / ip4(s, "255.255.255.255") /
              UDP(sport=67, dport=68) / boot(tok))
        P.one(g, sname, "DHCPv4 offer from port 1067 to 68 (unicast)" + fw,
              "drop:dhcp-server", "vic1",
              lambda tok, s=s: eth(s) / ip4(s, vic1) /
              UDP(sport=1067, dport=68) / boot(tok))
        P.one(g, sname, "DHCPv4 offer from port 1067 to 68 (broadcast)" + fw,
              "drop:dhcp-server", "vic1",
              lambda tok, s=s: eth(s, dst=bc) / ip4(s, "255.255.255.255") /
              UDP(sport=1067, dport=68) / boot(tok))
    P.one(g, "atk", "DHCPv4 offer 67->68 behind IP options",
          "drop:dhcp-server", "vic1",
          lambda tok: eth(atk) / ip4(atk, vic1, options=[rr, nop]) /
          UDP(sport=67, dport=68) / boot(tok))
    P.one(g, "atkf", "DHCPv4 offer 67->68 from the router's address "
          "(forwarding port)", "drop:dhcp-server", "vic1",
          lambda tok: eth(atkf) / ip4(atkf, vic1, src=gw4) /
          UDP(sport=67, dport=68) / boot(tok))
    n1, t1, _ = P.new()
    n2, t2, _ = P.new()
    d = raw(IP(src=atk["ip4"], dst=vic1["ip4"]) / UDP(sport=1067, dport=68) /
            boot(t1) / Raw(t2))[20:]
    for num, tok, off, part, flags, exp in (
            (n1, t1, 0, d[:256], "MF", "drop:dhcp-server"),
            (n2, t2, 32, d[256:], 0, "drop:*")):
        f = eth(atk) / ip4(atk, vic1, proto=17, id=0x6000 + n1, flags=flags,
                           frag=off) / Raw(part)
        P.add(num, g, "atk", "fragmented DHCPv4 1067->68: " +
              ("first fragment" if flags else "later fragment"), exp, "vic1",
              bytes(f), tok)

    dh6 = lambda tok: Raw(b"\x07\x00\x00\x01" + tok)	# Reply
    for sname, s in (("atk", atk), ("atkf", atkf)):
        fw = " from a forwarding port" if sname == "atkf" else ""
        P.one(g, sname, "DHCPv6 reply 547->546 link-local to link-local" + fw,
              "drop:dhcp-server", "vic1",
              lambda tok, s=s: eth(s, dst=rmac) / ip6(
                  s, vic1["ll6"], src=s["ll6"]) /
              UDP(sport=547, dport=546) / dh6(tok))
        P.one(g, sname, "DHCPv6 reply 547->546 to vic1 (global)" + fw,
              "drop:dhcp-server", "vic1",
              lambda tok, s=s: eth(s) / ip6(s, vic1) /
              UDP(sport=547, dport=546) / dh6(tok))
        P.one(g, sname, "DHCPv6 reply from port 1547 to 546" + fw,
              "drop:dhcp-server", "vic1",
              lambda tok, s=s: eth(s) / ip6(s, vic1) /
              UDP(sport=1547, dport=546) / dh6(tok))
        for name, hdrs, sp in (
                ("hop-by-hop", lambda: [IPv6ExtHdrHopByHop()], 547),
                ("destination options", lambda: [IPv6ExtHdrDestOpt()], 547),
                ("atomic fragment", lambda: [IPv6ExtHdrFragment(
                    offset=0, m=0, id=0x7c000 + P.n)], 547),
                ("routing header type 2", rh2, 547),
                ("hop-by-hop, from port 1547", lambda: [
                    IPv6ExtHdrHopByHop()], 1547)):
            def build(tok, s=s, hdrs=hdrs, sp=sp):
                p = eth(s) / ip6(s, vic1)
                for h in hdrs():
                    p = p / h
                return p / UDP(sport=sp, dport=546) / dh6(tok)
            P.one(g, sname, "%s + DHCPv6 reply to 546%s" % (name, fw),
                  "drop:dhcp-server", "vic1", build)
    n1, t1, _ = P.new()
    n2, t2, _ = P.new()
    d = raw(IPv6(src=atk["ip6"], dst=vic1["ip6"]) / UDP(sport=547, dport=546)
            / dh6(t1 + b"." * 40) / Raw(t2))[40:]
    for num, tok, off, part, m, exp in (
            (n1, t1, 0, d[:40], 1, "drop:dhcp-server"),
            (n2, t2, 5, d[40:], 0, "drop:*")):
        f = eth(atk) / ip6(atk, vic1) / IPv6ExtHdrFragment(
            nh=17, offset=off, m=m, id=0x7b000 + n1) / Raw(part)
        P.add(num, g, "atk", "fragmented DHCPv6 reply 547->546: " +
              ("first fragment" if m else "later fragment"), exp, "vic1",
              bytes(f), tok)

    # ------------------------------------------------ the host's addresses
    g = "host"
    h = c["host"]
    for sname, s in (("atk", atk), ("atkf", atkf)):
        # To the host side of the sender's own port: its MAC.
        def to_host(tok, s=s, dst=None, dmac=None, l4p=None, six=False,
                    src=None):
            dmac = dmac or s["hostmac"]
            if six:
                p = eth(s, dst=dmac) / ip6(s, dst, src=src or s["ip6"])
            else:
                p = eth(s, dst=dmac) / ip4(s, dst, src=src or s["ip4"])
            return p / (l4p(tok) if l4p else (
                ICMPv6EchoRequest(id=P.n, data=tok) if six else
                ICMP(id=P.n) / Raw(tok)))
        syn = lambda tok: TCP(sport=sport(P.n), dport=22, flags="S") / Raw(tok)
        dns = lambda tok: UDP(sport=sport(P.n), dport=53) / Raw(tok)
        for what, kw, exp in (
                ("ping to the host port's IPv4 %s" % h["ip4"],
                 dict(dst=h["ip4"]), "drop:no-port"),
                ("TCP 22 to the host port's IPv4", dict(dst=h["ip4"], l4p=syn),
                 "drop:no-port"),
                ("UDP 53 to the host port's IPv4", dict(dst=h["ip4"], l4p=dns),
                 "drop:no-port"),
                ("ping to the host port's IPv6 %s" % h["ip6"],
                 dict(dst=h["ip6"], six=True), "drop:no-port"),
                ("TCP 22 to the host port's IPv6", dict(
                    dst=h["ip6"], six=True, l4p=syn), "drop:no-port"),
                ("ping to the router address %s" % gw4,
                 dict(dst=gw4, dmac=rmac), "drop:no-port"),
                ("ping to the router address %s" % gw6,
                 dict(dst=gw6, dmac=rmac, six=True), "drop:no-port"),
                ("ping to the host's loopback address %s" % h["lo4"],
                 dict(dst=h["lo4"]), "drop:no-route"),
                ("UDP to the host's loopback address %s" % h["lo6"],
                 dict(dst=h["lo6"], six=True, l4p=dns), "drop:no-route"),
                ("ping to 127.0.0.1", dict(dst="127.0.0.1"), "drop:no-route"),
                ("ping to the host port's link-local %s" % s["hostll6"],
                 dict(dst=s["hostll6"], six=True, src=s["ll6"]),
                 "drop:spoofed-ip|no-route"),
                ("ping to the subnet broadcast 10.1.1.255",
                 dict(dst="10.1.1.255", dmac="ff:ff:ff:ff:ff:ff"),
                 "drop:broadcast"),
                ("DHCPv4 discover to 255.255.255.255:67",
                 dict(dst="255.255.255.255", dmac="ff:ff:ff:ff:ff:ff",
                      src="0.0.0.0", l4p=lambda tok: UDP(
                          sport=68, dport=67) / Raw(tok)), "drop:broadcast"),
                ("hop-by-hop + ping to the host port's IPv6", dict(
                    dst=h["ip6"], six=True, l4p=lambda tok:
                    IPv6ExtHdrHopByHop() / ICMPv6EchoRequest(
                        id=P.n, data=tok)), "drop:no-port")):
            if sname == "atkf" and "link-local" in what:
                exp = "drop:no-route"
            P.one(g, sname, what + (" from a forwarding port"
                                    if sname == "atkf" else ""), exp, "-",
                  lambda tok, kw=kw, to_host=to_host: to_host(tok, **kw))
    P.one(g, "atkf", "ping from the host's own IPv4 to itself (forwarding "
          "port)", "drop:no-port", "-",
          lambda tok: eth(atkf, dst=atkf["hostmac"]) / ip4(atkf, h["ip4"],
                                                src=h["ip4"]) /
          ICMP(id=P.n) / Raw(tok))
    return P


# ------------------------------------------------------------- sockets
def sockopt_items(c, P):
    """Real TCP connections and UDP datagrams with IPv6 extension headers
    set through the socket API, from atk to vic1."""
    g = "sockopt"
    opt8 = b"\x00\x00\x01\x04\x00\x00\x00\x00"	# PadN: an empty header
    for name, opt in (("IPV6_DSTOPTS", socket.IPV6_DSTOPTS),
                      ("IPV6_HOPOPTS", socket.IPV6_HOPOPTS)):
        for port, exp in ((TCP_ALLOW, "connect"), (TCP_DENY, "noconnect")):
            num, tok, _ = P.new()
            P.add(num, g, "atk", "TCP connect with %s to %s port %d" %
                  (name, "allowed" if exp == "connect" else "denied", port),
                  exp, "vic1", (opt, opt8, port), tok, kind="connect")
        for port, exp in ((UDP_ALLOW, "deliver"), (UDP_DENY, "drop:acl")):
            num, tok, _ = P.new()
            P.add(num, g, "atk", "UDP datagram with %s to %s port %d" %
                  (name, "allowed" if exp == "deliver" else "denied", port),
                  exp, "vic1", (opt, opt8, port), tok, kind="udp")


def serve(ports):
    """TCP listeners (dual stack) that accept and read until EOF."""
    ls = []
    for p in ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p))
        s.listen(64)
        ls.append(s)
    conns = []
    while True:
        r, _, _ = select.select(ls + conns, [], [])
        for s in r:
            if s in ls:
                conns.append(s.accept()[0])
            else:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    conns.remove(s)
                    s.close()


# ---------------------------------------------------------------- counters
REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def c_enum(text, name):
    """The values of enum NAME in C source TEXT."""
    m = re.search(r"enum\s+%s\s*\{(.*?)\}" % name, text, re.S)
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    vals, n = {}, 0
    for part in body.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" in part:
            part, v = (x.strip() for x in part.split("="))
            n = int(v, 0)
        vals[part] = n
        n += 1
    return vals


class Stats:
    """The ports' counters (VNET_CMD_STATS_GET dump) over generic netlink
    in the controller's namespace: no process per read."""

    def __init__(self, ctl):
        hdr = open(os.path.join(REPO, "include/uapi/linux/vnet.h")).read()
        msg = open(os.path.join(REPO, "userspace/msg.c")).read()
        self.cmd = c_enum(hdr, "vnet_cmd")["VNET_CMD_STATS_GET"]
        a = c_enum(hdr, "vnet_attr")
        self.a_ifname, self.a_stats = a["VNET_A_IFNAME"], a["VNET_A_STATS"]
        st = c_enum(hdr, "vnet_stats_attr")
        self.s_rx, self.s_tx = st["VNET_STATS_A_RX_PACKETS"], \
            st["VNET_STATS_A_TX_PACKETS"]
        self.s_drops = st["VNET_STATS_A_DROPS"]
        drop = c_enum(hdr, "vnet_drop_reason")
        names = dict(re.findall(r'\[(VNET_DROP_\w+)\]\s*=\s*"([\w-]+)"',
                                msg))
        self.reason = {v: names.get(k, "reason-%d" % v)
                       for k, v in drop.items()}
        setns(ctl)
        self.genl = nlraw.Genl()
        setns(None)
        self.family = self.genl.family("vnet")

    def read(self):
        ports = {}
        err, text, replies = self.genl.request(self.family, self.cmd, b"",
                                               nlraw.NLM_F_REQUEST |
                                               nlraw.NLM_F_DUMP)
        if err:
            raise OSError(err, "vnet netlink: " + (text or os.strerror(err)))
        for m in replies:
            dev = m[self.a_ifname].rstrip(b"\0").decode()
            st = nlraw.parse_attrs(m.get(self.a_stats, b""))
            u64 = lambda b: struct.unpack("=Q", b[:8])[0] if b else 0
            # attribute type = enum vnet_drop_reason + 1 (vnet.h)
            drops = {self.reason.get(t - 1, "reason-%d" % (t - 1)): u64(v)
                     for t, v in nlraw.parse_attrs(st.get(self.s_drops,
                                                   b"")).items()}
            ports[dev] = {"rx-packets": u64(st.get(self.s_rx)),
                          "tx-packets": u64(st.get(self.s_tx)),
                          "drops": drops}
        return ports


class VnetctlStats:
    """The same through vnetctl, if the netlink reader cannot start."""

    def __init__(self, ctl):
        self.ctl = ctl

    def read(self):
        out = subprocess.run(["vnetctl", "-n", self.ctl, "-j", "stats"],
                             check=True, capture_output=True,
                             text=True).stdout
        return {p["dev"]: p for p in json.loads(out)}


def deltas(before, after, sender):
    drops = {}
    a, b = after.get(sender, {}), before.get(sender, {})
    for r, n in a.get("drops", {}).items():
        d = n - b.get("drops", {}).get(r, 0)
        if d:
            drops[r] = d
    tx = {}
    for dev, p in after.items():
        if dev == sender:
            continue
        d = p.get("tx-packets", 0) - before.get(dev, {}).get("tx-packets", 0)
        if d:
            tx[dev] = d
    rx = a.get("rx-packets", 0) - b.get("rx-packets", 0)
    return drops, tx, rx


def fmt(d):
    return ",".join("%s=%d" % kv for kv in sorted(d.items())) or "-"


# ---------------------------------------------------------------- captures
TOKEN = re.compile(rb"@T\d{4}@|~\d{3}|@C[a-z0-9]+-\d+@")
class Captures(capture.Capture):
    """A capture on every VM's eth0 and on every port's host side,
    recording which tokens each saw, and the target of every neighbour
    advertisement (as "NA:addr")."""

    def __init__(self, c):
        points = []
        for name, v in c["vms"].items():
            points += [(name, v["ns"], "eth0"), ("h-" + name, c["ctl"], v["dev"])]
        super().__init__(points)
        self.seen = {cap: set() for cap in self.socks.values()}
        self.frames = 0
        self.start()

    def note(self, cap, f, addr, anc):
        toks = set(m.decode() for m in TOKEN.findall(f))
        if len(f) >= 78 and f[12:14] == b"\x86\xdd" and f[20] == 58 and \
                f[54] == 136:
            toks.add("NA:" + socket.inet_ntop(socket.AF_INET6, f[62:78]))
        with self.lock:
            self.frames += 1
            self.seen[cap] |= toks

    def has(self, cap, tok):
        with self.lock:
            return tok in self.seen[cap]


def barrier(c, caps, rnd, timeout=60):
    """A control frame from each VM, sent again every 0.3 s until both of
    its captures have it. Returns the VMs still missing one."""
    socks = {}
    for name, v in c["vms"].items():
        setns(v["ns"])
        socks[name] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        setns(None)
    pending = set(c["vms"])
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            tok = "@C%s-%d@" % (name, rnd)
            if caps.has(name, tok) and caps.has("h-" + name, tok):
                pending.discard(name)
                continue
            gw = c["vms"][name]["ip4"].rsplit(".", 1)[0] + ".1"
            try:
                socks[name].sendto(tok.encode(), (gw, 9))
            except OSError:
                pass
        if pending:
            time.sleep(0.3)
    for s in socks.values():
        s.close()
    return sorted(pending)


# ------------------------------------------------------------ inspection
def proc_net(ns, name):
    """/proc/net/NAME of namespace ns (this thread enters it to read)."""
    setns(ns)
    try:
        with open("/proc/thread-self/net/" + name) as f:
            return f.read()
    finally:
        setns(None)


def hwaddr(ns, dev):
    s = socket_in(ns, socket.AF_INET, socket.SOCK_DGRAM)
    try:
        r = fcntl.ioctl(s, 0x8927, struct.pack("16s16x", dev.encode()))
    finally:
        s.close()
    return ":".join("%02x" % b for b in r[18:24])


def linklocal(ns, dev):
    for line in proc_net(ns, "if_inet6").splitlines():
        f = line.split()
        if f[5] == dev and f[0].startswith("fe80"):
            return socket.inet_ntop(socket.AF_INET6, bytes.fromhex(f[0]))
    return None


def neighbours(ns):
    """(address, lladdr) of every dynamic neighbour entry, over rtnetlink:
    RTM_GETNEIGH dump, ndmsg, NDA_DST 1, NDA_LLADDR 2."""
    s = socket_in(ns, socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    s.send(struct.pack("=IHHII", 28, 30, 0x301, 1, 0) + b"\0" * 12)
    out = []
    try:
        while True:
            data = s.recv(1 << 16)
            while data:
                mlen, mtype = struct.unpack("=IH", data[:6])
                pl, data = data[16:mlen], data[(mlen + 3) & ~3:]
                if mtype in (2, 3):			# error, done
                    return out
                fam, _, _, _, state, _, _ = struct.unpack("=BBHiHBB", pl[:12])
                if state & 0xc0:			# NOARP, PERMANENT
                    continue
                at = nlraw.parse_attrs(pl[12:])
                if 1 not in at:
                    continue
                addr = socket.inet_ntop(fam, at[1])
                ll = ":".join("%02x" % b for b in at[2]) if 2 in at else None
                out.append((addr, ll))
    finally:
        s.close()


def ra_learned(ns):
    """What an RA left: SLAAC addresses in the RA prefix, routes with
    RTF_ADDRCONF (from a router advertisement)."""
    got = []
    pfx = socket.inet_pton(socket.AF_INET6, RA_PREFIX).hex()[:16]
    for line in proc_net(ns, "if_inet6").splitlines():
        if line.startswith(pfx):
            got.append("address " + socket.inet_ntop(
                socket.AF_INET6, bytes.fromhex(line.split()[0])))
    for line in proc_net(ns, "ipv6_route").splitlines():
        f = line.split()
        if int(f[8], 16) & 0x40000:
            got.append("route %s/%d via %s" % (
                socket.inet_ntop(socket.AF_INET6, bytes.fromhex(f[0])),
                int(f[1], 16),
                socket.inet_ntop(socket.AF_INET6, bytes.fromhex(f[4]))))
    return got


def host_in(ns):
    """The namespace's IP and IPv6 input counters (nstat's IpIn*,
    Ip6In*, IpExtIn*), summed."""
    total = 0
    snmp = proc_net(ns, "snmp").splitlines() + \
        proc_net(ns, "netstat").splitlines()
    for i in range(0, len(snmp) - 1, 2):
        names, vals = snmp[i].split(), snmp[i + 1].split()
        if names[0] in ("Ip:", "IpExt:"):
            total += sum(int(v) for n, v in zip(names[1:], vals[1:])
                         if n.startswith("In"))
    for line in proc_net(ns, "snmp6").splitlines():
        n, v = line.split()
        if n.startswith("Ip6In"):
            total += int(v)
    return total


# ---------------------------------------------------------------- verdicts
class Verdicts:
    """TAP verdicts for test_attack.sh: GROUP<tab>ok|not ok<tab>what
    <tab>detail, one line each, emitted by the group's test case."""

    def __init__(self, path):
        self.t = time.monotonic()
        self.phases = []
        self.path = path
        self.files = {}

    def check(self, group, good, desc, detail=""):
        """One verdict, in the file PATH.GROUP."""
        if group not in self.files:
            self.files[group] = open("%s.%s" % (self.path, group), "w")
        f = self.files[group]
        f.write("\t".join(["ok" if good else "not ok",
                           desc.replace("\t", " "),
                           str(detail).replace("\t", " ")
                           .replace("\n", " | ")]) + "\n")
        f.flush()

    def phase(self, name):
        """Marks the end of a phase: the times go in the last verdict."""
        now = time.monotonic()
        self.phases.append("%s %.0f s" % (name, now - self.t))
        self.t = now


def has_reason(expect, drops):
    want = expect[len("drop:"):]
    if want == "*":
        return bool(drops)
    return any(drops.get(r) for r in want.split("|"))


def evaluate(V, caps, it, r):
    """The checks of one item from its result r and the captures."""
    s, g, desc = it["sender"], it["group"], it["desc"]
    with caps.lock:
        seen = sorted(cap for cap, toks in caps.seen.items()
                      if it["token"] in toks and cap not in (s, "h-" + s))
    why = "from %s, token %s; captures: %s; drops on vm-%s: %s; sent on: %s" \
        % (s, it["token"], " ".join(seen) or "none", s, fmt(r["drops"]),
           fmt(r["tx"]))
    e = it["expect"]
    if r["result"].startswith("send failed"):
        V.check(g, False, desc + ": sent", r["result"])
        return
    if e == "deliver":
        V.check(g, it["target"] in seen,
                "%s: delivered to %s" % (desc, it["target"]), why)
    elif e.startswith("drop:"):
        V.check(g, not seen, desc + ": not delivered", why)
        V.check(g, has_reason(e, r["drops"]),
                "%s: counted as %s" % (desc, e[5:]), why)
    elif e == "connect":
        V.check(g, r["result"] == "connected=yes" and it["target"] in seen,
                desc + ": established, data delivered",
                r["result"] + "; " + why)
    elif e == "noconnect":
        V.check(g, r["result"] == "connected=no" and not seen,
                desc + ": never established", r["result"] + "; " + why)
        V.check(g, bool(r["drops"].get("acl")),
                desc + ": its SYNs counted as acl", why)
    probe = it.get("extra", "")
    if probe.startswith("probe="):
        # The module answers NS for any address with the router's MAC:
        # an NA for this one coming back is its answer.
        na = "NA:" + probe[len("probe="):]
        V.check(g, not caps.has(s, na),
                desc + ": no neighbour advertisement came back",
                "%s received an NA for %s" % (s, probe[6:]))


# ---------------------------------------------------------------- runner
def sysctl(ns, key, value):
    setns(ns)
    try:
        with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
            f.write(str(value))
    finally:
        setns(None)


def complete(c):
    """The MACs and link-local addresses the test did not write, and the
    sysctls: the attackers send no router solicitations (their frames
    would blur the counters); the victims and the control take router
    advertisements even as routers would (accept_ra 2)."""
    for x in ("atk", "atkf"):
        sysctl(vm(c, x)["ns"], "net.ipv6.conf.eth0.router_solicitations", 0)
    for ns in (vm(c, "vic1")["ns"], vm(c, "vic2")["ns"],
               c["ractl"]["peer_ns"]):
        sysctl(ns, "net.ipv6.conf.eth0.accept_ra", 2)
    for v in c["vms"].values():
        v["mac"] = hwaddr(v["ns"], "eth0")
        v["ll6"] = linklocal(v["ns"], "eth0")
        v["hostmac"] = hwaddr(c["ctl"], v["dev"])
        v["hostll6"] = linklocal(c["ctl"], v["dev"])
    r = c.get("ractl")
    if r:
        r["mac"] = hwaddr(r["ns"], "eth0")
        r["ll6"] = linklocal(r["ns"], "eth0")


def before(c, V):
    """Legitimate pings first: they also fill vic1's neighbour cache with
    the entries the ARP and ND lies go after."""
    v = c["vms"]
    bad = [("%s -> %s" % (a, d)) for a, d in (
        ("vic1", v["vic2"]["ip4"]), ("vic1", v["vic2"]["ip6"]),
        ("vic1", v["atkf"]["ip4"]), ("vic1", v["atkf"]["ip6"]),
        ("vic2", v["vic1"]["ip6"]), ("atk", v["vic1"]["ip4"]),
        ("atk", v["vic1"]["ip6"]), ("atk", v["peer"]["ip4"]))
        if not ping(c, a, d)]
    V.check("setup", not bad, "before: legitimate pings answered",
            "no answer: " + ", ".join(bad))
    have = dict(neighbours(v["vic1"]["ns"]))
    want = (c["gw4"], c["gw6"], v["atkf"]["ip4"], v["atkf"]["ip6"])
    V.check("setup", all(have.get(a) for a in want),
            "before: vic1 has neighbour entries for the router and atkf",
            "vic1's entries: %s" % have)


def run(conf, out, groups):
    c = json.load(open(conf))
    V = Verdicts(out + ".tap")
    V.t = T_START
    complete(c)
    want = set(groups)
    P = frames(c)
    sockopt_items(c, P)
    V.phase("start-up and frames")
    items = [i for i in P.items if i["group"] in want]
    try:
        stats = Stats(c["ctl"])
        stats.read()
    except Exception as e:					# noqa
        print("netlink stats: %s; using vnetctl" % e, file=sys.stderr)
        stats = VnetctlStats(c["ctl"])
    raw_socks = {}
    for name in ("atk", "atkf"):
        raw_socks[name] = socket_in(vm(c, name)["ns"], socket.AF_PACKET,
                                  socket.SOCK_RAW)
        raw_socks[name].bind(("eth0", 0))
    before(c, V)
    V.phase("pings before")
    # Servers (fork before the capture thread): vic1 listens on the
    # denied and the allowed TCP port, vic2 on the allowed one.
    servers = [start_server(c, "vic1", (TCP_DENY, TCP_ALLOW)),
               start_server(c, "vic2", (TCP_ALLOW,))]
    caps = Captures(c)
    missing = barrier(c, caps, 1)
    V.check("setup", not missing, "every capture runs before the attacks "
            "(a control frame from each VM seen in its 2 captures)",
            "missing: " + " ".join(missing))
    V.phase("captures and servers up")
    host0 = host_in(c["ctl"])
    res = open(out, "w")
    results = []
    prev = stats.read()
    for it in items:
        dev = vm(c, it["sender"])["dev"]
        result = it.get("extra", "-")
        if it["kind"] == "connect":
            result = "connected=" + ("yes" if connect(c, it) else "no")
            now = stats.read()
        else:
            try:
                if it["kind"] == "udp":
                    send_udp(c, it)
                else:
                    raw_socks[it["sender"]].send(it["frame"])
            except OSError as e:
                result = "send failed: %s" % e
            # The fate of the frame: counted by the sender's port as
            # received, and either dropped there or sent on another port.
            deadline = time.monotonic() + (5 if result == it.get(
                "extra", "-") else 0)
            while True:
                now = stats.read()
                drops, tx, rx = deltas(prev, now, dev)
                if (rx >= 1 and sum(drops.values()) + sum(tx.values()) >= 1) \
                        or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
        drops, tx, rx = deltas(prev, now, dev)
        results.append(dict(drops=drops, tx=tx, result=result))
        res.write("\t".join([str(it["id"]), it["group"], it["sender"],
                             it["target"], it["expect"], it["token"],
                             fmt(drops), fmt(tx), result,
                             it["desc"]]) + "\n")
        prev = now
    res.close()
    V.phase("%d items" % len(items))
    if "ra" in want and P.control:
        s = socket_in(c["ractl"]["ns"], socket.AF_PACKET, socket.SOCK_RAW)
        s.bind(("eth0", 0))
        s.send(P.control)
        s.close()
    missing = barrier(c, caps, 2)
    V.check("setup", not missing, "every capture has all frames after the "
            "attacks (control frames again)", "missing: " + " ".join(missing))
    host1 = host_in(c["ctl"])
    V.phase("control frames after")
    if "legit" in want:
        legit(c, V)
        V.phase("legitimate traffic")
    lost = caps.close()
    V.check("setup", not any(lost.values()), "no capture lost a frame "
            "(%d frames, PACKET_STATISTICS)" % caps.frames,
            " ".join("%s:%d" % kv for kv in lost.items() if kv[1]))
    for it, r in zip(items, results):
        evaluate(V, caps, it, r)
    if "nd" in want:
        for x in ("vic1", "vic2", "peer"):
            bad = [(a, ll) for a, ll in neighbours(vm(c, x)["ns"])
                   if ll and ll != c["router_mac"]]
            V.check("nd", not bad, "%s's neighbour cache maps every address "
                    "to the router MAC" % x, "entries: %s" % bad)
    if "ra" in want:
        for x in ("vic1", "vic2"):
            got = ra_learned(vm(c, x)["ns"])
            V.check("ra", not got, "%s (accept_ra 2) learned no SLAAC address"
                    " and no route from an RA" % x, "; ".join(got))
        got, deadline = [], time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            got = ra_learned(c["ractl"]["peer_ns"])
            time.sleep(0.1)
        V.check("ra", bool(got), "control: outside vnet the same RA "
                "(behind hop-by-hop) leaves an address and a route",
                "the control namespace learned nothing")
    if "host" in want:
        V.check("host", host1 == host0, "the host namespace's IP input "
                "counters did not move (nstat IpIn*, Ip6In*)",
                "%d before, %d after" % (host0, host1))
    for pid in servers:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    with open(out + ".seen", "w") as f:
        for cap, toks in sorted(caps.seen.items()):
            for tok in sorted(toks):
                f.write("%s %s\n" % (tok, cap))
    V.phase("verdicts")
    V.check("setup", True, "attack.py: %d items; %s; %.0f s in all"
            % (len(items), ", ".join(V.phases),
               time.monotonic() - T_START))


def start_server(c, name, ports):
    pid = os.fork()
    if pid == 0:
        try:
            setns(vm(c, name)["ns"])
            serve(ports)
        finally:
            os._exit(1)
    # Ready when it listens: a connection from its own namespace works.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        setns(vm(c, name)["ns"])
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        setns(None)
        try:
            s.connect(("::1", ports[-1]))
            s.close()
            break
        except OSError:
            s.close()
            time.sleep(0.05)
    return pid


def connect(c, it):
    """A real TCP connection from atk with the option set; True if it
    was established. Allowed ports get 15 s, denied ones 4 s (a hole
    connects within milliseconds)."""
    opt, val, port = it["frame"]
    setns(vm(c, "atk")["ns"])
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    setns(None)
    s.setsockopt(socket.IPPROTO_IPV6, opt, val)
    s.settimeout(15 if it["expect"] == "connect" else 4)
    try:
        s.connect((vm(c, "vic1")["ip6"], port))
        s.sendall(it["token"].encode() + b"\n")
        ok = True
    except OSError:
        ok = False
    s.close()
    return ok


def send_udp(c, it):
    opt, val, port = it["frame"]
    setns(vm(c, "atk")["ns"])
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    setns(None)
    s.setsockopt(socket.IPPROTO_IPV6, opt, val)
    s.sendto(it["token"].encode(), (vm(c, "vic1")["ip6"], port))
    s.close()


# ------------------------------------------------------- legitimate traffic
def ping(c, src, dst, tries=5):
    """ICMP echo from VM src to address dst; True on a reply."""
    six = ":" in dst
    fam = socket.AF_INET6 if six else socket.AF_INET
    s = socket_in(vm(c, src)["ns"], fam, socket.SOCK_RAW,
                socket.IPPROTO_ICMPV6 if six else socket.IPPROTO_ICMP)
    s.settimeout(1)
    ident = os.getpid() & 0xffff
    for seq in range(tries):
        hdr = struct.pack("!BBHHH", 128 if six else 8, 0, 0, ident, seq)
        data = b"legit ping"
        if not six:
            csum = in_cksum(hdr + data)
            hdr = struct.pack("!BBHHH", 8, 0, csum, ident, seq)
        s.sendto(hdr + data, (dst, 0))
        end = time.monotonic() + 1
        while time.monotonic() < end:
            try:
                pkt = s.recv(2048)
            except socket.timeout:
                break
            icmp = pkt if six else pkt[(pkt[0] & 15) * 4:]
            if icmp[0] == (129 if six else 0) and \
                    struct.unpack("!H", icmp[4:6])[0] == ident:
                s.close()
                return True
    s.close()
    return False


def in_cksum(b):
    if len(b) % 2:
        b += b"\0"
    n = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while n >> 16:
        n = (n & 0xffff) + (n >> 16)
    return ~n & 0xffff


def tcp_ok(c, src, dst, port):
    six = ":" in dst
    s = socket_in(vm(c, src)["ns"], socket.AF_INET6 if six else
                socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect((dst, port))
        s.sendall(b"legit\n")
        return True
    except OSError:
        return False
    finally:
        s.close()


def udp_ok(c, src, dst, port):
    six = ":" in dst
    fam = socket.AF_INET6 if six else socket.AF_INET
    d = next(n for n, v in c["vms"].items() if dst in (v["ip4"], v["ip6"]))
    r = socket_in(vm(c, d)["ns"], fam, socket.SOCK_DGRAM)
    r.bind((dst, port))
    r.settimeout(1)
    s = socket_in(vm(c, src)["ns"], fam, socket.SOCK_DGRAM)
    try:
        for _ in range(5):
            s.sendto(b"legit", (dst, port))
            try:
                if r.recv(64) == b"legit":
                    return True
            except socket.timeout:
                pass
        return False
    finally:
        r.close()
        s.close()


def legit(c, V):
    """Legitimate traffic after the attacks."""
    v1, v2 = vm(c, "vic1"), vm(c, "vic2")
    for desc, fn in (
            ("ping vic1 -> vic2 (IPv4)", lambda: ping(c, "vic1", v2["ip4"])),
            ("ping vic2 -> vic1 (IPv6)", lambda: ping(c, "vic2", v1["ip6"])),
            ("ping atk -> vic1 (IPv6)", lambda: ping(c, "atk", v1["ip6"])),
            ("ping peer -> vic1 across the peering",
             lambda: ping(c, "peer", v1["ip4"])),
            ("TCP vic1 -> vic2 port %d (IPv4)" % TCP_ALLOW,
             lambda: tcp_ok(c, "vic1", v2["ip4"], TCP_ALLOW)),
            ("TCP vic1 -> vic2 port %d (IPv6)" % TCP_ALLOW,
             lambda: tcp_ok(c, "vic1", v2["ip6"], TCP_ALLOW)),
            ("UDP vic2 -> vic1 port %d (IPv4)" % UDP_ALLOW,
             lambda: udp_ok(c, "vic2", v1["ip4"], UDP_ALLOW)),
            ("UDP vic1 -> vic2 port %d (IPv6)" % UDP_ALLOW,
             lambda: udp_ok(c, "vic1", v2["ip6"], UDP_ALLOW))):
        V.check("legit", fn(), "after the attacks: " + desc)

# ---------------------------------------------------------------- analysis
EXT = {0, 43, 60, 51, 135, 139, 140, 253, 254}


def transport6(nh, b):
    """Walk an IPv6 chain from next header nh over bytes b; returns
    (protocol, offset of its header) or None if the chain ends early."""
    off = 0
    for _ in range(64):
        if nh in (6, 17):
            return nh, off
        if nh == 44:					# fragment
            if len(b) < off + 8:
                return None
            nh, off = b[off], off + 8
        elif nh == 51:					# AH: 4-byte units
            if len(b) < off + 2:
                return None
            nh, off = b[off], off + (b[off + 1] + 2) * 4
        elif nh in EXT:
            if len(b) < off + 2:
                return None
            nh, off = b[off], off + (b[off + 1] + 1) * 8
        else:
            return nh, off
    return None


def datagrams(frames):
    """Every IP datagram in the Ethernet frames, plus the reassembly of
    every fragmented one, both with the first and with the last copy of
    an overlapped byte winning: (src, dst, family, next header, bytes
    after the fixed header, note, key): the key is the same for a
    fragment and the reassembly of its datagram."""
    frags = {}
    for f in frames:
        et = f[12:14]
        b = f[14:]
        while et in (b"\x81\x00", b"\x88\xa8"):
            et, b = b[2:4], b[4:]
        if et == b"\x08\x00" and len(b) >= 20 and b[0] >> 4 == 4:
            ihl = (b[0] & 15) * 4
            tot = int.from_bytes(b[2:4], "big")
            src, dst = socket.inet_ntoa(b[12:16]), socket.inet_ntoa(b[16:20])
            fo = int.from_bytes(b[6:8], "big")
            off, mf = (fo & 0x1fff) * 8, fo & 0x2000
            body = b[ihl:tot]
            if off or mf:
                key = (src, dst, b[9], b[4:6])
                frags.setdefault(key, []).append((off, mf, body))
                if off:
                    continue
            yield src, dst, 4, b[9], body, "fragment" if mf else "", \
                (src, dst, b[9], b[4:6]) if mf else id(f)
        elif et == b"\x86\xdd" and len(b) >= 40 and b[0] >> 4 == 6:
            plen = int.from_bytes(b[4:6], "big")
            src = socket.inet_ntop(socket.AF_INET6, b[8:24])
            dst = socket.inet_ntop(socket.AF_INET6, b[24:40])
            nh, body = b[6], b[40:40 + plen]
            # the unfragmentable part, up to a fragment header
            off, cur = 0, nh
            while cur in (0, 43, 60) and len(body) >= off + 2:
                cur, off = body[off], off + (body[off + 1] + 1) * 8
            if cur == 44 and len(body) >= off + 8:
                fh = body[off:off + 8]
                fo = int.from_bytes(fh[2:4], "big")
                key = (src, dst, 6, fh[4:8])
                frags.setdefault(key, []).append(
                    ((fo >> 3) * 8, fo & 1, body[off + 8:], fh[0]))
                if fo >> 3:
                    continue
                yield src, dst, 6, fh[0], body[off + 8:], \
                    "fragment" if fo & 1 else "", key if fo & 1 else id(f)
                continue
            yield src, dst, 6, nh, body, "", id(f)
    for key, parts in frags.items():
        if not any(p[0] == 0 for p in parts):
            continue
        nh = key[2] if len(key[3]) == 2 else next(
            p[3] for p in parts if p[0] == 0)
        for policy, order in (("first", list(reversed(parts))),
                              ("last", parts)):
            buf = bytearray(max(p[0] + len(p[2]) for p in parts))
            for p in order:
                buf[p[0]:p[0] + len(p[2])] = p[2]
            yield key[0], key[1], 4 if len(key[3]) == 2 else 6, nh, \
                bytes(buf), "reassembled (%s wins)" % policy, key


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") \
        else ">"
    out, i = [], 24
    while i + 16 <= len(data):
        incl = struct.unpack(end + "I", data[i + 8:i + 12])[0]
        out.append(data[i + 16:i + 16 + incl])
        i += 16 + incl
    return out


def analyze(victims, ports, pcaps):
    """Per pcap: "NAME TOTAL DENIED RAS": the datagrams to a victim address
    (not from one), those to one of ports ("tcp:23,udp:161"), reassembled
    fragments included, and the router advertisements (any destination,
    behind extension headers too); then "  TCP ... port 23" per denied
    hit and "  arrived: ..." for up to 10 other arrivals (control frames
    to UDP port 9 left out)."""
    victims = set(victims.split(","))
    ports = {(6 if p.split(":")[0] == "tcp" else 17, int(p.split(":")[1]))
             for p in ports.split(",")}
    for path in pcaps:
        hits, other, total, ras = [], [], 0, set()
        for src, dst, fam, nh, body, note, key in datagrams(
                read_pcap(path)):
            if src in victims:
                continue
            t = transport6(nh, body) if fam == 6 else (nh, 0)
            if fam == 6 and t and t[0] == 58 and len(body) > t[1] and \
                    body[t[1]] == 134:
                ras.add(key)
            if dst not in victims:
                continue
            total += 1
            what = "%s %s -> %s" % ({6: "TCP", 17: "UDP", 58: "ICMPv6",
                                     1: "ICMP"}.get(t[0] if t else -1,
                                                    "proto %s" % (
                                                        t[0] if t else "?")),
                                    src, dst)
            if t and t[0] in (6, 17) and len(body) >= t[1] + 4:
                dport = int.from_bytes(body[t[1] + 2:t[1] + 4], "big")
                if (t[0], dport) in ports:
                    hits.append("%s port %d %s" % (what, dport, note))
                    continue
                if t[0] == 17 and dport == 9:
                    continue
                what += " port %d" % dport
            other.append("arrived: %s %s" % (what, note))
        print("%s %d %d %d" % (os.path.basename(path), total, len(hits),
                               len(ras)))
        for h in hits[:20]:
            print("  " + h)
        for o in other[:10]:
            print("  " + o)

GROUPS = ("exthdr", "frag6", "ipv4", "frag4", "l2", "nd", "ra", "dhcp",
          "host", "sockopt", "legit")


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "batch":
        run(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) == 2 and sys.argv[1] == "groups":
        print(" ".join(GROUPS))
    elif len(sys.argv) >= 5 and sys.argv[1] == "analyze":
        analyze(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "serve":
        serve([int(p) for p in sys.argv[2:]])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
