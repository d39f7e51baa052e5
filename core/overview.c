/*
 * overview.c - a lead's picture of the team spaces it leads
 * (hearth/overview.h): one pass over the person records, one follow-up
 * list, both kept to the people of those spaces.
 */
#include <stdlib.h>
#include <string.h>

#include "hearth/overview.h"
#include "hearth/share.h"
#include "hearth/spaces.h"
#include "hearth/timeutil.h"

/* Ids, kept sorted for lookups. */
typedef struct idlist {
	hearth_id *v;
	size_t n, cap;
	int oom;
} idlist;

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(hearth_id));
}

static void ids_add(idlist *l, const hearth_id *id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		hearth_id *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL) {
			l->oom = 1;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *id;
}

static int ids_has(const idlist *l, const hearth_id *id)
{
	return l->n > 0 && bsearch(id, l->v, l->n, sizeof *l->v, id_cmp) != NULL;
}

/* The team spaces this vault leads; share spaces (an employee's journal
 * shared with a counsellor) are no team. */
static int led_cb(const hearth_space_info *i, void *ctx)
{
	if (i->role == HEARTH_ROLE_LEAD)
		ids_add(ctx, &i->space);
	return 0;
}

static int share_cb(const hearth_record *r, void *ctx)
{
	ids_add(ctx, &r->space);
	return 0;
}

/* The people of the spaces led, sorted by id (the follow-ups' lookups),
 * each with whether their case is open (not closed). */
typedef struct pentry {
	hearth_overview_person p;
	int open;
} pentry;

typedef struct person_set {
	const idlist *spaces;
	pentry *v;
	size_t n, cap;
	int oom;
} person_set;

static char *dup_or_empty(const char *t)
{
	return strdup(t != NULL ? t : "");
}

static void person_clear(hearth_overview_person *p)
{
	free(p->name);
	free(p->counsellor);
	free(p->risk);
}

static int person_cb(const hearth_record *r, void *ctx)
{
	person_set *ps = ctx;
	pentry *e;
	const char *kase;

	if (!ids_has(ps->spaces, &r->space))
		return 0;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 16;
		pentry *v = realloc(ps->v, cap * sizeof *v);

		if (v == NULL) {
			ps->oom = 1;
			return 1;
		}
		ps->v = v;
		ps->cap = cap;
	}
	e = &ps->v[ps->n];
	e->p.id = r->id;
	e->p.space = r->space;
	e->p.name = dup_or_empty(hearth_record_field(r, "name"));
	e->p.counsellor = dup_or_empty(hearth_record_field(r, "counsellor"));
	e->p.risk = dup_or_empty(hearth_record_field(r, "risk"));
	if (e->p.name == NULL || e->p.counsellor == NULL || e->p.risk == NULL) {
		person_clear(&e->p);
		ps->oom = 1;
		return 1;
	}
	kase = hearth_record_field(r, "case");
	e->open = kase == NULL || strcmp(kase, "closed") != 0;
	ps->n++;
	return 0;
}

/* An id first: pentry sorts as its person's id. */
static const hearth_overview_person *person_find(const person_set *ps, const hearth_id *id)
{
	const pentry *e = ps->n > 0 ?
		bsearch(id, ps->v, ps->n, sizeof *ps->v, id_cmp) : NULL;

	return e != NULL ? &e->p : NULL;
}

static int by_name(const void *a, const void *b)
{
	const hearth_overview_person *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : memcmp(&x->id, &y->id, sizeof x->id);
}

static int by_load(const void *a, const void *b)
{
	const hearth_overview_load *x = a, *y = b;

	if (x->overdue != y->overdue)
		return x->overdue > y->overdue ? -1 : 1;
	if (x->people != y->people)
		return x->people > y->people ? -1 : 1;
	return strcmp(x->counsellor, y->counsellor);
}

/* Copies p (its strings) to the end of *v. */
static int person_copy(hearth_overview_person **v, size_t *n, const hearth_overview_person *p)
{
	hearth_overview_person *nv = realloc(*v, (*n + 1) * sizeof *nv), *c;

	if (nv == NULL)
		return -1;
	*v = nv;
	c = &nv[*n];
	*c = *p;
	c->name = strdup(p->name);
	c->counsellor = strdup(p->counsellor);
	c->risk = strdup(p->risk);
	if (c->name == NULL || c->counsellor == NULL || c->risk == NULL) {
		person_clear(c);
		return -1;
	}
	(*n)++;
	return 0;
}

/* The load of counsellor in o, added when new. */
static hearth_overview_load *load_of(hearth_team_overview *o, const char *counsellor)
{
	hearth_overview_load *v;
	size_t i;

	for (i = 0; i < o->nloads; i++)
		if (strcmp(o->loads[i].counsellor, counsellor) == 0)
			return &o->loads[i];
	if ((v = realloc(o->loads, (o->nloads + 1) * sizeof *v)) == NULL)
		return NULL;
	o->loads = v;
	memset(&v[o->nloads], 0, sizeof *v);
	if ((v[o->nloads].counsellor = strdup(counsellor)) == NULL)
		return NULL;
	return &v[o->nloads++];
}

