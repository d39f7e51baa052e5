/*
 * notes.c - session notes, append-only.
 *
 * A note is written once and never changed: no function here sets a field
 * on an existing note.  A correction is an amendment, a new note record
 * whose "amends" field names the original; showing a note shows the
 * original and then its amendments in the order written.  Amendments always
 * point at the original (amending an amendment amends its original), so a
 * note's history is one flat list and never a tree.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "casework_private.h"
#include "db_private.h"
#include "hearth/audit.h"
#include "hearth/appointment.h"
#include "hearth/note.h"
#include "hearth/person.h"
#include "hearth/timeutil.h"

static int has_text(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 1;
	return 0;
}

/* Writes a note record (original or amendment) inside the transaction. */
static hearth_status write_note(hearth_store *s, const hearth_id *person,
				const char *appt_hex, const char *format,
				const char *text, const char *today,
				const char *amends_hex, hearth_id *out)
{
	hearth_id id;
	hearth_status st;

	st = hearth_cw_create_for(s, person, "note", &id);
	if (st == HEARTH_OK)
		st = hearth_cw_set_id(s, &id, "person", person);
	if (st == HEARTH_OK)
		st = hearth_cw_set(s, &id, "appt", appt_hex);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "format", format);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "text", text);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "date", today);
	if (st == HEARTH_OK)
		st = hearth_cw_set(s, &id, "amends", amends_hex);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, amends_hex ? "note.amend" : "note.add", &id, NULL);
	if (st == HEARTH_OK && out != NULL)
		*out = id;
	return st;
}

