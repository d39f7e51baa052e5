/*
 * transport.c - signed HTTP requests to a relay over libcurl
 * (transport.h; docs/protocol.md §13 request signing, §14 the client).
 *
 * TLS: the relay's certificate is verified against the system's CA store
 * or a CA file; with a pin, libcurl checks the SHA-256 of the
 * certificate's public key (CURLOPT_PINNEDPUBLICKEY) and nothing else:
 * chain and host name checks are off, since a LAN relay's certificate is
 * self-signed and its address is whatever the meeting's Wi-Fi gave it.
 * The pin is checked before any request byte is sent, so a relay that
 * does not hold the pinned key never sees a signed request.
 *
 * Plain http is allowed only to a loopback address: tests, and a relay
 * behind a TLS proxy on the same host.
 *
 * Each attempt is signed anew (time and nonce change), because a relay
 * refuses a nonce it has seen: a retried request is a new request.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "hearth/crypto.h"
#include "transport.h"

#define N_(s) (s)

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 120000L
#define DEFAULT_ATTEMPTS 6u
#define DEFAULT_BACKOFF_MS 250u
#define BACKOFF_MAX_MS 30000u
/* A response body larger than this is refused: a page is at most 1 MiB
 * of envelopes plus framing, each envelope at most HEARTH_ENVELOPE_MAX. */
#define RESPONSE_MAX (HEARTH_ENVELOPE_MAX + 2u * HEARTH_RELAY_BODY_MAX)

struct hearth_transport {
	CURL *curl;
	char *url;      /* base, no trailing slash */
	char *cacert;
	char *pin;      /* "sha256//..." */
	long connect_ms, timeout_ms;
	unsigned attempts, backoff_ms;
	const hearth_relay_hooks *hooks;
	uint64_t device;
	const uint8_t *sk;
	uint64_t round_trips, sent, received;
	/* Seconds added to this device's clock to sign requests: the relay's
	 * time minus ours, once a relay has refused our time (§13.3). */
	int64_t skew;
	int skew_taken;
};

static int curl_ready;

static hearth_status global_init(void)
{
	/* libcurl's global init is not thread-safe before 7.84; the library
	 * is first used from the thread that starts syncing. */
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return hearth_fail(HEARTH_ENET, "cannot reach relay: %-s",
					   N_("libcurl failed to start"));
		curl_ready = 1;
	}
	return HEARTH_OK;
}

/* ---- options -------------------------------------------------------------- */

/* 1 when host (as libcurl parsed it, IPv6 without brackets) is loopback. */
static int host_is_loopback(const char *host)
{
	unsigned a, b, c, d;
	char tail;

	if (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0)
		return 1;
	return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
		b < 256 && c < 256 && d < 256;
}

static hearth_status check_url(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *query = NULL;
	hearth_status st = HEARTH_OK;

	if (u == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot reach relay"));
	if (url == NULL || *url == '\0')
		st = hearth_fail(HEARTH_EINVAL, "relay URL '%s': %-s", "",
				 N_("no relay given"));
	else if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
		 curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		 curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		st = hearth_fail(HEARTH_EINVAL, "relay URL '%s': %-s", url,
				 N_("not a URL (give https://host:port)"));
	else if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0)
		st = hearth_fail(HEARTH_EINVAL, "relay URL '%s': %-s", url,
				 N_("only https:// (or http:// to this computer) is allowed"));
	else if (strcmp(scheme, "http") == 0 && !host_is_loopback(host))
		st = hearth_fail(HEARTH_EINVAL, "relay URL '%s': %-s", url,
				 N_("plain http is only allowed to this computer: use https://"));
	else if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK)
		st = hearth_fail(HEARTH_EINVAL, "relay URL '%s': %-s", url,
				 N_("a relay URL has no query"));
	curl_free(scheme);
	curl_free(host);
	curl_free(query);
	curl_url_cleanup(u);
	return st;
}

/* The pin as libcurl takes it: "sha256//BASE64" kept, 64 hex digits
 * turned into it.  NULL and a detail when malformed. */
