#!/bin/bash
# SPDX-License-Identifier: ISC
# bench/kernel_dp.sh: the kernel datapath benchmark.  Runs INSIDE the
# kernel lab (tests/kernel-lab/run; the host kernel has no ESP): bench/run
# starts it with BENCH_ONLY=kernel (or in a full run).
#
#   kernel_dp.sh RESULTS_DIR ROUNDS T_TCP T_UDP UDP_RATE P2SD CERTS_DIR
#
# One lab (tests/integration/lib, --nat masquerade) with a strongSwan
# responder whose ESP is the kernel's (kernel-netlink).  Each round, one
# session of p2sd (datapath: kernel) and one of strongSwan's own client
# (charon-systemd with kernel-netlink, routes in table 220 as a user would
# have them), the order swapped every round; in each session iperf3 TCP
# upload, TCP download and UDP upload from the client namespace to the
# VNet host through the tunnel.  Writes to RESULTS_DIR:
#   iperf.kernel.WHO.TEST.ROUND.json   iperf3's JSON
#   kernel-traffic.txt  "WHO TEST ROUND CLIENT_CPU_NS SA_BYTES user nice
#                       system idle iowait irq softirq steal" (the client
#                       process's CPU, the client's XFRM states' byte
#                       counters and the guest's /proc/stat, all deltas
#                       over the test)
#   kernel-sa.txt       "WHO ROUND ALGORITHM ENCAP": what each session's
#                       states use
#   kernel-params.txt   rounds, durations, the kernel, CLK_TCK, CPUs, load
# Exits non-zero (with the lab's logs) when a tunnel does not come up, a
# client did not use the kernel, or traffic did not go through its states.

