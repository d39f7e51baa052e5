/*
 * relay_pusher.c - the helper of tests/scripts/relay_kill.sh and of the
 * relay bench (test-only):
 *
 *   relay_pusher gen DIR N       a lead's vault (in memory) makes a space
 *                                and N envelopes of one person each;
 *                                writes DIR/control, DIR/data (request
 *                                framing), DIR/signer, DIR/space
 *   relay_pusher push DIR PORT   registers the space, then pushes the data
 *                                envelopes three to a request; after each
 *                                answer, appends the ids the relay said it
 *                                holds (stored or held) to DIR/acked.
 *                                Exit 3 when the relay goes away.
 *   relay_pusher check DIR PORT  fetches every id in DIR/acked: exit 0 if
 *                                the relay holds each, 1 naming the first
 *                                one missing.
 *   relay_pusher sign DIR PQ N   prints N signatures of GET PQ by the lead's
 *                                device, each with a fresh nonce, one per
 *                                line: "TIME NONCE SIGNATURE" (for
 *                                tests/bench/relay_wrk.lua), and the device
 *                                id on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "hearth/devices.h"
#include "hearth/envelope.h"
#include "hearth/offline.h"
#include "hearth/schema.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "../relayutil.h"

#define CHECK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) { \
		fprintf(stderr, "relay_pusher: %s: %s\n", #call, hearth_errdetail()); \
		exit(2); \
	} \
} while (0)

typedef struct blob {
	uint8_t *b;
	size_t len;
} blob;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "relay_pusher: %s '%s'\n", what, path);
	exit(2);
}

static blob slurp(const char *dir, const char *name)
{
	char path[1024];
	blob r = { NULL, 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		die("cannot read", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	r.b = malloc((size_t)n + 1);
	if (r.b == NULL || fread(r.b, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	r.b[n] = 0;
	r.len = (size_t)n;
	fclose(f);
	return r;
}

static void spit(const char *dir, const char *name, const void *b, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(b, 1, len, f) != len || fclose(f) != 0)
		die("cannot write", path);
}

static void put_frame(FILE *f, const uint8_t *env, size_t len)
{
	uint8_t h[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			 (uint8_t)len };

	fwrite(h, 1, 4, f);
	fwrite(env, 1, len, f);
}

static int gen(const char *dir, long n)
{
	hearth_bundle_reader *rd;
	hearth_envelope_info info;
	const uint8_t *env;
	uint8_t signer[8 + 64];
	char path[1024], hex[33];
	FILE *bf, *cf, *df;
	uint64_t dev;
	size_t len;
	int i;

	snprintf(path, sizeof path, "%s/all.bundle", dir);
	if (relayutil_team_bundle(path, n, &dev, signer + 8, hex) != 0)
		return 2;
	for (i = 0; i < 8; i++)
		signer[i] = (uint8_t)(dev >> (8 * (7 - i)));
	spit(dir, "signer", signer, sizeof signer);
	spit(dir, "space", hex, 32);
	if ((bf = fopen(path, "rb")) == NULL)
		die("cannot read", path);
	snprintf(path, sizeof path, "%s/control", dir);
	cf = fopen(path, "wb");
	snprintf(path, sizeof path, "%s/data", dir);
	df = fopen(path, "wb");
	if (cf == NULL || df == NULL)
		die("cannot write", path);
	CHECK(hearth_bundle_reader_open(bf, &rd));
	while (hearth_bundle_reader_next(rd, &env, &len) == HEARTH_OK && env != NULL) {
		CHECK(hearth_envelope_peek(env, len, &info));
		put_frame(info.epoch == 0 ? cf : df, env, len);
	}
	hearth_bundle_reader_free(rd);
	fclose(bf);
	if (fclose(cf) != 0 || fclose(df) != 0)
		die("cannot write", path);
	return 0;
}

typedef struct ctx {
	char base[64], space[33];
	uint8_t sk[64];
	relayutil_signer sg;
	CURL *c;
} ctx;

static void ctx_open(ctx *x, const char *dir, const char *port)
{
	blob s = slurp(dir, "signer"), sp = slurp(dir, "space");
	int i;

	if (s.len != 72 || sp.len != 32)
		die("damaged", dir);
	memset(x, 0, sizeof *x);
	snprintf(x->base, sizeof x->base, "http://127.0.0.1:%s", port);
	memcpy(x->space, sp.b, 32);
	for (i = 0; i < 8; i++)
		x->sg.device = x->sg.device << 8 | s.b[i];
	memcpy(x->sk, s.b + 8, 64);
	x->sg.sk = x->sk;
	x->c = curl_easy_init();
	free(s.b);
	free(sp.b);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int push(const char *dir, const char *port)
{
	blob control = slurp(dir, "control"), data = slurp(dir, "data");
	char pq[128], path[1024];
	relayutil_resp r;
	size_t off = 0;
	FILE *acked;
	int rc = 0;
	ctx x;

	ctx_open(&x, dir, port);
	snprintf(path, sizeof path, "%s/acked", dir);
	if ((acked = fopen(path, "a")) == NULL)
		die("cannot write", path);
	snprintf(pq, sizeof pq, "/v1/spaces/%s", x.space);
	if (relayutil_http(x.c, x.base, "PUT", pq, control.b, control.len, &x.sg, &r) != CURLE_OK) {
		rc = 3;
		goto out;
	}
	if (r.status != 200 && r.status != 201) {
		fprintf(stderr, "relay_pusher: register: %ld %s\n", r.status, r.body);
		rc = 2;
		goto out;
	}
	relayutil_resp_free(&r);
	snprintf(pq, sizeof pq, "/v1/spaces/%s/envelopes", x.space);
	while (off < data.len) {
		size_t end = off, k;
		json_t *j, *v;

		for (k = 0; k < 3 && end < data.len; k++)
			end += 4 + get32(data.b + end);
		if (relayutil_http(x.c, x.base, "POST", pq, data.b + off, end - off, &x.sg,
				   &r) != CURLE_OK) {
			rc = 3; /* the relay went away: what it acknowledged is written */
			goto out;
		}
		if (r.status != 200) {
			fprintf(stderr, "relay_pusher: push: %ld %s\n", r.status, r.body);
			rc = 2;
			goto out;
		}
		j = json_loadb((const char *)r.body, r.len, 0, NULL);
		json_array_foreach(json_object_get(j, "results"), k, v) {
			const char *st = json_string_value(json_object_get(v, "status"));

			if (st != NULL && (strcmp(st, "stored") == 0 || strcmp(st, "held") == 0))
				fprintf(acked, "%s\n", json_string_value(json_object_get(v, "id")));
		}
		fflush(acked);
		json_decref(j);
		relayutil_resp_free(&r);
		off = end;
	}
