/*
 * caseload.c - the space a person's case lives in: may this vault put a
 * case into a space, the names of its team spaces, and moving a case by
 * copying it into another space and tombstoning the originals
 * (hearth/caseload.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "casework_private.h"
#include "hearth/audit.h"
#include "hearth/caseload.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/hlc.h"
#include "hearth/space.h"
#include "hearth/spaces.h"

/* ---- may a case go into a space ----------------------------------------- */

hearth_status hearth_case_space_check(hearth_store *s, const hearth_id *space)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	char hex[HEARTH_ID_HEX + 1];
	hearth_space_state *state = NULL;
	hearth_identity *me = NULL;
	hearth_id priv, local;
	hearth_status st;
	int found = 0;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store given");
	if (space == NULL)
		return HEARTH_OK;
	priv = hearth_store_private_space(s);
	local = hearth_store_local_space(s);
	if (hearth_id_equal(space, &priv))
		return HEARTH_OK;
	if (hearth_id_equal(space, &local))
		return hearth_fail(HEARTH_EINVAL,
				   "cases cannot be kept in this device's local space");
	hearth_id_to_hex(space, hex);
	if ((st = hearth_space_load(s, space, &state)) != HEARTH_OK)
		return st;
	if (!state->known) {
		st = hearth_fail(HEARTH_ENOTFOUND, "this vault holds no space %.8s", hex);
		goto out;
	}
	st = hearth_identity_load(s, &me);
	if (st == HEARTH_ENOTFOUND ||
	    (st == HEARTH_OK &&
	     hearth_space_member_of(state, hearth_identity_public_keys(me)->sign_pk) == NULL)) {
		st = hearth_fail(HEARTH_ESTATE, "this vault is not a member of space %.8s", hex);
		goto out;
	}
	if (st != HEARTH_OK)
		goto out;
	/* Ops of a device no member record lists are refused by every
	 * replica: writing them would only strand the case here. */
	if (!hearth_space_device_current(state, hearth_store_device(s))) {
		st = hearth_fail(HEARTH_ESTATE, "this device is not yet approved in "
				 "space %.8s: ask a lead of the space to approve it", hex);
		goto out;
	}
	if (state->current != NULL)
		st = hearth_keyring_get(s, space, state->current->epoch, key, &found);
	if (st == HEARTH_OK && !found)
		st = hearth_fail(HEARTH_ESTATE, "this vault does not hold the key of "
				 "space %.8s yet: ask a lead of the space to approve this "
				 "device, then sync", hex);
out:
	hearth_wipe(key, sizeof key);
	hearth_identity_free(me);
	hearth_space_state_free(state);
	return st;
}

/* ---- names of team spaces ------------------------------------------------ */

struct hearth_space_names {
	size_t n, cap;
	hearth_id *ids;
	char **names;  /* NULL: not readable here */
	int oom;
};

static int names_add(const hearth_space_info *i, void *ctx)
{
	hearth_space_names *n = ctx;

	if (n->n == n->cap) {
		size_t cap = n->cap ? 2 * n->cap : 8;
		hearth_id *ids = realloc(n->ids, cap * sizeof *ids);
		char **names;

		if (ids == NULL)
			goto oom;
		n->ids = ids;
		if ((names = realloc(n->names, cap * sizeof *names)) == NULL)
			goto oom;
		n->names = names;
		n->cap = cap;
	}
	n->names[n->n] = NULL;
	if (i->name != NULL && (n->names[n->n] = strdup(i->name)) == NULL)
		goto oom;
	n->ids[n->n++] = i->space;
	return 0;
oom:
	n->oom = 1;
	return 1;
}

static int any_record(const hearth_record *r, void *ctx)
{
	(void)r;
	*(int *)ctx = 1;
	return 1;
}

