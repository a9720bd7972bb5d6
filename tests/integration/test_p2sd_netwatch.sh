#!/bin/bash
# p2sd and network changes (issue #6), against the strongSwan "Azure
# gateway" (tests/integration/lib), userspace datapath, and how long each
# recovery took:
#  - the client's address changes (new address on the uplink, old one
#    removed): p2sd sees the path to the gateway change over rtnetlink and
#    moves the SA with MOBIKE (UPDATE_SA_ADDRESSES): the gateway keeps the
#    same IKE SA and CHILD_SA (same SPIs) and pings go through; with
#    mobike = no on the gateway, p2sd reconnects from the new address;
#  - the gateway's address changes (the profile has only gateway.host,
#    resolved through the client namespace's own /etc/hosts): the liveness
#    checks notice, and p2sd reconnects to the new address by itself;
#  - the network goes and comes back: the uplink loses its address, the
#    tunnel goes down, attempts fail and back off; when the address and
#    route come back, the path to the gateway appears and p2sd tries at
#    once instead of waiting out the backoff;
#  - fail closed: while p2sd reconnects (the gateway drops IKE and has
#    deleted the SA), status says fail_closed and pings to the VNet do not
#    leave the uplink in clear (tcpdump on the uplink);
#  - a resume (SIGUSR1, the path netwatch takes when its clock watch sees
#    a suspend; the detection itself is test_netwatch's): with dpd at 1 h,
#    a liveness check goes out at once; the gateway answers it, and once
#    the gateway has gone silent, the unanswered check brings p2sd to
#    reconnect by itself, not an hour later;
#  - NAT keepalives behind the NAT (nat_keepalive: 1s in the profile):
#    three 1-byte 0xff datagrams to port 4500 while the tunnel is idle,
#    none while ESP flows at 5 packets a second (anything we send on the
#    4500 path keeps the mapping: RFC 3948 2.3).
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

n_fail=0
tb_p2sd_test_init nw p2sctl

GW_NEW=192.0.2.20     # where the gateway moves
CLIENT_NEW=198.51.100.20 # where the client moves

# profile FILE [KEY: VALUE...]: a userspace profile for the lab naming
# the gateway by host only (resolved at each connect).
profile() {
	local file=$1
	shift
	tb_p2sd_profile "$file" address= id= interface=p2s-nw0 reconnect=always \
	    -- "$@"
}

# lab_up NAME [profile lines...]: lab with NAT, the gateway known to the
# client as $TB_GW_FQDN -> $TB_GW_ADDR, p2sd up, a ping through.
lab_up() {
	local name=$1
	shift
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_ns_etc client hosts "127.0.0.1 localhost
$TB_GW_ADDR $TB_GW_FQDN" || fail "$name: /etc/hosts"
	tb_responder_start --auth eap-tls --local-addrs "$TB_GW_ADDR,$GW_NEW" \
	    --mobike "${MOBIKE:-yes}" ||
		fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" "$@"
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
	tb_responder_wait_child 30 || fail "$name: the gateway installed no CHILD_SA"
	tb_wait_until 10 tb_ping_vnet 1 >/dev/null 2>&1 ||
		fail "$name: no ping through the first tunnel"
}

# stop_p2sd NAME: SIGTERM; p2sd must exit 0, with no sanitizer report
# (the --enable-sanitizers build).
stop_p2sd() {
	tb_stop p2sd
	grep -q 'exiting with status 0' "$TB_LOGDIR/p2sd.log" ||
		fail "$1: p2sd did not exit with status 0"
	! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$TB_LOGDIR/p2sd.log" ||
		fail "$1: a sanitizer report in p2sd's log"
}

status_json() {
	P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" status p2s --json
}

status_is() {
	status_json 2>/dev/null | grep -q "\"state\":\"$1\""
}

p2sd_log_count() {
	grep -c -- "$1" "$TB_LOGDIR/p2sd.log"
}

more_tunnels_than() {
	[ "$(p2sd_log_count 'tunnel up')" -gt "$1" ]
}

