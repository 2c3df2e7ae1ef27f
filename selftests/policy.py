#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Every op of the vnet family refuses every attribute it does not take.

usage: policy.py

For each op the family lists (CTRL_CMD_GETFAMILY) and each kind of
request it answers (do, dump), sends one request per attribute type the op
does not take (every VNET_A_* outside TAKES[op], plus type 0 and
VNET_A_MAX + 1), placed after a valid VNET_A_VNET when the op takes one,
and expects EINVAL with an extack whose offset (NLMSGERR_ATTR_OFFS) points
at that attribute: the policy refused it, not a handler that ran and failed
for another reason. Prints one line per op and kind:

  ok CMD do|dump N
  not ok CMD do|dump: ATTR errno E offset O (want W) "MESSAGE", ...

and "not ok CMD table" for an op the family lists that TAKES does not know
(or the reverse). Exits 1 when a line is "not ok". Attribute and command
names come from include/uapi/linux/vnet.h.
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlraw import (Genl, nla, nla_str, parse_attrs, u32,  # noqa: E402
                   NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP, NLMSG_ERROR,
                   NLMSG_DONE, NLM_F_ACK_TLVS, NLM_F_CAPPED,
                   NLMSGERR_ATTR_MSG, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_OPS,
                   CTRL_ATTR_OP_ID, CTRL_ATTR_OP_FLAGS, GENL_CMD_CAP_DO,
                   GENL_CMD_CAP_DUMP, NLA_F_NESTED)

NLMSGERR_ATTR_OFFS = 2
EINVAL = 22

# What each op takes, from the comment at the top of the uapi header. An op
# missing here, or listed here and missing from the family, is a failure.
NAME = ["VNET"]
TAKES = {
    "INFO_GET": [],
    "VNET_NEW": ["VNET", "ID", "PREFIXES", "ORIGIN"],
    "VNET_DEL": NAME,
    "VNET_GET": NAME,
    "PREFIX_NEW": ["VNET", "PREFIXES"],
    "PREFIX_DEL": ["VNET", "PREFIXES"],
    "SUBNET_NEW": ["VNET", "SUBNET", "PREFIXES", "ORIGIN"],
    "SUBNET_DEL": ["VNET", "SUBNET"],
    "SUBNET_GET": NAME,
    "PEERING_NEW": ["VNET", "PEERING", "REMOTE", "FLAGS", "ORIGIN"],
    "PEERING_SET": ["VNET", "PEERING", "FLAGS"],
    "PEERING_DEL": ["VNET", "PEERING"],
    "PEERING_GET": NAME,
    "PORT_NEW": ["IFNAME", "VNET", "SUBNET", "MAC", "ADDRS", "PORT_FLAGS"],
    "PORT_SET": ["IFNAME", "MAC", "ADDRS", "PORT_FLAGS"],
    "PORT_DEL": ["IFNAME"],
    "PORT_GET": ["IFNAME"],
    "STATS_GET": ["IFNAME"],
    "ACL_NEW": ["VNET", "ACL_SCOPE", "SUBNET", "IFNAME", "ACL_DIR",
                "ACL_PRIO", "ACL_ACTION", "ACL_PROTO", "ACL_SRC", "ACL_DST",
                "ACL_SPORT", "ACL_DPORT", "ACL_FROM_VNET", "ACL_DEFER",
                "ORIGIN"],
    "ACL_DEL": ["VNET", "ACL_SCOPE", "SUBNET", "IFNAME", "ACL_DIR",
                "ACL_PRIO", "ACL_DEFER"],
    "ACL_GET": NAME,
    "ACL_COMMIT": [],
    "ROUTE_NEW": ["VNET", "SUBNET", "ROUTE_PREFIX", "ROUTE_NEXTHOP",
                  "ROUTE_VIA", "ORIGIN"],
    "ROUTE_DEL": ["VNET", "SUBNET", "ROUTE_PREFIX"],
    "ROUTE_GET": ["VNET", "SUBNET", "ROUTE_EFFECTIVE"],
    "GATEWAY_SET": ["VNET", "IFNAME", "PREFIXES"],
    "GATEWAY_DEL": NAME,
    "GATEWAY_GET": NAME,
    "TRACE": ["VNET", "IFNAME", "TRACE_SRC", "TRACE_DST", "TRACE_PROTO",
              "TRACE_SPORT", "TRACE_DPORT"],
    "LB_NEW": ["VNET", "LB", "LB_FRONTEND", "LB_PROTO", "LB_PORT",
               "LB_BACKENDS", "ORIGIN", "LB_REPLACE"],
    "LB_DEL": ["VNET", "LB"],
    "LB_GET": NAME,
    "ENDPOINT_NEW": ["VNET", "ENDPOINT_IP", "MAC", "ENDPOINT_UNDERLAY",
                     "PORT_FLAGS", "ORIGIN"],
    "ENDPOINT_DEL": ["VNET", "ENDPOINT_IP"],
    "ENDPOINT_GET": NAME,
}


