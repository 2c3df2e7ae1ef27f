#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The installation, checked on the host (make check-install; needs what
# scripts/deps.sh install brings and a built tree): the files "make
# install" puts under DESTDIR, the man page (renders without a warning,
# documents exactly the commands of "vnetctl help"), the systemd unit
# (systemd-analyze verify), the bash completion (objects, verbs, keywords
# and names, as bash-completion loads it; silent without the module or the
# privilege), dkms.conf's version, make uninstall. TAP on stdout. What
# needs the module runs in the VM: selftests/test_install.sh.
#
# selftests/install.sh dkms (make check-dkms, minutes; needs dkms): "make
# install-dkms" into a scratch folder, then dkms adds and builds that
# source tree for every kernel that has its headers, in a scratch dkms
# tree (nothing of the host's dkms state is touched but the signing key
# that dkms makes once, /var/lib/dkms/mok.key).
set -u
cd "$(dirname "$(realpath "$0")")/.." || exit 1
export LC_ALL=C
n=0
failed=0
tmp=$(mktemp -d)
chmod 755 "$tmp"	# the unprivileged checks read it
trap 'rm -rf "$tmp"' EXIT

report()	# STATUS DESC [DETAILS]
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - install: $2"
	else
		echo "not ok $n - install: $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | head -n 30 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

if [ "${1:-}" = dkms ]; then
	mkdir -p "$tmp/dkms" "$tmp/modules"
	version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	out=$(make -s install-dkms DESTDIR="$tmp/root" 2>&1)
	[ -f "$tmp/root/usr/src/vnet-$version/dkms.conf" ] &&
		[ -f "$tmp/root/usr/src/vnet-$version/include/uapi/linux/vnet.h" ] &&
		! find "$tmp/root" -name '*.o' -o -name '*.ko' | grep -q .
	report $? "make install-dkms DESTDIR puts the sources (and no build output) in /usr/src/vnet-$version" "$out"

	opts=(--sourcetree "$tmp/root/usr/src" --dkmstree "$tmp/dkms" --installtree "$tmp/modules")
	out=$(dkms add -m vnet -v "$version" "${opts[@]}" 2>&1)
	report $? "dkms add" "$out"
	for b in /lib/modules/*/build; do
		[ -d "$b" ] || continue
		k=$(basename "$(dirname "$b")")
		start=$(date +%s)
		out=$(dkms build -m vnet -v "$version" -k "$k" "${opts[@]}" 2>&1)
		status=$?
		echo "# dkms build -k $k: $(( $(date +%s) - start )) s"
		report "$status" "dkms build -k $k" "$out"
		ko=$(find "$tmp/dkms/vnet/$version/$k" -name vnet.ko 2>/dev/null | head -n 1)
		[ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$k "
		report $? "the module built by dkms is for $k" "$ko"
	done
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi

# same DESC WANT GOT
same()
{
	if [ "$2" = "$3" ]; then
		report 0 "$1"
	else
		report 1 "$1" "$(diff <(echo "$2") <(echo "$3"))"
	fi
}

# The kernel "make install" installs for: the Makefile's choice, the
# newest with headers and an image.
kver=
for b in /lib/modules/*/build; do
	v=$(basename "$(dirname "$b")")
	[ -e "/boot/vmlinuz-$v" ] && kver="$kver$v"$'\n'
done
kver=$(printf '%s' "$kver" | sort -V | tail -n 1)
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
	"/lib/modules/$kver/build/include/generated/utsrelease.h")

# --- make install with PREFIX=/usr, as a Debian package would ---
root=$tmp/root
out=$(make -s install DESTDIR="$root" PREFIX=/usr 2>&1)
report $? "make install DESTDIR PREFIX=/usr" "$out"
want="/lib/modules/$kver/extra/vnet.ko
/lib/systemd/system/vnet.service
/lib/systemd/system/vnetd.service
/usr/lib/vnet/vnet-port-up
/usr/sbin/vnetctl
/usr/sbin/vnetd
/usr/share/bash-completion/completions/vnetctl
/usr/share/doc/vnet/README.md
/usr/share/doc/vnet/examples/vnet.json
/usr/share/doc/vnet/examples/vnetd.conf
/usr/share/doc/vnet/install.rst
/usr/share/doc/vnet/vnet.rst
/usr/share/man/man8/vnetctl.8
/usr/share/man/man8/vnetd.8"
same "the files are where a Debian package puts them" "$want" \
	"$(cd "$root" && find . -type f | sed 's/^\.//' | sort)"
[ -x "$root/usr/sbin/vnetctl" ] && [ -x "$root/usr/lib/vnet/vnet-port-up" ]
report $? "vnetctl and vnet-port-up are executable"
unit=$root/lib/systemd/system/vnet.service
grep -q '@' "$unit" "$root/usr/lib/vnet/vnet-port-up"
report $((!$?)) "the unit and the hook have their paths filled in"
grep -q 'exec /usr/sbin/vnetctl apply /etc/vnet/vnet.json' "$unit"
report $? "the unit applies /etc/vnet/vnet.json with /usr/sbin/vnetctl"

