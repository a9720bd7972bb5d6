/* SPDX-License-Identifier: ISC */
/*
 * ike_check.c: every codec pass over one message, with the round-trip and
 * rules invariants of ike_check.h.  Test code: it keeps its scratch space
 * in static buffers (the fuzzer and the tests are single-threaded).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_check.h"
#include "names.h"

#define SCRATCH_LEN (IKE_MSG_MAX_LEN + 1024) /* bytes: one rebuilt message */

static P2S_NORETURN void
invariant_failed(const char *what, uint8_t type)
{
	fprintf(stderr, "ike_check: invariant violated: %s (payload %u)\n",
	    what, type);
	abort();
}

/* ---- Field equality, one function per payload struct ---- */

static bool
eq_xform(const struct ike_xform *a, const struct ike_xform *b)
{
	return a->type == b->type && a->id == b->id &&
	    a->key_bits == b->key_bits && a->unknown_attr == b->unknown_attr;
}

static bool
eq_proposal(const struct ike_proposal *a, const struct ike_proposal *b)
{
	if (a->num != b->num || a->proto != b->proto ||
	    a->spi_len != b->spi_len || a->n_xforms != b->n_xforms ||
	    memcmp(a->spi, b->spi, a->spi_len) != 0)
		return false;
	for (size_t i = 0; i < a->n_xforms; i++)
		if (!eq_xform(&a->xforms[i], &b->xforms[i]))
			return false;
	return true;
}

static bool
eq_sa(const void *x, const void *y)
{
	const struct ike_pld_sa *a = x, *b = y;

	if (a->n_props != b->n_props)
		return false;
	for (size_t i = 0; i < a->n_props; i++)
		if (!eq_proposal(&a->props[i], &b->props[i]))
			return false;
	return true;
}

static bool
eq_ke(const void *x, const void *y)
{
	const struct ike_pld_ke *a = x, *b = y;

	return a->group == b->group && rd_eq(&a->data, &b->data);
}

static bool
eq_id(const void *x, const void *y)
{
	const struct ike_pld_id *a = x, *b = y;

	return a->type == b->type && rd_eq(&a->data, &b->data);
}

static bool
eq_cert(const void *x, const void *y)
{
	const struct ike_pld_cert *a = x, *b = y;

	return a->enc == b->enc && rd_eq(&a->data, &b->data);
}

static bool
eq_certreq(const void *x, const void *y)
{
	const struct ike_pld_certreq *a = x, *b = y;

	return a->enc == b->enc && a->n_cas == b->n_cas &&
	    rd_eq(&a->cas, &b->cas);
}

static bool
eq_auth(const void *x, const void *y)
{
	const struct ike_pld_auth *a = x, *b = y;

	return a->method == b->method && rd_eq(&a->data, &b->data);
}

static bool
eq_nonce(const void *x, const void *y)
{
	const struct ike_pld_nonce *a = x, *b = y;

	return rd_eq(&a->data, &b->data);
}

static bool
eq_notify(const void *x, const void *y)
{
	const struct ike_pld_notify *a = x, *b = y;

	return a->proto == b->proto && a->type == b->type &&
	    rd_eq(&a->spi, &b->spi) && rd_eq(&a->data, &b->data);
}

static bool
eq_delete(const void *x, const void *y)
{
	const struct ike_pld_delete *a = x, *b = y;

	return a->proto == b->proto && a->n_spis == b->n_spis &&
	    memcmp(a->spis, b->spis, a->n_spis * sizeof(a->spis[0])) == 0;
}

static bool
eq_vendor(const void *x, const void *y)
{
	const struct ike_pld_vendor *a = x, *b = y;

	return rd_eq(&a->id, &b->id);
}

static bool
eq_ts(const void *x, const void *y)
{
	const struct ike_pld_ts *a = x, *b = y;

	if (a->n_ts != b->n_ts)
		return false;
	for (size_t i = 0; i < a->n_ts; i++) {
		const struct ike_ts *s = &a->ts[i], *t = &b->ts[i];

		if (s->type != t->type || s->ip_proto != t->ip_proto ||
		    s->start_port != t->start_port ||
		    s->end_port != t->end_port ||
		    memcmp(s->start, t->start, sizeof(s->start)) != 0 ||
		    memcmp(s->end, t->end, sizeof(s->end)) != 0)
			return false;
	}
	return true;
}

