/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vnet: virtual networks with peering for Linux hosts.
 *
 * The generic netlink family "vnet" (VNET_GENL_NAME, VNET_GENL_VERSION) is
 * the only interface of the module. Every object lives in the network
 * namespace of the socket that talks to it. Every command, reads included
 * (GET requests and dumps, STATS_GET, TRACE, INFO_GET), and joining the
 * events group need CAP_NET_ADMIN in the user namespace that owns that
 * network namespace (GENL_UNS_ADMIN_PERM, GENL_MCAST_CAP_NET_ADMIN): the
 * state names every tenant's addresses and rules. Refusals are -EPERM
 * without an extack message.
 *
 * Requests carry no NLM_F_CREATE/NLM_F_EXCL: a family of Linux 6.1 refuses
 * flags other than NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO and NLM_F_DUMP.
 *
 * Commands and their attributes ([R] required, [O] optional):
 *
 * VNET_CMD_INFO_GET: doit, no attributes (any is refused). Reply:
 *    VNET_A_VERSION: NLA_NUL_STRING, module version
 *    VNET_A_ROUTER_MAC: 6 bytes, the virtual router MAC of this namespace
 *    VNET_A_OBJECTS: NLA_NESTED, live object counts of this namespace
 *        VNET_OBJ_A_VNETS, VNET_OBJ_A_SUBNETS, VNET_OBJ_A_PEERINGS,
 *        VNET_OBJ_A_PREFIXES: NLA_U32
 *
 * VNET_CMD_VNET_NEW:  [R] VNET_A_VNET, [R] VNET_A_ID, [R] VNET_A_PREFIXES
 * VNET_CMD_VNET_DEL:  [R] VNET_A_VNET
 * VNET_CMD_VNET_GET:  doit with [R] VNET_A_VNET, or dump of all vnets in
 *                     name order. Reply: VNET_A_VNET, VNET_A_ID,
 *                     VNET_A_PREFIXES.
 * VNET_CMD_PREFIX_NEW, VNET_CMD_PREFIX_DEL:
 *                     [R] VNET_A_VNET, [R] VNET_A_PREFIXES (exactly one)
 *
 * VNET_CMD_SUBNET_NEW: [R] VNET_A_VNET, [R] VNET_A_SUBNET,
 *                      [R] VNET_A_PREFIXES (one or two, at most one per
 *                      address family)
 * VNET_CMD_SUBNET_DEL: [R] VNET_A_VNET, [R] VNET_A_SUBNET
 * VNET_CMD_SUBNET_GET: dump, [O] VNET_A_VNET restricts it to one vnet.
 *                      Reply: VNET_A_VNET, VNET_A_SUBNET, VNET_A_PREFIXES.
 *
 * VNET_CMD_PEERING_NEW: [R] VNET_A_VNET, [R] VNET_A_PEERING,
 *                       [R] VNET_A_REMOTE, [O] VNET_A_FLAGS (flags not in
 *                       the selector take their defaults)
 * VNET_CMD_PEERING_SET: [R] VNET_A_VNET, [R] VNET_A_PEERING,
 *                       [R] VNET_A_FLAGS (only the selected flags change)
 * VNET_CMD_PEERING_DEL: [R] VNET_A_VNET, [R] VNET_A_PEERING
 * VNET_CMD_PEERING_GET: dump, [O] VNET_A_VNET. Reply: VNET_A_VNET,
 *                       VNET_A_PEERING, VNET_A_REMOTE, VNET_A_FLAGS (all
 *                       flags selected), VNET_A_STATE.
 *
 * VNET_CMD_PORT_NEW: [R] VNET_A_IFNAME, [R] VNET_A_VNET, [R] VNET_A_SUBNET,
 *                    [R] VNET_A_MAC, [R] VNET_A_ADDRS, [O] VNET_A_PORT_FLAGS.
 *                    A port is named by its interface, which need not
 *                    exist: the port is VNET_PORT_ABSENT until an interface
 *                    of that name appears in the namespace (created,
 *                    renamed to it, moved in), then VNET_PORT_UP; when the
 *                    interface goes (or is renamed away) the port is
 *                    absent again and keeps its addresses, ACLs and roles.
 * VNET_CMD_PORT_SET: [R] VNET_A_IFNAME, [O] VNET_A_MAC, [O] VNET_A_ADDRS
 *                    (replaces the whole list), [O] VNET_A_PORT_FLAGS: a
 *                    port changed in place; its ACLs and roles stay.
 * VNET_CMD_PORT_DEL: [R] VNET_A_IFNAME. Refused (-EBUSY) while the port is
 *                    its vnet's gateway: VNET_CMD_GATEWAY_DEL first.
 * VNET_CMD_PORT_GET: doit with [R] VNET_A_IFNAME, or dump in name order.
 *                    Reply: VNET_A_IFNAME, VNET_A_VNET, VNET_A_SUBNET,
 *                    VNET_A_MAC, VNET_A_ADDRS, VNET_A_PORT_FLAGS (all
 *                    flags selected), VNET_A_STATE (NLA_U8, enum
 *                    vnet_port_state).
 * VNET_CMD_PORT_STATE: event only, with the attributes of a PORT_GET reply,
 *                    when a port's interface appears or goes.
 * VNET_CMD_STATS_GET: doit with [R] VNET_A_IFNAME, or dump of all ports:
 *                    VNET_A_IFNAME and VNET_A_STATS per port, then the
 *                    tunnel device (VNET_TUNNEL_IFNAME) if there is one:
 *                    RX is what came out of the tunnel, TX what went into
 *                    it, drops those of packets out of the tunnel.
 *    VNET_A_STATS: NLA_NESTED
 *        VNET_STATS_A_RX_PACKETS, VNET_STATS_A_RX_BYTES: NLA_U64, what
 *            the port sent into the vnet (received on the host side)
 *        VNET_STATS_A_TX_PACKETS, VNET_STATS_A_TX_BYTES: NLA_U64, what
 *            the vnet delivered to the port
 *        VNET_STATS_A_DROPS: NLA_NESTED, attribute type = enum
 *            vnet_drop_reason + 1, NLA_U64 each (zero counts omitted)
 *        VNET_STATS_A_CONNS: NLA_U32, tracked connections the port opened
 *        VNET_STATS_A_FRAGMENTS: NLA_U32, fragment entries it opened (the
 *            decision of a first fragment, kept for the later ones)
 *        VNET_STATS_A_LB_FLOWS: NLA_U32, load balancer connections it
 *            opened as a client
 *        VNET_STATS_A_DENIED_FLOWS: NLA_U32, flows it sent that the rules
 *            denied, whose verdict the flow table keeps
 *        The first three count against the port's and its vnet's shares
 *        (module parameters ct_max_per_port, ct_max_per_vnet); denied
 *        flows against pools of a quarter of each, apart.
 *        VNET_STATS_A_FLOW_HITS, VNET_STATS_A_FLOW_MISSES,
 *        VNET_STATS_A_FLOW_RECOMPUTES: NLA_U64, the IP packets the port
 *            sent that the flow table decided at once (a hit:
 *            delivered, or dropped as a flow the rules denied), that
 *            found no entry that knew where they go (a miss), or found
 *            one that knew before the last change of configuration and
 *            took the full path again (a recomputation)
 *        VNET_STATS_A_FLOW_INSERT_FAILED: NLA_U64, connections the
 *            port opened whose entry the table could not take (it could
 *            not grow at that moment): their packets passed untracked
 *        VNET_STATS_A_FLOW_CARRIED: NLA_U64, of the hits, those whose
 *            entry knew the flow from before the last change of ACL
 *            rules, which changed no rule that matches the flow: the
 *            entry was carried over the change without the full path
 *
 * VNET_CMD_ACL_NEW: [R] VNET_A_VNET, [R] VNET_A_ACL_SCOPE with VNET_A_SUBNET
 *                   or VNET_A_IFNAME, [R] VNET_A_ACL_DIR, [R] VNET_A_ACL_PRIO,
 *                   [R] VNET_A_ACL_ACTION, [O] VNET_A_ACL_PROTO (absent:
 *                   any), [O] VNET_A_ACL_SRC, VNET_A_ACL_DST (one nested
 *                   prefix each, same family), [O] VNET_A_ACL_SPORT,
 *                   VNET_A_ACL_DPORT (NLA_U32: first port << 16 | last
 *                   port; TCP and UDP only), [O] VNET_A_ACL_FROM_VNET (the
 *                   name of the vnet packets must come from)
 * VNET_CMD_ACL_DEL: [R] VNET_A_VNET, the scope, VNET_A_ACL_DIR and
 *                   VNET_A_ACL_PRIO
 * VNET_CMD_ACL_GET: dump with [R] VNET_A_VNET: every rule of the vnet,
 *                   with the attributes of ACL_NEW.
 * VNET_A_ACL_DEFER (NLA_FLAG) on ACL_NEW and ACL_DEL: change the rules but
 *                   leave the packet path on the rules it has until
 *                   VNET_CMD_ACL_COMMIT (no attributes), or one second
 *                   after the last deferred change, compiles every changed
 *                   list at once: how a batch of 100,000 rules loads fast.
 *
 * Dumps resume after the key of the last object sent, so objects added or
 * removed between the parts of a dump are never sent twice nor make others
 * missed: vnets by name; subnets and peerings by vnet id, then name; ports
 * by ifindex; ACL rules of a vnet by scope (subnets by name, then ports by
 * ifindex), direction (in, out) and priority.
 *
 * VNET_CMD_ROUTE_NEW: [R] VNET_A_VNET, [R] VNET_A_SUBNET,
 *                     [R] VNET_A_ROUTE_PREFIX (one nested prefix),
 *                     [R] VNET_A_ROUTE_NEXTHOP (NLA_U8, enum
 *                     vnet_route_nexthop, not VNET_ROUTE_NH_VNET),
 *                     VNET_A_ROUTE_VIA (one nested address) with, and
 *                     only with, VNET_ROUTE_NH_APPLIANCE
 * VNET_CMD_ROUTE_DEL: [R] VNET_A_VNET, [R] VNET_A_SUBNET,
 *                     [R] VNET_A_ROUTE_PREFIX
 * VNET_CMD_ROUTE_GET: dump with [R] VNET_A_VNET, [O] VNET_A_SUBNET: the
 *                     routes of ROUTE_NEW. With VNET_A_ROUTE_EFFECTIVE
 *                     (NLA_FLAG), every route that applies to the
 *                     subnet's packets: also VNET_A_ROUTE_SOURCE,
 *                     VNET_A_REMOTE (the vnet of a VNET_ROUTE_NH_VNET next
 *                     hop or of a gateway), VNET_A_PEERING (the peering of a
 *                     peer's route or of a remote gateway),
 *                     VNET_A_ROUTE_ACTIVE (NLA_U8, 1 when the lookup uses
 *                     this route for its prefix) and VNET_A_ROUTE_STATUS
 *                     (NLA_NUL_STRING, why the route drops, absent when it
 *                     delivers).
 * VNET_CMD_GATEWAY_SET: [R] VNET_A_VNET, [R] VNET_A_IFNAME (a port of the
 *                     vnet with forwarding on), [R] VNET_A_PREFIXES (the
 *                     on-premises prefixes); replaces the gateway's port
 *                     and prefixes
 * VNET_CMD_GATEWAY_DEL: [R] VNET_A_VNET
 * VNET_CMD_GATEWAY_GET: dump, [O] VNET_A_VNET: VNET_A_VNET, VNET_A_IFNAME,
 *                     VNET_A_PREFIXES and VNET_A_STATE (NLA_U8, enum
 *                     vnet_gateway_state) of every vnet that has a gateway.
 *                     VNET_A_IFNAME is the name of its port.
 * VNET_CMD_GATEWAY_STATE: event only, with the attributes of a GATEWAY_GET
 *                     reply, when the gateway's port goes absent (its
 *                     interface was removed, renamed or moved to another
 *                     namespace: VNET_GATEWAY_PORT_ABSENT, and traffic to
 *                     the gateway drops as VNET_DROP_NO_GATEWAY; the
 *                     gateway stays) or comes back (VNET_GATEWAY_ACTIVE).
 *
 * VNET_CMD_TRACE: doit, [R] VNET_A_VNET, [R] VNET_A_TRACE_SRC and
 *                     VNET_A_TRACE_DST (nested addresses of one family),
 *                     [O] VNET_A_TRACE_PROTO (NLA_U8), VNET_A_TRACE_SPORT,
 *                     VNET_A_TRACE_DPORT (NLA_U16), VNET_A_IFNAME (the
 *                     sending port, by default the port of the vnet that
 *                     owns the source address). Reply: what the packet path
 *                     decides for the first packet of such a connection:
 *                     VNET_A_VNET, VNET_A_SUBNET and VNET_A_IFNAME of the
 *                     sender, VNET_A_TRACE_STEPS (an NLA_NESTED array of
 *                     steps, enum vnet_trace_attr: the sender's outbound
 *                     ACLs, the route, the receiver's inbound ACLs), then
 *                     VNET_A_TRACE_TO and VNET_A_REMOTE (the receiving port
 *                     and its vnet) if a port was found, and
 *                     VNET_A_TRACE_DROP (NLA_U8, enum vnet_drop_reason)
 *                     if the packet is dropped.
 *
 * VNET_CMD_LB_NEW:  [R] VNET_A_VNET, [R] VNET_A_LB (the name),
 *                   [R] VNET_A_LB_FRONTEND (one nested address in the
 *                   vnet's address space, not a port's), [R] VNET_A_LB_PROTO
 *                   (NLA_U8, IPPROTO_TCP or IPPROTO_UDP), [R] VNET_A_LB_PORT
 *                   (NLA_U16, 1..65535), [R] VNET_A_LB_BACKENDS (an
 *                   NLA_NESTED array, 1 to the max_lb_backends parameter,
 *                   of enum vnet_backend_attr: the IP of a port or remote
 *                   endpoint of the vnet, of the frontend's family, and a
 *                   port)
 *                   With VNET_A_LB_REPLACE (NLA_FLAG; genetlink takes no
 *                   NLM_F_REPLACE), an lb of that name is replaced by
 *                   one with other backends (the same frontend, protocol
 *                   and port, else EINVAL) that keeps its connections to
 *                   the backends it keeps; without one, it is added.
 * VNET_CMD_LB_DEL:  [R] VNET_A_VNET, [R] VNET_A_LB
 * VNET_CMD_LB_GET:  dump, [O] VNET_A_VNET: every lb by vnet name, then
 *                   lb name, with the attributes of LB_NEW.
 *                   Load balancers also appear in VNET_CMD_TRACE as a
 *                   VNET_TRACE_LB step (the lb and the backend chosen).
 * VNET_CMD_ENDPOINT_NEW: [R] VNET_A_VNET, [R] VNET_A_ENDPOINT_IP (one
 *                     nested address, inside a subnet of the vnet and no
 *                     port's), [R] VNET_A_MAC (6 bytes, unicast),
 *                     [R] VNET_A_ENDPOINT_UNDERLAY (one nested address: the
 *                     underlay address of the endpoint's host, IPv4 or
 *                     IPv6), [O] VNET_A_PORT_FLAGS (VNET_PORT_F_FORWARDING:
 *                     an appliance, whose host sends what it forwards with
 *                     the endpoint's MAC as inner source; one forwarding
 *                     endpoint per host, MAC and family). An endpoint may
 *                     be a route's appliance and an lb's backend. The
 *                     first endpoint of a namespace creates its
 *                     tunnel device (VXLAN, external mode, UDP port 4789,
 *                     named VNET_TUNNEL_IFNAME); the last one removes it.
 * VNET_CMD_ENDPOINT_DEL: [R] VNET_A_VNET, [R] VNET_A_ENDPOINT_IP
 * VNET_CMD_ENDPOINT_GET: dump, [O] VNET_A_VNET: the attributes of
 *                     ENDPOINT_NEW (VNET_A_PORT_FLAGS always), and
 *                     VNET_A_SUBNET (the subnet its IP is in), by vnet
 *                     name, then address.
 *                     Traces to an endpoint carry VNET_A_REMOTE (its vnet),
 *                     VNET_A_ENDPOINT_IP and VNET_A_ENDPOINT_UNDERLAY in
 *                     place of VNET_A_TRACE_TO; the destination's inbound
 *                     ACLs are its host's, so the trace shows none.
 *
 * VNET_A_ADDRS is an NLA_NESTED array of NLA_NESTED addresses, each with
 * VNET_PREFIX_A_IN_ADDR or VNET_PREFIX_A_IN6_ADDR (no length).
 *
 * VNET_A_PREFIXES is an NLA_NESTED array; each element is an NLA_NESTED
 * prefix (the element's type is its index, from 1):
 *    VNET_PREFIX_A_IN_ADDR: 4 bytes, or VNET_PREFIX_A_IN6_ADDR: 16 bytes
 *    VNET_PREFIX_A_LEN: NLA_U8, 0..32 or 0..128; host bits must be zero
 *
 * Names (VNET_A_VNET, VNET_A_SUBNET, VNET_A_PEERING, VNET_A_REMOTE) are 1 to
 * VNET_NAME_MAX - 1 characters of [A-Za-z0-9_.-], NUL terminated.
 *
 * Events: the multicast group VNET_MCGRP_EVENTS (CAP_NET_ADMIN only)
 * carries every change: the NEW/SET/DEL command of the object with the
 * object's attributes as in a GET reply (DEL carries the identity only),
 * and VNET_CMD_PEERING_STATE with a peering's attributes when its state
 * changes by any cause (the remote side appearing or going away), and
 * VNET_CMD_PORT_STATE and VNET_CMD_GATEWAY_STATE when a port's interface
 * (or a gateway's port's) goes away or comes back.
 * ACL rules: VNET_CMD_ACL_NEW with the rule as in an ACL_GET reply, and
 * VNET_CMD_ACL_DEL with its identity (vnet, scope, VNET_A_ACL_DIR,
 * VNET_A_ACL_PRIO), for changes that take effect at once. A rule removed
 * because the vnet its VNET_A_ACL_FROM_VNET names was deleted is an
 * ACL_DEL that also carries VNET_A_ACL_FROM_VNET (that vnet's name).
 * Deferred changes are not announced one by one: when they take effect,
 * one VNET_CMD_ACL_COMMIT per changed list carries its identity (vnet,
 * scope, direction) and VNET_A_ACL_RULES, VNET_A_ACL_ADDED,
 * VNET_A_ACL_REMOVED (NLA_U32: the rules of the list now, and the
 * deferred additions and deletions it took in). Rules that go with their
 * subnet, port or vnet are not announced one by one: that object's DEL
 * event says it.
 *
 * Errors: a refused request returns a negative errno with an extack message
 * and, where it applies, the offending attribute. Linux 6.1 has no formatted
 * extack messages, so when the error names objects the module also sends
 * the requester, just before the error, a VNET_CMD_ERROR message with
 * VNET_A_ERROR_MSG: NLA_NUL_STRING, the full text naming those objects.
 */
#ifndef _UAPI_LINUX_VNET_H
#define _UAPI_LINUX_VNET_H

#define VNET_GENL_NAME		"vnet"
#define VNET_GENL_VERSION	1
#define VNET_MCGRP_EVENTS	"events"

#define VNET_NAME_MAX		32	/* including the NUL */
#define VNET_ID_MIN		1
#define VNET_ID_MAX		16777215	/* 24 bits: the VXLAN VNI */

enum vnet_cmd {
	VNET_CMD_UNSPEC,
	VNET_CMD_INFO_GET,
	VNET_CMD_ERROR,
	VNET_CMD_VNET_NEW,
	VNET_CMD_VNET_DEL,
	VNET_CMD_VNET_GET,
	VNET_CMD_PREFIX_NEW,
	VNET_CMD_PREFIX_DEL,
	VNET_CMD_SUBNET_NEW,
	VNET_CMD_SUBNET_DEL,
	VNET_CMD_SUBNET_GET,
	VNET_CMD_PEERING_NEW,
	VNET_CMD_PEERING_SET,
	VNET_CMD_PEERING_DEL,
	VNET_CMD_PEERING_GET,
	VNET_CMD_PEERING_STATE,
	VNET_CMD_PORT_NEW,
	VNET_CMD_PORT_DEL,
	VNET_CMD_PORT_GET,
	VNET_CMD_STATS_GET,
	VNET_CMD_ACL_NEW,
	VNET_CMD_ACL_DEL,
	VNET_CMD_ACL_GET,
	VNET_CMD_ACL_COMMIT,
	VNET_CMD_ROUTE_NEW,
	VNET_CMD_ROUTE_DEL,
	VNET_CMD_ROUTE_GET,
	VNET_CMD_GATEWAY_SET,
	VNET_CMD_GATEWAY_DEL,
	VNET_CMD_GATEWAY_GET,
	VNET_CMD_TRACE,
	VNET_CMD_GATEWAY_STATE,
	VNET_CMD_LB_NEW,
	VNET_CMD_LB_DEL,
	VNET_CMD_LB_GET,
	VNET_CMD_ENDPOINT_NEW,
	VNET_CMD_ENDPOINT_DEL,
	VNET_CMD_ENDPOINT_GET,
	VNET_CMD_PORT_SET,
	VNET_CMD_PORT_STATE,
	__VNET_CMD_MAX
};
#define VNET_CMD_MAX (__VNET_CMD_MAX - 1)

enum vnet_attr {
	VNET_A_UNSPEC,
	VNET_A_VERSION,
	VNET_A_ROUTER_MAC,
	VNET_A_OBJECTS,
	VNET_A_ERROR_MSG,
	VNET_A_VNET,
	VNET_A_ID,
	VNET_A_PREFIXES,
	VNET_A_SUBNET,
	VNET_A_PEERING,
	VNET_A_REMOTE,
	VNET_A_FLAGS,
	VNET_A_STATE,
	VNET_A_IFNAME,
	VNET_A_MAC,
	VNET_A_ADDRS,
	VNET_A_PORT_FLAGS,
	VNET_A_STATS,
	VNET_A_ACL_SCOPE,
	VNET_A_ACL_DIR,
	VNET_A_ACL_PRIO,
	VNET_A_ACL_ACTION,
	VNET_A_ACL_PROTO,
	VNET_A_ACL_SRC,
	VNET_A_ACL_DST,
	VNET_A_ACL_SPORT,
	VNET_A_ACL_DPORT,
	VNET_A_ACL_FROM_VNET,
	VNET_A_ACL_DEFER,
	VNET_A_ACL_RULES,
	VNET_A_ACL_ADDED,
	VNET_A_ACL_REMOVED,
	VNET_A_ROUTE_PREFIX,
	VNET_A_ROUTE_NEXTHOP,
	VNET_A_ROUTE_VIA,
	VNET_A_ROUTE_EFFECTIVE,
	VNET_A_ROUTE_SOURCE,
	VNET_A_ROUTE_ACTIVE,
	VNET_A_ROUTE_STATUS,
	VNET_A_TRACE_SRC,
	VNET_A_TRACE_DST,
	VNET_A_TRACE_PROTO,
	VNET_A_TRACE_SPORT,
	VNET_A_TRACE_DPORT,
	VNET_A_TRACE_STEPS,
	VNET_A_TRACE_DROP,
	VNET_A_TRACE_TO,
	VNET_A_LB,
	VNET_A_LB_FRONTEND,
	VNET_A_LB_PROTO,
	VNET_A_LB_PORT,
	VNET_A_LB_BACKENDS,
	VNET_A_ENDPOINT_IP,
	VNET_A_ENDPOINT_UNDERLAY,
	VNET_A_ORIGIN,
	VNET_A_LB_REPLACE,
	__VNET_A_MAX
};
#define VNET_A_MAX (__VNET_A_MAX - 1)

enum vnet_prefix_attr {
	VNET_PREFIX_A_UNSPEC,
	VNET_PREFIX_A_IN_ADDR,
	VNET_PREFIX_A_IN6_ADDR,
	VNET_PREFIX_A_LEN,
	__VNET_PREFIX_A_MAX
};
#define VNET_PREFIX_A_MAX (__VNET_PREFIX_A_MAX - 1)

enum vnet_obj_attr {
	VNET_OBJ_A_UNSPEC,
	VNET_OBJ_A_VNETS,
	VNET_OBJ_A_SUBNETS,
	VNET_OBJ_A_PEERINGS,
	VNET_OBJ_A_PREFIXES,
	__VNET_OBJ_A_MAX
};
#define VNET_OBJ_A_MAX (__VNET_OBJ_A_MAX - 1)

enum vnet_stats_attr {
	VNET_STATS_A_UNSPEC,
	VNET_STATS_A_PAD,
	VNET_STATS_A_RX_PACKETS,
	VNET_STATS_A_RX_BYTES,
	VNET_STATS_A_TX_PACKETS,
	VNET_STATS_A_TX_BYTES,
	VNET_STATS_A_DROPS,
	VNET_STATS_A_CONNS,
	VNET_STATS_A_FRAGMENTS,
	VNET_STATS_A_LB_FLOWS,
	VNET_STATS_A_FLOW_HITS,
	VNET_STATS_A_FLOW_MISSES,
	VNET_STATS_A_FLOW_RECOMPUTES,
	VNET_STATS_A_FLOW_INSERT_FAILED,
	VNET_STATS_A_DENIED_FLOWS,
	VNET_STATS_A_FLOW_CARRIED,
	__VNET_STATS_A_MAX
};
#define VNET_STATS_A_MAX (__VNET_STATS_A_MAX - 1)

/* Why the module dropped a packet from a port (VNET_STATS_A_DROPS). */
enum vnet_drop_reason {
	VNET_DROP_MALFORMED,		/* truncated or bad headers */
	VNET_DROP_SPOOF_MAC,		/* source MAC is not the port's */
	VNET_DROP_SPOOF_IP,		/* source IP is not the port's */
	VNET_DROP_VLAN,			/* VLAN-tagged frame */
	VNET_DROP_PROTOCOL,		/* neither IPv4, IPv6 nor ARP */
	VNET_DROP_BROADCAST,		/* broadcast, multicast: not flooded */
	VNET_DROP_ARP_IGNORED,		/* ARP probe, gratuitous ARP, reply */
	VNET_DROP_ND_IGNORED,		/* DAD probe, unsolicited NA, RS */
	VNET_DROP_RA,			/* router advertisement from a port */
	VNET_DROP_DHCP_SERVER,		/* DHCP server reply from a port */
	VNET_DROP_NO_ROUTE,		/* no route in the vnet */
	VNET_DROP_PEERING_NOT_CONNECTED, /* the peering is not connected */
	VNET_DROP_PEERING_ACCESS_OFF,	/* a side of the peering has access off */
	VNET_DROP_NO_PORT,		/* no port has the destination IP */
	VNET_DROP_LOOP,			/* destination is the sending port */
	VNET_DROP_TX_ERROR,		/* the destination device refused it */
	VNET_DROP_NO_MEMORY,		/* an ARP/ND reply could not be built */
	VNET_DROP_ACL,			/* an ACL rule denied it */
	VNET_DROP_CT_FULL,		/* the namespace's connection table is full */
	VNET_DROP_ROUTE_NONE,		/* a route with next hop none */
	VNET_DROP_APPLIANCE_UNREACHABLE, /* a route's appliance is not reachable */
	VNET_DROP_FORWARDED,		/* forwarded traffic, peering forwarded off */
	VNET_DROP_NO_GATEWAY,		/* the gateway (or its port) is missing */
	VNET_DROP_LB_NO_RULE,		/* to a frontend, no lb on that proto/port */
	VNET_DROP_LB_NO_BACKEND,	/* no backend of the lb has a port now */
	VNET_DROP_NO_TUNNEL,		/* to an endpoint, but no tunnel device */
	VNET_DROP_UNKNOWN_VNI,		/* from the tunnel: no vnet has the VNI */
	VNET_DROP_UNKNOWN_ENDPOINT,	/* from the tunnel: source not an endpoint */
	VNET_DROP_LB_UNTRACKED,		/* an lb connection could not be recorded */
	VNET_DROP_IPV6_EXTHDR,		/* IPv6 header chain too long, truncated, unknown */
	VNET_DROP_RH0,			/* IPv6 routing header type 0 (RFC 5095) */
	VNET_DROP_ND_EXTHDR,		/* neighbour discovery behind extension headers */
	VNET_DROP_PORT_SHARE,		/* the port's share of the flow tables is used up */
	VNET_DROP_VNET_SHARE,		/* the vnet's share of the flow tables is used up */
	VNET_DROP_LB_NOT_SYN,		/* TCP to a frontend, no connection, not a SYN */
	VNET_DROP_PORT_ABSENT,		/* the destination port has no interface now */
	__VNET_DROP_MAX
};

/*
 * VNET_A_ORIGIN (NLA_U8): who made an object, as a route's protocol says
 * in rtnetlink. Accepted on VNET_CMD_{VNET,SUBNET,PEERING,ACL,ROUTE,LB,
 * ENDPOINT}_NEW; the object keeps it, and its dumps and events carry it
 * unless it is VNET_ORIGIN_OPERATOR. Any value may be given; the module
 * gives none a meaning.
 */
enum vnet_origin {
	VNET_ORIGIN_OPERATOR,		/* by hand, apply: not reported */
	VNET_ORIGIN_VNETD,		/* vnetd, from the cluster's intent */
};

/* VNET_A_PORT_FLAGS of a port: an NLA_BITFIELD32 (value, selector). */
enum vnet_port_flag {
	VNET_PORT_F_FORWARDING		= 1U << 0,	/* default off */
};
#define VNET_PORT_F_ALL		0x1U

/* VNET_A_FLAGS of a peering: an NLA_BITFIELD32 (value, selector). */
enum vnet_peering_flag {
	VNET_PEERING_F_ACCESS		= 1U << 0,	/* default on */
	VNET_PEERING_F_FORWARDED	= 1U << 1,	/* default off */
	VNET_PEERING_F_GATEWAY_TRANSIT	= 1U << 2,	/* default off */
	VNET_PEERING_F_USE_REMOTE_GW	= 1U << 3,	/* default off */
};
#define VNET_PEERING_F_ALL	0xfU
#define VNET_PEERING_F_DEFAULT	VNET_PEERING_F_ACCESS

/* VNET_A_STATE of a peering, as seen from its side. */
enum vnet_peering_state {
	VNET_PEERING_INITIATED,	/* the remote side never existed */
	VNET_PEERING_CONNECTED,	/* both sides exist */
	VNET_PEERING_DISCONNECTED, /* the remote side (or vnet) went away */
};

/* VNET_A_STATE of a gateway. */
enum vnet_gateway_state {
	VNET_GATEWAY_ACTIVE,	/* its port is up */
	VNET_GATEWAY_PORT_ABSENT, /* its port has no interface: traffic drops */
};

/* Its name before ports outlived their interfaces. */
#define VNET_GATEWAY_PORT_GONE	VNET_GATEWAY_PORT_ABSENT

/* VNET_A_STATE of a port. */
enum vnet_port_state {
	VNET_PORT_UP,		/* bound to the interface of its name */
	VNET_PORT_ABSENT,	/* no interface of its name now */
};

/* VNET_A_ACL_SCOPE: what an ACL rule is attached to. */
enum vnet_acl_scope {
	VNET_ACL_SCOPE_SUBNET,	/* with VNET_A_SUBNET */
	VNET_ACL_SCOPE_PORT,	/* with VNET_A_IFNAME */
};

/* VNET_A_ACL_DIR: as seen from the scope's VMs. */
enum vnet_acl_dir {
	VNET_ACL_DIR_IN,
	VNET_ACL_DIR_OUT,
};

enum vnet_acl_action {
	VNET_ACL_ALLOW,
	VNET_ACL_DENY,
};

/* VNET_A_ROUTE_NEXTHOP: where a route sends the packets it matches. */
enum vnet_route_nexthop {
	VNET_ROUTE_NH_NONE,		/* drop */
	VNET_ROUTE_NH_APPLIANCE,	/* the port that owns VNET_A_ROUTE_VIA */
	VNET_ROUTE_NH_GATEWAY,		/* the vnet's effective gateway */
	VNET_ROUTE_NH_VNET,		/* system: in vnet VNET_A_REMOTE */
};

/* VNET_A_ROUTE_SOURCE of an effective route. */
enum vnet_route_source {
	VNET_ROUTE_SRC_USER,		/* a route of the subnet */
	VNET_ROUTE_SRC_VNET,		/* the vnet's address space */
	VNET_ROUTE_SRC_PEERING,		/* a peer's space (VNET_A_PEERING) */
	VNET_ROUTE_SRC_GATEWAY,		/* the gateway of VNET_A_REMOTE */
};

/* One element of VNET_A_TRACE_STEPS. */
enum vnet_trace_attr {
	VNET_TRACE_A_UNSPEC,
	VNET_TRACE_A_KIND,	/* NLA_U8, enum vnet_trace_kind */
	VNET_TRACE_A_DIR,	/* ACL: NLA_U8, enum vnet_acl_dir */
	VNET_TRACE_A_SCOPE,	/* ACL: NLA_U8, enum vnet_acl_scope */
	VNET_TRACE_A_NAME,	/* ACL: the subnet's name or the port's */
	VNET_TRACE_A_RULES,	/* ACL: NLA_U32, the rules in force */
	VNET_TRACE_A_PRIO,	/* ACL: NLA_U16, the deciding rule, if any */
	VNET_TRACE_A_ACTION,	/* ACL: NLA_U8, its enum vnet_acl_action */
	VNET_TRACE_A_PREFIX,	/* route: nested prefix */
	VNET_TRACE_A_SOURCE,	/* route: NLA_U8, enum vnet_route_source */
	VNET_TRACE_A_NEXTHOP,	/* route: NLA_U8, enum vnet_route_nexthop */
	VNET_TRACE_A_VIA,	/* route: the appliance, nested address */
	VNET_TRACE_A_REMOTE,	/* route: the vnet a system route leads to */
	VNET_TRACE_A_PORT,	/* lb: NLA_U16, the chosen backend's port */
	__VNET_TRACE_A_MAX
};
#define VNET_TRACE_A_MAX (__VNET_TRACE_A_MAX - 1)

enum vnet_trace_kind {
	VNET_TRACE_ACL,
	VNET_TRACE_ROUTE,
	VNET_TRACE_LB,		/* NAME: the lb, VIA and PORT: the backend */
};

/* One element of VNET_A_LB_BACKENDS: a load balancer's backend. */
enum vnet_backend_attr {
	VNET_BACKEND_A_UNSPEC,
	VNET_BACKEND_A_ADDR,	/* nested address: a port IP of the lb's vnet */
	VNET_BACKEND_A_PORT,	/* NLA_U16, 1..65535 */
	__VNET_BACKEND_A_MAX
};
#define VNET_BACKEND_A_MAX (__VNET_BACKEND_A_MAX - 1)
/* The tunnel device of a namespace with endpoints. */
#define VNET_TUNNEL_IFNAME	"vnet-vxlan"
#define VNET_TUNNEL_PORT	4789

#define VNET_ACL_PRIO_MIN	1
#define VNET_ACL_PRIO_MAX	65535

#endif /* _UAPI_LINUX_VNET_H */
