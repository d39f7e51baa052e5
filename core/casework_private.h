/*
 * casework_private.h - helpers shared by the casework modules (people.c,
 * followups.c, appointments.c, notes.c, activities.c, screening.c),
 * implemented in casework.c except where a function says otherwise.
 * Not installed.
 *
 * Reading: one reader (casework.c) turns rows of the store's queryable
 * tables (record, field) into records, from either of two sources:
 * hearth_cw_select walks the records of one kind, optionally narrowed by
 * fields through the field(name, value) index, so a list over 100,000
 * records does not load every record of the vault; hearth_cw_read_refs
 * reads the records a list picked out by id.  Writing always goes through
 * the store API (ops, HLCs, merging).
 */
#ifndef HEARTH_CASEWORK_PRIVATE_H
#define HEARTH_CASEWORK_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth/store.h"

/* A record as read by hearth_cw_select or hearth_cw_read_refs: its live
 * (not cleared) fields, borrowed for the callback only. */
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
/* The most values one filter may list (a person and the originals moved
 * into them: hearth_cw_person_aliases). */
#define HEARTH_CW_MAX_VALUES 64

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

/* A transaction of the function's own, or a savepoint inside the caller's:
 * hearth_store_step_begin/_end (hearth/store.h).  end commits (or
 * releases) when st is HEARTH_OK and rolls back otherwise, returning the
 * final status (a failed commit turns OK into an error). */
typedef hearth_store_step hearth_cw_tx;

hearth_status hearth_cw_begin(hearth_store *s, hearth_cw_tx *tx);
hearth_status hearth_cw_end(hearth_store *s, hearth_cw_tx *tx, hearth_status st);

/* Loads a live record of kind; HEARTH_ENOTFOUND "no KIND 'HEX'" if it is
 * missing, tombstoned or of another kind.  Free with hearth_record_free. */
hearth_status hearth_cw_load(hearth_store *s, const hearth_id *id,
			     const char *kind, hearth_record **out);

/* Field of a loaded record, "" when absent. */
const char *hearth_cw_field(const hearth_record *r, const char *name);

/* The longest text of an "action taken" (what was done in a crisis). */
#define HEARTH_CW_ACTION_MAX 2000u

/* Checks an action taken before it is recorded: HEARTH_EINVAL when it is
 * NULL or blank, longer than HEARTH_CW_ACTION_MAX bytes, or not valid
 * text (hearth_text_check). */
hearth_status hearth_cw_action_check(const char *action);

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

/* *live: the person id names, following its moves to the live copy: id
 * itself when it is a live person, or when it is no person or a deleted
 * one (the caller's check then refuses it as before).  For a write that
 * makes a record of the case of a record's person (a no-show's
 * follow-up, an amendment): it goes to the copy, in the copy's space.
 * HEARTH_ENOMEM, or the query's error. */
hearth_status hearth_cw_person_live(hearth_store *s, const hearth_id *id,
				    hearth_id *live);

/* Looks up many people quickly (one prepared statement). */
typedef struct hearth_cw_people hearth_cw_people;
hearth_status hearth_cw_people_open(hearth_store *s, hearth_cw_people **out);
/* 1 and *name (malloc'd, "" if none) for a live person, or a moved one
 * whose chain of moves ends at a live person (then that one's name),
 * with *live (may be NULL) the live person's id; 0 for a missing or
 * deleted one, -1 when memory runs out or the query fails. */
int hearth_cw_people_get(hearth_cw_people *p, const hearth_id *person, char **name,
			 hearth_id *live);
void hearth_cw_people_close(hearth_cw_people *p);

/* Sets a field, or clears it when value is NULL or "". */
hearth_status hearth_cw_set(hearth_store *s, const hearth_id *id,
			    const char *field, const char *value);

/* A hearth_value_cb counting the live values of a field into the int at
 * ctx; it stops at the second (more than one: values written at once). */
int hearth_cw_count_value(const char *value, const hearth_op_id *id,
			  const hearth_hlc *hlc, void *ctx);

/* Creates a record of kind in the space of person (a person's id; NULL:
 * the private space) and puts its id in *out: every record of a person's
 * case lives in the person's space, so a team's caseload travels and is
 * shared together (hearth/caseload.h).  HEARTH_ENOTFOUND for an unknown
 * person. */
