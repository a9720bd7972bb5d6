#!/bin/bash
# The DH group the gateway wants is remembered across restarts (design.md
# sections 5 and 7; state.h) against a real strongSwan "Azure gateway"
# that takes only MODP-2048, which p2sd's proposals do not put first
# (Azure's default list starts with MODP-2048-256), userspace datapath:
#
# - the first start pays the INVALID_KE_PAYLOAD round trip (2 IKE_SA_INIT
#   requests) and writes $P2S_STATE_DIR/p2s.state, 0600, "group 14";
# - after SIGTERM, the second start's first IKE_SA_INIT already carries
#   the MODP-2048 KE: 1 IKE_SA_INIT request, no INVALID_KE;
# - a foreign file (garbage) in its place is ignored with a notice: the
#   third start pays the round trip again, connects, and rewrites it.
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

tb_p2sd_test_init dh

profile() {
	tb_p2sd_profile "$TB_DIR/p2s.yaml" interface=p2s-dh0 reconnect=never
}

no_ike() {
	! tb_responder_swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED
}

p2sd_up() {
	grep -q -- '-> established' "$TB_LOGDIR/p2sd.log"
}

# run NAME: start p2sd (a fresh log), wait for the tunnel, stop it with
# SIGTERM (it must exit 0, without a sanitizer report: make check runs
# this in the ASan+UBSan build too); INITS is the number of IKE_SA_INIT
# requests it sent.
run() {
	local name=$1
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
	tb_responder_wait_child 30 || fail "$name: the gateway installed no CHILD_SA"
	tb_wait_until 10 p2sd_up || fail "$name: p2sd did not report the tunnel up"
	tb_stop p2sd
	grep -q 'exiting with status 0' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not exit cleanly after SIGTERM"
	! grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: a sanitizer report"
	tb_wait_until 10 no_ike || fail "$name: the gateway kept p2sd's IKE SA"
	cp "$TB_LOGDIR/p2sd.log" "$TB_LOGDIR/p2sd.$name.log"
	INITS=$(grep -c 'sending IKE_SA_INIT request' "$TB_LOGDIR/p2sd.log")
}

tb_init || fail "tb_init"
[ "$P2S_STATE_DIR" = "$TB_DIR/state" ] ||
	fail "the harness did not point P2S_STATE_DIR into the run directory"
STATE=$P2S_STATE_DIR/p2s.state
tb_topology_up --nat masquerade || fail "topology"
tb_certs_make "$CERTS_DIR" || fail "certificates"
tb_responder_start --auth eap-tls \
    --proposals "aes256gcm16-prfsha384-modp2048,aes256-sha256-modp2048" ||
	fail "responder"
profile
[ ! -e "$STATE" ] || fail "a state file before the first start"

run first
[ "$INITS" -eq 2 ] || fail "first start: $INITS IKE_SA_INIT requests, want 2"
grep -q 'the gateway wants DH group MODP_2048 instead' "$TB_LOGDIR/p2sd.log" ||
	fail "first start: no INVALID_KE for MODP-2048"
ok "first start: INVALID_KE, 2 IKE_SA_INIT requests"
[ -f "$STATE" ] || fail "first start: no $STATE"
[ "$(stat -c %a "$STATE")" = 600 ] || fail "$STATE is mode $(stat -c %a "$STATE"), want 600"
grep -qx 'group 14' "$STATE" || fail "$STATE does not say group 14: $(cat "$STATE")"
grep -qx "host $TB_GW_FQDN" "$STATE" || fail "$STATE does not name the gateway"
ok "first start: $STATE, mode 600, group 14"

run second
[ "$INITS" -eq 1 ] || fail "second start: $INITS IKE_SA_INIT requests, want 1"
! grep -q 'the gateway wants DH group' "$TB_LOGDIR/p2sd.log" ||
	fail "second start: INVALID_KE again"
grep -q 'the gateway took DH group MODP_2048 last time: offering it first' "$TB_LOGDIR/p2sd.log" ||
	fail "second start: p2sd did not say it used the remembered group"
ok "second start: 1 IKE_SA_INIT request, the remembered MODP-2048 first"

printf 'p2s-state 1\nhost %s\ngarbage\n' "$TB_GW_FQDN" >"$STATE"
run third
grep -q "$STATE ignored: no valid 'address' line" "$TB_LOGDIR/p2sd.log" ||
	fail "third start: no notice about the bad state file"
[ "$INITS" -eq 2 ] || fail "third start: $INITS IKE_SA_INIT requests, want 2"
grep -qx 'group 14' "$STATE" || fail "third start: $STATE not rewritten: $(cat "$STATE")"
ok "third start: a bad state file ignored with a notice, learned and rewritten"
exit 0
