/*
 * test_people.c - the person record (add, update, tags, bad input), the
 * safety rule and case state (a high-risk case cannot close, lowering risk
 * needs a reason, both audited), and a person's timeline.
 *
 * Suite 'people'.  Each test gets a fresh store on a plain SQLite file in a
 * temporary directory (testutil.h).
 */
#include <errno.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hearth/audit.h"
#include "hearth/activity.h"
#include "hearth/caseload.h"
#include "hearth/devices.h"
#include "hearth/instruments.h"
#include "hearth/screening.h"
#include "hearth/spaces.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/person.h"
#include "hearth/reports.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#include "testutil.h"

/* ---- safety rule and case state ---------------------------------------- */

static void test_high_risk_case_cannot_close(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id fu;
	size_t n;
	char fbuf[64];

	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &fu), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");
	assert_string_equal(FIELD(f->s, &fu, "due"), "2026-12-14");
	assert_string_equal(FIELD(f->s, &fu, "priority"), "high");
	assert_string_equal(FIELD(f->s, &fu, "safety"), "1");
	assert_string_equal(FIELD(f->s, &fu, "source"), "screening");
	assert_int_equal(hearth_followup_pending_safety(f->s, &p, &n), HEARTH_OK);
	assert_int_equal(n, 1);

	/* Cannot be closed while the safety follow-up is open. */
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "open safety follow-up"));
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");

	/* Done keeps the risk level and the case; closing is a separate act. */
	assert_int_equal(hearth_followup_done(f->s, &fu, "safety plan made", "2026-12-14"),
			 HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "case"), "closed");

	/* Other values. */
	assert_int_equal(hearth_person_set_case(f->s, &p, "finished"), HEARTH_EINVAL);
	assert_int_equal(hearth_person_set_risk(f->s, &p, "extreme", NULL), HEARTH_EINVAL);
	assert_int_equal(hearth_person_set_risk(f->s, &p, "moderate", NULL), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "risk"), "moderate");
	assert_int_equal(hearth_person_set_counsellor(f->s, &p, "Li"), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "counsellor"), "Li");

	/* A new safety follow-up reopens a closed case. */
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-20", "hotline",
						       NULL, &hotline_why, &fu), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	/* Lowering the risk (with a reason) is no way around closing: the
	 * open safety follow-up still keeps the case open. */
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", "seen by the GP today"),
			 HEARTH_OK);
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_ESTATE);
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");
	assert_int_equal(hearth_followup_done(f->s, &fu, "called", "2026-12-20"), HEARTH_OK);
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_OK);
	assert_true(count_audit(f->s, "person.case") >= 4);
}

static void test_safety_inside_caller_transaction(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id fu;
	char fbuf[64];

	/* A screening module opens a transaction, raises the safety rule,
	 * then fails: nothing of the rule remains. */
	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &fu), HEARTH_OK);
	/* A failing call inside the same transaction rolls back only itself. */
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-02-30", "screening",
						       NULL, NULL, &fu), HEARTH_EINVAL);
	assert_int_equal(count_kind(f->s, "followup"), 1);
	hearth_store_rollback(f->s);
	assert_int_equal(count_kind(f->s, "followup"), 0);
	assert_string_equal(FIELD(f->s, &p, "risk"), "");

	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &fu), HEARTH_OK);
	assert_int_equal(hearth_store_commit(f->s), HEARTH_OK);
	assert_int_equal(count_kind(f->s, "followup"), 1);
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "manual",
						       NULL, NULL, &fu), HEARTH_EINVAL);
}

static void test_person_add_and_update(void **state)
{
	fixture *f = *state;
	static const char *const tags[] = { "货车司机", "夜班", "夜班" };
	static const char *const more[] = { "焊工", "夜班" };
	static const char *const only[] = { "退休" };
	hearth_person_fields pf;
	hearth_id p, q;
	size_t ops;
	char fbuf[128];

	memset(&pf, 0, sizeof pf);
	pf.name = "王芳";
	pf.unit = "三号车间";
	pf.phone = "138 0000 0000";
	pf.note = "prefers\tevenings\nand calls";
	pf.tags = tags;
	pf.ntags = 3;
	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "name"), "王芳");
	assert_string_equal(FIELD(f->s, &p, "unit"), "三号车间");
	assert_string_equal(FIELD(f->s, &p, "phone"), "138 0000 0000");
	assert_string_equal(FIELD(f->s, &p, "note"), "prefers\tevenings\nand calls");
	/* A JSON array, UTF-8 as it is, the repeat dropped. */
	assert_string_equal(FIELD(f->s, &p, "tags"), "[\"货车司机\",\"夜班\"]");
	assert_int_equal(count_audit(f->s, "person.add"), 1);
	assert_int_equal(hearth_person_check(f->s, &p), HEARTH_OK);

	/* "" leaves a field absent on add. */
	memset(&pf, 0, sizeof pf);
	pf.name = "Q";
	pf.unit = "";
	assert_int_equal(hearth_person_add(f->s, &pf, &q), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &q, "unit"), "");
	assert_string_equal(FIELD(f->s, &q, "tags"), "");

	/* Update changes the fields given and leaves the others. */
	memset(&pf, 0, sizeof pf);
	pf.unit = "五号车间";
	pf.phone = ""; /* clears */
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "name"), "王芳");
	assert_string_equal(FIELD(f->s, &p, "unit"), "五号车间");
	assert_string_equal(FIELD(f->s, &p, "phone"), "");
	assert_string_equal(FIELD(f->s, &p, "tags"), "[\"货车司机\",\"夜班\"]");
	assert_int_equal(count_audit(f->s, "person.edit"), 1);

	/* Tags given are added to those the person has... */
	memset(&pf, 0, sizeof pf);
	pf.tags = more;
	pf.ntags = 2;
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "tags"), "[\"货车司机\",\"夜班\",\"焊工\"]");
	/* ... or replace them; replacing with none clears the field. */
	pf.tags = only;
	pf.ntags = 1;
	pf.replace_tags = 1;
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "tags"), "[\"退休\"]");
	pf.ntags = 0;
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "tags"), "");

	/* A value that does not change is not written again, but the edit
	 * is still audited. */
	ops = count_ops(f->s);
	memset(&pf, 0, sizeof pf);
	pf.name = "王芳";
	pf.unit = "五号车间";
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(count_audit(f->s, "person.edit"), 5);

	/* A stored value that is not a JSON array counts as one tag. */
	assert_int_equal(hearth_record_set(f->s, &q, "tags", "老员工"), HEARTH_OK);
	memset(&pf, 0, sizeof pf);
	pf.tags = only;
	pf.ntags = 1;
	assert_int_equal(hearth_person_update(f->s, &q, &pf), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &q, "tags"), "[\"老员工\",\"退休\"]");
}

static void test_person_refuses_bad_input(void **state)
{
	fixture *f = *state;
	static const char *const empty_tag[] = { "ok", "" };
	static const char *const ctl_tag[] = { "a\x1b[31m" };
	hearth_person_fields pf;
	hearth_id p, gone, id;
	char *big;
	size_t ops, adds, edits;
	char fbuf[64];

	memset(&pf, 0, sizeof pf);
	pf.name = "P";
	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	ops = count_ops(f->s);
	adds = count_audit(f->s, "person.add");
	edits = count_audit(f->s, "person.edit");

	/* add: a name is required and never empty. */
	memset(&pf, 0, sizeof pf);
	pf.unit = "U";
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "a person needs a name");
	pf.name = "";
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "the name cannot be empty");

	/* The text rule, each field named. */
	pf.name = "N";
	pf.unit = "a\x01" "b";
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "the value of 'unit' holds a control character");
	pf.unit = NULL;
	pf.note = "caf\xc3"; /* cut in the middle of a character */
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "the value of 'note' is not valid UTF-8 text");
	pf.note = "\xc0\xaf"; /* overlong '/' */
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	pf.note = "\xed\xa0\x80"; /* a surrogate */
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	pf.note = "\xf4\x90\x80\x80"; /* past U+10FFFF */
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	pf.note = "del\x7f";
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	pf.note = NULL;
	big = malloc(HEARTH_TEXT_MAX + 2);
	assert_non_null(big);
	memset(big, 'x', HEARTH_TEXT_MAX + 1);
	big[HEARTH_TEXT_MAX + 1] = '\0';
	pf.phone = big;
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(),
			    "the value of 'phone' is too long (more than 65536 bytes)");
	big[HEARTH_TEXT_MAX] = '\0'; /* exactly the limit is fine */
	assert_int_equal(hearth_text_check("phone", big), HEARTH_OK);
	free(big);
	pf.phone = NULL;
	pf.tags = empty_tag;
	pf.ntags = 2;
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "a tag cannot be empty");
	pf.tags = ctl_tag;
	pf.ntags = 1;
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "the value of 'tag' holds a control character");

	/* update: the name cannot be cleared; something must be given. */
	memset(&pf, 0, sizeof pf);
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_EINVAL);
	assert_string_equal(hearth_errdetail(), "nothing to change");
	pf.name = "";
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_EINVAL);
	pf.name = "ok";
	pf.unit = "\t\x02";
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_EINVAL);
	assert_string_equal(FIELD(f->s, &p, "name"), "P");

	/* Unknown and deleted people. */
	memset(&gone, 0x5a, sizeof gone);
	memset(&pf, 0, sizeof pf);
	pf.name = "X";
	assert_int_equal(hearth_person_update(f->s, &gone, &pf), HEARTH_ENOTFOUND);
	memset(&pf, 0, sizeof pf);
	pf.name = "Gone";
	assert_int_equal(hearth_person_add(f->s, &pf, &gone), HEARTH_OK);
	assert_int_equal(hearth_record_delete(f->s, &gone), HEARTH_OK);
	ops = count_ops(f->s);
	adds++;
	assert_int_equal(hearth_person_update(f->s, &gone, &pf), HEARTH_ENOTFOUND);

	/* Nothing refused was written. */
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(count_kind(f->s, "person"), 1);
	assert_int_equal(count_audit(f->s, "person.add"), adds);
	assert_int_equal(count_audit(f->s, "person.edit"), edits);

	/* Inside the caller's transaction, a rollback takes the person back
	 * out with its audit entry. */
	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	memset(&pf, 0, sizeof pf);
	pf.name = "Draft";
	assert_int_equal(hearth_person_add(f->s, &pf, &id), HEARTH_OK);
	hearth_store_rollback(f->s);
	assert_int_equal(count_kind(f->s, "person"), 1);
	assert_int_equal(count_audit(f->s, "person.add"), adds);
	assert_int_equal(hearth_person_add(NULL, &pf, &id), HEARTH_EINVAL);
	assert_int_equal(hearth_person_add(f->s, NULL, &id), HEARTH_EINVAL);
}

