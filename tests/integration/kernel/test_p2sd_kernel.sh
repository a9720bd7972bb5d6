#!/bin/bash
# test_p2sd_kernel.sh: p2sd with `datapath: kernel` against the strongSwan
# "Azure gateway" (tests/integration/lib) whose ESP is the kernel's too
# (kernel-netlink), both in namespaces.  Runs INSIDE the kernel lab
# (tests/kernel-lab/run; the host kernel has no ESP): see
# test_p2sd_kernel_lab.sh.
#
# Each case: the tunnel comes up; the VNet host answers pings; the client
# namespace holds exactly p2sd's two states (the if_id p2sd logged, the
# negotiated algorithm, ESP in UDP with NAT, plain ESP without), its
# out/in/fwd policies and its XFRM interface with the virtual IP; the
# packets on the client's wire are ESP in UDP (NAT) or ESP (no NAT) with
# p2sd's outbound SPI; `p2sctl status` counts what the kernel's states
# counted (ip -s xfrm state); after SIGTERM nothing of p2sd is left in the kernel
# (states, policies, routes of protocol 162, the interface).  The crash
# case kills p2sd with SIGKILL and checks that the next p2sd removes the
# leftovers and comes up; in the rekey case the gateway rekeys the CHILD_SA
# and the kernel ends up with the new states only; in the hard-limit case
# the kernel deletes p2sd's outbound state at a packet limit (an XFRM hard
# EXPIRE) and p2sd hears of it and brings the tunnel back; in the own
# rekey case p2sd rekeys its CHILD_SA on its own timer and on the
# kernel's soft limit while a ping runs, and not one ping is lost.
#
# Needs root and the kernel lab's kernel.  Exit 0 on success, 1 on failure.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/p2sd_test.sh
. "$HERE/../lib/p2sd_test.sh"
# shellcheck source=../lib/harness.sh
. "$HERE/../lib/harness.sh"

IFNAME=p2s-k0
n_fail=0
n_pass=0

tb_p2sd_test_init kt xfrm # fail dumps the XFRM states too

# profile FILE AUTH: a p2sd profile for the lab, kernel datapath.
profile() {
	tb_p2sd_profile "$1" comment="p2sd kernel datapath test profile ($2)" id= \
	    auth="$2" datapath=kernel interface="$IFNAME" -- "${PROFILE_EXTRA:-}"
}

start_p2sd() {
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
}

cl() {
	ip -n "$TB_NS_CLIENT" "$@"
}

# What p2sd may leave behind: nothing, once it has stopped.
nothing_left() {
	[ -z "$(cl xfrm state)" ] && [ -z "$(cl xfrm policy)" ] &&
		[ -z "$(cl route show table all proto 162)" ] &&
		! cl link show "$IFNAME" >/dev/null 2>&1
}

up() {
	grep -q 'connecting -> established' "$TB_LOGDIR/p2sd.log"
}

# wait_up NAME: the gateway's CHILD_SA and p2sd's "established".
wait_up() {
	tb_responder_wait_child 120 || fail "$1: the gateway installed no CHILD_SA"
	tb_wait_until 60 up || fail "$1: p2sd did not report the tunnel up"
}

# check_kernel NAME "ALG_REGEX..." NAT: p2sd's states (each regex on both),
# policies, interface.
check_kernel() {
	local name=$1 algs=$2 nat=$3 if_id states n alg
	if_id=$(grep -o 'if_id 0x[0-9a-f]*' "$TB_LOGDIR/p2sd.log" | head -1)
	[ -n "$if_id" ] || fail "$name: p2sd logged no if_id"
	if_id=$(printf 'if_id 0x%x' "${if_id#if_id }") # as ip(8) prints it
	states=$(cl xfrm state)
	printf '%s\n' "$states" | sed 's/^/#   /'
	n=$(printf '%s\n' "$states" | grep -c '^src ')
	[ "$n" -eq 2 ] || fail "$name: $n XFRM states, not 2"
	[ "$(printf '%s\n' "$states" | grep -c "$if_id")" -eq 2 ] ||
		fail "$name: the states do not both carry $if_id"
	for alg in $algs; do
		[ "$(printf '%s\n' "$states" | grep -cE "$alg")" -eq 2 ] ||
			fail "$name: the states are not /$alg/"
	done
	if [ "$nat" = none ]; then
		printf '%s\n' "$states" | grep -q 'encap' &&
			fail "$name: UDP encapsulation without NAT"
	else
		[ "$(printf '%s\n' "$states" | grep -c 'encap type espinudp .*dport 4500')" -eq 1 ] ||
			fail "$name: the states are not ESP in UDP to port 4500"
	fi
	for dir in out in fwd; do
		cl xfrm policy | grep -q "dir $dir" ||
			fail "$name: no $dir policy"
	done
	cl xfrm policy | sed 's/^/#   /'
	[ "$(cl xfrm policy | grep -c "$if_id")" -ge 3 ] ||
		fail "$name: the policies do not carry $if_id"
	cl -d link show "$IFNAME" | grep -q "xfrm $if_id" ||
		fail "$name: $IFNAME is not an XFRM interface with $if_id"
	cl addr show "$IFNAME" | grep -q 'inet 172\.16\.201\.' ||
		fail "$name: no virtual IP on $IFNAME"
	cl route show proto 162 | grep -q "$TB_VNET_PREFIX dev $IFNAME" ||
		fail "$name: no route to $TB_VNET_PREFIX via $IFNAME"
	ok "$name: 2 states with $if_id, /$algs/, policies out/in/fwd, $IFNAME"
}

