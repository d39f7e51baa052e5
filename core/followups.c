/*
 * followups.c - follow-ups: made by hand and by rules (safety, no-shows),
 * worked through by priority and lateness, retried when the person cannot
 * be reached, escalated to the team lead on the third failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework_private.h"
#include "hearth/audit.h"
#include "hearth/casework.h"
#include "hearth/timeutil.h"

static int source_valid(const char *s)
{
	static const char *const v[] = { "manual", "screening", "noshow", "crisis",
					 "hotline", NULL };
	size_t i;

	for (i = 0; v[i] != NULL; i++)
		if (strcmp(s, v[i]) == 0)
			return 1;
	return 0;
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

static hearth_status check_today(const char *today)
{
	int32_t d;

	if (today == NULL)
		return hearth_fail(HEARTH_EINVAL, "today's date is required");
	return hearth_date_parse(today, &d);
}

hearth_status hearth_cw_followup_add_locked(hearth_store *s,
					    const hearth_followup_new *f,
					    const char *today, hearth_id *out)
{
	const char *priority = f->priority && f->priority[0] ? f->priority : "normal";
	const char *source = f->source && f->source[0] ? f->source : "manual";
	hearth_id id;
	int32_t d;
	hearth_status st;

	if (f->safety)
		priority = "high";
	st = hearth_date_parse(f->due, &d);
	if (st != HEARTH_OK)
		return st;
	st = check_today(today);
	if (st != HEARTH_OK)
		return st;
	if (!nonempty(f->reason))
		return hearth_fail(HEARTH_EINVAL, "a follow-up needs a reason");
	if (hearth_cw_multiline(f->reason))
		return hearth_fail(HEARTH_EINVAL, "a follow-up's reason is one line");
	if (!hearth_priority_valid(priority))
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a priority: use high, normal or low", priority);
	if (!source_valid(source))
		return hearth_fail(HEARTH_EINVAL, "'%s' is not a follow-up source", source);
	st = hearth_person_check(s, &f->person);
	if (st != HEARTH_OK)
		return st;

	st = hearth_record_create(s, NULL, "followup", &id);
	if (st == HEARTH_OK)
		st = hearth_cw_set_id(s, &id, "person", &f->person);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "due", f->due);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "reason", f->reason);
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

hearth_status hearth_cw_safety_locked(hearth_store *s, const hearth_id *person,
				      const char *today, const char *source,
				      const hearth_id *origin, const char *reason,
				      hearth_id *out)
{
	hearth_followup_new f;
	hearth_record *p = NULL;
	hearth_status st;

	memset(&f, 0, sizeof f);
	f.person = *person;
	f.due = today;
	f.reason = reason && reason[0] ? reason : "safety follow-up";
	f.priority = "high";
	f.source = source && source[0] ? source : "crisis";
	f.origin = origin;
	f.safety = 1;
	if (strcmp(f.source, "manual") == 0 || strcmp(f.source, "noshow") == 0)
		return hearth_fail(HEARTH_EINVAL,
				   "'%s' is not a source of safety follow-ups", f.source);
	st = hearth_cw_followup_add_locked(s, &f, today, out);
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
					    const char *reason,
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
	st = check_today(today);
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
	if (today == NULL)
		return hearth_fail(HEARTH_EINVAL, "today's date is required");
	st = hearth_date_parse(today, &now);
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

typedef struct list_ctx {
	hearth_store *s;
	hearth_followup_which which;
	int32_t today;
	hearth_cw_people *people;
	hearth_followup_item *v;
	size_t n, cap;
	hearth_hlc *created;
} list_ctx;

static void item_release(hearth_followup_item *it)
{
	free(it->person_name);
	free(it->reason);
	free(it->priority);
	free(it->status);
	free(it->source);
	free(it->outcome);
	free(it->closed);
}

static hearth_status list_collect(const hearth_cw_rec *r, void *vctx)
{
	list_ctx *c = vctx;
	hearth_followup_item it;
	const char *status = hearth_cw_get(r, "status");
	const char *due = hearth_cw_get(r, "due");
	int pending = status == NULL || strcmp(status, "done") != 0;
	int32_t d;
	int live;

	if (c->which != HEARTH_FOLLOWUPS_ALL && !pending)
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
	live = hearth_cw_people_get(c->people, &it.person, &it.person_name);
	if (live < 0)
		return hearth_fail(HEARTH_ENOMEM, "cannot read the person of a follow-up");
	if (live == 0)
		return HEARTH_OK;

	it.id = r->id;
	hearth_date_format(d, it.due);
	it.reason = hearth_cw_strdup(hearth_cw_get(r, "reason"));
	it.priority = hearth_cw_strdup(hearth_cw_get(r, "priority"));
	it.status = hearth_cw_strdup(status);
	it.source = hearth_cw_strdup(hearth_cw_get(r, "source"));
	it.outcome = hearth_cw_strdup(hearth_cw_get(r, "outcome"));
	it.closed = hearth_cw_strdup(hearth_cw_get(r, "closed"));
	it.attempts = hearth_cw_int(hearth_cw_get(r, "attempts"), 0);
	it.safety = hearth_cw_int(hearth_cw_get(r, "safety"), 0) == 1;
	it.escalated = hearth_cw_int(hearth_cw_get(r, "escalated"), 0) == 1;
	if (!it.reason || !it.priority || !it.status || !it.source || !it.outcome ||
	    !it.closed)
		goto nomem;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		hearth_followup_item *v = realloc(c->v, cap * sizeof *v);
		hearth_hlc *h;

		if (v == NULL)
			goto nomem;
		c->v = v;
		h = realloc(c->created, cap * sizeof *h);
		if (h == NULL)
			goto nomem;
		c->created = h;
		c->cap = cap;
	}
	c->created[c->n] = r->created;
	c->v[c->n++] = it;
	return HEARTH_OK;
nomem:
	item_release(&it);
	return hearth_fail(HEARTH_ENOMEM, "out of memory listing follow-ups");
}

static int priority_rank(const char *p)
{
	if (strcmp(p, "high") == 0)
		return 0;
	if (strcmp(p, "low") == 0)
		return 2;
	return 1;
}

/* Sorting an index array keeps items and their creation HLCs together. */
typedef struct sort_ref {
	const hearth_followup_item *it;
	const hearth_hlc *created;
	size_t index;
} sort_ref;

