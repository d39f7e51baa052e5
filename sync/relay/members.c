/*
 * members.c - the membership of each space as the relay folds it
 * (members.h).
 *
 * A relay holds no epoch key, but the control plane's key is public
 * (docs/protocol.md §11): it opens every control envelope it keeps and
 * computes the space's state the way every member does.  The state is a
 * function of the set of control ops alone, so it does not matter which
 * relay process stored which envelope: each process walks the control
 * envelopes it has not seen yet, in seq order, when the store's count
 * of them moved.
 *
 * An envelope's author key comes from the membership folded so far, or,
 * for the genesis envelope, from a genesis of this space written by its
 * author (only it vouches, §10.6).  What the fold then counts is decided
 * by hearth_space_compute: an op of an author without the rights is
 * ignored there, so the relay's gate only keeps out what nobody could
 * ever count.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/envelope.h"
#include "hearth/space.h"
#include "members.h"

#define SPACE_BUCKETS 256u
/* Bytes of control envelopes read per store call while catching up. */
#define WALK_PAGE (1024u * 1024u)

struct relay_space {
	struct relay_space *next;
	uint8_t id[RELAY_SPACE_BYTES];
	pthread_mutex_t lock;
	uint64_t walked;            /* control envelopes walked so far */
	uint64_t last_seq;          /* the seq of the last one walked */
	hearth_envelope_batch *batches; /* the opened ones */
	size_t nbatches, capbatches;
	hearth_space_state *state;  /* NULL: fold again before use */
	int oom;
};

struct relay_members {
	pthread_mutex_t lock;
	relay_space *buckets[SPACE_BUCKETS];
};

