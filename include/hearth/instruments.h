/*
 * hearth/instruments.h - screening instruments as data, and their scoring.
 *
 * An instrument (PHQ-9, GAD-7, WHO-5, the C-SSRS screener, ...) is a JSON
 * file, data/instruments/ID.json, described in docs/INSTRUMENTS.md: its id
 * and version, title, lead-in and items in English and Simplified Chinese,
 * the response options of each item (value and label), which items are
 * shown only after a given answer to an earlier one, how it is scored (a
 * sum of items with reverse items and a display multiplier, or risk levels
 * reached by rules), the bands of the total with the next step and the
 * follow-up each band asks for, item-level rules (PHQ-9 item 9 above 0
 * raises a safety flag whatever the total), the positive cut-off, licence,
 * source, how sure the wording is, and whether the Chinese wording is an
 * official translation.
 *
 * Files are searched for in this order: $HEARTH_DATA_DIR/instruments, the
 * source tree's data/instruments (when running from a build tree), then the
 * installed HEARTH_DATADIR/instruments.  The first file with an id wins.
 *
 * Scoring is pure: hearth_instrument_score() touches no store and no file,
 * so the counsellor's screening (hearth/screening.h) and an employee's
 * private self-screening score in exactly the same way.  A result is never
 * a diagnosis; every text an instrument file holds says what to do next
 * ("suggests a further check"), not what a person has.
 *
 * Scoring is locked to the version: a saved screening keeps the instrument
 * id, its version, the raw answers, and the score worked out when it was
 * saved.  A file whose scoring changes must carry a new version.
 *
 * Everything a loaded instrument hands out (texts, items, bands, ids) is
 * borrowed from it and valid until hearth_instrument_free().
 */
#ifndef HEARTH_INSTRUMENTS_H
#define HEARTH_INSTRUMENTS_H

#include <stddef.h>

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The instrument file format this build reads ("format": 1). */
#define HEARTH_INSTRUMENT_FORMAT 1

/* Instrument files larger than this are refused before parsing. */
#define HEARTH_INSTRUMENT_MAX_BYTES (1024u * 1024u)

/* An answer that was not given: a skipped conditional item, or (for an
 * incomplete list) a missing one. */
#define HEARTH_ANSWER_NONE (-1)

/* The most answers any instrument may have (items), and the most values an
 * answers list may hold. */
#define HEARTH_INSTRUMENT_MAX_ITEMS 64u

/* The most flags and outcomes one score carries. */
#define HEARTH_SCORE_MAX_FLAGS 8u
#define HEARTH_SCORE_MAX_OUTCOMES 16u

/* Flag names used by the shipped instruments.  "safety" is the one the core
 * acts on (hearth/screening.h). */
#define HEARTH_FLAG_SAFETY "safety"

/* A text in both languages.  en and zh_CN are never NULL in a loaded
 * instrument.  zh_unofficial is 1 when the Chinese is this project's own
 * translation rather than published wording (always 1 when the whole
 * instrument's translation is "unofficial"). */
typedef struct hearth_text {
	const char *en;
	const char *zh_CN;
	int zh_unofficial;
} hearth_text;

/* One response option. */
typedef struct hearth_option {
	int value;          /* the raw value stored and scored */
	hearth_text label;
} hearth_option;

/* One question.  Options are in the file's order, which is strictly
 * ascending or strictly descending by value (WHO-5 lists 5 down to 0, as
 * its printed form does). */
typedef struct hearth_item {
	const char *id;             /* e.g. "9", "q6_recent" */
	hearth_text text;
	size_t n_options;
	const hearth_option *options;
	int min_value, max_value;   /* of the options */
	int scored;                 /* counts toward the total */
	int reverse;                /* scored as min+max-value */
	/* Conditional display: when show_if_item is not NULL, the item is asked
	 * only when that earlier item was answered show_if_value; otherwise it
	 * is skipped and its answer is HEARTH_ANSWER_NONE. */
	const char *show_if_item;
	size_t show_if_index;       /* index of show_if_item */
	int show_if_value;
} hearth_item;

/* What a band, risk level or rule asks for next. */
typedef enum hearth_action_kind {
	HEARTH_ACTION_NONE = 0,      /* nothing */
	HEARTH_ACTION_FULL_FORM = 1, /* give the full form (instrument) */
	HEARTH_ACTION_FOLLOWUP = 2,  /* a follow-up due in `days` days */
	HEARTH_ACTION_SAFETY = 3     /* same-day high-priority safety follow-up */
} hearth_action_kind;

