#!/bin/sh
# MACs, ICVs, AUTH values and keys are compared in constant time only
# (crypto_memeq, CRYPTO_memcmp).  The files that handle them must not call
# memcmp() at all, so a variable-time compare cannot slip in.
set -u
cd "${top_srcdir:-.}" || exit 1
fail=0
for f in src/crypto*.c src/ike_keys*.c src/ike_sk*.c src/eap_tls*.c; do
	[ -f "$f" ] || continue
	if grep -nE '(^|[^_A-Za-z])memcmp[[:space:]]*\(' "$f"; then
		echo "$f: memcmp() in a file that handles secrets; use crypto_memeq()"
		fail=1
	fi
done
exit $fail
