/*
 * space.c - a space's control plane as a pure function of its control
 * ops, epoch keys, wraps and the keyring (see hearth/space.h and
 * docs/protocol.md §11).
 *
 * hearth_space_compute sorts the distinct ops once, checks every
 * certificate they carry once, then folds.  A fold keeps records by id in
 * sorted arrays; a space has at most a few hundred members and a few
 * thousand control ops, so lookups are linear or binary searches and the
 * whole computation stays in the milliseconds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db_private.h"
#include "hearth/space.h"
#include "op_private.h"

#define FIELD_IDENTITY "identity"
#define FIELD_BOX "box"
#define FIELD_ROLE "role"
#define FIELD_REMOVED "removed"
#define FIELD_CREATOR "creator"
#define FIELD_NONCE "nonce"
#define FIELD_NUMBER "number"
#define FIELD_CHECK "check"
#define PREFIX_DEVICE "device."
#define PREFIX_CUTOFF "cutoff."
#define PREFIX_WRAP "wrap."
#define PREFIX_REVOKED "revoked."

static const uint8_t keycheck_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'K', 'C' };
static const char control_key_label[] = "hearth control key v1";

const char *hearth_role_name(hearth_role r)
{
	switch (r) {
	case HEARTH_ROLE_LEAD: return "lead";
	case HEARTH_ROLE_COUNSELLOR: return "counsellor";
	default: return NULL;
	}
}

hearth_role hearth_role_parse(const char *name)
{
	if (name == NULL)
		return HEARTH_ROLE_NONE;
	if (strcmp(name, "lead") == 0)
		return HEARTH_ROLE_LEAD;
	if (strcmp(name, "counsellor") == 0)
		return HEARTH_ROLE_COUNSELLOR;
	return HEARTH_ROLE_NONE;
}

int hearth_op_is_control(const hearth_op *op)
{
	return op->kind != NULL && (strcmp(op->kind, HEARTH_KIND_SPACE) == 0 ||
				    strcmp(op->kind, HEARTH_KIND_MEMBER) == 0 ||
				    strcmp(op->kind, HEARTH_KIND_EPOCH) == 0);
}

static uint64_t get64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

uint64_t hearth_epoch_of_record(const hearth_id *record)
{
	return get64(record->b) & ~((uint64_t)1 << 63);
}

void hearth_space_control_key(const hearth_id *space, uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, HEARTH_EPOCH_KEYBYTES);
	crypto_generichash_update(&h, (const uint8_t *)control_key_label,
				  sizeof control_key_label - 1);
	crypto_generichash_update(&h, space->b, sizeof space->b);
	crypto_generichash_final(&h, key, HEARTH_EPOCH_KEYBYTES);
}

hearth_id hearth_space_id_derive(const uint8_t creator[HEARTH_ID_SIGN_PUBLICBYTES],
				 const uint8_t nonce[HEARTH_SPACE_NONCE_BYTES])
{
	crypto_generichash_state h;
	hearth_id id;

	crypto_generichash_init(&h, NULL, 0, HEARTH_ID_BYTES);
	crypto_generichash_update(&h, creator, HEARTH_ID_SIGN_PUBLICBYTES);
	crypto_generichash_update(&h, nonce, HEARTH_SPACE_NONCE_BYTES);
	crypto_generichash_final(&h, id.b, sizeof id.b);
	return id;
}

/* ---- small parsers: every value here comes from other devices ---------- */

/* Exactly 2 * n lowercase hex digits into out. */
static int hex_exact(const char *v, uint8_t *out, size_t n)
{
	size_t i;

	if (v == NULL || strlen(v) != 2 * n)
		return 0;
	for (i = 0; i < 2 * n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return 0;
	return sodium_hex2bin(out, n, v, 2 * n, NULL, NULL, NULL) == 0;
}

/* A device id after a prefix: exactly 16 lowercase hex digits, non-zero. */
static int device_suffix(const char *field, const char *prefix, uint64_t *dev)
{
	size_t n = strlen(prefix);
	uint8_t b[8];

	if (strncmp(field, prefix, n) != 0 || !hex_exact(field + n, b, 8))
		return 0;
	*dev = get64(b);
	return *dev != 0;
}

/* A decimal u64 without sign, leading zeros or spaces; min 1 if nonzero. */
static int decimal(const char *v, uint64_t *out, int nonzero)
{
	uint64_t x = 0;
	size_t i;

	if (v == NULL || v[0] == '\0' || strlen(v) > 20 || (v[0] == '0' && v[1] != '\0'))
		return 0;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		if (x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return 0;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (nonzero && x == 0)
		return 0;
	*out = x;
	return 1;
}

/* ---- the ops, sorted and checked once ----------------------------------- */

typedef struct cop {
	const hearth_op *op;
	int is_kind;       /* "_kind" with value = kind, record id derived */
	int cert_ok;       /* device.<d>: a certificate for d that verifies */
	hearth_device_cert cert;
	uint64_t dev;      /* device.<d>, cutoff.<d>, wrap.<d>, revoked.<d> */
} cop;

static int cop_id_cmp(const void *a, const void *b)
{
	const hearth_op *x = ((const cop *)a)->op, *y = ((const cop *)b)->op;
	int c = hearth_op_id_cmp(&x->id, &y->id);

	return c != 0 ? c : memcmp(x->hash, y->hash, sizeof x->hash);
}

static int cop_fold_cmp(const void *a, const void *b)
{
	const hearth_op *x = ((const cop *)a)->op, *y = ((const cop *)b)->op;
	int c = hearth_hlc_cmp(&x->hlc, &y->hlc);

	return c != 0 ? c : hearth_op_id_cmp(&x->id, &y->id);
}

/* ---- the state being folded --------------------------------------------- */

typedef struct rec {
	hearth_id id;
	int member;        /* else an epoch */
	uint64_t author;   /* device of its "_kind" */
	size_t m;          /* index into members or epochs */
} rec;

typedef struct fold {
	hearth_space_state *st;
	rec *recs;
	size_t nrecs, caprecs;
	size_t capmembers, capepochs;
	int oom;
} fold;

static int id_cmp(const hearth_id *a, const hearth_id *b)
{
	return memcmp(a->b, b->b, HEARTH_ID_BYTES);
}

static rec *rec_find(fold *f, const hearth_id *id)
{
	size_t lo = 0, hi = f->nrecs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = id_cmp(&f->recs[mid].id, id);

		if (c == 0)
			return &f->recs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	void *q;
	size_t c;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 8;
	while (c < need)
		c *= 2;
	if ((q = realloc(*p, c * size)) == NULL)
		return -1;
	memset((char *)q + *cap * size, 0, (c - *cap) * size);
	*p = q;
	*cap = c;
	return 0;
}

static rec *rec_add(fold *f, const hearth_id *id, int member, uint64_t author)
{
	hearth_space_state *st = f->st;
	size_t at = 0;
	rec r;

	if (grow((void **)&f->recs, &f->caprecs, f->nrecs + 1, sizeof *f->recs) != 0)
		goto oom;
	r.id = *id;
	r.member = member;
	r.author = author;
	if (member) {
		if (grow((void **)&st->members, &f->capmembers, st->nmembers + 1,
			 sizeof *st->members) != 0)
			goto oom;
		r.m = st->nmembers++;
		st->members[r.m].record = *id;
	} else {
		if (grow((void **)&st->epochs, &f->capepochs, st->nepochs + 1,
			 sizeof *st->epochs) != 0)
			goto oom;
		r.m = st->nepochs++;
		st->epochs[r.m].record = *id;
		st->epochs[r.m].epoch = hearth_epoch_of_record(id);
		st->epochs[r.m].author = author;
	}
	while (at < f->nrecs && id_cmp(&f->recs[at].id, id) < 0)
		at++;
	memmove(f->recs + at + 1, f->recs + at, (f->nrecs - at) * sizeof *f->recs);
	f->recs[at] = r;
	f->nrecs++;
	return &f->recs[at];
oom:
	f->oom = 1;
	return NULL;
}

static hearth_space_device *dev_find(hearth_space_device *v, size_t n, uint64_t d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].device == d)
			return &v[i];
	return NULL;
}

