#!/bin/bash
# The malicious-responder suite (issue #7): the real p2sd (userspace
# datapath) against tests/hostile/p2s_hostile over real UDP, one scenario
# per case, each case in a network namespace of its own (unshare -n, on
# loopback), all cases at once.  For each case:
#  - p2sd is alive at the end, the same process (no crash, no exit);
#  - `p2sctl status --json` answers (the event loop runs), also while the
#    gateway floods it;
#  - its peak RSS (VmHWM) stays under its RSS once up plus a budget made
#    of the caps in include/caps.h (reassembly, TLS messages, a reply);
#  - the log says what went wrong in the sentence the case expects, and
#    status carries it as last_error;
#  - it retries with backoff: status says reconnecting, the log says when,
#    and the gateway sees the next IKE_SA_INIT no sooner than the backoff
#    (P2SD_BACKOFF_MIN_MS, or P2SD_BACKOFF_PERMANENT_MS after a failure
#    that will not fix itself) after the attempt before it failed.
# Two cases end well: duplicated and reordered datagrams must not stop
# the tunnel, and a gateway that deletes the SA gets a reconnect (where it
# then shows another certificate, which p2sd refuses).
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.
# TAP on stdout.  P2S_HOSTILE_CASES="a b" runs some cases only.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${P2S_HOSTILE_TIMEOUT:-600}" "$@"

SRC=${top_srcdir:-$HERE/../..}
BUILD=${top_builddir:-$SRC}
P2SD=$BUILD/p2sd
P2SCTL=$BUILD/p2sctl
HOSTILE=$BUILD/tests/hostile/p2s_hostile
CAPS=$SRC/include/caps.h
GW_ID=azuregateway-3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37-5a7c9e1b3d2f.vpn.azure.com
export top_srcdir=$SRC

