/*
 * screening.c - saving a scored screening, the safety rule, the crisis
 * card.  See hearth/screening.h.
 *
 * The order of work matters: everything that can refuse the screening
 * (bad answers, an incomplete form, an unknown person) is checked before
 * anything is written, and every write (the screening, the person's risk,
 * the follow-up, the audit entry) happens in one transaction, so a refusal
 * or a failure leaves no trace.  A safety result is never refused for
 * want of the action taken: it is saved with the action pending, because
 * a dialog that asks first can be closed, locked or lost, and the result
 * with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "casework_private.h"
#include "hearth/audit.h"
#include "hearth/followup.h"
#include "hearth/person.h"
#include "hearth/screening.h"
#include "hearth/timeutil.h"

#define ACTION_MAX HEARTH_CW_ACTION_MAX

/* Field action_status of a safety result: the action taken is still to be
 * recorded, or has been. */
#define ACTION_PENDING "pending"
#define ACTION_RECORDED "recorded"

/* ---- the crisis card ---- */

static const hearth_text crisis_title = {
	"Safety first: act now", "安全第一：立即行动", 0};

static const hearth_text crisis_steps[] = {
	{"Stay with the person: do not leave them alone.",
	 "陪伴在对方身边：不要让对方独处。", 0},
	{"Remove the means: if it is safe to do so, take away or lock up "
	 "anything they could use to hurt themselves (medicines, blades, "
	 "ropes, pesticides).",
	 "移除危险物品：在确保安全的前提下，拿走或锁好可能用来伤害自己的物品"
	 "（药物、刀片、绳索、农药等）。", 0},
	{"Call a help line now:", "立即拨打求助电话：", 0},
	{"Tell your supervisor today, and record the action taken.",
	 "当天告知您的督导，并记录所采取的行动。", 0},
};
#define N_STEPS (sizeof crisis_steps / sizeof crisis_steps[0])

const hearth_text *hearth_crisis_steps(size_t *n)
{
	if (n != NULL)
		*n = N_STEPS;
	return crisis_steps;
}

const hearth_text *hearth_crisis_title(void)
{
	return &crisis_title;
}

/* A growing string. */
struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void buf_add(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

static hearth_status buf_take(struct buf *b, char **out)
{
	if (!b->failed && b->p == NULL)
		buf_add(b, "");
	if (b->failed) {
		free(b->p);
		*out = NULL;
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	}
	*out = b->p;
	return HEARTH_OK;
}

static const hearth_text verified_on = {"verified %s", "%s 已核实", 0};
static const hearth_text not_verified = {"not verified", "未核实", 0};

/* "     Name: 12356 (24 h; verified 2026-12-01)", in lang. */
static void add_line(struct buf *b, const hearth_helpline *l, const char *lang)
{
	int zh = lang != NULL && lang[0] == 'z';
	char ver[64];

	if (l->verified != NULL && l->verified[0] != '\0')
		snprintf(ver, sizeof ver, hearth_text_get(&verified_on, lang),
			 l->verified);
	else
		snprintf(ver, sizeof ver, "%s",
			 hearth_text_get(&not_verified, lang));
	buf_add(b, "     ");
	buf_add(b, l->name);
	buf_add(b, zh ? "：" : ": ");
	buf_add(b, l->number);
	buf_add(b, zh ? "（" : " (");
	if (l->hours != NULL && l->hours[0] != '\0') {
		buf_add(b, l->hours);
		buf_add(b, zh ? "；" : "; ");
	}
	buf_add(b, ver);
	buf_add(b, zh ? "）\n" : ")\n");
}

hearth_status hearth_crisis_card_format(const hearth_helpline *lines, size_t n,
					const char *supervisor,
					const char *lang, char **out)
{
	struct buf b = {0};
	char num[16];
	size_t i, j;

	if (out == NULL || (lines == NULL && n > 0))
		return hearth_fail(HEARTH_EINVAL, "no output for the crisis card");
	buf_add(&b, hearth_text_get(&crisis_title, lang));
	buf_add(&b, "\n");
	for (i = 0; i < N_STEPS; i++) {
		snprintf(num, sizeof num, "%zu. ", i + 1);
		buf_add(&b, num);
		buf_add(&b, hearth_text_get(&crisis_steps[i], lang));
		buf_add(&b, "\n");
		if (i == 2) {
			for (j = 0; j < n; j++)
				add_line(&b, &lines[j], lang);
		}
		if (i == 3 && supervisor != NULL && supervisor[0] != '\0') {
			buf_add(&b, "     ");
			buf_add(&b, lang != NULL && lang[0] == 'z' ? "督导："
								   : "Supervisor: ");
			buf_add(&b, supervisor);
			buf_add(&b, "\n");
		}
	}
	return buf_take(&b, out);
}

hearth_status hearth_crisis_card(hearth_store *s, const char *lang, char **out)
{
	hearth_helpline *lines = NULL;
	char *sup = NULL;
	size_t n = 0;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output for the "
				   "crisis card");
	*out = NULL;
	if ((st = hearth_settings_helplines(s, lang, &lines, &n)) != HEARTH_OK)
		return st;
	if ((st = hearth_settings_get(s, HEARTH_SETTING_SUPERVISOR, &sup)) !=
	    HEARTH_OK)
		goto out;
	st = hearth_crisis_card_format(lines, n, sup, lang, out);
out:
	free(sup);
	hearth_helplines_free(lines, n);
	return st;
}

