// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for selftests/fault_inject.sh: with FAIL_NTH=N in the
 * environment, writes N to /proc/thread-self/fail-nth just before the
 * first netlink request that is not for the generic netlink controller
 * (vnetctl looks up the family first), so that the Nth allocation the
 * kernel attempts for the request itself fails. At exit it disarms the
 * counter and writes "fired" or "unfired" to $FAIL_NTH_REPORT: whether
 * the Nth allocation happened at all.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GENL_ID_CTRL 0x10

static int armed;

static void set_nth(const char *value)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR);

	if (fd < 0 || write(fd, value, strlen(value)) < 0) {
		perror("fail_nth: /proc/thread-self/fail-nth");
		_exit(99);
	}
	close(fd);
}

static void report(void)
{
	const char *path = getenv("FAIL_NTH_REPORT");
	char buf[32] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	FILE *f;

	if (fd >= 0)
		close(fd);
	set_nth("0");
	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "%s\n", n > 0 && atoi(buf) == 0 ? "fired" : "unfired");
	fclose(f);
}

/* Arms the counter before the first request of another family. */
static void maybe_arm(int fd, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *nth = getenv("FAIL_NTH");

	if (armed || !nth || len < sizeof(*nlh) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) ||
	    ss.ss_family != AF_NETLINK || nlh->nlmsg_type == GENL_ID_CTRL)
		return;
	armed = 1;
	atexit(report);
	set_nth(nth);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	static ssize_t (*real)(int, const void *, size_t, int,
			       const struct sockaddr *, socklen_t);

	if (!real)
		real = dlsym(RTLD_NEXT, "sendto");
	maybe_arm(fd, buf, len);
	return real(fd, buf, len, flags, to, tolen);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);

	if (!real)
		real = dlsym(RTLD_NEXT, "sendmsg");
	if (msg->msg_iovlen)
		maybe_arm(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len);
	return real(fd, msg, flags);
}
