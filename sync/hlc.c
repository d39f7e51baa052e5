/*
 * hlc.c - hybrid logical clocks (see include/hearth/hlc.h).
 *
 * The clock keeps the logical (ms, counter) pair of the greatest timestamp
 * it has issued or absorbed.  A tick takes the wall clock when it is ahead
 * of that pair and otherwise bumps the counter, so timestamps stay strictly
 * increasing when the wall clock stalls or runs backwards.  The device id is
 * only the tie-breaker between devices: it takes no part in the pair.
 */
#include <string.h>
#include <time.h>

#include "hearth/crypto.h"
#include "hearth/hlc.h"

#define COUNTER_MAX UINT16_C(65535)

hearth_hlc hearth_hlc_make(uint64_t ms, uint16_t counter, uint64_t device)
{
	hearth_hlc h;
	int i;

	ms &= HEARTH_HLC_MAX_MS;
	for (i = 0; i < 6; i++)
		h.b[i] = (uint8_t)(ms >> (8 * (5 - i)));
	h.b[6] = (uint8_t)(counter >> 8);
	h.b[7] = (uint8_t)counter;
	for (i = 0; i < 8; i++)
		h.b[8 + i] = (uint8_t)(device >> (8 * (7 - i)));
	return h;
}

uint64_t hearth_hlc_ms(const hearth_hlc *h)
{
	uint64_t ms = 0;
	int i;

	for (i = 0; i < 6; i++)
		ms = ms << 8 | h->b[i];
	return ms;
}

uint16_t hearth_hlc_counter(const hearth_hlc *h)
{
	return (uint16_t)(h->b[6] << 8 | h->b[7]);
}

uint64_t hearth_hlc_device(const hearth_hlc *h)
{
	uint64_t d = 0;
	int i;

	for (i = 8; i < 16; i++)
		d = d << 8 | h->b[i];
	return d;
}

int hearth_hlc_cmp(const hearth_hlc *a, const hearth_hlc *b)
{
	return memcmp(a->b, b->b, HEARTH_HLC_BYTES);
}

void hearth_clock_init(hearth_clock *c, uint64_t device, const hearth_hlc *last)
{
	memset(c, 0, sizeof *c);
	c->device = device;
	c->max_drift_ms = HEARTH_HLC_DEFAULT_MAX_DRIFT_MS;
	if (last != NULL) {
		c->last_ms = hearth_hlc_ms(last);
		c->counter = hearth_hlc_counter(last);
	}
}

uint64_t hearth_clock_wall_ms(const hearth_clock *c)
{
	struct timespec ts;

	if (c->now != NULL)
		return c->now(c->now_ctx);
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0; /* no usable wall clock: the counter carries on alone */
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

hearth_status hearth_clock_tick(hearth_clock *c, hearth_hlc *out)
{
	uint64_t wall = hearth_clock_wall_ms(c);
	uint64_t ms;
	uint16_t counter;

	/* A wall clock beyond the 48-bit range is treated as standing at its
	 * end; the logical clock then advances by counter alone. */
	if (wall > HEARTH_HLC_MAX_MS)
		wall = HEARTH_HLC_MAX_MS;
	if (wall > c->last_ms) {
		ms = wall;
		counter = 0;
	} else if (c->counter < COUNTER_MAX) {
		ms = c->last_ms;
		counter = (uint16_t)(c->counter + 1);
	} else {
		/* 65,536 timestamps in one logical millisecond: borrow the next
		 * millisecond rather than fail.  The wall clock catches up. */
		if (c->last_ms >= HEARTH_HLC_MAX_MS)
			return hearth_fail(HEARTH_EINVAL,
				"clock of device %016llx has run out of timestamps",
				(unsigned long long)c->device);
		ms = c->last_ms + 1;
		counter = 0;
	}
	c->last_ms = ms;
	c->counter = counter;
	*out = hearth_hlc_make(ms, counter, c->device);
	return HEARTH_OK;
}

hearth_status hearth_clock_observe(hearth_clock *c, const hearth_hlc *remote)
{
	uint64_t wall = hearth_clock_wall_ms(c);
	uint64_t rms = hearth_hlc_ms(remote);
	uint16_t rcounter = hearth_hlc_counter(remote);

	/* Written as a difference so wall + max_drift cannot overflow. */
	if (rms > wall && rms - wall > c->max_drift_ms) {
		char hex[2 * HEARTH_HLC_BYTES + 1];

		hearth_hlc_to_hex(remote, hex);
		return hearth_fail(HEARTH_EFUTURE,
			"timestamp %s is %llu ms ahead of this device's clock",
			hex, (unsigned long long)(rms - wall));
	}
	if (rms > c->last_ms || (rms == c->last_ms && rcounter > c->counter)) {
		c->last_ms = rms;
		c->counter = rcounter;
	}
	return HEARTH_OK;
}

void hearth_hlc_to_hex(const hearth_hlc *h, char out[2 * HEARTH_HLC_BYTES + 1])
{
	hearth_hex_encode(out, h->b, HEARTH_HLC_BYTES);
}
