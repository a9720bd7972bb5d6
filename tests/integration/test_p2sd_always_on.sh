#!/bin/bash
# p2sd stays up on its own against a real strongSwan "Azure gateway"
# (tests/integration/lib), userspace datapath, and says how long each
# recovery took:
#  - the gateway rekeys the CHILD_SA every 10 s while a ping runs through
#    the tunnel, and not one packet may be lost (make before break); the
#    gateway must show the new SPIs and p2sd must log the rekeys;
#  - the gateway dies silently (SIGKILL): p2sd's liveness checks notice,
#    and it reconnects by itself when the gateway is back;
#  - the gateway deletes the IKE SA: p2sd reconnects;
#  - 30% packet loss at the NAT: the tunnel still comes up;
#  - a revoked client certificate: a clear error, the next try far away.
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

n_fail=0
tb_p2sd_test_init ao

# profile FILE AUTH [DPD [CERT]]: a p2sd profile for the lab,
# reconnecting; CERT is the client certificate's base name.
profile() {
	local cert=${4:-P2SChildCert}
	tb_p2sd_profile "$1" comment="p2sd always-on test profile ($2)" auth="$2" \
	    cert="$TB_CERTS/$cert.pem" key="$TB_CERTS/$cert.key" \
	    interface=p2s-ao0 reconnect=always -- "dpd: ${3:-30s}"
}

start_p2sd() {
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
}

# The gateway's CHILD_SA SPIs ("in X" and "out Y" lines of swanctl).
gw_spis() {
	tb_responder_swanctl --list-sas 2>/dev/null |
	    grep -oE '^ +(in|out) +[0-9a-f]{8}' | sed -E 's/^ +//; s/ +/ /'
}

# rekey_case NAME AUTH NAT: the gateway rekeys the CHILD_SA every 10 s
# under a 20 s ping; no loss.
rekey_case() (
	name=$1 auth=$2 nat=$3
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat "$nat" || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --auth "$auth" --child-rekey-time 10s ||
		fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" "$auth"
	start_p2sd
	tb_responder_wait_child 30 || fail "$name: the gateway installed no CHILD_SA"
	tb_wait_until 10 grep -q 'established' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not report the tunnel up"
	spis0=$(gw_spis)
	ip netns exec "$TB_NS_CLIENT" ping -n -c 100 -i 0.2 -W 1 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1
	loss=$(grep -oE '[0-9.]+% packet loss' "$TB_LOGDIR/ping.out")
	n_rekeys=$(grep -c 'CHILD_SA rekeyed by the gateway' "$TB_LOGDIR/p2sd.log")
	[ "$n_rekeys" -ge 1 ] || fail "$name: p2sd logged no rekey in 20 s"
	ok "$name: p2sd logged $n_rekeys CHILD_SA rekey(s) in 20 s"
	grep 'CHILD_SA rekeyed by the gateway' "$TB_LOGDIR/p2sd.log" | sed 's/^/#   /'
	[ "$loss" = "0% packet loss" ] ||
		fail "$name: ping across the rekeys: ${loss:-no result}: $(tail -3 "$TB_LOGDIR/ping.out")"
	ok "$name: 100 pings across the rekeys, $loss"
	spis1=$(gw_spis)
	[ -n "$spis1" ] && [ "$spis1" != "$spis0" ] ||
		fail "$name: the gateway's SPIs did not change ($spis0 -> $spis1)"
	gw_in=$(printf '%s\n' "$spis1" | sed -n 's/^in //p' | tail -1)
	grep -q "${gw_in:-none}_o" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: the gateway's new SPIs $spis1 are not in p2sd's log"
	ok "$name: the gateway's SPIs moved from $(echo $spis0) to $(echo $spis1)"
	grep -q 'deleted the rekeyed CHILD_SA' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd never saw the old CHILD_SA deleted"
	ok "$name: the old CHILD_SA went with the gateway's DELETE"
	tb_stop p2sd
)

p2sd_log_has() {
	grep -q -- "$1" "$TB_LOGDIR/p2sd.log"
}

# lab_up NAME AUTH NAT DPD [responder options...]: lab, gateway, p2sd up.
lab_up() {
	local name=$1 auth=$2 nat=$3 dpd=$4
	shift 4
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat "$nat" || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --auth "$auth" "$@" || fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" "$auth" "$dpd"
	start_p2sd
	tb_responder_wait_child 30 || fail "$name: the gateway installed no CHILD_SA"
	tb_ping_vnet 3 >/dev/null 2>&1 || fail "$name: no ping through the first tunnel"
}

# back_up NAME T0: the tunnel is back (the gateway has a CHILD_SA and a
# ping goes through); prints the ms since T0.
back_up() {
	local name=$1 t0=$2
	tb_responder_wait_child 120 || fail "$name: p2sd did not reconnect"
	tb_wait_until 20 tb_ping_vnet 1 >/dev/null 2>&1 ||
		fail "$name: reconnected, but no ping through the tunnel"
	echo $(($(tb_now_ms) - t0))
}

responder_dead() {
	[ -z "$(tb_pid_of responder)" ]
}