/* Inserts device d into v (kept by id); the existing entry if any. */
static hearth_space_device *dev_add(fold *f, hearth_space_device **v, size_t *n,
				    uint64_t d)
{
	hearth_space_device *e = dev_find(*v, *n, d), *q;
	size_t at = 0;

	if (e != NULL)
		return e;
	if ((q = realloc(*v, (*n + 1) * sizeof *q)) == NULL) {
		f->oom = 1;
		return NULL;
	}
	*v = q;
	while (at < *n && q[at].device < d)
		at++;
	memmove(q + at + 1, q + at, (*n - at) * sizeof *q);
	memset(&q[at], 0, sizeof q[at]);
	q[at].device = d;
	(*n)++;
	return &q[at];
}

static void dev_del(hearth_space_device *v, size_t *n, uint64_t d)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (v[i].device == d) {
			memmove(v + i, v + i + 1, (*n - i - 1) * sizeof *v);
			(*n)--;
			return;
		}
}

/* What an author may do at a point of the fold. */
typedef struct author {
	hearth_role role;       /* NONE: the op does not count */
	const uint8_t *identity; /* its identity's sign pk */
} author;

/* The role device d has for an op of seq q, from the member records as
 * they stand (the greatest over the records that list it). */
static author author_of(const hearth_space_state *st, uint64_t d, uint64_t q)
{
	author a = { HEARTH_ROLE_NONE, NULL };
	const hearth_space_device *rv = dev_find(st->revoked, st->nrevoked, d);
	int listed = 0;
	size_t i;

	/* A revoked device counts up to its cutoff only, in every record
	 * (and as the genesis device). */
	if (rv != NULL && q > rv->cutoff)
		return a;
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];
		const hearth_space_device *e = dev_find(m->devices, m->ndevices, d);
		const hearth_space_device *c;

		if (e == NULL)
			continue;
		listed = 1;
		if (m->removed) {
			c = dev_find(m->cutoffs, m->ncutoffs, d);
			if (c == NULL || q > c->cutoff)
				continue;
		}
		if (m->role > a.role) {
			a.role = m->role;
			a.identity = m->identity.sign_pk;
		}
	}
	/* The genesis device is a lead until a member record lists it. */
	if (!listed && d == st->root_device && st->known) {
		a.role = HEARTH_ROLE_LEAD;
		a.identity = st->creator;
	}
	return a;
}

uint64_t hearth_space_write_limit(const hearth_space_state *st, uint64_t d)
{
	const hearth_space_device *rv;
	uint64_t best = 0;
	int listed = 0;
	size_t i;

	if (st == NULL || !st->known)
		return 0;
	/* The greatest seq author_of still counts, record by record. */
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];
		const hearth_space_device *c;

		if (dev_find(m->devices, m->ndevices, d) == NULL)
			continue;
		listed = 1;
		if (!m->removed) {
			best = UINT64_MAX;
		} else if ((c = dev_find(m->cutoffs, m->ncutoffs, d)) != NULL && c->cutoff > best) {
			best = c->cutoff;
		}
	}
	if (!listed && d == st->root_device)
		best = UINT64_MAX;
	rv = dev_find(st->revoked, st->nrevoked, d);
	if (rv != NULL && rv->cutoff < best)
		best = rv->cutoff;
	return best;
}

int hearth_space_device_taken(const hearth_space_state *st, uint64_t d,
			      const uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES],
			      const uint8_t identity[HEARTH_ID_SIGN_PUBLICBYTES])
{
	size_t i;

	if (d == st->root_device &&
	    (memcmp(st->root_pk, pk, HEARTH_ID_SIGN_PUBLICBYTES) != 0 ||
	     memcmp(st->creator, identity, HEARTH_ID_SIGN_PUBLICBYTES) != 0))
		return 1;
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];
		const hearth_space_device *e = dev_find(m->devices, m->ndevices, d);

		if (e != NULL && (memcmp(e->pk, pk, HEARTH_ID_SIGN_PUBLICBYTES) != 0 ||
				  memcmp(m->identity.sign_pk, identity,
					 HEARTH_ID_SIGN_PUBLICBYTES) != 0))
			return 1;
	}
	return 0;
}

