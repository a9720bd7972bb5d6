#!/bin/bash
# p2sd's journal fields (issue #6), for real: in a private mount namespace
# a tmpfs covers /run/systemd and a unix datagram socket is bound at
# /run/systemd/journal/socket, where libsystemd's sd_journal_sendv sends;
# p2sd runs there with JOURNAL_STREAM set (as under systemd), against the
# strongSwan "Azure gateway" (tests/integration/lib).  A small reader
# decodes the journal's native protocol (KEY=VALUE lines, and the
# binary-safe KEY\n<64-bit little-endian length><value>\n form) and the
# test checks the fields log.h documents: P2S_PROFILE on every message,
# P2S_STATE following the daemon's state, P2S_IKE_SPI_I/_R equal to what
# `p2sctl status --json` says, across a connect, the gateway deleting the
# IKE SA (a reconnect with new SPIs), the gateway rekeying the IKE SA
# (new SPIs again) and SIGTERM.  p2sd runs under valgrind (but in an
# ASan build), so the journal's path is checked by memcheck too.
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

tb_p2sd_test_init journal p2sctl
TB_PKG_OF[unshare]=util-linux
tb_ensure_tools /usr/bin/python3 unshare || { echo "not ok - python3 or unshare missing"; exit 1; }

tb_init || fail "tb_init"
tb_on_cleanup 'rm -rf "$CERTS_DIR"' # tb_init's trap replaced the one above
tb_topology_up --nat masquerade || fail "topology"
tb_certs_make "$CERTS_DIR" >/dev/null || fail "certificates"
tb_responder_start --auth eap-tls || fail "responder"
tb_p2sd_profile "$TB_DIR/p2s.yaml" comment="p2sd journal test profile" \
    interface=p2s-jr0 reconnect=always

# The journal's side: every datagram decoded to one JSON object per line.
cat >"$TB_DIR/reader.py" <<'EOPY'
import array, json, os, socket, struct, sys

def fields(data):
    out, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:  # binary-safe: KEY\n, 64-bit LE length, value, \n
            k = line
            (n,) = struct.unpack_from("<Q", data, nl + 1)
            v = data[nl + 9:nl + 9 + n]
            if data[nl + 9 + n:nl + 10 + n] != b"\n":
                raise ValueError("binary field %r not closed by a newline" % k)
            i = nl + 10 + n
        k = k.decode()
        if k in out:  # a field twice: one would hide the other
            out.setdefault("_DUPLICATE", k)
        out[k] = v.decode("utf-8", "replace")
    return out

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "a") as f:
    while True:
        data, anc, _, _ = s.recvmsg(1 << 20, socket.CMSG_SPACE(4))
        for lvl, typ, cd in anc:  # a large message comes as a memfd
            if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                fd = array.array("i", cd[:4])[0]
                data = os.pread(fd, 1 << 24, 0)
                os.close(fd)
        f.write(json.dumps(fields(data)) + "\n")
        f.flush()
EOPY

# p2sd runs under memcheck too (the journal's buffers reach sendmsg), but
# in an ASan build, which checks itself and cannot run under valgrind.
WRAP=""
if ! nm -D "$P2SD" 2>/dev/null | grep -q __asan_init; then
	TB_PKG_OF[valgrind]=valgrind
	tb_ensure_tools valgrind || fail "valgrind missing"
	WRAP="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect"
	WRAP="$WRAP --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
	WRAP="$WRAP --log-file=$TB_LOGDIR/vg-p2sd.log"
fi

