/*
 * gui-gtk/hearth-session.c - the unlocked vault, its shared models and its
 * change signals.
 */
#include "hearth-session.h"

#include "hearth/relaysync.h"
#include "hearth-person-item.h"

/* What the worker thread hands to the main loop.  It holds a reference
 * to the session, so the session outlives every idle callback queued. */
typedef struct {
	HearthSession *session;
	hearth_relay_progress p;
	hearth_id space;        /* sync_space_begin: the space begun */
	guint index, count;     /* its place */
} SyncProgress;

struct _HearthSession {
	GObject parent_instance;

	/* Owned */
	hearth_vault *vault;
	GListStore *people;
	gboolean people_stale; /* not read since people last changed */
	guint64 serial;        /* counts hearth_session_changed calls */
	hearth_relaysync_job *job; /* the sync running, or NULL */
	hearth_relay_hooks hooks;  /* its progress hook (the worker's) */
};

G_DEFINE_FINAL_TYPE(HearthSession, hearth_session, G_TYPE_OBJECT)

/* One signal per record kind, in the order of the HearthChange bits. */
static const char *const kind_signals[] = {
	"people-changed", "followups-changed", "appointments-changed",
	"notes-changed", "activities-changed", "screenings-changed",
	"settings-changed", "journal-changed",
};
static guint signals[G_N_ELEMENTS(kind_signals)];
static guint sig_sync_progress, sig_sync_space, sig_sync_finished;

static hearth_status sync_join(HearthSession *self, char **detail);

/* A sync stopped for what the user asked (hearth_session_get_store), told
 * to the pages from the main loop. */
typedef struct {
	HearthSession *session;
	hearth_status st;
	char *detail;
} StopNote;

void
hearth_session_close(HearthSession *self)
{
	g_return_if_fail(HEARTH_IS_SESSION(self));
	/* The worker uses the store: it stops before the vault closes. */
	if (self->job != NULL) {
		hearth_relaysync_cancel(self->job);
		(void)sync_join(self, NULL);
	}
	/* Snapshots hold names: they go with the keys. */
	g_list_store_remove_all(self->people);
	self->people_stale = TRUE;
	hearth_vault_close(self->vault);
	self->vault = NULL;
}

hearth_vault *
hearth_session_get_vault(HearthSession *self)
{
	g_return_val_if_fail(HEARTH_IS_SESSION(self), NULL);
	return self->vault;
}

hearth_store *
hearth_session_peek_store(HearthSession *self)
{
	g_return_val_if_fail(HEARTH_IS_SESSION(self), NULL);
	/* While a sync runs the store is its worker's. */
	if (self->job != NULL)
		return NULL;
	return self->vault ? hearth_vault_store(self->vault) : NULL;
}

static gboolean sync_stopped_idle(gpointer data);

hearth_store *
hearth_session_get_store(HearthSession *self)
{
	g_return_val_if_fail(HEARTH_IS_SESSION(self), NULL);
	/* What the user asked for goes first: a sync running is stopped and
	 * its worker joined (the transport sees the cancel within its
	 * progress callback, so this waits about a second at most), then
	 * the pages hear that it ended, from the main loop. */
	if (self->job != NULL) {
		StopNote *n = g_new0(StopNote, 1);

		hearth_relaysync_cancel(self->job);
		n->st = sync_join(self, &n->detail);
		n->session = g_object_ref(self);
		g_idle_add(sync_stopped_idle, n);
	}
	return self->vault ? hearth_vault_store(self->vault) : NULL;
}

void
hearth_session_changed(HearthSession *self, HearthChange what)
{
	g_return_if_fail(HEARTH_IS_SESSION(self));
	self->serial++;
	if (what & HEARTH_CHANGE_PEOPLE)
		self->people_stale = TRUE;
	for (guint i = 0; i < G_N_ELEMENTS(signals); i++)
		if (what & (1u << i))
			g_signal_emit(self, signals[i], 0);
}

/* ---- watching several kinds at once -------------------------------------- */

typedef struct {
	gpointer owner;     /* valid while the closure is: it watches owner */
	GCallback reload;
	guint64 seen;       /* the serial of the change last handled */
} Watch;

static void
watch_fire(HearthSession *session, gpointer data)
{
	Watch *w = data;

	if (w->seen == session->serial)
		return;
	w->seen = session->serial;
	((void (*)(gpointer))w->reload)(w->owner);
}

