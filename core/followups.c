/*
 * followups.c - follow-ups: made by hand and by rules (safety, no-shows),
 * worked through by priority and lateness, retried when the person cannot
 * be reached, escalated to the team lead on the third failure.
 */
#include <libintl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "casework_private.h"
#include "db_private.h"
#include "hearth/audit.h"
#include "hearth/followup.h"
#include "hearth/person.h"
#include "hearth/instruments.h"
#include "hearth/timeutil.h"

/* Marks a msgid for xgettext (po/meson.build's keywords); translated when
 * shown. */
#define N_(s) (s)
/* A msgid with a context, as the faces' C_() reads it: gettext keeps the
 * pair as "context\004msgid". */
#define C_(ctx, s) ctx_gettext(ctx "\004" s, s)

static const char *ctx_gettext(const char *key, const char *msgid)
{
	const char *t = dgettext("hearth", key);

	return t == key ? msgid : t;
}

static int nonempty(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return 1;
	return 0;
}

/* ---- reasons ----------------------------------------------------------- */

/* What a code takes and how it reads.  label is a printf format whose %s
 * are the parameters in this order: instrument, band (as its label), at. */
enum { P_INSTRUMENT = 1, P_BAND = 2, P_AT = 4 };

static const struct reason_def {
	const char *name;
	unsigned params;
	int safety;        /* a code the safety rule may use */
	const char *label; /* NULL: the typed text */
} reasons[] = {
	{ "manual", 0, 0, NULL },
	/* Translators: %s is an instrument id such as "phq9". */
	{ "screening_safety", P_INSTRUMENT, 1, N_("safety check after a %s screening") },
	/* Translators: the first %s is an instrument id such as "phq9", the
	 * second the result band, e.g. "Moderate symptoms (10-14)". */
	{ "screening_band", P_INSTRUMENT | P_BAND, 0, N_("follow-up after a %s screening: %s") },
	/* Translators: %s is the date and time of the missed appointment. */
	{ "noshow", P_AT, 0, N_("no-show %s") },
	{ "hotline_safety", 0, 1, N_("high-risk hotline call") },
	{ "crisis", 0, 1, N_("high-risk contact") },
	{ "safety", 0, 1, N_("safety follow-up") },
};
#define N_REASONS (sizeof reasons / sizeof reasons[0])

static const struct reason_def *reason_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_REASONS; i++)
		if (strcmp(name, reasons[i].name) == 0)
			return &reasons[i];
	return NULL;
}

int hearth_followup_reason_valid(const char *s)
{
	return reason_find(s) != NULL;
}

static int given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Checks a code and its parameters for writing. */
static hearth_status reason_check(const hearth_followup_reason *r, int safety_only)
{
	static const char *const param[3] = { "instrument", "band", "date" };
	const struct reason_def *d = reason_find(r->code);
	const char *v[3] = { r->instrument, r->band, r->at };
	size_t i;

	if (d == NULL)
		return hearth_fail(HEARTH_EINVAL, "'%.40s' is not a follow-up reason code",
				   r->code ? r->code : "");
	if (safety_only && !d->safety)
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a reason for a safety follow-up", d->name);
	for (i = 0; i < 3; i++) {
		int wanted = (d->params & (1u << i)) != 0;

		if (wanted && !given(v[i]))
			return hearth_fail(HEARTH_EINVAL, "a '%s' follow-up needs its %-s",
					   d->name, param[i]);
		if (!wanted && given(v[i]))
			return hearth_fail(HEARTH_EINVAL, "a '%s' follow-up takes no %-s",
					   d->name, param[i]);
		if (given(v[i]) && (hearth_cw_multiline(v[i]) || strlen(v[i]) > 200))
			return hearth_fail(HEARTH_EINVAL,
					   "a follow-up's %-s is one line of at most 200 bytes",
					   param[i]);
	}
	return HEARTH_OK;
}

/* The language of the catalogue gettext chose for "hearth": its
 * translation of this context names it (the app reads the same entry). */
static const char *catalogue_lang(void)
{
	/* Translators: the language code of this translation, "zh_CN" for
	 * Simplified Chinese.  The app shows instrument questions and help
	 * lines in this language. */
	const char *code = C_("language code", "en");

	return strcmp(code, "zh_CN") == 0 ? "zh_CN" : "en";
}

/* labels: the bands' labels for one list (each instrument's file read
 * once); NULL (out of memory making it) shows the band ids. */