typedef struct hearth_next_action {
	hearth_action_kind kind;
	const char *instrument;  /* FULL_FORM: the instrument id to give */
	int days;                /* FOLLOWUP: due this many days after */
	int high_priority;       /* FOLLOWUP: 1 for a high-priority follow-up */
} hearth_next_action;

/* A band of the total, a C-SSRS risk level, or a fired item rule: each is
 * an outcome with a label, a next step, a follow-up, and flags. */
typedef struct hearth_outcome {
	const char *id;           /* "moderate", "high", "item9", ... */
	hearth_text label;        /* e.g. "Moderate (10-14)" */
	hearth_text next_step;    /* what to do next, never a diagnosis */
	hearth_next_action action;
	size_t n_flags;
	const char *const *flags; /* e.g. {"safety"} */
	const char *risk;         /* "low", "moderate", "high", or NULL */
	int positive;             /* risk levels: this level is a positive screen */
} hearth_outcome;

typedef struct hearth_instrument hearth_instrument;

/* Scoring methods. */
typedef enum hearth_scoring_method {
	HEARTH_SCORING_SUM = 0,  /* total of the scored items, banded */
	HEARTH_SCORING_RISK = 1  /* the first risk level whose rule holds */
} hearth_scoring_method;

/* Loads and validates an instrument from len bytes of JSON (any bytes are
 * safe to pass).  name is the file name used in messages ("phq9.json").
 * HEARTH_EFORMAT with a detail naming the file, the JSON path and the
 * reason, e.g. "phq9.json: $.items[3].options: expected an array or the
 * name of an option set"; HEARTH_ENEWER for a newer "format".  *out is the
 * caller's: hearth_instrument_free(). */
hearth_status hearth_instrument_parse(const char *name, const char *data,
				      size_t len,
				      hearth_instrument **out) HEARTH_WUR;

/* Reads and parses one file (HEARTH_EIO if it cannot be read; else as
 * hearth_instrument_parse, with the file's base name in messages). */
hearth_status hearth_instrument_load_file(const char *path,
					  hearth_instrument **out) HEARTH_WUR;

/* Finds instrument id along the search path and loads it.  HEARTH_EINVAL
 * for an id that is not lowercase letters, digits, '_' or '-';
 * HEARTH_ENOTFOUND "no instrument 'ID' (see 'hearth instruments list')";
 * a broken file gives its HEARTH_EFORMAT error, never a fallback to a file
 * further down the path. */
hearth_status hearth_instrument_find(const char *id,
				     hearth_instrument **out) HEARTH_WUR;

/* The ids of every instrument on the search path, sorted, without
 * duplicates (a file that fails to load is still listed, so that
 * hearth_instrument_find names its error).  *ids is a malloc'd array of
 * malloc'd strings: hearth_instrument_ids_free(). */
hearth_status hearth_instrument_list(char ***ids, size_t *n) HEARTH_WUR;
void hearth_instrument_ids_free(char **ids, size_t n);

/* The directories searched, in order, as a malloc'd array of malloc'd
 * strings (existing or not); free with hearth_instrument_ids_free. */
hearth_status hearth_instrument_dirs(char ***dirs, size_t *n) HEARTH_WUR;

/* Frees an instrument.  Accepts NULL. */
void hearth_instrument_free(hearth_instrument *inst);

/* Metadata, borrowed. */
const char *hearth_instrument_id(const hearth_instrument *inst);
const char *hearth_instrument_version(const hearth_instrument *inst);
const hearth_text *hearth_instrument_title(const hearth_instrument *inst);
const hearth_text *hearth_instrument_lead_in(const hearth_instrument *inst);
/* "self" (the person answers) or "counsellor" (a counsellor asks). */
const char *hearth_instrument_administration(const hearth_instrument *inst);
const char *hearth_instrument_licence(const hearth_instrument *inst);
const char *hearth_instrument_source(const hearth_instrument *inst);
/* How sure the published wording is, per language: "confirmed", "likely",
 * "none found" (then the Chinese is this project's translation). */
const char *hearth_instrument_wording(const hearth_instrument *inst,
				      const char *lang);
/* "official" or "unofficial": the Chinese translation as a whole. */
const char *hearth_instrument_translation(const hearth_instrument *inst);
/* 1 if any Chinese text shown with this instrument is unofficial (the whole
 * translation, or a part such as a lead-in or a question not found in the
 * published Chinese form). */
