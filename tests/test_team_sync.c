/*
 * test_team_sync.c - team spaces through bundle files (core/offline.c,
 * sync/sync.c; docs/protocol.md §10.5-§10.6): the team trust's verdicts
 * (ACCEPT, LATER, REFUSE) and current epoch, a joiner's first import
 * vouched for by the genesis it carries, and the tampering cases that
 * concern team spaces: a forged or damaged control envelope, a removed
 * device's envelope past its cutoff at the old epoch, an unknown device,
 * a replay.  Real SQLite files, real keys, no mocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/envelope.h"
#include "hearth/offline.h"
#include "hearth/schema.h"
#include "hearth/space.h"
#include "hearth/spaces.h"
#include "hearth/store.h"
#include "hearth/sync.h"
#include "testutil.h"

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

typedef struct replica {
	sqlite3 *db;
	hearth_store *s;
} replica;

/* A lead, counsellors A and B, and Mallory, who is no member. */
typedef struct team {
	char dir[64];
	int n_files;
	replica lead, a, b, m;
	hearth_id space, b_member;
} team;

static void replica_open(replica *r)
{
	assert_int_equal(sqlite3_open(":memory:", &r->db), SQLITE_OK);
	OK(hearth_schema_migrate(r->db, hearth_schema_latest()));
	OK(hearth_store_open(r->db, NULL, &r->s));
	OK(hearth_devices_ensure(r->s, NULL));
}

static void replica_close(replica *r)
{
	hearth_store_close(r->s);
	sqlite3_close(r->db);
}

static const char *file_in(team *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s/f%d.bundle", t->dir, t->n_files++);
	return buf;
}

static hearth_id person(replica *r, const hearth_id *space, const char *name)
{
	hearth_id id;

	OK(hearth_record_create(r->s, space, "person", &id));
	OK(hearth_record_set(r->s, &id, "name", name));
	return id;
}

