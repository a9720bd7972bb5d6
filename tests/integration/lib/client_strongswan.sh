# shellcheck shell=bash
# tests/integration/lib/client_strongswan.sh: the strongSwan reference
# client (charon-systemd with kernel-libipsec) in the client namespace,
# configured the way a user would to reach the Azure-like gateway.
#
# One connection, "azure" (CHILD_SA "azure"), written by tb_sclient_start:
# requests a virtual IP and 0.0.0.0/0 (the gateway narrows it), pins
# ServerRootCA as the gateway's root, and authenticates with EAP-TLS or a
# certificate. Pushed DNS goes to an updown script that only logs
# (dns_handler), never to /etc/resolv.conf.
#
# Files: $TB_SCLIENT_DIR (= $TB_DIR/sclient): strongswan.conf,
# swanctl.conf, charon.log, updown.log (one line per updown event:
# verb, vip, dns, ...), initiate.out (output of the last swanctl
# --initiate).
#
# The client and p2sd both bind UDP 500/4500: stop one before starting the
# other in the same namespace.

[ -n "${TB_COMMON_SH_LOADED:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$TB_LIB_DIR/topology.sh"
. "$TB_LIB_DIR/certs.sh"
. "$TB_LIB_DIR/strongswan.sh"

# What a user would write from Azure's docs: subsets of Azure's table.
TB_SCLIENT_IKE_PROPOSALS="aes256gcm16-prfsha384-ecp384,aes256-sha256-modp2048"
TB_SCLIENT_ESP_PROPOSALS="aes256gcm16,aes256-sha256"
TB_SCLIENT_LOG_DEFAULT="default 1 ike 2 cfg 2 knl 1 tls 2"

# tb_sclient_start [OPTION...]: write the configuration, start the client
# daemon and load it (does not connect). Options:
#   --auth eap-tls|pubkey        (default eap-tls)
#   --cred pem|p12-aes|p12-3des|otherca|revoked
#                                client credential: P2SChildCert as PEM
#                                (default), from either .p12, the look-alike
#                                from OtherRootCA, or P2SRevokedCert
#   --proposals LIST             IKE (default TB_SCLIENT_IKE_PROPOSALS)
#   --esp-proposals LIST         ESP (default TB_SCLIENT_ESP_PROPOSALS)
#   --remote-id ID               expected gateway identity; %any sends no IDr
#                                (default $TB_GW_FQDN, which is sent as IDr)
#   --server-root FILE           pinned gateway root (default ServerRootCA.pem)
#   --fragmentation yes|no       (default yes)
#   --fragment-size N            (default 1280)
#   --tls-max 1.2|1.3            (default 1.2)
#   --log "SUBSYS LEVEL ..."     (default "$TB_SCLIENT_LOG_DEFAULT")
#   --charon-extra TEXT          extra strongswan.conf text in charon { }
# Sets TB_SCLIENT_DIR, TB_SCLIENT_LOG.
tb_sclient_start() {
	local auth=eap-tls cred=pem proposals=$TB_SCLIENT_IKE_PROPOSALS esp=$TB_SCLIENT_ESP_PROPOSALS
	local remote_id=$TB_GW_FQDN sroot=${TB_CERTS:-}/ServerRootCA.pem frag=yes fragsize=1280
	local tlsmax=1.2 log=$TB_SCLIENT_LOG_DEFAULT extra=
	while [ $# -gt 0 ]; do
		case $1 in
		--auth) auth=$2 ;;
		--cred) cred=$2 ;;
		--proposals) proposals=$2 ;;
		--esp-proposals) esp=$2 ;;
		--remote-id) remote_id=$2 ;;
		--server-root) sroot=$2 ;;
		--fragmentation) frag=$2 ;;
		--fragment-size) fragsize=$2 ;;
		--tls-max) tlsmax=$2 ;;
		--log) log=$2 ;;
		--charon-extra) extra=$2 ;;
		*) tb_err "tb_sclient_start: unknown option $1"; return 1 ;;
		esac
		[ $# -ge 2 ] || { tb_err "tb_sclient_start: $1 needs a value"; return 1; }
		shift 2
	done
	case $auth in eap-tls | pubkey) ;; *) tb_err "--auth: eap-tls or pubkey"; return 1 ;; esac
	[ -n "${TB_NS_CLIENT:-}" ] || { tb_err "call tb_topology_up first"; return 1; }
	[ -n "${TB_CERTS:-}" ] || { tb_err "call tb_certs_make first"; return 1; }
	tb_ensure_tools || return 1

	if tb_pid_of sclient >/dev/null; then
		tb_err "the reference client is already running (tb_sclient_stop first)"
		return 1
	fi
	local d=$TB_DIR/sclient
	TB_SCLIENT_DIR=$d
	TB_SCLIENT_LOG=$d/charon.log
	export TB_SCLIENT_DIR TB_SCLIENT_LOG
	rm -rf "$d"
	_tb_sw_write_conf "$d" "$log" "$(
		printf '    fragment_size = %s\n' "$fragsize"
		printf '    tls {\n        version_min = 1.2\n        version_max = %s\n    }\n' "$tlsmax"
		printf '    plugins {\n        updown {\n            dns_handler = yes\n        }\n    }\n'
		printf '%s\n' "$extra"
	)" || return 1

	cat >"$d/updown.sh" <<-'EOF'
		#!/bin/sh
		# logs the event only; routes and addresses are kernel-libipsec's job
		echo "$PLUTO_VERB conn=$PLUTO_CONNECTION vip=$PLUTO_MY_SOURCEIP my_client=$PLUTO_MY_CLIENT peer_client=$PLUTO_PEER_CLIENT me=$PLUTO_ME peer=$PLUTO_PEER dns4_1=$PLUTO_DNS4_1 dns4_2=$PLUTO_DNS4_2 udp_enc=$PLUTO_UDP_ENC reqid=$PLUTO_REQID" >>"$1"
	EOF
	chmod 0755 "$d/updown.sh"
	cp "$sroot" "$d/x509ca/server-root.pem" || return 1

	local certline="" secrets="" c=$TB_CERTS
	case $cred in
	pem)
		cp "$c/P2SChildCert.pem" "$d/x509/client.pem" && cp "$c/P2SChildCert.key" "$d/private/client.key" || return 1
		certline="            certs = client.pem" ;;
	otherca)
		cp "$c/P2SChildCert-otherca.pem" "$d/x509/client.pem" && cp "$c/P2SChildCert-otherca.key" "$d/private/client.key" || return 1
		# strongSwan needs the chain locally to pick the certificate
		cp "$c/OtherRootCA.pem" "$d/x509ca/other-root.pem" || return 1
		certline="            certs = client.pem" ;;
	revoked)
		cp "$c/P2SRevokedCert.pem" "$d/x509/client.pem" && cp "$c/P2SRevokedCert.key" "$d/private/client.key" || return 1
		certline="            certs = client.pem" ;;
	p12-aes | p12-3des)
		cp "$c/P2SChildCert-${cred#p12-}.p12" "$d/pkcs12/client.p12" && chmod 0600 "$d/pkcs12/client.p12" || return 1
		secrets="secrets {
    pkcs12-client {
        file = client.p12
        secret = \"$TB_P12_PASSWORD\"
    }
}" ;;
	*) tb_err "--cred: pem, p12-aes, p12-3des, otherca or revoked"; return 1 ;;
	esac
	local id=$TB_CLIENT_ID
	[ "$cred" = revoked ] && id=P2SRevokedCert

	cat >"$d/swanctl.conf" <<-EOF
		# generated by tests/integration/lib/client_strongswan.sh
		connections {
		    azure {
		        version = 2
		        remote_addrs = $TB_GW_ADDR
		        vips = 0.0.0.0
		        proposals = $proposals
		        fragmentation = $frag
		        send_certreq = yes
		        local {
		            auth = $auth
		            id = $id
		$certline
		        }
		        remote {
		            auth = pubkey
		            id = $remote_id
		            cacerts = server-root.pem
		        }
		        children {
		            azure {
		                remote_ts = 0.0.0.0/0
		                esp_proposals = $esp
		                start_action = none
		                updown = $d/updown.sh $d/updown.log
		            }
		        }
		    }
		}
		$secrets
	EOF
	_tb_sw_start sclient "$TB_NS_CLIENT" "$d"
}