out=$(make -s install-files DESTDIR="$tmp/local" 2>&1)
[ -x "$tmp/local/usr/local/sbin/vnetctl" ] &&
	[ -f "$tmp/local/usr/local/lib/systemd/system/vnet.service" ] &&
	[ -f "$tmp/local/usr/local/share/bash-completion/completions/vnetctl" ] &&
	grep -q 'exec /usr/local/sbin/vnetctl apply' \
		"$tmp/local/usr/local/lib/systemd/system/vnet.service"
report $? "the default PREFIX is /usr/local, and the unit follows it" "$out"

# --- versions ---
v_kmod=$(sed -n 's/^#define VNET_MOD_VERSION "\(.*\)"/\1/p' kmod/vnet.h)
v_cli=$(sed -n 's/^VERSION := //p' userspace/Makefile)
v_dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
v_man=$(sed -n 's/^\.TH .*"vnet \([^"]*\)".*/\1/p' Documentation/vnetctl.8)
same "dkms.conf, vnetctl, vnet.ko and the man page have one version" \
	"$v_kmod $v_kmod $v_kmod" "$v_cli $v_dkms $v_man"

# --- the man page ---
man=$root/usr/share/man/man8/vnetctl.8
warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=all -l "$man" 2>&1 >"$tmp/man.txt")
[ -z "$warn" ] && grep -q '^EXIT STATUS' "$tmp/man.txt" && grep -q '^EXAMPLES' "$tmp/man.txt"
report $? "man -l renders the page without a warning" "$warn"
out=$(MANPATH=$root/usr/share/man man -w vnetctl 2>&1)
[ "$out" = "$man" ]
report $? "man finds the installed page in its section" "$out"

help=$(userspace/vnetctl help)
# "OBJECT VERB" (or "OBJECT") of each command of vnetctl help.
help_cmds=$(echo "$help" | sed -n '/^Objects:/,/^Exit/p' | grep -v '^Exit' |
	grep -E '^  [a-z]' | awk '{ print ($2 ~ /^[a-z]+$/) ? $1 " " $2 : $1 }' |
	sort -u)
# The same from the tags of the man page's COMMANDS section.
man_cmds=$(sed -n '/^\.SH COMMANDS/,/^\.SH [^C]/p' Documentation/vnetctl.8 |
	awk '/^\.TP/ { getline; print }' |
	sed -E 's/^\.[A-Z]+ //; s/\\f[RPBI]/ /g; s/"//g; s/\\-/-/g' |
	awk '{ print ($2 ~ /^[a-z]+$/) ? $1 " " $2 : $1 }' | sort -u)
same "the man page documents exactly the commands of vnetctl help" \
	"$help_cmds" "$man_cmds"
missing=
for o in $(echo "$help" | sed -n '/^Options:/,/^Objects:/p' | grep -oE '^  -[a-zA-Z]'); do
	sed -n '/^OPTIONS/,/^[A-Z]/p' "$tmp/man.txt" | grep -qE "^       $o( |$)" ||
		missing="$missing $o"
done
for w in $(echo "$help" | sed -n '/^Objects:/,/^Exit/p' | grep -v '^Exit' |
	grep -E '^  [a-z]|^ +[[(]' | grep -oE '(^|[ [|(])-?-?[a-z][a-z0-9-]*[a-z0-9]' |
	tr -d ' [|(' | sort -u); do
	grep -qw -- "$w" "$tmp/man.txt" || missing="$missing $w"
done
[ -z "$missing" ]
report $? "every option and keyword of vnetctl help is in the man page" "missing:$missing"

# --- the systemd unit ---
out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$unit" 2>&1)
status=$?
[ "$status" -eq 0 ] && [ -z "$out" ]
report $? "systemd-analyze verify accepts the unit" "$out"
sed 's/^Type=oneshot/Type=oneshoot/' "$unit" >"$tmp/vnet.service"
MANPATH=$root/usr/share/man systemd-analyze verify "$tmp/vnet.service" >/dev/null 2>&1
report $((!$?)) "and refuses a broken copy of it (the check can fail)"
# vnetd's unit, next to vnet.service (which it requires), its program at
# the installed path.
mkdir -p "$tmp/units"
cp "$unit" "$tmp/units/"
sed "s|/usr/sbin/vnetd|$root/usr/sbin/vnetd|" "$root/lib/systemd/system/vnetd.service" \
	>"$tmp/units/vnetd.service"
out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$tmp/units/vnetd.service" 2>&1)
[ $? -eq 0 ] && [ -z "$out" ] &&
	grep -qx "ExecStart=/usr/sbin/vnetd -c /etc/vnet/vnetd.conf" \
		"$root/lib/systemd/system/vnetd.service"
report $? "systemd-analyze verify accepts vnetd's unit, which reads /etc/vnet/vnetd.conf" "$out"
grep -qx 'ExecReload=.*vnetctl apply .*' "$unit" &&
	[ "$(grep -c '^ExecStart=' "$unit")" -eq 2 ]
