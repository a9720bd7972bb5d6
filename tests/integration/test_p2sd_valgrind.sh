#!/bin/bash
# p2sd and p2sctl under valgrind's memcheck (issue #7), against the real
# strongSwan "Azure gateway" (tests/integration/lib), userspace datapath.
# One p2sd lives through: an EAP-TLS connect, pings through the tunnel,
# p2sctl status/down/up, SIGHUP (a broken profile refused, a good one
# taken), a CHILD_SA rekey by the gateway, the gateway deleting the IKE
# SA (p2sd reconnects), a switch to certificate (pubkey) auth by SIGHUP,
# and SIGTERM.  Every p2sctl call runs under valgrind too, and so do
# p2sctl cert, p2sctl import and p2sd --check, good and failing (each
# failure said in one line).
#
# Each valgrind run must exit with the program's own status (never 99,
# valgrind's "errors found"), and its log must show no invalid access, no
# use of uninitialised memory, no definite or indirect leak, and no
# descriptor left open at exit but the standard three.
# tests/integration/valgrind.supp holds the suppressions: third-party
# one-time allocations only, each saying why.
#
# Not in a sanitizer build (ASan and valgrind do not mix; mk/valgrind.am).
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-1800}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

SUPP=$HERE/valgrind.supp
n_fail=0
n_vg=0

tb_p2sd_test_init vg p2sctl
TB_PKG_OF[valgrind]=valgrind TB_PKG_OF[zip]=zip
tb_ensure_tools valgrind zip || { echo "not ok - valgrind or zip missing"; exit 1; }
if nm -D "$P2SD" 2>/dev/null | grep -q __asan_init; then
	echo "not ok - $P2SD is built with ASan: valgrind cannot run it (configure without --enable-sanitizers)"
	exit 1
fi

# vg LOG CMD...: CMD under memcheck, its report in LOG.
vg() {
	local log=$1
	shift
	valgrind --tool=memcheck --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    --track-fds=yes --num-callers=30 --suppressions="$SUPP" \
	    --log-file="$log" "$@"
}

# vg_clean NAME LOG RC WANT_RC: valgrind's verdict on one run.
vg_clean() {
	local name=$1 log=$2 rc=$3 want=$4 bad fds
	n_vg=$((n_vg + 1))
	[ -s "$log" ] || fail "$name: no valgrind log at $log"
	[ "$rc" -ne 99 ] || fail "$name: valgrind found errors (exit 99): $(vg_summary "$log")"
	[ "$rc" -eq "$want" ] || fail "$name: exit $rc, expected $want: $(vg_summary "$log")"
	bad=$(grep -E 'Invalid (read|write|free)|uninitialised|Mismatched free|definitely lost in [1-9]|indirectly lost in [1-9]|Syscall param' "$log")
	[ -z "$bad" ] || fail "$name: $(printf '%s\n' "$bad" | head -3)"
	grep -qE 'ERROR SUMMARY: 0 errors' "$log" || fail "$name: $(vg_summary "$log")"
	# --track-fds: every descriptor open at exit but those inherited
	# (the standard three, and whatever the shell holds) is a leak.
	fds=$(vg_open_fds "$log")
	[ -z "$fds" ] || fail "$name: descriptors left open at exit: $fds"
}

# vg_open_fds LOG: the descriptors the program opened and left open.
vg_open_fds() {
	awk '/Open (file descriptor|[A-Z_0-9]+ socket) [0-9]+/ {
		sub(/^==[0-9]+== +/, ""); hdr = $0
		getline
		if ($0 !~ /inherited from parent/) printf "%s; ", hdr
	}' "$1"
}

vg_summary() {
	grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$1" | sed 's/^==[0-9]*== //' |
	    tr '\n' ' '
	grep -m1 -A12 -E 'Invalid|uninitialised|are definitely lost|are indirectly lost' "$1" |
	    sed 's/^==[0-9]*== /#   /'
}

# ctl NAME WANT_RC ARG...: p2sctl against the daemon, under valgrind; its
# output in $TB_LOGDIR/ctl.out.
ctl() {
	local name=$1 want=$2 rc log
	shift 2
	log=$TB_LOGDIR/vg-p2sctl-$n_vg.log
	P2S_RUNTIME_DIR="$TB_DIR/run" vg "$log" "$P2SCTL" "$@" >"$TB_LOGDIR/ctl.out" 2>&1
	rc=$?
	vg_clean "p2sctl $name" "$log" "$rc" "$want"
}