/* 1 if r holds an op with value name. */
static int has_name(replica *r, const char *name)
{
	sqlite3_stmt *q;
	int n;

	assert_int_equal(sqlite3_prepare_v2(r->db, "SELECT count(*) FROM op WHERE value = ?",
					    -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n > 0;
}

static void export_to(team *t, replica *r, char *path, size_t len)
{
	file_in(t, path, len);
	OK(hearth_offline_export(r->s, NULL, &t->space, 0, path, NULL));
}

static hearth_status import(replica *r, const char *path, hearth_sync_report *rep)
{
	return hearth_offline_import(r->s, NULL, path, NULL, NULL, rep);
}

/* The lead makes the space and admits A and B; A and B import it. */
static int team_setup(void **state)
{
	team *t = calloc(1, sizeof *t);
	hearth_sync_report r;
	char path[128];

	assert_non_null(t);
	strcpy(t->dir, "/tmp/hearth-team-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	replica_open(&t->lead);
	replica_open(&t->a);
	replica_open(&t->b);
	replica_open(&t->m);
	OK(hearth_space_create(t->lead.s, "Dock team", &t->space));
	person(&t->lead, &t->space, "王芳");
	team_add_member(t->lead.s, t->a.s, &t->space);
	t->b_member = team_add_member(t->lead.s, t->b.s, &t->space);
	export_to(t, &t->lead, path, sizeof path);
	OK(import(&t->a, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	OK(import(&t->b, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	*state = t;
	return 0;
}

static int team_teardown(void **state)
{
	team *t = *state;
	char cmd[128];

	replica_close(&t->lead);
	replica_close(&t->a);
	replica_close(&t->b);
	replica_close(&t->m);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void device_pk(replica *r, uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	hearth_device_key *k = NULL;

	OK(hearth_device_key_load(r->s, &k, NULL));
	memcpy(pk, hearth_device_key_public(k), HEARTH_SIGN_PUBLICBYTES);
	hearth_device_key_free(k);
}

static hearth_envelope_info info_of(const hearth_id *space, uint64_t epoch, uint64_t device,
				    uint64_t first, uint64_t last)
{
	hearth_envelope_info i;

	memset(&i, 0, sizeof i);
	i.version = HEARTH_ENVELOPE_FORMAT;
	i.space = *space;
	i.epoch = epoch;
	i.device = device;
	i.first_seq = first;
	i.last_seq = last;
	return i;
}

static uint64_t current_epoch_of(replica *r, const hearth_id *space)
{
	hearth_space_state *st;
	uint64_t e;

	OK(hearth_space_load(r->s, space, &st));
	assert_non_null(st->current);
	e = st->current->epoch;
	hearth_space_state_free(st);
	return e;
}

/* The cutoff a removal named for device. */
static uint64_t cutoff_of(replica *r, const hearth_id *space, uint64_t device)
{
	hearth_space_state *st;
	uint64_t c = 0;
	size_t i, j;

	OK(hearth_space_load(r->s, space, &st));
	for (i = 0; i < st->nmembers; i++)
		for (j = 0; j < st->members[i].ncutoffs; j++)
			if (st->members[i].cutoffs[j].device == device)
				c = st->members[i].cutoffs[j].cutoff;
	hearth_space_state_free(st);
	return c;
}

/* ---- verdicts ----------------------------------------------------------- */

static void test_verdicts(void **state)
{
	team *t = *state;
	uint8_t pk[HEARTH_SIGN_PUBLICBYTES], want[HEARTH_SIGN_PUBLICBYTES];
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	uint64_t lead_dev = hearth_store_device(t->lead.s);
	uint64_t b_dev = hearth_store_device(t->b.s), e1, e, cut;
	const hearth_sync_trust *tr;
	hearth_team_trust *tt, *mt;
	hearth_envelope_info i;
	hearth_id unknown;
	char path[128];

	/* B writes and the lead holds it: B's cutoff will be past 0. */
	person(&t->b, &t->space, "Zhao Min");
	export_to(t, &t->b, path, sizeof path);
	OK(import(&t->lead, path, NULL));
	OK(import(&t->a, path, NULL));
	e1 = current_epoch_of(&t->a, &t->space);
	OK(hearth_team_trust_open(t->a.s, &tt));
	tr = hearth_team_trust_get(tt);
	device_pk(&t->lead, want);
	/* The lead writes control ops and data at the current epoch. */
	i = info_of(&t->space, 0, lead_dev, 1, 3);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_ACCEPT);
	assert_memory_equal(pk, want, sizeof pk);
	i.epoch = e1;
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_ACCEPT);
	/* An epoch whose record is not here, a device listed nowhere, a space
	 * not known: all may still arrive. */
	i.epoch = e1 ^ 1;
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_LATER);
	i = info_of(&t->space, 0, 0x1234567u, 1, 1);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_LATER);
	memset(unknown.b, 0x42, sizeof unknown.b);
	i = info_of(&unknown, 0, lead_dev, 1, 1);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_LATER);
	/* A's current epoch: the state's, with the key it holds. */
	OK(tr->current_epoch(tr->ctx, &t->space, &e, key));
	assert_int_equal(e, e1);
	assert_int_equal(tr->epoch_key(tr->ctx, &t->space, e1, pk), 0);
	assert_memory_equal(pk, key, sizeof key);
	/* Mallory may not seal there. */
	OK(hearth_team_trust_open(t->m.s, &mt));
	assert_int_equal(hearth_team_trust_get(mt)->current_epoch(mt, &t->space, &e, key),
			 HEARTH_ENOTFOUND);
	assert_non_null(strstr(hearth_errdetail(), "not a current member"));
	hearth_team_trust_free(mt);
	hearth_errdetail_clear();

	/* The lead removes B; A learns of it. */
	OK(hearth_space_remove(t->lead.s, &t->space, &t->b_member));
	export_to(t, &t->lead, path, sizeof path);
	OK(import(&t->a, path, NULL));
	/* A trust caches states: a new one sees the import. */
	hearth_team_trust_free(tt);
	OK(hearth_team_trust_open(t->a.s, &tt));
	tr = hearth_team_trust_get(tt);
	cut = cutoff_of(&t->a, &t->space, b_dev);
	assert_true(cut > 0);
	/* B's seqs up to the cutoff at the old epoch still count; past it,
	 * never, at any epoch. */
	i = info_of(&t->space, e1, b_dev, cut, cut);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_ACCEPT);
	i = info_of(&t->space, e1, b_dev, cut + 1, cut + 1);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_REFUSE);
	/* Straddling the cutoff: accepted, and applied up to it only. */
	i = info_of(&t->space, 0, b_dev, cut, cut + 5);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_ACCEPT);
	assert_int_equal(tr->write_limit(tr->ctx, &i), cut);
	i = info_of(&t->space, 0, b_dev, cut + 1, cut + 5);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_REFUSE);
	i.epoch = current_epoch_of(&t->a, &t->space);
	assert_int_not_equal(i.epoch, e1);
	assert_int_equal(tr->device_key(tr->ctx, &i, pk), HEARTH_SYNC_REFUSE);
	hearth_team_trust_free(tt);

	/* B, once it knows, may not seal, and holds no key of the new epoch. */
	OK(import(&t->b, path, NULL));
	OK(hearth_team_trust_open(t->b.s, &tt));
	tr = hearth_team_trust_get(tt);
	assert_int_equal(tr->current_epoch(tr->ctx, &t->space, &e, key), HEARTH_ENOTFOUND);
	assert_int_not_equal(tr->epoch_key(tr->ctx, &t->space,
					   current_epoch_of(&t->b, &t->space), key), 0);
	hearth_team_trust_free(tt);
}

