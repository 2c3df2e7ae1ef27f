#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A second, independent client of the vnet family: raw generic netlink
requests that vnetctl would never send, to prove the module's own
validation (strict policies, required attributes, permissions).

usage: nlraw.py CASE
  unknown-attr      VNET_NEW with an attribute type beyond the family's
  foreign-attr      VNET_NEW with an attribute valid elsewhere (REMOTE)
  missing-attr      VNET_NEW without VNET_A_ID
  bad-name          VNET_NEW whose name has a '/'
  host-bits         VNET_NEW with prefix 10.0.0.1/8
  unprivileged      VNET_NEW after dropping to uid 65534 (needs root)
  ok                VNET_NEW of vnet "raw" id 4242 prefix 10.242.0.0/16

Prints "errno N: MESSAGE" for a refusal (0 when accepted) and exits 0 when
the kernel answered at all.

usage: nlraw.py perms
  What this process may do (run it under setpriv or unshare -U): for each
  op the family lists (CTRL_CMD_GETFAMILY), "CMD flags PERM" (PERM:
  uns-admin for GENL_UNS_ADMIN_PERM, admin for GENL_ADMIN_PERM, else none)
  and "CMD do|dump errno N" for a request of each kind the op takes, sent
  without attributes; then "events join errno N" for joining the events
  group. CMD is the name in include/uapi/linux/vnet.h.
"""
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NETLINK_EXT_ACK = 11
NLMSGERR_ATTR_MSG = 1
NLM_F_ACK_TLVS = 0x200
NLM_F_CAPPED = 0x100
NLM_F_DUMP = 0x300
NLMSG_DONE = 3
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
CTRL_ATTR_OPS = 6
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
GENL_ADMIN_PERM = 0x01
GENL_CMD_CAP_DO = 0x02
GENL_CMD_CAP_DUMP = 0x04
GENL_UNS_ADMIN_PERM = 0x10

# include/uapi/linux/vnet.h
VNET_CMD_VNET_NEW = 3
VNET_CMD_ERROR = 2
VNET_A_ERROR_MSG = 4
VNET_A_VNET = 5
VNET_A_ID = 6
VNET_A_PREFIXES = 7
VNET_A_REMOTE = 10
VNET_PREFIX_A_IN_ADDR = 1
VNET_PREFIX_A_LEN = 3
NLA_F_NESTED = 0x8000


def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def nla_str(atype, s):
    return nla(atype, s.encode() + b"\0")


def nla_u32(atype, v):
    return nla(atype, struct.pack("=I", v))


def prefix(addr, plen):
    inner = nla(VNET_PREFIX_A_IN_ADDR, socket.inet_aton(addr))
    inner += nla(VNET_PREFIX_A_LEN, struct.pack("=B", plen))
    return nla(VNET_A_PREFIXES | NLA_F_NESTED, nla(1 | NLA_F_NESTED, inner))


def uapi_enum(name):
    """{NAME: value} of enum NAME of include/uapi/linux/vnet.h, which
    numbers its entries from 0 without initialisers."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                          "include", "uapi", "linux", "vnet.h")
    with open(header) as f:
        text = f.read()
    body = re.search(r"enum " + name + r" \{(.*?)\};", text, re.S).group(1)
    return {n: i for i, n in
            enumerate(re.findall(r"^\s*(\w+),", body, re.M))}