# check_wire NAME NAT: ping through the tunnel while capturing the
# client's underlay; the ESP carries p2sd's outbound SPI.
check_wire() {
	local name=$1 nat=$2 filter=esp pat='ESP\(spi=' what=ESP spi ping
	[ "$nat" = none ] || {
		filter='udp port 4500' pat='UDP-encap: ESP\(spi=' what='ESP in UDP'
	}
	ip netns exec "$TB_NS_CLIENT" timeout 30 tcpdump -n -l -i "$TB_CLIENT_IF" \
	    -c 4 "$filter" >"$TB_LOGDIR/tcpdump.out" 2>"$TB_LOGDIR/tcpdump.err" &
	local tpid=$!
	tb_wait_until 30 grep -q 'listening on' "$TB_LOGDIR/tcpdump.err" ||
		fail "$name: tcpdump did not start"
	ping=$(tb_ping_vnet 5 2>&1) ||
		fail "$name: ping $TB_VNET_HOST through the tunnel: $ping"
	ok "$name: ping $TB_VNET_HOST: $(printf '%s\n' "$ping" | grep -E 'received|rtt')"
	wait "$tpid"
	sed 's/^/#   /' "$TB_LOGDIR/tcpdump.out"
	spi=$(cl xfrm state | awk -v gw="$TB_GW_ADDR" '$1 == "src" && $4 == gw { getline; print $4; exit }')
	spi=$(printf '0x%08x' "$spi")
	grep -E "> .*$pat$spi" "$TB_LOGDIR/tcpdump.out" >/dev/null ||
		fail "$name: no $what with SPI $spi on the wire"
	ok "$name: $what with SPI $spi on the wire"
}

# status_json: p2sctl status --json of the running p2sd.
status_json() {
	P2S_RUNTIME_DIR="$TB_DIR/run" "${P2SD%/p2sd}/p2sctl" status p2s --json
}

# json_num JSON KEY: the first number under KEY ("null" for null).
json_num() {
	printf '%s\n' "$1" | grep -oE "\"$2\":([0-9]+|null)" | head -1 | cut -d: -f2
}

# xfrm_out_current: "BYTES PACKETS" of the outbound state (to the gateway).
xfrm_out_current() {
	cl -s xfrm state | awk -v gw="$TB_GW_ADDR" '
		$1 == "src" { out = ($4 == gw) }
		out && /lifetime current:/ {
			getline; gsub(/\((bytes|packets)\),?/, ""); print $1, $2; exit
		}'
}

