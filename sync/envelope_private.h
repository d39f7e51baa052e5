/*
 * envelope_private.h - what the importer (sync.c) asks of envelope.c
 * beyond include/hearth/envelope.h.  Not installed.
 */
#ifndef HEARTH_ENVELOPE_PRIVATE_H
#define HEARTH_ENVELOPE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/envelope.h"

/* D, the BLAKE2b-512 digest of an envelope's signed bytes (its signature
 * signs "HEARTHES" || D; docs/protocol.md §7.2). */
#define HEARTH_ENVELOPE_DIGEST_BYTES 64u

/* hearth_envelope_id, and D besides: the one pass over env's bytes that
 * both take, for a caller that opens env next. */
void hearth_envelope_id_digest(const uint8_t *env, size_t len,
			       uint8_t id[HEARTH_ENVELOPE_ID_BYTES],
			       uint8_t digest[HEARTH_ENVELOPE_DIGEST_BYTES]);

/* hearth_envelope_open and hearth_envelope_open_control given D, as
 * hearth_envelope_id_digest has just taken it of the same bytes (NULL:
 * taken here), so that an import hashes each envelope once.  Every check
 * of the public calls is made. */
hearth_status hearth_envelope_open_digest(const uint8_t *env, size_t len,
					  const uint8_t *digest,
					  const hearth_envelope_trust *trust,
					  hearth_envelope_batch *out) HEARTH_WUR;
hearth_status hearth_envelope_open_control_digest(const uint8_t *env, size_t len,
						  const uint8_t *digest,
						  hearth_envelope_key_of_ops key_of_ops,
						  void *ctx,
						  hearth_envelope_batch *out) HEARTH_WUR;

#endif /* HEARTH_ENVELOPE_PRIVATE_H */
