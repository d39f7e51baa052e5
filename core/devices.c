/*
 * devices.c - this vault's identity, this device's key and certificate,
 * and the devices known (see hearth/devices.h).
 *
 * Three store secrets (table meta, never synced; hearth_store_secret_*):
 *
 *   identity      hearth_identity_export's 129 bytes
 *   device_key    hearth_device_key_export's 65 bytes, then this device's
 *                 certificate (185 bytes): the key and the id it is for
 *                 change together, in one write
 *   device_certs  the certificates of ids this vault retired, 185 bytes
 *                 each, oldest first (the newest RETIRED_CERTS_MAX kept):
 *                 what `hearth device list` says of a retired id
 *   revoked_devices  linked devices revoked here (hearth_device_revoke):
 *                 16 bytes each, device id then cutoff, big-endian
 *
 * Secrets are read into guarded memory (hearth_secret_alloc) and wiped
 * there; SQLite's own copies are wiped by the allocator hearth_crypto_init
 * gives it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hearth/audit.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/spaces.h"
#include "hearth/textcode.h"

#define SECRET_IDENTITY "identity"
#define SECRET_DEVICE_KEY "device_key"
#define SECRET_RETIRED_CERTS "device_certs"
#define SECRET_REVOKED "revoked_devices"
#define REVOKED_ENTRY 16u

#define DEVICE_BLOB_BYTES (HEARTH_DEVICE_KEY_EXPORT_BYTES + HEARTH_CERT_BYTES)
/* Retired certificates kept: a vault that moved more often than this
 * lists its oldest ids without their certificate. */
#define RETIRED_CERTS_MAX (HEARTH_STORE_SECRET_MAX / HEARTH_CERT_BYTES)

