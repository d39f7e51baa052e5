/*
 * relayclient.c - one space synced through a relay (hearth/relay.h;
 * docs/protocol.md §14).
 *
 * A sync, in order:
 *   1. seal this device's new ops (hearth_sync_seal);
 *   2. GET state.  When the relay's store instance is the one seen last,
 *      its max_seq is the cursor, its (count, sum) equal this vault's own
 *      fingerprint, and nothing kept here is past the pushed mark, the
 *      sync ends: one round trip.  A changed store instance, a max_seq
 *      below the cursor or a count below the last one seen mean the relay
 *      lost envelopes: the cursor goes back to 0 and step 5 reconciles;
 *   3. push the envelopes kept here past the pushed mark, control plane
 *      first, in requests of about HEARTH_RELAY_PAGE_MAX, a larger
 *      envelope alone (HEARTH_RELAY_BODY_MAX has room for it) (registering
 *      the space first when the relay does not know it);
 *   4. pull pages after the cursor and receive each (hearth_sync_receive,
 *      the bundle import's rules), the cursor moving in the same
 *      transaction as the envelopes;
 *   5. GET state again and compare with the fingerprint this vault keeps
 *      of its own envelopes; when they differ (or step 2 found the relay
 *      lost some), compare 256 buckets, then the id lists of the buckets
 *      that differ, push what the relay lacks and fetch what this vault
 *      lacks.  The relay's fingerprint is never stored as ours.
 *
 * Nothing the relay sends is trusted: pages must carry increasing
 * sequence numbers within what the headers say, fetched envelopes must
 * be the ones asked for (by id, the hash of their bytes), and every
 * envelope is judged and opened by the receive engine as a bundle's is.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/relay.h"
#include "relayclient_private.h"
#include "transport.h"

#define N_(s) (s)

/* Buckets whose ids are asked for in one request; ids fetched in one. */
#define IDS_OF_MAX 16u
#define FETCH_MAX 256u
/* A page asked for: the relay's maximum. */
#define PAGE_LIMIT HEARTH_RELAY_PAGE_MAX

typedef struct client {
	hearth_store *s;
	const hearth_sync_trust *trust;
	const hearth_id *space;
	hearth_transport *t;
	const hearth_relay_hooks *hooks;
	hearth_relay_result *r;
	hearth_relay_progress prog;
	hearth_sync_relay_state rs;
	char base[16 + HEARTH_ID_HEX + 1]; /* "/v1/spaces/<hex>" */
	uint64_t device;
	/* The relay's seqs of the envelopes this sync pushed (stored or
	 * held): the pull need not fetch them back. */
	uint64_t *seqs;
	size_t nseqs, capseqs;
	/* The failure that ends this sync said its own problem (and kind). */
	int ended;
} client;

/* What the relay says of the space: GET state. */
typedef struct relay_state {
	uint8_t store[HEARTH_RELAY_INSTANCE_BYTES];
	uint64_t max_seq;
	hearth_fp fp;
} relay_state;

/* ---- small helpers ----------------------------------------------------------- */

/* Keeps what is wrong: its kind, which a face says in the user's language,
 * and the English detail naming envelopes and the relay, for logs.  The
 * last one said stands. */
static void problem(client *c, hearth_sync_problem_kind kind, const char *fmt, ...)
	HEARTH_PRINTF(3, 4);
static void problem(client *c, hearth_sync_problem_kind kind, const char *fmt, ...)
{
	va_list ap;

	c->r->problem_kind = kind;
	va_start(ap, fmt);
	vsnprintf(c->r->problem, sizeof c->r->problem, fmt, ap);
	va_end(ap);
}

/* Notes one more envelope left out, fmt saying which and why: the
 * problem names the last one and, past the first, how many there were. */
static void left_out(client *c, const char *fmt, ...) HEARTH_PRINTF(2, 3);
static void left_out(client *c, const char *fmt, ...)
{
	char what[HEARTH_SYNC_PROBLEM_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (++c->r->left_out > 1)
		problem(c, HEARTH_SYNC_PROBLEM_LEFT_OUT, "%zu envelopes left out; the last: %s",
			c->r->left_out, what);
	else
		problem(c, HEARTH_SYNC_PROBLEM_LEFT_OUT, "%s", what);
}

static void progress(client *c)
{
	if (c->hooks != NULL && c->hooks->progress != NULL)
		c->hooks->progress(&c->prog, c->hooks->ctx);
}

static hearth_status call(client *c, const char *method, const char *suffix,
			  const char *ctype, const uint8_t *body, size_t len,
			  hearth_response *resp)
{
	char path[sizeof c->base + 128];

	snprintf(path, sizeof path, "%s%s", c->base, suffix);
	return hearth_transport_call(c->t, method, path, ctype, body, len, resp);
}

/* The relay's error codes (docs/protocol.md), as words the local detail
 * translates; NULL for a code this client does not know, which is shown as
 * the relay sent it. */
static const char *code_words(const char *code)
{
	static const struct {
		const char *code, *words;
	} known[] = {
		{ "bad_request", N_("bad request") },
		{ "unauthenticated", N_("authentication failed") },
		{ "forbidden", N_("not allowed") },
		{ "not_found", N_("not found") },
		{ "too_large", N_("too large") },
		{ "rate_limited", N_("too many requests") },
		{ "quota", N_("storage quota reached") },
		{ "unavailable", N_("unavailable") },
		{ "internal", N_("internal error") },
	};
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(code, known[i].code) == 0)
			return known[i].words;
	return NULL;
}

/* An answer other than the one expected: HEARTH_ENET naming the relay's
 * error code, in words the user's language has when the code is known
 * (the problem, kept in English, has the code itself). */