/* ---- a removed member's late envelope ----------------------------------- */

static void test_removed_late(void **state)
{
	team *t = *state;
	char early[128], late[128], lead2[128];
	hearth_sync_report r;

	/* B writes while a member; the lead and A get it. */
	person(&t->b, &t->space, "Zhao Min");
	export_to(t, &t->b, early, sizeof early);
	OK(import(&t->lead, early, &r));
	assert_int_equal(r.refused + r.waiting, 0);
	/* The lead removes B and writes; B, not knowing, writes too: sealed
	 * at the old epoch, whose key B holds, past its cutoff. */
	OK(hearth_space_remove(t->lead.s, &t->space, &t->b_member));
	person(&t->lead, &t->space, "Secret Sun");
	export_to(t, &t->lead, lead2, sizeof lead2);
	person(&t->b, &t->space, "Late Qian");
	export_to(t, &t->b, late, sizeof late);

	OK(import(&t->a, lead2, &r));
	OK(import(&t->a, late, &r));
	assert_int_equal(r.refused, 1);
	assert_false(has_name(&t->a, "Late Qian"));
	assert_true(has_name(&t->a, "Zhao Min"));
	OK(import(&t->lead, late, &r));
	assert_int_equal(r.refused, 1);
	assert_false(has_name(&t->lead, "Late Qian"));
	assert_true(has_name(&t->lead, "Zhao Min"));
	/* Again: still refused, still not applied. */
	OK(import(&t->lead, late, &r));
	assert_int_equal(r.applied, 0);
	assert_false(has_name(&t->lead, "Late Qian"));

	/* B learns of its removal and reads nothing written after it. */
	OK(import(&t->b, lead2, &r));
	assert_true(r.waiting > 0);
	assert_false(has_name(&t->b, "Secret Sun"));
}

/* A removal's cutoff that falls inside one of the removed device's
 * envelopes: the lead counts B's ops across every space it holds, so ops
 * B wrote in another space before the removal set the cutoff past some
 * of B's ops in this one, sealed in one envelope with later ones.  The
 * ops up to the cutoff were written while B was a member: every replica
 * applies them, and drops those past it (the whole envelope used to be
 * refused, and B's earlier records lost). */
static void test_removed_straddling(void **state)
{
	team *t = *state;
	char night[128], dock[128], lead2[128], path[128];
	hearth_id space2;
	hearth_sync_report r;
	uint64_t cut;

	OK(hearth_space_create(t->lead.s, "Night shift", &space2));
	team_add_member(t->lead.s, t->b.s, &space2);
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(t->lead.s, NULL, &space2, 0, path, NULL));
	OK(import(&t->b, path, &r));

	/* B, in this order: the dock team, the night shift, the dock team. */
	person(&t->b, &t->space, "Early Wu");
	person(&t->b, &space2, "Night Li");
	person(&t->b, &t->space, "After Zhou");
	file_in(t, night, sizeof night);
	OK(hearth_offline_export(t->b.s, NULL, &space2, 0, night, NULL));
	export_to(t, &t->b, dock, sizeof dock);

	/* The lead hears of the night shift only, then removes B from the
	 * dock team: the cutoff is B's night-shift seq, inside the range of
	 * B's dock envelope. */
	OK(import(&t->lead, night, &r));
	OK(hearth_space_remove(t->lead.s, &t->space, &t->b_member));
	cut = cutoff_of(&t->lead, &t->space, hearth_store_device(t->b.s));
	assert_true(cut > 0);

	OK(import(&t->lead, dock, &r));
	assert_int_equal(r.refused, 0);
	assert_int_equal(r.cut, 2); /* After Zhou's two ops */
	assert_true(has_name(&t->lead, "Early Wu"));
	assert_false(has_name(&t->lead, "After Zhou"));

	/* A gets the same from the lead's bundle (B's envelope forwarded)
	 * and from B's own, whichever comes first. */
	export_to(t, &t->lead, lead2, sizeof lead2);
	OK(import(&t->a, lead2, &r));
	OK(import(&t->a, dock, &r));
	assert_true(has_name(&t->a, "Early Wu"));
	assert_false(has_name(&t->a, "After Zhou"));
}

