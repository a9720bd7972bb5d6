#!/bin/bash
# p2sd sets the tunnel link's DNS, and takes it back (issue #6, design.md
# section 4 "dns"), against real resolvers that run in a private mount
# namespace inside the client namespace (tests/integration/lib/dns.sh;
# nothing is installed and the host's /etc/resolv.conf is never touched):
#
# - systemd-resolved on a private system bus: the link gets the servers
#   the gateway pushed (IPv4 and IPv6) plus the profile's (without
#   repeats), the profile's domains with their routing flags, and
#   DefaultRoute; a profile with only routing domains (SIGHUP, then down
#   and up) turns DefaultRoute off; `p2sctl down`, the gateway's DELETE
#   (set again on the reconnect) and SIGTERM revert the link.
# - no resolved on the bus, openresolv in PATH: resolv.conf gets the
#   servers and the search domain, and loses them on down and SIGTERM.
# - neither: p2sd says so at notice and the tunnel works all the same.
#
# Needs root.  Exit 0 on success, 1 on failure; never skips.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/p2sd_test.sh
. "$HERE/lib/p2sd_test.sh"
tb_p2sd_timeout "${TB_P2SD_TIMEOUT:-600}" "$@"
# shellcheck source=lib/harness.sh
. "$HERE/lib/harness.sh"

IFACE=p2s-it0
n_fail=0
tb_p2sd_test_init dns

# profile DOMAINS: the lab's profile with dns.servers [10.2.0.53 and
# the pushed 10.1.0.4 again] and dns.domains DOMAINS (a YAML list).  The
# gateway pushes 10.1.0.4 and fd00::53 (lab_up).
profile() {
	tb_p2sd_profile "$TB_DIR/p2s.yaml" id= auth=pubkey pool= interface="$IFACE" \
	    -- "dns:" "  servers: [10.2.0.53, $TB_VNET_HOST]" "  domains: $1"
}

lab_up() {
	tb_init || fail "$1: tb_init"
	tb_topology_up --nat masquerade || fail "$1: topology"
	tb_certs_make "$CERTS_DIR" || fail "$1: certificates"
	tb_responder_start --auth pubkey --dns "$TB_VNET_HOST, fd00::53" || fail "$1: responder"
}

# start_p2sd [VAR=VALUE...]: p2sd in the private namespace.
start_p2sd() {
	: >"$TB_LOGDIR/p2sd.log"
	tb_dns_spawn p2sd "$TB_LOGDIR/p2sd.log" p2sd env "$@" \
	    P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
}

ctl() {
	P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" "$@"
}

# stop_p2sd NAME: SIGTERM; it must exit 0, without a sanitizer report.
stop_p2sd() {
	tb_stop p2sd
	grep -q 'exiting with status 0' "$TB_LOGDIR/p2sd.log" ||
		fail "$1: p2sd did not exit cleanly after SIGTERM"
	grep -qE 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$TB_LOGDIR/p2sd.log" &&
		fail "$1: a sanitizer report"
	return 0
}

status_is() {
	ctl status p2s --json 2>/dev/null | grep -q "\"state\":\"$1\""
}

# wait_state NAME STATE: p2sctl status says STATE within 30 s.
wait_state() {
	tb_wait_until 30 status_is "$2" || fail "$1: p2sd is not $2: $(ctl status p2s --json 2>&1)"
}

expect_status_dns() {
	local st
	st=$(ctl status p2s --json 2>&1)
	case $st in
	*"\"dns\":[$2],\"dns_via\":\"$3\""*) ;;
	*) fail "$1: p2sctl status --json does not say dns [$2] via $3: $st" ;;
	esac
}

# ---- systemd-resolved ----

# The servers as resolved's a(iay) has them: the pushed 10.1.0.4 and
# fd00::53, then the profile's 10.2.0.53 (its 10.1.0.4 is not repeated).
# Family 2 is AF_INET (4 bytes), 10 AF_INET6 (16 bytes).
DNS3='a(iay) 3 2 4 10 1 0 4 10 16 253 0 0 0 0 0 0 0 0 0 0 0 0 0 0 83 2 4 10 2 0 53'

