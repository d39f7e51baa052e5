/*
 * activities.c - hotline calls, call-backs, group sessions, lectures and
 * outreach: what the service delivered, with the safety rule for calls that
 * reveal high risk.
 *
 * The safety rule needs a person to follow up.  A high-risk anonymous call
 * is still recorded (the service must count it), marked safety
 * "unattached", and the caller is told so it can say that no follow-up
 * could be attached: refusing to record the call would lose the fact that
 * it happened, and inventing a person would put a stranger in the caseload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casework_private.h"
#include "hearth/audit.h"
#include "hearth/activity.h"
#include "hearth/followup.h"
#include "hearth/person.h"
#include "hearth/timeutil.h"

static int blank(const char *s)
{
	return s == NULL || s[0] == '\0';
}

hearth_status hearth_activity_add(hearth_store *s, const hearth_activity_new *a,
				  const char *today, hearth_activity_added *out)
{
	hearth_activity_added res;
	hearth_id id;
	hearth_cw_tx tx;
	hearth_status st;
	int32_t d;
	char num[16];
	int high;

	if (s == NULL || a == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or activity given");
	memset(&res, 0, sizeof res);
	if (hearth_activity_type_parse(a->type, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	st = hearth_date_parse(a->date, &d);
	if (st != HEARTH_OK)
		return st;
	st = hearth_cw_today(today, NULL);
	if (st != HEARTH_OK)
		return st;
	if (!blank(a->risk) && hearth_risk_parse(a->risk, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	if (hearth_cw_multiline(a->topic) || hearth_cw_multiline(a->unit))
		return hearth_fail(HEARTH_EINVAL, "a topic or unit is one line");
	high = !blank(a->risk) && strcmp(a->risk, "high") == 0;

	st = hearth_cw_begin(s, &tx);
	if (st != HEARTH_OK)
		return st;
	if (a->person != NULL) {
		st = hearth_person_check(s, a->person);
		if (st != HEARTH_OK)
			goto out;
	}
	st = hearth_cw_create_for(s, a->person, "activity", &id);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "type", a->type);
	if (st == HEARTH_OK)
		st = hearth_record_set(s, &id, "date", a->date);
	if (st == HEARTH_OK && a->person != NULL)
		st = hearth_cw_set_id(s, &id, "person", a->person);
	if (st == HEARTH_OK)
		st = hearth_cw_set(s, &id, "topic", a->topic);
	if (st == HEARTH_OK)
		st = hearth_cw_set(s, &id, "unit", a->unit);
	if (st == HEARTH_OK && a->attendance >= 0) {
		snprintf(num, sizeof num, "%d", a->attendance);
		st = hearth_record_set(s, &id, "attendance", num);
	}
	if (st == HEARTH_OK && a->minutes >= 0) {
		snprintf(num, sizeof num, "%d", a->minutes);
		st = hearth_record_set(s, &id, "minutes", num);
	}
	if (st == HEARTH_OK)
		st = hearth_cw_set(s, &id, "risk", a->risk);
	if (st == HEARTH_OK)
		st = hearth_cw_set(s, &id, "outcome", a->outcome);
	if (st == HEARTH_OK)
		st = hearth_audit_append(s, "activity.add", &id, a->type);
	if (st != HEARTH_OK)
		goto out;
	res.id = id;
	if (high && a->person != NULL) {
		int hotline = strcmp(a->type, "hotline") == 0;
		hearth_followup_reason why;

		memset(&why, 0, sizeof why);
		why.code = hotline ? "hotline_safety" : "crisis";
		st = hearth_cw_safety_locked(s, a->person, today,
					     hotline ? "hotline" : "crisis", &id, &why,
					     &res.followup);
		if (st == HEARTH_OK)
			st = hearth_cw_set_id(s, &id, "followup", &res.followup);
		res.safety = HEARTH_ACTIVITY_SAFETY_FOLLOWUP;
	} else if (high) {
		st = hearth_record_set(s, &id, "safety", "unattached");
		res.safety = HEARTH_ACTIVITY_SAFETY_UNATTACHED;
	}
out:
	st = hearth_cw_end(s, &tx, st);
	if (st == HEARTH_OK && out != NULL)
		*out = res;
	return st;
}

hearth_status hearth_activity_record_action(hearth_store *s,
					    const hearth_id *activity,
					    const char *action)
{
	hearth_record *rec = NULL;
	char hex[HEARTH_ID_HEX + 1];
	hearth_cw_tx tx;
	hearth_status st;

	if (s == NULL || activity == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or activity given");
	if ((st = hearth_cw_action_check(action)) != HEARTH_OK)
		return st;
	if ((st = hearth_cw_begin(s, &tx)) != HEARTH_OK)
		return st;
	if ((st = hearth_cw_load(s, activity, "activity", &rec)) != HEARTH_OK)
		goto out;
	hearth_id_to_hex(activity, hex);
	if (strcmp(hearth_cw_field(rec, "risk"), "high") != 0) {
		st = hearth_fail(HEARTH_ESTATE, "activity %.8s was not high "
				 "risk: no action is asked for", hex);
		goto out;
	}
	if (hearth_cw_field(rec, "action_taken")[0] != '\0') {
		st = hearth_fail(HEARTH_ESTATE, "the action taken on activity "
				 "%.8s is recorded already", hex);
		goto out;
	}
	if ((st = hearth_record_set(s, activity, "action_taken", action)) !=
	    HEARTH_OK)
		goto out;
	/* The detail names the type only: the action is free text about a
	 * person and stays in the record. */
	st = hearth_audit_append(s, "activity.action", activity,
				 hearth_cw_field(rec, "type"));