static bool
eq_cp(const void *x, const void *y)
{
	const struct ike_pld_cp *a = x, *b = y;

	if (a->type != b->type || a->n_attrs != b->n_attrs)
		return false;
	for (size_t i = 0; i < a->n_attrs; i++)
		if (a->attrs[i].type != b->attrs[i].type ||
		    !rd_eq(&a->attrs[i].value, &b->attrs[i].value))
			return false;
	return true;
}

static bool
eq_eap(const void *x, const void *y)
{
	const struct ike_pld_eap *a = x, *b = y;

	/* EAP has no reserved bits: the whole packet must come back. */
	return a->code == b->code && a->id == b->id && a->type == b->type &&
	    rd_eq(&a->type_data, &b->type_data) &&
	    rd_eq(&a->packet, &b->packet);
}

/* ---- Typed parse and build behind one interface ---- */

union pld_any {
	struct ike_pld_sa sa;
	struct ike_pld_ke ke;
	struct ike_pld_id id;
	struct ike_pld_cert cert;
	struct ike_pld_certreq certreq;
	struct ike_pld_auth auth;
	struct ike_pld_nonce nonce;
	struct ike_pld_notify notify;
	struct ike_pld_delete del;
	struct ike_pld_vendor vendor;
	struct ike_pld_ts ts;
	struct ike_pld_cp cp;
	struct ike_pld_eap eap;
};

static int
parse_any(uint8_t type, const struct rd *body, union pld_any *u)
{
	switch (type) {
	case IKE_PLD_SA:
		return ike_pld_parse_sa(body, &u->sa);
	case IKE_PLD_KE:
		return ike_pld_parse_ke(body, &u->ke);
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
		return ike_pld_parse_id(body, &u->id);
	case IKE_PLD_CERT:
		return ike_pld_parse_cert(body, &u->cert);
	case IKE_PLD_CERTREQ:
		return ike_pld_parse_certreq(body, &u->certreq);
	case IKE_PLD_AUTH:
		return ike_pld_parse_auth(body, &u->auth);
	case IKE_PLD_NONCE:
		return ike_pld_parse_nonce(body, &u->nonce);
	case IKE_PLD_NOTIFY:
		return ike_pld_parse_notify(body, &u->notify);
	case IKE_PLD_DELETE:
		return ike_pld_parse_delete(body, &u->del);
	case IKE_PLD_VENDOR:
		return ike_pld_parse_vendor(body, &u->vendor);
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return ike_pld_parse_ts(body, &u->ts);
	case IKE_PLD_CP:
		return ike_pld_parse_cp(body, &u->cp);
	case IKE_PLD_EAP:
		return ike_pld_parse_eap(body, &u->eap);
	default:
		return -ENOENT; /* SK, SKF: checked with the message */
	}
}

static void
build_any(struct ike_pld_wr *pw, uint8_t type, const union pld_any *u)
{
	switch (type) {
	case IKE_PLD_SA:
		ike_pld_build_sa(pw, &u->sa);
		break;
	case IKE_PLD_KE:
		ike_pld_build_ke(pw, &u->ke);
		break;
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
		ike_pld_build_id(pw, type, &u->id);
		break;
	case IKE_PLD_CERT:
		ike_pld_build_cert(pw, &u->cert);
		break;
	case IKE_PLD_CERTREQ:
		ike_pld_build_certreq(pw, &u->certreq);
		break;
	case IKE_PLD_AUTH:
		ike_pld_build_auth(pw, &u->auth);
		break;
	case IKE_PLD_NONCE:
		ike_pld_build_nonce(pw, &u->nonce);
		break;
	case IKE_PLD_NOTIFY:
		ike_pld_build_notify(pw, &u->notify);
		break;
	case IKE_PLD_DELETE:
		ike_pld_build_delete(pw, &u->del);
		break;
	case IKE_PLD_VENDOR:
		ike_pld_build_vendor(pw, &u->vendor);
		break;
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		ike_pld_build_ts(pw, type, &u->ts);
		break;
	case IKE_PLD_CP:
		ike_pld_build_cp(pw, &u->cp);
		break;
	case IKE_PLD_EAP:
		ike_pld_build_eap(pw, &u->eap);
		break;
	default:
		invariant_failed("build_any: no builder", type);
	}
}

