/*
 * demo.c - fictional demo data, written through the core's own functions.
 *
 * The data is made from a small seeded generator (xorshift64*), so one
 * seed always gives the same vault.  Dates are relative to opt->today:
 * history reaches opt->months back, bookings three weeks ahead, and a few
 * appointments and follow-ups fall on today itself so the Today page of a
 * fresh demo is never empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/audit.h"
#include "hearth/activity.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/person.h"
#include "hearth/demo.h"
#include "hearth/instruments.h"
#include "hearth/journal.h"
#include "hearth/screening.h"
#include "hearth/timeutil.h"

typedef struct demo_rng {
	uint64_t s;
} demo_rng;

static uint64_t rng_next(demo_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ull;
}

/* A value in [0, n). */
static int rng_int(demo_rng *r, int n)
{
	return n <= 0 ? 0 : (int)(rng_next(r) % (uint64_t)n);
}

static void rng_seed(demo_rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (r->s == 0)
		r->s = 1;
	(void)rng_next(r);
}

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
	"徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
	"梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
};

static const char *const given[] = {
	"建国", "秀英", "志强", "桂兰", "海燕", "伟", "敏", "静", "磊", "军",
	"洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞",
	"平", "刚", "桂英", "丽", "浩然", "子涵", "雨桐", "晓东", "红梅", "立新",
	"春生", "玉兰", "国强", "淑珍", "宇航", "思远", "佳怡", "文博", "晨曦", "嘉豪",
};

/* Invented work units: none names a real company. */
static const char *const units[] = {
	"城东配送站", "第三机械厂", "货运车队二队", "纺织二厂", "公交三分公司",
	"新区建筑项目部", "物流园分拣中心", "热电厂运行部", "环卫所北片区",
	"食品加工车间",
};

static const char *const tags[] = {
	"外卖骑手", "货车司机", "一线工人", "夜班", "新员工", "班组长",
	"快递员", "农民工",
};

static const char *const counsellors[] = { "王老师", "李老师", "陈老师" };

static const char *const places[] = {
	"驿站咨询室", "工会二楼谈心室", "车队休息室", "电话",
};

static const char *const lecture_topics[] = {
	"压力与睡眠", "情绪识别与调节", "家庭沟通", "新员工适应", "夜班与健康",
};

static const char *const group_topics[] = {
	"减压团体辅导", "正念放松练习", "班组长沟通工作坊",
};

static const char *const note_texts[] = {
	"谈到夜班后入睡困难，约定尝试固定起床时间，下次复查睡眠记录。",
	"工作压力较大，与家人沟通减少。练习了呼吸放松，愿意下周继续。",
	"情绪较上次平稳，已和班组长谈过排班问题。",
	"提到经济压力，提供了工会帮扶政策信息。",
	"回顾了本周的情绪记录，识别出几个触发情境。",
};

static const char *const followup_reasons[] = {
	"电话回访近况", "确认是否已去医院复查", "询问排班调整后的情况",
	"了解家庭矛盾是否缓解", "提醒参加减压团体",
};

void hearth_demo_options_init(hearth_demo_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->seed = 1;
	opt->n_people = 40;
	opt->months = 3;
}

void hearth_demo_person_name(unsigned seed, int i, char *buf, size_t size)
{
	demo_rng r;

	/* Names come from their own stream so they do not depend on how many
	 * records were made before the person. */
	rng_seed(&r, ((uint64_t)seed << 32) ^ (uint64_t)(unsigned)i ^ 0x6e616d65ull);
	snprintf(buf, size, "%s%s",
		 surnames[rng_int(&r, (int)(sizeof surnames / sizeof *surnames))],
		 given[rng_int(&r, (int)(sizeof given / sizeof *given))]);
}

#define PICK(r, a) ((a)[rng_int((r), (int)(sizeof(a) / sizeof *(a)))])

typedef struct demo {
	hearth_store *s;
	demo_rng r;
	int32_t today;
	char today_s[HEARTH_DATE_LEN + 1];
	int days_back;
	hearth_instrument *phq9;
	hearth_instrument *gad7;
	unsigned seed;
} demo;

static void day_str(int32_t d, char out[HEARTH_DATE_LEN + 1])
{
	hearth_date_format(d, out);
}

static void at_str(int32_t d, int hour, int minute,
		   char out[HEARTH_DATETIME_LEN + 1])
{
	hearth_datetime_format((int64_t)d * HEARTH_MINUTES_PER_DAY + hour * 60 + minute,
			       out);
}