static void test_person_tags_parse(void **state)
{
	hearth_tags *t = NULL;

	(void)state;
	assert_int_equal(hearth_person_tags(NULL, &t), HEARTH_OK);
	assert_int_equal(t->n, 0);
	hearth_tags_free(t);
	assert_int_equal(hearth_person_tags("", &t), HEARTH_OK);
	assert_int_equal(t->n, 0);
	hearth_tags_free(t);
	assert_int_equal(hearth_person_tags("[\"货车司机\",\"夜班\"]", &t), HEARTH_OK);
	assert_int_equal(t->n, 2);
	assert_string_equal(t->v[0], "货车司机");
	assert_string_equal(t->v[1], "夜班");
	hearth_tags_free(t);
	/* Anything else is one tag, as written. */
	assert_int_equal(hearth_person_tags("夜班", &t), HEARTH_OK);
	assert_int_equal(t->n, 1);
	assert_string_equal(t->v[0], "夜班");
	hearth_tags_free(t);
	assert_int_equal(hearth_person_tags("[1,\"a\"]", &t), HEARTH_OK);
	assert_int_equal(t->n, 1);
	assert_string_equal(t->v[0], "[1,\"a\"]");
	hearth_tags_free(t);
	assert_int_equal(hearth_person_tags("[\"a\"", &t), HEARTH_OK);
	assert_int_equal(t->n, 1);
	hearth_tags_free(t);
	hearth_tags_free(NULL);
	assert_int_equal(hearth_person_tags("x", NULL), HEARTH_EINVAL);
}

/* ---- no way around the safety rule ---------------------------------------- */

typedef struct audit_last {
	const char *action;
	char detail[1024];
	size_t n;          /* entries of any action */
} audit_last;

static int audit_last_cb(const hearth_audit_entry *e, void *ctx)
{
	audit_last *c = ctx;

	c->n++;
	if (strcmp(e->action, c->action) == 0)
		snprintf(c->detail, sizeof c->detail, "%s", e->detail ? e->detail : "");
	return 0;
}

/* The detail of the newest entry of action ("" if none); *n (may be NULL)
 * gets the number of entries in the log. */
static const char *audit_detail(hearth_store *s, const char *action, audit_last *c)
{
	memset(c, 0, sizeof *c);
	c->action = action;
	assert_int_equal(hearth_audit_each(s, audit_last_cb, c), HEARTH_OK);
	return c->detail;
}

static void test_case_close_refused_whatever_risk(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id q = add_person(f->s, "Q");
	hearth_followup_new n;
	hearth_id fu, qfu;
	char fbuf[64], hex[HEARTH_ID_HEX + 1];

	/* The path of issue 7: a safety result, the risk lowered to moderate,
	 * then the case closed. */
	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &fu), HEARTH_OK);
	assert_int_equal(hearth_person_set_risk(f->s, &p, "moderate", "plan agreed with GP"),
			 HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "risk"), "moderate");
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_ESTATE);
	hearth_id_to_hex(&fu, hex);
	hex[8] = '\0';
	assert_non_null(strstr(hearth_errdetail(), "open safety follow-up"));
	assert_non_null(strstr(hearth_errdetail(), hex));
	assert_non_null(strstr(hearth_errdetail(), "due 2026-12-14"));
	assert_string_equal(FIELD(f->s, &p, "case"), "followup");
	/* Other states are still allowed. */
	assert_int_equal(hearth_person_set_case(f->s, &p, "open"), HEARTH_OK);
	/* An unreachable attempt moves it on; it is still open. */
	assert_int_equal(hearth_followup_unreachable(f->s, &fu, "2026-12-14", NULL), HEARTH_OK);
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_ESTATE);
	assert_string_equal(FIELD(f->s, &p, "case"), "open");
	assert_int_equal(hearth_followup_done(f->s, &fu, "reached, safe", "2026-12-15"),
			 HEARTH_OK);
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "case"), "closed");

	/* A safety follow-up of someone never marked high (made by hand, or
	 * merged from another device) keeps the case open as well. */
	memset(&n, 0, sizeof n);
	n.person = q;
	n.due = "2026-12-14";
	n.reason = "said they felt unsafe at home";
	n.safety = 1;
	assert_int_equal(hearth_followup_add(f->s, &n, "2026-12-14", &qfu), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &q, "risk"), "");
	assert_int_equal(hearth_person_set_case(f->s, &q, "closed"), HEARTH_ESTATE);
	assert_string_equal(FIELD(f->s, &q, "case"), "");
	/* An ordinary follow-up does not. */
	(void)add_followup(f->s, &p, "2026-12-20", "high", "check in");
	assert_int_equal(hearth_person_set_case(f->s, &p, "closed"), HEARTH_OK);
}

static void test_lowering_risk_needs_reason(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id fu;
	audit_last a;
	size_t ops, entries, n;
	int64_t checked;
	char fbuf[64], hex[HEARTH_ID_HEX + 1], detail[1024];
	char long_reason[HEARTH_RISK_REASON_MAX + 2];

	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &fu), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	ops = count_ops(f->s);
	snprintf(detail, sizeof detail, "%s", audit_detail(f->s, "person.risk", &a));
	entries = a.n;

	/* No reason, or a blank one: refused, naming the follow-up, and
	 * nothing changes: no op, no audit entry. */
	assert_int_equal(hearth_person_set_risk(f->s, &p, "moderate", NULL), HEARTH_ESTATE);
	hearth_id_to_hex(&fu, hex);
	hex[8] = '\0';
	assert_non_null(strstr(hearth_errdetail(), hex));
	assert_non_null(strstr(hearth_errdetail(), "needs a reason"));
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", " \t"), HEARTH_ESTATE);
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", ""), HEARTH_ESTATE);
	/* A reason that is not one short line is bad input. */
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", "two\nlines"), HEARTH_EINVAL);
	memset(long_reason, 'x', sizeof long_reason - 1);
	long_reason[sizeof long_reason - 1] = '\0';
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", long_reason), HEARTH_EINVAL);
	assert_string_equal(FIELD(f->s, &p, "risk"), "high");
	assert_int_equal(count_ops(f->s), ops);
	assert_string_equal(audit_detail(f->s, "person.risk", &a), detail);
	assert_int_equal(a.n, entries);
	assert_int_equal(hearth_audit_verify(f->s, &checked), HEARTH_OK);
	assert_int_equal((size_t)checked, entries);

	/* Keeping it high needs nothing. */
	assert_int_equal(hearth_person_set_risk(f->s, &p, "high", NULL), HEARTH_OK);

	/* With a reason: lowered, audited with the reason and the follow-up;
	 * the follow-up itself stays open. */
	assert_int_equal(hearth_person_set_risk(f->s, &p, "moderate",
						"reached, safety plan in place"), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &p, "risk"), "moderate");
	audit_detail(f->s, "person.risk", &a);
	assert_non_null(strstr(a.detail, "moderate"));
	assert_non_null(strstr(a.detail, "reason: reached, safety plan in place"));
	assert_non_null(strstr(a.detail, hex));
	assert_int_equal(hearth_followup_pending_safety(f->s, &p, &n), HEARTH_OK);
	assert_int_equal(n, 1);

	/* Once it is done, no reason is asked. */
	assert_int_equal(hearth_person_set_risk(f->s, &p, "high", NULL), HEARTH_OK);
	assert_int_equal(hearth_followup_done(f->s, &fu, "seen", "2026-12-14"), HEARTH_OK);
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", NULL), HEARTH_OK);
	assert_string_equal(audit_detail(f->s, "person.risk", &a), "low");
}

/* ---- timeline ---------------------------------------------------------- */

static void test_timeline(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "P");
	hearth_id other = add_person(f->s, "O");
	hearth_id scr, note, am;
	hearth_appt_result *ap = book(f->s, &p, "2026-12-03 10:00", "Li", "Room 1");
	hearth_note_new n;
	hearth_activity_new a;
	hearth_activity_added res;
	hearth_timeline *t = NULL;
	char hex[HEARTH_ID_HEX + 1];
	hearth_id fu;

	hearth_id_to_hex(&p, hex);
	/* A screening as the screening module stores it. */
	assert_int_equal(hearth_record_create(f->s, NULL, "screening", &scr), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &scr, "person", hex), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &scr, "date", "2026-12-01"), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &scr, "instrument", "phq9"), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &scr, "total", "12"), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &scr, "display", "12"), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &scr, "flags", "[\"item9\",\"positive\"]"), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &scr, "band", "moderate"), HEARTH_OK);

	memset(&n, 0, sizeof n);
	n.person = p;
	n.text = "first session\nmore";
	assert_int_equal(hearth_note_add(f->s, &n, "2026-12-03", &note), HEARTH_OK);
	fu = add_followup(f->s, &p, "2026-12-10", NULL, "call after session");
	memset(&a, 0, sizeof a);
	a.type = "callback";
	a.date = "2026-12-02";
	a.person = &p;
	a.topic = "check-in";
	a.attendance = a.minutes = -1;
	assert_int_equal(hearth_activity_add(f->s, &a, "2026-12-02", &res), HEARTH_OK);
	/* Written later, the amendment still shows right after its note. */
	assert_int_equal(hearth_note_amend(f->s, &note, "correction", "2026-12-20", &am),
			 HEARTH_OK);
	/* Someone else's records stay out. */
	(void)add_followup(f->s, &other, "2026-12-05", NULL, "not P");

	assert_int_equal(hearth_person_timeline(f->s, &p, &t), HEARTH_OK);
	assert_int_equal(t->n, 6);
	assert_string_equal(t->items[0].kind, "screening");
	assert_string_equal(t->items[0].when, "2026-12-01");
	assert_string_equal(t->items[0].status, "moderate");
	assert_string_equal(t->items[0].summary, "phq9, 12, item9 positive");
	assert_true(hearth_id_equal(&t->items[0].id, &scr));
	assert_string_equal(t->items[1].kind, "activity");
	assert_string_equal(t->items[1].status, "callback");
	assert_string_equal(t->items[1].summary, "check-in");
	assert_string_equal(t->items[2].kind, "note");
	assert_string_equal(t->items[2].when, "2026-12-03");
	assert_string_equal(t->items[2].summary, "first session...");
	assert_string_equal(t->items[3].kind, "amendment");
	assert_true(hearth_id_equal(&t->items[3].id, &am));
	assert_string_equal(t->items[3].when, "2026-12-20");
	assert_string_equal(t->items[4].kind, "appointment");
	assert_string_equal(t->items[4].when, "2026-12-03 10:00");
	assert_string_equal(t->items[4].status, "booked");
	assert_non_null(strstr(t->items[4].summary, "Room 1"));
	/* The mode by its label, never the stored code. */
	assert_non_null(strstr(t->items[4].summary, "50 min, In person"));
	assert_true(hearth_id_equal(&t->items[4].id, &ap->ids[0]));
	assert_string_equal(t->items[5].kind, "followup");
	assert_true(hearth_id_equal(&t->items[5].id, &fu));
	assert_non_null(t->items[5].record);
	assert_string_equal(hearth_record_field(t->items[5].record, "reason"),
			    "call after session");
	hearth_timeline_free(t);

	{
		hearth_id nobody = hearth_id_random();

		t = NULL;
		assert_int_equal(hearth_person_timeline(f->s, &nobody, &t), HEARTH_ENOTFOUND);
		assert_null(t);
	}
	hearth_appt_result_free(ap);
}

