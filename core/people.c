/*
 * people.c - a person's case state (risk, case, counsellor) and timeline,
 * and the helpers the casework modules share (casework_private.h).
 *
 * The person record itself (name, unit, phone, tags, note) is made by the
 * `hearth person` module; this file only adds the case fields.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "casework_private.h"
#include "db_private.h"
#include "hearth/audit.h"
#include "hearth/casework.h"
#include "hearth/timeutil.h"

/* ---- shared helpers ---------------------------------------------------- */

static int one_of(const char *s, const char *const *set)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; set[i] != NULL; i++)
		if (strcmp(s, set[i]) == 0)
			return 1;
	return 0;
}

int hearth_risk_valid(const char *s)
{
	static const char *const v[] = { "low", "moderate", "high", NULL };
	return one_of(s, v);
}

int hearth_case_valid(const char *s)
{
	static const char *const v[] = { "open", "followup", "closed", NULL };
	return one_of(s, v);
}

int hearth_priority_valid(const char *s)
{
	static const char *const v[] = { "high", "normal", "low", NULL };
	return one_of(s, v);
}

int hearth_appt_mode_valid(const char *s)
{
	static const char *const v[] = { "in-person", "phone", "video", NULL };
	return one_of(s, v);
}

int hearth_note_format_valid(const char *s)
{
	static const char *const v[] = { "free", "dap", "soap", NULL };
	return one_of(s, v);
}

int hearth_activity_type_valid(const char *s)
{
	static const char *const v[] = { "hotline", "callback", "group", "lecture",
					 "outreach", NULL };
	return one_of(s, v);
}

const char *hearth_cw_get(const hearth_cw_rec *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->name[i], name) == 0)
			return r->value[i];
	return NULL;
}

char *hearth_cw_strdup(const char *s)
{
	return strdup(s ? s : "");
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
		return hearth_fail(HEARTH_ENOTFOUND, "no %s '%s'", kind, hex);
	}
	if (st != HEARTH_OK)
		return st;
	*out = r;
	return HEARTH_OK;
}

static hearth_status exec_sql(hearth_store *s, const char *sql, const char *what)
{
	sqlite3 *db = hearth_store_db(s);
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return hearth_db_error(db, rc, what);
	return HEARTH_OK;
}

hearth_status hearth_cw_begin(hearth_store *s, hearth_cw_tx *tx)
{
	hearth_status st;

	tx->own = 0;
	tx->savepoint = 0;
	if (sqlite3_get_autocommit(hearth_store_db(s))) {
		st = hearth_store_begin(s);
		if (st == HEARTH_OK)
			tx->own = 1;
		return st;
	}
	/* The caller holds a transaction: a savepoint makes this function
	 * atomic inside it without ending it. */
	st = exec_sql(s, "SAVEPOINT hearth_casework", "cannot start a savepoint");
	if (st == HEARTH_OK)
		tx->savepoint = 1;
	return st;
}

hearth_status hearth_cw_end(hearth_store *s, hearth_cw_tx *tx, hearth_status st)
{
	if (tx->own) {
		tx->own = 0;
		if (st == HEARTH_OK)
			return hearth_store_commit(s);
		hearth_store_rollback(s);
		return st;
	}
	if (tx->savepoint) {
		tx->savepoint = 0;
		if (st == HEARTH_OK)
			return exec_sql(s, "RELEASE hearth_casework",
					"cannot release a savepoint");
		/* Keep the first error; the rollback's own failure would only
		 * hide it. */
		(void)sqlite3_exec(hearth_store_db(s),
				   "ROLLBACK TO hearth_casework; RELEASE hearth_casework",
				   NULL, NULL, NULL);
	}
	return st;
}

/* Growing arrays of field names and values for one record. */
typedef struct rec_buf {
	hearth_cw_rec rec;
	size_t cap;
	char **names;
	char **values;
} rec_buf;

static void rec_buf_clear(rec_buf *b)
{
	size_t i;

	for (i = 0; i < b->rec.n; i++) {
		free(b->names[i]);
		free(b->values[i]);
	}
	b->rec.n = 0;
}

static void rec_buf_release(rec_buf *b)
{
	rec_buf_clear(b);
	free(b->names);
	free(b->values);
}