# Every case: NAME|KIND|EXPECTED[|SEEN] (EXPECTED: an ERE for the
# "tunnel down:" line and last_error; SEEN: one more for the debug log).
# KIND: fail (transient: backoff from 1 s), perm (will not fix itself:
# backoff from 60 s), up (the tunnel must come up).
CASES='
garbage|fail|did not answer \(IKE_SA_INIT request 0 .*dropped, the last: no IKEv2 header
flood|fail|did not answer \(IKE_SA_INIT request 0 .*dropped, the last: 
malformed|fail|the gateway.s IKE_AUTH response: malformed payloads|dropped IKE_SA_INIT response 0: malformed, or payloads that do not fit
truncated|fail|did not answer \(IKE_SA_INIT request 0 .*dropped, the last: no IKEv2 header
oversized|fail|did not answer \(IKE_AUTH request 1 .*dropped, the last: reassembly over 65536 bytes|dropped a datagram: no IKEv2 header
duplicate|up||dropped IKE_AUTH response [0-9]+: a fragment held already
out-of-order|fail|did not answer \(IKE_AUTH request 1 .*dropped, the last: not the response we wait for
replay|fail|did not answer \(IKE_AUTH request 2 .*dropped, the last: not the response we wait for
wrong-spi|fail|did not answer \(IKE_SA_INIT request 0 .*dropped, the last: SPIs or flags not ours
spi-r-change|fail|did not answer \(IKE_AUTH request 1 .*dropped, the last: SPIs or flags not ours
frag-overlap|fail|did not answer \(IKE_AUTH request 1 .*dropped, the last: fragment 2 again with other bytes
frag-too-many|fail|did not answer \(IKE_AUTH request 1 .*dropped, the last: malformed, or does not authenticate
frag-never|fail|did not answer \(IKE_AUTH request 1 .*its response came in [0-9]+ of [0-9]+ fragments
eap-flood|fail|EAP-TLS failed: more than 128 EAP requests before EAP-TLS began
tls-endless|fail|EAP-TLS failed: the gateway.s TLS message goes on past 64 fragments
tls-records|fail|EAP-TLS failed: more than 128 EAP requests: the gateway does not finish the TLS handshake \(EAP-TLS state HANDSHAKE\)
cert-tls|perm|EAP-TLS failed: gateway certificate is for DNS:gw.example.net, not for
cert-final|fail|the gateway.s IKE_AUTH response: payloads \[CERT AUTH CP SA TSi TSr\] do not fit the exchange
cert-reconnect|perm|gateway certificate is for DNS:gw.example.net, not for
'

cap() {
	local v
	v=$(sed -n "s/^#define $1[[:space:]]\{1,\}\([^/]*\).*/\1/p" "$CAPS")
	[ -n "$v" ] || { echo "no $1 in $CAPS" >&2; exit 1; }
	echo $((v))
}

backoff_ms() {
	sed -n "s/^#define $1[[:space:]]\{1,\}\([0-9]*\).*/\1/p" "$SRC/include/daemon.h"
}

# ---- One case, inside its own network namespace. -----------------------

status_json() {
	P2S_RUNTIME_DIR=$DIR/run timeout 10 "$P2SCTL" status --json 2>&1
}

# wait_for SECONDS CMD...: CMD until it succeeds; a hang detector only.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

attempt_ms() {
	sed -n "s/^hostile: attempt $1 at \([0-9]*\) ms$/\1/p" "$DIR/hostile.log"
}

# Running, not a zombie (our child until waited for).
alive() {
	local st
	st=$(cut -d' ' -f3 "/proc/$PID/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] &&
	    [ "$(cat "/proc/$PID/comm" 2>/dev/null)" = p2sd ]
}

exited() {
	! alive
}

status_has() {
	local st
	st=$(status_json) || return 1
	printf '%s\n' "$st" >"$DIR/status.json"
	printf '%s\n' "$st" | grep -qE "$1"
}

vm() {
	sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB$/\1/p" "/proc/$PID/status"
}

run_case() {
	local name=$1 kind=$2 expect=$3 seen=$4 budget_kb base_kb hwm_kb
	local t1 t2 down floor_ms n_try
	DIR=$5
	ip link set lo up || { echo "not ok - $name: no loopback"; return 1; }
: >"$DIR/hostile.log"
	"$HOSTILE" "$name" 127.0.0.1 200 >"$DIR/hostile.log" 2>&1 &
	HPID=$!
	wait_for 10 grep -q '^hostile: scenario' "$DIR/hostile.log" ||
		{ echo "not ok - $name: p2s_hostile did not start"; return 1; }
	P2S_RUNTIME_DIR=$DIR/run P2S_STATE_DIR=$DIR/state "$P2SD" --foreground \
	    --verbose --profile "$DIR/p2s.yaml" >"$DIR/p2sd.log" 2>&1 &
	PID=$!
	wait_for 30 status_has '"state"' ||
		{ echo "not ok - $name: p2sd does not answer p2sctl status"; return 1; }
	base_kb=$(vm VmRSS)
	# What p2sd may hold for a gateway at most: a message's fragments,
	# a TLS message each way, and a control reply.
	budget_kb=$((($(cap IKE_MAX_FRAGMENTS) * $(cap IKE_MSG_MAX_LEN) + \
	    2 * $(cap EAP_TLS_MAX_MSG_LEN) + $(cap CTL_REPLY_MAX_LEN)) / 1024))
	budget_kb=$((budget_kb * RSS_FACTOR))
	if [ "$name" = flood ]; then
		# The event loop serves the control socket during the flood.
		wait_for 30 grep -q '^hostile: attempt 1' "$DIR/hostile.log" ||
			{ echo "not ok - $name: no IKE_SA_INIT"; return 1; }
		n_try=0
		while ! grep -q '^hostile: flood done' "$DIR/hostile.log"; do
			status_has '"state":"connecting"' ||
				{ echo "not ok - $name: no status during the flood: $(cat "$DIR/status.json")"; return 1; }
			n_try=$((n_try + 1))
			sleep 0.2
		done
		echo "ok - $name: p2sctl status answered $n_try times during the flood"
	fi
	if [ "$kind" = up ]; then
		wait_for 60 status_has '"state":"established".*"virtual_ip":"172\.16\.201\.1"' ||
			{ echo "not ok - $name: the tunnel did not come up: $(cat "$DIR/status.json")"; return 1; }
		grep -qE 'dropped IKE_(SA_INIT|AUTH) response [0-9]+: ' "$DIR/p2sd.log" ||
			{ echo "not ok - $name: p2sd saw no duplicate to drop"; return 1; }
		echo "ok - $name: tunnel up; $(grep -cE 'dropped IKE_(SA_INIT|AUTH) response' "$DIR/p2sd.log") duplicates dropped"
	else
		if [ "$name" = cert-reconnect ]; then
			wait_for 60 grep -q '^hostile: established in attempt 1' "$DIR/hostile.log" ||
				{ echo "not ok - $name: the first connection did not come up"; return 1; }
			wait_for 60 grep -qE 'tunnel down: .*; reconnecting in [0-9]+ s$' "$DIR/p2sd.log" ||
				{ echo "not ok - $name: the gateway's Delete did not end the tunnel"; return 1; }
			echo "ok - $name: up with the first certificate; the gateway's Delete ends it"
		fi
		down="tunnel down: .*($expect).*; reconnecting in ([0-9]+) s"
		wait_for 120 grep -qE "$down" "$DIR/p2sd.log" ||
			{ echo "not ok - $name: p2sd did not give up with /$expect/"; return 1; }
		# After a transient failure the wait is a second: status may
		# already say connecting again, still with last_error; the log
		# has the transition.
		status_has '"state":"(re)?connecting".*"last_error":"[^"]*('"$expect"')' ||
			{ echo "not ok - $name: status: $(cat "$DIR/status.json")"; return 1; }
		grep -qE "connecting -> reconnecting \(.*($expect)" "$DIR/p2sd.log" ||
			{ echo "not ok - $name: p2sd did not go to reconnecting"; return 1; }
		echo "ok - $name: $(grep -oE "$down" "$DIR/p2sd.log" | head -1 | cut -c1-300)"
		echo "ok - $name: went to reconnecting; status $(grep -oE '"state":"[a-z]+"' "$DIR/status.json"), with last_error"
		floor_ms=$(backoff_ms P2SD_BACKOFF_MIN_MS)
		[ "$kind" = perm ] && floor_ms=$(backoff_ms P2SD_BACKOFF_PERMANENT_MS)
		s=$(grep -oE "$down" "$DIR/p2sd.log" | head -1 | sed -E 's/.*reconnecting in ([0-9]+) s$/\1/')
		[ "$s" -ge $((floor_ms / 1000)) ] ||
			{ echo "not ok - $name: reconnecting in $s s, under the $floor_ms ms backoff"; return 1; }
		# Attempts 2 and 3 after a transient failure (the backoff
		# doubles); after a permanent one attempt 2 only, a minute on.
		n_try=2
		[ "$kind" = perm ] && n_try=1
		# cert-reconnect's next attempt is cert-tls's, a minute on
		# (p2sd's first permanent wait, the Delete's retry before it
		# notwithstanding): it would prove nothing cert-tls does not.
		[ "$name" = cert-reconnect ] && n_try=0
		for k in $(seq 1 $n_try); do
			wait_for $((floor_ms / 1000 * 2 + 60)) grep -q "^hostile: attempt $((k + 1)) " "$DIR/hostile.log" ||
				{ echo "not ok - $name: no attempt $((k + 1))"; return 1; }
			t1=$(attempt_ms $k)
			t2=$(attempt_ms $((k + 1)))
			[ $((t2 - t1)) -ge "$floor_ms" ] ||
				{ echo "not ok - $name: attempt $((k + 1)) came $((t2 - t1)) ms after attempt $k, under the $floor_ms ms backoff"; return 1; }
			echo "ok - $name: attempt $((k + 1)) $((t2 - t1)) ms after attempt $k (backoff $floor_ms ms and up)"
			floor_ms=$((floor_ms * 2))
		done
		if [ $n_try -eq 2 ]; then
			wait_for 10 eval '[ $(grep -cE "$down" "$DIR/p2sd.log") -ge 2 ]' ||
				{ echo "not ok - $name: attempt 2 did not fail like attempt 1"; return 1; }
			waits=$(grep -oE "$down" "$DIR/p2sd.log" | head -2 | sed -E 's/.*reconnecting in ([0-9]+) s$/\1/' | tr '\n' ' ')
			set -- $waits
			[ "$2" -gt "$1" ] ||
				{ echo "not ok - $name: the backoff did not grow: $waits s"; return 1; }
			echo "ok - $name: the backoff grows: reconnecting in $1 s, then in $2 s"
		fi
	fi
	if [ -n "$seen" ]; then
		grep -qE "$seen" "$DIR/p2sd.log" ||
			{ echo "not ok - $name: no /$seen/ in the log"; return 1; }
		echo "ok - $name: $(grep -oE "$seen" "$DIR/p2sd.log" | head -1)"
	fi
	status_has '"state"' ||
		{ echo "not ok - $name: p2sctl status no longer answers"; return 1; }
	alive || { echo "not ok - $name: p2sd is gone: $(tail -3 "$DIR/p2sd.log")"; return 1; }
	hwm_kb=$(vm VmHWM)
	[ "$hwm_kb" -le $((base_kb + budget_kb)) ] ||
		{ echo "not ok - $name: peak RSS $hwm_kb kB over $base_kb + $budget_kb kB"; return 1; }
	echo "ok - $name: alive, answering; peak RSS $hwm_kb kB (up at $base_kb kB, budget $budget_kb kB)"
	kill -TERM "$PID"
	wait_for 20 exited ||
		{ echo "not ok - $name: p2sd does not stop on SIGTERM"; return 1; }
	wait "$PID"
	rc=$?
	kill "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	[ $rc -eq 0 ] || { echo "not ok - $name: p2sd exited with $rc"; return 1; }
	! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$DIR/p2sd.log" ||
		{ echo "not ok - $name: sanitizer report"; return 1; }
	echo "ok - $name: SIGTERM: p2sd exits with status 0"
	return 0
}

if [ "${1:-}" = --case ]; then
	run_case "$2" "$3" "$4" "$5" "$6"
	rc=$?
	[ -n "${PID:-}" ] && kill "$PID" 2>/dev/null
	[ -n "${HPID:-}" ] && kill "$HPID" 2>/dev/null
	wait 2>/dev/null
	exit $rc
fi

# ---- The suite. ---------------------------------------------------------

[ "$(id -u)" = 0 ] || { echo "not ok - must run as root (network namespaces)"; exit 1; }
for x in "$P2SD" "$P2SCTL" "$HOSTILE"; do
	[ -x "$x" ] || { echo "not ok - no $x (make check builds it)"; exit 1; }
done
command -v unshare >/dev/null || { echo "not ok - no unshare"; exit 1; }
[ -c /dev/net/tun ] || { echo "not ok - no /dev/net/tun"; exit 1; }

# Under AddressSanitizer RSS holds its quarantine of freed blocks (up to
# 256 MB) and redzones: a small quarantine, and twice the budget.
RSS_FACTOR=1
if grep -q __asan_init "$P2SD"; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
	RSS_FACTOR=2
	echo "# AddressSanitizer build: $ASAN_OPTIONS, RSS budget x$RSS_FACTOR"
fi
export RSS_FACTOR

TOP=$(mktemp -d /tmp/p2s-hostile.XXXXXX) || exit 1
[ -n "${P2S_HOSTILE_KEEP:-}" ] || trap 'rm -rf "$TOP"' EXIT
cp "$SRC/tests/data/certs/client.key" "$TOP/client.key" && chmod 600 "$TOP/client.key"

t0=$(date +%s)
pids=()
names=()
i=0
while IFS='|' read -r name kind expect seen; do
	[ -n "$name" ] || continue
	case " ${P2S_HOSTILE_CASES:-$name} " in *" $name "*) ;; *) continue ;; esac
	d=$TOP/$name
	mkdir -p "$d/run"
	tb_p2sd_profile "$d/p2s.yaml" comment="test_p2sd_hostile.sh: $name" \
	    host=127.0.0.1 address=127.0.0.1 id="$GW_ID" \
	    roots="$SRC/tests/data/certs/root-a.pem" \
	    cert="$SRC/tests/data/certs/client.pem" key="$TOP/client.key" \
	    routes=10.1.0.0/16 pool= interface="p2sh$i" reconnect=always
	unshare -n bash "$0" --case "$name" "$kind" "$expect" "$seen" "$d" >"$d/tap" 2>&1 &
	pids+=($!)
	names+=("$name")
	i=$((i + 1))
done <<<"$CASES"

n_fail=0
for k in "${!pids[@]}"; do
	wait "${pids[$k]}"
	rc=$?
	cat "$TOP/${names[$k]}/tap"
	if [ $rc -ne 0 ]; then
		n_fail=$((n_fail + 1))
		grep -v ': debug: ' "$TOP/${names[$k]}/p2sd.log" | tail -15 | sed 's/^/#   p2sd: /'
		tail -5 "$TOP/${names[$k]}/hostile.log" | sed 's/^/#   /'
	fi
done
echo "# ${#pids[@]} scenarios in $(($(date +%s) - t0)) s"
echo "$((${#pids[@]} - n_fail)) passed, $n_fail failed"
[ $n_fail -eq 0 ]
