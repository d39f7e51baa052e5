/*
 * metrics.c - the relay's counters as Prometheus text (metrics.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const unsigned codes[RELAY_METRIC_CODES] = {
	200, 201, 400, 401, 403, 404, 413, 429, 500, 503, 507, 0 /* any other */
};

static const char *const refusal_names[REFUSE_COUNT] = {
	[REFUSE_BAD_REQUEST] = "bad_request",
	[REFUSE_SIGNATURE] = "signature",
	[REFUSE_CLOCK] = "clock",
	[REFUSE_REPLAY] = "replay",
	[REFUSE_UNKNOWN_DEVICE] = "unknown_device",
	[REFUSE_FORBIDDEN] = "forbidden",
	[REFUSE_NOT_FOUND] = "not_found",
	[REFUSE_TOO_LARGE] = "too_large",
	[REFUSE_QUOTA] = "quota",
	[REFUSE_RATE] = "rate_limited",
	[REFUSE_UNAVAILABLE] = "unavailable",
	[REFUSE_ENVELOPE] = "envelope",
};

/* The plain counters: name, help, where in relay_metrics. */
static const struct {
	const char *name, *help;
	size_t offset;
} counters[] = {
	{ "envelopes_stored_total", "Envelopes stored by this process.",
	  offsetof(relay_metrics, envelopes_stored) },
	{ "bytes_stored_total", "Envelope bytes stored by this process.",
	  offsetof(relay_metrics, bytes_stored) },
	{ "envelopes_held_total", "Envelopes pushed again (already held).",
	  offsetof(relay_metrics, envelopes_held) },
	{ "envelopes_pulled_total", "Envelopes sent by pulls and fetches.",
	  offsetof(relay_metrics, envelopes_pulled) },
	{ "bytes_pulled_total", "Envelope bytes sent by pulls and fetches.",
	  offsetof(relay_metrics, bytes_pulled) },
	{ "spaces_registered_total", "Spaces registered by this process.",
	  offsetof(relay_metrics, spaces_registered) },
};

void relay_metrics_request(relay_metrics *m, unsigned status)
{
	size_t i;

	for (i = 0; i + 1 < RELAY_METRIC_CODES; i++)
		if (codes[i] == status)
			break;
	atomic_fetch_add_explicit(&m->requests[i], 1, memory_order_relaxed);
}

void relay_metrics_refusal(relay_metrics *m, relay_refusal r)
{
	atomic_fetch_add_explicit(&m->refusals[r], 1, memory_order_relaxed);
}

static unsigned long long get(atomic_ullong *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

char *relay_metrics_text(relay_metrics *m, size_t *len)
{
	size_t cap = 4096, n = 0, i;
	char *s = malloc(cap);

	if (s == NULL)
		return NULL;
#define OUT(...) (n += (size_t)snprintf(s + n, n < cap ? cap - n : 0, __VA_ARGS__))
	OUT("# HELP hearth_relay_requests_total Requests answered, by HTTP status.\n"
	    "# TYPE hearth_relay_requests_total counter\n");
	for (i = 0; i < RELAY_METRIC_CODES; i++) {
		if (codes[i] != 0)
			OUT("hearth_relay_requests_total{code=\"%u\"} %llu\n", codes[i],
			    get(&m->requests[i]));
		else
			OUT("hearth_relay_requests_total{code=\"other\"} %llu\n",
			    get(&m->requests[i]));
	}
	OUT("# HELP hearth_relay_refusals_total Requests or envelopes refused, by reason.\n"
	    "# TYPE hearth_relay_refusals_total counter\n");
	for (i = 0; i < REFUSE_COUNT; i++)
		OUT("hearth_relay_refusals_total{reason=\"%s\"} %llu\n", refusal_names[i],
		    get(&m->refusals[i]));
	for (i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		atomic_ullong *v = (atomic_ullong *)((char *)m + counters[i].offset);

		OUT("# HELP hearth_relay_%s %s\n# TYPE hearth_relay_%s counter\n"
		    "hearth_relay_%s %llu\n", counters[i].name, counters[i].help,
		    counters[i].name, counters[i].name, get(v));
	}
#undef OUT
	if (n >= cap) {
		free(s);
		return NULL; /* the buffer is sized well past the text above */
	}
	*len = n;
	return s;
}
