/*
 * recovery.c - recovery codes: 160 random bits a person writes on paper.
 *
 * The alphabet is Crockford's base32: the digits and the capital letters
 * without I, L, O and U, so nothing on paper reads as two letters.  On
 * input the look-alikes are folded back (O to 0, I and L to 1), case is
 * ignored, and spaces and dashes may go anywhere.  U is not folded: it is
 * not in the alphabet and stands for no digit, so it is refused.
 *
 * The decoded code is secret: it lives only in the caller's buffer (secret
 * memory in the vault) and in registers.  Decoding avoids lookups and exits
 * that depend on the digits, apart from its refusal of bad input (a typed
 * code is local input, so this is care rather than a defence).
 */
#include <string.h>

#include "hearth/crypto.h"
#include "base32_private.h"
#include "keyfile_private.h"

static const char alphabet[] = HEARTH_BASE32_ALPHABET;

/* The 5-bit value of a typed character, or -1 (-2 for a separator). */
static int char_value(unsigned char ch)
{
	if (ch == '-' || ch == ' ' || ch == '\t')
		return -2;
	if (ch >= 'a' && ch <= 'z')
		ch = (unsigned char)(ch - 'a' + 'A');
	if (ch == 'O')
		ch = '0';
	else if (ch == 'I' || ch == 'L')
		ch = '1';
	int found = -1;

	/* No early exit: the time taken does not depend on which digit it
	 * is. */
	for (int i = 0; i < 32; i++)
		found = alphabet[i] == (char)ch ? i : found;
	return found;
}

void hearth_recovery_encode(char code[HEARTH_RECOVERY_CODE_LEN + 1],
			    const uint8_t raw[HEARTH_RECOVERY_BYTES])
{
	size_t out = 0;

	/* 160 bits = 32 five-bit digits, taken most significant first. */
	for (size_t i = 0; i < HEARTH_RECOVERY_CHARS; i++) {
		if (i > 0 && i % 4 == 0)
			code[out++] = '-';
		code[out++] = alphabet[hearth_base32_digit(raw, HEARTH_RECOVERY_BYTES, i)];
	}
	code[out] = '\0';
}

hearth_status hearth_recovery_decode(uint8_t raw[HEARTH_RECOVERY_BYTES],
				     const char *code)
{
	size_t n = 0, bit;

	memset(raw, 0, HEARTH_RECOVERY_BYTES);
	if (code == NULL)
		return hearth_fail(HEARTH_EPASSPHRASE, "no recovery code given");
	for (const char *p = code; *p != '\0'; p++) {
		int v = char_value((unsigned char)*p);

		if (v == -2)
			continue;
		if (v < 0) {
			hearth_wipe(raw, HEARTH_RECOVERY_BYTES);
			/* The offending character is not secret on its own, but
			 * it is not echoed either: it may be a typo of one that
			 * is. */
			return hearth_fail(HEARTH_EPASSPHRASE,
					   "recovery code has a character that is not in it "
					   "(at position %zu)", (size_t)(p - code) + 1);
		}
		if (n == HEARTH_RECOVERY_CHARS) {
			hearth_wipe(raw, HEARTH_RECOVERY_BYTES);
			return hearth_fail(HEARTH_EPASSPHRASE,
					   "recovery code is too long: it has %u characters",
					   HEARTH_RECOVERY_CHARS);
		}
		bit = n * 5;
		/* Spread the 5 bits over one or two bytes. */
		raw[bit / 8] |= (uint8_t)((unsigned)v << 3 >> (bit % 8));
		if (bit % 8 > 3)
			raw[bit / 8 + 1] |= (uint8_t)((unsigned)v << (11 - bit % 8));
		n++;
	}
	if (n != HEARTH_RECOVERY_CHARS) {
		hearth_wipe(raw, HEARTH_RECOVERY_BYTES);
		return hearth_fail(HEARTH_EPASSPHRASE,
				   "recovery code is too short: it has %u characters",
				   HEARTH_RECOVERY_CHARS);
	}
	return HEARTH_OK;
}
