#!/bin/bash
# p2sd's own rekeys (issue #6) against a real strongSwan "Azure gateway"
# (tests/integration/lib), userspace datapath, behind a NAT, each under a
# running ping that must not lose one packet (make before break):
#  - p2sd rekeys the CHILD_SA (profile lifetime.child 12s), without PFS;
#  - the same with PFS: the ESP proposal names ecp256 on both sides, so
#    the CREATE_CHILD_SA carries KEi;
#  - p2sd rekeys the IKE SA (lifetime.ike 12s); `p2sctl status --json`
#    says when the next one is due (ike.rekey_in_s);
#  - strongSwan rekeys the IKE SA (its rekey_time 10s): p2sd accepts it;
#  - strongSwan rekeys the CHILD_SA with PFS (ecp256, rekey_time 10s)
#    while the profile's ESP proposal names no group, as Azure's default
#    does: p2sd takes a group of its IKE proposals and answers with its
#    own KE.
# Each case checks that strongSwan shows the new SPIs, that they are the
# ones p2sd logged, and that the old SA is gone on both sides.
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

n_fail=0
tb_p2sd_test_init rk p2sctl

# profile FILE IKE CHILD ESP: a p2sd profile for the lab with these
# lifetimes and ESP proposals.
profile() {
	tb_p2sd_profile "$1" comment="p2sd rekey test profile" interface=p2s-rk0 \
	    reconnect=never -- "proposals:" "  esp: [$4]" "lifetime:" \
	    "  ike: $2" "  child: $3"
}

# stop_p2sd NAME: SIGTERM; it must exit 0, without a sanitizer report
# (make check runs this in the ASan+UBSan build too).
stop_p2sd() {
	tb_stop p2sd
	p2sd_log_has 'exiting with status 0' ||
		fail "$1: p2sd did not exit cleanly after SIGTERM"
	grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$TB_LOGDIR/p2sd.log" &&
		fail "$1: a sanitizer report"
	return 0
}

p2sd_log_has() {
	grep -q -- "$1" "$TB_LOGDIR/p2sd.log"
}

# The gateway's CHILD_SA SPIs ("in X" and "out Y" lines of swanctl).
gw_spis() {
	tb_responder_swanctl --list-sas 2>/dev/null |
	    grep -oE '^ +(in|out) +[0-9a-f]{8}' | sed -E 's/^ +//; s/ +/ /'
}

# The gateway's IKE SA SPIs, "spi_i_spi_r" as swanctl prints them.
gw_ike_spis() {
	tb_responder_swanctl --list-sas 2>/dev/null |
	    grep -oE 'IKEv2, [0-9a-f]{16}_i\*? [0-9a-f]{16}_r\*?' |
	    sed -E 's/IKEv2, //; s/\*//g; s/_i /\//; s/_r$//'
}

# One CHILD_SA (an in and an out SPI) at the gateway; one IKE SA.
gw_one_child() {
	[ "$(gw_spis | wc -l)" -eq 2 ]
}

gw_one_ike() {
	[ "$(gw_ike_spis | wc -l)" -eq 1 ]
}

# The gateway's CHILD_SA is the one p2sd's last rekey made: p2sd logs
# "<its inbound = the gateway's out>_i <its outbound = the gateway's in>_o".
gw_child_is_p2sds() {
	local spis in out
	spis=$(gw_spis)
	in=$(printf '%s\n' "$spis" | sed -n 's/^in //p')
	out=$(printf '%s\n' "$spis" | sed -n 's/^out //p')
	grep "CHILD_SA rekeyed: " "$TB_LOGDIR/p2sd.log" | tail -1 |
	    grep -q "${out:-none}_i ${in:-none}_o"
}

