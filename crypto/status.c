/*
 * status.c - messages for hearth_status codes and the per-thread detail.
 */
#include <stdarg.h>
#include <stdio.h>

#include "hearth/status.h"

static const char *const messages[] = {
	[HEARTH_OK] = "no error",
	[HEARTH_ERROR] = "operation failed",
	[HEARTH_ENOMEM] = "out of memory",
	[HEARTH_EINVAL] = "invalid argument",
	[HEARTH_EIO] = "input/output error",
	[HEARTH_ECRYPTO] = "cryptographic library failure",
	[HEARTH_EAUTH] = "authentication failed",
	[HEARTH_EPASSPHRASE] = "wrong passphrase",
	[HEARTH_ENOVAULT] = "no vault",
	[HEARTH_EEXISTS] = "already exists",
	[HEARTH_EDAMAGED] = "vault damaged",
	[HEARTH_ENEWER] = "written by a newer version of hearth",
	[HEARTH_EDB] = "database error",
	[HEARTH_ENOTFOUND] = "not found",
	[HEARTH_EAMBIGUOUS] = "ambiguous id prefix",
	[HEARTH_EFORMAT] = "malformed input",
	[HEARTH_EFUTURE] = "op too far in the future; kept aside",
	[HEARTH_ESTATE] = "not allowed in the current state",
	[HEARTH_EBUSY] = "vault is busy",
	[HEARTH_EINCOMPLETE] = "answers incomplete; not scored",
	[HEARTH_EOTHERVAULT] = "key file of another vault",
};

/* One detail buffer per thread: libhearth is synchronous and its handles
 * are not shared between threads, so this is the errno pattern with text. */
static _Thread_local char detail[512];
static _Thread_local hearth_status detail_status;

const char *hearth_strerror(hearth_status status)
{
	if ((unsigned)status >= sizeof messages / sizeof messages[0] ||
	    messages[status] == NULL)
		return "unknown error";
	return messages[status];
}

const char *hearth_errdetail(void)
{
	if (detail[0] != '\0')
		return detail;
	return hearth_strerror(detail_status);
}

hearth_status hearth_fail(hearth_status status, const char *fmt, ...)
{
	va_list ap;

	detail_status = status;
	if (fmt == NULL) {
		detail[0] = '\0';
		return status;
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return status;
}

void hearth_errdetail_clear(void)
{
	detail[0] = '\0';
	detail_status = HEARTH_OK;
}
