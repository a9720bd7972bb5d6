# shellcheck shell=bash
# tests/integration/lib/responder.sh: a strongSwan responder that behaves
# like an Azure VPN Gateway for point-to-site IKEv2, in the gw namespace.
#
# Two connections share one address pool:
#   azure-p2s         gateway: certificate (pubkey); client: EAP-TLS, the
#                     gateway first asks for the EAP identity (eap_id %any)
#   azure-p2s-pubkey  gateway: certificate; client: certificate (pubkey)
# The client must chain to P2SRootCert (pinned, like Azure's uploaded
# roots). The gateway's CHILD_SA narrows the client's traffic selectors to
# the VNet prefixes, assigns a virtual IP from the pool, and pushes DNS.
# Proposals default to Azure's published P2S table
# (azure-p2s-facts.md section 5.1).
#
# Files: $TB_RESPONDER_DIR (= $TB_DIR/gw): strongswan.conf, swanctl.conf,
# charon.log (the file logger), charon.vici (the vici socket).

[ -n "${TB_COMMON_SH_LOADED:-}" ] || . "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$TB_LIB_DIR/topology.sh"
. "$TB_LIB_DIR/certs.sh"
. "$TB_LIB_DIR/strongswan.sh"

# Azure's default P2S IKEv2 policy, as strongSwan proposals, in table order.
# aes256-sha384 implies PRF SHA-384 (strongSwan derives the PRF from the
# integrity algorithm when none is given), matching Azure's rows.
# modp2048s256 = group 24, modp1024 = group 2 (AES256/SHA256 only).
TB_AZURE_IKE_PROPOSALS="aes256gcm16-prfsha384-modp2048s256-modp2048-ecp384-ecp256,aes256gcm16-prfsha256-modp2048s256-modp2048-ecp384-ecp256,aes256-sha384-modp2048s256-modp2048-ecp384-ecp256,aes256-sha256-modp2048s256-modp2048-ecp384-ecp256-modp1024"
# Azure's ESP table: GCM-256 and AES-256/SHA-256 with no PFS or groups
# 24/14/ECP384/ECP256; AES-256/SHA-1 without PFS. "modpnone" makes PFS
# optional.
TB_AZURE_ESP_PROPOSALS="aes256gcm16-modpnone-modp2048s256-modp2048-ecp384-ecp256,aes256-sha256-modpnone-modp2048s256-modp2048-ecp384-ecp256,aes256-sha1"

TB_RESPONDER_LOG_DEFAULT="default 1 ike 2 cfg 2 knl 1 tls 2"