/* Two leads remove B at once, each naming the last seq of B it holds:
 * the greatest cutoff holds.  A replica that heard of the smaller one
 * first refused B's envelope past it; once the greater arrives it must
 * accept that envelope, as a replica that heard of the greater first
 * did, or the two never converge. */
static void test_two_cutoffs(void **state)
{
	team *t = *state;
	char *code = NULL, *req = NULL, b1[128], b2[128], l1[128], l2[128], path[128];
	hearth_invitation inv;
	hearth_sync_report r;

	/* Mallory becomes the second lead. */
	OK(hearth_space_invite(t->lead.s, &t->space, HEARTH_ROLE_LEAD, 0, &code));
	OK(hearth_space_join(t->m.s, code, &req, &inv));
	OK(hearth_space_approve(t->lead.s, &t->space, req, NULL, NULL));
	free(code);
	free(req);
	export_to(t, &t->lead, path, sizeof path);
	OK(import(&t->m, path, &r));
	OK(import(&t->a, path, &r));

	person(&t->b, &t->space, "Before Both");
	export_to(t, &t->b, b1, sizeof b1);
	OK(import(&t->lead, b1, &r));
	person(&t->b, &t->space, "Between Them");
	export_to(t, &t->b, b2, sizeof b2);
	OK(import(&t->m, b2, &r));
	assert_true(has_name(&t->m, "Between Them"));

	/* Each lead removes B, not knowing of the other's removal. */
	OK(hearth_space_remove(t->lead.s, &t->space, &t->b_member));
	OK(hearth_space_remove(t->m.s, &t->space, &t->b_member));
	export_to(t, &t->lead, l1, sizeof l1);
	export_to(t, &t->m, l2, sizeof l2);

	/* A: the smaller cutoff, then B's envelopes (the second refused),
	 * then the greater cutoff. */
	OK(import(&t->a, l1, &r));
	OK(import(&t->a, b2, &r));
	assert_false(has_name(&t->a, "Between Them"));
	OK(import(&t->a, l2, &r));
	assert_true(has_name(&t->a, "Before Both"));
	assert_true(has_name(&t->a, "Between Them"));
	/* The lead, from Mallory's bundle alone, holds it too. */
	OK(import(&t->lead, l2, &r));
	assert_true(has_name(&t->lead, "Between Them"));
}

/* ---- an unknown device ---------------------------------------------------- */

/* Mallory, no member, writes a control record into the space (a member
 * record naming herself, with her device's certificate) and sends it: her
 * device is listed nowhere and her envelope holds no genesis of the
 * space, so A keeps it aside; it is never applied, however often it
 * comes. */