# lab NAME IKE CHILD ESP [responder options...]: lab, gateway, p2sd up.
lab() {
	local name=$1 ike=$2 child=$3 esp=$4
	shift 4
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --auth eap-tls --esp-proposals "$esp" "$@" ||
		fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" "$ike" "$child" "$esp"
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
	tb_responder_wait_child 30 || fail "$name: the gateway installed no CHILD_SA"
	tb_wait_until 10 p2sd_log_has 'established' ||
		fail "$name: p2sd did not report the tunnel up"
}

# ping_through NAME N: N pings 0.2 s apart through the tunnel, none lost.
ping_through() {
	local name=$1 n=$2 loss
	ip netns exec "$TB_NS_CLIENT" ping -n -c "$n" -i 0.2 -W 1 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1
	loss=$(grep -oE '[0-9.]+% packet loss' "$TB_LOGDIR/ping.out")
	[ "$loss" = "0% packet loss" ] ||
		fail "$name: ping across the rekeys: ${loss:-no result}: $(tail -3 "$TB_LOGDIR/ping.out")"
	ok "$name: $n pings across the rekeys, $loss"
}

# child_case NAME ESP WANT: p2sd rekeys the CHILD_SA every 12 s (minus
# jitter) under a 30 s ping; WANT is what its log line must say.
child_case() (
	name=$1 esp=$2 want=$3
	lab "$name" 24h 12s "$esp"
	spis0=$(gw_spis)
	ping_through "$name" 150
	n=$(grep -c 'CHILD_SA rekeyed: ' "$TB_LOGDIR/p2sd.log")
	[ "$n" -ge 1 ] || fail "$name: p2sd logged no rekey of its own in 30 s"
	grep -q "rekeying CHILD_SA .*$want" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: no rekey of p2sd's says '$want'"
	ok "$name: p2sd rekeyed the CHILD_SA $n time(s) ($want)"
	grep -E 'rekeying CHILD_SA|CHILD_SA rekeyed: ' "$TB_LOGDIR/p2sd.log" |
	    sed 's/^/#   /' | head -4
	p2sd_log_has 'rekeyed by the gateway' &&
		fail "$name: the gateway rekeyed, not p2sd"
	tb_wait_until 10 gw_one_child ||
		fail "$name: the gateway still has the old CHILD_SA: $(echo $(gw_spis))"
	tb_wait_until 10 gw_child_is_p2sds ||
		fail "$name: the gateway's SPIs ($(echo $(gw_spis))) are not p2sd's last rekey's"
	spis1=$(gw_spis)
	[ -n "$spis1" ] && [ "$spis1" != "$spis0" ] ||
		fail "$name: the gateway's SPIs did not change ($spis0 -> $spis1)"
	ok "$name: the gateway's SPIs moved from $(echo $spis0) to $(echo $spis1), the old SA gone"
	stop_p2sd "$name"
)