/* ---- deleting and showing a person ------------------------------------- */

/* The audit entries of action: how many, and the newest's subject. */
struct subject_audit {
	const char *action;
	size_t n;
	hearth_id subject;
	int has_subject;
};

static int subject_audit_cb(const hearth_audit_entry *e, void *ctx)
{
	struct subject_audit *a = ctx;

	if (strcmp(e->action, a->action) == 0) {
		a->n++;
		a->subject = e->subject;
		a->has_subject = e->has_subject;
	}
	return 0;
}

static struct subject_audit audit_of(hearth_store *s, const char *action)
{
	struct subject_audit a = {.action = action};

	assert_int_equal(hearth_audit_each(s, subject_audit_cb, &a), HEARTH_OK);
	return a;
}

static int is_deleted(hearth_store *s, const hearth_id *id)
{
	hearth_record *r = NULL;
	int d;

	assert_int_equal(hearth_record_load(s, id, &r), HEARTH_OK);
	d = r->deleted;
	hearth_record_free(r);
	return d;
}

/* Deleting tombstones the person, audited with the person as subject,
 * and leaves their records as they are (a note is never changed); the
 * lists then leave the person's follow-ups out.  A second delete, or an
 * unknown id, writes nothing. */
static void test_person_delete(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "Wang Fang");
	hearth_id fu = add_followup(f->s, &p, "2026-12-05", "normal", "call back");
	hearth_id unknown = hearth_id_random(), note;
	hearth_note_new nn = {.person = p, .text = "first session"};
	hearth_followups *l = NULL;
	struct subject_audit a;
	size_t ops;

	assert_int_equal(hearth_note_add(f->s, &nn, "2026-12-01", &note), HEARTH_OK);
	assert_int_equal(hearth_person_delete(f->s, &p), HEARTH_OK);
	assert_true(is_deleted(f->s, &p));
	a = audit_of(f->s, "person.delete");
	assert_int_equal(a.n, 1);
	assert_true(a.has_subject);
	assert_true(hearth_id_equal(&a.subject, &p));
	/* The person's own records stay, not tombstoned ... */
	assert_false(is_deleted(f->s, &fu));
	assert_false(is_deleted(f->s, &note));
	/* ... and the lists no longer show them. */
	assert_int_equal(hearth_followup_list(f->s, HEARTH_FOLLOWUPS_ALL, NULL,
					      "2026-12-01", &l), HEARTH_OK);
	assert_int_equal(l->n, 0);
	hearth_followups_free(l);

	ops = count_ops(f->s);
	assert_int_equal(hearth_person_delete(f->s, &p), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_person_delete(f->s, &unknown), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_person_delete(f->s, &fu), HEARTH_ENOTFOUND);
	assert_non_null(strstr(hearth_errdetail(), "no person"));
	assert_int_equal(hearth_person_delete(f->s, NULL), HEARTH_EINVAL);
	assert_false(is_deleted(f->s, &fu));
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(audit_of(f->s, "person.delete").n, 1);
}

/* A person whose safety call is still to be made does not disappear from
 * the lists: the delete is refused, naming the follow-up, and nothing is
 * written.  Once the follow-up is done the person may be deleted. */
static void test_person_delete_refused_open_safety(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "Zhao Lei");
	hearth_id fu;
	char fhex[HEARTH_ID_HEX + 1];
	size_t ops;

	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &fu), HEARTH_OK);
	hearth_id_to_hex(&fu, fhex);
	ops = count_ops(f->s);
	assert_int_equal(hearth_person_delete(f->s, &p), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "open safety follow-up"));
	assert_non_null(strstr(hearth_errdetail(), "due 2026-12-14"));
	assert_non_null(strstr(hearth_errdetail(), "before deleting the person"));
	fhex[8] = '\0';
	assert_non_null(strstr(hearth_errdetail(), fhex));
	assert_false(is_deleted(f->s, &p));
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(audit_of(f->s, "person.delete").n, 0);

	/* Refused inside the caller's transaction: the caller's own writes
	 * stay, and commit. */
	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	assert_int_equal(hearth_record_set(f->s, &p, "unit", "depot 3"), HEARTH_OK);
	assert_int_equal(hearth_person_delete(f->s, &p), HEARTH_ESTATE);
	assert_int_equal(hearth_store_commit(f->s), HEARTH_OK);
	{
		char fbuf[64];
		assert_string_equal(FIELD(f->s, &p, "unit"), "depot 3");
	}
	assert_false(is_deleted(f->s, &p));

	assert_int_equal(hearth_followup_done(f->s, &fu, "safe, plan made", "2026-12-14"),
			 HEARTH_OK);
	assert_int_equal(hearth_person_delete(f->s, &p), HEARTH_OK);
	assert_true(is_deleted(f->s, &p));
	assert_int_equal(audit_of(f->s, "person.delete").n, 1);
}

/* Inside the caller's transaction the delete and its audit entry go with
 * a rollback. */
static void test_person_delete_rolls_back(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "Sun Li");

	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	assert_int_equal(hearth_person_delete(f->s, &p), HEARTH_OK);
	hearth_store_rollback(f->s);
	assert_false(is_deleted(f->s, &p));
	assert_int_equal(audit_of(f->s, "person.delete").n, 0);
}

/* Showing a person hands out the record and audits the look, with the
 * person as subject; an unknown or deleted person gives nothing and
 * writes no entry. */
static void test_person_show(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "Li Hua");
	hearth_id q = add_person(f->s, "Gone");
	hearth_id unknown = hearth_id_random();
	hearth_record *r = NULL, dummy;
	struct subject_audit a;

	assert_int_equal(hearth_person_show(f->s, &p, &r), HEARTH_OK);
	assert_non_null(r);
	assert_true(hearth_id_equal(&r->id, &p));
	assert_string_equal(hearth_record_field(r, "name"), "Li Hua");
	hearth_record_free(r);
	a = audit_of(f->s, "person.show");
	assert_int_equal(a.n, 1);
	assert_true(a.has_subject);
	assert_true(hearth_id_equal(&a.subject, &p));

	assert_int_equal(hearth_person_delete(f->s, &q), HEARTH_OK);
	r = &dummy; /* a failed show must leave NULL, not a stale pointer */
	assert_int_equal(hearth_person_show(f->s, &q, &r), HEARTH_ENOTFOUND);
	assert_null(r);
	assert_int_equal(hearth_person_show(f->s, &unknown, &r), HEARTH_ENOTFOUND);
	assert_null(r);
	assert_int_equal(hearth_person_show(f->s, &p, NULL), HEARTH_EINVAL);
	assert_int_equal(audit_of(f->s, "person.show").n, 1);
}

/* Tags typed on one line, as the app's person form takes them, split in
 * the core: ASCII and full-width separators, trimmed, empty pieces and
 * repeats dropped; written through the verb they replace the person's
 * tags, audited as person.edit. */
static void test_tags_split(void **state)
{
	fixture *f = *state;
	hearth_id p;
	hearth_tags *t = NULL;
	hearth_person_fields pf = {.name = "Liu Yang"};
	char fbuf[128];

	assert_int_equal(hearth_tags_split(" 货车司机，夜班、 night shift ;;; 夜班；rider,", &t),
			 HEARTH_OK);
	assert_int_equal(t->n, 4);
	assert_string_equal(t->v[0], "货车司机");
	assert_string_equal(t->v[1], "夜班");
	assert_string_equal(t->v[2], "night shift");
	assert_string_equal(t->v[3], "rider");
	hearth_tags_free(t);
	assert_int_equal(hearth_tags_split(NULL, &t), HEARTH_OK);
	assert_int_equal(t->n, 0);
	hearth_tags_free(t);
	assert_int_equal(hearth_tags_split(" , ，\t", &t), HEARTH_OK);
	assert_int_equal(t->n, 0);
	hearth_tags_free(t);
	assert_int_equal(hearth_tags_split("a", NULL), HEARTH_EINVAL);

	pf.tags = (const char *const[]){"old"};
	pf.ntags = 1;
	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	assert_int_equal(hearth_tags_split("夜班, rider", &t), HEARTH_OK);
	memset(&pf, 0, sizeof pf);
	pf.tags = (const char *const *)t->v;
	pf.ntags = t->n;
	pf.replace_tags = 1;
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	hearth_tags_free(t);
	assert_string_equal(FIELD(f->s, &p, "tags"), "[\"夜班\",\"rider\"]");
	assert_int_equal(count_audit(f->s, "person.edit"), 1);
}

/* An erasure request: the person and every record about them lose their
 * values, in the fields and in the op log; other people are untouched; an
 * open safety follow-up blocks it, as it blocks deleting. */
static void test_person_purge(void **state)
{
	fixture *f = *state;
	hearth_person_fields pf = { .name = "钱芳", .note = "家暴求助" };
	hearth_note_new nn = { .text = "她说丈夫昨晚又动手了" };
	hearth_id p, keep, note, fu;
	hearth_record *r = NULL;
	size_t n = 0;
	sqlite3_stmt *st = NULL;

	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	keep = add_person(f->s, "孙丽");
	nn.person = p;
	assert_int_equal(hearth_note_add(f->s, &nn, "2026-12-06", &note), HEARTH_OK);
	fu = add_followup(f->s, &p, "2026-12-10", "normal", "call back");
	(void)fu;
	nn.person = keep;
	nn.text = "孙丽的记录";
	assert_int_equal(hearth_note_add(f->s, &nn, "2026-12-06", NULL), HEARTH_OK);

	assert_int_equal(hearth_person_purge(f->s, &p, &n), HEARTH_OK);
	assert_int_equal(n, 3);
	assert_int_equal(hearth_record_load(f->s, &note, &r), HEARTH_OK);
	assert_true(r->deleted);
	assert_int_equal(r->nfields, 0);
	hearth_record_free(r);
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT count(*) FROM op WHERE value IN "
		"('钱芳', '家暴求助', '她说丈夫昨晚又动手了')", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	/* The other person and their note stay. */
	assert_int_equal(hearth_record_load(f->s, &keep, &r), HEARTH_OK);
	assert_false(r->deleted);
	assert_string_equal(hearth_record_field(r, "name"), "孙丽");
	hearth_record_free(r);
	assert_int_equal(count_audit(f->s, "person.purge"), 1);
	assert_int_equal(hearth_person_purge(f->s, &note, NULL), HEARTH_ENOTFOUND);
}