out:
	relayutil_resp_free(&r);
	fclose(acked);
	curl_easy_cleanup(x.c);
	free(control.b);
	free(data.b);
	return rc;
}

static int check(const char *dir, const char *port)
{
	blob acked = slurp(dir, "acked");
	char pq[128], *save = NULL, *line, id[65];
	size_t n = 0, missing = 0;
	json_t *ids = json_array();
	ctx x;

	ctx_open(&x, dir, port);
	snprintf(pq, sizeof pq, "/v1/spaces/%s/fetch", x.space);
	for (line = strtok_r((char *)acked.b, "\n", &save); ; line = strtok_r(NULL, "\n", &save)) {
		if (line != NULL)
			json_array_append_new(ids, json_string(line));
		if (json_array_size(ids) == 256 || (line == NULL && json_array_size(ids) > 0)) {
			json_t *body = json_pack("{s:o}", "ids", ids);
			char *text = json_dumps(body, JSON_COMPACT);
			relayutil_resp r;
			size_t off = 0, got = 0, want = json_array_size(ids);

			if (relayutil_http(x.c, x.base, "POST", pq, (uint8_t *)text, strlen(text),
					   &x.sg, &r) != CURLE_OK || r.status != 200) {
				fprintf(stderr, "relay_pusher: fetch failed (%ld)\n", r.status);
				return 2;
			}
			while (off + 12 <= r.len) {
				uint8_t h[32];

				hearth_envelope_id(r.body + off + 12, get32(r.body + off + 8), h);
				sodium_bin2hex(id, sizeof id, h, 32);
				off += 12 + get32(r.body + off + 8);
				/* Only what was asked for, and whole. */
				got += strstr(text, id) != NULL;
			}
			if (got != want) {
				fprintf(stderr, "relay_pusher: %zu of %zu acknowledged envelopes are "
					"missing\n", want - got, want);
				missing += want - got;
			}
			n += want;
			relayutil_resp_free(&r);
			free(text);
			json_decref(body);
			ids = json_array();
		}
		if (line == NULL)
			break;
	}
	json_decref(ids);
	curl_easy_cleanup(x.c);
	free(acked.b);
	printf("relay_pusher: %zu acknowledged, %zu missing\n", n, missing);
	return missing ? 1 : 0;
}

static int sign(const char *dir, const char *pq, long n)
{
	struct curl_slist *h, *i;
	long k;
	ctx x;

	ctx_open(&x, dir, "0");
	fprintf(stderr, "%016llx\n", (unsigned long long)x.sg.device);
	for (k = 0; k < n; k++) {
		const char *t = "", *no = "", *sg = "";

		h = NULL;
		relayutil_sign(&h, "GET", pq, NULL, 0, &x.sg);
		for (i = h; i != NULL; i = i->next) {
			if (strncmp(i->data, "Hearth-Time: ", 13) == 0)
				t = i->data + 13;
			else if (strncmp(i->data, "Hearth-Nonce: ", 14) == 0)
				no = i->data + 14;
			else if (strncmp(i->data, "Hearth-Signature: ", 18) == 0)
				sg = i->data + 18;
		}
		printf("%s %s %s\n", t, no, sg);
		curl_slist_free_all(h);
	}
	curl_easy_cleanup(x.c);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (sodium_init() < 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		rc = gen(argv[2], atol(argv[3]));
	else if (argc == 4 && strcmp(argv[1], "push") == 0)
		rc = push(argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[1], "check") == 0)
		rc = check(argv[2], argv[3]);
	else if (argc == 5 && strcmp(argv[1], "sign") == 0)
		rc = sign(argv[2], argv[3], atol(argv[4]));
	else
		fprintf(stderr, "usage: relay_pusher gen DIR N | push DIR PORT | check DIR PORT | "
			"sign DIR PQ N\n");
	curl_global_cleanup();
	return rc;
}
