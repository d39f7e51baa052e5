/*
 * keyfile.c - vault.json: reading, writing, checking and locking it.
 *
 *   {
 *     "format": 2,
 *     "vault_id": "<32 hex>",
 *     "passphrase": { "kdf": KDF, "wrapped_key": "<144 hex>" },
 *     "recovery":   { "kdf": KDF, "wrapped_key": "<144 hex>" }
 *   }
 *   KDF = { "alg": "argon2id13", "opslimit": N, "memlimit": N,
 *           "salt": "<32 hex>" }
 *
 * Format 2 binds each key wrap to the file's clear facts (see
 * hearth_keyslot_ad()).  Format 1 bound the slot label only; it is still
 * read, and a slot carried over from it into a format 2 file (the
 * recovery slot, until the code is next used) says so with
 * "legacy_ad": true.
 *
 * The file is outside input: anyone who can write the vault directory can
 * put anything in it.  Every field is checked for type and size before it
 * is used, and the stored Argon2id cost must lie between the floor of
 * hearth_kdf_params_check() and the caps of hearth_keyfile_kdf_check(), so
 * a crafted file cannot make an open ask for terabytes of memory or
 * billions of passes, or skip key stretching.  Unknown members are
 * ignored, so a later version may add some without raising the format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "hearth/crypto.h"
#include "keyfile_private.h"

/* Copies the current detail before a new hearth_fail overwrites it. */
static void detail_copy(char *buf, size_t size)
{
	snprintf(buf, size, "%s", hearth_errdetail());
}

static hearth_status bad(const char *name, const char *what, const char *why)
{
	return hearth_fail(HEARTH_EFORMAT, "malformed '%s': %s %s", name, what, why);
}

static hearth_status get_hex(uint8_t *out, size_t len, json_t *obj,
			     const char *key, const char *where, const char *name)
{
	json_t *v = json_object_get(obj, key);
	char what[64];

	snprintf(what, sizeof what, "%s%s\"%s\"", where, *where ? "." : "", key);
	if (v == NULL)
		return bad(name, what, "is missing");
	if (!json_is_string(v))
		return bad(name, what, "is not a string");
	if (json_string_length(v) != 2 * len ||
	    strlen(json_string_value(v)) != 2 * len) {
		char why[64];

		snprintf(why, sizeof why, "must have %zu hex digits", 2 * len);
		return bad(name, what, why);
	}
	if (hearth_hex_decode(out, len, json_string_value(v)) != HEARTH_OK)
		return bad(name, what, "is not hexadecimal");
	return HEARTH_OK;
}

static hearth_status get_uint(uint64_t *out, json_t *obj, const char *key,
			      const char *where, const char *name)
{
	json_t *v = json_object_get(obj, key);
	char what[64];

	snprintf(what, sizeof what, "%s.\"%s\"", where, key);
	if (v == NULL)
		return bad(name, what, "is missing");
	if (!json_is_integer(v))
		return bad(name, what, "is not an integer");
	if (json_integer_value(v) < 0)
		return bad(name, what, "is negative");
	*out = (uint64_t)json_integer_value(v);
	return HEARTH_OK;
}

/* Above the caps is told apart from below the floor: the cap is this
 * file's own rule, and the message names the field and the limit. */
static hearth_status check_caps(const hearth_kdf_params *kdf, const char *sub,
				const char *name)
{
	char what[96], why[128];

	if (kdf->memlimit > HEARTH_KEYFILE_MAX_MEMLIMIT) {
		snprintf(what, sizeof what, "%s.\"memlimit\"", sub);
		snprintf(why, sizeof why,
			 "is %llu bytes: above the limit of %llu bytes (4 GiB)",
			 (unsigned long long)kdf->memlimit,
			 (unsigned long long)HEARTH_KEYFILE_MAX_MEMLIMIT);
		return bad(name, what, why);
	}
	if (kdf->opslimit > HEARTH_KEYFILE_MAX_OPSLIMIT) {
		snprintf(what, sizeof what, "%s.\"opslimit\"", sub);
		snprintf(why, sizeof why, "is %llu passes: above the limit of %u passes",
			 (unsigned long long)kdf->opslimit, HEARTH_KEYFILE_MAX_OPSLIMIT);
		return bad(name, what, why);
	}
	return HEARTH_OK;
}