static char *reason_render(const hearth_followup_reason *r,
			   hearth_band_labels *labels)
{
	const struct reason_def *d = reason_find(r->code);
	const char *text = given(r->text) ? r->text : "";
	const char *label = NULL, *arg[2] = { "", "" };
	size_t k = 0;
	char *out;
	int n;

	if (d == NULL && given(r->code) && !given(r->text))
		return hearth_cw_strdup(r->code); /* a code from a newer version */
	if (d == NULL && !given(r->code)) {
		/* Records made before codes: the English sentences of the
		 * old rules, which the command line used to translate, are
		 * translated still; any other sentence shows as it is. */
		if (strncmp(text, "no-show ", 8) == 0) {
			d = reason_find("noshow");
			arg[k++] = text + 8;
		} else if (strcmp(text, "safety follow-up") == 0) {
			d = reason_find("safety");
		} else if (strcmp(text, "high-risk hotline call") == 0) {
			d = reason_find("hotline_safety");
		} else if (strcmp(text, "high-risk contact") == 0) {
			d = reason_find("crisis");
		}
	} else if (d != NULL) {
		if (d->params & P_INSTRUMENT)
			arg[k++] = given(r->instrument) ? r->instrument : "?";
		if (d->params & P_BAND)
			arg[k++] = given(r->band) ? hearth_band_labels_get(labels,
				given(r->instrument) ? r->instrument : "?", r->band) : "?";
		if (d->params & P_AT)
			arg[k++] = given(r->at) ? r->at : "?";
	}
	if (d == NULL || d->label == NULL)
		return hearth_cw_strdup(text);
	label = dgettext("hearth", d->label);
	/* The label is a format of our own catalogue, with as many %s as the
	 * code has parameters (msgfmt --check holds translations to that). */
	n = snprintf(NULL, 0, label, arg[0], arg[1]);
	if (n < 0)
		return hearth_cw_strdup(text);
	if ((out = malloc((size_t)n + 1)) == NULL)
		return NULL;
	snprintf(out, (size_t)n + 1, label, arg[0], arg[1]);
	return out;
}

/* Labels in the language of the catalogue in use (NULL when out of
 * memory: band ids are shown then). */
static hearth_band_labels *labels_new(void)
{
	hearth_band_labels *l = NULL;

	if (hearth_band_labels_new(catalogue_lang(), &l) != HEARTH_OK) {
		hearth_errdetail_clear();
		l = NULL;
	}
	return l;
}

char *hearth_followup_reason_text(const hearth_followup_reason *r)
{
	hearth_band_labels *l;
	char *out;

	if (r == NULL)
		return hearth_cw_strdup("");
	l = labels_new();
	out = reason_render(r, l);
	hearth_band_labels_free(l);
	return out;
}

hearth_status hearth_cw_followup_add_locked(hearth_store *s,
					    const hearth_followup_new *f,
					    const char *today, hearth_id *out)
{
	const char *priority = f->priority && f->priority[0] ? f->priority : "normal";
	const char *source = f->source && f->source[0] ? f->source : "manual";
	hearth_followup_reason why;
	int manual;
	hearth_id id;
	int32_t d;
	hearth_status st;

	if (f->safety)
		priority = "high";
	memset(&why, 0, sizeof why);
	why.code = given(f->reason_code) ? f->reason_code : "manual";
	why.instrument = f->reason_instrument;
	why.band = f->reason_band;
	why.at = f->reason_at;
	manual = strcmp(why.code, "manual") == 0;
	st = hearth_date_parse(f->due, &d);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_today(today, NULL);
	if (st != HEARTH_OK)
		return st;
	st = reason_check(&why, 0);
	if (st != HEARTH_OK)
		return st;
	if (manual && !nonempty(f->reason))
		return hearth_fail(HEARTH_EINVAL, "a follow-up needs a reason");
	if (!manual && given(f->reason))
		return hearth_fail(HEARTH_EINVAL,
				   "a '%s' follow-up takes no reason text: its code says why",
				   why.code);
	if (hearth_cw_multiline(f->reason))
		return hearth_fail(HEARTH_EINVAL, "a follow-up's reason is one line");
	if (hearth_priority_parse(priority, NULL) != HEARTH_OK ||
	    hearth_followup_source_parse(source, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	st = hearth_person_check(s, &f->person);
	if (st != HEARTH_OK)
		return st;

	st = hearth_cw_create_for(s, &f->person, "followup", &id);
	if (st == HEARTH_OK)
		st = hearth_cw_set_id(s, &id, "person", &f->person);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "due", f->due);
	if (st == HEARTH_OK && manual)
		st = hearth_record_set(s, &id, "reason", f->reason);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "reason_code", why.code);
	if (st == HEARTH_OK && given(why.instrument))
		st = hearth_record_set(s, &id, "reason_instrument", why.instrument);
	if (st == HEARTH_OK && given(why.band))
		st = hearth_record_set(s, &id, "reason_band", why.band);
	if (st == HEARTH_OK && given(why.at))
		st = hearth_record_set(s, &id, "reason_at", why.at);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "priority", priority);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "status", "open");
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "attempts", "0");
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "source", source);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "opened", today);
	if (st == HEARTH_OK && f->safety)
		st = hearth_record_set(s, &id, "safety", "1");
	if (st == HEARTH_OK && f->origin != NULL)
		st = hearth_cw_set_id(s, &id, "origin", f->origin);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "followup.add", &id, f->safety ? "safety" : source);
	if (st == HEARTH_OK && out != NULL)
		*out = id;
	return st;
}

