#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Backends and clients for the load balancer selftests.

  lb.py serve NAME PORT       a backend: on TCP and UDP PORT (IPv4 and
                              IPv6), answers every line or datagram with
                              NAME; a datagram of more than 100 bytes with
                              one as long: NAME, a space and "x"s;
                              a datagram "big N" with N "x"s (a small
                              request, a large answer)
  lb.py ask tcp|udp ADDR PORT CONNS REQS
                              CONNS connections (TCP, or connected UDP
                              sockets, each from its own source port) of
                              REQS requests each; one line per connection:
                              the names that answered, or "failed". A
                              connected socket only accepts answers from
                              ADDR PORT: an answer proves it came from the
                              frontend. LB_TRIES in the environment: how
                              often to try a connect or a datagram (10, 5)
  lb.py hold ADDR PORT FILE   one TCP connection: prints the first answer,
                              waits until FILE exists, asks again and
                              prints "alive NAME" or "stopped"
  lb.py amp ADDR PORT SIZE N  one connected UDP socket asks "big SIZE" N
                              times, waiting up to 0.5 s for each answer;
                              prints how many answers came
  lb.py big SPORT SIZE MTU FILE ADDR PORT [ADDR PORT ...]
                              per ADDR PORT, a connected UDP socket from
                              SPORT sends a SIZE-byte datagram and prints
                              "NAME LENGTH" of the answer, or "failed";
                              then, the sockets still open, waits until
                              FILE exists and prints "mtu N" for each once
                              its path MTU is MTU or less (an ICMP error
                              taught it), or 10 s after FILE appeared
"""
import os
import socket
import sys
import threading
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(name, port):
    answer = (name + "\n").encode()

    def tcp_client(conn):
        with conn:
            f = conn.makefile("rb")
            for _ in f:
                conn.sendall(answer)

    def tcp():
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        s.listen(64)
        while True:
            conn, _ = s.accept()
            threading.Thread(target=tcp_client, args=(conn,),
                             daemon=True).start()

    def udp():
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", port))
        while True:
            data, peer = s.recvfrom(65535)
            if data.startswith(b"big "):
                s.sendto(b"x" * min(int(data[4:]), 65000), peer)
            elif len(data) > 100:
                pad = len(data) - len(answer)
                s.sendto(name.encode() + b" " + b"x" * pad, peer)
            else:
                s.sendto(answer, peer)

    threading.Thread(target=udp, daemon=True).start()
    tcp()


TRIES = int(os.environ.get("LB_TRIES", "10"))


def tcp_conn(addr, port, reqs):
    for _ in range(TRIES):
        try:
            s = socket.create_connection((addr, port), timeout=3)
            break
        except OSError:
            time.sleep(0.3)
    else:
        return "failed"
    names = []
    f = s.makefile("rb")
    try:
        for _ in range(reqs):
            s.sendall(b"who\n")
            line = f.readline().decode().strip()
            if not line:
                return "failed"
            names.append(line)
    except OSError:
        return "failed"
    finally:
        s.close()
    return " ".join(names)


def udp_conn(addr, port, reqs):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.connect((addr, port))
    s.settimeout(1.5)
    names = []
    try:
        for _ in range(reqs):
            for _ in range(min(TRIES, 5)):
                try:
                    s.send(b"who")
                    names.append(s.recv(2048).decode().strip())
                    break
                except socket.timeout:
                    continue
                except OSError:
                    return "failed"
            else:
                return "failed"
    finally:
        s.close()
    return " ".join(names)


def ask(proto, addr, port, conns, reqs):
    conn = tcp_conn if proto == "tcp" else udp_conn
    for _ in range(conns):
        print(conn(addr, port, reqs), flush=True)


def hold(addr, port, path):
    s = socket.create_connection((addr, port), timeout=5)
    f = s.makefile("rb")
    s.sendall(b"who\n")
    print(f.readline().decode().strip(), flush=True)
    while not os.path.exists(path):
        time.sleep(0.2)
    try:
        s.settimeout(4)
        s.sendall(b"who\n")
        line = f.readline().decode().strip()
        print("alive " + line if line else "stopped", flush=True)
    except OSError:
        print("stopped", flush=True)


IP_MTU = 14        # <linux/in.h>, not in Python's socket module
IPV6_MTU = 24


def big(sport, size, mtu, path, targets):
    socks = []
    for addr, port in targets:
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        if ":" in addr:
            # The same port in both families.
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::" if ":" in addr else "0.0.0.0", sport))
        s.connect((addr, port))
        s.settimeout(1.5)
        got = "failed"
        for _ in range(min(TRIES, 5)):
            try:
                s.send(b"x" * size)
                data = s.recv(65535)
                got = "%s %d" % (data.split(b" ")[0].decode(), len(data))
                break
            except socket.timeout:
                continue
            except OSError:
                break
        print(got, flush=True)
        socks.append(s)
    while not os.path.exists(path):
        time.sleep(0.2)
    deadline = time.time() + 10
    for s in socks:
        v6 = s.family == socket.AF_INET6
        level, opt = ((socket.IPPROTO_IPV6, IPV6_MTU) if v6 else
                      (socket.IPPROTO_IP, IP_MTU))
        while True:
            m = s.getsockopt(level, opt)
            if m <= mtu or time.time() > deadline:
                break
            time.sleep(0.1)
        print("mtu %d" % m, flush=True)


def amp(addr, port, size, n):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.connect((addr, port))
    s.settimeout(0.5)
    got = 0
    for _ in range(n):
        try:
            s.send(b"big %d" % size)
            if len(s.recv(65535)) == size:
                got += 1
        except (socket.timeout, OSError):
            pass
    print(got, flush=True)


def main():
    a = sys.argv[1:]
    if a[0] == "serve":
        serve(a[1], int(a[2]))
    elif a[0] == "ask":
        ask(a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
    elif a[0] == "amp":
        amp(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif a[0] == "hold":
        hold(a[1], int(a[2]), a[3])
    elif a[0] == "big":
        targets = [(a[i], int(a[i + 1])) for i in range(5, len(a), 2)]
        big(int(a[1]), int(a[2]), int(a[3]), a[4], targets)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