# Inside `unshare -m`: the tmpfs, the reader, then p2sd in the client's
# network namespace (ip netns exec keeps the mounts it inherits).
cat >"$TB_DIR/jns.sh" <<EOSH
set -e
mount --make-rprivate /
mkdir -p /run/systemd
mount -t tmpfs -o mode=0755,size=1m p2s-journal /run/systemd
mkdir /run/systemd/journal
python3 "$TB_DIR/reader.py" /run/systemd/journal/socket "$TB_LOGDIR/journal.out" &
reader=\$!
trap 'kill \$reader 2>/dev/null' EXIT
for i in \$(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
[ -S /run/systemd/journal/socket ] || { echo "the reader did not bind"; exit 1; }
set +e
ip netns exec "$TB_NS_CLIENT" env JOURNAL_STREAM=8:1 P2S_RUNTIME_DIR="$TB_DIR/run" \\
    $WRAP "$P2SD" --foreground --verbose --profile "$TB_DIR/p2s.yaml" &
echo \$! >"$TB_DIR/p2sd.pid"
wait \$!
echo \$? >"$TB_DIR/p2sd.rc"
sleep 0.5 # the reader's last datagrams
EOSH
: >"$TB_LOGDIR/journal.out"
tb_spawn jns "" "$TB_LOGDIR/jns.log" unshare -m bash "$TB_DIR/jns.sh"
tb_on_cleanup 'p=$(cat "$TB_DIR/p2sd.pid" 2>/dev/null) && kill "$p" 2>/dev/null'

status_json() {
	P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" status p2s --json 2>/dev/null
}

# spis: "SPI_I SPI_R" from p2sctl status --json.
spis() {
	status_json | python3 -c 'import json,sys; i=json.load(sys.stdin)["ike"]; print(i["spi_i"], i["spi_r"])'
}

established() {
	status_json | grep -q '"state":"established"'
}

# jcheck WHAT ARGS...: one check over the journal's records; prints why
# it failed, or what it found.
jcheck() {
	python3 - "$TB_LOGDIR/journal.out" "$@" <<'EOPY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
what, args = sys.argv[2], sys.argv[3:]

def first(sub, after=0):
    for n, r in enumerate(recs[after:], after):
        if sub in r.get("MESSAGE", ""):
            return n, r
    sys.exit("no message with %r after record %d" % (sub, after))

def want(r, k, v):
    if r.get(k) != v:
        sys.exit("%r: %s=%r, want %r" % (r.get("MESSAGE"), k, r.get(k), v))

if what == "every":
    if len(recs) < 10:
        sys.exit("only %d messages reached the journal" % len(recs))
    for r in recs:
        if "_DUPLICATE" in r:
            sys.exit("%r has %s twice" % (r["MESSAGE"], r["_DUPLICATE"]))
        if r.get("CODE_FUNC") == "journal_send":
            sys.exit("%r: CODE_FUNC is log.c's, not the caller's" % r["MESSAGE"])
        for k in ("MESSAGE", "PRIORITY", "CODE_FUNC"):
            if not r.get(k):
                sys.exit("%r has no %s" % (r, k))
        want(r, "SYSLOG_IDENTIFIER", "p2sd")
        want(r, "P2S_PROFILE", "p2s")
        if r.get("P2S_STATE") not in ("down", "connecting", "established", "reconnecting", "stopping"):
            sys.exit("%r: P2S_STATE=%r" % (r["MESSAGE"], r.get("P2S_STATE")))
    if not any(r["PRIORITY"] == "7" for r in recs):
        sys.exit("no debug message (--verbose)")
    print("%d messages, each with P2S_PROFILE=p2s and a P2S_STATE" % len(recs))
elif what == "connect":  # after record AFTER: connecting, then established with SPIs
    after, spi_i, spi_r = int(args[0]), args[1], args[2]
    n, r = first("-> connecting", after)
    want(r, "P2S_STATE", "connecting")
    want(r, "P2S_IKE_SPI_I", spi_i)
    if "P2S_IKE_SPI_R" in r:
        sys.exit("%r already has P2S_IKE_SPI_R" % r["MESSAGE"])
    n, r = first("-> established", n)
    want(r, "P2S_STATE", "established")
    want(r, "P2S_IKE_SPI_I", spi_i)
    want(r, "P2S_IKE_SPI_R", spi_r)
    print("%d: %s: P2S_STATE=established P2S_IKE_SPI_I=%s P2S_IKE_SPI_R=%s" % (n, r["MESSAGE"], spi_i, spi_r))
elif what == "down":  # the gateway's DELETE: said once, with the old SA's SPIs
    spi_i, spi_r = args
    n, r = first("tunnel down: the gateway deleted the IKE SA")
    want(r, "PRIORITY", "4")
    want(r, "P2S_IKE_SPI_I", spi_i)
    want(r, "P2S_IKE_SPI_R", spi_r)
    n2, r2 = first("-> reconnecting", n)
    want(r2, "P2S_STATE", "reconnecting")
    if "P2S_IKE_SPI_I" in r2:
        sys.exit("the SPIs stay after the SA is gone: %r" % r2)
    said = [r["MESSAGE"] for r in recs if "the gateway deleted the IKE SA" in r["MESSAGE"] and int(r["PRIORITY"]) <= 4]
    if len(said) != 1:
        sys.exit("the DELETE is not one warning: %r" % said)
    print(n)
elif what == "rekey":  # the gateway rekeyed the IKE SA: the new SPIs
    spi_i, spi_r = args
    n, r = first("IKE SA rekeyed")
    want(r, "P2S_STATE", "established")
    want(r, "P2S_IKE_SPI_I", spi_i)
    want(r, "P2S_IKE_SPI_R", spi_r)
    print("%s: P2S_IKE_SPI_I=%s P2S_IKE_SPI_R=%s" % (r["MESSAGE"], spi_i, spi_r))
elif what == "stop":
    n, r = first("-> stopping")
    want(r, "P2S_STATE", "stopping")
    n, r = first("exiting with status 0", n)
    want(r, "PRIORITY", "6")
    print("%s, %s" % (recs[n - 1]["MESSAGE"] if n else "", r["MESSAGE"]))
EOPY
}

tb_wait_until 60 established || fail "p2sd did not connect"
read -r spi_i spi_r < <(spis)
[ -n "$spi_r" ] || fail "no SPIs in p2sctl status --json: $(status_json)"
[ ! -s "$TB_LOGDIR/jns.log" ] || fail "p2sd wrote to stderr with JOURNAL_STREAM set: $(head -3 "$TB_LOGDIR/jns.log")"
out=$(jcheck connect 0 "$spi_i" "$spi_r" 2>&1) || fail "first connect: $out"
ok "first connect: $out"

tb_responder_swanctl --terminate --ike azure-p2s >/dev/null 2>&1 || fail "swanctl --terminate"
new_established() {
	established && [ "$(spis)" != "$spi_i $spi_r" ]
}
tb_wait_until 60 new_established || fail "p2sd did not reconnect"
n=$(jcheck down "$spi_i" "$spi_r" 2>&1) || fail "the gateway's DELETE: $n"
ok "the gateway's DELETE: one warning, with the old SA's SPIs; none once reconnecting"
read -r spi_i spi_r < <(spis)
out=$(jcheck connect "$n" "$spi_i" "$spi_r" 2>&1) || fail "reconnect: $out"
ok "reconnect, new SPIs: $out"

tb_responder_swanctl --rekey --ike azure-p2s >/dev/null 2>&1 || fail "swanctl --rekey --ike"
tb_wait_until 60 new_established || fail "the IKE SA rekey did not give new SPIs"
read -r spi_i spi_r < <(spis)
tb_wait_until 10 grep -q 'IKE SA rekeyed' "$TB_LOGDIR/journal.out" || fail "no IKE SA rekey message"
out=$(jcheck rekey "$spi_i" "$spi_r" 2>&1) || fail "IKE SA rekey: $out"
ok "the gateway rekeyed the IKE SA: $out"

kill -TERM "$(cat "$TB_DIR/p2sd.pid")"
tb_wait_until 60 test -s "$TB_DIR/p2sd.rc" || fail "p2sd did not stop"
[ "$(cat "$TB_DIR/p2sd.rc")" = 0 ] || fail "p2sd exited with $(cat "$TB_DIR/p2sd.rc") (99: valgrind's errors)"
if [ -n "$WRAP" ]; then
	grep -q 'ERROR SUMMARY: 0 errors' "$TB_LOGDIR/vg-p2sd.log" ||
		fail "valgrind: $(grep 'ERROR SUMMARY' "$TB_LOGDIR/vg-p2sd.log")"
	ok "p2sd ran under valgrind: no error, no leak"
fi
tb_wait_until 5 grep -q 'exiting with status' "$TB_LOGDIR/journal.out" || fail "no exit message"
out=$(jcheck stop 2>&1) || fail "stop: $out"
ok "SIGTERM: $out"
out=$(jcheck every 2>&1) || fail "fields: $out"
ok "$out"
tb_stop jns
exit 0
