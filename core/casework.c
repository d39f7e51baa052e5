/*
 * casework.c - the plumbing the casework modules share
 * (casework_private.h): fields of records, transactions, lists being
 * collected, reading records (hearth_cw_select, hearth_cw_read_refs),
 * people's names, sets of ids and index scans joined in memory, and the
 * text check of hearth/casework.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "casework_private.h"
#include "db_private.h"
#include "hearth/caseload.h"
#include "hearth/casework.h"
#include "hearth/timeutil.h"

/* ---- records and fields ------------------------------------------------ */

const char *hearth_cw_get(const hearth_cw_rec *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->name[i], name) == 0)
			return r->value[i];
	return NULL;
}

hearth_status hearth_cw_action_check(const char *action)
{
	if (action == NULL || action[strspn(action, " \t\r\n")] == '\0')
		return hearth_fail(HEARTH_EINVAL, "the action taken cannot be "
				   "empty");
	if (strlen(action) > HEARTH_CW_ACTION_MAX)
		return hearth_fail(HEARTH_EINVAL, "the action taken is longer "
				   "than %u bytes", HEARTH_CW_ACTION_MAX);
	return hearth_text_check("action", action);
}

char *hearth_cw_strdup(const char *s)
{
	return strdup(s ? s : "");
}

hearth_status hearth_cw_today(const char *today, int32_t *day)
{
	int32_t d;

	if (today == NULL)
		return hearth_fail(HEARTH_EINVAL, "today's date is required");
	return hearth_date_parse(today, day != NULL ? day : &d);
}

int hearth_cw_int(const char *s, int def)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX)
		return def;
	return (int)v;
}

int hearth_cw_id(const char *hex, hearth_id *out)
{
	if (hex == NULL || strlen(hex) != HEARTH_ID_HEX)
		return 0;
	return hearth_id_from_hex(out, hex) == HEARTH_OK;
}

int hearth_cw_multiline(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

const char *hearth_cw_field(const hearth_record *r, const char *name)
{
	const char *v = hearth_record_field(r, name);

	return v ? v : "";
}

hearth_status hearth_cw_set(hearth_store *s, const hearth_id *id,
			    const char *field, const char *value)
{
	if (value != NULL && value[0] == '\0')
		value = NULL;
	return hearth_record_set(s, id, field, value);
}

hearth_status hearth_cw_set_id(hearth_store *s, const hearth_id *id,
			       const char *field, const hearth_id *value)
{
	char hex[HEARTH_ID_HEX + 1];

	hearth_id_to_hex(value, hex);
	return hearth_record_set(s, id, field, hex);
}

int hearth_cw_count_value(const char *value, const hearth_op_id *id,
			  const hearth_hlc *hlc, void *ctx)
{
	(void)value;
	(void)id;
	(void)hlc;
	return ++*(int *)ctx > 1;
}

hearth_status hearth_cw_create_for(hearth_store *s, const hearth_id *person,
				   const char *kind, hearth_id *out)
{
	hearth_record *r = NULL;
	hearth_id space;
	hearth_status st;

	if (person == NULL)
		return hearth_record_create(s, NULL, kind, out);
	/* The person's space, whatever state the person is in: the callers
	 * check that the person is live. */
	if ((st = hearth_record_load(s, person, &r)) != HEARTH_OK)
		return st;
	space = r->space;
	hearth_record_free(r);
	return hearth_record_create(s, &space, kind, out);
}

hearth_status hearth_cw_load(hearth_store *s, const hearth_id *id,
			     const char *kind, hearth_record **out)
{
	hearth_record *r = NULL;
	char hex[HEARTH_ID_HEX + 1];
	hearth_status st;

	*out = NULL;
	st = hearth_record_load(s, id, &r);
	if (st == HEARTH_ENOTFOUND || (st == HEARTH_OK &&
	    (r->deleted || strcmp(r->kind, kind) != 0))) {
		hearth_record_free(r);
		hearth_id_to_hex(id, hex);
		return hearth_fail(HEARTH_ENOTFOUND, "no %-s '%s'", kind, hex);
	}
	if (st != HEARTH_OK)
		return st;
	*out = r;
	return HEARTH_OK;
}

/* ---- lists being collected --------------------------------------------- */

void hearth_cw_list_init(hearth_cw_list *l, size_t size,
			 void (*release)(void *item))
{
	memset(l, 0, sizeof *l);
	l->size = size;
	l->release = release;
}

void *hearth_cw_list_at(const hearth_cw_list *l, size_t i)
{
	return (char *)l->items + i * l->size;
}

int hearth_cw_list_push(hearth_cw_list *l, const void *item,
			const hearth_hlc *created)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		void *v;
		hearth_hlc *h;

		if (cap > SIZE_MAX / l->size || cap > SIZE_MAX / sizeof *h)
			return -1;
		/* Each array grows on its own: if the second realloc fails,
		 * the first is merely larger than needed. */
		if ((v = realloc(l->items, cap * l->size)) == NULL)
			return -1;
		l->items = v;
		if ((h = realloc(l->created, cap * sizeof *h)) == NULL)
			return -1;
		l->created = h;
		l->cap = cap;
	}
	memcpy(hearth_cw_list_at(l, l->n), item, l->size);
	l->created[l->n++] = *created;
	return 0;
}

