# shellcheck shell=bash
# tests/integration/lib/common.sh: shared helpers of the integration harness.
#
# Owns: the run directory, the unique name prefix, process bookkeeping
# (spawn in a namespace, stop by recorded PID), bounded waiting, tool
# installation, and the teardown that always runs.
#
# Source this file (the other lib files source it themselves), then call
# tb_init once. Everything a run creates lives under $TB_DIR (a fresh
# directory in /tmp) and in network namespaces named "$TB_PREFIX-*".
# tb_cleanup (installed as an EXIT/INT/TERM/HUP trap by tb_init) stops
# every process the run started, deletes the namespaces and removes $TB_DIR.
#
# Bash only (arrays, local, [[ ]]). Needs root.

if [ -n "${TB_COMMON_SH_LOADED:-}" ]; then
	return 0
fi
TB_COMMON_SH_LOADED=1

TB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export TB_LIB_DIR

# ---------------------------------------------------------------------------
# Messages

tb_log() {
	printf '# %s\n' "$*" >&2
}

tb_err() {
	printf 'ERROR: %s\n' "$*" >&2
}

# tb_now_ms: milliseconds since the epoch
tb_now_ms() {
	local s
	s=$(date +%s%N)
	printf '%s\n' "$((s / 1000000))"
}

# ---------------------------------------------------------------------------
# Tools

# Map from a command (or a file that must exist) to the Debian package
# providing it. Keys starting with / are files.
declare -gA TB_PKG_OF=(
	[ip]=iproute2
	[nft]=nftables
	[openssl]=openssl
	[ping]=iputils-ping
	[tcpdump]=tcpdump
	[pgrep]=procps
	[sysctl]=procps
	[timeout]=coreutils
	[swanctl]=strongswan-swanctl
	[/usr/sbin/charon-systemd]=charon-systemd
	[/usr/lib/ipsec/plugins/libstrongswan-vici.so]=strongswan-swanctl
	[/usr/lib/ipsec/plugins/libstrongswan-openssl.so]=libstrongswan-standard-plugins
	[/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so]=libcharon-extra-plugins
	[/usr/lib/ipsec/plugins/libstrongswan-eap-tls.so]=libcharon-extra-plugins
	[/usr/lib/ipsec/plugins/libstrongswan-eap-identity.so]=libcharon-extra-plugins
	[/usr/lib/ipsec/plugins/libstrongswan-kernel-netlink.so]=strongswan-libcharon
	[/usr/bin/python3]=python3
	[dbus-daemon]=dbus-daemon
	[busctl]=systemd
	[nsenter]=util-linux
	[unshare]=util-linux
)

# The tools every harness run needs.
TB_BASE_TOOLS=(ip nft openssl ping timeout sysctl swanctl
	/usr/sbin/charon-systemd
	/usr/lib/ipsec/plugins/libstrongswan-vici.so
	/usr/lib/ipsec/plugins/libstrongswan-openssl.so
	/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so
	/usr/lib/ipsec/plugins/libstrongswan-kernel-netlink.so
	/usr/lib/ipsec/plugins/libstrongswan-eap-tls.so
	/usr/lib/ipsec/plugins/libstrongswan-eap-identity.so)

