#!/bin/bash
# p2sd across Azure's gateway certificate changes (azure-p2s-facts.md 3.1),
# against the strongSwan "Azure gateway" (tests/integration/lib), userspace
# datapath, the profile made by `p2sctl import` of an Azure-shaped package
# (lib/azure_package.sh), as a user would:
#  1. renewal: the gateway restarts with a new certificate (new key, same
#     names, same root); p2sd reconnects by itself, logs no error;
#  2. root rotation: a newer package lists the old and a new root;
#     `p2sctl import --force` and SIGHUP while the tunnel is up; the
#     gateway switches to a certificate under the new root and deletes the
#     IKE SA; p2sd reconnects with the reloaded profile and accepts it;
#  3. an intermediate CA between the new root and the gateway's
#     certificate, sent only by the gateway (the profile holds the roots):
#     accepted;
#  4. the negative twin of 2 (a lab of its own, run beside 1-3): the
#     profile lists only the old root; the gateway's new certificate is
#     refused with an error naming its root and saying to re-import, the
#     next attempt a minute away, p2sd alive; after the re-import and
#     SIGHUP, that next attempt connects without help.
# Each recovery is timed from the gateway's switch to a ping through the
# tunnel again.
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

tb_p2sd_test_init rotate p2sctl
tb_ensure_tools zip || { echo "not ok - zip missing"; exit 1; }
T_START=$(tb_now_ms)

PERM_MS=$(sed -n 's/^#define P2SD_BACKOFF_PERMANENT_MS[[:space:]]*\([0-9]*\).*/\1/p' \
	"$HERE/../../include/daemon.h")
[ -n "$PERM_MS" ] || { echo "not ok - no P2SD_BACKOFF_PERMANENT_MS in include/daemon.h"; exit 1; }
NEW_ROOT_CN="P2S Test Server Root CA G2"
ISSUING_CN="P2S Test Server Issuing CA G2"

# The rotation's certificates, beside the lab's ($CERTS_DIR/rot):
#   renewed.pem/.key           a new key, the same names, ServerRootCA
#   NewRootCA.pem/.key         the root Azure rotates to
#   gw-newroot.pem/.key        the gateway under NewRootCA
#   NewIssuingCA.pem/.key      an intermediate under NewRootCA
#   gw-issued.pem/.key         the gateway under NewIssuingCA
make_pki() {
	local c=$CERTS_DIR r=$CERTS_DIR/rot
	tb_certs_make "$c" >/dev/null || return 1
	mkdir -p "$r" || return 1
	tb_certs_issue gateway "$r/renewed" "$c/ServerRootCA" &&
		(umask 077 && _tb_ca_make "$r" NewRootCA "/C=XX/O=p2s test/CN=$NEW_ROOT_CN") &&
		tb_certs_issue gateway "$r/gw-newroot" "$r/NewRootCA" &&
		tb_certs_issue ca "$r/NewIssuingCA" "$r/NewRootCA" "$ISSUING_CN" &&
		tb_certs_issue gateway "$r/gw-issued" "$r/NewIssuingCA" || return 1
	# Each is what it should be, by openssl's own verdict.
	openssl verify -x509_strict -CAfile "$c/ServerRootCA.pem" "$r/renewed.pem" &&
		openssl verify -x509_strict -CAfile "$r/NewRootCA.pem" "$r/gw-newroot.pem" &&
		openssl verify -x509_strict -CAfile "$r/NewRootCA.pem" \
			-untrusted "$r/NewIssuingCA.pem" "$r/gw-issued.pem" >/dev/null || return 1
	! openssl verify -CAfile "$c/ServerRootCA.pem" "$r/gw-newroot.pem" >/dev/null 2>&1
}
make_pki || { echo "not ok - the rotation's certificates"; exit 1; }
ROT=$CERTS_DIR/rot

# ---- helpers (each lab runs in a subshell of its own) ----

log_since() {
	tail -n +"$((L0 + 1))" "$TB_LOGDIR/p2sd.log"
}

log_mark() {
	L0=$(wc -l <"$TB_LOGDIR/p2sd.log")
}

since_has() {
	log_since | grep -q -- "$1"
}