static int followup_cmp(const void *pa, const void *pb)
{
	const sort_ref *a = pa, *b = pb;
	int c = priority_rank(a->it->priority) - priority_rank(b->it->priority);

	if (c != 0)
		return c;
	if (a->it->days_overdue != b->it->days_overdue)
		return a->it->days_overdue > b->it->days_overdue ? -1 : 1;
	c = strcmp(a->it->due, b->it->due);
	if (c != 0)
		return c;
	return hearth_hlc_cmp(a->created, b->created);
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

hearth_status hearth_followup_list(hearth_store *s, hearth_followup_which which,
				   const hearth_id *person, const char *today,
				   hearth_followups **out)
{
	static const char *const pending[] = { "open", "retry" };
	char hex[HEARTH_ID_HEX + 1];
	const char *hexp = hex;
	hearth_cw_filter f[2];
	size_t nf = 0;
	list_ctx c;
	sort_ref *refs = NULL;
	hearth_followups *l = NULL;
	hearth_status st;
	size_t i;

	if (out == NULL || s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*out = NULL;
	memset(&c, 0, sizeof c);
	c.s = s;
	c.which = which;
	if (today == NULL)
		return hearth_fail(HEARTH_EINVAL, "today's date is required");
	st = hearth_date_parse(today, &c.today);
	if (st != HEARTH_OK)
		return st;
	if (person != NULL) {
		st = hearth_person_check(s, person);
		if (st != HEARTH_OK)
			return st;
	}
	st = hearth_cw_people_open(s, &c.people);
	if (st != HEARTH_OK)
		return st;
	/* Pending follow-ups are few next to done ones: the status index
	 * finds them; a person's are found through the person index. */
	memset(f, 0, sizeof f);
	if (person != NULL) {
		hearth_id_to_hex(person, hex);
		f[nf].field = "person";
		f[nf].values = &hexp;
		f[nf++].nvalues = 1;
	}
	if (which != HEARTH_FOLLOWUPS_ALL) {
		f[nf].field = "status";
		f[nf].values = pending;
		f[nf++].nvalues = 2;
	}
	if (which == HEARTH_FOLLOWUPS_OVERDUE && person == NULL) {
		f[nf].field = "due";
		f[nf++].hi = today;
	}
	st = hearth_cw_select(s, "followup", f, nf, list_collect, &c);
	if (st != HEARTH_OK)
		goto out;

	l = calloc(1, sizeof *l);
	if (l == NULL || (c.n > 0 && ((l->items = calloc(c.n, sizeof *l->items)) == NULL ||
				      (refs = calloc(c.n, sizeof *refs)) == NULL))) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory listing follow-ups");
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		refs[i].it = &c.v[i];
		refs[i].created = &c.created[i];
		refs[i].index = i;
	}
	if (c.n > 1)
		qsort(refs, c.n, sizeof *refs, followup_cmp);
	for (i = 0; i < c.n; i++)
		l->items[i] = c.v[refs[i].index];
	l->n = c.n;
	c.n = 0; /* the strings moved into l */
	*out = l;
	l = NULL;
out:
	for (i = 0; i < c.n; i++)
		item_release(&c.v[i]);
	free(c.v);
	free(c.created);
	free(refs);
	hearth_followups_free(l);
	hearth_cw_people_close(c.people);
	return st;
}

hearth_status hearth_followup_pending_safety(hearth_store *s,
					     const hearth_id *person,
					     size_t *n)
{
	hearth_followups *l = NULL;
	hearth_status st;
	size_t i;

	if (n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output given");
	*n = 0;
	/* today only affects days overdue, which is not looked at here */
	st = hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, person, "2000-01-01", &l);
	if (st != HEARTH_OK)
		return st;
	for (i = 0; i < l->n; i++)
		if (l->items[i].safety)
			(*n)++;
	hearth_followups_free(l);
	return HEARTH_OK;
}