static bool
eq_any(uint8_t type, const union pld_any *a, const union pld_any *b)
{
	switch (type) {
	case IKE_PLD_SA:
		return eq_sa(a, b);
	case IKE_PLD_KE:
		return eq_ke(a, b);
	case IKE_PLD_IDI:
	case IKE_PLD_IDR:
		return eq_id(a, b);
	case IKE_PLD_CERT:
		return eq_cert(a, b);
	case IKE_PLD_CERTREQ:
		return eq_certreq(a, b);
	case IKE_PLD_AUTH:
		return eq_auth(a, b);
	case IKE_PLD_NONCE:
		return eq_nonce(a, b);
	case IKE_PLD_NOTIFY:
		return eq_notify(a, b);
	case IKE_PLD_DELETE:
		return eq_delete(a, b);
	case IKE_PLD_VENDOR:
		return eq_vendor(a, b);
	case IKE_PLD_TSI:
	case IKE_PLD_TSR:
		return eq_ts(a, b);
	case IKE_PLD_CP:
		return eq_cp(a, b);
	case IKE_PLD_EAP:
		return eq_eap(a, b);
	default:
		return false;
	}
}

/* The builder refuses exactly one thing the parser accepts (3.3.6). */
static bool
buildable(uint8_t type, const union pld_any *u)
{
	if (type != IKE_PLD_SA)
		return true;
	for (size_t i = 0; i < u->sa.n_props; i++)
		for (size_t j = 0; j < u->sa.props[i].n_xforms; j++)
			if (u->sa.props[i].xforms[j].unknown_attr)
				return false;
	return true;
}

/* Build u as a one-payload chain into buf; it must succeed. */
static struct rd
build_chain(uint8_t type, const union pld_any *u, uint8_t *buf)
{
	struct ike_pld_wr pw;
	struct rd out;

	ike_pld_wr_init_chain(&pw, buf, SCRATCH_LEN);
	build_any(&pw, type, u);
	if (ike_pld_wr_finish(&pw, &out) < 0 || pw.first != type)
		invariant_failed("a parsed payload does not build", type);
	return out;
}

/* Split a one-payload chain and parse it into u; it must succeed. */
static struct rd
reparse(uint8_t type, const struct rd *chain, union pld_any *u)
{
	static struct ike_pld_chain c;
	uint8_t bad;

	if (ike_pld_split(chain, type, &c, &bad) < 0 || c.n != 1 ||
	    c.v[0].type != type || c.v[0].critical)
		invariant_failed("a built payload does not split", type);
	if (parse_any(type, &c.v[0].body, u) < 0)
		invariant_failed("a built payload does not parse", type);
	return c.v[0].body;
}

/* RFC 7427 data that splits joins back to the same bytes. */
static void
check_auth_sig(const struct rd *data)
{
	static uint8_t buf[SCRATCH_LEN];
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd alg, sig, again;

	if (ike_pld_auth_sig_split(data, &alg, &sig) < 0)
		return;
	ike_pld_auth_sig_join(&w, &alg, &sig);
	again = wr_view(&w, 0);
	if (!wr_ok(&w) || !rd_eq(&again, data))
		invariant_failed(
		    "RFC 7427 split then join differs", IKE_PLD_AUTH);
}

/* Each typed view of Notification Data accepts exactly its sizes. */
static void
check_notify_views(const struct ike_pld_notify *n)
{
	size_t len = rd_left(&n->data);
	uint16_t group;
	uint32_t v;
	struct rd r;

	if ((ike_pld_notify_group(n, &group) == 0) != (len == 2) ||
	    (ike_pld_notify_natd(n, &r) == 0) != (len == IKE_NATD_LEN) ||
	    (ike_pld_notify_cookie(n, &r) == 0) !=
		(len >= 1 && len <= IKE_COOKIE_MAX_LEN) ||
	    (ike_pld_notify_hashes(n, &v) == 0) != (len % 2 == 0) ||
	    (ike_pld_notify_spi32(n, &v) == 0) != (rd_left(&n->spi) == 4))
		invariant_failed("a notify data view", IKE_PLD_NOTIFY);
}

