/*
 * server.c - the relay's HTTP API, version 1 (docs/protocol.md §13), on
 * libmicrohttpd with an internal pool of threads.
 *
 * Each request is read whole (at most RELAY_BODY_MAX bytes of body) and
 * answered in its last handler call: route, authenticate (the signature
 * headers, the clock, the device's key from the space's membership, the
 * nonce, its current membership, the rate), then the endpoint.  Store
 * handles are pooled: a request takes one and gives it back, so a
 * handle serves one thread at a time.  Every push is durable (the
 * store's put has committed) before its answer is queued.
 */
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "hearth/identity.h"
#include "members.h"
#include "metrics.h"
#include "relay.h"
#include "store.h"
#include "wire.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result;
#else
typedef enum MHD_Result MHD_Result;
#endif

#define RATE_SLOTS 4096u
#define RATE_PROBE 8u
#define POOL_MAX 64u

typedef struct rate_slot {
	uint64_t device;
	double tokens, last;
} rate_slot;

struct relay_server {
	relay_config cfg;
	char *store_uri, *cert, *key;
	struct MHD_Daemon *d;
	unsigned port;
	relay_members *members;
	relay_metrics metrics;
	pthread_mutex_t pool_lock;
	relay_store *pool[POOL_MAX];
	size_t npool;
	pthread_mutex_t rate_lock;
	rate_slot *rate;
};

/* One request being read. */
typedef struct req {
	relay_server *srv;
	char *uri;          /* as sent: path and query */
	uint8_t *body;
	size_t len, cap;
	int started, too_large;
} req;

/* ---- the store pool ------------------------------------------------------- */

static relay_store *store_take(relay_server *s)
{
	relay_store *st = NULL;

	pthread_mutex_lock(&s->pool_lock);
	if (s->npool > 0)
		st = s->pool[--s->npool];
	pthread_mutex_unlock(&s->pool_lock);
	if (st == NULL && relay_store_open(s->store_uri, &st, NULL, 0) != 0)
		st = NULL;
	return st;
}

static void store_give(relay_server *s, relay_store *st)
{
	if (st == NULL)
		return;
	pthread_mutex_lock(&s->pool_lock);
	if (s->npool < POOL_MAX) {
		s->pool[s->npool++] = st;
		st = NULL;
	}
	pthread_mutex_unlock(&s->pool_lock);
	relay_store_close(st);
}

/* ---- answers ------------------------------------------------------------ */

static MHD_Result answer(struct MHD_Connection *c, relay_server *s, unsigned status,
			 const char *type, void *body, size_t len,
			 const char *const *headers)
{
	struct MHD_Response *r;
	MHD_Result ok;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	for (; headers != NULL && headers[0] != NULL; headers += 2)
		MHD_add_response_header(r, headers[0], headers[1]);
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	relay_metrics_request(&s->metrics, status);
	return ok;
}

static MHD_Result answer_json(struct MHD_Connection *c, relay_server *s, unsigned status,
			      json_t *j, const char *const *headers)
{
	char *text = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	if (text == NULL)
		return MHD_NO;
	return answer(c, s, status, "application/json", text, strlen(text), headers);
}

static const char *code_name(unsigned status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthenticated";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 413: return "too_large";
	case 429: return "rate_limited";
	case 507: return "quota";
	case 503: return "unavailable";
	default: return "internal";
	}
}

/* An error answer: {"error":code,"detail":...}, counted under why. */
static MHD_Result refuse(struct MHD_Connection *c, relay_server *s, unsigned status,
			 relay_refusal why, const char *const *headers, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	relay_metrics_refusal(&s->metrics, why);
	return answer_json(c, s, status, json_pack("{s:s,s:s}", "error", code_name(status),
						   "detail", detail), headers);
}

static MHD_Result store_failed(struct MHD_Connection *c, relay_server *s, relay_store *st,
			       int rc)
{
	if (rc == RELAY_ENOMEM)
		return refuse(c, s, 503, REFUSE_UNAVAILABLE, NULL, "the relay is out of memory");
	if (st != NULL)
		fprintf(stderr, "hearth-relay: store: %s\n", relay_store_error(st));
	return refuse(c, s, 503, REFUSE_UNAVAILABLE, NULL, "the relay's store is not available");
}

/* ---- the rate limit ------------------------------------------------------- */

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 0 if device may make one more request now; else the seconds to wait.
 * A token bucket per device; devices share a fixed table (a device
 * pushed out of it starts again with a full bucket). */