link_path() {
	local idx
	idx=$(tb_dns_exec cat "/sys/class/net/$IFACE/ifindex") || return 1
	tb_dns_exec busctl --system call org.freedesktop.resolve1 \
	    /org/freedesktop/resolve1 org.freedesktop.resolve1.Manager \
	    GetLink i "$idx" | sed -n 's/^o "\(.*\)"$/\1/p'
}

# link_prop PROPERTY: the tunnel link's PROPERTY in resolved, as busctl
# prints it ("a(iay) 1 2 4 10 1 0 4").
link_prop() {
	tb_dns_exec busctl --system get-property org.freedesktop.resolve1 \
	    "$LINK" org.freedesktop.resolve1.Link "$1"
}

expect_prop() {
	local got
	got=$(link_prop "$2" 2>&1)
	[ "$got" = "$3" ] || fail "$1: resolved's $2 for $IFACE is '$got', not '$3'"
}

reverts() {
	grep -c 'member=RevertLink' "$TB_LOGDIR/resolved.log"
}

reverts_above() {
	[ "$(reverts)" -gt "$1" ]
}

case_resolved() (
	name="systemd-resolved"
	lab_up "$name"
	tb_dns_world_start --resolved || fail "$name: systemd-resolved on a private bus"
	profile '["~corp.example", lab.example]'
	start_p2sd
	wait_state "$name" established
	LINK=$(link_path)
	[ -n "$LINK" ] || fail "$name: resolved does not know $IFACE"
	expect_prop "$name" DNS "$DNS3"
	expect_prop "$name" Domains 'a(sb) 2 "corp.example" true "lab.example" false'
	expect_prop "$name" DefaultRoute 'b true'
	out=$(tb_dns_resolvectl status "$IFACE" 2>&1)
	for l in 'DNS Servers: 10.1.0.4 fd00::53 10.2.0.53' 'DNS Domain: ~corp.example lab.example'; do
		printf '%s\n' "$out" | grep -q "$l" ||
			fail "$name: resolvectl status $IFACE does not say '$l': $out"
	done
	expect_status_dns "$name" '"10.1.0.4","fd00::53","10.2.0.53"' resolved
	ok "$name: $IFACE has DNS 10.1.0.4 fd00::53 10.2.0.53, domains ~corp.example lab.example (resolvectl, busctl, status)"
	tb_ping_vnet 2 >/dev/null 2>&1 || fail "$name: no ping through the tunnel"

	# Only routing domains: resolved must not send other names here.
	profile '["~corp.example", "~lab.example"]'
	kill -HUP "$(tb_pid_of p2sd)"
	tb_wait_until 5 grep -q 'reloaded; it takes effect' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: SIGHUP was not taken"
	n=$(reverts)
	ctl down p2s >/dev/null || fail "$name: p2sctl down"
	wait_state "$name" down
	[ "$(reverts)" -gt "$n" ] || fail "$name: no RevertLink reached resolved on p2sctl down"
	expect_prop "$name" DNS 'a(iay) 0'
	expect_prop "$name" Domains 'a(sb) 0'
	expect_status_dns "$name" '' none
	ok "$name: p2sctl down reverted the link (RevertLink; no servers, no domains)"
	ctl up p2s >/dev/null || fail "$name: p2sctl up"
	wait_state "$name" established
	expect_prop "$name" Domains 'a(sb) 2 "corp.example" true "lab.example" true'
	expect_prop "$name" DefaultRoute 'b false'
	expect_prop "$name" DNS "$DNS3"
	ok "$name: only routing domains after up: DefaultRoute false"

	n=$(reverts)
	tb_responder_swanctl --terminate --ike azure-p2s-pubkey >/dev/null 2>&1 ||
		fail "$name: swanctl --terminate"
	tb_wait_until 10 grep -q 'the gateway deleted the IKE SA' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not see the gateway's DELETE"
	tb_wait_until 10 reverts_above "$n" || fail "$name: no RevertLink after the gateway's DELETE"
	wait_state "$name" established
	expect_prop "$name" DNS "$DNS3"
	expect_prop "$name" DefaultRoute 'b false'
	ok "$name: the gateway's DELETE reverted the link, the reconnect set it again"

	n=$(reverts)
	stop_p2sd "$name"
	[ "$(reverts)" -gt "$n" ] || fail "$name: no RevertLink reached resolved on SIGTERM"
	grep -q "dns on $IFACE: reverted (resolved)" "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not say it reverted the link"
	ok "$name: SIGTERM reverted the link (RevertLink before the interface went)"
)

