# shellcheck shell=bash
# azure_package.sh: make a VpnClientConfiguration.zip shaped like the one
# the Azure portal generates (azure-p2s-facts.md section 1), for the lab's
# gateway: Generic/VpnSettings.xml (the real schema, as in the samples in
# tests/data/azure) and Generic/VpnServerRoot.cer (the gateway root, DER).
# Needs the zip command (scripts/deps.sh installs it).

# tb_azure_package OUT.zip [SERVER_ROOT.pem...]: the package for this lab.
# One root (default $TB_CERTS/ServerRootCA.pem): Generic/VpnServerRoot.cer
# and <ServerCertRootCn>.  Several (a package made while Azure rotates the
# gateway root): Generic/VpnServerRoot.cer_0, _1, ... in the order given,
# and a <string> per root in <CaCerts> and <ServerCertsRootCn>, the newer
# shape (azure-p2s-facts.md section 2).
tb_azure_package() {
	local out=$1 d i=0 f root cn strings='' names=''
	shift
	[ $# -gt 0 ] || set -- "$TB_CERTS/ServerRootCA.pem"
	d=$(mktemp -d "$TB_DIR/azpkg.XXXXXX") || return 1
	mkdir -p "$d/Generic" || return 1
	for root in "$@"; do
		f=$d/Generic/VpnServerRoot.cer
		[ $# -eq 1 ] || f=${f}_$i
		openssl x509 -in "$root" -outform DER -out "$f" || return 1
		cn=$(openssl x509 -in "$root" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
		strings+="${strings:+$'\n'}    <string>$(base64 -w0 "$f")</string>"
		names+="${names:+$'\n'}    <string>$cn</string>"
		i=$((i + 1))
	done
	if [ $# -eq 1 ]; then
		names="  <ServerCertRootCn>$cn</ServerCertRootCn>
  <ServerCertIssuerCn>$cn</ServerCertIssuerCn>"
	else
		names="  <ServerCertsRootCn>
$names
  </ServerCertsRootCn>"
	fi
	# CRLF line ends, as Windows writes them.
	sed 's/$/\r/' >"$d/Generic/VpnSettings.xml" <<-EOF
		<?xml version="1.0"?>
		<VpnProfile xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
		  <VpnServer>$TB_GW_FQDN</VpnServer>
		  <VpnType>IkeV2,OpenVPN</VpnType>
		  <CaCerts>
		$strings
		  </CaCerts>
		  <Routes>$TB_VNET_PREFIX</Routes>
		  <Auth>EAPTLS</Auth>
		  <VnetName>vnet-p2s-lab</VnetName>
		  <VnetId>3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37</VnetId>
		$names
		  <VpnClientAddressPool>$TB_POOL</VpnClientAddressPool>
		  <AadIssuer />
		  <AadTenant />
		  <AadAudience />
		  <CustomDnsServers />
		</VpnProfile>
	EOF
	rm -f "$out"
	(cd "$d" && zip -q -X -r "$out" Generic) || return 1
	rm -rf "$d"
}

# tb_gateway_hosts: the client namespace resolves the gateway's name to
# its lab address, as public DNS resolves Azure's gateway name.
tb_gateway_hosts() {
	tb_ns_etc client hosts "127.0.0.1 localhost
$TB_GW_ADDR $TB_GW_FQDN"
}
