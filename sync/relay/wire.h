/*
 * wire.h - parsing what a client sends the relay (docs/protocol.md §13):
 * the envelope framing of request bodies, the signature headers, the
 * text to sign, and the JSON bodies of reconcile and fetch.  Pure
 * functions over bytes, no I/O: tests/fuzz/fuzz_relay_request.c feeds
 * them anything.
 */
#ifndef HEARTH_RELAY_WIRE_H
#define HEARTH_RELAY_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/relay.h"
#include "store.h"

/* Largest request body: one envelope of the largest size with its frame
 * (HEARTH_RELAY_BODY_MAX).  The default and largest pull page, and the
 * envelope bytes of one fetch answer: HEARTH_RELAY_PAGE_MAX (a page holds
 * at least one envelope, whatever its size). */
#define RELAY_BODY_MAX HEARTH_RELAY_BODY_MAX
#define RELAY_PAGE_MAX HEARTH_RELAY_PAGE_MAX
#define RELAY_SIG_BYTES 64u
/* Most buckets and ids asked for in one reconcile or fetch. */
#define RELAY_IDS_OF_MAX 16u
#define RELAY_FETCH_MAX 256u
/* Most envelopes in one push or registration. */
#define RELAY_PUSH_MAX 8192u

/* Request framing: repeated [4-byte big-endian L][L bytes], L >= 1.
 * Calls cb for each (returning its non-zero value to stop).  -1 when the
 * body is malformed (a truncated length or envelope, L = 0), before cb
 * is called for anything: the whole body is checked first. */
typedef int (*relay_frame_cb)(const uint8_t *env, size_t len, void *ctx);
int relay_frames_parse(const uint8_t *body, size_t len, relay_frame_cb cb, void *ctx);

/* Exactly 2*n lowercase hex digits, then the end of s: 0; else -1. */
int relay_hex_parse(const char *s, uint8_t *out, size_t n);
void relay_hex(const uint8_t *b, size_t n, char *out); /* 2n digits + NUL */

/* A decimal number, digits only, no leading zero (but "0"), fits in
 * uint64: 0; else -1. */
int relay_u64_parse(const char *s, uint64_t *out);

/* The signature headers of a request, checked for their form only. */
typedef struct relay_auth {
	uint64_t device;
	int64_t time;
	uint8_t nonce[RELAY_NONCE_BYTES];
	uint8_t sig[RELAY_SIG_BYTES];
	/* The header texts as sent (the signed string holds them). */
	const char *device_text, *time_text, *nonce_text;
} relay_auth;

/* Parses the four headers (any may be NULL: missing).  0, or -1 with
 * *why an English reason. */
int relay_auth_parse(const char *device, const char *time, const char *nonce,
		     const char *sig, relay_auth *out, const char **why);

/* The bytes a device signs (malloc'd, *len bytes, NULL when out of
 * memory): "hearth relay request v1\n" METHOD "\n" PATH_AND_QUERY "\n"
 * HEX(BLAKE2b-256(body)) "\n" TIME "\n" NONCE "\n" DEVICE. */
char *relay_signing_text(const char *method, const char *path_and_query,
			 const uint8_t *body, size_t body_len, const char *time,
			 const char *nonce, const char *device, size_t *len);

/* 1 if sig over the request holds under pk, else 0. */
int relay_auth_verify(const relay_auth *a, const char *method, const char *path_and_query,
		      const uint8_t *body, size_t body_len, const uint8_t pk[32]);

/* A reconcile body: {"buckets":[b,...]} (at most 256 numbers 0-255;
 * empty: all 256) or {"ids_of":[b,...]} (1 to RELAY_IDS_OF_MAX).  Sets
 * want[b] = 1 for each asked, *ids 1 for ids_of.  0, or -1 with *why. */
int relay_reconcile_parse(const uint8_t *body, size_t len, uint8_t want[256],
			  int *ids, const char **why);

/* A fetch body: {"ids":["<64 hex>",...]} (at most RELAY_FETCH_MAX).
 * ids gets *n ids.  0, or -1 with *why. */
int relay_fetch_parse(const uint8_t *body, size_t len,
		      uint8_t ids[RELAY_FETCH_MAX][RELAY_ID_BYTES], size_t *n,
		      const char **why);

/* The query of a pull: after=N (required), limit=BYTES, plane=control.
 * Parsed from the raw query string (after the '?', may be NULL).  *limit
 * defaults to RELAY_PAGE_MAX and is capped by it.  0, or -1 with *why. */
int relay_pull_query_parse(const char *query, uint64_t *after, size_t *limit,
			   int *control_only, const char **why);

#endif