static unsigned rate_take(relay_server *s, uint64_t device)
{
	uint64_t h = device * 0x9e3779b97f4a7c15ull;
	size_t i, slot = 0, oldest = 0;
	double t = now_mono(), wait;
	rate_slot *r = NULL;
	unsigned out = 0;

	if (s->cfg.rate <= 0)
		return 0;
	pthread_mutex_lock(&s->rate_lock);
	for (i = 0; i < RATE_PROBE; i++) {
		slot = (size_t)((h >> 32) + i) % RATE_SLOTS;
		if (s->rate[slot].device == device) {
			r = &s->rate[slot];
			break;
		}
		if (i == 0 || s->rate[slot].last < s->rate[oldest].last)
			oldest = slot;
	}
	if (r == NULL) {
		r = &s->rate[oldest];
		r->device = device;
		r->tokens = s->cfg.burst;
		r->last = t;
	}
	r->tokens += (t - r->last) * s->cfg.rate;
	if (r->tokens > s->cfg.burst)
		r->tokens = s->cfg.burst;
	r->last = t;
	if (r->tokens >= 1) {
		r->tokens -= 1;
	} else {
		wait = ceil((1 - r->tokens) / s->cfg.rate);
		out = wait < 1 ? 1 : (unsigned)wait;
	}
	pthread_mutex_unlock(&s->rate_lock);
	return out;
}

/* ---- routing ------------------------------------------------------------ */

enum route { R_NONE, R_SPACE, R_ENVELOPES, R_STATE, R_RECONCILE, R_FETCH };

/* Splits "/v1/spaces/<32 hex>[/what]" (path only). */
static enum route route_of(const char *path, uint8_t space[RELAY_SPACE_BYTES])
{
	static const char prefix[] = "/v1/spaces/";
	char hex[2 * RELAY_SPACE_BYTES + 1];
	const char *rest;

	if (strncmp(path, prefix, sizeof prefix - 1) != 0)
		return R_NONE;
	path += sizeof prefix - 1;
	if (strlen(path) < 2 * RELAY_SPACE_BYTES)
		return R_NONE;
	memcpy(hex, path, 2 * RELAY_SPACE_BYTES);
	hex[2 * RELAY_SPACE_BYTES] = '\0';
	if (relay_hex_parse(hex, space, RELAY_SPACE_BYTES) != 0)
		return R_NONE;
	rest = path + 2 * RELAY_SPACE_BYTES;
	if (*rest == '\0')
		return R_SPACE;
	if (strcmp(rest, "/envelopes") == 0)
		return R_ENVELOPES;
	if (strcmp(rest, "/state") == 0)
		return R_STATE;
	if (strcmp(rest, "/reconcile") == 0)
		return R_RECONCILE;
	if (strcmp(rest, "/fetch") == 0)
		return R_FETCH;
	return R_NONE;
}

/* ---- bodies ------------------------------------------------------------- */

typedef struct buf {
	uint8_t *b;
	size_t len, cap;
	int oom;
} buf;