void hearth_device_hex(uint64_t device, char out[HEARTH_DEVICE_HEX + 1])
{
	snprintf(out, HEARTH_DEVICE_HEX + 1, "%016llx", (unsigned long long)device);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Reads secret name of exactly want bytes into guarded memory *out
 * (caller frees with hearth_secret_free); *out NULL when it is absent. */
static hearth_status secret_read(hearth_store *s, const char *name, size_t want,
				 uint8_t **out)
{
	hearth_status st;
	size_t len;
	int found;

	*out = hearth_secret_alloc(want);
	if (*out == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	st = hearth_store_secret_get(s, name, *out, want, &len, &found);
	if (st == HEARTH_OK && found && len != want)
		st = hearth_fail(HEARTH_EDAMAGED,
				 "vault damaged: stored secret '%s' is malformed", name);
	if (st != HEARTH_OK || !found) {
		hearth_secret_free(*out);
		*out = NULL;
	}
	return st;
}

hearth_status hearth_identity_load(hearth_store *s, hearth_identity **out)
{
	uint8_t *blob;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the identity");
	*out = NULL;
	if ((st = secret_read(s, SECRET_IDENTITY, HEARTH_IDENTITY_EXPORT_BYTES,
			      &blob)) != HEARTH_OK)
		return st;
	if (blob == NULL)
		return hearth_fail(HEARTH_ENOTFOUND, "this vault has no identity yet");
	st = hearth_identity_import(blob, HEARTH_IDENTITY_EXPORT_BYTES, out);
	hearth_secret_free(blob);
	return st;
}

hearth_status hearth_identity_fingerprint_get(hearth_store *s,
					      char out[HEARTH_FINGERPRINT_LEN + 1])
{
	hearth_identity *id;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the fingerprint");
	out[0] = '\0';
	if ((st = hearth_identity_load(s, &id)) != HEARTH_OK)
		return st;
	hearth_fingerprint(hearth_identity_public_keys(id), out);
	hearth_identity_free(id);
	return HEARTH_OK;
}

/* Reads the device key and its certificate, checking the certificate is
 * the identity's for that key.  *key NULL when none is stored. */
static hearth_status device_read(hearth_store *s, const hearth_identity *id,
				 hearth_device_key **key, hearth_device_cert *cert,
				 uint8_t certb[HEARTH_CERT_BYTES])
{
	uint8_t *blob;
	hearth_status st;

	*key = NULL;
	if ((st = secret_read(s, SECRET_DEVICE_KEY, DEVICE_BLOB_BYTES, &blob)) != HEARTH_OK ||
	    blob == NULL)
		return st;
	st = hearth_device_key_import(blob, HEARTH_DEVICE_KEY_EXPORT_BYTES, key);
	if (st == HEARTH_OK) {
		memcpy(certb, blob + HEARTH_DEVICE_KEY_EXPORT_BYTES, HEARTH_CERT_BYTES);
		if (hearth_cert_verify(certb, HEARTH_CERT_BYTES,
				       hearth_identity_public_keys(id), cert) != HEARTH_OK ||
		    memcmp(cert->device_pk, hearth_device_key_public(*key),
			   HEARTH_ID_SIGN_PUBLICBYTES) != 0)
			st = hearth_fail(HEARTH_EDAMAGED,
				"vault damaged: this device's certificate does not verify");
	}
	hearth_secret_free(blob);
	if (st != HEARTH_OK) {
		hearth_device_key_free(*key);
		*key = NULL;
	}
	return st;
}

/* Appends a retired id's certificate to the kept list, dropping the
 * oldest beyond RETIRED_CERTS_MAX. */
static hearth_status retired_cert_keep(hearth_store *s, const uint8_t cert[HEARTH_CERT_BYTES])
{
	uint8_t list[RETIRED_CERTS_MAX * HEARTH_CERT_BYTES + HEARTH_CERT_BYTES];
	size_t len = 0, from = 0;
	hearth_status st;
	int found;

	st = hearth_store_secret_get(s, SECRET_RETIRED_CERTS, list,
				     RETIRED_CERTS_MAX * HEARTH_CERT_BYTES, &len, &found);
	if (st != HEARTH_OK)
		return st;
	if (len % HEARTH_CERT_BYTES != 0)
		return hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: stored secret '%s' is malformed", SECRET_RETIRED_CERTS);
	memcpy(list + len, cert, HEARTH_CERT_BYTES);
	len += HEARTH_CERT_BYTES;
	if (len > RETIRED_CERTS_MAX * HEARTH_CERT_BYTES)
		from = HEARTH_CERT_BYTES;
	return hearth_store_secret_put(s, SECRET_RETIRED_CERTS, list + from, len - from);
}

/* Makes a device key for the store's current id, certified by id, and
 * saves both; audited. */
static hearth_status device_certify(hearth_store *s, const hearth_identity *id)
{
	uint8_t *blob = hearth_secret_alloc(DEVICE_BLOB_BYTES);
	uint64_t device = hearth_store_device(s);
	hearth_device_key *key = NULL;
	char detail[8 + HEARTH_DEVICE_HEX + 1];
	hearth_status st;

	if (blob == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	st = hearth_device_key_generate(&key);
	if (st == HEARTH_OK) {
		hearth_device_key_export(key, blob);
		st = hearth_cert_issue(id, device, hearth_device_key_public(key), now_ms(),
				       blob + HEARTH_DEVICE_KEY_EXPORT_BYTES);
	}
	if (st == HEARTH_OK)
		st = hearth_store_secret_put(s, SECRET_DEVICE_KEY, blob, DEVICE_BLOB_BYTES);
	if (st == HEARTH_OK) {
		memcpy(detail, "device=", 7);
		hearth_device_hex(device, detail + 7);
		st = hearth_audit_append(s, HEARTH_AUDIT_DEVICE_CERTIFY, NULL, detail);
	}
	hearth_device_key_free(key);
	hearth_secret_free(blob);
	return st;
}

/* hearth_devices_ensure inside its step. */
static hearth_status ensure(hearth_store *s, int *changed)
{
	uint8_t certb[HEARTH_CERT_BYTES], *blob = NULL;
	hearth_identity *id = NULL;
	hearth_device_key *key = NULL;
	hearth_device_cert cert;
	int fresh_identity = 0;
	hearth_status st;

	st = hearth_identity_load(s, &id);
	if (st == HEARTH_ENOTFOUND) {
		/* A vault made before identities existed, or a new one. */
		blob = hearth_secret_alloc(HEARTH_IDENTITY_EXPORT_BYTES);
		if (blob == NULL) {
			st = hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
			goto out;
		}
		if ((st = hearth_identity_generate(&id)) != HEARTH_OK)
			goto out;
		hearth_identity_export(id, blob);
		if ((st = hearth_store_secret_put(s, SECRET_IDENTITY, blob,
						  HEARTH_IDENTITY_EXPORT_BYTES)) != HEARTH_OK ||
		    (st = hearth_audit_append(s, HEARTH_AUDIT_IDENTITY_CREATE, NULL,
					      NULL)) != HEARTH_OK)
			goto out;
		fresh_identity = 1;
		*changed = 1;
	}
	if (st != HEARTH_OK)
		goto out;
	/* A device key stored beside a missing identity belongs to no one we
	 * hold: it is replaced with the rest. */
	if (!fresh_identity &&
	    (st = device_read(s, id, &key, &cert, certb)) != HEARTH_OK)
		goto out;
	if (key != NULL && cert.device == hearth_store_device(s))
		goto out; /* all in place */
	/* None yet, or for an id the store has left (a copy, a clash). */
	if (key != NULL && (st = retired_cert_keep(s, certb)) != HEARTH_OK)
		goto out;
	if ((st = device_certify(s, id)) != HEARTH_OK)
		goto out;
	*changed = 1;
out:
	hearth_secret_free(blob);
	hearth_device_key_free(key);
	hearth_identity_free(id);
	hearth_wipe(certb, sizeof certb);
	return st;
}

hearth_status hearth_devices_ensure(hearth_store *s, int *changed)
{
	hearth_store_step step;
	hearth_status st;
	int dummy = 0;

	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	if (changed == NULL)
		changed = &dummy;
	*changed = 0;
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	st = hearth_store_step_end(s, &step, ensure(s, changed));
	if (st != HEARTH_OK)
		*changed = 0;
	return st;
}

hearth_status hearth_device_key_load(hearth_store *s, hearth_device_key **out,
				     uint8_t cert[HEARTH_CERT_BYTES])
{
	uint8_t certb[HEARTH_CERT_BYTES];
	hearth_identity *id = NULL;
	hearth_device_cert c;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the device key");
	*out = NULL;
	if ((st = hearth_identity_load(s, &id)) != HEARTH_OK)
		return st;
	st = device_read(s, id, out, &c, certb);
	hearth_identity_free(id);
	if (st != HEARTH_OK)
		return st;
	if (*out == NULL)
		return hearth_fail(HEARTH_ENOTFOUND, "this device has no signing key yet");
	if (c.device != hearth_store_device(s)) {
		hearth_device_key_free(*out);
		*out = NULL;
		return hearth_fail(HEARTH_ESTATE,
			"this device's certificate is for another device id: reopen the vault");
	}
	if (cert != NULL)
		memcpy(cert, certb, HEARTH_CERT_BYTES);
	return HEARTH_OK;
}

/* This device as hearth_devices_each gives it. */
static hearth_status this_info(hearth_store *s, const hearth_identity *id,
			       hearth_device_info *out)
{
	uint8_t certb[HEARTH_CERT_BYTES];
	hearth_device_key *key = NULL;
	hearth_device_cert c;
	hearth_status st;

	memset(out, 0, sizeof *out);
	out->device = hearth_store_device(s);
	out->this_device = 1;
	if ((st = device_read(s, id, &key, &c, certb)) != HEARTH_OK)
		return st;
	if (key != NULL && c.device == out->device) {
		out->certified = 1;
		out->since_ms = c.issued_ms;
		memcpy(out->public_key, c.device_pk, sizeof out->public_key);
	}
	hearth_device_key_free(key);
	return HEARTH_OK;
}

hearth_status hearth_device_this(hearth_store *s, hearth_device_info *out)
{
	hearth_identity *id = NULL;
	hearth_status st;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the device");
	memset(out, 0, sizeof *out);
	if ((st = hearth_identity_load(s, &id)) != HEARTH_OK)
		return st;
	st = this_info(s, id, out);
	hearth_identity_free(id);
	return st;
}

/* Fills what a kept certificate says of retired id d->device, if one is
 * kept and verifies. */
static void retired_info(const uint8_t *list, size_t len, const hearth_identity *id,
			 hearth_device_info *d)
{
	hearth_device_cert c;
	size_t off;

	for (off = 0; off + HEARTH_CERT_BYTES <= len; off += HEARTH_CERT_BYTES) {
		if (hearth_cert_verify(list + off, HEARTH_CERT_BYTES,
				       hearth_identity_public_keys(id), &c) != HEARTH_OK ||
		    c.device != d->device)
			continue;
		d->certified = 1;
		d->since_ms = c.issued_ms;
		memcpy(d->public_key, c.device_pk, sizeof d->public_key);
	}
	hearth_errdetail_clear();
}

static hearth_status linked_read(hearth_store *s, uint8_t *list, size_t cap, size_t *len);
static hearth_status revoked_read(hearth_store *s, uint8_t *list, size_t cap, size_t *len);
static int revoked_find(const uint8_t *list, size_t len, uint64_t device, uint64_t *cutoff);

/* The identity's other devices whose certificates this vault keeps. */
static hearth_status each_linked(hearth_store *s, const hearth_identity *id,
				 hearth_device_cb cb, void *ctx)
{
	uint8_t list[HEARTH_STORE_SECRET_MAX], revoked[HEARTH_STORE_SECRET_MAX];
	hearth_device_info d;
	hearth_device_cert c;
	hearth_status st;
	size_t len, rlen;

	if ((st = linked_read(s, list, sizeof list, &len)) != HEARTH_OK ||
	    (st = revoked_read(s, revoked, sizeof revoked, &rlen)) != HEARTH_OK)
		return st;
	for (size_t off = 0; off + HEARTH_CERT_BYTES <= len; off += HEARTH_CERT_BYTES) {
		memset(&d, 0, sizeof d);
		if (hearth_cert_verify(list + off, HEARTH_CERT_BYTES,
				       hearth_identity_public_keys(id), &c) != HEARTH_OK) {
			hearth_errdetail_clear();
			continue; /* kept from an identity this vault no longer holds */
		}
		d.device = c.device;
		d.revoked = revoked_find(revoked, rlen, c.device, &d.cutoff);
		d.linked = !d.revoked;
		d.certified = 1;
		d.since_ms = c.issued_ms;
		memcpy(d.public_key, c.device_pk, sizeof d.public_key);
		memcpy(d.cert, list + off, sizeof d.cert);
		if (cb(&d, ctx) != 0)
			break;
	}
	return HEARTH_OK;
}

/* Passes each device on with its last change filled in. */
struct with_last {
	hearth_store *s;
	hearth_device_cb cb;
	void *ctx;
	hearth_status st;
};

static int with_last_cb(const hearth_device_info *d, void *ctx)
{
	struct with_last *w = ctx;
	hearth_device_info copy = *d;
	hearth_hlc hlc;
	int found;

	w->st = hearth_store_device_latest(w->s, d->device, &hlc, &found);
	if (w->st != HEARTH_OK)
		return 1;
	copy.last_change_ms = found ? hearth_hlc_ms(&hlc) : 0;
	return w->cb(&copy, w->ctx);
}

static hearth_status devices_each(hearth_store *s, hearth_device_cb cb, void *ctx);

hearth_status hearth_devices_each(hearth_store *s, hearth_device_cb cb, void *ctx)
{
	struct with_last w = { s, cb, ctx, HEARTH_OK };
	hearth_status st;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list devices: no callback");
	st = devices_each(s, with_last_cb, &w);
	return st != HEARTH_OK ? st : w.st;
}

static hearth_status devices_each(hearth_store *s, hearth_device_cb cb, void *ctx)
{
	uint8_t list[RETIRED_CERTS_MAX * HEARTH_CERT_BYTES];
	hearth_identity *id = NULL;
	hearth_device_info d;
	const uint64_t *retired;
	size_t n, i, len = 0;
	hearth_status st;
	int found;

	if ((st = hearth_identity_load(s, &id)) != HEARTH_OK)
		return st;
	if ((st = this_info(s, id, &d)) != HEARTH_OK)
		goto out;
	if (cb(&d, ctx) != 0)
		goto out;
	st = hearth_store_secret_get(s, SECRET_RETIRED_CERTS, list, sizeof list,
				     &len, &found);
	if (st != HEARTH_OK)
		goto out;
	n = hearth_store_retired_devices(s, &retired);
	for (i = 0; i < n; i++) {
		memset(&d, 0, sizeof d);
		d.device = retired[i];
		d.retired = 1;
		retired_info(list, len, id, &d);
		if (cb(&d, ctx) != 0)
			goto out;
	}
	st = each_linked(s, id, cb, ctx);
out:
	hearth_identity_free(id);
	return st;
}

/* ---- linking a device ------------------------------------------------------
 *
 * The new device shows a link code (hearth_link_request): its device id and
 * Ed25519 public key, as a checked text code.  A device that already holds
 * the identity approves it (hearth_link_approve): it certifies that key,
 * keeps the certificate, and seals a link package to the key (crypto_box_seal
 * to its X25519 form) holding the certificate, the identity's secrets, the
 * private space's id, the other devices' certificates and every epoch key
 * kept here.  The new device opens the package with its own key
 * (hearth_link_accept) and takes all of it in one step.  Only the holder of
 * the new device's secret key can open the package; the people holding the
 * two devices see that they hold one identity by its fingerprint, the same
 * on both screens (docs/protocol.md §9.4 gives the bytes).
 */

#define LINK_CODE_PREFIX "HL"
#define LINK_CODE_VERSION 1u
#define LINK_CODE_BYTES (1u + 8u + HEARTH_ID_SIGN_PUBLICBYTES)
#define LINK_PKG_MAGIC "HEARTHLK"
#define LINK_PKG_VERSION 1u
#define LINK_KEY_ENTRY (HEARTH_IDBYTES + 8u + 32u)
#define LINK_CERTS_MAX (HEARTH_STORE_SECRET_MAX / HEARTH_CERT_BYTES)
#define LINK_KEYS_MAX 1024u
/* The plaintext: version, the new device's certificate, the identity, the
 * private space, then two counted lists. */
#define LINK_PLAIN_FIXED (1u + HEARTH_CERT_BYTES + HEARTH_IDENTITY_EXPORT_BYTES + \
			  HEARTH_IDBYTES + 2u + 2u)
#define LINK_PLAIN_MAX (LINK_PLAIN_FIXED + LINK_CERTS_MAX * HEARTH_CERT_BYTES + \
			LINK_KEYS_MAX * LINK_KEY_ENTRY)
#define SECRET_LINKED_CERTS "linked_certs"
#define SECRET_KEY_PREFIX "key."

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

hearth_status hearth_link_request(hearth_store *s, char code[HEARTH_LINK_CODE_MAX])
{
	uint8_t payload[LINK_CODE_BYTES];
	hearth_device_info d;
	hearth_status st;

	if (code == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the link code");
	code[0] = '\0';
	if ((st = hearth_device_this(s, &d)) != HEARTH_OK)
		return st;
	if (!d.certified)
		return hearth_fail(HEARTH_ESTATE,
			"this device has no certified key yet: reopen the vault");
	payload[0] = LINK_CODE_VERSION;
	put_be64(payload + 1, d.device);
	memcpy(payload + 9, d.public_key, HEARTH_ID_SIGN_PUBLICBYTES);
	return hearth_textcode_encode(LINK_CODE_PREFIX, payload, sizeof payload,
				      code, HEARTH_LINK_CODE_MAX);
}

hearth_status hearth_link_code_parse(const char *code, uint64_t *device,
				     uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES])
{
	uint8_t payload[LINK_CODE_BYTES + 1];
	hearth_status st;
	size_t len;

	/* Its failures name the mistake ("mistyped", "should start with HL"). */
	st = hearth_textcode_decode(LINK_CODE_PREFIX, code, payload, sizeof payload, &len);
	if (st != HEARTH_OK)
		return st;
	if (len < 1 || payload[0] > LINK_CODE_VERSION)
		return hearth_fail(HEARTH_ENEWER,
			"this link code is from a newer version of Hearth");
	if (len != LINK_CODE_BYTES || payload[0] == 0 || get_be64(payload + 1) == 0)
		return hearth_fail(HEARTH_EFORMAT, "not a link code: it has the wrong length");
	*device = get_be64(payload + 1);
	memcpy(pk, payload + 9, HEARTH_ID_SIGN_PUBLICBYTES);
	return HEARTH_OK;
}

/* What hearth_link_approve gathers: a growing plaintext. */
struct link_plain {
	uint8_t *b;   /* secret memory, LINK_PLAIN_MAX */
	size_t len;
	size_t ncerts_at, nkeys_at;
	unsigned ncerts, nkeys;
	int failed;
};

static int key_cb(const char *name, const uint8_t *v, size_t len, void *ctx)
{
	struct link_plain *p = ctx;
	uint8_t space[HEARTH_IDBYTES], epoch[8];
	const char *dot;

	/* "key.<32 hex space>.<16 hex epoch>", 32 bytes. */
	name += sizeof SECRET_KEY_PREFIX - 1;
	dot = strchr(name, '.');
	if (len != 32 || dot == NULL || dot - name != 2 * HEARTH_IDBYTES ||
	    strlen(dot + 1) != 16)
		return 0; /* not an epoch key */
	{
		char hex[2 * HEARTH_IDBYTES + 1];

		memcpy(hex, name, 2 * HEARTH_IDBYTES);
		hex[2 * HEARTH_IDBYTES] = '\0';
		if (hearth_hex_decode(space, sizeof space, hex) != HEARTH_OK ||
		    hearth_hex_decode(epoch, sizeof epoch, dot + 1) != HEARTH_OK) {
			hearth_errdetail_clear();
			return 0;
		}
	}
	if (p->nkeys == LINK_KEYS_MAX) {
		p->failed = 1;
		return 1;
	}
	memcpy(p->b + p->len, space, sizeof space);
	memcpy(p->b + p->len + HEARTH_IDBYTES, epoch, sizeof epoch);
	memcpy(p->b + p->len + HEARTH_IDBYTES + 8, v, 32);
	p->len += LINK_KEY_ENTRY;
	p->nkeys++;
	return 0;
}

static void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The certificates of the identity's other devices kept here. */
static hearth_status linked_read(hearth_store *s, uint8_t *list, size_t cap, size_t *len)
{
	hearth_status st;
	int found;

	st = hearth_store_secret_get(s, SECRET_LINKED_CERTS, list, cap, len, &found);
	if (st == HEARTH_OK && *len % HEARTH_CERT_BYTES != 0)
		st = hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: stored secret '%s' is malformed", SECRET_LINKED_CERTS);
	return st;
}

static int cert_names(const uint8_t *list, size_t len, uint64_t device)
{
	hearth_device_cert c;

	for (size_t off = 0; off + HEARTH_CERT_BYTES <= len; off += HEARTH_CERT_BYTES)
		if (hearth_cert_parse(list + off, HEARTH_CERT_BYTES, &c) == HEARTH_OK &&
		    c.device == device)
			return 1;
	hearth_errdetail_clear();
	return 0;
}

/* The revoked devices kept here (SECRET_REVOKED). */
static hearth_status revoked_read(hearth_store *s, uint8_t *list, size_t cap, size_t *len)
{
	hearth_status st;
	int found;

	st = hearth_store_secret_get(s, SECRET_REVOKED, list, cap, len, &found);
	if (st == HEARTH_OK && !found)
		*len = 0;
	if (st == HEARTH_OK && *len % REVOKED_ENTRY != 0)
		st = hearth_fail(HEARTH_EDAMAGED,
			"vault damaged: stored secret '%s' is malformed", SECRET_REVOKED);
	return st;
}

static int revoked_find(const uint8_t *list, size_t len, uint64_t device, uint64_t *cutoff)
{
	for (size_t off = 0; off + REVOKED_ENTRY <= len; off += REVOKED_ENTRY)
		if (get_be64(list + off) == device) {
			if (cutoff != NULL)
				*cutoff = get_be64(list + off + 8);
			return 1;
		}
	return 0;
}

/* The team spaces this vault is a member of, by id. */
typedef struct space_list {
	hearth_id *v;
	size_t n, cap;
	int oom;
} space_list;

static int space_list_cb(const hearth_space_info *i, void *ctx)
{
	space_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		hearth_id *q = realloc(l->v, cap * sizeof *q);

		if (q == NULL) {
			l->oom = 1;
			return 1;
		}
		l->v = q;
		l->cap = cap;
	}
	l->v[l->n++] = i->space;
	return 0;
}