static void
check_views(uint8_t type, const union pld_any *u)
{
	if (type == IKE_PLD_AUTH)
		check_auth_sig(&u->auth.data);
	else if (type == IKE_PLD_NOTIFY)
		check_notify_views(&u->notify);
}

static void
check_payload(const struct ike_pld_ref *ref, struct ike_check *c)
{
	static union pld_any a, b;
	static uint8_t buf1[SCRATCH_LEN], buf2[SCRATCH_LEN];
	struct rd once, twice, body;

	if (ref->type == IKE_PLD_SK || ref->type == IKE_PLD_SKF)
		return; /* see check_sk() */
	if (parse_any(ref->type, &ref->body, &a) < 0) {
		c->n_failed++;
		return;
	}
	c->n_parsed++;
	check_views(ref->type, &a);
	if (!buildable(ref->type, &a))
		return;
	once = build_chain(ref->type, &a, buf1);
	body = reparse(ref->type, &once, &b);
	if (!eq_any(ref->type, &a, &b))
		invariant_failed("build then parse changed a field", ref->type);
	twice = build_chain(ref->type, &b, buf2);
	if (!rd_eq(&once, &twice))
		invariant_failed("building twice gave other bytes", ref->type);
	if (!rd_eq(&body, &ref->body))
		c->n_noncanon++;
}

/* ---- Rules: an independent count against the table ---- */

static bool
row_matches(
    const struct ike_rule *row, const struct ike_pld_ref *refs, size_t n)
{
	for (unsigned t = 0; t < 256; t++) {
		size_t count = 0;
		unsigned min = 0, max = 0;

		for (size_t i = 0; i < n; i++)
			count += refs[i].type == t;
		for (size_t k = 0; k < IKE_RULE_MAX_PLD && row->pld[k].type;
		     k++)
			if (row->pld[k].type == t) {
				min = row->pld[k].min;
				max = row->pld[k].max;
			}
		if (count < min || count > max)
			return false;
	}
	return true;
}

static void
check_rules_one(
    uint8_t x, bool resp, bool in_sk, const struct ike_pld_ref *refs, size_t n)
{
	const struct ike_rule *table, *match = NULL;
	enum ike_shape shape = IKE_SHAPE_NONE;
	size_t n_rows, n_match = 0;
	bool known = false;
	int r = ike_rules_check(x, resp, in_sk, refs, n, &shape);

	table = ike_rules_table(&n_rows);
	for (size_t i = 0; i < n_rows; i++) {
		known |= table[i].exchange == x;
		if (table[i].exchange == x && table[i].response == resp &&
		    table[i].in_sk == in_sk &&
		    row_matches(&table[i], refs, n)) {
			n_match++;
			match = &table[i];
		}
	}
	if (n_match > 1)
		invariant_failed("two shapes match one message", x);
	if (!known		? r != -EOPNOTSUPP
		: match == NULL ? r != -EPROTO
				: (r != 0 || shape != match->shape))
		invariant_failed("ike_rules_check disagrees with its table", x);
}

static void
check_rules_all(const struct ike_pld_ref *refs, size_t n, bool in_sk)
{
	static const uint8_t exchanges[] = { 0, IKE_SA_INIT, IKE_AUTH,
		IKE_CREATE_CHILD_SA, IKE_INFORMATIONAL, 255 };

	for (size_t i = 0; i < ARRAY_SIZE(exchanges); i++) {
		check_rules_one(exchanges[i], false, in_sk, refs, n);
		check_rules_one(exchanges[i], true, in_sk, refs, n);
	}
}

