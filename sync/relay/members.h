/*
 * members.h - who may use a space on this relay: its membership, folded
 * (hearth_space_compute) from the ops of the control envelopes the relay
 * holds of it, opened with the public control key.  Cached per space and
 * folded again from the store when the store's count of control
 * envelopes (relay_space_state.control) moves, so several relay
 * processes on one store agree.  Also the judge of pushed envelopes.
 */
#ifndef HEARTH_RELAY_MEMBERS_H
#define HEARTH_RELAY_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/identity.h"
#include "hearth/space.h"
#include "store.h"

typedef struct relay_members relay_members;
typedef struct relay_space relay_space;

relay_members *relay_members_new(void);
void relay_members_free(relay_members *m);

/* Reads the state of space from st into *state, then finds (or makes)
 * its cache entry and locks it (one thread at a time judges a space) and
 * brings it up to date.  0; RELAY_ENOTFOUND for a space not registered
 * (no entry is made for it); RELAY_ENOMEM, or the store's error (the
 * entry is then not locked). */
int relay_space_lock(relay_members *m, relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		     relay_space **out, relay_space_state *state);
void relay_space_unlock(relay_space *sp);

/* What the membership says of a request's device: 0 not listed in the
 * space at all; else 1 with pk its key and *current 1 when it is a
 * device of a current member and not revoked. */
int relay_space_device(relay_space *sp, uint64_t device, uint8_t pk[32], int *current);

typedef enum relay_verdict {
	RELAY_STORED = 0, RELAY_HELD, RELAY_REFUSED, RELAY_LATER
} relay_verdict;

typedef struct relay_push_result {
	uint8_t id[RELAY_ID_BYTES];
	uint64_t seq;          /* stored or held */
	relay_verdict verdict;
	const char *reason;    /* English, static; NULL for stored and held */
	size_t len;            /* the envelope's bytes */
} relay_push_result;

/* Judges one envelope pushed to the locked space and stores it if it
 * passes (durably, before returning).  Control envelopes: opened with the
 * public key, their author's key from the membership (or from a genesis
 * of this space by its author), then folded in.  Data envelopes: the
 * author may write first..last at the epoch, and the signature holds.
 * 0 with *res filled (refused and later included), or RELAY_EQUOTA,
 * RELAY_EIO, RELAY_ENOMEM. */
int relay_space_push(relay_space *sp, relay_store *st, const uint8_t *env, size_t len,
		     uint64_t quota, relay_push_result *res);

/* For a push of many envelopes, whose data envelopes are stored together
 * (relay_store_put_many): judges env without storing it.
 * RELAY_JUDGE_STORE: a data envelope that passes; *out describes it (its
 * bytes are env's) and res->id is set: the caller stores it and fills
 * res->seq and res->verdict.  RELAY_JUDGE_DONE: res says why not (refused,
 * later).  RELAY_JUDGE_CONTROL: a control envelope: the caller stores what
 * it holds, then pushes this one with relay_space_push (its ops are folded
 * in before the next envelope is judged).  RELAY_ENOMEM. */
enum { RELAY_JUDGE_DONE = 1, RELAY_JUDGE_STORE = 2, RELAY_JUDGE_CONTROL = 3 };
int relay_space_judge(relay_space *sp, const uint8_t *env, size_t len,
		      relay_push_result *res, relay_envelope *out);

/* For registration: the genesis author's device and key among the
 * control envelopes env of space (1 found, 0 not), and the fingerprint of
 * the identity that made the space (hearth_fingerprint; "" when the
 * creator's member record, which names its keys, is not in env). */
int relay_genesis_author(const uint8_t space[RELAY_SPACE_BYTES], const uint8_t *env,
			 size_t len, uint64_t *device, uint8_t pk[32],
			 char fingerprint[HEARTH_FINGERPRINT_LEN + 1]);

#endif