static hearth_status space_list_get(hearth_store *s, space_list *l)
{
	hearth_status st;

	memset(l, 0, sizeof *l);
	st = hearth_spaces_each(s, space_list_cb, l);
	if (st == HEARTH_OK && l->oom)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
	return st;
}

/* Refreshes every team space of this vault (hearth_space_refresh): its
 * linked devices get listed in this identity's member records, and the
 * devices revoked here get revoked there. */
static hearth_status refresh_spaces(hearth_store *s)
{
	hearth_status st;
	space_list l;
	size_t i;

	if ((st = space_list_get(s, &l)) != HEARTH_OK) {
		free(l.v);
		return st;
	}
	for (i = 0; i < l.n && st == HEARTH_OK; i++)
		st = hearth_space_refresh(s, &l.v[i], NULL);
	free(l.v);
	return st;
}

/* The new device's certificate as a record of the private space, so the
 * identity's other devices learn of a device this one linked
 * (hearth_devices_absorb): else they would keep its envelopes aside. */
static hearth_status linkedcert_write(hearth_store *s, const uint8_t cert[HEARTH_CERT_BYTES])
{
	char hex[2 * HEARTH_CERT_BYTES + 1];
	hearth_status st;
	hearth_id rec;

	sodium_bin2hex(hex, sizeof hex, cert, HEARTH_CERT_BYTES);
	if ((st = hearth_record_create(s, NULL, HEARTH_KIND_LINKEDCERT, &rec)) != HEARTH_OK)
		return st;
	return hearth_record_set(s, &rec, "cert", hex);
}

