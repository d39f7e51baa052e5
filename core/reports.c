/*
 * reports.c - service counts for a period, read with SQL from the
 * queryable tables (record, field), and their CSV export.  See
 * hearth/reports.h for what each count means, and "counting" below for
 * how the records are read.
 */
#include <assert.h>
#include <errno.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework_private.h"
#include "db_private.h"
#include "hearth/audit.h"
#include "hearth/instruments.h"
#include "hearth/reports.h"

/* ---- labels ------------------------------------------------------------ */

/* Marks a label for xgettext; translated by word(). */
#define N_(s) s

static const struct {
	const char *key, *label;
} metrics[HEARTH_M_COUNT] = {
	[HEARTH_M_HOTLINE] = { "hotline_calls", N_("Hotline calls") },
	[HEARTH_M_CALLBACK] = { "callbacks", N_("Call-backs") },
	[HEARTH_M_APPT_BOOKED] = { "appointments_booked", N_("Appointments booked") },
	[HEARTH_M_APPT_HELD] = { "appointments_held", N_("Appointments held") },
	[HEARTH_M_APPT_NOSHOW] = { "appointments_noshow", N_("No-shows") },
	[HEARTH_M_APPT_CANCELLED] = { "appointments_cancelled", N_("Appointments cancelled") },
	[HEARTH_M_ONE_TO_ONE] = { "one_to_one_sessions", N_("One-to-one sessions") },
	[HEARTH_M_GROUP] = { "group_sessions", N_("Group sessions") },
	[HEARTH_M_GROUP_ATTENDEES] = { "group_attendees", N_("Group session attendees") },
	[HEARTH_M_LECTURE] = { "lectures", N_("Lectures") },
	[HEARTH_M_LECTURE_ATTENDEES] = { "lecture_attendees", N_("Lecture attendees") },
	[HEARTH_M_OUTREACH] = { "outreach", N_("Outreach") },
	[HEARTH_M_SCREENINGS] = { "screenings", N_("Screenings") },
	[HEARTH_M_SAFETY_FLAGS] = { "safety_flags", N_("Safety flags") },
	[HEARTH_M_FOLLOWUP_DONE] = { "followups_done", N_("Follow-ups done") },
	[HEARTH_M_FOLLOWUP_OVERDUE] = { "followups_overdue", N_("Follow-ups overdue") },
	[HEARTH_M_PEOPLE] = { "people_served", N_("People served") },
};

static int lang_en(const char *lang)
{
	return lang != NULL && strncmp(lang, "en", 2) == 0;
}

/* A label in lang: English as written, any other language from the
 * "hearth" catalogue in the language the program chose (a face passes
 * its own). */
static const char *word(const char *msgid, const char *lang)
{
	return lang_en(lang) ? msgid : dgettext(HEARTH_TEXTDOMAIN, msgid);
}

const char *hearth_metric_label(hearth_metric m, const char *lang)
{
	if ((unsigned)m >= HEARTH_M_COUNT)
		return "";
	return word(metrics[m].label, lang);
}

const char *hearth_metric_key(hearth_metric m)
{
	if ((unsigned)m >= HEARTH_M_COUNT)
		return "";
	return metrics[m].key;
}

const char *hearth_report_suppress(int64_t n, char *buf, size_t size)
{
	if (n >= 1 && n <= 4)
		snprintf(buf, size, "<5");
	else
		snprintf(buf, size, "%lld", (long long)n);
	return buf;
}

hearth_status hearth_report_by_parse(const char *s, hearth_report_by *out)
{
	if (s == NULL || s[0] == '\0' || strcmp(s, "whole") == 0)
		*out = HEARTH_REPORT_WHOLE;
	else if (strcmp(s, "month") == 0)
		*out = HEARTH_REPORT_MONTH;
	else if (strcmp(s, "week") == 0)
		*out = HEARTH_REPORT_WEEK;
	else
		return hearth_fail(HEARTH_EINVAL, "cannot group by '%s': use month or week", s);
	return HEARTH_OK;
}

/* ---- the report and its buckets --------------------------------------- */

static void bucket_release(hearth_report_bucket *b)
{
	for (size_t i = 0; i < b->n_bands; i++) {
		free(b->bands[i].instrument);
		free(b->bands[i].band);
		free(b->bands[i].label_en);
		free(b->bands[i].label_zh_CN);
	}
	free(b->bands);
	b->bands = NULL;
	b->n_bands = 0;
}

void hearth_report_free(hearth_report *r)
{
	if (r == NULL)
		return;
	bucket_release(&r->whole);
	for (size_t i = 0; i < r->n_buckets; i++)
		bucket_release(&r->buckets[i]);
	free(r->buckets);
	free(r);
}

/* Lays out the buckets of [from, to]: calendar months or ISO weeks, the
 * first and last cut at the period's ends.  *base receives what bucket_of
 * subtracts to number them from 0 (the first month as months since year
 * 0, or the day number of the first week's Monday). */