static hearth_status refused_by_relay(client *c, const hearth_response *resp,
				      const char *what)
{
	const char *words;
	char code[64];

	hearth_response_error(resp, code, sizeof code);
	if (code[0] == '\0')
		snprintf(code, sizeof code, "HTTP %ld", resp->status);
	/* A 4xx is the relay's judgement of this device or request; what
	 * else is left after the transport's retries (a 5xx, 408, 429: busy)
	 * is a relay not working now, to the user as good as unreachable. */
	problem(c, resp->status >= 400 && resp->status < 500 && resp->status != 408 &&
		resp->status != 429 ? HEARTH_SYNC_PROBLEM_REFUSED :
		HEARTH_SYNC_PROBLEM_UNREACHABLE, "the relay refused %s: %s", what, code);
	c->ended = 1;
	words = code_words(code);
	if (words != NULL)
		return hearth_fail(HEARTH_ENET, "relay '%s' refused %-s: %-s (HTTP %ld)",
				   hearth_transport_url(c->t), what, words, resp->status);
	return hearth_fail(HEARTH_ENET, "relay '%s' refused %-s: %s (HTTP %ld)",
			   hearth_transport_url(c->t), what, code, resp->status);
}

static hearth_status malformed(client *c, const char *what)
{
	problem(c, HEARTH_SYNC_PROBLEM_MALFORMED, "the relay sent a malformed answer: %s", what);
	c->ended = 1;
	return hearth_fail(HEARTH_EFORMAT, "relay '%s' sent a malformed answer: %-s",
			   hearth_transport_url(c->t), what);
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int json_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int json_hex(json_t *o, const char *key, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || strlen(json_string_value(v)) != 2 * n)
		return -1;
	if (hearth_hex_decode(out, n, json_string_value(v)) != HEARTH_OK) {
		hearth_errdetail_clear();
		return -1;
	}
	return 0;
}