# dpd_case NAME: the gateway dies silently (SIGKILL: no DELETE); p2sd
# notices by its liveness checks (dpd 5 s) and reconnects by itself once
# the gateway is back.
dpd_case() (
	name=$1
	lab_up "$name" eap-tls masquerade 5s
	t_kill=$(tb_now_ms)
	kill -KILL "$(tb_pid_of responder)"
	tb_wait_until 5 responder_dead || fail "$name: the responder survived SIGKILL"
	tb_wait_until 60 p2sd_log_has 'the gateway stopped answering' ||
		fail "$name: p2sd did not notice the gateway was gone"
	ok "$name: p2sd noticed in $(($(tb_now_ms) - t_kill)) ms (dpd 5 s + retransmissions)"
	t_back=$(tb_now_ms)
	tb_responder_start --auth eap-tls || fail "$name: responder restart"
	ms=$(back_up "$name" "$t_back") || exit 1
	ok "$name: reconnected by itself $ms ms after the gateway came back"
	tb_stop p2sd
)

# terminate_case NAME: the gateway deletes the IKE SA; p2sd reconnects.
terminate_case() (
	name=$1
	lab_up "$name" eap-tls masquerade 30s
	t0=$(tb_now_ms)
	tb_responder_swanctl --terminate --ike azure-p2s >/dev/null 2>&1 ||
		fail "$name: swanctl --terminate"
	tb_wait_until 10 p2sd_log_has 'the gateway deleted the IKE SA' ||
		fail "$name: p2sd did not see the DELETE"
	ms=$(back_up "$name" "$t0") || exit 1
	ok "$name: reconnected by itself $ms ms after the gateway's DELETE"
	tb_stop p2sd
)

# loss_case NAME: 30% of the packets through the NAT are dropped (both
# ways); the tunnel still comes up (retransmissions) and carries pings.
loss_case() (
	name=$1
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --auth eap-tls || fail "$name: responder"
	ip netns exec "$TB_NS_NAT" nft -f - <<'EON' || fail "$name: nft loss rule"
table inet p2s_loss {
	chain lossy {
		type filter hook forward priority -10; policy accept;
		numgen random mod 10 < 3 drop
	}
}
EON
	profile "$TB_DIR/p2s.yaml" eap-tls
	t0=$(tb_now_ms)
	start_p2sd
	tb_responder_wait_child 120 || fail "$name: no CHILD_SA at 30% loss"
	ms=$(($(tb_now_ms) - t0))
	n_retx=$(grep -c 'retransmitting' "$TB_LOGDIR/p2sd.log")
	[ "$n_retx" -ge 1 ] || fail "$name: no retransmission: is the loss rule in place?"
	ok "$name: tunnel up in $ms ms at 30% loss ($n_retx retransmissions)"
	ip netns exec "$TB_NS_CLIENT" ping -n -c 20 -i 0.2 -W 1 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1
	loss=$(grep -oE '[0-9.]+% packet loss' "$TB_LOGDIR/ping.out")
	grep -qE ' [1-9][0-9]* received' "$TB_LOGDIR/ping.out" ||
		fail "$name: no ping through the tunnel at 30% loss"
	ok "$name: pings through the tunnel ($loss of 20)"
	tb_stop p2sd
)

# revoked_case NAME: the gateway's CRL revokes our certificate: a clear
# error, and the next attempt far away, not a loop hammering the gateway.
revoked_case() (
	name=$1
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --auth eap-tls --crl || fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" eap-tls 30s P2SRevokedCert
	start_p2sd
	tb_wait_until 30 p2sd_log_has 'tunnel down:' || fail "$name: p2sd did not fail"
	sleep 5
	line=$(grep 'tunnel down:' "$TB_LOGDIR/p2sd.log" | head -1)
	grep -E '^p2sd: error: ' "$TB_LOGDIR/p2sd.log" | grep -qi 'certificate' ||
		fail "$name: no error about the certificate"
	s=$(printf '%s\n' "$line" | grep -oE 'reconnecting in [0-9]+ s' | grep -oE '[0-9]+')
	[ -n "$s" ] && [ "$s" -ge 60 ] ||
		fail "$name: the next attempt is not far away: $line"
	n=$(grep -c 'IDLE -> INIT_SENT' "$TB_LOGDIR/p2sd.log")
	[ "$n" -eq 1 ] || fail "$name: $n attempts within 5 s of the failure"
	ok "$name: ${line#*tunnel down: }"
	grep -E '^p2sd: error: ' "$TB_LOGDIR/p2sd.log" | sed 's/^/#   /' | head -3
	tb_stop p2sd
)

rekey_case "CHILD_SA rekey by the gateway, eap-tls, NAT, AES-GCM" eap-tls masquerade ||
    n_fail=$((n_fail + 1))

dpd_case "gateway gone (liveness), then back" || n_fail=$((n_fail + 1))
terminate_case "the gateway deletes the IKE SA" || n_fail=$((n_fail + 1))
loss_case "30% packet loss" || n_fail=$((n_fail + 1))
revoked_case "revoked client certificate" || n_fail=$((n_fail + 1))

echo "# p2sd always-on: $((n_fail)) case(s) failed"
exit $((n_fail != 0))
