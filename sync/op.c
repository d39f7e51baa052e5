/*
 * op.c - an op's canonical encoding, its hash and the checks every op
 * passes, local or remote (see include/hearth/store.h and
 * docs/protocol.md, which specifies the encoding byte by byte).
 */
#include <string.h>

#include <sodium.h>

#include "op_private.h"

/* Marks a reason for translation: hearth_store_apply shows it as a word of
 * the library's own ("%-s"), which the local detail translates. */
#define N_(s) (s)

/* Domain separation: a hash of an op can never equal a hash of anything
 * else Hearth hashes. */
static const uint8_t op_magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'O', 'P' };

/* The bytes hashed go through a buffer: an op is hashed from a dozen short
 * pieces, and each update of the hash costs more than copying one. */
typedef struct hash_writer {
	crypto_generichash_state h;
	size_t n;
	uint8_t b[256];
} hash_writer;

static void put(hash_writer *w, const void *p, size_t n)
{
	if (w->n + n > sizeof w->b) {
		crypto_generichash_update(&w->h, w->b, w->n);
		w->n = 0;
		if (n > sizeof w->b) {
			crypto_generichash_update(&w->h, p, n);
			return;
		}
	}
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void put64(hash_writer *w, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * (7 - i)));
	put(w, b, sizeof b);
}

/* A missing text (only in an op hearth_op_check refuses) hashes as empty. */
static void put_text(hash_writer *w, const char *t)
{
	size_t n = t != NULL ? strlen(t) : 0;
	uint8_t b[4];

	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	put(w, b, sizeof b);
	if (n > 0)
		put(w, t, n);
}

static void hash_start(hash_writer *w, size_t outlen)
{
	crypto_generichash_init(&w->h, NULL, 0, outlen);
	w->n = 0;
}

static void hash_end(hash_writer *w, uint8_t *out, size_t outlen)
{
	crypto_generichash_update(&w->h, w->b, w->n);
	crypto_generichash_final(&w->h, out, outlen);
	sodium_memzero(w, sizeof *w);
}

void hearth_op_hash(const hearth_op *op, uint8_t out[HEARTH_OP_HASH_BYTES])
{
	hash_writer w;
	uint8_t version = HEARTH_OP_FORMAT, has_value = op->value != NULL;
	size_t i;

	hash_start(&w, HEARTH_OP_HASH_BYTES);
	put(&w, op_magic, sizeof op_magic);
	put(&w, &version, 1);
	put64(&w, op->id.device);
	put64(&w, op->id.seq);
	put(&w, op->hlc.b, sizeof op->hlc.b);
	put(&w, op->space.b, sizeof op->space.b);
	put(&w, op->record.b, sizeof op->record.b);
	put_text(&w, op->kind);
	put_text(&w, op->field);
	put(&w, &has_value, 1);
	if (has_value)
		put_text(&w, op->value);
	put64(&w, op->nprev);
	for (i = 0; i < op->nprev; i++) {
		put64(&w, op->prev[i].device);
		put64(&w, op->prev[i].seq);
	}
	hash_end(&w, out, HEARTH_OP_HASH_BYTES);
}

hearth_id hearth_op_record_id(const hearth_op *op)
{
	static const uint8_t magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'R', 'C' };
	hash_writer w;
	hearth_id id;

	hash_start(&w, HEARTH_ID_BYTES);
	put(&w, magic, sizeof magic);
	put64(&w, op->id.device);
	put64(&w, op->id.seq);
	put(&w, op->hlc.b, sizeof op->hlc.b);
	put(&w, op->space.b, sizeof op->space.b);
	put_text(&w, op->kind);
	hash_end(&w, id.b, sizeof id.b);
	return id;
}

void hearth_op_seal(hearth_op *op)
{
	hearth_op_hash(op, op->hash);
}

int hearth_utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned c = *s;
		size_t n, i;
		unsigned long cp;

		if (c < 0x80) {
			s++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		s += n + 1;
	}
	return 1;
}