int hearth_instrument_has_unofficial(const hearth_instrument *inst);
/* The notice to show when the instrument is used in lang, in lang, or NULL
 * when there is nothing to say.  A wholly unofficial translation (C-SSRS)
 * gives "The Chinese wording of this instrument is an unofficial
 * translation ..." in every language; unofficial parts of an official one
 * ("... the lead-in, the difficulty question") are mentioned only when
 * lang is Chinese.  Borrowed. */
const char *hearth_instrument_translation_notice(const hearth_instrument *inst,
						 const char *lang);

hearth_scoring_method hearth_instrument_method(const hearth_instrument *inst);

/* Items, in order.  i < hearth_instrument_n_items(). */
size_t hearth_instrument_n_items(const hearth_instrument *inst);
const hearth_item *hearth_instrument_item(const hearth_instrument *inst,
					  size_t i);
/* Index of item id, or (size_t)-1. */
size_t hearth_instrument_item_index(const hearth_instrument *inst,
				    const char *id);

/* The unscored difficulty question (PHQ-9), or NULL. */
const hearth_item *hearth_instrument_difficulty(const hearth_instrument *inst);

/* SUM instruments: the range of the raw total and of the displayed score
 * (raw × multiplier; WHO-5 shows 0-100), and the multiplier. */
int hearth_instrument_total_max(const hearth_instrument *inst);
int hearth_instrument_display_max(const hearth_instrument *inst);
int hearth_instrument_multiplier(const hearth_instrument *inst);

/* Bands (SUM) or risk levels (RISK), in file order. */
size_t hearth_instrument_n_bands(const hearth_instrument *inst);
/* Each band's raw-total range (RISK levels: both 0). */
const hearth_outcome *hearth_instrument_band(const hearth_instrument *inst,
					     size_t i, int *min, int *max);

/* The band (or risk level) whose id is id, or NULL when inst has none
 * (a band of another version of the instrument) or is NULL. */
const hearth_outcome *hearth_instrument_band_find(const hearth_instrument *inst,
						  const char *id);

/* Saved screenings' bands in words, for a list of them (a timeline): the
 * label in one language that the file of the screening's instrument on
 * the search path gives its band, e.g. "Moderate symptoms (10-14)" or
 * "中度症状（10-14分）".  Each instrument is found and loaded once, on
 * its first band.  lang as for hearth_text_get.  *out is the caller's:
 * hearth_band_labels_free().  HEARTH_ENOMEM only. */
typedef struct hearth_band_labels hearth_band_labels;
hearth_status hearth_band_labels_new(const char *lang,
				     hearth_band_labels **out) HEARTH_WUR;
/* The label of band of instrument, valid until hearth_band_labels_free;
 * band itself as stored when the instrument is not installed here, its
 * file cannot be read, or it has no such band (another version's), and
 * when l is NULL (labels that could not be made); NULL band gives "".
 * Never sets an error detail. */
const char *hearth_band_labels_get(hearth_band_labels *l,
				   const char *instrument, const char *band);
/* Accepts NULL. */
void hearth_band_labels_free(hearth_band_labels *l);

/* Item rules, in file order. */
size_t hearth_instrument_n_rules(const hearth_instrument *inst);
const hearth_outcome *hearth_instrument_rule(const hearth_instrument *inst,
					     size_t i);

/* The positive cut-off.  *has_cutoff is 0 when the instrument has none (a
 * RISK instrument: positive comes from the level).  A SUM instrument is
 * positive at total >= cutoff, or at total <= cutoff when *at_or_below is
 * 1 (WHO-5: a low score is the one that asks for a further check).
 * *setting (may be NULL) names the vault setting that may replace the
 * default ("phq9_cutoff"), or NULL; choices lists the values it may take. */
int hearth_instrument_cutoff(const hearth_instrument *inst, int *has_cutoff,
			     int *at_or_below, const char **setting);
size_t hearth_instrument_cutoff_choices(const hearth_instrument *inst,
					const int **choices);

/* Picks lang's side of a text: any lang starting "zh" gives zh_CN, anything
 * else (NULL too) English. */
const char *hearth_text_get(const hearth_text *t, const char *lang);

/* "en" or "zh_CN" for a lang or locale name ("zh_CN.UTF-8", "zh", "en_GB",
 * "C"), or NULL when it names another language. */
const char *hearth_lang_normalise(const char *lang);

