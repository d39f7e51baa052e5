/*
 * vault_private.h - the vault's test hooks (vault.c): build a vault whose
 * database stops at an earlier schema version or whose key file is in
 * format 1.  Includes the key file's private header (crypto/), which the
 * vault's tests use too.
 *
 * Not installed; nothing outside libhearth's own tree may rely on it.
 */
#ifndef HEARTH_VAULT_PRIVATE_H
#define HEARTH_VAULT_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "hearth/crypto.h"
#include "hearth/status.h"
#include "hearth/vault.h"

#include "../crypto/keyfile_private.h"

/* Test hook: creates a vault exactly as hearth_vault_create does but
 * migrates its database only to schema_version, and leaves it closed (no
 * store can open an old schema).  recovery_code may be NULL. */
hearth_status hearth_vault_build(const char *dir, const char *passphrase,
				 size_t passphrase_len,
				 const hearth_vault_options *opt,
				 int schema_version,
				 char *recovery_code) HEARTH_WUR;

/* Test hook: creates a vault as the format 1 code did: vault.json in
 * format 1 with both keys wrapped under the slot label alone, no vault id
 * in the database and no HEARTH_VAULT_IDFILE.  Left closed. */
hearth_status hearth_vault_build_v1(const char *dir, const char *passphrase,
				    size_t passphrase_len,
				    const hearth_vault_options *opt,
				    char *recovery_code) HEARTH_WUR;

#endif /* HEARTH_VAULT_PRIVATE_H */