# ike_case NAME: p2sd rekeys the IKE SA every 12 s (minus jitter); the
# status says when the next one is due.
ike_case() (
	name=$1
	lab "$name" 12s 24h aes256gcm16
	ike0=$(gw_ike_spis)
	st=$(P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" status p2s --json 2>&1)
	s=$(printf '%s\n' "$st" | grep -oE '"rekey_in_s": *[0-9]+' | grep -oE '[0-9]+$')
	[ -n "$s" ] && [ "$s" -ge 1 ] && [ "$s" -le 12 ] ||
		fail "$name: status ike.rekey_in_s is not 1..12: $st"
	ok "$name: p2sctl status says the IKE SA rekeys in $s s"
	ping_through "$name" 150
	n=$(grep -c 'IKE SA rekeyed (we started it)' "$TB_LOGDIR/p2sd.log")
	[ "$n" -ge 1 ] || fail "$name: p2sd logged no IKE SA rekey in 30 s"
	ok "$name: p2sd rekeyed the IKE SA $n time(s)"
	tb_wait_until 10 gw_one_ike ||
		fail "$name: the gateway still has the old IKE SA: $(echo $(gw_ike_spis))"
	ike1=$(gw_ike_spis)
	[ "$ike1" != "$ike0" ] || fail "$name: the gateway's IKE SPIs did not change ($ike0)"
	grep -q "ike\[$ike1\] IKE SA rekeyed" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: the gateway's IKE SA $ike1 is not p2sd's"
	ok "$name: the gateway's IKE SA moved from $ike0 to $ike1, the old one gone"
	p2sd_log_has 'tunnel down' && fail "$name: the tunnel went down"
	stop_p2sd "$name"
)

# gw_ike_case NAME: strongSwan rekeys the IKE SA every 10 s; p2sd takes
# the new one over once the gateway deleted the old.
gw_ike_case() (
	name=$1
	lab "$name" 24h 24h aes256gcm16 --ike-rekey-time 10s
	ike0=$(gw_ike_spis)
	ping_through "$name" 150
	n=$(grep -c 'IKE SA rekeyed (the gateway started it)' "$TB_LOGDIR/p2sd.log")
	[ "$n" -ge 1 ] || fail "$name: p2sd logged no IKE SA rekey of the gateway's in 30 s"
	ok "$name: the gateway rekeyed the IKE SA $n time(s), p2sd followed"
	tb_wait_until 10 gw_one_ike ||
		fail "$name: the gateway still has the old IKE SA: $(echo $(gw_ike_spis))"
	ike1=$(gw_ike_spis)
	[ "$ike1" != "$ike0" ] || fail "$name: the gateway's IKE SPIs did not change ($ike0)"
	grep -q "ike\[$ike1\]" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: the gateway's IKE SA $ike1 is not in p2sd's log"
	ok "$name: the gateway's IKE SA moved from $ike0 to $ike1"
	p2sd_log_has 'tunnel down' && fail "$name: the tunnel went down"
	stop_p2sd "$name"
)

# gw_pfs_case NAME: strongSwan rekeys the CHILD_SA every 10 s with a KE
# (its ESP proposal names ecp256; ours names no group, but Azure's IKE
# proposals, the profile's default, name ecp256).
gw_pfs_case() (
	name=$1
	lab "$name" 24h 24h aes256gcm16 --esp-proposals aes256gcm16-ecp256 \
	    --child-rekey-time 10s
	spis0=$(gw_spis)
	ping_through "$name" 150
	n=$(grep -c 'CHILD_SA rekeyed by the gateway: .*(PFS)' "$TB_LOGDIR/p2sd.log")
	[ "$n" -ge 1 ] || fail "$name: p2sd logged no PFS rekey of the gateway's in 30 s"
	ok "$name: the gateway rekeyed the CHILD_SA with PFS $n time(s)"
	tb_wait_until 10 gw_one_child ||
		fail "$name: the gateway still has the old CHILD_SA: $(echo $(gw_spis))"
	spis1=$(gw_spis)
	[ "$spis1" != "$spis0" ] || fail "$name: the gateway's SPIs did not change ($spis0)"
	gw_in=$(printf '%s\n' "$spis1" | sed -n 's/^in //p')
	grep -q "${gw_in:-none}_o" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: the gateway's SPIs $(echo $spis1) are not in p2sd's log"
	ok "$name: the gateway's SPIs moved from $(echo $spis0) to $(echo $spis1)"
	p2sd_log_has 'tunnel down' && fail "$name: the tunnel went down"
	stop_p2sd "$name"
)

child_case "our CHILD_SA rekey, no PFS" aes256gcm16 "new [0-9a-f]*_i)" ||
    n_fail=$((n_fail + 1))
child_case "our CHILD_SA rekey, PFS (ecp256)" aes256gcm16-ecp256 ", PFS)" ||
    n_fail=$((n_fail + 1))
ike_case "our IKE SA rekey" || n_fail=$((n_fail + 1))
gw_ike_case "the gateway's IKE SA rekey" || n_fail=$((n_fail + 1))
gw_pfs_case "the gateway's CHILD_SA rekey with PFS" || n_fail=$((n_fail + 1))

echo "# p2sd rekeys: $((n_fail)) case(s) failed"
exit $((n_fail != 0))
