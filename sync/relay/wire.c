/*
 * wire.c - the request parsers of the relay (wire.h).  Everything here
 * reads untrusted bytes: lengths are checked before they are used, and
 * the JSON bodies go through jansson with a size cap before parsing.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "wire.h"

static const char sign_label[] = "hearth relay request v1\n";

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

int relay_frames_parse(const uint8_t *body, size_t len, relay_frame_cb cb, void *ctx)
{
	size_t off = 0;
	int pass, rc;

	/* Pass 0 checks the framing of the whole body, pass 1 calls cb. */
	for (pass = 0; pass < 2; pass++) {
		for (off = 0; off < len;) {
			uint32_t l;

			if (len - off < 4)
				return -1;
			l = get32(body + off);
			off += 4;
			if (l == 0 || l > len - off)
				return -1;
			if (pass == 1 && (rc = cb(body + off, l, ctx)) != 0)
				return rc;
			off += l;
		}
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int relay_hex_parse(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (s == NULL || strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void relay_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int relay_u64_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int relay_auth_parse(const char *device, const char *time, const char *nonce,
		     const char *sig, relay_auth *out, const char **why)
{
	uint8_t dev[8];
	uint64_t t;
	int i;

	memset(out, 0, sizeof *out);
	if (device == NULL || time == NULL || nonce == NULL || sig == NULL) {
		*why = "the request is not signed (Hearth-Device, Hearth-Time, "
		       "Hearth-Nonce and Hearth-Signature are required)";
		return -1;
	}
	if (relay_hex_parse(device, dev, sizeof dev) != 0) {
		*why = "Hearth-Device is not 16 lowercase hex digits";
		return -1;
	}
	if (relay_u64_parse(time, &t) != 0 || t > (uint64_t)INT64_MAX) {
		*why = "Hearth-Time is not a decimal number of seconds";
		return -1;
	}
	if (relay_hex_parse(nonce, out->nonce, RELAY_NONCE_BYTES) != 0) {
		*why = "Hearth-Nonce is not 32 lowercase hex digits";
		return -1;
	}
	if (relay_hex_parse(sig, out->sig, RELAY_SIG_BYTES) != 0) {
		*why = "Hearth-Signature is not 128 lowercase hex digits";
		return -1;
	}
	for (i = 0; i < 8; i++)
		out->device = out->device << 8 | dev[i];
	out->time = (int64_t)t;
	out->device_text = device;
	out->time_text = time;
	out->nonce_text = nonce;
	return 0;
}

char *relay_signing_text(const char *method, const char *path_and_query,
			 const uint8_t *body, size_t body_len, const char *time,
			 const char *nonce, const char *device, size_t *len)
{
	uint8_t h[32];
	char hex[65];
	size_t n;
	char *s;

	crypto_generichash(h, sizeof h, body, body_len, NULL, 0);
	relay_hex(h, sizeof h, hex);
	n = strlen(sign_label) + strlen(method) + 1 + strlen(path_and_query) + 1 +
		64 + 1 + strlen(time) + 1 + strlen(nonce) + 1 + strlen(device);
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	snprintf(s, n + 1, "%s%s\n%s\n%s\n%s\n%s\n%s", sign_label, method, path_and_query,
		 hex, time, nonce, device);
	*len = n;
	return s;
}

int relay_auth_verify(const relay_auth *a, const char *method, const char *path_and_query,
		      const uint8_t *body, size_t body_len, const uint8_t pk[32])
{
	size_t n;
	char *text = relay_signing_text(method, path_and_query, body, body_len,
					a->time_text, a->nonce_text, a->device_text, &n);
	int ok;

	if (text == NULL)
		return 0;
	ok = crypto_sign_verify_detached(a->sig, (const uint8_t *)text, n, pk) == 0;
	free(text);
	return ok;
}

/* The JSON object of a body, or NULL with *why. */
static json_t *body_json(const uint8_t *body, size_t len, const char **why)
{
	json_t *j;

	j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		*why = "the body is not a JSON object";
		return NULL;
	}
	return j;
}

int relay_reconcile_parse(const uint8_t *body, size_t len, uint8_t want[256],
			  int *ids, const char **why)
{
	json_t *j = body_json(body, len, why), *list, *v;
	size_t i, max;
	int rc = -1;

	memset(want, 0, 256);
	*ids = 0;
	if (j == NULL)
		return -1;
	if (json_object_size(j) != 1) {
		*why = "the body must hold exactly one of \"buckets\" and \"ids_of\"";
		goto out;
	}
	if ((list = json_object_get(j, "buckets")) == NULL) {
		list = json_object_get(j, "ids_of");
		*ids = 1;
	}
	if (list == NULL || !json_is_array(list)) {
		*why = "the body must hold exactly one of \"buckets\" and \"ids_of\", a list";
		goto out;
	}
	max = *ids ? RELAY_IDS_OF_MAX : 256;
	if (json_array_size(list) > max || (*ids && json_array_size(list) == 0)) {
		*why = *ids ? "\"ids_of\" holds 1 to 16 buckets" : "\"buckets\" holds at most 256 numbers";
		goto out;
	}
	json_array_foreach(list, i, v) {
		json_int_t b;

		if (!json_is_integer(v) || (b = json_integer_value(v)) < 0 || b > 255) {
			*why = "a bucket is a number from 0 to 255";
			goto out;
		}
		want[b] = 1;
	}
	if (!*ids && json_array_size(list) == 0)
		memset(want, 1, 256);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

int relay_fetch_parse(const uint8_t *body, size_t len,
		      uint8_t ids[RELAY_FETCH_MAX][RELAY_ID_BYTES], size_t *n,
		      const char **why)
{
	json_t *j = body_json(body, len, why), *list, *v;
	size_t i;
	int rc = -1;

	*n = 0;
	if (j == NULL)
		return -1;
	list = json_object_get(j, "ids");
	if (json_object_size(j) != 1 || list == NULL || !json_is_array(list)) {
		*why = "the body must be {\"ids\":[...]}";
		goto out;
	}
	if (json_array_size(list) > RELAY_FETCH_MAX) {
		*why = "at most 256 ids in one fetch";
		goto out;
	}
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) || relay_hex_parse(json_string_value(v), ids[i],
							  RELAY_ID_BYTES) != 0) {
			*why = "an id is 64 lowercase hex digits";
			goto out;
		}
	}
	*n = json_array_size(list);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

int relay_pull_query_parse(const char *query, uint64_t *after, size_t *limit,
			   int *control_only, const char **why)
{
	char buf[256], *save = NULL, *kv;
	int have_after = 0;
	uint64_t v;

	*after = 0;
	*limit = RELAY_PAGE_MAX;
	*control_only = 0;
	if (query == NULL || strlen(query) >= sizeof buf) {
		*why = query == NULL ? "after=N is required" : "the query is too long";
		return -1;
	}
	strcpy(buf, query);
	for (kv = strtok_r(buf, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq == NULL) {
			*why = "a query parameter has no value";
			return -1;
		}
		*eq++ = '\0';
		if (strcmp(kv, "after") == 0 && !have_after) {
			if (relay_u64_parse(eq, after) != 0) {
				*why = "after is not a decimal number";
				return -1;
			}
			have_after = 1;
		} else if (strcmp(kv, "limit") == 0) {
			if (relay_u64_parse(eq, &v) != 0 || v == 0) {
				*why = "limit is not a positive decimal number";
				return -1;
			}
			*limit = v < RELAY_PAGE_MAX ? (size_t)v : RELAY_PAGE_MAX;
		} else if (strcmp(kv, "plane") == 0 && strcmp(eq, "control") == 0) {
			*control_only = 1;
		} else {
			*why = "unknown query parameter (after, limit and plane=control are known)";
			return -1;
		}
	}
	if (!have_after) {
		*why = "after=N is required";
		return -1;
	}
	return 0;
}