/* hearth_link_approve inside its step: keeps the new certificate. */
static hearth_status approve_keep(hearth_store *s, const uint8_t cert[HEARTH_CERT_BYTES],
				  uint64_t device)
{
	uint8_t list[LINK_CERTS_MAX * HEARTH_CERT_BYTES];
	char detail[8 + HEARTH_DEVICE_HEX + 1];
	hearth_status st;
	size_t len;

	if ((st = linked_read(s, list, sizeof list, &len)) != HEARTH_OK)
		return st;
	/* Approving the same code again (the first package was lost) keeps
	 * one certificate per device. */
	if (!cert_names(list, len, device)) {
		if (len + HEARTH_CERT_BYTES > sizeof list)
			return hearth_fail(HEARTH_EINVAL,
				"this identity has too many linked devices");
		memcpy(list + len, cert, HEARTH_CERT_BYTES);
		len += HEARTH_CERT_BYTES;
	}
	if ((st = hearth_store_secret_put(s, SECRET_LINKED_CERTS, list, len)) != HEARTH_OK ||
	    (st = linkedcert_write(s, cert)) != HEARTH_OK)
		return st;
	memcpy(detail, "device=", 7);
	hearth_device_hex(device, detail + 7);
	return hearth_audit_append(s, HEARTH_AUDIT_DEVICE_APPROVE, NULL, detail);
}

