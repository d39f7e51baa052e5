/*
 * lan.h - `hearth-relay --lan`: a self-signed certificate for a relay on
 * a laptop, and how others find and pin it (lan.c).
 */
#ifndef HEARTH_RELAY_LAN_H
#define HEARTH_RELAY_LAN_H

#include <stddef.h>

/* Loads dir/relay-cert.pem and dir/relay-key.pem, making them first if
 * they are not there (a P-256 key, a self-signed certificate for ten
 * years): kept, so the fingerprint others pinned stays the same across
 * restarts.  *cert and *key get the PEM texts (malloc'd), fp the
 * fingerprint as libcurl's CURLOPT_PINNEDPUBLICKEY takes it:
 * "sha256//" and the base64 of SHA-256 over the DER SubjectPublicKeyInfo.
 * 0, or -1 with err. */
int relay_lan_cert(const char *dir, char **cert, char **key, char *fp, size_t fplen,
		   char *err, size_t errlen);

/* The fingerprint of the public key of a PEM certificate file (as above). */
int relay_cert_fingerprint(const char *pem, char *fp, size_t fplen);

/* Prints text as a QR code drawn with Unicode half blocks to f
 * (nothing without libqrencode). */
void relay_qr_print(const char *text, void *f);

#endif
