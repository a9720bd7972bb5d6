#!/bin/sh
# OpenSSL is included only by the crypto, certificate and TLS files, and
# libmnl only by the kernel (netlink) files.  See design.md section 4.
set -u
cd "${top_srcdir:-.}" || exit 1
fail=0
for f in src/*.c include/*.h; do
	[ -f "$f" ] || continue
	case "$f" in
	src/crypto*.c|src/cert*.c|src/tls*.c|src/eap_tls*.c|include/*_ossl.h) ;;
	*)
		if grep -nE '#include (<openssl/|"[a-z_]*_ossl\.h")' "$f"; then
			echo "$f: includes OpenSSL outside the crypto boundary"
			fail=1
		fi ;;
	esac
	case "$f" in
	src/nl.c|src/nl_*.c|src/xfrm*.c|src/rtnl*.c) ;;
	*)
		if grep -n '#include <libmnl/' "$f"; then
			echo "$f: includes libmnl outside the kernel module"
			fail=1
		fi ;;
	esac
done
exit $fail
