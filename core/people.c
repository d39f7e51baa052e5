/*
 * people.c - the person record (name, unit, phone, tags, note), a
 * person's case state (risk, case, counsellor), deleting and showing a
 * person, and a person's timeline.  The plumbing the casework modules
 * share is in casework.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libintl.h>

#include "casework_private.h"
#include "hearth/audit.h"
#include "hearth/activity.h"
#include "hearth/appointment.h"
#include "hearth/caseload.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/person.h"
#include "hearth/share.h"
#include "hearth/timeutil.h"
#include "hearth/vocab.h"

/* ---- the person record ------------------------------------------------- */

void hearth_tags_free(hearth_tags *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t);
}

/* Appends a copy of tag unless t has it already.  0, or -1 when memory
 * runs out. */
static int tags_add(hearth_tags *t, const char *tag)
{
	char **v, *copy;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i], tag) == 0)
			return 0;
	if ((copy = strdup(tag)) == NULL)
		return -1;
	if ((v = realloc(t->v, (t->n + 1) * sizeof *v)) == NULL) {
		free(copy);
		return -1;
	}
	t->v = v;
	t->v[t->n++] = copy;
	return 0;
}

hearth_status hearth_person_tags(const char *value, hearth_tags **out)
{
	hearth_tags *t;
	json_t *a = NULL, *e;
	size_t i;
	int bad = 0;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output given");
	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading tags");
	if (value != NULL && value[0] != '\0') {
		a = json_loads(value, JSON_DECODE_ANY, NULL);
		json_array_foreach(a, i, e)
			if (!json_is_string(e))
				bad = 1;
		if (!json_is_array(a) || bad) {
			/* Not a JSON array of strings: the whole value is
			 * one tag. */
			bad = tags_add(t, value) != 0;
		} else {
			/* Each tag as stored, repeats included: this reads,
			 * it does not tidy. */
			char **v = calloc(json_array_size(a) + 1, sizeof *v);

			if (v == NULL)
				bad = 1;
			t->v = v;
			json_array_foreach(a, i, e)
				if (v != NULL && (v[t->n] = strdup(json_string_value(e))) != NULL)
					t->n++;
				else
					bad = 1;
		}
	}
	json_decref(a);
	if (bad) {
		hearth_tags_free(t);
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading tags");
	}
	*out = t;
	return HEARTH_OK;
}

/* The length of the tag separator text starts with, or 0: an ASCII comma
 * or semicolon, or a full-width comma, enumeration comma or semicolon
 * (what a Chinese input method types). */
static size_t tag_separator(const char *text)
{
	static const char *const seps[] = {",", ";", "\xef\xbc\x8c", "\xe3\x80\x81",
					   "\xef\xbc\x9b"};
	size_t i, n;

	for (i = 0; i < sizeof seps / sizeof seps[0]; i++) {
		n = strlen(seps[i]);
		if (strncmp(text, seps[i], n) == 0)
			return n;
	}
	return 0;
}

static int tag_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

hearth_status hearth_tags_split(const char *text, hearth_tags **out)
{
	const char *p = text != NULL ? text : "", *start = p;
	hearth_tags *t;
	int bad = 0;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output given");
	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading tags");
	for (;;) {
		size_t sep = *p != '\0' ? tag_separator(p) : 0;

		if (*p == '\0' || sep > 0) {
			const char *b = start, *e = p;
			char *tag;

			while (b < e && tag_space(*b))
				b++;
			while (e > b && tag_space(e[-1]))
				e--;
			if (e > b) {
				if ((tag = strndup(b, (size_t)(e - b))) == NULL ||
				    tags_add(t, tag) != 0)
					bad = 1;
				free(tag);
			}
			if (*p == '\0' || bad)
				break;
			p += sep;
			start = p;
		} else {
			p++;
		}
	}
	if (bad) {
		hearth_tags_free(t);
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading tags");
	}
	*out = t;
	return HEARTH_OK;
}

/* The stored form of tags: compact JSON, UTF-8 as it is; NULL for none
 * (the field is then cleared).  *err is set when memory runs out. */
static char *tags_dump(const hearth_tags *t, int *err)
{
	json_t *a;
	char *out = NULL;
	size_t i;

	*err = 0;
	if (t->n == 0)
		return NULL;
	a = json_array();
	for (i = 0; a != NULL && i < t->n; i++)
		if (json_array_append_new(a, json_string(t->v[i])) != 0)
			break;
	if (a != NULL && i == t->n)
		out = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	*err = out == NULL;
	return out;
}