/* Whether a current member record of st other than m has the lead role. */
static int other_lead(const hearth_space_state *st, const hearth_space_member *m)
{
	size_t i;

	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *x = &st->members[i];

		if (x != m && !x->removed && x->has_identity && x->role == HEARTH_ROLE_LEAD)
			return 1;
	}
	return 0;
}

static void member_op(fold *f, const cop *c, const author *a, rec *r)
{
	hearth_space_member *m = &f->st->members[r->m];
	const hearth_op *op = c->op;
	int lead = a->role == HEARTH_ROLE_LEAD;
	int own = m->has_identity &&
		  memcmp(a->identity, m->identity.sign_pk, HEARTH_ID_SIGN_PUBLICBYTES) == 0;
	hearth_space_device *e;
	uint64_t v;

	if (strcmp(op->field, FIELD_IDENTITY) == 0) {
		if (lead && !m->has_identity &&
		    hex_exact(op->value, m->identity.sign_pk, HEARTH_ID_SIGN_PUBLICBYTES))
			m->has_identity = 1;
	} else if (strcmp(op->field, FIELD_BOX) == 0) {
		if (lead && !m->has_box &&
		    hex_exact(op->value, m->identity.box_pk, HEARTH_ID_BOX_PUBLICBYTES))
			m->has_box = 1;
	} else if (strcmp(op->field, FIELD_ROLE) == 0) {
		hearth_role role = hearth_role_parse(op->value);

		/* A lead's record keeps its role when the write would leave no
		 * current lead (two leads stepping down at once, offline):
		 * someone must still be able to invite and remove. */
		if (lead && role != HEARTH_ROLE_NONE &&
		    (m->removed || m->role != HEARTH_ROLE_LEAD || role == HEARTH_ROLE_LEAD ||
		     other_lead(f->st, m)))
			m->role = role;
	} else if (strcmp(op->field, FIELD_REMOVED) == 0) {
		if (lead && op->value != NULL && strcmp(op->value, "1") == 0)
			m->removed = 1;
	} else if (strncmp(op->field, PREFIX_DEVICE, strlen(PREFIX_DEVICE)) == 0) {
		if (c->dev == 0 || (!lead && !own) || m->removed || !m->has_identity)
			return;
		/* A revoked device listed again (in this record or a new
		 * one) stays revoked: the listing does not count. */
		if (op->value != NULL &&
		    dev_find(f->st->revoked, f->st->nrevoked, c->dev) != NULL)
			return;
		if (op->value == NULL) {
			dev_del(m->devices, &m->ndevices, c->dev);
			return;
		}
		/* The certificate must be the record's identity's, both keys. */
		if (!c->cert_ok || !m->has_box ||
		    memcmp(&c->cert.identity, &m->identity, sizeof m->identity) != 0)
			return;
		/* One device id, one key and one identity: a listing under
		 * another key than the one it has (in any record, or as the
		 * root device) does not count, or its envelopes would verify
		 * under a key that is not its own; nor one under another
		 * identity (anyone can sign a certificate naming a device's
		 * id and public key), or its ops would count as that
		 * identity's. */
		if (hearth_space_device_taken(f->st, c->dev, c->cert.device_pk, m->identity.sign_pk))
			return;
		if ((e = dev_add(f, &m->devices, &m->ndevices, c->dev)) == NULL)
			return;
		memcpy(e->pk, c->cert.device_pk, sizeof e->pk);
		if (hex_exact(op->value, e->cert, HEARTH_CERT_BYTES) == 0)
			dev_del(m->devices, &m->ndevices, c->dev);
	} else if (strncmp(op->field, PREFIX_CUTOFF, strlen(PREFIX_CUTOFF)) == 0) {
		/* Two leads may name a cutoff for one device: the greatest
		 * holds (every op some lead accepted stays).  Nobody names a
		 * cutoff in their own member record, nor for the device that
		 * writes it: a lead about to be removed would otherwise write
		 * a huge one first, and the greatest would hold. */
		if (c->dev == 0 || !lead || own || c->dev == op->id.device ||
		    !decimal(op->value, &v, 0))
			return;
		if ((e = dev_add(f, &m->cutoffs, &m->ncutoffs, c->dev)) == NULL)
			return;
		if (!e->has_cutoff || v > e->cutoff)
			e->cutoff = v;
		e->has_cutoff = 1;
	} else if (strncmp(op->field, PREFIX_REVOKED, strlen(PREFIX_REVOKED)) == 0) {
		/* A device revoked (lost or stolen): space-wide and for good,
		 * the member stays.  A lead revokes any device; a member only
		 * a device its own record lists.  A device never names its
		 * own cutoff: a stolen one would raise it.  Two revocations
		 * of one device: the greatest cutoff holds (every op some
		 * revoker accepted stays). */
		if (c->dev == 0 || c->dev == op->id.device || !decimal(op->value, &v, 0))
			return;
		if (!lead && !(own && dev_find(m->devices, m->ndevices, c->dev) != NULL))
			return;
		if ((e = dev_add(f, &f->st->revoked, &f->st->nrevoked, c->dev)) == NULL)
			return;
		if (!e->has_cutoff || v > e->cutoff)
			e->cutoff = v;
		e->has_cutoff = 1;
	}
}

static hearth_space_wrap *wrap_find(hearth_space_epoch *e, uint64_t d)
{
	size_t i;

	for (i = 0; i < e->nwraps; i++)
		if (e->wraps[i].device == d)
			return &e->wraps[i];
	return NULL;
}

/* 1 if a member record of identity sign_pk that is not removed lists
 * device d: the identity's own device, which it may seal keys to. */
static int own_device(const hearth_space_state *st, const uint8_t *sign_pk, uint64_t d)
{
	size_t i;

	for (i = 0; sign_pk != NULL && i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (!m->removed && m->has_identity &&
		    memcmp(m->identity.sign_pk, sign_pk, HEARTH_ID_SIGN_PUBLICBYTES) == 0 &&
		    dev_find(m->devices, m->ndevices, d) != NULL)
			return 1;
	}
	return 0;
}