static void test_person_purge_refused_open_safety(void **state)
{
	fixture *f = *state;
	hearth_id p = add_person(f->s, "周强"), fu;
	hearth_record *r = NULL;

	assert_int_equal(hearth_followup_create_safety(f->s, &p, "2026-12-14", "screening",
						       NULL, NULL, &fu), HEARTH_OK);
	assert_int_equal(hearth_person_purge(f->s, &p, NULL), HEARTH_ESTATE);
	assert_int_equal(hearth_record_load(f->s, &p, &r), HEARTH_OK);
	assert_string_equal(hearth_record_field(r, "name"), "周强");
	hearth_record_free(r);
}

/* ---- concurrent edits ------------------------------------------------ */

struct opbuf {
	size_t n;
	hearth_op op[64];
	char text[64][3][128];
	hearth_op_id prev[64][4];
};

static int copy_op(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		   void *ctx)
{
	struct opbuf *b = ctx;
	hearth_op *o = &b->op[b->n];

	(void)arrival;
	(void)state;
	assert_true(b->n < 64 && op->nprev <= 4);
	*o = *op;
	snprintf(b->text[b->n][0], 128, "%s", op->kind);
	snprintf(b->text[b->n][1], 128, "%s", op->field);
	snprintf(b->text[b->n][2], 128, "%s", op->value ? op->value : "");
	o->kind = b->text[b->n][0];
	o->field = b->text[b->n][1];
	o->value = op->value ? b->text[b->n][2] : NULL;
	if (op->nprev > 0)
		memcpy(b->prev[b->n], op->prev, op->nprev * sizeof *op->prev);
	o->prev = b->prev[b->n];
	b->n++;
	return 0;
}

/* Sends every op of from to to (a whole sync, both stores online). */
static void send_all(hearth_store *from, hearth_store *to)
{
	struct opbuf *b = calloc(1, sizeof *b);

	assert_non_null(b);
	assert_int_equal(hearth_store_ops_since(from, 0, copy_op, b), HEARTH_OK);
	assert_int_equal(hearth_store_apply(to, b->op, b->n, NULL), HEARTH_OK);
	free(b);
}

struct conflicts {
	int n;
	char field[4][16], value[4][128];
};

static int note_conflict(const char *field, const char *value, void *ctx)
{
	struct conflicts *c = ctx;

	if (c->n < 4) {
		snprintf(c->field[c->n], 16, "%s", field);
		snprintf(c->value[c->n], 128, "%s", value ? value : "");
	}
	c->n++;
	return 0;
}

/* Two counsellors edit a worker's note on two devices before they sync:
 * neither text is lost.  Each device shows one and keeps the other as a
 * conflict; an edit made after seeing both resolves it everywhere. */
static void test_concurrent_note_edits_kept(void **state)
{
	fixture *f = *state;
	hearth_person_fields pf = { .name = "赵磊" };
	hearth_store *b = NULL;
	sqlite3 *db = NULL;
	struct conflicts ca = { 0 }, cb = { 0 };
	char path[128];
	hearth_id p;

	snprintf(path, sizeof path, "%s/b.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(hearth_store_open(db, NULL, &b), HEARTH_OK);

	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	send_all(f->s, b);

	pf.name = NULL;
	pf.note = "夜班后睡不着，想换岗";
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	pf.note = "Trouble sleeping after night shifts";
	assert_int_equal(hearth_person_update(b, &p, &pf), HEARTH_OK);
	send_all(f->s, b);
	send_all(b, f->s);

	assert_int_equal(hearth_person_conflicts(f->s, &p, note_conflict, &ca), HEARTH_OK);
	assert_int_equal(hearth_person_conflicts(b, &p, note_conflict, &cb), HEARTH_OK);
	assert_int_equal(ca.n, 1);
	assert_int_equal(cb.n, 1);
	assert_string_equal(ca.field[0], "note");
	/* Both show the same winner and keep the same other text. */
	assert_string_equal(ca.value[0], cb.value[0]);
	assert_true(strcmp(ca.value[0], "夜班后睡不着，想换岗") == 0 ||
		    strcmp(ca.value[0], "Trouble sleeping after night shifts") == 0);

	/* Keeping the text shown, unchanged, also resolves it. */
	{
		struct conflicts cc = { 0 };
		hearth_record *r = NULL;

		assert_int_equal(hearth_record_load(f->s, &p, &r), HEARTH_OK);
		pf.note = hearth_record_field(r, "note");
		assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
		hearth_record_free(r);
		assert_int_equal(hearth_person_conflicts(f->s, &p, note_conflict, &cc),
				 HEARTH_OK);
		assert_int_equal(cc.n, 0);
		send_all(f->s, b);
		assert_int_equal(hearth_person_conflicts(b, &p, note_conflict, &cc),
				 HEARTH_OK);
		assert_int_equal(cc.n, 0);
	}

	/* Editing it again on one device: one text everywhere. */
	pf.note = "夜班后睡不着，想换岗 (trouble sleeping after night shifts)";
	assert_int_equal(hearth_person_update(b, &p, &pf), HEARTH_OK);
	send_all(b, f->s);
	memset(&ca, 0, sizeof ca);
	memset(&cb, 0, sizeof cb);
	assert_int_equal(hearth_person_conflicts(f->s, &p, note_conflict, &ca), HEARTH_OK);
	assert_int_equal(hearth_person_conflicts(b, &p, note_conflict, &cb), HEARTH_OK);
	assert_int_equal(ca.n, 0);
	assert_int_equal(cb.n, 0);

	hearth_store_close(b);
	sqlite3_close(db);
}

/* ---- spaces: a case lives in its person's space, and moves whole --------- */

/* Heap copies of every op of a store, for syncs larger than struct opbuf. */
struct opheap {
	size_t n, cap;
	hearth_op *op;
};

static char *dup_or_null(const char *v)
{
	char *c = v != NULL ? strdup(v) : NULL;

	assert_true(v == NULL || c != NULL);
	return c;
}

static int heap_op(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		   void *ctx)
{
	struct opheap *h = ctx;
	hearth_op *o;
	hearth_op_id *prev = NULL;

	(void)arrival;
	(void)state;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->op = realloc(h->op, h->cap * sizeof *h->op);
		assert_non_null(h->op);
	}
	o = &h->op[h->n++];
	*o = *op;
	o->kind = dup_or_null(op->kind);
	o->field = dup_or_null(op->field);
	o->value = dup_or_null(op->value);
	if (op->nprev > 0) {
		prev = malloc(op->nprev * sizeof *prev);
		assert_non_null(prev);
		memcpy(prev, op->prev, op->nprev * sizeof *prev);
	}
	o->prev = prev;
	return 0;
}

/* Every op of from into to. */
static void sync_all(hearth_store *from, hearth_store *to)
{
	struct opheap h = { 0 };
	size_t i;

	assert_int_equal(hearth_store_ops_since(from, 0, heap_op, &h), HEARTH_OK);
	assert_int_equal(hearth_store_apply(to, h.op, h.n, NULL), HEARTH_OK);
	for (i = 0; i < h.n; i++) {
		free((char *)h.op[i].kind);
		free((char *)h.op[i].field);
		free((char *)h.op[i].value);
		free((hearth_op_id *)h.op[i].prev);
	}
	free(h.op);
}

/* A second vault beside the fixture's, with an identity. */
struct other {
	char path[128];
	sqlite3 *db;
	hearth_store *s;
};