static hearth_status parse_slot(hearth_keyslot *slot, json_t *root,
				const char *key, int format, const char *name)
{
	json_t *obj = json_object_get(root, key), *kdf, *alg, *legacy;
	char where[64], sub[80];
	hearth_status st;

	snprintf(where, sizeof where, "\"%s\"", key);
	if (obj == NULL)
		return bad(name, where, "is missing");
	if (!json_is_object(obj))
		return bad(name, where, "is not an object");
	snprintf(sub, sizeof sub, "%s.\"kdf\"", where);
	kdf = json_object_get(obj, "kdf");
	if (kdf == NULL)
		return bad(name, sub, "is missing");
	if (!json_is_object(kdf))
		return bad(name, sub, "is not an object");
	alg = json_object_get(kdf, "alg");
	if (alg == NULL)
		return bad(name, sub, "has no \"alg\"");
	if (!json_is_string(alg) ||
	    strcmp(json_string_value(alg), HEARTH_KEYFILE_KDF_ALG) != 0)
		return bad(name, sub, "names an unknown algorithm (expected \""
			   HEARTH_KEYFILE_KDF_ALG "\")");
	if ((st = get_uint(&slot->kdf.opslimit, kdf, "opslimit", sub, name)) != HEARTH_OK ||
	    (st = get_uint(&slot->kdf.memlimit, kdf, "memlimit", sub, name)) != HEARTH_OK ||
	    (st = get_hex(slot->salt, sizeof slot->salt, kdf, "salt", sub, name)) != HEARTH_OK)
		return st;
	if ((st = check_caps(&slot->kdf, sub, name)) != HEARTH_OK)
		return st;
	if (hearth_kdf_params_check(&slot->kdf) != HEARTH_OK) {
		char why[160];

		detail_copy(why, sizeof why);
		return bad(name, sub, why);
	}
	/* Format 1 knew one binding; format 2 marks the slots it carried
	 * over.  An unmarked format 2 slot must unwrap under the full
	 * binding, so marking or unmarking one gains nothing. */
	slot->legacy_ad = format == HEARTH_VAULT_FORMAT_LABEL_AD;
	legacy = json_object_get(obj, "legacy_ad");
	if (format > HEARTH_VAULT_FORMAT_LABEL_AD && legacy != NULL) {
		char what[96];

		snprintf(what, sizeof what, "%s.\"legacy_ad\"", where);
		if (!json_is_boolean(legacy))
			return bad(name, what, "is not true or false");
		slot->legacy_ad = json_is_true(legacy);
	}
	return get_hex(slot->wrapped, sizeof slot->wrapped, obj, "wrapped_key",
		       where, name);
}

hearth_status hearth_keyfile_kdf_check(const hearth_kdf_params *kdf)
{
	if (kdf != NULL && kdf->memlimit > HEARTH_KEYFILE_MAX_MEMLIMIT)
		return hearth_fail(HEARTH_EINVAL,
				   "key derivation memory %llu bytes is above the limit of "
				   "%llu bytes (4 GiB)", (unsigned long long)kdf->memlimit,
				   (unsigned long long)HEARTH_KEYFILE_MAX_MEMLIMIT);
	if (kdf != NULL && kdf->opslimit > HEARTH_KEYFILE_MAX_OPSLIMIT)
		return hearth_fail(HEARTH_EINVAL,
				   "key derivation passes %llu is above the limit of %u",
				   (unsigned long long)kdf->opslimit,
				   HEARTH_KEYFILE_MAX_OPSLIMIT);
	return hearth_kdf_params_check(kdf);
}

void hearth_keyslot_ad(char ad[HEARTH_KEYSLOT_AD_MAX], const hearth_keyfile *kf,
		       const hearth_keyslot *slot, const char *label)
{
	char id[2 * HEARTH_IDBYTES + 1], salt[2 * HEARTH_SALTBYTES + 1];

	if (slot->legacy_ad) {
		snprintf(ad, HEARTH_KEYSLOT_AD_MAX, "%s", label);
		return;
	}
	hearth_hex_encode(id, kf->vault_id, sizeof kf->vault_id);
	hearth_hex_encode(salt, slot->salt, sizeof slot->salt);
	/* Every field has a fixed alphabet without spaces (hex, digits, a
	 * label of ours), so the text reads back one way only. */
	snprintf(ad, HEARTH_KEYSLOT_AD_MAX,
		 "hearth-keyslot format=%d vault=%s slot=%s alg=%s memlimit=%llu "
		 "opslimit=%llu salt=%s", kf->format, id, label,
		 HEARTH_KEYFILE_KDF_ALG, (unsigned long long)slot->kdf.memlimit,
		 (unsigned long long)slot->kdf.opslimit, salt);
}

