# shellcheck shell=bash
# tests/integration/lib/topology.sh: the namespaced lab network.
#
#   client ns              nat ns                          gw ns                       vnet ns
#   198.51.100.10/24 -- 198.51.100.1 | 192.0.2.1 -- 192.0.2.10/24                    
#   default via .1         ip_forward, nft masquerade       10.1.0.1/16 ------------- 10.1.0.4/16
#                          no default route                 ip_forward, responder     172.16.201.0/24 via 10.1.0.1
#
# With --nat none the nat namespace is left out: the client sits directly
# on the "internet" link, 192.0.2.100/24, and the gateway routes nothing
# extra. Only documentation/test ranges are used, and every address,
# route and nft rule lives inside a namespace of this run; veth pairs are
# created directly inside their namespaces, so nothing ever appears in the
# root namespace, and the NAT namespace has no default route.
#
# Public variables (set by tb_topology_up; read-only for tests):
#   TB_NS_CLIENT TB_NS_NAT TB_NS_GW TB_NS_VNET   namespace names
#   TB_NAT             masquerade | fully-random | none
#   TB_CLIENT_ADDR     the client's underlay address (198.51.100.10, or
#                      192.0.2.100 with --nat none)
#   TB_CLIENT_IF       the client's underlay interface (in TB_NS_CLIENT)
#   TB_GW_ADDR         192.0.2.10 (what the client dials)
#   TB_GW_IF           the gateway's outside interface (in TB_NS_GW)
#   TB_NAT_OUT_ADDR    192.0.2.1 (where NATed traffic appears from)
#   TB_VNET_PREFIX     10.1.0.0/16 (the gateway's local_ts)
#   TB_VNET_GW_ADDR    10.1.0.1 (the gateway inside the VNet)
#   TB_VNET_HOST       10.1.0.4 (the VNet host; also the DNS pushed)
#   TB_POOL            172.16.201.0/24 (the P2S client pool)

[ -n "${TB_COMMON_SH_LOADED:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TB_GW_ADDR=192.0.2.10
TB_NAT_OUT_ADDR=192.0.2.1
TB_VNET_PREFIX=10.1.0.0/16
TB_VNET_GW_ADDR=10.1.0.1
TB_VNET_HOST=10.1.0.4
TB_POOL=172.16.201.0/24

# tb_ns ROLE: print the namespace name of role client|nat|gw|vnet.
tb_ns() {
	case $1 in
	client) printf '%s\n' "$TB_PREFIX-cl" ;;
	nat) printf '%s\n' "$TB_PREFIX-nat" ;;
	gw) printf '%s\n' "$TB_PREFIX-gw" ;;
	vnet) printf '%s\n' "$TB_PREFIX-vn" ;;
	*) tb_err "unknown role '$1'"; return 1 ;;
	esac
}

# tb_exec ROLE CMD...: run CMD inside the namespace of ROLE.
tb_exec() {
	local ns
	ns=$(tb_ns "$1") || return 1
	shift
	ip netns exec "$ns" "$@"
}

_tb_ns_add() {
	local ns=$1
	ip netns add "$ns" || return 1
	TB_TOPO_NAMESPACES+=("$ns")
	printf '%s\n' "$ns" >>"$TB_DIR/namespaces"
	ip -n "$ns" link set lo up || return 1
	ip netns exec "$ns" sysctl -q -w \
		net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 >/dev/null || return 1
}

# tb_ns_etc ROLE FILE [CONTENT]: give processes started later in ROLE's
# namespace their own /etc/FILE (e.g. resolv.conf, hosts), through
# /etc/netns/NS/FILE, which `ip netns exec` bind-mounts over /etc/FILE.
# Removed at teardown. Must be done before the process starts.
tb_ns_etc() {
	local ns
	ns=$(tb_ns "$1") || return 1
	if [ ! -d /etc/netns ]; then
		mkdir -p /etc/netns || return 1
		: >"$TB_DIR/netns-etc-created"
	fi
	mkdir -p "/etc/netns/$ns" || return 1
	printf '%s\n' "$ns" >>"$TB_DIR/netns-etc"
	printf '%s\n' "${3:-# p2s test namespace $ns}" >"/etc/netns/$ns/$2"
}

