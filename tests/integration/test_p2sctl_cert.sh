#!/bin/bash
# p2sctl cert: the root and client certificates Azure wants, checked with
# the openssl command line (chain, key usage, EKU, SAN, key size and
# signature, file modes, PKCS#12), export and thumbprint against openssl's
# own encoding and fingerprint, the error paths, and finally a strongSwan
# "Azure gateway" that trusts the generated root accepting the generated
# client certificate (EAP-TLS, reference client).
#
# Needs root (the last part builds network namespaces).  Never skips.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
P2SCTL=${top_builddir:-$HERE/../..}/p2sctl
D=$(mktemp -d /tmp/p2s-cert.XXXXXX) || exit 1
trap 'rm -rf "$D"' EXIT
n_fail=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; n_fail=$((n_fail + 1)); }
check() {
	local what=$1
	shift
	if "$@" >"$D/out" 2>&1; then ok "$what"; else not_ok "$what"; sed 's/^/#   /' "$D/out"; fi
}
mode_of() { stat -c %a "$1"; }
has() { grep -q -- "$2" <<<"$1"; }

[ -x "$P2SCTL" ] || { echo "not ok - no p2sctl at $P2SCTL"; exit 1; }
echo p2s-secret >"$D/pw"

# --- the root ---
"$P2SCTL" cert root --cn P2SRootCert --out "$D/root" >"$D/root.out" 2>&1
check "cert root runs" test $? -eq 0
root_txt=$(openssl x509 -in "$D/root.pem" -noout -text)
check "root: RSA 2048" has "$root_txt" "Public-Key: (2048 bit)"
check "root: SHA-256 signature" has "$root_txt" "sha256WithRSAEncryption"
check "root: CA:TRUE" has "$root_txt" "CA:TRUE"
check "root: keyCertSign" has "$root_txt" "Certificate Sign"
check "root: self-signed, verifies" openssl verify -CAfile "$D/root.pem" "$D/root.pem"
check "root: key mode 0600" test "$(mode_of "$D/root.key")" = 600
check "root: key matches" test "$(openssl x509 -in "$D/root.pem" -noout -pubkey)" = \
    "$(openssl pkey -in "$D/root.key" -pubout)"
check "root: prints the public certificate data" grep -qx \
    "$(openssl x509 -in "$D/root.pem" -outform DER | base64 -w0)" "$D/root.out"
"$P2SCTL" cert root --cn P2SRootCert --out "$D/root" >"$D/out" 2>&1
check "root: refuses to overwrite a key (exit 1)" test $? -eq 1

# --- the client ---
check "cert client runs" "$P2SCTL" cert client --ca "$D/root" --cn P2SChildCert \
    --out "$D/client" --p12 --password-file "$D/pw"
cl_txt=$(openssl x509 -in "$D/client.pem" -noout -text)
check "client: chains to the root" openssl verify -CAfile "$D/root.pem" "$D/client.pem"
check "client: EKU clientAuth" has "$cl_txt" "TLS Web Client Authentication"
check "client: SAN dNSName = CN" has "$cl_txt" "DNS:P2SChildCert"
check "client: subject CN" has "$(openssl x509 -in "$D/client.pem" -noout -subject)" "CN = P2SChildCert"
check "client: not a CA" has "$cl_txt" "CA:FALSE"
check "client: RSA 2048, SHA-256" has "$cl_txt" "Public-Key: (2048 bit)"
check "client: key mode 0600" test "$(mode_of "$D/client.key")" = 600
check "client: p12 mode 0600" test "$(mode_of "$D/client.p12")" = 600
check "client: p12 opens with the password" openssl pkcs12 -in "$D/client.p12" \
    -passin "file:$D/pw" -noout
check "client: p12 is AES-256" sh -c "openssl pkcs12 -in '$D/client.p12' -passin 'file:$D/pw' \
    -info -noout 2>&1 | grep -q AES-256-CBC"

# --- export and thumbprint ---
want_b64=$(openssl x509 -in "$D/root.pem" -outform DER | base64 -w0)
check "export equals base64 of the DER" test "$("$P2SCTL" cert export "$D/root.pem")" = "$want_b64"
want_tp=$(openssl x509 -in "$D/client.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' |
    tr 'A-F' 'a-f')
check "thumbprint equals openssl's SHA-1 fingerprint" \
    test "$("$P2SCTL" cert thumbprint "$D/client.pem")" = "$want_tp"
openssl x509 -in "$D/client.pem" -outform DER -out "$D/client.der"
check "thumbprint reads DER too" test "$("$P2SCTL" cert thumbprint "$D/client.der")" = "$want_tp"

# --- errors ---
"$P2SCTL" cert export "$D/pw" >/dev/null 2>"$D/err"
check "export of a non-certificate fails (exit 1) with a message" test $? -eq 1 -a -s "$D/err"
"$P2SCTL" cert root --out "$D/x" >/dev/null 2>&1
check "missing --cn is a usage error (exit 2)" test $? -eq 2
"$P2SCTL" cert root --cn 'bad name' --out "$D/y" >/dev/null 2>&1
check "a CN with a space is refused (exit 1)" test $? -eq 1
"$P2SCTL" cert client --ca "$D/nonexistent" --cn C --out "$D/z" >/dev/null 2>&1
check "a missing root fails (exit 1)" test $? -eq 1
"$P2SCTL" frobnicate >/dev/null 2>&1
check "an unknown command is a usage error (exit 2)" test $? -eq 2

# --- a strongSwan gateway trusting the generated root accepts the client ---
gateway_accepts() (
	# shellcheck source=lib/harness.sh
	. "$HERE/lib/harness.sh"
	tb_require_root && tb_ensure_tools || exit 1
	tb_init || exit 1
	tb_topology_up --nat masquerade || exit 1
	tb_certs_make "$D/certs" || exit 1
	cp "$D/root.pem" "$TB_CERTS/P2SRootCert.pem"
	cp "$D/client.pem" "$TB_CERTS/P2SChildCert.pem"
	cp "$D/client.key" "$TB_CERTS/P2SChildCert.key"
	tb_responder_start --auth eap-tls || exit 1
	tb_sclient_start --auth eap-tls --cred pem || exit 1
	tb_sclient_initiate 20 && tb_responder_wait_child 10 && tb_ping_vnet 3
)
check "a gateway trusting the generated root accepts the generated client" gateway_accepts

echo "# p2sctl cert: $n_fail failed"
exit $((n_fail != 0))
