/*
 * hearth/textcode.h - a short binary message as text a person can copy,
 * read aloud or type: a device link code, an invitation.
 *
 *   PREFIX-XXXX-XXXX-...-XXXX
 *
 * PREFIX names what the code is for (letters and digits, e.g. "HL1"); the
 * groups are the payload and a 4-byte check value in Crockford's base32
 * (the digits and the capital letters without I, L, O and U), four
 * characters to a group.  The check value is the first 4 bytes of
 * BLAKE2b-256 over the prefix and the payload, so a mistyped character, a
 * dropped group or a code meant for something else is refused before
 * anything is done with it.  It detects mistakes; it does not authenticate
 * anyone (what a code carries is checked by its user: fingerprints,
 * signatures).
 *
 * On input, case does not matter, dashes, spaces and line breaks may go
 * anywhere, O reads as 0 and I or L as 1.
 */
#ifndef HEARTH_TEXTCODE_H
#define HEARTH_TEXTCODE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HEARTH_TEXTCODE_CHECKBYTES 4u
/* Most payload bytes a code carries: longer messages travel as files. */
#define HEARTH_TEXTCODE_PAYLOAD_MAX 256u
#define HEARTH_TEXTCODE_PREFIX_MAX 8u

/* The characters (with the final NUL) that hearth_textcode_encode writes
 * for a payload of len bytes under a prefix of plen characters. */
size_t hearth_textcode_size(size_t plen, size_t len);

/* Writes the code for payload[0..len) under prefix into out, which has
 * room for hearth_textcode_size(strlen(prefix), len) characters.
 * HEARTH_EINVAL (a prefix that is empty, too long or not letters and
 * digits; a payload over HEARTH_TEXTCODE_PAYLOAD_MAX; out too small). */
hearth_status hearth_textcode_encode(const char *prefix, const uint8_t *payload,
				     size_t len, char *out, size_t cap) HEARTH_WUR;

/* Reads a code of the given prefix from text into out (cap bytes),
 * setting *len.  HEARTH_EFORMAT with a detail: not a code of this kind
 * (another prefix), a character that is not in the alphabet (with its
 * position), a payload longer than cap, or a check value that does not
 * match ("mistyped").  out is wiped on failure. */
hearth_status hearth_textcode_decode(const char *prefix, const char *text,
				     uint8_t *out, size_t cap, size_t *len) HEARTH_WUR;

#ifdef __cplusplus
}
#endif

#endif /* HEARTH_TEXTCODE_H */
