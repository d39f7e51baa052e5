/*
 * hearth/screening.h - saving a screening for a person, the safety rule,
 * and the crisis card.
 *
 * A screening is a record of kind "screening" in the person's space.  Its
 * fields (all text, as every record field is):
 *
 *   person        the person record's id (32 hex digits)
 *   instrument    instrument id ("phq9")
 *   version       the instrument's version: the score below was worked out
 *                 by that version's rules and is never recomputed
 *   answers       JSON array of raw values, one per item, null for an item
 *                 skipped by its condition: "[1,0,2,0,1,0,0,1,1]"
 *   difficulty    the unscored difficulty answer ("0".."3"), absent if none
 *   total         raw total ("6")
 *   display       displayed score ("6"; WHO-5: raw × 4, "0".."100")
 *   band          band or risk level id ("mild"; C-SSRS: "none", "low",
 *                 "moderate", "high")
 *   positive      "1" or "0"
 *   cutoff        the positive cut-off applied ("10"), absent for C-SSRS
 *   flags         JSON array of flag names ("[\"safety\"]", "[]")
 *   risk          "low", "moderate" or "high" when the instrument gives a
 *                 risk level (C-SSRS), else absent
 *   suggest       the full form the result suggests giving ("phq9"),
 *                 absent if none
 *   next_step     the suggested next step, in lang (one line per band or
 *                 rule that asks something)
 *   lang          "en" or "zh_CN": the language the questions were asked in
 *   translation   "official" or "unofficial" (the Chinese wording)
 *   action_taken  what the counsellor did about a safety result, when
 *                 recorded (at the save, or later)
 *   action_status on a safety result only: "pending" until the action
 *                 taken is recorded, then "recorded"
 *   action_at     when the action was recorded after the save
 *                 ("YYYY-MM-DD HH:MM" or "YYYY-MM-DD")
 *   date          the day it was done, "YYYY-MM-DD"
 *   at            when, "YYYY-MM-DD HH:MM" local time (absent when only
 *                 the day was given)
 *
 * The faces give a screening with one call, hearth_screening_run (score,
 * safety decision, save, and what to show); hearth_screening_save below
 * is its saving step.
 *
 * The safety rule lives here, not in any front end: when a score carries
 * the "safety" flag (PHQ-9 item 9 above 0, whatever the total), a high
 * risk level (C-SSRS), or an outcome asking for HEARTH_ACTION_SAFETY,
 * saving it also marks the person high risk and creates a same-day
 * high-priority safety follow-up (through hearth_followup_create_safety,
 * hearth/casework.h), in the same transaction, and the caller shows the
 * crisis card.  Save first, then ask: a safety result is always saved at
 * submit.  Without the action taken it is saved with the action pending
 * (action_status "pending", result.action_pending set); the caller then
 * asks for it and records it with hearth_screening_record_action, its own
 * audited change ("screening.action").  Until then it is listed by
 * hearth_screening_pending_actions, which the faces show at the top of
 * their day and person views.  A result saved with the action taken is
 * recorded at once.  A safety flag also overrides the band's advice:
 * hearth_score_further_check says a further check is needed, and
 * hearth_score_next_steps leaves out a band's "no further check" step.
 * Other band follow-ups ("follow up in 14 days") are created the same way
 * at normal priority (hearth_followup_add, source "screening", origin the
 * screening); a band that suggests a full form creates none.  Each saved
 * screening appends an audit entry "screening.add" (subject: the
 * screening; detail: instrument and band, e.g. "phq9 mild", with
 * " safety" and " action-pending" when they apply).
 */
#ifndef HEARTH_SCREENING_H
#define HEARTH_SCREENING_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/instruments.h"
#include "hearth/settings.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_SCREENING_KIND "screening"