static hearth_status rec_buf_push(rec_buf *b, const char *name, const char *value)
{
	char *n, *v;

	if (b->rec.n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		char **nn = realloc(b->names, cap * sizeof *nn);

		if (nn == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory reading records");
		b->names = nn;
		nn = realloc(b->values, cap * sizeof *nn);
		if (nn == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory reading records");
		b->values = nn;
		b->cap = cap;
	}
	n = strdup(name);
	v = strdup(value);
	if (n == NULL || v == NULL) {
		free(n);
		free(v);
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading records");
	}
	b->names[b->rec.n] = n;
	b->values[b->rec.n] = v;
	b->rec.n++;
	b->rec.name = (const char **)b->names;
	b->rec.value = (const char **)b->values;
	return HEARTH_OK;
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
	 * are adjacent; a record is handed to cb when the next one starts.
	 * With a filter, CROSS JOIN makes SQLite start from the field index
	 * (the planner would otherwise walk every record of the kind). */
	sqlite3 *db = hearth_store_db(s);
	sqlite3_stmt *stmt = NULL;
	char sql[2048];
	size_t len = 0, i;
	rec_buf buf;
	int rc, have = 0, param = 2;
	hearth_status st = HEARTH_OK;

	memset(&buf, 0, sizeof buf);
	if (nfilters > HEARTH_CW_MAX_FILTERS)
		return hearth_fail(HEARTH_EINVAL, "too many record filters");
	for (i = 0; i < nfilters; i++)
		if (filters[i].field == NULL || filters[i].nvalues > 8)
			return hearth_fail(HEARTH_EINVAL, "bad record filter");
	if (nfilters == 0) {
		len += (size_t)snprintf(sql + len, sizeof sql - len,
			"SELECT r.id, r.created, f.name, f.value FROM record r"
			" JOIN field f ON f.record = r.id"
			" WHERE r.kind = ?1 AND r.deleted = 0 AND f.value IS NOT NULL");
	} else {
		len += (size_t)snprintf(sql + len, sizeof sql - len,
			"SELECT r.id, r.created, f.name, f.value FROM field d"
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
	if (rc != SQLITE_OK) {
		st = hearth_db_error(db, rc, "cannot read records");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
	param = 2;
	for (i = 0; i < nfilters; i++)
		filter_bind(stmt, &filters[i], &param);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const void *id = sqlite3_column_blob(stmt, 0);
		const void *created = sqlite3_column_blob(stmt, 1);
		const char *name = (const char *)sqlite3_column_text(stmt, 2);
		const char *value = (const char *)sqlite3_column_text(stmt, 3);

		if (id == NULL || sqlite3_column_bytes(stmt, 0) != HEARTH_ID_BYTES ||
		    name == NULL || value == NULL)
			continue;
		if (have && memcmp(buf.rec.id.b, id, HEARTH_ID_BYTES) != 0) {
			st = cb(&buf.rec, ctx);
			rec_buf_clear(&buf);
			have = 0;
			if (st != HEARTH_OK)
				goto out;
		}
		if (!have) {
			memcpy(buf.rec.id.b, id, HEARTH_ID_BYTES);
			memset(&buf.rec.created, 0, sizeof buf.rec.created);
			if (created != NULL && sqlite3_column_bytes(stmt, 1) == HEARTH_HLC_BYTES)
				memcpy(buf.rec.created.b, created, HEARTH_HLC_BYTES);
			have = 1;
		}
		st = rec_buf_push(&buf, name, value);
		if (st != HEARTH_OK)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		st = hearth_db_error(db, rc, "cannot read records");
		goto out;
	}
	if (have)
		st = cb(&buf.rec, ctx);
out:
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
		"SELECT r.deleted, (SELECT value FROM field WHERE record = r.id AND name = 'name')"
		" FROM record r WHERE r.id = ?1 AND r.kind = 'person'", -1, &p->stmt, NULL);
	if (rc != SQLITE_OK) {
		free(p);
		return hearth_db_error(db, rc, "cannot read people");
	}
	*out = p;
	return HEARTH_OK;
}

int hearth_cw_people_get(hearth_cw_people *p, const hearth_id *person, char **name)
{
	int rc, ret = 0;

	*name = NULL;
	sqlite3_reset(p->stmt);
	sqlite3_bind_blob(p->stmt, 1, person->b, HEARTH_ID_BYTES, SQLITE_TRANSIENT);
	rc = sqlite3_step(p->stmt);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_int(p->stmt, 0) != 0)
			goto out;
		*name = hearth_cw_strdup((const char *)sqlite3_column_text(p->stmt, 1));
		ret = *name ? 1 : -1;
	} else if (rc != SQLITE_DONE) {
		ret = -1;
	}
out:
	sqlite3_reset(p->stmt);
	return ret;
}

void hearth_cw_people_close(hearth_cw_people *p)
{
	if (p == NULL)
		return;
	sqlite3_finalize(p->stmt);
	free(p);
}

/* ---- case state -------------------------------------------------------- */

hearth_status hearth_person_check(hearth_store *s, const hearth_id *person)
{
	hearth_record *r = NULL;
	hearth_status st;

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	st = hearth_cw_load(s, person, "person", &r);
	hearth_record_free(r);
	return st;
}

hearth_status hearth_person_set_risk(hearth_store *s, const hearth_id *person,
				     const char *risk)
{
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	if (!hearth_risk_valid(risk))
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a risk level: use low, moderate or high",
				   risk ? risk : "");
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_person_check(s, person);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, person, "risk", risk);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.risk", person, risk);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_person_set_case(hearth_store *s, const hearth_id *person,
				     const char *state)
{
	hearth_record *r = NULL;
	hearth_followups *l = NULL;
	char hex[HEARTH_ID_HEX + 1], fh[HEARTH_ID_HEX + 1];
	hearth_cw_tx tx;
	hearth_status st;
	size_t i;

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	if (!hearth_case_valid(state))
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a case state: use open, followup or closed",
				   state ? state : "");
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_load(s, person, "person", &r);
	if (st != HEARTH_OK)
		goto out;
	if (strcmp(state, "closed") == 0 &&
	    strcmp(hearth_cw_field(r, "risk"), "high") == 0) {
		/* The list's today only matters for days overdue; any valid
		 * date will do for finding pending safety follow-ups. */
		st = hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, person,
					  "2000-01-01", &l);
		if (st != HEARTH_OK)
			goto out;
		for (i = 0; i < l->n; i++) {
			if (!l->items[i].safety)
				continue;
			hearth_id_to_hex(person, hex);
			hearth_id_to_hex(&l->items[i].id, fh);
			st = hearth_fail(HEARTH_ESTATE,
				"person %.8s is high risk and has an open safety "
				"follow-up %.8s due %s: complete it before closing the case",
				hex, fh, l->items[i].due);
			goto out;
		}
	}
	st = hearth_record_set(s, person, "case", state);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.case", person, state);