static void buf_put(buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *v;

		while (cap < b->len + n)
			cap *= 2;
		if ((v = realloc(b->b, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->b = v;
		b->cap = cap;
	}
	memcpy(b->b + b->len, p, n);
	b->len += n;
}

/* One envelope in response framing: seq, length, bytes. */
static int frame_out(const relay_envelope *e, void *ctx)
{
	uint8_t h[12];
	int i;

	for (i = 0; i < 8; i++)
		h[i] = (uint8_t)(e->seq >> (8 * (7 - i)));
	for (i = 0; i < 4; i++)
		h[8 + i] = (uint8_t)((uint64_t)e->len >> (8 * (3 - i)));
	buf_put(ctx, h, sizeof h);
	buf_put(ctx, e->bytes, e->len);
	return ((buf *)ctx)->oom ? RELAY_ENOMEM : 0;
}

static void state_json(json_t *j, const uint8_t instance[RELAY_INSTANCE_BYTES],
		       const relay_space_state *s)
{
	char hex[2 * RELAY_INSTANCE_BYTES + 1], sum[HEARTH_FP_HEX_LEN + 1];

	relay_hex(instance, RELAY_INSTANCE_BYTES, hex);
	hearth_fp_sum_hex(&s->fp, sum);
	json_object_set_new(j, "store", json_string(hex));
	json_object_set_new(j, "max_seq", json_integer((json_int_t)s->max_seq));
	json_object_set_new(j, "count", json_integer((json_int_t)s->fp.count));
	json_object_set_new(j, "sum", json_string(sum));
}

/* ---- a request in context ------------------------------------------------ */

typedef struct call {
	struct MHD_Connection *c;
	relay_server *srv;
	req *r;
	const char *method;
	char path[256];
	const char *query;  /* in r->uri, NULL: none */
	uint8_t space[RELAY_SPACE_BYTES];
	relay_store *st;
	relay_auth auth;
	relay_space_state state; /* read when the space was locked */
} call;

/* The push of every envelope of the body into the locked space.  Data
 * envelopes that pass are stored together (one transaction, one sync);
 * a control envelope first stores those pending, then is stored and
 * folded in on its own, so the envelopes after it are judged with it. */
typedef struct push_ctx {
	call *k;
	relay_space *sp;
	relay_push_result *res;  /* one per frame, in order */
	size_t nres;
	relay_envelope *pend;    /* judged, waiting to be stored */
	size_t *pend_at;         /* their places in res */
	uint64_t *seq;
	int *added;
	size_t npend;
	int rc;
} push_ctx;

static int push_flush(push_ctx *p)
{
	size_t done = 0, i;
	int rc;

	if (p->npend == 0)
		return 0;
	rc = relay_store_put_many(p->k->st, p->k->space, p->pend, p->npend, p->k->srv->cfg.quota,
				  p->seq, p->added, &done);
	for (i = 0; i < done; i++) {
		relay_push_result *r = &p->res[p->pend_at[i]];

		r->seq = p->seq[i];
		r->verdict = p->added[i] ? RELAY_STORED : RELAY_HELD;
	}
	p->npend = 0;
	if (rc != 0)
		p->rc = rc;
	return rc;
}

static int push_one(const uint8_t *env, size_t len, void *ctx)
{
	push_ctx *p = ctx;
	relay_push_result *res = &p->res[p->nres++];
	int rc;

	rc = relay_space_judge(p->sp, env, len, res, &p->pend[p->npend]);
	if (rc == RELAY_JUDGE_STORE) {
		p->pend_at[p->npend++] = p->nres - 1;
		return 0;
	}
	if (rc == RELAY_JUDGE_CONTROL) {
		if (push_flush(p) != 0)
			return 1;
		rc = relay_space_push(p->sp, p->k->st, env, len, p->k->srv->cfg.quota, res);
	}
	if (rc != 0 && rc != RELAY_JUDGE_DONE) {
		p->rc = rc;
		return 1;
	}
	return 0;
}

/* The results as JSON, counted in the metrics. */
static json_t *push_results(push_ctx *p)
{
	static const char *const names[] = { "stored", "held", "refused", "later" };
	relay_metrics *m = &p->k->srv->metrics;
	json_t *list = json_array(), *o;
	char id[2 * RELAY_ID_BYTES + 1];
	size_t i;

	for (i = 0; i < p->nres; i++) {
		const relay_push_result *r = &p->res[i];

		relay_hex(r->id, RELAY_ID_BYTES, id);
		o = json_pack("{s:s,s:s}", "id", id, "status", names[r->verdict]);
		if (r->verdict == RELAY_STORED || r->verdict == RELAY_HELD)
			json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
		if (r->reason != NULL)
			json_object_set_new(o, "reason", json_string(r->reason));
		json_array_append_new(list, o);
		if (r->verdict == RELAY_STORED) {
			atomic_fetch_add_explicit(&m->envelopes_stored, 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&m->bytes_stored, r->len, memory_order_relaxed);
		} else if (r->verdict == RELAY_HELD)
			atomic_fetch_add_explicit(&m->envelopes_held, 1, memory_order_relaxed);
		else
			relay_metrics_refusal(m, REFUSE_ENVELOPE);
	}
	return list;
}

static int count_frame(const uint8_t *env, size_t len, void *ctx)
{
	(void)env, (void)len;
	++*(size_t *)ctx;
	return 0;
}

/* Pushes the body's envelopes and answers with their results. */
static MHD_Result do_push(call *k, relay_space *sp, unsigned status)
{
	push_ctx p = { k, sp, NULL, 0, NULL, NULL, NULL, NULL, 0, 0 };
	uint8_t instance[RELAY_INSTANCE_BYTES];
	relay_space_state s;
	MHD_Result ret;
	size_t n = 0, i;
	json_t *j;
	int rc;

	/* A result per frame: many tiny frames would make the answer many
	 * times the request.  No envelope is under 300 bytes, so 1 MiB holds
	 * fewer than RELAY_PUSH_MAX. */
	if (relay_frames_parse(k->r->body, k->r->len, count_frame, &n) != 0)
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL,
			      "the body is not a sequence of [4-byte length][envelope]");
	if (n > RELAY_PUSH_MAX)
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL,
			      "more than %u envelopes in one request", RELAY_PUSH_MAX);
	i = n ? n : 1;
	p.res = calloc(i, sizeof *p.res);
	p.pend = calloc(i, sizeof *p.pend);
	p.pend_at = calloc(i, sizeof *p.pend_at);
	p.seq = calloc(i, sizeof *p.seq);
	p.added = calloc(i, sizeof *p.added);
	if (p.res == NULL || p.pend == NULL || p.pend_at == NULL || p.seq == NULL ||
	    p.added == NULL) {
		ret = store_failed(k->c, k->srv, NULL, RELAY_ENOMEM);
		goto out;
	}
	if (relay_frames_parse(k->r->body, k->r->len, push_one, &p) == 0)
		push_flush(&p);
	/* Every envelope stored is committed, with a sync, from here on. */
	if (p.rc == RELAY_EQUOTA) {
		ret = refuse(k->c, k->srv, 507, REFUSE_QUOTA, NULL,
			     "the space has reached its quota of %llu bytes",
			     (unsigned long long)k->srv->cfg.quota);
		goto out;
	}
	if (p.rc != 0) {
		ret = store_failed(k->c, k->srv, k->st, p.rc);
		goto out;
	}
	if ((rc = relay_store_state(k->st, k->space, &s)) != 0 ||
	    (rc = relay_store_instance(k->st, instance)) != 0) {
		ret = store_failed(k->c, k->srv, k->st, rc);
		goto out;
	}
	j = json_object();
	json_object_set_new(j, "results", push_results(&p));
	state_json(j, instance, &s);
	ret = answer_json(k->c, k->srv, status, j, NULL);
out:
	free(p.res);
	free(p.pend);
	free(p.pend_at);
	free(p.seq);
	free(p.added);
	return ret;
}