static hearth_status make_buckets(hearth_report *r, int32_t from, int32_t to,
				  int32_t *base)
{
	size_t n = 0, cap = 0;
	int32_t start = from;

	*base = 0;
	if (r->by == HEARTH_REPORT_WHOLE)
		return HEARTH_OK;
	if (r->by == HEARTH_REPORT_MONTH) {
		int y, m, d;

		hearth_date_to_ymd(from, &y, &m, &d);
		*base = y * 12 + (m - 1);
	} else {
		*base = from - (hearth_date_weekday(from) - 1);
	}
	while (start <= to) {
		hearth_report_bucket *b;
		int32_t end;
		int y, m, d;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			hearth_report_bucket *nb = realloc(r->buckets, ncap * sizeof *nb);

			if (nb == NULL)
				return hearth_fail(HEARTH_ENOMEM, "out of memory for a report");
			r->buckets = nb;
			cap = ncap;
		}
		b = &r->buckets[n];
		memset(b, 0, sizeof *b);
		hearth_date_to_ymd(start, &y, &m, &d);
		if (r->by == HEARTH_REPORT_MONTH) {
			int32_t first_next;
			int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;

			if (hearth_date_from_ymd(ny, nm, 1, &first_next) != HEARTH_OK)
				first_next = to + 1; /* past year 9999: the period ends first */
			end = first_next - 1;
			snprintf(b->label, sizeof b->label, "%04d-%02d", y, m);
		} else {
			int32_t monday = start - (hearth_date_weekday(start) - 1);
			int wy, wk;

			end = monday + 6;
			hearth_date_iso_week(monday, &wy, &wk);
			snprintf(b->label, sizeof b->label, "%04d-W%02d", wy, wk);
		}
		if (end > to)
			end = to;
		hearth_date_format(start, b->from);
		hearth_date_format(end, b->to);
		n++;
		start = end + 1;
	}
	r->n_buckets = n;
	return HEARTH_OK;
}

/* ---- counting ------------------------------------------------------------ */

/*
 * How the records are read.  The record store is entity-attribute-value:
 * one row per field.  Looking up the fields of each record in the period
 * one by one costs a B-tree seek per field (1-2 us each: over 100,000
 * records that alone went past the 200 ms goal), while reading an index
 * range in order costs about 0.1 us a row.  So the report reads index
 * ranges, in order, and joins them in memory:
 *
 *   1. the dated fields in [from, to] (activity "date", appointment "at",
 *      screening "date" or "at", follow-up "due" or "closed"): ranges of
 *      the index field(name, value); each names a candidate record, kept
 *      in a hash table with the value;
 *   2. the live records of the four counted kinds, from the index
 *      record(kind, deleted, created): a candidate found gets its kind;
 *   3. every value of each other field a count looks at (type, status,
 *      person, band, ...), from the index field(name, value) again: a
 *      candidate found keeps it;
 *   3b. the few answers that hang on a dated field outside the period (a
 *      screening in through "at" that may have a "date"; a follow-up due
 *      in the period and done, whose "closed" may lie after it) are read
 *      by key, one seek each;
 *   4. each candidate with a kind is classified and tallied.
 *
 * Steps 1 to 3 are covering-index scans (the index holds the record id),
 * so no table row is read.  Step 3 reads every value of its fields,
 * whatever the period: the cost grows with the vault, about 0.1-0.2 us a
 * field.  A GROUP BY per kind in SQL, and one join of the period's records
 * to all their fields, gave the same counts in three to ten times the time
 * (measured with tests/bench/bench_workflows.c).
 */

enum rec_kind { K_NONE, K_ACTIVITY, K_APPT, K_SCREENING, K_FOLLOWUP };

static const char *const kind_names[] = {
	[K_ACTIVITY] = "activity", [K_APPT] = "appointment",
	[K_SCREENING] = "screening", [K_FOLLOWUP] = "followup",
};

/* The fields a count looks at. */
enum rec_field {
	F_TYPE, F_DATE, F_AT, F_ATTENDANCE, F_RISK, F_PERSON, F_STATUS,
	F_INSTRUMENT, F_BAND, F_FLAGS, F_JOURNAL, F_DUE, F_CLOSED, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	[F_TYPE] = "type", [F_DATE] = "date", [F_AT] = "at",
	[F_ATTENDANCE] = "attendance", [F_RISK] = "risk", [F_PERSON] = "person",
	[F_STATUS] = "status", [F_INSTRUMENT] = "instrument", [F_BAND] = "band",
	[F_FLAGS] = "flags", [F_JOURNAL] = "journal", [F_DUE] = "due",
	[F_CLOSED] = "closed",
};

/* The dated fields that make a record a candidate (step 1). */
static const enum rec_field dated_fields[] = { F_DATE, F_AT, F_DUE, F_CLOSED };

/* A candidate: its id, kind, and where each field's value starts in the
 * arena (offset + 1; 0: absent). */
struct cand {
	uint8_t id[HEARTH_ID_BYTES];
	uint8_t kind;
	uint32_t off[F_COUNT];
};

/* Candidates in a dense array, found through an open-addressing table of
 * (32 bits of the hash << 32 | index + 1): the table stays small enough to
 * sit in the CPU cache, so the many rows that name no candidate are turned
 * away without touching the array. */
struct cands {
	struct cand *v;
	size_t n, vcap;
	uint64_t *tab;
	size_t cap;           /* a power of two, at least 2n */
	char *arena;          /* NUL-terminated values */
	size_t len, acap;
};

/* Distinct people: each person id gets a number, and a set of (bucket,
 * number) pairs says who was already counted where.  Open addressing;
 * the tables double when half full. */
struct people {
	char **ids;           /* person id text by number */
	size_t n, cap;
	uint32_t *slots;      /* number + 1, 0 empty */
	size_t nslots;
	uint64_t *pairs;      /* (bucket + 1) << 32 | number, 0 empty */
	size_t npairs, pair_slots;
};

struct tally {
	hearth_report *r;
	int32_t base;         /* see make_buckets */
	const char *from, *to_next, *as_of;
	struct cands c;
	const struct cand *cur; /* the candidate being tallied */
	struct people people;
	/* Moved people (casework_private.h): a record written for a moved
	 * original counts as its copy's person, so the person counts once. */
	hearth_cw_moves moves;
};

