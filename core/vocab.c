/*
 * vocab.c - the stored codes of each vocabulary, their parsing, and the
 * one label of each code (hearth/vocab.h).
 *
 * The labels are the app's wording; both faces show them through
 * hearth_X_label(), translated from the "hearth" text domain.
 */
#include <libintl.h>
#include <stddef.h>
#include <string.h>

#include "hearth/activity.h"
#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/vocab.h"

/* Marks a label for xgettext; translated when asked for. */
#define N_(s) s

/* Index of s among the n codes, or -1. */
static int find(const char *const *codes, size_t n, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(s, codes[i]) == 0)
			return (int)i;
	return -1;
}

/* The name, label and parse functions of one vocabulary: prefix_name(),
 * prefix_label(), prefix_parse() over its codes[] and labels[] (count of
 * each).  Codes before first are not parsed (risk's "", not assessed).
 * invalid is the detail of a code not in the list (po/ extracts it as the
 * seventh argument). */
#define VOCAB_FUNCTIONS(prefix, type, count, codes, labels, first, invalid)     \
	const char *prefix##_name(type v)                                       \
	{                                                                       \
		return (unsigned)v < (count) ? codes[v] : "";                   \
	}                                                                       \
	const char *prefix##_label(type v)                                      \
	{                                                                       \
		return (unsigned)v < (count) ?                                  \
		       dgettext(HEARTH_TEXTDOMAIN, labels[v]) : "";             \
	}                                                                       \
	hearth_status prefix##_parse(const char *s, type *out)                  \
	{                                                                       \
		int i = find(codes + (first), (count) - (first), s);            \
									\
		if (i < 0)                                                      \
			return hearth_fail(HEARTH_EINVAL, invalid, s ? s : "");  \
		if (out != NULL)                                                \
			*out = (type)(i + (first));                             \
		return HEARTH_OK;                                               \
	}

/* ---- risk -------------------------------------------------------------- */

static const char *const risk_codes[HEARTH_RISK_COUNT] = {
	"", "low", "moderate", "high",
};
static const char *const risk_labels[HEARTH_RISK_COUNT] = {
	N_("Not assessed"), N_("Low"), N_("Moderate"), N_("High"),
};
VOCAB_FUNCTIONS(hearth_risk, hearth_risk, HEARTH_RISK_COUNT, risk_codes, risk_labels, 1,
		"'%s' is not a risk level: use low, moderate or high")

/* ---- case state -------------------------------------------------------- */

static const char *const case_codes[HEARTH_CASE_COUNT] = {
	"open", "followup", "closed",
};
static const char *const case_labels[HEARTH_CASE_COUNT] = {
	N_("Open"), N_("Follow-up"), N_("Closed"),
};
VOCAB_FUNCTIONS(hearth_case_state, hearth_case_state, HEARTH_CASE_COUNT, case_codes, case_labels, 0,
		"'%s' is not a case state: use open, followup or closed")

/* ---- priority ---------------------------------------------------------- */

static const char *const priority_codes[HEARTH_PRIORITY_COUNT] = {
	"high", "normal", "low",
};
static const char *const priority_labels[HEARTH_PRIORITY_COUNT] = {
	N_("High"), N_("Normal"), N_("Low"),
};
VOCAB_FUNCTIONS(hearth_priority, hearth_priority, HEARTH_PRIORITY_COUNT, priority_codes, priority_labels, 0,
		"'%s' is not a priority: use high, normal or low")

/* ---- follow-up status -------------------------------------------------- */

static const char *const fstatus_codes[HEARTH_FOLLOWUP_STATUS_COUNT] = {
	"open", "retry", "done",
};
static const char *const fstatus_labels[HEARTH_FOLLOWUP_STATUS_COUNT] = {
	N_("Open"), N_("Retry"), N_("Done"),
};
VOCAB_FUNCTIONS(hearth_followup_status, hearth_followup_status, HEARTH_FOLLOWUP_STATUS_COUNT, fstatus_codes, fstatus_labels, 0,
		"'%s' is not a follow-up status: use open, retry or done")

