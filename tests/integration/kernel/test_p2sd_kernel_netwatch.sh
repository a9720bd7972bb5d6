#!/bin/bash
# test_p2sd_kernel_netwatch.sh: network changes with `datapath: kernel`
# against the strongSwan gateway using the kernel too (kernel-netlink),
# both in namespaces.  Runs INSIDE the kernel lab (the host kernel has no
# ESP and no XFRM interfaces): see test_p2sd_kernel_netwatch_lab.sh.
#
#  - fail closed: the gateway deletes the SA and then ignores new IKE SAs;
#    while p2sd tries again its states and policies are gone but the XFRM
#    interface and the VNet route stay: status says fail_closed, pings to
#    the VNet get no answer and nothing of them (ICMP or ESP) leaves on
#    the uplink; once the gateway answers, the tunnel is back;
#  - the client's address changes: the kernel's states hold the old
#    addresses, so p2sd reconnects (no MOBIKE on this datapath) from the
#    new address, with new states, and pings go through;
#  - NAT keepalives (nat_keepalive: 1s) on the ESP-in-UDP socket: three
#    1-byte 0xff datagrams to port 4500 while idle.
#
# Needs root and the kernel lab's kernel.  Exit 0 on success, 1 on failure.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/p2sd_test.sh
. "$HERE/../lib/p2sd_test.sh"
# shellcheck source=../lib/harness.sh
. "$HERE/../lib/harness.sh"

IFNAME=p2s-kn0
CLIENT_NEW=198.51.100.20
n_fail=0

tb_p2sd_test_init kn xfrm # fail dumps the XFRM states too

cl() {
	ip -n "$TB_NS_CLIENT" "$@"
}

status_json() {
	P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SCTL" status p2s --json
}

status_is() {
	status_json 2>/dev/null | grep -q "\"state\":\"$1\""
}

n_states() {
	cl xfrm state | grep -c '^src '
}

# lab_up NAME [profile lines...]: NAT lab, kernel gateway, p2sd up.
lab_up() {
	local name=$1
	shift
	tb_init || fail "$name: tb_init"
	tb_topology_up --nat masquerade || fail "$name: topology"
	ip -n "$TB_NS_GW" route add "$TB_POOL" dev "$TB_GW_IF" ||
		fail "$name: route to the pool"
	tb_certs_make "$CERTS_DIR" || fail "$name: certificates"
	tb_responder_start --kernel netlink --auth pubkey || fail "$name: responder"
	tb_p2sd_profile "$TB_DIR/p2s.yaml" id= auth=pubkey datapath=kernel \
	    interface="$IFNAME" -- "$@"
	tb_spawn p2sd "$TB_NS_CLIENT" "$TB_LOGDIR/p2sd.log" \
	    env P2S_RUNTIME_DIR="$TB_DIR/run" "$P2SD" --foreground --verbose \
	    --profile "$TB_DIR/p2s.yaml"
	tb_responder_wait_child 120 || fail "$name: the gateway installed no CHILD_SA"
	tb_wait_until 60 status_is established || fail "$name: p2sd is not up"
	grep -q 'kernel datapath: XFRM interface' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not take the kernel datapath"
	tb_wait_until 20 tb_ping_vnet 1 >/dev/null 2>&1 || fail "$name: no first ping"
}

back_up() {
	tb_wait_until 120 status_is established || fail "$1: p2sd did not reconnect"
	tb_wait_until 30 tb_ping_vnet 1 >/dev/null 2>&1 ||
		fail "$1: reconnected, but no ping through the tunnel"
	BACK_MS=$(($(tb_now_ms) - $2))
}

stop_p2sd() {
	tb_stop p2sd
	grep -q 'exiting with status 0' "$TB_LOGDIR/p2sd.log" ||
		fail "$1: p2sd did not exit with status 0"
}

