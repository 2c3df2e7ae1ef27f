// SPDX-License-Identifier: GPL-2.0
/*
 * vnetctl's pure layers: the words an operator types (names, ids, CIDRs,
 * MACs) and the netlink attributes built from them, read back the way the
 * CLI reads kernel replies.
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <linux/genetlink.h>
#include <linux/vnet.h>

#include "../lb_msg.h"
#include "../msg.h"
#include "../parse.h"

static void test_names(void **state)
{
	char err[ERR_LEN];

	(void)state;
	assert_int_equal(parse_name("vnet", "A", err), 0);
	assert_int_equal(parse_name("vnet", "hub-1.prod_x", err), 0);
	assert_int_equal(parse_name("vnet", "0123456789012345678901234567890", err), 0);
	assert_int_equal(parse_name("vnet", "01234567890123456789012345678901", err), -1);
	assert_non_null(strstr(err, "1 to 31 characters"));
	assert_int_equal(parse_name("vnet", "", err), -1);
	assert_int_equal(parse_name("vnet", "a b", err), -1);
	assert_int_equal(parse_name("vnet", "a/b", err), -1);
	assert_int_equal(parse_name("subnet", "é", err), -1);
	assert_non_null(strstr(err, "subnet"));
}

static void test_ids(void **state)
{
	char err[ERR_LEN];
	uint32_t id;

	(void)state;
	assert_int_equal(parse_id("1", &id, err), 0);
	assert_int_equal(id, 1);
	assert_int_equal(parse_id("16777215", &id, err), 0);
	assert_int_equal(id, 16777215);
	assert_int_equal(parse_id("16777216", &id, err), -1);
	assert_int_equal(parse_id("0", &id, err), -1);
	assert_int_equal(parse_id("-1", &id, err), -1);
	assert_int_equal(parse_id("+5", &id, err), -1);
	assert_int_equal(parse_id(" 5", &id, err), -1);
	assert_int_equal(parse_id("5x", &id, err), -1);
	assert_int_equal(parse_id("", &id, err), -1);
	assert_int_equal(parse_id("99999999999999999999999", &id, err), -1);
}

static void expect_prefix(const char *in, const char *out)
{
	struct vnet_prefix p;
	char err[ERR_LEN], buf[FMT_LEN];

	assert_int_equal(parse_prefix(in, &p, err), 0);
	assert_string_equal(format_prefix(&p, buf), out);
}

static void expect_bad_prefix(const char *in, const char *why)
{
	struct vnet_prefix p;
	char err[ERR_LEN];

	assert_int_equal(parse_prefix(in, &p, err), -1);
	if (!strstr(err, why))
		fail_msg("%s: \"%s\" lacks \"%s\"", in, err, why);
}

static void test_prefixes(void **state)
{
	(void)state;
	expect_prefix("10.1.0.0/16", "10.1.0.0/16");
	expect_prefix("0.0.0.0/0", "0.0.0.0/0");
	expect_prefix("10.1.2.3/32", "10.1.2.3/32");
	expect_prefix("fd00:1::/48", "fd00:1::/48");
	expect_prefix("FD00:0001:0000::/48", "fd00:1::/48");
	expect_prefix("::/0", "::/0");
	expect_bad_prefix("10.1.0.1/16", "host bits set");
	expect_bad_prefix("10.1.0.1/16", "did you mean 10.1.0.0/16");
	expect_bad_prefix("fd00:1::1/48", "did you mean fd00:1::/48");
	expect_bad_prefix("10.1.0.0/33", "prefix length");
	expect_bad_prefix("fd00::/129", "prefix length");
	expect_bad_prefix("10.1.0.0/-1", "prefix length");
	expect_bad_prefix("10.1.0.0/", "prefix length");
	expect_bad_prefix("10.1.0.0", "malformed CIDR");
	expect_bad_prefix("10.1.0/16", "malformed CIDR");
	expect_bad_prefix("300.1.0.0/16", "malformed CIDR");
	expect_bad_prefix("/16", "malformed CIDR");
	expect_bad_prefix("fd00:::1/64", "malformed CIDR");
	expect_bad_prefix("", "malformed CIDR");
}

static void test_addrs_and_macs(void **state)
{
	struct vnet_prefix p;
	char err[ERR_LEN], buf[FMT_LEN];
	uint8_t mac[6];
	bool on;

	(void)state;
	assert_int_equal(parse_addr("10.1.1.4", &p, err), 0);
	assert_int_equal(p.family, AF_INET);
	assert_string_equal(format_addr(&p, buf), "10.1.1.4");
	assert_int_equal(parse_addr("fd00:1::4", &p, err), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(parse_addr("10.1.1.4/32", &p, err), -1);
	assert_int_equal(parse_addr("10.1.1", &p, err), -1);

	assert_int_equal(parse_mac("52:54:00:aB:cd:EF", mac, err), 0);
	assert_string_equal(format_mac(mac, buf), "52:54:00:ab:cd:ef");
	assert_int_equal(parse_mac("ff:ff:ff:ff:ff:ff", mac, err), -1);
	assert_non_null(strstr(err, "unicast"));
	assert_int_equal(parse_mac("01:00:5e:00:00:01", mac, err), -1);
	assert_int_equal(parse_mac("00:00:00:00:00:00", mac, err), -1);
	assert_int_equal(parse_mac("52:54:00:ab:cd", mac, err), -1);
	assert_int_equal(parse_mac("52:54:00:ab:cd:efa", mac, err), -1);
	assert_int_equal(parse_mac("52:54:00:ab:cd:e ", mac, err), -1);
	assert_int_equal(parse_mac("5:254:00:ab:cd:ef", mac, err), -1);

	assert_int_equal(parse_onoff("access", "on", &on, err), 0);
	assert_true(on);
	assert_int_equal(parse_onoff("access", "off", &on, err), 0);
	assert_false(on);
	assert_int_equal(parse_onoff("access", "yes", &on, err), -1);
	assert_non_null(strstr(err, "access takes on or off"));

	assert_int_equal(parse_ifname("veth-vm1", err), 0);
	assert_int_equal(parse_ifname("0123456789abcdef", err), -1);
	assert_int_equal(parse_ifname("a/b", err), -1);
	assert_int_equal(parse_ifname("", err), -1);
	assert_int_equal(parse_ifname("a b", err), -1);
	assert_int_equal(parse_ifname("a\vb", err), -1);
	/* Found by fuzz_parse: the kernel's isspace() counts 0xa0 too. */
	assert_int_equal(parse_ifname("veth\xa0" "1", err), -1);
	assert_int_equal(parse_ifname("veth\xa1" "1", err), 0);
}

