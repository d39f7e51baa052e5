/*
 * relayclient_private.h - the checks relayclient.c makes of a relay's
 * answers, alone, for tests/fuzz/fuzz_relay_answer.c.  Not installed.
 */
#ifndef HEARTH_RELAYCLIENT_PRIVATE_H
#define HEARTH_RELAYCLIENT_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/reconcile.h"
#include "hearth/sync.h"

/* A state answer's JSON: 0 and its fields, or -1 when malformed. */
int hearth_relay_state_parse(const uint8_t *body, size_t len,
			     uint8_t store[HEARTH_RELAY_INSTANCE_BYTES], uint64_t *max_seq,
			     hearth_fp *fp);

/* A pull's page as the client checks it (framing, sequence numbers
 * against the cursor after and the headers next, max_seq, more): 0 and
 * its *n envelopes, -1 when refused, -2 out of memory. */
int hearth_relay_page_check(const uint8_t *body, size_t len, uint64_t after, uint64_t next,
			    uint64_t max_seq, int more, size_t *n);

#endif /* HEARTH_RELAYCLIENT_PRIVATE_H */
