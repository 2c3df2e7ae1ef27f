#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ICMP errors and fragments through a load balancer, for test_lb.sh.

The addresses are those of test_lb.sh: client c1, backend b1, lbs "frag"
(FE4 udp 5300 -> b1:8080) and "frag6" (FE6 udp 5300 -> [b1]:8080), the
client's datagrams from port SPORT (lb.py big).

  lb_icmp.py backend MAC RMAC   from b1: an ICMP "fragmentation needed"
                                (IPv4) and a "packet too big" (IPv6), MTU
                                1280, each quoting the client's datagram as
                                b1 received it (c1:SPORT -> b1:8080); and a
                                "fragment reassembly time exceeded" (IPv6)
                                quoting the first fragment of one (FRAGDATA
                                is the whole datagram's payload)
  lb_icmp.py client MAC RMAC    from c1: a "port unreachable" to each
                                frontend quoting b1's answer as c1 received
                                it (frontend:5300 -> c1:SPORT); and to each
                                frontend a later fragment with no first one

lb_icmp_check.py checks what arrived.
"""
import socket
import struct
import sys

from inet import csum

C4, C6 = "10.1.1.10", "fd00:1:0:1::10"
B4, B6 = "10.1.1.4", "fd00:1:0:1::4"
FE4, FE6 = "10.1.0.120", "fd00:1::120"
BACKENDS = {"10.1.1.4", "10.1.1.5", "10.1.1.6",
            "fd00:1:0:1::4", "fd00:1:0:1::5", "fd00:1:0:1::6"}
SPORT, FPORT, BPORT = 40100, 5300, 8080
MTU = 1280

# The packets are built by hand: scapy is slow to start under emulation.
# lb_icmp_check.py reads them back with scapy, which checks the checksums
# independently.


def a4(addr):
    return socket.inet_pton(socket.AF_INET, addr)


def a6(addr):
    return socket.inet_pton(socket.AF_INET6, addr)


def ip4(src, dst, proto, payload, frag=0, ident=1):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    frag, 64, proto, 0, a4(src), a4(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nexthdr, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nexthdr, 64,
                       a6(src), a6(dst)) + payload


def with_csum(pseudo, msg, off, udp=False):
    """@msg with its checksum (at @off) over @pseudo and itself."""
    c = csum(pseudo + msg)
    if udp and not c:
        c = 0xffff
    return msg[:off] + struct.pack("!H", c) + msg[off + 2:]


def udp_msg(v6, src, dst, sport, dport, data):
    n = 8 + len(data)
    msg = struct.pack("!HHHH", sport, dport, n, 0) + data
    if v6:
        pseudo = a6(src) + a6(dst) + struct.pack("!IxxxB", n, 17)
    else:
        pseudo = a4(src) + a4(dst) + struct.pack("!xBH", 17, n)
    return with_csum(pseudo, msg, 6, True)


def udp(v6, src, dst, sport, dport, data):
    msg = udp_msg(v6, src, dst, sport, dport, data)
    if v6:
        return ip6(src, dst, 17, msg)
    return ip4(src, dst, 17, msg, frag=0x4000)


FRAGDATA = b"f" * 2000


def icmp(v6, src, dst, kind, code, word, quoted):
    msg = struct.pack("!BBHI", kind, code, 0, word) + quoted
    if v6:
        pseudo = a6(src) + a6(dst) + struct.pack("!IxxxB", len(msg), 58)
        return ip6(src, dst, 58, with_csum(pseudo, msg, 2))
    return ip4(src, dst, 1, with_csum(b"", msg, 2))


def send(mac, rmac, packets):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("eth0", 0))
    for p in packets:
        kind = b"\x86\xdd" if p[0] >> 4 == 6 else b"\x08\x00"
        s.send(bytes.fromhex(rmac.replace(":", "")) +
               bytes.fromhex(mac.replace(":", "")) + kind + p)


def backend(mac, rmac):
    send(mac, rmac, [
        icmp(False, B4, C4, 3, 4, MTU,
             udp(False, C4, B4, SPORT, BPORT, b"q" * 32)),
        icmp(True, B6, C6, 2, 0, MTU,
             udp(True, C6, B6, SPORT, BPORT, b"q" * 32)),
        # The first 72 bytes of the first fragment (M set, id 77).
        icmp(True, B6, C6, 3, 1, 0,
             ip6(C6, B6, 44, struct.pack("!BxHI", 17, 1, 77) +
                 udp_msg(True, C6, B6, SPORT, BPORT, FRAGDATA)[:72]))])


def client(mac, rmac):
    send(mac, rmac, [
        icmp(False, C4, FE4, 3, 3, 0,
             udp(False, FE4, C4, FPORT, SPORT, b"r" * 32)),
        icmp(True, C6, FE6, 1, 4, 0,
             udp(True, FE6, C6, FPORT, SPORT, b"r" * 32)),
        # Later fragments (offset 800) of datagrams never seen.
        ip4(C4, FE4, 17, b"z" * 64, frag=100, ident=4999),
        ip6(C6, FE6, 44, struct.pack("!BxHI", 17, 100 << 3, 4999) +
            b"z" * 64)])


def main():
    a = sys.argv[1:]
    if a[0] == "backend":
        backend(a[1], a[2])
    elif a[0] == "client":
        client(a[1], a[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