/* ---- scoring with the vault's settings ---- */

hearth_status hearth_screening_cutoff(hearth_store *s,
				      const hearth_instrument *inst,
				      int *cutoff)
{
	const char *setting = NULL;
	const int *choices;
	char *value = NULL, *end;
	long v;
	size_t i, n;
	int has;
	hearth_status st;

	if (s == NULL || inst == NULL || cutoff == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or instrument");
	*cutoff = hearth_instrument_cutoff(inst, &has, NULL, &setting);
	if (!has || setting == NULL)
		return HEARTH_OK;
	st = hearth_settings_get(s, setting, &value);
	if (st == HEARTH_ENOTFOUND) {
		/* The instrument names a setting this build does not know:
		 * its default stands. */
		hearth_errdetail_clear();
		return HEARTH_OK;
	}
	if (st != HEARTH_OK)
		return st;
	v = strtol(value, &end, 10);
	n = hearth_instrument_cutoff_choices(inst, &choices);
	for (i = 0; *end == '\0' && end != value && i < n; i++)
		if (choices[i] == v)
			*cutoff = (int)v;
	free(value);
	return HEARTH_OK;
}

/* Did the safety rule fire: the "safety" flag (or a high risk level), or
 * an outcome that asks for the same-day safety follow-up? */
static int score_safety(const hearth_score *sc)
{
	size_t i;

	if (sc->safety)
		return 1;
	for (i = 0; i < sc->n_outcomes; i++)
		if (sc->outcomes[i]->action.kind == HEARTH_ACTION_SAFETY)
			return 1;
	return 0;
}

int hearth_score_further_check(const hearth_score *score)
{
	return score != NULL && (score->positive || score_safety(score));
}

hearth_status hearth_score_next_steps(const hearth_score *score,
				      const char *lang, char **out)
{
	struct buf b = {0};
	size_t i, j;
	int safety;

	if (score == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no score");
	safety = score_safety(score);
	for (i = 0; i < score->n_outcomes; i++) {
		const char *t = hearth_text_get(&score->outcomes[i]->next_step,
						lang);
		/* A band that asks nothing says "no further check suggested
		 * now"; under a safety flag that is wrong, and the safety
		 * rule's own step says what to do instead. */
		if (safety && score->outcomes[i]->action.kind ==
			      HEARTH_ACTION_NONE)
			continue;
		/* Two rules may say the same thing; say it once. */
		for (j = 0; j < i; j++)
			if (strcmp(hearth_text_get(&score->outcomes[j]->next_step,
						   lang), t) == 0)
				break;
		if (j < i)
			continue;
		if (b.len > 0)
			buf_add(&b, "\n");
		buf_add(&b, t);
	}
	return buf_take(&b, out);
}

/* ---- saving ---- */

static int blank(const char *s)
{
	if (s == NULL)
		return 1;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* The answers as a JSON array, null for an item not asked. */
static char *answers_json(const int *answers, size_t n)
{
	json_t *arr = json_array();
	char *out = NULL;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		json_t *v = answers[i] == HEARTH_ANSWER_NONE
				    ? json_null()
				    : json_integer(answers[i]);
		if (v == NULL || json_array_append_new(arr, v) != 0)
			goto out;
	}
	out = json_dumps(arr, JSON_COMPACT);
out:
	json_decref(arr);
	return out;
}

static char *flags_json(const hearth_score *sc)
{
	json_t *arr = json_array();
	char *out = NULL;
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < sc->n_flags; i++)
		if (json_array_append_new(arr, json_string(sc->flags[i])) != 0)
			goto out;
	out = json_dumps(arr, JSON_COMPACT);
out:
	json_decref(arr);
	return out;
}

/* The follow-up the outcomes ask for, other than safety: the soonest;
 * at equal days a high-priority one.  NULL when none asks. */
static const hearth_next_action *pick_followup(const hearth_score *sc)
{
	const hearth_next_action *best = NULL;
	size_t i;

	for (i = 0; i < sc->n_outcomes; i++) {
		const hearth_next_action *a = &sc->outcomes[i]->action;
		if (a->kind != HEARTH_ACTION_FOLLOWUP)
			continue;
		if (best == NULL || a->days < best->days ||
		    (a->days == best->days && a->high_priority &&
		     !best->high_priority))
			best = a;
	}
	return best;
}

static hearth_status set_int(hearth_store *s, const hearth_id *id,
			     const char *field, int v)
{
	char num[24];

	snprintf(num, sizeof num, "%d", v);
	return hearth_record_set(s, id, field, num);
}

hearth_status hearth_screening_save(hearth_store *s,
				    const hearth_instrument *inst,
				    const hearth_screening_input *in,
				    hearth_screening_result *out)
{
	hearth_screening_result res;
	hearth_score_options opt = {0};
	hearth_record *person = NULL;
	char today[HEARTH_DATE_LEN + 1], due[HEARTH_DATE_LEN + 1];
	char hex[HEARTH_ID_HEX + 1], detail[96];
	char *answers = NULL, *flags = NULL, *steps = NULL;
	const char *lang, *id_str;
	const hearth_next_action *fu;
	hearth_store_step step = {0};
	int is_datetime = 0;
	int32_t day;
	int64_t minutes;
	hearth_status st;

	if (s == NULL || inst == NULL || in == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, instrument or "
				   "screening given");
	memset(&res, 0, sizeof res);
	lang = in->lang == NULL ? "en" : hearth_lang_normalise(in->lang);
	if (lang == NULL)
		return hearth_fail(HEARTH_EINVAL, "unknown language '%.20s': use "
				   "en or zh_CN", in->lang);
	if (in->at == NULL)
		return hearth_fail(HEARTH_EINVAL, "no date for the screening");
	if (strlen(in->at) == HEARTH_DATE_LEN) {
		if ((st = hearth_date_parse(in->at, &day)) != HEARTH_OK)
			return st;
	} else {
		if ((st = hearth_datetime_parse(in->at, &minutes)) != HEARTH_OK)
			return st;
		day = hearth_datetime_day(minutes);
		is_datetime = 1;
	}
	hearth_date_format(day, today);
	if (in->action_taken != NULL && strlen(in->action_taken) > ACTION_MAX)
		return hearth_fail(HEARTH_EINVAL, "the action taken is longer "
				   "than %u bytes", ACTION_MAX);
	if ((st = hearth_instrument_check_difficulty(inst, in->difficulty)) !=
	    HEARTH_OK)
		return st;
	if ((st = hearth_screening_cutoff(s, inst, &opt.cutoff)) != HEARTH_OK)
		return st;
	if ((st = hearth_instrument_score(inst, in->answers, in->n_answers,
					  &opt, &res.score)) != HEARTH_OK)
		return st;
	/* A safety result is saved whether or not the action taken is
	 * known yet; without it, it is saved with the action pending and
	 * the caller asks for it (hearth_screening_record_action). */
	res.safety = score_safety(&res.score);
	res.action_pending = res.safety && blank(in->action_taken);
	if ((st = hearth_person_check(s, &in->person)) != HEARTH_OK ||
	    (st = hearth_record_load(s, &in->person, &person)) != HEARTH_OK)
		return st;

	answers = answers_json(in->answers, in->n_answers);
	flags = flags_json(&res.score);
	if (answers == NULL || flags == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		goto out;
	}
	if ((st = hearth_score_next_steps(&res.score, lang, &steps)) !=
	    HEARTH_OK)
		goto out;

	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		goto out;
	if ((st = hearth_record_create(s, &person->space,
				       HEARTH_SCREENING_KIND, &res.id)) !=
	    HEARTH_OK)
		goto out;
	hearth_id_to_hex(&in->person, hex);
	id_str = hearth_instrument_id(inst);
#define SET(f, v) do { \
		if ((st = hearth_record_set(s, &res.id, (f), (v))) != \
		    HEARTH_OK) \
			goto out; \
	} while (0)
	SET("person", hex);
	SET("instrument", id_str);
	SET("version", hearth_instrument_version(inst));
	SET("answers", answers);
	if (in->difficulty != HEARTH_ANSWER_NONE &&
	    (st = set_int(s, &res.id, "difficulty", in->difficulty)) !=
	    HEARTH_OK)
		goto out;
	if ((st = set_int(s, &res.id, "total", res.score.total)) != HEARTH_OK ||
	    (st = set_int(s, &res.id, "display", res.score.display)) !=
	    HEARTH_OK)
		goto out;
	SET("band", res.score.band->id);
	SET("positive", res.score.positive ? "1" : "0");
	if (res.score.cutoff != 0 &&
	    (st = set_int(s, &res.id, "cutoff", res.score.cutoff)) != HEARTH_OK)
		goto out;
	SET("flags", flags);
	if (res.score.risk != NULL)
		SET("risk", res.score.risk);
	if (res.score.suggest != NULL)
		SET("suggest", res.score.suggest);
	SET("next_step", steps);
	SET("lang", lang);
	SET("translation", hearth_instrument_translation(inst));
	if (!blank(in->action_taken))
		SET("action_taken", in->action_taken);
	if (res.safety)
		SET("action_status", res.action_pending ? ACTION_PENDING
							: ACTION_RECORDED);
	SET("date", today);
	if (is_datetime)
		SET("at", in->at);
#undef SET

	if (res.safety) {
		/* Stored as a code: the label is written in the reader's
		 * language when shown (hearth_followup_reason_text). */
		hearth_followup_reason why = { .code = "screening_safety",
					       .instrument = id_str };

		if ((st = hearth_followup_create_safety(s, &in->person, today,
							"screening", &res.id,
							&why,
							&res.followup)) !=
		    HEARTH_OK)
			goto out;
		res.person_marked_high = 1;
		res.has_followup = 1;
		res.followup_high = 1;
		memcpy(res.followup_due, today, sizeof today);
	} else if ((fu = pick_followup(&res.score)) != NULL) {
		hearth_followup_new f;
		if ((st = hearth_date_add_days(today, fu->days, due)) !=
		    HEARTH_OK)
			goto out;
		memset(&f, 0, sizeof f);
		f.person = in->person;
		f.due = due;
		f.reason_code = "screening_band";
		f.reason_instrument = id_str;
		f.reason_band = res.score.band->id;
		f.priority = fu->high_priority ? "high" : "normal";
		f.source = "screening";
		f.origin = &res.id;
		if ((st = hearth_followup_add(s, &f, today, &res.followup)) !=
		    HEARTH_OK)
			goto out;
		res.has_followup = 1;
		res.followup_high = fu->high_priority;
		memcpy(res.followup_due, due, sizeof due);
	}
	snprintf(detail, sizeof detail, "%s %s%s%s", id_str,
		 res.score.band->id, res.safety ? " safety" : "",
		 res.action_pending ? " action-pending" : "");
	if ((st = hearth_audit_append(s, "screening.add", &res.id, detail)) !=
	    HEARTH_OK)
		goto out;
out:
	st = hearth_store_step_end(s, &step, st);
	if (st == HEARTH_OK)
		*out = res;
	hearth_record_free(person);
	free(answers);
	free(flags);
	free(steps);
	return st;
}

