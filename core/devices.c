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
 *
 * Secrets are read into guarded memory (hearth_secret_alloc) and wiped
 * there; SQLite's own copies are wiped by the allocator hearth_crypto_init
 * gives it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hearth/audit.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"

#define SECRET_IDENTITY "identity"
#define SECRET_DEVICE_KEY "device_key"
#define SECRET_RETIRED_CERTS "device_certs"

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

hearth_status hearth_devices_each(hearth_store *s, hearth_device_cb cb, void *ctx)
{
	uint8_t list[RETIRED_CERTS_MAX * HEARTH_CERT_BYTES];
	hearth_identity *id = NULL;
	hearth_device_info d;
	const uint64_t *retired;
	size_t n, i, len = 0;
	hearth_status st;
	int found;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list devices: no callback");
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
			break;
	}
out:
	hearth_identity_free(id);
	return st;
}