# The gateway's IKE SAs: "IKE_SPI_I_IKE_SPI_R" per line.
gw_ike_spis() {
	tb_responder_swanctl --list-sas 2>/dev/null |
	    grep -oE '[0-9a-f]{16}_i\*? [0-9a-f]{16}_r' | tr -d '*'
}

# back_up NAME T0: the tunnel is back (a ping goes through the p2sd that
# says established); BACK_MS: the ms since T0.
back_up() {
	local name=$1 t0=$2
	tb_wait_until 120 status_is established || fail "$name: p2sd did not reconnect"
	tb_wait_until 20 tb_ping_vnet 1 >/dev/null 2>&1 ||
		fail "$name: reconnected, but no ping through the tunnel"
	BACK_MS=$(($(tb_now_ms) - t0))
}

# move_client: the client's uplink gets a new address and loses the old.
move_client() {
	ip netns exec "$TB_NS_CLIENT" sysctl -q -w \
	    "net.ipv4.conf.$TB_CLIENT_IF.promote_secondaries=1" &&
		ip -n "$TB_NS_CLIENT" addr add "$CLIENT_NEW/24" dev "$TB_CLIENT_IF" &&
		ip -n "$TB_NS_CLIENT" addr del "$TB_CLIENT_ADDR/24" dev "$TB_CLIENT_IF" &&
		ip -n "$TB_NS_CLIENT" route replace default via 198.51.100.1
}

# gw_ike: the gateway's IKE SA SPIs, one line.
gw_ike() {
	tb_responder_swanctl --list-sas 2>/dev/null |
	    grep -oE '[0-9a-f]{16}_[ir]' | tr -s ' \n' ' '
}

# client_moves NAME: with MOBIKE (strongSwan's default) the same IKE SA
# moves to the new address.  (strongSwan's kernel-libipsec cannot update
# a CHILD_SA's addresses in place, so the gateway rekeys the CHILD_SA
# right after the update: its SPIs may change, the IKE SA's do not.)
client_moves() (
	name=$1
	lab_up "$name"
	n_up=$(p2sd_log_count 'tunnel up')
	sas0=$(gw_ike)
	t0=$(tb_now_ms)
	move_client || fail "$name: moving the client"
	tb_wait_until 10 grep -q 'took our new address (MOBIKE)' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not move the SA with MOBIKE"
	grep -E 'path to the gateway changed|UPDATE_SA_ADDRESSES|MOBIKE' "$TB_LOGDIR/p2sd.log" |
	    sed 's/^/#   /'
	back_up "$name" "$t0"
	ms=$BACK_MS
	sas1=$(gw_ike)
	[ -n "$sas0" ] && [ "$sas1" = "$sas0" ] ||
		fail "$name: the gateway's IKE SA changed: $sas0 -> $sas1"
	[ "$(p2sd_log_count 'tunnel up')" -eq "$n_up" ] ||
		fail "$name: p2sd made a new tunnel instead"
	tb_responder_swanctl --list-sas 2>/dev/null | grep -qE "$TB_NAT_OUT_ADDR\[[0-9]+\]" ||
		fail "$name: the gateway does not show the NAT's address"
	ok "$name: moved with MOBIKE, same IKE SA ($sas1), pings through $ms ms after the address change"
	grep -c 'CHILD_SA rekeyed by the gateway' "$TB_LOGDIR/p2sd.log" |
	    sed 's/^/#   CHILD_SA rekeys by the gateway since: /'
	stop_p2sd "$name"
)

# client_moves_nomobike NAME: the gateway says mobike = no: p2sd
# reconnects from the new address.
client_moves_nomobike() (
	name=$1
	MOBIKE=no lab_up "$name"
	n_up=$(p2sd_log_count 'tunnel up')
	t0=$(tb_now_ms)
	move_client || fail "$name: moving the client"
	tb_wait_until 10 grep -q 'the path to the gateway changed' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not see the path change"
	grep 'the path to the gateway changed' "$TB_LOGDIR/p2sd.log" | head -1 | sed 's/^/#   /'
	tb_wait_until 30 more_tunnels_than "$n_up" ||
		fail "$name: no new tunnel"
	back_up "$name" "$t0"
	ms=$BACK_MS
	! grep -q 'UPDATE_SA_ADDRESSES' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd tried MOBIKE with a gateway that did not offer it"
	ok "$name: reconnected from the new address $ms ms after the address change"
	stop_p2sd "$name"
)