# tb_topology_up [--nat masquerade|fully-random|none] [--no-private-resolv]
# Builds the four (three with --nat none) namespaces, links, addresses,
# routes and NAT, then checks the underlay (client -> gateway ping).
# Default NAT mode: $TB_NAT, else masquerade. The client namespace gets its
# own empty /etc/resolv.conf unless --no-private-resolv is given, so a
# client under test can never rewrite the host's file.
tb_topology_up() {
	local nat=${TB_NAT:-masquerade} private_resolv=1 p=$TB_PREFIX
	while [ $# -gt 0 ]; do
		case $1 in
		--nat) nat=$2; shift 2 ;;
		--nat=*) nat=${1#--nat=}; shift ;;
		--no-private-resolv) private_resolv=; shift ;;
		*) tb_err "tb_topology_up: unknown option $1"; return 1 ;;
		esac
	done
	case $nat in
	masquerade | fully-random | none) ;;
	*) tb_err "tb_topology_up: --nat must be masquerade, fully-random or none"; return 1 ;;
	esac
	[ -n "${TB_DIR:-}" ] || { tb_err "call tb_init first"; return 1; }
	TB_NAT=$nat
	TB_NS_CLIENT=$p-cl
	TB_NS_NAT=$p-nat
	TB_NS_GW=$p-gw
	TB_NS_VNET=$p-vn
	TB_CLIENT_IF=${p}c0
	TB_GW_IF=${p}g0
	TB_TOPO_NAMESPACES=()
	export TB_NAT TB_NS_CLIENT TB_NS_NAT TB_NS_GW TB_NS_VNET TB_CLIENT_IF TB_GW_IF \
		TB_GW_ADDR TB_NAT_OUT_ADDR TB_VNET_PREFIX TB_VNET_GW_ADDR TB_VNET_HOST TB_POOL

	local t0
	t0=$(tb_now_ms)
	{
		_tb_ns_add "$TB_NS_CLIENT" &&
			_tb_ns_add "$TB_NS_GW" &&
			_tb_ns_add "$TB_NS_VNET" &&
			if [ "$nat" != none ]; then _tb_ns_add "$TB_NS_NAT"; fi
	} || { tb_err "creating namespaces failed"; return 1; }

	# gateway <-> vnet
	ip link add "${p}gv" netns "$TB_NS_GW" type veth peer name "${p}v0" netns "$TB_NS_VNET" &&
		ip -n "$TB_NS_GW" addr add "$TB_VNET_GW_ADDR/16" dev "${p}gv" &&
		ip -n "$TB_NS_GW" link set "${p}gv" up &&
		ip -n "$TB_NS_VNET" addr add "$TB_VNET_HOST/16" dev "${p}v0" &&
		ip -n "$TB_NS_VNET" link set "${p}v0" up &&
		ip -n "$TB_NS_VNET" route add "$TB_POOL" via "$TB_VNET_GW_ADDR" &&
		ip netns exec "$TB_NS_GW" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null ||
		{ tb_err "gateway/vnet link setup failed"; return 1; }

	if [ "$nat" = none ]; then
		TB_CLIENT_ADDR=192.0.2.100
		ip link add "$TB_CLIENT_IF" netns "$TB_NS_CLIENT" type veth peer name "$TB_GW_IF" netns "$TB_NS_GW" &&
			ip -n "$TB_NS_CLIENT" addr add "$TB_CLIENT_ADDR/24" dev "$TB_CLIENT_IF" &&
			ip -n "$TB_NS_CLIENT" link set "$TB_CLIENT_IF" up &&
			ip -n "$TB_NS_GW" addr add "$TB_GW_ADDR/24" dev "$TB_GW_IF" &&
			ip -n "$TB_NS_GW" link set "$TB_GW_IF" up ||
			{ tb_err "client/gateway link setup failed"; return 1; }
	else
		TB_CLIENT_ADDR=198.51.100.10
		ip link add "$TB_CLIENT_IF" netns "$TB_NS_CLIENT" type veth peer name "${p}nc" netns "$TB_NS_NAT" &&
			ip link add "${p}ng" netns "$TB_NS_NAT" type veth peer name "$TB_GW_IF" netns "$TB_NS_GW" &&
			ip -n "$TB_NS_CLIENT" addr add "$TB_CLIENT_ADDR/24" dev "$TB_CLIENT_IF" &&
			ip -n "$TB_NS_CLIENT" link set "$TB_CLIENT_IF" up &&
			ip -n "$TB_NS_CLIENT" route add default via 198.51.100.1 &&
			ip -n "$TB_NS_NAT" addr add 198.51.100.1/24 dev "${p}nc" &&
			ip -n "$TB_NS_NAT" link set "${p}nc" up &&
			ip -n "$TB_NS_NAT" addr add "$TB_NAT_OUT_ADDR/24" dev "${p}ng" &&
			ip -n "$TB_NS_NAT" link set "${p}ng" up &&
			ip netns exec "$TB_NS_NAT" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null &&
			ip -n "$TB_NS_GW" addr add "$TB_GW_ADDR/24" dev "$TB_GW_IF" &&
			ip -n "$TB_NS_GW" link set "$TB_GW_IF" up ||
			{ tb_err "client/nat/gateway link setup failed"; return 1; }
		local rand=
		[ "$nat" = fully-random ] && rand=" fully-random"
		ip netns exec "$TB_NS_NAT" nft -f - <<-EOF || { tb_err "nft setup failed"; return 1; }
			table ip ${p}_nat {
				chain postrouting {
					type nat hook postrouting priority srcnat; policy accept;
					oifname "${p}ng" ip saddr 198.51.100.0/24 masquerade$rand
				}
			}
		EOF
	fi
	export TB_CLIENT_ADDR

	if [ -n "$private_resolv" ]; then
		tb_ns_etc client resolv.conf "# p2s test namespace $TB_NS_CLIENT: no resolver" || return 1
	fi

	# underlay check: the client must reach the gateway
	if ! tb_wait_until 5 ip netns exec "$TB_NS_CLIENT" ping -q -c 1 -W 1 "$TB_GW_ADDR" >/dev/null 2>&1; then
		tb_err "underlay check failed: $TB_NS_CLIENT cannot ping $TB_GW_ADDR"
		return 1
	fi
	tb_log "topology up (nat=$nat) in $(($(tb_now_ms) - t0)) ms: client $TB_CLIENT_ADDR -> gw $TB_GW_ADDR, vnet $TB_VNET_PREFIX"
}