relay_members *relay_members_new(void)
{
	relay_members *m = calloc(1, sizeof *m);

	if (m != NULL)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

static void space_free(relay_space *sp)
{
	size_t i;

	for (i = 0; i < sp->nbatches; i++)
		hearth_envelope_batch_release(&sp->batches[i]);
	free(sp->batches);
	hearth_space_state_free(sp->state);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
}

void relay_members_free(relay_members *m)
{
	size_t b;

	if (m == NULL)
		return;
	for (b = 0; b < SPACE_BUCKETS; b++) {
		relay_space *sp = m->buckets[b], *next;

		for (; sp != NULL; sp = next) {
			next = sp->next;
			space_free(sp);
		}
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* The folded state, computed again if ops arrived since; NULL when out of
 * memory. */
static const hearth_space_state *state_of(relay_space *sp)
{
	hearth_op *ops;
	hearth_id space;
	size_t i, n = 0;

	if (sp->state != NULL)
		return sp->state;
	for (i = 0; i < sp->nbatches; i++)
		n += sp->batches[i].n;
	if ((ops = malloc((n ? n : 1) * sizeof *ops)) == NULL)
		return NULL;
	n = 0;
	for (i = 0; i < sp->nbatches; i++) {
		memcpy(ops + n, sp->batches[i].ops, sp->batches[i].n * sizeof *ops);
		n += sp->batches[i].n;
	}
	memcpy(space.b, sp->id, sizeof space.b);
	if (hearth_space_compute(&space, ops, n, &sp->state) != HEARTH_OK)
		sp->state = NULL;
	free(ops);
	return sp->state;
}

/* The author's key of a control envelope: from the membership so far,
 * else from a genesis of this very space among its ops, by its author. */
static int control_key(void *ctx, const hearth_envelope_info *info, const hearth_op *ops,
		       size_t n, uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	relay_space *sp = ctx;
	const hearth_space_state *st = sp != NULL ? state_of(sp) : NULL;
	hearth_space_state *g = NULL;
	int found = 0;

	if (st != NULL && st->known &&
	    hearth_space_may_write(st, info->device, info->first_seq, info->last_seq,
				   HEARTH_EPOCH_CONTROL, pk, NULL))
		return 0;
	if (hearth_space_compute(&info->space, ops, n, &g) != HEARTH_OK)
		return 1;
	if (g->known && g->root_device == info->device) {
		memcpy(pk, g->root_pk, HEARTH_SIGN_PUBLICBYTES);
		found = 1;
	}
	hearth_space_state_free(g);
	return !found;
}

int relay_genesis_author(const uint8_t space[RELAY_SPACE_BYTES], const uint8_t *env,
			 size_t len, uint64_t *device, uint8_t pk[32],
			 char fingerprint[HEARTH_FINGERPRINT_LEN + 1])
{
	hearth_envelope_batch b;
	hearth_envelope_info info;
	hearth_space_state *g = NULL;
	int found = 0;
	size_t i;

	if (hearth_envelope_peek(env, len, &info) != HEARTH_OK || info.epoch != 0 ||
	    memcmp(info.space.b, space, RELAY_SPACE_BYTES) != 0)
		return 0;
	if (hearth_envelope_open_control(env, len, control_key, NULL, &b) != HEARTH_OK) {
		hearth_envelope_batch_release(&b);
		return 0;
	}
	if (hearth_space_compute(&info.space, b.ops, b.n, &g) == HEARTH_OK && g->known &&
	    g->root_device == info.device) {
		*device = g->root_device;
		memcpy(pk, g->root_pk, 32);
		found = 1;
		fingerprint[0] = '\0';
		for (i = 0; i < g->nmembers; i++) {
			const hearth_space_member *m = &g->members[i];

			if (m->has_identity && m->has_box &&
			    memcmp(m->identity.sign_pk, g->creator, sizeof g->creator) == 0) {
				hearth_fingerprint(&m->identity, fingerprint);
				break;
			}
		}
	}
	hearth_space_state_free(g);
	hearth_envelope_batch_release(&b);
	return found;
}

/* Keeps an opened batch (taking what it owns). */
static int keep_batch(relay_space *sp, hearth_envelope_batch *b)
{
	if (sp->nbatches == sp->capbatches) {
		size_t cap = sp->capbatches ? 2 * sp->capbatches : 8;
		hearth_envelope_batch *v = realloc(sp->batches, cap * sizeof *v);

		if (v == NULL)
			return RELAY_ENOMEM;
		sp->batches = v;
		sp->capbatches = cap;
	}
	sp->batches[sp->nbatches++] = *b;
	memset(b, 0, sizeof *b);
	hearth_space_state_free(sp->state);
	sp->state = NULL;
	return 0;
}

/* One stored control envelope met while catching up. */
static int walk_one(const relay_envelope *e, void *ctx)
{
	relay_space *sp = ctx;
	hearth_envelope_batch b;
	int rc = 0;

	sp->walked++;
	sp->last_seq = e->seq;
	if (hearth_envelope_open_control(e->bytes, e->len, control_key, sp, &b) == HEARTH_OK)
		rc = keep_batch(sp, &b);
	hearth_envelope_batch_release(&b);
	return rc;
}

/* Walks the control envelopes stored since the last walk; s is the
 * space's state as just read (NULL: read it). */
static int catch_up(relay_space *sp, relay_store *st, const relay_space_state *s)
{
	relay_space_state now;
	int rc = 0, more = 1;

	if (s == NULL) {
		if ((rc = relay_store_state(st, sp->id, &now)) != 0)
			return rc;
		s = &now;
	}
	if (s->control == sp->walked)
		return 0;
	while (more && rc == 0)
		rc = relay_store_pull(st, sp->id, sp->last_seq, WALK_PAGE, 1, walk_one, sp,
				      &more);
	return rc;
}

int relay_space_lock(relay_members *m, relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		     relay_space **out, relay_space_state *state)
{
	relay_space *sp;
	int rc;

	*out = NULL;
	/* The state first: an unknown space gets no cache entry. */
	if ((rc = relay_store_state(st, space, state)) != 0)
		return rc;
	pthread_mutex_lock(&m->lock);
	for (sp = m->buckets[space[0]]; sp != NULL; sp = sp->next)
		if (memcmp(sp->id, space, RELAY_SPACE_BYTES) == 0)
			break;
	if (sp == NULL && (sp = calloc(1, sizeof *sp)) != NULL) {
		memcpy(sp->id, space, RELAY_SPACE_BYTES);
		pthread_mutex_init(&sp->lock, NULL);
		sp->next = m->buckets[space[0]];
		m->buckets[space[0]] = sp;
	}
	pthread_mutex_unlock(&m->lock);
	if (sp == NULL)
		return RELAY_ENOMEM;
	pthread_mutex_lock(&sp->lock);
	if ((rc = catch_up(sp, st, state)) != 0) {
		pthread_mutex_unlock(&sp->lock);
		return rc;
	}
	*out = sp;
	return 0;
}

void relay_space_unlock(relay_space *sp)
{
	if (sp != NULL)
		pthread_mutex_unlock(&sp->lock);
}

int relay_space_device(relay_space *sp, uint64_t device, uint8_t pk[32], int *current)
{
	const hearth_space_state *st = state_of(sp);
	size_t i, j;

	*current = 0;
	if (st == NULL || !st->known)
		return 0;
	for (i = 0; i < st->nmembers; i++)
		for (j = 0; j < st->members[i].ndevices; j++)
			if (st->members[i].devices[j].device == device) {
				memcpy(pk, st->members[i].devices[j].pk, 32);
				*current = hearth_space_device_current(st, device);
				return 1;
			}
	/* The genesis device before any member record lists it. */
	if (device == st->root_device) {
		memcpy(pk, st->root_pk, 32);
		*current = !hearth_space_device_revoked(st, device, NULL);
		return 1;
	}
	return 0;
}

/* 1 if device appears anywhere in the membership (listed, named by a
 * cutoff, revoked): an envelope of it that may not be written is refused
 * for good, not kept for later. */
static int device_known(const hearth_space_state *st, uint64_t device)
{
	size_t i, j;

	if (hearth_space_device_revoked(st, device, NULL))
		return 1;
	for (i = 0; i < st->nmembers; i++) {
		for (j = 0; j < st->members[i].ndevices; j++)
			if (st->members[i].devices[j].device == device)
				return 1;
		for (j = 0; j < st->members[i].ncutoffs; j++)
			if (st->members[i].cutoffs[j].device == device)
				return 1;
	}
	return 0;
}

static int store_it(relay_space *sp, relay_store *st, const uint8_t *env, size_t len,
		    const hearth_envelope_info *info, uint64_t quota, relay_push_result *res)
{
	relay_envelope e;
	int added = 0, rc;

	memset(&e, 0, sizeof e);
	memcpy(e.id, res->id, sizeof e.id);
	e.epoch = info->epoch;
	e.device = info->device;
	e.first_seq = info->first_seq;
	e.last_seq = info->last_seq;
	e.bytes = env;
	e.len = len;
	if ((rc = relay_store_put(st, sp->id, &e, quota, &res->seq, &added)) != 0)
		return rc;
	res->verdict = added ? RELAY_STORED : RELAY_HELD;
	return 0;
}

int relay_space_judge(relay_space *sp, const uint8_t *env, size_t len,
		      relay_push_result *res, relay_envelope *out)
{
	const hearth_space_state *state;
	hearth_envelope_info info;
	uint8_t pk[HEARTH_SIGN_PUBLICBYTES];

	memset(res, 0, sizeof *res);
	hearth_envelope_id(env, len, res->id);
	res->verdict = RELAY_REFUSED;
	res->len = len;
	if (hearth_envelope_peek(env, len, &info) != HEARTH_OK) {
		res->reason = "it is not a well-formed envelope";
		return RELAY_JUDGE_DONE;
	}
	if (memcmp(info.space.b, sp->id, RELAY_SPACE_BYTES) != 0) {
		res->reason = "it is of another space";
		return RELAY_JUDGE_DONE;
	}
	if (info.epoch == HEARTH_EPOCH_CONTROL)
		return RELAY_JUDGE_CONTROL;
	if ((state = state_of(sp)) == NULL)
		return RELAY_ENOMEM;
	if (!hearth_space_may_write(state, info.device, info.first_seq, info.last_seq,
				    info.epoch, pk, NULL)) {
		if (device_known(state, info.device) &&
		    !hearth_space_may_write(state, info.device, info.first_seq, info.last_seq,
					    HEARTH_EPOCH_CONTROL, NULL, NULL)) {
			res->reason = "its device may not write these seqs";
			return RELAY_JUDGE_DONE;
		}
		res->verdict = RELAY_LATER;
		res->reason = "its author or its epoch is not (yet) known";
		return RELAY_JUDGE_DONE;
	}
	if (hearth_envelope_verify(env, len, pk) != HEARTH_OK) {
		res->reason = "its signature does not verify";
		return RELAY_JUDGE_DONE;
	}
	memset(out, 0, sizeof *out);
	memcpy(out->id, res->id, sizeof out->id);
	out->epoch = info.epoch;
	out->device = info.device;
	out->first_seq = info.first_seq;
	out->last_seq = info.last_seq;
	out->bytes = env;
	out->len = len;
	return RELAY_JUDGE_STORE;
}

int relay_space_push(relay_space *sp, relay_store *st, const uint8_t *env, size_t len,
		     uint64_t quota, relay_push_result *res)
{
	hearth_envelope_info info;
	hearth_envelope_batch b;
	relay_envelope e;
	hearth_status hs;
	int rc, added = 0;

	rc = relay_space_judge(sp, env, len, res, &e);
	if (rc == RELAY_JUDGE_DONE)
		return 0;
	if (rc == RELAY_JUDGE_STORE) {
		if ((rc = relay_store_put(st, sp->id, &e, quota, &res->seq, &added)) != 0)
			return rc;
		res->verdict = added ? RELAY_STORED : RELAY_HELD;
		return 0;
	}
	if (rc != RELAY_JUDGE_CONTROL)
		return rc;
	hs = hearth_envelope_open_control(env, len, control_key, sp, &b);
	if (hs == HEARTH_ENOTFOUND) {
		hearth_envelope_batch_release(&b);
		res->verdict = RELAY_LATER;
		res->reason = "its author is not (yet) known";
		return 0;
	}
	if (hs == HEARTH_ENOMEM) {
		hearth_envelope_batch_release(&b);
		return RELAY_ENOMEM;
	}
	if (hs != HEARTH_OK) {
		hearth_envelope_batch_release(&b);
		res->reason = hs == HEARTH_EAUTH ? "its signature does not verify"
			: "it does not open";
		return 0;
	}
	info = b.info;
	hearth_envelope_batch_release(&b);
	rc = store_it(sp, st, env, len, &info, quota, res);
	if (rc != 0)
		return rc;
	/* Folded in by walking the store: the order of every process's
	 * control envelopes is the store's. */
	return catch_up(sp, st, NULL);
}
