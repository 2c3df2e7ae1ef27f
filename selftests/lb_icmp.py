#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ICMP errors and fragments through a load balancer, for test_lb.sh.

The addresses are those of test_lb.sh: client c1, backend b1, lbs "frag"
(FE4 udp 5300 -> b1:8080) and "frag6" (FE6 udp 5300 -> [b1]:8080), the
client's datagrams from port SPORT (lb.py big).

  lb_icmp.py backend MAC RMAC   from b1: an ICMP "fragmentation needed"
                                (IPv4) and a "packet too big" (IPv6), MTU
                                1280, each quoting the client's datagram as
                                b1 received it (c1:SPORT -> b1:8080)
  lb_icmp.py client MAC RMAC    from c1: a "port unreachable" to each
                                frontend quoting b1's answer as c1 received
                                it (frontend:5300 -> c1:SPORT); and to each
                                frontend a later fragment with no first one
  lb_icmp.py check C1.PCAP B1.PCAP
                                one line per check, "NAME ok" or
                                "NAME bad: WHY": what c1 and b1 captured
"""
import sys

from scapy.all import (ICMP, IP, UDP, Ether, ICMPv6DestUnreach,
                       ICMPv6PacketTooBig, IPerror, IPerror6, IPv6,
                       IPv6ExtHdrFragment, Raw, raw, rdpcap, sendp)

C4, C6 = "10.1.1.10", "fd00:1:0:1::10"
B4, B6 = "10.1.1.4", "fd00:1:0:1::4"
FE4, FE6 = "10.1.0.120", "fd00:1::120"
BACKENDS = {"10.1.1.4", "10.1.1.5", "10.1.1.6",
            "fd00:1:0:1::4", "fd00:1:0:1::5", "fd00:1:0:1::6"}
SPORT, FPORT, BPORT = 40100, 5300, 8080
MTU = 1280


def backend(mac, rmac):
    q4 = IP(src=C4, dst=B4, flags="DF") / UDP(sport=SPORT, dport=BPORT)
    q6 = IPv6(src=C6, dst=B6) / UDP(sport=SPORT, dport=BPORT)
    sendp([Ether(src=mac, dst=rmac) / IP(src=B4, dst=C4) /
           ICMP(type=3, code=4, nexthopmtu=MTU) / q4 / Raw(b"q" * 32),
           Ether(src=mac, dst=rmac) / IPv6(src=B6, dst=C6) /
           ICMPv6PacketTooBig(mtu=MTU) / q6 / Raw(b"q" * 32)],
          iface="eth0", verbose=False)


def client(mac, rmac):
    q4 = IP(src=FE4, dst=C4) / UDP(sport=FPORT, dport=SPORT)
    q6 = IPv6(src=FE6, dst=C6) / UDP(sport=FPORT, dport=SPORT)
    sendp([Ether(src=mac, dst=rmac) / IP(src=C4, dst=FE4) /
           ICMP(type=3, code=3) / q4 / Raw(b"r" * 32),
           Ether(src=mac, dst=rmac) / IPv6(src=C6, dst=FE6) /
           ICMPv6DestUnreach(code=4) / q6 / Raw(b"r" * 32),
           Ether(src=mac, dst=rmac) /
           IP(src=C4, dst=FE4, id=4999, frag=100, proto=17) / Raw(b"z" * 64),
           Ether(src=mac, dst=rmac) / IPv6(src=C6, dst=FE6) /
           IPv6ExtHdrFragment(id=4999, offset=100, nh=17) / Raw(b"z" * 64)],
          iface="eth0", verbose=False)


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


def check(c1_pcap, b1_pcap):
    c1 = rdpcap(c1_pcap)
    b1 = rdpcap(b1_pcap)
    print(error_check("client-icmp4", [p for p in c1 if IP in p and
                                       p[IP].dst == C4], IP, ICMP,
                      FE4, C4, C4, SPORT, FE4, FPORT))
    print(error_check("client-icmp6", c1, IPv6, ICMPv6PacketTooBig,
                      FE6, C6, C6, SPORT, FE6, FPORT))
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


def main():
    a = sys.argv[1:]
    if a[0] == "backend":
        backend(a[1], a[2])
    elif a[0] == "client":
        client(a[1], a[2])
    elif a[0] == "check":
        check(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