/* The relay's time, in seconds since 1970. */
static int64_t relay_now(const relay_server *s)
{
	return (int64_t)time(NULL) + s->cfg.clock_offset;
}

/* The signature headers, the clock, the signature under pk, the nonce,
 * the rate.  NULL-returning helpers answer themselves: returns 1 when an
 * answer was queued (*ret set), 0 to go on. */
static int check_request(call *k, const uint8_t pk[32], MHD_Result *ret)
{
	int64_t now = relay_now(k->srv);
	char retry[24];
	const char *hdr[3] = { "Retry-After", retry, NULL };
	unsigned wait;
	int rc;

	if (!relay_auth_verify(&k->auth, k->method, k->r->uri, k->r->body, k->r->len, pk)) {
		*ret = refuse(k->c, k->srv, 401, REFUSE_SIGNATURE, NULL,
			      "the request's signature does not verify");
		return 1;
	}
	rc = relay_store_nonce(k->st, k->auth.device, k->auth.nonce, k->auth.time, now,
			       RELAY_NONCE_WINDOW);
	if (rc == RELAY_EREPLAY) {
		*ret = refuse(k->c, k->srv, 401, REFUSE_REPLAY, NULL,
			      "the request's nonce was used before (a replay)");
		return 1;
	}
	if (rc != 0) {
		*ret = store_failed(k->c, k->srv, k->st, rc);
		return 1;
	}
	if ((wait = rate_take(k->srv, k->auth.device)) != 0) {
		snprintf(retry, sizeof retry, "%u", wait);
		*ret = refuse(k->c, k->srv, 429, REFUSE_RATE, hdr,
			      "too many requests from this device; retry in %u s", wait);
		return 1;
	}
	return 0;
}

/* Looking for the genesis among a registration's envelopes. */
typedef struct genesis_ctx {
	const uint8_t *space;
	uint64_t device;
	uint8_t pk[32];
	int found;
	char fingerprint[HEARTH_FINGERPRINT_LEN + 1]; /* the creator's */
} genesis_ctx;

static int genesis_find(const uint8_t *env, size_t len, void *ctx)
{
	genesis_ctx *g = ctx;

	if (!g->found && relay_genesis_author(g->space, env, len, &g->device, g->pk,
					      g->fingerprint))
		g->found = 1;
	return 0;
}

/* Whether the identity of fingerprint (the space's creator's, "" if not
 * known) may register a space: any, unless the relay lists some. */
static int register_allowed(const relay_server *s, const char *fingerprint)
{
	size_t i;

	if (s->cfg.nregister_allow == 0)
		return 1;
	for (i = 0; i < s->cfg.nregister_allow; i++)
		if (hearth_fingerprint_equal(s->cfg.register_allow[i], fingerprint))
			return 1;
	return 0;
}

/* PUT /v1/spaces/{space}: the signing device must be the author of a
 * genesis of this space in the body; its key comes from that genesis. */