/* What qsort sees: an item, its creation, where it is, and how to order
 * (qsort passes no context, so each ref carries the comparison). */
typedef struct list_ref {
	const void *item;
	const hearth_hlc *created;
	size_t index;
	hearth_cw_list_cmp cmp;
} list_ref;

static int list_ref_cmp(const void *pa, const void *pb)
{
	const list_ref *a = pa, *b = pb;

	return a->cmp(a->item, a->created, b->item, b->created);
}

void *hearth_cw_list_take(hearth_cw_list *l, hearth_cw_list_cmp cmp, size_t *n)
{
	list_ref *refs = NULL;
	char *dest;
	size_t i;

	dest = malloc(l->n > 0 ? l->n * l->size : l->size);
	if (dest == NULL)
		return NULL;
	if (cmp != NULL && l->n > 1) {
		refs = calloc(l->n, sizeof *refs);
		if (refs == NULL) {
			free(dest);
			return NULL;
		}
		for (i = 0; i < l->n; i++) {
			refs[i].item = hearth_cw_list_at(l, i);
			refs[i].created = &l->created[i];
			refs[i].index = i;
			refs[i].cmp = cmp;
		}
		qsort(refs, l->n, sizeof *refs, list_ref_cmp);
	}
	for (i = 0; i < l->n; i++)
		memcpy(dest + i * l->size,
		       hearth_cw_list_at(l, refs != NULL ? refs[i].index : i), l->size);
	*n = l->n;
	l->n = 0;
	free(refs);
	return dest;
}

/* Moves item i, with its creation, to slot k (k <= i). */
static void list_move(hearth_cw_list *l, size_t k, size_t i)
{
	if (k == i)
		return;
	memcpy(hearth_cw_list_at(l, k), hearth_cw_list_at(l, i), l->size);
	l->created[k] = l->created[i];
}

void hearth_cw_list_release(hearth_cw_list *l)
{
	size_t i;

	for (i = 0; l->release != NULL && i < l->n; i++)
		l->release(hearth_cw_list_at(l, i));
	free(l->items);
	free(l->created);
	hearth_cw_list_init(l, l->size, l->release);
}

/* ---- transactions ------------------------------------------------------ */

/* The store's atomic step (hearth/store.h), under the name every
 * casework module uses. */
hearth_status hearth_cw_begin(hearth_store *s, hearth_cw_tx *tx)
{
	return hearth_store_step_begin(s, tx);
}

hearth_status hearth_cw_end(hearth_store *s, hearth_cw_tx *tx, hearth_status st)
{
	return hearth_store_step_end(s, tx, st);
}

/* ---- reading records -----------------------------------------------------
 *
 * One reader, rows_read, turns rows of the field table into records
 * (hearth_cw_rec) for a callback, from either of two sources: a statement
 * over many records, whose rows name their record (hearth_cw_select: the
 * records of a kind), or the rows of one record whose id the caller
 * knows (hearth_cw_read_refs: records picked out by id, one statement
 * run per id).  The lists read thousands of records, so a row costs only
 * the columns it needs: its name and value; of many records, its record's
 * id (where the next record starts); the creation at a record's first
 * row only, and not at all when the caller gives it.
 *
 * A statement's text lives only until its next step, so the names and
 * values of the record being read are copied, one after the other, into
 * one buffer kept from record to record: once it is big enough, reading
 * a record allocates nothing. */

typedef struct rec_buf {
	hearth_cw_rec rec;
	char *text;           /* name, NUL, value, NUL, for each field */
	size_t len, tcap;
	const char **names;   /* pointers into text, set when handed over */
	const char **values;
	size_t cap;
} rec_buf;

static void rec_buf_release(rec_buf *b)
{
	free(b->text);
	free(b->names);
	free(b->values);
	memset(b, 0, sizeof *b);
}

static hearth_status rec_buf_oom(void)
{
	return hearth_fail(HEARTH_ENOMEM, "out of memory reading records");
}

static hearth_status rec_buf_push(rec_buf *b, const char *name, const char *value)
{
	size_t ln = strlen(name) + 1, lv = strlen(value) + 1;

	if (b->rec.n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		const char **v;

		if ((v = realloc(b->names, cap * sizeof *v)) == NULL)
			return rec_buf_oom();
		b->names = v;
		if ((v = realloc(b->values, cap * sizeof *v)) == NULL)
			return rec_buf_oom();
		b->values = v;
		b->cap = cap;
	}
	if (b->len + ln + lv > b->tcap) {
		size_t tcap = b->tcap ? b->tcap : 1024;
		char *t;

		while (tcap < b->len + ln + lv && tcap <= SIZE_MAX / 2)
			tcap *= 2;
		if (tcap < b->len + ln + lv || (t = realloc(b->text, tcap)) == NULL)
			return rec_buf_oom();
		b->text = t;
		b->tcap = tcap;
	}
	memcpy(b->text + b->len, name, ln);
	memcpy(b->text + b->len + ln, value, lv);
	b->len += ln + lv;
	b->rec.n++;
	return HEARTH_OK;
}