/* The response body as a JSON object (caller json_decref), NULL if not. */
static json_t *json_body(const hearth_response *resp)
{
	json_t *doc;

	if (resp->body == NULL)
		return NULL;
	doc = json_loadb((const char *)resp->body, resp->len, JSON_REJECT_DUPLICATES, NULL);
	if (doc != NULL && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

/* ---- state ------------------------------------------------------------------------ */

int hearth_relay_state_parse(const uint8_t *body, size_t len,
			     uint8_t store[HEARTH_RELAY_INSTANCE_BYTES], uint64_t *max_seq,
			     hearth_fp *fp)
{
	json_t *doc = NULL, *sum;
	uint64_t count = 0;
	int rc = -1;

	hearth_fp_init(fp);
	if (body != NULL)
		doc = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL);
	sum = json_is_object(doc) ? json_object_get(doc, "sum") : NULL;
	if (json_is_object(doc) && json_hex(doc, "store", store, HEARTH_RELAY_INSTANCE_BYTES) == 0 &&
	    json_u64(doc, "max_seq", max_seq) == 0 && json_u64(doc, "count", &count) == 0 &&
	    json_is_string(sum) && hearth_fp_sum_parse(json_string_value(sum), fp) == 0) {
		fp->count = count;
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

/* *unknown: the relay does not know the space (404). */
static hearth_status get_state(client *c, relay_state *out, int *unknown)
{
	hearth_response resp;
	hearth_status st;

	*unknown = 0;
	if ((st = call(c, "GET", "/state", NULL, NULL, 0, &resp)) != HEARTH_OK)
		return st;
	if (resp.status == 404) {
		*unknown = 1;
		hearth_response_free(&resp);
		return HEARTH_OK;
	}
	if (resp.status != 200) {
		st = refused_by_relay(c, &resp, N_("the state request"));
		hearth_response_free(&resp);
		return st;
	}
	if (hearth_relay_state_parse(resp.body, resp.len, out->store, &out->max_seq,
				     &out->fp) != 0)
		st = malformed(c, N_("the space's state"));
	hearth_response_free(&resp);
	return st;
}

/* The relay lost envelopes it had: a new store, or a store behind what it
 * showed before. */
static int relay_lost(const hearth_sync_relay_state *rs, const uint8_t *store,
		      uint64_t max_seq, uint64_t count)
{
	if (!rs->has_store)
		return 0;
	return memcmp(rs->store, store, HEARTH_RELAY_INSTANCE_BYTES) != 0 ||
		max_seq < rs->cursor || count < rs->count;
}

static void lost(client *c)
{
	c->r->relay_lost = 1;
	c->rs.cursor = 0;
	c->rs.count = 0;
	c->rs.max_seq = 0;
}

static void remember(client *c, const relay_state *rst)
{
	memcpy(c->rs.store, rst->store, sizeof c->rs.store);
	c->rs.has_store = 1;
	c->rs.max_seq = rst->max_seq;
	c->rs.count = rst->fp.count;
}

/* ---- pushing ------------------------------------------------------------------------ */

typedef struct pusher {
	client *c;
	uint8_t *buf;
	size_t len, cap, n;
	int control;           /* the batch's plane */
	uint64_t max_arrival;  /* of the envelopes sent so far */
	int unknown;           /* the relay answered not_found */
	hearth_status st;
	const char *path;      /* "/envelopes", or "" to register */
	const char *method;
} pusher;

static void seq_note(client *c, uint64_t seq)
{
	if (c->nseqs == c->capseqs) {
		size_t cap = c->capseqs ? 2 * c->capseqs : 64;
		uint64_t *v = realloc(c->seqs, cap * sizeof *v);

		if (v == NULL)
			return; /* only an optimisation: the pull fetches them */
		c->seqs = v;
		c->capseqs = cap;
	}
	c->seqs[c->nseqs++] = seq;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Moves the cursor over the seqs this sync's pushes got, while they
 * follow it without a gap: those envelopes are ours already.  Should a
 * relay lie about a seq, the envelope skipped shows in the fingerprints
 * after the pull and is fetched. */
static void skip_own(client *c)
{
	size_t i;

	if (c->nseqs > 1)
		qsort(c->seqs, c->nseqs, sizeof *c->seqs, cmp_u64);
	for (i = 0; i < c->nseqs; i++)
		if (c->seqs[i] == c->rs.cursor + 1)
			c->rs.cursor++;
		else if (c->seqs[i] > c->rs.cursor)
			break;
	c->nseqs = 0;
}

/* Reads the relay's answer to a push: counts each result. */
static hearth_status push_results(client *c, const hearth_response *resp, size_t n)
{
	json_t *doc = json_body(resp), *results, *e;
	hearth_status st = HEARTH_OK;
	size_t i;

	results = doc != NULL ? json_object_get(doc, "results") : NULL;
	if (!json_is_array(results) || json_array_size(results) != n) {
		json_decref(doc);
		return malformed(c, N_("the push's results"));
	}
	/* The first answer of a relay this vault has no cursor in yet says
	 * which store the seqs below count in. */
	if (!c->rs.has_store && json_hex(doc, "store", c->rs.store, sizeof c->rs.store) == 0) {
		c->rs.has_store = 1;
		c->rs.cursor = 0;
	}
	json_array_foreach(results, i, e) {
		const char *status = json_string_value(json_object_get(e, "status"));
		const char *why = json_string_value(json_object_get(e, "reason"));

		if (status == NULL) {
			st = malformed(c, N_("the push's results"));
			break;
		}
		if (strcmp(status, "stored") == 0 || strcmp(status, "held") == 0) {
			uint64_t seq;

			if (strcmp(status, "stored") == 0)
				c->r->pushed++;
			else
				c->r->push_held++;
			if (json_u64(e, "seq", &seq) == 0 && seq > 0)
				seq_note(c, seq);
		} else if (strcmp(status, "later") == 0) {
			c->r->push_later++;
		} else {
			c->r->push_refused++;
			problem(c, HEARTH_SYNC_PROBLEM_UNSENDABLE, "the relay refused an envelope: %s",
				why ? why : status);
		}
	}
	json_decref(doc);
	return st;
}

static hearth_status push_flush(pusher *p)
{
	client *c = p->c;
	hearth_response resp;
	hearth_status st;

	if (p->n == 0)
		return HEARTH_OK;
	st = call(c, p->method, p->path, "application/octet-stream", p->buf, p->len, &resp);
	if (st != HEARTH_OK)
		return st;
	if (resp.status == 404 && *p->path != '\0') {
		p->unknown = 1;
		st = HEARTH_ENOTFOUND;
	} else if (resp.status != 200 && resp.status != 201) {
		st = refused_by_relay(c, &resp, *p->path != '\0' ? N_("the push") :
				      N_("the space's registration"));
	} else {
		st = push_results(c, &resp, p->n);
	}
	hearth_response_free(&resp);
	if (st != HEARTH_OK)
		return st;
	c->prog.envelopes_sent += p->n;
	c->prog.bytes_sent += p->len;
	progress(c);
	p->len = 0;
	p->n = 0;
	return HEARTH_OK;
}

static int push_add(pusher *p, const hearth_sync_kept *k)
{
	/* Pushes of about HEARTH_RELAY_PAGE_MAX; a larger envelope goes
	 * alone (HEARTH_RELAY_BODY_MAX has room for the largest). */
	if (p->n > 0 && (p->len + 4 + k->len > HEARTH_RELAY_PAGE_MAX ||
			 (k->epoch == 0) != p->control) &&
	    (p->st = push_flush(p)) != HEARTH_OK)
		return 1;
	if (p->len + 4 + k->len > p->cap) {
		size_t cap = p->cap ? p->cap : 65536;
		uint8_t *b;

		while (cap < p->len + 4 + k->len)
			cap *= 2;
		if ((b = realloc(p->buf, cap)) == NULL) {
			p->st = hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
					    N_("cannot push to relay"));
			return 1;
		}
		p->buf = b;
		p->cap = cap;
	}
	p->control = k->epoch == 0;
	p->buf[p->len++] = (uint8_t)(k->len >> 24);
	p->buf[p->len++] = (uint8_t)(k->len >> 16);
	p->buf[p->len++] = (uint8_t)(k->len >> 8);
	p->buf[p->len++] = (uint8_t)k->len;
	memcpy(p->buf + p->len, k->bytes, k->len);
	p->len += k->len;
	p->n++;
	if (k->arrival > p->max_arrival)
		p->max_arrival = k->arrival;
	return 0;
}

static int push_cb(const hearth_sync_kept *k, void *ctx)
{
	pusher *p = ctx;

	/* Only what was opened or sealed here is passed on. */
	if (k->state != 0)
		return 0;
	return push_add(p, k);
}

static void pusher_init(pusher *p, client *c)
{
	memset(p, 0, sizeof *p);
	p->c = c;
	p->path = "/envelopes";
	p->method = "POST";
}

/* This device's control envelopes of the space, which hold its genesis
 * when this device made the space: the registration's body. */
static int register_cb(const hearth_sync_kept *k, void *ctx)
{
	pusher *p = ctx;
	hearth_envelope_info info;

	if (k->epoch != 0 || hearth_envelope_peek(k->bytes, k->len, &info) != HEARTH_OK ||
	    info.device != p->c->device)
		return 0;
	/* One request: the genesis is in this device's first envelope. */
	if (p->len + 4 + k->len > HEARTH_RELAY_BODY_MAX)
		return 1;
	return push_add(p, k);
}

static hearth_status register_space(client *c)
{
	hearth_status st;
	pusher p;

	pusher_init(&p, c);
	p.path = "";
	p.method = "PUT";
	st = hearth_sync_each(c->s, c->space, 0, register_cb, &p);
	if (st == HEARTH_OK)
		st = p.st;
	if (st == HEARTH_OK && p.n == 0) {
		problem(c, HEARTH_SYNC_PROBLEM_REFUSED,
			"the relay does not know this space: whoever created it must sync first");
		c->ended = 1;
		st = hearth_fail(HEARTH_ENET, "relay '%s': %-s", hearth_transport_url(c->t),
				 N_("the relay does not know this space: whoever created it must sync first"));
	}
	if (st == HEARTH_OK)
		st = push_flush(&p);
	free(p.buf);
	if (st == HEARTH_OK)
		c->r->registered = 1;
	return st;
}

/* Pushes every envelope kept past the pushed mark; registers the space
 * first when the relay does not know it. */
static hearth_status push_new(client *c)
{
	hearth_status st;
	pusher p;
	int again;

	for (again = 0;; again++) {
		pusher_init(&p, c);
		st = hearth_sync_each(c->s, c->space, c->rs.pushed, push_cb, &p);
		if (st == HEARTH_OK)
			st = p.st;
		if (st == HEARTH_OK)
			st = push_flush(&p);
		free(p.buf);
		if (st == HEARTH_ENOTFOUND && p.unknown && !again) {
			hearth_errdetail_clear();
			if ((st = register_space(c)) != HEARTH_OK)
				return st;
			continue;
		}
		break;
	}
	if (st == HEARTH_OK && p.max_arrival > c->rs.pushed)
		c->rs.pushed = p.max_arrival;
	return st;
}

/* ---- receiving ------------------------------------------------------------------ */

/* Envelopes in a relay's response framing, borrowed from its body. */
typedef struct page {
	hearth_sync_envelope *envs;
	uint64_t *seqs;
	size_t n;
} page;

/* The envelopes of a body in response framing into pg (borrowed from
 * body): -1 when the framing is broken, -2 out of memory. */
static int page_split(const uint8_t *body, size_t blen, page *pg)
{
	size_t pos = 0, cap = 0;

	memset(pg, 0, sizeof *pg);
	while (pos < blen) {
		uint64_t seq;
		uint32_t len;

		if (blen - pos < 12)
			return -1;
		seq = be64(body + pos);
		len = be32(body + pos + 8);
		pos += 12;
		if (len == 0 || len > HEARTH_ENVELOPE_MAX || len > blen - pos)
			return -1;
		if (pg->n == cap) {
			void *a, *b;

			cap = cap ? 2 * cap : 64;
			a = realloc(pg->envs, cap * sizeof *pg->envs);
			if (a != NULL)
				pg->envs = a;
			b = realloc(pg->seqs, cap * sizeof *pg->seqs);
			if (b != NULL)
				pg->seqs = b;
			if (a == NULL || b == NULL)
				return -2;
		}
		pg->envs[pg->n].bytes = body + pos;
		pg->envs[pg->n].len = len;
		pg->seqs[pg->n++] = seq;
		pos += len;
	}
	return 0;
}

static hearth_status parse_page(client *c, const hearth_response *resp, page *pg)
{
	int rc = page_split(resp->body, resp->len, pg);

	if (rc == -2)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot pull from relay"));
	return rc == 0 ? HEARTH_OK : malformed(c, N_("a page's framing"));
}

/* What a pull's page must be: sequence numbers increasing past the
 * cursor after, the last one next, next not past max_seq, and a page
 * that says "more" moves the cursor.  NULL, or what is wrong. */
static const char *page_check(const page *pg, uint64_t after, uint64_t next,
			      uint64_t max_seq, int more)
{
	uint64_t prev = after;
	size_t i;

	for (i = 0; i < pg->n; i++) {
		if (pg->seqs[i] <= prev || pg->seqs[i] > next)
			return N_("a page's sequence numbers");
		prev = pg->seqs[i];
	}
	if (next < after || (more && next == after) || (pg->n > 0 && next != prev) ||
	    next > max_seq)
		return N_("a page's headers");
	return NULL;
}

int hearth_relay_page_check(const uint8_t *body, size_t len, uint64_t after, uint64_t next,
			    uint64_t max_seq, int more, size_t *n)
{
	page pg;
	int rc = page_split(body, len, &pg);

	if (rc == 0 && page_check(&pg, after, next, max_seq, more) != NULL)
		rc = -1;
	if (n != NULL)
		*n = rc == 0 ? pg.n : 0;
	free(pg.envs);
	free(pg.seqs);
	return rc;
}

static void page_free(page *pg)
{
	free(pg->envs);
	free(pg->seqs);
	memset(pg, 0, sizeof *pg);
}

static void report_add(hearth_sync_report *to, const hearth_sync_report *r)
{
	to->envelopes += r->envelopes;
	to->applied += r->applied;
	to->ops += r->ops;
	to->held += r->held;
	to->waiting += r->waiting;
	to->refused += r->refused;
	to->retried += r->retried;
}

/* Whether the batch that failed with st may be received without the
 * envelope rep names: that envelope failed on its own (its bytes are
 * damaged or forged, or this vault holds no key for its epoch), not the
 * vault or the batch. */
static int fault_of_envelope(hearth_status st, const hearth_sync_report *rep, size_t n)
{
	return rep->failed_index > 0 && rep->failed_index <= n &&
	       (st == HEARTH_EFORMAT || st == HEARTH_EAUTH || st == HEARTH_ENOTFOUND ||
		st == HEARTH_ENEWER);
}

/* Receives a batch and, in the same transaction, moves the cursor to
 * cursor (and writes the state kept for the relay).  An envelope that
 * fails on its own (a flipped bit on the relay's disk, one forged by a
 * member) is kept apart by hearth_sync_keep_failed, said in the problem,
 * and the batch received again without it: one bad envelope must not
 * hold back every envelope after it, a safety flag among them.  pg loses
 * the envelopes left out. */
static hearth_status receive_batch(client *c, page *pg, uint64_t cursor)
{
	hearth_sync_report rep;
	hearth_store_step step;
	hearth_status st, kst;

	for (;;) {
		char hex[2 * HEARTH_ENVELOPE_ID_BYTES + 1], reason[HEARTH_SYNC_PROBLEM_MAX];
		size_t k;

		if ((st = hearth_store_step_begin(c->s, &step)) != HEARTH_OK)
			return st;
		st = hearth_sync_receive(c->s, c->trust, pg->envs, pg->n, NULL, NULL, &rep);
		if (st == HEARTH_OK) {
			c->rs.cursor = cursor;
			st = hearth_sync_relay_put(c->s, hearth_transport_url(c->t), c->space,
						   &c->rs);
		}
		snprintf(reason, sizeof reason, "%s", st != HEARTH_OK ? hearth_errdetail() : "");
		kst = hearth_store_step_end(c->s, &step, st);
		if (kst == HEARTH_OK) {
			report_add(&c->r->received, &rep);
			return HEARTH_OK;
		}
		hearth_hex_encode(hex, rep.failed_id, sizeof rep.failed_id);
		if (kst != st || !fault_of_envelope(st, &rep, pg->n)) {
			if (kst == st && rep.failed_index > 0) {
				problem(c, hearth_sync_problem_of_status(st),
					"the relay sent envelope %.16s, which does not open: %s",
					hex, reason);
				c->ended = 1;
			}
			return kst;
		}
		k = (size_t)rep.failed_index - 1;
		kst = hearth_sync_keep_failed(c->s, pg->envs[k].bytes, pg->envs[k].len, st,
					      reason);
		if (kst != HEARTH_OK && kst != HEARTH_EFORMAT && kst != HEARTH_ENEWER)
			return kst;
		hearth_errdetail_clear();
		if (st == HEARTH_ENOTFOUND || st == HEARTH_ENEWER)
			left_out(c, "the relay sent envelope %.16s, which cannot be opened here "
				 "yet (%s): kept aside, the others received", hex, reason);
		else
			left_out(c, "the relay sent envelope %.16s, which does not open (%s): "
				 "refused, the others received", hex, reason);
		memmove(&pg->envs[k], &pg->envs[k + 1], (pg->n - k - 1) * sizeof *pg->envs);
		memmove(&pg->seqs[k], &pg->seqs[k + 1], (pg->n - k - 1) * sizeof *pg->seqs);
		pg->n--;
	}
}

/* Pulls and receives pages after the cursor until the relay has no more. */
static hearth_status pull(client *c)
{
	char suffix[96];
	hearth_status st = HEARTH_OK;
	int restarted = 0;

	for (;;) {
		hearth_response resp;
		uint64_t after = c->rs.cursor;
		page pg;

		snprintf(suffix, sizeof suffix, "/envelopes?after=%" PRIu64 "&limit=%u", after,
			 PAGE_LIMIT);
		if ((st = call(c, "GET", suffix, NULL, NULL, 0, &resp)) != HEARTH_OK)
			return st;
		if (resp.status != 200) {
			st = refused_by_relay(c, &resp, N_("the pull"));
			hearth_response_free(&resp);
			return st;
		}
		if (!resp.has_store || !resp.has_next || !resp.has_more || !resp.has_max_seq) {
			hearth_response_free(&resp);
			return malformed(c, N_("a page's headers"));
		}
		/* Another store than the one the cursor counts in. */
		if (c->rs.has_store &&
		    memcmp(resp.store, c->rs.store, sizeof c->rs.store) != 0) {
			hearth_response_free(&resp);
			if (restarted)
				return malformed(c, N_("a page's headers"));
			restarted = 1;
			lost(c);
			c->rs.has_store = 0;
			continue;
		}
		if (!c->rs.has_store) {
			memcpy(c->rs.store, resp.store, sizeof c->rs.store);
			c->rs.has_store = 1;
		}
		if ((st = parse_page(c, &resp, &pg)) != HEARTH_OK) {
			page_free(&pg);
			hearth_response_free(&resp);
			return st;
		}
		{
			const char *bad = page_check(&pg, after, resp.next, resp.max_seq,
						     resp.more);

			if (bad != NULL)
				st = malformed(c, bad);
		}
		if (st == HEARTH_OK && pg.n > 0) {
			c->r->pulled += pg.n;
			c->prog.envelopes_received += pg.n;
			st = receive_batch(c, &pg, resp.next);
			c->prog.bytes_received += resp.len;
			progress(c);
		} else if (st == HEARTH_OK) {
			c->rs.cursor = resp.next;
		}
		page_free(&pg);
		hearth_response_free(&resp);
		if (st != HEARTH_OK || !resp.more)
			return st;
	}
}

/* ---- reconciliation ------------------------------------------------------------- */

typedef uint8_t env_id[HEARTH_ENVELOPE_ID_BYTES];

typedef struct id_list {
	env_id *ids;
	int *state;
	size_t n, cap;
} id_list;

static int id_list_add(id_list *l, const uint8_t *id, int state)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		env_id *ids = realloc(l->ids, cap * sizeof *ids);
		int *sts;

		if (ids == NULL)
			return -1;
		l->ids = ids;
		if ((sts = realloc(l->state, cap * sizeof *sts)) == NULL)
			return -1;
		l->state = sts;
		l->cap = cap;
	}
	memcpy(l->ids[l->n], id, sizeof l->ids[0]);
	l->state[l->n++] = state;
	return 0;
}

static void id_list_free(id_list *l)
{
	free(l->ids);
	free(l->state);
	memset(l, 0, sizeof *l);
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, HEARTH_ENVELOPE_ID_BYTES);
}

