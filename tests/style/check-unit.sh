#!/bin/sh
# The systemd unit passes `systemd-analyze verify` (when systemd-analyze is
# there: it is part of the systemd package, which every Debian 12 machine
# has) with the binary path it names made to exist.
set -u
unit=${top_builddir:-.}/systemd/p2sd@.service
[ -f "$unit" ] || { echo "no $unit"; exit 1; }
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: apt-get install systemd"; exit 1; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
# verify needs ExecStart's binary to exist: point it at a stand-in.
sed "s|^ExecStart=[^ ]*|ExecStart=/bin/true|" "$unit" >"$dir/p2sd@.service"
out=$(systemd-analyze verify "$dir/p2sd@test.service" 2>&1)
rc=$?
# Messages about the host's other units are not ours.
ours=$(printf '%s\n' "$out" | grep 'p2sd@' || true)
[ -n "$ours" ] && printf '%s\n' "$ours"
[ $rc -eq 0 ] || [ -z "$ours" ] || exit 1
[ -z "$ours" ]