status_is() {
	P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" status p2s --json 2>/dev/null |
	    grep -q "\"state\":\"$1\""
}

p2sd_log_has() {
	grep -q -- "$1" "$TB_LOGDIR/p2sd.log"
}

p2sd_count() {
	grep -c -- "$1" "$TB_LOGDIR/p2sd.log"
}

# ping_through N: N pings through the tunnel, each allowed 5 s (p2sd runs
# slowly under valgrind); all must come back.
ping_through() {
	ip netns exec "$TB_NS_CLIENT" ping -n -c "$1" -i 0.3 -W 5 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1
}

# profile AUTH: the lab's profile; dpd long, as valgrind slows p2sd down
# some twenty times.
profile() {
	tb_p2sd_profile "$TB_DIR/p2s.yaml" comment="p2sd valgrind test profile ($1)" \
	    auth="$1" interface=p2s-vg0 reconnect=always -- "dpd: 120s"
}

# --- p2sd through a tunnel's life ---
daemon_case() {
	local name="p2sd under valgrind" pid rc n0 n1
	tb_init || fail "tb_init"
	tb_topology_up --nat masquerade || fail "topology"
	tb_certs_make "$CERTS_DIR" >/dev/null || fail "certificates"
	tb_responder_start --auth both || fail "responder"
	profile eap-tls
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" valgrind --tool=memcheck \
	    --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    --track-fds=yes --num-callers=30 --suppressions="$SUPP" \
	    --log-file="$TB_LOGDIR/vg-p2sd.log" \
	    "$P2SD" --foreground --verbose --profile "$TB_DIR/p2s.yaml"
	pid=$TB_SPAWNED_PID

	tb_responder_wait_child 180 || fail "$name: eap-tls: the gateway installed no CHILD_SA"
	tb_wait_until 60 status_is established || fail "$name: eap-tls: p2sd not established"
	ping_through 5 || fail "$name: eap-tls: ping: $(tail -3 "$TB_LOGDIR/ping.out")"
	ok "$name: eap-tls connect, 5 pings through the tunnel"

	ctl "status --json" 0 status p2s --json
	grep -q '"state":"established"' "$TB_LOGDIR/ctl.out" ||
		fail "p2sctl status: $(cat "$TB_LOGDIR/ctl.out")"
	ctl status 0 status
	ctl "status of an unknown profile" 1 status nosuch
	ok "p2sctl status (json, text, an unknown profile) under valgrind"

	cp "$TB_DIR/p2s.yaml" "$TB_DIR/p2s.yaml.good"
	echo "bogus: 1" >>"$TB_DIR/p2s.yaml"
	kill -HUP "$pid"
	tb_wait_until 60 p2sd_log_has 'keeping the profile in force' ||
		fail "$name: SIGHUP with a broken profile was not refused"
	cp "$TB_DIR/p2s.yaml.good" "$TB_DIR/p2s.yaml"
	kill -HUP "$pid"
	tb_wait_until 60 p2sd_log_has 'reloaded; it takes effect' ||
		fail "$name: SIGHUP with a good profile was not taken"
	ok "$name: SIGHUP, a broken profile refused, a good one taken"

	ctl down 0 down p2s
	tb_wait_until 60 status_is down || fail "$name: p2sctl down did not bring the tunnel down"
	ctl up 0 up p2s
	tb_wait_until 180 status_is established || fail "$name: p2sctl up did not bring it back"
	ping_through 3 || fail "$name: no ping after p2sctl up: $(tail -3 "$TB_LOGDIR/ping.out")"
	ok "$name: p2sctl down and up (under valgrind), with the reloaded profile"

	n0=$(p2sd_count 'CHILD_SA rekeyed by the gateway')
	tb_responder_swanctl --rekey --child azure-p2s >/dev/null 2>&1 ||
		fail "$name: swanctl --rekey"
	tb_wait_until 120 sh -c "[ \$(grep -c 'deleted the rekeyed CHILD_SA' '$TB_LOGDIR/p2sd.log') -gt 0 ]" ||
		fail "$name: the gateway's CHILD_SA rekey did not complete"
	n1=$(p2sd_count 'CHILD_SA rekeyed by the gateway')
	[ "$n1" -gt "$n0" ] || fail "$name: p2sd did not log the rekey"
	ping_through 3 || fail "$name: no ping after the rekey: $(tail -3 "$TB_LOGDIR/ping.out")"
	ok "$name: the gateway rekeyed the CHILD_SA; pings through the new one"

	tb_responder_swanctl --terminate --ike azure-p2s >/dev/null 2>&1 ||
		fail "$name: swanctl --terminate"
	tb_wait_until 60 p2sd_log_has 'the gateway deleted the IKE SA' ||
		fail "$name: p2sd did not see the gateway's DELETE"
	tb_wait_until 180 status_is established || fail "$name: p2sd did not reconnect"
	tb_wait_until 60 ping_through 1 || fail "$name: reconnected, but no ping"
	ok "$name: the gateway deleted the IKE SA; p2sd reconnected"

	profile pubkey
	kill -HUP "$pid"
	tb_wait_until 60 sh -c "[ \$(grep -c 'reloaded; it takes effect' '$TB_LOGDIR/p2sd.log') -ge 2 ]" ||
		fail "$name: SIGHUP with the pubkey profile was not taken"
	ctl down 0 down p2s
	tb_wait_until 60 status_is down || fail "$name: p2sctl down (pubkey)"
	ctl up 0 up p2s
	tb_wait_until 180 status_is established || fail "$name: pubkey: not established"
	tb_responder_swanctl --list-sas 2>/dev/null | grep -q 'azure-p2s-pubkey' ||
		fail "$name: pubkey: the gateway has no azure-p2s-pubkey SA"
	ping_through 3 || fail "$name: pubkey: no ping: $(tail -3 "$TB_LOGDIR/ping.out")"
	ok "$name: certificate (pubkey) auth after SIGHUP, pings through the tunnel"

	kill -TERM "$pid"
	# valgrind's leak check runs after p2sd's DELETE: give it time, then
	# make sure it is gone (the harness SIGKILLs what is left).
	tb_wait_until 120 sh -c "! kill -0 $pid 2>/dev/null || grep -q '^Z' /proc/$pid/stat 2>/dev/null" ||
		fail "$name: p2sd did not exit after SIGTERM"
	wait "$pid"
	rc=$?
	rm -f "$TB_DIR/pids/p2sd.pid" "$TB_DIR/pids/p2sd.prog"
	p2sd_log_has 'exiting with status 0' || fail "$name: p2sd did not exit cleanly"
	vg_clean "$name" "$TB_LOGDIR/vg-p2sd.log" "$rc" 0
	ok "$name: SIGTERM; valgrind exit 0, $(grep -oE 'ERROR SUMMARY: [0-9]+ errors' "$TB_LOGDIR/vg-p2sd.log"), no descriptor left open"
	sed -n '/HEAP SUMMARY/,/ERROR SUMMARY/p' "$TB_LOGDIR/vg-p2sd.log" |
	    sed 's/^==[0-9]*== */#   /' | grep -vE '^#   *$'
}