/* The words of a line of vnetctl -b. */
static void test_split_words(void **state)
{
	char line[] = "  vnet\tadd blue\r\n", comment[] = "a#b #c d",
	     blank[] = " \t# nothing\n", three[] = "x y z";
	char *argv[4];

	(void)state;
	assert_int_equal(split_words(line, argv, 4), 3);
	assert_string_equal(argv[0], "vnet");
	assert_string_equal(argv[1], "add");
	assert_string_equal(argv[2], "blue");
	assert_int_equal(split_words(comment, argv, 4), 1);
	assert_string_equal(argv[0], "a#b");
	assert_int_equal(split_words(blank, argv, 4), 0);
	assert_int_equal(split_words(three, argv, 2), -1);
}

/* A genl message of @cmd in @buf, as the CLI starts its requests. */
static struct nlmsghdr *start_msg(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	return nlh;
}

/* A vnet message built as the CLI builds requests, parsed as a reply. */
static void test_vnet_message(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[ERR_LEN], *text;
	struct vnet_prefix p[2];
	struct nlmsghdr *nlh;
	json_t *o;

	(void)state;
	nlh = start_msg(buf, VNET_CMD_VNET_GET);
	mnl_attr_put_strz(nlh, VNET_A_VNET, "A");
	mnl_attr_put_u32(nlh, VNET_A_ID, 7);
	assert_int_equal(parse_prefix("10.1.0.0/16", &p[0], err), 0);
	assert_int_equal(parse_prefix("fd00:1::/48", &p[1], err), 0);
	put_prefixes(nlh, p, 2);
	mnl_attr_put_u16(nlh, 200, 1);	/* unknown attributes are skipped */

	assert_int_equal(msg_cmd(nlh), VNET_CMD_VNET_GET);
	o = parse_vnet_msg(nlh);
	text = json_dumps(o, JSON_COMPACT);
	assert_string_equal(text,
		"{\"name\":\"A\",\"id\":7,\"prefixes\":[\"10.1.0.0/16\",\"fd00:1::/48\"]}");
	free(text);
	json_decref(o);
}