status_json() {
	P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" status rot --json 2>&1
}

is_established() {
	status_json | grep -q '"state":"established"'
}

# import_pkg [--force] ROOT...: a package listing ROOTs, imported as the
# profile "rot" in $ETC (the output in $TB_LOGDIR/import.out), plus the
# one line a user adds by hand: this lab's kernel has no ESP.
import_pkg() {
	local force=''
	[ "$1" = --force ] && { force=--force; shift; }
	tb_azure_package "$TB_DIR/pkg.zip" "$@" || return 1
	"$P2SCTL" import "$TB_DIR/pkg.zip" --name rot $force --dir "$ETC" \
		--cert "$TB_CERTS/P2SChildCert.pem" --key "$TB_CERTS/P2SChildCert.key" \
		>"$TB_LOGDIR/import.out" 2>&1 || return 1
	echo "datapath: userspace" >>"$ETC/rot.yaml"
}

# lab_up NAME: lab, gateway (EAP-TLS), the profile from the package with
# the old root, p2sd connected and a ping through.
lab_up() {
	local name=$1
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	tb_gateway_hosts
	tb_certs_make "$CERTS_DIR" >/dev/null || fail "$name: certificates"
	tb_responder_start --auth eap-tls || fail "$name: responder"
	ETC=$TB_DIR/etc
	mkdir -p "$ETC" || fail "$name: mkdir"
	import_pkg "$TB_CERTS/ServerRootCA.pem" ||
		fail "$name: p2sctl import: $(cat "$TB_LOGDIR/import.out")"
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
		env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
		--dir "$ETC" rot
	tb_wait_until 30 is_established || fail "$name: p2sd did not connect"
	tb_ping_vnet 3 >/dev/null 2>&1 || fail "$name: no ping through the first tunnel"
	ok "$name: connected with the imported profile (one root)"
}

# back_up NAME T0: the tunnel is back (p2sd established, a ping through);
# prints the ms since T0.
back_up() {
	local name=$1 t0=$2 s=${3:-60}
	tb_wait_until "$s" is_established ||
		fail "$name: p2sd did not reconnect: $(status_json | grep -o '"last_error":"[^"]*"')"
	tb_wait_until 20 tb_ping_vnet 1 >/dev/null 2>&1 ||
		fail "$name: reconnected, but no ping through the tunnel"
	echo $(($(tb_now_ms) - t0))
}

# calm NAME: since the mark, p2sd authenticated the gateway again, logged
# no error, and no warning but the gateway's going away.
calm() {
	local name=$1 bad
	since_has "authenticated by its certificate" ||
		fail "$name: p2sd did not authenticate the gateway again"
	bad=$(log_since | grep -E '(error|warning): ' |
		grep -vE 'tunnel down: the gateway deleted the IKE SA; reconnecting in [0-9]+ s$|retransmitting')
	[ -z "$bad" ] || fail "$name: p2sd logged: $bad"
}

# stopped NAME: SIGTERM; p2sd must exit 0, without a sanitizer report
# (make check runs this test in the sanitizer builds too).
stopped() {
	tb_stop p2sd
	grep -q 'exiting with status 0' "$TB_LOGDIR/p2sd.log" || fail "$1: p2sd did not exit 0"
	! grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$TB_LOGDIR/p2sd.log" ||
		fail "$1: a sanitizer report"
	ok "$1: p2sd exited 0 on SIGTERM, no sanitizer report"
}

# gw_serial PEM: the serial as `swanctl --list-certs` shows it.
gw_serial() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' | tr 'A-F' 'a-f' |
		sed 's/../&:/g; s/:$//'
}

# gw_has_cert PEM: the gateway holds this certificate and no other
# gateway certificate.
gw_has_cert() {
	local certs
	certs=$(tb_responder_swanctl --list-certs 2>/dev/null)
	grep -q "serial: *$(gw_serial "$1")\$" <<<"$certs" &&
		[ "$(grep -c "subject: *\"C=US, ST=Washington" <<<"$certs")" -eq 1 ]
}

