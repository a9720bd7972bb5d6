#!/bin/bash
# Self-test of the kernel lab (tests/kernel-lab): boots the QEMU guest
# several times and checks
#   - the runner's contract: CMD's exit status comes back (42, 127, 3 from
#     two guests booted in parallel), stdout and stderr stay separate and
#     byte-exact (no "\r", a 2 MB stdout intact), arguments with spaces
#     and quotes survive, the environment and the working directory are
#     carried over, writes outside --rw directories do not reach the host,
#     a --rw directory (with a space in its name) receives the guest's
#     files, 124 when the timeout fires, 125 when the guest dies without a
#     status, and SIGTERM to the runner stops its guest;
#   - that the guest's kernel does what p2s's kernel datapath needs
#     (guest_xfrm.sh: ESP tunnel mode with AES-GCM and AES-CBC+HMAC-SHA256,
#     XFRM interfaces with if_id, ESP in UDP with a UDP_ENCAP socket, each
#     with a ping through it);
#   - that no QEMU process and no run directory is left behind.
# Needs root.  Never skips: a missing tool is a failure naming it.  Writes
# only under a mktemp directory (works from a read-only source tree).
# shellcheck disable=SC2016 # the guest's shell code is single-quoted
# automake may start us with $(SHELL), which need not be bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB=$top_srcdir/tests/kernel-lab
RUN=$LAB/run
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $*"
}

# show FILE: a file's tail as diagnostics.
show() {
	[ -s "$1" ] && sed 's/^/#   /' "$1" | tail -n 25
}

# expect NAME GOT WANT [FILE]: GOT = WANT, or FILE is shown.
expect() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (got '$2', want '$3')"
		[ -n "${4:-}" ] && show "$4"
	fi
}

summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

# our_qemus: QEMU processes started by this test's runs (their command
# lines hold run directories under $S/tmp).
our_qemus() {
	grep -lsF -- "$S/tmp/" /proc/[0-9]*/cmdline |
		while IFS=/ read -r _ _ pid _; do
			if grep -qsF qemu-system "/proc/$pid/cmdline"; then
				echo "$pid"
			fi
		done
}

if [ "$(id -u)" -ne 0 ]; then
	not_ok "must run as root (QEMU exports the host's / over 9p)"
	summary
fi
for tool in timeout flock mkfifo sha256sum seq cmp; do
	command -v "$tool" >/dev/null 2>&1 || not_ok "$tool is missing"
done
[ "$fail" -eq 0 ] || summary

S=$(mktemp -d /tmp/p2s-kernel-lab-test.XXXXXX) || exit 1
trap 'rm -rf "$S"' EXIT
mkdir -p "$S/tmp" "$S/cwd dir" "$S/rw dir" "$S/ro"
export TMPDIR=$S/tmp # the runs' own directories go here

t0=$SECONDS
if lab=$("$LAB/prepare" 2>"$S/prepare.err"); then
	ok "prepare ($((SECONDS - t0)) s): $lab"
else
	not_ok "prepare"
	show "$S/prepare.err"
	summary
fi
kver=$(cat "$lab/kver")

