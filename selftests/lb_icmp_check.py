#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What arrived of lb_icmp.py's packets and lb.py big's datagrams.

  lb_icmp_check.py C1.PCAP B1.PCAP
        one line per check, "NAME ok" or "NAME bad: WHY", from what the
        client c1 and the backend b1 of test_lb.sh captured: the ICMP
        errors (addresses, ports, every checksum: scapy rebuilds each with
        the checksum left out and compares), the answers' later fragments,
        and no backend address anywhere in what the client saw
"""
import sys

import struct

from scapy.all import (ICMP, IP, UDP, ICMPv6DestUnreach, ICMPv6PacketTooBig,
                       ICMPv6TimeExceeded, IPerror, IPerror6, IPv6,
                       IPv6ExtHdrFragment, Raw, raw, rdpcap)

from lb_icmp import (B4, B6, BACKENDS, BPORT, C4, C6, FE4, FE6, FPORT,
                     FRAGDATA, SPORT)


def csum_ok(pkt, layer, field):
    """Does @pkt's checksum @field of @layer survive a rebuild?"""
    p = pkt.copy()
    want = getattr(p[layer], field)
    delattr(p[layer], field)
    return getattr(p.__class__(raw(p))[layer], field) == want


def quoted_ok(qbytes, cls):
    """The quoted datagram (whole here): its IP and UDP checksums."""
    q = cls(qbytes)
    bad = [] if cls is IPv6 or csum_ok(q, IP, "chksum") else ["quoted IP"]
    if UDP not in q or not csum_ok(q, UDP, "chksum"):
        bad.append("quoted UDP")
    return q, bad


def error_check(name, pkts, cls, icmp, src, dst, qsrc, qsport, qdst, qdport):
    """One ICMP error of class @icmp: addresses, ports and checksums."""
    found = [p for p in pkts if icmp in p]
    if not found:
        return "%s bad: no such ICMP error captured" % name
    p = found[0]
    bad = []
    if (p[cls].src, p[cls].dst) != (src, dst):
        bad.append("outer %s -> %s" % (p[cls].src, p[cls].dst))
    if cls is IP and not csum_ok(p, IP, "chksum"):
        bad.append("IP checksum")
    if not csum_ok(p, icmp, "chksum" if cls is IP else "cksum"):
        bad.append("ICMP checksum")
    q, qbad = quoted_ok(raw(p[icmp].payload), cls)
    bad += qbad
    if UDP in q:
        got = (q.src, q[UDP].sport, q.dst, q[UDP].dport)
        if got != (qsrc, qsport, qdst, qdport):
            bad.append("quoted %s:%d -> %s:%d" % got)
    return "%s ok" % name if not bad else "%s bad: %s" % (name, ", ".join(bad))


def fragment_check(name, pkts):
    """The time exceeded quoting a first fragment: its UDP header must be
    that of the whole datagram as the client sent it."""
    found = [p for p in pkts if ICMPv6TimeExceeded in p]
    if not found:
        return "%s bad: no such ICMP error captured" % name
    p = found[0]
    bad = []
    if (p[IPv6].src, p[IPv6].dst) != (FE6, C6):
        bad.append("outer %s -> %s" % (p[IPv6].src, p[IPv6].dst))
    if not csum_ok(p, ICMPv6TimeExceeded, "cksum"):
        bad.append("ICMP checksum")
    q = IPv6(raw(p[ICMPv6TimeExceeded].payload))
    if (q.src, q.dst) != (C6, FE6) or IPv6ExtHdrFragment not in q:
        bad.append("quoted %s -> %s" % (q.src, q.dst))
    else:
        got = struct.unpack("!HHHH", raw(q[IPv6ExtHdrFragment].payload)[:8])
        whole = IPv6(raw(IPv6(src=C6, dst=FE6) /
                         UDP(sport=SPORT, dport=FPORT) / Raw(FRAGDATA)))
        want = (SPORT, FPORT, 8 + len(FRAGDATA), whole[UDP].chksum)
        if got != want:
            bad.append("quoted UDP header %s, expected %s" % (got, want))
    return "%s ok" % name if not bad else "%s bad: %s" % (name, ", ".join(bad))


def check(c1_pcap, b1_pcap):
    c1 = rdpcap(c1_pcap)
    b1 = rdpcap(b1_pcap)
    print(error_check("client-icmp4", [p for p in c1 if IP in p and
                                       p[IP].dst == C4], IP, ICMP,
                      FE4, C4, C4, SPORT, FE4, FPORT))
    print(error_check("client-icmp6", c1, IPv6, ICMPv6PacketTooBig,
                      FE6, C6, C6, SPORT, FE6, FPORT))
    print(fragment_check("client-icmp6-fragment", c1))
    print(error_check("backend-icmp4", [p for p in b1 if IP in p and
                                        p[IP].dst == B4], IP, ICMP,
                      C4, B4, B4, BPORT, C4, SPORT))
    print(error_check("backend-icmp6", b1, IPv6, ICMPv6DestUnreach,
                      C6, B6, B6, BPORT, C6, SPORT))
    n4 = sum(1 for p in c1 if IP in p and p[IP].src == FE4 and p[IP].frag)
    n6 = sum(1 for p in c1 if IPv6ExtHdrFragment in p and
             p[IPv6].src == FE6 and p[IPv6ExtHdrFragment].offset)
    for name, n in (("client-fragments4", n4), ("client-fragments6", n6)):
        print("%s ok" % name if n else "%s bad: none from the frontend" % name)
    seen = set()
    for p in c1:
        for layer in (IP, IPerror, IPv6, IPerror6):
            if layer in p:
                seen |= {p[layer].src, p[layer].dst}
    leaked = sorted(seen & BACKENDS)
    print("client-no-backend ok" if not leaked else
          "client-no-backend bad: %s (%d packets)" % (" ".join(leaked),
                                                     len(c1)))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    check(sys.argv[1], sys.argv[2])