# tb_topology_down: kill every process left in this run's namespaces,
# delete them and the /etc/netns entries made for them. Idempotent.
tb_topology_down() {
	local ns list=()
	[ -n "${TB_DIR:-}" ] || return 0
	if [ -f "$TB_DIR/namespaces" ]; then
		while read -r ns; do
			case $ns in "$TB_PREFIX"-*) list+=("$ns") ;; esac
		done <"$TB_DIR/namespaces"
	fi
	if [ ${#list[@]} -gt 0 ]; then
		tb_ns_kill_all "${list[@]}"
		for ns in "${list[@]}"; do
			[ -e "/run/netns/$ns" ] && ip netns delete "$ns"
		done
	fi
	rm -f "$TB_DIR/namespaces"
	if [ -f "$TB_DIR/netns-etc" ]; then
		while read -r ns; do
			case $ns in "$TB_PREFIX"-*) rm -rf -- "/etc/netns/$ns" ;; esac
		done <"$TB_DIR/netns-etc"
		# remove /etc/netns only if this run created it (and it is empty)
		[ -e "$TB_DIR/netns-etc-created" ] && rmdir /etc/netns 2>/dev/null
		rm -f "$TB_DIR/netns-etc" "$TB_DIR/netns-etc-created"
	fi
	return 0
}

# tb_ping_vnet [COUNT]: ping the VNet host from the client namespace
# (through the tunnel once it is up). Bounded: at most COUNT (default 3)
# probes, 0.2 s apart, 5 s in all. Succeeds if every probe is answered.
tb_ping_vnet() {
	local n=${1:-3}
	ip netns exec "$TB_NS_CLIENT" ping -q -n -c "$n" -i 0.2 -W 1 -w 5 "$TB_VNET_HOST"
}