hearth_status hearth_keyfile_parse(hearth_keyfile *out, const char *text,
				   size_t len, const char *name)
{
	hearth_keyfile kf;
	json_error_t jerr;
	json_t *root = NULL, *fmt;
	hearth_status st;

	if (out == NULL || (text == NULL && len > 0))
		return hearth_fail(HEARTH_EINVAL, "no vault.json text to parse");
	if (name == NULL)
		name = HEARTH_VAULT_KEYFILE;
	memset(&kf, 0, sizeof kf);
	if (len > HEARTH_KEYFILE_MAX_BYTES) {
		st = bad(name, "the file", "is too large");
		goto out;
	}
	root = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		st = hearth_fail(HEARTH_EFORMAT, "malformed '%s': not JSON (line %d: %s)",
				 name, jerr.line, jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		st = bad(name, "the document", "is not a JSON object");
		goto out;
	}
	fmt = json_object_get(root, "format");
	if (fmt == NULL) {
		st = bad(name, "\"format\"", "is missing");
		goto out;
	}
	if (!json_is_integer(fmt)) {
		st = bad(name, "\"format\"", "is not an integer");
		goto out;
	}
	/* A newer format may have changed any other member: look no
	 * further. */
	if (json_integer_value(fmt) > HEARTH_KEYFILE_FORMAT) {
		out->format = json_integer_value(fmt) > 1000000 ?
			1000000 : (int)json_integer_value(fmt);
		st = hearth_fail(HEARTH_ENEWER,
				 "'%s' was made by a newer version of hearth (format %lld)",
				 name, (long long)json_integer_value(fmt));
		goto out;
	}
	if (json_integer_value(fmt) < 1) {
		st = bad(name, "\"format\"", "is not a known version");
		goto out;
	}
	kf.format = (int)json_integer_value(fmt);
	if ((st = get_hex(kf.vault_id, sizeof kf.vault_id, root, "vault_id", "",
			  name)) != HEARTH_OK ||
	    (st = parse_slot(&kf.passphrase, root, HEARTH_SLOT_PASSPHRASE, kf.format,
			     name)) != HEARTH_OK ||
	    (st = parse_slot(&kf.recovery, root, HEARTH_SLOT_RECOVERY, kf.format,
			     name)) != HEARTH_OK)
		goto out;
	*out = kf;
	st = HEARTH_OK;
out:
	json_decref(root);
	return st;
}