static int local_id_cb(const uint8_t id[HEARTH_ENVELOPE_ID_BYTES], int state, void *ctx)
{
	return id_list_add(ctx, id, state) != 0;
}

/* POST body (JSON text) to suffix, *doc the answer's object. */
static hearth_status post_json(client *c, const char *suffix, const char *body,
			       const char *what, json_t **doc)
{
	hearth_response resp;
	hearth_status st;

	*doc = NULL;
	st = call(c, "POST", suffix, "application/json", (const uint8_t *)body, strlen(body),
		  &resp);
	if (st != HEARTH_OK)
		return st;
	if (resp.status != 200)
		st = refused_by_relay(c, &resp, what);
	else if ((*doc = json_body(&resp)) == NULL)
		st = malformed(c, what);
	hearth_response_free(&resp);
	return st;
}

/* The buckets whose fingerprints differ, into diff (*n of them). */
static hearth_status differing_buckets(client *c, unsigned *diff, size_t *n)
{
	hearth_fp *mine = calloc(HEARTH_FP_BUCKETS, sizeof *mine);
	hearth_fp *theirs = calloc(HEARTH_FP_BUCKETS, sizeof *theirs);
	json_t *doc = NULL, *list, *e;
	hearth_status st;
	unsigned b;
	size_t i;

	*n = 0;
	if (mine == NULL || theirs == NULL) {
		free(mine);
		free(theirs);
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
				   N_("cannot reconcile with relay"));
	}
	st = hearth_sync_fp(c->s, c->space, NULL, mine);
	if (st == HEARTH_OK)
		st = post_json(c, "/reconcile", "{\"buckets\":[]}", N_("the reconciliation"), &doc);
	for (b = 0; b < HEARTH_FP_BUCKETS; b++)
		hearth_fp_init(&theirs[b]);
	list = doc != NULL ? json_object_get(doc, "buckets") : NULL;
	if (st == HEARTH_OK && !json_is_array(list))
		st = malformed(c, N_("the reconciliation"));
	if (st == HEARTH_OK)
		json_array_foreach(list, i, e) {
			uint64_t bk, count;
			hearth_fp fp;
			json_t *sum = json_object_get(e, "sum");

			if (json_u64(e, "b", &bk) != 0 || bk >= HEARTH_FP_BUCKETS ||
			    json_u64(e, "count", &count) != 0 || !json_is_string(sum) ||
			    hearth_fp_sum_parse(json_string_value(sum), &fp) != 0) {
				st = malformed(c, N_("the reconciliation"));
				break;
			}
			fp.count = count;
			theirs[bk] = fp;
		}
	if (st == HEARTH_OK)
		for (b = 0; b < HEARTH_FP_BUCKETS; b++)
			if (!hearth_fp_equal(&mine[b], &theirs[b]))
				diff[(*n)++] = b;
	json_decref(doc);
	free(mine);
	free(theirs);
	return st;
}