static hearth_status add_person(demo *d, int i, hearth_id *out)
{
	char name[64], phone[32], tagbuf[64];
	const char *t1 = PICK(&d->r, tags), *t2 = PICK(&d->r, tags);
	hearth_status st;

	hearth_demo_person_name(d->seed, i, name, sizeof name);
	snprintf(phone, sizeof phone, "1380000%04d", i % 10000);
	/* Tags are stored as a JSON array of strings (as `hearth person`
	 * writes them); these fixed words need no escaping. */
	if (strcmp(t1, t2) == 0)
		snprintf(tagbuf, sizeof tagbuf, "[\"%s\"]", t1);
	else
		snprintf(tagbuf, sizeof tagbuf, "[\"%s\",\"%s\"]", t1, t2);
	st = hearth_record_create(d->s, NULL, "person", out);
	if (st == HEARTH_OK)
		st = hearth_record_set(d->s, out, "name", name);
	if (st == HEARTH_OK)
		st = hearth_record_set(d->s, out, "unit", PICK(&d->r, units));
	if (st == HEARTH_OK)
		st = hearth_record_set(d->s, out, "phone", phone);
	if (st == HEARTH_OK)
		st = hearth_record_set(d->s, out, "tags", tagbuf);
	if (st == HEARTH_OK)
		st = hearth_audit_append(d->s, "person.add", out, NULL);
	if (st == HEARTH_OK)
		st = hearth_person_set_counsellor(d->s, out, PICK(&d->r, counsellors));
	return st;
}

/* A screening on day `day`; answers drawn to land in a band chosen by
 * `level` (0 low ... 3 high); item9 forces PHQ-9 item 9. */
static hearth_status add_screening(demo *d, const hearth_instrument *inst,
				   const hearth_id *person, int32_t day,
				   int level, int item9)
{
	int answers[HEARTH_INSTRUMENT_MAX_ITEMS];
	size_t n = hearth_instrument_n_items(inst), i;
	char at[HEARTH_DATETIME_LEN + 1];
	hearth_screening_input in;
	hearth_screening_result res;

	for (i = 0; i < n; i++) {
		const hearth_item *it = hearth_instrument_item(inst, i);
		int v = it->min_value + rng_int(&d->r, level + 1);

		if (v > it->max_value)
			v = it->max_value;
		answers[i] = v;
	}
	if (strcmp(hearth_instrument_id(inst), "phq9") == 0 && n >= 9)
		answers[8] = item9;
	at_str(day, 9 + rng_int(&d->r, 8), 0, at);
	memset(&in, 0, sizeof in);
	in.person = *person;
	in.answers = answers;
	in.n_answers = n;
	in.difficulty = HEARTH_ANSWER_NONE;
	in.lang = "zh_CN";
	in.at = at;
	in.action_taken = item9 > 0 ? "当面评估安全，已制定安全计划并通知督导" : NULL;
	return hearth_screening_save(d->s, inst, &in, &res);
}

/* A weekly series for a person, some sessions held, one no-show. */
static hearth_status add_series(demo *d, const hearth_id *person, int32_t first,
				int count, int hour)
{
	char at[HEARTH_DATETIME_LEN + 1];
	hearth_appt_new a;
	hearth_appt_result *res = NULL;
	hearth_status st;
	size_t i;

	at_str(first, hour, rng_int(&d->r, 2) * 30, at);
	memset(&a, 0, sizeof a);
	a.person = *person;
	a.at = at;
	a.minutes = 50;
	a.mode = rng_int(&d->r, 4) == 0 ? "phone" : "in-person";
	a.place = PICK(&d->r, places);
	a.counsellor = PICK(&d->r, counsellors);
	a.repeat = count > 1 ? "weekly" : NULL;
	a.count = count > 1 ? count : 0;
	st = hearth_appt_add(d->s, &a, &res);
	if (st != HEARTH_OK)
		goto out;
	for (i = 0; i < res->n; i++) {
		int32_t day = first + 7 * (int32_t)i;

		if (day >= d->today)
			break;
		if (rng_int(&d->r, 8) == 0) {
			st = hearth_appt_noshow(d->s, &res->ids[i], d->today_s, NULL);
		} else {
			st = hearth_appt_done(d->s, &res->ids[i]);
			/* Most held sessions get a note; a few are left without,
			 * so the "missing a note" list has something in it. */
			if (st == HEARTH_OK && rng_int(&d->r, 5) != 0) {
				hearth_note_new n;
				hearth_id nid;

				memset(&n, 0, sizeof n);
				n.person = *person;
				n.appt = &res->ids[i];
				n.text = PICK(&d->r, note_texts);
				st = hearth_note_add(d->s, &n, d->today_s, &nid);
			}
		}
		if (st != HEARTH_OK)
			goto out;
	}
out:
	hearth_appt_result_free(res);
	return st;
}

