/*
 * hearth/relaysync.h - `hearth sync` through a relay: every space of the
 * vault (or one) synced with the vault's own trust and device key, each
 * audited, the relay remembered in the vault's settings; its status per
 * space; and the same in a worker thread for the app, with progress and
 * cancellation.  The engine is hearth/relay.h; docs/protocol.md §14.
 */
#ifndef HEARTH_RELAYSYNC_H
#define HEARTH_RELAYSYNC_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/relay.h"
#include "hearth/status.h"
#include "hearth/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Audit action, one entry per space synced (or failed): detail
 * "space=<32 hex> pushed=N pulled=N applied=N in_sync=0|1" and, on
 * failure or a problem, " problem=<code or sentence>". */
#define HEARTH_AUDIT_SYNC_RELAY "sync.relay"

typedef struct hearth_relaysync_opts {
	/* The relay: NULL for the one remembered (setting relay_url); its
	 * pin NULL for the remembered relay_pin when the URL is the
	 * remembered one.  After a sync through them that reached the
	 * relay, url and pin are remembered (settings relay_url, relay_pin;
	 * a URL given without a pin forgets the old pin). */
	const char *url;
	const char *pin;
	const char *cacert;       /* not remembered */
	/* One space, or NULL: every team space of the vault, and those it
	 * asked to join whose genesis has not reached it yet.  The private
	 * space is synced only when named: a relay admits the members of a
	 * space by its genesis, which the private space has not. */
	const hearth_id *space;
	const hearth_relay_hooks *hooks;  /* may be NULL */
	long timeout_ms;          /* 0: the default (hearth_relay_opts) */
	unsigned attempts;        /* 0: the default */
	unsigned backoff_ms;      /* 0: the default */
	/* hearth_relaysync_start only (may be NULL): called on the worker
	 * thread as its last act, after its last write, so that a main loop
	 * knows when hearth_relaysync_join will not wait. */
	void (*finished)(void *ctx);
	void *finished_ctx;
	/* May be NULL: called on the thread syncing before each space, with
	 * its place among the count spaces to sync (index from 0), so that
	 * progress can be told per space. */
	void (*space_begin)(const hearth_id *space, size_t index, size_t count,
			    void *ctx);
	void *space_ctx;
} hearth_relaysync_opts;

/* Called after each space with its status and what happened. */
typedef void (*hearth_relaysync_cb)(const hearth_id *space, hearth_status st,
				    const hearth_relay_result *r, void *ctx);

/* Syncs each space (hearth_relay_sync, with hearth_vault_trust and this
 * device's key) and audits "sync.relay" for it.  A space that fails does
 * not stop the others: cb hears of each; the result is HEARTH_OK when
 * every space synced, else the first failure (its detail stands).
 * HEARTH_EINVAL "no relay given" when o->url is NULL and none is
 * remembered, or for bad options (before any request). */
hearth_status hearth_relaysync(hearth_store *s, const hearth_relaysync_opts *o,
			       hearth_relaysync_cb cb, void *ctx) HEARTH_WUR;

/* The status of one (relay, space) as kept by the last sync. */
typedef struct hearth_relaysync_status {
	const char *relay;               /* borrowed for the call */
	hearth_id space;
	hearth_sync_relay_state state;   /* synced_at 0: never synced whole */
	size_t pending_ops;              /* this device's ops not sealed yet */
	size_t pending_envelopes;        /* kept here, not pushed to it yet */
} hearth_relaysync_status;

typedef int (*hearth_relaysync_status_cb)(const hearth_relaysync_status *st, void *ctx);

/* Each (relay, space) a sync has touched, by relay then space.  cb
 * returns non-zero to stop. */
hearth_status hearth_relaysync_status_each(hearth_store *s, hearth_relaysync_status_cb cb,
					   void *ctx) HEARTH_WUR;

/* Whether the relay sync needs a person's attention, for the app's
 * Today page: the relay remembered (setting relay_url) and the states
 * the last syncs through it kept (hearth_relaysync_status_each). */
typedef enum hearth_relaysync_need {
	HEARTH_RELAYSYNC_FINE = 0,   /* no relay, or synced within the limit */
	HEARTH_RELAYSYNC_FAILED,     /* the last sync of a space failed */
	HEARTH_RELAYSYNC_STALE,      /* no whole sync for more than the limit */
} hearth_relaysync_need;

/* A relay is "stale" after this long without a whole sync. */
#define HEARTH_RELAYSYNC_STALE_SECONDS (3 * 24 * 3600)

typedef struct hearth_relaysync_attention {
	hearth_relaysync_need need;
	/* The oldest last whole sync of the relay's spaces (unix seconds),
	 * 0 when one never synced whole (or none was ever tried). */
	int64_t synced_at;
	/* Whole days since synced_at (STALE), or since the relay was
	 * remembered without a sync (0 then). */
	int64_t days;
	char problem[HEARTH_SYNC_PROBLEM_MAX]; /* FAILED: the first problem, in
						* English */
	hearth_sync_problem_kind problem_kind; /* FAILED: its kind, what a face
						* says (hearth_sync_problem_local) */
} hearth_relaysync_attention;

/* Judges the remembered relay's syncs at now (unix seconds: the caller's
 * clock, so a test can move it).  FAILED when the last sync of any of its
 * spaces kept a problem (but HEARTH_SYNC_PROBLEM_RELAY_LOST: that sync
 * sent the relay what it had lost); else STALE when a space's last whole sync is
 * older than HEARTH_RELAYSYNC_STALE_SECONDS, or no space of it ever
 * synced whole although a sync was tried; else FINE (FINE too with no
 * relay remembered: syncing is optional). */
hearth_status hearth_relaysync_attention_get(hearth_store *s, int64_t now,
					     hearth_relaysync_attention *out) HEARTH_WUR;

/* ---- in a worker thread, for the app ---- */

typedef struct hearth_relaysync_job hearth_relaysync_job;

/* Starts hearth_relaysync(s, o, NULL, NULL) in a new thread (o and its
 * strings are copied; o->hooks is borrowed, and its progress is called
 * on the worker thread).  The store is the worker's until
 * hearth_relaysync_join returns: the caller must not use it meanwhile. */
hearth_status hearth_relaysync_start(hearth_store *s, const hearth_relaysync_opts *o,
				     hearth_relaysync_job **out) HEARTH_WUR;

/* Asks the worker to stop at its next request or retry wait (any
 * thread, any time before join).  What it committed stays. */
void hearth_relaysync_cancel(hearth_relaysync_job *j);

/* Waits for the worker, frees j and returns its status, with its detail
 * as this thread's (hearth_errdetail). */
hearth_status hearth_relaysync_join(hearth_relaysync_job *j) HEARTH_WUR;

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_RELAYSYNC_H */