hearth_status hearth_note_add(hearth_store *s, const hearth_note_new *n,
			      const char *today, hearth_id *out)
{
	const char *format;
	hearth_record *appt = NULL;
	char person_hex[HEARTH_ID_HEX + 1], appt_hex[HEARTH_ID_HEX + 1];
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or note given");
	format = n->format && n->format[0] ? n->format : "free";
	if (hearth_note_format_parse(format, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	if (!has_text(n->text))
		return hearth_fail(HEARTH_EINVAL, "a note needs text");
	st = hearth_cw_today(today, NULL);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_person_check(s, &n->person);
	if (st != HEARTH_OK)
		goto out;
	hearth_id_to_hex(&n->person, person_hex);
	if (n->appt != NULL) {
		st = hearth_cw_load(s, n->appt, "appointment", &appt);
		if (st != HEARTH_OK)
			goto out;
		hearth_id_to_hex(n->appt, appt_hex);
		if (strcmp(hearth_cw_field(appt, "person"), person_hex) != 0) {
			st = hearth_fail(HEARTH_EINVAL,
					 "appointment %.8s is not with person %.8s",
					 appt_hex, person_hex);
			goto out;
		}
	}
	st = write_note(s, &n->person, n->appt ? appt_hex : NULL, format, n->text,
			today, NULL, out);
out:
	hearth_record_free(appt);
	return hearth_cw_end(s, &tx, st);
}

/* Loads the original of a note (the note itself if it is one). */
static hearth_status load_original(hearth_store *s, const hearth_id *id,
				   hearth_record **out)
{
	hearth_record *r = NULL;
	hearth_id root;
	hearth_status st = hearth_cw_load(s, id, "note", &r);

	if (st != HEARTH_OK)
		return st;
	if (!hearth_cw_id(hearth_record_field(r, "amends"), &root)) {
		*out = r;
		return HEARTH_OK;
	}
	hearth_record_free(r);
	return hearth_cw_load(s, &root, "note", out);
}

hearth_status hearth_note_amend(hearth_store *s, const hearth_id *note,
				const char *text, const char *today,
				hearth_id *out)
{
	hearth_record *orig = NULL;
	hearth_id person;
	char root_hex[HEARTH_ID_HEX + 1];
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || note == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or note given");
	if (!has_text(text))
		return hearth_fail(HEARTH_EINVAL, "an amendment needs text");
	st = hearth_cw_today(today, NULL);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = load_original(s, note, &orig);
	if (st != HEARTH_OK)
		goto out;
	if (!hearth_cw_id(hearth_record_field(orig, "person"), &person)) {
		st = hearth_fail(HEARTH_EDAMAGED, "note has no person");
		goto out;
	}
	/* A note written for a moved person's original by a device that
	 * had not heard of the move: the amendment is the copy's. */
	if ((st = hearth_cw_person_live(s, &person, &person)) != HEARTH_OK)
		goto out;
	hearth_id_to_hex(&orig->id, root_hex);
	st = write_note(s, &person, hearth_record_field(orig, "appt"),
			hearth_record_field(orig, "format") ?
				hearth_record_field(orig, "format") : "free",
			text, today, root_hex, out);
out:
	hearth_record_free(orig);
	return hearth_cw_end(s, &tx, st);
}

/* ---- reading ----------------------------------------------------------- */

typedef struct note_vec {
	hearth_cw_list list;            /* of hearth_note_item */
	const hearth_id *only_amending; /* keep amendments of this note only */
} note_vec;

static void note_item_release(void *p)
{
	hearth_note_item *it = p;

	free(it->format);
	free(it->text);
}

static void note_vec_init(note_vec *c)
{
	memset(c, 0, sizeof *c);
	hearth_cw_list_init(&c->list, sizeof(hearth_note_item), note_item_release);
}

static hearth_status note_collect(const hearth_cw_rec *r, void *ctx)
{
	note_vec *c = ctx;
	hearth_note_item it;
	const char *date = hearth_cw_get(r, "date");

	memset(&it, 0, sizeof it);
	it.id = r->id;
	it.is_amendment = hearth_cw_id(hearth_cw_get(r, "amends"), &it.amends);
	if (c->only_amending != NULL &&
	    !(it.is_amendment && hearth_id_equal(&it.amends, c->only_amending)))
		return HEARTH_OK;
	(void)hearth_cw_id(hearth_cw_get(r, "person"), &it.person);
	it.has_appt = hearth_cw_id(hearth_cw_get(r, "appt"), &it.appt);
	if (date != NULL && strlen(date) == HEARTH_DATE_LEN)
		memcpy(it.date, date, HEARTH_DATE_LEN + 1);
	it.format = hearth_cw_strdup(hearth_cw_get(r, "format"));
	it.text = hearth_cw_strdup(hearth_cw_get(r, "text"));
	if (it.format == NULL || it.text == NULL ||
	    hearth_cw_list_push(&c->list, &it, &r->created) != 0) {
		note_item_release(&it);
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading notes");
	}
	return HEARTH_OK;
}

void hearth_notes_free(hearth_notes *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		note_item_release(&l->items[i]);
	free(l->items);
	free(l);
}

hearth_status hearth_note_show(hearth_store *s, const hearth_id *id,
			       hearth_notes **out)
{
	hearth_record *orig = NULL;
	char root_hex[HEARTH_ID_HEX + 1];
	note_vec c;
	hearth_notes *l = NULL;
	hearth_status st;
	size_t i;

	if (out == NULL || s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, note or output given");
	*out = NULL;
	note_vec_init(&c);
	st = load_original(s, id, &orig);
	if (st != HEARTH_OK)
		return st;
	hearth_id_to_hex(&orig->id, root_hex);
	l = calloc(1, sizeof *l);
	if (l == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory reading notes");
		goto out;
	}
	/* The original comes from orig; the select finds its amendments. */
	c.only_amending = &orig->id;
	st = hearth_cw_select_eq(s, "note", "amends", root_hex, note_collect, &c);
	if (st != HEARTH_OK)
		goto out;
	l->items = calloc(c.list.n + 1, sizeof *l->items);
	if (l->items == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory reading notes");
		goto out;
	}
	{
		hearth_note_item *it = &l->items[0];
		const char *date = hearth_record_field(orig, "date");

		it->id = orig->id;
		(void)hearth_cw_id(hearth_record_field(orig, "person"), &it->person);
		it->has_appt = hearth_cw_id(hearth_record_field(orig, "appt"), &it->appt);
		if (date != NULL && strlen(date) == HEARTH_DATE_LEN)
			memcpy(it->date, date, HEARTH_DATE_LEN + 1);
		it->format = hearth_cw_strdup(hearth_record_field(orig, "format"));
		it->text = hearth_cw_strdup(hearth_record_field(orig, "text"));
		l->n = 1;
		if (it->format == NULL || it->text == NULL) {
			st = hearth_fail(HEARTH_ENOMEM, "out of memory reading notes");
			goto out;
		}
	}
	/* hearth_cw_select gives creation order: the order written. */
	for (i = 0; i < c.list.n; i++)
		l->items[l->n++] = *(hearth_note_item *)hearth_cw_list_at(&c.list, i);
	c.list.n = 0;
	/* Reading a session note is looking at a person's record: the note
	 * is handed out only once the entry is written. */
	st = hearth_audit_append(s, "note.show", &orig->id, NULL);
	if (st != HEARTH_OK)
		goto out;
	*out = l;
	l = NULL;
out:
	hearth_record_free(orig);
	hearth_cw_list_release(&c.list);
	hearth_notes_free(l);
	return st;
}

typedef struct note_ref {
	const hearth_note_item *it;
	const hearth_hlc *created;
	const hearth_note_item *root; /* the original it sorts under */
	const hearth_hlc *root_created;
	size_t index;
} note_ref;

static int note_cmp(const void *pa, const void *pb)
{
	const note_ref *a = pa, *b = pb;
	int c = strcmp(a->root->date, b->root->date);

	if (c != 0)
		return c;
	c = hearth_hlc_cmp(a->root_created, b->root_created);
	if (c != 0)
		return c;
	if (a->it->is_amendment != b->it->is_amendment)
		return a->it->is_amendment - b->it->is_amendment;
	return hearth_hlc_cmp(a->created, b->created);
}

hearth_status hearth_note_list(hearth_store *s, const hearth_id *person,
			       hearth_notes **out)
{
	hearth_cw_aliases al = { 0 };
	note_vec c;
	note_ref *refs = NULL;
	hearth_note_item *v;
	hearth_hlc *created;
	hearth_notes *l = NULL;
	hearth_status st;
	size_t i, j, n;

	if (out == NULL || s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*out = NULL;
	note_vec_init(&c);
	if (person != NULL) {
		st = hearth_person_check(s, person);
		if (st != HEARTH_OK)
			return st;
		/* With those written for a moved original of theirs
		 * (casework_private.h), listed as theirs. */
		hearth_cw_filter f;

		st = hearth_cw_person_aliases(s, person, &al);
		if (st != HEARTH_OK)
			goto out;
		memset(&f, 0, sizeof f);
		f.field = "person";
		f.values = al.v;
		f.nvalues = al.n;
		st = hearth_cw_select(s, "note", &f, 1, note_collect, &c);
		for (i = 0; i < c.list.n; i++)
			((hearth_note_item *)hearth_cw_list_at(&c.list, i))->person = *person;
	} else {
		hearth_cw_moves m;

		st = hearth_cw_select(s, "note", NULL, 0, note_collect, &c);
		/* A note written for a moved person's original is listed as
		 * the copy's. */
		if (st == HEARTH_OK && (st = hearth_cw_moves_load(s, &m)) == HEARTH_OK) {
			for (i = 0; m.from.n > 0 && i < c.list.n; i++) {
				hearth_note_item *it = hearth_cw_list_at(&c.list, i);

				it->person = hearth_cw_moves_follow(&m, &it->person);
			}
			hearth_cw_moves_release(&m);
		}
	}
	if (st != HEARTH_OK)
		goto out;
	v = c.list.items;
	created = c.list.created;
	n = c.list.n;
	l = calloc(1, sizeof *l);
	if (l == NULL || (n > 0 && ((l->items = calloc(n, sizeof *l->items)) == NULL ||
				    (refs = calloc(n, sizeof *refs)) == NULL))) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory reading notes");
		goto out;
	}
	/* An amendment sorts under its original, so the order needs more
	 * than two items at a time: hence refs of its own. */
	for (i = 0; i < n; i++) {
		refs[i].it = &v[i];
		refs[i].created = &created[i];
		refs[i].root = &v[i];
		refs[i].root_created = &created[i];
		refs[i].index = i;
		if (!v[i].is_amendment)
			continue;
		for (j = 0; j < n; j++) {
			if (!v[j].is_amendment && hearth_id_equal(&v[j].id, &v[i].amends)) {
				refs[i].root = &v[j];
				refs[i].root_created = &created[j];
				break;
			}
		}
	}
	if (n > 1)
		qsort(refs, n, sizeof *refs, note_cmp);
	for (i = 0; i < n; i++)
		l->items[i] = v[refs[i].index];
	l->n = n;
	c.list.n = 0;
	*out = l;
	l = NULL;
out:
	free(refs);
	hearth_cw_aliases_release(&al);
	hearth_cw_list_release(&c.list);
	hearth_notes_free(l);
	return st;
}

/* ---- held sessions without a note ---------------------------------------
 *
 * Reading every held appointment whole and asking of each, with a query
 * of its own, whether a note names it took about 680 ms on the heavy demo
 * of 10,000 people (27,600 appointments, 17,000 notes; encrypted pages),
 * most of it spent loading appointments that do have their note.  So the
 * list is built in steps, each an index range read in key order, joined
 * in memory (the method of the follow-up lists, core/followups.c):
 *
 *   1. the live appointments and their creation: record(kind, deleted,
 *      created) at 'appointment';
 *   2. the held ones among them: field(name, value) at status = 'done';
 *   3. the live notes: record(kind, ...) at 'note';
 *   4. what they name: field(name, value) at name 'appt'.  A live note's
 *      value that is exactly the appointment's id as hearth_id_to_hex
 *      writes it (32 lowercase hex digits) takes the appointment off the
 *      list;
 *   5. the appointments left, and only they, are loaded by key in id
 *      order, and their people by key or, for many, by a scan of every
 *      person (hearth_cw_appt_by_refs); every rule of the list is checked
 *      again on the record (status "done", a start that parses, a live
 *      person), then they are ordered by start.
 *
 * Steps 1 to 4 read indexes only (about 0.1-0.3 us a row), so their cost
 * grows with the appointments and notes of the vault (some 20 ms on the
 * demo above); step 5 with the rows listed (about 10 us each, a page read
 * of the field table that is seldom cached).  In all about 60 ms for the
 * 4,246 rows of that demo (40 ms when their pages are cached).  The count
 * reads the same, only without building the rows or reading names, so it
 * costs about as much: the page reads of step 5 are most of it.  All in
 * one read transaction, so the steps see the same data.
 */

/* An id as write_note stores it: exactly 32 lowercase hex digits. */
static int stored_id(const char *hex, hearth_id *out)
{
	size_t i;

	if (hex == NULL)
		return 0;
	for (i = 0; i < HEARTH_ID_HEX; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	return hex[HEARTH_ID_HEX] == '\0' && hearth_id_from_hex(out, hex) == HEARTH_OK;
}

typedef struct missing_ctx {
	hearth_cw_idset appts;  /* step 1; marked: held (step 2) */
	hearth_hlc *created;    /* created[i]: creation of appts.v[i] */
	size_t ccap;
	hearth_cw_idset notes;  /* step 3 */
	hearth_cw_idset held;   /* the marked ones of appts; marked: named
				 * by a note */
	hearth_cw_ref *refs;    /* step 5 */
} missing_ctx;

static hearth_status missing_oom(void)
{
	return hearth_fail(HEARTH_ENOMEM, "out of memory reading notes");
}

static hearth_status on_appt(void *ctx, const hearth_cw_row *row)
{
	missing_ctx *c = ctx;
	size_t i = c->appts.n;

	if (i == c->ccap) {
		size_t cap = c->ccap ? 2 * c->ccap : 1024;
		hearth_hlc *v = realloc(c->created, cap * sizeof *v);

		if (v == NULL)
			return missing_oom();
		c->created = v;
		c->ccap = cap;
	}
	memset(&c->created[i], 0, sizeof c->created[i]);
	if (row->created != NULL)
		memcpy(c->created[i].b, row->created, HEARTH_HLC_BYTES);
	return hearth_cw_idset_push(&c->appts, row->id);
}

static hearth_status on_note(void *ctx, const hearth_cw_row *row)
{
	missing_ctx *c = ctx;

	return hearth_cw_idset_push(&c->notes, row->id);
}

static hearth_status on_done(void *ctx, const hearth_cw_row *row)
{
	missing_ctx *c = ctx;
	long i = hearth_cw_idset_find(&c->appts, row->id);

	if (i >= 0)
		c->appts.mark[i] = 1;
	return HEARTH_OK;
}

static hearth_status on_appt_ref(void *ctx, const hearth_cw_row *row)
{
	missing_ctx *c = ctx;
	hearth_id appt;
	long i;

	if (hearth_cw_idset_find(&c->notes, row->id) < 0 || !stored_id(row->value, &appt))
		return HEARTH_OK;
	if ((i = hearth_cw_idset_find(&c->held, appt.b)) >= 0)
		c->held.mark[i] = 1;
	return HEARTH_OK;
}

static int ref_order(const void *a, const void *b)
{
	const hearth_cw_ref *x = a, *y = b;

	return memcmp(x->id.b, y->id.b, HEARTH_ID_BYTES);
}

/* Steps 1 to 5: the list into *out, or only its length into *count. */
static hearth_status note_missing(hearth_store *s, hearth_appts **out, size_t *count)
{
	sqlite3 *db = hearth_store_db(s);
	missing_ctx c;
	hearth_status st;
	size_t i, k;
	int own = 0;

	memset(&c, 0, sizeof c);
	/* One read transaction: every step sees the same data. */
	if (sqlite3_get_autocommit(db)) {
		int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);

		if (rc != SQLITE_OK)
			return hearth_db_error(db, rc, "cannot read notes");
		own = 1;
	}
	st = hearth_cw_scan(s, "SELECT id, created FROM record"
			    " WHERE kind = 'appointment' AND deleted = 0", NULL, on_appt, &c);
	if (st == HEARTH_OK)
		st = hearth_cw_idset_index(&c.appts, 0);
	if (st == HEARTH_OK)
		st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = 'status'"
				    " AND value = 'done'", NULL, on_done, &c);
	for (i = 0; st == HEARTH_OK && i < c.appts.n; i++)
		if (c.appts.mark[i])
			st = hearth_cw_idset_push(&c.held, c.appts.v[i].b);
	if (st == HEARTH_OK)
		st = hearth_cw_idset_index(&c.held, 0);
	if (st == HEARTH_OK && c.held.n > 0) {
		st = hearth_cw_scan(s, "SELECT id FROM record WHERE kind = 'note' AND deleted = 0",
				    NULL, on_note, &c);
		if (st == HEARTH_OK)
			st = hearth_cw_idset_index(&c.notes, 0);
		if (st == HEARTH_OK && c.notes.n > 0)
			st = hearth_cw_scan(s, "SELECT record, value FROM field WHERE name = 'appt'",
					    NULL, on_appt_ref, &c);
	}
	if (st != HEARTH_OK)
		goto out;
	/* Step 5: the held ones no note names, with their creation, in id
	 * order. */
	if (c.held.n > 0 && (c.refs = calloc(c.held.n, sizeof *c.refs)) == NULL) {
		st = missing_oom();
		goto out;
	}
	for (i = 0, k = 0; i < c.held.n; i++) {
		long j;

		if (c.held.mark[i])
			continue;
		j = hearth_cw_idset_find(&c.appts, c.held.v[i].b);
		c.refs[k].id = c.held.v[i];
		c.refs[k++].created = c.created[j];
	}
	if (k > 1)
		qsort(c.refs, k, sizeof *c.refs, ref_order);
	st = hearth_cw_appt_by_refs(s, c.refs, k, "done", out, count);
out:
	/* A read leaves nothing to keep: if COMMIT fails, ROLLBACK ends it. */
	if (own && (st != HEARTH_OK || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	hearth_cw_idset_release(&c.appts);
	hearth_cw_idset_release(&c.notes);
	hearth_cw_idset_release(&c.held);
	free(c.created);
	free(c.refs);
	return st;
}

hearth_status hearth_note_missing(hearth_store *s, hearth_appts **out)
{
	if (out == NULL || s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*out = NULL;
	return note_missing(s, out, NULL);
}

hearth_status hearth_note_missing_count(hearth_store *s, size_t *n)
{
	if (n == NULL || s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*n = 0;
	return note_missing(s, NULL, n);
}
