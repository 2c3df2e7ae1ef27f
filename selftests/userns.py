#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""usage: userns.py CMD [ARG ...]

Runs CMD as root of a new user namespace (uid and gid 0 mapped to the
caller's), still in the caller's network namespace: CMD has every
capability in its own user namespace, and none over that network
namespace, which the initial user namespace owns. That is
"unshare -U -r CMD", which the VM cannot run: its tests run chrooted
(selftests/vm.sh), and the kernel refuses a new user namespace to a
chrooted process. setns() into our own mount namespace sets our root to
the namespace's, which ends the chroot; the user namespace is made there,
and CMD runs chrooted back in the tests' root, in the same directory.
"""
import ctypes
import os
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000

libc = ctypes.CDLL(None, use_errno=True)


def must(ret, what):
    if ret != 0:
        sys.exit("userns.py: %s: %s" % (what, os.strerror(ctypes.get_errno())))


def write(dirfd, name, text):
    fd = os.open(name, os.O_WRONLY, dir_fd=dirfd)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    uid, gid, cwd = os.getuid(), os.getgid(), os.getcwd()
    # Opened while they still resolve: the tests' root and our /proc entry.
    root = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    proc = os.open("/proc/self", os.O_RDONLY | os.O_DIRECTORY)
    mnt = os.open("/proc/self/ns/mnt", os.O_RDONLY)
    must(libc.setns(mnt, CLONE_NEWNS), "setns to our mount namespace")
    must(libc.unshare(CLONE_NEWUSER), "unshare a user namespace")
    write(proc, "setgroups", "deny")
    write(proc, "uid_map", "0 %d 1" % uid)
    write(proc, "gid_map", "0 %d 1" % gid)
    os.fchdir(root)
    os.chroot(".")
    os.chdir(cwd)
    for fd in (root, proc, mnt):
        os.close(fd)
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