static json_t *slot_to_json(const hearth_keyslot *slot, int format)
{
	char salt[2 * HEARTH_SALTBYTES + 1];
	char wrapped[2 * HEARTH_WRAPPEDBYTES + 1];
	json_t *o;

	hearth_hex_encode(salt, slot->salt, sizeof slot->salt);
	hearth_hex_encode(wrapped, slot->wrapped, sizeof slot->wrapped);
	o = json_pack("{s:{s:s, s:I, s:I, s:s}, s:s}",
		      "kdf",
		      "alg", HEARTH_KEYFILE_KDF_ALG,
		      "opslimit", (json_int_t)slot->kdf.opslimit,
		      "memlimit", (json_int_t)slot->kdf.memlimit,
		      "salt", salt,
		      "wrapped_key", wrapped);
	/* Format 1 says nothing: every slot of it is legacy. */
	if (o != NULL && slot->legacy_ad && format > HEARTH_VAULT_FORMAT_LABEL_AD &&
	    json_object_set_new(o, "legacy_ad", json_true()) != 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

hearth_status hearth_keyfile_format(const hearth_keyfile *kf, char **out)
{
	char id[2 * HEARTH_IDBYTES + 1];
	json_t *root = NULL;
	hearth_status st = HEARTH_ENOMEM;

	*out = NULL;
	hearth_hex_encode(id, kf->vault_id, sizeof kf->vault_id);
	/* "o" steals the reference, also when packing fails. */
	root = json_pack("{s:i, s:s, s:o, s:o}",
			 "format", kf->format,
			 "vault_id", id,
			 HEARTH_SLOT_PASSPHRASE, slot_to_json(&kf->passphrase, kf->format),
			 HEARTH_SLOT_RECOVERY, slot_to_json(&kf->recovery, kf->format));
	if (root == NULL)
		goto out;
	*out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (*out == NULL)
		goto out;
	st = HEARTH_OK;
out:
	json_decref(root);
	if (st != HEARTH_OK)
		hearth_fail(st, "cannot format vault.json: out of memory");
	return st;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

hearth_status hearth_keyfile_load(hearth_keyfile *out, const char *dir)
{
	char *path = path_join(dir, HEARTH_VAULT_KEYFILE);
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1;
	hearth_status st;

	if (path == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			st = hearth_fail(HEARTH_ENOVAULT,
					 "no vault at '%s': run 'hearth init'", dir);
		else
			st = hearth_fail(HEARTH_EIO, "cannot read '%s': %s", path,
					 strerror(errno));
		goto out;
	}
	/* One byte more than the limit tells a too-large file apart. */
	buf = malloc(HEARTH_KEYFILE_MAX_BYTES + 1);
	if (buf == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
		goto out;
	}
	while (len < HEARTH_KEYFILE_MAX_BYTES + 1) {
		n = read(fd, buf + len, HEARTH_KEYFILE_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st = hearth_fail(HEARTH_EIO, "cannot read '%s': %s", path,
					 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	st = hearth_keyfile_parse(out, buf, len, path);
	if (st == HEARTH_ENEWER)
		st = hearth_fail(HEARTH_ENEWER,
				 "vault at '%s' was made by a newer version of hearth (format %d)",
				 dir, out->format);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return st;
}

static hearth_status write_all(int fd, const char *data, size_t len,
			       const char *path)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hearth_fail(HEARTH_EIO, "cannot write '%s': %s", path,
					   strerror(errno));
		data += n;
		len -= (size_t)n;
	}
	return HEARTH_OK;
}

/* Makes a rename or link in dir durable. */
static hearth_status sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	hearth_status st = HEARTH_OK;

	if (fd < 0)
		return hearth_fail(HEARTH_EIO, "cannot open directory '%s': %s", dir,
				   strerror(errno));
	/* Some file systems cannot sync a directory (EINVAL): they give no
	 * stronger promise to ask for, so that is not a failure. */
	if (fsync(fd) != 0 && errno != EINVAL)
		st = hearth_fail(HEARTH_EIO, "cannot sync directory '%s': %s", dir,
				 strerror(errno));
	close(fd);
	return st;
}

/* Writes len bytes of data to a new file in dir (mode 0600, a name no one
 * else holds) and syncs it.  *tmp is its malloc'd name; on failure the
 * file is already gone and *tmp NULL. */
static hearth_status write_temp(const char *dir, const char *base,
				const char *data, size_t len, char **tmp)
{
	char pattern[64];
	hearth_status st = HEARTH_OK;
	int fd;

	snprintf(pattern, sizeof pattern, ".%s.XXXXXX", base);
	*tmp = path_join(dir, pattern);
	if (*tmp == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	/* mkstemp makes the file with mode 0600 and a name no one else
	 * holds. */
	fd = mkstemp(*tmp);
	if (fd < 0) {
		st = hearth_fail(HEARTH_EIO, "cannot create a file in '%s': %s", dir,
				 strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return st;
	}
	st = write_all(fd, data, len, *tmp);
	if (st == HEARTH_OK && fsync(fd) != 0)
		st = hearth_fail(HEARTH_EIO, "cannot sync '%s': %s", *tmp, strerror(errno));
	if (close(fd) != 0 && st == HEARTH_OK)
		st = hearth_fail(HEARTH_EIO, "cannot write '%s': %s", *tmp, strerror(errno));
	if (st != HEARTH_OK) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return st;
}

/* Puts data at dir/name atomically: a synced temporary file renamed over
 * it, then the directory synced. */
static hearth_status replace_file(const char *dir, const char *name,
				  const char *data, size_t len)
{
	char *path = path_join(dir, name), *tmp = NULL;
	hearth_status st;

	if (path == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	if ((st = write_temp(dir, name, data, len, &tmp)) != HEARTH_OK)
		goto out;
	if (rename(tmp, path) != 0) {
		st = hearth_fail(HEARTH_EIO, "cannot replace '%s': %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	st = sync_dir(dir);
out:
	free(tmp);
	free(path);
	return st;
}

/* Creates dir/name from data, failing with HEARTH_EEXISTS if it exists:
 * link() refuses to replace, so two creators racing cannot both win.
 * File systems without hard links fall back to a check then rename, which
 * is racy but no worse than the caller's own check. */
static hearth_status create_file(const char *dir, const char *name,
				 const char *data, size_t len)
{
	char *path = path_join(dir, name), *tmp = NULL;
	struct stat sb;
	hearth_status st;

	if (path == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	if ((st = write_temp(dir, name, data, len, &tmp)) != HEARTH_OK)
		goto out;
	if (link(tmp, path) == 0) {
		/* Drop the temporary name before the directory sync so both
		 * changes are made durable together. */
		unlink(tmp);
	} else if (errno == EEXIST) {
		st = hearth_fail(HEARTH_EEXISTS, "a vault exists already at '%s'", dir);
	} else if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS) {
		st = hearth_fail(HEARTH_EIO, "cannot create '%s': %s", path, strerror(errno));
	} else if (lstat(path, &sb) == 0) {
		st = hearth_fail(HEARTH_EEXISTS, "a vault exists already at '%s'", dir);
	} else if (rename(tmp, path) != 0) {
		st = hearth_fail(HEARTH_EIO, "cannot create '%s': %s", path, strerror(errno));
	}
	if (st != HEARTH_OK) {
		unlink(tmp);
		goto out;
	}
	st = sync_dir(dir);
out:
	free(tmp);
	free(path);
	return st;
}

hearth_status hearth_keyfile_store(const hearth_keyfile *kf, const char *dir,
				   int exclusive)
{
	char *text = NULL;
	hearth_status st;

	if ((st = hearth_keyfile_format(kf, &text)) != HEARTH_OK)
		return st;
	if (exclusive)
		st = create_file(dir, HEARTH_VAULT_KEYFILE, text, strlen(text));
	else
		st = replace_file(dir, HEARTH_VAULT_KEYFILE, text, strlen(text));
	free(text);
	return st;
}

hearth_status hearth_keyfile_lock(const char *dir, int *fd)
{
	char *path = path_join(dir, HEARTH_VAULT_KEYFILE);
	hearth_status st = HEARTH_OK;
	struct stat held, named;

	*fd = -1;
	if (path == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	/* A change replaces vault.json by rename, so the lock is on one
	 * version of the file: one granted on a version no longer at the
	 * name came after a change finished, and is taken again on the new
	 * one.  A few rounds are plenty: each needs a whole change to
	 * finish in between. */
	for (int round = 0; round < 8; round++) {
		int f = open(path, O_RDONLY | O_CLOEXEC);

		if (f < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				st = hearth_fail(HEARTH_ENOVAULT,
						 "no vault at '%s': run 'hearth init'", dir);
			else
				st = hearth_fail(HEARTH_EIO, "cannot open '%s': %s", path,
						 strerror(errno));
			goto out;
		}
		while (flock(f, LOCK_EX | LOCK_NB) != 0) {
			if (errno == EINTR)
				continue;
			if (errno == EWOULDBLOCK)
				st = hearth_fail(HEARTH_EBUSY,
						 "another change to the key file is in progress");
			else
				st = hearth_fail(HEARTH_EIO, "cannot lock '%s': %s", path,
						 strerror(errno));
			close(f);
			goto out;
		}
		if (fstat(f, &held) == 0 && stat(path, &named) == 0 &&
		    held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
			*fd = f;
			goto out;
		}
		close(f);
	}
	st = hearth_fail(HEARTH_EBUSY, "another change to the key file is in progress");
out:
	free(path);
	return st;
}

void hearth_keyfile_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

hearth_status hearth_vault_marker_write(const char *dir,
					const uint8_t id[HEARTH_IDBYTES])
{
	char text[2 * HEARTH_IDBYTES + 2];

	hearth_hex_encode(text, id, HEARTH_IDBYTES);
	text[2 * HEARTH_IDBYTES] = '\n';
	text[2 * HEARTH_IDBYTES + 1] = '\0';
	return replace_file(dir, HEARTH_VAULT_IDFILE, text, sizeof text - 1);
}

int hearth_vault_marker_read(const char *dir, uint8_t id[HEARTH_IDBYTES])
{
	char *path = path_join(dir, HEARTH_VAULT_IDFILE);
	char text[2 * HEARTH_IDBYTES + 2]; /* one byte more tells a longer file */
	ssize_t n = -1;
	int fd, found = 0;

	if (path == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		do
			n = read(fd, text, sizeof text);
		while (n < 0 && errno == EINTR);
		close(fd);
	}
	/* Exactly the id and a newline; anything else is not ours. */
	if (n == 2 * HEARTH_IDBYTES + 1 && text[2 * HEARTH_IDBYTES] == '\n') {
		text[2 * HEARTH_IDBYTES] = '\0';
		found = hearth_hex_decode(id, HEARTH_IDBYTES, text) == HEARTH_OK;
	}
	free(path);
	return found;
}