/* What to save. */
typedef struct hearth_screening_input {
	hearth_id person;           /* a person record (not tombstoned) */
	const int *answers;         /* one per item, HEARTH_ANSWER_NONE for none */
	size_t n_answers;           /* = hearth_instrument_n_items() */
	int difficulty;             /* HEARTH_ANSWER_NONE when not asked */
	const char *action_taken;   /* NULL or "" when none */
	const char *lang;           /* "en"/"zh_CN"; NULL: "en" */
	/* When: "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (required; the core reads
	 * no clock).  Its date is "today" for the follow-ups made. */
	const char *at;
} hearth_screening_input;

/* What saving did. */
typedef struct hearth_screening_result {
	hearth_id id;               /* the screening record */
	hearth_score score;         /* borrowed from the instrument */
	int safety;                 /* the safety rule fired */
	int person_marked_high;     /* the person's risk was set to high */
	int has_followup;           /* a follow-up was created */
	hearth_id followup;         /* ... this one */
	int followup_high;          /* ... at high priority, due today */
	char followup_due[HEARTH_DATE_LEN + 1]; /* ... due "YYYY-MM-DD" */
	int action_pending;         /* safety result saved with the action
				     * taken not yet recorded: the caller
				     * shows the crisis card and asks for it
				     * (hearth_screening_record_action) */
} hearth_screening_result;

/* Scores in->answers with inst (the PHQ-9 cut-off from the vault setting
 * phq9_cutoff), and saves the screening, the person's high risk, the
 * follow-up and the audit entry in one transaction (the caller's, if one
 * is open).  Errors, with nothing saved: as hearth_instrument_score
 * (HEARTH_EINCOMPLETE, HEARTH_EINVAL), HEARTH_ENOTFOUND for an unknown or
 * deleted person, HEARTH_EINVAL for an action_taken over 2000 bytes.  A
 * safety result without action_taken is saved with its action pending
 * (out->action_pending). */
hearth_status hearth_screening_save(hearth_store *s,
				    const hearth_instrument *inst,
				    const hearth_screening_input *in,
				    hearth_screening_result *out) HEARTH_WUR;

/* Records what the counsellor did about a safety-flagged screening that
 * was saved with its action pending.  action: non-empty, at most 2000
 * bytes; at: "YYYY-MM-DD HH:MM" or "YYYY-MM-DD".  Audited
 * ("screening.action").  HEARTH_ENOTFOUND for an unknown screening,
 * HEARTH_ESTATE when no action is pending on it (already recorded, or not
 * a safety result), HEARTH_EINVAL for an empty or over-long action. */
hearth_status hearth_screening_record_action(hearth_store *s,
					     const hearth_id *screening,
					     const char *action,
					     const char *at) HEARTH_WUR;

/* A safety-flagged screening whose action taken is not yet recorded. */
typedef struct hearth_pending_action {
	hearth_id screening;
	hearth_id person;
	char *person_name;          /* the person's name or pseudonym */
	char *instrument;           /* "phq9", "cssrs" */
	char date[HEARTH_DATE_LEN + 1];
} hearth_pending_action;

/* The pending actions of one person (person non-NULL) or of everyone
 * (NULL), oldest first.  *out is malloc'd: hearth_pending_actions_free. */
hearth_status hearth_screening_pending_actions(hearth_store *s,
					       const hearth_id *person,
					       hearth_pending_action **out,
					       size_t *n) HEARTH_WUR;
void hearth_pending_actions_free(hearth_pending_action *v, size_t n);

/* ---- one screening, end to end ---- */

/* What hearth_screening_run did, ready for a face to print or show. */
typedef struct hearth_screening_run_result {
	/* The save: the screening's id, the score (band, flags, total,
	 * display, risk, suggest: borrowed from the instrument, which must
	 * outlive this result), the safety rule, the follow-up made, the
	 * person marked high, action_pending. */
	hearth_screening_result saved;
	int crisis_card;    /* the safety rule fired: show the crisis card
			     * now (the result is saved already) */
	int further_check;  /* hearth_score_further_check: set by a positive
			     * screen or by any safety flag, whatever the
			     * band says */
	char *next_steps;   /* hearth_score_next_steps in in->lang, one step
			     * a line: under a safety flag without a band's
			     * "no further check suggested now" */
	char *crisis_text;  /* with crisis_card: the card as text in
			     * in->lang (hearth_crisis_card: the vault's
			     * help lines and supervisor; the default help
			     * lines when the vault's cannot be read);
			     * NULL otherwise */
	hearth_pending_action pending; /* with saved.action_pending: the
			     * entry hearth_screening_pending_actions lists
			     * for it (screening, person, person_name,
			     * instrument, date), for the face's "record the
			     * action taken" step; zeroed otherwise */
} hearth_screening_run_result;