static hearth_status add_activity(demo *d, const char *type, int32_t day,
				  const hearth_id *person, const char *topic,
				  int attendance)
{
	char date[HEARTH_DATE_LEN + 1];
	hearth_activity_new a;
	hearth_activity_added added;

	day_str(day, date);
	memset(&a, 0, sizeof a);
	a.type = type;
	a.date = date;
	a.person = person;
	a.topic = topic;
	a.unit = PICK(&d->r, units);
	a.attendance = attendance;
	a.minutes = strcmp(type, "lecture") == 0 ? 90 : 20 + rng_int(&d->r, 40);
	a.risk = person != NULL ? "low" : NULL;
	return hearth_activity_add(d->s, &a, d->today_s, &added);
}

static hearth_status fill_counsellor(demo *d, const hearth_demo_options *opt)
{
	hearth_id *people = NULL;
	hearth_status st = HEARTH_OK;
	int i, k, n_calls;

	people = calloc((size_t)opt->n_people + 1, sizeof *people);
	if (people == NULL)
		return hearth_fail(HEARTH_ENOMEM, "no memory for demo people");

	for (i = 0; i < opt->n_people && st == HEARTH_OK; i++)
		st = add_person(d, i, &people[i]);

	for (i = 0; i < opt->n_people && st == HEARTH_OK; i++) {
		int32_t start = d->today - rng_int(&d->r, d->days_back);
		int roll = rng_int(&d->r, 10);

		/* Screenings: most people have one or two. */
		if (d->phq9 != NULL && roll < 7) {
			int level = rng_int(&d->r, 3);
			/* Person 0 carries a safety flag, raised recently. */
			int item9 = i == 0 ? 1 : 0;
			int32_t day = i == 0 ? d->today - 2 : start;

			st = add_screening(d, d->phq9, &people[i], day, level, item9);
			if (st == HEARTH_OK && d->gad7 != NULL && roll < 4)
				st = add_screening(d, d->gad7, &people[i],
						   day, rng_int(&d->r, 3), 0);
			if (st != HEARTH_OK)
				break;
		}
		/* Appointments: a weekly series for some, one-offs for others;
		 * the first few people have a session today. */
		if (i < 4) {
			int32_t first = d->today - 7 * (i + 1);

			st = add_series(d, &people[i], first, i + 4, 9 + 2 * i);
		} else if (roll < 5) {
			st = add_series(d, &people[i], start, 1 + rng_int(&d->r, 6),
					9 + rng_int(&d->r, 8));
		} else if (opt->heavy) {
			st = add_series(d, &people[i], start, 1 + rng_int(&d->r, 3),
					9 + rng_int(&d->r, 8));
		}
		if (st != HEARTH_OK)
			break;
		/* Follow-ups: some manual ones, a few overdue, one due today. */
		if (roll >= 6 || i == 1 || i == 2 || opt->heavy) {
			char due[HEARTH_DATE_LEN + 1];
			hearth_followup_new f;
			hearth_id fid;
			int32_t dd = i == 1 ? d->today : i == 2 ? d->today - 3
				: d->today - 10 + rng_int(&d->r, 24);

			day_str(dd, due);
			memset(&f, 0, sizeof f);
			f.person = people[i];
			f.due = due;
			f.reason = PICK(&d->r, followup_reasons);
			f.priority = rng_int(&d->r, 4) == 0 ? "high" : "normal";
			st = hearth_followup_add(d->s, &f, d->today_s, &fid);
			if (st == HEARTH_OK && dd < d->today - 5 && rng_int(&d->r, 2) == 0)
				st = hearth_followup_done(d->s, &fid, "已电话联系，情况稳定",
							  d->today_s);
		}
	}

	/* Hotline calls and call-backs, group sessions and lectures.  The
	 * heavy mix logs about one and a half calls per person more, which
	 * brings it to about 10 records per person. */
	n_calls = d->days_back / 3 + opt->n_people / 4;
	if (opt->heavy)
		n_calls += opt->n_people * 7 / 5;
	for (k = 0; st == HEARTH_OK && k < n_calls; k++) {
		int32_t day = d->today - rng_int(&d->r, d->days_back);
		int who = rng_int(&d->r, opt->n_people > 0 ? opt->n_people : 1);

		st = add_activity(d, rng_int(&d->r, 3) == 0 ? "callback" : "hotline",
				  day, opt->n_people > 0 ? &people[who] : NULL,
				  NULL, -1);
	}
	for (k = 0; st == HEARTH_OK && k < d->days_back / 14 + 1; k++)
		st = add_activity(d, "group", d->today - rng_int(&d->r, d->days_back),
				  NULL, PICK(&d->r, group_topics),
				  6 + rng_int(&d->r, 10));
	for (k = 0; st == HEARTH_OK && k < d->days_back / 21 + 1; k++)
		st = add_activity(d, "lecture", d->today - rng_int(&d->r, d->days_back),
				  NULL, PICK(&d->r, lecture_topics),
				  30 + rng_int(&d->r, 90));
	free(people);
	return st;
}

