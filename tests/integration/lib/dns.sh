# shellcheck shell=bash
# tests/integration/lib/dns.sh: a real systemd-resolved and a real
# openresolv for tests, without installing either (testbed.md 11): both
# would take over the host's /etc/resolv.conf.  Their Debian packages are
# downloaded and unpacked into a cache; they run in a private mount
# namespace inside the client namespace, which has its own /run (so its
# own D-Bus system bus), its own /etc/passwd with the systemd-resolve
# user, and resolved's bus policy.  Nothing of it is visible on the host.
#
#   tb_dns_world_start [--resolved]   the namespace, dbus-daemon in it (its
#                                     PID holds the namespace: TB_DNS_PID),
#                                     and systemd-resolved on the bus
#   tb_dns_exec CMD...                run CMD in it
#   tb_dns_spawn NAME LOG PROG CMD... tb_spawn CMD in it (PROG: what it
#                                     ends up running)
#   tb_dns_resolvectl ARGS...         the package's resolvectl, in it
#   tb_dns_openresolv                 openresolv installed under
#                                     $TB_DNS_DIR/openresolv (bin/ for
#                                     PATH), writing $TB_DNS_RESOLV_CONF
#
# TB_DEB_CACHE (default /var/cache/p2s-test/debs) keeps the unpacked
# packages between runs.

TB_DEB_CACHE=${TB_DEB_CACHE:-/var/cache/p2s-test/debs}

