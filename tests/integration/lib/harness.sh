# shellcheck shell=bash
# tests/integration/lib/harness.sh: source this one file to get the whole
# integration harness (common, topology, certs, responder, reference
# client). See tests/integration/README.md for the API.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$TB_LIB_DIR/topology.sh"
. "$TB_LIB_DIR/certs.sh"
. "$TB_LIB_DIR/strongswan.sh"
. "$TB_LIB_DIR/responder.sh"
. "$TB_LIB_DIR/client_strongswan.sh"
. "$TB_LIB_DIR/azure_package.sh"
. "$TB_LIB_DIR/dns.sh"
