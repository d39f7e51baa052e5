/*
 * hearth/audit.h - the vault's hash-chained audit log.
 *
 * Every change, every `person show`, every export and report appends one
 * entry.  Each entry's hash covers its own fields and the previous entry's
 * hash (BLAKE2b-256 via crypto_generichash), and table meta keeps the count
 * and the hash of the newest entry, so removing, altering or reordering an
 * entry, or cutting entries off the end, is found by hearth_audit_verify.
 *
 * The log lives inside the encrypted database; it is per device and is not
 * synchronised.  It says what was changed, shown or exported on this
 * device, and when; it names no user (a vault has one), and reads other
 * than those listed (a list, a page of the app) leave no entry.
 */
#ifndef HEARTH_AUDIT_H
#define HEARTH_AUDIT_H

#include <stdint.h>

#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hearth_audit_entry {
	int64_t seq;          /* 1, 2, 3, ... */
	int64_t at_ms;        /* wall-clock time, ms since the epoch */
	const char *action;   /* e.g. "person.add", "person.show", "report" */
	int has_subject;
	hearth_id subject;    /* the record concerned, if any */
	const char *detail;   /* short free text, may be NULL; never a name */
	uint8_t hash[32];
} hearth_audit_entry;

/* Appends an entry inside the store's current transaction (or its own).
 * subject and detail may be NULL. */
hearth_status hearth_audit_append(hearth_store *s, const char *action,
				  const hearth_id *subject,
				  const char *detail) HEARTH_WUR;

/* Calls cb for each entry, oldest first (borrowed for the call); cb returns
 * non-zero to stop. */
typedef int (*hearth_audit_cb)(const hearth_audit_entry *e, void *ctx);
hearth_status hearth_audit_each(hearth_store *s, hearth_audit_cb cb,
				void *ctx) HEARTH_WUR;

/* Recomputes the chain.  HEARTH_OK if intact; HEARTH_EDAMAGED with a
 * detail naming the first bad sequence number ("audit log broken at entry
 * N: ...") if an entry was removed, altered or reordered, or the log was
 * cut short. *n_entries (may be NULL) receives the count checked. */
hearth_status hearth_audit_verify(hearth_store *s, int64_t *n_entries) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_AUDIT_H */