# check_status NAME MIN_PACKETS: status counts what the kernel's outbound
# state counted (read right after, with no traffic in between: equal, but
# for a stray packet), at least MIN_PACKETS; drops from the inbound state
# are numbers, the reasons the kernel does not count per tunnel null.
check_status() {
	local name=$1 min=$2 st b p kb kp
	st=$(status_json) || fail "$name: p2sctl status --json: $st"
	printf '#   status: %s\n' "$st"
	read -r kb kp <<<"$(xfrm_out_current)"
	b=$(json_num "$st" bytes_out)
	p=$(json_num "$st" packets_out)
	[ -n "$kp" ] && [ -n "$p" ] || fail "$name: no counters (status $p, kernel $kp)"
	[ "$p" -ge "$min" ] || fail "$name: status counts $p packets out, fewer than $min"
	[ "$kp" -ge "$p" ] && [ $((kp - p)) -le 2 ] && [ "$kb" -ge "$b" ] ||
		fail "$name: status says $b bytes/$p packets out, ip -s xfrm state $kb/$kp"
	[ "$(json_num "$st" packets_in)" -ge "$min" ] ||
		fail "$name: status counts fewer than $min packets in"
	printf '%s\n' "$st" | grep -qE '"drops":\{"replay":[0-9]+,"integrity":[0-9]+,"no_sa":null,"policy":null,"send":null\}' ||
		fail "$name: status has no kernel drop counters"
	ok "$name: status counts $b bytes/$p packets out (the kernel: $kb/$kp), drops from the states"
}

check_gone() {
	tb_stop p2sd
	if ! tb_wait_until 10 nothing_left; then
		{
			cl xfrm state; cl xfrm policy
			cl route show table all proto 162; cl link show "$IFNAME"
		} 2>&1 | sed 's/^/#   left: /'
		fail "$1: p2sd left something in the kernel"
	fi
	grep -q 'exiting with status 0' "$TB_LOGDIR/p2sd.log" ||
		fail "$1: p2sd did not exit with status 0"
	! grep -E 'AddressSanitizer|LeakSanitizer|runtime error|left over after teardown|cannot (delete|remove)' \
	    "$TB_LOGDIR/p2sd.log" || fail "$1: p2sd's teardown was not clean"
	ok "$1: SIGTERM left no state, policy, route or interface"
}

# kernel_case NAME AUTH NAT ALG_REGEX [responder options...]
kernel_case() (
	name=$1 auth=$2 nat=$3 alg=$4
	shift 4
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat "$nat" || fail "$name: topology"
	# install_routes = no: the gateway's way back to the pool.
	ip -n "$TB_NS_GW" route add "$TB_POOL" dev "$TB_GW_IF" ||
		fail "$name: route to the pool"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --kernel netlink --auth "$auth" "$@" || fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" "$auth"
	t0=$(tb_now_ms)
	start_p2sd
	wait_up "$name"
	ok "$name: tunnel up in $(($(tb_now_ms) - t0)) ms"
	grep -q 'kernel datapath: XFRM interface' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not take the kernel datapath"
	check_kernel "$name" "$alg" "$nat"
	check_wire "$name" "$nat"
	check_status "$name" 5
	check_gone "$name"
)

# lab_up NAME [responder options...]: lab, NAT, gateway (pubkey) and
# p2sd, up.
lab_up() {
	local name=$1
	shift
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	ip -n "$TB_NS_GW" route add "$TB_POOL" dev "$TB_GW_IF" ||
		fail "$name: route to the pool"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --kernel netlink --auth pubkey "$@" ||
		fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" pubkey
	start_p2sd
	wait_up "$name"
}

# crash_case: SIGKILL leaves the kernel state; the next p2sd removes it.
crash_case() (
	name="SIGKILL, then restart"
	lab_up "$name"
	pid=$(tb_pid_of p2sd) || fail "$name: p2sd is not running"
	kill -KILL "$pid"
	tb_wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
	[ "$(cl xfrm state | grep -c '^src ')" -eq 2 ] && cl link show "$IFNAME" >/dev/null ||
		fail "$name: SIGKILL left nothing to clean up (is the test right?)"
	: >"$TB_LOGDIR/p2sd.log"
	start_p2sd
	tb_wait_until 60 up || fail "$name: the second p2sd did not come up"
	grep -q "removing $IFNAME, left by an earlier p2sd" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: the second p2sd did not remove the leftover interface"
	grep -q 'XFRM states and policies with if_id .* left by an earlier p2sd' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: the second p2sd did not remove the leftover states"
	[ "$(cl xfrm state | grep -c '^src ')" -eq 2 ] ||
		fail "$name: not exactly the new SA's 2 states"
	ping=$(tb_ping_vnet 5 2>&1) || fail "$name: ping after restart: $ping"
	ok "$name: leftovers removed, tunnel up again, ping answered"
	check_gone "$name"
)

# The inbound state's SPI (from the gateway), and how many states there are.
in_spi() {
	cl xfrm state | awk -v gw="$TB_GW_ADDR" '$1 == "src" && $2 == gw { getline; print $4; exit }'
}

