/*
 * hearth/vocab.h - the words records store: one enum per vocabulary.
 *
 * A record stores a code (the _name() of a value: "high", "noshow"),
 * never a sentence in a language.  Each vocabulary has:
 *
 *   hearth_X_name(v)         the stored code of v ("" for an out-of-range v);
 *   hearth_X_parse(s, &v)    code -> value; HEARTH_EINVAL with a detail
 *                            naming the codes for anything else (NULL s
 *                            included); &v may be NULL to check only;
 *   hearth_X_label(v)        the one label of v that the command line and
 *                            the app show, in the user's language (the
 *                            "hearth" text domain; English when the
 *                            program bound no catalogue);
 *   HEARTH_X_COUNT           the number of values, so a face lists them
 *                            as for (v = 0; v < HEARTH_X_COUNT; v++).
 *
 * Values are listed in the order a face offers them.  Labels are
 * capitalised as a label on its own ("Hotline call"); a face that puts
 * one inside a sentence uses it as it is.
 */
#ifndef HEARTH_VOCAB_H
#define HEARTH_VOCAB_H

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A person's risk level.  NONE (code "", the field absent) is a person
 * never assessed: it has a label but is no level to set, so "" does not
 * parse; a reader maps an absent field to NONE itself. */
typedef enum hearth_risk {
	HEARTH_RISK_NONE,
	HEARTH_RISK_LOW,
	HEARTH_RISK_MODERATE,
	HEARTH_RISK_HIGH,
	HEARTH_RISK_COUNT
} hearth_risk;

/* The state of a person's case. */
typedef enum hearth_case_state {
	HEARTH_CASE_OPEN,
	HEARTH_CASE_FOLLOWUP,
	HEARTH_CASE_CLOSED,
	HEARTH_CASE_COUNT
} hearth_case_state;

/* The priority of a follow-up. */
typedef enum hearth_priority {
	HEARTH_PRIORITY_HIGH,
	HEARTH_PRIORITY_NORMAL,
	HEARTH_PRIORITY_LOW,
	HEARTH_PRIORITY_COUNT
} hearth_priority;

/* Where a follow-up stands: to do, tried and to try again, done. */
typedef enum hearth_followup_status {
	HEARTH_FOLLOWUP_OPEN,
	HEARTH_FOLLOWUP_RETRY,
	HEARTH_FOLLOWUP_DONE,
	HEARTH_FOLLOWUP_STATUS_COUNT
} hearth_followup_status;

/* What made a follow-up. */
typedef enum hearth_followup_source {
	HEARTH_SOURCE_MANUAL,
	HEARTH_SOURCE_SCREENING,
	HEARTH_SOURCE_NOSHOW,
	HEARTH_SOURCE_CRISIS,
	HEARTH_SOURCE_HOTLINE,
	HEARTH_SOURCE_COUNT
} hearth_followup_source;

/* How an appointment is held. */
typedef enum hearth_appt_mode {
	HEARTH_MODE_IN_PERSON,
	HEARTH_MODE_PHONE,
	HEARTH_MODE_VIDEO,
	HEARTH_MODE_COUNT
} hearth_appt_mode;

/* What became of an appointment. */
typedef enum hearth_appt_status {
	HEARTH_APPT_BOOKED,
	HEARTH_APPT_DONE,
	HEARTH_APPT_NOSHOW,
	HEARTH_APPT_CANCELLED,
	HEARTH_APPT_STATUS_COUNT
} hearth_appt_status;

/* The shape of a session note. */
typedef enum hearth_note_format {
	HEARTH_NOTE_FREE,
	HEARTH_NOTE_DAP,
	HEARTH_NOTE_SOAP,
	HEARTH_NOTE_FORMAT_COUNT
} hearth_note_format;

/* The kind of an outreach activity. */
typedef enum hearth_activity_type {
	HEARTH_ACTIVITY_HOTLINE,
	HEARTH_ACTIVITY_CALLBACK,
	HEARTH_ACTIVITY_GROUP,
	HEARTH_ACTIVITY_LECTURE,
	HEARTH_ACTIVITY_OUTREACH,
	HEARTH_ACTIVITY_TYPE_COUNT
} hearth_activity_type;

const char *hearth_risk_name(hearth_risk v);
hearth_status hearth_risk_parse(const char *s, hearth_risk *out) HEARTH_WUR;
const char *hearth_risk_label(hearth_risk v);

const char *hearth_case_state_name(hearth_case_state v);
hearth_status hearth_case_state_parse(const char *s, hearth_case_state *out) HEARTH_WUR;
const char *hearth_case_state_label(hearth_case_state v);

const char *hearth_priority_name(hearth_priority v);
hearth_status hearth_priority_parse(const char *s, hearth_priority *out) HEARTH_WUR;
const char *hearth_priority_label(hearth_priority v);

const char *hearth_followup_status_name(hearth_followup_status v);
hearth_status hearth_followup_status_parse(const char *s,
					   hearth_followup_status *out) HEARTH_WUR;
const char *hearth_followup_status_label(hearth_followup_status v);

const char *hearth_followup_source_name(hearth_followup_source v);
hearth_status hearth_followup_source_parse(const char *s,
					   hearth_followup_source *out) HEARTH_WUR;
const char *hearth_followup_source_label(hearth_followup_source v);

const char *hearth_appt_mode_name(hearth_appt_mode v);
hearth_status hearth_appt_mode_parse(const char *s, hearth_appt_mode *out) HEARTH_WUR;
const char *hearth_appt_mode_label(hearth_appt_mode v);

const char *hearth_appt_status_name(hearth_appt_status v);
hearth_status hearth_appt_status_parse(const char *s, hearth_appt_status *out) HEARTH_WUR;
const char *hearth_appt_status_label(hearth_appt_status v);

const char *hearth_note_format_name(hearth_note_format v);
hearth_status hearth_note_format_parse(const char *s, hearth_note_format *out) HEARTH_WUR;
const char *hearth_note_format_label(hearth_note_format v);

const char *hearth_activity_type_name(hearth_activity_type v);
hearth_status hearth_activity_type_parse(const char *s,
					 hearth_activity_type *out) HEARTH_WUR;
const char *hearth_activity_type_label(hearth_activity_type v);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_VOCAB_H */
