#!/bin/bash
# Self-test of the strongSwan "Azure gateway" harness (tests/integration/lib):
# for EAP-TLS and for certificate (pubkey) client auth, build the namespaced
# topology with NAT, start the responder, connect the strongSwan reference
# client, ping the VNet host through the tunnel, check what the gateway
# assigned, and tear everything down; then check nothing was left behind.
#
# Needs root. Exit 0 on success, 1 on failure (never 77: missing tools are
# installed with apt-get, or the test fails naming them).

# Whole-test watchdog: rerun ourselves under timeout(1), which signals the
# whole process group; the trap in each case then tears down.
if [ -z "${TB_SELFTEST_INNER:-}" ]; then
	export TB_SELFTEST_INNER=1
	timeout -k 10 "${TB_SELFTEST_TIMEOUT:-170}" bash "$0" "$@"
	rc=$?
	case $rc in
	0) exit 0 ;;
	124 | 137) echo "not ok - test_harness_strongswan timed out" >&2; exit 1 ;;
	*) exit 1 ;;
	esac
fi

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

ok() {
	echo "ok - $*"
}

# fail MESSAGE: report, show the logs of this run, exit 1 (the trap tears
# down).
fail() {
	echo "not ok - $*"
	tb_dump_logs 60
	exit 1
}

if ! tb_require_root; then
	echo "not ok - must run as root"
	exit 1
fi
if ! tb_ensure_tools || ! tb_ensure_tools pgrep; then
	echo "not ok - required tools missing (see above)"
	exit 1
fi

T_START=$(tb_now_ms)
CERTS_DIR=$(mktemp -d /tmp/p2s-tb.certs.XXXXXX) || exit 1
trap 'rm -rf "$CERTS_DIR"' EXIT
trap 'exit 1' INT TERM HUP

responder_has_no_ike() {
	! tb_responder_swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED
}

# run_case AUTH CRED NAT: one full cycle, in a subshell with its own run
# directory, namespaces and cleanup trap.
run_case() (
	auth=$1 cred=$2 nat=$3
	t0=$(tb_now_ms)
	tb_init || fail "$auth: tb_init"
	tb_topology_up --nat "$nat" || fail "$auth: topology (nat=$nat)"
	ok "$auth: topology up (nat=$nat, prefix $TB_PREFIX)"
	tb_certs_make "$CERTS_DIR" || fail "$auth: certificates"
	tb_responder_start || fail "$auth: responder start"
	ok "$auth: responder started"
	tb_sclient_start --auth "$auth" --cred "$cred" || fail "$auth: reference client start"
	if ! tb_sclient_initiate 20; then
		sed 's/^/#   /' "$TB_SCLIENT_DIR/initiate.out" >&2
		fail "$auth: swanctl --initiate failed"
	fi
	tb_sclient_wait_child 10 || fail "$auth: client has no INSTALLED CHILD_SA"
	tb_responder_wait_child 10 || fail "$auth: responder has no INSTALLED CHILD_SA"
	ok "$auth: IKE_SA and CHILD_SA established ($cred)"

	tb_ping_vnet 3 >"$TB_LOGDIR/ping.out" 2>&1 || fail "$auth: ping $TB_VNET_HOST through the tunnel"
	ok "$auth: ping $TB_VNET_HOST through the tunnel"

	# what the gateway did: VIP from the pool, DNS pushed, TS narrowed,
	# NAT seen, UDP encapsulation
	up=$(grep '^up-client' "$TB_SCLIENT_DIR/updown.log" | tail -n1)
	case $up in
	*" vip=172.16.201."*" peer_client=$TB_VNET_PREFIX "*"dns4_1=$TB_VNET_HOST "*"udp_enc=4500"*) ;;
	*) fail "$auth: unexpected updown event: '$up'" ;;
	esac
	ok "$auth: virtual IP $(tb_sclient_vip), TS narrowed to $TB_VNET_PREFIX, DNS $TB_VNET_HOST pushed"
	sas=$(tb_responder_swanctl --list-sas 2>&1)
	conn=azure-p2s
	[ "$auth" = pubkey ] && conn=azure-p2s-pubkey
	printf '%s\n' "$sas" | grep -q "^$conn: #[0-9]*, ESTABLISHED" ||
		fail "$auth: responder did not use connection $conn: $sas"
	printf '%s\n' "$sas" | grep -q "remote 'P2SChildCert' @ $TB_NAT_OUT_ADDR\[4500\]" ||
		fail "$auth: responder does not see the client behind the NAT at $TB_NAT_OUT_ADDR:4500"
	printf '%s\n' "$sas" | grep -q 'TUNNEL-in-UDP' || fail "$auth: CHILD_SA is not UDP-encapsulated"
	ok "$auth: responder connection $conn, client seen at ${TB_NAT_OUT_ADDR}[4500], ESP in UDP"

	tb_sclient_terminate 10 || fail "$auth: swanctl --terminate failed"
	tb_wait_until 5 responder_has_no_ike ||
		fail "$auth: responder still has the IKE_SA after the client's DELETE"
	ok "$auth: DELETE handled, responder has no SA left"
	tb_sclient_stop

	# negative: a look-alike client certificate from an unrelated CA
	tb_sclient_start --auth "$auth" --cred otherca || fail "$auth: reference client restart"
	if tb_sclient_initiate 10; then
		fail "$auth: a client certificate from an unrelated CA was accepted"
	fi
	tb_responder_has_child && fail "$auth: responder installed a CHILD_SA for the unrelated CA"
	ok "$auth: client certificate from an unrelated CA refused"

	dir=$TB_DIR prefix=$TB_PREFIX
	tb_cleanup
	trap - EXIT
	[ -z "$(ip netns list | grep "^$prefix-")" ] || fail "$auth: namespaces left after teardown"
	[ ! -e "$dir" ] || fail "$auth: $dir left after teardown"
	[ ! -e "/etc/netns/$prefix-cl" ] || fail "$auth: /etc/netns/$prefix-cl left after teardown"
	if pgrep -f "$dir/" >/dev/null; then
		fail "$auth: processes of $dir left after teardown"
	fi
	ok "$auth: teardown left nothing behind ($(($(tb_now_ms) - t0)) ms for this case)"
)

run_case eap-tls pem masquerade || exit 1
run_case pubkey pem masquerade || exit 1
echo "# all checks passed in $(($(tb_now_ms) - T_START)) ms"
exit 0
