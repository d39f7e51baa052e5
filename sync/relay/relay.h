/*
 * relay.h - the hearth-relay server, startable in-process (main.c runs
 * one; tests/test_relay.c starts and stops them on loopback ports).
 */
#ifndef HEARTH_RELAY_RELAY_H
#define HEARTH_RELAY_RELAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct relay_config {
	const char *listen;       /* "ADDR:PORT", "[ADDR6]:PORT"; port 0: any free one */
	const char *store;        /* "sqlite:PATH" or "postgresql://..." */
	const char *tls_cert_pem; /* PEM text of the certificate and key: both */
	const char *tls_key_pem;  /* or neither (plain HTTP) */
	uint64_t quota;           /* bytes per space; 0: no quota */
	double rate;              /* requests per second per device; 0: no limit */
	double burst;             /* the token bucket's size */
	unsigned threads;         /* worker threads (0: 4) */
	/* Fingerprints of the identities that may register new spaces (the
	 * creator of the space, as its genesis names it); none: anyone.
	 * Borrowed: they must outlive the server. */
	const char *const *register_allow;
	size_t nregister_allow;
	int64_t clock_offset;     /* seconds added to the system clock's time
				   * (0; tests set it to play a relay whose
				   * clock is wrong) */
} relay_config;

#define RELAY_DEFAULT_QUOTA (1024ull * 1024ull * 1024ull)
#define RELAY_DEFAULT_RATE 50.0
#define RELAY_DEFAULT_BURST 200.0
/* Request times within this many seconds of the relay's clock pass; a
 * nonce is remembered for twice that. */
#define RELAY_CLOCK_SKEW 300
#define RELAY_NONCE_WINDOW 600

typedef struct relay_server relay_server;

/* Opens the store (once, to create it and to fail early), binds and
 * starts serving in threads of its own.  0, or -1 with err. */
int relay_server_start(const relay_config *cfg, relay_server **out, char *err, size_t errlen);
/* The port bound (the one picked when 0 was asked). */
unsigned relay_server_port(const relay_server *s);
/* Stops serving (requests in flight end first) and frees everything. */
void relay_server_stop(relay_server *s);

#endif