/* The relay's ids of buckets b[0..n-1] (n ≤ IDS_OF_MAX) into theirs[b]. */
static hearth_status relay_ids(client *c, const unsigned *b, size_t n, id_list *theirs)
{
	char body[16 + IDS_OF_MAX * 4];
	json_t *doc = NULL, *ids;
	hearth_status st;
	size_t i, used;

	used = (size_t)snprintf(body, sizeof body, "{\"ids_of\":[");
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(body + used, sizeof body - used, "%s%u", i ? "," : "", b[i]);
	snprintf(body + used, sizeof body - used, "]}");
	if ((st = post_json(c, "/reconcile", body, N_("the reconciliation"), &doc)) != HEARTH_OK)
		return st;
	ids = json_object_get(doc, "ids");
	for (i = 0; i < n && st == HEARTH_OK; i++) {
		char key[8];
		json_t *list, *e;
		size_t j;

		snprintf(key, sizeof key, "%u", b[i]);
		list = json_object_get(ids, key);
		if (list == NULL)
			continue;
		if (!json_is_array(list)) {
			st = malformed(c, N_("the reconciliation"));
			break;
		}
		json_array_foreach(list, j, e) {
			uint8_t id[HEARTH_ENVELOPE_ID_BYTES];

			if (!json_is_string(e) || strlen(json_string_value(e)) != 64 ||
			    hearth_hex_decode(id, sizeof id, json_string_value(e)) != HEARTH_OK) {
				hearth_errdetail_clear();
				st = malformed(c, N_("the reconciliation"));
				break;
			}
			if (hearth_fp_bucket(id) != b[i]) {
				/* The relay names its ids from the bytes it keeps: an
				 * envelope damaged there lands in another bucket.  Left
				 * out; the rest of the bucket still reconciles. */
				left_out(c, "the relay lists envelope %.16s in bucket %u, not "
					 "its own (damaged on the relay?): left out",
					 json_string_value(e), b[i]);
				continue;
			}
			if (id_list_add(&theirs[i], id, 0) != 0) {
				st = hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
						 N_("cannot reconcile with relay"));
				break;
			}
		}
	}
	json_decref(doc);
	return st;
}