static hearth_status oom(void)
{
	return hearth_fail(HEARTH_ENOMEM, "out of memory for a report");
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

static uint64_t hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* Record ids are random, but not trusted to be: mix them anyway. */
static uint64_t hash_id(const uint8_t *id)
{
	uint64_t a, b;

	memcpy(&a, id, 8);
	memcpy(&b, id + 8, 8);
	return hash_u64(a ^ hash_u64(b));
}

static void cands_release(struct cands *c)
{
	free(c->v);
	free(c->tab);
	free(c->arena);
	memset(c, 0, sizeof *c);
}

static struct cand *cands_find(const struct cands *c, const uint8_t *id)
{
	uint64_t h, tag;
	size_t k;

	if (c->cap == 0)
		return NULL;
	h = hash_id(id);
	tag = h >> 32 << 32;
	for (k = h & (c->cap - 1); c->tab[k] != 0; k = (k + 1) & (c->cap - 1)) {
		struct cand *x;

		if ((c->tab[k] & ~(uint64_t)UINT32_MAX) != tag)
			continue;
		x = &c->v[(c->tab[k] & UINT32_MAX) - 1];
		if (memcmp(x->id, id, HEARTH_ID_BYTES) == 0)
			return x;
	}
	return NULL;
}

static void cands_place(uint64_t *tab, size_t cap, uint64_t h, size_t index)
{
	size_t k = h & (cap - 1);

	while (tab[k] != 0)
		k = (k + 1) & (cap - 1);
	tab[k] = (h >> 32 << 32) | (uint64_t)(index + 1);
}

/* Adds id (if new); *out gets its candidate. */
static hearth_status cands_add(struct cands *c, const uint8_t *id, struct cand **out)
{
	struct cand *x = cands_find(c, id);

	if (x != NULL) {
		*out = x;
		return HEARTH_OK;
	}
	if (c->n >= UINT32_MAX - 1)
		return oom();
	if ((c->n + 1) * 2 > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 4096;
		uint64_t *tab = calloc(ncap, sizeof *tab);

		if (tab == NULL)
			return oom();
		for (size_t i = 0; i < c->n; i++)
			cands_place(tab, ncap, hash_id(c->v[i].id), i);
		free(c->tab);
		c->tab = tab;
		c->cap = ncap;
	}
	if (c->n == c->vcap) {
		size_t ncap = c->vcap ? c->vcap * 2 : 2048;
		struct cand *v = realloc(c->v, ncap * sizeof *v);

		if (v == NULL)
			return oom();
		c->v = v;
		c->vcap = ncap;
	}
	x = &c->v[c->n];
	memset(x, 0, sizeof *x);
	memcpy(x->id, id, HEARTH_ID_BYTES);
	cands_place(c->tab, c->cap, hash_id(id), c->n);
	c->n++;
	*out = x;
	return HEARTH_OK;
}

static hearth_status cand_put(struct cands *c, struct cand *x, enum rec_field f,
			      const char *v, size_t n)
{
	if (c->len + n + 1 > c->acap) {
		size_t ncap = c->acap ? c->acap : 65536;
		char *na;

		while (ncap < c->len + n + 1)
			ncap *= 2;
		if (ncap > UINT32_MAX || (na = realloc(c->arena, ncap)) == NULL)
			return oom();
		c->arena = na;
		c->acap = ncap;
	}
	memcpy(c->arena + c->len, v, n);
	c->arena[c->len + n] = '\0';
	x->off[f] = (uint32_t)c->len + 1;
	c->len += n + 1;
	return HEARTH_OK;
}

static void people_release(struct people *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->ids[i]);
	free(p->ids);
	free(p->slots);
	free(p->pairs);
	memset(p, 0, sizeof *p);
}

static hearth_status people_grow_ids(struct people *p)
{
	size_t nslots = p->nslots ? p->nslots * 2 : 1024;
	uint32_t *slots = calloc(nslots, sizeof *slots);

	if (slots == NULL)
		return oom();
	for (size_t i = 0; i < p->n; i++) {
		size_t k = hash_str(p->ids[i]) & (nslots - 1);

		while (slots[k] != 0)
			k = (k + 1) & (nslots - 1);
		slots[k] = (uint32_t)i + 1;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = nslots;
	return HEARTH_OK;
}

/* The number of person id, given one if new. */
static hearth_status people_number(struct people *p, const char *id, uint32_t *out)
{
	size_t k;
	hearth_status st;

	if ((p->n + 1) * 2 > p->nslots && (st = people_grow_ids(p)) != HEARTH_OK)
		return st;
	k = hash_str(id) & (p->nslots - 1);
	while (p->slots[k] != 0) {
		if (strcmp(p->ids[p->slots[k] - 1], id) == 0) {
			*out = p->slots[k] - 1;
			return HEARTH_OK;
		}
		k = (k + 1) & (p->nslots - 1);
	}
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 1024;
		char **ids = realloc(p->ids, ncap * sizeof *ids);

		if (ids == NULL)
			return oom();
		p->ids = ids;
		p->cap = ncap;
	}
	if ((p->ids[p->n] = strdup(id)) == NULL)
		return oom();
	p->slots[k] = (uint32_t)p->n + 1;
	*out = (uint32_t)p->n++;
	return HEARTH_OK;
}

/* Adds (bucket, number) to the set; *is_new says whether it was absent. */
static hearth_status people_pair(struct people *p, uint32_t bucket, uint32_t number,
				 int *is_new)
{
	uint64_t key = ((uint64_t)bucket + 1) << 32 | number;
	size_t k;

	*is_new = 0;
	if ((p->npairs + 1) * 2 > p->pair_slots) {
		size_t nslots = p->pair_slots ? p->pair_slots * 2 : 4096;
		uint64_t *pairs = calloc(nslots, sizeof *pairs);

		if (pairs == NULL)
			return oom();
		for (size_t i = 0; i < p->pair_slots; i++) {
			if (p->pairs[i] == 0)
				continue;
			k = hash_u64(p->pairs[i]) & (nslots - 1);
			while (pairs[k] != 0)
				k = (k + 1) & (nslots - 1);
			pairs[k] = p->pairs[i];
		}
		free(p->pairs);
		p->pairs = pairs;
		p->pair_slots = nslots;
	}
	k = hash_u64(key) & (p->pair_slots - 1);
	while (p->pairs[k] != 0) {
		if (p->pairs[k] == key)
			return HEARTH_OK;
		k = (k + 1) & (p->pair_slots - 1);
	}
	p->pairs[k] = key;
	p->npairs++;
	*is_new = 1;
	return HEARTH_OK;
}

