/*
 * textcode.c - short binary messages as checked Crockford base32 text
 * (see hearth/textcode.h).
 *
 * The bits of payload || check are taken most significant first, five to
 * a character; the last character is padded with zero bits.  Decoding
 * refuses a final character whose padding bits are not zero, so every
 * message has exactly one spelling (apart from case, separators and the
 * folded look-alikes).
 */
#include <ctype.h>
#include <strings.h>
#include <string.h>

#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/textcode.h"
#include "base32_private.h"

static const char alphabet[] = HEARTH_BASE32_ALPHABET;

#define GROUP 4u
#define BUF_MAX (HEARTH_TEXTCODE_PAYLOAD_MAX + HEARTH_TEXTCODE_CHECKBYTES)

static int prefix_ok(const char *prefix, size_t *plen)
{
	size_t n = prefix != NULL ? strlen(prefix) : 0;

	if (n == 0 || n > HEARTH_TEXTCODE_PREFIX_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)prefix[i]))
			return 0;
	*plen = n;
	return 1;
}

/* The check value over the prefix (upper case) and the payload. */
static void check_value(const char *prefix, size_t plen, const uint8_t *payload,
			size_t len, uint8_t out[HEARTH_TEXTCODE_CHECKBYTES])
{
	crypto_generichash_state h;
	uint8_t full[crypto_generichash_BYTES];
	uint8_t n = (uint8_t)plen;

	crypto_generichash_init(&h, NULL, 0, sizeof full);
	crypto_generichash_update(&h, &n, 1);
	for (size_t i = 0; i < plen; i++) {
		uint8_t c = (uint8_t)toupper((unsigned char)prefix[i]);

		crypto_generichash_update(&h, &c, 1);
	}
	crypto_generichash_update(&h, payload, len);
	crypto_generichash_final(&h, full, sizeof full);
	memcpy(out, full, HEARTH_TEXTCODE_CHECKBYTES);
}

static size_t chars_for(size_t bytes)
{
	return (bytes * 8 + 4) / 5;
}

size_t hearth_textcode_size(size_t plen, size_t len)
{
	size_t chars = chars_for(len + HEARTH_TEXTCODE_CHECKBYTES);

	/* prefix, then a dash before each group, then the NUL. */
	return plen + chars + (chars + GROUP - 1) / GROUP + 1;
}

hearth_status hearth_textcode_encode(const char *prefix, const uint8_t *payload,
				     size_t len, char *out, size_t cap)
{
	uint8_t buf[BUF_MAX];
	size_t plen, total, chars, o = 0;

	if (!prefix_ok(prefix, &plen))
		return hearth_fail(HEARTH_EINVAL, "bad code prefix");
	if ((payload == NULL && len > 0) || len > HEARTH_TEXTCODE_PAYLOAD_MAX)
		return hearth_fail(HEARTH_EINVAL, "code payload of %zu bytes is too long", len);
	if (out == NULL || cap < hearth_textcode_size(plen, len))
		return hearth_fail(HEARTH_EINVAL, "no room for the code");
	if (len > 0)
		memcpy(buf, payload, len);
	check_value(prefix, plen, payload, len, buf + len);
	total = len + HEARTH_TEXTCODE_CHECKBYTES;
	chars = chars_for(total);
	for (size_t i = 0; i < plen; i++)
		out[o++] = (char)toupper((unsigned char)prefix[i]);
	for (size_t i = 0; i < chars; i++) {
		if (i % GROUP == 0)
			out[o++] = '-';
		out[o++] = alphabet[hearth_base32_digit(buf, total, i)];
	}
	out[o] = '\0';
	sodium_memzero(buf, sizeof buf);
	return HEARTH_OK;
}

/* The 5-bit value of a typed character, -1 if it is none, -2 for a
 * separator. */
static int char_value(unsigned char ch)
{
	const char *p;

	if (ch == '-' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
		return -2;
	ch = (unsigned char)toupper(ch);
	if (ch == 'O')
		ch = '0';
	else if (ch == 'I' || ch == 'L')
		ch = '1';
	p = ch != '\0' ? strchr(alphabet, ch) : NULL;
	return p != NULL ? (int)(p - alphabet) : -1;
}

static hearth_status decode_fail(uint8_t *buf, uint8_t *out, size_t cap,
				 hearth_status st)
{
	sodium_memzero(buf, BUF_MAX);
	if (out != NULL && cap > 0)
		sodium_memzero(out, cap);
	return st;
}

hearth_status hearth_textcode_decode(const char *prefix, const char *text,
				     uint8_t *out, size_t cap, size_t *len)
{
	uint8_t buf[BUF_MAX], check[HEARTH_TEXTCODE_CHECKBYTES];
	size_t plen, n = 0, bytes;
	const char *p;

	if (len != NULL)
		*len = 0;
	if (!prefix_ok(prefix, &plen) || out == NULL || len == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot read a code: no place for it");
	memset(buf, 0, sizeof buf);
	p = text != NULL ? text : "";
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (strncasecmp(p, prefix, plen) != 0)
		return decode_fail(buf, out, cap, hearth_fail(HEARTH_EFORMAT,
			"this is not a code of this kind: it should start with %s", prefix));
	for (p += plen; *p != '\0'; p++) {
		int v = char_value((unsigned char)*p);
		size_t bit = n * 5;

		if (v == -2)
			continue;
		if (v < 0)
			return decode_fail(buf, out, cap, hearth_fail(HEARTH_EFORMAT,
				"the code has a character that is not in it (at position %zu)",
				(size_t)(p - text) + 1));
		if (chars_for(BUF_MAX) <= n)
			return decode_fail(buf, out, cap, hearth_fail(HEARTH_EFORMAT,
				"the code is too long"));
		buf[bit / 8] |= (uint8_t)((unsigned)v << 3 >> (bit % 8));
		if (bit % 8 > 3 && bit / 8 + 1 < BUF_MAX)
			buf[bit / 8 + 1] |= (uint8_t)((unsigned)v << (11 - bit % 8));
		n++;
	}
	bytes = n * 5 / 8;
	/* n characters must be the shortest spelling of bytes bytes, with the
	 * padding bits zero. */
	if (bytes < HEARTH_TEXTCODE_CHECKBYTES || chars_for(bytes) != n ||
	    (bytes < BUF_MAX && buf[bytes] != 0))
		return decode_fail(buf, out, cap, hearth_fail(HEARTH_EFORMAT,
			"the code is mistyped or incomplete: a character is missing or extra"));
	bytes -= HEARTH_TEXTCODE_CHECKBYTES;
	check_value(prefix, plen, buf, bytes, check);
	if (sodium_memcmp(check, buf + bytes, sizeof check) != 0)
		return decode_fail(buf, out, cap, hearth_fail(HEARTH_EFORMAT,
			"the code is mistyped: its check characters do not match"));
	if (bytes > cap)
		return decode_fail(buf, out, cap, hearth_fail(HEARTH_EFORMAT,
			"the code is too long"));
	memcpy(out, buf, bytes);
	*len = bytes;
	sodium_memzero(buf, sizeof buf);
	return HEARTH_OK;
}
