#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""UDP request and answer for the connection tracking selftests.

  udp.py serve ADDR PORT [DELAY]   answer each datagram after DELAY seconds
  udp.py spray N ADDR PORT          one datagram from each of N source ports
  udp.py stream SPORT ADDR PORT     a datagram from SPORT every millisecond,
                                   until killed
  udp.py ask SPORT ADDR PORT [WAIT]  send one datagram from SPORT, print
                                   what came back within WAIT seconds (2):
                                   "reply", "refused" (an ICMP port
                                   unreachable) or "timeout"
"""
import resource
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(addr, port, delay):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    if ":" in addr:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(2048)
        time.sleep(delay)
        s.sendto(b"re:" + data, peer)


def ask(sport, addr, port, wait):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind(("::" if ":" in addr else "0.0.0.0", sport))
    s.connect((addr, port))
    s.settimeout(wait)
    try:
        s.send(b"ping")
        s.recv(2048)
        print("reply")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")


def spray(n, addr, port):
    resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))
    socks = []
    for _ in range(n):
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.sendto(b"spray", (addr, port))
        socks.append(s)
    time.sleep(1)
    print(len(socks))


def stream(sport, addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind(("::" if ":" in addr else "0.0.0.0", sport))
    while True:
        s.sendto(b"stream", (addr, port))
        time.sleep(0.001)


def main():
    if sys.argv[1] == "serve":
        delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0
        serve(sys.argv[2], int(sys.argv[3]), delay)
    elif sys.argv[1] == "spray":
        spray(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "stream":
        stream(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "ask":
        wait = float(sys.argv[5]) if len(sys.argv) > 5 else 2
        ask(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), wait)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