/* A field of the candidate being tallied, or NULL when absent. */
static const char *get(const struct tally *t, enum rec_field f)
{
	return t->cur->off[f] ? t->c.arena + t->cur->off[f] - 1 : NULL;
}

static int eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* Is a dated value in the period?  The same test as the index ranges:
 * from <= value < the day after to, as text, so a date-time counts by its
 * date. */
static int in_period(const struct tally *t, const char *v)
{
	return v != NULL && strcmp(v, t->from) >= 0 && strcmp(v, t->to_next) < 0;
}

/* The bucket a dated value falls in (*out NULL for a report without
 * grouping); 0 when its date cannot be read. */
static int bucket_of(const struct tally *t, const char *v, hearth_report_bucket **out)
{
	char day[HEARTH_DATE_LEN + 1];
	int32_t d;
	int64_t i;

	*out = NULL;
	if (t->r->by == HEARTH_REPORT_WHOLE)
		return 1;
	if (strlen(v) < HEARTH_DATE_LEN)
		return 0;
	memcpy(day, v, HEARTH_DATE_LEN);
	day[HEARTH_DATE_LEN] = '\0';
	if (hearth_date_parse(day, &d) != HEARTH_OK) {
		hearth_errdetail_clear();
		return 0;
	}
	if (t->r->by == HEARTH_REPORT_MONTH) {
		int y, m, dd;

		hearth_date_to_ymd(d, &y, &m, &dd);
		i = (int64_t)y * 12 + (m - 1) - t->base;
	} else {
		i = (d - t->base) / 7;
	}
	if (i < 0 || (uint64_t)i >= t->r->n_buckets)
		return 0;
	*out = &t->r->buckets[i];
	return 1;
}

/* A counted record: adds n to metric m in its bucket and the whole. */
static void add(struct tally *t, hearth_report_bucket *b, hearth_metric m, int64_t n)
{
	t->r->whole.m[m] += n;
	if (b != NULL)
		b->m[m] += n;
}

/* The person named by a record that delivered a service (see
 * people_served in hearth/reports.h), counted once in the whole and once
 * in the record's bucket. */
static hearth_status served(struct tally *t, hearth_report_bucket *b)
{
	const char *person = get(t, F_PERSON);
	char hex[HEARTH_ID_HEX + 1];
	hearth_id id, to;
	uint32_t num = 0;
	int is_new = 0;
	hearth_status st;

	if (person == NULL)
		return HEARTH_OK;
	if (t->moves.from.n > 0 && hearth_cw_id(person, &id)) {
		to = hearth_cw_moves_follow(&t->moves, &id);
		hearth_id_to_hex(&to, hex);
		person = hex;
	}
	if ((st = people_number(&t->people, person, &num)) != HEARTH_OK)
		return st;
	if ((st = people_pair(&t->people, UINT32_MAX - 1, num, &is_new)) != HEARTH_OK)
		return st;
	if (is_new)
		t->r->whole.m[HEARTH_M_PEOPLE]++;
	if (b == NULL)
		return HEARTH_OK;
	if ((st = people_pair(&t->people, (uint32_t)(b - t->r->buckets), num,
			      &is_new)) != HEARTH_OK)
		return st;
	if (is_new)
		b->m[HEARTH_M_PEOPLE]++;
	return HEARTH_OK;
}

static hearth_status band_add(hearth_report_bucket *b, const char *inst,
			      const char *band)
{
	hearth_report_band *nb;

	for (size_t i = 0; i < b->n_bands; i++) {
		if (strcmp(b->bands[i].instrument, inst) == 0 &&
		    strcmp(b->bands[i].band, band) == 0) {
			b->bands[i].n++;
			return HEARTH_OK;
		}
	}
	nb = realloc(b->bands, (b->n_bands + 1) * sizeof *nb);
	if (nb == NULL)
		return oom();
	b->bands = nb;
	nb = &b->bands[b->n_bands];
	memset(nb, 0, sizeof *nb);
	nb->instrument = strdup(inst);
	nb->band = strdup(band);
	nb->n = 1;
	if (nb->instrument == NULL || nb->band == NULL) {
		free(nb->instrument);
		free(nb->band);
		return oom();
	}
	b->n_bands++;
	return HEARTH_OK;
}

static hearth_status tally_activity(struct tally *t)
{
	const char *date = get(t, F_DATE), *type = get(t, F_TYPE);
	const char *att = get(t, F_ATTENDANCE);
	int64_t attendance = att ? strtoll(att, NULL, 10) : 0;
	hearth_report_bucket *b;

	if (!in_period(t, date) || type == NULL || !bucket_of(t, date, &b))
		return HEARTH_OK;
	if (strcmp(type, "hotline") == 0) {
		add(t, b, HEARTH_M_HOTLINE, 1);
	} else if (strcmp(type, "callback") == 0) {
		add(t, b, HEARTH_M_CALLBACK, 1);
	} else if (strcmp(type, "group") == 0) {
		add(t, b, HEARTH_M_GROUP, 1);
		add(t, b, HEARTH_M_GROUP_ATTENDEES, attendance);
	} else if (strcmp(type, "lecture") == 0) {
		add(t, b, HEARTH_M_LECTURE, 1);
		add(t, b, HEARTH_M_LECTURE_ATTENDEES, attendance);
	} else if (strcmp(type, "outreach") == 0) {
		add(t, b, HEARTH_M_OUTREACH, 1);
	} else {
		return HEARTH_OK;
	}
	if (eq(get(t, F_RISK), "high"))
		add(t, b, HEARTH_M_SAFETY_FLAGS, 1);
	return served(t, b);
}

