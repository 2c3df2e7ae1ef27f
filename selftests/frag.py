#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""UDP datagrams in IP fragments, for the ACL and conntrack selftests.

  frag.py IFACE SRCMAC DSTMAC PACKET...

sends, in one go and in this order, Ethernet frames on IFACE (an
AF_PACKET socket). Each PACKET is SRC,DST,SPORT,DPORT,ID,HOW: a UDP
datagram from SRC:SPORT to DST:DPORT with IP identification ID, IPv4 or
IPv6 (the addresses say which), HOW being

  all     2000 bytes of data, in three fragments (IPv4: 800 bytes of
          payload each, as scapy's fragment(p, 800); IPv6: at most 900
          bytes a frame, as scapy's fragment6(p, 900))
  later   the same without its first fragment
  whole   3 bytes ("end"), not fragmented
  tcphead the first fragment of a TCP SYN that holds only the first 8
          bytes of its header (the ports and the sequence number)

Plain sockets and struct rather than scapy: importing scapy takes seconds
under emulation, more than the rest of a test case.
"""
import socket
import struct
import sys

from inet import csum

DATA = b"x" * 2000


def udp(src, dst, sport, dport, data, v6):
    length = 8 + len(data)
    if v6:
        pseudo = (socket.inet_pton(socket.AF_INET6, src) +
                  socket.inet_pton(socket.AF_INET6, dst) +
                  struct.pack("!I3xB", length, 17))
    else:
        pseudo = (socket.inet_aton(src) + socket.inet_aton(dst) +
                  struct.pack("!xBH", 17, length))
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = csum(pseudo + hdr + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + data


def ipv4(src, dst, ident, offset, more, payload, proto=17):
    flags = (0x2000 if more else 0) | (offset // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      flags, 64, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x08\x00", hdr + payload


def ipv6(src, dst, payload, frag=None, proto=17):
    nh = proto
    if frag is not None:
        ident, offset, more = frag
        payload = struct.pack("!BBHI", proto, 0, offset | int(more),
                              ident) + payload
        nh = 44
    hdr = struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                      socket.inet_pton(socket.AF_INET6, src),
                      socket.inet_pton(socket.AF_INET6, dst))
    return b"\x86\xdd", hdr + payload


def frames(spec):
    src, dst, sport, dport, ident, how = spec.split(",")
    v6 = ":" in dst
    sport, dport, ident = int(sport), int(dport), int(ident)
    if how == "tcphead":
        head = struct.pack("!HHI", sport, dport, 1)
        return [ipv6(src, dst, head, (ident, 0, True), 6) if v6 else
                ipv4(src, dst, ident, 0, True, head, 6)]
    if how == "whole":
        d = udp(src, dst, sport, dport, b"end", v6)
        return [ipv6(src, dst, d) if v6 else ipv4(src, dst, ident, 0, False, d)]
    d = udp(src, dst, sport, dport, DATA, v6)
    step = (900 - 40 - 8) // 8 * 8 if v6 else 800
    out = []
    for off in range(0, len(d), step):
        more = off + step < len(d)
        chunk = d[off:off + step]
        if v6:
            out.append(ipv6(src, dst, chunk, (ident, off, more)))
        else:
            out.append(ipv4(src, dst, ident, off, more, chunk))
    return out[1:] if how == "later" else out


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    iface, smac, dmac = sys.argv[1:4]
    eth = bytes.fromhex(dmac.replace(":", "")) + \
        bytes.fromhex(smac.replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for spec in sys.argv[4:]:
        for ethertype, pkt in frames(spec):
            s.send(eth + ethertype + pkt)


if __name__ == "__main__":
    main()
