#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""New flows by the hundred, for the flow table share selftests.

  flood.py KIND SRC DST DPORT SPORT N [SECONDS]
      N IPv4 packets from SRC to DST:DPORT, from source ports SPORT,
      SPORT + 1, ...: each one a new flow. KIND: syn (TCP SYN), ack (TCP
      ACK, no SYN) or udp (a datagram). Sent as Ethernet frames on eth0 to
      the router MAC in $RMAC, so neither ARP nor the VM's own TCP stack
      is involved; spread evenly over SECONDS (default 0: at once).
      Prints N when done.
"""
import os
import random
import socket
import struct
import sys
import time

from inet import csum


def frame(kind, src, dst, sport, dport, smac, dmac):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    if kind == "udp":
        proto = socket.IPPROTO_UDP
        l4 = struct.pack("!HHHH", sport, dport, 8 + 5, 0) + b"flood"
        sum_at = 6
    else:
        proto = socket.IPPROTO_TCP
        flags, ack = (0x02, 0) if kind == "syn" else (0x10, random.getrandbits(32))
        l4 = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32),
                         ack, 5 << 4, flags, 64240, 0, 0)
        sum_at = 16
    pseudo = s + d + struct.pack("!BBH", 0, proto, len(l4))
    c = csum(pseudo + l4) or 0xffff
    l4 = l4[:sum_at] + struct.pack("!H", c) + l4[sum_at + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4),
                     random.getrandbits(16), 0x4000, 64, proto, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + l4


def main():
    if len(sys.argv) < 7 or sys.argv[1] not in ("syn", "ack", "udp"):
        sys.exit(__doc__)
    kind, src, dst = sys.argv[1:4]
    dport, sport, n = (int(x) for x in sys.argv[4:7])
    secs = float(sys.argv[7]) if len(sys.argv) > 7 else 0
    with open("/sys/class/net/eth0/address") as f:
        smac = bytes.fromhex(f.read().strip().replace(":", ""))
    dmac = bytes.fromhex(os.environ["RMAC"].replace(":", ""))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("eth0", 0))
    start = time.monotonic()
    for i in range(n):
        s.send(frame(kind, src, dst, sport + i, dport, smac, dmac))
        if secs:
            late = start + secs * (i + 1) / n - time.monotonic()
            if late > 0:
                time.sleep(late)
    print(n)


if __name__ == "__main__":
    main()