/* ---- the action taken, recorded after the save ---- */

hearth_status hearth_screening_record_action(hearth_store *s,
					     const hearth_id *screening,
					     const char *action,
					     const char *at)
{
	hearth_record *rec = NULL;
	const char *status;
	char hex[HEARTH_ID_HEX + 1];
	hearth_cw_tx tx;
	int32_t day;
	int64_t minutes;
	hearth_status st;

	if (s == NULL || screening == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or screening given");
	if ((st = hearth_cw_action_check(action)) != HEARTH_OK)
		return st;
	if (at == NULL)
		return hearth_fail(HEARTH_EINVAL, "no date for the action taken");
	st = strlen(at) == HEARTH_DATE_LEN ? hearth_date_parse(at, &day)
					   : hearth_datetime_parse(at, &minutes);
	if (st != HEARTH_OK)
		return st;
	if ((st = hearth_cw_begin(s, &tx)) != HEARTH_OK)
		return st;
	if ((st = hearth_cw_load(s, screening, HEARTH_SCREENING_KIND, &rec)) !=
	    HEARTH_OK)
		goto out;
	hearth_id_to_hex(screening, hex);
	status = hearth_record_field(rec, "action_status");
	if (status == NULL || strcmp(status, ACTION_PENDING) != 0) {
		st = status != NULL && strcmp(status, ACTION_RECORDED) == 0
			     ? hearth_fail(HEARTH_ESTATE, "the action taken on "
					   "screening %.8s is recorded already",
					   hex)
			     : hearth_fail(HEARTH_ESTATE, "screening %.8s raised "
					   "no safety flag: no action is pending",
					   hex);
		goto out;
	}
	if ((st = hearth_record_set(s, screening, "action_taken", action)) !=
	    HEARTH_OK ||
	    (st = hearth_record_set(s, screening, "action_status",
				    ACTION_RECORDED)) != HEARTH_OK ||
	    (st = hearth_record_set(s, screening, "action_at", at)) !=
	    HEARTH_OK)
		goto out;
	/* The detail names the instrument only: the action is free text
	 * about a person and stays in the record. */
	st = hearth_audit_append(s, "screening.action", screening,
				 hearth_cw_field(rec, "instrument"));
out:
	hearth_record_free(rec);
	return hearth_cw_end(s, &tx, st);
}

struct pending_ctx {
	hearth_pending_action *v;
	size_t n, cap;
	const hearth_id *person; /* NULL for everyone */
	hearth_cw_people *people;
};

static hearth_status pending_cb(const hearth_cw_rec *r, void *arg)
{
	struct pending_ctx *c = arg;
	const char *person = hearth_cw_get(r, "person");
	const char *date = hearth_cw_get(r, "date");
	hearth_pending_action *p;
	char *name = NULL;
	int live;

	if (person == NULL)
		return HEARTH_OK;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		hearth_pending_action *nv = realloc(c->v, cap * sizeof *nv);
		if (nv == NULL)
			return hearth_fail(HEARTH_ENOMEM, "out of memory");
		c->v = nv;
		c->cap = cap;
	}
	p = &c->v[c->n];
	memset(p, 0, sizeof *p);
	if (!hearth_cw_id(person, &p->person))
		return HEARTH_OK;
	/* A screening written for a moved person's original (on a device
	 * that had not heard of the move) is the copy's: its person
	 * resolves to the copy (casework_private.h, moved people). */
	live = hearth_cw_people_get(c->people, &p->person, &name, &p->person);
	if (live < 0)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	/* A deleted person's screening is not worked on any more. */
	if (live == 0 || (c->person != NULL && !hearth_id_equal(&p->person, c->person))) {
		free(name);
		return HEARTH_OK;
	}
	p->screening = r->id;
	p->person_name = name;
	p->instrument = hearth_cw_strdup(hearth_cw_get(r, "instrument"));
	snprintf(p->date, sizeof p->date, "%s", date != NULL ? date : "");
	c->n++;
	if (p->instrument == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	return HEARTH_OK;
}

/* Oldest first: by date, creation order within a day (the order the
 * records came in; an insertion sort keeps it, and the list is short). */
static void pending_sort(hearth_pending_action *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		hearth_pending_action t = v[i];
		for (j = i; j > 0 && strcmp(v[j - 1].date, t.date) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

hearth_status hearth_screening_pending_actions(hearth_store *s,
					       const hearth_id *person,
					       hearth_pending_action **out,
					       size_t *n)
{
	struct pending_ctx c;
	hearth_status st;

	if (s == NULL || out == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output for "
				   "pending actions");
	*out = NULL;
	*n = 0;
	memset(&c, 0, sizeof c);
	c.person = person;
	if ((st = hearth_cw_people_open(s, &c.people)) != HEARTH_OK)
		return st;
	/* Few screenings are ever pending: the field index finds them
	 * without reading the others. */
	st = hearth_cw_select_eq(s, HEARTH_SCREENING_KIND, "action_status",
				 ACTION_PENDING, pending_cb, &c);
	hearth_cw_people_close(c.people);
	if (st != HEARTH_OK) {
		hearth_pending_actions_free(c.v, c.n);
		return st;
	}
	pending_sort(c.v, c.n);
	*out = c.v;
	*n = c.n;
	return HEARTH_OK;
}

void hearth_pending_actions_free(hearth_pending_action *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].person_name);
		free(v[i].instrument);
	}
	free(v);
}

