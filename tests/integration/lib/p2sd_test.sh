# shellcheck shell=bash
# tests/integration/lib/p2sd_test.sh: the start every p2sd test script
# shares (tests/integration/test_p2sd_*.sh, kernel/test_p2sd_kernel.sh)
# and the lab's p2sd profile (also bench/lib.sh's).  Source it first:
#
#   . "$HERE/lib/p2sd_test.sh"
#   tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
#   . "$HERE/lib/harness.sh"
#   tb_p2sd_test_init TAG [p2sctl]
#
#   tb_p2sd_timeout SECS ARG...  run this script again under timeout(1)
#                          (TB_P2SD_INNER set inside); "not ok - timed
#                          out" when it ran out; exits 0 or 1
#   ok MSG, fail MSG       TAP lines; fail dumps p2sd's log, the client
#                          namespace's XFRM states (with xfrm below), the
#                          run's logs, and exits the (sub)shell with 1
#   tb_p2sd_test_init TAG [p2sctl] [xfrm]
#                          root, tools, $P2SD (and with p2sctl $P2SCTL)
#                          checked (each a failure, never a skip);
#                          $CERTS_DIR made, removed on exit
#   tb_p2sd_profile FILE [KEY=VALUE...] [-- LINE...]
#                          the lab's profile (see below)
#
# Nothing here runs at source time but the two assignments below, so the
# timeout wrapper can run before harness.sh is sourced, and bench/ and
# test_p2sd_hostile.sh (no harness) can take the profile alone.

P2SD=${P2SD:-${top_builddir:-$(dirname "${BASH_SOURCE[0]}")/../../..}/p2sd}
P2SCTL=${P2SD%/p2sd}/p2sctl

tb_p2sd_timeout() {
	local secs=$1 rc
	shift
	[ -z "${TB_P2SD_INNER:-}" ] || return 0
	export TB_P2SD_INNER=1
	timeout -k 10 "$secs" bash "$0" "$@"
	rc=$?
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && echo "not ok - timed out"
	exit $((rc != 0))
}

ok() {
	echo "ok - $*"
}

fail() {
	echo "not ok - $*"
	[ -f "$TB_LOGDIR/p2sd.log" ] && sed 's/^/#   p2sd: /' "$TB_LOGDIR/p2sd.log" | tail -40
	[ -n "${TB_P2SD_FAIL_XFRM:-}" ] &&
		ip -n "$TB_NS_CLIENT" xfrm state 2>&1 | sed 's/^/#   state: /'
	tb_dump_logs 30
	exit 1
}

tb_p2sd_test_init() {
	local tag=$1 want_ctl= o
	shift
	for o in "$@"; do
		case $o in
		p2sctl) want_ctl=1 ;;
		xfrm) TB_P2SD_FAIL_XFRM=1 ;;
		*) echo "not ok - tb_p2sd_test_init: no option $o"; exit 1 ;;
		esac
	done
	tb_require_root || { echo "not ok - must run as root"; exit 1; }
	tb_ensure_tools || { echo "not ok - required tools missing"; exit 1; }
	[ -x "$P2SD" ] || { echo "not ok - no p2sd binary at $P2SD"; exit 1; }
	if [ -n "$want_ctl" ] && [ ! -x "$P2SCTL" ]; then
		echo "not ok - no p2sctl binary at $P2SCTL"
		exit 1
	fi
	CERTS_DIR=$(mktemp -d "/tmp/p2s-$tag.certs.XXXXXX") || exit 1
	trap 'rm -rf "$CERTS_DIR"' EXIT
}

# tb_p2sd_profile FILE [KEY=VALUE...] [-- LINE...]: a p2sd profile in FILE:
# the lab's gateway and the client's PEM certificate, EAP-TLS, userspace.
# KEY=VALUE replaces a default; an empty VALUE leaves its line out.  The
# keys, in the order written, with their defaults:
#   comment          (none)     a first line "# VALUE"
#   host             $TB_GW_FQDN
#   address          $TB_GW_ADDR
#   id               $TB_GW_FQDN
#   roots            $TB_CERTS/ServerRootCA.pem
#   auth             eap-tls
#   cert, key        $TB_CERTS/P2SChildCert.pem, .key
#   p12, password_file  (none)
#   routes           $TB_VNET_PREFIX
#   pool             $TB_POOL
#   datapath         userspace
#   interface, reconnect  (none)
# Each LINE after -- is appended as it is (more keys, blocks).
tb_p2sd_profile() {
	local file=$1 k
	local -A p=([comment]="" [host]=$TB_GW_FQDN [address]=$TB_GW_ADDR
	    [id]=$TB_GW_FQDN [roots]=$TB_CERTS/ServerRootCA.pem [auth]=eap-tls
	    [cert]=$TB_CERTS/P2SChildCert.pem [key]=$TB_CERTS/P2SChildCert.key
	    [p12]="" [password_file]="" [routes]=$TB_VNET_PREFIX [pool]=$TB_POOL
	    [datapath]=userspace [interface]="" [reconnect]="")
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		k=${1%%=*}
		if [ "$k" = "$1" ] || [ -z "${p[$k]+set}" ]; then
			echo "tb_p2sd_profile: $1: not KEY=VALUE with a key it knows" >&2
			return 1
		fi
		p[$k]=${1#*=}
		shift
	done
	[ $# -gt 0 ] && shift
	{
		[ -z "${p[comment]}" ] || echo "# ${p[comment]}"
		echo "gateway:"
		for k in host address id; do
			[ -z "${p[$k]}" ] || echo "  $k: ${p[$k]}"
		done
		echo "  roots: [${p[roots]}]"
		echo "client:"
		for k in auth cert key p12 password_file; do
			[ -z "${p[$k]}" ] || echo "  $k: ${p[$k]}"
		done
		echo "routes: [${p[routes]}]"
		for k in pool datapath interface reconnect; do
			[ -z "${p[$k]}" ] || echo "$k: ${p[$k]}"
		done
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} >"$file"
}