# gateway_moves NAME: the gateway's address changes (the old one goes,
# /etc/hosts says the new one); liveness checks (dpd 2 s) notice and
# p2sd reconnects to the new address, resolved again.
gateway_moves() (
	name=$1
	lab_up "$name" "dpd: 2s"
	t0=$(tb_now_ms)
	ip -n "$TB_NS_GW" addr del "$TB_GW_ADDR/24" dev "$TB_GW_IF" &&
		ip -n "$TB_NS_GW" addr add "$GW_NEW/24" dev "$TB_GW_IF" ||
		fail "$name: moving the gateway"
	tb_ns_etc client hosts "127.0.0.1 localhost
$GW_NEW $TB_GW_FQDN" || fail "$name: /etc/hosts"
	tb_wait_until 90 grep -q 'the gateway stopped answering' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not notice the gateway was gone"
	ok "$name: p2sd noticed in $(($(tb_now_ms) - t0)) ms (dpd 2 s + retransmissions)"
	back_up "$name" "$t0"
	ms=$BACK_MS
	status_json | grep -q "\"address\":\"$GW_NEW\"" ||
		fail "$name: status does not show the new address: $(status_json)"
	ok "$name: reconnected to $GW_NEW by itself, $ms ms after the move"
	stop_p2sd "$name"
)

gw_ike_block() {
	ip netns exec "$TB_NS_GW" nft -f - <<'EON'
table inet p2s_nwblock {
	chain input {
		type filter hook input priority -10; policy accept;
		udp dport 500 drop
	}
}
EON
}

# fail_closed NAME: the gateway deletes the SA and then ignores new IKE
# SAs (port 500 dropped; our answer to its DELETE still reaches it on 4500):
# while p2sd tries again, VNet pings stay off the uplink, status says so.
fail_closed() (
	name=$1
	lab_up "$name"
	status_json | grep -q '"fail_closed":false' ||
		fail "$name: fail_closed is not false while established: $(status_json)"
	gw_ike_block || fail "$name: nft"
	t0=$(tb_now_ms)
	tb_responder_swanctl --terminate --ike azure-p2s >/dev/null 2>&1 ||
		fail "$name: swanctl --terminate"
	tb_wait_until 10 grep -q 'the gateway deleted the IKE SA' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not see the DELETE"
	st=$(status_json)
	case $st in
	*'"state":"established"'*) fail "$name: still established: $st" ;;
	esac
	printf '%s\n' "$st" | grep -q '"fail_closed":true' ||
		fail "$name: status does not say fail_closed: $st"
	printf '%s\n' "$st" | grep -q '"routes":\["10.1.0.0/16"\]' ||
		fail "$name: the VNet route is not in status: $st"
	P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" status p2s | grep 'fail closed' | sed 's/^/#   /'
	ip -n "$TB_NS_CLIENT" route get "$TB_VNET_HOST" | grep -q 'dev p2s-nw0' ||
		fail "$name: the VNet route left the tunnel interface"
	tb_spawn tcpdump "$TB_NS_CLIENT" "$TB_LOGDIR/tcpdump-clear.log" \
	    tcpdump -i "$TB_CLIENT_IF" -n -l -U "icmp and host $TB_VNET_HOST"
	tb_wait_until 10 grep -q 'listening on' "$TB_LOGDIR/tcpdump-clear.log" ||
		fail "$name: tcpdump did not start"
	ip netns exec "$TB_NS_CLIENT" ping -n -c 10 -i 0.2 -W 1 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1
	grep -q ' 0 received' "$TB_LOGDIR/ping.out" ||
		fail "$name: pings answered with no tunnel: $(tail -2 "$TB_LOGDIR/ping.out")"
	tb_stop tcpdump
	n=$(grep -c "$TB_VNET_HOST" "$TB_LOGDIR/tcpdump-clear.log")
	[ "$n" -eq 0 ] || fail "$name: $n ICMP packets to the VNet in clear on the uplink"
	grep -E 'packets (captured|received by filter)' "$TB_LOGDIR/tcpdump-clear.log" | sed 's/^/#   /'
	ok "$name: 10 pings while reconnecting: none on the uplink in clear, status fail_closed"
	t1=$(tb_now_ms)
	ip netns exec "$TB_NS_GW" nft delete table inet p2s_nwblock || fail "$name: nft delete"
	back_up "$name" "$t1"
	ms=$BACK_MS
	status_json | grep -q '"fail_closed":false' ||
		fail "$name: fail_closed still true once established"
	ok "$name: back $ms ms after the gateway answered again ($(($(tb_now_ms) - t0)) ms since the DELETE)"
	stop_p2sd "$name"
)