def parse_attrs(buf):
    out = {}
    while len(buf) >= 4:
        alen, atype = struct.unpack("=HH", buf[:4])
        if alen < 4:
            break
        out[atype & 0x3fff] = buf[4:alen]
        buf = buf[(alen + 3) & ~3:]
    return out


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(270, NETLINK_EXT_ACK, 1)  # SOL_NETLINK
        self.sock.bind((0, 0))
        self.seq = 1

    def request(self, family, cmd, attrs, flags=NLM_F_REQUEST | NLM_F_ACK):
        """Send one request; return (errno, message, replies)."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + attrs
        msg = struct.pack("=IHHII", 16 + len(body), family, flags,
                          self.seq, 0) + body
        self.sock.send(msg)
        replies, detail = [], None
        while True:
            data = self.sock.recv(65536)
            while data:
                mlen, mtype, mflags, seq, _ = struct.unpack("=IHHII",
                                                            data[:16])
                payload = data[16:mlen]
                data = data[(mlen + 3) & ~3:]
                if mtype == NLMSG_DONE:
                    err = -struct.unpack("=i", payload[:4])[0]
                    return err, detail or "", replies
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack("=i", payload[:4])[0]
                    text = detail
                    if mflags & NLM_F_ACK_TLVS:
                        skip = 4 + (16 if mflags & NLM_F_CAPPED else
                                    struct.unpack("=I", payload[4:8])[0])
                        tlv = parse_attrs(payload[skip:])
                        if not text and NLMSGERR_ATTR_MSG in tlv:
                            text = tlv[NLMSGERR_ATTR_MSG].rstrip(b"\0")
                            text = text.decode()
                    return err, text or "", replies
                attrs = parse_attrs(payload[4:])
                if payload[0] == VNET_CMD_ERROR and family != GENL_ID_CTRL:
                    detail = attrs[VNET_A_ERROR_MSG].rstrip(b"\0").decode()
                else:
                    replies.append(attrs)

    def family_info(self, name):
        err, text, replies = self.request(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            nla_str(CTRL_ATTR_FAMILY_NAME, name))
        if err:
            sys.exit("family %s: errno %d %s" % (name, err, text))
        return replies[0]

    def family(self, name):
        info = self.family_info(name)
        return struct.unpack("=H", info[CTRL_ATTR_FAMILY_ID][:2])[0]


def u32(buf):
    return struct.unpack("=I", buf[:4])[0]


def command_names():
    """VNET_CMD_* by value, from the enum of the uapi header."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                          "include", "uapi", "linux", "vnet.h")
    with open(header) as f:
        text = f.read()
    body = text[text.index("\tVNET_CMD_UNSPEC,"):]
    body = body[:body.index("}")]
    names = [w.strip().rstrip(",") for w in body.split("\n")]
    return [n for n in names if n.startswith("VNET_CMD_")]


def perms(g):
    """Each op of the family, and the events group, as this process."""
    info = g.family_info("vnet")
    fam = struct.unpack("=H", info[CTRL_ATTR_FAMILY_ID][:2])[0]
    names = command_names()
    ops = []
    for op in parse_attrs(info[CTRL_ATTR_OPS]).values():
        a = parse_attrs(op)
        ops.append((u32(a[CTRL_ATTR_OP_ID]), u32(a[CTRL_ATTR_OP_FLAGS])))
    group = None
    for grp in parse_attrs(info.get(CTRL_ATTR_MCAST_GROUPS, b"")).values():
        a = parse_attrs(grp)
        if a[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0") == b"events":
            group = u32(a[CTRL_ATTR_MCAST_GRP_ID])
    for cmd, flags in sorted(ops):
        name = names[cmd] if cmd < len(names) else "cmd-%d" % cmd
        perm = "uns-admin" if flags & GENL_UNS_ADMIN_PERM else (
            "admin" if flags & GENL_ADMIN_PERM else "none")
        print("%s flags %s" % (name, perm))
        if flags & GENL_CMD_CAP_DO:
            err, _, _ = g.request(fam, cmd, b"")
            print("%s do errno %d" % (name, err))
        if flags & GENL_CMD_CAP_DUMP:
            err, _, _ = g.request(fam, cmd, b"",
                                  NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP)
            print("%s dump errno %d" % (name, err))
    try:
        g.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
        err = 0
    except OSError as e:
        err = e.errno
    print("events join errno %d" % err)


def main():
    if sys.argv[1:] == ["perms"]:
        perms(Genl())
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    case = sys.argv[1]
    g = Genl()
    fam = g.family("vnet")
    base = nla_str(VNET_A_VNET, "raw") + nla_u32(VNET_A_ID, 4242)
    pfx = prefix("10.242.0.0", 16)
    cases = {
        "ok": base + pfx,
        "unknown-attr": base + pfx + nla_u32(99, 1),
        "foreign-attr": base + pfx + nla_str(VNET_A_REMOTE, "x"),
        "missing-attr": nla_str(VNET_A_VNET, "raw") + pfx,
        "bad-name": nla_str(VNET_A_VNET, "a/b") + nla_u32(VNET_A_ID, 4242)
        + pfx,
        "host-bits": base + prefix("10.0.0.1", 8),
        "unprivileged": base + pfx,
    }
    if case not in cases:
        sys.exit(__doc__)
    if case == "unprivileged":
        os.setgid(65534)
        os.setuid(65534)
    err, text, _ = g.request(fam, VNET_CMD_VNET_NEW, cases[case])
    print("errno %d: %s" % (err, text))


if __name__ == "__main__":
    main()