hearth_status hearth_space_names_load(hearth_store *s, hearth_space_names **out)
{
	hearth_space_names *n;
	hearth_identity *me = NULL;
	hearth_status st;
	int any = 0;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*out = NULL;
	if ((n = calloc(1, sizeof *n)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading space names");
	/* A vault that holds no genesis, or has no identity, is a member
	 * of no space: no states to compute. */
	st = hearth_store_each(s, HEARTH_KIND_SPACE, 0, any_record, &any);
	if (st == HEARTH_OK && any)
		st = hearth_identity_load(s, &me);
	hearth_identity_free(me);
	if (st == HEARTH_OK && any)
		st = hearth_spaces_each(s, names_add, n);
	else if (st == HEARTH_ENOTFOUND)
		st = HEARTH_OK;
	if (st == HEARTH_OK && n->oom)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory reading space names");
	if (st != HEARTH_OK) {
		hearth_space_names_free(n);
		return st;
	}
	hearth_errdetail_clear();
	*out = n;
	return HEARTH_OK;
}

const char *hearth_space_names_get(const hearth_space_names *n, const hearth_id *space)
{
	size_t i;

	for (i = 0; n != NULL && space != NULL && i < n->n; i++)
		if (hearth_id_equal(&n->ids[i], space))
			return n->names[i];
	return NULL;
}

void hearth_space_names_free(hearth_space_names *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		free(n->names[i]);
	free(n->names);
	free(n->ids);
	free(n);
}

/* ---- moving a case -------------------------------------------------------- */

/* The records of a case: loaded originals, and the ids of their copies. */
typedef struct case_set {
	hearth_record **v;   /* v[0] is the person */
	hearth_id *copy;
	size_t n, cap;
} case_set;

static hearth_status set_push(case_set *c, hearth_record *r)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		hearth_record **v = realloc(c->v, cap * sizeof *v);

		if (v == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory moving a case");
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = r;
	return HEARTH_OK;
}

static void set_release(case_set *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		hearth_record_free(c->v[i]);
	free(c->v);
	free(c->copy);
}

/* Creation order, as every list's last tie-break: the copies are made in
 * it, so they keep their order among themselves. */
static int by_creation(const void *pa, const void *pb)
{
	const hearth_record *a = *(const hearth_record *const *)pa;
	const hearth_record *b = *(const hearth_record *const *)pb;
	int c = hearth_hlc_cmp(&a->created, &b->created);

	return c != 0 ? c : memcmp(a->id.b, b->id.b, HEARTH_ID_BYTES);
}

static hearth_status push_id(void *ctx, const hearth_cw_row *row)
{
	return hearth_cw_idset_push(ctx, row->id);
}

/* Loads every live record naming person in field "person" into c, after
 * the person, in creation order. */
static hearth_status case_collect(hearth_store *s, const hearth_id *person,
				  case_set *c)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_cw_idset ids = { 0 };
	hearth_record *r = NULL;
	hearth_status st;
	size_t i;

	hearth_id_to_hex(person, hex);
	st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = 'person' "
			    "AND value = ?1", hex, push_id, &ids);
	for (i = 0; st == HEARTH_OK && i < ids.n; i++) {
		if ((st = hearth_record_load(s, &ids.v[i], &r)) != HEARTH_OK)
			break;
		if (r->deleted || hearth_id_equal(&r->id, person)) {
			hearth_record_free(r);
			continue;
		}
		if ((st = set_push(c, r)) != HEARTH_OK)
			hearth_record_free(r);
	}
	hearth_cw_idset_release(&ids);
	if (st == HEARTH_OK && c->n > 2)
		qsort(c->v + 1, c->n - 1, sizeof *c->v, by_creation);
	return st;
}

/* HEARTH_ESTATE when a field of the case holds values written on two
 * devices at once: a copy can hold only one of them, and dropping the
 * other silently is what keeping both is there to prevent. */
static hearth_status case_conflicts(hearth_store *s, const case_set *c)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_status st;
	size_t i, j;
	int n;

	for (i = 0; i < c->n; i++) {
		const hearth_record *r = c->v[i];

		for (j = 0; j < r->nfields; j++) {
			n = 0;
			st = hearth_store_values(s, &r->id, r->fields[j].name,
						 hearth_cw_count_value, &n);
			if (st != HEARTH_OK)
				return st;
			if (n > 1) {
				hearth_id_to_hex(&r->id, hex);
				return hearth_fail(HEARTH_ESTATE, "%-s %.8s holds two values "
						   "of '%s' written at once: keep one (edit it) "
						   "before moving the case", r->kind, hex,
						   r->fields[j].name);
			}
		}
	}
	return HEARTH_OK;
}

