#!/bin/bash
# tests/kernel-lab/guest_xfrm.sh: the kernel features p2s's datapath needs,
# checked inside the kernel-lab guest (test_kernel_lab.sh runs it with
# `run -- bash guest_xfrm.sh`; it refuses to run anywhere else).
#
# Two namespaces joined by a veth (outer 192.0.2.1 <-> 192.0.2.2, inner
# 10.10.1.1 and 10.10.2.1), ESP in tunnel mode with A->B SPI 0x1001
# rfc4106(gcm(aes)) and B->A SPI 0x2002 cbc(aes) + hmac(sha256), in three
# set-ups:
#   policy   states and policies with `ip xfrm`, routed by selector;
#   xfrmi    an XFRM interface (if_id 42) in each namespace, route-based;
#   espinudp ESP in UDP 4500 (encap espinudp), with a UDP socket per side
#            that has UDP_ENCAP_ESPINUDP set, as an IKE daemon holds it.
# For each: the states install, a ping passes, both SAs count the packets,
# and a control proves the traffic depended on the SA (the ping fails once
# the inbound SA is deleted; for espinudp also once the encap socket is
# closed).  Prints `ok - ...` / `not ok - ...` per check and exits non-zero
# on any failure.
set -u

pass=0
fail=0
A=kla
B=klb
LOG=$(mktemp) || exit 1
HOLDERS=()

GCM_KEY=0x0102030405060708090a0b0c0d0e0f1011121314 # 16 B key + 4 B salt
CBC_KEY=0x2122232425262728292a2b2c2d2e2f30
HMAC_KEY=0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $*"
	sed 's/^/#   /' "$LOG" | tail -n 15
}

# check NAME CMD...: CMD must succeed; its output goes to $LOG.
check() {
	local name=$1

	shift
	if "$@" >"$LOG" 2>&1; then
		ok "$name"
	else
		not_ok "$name"
	fi
}

# check_fails NAME CMD...: CMD must fail.
check_fails() {
	local name=$1

	shift
	if "$@" >"$LOG" 2>&1; then
		not_ok "$name"
	else
		ok "$name"
	fi
}

finish() {
	local pid

	for pid in "${HOLDERS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	ip netns delete "$A" 2>/dev/null
	ip netns delete "$B" 2>/dev/null
	rm -f "$LOG"
	echo "# guest: $pass passed, $fail failed"
	# An explicit status: a bare exit in an EXIT trap keeps the script's.
	[ "$fail" -eq 0 ] && exit 0
	exit 1
}

# This script adds namespaces and XFRM state: only in the lab's guest.
if [ ! -d /.kernel-lab ]; then
	echo "not ok - guest_xfrm.sh runs only inside tests/kernel-lab/run"
	exit 1
fi
missing=
for tool in ip ping perl awk; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "not ok - tools missing in the guest:$missing (iproute2," \
		"iputils-ping, perl-base, mawk on the host)"
	exit 1
fi
trap finish EXIT
echo "# kernel $(uname -r)"

# topology: fresh namespaces, the veth, outer and inner addresses.
topology() {
	ip netns delete "$A" 2>/dev/null
	ip netns delete "$B" 2>/dev/null
	ip netns add "$A" && ip netns add "$B" &&
		ip link add veth-a netns "$A" type veth peer name veth-b netns "$B" &&
		ip -n "$A" addr add 192.0.2.1/24 dev veth-a &&
		ip -n "$B" addr add 192.0.2.2/24 dev veth-b &&
		ip -n "$A" addr add 10.10.1.1/32 dev lo &&
		ip -n "$B" addr add 10.10.2.1/32 dev lo &&
		for ns in "$A" "$B"; do
			ip -n "$ns" link set lo up || return 1
		done &&
		ip -n "$A" link set veth-a up && ip -n "$B" link set veth-b up
}

# states NS EXTRA...: both SAs in NS, with EXTRA (if_id, encap) appended.
states() {
	local ns=$1

	shift
	ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
		spi 0x1001 reqid 1 mode tunnel \
		aead 'rfc4106(gcm(aes))' "$GCM_KEY" 128 "$@" &&
		ip -n "$ns" xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp \
			spi 0x2002 reqid 2 mode tunnel \
			enc 'cbc(aes)' "$CBC_KEY" \
			auth-trunc 'hmac(sha256)' "$HMAC_KEY" 128 "$@"
}

# policies NS LOCAL-NET REMOTE-NET LOCAL REMOTE OUT-REQID IN-REQID EXTRA...
policies() {
	local ns=$1 lnet=$2 rnet=$3 l=$4 r=$5 oreq=$6 ireq=$7

	shift 7
	ip -n "$ns" xfrm policy add src "$lnet" dst "$rnet" dir out "$@" \
		tmpl src "$l" dst "$r" proto esp reqid "$oreq" mode tunnel &&
		ip -n "$ns" xfrm policy add src "$rnet" dst "$lnet" dir in "$@" \
			tmpl src "$r" dst "$l" proto esp reqid "$ireq" mode tunnel
}

