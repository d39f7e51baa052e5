/*
 * relaysync.c - `hearth sync` through a relay, audited, over the vault's
 * spaces (hearth/relaysync.h; the engine is sync/relayclient.c).
 *
 * The vault's trust (hearth_vault_trust: the private space by its own,
 * team spaces by their control plane) judges every envelope the relay
 * sends, and this device's key signs both the envelopes and the requests.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/audit.h"
#include "hearth/caseload.h"
#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/relaysync.h"
#include "hearth/settings.h"
#include "hearth/spaces.h"

#define N_(s) (s)

/* The spaces to sync: ids, no two alike. */
typedef struct space_list {
	hearth_id *ids;
	size_t n, cap;
	int oom;
} space_list;

static void space_list_add(space_list *l, const hearth_id *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (hearth_id_equal(&l->ids[i], id))
			return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		hearth_id *ids = realloc(l->ids, cap * sizeof *ids);

		if (ids == NULL) {
			l->oom = 1;
			return;
		}
		l->ids = ids;
		l->cap = cap;
	}
	l->ids[l->n++] = *id;
}

static int team_cb(const hearth_space_info *i, void *ctx)
{
	space_list_add(ctx, &i->space);
	return 0;
}

/* A space this vault asked to join ("joined.<32 hex>" secret): synced so
 * that its genesis and the approval arrive. */
static int joined_cb(const char *name, const uint8_t *v, size_t len, void *ctx)
{
	hearth_id id;

	(void)v;
	(void)len;
	if (strlen(name) == 7 + HEARTH_ID_HEX &&
	    hearth_id_from_hex(&id, name + 7) == HEARTH_OK)
		space_list_add(ctx, &id);
	else
		hearth_errdetail_clear();
	return 0;
}

static hearth_status spaces_to_sync(hearth_store *s, const hearth_relaysync_opts *o,
				    space_list *l)
{
	hearth_status st;

	memset(l, 0, sizeof *l);
	if (o->space != NULL) {
		space_list_add(l, o->space);
	} else if ((st = hearth_spaces_each(s, team_cb, l)) != HEARTH_OK ||
		   (st = hearth_store_secret_each(s, "joined.", joined_cb, l)) != HEARTH_OK) {
		free(l->ids);
		return st;
	}
	if (l->oom) {
		free(l->ids);
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot sync"));
	}
	return HEARTH_OK;
}

/* The settings value of key, "" when unset (malloc'd). */
static hearth_status setting(hearth_store *s, const char *key, char **out)
{
	return hearth_settings_get(s, key, out);
}

static hearth_status audit_space(hearth_store *s, const hearth_id *space, hearth_status st,
				 const hearth_relay_result *r)
{
	char detail[512], hex[HEARTH_ID_HEX + 1];
	int n;

	hearth_id_to_hex(space, hex);
	n = snprintf(detail, sizeof detail, "space=%s pushed=%zu pulled=%zu applied=%zu in_sync=%d",
		     hex, r->pushed, r->pulled, r->received.applied, r->in_sync);
	/* The problem's kind (hearth_sync_problem_name) before its English
	 * text, which runs to the end of the line. */
	if ((st != HEARTH_OK || r->problem[0] != '\0') && n > 0 && (size_t)n < sizeof detail)
		snprintf(detail + n, sizeof detail - (size_t)n, " problem_kind=%s problem=%s",
			 hearth_sync_problem_name(r->problem_kind != HEARTH_SYNC_PROBLEM_NONE ?
						  r->problem_kind :
						  hearth_sync_problem_of_status(st)),
			 r->problem[0] != '\0' ? r->problem : hearth_strerror(st));
	return hearth_audit_append(s, HEARTH_AUDIT_SYNC_RELAY, NULL, detail);
}

/* Remembers url and pin once a sync through them reached the relay. */
static hearth_status remember(hearth_store *s, const char *url, const char *pin,
			      const char *old_url, const char *old_pin)
{
	hearth_status st = HEARTH_OK;

	if (strcmp(url, old_url) != 0)
		st = hearth_settings_set(s, HEARTH_SETTING_RELAY_URL, url);
	if (st == HEARTH_OK && strcmp(pin != NULL ? pin : "", old_pin) != 0)
		st = hearth_settings_set(s, HEARTH_SETTING_RELAY_PIN, pin != NULL ? pin : "");
	return st;
}

