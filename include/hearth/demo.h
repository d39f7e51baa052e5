/*
 * hearth/demo.h - fictional demo data: people with made-up Chinese names,
 * a few months of appointments (weekly series among them), screenings,
 * follow-ups (some overdue, one safety follow-up), session notes, hotline
 * calls, group sessions and lectures; or, for an employee, a journal of
 * mood check-ins and self-screenings.
 *
 * Everything goes through the core's own functions (store, casework,
 * screening, journal), so the rules run exactly as they do for real data.
 * Nothing here is real: names are drawn from common surnames and given
 * names, work units are invented, and phone numbers use the 1380000 block.
 *
 * Used by `hearth-gtk --demo`, the command line and the benchmarks.
 */
#ifndef HEARTH_DEMO_H
#define HEARTH_DEMO_H

#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hearth_demo_options {
	unsigned seed;      /* random seed; the same seed gives the same data */
	int n_people;       /* people to make (counsellor mode); default 40 */
	int months;         /* months of history before today; default 3 */
	const char *today;  /* "YYYY-MM-DD", required: the core reads no clock */
	int journal;        /* non-zero: an employee's journal instead */
	int heavy;          /* non-zero: about 10 records per person (for
			     * benchmarks: 10,000 people give 100,000
			     * records) instead of the lighter default mix */
} hearth_demo_options;

/* Sets the defaults (seed 1, 40 people, 3 months, today NULL). */
void hearth_demo_options_init(hearth_demo_options *opt);

/* Fills the store in one transaction (the caller's, if open).
 * HEARTH_EINVAL for a missing or bad today or negative counts; otherwise
 * any error of the functions it calls, with nothing written.  Screenings
 * of an instrument whose file cannot be found are left out. */
hearth_status hearth_demo_fill(hearth_store *s,
			       const hearth_demo_options *opt) HEARTH_WUR;

/* The name of demo person number i (0-based) for a seed: the same name
 * hearth_demo_fill gives that person.  Writes a NUL-terminated UTF-8
 * string of at most size bytes. */
void hearth_demo_person_name(unsigned seed, int i, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_DEMO_H */