static char *pin_form(const char *pin)
{
	uint8_t raw[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	char *out;

	size_t n;

	/* One key: 32 bytes of standard base64 (44 characters). */
	if (strncmp(pin, "sha256//", 8) == 0) {
		if (strlen(pin + 8) != 44 ||
		    sodium_base642bin(raw, sizeof raw, pin + 8, 44, NULL, &n, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 || n != 32)
			goto bad;
		return strdup(pin);
	}
	if (strlen(pin) == 64 && hearth_hex_decode(raw, sizeof raw, pin) == HEARTH_OK) {
		sodium_bin2base64(b64, sizeof b64, raw, sizeof raw,
				  sodium_base64_VARIANT_ORIGINAL);
		if ((out = malloc(8 + strlen(b64) + 1)) != NULL)
			sprintf(out, "sha256//%s", b64);
		return out;
	}
bad:
	hearth_errdetail_clear();
	hearth_fail(HEARTH_EINVAL, "pin '%s': %-s", pin,
		    N_("give sha256// and the key's base64, as hearth-relay --lan prints it"));
	return NULL;
}

hearth_status hearth_relay_opts_check(const hearth_relay_opts *o)
{
	hearth_status st;
	char *pin;

	if (o == NULL)
		return hearth_fail(HEARTH_EINVAL, "relay URL '%s': %-s", "",
				   N_("no relay given"));
	if ((st = check_url(o->url)) != HEARTH_OK)
		return st;
	if (o->pin != NULL) {
		if ((pin = pin_form(o->pin)) == NULL)
			return HEARTH_EINVAL;
		free(pin);
	}
	if (o->cacert != NULL && access(o->cacert, R_OK) != 0)
		return hearth_fail(HEARTH_EINVAL, "CA file '%s': %s", o->cacert,
				   strerror(errno));
	return HEARTH_OK;
}

hearth_status hearth_transport_open(const hearth_relay_opts *o, uint64_t device,
				    const uint8_t sk[64], hearth_transport **out)
{
	hearth_transport *t;
	hearth_status st;
	size_t n;

	*out = NULL;
	if ((st = hearth_relay_opts_check(o)) != HEARTH_OK)
		return st;
	if ((st = global_init()) != HEARTH_OK)
		return st;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot reach relay"));
	t->url = strdup(o->url);
	if (t->url != NULL) {
		n = strlen(t->url);
		while (n > 0 && t->url[n - 1] == '/')
			t->url[--n] = '\0';
	}
	t->cacert = o->cacert != NULL ? strdup(o->cacert) : NULL;
	t->pin = o->pin != NULL ? pin_form(o->pin) : NULL;
	t->curl = curl_easy_init();
	t->connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : DEFAULT_CONNECT_MS;
	t->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	t->attempts = o->attempts > 0 ? o->attempts : DEFAULT_ATTEMPTS;
	t->backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : DEFAULT_BACKOFF_MS;
	t->hooks = o->hooks;
	t->device = device;
	t->sk = sk;
	if (t->url == NULL || t->curl == NULL || (o->cacert != NULL && t->cacert == NULL) ||
	    (o->pin != NULL && t->pin == NULL)) {
		hearth_transport_free(t);
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot reach relay"));
	}
	*out = t;
	return HEARTH_OK;
}

void hearth_transport_free(hearth_transport *t)
{
	if (t == NULL)
		return;
	if (t->curl != NULL)
		curl_easy_cleanup(t->curl);
	free(t->url);
	free(t->cacert);
	free(t->pin);
	free(t);
}

const char *hearth_transport_url(const hearth_transport *t)
{
	return t->url;
}

void hearth_transport_stats(const hearth_transport *t, uint64_t *round_trips,
			    uint64_t *sent, uint64_t *received)
{
	if (round_trips != NULL)
		*round_trips = t->round_trips;
	if (sent != NULL)
		*sent = t->sent;
	if (received != NULL)
		*received = t->received;
}

/* ---- signing ----------------------------------------------------------------- */

char *hearth_transport_signed_text(const char *method, const char *path,
				   const uint8_t *body, size_t len, int64_t time,
				   const char nonce_hex[33], uint64_t device)
{
	uint8_t hash[32];
	char hash_hex[65], *out;
	size_t cap;

	crypto_generichash(hash, sizeof hash, len > 0 ? body : NULL, len, NULL, 0);
	hearth_hex_encode(hash_hex, hash, sizeof hash);
	cap = strlen(method) + strlen(path) + 200;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	snprintf(out, cap, "hearth relay request v1\n%s\n%s\n%s\n%" PRId64 "\n%s\n%016" PRIx64,
		 method, path, hash_hex, time, nonce_hex, device);
	return out;
}

/* ---- one request --------------------------------------------------------------- */

typedef struct sink {
	hearth_response *resp;
	size_t cap;
	int too_large;
} sink;

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	sink *k = ctx;
	hearth_response *r = k->resp;
	size_t add = size * n;

	if (r->len + add + 1 > RESPONSE_MAX) {
		k->too_large = 1;
		return 0;
	}
	if (r->len + add + 1 > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;
		uint8_t *b;

		while (cap < r->len + add + 1)
			cap *= 2;
		if ((b = realloc(r->body, cap)) == NULL)
			return 0;
		r->body = b;
		k->cap = cap;
	}
	memcpy(r->body + r->len, data, add);
	r->len += add;
	r->body[r->len] = '\0';
	return add;
}

/* A header value as a decimal number; -1 when it is not one. */
static int parse_u64(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
	hearth_response *r = ctx;
	size_t len = size * n, name, vlen;
	const char *v;
	uint64_t x;

	/* "Name: value\r\n" */
	for (name = 0; name < len && data[name] != ':'; name++)
		;
	if (name == len)
		return len;
	v = data + name + 1;
	vlen = len - name - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
#define IS(h) (name == sizeof(h) - 1 && strncasecmp(data, h, name) == 0)
	if (IS("Hearth-Store") && vlen == 2 * HEARTH_RELAY_INSTANCE_BYTES) {
		char hex[2 * HEARTH_RELAY_INSTANCE_BYTES + 1];

		memcpy(hex, v, vlen);
		hex[vlen] = '\0';
		r->has_store = hearth_hex_decode(r->store, sizeof r->store, hex) == HEARTH_OK;
	} else if (IS("Hearth-Max-Seq") && parse_u64(v, vlen, &x) == 0) {
		r->max_seq = x;
		r->has_max_seq = 1;
	} else if (IS("Hearth-Next") && parse_u64(v, vlen, &x) == 0) {
		r->next = x;
		r->has_next = 1;
	} else if (IS("Hearth-More") && vlen == 1 && (*v == '0' || *v == '1')) {
		r->more = *v == '1';
		r->has_more = 1;
	} else if (IS("Hearth-Relay-Time") && parse_u64(v, vlen, &x) == 0 &&
		   x <= (uint64_t)INT64_MAX) {
		r->relay_time = (int64_t)x;
		r->has_relay_time = 1;
	} else if (IS("Retry-After") && parse_u64(v, vlen, &x) == 0) {
		r->retry_after = x > 3600 ? 3600 : (long)x;
	}
#undef IS
	return len;
}

static int cancelled(const hearth_transport *t)
{
	return t->hooks != NULL && t->hooks->cancelled != NULL &&
		t->hooks->cancelled(t->hooks->ctx);
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		       curl_off_t un)
{
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return cancelled(ctx);
}

/* Sleeps ms, in slices, stopping early when cancelled: 1 then. */
static int wait_ms(const hearth_transport *t, unsigned ms)
{
	while (ms > 0) {
		unsigned slice = ms > 50 ? 50 : ms;
		struct timespec ts = { 0, (long)slice * 1000000L };

		if (cancelled(t))
			return 1;
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return cancelled(t);
}

/* One attempt: *cerr libcurl's result, resp filled. */
static hearth_status attempt(hearth_transport *t, const char *method, const char *path,
			     const char *ctype, const uint8_t *body, size_t len, hearth_response *resp,
			     CURLcode *cerr)
{
	char nonce_hex[33], time_s[24], dev_hex[17], sig_hex[129], hdr[4][200];
	uint8_t nonce[16], sig[crypto_sign_BYTES];
	struct curl_slist *headers = NULL;
	sink k = { resp, 0, 0 };
	char *text, *url;
	int64_t now = (int64_t)time(NULL) + t->skew;
	long hsize = 0, rsize = 0;
	size_t i;

	memset(resp, 0, sizeof *resp);
	resp->retry_after = -1;
	randombytes_buf(nonce, sizeof nonce);
	hearth_hex_encode(nonce_hex, nonce, sizeof nonce);
	snprintf(time_s, sizeof time_s, "%" PRId64, now);
	snprintf(dev_hex, sizeof dev_hex, "%016" PRIx64, t->device);
	text = hearth_transport_signed_text(method, path, body, len, now, nonce_hex, t->device);
	url = malloc(strlen(t->url) + strlen(path) + 1);
	if (text == NULL || url == NULL) {
		free(text);
		free(url);
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot reach relay"));
	}
	crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), t->sk);
	free(text);
	hearth_hex_encode(sig_hex, sig, sizeof sig);
	sprintf(url, "%s%s", t->url, path);
	snprintf(hdr[0], sizeof hdr[0], "Hearth-Device: %s", dev_hex);
	snprintf(hdr[1], sizeof hdr[1], "Hearth-Time: %s", time_s);
	snprintf(hdr[2], sizeof hdr[2], "Hearth-Nonce: %s", nonce_hex);
	snprintf(hdr[3], sizeof hdr[3], "Hearth-Signature: %s", sig_hex);
	for (i = 0; i < 4; i++)
		headers = curl_slist_append(headers, hdr[i]);
	if (ctype != NULL) {
		snprintf(hdr[0], sizeof hdr[0], "Content-Type: %s", ctype);
		headers = curl_slist_append(headers, hdr[0]);
	}
	/* No "Expect: 100-continue" round trip before a body. */
	headers = curl_slist_append(headers, "Expect:");

	curl_easy_reset(t->curl);
	curl_easy_setopt(t->curl, CURLOPT_URL, url);
	curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(t->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->curl, CURLOPT_CONNECTTIMEOUT_MS, t->connect_ms);
	curl_easy_setopt(t->curl, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(t->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(t->curl, CURLOPT_USERAGENT, "hearth");
	curl_easy_setopt(t->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(t->curl, CURLOPT_WRITEDATA, &k);
	curl_easy_setopt(t->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(t->curl, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(t->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(t->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(t->curl, CURLOPT_XFERINFODATA, t);
	if (t->pin != NULL) {
		/* The pinned key alone: see the comment at the top. */
		curl_easy_setopt(t->curl, CURLOPT_PINNEDPUBLICKEY, t->pin);
		curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	} else {
		curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(t->curl, CURLOPT_SSL_VERIFYHOST, 2L);
		if (t->cacert != NULL)
			curl_easy_setopt(t->curl, CURLOPT_CAINFO, t->cacert);
	}
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(t->curl, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(t->curl, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDS, len > 0 ? (const char *)body : "");
		curl_easy_setopt(t->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	*cerr = curl_easy_perform(t->curl);
	curl_slist_free_all(headers);
	free(url);
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(t->curl, CURLINFO_REQUEST_SIZE, &rsize);
	curl_easy_getinfo(t->curl, CURLINFO_HEADER_SIZE, &hsize);
	t->sent += (uint64_t)rsize;
	t->received += (uint64_t)hsize + resp->len;
	if (*cerr == CURLE_OK)
		t->round_trips++;
	if (k.too_large)
		return hearth_fail(HEARTH_EFORMAT, "relay '%s': %-s", t->url,
				   N_("an answer is too large"));
	return HEARTH_OK;
}

static int retryable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

hearth_status hearth_transport_call(hearth_transport *t, const char *method,
				    const char *path_and_query, const char *ctype,
				    const uint8_t *body, size_t len, hearth_response *resp)
{
	unsigned try, wait = t->backoff_ms;
	hearth_status st;
	CURLcode c = CURLE_OK;

	for (try = 1;; try++) {
		if (cancelled(t))
			return hearth_fail(HEARTH_ECANCELED, "relay '%s': %-s", t->url,
					   N_("sync cancelled"));
		st = attempt(t, method, path_and_query, ctype, body, len, resp, &c);
		if (st != HEARTH_OK) {
			hearth_response_free(resp);
			return st;
		}
		if (c == CURLE_ABORTED_BY_CALLBACK) {
			hearth_response_free(resp);
			return hearth_fail(HEARTH_ECANCELED, "relay '%s': %-s", t->url,
					   N_("sync cancelled"));
		}
		if (c == CURLE_OK && resp->status == 401 && resp->has_relay_time &&
		    !t->skew_taken) {
			/* Our clock is too far from the relay's for its replay
			 * window: sign with its time, once.  A relay could lie
			 * about its time, but that only changes what it checks
			 * itself; the vault's own clock is left alone. */
			t->skew = resp->relay_time - (int64_t)time(NULL);
			t->skew_taken = 1;
			hearth_response_free(resp);
			try--;
			continue;
		}
		if (c == CURLE_OK && resp->status != 429 && resp->status != 503)
			return HEARTH_OK;
		if (try >= t->attempts || (c != CURLE_OK && !retryable_curl(c)))
			break;
		{
			/* Half the wait fixed, half random: clients that
			 * failed together do not come back together. */
			unsigned ms = wait / 2 + randombytes_uniform(wait / 2 + 1);

			if (c == CURLE_OK && resp->retry_after >= 0 &&
			    (unsigned long)resp->retry_after * 1000u > ms)
				ms = (unsigned)resp->retry_after * 1000u;
			if (ms > BACKOFF_MAX_MS)
				ms = BACKOFF_MAX_MS;
			hearth_response_free(resp);
			if (wait_ms(t, ms))
				return hearth_fail(HEARTH_ECANCELED, "relay '%s': %-s", t->url,
						   N_("sync cancelled"));
			wait = wait * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait * 2;
		}
	}
	if (c == CURLE_OK) {
		long status = resp->status;

		hearth_response_free(resp);
		return hearth_fail(HEARTH_ENET, "relay '%s' is busy (HTTP %ld): %-s", t->url,
				   status, N_("try again later"));
	}
	hearth_response_free(resp);
	return hearth_fail(HEARTH_ENET, "cannot reach relay '%s': %s", t->url,
			   curl_easy_strerror(c));
}

void hearth_response_free(hearth_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

const char *hearth_response_error(const hearth_response *resp, char *buf, size_t len)
{
	json_t *doc, *code;

	buf[0] = '\0';
	if (resp->body == NULL || (doc = json_loadb((const char *)resp->body, resp->len, 0,
						    NULL)) == NULL)
		return buf;
	if (json_is_string(code = json_object_get(doc, "error")))
		snprintf(buf, len, "%s", json_string_value(code));
	json_decref(doc);
	return buf;
}
