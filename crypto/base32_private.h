/*
 * base32_private.h - Crockford's base32 digits, shared by the recovery
 * code (recovery.c) and text codes (textcode.c).
 */
#ifndef HEARTH_BASE32_PRIVATE_H
#define HEARTH_BASE32_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* The digits and the capital letters without I, L, O and U. */
#define HEARTH_BASE32_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* The i-th 5-bit digit of b[0..len), bits taken most significant first,
 * zero bits past the end. */
static inline unsigned hearth_base32_digit(const uint8_t *b, size_t len, size_t i)
{
	size_t bit = i * 5;
	unsigned v = (unsigned)b[bit / 8] << 8;

	if (bit / 8 + 1 < len)
		v |= b[bit / 8 + 1];
	return (v >> (11 - bit % 8)) & 31u;
}

#endif /* HEARTH_BASE32_PRIVATE_H */
