/*
 * hearth/journal.h - an employee's private journal: mood check-ins,
 * self-screenings and their trend, and the 5-4-3-2-1 grounding exercise.
 *
 * The journal lives in the vault owner's private space (records made with
 * space NULL, hearth_store_private_space()), never in a team's space.
 *
 * journal (one entry)
 *     date        "YYYY-MM-DD"
 *     mood        "1".."5" (1 very low ... 5 very good); absent on an entry
 *                 that only records a self-screening
 *     text        free text, absent if none
 *     screening   id of the linked self-screening, absent if none
 *
 * A self-screening is a record of kind "screening" in the private space
 * with the fields of hearth/screening.h that apply (instrument, version,
 * answers, total, display, band, positive, cutoff, flags, risk, lang,
 * translation, date, at), no "person", and
 *     journal     id of the journal entry it belongs to
 * It is scored by the same pure function as a counsellor's screening
 * (hearth_instrument_score), with the vault's cut-off.  It creates no
 * follow-up and marks nobody: it is the employee's own, and reports never
 * count it.  When it carries a safety flag the caller shows the help lines
 * at once (hearth_journal_screen says so in its result).
 *
 * The employee may share chosen entries, or all of them, with one
 * counsellor (hearth/share.h): a share made with all takes each new entry
 * hearth_journal_add or hearth_journal_screen writes while it lasts, and
 * hearth_journal_delete takes the entry's copies back too.
 *
 * Audit actions: journal.add, journal.screen, journal.delete (subject: the
 * entry; detail: instrument and band for a screening, never the text).
 */
#ifndef HEARTH_JOURNAL_H
#define HEARTH_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/instruments.h"
#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/timeutil.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_JOURNAL_KIND "journal"
#define HEARTH_MOOD_MIN 1
#define HEARTH_MOOD_MAX 5
/* Journal text longer than this is refused (a journal entry, not a book). */
#define HEARTH_JOURNAL_TEXT_MAX (16u * 1024u)

/* Adds a mood check-in dated date (required) with mood 1..5 and optional
 * text (NULL or "" for none).  HEARTH_EINVAL with a detail ("mood 7 is out
 * of range: choose 1-5", a bad date, text too long).  Audit: journal.add. */
hearth_status hearth_journal_add(hearth_store *s, const char *date, int mood,
				 const char *text, hearth_id *out) HEARTH_WUR;

/* Deletes a mood check-in (an entry hearth_journal_add made: the app's
 * Undo).  HEARTH_ENOTFOUND for an unknown or deleted entry or a record of
 * another kind, HEARTH_ESTATE for the entry of a self-screening; nothing
 * is written then.  Audit: journal.delete. */
hearth_status hearth_journal_delete(hearth_store *s,
				    const hearth_id *entry) HEARTH_WUR;

/* What a self-screening gave. */
typedef struct hearth_journal_screened {
	hearth_id entry;      /* the journal entry */
	hearth_id screening;  /* the screening record */
	hearth_score score;   /* borrowed from the instrument */
	int safety;           /* a safety flag or high risk: show help now */
} hearth_journal_screened;

/* Scores answers (one per item of inst, HEARTH_ANSWER_NONE for a skipped
 * one; see hearth_instrument_answers_map) with the vault's cut-off, and
 * saves the screening and a journal entry linking it, in one transaction.
 * at is "YYYY-MM-DD HH:MM" or "YYYY-MM-DD" (required); lang is the
 * language the questions were asked in (NULL: "en"); text an optional
 * note.  Errors as hearth_instrument_score (HEARTH_EINCOMPLETE: nothing
 * saved), HEARTH_EINVAL for a bad at.  Audit: journal.screen. */
hearth_status hearth_journal_screen(hearth_store *s,
				    const hearth_instrument *inst,
				    const int *answers, size_t n_answers,
				    const char *at, const char *lang,
				    const char *text,
				    hearth_journal_screened *out) HEARTH_WUR;

typedef struct hearth_journal_item {
	hearth_id id;
	char date[HEARTH_DATE_LEN + 1];
	int mood;             /* 0 when none */
	char *text;           /* "" when none */
	int has_screening;
	hearth_id screening;
	char *instrument;     /* "" unless has_screening */
	char *band;           /* "" unless has_screening */
	int total;            /* raw total, 0 unless has_screening */
	int display;          /* displayed score */
	int safety;           /* the screening carried a safety flag */
	int shared;           /* a copy is in a share (hearth/share.h): the
			       * counsellor may hold it */
} hearth_journal_item;

typedef struct hearth_journal_list {
	size_t n;
	hearth_journal_item *items;
} hearth_journal_list;

/* Entries dated in [from, to] (NULL: unbounded), oldest first (date, then
 * the order written).  Reading only: no audit entry. */
hearth_status hearth_journal_entries(hearth_store *s, const char *from,
				     const char *to,
				     hearth_journal_list **out) HEARTH_WUR;
void hearth_journal_list_free(hearth_journal_list *l);

/* One dated value of a trend. */
typedef struct hearth_trend_point {
	char date[HEARTH_DATE_LEN + 1];
	int value;
	char *band;           /* "" for moods */
} hearth_trend_point;

typedef struct hearth_trend {
	char *instrument;     /* "" for mood */
	int min, max;         /* the scale: 1-5 for mood, 0-display max */
	size_t n;
	hearth_trend_point *points; /* oldest first */
} hearth_trend;

/* The mood trend (instrument NULL or "") or the displayed scores of one
 * instrument's self-screenings, oldest first.  The scale comes from the
 * instrument file when it can be found, else from the values.
 * HEARTH_EINVAL for a malformed instrument id. */
hearth_status hearth_journal_trend(hearth_store *s, const char *instrument,
				   hearth_trend **out) HEARTH_WUR;
void hearth_trend_free(hearth_trend *t);

/* A text sparkline: one of ▁▂▃▄▅▆▇█ per value, scaled so min maps to ▁
 * and max to █ (values outside are clamped).  Writes NUL-terminated UTF-8
 * (3 bytes a value) into out, truncating to whole characters when size is
 * short; returns the number of values written. */
size_t hearth_sparkline(const int *values, size_t n, int min, int max,
			char *out, size_t size);

/* The 5-4-3-2-1 grounding exercise: an opening line, five steps (5 things
 * you can see, 4 you can touch, 3 you can hear, 2 you can smell, 1 you can
 * taste) and a closing line, each in English and Chinese.  Static. */
typedef struct hearth_grounding_step {
	int count;            /* 5..1; 0 for the opening and closing lines */
	const char *en;
	const char *zh_CN;
} hearth_grounding_step;

const hearth_grounding_step *hearth_grounding_steps(size_t *n);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_JOURNAL_H */