static MHD_Result do_register(call *k)
{
	genesis_ctx g = { k->space, 0, { 0 }, 0, "" };
	relay_space *sp;
	MHD_Result ret;
	int rc, fresh;

	rc = relay_frames_parse(k->r->body, k->r->len, genesis_find, &g);
	if (rc == -1 || k->r->len == 0)
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL,
			      "the body is not a sequence of [4-byte length][envelope]");
	if (!g.found)
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL,
			      "the body holds no genesis of this space signed by its author");
	if (g.device != k->auth.device)
		return refuse(k->c, k->srv, 403, REFUSE_FORBIDDEN, NULL,
			      "only the device that wrote the space's genesis registers it");
	if (check_request(k, g.pk, &ret))
		return ret;
	if (!register_allowed(k->srv, g.fingerprint))
		return refuse(k->c, k->srv, 403, REFUSE_FORBIDDEN, NULL,
			      "this relay registers spaces only for the identities it lists");
	rc = relay_store_space_add(k->st, k->space);
	if (rc != 0 && rc != RELAY_EEXIST)
		return store_failed(k->c, k->srv, k->st, rc);
	fresh = rc == 0;
	if (fresh)
		atomic_fetch_add_explicit(&k->srv->metrics.spaces_registered, 1,
					  memory_order_relaxed);
	if ((rc = relay_space_lock(k->srv->members, k->st, k->space, &sp, &k->state)) != 0)
		return store_failed(k->c, k->srv, k->st, rc);
	ret = do_push(k, sp, fresh ? 201 : 200);
	relay_space_unlock(sp);
	return ret;
}

static MHD_Result do_pull(call *k)
{
	char max[24], next[24], more_s[2], instance_hex[2 * RELAY_INSTANCE_BYTES + 1];
	const char *hdr[] = { "Hearth-Store", instance_hex, "Hearth-Max-Seq", max,
			      "Hearth-More", more_s, "Hearth-Next", next, NULL };
	uint8_t instance[RELAY_INSTANCE_BYTES];
	relay_space_state s;
	const char *why;
	uint64_t after, last;
	size_t limit, i;
	int control, more = 0, rc;
	buf b = { 0 };

	if (relay_pull_query_parse(k->query, &after, &limit, &control, &why) != 0)
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL, "%s", why);
	s = k->state;
	if ((rc = relay_store_instance(k->st, instance)) != 0 ||
	    (rc = relay_store_pull(k->st, k->space, after, limit, control, frame_out, &b,
				   &more)) != 0) {
		free(b.b);
		return store_failed(k->c, k->srv, k->st, rc);
	}
	/* The last seq given: the first 8 bytes of the last frame. */
	last = after;
	for (i = 0; i < b.len;) {
		uint64_t seq = 0, len = 0;
		int j;

		for (j = 0; j < 8; j++)
			seq = seq << 8 | b.b[i + (size_t)j];
		for (j = 0; j < 4; j++)
			len = len << 8 | b.b[i + 8 + (size_t)j];
		last = seq;
		i += 12 + (size_t)len;
		atomic_fetch_add_explicit(&k->srv->metrics.envelopes_pulled, 1,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&k->srv->metrics.bytes_pulled, len,
					  memory_order_relaxed);
	}
	/* The state was read before the pull: a put in between may give a
	 * seq past it; never report a max below what was given. */
	if (last > s.max_seq)
		s.max_seq = last;
	relay_hex(instance, RELAY_INSTANCE_BYTES, instance_hex);
	snprintf(max, sizeof max, "%llu", (unsigned long long)s.max_seq);
	snprintf(next, sizeof next, "%llu", (unsigned long long)last);
	snprintf(more_s, sizeof more_s, "%d", more ? 1 : 0);
	return answer(k->c, k->srv, 200, "application/octet-stream",
		      b.b != NULL ? b.b : calloc(1, 1), b.len, hdr);
}

static MHD_Result do_state(call *k)
{
	uint8_t instance[RELAY_INSTANCE_BYTES];
	relay_space_state s;
	json_t *j;
	int rc;

	if ((rc = relay_store_instance(k->st, instance)) != 0)
		return store_failed(k->c, k->srv, k->st, rc);
	s = k->state;
	j = json_object();
	state_json(j, instance, &s);
	json_object_set_new(j, "bytes", json_integer((json_int_t)s.bytes));
	return answer_json(k->c, k->srv, 200, j, NULL);
}

static int id_out(const uint8_t id[RELAY_ID_BYTES], void *ctx)
{
	char hex[2 * RELAY_ID_BYTES + 1];

	relay_hex(id, RELAY_ID_BYTES, hex);
	return json_array_append_new(ctx, json_string(hex)) == 0 ? 0 : RELAY_ENOMEM;
}