static hearth_status tally_appt(struct tally *t)
{
	const char *at = get(t, F_AT), *status = get(t, F_STATUS);
	hearth_report_bucket *b;

	if (!in_period(t, at) || status == NULL || !bucket_of(t, at, &b))
		return HEARTH_OK;
	if (strcmp(status, "cancelled") == 0) {
		add(t, b, HEARTH_M_APPT_CANCELLED, 1);
		return HEARTH_OK;
	}
	if (strcmp(status, "done") == 0) {
		add(t, b, HEARTH_M_APPT_HELD, 1);
		add(t, b, HEARTH_M_ONE_TO_ONE, 1);
		add(t, b, HEARTH_M_APPT_BOOKED, 1);
		/* Only a session held serves the person. */
		return served(t, b);
	}
	if (strcmp(status, "noshow") == 0)
		add(t, b, HEARTH_M_APPT_NOSHOW, 1);
	else if (strcmp(status, "booked") != 0)
		return HEARTH_OK;
	add(t, b, HEARTH_M_APPT_BOOKED, 1);
	return HEARTH_OK;
}

static hearth_status tally_screening(struct tally *t)
{
	const char *day = get(t, F_DATE);
	const char *inst = get(t, F_INSTRUMENT), *band = get(t, F_BAND);
	const char *flags = get(t, F_FLAGS);
	hearth_report_bucket *b;
	hearth_status st;

	/* An employee's self-screening is not service. */
	if (get(t, F_JOURNAL) != NULL)
		return HEARTH_OK;
	if (day == NULL)
		day = get(t, F_AT);
	if (!in_period(t, day) || !bucket_of(t, day, &b))
		return HEARTH_OK;
	add(t, b, HEARTH_M_SCREENINGS, 1);
	if ((flags != NULL && strstr(flags, "\"safety\"") != NULL) ||
	    eq(get(t, F_RISK), "high"))
		add(t, b, HEARTH_M_SAFETY_FLAGS, 1);
	if ((st = band_add(&t->r->whole, inst ? inst : "", band ? band : "")) != HEARTH_OK ||
	    (b != NULL && (st = band_add(b, inst ? inst : "", band ? band : "")) != HEARTH_OK))
		return st;
	return served(t, b);
}

static hearth_status tally_followup(struct tally *t)
{
	const char *status = get(t, F_STATUS), *closed = get(t, F_CLOSED);
	const char *due = get(t, F_DUE);
	int done = eq(status, "done");
	hearth_report_bucket *b;
	hearth_status st;

	if (done && in_period(t, closed) && bucket_of(t, closed, &b)) {
		add(t, b, HEARTH_M_FOLLOWUP_DONE, 1);
		if ((st = served(t, b)) != HEARTH_OK)
			return st;
	}
	/* Overdue as of the as-of date: due before it, and not done by then
	 * (still pending, or closed after it).  Counted, but an overdue
	 * follow-up has served nobody. */
	if (in_period(t, due) && strcmp(due, t->as_of) < 0 &&
	    (!done || (closed != NULL && strcmp(closed, t->as_of) > 0)) &&
	    bucket_of(t, due, &b))
		add(t, b, HEARTH_M_FOLLOWUP_OVERDUE, 1);
	return HEARTH_OK;
}

/* Runs sql (bound: ?1 the text a, ?2 from, ?3 to_next when it has them)
 * and calls fn for each row. */
typedef hearth_status (*scan_fn)(struct tally *t, sqlite3_stmt *st, int arg);

static hearth_status scan(sqlite3 *db, struct tally *t, const char *sql,
			  const char *a, scan_fn fn, int arg)
{
	sqlite3_stmt *st = NULL;
	hearth_status ret = HEARTH_OK;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		ret = hearth_db_error(db, rc, "cannot count the report");
		goto out;
	}
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 3) {
		sqlite3_bind_text(st, 2, t->from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, t->to_next, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn(t, st, arg)) != HEARTH_OK)
			goto out;
	if (rc != SQLITE_DONE)
		ret = hearth_db_error(db, rc, "cannot count the report");
out:
	sqlite3_finalize(st);
	return ret;
}

static const uint8_t *row_id(sqlite3_stmt *st)
{
	const uint8_t *id = sqlite3_column_blob(st, 0);

	return id != NULL && sqlite3_column_bytes(st, 0) == (int)HEARTH_ID_BYTES ? id : NULL;
}

/* Step 1: a dated field in the period makes its record a candidate and
 * is kept (a record may come in through two of them). */
static hearth_status on_dated(struct tally *t, sqlite3_stmt *st, int f)
{
	const uint8_t *id = row_id(st);
	const char *v = (const char *)sqlite3_column_text(st, 1);
	struct cand *x = NULL;
	hearth_status ret;

	if (id == NULL || v == NULL)
		return HEARTH_OK;
	if ((ret = cands_add(&t->c, id, &x)) != HEARTH_OK)
		return ret;
	return cand_put(&t->c, x, (enum rec_field)f, v, (size_t)sqlite3_column_bytes(st, 1));
}

static hearth_status on_kind(struct tally *t, sqlite3_stmt *st, int kind)
{
	const uint8_t *id = row_id(st);
	struct cand *x = id ? cands_find(&t->c, id) : NULL;

	if (x != NULL)
		x->kind = (uint8_t)kind;
	return HEARTH_OK;
}

static hearth_status on_field(struct tally *t, sqlite3_stmt *st, int f)
{
	const uint8_t *id = row_id(st);
	const char *v = (const char *)sqlite3_column_text(st, 1);
	struct cand *x;

	if (id == NULL || v == NULL) /* a cleared field is absent */
		return HEARTH_OK;
	x = cands_find(&t->c, id);
	if (x == NULL || x->kind == K_NONE)
		return HEARTH_OK;
	return cand_put(&t->c, x, (enum rec_field)f, v, (size_t)sqlite3_column_bytes(st, 1));
}