out:
	hearth_followups_free(l);
	hearth_record_free(r);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_person_set_counsellor(hearth_store *s,
					   const hearth_id *person,
					   const char *counsellor)
{
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	if (hearth_cw_multiline(counsellor))
		return hearth_fail(HEARTH_EINVAL, "a counsellor's name is one line");
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_person_check(s, person);
	if (st == HEARTH_OK)
		st = hearth_cw_set(s, person, "counsellor", counsellor);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.counsellor", person, NULL);
	return hearth_cw_end(s, &tx, st);
}

/* ---- timeline ---------------------------------------------------------- */

typedef struct tl_entry {
	hearth_timeline_item item;
	hearth_hlc created;
	/* Sort key: an amendment sorts with its original, after it. */
	const char *key_when;
	hearth_hlc key_created;
	int sub;
	hearth_id amends;
	int has_amends;
} tl_entry;

typedef struct tl_ctx {
	hearth_store *s;
	const char *kind;
	tl_entry *v;
	size_t n, cap;
} tl_ctx;

/* First line of text, cut to at most max bytes on a UTF-8 boundary. */
static char *first_line(const char *text, size_t max)
{
	size_t n = strcspn(text, "\r\n");
	char *out;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	out = malloc(n + 4);
	if (out == NULL)
		return NULL;
	memcpy(out, text, n);
	if (n < strlen(text))
		memcpy(out + n, "...", 4);
	else
		out[n] = '\0';
	return out;
}