static MHD_Result do_reconcile(call *k)
{
	uint8_t want[256];
	const char *why;
	json_t *j, *out;
	unsigned b;
	int ids, rc = 0;

	if (relay_reconcile_parse(k->r->body, k->r->len, want, &ids, &why) != 0)
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL, "%s", why);
	j = json_object();
	out = ids ? json_object() : json_array();
	json_object_set_new(j, ids ? "ids" : "buckets", out);
	for (b = 0; b < 256 && rc == 0; b++) {
		if (!want[b])
			continue;
		if (ids) {
			char key[4];
			json_t *list = json_array();

			snprintf(key, sizeof key, "%u", b);
			json_object_set_new(out, key, list);
			rc = relay_store_bucket_ids(k->st, k->space, b, id_out, list);
		} else {
			char sum[HEARTH_FP_HEX_LEN + 1];
			hearth_fp fp;

			if ((rc = relay_store_bucket(k->st, k->space, b, &fp)) != 0)
				break;
			hearth_fp_sum_hex(&fp, sum);
			json_array_append_new(out, json_pack("{s:i,s:I,s:s}", "b", (int)b, "count",
							     (json_int_t)fp.count, "sum", sum));
		}
	}
	if (rc != 0) {
		json_decref(j);
		return store_failed(k->c, k->srv, k->st, rc);
	}
	return answer_json(k->c, k->srv, 200, j, NULL);
}

static MHD_Result do_fetch(call *k)
{
	static const char *const more_hdr[] = { "Hearth-More", "1", NULL };
	uint8_t (*ids)[RELAY_ID_BYTES] = malloc(RELAY_FETCH_MAX * RELAY_ID_BYTES);
	const char *why;
	buf b = { 0 };
	size_t n, i;
	int rc = 0, more = 0;

	if (ids == NULL)
		return store_failed(k->c, k->srv, NULL, RELAY_ENOMEM);
	if (relay_fetch_parse(k->r->body, k->r->len, ids, &n, &why) != 0) {
		free(ids);
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL, "%s", why);
	}
	/* In the order asked, up to a page of envelope bytes (at least one
	 * envelope): Hearth-More says the answer stopped early, and the
	 * client asks again for the ids after the last one given. */
	for (i = 0; i < n && rc == 0; i++) {
		if (b.len >= RELAY_PAGE_MAX) {
			more = 1;
			break;
		}
		rc = relay_store_get(k->st, k->space, ids[i], frame_out, &b);
		if (rc == RELAY_ENOTFOUND)
			rc = 0;
	}
	free(ids);
	if (rc != 0) {
		free(b.b);
		return store_failed(k->c, k->srv, k->st, rc);
	}
	return answer(k->c, k->srv, 200, "application/octet-stream",
		      b.b != NULL ? b.b : calloc(1, 1), b.len, more ? more_hdr : NULL);
}

