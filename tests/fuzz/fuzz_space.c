/*
 * fuzz_space.c - a space's state is a function of the set of its control
 * ops: for any set the input builds, the state computed from the ops in
 * another order, with repeats, is the same byte for byte, and the answers
 * to "may this device write" agree with it (no crash, no read past the
 * ops' values).
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_space
 *   build-fuzz/tests/fuzz/fuzz_space -max_total_time=60 NEW_DIR tests/fuzz/corpus/space
 *
 * Random bytes would never make a valid genesis or certificate, so the
 * target starts from a real one: identities and device keys from fixed
 * seeds, a genesis by device 1 naming identity 0, and certificates for
 * devices 1-4 (device 4's identity is a stranger's).  Each 8 input bytes
 * then make one op: its author (device 1-4), kind (member or epoch), record
 * (one made earlier, or a new one), field, value (a certificate, "1", a
 * number, hex, text) and time.  The order and repeats of the second
 * computation come from a hash of the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/space.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NDEV 4
#define MAXOPS 256

static hearth_id space;
static char certhex[NDEV + 1][2 * HEARTH_CERT_BYTES + 1];
static char pkhex[NDEV + 1][65], boxhex[NDEV + 1][65];
static char creator[65], nonce[33];
static int ready;

static void setup(void)
{
	uint8_t seed[32], n[HEARTH_SPACE_NONCE_BYTES], cert[HEARTH_CERT_BYTES];
	hearth_identity *id[3];
	hearth_device_key *k;
	int i;

	if (hearth_crypto_init() != HEARTH_OK)
		abort();
	for (i = 0; i < 3; i++) {
		uint8_t s2[32];

		memset(seed, 0x10 + i, sizeof seed);
		memset(s2, 0x20 + i, sizeof s2);
		if (hearth_identity_from_seeds(seed, s2, &id[i]) != HEARTH_OK)
			abort();
	}
	/* Devices 1 and 2: identity 0 (the creator), 3: identity 1, 4:
	 * identity 2. */
	for (i = 1; i <= NDEV; i++) {
		const hearth_identity *who = id[i <= 2 ? 0 : i - 2];

		memset(seed, 0x40 + i, sizeof seed);
		if (hearth_device_key_from_seed(seed, &k) != HEARTH_OK ||
		    hearth_cert_issue(who, (uint64_t)i, hearth_device_key_public(k),
				      1700000000000ull, cert) != HEARTH_OK)
			abort();
		hearth_hex_encode(certhex[i], cert, sizeof cert);
		hearth_hex_encode(pkhex[i], hearth_identity_public_keys(who)->sign_pk, 32);
		hearth_hex_encode(boxhex[i], hearth_identity_public_keys(who)->box_pk, 32);
		hearth_device_key_free(k);
	}
	memset(n, 0x33, sizeof n);
	hearth_hex_encode(creator, hearth_identity_public_keys(id[0])->sign_pk, 32);
	hearth_hex_encode(nonce, n, sizeof n);
	space = hearth_space_id_derive(hearth_identity_public_keys(id[0])->sign_pk, n);
	for (i = 0; i < 3; i++)
		hearth_identity_free(id[i]);
	ready = 1;
}

typedef struct built {
	hearth_op ops[MAXOPS + 8];
	char values[MAXOPS + 8][24];
	hearth_id records[MAXOPS + 8];
	size_t n, nrec;
	uint64_t seq[NDEV + 1];
} built;

static void stamp(hearth_op *op, uint64_t ms, uint64_t dev, built *b)
{
	int i;

	for (i = 5; i >= 0; i--, ms >>= 8)
		op->hlc.b[i] = (uint8_t)ms;
	op->hlc.b[6] = op->hlc.b[7] = 0;
	for (i = 15; i >= 8; i--)
		op->hlc.b[i] = (uint8_t)(dev >> (8 * (15 - i)));
	op->id.device = dev;
	op->id.seq = ++b->seq[dev];
	op->space = space;
}

static hearth_op *add(built *b, uint64_t dev, uint64_t ms, const char *kind,
		      const hearth_id *rec, const char *field, const char *value)
{
	hearth_op *op = &b->ops[b->n++];

	memset(op, 0, sizeof *op);
	stamp(op, ms, dev, b);
	op->kind = kind;
	op->field = field;
	op->value = value;
	if (rec == NULL) { /* a creating op: its id derives from it */
		op->record = hearth_op_record_id(op);
		b->records[b->nrec++] = op->record;
	} else {
		op->record = *rec;
	}
	hearth_op_seal(op);
	return op;
}

