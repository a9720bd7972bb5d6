/* SPDX-License-Identifier: ISC */
/*
 * ike_cp.c: the configuration payload of IKE_AUTH.  We ask for an IPv4
 * and an IPv6 address and for DNS servers of both families; the gateway
 * answers with what it has (strongSwan and Azure push DNS even when not
 * asked, so DNS is taken whenever it comes).
 *
 * RFC 7296 2.19 (requesting an internal address), 3.15 and 3.15.1
 * (attributes: an IPv4 address is 4 bytes, an IPv6 address 16 and a
 * prefix length); attributes we do not use are ignored, as 3.15.1 asks.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ike_int.h"
#include "names.h"

#define IPV4_LEN 4
#define IPV6_LEN 16

void
ike_cp_request(struct ike_pld_cp *ret)
{
	static const uint16_t asked[] = { IKE_CFG_INTERNAL_IP4_ADDRESS,
		IKE_CFG_INTERNAL_IP4_DNS, IKE_CFG_INTERNAL_IP6_ADDRESS,
		IKE_CFG_INTERNAL_IP6_DNS };

	ret->type = IKE_CFG_REQUEST;
	ret->n_attrs = ARRAY_SIZE(asked);
	for (size_t i = 0; i < ARRAY_SIZE(asked); i++)
		ret->attrs[i] = (struct ike_cp_attr){ .type = asked[i],
			.value = rd_make(NULL, 0) };
}

static void
addr_set(struct sockaddr_storage *ss, int family, const uint8_t *a)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in4 = (struct sockaddr_in *)ss;

		in4->sin_family = AF_INET;
		memcpy(&in4->sin_addr, a, IPV4_LEN);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a, IPV6_LEN);
	}
}

static void
dns_add(struct ike_child *c, int family, const uint8_t *a)
{
	if (c->n_dns == IKE_CHILD_MAX_DNS) {
		log_debug("more than %d DNS servers pushed; ignoring the rest",
		    IKE_CHILD_MAX_DNS);
		return;
	}
	addr_set(&c->dns[c->n_dns++], family, a);
}

/* One attribute; the parser already checked the lengths of known types
 * (empty values are legal and carry nothing). */
static void
attr_take(const struct ike_cp_attr *a, struct ike_child *c)
{
	const uint8_t *v = a->value.p;
	size_t len = rd_left(&a->value);

	if (a->type == IKE_CFG_INTERNAL_IP4_ADDRESS && len == IPV4_LEN &&
	    c->vip4.ss_family == AF_UNSPEC)
		addr_set(&c->vip4, AF_INET, v);
	else if (a->type == IKE_CFG_INTERNAL_IP6_ADDRESS &&
	    len == IPV6_LEN + 1 && c->vip6.ss_family == AF_UNSPEC)
		addr_set(&c->vip6, AF_INET6, v);
	else if (a->type == IKE_CFG_INTERNAL_IP4_DNS && len == IPV4_LEN)
		dns_add(c, AF_INET, v);
	else if (a->type == IKE_CFG_INTERNAL_IP6_DNS && len == IPV6_LEN)
		dns_add(c, AF_INET6, v);
	else
		log_debug("CP attribute %s (%zu bytes) ignored",
		    names_cfg_attr(a->type, NAMES_TMP), len);
}

int
ike_cp_reply(
    const struct ike_pld_cp *cp, struct ike_child *c, char *why, size_t why_len)
{
	if (cp->type != IKE_CFG_REPLY) {
		(void)snprintf(why, why_len, "a %s configuration payload",
		    names_cfg_type(cp->type, NAMES_TMP));
		return -EPROTO;
	}
	for (size_t i = 0; i < cp->n_attrs; i++)
		attr_take(&cp->attrs[i], c);
	return 0;
}