# gw_switch CERT_PREFIX: the gateway takes another certificate, live: its
# files are replaced and reloaded, then it deletes the IKE SA, as a gateway
# moving its clients onto the new certificate does.
gw_switch() {
	local d=$TB_RESPONDER_DIR
	cp "$1.pem" "$d/x509/gateway.pem" && cp "$1.key" "$d/private/gateway.key" &&
		tb_responder_swanctl --load-creds --clear --noprompt --file "$d/swanctl.conf" >/dev/null &&
		tb_responder_swanctl --load-conns --file "$d/swanctl.conf" >/dev/null &&
		gw_has_cert "$1.pem" &&
		tb_responder_swanctl --terminate --ike azure-p2s >/dev/null 2>&1
}

# ---- lab A: renewal, rotation, intermediate ----

lab_a() (
	lab_up "lab A"

	name="1. renewal"
	log_mark
	t0=$(tb_now_ms)
	tb_responder_stop
	tb_responder_start --auth eap-tls --cert "$ROT/renewed" || fail "$name: responder restart"
	gw_has_cert "$ROT/renewed.pem" || fail "$name: the gateway lacks the renewed certificate"
	ms=$(back_up "$name" "$t0") || exit 1
	calm "$name"
	ok "$name: the gateway restarted with a new key and certificate; tunnel back by itself in $ms ms, no error logged"

	name="2. root rotation"
	import_pkg --force "$TB_CERTS/ServerRootCA.pem" "$ROT/NewRootCA.pem" ||
		fail "$name: p2sctl import --force: $(cat "$TB_LOGDIR/import.out")"
	tp=$("$P2SCTL" cert thumbprint "$ROT/NewRootCA.pem") || fail "$name: p2sctl cert thumbprint"
	grep -q "^added: *gateway root $tp" "$TB_LOGDIR/import.out" &&
		grep -q "root .*CN=$NEW_ROOT_CN" "$TB_LOGDIR/import.out" ||
		fail "$name: the re-import does not show the added root: $(cat "$TB_LOGDIR/import.out")"
	grep -q 'roots: \[rot/server-root-0.pem, rot/server-root-1.pem\]' "$ETC/rot.yaml" ||
		fail "$name: the profile does not list two roots: $(grep roots "$ETC/rot.yaml")"
	ok "$name: p2sctl import --force of the newer package: $(grep '^added' "$TB_LOGDIR/import.out" | head -1)"
	log_mark
	kill -HUP "$(tb_pid_of p2sd)"
	tb_wait_until 10 since_has 'SIGHUP: profile .* reloaded' || fail "$name: SIGHUP not taken"
	tb_ping_vnet 2 >/dev/null 2>&1 || fail "$name: the tunnel did not survive SIGHUP"
	t0=$(tb_now_ms)
	gw_switch "$ROT/gw-newroot" || fail "$name: the gateway's switch"
	ms=$(back_up "$name" "$t0") || exit 1
	since_has 'using the reloaded profile' || fail "$name: the reconnect did not take the reloaded profile"
	calm "$name"
	# A session made under the old roots is not offered under the new.
	since_has 'EAP-TLS: TLS.*session resumed' && fail "$name: the TLS session was resumed"
	ok "$name: the gateway switched to the new root's certificate; tunnel back by itself in $ms ms"

	# A restart: the gateway forgets its TLS sessions, so EAP-TLS checks
	# the chain too (a resumed session carries no certificate).
	name="3. intermediate CA"
	log_mark
	t0=$(tb_now_ms)
	tb_responder_stop
	tb_responder_start --auth eap-tls --cert "$ROT/gw-issued" --chain "$ROT/NewIssuingCA.pem" ||
		fail "$name: responder restart"
	gw_has_cert "$ROT/gw-issued.pem" || fail "$name: the gateway lacks the new certificate"
	ms=$(back_up "$name" "$t0") || exit 1
	calm "$name"
	grep -q "sending issuer cert \"C=XX, O=p2s test, CN=$ISSUING_CN\"" "$TB_RESPONDER_LOG" ||
		fail "$name: the gateway did not send the intermediate"
	since_has 'EAP-TLS: TLS.*session resumed' && fail "$name: the TLS session was resumed"
	since_has 'EAP-TLS: TLS' || fail "$name: no EAP-TLS handshake"
	for f in "$ETC"/rot/server-root-*.pem; do
		! openssl x509 -in "$f" -noout -subject | grep -q "$ISSUING_CN" ||
			fail "$name: the profile holds the intermediate ($f)"
	done
	ok "$name: the chain through an intermediate only the gateway sent; tunnel back in $ms ms"

	stopped "lab A"
)

