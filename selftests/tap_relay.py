#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Plays QEMU for a VM whose NIC is a tap: tap_relay.py TAP VETH

Creates the tap TAP in the current network namespace (the host's, where
vnet's ports live) the way QEMU's -netdev tap,ifname=TAP does: it opens
/dev/net/tun and asks TUNSETIFF for TAP with IFF_TAP | IFF_NO_PI |
IFF_VNET_HDR, not persistent, so the tap lives exactly as long as this
process holds the fd. It binds an AF_PACKET socket to VETH, the host end
of a veth pair whose other end is the "VM": a namespace whose own kernel
speaks ARP, ND, ping and TCP. VETH is not a vnet port and has no address.
Both interfaces are set up, then the line "ready TAP" goes to stdout (the
test waits for it); from then on every frame is relayed both ways:

  VM -> host: a frame the VM's eth0 sent, received on VETH (an incoming
              frame: the socket also sees what the kernel transmits on
              VETH, PACKET_OUTGOING, which is ours and would loop), is
              written to the tap fd: it enters the host as the VM's
              frame on TAP, where vnet's ingress hook takes it;
  host -> VM: a frame the host transmits on TAP (vnet delivering to the
              port) is read from the tap fd and sent on VETH.

Offloads as QEMU with a virtio-net guest: the socket (PACKET_VNET_HDR)
and the tap (IFF_VNET_HDR) both carry a struct virtio_net_hdr before each
frame, so a VM's TCP segment that is large or whose checksum is left to
the "hardware" (veth offloads are on) goes through as such and the host
finishes it. The tap offers no offloads of its own (no TUNSETOFFLOAD), so
the host hands it finished frames, with a header of zeros.

SIGTERM (or SIGINT) ends it; the fd closes and the kernel deletes TAP,
as when a VM stops.
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_VNET_HDR = 15
PACKET_OUTGOING = 4
BUF = 65536 + 1024	# a 64 KiB GSO frame, its headers, the virtio header


def ifreq(name, flags=0):
    return struct.pack("16sH22x", name.encode(), flags)


def set_up(ctl, name):
    flags = struct.unpack("16sH22x",
                          fcntl.ioctl(ctl, SIOCGIFFLAGS, ifreq(name)))[1]
    fcntl.ioctl(ctl, SIOCSIFFLAGS, ifreq(name, flags | IFF_UP))


def stop(_sig, _frame):
    raise SystemExit(0)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: tap_relay.py TAP VETH")
    tap_name, veth = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    # os.open sets O_CLOEXEC: no child may keep the tap alive.
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF,
                ifreq(tap_name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))

    # Protocol 0 until bound: no frame of another interface gets in.
    pkt = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    pkt.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    pkt.bind((veth, ETH_P_ALL))

    ctl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    set_up(ctl, veth)
    set_up(ctl, tap_name)
    ctl.close()

    print("ready", tap_name, flush=True)

    poller = select.poll()
    poller.register(tap, select.POLLIN)
    poller.register(pkt.fileno(), select.POLLIN)
    while True:
        for fd, _ in poller.poll():
            try:
                if fd == tap:
                    frame = os.read(tap, BUF)
                    pkt.send(frame)
                else:
                    frame, addr = pkt.recvfrom(BUF)
                    if addr[2] == PACKET_OUTGOING:
                        continue
                    os.write(tap, frame)
            except OSError:
                # A frame the other side refuses (the tap going down,
                # a full queue) is lost, as on a wire.
                pass


if __name__ == "__main__":
    main()
