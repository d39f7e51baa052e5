/*
 * bench_envelope.c - sealing and opening envelopes of 1,000 ops, against
 * baselines measured in the same run on the same plaintext sizes:
 *
 *   aead     XChaCha20-Poly1305 encrypt + decrypt of a buffer the size of
 *            the envelope's padded plaintext (libsodium, nothing else);
 *   crypto   the same plus an Ed25519 signature and its verification
 *            over the ciphertext: every cryptographic step an envelope
 *            takes, without the op encoding and the checks;
 *   envelope hearth_envelope_seal + hearth_envelope_open: the above plus
 *            the ops' canonical encoding, padding, decoding, the store's
 *            checks of every op and the recomputed op hashes.
 *
 * The ops are shaped like the vault's (a person record's creation, then
 * field writes with values of 10-60 bytes, some replacing earlier values).
 * Times are CPU times of the process (steadier than the wall clock on a
 * shared machine); each side runs HEARTH_BENCH_ROUNDS rounds (default 5),
 * sides alternating, and the fastest round of each is kept.
 *
 *   meson setup build-rel -Dbuildtype=release -Dbench=true -Dgui=false
 *   ninja -C build-rel tests/bench/bench_envelope
 *   build-rel/tests/bench/bench_envelope [envelopes per round]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hearth/envelope.h"

#define BATCH 1000
#define DEVICE UINT64_C(0x1234567890abcdef)

static const char *const names[] = {
	"name", "unit", "phone", "risk", "counsellor", "tags", "note", "status",
};

static uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static uint8_t key[HEARTH_EPOCH_KEYBYTES];
static hearth_id space;

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_envelope: %s: %s\n", what, hearth_errdetail());
	exit(1);
}

static int device_key(void *ctx, const hearth_envelope_info *info, uint8_t out[32])
{
	(void)ctx;
	(void)info;
	memcpy(out, pk, sizeof pk);
	return 0;
}

static int epoch_key(void *ctx, const hearth_id *sp, uint64_t epoch, uint8_t out[32])
{
	(void)ctx;
	(void)sp;
	(void)epoch;
	memcpy(out, key, sizeof key);
	return 0;
}

/* Envelope e's ops: seqs e * BATCH + 1 ...; texts live in values[]. */
static void make_batch(hearth_op *ops, hearth_op_id *prev, char (*values)[64],
		       size_t e)
{
	size_t i;

	for (i = 0; i < BATCH; i++) {
		uint64_t seq = (uint64_t)e * BATCH + i + 1;
		hearth_op *op = &ops[i];

		memset(op, 0, sizeof *op);
		op->id.device = DEVICE;
		op->id.seq = seq;
		op->hlc = hearth_hlc_make(UINT64_C(1700000000000) + seq, 0, DEVICE);
		op->space = space;
		memset(op->record.b, 0, sizeof op->record.b);
		memcpy(op->record.b, &seq, sizeof seq); /* ten ops per record */
		op->record.b[0] = (uint8_t)(seq / 10);
		op->kind = "person";
		if (seq % 10 == 1) {
			op->field = "_kind";
			op->value = "person";
		} else {
			op->field = names[seq % 8];
			snprintf(values[i], 64, "value %llu, 第%llu次 %.*s",
				 (unsigned long long)seq, (unsigned long long)seq % 7,
				 (int)(seq % 40), "........................................");
			op->value = values[i];
			if (seq % 3 == 0 && i > 0) {
				prev[i].device = DEVICE;
				prev[i].seq = seq - 1;
				op->prev = &prev[i];
				op->nprev = 1;
			}
		}
		hearth_op_seal(op);
	}
}