static void epoch_op(fold *f, const cop *c, const author *a, rec *r)
{
	hearth_space_epoch *e = &f->st->epochs[r->m];
	const hearth_op *op = c->op;
	int creator = op->id.device == r->author;
	hearth_space_wrap *w;
	size_t at = 0;
	uint64_t v;

	if (strcmp(op->field, FIELD_NUMBER) == 0) {
		if (creator && e->number == 0 && decimal(op->value, &v, 1))
			e->number = v;
	} else if (strcmp(op->field, FIELD_CHECK) == 0) {
		if (creator && !e->has_check &&
		    hex_exact(op->value, e->check, HEARTH_KEYCHECK_BYTES))
			e->has_check = 1;
	} else if (strncmp(op->field, PREFIX_WRAP, strlen(PREFIX_WRAP)) == 0) {
		/* Its author seals wraps when it makes the epoch; a lead adds
		 * wraps for devices it approves; a member adds wraps for its
		 * own devices (one it linked later, listed in its own record:
		 * sealing a key it holds to itself).  The first wrap holds. */
		if (c->dev == 0 || wrap_find(e, c->dev) != NULL)
			return;
		if (!creator && a->role != HEARTH_ROLE_LEAD &&
		    !own_device(f->st, a->identity, c->dev))
			return;
		w = realloc(e->wraps, (e->nwraps + 1) * sizeof *w);
		if (w == NULL) {
			f->oom = 1;
			return;
		}
		e->wraps = w;
		while (at < e->nwraps && w[at].device < c->dev)
			at++;
		if (!hex_exact(op->value, w[e->nwraps].sealed, HEARTH_WRAP_BYTES))
			return;
		{
			hearth_space_wrap tmp = w[e->nwraps];

			memmove(w + at + 1, w + at, (e->nwraps - at) * sizeof *w);
			w[at] = tmp;
			w[at].device = c->dev;
			e->nwraps++;
		}
	}
}

static void state_clear(hearth_space_state *st)
{
	size_t i;

	for (i = 0; i < st->nmembers; i++) {
		free(st->members[i].devices);
		free(st->members[i].cutoffs);
	}
	for (i = 0; i < st->nepochs; i++)
		free(st->epochs[i].wraps);
	free(st->members);
	free(st->epochs);
	free(st->revoked);
	st->members = NULL;
	st->epochs = NULL;
	st->revoked = NULL;
	st->nmembers = st->nepochs = st->nrevoked = 0;
	st->current = NULL;
	st->needs_rotation = 0;
	st->max_number = 0;
	st->ncounted = 0;
}

/* One fold over the ops not in skip; the state holds the result. */
static int fold_once(fold *f, const cop *ops, size_t n, const uint8_t *skip)
{
	hearth_space_state *st = f->st;
	size_t i;

	state_clear(st);
	f->nrecs = 0;
	f->capmembers = f->capepochs = 0;
	for (i = 0; i < n && !f->oom; i++) {
		const cop *c = &ops[i];
		const hearth_op *op = c->op;
		int member = strcmp(op->kind, HEARTH_KIND_MEMBER) == 0;
		author a;
		rec *r;

		if (skip[i] || strcmp(op->kind, HEARTH_KIND_SPACE) == 0)
			continue;
		a = author_of(st, op->id.device, op->id.seq);
		if (a.role == HEARTH_ROLE_NONE)
			continue;
		if (c->is_kind) {
			/* Members are made by leads (invitations); epochs by
			 * any member. */
			if (rec_find(f, &op->record) != NULL ||
			    (member && a.role != HEARTH_ROLE_LEAD))
				continue;
			rec_add(f, &op->record, member, op->id.device);
			st->ncounted++;
			continue;
		}
		r = rec_find(f, &op->record);
		if (r == NULL || r->member != member || op->field[0] == '_')
			continue;
		st->ncounted++;
		if (member)
			member_op(f, c, &a, r);
		else
			epoch_op(f, c, &a, r);
	}
	return f->oom ? -1 : 0;
}

int hearth_space_device_revoked(const hearth_space_state *st, uint64_t device,
				uint64_t *cutoff)
{
	const hearth_space_device *r = st != NULL ?
		dev_find(st->revoked, st->nrevoked, device) : NULL;

	if (r != NULL && cutoff != NULL)
		*cutoff = r->cutoff;
	return r != NULL;
}

int hearth_space_device_current(const hearth_space_state *st, uint64_t device)
{
	size_t i;

	if (hearth_space_device_revoked(st, device, NULL))
		return 0;
	for (i = 0; i < st->nmembers; i++)
		if (!st->members[i].removed &&
		    dev_find(st->members[i].devices, st->members[i].ndevices, device) != NULL)
			return 1;
	return 0;
}

/* Marks in skip the ops past the final cutoffs: by a device that no
 * member record that is not removed lists, and that a removed one lists
 * with no cutoff or a cutoff below the op's seq.  Returns how many were
 * newly marked. */
static size_t mark_cut(const hearth_space_state *st, const cop *ops, size_t n,
		       uint8_t *skip)
{
	size_t i, added = 0;

	for (i = 0; i < n; i++) {
		const hearth_op *op = ops[i].op;

		if (skip[i] || strcmp(op->kind, HEARTH_KIND_SPACE) == 0)
			continue;
		if (author_of(st, op->id.device, op->id.seq).role != HEARTH_ROLE_NONE)
			continue;
		/* Only devices a member record lists (or a revocation names)
		 * can be past a cutoff; an op of a stranger never counted
		 * anyway. */
		{
			size_t j;
			int listed = hearth_space_device_revoked(st, op->id.device, NULL);

			for (j = 0; j < st->nmembers && !listed; j++)
				listed = dev_find(st->members[j].devices,
						  st->members[j].ndevices,
						  op->id.device) != NULL;
			if (!listed)
				continue;
		}
		skip[i] = 1;
		added++;
	}
	return added;
}

static int epoch_cmp(const void *a, const void *b)
{
	const hearth_space_epoch *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return id_cmp(&x->record, &y->record);
}

static int member_cmp(const void *a, const void *b)
{
	return id_cmp(&((const hearth_space_member *)a)->record,
		      &((const hearth_space_member *)b)->record);
}

