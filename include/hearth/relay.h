/*
 * hearth/relay.h - syncing a space through a relay (sync/relayclient.c,
 * sync/transport.c; docs/protocol.md §13 the relay's API, §14 the client).
 *
 * A relay holds envelopes as opaque bytes and numbers them per space; a
 * device pushes the envelopes it keeps that the relay lacks, pulls those
 * past its cursor, and receives them exactly as it would a bundle
 * (hearth_sync_receive: the same trust verdicts, nothing forged or
 * undecryptable applied).  After each sync it compares the relay's (count,
 * sum) of ids with its own fingerprint (hearth_sync_fp), never adopting
 * the relay's; when they differ, or the relay's store was wiped or rolled
 * back, the two reconcile bucket by bucket and each sends what the other
 * lacks.  A sync with nothing new is one request.
 *
 * The audited verb over a vault's spaces, with its trust and its device
 * key, is hearth_relaysync (hearth/relaysync.h); this is its engine.
 */
#ifndef HEARTH_RELAY_H
#define HEARTH_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/status.h"
#include "hearth/store.h"
#include "hearth/sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A request body's limit (the relay refuses larger: 413): room for one
 * envelope of the largest size (HEARTH_ENVELOPE_MAX, one op holding a
 * value of HEARTH_OP_VALUE_MAX) with its 4-byte frame, so that no
 * envelope is ever too large to push. */
#define HEARTH_RELAY_BODY_MAX (HEARTH_ENVELOPE_MAX + 4u)
/* What a client packs into one push, and the most envelope bytes a relay
 * gives in one page or one fetch: a single envelope larger than this
 * still goes, alone. */
#define HEARTH_RELAY_PAGE_MAX (1024u * 1024u)

/* Progress of a sync, as it goes: envelopes and bytes of their framing
 * each way. */
typedef struct hearth_relay_progress {
	uint64_t envelopes_sent, envelopes_received;
	uint64_t bytes_sent, bytes_received;
} hearth_relay_progress;

/* Called by the sync, on the thread running it.  progress (may be NULL)
 * after each request; cancelled (may be NULL) before each request and
 * while waiting to retry: non-zero stops the sync with HEARTH_ECANCELED
 * (what was received and committed so far stays, and the cursor with
 * it: the next sync goes on from there). */
typedef struct hearth_relay_hooks {
	void (*progress)(const hearth_relay_progress *p, void *ctx);
	int (*cancelled)(void *ctx);
	void *ctx;
} hearth_relay_hooks;

/* How to reach a relay. */
typedef struct hearth_relay_opts {
	/* "https://host[:port]" (a path may follow, prepended to the API's);
	 * "http://" only to a loopback address (127.0.0.0/8, [::1],
	 * localhost): anything else must be encrypted. */
	const char *url;
	/* The relay's certificate is verified against: cacert (a PEM file of
	 * CA certificates) when not NULL, else the system's store; or, with
	 * pin, only its public key is checked: "sha256//BASE64" (the
	 * SHA-256 of the certificate's SubjectPublicKeyInfo, as
	 * `hearth-relay --lan` prints it; 64 hex digits are accepted too),
	 * which lets a self-signed certificate of a LAN relay through. */
	const char *cacert;
	const char *pin;
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* one whole request; 0: 120 s */
	unsigned attempts;       /* tries per request; 0: 6 */
	unsigned backoff_ms;     /* the first wait before a retry; 0: 250 ms.
				  * It doubles each time (at most 30 s), with
				  * a random part, so clients do not retry in
				  * step. */
	const hearth_relay_hooks *hooks; /* may be NULL */
} hearth_relay_opts;

/* What a sync of one space did. */
typedef struct hearth_relay_result {
	hearth_sync_report received; /* summed over every batch received */
	size_t sealed;               /* envelopes of this device sealed now */
	size_t pushed;               /* envelopes the relay stored new */
	size_t push_held;            /* ... it held already */
	size_t push_refused;         /* ... it refused (the reason in problem) */
	size_t push_later;           /* ... it could not judge yet */
	size_t pulled;               /* envelopes pulled after the cursor */
	int registered;              /* the space was registered now */
	int relay_lost;              /* the relay's store was wiped, rolled
				      * back or lost envelopes it acknowledged */
	int reconciled;              /* the fingerprints differed: reconciled */
	size_t relay_lacked;         /* ids sent again by reconciliation */
	size_t vault_lacked;         /* ids fetched by reconciliation */
	size_t left_out;             /* envelopes that failed on their own
				      * (damaged, forged, no key here), kept
				      * apart while the others were received
				      * (hearth_sync_keep_failed; problem
				      * names the last) */
	int in_sync;                 /* at the end, the relay's count and sum
				      * equal this vault's fingerprint */
	uint64_t cursor;             /* the relay's seq pulled up to */
	uint64_t round_trips;        /* requests answered */
	uint64_t bytes_sent, bytes_received; /* all of it, headers too */
	char problem[HEARTH_SYNC_PROBLEM_MAX]; /* "" or what is wrong, in English */
	hearth_sync_problem_kind problem_kind; /* its kind: NONE when "" */
} hearth_relay_result;

/* Syncs space with the relay o->url: seals this device's new ops
 * (hearth_sync_seal with trust and device_sk), pushes control envelopes
 * then data ones the relay lacks (registering the space first when the
 * relay does not know it and this device wrote its genesis), pulls and
 * receives pages past the cursor, compares state, and reconciles when it
 * differs.  The state kept for (o->url, space) (hearth_sync_relay_get) is
 * updated as it goes, so an interrupted sync resumes.  r (may be NULL)
 * says what happened, also on failure.
 *
 * HEARTH_ENET: the relay could not be reached or refused the device
 * (r->problem says which: "unauthenticated", "forbidden", ...);
 * HEARTH_EAUTH / HEARTH_EFORMAT: the relay sent an envelope that fails to
 * open or a malformed answer: nothing of that batch applied;
 * HEARTH_ECANCELED; HEARTH_EINVAL for bad options. */
hearth_status hearth_relay_sync(hearth_store *s, const hearth_sync_trust *trust,
				const uint8_t device_sk[HEARTH_SIGN_SECRETBYTES],
				const hearth_relay_opts *o, const hearth_id *space,
				hearth_relay_result *r) HEARTH_WUR;

/* Checks o as hearth_relay_sync would, without a request: the URL (https,
 * or http to loopback), the pin's form, the CA file's existence.
 * HEARTH_EINVAL with a detail naming the problem. */
hearth_status hearth_relay_opts_check(const hearth_relay_opts *o) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_RELAY_H */