# A well-formed value of each attribute, so that a policy that took one
# where it should not would let it through, and the refusal that follows
# would come from the handler (another errno, or no offset), not the policy.
STR, U8, U16, U32, FLAG, MAC, BITS, ADDR, PREFIX, LIST, NEST = range(11)
KIND = {
    "VERSION": STR, "ROUTER_MAC": MAC, "OBJECTS": NEST, "ERROR_MSG": STR,
    "VNET": STR, "ID": U32, "PREFIXES": LIST, "SUBNET": STR,
    "PEERING": STR, "REMOTE": STR, "FLAGS": BITS, "STATE": U8,
    "IFNAME": STR, "MAC": MAC, "ADDRS": LIST, "PORT_FLAGS": BITS,
    "STATS": NEST, "ACL_SCOPE": U8, "ACL_DIR": U8, "ACL_PRIO": U16,
    "ACL_ACTION": U8, "ACL_PROTO": U8, "ACL_SRC": PREFIX,
    "ACL_DST": PREFIX, "ACL_SPORT": U32, "ACL_DPORT": U32,
    "ACL_FROM_VNET": STR, "ACL_DEFER": FLAG, "ACL_RULES": U32,
    "ACL_ADDED": U32, "ACL_REMOVED": U32, "ROUTE_PREFIX": PREFIX,
    "ROUTE_NEXTHOP": U8, "ROUTE_VIA": ADDR, "ROUTE_EFFECTIVE": FLAG,
    "ROUTE_SOURCE": U8, "ROUTE_ACTIVE": U8, "ROUTE_STATUS": STR,
    "TRACE_SRC": ADDR, "TRACE_DST": ADDR, "TRACE_PROTO": U8,
    "TRACE_SPORT": U16, "TRACE_DPORT": U16, "TRACE_STEPS": NEST,
    "TRACE_DROP": U8, "TRACE_TO": STR, "LB": STR, "LB_FRONTEND": ADDR,
    "LB_PROTO": U8, "LB_PORT": U16, "LB_BACKENDS": NEST,
    "ENDPOINT_IP": ADDR, "ENDPOINT_UNDERLAY": ADDR, "ORIGIN": U8, "LB_REPLACE": FLAG,
}
VNET_PREFIX_A_IN_ADDR = 1
VNET_PREFIX_A_LEN = 3


def value(t, name):
    """Attribute T (NAME, or None beyond VNET_A_MAX) with a valid value."""
    kind = KIND.get(name, U32)
    addr = nla(VNET_PREFIX_A_IN_ADDR, socket.inet_aton("10.0.0.1"))
    pfx = nla(VNET_PREFIX_A_IN_ADDR, socket.inet_aton("10.0.0.0")) + \
        nla(VNET_PREFIX_A_LEN, struct.pack("=B", 8))
    if kind == STR:
        return nla_str(t, "x")
    if kind in (ADDR, PREFIX, LIST, NEST):
        inner = {ADDR: addr, PREFIX: pfx, LIST: nla(1 | NLA_F_NESTED, pfx),
                 NEST: b""}[kind]
        return nla(t | NLA_F_NESTED, inner)
    payload = {U8: struct.pack("=B", 1), U16: struct.pack("=H", 100),
               U32: struct.pack("=I", 100), FLAG: b"", MAC: bytes(6),
               BITS: struct.pack("=II", 0, 0)}[kind]
    return nla(t, payload)