/* 1 if e has a wrap for every listed device of every current lead: an
 * epoch a member sealed to fewer would leave no lead able to read it or
 * to seal it to the others. */
static int leads_wrapped(const hearth_space_state *st, const hearth_space_epoch *e)
{
	size_t i, j, k;

	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (m->removed || m->role != HEARTH_ROLE_LEAD)
			continue;
		for (j = 0; j < m->ndevices; j++) {
			if (hearth_space_device_revoked(st, m->devices[j].device, NULL))
				continue;
			for (k = 0; k < e->nwraps && e->wraps[k].device != m->devices[j].device; k++)
				;
			if (k == e->nwraps)
				return 0;
		}
	}
	return 1;
}

/* The epochs' validity, the current epoch and whether to rotate. */
static void settle(hearth_space_state *st)
{
	size_t i, j;

	if (st->nmembers > 1)
		qsort(st->members, st->nmembers, sizeof *st->members, member_cmp);
	if (st->nepochs > 1)
		qsort(st->epochs, st->nepochs, sizeof *st->epochs, epoch_cmp);
	st->current = NULL;
	for (i = 0; i < st->nepochs; i++) {
		hearth_space_epoch *e = &st->epochs[i];

		if (e->number > st->max_number)
			st->max_number = e->number;
		e->valid = e->number != 0 && e->has_check && e->epoch != 0 &&
			   leads_wrapped(st, e);
		for (j = 0; e->valid && j < e->nwraps; j++)
			e->valid = hearth_space_device_current(st, e->wraps[j].device);
		if (e->valid)
			st->current = e;
	}
	/* The greatest epoch record (by number, then id) is the last. */
	st->needs_rotation = st->known &&
		(st->current == NULL || st->current != &st->epochs[st->nepochs - 1]);
}

/* The genesis: the first "_kind" op of kind space (fold order) whose
 * author's fields creator, nonce and device.<author> name the space id
 * and certify the author under the creator.  Sets known and root. */
static void genesis(hearth_space_state *st, const cop *ops, size_t n)
{
	size_t i, j;

	for (i = 0; i < n && !st->known; i++) {
		const hearth_op *g = ops[i].op;
		uint8_t creator[HEARTH_ID_SIGN_PUBLICBYTES], nonce[HEARTH_SPACE_NONCE_BYTES];
		int has_c = 0, has_n = 0, cert = 0;
		hearth_device_cert dc;
		hearth_id sid;

		if (!ops[i].is_kind || strcmp(g->kind, HEARTH_KIND_SPACE) != 0)
			continue;
		/* Its fields, each the last write of the genesis's author. */
		for (j = 0; j < n; j++) {
			const hearth_op *o = ops[j].op;

			if (o->id.device != g->id.device || !hearth_id_equal(&o->record, &g->record) ||
			    strcmp(o->kind, HEARTH_KIND_SPACE) != 0)
				continue;
			if (strcmp(o->field, FIELD_CREATOR) == 0)
				has_c = hex_exact(o->value, creator, sizeof creator);
			else if (strcmp(o->field, FIELD_NONCE) == 0)
				has_n = hex_exact(o->value, nonce, sizeof nonce);
			else if (ops[j].dev == g->id.device && ops[j].cert_ok &&
				 strncmp(o->field, PREFIX_DEVICE, strlen(PREFIX_DEVICE)) == 0) {
				dc = ops[j].cert;
				cert = 1;
			} else if (strncmp(o->field, PREFIX_DEVICE, strlen(PREFIX_DEVICE)) == 0) {
				cert = 0;
			}
		}
		if (!has_c || !has_n || !cert)
			continue;
		sid = hearth_space_id_derive(creator, nonce);
		if (!hearth_id_equal(&sid, &st->space) ||
		    memcmp(dc.identity.sign_pk, creator, sizeof creator) != 0)
			continue;
		st->known = 1;
		memcpy(st->creator, creator, sizeof creator);
		st->root_device = g->id.device;
		memcpy(st->root_pk, dc.device_pk, sizeof st->root_pk);
	}
}

/* Parses and checks what each op carries, once. */
static void prepare(cop *c)
{
	const hearth_op *op = c->op;
	uint8_t cert[HEARTH_CERT_BYTES];

	c->is_kind = strcmp(op->field, "_kind") == 0 && op->value != NULL &&
		     strcmp(op->value, op->kind) == 0;
	if (c->is_kind) {
		hearth_id derived = hearth_op_record_id(op);

		c->is_kind = hearth_id_equal(&derived, &op->record);
		return;
	}
	if (!device_suffix(op->field, PREFIX_DEVICE, &c->dev) &&
	    !device_suffix(op->field, PREFIX_CUTOFF, &c->dev) &&
	    !device_suffix(op->field, PREFIX_WRAP, &c->dev) &&
	    !device_suffix(op->field, PREFIX_REVOKED, &c->dev))
		c->dev = 0;
	if (c->dev != 0 && strncmp(op->field, PREFIX_DEVICE, strlen(PREFIX_DEVICE)) == 0 &&
	    hex_exact(op->value, cert, sizeof cert) &&
	    hearth_cert_verify(cert, sizeof cert, NULL, &c->cert) == HEARTH_OK &&
	    c->cert.device == c->dev)
		c->cert_ok = 1;
	hearth_errdetail_clear();
}