# net_later NAME: the uplink loses its address (dpd 2 s: the tunnel
# goes down, attempts fail at once and back off); when it comes back,
# p2sd tries at once.
net_later() (
	name=$1
	lab_up "$name" "dpd: 2s"
	t_gone=$(tb_now_ms)
	ip -n "$TB_NS_CLIENT" addr del "$TB_CLIENT_ADDR/24" dev "$TB_CLIENT_IF" ||
		fail "$name: removing the uplink address"
	tb_wait_until 20 grep -q 'no route to the gateway any more' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not see the route go"
	# Failed attempts back off: the next try is 8 s or more away.
	tb_wait_until 90 grep -qE 'reconnecting in ([89]|[1-9][0-9]+) s' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not back off"
	line=$(grep -E 'reconnecting in [0-9]+ s' "$TB_LOGDIR/p2sd.log" | tail -1)
	printf '#   %s\n' "${line#*tunnel down: }"
	n=$(grep -c 'reconnecting in' "$TB_LOGDIR/p2sd.log")
	ok "$name: down $(($(tb_now_ms) - t_gone)) ms after the address went, backing off"
	t0=$(tb_now_ms)
	ip -n "$TB_NS_CLIENT" addr add "$TB_CLIENT_ADDR/24" dev "$TB_CLIENT_IF" &&
		ip -n "$TB_NS_CLIENT" route replace default via 198.51.100.1 ||
		fail "$name: the address back"
	tb_wait_until 10 grep -q 'the path to the gateway changed: trying now' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not try when the path appeared"
	back_up "$name" "$t0"
	[ "$(grep -c 'reconnecting in' "$TB_LOGDIR/p2sd.log")" -eq "$n" ] ||
		fail "$name: another failure after the path appeared"
	ok "$name: up $BACK_MS ms after the address came back (the backoff said ${line##*reconnecting in })"
	stop_p2sd "$name"
)

gw_silent() {
	ip netns exec "$TB_NS_GW" nft -f - <<'EON'
table inet p2s_nwsilent {
	chain input {
		type filter hook input priority -10; policy accept;
		udp dport { 500, 4500 } drop
	}
}
EON
}

# resume NAME: SIGUSR1 says "resumed"; dpd is 1 h, so only the resume
# path can send the liveness checks seen here.
resume() (
	name=$1
	lab_up "$name" "dpd: 1h"
	ike0=$(gw_ike)
	kill -USR1 "$(tb_pid_of p2sd)" || fail "$name: SIGUSR1"
	tb_wait_until 10 grep -q 'the gateway answered our liveness check' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: no liveness check answered after the resume"
	grep -E 'resumed|liveness check' "$TB_LOGDIR/p2sd.log" | sed 's/^/#   /'
	[ "$(gw_ike)" = "$ike0" ] && status_is established ||
		fail "$name: the tunnel changed after an answered check"
	ok "$name: a liveness check at once after the resume, answered; same IKE SA"
	gw_silent || fail "$name: nft"
	t0=$(tb_now_ms)
	kill -USR1 "$(tb_pid_of p2sd)" || fail "$name: SIGUSR1"
	tb_wait_until 60 grep -q 'the gateway stopped answering' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not notice the silent gateway"
	ok "$name: the silent gateway noticed $(($(tb_now_ms) - t0)) ms after the resume (the retransmissions; dpd is 1 h)"
	ip netns exec "$TB_NS_GW" nft delete table inet p2s_nwsilent || fail "$name: nft delete"
	t1=$(tb_now_ms)
	back_up "$name" "$t1"
	ok "$name: back by itself $BACK_MS ms after the gateway answered again"
	stop_p2sd "$name"
)

