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
"""
import os
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

    def family(self, name):
        err, text, replies = self.request(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
            nla_str(CTRL_ATTR_FAMILY_NAME, name))
        if err:
            sys.exit("family %s: errno %d %s" % (name, err, text))
        return struct.unpack("=H", replies[0][CTRL_ATTR_FAMILY_ID][:2])[0]


def main():
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