# ---- resolvconf (openresolv) ----

resolv_has() {
	grep -qx "$1" "$TB_DNS_RESOLV_CONF"
}

case_resolvconf() (
	name="resolvconf"
	lab_up "$name"
	tb_dns_world_start || fail "$name: a private bus without resolved"
	tb_dns_openresolv || fail "$name: openresolv"
	profile '["~corp.example", lab.example]'
	start_p2sd PATH="$TB_DNS_DIR/openresolv/bin:$PATH"
	wait_state "$name" established
	for l in 'nameserver 10.1.0.4' 'nameserver fd00::53' 'nameserver 10.2.0.53' \
	    'search lab.example'; do
		resolv_has "$l" || fail "$name: resolv.conf has no '$l': $(cat "$TB_DNS_RESOLV_CONF")"
	done
	grep -q corp.example "$TB_DNS_RESOLV_CONF" &&
		fail "$name: a routing-only domain went into resolv.conf"
	grep -q 'dns: systemd-resolved is not on the system bus' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not say why it did not use resolved"
	expect_status_dns "$name" '"10.1.0.4","fd00::53","10.2.0.53"' resolvconf
	ok "$name: resolv.conf has nameserver 10.1.0.4, fd00::53, 10.2.0.53 and search lab.example"
	ctl down p2s >/dev/null || fail "$name: p2sctl down"
	wait_state "$name" down
	resolv_has 'nameserver 10.1.0.4' && fail "$name: p2sctl down left the servers: $(cat "$TB_DNS_RESOLV_CONF")"
	ok "$name: p2sctl down took them out (resolvconf -d)"
	ctl up p2s >/dev/null || fail "$name: p2sctl up"
	wait_state "$name" established
	resolv_has 'nameserver 10.1.0.4' || fail "$name: p2sctl up did not put them back"
	stop_p2sd "$name"
	resolv_has 'nameserver 10.1.0.4' && fail "$name: SIGTERM left the servers: $(cat "$TB_DNS_RESOLV_CONF")"
	ok "$name: up put them back, SIGTERM took them out"
)

# ---- neither ----

case_none() (
	name="no resolver"
	lab_up "$name"
	tb_dns_world_start || fail "$name: a private bus without resolved"
	profile '[lab.example]'
	start_p2sd PATH=/usr/bin:/bin
	wait_state "$name" established
	grep -qE '^p2sd: notice: dns on p2s-it0: servers \[10.1.0.4 fd00::53 10.2.0.53\], 1 domain\(s\): not applied: systemd-resolved is not on the system bus and there is no resolvconf in PATH' \
	    "$TB_LOGDIR/p2sd.log" || fail "$name: p2sd did not say at notice why DNS was not applied"
	expect_status_dns "$name" '"10.1.0.4","fd00::53","10.2.0.53"' none
	tb_ping_vnet 2 >/dev/null 2>&1 || fail "$name: no ping through the tunnel"
	stop_p2sd "$name"
	ok "$name: logged at notice, status dns_via none, the tunnel works"
)

case_resolved || n_fail=$((n_fail + 1))
case_resolvconf || n_fail=$((n_fail + 1))
case_none || n_fail=$((n_fail + 1))

echo "# p2sd dns: $((n_fail)) case(s) failed"
exit $((n_fail != 0))
