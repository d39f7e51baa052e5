/*
 * reconcile.c - fingerprints of sets of envelope ids: a count and a sum
 * modulo 2^256 of one BLAKE2b-256 per id (hearth/reconcile.h).
 */
#include <string.h>

#include <sodium.h>

#include "hearth/reconcile.h"

static const uint8_t fp_domain[14] = "hearth fp v1\0";

void hearth_fp_init(hearth_fp *fp)
{
	memset(fp, 0, sizeof *fp);
}

void hearth_fp_item(const uint8_t id[HEARTH_ENVELOPE_ID_BYTES],
		    uint8_t out[HEARTH_FP_SUM_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, HEARTH_FP_SUM_BYTES);
	crypto_generichash_update(&st, fp_domain, sizeof fp_domain);
	crypto_generichash_update(&st, id, HEARTH_ENVELOPE_ID_BYTES);
	crypto_generichash_final(&st, out, HEARTH_FP_SUM_BYTES);
}

/* a += b, or a -= b, modulo 2^256, little-endian. */
static void sum_add(uint8_t a[HEARTH_FP_SUM_BYTES], const uint8_t b[HEARTH_FP_SUM_BYTES])
{
	unsigned carry = 0;

	for (size_t i = 0; i < HEARTH_FP_SUM_BYTES; i++) {
		carry += (unsigned)a[i] + b[i];
		a[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

static void sum_sub(uint8_t a[HEARTH_FP_SUM_BYTES], const uint8_t b[HEARTH_FP_SUM_BYTES])
{
	int borrow = 0;

	for (size_t i = 0; i < HEARTH_FP_SUM_BYTES; i++) {
		int d = (int)a[i] - b[i] - borrow;
		borrow = d < 0;
		a[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

void hearth_fp_add(hearth_fp *fp, const uint8_t id[HEARTH_ENVELOPE_ID_BYTES])
{
	uint8_t h[HEARTH_FP_SUM_BYTES];

	hearth_fp_item(id, h);
	sum_add(fp->sum, h);
	fp->count++;
}

void hearth_fp_remove(hearth_fp *fp, const uint8_t id[HEARTH_ENVELOPE_ID_BYTES])
{
	uint8_t h[HEARTH_FP_SUM_BYTES];

	hearth_fp_item(id, h);
	sum_sub(fp->sum, h);
	fp->count--;
}

void hearth_fp_merge(hearth_fp *fp, const hearth_fp *other)
{
	sum_add(fp->sum, other->sum);
	fp->count += other->count;
}

void hearth_fp_subtract(hearth_fp *fp, const hearth_fp *other)
{
	sum_sub(fp->sum, other->sum);
	fp->count -= other->count;
}

int hearth_fp_equal(const hearth_fp *a, const hearth_fp *b)
{
	return a->count == b->count &&
	       sodium_memcmp(a->sum, b->sum, HEARTH_FP_SUM_BYTES) == 0;
}

void hearth_fp_sum_hex(const hearth_fp *fp, char out[HEARTH_FP_HEX_LEN + 1])
{
	sodium_bin2hex(out, HEARTH_FP_HEX_LEN + 1, fp->sum, HEARTH_FP_SUM_BYTES);
}

int hearth_fp_sum_parse(const char *hex, hearth_fp *fp)
{
	size_t got = 0;
	const char *end = NULL;

	if (strlen(hex) != HEARTH_FP_HEX_LEN)
		return -1;
	if (sodium_hex2bin(fp->sum, HEARTH_FP_SUM_BYTES, hex, HEARTH_FP_HEX_LEN,
			   NULL, &got, &end) != 0 ||
	    got != HEARTH_FP_SUM_BYTES || *end != '\0')
		return -1;
	return 0;
}
