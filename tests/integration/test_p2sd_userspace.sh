#!/bin/bash
# p2sd against a real strongSwan "Azure gateway" (tests/integration/lib),
# userspace datapath (the host kernel has no ESP): p2sd connects, the VNet
# host answers pings through the tunnel, SIGTERM deletes the SA and
# removes the interface.  With EAP-TLS and with certificate auth, with and
# without NAT, with AES-GCM and AES-CBC+HMAC ESP, with PEM and PKCS#12
# (AES-256 and 3DES) credentials.  Then the failures, each with a clear
# error and no tunnel: a gateway certificate from another CA, a gateway
# identity mismatch, a client certificate the gateway does not trust, no
# common proposal.  `datapath: auto` must fall back to userspace here and
# say why; `datapath: kernel` must refuse to start and say why.
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

n_fail=0
tb_p2sd_test_init it

# profile FILE AUTH CRED [KEY=VALUE...]: write a p2sd profile for the lab.
# CRED: pem, p12-aes, p12-3des, otherca.  Extra lines override defaults.
profile() {
	local file=$1 auth=$2 cred=$3 root=$TB_CERTS/ServerRootCA.pem
	local id=$TB_GW_FQDN reconnect=always client datapath=${DATAPATH:-userspace}
	shift 3
	for kv in "$@"; do
		case $kv in
		root=@OTHERCA@) root=$TB_CERTS/OtherRootCA.pem ;;
		root=*) root=${kv#root=} ;;
		id=*) id=${kv#id=} ;;
		reconnect=*) reconnect=${kv#reconnect=} ;;
		datapath=*) datapath=${kv#datapath=} ;;
		esac
	done
	case $cred in
	pem) client=() ;;
	p12-aes) client=(cert= key= p12="$TB_CERTS/P2SChildCert-aes.p12"
	    password_file="$TB_CERTS/p12-password.txt") ;;
	p12-3des) client=(cert= key= p12="$TB_CERTS/P2SChildCert-3des.p12"
	    password_file="$TB_CERTS/p12-password.txt") ;;
	otherca) client=(cert="$TB_CERTS/P2SChildCert-otherca.pem"
	    key="$TB_CERTS/P2SChildCert-otherca.key") ;;
	esac
	tb_p2sd_profile "$file" comment="p2sd integration test profile ($auth, $cred)" \
	    id="$id" roots="$root" auth="$auth" "${client[@]}" \
	    datapath="$datapath" interface=p2s-it0 reconnect="$reconnect"
}

start_p2sd() {
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
}

link_gone() {
	! ip netns exec "$TB_NS_CLIENT" ip link show p2s-it0 >/dev/null 2>&1
}

responder_has_no_ike() {
	! tb_responder_swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED
}

p2sd_exited() {
	[ -z "$(tb_pid_of p2sd)" ]
}

# tunnel_case NAME AUTH CRED NAT [responder options...]
tunnel_case() (
	name=$1 auth=$2 cred=$3 nat=$4
	shift 4
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat "$nat" || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --auth "$auth" "$@" || fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" "$auth" "$cred"
	t0=$(tb_now_ms)
	start_p2sd
	tb_responder_wait_child 30 || fail "$name: the gateway installed no CHILD_SA"
	tb_wait_until 10 grep -q 'established' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not report the tunnel up"
	ok "$name: tunnel up in $(($(tb_now_ms) - t0)) ms"
	if [ "${DATAPATH:-userspace}" = auto ]; then
		# This host's kernel has no ESP (testbed.md 1.1): the probe
		# must say so, and userspace must carry the tunnel.
		why=$(grep -E '^p2sd: info: datapath: auto: userspace, as the kernel cannot: .+' "$TB_LOGDIR/p2sd.log") ||
			fail "$name: p2sd did not say why the kernel datapath was not taken"
		ok "$name: ${why#p2sd: info: }"
	fi
	tb_ping_vnet 5 >"$TB_LOGDIR/ping.out" 2>&1 ||
		fail "$name: ping $TB_VNET_HOST through the tunnel: $(cat "$TB_LOGDIR/ping.out")"
	ok "$name: ping $TB_VNET_HOST through the tunnel"
	st=$(P2S_RUNTIME_DIR="$TB_DIR/run" "${P2SD%/p2sd}/p2sctl" status p2s --json 2>&1)
	case $st in
	*'"state":"established"'*'"virtual_ip":"172.16.201.'*) ;;
	*) fail "$name: p2sctl status --json: $st" ;;
	esac
	case $st in
	*'"packets_out":0,'* | *'"packets_out":0}'*) fail "$name: status counts no packets: $st" ;;
	esac
	ok "$name: p2sctl status --json says established, with the virtual IP and counters"
	# SIGHUP: a broken profile is refused and the tunnel stays; a good
	# one is taken.
	cp "$TB_DIR/p2s.yaml" "$TB_DIR/p2s.yaml.good"
	echo "bogus: 1" >>"$TB_DIR/p2s.yaml"
	kill -HUP "$(tb_pid_of p2sd)"
	tb_wait_until 5 grep -q 'keeping the profile in force' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: SIGHUP with a broken profile was not refused"
	tb_ping_vnet 2 >/dev/null 2>&1 || fail "$name: the tunnel did not survive a refused reload"
	cp "$TB_DIR/p2s.yaml.good" "$TB_DIR/p2s.yaml"
	kill -HUP "$(tb_pid_of p2sd)"
	tb_wait_until 5 grep -q 'reloaded; it takes effect' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: SIGHUP with a good profile was not taken"
	ok "$name: SIGHUP refuses a broken profile (tunnel kept) and takes a good one"
	# p2sctl down deletes the SA and holds; up connects with the
	# reloaded profile.
	ctl() { P2S_RUNTIME_DIR="$TB_DIR/run" "${P2SD%/p2sd}/p2sctl" "$@"; }
	ctl down p2s >/dev/null || fail "$name: p2sctl down"
	tb_wait_until 10 sh -c "P2S_RUNTIME_DIR='$TB_DIR/run' '${P2SD%/p2sd}/p2sctl' status p2s --json | grep -q '\"state\":\"down\"'" ||
		fail "$name: p2sctl down did not bring the tunnel down"
	ctl up p2s >/dev/null || fail "$name: p2sctl up"
	tb_wait_until 20 grep -q 'using the reloaded profile' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sctl up did not use the reloaded profile"
	tb_wait_until 20 sh -c "P2S_RUNTIME_DIR='$TB_DIR/run' '${P2SD%/p2sd}/p2sctl' status p2s --json | grep -q '\"state\":\"established\"'" ||
		fail "$name: p2sctl up did not bring the tunnel back"
	tb_ping_vnet 2 >/dev/null 2>&1 || fail "$name: no ping after p2sctl up"
	ok "$name: p2sctl down and up, with the reloaded profile"
	sas=$(tb_responder_swanctl --list-sas 2>&1)
	printf '%s\n' "$sas" | grep -q 'TUNNEL-in-UDP' ||
		fail "$name: the CHILD_SA is not UDP-encapsulated: $sas"
	ok "$name: $(printf '%s\n' "$sas" | grep -o 'ESP:[A-Z0-9_/-]*' | head -1) in UDP"
	tb_stop p2sd
	tb_wait_until 10 responder_has_no_ike || fail "$name: the gateway still has the IKE SA after SIGTERM"
	tb_wait_until 5 link_gone || fail "$name: interface p2s-it0 left behind"
	grep -q 'SIGTERM' "$TB_LOGDIR/p2sd.log" || fail "$name: p2sd did not log its stop"
	grep -q 'exiting with status 0' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not exit cleanly after SIGTERM"
	ok "$name: SIGTERM deleted the SA and removed the interface"
)

