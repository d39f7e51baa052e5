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
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/person.h"
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
	};

	return cmocka_run_group_tests_name("people", tests, NULL, NULL);
}