static const char *const fields[] = {
	"identity", "box", "role", "removed", "device.%016llx", "cutoff.%016llx",
	"number", "check", "wrap.%016llx", "revoked.%016llx", "_kind",
};
static char fieldbuf[MAXOPS + 8][32];

static void build(built *b, const uint8_t *data, size_t size)
{
	hearth_id g;
	size_t i;

	memset(b, 0, sizeof *b);
	/* The genesis by device 1, and the creator's member record. */
	add(b, 1, 1000, HEARTH_KIND_SPACE, NULL, "_kind", HEARTH_KIND_SPACE);
	g = b->records[0];
	b->nrec = 0;
	add(b, 1, 1001, HEARTH_KIND_SPACE, &g, "creator", creator);
	add(b, 1, 1002, HEARTH_KIND_SPACE, &g, "nonce", nonce);
	snprintf(fieldbuf[0], sizeof fieldbuf[0], "device.%016llx", 1ull);
	add(b, 1, 1003, HEARTH_KIND_SPACE, &g, fieldbuf[0], certhex[1]);
	for (i = 0; i + 8 <= size && b->n < MAXOPS; i += 8) {
		const uint8_t *p = data + i;
		uint64_t dev = 1 + p[0] % NDEV, ms = 1004 + p[7] * 3u + (p[0] >> 4);
		const char *kind = p[1] & 1 ? HEARTH_KIND_EPOCH : HEARTH_KIND_MEMBER;
		unsigned f = p[2] % (sizeof fields / sizeof fields[0]);
		uint64_t target = 1 + p[3] % NDEV;
		const char *value;
		char *v = b->values[b->n];

		if (strcmp(fields[f], "_kind") == 0 || b->nrec == 0) {
			add(b, dev, ms, kind, NULL, "_kind", kind);
			continue;
		}
		snprintf(fieldbuf[b->n], sizeof fieldbuf[b->n], fields[f],
			 (unsigned long long)target);
		switch (p[4] % 8) {
		case 0: value = certhex[target]; break;
		case 1: value = "1"; break;
		case 2: snprintf(v, 24, "%u", p[5]); value = v; break;
		case 3: value = pkhex[target]; break;
		case 4: value = boxhex[target]; break;
		case 5: value = p[5] & 1 ? "lead" : "counsellor"; break;
		case 6: value = NULL; break;
		default: memset(v, 'a' + p[5] % 6, 23); v[23] = '\0'; value = v; break;
		}
		add(b, dev, ms, kind, &b->records[p[6] % b->nrec], fieldbuf[b->n], value);
	}
}

static char *dump(const hearth_op *ops, size_t n, hearth_space_state **keep)
{
	hearth_space_state *st;
	char *d;

	if (hearth_space_compute(&space, ops, n, &st) != HEARTH_OK ||
	    hearth_space_state_dump(st, &d) != HEARTH_OK)
		abort();
	*keep = st;
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static built b;
	hearth_op *mixed;
	hearth_space_state *s1, *s2;
	uint8_t h[32];
	char *d1, *d2;
	size_t i, n;
	uint64_t dev;

	if (!ready)
		setup();
	build(&b, data, size);
	crypto_generichash(h, sizeof h, data, size, NULL, 0);
	/* Every op, plus up to 16 repeats, in an order from the hash. */
	n = b.n + h[0] % 17;
	if ((mixed = malloc(n * sizeof *mixed)) == NULL)
		return 0;
	memcpy(mixed, b.ops, b.n * sizeof *mixed);
	for (i = b.n; i < n; i++)
		mixed[i] = b.ops[h[i % 32] % b.n];
	for (i = n; i > 1; i--) {
		size_t j = (size_t)(h[i % 32] * 131u + i * 7u) % i;
		hearth_op t = mixed[i - 1];

		mixed[i - 1] = mixed[j];
		mixed[j] = t;
		h[i % 32] = (uint8_t)(h[i % 32] * 33u + 1u);
	}
	d1 = dump(b.ops, b.n, &s1);
	d2 = dump(mixed, n, &s2);
	if (strcmp(d1, d2) != 0)
		abort();
	for (dev = 1; dev <= NDEV; dev++)
		if (hearth_space_may_write(s1, dev, 1, 40, 0, NULL, NULL) !=
		    hearth_space_may_write(s2, dev, 1, 40, 0, NULL, NULL))
			abort();
	free(d1);
	free(d2);
	hearth_space_state_free(s1);
	hearth_space_state_free(s2);
	free(mixed);
	return 0;
}
