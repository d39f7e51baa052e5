/*
 * fuzz_certificate.c - reading a device certificate never crashes, never
 * reads past its input, and accepts only what docs/protocol.md §9.1 allows;
 * a certificate that verifies says exactly what its bytes say, and no
 * single changed byte of a genuine one verifies.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_certificate
 *   build-fuzz/tests/fuzz/fuzz_certificate -max_total_time=60 NEW_DIR tests/fuzz/corpus/certificate
 *
 * Random bytes almost never carry a valid signature, so the first input
 * byte chooses what the rest is:
 *   0x00  a certificate, parsed and verified as it is;
 *   else  bytes 1-8 the device id, 9-16 the issue time, 17-48 the device
 *         key, from which this target issues a certificate with its own
 *         identity (seeds 0x01..., 0x02...); byte 49 (if any) picks a byte
 *         of it to change and byte 50 what to xor it with.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static hearth_identity *signer;

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* What a certificate that verifies must say: its own bytes. */
static void check_fields(const uint8_t *in, size_t len, const hearth_device_cert *c)
{
	if (len != HEARTH_CERT_BYTES || c->version != 1 || c->device == 0 ||
	    c->device != be64(in + 9) || c->issued_ms != be64(in + 113) ||
	    memcmp(c->device_pk, in + 17, 32) != 0 ||
	    memcmp(c->identity.sign_pk, in + 49, 32) != 0 ||
	    memcmp(c->identity.box_pk, in + 81, 32) != 0 ||
	    memcmp(in, "HEARTHDC", 8) != 0)
		abort();
}

static void raw(const uint8_t *data, size_t size)
{
	hearth_device_cert c, p;
	uint8_t *copy;

	/* A copy of exactly size bytes, so that ASan sees any read past it. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	if (hearth_cert_verify(copy, size, NULL, &c) == HEARTH_OK) {
		check_fields(copy, size, &c);
		if (hearth_cert_parse(copy, size, &p) != HEARTH_OK ||
		    memcmp(&p, &c, sizeof p) != 0)
			abort();
	} else if (c.device != 0) {
		abort(); /* a refused certificate gives nothing back */
	}
	if (hearth_cert_parse(copy, size, &p) == HEARTH_OK &&
	    (size != HEARTH_CERT_BYTES || p.device == 0))
		abort();
	free(copy);
}

static void issued(const uint8_t *data, size_t size)
{
	uint8_t cert[HEARTH_CERT_BYTES];
	hearth_device_cert c;
	uint64_t device, issued_ms;

	if (size < 49)
		return;
	device = be64(data + 1);
	issued_ms = be64(data + 9);
	if (hearth_cert_issue(signer, device, data + 17, issued_ms, cert) != HEARTH_OK) {
		if (device != 0)
			abort();
		return;
	}
	if (hearth_cert_verify(cert, sizeof cert, hearth_identity_public_keys(signer),
			       &c) != HEARTH_OK)
		abort();
	check_fields(cert, sizeof cert, &c);
	if (size >= 51 && data[50] != 0) {
		cert[data[49] % sizeof cert] ^= data[50];
		if (hearth_cert_verify(cert, sizeof cert, NULL, NULL) == HEARTH_OK)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (signer == NULL) {
		uint8_t a[HEARTH_ID_SEEDBYTES], b[HEARTH_ID_SEEDBYTES];

		memset(a, 1, sizeof a);
		memset(b, 2, sizeof b);
		if (hearth_identity_from_seeds(a, b, &signer) != HEARTH_OK)
			abort();
	}
	if (size == 0)
		return 0;
	if (data[0] == 0)
		raw(data + 1, size - 1);
	else
		issued(data, size);
	return 0;
}