hearth_status hearth_space_compute(const hearth_id *space, const hearth_op *ops,
				   size_t n, hearth_space_state **out)
{
	hearth_space_state *st = NULL;
	fold f = { 0 };
	cop *c = NULL;
	uint8_t *skip = NULL;
	size_t i, m = 0;

	if (space == NULL || out == NULL || (ops == NULL && n > 0))
		return hearth_fail(HEARTH_EINVAL, "cannot compute a space: no space given");
	*out = NULL;
	if ((st = calloc(1, sizeof *st)) == NULL ||
	    (n > 0 && (c = calloc(n, sizeof *c)) == NULL))
		goto oom;
	st->space = *space;
	for (i = 0; i < n; i++)
		if (hearth_id_equal(&ops[i].space, space) && hearth_op_is_control(&ops[i]) &&
		    ops[i].field != NULL)
			c[m++].op = &ops[i];
	/* One op per id: the smaller hash, as every store keeps. */
	if (m > 1)
		qsort(c, m, sizeof *c, cop_id_cmp);
	for (i = 0, n = 0; i < m; i++)
		if (n == 0 || hearth_op_id_cmp(&c[n - 1].op->id, &c[i].op->id) != 0)
			c[n++] = c[i];
	if (n > 1)
		qsort(c, n, sizeof *c, cop_fold_cmp);
	st->nops = n;
	for (i = 0; i < n; i++)
		prepare(&c[i]);
	if (n > 0 && (skip = calloc(n, 1)) == NULL)
		goto oom;
	genesis(st, c, n);
	f.st = st;
	if (st->known) {
		do {
			if (fold_once(&f, c, n, skip) != 0)
				goto oom;
		} while (mark_cut(st, c, n, skip) > 0);
	}
	settle(st);
	free(f.recs);
	free(skip);
	free(c);
	*out = st;
	return HEARTH_OK;
oom:
	free(f.recs);
	free(skip);
	free(c);
	hearth_space_state_free(st);
	return hearth_fail(HEARTH_ENOMEM, "out of memory computing a space");
}

void hearth_space_state_free(hearth_space_state *st)
{
	if (st == NULL)
		return;
	state_clear(st);
	free(st);
}

const hearth_space_member *hearth_space_member_of(const hearth_space_state *st,
		const uint8_t sign_pk[HEARTH_ID_SIGN_PUBLICBYTES])
{
	const hearth_space_member *best = NULL;
	size_t i;

	for (i = 0; st != NULL && i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (m->removed || !m->has_identity ||
		    memcmp(m->identity.sign_pk, sign_pk, HEARTH_ID_SIGN_PUBLICBYTES) != 0)
			continue;
		if (best == NULL || m->role > best->role)
			best = m;
	}
	return best;
}

const hearth_space_epoch *hearth_space_epoch_find(const hearth_space_state *st,
						  uint64_t e)
{
	size_t i;

	for (i = 0; st != NULL && e != 0 && i < st->nepochs; i++)
		if (st->epochs[i].epoch == e)
			return &st->epochs[i];
	return NULL;
}

int hearth_space_may_write(const hearth_space_state *st, uint64_t device,
			   uint64_t first, uint64_t last, uint64_t e,
			   uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES], hearth_role *role)
{
	const uint8_t *key = NULL;
	author a;
	size_t i;

	if (st == NULL || !st->known || device == 0 || first == 0 || last < first)
		return 0;
	if (e != HEARTH_EPOCH_CONTROL && hearth_space_epoch_find(st, e) == NULL)
		return 0;
	a = author_of(st, device, last);
	if (a.role == HEARTH_ROLE_NONE)
		return 0;
	/* The key of the certificate that lists it (all certificates for one
	 * device id that a record accepted name the device's key; the first
	 * record by id decides). */
	for (i = 0; i < st->nmembers && key == NULL; i++) {
		const hearth_space_device *d = dev_find(st->members[i].devices,
							st->members[i].ndevices, device);

		if (d != NULL)
			key = d->pk;
	}
	if (key == NULL)
		key = st->root_pk;
	if (pk != NULL)
		memcpy(pk, key, HEARTH_ID_SIGN_PUBLICBYTES);
	if (role != NULL)
		*role = a.role;
	return 1;
}

int hearth_space_cert_in_ops(const hearth_op *ops, size_t n, uint64_t device,
			     uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES])
{
	size_t i;

	for (i = 0; ops != NULL && i < n; i++) {
		cop c;

		memset(&c, 0, sizeof c);
		c.op = &ops[i];
		if (!hearth_op_is_control(c.op) || c.op->field == NULL ||
		    strcmp(c.op->kind, HEARTH_KIND_EPOCH) == 0)
			continue;
		prepare(&c);
		if (c.cert_ok && c.dev == device) {
			memcpy(pk, c.cert.device_pk, HEARTH_ID_SIGN_PUBLICBYTES);
			return 1;
		}
	}
	return 0;
}

/* ---- the canonical text -------------------------------------------------- */

typedef struct buf {
	char *p;
	size_t len, cap;
	int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		if (grow((void **)&b->p, &b->cap, b->len + (size_t)n + 1, 1) != 0) {
			b->oom = 1;
			return;
		}
	}
}

static void put_hex(buf *b, const uint8_t *v, size_t n)
{
	char h[2 * HEARTH_CERT_BYTES + 1];

	sodium_bin2hex(h, sizeof h, v, n);
	put(b, "%s", h);
}

hearth_status hearth_space_state_dump(const hearth_space_state *st, char **out)
{
	buf b = { 0 };
	size_t i, j;

	if (st == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no space state to print");
	*out = NULL;
	if (grow((void **)&b.p, &b.cap, 256, 1) != 0)
		return hearth_fail(HEARTH_ENOMEM, "out of memory printing a space");
	put(&b, "space ");
	put_hex(&b, st->space.b, HEARTH_ID_BYTES);
	put(&b, "\nknown %d\n", st->known);
	if (st->known) {
		put(&b, "creator ");
		put_hex(&b, st->creator, sizeof st->creator);
		put(&b, "\nroot %016llx\n", (unsigned long long)st->root_device);
	}
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		put(&b, "member ");
		put_hex(&b, m->record.b, HEARTH_ID_BYTES);
		put(&b, " role %s removed %d\n  identity ",
		    hearth_role_name(m->role) ? hearth_role_name(m->role) : "-", m->removed);
		put_hex(&b, m->identity.sign_pk, HEARTH_ID_SIGN_PUBLICBYTES);
		put(&b, " ");
		put_hex(&b, m->identity.box_pk, HEARTH_ID_BOX_PUBLICBYTES);
		put(&b, "\n");
		for (j = 0; j < m->ndevices; j++) {
			put(&b, "  device %016llx ", (unsigned long long)m->devices[j].device);
			put_hex(&b, m->devices[j].pk, HEARTH_ID_SIGN_PUBLICBYTES);
			put(&b, "\n");
		}
		for (j = 0; j < m->ncutoffs; j++)
			put(&b, "  cutoff %016llx %llu\n",
			    (unsigned long long)m->cutoffs[j].device,
			    (unsigned long long)m->cutoffs[j].cutoff);
	}
	for (i = 0; i < st->nrevoked; i++)
		put(&b, "revoked %016llx %llu\n", (unsigned long long)st->revoked[i].device,
		    (unsigned long long)st->revoked[i].cutoff);
	for (i = 0; i < st->nepochs; i++) {
		const hearth_space_epoch *e = &st->epochs[i];

		put(&b, "epoch ");
		put_hex(&b, e->record.b, HEARTH_ID_BYTES);
		put(&b, " number %llu epoch %016llx author %016llx valid %d check ",
		    (unsigned long long)e->number, (unsigned long long)e->epoch,
		    (unsigned long long)e->author, e->valid);
		put_hex(&b, e->check, HEARTH_KEYCHECK_BYTES);
		put(&b, "\n");
		for (j = 0; j < e->nwraps; j++) {
			put(&b, "  wrap %016llx ", (unsigned long long)e->wraps[j].device);
			put_hex(&b, e->wraps[j].sealed, HEARTH_WRAP_BYTES);
			put(&b, "\n");
		}
	}
	put(&b, "current ");
	if (st->current != NULL)
		put_hex(&b, st->current->record.b, HEARTH_ID_BYTES);
	else
		put(&b, "none");
	put(&b, "\nrotate %d\n", st->needs_rotation);
	if (b.oom) {
		free(b.p);
		return hearth_fail(HEARTH_ENOMEM, "out of memory printing a space");
	}
	*out = b.p;
	return HEARTH_OK;
}