# failure_case NAME EXPECT AUTH CRED [profile KEY=VALUE...] -- [responder options...]
failure_case() (
	name=$1 expect=$2 auth=$3 cred=$4
	shift 4
	popts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do popts+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --auth "$auth" "$@" || fail "$name: responder"
	profile "$TB_DIR/p2s.yaml" "$auth" "$cred" reconnect=never "${popts[@]}"
	start_p2sd
	tb_wait_until 60 p2sd_exited || fail "$name: p2sd did not give up"
	# The reason must be in what p2sd says at error level, not in
	# some debug line that happens to contain the words.
	grep -E '^p2sd: error: ' "$TB_LOGDIR/p2sd.log" >"$TB_LOGDIR/errors"
	grep -qiE -- "$expect" "$TB_LOGDIR/errors" ||
		fail "$name: p2sd's errors do not say /$expect/"
	tb_responder_has_child && fail "$name: the gateway installed a CHILD_SA"
	tb_wait_until 5 link_gone || fail "$name: interface p2s-it0 left behind"
	ok "$name: refused"
	sed 's/^/#   /' "$TB_LOGDIR/errors"
)

tunnel_case "eap-tls, PEM, NAT, AES-GCM" eap-tls pem masquerade || n_fail=$((n_fail + 1))
tunnel_case "pubkey, PKCS#12 AES, no NAT, AES-CBC" pubkey p12-aes none \
    --esp-proposals aes256-sha256 || n_fail=$((n_fail + 1))
tunnel_case "eap-tls, PKCS#12 3DES, fully-random NAT, AES-CBC" eap-tls p12-3des \
    fully-random --esp-proposals aes256-sha256 || n_fail=$((n_fail + 1))
tunnel_case "pubkey, PEM, NAT, AES-GCM" pubkey pem masquerade || n_fail=$((n_fail + 1))
DATAPATH=auto tunnel_case "datapath auto, pubkey, PEM, no NAT, AES-GCM" pubkey pem none ||
    n_fail=$((n_fail + 1))

failure_case "gateway certificate from another CA" "not among the profile's gateway roots" \
    eap-tls pem root=@OTHERCA@ || n_fail=$((n_fail + 1))
failure_case "gateway identity mismatch" 'not for "wrong-gateway.example.net" \(gateway.id\)' \
    eap-tls pem id=wrong-gateway.example.net || n_fail=$((n_fail + 1))
failure_case "client certificate the gateway does not trust" \
    "does not accept our client certificate" \
    eap-tls otherca || n_fail=$((n_fail + 1))
failure_case "datapath: kernel on a kernel without ESP" \
    "datapath: kernel, but the kernel cannot: kernel has no " pubkey pem datapath=kernel ||
    n_fail=$((n_fail + 1))
failure_case "no common proposal" "accepted none of our IKE proposals" pubkey pem -- \
    --proposals aes128-sha1-modp1024 || n_fail=$((n_fail + 1))

echo "# p2sd userspace: $((n_fail)) case(s) failed"
exit $((n_fail != 0))
