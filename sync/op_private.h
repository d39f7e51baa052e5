/*
 * op_private.h - the op's encoding and checks (op.c), shared by the store
 * and the schema migration that rewrote old op logs.  Not installed.
 */
#ifndef HEARTH_OP_PRIVATE_H
#define HEARTH_OP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/store.h"

/* The version byte of the canonical encoding (docs/protocol.md). */
#define HEARTH_OP_FORMAT 1u

/* Field written by hearth_record_create; its value is the kind. */
#define HEARTH_FIELD_KIND "_kind"

/* BLAKE2b-256 of op's canonical encoding (op->hash is not read). */
void hearth_op_hash(const hearth_op *op, uint8_t out[HEARTH_OP_HASH_BYTES]);

/* 1 when op->hash is the hash of op. */
int hearth_op_hash_ok(const hearth_op *op);

/* NULL when op passes the checks hearth_store_apply documents, else what
 * is wrong ("has no kind", ...), a phrase completing "op N ...". */
const char *hearth_op_check(const hearth_op *op);

/* hearth_store_apply without its per-op checks, for the ops of a batch
 * hearth_envelope_open has just returned, unchanged: the open made
 * hearth_op_check of each and computed its hash from its encoding (the
 * envelope carries none; docs/protocol.md §7.4), so checking the hash
 * again would only hash every op of an import twice.  Any other caller
 * uses hearth_store_apply. */
hearth_status hearth_store_apply_opened(hearth_store *s, const hearth_op *ops,
					size_t n, size_t *n_deferred);

/* Strict UTF-8: no overlong forms, surrogates or values past U+10FFFF. */
int hearth_utf8_valid(const char *str);

/* Orders op ids by device, then seq. */
int hearth_op_id_cmp(const hearth_op_id *a, const hearth_op_id *b);

/* The op table's prev column: 16 bytes per id (device, seq, big-endian). */
void hearth_op_prev_encode(const hearth_op_id *prev, size_t n, uint8_t *out);
/* Returns the count, or (size_t)-1 when len is not a whole number of ids
 * or there are more than max. */
size_t hearth_op_prev_decode(const uint8_t *in, size_t len, hearth_op_id *out,
			     size_t max);

#endif /* HEARTH_OP_PRIVATE_H */