/* ---- loading from a store ------------------------------------------------ */

hearth_status hearth_space_load(hearth_store *s, const hearth_id *space,
				hearth_space_state **out)
{
	sqlite3 *db = s != NULL ? hearth_store_db(s) : NULL;
	hearth_op *ops = NULL, *q;
	size_t n = 0, cap = 0, i;
	sqlite3_stmt *stmt = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	if (db == NULL || space == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot load a space: no store");
	*out = NULL;
	/* Every op held (state below purged), not the superseded ones. */
	rc = sqlite3_prepare_v2(db, "SELECT device, seq, hlc, hash, record, kind, field, "
		"value FROM op WHERE space = ?1 AND " HEARTH_OP_CONTROL_WHERE
		" AND state < 4", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, "cannot read a space's members");
	sqlite3_bind_blob(stmt, 1, space->b, HEARTH_ID_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		hearth_op *o;

		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((q = realloc(ops, cap * sizeof *q)) == NULL)
				goto oom;
			ops = q;
		}
		o = &ops[n];
		memset(o, 0, sizeof *o);
		o->id.device = (uint64_t)sqlite3_column_int64(stmt, 0);
		o->id.seq = (uint64_t)sqlite3_column_int64(stmt, 1);
		if (sqlite3_column_bytes(stmt, 2) != HEARTH_HLC_BYTES ||
		    sqlite3_column_bytes(stmt, 3) != HEARTH_OP_HASH_BYTES ||
		    sqlite3_column_bytes(stmt, 4) != HEARTH_ID_BYTES)
			continue;
		memcpy(o->hlc.b, sqlite3_column_blob(stmt, 2), HEARTH_HLC_BYTES);
		memcpy(o->hash, sqlite3_column_blob(stmt, 3), HEARTH_OP_HASH_BYTES);
		memcpy(o->record.b, sqlite3_column_blob(stmt, 4), HEARTH_ID_BYTES);
		o->space = *space;
		o->kind = strdup((const char *)sqlite3_column_text(stmt, 5));
		o->field = strdup((const char *)sqlite3_column_text(stmt, 6));
		o->value = sqlite3_column_type(stmt, 7) == SQLITE_NULL ? NULL :
			   strdup((const char *)sqlite3_column_text(stmt, 7));
		n++;
		if (o->kind == NULL || o->field == NULL ||
		    (o->value == NULL && sqlite3_column_type(stmt, 7) != SQLITE_NULL))
			goto oom;
	}
	if (rc != SQLITE_DONE)
		ret = hearth_db_error(db, rc, "cannot read a space's members");
	else
		ret = hearth_space_compute(space, ops, n, out);
	goto out;
oom:
	ret = hearth_fail(HEARTH_ENOMEM, "out of memory reading a space");
out:
	sqlite3_finalize(stmt);
	for (i = 0; i < n; i++) {
		free((char *)ops[i].kind);
		free((char *)ops[i].field);
		free((char *)ops[i].value);
	}
	free(ops);
	return ret;
}

/* ---- epoch keys and wraps ------------------------------------------------ */

void hearth_epoch_key_generate(uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
}

void hearth_epoch_key_check(const hearth_id *space, uint64_t epoch,
			    const uint8_t key[HEARTH_EPOCH_KEYBYTES],
			    uint8_t out[HEARTH_KEYCHECK_BYTES])
{
	crypto_generichash_state h;
	uint8_t eb[8];
	int i;

	for (i = 7; i >= 0; i--, epoch >>= 8)
		eb[i] = (uint8_t)epoch;
	crypto_generichash_init(&h, key, HEARTH_EPOCH_KEYBYTES, HEARTH_KEYCHECK_BYTES);
	crypto_generichash_update(&h, keycheck_magic, sizeof keycheck_magic);
	crypto_generichash_update(&h, space->b, sizeof space->b);
	crypto_generichash_update(&h, eb, sizeof eb);
	crypto_generichash_final(&h, out, HEARTH_KEYCHECK_BYTES);
}

hearth_status hearth_epoch_wrap(const uint8_t key[HEARTH_EPOCH_KEYBYTES],
				const uint8_t device_pk[HEARTH_ID_SIGN_PUBLICBYTES],
				uint8_t out[HEARTH_WRAP_BYTES])
{
	uint8_t x[crypto_box_PUBLICKEYBYTES];

	if (crypto_sign_ed25519_pk_to_curve25519(x, device_pk) != 0)
		return hearth_fail(HEARTH_ECRYPTO, "a device key is not a valid public key");
	if (crypto_box_seal(out, key, HEARTH_EPOCH_KEYBYTES, x) != 0)
		return hearth_fail(HEARTH_ECRYPTO, "cannot seal an epoch key");
	return HEARTH_OK;
}