/* Hands the record read to cb, then empties the buffer for the next. */
static hearth_status rec_buf_flush(rec_buf *b, hearth_cw_cb cb, void *ctx)
{
	const char *p = b->text;
	hearth_status st;
	size_t i;

	for (i = 0; i < b->rec.n; i++) {
		b->names[i] = p;
		p += strlen(p) + 1;
		b->values[i] = p;
		p += strlen(p) + 1;
	}
	b->rec.name = b->names;
	b->rec.value = b->values;
	st = cb(&b->rec, ctx);
	b->rec.n = 0;
	b->len = 0;
	return st;
}

/* The creation in column col, zero if it is not one. */
static hearth_hlc column_hlc(sqlite3_stmt *stmt, int col)
{
	const void *v = sqlite3_column_blob(stmt, col);
	hearth_hlc h;

	memset(&h, 0, sizeof h);
	if (v != NULL && sqlite3_column_bytes(stmt, col) == HEARTH_HLC_BYTES)
		memcpy(h.b, v, HEARTH_HLC_BYTES);
	return h;
}

/* Steps stmt to its end (or to a failure, or to a status other than
 * HEARTH_OK from cb), handing cb each record its rows make up.  The rows
 * are (name, value[, creation[, record id]]):
 *   one NULL: rows of many records, a record's rows adjacent, each row
 *             with its record's creation and id;
 *   else:     the rows of the record one->id, with its creation if the
 *             statement has a third column, else that of one.
 * A row without a name or a value (or, of many, a well-formed id) is
 * skipped. */
static hearth_status rows_read(sqlite3 *db, sqlite3_stmt *stmt, const hearth_cw_ref *one,
			       rec_buf *b, hearth_cw_cb cb, void *ctx)
{
	int has_created = sqlite3_column_count(stmt) > 2;
	hearth_status st;
	int rc;

	b->rec.n = 0;
	b->len = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		const char *value = (const char *)sqlite3_column_text(stmt, 1);
		const void *id = NULL;

		if (name == NULL || value == NULL)
			continue;
		if (one == NULL) {
			id = sqlite3_column_blob(stmt, 3);
			if (id == NULL || sqlite3_column_bytes(stmt, 3) != HEARTH_ID_BYTES)
				continue;
			/* The first row of the next record: the last is whole. */
			if (b->rec.n > 0 && memcmp(b->rec.id.b, id, HEARTH_ID_BYTES) != 0 &&
			    (st = rec_buf_flush(b, cb, ctx)) != HEARTH_OK)
				return st;
		}
		if (b->rec.n == 0) {
			if (one == NULL)
				memcpy(b->rec.id.b, id, HEARTH_ID_BYTES);
			else
				b->rec.id = one->id;
			b->rec.created = has_created ? column_hlc(stmt, 2) : one->created;
		}
		if ((st = rec_buf_push(b, name, value)) != HEARTH_OK)
			return st;
	}
	if (rc != SQLITE_DONE)
		return hearth_db_error(db, rc, "cannot read records");
	return b->rec.n > 0 ? rec_buf_flush(b, cb, ctx) : HEARTH_OK;
}

hearth_status hearth_cw_read_refs(hearth_store *s, const char *kind,
				  const hearth_cw_ref *refs, size_t n,
				  hearth_cw_cb cb, void *ctx)
{
	/* Vouched for: only the record's fields.  Else the record row too,
	 * where a record that is not a live one of kind yields no row. */
	static const char vouched[] =
		"SELECT name, value FROM field WHERE record = ?1 AND value IS NOT NULL";
	static const char checked[] =
		"SELECT f.name, f.value, r.created FROM record r"
		" JOIN field f ON f.record = r.id"
		" WHERE r.id = ?1 AND r.kind = ?2 AND r.deleted = 0"
		" AND f.value IS NOT NULL";
	sqlite3 *db = hearth_store_db(s);
	sqlite3_stmt *stmt = NULL;
	hearth_status st = HEARTH_OK;
	rec_buf buf;
	size_t i;
	int rc;

	if (n == 0)
		return HEARTH_OK;
	rc = sqlite3_prepare_v2(db, kind == NULL ? vouched : checked, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, "cannot read records");
	memset(&buf, 0, sizeof buf);
	if (kind != NULL)
		sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
	for (i = 0; i < n && st == HEARTH_OK; i++) {
		sqlite3_bind_blob(stmt, 1, refs[i].id.b, HEARTH_ID_BYTES, SQLITE_STATIC);
		st = rows_read(db, stmt, &refs[i], &buf, cb, ctx);
		sqlite3_reset(stmt);
	}
	sqlite3_finalize(stmt);
	rec_buf_release(&buf);
	return st;
}

