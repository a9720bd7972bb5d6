# shellcheck shell=bash
# SPDX-License-Identifier: ISC
# bench/lib.sh: what bench/run and bench/kernel_dp.sh share: logging,
# process CPU accounting, iperf3 through the tunnel, and starting and
# stopping the two clients (p2sd and strongSwan's own client) in the
# harness's lab.  Sourced after tests/integration/lib/harness.sh.
#
# Reads: T_START (log's clock), RES (raw results), P2SD (the binary);
# P2S_DATAPATH and P2S_IFNAME (the profile's datapath and interface,
# default userspace and p2sb0).  Sets P2S_PID and SW_PID.

# shellcheck source=../tests/integration/lib/p2sd_test.sh
. "$TB_LIB_DIR/p2sd_test.sh" # tb_p2sd_profile

log() { printf '# [%4ss] %s\n' "$(($(date +%s) - T_START))" "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; tb_dump_logs 20; exit 1; }

# ---- Process accounting. ----

# cpu_ns PID: CPU time of all the process's threads, ns, from schedstat
# (precise); cpu_ticks PID: utime+stime from /proc/PID/stat (10 ms ticks,
# includes threads that have exited).
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
cpu_ticks() {
	sed 's/^.*) //' /proc/"$1"/stat | awk '{ print $12 + $13 }'
}

# iperf TAG ARGS...: iperf3 from the client namespace to the VNet host,
# JSON to $RES/iperf.TAG.json.
iperf() {
	local tag=$1
	shift
	ip netns exec "$TB_NS_CLIENT" timeout 60 iperf3 -c "$TB_VNET_HOST" -J "$@" \
	    >"$RES/iperf.$tag.json" 2>&1
}

# ---- The two clients. ----

p2s_profile() { # AUTH
	tb_p2sd_profile "$TB_DIR/p2s.yaml" auth="$1" \
	    datapath="${P2S_DATAPATH:-userspace}" interface="${P2S_IFNAME:-p2sb0}" \
	    reconnect=always
}
p2s_start() {
	: >"$TB_LOGDIR/p2sd.log"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground \
	    --profile "$TB_DIR/p2s.yaml"
	# shellcheck disable=SC2034 # for the caller
	P2S_PID=$TB_SPAWNED_PID
}
p2s_established() { # [COUNT]
	[ "$(grep -c -- '-> established' "$TB_LOGDIR/p2sd.log")" -ge "${1:-1}" ]
}
no_ike() { ! tb_responder_swanctl --list-sas 2>/dev/null | grep -q ESTABLISHED; }
p2s_stop() {
	tb_stop p2sd
	tb_wait_until 10 no_ike || die "the gateway kept p2sd's IKE SA"
}
sw_start() { # AUTH [tb_sclient_start OPTION...]
	local auth=$1
	shift
	tb_sclient_start --auth "$auth" --log "default 1" "$@" || die "reference client"
	# shellcheck disable=SC2034 # for the caller
	SW_PID=$(tb_pid_of sclient)
}
sw_stop_sa() {
	tb_sclient_terminate || die "swanctl --terminate"
	tb_wait_until 10 no_ike || die "the gateway kept strongSwan's IKE SA"
}