static void test_peering_message(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], *text;
	struct nlmsghdr *nlh;
	json_t *o;

	(void)state;
	nlh = start_msg(buf, VNET_CMD_PEERING_GET);
	mnl_attr_put_strz(nlh, VNET_A_VNET, "A");
	mnl_attr_put_strz(nlh, VNET_A_PEERING, "a2b");
	mnl_attr_put_strz(nlh, VNET_A_REMOTE, "B");
	put_bitfield(nlh, VNET_A_FLAGS,
		     VNET_PEERING_F_ACCESS | VNET_PEERING_F_GATEWAY_TRANSIT,
		     VNET_PEERING_F_ALL);
	mnl_attr_put_u8(nlh, VNET_A_STATE, VNET_PEERING_DISCONNECTED);
	o = parse_peering_msg(nlh);
	text = json_dumps(o, JSON_COMPACT);
	assert_string_equal(text,
		"{\"vnet\":\"A\",\"name\":\"a2b\",\"remote\":\"B\",\"state\":\"disconnected\","
		"\"access\":true,\"forwarded\":false,\"gateway-transit\":true,"
		"\"use-remote-gateways\":false}");
	free(text);
	json_decref(o);
}

static void expect_backend(const char *in, const char *out)
{
	char err[ERR_LEN], buf[FMT_LEN];
	struct vnet_prefix p;
	uint16_t port;

	if (parse_backend(in, &p, &port, err))
		fail_msg("%s: %s", in, err);
	assert_string_equal(format_backend(&p, port, buf), out);
}

static void expect_bad_backend(const char *in, const char *why)
{
	char err[ERR_LEN];
	struct vnet_prefix p;
	uint16_t port;

	assert_int_equal(parse_backend(in, &p, &port, err), -1);
	if (!strstr(err, why))
		fail_msg("%s: \"%s\" lacks \"%s\"", in, err, why);
}

static void test_backends(void **state)
{
	(void)state;
	expect_backend("10.1.1.4:8080", "10.1.1.4:8080");
	expect_backend("10.1.1.4:1", "10.1.1.4:1");
	expect_backend("10.1.1.4:65535", "10.1.1.4:65535");
	expect_backend("[fd00:1::4]:80", "[fd00:1::4]:80");
	expect_backend("[FD00:0001::0004]:443", "[fd00:1::4]:443");
	expect_backend("[::ffff:10.1.1.4]:80", "[::ffff:10.1.1.4]:80");
	expect_bad_backend("10.1.1.4:0", "from 1 to 65535");
	expect_bad_backend("10.1.1.4:65536", "from 1 to 65535");
	expect_bad_backend("10.1.1.4:-1", "from 1 to 65535");
	expect_bad_backend("10.1.1.4:+80", "from 1 to 65535");
	expect_bad_backend("10.1.1.4:", "from 1 to 65535");
	expect_bad_backend("10.1.1.4:80x", "from 1 to 65535");
	expect_bad_backend("10.1.1.4", "IP:PORT");
	expect_bad_backend(":80", "IP:PORT");
	expect_bad_backend("10.1.1:80", "IP:PORT");
	expect_bad_backend("300.1.1.4:80", "IP:PORT");
	expect_bad_backend("fd00:1::4:80", "IP:PORT");
	expect_bad_backend("[fd00:1::4]80", "IP:PORT");
	expect_bad_backend("[fd00:1::4:80", "IP:PORT");
	expect_bad_backend("[10.1.1.4]:80", "IP:PORT");
	expect_bad_backend("[]:80", "IP:PORT");
	expect_bad_backend("", "IP:PORT");
	expect_bad_backend("[0123:4567:89ab:cdef:0123:4567:89ab:cdef:1]:80",
			   "IP:PORT");
}

/* lb_parse_args() on a command line split at blanks. */
static int lb_args_of(const char *line, struct lb_args *lb, char *err)
{
	static char copy[512];
	char *argv[64];
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *w = strtok(copy, " "); w && argc < 63; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	return lb_parse_args(argc, argv, lb, err);
}