/* A /v1 request on a space: authenticated, then served. */
static MHD_Result serve_space(call *k, enum route rt)
{
	static const char *const methods[] = {
		[R_SPACE] = "PUT", [R_ENVELOPES] = NULL, [R_STATE] = "GET",
		[R_RECONCILE] = "POST", [R_FETCH] = "POST",
	};
	int64_t now = relay_now(k->srv);
	char now_s[24];
	const char *clock_hdr[3] = { "Hearth-Relay-Time", now_s, NULL };
	relay_space *sp;
	uint8_t pk[32];
	const char *why;
	int rc, current;
	MHD_Result ret;

	if (rt == R_ENVELOPES ? strcmp(k->method, "GET") != 0 && strcmp(k->method, "POST") != 0
			      : strcmp(k->method, methods[rt]) != 0)
		return refuse(k->c, k->srv, 400, REFUSE_BAD_REQUEST, NULL,
			      "method %s is not allowed on %s", k->method, k->path);
	if (relay_auth_parse(MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Hearth-Device"),
			     MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Hearth-Time"),
			     MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Hearth-Nonce"),
			     MHD_lookup_connection_value(k->c, MHD_HEADER_KIND, "Hearth-Signature"),
			     &k->auth, &why) != 0)
		return refuse(k->c, k->srv, 401, REFUSE_SIGNATURE, NULL, "%s", why);
	if (k->auth.time > now + RELAY_CLOCK_SKEW || k->auth.time < now - RELAY_CLOCK_SKEW) {
		/* The relay's time, for a client to sign with (§13.3). */
		snprintf(now_s, sizeof now_s, "%lld", (long long)now);
		return refuse(k->c, k->srv, 401, REFUSE_CLOCK, clock_hdr,
			      "the request's time is more than %d s from the relay's time %lld",
			      RELAY_CLOCK_SKEW, (long long)now);
	}
	if (rt == R_SPACE)
		return do_register(k);
	rc = relay_space_lock(k->srv->members, k->st, k->space, &sp, &k->state);
	if (rc == RELAY_ENOTFOUND)
		return refuse(k->c, k->srv, 404, REFUSE_NOT_FOUND, NULL,
			      "the space is not registered on this relay");
	if (rc != 0)
		return store_failed(k->c, k->srv, k->st, rc);
	if (!relay_space_device(sp, k->auth.device, pk, &current)) {
		relay_space_unlock(sp);
		return refuse(k->c, k->srv, 401, REFUSE_UNKNOWN_DEVICE, NULL,
			      "device %s is unknown in this space", k->auth.device_text);
	}
	/* Pushes keep the space locked: they fold control envelopes in. */
	if (!(rt == R_ENVELOPES && strcmp(k->method, "POST") == 0))
		relay_space_unlock(sp), sp = NULL;
	if (check_request(k, pk, &ret))
		goto out;
	if (!current) {
		ret = refuse(k->c, k->srv, 403, REFUSE_FORBIDDEN, NULL,
			     "device %s is not a current member device of this space",
			     k->auth.device_text);
		goto out;
	}
	switch (rt) {
	case R_ENVELOPES:
		ret = sp != NULL ? do_push(k, sp, 200) : do_pull(k);
		break;
	case R_STATE:
		ret = do_state(k);
		break;
	case R_RECONCILE:
		ret = do_reconcile(k);
		break;
	default:
		ret = do_fetch(k);
		break;
	}
out:
	relay_space_unlock(sp);
	return ret;
}

static MHD_Result serve(call *k)
{
	relay_server *s = k->srv;
	enum route rt;
	size_t n = strcspn(k->r->uri, "?");
	int rc;

	if (n >= sizeof k->path)
		return refuse(k->c, s, 404, REFUSE_NOT_FOUND, NULL, "no such path");
	memcpy(k->path, k->r->uri, n);
	k->path[n] = '\0';
	k->query = k->r->uri[n] == '?' ? k->r->uri + n + 1 : NULL;
	if (strcmp(k->path, "/healthz") == 0 || strcmp(k->path, "/metrics") == 0) {
		relay_space_state st;
		uint8_t space[RELAY_SPACE_BYTES] = { 0 };

		if (strcmp(k->method, "GET") != 0)
			return refuse(k->c, s, 400, REFUSE_BAD_REQUEST, NULL,
				      "method %s is not allowed on %s", k->method, k->path);
		if (k->path[1] == 'm') {
			size_t len;
			char *text = relay_metrics_text(&s->metrics, &len);

			if (text == NULL)
				return MHD_NO;
			return answer(k->c, s, 200, "text/plain; version=0.0.4", text, len, NULL);
		}
		rc = relay_store_state(k->st, space, &st);
		if (rc != 0 && rc != RELAY_ENOTFOUND)
			return refuse(k->c, s, 503, REFUSE_UNAVAILABLE, NULL,
				      "the relay's store is not available");
		return answer(k->c, s, 200, "text/plain", strdup("ok\n"), 3, NULL);
	}
	if ((rt = route_of(k->path, k->space)) == R_NONE)
		return refuse(k->c, s, 404, REFUSE_NOT_FOUND, NULL, "no such path");
	return serve_space(k, rt);
}