/* Fetches ids (at most FETCH_MAX) and receives them: each envelope must
 * be one of those asked for.  The relay answers in the order asked, up to
 * a page of bytes: *done is how many of ids the answer covered (all of
 * them unless it says Hearth-More). */
static hearth_status fetch(client *c, const env_id *ids, size_t n, size_t *done)
{
	size_t cap = 16 + n * 70, used, i, j, last = 0;
	hearth_response resp;
	hearth_status st;
	char *body = malloc(cap), hex[65];
	page pg;

	if (body == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
				   N_("cannot reconcile with relay"));
	used = (size_t)snprintf(body, cap, "{\"ids\":[");
	for (i = 0; i < n; i++) {
		hearth_hex_encode(hex, ids[i], sizeof ids[i]);
		used += (size_t)snprintf(body + used, cap - used, "%s\"%s\"", i ? "," : "", hex);
	}
	snprintf(body + used, cap - used, "]}");
	st = call(c, "POST", "/fetch", "application/json", (const uint8_t *)body, strlen(body),
		  &resp);
	free(body);
	if (st != HEARTH_OK)
		return st;
	if (resp.status != 200) {
		st = refused_by_relay(c, &resp, N_("the fetch"));
		hearth_response_free(&resp);
		return st;
	}
	st = parse_page(c, &resp, &pg);
	i = 0;
	while (i < pg.n && st == HEARTH_OK) {
		uint8_t id[HEARTH_ENVELOPE_ID_BYTES];

		hearth_envelope_id(pg.envs[i].bytes, pg.envs[i].len, id);
		for (j = 0; j < n && memcmp(ids[j], id, sizeof id) != 0; j++)
			;
		if (j < n) {
			if (j >= last)
				last = j + 1;
			i++;
			continue;
		}
		/* Not the bytes of any id asked for: damaged where the relay
		 * keeps it (the id was its bytes' when it was stored).  Left
		 * out, so that the others still arrive. */
		hearth_hex_encode(hex, id, sizeof id);
		left_out(c, "the relay answered a fetch with envelope %.16s, which is not "
			 "one asked for (damaged on the relay?): left out, the others "
			 "received", hex);
		memmove(&pg.envs[i], &pg.envs[i + 1], (pg.n - i - 1) * sizeof *pg.envs);
		memmove(&pg.seqs[i], &pg.seqs[i + 1], (pg.n - i - 1) * sizeof *pg.seqs);
		pg.n--;
	}
	*done = n;
	if (st == HEARTH_OK && resp.has_more && resp.more) {
		/* Cut short: at least one envelope asked for, or the relay
		 * would have us ask for ever. */
		if (last == 0)
			st = malformed(c, N_("an empty answer that says more follows"));
		*done = last;
	}
	if (st == HEARTH_OK && pg.n > 0) {
		c->r->vault_lacked += pg.n;
		c->prog.envelopes_received += pg.n;
		c->prog.bytes_received += resp.len;
		st = receive_batch(c, &pg, c->rs.cursor);
		progress(c);
	}
	page_free(&pg);
	hearth_response_free(&resp);
	return st;
}