static void expect_bad_lb(const char *line, const char *why)
{
	static struct lb_args lb;
	char err[ERR_LEN];

	assert_int_equal(lb_args_of(line, &lb, err), -1);
	if (!strstr(err, why))
		fail_msg("%s: \"%s\" lacks \"%s\"", line, err, why);
}

/* "lb add" words built into a request, read back as a reply. */
static void test_lb_args_and_message(void **state)
{
	static struct lb_args lb;
	char buf[MNL_SOCKET_BUFFER_SIZE], err[ERR_LEN], *text;
	struct nlmsghdr *nlh;
	json_t *o;

	(void)state;
	assert_int_equal(lb_args_of("A web frontend 10.1.0.100 proto tcp port 80 backend 10.1.1.4:8080 backend 10.1.1.5:8081",
				    &lb, err), 0);
	assert_string_equal(lb.vnet, "A");
	assert_string_equal(lb.name, "web");
	assert_int_equal(lb.proto, IPPROTO_TCP);
	assert_int_equal(lb.port, 80);
	assert_int_equal(lb.nr_backends, 2);
	assert_int_equal(lb.ports[1], 8081);
	nlh = start_msg(buf, VNET_CMD_LB_GET);
	lb_put_args(nlh, &lb);
	o = parse_lb_msg(nlh);
	text = json_dumps(o, JSON_COMPACT);
	assert_string_equal(text,
		"{\"vnet\":\"A\",\"name\":\"web\",\"frontend\":\"10.1.0.100\",\"proto\":\"tcp\","
		"\"port\":80,\"backends\":[\"10.1.1.4:8080\",\"10.1.1.5:8081\"]}");
	free(text);
	json_decref(o);

	/* Keywords in any order; IPv6. */
	assert_int_equal(lb_args_of("B dns6 backend [fd00:2::4]:5353 port 53 proto udp frontend fd00:2::100",
				    &lb, err), 0);
	nlh = start_msg(buf, VNET_CMD_LB_NEW);
	lb_put_args(nlh, &lb);
	o = parse_lb_msg(nlh);
	text = json_dumps(o, JSON_COMPACT);
	assert_string_equal(text,
		"{\"vnet\":\"B\",\"name\":\"dns6\",\"frontend\":\"fd00:2::100\",\"proto\":\"udp\","
		"\"port\":53,\"backends\":[\"[fd00:2::4]:5353\"]}");
	free(text);
	json_decref(o);

	expect_bad_lb("A", "usage");
	expect_bad_lb("A/ web frontend 10.1.0.1 proto tcp port 1 backend 10.1.1.4:1", "vnet name");
	expect_bad_lb("A w/b frontend 10.1.0.1 proto tcp port 1 backend 10.1.1.4:1", "lb name");
	expect_bad_lb("A web frontend 10.1.0.1 proto sctp port 1 backend 10.1.1.4:1", "tcp or udp");
	expect_bad_lb("A web frontend 10.1.0.1 proto tcp port 0 backend 10.1.1.4:1", "lb port");
	expect_bad_lb("A web frontend 10.1.0.1 proto tcp port 65536 backend 10.1.1.4:1", "lb port");
	expect_bad_lb("A web frontend 10.1.0.1/32 proto tcp port 1 backend 10.1.1.4:1", "IP address");
	expect_bad_lb("A web frontend 10.1.0.1 proto tcp port 1 backend 10.1.1.4", "IP:PORT");
	expect_bad_lb("A web frontend 10.1.0.1 proto tcp port 1", "at least one");
	expect_bad_lb("A web frontend 10.1.0.1 proto tcp port 1 backend", "needs a value");
	expect_bad_lb("A web frontend 10.1.0.1 frontend 10.1.0.2 proto tcp port 1 backend 10.1.1.4:1",
		      "unexpected \"frontend\"");
	expect_bad_lb("A web frontend 10.1.0.1 proto tcp port 1 backend 10.1.1.4:1 weight 3",
		      "unexpected \"weight\"");
}