# rekeyed OLD_SPI: a new inbound SA, and the old one removed once the
# gateway deleted it.
rekeyed() {
	local spi
	spi=$(in_spi)
	[ -n "$spi" ] && [ "$spi" != "$1" ] &&
		[ "$(cl xfrm state | grep -c '^src ')" -eq 2 ]
}

# rekey_case: the gateway rekeys the CHILD_SA (CREATE_CHILD_SA); the
# kernel gets the new states before the old go (make before break).
rekey_case() (
	name="the gateway rekeys the CHILD_SA"
	lab_up "$name" --child-rekey-time 20s
	spi0=$(in_spi)
	tb_wait_until 120 rekeyed "$spi0" || fail "$name: no rekey within 120 s"
	ping=$(tb_ping_vnet 5 2>&1) || fail "$name: ping after the rekey: $ping"
	ok "$name: inbound SPI $spi0 -> $(in_spi), old states gone, ping answered"
	check_gone "$name"
)

# out_state: the outbound state's "src dst spi encap-line" (to the gateway).
out_state() {
	cl xfrm state | awk -v gw="$TB_GW_ADDR" '
		$1 == "src" && spi != "" { exit }
		$1 == "src" { out = ($4 == gw); if (out) { s = $2; d = $4 } }
		out && $1 == "proto" { spi = $4 }
		out && $1 == "encap" { enc = "encap " $3 " " $5 " " $7 " 0.0.0.0" }
		END { if (spi != "") print s, d, spi, enc }'
}

# xfrm_limit LIMIT...: new lifetimes on p2sd's outbound state, as a real
# limit would be crossed.  XFRM_MSG_UPDSA on a valid state takes only its
# lifetimes (and UDP ports) from the request, keeping its keys and
# counters (net/xfrm/xfrm_state.c, xfrm_state_update), so the algorithm
# given here is any valid one.
xfrm_limit() {
	local s d spi enc
	read -r s d spi enc <<<"$(out_state)"
	[ -n "$spi" ] || return 1
	# shellcheck disable=SC2086
	cl xfrm state update src "$s" dst "$d" proto esp spi "$spi" mode tunnel \
	    enc 'cbc(aes)' 0x00000000000000000000000000000000 \
	    auth-trunc 'hmac(sha256)' 0x0000000000000000000000000000000000000000000000000000000000000000 128 \
	    $enc limit "$@"
}

# out_packets: the outbound state's packet count.
out_packets() {
	local b p
	read -r b p <<<"$(xfrm_out_current)"
	echo "${p:-0}"
}

# hard_case: the kernel deletes the outbound state at its hard packet
# limit (XFRM EXPIRE, hard); p2sd hears of it, rekeys the CHILD_SA (a
# reconnect if it could not), and the tunnel carries pings again.
hard_case() (
	name="a hard XFRM limit takes the outbound state"
	lab_up "$name"
	spi0=$(out_state | cut -d' ' -f3)
	n=$(out_packets)
	xfrm_limit packet-hard $((n + 3)) || fail "$name: cannot set the limit on $spi0"
	tb_ping_vnet 5 >/dev/null 2>&1 # crosses the limit: some are lost
	tb_wait_until 30 grep -q "XFRM state $spi0 hit a hard limit" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not hear of the hard expiry of $spi0"
	grep -q "lost its kernel state: rekeying" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not rekey the CHILD_SA"
	ok "$name: $spi0 expired hard after $((n + 3)) packets; p2sd rekeys"
	tb_wait_until 30 grep -q 'CHILD_SA rekeyed: ' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: the rekey did not complete"
	tb_wait_until 30 tb_ping_vnet 2 >/dev/null 2>&1 ||
		fail "$name: no ping after the rekey"
	[ "$(grep -c 'connecting -> established' "$TB_LOGDIR/p2sd.log")" -eq 1 ] ||
		fail "$name: p2sd reconnected instead"
	ok "$name: rekeyed to outbound $(out_state | cut -d' ' -f3) without a reconnect, ping answered"
	check_gone "$name"
)

# log_line_of PATTERN: the line number of PATTERN's first match after
# line $2 (0: from the start) in p2sd's log, empty when none.
log_line_of() {
	awk -v from="${2:-0}" -v pat="$1" 'NR > from && $0 ~ pat { print NR; exit }' \
	    "$TB_LOGDIR/p2sd.log"
}

# two_states: the kernel holds one CHILD_SA's states, no old ones.
two_states() {
	[ "$(cl xfrm state | grep -c '^src ')" -eq 2 ]
}