/* Compares one bucket's sorted id lists: pushes (through p) what only
 * this vault holds and may forward, lists in want what only the relay
 * holds. */
static hearth_status diff_bucket(client *c, id_list *mine, id_list *theirs, pusher *p,
				 id_list *want)
{
	size_t i = 0, j = 0;
	hearth_status st = HEARTH_OK;

	if (theirs->n > 1)
		qsort(theirs->ids, theirs->n, sizeof theirs->ids[0], cmp_id);
	while (st == HEARTH_OK && (i < mine->n || j < theirs->n)) {
		int d = i == mine->n ? 1 : j == theirs->n ? -1 :
			cmp_id(mine->ids[i], theirs->ids[j]);

		if (d == 0) {
			i++;
			j++;
		} else if (d < 0) {
			/* Only an envelope opened or sealed here goes back. */
			if (mine->state[i] == 0) {
				int found;

				c->r->relay_lacked++;
				st = hearth_sync_get(c->s, c->space, mine->ids[i], push_cb, p,
						     &found);
				if (st == HEARTH_OK)
					st = p->st;
			}
			i++;
		} else {
			if (j == 0 || cmp_id(theirs->ids[j - 1], theirs->ids[j]) != 0)
				if (id_list_add(want, theirs->ids[j], 0) != 0)
					st = hearth_fail(HEARTH_ENOMEM, "%-s: out of memory",
							 N_("cannot reconcile with relay"));
			j++;
		}
	}
	return st;
}

static hearth_status reconcile(client *c)
{
	unsigned diff[HEARTH_FP_BUCKETS];
	id_list theirs[IDS_OF_MAX], want = { 0 };
	hearth_status st;
	size_t n, at, i, done = 0;
	pusher p;

	c->r->reconciled = 1;
	if ((st = differing_buckets(c, diff, &n)) != HEARTH_OK)
		return st;
	pusher_init(&p, c);
	memset(theirs, 0, sizeof theirs);
	for (at = 0; at < n && st == HEARTH_OK; at += IDS_OF_MAX) {
		size_t k = n - at < IDS_OF_MAX ? n - at : IDS_OF_MAX;

		st = relay_ids(c, diff + at, k, theirs);
		for (i = 0; i < k && st == HEARTH_OK; i++) {
			id_list mine = { 0 };

			st = hearth_sync_bucket_ids(c->s, c->space, diff[at + i], local_id_cb,
						    &mine);
			if (st == HEARTH_OK)
				st = diff_bucket(c, &mine, &theirs[i], &p, &want);
			id_list_free(&mine);
		}
		for (i = 0; i < IDS_OF_MAX; i++)
			id_list_free(&theirs[i]);
	}
	if (st == HEARTH_OK)
		st = push_flush(&p);
	free(p.buf);
	for (at = 0; at < want.n && st == HEARTH_OK; at += done)
		st = fetch(c, want.ids + at, want.n - at < FETCH_MAX ? want.n - at : FETCH_MAX,
			   &done);
	id_list_free(&want);
	return st;
}

/* ---- one sync ------------------------------------------------------------------- */

static hearth_status local_fp(client *c, hearth_fp *fp, uint64_t *last)
{
	hearth_status st = hearth_sync_fp(c->s, c->space, fp, NULL);

	if (st == HEARTH_OK && last != NULL)
		st = hearth_sync_last_arrival(c->s, last);
	return st;
}