static void other_open(fixture *f, struct other *o)
{
	snprintf(o->path, sizeof o->path, "%s/other.db", f->dir);
	assert_int_equal(sqlite3_open(o->path, &o->db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(o->db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(hearth_store_open(o->db, NULL, &o->s), HEARTH_OK);
	assert_int_equal(hearth_devices_ensure(o->s, NULL), HEARTH_OK);
}

static void other_close(struct other *o)
{
	hearth_store_close(o->s);
	sqlite3_close(o->db);
	unlink(o->path);
}

/* 1 if record id is in space sp. */
static int space_is(hearth_store *s, const hearth_id *id, const hearth_id *sp)
{
	hearth_record *r = NULL;
	int in;

	assert_int_equal(hearth_record_load(s, id, &r), HEARTH_OK);
	in = hearth_id_equal(&r->space, sp);
	hearth_record_free(r);
	return in;
}

/* A person made in a team space has every later record of their case
 * made there too; a person made without a space, and a record naming no
 * person, stay in the private space. */
static void test_person_in_team_space(void **state)
{
	fixture *f = *state;
	hearth_person_fields pf = { .name = "陈静", .unit = "二车间" };
	hearth_activity_new act = { .type = "hotline", .date = "2026-12-01",
				    .attendance = -1, .minutes = -1, .risk = "high" };
	hearth_activity_new group = { .type = "group", .date = "2026-12-01",
				      .topic = "sleep", .attendance = 12, .minutes = -1 };
	hearth_activity_added added, gadded;
	hearth_note_new nn = { .text = "first session" };
	hearth_id team, priv = hearth_store_private_space(f->s), p, q, fu, note, amend;
	hearth_appt_result *ar;
	struct last_audit la = { 0 };
	char hex[HEARTH_ID_HEX + 1], want[64];

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "二车间心理服务队", &team), HEARTH_OK);
	assert_int_equal(hearth_person_add_in(f->s, &team, &pf, &p), HEARTH_OK);
	assert_true(space_is(f->s, &p, &team));
	assert_int_equal(hearth_audit_each(f->s, last_audit_cb, &la), HEARTH_OK);
	hearth_id_to_hex(&team, hex);
	snprintf(want, sizeof want, "space %s", hex);
	assert_string_equal(la.action, "person.add");
	assert_string_equal(la.detail, want);

	fu = add_followup(f->s, &p, "2026-12-08", "normal", "check in");
	assert_true(space_is(f->s, &fu, &team));
	ar = book(f->s, &p, "2026-12-03 10:00", "王老师", "101");
	assert_true(space_is(f->s, &ar->ids[0], &team));
	nn.person = p;
	nn.appt = &ar->ids[0];
	assert_int_equal(hearth_note_add(f->s, &nn, "2026-12-03", &note), HEARTH_OK);
	assert_true(space_is(f->s, &note, &team));
	assert_int_equal(hearth_note_amend(f->s, &note, "amended", "2026-12-04", &amend),
			 HEARTH_OK);
	assert_true(space_is(f->s, &amend, &team));
	/* A high-risk call: the activity and its safety follow-up. */
	act.person = &p;
	assert_int_equal(hearth_activity_add(f->s, &act, "2026-12-01", &added), HEARTH_OK);
	assert_int_equal(added.safety, HEARTH_ACTIVITY_SAFETY_FOLLOWUP);
	assert_true(space_is(f->s, &added.id, &team));
	assert_true(space_is(f->s, &added.followup, &team));
	hearth_appt_result_free(ar);

	/* No person named: the private space. */
	assert_int_equal(hearth_activity_add(f->s, &group, "2026-12-01", &gadded), HEARTH_OK);
	assert_true(space_is(f->s, &gadded.id, &priv));
	/* The default stays the private space. */
	pf.name = "李伟";
	assert_int_equal(hearth_person_add(f->s, &pf, &q), HEARTH_OK);
	assert_true(space_is(f->s, &q, &priv));
	assert_int_equal(hearth_person_add_in(f->s, NULL, &pf, &q), HEARTH_OK);
	assert_true(space_is(f->s, &q, &priv));
	assert_int_equal(hearth_person_add_in(f->s, &priv, &pf, &q), HEARTH_OK);
	assert_true(space_is(f->s, &q, &priv));
	fu = add_followup(f->s, &q, "2026-12-08", "normal", "check in");
	assert_true(space_is(f->s, &fu, &priv));
}

/* A person is made only in a space this vault may write: never in the
 * device-local space, one it does not hold, one it is not a member of, or
 * one whose key it does not hold yet; nothing is written then. */
static void test_person_add_in_refused(void **state)
{
	fixture *f = *state;
	hearth_person_fields pf = { .name = "P" };
	hearth_id team, mine, nowhere = hearth_id_random(), p;
	hearth_id local = hearth_store_local_space(f->s);
	char *code = NULL, *req = NULL;
	hearth_invitation inv;
	struct other o;
	size_t ops;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	other_open(f, &o);
	ops = count_ops(f->s);
	assert_int_equal(hearth_person_add_in(f->s, &nowhere, &pf, &p), HEARTH_ENOTFOUND);
	assert_non_null(strstr(hearth_errdetail(), "this vault holds no space"));
	assert_int_equal(hearth_person_add_in(f->s, &local, &pf, &p), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "local space"));

	/* Another vault's space: this vault holds its records, is no member. */
	assert_int_equal(hearth_space_create(o.s, "team", &team), HEARTH_OK);
	sync_all(o.s, f->s);
	ops = count_ops(f->s);
	assert_int_equal(hearth_person_add_in(f->s, &team, &pf, &p), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "is not a member of space"));
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(count_kind(f->s, "person"), 0);
	use_language("zh_CN");
	assert_int_equal(hearth_person_add_in(f->s, &team, &pf, &p), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail_local(), "不是空间"));
	use_language("en");

	/* Approved, but the sealed key has not been taken in yet. */
	assert_int_equal(hearth_space_invite(o.s, &team, HEARTH_ROLE_COUNSELLOR, 0, &code),
			 HEARTH_OK);
	assert_int_equal(hearth_space_join(f->s, code, &req, &inv), HEARTH_OK);
	assert_int_equal(hearth_space_approve(o.s, &team, req, NULL, NULL), HEARTH_OK);
	sync_all(o.s, f->s);
	ops = count_ops(f->s);
	assert_int_equal(hearth_person_add_in(f->s, &team, &pf, &p), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "does not hold the key of space"));
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(hearth_space_refresh(f->s, &team, NULL), HEARTH_OK);
	assert_int_equal(hearth_person_add_in(f->s, &team, &pf, &p), HEARTH_OK);
	assert_true(space_is(f->s, &p, &team));
	/* The lead of the space sees the person once synced. */
	sync_all(f->s, o.s);
	assert_true(space_is(o.s, &p, &team));
	assert_int_equal(hearth_space_create(f->s, "mine", &mine), HEARTH_OK);
	assert_int_equal(hearth_person_add_in(f->s, &mine, &pf, &p), HEARTH_OK);
	free(code);
	free(req);
	other_close(&o);
}

static hearth_instrument *instrument(const char *id)
{
	hearth_instrument *inst = NULL;

	if (hearth_instrument_find(id, &inst) != HEARTH_OK)
		fail_msg("cannot load %s: %s", id, hearth_errdetail());
	return inst;
}

/* The live record of kind naming person, the n-th in creation order. */
struct nth {
	const char *kind;
	size_t want, seen;
	hearth_id id;
	int found;
};

static int nth_cb(const hearth_record *r, void *ctx)
{
	struct nth *n = ctx;

	if (n->seen++ == n->want) {
		n->id = r->id;
		n->found = 1;
		return 1;
	}
	return 0;
}

static hearth_id record_of(hearth_store *s, const char *kind, const hearth_id *person,
			   size_t nth)
{
	struct nth n = { .kind = kind, .want = nth };
	char hex[HEARTH_ID_HEX + 1], fbuf[64];
	size_t i;

	hearth_id_to_hex(person, hex);
	for (i = 0;; i++) {
		n.seen = 0;
		n.found = 0;
		n.want = i;
		assert_int_equal(hearth_store_each(s, kind, 0, nth_cb, &n), HEARTH_OK);
		assert_true(n.found);
		if (strcmp(FIELD(s, &n.id, "person"), hex) == 0 && nth-- == 0)
			return n.id;
	}
}

/* Every field of the original a and its copy b equal, but the fields
 * named in remapped (ids of records of the case: b's name the copies);
 * a's "moved_to" is the original's alone.  a and b of the same kind. */
static void same_fields(hearth_store *s, const hearth_id *a, const hearth_id *b,
			const char *const *remapped, size_t n)
{
	hearth_record *ra = NULL, *rb = NULL;
	size_t i, k, compared = 0;

	assert_int_equal(hearth_record_load(s, a, &ra), HEARTH_OK);
	assert_int_equal(hearth_record_load(s, b, &rb), HEARTH_OK);
	assert_string_equal(ra->kind, rb->kind);
	assert_null(hearth_record_field(rb, HEARTH_FIELD_MOVED_TO));
	for (i = 0; i < ra->nfields; i++) {
		const char *name = ra->fields[i].name, *vb = hearth_record_field(rb, name);
		int skip = 0;

		if (strcmp(name, HEARTH_FIELD_MOVED_TO) == 0)
			continue;
		compared++;
		assert_non_null(vb);
		for (k = 0; k < n; k++)
			skip |= strcmp(name, remapped[k]) == 0;
		if (skip)
			assert_string_not_equal(ra->fields[i].value, vb);
		else
			assert_string_equal(ra->fields[i].value, vb);
	}
	/* The copy of a person also says where its case state came from. */
	assert_int_equal(compared + (hearth_record_field(rb, HEARTH_FIELD_MOVED_SRC) != NULL),
			 rb->nfields);
	assert_true(strcmp(rb->kind, "person") != 0 ||
		    hearth_record_field(rb, HEARTH_FIELD_MOVED_SRC) != NULL);
	hearth_record_free(ra);
	hearth_record_free(rb);
}

/* Moving a case copies it whole into the team space and tombstones the
 * originals: a PHQ-9 item-9 safety flag, its pending action and its open
 * safety follow-up come along, open, and the safety rule still holds on
 * the copy; links between the records point to the copies. */