hearth_status hearth_followup_add(hearth_store *s, const hearth_followup_new *f,
				  const char *today, hearth_id *out)
{
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || f == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or follow-up given");
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_followup_add_locked(s, f, today, out);
	return hearth_cw_end(s, &tx, st);
}

/* The person's pending safety follow-up due today or earlier (the first
 * of the list order: the most overdue), if any: *found and *id. */
static hearth_status pending_safety_due(hearth_store *s, const hearth_id *person,
					const char *today, int *found, hearth_id *id)
{
	char due[HEARTH_DATE_LEN + 1];
	hearth_status st;
	size_t n = 0;

	*found = 0;
	st = hearth_cw_today(today, NULL);
	if (st == HEARTH_OK)
		st = hearth_cw_pending_safety(s, person, &n, id, due);
	/* The first is the earliest due; dates compare as text. */
	if (st == HEARTH_OK && n > 0 && strcmp(due, today) <= 0)
		*found = 1;
	return st;
}

hearth_status hearth_cw_safety_locked(hearth_store *s, const hearth_id *person,
				      const char *today, const char *source,
				      const hearth_id *origin,
				      const hearth_followup_reason *reason,
				      hearth_id *out)
{
	hearth_followup_new f;
	hearth_followup_reason why;
	hearth_record *p = NULL;
	hearth_id existing;
	hearth_status st;
	int found = 0;

	memset(&why, 0, sizeof why);
	if (reason != NULL)
		why = *reason;
	if (!given(why.code))
		why.code = "safety";
	memset(&f, 0, sizeof f);
	f.person = *person;
	f.due = today;
	f.reason_code = why.code;
	f.reason_instrument = why.instrument;
	f.reason_band = why.band;
	f.reason_at = why.at;
	f.priority = "high";
	f.source = source && source[0] ? source : "crisis";
	f.origin = origin;
	f.safety = 1;
	if (strcmp(f.source, "manual") == 0 || strcmp(f.source, "noshow") == 0)
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a source of safety follow-ups", f.source);
	st = reason_check(&why, 1);
	if (st != HEARTH_OK)
		return st;
	st = pending_safety_due(s, person, today, &found, &existing);
	if (st == HEARTH_OK && found) {
		/* A second trigger adds nothing to do: the counsellor already
		 * has this person's safety call on the list. */
		if (out != NULL)
			*out = existing;
	} else if (st == HEARTH_OK) {
		st = hearth_cw_followup_add_locked(s, &f, today, out);
	}
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_load(s, person, "person", &p);
	if (st != HEARTH_OK)
		return st;
	if (strcmp(hearth_cw_field(p, "risk"), "high") != 0) {
		st = hearth_record_set(s, person, "risk", "high");
		if (st == HEARTH_OK)
			st = hearth_audit_append(s, "person.risk", person, "high");
	}
	if (st == HEARTH_OK && strcmp(hearth_cw_field(p, "case"), "followup") != 0) {
		st = hearth_record_set(s, person, "case", "followup");
		if (st == HEARTH_OK)
			st = hearth_audit_append(s, "person.case", person, "followup");
	}
	hearth_record_free(p);
	return st;
}

hearth_status hearth_followup_create_safety(hearth_store *s,
					    const hearth_id *person,
					    const char *today,
					    const char *source,
					    const hearth_id *origin,
					    const hearth_followup_reason *reason,
					    hearth_id *out)
{
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_safety_locked(s, person, today, source, origin, reason, out);
	return hearth_cw_end(s, &tx, st);
}

/* Loads a follow-up that is still pending. */
static hearth_status load_pending(hearth_store *s, const hearth_id *id,
				  hearth_record **out)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_status st = hearth_cw_load(s, id, "followup", out);

	if (st != HEARTH_OK)
		return st;
	if (strcmp(hearth_cw_field(*out, "status"), "done") == 0) {
		hearth_record_free(*out);
		*out = NULL;
		hearth_id_to_hex(id, hex);
		return hearth_fail(HEARTH_ESTATE, "follow-up %.8s is done already", hex);
	}
	return HEARTH_OK;
}

hearth_status hearth_followup_done(hearth_store *s, const hearth_id *id,
				   const char *outcome, const char *today)
{
	hearth_record *r = NULL;
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or follow-up given");
	if (!nonempty(outcome))
		return hearth_fail(HEARTH_EINVAL, "a finished follow-up needs an outcome");
	st = hearth_cw_today(today, NULL);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = load_pending(s, id, &r);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, id, "status", "done");
	if (st == HEARTH_OK)
		st = hearth_record_set(s, id, "outcome", outcome);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, id, "closed", today);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "followup.done", id, NULL);
	hearth_record_free(r);
	return hearth_cw_end(s, &tx, st);
}

