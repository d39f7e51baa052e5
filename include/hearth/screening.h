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
 *   action_taken  what the counsellor did (required for C-SSRS high risk)
 *   date          the day it was done, "YYYY-MM-DD"
 *   at            when, "YYYY-MM-DD HH:MM" local time (absent when only
 *                 the day was given)
 *
 * The safety rule lives here, not in any front end: when a score carries
 * the "safety" flag (PHQ-9 item 9 above 0, whatever the total) or a high
 * risk level (C-SSRS), saving it also marks the person high risk and
 * creates a same-day high-priority safety follow-up (through
 * hearth_followup_create_safety, hearth/casework.h), in the same
 * transaction, and the caller shows the crisis card.  A high-risk C-SSRS
 * result is refused (nothing saved) until the action taken is recorded.
 * Other band follow-ups ("follow up in 14 days") are created the same way
 * at normal priority (hearth_followup_add, source "screening", origin the
 * screening); a band that suggests a full form creates none.  Each saved
 * screening appends an audit entry "screening.add" (subject: the
 * screening; detail: instrument and band, e.g. "phq9 mild").
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
} hearth_screening_result;

/* Scores in->answers with inst (the PHQ-9 cut-off from the vault setting
 * phq9_cutoff), and saves the screening, the person's high risk, the
 * follow-up and the audit entry in one transaction (the caller's, if one
 * is open).  Errors, with nothing saved: as hearth_instrument_score
 * (HEARTH_EINCOMPLETE, HEARTH_EINVAL), HEARTH_ENOTFOUND for an unknown or
 * deleted person, HEARTH_ESTATE "record the action taken (--action) before
 * saving a high-risk result" for a high-risk C-SSRS result without
 * action_taken. */
hearth_status hearth_screening_save(hearth_store *s,
				    const hearth_instrument *inst,
				    const hearth_screening_input *in,
				    hearth_screening_result *out) HEARTH_WUR;

/* The cut-off the vault applies to inst: the phq9_cutoff setting for an
 * instrument that names it, else the instrument's default (0 if none). */
hearth_status hearth_screening_cutoff(hearth_store *s,
				      const hearth_instrument *inst,
				      int *cutoff) HEARTH_WUR;

/* The next-step text of a score in lang: the band's, then each fired
 * rule's, one per line.  *out is malloc'd. */
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
 * (one "name: number" per line) and, when given, the supervisor.  lines
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