static hearth_status build(hearth_store *s, const char *today, hearth_team_overview *o,
			   idlist *spaces, person_set *ps)
{
	idlist shares = { 0 };
	hearth_followups *all = NULL;
	hearth_overview_load *l;
	hearth_status st;
	size_t i, j;

	if ((st = hearth_spaces_each(s, led_cb, spaces)) != HEARTH_OK ||
	    (st = hearth_store_each(s, HEARTH_KIND_SHARE, 0, share_cb, &shares)) != HEARTH_OK)
		goto out;
	if (spaces->oom || shares.oom)
		goto oom;
	if (shares.n > 1)
		qsort(shares.v, shares.n, sizeof *shares.v, id_cmp);
	for (i = j = 0; i < spaces->n; i++)
		if (!ids_has(&shares, &spaces->v[i]))
			spaces->v[j++] = spaces->v[i];
	spaces->n = j;
	if (spaces->n > 1)
		qsort(spaces->v, spaces->n, sizeof *spaces->v, id_cmp);
	o->nspaces = spaces->n;
	if (o->nspaces == 0)
		goto out;

	ps->spaces = spaces;
	if ((st = hearth_store_each(s, "person", 0, person_cb, ps)) != HEARTH_OK)
		goto out;
	if (ps->oom)
		goto oom;
	if (ps->n > 1)
		qsort(ps->v, ps->n, sizeof *ps->v, id_cmp);
	for (i = 0; i < ps->n; i++) {
		const hearth_overview_person *p = &ps->v[i].p;

		if (!ps->v[i].open)
			continue;
		if (strcmp(p->risk, "high") == 0 && person_copy(&o->high, &o->nhigh, p) != 0)
			goto oom;
		if (p->counsellor[0] == '\0' &&
		    person_copy(&o->unassigned, &o->nunassigned, p) != 0)
			goto oom;
		if ((l = load_of(o, p->counsellor)) == NULL)
			goto oom;
		l->people++;
	}

	/* The pending follow-ups, of which those of these people count. */
	if ((st = hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, NULL, today, &all)) != HEARTH_OK)
		goto out;
	o->followups = all;
	all = NULL;
	if ((o->safety = calloc(o->followups->n + 1, sizeof *o->safety)) == NULL)
		goto oom;
	for (i = 0; i < o->followups->n; i++) {
		const hearth_followup_item *f = &o->followups->items[i];
		const hearth_overview_person *p = person_find(ps, &f->person);

		if (p == NULL)
			continue;
		if (f->safety)
			o->safety[o->nsafety++] = i;
		if (f->days_overdue > 0) {
			if ((l = load_of(o, p->counsellor)) == NULL)
				goto oom;
			l->overdue++;
		}
	}
	if (o->nhigh > 1)
		qsort(o->high, o->nhigh, sizeof *o->high, by_name);
	if (o->nunassigned > 1)
		qsort(o->unassigned, o->nunassigned, sizeof *o->unassigned, by_name);
	if (o->nloads > 1)
		qsort(o->loads, o->nloads, sizeof *o->loads, by_load);
	goto out;
oom:
	st = hearth_fail(HEARTH_ENOMEM, "out of memory reading the team overview");
out:
	hearth_followups_free(all);
	free(shares.v);
	return st;
}

hearth_status hearth_team_overview_get(hearth_store *s, const char *today,
				       hearth_team_overview **out)
{
	hearth_team_overview *o;
	idlist spaces = { 0 };
	person_set ps = { 0 };
	hearth_status st;
	int32_t day;
	size_t i;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the team overview");
	*out = NULL;
	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store given");
	if (today == NULL || hearth_date_parse(today, &day) != HEARTH_OK)
		return hearth_fail(HEARTH_EINVAL, "today is not a date: '%s'",
				   today != NULL ? today : "");
	if ((o = calloc(1, sizeof *o)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory reading the team overview");
	st = build(s, today, o, &spaces, &ps);
	for (i = 0; i < ps.n; i++)
		person_clear(&ps.v[i].p);
	free(ps.v);
	free(spaces.v);
	if (st != HEARTH_OK) {
		hearth_team_overview_free(o);
		return st;
	}
	*out = o;
	return HEARTH_OK;
}

void hearth_team_overview_free(hearth_team_overview *o)
{
	size_t i;

	if (o == NULL)
		return;
	hearth_followups_free(o->followups);
	free(o->safety);
	for (i = 0; i < o->nhigh; i++)
		person_clear(&o->high[i]);
	free(o->high);
	for (i = 0; i < o->nunassigned; i++)
		person_clear(&o->unassigned[i]);
	free(o->unassigned);
	for (i = 0; i < o->nloads; i++)
		free(o->loads[i].counsellor);
	free(o->loads);
	free(o);
}