hearth_status hearth_followup_unreachable(hearth_store *s, const hearth_id *id,
					  const char *today,
					  hearth_followup_retry *res)
{
	hearth_record *r = NULL;
	hearth_cw_tx tx;
	hearth_status st;
	int32_t due, now;
	int attempts, escalate = 0;
	char num[16], due_s[HEARTH_DATE_LEN + 1], detail[48];

	if (s == NULL || id == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or follow-up given");
	st = hearth_cw_today(today, &now);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	st = load_pending(s, id, &r);
	if (st != HEARTH_OK)
		goto out;
	if (hearth_date_parse(hearth_cw_field(r, "due"), &due) != HEARTH_OK)
		due = now; /* a damaged due date: retry from today */
	attempts = hearth_cw_int(hearth_record_field(r, "attempts"), 0);
	if (attempts < 0)
		attempts = 0;
	attempts++;
	/* 24 hours after the later of the planned day and the attempt. */
	hearth_date_format((due > now ? due : now) + 1, due_s);
	snprintf(num, sizeof num, "%d", attempts);
	escalate = attempts >= HEARTH_FOLLOWUP_ESCALATE_AT &&
		   strcmp(hearth_cw_field(r, "escalated"), "1") != 0;

	st = hearth_record_set(s, id, "attempts", num);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, id, "due", due_s);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, id, "status", "retry");
	if (st == HEARTH_OK && escalate)
		st = hearth_record_set(s, id, "priority", "high");
	if (st == HEARTH_OK && escalate)
		st = hearth_record_set(s, id, "escalated", "1");
	snprintf(detail, sizeof detail, "attempt %d%s", attempts, escalate ? ", escalated" : "");
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "followup.unreachable", id, detail);
	if (st == HEARTH_OK && res != NULL) {
		res->attempts = attempts;
		memcpy(res->due, due_s, sizeof res->due);
		res->escalated = escalate;
	}
out:
	hearth_record_free(r);
	return hearth_cw_end(s, &tx, st);
}

/* ---- listing ----------------------------------------------------------- */

/*
 * How a list is read.  A follow-up is a row of table record and one row of
 * table field per field (entity-attribute-value).  Joining the follow-ups
 * that match to all their fields in one SQL statement, in creation order,
 * then looking up each row's person one by one, took 230-270 ms for the
 * 9,000 overdue follow-ups of tests/bench/bench_workflows.c (10,000 people,
 * 100,000 records, encrypted pages): over the 200 ms goal.  So a list is
 * built in steps, each reading as little as it can, and joined in memory:
 *
 *   1. the ids that may qualify, from one index range: the pending
 *      statuses (field(name, value) at status 'open' and 'retry'), or one
 *      person's records (at person = that id), or, for every follow-up,
 *      record(kind, deleted, created);
 *   2. for the overdue list, the range due < today of field(name, value):
 *      an id not in it is never loaded (a pending follow-up not yet due,
 *      above all);
 *   3. the ids left are loaded, in one of two ways (see BY_KEY_SHARE):
 *      by key, each one's fields (hearth_cw_read_refs, which for one
 *      person's list also reads the record row), in id order (so the
 *      B-tree pages are visited in order, each once at most); or by
 *      scans: the live follow-ups and their creation from
 *      record(kind, deleted, created), then each field list_take reads
 *      from field(name, value), keeping the values of the ids only.
 *      list_take then applies the rules of the list to each;
 *   4. the people of the rows kept, each once: by key, in id order, when
 *      step 3 went by key; else from record(kind, ...) and the 'name'
 *      range of field(name, value).  Rows whose person is deleted (or is
 *      not a person) are dropped;
 *   5. the rows are sorted.
 *
 * Steps 1 and 2 are covering-index scans (the index holds the record id;
 * about 0.1 us a row).  Step 2 reads every follow-up ever due before today,
 * so it grows with the vault's history, as do steps 3 and 4 by scans; by
 * key they grow with the rows listed.  Steps 1 and 2 only narrow the ids
 * down: step 3 checks every condition again on the record itself, so they
 * may let through more than is listed, never less.  Everything runs in one
 * read transaction, so the steps see the same data.
 */

typedef struct list_ctx {
	hearth_followup_which which;
	int32_t today;
	hearth_cw_list list; /* of hearth_followup_item */
} list_ctx;

static void item_release(void *p)
{
	hearth_followup_item *it = p;

	free(it->person_name);
	free(it->reason);
	free(it->reason_code);
	free(it->reason_instrument);
	free(it->reason_band);
	free(it->reason_at);
	free(it->label);
	free(it->priority);
	free(it->status);
	free(it->source);
	free(it->outcome);
	free(it->closed);
}