static void test_unknown_device(void **state)
{
	team *t = *state;
	hearth_sync_report r;
	char path[128];
	hearth_id rec;
	char *before, *after;
	hearth_space_state *st;

	uint8_t cert[HEARTH_CERT_BYTES], mpk[HEARTH_SIGN_PUBLICBYTES];
	char hex[2 * HEARTH_CERT_BYTES + 1], field[32];
	uint64_t mdev = hearth_store_device(t->m.s);
	hearth_identity *id;

	/* Her member record certifies her device under her own identity: a
	 * certificate that verifies, for the envelope's author.  It proves
	 * nothing: the identity is hers to choose. */
	OK(hearth_identity_load(t->m.s, &id));
	device_pk(&t->m, mpk);
	OK(hearth_cert_issue(id, mdev, mpk, 1, cert));
	hearth_identity_free(id);
	sodium_bin2hex(hex, sizeof hex, cert, sizeof cert);
	snprintf(field, sizeof field, "device.%016llx", (unsigned long long)mdev);
	OK(hearth_record_create(t->m.s, &t->space, HEARTH_KIND_MEMBER, &rec));
	OK(hearth_record_set(t->m.s, &rec, "role", "lead"));
	OK(hearth_record_set(t->m.s, &rec, field, hex));
	OK(hearth_record_set(t->m.s, &rec, "name", "Mallory"));
	export_to(t, &t->m, path, sizeof path);
	OK(hearth_space_load(t->a.s, &t->space, &st));
	OK(hearth_space_state_dump(st, &before));
	hearth_space_state_free(st);
	OK(import(&t->a, path, &r));
	assert_int_equal(r.applied, 0);
	assert_int_equal(r.waiting, 1);
	OK(import(&t->a, path, &r));
	assert_int_equal(r.applied, 0);
	assert_int_equal(r.waiting, 1);
	assert_false(has_name(&t->a, "Mallory"));
	OK(hearth_space_load(t->a.s, &t->space, &st));
	OK(hearth_space_state_dump(st, &after));
	hearth_space_state_free(st);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* ---- replay --------------------------------------------------------------- */

static void test_replay(void **state)
{
	team *t = *state;
	hearth_sync_report r;
	char path[128];
	size_t before;

	person(&t->a, &t->space, "Li Qiang");
	export_to(t, &t->a, path, sizeof path);
	OK(import(&t->lead, path, &r));
	assert_true(r.applied > 0);
	OK(hearth_sync_count(t->lead.s, &t->space, 0, &before));
	OK(import(&t->lead, path, &r));
	assert_int_equal(r.applied, 0);
	assert_int_equal(r.held, r.envelopes);
	OK(hearth_sync_count(t->lead.s, &t->space, 0, &r.envelopes));
	assert_int_equal(r.envelopes, before);
}

/* ---- the joiner's first import: only a genesis vouches ------------------- */

typedef struct envs {
	uint8_t **v;
	size_t *len;
	size_t n;
} envs;

static void envs_read(const char *path, envs *out)
{
	hearth_bundle_reader *rd;
	const uint8_t *env;
	size_t len;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	memset(out, 0, sizeof *out);
	OK(hearth_bundle_reader_open(f, &rd));
	while (hearth_bundle_reader_next(rd, &env, &len) == HEARTH_OK && env != NULL) {
		out->v = realloc(out->v, (out->n + 1) * sizeof *out->v);
		out->len = realloc(out->len, (out->n + 1) * sizeof *out->len);
		assert_non_null(out->v);
		assert_non_null(out->len);
		out->v[out->n] = malloc(len);
		assert_non_null(out->v[out->n]);
		memcpy(out->v[out->n], env, len);
		out->len[out->n++] = len;
	}
	hearth_bundle_reader_free(rd);
	fclose(f);
}

static void envs_free(envs *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	free(e->len);
}

static void bundle_write(const char *path, uint8_t *const *v, const size_t *len, size_t n)
{
	hearth_bundle_writer *w;
	FILE *f = fopen(path, "wb");
	size_t i;

	assert_non_null(f);
	OK(hearth_bundle_writer_open(f, &w));
	for (i = 0; i < n; i++)
		OK(hearth_bundle_writer_add(w, v[i], len[i]));
	OK(hearth_bundle_writer_finish(w));
	hearth_bundle_writer_free(w);
	fclose(f);
}

/* Signs env again with key (the signature is its last 64 bytes). */
static void resign(uint8_t *env, size_t len, const hearth_device_key *key)
{
	envelope_resign(env, len, hearth_device_key_secret(key));
}

static int no_key(void *ctx, const hearth_envelope_info *info, const hearth_op *ops,
		  size_t n, uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	(void)ctx, (void)info, (void)ops, (void)n, (void)pk;
	return 1;
}

static void test_joiner(void **state)
{
	team *t = *state;
	char path[128], forged[128];
	hearth_device_key *mk = NULL;
	hearth_envelope_batch b;
	hearth_sync_report r;
	replica c;
	envs e;
	size_t i, control = 0, data = 0;

	/* A fourth vault joins; the lead's bundle is its first import. */
	replica_open(&c);
	team_add_member(t->lead.s, c.s, &t->space);
	export_to(t, &t->lead, path, sizeof path);
	envs_read(path, &e);
	for (i = 0; i < e.n; i++) {
		hearth_envelope_info info;

		OK(hearth_envelope_peek(e.v[i], e.len[i], &info));
		if (info.epoch != 0)
			data = i;
		else
			assert_int_equal(control, i); /* control envelopes first */
		control += info.epoch == 0;
	}
	assert_true(control >= 1 && data >= control);
	control = 0; /* the genesis's: the lead's first */

	/* A data envelope is never opened before its author is known. */
	assert_int_equal(hearth_envelope_open_control(e.v[data], e.len[data], no_key, NULL,
						      &b), HEARTH_EINVAL);
	hearth_envelope_batch_release(&b);

	/* Mallory re-signs the lead's genesis envelope with her own key (she
	 * cannot make a genesis of this space: its id commits to the
	 * creator): the genesis names the lead's device key, the signature
	 * does not verify under it, and the whole bundle is refused. */
	OK(hearth_device_key_load(t->m.s, &mk, NULL));
	{
		uint8_t *keep = malloc(e.len[control]);

		assert_non_null(keep);
		memcpy(keep, e.v[control], e.len[control]);
		resign(e.v[control], e.len[control], mk);
		file_in(t, forged, sizeof forged);
		bundle_write(forged, e.v, e.len, e.n);
		assert_int_equal(import(&c, forged, &r), HEARTH_EAUTH);
		assert_non_null(strstr(hearth_errdetail(), "signature"));
		assert_false(has_name(&c, "王芳"));
		memcpy(e.v[control], keep, e.len[control]);
		free(keep);
	}
	hearth_device_key_free(mk);

	/* A flipped byte in the genesis envelope: refused, nothing applied. */
	e.v[0][e.len[0] / 2] ^= 0x20;
	file_in(t, forged, sizeof forged);
	bundle_write(forged, e.v, e.len, e.n);
	assert_int_not_equal(import(&c, forged, &r), HEARTH_OK);
	assert_false(has_name(&c, "王芳"));
	e.v[0][e.len[0] / 2] ^= 0x20;

	/* The bundle without its genesis envelope: nothing vouches, all kept
	 * aside, nothing applied. */
	file_in(t, forged, sizeof forged);
	bundle_write(forged, e.v + 1, e.len + 1, e.n - 1);
	OK(import(&c, forged, &r));
	assert_int_equal(r.applied, 0);
	assert_int_equal(r.waiting, e.n - 1);
	assert_false(has_name(&c, "王芳"));

	/* The whole bundle: the genesis vouches for the lead, the rest follows. */
	OK(import(&c, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	assert_true(has_name(&c, "王芳"));
	envs_free(&e);
	replica_close(&c);
}


/* ---- linked devices write in team spaces --------------------------------- */

/* The ops of space r holds, every column, in order: equal texts, equal
 * holdings. */
static char *ops_dump(replica *r, const hearth_id *space)
{
	sqlite3_stmt *q;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(sqlite3_prepare_v2(r->db, "SELECT hex(hlc), device, seq, hex(record), "
		"kind, field, quote(value) FROM op WHERE space = ? ORDER BY hlc, device, seq",
		-1, &q, NULL), SQLITE_OK);
	sqlite3_bind_blob(q, 1, space->b, sizeof space->b, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW)
		fprintf(f, "%s %lld %lld %s %s %s %s\n", sqlite3_column_text(q, 0),
			(long long)sqlite3_column_int64(q, 1), (long long)sqlite3_column_int64(q, 2),
			sqlite3_column_text(q, 3), sqlite3_column_text(q, 4),
			sqlite3_column_text(q, 5), sqlite3_column_text(q, 6));
	sqlite3_finalize(q);
	fclose(f);
	return out;
}

/* from links a new device into to: code, approve, package. */
static uint64_t link_device(replica *from, replica *to)
{
	char code[HEARTH_LINK_CODE_MAX];
	uint8_t *pkg = NULL;
	uint64_t dev = 0;
	size_t len;

	OK(hearth_link_request(to->s, code));
	OK(hearth_link_approve(from->s, code, &pkg, &len, &dev));
	OK(hearth_link_accept(to->s, pkg, len));
	free(pkg);
	assert_int_equal(dev, hearth_store_device(to->s));
	return dev;
}

/* 1 if dev is listed in a current member record of space on r, and the
 * current epoch holds a wrap for it. */
static int listed_and_wrapped(replica *r, const hearth_id *space, uint64_t dev)
{
	hearth_space_state *st;
	int yes;
	size_t i;

	OK(hearth_space_load(r->s, space, &st));
	yes = hearth_space_device_current(st, dev) && st->current != NULL;
	for (i = 0; yes && i < st->current->nwraps && st->current->wraps[i].device != dev; i++)
		;
	yes = yes && i < st->current->nwraps;
	hearth_space_state_free(st);
	return yes;
}

static int holds_current_key(replica *r, const hearth_id *space)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	int found = 0;

	OK(hearth_keyring_get(r->s, space, current_epoch_of(r, space), key, &found));
	return found;
}

/* Every replica of v exports space and every other imports it, rounds
 * times (an import may write: a lead's wraps, a rotation). */
static void exchange(team *t, replica **v, size_t n, const hearth_id *space, int rounds)
{
	char path[128];
	size_t i, j;

	while (rounds-- > 0)
		for (i = 0; i < n; i++) {
			file_in(t, path, sizeof path);
			OK(hearth_offline_export(v[i]->s, NULL, space, 0, path, NULL));
			for (j = 0; j < n; j++)
				if (j != i)
					OK(import(v[j], path, NULL));
		}
}

/* Counsellor A links a second device C2: A lists it in its own member
 * record (no lead needed) with the current key sealed to it; C2 writes in
 * the team space; its bundle reaches the lead, who holds its person; the
 * lead, A, B and C2 converge.  Then A revokes C2: the revocation is
 * written in the team space with a new epoch; C2's later writes are
 * refused by the lead and by A, and C2 cannot read what is written after. */
static void test_linked_device_writes(void **state)
{
	team *t = *state;
	replica c2, *all[4];
	hearth_device_revocation rev;
	hearth_sync_report r;
	char path[128], hex[HEARTH_DEVICE_HEX + 1], *want, *got;
	uint64_t dev;
	size_t i;

	replica_open(&c2);
	dev = link_device(&t->a, &c2);
	/* On A at once: listed in A's record, the current key sealed to it. */
	assert_true(listed_and_wrapped(&t->a, &t->space, dev));
	/* C2 takes A's bundle: it is a current device, with the key. */
	export_to(t, &t->a, path, sizeof path);
	OK(import(&c2, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	assert_true(listed_and_wrapped(&c2, &t->space, dev));
	assert_true(holds_current_key(&c2, &t->space));
	assert_true(has_name(&c2, "王芳"));
	/* C2 writes; its bundle alone reaches the lead (it forwards A's
	 * listing of it). */
	person(&c2, &t->space, "C2 的来访者");
	export_to(t, &c2, path, sizeof path);
	OK(import(&t->lead, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	assert_true(has_name(&t->lead, "C2 的来访者"));
	assert_true(listed_and_wrapped(&t->lead, &t->space, dev));
	/* A's bundle too; then everyone converges. */
	export_to(t, &t->a, path, sizeof path);
	OK(import(&t->lead, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	all[0] = &t->lead;
	all[1] = &t->a;
	all[2] = &t->b;
	all[3] = &c2;
	exchange(t, all, 4, &t->space, 2);
	want = ops_dump(&t->lead, &t->space);
	for (i = 1; i < 4; i++) {
		got = ops_dump(all[i], &t->space);
		assert_string_equal(want, got);
		free(got);
	}
	free(want);
	assert_true(has_name(&t->b, "C2 的来访者"));

	/* A revokes C2: written in the team space, with a new epoch. */
	hearth_device_hex(dev, hex);
	OK(hearth_device_revoke(t->a.s, hex, &rev));
	assert_int_equal(rev.spaces, 1);
	assert_false(listed_and_wrapped(&t->a, &t->space, dev));
	/* C2, not knowing, writes on. */
	person(&c2, &t->space, "吊销后的写入");
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(c2.s, NULL, &t->space, 0, path, NULL));
	{
		char a_path[128];

		export_to(t, &t->a, a_path, sizeof a_path);
		OK(import(&t->lead, a_path, &r));
		assert_int_equal(r.refused, 0);
	}
	/* The lead and A refuse C2's late envelope; its earlier one stays. */
	OK(import(&t->lead, path, &r));
	assert_true(r.refused >= 1);
	assert_false(has_name(&t->lead, "吊销后的写入"));
	assert_true(has_name(&t->lead, "C2 的来访者"));
	OK(import(&t->a, path, &r));
	assert_true(r.refused >= 1);
	assert_false(has_name(&t->a, "吊销后的写入"));
	/* The lead writes after the revocation; C2 cannot read it. */
	person(&t->lead, &t->space, "吊销后的秘密");
	export_to(t, &t->lead, path, sizeof path);
	OK(import(&c2, path, &r));
	assert_true(r.waiting >= 1);
	assert_false(has_name(&c2, "吊销后的秘密"));
	assert_false(holds_current_key(&c2, &t->space));
	OK(import(&t->a, path, &r));
	assert_true(has_name(&t->a, "吊销后的秘密"));
	replica_close(&c2);
}

/* A device linked before its person joins a space is listed there too:
 * the first import of the space on the joining device lists it, with the
 * key, and it writes at once. */
static void test_linked_before_join(void **state)
{
	team *t = *state;
	hearth_sync_report r;
	hearth_id second;
	replica c2;
	char path[128];
	uint64_t dev;

	replica_open(&c2);
	dev = link_device(&t->a, &c2);
	OK(hearth_space_create(t->lead.s, "Second team", &second));
	team_add_member(t->lead.s, t->a.s, &second);
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(t->lead.s, NULL, &second, 0, path, NULL));
	OK(import(&t->a, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	assert_true(listed_and_wrapped(&t->a, &second, dev));
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(t->a.s, NULL, &second, 0, path, NULL));
	OK(import(&c2, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	assert_true(holds_current_key(&c2, &second));
	person(&c2, &second, "第二组的来访者");
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(c2.s, NULL, &second, 0, path, NULL));
	OK(import(&t->lead, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	assert_true(has_name(&t->lead, "第二组的来访者"));
	replica_close(&c2);
}

/* The entry of device *(uint64_t *)ctx->device in a device listing. */
static int device_of(const hearth_device_info *d, void *ctx)
{
	hearth_device_info *want = ctx;

	if (d->device == want->device)
		*want = *d;
	return 0;
}

/* A revocation travels between the person's own devices through the
 * private space: A links C2 and C3 (both listed in the team space) and
 * revokes C2; C3, importing A's private bundle only, lists C2 as revoked,
 * refuses its later private ops, and writes the revocation itself in the
 * team space, where it holds for the lead too. */
static void test_revocation_travels(void **state)
{
	team *t = *state;
	replica c2, c3;
	hearth_device_revocation rev;
	hearth_sync_report r;
	hearth_id priv = hearth_store_private_space(t->a.s);
	hearth_device_info info;
	hearth_space_state *st;
	char path[128], hex[HEARTH_DEVICE_HEX + 1];
	uint64_t dev2, dev3, cut;

	replica_open(&c2);
	replica_open(&c3);
	dev2 = link_device(&t->a, &c2);
	dev3 = link_device(&t->a, &c3);
	/* C3 holds the team space with both listed, and C2's private ops. */
	export_to(t, &t->a, path, sizeof path);
	OK(import(&c3, path, &r));
	assert_true(listed_and_wrapped(&c3, &t->space, dev2));
	assert_true(listed_and_wrapped(&c3, &t->space, dev3));
	person(&c2, NULL, "早先的私人记录");
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(c2.s, NULL, &priv, 0, path, NULL));
	OK(import(&c3, path, &r));
	assert_int_equal(r.waiting + r.refused, 0);
	assert_true(has_name(&c3, "早先的私人记录"));
	/* A revokes C2. */
	hearth_device_hex(dev2, hex);
	OK(hearth_device_revoke(t->a.s, hex, &rev));
	cut = rev.cutoff;
	/* C3 takes A's private bundle only. */
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(t->a.s, NULL, &priv, 0, path, NULL));
	OK(import(&c3, path, &r));
	memset(&info, 0, sizeof info);
	info.device = dev2;
	OK(hearth_devices_each(c3.s, device_of, &info));
	assert_true(info.revoked);
	assert_false(info.linked);
	assert_int_equal(info.cutoff, cut);
	/* C2 writes on in the private space: C3 refuses it now. */
	person(&c2, NULL, "吊销后的私人记录");
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(c2.s, NULL, &priv, 0, path, NULL));
	OK(import(&c3, path, &r));
	assert_true(r.refused >= 1);
	assert_false(has_name(&c3, "吊销后的私人记录"));
	/* C3 revoked C2 in the team space itself, with a new epoch not
	 * sealed to it; the lead, from C3's bundle alone, agrees. */
	OK(hearth_space_load(c3.s, &t->space, &st));
	assert_true(hearth_space_device_revoked(st, dev2, NULL));
	assert_false(hearth_space_device_current(st, dev2));
	assert_false(st->needs_rotation);
	hearth_space_state_free(st);
	assert_true(listed_and_wrapped(&c3, &t->space, dev3));
	file_in(t, path, sizeof path);
	OK(hearth_offline_export(c3.s, NULL, &t->space, 0, path, NULL));
	OK(import(&t->lead, path, &r));
	assert_int_equal(r.refused, 0);
	OK(hearth_space_load(t->lead.s, &t->space, &st));
	assert_true(hearth_space_device_revoked(st, dev2, NULL));
	assert_false(st->needs_rotation);
	hearth_space_state_free(st);
	replica_close(&c3);
	replica_close(&c2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_verdicts, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_removed_late, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_removed_straddling, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_two_cutoffs, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_replay, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_device, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_joiner, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_linked_device_writes, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_linked_before_join, team_setup, team_teardown),
		cmocka_unit_test_setup_teardown(test_revocation_travels, team_setup, team_teardown),
	};

	if (hearth_crypto_init() != HEARTH_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