static void
watch_free(gpointer data, GClosure *closure)
{
	g_free(data);
}

void
hearth_session_watch(HearthSession *self, HearthChange what, gpointer owner,
		     GCallback reload)
{
	Watch *w;
	GClosure *closure;

	g_return_if_fail(HEARTH_IS_SESSION(self));
	g_return_if_fail(G_IS_OBJECT(owner));
	w = g_new0(Watch, 1);
	w->owner = owner;
	w->reload = reload;
	w->seen = self->serial;
	/* One closure for every kind: it holds the serial that makes one
	 * change reload the owner once.  Watching owner invalidates it (and
	 * so disconnects it) when owner is disposed. */
	closure = g_cclosure_new(G_CALLBACK(watch_fire), w, watch_free);
	g_object_watch_closure(G_OBJECT(owner), closure);
	for (guint i = 0; i < G_N_ELEMENTS(signals); i++)
		if (what & (1u << i))
			g_signal_connect_closure_by_id(self, signals[i], 0,
						       closure, FALSE);
}

/* ---- people -------------------------------------------------------------- */

static int
collect(const hearth_record *r, void *ctx)
{
	g_ptr_array_add(ctx, hearth_person_item_new(r));
	return 0;
}

GListModel *
hearth_session_get_people(HearthSession *self)
{
	g_return_val_if_fail(HEARTH_IS_SESSION(self), NULL);
	return G_LIST_MODEL(self->people);
}

hearth_status
hearth_session_people_refresh(HearthSession *self)
{
	hearth_store *s = hearth_session_peek_store(self);
	g_autoptr(GPtrArray) items = NULL;
	hearth_status st;

	if (s == NULL || !self->people_stale)
		return HEARTH_OK;
	items = g_ptr_array_new_with_free_func(g_object_unref);
	st = hearth_store_each(s, "person", 0, collect, items);
	if (st != HEARTH_OK)
		return st;
	/* Newest first: the person just added is at the top. */
	for (guint i = 0, j = items->len; i + 1 < j; i++, j--) {
		gpointer t = items->pdata[i];

		items->pdata[i] = items->pdata[j - 1];
		items->pdata[j - 1] = t;
	}
	self->people_stale = FALSE;
	g_list_store_splice(self->people, 0,
			    g_list_model_get_n_items(G_LIST_MODEL(self->people)),
			    items->pdata, items->len);
	return HEARTH_OK;
}

/* ---- syncing through a relay ---------------------------------------------- */

/* Main loop: a progress report from the worker. */
static gboolean
sync_progress_idle(gpointer data)
{
	SyncProgress *sp = data;

	if (sp->session->job != NULL)
		g_signal_emit(sp->session, sig_sync_progress, 0,
			      (guint64)(sp->p.envelopes_sent),
			      (guint64)(sp->p.envelopes_received));
	g_object_unref(sp->session);
	g_free(sp);
	return G_SOURCE_REMOVE;
}

/* Worker thread: never touches a widget or the session's state, only
 * queues the report for the main loop. */
static void
sync_progress(const hearth_relay_progress *p, void *ctx)
{
	SyncProgress *sp = g_new0(SyncProgress, 1);

	sp->session = g_object_ref(ctx);
	sp->p = *p;
	g_idle_add(sync_progress_idle, sp);
}

/* Main loop: the worker begins a space. */
static gboolean
sync_space_idle(gpointer data)
{
	SyncProgress *sp = data;

	if (sp->session->job != NULL) {
		g_autofree char *hex = hearth_gui_id_hex(&sp->space);

		g_signal_emit(sp->session, sig_sync_space, 0, hex, sp->index, sp->count);
	}
	g_object_unref(sp->session);
	g_free(sp);
	return G_SOURCE_REMOVE;
}

/* Worker thread, before each space. */
static void
sync_space_begin(const hearth_id *space, size_t index, size_t count, void *ctx)
{
	SyncProgress *sp = g_new0(SyncProgress, 1);

	sp->session = g_object_ref(ctx);
	sp->space = *space;
	sp->index = (guint)index;
	sp->count = (guint)count;
	g_idle_add(sync_space_idle, sp);
}

static hearth_status
sync_join(HearthSession *self, char **detail)
{
	hearth_relaysync_job *job = self->job;
	hearth_status st;

	self->job = NULL;
	st = hearth_relaysync_join(job);
	if (detail != NULL)
		*detail = g_strdup(st != HEARTH_OK ? hearth_errdetail_local() : "");
	hearth_errdetail_clear();
	return st;
}