/* The value to write into a copy: the id of a record of the case becomes
 * its copy's id; anything else stays as it is.  hex has room for one id. */
static const char *remap(const case_set *c, const char *value,
			 char hex[HEARTH_ID_HEX + 1])
{
	hearth_id id;
	size_t i;

	if (strlen(value) != HEARTH_ID_HEX || hearth_id_from_hex(&id, value) != HEARTH_OK) {
		hearth_errdetail_clear();
		return value;
	}
	for (i = 0; i < c->n; i++) {
		if (hearth_id_equal(&c->v[i]->id, &id)) {
			hearth_id_to_hex(&c->copy[i], hex);
			return hex;
		}
	}
	return value;
}

/* ---- late case-state writes for a moved person -------------------------
 *
 * A device that has not heard of a move may set the original's risk, case
 * state or counsellor: the safety rule does (risk high, case followup)
 * when it records a flagged screening.  The copy holds the values the
 * move copied, under the move's newer HLC, so last-writer-wins alone
 * would keep the copied (older) value and hide the late one: the copy's
 * risk badge would read lower than the safety follow-up it shows.
 *
 * So the move records, in the copy's "moved_src", the HLC each settled
 * field had where it came from ("case=<hex> risk=<hex>", a field absent
 * there left out).  A copied value counts at that HLC; a value written on
 * the copy after the move (its op newer than moved_src's) at its own.
 * hearth_case_moves_settle writes an original's value onto its live copy
 * when the original's op is newer than what the copy's value counts at:
 * last-writer-wins as if the case had never moved.  Every replica that
 * settles writes the same value, so they converge. */

static const char *const settled_fields[] = { "case", "counsellor", "risk" };
#define N_SETTLED (sizeof settled_fields / sizeof settled_fields[0])

static const hearth_field *field_of(const hearth_record *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	return NULL;
}

/* The HLC r's value of name counts at (all zero: none): its own op's, or,
 * for a value a move copied into r, the one its source had. */
static hearth_hlc moved_src_of(const hearth_record *r, const char *name)
{
	const hearth_field *f = field_of(r, name), *src = field_of(r, HEARTH_FIELD_MOVED_SRC);
	hearth_hlc h;
	size_t nlen = strlen(name);
	const char *p;

	memset(&h, 0, sizeof h);
	if (src == NULL || (f != NULL && hearth_hlc_cmp(&f->hlc, &src->hlc) > 0))
		return f != NULL ? f->hlc : h;
	for (p = src->value; *p != '\0'; p++) {
		if ((p == src->value || p[-1] == ' ') && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=' &&
		    sodium_hex2bin(h.b, sizeof h.b, p + nlen + 1, 2 * HEARTH_HLC_BYTES,
				   NULL, NULL, NULL) == 0)
			return h;
	}
	memset(&h, 0, sizeof h);
	return h;
}

static hearth_status write_moved_src(hearth_store *s, const hearth_record *from,
				     const hearth_id *copy)
{
	char buf[N_SETTLED * (16 + 2 * HEARTH_HLC_BYTES + 2) + 1] = "";
	char hex[2 * HEARTH_HLC_BYTES + 1];
	size_t i, len = 0;

	for (i = 0; i < N_SETTLED; i++) {
		hearth_hlc h = moved_src_of(from, settled_fields[i]);
		static const hearth_hlc zero;

		if (memcmp(&h, &zero, sizeof h) == 0)
			continue;
		hearth_hlc_to_hex(&h, hex);
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s=%s",
					len ? " " : "", settled_fields[i], hex);
	}
	return hearth_record_set(s, copy, HEARTH_FIELD_MOVED_SRC, buf);
}