hearth_status hearth_link_approve(hearth_store *s, const char *code,
				  uint8_t **package, size_t *package_len,
				  uint64_t *device_out)
{
	uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES], box_pk[crypto_box_PUBLICKEYBYTES];
	uint8_t linked[LINK_CERTS_MAX * HEARTH_CERT_BYTES], mine[HEARTH_CERT_BYTES];
	uint8_t revoked[HEARTH_STORE_SECRET_MAX];
	size_t nrevoked = 0;
	struct link_plain p = { 0 };
	hearth_identity *id = NULL;
	hearth_device_key *key = NULL;
	hearth_store_step step;
	uint8_t *out = NULL;
	size_t nlinked = 0, out_len = 0;
	uint64_t device = 0;
	hearth_id space;
	hearth_status st;

	if (package == NULL || package_len == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the link package");
	*package = NULL;
	*package_len = 0;
	if ((st = hearth_link_code_parse(code, &device, pk)) != HEARTH_OK)
		return st;
	if (device_out != NULL)
		*device_out = device;
	if (device == hearth_store_device(s))
		return hearth_fail(HEARTH_EINVAL, "this link code is this device's own");
	if (crypto_sign_ed25519_pk_to_curve25519(box_pk, pk) != 0)
		return hearth_fail(HEARTH_EFORMAT, "not a link code: the key in it is not valid");
	if ((st = linked_read(s, linked, sizeof linked - HEARTH_CERT_BYTES,
			      &nlinked)) != HEARTH_OK)
		return st;
	p.b = hearth_secret_alloc(LINK_PLAIN_MAX);
	if (p.b == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	if ((st = hearth_identity_load(s, &id)) != HEARTH_OK ||
	    (st = hearth_device_key_load(s, &key, mine)) != HEARTH_OK)
		goto out;
	/* version, certificate, identity, private space */
	p.b[0] = LINK_PKG_VERSION;
	p.len = 1;
	if ((st = hearth_cert_issue(id, device, pk, now_ms(), p.b + p.len)) != HEARTH_OK)
		goto out;
	p.len += HEARTH_CERT_BYTES;
	hearth_identity_export(id, p.b + p.len);
	p.len += HEARTH_IDENTITY_EXPORT_BYTES;
	space = hearth_store_private_space(s);
	memcpy(p.b + p.len, space.b, HEARTH_IDBYTES);
	p.len += HEARTH_IDBYTES;
	/* the other devices: this one, then those linked before */
	p.ncerts_at = p.len;
	p.len += 2;
	memcpy(p.b + p.len, mine, HEARTH_CERT_BYTES);
	p.len += HEARTH_CERT_BYTES;
	p.ncerts = 1;
	if ((st = revoked_read(s, revoked, sizeof revoked, &nrevoked)) != HEARTH_OK)
		goto out;
	for (size_t off = 0; off < nlinked && p.ncerts < LINK_CERTS_MAX;
	     off += HEARTH_CERT_BYTES) {
		hearth_device_cert c;

		/* A revoked device is not handed on: the new one would
		 * trust it. */
		if (hearth_cert_parse(linked + off, HEARTH_CERT_BYTES, &c) == HEARTH_OK &&
		    revoked_find(revoked, nrevoked, c.device, NULL))
			continue;
		hearth_errdetail_clear();
		memcpy(p.b + p.len, linked + off, HEARTH_CERT_BYTES);
		p.ncerts++;
		p.len += HEARTH_CERT_BYTES;
	}
	put_be16(p.b + p.ncerts_at, p.ncerts);
	p.nkeys_at = p.len;
	p.len += 2;
	if ((st = hearth_store_secret_each(s, SECRET_KEY_PREFIX, key_cb, &p)) != HEARTH_OK)
		goto out;
	if (p.failed) {
		st = hearth_fail(HEARTH_EINVAL, "too many keys to hand over in one link");
		goto out;
	}
	put_be16(p.b + p.nkeys_at, p.nkeys);
	out_len = sizeof LINK_PKG_MAGIC - 1 + 1 + crypto_box_SEALBYTES + p.len;
	if ((out = malloc(out_len)) == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(out, LINK_PKG_MAGIC, sizeof LINK_PKG_MAGIC - 1);
	out[sizeof LINK_PKG_MAGIC - 1] = LINK_PKG_VERSION;
	if (crypto_box_seal(out + sizeof LINK_PKG_MAGIC, p.b, p.len, box_pk) != 0) {
		st = hearth_fail(HEARTH_ECRYPTO, "cannot seal the link package");
		goto out;
	}
	if ((st = hearth_store_step_begin(s, &step)) == HEARTH_OK) {
		hearth_status kept = approve_keep(s, p.b + 1, device);

		/* The new device is listed in this identity's member record
		 * of every team space, in the same step: it writes there as
		 * soon as the listing reaches the team. */
		if (kept == HEARTH_OK)
			kept = refresh_spaces(s);
		st = hearth_store_step_end(s, &step, kept);
	}
out:
	if (st == HEARTH_OK) {
		*package = out;
		*package_len = out_len;
	} else {
		free(out);
	}
	hearth_secret_free(p.b);
	hearth_identity_free(id);
	hearth_device_key_free(key);
	hearth_wipe(mine, sizeof mine);
	return st;
}

static unsigned get_be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* A parsed link package (pointers into the opened plaintext). */
struct link_pkg {
	const uint8_t *cert;
	hearth_identity *id;
	hearth_id space;
	const uint8_t *certs;
	unsigned ncerts;
	const uint8_t *keys;
	unsigned nkeys;
};

static hearth_status pkg_parse(const uint8_t *b, size_t len, struct link_pkg *pk)
{
	size_t off;

	if (len < LINK_PLAIN_FIXED || b[0] != LINK_PKG_VERSION)
		return hearth_fail(HEARTH_EFORMAT, "the link package is malformed");
	pk->cert = b + 1;
	off = 1 + HEARTH_CERT_BYTES;
	if (hearth_identity_import(b + off, HEARTH_IDENTITY_EXPORT_BYTES,
				   &pk->id) != HEARTH_OK)
		return hearth_fail(HEARTH_EFORMAT, "the link package is malformed");
	off += HEARTH_IDENTITY_EXPORT_BYTES;
	memcpy(pk->space.b, b + off, HEARTH_IDBYTES);
	off += HEARTH_IDBYTES;
	pk->ncerts = get_be16(b + off);
	off += 2;
	if (pk->ncerts > LINK_CERTS_MAX ||
	    len - off < (size_t)pk->ncerts * HEARTH_CERT_BYTES + 2)
		return hearth_fail(HEARTH_EFORMAT, "the link package is malformed");
	pk->certs = b + off;
	off += (size_t)pk->ncerts * HEARTH_CERT_BYTES;
	pk->nkeys = get_be16(b + off);
	off += 2;
	if (pk->nkeys > LINK_KEYS_MAX || len - off != (size_t)pk->nkeys * LINK_KEY_ENTRY)
		return hearth_fail(HEARTH_EFORMAT, "the link package is malformed");
	pk->keys = b + off;
	return HEARTH_OK;
}

/* hearth_link_accept inside its step. */
static hearth_status accept_take(hearth_store *s, const struct link_pkg *pk,
				 const hearth_device_key *key)
{
	uint8_t *blob = hearth_secret_alloc(DEVICE_BLOB_BYTES);
	uint8_t *idb = hearth_secret_alloc(HEARTH_IDENTITY_EXPORT_BYTES);
	uint8_t linked[LINK_CERTS_MAX * HEARTH_CERT_BYTES];
	char name[sizeof SECRET_KEY_PREFIX + 2 * HEARTH_IDBYTES + 1 + 16 + 1];
	char detail[8 + HEARTH_DEVICE_HEX + 1];
	hearth_status st = HEARTH_OK;
	size_t nlinked = 0;

	if (blob == NULL || idb == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
		goto out;
	}
	hearth_device_key_export(key, blob);
	memcpy(blob + HEARTH_DEVICE_KEY_EXPORT_BYTES, pk->cert, HEARTH_CERT_BYTES);
	hearth_identity_export(pk->id, idb);
	for (unsigned i = 0; i < pk->ncerts; i++) {
		const uint8_t *c = pk->certs + (size_t)i * HEARTH_CERT_BYTES;
		hearth_device_cert dc;

		if (hearth_cert_parse(c, HEARTH_CERT_BYTES, &dc) == HEARTH_OK &&
		    dc.device != hearth_store_device(s) &&
		    !cert_names(linked, nlinked, dc.device)) {
			memcpy(linked + nlinked, c, HEARTH_CERT_BYTES);
			nlinked += HEARTH_CERT_BYTES;
		}
	}
	if ((st = hearth_store_secret_put(s, SECRET_IDENTITY, idb,
					  HEARTH_IDENTITY_EXPORT_BYTES)) != HEARTH_OK ||
	    (st = hearth_store_secret_put(s, SECRET_DEVICE_KEY, blob,
					  DEVICE_BLOB_BYTES)) != HEARTH_OK ||
	    (st = hearth_store_secret_put(s, SECRET_LINKED_CERTS, linked,
					  nlinked)) != HEARTH_OK)
		goto out;
	for (unsigned i = 0; i < pk->nkeys; i++) {
		const uint8_t *e = pk->keys + (size_t)i * LINK_KEY_ENTRY;

		memcpy(name, SECRET_KEY_PREFIX, sizeof SECRET_KEY_PREFIX - 1);
		hearth_hex_encode(name + sizeof SECRET_KEY_PREFIX - 1, e, HEARTH_IDBYTES);
		name[sizeof SECRET_KEY_PREFIX - 1 + 2 * HEARTH_IDBYTES] = '.';
		hearth_hex_encode(name + sizeof SECRET_KEY_PREFIX + 2 * HEARTH_IDBYTES,
				  e + HEARTH_IDBYTES, 8);
		if ((st = hearth_store_secret_put(s, name, e + HEARTH_IDBYTES + 8,
						  32)) != HEARTH_OK)
			goto out;
	}
	memcpy(detail, "device=", 7);
	hearth_device_hex(hearth_store_device(s), detail + 7);
	if ((st = hearth_audit_append(s, HEARTH_AUDIT_DEVICE_LINK, NULL, detail)) != HEARTH_OK)
		goto out;
	/* Last: the store keeps the private space in memory too. */
	st = hearth_store_private_space_adopt(s, &pk->space);
out:
	hearth_secret_free(blob);
	hearth_secret_free(idb);
	return st;
}

hearth_status hearth_link_accept(hearth_store *s, const uint8_t *package, size_t len)
{
	uint8_t box_pk[crypto_box_PUBLICKEYBYTES], *box_sk = NULL, *plain = NULL;
	const size_t head = sizeof LINK_PKG_MAGIC - 1 + 1;
	hearth_device_key *key = NULL;
	struct link_pkg pk = { 0 };
	hearth_device_cert c;
	hearth_store_step step;
	size_t plen;
	hearth_status st;

	if (s == NULL || (package == NULL && len > 0))
		return hearth_fail(HEARTH_EINVAL, "no link package");
	if (len < head || memcmp(package, LINK_PKG_MAGIC, head - 1) != 0)
		return hearth_fail(HEARTH_EFORMAT, "this file is not a link package");
	if (package[head - 1] > LINK_PKG_VERSION)
		return hearth_fail(HEARTH_ENEWER,
			"this link package is from a newer version of Hearth");
	if (package[head - 1] != LINK_PKG_VERSION || len - head < crypto_box_SEALBYTES ||
	    len - head - crypto_box_SEALBYTES > LINK_PLAIN_MAX)
		return hearth_fail(HEARTH_EFORMAT, "the link package is malformed");
	plen = len - head - crypto_box_SEALBYTES;
	if ((st = hearth_device_key_load(s, &key, NULL)) != HEARTH_OK)
		return st;
	box_sk = hearth_secret_alloc(crypto_box_SECRETKEYBYTES);
	plain = hearth_secret_alloc(plen > 0 ? plen : 1);
	if (box_sk == NULL || plain == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
		goto out;
	}
	if (crypto_sign_ed25519_pk_to_curve25519(box_pk, hearth_device_key_public(key)) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(box_sk, hearth_device_key_secret(key)) != 0) {
		st = hearth_fail(HEARTH_ECRYPTO, "cannot use this device's key");
		goto out;
	}
	if (crypto_box_seal_open(plain, package + head, len - head, box_pk, box_sk) != 0) {
		st = hearth_fail(HEARTH_EAUTH, "this link package is not for this device, "
				 "or it was damaged");
		goto out;
	}
	if ((st = pkg_parse(plain, plen, &pk)) != HEARTH_OK)
		goto out;
	/* The certificate must be the identity's, for this device's id and key. */
	st = hearth_cert_verify(pk.cert, HEARTH_CERT_BYTES,
				hearth_identity_public_keys(pk.id), &c);
	if (st == HEARTH_OK && (c.device != hearth_store_device(s) ||
				sodium_memcmp(c.device_pk, hearth_device_key_public(key),
					      HEARTH_ID_SIGN_PUBLICBYTES) != 0))
		st = hearth_fail(HEARTH_EAUTH,
			"this link package certifies another device");
	for (unsigned i = 0; st == HEARTH_OK && i < pk.ncerts; i++)
		if (hearth_cert_verify(pk.certs + (size_t)i * HEARTH_CERT_BYTES,
				       HEARTH_CERT_BYTES, hearth_identity_public_keys(pk.id),
				       NULL) != HEARTH_OK)
			st = hearth_fail(HEARTH_EAUTH,
				"the link package holds a certificate its identity did not sign");
	if (st != HEARTH_OK)
		goto out;
	if ((st = hearth_store_step_begin(s, &step)) == HEARTH_OK)
		st = hearth_store_step_end(s, &step, accept_take(s, &pk, key));
out:
	hearth_identity_free(pk.id);
	hearth_device_key_free(key);
	hearth_secret_free(box_sk);
	hearth_secret_free(plain);
	return st;
}

/* ---- revoking a device ------------------------------------------------------
 *
 * The revoked device keeps its certificate in linked_certs (its ops up to
 * the cutoff still verify) and gains an entry in revoked_devices.  The
 * team spaces are told by hearth_space_revoke_device, one per space.
 */

typedef struct revoke_find {
	const char *text;
	size_t len;
	uint64_t device;
	int matches, this_device, revoked;
} revoke_find;

static int revoke_match(const hearth_device_info *d, void *ctx)
{
	revoke_find *f = ctx;
	char hex[HEARTH_DEVICE_HEX + 1];

	hearth_device_hex(d->device, hex);
	if (strncmp(hex, f->text, f->len) != 0)
		return 0;
	if (d->this_device) {
		f->this_device = 1;
		return 0;
	}
	if (!d->linked && !d->revoked)
		return 0; /* a retired id of this vault: it writes nothing */
	if (f->matches == 0 || f->device != d->device) {
		f->matches++;
		f->device = d->device;
		f->revoked = d->revoked;
	}
	return 0;
}

typedef struct revoke_ctx {
	space_list spaces;
	uint64_t device, cutoff;
} revoke_ctx;

static int revoke_head_cb(const hearth_device_head *h, void *ctx)
{
	revoke_ctx *r = ctx;

	if (h->device == r->device)
		r->cutoff = h->max_seq;
	return 0;
}

/* The revocation as a record of the private space, for the identity's
 * other devices (hearth_devices_absorb). */
static hearth_status revocation_write(hearth_store *s, uint64_t device, uint64_t cutoff)
{
	char hex[HEARTH_DEVICE_HEX + 1], text[24];
	hearth_status st;
	hearth_id rec;

	hearth_device_hex(device, hex);
	snprintf(text, sizeof text, "%llu", (unsigned long long)cutoff);
	if ((st = hearth_record_create(s, NULL, HEARTH_KIND_REVOCATION, &rec)) != HEARTH_OK ||
	    (st = hearth_record_set(s, &rec, "device", hex)) != HEARTH_OK)
		return st;
	return hearth_record_set(s, &rec, "cutoff", text);
}

static hearth_status revoke(hearth_store *s, revoke_ctx *r, hearth_device_revocation *out)
{
	uint8_t list[HEARTH_STORE_SECRET_MAX];
	char detail[96];
	hearth_status st;
	size_t len, i;
	int done;

	if ((st = hearth_store_heads(s, revoke_head_cb, r)) != HEARTH_OK ||
	    (st = space_list_get(s, &r->spaces)) != HEARTH_OK)
		return st;
	for (i = 0; i < r->spaces.n; i++) {
		if ((st = hearth_space_revoke_device(s, &r->spaces.v[i], r->device, r->cutoff,
						     &done)) != HEARTH_OK)
			return st;
		out->spaces += (size_t)done;
	}
	if ((st = revoked_read(s, list, sizeof list - REVOKED_ENTRY, &len)) != HEARTH_OK)
		return st;
	put_be64(list + len, r->device);
	put_be64(list + len + 8, r->cutoff);
	if ((st = hearth_store_secret_put(s, SECRET_REVOKED, list, len + REVOKED_ENTRY)) != HEARTH_OK ||
	    (st = revocation_write(s, r->device, r->cutoff)) != HEARTH_OK)
		return st;
	out->device = r->device;
	out->cutoff = r->cutoff;
	snprintf(detail, sizeof detail, "device=%016llx cutoff=%llu spaces=%zu",
		 (unsigned long long)r->device, (unsigned long long)r->cutoff, out->spaces);
	return hearth_audit_append(s, HEARTH_AUDIT_DEVICE_REVOKE, NULL, detail);
}

hearth_status hearth_device_revoke(hearth_store *s, const char *text,
				   hearth_device_revocation *out)
{
	hearth_device_revocation dummy;
	revoke_find f = { 0 };
	revoke_ctx r = { 0 };
	hearth_store_step step;
	hearth_status st;
	size_t i;

	if (out == NULL)
		out = &dummy;
	memset(out, 0, sizeof *out);
	if (s == NULL || text == NULL)
		return hearth_fail(HEARTH_EINVAL, "no device named");
	f.text = text;
	f.len = strlen(text);
	for (i = 0; i < f.len; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			break;
	if (i < f.len || f.len < HEARTH_DEVICE_SHORT || f.len > HEARTH_DEVICE_HEX)
		return hearth_fail(HEARTH_EINVAL,
			"'%s' is not a device id: give 8 to 16 lowercase hex digits", text);
	if ((st = hearth_devices_each(s, revoke_match, &f)) != HEARTH_OK)
		return st;
	if (f.matches == 0 && f.this_device)
		return hearth_fail(HEARTH_EINVAL,
			"this is this device: revoke it from another device of yours");
	if (f.matches == 0)
		return hearth_fail(HEARTH_ENOTFOUND,
			"no linked device of this identity is '%s'", text);
	if (f.matches > 1 || f.this_device)
		return hearth_fail(HEARTH_EAMBIGUOUS,
			"'%s' names more than one device: give more digits", text);
	if (f.revoked)
		return hearth_fail(HEARTH_ESTATE, "this device was revoked already");
	r.device = f.device;
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	st = hearth_store_step_end(s, &step, revoke(s, &r, out));
	free(r.spaces.v);
	if (st != HEARTH_OK)
		memset(out, 0, sizeof *out);
	return st;
}

/* ---- revocations from the identity's other devices ---------------------- */

typedef struct absorb_ctx {
	hearth_id space;   /* the private space */
	uint64_t self;
	uint8_t list[HEARTH_STORE_SECRET_MAX];
	size_t len;        /* of list: revoked_devices as read, then grown */
	size_t added;
	int full;
	/* Certificates of devices another device of the identity linked. */
	hearth_identity *id;
	uint8_t certs[LINK_CERTS_MAX * HEARTH_CERT_BYTES];
	size_t ncerts_len; /* of certs: linked_certs as read, then grown */
	size_t certs_added;
} absorb_ctx;

/* A device id as a revocation record writes it: 16 lowercase hex digits. */
static int device_text(const char *v, uint64_t *out)
{
	uint8_t b[8];

	for (size_t i = 0; v != NULL && i < HEARTH_DEVICE_HEX; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return 0;
	if (v == NULL || strlen(v) != HEARTH_DEVICE_HEX ||
	    hearth_hex_decode(b, sizeof b, v) != HEARTH_OK) {
		hearth_errdetail_clear();
		return 0;
	}
	*out = get_be64(b);
	return *out != 0;
}

/* A cutoff: a decimal number without sign, spaces or leading zeros. */
static int cutoff_text(const char *v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v == NULL || v[0] == '\0' || strlen(v) > 20 || (v[0] == '0' && v[1] != '\0'))
		return 0;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' ||
		    x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return 0;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 1;
}

static int absorb_cb(const hearth_record *r, void *ctx)
{
	absorb_ctx *a = ctx;
	uint64_t device, cutoff;
	const hearth_field *dev = NULL;
	size_t i;

	if (!hearth_id_equal(&r->space, &a->space))
		return 0;
	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, "device") == 0)
			dev = &r->fields[i];
	if (dev == NULL || !device_text(dev->value, &device) ||
	    !cutoff_text(hearth_record_field(r, "cutoff"), &cutoff))
		return 0;
	/* Never this very device (it cannot refuse itself), nor a device
	 * naming itself (a stolen one could only raise its own cutoff). */
	if (device == a->self || device == hearth_hlc_device(&dev->hlc) ||
	    revoked_find(a->list, a->len, device, NULL))
		return 0;
	if (a->len + REVOKED_ENTRY > sizeof a->list) {
		a->full = 1;
		return 1;
	}
	put_be64(a->list + a->len, device);
	put_be64(a->list + a->len + 8, cutoff);
	a->len += REVOKED_ENTRY;
	a->added++;
	return 0;
}

static int absorb_cert_cb(const hearth_record *r, void *ctx)
{
	absorb_ctx *a = ctx;
	uint8_t cert[HEARTH_CERT_BYTES];
	const char *hex = hearth_record_field(r, "cert");
	hearth_device_cert c;
	size_t got = 0;

	if (!hearth_id_equal(&r->space, &a->space) || hex == NULL ||
	    strlen(hex) != 2 * HEARTH_CERT_BYTES ||
	    sodium_hex2bin(cert, sizeof cert, hex, strlen(hex), NULL, &got, NULL) != 0 ||
	    got != HEARTH_CERT_BYTES)
		return 0;
	/* Only a certificate this identity issued; never one for this very
	 * device, one held already, or a revoked device's. */
	if (hearth_cert_verify(cert, sizeof cert, hearth_identity_public_keys(a->id),
			       &c) != HEARTH_OK) {
		hearth_errdetail_clear();
		return 0;
	}
	if (c.device == a->self || cert_names(a->certs, a->ncerts_len, c.device) ||
	    revoked_find(a->list, a->len, c.device, NULL))
		return 0;
	if (a->ncerts_len + HEARTH_CERT_BYTES > sizeof a->certs) {
		a->full = 1;
		return 1;
	}
	memcpy(a->certs + a->ncerts_len, cert, HEARTH_CERT_BYTES);
	a->ncerts_len += HEARTH_CERT_BYTES;
	a->certs_added++;
	return 0;
}

/* The certificates another device of the identity wrote (linkedcert_write). */
static hearth_status absorb_certs(hearth_store *s, absorb_ctx *a)
{
	hearth_status st;

	if ((st = hearth_identity_load(s, &a->id)) == HEARTH_ENOTFOUND) {
		hearth_errdetail_clear();
		return HEARTH_OK;
	}
	if (st != HEARTH_OK ||
	    (st = linked_read(s, a->certs, sizeof a->certs, &a->ncerts_len)) != HEARTH_OK ||
	    (st = hearth_store_each(s, HEARTH_KIND_LINKEDCERT, 0, absorb_cert_cb, a)) != HEARTH_OK)
		return st;
	if (a->full)
		return hearth_fail(HEARTH_EINVAL, "this identity has too many linked devices");
	if (a->certs_added == 0)
		return HEARTH_OK;
	if ((st = hearth_store_secret_put(s, SECRET_LINKED_CERTS, a->certs,
					  a->ncerts_len)) != HEARTH_OK)
		return st;
	for (size_t off = a->ncerts_len - a->certs_added * HEARTH_CERT_BYTES;
	     off < a->ncerts_len && st == HEARTH_OK; off += HEARTH_CERT_BYTES) {
		char detail[8 + HEARTH_DEVICE_HEX + 1];
		hearth_device_cert c;

		if (hearth_cert_parse(a->certs + off, HEARTH_CERT_BYTES, &c) != HEARTH_OK)
			continue;
		memcpy(detail, "device=", 7);
		hearth_device_hex(c.device, detail + 7);
		st = hearth_audit_append(s, HEARTH_AUDIT_DEVICE_APPROVE, NULL, detail);
	}
	return st;
}

static hearth_status absorb(hearth_store *s, absorb_ctx *a)
{
	char detail[96];
	hearth_status st;
	size_t before;

	if ((st = revoked_read(s, a->list, sizeof a->list, &a->len)) != HEARTH_OK ||
	    (st = hearth_store_each(s, HEARTH_KIND_REVOCATION, 0, absorb_cb, a)) != HEARTH_OK)
		return st;
	if (a->full)
		return hearth_fail(HEARTH_EINVAL, "this identity has too many revoked devices");
	/* After the revocations: a certificate of a device revoked here is
	 * not taken. */
	if ((st = absorb_certs(s, a)) != HEARTH_OK)
		return st;
	if (a->added == 0)
		return a->certs_added > 0 ? refresh_spaces(s) : HEARTH_OK;
	before = a->len - a->added * REVOKED_ENTRY;
	if ((st = hearth_store_secret_put(s, SECRET_REVOKED, a->list, a->len)) != HEARTH_OK)
		return st;
	for (size_t off = before; off < a->len; off += REVOKED_ENTRY) {
		snprintf(detail, sizeof detail, "device=%016llx cutoff=%llu spaces=0",
			 (unsigned long long)get_be64(a->list + off),
			 (unsigned long long)get_be64(a->list + off + 8));
		if ((st = hearth_audit_append(s, HEARTH_AUDIT_DEVICE_REVOKE, NULL,
					      detail)) != HEARTH_OK)
			return st;
	}
	return refresh_spaces(s);
}

hearth_status hearth_devices_absorb(hearth_store *s, size_t *n_new)
{
	hearth_store_step step;
	hearth_status st;
	absorb_ctx *a;

	if (n_new != NULL)
		*n_new = 0;
	if (s == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store");
	if ((a = calloc(1, sizeof *a)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	a->space = hearth_store_private_space(s);
	a->self = hearth_store_device(s);
	if ((st = hearth_store_step_begin(s, &step)) == HEARTH_OK)
		st = hearth_store_step_end(s, &step, absorb(s, a));
	if (st == HEARTH_OK && n_new != NULL)
		*n_new = a->added + a->certs_added;
	hearth_identity_free(a->id);
	free(a);
	return st;
}