# ---- lab B: the new root, not (yet) in the profile ----

lab_b() (
	lab_up "lab B"
	name="4. stale root"
	log_mark
	t0=$(tb_now_ms)
	gw_switch "$ROT/gw-newroot" || fail "$name: the gateway's switch"
	# The first try after the DELETE is refused; wait for its report.
	tb_wait_until 30 sh -c "tail -n +$((L0 + 1)) '$TB_LOGDIR/p2sd.log' | grep -q 'error: tunnel down: gateway certificate'" ||
		fail "$name: no refusal of the gateway's certificate"
	line=$(log_since | grep 'error: tunnel down: gateway certificate' | head -1)
	case $line in
	*"\"C=XX, O=p2s test, CN=$NEW_ROOT_CN\""*"not among the profile's gateway roots"*"p2sctl import --force"*) ;;
	*) fail "$name: the error does not name the new root and the fix: $line" ;;
	esac
	# The first permanent failure waits P2SD_BACKOFF_PERMANENT_MS plus up
	# to a fifth of jitter: no more, though the quick retry after the
	# gateway's DELETE came first.
	s=$(grep -oE 'reconnecting in [0-9]+ s' <<<"$line" | grep -oE '[0-9]+')
	lo=$((PERM_MS / 1000))
	[ -n "$s" ] && [ "$s" -ge "$lo" ] && [ "$s" -le $((lo + lo / 5 + 1)) ] ||
		fail "$name: the next attempt is not $lo-$((lo + lo / 5 + 1)) s away: $line"
	ok "$name: refused in $(($(tb_now_ms) - t0)) ms: ${line#*tunnel down: }"
	sleep 3
	n=$(log_since | grep -c 'IDLE -> INIT_SENT')
	[ "$n" -eq 1 ] || fail "$name: $n attempts since the switch, not 1"
	st=$(status_json)
	case $st in
	*'"state":"reconnecting"'*"$NEW_ROOT_CN"*) ;;
	*) fail "$name: p2sctl status --json: $st" ;;
	esac
	ok "$name: p2sd alive, reconnecting, status's last_error names the root, one attempt"

	import_pkg --force "$TB_CERTS/ServerRootCA.pem" "$ROT/NewRootCA.pem" ||
		fail "$name: p2sctl import --force: $(cat "$TB_LOGDIR/import.out")"
	kill -HUP "$(tb_pid_of p2sd)"
	t_hup=$(tb_now_ms)
	tb_wait_until 10 since_has 'SIGHUP: profile .* reloaded' || fail "$name: SIGHUP not taken"
	ms=$(back_up "$name" "$t0" $((s + 30))) || exit 1
	n=$(log_since | grep -c 'IDLE -> INIT_SENT')
	[ "$n" -eq 2 ] || fail "$name: $n attempts, not the refused one and the next"
	since_has 'using the reloaded profile' || fail "$name: the reconnect did not take the reloaded profile"
	ok "$name: re-import + SIGHUP; the next attempt (the backoff's, $((($(tb_now_ms) - t_hup) / 1000)) s after SIGHUP) connected: $ms ms after the gateway's switch"
	stopped "lab B"
)

# Lab B waits a minute on p2sd's backoff: it runs beside lab A.
out_b=$(mktemp "/tmp/p2s-rotate.b.XXXXXX") || exit 1
lab_b >"$out_b" 2>&1 &
pid_b=$!
n_fail=0
lab_a || n_fail=$((n_fail + 1))
wait "$pid_b" || n_fail=$((n_fail + 1))
cat "$out_b"
rm -f "$out_b"

echo "# p2sd rotate: $n_fail lab(s) failed; $((($(tb_now_ms) - T_START) / 1000)) s in all"
exit $((n_fail != 0))