hearth_status hearth_epoch_unwrap(const uint8_t wrap[HEARTH_WRAP_BYTES],
				  const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				  uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	uint8_t xs[crypto_box_SECRETKEYBYTES], xp[crypto_box_PUBLICKEYBYTES];
	hearth_status st = HEARTH_OK;

	if (crypto_sign_ed25519_sk_to_curve25519(xs, device_sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(xp, device_sk + 32) != 0)
		st = hearth_fail(HEARTH_ECRYPTO, "this device's key cannot open sealed boxes");
	else if (crypto_box_seal_open(key, wrap, HEARTH_WRAP_BYTES, xp, xs) != 0)
		st = hearth_fail(HEARTH_EAUTH, "an epoch key wrap does not open");
	sodium_memzero(xs, sizeof xs);
	return st;
}

/* ---- the keyring --------------------------------------------------------- */

#define KEY_PREFIX "key."
#define KEY_NAME_MAX (sizeof KEY_PREFIX + HEARTH_ID_HEX + 1 + 16)

static void key_name(char out[KEY_NAME_MAX], const hearth_id *space, uint64_t e)
{
	char hex[HEARTH_ID_HEX + 1];

	hearth_id_to_hex(space, hex);
	snprintf(out, KEY_NAME_MAX, KEY_PREFIX "%s.%016llx", hex, (unsigned long long)e);
}

hearth_status hearth_keyring_put(hearth_store *s, const hearth_id *space,
				 uint64_t e, const uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	char name[KEY_NAME_MAX];

	if (space == NULL || key == NULL || e == HEARTH_EPOCH_CONTROL)
		return hearth_fail(HEARTH_EINVAL, "cannot keep an epoch key: bad epoch");
	key_name(name, space, e);
	return hearth_store_secret_put(s, name, key, HEARTH_EPOCH_KEYBYTES);
}

hearth_status hearth_keyring_get(hearth_store *s, const hearth_id *space,
				 uint64_t e, uint8_t key[HEARTH_EPOCH_KEYBYTES], int *found)
{
	char name[KEY_NAME_MAX];
	hearth_status st;
	size_t len;

	if (space == NULL || key == NULL || found == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot read an epoch key: no place for it");
	*found = 0;
	if (e == HEARTH_EPOCH_CONTROL) {
		hearth_space_control_key(space, key);
		*found = 1;
		return HEARTH_OK;
	}
	key_name(name, space, e);
	st = hearth_store_secret_get(s, name, key, HEARTH_EPOCH_KEYBYTES, &len, found);
	if (st == HEARTH_OK && *found && len != HEARTH_EPOCH_KEYBYTES) {
		*found = 0;
		st = hearth_fail(HEARTH_EDAMAGED,
				 "vault damaged: stored secret '%s' is malformed", name);
	}
	return st;
}

typedef struct each_ctx {
	hearth_keyring_cb cb;
	void *ctx;
} each_ctx;

static int keyring_one(const char *name, const uint8_t *v, size_t len, void *ctx)
{
	each_ctx *k = ctx;
	char hex[HEARTH_ID_HEX + 1];
	uint8_t eb[8];
	hearth_id space;

	(void)v;
	/* key.<32 hex>.<16 hex> */
	if (len != HEARTH_EPOCH_KEYBYTES || strlen(name) != KEY_NAME_MAX - 1 ||
	    name[sizeof KEY_PREFIX - 1 + HEARTH_ID_HEX] != '.')
		return 0;
	memcpy(hex, name + sizeof KEY_PREFIX - 1, HEARTH_ID_HEX);
	hex[HEARTH_ID_HEX] = '\0';
	if (hearth_id_from_hex(&space, hex) != HEARTH_OK ||
	    !hex_exact(name + sizeof KEY_PREFIX + HEARTH_ID_HEX, eb, 8)) {
		hearth_errdetail_clear();
		return 0;
	}
	return k->cb(&space, get64(eb), k->ctx);
}

hearth_status hearth_keyring_each(hearth_store *s, const hearth_id *space,
				  hearth_keyring_cb cb, void *ctx)
{
	char prefix[KEY_NAME_MAX];
	each_ctx k = { cb, ctx };

	if (cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list epoch keys: no callback");
	if (space != NULL) {
		key_name(prefix, space, 0);
		prefix[sizeof KEY_PREFIX + HEARTH_ID_HEX] = '\0'; /* "key.<hex>." */
	} else {
		strcpy(prefix, KEY_PREFIX);
	}
	return hearth_store_secret_each(s, prefix, keyring_one, &k);
}

hearth_status hearth_keyring_absorb(hearth_store *s, const hearth_space_state *st,
				    uint64_t device,
				    const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				    size_t *n_new)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES], check[HEARTH_KEYCHECK_BYTES];
	hearth_status ret = HEARTH_OK;
	size_t i, j, added = 0;
	int found;

	if (s == NULL || st == NULL || device_sk == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot open epoch keys: no store");
	for (i = 0; i < st->nepochs && ret == HEARTH_OK; i++) {
		const hearth_space_epoch *e = &st->epochs[i];

		if (!e->has_check || e->epoch == 0)
			continue;
		for (j = 0; j < e->nwraps && e->wraps[j].device != device; j++)
			;
		if (j == e->nwraps)
			continue;
		if ((ret = hearth_keyring_get(s, &st->space, e->epoch, key, &found)) != HEARTH_OK ||
		    found)
			continue;
		if (hearth_epoch_unwrap(e->wraps[j].sealed, device_sk, key) != HEARTH_OK) {
			hearth_errdetail_clear();
			continue;
		}
		hearth_epoch_key_check(&st->space, e->epoch, key, check);
		if (sodium_memcmp(check, e->check, sizeof check) != 0)
			continue;
		if ((ret = hearth_keyring_put(s, &st->space, e->epoch, key)) == HEARTH_OK)
			added++;
	}
	sodium_memzero(key, sizeof key);
	if (n_new != NULL)
		*n_new = added;
	return ret;
}