int main(int argc, char **argv)
{
	const hearth_envelope_trust trust = { device_key, epoch_key, NULL };
	size_t n_env = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 50;
	const char *r_env = getenv("HEARTH_BENCH_ROUNDS");
	int rounds = r_env != NULL ? atoi(r_env) : 5, r;
	double best[3] = { 1e30, 1e30, 1e30 };
	size_t e, plain_bytes = 0, env_bytes = 0;
	hearth_op *ops = calloc(BATCH, sizeof *ops);
	hearth_op_id *prev = calloc(BATCH, sizeof *prev);
	char (*values)[64] = calloc(BATCH, sizeof *values);
	uint8_t **envs = calloc(n_env, sizeof *envs);
	size_t *lens = calloc(n_env, sizeof *lens);
	uint8_t *buf, *ct, nonce[24], sig[64];

	if (sodium_init() < 0 || ops == NULL || prev == NULL || values == NULL ||
	    envs == NULL || lens == NULL || n_env == 0 || rounds < 1)
		die("setup");
	crypto_sign_keypair(pk, sk);
	randombytes_buf(key, sizeof key);
	randombytes_buf(space.b, sizeof space.b);
	randombytes_buf(nonce, sizeof nonce);
	/* The sizes the baselines work on: each envelope's padded plaintext. */
	for (e = 0; e < n_env; e++) {
		make_batch(ops, prev, values, e);
		if (hearth_envelope_seal(ops, BATCH, &space, 1, key, sk, &envs[e],
					 &lens[e]) != HEARTH_OK)
			die("seal");
		env_bytes += lens[e];
		plain_bytes += lens[e] - 101 - 16 - 64;
	}
	buf = malloc(plain_bytes / n_env * 2 + 64);
	ct = malloc(plain_bytes / n_env * 2 + 64);
	if (buf == NULL || ct == NULL)
		die("setup");
	randombytes_buf(buf, plain_bytes / n_env * 2);

	printf("bench_envelope: %zu envelopes of %d ops per round, %d rounds, "
	       "%.1f bytes of envelope per op (%.1f of padded plaintext)\n",
	       n_env, BATCH, rounds, (double)env_bytes / ((double)n_env * BATCH),
	       (double)plain_bytes / ((double)n_env * BATCH));
	for (r = 0; r < rounds; r++) {
		double t;

		/* aead and crypto: per envelope, its own plaintext size. */
		t = cpu_now();
		for (e = 0; e < n_env; e++) {
			size_t m = lens[e] - 101 - 16 - 64;

			crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, buf, m, buf, 57,
								   NULL, nonce, key);
			if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, NULL, NULL, ct,
								       m + 16, buf, 57,
								       nonce, key) != 0)
				die("aead");
		}
		t = cpu_now() - t;
		if (t < best[0])
			best[0] = t;

		t = cpu_now();
		for (e = 0; e < n_env; e++) {
			size_t m = lens[e] - 101 - 16 - 64;

			crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, buf, m, buf, 57,
								   NULL, nonce, key);
			crypto_sign_detached(sig, NULL, ct, m + 16, sk);
			if (crypto_sign_verify_detached(sig, ct, m + 16, pk) != 0 ||
			    crypto_aead_xchacha20poly1305_ietf_decrypt(buf, NULL, NULL, ct,
								       m + 16, buf, 57,
								       nonce, key) != 0)
				die("crypto");
		}
		t = cpu_now() - t;
		if (t < best[1])
			best[1] = t;

		/* The ops are built outside the timed part, as a store would
		 * hand them over. */
		t = 0;
		for (e = 0; e < n_env; e++) {
			hearth_envelope_batch b;
			uint8_t *env;
			size_t len;
			double t0;

			make_batch(ops, prev, values, e);
			t0 = cpu_now();
			if (hearth_envelope_seal(ops, BATCH, &space, 1, key, sk, &env,
						 &len) != HEARTH_OK)
				die("seal");
			if (hearth_envelope_open(env, len, &trust, &b) != HEARTH_OK ||
			    b.n != BATCH)
				die("open");
			hearth_envelope_batch_release(&b);
			free(env);
			t += cpu_now() - t0;
		}
		if (t < best[2])
			best[2] = t;
	}
	{
		static const char *const side[3] = { "aead", "crypto", "envelope" };
		double n_ops = (double)n_env * BATCH;
		int i;

		for (i = 0; i < 3; i++)
			printf("%-9s %10.0f ops/s %8.1f MB/s (envelope bytes)  x%.2f of aead  x%.2f of crypto\n",
			       side[i], n_ops / best[i], (double)env_bytes / 1e6 / best[i],
			       best[i] / best[0], best[i] / best[1]);
	}
	for (e = 0; e < n_env; e++)
		free(envs[e]);
	free(envs);
	free(lens);
	free(ops);
	free(prev);
	free(values);
	free(buf);
	free(ct);
	return 0;
}