static hearth_status sync_steps(client *c)
{
	uint64_t last_before, last_after;
	relay_state rst;
	hearth_fp mine;
	hearth_status st;
	int unknown, was_lost = 0;

	if ((st = get_state(c, &rst, &unknown)) != HEARTH_OK)
		return st;
	if ((st = local_fp(c, &mine, &last_before)) != HEARTH_OK)
		return st;
	if (unknown) {
		/* A relay that knew the space and now does not lost it. */
		if (c->rs.has_store) {
			lost(c);
			c->rs.has_store = 0;
			was_lost = 1;
		}
		c->rs.pushed = 0;
	} else if (relay_lost(&c->rs, rst.store, rst.max_seq, rst.fp.count)) {
		lost(c);
		c->rs.has_store = 0;
		was_lost = 1;
	} else if (c->rs.has_store && last_before <= c->rs.pushed &&
		   rst.max_seq == c->rs.cursor && hearth_fp_equal(&mine, &rst.fp)) {
		/* Nothing new either way. */
		remember(c, &rst);
		c->r->in_sync = 1;
		return HEARTH_OK;
	}
	/* Everything forwardable kept up to last_before is pushed now. */
	if ((st = push_new(c)) != HEARTH_OK)
		return st;
	if (c->rs.has_store)
		skip_own(c);
	if (c->rs.pushed < last_before)
		c->rs.pushed = last_before;
	if ((st = pull(c)) != HEARTH_OK)
		return st;
	/* What arrived during the pull came from the relay: not pushed back
	 * (anything else among it the fingerprints will catch). */
	if ((st = hearth_sync_last_arrival(c->s, &last_after)) != HEARTH_OK)
		return st;
	c->rs.pushed = last_after;
	if ((st = get_state(c, &rst, &unknown)) != HEARTH_OK ||
	    (st = local_fp(c, &mine, NULL)) != HEARTH_OK)
		return st;
	if (unknown)
		return malformed(c, N_("the space's state"));
	if (was_lost || !hearth_fp_equal(&mine, &rst.fp)) {
		if ((st = reconcile(c)) != HEARTH_OK)
			return st;
		if ((st = get_state(c, &rst, &unknown)) != HEARTH_OK ||
		    (st = local_fp(c, &mine, NULL)) != HEARTH_OK)
			return st;
		if (unknown)
			return malformed(c, N_("the space's state"));
	}
	remember(c, &rst);
	c->r->in_sync = hearth_fp_equal(&mine, &rst.fp);
	if (was_lost && c->r->problem[0] == '\0')
		problem(c, HEARTH_SYNC_PROBLEM_RELAY_LOST,
			"the relay had lost envelopes (its store was wiped or rolled back): "
			"sent again");
	if (!c->r->in_sync && c->r->problem[0] == '\0')
		problem(c, HEARTH_SYNC_PROBLEM_UNSENDABLE,
			"the relay holds %" PRIu64 " envelopes of the space, this vault %"
			PRIu64 ": some cannot be sent (kept aside here) or were refused",
			rst.fp.count, mine.count);
	return HEARTH_OK;
}

hearth_status hearth_relay_sync(hearth_store *s, const hearth_sync_trust *trust,
				const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				const hearth_relay_opts *o, const hearth_id *space,
				hearth_relay_result *r)
{
	hearth_relay_result dummy;
	hearth_sync_report sealed;
	hearth_status st, st2;
	char hex[HEARTH_ID_HEX + 1];
	client c;
	int found;

	if (r == NULL)
		r = &dummy;
	memset(r, 0, sizeof *r);
	if (s == NULL || trust == NULL || device_sk == NULL || o == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot sync: %-s",
				   N_("no space, key or trust given"));
	memset(&c, 0, sizeof c);
	c.s = s;
	c.trust = trust;
	c.space = space;
	c.hooks = o->hooks;
	c.r = r;
	c.device = hearth_store_device(s);
	hearth_id_to_hex(space, hex);
	snprintf(c.base, sizeof c.base, "/v1/spaces/%s", hex);
	if ((st = hearth_transport_open(o, c.device, device_sk, &c.t)) != HEARTH_OK)
		return st;
	st = hearth_sync_relay_get(s, hearth_transport_url(c.t), space, &c.rs, &found);
	if (st == HEARTH_OK) {
		memset(&sealed, 0, sizeof sealed);
		st = hearth_sync_seal(s, trust, space, device_sk, &sealed);
		r->sealed = sealed.sealed;
	}
	if (st == HEARTH_OK)
		st = sync_steps(&c);
	r->cursor = c.rs.cursor;
	hearth_transport_stats(c.t, &r->round_trips, &r->bytes_sent, &r->bytes_received);
	/* What this sync saw, and its problem, for `hearth sync status`:
	 * kept on failure too (the failure's own detail stays the caller's). */
	if (st == HEARTH_OK)
		c.rs.synced_at = (int64_t)time(NULL);
	else if (!c.ended)
		/* A failure said nothing of its own (the network, the vault,
		 * a cancel): it, not an earlier envelope's problem, is what
		 * the user must hear of. */
		problem(&c, hearth_sync_problem_of_status(st), "%s", hearth_errdetail());
	snprintf(c.rs.problem, sizeof c.rs.problem, "%s", r->problem);
	c.rs.problem_kind = r->problem_kind;
	st2 = hearth_sync_relay_put(s, hearth_transport_url(c.t), space, &c.rs);
	/* On failure the first failure is the one to tell. */
	if (st == HEARTH_OK)
		st = st2;
	hearth_transport_free(c.t);
	free(c.seqs);
	return st;
}