/* ---- follow-up source -------------------------------------------------- */

static const char *const source_codes[HEARTH_SOURCE_COUNT] = {
	"manual", "screening", "noshow", "crisis", "hotline",
};
static const char *const source_labels[HEARTH_SOURCE_COUNT] = {
	N_("Added by hand"), N_("Screening"), N_("No-show"), N_("Crisis"),
	N_("Hotline call"),
};
VOCAB_FUNCTIONS(hearth_followup_source, hearth_followup_source, HEARTH_SOURCE_COUNT, source_codes, source_labels, 0,
		"'%s' is not a follow-up source")

/* ---- appointment mode -------------------------------------------------- */

static const char *const mode_codes[HEARTH_MODE_COUNT] = {
	"in-person", "phone", "video",
};
static const char *const mode_labels[HEARTH_MODE_COUNT] = {
	N_("In person"), N_("Phone"), N_("Video"),
};
VOCAB_FUNCTIONS(hearth_appt_mode, hearth_appt_mode, HEARTH_MODE_COUNT, mode_codes, mode_labels, 0,
		"'%s' is not a mode: use in-person, phone or video")

/* ---- appointment status ------------------------------------------------ */

static const char *const astatus_codes[HEARTH_APPT_STATUS_COUNT] = {
	"booked", "done", "noshow", "cancelled",
};
static const char *const astatus_labels[HEARTH_APPT_STATUS_COUNT] = {
	N_("Booked"), N_("Done"), N_("No-show"), N_("Cancelled"),
};
VOCAB_FUNCTIONS(hearth_appt_status, hearth_appt_status, HEARTH_APPT_STATUS_COUNT, astatus_codes, astatus_labels, 0,
		"'%s' is not an appointment status: use booked, done, noshow or cancelled")

/* ---- note format ------------------------------------------------------- */

static const char *const format_codes[HEARTH_NOTE_FORMAT_COUNT] = {
	"free", "dap", "soap",
};
static const char *const format_labels[HEARTH_NOTE_FORMAT_COUNT] = {
	N_("Free text"), N_("DAP"), N_("SOAP"),
};
VOCAB_FUNCTIONS(hearth_note_format, hearth_note_format, HEARTH_NOTE_FORMAT_COUNT, format_codes, format_labels, 0,
		"'%s' is not a note format: use free, dap or soap")

/* ---- activity type ----------------------------------------------------- */

static const char *const type_codes[HEARTH_ACTIVITY_TYPE_COUNT] = {
	"hotline", "callback", "group", "lecture", "outreach",
};
static const char *const type_labels[HEARTH_ACTIVITY_TYPE_COUNT] = {
	N_("Hotline call"), N_("Call-back"), N_("Group session"), N_("Lecture"),
	N_("Outreach"),
};
VOCAB_FUNCTIONS(hearth_activity_type, hearth_activity_type, HEARTH_ACTIVITY_TYPE_COUNT, type_codes, type_labels, 0,
		"'%s' is not an activity type: use hotline, callback, group, lecture or outreach")

/* ---- checks of casework.h ---------------------------------------------- */

int hearth_risk_valid(const char *s)
{
	return find(risk_codes + 1, HEARTH_RISK_COUNT - 1, s) >= 0;
}

int hearth_case_valid(const char *s)
{
	return find(case_codes, HEARTH_CASE_COUNT, s) >= 0;
}

int hearth_priority_valid(const char *s)
{
	return find(priority_codes, HEARTH_PRIORITY_COUNT, s) >= 0;
}

int hearth_appt_mode_valid(const char *s)
{
	return find(mode_codes, HEARTH_MODE_COUNT, s) >= 0;
}

int hearth_note_format_valid(const char *s)
{
	return find(format_codes, HEARTH_NOTE_FORMAT_COUNT, s) >= 0;
}

int hearth_activity_type_valid(const char *s)
{
	return find(type_codes, HEARTH_ACTIVITY_TYPE_COUNT, s) >= 0;
}