/* Step 3b: one field of one candidate, read by its key.  Used only for the
 * few candidates whose answer hangs on a dated field outside the period
 * (which step 1 did not keep). */
static hearth_status lookup(sqlite3 *db, sqlite3_stmt **st, struct tally *t,
			    struct cand *x, enum rec_field f)
{
	hearth_status ret = HEARTH_OK;
	int rc;

	if (*st == NULL) {
		rc = sqlite3_prepare_v2(db, "SELECT value FROM field WHERE record = ?1 AND name = ?2",
					-1, st, NULL);
		if (rc != SQLITE_OK)
			return hearth_db_error(db, rc, "cannot count the report");
	}
	sqlite3_reset(*st);
	sqlite3_bind_blob(*st, 1, x->id, HEARTH_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(*st, 2, field_names[f], -1, SQLITE_STATIC);
	rc = sqlite3_step(*st);
	if (rc == SQLITE_ROW && sqlite3_column_text(*st, 0) != NULL)
		ret = cand_put(&t->c, x, f, (const char *)sqlite3_column_text(*st, 0),
			       (size_t)sqlite3_column_bytes(*st, 0));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = hearth_db_error(db, rc, "cannot count the report");
	sqlite3_reset(*st);
	return ret;
}

/* The fields read whole in step 3: every one a count looks at but the
 * dated ones, kept from step 1. */
static const enum rec_field plain_fields[] = {
	F_TYPE, F_ATTENDANCE, F_RISK, F_PERSON, F_STATUS, F_INSTRUMENT, F_BAND,
	F_FLAGS, F_JOURNAL,
};

static hearth_status count_all(sqlite3 *db, struct tally *t)
{
	sqlite3_stmt *one = NULL;
	hearth_status ret = HEARTH_OK;

	for (size_t i = 0; i < sizeof dated_fields / sizeof dated_fields[0]; i++)
		if ((ret = scan(db, t, "SELECT record, value FROM field WHERE name = ?1"
				" AND value >= ?2 AND value < ?3",
				field_names[dated_fields[i]], on_dated,
				(int)dated_fields[i])) != HEARTH_OK)
			goto out;
	if (t->c.n == 0)
		goto out;
	for (int k = K_ACTIVITY; k <= K_FOLLOWUP; k++)
		if ((ret = scan(db, t, "SELECT id FROM record WHERE kind = ?1 AND deleted = 0",
				kind_names[k], on_kind, k)) != HEARTH_OK)
			goto out;
	for (size_t i = 0; i < sizeof plain_fields / sizeof plain_fields[0]; i++)
		if ((ret = scan(db, t, "SELECT record, value FROM field WHERE name = ?1",
				field_names[plain_fields[i]], on_field,
				(int)plain_fields[i])) != HEARTH_OK)
			goto out;
	for (size_t i = 0; i < t->c.n; i++) {
		struct cand *x = &t->c.v[i];

		/* A screening in through "at" is dated by "date" if it has
		 * one, in the period or not; a follow-up due in the period and
		 * done was overdue if it was closed after the as-of date. */
		if (x->kind == K_SCREENING && x->off[F_AT] && !x->off[F_DATE])
			ret = lookup(db, &one, t, x, F_DATE);
		else if (x->kind == K_FOLLOWUP && x->off[F_DUE] && !x->off[F_CLOSED] &&
			 x->off[F_STATUS] && strcmp(t->c.arena + x->off[F_STATUS] - 1, "done") == 0)
			ret = lookup(db, &one, t, x, F_CLOSED);
		if (ret != HEARTH_OK)
			goto out;
	}
	for (size_t i = 0; i < t->c.n; i++) {
		t->cur = &t->c.v[i];
		switch (t->cur->kind) {
		case K_ACTIVITY:
			ret = tally_activity(t);
			break;
		case K_APPT:
			ret = tally_appt(t);
			break;
		case K_SCREENING:
			ret = tally_screening(t);
			break;
		case K_FOLLOWUP:
			ret = tally_followup(t);
			break;
		default:
			break;
		}
		if (ret != HEARTH_OK)
			goto out;
	}
out:
	sqlite3_finalize(one);
	return ret;
}

/* ---- band labels and order -------------------------------------------- */

struct band_rank {
	hearth_report_band *b;
	int rank;
};

static int band_cmp(const void *pa, const void *pb)
{
	const struct band_rank *a = pa, *b = pb;
	int c = strcmp(a->b->instrument, b->b->instrument);

	if (c != 0)
		return c;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return strcmp(a->b->band, b->b->band);
}

/* Gives each band of the whole its labels ("phq9: Mild symptoms (5-9)")
 * from the instrument file, or the bare ids when the file cannot be found,
 * and sorts the bands by instrument, then in the file's order. */
static hearth_status label_whole(hearth_report_bucket *bk)
{
	struct band_rank *rk;
	hearth_report_band *sorted;
	hearth_instrument *inst = NULL;
	const char *inst_id = NULL;
	hearth_status ret = HEARTH_OK;

	if (bk->n_bands == 0)
		return HEARTH_OK;
	rk = calloc(bk->n_bands, sizeof *rk);
	sorted = calloc(bk->n_bands, sizeof *sorted);
	if (rk == NULL || sorted == NULL) {
		ret = oom();
		goto out;
	}
	/* Group by instrument first so each file is read once. */
	for (size_t i = 0; i < bk->n_bands; i++) {
		rk[i].b = &bk->bands[i];
		rk[i].rank = 0;
	}
	qsort(rk, bk->n_bands, sizeof *rk, band_cmp);
	for (size_t i = 0; i < bk->n_bands; i++) {
		hearth_report_band *b = rk[i].b;
		const char *en = b->band, *zh = b->band;

		if (inst_id == NULL || strcmp(inst_id, b->instrument) != 0) {
			hearth_instrument_free(inst);
			inst = NULL;
			inst_id = b->instrument;
			if (b->instrument[0] == '\0' ||
			    hearth_instrument_find(b->instrument, &inst) != HEARTH_OK)
				inst = NULL;
			hearth_errdetail_clear();
		}
		rk[i].rank = 1 << 20;
		for (size_t k = 0; inst != NULL && k < hearth_instrument_n_bands(inst); k++) {
			int lo, hi;
			const hearth_outcome *o = hearth_instrument_band(inst, k, &lo, &hi);

			if (o != NULL && o->id != NULL && strcmp(o->id, b->band) == 0) {
				rk[i].rank = (int)k;
				en = o->label.en;
				zh = o->label.zh_CN;
				break;
			}
		}
		if (asprintf(&b->label_en, "%s: %s", b->instrument, en) < 0) {
			b->label_en = NULL;
			ret = oom();
			goto out;
		}
		if (asprintf(&b->label_zh_CN, "%s：%s", b->instrument, zh) < 0) {
			b->label_zh_CN = NULL;
			ret = oom();
			goto out;
		}
	}
	qsort(rk, bk->n_bands, sizeof *rk, band_cmp);
	for (size_t i = 0; i < bk->n_bands; i++)
		sorted[i] = *rk[i].b;
	memcpy(bk->bands, sorted, bk->n_bands * sizeof *sorted);
out:
	hearth_instrument_free(inst);
	free(rk);
	free(sorted);
	return ret;
}

/* A bucket's bands take the labels and the order of the whole's, which
 * holds every band of every bucket. */
static hearth_status label_bucket(const hearth_report_bucket *whole,
				  hearth_report_bucket *bk)
{
	hearth_report_band *sorted;
	size_t n = 0;

	if (bk->n_bands == 0)
		return HEARTH_OK;
	if ((sorted = calloc(bk->n_bands, sizeof *sorted)) == NULL)
		return oom();
	for (size_t w = 0; w < whole->n_bands; w++) {
		const hearth_report_band *wb = &whole->bands[w];

		for (size_t i = 0; i < bk->n_bands; i++) {
			hearth_report_band *b = &bk->bands[i];

			if (strcmp(b->instrument, wb->instrument) != 0 ||
			    strcmp(b->band, wb->band) != 0)
				continue;
			sorted[n] = *b;
			sorted[n].label_en = strdup(wb->label_en);
			sorted[n].label_zh_CN = strdup(wb->label_zh_CN);
			n++;
			break;
		}
	}
	/* Every bucket band is in the whole; the labels may have failed. */
	assert(n == bk->n_bands);
	memcpy(bk->bands, sorted, n * sizeof *sorted);
	free(sorted);
	for (size_t i = 0; i < n; i++)
		if (bk->bands[i].label_en == NULL || bk->bands[i].label_zh_CN == NULL)
			return oom();
	return HEARTH_OK;
}

/* ---- building ----------------------------------------------------------- */

static const char *by_name(hearth_report_by by)
{
	return by == HEARTH_REPORT_MONTH ? "month" : by == HEARTH_REPORT_WEEK ? "week" : "whole";
}

hearth_status hearth_report_build(hearth_store *s, const char *from,
				  const char *to, hearth_report_by by,
				  const char *today, hearth_report **out)
{
	hearth_report *r = NULL;
	hearth_status ret;
	struct tally q;
	int32_t dfrom, dto, dtoday;
	char to_next[HEARTH_DATE_LEN + 1], detail[64];
	hearth_store_step step = {0};

	if (out != NULL)
		*out = NULL;
	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "report without a store");
	if ((ret = hearth_date_parse(from, &dfrom)) != HEARTH_OK ||
	    (ret = hearth_date_parse(to, &dto)) != HEARTH_OK ||
	    (ret = hearth_date_parse(today, &dtoday)) != HEARTH_OK)
		return ret;
	if (dfrom > dto)
		return hearth_fail(HEARTH_EINVAL,
			"the report period starts (%s) after it ends (%s)", from, to);
	if (dto - dfrom + 1 > HEARTH_REPORT_MAX_DAYS)
		return hearth_fail(HEARTH_EINVAL,
			"the report period %s to %s is longer than %d days",
			from, to, HEARTH_REPORT_MAX_DAYS);
	if ((unsigned)by > HEARTH_REPORT_WEEK)
		return hearth_fail(HEARTH_EINVAL, "unknown report grouping %d", (int)by);