/* ---- answers ---- */

/* Is item i asked, given the answers to the items before it?  answers has
 * one entry per item (HEARTH_ANSWER_NONE for none). */
int hearth_instrument_item_shown(const hearth_instrument *inst, size_t i,
				 const int *answers);

/* A parsed --answers list: "1,0,2,3" ("-" or an empty place stands for an
 * item skipped because of an earlier answer; spaces around values are
 * ignored). */
typedef struct hearth_answer_list {
	size_t n;
	int values[HEARTH_INSTRUMENT_MAX_ITEMS]; /* HEARTH_ANSWER_NONE for "-" */
} hearth_answer_list;

/* Parses text (len bytes, any bytes safe) into out.  HEARTH_EINVAL with a
 * detail naming the place: "answer 4 is 'x': expected a number", "more
 * than 64 answers", "no answers". */
hearth_status hearth_answers_parse(const char *text, size_t len,
				   hearth_answer_list *out) HEARTH_WUR;

/* Lays a parsed list over the instrument's items: values go, in order, to
 * the items that are asked; an item skipped by its condition takes no
 * value (a "-" in its place is accepted).  answers receives one entry per
 * item.  Errors: HEARTH_EINVAL "answer 3 is 7: choose 0-3" (3 counts the
 * values given, from 1), "too many answers: N given, M asked", "answer N
 * is '-' but item ID is asked"; HEARTH_EINCOMPLETE "item ID is
 * unanswered: nothing was scored" for the first item left without a
 * value. */
hearth_status hearth_instrument_answers_map(const hearth_instrument *inst,
					    const hearth_answer_list *list,
					    int answers[HEARTH_INSTRUMENT_MAX_ITEMS]) HEARTH_WUR;

/* ---- scoring ---- */

typedef struct hearth_score_options {
	/* 0: the instrument's default cut-off; otherwise one of its cut-off
	 * choices (PHQ-9: 7 or 10), else HEARTH_EINVAL. */
	int cutoff;
} hearth_score_options;

/* The result of scoring.  Every pointer is borrowed from the instrument. */
typedef struct hearth_score {
	const char *instrument;      /* id */
	const char *version;
	int total;                   /* raw total (RISK: number of items
				      * answered above their lowest option) */
	int display;                 /* total × multiplier (WHO-5: 0-100) */
	int display_max;
	int cutoff;                  /* cut-off applied (0 for RISK) */
	int positive;                /* a positive screen: a further check */
	const hearth_outcome *band;  /* the band or risk level reached */
	const char *risk;            /* "low", "moderate", "high", or NULL */
	size_t n_flags;
	const char *flags[HEARTH_SCORE_MAX_FLAGS]; /* distinct, file order */
	int safety;                  /* "safety" among flags, or risk high */
	/* The band (or level) first, then each rule that fired. */
	size_t n_outcomes;
	const hearth_outcome *outcomes[HEARTH_SCORE_MAX_OUTCOMES];
	/* The instrument the outcomes suggest giving next (PHQ-2 >= 3: phq9),
	 * or NULL. */
	const char *suggest;
} hearth_score;

/* Scores answers (one per item, HEARTH_ANSWER_NONE for none; n must be the
 * instrument's item count).  difficulty is not scored and not checked here.
 * Pure: no store, no file.  Errors: HEARTH_EINVAL "answer 3 is 7: choose
 * 0-3" for a value that is not an option, "item 3 is asked only when item 2
 * is 1" for an answer to a skipped item, a bad cutoff or n;
 * HEARTH_EINCOMPLETE "item ID is unanswered: nothing was scored" for the
 * first asked item without an answer (then *out is not filled). opt may be
 * NULL. */
hearth_status hearth_instrument_score(const hearth_instrument *inst,
				      const int *answers, size_t n,
				      const hearth_score_options *opt,
				      hearth_score *out) HEARTH_WUR;

/* Checks a difficulty answer (HEARTH_ANSWER_NONE is always fine):
 * HEARTH_EINVAL "difficulty is 5: choose 0-3", or "this instrument has no
 * difficulty question". */
hearth_status hearth_instrument_check_difficulty(const hearth_instrument *inst,
						 int difficulty) HEARTH_WUR;

/* Formats an option range for messages: "0-3", or "0, 2, 5" when the
 * values are not consecutive.  buf is always NUL-terminated. */
void hearth_item_choices(const hearth_item *item, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_INSTRUMENTS_H */