report $? "the unit loads the module, applies the file, and reloads it"

# --- bash completion, loaded by bash-completion from the install ---
# complete WORD...: the candidates for the last WORD, one per line, as
# an interactive bash would offer them; anything on stderr is kept too.
complete_words()
{
	XDG_DATA_DIRS=$root/usr/share PATH=$compl_path bash -c '
		. /usr/share/bash-completion/bash_completion
		_completion_loader vnetctl
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		$(complete -p vnetctl | sed -E "s/.*-F ([^ ]+) .*/\1/") vnetctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' complete "$@"
}
compl_path=$root/usr/sbin:/usr/bin:/bin
same "vnetctl pe<TAB> completes to peering" "peering" "$(complete_words vnetctl pe)"
same "the objects are those of vnetctl help" \
	"$({ echo "$help_cmds" | awk '{ print $1 }'; echo help; } | sort -u)" \
	"$(complete_words vnetctl '' | sort)"
bad=
for o in $(echo "$help_cmds" | awk 'NF == 2 { print $1 }' | sort -u); do
	[ "$({ echo "$help_cmds" | awk -v o="$o" '$1 == o { print $2 }'; echo help; } | sort)" = \
	  "$(complete_words vnetctl "$o" '' | sort)" ] || bad="$bad $o"
done
[ -z "$bad" ]
report $? "each object's verbs are those of vnetctl help" "differ:$bad"
same "keywords and their values" "dir
dport
dst
in out
allow deny" "$(complete_words vnetctl acl add A subnet web d | sort
	complete_words vnetctl acl add A subnet web dir '' | tr '\n' ' ' | sed 's/ $//'; echo
	complete_words vnetctl -j acl add A port p dir in prio 1 action '' | tr '\n' ' ' | sed 's/ $//')"

# Names: a stand-in vnetctl prints what the module's "show -j" prints.
mkdir "$tmp/stub"
cat >"$tmp/stub/vnetctl" <<'EOF'
#!/bin/sh
case "$*" in
"-n h2 -j vnet show") echo '[{"name":"blue","id":1,"prefixes":["10.1.0.0/16"],"router-mac":"02:00:00:00:00:01"},{"name":"green","id":2,"prefixes":["10.2.0.0/16"],"router-mac":"02:00:00:00:00:01"}]' ;;
"-n h2 -j subnet show blue") echo '[{"vnet":"blue","name":"web","prefixes":["10.1.1.0/24"]}]' ;;
"-n h2 -j port show") echo '[{"dev":"vm-web1","vnet":"blue","subnet":"web","mac":"52:54:00:01:01:04","ips":["10.1.1.4"],"forwarding":false,"state":"up"}]' ;;
*) echo "Error: no" >&2; exit 1 ;;
esac
EOF
chmod +x "$tmp/stub/vnetctl"
compl_path=$tmp/stub:/usr/bin:/bin
same "vnet, subnet and port names come from vnetctl -j show" "blue
green
web
vm-web1" "$(complete_words vnetctl -n h2 peering add ''
	complete_words vnetctl -n h2 port add x vnet blue subnet ''
	complete_words vnetctl -n h2 stats '')"
same "a failing read offers nothing and prints nothing" "" \
	"$(complete_words vnetctl vnet del '' 2>&1)"
# The real vnetctl: the host has no module; as nobody, no privilege either.
compl_path=$root/usr/sbin:/usr/bin:/bin
same "without the module: nothing offered, nothing printed" "" \
	"$(complete_words vnetctl subnet show '' 2>&1)"
if command -v setpriv >/dev/null; then
	out=$(XDG_DATA_DIRS=$root/usr/share PATH=$compl_path setpriv --reuid=65534 \
		--regid=65534 --clear-groups bash -c '
		. /usr/share/bash-completion/bash_completion
		_completion_loader vnetctl
		COMP_WORDS=(vnetctl port del ""); COMP_CWORD=3
		_vnetctl; printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
	same "as an unprivileged user: nothing offered, nothing printed" "" "$out"
fi

# --- make uninstall ---
out=$(make -s uninstall DESTDIR="$root" PREFIX=/usr 2>&1)
left=$(cd "$root" && find . -type f)
[ -z "$left" ]
report $? "make uninstall removes every file" "$out$left"

# --- dkms.conf, read as dkms reads it (a shell fragment) ---
out=$(bash -c 'kernel_source_dir=/K; . ./dkms.conf; echo "$PACKAGE_NAME ${BUILT_MODULE_NAME[0]} ${BUILT_MODULE_LOCATION[0]} ${MAKE[0]} $AUTOINSTALL"')
same "dkms.conf names the module, its folder and its build" \
	"vnet vnet kmod/ make -C kmod KDIR=/K yes" "$out"

sh -n dist/vnet-port-up
report $? "vnet-port-up is a valid sh script"

echo "1..$n"
[ "$failed" -eq 0 ]