def enum_names(first, prefix):
    """The names of the enum that starts with FIRST, by value."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                          "include", "uapi", "linux", "vnet.h")
    with open(header) as f:
        text = f.read()
    body = text[text.index("\t%s," % first):]
    body = body[:body.index("}")]
    names = [w.strip().rstrip(",") for w in body.split("\n")]
    return [n[len(prefix):] for n in names
            if n.startswith(prefix) and not n.startswith("__")]


def ask(g, fam, cmd, attrs, dump):
    """One request: (errno, extack offset or None, extack message)."""
    g.seq += 1
    flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    g.sock.send(struct.pack("=IHHII", 16 + len(body), fam, flags, g.seq, 0)
                + body)
    while True:
        data = g.sock.recv(65536)
        while data:
            mlen, mtype, mflags, _, _ = struct.unpack("=IHHII", data[:16])
            payload = data[16:mlen]
            data = data[(mlen + 3) & ~3:]
            if mtype not in (NLMSG_ERROR, NLMSG_DONE):
                continue	# a reply or a VNET_CMD_ERROR text
            err = -struct.unpack("=i", payload[:4])[0]
            tlv = {}
            if mtype == NLMSG_ERROR and mflags & NLM_F_ACK_TLVS:
                skip = 4 + (16 if mflags & NLM_F_CAPPED else
                            struct.unpack("=I", payload[4:8])[0])
                tlv = parse_attrs(payload[skip:])
            offs = tlv.get(NLMSGERR_ATTR_OFFS)
            msg = tlv.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()
            return err, u32(offs) if offs else None, msg


def main():
    if len(sys.argv) != 1:
        sys.exit(__doc__)
    cmds = enum_names("VNET_CMD_UNSPEC", "VNET_CMD_")
    attrs = enum_names("VNET_A_UNSPEC", "VNET_A_")
    a_max = len(attrs) - 1
    unknown = set(attrs[1:]) ^ set(KIND)
    if unknown:
        sys.exit("policy.py: KIND does not match the header: %s"
                 % " ".join(sorted(unknown)))
    g = Genl()
    info = g.family_info("vnet")
    fam = struct.unpack("=H", info[CTRL_ATTR_FAMILY_ID][:2])[0]
    ops = {}
    for op in parse_attrs(info[CTRL_ATTR_OPS]).values():
        a = parse_attrs(op)
        ops[cmds[u32(a[CTRL_ATTR_OP_ID])]] = u32(a[CTRL_ATTR_OP_FLAGS])
    failed = False
    for name in sorted(set(ops) ^ set(TAKES)):
        print("not ok %s table: %s" % (name, "not in TAKES" if name in ops
                                       else "not an op of the family"))
        failed = True
    for name in sorted(set(ops) & set(TAKES)):
        takes = set(TAKES[name])
        foreign = [t for t in range(a_max + 2)
                   if t > a_max or attrs[t] not in takes]
        # A valid name first, when the op takes one: the foreign attribute
        # is then not the first, and its offset says which was refused.
        head = nla_str(attrs.index("VNET"), "x") if "VNET" in takes else b""
        kinds = [k for k, bit in (("do", GENL_CMD_CAP_DO),
                                  ("dump", GENL_CMD_CAP_DUMP))
                 if ops[name] & bit]
        for kind in kinds:
            bad = []
            for t in foreign:
                label = attrs[t] if 0 < t <= a_max else None
                want = 16 + 4 + len(head)	# nlmsghdr, genlmsghdr, head
                err, offs, msg = ask(g, fam, cmds.index(name),
                                     head + value(t, label), kind == "dump")
                if err != EINVAL or offs != want:
                    label = label or "type %d" % t
                    bad.append('%s errno %d offset %s (want %d) "%s"'
                               % (label, err, offs, want, msg))
            if bad:
                failed = True
                print("not ok %s %s: %s" % (name, kind, ", ".join(bad)))
            else:
                print("ok %s %s %d" % (name, kind, len(foreign)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