static hearth_status list_oom(void)
{
	return hearth_fail(HEARTH_ENOMEM, "out of memory listing follow-ups");
}

/* Step 3's rules: whether a follow-up is listed, and its row (without the
 * person's name, which step 4 adds). */
static hearth_status list_take(const hearth_cw_rec *r, void *vctx)
{
	list_ctx *c = vctx;
	hearth_followup_item it;
	const char *status = hearth_cw_get(r, "status");
	const char *due = hearth_cw_get(r, "due");
	int pending = status == NULL || strcmp(status, "done") != 0;
	int32_t d;

	/* The pending lists take the two pending statuses exactly; a
	 * follow-up without a status (or with another) is only in the
	 * list of all. */
	if (c->which != HEARTH_FOLLOWUPS_ALL &&
	    (status == NULL || (strcmp(status, "open") != 0 && strcmp(status, "retry") != 0)))
		return HEARTH_OK;
	memset(&it, 0, sizeof it);
	if (due == NULL || hearth_date_parse(due, &d) != HEARTH_OK) {
		d = c->today;
		hearth_errdetail_clear();
	}
	if (pending && d < c->today)
		it.days_overdue = c->today - d;
	if (c->which == HEARTH_FOLLOWUPS_OVERDUE && it.days_overdue == 0)
		return HEARTH_OK;
	if (!hearth_cw_id(hearth_cw_get(r, "person"), &it.person))
		return HEARTH_OK;

	it.id = r->id;
	hearth_date_format(d, it.due);
	it.reason = hearth_cw_strdup(hearth_cw_get(r, "reason"));
	it.reason_code = hearth_cw_strdup(hearth_cw_get(r, "reason_code"));
	it.reason_instrument = hearth_cw_strdup(hearth_cw_get(r, "reason_instrument"));
	it.reason_band = hearth_cw_strdup(hearth_cw_get(r, "reason_band"));
	it.reason_at = hearth_cw_strdup(hearth_cw_get(r, "reason_at"));
	it.priority = hearth_cw_strdup(hearth_cw_get(r, "priority"));
	it.status = hearth_cw_strdup(status);
	it.source = hearth_cw_strdup(hearth_cw_get(r, "source"));
	it.outcome = hearth_cw_strdup(hearth_cw_get(r, "outcome"));
	it.closed = hearth_cw_strdup(hearth_cw_get(r, "closed"));
	it.attempts = hearth_cw_int(hearth_cw_get(r, "attempts"), 0);
	it.safety = hearth_cw_int(hearth_cw_get(r, "safety"), 0) == 1;
	it.escalated = hearth_cw_int(hearth_cw_get(r, "escalated"), 0) == 1;
	if (!it.reason || !it.reason_code || !it.reason_instrument || !it.reason_band ||
	    !it.reason_at || !it.priority || !it.status || !it.source || !it.outcome ||
	    !it.closed || hearth_cw_list_push(&c->list, &it, &r->created) != 0) {
		item_release(&it);
		return list_oom();
	}
	return HEARTH_OK;
}

/* Step 1: each id found goes into the set. */
static hearth_status on_id(void *ctx, const hearth_cw_row *row)
{
	return hearth_cw_idset_push(ctx, row->id);
}

/* The fields list_take looks at: the only ones load_by_scan reads. */
static const char *const list_fields[] = {
	"person", "due", "reason", "priority", "status", "source", "outcome",
	"closed", "attempts", "safety", "escalated", "reason_code",
	"reason_instrument", "reason_band", "reason_at",
};
#define N_LIST_FIELDS (sizeof list_fields / sizeof list_fields[0])

/* What step 3 learns of each id of the set (same index): from
 * scan_followups, whether it is live and its creation; from
 * load_by_scan, its fields. */
typedef struct cand {
	hearth_hlc created;
	int live;                    /* a live follow-up */
	uint32_t off[N_LIST_FIELDS]; /* value offset + 1 in the arena; 0 absent */
} cand;

typedef struct cands {
	hearth_cw_idset ids; /* marked: due before today (step 2) */
	cand *v;
	char *arena;    /* NUL-terminated values */
	size_t len, acap;
	size_t field;   /* the field a scan is filling */
	int scanned;    /* scan_followups set live for every id */
} cands;

static hearth_status cand_put(cands *c, size_t i, size_t f, const char *v)
{
	size_t n = strlen(v);

	if (c->len + n + 1 > c->acap) {
		size_t ncap = c->acap ? c->acap : 4096;
		char *na;

		while (ncap < c->len + n + 1)
			ncap *= 2;
		if (ncap > UINT32_MAX || (na = realloc(c->arena, ncap)) == NULL)
			return list_oom();
		c->arena = na;
		c->acap = ncap;
	}
	memcpy(c->arena + c->len, v, n + 1);
	c->v[i].off[f] = (uint32_t)c->len + 1;
	c->len += n + 1;
	return HEARTH_OK;
}

