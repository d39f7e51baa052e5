/*
 * hearth/settings.h - the vault's settings: help lines, the PHQ-9 cut-off,
 * the preferred language, the supervisor to tell in a crisis.
 *
 * Settings are one record of kind "settings" in the vault's private space,
 * one field per key, so they sync and merge like any record.  Should two
 * devices each have made a settings record before they first synced, the
 * oldest record (creation order) that holds a key gives its value, and
 * writes go to the oldest record.  A key never set reads as its default.
 *
 * Keys:
 *   helplines    JSON array of {"name", "number", "hours", "verified"}
 *                (hours and verified may be absent in values stored by
 *                older versions: read as "" then); default the national
 *                mental-health helpline 12356 (全国心理援助热线),
 *                emergency 120 (急救), police 110 (报警), each "24 h" and
 *                never verified by this vault
 *   phq9_cutoff  "10" (default) or "7" (the cut-off validated for the
 *                Chinese general population)
 *   lang         "" (default: follow the locale), "en" or "zh_CN"
 *   supervisor   who to tell in a crisis (a name and a number), default ""
 *   relay_url    the relay `hearth sync` uses when given none (https://...,
 *                or http:// to this computer), default "": remembered by
 *                the first sync through it (hearth/relaysync.h)
 *   relay_pin    the pinned key of relay_url's certificate
 *                ("sha256//BASE64"), default "" (verify with CAs)
 */
#ifndef HEARTH_SETTINGS_H
#define HEARTH_SETTINGS_H

#include <stddef.h>

#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_SETTINGS_KIND "settings"

#define HEARTH_SETTING_HELPLINES "helplines"
#define HEARTH_SETTING_PHQ9_CUTOFF "phq9_cutoff"
#define HEARTH_SETTING_LANG "lang"
#define HEARTH_SETTING_SUPERVISOR "supervisor"
#define HEARTH_SETTING_RELAY_URL "relay_url"
#define HEARTH_SETTING_RELAY_PIN "relay_pin"

/* At most this many help lines; each name and number at most these many
 * bytes. */
#define HEARTH_HELPLINES_MAX 16u
#define HEARTH_HELPLINE_NAME_MAX 128u
#define HEARTH_HELPLINE_NUMBER_MAX 32u
#define HEARTH_HELPLINE_HOURS_MAX 64u

/* A key the vault knows, with its default and a one-line description in
 * both languages. */
typedef struct hearth_setting_info {
	const char *key;
	const char *default_value;  /* as stored; helplines: its JSON */
	const char *about_en;
	const char *about_zh_CN;
} hearth_setting_info;

/* The known keys, in a fixed order; *n receives their count. Static. */
const hearth_setting_info *hearth_settings_keys(size_t *n);

/* The value of key (its default when unset).  *out is malloc'd.
 * HEARTH_ENOTFOUND "no setting 'KEY' (see 'hearth config list')". */
hearth_status hearth_settings_get(hearth_store *s, const char *key,
				  char **out) HEARTH_WUR;

/* 1 if key has been set in this vault, 0 if it reads its default. */
hearth_status hearth_settings_is_set(hearth_store *s, const char *key,
				     int *is_set) HEARTH_WUR;

/* Validates and stores value for key (creating the settings record when
 * needed), and appends an audit entry "settings.set" naming the key.
 * Values are given as a person types them:
 *   helplines    "Name:number,Name:number" (or the JSON array form)
 *   phq9_cutoff  "7" or "10"
 *   lang         "en", "zh_CN" or "" (follow the locale)
 *   supervisor   any text up to 200 bytes
 * HEARTH_EINVAL with a detail naming the key and the problem
 * ("phq9_cutoff must be 7 or 10, not '8'", "help line 2 'Police' has no
 * number: write Name:number"); nothing is changed then.  value NULL or
 * "" resets helplines and phq9_cutoff to their defaults. */
hearth_status hearth_settings_set(hearth_store *s, const char *key,
				  const char *value) HEARTH_WUR;

/* Checks a value for key as hearth_settings_set would, without a store
 * (so a command line can refuse bad input before opening the vault).
 * Same errors as hearth_settings_set. */