# tunnel EXTRA...: states and policies on both sides.
tunnel() {
	states "$A" "$@" && states "$B" "$@" &&
		policies "$A" 10.10.1.0/24 10.10.2.0/24 192.0.2.1 192.0.2.2 1 2 \
			"${POLICY_EXTRA[@]}" &&
		policies "$B" 10.10.2.0/24 10.10.1.0/24 192.0.2.2 192.0.2.1 2 1 \
			"${POLICY_EXTRA[@]}"
}

# routes DEV-A DEV-B: the inner networks, each side through DEV.
routes() {
	ip -n "$A" route add 10.10.2.0/24 dev "$1" src 10.10.1.1 &&
		ip -n "$B" route add 10.10.1.0/24 dev "$2" src 10.10.2.1
}

ping_ab() {
	ip netns exec "$A" ping -n -c 3 -i 0.3 -w 60 -I 10.10.1.1 10.10.2.1
}

ping_ab_once() {
	ip netns exec "$A" ping -n -c 1 -W 3 -I 10.10.1.1 10.10.2.1
}

# counters: both SAs counted packets on both sides.
counters() {
	local ns spi n

	for ns in "$A" "$B"; do
		for spi in 0x1001 0x2002; do
			n=$(ip -n "$ns" -s xfrm state list spi "$spi" |
				awk '/lifetime current:/ { getline; print $2; exit }')
			n=${n%%(*}
			echo "$ns SA $spi: ${n:-?} packets"
			[ "${n:-0}" -gt 0 ] || return 1
		done
	done
}

delete_inbound_b() {
	ip -n "$B" xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp \
		spi 0x1001
}

# encap_socket NS: a UDP socket on port 4500 with UDP_ENCAP_ESPINUDP
# (setsockopt(SOL_UDP=17, UDP_ENCAP=100, 2)), held until killed.
encap_socket() {
	local ready
	ready=$(mktemp -u) || return 1

	# shellcheck disable=SC2016 # perl code
	ip netns exec "$1" perl -MSocket -e '
		socket(my $s, PF_INET, SOCK_DGRAM, 0) or die "socket: $!";
		bind($s, pack_sockaddr_in(4500, INADDR_ANY)) or die "bind: $!";
		setsockopt($s, 17, 100, pack("i", 2)) or die "UDP_ENCAP: $!";
		open(my $f, ">", $ARGV[0]) or die "$ARGV[0]: $!";
		close($f);
		sleep;' "$ready" &
	HOLDERS+=($!)
	ENCAP_PID=$!
	for _ in $(seq 1200); do
		[ -e "$ready" ] && rm -f "$ready" && return 0
		kill -0 "$ENCAP_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

echo "# modules"
check "modprobe (busybox's, in PATH) loads dummy" \
	sh -c 'modprobe dummy && grep -q "^dummy " /proc/modules'

echo "# policy-based tunnel"
POLICY_EXTRA=()
check "namespaces and veth" topology
check "ESP states (rfc4106(gcm(aes)), cbc(aes)+hmac(sha256)) and policies" \
	tunnel
check "route the inner networks" routes veth-a veth-b
check "ping 10.10.1.1 -> 10.10.2.1 through ESP" ping_ab
check "both SAs counted the packets on both sides" counters
check "delete B's inbound SA" delete_inbound_b
check_fails "ping fails without B's inbound SA" ping_ab_once

echo "# XFRM interfaces (if_id 42)"
xfrmi() {
	ip -n "$A" link add ipsec42 type xfrm dev veth-a if_id 42 &&
		ip -n "$B" link add ipsec42 type xfrm dev veth-b if_id 42 &&
		ip -n "$A" link set ipsec42 up && ip -n "$B" link set ipsec42 up
}
POLICY_EXTRA=(if_id 42)
check "namespaces and veth" topology
check "ip link add type xfrm if_id 42" xfrmi
check "ESP states and policies with if_id 42" tunnel if_id 42
check "route the inner networks into ipsec42" routes ipsec42 ipsec42
check "ping through the XFRM interfaces" ping_ab
check "both SAs counted the packets on both sides" counters
check "delete B's inbound SA" delete_inbound_b
check_fails "ping fails without B's inbound SA" ping_ab_once

echo "# ESP in UDP (encap espinudp 4500 4500)"
POLICY_EXTRA=()
check "namespaces and veth" topology
check "UDP_ENCAP_ESPINUDP socket on port 4500 in A" encap_socket "$A"
check "UDP_ENCAP_ESPINUDP socket on port 4500 in B" encap_socket "$B"
B_ENCAP_PID=$ENCAP_PID
check "ESP-in-UDP states and policies" \
	tunnel encap espinudp 4500 4500 0.0.0.0
check "states show encap type espinudp sport 4500 dport 4500" \
	sh -c "ip -n $A xfrm state | grep -c 'encap type espinudp sport 4500 dport 4500' | grep -qx 2"
check "route the inner networks" routes veth-a veth-b
check "ping through ESP-in-UDP" ping_ab
check "both SAs counted the packets on both sides" counters
kill "$B_ENCAP_PID" && wait "$B_ENCAP_PID" 2>/dev/null
check_fails "ping fails once B's encap socket is closed" ping_ab_once

echo "# modules loaded on demand: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