	r = calloc(1, sizeof *r);
	if (r == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory for a report");
	r->by = by;
	hearth_date_format(dfrom, r->from);
	hearth_date_format(dto, r->to);
	hearth_date_format(dtoday < dto ? dtoday : dto, r->as_of);
	hearth_date_format(dto + 1, to_next);
	snprintf(r->whole.label, sizeof r->whole.label, "%s", "");
	snprintf(r->whole.from, sizeof r->whole.from, "%s", r->from);
	snprintf(r->whole.to, sizeof r->whole.to, "%s", r->to);
	memset(&q, 0, sizeof q);
	q.r = r;
	q.from = r->from;
	q.to_next = to_next;
	q.as_of = r->as_of;
	if ((ret = make_buckets(r, dfrom, dto, &q.base)) != HEARTH_OK)
		goto out;

	/* One transaction: every count sees the same data, and the audit
	 * entry lands with it. */
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		goto out;
	if ((ret = hearth_cw_moves_load(s, &q.moves)) != HEARTH_OK ||
	    (ret = count_all(hearth_store_db(s), &q)) != HEARTH_OK)
		goto out;
	if ((ret = label_whole(&r->whole)) != HEARTH_OK)
		goto out;
	for (size_t i = 0; i < r->n_buckets; i++)
		if ((ret = label_bucket(&r->whole, &r->buckets[i])) != HEARTH_OK)
			goto out;
	snprintf(detail, sizeof detail, "%s..%s by %s", r->from, r->to, by_name(by));
	ret = hearth_audit_append(s, "report", NULL, detail);
out:
	ret = hearth_store_step_end(s, &step, ret);
	people_release(&q.people);
	hearth_cw_moves_release(&q.moves);
	cands_release(&q.c);
	if (ret != HEARTH_OK) {
		hearth_report_free(r);
		return ret;
	}
	*out = r;
	return HEARTH_OK;
}

/* ---- CSV --------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		char *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* One CSV field, quoted when it holds a comma, a quote or a line end
 * (RFC 4180). */
static void csv_field(struct buf *b, const char *s, int first)
{
	if (!first)
		buf_put(b, ",", 1);
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_put(b, s, strlen(s));
		return;
	}
	buf_put(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_put(b, "\"\"", 2);
		else
			buf_put(b, p, 1);
	}
	buf_put(b, "\"", 1);
}