static void
check_chain(const struct ike_pld_chain *chain, bool in_sk, struct ike_check *c)
{
	char small[12], big[1024];

	check_rules_all(chain->v, chain->n, in_sk);
	for (size_t i = 0; i < chain->n; i++)
		check_payload(&chain->v[i], c);
	names_pld_chain(chain->v, chain->n, small, sizeof(small));
	names_pld_chain(chain->v, chain->n, big, sizeof(big));
	if (strlen(small) >= sizeof(small) || strlen(big) >= sizeof(big))
		invariant_failed("names_pld_chain overran", 0);
}

/* ---- The message: header, outer chain, SK ---- */

static void
check_natt(const uint8_t *data, size_t len)
{
	struct rd r = rd_make(data, len);
	enum ike_natt_kind kind;

	if (ike_natt_classify(&r, &kind) < 0)
		return;
	if ((kind == IKE_NATT_IKE) != (rd_left(&r) + 4 == len) ||
	    (kind != IKE_NATT_IKE && r.p != data))
		invariant_failed("ike_natt_classify moved the reader", 0);
}

/* Rebuild the SK/SKF payload as the last one of pw; false if it is bad. */
static bool
rebuild_sk(struct ike_pld_wr *pw, const struct rd *msg,
    const struct ike_pld_ref *ref, struct ike_pld_sk *ret_sk)
{
	struct ike_sk_layout l;

	if (ike_pld_parse_sk(msg, ref, ret_sk) < 0)
		return false;
	ike_pld_build_sk(
	    pw, ret_sk->inner, ret_sk->frag_num, ret_sk->frag_total, &l);
	if (pw->err != 0 || !wr_ok(&pw->w))
		invariant_failed(
		    "a parsed SK header does not build", ref->type);
	/* What ike_sk_seal() would append and patch, left in plaintext. */
	wr_rd(&pw->w, &ret_sk->enc);
	wr_patch_u16(&pw->w, l.sk_off + 2, (uint16_t)(pw->w.len - l.sk_off));
	return true;
}

static void
compare_rebuilt(const struct rd *out, const struct ike_hdr *h,
    const struct ike_pld_chain *chain, const struct ike_pld_sk *sk)
{
	static struct ike_pld_chain c;
	struct ike_pld_sk sk2;
	struct ike_hdr h2;
	struct rd rest;
	uint8_t bad;

	if (ike_hdr_parse(out, &h2, &rest) < 0 ||
	    ike_pld_split(&rest, h2.next, &c, &bad) < 0)
		invariant_failed("a rebuilt message does not parse", 0);
	if (memcmp(h->spi_i, h2.spi_i, IKE_SPI_LEN) != 0 ||
	    memcmp(h->spi_r, h2.spi_r, IKE_SPI_LEN) != 0 ||
	    h->exchange != h2.exchange || h->flags != h2.flags ||
	    h->msgid != h2.msgid || h2.version != IKE_VERSION ||
	    c.n != chain->n || c.n_skipped != 0)
		invariant_failed("a rebuilt message has another header", 0);
	/* build_raw keeps the C bit; build_sk writes 0 (3.2: it means
	 * nothing for payloads every implementation knows). */
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].type != chain->v[i].type ||
		    (c.v[i].critical != chain->v[i].critical &&
			c.v[i].type != IKE_PLD_SK &&
			c.v[i].type != IKE_PLD_SKF) ||
		    !rd_eq(&c.v[i].body, &chain->v[i].body))
			invariant_failed("a rebuilt message has other payloads",
			    c.v[i].type);
	if (sk == NULL)
		return;
	if (ike_pld_parse_sk(out, &c.v[c.n - 1], &sk2) < 0 ||
	    sk2.inner != sk->inner || sk2.frag_num != sk->frag_num ||
	    sk2.frag_total != sk->frag_total || !rd_eq(&sk2.enc, &sk->enc))
		invariant_failed("a rebuilt SK payload differs", 0);
}