/* One original and its live copy: writes the late values. */
static hearth_status settle_one(hearth_store *s, const hearth_id *orig,
				const hearth_id *copy, size_t *n)
{
	char detail[64], hex[HEARTH_ID_HEX + 1];
	hearth_record *o = NULL, *c = NULL;
	hearth_status st;
	size_t i;

	if ((st = hearth_record_load(s, orig, &o)) != HEARTH_OK ||
	    (st = hearth_record_load(s, copy, &c)) != HEARTH_OK)
		goto out;
	if (c->deleted || strcmp(c->kind, "person") != 0)
		goto out;
	hearth_id_to_hex(orig, hex);
	for (i = 0; i < N_SETTLED && st == HEARTH_OK; i++) {
		const hearth_field *late = field_of(o, settled_fields[i]);
		const hearth_field *now = field_of(c, settled_fields[i]);
		hearth_hlc at = moved_src_of(c, settled_fields[i]);

		if (late == NULL || hearth_hlc_cmp(&late->hlc, &at) <= 0 ||
		    (now != NULL && strcmp(now->value, late->value) == 0))
			continue;
		st = hearth_record_set(s, copy, settled_fields[i], late->value);
		snprintf(detail, sizeof detail, "%s; written for moved original %.8s",
			 late->value, hex);
		if (st == HEARTH_OK) {
			char action[32];

			snprintf(action, sizeof action, "person.%s", settled_fields[i]);
			st = hearth_audit_append(s, action, copy, detail);
		}
		if (st == HEARTH_OK)
			(*n)++;
	}
out:
	if (st == HEARTH_ENOTFOUND) {
		hearth_errdetail_clear();
		st = HEARTH_OK;
	}
	hearth_record_free(o);
	hearth_record_free(c);
	return st;
}

hearth_status hearth_case_moves_settle(hearth_store *s, size_t *n_written)
{
	hearth_store_step step;
	hearth_cw_moves m;
	hearth_status st;
	size_t i, n = 0;

	if (n_written != NULL)
		*n_written = 0;
	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store given");
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	st = hearth_cw_moves_load(s, &m);
	for (i = 0; st == HEARTH_OK && i < m.from.n; i++) {
		hearth_id to = hearth_cw_moves_follow(&m, &m.from.v[i]);

		st = settle_one(s, &m.from.v[i], &to, &n);
	}
	hearth_cw_moves_release(&m);
	st = hearth_store_step_end(s, &step, st);
	if (st == HEARTH_OK && n_written != NULL)
		*n_written = n;
	return st;
}

/* Writes the copies and tombstones the originals, inside the caller's
 * step. */
static hearth_status case_copy(hearth_store *s, case_set *c, const hearth_id *space)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_status st = HEARTH_OK;
	size_t i, j;

	if ((c->copy = calloc(c->n, sizeof *c->copy)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory moving a case");
	/* Every copy exists before any field is written: a field may name a
	 * record made later (an appointment's no-show follow-up). */
	for (i = 0; i < c->n && st == HEARTH_OK; i++)
		st = hearth_record_create(s, space, c->v[i]->kind, &c->copy[i]);
	for (i = 0; i < c->n && st == HEARTH_OK; i++) {
		const hearth_record *r = c->v[i];

		for (j = 0; j < r->nfields && st == HEARTH_OK; j++) {
			/* Written anew below, for this move. */
			if (i == 0 && strcmp(r->fields[j].name, HEARTH_FIELD_MOVED_SRC) == 0)
				continue;
			st = hearth_record_set(s, &c->copy[i], r->fields[j].name,
					       remap(c, r->fields[j].value, hex));
		}
	}
	/* After the person's fields: a copied value is one whose op is
	 * older than this one (moved_src_of). */
	if (st == HEARTH_OK)
		st = write_moved_src(s, c->v[0], &c->copy[0]);
	/* The original person names its copy before it is tombstoned: a
	 * record a device writes for the original before it hears of the
	 * move is then read as the copy's, wherever the core resolves a
	 * record's person (casework_private.h, moved people). */
	hearth_id_to_hex(&c->copy[0], hex);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &c->v[0]->id, HEARTH_FIELD_MOVED_TO, hex);
	for (i = 0; i < c->n && st == HEARTH_OK; i++)
		st = hearth_record_delete(s, &c->v[i]->id);
	return st;
}

