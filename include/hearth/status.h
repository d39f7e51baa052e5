/*
 * hearth/status.h - the one status enum of libhearth.
 *
 * Every fallible public function returns a hearth_status.  HEARTH_OK is 0;
 * every other value is an error.  Codes are appended, never renumbered or
 * removed: programs may store them.
 *
 * hearth_strerror() gives one fixed message per code.  The most recent
 * failure on the calling thread also has a detail (which file, which page,
 * which field), in three forms:
 *
 *   hearth_errdetail()        the sentence in English, for logs and audit;
 *   hearth_errdetail_local()  the sentence in the user's language: what a
 *                             face shows;
 *   hearth_errinfo_get()      the structure: the detail's stable code and
 *                             its arguments, for a program that reacts to
 *                             one situation.  No face parses a sentence.
 *
 * Translations come from the "hearth" text domain of libintl (glibc's
 * gettext).  The library never calls setlocale() or bindtextdomain(): the
 * program does, as the faces do at start-up; without it the local detail
 * is the English one.
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
	HEARTH_EOTHERVAULT = 20, /* the key file belongs to another vault */
	HEARTH_ENET = 21,       /* a relay could not be reached or refused a request */
	HEARTH_ECANCELED = 22   /* stopped at the caller's request */
} hearth_status;

/* Returns a static, lowercase, English message for a status code.  Never
 * NULL; an unknown code gives "unknown error". */
const char *hearth_strerror(hearth_status status);

/* Returns the detail message of the last failure on this thread, or the
 * hearth_strerror() text of that failure when it set no detail.  The string
 * is owned by the library and valid until the next libhearth call on this
 * thread. */
const char *hearth_errdetail(void);

/* Returns the detail of the last failure on this thread in the user's
 * language (the "hearth" text domain, as LANGUAGE and the locale choose),
 * or the translated hearth_strerror() text when it set no detail.  Owned
 * by the library; valid until the next libhearth call on this thread. */
const char *hearth_errdetail_local(void);

/* The text domain of libhearth's messages and vocabulary labels. */
#define HEARTH_TEXTDOMAIN "hearth"

/* Most arguments one detail keeps (a format has at most this many). */
#define HEARTH_ERR_MAXARGS 8

/* The last failure on this thread, structured.
 *
 * code is the format the library passed to hearth_fail(), e.g.
 * "no instrument '%s' (see 'hearth instruments list')": a stable name of
 * the situation (it is also the msgid of its translation in po/).  Its
 * arguments are positional: argv[i] is the text of the format's i-th
 * conversion as printf renders it ("%.8s" gives 8 characters), and a
 * translation refers to it as %<i+1>$s.  A "%-s" conversion (no width)
 * marks a word of the library's own vocabulary (a record kind, a status
 * code, what was being done), which the local detail shows translated. */
typedef struct hearth_errinfo {
	hearth_status status;
	const char *code;     /* "" when the failure set no detail */
	unsigned argc;
	const char *argv[HEARTH_ERR_MAXARGS]; /* NULL from argc on */
	const char *detail;   /* hearth_errdetail() */
	const char *local;    /* hearth_errdetail_local() */
} hearth_errinfo;

/* Returns the last failure on this thread; never NULL.  Owned by the
 * library, valid until the next libhearth call on this thread. */
const hearth_errinfo *hearth_errinfo_get(void);

/* Records a failure for hearth_errdetail() and its kin and returns status,
 * so a module can write `return hearth_fail(HEARTH_EINVAL, "bad id '%s'", s);`.
 * Messages are lowercase, name the subject, and end without a full stop.
 * fmt is the detail's code and msgid (po/ extracts it): write it as a
 * literal, one per situation, with the subject in arguments; a word the
 * library chose (not the user's text) as "%-s" so it is translated. */
hearth_status hearth_fail(hearth_status status, const char *fmt, ...)
	HEARTH_PRINTF(2, 3);

/* Clears the detail message of this thread. */
void hearth_errdetail_clear(void);

/* This thread's failure, whole (status, code, arguments, both sentences),
 * to be raised again on another thread: a worker's failure becomes the
 * joining thread's, in the user's language too.  Opaque; a plain value
 * that may be copied. */
#define HEARTH_ERRSAVE_BYTES 4096u
typedef struct hearth_errsave {
	_Alignas(8) unsigned char b[HEARTH_ERRSAVE_BYTES];
} hearth_errsave;

/* Copies this thread's failure into *out. */
void hearth_errsave_take(hearth_errsave *out);

/* Makes *in this thread's failure and returns its status. */
hearth_status hearth_errsave_raise(const hearth_errsave *in);

#ifdef __cplusplus
}
#endif
#endif /* HEARTH_STATUS_H */