# tb_deb_unpack PKG [VERSION]: print the folder holding PKG's files
# (VERSION if the archive still has it, else the candidate), downloading
# and unpacking it once.  Nothing is installed.
tb_deb_unpack() {
	local pkg=$1 ver=${2:-} dir tmp deb v
	for v in "$ver" ""; do
		[ -n "$v" ] || v=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null |
			awk '/^Version:/ { print $2; exit }')
		[ -n "$v" ] || continue
		dir=$TB_DEB_CACHE/${pkg}_$v
		[ -d "$dir" ] && { printf '%s\n' "$dir"; return 0; }
		mkdir -p "$TB_DEB_CACHE" || return 1
		tmp=$(mktemp -d "$TB_DEB_CACHE/.dl.XXXXXX") || return 1
		chown _apt "$tmp" 2>/dev/null
		if (cd "$tmp" && apt-get -q download "$pkg=$v" >&2); then
			deb=("$tmp"/*.deb)
			if [ -f "${deb[0]}" ] && dpkg-deb -x "${deb[0]}" "$tmp/root"; then
				# -T: a run that unpacked it first wins
				mv -T "$tmp/root" "$dir" 2>/dev/null || [ -d "$dir" ]
				rm -rf "$tmp"
				[ -d "$dir" ] && { printf '%s\n' "$dir"; return 0; }
			fi
		fi
		rm -rf "$tmp"
	done
	# An empty or stale package list: update once and try again.
	if [ -z "${_TB_DEB_UPDATED:-}" ]; then
		_TB_DEB_UPDATED=1
		apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
		tb_deb_unpack "$@"
		return
	fi
	tb_err "cannot download and unpack Debian package $pkg"
	return 1
}

# The script that makes the namespace's mounts, then becomes dbus-daemon.
_tb_dns_world_script() {
	cat <<'EOS'
set -eu
D=$1 R=$2
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/dbus /run/systemd/resolve
cp /etc/passwd "$D/passwd"
cp /etc/group "$D/group"
if ! grep -q '^systemd-resolve:' "$D/group"; then
	id=999
	while cut -d: -f3 "$D/passwd" "$D/group" | grep -qx "$id"; do
		id=$((id - 1))
	done
	echo "systemd-resolve:x:$id:" >>"$D/group"
fi
gid=$(awk -F: '$1 == "systemd-resolve" { print $3 }' "$D/group")
if ! grep -q '^systemd-resolve:' "$D/passwd"; then
	id=$gid
	while cut -d: -f3 "$D/passwd" | grep -qx "$id"; do id=$((id - 1)); done
	echo "systemd-resolve:x:$id:$gid:systemd Resolver:/run/systemd/resolve:/usr/sbin/nologin" >>"$D/passwd"
fi
mount --bind "$D/passwd" /etc/passwd
mount --bind "$D/group" /etc/group
chown systemd-resolve:systemd-resolve /run/systemd/resolve
mkdir -p "$D/system.d"
cp /usr/share/dbus-1/system.d/* "$D/system.d/" 2>/dev/null || true
[ -z "$R" ] || cp "$R/usr/share/dbus-1/system.d/org.freedesktop.resolve1.conf" "$D/system.d/"
mount --bind "$D/system.d" /usr/share/dbus-1/system.d
exec dbus-daemon --system --nofork --nopidfile
EOS
}

tb_dns_exec() {
	nsenter -t "$TB_DNS_PID" -m -n -- "$@"
}

tb_dns_spawn() {
	local name=$1 log=$2 prog=$3
	shift 3
	TB_SPAWN_PROG=$prog tb_spawn "$name" "" "$log" \
	    nsenter -t "$TB_DNS_PID" -m -n -- "$@"
}

tb_dns_resolvectl() {
	tb_dns_exec "$TB_DNS_RESOLVED_ROOT/usr/bin/resolvectl" "$@"
}

_tb_dns_bus_up() {
	tb_pid_is "$TB_DNS_PID" dbus-daemon &&
	    tb_dns_exec test -S /run/dbus/system_bus_socket
}

_tb_dns_resolved_up() {
	tb_dns_exec busctl --system --timeout=1 call org.freedesktop.DBus \
	    /org/freedesktop/DBus org.freedesktop.DBus NameHasOwner s \
	    org.freedesktop.resolve1 2>/dev/null | grep -qx 'b true'
}

tb_dns_world_start() {
	local resolved=
	[ "${1:-}" = --resolved ] && resolved=1
	TB_DNS_DIR=$TB_DIR/dns
	TB_DNS_RESOLVED_ROOT=
	mkdir -p "$TB_DNS_DIR" || return 1
	tb_ensure_tools dbus-daemon busctl nsenter unshare || return 1
	if [ -n "$resolved" ]; then
		# The systemd that is installed, so that its shared library fits.
		TB_DNS_RESOLVED_ROOT=$(tb_deb_unpack systemd-resolved \
		    "$(dpkg-query -W -f='${Version}' systemd 2>/dev/null)") || return 1
	fi
	_tb_dns_world_script >"$TB_DNS_DIR/world.sh"
	TB_SPAWN_PROG=dbus-daemon tb_spawn dns-bus "$TB_NS_CLIENT" \
	    "$TB_LOGDIR/dbus.log" unshare -m --propagation private \
	    bash "$TB_DNS_DIR/world.sh" "$TB_DNS_DIR" "$TB_DNS_RESOLVED_ROOT"
	TB_DNS_PID=$TB_SPAWNED_PID
	tb_wait_until 10 _tb_dns_bus_up || {
		tb_err "no D-Bus system bus in the private namespace"
		return 1
	}
	[ -n "$resolved" ] || return 0
	tb_dns_spawn resolved "$TB_LOGDIR/resolved.log" systemd-resolved \
	    env SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console \
	    "$TB_DNS_RESOLVED_ROOT/lib/systemd/systemd-resolved"
	tb_wait_until 10 _tb_dns_resolved_up || {
		tb_err "systemd-resolved did not take org.freedesktop.resolve1"
		return 1
	}
}

# openresolv, with the paths its ./configure would set pointed into
# $TB_DNS_DIR/openresolv, and its libc subscriber writing
# $TB_DNS_RESOLV_CONF instead of /etc/resolv.conf.
tb_dns_openresolv() {
	local root d f
	root=$(tb_deb_unpack openresolv) || return 1
	d=$TB_DNS_DIR/openresolv
	mkdir -p "$d/bin" "$d/etc" "$d/lib" || return 1
	TB_DNS_RESOLV_CONF=$TB_DNS_DIR/resolv.conf
	echo "# the client namespace's resolv.conf, for openresolv" >"$TB_DNS_RESOLV_CONF"
	for f in sbin/resolvconf:bin/resolvconf lib/resolvconf/libc:lib/libc; do
		sed -e "s|^SYSCONFDIR=/etc\$|SYSCONFDIR=$d/etc|" \
		    -e "s|^LIBEXECDIR=/lib/resolvconf\$|LIBEXECDIR=$d/lib|" \
		    -e "s|/sbin/resolvconf|$d/bin/resolvconf|g" \
		    "$root/${f%%:*}" >"$d/${f#*:}" || return 1
	done
	chmod 0755 "$d/bin/resolvconf" "$d/lib/libc"
	cat >"$d/etc/resolvconf.conf" <<EOC
resolv_conf=$TB_DNS_RESOLV_CONF
libc_restart=:
EOC
}