static hearth_status on_due(void *ctx, const hearth_cw_row *row)
{
	cands *c = ctx;
	long i = hearth_cw_idset_find(&c->ids, row->id);

	if (i >= 0)
		c->ids.mark[i] = 1;
	return HEARTH_OK;
}

static hearth_status on_field(void *ctx, const hearth_cw_row *row)
{
	cands *c = ctx;
	long i;

	if (row->value == NULL) /* a cleared field is absent */
		return HEARTH_OK;
	i = hearth_cw_idset_find(&c->ids, row->id);
	if (i < 0 || !c->v[i].live)
		return HEARTH_OK;
	return cand_put(c, (size_t)i, c->field, row->value);
}

/* Step 3, first part when not for one person: the live follow-ups among
 * the ids and their creation, from the index record(kind, deleted,
 * created); total counts the live follow-ups in the vault. */
typedef struct live_scan {
	cands *c;
	size_t total;
} live_scan;

static hearth_status on_live(void *ctx, const hearth_cw_row *row)
{
	live_scan *ls = ctx;
	long i;

	ls->total++;
	if ((i = hearth_cw_idset_find(&ls->c->ids, row->id)) < 0)
		return HEARTH_OK;
	ls->c->v[i].live = 1;
	if (row->created != NULL)
		memcpy(ls->c->v[i].created.b, row->created, HEARTH_HLC_BYTES);
	return HEARTH_OK;
}

static hearth_status scan_followups(hearth_store *s, cands *c, size_t *total)
{
	live_scan ls;
	hearth_status st;

	ls.c = c;
	ls.total = 0;
	st = hearth_cw_scan(s, "SELECT id, created FROM record"
			    " WHERE kind = 'followup' AND deleted = 0", NULL, on_live, &ls);
	*total = ls.total;
	if (st == HEARTH_OK)
		c->scanned = 1;
	return st;
}

/* Step 3 by scans, after scan_followups: each field of the live ones from
 * field(name, value).  Costs a read of every follow-up's fields (and of
 * every record's person), whatever the list holds. */
static hearth_status load_by_scan(hearth_store *s, cands *c)
{
	hearth_status st = HEARTH_OK;

	for (c->field = 0; c->field < N_LIST_FIELDS && st == HEARTH_OK; c->field++)
		st = hearth_cw_scan(s, "SELECT record, value FROM field WHERE name = ?1",
				    list_fields[c->field], on_field, c);
	return st;
}

/* Step 3 by key: each id's fields, in id order (so the B-tree pages are
 * visited in order, each once at most), straight to list_take.  The ids
 * scan_followups found live come with their creation, so only their
 * fields are read; without that scan (one person's list) each record's
 * row is read too, to keep only the live follow-ups.  Costs about one
 * page read per follow-up listed. */
static hearth_status load_by_key(hearth_store *s, const cands *c, list_ctx *lc)
{
	hearth_cw_ref *refs = calloc(c->ids.n > 0 ? c->ids.n : 1, sizeof *refs);
	hearth_status st;
	size_t i, n = 0;

	if (refs == NULL)
		return list_oom();
	for (i = 0; i < c->ids.n; i++) {
		if (c->scanned && !c->v[i].live)
			continue;
		refs[n].id = c->ids.v[i];
		refs[n++].created = c->v[i].created;
	}
	st = hearth_cw_read_refs(s, c->scanned ? NULL : "followup", refs, n, list_take, lc);
	free(refs);
	return st;
}

/* Hands each live follow-up to list_take. */
static hearth_status take_all(const cands *c, list_ctx *lc)
{
	const char *name[N_LIST_FIELDS], *value[N_LIST_FIELDS];
	hearth_cw_rec rec;
	hearth_status st;
	size_t i, k;

	for (i = 0; i < c->ids.n; i++) {
		if (!c->v[i].live)
			continue;
		memset(&rec, 0, sizeof rec);
		rec.id = c->ids.v[i];
		rec.created = c->v[i].created;
		rec.name = name;
		rec.value = value;
		for (k = 0; k < N_LIST_FIELDS; k++) {
			if (c->v[i].off[k] == 0)
				continue;
			name[rec.n] = list_fields[k];
			value[rec.n++] = c->arena + c->v[i].off[k] - 1;
		}
		if ((st = list_take(&rec, lc)) != HEARTH_OK)
			return st;
	}
	return HEARTH_OK;
}

