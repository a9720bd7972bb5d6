#!/bin/bash
# p2sctl import: a VpnClientConfiguration.zip shaped like Azure's becomes a
# profile that p2sd loads and connects with; a re-import says what changed;
# bad packages, bad credentials and an existing profile get a clear error
# and write nothing.  Needs root (the last part connects in namespaces).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
B=${top_builddir:-$HERE/../..}
P2SCTL=$B/p2sctl P2SD=$B/p2sd
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"
n_fail=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; n_fail=$((n_fail + 1)); }
check() {
	local what=$1
	shift
	if "$@" >"$TB_DIR/out" 2>&1; then ok "$what"; else not_ok "$what"; sed 's/^/#   /' "$TB_DIR/out"; fi
}
# expect_fail WHAT REGEX CMD...: exit 1, the message matches, nothing new
# in $ETC.
expect_fail() {
	local what=$1 re=$2 before after rc
	shift 2
	before=$(find "$ETC" | sort)
	"$@" >"$TB_DIR/out" 2>&1
	rc=$?
	after=$(find "$ETC" | sort)
	if [ $rc -eq 1 ] && grep -qiE -- "$re" "$TB_DIR/out" && [ "$before" = "$after" ]; then
		ok "$what: $(head -c 150 "$TB_DIR/out" | tr '\n' ' ')"
	else
		not_ok "$what (exit $rc, changed: $([ "$before" = "$after" ] && echo no || echo yes))"
		sed 's/^/#   /' "$TB_DIR/out"
	fi
}

tb_require_root || { echo "not ok - must run as root"; exit 1; }
tb_ensure_tools zip || { echo "not ok - zip missing"; exit 1; }
tb_init || exit 1
tb_topology_up --nat masquerade || { echo "not ok - topology"; exit 1; }
tb_gateway_hosts
tb_certs_make >/dev/null || { echo "not ok - certificates"; exit 1; }
ETC=$TB_DIR/etc
mkdir -p "$ETC"
C=$TB_CERTS
PKG=$TB_DIR/VpnClientConfiguration.zip
tb_azure_package "$PKG" || { echo "not ok - package"; exit 1; }

# --- a good import ---
check "import with a PKCS#12" "$P2SCTL" import "$PKG" --name lab \
    --p12 "$C/P2SChildCert-aes.p12" --password-file "$C/p12-password.txt" --dir "$ETC"
check "profile folder is 0700" test "$(stat -c %a "$ETC/lab")" = 700
check "client key is 0600" test "$(stat -c %a "$ETC/lab/client.key")" = 600
check "the profile is valid for p2sd" "$P2SD" --check --profile "$ETC/lab.yaml"
check "the gateway root is the package's" cmp <(openssl x509 -in "$ETC/lab/server-root-0.pem" -outform DER) \
    <(openssl x509 -in "$C/ServerRootCA.pem" -outform DER)
check "routes and pool from the package" grep -q "routes: \[$TB_VNET_PREFIX\]" "$ETC/lab.yaml"

# --- refusals that write nothing ---
expect_fail "an existing profile needs --force" "exists.*--force" \
    "$P2SCTL" import "$PKG" --name lab --cert "$C/P2SChildCert.pem" --key "$C/P2SChildCert.key" --dir "$ETC"
echo "not a zip" >"$TB_DIR/bad.zip"
expect_fail "a file that is not a zip" "zip" \
    "$P2SCTL" import "$TB_DIR/bad.zip" --name other --cert "$C/P2SChildCert.pem" --key "$C/P2SChildCert.key" --dir "$ETC"
expect_fail "a client certificate without clientAuth" "clientAuth" \
    "$P2SCTL" import "$PKG" --name other --cert "$C/gateway.pem" --key "$C/gateway.key" --dir "$ETC"
expect_fail "a wrong PKCS#12 password" "password" \
    "$P2SCTL" import "$PKG" --name other --p12 "$C/P2SChildCert-aes.p12" --password-file "$TB_DIR/out" --dir "$ETC"
(
	d=$(mktemp -d "$TB_DIR/noike.XXXXXX") && cd "$d" && unzip -q "$PKG" &&
	    sed -i 's/IkeV2,OpenVPN/OpenVPN/' Generic/VpnSettings.xml && zip -q -r ../noike.zip Generic
)
expect_fail "a gateway without IKEv2" "IKEv2" \
    "$P2SCTL" import "$TB_DIR/noike.zip" --name other --cert "$C/P2SChildCert.pem" --key "$C/P2SChildCert.key" --dir "$ETC"
"$P2SCTL" import "$PKG" --name 'bad/name' --cert "$C/P2SChildCert.pem" --key "$C/P2SChildCert.key" --dir "$ETC" >/dev/null 2>&1
check "a bad profile name is a usage error (exit 2)" test $? -eq 2

# --- a re-import of a newer package: Azure rotated its root, a route more ---
(
	d=$(mktemp -d "$TB_DIR/newer.XXXXXX") && cd "$d" && unzip -q "$PKG" &&
	    openssl x509 -in "$C/OtherRootCA.pem" -outform DER -out Generic/VpnServerRoot.cer &&
	    sed -i "s|<string>[^<]*</string>|<string>$(base64 -w0 Generic/VpnServerRoot.cer)</string>|; s|<Routes>[^<]*</Routes>|<Routes>$TB_VNET_PREFIX,10.2.0.0/16</Routes>|" Generic/VpnSettings.xml &&
	    zip -q -r ../newer.zip Generic
)
"$P2SCTL" import "$TB_DIR/newer.zip" --name lab --force --cert "$C/P2SChildCert.pem" \
    --key "$C/P2SChildCert.key" --dir "$ETC" >"$TB_DIR/reimport" 2>&1
check "re-import with --force" test $? -eq 0
check "re-import names the removed root" grep -q '^removed: gateway root' "$TB_DIR/reimport"
check "re-import names the added root" grep -q '^added: *gateway root' "$TB_DIR/reimport"
check "re-import names the added route" grep -q '^added: *route 10.2.0.0/16' "$TB_DIR/reimport"
sed 's/^/#   /' "$TB_DIR/reimport" | head -5
check "no staging left behind" test -z "$(find "$ETC" -name '.lab.*')"

# --- the imported profile connects ---
"$P2SCTL" import "$PKG" --name lab --force --p12 "$C/P2SChildCert-3des.p12" \
    --password-file "$C/p12-password.txt" --dir "$ETC" >/dev/null 2>&1
tb_responder_start --auth eap-tls >/dev/null || not_ok "responder"
tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --dir "$ETC" lab
if tb_wait_until 30 grep -q -- '-> established' "$TB_LOGDIR/p2sd.log" && tb_ping_vnet 3 >/dev/null 2>&1; then
	ok "the imported profile connects (the gateway's name resolved) and pings $TB_VNET_HOST"
else
	not_ok "the imported profile connects"
	sed 's/^/#   /' "$TB_LOGDIR/p2sd.log" | tail -20
fi
tb_stop p2sd

echo "# p2sctl import: $n_fail failed"
exit $((n_fail != 0))