hearth_status hearth_relaysync(hearth_store *s, const hearth_relaysync_opts *o,
			       hearth_relaysync_cb cb, void *ctx)
{
	char *old_url = NULL, *old_pin = NULL;
	hearth_vault_trust *vt = NULL;
	hearth_device_key *key = NULL;
	hearth_status st, first = HEARTH_OK;
	hearth_relay_opts ro;
	space_list l = { 0 };
	int reached = 0;
	size_t i;

	if (s == NULL || o == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot sync: %-s",
				   N_("no space, key or trust given"));
	if ((st = setting(s, HEARTH_SETTING_RELAY_URL, &old_url)) != HEARTH_OK ||
	    (st = setting(s, HEARTH_SETTING_RELAY_PIN, &old_pin)) != HEARTH_OK)
		goto out;
	memset(&ro, 0, sizeof ro);
	ro.url = o->url != NULL ? o->url : old_url;
	ro.pin = o->pin;
	/* The remembered pin goes with the remembered relay only. */
	if (ro.pin == NULL && old_pin[0] != '\0' && strcmp(ro.url, old_url) == 0)
		ro.pin = old_pin;
	ro.cacert = o->cacert;
	ro.hooks = o->hooks;
	ro.timeout_ms = o->timeout_ms;
	ro.attempts = o->attempts;
	ro.backoff_ms = o->backoff_ms;
	if (ro.url[0] == '\0') {
		st = hearth_fail(HEARTH_EINVAL, "cannot sync: %-s",
				 N_("no relay given: name one with --relay URL"));
		goto out;
	}
	if ((st = hearth_relay_opts_check(&ro)) != HEARTH_OK ||
	    (st = spaces_to_sync(s, o, &l)) != HEARTH_OK ||
	    (st = hearth_vault_trust_open(s, &vt)) != HEARTH_OK ||
	    (st = hearth_device_key_load(s, &key, NULL)) != HEARTH_OK)
		goto out;
	for (i = 0; i < l.n; i++) {
		hearth_relay_result r;

		if (o->space_begin != NULL)
			o->space_begin(&l.ids[i], i, l.n, o->space_ctx);
		st = hearth_relay_sync(s, hearth_vault_trust_get(vt),
				       hearth_device_key_secret(key), &ro, &l.ids[i], &r);
		if (st == HEARTH_OK || r.round_trips > 0)
			reached = 1;
		if (cb != NULL)
			cb(&l.ids[i], st, &r, ctx);
		if (st != HEARTH_OK && first == HEARTH_OK) {
			first = st;
		}
		{
			/* The audit entry must not overwrite the failure's detail;
			 * an audit that fails is the failure when none came before. */
			hearth_status a = audit_space(s, &l.ids[i], st, &r);

			if (a != HEARTH_OK && first == HEARTH_OK)
				first = a;
		}
		if (st == HEARTH_ECANCELED)
			break;
	}
	/* What the bundle import does after merging, here too: a moved
	 * person's case state written late reaches the copy
	 * (hearth/caseload.h). */
	if (reached) {
		hearth_status ms = hearth_case_moves_settle(s, NULL);

		if (first == HEARTH_OK)
			first = ms;
	}
	st = first;
	if (reached) {
		hearth_status rs = remember(s, ro.url, ro.pin, old_url, old_pin);

		if (st == HEARTH_OK)
			st = rs;
	}
out:
	hearth_device_key_free(key);
	hearth_vault_trust_free(vt);
	free(l.ids);
	free(old_url);
	free(old_pin);
	return st;
}

/* ---- status ------------------------------------------------------------------ */

typedef struct status_ctx {
	hearth_store *s;
	hearth_relaysync_status_cb cb;
	void *ctx;
	hearth_status st;
} status_ctx;

static int status_one(const char *relay, const hearth_id *space,
		      const hearth_sync_relay_state *rs, void *ctx)
{
	status_ctx *c = ctx;
	hearth_relaysync_status out;

	memset(&out, 0, sizeof out);
	out.relay = relay;
	out.space = *space;
	out.state = *rs;
	c->st = hearth_sync_pending(c->s, space, rs->pushed, &out.pending_ops,
				    &out.pending_envelopes);
	if (c->st != HEARTH_OK)
		return 1;
	return c->cb(&out, c->ctx);
}

hearth_status hearth_relaysync_status_each(hearth_store *s, hearth_relaysync_status_cb cb,
					   void *ctx)
{
	status_ctx c = { s, cb, ctx, HEARTH_OK };
	hearth_status st;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot sync: %-s",
				   N_("no space, key or trust given"));
	st = hearth_sync_relay_each(s, status_one, &c);
	return st != HEARTH_OK ? st : c.st;
}

/* ---- attention ---------------------------------------------------------------- */

typedef struct attention_ctx {
	const char *url;   /* the remembered relay, no trailing slash */
	size_t url_len;
	hearth_relaysync_attention *out;
	int any;           /* a state of the relay was seen */
} attention_ctx;

static int attention_one(const char *relay, const hearth_id *space,
			 const hearth_sync_relay_state *rs, void *ctx)
{
	attention_ctx *c = ctx;
	hearth_relaysync_attention *o = c->out;

	(void)space;
	/* States are kept under the URL the transport used: the remembered
	 * one without its trailing slashes. */
	if (strlen(relay) != c->url_len || strncmp(relay, c->url, c->url_len) != 0)
		return 0;
	/* A relay that had lost envelopes was given them again by the same
	 * sync: worth its note in the state, not the user's attention. */
	if (rs->problem[0] != '\0' && o->problem[0] == '\0' &&
	    rs->problem_kind != HEARTH_SYNC_PROBLEM_RELAY_LOST) {
		snprintf(o->problem, sizeof o->problem, "%s", rs->problem);
		o->problem_kind = rs->problem_kind;
	}
	if (!c->any || rs->synced_at < o->synced_at)
		o->synced_at = rs->synced_at;
	c->any = 1;
	return 0;
}