/* Runs a screening end to end, the one sequence both faces use: scores
 * in->answers with inst and the vault's cut-off, applies the safety rule
 * and saves (hearth_screening_save: the screening, and for a safety result
 * the person's high risk and a same-day safety follow-up, with the action
 * pending unless in->action_taken is given; else the band's follow-up),
 * then fills *out with what the face shows.  The answers are the form
 * both faces hold: one int per item of inst, HEARTH_ANSWER_NONE for an
 * item its condition skipped (hearth_instrument_item_shown), and
 * in->difficulty (HEARTH_ANSWER_NONE when not asked).  in->at is "today"
 * ("YYYY-MM-DD" or "YYYY-MM-DD HH:MM").
 *
 * Errors are those of hearth_screening_save, with nothing written and
 * *out zeroed.  Once the screening is saved the call returns HEARTH_OK:
 * next_steps and crisis_text are then NULL only if memory ran out (a face
 * shows the card from hearth_crisis_steps then).  Free with
 * hearth_screening_run_result_free.  Audit: screening.add (and those of
 * the safety rule and the follow-up). */
hearth_status hearth_screening_run(hearth_store *s,
				   const hearth_instrument *inst,
				   const hearth_screening_input *in,
				   hearth_screening_run_result *out) HEARTH_WUR;

/* Frees what r holds (not r itself) and zeroes it.  Accepts NULL. */
void hearth_screening_run_result_free(hearth_screening_run_result *r);

/* Whether the result asks for a further check: a positive screen or any
 * safety flag.  A safety flag overrides the band's advice, so a result
 * with one never reads "no further check needed". */
int hearth_score_further_check(const hearth_score *score);

/* The cut-off the vault applies to inst: the phq9_cutoff setting for an
 * instrument that names it, else the instrument's default (0 if none). */
hearth_status hearth_screening_cutoff(hearth_store *s,
				      const hearth_instrument *inst,
				      int *cutoff) HEARTH_WUR;

/* The next-step text of a score in lang: the band's, then each fired
 * rule's, one per line, each said once.  When the safety rule fired, a
 * band that asks for nothing (its "no further check suggested now") is
 * left out.  *out is malloc'd. */
hearth_status hearth_score_next_steps(const hearth_score *score,
				      const char *lang, char **out) HEARTH_WUR;

/* ---- the crisis card ---- */

/* The fixed steps of the crisis card, in order: stay with the person,
 * remove the means, call the help lines, tell the supervisor.  Static;
 * *n receives the count. */
const hearth_text *hearth_crisis_steps(size_t *n);

/* The card's title ("Safety first: act now" / its Chinese). Static. */
const hearth_text *hearth_crisis_title(void);

/* The crisis card as text in lang: title, numbered steps, the help lines
 * (one per line: "name: number (hours; verified YYYY-MM-DD)", or "not
 * verified"; no hours when they are unknown) and, when given, the
 * supervisor.  lines
 * may be NULL with n 0; supervisor may be NULL or "".  *out is malloc'd. */
hearth_status hearth_crisis_card_format(const hearth_helpline *lines, size_t n,
					const char *supervisor,
					const char *lang, char **out) HEARTH_WUR;

/* The crisis card with the vault's help lines and supervisor. */
hearth_status hearth_crisis_card(hearth_store *s, const char *lang,
				 char **out) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_SCREENING_H */