/* The plain text fields of a person, and their values in f. */
#define N_TEXT_FIELDS 4
static const char *const text_fields[N_TEXT_FIELDS] = { "name", "unit", "phone", "note" };

static void text_values(const hearth_person_fields *f, const char *v[N_TEXT_FIELDS])
{
	v[0] = f->name;
	v[1] = f->unit;
	v[2] = f->phone;
	v[3] = f->note;
}

/* Checks f before anything is written; is_add: a name is required. */
static hearth_status person_fields_check(const hearth_person_fields *f, int is_add)
{
	const char *values[N_TEXT_FIELDS];
	hearth_status st;
	size_t i;

	text_values(f, values);
	if (is_add && f->name == NULL)
		return hearth_fail(HEARTH_EINVAL, "a person needs a name");
	for (i = 0; i < N_TEXT_FIELDS; i++)
		if (values[i] != NULL &&
		    (st = hearth_text_check(text_fields[i], values[i])) != HEARTH_OK)
			return st;
	if (f->name != NULL && f->name[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "the name cannot be empty");
	if (f->ntags > 0 && f->tags == NULL)
		return hearth_fail(HEARTH_EINVAL, "no tags given");
	for (i = 0; i < f->ntags; i++) {
		if (f->tags[i] == NULL || f->tags[i][0] == '\0')
			return hearth_fail(HEARTH_EINVAL, "a tag cannot be empty");
		if ((st = hearth_text_check("tag", f->tags[i])) != HEARTH_OK)
			return st;
	}
	if (!is_add && f->name == NULL && f->unit == NULL && f->phone == NULL &&
	    f->note == NULL && f->ntags == 0 && !f->replace_tags)
		return hearth_fail(HEARTH_EINVAL, "nothing to change");
	return HEARTH_OK;
}

/* Sets field to value unless it holds that already; NULL and "" clear. */
static hearth_status set_if_changed(hearth_store *s, const hearth_id *id,
				    const hearth_record *old, const char *field,
				    const char *value)
{
	const char *cur = old != NULL ? hearth_record_field(old, field) : NULL;
	hearth_status st;
	int n = 0;

	if (value != NULL && value[0] == '\0')
		value = NULL;
	if ((cur == NULL && value == NULL) ||
	    (cur != NULL && value != NULL && strcmp(cur, value) == 0)) {
		/* Unchanged, unless the field holds texts written on two
		 * devices at once: then writing the shown one keeps it and
		 * lets the others go. */
		if (old == NULL)
			return HEARTH_OK;
		st = hearth_store_values(s, id, field, hearth_cw_count_value, &n);
		if (st != HEARTH_OK || n < 2)
			return st;
	}
	return hearth_record_set(s, id, field, value);
}

/* Writes f into person id (old: its current state, NULL when new) inside
 * the caller's transaction. */
static hearth_status person_write(hearth_store *s, const hearth_id *id,
				  const hearth_record *old,
				  const hearth_person_fields *f)
{
	const char *values[N_TEXT_FIELDS];
	hearth_tags *tags = NULL;
	hearth_status st = HEARTH_OK;
	char *dumped = NULL;
	size_t i;
	int err = 0;

	text_values(f, values);
	for (i = 0; i < N_TEXT_FIELDS && st == HEARTH_OK; i++)
		if (values[i] != NULL)
			st = set_if_changed(s, id, old, text_fields[i], values[i]);
	if (st != HEARTH_OK || (f->ntags == 0 && !f->replace_tags))
		return st;
	st = hearth_person_tags(f->replace_tags || old == NULL ? NULL :
				hearth_record_field(old, "tags"), &tags);
	if (st != HEARTH_OK)
		return st;
	for (i = 0; i < f->ntags; i++)
		if (tags_add(tags, f->tags[i]) != 0)
			break;
	dumped = i == f->ntags ? tags_dump(tags, &err) : NULL;
	if (i < f->ntags || err)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory writing tags");
	else
		st = set_if_changed(s, id, old, "tags", dumped);
	free(dumped);
	hearth_tags_free(tags);
	return st;
}

/* Adds a person (person NULL; the new id goes to *out) or updates one:
 * the fields, then the audit entry, in one transaction (a person appears
 * with all its fields or not at all). */
static hearth_status person_save(hearth_store *s, const hearth_id *space,
				 const hearth_id *person,
				 const hearth_person_fields *f, hearth_id *out)
{
	char shex[HEARTH_ID_HEX + 1], detail[HEARTH_ID_HEX + 8];
	hearth_record *old = NULL;
	hearth_cw_tx tx;
	hearth_id id;
	hearth_status st;

	if (s == NULL || f == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	if ((st = person_fields_check(f, person == NULL)) != HEARTH_OK)
		return st;
	if ((st = hearth_cw_begin(s, &tx)) != HEARTH_OK)
		return st;
	if (person == NULL) {
		st = hearth_case_space_check(s, space);
		if (st == HEARTH_OK)
			st = hearth_record_create(s, space, "person", &id);
	} else {
		id = *person;
		st = hearth_cw_load(s, person, "person", &old);
	}
	if (st == HEARTH_OK)
		st = person_write(s, &id, old, f);
	/* Which space a person was made in is part of the trail (an id,
	 * never a name). */
	if (person == NULL && space != NULL) {
		hearth_id_to_hex(space, shex);
		snprintf(detail, sizeof detail, "space %s", shex);
	}
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, person == NULL ? "person.add" : "person.edit",
					 &id, person == NULL && space != NULL ? detail : NULL);
	hearth_record_free(old);
	st = hearth_cw_end(s, &tx, st);
	if (st == HEARTH_OK && out != NULL)
		*out = id;
	return st;
}

hearth_status hearth_person_add(hearth_store *s, const hearth_person_fields *f,
				hearth_id *out)
{
	return person_save(s, NULL, NULL, f, out);
}

hearth_status hearth_person_add_in(hearth_store *s, const hearth_id *space,
				   const hearth_person_fields *f, hearth_id *out)
{
	return person_save(s, space, NULL, f, out);
}

hearth_status hearth_person_update(hearth_store *s, const hearth_id *person,
				   const hearth_person_fields *f)
{
	if (person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	return person_save(s, NULL, person, f, NULL);
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

/* Names the person's first pending safety follow-up in a detail: *n gets
 * their number (0: none, nothing written to the buffers). */
static hearth_status open_safety(hearth_store *s, const hearth_id *person, size_t *n,
				 char fhex[HEARTH_ID_HEX + 1], char due[HEARTH_DATE_LEN + 1])
{
	hearth_id first;
	hearth_status st = hearth_cw_pending_safety(s, person, n, &first, due);

	if (st == HEARTH_OK && *n > 0)
		hearth_id_to_hex(&first, fhex);
	return st;
}

/* What a pending safety follow-up of the person stops. */
enum safety_blocks { SAFETY_BLOCKS_CLOSE, SAFETY_BLOCKS_DELETE };

/* HEARTH_ESTATE naming the person's first pending safety follow-up when
 * they have one (the act `what` must wait until it is done), else
 * HEARTH_OK. */
static hearth_status refuse_open_safety(hearth_store *s, const hearth_id *person,
					enum safety_blocks what)
{
	char hex[HEARTH_ID_HEX + 1], fhex[HEARTH_ID_HEX + 1];
	char due[HEARTH_DATE_LEN + 1];
	hearth_status st;
	size_t n = 0;

	st = open_safety(s, person, &n, fhex, due);
	if (st != HEARTH_OK || n == 0)
		return st;
	hearth_id_to_hex(person, hex);
	if (what == SAFETY_BLOCKS_DELETE)
		return hearth_fail(HEARTH_ESTATE,
			"person %.8s has an open safety follow-up %.8s due %s: "
			"complete it before deleting the person", hex, fhex, due);
	return hearth_fail(HEARTH_ESTATE,
		"person %.8s has an open safety follow-up %.8s due %s: "
		"complete it before closing the case", hex, fhex, due);
}

hearth_status hearth_person_set_risk(hearth_store *s, const hearth_id *person,
				     const char *risk, const char *reason)
{
	char hex[HEARTH_ID_HEX + 1], fhex[HEARTH_ID_HEX + 1];
	char due[HEARTH_DATE_LEN + 1], detail[HEARTH_RISK_REASON_MAX + 128];
	hearth_record *r = NULL;
	hearth_cw_tx tx;
	hearth_status st;
	size_t n = 0;
	int has_reason = reason != NULL && strspn(reason, " \t") < strlen(reason);

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	if (hearth_risk_parse(risk, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	if (has_reason) {
		if ((st = hearth_text_check("reason", reason)) != HEARTH_OK)
			return st;
		if (hearth_cw_multiline(reason))
			return hearth_fail(HEARTH_EINVAL, "the reason for a risk change is one line");
		if (strlen(reason) > HEARTH_RISK_REASON_MAX)
			return hearth_fail(HEARTH_EINVAL,
					   "the reason for a risk change is longer than %u bytes",
					   HEARTH_RISK_REASON_MAX);
	}
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_load(s, person, "person", &r);
	if (st != HEARTH_OK)
		goto out;
	/* The safety rule raised the risk to high with a call to make: only
	 * a stated reason lowers it before that call is done. */
	if (strcmp(hearth_cw_field(r, "risk"), "high") == 0 && strcmp(risk, "high") != 0) {
		st = open_safety(s, person, &n, fhex, due);
		if (st != HEARTH_OK)
			goto out;
		if (n > 0 && !has_reason) {
			hearth_id_to_hex(person, hex);
			st = hearth_fail(HEARTH_ESTATE,
				"person %.8s has an open safety follow-up %.8s due %s: "
				"lowering the risk from high needs a reason",
				hex, fhex, due);
			goto out;
		}
	}
	/* The reason is checked above: at most HEARTH_RISK_REASON_MAX bytes. */
	if (n > 0)
		snprintf(detail, sizeof detail, "%s; from high with safety follow-up %.8s open; "
			 "reason: %s", risk, fhex, reason);
	else if (has_reason)
		snprintf(detail, sizeof detail, "%s; reason: %s", risk, reason);
	else
		snprintf(detail, sizeof detail, "%s", risk);
	st = hearth_record_set(s, person, "risk", risk);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.risk", person, detail);
out:
	hearth_record_free(r);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_person_set_case(hearth_store *s, const hearth_id *person,
				     const char *state)
{
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	if (hearth_case_state_parse(state, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_person_check(s, person);
	if (st != HEARTH_OK)
		goto out;
	/* Whatever the risk level says: lowering it first must not be a way
	 * around the call the safety rule asked for. */
	if (strcmp(state, "closed") == 0 &&
	    (st = refuse_open_safety(s, person, SAFETY_BLOCKS_CLOSE)) != HEARTH_OK)
		goto out;
	st = hearth_record_set(s, person, "case", state);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.case", person, state);
out:
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

/* ---- deleting and showing ---------------------------------------------- */

hearth_status hearth_person_delete(hearth_store *s, const hearth_id *person)
{
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_person_check(s, person);
	if (st != HEARTH_OK)
		goto out;
	/* Lists leave out the follow-ups of a deleted person: deleting one
	 * whose safety call is still to be made would drop that call from
	 * every list without anyone having made it. */
	st = refuse_open_safety(s, person, SAFETY_BLOCKS_DELETE);
	if (st != HEARTH_OK)
		goto out;
	st = hearth_record_delete(s, person);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.delete", person, NULL);
out:
	return hearth_cw_end(s, &tx, st);
}

static hearth_status push_row(void *ctx, const hearth_cw_row *row)
{
	return hearth_cw_idset_push(ctx, row->id);
}

/* A person id not yet among people[0..n), pushed by a scan. */
static hearth_status push_new_person(void *ctx, const hearth_cw_row *row)
{
	hearth_cw_idset *people = ctx;
	size_t i;

	for (i = 0; i < people->n; i++)
		if (memcmp(people->v[i].b, row->id, HEARTH_ID_BYTES) == 0)
			return HEARTH_OK;
	return hearth_cw_idset_push(people, row->id);
}

/* The person and every original they were moved from: a move
 * (hearth_case_move, hearth/caseload.h) leaves the originals tombstoned
 * with their values, naming their copy in "moved_to", and an erasure
 * must reach those values too. */
static hearth_status moved_from(hearth_store *s, hearth_cw_idset *people)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_status st = HEARTH_OK;
	size_t i;

	for (i = 0; st == HEARTH_OK && i < people->n; i++) {
		hearth_id_to_hex(&people->v[i], hex);
		st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = '"
				    HEARTH_FIELD_MOVED_TO "' AND value = ?1", hex,
				    push_new_person, people);
	}
	return st;
}

hearth_status hearth_person_purge(hearth_store *s, const hearth_id *person,
				  size_t *n_records)
{
	char hex[HEARTH_ID_HEX + 1], detail[32];
	hearth_cw_idset ids = { 0 }, people = { 0 };
	hearth_record *r = NULL;
	hearth_cw_tx tx;
	hearth_status st;
	size_t i;

	if (n_records != NULL)
		*n_records = 0;
	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	/* A deleted person can be erased too: load, not the live check. */
	st = hearth_record_load(s, person, &r);
	if (st == HEARTH_OK && strcmp(r->kind, "person") != 0) {
		hearth_id_to_hex(person, hex);
		st = hearth_fail(HEARTH_ENOTFOUND, "no %-s matches '%s'", "person", hex);
	}
	hearth_record_free(r);
	/* The same rule as deleting: a safety call still to make is never
	 * dropped silently. */
	if (st == HEARTH_OK)
		st = refuse_open_safety(s, person, SAFETY_BLOCKS_DELETE);
	if (st == HEARTH_OK)
		st = hearth_cw_idset_push(&people, person->b);
	if (st == HEARTH_OK)
		st = moved_from(s, &people);
	/* Every record about the person names them in field "person":
	 * screenings, notes and their amendments, follow-ups, appointments,
	 * one-to-one activities.  Ids first, then the purges (which rewrite
	 * the tables the scans read). */
	for (i = 0; st == HEARTH_OK && i < people.n; i++) {
		hearth_id_to_hex(&people.v[i], hex);
		st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = 'person' "
				    "AND value = ?1", hex, push_row, &ids);
	}
	for (i = 0; st == HEARTH_OK && i < ids.n; i++)
		st = hearth_record_purge(s, &ids.v[i]);
	for (i = 0; st == HEARTH_OK && i < people.n; i++)
		st = hearth_record_purge(s, &people.v[i]);
	/* The audit entry keeps only the id and a count: nothing erased. */
	snprintf(detail, sizeof detail, "records=%zu", ids.n + people.n);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.purge", person, detail);
	if (st == HEARTH_OK && n_records != NULL)
		*n_records = ids.n + people.n;
	hearth_cw_idset_release(&ids);
	hearth_cw_idset_release(&people);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_person_show(hearth_store *s, const hearth_id *person,
				 hearth_record **out)
{
	hearth_record *r = NULL;
	hearth_status st;

	if (out != NULL)
		*out = NULL;
	if (s == NULL || person == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, person or output given");
	st = hearth_cw_load(s, person, "person", &r);
	/* Looking at a person is audited: no record is handed out unless
	 * the entry is written (hearth_audit_append runs in its own
	 * transaction when the caller has none open). */
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "person.show", person, NULL);
	if (st != HEARTH_OK) {
		hearth_record_free(r);
		return st;
	}
	*out = r;
	return HEARTH_OK;
}

/* ---- values written at the same time ---------------------------------- */

struct conflict_walk {
	const char *field;
	int seen;           /* values of this field so far */
	hearth_person_conflict_cb cb;
	void *ctx;
	int stop;
};

static int conflict_value(const char *value, const hearth_op_id *id,
			  const hearth_hlc *hlc, void *ctx)
{
	struct conflict_walk *w = ctx;

	(void)id;
	(void)hlc;
	/* The first value is the one shown; the rest were written without
	 * seeing it. */
	if (w->seen++ > 0)
		w->stop = w->cb(w->field, value, w->ctx);
	return w->stop;
}

hearth_status hearth_person_conflicts(hearth_store *s, const hearth_id *person,
				      hearth_person_conflict_cb cb, void *ctx)
{
	struct conflict_walk w;
	hearth_status st = HEARTH_OK;
	size_t i;

	if (s == NULL || person == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, person or callback given");
	w.cb = cb;
	w.ctx = ctx;
	w.stop = 0;
	for (i = 0; i < N_TEXT_FIELDS && st == HEARTH_OK && !w.stop; i++) {
		w.field = text_fields[i];
		w.seen = 0;
		st = hearth_store_values(s, person, text_fields[i], conflict_value, &w);
	}
	return st;
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
	int oom;
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
		const char *parts[4], *mode = hearth_cw_get(r, "mode");
		hearth_appt_mode m;

		when = hearth_cw_get(r, "at");
		status = hearth_cw_get(r, "status");
		/* The duration and the mode in the reader's language; a mode
		 * this version does not know is shown as stored. */
		snprintf(buf, sizeof buf, dgettext(HEARTH_TEXTDOMAIN, "%d min"),
			 hearth_cw_int(hearth_cw_get(r, "minutes"), HEARTH_APPT_DEFAULT_MINUTES));
		parts[0] = buf;
		if (mode != NULL) {
			if (hearth_appt_mode_parse(mode, &m) == HEARTH_OK)
				mode = hearth_appt_mode_label(m);
			else
				hearth_errdetail_clear();
		}
		parts[1] = mode;
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
		hearth_followup_reason why;

		when = hearth_cw_get(r, "due");
		status = hearth_cw_get(r, "status");
		why.code = hearth_cw_get(r, "reason_code");
		why.text = hearth_cw_get(r, "reason");
		why.instrument = hearth_cw_get(r, "reason_instrument");
		why.band = hearth_cw_get(r, "reason_band");
		why.at = hearth_cw_get(r, "reason_at");
		summary = hearth_followup_reason_text(&why);
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

/* A journal entry the person shared with this counsellor
 * (hearth/share.h): "shared", dated by the entry; its band when it holds
 * a self-screening; "phq9, 12, safety" or "mood 2 of 5, the first line". */
static int tl_shared(const hearth_record *r, void *vctx)
{
	tl_ctx *c = vctx;
	const char *parts[3], *date = hearth_record_field(r, "date");
	const char *mood = hearth_record_field(r, "mood");
	const char *text = hearth_record_field(r, "text");
	char buf[64], *line = NULL, *flags = NULL;
	tl_entry *e;

	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		tl_entry *v = realloc(c->v, cap * sizeof *v);

		if (v == NULL)
			goto oom;
		c->v = v;
		c->cap = cap;
	}
	e = &c->v[c->n];
	memset(e, 0, sizeof *e);
	e->item.id = r->id;
	e->item.kind = "shared";
	e->created = r->created;
	if (hearth_record_field(r, "instrument") != NULL) {
		parts[0] = hearth_record_field(r, "instrument");
		parts[1] = hearth_record_field(r, "display");
		flags = flags_text(hearth_record_field(r, "flags"));
		parts[2] = flags;
	} else {
		buf[0] = '\0';
		if (mood != NULL)
			snprintf(buf, sizeof buf, dgettext(HEARTH_TEXTDOMAIN, "mood %s of 5"), mood);
		parts[0] = buf;
		parts[1] = NULL;
		parts[2] = NULL;
	}
	if (text != NULL && (line = first_line(text, 80)) == NULL)
		goto oom;
	if (parts[1] == NULL)
		parts[1] = line;
	else if (parts[2] == NULL)
		parts[2] = line;
	e->item.summary = join(parts, 3);
	e->item.status = hearth_cw_strdup(hearth_record_field(r, "band"));
	free(flags);
	free(line);
	if (e->item.status == NULL || e->item.summary == NULL) {
		free(e->item.status);
		free(e->item.summary);
		goto oom_freed;
	}
	if (date != NULL && date[0] != '\0')
		set_when(e->item.when, date);
	else
		date_of_hlc(&r->created, e->item.when);
	c->n++;
	return 0;
oom:
	free(flags);
	free(line);
oom_freed:
	c->oom = 1;
	return 1;
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
	hearth_cw_aliases al = { 0 };
	hearth_cw_filter f;
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
	/* With the records written for a moved original of the person on
	 * a device that had not heard of the move (casework_private.h). */
	if ((st = hearth_cw_person_aliases(s, person, &al)) != HEARTH_OK)
		goto out;
	memset(&f, 0, sizeof f);
	f.field = "person";
	f.values = al.v;
	f.nvalues = al.n;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		c.kind = kinds[i];
		st = hearth_cw_select(s, kinds[i], &f, 1, tl_collect, &c);
		if (st != HEARTH_OK)
			goto out;
	}
	/* What the person shared from their own journal, when this
	 * counsellor tied a share to them. */
	st = hearth_share_person_each(s, person, tl_shared, &c);
	if (st == HEARTH_OK && c.oom)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory building a timeline");
	if (st != HEARTH_OK)
		goto out;
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
	hearth_cw_aliases_release(&al);
	hearth_timeline_free(t);
	return st;
}
