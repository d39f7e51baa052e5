/*
 * hearth/hlc.h - hybrid logical clocks.
 *
 * A timestamp is 16 bytes that sort correctly with memcmp:
 *
 *   bytes 0-5    milliseconds since the Unix epoch, big-endian (48 bits)
 *   bytes 6-7    counter within that millisecond, big-endian (16 bits)
 *   bytes 8-15   device id, big-endian (64 bits)
 *
 * A clock never issues the same or a smaller timestamp twice, whatever the
 * wall clock does.  When the counter would pass 65,535 the logical
 * millisecond advances by one instead of failing.  A remote timestamp more
 * than max_drift_ms ahead of the wall clock is not absorbed into the clock
 * (hearth_hlc_observe says HEARTH_EFUTURE): one peer with a wrong clock
 * must not drag every device into its future.
 */
#ifndef HEARTH_HLC_H
#define HEARTH_HLC_H

#include <stdint.h>

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_HLC_BYTES 16u
#define HEARTH_HLC_MAX_MS ((UINT64_C(1) << 48) - 1)
/* Default tolerance for remote clocks ahead of ours: five minutes.  A
 * correct clock is rarely off by more; a wrong one must not win every
 * conflict for long. */
#define HEARTH_HLC_DEFAULT_MAX_DRIFT_MS (5u * 60u * 1000u)

typedef struct hearth_hlc {
	uint8_t b[HEARTH_HLC_BYTES];
} hearth_hlc;

/* A source of wall-clock milliseconds; tests substitute their own. */
typedef uint64_t (*hearth_now_fn)(void *ctx);

typedef struct hearth_clock {
	uint64_t last_ms;      /* logical ms of the last timestamp issued/seen */
	uint16_t counter;      /* counter of the last timestamp */
	uint64_t device;       /* this device's id */
	uint64_t max_drift_ms; /* see above */
	hearth_now_fn now;     /* NULL: the system's real-time clock */
	void *now_ctx;
} hearth_clock;

/* Packs and unpacks the three parts. */
hearth_hlc hearth_hlc_make(uint64_t ms, uint16_t counter, uint64_t device);
uint64_t hearth_hlc_ms(const hearth_hlc *h);
uint16_t hearth_hlc_counter(const hearth_hlc *h);
uint64_t hearth_hlc_device(const hearth_hlc *h);

/* memcmp order: <0, 0, >0. */
int hearth_hlc_cmp(const hearth_hlc *a, const hearth_hlc *b);

/* Sets up a clock for device, starting after `last` (the last timestamp
 * this device stored; all zero bytes for a new device). */
void hearth_clock_init(hearth_clock *c, uint64_t device, const hearth_hlc *last);

/* Wall-clock ms per c->now, or CLOCK_REALTIME. */
uint64_t hearth_clock_wall_ms(const hearth_clock *c);

/* Issues the next local timestamp: strictly greater than every timestamp
 * issued or observed before.  HEARTH_EINVAL only if the 48-bit millisecond
 * space is exhausted. */
hearth_status hearth_clock_tick(hearth_clock *c, hearth_hlc *out) HEARTH_WUR;

/* Absorbs a remote timestamp so later local ones sort after it.
 * HEARTH_EFUTURE (clock unchanged) if remote is more than max_drift_ms
 * ahead of the wall clock. */
hearth_status hearth_clock_observe(hearth_clock *c, const hearth_hlc *remote) HEARTH_WUR;

/* 32 lowercase hex digits + NUL. */
void hearth_hlc_to_hex(const hearth_hlc *h, char out[2 * HEARTH_HLC_BYTES + 1]);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_HLC_H */
