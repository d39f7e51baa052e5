/*
 * casework_private.h - helpers shared by people.c, followups.c,
 * appointments.c, notes.c and activities.c.  Not installed.
 *
 * Reading: hearth_cw_select walks the records of one kind straight from the
 * store's queryable tables (record, field: schema version 1), optionally
 * narrowed by one field through the field(name, value) index, so a list
 * over 100,000 records does not load every record of the vault.  Writing
 * always goes through the store API (ops, HLCs, merging).
 */
#ifndef HEARTH_CASEWORK_PRIVATE_H
#define HEARTH_CASEWORK_PRIVATE_H

#include <stddef.h>

#include "hearth/casework.h"
#include "hearth/store.h"

/* A record as read by hearth_cw_select: its live fields, borrowed for the
 * callback only. */
typedef struct hearth_cw_rec {
	hearth_id id;
	hearth_hlc created;
	size_t n;
	const char **name;
	const char **value;
} hearth_cw_rec;

/* The value of a field, or NULL. */
const char *hearth_cw_get(const hearth_cw_rec *r, const char *name);

/* A callback's status other than HEARTH_OK stops the walk and is returned. */
typedef hearth_status (*hearth_cw_cb)(const hearth_cw_rec *r, void *ctx);

/* A condition on one field: value IN values[0..nvalues) when nvalues > 0,
 * and lo <= value < hi for the bounds given (byte order of the UTF-8
 * text, which is date order for dates and date-times). */
typedef struct hearth_cw_filter {
	const char *field;
	const char *const *values;
	size_t nvalues;
	const char *lo;
	const char *hi;
} hearth_cw_filter;

#define HEARTH_CW_MAX_FILTERS 3

/* Calls cb for every live (not tombstoned) record of kind that meets every
 * filter, in creation order.  With filters, the first one drives the
 * search through the field(name, value) index, so put the most selective
 * first; without, every record of the kind is read. */
hearth_status hearth_cw_select(hearth_store *s, const char *kind,
			       const hearth_cw_filter *filters, size_t nfilters,
			       hearth_cw_cb cb, void *ctx);

/* One-filter shorthand: field = value. */
hearth_status hearth_cw_select_eq(hearth_store *s, const char *kind,
				  const char *field, const char *value,
				  hearth_cw_cb cb, void *ctx);

/* A transaction of the function's own, or a savepoint inside the caller's.
 * end commits (or releases) when st is HEARTH_OK and rolls back otherwise,
 * returning the final status (a failed commit turns OK into an error). */
typedef struct hearth_cw_tx {
	int own;       /* began with hearth_store_begin */
	int savepoint; /* inside the caller's transaction */
} hearth_cw_tx;

hearth_status hearth_cw_begin(hearth_store *s, hearth_cw_tx *tx);
hearth_status hearth_cw_end(hearth_store *s, hearth_cw_tx *tx, hearth_status st);

/* Loads a live record of kind; HEARTH_ENOTFOUND "no KIND 'HEX'" if it is
 * missing, tombstoned or of another kind.  Free with hearth_record_free. */
hearth_status hearth_cw_load(hearth_store *s, const hearth_id *id,
			     const char *kind, hearth_record **out);

/* Field of a loaded record, "" when absent. */
const char *hearth_cw_field(const hearth_record *r, const char *name);

/* malloc'd copy of s (NULL gives ""), or NULL when memory runs out. */
char *hearth_cw_strdup(const char *s);

/* Parses a decimal integer field value; def when absent or malformed. */
int hearth_cw_int(const char *s, int def);

/* The "name" field of a person, malloc'd ("" if none or not found); NULL
 * only when memory runs out. */
char *hearth_cw_person_name(hearth_store *s, const hearth_id *person);

/* Looks up many people quickly (one prepared statement). */
typedef struct hearth_cw_people hearth_cw_people;
hearth_status hearth_cw_people_open(hearth_store *s, hearth_cw_people **out);
/* 1 and *name (malloc'd, "" if none) for a live person, 0 for a missing
 * or deleted one, -1 when memory runs out or the query fails. */
int hearth_cw_people_get(hearth_cw_people *p, const hearth_id *person, char **name);
void hearth_cw_people_close(hearth_cw_people *p);

/* Sets a field, or clears it when value is NULL or "". */
hearth_status hearth_cw_set(hearth_store *s, const hearth_id *id,
			    const char *field, const char *value);

/* Sets an id-valued field. */
hearth_status hearth_cw_set_id(hearth_store *s, const hearth_id *id,
			       const char *field, const hearth_id *value);

/* Parses an id-valued field; 0 if absent or malformed. */
int hearth_cw_id(const char *hex, hearth_id *out);

/* Does the text hold a line break?  (Reasons and topics are one line.) */
int hearth_cw_multiline(const char *s);

/* Shared by followups.c and activities.c: the safety rule. */
hearth_status hearth_cw_safety_locked(hearth_store *s, const hearth_id *person,
				      const char *today, const char *source,
				      const hearth_id *origin, const char *reason,
				      hearth_id *out);

/* Creates a follow-up inside the caller's transaction. */
hearth_status hearth_cw_followup_add_locked(hearth_store *s,
					    const hearth_followup_new *f,
					    const char *today, hearth_id *out);

/* Appointments in [from, to] (dates or NULL), of person (or NULL), with
 * status (or NULL: any), ordered by start. */
hearth_status hearth_cw_appt_list(hearth_store *s, const char *from,
				  const char *to, const hearth_id *person,
				  const char *status, hearth_appts **out);
/* Frees the strings of one item (not the item). */
void hearth_cw_appt_item_release(hearth_appt_item *it);

#endif /* HEARTH_CASEWORK_PRIVATE_H */
