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

/* Parses the `today` a function was given into *day (may be NULL):
 * HEARTH_EINVAL "today's date is required" for NULL, or the date's own
 * error. */
hearth_status hearth_cw_today(const char *today, int32_t *day);

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

/* ---- lists being collected -------------------------------------------
 *
 * The list functions (appointments, follow-ups, notes, activities) gather
 * items of their public type from hearth_cw_select callbacks, each with
 * its record's creation HLC (the last tie-break of every list order), then
 * sort them and move them into the list handed to the caller.  A
 * hearth_cw_list holds them meanwhile: the items in one growing array, the
 * HLCs in another beside it. */
typedef struct hearth_cw_list {
	void *items;          /* n items of size bytes */
	hearth_hlc *created;  /* created[i]: creation of item i's record */
	size_t n, cap, size;
	void (*release)(void *item); /* frees what an item owns (not the item) */
} hearth_cw_list;

/* An empty list of items of size bytes; release (may be NULL) frees what
 * one item owns. */
void hearth_cw_list_init(hearth_cw_list *l, size_t size,
			 void (*release)(void *item));

/* Appends a copy of *item, which then belongs to the list (its strings
 * included), with its record's creation.  Returns 0, or -1 when memory
 * runs out: the list is unchanged and the item still the caller's. */
int hearth_cw_list_push(hearth_cw_list *l, const void *item,
			const hearth_hlc *created);

/* Item i (i < n). */
void *hearth_cw_list_at(const hearth_cw_list *l, size_t i);

/* Orders two items: their creation HLCs come with them. */
typedef int (*hearth_cw_list_cmp)(const void *a, const hearth_hlc *created_a,
				  const void *b, const hearth_hlc *created_b);

/* Moves the items, ordered by cmp (NULL: in the order pushed), into a new
 * array owned by the caller (malloc'd, room for one item at least, so
 * NULL means only failure) and sets *n to their number; the list holds
 * none afterwards.  Returns NULL when memory runs out: nothing moved. */
void *hearth_cw_list_take(hearth_cw_list *l, hearth_cw_list_cmp cmp, size_t *n);

/* Releases the items still held and the arrays; the list is left empty
 * and may be pushed to again. */
void hearth_cw_list_release(hearth_cw_list *l);

/* Appointments in [from, to] (dates or NULL), of person (or NULL), with
 * status (or NULL: any), ordered by start. */
hearth_status hearth_cw_appt_list(hearth_store *s, const char *from,
				  const char *to, const hearth_id *person,
				  const char *status, hearth_appts **out);
/* Frees the strings of one item (not the item). */
void hearth_cw_appt_item_release(hearth_appt_item *it);

#endif /* HEARTH_CASEWORK_PRIVATE_H */