/* *out 1 if the store holds the purge of record id. */
static hearth_status purged(hearth_store *s, const hearth_id *id, int *out)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_cw_idset ids = { 0 };
	hearth_status st;

	hearth_id_to_hex(id, hex);
	st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = '_purged' "
			    "AND value = '1' AND hex(record) = upper(?1)", hex,
			    push_id, &ids);
	*out = st == HEARTH_OK && ids.n > 0;
	hearth_cw_idset_release(&ids);
	return st;
}

/* The checks that refuse a move before anything is written. */
static hearth_status move_check(hearth_store *s, const hearth_record *r,
				const hearth_id *space)
{
	char hex[HEARTH_ID_HEX + 1], shex[HEARTH_ID_HEX + 1];
	hearth_status st;
	int gone = 0;

	hearth_id_to_hex(&r->id, hex);
	if (strcmp(r->kind, "person") != 0)
		return hearth_fail(HEARTH_EINVAL, "record %.8s is a %-s: only a person "
				   "can be moved, with their whole case", hex, r->kind);
	if (r->deleted) {
		if ((st = purged(s, &r->id, &gone)) != HEARTH_OK)
			return st;
		if (gone)
			return hearth_fail(HEARTH_ESTATE, "person %.8s was erased: "
					   "nothing of it can be moved", hex);
		return hearth_fail(HEARTH_ESTATE, "person %.8s is deleted: a deleted "
				   "person cannot be moved", hex);
	}
	if (hearth_id_equal(&r->space, space)) {
		hearth_id_to_hex(space, shex);
		return hearth_fail(HEARTH_ESTATE, "person %.8s is in space %.8s already",
				   hex, shex);
	}
	return hearth_case_space_check(s, space);
}

hearth_status hearth_case_move(hearth_store *s, const hearth_id *person,
			       const hearth_id *space, hearth_case_moved *out)
{
	char hex[HEARTH_ID_HEX + 1], shex[HEARTH_ID_HEX + 1];
	char detail[2 * HEARTH_ID_HEX + 64];
	hearth_record *r = NULL;
	hearth_store_step step;
	case_set c = { 0 };
	hearth_id who, to;
	hearth_status st;

	if (s == NULL || person == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, person or space given");
	/* out may share memory with person (moving a copy on). */
	who = *person;
	to = *space;
	person = &who;
	space = &to;
	if (out != NULL)
		memset(out, 0, sizeof *out);
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	st = hearth_record_load(s, person, &r);
	if (st == HEARTH_ENOTFOUND) {
		hearth_id_to_hex(person, hex);
		st = hearth_fail(HEARTH_ENOTFOUND, "no record '%s'", hex);
	}
	if (st != HEARTH_OK)
		goto out;
	if ((st = move_check(s, r, space)) != HEARTH_OK ||
	    (st = set_push(&c, r)) != HEARTH_OK)
		goto out;
	r = NULL;
	if ((st = case_collect(s, person, &c)) != HEARTH_OK ||
	    (st = case_conflicts(s, &c)) != HEARTH_OK ||
	    (st = case_copy(s, &c, space)) != HEARTH_OK)
		goto out;
	hearth_id_to_hex(&c.copy[0], hex);
	hearth_id_to_hex(space, shex);
	/* Ids and a count only: nothing of the case itself. */
	snprintf(detail, sizeof detail, "copy %s; space %s; records=%zu", hex, shex, c.n);
	st = hearth_audit_append(s, HEARTH_AUDIT_RECORD_MOVE, person, detail);
	if (st == HEARTH_OK && out != NULL) {
		out->person = c.copy[0];
		out->n_records = c.n;
	}
out:
	hearth_record_free(r);
	set_release(&c);
	st = hearth_store_step_end(s, &step, st);
	if (st != HEARTH_OK && out != NULL)
		memset(out, 0, sizeof *out);
	return st;
}