static void test_case_move(void **state)
{
	fixture *f = *state;
	static const char *const person_ref[] = { "person" };
	static const char *const fu_refs[] = { "origin", "person" };
	static const char *const note_refs[] = { "appt", "person" };
	static const char *const amend_refs[] = { "amends", "appt", "person" };
	static const char *const appt_refs[] = { "followup", "person" };
	hearth_person_fields pf = { .name = "赵磊", .unit = "运输队", .note = "夜班" };
	hearth_instrument *p9 = instrument("phq9");
	int a[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	hearth_screening_input in = { 0 };
	hearth_screening_result r;
	hearth_note_new nn = { .text = "S: sleeps badly\nA: plan made" };
	hearth_id team, p, note, amend, noshow_fu, moved_scr, moved_fu, moved_note;
	hearth_id moved_amend, moved_appt, moved_noshow;
	hearth_case_moved mv;
	hearth_appt_result *ar, *ar2;
	hearth_pending_action *pend = NULL;
	hearth_timeline *t0 = NULL, *t1 = NULL;
	size_t n, i;
	char fbuf[64], hex[HEARTH_ID_HEX + 1], nhex[HEARTH_ID_HEX + 1];
	char flags[64];

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "team", &team), HEARTH_OK);
	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	/* Item 9 answered 1: the safety flag, whatever the total (9). */
	in.person = p;
	in.answers = a;
	in.n_answers = 9;
	in.difficulty = HEARTH_ANSWER_NONE;
	in.at = "2026-12-01 09:30";
	assert_int_equal(hearth_screening_save(f->s, p9, &in, &r), HEARTH_OK);
	assert_true(r.safety);
	assert_true(r.action_pending);
	assert_true(r.has_followup);
	ar = book(f->s, &p, "2026-12-02 10:00", "王老师", "101");
	nn.person = p;
	nn.appt = &ar->ids[0];
	nn.format = "dap";
	assert_int_equal(hearth_note_add(f->s, &nn, "2026-12-02", &note), HEARTH_OK);
	assert_int_equal(hearth_note_amend(f->s, &note, "A: plan revised", "2026-12-03", &amend),
			 HEARTH_OK);
	ar2 = book(f->s, &p, "2026-12-09 10:00", "王老师", "101");
	assert_int_equal(hearth_appt_noshow(f->s, &ar2->ids[0], "2026-12-09", &noshow_fu),
			 HEARTH_OK);
	assert_int_equal(hearth_person_timeline(f->s, &p, &t0), HEARTH_OK);
	n = count_kind(f->s, NULL);

	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_OK);
	/* person, screening, two follow-ups, two appointments, two notes */
	assert_int_equal(mv.n_records, 8);
	/* Eight live copies, eight originals tombstoned. */
	assert_int_equal(count_kind(f->s, NULL), n);
	assert_int_equal(count_audit(f->s, HEARTH_AUDIT_RECORD_MOVE), 1);
	assert_true(space_is(f->s, &mv.person, &team));
	assert_false(is_deleted(f->s, &mv.person));
	assert_int_equal(hearth_person_check(f->s, &p), HEARTH_ENOTFOUND);
	for (i = 0; i < ar->n; i++)
		assert_true(is_deleted(f->s, &ar->ids[i]));
	assert_true(is_deleted(f->s, &r.id));
	assert_true(is_deleted(f->s, &r.followup));
	assert_true(is_deleted(f->s, &note));
	assert_true(is_deleted(f->s, &amend));
	assert_true(is_deleted(f->s, &noshow_fu));

	/* The original names its copy. */
	hearth_id_to_hex(&mv.person, hex);
	assert_string_equal(FIELD(f->s, &p, HEARTH_FIELD_MOVED_TO), hex);
	/* The person: the same fields, high risk from the safety rule. */
	same_fields(f->s, &p, &mv.person, NULL, 0);
	assert_string_equal(FIELD(f->s, &mv.person, "risk"), "high");
	assert_string_equal(FIELD(f->s, &mv.person, "name"), "赵磊");

	/* The screening: answers, score, band and the safety flag, its
	 * action still pending. */
	moved_scr = record_of(f->s, "screening", &mv.person, 0);
	assert_true(space_is(f->s, &moved_scr, &team));
	same_fields(f->s, &r.id, &moved_scr, person_ref, 1);
	snprintf(flags, sizeof flags, "%s", FIELD(f->s, &moved_scr, "flags"));
	assert_non_null(strstr(flags, "safety"));
	assert_string_equal(FIELD(f->s, &moved_scr, "answers"), "[1,1,1,1,1,1,1,1,1]");
	assert_string_equal(FIELD(f->s, &moved_scr, "action_status"), "pending");
	assert_int_equal(hearth_screening_pending_actions(f->s, &mv.person, &pend, &n), HEARTH_OK);
	assert_int_equal(n, 1);
	assert_true(hearth_id_equal(&pend[0].screening, &moved_scr));
	hearth_pending_actions_free(pend, n);
	assert_int_equal(hearth_screening_pending_actions(f->s, NULL, &pend, &n), HEARTH_OK);
	assert_int_equal(n, 1);
	hearth_pending_actions_free(pend, n);

	/* The safety follow-up: open, safety, from the moved screening. */
	moved_fu = record_of(f->s, "followup", &mv.person, 0);
	same_fields(f->s, &r.followup, &moved_fu, fu_refs, 2);
	assert_string_equal(FIELD(f->s, &moved_fu, "safety"), "1");
	assert_string_equal(FIELD(f->s, &moved_fu, "status"), "open");
	hearth_id_to_hex(&moved_scr, hex);
	assert_string_equal(FIELD(f->s, &moved_fu, "origin"), hex);
	assert_int_equal(hearth_followup_pending_safety(f->s, &mv.person, &n), HEARTH_OK);
	assert_int_equal(n, 1);
	/* The rule holds on the copy: the case cannot close. */
	assert_int_equal(hearth_person_set_case(f->s, &mv.person, "closed"), HEARTH_ESTATE);
	assert_int_equal(hearth_person_delete(f->s, &mv.person), HEARTH_ESTATE);

	/* Notes keep their text and their amendment, linked to the copies. */
	moved_appt = record_of(f->s, "appointment", &mv.person, 0);
	moved_note = record_of(f->s, "note", &mv.person, 0);
	moved_amend = record_of(f->s, "note", &mv.person, 1);
	same_fields(f->s, &note, &moved_note, note_refs, 2);
	same_fields(f->s, &amend, &moved_amend, amend_refs, 3);
	hearth_id_to_hex(&moved_appt, hex);
	assert_string_equal(FIELD(f->s, &moved_note, "appt"), hex);
	hearth_id_to_hex(&moved_note, nhex);
	assert_string_equal(FIELD(f->s, &moved_amend, "amends"), nhex);
	assert_string_equal(FIELD(f->s, &moved_note, "text"), "S: sleeps badly\nA: plan made");
	/* The no-show names its follow-up, made after it: the copy's. */
	moved_noshow = record_of(f->s, "appointment", &mv.person, 1);
	same_fields(f->s, &ar2->ids[0], &moved_noshow, appt_refs, 2);
	moved_fu = record_of(f->s, "followup", &mv.person, 1);
	hearth_id_to_hex(&moved_fu, hex);
	assert_string_equal(FIELD(f->s, &moved_noshow, "followup"), hex);

	/* The timeline reads the same. */
	assert_int_equal(hearth_person_timeline(f->s, &mv.person, &t1), HEARTH_OK);
	assert_int_equal(t0->n, t1->n);
	for (i = 0; i < t0->n; i++) {
		assert_string_equal(t0->items[i].kind, t1->items[i].kind);
		assert_string_equal(t0->items[i].when, t1->items[i].when);
		assert_string_equal(t0->items[i].summary, t1->items[i].summary);
		assert_true(space_is(f->s, &t1->items[i].id, &team));
	}
	hearth_timeline_free(t0);
	hearth_timeline_free(t1);
	hearth_appt_result_free(ar);
	hearth_appt_result_free(ar2);
	hearth_instrument_free(p9);
}

/* A move is refused, writing nothing, for a record that is not a person,
 * a deleted or erased person, a person already in the space, a space the
 * vault cannot write, and a case holding concurrent values. */
static void test_case_move_refused(void **state)
{
	fixture *f = *state;
	hearth_person_fields pf = { .name = "P" };
	hearth_id team, other_team, p, q, gone, fu, nowhere = hearth_id_random();
	hearth_case_moved mv;
	struct other o;
	size_t ops;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	other_open(f, &o);
	assert_int_equal(hearth_space_create(f->s, "team", &team), HEARTH_OK);
	assert_int_equal(hearth_space_create(o.s, "theirs", &other_team), HEARTH_OK);
	sync_all(o.s, f->s);
	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	assert_int_equal(hearth_person_add(f->s, &pf, &q), HEARTH_OK);
	assert_int_equal(hearth_person_add(f->s, &pf, &gone), HEARTH_OK);
	fu = add_followup(f->s, &p, "2026-12-08", "normal", "check in");
	assert_int_equal(hearth_person_delete(f->s, &q), HEARTH_OK);
	assert_int_equal(hearth_person_purge(f->s, &gone, NULL), HEARTH_OK);
	ops = count_ops(f->s);

	assert_int_equal(hearth_case_move(f->s, &fu, &team, &mv), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "only a person can be moved"));
	assert_int_equal(hearth_case_move(f->s, &q, &team, &mv), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "is deleted"));
	assert_int_equal(hearth_case_move(f->s, &gone, &team, &mv), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "was erased"));
	assert_int_equal(hearth_case_move(f->s, &nowhere, &team, &mv), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_case_move(f->s, &p, &other_team, &mv), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "not a member"));
	assert_int_equal(hearth_case_move(f->s, &p, &nowhere, &mv), HEARTH_ENOTFOUND);
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(count_audit(f->s, HEARTH_AUDIT_RECORD_MOVE), 0);

	/* Already there. */
	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_OK);
	ops = count_ops(f->s);
	assert_int_equal(hearth_case_move(f->s, &mv.person, &team, &mv), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "already"));
	/* Moved away: the original is deleted now. */
	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_ESTATE);
	assert_int_equal(count_ops(f->s), ops);
	other_close(&o);
}

/* Two values of one field written at once on two devices: a move would
 * keep one only, so it waits until someone keeps one; the caller's
 * transaction rolled back undoes a move whole. */
static void test_case_move_conflict_and_rollback(void **state)
{
	fixture *f = *state;
	hearth_person_fields pf = { .name = "赵磊" };
	hearth_id team, p, fu;
	hearth_case_moved mv;
	hearth_store *b = NULL;
	sqlite3 *db = NULL;
	char path[128], fbuf[64];
	size_t ops;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "team", &team), HEARTH_OK);
	snprintf(path, sizeof path, "%s/b.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(hearth_store_open(db, NULL, &b), HEARTH_OK);
	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	fu = add_followup(f->s, &p, "2026-12-08", "normal", "check in");
	sync_all(f->s, b);
	pf.name = NULL;
	pf.phone = "13800000000";
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);
	pf.phone = "13900000000";
	assert_int_equal(hearth_person_update(b, &p, &pf), HEARTH_OK);
	sync_all(b, f->s);
	ops = count_ops(f->s);
	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "two values of 'phone'"));
	assert_int_equal(count_ops(f->s), ops);
	/* Keeping one resolves it. */
	pf.phone = "13900000000";
	assert_int_equal(hearth_person_update(f->s, &p, &pf), HEARTH_OK);

	ops = count_ops(f->s);
	assert_int_equal(hearth_store_begin(f->s), HEARTH_OK);
	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_OK);
	hearth_store_rollback(f->s);
	assert_int_equal(count_ops(f->s), ops);
	assert_int_equal(hearth_person_check(f->s, &p), HEARTH_OK);
	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &mv.person, "phone"), "13900000000");
	assert_true(is_deleted(f->s, &fu));
	hearth_store_close(b);
	sqlite3_close(db);
	unlink(path);
}

struct value_count {
	const char *value;
	size_t n;
};

static int count_value_op(const hearth_op *op, uint64_t arrival, hearth_op_state state,
			  void *ctx)
{
	struct value_count *c = ctx;

	(void)arrival;
	(void)state;
	c->n += op->value != NULL && strcmp(op->value, c->value) == 0;
	return 0;
}

/* How many ops of the log still hold value. */
static size_t ops_holding(hearth_store *s, const char *value)
{
	struct value_count c = { value, 0 };

	assert_int_equal(hearth_store_ops_since(s, 0, count_value_op, &c), HEARTH_OK);
	return c.n;
}

/* Erasing a moved person erases the originals left tombstoned in the old
 * space too, and their records: nothing of the case stays in the log. */
static void test_person_purge_follows_moves(void **state)
{
	fixture *f = *state;
	hearth_person_fields pf = { .name = "钱芳", .note = "家暴求助" };
	hearth_note_new nn = { .text = "她说丈夫昨晚又动手了" };
	hearth_id team, other, p, q, note;
	hearth_case_moved mv, mv2;
	size_t n;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "team", &team), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "other", &other), HEARTH_OK);
	assert_int_equal(hearth_person_add(f->s, &pf, &p), HEARTH_OK);
	pf.name = "孙丽";
	assert_int_equal(hearth_person_add(f->s, &pf, &q), HEARTH_OK);
	nn.person = p;
	assert_int_equal(hearth_note_add(f->s, &nn, "2026-12-01", &note), HEARTH_OK);
	/* Moved twice: private, team, other. */
	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_OK);
	assert_int_equal(hearth_case_move(f->s, &mv.person, &other, &mv2), HEARTH_OK);
	assert_int_equal(ops_holding(f->s, "钱芳"), 3);
	assert_int_equal(ops_holding(f->s, "她说丈夫昨晚又动手了"), 3);

	assert_int_equal(hearth_person_purge(f->s, &mv2.person, &n), HEARTH_OK);
	assert_int_equal(n, 6);
	assert_int_equal(ops_holding(f->s, "钱芳"), 0);
	assert_int_equal(ops_holding(f->s, "她说丈夫昨晚又动手了"), 0);
	/* The other person, whose note has the same text, is left alone. */
	assert_int_equal(ops_holding(f->s, "家暴求助"), 1);
	assert_int_equal(ops_holding(f->s, "孙丽"), 1);
	assert_int_equal(hearth_person_check(f->s, &q), HEARTH_OK);
}