static void test_origin(void **state)
{
	char err[ERR_LEN];
	uint8_t v = 99;

	(void)state;
	assert_int_equal(parse_origin("vnetd", &v, err), 0);
	assert_int_equal(v, VNET_ORIGIN_VNETD);
	assert_int_equal(parse_origin("operator", &v, err), 0);
	assert_int_equal(v, VNET_ORIGIN_OPERATOR);
	assert_int_equal(parse_origin("255", &v, err), 0);
	assert_int_equal(v, 255);
	assert_int_equal(parse_origin("256", &v, err), -1);
	assert_non_null(strstr(err, "0-255"));
	assert_int_equal(parse_origin("-1", &v, err), -1);
	assert_int_equal(parse_origin("", &v, err), -1);
	assert_int_equal(parse_origin("7x", &v, err), -1);
	assert_int_equal(parse_origin("Vnetd", &v, err), -1);
	assert_string_equal(origin_name(VNET_ORIGIN_VNETD), "vnetd");
	assert_null(origin_name(200));
}

static void test_endpoint_args(void **state)
{
	char *ok[] = { "X", "10.1.1.5", "mac", "52:54:00:00:00:05", "remote",
		       "192.0.2.2" };
	char *swapped[] = { "X", "fd00::5", "remote", "2001:db8::2", "mac",
			    "52:54:00:00:00:05" };
	char *twice[] = { "X", "10.1.1.5", "mac", "52:54:00:00:00:05", "mac",
			  "52:54:00:00:00:06" };
	char *nomac[] = { "X", "10.1.1.5", "remote", "192.0.2.2" };
	char *mcast[] = { "X", "10.1.1.5", "mac", "01:00:5e:00:00:01",
			  "remote", "192.0.2.2" };
	char *cidr[] = { "X", "10.1.1.0/24", "mac", "52:54:00:00:00:05",
			 "remote", "192.0.2.2" };
	char *novalue[] = { "X", "10.1.1.5", "mac", "52:54:00:00:00:05",
			    "remote" };
	char *word[] = { "X", "10.1.1.5", "mac", "52:54:00:00:00:05",
			 "remote", "192.0.2.2", "vni", "5" };
	char *badname[] = { "a/b", "10.1.1.5" };
	char *del[] = { "X", "10.1.1.5" };
	char *delmore[] = { "X", "10.1.1.5", "mac" };
	char *fwd[] = { "X", "10.1.1.5", "forwarding", "on", "mac",
			"52:54:00:00:00:05", "remote", "192.0.2.2" };
	char *fwdoff[] = { "X", "10.1.1.5", "mac", "52:54:00:00:00:05",
			   "remote", "192.0.2.2", "forwarding", "off" };
	char *fwdbad[] = { "X", "10.1.1.5", "mac", "52:54:00:00:00:05",
			   "remote", "192.0.2.2", "forwarding", "yes" };
	char *fwdtwice[] = { "X", "10.1.1.5", "mac", "52:54:00:00:00:05",
			     "remote", "192.0.2.2", "forwarding", "on",
			     "forwarding", "off" };
	struct endpoint_args a;
	char err[ERR_LEN], buf[FMT_LEN];

	(void)state;
	assert_int_equal(parse_endpoint_args(6, ok, true, &a, err), 0);
	assert_false(a.have_fwd);
	assert_string_equal(a.vnet, "X");
	assert_string_equal(format_addr(&a.ip, buf), "10.1.1.5");
	assert_string_equal(format_addr(&a.remote, buf), "192.0.2.2");
	assert_string_equal(format_mac(a.mac, buf), "52:54:00:00:00:05");
	assert_int_equal(parse_endpoint_args(6, swapped, true, &a, err), 0);
	assert_int_equal(a.ip.family, AF_INET6);
	assert_string_equal(format_addr(&a.remote, buf), "2001:db8::2");
	assert_int_equal(parse_endpoint_args(6, twice, true, &a, err), -1);
	assert_non_null(strstr(err, "mac"));
	assert_int_equal(parse_endpoint_args(4, nomac, true, &a, err), -1);
	assert_non_null(strstr(err, "needs"));
	assert_int_equal(parse_endpoint_args(6, mcast, true, &a, err), -1);
	assert_non_null(strstr(err, "multicast"));
	assert_int_equal(parse_endpoint_args(6, cidr, true, &a, err), -1);
	assert_int_equal(parse_endpoint_args(5, novalue, true, &a, err), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse_endpoint_args(8, word, true, &a, err), -1);
	assert_non_null(strstr(err, "vni"));
	assert_int_equal(parse_endpoint_args(2, badname, false, &a, err), -1);
	assert_int_equal(parse_endpoint_args(1, del, false, &a, err), -1);
	assert_int_equal(parse_endpoint_args(2, del, false, &a, err), 0);
	assert_int_equal(parse_endpoint_args(3, delmore, false, &a, err), -1);
	assert_int_equal(parse_endpoint_args(2, del, true, &a, err), -1);
	assert_int_equal(parse_endpoint_args(8, fwd, true, &a, err), 0);
	assert_true(a.have_fwd && a.forwarding);
	assert_int_equal(parse_endpoint_args(8, fwdoff, true, &a, err), 0);
	assert_true(a.have_fwd && !a.forwarding);
	assert_int_equal(parse_endpoint_args(8, fwdbad, true, &a, err), -1);
	assert_non_null(strstr(err, "forwarding"));
	assert_int_equal(parse_endpoint_args(10, fwdtwice, true, &a, err), -1);
	assert_non_null(strstr(err, "forwarding"));
}