hearth_status hearth_cw_create_for(hearth_store *s, const hearth_id *person,
				   const char *kind, hearth_id *out);

/* Sets an id-valued field. */
hearth_status hearth_cw_set_id(hearth_store *s, const hearth_id *id,
			       const char *field, const hearth_id *value);

/* Parses an id-valued field; 0 if absent or malformed. */
int hearth_cw_id(const char *hex, hearth_id *out);

/* Does the text hold a line break?  (Reasons and topics are one line.) */
int hearth_cw_multiline(const char *s);

/* Shared by followups.c and activities.c: the safety rule (followups.c). */
hearth_status hearth_cw_safety_locked(hearth_store *s, const hearth_id *person,
				      const char *today, const char *source,
				      const hearth_id *origin,
				      const hearth_followup_reason *reason,
				      hearth_id *out);

/* hearth_followup_pending_safety, and the first of them (earliest due,
 * then creation) into *first and due (each may be NULL) when *n > 0. */
hearth_status hearth_cw_pending_safety(hearth_store *s, const hearth_id *person,
				       size_t *n, hearth_id *first,
				       char due[HEARTH_DATE_LEN + 1]);

/* Creates a follow-up inside the caller's transaction (followups.c). */
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
 * status (or NULL: any), ordered by start (appointments.c). */
hearth_status hearth_cw_appt_list(hearth_store *s, const char *from,
				  const char *to, const hearth_id *person,
				  const char *status, hearth_appts **out);
/* Frees the strings of one item (not the item). */
void hearth_cw_appt_item_release(hearth_appt_item *it);

/* ---- reading through indexes, joined in memory ---------------------------
 *
 * For lists that pick a few thousand records out of a large vault
 * (hearth_followup_list, hearth_note_missing): ids read from index ranges
 * in key order (covering scans, about 0.1 us a row), joined in memory
 * through hash sets, and only the rows listed loaded by key. */

/* Ids with a hash table over them.  Push, then index, then find. */
typedef struct hearth_cw_idset {
	hearth_id *v;
	size_t n, cap;
	uint32_t *tab;  /* index + 1; 0 is empty */
	size_t tcap;    /* a power of two, at least 2n */
	uint8_t *mark;  /* one flag per id for the caller, cleared by index */
} hearth_cw_idset;

hearth_status hearth_cw_idset_push(hearth_cw_idset *m, const uint8_t *id);
/* Builds the table (after the last push) and clears the marks.  With
 * sort, the ids are first sorted by bytes and repeats dropped; without,
 * they must be distinct (ids from a primary key are). */
hearth_status hearth_cw_idset_index(hearth_cw_idset *m, int sort);
/* The index of id in v, or -1. */
long hearth_cw_idset_find(const hearth_cw_idset *m, const uint8_t *id);
void hearth_cw_idset_release(hearth_cw_idset *m);

/* ---- moved people ------------------------------------------------------
 *
 * A move (hearth_case_move, hearth/caseload.h) tombstones a person's
 * original naming its copy in "moved_to".  A device that had not heard
 * of the move may still write records naming the original (a screening
 * with item 9 marked, its safety follow-up, a note, an appointment); they
 * sync in after the move.  They are not copied: wherever the core
 * resolves a record's person it follows "moved_to" to the live copy, so
 * such a record shows under the copy, counts in its safety rules and in
 * reports, on every replica alike, with nothing written (convergent by
 * construction: it reads only merged state).  The records stay in the old
 * space, readable to whoever holds that space's keys. */

/* The longest chain of moves followed; a longer one (or a cycle, which no
 * move makes) ends on a tombstoned record, shown nowhere. */
#define HEARTH_CW_MOVE_HOPS 32u

/* Every moved person's original and where it went, read once. */
typedef struct hearth_cw_moves {
	hearth_cw_idset from; /* the originals */
	hearth_id *to;        /* to[i]: from.v[i]'s "moved_to" */
	size_t cap;
} hearth_cw_moves;

hearth_status hearth_cw_moves_load(hearth_store *s, hearth_cw_moves *m);
/* Where person ends up, following moves (person itself if not moved). */
hearth_id hearth_cw_moves_follow(const hearth_cw_moves *m, const hearth_id *person);
void hearth_cw_moves_release(hearth_cw_moves *m);