/* ---- records written for a moved person's original -------------------
 *
 * Store 1 moves a case into a team space; store 2, not yet knowing,
 * records for the original a PHQ-9 with item 9 marked (which makes an
 * open safety follow-up and a pending action), a note and an
 * appointment.  Once both have synced, in either order, both show them
 * under the copy, once each, and the safety rule counts the follow-up. */

#define LATE_TODAY "2026-12-20"
#define LATE_NOTE "服务站：说最近睡不着，想结束一切"

struct late {
	hearth_id team, p, copy, scr, fu, note, appt;
};

static hearth_screening_result late_phq9(hearth_store *s, const hearth_id *p,
					 const char *at, int item9)
{
	hearth_instrument *p9 = instrument("phq9");
	int a[9] = { 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	hearth_screening_input in = { 0 };
	hearth_screening_result r;

	a[8] = item9;
	in.person = *p;
	in.answers = a;
	in.n_answers = 9;
	in.difficulty = HEARTH_ANSWER_NONE;
	in.at = at;
	assert_int_equal(hearth_screening_save(s, p9, &in, &r), HEARTH_OK);
	hearth_instrument_free(p9);
	return r;
}

/* Store 1 (f->s) moves p while store 2 (b) writes for it; then they sync,
 * b's ops first when b_first. */
static void late_scenario(fixture *f, hearth_store *b, struct late *l, int b_first)
{
	hearth_note_new nn = { .text = LATE_NOTE };
	hearth_screening_result r;
	hearth_appt_result *ar;
	hearth_case_moved mv;
	size_t n;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "team", &l->team), HEARTH_OK);
	l->p = add_person(f->s, "周强");
	/* Served before the move: the report counts the person once. */
	r = late_phq9(f->s, &l->p, "2026-12-01 09:00", 0);
	assert_false(r.safety);
	sync_all(f->s, b);

	assert_int_equal(hearth_case_move(f->s, &l->p, &l->team, &mv), HEARTH_OK);
	l->copy = mv.person;
	/* Store 2, at a rest stop without a network. */
	r = late_phq9(b, &l->p, "2026-12-03 21:00", 2);
	assert_true(r.safety);
	assert_true(r.has_followup);
	l->scr = r.id;
	l->fu = r.followup;
	nn.person = l->p;
	assert_int_equal(hearth_note_add(b, &nn, "2026-12-03", &l->note), HEARTH_OK);
	ar = book(b, &l->p, "2026-12-22 10:00", "王老师", "101");
	l->appt = ar->ids[0];
	hearth_appt_result_free(ar);
	assert_int_equal(hearth_followup_pending_safety(b, &l->p, &n), HEARTH_OK);
	assert_int_equal(n, 1);

	if (b_first) {
		sync_all(b, f->s);
		sync_all(f->s, b);
	} else {
		sync_all(f->s, b);
		sync_all(b, f->s);
	}
}

/* Store 2 beside the fixture's, after late_scenario. */
struct late_b {
	char path[128];
	sqlite3 *db;
	hearth_store *s;
};

static void late_b_open(fixture *f, struct late_b *b)
{
	snprintf(b->path, sizeof b->path, "%s/b.db", f->dir);
	assert_int_equal(sqlite3_open(b->path, &b->db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(b->db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(hearth_store_open(b->db, NULL, &b->s), HEARTH_OK);
}

static void late_open(fixture *f, struct late_b *b, struct late *l, int b_first)
{
	late_b_open(f, b);
	late_scenario(f, b->s, l, b_first);
}

static void late_close(struct late_b *b)
{
	hearth_store_close(b->s);
	sqlite3_close(b->db);
	unlink(b->path);
}

/* How many items of a follow-up list are id; every item's id once. */
static size_t fu_count(const hearth_followups *l, const hearth_id *id,
		       const hearth_id *person)
{
	size_t i, j, n = 0;

	for (i = 0; i < l->n; i++) {
		for (j = i + 1; j < l->n; j++)
			assert_false(hearth_id_equal(&l->items[i].id, &l->items[j].id));
		if (!hearth_id_equal(&l->items[i].id, id))
			continue;
		n++;
		assert_true(hearth_id_equal(&l->items[i].person, person));
		assert_string_equal(l->items[i].person_name, "周强");
		assert_true(l->items[i].safety);
	}
	return n;
}

static size_t fu_listed(hearth_store *s, hearth_followup_which which,
			const hearth_id *person, const struct late *l)
{
	hearth_followups *fl = NULL;
	size_t n;

	assert_int_equal(hearth_followup_list(s, which, person, LATE_TODAY, &fl), HEARTH_OK);
	n = fu_count(fl, &l->fu, &l->copy);
	hearth_followups_free(fl);
	return n;
}

static size_t tl_count(const hearth_timeline *t, const hearth_id *id)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		n += hearth_id_equal(&t->items[i].id, id);
	return n;
}

/* Everything store 2 wrote shows under the copy, once, on s. */
static void late_check(hearth_store *s, const struct late *l)
{
	char hex[HEARTH_ID_HEX + 1];
	hearth_pending_action *pend = NULL;
	hearth_timeline *t = NULL;
	hearth_appts *al = NULL;
	hearth_notes *nl = NULL;
	hearth_report *rep = NULL;
	size_t n, k;

	/* The original is gone; its copy is the person. */
	assert_int_equal(hearth_person_check(s, &l->p), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_person_check(s, &l->copy), HEARTH_OK);

	/* The safety rule sees the follow-up: the moved case can neither
	 * close nor be deleted or erased, as an unmoved one. */
	assert_int_equal(hearth_followup_pending_safety(s, &l->copy, &n), HEARTH_OK);
	assert_int_equal(n, 1);
	hearth_id_to_hex(&l->fu, hex);
	hex[8] = '\0';
	assert_int_equal(hearth_person_set_case(s, &l->copy, "closed"), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), hex));
	assert_int_equal(hearth_person_delete(s, &l->copy), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), hex));
	assert_int_equal(hearth_person_purge(s, &l->copy, NULL), HEARTH_ESTATE);
	assert_int_equal(hearth_person_check(s, &l->copy), HEARTH_OK);

	/* The follow-up lists: pending, overdue (due 12-03), all; everyone's
	 * and the person's. */
	assert_int_equal(fu_listed(s, HEARTH_FOLLOWUPS_PENDING, NULL, l), 1);
	assert_int_equal(fu_listed(s, HEARTH_FOLLOWUPS_OVERDUE, NULL, l), 1);
	assert_int_equal(fu_listed(s, HEARTH_FOLLOWUPS_ALL, NULL, l), 1);
	assert_int_equal(fu_listed(s, HEARTH_FOLLOWUPS_PENDING, &l->copy, l), 1);
	assert_int_equal(fu_listed(s, HEARTH_FOLLOWUPS_OVERDUE, &l->copy, l), 1);
	assert_int_equal(fu_listed(s, HEARTH_FOLLOWUPS_ALL, &l->copy, l), 1);

	/* The flagged screening's action is pending, for the copy. */
	assert_int_equal(hearth_screening_pending_actions(s, &l->copy, &pend, &n), HEARTH_OK);
	assert_int_equal(n, 1);
	assert_true(hearth_id_equal(&pend[0].screening, &l->scr));
	assert_true(hearth_id_equal(&pend[0].person, &l->copy));
	assert_string_equal(pend[0].person_name, "周强");
	hearth_pending_actions_free(pend, n);
	assert_int_equal(hearth_screening_pending_actions(s, NULL, &pend, &n), HEARTH_OK);
	assert_int_equal(n, 1);
	assert_true(hearth_id_equal(&pend[0].person, &l->copy));
	hearth_pending_actions_free(pend, n);

	/* The timeline: the screening moved with the case and the four
	 * records written late, once each. */
	assert_int_equal(hearth_person_timeline(s, &l->copy, &t), HEARTH_OK);
	assert_int_equal(t->n, 5);
	assert_int_equal(tl_count(t, &l->scr), 1);
	assert_int_equal(tl_count(t, &l->fu), 1);
	assert_int_equal(tl_count(t, &l->note), 1);
	assert_int_equal(tl_count(t, &l->appt), 1);
	hearth_timeline_free(t);

	/* The appointment and the note, in the person's lists and in
	 * everyone's under the copy. */
	for (k = 0; k < 2; k++) {
		assert_int_equal(hearth_appt_list(s, NULL, NULL, k ? NULL : &l->copy, &al),
				 HEARTH_OK);
		assert_int_equal(al->n, 1);
		assert_true(hearth_id_equal(&al->items[0].id, &l->appt));
		assert_true(hearth_id_equal(&al->items[0].person, &l->copy));
		assert_string_equal(al->items[0].person_name, "周强");
		hearth_appts_free(al);
	}
	assert_int_equal(hearth_note_list(s, &l->copy, &nl), HEARTH_OK);
	assert_int_equal(nl->n, 1);
	assert_true(hearth_id_equal(&nl->items[0].id, &l->note));
	assert_true(hearth_id_equal(&nl->items[0].person, &l->copy));
	hearth_notes_free(nl);
	assert_int_equal(hearth_note_list(s, NULL, &nl), HEARTH_OK);
	assert_int_equal(nl->n, 1);
	assert_true(hearth_id_equal(&nl->items[0].person, &l->copy));
	hearth_notes_free(nl);

	/* Reports: two screenings, one safety flag, one person served. */
	assert_int_equal(hearth_report_build(s, "2026-12-01", "2026-12-31", HEARTH_REPORT_WHOLE,
					     LATE_TODAY, &rep), HEARTH_OK);
	assert_int_equal(rep->whole.m[HEARTH_M_SCREENINGS], 2);
	assert_int_equal(rep->whole.m[HEARTH_M_SAFETY_FLAGS], 1);
	assert_int_equal(rep->whole.m[HEARTH_M_FOLLOWUP_OVERDUE], 1);
	assert_int_equal(rep->whole.m[HEARTH_M_PEOPLE], 1);
	hearth_report_free(rep);
}

