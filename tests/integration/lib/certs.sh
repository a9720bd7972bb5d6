# shellcheck shell=bash
# tests/integration/lib/certs.sh: the test PKI, made with the openssl CLI.
#
# tb_certs_make [DIR] writes into DIR (default $TB_DIR/certs), all RSA 2048
# and SHA-256, keys mode 0600:
#
#   ServerRootCA.pem/.key   "server" root CA (stands in for DigiCert Global
#                           Root G2, which signs Azure's gateway certificate)
#   VpnServerRoot.cer       the same certificate in DER, as Azure ships it in
#                           Generic/VpnServerRoot.cer
#   gateway.pem/.key        the gateway's certificate: subject
#                           C=US, ST=Washington, L=Redmond, O=Microsoft
#                           Corporation, CN=<guid>.vpn.azure.com (Azure's
#                           shape); SAN dNSName = $TB_GW_FQDN
#                           (azuregateway-<guid>-<hex>.vpn.azure.com) and
#                           <guid>.vpn.azure.com; EKU serverAuth +
#                           ikeIntermediate (1.3.6.1.5.5.8.2.2)
#   P2SRootCert.pem/.key    the client root CA, as Azure's doc makes it
#                           (CN=P2SRootCert)
#   P2SRootCert.cer.txt     its "public certificate data" (one line, base64
#                           of the DER), what is uploaded to Azure
#   P2SChildCert.pem/.key   the client: CN=P2SChildCert, SAN dNSName
#                           P2SChildCert, EKU clientAuth, keyUsage
#                           digitalSignature, signed by P2SRootCert
#   P2SChildCert-aes.p12    PKCS#12 like a modern Windows export:
#                           PBES2/PBKDF2/AES-256-CBC, HMAC-SHA256 MAC
#   P2SChildCert-3des.p12   PKCS#12 like a legacy Windows export:
#                           PBE-SHA1-3DES, SHA-1 MAC
#                           (both: cert + key + P2SRootCert, friendly name
#                           P2SChildCert, password in p12-password.txt,
#                           "$TB_P12_PASSWORD")
#   P2SRevokedCert.pem/.key a second client (CN=P2SRevokedCert, same
#                           shape), revoked in P2SRootCert.crl
#   P2SRootCert.crl         CRL of P2SRootCert (PEM) revoking P2SRevokedCert
#   OtherRootCA.pem/.key    an unrelated CA (negative tests)
#   P2SChildCert-otherca.pem/.key  a client certificate that looks exactly
#                           like P2SChildCert but is issued by OtherRootCA
#
# An existing complete DIR is reused unless the gateway or client
# certificate expires within a day (or TB_CERTS_FORCE=1).