# tb_responder_start [OPTION...]: write the configuration and start the
# responder; returns once the connections are loaded. Options:
#   --auth both|eap-tls|pubkey   which client auth connections to load
#                                (default both)
#   --proposals LIST             IKE proposals (default TB_AZURE_IKE_PROPOSALS)
#   --esp-proposals LIST         ESP proposals (default TB_AZURE_ESP_PROPOSALS)
#   --fragment-size N            IKE fragment size, bytes of the whole IP
#                                datagram (default 1280)
#   --fragmentation yes|no|accept|force   RFC 7383 (default yes)
#   --eap-fragment-size N        EAP-TLS fragment size (default 1024)
#   --tls-max 1.2|1.3            highest TLS version (default 1.2)
#   --crl                        load P2SRootCert.crl (revokes P2SRevokedCert)
#   --client-root FILE           the pinned client root (default
#                                $TB_CERTS/P2SRootCert.pem)
#   --cert PREFIX                the gateway's certificate and key,
#                                PREFIX.pem/.key (default $TB_CERTS/gateway)
#   --chain FILE                 intermediate CAs the gateway sends with
#                                its certificate (default none)
#   --id ID                      the gateway's IKE identity, IDr (default
#                                $TB_GW_FQDN; must be in the certificate)
#   --local-ts LIST              VNet prefixes (default $TB_VNET_PREFIX)
#   --pool CIDR                  client pool (default $TB_POOL)
#   --dns LIST                   DNS servers pushed ("" for none; default
#                                $TB_VNET_HOST)
#   --dpd-delay T                (default 30s)
#   --local-addrs LIST           the gateway's addresses the connections
#                                accept (default $TB_GW_ADDR)
#   --mobike yes|no              (default yes, strongSwan's)
#   --ike-rekey-time T, --child-rekey-time T   (strongSwan defaults if unset)
#   --log "SUBSYS LEVEL ..."     file log levels (default
#                                "$TB_RESPONDER_LOG_DEFAULT")
#   --charon-extra TEXT          extra strongswan.conf text in charon { }
#   --kernel libipsec|netlink    ESP in charon over a TUN (default), or in
#                                the kernel over XFRM (the kernel lab only;
#                                add a route to the pool yourself)
# Needs tb_init, tb_topology_up and tb_certs_make first. Sets
# TB_RESPONDER_DIR and TB_RESPONDER_LOG.
tb_responder_start() {
	local auth=both proposals=$TB_AZURE_IKE_PROPOSALS esp=$TB_AZURE_ESP_PROPOSALS
	local fragsize=1280 frag=yes eapfrag=1024 tlsmax=1.2 crl='' root=${TB_CERTS:-}/P2SRootCert.pem
	local id=$TB_GW_FQDN local_ts=$TB_VNET_PREFIX pool=$TB_POOL dns=$TB_VNET_HOST
	local dpd=30s ike_rekey='' child_rekey='' log=$TB_RESPONDER_LOG_DEFAULT extra=''
	local local_addrs=$TB_GW_ADDR mobike=yes cert=${TB_CERTS:-}/gateway chain=''
	local TB_SW_KERNEL=libipsec # read by _tb_sw_write_conf
	while [ $# -gt 0 ]; do
		case $1 in
		--auth) auth=$2 ;;
		--proposals) proposals=$2 ;;
		--esp-proposals) esp=$2 ;;
		--fragment-size) fragsize=$2 ;;
		--fragmentation) frag=$2 ;;
		--eap-fragment-size) eapfrag=$2 ;;
		--tls-max) tlsmax=$2 ;;
		--crl) crl=1; shift; continue ;;
		--client-root) root=$2 ;;
		--cert) cert=$2 ;;
		--chain) chain=$2 ;;
		--id) id=$2 ;;
		--local-ts) local_ts=$2 ;;
		--pool) pool=$2 ;;
		--dns) dns=$2 ;;
		--dpd-delay) dpd=$2 ;;
		--local-addrs) local_addrs=$2 ;;
		--mobike) mobike=$2 ;;
		--ike-rekey-time) ike_rekey=$2 ;;
		--child-rekey-time) child_rekey=$2 ;;
		--log) log=$2 ;;
		--charon-extra) extra=$2 ;;
		--kernel) TB_SW_KERNEL=$2 ;;
		*) tb_err "tb_responder_start: unknown option $1"; return 1 ;;
		esac
		[ $# -ge 2 ] || { tb_err "tb_responder_start: $1 needs a value"; return 1; }
		shift 2
	done
	case $auth in both | eap-tls | pubkey) ;; *) tb_err "--auth: both, eap-tls or pubkey"; return 1 ;; esac
	[ -n "${TB_NS_GW:-}" ] || { tb_err "call tb_topology_up first"; return 1; }
	[ -n "${TB_CERTS:-}" ] || { tb_err "call tb_certs_make first"; return 1; }
	tb_ensure_tools || return 1

	local d=$TB_DIR/gw
	TB_RESPONDER_DIR=$d
	TB_RESPONDER_LOG=$d/charon.log
	export TB_RESPONDER_DIR TB_RESPONDER_LOG
	_tb_sw_write_conf "$d" "$log" "$(
		printf '    fragment_size = %s\n' "$fragsize"
		printf '    tls {\n        version_min = 1.2\n        version_max = %s\n    }\n' "$tlsmax"
		printf '    plugins {\n        eap-tls {\n            fragment_size = %s\n            max_message_count = 32\n            include_length = yes\n        }\n    }\n' "$eapfrag"
		printf '%s\n' "$extra"
	)" || return 1

	cp "$cert.pem" "$d/x509/gateway.pem" &&
		cp "$cert.key" "$d/private/gateway.key" &&
		cp "$root" "$d/x509ca/client-root.pem" || return 1
	rm -f "$d/x509ca/gateway-chain.pem" # a restart's: the last one's goes
	if [ -n "$chain" ]; then
		cp "$chain" "$d/x509ca/gateway-chain.pem" || return 1
	fi
	if [ -n "$crl" ]; then
		cp "$TB_CERTS/P2SRootCert.crl" "$d/x509crl/P2SRootCert.crl" || return 1
	fi

	local common child_common
	common="        version = 2
        local_addrs = $local_addrs
        mobike = $mobike
        pools = p2s-pool
        proposals = $proposals
        fragmentation = $frag
        send_certreq = yes
        send_cert = always
        unique = never
        dpd_delay = $dpd
${ike_rekey:+        rekey_time = $ike_rekey
}        local {
            auth = pubkey
            certs = gateway.pem
            id = $id
        }"
	child_common="                local_ts = $local_ts
                esp_proposals = $esp
                dpd_action = clear
${child_rekey:+                rekey_time = $child_rekey
}"
	{
		echo "# generated by tests/integration/lib/responder.sh"
		echo "connections {"
		if [ "$auth" != pubkey ]; then
			cat <<-EOF
				    azure-p2s {
				$common
				        remote {
				            auth = eap-tls
				            eap_id = %any
				            cacerts = client-root.pem
				        }
				        children {
				            azure-p2s {
				$child_common            }
				        }
				    }
			EOF
		fi
		if [ "$auth" != eap-tls ]; then
			cat <<-EOF
				    azure-p2s-pubkey {
				$common
				        remote {
				            auth = pubkey
				            cacerts = client-root.pem
				        }
				        children {
				            azure-p2s-pubkey {
				$child_common            }
				        }
				    }
			EOF
		fi
		echo "}"
		echo "pools {"
		echo "    p2s-pool {"
		echo "        addrs = $pool"
		[ -n "$dns" ] && echo "        dns = $dns"
		echo "    }"
		echo "}"
	} >"$d/swanctl.conf"
	_tb_sw_start responder "$TB_NS_GW" "$d"
}

# tb_responder_stop: SIGTERM the responder (it sends DELETEs), SIGKILL after
# 5 s.
tb_responder_stop() {
	tb_stop responder
}

# tb_responder_swanctl COMMAND [ARG...]: swanctl against the responder.
tb_responder_swanctl() {
	tb_swanctl "$TB_RESPONDER_DIR" "$@"
}

# tb_responder_has_child: true if the responder has an INSTALLED CHILD_SA.
tb_responder_has_child() {
	tb_responder_swanctl --list-sas 2>/dev/null | grep -q 'INSTALLED'
}

# tb_responder_wait_child [TIMEOUT_S]: wait (default 15 s) until the
# responder has an INSTALLED CHILD_SA (for any client, e.g. p2sd).
tb_responder_wait_child() {
	tb_wait_until "${1:-15}" tb_responder_has_child
}

# tb_responder_wait_log REGEX [TIMEOUT_S]: wait until the responder's log
# has a line matching the extended REGEX (default 10 s).
tb_responder_wait_log() {
	tb_wait_until "${2:-10}" grep -qE -- "$1" "$TB_RESPONDER_LOG"
}