/* The ids a record of person's case may name in its field "person", as
 * hex: v[0] is person's own, then every original that was moved into
 * person (through any chain of moves).  For the filters of one person's
 * lists (values = v, nvalues = n).  HEARTH_ESTATE when they are more
 * than HEARTH_CW_MAX_VALUES. */
typedef struct hearth_cw_aliases {
	char (*hex)[HEARTH_ID_HEX + 1];
	const char **v;
	size_t n;
} hearth_cw_aliases;

hearth_status hearth_cw_person_aliases(hearth_store *s, const hearth_id *person,
				       hearth_cw_aliases *a);
void hearth_cw_aliases_release(hearth_cw_aliases *a);

/* A row of hearth_cw_scan, borrowed for the call: the record id of the
 * first column (rows without one are skipped), and the second column if
 * the statement has one: its text in value, or, for a blob of
 * HEARTH_HLC_BYTES, created. */
typedef struct hearth_cw_row {
	const uint8_t *id;
	const char *value;
	const uint8_t *created;
} hearth_cw_row;

/* A status other than HEARTH_OK stops the scan and is returned. */
typedef hearth_status (*hearth_cw_row_fn)(void *ctx, const hearth_cw_row *row);

/* Runs sql on the store's database, with ?1 bound to param (text) unless
 * param is NULL, and hands fn each row. */
hearth_status hearth_cw_scan(hearth_store *s, const char *sql, const char *param,
			     hearth_cw_row_fn fn, void *ctx);

/* How hearth_cw_list_people finds the people of a list. */
typedef enum hearth_cw_people_how {
	HEARTH_CW_PEOPLE_BY_KEY,  /* each one by key, once, in id order */
	HEARTH_CW_PEOPLE_BY_SCAN, /* scans of every live person and name */
	HEARTH_CW_PEOPLE_AUTO     /* by scan when they are many, else by key
				   * (the scan gives up if the vault holds
				   * far more people than the list) */
} hearth_cw_people_how;

/* Gives each item of l (a list of structs that hold their person's
 * hearth_id at byte offset person_off and a char * name, NULL so far, at
 * name_off) its person's name (malloc'd, "" if none), and drops the items
 * whose person is not a live person (hearth_cw_people_get's rule),
 * releasing them; the rest keep their order.  Each person is read once.
 * With names 0 the items are only kept or dropped, their names left
 * NULL.  On failure the items are all still in the list. */
hearth_status hearth_cw_list_people(hearth_store *s, hearth_cw_list *l,
				    size_t person_off, size_t name_off,
				    hearth_cw_people_how how, int names);

/* A record picked out by a scan: its id and, when the scan gave it, its
 * creation. */
typedef struct hearth_cw_ref {
	hearth_id id;
	hearth_hlc created;
} hearth_cw_ref;

/* Reads the records refs[0..n) by key, in the order given (sorted by id,
 * the B-tree pages are visited in order, each once at most), and hands
 * each to cb as hearth_cw_select would; a record without a live field is
 * not handed over.
 *
 * With kind NULL the caller vouches that each is a live record it wants,
 * found so in its current transaction with its creation
 * (refs[i].created): only its fields are read.  With kind, each record's
 * row is read as well (a page read more, when it is not cached): one
 * that is not a live record of kind is skipped, and the creation handed
 * over is the record's own (refs[i].created is not read). */
hearth_status hearth_cw_read_refs(hearth_store *s, const char *kind,
				  const hearth_cw_ref *refs, size_t n,
				  hearth_cw_cb cb, void *ctx);

/* Of the live appointments refs[0..n) (found live in the caller's current
 * transaction, sorted by id so the B-tree pages are visited in order),
 * those hearth_cw_appt_list(s, NULL, NULL, NULL, status, ...) would list:
 * with that status if status is non-NULL, a start that parses, a live
 * person.  Each is read by key; their people as hearth_cw_list_people
 * (HEARTH_CW_PEOPLE_AUTO) reads them.  With out non-NULL, *out gets them
 * ordered by start, then creation, and *count (if non-NULL) their number;
 * with out NULL they are only counted into *count (appointments.c). */
hearth_status hearth_cw_appt_by_refs(hearth_store *s, const hearth_cw_ref *refs, size_t n,
				     const char *status, hearth_appts **out,
				     size_t *count);

#endif /* HEARTH_CASEWORK_PRIVATE_H */