/* ---- libmicrohttpd's callbacks ----------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	req *r = calloc(1, sizeof *r);

	(void)c;
	if (r != NULL) {
		r->srv = cls;
		r->uri = strdup(uri);
	}
	return r;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	req *r = *con_cls;

	(void)cls, (void)c, (void)toe;
	if (r != NULL) {
		free(r->uri);
		free(r->body);
		free(r);
	}
	*con_cls = NULL;
}

static MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *data,
			     size_t *data_size, void **con_cls)
{
	relay_server *s = cls;
	req *r = *con_cls;
	call k;
	MHD_Result ret;

	(void)url, (void)version;
	if (r == NULL || r->uri == NULL)
		return MHD_NO;
	if (!r->started) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t n;

		r->started = 1;
		if (cl != NULL && relay_u64_parse(cl, &n) == 0 && n > RELAY_BODY_MAX)
			return refuse(c, s, 413, REFUSE_TOO_LARGE, NULL,
				      "the request body is over %u bytes", RELAY_BODY_MAX);
		return MHD_YES;
	}
	if (*data_size != 0) {
		size_t n = *data_size;

		*data_size = 0;
		if (r->too_large || r->len + n > RELAY_BODY_MAX) {
			r->too_large = 1;
			return MHD_YES;
		}
		if (r->len + n > r->cap) {
			size_t cap = r->cap ? r->cap : 16384;
			uint8_t *v;

			while (cap < r->len + n)
				cap *= 2;
			if ((v = realloc(r->body, cap)) == NULL)
				return MHD_NO;
			r->body = v;
			r->cap = cap;
		}
		memcpy(r->body + r->len, data, n);
		r->len += n;
		return MHD_YES;
	}
	if (r->too_large)
		return refuse(c, s, 413, REFUSE_TOO_LARGE, NULL,
			      "the request body is over %u bytes", RELAY_BODY_MAX);
	memset(&k, 0, sizeof k);
	k.c = c;
	k.srv = s;
	k.r = r;
	k.method = method;
	if ((k.st = store_take(s)) == NULL)
		return refuse(c, s, 503, REFUSE_UNAVAILABLE, NULL,
			      "the relay's store is not available");
	ret = serve(&k);
	store_give(s, k.st);
	return ret;
}

/* ---- start and stop --------------------------------------------------------- */

/* Resolves "ADDR:PORT" or "[ADDR6]:PORT" into *out. */
static int listen_addr(const char *spec, struct sockaddr_storage *out, socklen_t *len,
		       char *err, size_t errlen)
{
	char host[256], *port;
	struct addrinfo hints, *ai = NULL;
	const char *colon = strrchr(spec, ':');
	size_t hl;
	int rc;

	if (colon == NULL || colon == spec || colon[1] == '\0' ||
	    (hl = (size_t)(colon - spec)) >= sizeof host) {
		snprintf(err, errlen, "listen address '%s' is not ADDR:PORT", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	port = (char *)colon + 1;
	if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "listen address '%s': %s", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(out, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

void relay_server_stop(relay_server *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	while (s->npool > 0)
		relay_store_close(s->pool[--s->npool]);
	relay_members_free(s->members);
	pthread_mutex_destroy(&s->pool_lock);
	pthread_mutex_destroy(&s->rate_lock);
	free(s->rate);
	free(s->store_uri);
	free(s->cert);
	free(s->key);
	free(s);
}

unsigned relay_server_port(const relay_server *s)
{
	return s->port;
}

int relay_server_start(const relay_config *cfg, relay_server **out, char *err, size_t errlen)
{
	struct sockaddr_storage addr;
	socklen_t addrlen = 0;
	relay_server *s;
	relay_store *st = NULL;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	unsigned threads;

	*out = NULL;
	if ((cfg->tls_cert_pem == NULL) != (cfg->tls_key_pem == NULL)) {
		snprintf(err, errlen, "TLS needs both a certificate and a key");
		return -1;
	}
	if (cfg->tls_cert_pem != NULL && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd was built without TLS");
		return -1;
	}
	if (listen_addr(cfg->listen, &addr, &addrlen, err, errlen) != 0)
		return -1;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->cfg = *cfg;
	pthread_mutex_init(&s->pool_lock, NULL);
	pthread_mutex_init(&s->rate_lock, NULL);
	s->store_uri = strdup(cfg->store);
	s->cert = cfg->tls_cert_pem ? strdup(cfg->tls_cert_pem) : NULL;
	s->key = cfg->tls_key_pem ? strdup(cfg->tls_key_pem) : NULL;
	s->members = relay_members_new();
	s->rate = calloc(RATE_SLOTS, sizeof *s->rate);
	if (s->store_uri == NULL || s->members == NULL || s->rate == NULL ||
	    (cfg->tls_cert_pem != NULL && (s->cert == NULL || s->key == NULL))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (s->cfg.burst < 1)
		s->cfg.burst = 1;
	if (relay_store_open(cfg->store, &st, err, errlen) != 0)
		goto fail;
	s->pool[s->npool++] = st;
	threads = cfg->threads ? cfg->threads : 4;
	if (s->cert != NULL)
		flags |= MHD_USE_TLS;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
				MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_CONNECTION_TIMEOUT, 60u,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
				s->cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, s->cert,
				MHD_OPTION_HTTPS_MEM_KEY, s->key,
				MHD_OPTION_END);
	if (s->d == NULL) {
		snprintf(err, errlen, "cannot listen on %s (in use, or not an address of "
			 "this machine?)", cfg->listen);
		goto fail;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : 0;
	*out = s;
	return 0;
fail:
	relay_server_stop(s);
	return -1;
}