set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
[ $# -eq 7 ] || { sed -n '2,24p' "$0" >&2; exit 2; }
# shellcheck disable=SC2034 # P2SD, T_START, P2S_*: read by lib.sh
RES=$1 ROUNDS=$2 T_TCP=$3 T_UDP=$4 UDP_RATE=$5 P2SD=$6 CERTS_DIR=$7

# shellcheck source=../tests/integration/lib/harness.sh
. "$TOP/tests/integration/lib/harness.sh"
# shellcheck source=lib.sh
. "$BENCH/lib.sh"

# shellcheck disable=SC2034
T_START=$(date +%s) P2S_DATAPATH=kernel P2S_IFNAME=p2sk0
# strongSwan's client: kernel-netlink (read by _tb_sw_write_conf), which
# there also sets install_routes = no; a user's client installs its
# routes (table 220), so that is set back below.
# shellcheck disable=SC2034
TB_SW_KERNEL=netlink
SW_EXTRA='    install_routes = yes'

tb_require_root || exit 1
tb_ensure_tools iperf3 || exit 1

cl() { ip -n "$TB_NS_CLIENT" "$@"; }

# stat_cpu: the guest's "cpu" line of /proc/stat (user nice system idle
# iowait irq softirq steal, in CLK_TCK ticks).
stat_cpu() { awk '$1 == "cpu" { print $2, $3, $4, $5, $6, $7, $8, $9 }' /proc/stat; }

# sa_bytes: bytes counted by all XFRM states in the client namespace.
sa_bytes() {
	cl -s xfrm state | awk '$1 ~ /^[0-9]+\(bytes\),?$/ { sub(/\(bytes\),?/, "", $1); s += $1 }
		END { printf "%.0f\n", s }'
}

no_states() { [ -z "$(cl xfrm state)" ]; }

# sa_info WHO ROUND: the states' algorithm and encapsulation.
sa_info() {
	local st alg encap
	st=$(cl xfrm state)
	[ "$(printf '%s\n' "$st" | grep -c '^src ')" -ge 2 ] ||
		die "$1: no XFRM states in the client namespace: not the kernel's ESP"
	alg=$(printf '%s\n' "$st" | awk '$1 == "src" { n++ }
		n == 1 && ($1 == "aead" || $1 == "enc" || $1 == "auth-trunc") {
			printf "%s%s", sep, $2; sep = "+" } END { print "" }')
	encap=$(printf '%s\n' "$st" | awk '$1 == "encap" { print $3; exit }')
	echo "$1 $2 ${alg:-?} ${encap:-none}" >>"$RES/kernel-sa.txt"
}

# traffic WHO PID ROUND: the three tests, with their deltas.
traffic() {
	local who=$1 pid=$2 r=$3 t test c0 c1 x0 x1 s0 s1
	for t in "tcp-up:-t $T_TCP" "tcp-down:-t $T_TCP -R" \
	    "udp-up:-u -b $UDP_RATE -l 1300 -t $T_UDP"; do
		test=${t%%:*}
		c0=$(cpu_ns "$pid") x0=$(sa_bytes) s0=$(stat_cpu)
		# shellcheck disable=SC2086
		iperf "kernel.$who.$test.$r" ${t#*:} ||
			die "$who: iperf3 $test failed: $(tail -c 300 "$RES/iperf.kernel.$who.$test.$r.json")"
		c1=$(cpu_ns "$pid") x1=$(sa_bytes) s1=$(stat_cpu)
		[ "$x1" -gt "$x0" ] ||
			die "$who: $test carried no bytes through the client's XFRM states"
		echo "$who $test $r $((c1 - c0)) $((x1 - x0)) $(echo "$s0 $s1" |
			awk '{ for (i = 1; i <= 8; i++) printf "%s%d", (i > 1 ? " " : ""), $(i + 8) - $i }')" \
		    >>"$RES/kernel-traffic.txt"
	done
}

session_p2s() { # ROUND
	log "  p2sd, datapath: kernel"
	p2s_profile eap-tls
	p2s_start
	tb_wait_until 120 p2s_established || die "p2sd: no tunnel"
	grep -q 'kernel datapath: XFRM interface' "$TB_LOGDIR/p2sd.log" ||
		die "p2sd did not take the kernel datapath"
	sa_info p2s "$1"
	traffic p2s "$P2S_PID" "$1"
	p2s_stop
	tb_wait_until 10 no_states || die "p2sd left XFRM states"
}

session_sw() { # ROUND
	log "  strongSwan's client, kernel-netlink"
	sw_start eap-tls --charon-extra "$SW_EXTRA"
	tb_sclient_initiate 120 || die "strongSwan client: no tunnel: $(cat "$TB_SCLIENT_DIR/initiate.out")"
	cl route show table 220 | grep -q "^$TB_VNET_PREFIX " ||
		die "strongSwan's client installed no route to $TB_VNET_PREFIX in table 220"
	sa_info sw "$1"
	traffic sw "$SW_PID" "$1"
	sw_stop_sa
	tb_sclient_stop
	tb_wait_until 10 no_states || die "strongSwan's client left XFRM states"
}

vnet_iperf_up() {
	ip netns exec "$TB_NS_VNET" ss -Hltn 'sport = :5201' | grep -q .
}

{
	echo "date $(date -u '+%Y-%m-%d %H:%M')"
	echo "rounds $ROUNDS"
	echo "t_tcp $T_TCP"
	echo "t_udp $T_UDP"
	echo "udp_rate $UDP_RATE"
	echo "kernel $(uname -r)"
	echo "clk_tck $(getconf CLK_TCK)"
	echo "cpus $(nproc)"
	echo "load_before $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RES/kernel-params.txt"

log "kernel datapath in the kernel lab ($(uname -r)): $ROUNDS rounds"
tb_init || die "tb_init"
tb_topology_up --nat masquerade || die "topology"
# install_routes = no on the gateway: its way back to the pool.
ip -n "$TB_NS_GW" route add "$TB_POOL" dev "$TB_GW_IF" || die "route to the pool"
tb_certs_make "$CERTS_DIR" || die "certificates"
tb_responder_start --kernel netlink || die "responder"
tb_spawn iperf3 "$TB_NS_VNET" "$TB_LOGDIR/iperf3.log" iperf3 -s -B "$TB_VNET_HOST"
tb_wait_until 30 vnet_iperf_up || die "iperf3 server did not start"
for r in $(seq "$ROUNDS"); do
	log " round $r"
	if [ $((r % 2)) = 1 ]; then
		session_p2s "$r"
		session_sw "$r"
	else
		session_sw "$r"
		session_p2s "$r"
	fi
done
echo "load_after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/kernel-params.txt"
tb_stop iperf3
tb_cleanup
log "kernel datapath: done"
