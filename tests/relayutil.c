/*
 * relayutil.c - the tests' client of the relay's HTTP API (relayutil.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/schema.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "relayutil.h"

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	relayutil_resp *r = ctx;
	unsigned char *v = realloc(r->body, r->len + size * n + 1);

	if (v == NULL)
		return 0;
	r->body = v;
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name), v;

	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	line += k + 1;
	n -= k + 1;
	while (n > 0 && *line == ' ')
		line++, n--;
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	v = n < cap - 1 ? n : cap - 1;
	memcpy(out, line, v);
	out[v] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	relayutil_resp *r = ctx;

	header_value(p, size * n, "Hearth-Store", r->store, sizeof r->store);
	header_value(p, size * n, "Hearth-More", r->more, sizeof r->more);
	header_value(p, size * n, "Hearth-Next", r->next, sizeof r->next);
	header_value(p, size * n, "Hearth-Max-Seq", r->max_seq, sizeof r->max_seq);
	header_value(p, size * n, "Retry-After", r->retry, sizeof r->retry);
	return size * n;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

void relayutil_sign(struct curl_slist **hdrs, const char *method, const char *pq,
		    const uint8_t *body, size_t len, const relayutil_signer *sg)
{
	char line[256], tbuf[32], nbuf[33], dbuf[17], hhex[65], sig[129], *text;
	uint8_t hash[32], nonce[16], s[64];
	int n;

	snprintf(tbuf, sizeof tbuf, "%lld", (long long)time(NULL) + (long long)sg->skew);
	randombytes_buf(nonce, sizeof nonce);
	hex(nonce, sizeof nonce, nbuf);
	if (sg->nonce != NULL)
		snprintf(nbuf, sizeof nbuf, "%s", sg->nonce);
	snprintf(dbuf, sizeof dbuf, "%016llx", (unsigned long long)sg->device);
	crypto_generichash(hash, sizeof hash, body, body != NULL ? len : 0, NULL, 0);
	hex(hash, sizeof hash, hhex);
	n = asprintf(&text, "hearth relay request v1\n%s\n%s%s\n%s\n%s\n%s\n%s", method, pq,
		     sg->broken ? "x" : "", hhex, tbuf, nbuf, dbuf);
	if (n < 0)
		abort();
	crypto_sign_detached(s, NULL, (const uint8_t *)text, (size_t)n, sg->sk);
	free(text);
	hex(s, sizeof s, sig);
	snprintf(line, sizeof line, "Hearth-Device: %s", dbuf);
	*hdrs = curl_slist_append(*hdrs, line);
	snprintf(line, sizeof line, "Hearth-Time: %s", tbuf);
	*hdrs = curl_slist_append(*hdrs, line);
	snprintf(line, sizeof line, "Hearth-Nonce: %s", nbuf);
	*hdrs = curl_slist_append(*hdrs, line);
	snprintf(line, sizeof line, "Hearth-Signature: %s", sig);
	*hdrs = curl_slist_append(*hdrs, line);
}

CURLcode relayutil_http(CURL *c, const char *base, const char *method, const char *pq,
			const uint8_t *body, size_t len, const relayutil_signer *sg,
			relayutil_resp *out)
{
	struct curl_slist *hdrs = NULL;
	CURL *own = c == NULL ? curl_easy_init() : NULL;
	char url[1024];
	CURLcode rc;

	memset(out, 0, sizeof *out);
	if (c == NULL && (c = own) == NULL)
		return CURLE_OUT_OF_MEMORY;
	snprintf(url, sizeof url, "%s%s", base, pq);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (sg != NULL)
		relayutil_sign(&hdrs, method, pq, body, len, sg);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(own);
	return rc;
}

void relayutil_resp_free(relayutil_resp *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}

uint8_t *relayutil_frame(uint8_t *const *v, const size_t *len, size_t from, size_t to,
			 size_t *out_len)
{
	size_t i, n = 0;
	uint8_t *b, *p;

	for (i = from; i < to; i++)
		n += 4 + len[i];
	if ((b = malloc(n ? n : 1)) == NULL)
		abort();
	for (p = b, i = from; i < to; i++) {
		p[0] = (uint8_t)(len[i] >> 24);
		p[1] = (uint8_t)(len[i] >> 16);
		p[2] = (uint8_t)(len[i] >> 8);
		p[3] = (uint8_t)len[i];
		memcpy(p + 4, v[i], len[i]);
		p += 4 + len[i];
	}
	*out_len = n;
	return b;
}

int relayutil_team_bundle(const char *path, long persons, uint64_t *device,
			  uint8_t sk[64], char space_hex[33])
{
	hearth_vault_trust *vt = NULL;
	hearth_device_key *k = NULL;
	hearth_store *s = NULL;
	hearth_id space, rec;
	hearth_status st;
	sqlite3 *db = NULL;
	char name[32];
	long i;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	if ((st = hearth_schema_migrate(db, hearth_schema_latest())) != HEARTH_OK ||
	    (st = hearth_store_open(db, NULL, &s)) != HEARTH_OK ||
	    (st = hearth_devices_ensure(s, NULL)) != HEARTH_OK ||
	    (st = hearth_device_key_load(s, &k, NULL)) != HEARTH_OK ||
	    (st = hearth_space_create(s, "Bench team", &space)) != HEARTH_OK ||
	    (st = hearth_vault_trust_open(s, &vt)) != HEARTH_OK)
		goto out;
	for (i = 0; i < persons && st == HEARTH_OK; i++) {
		snprintf(name, sizeof name, "Person %ld", i);
		if ((st = hearth_record_create(s, &space, "person", &rec)) == HEARTH_OK &&
		    (st = hearth_record_set(s, &rec, "name", name)) == HEARTH_OK)
			st = hearth_sync_seal(s, hearth_vault_trust_get(vt), &space,
					      hearth_device_key_secret(k), NULL);
	}
	if (st == HEARTH_OK)
		st = hearth_offline_export(s, NULL, &space, 0, path, NULL);
	if (st == HEARTH_OK) {
		*device = hearth_store_device(s);
		memcpy(sk, hearth_device_key_secret(k), 64);
		sodium_bin2hex(space_hex, 33, space.b, 16);
	}
out:
	if (st != HEARTH_OK)
		fprintf(stderr, "relayutil: a team bundle: %s (%s)\n", hearth_strerror(st),
			hearth_errdetail());
	hearth_vault_trust_free(vt);
	hearth_device_key_free(k);
	hearth_store_close(s);
	sqlite3_close(db);
	return st == HEARTH_OK ? 0 : -1;
}