# tb_sclient_swanctl COMMAND [ARG...]: swanctl against the reference client.
tb_sclient_swanctl() {
	tb_swanctl "$TB_SCLIENT_DIR" "$@"
}

# tb_sclient_initiate [TIMEOUT_S]: connect (IKE_SA and CHILD_SA "azure"),
# waiting at most TIMEOUT_S (default 20). Returns swanctl's status;
# output in $TB_SCLIENT_DIR/initiate.out.
tb_sclient_initiate() {
	local t=${1:-20} rc
	timeout -k 2 $((t + 5)) env STRONGSWAN_CONF="$TB_SCLIENT_DIR/strongswan.conf" \
		"${TB_SWANCTL:-swanctl}" --initiate --child azure --timeout "$t" \
		--uri "unix://$TB_SCLIENT_DIR/charon.vici" >"$TB_SCLIENT_DIR/initiate.out" 2>&1
	rc=$?
	return $rc
}

# tb_sclient_has_child: true if the client has an INSTALLED CHILD_SA.
tb_sclient_has_child() {
	tb_sclient_swanctl --list-sas 2>/dev/null | grep -q 'INSTALLED'
}

# tb_sclient_wait_child [TIMEOUT_S]: wait (default 10 s) for the CHILD_SA.
tb_sclient_wait_child() {
	tb_wait_until "${1:-10}" tb_sclient_has_child
}

# tb_sclient_vip: print the virtual IP the client got (from the updown log).
tb_sclient_vip() {
	sed -n 's/^up-client .* vip=\([0-9.]*\) .*/\1/p' "$TB_SCLIENT_DIR/updown.log" 2>/dev/null | tail -n1
}

# tb_sclient_terminate [TIMEOUT_S]: close the IKE_SA (sends DELETE).
tb_sclient_terminate() {
	local t=${1:-10}
	timeout -k 2 $((t + 5)) env STRONGSWAN_CONF="$TB_SCLIENT_DIR/strongswan.conf" \
		"${TB_SWANCTL:-swanctl}" --terminate --ike azure --timeout "$t" \
		--uri "unix://$TB_SCLIENT_DIR/charon.vici" >"$TB_SCLIENT_DIR/terminate.out" 2>&1
}

# tb_sclient_stop: stop the client daemon (SIGTERM, SIGKILL after 5 s).
tb_sclient_stop() {
	tb_stop sclient
}