static void put_test_addr(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	struct vnet_prefix p;
	char err[ERR_LEN];
	struct nlattr *nest;

	assert_int_equal(parse_addr(s, &p, err), 0);
	nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put(nlh, p.family == AF_INET ? VNET_PREFIX_A_IN_ADDR :
		     VNET_PREFIX_A_IN6_ADDR, p.family == AF_INET ? 4 : 16,
		     p.addr);
	mnl_attr_nest_end(nlh, nest);
}

/* The kernel's reply has the subnet too: show prints the command's words. */
static void test_endpoint_message(void **state)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, 5 };
	char buf[MNL_SOCKET_BUFFER_SIZE], *text;
	struct nlmsghdr *nlh;
	json_t *o;

	(void)state;
	nlh = start_msg(buf, VNET_CMD_ENDPOINT_GET);
	mnl_attr_put_strz(nlh, VNET_A_VNET, "X");
	put_test_addr(nlh, VNET_A_ENDPOINT_IP, "fd00:1::5");
	mnl_attr_put(nlh, VNET_A_MAC, sizeof(mac), mac);
	put_test_addr(nlh, VNET_A_ENDPOINT_UNDERLAY, "192.0.2.2");
	mnl_attr_put_strz(nlh, VNET_A_SUBNET, "s");
	o = parse_endpoint_msg(nlh);
	text = json_dumps(o, JSON_COMPACT);
	assert_string_equal(text,
		"{\"vnet\":\"X\",\"ip\":\"fd00:1::5\",\"mac\":\"52:54:00:00:00:05\",\"remote\":\"192.0.2.2\"}");
	free(text);
	json_decref(o);

	/* A delete event names the endpoint only. */
	nlh = start_msg(buf, VNET_CMD_ENDPOINT_DEL);
	mnl_attr_put_strz(nlh, VNET_A_VNET, "X");
	put_test_addr(nlh, VNET_A_ENDPOINT_IP, "10.1.1.5");
	o = parse_endpoint_msg(nlh);
	text = json_dumps(o, JSON_COMPACT);
	assert_string_equal(text, "{\"vnet\":\"X\",\"ip\":\"10.1.1.5\"}");
	free(text);
	json_decref(o);
}

static void test_drop_names(void **state)
{
	(void)state;
	for (unsigned int r = 0; r < __VNET_DROP_MAX; r++)
		assert_non_null(drop_reason_name(r));
	assert_null(drop_reason_name(__VNET_DROP_MAX));
	assert_string_equal(drop_reason_name(VNET_DROP_SPOOF_IP), "spoofed-ip");
	assert_string_equal(drop_reason_name(VNET_DROP_UNKNOWN_VNI), "unknown-vni");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_addrs_and_macs),
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_vnet_message),
		cmocka_unit_test(test_peering_message),
		cmocka_unit_test(test_backends),
		cmocka_unit_test(test_lb_args_and_message),
		cmocka_unit_test(test_endpoint_args),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_endpoint_message),
		cmocka_unit_test(test_drop_names),
	};

	return cmocka_run_group_tests_name("vnetctl parsing", tests, NULL, NULL);
}