# rekeyed_after LINE: a rekey completed after line LINE of the log.
rekeyed_after() {
	[ -n "$(log_line_of 'CHILD_SA rekeyed: ' "$1")" ]
}

n_rekeys() {
	grep -c 'CHILD_SA rekeyed: ' "$TB_LOGDIR/p2sd.log"
}

# own_rekey_case: p2sd rekeys its own CHILD_SA under a ping: first on the
# engine's timer (lifetime.child 20s), then because the kernel's soft
# packet limit on the new outbound state was crossed (XFRM EXPIRE, soft).
# Not one ping may be lost; the kernel ends with the newest states only.
own_rekey_case() (
	name="p2sd rekeys its CHILD_SA under a ping"
	PROFILE_EXTRA=$'lifetime:\n  child: 20s'
	lab_up "$name"
	spi0=$(out_state | cut -d' ' -f3)
	ip netns exec "$TB_NS_CLIENT" ping -n -c 250 -i 0.2 -W 1 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1 &
	ping_pid=$!
	tb_wait_until 40 grep -q 'CHILD_SA rekeyed: ' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: no rekey of p2sd's own within 40 s"
	tb_wait_until 10 two_states ||
		fail "$name: the old states stayed after the first rekey"
	spi1=$(out_state | cut -d' ' -f3)
	[ -n "$spi1" ] && [ "$spi1" != "$spi0" ] ||
		fail "$name: the outbound SPI did not change ($spi0 -> $spi1)"
	ok "$name: the engine's timer: outbound $spi0 -> $spi1"
	n=$(out_packets)
	mark=$(wc -l <"$TB_LOGDIR/p2sd.log")
	xfrm_limit packet-soft $((n + 10)) || fail "$name: cannot set the limit on $spi1"
	tb_wait_until 30 grep -q "XFRM state $spi1 hit a soft limit" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not hear of the soft expiry of $spi1"
	tb_wait_until 30 rekeyed_after "$mark" ||
		fail "$name: no rekey after the soft expiry of $spi1"
	soft=$(log_line_of "XFRM state $spi1 hit a soft limit" "$mark")
	started=$(log_line_of "rekeying CHILD_SA" "$soft")
	[ -n "$started" ] || fail "$name: the soft expiry started no rekey"
	sed -n "${soft}p;${started}p" "$TB_LOGDIR/p2sd.log" | sed 's/^/#   /'
	wait "$ping_pid"
	loss=$(grep -oE '[0-9.]+% packet loss' "$TB_LOGDIR/ping.out")
	[ "$loss" = "0% packet loss" ] ||
		fail "$name: ping across the rekeys: ${loss:-no result}: $(tail -3 "$TB_LOGDIR/ping.out")"
	tb_wait_until 10 two_states ||
		fail "$name: old states left after the rekeys"
	spi2=$(out_state | cut -d' ' -f3)
	[ "$spi2" != "$spi1" ] || fail "$name: outbound $spi1 was not replaced"
	ok "$name: the soft limit on $spi1 after $((n + 10)) packets: rekeyed to $spi2"
	ok "$name: $(n_rekeys) rekeys of p2sd's own in 50 s of ping, $loss"
	grep -q 'rekeyed by the gateway' "$TB_LOGDIR/p2sd.log" &&
		fail "$name: the gateway rekeyed, not p2sd"
	check_status "$name" 1
	check_gone "$name"
)

t_start=$(tb_now_ms)
echo "# kernel $(uname -r)"
run() {
	if "$@"; then n_pass=$((n_pass + 1)); else n_fail=$((n_fail + 1)); fi
}
run kernel_case "eap-tls, NAT, AES-GCM" eap-tls masquerade 'rfc4106\(gcm\(aes\)\)'
run kernel_case "pubkey, no NAT, AES-CBC+HMAC-SHA256" pubkey none \
    'cbc\(aes\) hmac\(sha256\)' --esp-proposals aes256-sha256
run kernel_case "pubkey, NAT, AES-CBC+HMAC-SHA256" pubkey masquerade \
    'cbc\(aes\) hmac\(sha256\)' --esp-proposals aes256-sha256
run crash_case
run rekey_case
run own_rekey_case
run hard_case
echo "# p2sd kernel datapath: $(($(tb_now_ms) - t_start)) ms in the guest"
echo "$n_pass passed, $n_fail failed"
exit $((n_fail != 0))