fail_closed() (
	name="kernel: fail closed while reconnecting"
	lab_up "$name"
	ip netns exec "$TB_NS_GW" nft -f - <<'EON' || fail "$name: nft"
table inet p2s_knblock {
	chain input {
		type filter hook input priority -10; policy accept;
		udp dport 500 drop
	}
}
EON
	t0=$(tb_now_ms)
	tb_responder_swanctl --terminate --ike azure-p2s-pubkey >/dev/null 2>&1 ||
		fail "$name: swanctl --terminate"
	tb_wait_until 30 grep -q 'the gateway deleted the IKE SA' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not see the DELETE"
	st=$(status_json)
	printf '%s\n' "$st" | grep -q '"fail_closed":true' ||
		fail "$name: status does not say fail_closed: $st"
	[ "$(n_states)" -eq 0 ] || fail "$name: $(n_states) XFRM states left while down"
	cl route get "$TB_VNET_HOST" | grep -q "dev $IFNAME" ||
		fail "$name: the VNet route left $IFNAME"
	ip netns exec "$TB_NS_CLIENT" timeout 60 tcpdump -n -l -i "$TB_CLIENT_IF" \
	    "icmp or esp or (udp port 4500 and udp[8:4] != 0 and udp[4:2] > 9)" \
	    >"$TB_LOGDIR/tcpdump.out" 2>"$TB_LOGDIR/tcpdump.err" &
	tpid=$!
	tb_wait_until 30 grep -q 'listening on' "$TB_LOGDIR/tcpdump.err" ||
		fail "$name: tcpdump did not start"
	ip netns exec "$TB_NS_CLIENT" ping -n -c 10 -i 0.2 -W 1 "$TB_VNET_HOST" \
	    >"$TB_LOGDIR/ping.out" 2>&1
	kill "$tpid"
	wait "$tpid"
	grep -q ' 0 received' "$TB_LOGDIR/ping.out" ||
		fail "$name: pings answered with no tunnel: $(tail -2 "$TB_LOGDIR/ping.out")"
	n=$(grep -c . "$TB_LOGDIR/tcpdump.out")
	[ "$n" -eq 0 ] || fail "$name: $n packets of the pings on the uplink: $(head -3 "$TB_LOGDIR/tcpdump.out")"
	cl -s link show "$IFNAME" | sed 's/^/#   /'
	ok "$name: 10 pings, none answered, nothing of them on the uplink; fail_closed"
	ip netns exec "$TB_NS_GW" nft delete table inet p2s_knblock || fail "$name: nft delete"
	t1=$(tb_now_ms)
	back_up "$name" "$t1"
	ok "$name: back $BACK_MS ms after the gateway answered again ($(($(tb_now_ms) - t0)) ms since the DELETE)"
	stop_p2sd "$name"
)

client_moves() (
	name="kernel: the client's address changes"
	lab_up "$name"
	n_up=$(grep -c 'tunnel up' "$TB_LOGDIR/p2sd.log")
	t0=$(tb_now_ms)
	ip netns exec "$TB_NS_CLIENT" sysctl -q -w \
	    "net.ipv4.conf.$TB_CLIENT_IF.promote_secondaries=1" &&
		cl addr add "$CLIENT_NEW/24" dev "$TB_CLIENT_IF" &&
		cl addr del "$TB_CLIENT_ADDR/24" dev "$TB_CLIENT_IF" &&
		cl route replace default via 198.51.100.1 ||
		fail "$name: moving the client"
	tb_wait_until 30 grep -q 'the path to the gateway changed' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: p2sd did not see the path change"
	tb_wait_until 60 sh -c "[ \$(grep -c 'tunnel up' '$TB_LOGDIR/p2sd.log') -gt $n_up ]" ||
		fail "$name: no new tunnel"
	back_up "$name" "$t0"
	! grep -q 'UPDATE_SA_ADDRESSES' "$TB_LOGDIR/p2sd.log" ||
		fail "$name: MOBIKE on the kernel datapath"
	cl xfrm state | grep -q "$CLIENT_NEW" ||
		fail "$name: the states do not carry the new address"
	[ "$(n_states)" -eq 2 ] || fail "$name: $(n_states) states, not 2"
	ok "$name: reconnected from $CLIENT_NEW, pings through $BACK_MS ms after the change"
	stop_p2sd "$name"
)

keepalives() (
	name="kernel: NAT keepalives"
	lab_up "$name" "nat_keepalive: 1s" "dpd: 0"
	ip netns exec "$TB_NS_CLIENT" timeout 60 tcpdump -n -l -i "$TB_CLIENT_IF" -c 3 \
	    "udp and dst port 4500 and udp[4:2] = 9 and udp[8] = 0xff" \
	    >"$TB_LOGDIR/ka.out" 2>"$TB_LOGDIR/ka.err"
	n=$(grep -c 'isakmp-nat-keep-alive' "$TB_LOGDIR/ka.out")
	[ "$n" -eq 3 ] || fail "$name: $n keepalives seen, want 3"
	ok "$name: 3 NAT keepalives on the ESP-in-UDP socket while idle"
	stop_p2sd "$name"
)

fail_closed || n_fail=$((n_fail + 1))
client_moves || n_fail=$((n_fail + 1))
keepalives || n_fail=$((n_fail + 1))

echo "# p2sd kernel netwatch: $n_fail case(s) failed"
exit $((n_fail != 0))
