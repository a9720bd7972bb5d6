#!/bin/sh
# SPDX-License-Identifier: ISC
#
# mkcerts.sh: makes the test PKI that tests/unit/test_cert*.c and
# test_crypto_sig.c read, with the openssl CLI only.  The output is checked
# in, so the tests never depend on this script, on randomness or on the
# clock: every certificate has fixed dates (2020-01-01 to 2120-01-01),
# except gw-expired (2001-2002) and gw-future (2090-2099).  Run it from
# anywhere; it rewrites the directory it lives in.  CA keys are thrown
# away at the end; only the keys the tests use are kept.
#
# The reference values (*.spki-sha1, *.fingerprint, *.b64, *.notafter) come
# from the openssl CLI, not from our code, so the unit tests compare our
# results with an independent computation:
#   CERTREQ hash   openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha1sum
#   thumbprint     openssl x509 -fingerprint -sha1
#   PublicCertData openssl x509 -outform der | base64 -w0
#
# Gateway side (Azure's shape: public root -> intermediate -> gateway):
#   root-a          "gateway root" (stands in for DigiCert Global Root G2),
#                   also root-a.der (VpnServerRoot.cer is raw DER)
#   int-a           intermediate under root-a
#   gw              Azure's shape: CN=<guid>.vpn.azure.com, SAN dNSName
#                   azuregateway-<guid>-<hex>.vpn.azure.com and the CN;
#                   EKU serverAuth + ikeIntermediate; RSA 2048 (key kept)
#   gw-wild         SAN *.gw.example.net
#   gw-multi        SAN a.example.net, B.Example.NET, c.example.org
#   gw-cn           CN=gw.example.net, no SAN, no EKU
#   gw-ip           CN=ip.example.net, SAN IP 192.0.2.10 and 2001:db8::10
#   gw-partial      SAN gw*.example.net, *.net, f*o.example.net,
#                   www.*.example.net, *.*.example.net: none may match
#   gw-expired, gw-future, gw-wrongca (issued by root-b), gw-clientauth
#   (EKU clientAuth only), gw-kuenc (keyUsage keyEncipherment only),
#   gw-rsa1024 (a 1024-bit key), gw-sha1root (under root-sha1, a root
#   self-signed with SHA-1 like DigiCert Global Root CA), gw-oldroot
#   (valid, but under root-old, which expired in 2010: a rotated root),
#   gw-noakid (no authorityKeyIdentifier: refused in strict mode only)
#   gw-ec256, gw-ec384, gw-ed25519 (keys kept, for signatures)
#   chain6 / chain7 leaves under 6 and 7 intermediates (ca1..ca7)
# Client side (Azure's documented shape):
#   client-root     CN=P2SRootCert;  client-int: an intermediate under it
#   client          CN=P2SChildCert, SAN DNS:P2SChildCert, EKU clientAuth
#                   client.key (PKCS#8), client-rsa.key (traditional RSA),
#                   client-key.der (PKCS#8 DER), client.der, client-enc.key
#                   (encrypted PKCS#8), client-enc-rsa.key (encrypted
#                   traditional), other.key (a different key)
#   client-ec       P-256, client-ec.key (traditional "EC PRIVATE KEY")
#   client-srv      EKU serverAuth only (no clientAuth)
#   client2         under client-int; client2-chain.pem = client2, then
#                   client-root and client-int (out of order on purpose)
#   client-aes.p12     AES-256-CBC/PBKDF2, HMAC-SHA256 MAC (modern Windows)
#   client-legacy.p12  RC2-40 certs, 3DES key, SHA-1 MAC (openssl -legacy,
#                      older Windows exports); password of both: p2s-test
#   client-empty.p12   empty password
#   client2-chain.p12  client2 + client-int + client-root, password p2s-test
# Signatures (sig/): octets.bin signed by the openssl CLI, as IKE AUTH data.
# Fuzz seeds: tests/fuzz/corpus/cert/ (the input format is in fuzz_cert.c).
#
# Not made here, and kept when it runs: digicert-global-root-g2.crt and
# digicert-global-root-ca.crt, copies of the two public roots Azure's
# packages ship as VpnServerRoot.cer (azure-p2s-facts.md 3.1), from
# Debian's ca-certificates.

