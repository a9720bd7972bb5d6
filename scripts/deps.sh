# shellcheck shell=bash
# deps.sh: the Debian 12 packages p2s needs, and an installer that only
# touches apt when something is missing.  Sourced by scripts/check and
# scripts/demo.

P2S_BUILD_DEPS="autoconf automake make pkg-config gcc clang libclang-rt-14-dev
	libssl-dev libmnl-dev libevent-dev libyaml-dev libzip-dev libexpat1-dev
	libjson-c-dev libsystemd-dev libcmocka-dev xz-utils"

# The strongSwan responder and the namespaced topology (testbed.md 2).
P2S_TEST_DEPS="openssl iproute2 nftables iputils-ping tcpdump procps systemd zip
	strongswan-swanctl charon-systemd libstrongswan-standard-plugins
	libcharon-extra-plugins strongswan-pki"
P2S_TEST_DEPS="$P2S_TEST_DEPS qemu-system-x86" # tests/kernel-lab (testbed.md 10)
# test_p2sd_dns: a private D-Bus system bus (tests/integration/lib/dns.sh).
# systemd-resolved and openresolv are downloaded and unpacked by the test,
# never installed: either would take over the host's /etc/resolv.conf.
P2S_TEST_DEPS="$P2S_TEST_DEPS dbus-daemon util-linux"
P2S_TEST_DEPS="$P2S_TEST_DEPS valgrind" # tests/integration/test_p2sd_valgrind.sh

p2s_missing_pkgs() {
	local p missing=""

	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'install ok installed'; then
			missing="$missing $p"
		fi
	done
	echo "$missing"
}

# p2s_install_deps PKG...: apt-get install whatever of PKG is missing.
p2s_install_deps() {
	local missing

	# shellcheck disable=SC2086,SC2048
	missing=$(p2s_missing_pkgs $*)
	[ -z "$missing" ] && return 0
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || return 1
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		return 1
}