/* Joins non-empty parts with sep. */
static char *join_sep(const char *const *parts, size_t n, const char *sep)
{
	size_t len = 1, i;
	char *out;

	for (i = 0; i < n; i++)
		if (parts[i] && parts[i][0])
			len += strlen(parts[i]) + strlen(sep);
	out = malloc(len);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!(parts[i] && parts[i][0]))
			continue;
		if (out[0])
			strcat(out, sep);
		strcat(out, parts[i]);
	}
	return out;
}

static char *join(const char *const *parts, size_t n)
{
	return join_sep(parts, n, ", ");
}

/* A screening's flags (a JSON array of strings) as "a b", malloc'd, or
 * NULL for none or a value that is not such an array. */
static char *flags_text(const char *value)
{
	json_t *a = value ? json_loads(value, 0, NULL) : NULL;
	const char *parts[8];
	size_t i, n = 0;
	char *out = NULL;
	json_t *e;

	if (!json_is_array(a))
		goto out;
	json_array_foreach(a, i, e)
		if (json_is_string(e) && n < 8)
			parts[n++] = json_string_value(e);
	if (n == 0)
		goto out;
	out = join_sep(parts, n, " ");
out:
	json_decref(a);
	return out;
}

static void date_of_hlc(const hearth_hlc *h, char out[HEARTH_DATE_LEN + 1])
{
	time_t t = (time_t)(hearth_hlc_ms(h) / 1000);
	struct tm tm;
	int32_t d;

	if (localtime_r(&t, &tm) != NULL &&
	    hearth_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &d) == HEARTH_OK)
		hearth_date_format(d, out);
	else
		strcpy(out, "1970-01-01");
}

static void set_when(char out[HEARTH_DATETIME_LEN + 1], const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (n > HEARTH_DATETIME_LEN)
		n = HEARTH_DATETIME_LEN;
	memcpy(out, v ? v : "", n);
	out[n] = '\0';
}

static hearth_status tl_collect(const hearth_cw_rec *r, void *vctx)
{
	tl_ctx *c = vctx;
	tl_entry *e;
	const char *k = c->kind;
	const char *status = "", *when = NULL;
	char *summary = NULL, *flags = NULL;
	char buf[64];

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		tl_entry *v = realloc(c->v, cap * sizeof *v);

		if (v == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory building a timeline");
		c->v = v;
		c->cap = cap;
	}
	e = &c->v[c->n];
	memset(e, 0, sizeof *e);
	e->item.id = r->id;
	e->created = r->created;

	if (strcmp(k, "screening") == 0) {
		const char *parts[3];

		when = hearth_cw_get(r, "date");
		if (when == NULL)
			when = hearth_cw_get(r, "at");
		status = hearth_cw_get(r, "band");
		/* Fields of the screening module (hearth/screening.h):
		 * "display" is the score as shown, "flags" a JSON array. */
		parts[0] = hearth_cw_get(r, "instrument");
		parts[1] = hearth_cw_get(r, "display");
		if (parts[1] == NULL)
			parts[1] = hearth_cw_get(r, "total");
		flags = flags_text(hearth_cw_get(r, "flags"));
		parts[2] = flags;
		summary = join(parts, 3);
		free(flags);
	} else if (strcmp(k, "appointment") == 0) {
		const char *parts[4];

		when = hearth_cw_get(r, "at");
		status = hearth_cw_get(r, "status");
		snprintf(buf, sizeof buf, "%d min", hearth_cw_int(hearth_cw_get(r, "minutes"),
						HEARTH_APPT_DEFAULT_MINUTES));
		parts[0] = buf;
		parts[1] = hearth_cw_get(r, "mode");
		parts[2] = hearth_cw_get(r, "place");
		parts[3] = hearth_cw_get(r, "counsellor");
		summary = join(parts, 4);
	} else if (strcmp(k, "note") == 0) {
		const char *text = hearth_cw_get(r, "text");

		when = hearth_cw_get(r, "date");
		status = hearth_cw_get(r, "format");
		summary = first_line(text ? text : "", 80);
		e->has_amends = hearth_cw_id(hearth_cw_get(r, "amends"), &e->amends);
	} else if (strcmp(k, "followup") == 0) {
		when = hearth_cw_get(r, "due");
		status = hearth_cw_get(r, "status");
		summary = hearth_cw_strdup(hearth_cw_get(r, "reason"));
	} else {
		const char *parts[2];

		when = hearth_cw_get(r, "date");
		status = hearth_cw_get(r, "type");
		parts[0] = hearth_cw_get(r, "topic");
		parts[1] = hearth_cw_get(r, "outcome");
		summary = join(parts, 2);
	}
	e->item.kind = e->has_amends ? "amendment" : k;
	e->item.status = hearth_cw_strdup(status);
	e->item.summary = summary;
	if (e->item.status == NULL || e->item.summary == NULL) {
		free(e->item.status);
		free(e->item.summary);
		return hearth_fail(HEARTH_ENOMEM, "out of memory building a timeline");
	}
	if (when != NULL && when[0] != '\0')
		set_when(e->item.when, when);
	else
		date_of_hlc(&r->created, e->item.when);
	c->n++;
	return HEARTH_OK;
}