echo "# one boot: status, stdout/stderr, argv, environment, cwd"
args=('a b' "c'd" 'e"f' '' '$HOME *' '\n')
t0=$SECONDS
(cd "$S/cwd dir" && KL_PROBE='x  y' "$RUN" -- bash -c '
	printf "<%s>\n" "$@"
	echo "to stderr" >&2
	printf "%s|%s|%s\n" "$KL_PROBE" "$PWD" "$(uname -r)"
	exit 42' argv0 "${args[@]}" >"$S/out" 2>"$S/err")
rc=$?
boot=$((SECONDS - t0))
expect "exit status passes through (42; boot and run took ${boot} s)" \
	"$rc" 42 "$S/err"
want=$(printf '<%s>\n' "${args[@]}"; printf '%s|%s|%s\n' 'x  y' \
	"$S/cwd dir" "$kver")
expect "stdout: arguments with spaces and quotes, environment, cwd, guest kernel" \
	"$(cat "$S/out")" "$want" "$S/out"
expect "stderr separate from stdout" "$(cat "$S/err")" "to stderr" "$S/err"
if grep -q $'\r' "$S/out" "$S/err"; then
	not_ok "no carriage returns in the output (stty raw)"
else
	ok "no carriage returns in the output (stty raw)"
fi

echo "# one boot: --rw, writes elsewhere stay in the guest, large stdout"
probe=p2s-kernel-lab-probe.$$
"$RUN" --rw "$S/rw dir" -- bash -c '
	echo inside >"$1/outside" && echo inside >"/etc/$2" &&
		echo shared >"$3/file" && cat "$1/outside" "/etc/$2" >&2 &&
		seq 1 300000' _ "$S/ro" "$probe" "$S/rw dir" >"$S/out" 2>"$S/err"
rc=$?
expect "exit status 0" "$rc" 0 "$S/err"
expect "the guest could write outside --rw dirs" "$(cat "$S/err")" \
	$'inside\ninside' "$S/err"
if [ -e "$S/ro/outside" ] || [ -e "/etc/$probe" ]; then
	not_ok "writes outside --rw dirs do not reach the host"
	rm -f "/etc/$probe"
else
	ok "writes outside --rw dirs do not reach the host"
fi
expect "the --rw dir received the guest's file" \
	"$(cat "$S/rw dir/file" 2>&1)" shared
seq 1 300000 >"$S/want"
if cmp -s "$S/out" "$S/want"; then
	ok "large stdout intact ($(wc -c <"$S/want") bytes)"
else
	not_ok "large stdout intact (got $(wc -c <"$S/out") bytes)"
	cmp "$S/out" "$S/want" | sed 's/^/#   /'
fi

echo "# two boots in parallel"
"$RUN" -- sh -c 'echo first; exit 3' >"$S/out1" 2>"$S/err1" &
p1=$!
"$RUN" -- /nonexistent/command >"$S/out2" 2>"$S/err2" &
p2=$!
wait "$p1"
rc1=$?
wait "$p2"
rc2=$?
expect "parallel run 1: status 3 and its own stdout" "$rc1 $(cat "$S/out1")" \
	"3 first" "$S/err1"
expect "parallel run 2: a missing command gives 127" "$rc2" 127 "$S/err2"

echo "# the runner's own failures"
"$RUN" --timeout 3 -- sleep 600 >"$S/out" 2>"$S/err"
rc=$?
expect "124 when the timeout fires" "$rc" 124 "$S/err"
if grep -q 'timed out' "$S/err"; then
	ok "the timeout is reported"
else
	not_ok "the timeout is reported"
fi
"$RUN" -- sh -c 'echo o >/proc/sysrq-trigger; sleep 600' >"$S/out" 2>"$S/err"
rc=$?
expect "125 when the guest dies without a status" "$rc" 125 "$S/err"
if grep -q 'died without a status' "$S/err" &&
	grep -q 'console tail' "$S/err"; then
	ok "a dead guest is reported with the console tail"
else
	not_ok "a dead guest is reported with the console tail"
fi

"$RUN" -- sleep 600 >"$S/out" 2>"$S/err" &
p1=$!
for _ in $(seq 600); do
	[ -n "$(our_qemus)" ] && break
	sleep 0.1
done
sleep 1
kill -TERM "$p1"
wait "$p1"
rc=$?
expect "SIGTERM stops the runner (143)" "$rc" 143 "$S/err"

echo "# the guest's kernel: ESP, XFRM interfaces, ESP in UDP"
t0=$SECONDS
"$RUN" --timeout 1200 -- bash "$LAB/guest_xfrm.sh" >"$S/out" 2>"$S/err"
rc=$?
cat "$S/out"
gp=$(grep -c '^ok ' "$S/out")
gf=$(grep -c '^not ok ' "$S/out")
pass=$((pass + gp))
fail=$((fail + gf))
if [ "$rc" -eq 0 ] && [ "$gp" -gt 0 ]; then
	ok "guest_xfrm.sh passed ($((SECONDS - t0)) s)"
else
	not_ok "guest_xfrm.sh exited $rc"
	show "$S/err"
fi

echo "# nothing left behind"
sleep 0.2
left=$(our_qemus)
expect "no QEMU process left" "$left" ""
left=$(cd "$S/tmp" && ls -A)
expect "no run directory left" "$left" ""
summary