/* Appends the SQL condition of a filter on column `col` (of an alias of
 * table field), numbering its parameters from *param. */
static size_t filter_sql(char *sql, size_t size, const char *col,
			 const hearth_cw_filter *f, int *param)
{
	size_t len = 0, i;

	len += (size_t)snprintf(sql + len, size - len, "%s.name = ?%d", col, (*param)++);
	if (f->nvalues > 0) {
		len += (size_t)snprintf(sql + len, size - len, " AND %s.value IN (", col);
		for (i = 0; i < f->nvalues; i++)
			len += (size_t)snprintf(sql + len, size - len, "%s?%d", i ? "," : "",
						(*param)++);
		len += (size_t)snprintf(sql + len, size - len, ")");
	}
	if (f->lo != NULL)
		len += (size_t)snprintf(sql + len, size - len, " AND %s.value >= ?%d", col,
					(*param)++);
	if (f->hi != NULL)
		len += (size_t)snprintf(sql + len, size - len, " AND %s.value < ?%d", col,
					(*param)++);
	return len;
}

static void filter_bind(sqlite3_stmt *stmt, const hearth_cw_filter *f, int *param)
{
	size_t i;

	sqlite3_bind_text(stmt, (*param)++, f->field, -1, SQLITE_STATIC);
	for (i = 0; i < f->nvalues; i++)
		sqlite3_bind_text(stmt, (*param)++, f->values[i], -1, SQLITE_STATIC);
	if (f->lo != NULL)
		sqlite3_bind_text(stmt, (*param)++, f->lo, -1, SQLITE_STATIC);
	if (f->hi != NULL)
		sqlite3_bind_text(stmt, (*param)++, f->hi, -1, SQLITE_STATIC);
}

hearth_status hearth_cw_select(hearth_store *s, const char *kind,
			       const hearth_cw_filter *filters, size_t nfilters,
			       hearth_cw_cb cb, void *ctx)
{
	/* Rows come ordered by (created, id), so the fields of one record
	 * are adjacent, as rows_read needs them.  With a filter, CROSS JOIN
	 * makes SQLite start from the field index (the planner would
	 * otherwise walk every record of the kind). */
	sqlite3 *db = hearth_store_db(s);
	sqlite3_stmt *stmt = NULL;
	char sql[2048 + HEARTH_CW_MAX_FILTERS * HEARTH_CW_MAX_VALUES * 8];
	size_t len = 0, i;
	rec_buf buf;
	int rc, param = 2;
	hearth_status st;

	if (nfilters > HEARTH_CW_MAX_FILTERS)
		return hearth_fail(HEARTH_EINVAL, "too many record filters");
	for (i = 0; i < nfilters; i++)
		if (filters[i].field == NULL || filters[i].nvalues > HEARTH_CW_MAX_VALUES)
			return hearth_fail(HEARTH_EINVAL, "bad record filter");
	if (nfilters == 0) {
		len += (size_t)snprintf(sql + len, sizeof sql - len,
			"SELECT f.name, f.value, r.created, r.id FROM record r"
			" JOIN field f ON f.record = r.id"
			" WHERE r.kind = ?1 AND r.deleted = 0 AND f.value IS NOT NULL");
	} else {
		len += (size_t)snprintf(sql + len, sizeof sql - len,
			"SELECT f.name, f.value, r.created, r.id FROM field d"
			" CROSS JOIN record r CROSS JOIN field f WHERE ");
		len += filter_sql(sql + len, sizeof sql - len, "d", &filters[0], &param);
		len += (size_t)snprintf(sql + len, sizeof sql - len,
			" AND r.id = d.record AND r.kind = ?1 AND r.deleted = 0"
			" AND f.record = r.id AND f.value IS NOT NULL");
		for (i = 1; i < nfilters; i++) {
			len += (size_t)snprintf(sql + len, sizeof sql - len,
				" AND r.id IN (SELECT x.record FROM field x WHERE ");
			len += filter_sql(sql + len, sizeof sql - len, "x", &filters[i], &param);
			len += (size_t)snprintf(sql + len, sizeof sql - len, ")");
		}
	}
	snprintf(sql + len, sizeof sql - len, " ORDER BY r.created, r.id");

	rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, "cannot read records");
	sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
	param = 2;
	for (i = 0; i < nfilters; i++)
		filter_bind(stmt, &filters[i], &param);
	memset(&buf, 0, sizeof buf);
	st = rows_read(db, stmt, NULL, &buf, cb, ctx);
	sqlite3_finalize(stmt);
	rec_buf_release(&buf);
	return st;
}

hearth_status hearth_cw_select_eq(hearth_store *s, const char *kind,
				  const char *field, const char *value,
				  hearth_cw_cb cb, void *ctx)
{
	hearth_cw_filter f;

	memset(&f, 0, sizeof f);
	f.field = field;
	f.values = &value;
	f.nvalues = 1;
	return hearth_cw_select(s, kind, &f, 1, cb, ctx);
}