_tb_have() {
	case $1 in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

# tb_ensure_tools [TOOL...]: make sure each command (or file, if it starts
# with /) exists; install the missing ones' Debian packages with apt-get
# (noninteractive, only when something is missing). With no argument,
# checks TB_BASE_TOOLS. Returns 1 with a message naming what is missing
# if it still is afterwards.
tb_ensure_tools() {
	local t missing=() pkgs=() still=()
	[ $# -gt 0 ] || set -- "${TB_BASE_TOOLS[@]}"
	for t in "$@"; do
		_tb_have "$t" || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	for t in "${missing[@]}"; do
		if [ -n "${TB_PKG_OF[$t]:-}" ]; then
			pkgs+=("${TB_PKG_OF[$t]}")
		fi
	done
	if [ ${#pkgs[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
		tb_log "installing missing packages: ${pkgs[*]} (for: ${missing[*]})"
		export DEBIAN_FRONTEND=noninteractive
		apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1 ||
			tb_log "apt-get update failed"
		apt-get -q -y -o DPkg::Lock::Timeout=300 install \
			--no-install-recommends "${pkgs[@]}" >&2 ||
			tb_log "apt-get install ${pkgs[*]} failed"
	fi
	for t in "${missing[@]}"; do
		_tb_have "$t" || still+=("$t${TB_PKG_OF[$t]:+ (package ${TB_PKG_OF[$t]})}")
	done
	if [ ${#still[@]} -gt 0 ]; then
		tb_err "required tool(s) missing and could not be installed: ${still[*]}"
		return 1
	fi
	return 0
}

tb_require_root() {
	if [ "$(id -u)" != 0 ]; then
		tb_err "the integration harness must run as root (network namespaces)"
		return 1
	fi
}

# ---------------------------------------------------------------------------
# Bounded waiting

# tb_wait_until TIMEOUT_S CMD...: run CMD every 50 ms until it succeeds or
# TIMEOUT_S seconds (may be fractional, e.g. 2.5) have passed. Returns 0 if
# it succeeded, 1 on timeout.
tb_wait_until() {
	local timeout=$1 deadline now
	shift
	deadline=$(($(tb_now_ms) + ${timeout%.*} * 1000))
	case $timeout in
	*.*) local frac=${timeout#*.}000; deadline=$((deadline + 10#${frac:0:3})) ;;
	esac
	while :; do
		"$@" && return 0
		now=$(tb_now_ms)
		[ "$now" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

# ---------------------------------------------------------------------------
# Run state

# tb_init: create $TB_DIR and choose $TB_PREFIX; install the cleanup trap.
# Honoured beforehand:
#   TB_PREFIX   name prefix for namespaces and links (at most 8 characters,
#               [a-z0-9]); default "p2s" plus 5 random hex digits
#   TB_KEEP=1   keep $TB_DIR at teardown (for debugging); namespaces and
#               processes are removed regardless
#   TB_NO_TRAP=1  do not install the trap (the caller calls tb_cleanup)
# Sets: TB_DIR, TB_PREFIX, TB_LOGDIR ($TB_DIR/logs).
tb_init() {
	local i
	tb_require_root || return 1
	if [ -n "${TB_DIR:-}" ] && [ -d "${TB_DIR}" ] && [ -n "${TB_INITIALIZED:-}" ]; then
		return 0
	fi
	if [ -z "${TB_PREFIX:-}" ]; then
		for i in 1 2 3 4 5 6 7 8; do
			TB_PREFIX=p2s$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-5)
			ip netns list 2>/dev/null | grep -q "^$TB_PREFIX-" || break
		done
	fi
	if ! [[ $TB_PREFIX =~ ^[a-z0-9]{1,8}$ ]]; then
		tb_err "TB_PREFIX must be 1-8 characters [a-z0-9]: '$TB_PREFIX'"
		return 1
	fi
	TB_DIR=$(mktemp -d "/tmp/p2s-tb.$TB_PREFIX.XXXXXX") || return 1
	chmod 0755 "$TB_DIR"
	TB_LOGDIR=$TB_DIR/logs
	mkdir -p "$TB_LOGDIR" "$TB_DIR/pids"
	TB_INITIALIZED=1
	TB_CLEANED=
	TB_SWANCTL=
	# p2sd's state (the remembered DH group) stays in the run, so that
	# runs neither see nor leave behind what another run learned.
	P2S_STATE_DIR=$TB_DIR/state
	export TB_DIR TB_PREFIX TB_LOGDIR P2S_STATE_DIR
	if [ -z "${TB_NO_TRAP:-}" ]; then
		trap 'tb_cleanup' EXIT
		trap '_tb_on_signal INT' INT
		trap '_tb_on_signal TERM' TERM
		trap '_tb_on_signal HUP' HUP
	fi
	tb_log "run directory $TB_DIR, prefix $TB_PREFIX"
}

# On a signal: clean up, then die of the same signal ($BASHPID, not $$,
# so that this also works in a subshell).
_tb_on_signal() {
	tb_cleanup
	trap - "$1" EXIT
	kill -"$1" "$BASHPID"
}

# Hooks run by tb_cleanup before the generic process/namespace cleanup,
# last registered first. A test can add its own with tb_on_cleanup.
TB_CLEANUP_HOOKS=()
tb_on_cleanup() {
	TB_CLEANUP_HOOKS+=("$*")
}

# ---------------------------------------------------------------------------
# Processes

# tb_pid_alive PID: true if PID exists and is not a zombie.
tb_pid_alive() {
	local pid=$1 stat
	[ -n "$pid" ] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# tb_pid_is PID PROGRAM: true if PID is alive and runs PROGRAM (basename
# of argv[0] or of the executable).
tb_pid_is() {
	local pid=$1 prog=$2 argv0
	tb_pid_alive "$pid" || return 1
	argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1)
	[ "${argv0##*/}" = "$prog" ] && return 0
	[ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = "$prog" ]
}

# tb_spawn NAME NS LOGFILE CMD [ARG...]: start CMD in the background inside
# network namespace NS (a full name, e.g. $TB_NS_CLIENT; "" for none),
# stdout and stderr to LOGFILE, stdin from /dev/null. Records the PID as
# $TB_DIR/pids/NAME.pid (and NAME.prog) so that tb_stop NAME and
# tb_cleanup can stop it. Extra environment can be given with env(1) as
# CMD. Prints nothing; the PID is in TB_SPAWNED_PID.  TB_SPAWN_PROG names
# the program the PID ends up running when CMD execs another that the
# rule above does not see (nsenter ... p2sd).
tb_spawn() {
	local name=$1 ns=$2 log=$3 prog
	shift 3
	prog=$1
	[ "$prog" = env ] && prog=$(for a in "${@:2}"; do case $a in *=*) ;; *) echo "$a"; break ;; esac; done)
	[ -n "${TB_SPAWN_PROG:-}" ] && prog=$TB_SPAWN_PROG
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 &
	else
		"$@" </dev/null >>"$log" 2>&1 &
	fi
	TB_SPAWNED_PID=$!
	printf '%s\n' "$TB_SPAWNED_PID" >"$TB_DIR/pids/$name.pid"
	printf '%s\n' "${prog##*/}" >"$TB_DIR/pids/$name.prog"
}

# tb_pid_of NAME: print the recorded PID of NAME if it is still alive and
# still runs the program recorded for it.
tb_pid_of() {
	local name=$1 pid prog
	pid=$(cat "$TB_DIR/pids/$name.pid" 2>/dev/null) || return 1
	prog=$(cat "$TB_DIR/pids/$name.prog" 2>/dev/null) || return 1
	# ip netns exec execs the command; until then argv0 is still "ip"
	if tb_pid_is "$pid" "$prog" || tb_pid_is "$pid" ip; then
		printf '%s\n' "$pid"
		return 0
	fi
	return 1
}

# tb_stop NAME... : SIGTERM each named process, wait up to TB_STOP_TIMEOUT
# seconds (default 5) for all of them, then SIGKILL the rest. Stops them in
# parallel. Forgets them afterwards.
tb_stop() {
	local name pid pids=() i
	for name in "$@"; do
		pid=$(tb_pid_of "$name") && { kill -TERM "$pid" 2>/dev/null; pids+=("$pid"); }
	done
	if [ ${#pids[@]} -gt 0 ]; then
		_tb_all_dead() {
			local p
			for p in "$@"; do tb_pid_alive "$p" && return 1; done
			return 0
		}
		if ! tb_wait_until "${TB_STOP_TIMEOUT:-5}" _tb_all_dead "${pids[@]}"; then
			for pid in "${pids[@]}"; do
				tb_pid_alive "$pid" && { tb_log "SIGKILL $pid"; kill -KILL "$pid" 2>/dev/null; }
			done
			tb_wait_until 2 _tb_all_dead "${pids[@]}"
		fi
		for pid in "${pids[@]}"; do
			wait "$pid" 2>/dev/null
		done
	fi
	for name in "$@"; do
		rm -f "$TB_DIR/pids/$name.pid" "$TB_DIR/pids/$name.prog"
	done
	return 0
}

# tb_ns_kill_all NS...: SIGTERM every process inside the namespaces, then
# SIGKILL what is left after a short wait. Only for namespaces of this run.
tb_ns_kill_all() {
	local ns pids=() p
	for ns in "$@"; do
		[ -e "/run/netns/$ns" ] || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			pids+=("$p")
		done
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	kill -TERM "${pids[@]}" 2>/dev/null
	_tb_all_dead2() {
		local q
		for q in "$@"; do tb_pid_alive "$q" && return 1; done
		return 0
	}
	if ! tb_wait_until 2 _tb_all_dead2 "${pids[@]}"; then
		kill -KILL "${pids[@]}" 2>/dev/null
		tb_wait_until 2 _tb_all_dead2 "${pids[@]}"
	fi
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	return 0
}

# tb_cleanup: stop everything this run started and remove its state. Safe
# to call more than once; runs from the trap installed by tb_init.
tb_cleanup() {
	local rc=$? i f names=()
	[ -n "${TB_INITIALIZED:-}" ] || return $rc
	[ -z "${TB_CLEANED:-}" ] || return $rc
	TB_CLEANED=1
	# finish the teardown even if a signal (a watchdog's SIGTERM) arrives now
	trap '' INT TERM HUP
	for ((i = ${#TB_CLEANUP_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${TB_CLEANUP_HOOKS[$i]}" || true
	done
	# all recorded processes, in parallel
	for f in "$TB_DIR"/pids/*.pid; do
		[ -e "$f" ] || continue
		f=${f##*/}
		names+=("${f%.pid}")
	done
	[ ${#names[@]} -gt 0 ] && TB_STOP_TIMEOUT=3 tb_stop "${names[@]}"
	if declare -F tb_topology_down >/dev/null; then
		tb_topology_down
	fi
	if [ -n "${TB_KEEP:-}" ]; then
		tb_log "keeping $TB_DIR (TB_KEEP is set)"
	else
		case $TB_DIR in
		/tmp/p2s-tb.*) rm -rf -- "$TB_DIR" ;;
		esac
	fi
	trap - INT TERM HUP
	return $rc
}

# tb_dump_logs [LINES]: print the tail of every log of this run (*.log,
# *.out, *.stdout under $TB_DIR) to stderr, for failure diagnostics.
tb_dump_logs() {
	local n=${1:-40} f
	[ -n "${TB_DIR:-}" ] && [ -d "$TB_DIR" ] || return 0
	while IFS= read -r f; do
		[ -s "$f" ] || continue
		printf '# ---- %s (last %s lines) ----\n' "$f" "$n" >&2
		tail -n "$n" "$f" | sed 's/^/#   /' >&2
	done < <(find "$TB_DIR" -type f \( -name '*.log' -o -name '*.out' -o -name '*.stdout' \) | sort)
}
