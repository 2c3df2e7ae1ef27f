# SPDX-License-Identifier: GPL-2.0
# bash completion for vnetctl: options, objects, verbs, keywords and their
# values, and the names of vnets, subnets, peerings, lbs, endpoints and
# ports read from the running module ("vnetctl -j ... show"). Reading
# needs CAP_NET_ADMIN: for anyone else, or without the module, the names
# are simply not offered, and nothing is printed.

# _vnetctl_read KEY ARGS...: the values of KEY in "vnetctl -j ARGS".
_vnetctl_read()
{
	local key=$1
	shift
	command vnetctl "${_vnetctl_ns[@]}" -j "$@" 2>/dev/null </dev/null |
		grep -o "\"$key\": *\"[^\"]*\"" 2>/dev/null |
		sed 's/.*"\([^"]*\)"$/\1/' 2>/dev/null
}

# _vnetctl_offer WORD...: the words that start with the current word.
_vnetctl_offer()
{
	local IFS=$'\n'
	# shellcheck disable=SC2207
	COMPREPLY+=($(compgen -W "$*" -- "$_vnetctl_cur"))
}

_vnetctl_names()	# WHAT [VNET]
{
	case $1 in
	vnet) _vnetctl_offer "$(_vnetctl_read name vnet show)" ;;
	subnet) [ -n "$2" ] && _vnetctl_offer "$(_vnetctl_read name subnet show "$2")" ;;
	peering) [ -n "$2" ] && _vnetctl_offer "$(_vnetctl_read name peering show "$2")" ;;
	lb) [ -n "$2" ] && _vnetctl_offer "$(_vnetctl_read name lb show "$2")" ;;
	endpoint) [ -n "$2" ] && _vnetctl_offer "$(_vnetctl_read ip endpoint show "$2")" ;;
	port) _vnetctl_offer "$(_vnetctl_read dev port show)" ;;
	dev) _vnetctl_offer "$(ls /sys/class/net 2>/dev/null)" ;;
	esac
}

_vnetctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	local -a words=("${COMP_WORDS[@]}") args=()
	local cword=$COMP_CWORD i=1 obj verb verbs vnet='' k
	local _vnetctl_cur=$cur
	local -a _vnetctl_ns=()

	COMPREPLY=()
	((cword > 0)) && prev=${words[cword - 1]}

	# Options come before the object.
	while ((i < cword)); do
		case ${words[i]} in
		-n) _vnetctl_ns=(-n "${words[i + 1]}"); i=$((i + 2)) ;;
		-b | -O) i=$((i + 2)) ;;
		-*) i=$((i + 1)) ;;
		*) break ;;
		esac
	done
	if ((i >= cword)); then
		case $prev in
		-n) _vnetctl_offer "$(ls /run/netns 2>/dev/null)"; return 0 ;;
		-b) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
		-O) _vnetctl_offer vnetd operator; return 0 ;;
		esac
		if [[ $cur == -* ]]; then
			_vnetctl_offer -j -p -b -n -O -V -h
		else
			_vnetctl_offer vnet subnet peering port acl route gateway lb \
				endpoint trace stats monitor graph export apply help
		fi
		return 0
	fi

	obj=${words[i]}
	case $obj in
	vnet) verbs="add del show prefix help" ;;
	subnet | endpoint) verbs="add del show help" ;;
	lb) verbs="add replace del show help" ;;
	peering) verbs="add set del show help" ;;
	port) verbs="add set del show help" ;;
	acl | route) verbs="add del show help" ;;
	gateway) verbs="set del show help" ;;
	*) verbs= ;;
	esac
	if [ -n "$verbs" ]; then
		if ((cword == i + 1)); then
			_vnetctl_offer $verbs
			return 0
		fi
		verb=${words[i + 1]}
		args=("${words[@]:i + 2:cword - i - 2}")
	else
		verb=
		args=("${words[@]:i + 1:cword - i - 1}")
	fi
	# The vnet the command is about: its first argument, or "vnet X".
	[ ${#args[@]} -gt 0 ] && vnet=${args[0]}
	for ((k = 0; k + 1 < ${#args[@]}; k++)); do
		[ "${args[k]}" = vnet ] && vnet=${args[k + 1]}
	done

	# The value of a keyword.
	case "$obj $verb:$prev" in
	"port add:vnet" | *:remote | *:from-vnet)
		_vnetctl_names vnet; return 0 ;;
	"port add:subnet" | acl*:subnet)
		_vnetctl_names subnet "$vnet"; return 0 ;;
	acl*:port | "gateway set:port" | trace*:port)
		_vnetctl_names port; return 0 ;;
	*:dir) _vnetctl_offer in out; return 0 ;;
	*:action) _vnetctl_offer allow deny; return 0 ;;
	"lb add:proto") _vnetctl_offer tcp udp; return 0 ;;
	*:proto) _vnetctl_offer any tcp udp icmp icmpv6; return 0 ;;
	*:access | *:forwarded | *:gateway-transit | *:use-remote-gateways | \
	*:forwarding)
		_vnetctl_offer on off; return 0 ;;
	*:nexthop) _vnetctl_offer appliance gateway none; return 0 ;;
	*:id | *:prefix | *:ip | *:mac | *:prio | *:src | *:dst | *:sport | \
	*:dport | *:frontend | *:backend | *:appliance | "lb add:port")
		return 0 ;;
	"apply :only")
		local done=${cur%"${cur##*,}"}
		_vnetctl_cur=${cur##*,}
		_vnetctl_offer vnets subnets ports endpoints gateways peerings \
			routes acls subnet-acls port-acls lbs
		COMPREPLY=("${COMPREPLY[@]/#/$done}")
		compopt -o nospace 2>/dev/null
		return 0 ;;
	esac

	# Positional arguments, then keywords.
	local n=${#args[@]}
	case "$obj $verb" in
	"vnet add") ((n == 0)) || _vnetctl_offer id prefix ;;
	"vnet del" | "vnet show") ((n == 0)) && _vnetctl_names vnet ;;
	"vnet prefix")
		case $n in
		0) _vnetctl_offer add del ;;
		1) _vnetctl_names vnet ;;
		esac ;;
	"subnet add") ((n == 0)) && _vnetctl_names vnet; ((n >= 2)) && _vnetctl_offer prefix ;;
	"subnet del") ((n == 0)) && _vnetctl_names vnet; ((n == 1)) && _vnetctl_names subnet "$vnet" ;;
	"peering add")
		case $n in
		0) _vnetctl_names vnet ;;
		1) ;;
		*) _vnetctl_offer remote access forwarded gateway-transit use-remote-gateways ;;
		esac ;;
	"peering set")
		case $n in
		0) _vnetctl_names vnet ;;
		1) _vnetctl_names peering "$vnet" ;;
		*) _vnetctl_offer access forwarded gateway-transit use-remote-gateways ;;
		esac ;;
	"peering del") ((n == 0)) && _vnetctl_names vnet; ((n == 1)) && _vnetctl_names peering "$vnet" ;;
	"port add") ((n == 0)) && _vnetctl_names dev; ((n >= 1)) && _vnetctl_offer vnet subnet mac ip forwarding ;;
	"port set") ((n == 0)) && _vnetctl_names port; ((n >= 1)) && _vnetctl_offer mac ip forwarding ;;
	"port del" | "port show") ((n == 0)) && _vnetctl_names port ;;
	"acl add" | "acl del")
		((n == 0)) && _vnetctl_names vnet
		((n == 1)) && _vnetctl_offer subnet port
		if ((n >= 3)); then
			_vnetctl_offer dir prio
			[ "$verb" = add ] && _vnetctl_offer action proto src dst from-vnet sport dport
		fi ;;
	"acl show" | "gateway del" | "gateway show" | "subnet show" | "peering show" | \
	"lb show" | "endpoint show" | "endpoint add")
		((n == 0)) && _vnetctl_names vnet
		((n >= 2)) && [ "$verb" = add ] && _vnetctl_offer mac remote forwarding ;;
	"route add" | "route del" | "route show")
		case $n in
		0) _vnetctl_names vnet ;;
		1) _vnetctl_names subnet "$vnet"; [ "$verb" = show ] && _vnetctl_offer effective ;;
		2) [ "$verb" = show ] && _vnetctl_offer effective ;;
		3) [ "$verb" = add ] && _vnetctl_offer nexthop ;;
		esac ;;
	"gateway set") ((n == 0)) && _vnetctl_names vnet; ((n >= 1)) && _vnetctl_offer port prefix ;;
	"lb add" | "lb replace")
		((n == 0)) && _vnetctl_names vnet
		((n >= 2)) && _vnetctl_offer frontend proto port backend ;;
	"lb del") ((n == 0)) && _vnetctl_names vnet; ((n == 1)) && _vnetctl_names lb "$vnet" ;;
	"endpoint del") ((n == 0)) && _vnetctl_names vnet; ((n == 1)) && _vnetctl_names endpoint "$vnet" ;;
	"trace ") ((n == 0)) && _vnetctl_names vnet; ((n >= 1)) && _vnetctl_offer src dst proto sport dport port ;;
	"stats ") ((n == 0)) && _vnetctl_names port ;;
	"apply ")
		_vnetctl_offer --dry-run only
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur") ;;
	esac
	return 0
}
complete -F _vnetctl vnetctl