[ -n "${TB_COMMON_SH_LOADED:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TB_GW_GUID=${TB_GW_GUID:-3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37}
TB_GW_HEX=${TB_GW_HEX:-5a7c9e1b3d2f}
TB_GW_FQDN=azuregateway-$TB_GW_GUID-$TB_GW_HEX.vpn.azure.com
TB_GW_CN=$TB_GW_GUID.vpn.azure.com
TB_GW_SUBJ="/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=$TB_GW_CN"
TB_CLIENT_ID=P2SChildCert
TB_P12_PASSWORD=${TB_P12_PASSWORD:-p2s-test}
export TB_GW_FQDN TB_GW_CN TB_CLIENT_ID TB_P12_PASSWORD

# _tb_cert_sign OUT SUBJ CA DAYS EXTFILE: key + CSR + certificate at
# OUT.key/.pem, issued by CA.pem/.key (prefixes), a random serial.
_tb_cert_sign() {
	local out=$1 subj=$2 ca=$3 days=$4 ext=$5
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out.key" 2>/dev/null &&
		openssl req -new -key "$out.key" -subj "$subj" -out "$out.csr" &&
		openssl x509 -req -in "$out.csr" -CA "$ca.pem" -CAkey "$ca.key" \
			-CAserial "$out.srl" -CAcreateserial -sha256 -days "$days" \
			-extfile "$ext" -out "$out.pem" 2>/dev/null &&
		rm -f "$out.csr" "$out.srl"
}

# _tb_cert_issue DIR NAME SUBJ CA DAYS EXTFILE: the same, all in DIR
_tb_cert_issue() {
	_tb_cert_sign "$1/$2" "$3" "$1/$4" "$5" "$6"
}

# The gateway certificate's extensions (Azure's shape, see above).
_tb_gw_ext() {
	printf '%s\n' \
		"basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2" \
		"subjectAltName=DNS:$TB_GW_FQDN,DNS:$TB_GW_CN" \
		"subjectKeyIdentifier=hash" \
		"authorityKeyIdentifier=keyid" >"$1"
}

# tb_certs_issue gateway OUT CA
# tb_certs_issue ca OUT CA CN
#   Another certificate, with a new key, at OUT.pem/.key (OUT a prefix;
#   key 0600), issued by CA.pem/.key for 730 days: "gateway" has the
#   subject, names and extensions of gateway.pem (a renewal when CA is
#   ServerRootCA, a new root's when it is another); "ca" is an intermediate
#   CA (pathlen 0) "C=XX, O=p2s test, CN=CN".  Roots: _tb_ca_make.
tb_certs_issue() {
	local kind=$1 out=$2 ca=$3 ext subj rc
	ext=$(mktemp "$out.ext.XXXXXX") || return 1
	case $kind in
	gateway)
		subj=$TB_GW_SUBJ
		_tb_gw_ext "$ext"
		;;
	ca)
		subj="/C=XX/O=p2s test/CN=$4"
		printf '%s\n' \
			"basicConstraints=critical,CA:TRUE,pathlen:0" \
			"keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
			"subjectKeyIdentifier=hash" \
			"authorityKeyIdentifier=keyid" >"$ext"
		;;
	*) tb_err "tb_certs_issue: gateway or ca, not $kind"; rm -f "$ext"; return 1 ;;
	esac
	(umask 077 && _tb_cert_sign "$out" "$subj" "$ca" 730 "$ext")
	rc=$?
	rm -f "$ext"
	[ $rc -eq 0 ] && chmod 0644 "$out.pem"
	[ $rc -eq 0 ] || tb_err "tb_certs_issue $kind $out failed"
	return $rc
}

# _tb_ca_make DIR NAME SUBJ: self-signed root, 3650 days
_tb_ca_make() {
	local d=$1 name=$2 subj=$3
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$name.key" 2>/dev/null &&
		openssl req -x509 -new -key "$d/$name.key" -subj "$subj" -sha256 -days 3650 \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
			-addext "subjectKeyIdentifier=hash" \
			-out "$d/$name.pem"
}

_tb_certs_fresh() {
	local d=$1 f
	for f in ServerRootCA.pem gateway.pem gateway.key P2SRootCert.pem P2SChildCert.pem \
		P2SChildCert.key P2SChildCert-aes.p12 P2SChildCert-3des.p12 P2SRootCert.crl \
		OtherRootCA.pem P2SChildCert-otherca.pem P2SRevokedCert.pem .complete; do
		[ -s "$d/$f" ] || return 1
	done
	[ "$(cat "$d/.complete")" = "$TB_GW_FQDN" ] || return 1
	openssl x509 -in "$d/gateway.pem" -noout -checkend 86400 >/dev/null &&
		openssl x509 -in "$d/P2SChildCert.pem" -noout -checkend 86400 >/dev/null &&
		openssl crl -in "$d/P2SRootCert.crl" -noout -nextupdate >/dev/null 2>&1
}

