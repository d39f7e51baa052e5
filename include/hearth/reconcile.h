/*
 * hearth/reconcile.h - the fingerprint of a set of envelope ids, which a
 * device and a relay compare to tell "in sync" from "one side lost or
 * never got something" (docs/protocol.md, the relay's reconciliation).
 *
 * A fingerprint is a count and a sum, modulo 2^256, of one hash per id.
 * A sum, not an exclusive or: an id counted twice does not cancel, and
 * adding or removing one id updates it in constant time, so both sides
 * keep it incrementally (per space, and per bucket of ids sharing a
 * leading byte) instead of recounting.  Ids are hashed again before
 * being summed, under a domain of their own, so the sum is not a sum of
 * values an envelope's author chose directly.
 *
 * A side never adopts the other's fingerprint: it compares its own,
 * recomputed from the ids it holds, with what the other reports.
 */
#ifndef HEARTH_RECONCILE_H
#define HEARTH_RECONCILE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/envelope.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_FP_SUM_BYTES 32u
/* Hex text of a fingerprint's sum: 64 digits, no NUL. */
#define HEARTH_FP_HEX_LEN (2u * HEARTH_FP_SUM_BYTES)

typedef struct hearth_fp {
	uint64_t count;
	uint8_t sum[HEARTH_FP_SUM_BYTES]; /* little-endian, modulo 2^256 */
} hearth_fp;

/* The empty set's: count 0, sum 0. */
void hearth_fp_init(hearth_fp *fp);

/* The hash an id contributes: BLAKE2b-256, keyed by nothing, of the 14
 * ASCII bytes "hearth fp v1\0\0" followed by the id. */
void hearth_fp_item(const uint8_t id[HEARTH_ENVELOPE_ID_BYTES],
		    uint8_t out[HEARTH_FP_SUM_BYTES]);

/* Adds one id to the set; removes one (an id the set holds). */
void hearth_fp_add(hearth_fp *fp, const uint8_t id[HEARTH_ENVELOPE_ID_BYTES]);
void hearth_fp_remove(hearth_fp *fp, const uint8_t id[HEARTH_ENVELOPE_ID_BYTES]);

/* fp += other (the union of two disjoint sets); fp -= other. */
void hearth_fp_merge(hearth_fp *fp, const hearth_fp *other);
void hearth_fp_subtract(hearth_fp *fp, const hearth_fp *other);

/* 1 when both count and sum are equal, else 0. */
int hearth_fp_equal(const hearth_fp *a, const hearth_fp *b);

/* The sum as 64 lowercase hex digits plus NUL; and back (0 on success,
 * -1 for anything but exactly 64 hex digits). */
void hearth_fp_sum_hex(const hearth_fp *fp, char out[HEARTH_FP_HEX_LEN + 1]);
int hearth_fp_sum_parse(const char *hex, hearth_fp *fp);

/* The bucket an id falls in for per-bucket fingerprints: its first byte
 * (0..255).  Both sides keep one fingerprint per bucket, so a mismatch
 * of the whole narrows to the buckets that differ in one exchange. */
#define HEARTH_FP_BUCKETS 256u
static inline unsigned hearth_fp_bucket(const uint8_t id[HEARTH_ENVELOPE_ID_BYTES])
{
	return id[0];
}

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_RECONCILE_H */