/* ---- one screening, end to end ---- */

/* The crisis card in lang: the vault's help lines and supervisor, or,
 * when the vault's settings cannot be read, the default help lines, so
 * the card shows whatever else fails.  NULL only when memory runs out. */
static char *crisis_text(hearth_store *s, const char *lang)
{
	hearth_helpline *lines = NULL;
	char *card = NULL;
	size_t n = 0;

	if (hearth_crisis_card(s, lang, &card) == HEARTH_OK)
		return card;
	if (hearth_helplines_default(lang, &lines, &n) != HEARTH_OK ||
	    hearth_crisis_card_format(lines, n, NULL, lang, &card) != HEARTH_OK)
		card = NULL;
	hearth_helplines_free(lines, n);
	return card;
}

hearth_status hearth_screening_run(hearth_store *s,
				   const hearth_instrument *inst,
				   const hearth_screening_input *in,
				   hearth_screening_run_result *out)
{
	const char *lang;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, instrument or "
				   "screening given");
	memset(out, 0, sizeof *out);
	if ((st = hearth_screening_save(s, inst, in, &out->saved)) != HEARTH_OK)
		return st;
	/* Saved: from here on nothing may report a failure, or a face would
	 * tell the counsellor that a result in the vault was lost.  What
	 * follows only dresses the result for showing; a piece that cannot
	 * be made for want of memory is left NULL. */
	lang = in->lang == NULL ? "en" : hearth_lang_normalise(in->lang);
	out->crisis_card = out->saved.safety;
	out->further_check = hearth_score_further_check(&out->saved.score);
	if (hearth_score_next_steps(&out->saved.score, lang, &out->next_steps) !=
	    HEARTH_OK)
		out->next_steps = NULL;
	if (out->crisis_card)
		out->crisis_text = crisis_text(s, lang);
	if (out->saved.action_pending) {
		hearth_pending_action *p = &out->pending;

		p->screening = out->saved.id;
		p->person = in->person;
		p->person_name = hearth_cw_person_name(s, &in->person);
		p->instrument = hearth_cw_strdup(hearth_instrument_id(inst));
		/* The date part of in->at, which the save has checked. */
		snprintf(p->date, sizeof p->date, "%.*s", HEARTH_DATE_LEN,
			 in->at);
	}
	hearth_errdetail_clear();
	return HEARTH_OK;
}

void hearth_screening_run_result_free(hearth_screening_run_result *r)
{
	if (r == NULL)
		return;
	free(r->next_steps);
	free(r->crisis_text);
	free(r->pending.person_name);
	free(r->pending.instrument);
	memset(r, 0, sizeof *r);
}