out:
	hearth_record_free(rec);
	return hearth_cw_end(s, &tx, st);
}

typedef struct act_ctx {
	int32_t from, to;
	const char *type;
	hearth_cw_people *people;
	hearth_cw_list list; /* of hearth_activity_item */
} act_ctx;

static void act_item_release(void *p)
{
	hearth_activity_item *it = p;

	free(it->type);
	free(it->person_name);
	free(it->topic);
	free(it->unit);
	free(it->risk);
	free(it->outcome);
	free(it->action_taken);
}

static hearth_status act_collect(const hearth_cw_rec *r, void *vctx)
{
	act_ctx *c = vctx;
	hearth_activity_item it;
	const char *type = hearth_cw_get(r, "type");
	const char *date = hearth_cw_get(r, "date");
	const char *safety = hearth_cw_get(r, "safety");
	int32_t d;

	if (c->type != NULL && (type == NULL || strcmp(type, c->type) != 0))
		return HEARTH_OK;
	if (date == NULL || hearth_date_parse(date, &d) != HEARTH_OK) {
		hearth_errdetail_clear();
		return HEARTH_OK;
	}
	if (d < c->from || d > c->to)
		return HEARTH_OK;
	memset(&it, 0, sizeof it);
	it.id = r->id;
	memcpy(it.date, date, HEARTH_DATE_LEN + 1);
	it.has_person = hearth_cw_id(hearth_cw_get(r, "person"), &it.person);
	if (it.has_person) {
		int live = hearth_cw_people_get(c->people, &it.person, &it.person_name,
						&it.person);

		if (live < 0)
			return hearth_fail(HEARTH_ENOMEM, "cannot read the person of an activity");
		if (live == 0) /* a deleted person: keep the activity, anonymously */
			it.has_person = 0;
	}
	if (it.person_name == NULL)
		it.person_name = hearth_cw_strdup("");
	it.type = hearth_cw_strdup(type);
	it.topic = hearth_cw_strdup(hearth_cw_get(r, "topic"));
	it.unit = hearth_cw_strdup(hearth_cw_get(r, "unit"));
	it.risk = hearth_cw_strdup(hearth_cw_get(r, "risk"));
	it.outcome = hearth_cw_strdup(hearth_cw_get(r, "outcome"));
	it.action_taken = hearth_cw_strdup(hearth_cw_get(r, "action_taken"));
	it.attendance = hearth_cw_int(hearth_cw_get(r, "attendance"), -1);
	it.minutes = hearth_cw_int(hearth_cw_get(r, "minutes"), -1);
	it.has_followup = hearth_cw_id(hearth_cw_get(r, "followup"), &it.followup);
	it.unattached = safety != NULL && strcmp(safety, "unattached") == 0;
	if (!it.person_name || !it.type || !it.topic || !it.unit || !it.risk || !it.outcome ||
	    !it.action_taken ||
	    hearth_cw_list_push(&c->list, &it, &r->created) != 0) {
		act_item_release(&it);
		return hearth_fail(HEARTH_ENOMEM, "out of memory listing activities");
	}
	return HEARTH_OK;
}

/* By date, then creation. */
static int act_cmp(const void *pa, const hearth_hlc *ca, const void *pb,
		   const hearth_hlc *cb)
{
	const hearth_activity_item *a = pa, *b = pb;
	int c = strcmp(a->date, b->date);

	if (c != 0)
		return c;
	return hearth_hlc_cmp(ca, cb);
}

void hearth_activities_free(hearth_activities *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		act_item_release(&l->items[i]);
	free(l->items);
	free(l);
}

hearth_status hearth_activity_list(hearth_store *s, const char *from,
				   const char *to, const char *type,
				   hearth_activities **out)
{
	act_ctx c;
	hearth_activities *l = NULL;
	hearth_cw_filter f[2];
	size_t nf = 0;
	char hi[HEARTH_DATE_LEN + 1];
	hearth_status st;

	if (out == NULL || s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or output given");
	*out = NULL;
	memset(&c, 0, sizeof c);
	hearth_cw_list_init(&c.list, sizeof(hearth_activity_item), act_item_release);
	c.from = INT32_MIN;
	c.to = INT32_MAX;
	if (type != NULL && hearth_activity_type_parse(type, NULL) != HEARTH_OK)
		return HEARTH_EINVAL;
	c.type = type;
	if (from != NULL && (st = hearth_date_parse(from, &c.from)) != HEARTH_OK)
		return st;
	if (to != NULL && (st = hearth_date_parse(to, &c.to)) != HEARTH_OK)
		return st;
	st = hearth_cw_people_open(s, &c.people);
	if (st != HEARTH_OK)
		return st;
	memset(f, 0, sizeof f);
	if (from != NULL || to != NULL) {
		/* dates sort as text; the day after `to` bounds it */
		f[nf].field = "date";
		f[nf].lo = from;
		if (to != NULL) {
			hearth_date_format(c.to + 1, hi);
			f[nf].hi = hi;
		}
		nf++;
	}
	if (type != NULL) {
		f[nf].field = "type";
		f[nf].values = &type;
		f[nf++].nvalues = 1;
	}
	st = hearth_cw_select(s, "activity", f, nf, act_collect, &c);
	if (st != HEARTH_OK)
		goto out;
	l = calloc(1, sizeof *l);
	if (l == NULL || (l->items = hearth_cw_list_take(&c.list, act_cmp, &l->n)) == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory listing activities");
		goto out;
	}
	*out = l;
	l = NULL;
out:
	hearth_cw_list_release(&c.list);
	hearth_activities_free(l);
	hearth_cw_people_close(c.people);
	return st;
}
