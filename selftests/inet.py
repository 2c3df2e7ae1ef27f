# SPDX-License-Identifier: GPL-2.0
"""What the selftests' hand-built packets share (scapy is slow to start
under emulation, so frames are built with struct)."""
import struct


def csum(data):
    """The Internet checksum (RFC 1071) of DATA."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