/* Main loop: the worker has finished (its last act); join it, then let
 * every page read the store again. */
static gboolean
sync_finished_idle(gpointer data)
{
	HearthSession *self = data;
	g_autofree char *detail = NULL;
	hearth_status st;

	if (self->job != NULL) {
		st = sync_join(self, &detail);
		hearth_session_changed(self, HEARTH_CHANGE_CASEWORK |
				       HEARTH_CHANGE_SETTINGS | HEARTH_CHANGE_JOURNAL);
		g_signal_emit(self, sig_sync_finished, 0, (gint)st, detail);
	}
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

static gboolean
sync_stopped_idle(gpointer data)
{
	StopNote *n = data;

	hearth_session_changed(n->session, HEARTH_CHANGE_CASEWORK |
			       HEARTH_CHANGE_SETTINGS | HEARTH_CHANGE_JOURNAL);
	g_signal_emit(n->session, sig_sync_finished, 0, (gint)n->st, n->detail);
	g_object_unref(n->session);
	g_free(n->detail);
	g_free(n);
	return G_SOURCE_REMOVE;
}

/* Worker thread, its last act. */
static void
sync_finished(void *ctx)
{
	g_idle_add(sync_finished_idle, g_object_ref(ctx));
}

hearth_status
hearth_session_sync_start(HearthSession *self, const char *url, const char *pin)
{
	hearth_relaysync_opts o;

	g_return_val_if_fail(HEARTH_IS_SESSION(self), HEARTH_EINVAL);
	if (self->job != NULL || self->vault == NULL)
		return hearth_fail(HEARTH_ESTATE, "%s", _("A sync is already running."));
	memset(&o, 0, sizeof o);
	o.url = url != NULL && *url != '\0' ? url : NULL;
	o.pin = pin != NULL && *pin != '\0' ? pin : NULL;
	self->hooks.progress = sync_progress;
	self->hooks.cancelled = NULL;
	self->hooks.ctx = self;
	o.hooks = &self->hooks;
	o.finished = sync_finished;
	o.finished_ctx = self;
	o.space_begin = sync_space_begin;
	o.space_ctx = self;
	return hearth_relaysync_start(hearth_vault_store(self->vault), &o, &self->job);
}

void
hearth_session_sync_cancel(HearthSession *self)
{
	g_return_if_fail(HEARTH_IS_SESSION(self));
	if (self->job != NULL)
		hearth_relaysync_cancel(self->job);
}

gboolean
hearth_session_syncing(HearthSession *self)
{
	g_return_val_if_fail(HEARTH_IS_SESSION(self), FALSE);
	return self->job != NULL;
}

/* ---- life ---------------------------------------------------------------- */

static void
hearth_session_dispose(GObject *object)
{
	HearthSession *self = HEARTH_SESSION(object);

	if (self->people != NULL)
		hearth_session_close(self);
	g_clear_object(&self->people);
	G_OBJECT_CLASS(hearth_session_parent_class)->dispose(object);
}

static void
hearth_session_class_init(HearthSessionClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = hearth_session_dispose;
	for (guint i = 0; i < G_N_ELEMENTS(kind_signals); i++)
		signals[i] = g_signal_new(kind_signals[i],
			G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			NULL, NULL, G_TYPE_NONE, 0);
	sig_sync_progress = g_signal_new("sync-progress", G_TYPE_FROM_CLASS(klass),
		G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
		G_TYPE_UINT64, G_TYPE_UINT64);
	sig_sync_space = g_signal_new("sync-space", G_TYPE_FROM_CLASS(klass),
		G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3,
		G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
	sig_sync_finished = g_signal_new("sync-finished", G_TYPE_FROM_CLASS(klass),
		G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
		G_TYPE_INT, G_TYPE_STRING);
}

static void
hearth_session_init(HearthSession *self)
{
	self->people = g_list_store_new(HEARTH_TYPE_PERSON_ITEM);
	self->people_stale = TRUE;
}

HearthSession *
hearth_session_new(hearth_vault *vault)
{
	HearthSession *self;

	g_return_val_if_fail(vault != NULL, NULL);
	self = g_object_new(HEARTH_TYPE_SESSION, NULL);
	self->vault = vault;
	return self;
}