# keepalives NAME: behind the NAT with nat_keepalive 1s.
keepalives() (
	name=$1
	lab_up "$name" "nat_keepalive: 1s" "dpd: 0"
	grep -q 'behind a NAT' "$TB_LOGDIR/p2sd.log" || fail "$name: p2sd saw no NAT"
	f="udp and dst port 4500 and udp[4:2] = 9 and udp[8] = 0xff"
	# Idle: three keepalives come (the timeout only bounds a failure).
	tb_spawn ka "$TB_NS_CLIENT" "$TB_LOGDIR/ka-idle.log" \
	    timeout 30 tcpdump -i "$TB_CLIENT_IF" -n -l -U -c 3 "$f"
	tb_wait_until 35 sh -c "! kill -0 $TB_SPAWNED_PID 2>/dev/null" ||
		fail "$name: tcpdump did not end"
	n=$(grep -c 'isakmp-nat-keep-alive' "$TB_LOGDIR/ka-idle.log")
	[ "$n" -eq 3 ] || fail "$name: $n keepalives seen while idle, want 3"
	ok "$name: 3 NAT keepalives (1 byte 0xff to port 4500) while idle"
	# Busy: pings every 0.2 s carry ESP on the same path; no keepalive
	# is due while they flow (the capture runs from the 4th reply to the
	# 30th, inside the flow).
	ip netns exec "$TB_NS_CLIENT" ping -n -c 40 -i 0.2 -W 1 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1 &
	ping_pid=$!
	tb_wait_until 10 grep -q 'icmp_seq=4 ' "$TB_LOGDIR/ping.out" ||
		fail "$name: no ping reply"
	tb_spawn ka2 "$TB_NS_CLIENT" "$TB_LOGDIR/ka-busy.log" \
	    tcpdump -i "$TB_CLIENT_IF" -n -l -U "$f"
	tb_wait_until 10 grep -q 'listening on' "$TB_LOGDIR/ka-busy.log" ||
		fail "$name: tcpdump did not start"
	from=$(grep -c 'icmp_seq=' "$TB_LOGDIR/ping.out")
	tb_wait_until 20 grep -q 'icmp_seq=30 ' "$TB_LOGDIR/ping.out" ||
		fail "$name: pings stopped: $(tail -2 "$TB_LOGDIR/ping.out")"
	tb_stop ka2
	wait "$ping_pid"
	grep -q ' 40 received' "$TB_LOGDIR/ping.out" ||
		fail "$name: pings lost: $(tail -2 "$TB_LOGDIR/ping.out")"
	n=$(grep -c 'isakmp-nat-keep-alive' "$TB_LOGDIR/ka-busy.log")
	[ "$n" -eq 0 ] || fail "$name: $n keepalives while ESP flowed every 0.2 s"
	ok "$name: no keepalive while pings $from..30 flowed through the tunnel"
	stop_p2sd "$name"
)

# Cases to run: all, or those named on the command line.
cases=${*:-client_moves client_moves_nomobike gateway_moves net_later fail_closed resume keepalives}
for c in $cases; do
	case $c in
	client_moves) client_moves "the client's address changes, MOBIKE" ;;
	client_moves_nomobike)
		client_moves_nomobike "the client's address changes, no MOBIKE" ;;
	gateway_moves) gateway_moves "the gateway's address changes" ;;
	fail_closed) fail_closed "fail closed while reconnecting" ;;
	net_later) net_later "the network goes and comes back" ;;
	resume) resume "resume from a suspend" ;;
	keepalives) keepalives "NAT keepalives" ;;
	*) echo "not ok - unknown case $c"; false ;;
	esac || n_fail=$((n_fail + 1))
done

echo "# p2sd netwatch: $((n_fail)) case(s) failed"
exit $((n_fail != 0))
