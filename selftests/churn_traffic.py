#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic and captures for selftests/churn.sh: flows that policy always
allows, probes that it forbids throughout, and a packet socket on every
VM's eth0 that records where each arrived.

usage: churn_traffic.py CONFIG READY RESULT

CONFIG (JSON): {"vms": {NAME: {"ns": NETNS, "ip4": ADDR}},
                "flows": [{"name": N, "from": VM, "to": ADDR, "port": P,
                           "pps": R, "probe": BOOL, "fresh": BOOL,
                           "allowed": [VM...]}]}

Each datagram carries its flow's token, "@F<name>-<seq>@" for a flow and
"@P<name>-<seq>@" for a probe, so a capture attributes what it sees.
A "fresh" flow sends each datagram from a new socket (a new source port):
every one is a new connection for the module to set up.
Before any flow starts, every VM sends a control datagram until its own
capture has it (the captures are running); then READY is written and the
flows run, each at its rate, until SIGTERM. The captures are drained and
RESULT gets, per flow, the datagrams sent and, per VM, those received
(incoming frames only), plus for each flow the longest time between two
arrivals at one VM with datagrams lost in between ("stall"), from the
kernel's receive timestamps, and what the packet sockets lost.
"""
import json
import re
import signal
import socket
import sys
import threading
import time

import capture
from capture import setns, socket_in

TOKEN = re.compile(rb"@([FPC])([a-z0-9]+)-(\d+)@")

stop = threading.Event()


class Captures(capture.Capture):
    """A capture in each VM's namespace, not bound to eth0: it sees the
    interfaces of the namespace as they come and go (a rebound port's VM
    gets a new eth0)."""

    def __init__(self, vms):
        super().__init__([(name, vm["ns"], None) for name, vm in vms.items()],
                         rcvbuf=16 << 20, timestamps=True)
        self.got = {}		# (flow, vm) -> datagrams
        self.last = {}		# (flow, vm) -> (seq, time) of the last one
        self.stall = {}		# flow -> longest gap with losses, seconds
        self.control = set()	# VMs whose control datagram came back
        self.start()

    def note(self, vm, f, addr, anc):
        m = TOKEN.search(f)
        # A datagram's own payload on eth0, not a copy quoted by an ICMP
        # error.
        if addr[0] != "eth0" or not m or f[12:14] != b"\x08\x00" or \
                f[23] != 17:
            return
        kind, flow, seq = m.group(1), m.group(2).decode(), int(m.group(3))
        with self.lock:
            if kind == b"C":
                self.control.add(flow)
                return
            if addr[2] == socket.PACKET_OUTGOING:
                return
            t = self.timestamp(anc, time.time())
            key = (flow, vm)
            self.got[key] = self.got.get(key, 0) + 1
            prev = self.last.get(key)
            if prev and seq > prev[0] + 1:
                gap = t - prev[1]
                self.stall[flow] = max(self.stall.get(flow, 0.0), gap)
            if not prev or seq > prev[0]:
                self.last[key] = (seq, t)


def sockets_for(conf):
    socks = {}
    for vm in conf["vms"]:
        setns(conf["vms"][vm]["ns"])
        socks[vm] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        setns(None)
    return socks


def barrier(conf, caps, socks, timeout=60):
    deadline = time.monotonic() + timeout
    pending = set(conf["vms"])
    while pending and time.monotonic() < deadline:
        with caps.lock:
            pending -= caps.control
        for vm in sorted(pending):
            gw = conf["vms"][vm]["ip4"].rsplit(".", 1)[0] + ".1"
            try:
                socks[vm].sendto(b"@C%s-0@" % vm.encode(), (gw, 9))
            except OSError:
                pass
        time.sleep(0.2)
    return sorted(pending)


def send(conf, socks):
    """Every 10 ms, each flow's share of its rate; sent counts."""
    sent = {f["name"]: 0 for f in conf["flows"]}
    owed = {f["name"]: 0.0 for f in conf["flows"]}
    tick = 0.01
    nxt = time.monotonic()
    while not stop.is_set():
        for f in conf["flows"]:
            n = f["name"]
            owed[n] += f["pps"] * tick
            while owed[n] >= 1:
                owed[n] -= 1
                tok = b"@%s%s-%d@" % (b"P" if f.get("probe") else b"F",
                                      n.encode(), sent[n])
                try:
                    if f.get("fresh"):
                        # A new socket: a new source port, so a new
                        # connection in the module for every datagram.
                        with socket_in(conf["vms"][f["from"]]["ns"],
                                       socket.AF_INET,
                                       socket.SOCK_DGRAM) as s:
                            s.sendto(tok + b" " * 32, (f["to"], f["port"]))
                    else:
                        socks[f["from"]].sendto(tok + b" " * 32,
                                                (f["to"], f["port"]))
                    sent[n] += 1
                except OSError:
                    pass	# a flapping port's VM has no route for a moment
        nxt += tick
        delay = nxt - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            nxt = time.monotonic()
    return sent


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    conf = json.load(open(sys.argv[1]))
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    caps = Captures(conf["vms"])
    socks = sockets_for(conf)
    missing = barrier(conf, caps, socks)
    with open(sys.argv[2], "w") as f:
        f.write("missing %s\n" % " ".join(missing) if missing else "ready\n")
    if missing:
        caps.close()
        sys.exit(1)
    sent = send(conf, socks)
    # What is in flight arrives within this, or was dropped.
    time.sleep(0.5)
    lost = caps.close()
    out = {"sent": sent, "capture_lost": lost, "flows": {}}
    for f in conf["flows"]:
        n = f["name"]
        out["flows"][n] = {
            "sent": sent[n],
            "received": {vm: c for (fl, vm), c in caps.got.items()
                         if fl == n},
            "stall": round(caps.stall.get(n, 0.0), 3),
        }
    with open(sys.argv[3], "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