static int64_t bucket_band(const hearth_report_bucket *b, const hearth_report_band *want)
{
	for (size_t i = 0; i < b->n_bands; i++)
		if (strcmp(b->bands[i].instrument, want->instrument) == 0 &&
		    strcmp(b->bands[i].band, want->band) == 0)
			return b->bands[i].n;
	return 0;
}

static void csv_row(struct buf *out, const hearth_report *r,
		    const hearth_report_bucket *b, const char *period)
{
	char num[24];

	csv_field(out, period, 1);
	csv_field(out, b->from, 0);
	csv_field(out, b->to, 0);
	for (int m = 0; m < HEARTH_M_COUNT; m++)
		csv_field(out, hearth_report_suppress(b->m[m], num, sizeof num), 0);
	/* The whole lists every band that occurs in any bucket. */
	for (size_t i = 0; i < r->whole.n_bands; i++)
		csv_field(out, hearth_report_suppress(bucket_band(b, &r->whole.bands[i]),
						      num, sizeof num), 0);
	buf_put(out, "\r\n", 2);
}

hearth_status hearth_report_csv(const hearth_report *r, const char *lang,
				char **out, size_t *len)
{
	struct buf b = { 0 };
	int zh = lang != NULL && strncmp(lang, "zh", 2) == 0;

	if (out != NULL)
		*out = NULL;
	if (r == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no report to write as CSV");
	buf_put(&b, "\xEF\xBB\xBF", 3);
	csv_field(&b, word(N_("Period"), lang), 1);
	csv_field(&b, word(N_("From"), lang), 0);
	csv_field(&b, word(N_("To"), lang), 0);
	for (int m = 0; m < HEARTH_M_COUNT; m++)
		csv_field(&b, hearth_metric_label((hearth_metric)m, lang), 0);
	for (size_t i = 0; i < r->whole.n_bands; i++)
		csv_field(&b, zh ? r->whole.bands[i].label_zh_CN
			      : r->whole.bands[i].label_en, 0);
	buf_put(&b, "\r\n", 2);
	for (size_t i = 0; i < r->n_buckets; i++)
		csv_row(&b, r, &r->buckets[i], r->buckets[i].label);
	csv_row(&b, r, &r->whole, word(N_("Total"), lang));
	if (b.oom) {
		free(b.p);
		return hearth_fail(HEARTH_ENOMEM, "out of memory for a CSV report");
	}
	*out = b.p;
	if (len != NULL)
		*len = b.len;
	return HEARTH_OK;
}

hearth_status hearth_report_export_csv(hearth_store *s, const hearth_report *r,
				       const char *lang, const char *path)
{
	hearth_status ret;
	char *csv = NULL, detail[80];
	size_t len = 0;
	FILE *f = NULL;
	hearth_store_step step = {0};

	if (s == NULL || r == NULL || path == NULL || path[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "CSV export without a store, report or file");
	if ((ret = hearth_report_csv(r, lang, &csv, &len)) != HEARTH_OK)
		return ret;
	/* The audit entry is written first and kept only if the file was
	 * written, so the log never misses an export nor claims a failed one. */
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		goto out;
	snprintf(detail, sizeof detail, "csv %s..%s by %s", r->from, r->to, by_name(r->by));
	if ((ret = hearth_audit_append(s, "export", NULL, detail)) != HEARTH_OK)
		goto out;
	f = fopen(path, "wb");
	if (f == NULL) {
		ret = hearth_fail(HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fwrite(csv, 1, len, f) != len || fflush(f) != 0) {
		ret = hearth_fail(HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		ret = hearth_fail(HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	f = NULL;
out:
	if (f != NULL)
		fclose(f);
	ret = hearth_store_step_end(s, &step, ret);
	free(csv);
	return ret;
}

hearth_status hearth_report_export(hearth_store *s, const char *from,
				   const char *to, hearth_report_by by,
				   const char *today, const char *lang,
				   const char *csv_path, hearth_report **out)
{
	hearth_report *r = NULL;
	hearth_cw_tx tx;
	hearth_status ret;

	if (out != NULL)
		*out = NULL;
	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output for the report");
	/* One transaction for both: a CSV that cannot be written takes the
	 * report's audit entry with it, and nothing at all is changed. */
	if ((ret = hearth_cw_begin(s, &tx)) != HEARTH_OK)
		return ret;
	ret = hearth_report_build(s, from, to, by, today, &r);
	if (ret == HEARTH_OK && csv_path != NULL)
		ret = hearth_report_export_csv(s, r, lang, csv_path);
	if ((ret = hearth_cw_end(s, &tx, ret)) != HEARTH_OK) {
		hearth_report_free(r);
		return ret;
	}
	*out = r;
	return HEARTH_OK;
}