hearth_status hearth_settings_check(const char *key, const char *value) HEARTH_WUR;

/* ---- help lines ---- */

typedef struct hearth_helpline {
	char *name;
	char *number;
	char *hours;     /* when it answers ("24 h", "8:00-22:00"); "" unknown */
	char *verified;  /* "YYYY-MM-DD": the day someone last rang it and it
			  * answered as listed; "" never */
} hearth_helpline;

/* A number not verified within this many days is flagged as stale: the
 * counsellor is warned to ring it and record the day. */
#define HEARTH_HELPLINE_STALE_DAYS 90

/* Non-zero when line was never verified, or verified more than
 * HEARTH_HELPLINE_STALE_DAYS before today ("YYYY-MM-DD"). */
int hearth_helpline_stale(const hearth_helpline *line, const char *today);

/* The vault's help lines.  When none are configured the defaults are
 * returned with their names in lang ("zh..." Chinese, else English).
 * *out is malloc'd: hearth_helplines_free(). */
hearth_status hearth_settings_helplines(hearth_store *s, const char *lang,
					hearth_helpline **out,
					size_t *n) HEARTH_WUR;

/* The default help lines with names in lang, without a store (the
 * employee's journal before a vault is open, tests). */
hearth_status hearth_helplines_default(const char *lang, hearth_helpline **out,
				       size_t *n) HEARTH_WUR;

/* Parses "Name:number,Name:number" (or a JSON array of {name, number,
 * hours, verified}) into help lines.  Names may hold spaces and any UTF-8;
 * the number is after the last ':' and may hold digits, spaces, '+', '-',
 * '(' and ')'.  The typed form gives hours "" and verified "".  hours is
 * one line of at most HEARTH_HELPLINE_HOURS_MAX bytes; verified is "" or
 * a real date.  HEARTH_EINVAL naming the entry. */
hearth_status hearth_helplines_parse(const char *text, hearth_helpline **out,
				     size_t *n) HEARTH_WUR;

/* The JSON array form of help lines (what is stored).  *out is malloc'd. */
hearth_status hearth_helplines_to_json(const hearth_helpline *lines, size_t n,
				       char **out) HEARTH_WUR;

/* Frees what the functions above return.  Accepts NULL. */
void hearth_helplines_free(hearth_helpline *lines, size_t n);

/* Checks one help line as hearth_settings_helpline_put would, without a
 * store: a name and a number as in hearth_helplines_parse, hours (NULL or
 * one line of at most HEARTH_HELPLINE_HOURS_MAX bytes), verified (NULL,
 * "" or a real date not after today).  HEARTH_EINVAL with a detail. */
hearth_status hearth_helpline_check(const hearth_helpline *line,
				    const char *today) HEARTH_WUR;

/* Adds line to the vault's help lines, or replaces the line with the same
 * number (digits compared: "0355-1234567" is "0355 1234567").  A vault
 * without help lines of its own starts from the defaults in lang.
 * *replaced (may be NULL) is set to 1 when a line was replaced.  Checked
 * as hearth_helpline_check; HEARTH_EINVAL "more than 16 help lines".
 * Audited as any setting ("settings.set", helplines); nothing changes on
 * an error. */
hearth_status hearth_settings_helpline_put(hearth_store *s, const char *lang,
					   const hearth_helpline *line,
					   const char *today,
					   int *replaced) HEARTH_WUR;

/* Removes the line with number.  HEARTH_ENOTFOUND "no help line with the
 * number 'N' ...", HEARTH_ESTATE for the last line (the crisis card always
 * has a number to call). */
hearth_status hearth_settings_helpline_remove(hearth_store *s, const char *lang,
					      const char *number) HEARTH_WUR;

/* Records that the line with number was rung and answered as listed on
 * day (NULL: today); day may not be after today.  HEARTH_ENOTFOUND as
 * above, HEARTH_EINVAL for a bad or future day. */
hearth_status hearth_settings_helpline_verify(hearth_store *s, const char *lang,
					      const char *number,
					      const char *day,
					      const char *today) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_SETTINGS_H */
