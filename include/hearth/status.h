/*
 * hearth/status.h - the one status enum of libhearth.
 *
 * Every fallible public function returns a hearth_status.  HEARTH_OK is 0;
 * every other value is an error.  Codes are appended, never renumbered or
 * removed: programs may store them.
 *
 * hearth_strerror() gives one fixed message per code.  hearth_errdetail()
 * gives the detail of the most recent failure on the calling thread (which
 * file, which page, which field), and is what a user should be shown.
 */
#ifndef HEARTH_STATUS_H
#define HEARTH_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HEARTH_WUR __attribute__((warn_unused_result))
#define HEARTH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HEARTH_WUR
#define HEARTH_PRINTF(a, b)
#endif

typedef enum hearth_status {
	HEARTH_OK = 0,          /* success */
	HEARTH_ERROR = 1,       /* unspecified failure; see hearth_errdetail() */
	HEARTH_ENOMEM = 2,      /* an allocation failed */
	HEARTH_EINVAL = 3,      /* an argument is malformed or out of range */
	HEARTH_EIO = 4,         /* the operating system refused a file operation */
	HEARTH_ECRYPTO = 5,     /* libsodium failed to initialise or to work */
	HEARTH_EAUTH = 6,       /* ciphertext failed authentication */
	HEARTH_EPASSPHRASE = 7, /* wrong passphrase or recovery code */
	HEARTH_ENOVAULT = 8,    /* no vault in the named directory */
	HEARTH_EEXISTS = 9,     /* the thing to create exists already */
	HEARTH_EDAMAGED = 10,   /* stored data failed authentication or is corrupt */
	HEARTH_ENEWER = 11,     /* written by a newer version of Hearth */
	HEARTH_EDB = 12,        /* SQLite reported an error */
	HEARTH_ENOTFOUND = 13,  /* no record or item with that id or name */
	HEARTH_EAMBIGUOUS = 14, /* an id prefix matches more than one record */
	HEARTH_EFORMAT = 15,    /* input (a file, a JSON document) is malformed */
	HEARTH_EFUTURE = 16,    /* a remote op is too far in the future; kept aside */
	HEARTH_ESTATE = 17,     /* the operation is not allowed in the current state */
	HEARTH_EBUSY = 18,      /* the vault is locked by another process */
	HEARTH_EINCOMPLETE = 19, /* answers are missing; nothing was scored */
	HEARTH_EOTHERVAULT = 20  /* the key file belongs to another vault */
} hearth_status;

/* Returns a static, lowercase, English message for a status code.  Never
 * NULL; an unknown code gives "unknown error". */
const char *hearth_strerror(hearth_status status);

/* Returns the detail message of the last failure on this thread, or the
 * hearth_strerror() text of that failure when it set no detail.  The string
 * is owned by the library and valid until the next libhearth call on this
 * thread. */
const char *hearth_errdetail(void);

/* Records a failure's detail for hearth_errdetail() and returns status, so a
 * module can write `return hearth_fail(HEARTH_EINVAL, "bad id '%s'", s);`.
 * Messages are lowercase, name the subject, and end without a full stop. */
hearth_status hearth_fail(hearth_status status, const char *fmt, ...)
	HEARTH_PRINTF(2, 3);

/* Clears the detail message of this thread. */
void hearth_errdetail_clear(void);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_STATUS_H */