# --- p2sctl cert and import, no daemon ---
tools_case() {
	local d rc log
	tb_init || fail "tb_init"
	tb_certs_make "$CERTS_DIR" >/dev/null || fail "certificates"
	d=$TB_DIR/cert
	mkdir -p "$d" "$TB_DIR/etc"
	echo p2s-secret >"$d/pw"
	# run NAME WANT_RC ARG...: one p2sctl under valgrind.
	# A failure must be said once: one line.
	run() {
		local name=$1 want=$2
		shift 2
		log=$TB_LOGDIR/vg-tool-$n_vg.log
		vg "$log" "$P2SCTL" "$@" >"$TB_LOGDIR/tool.out" 2>&1
		rc=$?
		vg_clean "p2sctl $name" "$log" "$rc" "$want"
		[ "$want" -eq 0 ] || [ "$(wc -l <"$TB_LOGDIR/tool.out")" -eq 1 ] ||
			fail "p2sctl $name: not one message: $(cat "$TB_LOGDIR/tool.out")"
	}
	run "cert root" 0 cert root --cn VgRoot --out "$d/root"
	run "cert client --p12" 0 cert client --ca "$d/root" --cn VgChild --out "$d/client" \
	    --p12 --password-file "$d/pw"
	run "cert export" 0 cert export "$d/root.pem"
	run "cert thumbprint" 0 cert thumbprint "$d/client.pem"
	run "cert root over an existing key" 1 cert root --cn VgRoot --out "$d/root"
	run "cert export of a non-certificate" 1 cert export "$d/pw"
	run "cert client with a missing CA" 1 cert client --ca "$d/nosuch" --cn X --out "$d/x"
	ok "p2sctl cert root, client, export, thumbprint and three failures under valgrind"

	tb_azure_package "$TB_DIR/pkg.zip" >/dev/null || fail "azure package"
	run "import (PEM)" 0 import "$TB_DIR/pkg.zip" --name lab --cert "$TB_CERTS/P2SChildCert.pem" \
	    --key "$TB_CERTS/P2SChildCert.key" --dir "$TB_DIR/etc"
	run "import (PKCS#12, --force)" 0 import "$TB_DIR/pkg.zip" --name lab --force \
	    --p12 "$TB_CERTS/P2SChildCert-aes.p12" --password-file "$TB_CERTS/p12-password.txt" \
	    --dir "$TB_DIR/etc"
	run "import over an existing profile" 1 import "$TB_DIR/pkg.zip" --name lab \
	    --cert "$TB_CERTS/P2SChildCert.pem" --key "$TB_CERTS/P2SChildCert.key" --dir "$TB_DIR/etc"
	run "import with the gateway's key" 1 import "$TB_DIR/pkg.zip" --name other \
	    --cert "$TB_CERTS/gateway.pem" --key "$TB_CERTS/gateway.key" --dir "$TB_DIR/etc"
	echo "not a zip" >"$TB_DIR/bad.zip"
	run "import of a broken package" 1 import "$TB_DIR/bad.zip" --name other \
	    --cert "$TB_CERTS/P2SChildCert.pem" --key "$TB_CERTS/P2SChildCert.key" --dir "$TB_DIR/etc"
	ok "p2sctl import (PEM, PKCS#12) and three failures under valgrind"

	# p2sd --check: good, and files the cert module refuses, each said
	# once.
	echo wrong >"$d/wrongpw"
	chmod 600 "$d/wrongpw"
	check_profile() {
		cat >"$TB_DIR/$1.yaml" <<-EOP
			gateway:
			  host: gw.example.net
			  address: 192.0.2.10
			  roots: [$2]
			client:
			  auth: eap-tls
			$3
			routes: [10.1.0.0/16]
		EOP
		log=$TB_LOGDIR/vg-check-$1.log
		vg "$log" "$P2SD" --check --profile "$TB_DIR/$1.yaml" >"$TB_LOGDIR/tool.out" 2>&1
		rc=$?
		vg_clean "p2sd --check, $1" "$log" "$rc" "$4"
		[ "$4" -eq 0 ] || [ "$(wc -l <"$TB_LOGDIR/tool.out")" -eq 1 ] ||
			fail "p2sd --check, $1: not one message: $(cat "$TB_LOGDIR/tool.out")"
	}
	local pem="  cert: $TB_CERTS/P2SChildCert.pem
  key: $TB_CERTS/P2SChildCert.key" root=$TB_CERTS/ServerRootCA.pem
	check_profile good "$root" "$pem" 0
	check_profile bad-cert "$root" "  cert: $d/pw
  key: $TB_CERTS/P2SChildCert.key" 1
	check_profile bad-root "$d/pw" "$pem" 1
	check_profile wrong-password "$root" "  p12: $TB_CERTS/P2SChildCert-aes.p12
  password_file: $d/wrongpw" 1
	ok "p2sd --check under valgrind: a good profile, and a bad certificate, root and password, each said once"
}

(daemon_case) || n_fail=$((n_fail + 1))
(tools_case) || n_fail=$((n_fail + 1))

echo "# valgrind: $((n_fail)) part(s) failed"
exit $((n_fail != 0))