/* ---- people's names ---------------------------------------------------- */

char *hearth_cw_person_name(hearth_store *s, const hearth_id *person)
{
	sqlite3 *db = hearth_store_db(s);
	sqlite3_stmt *stmt = NULL;
	char *name = NULL;

	if (sqlite3_prepare_v2(db, "SELECT value FROM field WHERE record = ?1 AND name = 'name'",
			       -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_blob(stmt, 1, person->b, HEARTH_ID_BYTES, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != NULL)
			name = strdup((const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
	return name ? name : strdup("");
}

struct hearth_cw_people {
	sqlite3_stmt *stmt;
};

hearth_status hearth_cw_people_open(hearth_store *s, hearth_cw_people **out)
{
	sqlite3 *db = hearth_store_db(s);
	hearth_cw_people *p = calloc(1, sizeof *p);
	int rc;

	*out = NULL;
	if (p == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading people");
	rc = sqlite3_prepare_v2(db,
		"SELECT r.deleted, (SELECT value FROM field WHERE record = r.id AND name = 'name'),"
		" (SELECT value FROM field WHERE record = r.id AND name = '"
		HEARTH_FIELD_MOVED_TO "')"
		" FROM record r WHERE r.id = ?1 AND r.kind = 'person'", -1, &p->stmt, NULL);
	if (rc != SQLITE_OK) {
		free(p);
		return hearth_db_error(db, rc, "cannot read people");
	}
	*out = p;
	return HEARTH_OK;
}

int hearth_cw_people_get(hearth_cw_people *p, const hearth_id *person, char **name,
			 hearth_id *live)
{
	hearth_id at = *person;
	unsigned hops;
	int rc, ret = 0;

	*name = NULL;
	/* A moved person's original is tombstoned naming its copy: follow
	 * it, so a record written for the original on a device that had
	 * not heard of the move is the copy's (hearth/caseload.h). */
	for (hops = 0; hops <= HEARTH_CW_MOVE_HOPS; hops++) {
		sqlite3_reset(p->stmt);
		sqlite3_bind_blob(p->stmt, 1, at.b, HEARTH_ID_BYTES, SQLITE_TRANSIENT);
		rc = sqlite3_step(p->stmt);
		if (rc != SQLITE_ROW) {
			if (rc != SQLITE_DONE)
				ret = -1;
			break;
		}
		if (sqlite3_column_int(p->stmt, 0) != 0) {
			if (!hearth_cw_id((const char *)sqlite3_column_text(p->stmt, 2), &at))
				break;
			continue;
		}
		*name = hearth_cw_strdup((const char *)sqlite3_column_text(p->stmt, 1));
		ret = *name ? 1 : -1;
		if (live != NULL)
			*live = at;
		break;
	}
	sqlite3_reset(p->stmt);
	return ret;
}

hearth_status hearth_cw_person_live(hearth_store *s, const hearth_id *id,
				    hearth_id *live)
{
	hearth_cw_people *people = NULL;
	hearth_id to = *id;
	hearth_status st;
	char *name = NULL;
	int found;

	if ((st = hearth_cw_people_open(s, &people)) != HEARTH_OK)
		return st;
	found = hearth_cw_people_get(people, id, &name, &to);
	free(name);
	hearth_cw_people_close(people);
	if (found < 0)
		return hearth_fail(HEARTH_ENOMEM, "cannot read people");
	*live = to;
	return HEARTH_OK;
}

void hearth_cw_people_close(hearth_cw_people *p)
{
	if (p == NULL)
		return;
	sqlite3_finalize(p->stmt);
	free(p);
}

/* ---- moved people ------------------------------------------------------ */

static hearth_status on_move(void *ctx, const hearth_cw_row *row)
{
	hearth_cw_moves *m = ctx;
	hearth_status st;
	hearth_id to;

	if (!hearth_cw_id(row->value, &to))
		return HEARTH_OK;
	if (m->from.n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		hearth_id *v = realloc(m->to, cap * sizeof *v);

		if (v == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory reading moves");
		m->to = v;
		m->cap = cap;
	}
	if ((st = hearth_cw_idset_push(&m->from, row->id)) != HEARTH_OK)
		return st;
	m->to[m->from.n - 1] = to;
	return HEARTH_OK;
}

hearth_status hearth_cw_moves_load(hearth_store *s, hearth_cw_moves *m)
{
	hearth_status st;

	memset(m, 0, sizeof *m);
	st = hearth_cw_scan(s, "SELECT record, value FROM field WHERE name = '"
			    HEARTH_FIELD_MOVED_TO "'", NULL, on_move, m);
	/* One row per record and field: the originals are distinct. */
	if (st == HEARTH_OK)
		st = hearth_cw_idset_index(&m->from, 0);
	if (st != HEARTH_OK)
		hearth_cw_moves_release(m);
	return st;
}

hearth_id hearth_cw_moves_follow(const hearth_cw_moves *m, const hearth_id *person)
{
	hearth_id at = *person;
	unsigned hops;
	long i;

	/* Bounded: a cycle (which no move makes: a copy is a new record)
	 * ends on a tombstoned record, which no list shows. */
	for (hops = 0; hops < HEARTH_CW_MOVE_HOPS; hops++) {
		if ((i = hearth_cw_idset_find(&m->from, at.b)) < 0)
			break;
		at = m->to[i];
	}
	return at;
}

void hearth_cw_moves_release(hearth_cw_moves *m)
{
	hearth_cw_idset_release(&m->from);
	free(m->to);
	memset(m, 0, sizeof *m);
}

hearth_status hearth_cw_person_aliases(hearth_store *s, const hearth_id *person,
				       hearth_cw_aliases *a)
{
	hearth_cw_moves m;
	hearth_status st;
	hearth_id to;
	size_t i;

	memset(a, 0, sizeof *a);
	if ((st = hearth_cw_moves_load(s, &m)) != HEARTH_OK)
		return st;
	a->hex = calloc(m.from.n + 1, sizeof *a->hex);
	a->v = calloc(m.from.n + 1, sizeof *a->v);
	if (a->hex == NULL || a->v == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory reading moves");
		goto out;
	}
	hearth_id_to_hex(person, a->hex[a->n]);
	a->v[a->n] = a->hex[a->n];
	a->n++;
	for (i = 0; i < m.from.n; i++) {
		to = hearth_cw_moves_follow(&m, &m.from.v[i]);
		if (!hearth_id_equal(&to, person) || hearth_id_equal(&m.from.v[i], person))
			continue;
		if (a->n == HEARTH_CW_MAX_VALUES) {
			hearth_id_to_hex(person, a->hex[0]);
			st = hearth_fail(HEARTH_ESTATE, "person %.8s was moved more than "
					 "%u times: their records cannot be read together",
					 a->hex[0], HEARTH_CW_MAX_VALUES - 1);
			goto out;
		}
		hearth_id_to_hex(&m.from.v[i], a->hex[a->n]);
		a->v[a->n] = a->hex[a->n];
		a->n++;
	}
out:
	hearth_cw_moves_release(&m);
	if (st != HEARTH_OK)
		hearth_cw_aliases_release(a);
	return st;
}

void hearth_cw_aliases_release(hearth_cw_aliases *a)
{
	free(a->hex);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* ---- text ------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (the byte ranges of the
 * Unicode standard, table 3-7: no overlong forms, no surrogates, nothing
 * past U+10FFFF), or 0 if none starts there. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

hearth_status hearth_text_check(const char *what, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t n;

	if (what == NULL)
		what = "text";
	if (value == NULL)
		return hearth_fail(HEARTH_EINVAL, "no value given for '%s'", what);
	if (strlen(value) > HEARTH_TEXT_MAX)
		return hearth_fail(HEARTH_EINVAL, "the value of '%s' is too long (more than %u bytes)",
				   what, HEARTH_TEXT_MAX);
	/* One pass, so the first problem is the one named. */
	for (; *p != '\0'; p += n) {
		if ((n = utf8_len(p)) == 0)
			return hearth_fail(HEARTH_EINVAL, "the value of '%s' is not valid UTF-8 text",
					   what);
		/* Every control character but tab and newline is ASCII. */
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
			return hearth_fail(HEARTH_EINVAL, "the value of '%s' holds a control character",
					   what);
	}
	return HEARTH_OK;
}

/* ---- sets of ids -------------------------------------------------------- */

void hearth_cw_idset_release(hearth_cw_idset *m)
{
	free(m->v);
	free(m->tab);
	free(m->mark);
	memset(m, 0, sizeof *m);
}

hearth_status hearth_cw_idset_push(hearth_cw_idset *m, const uint8_t *id)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 1024;
		hearth_id *v;

		if (cap > UINT32_MAX / 4 || (v = realloc(m->v, cap * sizeof *v)) == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory reading records");
		m->v = v;
		m->cap = cap;
	}
	memcpy(m->v[m->n++].b, id, HEARTH_ID_BYTES);
	return HEARTH_OK;
}

/* Ids are random, but need not be: mix them anyway. */
static size_t idset_hash(const uint8_t *id)
{
	uint64_t a, b;

	memcpy(&a, id, 8);
	memcpy(&b, id + 8, 8);
	a ^= b * 0x9E3779B97F4A7C15ULL;
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdULL;
	a ^= a >> 33;
	return (size_t)a;
}

static int id_order(const void *a, const void *b)
{
	return memcmp(a, b, HEARTH_ID_BYTES);
}

hearth_status hearth_cw_idset_index(hearth_cw_idset *m, int sort)
{
	size_t i, k = 0, tcap = 16;

	if (sort && m->n > 1) {
		qsort(m->v, m->n, sizeof *m->v, id_order);
		for (i = 1; i < m->n; i++)
			if (memcmp(m->v[k].b, m->v[i].b, HEARTH_ID_BYTES) != 0)
				m->v[++k] = m->v[i];
		m->n = k + 1;
	}
	while (tcap < 2 * m->n)
		tcap *= 2;
	free(m->tab);
	free(m->mark);
	m->tab = calloc(tcap, sizeof *m->tab);
	m->mark = calloc(m->n + 1, 1);
	if (m->tab == NULL || m->mark == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading records");
	m->tcap = tcap;
	for (i = 0; i < m->n; i++) {
		k = idset_hash(m->v[i].b) & (tcap - 1);
		while (m->tab[k] != 0)
			k = (k + 1) & (tcap - 1);
		m->tab[k] = (uint32_t)i + 1;
	}
	return HEARTH_OK;
}

long hearth_cw_idset_find(const hearth_cw_idset *m, const uint8_t *id)
{
	size_t k;

	if (m->tcap == 0)
		return -1;
	for (k = idset_hash(id) & (m->tcap - 1); m->tab[k] != 0; k = (k + 1) & (m->tcap - 1))
		if (memcmp(m->v[m->tab[k] - 1].b, id, HEARTH_ID_BYTES) == 0)
			return (long)m->tab[k] - 1;
	return -1;
}

hearth_status hearth_cw_scan(hearth_store *s, const char *sql, const char *param,
			     hearth_cw_row_fn fn, void *ctx)
{
	sqlite3 *db = hearth_store_db(s);
	sqlite3_stmt *stmt = NULL;
	hearth_status st = HEARTH_OK;
	int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);

	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, "cannot read records");
	if (param != NULL)
		sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const void *id = sqlite3_column_blob(stmt, 0);
		const void *blob;
		hearth_cw_row row;

		if (id == NULL || sqlite3_column_bytes(stmt, 0) != HEARTH_ID_BYTES)
			continue;
		memset(&row, 0, sizeof row);
		row.id = id;
		if (sqlite3_column_count(stmt) > 1) {
			if (sqlite3_column_type(stmt, 1) == SQLITE_BLOB) {
				blob = sqlite3_column_blob(stmt, 1);
				if (blob != NULL && sqlite3_column_bytes(stmt, 1) == HEARTH_HLC_BYTES)
					row.created = blob;
			} else {
				row.value = (const char *)sqlite3_column_text(stmt, 1);
			}
		}
		if ((st = fn(ctx, &row)) != HEARTH_OK)
			goto out;
	}
	if (rc != SQLITE_DONE)
		st = hearth_db_error(db, rc, "cannot read records");
out:
	sqlite3_finalize(stmt);
	return st;
}

/* ---- the people of a list ---------------------------------------------- */

/* The people of a list's items, each once: which are live persons
 * (marked), and their names. */
typedef struct people_of {
	hearth_cw_idset ids; /* marked: a live person */
	char **name;         /* of ids.v[i]; NULL if not read */
	hearth_id *live;     /* of ids.v[i] when marked: itself, or the live
			      * copy it was moved to */
	size_t counted;      /* live people seen by the scan */
	size_t limit;        /* the scan gives up past this many */
	int gave_up;
} people_of;

static hearth_status on_person(void *ctx, const hearth_cw_row *row)
{
	people_of *p = ctx;
	long i = hearth_cw_idset_find(&p->ids, row->id);

	if (i >= 0)
		p->ids.mark[i] = 1;
	if (++p->counted > p->limit) {
		p->gave_up = 1; /* too many people: by key instead */
		return HEARTH_ESTATE;
	}
	return HEARTH_OK;
}

static hearth_status on_name(void *ctx, const hearth_cw_row *row)
{
	people_of *p = ctx;
	long i = hearth_cw_idset_find(&p->ids, row->id);

	if (i < 0 || row->value == NULL || !p->ids.mark[i] || p->name[i] != NULL)
		return HEARTH_OK;
	if ((p->name[i] = strdup(row->value)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading people");
	return HEARTH_OK;
}

/* A scan of every live person (about 0.1 us each) beats looking up each
 * person of the items by key (a page read, some 8 us, when the pages are
 * not cached: the people of a long list are spread over the whole field
 * table) once the items' people are more than one in PEOPLE_SCAN_SHARE of
 * the people.  HEARTH_CW_PEOPLE_AUTO scans when they are PEOPLE_SCAN_MIN
 * or more, counting as it goes and giving up past that share, so a short
 * list in a large vault wastes little. */
#define PEOPLE_SCAN_SHARE 16
#define PEOPLE_SCAN_MIN 32

/* After a scan of the live people: the ids it left unmarked that are moved
 * people's originals, looked up by key through their moves (a few). */
static hearth_status people_moved(hearth_store *s, people_of *p)
{
	hearth_cw_people *people = NULL;
	hearth_cw_moves m;
	hearth_status st;
	size_t i;
	int live;

	for (i = 0; i < p->ids.n; i++)
		if (p->ids.mark[i])
			p->live[i] = p->ids.v[i];
	if ((st = hearth_cw_moves_load(s, &m)) != HEARTH_OK)
		return st;
	if (m.from.n > 0)
		st = hearth_cw_people_open(s, &people);
	for (i = 0; st == HEARTH_OK && m.from.n > 0 && i < p->ids.n; i++) {
		if (p->ids.mark[i] || hearth_cw_idset_find(&m.from, p->ids.v[i].b) < 0)
			continue;
		live = hearth_cw_people_get(people, &p->ids.v[i], &p->name[i], &p->live[i]);
		if (live < 0)
			st = hearth_fail(HEARTH_ENOMEM, "cannot read people");
		p->ids.mark[i] = live > 0;
	}
	hearth_cw_people_close(people);
	hearth_cw_moves_release(&m);
	return st;
}

/* Marks the live people among p->ids (a moved person's original when its
 * moves end at a live person: p->live), and reads their names if asked. */
static hearth_status people_read(hearth_store *s, people_of *p,
				 hearth_cw_people_how how, int names)
{
	hearth_cw_people *people = NULL;
	hearth_status st = HEARTH_OK;
	size_t i;
	int may_give_up = how == HEARTH_CW_PEOPLE_AUTO;

	if (may_give_up)
		how = p->ids.n >= PEOPLE_SCAN_MIN ? HEARTH_CW_PEOPLE_BY_SCAN :
		      HEARTH_CW_PEOPLE_BY_KEY;
	if (how == HEARTH_CW_PEOPLE_BY_SCAN) {
		p->limit = may_give_up ? p->ids.n * PEOPLE_SCAN_SHARE : SIZE_MAX;
		st = hearth_cw_scan(s, "SELECT id FROM record WHERE kind = 'person'"
				    " AND deleted = 0", NULL, on_person, p);
		if (st == HEARTH_OK) {
			if (names)
				st = hearth_cw_scan(s, "SELECT record, value FROM field"
						    " WHERE name = 'name'", NULL, on_name, p);
			if (st == HEARTH_OK)
				st = people_moved(s, p);
			return st;
		}
		if (!p->gave_up)
			return st;
		memset(p->ids.mark, 0, p->ids.n);
	}
	if ((st = hearth_cw_people_open(s, &people)) != HEARTH_OK)
		return st;
	for (i = 0; i < p->ids.n; i++) {
		int live = hearth_cw_people_get(people, &p->ids.v[i], &p->name[i],
						&p->live[i]);

		if (live < 0) {
			st = hearth_fail(HEARTH_ENOMEM, "cannot read people");
			break;
		}
		p->ids.mark[i] = (uint8_t)live;
	}
	hearth_cw_people_close(people);
	return st;
}

hearth_status hearth_cw_list_people(hearth_store *s, hearth_cw_list *l,
				    size_t person_off, size_t name_off,
				    hearth_cw_people_how how, int names)
{
	people_of p;
	hearth_status st = HEARTH_OK;
	size_t i, k;

	memset(&p, 0, sizeof p);
	if (l->n == 0)
		return HEARTH_OK;
	for (i = 0; i < l->n && st == HEARTH_OK; i++)
		st = hearth_cw_idset_push(&p.ids, (const uint8_t *)hearth_cw_list_at(l, i) +
					  person_off);
	if (st == HEARTH_OK)
		st = hearth_cw_idset_index(&p.ids, 1);
	if (st == HEARTH_OK && ((p.name = calloc(p.ids.n, sizeof *p.name)) == NULL ||
				(p.live = calloc(p.ids.n, sizeof *p.live)) == NULL))
		st = hearth_fail(HEARTH_ENOMEM, "out of memory reading people");
	if (st == HEARTH_OK)
		st = people_read(s, &p, how, names);
	if (st != HEARTH_OK)
		goto out;
	/* Keeps the items of live people, in order; on failure the list
	 * stays whole (its items released or kept) for the caller's
	 * release. */
	for (i = 0, k = 0; i < l->n; i++) {
		char *item = hearth_cw_list_at(l, i);
		long j = hearth_cw_idset_find(&p.ids, (const uint8_t *)item + person_off);
		char *name = NULL;

		if (j < 0 || !p.ids.mark[j]) {
			if (l->release != NULL)
				l->release(item);
			continue;
		}
		if (names && (name = hearth_cw_strdup(p.name[j])) == NULL) {
			st = hearth_fail(HEARTH_ENOMEM, "out of memory reading people");
			for (; i < l->n; i++, k++)
				list_move(l, k, i);
			break;
		}
		memcpy(item + name_off, &name, sizeof name);
		/* A record written for a moved person's original is listed
		 * as the copy's. */
		memcpy(item + person_off, &p.live[j], sizeof p.live[j]);
		list_move(l, k++, i);
	}
	l->n = k;
out:
	for (i = 0; p.name != NULL && i < p.ids.n; i++)
		free(p.name[i]);
	free(p.name);
	free(p.live);
	hearth_cw_idset_release(&p.ids);
	return st;
}