/* Each row's reason as shown (after step 4: none for rows dropped). */
static hearth_status list_labels(list_ctx *c)
{
	hearth_followup_item *v = c->list.items;
	hearth_status st = HEARTH_OK;
	hearth_band_labels *labels = labels_new();
	size_t i;

	for (i = 0; i < c->list.n; i++) {
		hearth_followup_reason r;

		r.code = v[i].reason_code;
		r.text = v[i].reason;
		r.instrument = v[i].reason_instrument;
		r.band = v[i].reason_band;
		r.at = v[i].reason_at;
		if ((v[i].label = reason_render(&r, labels)) == NULL) {
			st = list_oom();
			break;
		}
	}
	hearth_band_labels_free(labels);
	return st;
}

static int priority_rank(const char *p)
{
	if (strcmp(p, "high") == 0)
		return 0;
	if (strcmp(p, "low") == 0)
		return 2;
	return 1;
}

/* Safety follow-ups first: a worker at risk is called before anyone
 * else, however late an ordinary high-priority call is.  Then priority,
 * days overdue (most first), due date, creation. */
static int followup_cmp(const void *pa, const hearth_hlc *ca, const void *pb,
			const hearth_hlc *cb)
{
	const hearth_followup_item *a = pa, *b = pb;
	int c;

	if (a->safety != b->safety)
		return a->safety ? -1 : 1;
	c = priority_rank(a->priority) - priority_rank(b->priority);
	if (c != 0)
		return c;
	if (a->days_overdue != b->days_overdue)
		return a->days_overdue > b->days_overdue ? -1 : 1;
	c = strcmp(a->due, b->due);
	if (c != 0)
		return c;
	c = hearth_hlc_cmp(ca, cb);
	if (c != 0)
		return c;
	/* Creation HLCs are unique; were two ever equal, the id would
	 * still give one order, whatever qsort does with ties. */
	return memcmp(a->id.b, b->id.b, HEARTH_ID_BYTES);
}

void hearth_followups_free(hearth_followups *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		item_release(&l->items[i]);
	free(l->items);
	free(l);
}

/* Steps 3 and 4 go by key when the ids are fewer than one follow-up in
 * BY_KEY_SHARE of the vault, and by scans otherwise.  Measured on the
 * benchmark's overdue list (9,000 of 25,000 follow-ups; encrypted pages,
 * 32 MiB cache): by key about 14 us a row (a page read each for the
 * follow-up and for the person, seldom cached), 125 ms in all; by scans
 * 55 ms, about 2 us for each follow-up of the vault (the scans read every
 * follow-up's fields, and every record's person).  Break-even is near one
 * in 6.5; one in 8 leans to the scans, whose cost is steadier. */
#define BY_KEY_SHARE 8

hearth_status hearth_followup_list(hearth_store *s, hearth_followup_which which,
				   const hearth_id *person, const char *today,
				   hearth_followups **out)
{
	hearth_cw_aliases al = { 0 };
	sqlite3 *db;
	cands c;
	list_ctx lc;
	hearth_followups *l = NULL;
	hearth_status st;
	int own = 0, by_scan = 0;
	size_t i, k;

	if (out == NULL || s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*out = NULL;
	memset(&lc, 0, sizeof lc);
	hearth_cw_list_init(&lc.list, sizeof(hearth_followup_item), item_release);
	memset(&c, 0, sizeof c);
	lc.which = which;
	st = hearth_cw_today(today, &lc.today);
	if (st != HEARTH_OK)
		return st;
	if (person != NULL) {
		st = hearth_person_check(s, person);
		if (st != HEARTH_OK)
			return st;
	}
	db = hearth_store_db(s);
	/* One read transaction: every step sees the same data. */
	if (sqlite3_get_autocommit(db)) {
		int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);

		if (rc != SQLITE_OK)
			return hearth_db_error(db, rc, "cannot list follow-ups");
		own = 1;
	}

	/* Step 1; one person's follow-ups include those written for an
	 * original of theirs that was moved (casework_private.h). */
	if (person != NULL) {
		st = hearth_cw_person_aliases(s, person, &al);
		for (i = 0; st == HEARTH_OK && i < al.n; i++)
			st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = 'person'"
					    " AND value = ?1", al.v[i], on_id, &c.ids);
	} else if (which != HEARTH_FOLLOWUPS_ALL) {
		st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = 'status'"
				    " AND value IN ('open', 'retry')", NULL, on_id, &c.ids);
	} else {
		st = hearth_cw_scan(s, "SELECT id FROM record WHERE kind = 'followup'"
				    " AND deleted = 0", NULL, on_id, &c.ids);
	}
	/* Sorted, without repeats (the rows of one person name the same
	 * id). */
	if (st != HEARTH_OK || (st = hearth_cw_idset_index(&c.ids, 1)) != HEARTH_OK)
		goto out;
	/* Step 2; a person's few records are not worth a scan of every due
	 * date. */
	if (which == HEARTH_FOLLOWUPS_OVERDUE && person == NULL && c.ids.n > 0) {
		st = hearth_cw_scan(s, "SELECT record FROM field WHERE name = 'due'"
				    " AND value < ?1", today, on_due, &c);
		if (st != HEARTH_OK)
			goto out;
		for (i = 0, k = 0; i < c.ids.n; i++)
			if (c.ids.mark[i])
				c.ids.v[k++] = c.ids.v[i];
		c.ids.n = k;
		/* Still sorted and distinct. */
		if ((st = hearth_cw_idset_index(&c.ids, 0)) != HEARTH_OK)
			goto out;
	}
	/* Step 3. */
	if (c.ids.n > 0 && (c.v = calloc(c.ids.n, sizeof *c.v)) == NULL) {
		st = list_oom();
		goto out;
	}
	if (person == NULL && c.ids.n > 0) {
		size_t total = 0;

		if ((st = scan_followups(s, &c, &total)) != HEARTH_OK)
			goto out;
		by_scan = c.ids.n * BY_KEY_SHARE >= total;
	}
	if (by_scan) {
		st = load_by_scan(s, &c);
		if (st == HEARTH_OK)
			st = take_all(&c, &lc);
	} else {
		st = load_by_key(s, &c, &lc);
	}
	if (st != HEARTH_OK)
		goto out;
	/* Step 4. */
	st = hearth_cw_list_people(s, &lc.list, offsetof(hearth_followup_item, person),
				   offsetof(hearth_followup_item, person_name),
				   by_scan ? HEARTH_CW_PEOPLE_BY_SCAN : HEARTH_CW_PEOPLE_BY_KEY, 1);
	if (st != HEARTH_OK)
		goto out;
	if ((st = list_labels(&lc)) != HEARTH_OK)
		goto out;

	/* Step 5. */
	l = calloc(1, sizeof *l);
	if (l == NULL || (l->items = hearth_cw_list_take(&lc.list, followup_cmp, &l->n)) == NULL) {
		st = list_oom();
		goto out;
	}
	*out = l;
	l = NULL;