int hearth_op_id_cmp(const hearth_op_id *a, const hearth_op_id *b)
{
	if (a->device != b->device)
		return a->device < b->device ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

/* 1 when t is a kind or field name: 1..HEARTH_OP_NAME_MAX bytes of UTF-8. */
static int name_ok(const char *t)
{
	return t != NULL && t[0] != '\0' && strlen(t) <= HEARTH_OP_NAME_MAX &&
		hearth_utf8_valid(t);
}

const char *hearth_op_check(const hearth_op *op)
{
	size_t i;

	if (op->id.device == 0 || op->id.seq == 0)
		return N_("has no device id or sequence number");
	if (hearth_hlc_device(&op->hlc) != op->id.device)
		return N_("has an HLC of another device");
	if (!name_ok(op->kind))
		return op->kind == NULL || op->kind[0] == '\0' ?
			N_("has no kind") : N_("has a malformed kind");
	if (!name_ok(op->field))
		return op->field == NULL || op->field[0] == '\0' ?
			N_("has no field name") : N_("has a malformed field name");
	if (op->value != NULL) {
		if (strlen(op->value) > HEARTH_OP_VALUE_MAX)
			return N_("has a value over the size limit");
		if (!hearth_utf8_valid(op->value))
			return N_("has a value that is not valid UTF-8");
	}
	if (op->field[0] == '_') {
		if (strcmp(op->field, HEARTH_FIELD_KIND) == 0) {
			if (op->value == NULL || strcmp(op->value, op->kind) != 0)
				return N_("creates a record of another kind than it names");
		} else if (strcmp(op->field, HEARTH_FIELD_DELETED) == 0) {
			if (op->value == NULL || strcmp(op->value, "1") != 0)
				return N_("undeletes a record");
		} else if (strcmp(op->field, HEARTH_FIELD_PURGED) == 0) {
			if (op->value == NULL || strcmp(op->value, "1") != 0)
				return N_("unpurges a record");
		} else {
			return N_("writes a reserved field name");
		}
	}
	if (op->nprev > HEARTH_OP_PREV_MAX)
		return N_("replaces too many values");
	if (op->nprev > 0 && op->prev == NULL)
		return N_("has no list of replaced values");
	for (i = 0; i < op->nprev; i++) {
		if (op->prev[i].device == 0 || op->prev[i].seq == 0)
			return N_("replaces a value with no id");
		if (i > 0 && hearth_op_id_cmp(&op->prev[i - 1], &op->prev[i]) >= 0)
			return N_("has replaced values out of order");
		/* A writer sees only what its device wrote before: an op
		 * replacing itself would be dead or live by the order ops
		 * arrive in. */
		if (op->prev[i].device == op->id.device && op->prev[i].seq >= op->id.seq)
			return N_("replaces an op its device had not written yet");
	}
	return NULL;
}

int hearth_op_hash_ok(const hearth_op *op)
{
	uint8_t h[HEARTH_OP_HASH_BYTES];

	hearth_op_hash(op, h);
	return sodium_memcmp(h, op->hash, sizeof h) == 0;
}

void hearth_op_prev_encode(const hearth_op_id *prev, size_t n, uint8_t *out)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		for (k = 0; k < 8; k++) {
			out[16 * i + k] = (uint8_t)(prev[i].device >> (8 * (7 - k)));
			out[16 * i + 8 + k] = (uint8_t)(prev[i].seq >> (8 * (7 - k)));
		}
}

size_t hearth_op_prev_decode(const uint8_t *in, size_t len, hearth_op_id *out,
			     size_t max)
{
	size_t n = len / 16, i;
	int k;

	if (len % 16 != 0 || n > max)
		return (size_t)-1;
	for (i = 0; i < n; i++) {
		out[i].device = out[i].seq = 0;
		for (k = 0; k < 8; k++) {
			out[i].device = out[i].device << 8 | in[16 * i + k];
			out[i].seq = out[i].seq << 8 | in[16 * i + 8 + k];
		}
	}
	return n;
}
