#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Documentation/netlink/specs/vnet.yaml against include/uapi/linux/vnet.h.

Both ways: every command, attribute (of every attribute set), enum entry,
flag and constant of the spec is in the header with the same value, and
every enum of the header that the spec names (commands, each attribute
set, each enum) has no entry the spec lacks. Attribute types are checked
against the policies' point of view where the header fixes them: names
are strings, nests name a set the spec defines, enum-typed attributes name
an enum the spec defines. Prints TAP; exits 1 on a mismatch.
"""
import os
import re
import sys

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SPEC = os.path.join(ROOT, "Documentation", "netlink", "specs", "vnet.yaml")
HEADER = os.path.join(ROOT, "include", "uapi", "linux", "vnet.h")

n = 0
failed = 0


def check(ok, what, detail=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    if not ok:
        failed += 1
        for line in str(detail).splitlines():
            print("# " + line)


def header_enums(text):
    """enum name -> [(ENTRY, value)] with C's implicit numbering."""
    out = {}
    for m in re.finditer(r"enum (\w+) \{(.*?)\};", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", m.group(2), flags=re.S)
        value, entries = -1, []
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name = name.strip()
            if expr.strip():
                value = eval(expr.strip().replace("U", ""))  # 1U << 2
            else:
                value += 1
            if not name.startswith("__"):
                entries.append((name, value))
        out[m.group(1)] = entries
    return out


def header_defines(text):
    return {m.group(1): m.group(2) for m in
            re.finditer(r"#define (VNET_\w+)\s+(\S+)", text)}


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def compare(what, spec, header):
    """Two {NAME: value} maps, both ways."""
    missing = sorted(set(header) - set(spec))
    extra = sorted(set(spec) - set(header))
    wrong = sorted(k for k in set(spec) & set(header) if spec[k] != header[k])
    check(not missing, "%s: every header entry is in the spec" % what,
          " ".join(missing))
    check(not extra, "%s: every spec entry is in the header" % what,
          " ".join(extra))
    check(not wrong, "%s: the same values" % what,
          "\n".join("%s: spec %s, header %s" % (k, spec[k], header[k])
                    for k in wrong))


def numbered(entries, prefix, start, key="name"):
    """Spec entries (with optional explicit values) -> {C_NAME: value}."""
    out, value = {}, start - 1
    for e in entries:
        if isinstance(e, str):
            e = {key: e}
        value = e.get("value", value + 1)
        out[c_name(prefix, e[key])] = value
    return out


def main():
    with open(SPEC) as f:
        spec = yaml.safe_load(f)
    with open(HEADER) as f:
        text = f.read()
    enums = header_enums(text)
    defines = header_defines(text)

    check(spec["protocol"] == "genetlink-legacy", "protocol genetlink-legacy")
    check('"%s"' % spec["name"] == defines["VNET_GENL_NAME"],
          "family name is VNET_GENL_NAME")
    check(str(spec["version"]) == defines["VNET_GENL_VERSION"],
          "version is VNET_GENL_VERSION")

    defs = {d["name"]: d for d in spec["definitions"]}
    for d in spec["definitions"]:
        if d["type"] != "const":
            continue
        name = c_name("vnet-", d["name"])
        if name not in defines:	# tunnel-port is VNET_TUNNEL_PORT
            name = "VNET_" + d["name"].upper().replace("-", "_")
        check(defines.get(name) == str(d["value"]),
              "constant %s is %s" % (d["name"], name),
              "header: %s" % defines.get(name))
    for d in spec["definitions"]:
        if d["type"] not in ("enum", "flags"):
            continue
        start = 0
        spec_map = numbered(d["entries"], d["name-prefix"], start)
        if d["type"] == "flags":
            spec_map = {k: 1 << v for k, v in spec_map.items()}
        compare("enum %s" % d["enum-name"], spec_map,
                dict(enums[d["enum-name"]]))

    sets = {s["name"]: s for s in spec["attribute-sets"]}
    for s in spec["attribute-sets"]:
        header = {k: v for k, v in enums[s["enum-name"]]
                  if not k.endswith("_UNSPEC")}
        compare("attribute set %s (%s)" % (s["name"], s["enum-name"]),
                numbered(s["attributes"], s["name-prefix"], 1), header)
        bad = []
        for a in s["attributes"]:
            if "nested-attributes" in a and a["nested-attributes"] not in sets:
                bad.append("%s: no set %s" % (a["name"],
                                              a["nested-attributes"]))
            if "enum" in a and (a["enum"] not in defs or
                                defs[a["enum"]]["type"] not in
                                ("enum", "flags")):
                bad.append("%s: no enum %s" % (a["name"], a["enum"]))
        check(not bad, "attribute set %s: nests and enums it names exist"
              % s["name"], "\n".join(bad))
    # Every enum of the header with attributes has a set in the spec.
    attr_enums = {k for k in enums if k.endswith("_attr")}
    check(attr_enums == {s["enum-name"] for s in spec["attribute-sets"]},
          "every attribute enum of the header has a set",
          " ".join(sorted(attr_enums ^ {s["enum-name"]
                                        for s in spec["attribute-sets"]})))

    ops = spec["operations"]
    header = {k: v for k, v in enums[ops["enum-name"]]
              if not k.endswith("_UNSPEC")}
    compare("commands (%s)" % ops["enum-name"],
            numbered(ops["list"], ops["name-prefix"], 1), header)
    vnet_attrs = {a["name"] for a in sets["vnet"]["attributes"]}
    bad = []
    for op in ops["list"]:
        for kind in ("do", "dump", "event"):
            part = op.get(kind)
            if not part:
                continue
            for msg in ("request", "reply"):
                names = (part.get(msg) or {}).get("attributes", [])
                if kind == "event" and msg == "request":
                    names = part.get("attributes", [])
                bad += ["%s %s %s: %s" % (op["name"], kind, msg, a)
                        for a in names if a not in vnet_attrs]
    check(not bad, "operations name only attributes of the vnet set",
          "\n".join(bad))
    groups = [g["name"] for g in spec["mcast-groups"]["list"]]
    check(groups == [defines["VNET_MCGRP_EVENTS"].strip('"')],
          "multicast group is VNET_MCGRP_EVENTS")
    print("1..%d" % n)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
