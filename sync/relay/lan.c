/*
 * lan.c - the LAN mode's certificate (OpenSSL's libcrypto) and its QR
 * code (libqrencode), lan.h.
 *
 * A relay on a laptop at a team meeting has no name a CA would vouch
 * for: it makes its own certificate and prints the SHA-256 of its public
 * key, which the others pin (`hearth sync --relay URL --pin FP`).  The
 * pin is of the key, not of the certificate, so the certificate may be
 * made again from the same key without breaking it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#ifdef HEARTH_RELAY_QR
#include <qrencode.h>
#endif

#include "lan.h"

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < 1 << 20 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else {
			s[n] = '\0';
		}
	}
	fclose(f);
	return s;
}

static int fingerprint_of(X509 *x, char *fp, size_t fplen)
{
	unsigned char *der = NULL, md[32], b64[64];
	int n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	unsigned mdlen = 0;

	if (n <= 0)
		return -1;
	if (EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	EVP_EncodeBlock(b64, md, 32);
	snprintf(fp, fplen, "sha256//%s", (const char *)b64);
	return 0;
}

int relay_cert_fingerprint(const char *pem, char *fp, size_t fplen)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	int rc = x != NULL ? fingerprint_of(x, fp, fplen) : -1;

	X509_free(x);
	BIO_free(b);
	return rc;
}

/* Writes a new key and certificate to the two paths. */
static int make_cert(const char *cert_path, const char *key_path, char *err, size_t errlen)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	X509_EXTENSION *ext = NULL;
	FILE *f = NULL;
	int rc = -1, fd;

	if (k == NULL || x == NULL)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
	X509_set_pubkey(x, k);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"hearth-relay LAN", -1, -1, 0);
	X509_set_issuer_name(x, name);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:FALSE");
	if (ext == NULL || !X509_add_ext(x, ext, -1))
		goto out;
	if (X509_sign(x, k, EVP_sha256()) <= 0)
		goto out;
	/* The key is written readable by its owner only. */
	fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "cannot write '%s': %s", key_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		f = NULL;
		rc = -2;
		goto out;
	}
	if (!PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) || fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	if ((f = fopen(cert_path, "w")) == NULL) {
		snprintf(err, errlen, "cannot write '%s': %s", cert_path, strerror(errno));
		rc = -2;
		goto out;
	}
	if (!PEM_write_X509(f, x) || fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (rc == -1)
		snprintf(err, errlen, "cannot make a certificate");
	X509_EXTENSION_free(ext);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc == 0 ? 0 : -1;
}

int relay_lan_cert(const char *dir, char **cert, char **key, char *fp, size_t fplen,
		   char *err, size_t errlen)
{
	char cert_path[4096], key_path[4096];
	struct stat sb;

	*cert = *key = NULL;
	snprintf(cert_path, sizeof cert_path, "%s/relay-cert.pem", dir);
	snprintf(key_path, sizeof key_path, "%s/relay-key.pem", dir);
	if (stat(key_path, &sb) != 0 && make_cert(cert_path, key_path, err, errlen) != 0)
		return -1;
	*cert = read_file(cert_path);
	*key = read_file(key_path);
	if (*cert == NULL || *key == NULL || relay_cert_fingerprint(*cert, fp, fplen) != 0) {
		snprintf(err, errlen, "cannot read the certificate '%s' and its key '%s'",
			 cert_path, key_path);
		free(*cert);
		free(*key);
		*cert = *key = NULL;
		return -1;
	}
	return 0;
}

void relay_qr_print(const char *text, void *out)
{
#ifdef HEARTH_RELAY_QR
	FILE *f = out;
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	int w, x, y, quiet = 2;

	if (q == NULL)
		return;
	w = q->width;
	/* Two rows of modules per line of text: the upper half block is the
	 * upper module.  Light modules are drawn (terminals are mostly dark),
	 * with a light quiet zone around. */
	for (y = -quiet; y < w + quiet; y += 2) {
		for (x = -quiet; x < w + quiet; x++) {
			int top = y >= 0 && y < w && x >= 0 && x < w && (q->data[y * w + x] & 1);
			int bot = y + 1 >= 0 && y + 1 < w && x >= 0 && x < w &&
				  (q->data[(y + 1) * w + x] & 1);

			fputs(top ? (bot ? " " : "\u2584") : (bot ? "\u2580" : "\u2588"), f);
		}
		fputc('\n', f);
	}
	QRcode_free(q);
#else
	(void)text, (void)out;
#endif
}