out:
	/* A read leaves nothing to keep: if COMMIT fails, ROLLBACK ends it. */
	if (own && (st != HEARTH_OK || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	hearth_cw_list_release(&lc.list);
	hearth_followups_free(l);
	hearth_cw_idset_release(&c.ids);
	hearth_cw_aliases_release(&al);
	free(c.v);
	free(c.arena);
	return st;
}

typedef struct safety_ctx {
	size_t n;
	hearth_id first;
	char due[HEARTH_DATE_LEN + 1];
} safety_ctx;

static hearth_status on_safety(const hearth_cw_rec *r, void *vctx)
{
	safety_ctx *c = vctx;
	const char *safety = hearth_cw_get(r, "safety");
	const char *due = hearth_cw_get(r, "due");

	if (safety == NULL || strcmp(safety, "1") != 0)
		return HEARTH_OK;
	if (due == NULL || strlen(due) != HEARTH_DATE_LEN)
		due = "0000-00-00"; /* a damaged due date sorts first */
	/* Records come in creation order: a later one wins only by an
	 * earlier due date (dates compare as text). */
	if (c->n++ == 0 || strcmp(due, c->due) < 0) {
		c->first = r->id;
		memcpy(c->due, due, sizeof c->due);
	}
	return HEARTH_OK;
}

hearth_status hearth_cw_pending_safety(hearth_store *s, const hearth_id *person,
				       size_t *n, hearth_id *first,
				       char due[HEARTH_DATE_LEN + 1])
{
	static const char *const pending[] = { "open", "retry" };
	hearth_cw_aliases al;
	hearth_cw_filter f[2];
	safety_ctx c;
	hearth_status st;

	*n = 0;
	st = hearth_person_check(s, person);
	if (st != HEARTH_OK)
		return st;
	/* Those written for an original of the person that was moved
	 * count: the safety rule must see every one (casework_private.h). */
	if ((st = hearth_cw_person_aliases(s, person, &al)) != HEARTH_OK)
		return st;
	memset(f, 0, sizeof f);
	memset(&c, 0, sizeof c);
	/* A person has few follow-ups: the person index narrows best. */
	f[0].field = "person";
	f[0].values = al.v;
	f[0].nvalues = al.n;
	f[1].field = "status";
	f[1].values = pending;
	f[1].nvalues = 2;
	st = hearth_cw_select(s, "followup", f, 2, on_safety, &c);
	hearth_cw_aliases_release(&al);
	if (st != HEARTH_OK)
		return st;
	*n = c.n;
	if (c.n > 0 && first != NULL)
		*first = c.first;
	if (c.n > 0 && due != NULL)
		memcpy(due, c.due, HEARTH_DATE_LEN + 1);
	return HEARTH_OK;
}

hearth_status hearth_followup_pending_safety(hearth_store *s,
					     const hearth_id *person,
					     size_t *n)
{
	if (n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output given");
	*n = 0;
	if (s == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or person given");
	return hearth_cw_pending_safety(s, person, n, NULL, NULL);
}
