/*
 * relayutil.h - a minimal client of hearth-relay's HTTP API v1 for the
 * tests, the kill script's helper and the bench: requests signed by hand
 * from docs/protocol.md §13 (not with the relay's own code), sent with
 * libcurl, and the request framing of envelopes.
 */
#ifndef HEARTH_TESTS_RELAYUTIL_H
#define HEARTH_TESTS_RELAYUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

typedef struct relayutil_resp {
	long status;
	unsigned char *body;
	size_t len;
	char store[64], more[8], next[32], max_seq[32], retry[16];
} relayutil_resp;

/* Who signs a request, and how: device and its Ed25519 secret key; the
 * clock off by skew seconds; nonce (32 hex, NULL: a fresh one); broken:
 * the signature is over another path. */
typedef struct relayutil_signer {
	uint64_t device;
	const uint8_t *sk;
	int64_t skew;
	const char *nonce;
	int broken;
} relayutil_signer;

/* Sends method pq (path and query) to base ("http://127.0.0.1:PORT")
 * with body (NULL: none), signed by sg (NULL: unsigned), on handle c
 * (NULL: a new one for this request; given, its connection is reused).
 * The answer into *out (relayutil_resp_free).  The curl code. */
CURLcode relayutil_http(CURL *c, const char *base, const char *method, const char *pq,
			const uint8_t *body, size_t len, const relayutil_signer *sg,
			relayutil_resp *out);
void relayutil_resp_free(relayutil_resp *r);

/* A team for the bench and the pusher: a fresh vault in memory makes a
 * space, adds persons people, sealing each in an envelope of its own,
 * and exports the space as the bundle file path.  *device, sk (64 bytes)
 * and space_hex (32 hex digits + NUL) say who signed and where.  0, or
 * -1 with a message on stderr. */
int relayutil_team_bundle(const char *path, long persons, uint64_t *device,
			  uint8_t sk[64], char space_hex[33]);

/* The four signature headers of a request, appended to *hdrs. */
void relayutil_sign(struct curl_slist **hdrs, const char *method, const char *pq,
		    const uint8_t *body, size_t len, const relayutil_signer *sg);

/* Request framing ([4-byte length][envelope]...) of v[from, to), malloc'd. */
uint8_t *relayutil_frame(uint8_t *const *v, const size_t *len, size_t from, size_t to,
			 size_t *out_len);

#endif