/* An employee's journal: mood check-ins most days, a self-screening
 * every two weeks, gaps left as gaps. */
static hearth_status fill_journal(demo *d, const hearth_demo_options *opt)
{
	static const char *const texts[] = {
		"夜班后睡得不好", "和同事吃了午饭，心情不错", "被投诉了，有点委屈",
		"周末陪孩子去了公园", "",
	};
	hearth_status st = HEARTH_OK;
	int32_t day;
	int mood = 3;

	(void)opt;
	for (day = d->today - d->days_back; day < d->today && st == HEARTH_OK; day++) {
		char date[HEARTH_DATE_LEN + 1];
		hearth_id id;

		/* Gaps are part of real journals: about one day in four. */
		if (rng_int(&d->r, 4) == 0)
			continue;
		mood += rng_int(&d->r, 3) - 1;
		mood = mood < HEARTH_MOOD_MIN ? HEARTH_MOOD_MIN
			: mood > HEARTH_MOOD_MAX ? HEARTH_MOOD_MAX : mood;
		day_str(day, date);
		st = hearth_journal_add(d->s, date, mood,
					rng_int(&d->r, 3) == 0 ? PICK(&d->r, texts) : NULL,
					&id);
		/* A self-screening every two weeks. */
		if (st == HEARTH_OK && (d->today - day) % 14 == 0) {
			const hearth_instrument *insts[2] = { d->phq9, d->gad7 };

			for (size_t k = 0; k < 2 && st == HEARTH_OK; k++) {
				int answers[HEARTH_INSTRUMENT_MAX_ITEMS];
				size_t n, i;
				hearth_journal_screened out;

				if (insts[k] == NULL)
					continue;
				n = hearth_instrument_n_items(insts[k]);
				for (i = 0; i < n; i++) {
					const hearth_item *it = hearth_instrument_item(insts[k], i);
					int v = it->min_value + rng_int(&d->r, 6 - mood > 1 ? 6 - mood : 1);

					answers[i] = v > it->max_value ? it->max_value : v;
				}
				if (k == 0 && n >= 9)
					answers[8] = 0;
				st = hearth_journal_screen(d->s, insts[k], answers, n, date,
							   "zh_CN", NULL, &out);
			}
		}
	}
	return st;
}

hearth_status hearth_demo_fill(hearth_store *s, const hearth_demo_options *opt)
{
	demo d;
	hearth_store_step step;
	hearth_status st;

	if (s == NULL || opt == NULL)
		return hearth_fail(HEARTH_EINVAL, "demo: no store or options");
	if (opt->n_people < 0 || opt->months < 0)
		return hearth_fail(HEARTH_EINVAL, "demo: negative count");
	memset(&d, 0, sizeof d);
	st = hearth_date_parse(opt->today, &d.today);
	if (st != HEARTH_OK)
		return st;
	d.s = s;
	d.seed = opt->seed;
	rng_seed(&d.r, opt->seed);
	day_str(d.today, d.today_s);
	d.days_back = (opt->months > 0 ? opt->months : 3) * 30;

	/* Missing instrument files leave screenings out rather than failing
	 * the whole demo. */
	if (hearth_instrument_find("phq9", &d.phq9) != HEARTH_OK)
		d.phq9 = NULL;
	if (hearth_instrument_find("gad7", &d.gad7) != HEARTH_OK)
		d.gad7 = NULL;
	hearth_errdetail_clear();

	/* One transaction, or a savepoint inside the caller's. */
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		goto out;
	if (opt->journal)
		st = fill_journal(&d, opt);
	else
		st = fill_counsellor(&d, opt);
	st = hearth_store_step_end(s, &step, st);
out:
	hearth_instrument_free(d.phq9);
	hearth_instrument_free(d.gad7);
	return st;
}
