/*
 * transport.h - signed HTTP requests to a relay (transport.c), for
 * relayclient.c.  Not installed.
 *
 * One transport talks to one relay: its base URL, how its certificate is
 * trusted (the system store, a CA file, or a pinned public key), and the
 * device key requests are signed with (docs/protocol.md §13, §14).
 */
#ifndef HEARTH_TRANSPORT_H
#define HEARTH_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/relay.h"

typedef struct hearth_transport hearth_transport;

/* What a relay answered.  Headers the protocol defines are parsed; the
 * others are ignored. */
typedef struct hearth_response {
	long status;          /* HTTP status */
	uint8_t *body;        /* malloc'd, NUL-terminated beyond len */
	size_t len;
	int has_store;        /* Hearth-Store: 32 hex digits */
	uint8_t store[HEARTH_RELAY_INSTANCE_BYTES];
	int has_max_seq, has_next, has_more;
	uint64_t max_seq, next; /* Hearth-Max-Seq, Hearth-Next */
	int more;               /* Hearth-More */
	long retry_after;       /* Retry-After seconds, -1 none */
	int has_relay_time;     /* Hearth-Relay-Time (a 401 for the clock) */
	int64_t relay_time;
} hearth_response;

/* Checks the options (URL scheme and host, pin format) and makes a
 * transport signing as device with sk (borrowed: it must outlive the
 * transport).  HEARTH_EINVAL naming the problem. */
hearth_status hearth_transport_open(const hearth_relay_opts *o, uint64_t device,
				    const uint8_t sk[64], hearth_transport **out) HEARTH_WUR;

/* Sends one signed request: method, path_and_query (from "/v1/..."; the
 * URL's own path goes before it), body (may be NULL when len is 0).
 * Retries, with exponential backoff and jitter, connection failures,
 * timeouts and 429/503 answers (after Retry-After when the relay gives
 * one), each time signed anew (new time and nonce).  Any other answer,
 * 2xx or not, is returned in resp with HEARTH_OK: the caller reads
 * resp->status.  HEARTH_ENET when the relay cannot be reached (or still
 * answers 429/503 after the retries), HEARTH_ECANCELED when the cancel
 * flag was set.  resp is filled (free with hearth_response_free) only on
 * HEARTH_OK. */
hearth_status hearth_transport_call(hearth_transport *t, const char *method,
				    const char *path_and_query, const char *ctype,
				    const uint8_t *body, size_t len,
				    hearth_response *resp) HEARTH_WUR;

/* The error code of an error answer ({"error":"<code>",...}) into buf
 * (returned), "" when the body says none. */
const char *hearth_response_error(const hearth_response *resp, char *buf, size_t len);

void hearth_response_free(hearth_response *resp);

/* Requests answered (round trips; retries count) and bytes sent and
 * received (headers and bodies) so far. */
void hearth_transport_stats(const hearth_transport *t, uint64_t *round_trips,
			    uint64_t *sent, uint64_t *received);

/* The base URL, as given (without a trailing slash). */
const char *hearth_transport_url(const hearth_transport *t);

void hearth_transport_free(hearth_transport *t);

/* Builds the bytes a request's signature covers (docs/protocol.md §13):
 * "hearth relay request v1\n" METHOD "\n" PATH "\n" HEX(BLAKE2b-256(body))
 * "\n" TIME "\n" NONCE "\n" DEVICE; malloc'd, NUL-terminated. */
char *hearth_transport_signed_text(const char *method, const char *path,
				   const uint8_t *body, size_t len, int64_t time,
				   const char nonce_hex[33], uint64_t device);

#endif /* HEARTH_TRANSPORT_H */