/* Both replicas list the same follow-ups in the same order. */
static void late_same(hearth_store *a, hearth_store *b)
{
	hearth_followups *la = NULL, *lb = NULL;
	const hearth_followup_which w[] = { HEARTH_FOLLOWUPS_PENDING, HEARTH_FOLLOWUPS_ALL };
	size_t i, k;

	for (k = 0; k < 2; k++) {
		assert_int_equal(hearth_followup_list(a, w[k], NULL, LATE_TODAY, &la), HEARTH_OK);
		assert_int_equal(hearth_followup_list(b, w[k], NULL, LATE_TODAY, &lb), HEARTH_OK);
		assert_int_equal(la->n, lb->n);
		for (i = 0; i < la->n; i++) {
			assert_true(hearth_id_equal(&la->items[i].id, &lb->items[i].id));
			assert_true(hearth_id_equal(&la->items[i].person, &lb->items[i].person));
		}
		hearth_followups_free(la);
		hearth_followups_free(lb);
	}
}

static void late_records(void **state, int b_first)
{
	fixture *f = *state;
	struct late_b b;
	struct late l;

	late_open(f, &b, &l, b_first);
	late_check(f->s, &l);
	late_check(b.s, &l);
	late_same(f->s, b.s);
	late_close(&b);
}

/* The moving device hears of the late records first. */
static void test_case_move_late_records_moved_first(void **state)
{
	late_records(state, 0);
}

/* The device that wrote them hears of the move first. */
static void test_case_move_late_records_writer_first(void **state)
{
	late_records(state, 1);
}

/* Erasing the moved person is refused while the late safety follow-up is
 * open, then, once it is done, erases the late records too. */
static void test_case_move_late_records_purge(void **state)
{
	fixture *f = *state;
	struct late_b b;
	struct late l;
	size_t n;

	late_open(f, &b, &l, 1);
	assert_int_equal(ops_holding(f->s, LATE_NOTE), 1);
	assert_int_equal(hearth_person_purge(f->s, &l.copy, &n), HEARTH_ESTATE);
	assert_int_equal(ops_holding(f->s, LATE_NOTE), 1);
	assert_int_equal(hearth_followup_done(f->s, &l.fu, "called, safe tonight", LATE_TODAY),
			 HEARTH_OK);
	assert_int_equal(hearth_followup_pending_safety(f->s, &l.copy, &n), HEARTH_OK);
	assert_int_equal(n, 0);
	assert_int_equal(hearth_person_purge(f->s, &l.copy, &n), HEARTH_OK);
	assert_int_equal(ops_holding(f->s, LATE_NOTE), 0);
	assert_int_equal(ops_holding(f->s, "周强"), 0);
	assert_int_equal(count_kind(f->s, "note"), 0);
	assert_int_equal(count_kind(f->s, "appointment"), 0);
	late_close(&b);
}


/* The safety rule's risk and case state reach a moved person's copy.
 * Store 2 records a PHQ-9 with item 9 marked for p BEFORE store 1 moves
 * p (store 1 has not heard of it), so store 2's ops are older than the
 * move's copy of the fields: last-writer-wins alone would keep the
 * copied "low" and "open".  Both sync orders. */
static void late_risk(void **state, int b_first)
{
	fixture *f = *state;
	hearth_screening_result r;
	hearth_case_moved mv;
	struct late_b b;
	hearth_record *rec = NULL;
	hearth_store *both[2];
	hearth_id team, p;
	size_t k, n;

	late_b_open(f, &b);
	both[0] = f->s;
	both[1] = b.s;

	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "team", &team), HEARTH_OK);
	p = add_person(f->s, "周强");
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", NULL), HEARTH_OK);
	assert_int_equal(hearth_person_set_case(f->s, &p, "open"), HEARTH_OK);
	sync_all(f->s, b.s);

	/* Store 2 first, at a rest stop without a network. */
	r = late_phq9(b.s, &p, "2026-12-03 21:00", 2);
	assert_true(r.safety);
	/* Then store 1 moves the case, copying "low" and "open". */
	assert_int_equal(hearth_case_move(f->s, &p, &team, &mv), HEARTH_OK);
	assert_int_equal(hearth_record_load(f->s, &mv.person, &rec), HEARTH_OK);
	assert_string_equal(hearth_record_field(rec, "risk"), "low");
	hearth_record_free(rec);

	if (b_first) {
		sync_all(b.s, f->s);
		sync_all(f->s, b.s);
	} else {
		sync_all(f->s, b.s);
		sync_all(b.s, f->s);
	}
	for (k = 0; k < 2; k++) {
		assert_int_equal(hearth_case_moves_settle(both[k], &n), HEARTH_OK);
		assert_int_equal(n, 2); /* risk and case */
	}
	sync_all(f->s, b.s);
	sync_all(b.s, f->s);
	for (k = 0; k < 2; k++) {
		/* Settled: nothing more to write. */
		assert_int_equal(hearth_case_moves_settle(both[k], &n), HEARTH_OK);
		assert_int_equal(n, 0);
		assert_int_equal(hearth_record_load(both[k], &mv.person, &rec), HEARTH_OK);
		assert_string_equal(hearth_record_field(rec, "risk"), "high");
		assert_string_equal(hearth_record_field(rec, "case"), "followup");
		hearth_record_free(rec);
		/* The rule on lowering it holds on the copy as on any case. */
		assert_int_equal(hearth_person_set_risk(both[k], &mv.person, "moderate", NULL),
				 HEARTH_ESTATE);
	}

	/* A reasoned lowering on the copy, after the move, is not undone by
	 * the original's older value. */
	assert_int_equal(hearth_person_set_risk(f->s, &mv.person, "moderate",
						"seen in person, safety plan agreed"),
			 HEARTH_OK);
	sync_all(f->s, b.s);
	for (k = 0; k < 2; k++) {
		assert_int_equal(hearth_case_moves_settle(both[k], &n), HEARTH_OK);
		assert_int_equal(n, 0);
		assert_int_equal(hearth_record_load(both[k], &mv.person, &rec), HEARTH_OK);
		assert_string_equal(hearth_record_field(rec, "risk"), "moderate");
		hearth_record_free(rec);
	}
	late_close(&b);
}

static void test_case_move_late_risk_moved_first(void **state)
{
	late_risk(state, 0);
}

static void test_case_move_late_risk_writer_first(void **state)
{
	late_risk(state, 1);
}

/* Moved twice (private -> team -> second team) before the late value
 * arrives: it still reaches the last copy. */
static void test_case_move_late_risk_twice(void **state)
{
	fixture *f = *state;
	hearth_case_moved mv, mv2;
	hearth_record *rec = NULL;
	struct late_b b;
	hearth_id t1, t2, p;
	size_t n;

	late_b_open(f, &b);
	assert_int_equal(hearth_devices_ensure(f->s, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "team", &t1), HEARTH_OK);
	assert_int_equal(hearth_space_create(f->s, "team 2", &t2), HEARTH_OK);
	p = add_person(f->s, "周强");
	assert_int_equal(hearth_person_set_risk(f->s, &p, "low", NULL), HEARTH_OK);
	sync_all(f->s, b.s);
	(void)late_phq9(b.s, &p, "2026-12-03 21:00", 3);
	assert_int_equal(hearth_case_move(f->s, &p, &t1, &mv), HEARTH_OK);
	assert_int_equal(hearth_case_move(f->s, &mv.person, &t2, &mv2), HEARTH_OK);
	sync_all(b.s, f->s);
	assert_int_equal(hearth_case_moves_settle(f->s, &n), HEARTH_OK);
	assert_int_equal(hearth_record_load(f->s, &mv2.person, &rec), HEARTH_OK);
	assert_false(rec->deleted);
	assert_string_equal(hearth_record_field(rec, "risk"), "high");
	assert_string_equal(hearth_record_field(rec, "case"), "followup");
	hearth_record_free(rec);
	late_close(&b);
}

/* The late records can be worked on like the copy's own: the pending
 * action recorded, the appointment marked a no-show (its follow-up is the
 * copy's, in the team space), the note amended (the amendment the
 * copy's), the safety call made; then the case may close. */
static void test_case_move_late_records_acted_on(void **state)
{
	fixture *f = *state;
	hearth_pending_action *pend = NULL;
	hearth_notes *nl = NULL;
	struct late_b b;
	char fbuf[64], hex[HEARTH_ID_HEX + 1];
	hearth_id nfu, amend;
	struct late l;
	size_t n;

	late_open(f, &b, &l, 0);
	hearth_id_to_hex(&l.copy, hex);

	assert_int_equal(hearth_screening_record_action(f->s, &l.scr, "safety plan made",
							"2026-12-20 10:00"), HEARTH_OK);
	assert_int_equal(hearth_screening_pending_actions(f->s, &l.copy, &pend, &n), HEARTH_OK);
	assert_int_equal(n, 0);
	hearth_pending_actions_free(pend, n);

	assert_int_equal(hearth_appt_noshow(f->s, &l.appt, "2026-12-22", &nfu), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &nfu, "person"), hex);
	assert_true(space_is(f->s, &nfu, &l.team));

	assert_int_equal(hearth_note_amend(f->s, &l.note, "A: plan revised", "2026-12-23",
					   &amend), HEARTH_OK);
	assert_string_equal(FIELD(f->s, &amend, "person"), hex);
	assert_true(space_is(f->s, &amend, &l.team));
	assert_int_equal(hearth_note_list(f->s, &l.copy, &nl), HEARTH_OK);
	assert_int_equal(nl->n, 2);
	assert_true(hearth_id_equal(&nl->items[0].id, &l.note));
	assert_true(hearth_id_equal(&nl->items[1].id, &amend));
	hearth_notes_free(nl);

	assert_int_equal(hearth_person_set_case(f->s, &l.copy, "closed"), HEARTH_ESTATE);
	assert_int_equal(hearth_followup_done(f->s, &l.fu, "called, safe tonight", LATE_TODAY),
			 HEARTH_OK);
	assert_int_equal(hearth_person_set_case(f->s, &l.copy, "closed"), HEARTH_OK);
	late_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_high_risk_case_cannot_close, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_safety_inside_caller_transaction, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_add_and_update, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_refuses_bad_input, store_setup, store_teardown),
		cmocka_unit_test(test_person_tags_parse),
		cmocka_unit_test_setup_teardown(test_case_close_refused_whatever_risk, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_lowering_risk_needs_reason, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_timeline, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_delete, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_delete_refused_open_safety, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_delete_rolls_back, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_show, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_tags_split, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_note_edits_kept, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_purge, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_purge_refused_open_safety, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_in_team_space, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_add_in_refused, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_refused, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_conflict_and_rollback, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_person_purge_follows_moves, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_late_records_moved_first, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_late_records_writer_first, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_late_records_purge, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_late_records_acted_on, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_late_risk_moved_first, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_late_risk_writer_first, store_setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_case_move_late_risk_twice, store_setup, store_teardown),
	};

	return cmocka_run_group_tests_name("people", tests, NULL, NULL);
}