# tb_certs_make [DIR]: create (or reuse) the PKI described above. Sets and
# exports TB_CERTS (the directory).
tb_certs_make() {
	local d=${1:-$TB_DIR/certs} t0 old_umask ext rc=0
	tb_ensure_tools openssl || return 1
	mkdir -p "$d" || return 1
	TB_CERTS=$(cd "$d" && pwd)
	export TB_CERTS
	if [ -z "${TB_CERTS_FORCE:-}" ] && _tb_certs_fresh "$TB_CERTS"; then
		tb_log "reusing certificates in $TB_CERTS"
		return 0
	fi
	t0=$(tb_now_ms)
	d=$TB_CERTS
	rm -f "$d/.complete"
	old_umask=$(umask)
	umask 077
	ext=$d/.ext
	{
		# server side
		_tb_ca_make "$d" ServerRootCA "/C=XX/O=p2s test/CN=P2S Test Server Root CA" &&
			openssl x509 -in "$d/ServerRootCA.pem" -outform DER -out "$d/VpnServerRoot.cer" &&
			_tb_gw_ext "$ext" &&
			_tb_cert_issue "$d" gateway "$TB_GW_SUBJ" ServerRootCA 730 "$ext" &&
			# client side, as Azure's documentation makes them
			_tb_ca_make "$d" P2SRootCert "/CN=P2SRootCert" &&
			openssl x509 -in "$d/P2SRootCert.pem" -outform DER | base64 -w0 >"$d/P2SRootCert.cer.txt" &&
			echo >>"$d/P2SRootCert.cer.txt" &&
			_tb_client_ext "$ext" P2SChildCert &&
			_tb_cert_issue "$d" P2SChildCert "/CN=P2SChildCert" P2SRootCert 730 "$ext" &&
			_tb_client_ext "$ext" P2SRevokedCert &&
			_tb_cert_issue "$d" P2SRevokedCert "/CN=P2SRevokedCert" P2SRootCert 730 "$ext" &&
			# an unrelated CA and a look-alike client certificate from it
			_tb_ca_make "$d" OtherRootCA "/C=XX/O=p2s test/CN=P2S Test Unrelated Root CA" &&
			_tb_client_ext "$ext" P2SChildCert &&
			_tb_cert_issue "$d" P2SChildCert-otherca "/CN=P2SChildCert" OtherRootCA 730 "$ext" &&
			_tb_crl_make "$d" &&
			printf '%s\n' "$TB_P12_PASSWORD" >"$d/p12-password.txt" &&
			openssl pkcs12 -export -in "$d/P2SChildCert.pem" -inkey "$d/P2SChildCert.key" \
				-certfile "$d/P2SRootCert.pem" -name P2SChildCert \
				-keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -iter 2000 \
				-passout "pass:$TB_P12_PASSWORD" -out "$d/P2SChildCert-aes.p12" &&
			openssl pkcs12 -export -in "$d/P2SChildCert.pem" -inkey "$d/P2SChildCert.key" \
				-certfile "$d/P2SRootCert.pem" -name P2SChildCert \
				-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -iter 2000 \
				-passout "pass:$TB_P12_PASSWORD" -out "$d/P2SChildCert-3des.p12"
	} || rc=1
	rm -f "$ext" "$d"/*.srl "$d"/.ca-*
	# certificates and CRLs are public; keys and .p12 stay 0600
	chmod 0644 "$d"/*.pem "$d"/*.cer "$d"/*.crl "$d"/*.txt 2>/dev/null
	chmod 0600 "$d"/*.key "$d"/*.p12 "$d/p12-password.txt" 2>/dev/null
	umask "$old_umask"
	if [ $rc -ne 0 ]; then
		tb_err "certificate generation in $d failed"
		return 1
	fi
	printf '%s\n' "$TB_GW_FQDN" >"$d/.complete"
	tb_log "certificates made in $TB_CERTS in $(($(tb_now_ms) - t0)) ms"
}

_tb_client_ext() {
	printf '%s\n' \
		"basicConstraints=critical,CA:FALSE" \
		"keyUsage=critical,digitalSignature" \
		"extendedKeyUsage=clientAuth" \
		"subjectAltName=DNS:$2" \
		"subjectKeyIdentifier=hash" \
		"authorityKeyIdentifier=keyid" >"$1"
}

# _tb_crl_make DIR: P2SRootCert.crl revoking P2SRevokedCert, with a
# minimal `openssl ca` database.
_tb_crl_make() {
	local d=$1 db=$1/.ca-db
	mkdir -p "$db" || return 1
	: >"$db/index.txt"
	echo 01 >"$db/crlnumber"
	cat >"$db/ca.cnf" <<-EOF
		[ ca ]
		default_ca = p2s
		[ p2s ]
		database = $db/index.txt
		crlnumber = $db/crlnumber
		default_md = sha256
		default_crl_days = 365
		certificate = $d/P2SRootCert.pem
		private_key = $d/P2SRootCert.key
		crl_extensions = crl_ext
		[ crl_ext ]
		authorityKeyIdentifier = keyid
	EOF
	openssl ca -config "$db/ca.cnf" -revoke "$d/P2SRevokedCert.pem" -crl_reason keyCompromise \
		>/dev/null 2>&1 &&
		openssl ca -config "$db/ca.cnf" -gencrl -out "$d/P2SRootCert.crl" >/dev/null 2>&1
	local rc=$?
	rm -rf "$db"
	[ $rc -eq 0 ] || tb_err "making P2SRootCert.crl failed"
	return $rc
}