static void
check_rebuild(const struct rd *msg, const struct ike_hdr *h,
    const struct ike_pld_chain *chain)
{
	static uint8_t buf[SCRATCH_LEN];
	struct ike_pld_sk sk;
	struct ike_pld_wr pw;
	struct rd out;
	bool has_sk = false;

	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), h);
	for (size_t i = 0; i < chain->n; i++) {
		const struct ike_pld_ref *ref = &chain->v[i];

		if (ref->type == IKE_PLD_SK || ref->type == IKE_PLD_SKF) {
			if (!rebuild_sk(&pw, msg, ref, &sk))
				return;
			has_sk = true;
		} else
			ike_pld_build_raw(
			    &pw, ref->type, ref->critical, &ref->body);
	}
	/* Skipped payloads only shrink it: the rebuilt message must fit. */
	if (ike_pld_wr_finish(&pw, &out) < 0)
		invariant_failed("a split message does not build", 0);
	compare_rebuilt(&out, h, chain, has_sk ? &sk : NULL);
}

static void
check_sk(const struct rd *msg, const struct ike_hdr *h,
    const struct ike_pld_ref *ref, struct ike_check *c)
{
	static struct ike_pld_chain inner;
	struct ike_pld_sk sk;
	uint8_t bad;

	c->sk = ike_pld_parse_sk(msg, ref, &sk);
	if (c->sk < 0 || sk.frag_num > 1)
		return; /* later fragments carry no chain of their own */
	c->inner_split = ike_pld_split(&sk.enc, sk.inner, &inner, &bad);
	if (c->inner_split < 0)
		return;
	check_chain(&inner, true, c);
	c->inner_rules =
	    ike_rules_check(h->exchange, (h->flags & IKE_FLAG_RESPONSE) != 0,
		true, inner.v, inner.n, &c->inner_shape);
}

int
ike_check_payload(uint8_t type, const uint8_t *body, size_t len)
{
	struct ike_pld_ref ref = { .type = type, .body = rd_make(body, len) };
	struct ike_check c = { .n_parsed = 0 };

	check_payload(&ref, &c);
	return c.n_parsed == 1 ? 0 : -EBADMSG;
}

void
ike_check_msg(const uint8_t *data, size_t len, struct ike_check *ret)
{
	static struct ike_pld_chain outer;
	struct ike_check c = { .hdr = 1,
		.split = 1,
		.rules = 1,
		.sk = 1,
		.inner_split = 1,
		.inner_rules = 1 };
	struct rd msg = rd_make(data, len), chain;
	const struct ike_pld_ref *last;
	struct ike_hdr h;
	uint8_t bad;

	check_natt(data, len);
	if ((c.hdr = ike_hdr_parse(&msg, &h, &chain)) < 0)
		goto out;
	if ((c.split = ike_pld_split(&chain, h.next, &outer, &bad)) < 0)
		goto out;
	check_chain(&outer, false, &c);
	c.rules =
	    ike_rules_check(h.exchange, (h.flags & IKE_FLAG_RESPONSE) != 0,
		false, outer.v, outer.n, &c.shape);
	check_rebuild(&msg, &h, &outer);
	last = outer.n > 0 ? &outer.v[outer.n - 1] : NULL;
	if (last != NULL &&
	    (last->type == IKE_PLD_SK || last->type == IKE_PLD_SKF))
		check_sk(&msg, &h, last, &c);
out:
	*ret = c;
}

size_t
ike_check_rebuild(const uint8_t *msg, size_t len, uint8_t *out, size_t cap)
{
	static struct ike_pld_chain c;
	static union pld_any u;
	struct rd m = rd_make(msg, len), chain, res;
	struct ike_pld_wr pw;
	struct ike_pld_sk sk;
	struct ike_hdr h;
	uint8_t bad;

	if (ike_hdr_parse(&m, &h, &chain) < 0 ||
	    ike_pld_split(&chain, h.next, &c, &bad) < 0)
		return 0;
	ike_pld_wr_init_msg(&pw, out, cap, &h);
	for (size_t i = 0; i < c.n; i++) {
		if (c.v[i].type == IKE_PLD_SK || c.v[i].type == IKE_PLD_SKF) {
			if (!rebuild_sk(&pw, &m, &c.v[i], &sk))
				return 0;
		} else if (parse_any(c.v[i].type, &c.v[i].body, &u) < 0)
			return 0;
		else
			build_any(&pw, c.v[i].type, &u);
	}
	return ike_pld_wr_finish(&pw, &res) == 0 ? rd_left(&res) : 0;
}