set -eu
umask 022
dir=$(cd "$(dirname "$0")" && pwd)
cd "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

START=20200101000000Z
END=21200101000000Z
GUID=3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37
GWHOST=azuregateway-$GUID-5a7c9e1b3d2f.vpn.azure.com
PW=p2s-test

rm -f ./*.pem ./*.der ./*.key ./*.p12 ./*.spki-sha1 ./*.fingerprint \
	./*.b64 ./*.notafter
rm -rf sig
mkdir sig

mkdir "$tmp/db"
: >"$tmp/db/index.txt"
echo 1000 >"$tmp/db/serial"
cat >"$tmp/ca.cnf" <<CNF
[ ca ]
default_ca = test
[ test ]
database = $tmp/db/index.txt
serial = $tmp/db/serial
new_certs_dir = $tmp/db
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
commonName = optional
[ req ]
distinguished_name = dn
[ dn ]
CNF

# key NAME TYPE: a new private key in $tmp/NAME.key
key() {
	case $2 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ;;
	rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
		-pkeyopt ec_param_enc:named_curve ;;
	ed25519) openssl genpkey -algorithm ED25519 ;;
	esac >"$tmp/$1.key" 2>/dev/null
}

# ext NAME LINES...: an extension section [ext] in $tmp/NAME.ext
ext() {
	n=$1
	shift
	{
		echo "[ ext ]"
		printf '%s\n' "$@"
	} >"$tmp/$n.ext"
}

# sign NAME SUBJ ISSUER [START END [MD]]: NAME.pem from $tmp/NAME.key and
# $tmp/NAME.ext, issued by ISSUER (self-signed when ISSUER is NAME)
sign() {
	n=$1 subj=$2 iss=$3 from=${4:-$START} to=${5:-$END} md=${6:-sha256}
	openssl req -new -config "$tmp/ca.cnf" -key "$tmp/$n.key" -subj "$subj" \
		-out "$tmp/$n.csr"
	if [ "$iss" = "$n" ]; then
		set -- -selfsign -keyfile "$tmp/$n.key"
	else
		set -- -cert "$iss.pem" -keyfile "$tmp/$iss.key"
	fi
	openssl ca -batch -notext -preserveDN -config "$tmp/ca.cnf" "$@" \
		-in "$tmp/$n.csr" -startdate "$from" -enddate "$to" -md "$md" \
		-extfile "$tmp/$n.ext" -extensions ext -out "$n.pem" 2>/dev/null
}

CA_EXT="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always"
GW_KU="keyUsage=critical,digitalSignature,keyEncipherment"
GW_EKU="extendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2"
LEAF="basicConstraints=critical,CA:FALSE
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always"

# ca NAME SUBJ ISSUER [MD]
ca() {
	key "$1" rsa
	ext "$1" "$CA_EXT"
	sign "$1" "$2" "$3" "$START" "$END" "${4:-sha256}"
}

# gw NAME TYPE SUBJ ISSUER EXTLINES [START END]
gw() {
	key "$1" "$2"
	ext "$1" "$LEAF" "$5"
	sign "$1" "$3" "$4" "${6:-$START}" "${7:-$END}"
}

ca root-a "/C=XX/O=p2s test/CN=P2S Test Gateway Root A" root-a
ca root-b "/C=XX/O=p2s test/CN=P2S Test Unrelated Root B" root-b
ca root-sha1 "/C=XX/O=p2s test/CN=P2S Test SHA-1 Root" root-sha1 sha1
ca int-a "/C=XX/O=p2s test/CN=P2S Test Gateway Intermediate A" root-a
key root-old rsa
ext root-old "$CA_EXT"
sign root-old "/C=XX/O=p2s test/CN=P2S Test Retired Root" root-old \
	20000101000000Z 20100101000000Z

GW_SUBJ="/C=US/ST=Washington/L=Redmond/O=Microsoft Corporation/CN=$GUID.vpn.azure.com"
gw gw rsa "$GW_SUBJ" int-a "$GW_KU
$GW_EKU
subjectAltName=DNS:$GWHOST,DNS:$GUID.vpn.azure.com"
gw gw-wild rsa "/CN=wild.example.net" int-a "$GW_KU
$GW_EKU
subjectAltName=DNS:*.gw.example.net"
gw gw-multi rsa "/CN=multi.example.net" int-a "$GW_KU
$GW_EKU
subjectAltName=DNS:a.example.net,DNS:B.Example.NET,DNS:c.example.org"
gw gw-cn rsa "/O=p2s test/CN=gw.example.net" int-a "$GW_KU"
gw gw-ip rsa "/CN=ip.example.net" int-a "$GW_KU
$GW_EKU
subjectAltName=IP:192.0.2.10,IP:2001:db8::10"
gw gw-partial rsa "/CN=partial.example.net" int-a "$GW_KU
$GW_EKU
subjectAltName=DNS:gw*.example.net,DNS:*.net,DNS:f*o.example.net,DNS:www.*.example.net,DNS:*.*.example.net"
SAN_GW="subjectAltName=DNS:gw.example.net"
gw gw-expired rsa "/CN=gw.example.net" int-a "$GW_KU
$GW_EKU
$SAN_GW" 20010101000000Z 20020101000000Z
gw gw-future rsa "/CN=gw.example.net" int-a "$GW_KU
$GW_EKU
$SAN_GW" 20900101000000Z 20990101000000Z
gw gw-wrongca rsa "/CN=gw.example.net" root-b "$GW_KU
$GW_EKU
$SAN_GW"
gw gw-clientauth rsa "/CN=gw.example.net" int-a "$GW_KU
extendedKeyUsage=clientAuth
$SAN_GW"
gw gw-kuenc rsa "/CN=gw.example.net" int-a "keyUsage=critical,keyEncipherment
$GW_EKU
$SAN_GW"
gw gw-rsa1024 rsa1024 "/CN=gw.example.net" int-a "$GW_KU
$GW_EKU
$SAN_GW"
# no authorityKeyIdentifier: only X509_V_FLAG_X509_STRICT refuses it
key gw-noakid rsa
ext gw-noakid "basicConstraints=critical,CA:FALSE
subjectKeyIdentifier=hash
authorityKeyIdentifier=none
$GW_KU
$GW_EKU
$SAN_GW"
sign gw-noakid "/CN=gw.example.net" int-a
gw gw-oldroot rsa "/CN=gw.example.net" root-old "$GW_KU
$GW_EKU
$SAN_GW"
gw gw-sha1root rsa "/CN=gw.example.net" root-sha1 "$GW_KU
$GW_EKU
$SAN_GW"
EC_KU="keyUsage=critical,digitalSignature"
gw gw-ec256 p256 "/CN=gw.example.net" int-a "$EC_KU
$GW_EKU
$SAN_GW"
gw gw-ec384 p384 "/CN=gw.example.net" int-a "$EC_KU
$GW_EKU
$SAN_GW"
gw gw-ed25519 ed25519 "/CN=gw.example.net" int-a "$EC_KU
$GW_EKU
$SAN_GW"

# ca1 under root-a, ca2 under ca1, ... ca7 under ca6
prev=root-a
for i in 1 2 3 4 5 6 7; do
	ca "ca$i" "/O=p2s test/CN=P2S Test Chain CA $i" "$prev"
	prev=ca$i
done
gw chain6 rsa "/CN=gw.example.net" ca6 "$GW_KU
$GW_EKU
$SAN_GW"
gw chain7 rsa "/CN=gw.example.net" ca7 "$GW_KU
$GW_EKU
$SAN_GW"
# leaf-side first, as a gateway sends them
cat ca6.pem ca5.pem ca4.pem ca3.pem ca2.pem ca1.pem >chain6-int.pem
cat ca7.pem ca6.pem ca5.pem ca4.pem ca3.pem ca2.pem ca1.pem >chain7-int.pem
mv ca[1-7].pem "$tmp"

# Client side, as Azure's documentation makes it.
ca client-root "/CN=P2SRootCert" client-root
ca client-int "/CN=P2SIntermediate" client-root
CL_EXT="$LEAF
keyUsage=critical,digitalSignature"
gw client rsa "/CN=P2SChildCert" client-root "$CL_EXT
extendedKeyUsage=clientAuth
subjectAltName=DNS:P2SChildCert"
gw client-ec p256 "/CN=P2SChildCertEC" client-root "$CL_EXT
extendedKeyUsage=clientAuth
subjectAltName=DNS:P2SChildCertEC"
gw client-srv rsa "/CN=P2SServerOnly" client-root "$CL_EXT
extendedKeyUsage=serverAuth
subjectAltName=DNS:P2SServerOnly"
gw client2 rsa "/CN=P2SChildCert2" client-int "$CL_EXT
extendedKeyUsage=clientAuth
subjectAltName=DNS:P2SChildCert2"
cat client2.pem client-root.pem client-int.pem >client2-chain.pem
key other rsa

# Key formats.
openssl pkey -in "$tmp/client.key" -out client.key
openssl pkey -in "$tmp/client.key" -traditional -out client-rsa.key
openssl pkey -in "$tmp/client.key" -outform DER -out client-key.der
openssl pkey -in "$tmp/client.key" -aes256 -passout "pass:$PW" \
	-out client-enc.key
openssl rsa -in "$tmp/client.key" -traditional -aes128 -passout "pass:$PW" \
	-out client-enc-rsa.key 2>/dev/null
openssl pkey -in "$tmp/client-ec.key" -traditional -out client-ec.key
openssl x509 -in client.pem -outform DER -out client.der
openssl x509 -in root-a.pem -outform DER -out root-a.der
cp "$tmp/client2.key" "$tmp/other.key" "$tmp/gw.key" "$tmp/gw-ec256.key" \
	"$tmp/gw-ec384.key" "$tmp/gw-ed25519.key" .

# PKCS#12 bundles.
openssl pkcs12 -export -in client.pem -inkey client.key -name P2SChildCert \
	-certfile client-root.pem -keypbe AES-256-CBC -certpbe AES-256-CBC \
	-macalg sha256 -passout "pass:$PW" -out client-aes.p12
openssl pkcs12 -export -legacy -in client.pem -inkey client.key \
	-name P2SChildCert -certfile client-root.pem -passout "pass:$PW" \
	-out client-legacy.p12
openssl pkcs12 -export -in client.pem -inkey client.key -name P2SChildCert \
	-passout pass: -out client-empty.p12
openssl pkcs12 -export -in client2.pem -inkey client2.key \
	-name P2SChildCert2 -certfile client2-chain.pem -passout "pass:$PW" \
	-out client2-chain.p12

# Reference values from the openssl CLI.
for c in root-a root-b client-root client-int int-a; do
	openssl x509 -in $c.pem -pubkey -noout |
		openssl pkey -pubin -outform DER | sha1sum | cut -d' ' -f1 \
		>$c.spki-sha1
done
for c in client root-a; do
	openssl x509 -in $c.pem -noout -fingerprint -sha1 >$c.fingerprint
	openssl x509 -in $c.pem -outform DER | base64 -w0 >$c.b64
	date -u -d "$(openssl x509 -in $c.pem -noout -enddate | cut -d= -f2)" \
		+%s >$c.notafter
done
date -u -d "$(openssl x509 -in gw-expired.pem -noout -enddate |
	cut -d= -f2)" +%s >gw-expired.notafter

# Signatures over the same octets, as RFC 7427 AUTH data (one length
# octet, the AlgorithmIdentifier, the signature; RFC 7427 3).
head -c 300 /dev/urandom >sig/octets.bin
hexin() { xxd -r -p; }
auth() {
	n=$(($(printf %s "$2" | wc -c) / 2))
	{
		printf "%02x%s" "$n" "$2" | hexin
		cat "$tmp/sig"
	} >"sig/$1"
}
openssl dgst -sha256 -sign gw.key -out "$tmp/sig" sig/octets.bin
auth rsa-sha256.auth 300d06092a864886f70d01010b0500
openssl dgst -sha512 -sign gw.key -out "$tmp/sig" sig/octets.bin
auth rsa-sha512.auth 300d06092a864886f70d01010d0500
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
	-sigopt rsa_mgf1_md:sha256 -sign gw.key -out "$tmp/sig" sig/octets.bin
# RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32, as OpenSSL encodes it in a
# certificate's signatureAlgorithm (DER: the default trailer left out)
auth rsa-pss-sha256.auth 304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120
openssl dgst -sha256 -sign gw-ec256.key -out "$tmp/sig" sig/octets.bin
auth ecdsa-p256-sha256.auth 300a06082a8648ce3d040302
openssl dgst -sha384 -sign gw-ec384.key -out "$tmp/sig" sig/octets.bin
auth ecdsa-p384-sha384.auth 300a06082a8648ce3d040303
openssl pkeyutl -sign -rawin -inkey gw-ed25519.key -in sig/octets.bin \
	-out "$tmp/sig"
auth ed25519.auth 300506032b6570
# RFC 7296 method 1: a bare RSASSA-PKCS1-v1_5 signature with SHA-1.
openssl dgst -sha1 -sign gw.key -out sig/rsa-sha1.method1 sig/octets.bin

# Seeds for tests/fuzz/fuzz_cert.c: a selector byte, then records of a
# 16-bit length and the bytes.
corpus=$dir/../../fuzz/corpus/cert
rm -rf "$corpus"
mkdir -p "$corpus"
# rec: stdin as one record
rec() {
	cat >"$tmp/rec"
	n=$(wc -c <"$tmp/rec")
	printf "$(printf '\\%03o\\%03o' $((n >> 8)) $((n & 255)))"
	cat "$tmp/rec"
}
crec() { openssl x509 -in "$1" -outform DER | rec; }
sel() { printf "$(printf '\\%03o' "$1")"; }
chain() {
	out=$corpus/$1
	shift
	{
		sel 0
		for c in "$@"; do crec "$c"; done
	} >"$out"
}
chain chain-gw root-a.pem gw.pem int-a.pem
chain chain-wrongca root-a.pem gw-wrongca.pem
chain chain-wild root-a.pem gw-wild.pem int-a.pem
chain chain-ip root-a.pem gw-ip.pem int-a.pem
chain chain-partial root-a.pem gw-partial.pem int-a.pem
chain chain-cn root-a.pem gw-cn.pem int-a.pem
chain chain-expired root-a.pem gw-expired.pem int-a.pem
chain chain-ed25519 root-a.pem gw-ed25519.pem int-a.pem
chain chain-client2 client-root.pem client2.pem client-int.pem
chain chain7 root-a.pem chain7.pem "$tmp/ca7.pem" "$tmp/ca6.pem" \
	"$tmp/ca5.pem" "$tmp/ca4.pem" "$tmp/ca3.pem" "$tmp/ca2.pem" \
	"$tmp/ca1.pem"
{
	sel 0
	crec client-root.pem
	crec client2.pem
	crec client-int.pem
	cat client-root.spki-sha1 root-a.spki-sha1 | xxd -r -p | rec
} >"$corpus/chain-certreq"
# auth NAME CERT METHOD FILE
fauth() {
	{
		sel 1
		crec "$2"
		sel "$3"
		cat "$4"
	} >"$corpus/$1"
}
fauth auth-rsa-sha256 gw.pem 14 sig/rsa-sha256.auth
fauth auth-rsa-pss gw.pem 14 sig/rsa-pss-sha256.auth
fauth auth-ecdsa-p256 gw-ec256.pem 14 sig/ecdsa-p256-sha256.auth
fauth auth-ecdsa-p384 gw-ec384.pem 14 sig/ecdsa-p384-sha384.auth
fauth auth-ed25519 gw-ed25519.pem 14 sig/ed25519.auth
fauth auth-method1 gw.pem 1 sig/rsa-sha1.method1
fauth auth-mismatch gw.pem 14 sig/ecdsa-p256-sha256.auth
{
	sel 1
	crec gw-ec256.pem
	sel 9
	head -c 64 sig/rsa-sha1.method1
} >"$corpus/auth-method9"
{
	sel 2
	printf '\000\002\000\003\000\004\000\005'
} >"$corpus/hashes"
