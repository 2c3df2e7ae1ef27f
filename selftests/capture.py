# SPDX-License-Identifier: GPL-2.0
"""Packet captures for the Python selftests (attack.py, pktfuzz.py,
churn_traffic.py).

A Capture is one AF_PACKET socket (ETH_P_ALL, both directions, as
tcpdump) per capture point, all read by one thread. Each test decides
what a frame means by overriding note(); close() drains what is queued,
stops the thread and returns how many frames each socket lost, so a
test can refuse to conclude "never delivered" from a capture that
dropped frames.
"""

import ctypes
import os
import select
import socket
import struct
import threading

CLONE_NEWNET = 0x40000000
SOL_PACKET, PACKET_STATISTICS = 263, 6
SO_RCVBUFFORCE, SO_TIMESTAMPNS = 33, 35
ETH_P_ALL = 3

_libc = ctypes.CDLL(None, use_errno=True)
_home = os.open("/proc/self/ns/net", os.O_RDONLY)


def setns(ns):
    """Enters the namespace named ns (ip netns), or the initial one."""
    fd = os.open("/run/netns/" + ns, os.O_RDONLY) if ns else _home
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (ns, os.strerror(err)))
    finally:
        if ns:
            os.close(fd)


def socket_in(ns, *args):
    """A socket created in namespace ns; it stays there when we leave."""
    setns(ns)
    try:
        return socket.socket(*args)
    finally:
        setns(None)


class Capture:
    """points: (name, namespace, interface) triples; an interface of None
    captures every interface of the namespace, as they come and go.
    note(name, frame, addr, ancdata) runs on the reading thread for each
    frame; addr is the sockaddr_ll tuple (ifname, proto, pkttype, ...)."""

    def __init__(self, points, rcvbuf=8 << 20, timestamps=False):
        self.socks = {}
        for name, ns, dev in points:
            s = socket_in(ns, socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf)
            if timestamps:
                s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            if dev:
                s.bind((dev, 0))
            s.setblocking(False)
            self.socks[s] = name
        self.ancsize = 64 if timestamps else 0
        self.lock = threading.Lock()
        self.done = False
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self):
        """Starts reading; subclasses call it once their state exists."""
        self.thread.start()
        return self

    def note(self, name, frame, addr, anc):
        raise NotImplementedError

    @staticmethod
    def timestamp(anc, default):
        """The kernel's receive time of a frame (SO_TIMESTAMPNS)."""
        for level, typ, data in anc:
            if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("=qq", data[:16])
                return sec + nsec / 1e9
        return default

    def _drain(self, s, limit):
        for _ in range(limit):
            try:
                f, anc, _, addr = s.recvmsg(1 << 16, self.ancsize)
            except BlockingIOError:
                return
            self.note(self.socks[s], f, addr, anc)

    def _loop(self):
        socks = list(self.socks)
        while not self.done:
            r, _, _ = select.select(socks, [], [], 0.1)
            for s in r:
                self._drain(s, 1 << 20)
        # Asked to stop: what was queued by then is read too (bounded, in
        # case a sender is still running).
        for s in socks:
            self._drain(s, 1 << 16)

    def close(self):
        self.done = True
        self.thread.join()
        lost = {}
        for s, name in self.socks.items():
            # struct tpacket_stats: packets, drops (reading resets them)
            st = s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
            lost[name] = struct.unpack("=II", st)[1]
            s.close()
        return lost
