# shellcheck shell=bash
# tests/integration/lib/p2sd_test.sh: the start every p2sd test script
# shares (test_p2sd_userspace.sh, _always_on.sh and kernel/ still spell it
# out).  Source after harness.sh:
#
#   ok MSG, fail MSG       TAP lines; fail dumps p2sd's and the run's logs
#                          and exits the (sub)shell with 1
#   tb_p2sd_test_init TAG  root, tools and $P2SD checked (each a failure,
#                          never a skip); $CERTS_DIR made, removed on exit

P2SD=${P2SD:-${top_builddir:-$TB_LIB_DIR/../../..}/p2sd}
P2SCTL=${P2SD%/p2sd}/p2sctl

ok() {
	echo "ok - $*"
}

fail() {
	echo "not ok - $*"
	[ -f "$TB_LOGDIR/p2sd.log" ] && sed 's/^/#   p2sd: /' "$TB_LOGDIR/p2sd.log" | tail -40
	tb_dump_logs 30
	exit 1
}

tb_p2sd_test_init() {
	tb_require_root || { echo "not ok - must run as root"; exit 1; }
	tb_ensure_tools || { echo "not ok - required tools missing"; exit 1; }
	[ -x "$P2SD" ] || { echo "not ok - no p2sd binary at $P2SD"; exit 1; }
	CERTS_DIR=$(mktemp -d "/tmp/p2s-$1.certs.XXXXXX") || exit 1
	trap 'rm -rf "$CERTS_DIR"' EXIT
}