hearth_status hearth_relaysync_attention_get(hearth_store *s, int64_t now,
					     hearth_relaysync_attention *out)
{
	attention_ctx c;
	char *url = NULL;
	hearth_status st;

	if (out != NULL)
		memset(out, 0, sizeof *out);
	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot sync: %-s",
				   N_("no space, key or trust given"));
	if ((st = setting(s, HEARTH_SETTING_RELAY_URL, &url)) != HEARTH_OK)
		return st;
	memset(&c, 0, sizeof c);
	c.url = url;
	c.url_len = strlen(url);
	while (c.url_len > 0 && url[c.url_len - 1] == '/')
		c.url_len--;
	c.out = out;
	if (c.url_len > 0)
		st = hearth_sync_relay_each(s, attention_one, &c);
	free(url);
	if (st != HEARTH_OK || !c.any)
		return st;
	if (out->problem[0] != '\0')
		out->need = HEARTH_RELAYSYNC_FAILED;
	else if (out->synced_at == 0 ||
		 now - out->synced_at > HEARTH_RELAYSYNC_STALE_SECONDS)
		out->need = HEARTH_RELAYSYNC_STALE;
	if (out->synced_at != 0 && now > out->synced_at)
		out->days = (now - out->synced_at) / (24 * 3600);
	return HEARTH_OK;
}

/* ---- the worker thread ---------------------------------------------------------- */

struct hearth_relaysync_job {
	pthread_t thread;
	hearth_store *s;
	hearth_relaysync_opts o;
	hearth_relay_hooks hooks;
	const hearth_relay_hooks *outer;
	char *url, *pin, *cacert;
	hearth_id space;
	atomic_int cancel;
	hearth_status st;
	hearth_errsave err;   /* the worker's failure, raised by join */
};

static int job_cancelled(void *ctx)
{
	hearth_relaysync_job *j = ctx;

	if (atomic_load(&j->cancel))
		return 1;
	return j->outer != NULL && j->outer->cancelled != NULL &&
		j->outer->cancelled(j->outer->ctx);
}

static void job_progress(const hearth_relay_progress *p, void *ctx)
{
	hearth_relaysync_job *j = ctx;

	if (j->outer != NULL && j->outer->progress != NULL)
		j->outer->progress(p, j->outer->ctx);
}

static void *job_run(void *arg)
{
	hearth_relaysync_job *j = arg;

	j->st = hearth_relaysync(j->s, &j->o, NULL, NULL);
	if (j->st != HEARTH_OK)
		hearth_errsave_take(&j->err);
	if (j->o.finished != NULL)
		j->o.finished(j->o.finished_ctx);
	return NULL;
}

static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = 1;
	return d;
}

static void job_free(hearth_relaysync_job *j)
{
	free(j->url);
	free(j->pin);
	free(j->cacert);
	free(j);
}

hearth_status hearth_relaysync_start(hearth_store *s, const hearth_relaysync_opts *o,
				     hearth_relaysync_job **out)
{
	hearth_relaysync_job *j;
	int oom = 0;

	if (out != NULL)
		*out = NULL;
	if (s == NULL || o == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot sync: %-s",
				   N_("no space, key or trust given"));
	if ((j = calloc(1, sizeof *j)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot sync"));
	j->s = s;
	j->o = *o;
	j->url = dup_or_null(o->url, &oom);
	j->pin = dup_or_null(o->pin, &oom);
	j->cacert = dup_or_null(o->cacert, &oom);
	j->o.url = j->url;
	j->o.pin = j->pin;
	j->o.cacert = j->cacert;
	if (o->space != NULL) {
		j->space = *o->space;
		j->o.space = &j->space;
	}
	j->outer = o->hooks;
	j->hooks.progress = job_progress;
	j->hooks.cancelled = job_cancelled;
	j->hooks.ctx = j;
	j->o.hooks = &j->hooks;
	atomic_init(&j->cancel, 0);
	if (oom) {
		job_free(j);
		return hearth_fail(HEARTH_ENOMEM, "%-s: out of memory", N_("cannot sync"));
	}
	if (pthread_create(&j->thread, NULL, job_run, j) != 0) {
		job_free(j);
		return hearth_fail(HEARTH_ERROR, "%-s", N_("cannot start the sync thread"));
	}
	*out = j;
	return HEARTH_OK;
}

void hearth_relaysync_cancel(hearth_relaysync_job *j)
{
	if (j != NULL)
		atomic_store(&j->cancel, 1);
}

hearth_status hearth_relaysync_join(hearth_relaysync_job *j)
{
	hearth_status st;

	if (j == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot sync: %-s",
				   N_("no space, key or trust given"));
	pthread_join(j->thread, NULL);
	st = j->st;
	/* The worker's failure, as this thread's: code, arguments and the
	 * sentence in the user's language with it. */
	if (st != HEARTH_OK)
		hearth_errsave_raise(&j->err);
	job_free(j);
	return st;
}
