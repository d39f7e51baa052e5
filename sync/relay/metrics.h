/*
 * metrics.h - counters of one relay server, shown by GET /metrics in the
 * Prometheus text format.  Updated with relaxed atomics from every
 * worker thread.
 */
#ifndef HEARTH_RELAY_METRICS_H
#define HEARTH_RELAY_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Why requests or envelopes were turned away; the label values. */
typedef enum relay_refusal {
	REFUSE_BAD_REQUEST, REFUSE_SIGNATURE, REFUSE_CLOCK, REFUSE_REPLAY,
	REFUSE_UNKNOWN_DEVICE, REFUSE_FORBIDDEN, REFUSE_NOT_FOUND, REFUSE_TOO_LARGE,
	REFUSE_QUOTA, REFUSE_RATE, REFUSE_UNAVAILABLE, REFUSE_ENVELOPE,
	REFUSE_COUNT
} relay_refusal;

#define RELAY_METRIC_CODES 12

typedef struct relay_metrics {
	atomic_ullong requests[RELAY_METRIC_CODES]; /* by HTTP status, see metrics.c */
	atomic_ullong refusals[REFUSE_COUNT];
	atomic_ullong envelopes_stored, bytes_stored, envelopes_held;
	atomic_ullong envelopes_pulled, bytes_pulled, spaces_registered;
} relay_metrics;

void relay_metrics_request(relay_metrics *m, unsigned status);
void relay_metrics_refusal(relay_metrics *m, relay_refusal r);
/* The Prometheus text of m, malloc'd, NUL-terminated; NULL out of memory. */
char *relay_metrics_text(relay_metrics *m, size_t *len);

#endif