static int tl_cmp(const void *pa, const void *pb)
{
	const tl_entry *a = pa, *b = pb;
	int c = strcmp(a->key_when, b->key_when);

	if (c != 0)
		return c;
	c = hearth_hlc_cmp(&a->key_created, &b->key_created);
	if (c != 0)
		return c;
	if (a->sub != b->sub)
		return a->sub - b->sub;
	return hearth_hlc_cmp(&a->created, &b->created);
}

void hearth_timeline_free(hearth_timeline *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->items[i].status);
		free(t->items[i].summary);
		hearth_record_free(t->items[i].record);
	}
	free(t->items);
	free(t);
}

hearth_status hearth_person_timeline(hearth_store *s, const hearth_id *person,
				     hearth_timeline **out)
{
	static const char *const kinds[] = { "screening", "appointment", "note",
					     "followup", "activity" };
	char hex[HEARTH_ID_HEX + 1];
	tl_ctx c;
	hearth_timeline *t = NULL;
	hearth_status st;
	size_t i, j;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output given");
	*out = NULL;
	st = hearth_person_check(s, person);
	if (st != HEARTH_OK)
		return st;
	memset(&c, 0, sizeof c);
	c.s = s;
	hearth_id_to_hex(person, hex);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		c.kind = kinds[i];
		st = hearth_cw_select_eq(s, kinds[i], "person", hex, tl_collect, &c);
		if (st != HEARTH_OK)
			goto out;
	}
	/* Sort keys: an amendment takes its original's place, then follows
	 * it (sub 1) in the order written. */
	for (i = 0; i < c.n; i++) {
		tl_entry *e = &c.v[i];

		e->key_when = e->item.when;
		e->key_created = e->created;
		if (!e->has_amends)
			continue;
		for (j = 0; j < c.n; j++) {
			if (strcmp(c.v[j].item.kind, "note") == 0 &&
			    hearth_id_equal(&c.v[j].item.id, &e->amends)) {
				e->key_when = c.v[j].item.when;
				e->key_created = c.v[j].created;
				e->sub = 1;
				break;
			}
		}
	}
	if (c.n > 1)
		qsort(c.v, c.n, sizeof *c.v, tl_cmp);

	t = calloc(1, sizeof *t);
	if (t == NULL || (c.n > 0 && (t->items = calloc(c.n, sizeof *t->items)) == NULL)) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory building a timeline");
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		t->items[i] = c.v[i].item;
		c.v[i].item.status = NULL;
		c.v[i].item.summary = NULL;
		t->n++;
		st = hearth_record_load(s, &t->items[i].id, &t->items[i].record);
		if (st != HEARTH_OK)
			goto out;
	}
	*out = t;
	t = NULL;
out:
	for (i = 0; i < c.n; i++) {
		free(c.v[i].item.status);
		free(c.v[i].item.summary);
	}
	free(c.v);
	hearth_timeline_free(t);
	return st;
}
