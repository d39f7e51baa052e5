/*
 * share.c - consent shares of journal entries with one counsellor (see
 * hearth/share.h): the contact code, the two-person share space made with
 * the verbs of hearth/spaces.h, copies of entries, the end of a share,
 * and what the counsellor ties to a person.
 *
 * Who may read what is the space's business (sync/space.c, core/spaces.c):
 * this module only decides which space a copy goes to, and never writes a
 * control record itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "casework_private.h"
#include "share_private.h"
#include "hearth/audit.h"
#include "hearth/casework.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/hlc.h"
#include "hearth/journal.h"
#include "hearth/share.h"
#include "hearth/spaces.h"

/* ---- the contact code -------------------------------------------------------
 *
 * A join request (docs/protocol.md §11.7, as core/spaces.c writes and
 * hearth_join_request_parse reads it) whose space and token are all
 * zeros: type 0x21, space (16), token (8), identity sign pk (32), box pk
 * (32), device certificate, then the check BLAKE2b-32("HEARTHCD" || all
 * before it); Crockford base32 in groups of five.  The employee's vault
 * writes the same kind of request, for the share space and its own
 * invitation's token, to approve the counsellor with hearth_space_approve.
 * core/spaces.c keeps its encoder to itself, so the writing is repeated
 * here; one encoder should serve both once the branches meet. */

#define REQ_TYPE 0x21u
#define REQ_TOKEN 8u
#define REQ_CHECK 4u
#define REQ_BYTES (1u + HEARTH_ID_BYTES + REQ_TOKEN + HEARTH_ID_SIGN_PUBLICBYTES + \
		   HEARTH_ID_BOX_PUBLICBYTES + HEARTH_CERT_BYTES + REQ_CHECK)

static char *request_text(const hearth_id *space, const uint8_t token[REQ_TOKEN],
			  const hearth_identity_public *who,
			  const uint8_t cert[HEARTH_CERT_BYTES])
{
	static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	static const uint8_t magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'C', 'D' };
	uint8_t b[REQ_BYTES], *p = b;
	crypto_generichash_state h;
	size_t chars = (REQ_BYTES * 8 + 4) / 5, i, o = 0, bit;
	char *out = malloc(chars + chars / 5 + 1);

	if (out == NULL)
		return NULL;
	*p++ = REQ_TYPE;
	memcpy(p, space->b, HEARTH_ID_BYTES);
	p += HEARTH_ID_BYTES;
	memcpy(p, token, REQ_TOKEN);
	p += REQ_TOKEN;
	memcpy(p, who->sign_pk, HEARTH_ID_SIGN_PUBLICBYTES);
	p += HEARTH_ID_SIGN_PUBLICBYTES;
	memcpy(p, who->box_pk, HEARTH_ID_BOX_PUBLICBYTES);
	p += HEARTH_ID_BOX_PUBLICBYTES;
	memcpy(p, cert, HEARTH_CERT_BYTES);
	p += HEARTH_CERT_BYTES;
	crypto_generichash_init(&h, NULL, 0, REQ_CHECK);
	crypto_generichash_update(&h, magic, sizeof magic);
	crypto_generichash_update(&h, b, (size_t)(p - b));
	crypto_generichash_final(&h, p, REQ_CHECK);
	/* Five bits a character, most significant first, zero-padded. */
	for (i = 0; i < chars; i++) {
		unsigned v = 0;

		for (bit = i * 5; bit < i * 5 + 5; bit++)
			v = v << 1 | (bit / 8 < REQ_BYTES ? (b[bit / 8] >> (7 - bit % 8)) & 1u : 0u);
		if (i > 0 && i % 5 == 0)
			out[o++] = '-';
		out[o++] = b32[v];
	}
	out[o] = '\0';
	return out;
}

static const hearth_id no_space;
static const uint8_t no_token[REQ_TOKEN];

/* This vault's public identity keys. */
static hearth_status my_identity(hearth_store *s, hearth_identity_public *out)
{
	hearth_identity *id = NULL;
	hearth_status st;

	if ((st = hearth_identity_load(s, &id)) != HEARTH_OK)
		return st;
	*out = *hearth_identity_public_keys(id);
	hearth_identity_free(id);
	return HEARTH_OK;
}

hearth_status hearth_share_contact(hearth_store *s, char **code)
{
	uint8_t cert[HEARTH_CERT_BYTES];
	hearth_identity_public me;
	hearth_device_key *key = NULL;
	hearth_status st;

	if (s == NULL || code == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the contact code");
	*code = NULL;
	if ((st = my_identity(s, &me)) != HEARTH_OK ||
	    (st = hearth_device_key_load(s, &key, cert)) != HEARTH_OK)
		return st;
	hearth_device_key_free(key);
	if ((*code = request_text(&no_space, no_token, &me, cert)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory writing a share code");
	return HEARTH_OK;
}

hearth_status hearth_share_contact_parse(const char *code, hearth_share_contact_info *out)
{
	hearth_join_request jr;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the contact code");
	memset(out, 0, sizeof *out);
	if ((st = hearth_join_request_parse(code, &jr)) != HEARTH_OK) {
		/* The request parser names a join request; a contact code
		 * is one with no space, so say which code was meant. */
		if (st == HEARTH_EFORMAT)
			return hearth_fail(HEARTH_EFORMAT,
				"this is not a contact code (or it has a typo): ask the counsellor to show it again");
		return st;
	}
	if (!hearth_id_equal(&jr.space, &no_space) ||
	    memcmp(jr.token, no_token, REQ_TOKEN) != 0)
		return hearth_fail(HEARTH_EFORMAT,
				   "this is a join request for a space, not a contact code");
	out->identity = jr.identity;
	memcpy(out->cert, jr.cert, HEARTH_CERT_BYTES);
	out->device = jr.device;
	hearth_fingerprint(&jr.identity, out->fingerprint);
	return HEARTH_OK;
}

/* ---- the shares a vault holds --------------------------------------------- */

/* One share space, as read from its journalshare record and its state. */
typedef struct share {
	hearth_id space;
	hearth_id rec;            /* the journalshare record */
	uint64_t rec_device;      /* the device that made it */
	uint64_t follow_device;   /* the device that wrote "follow" */
	int follow;
	hearth_space_state *st;
	int valid;                /* the space is known and its creator wrote
				   * the record */
	int mine;                 /* this vault's identity made it */
	int member;               /* this vault's identity is or was in it */
	const hearth_space_member *counsellor; /* the current one, else the
						* last removed; NULL: none */
} share;

typedef struct shares {
	share *v;
	size_t n, cap;
	int oom;
} shares;

static int shares_cb(const hearth_record *r, void *ctx)
{
	shares *l = ctx;
	const char *f = hearth_record_field(r, "follow");
	share *sh;

	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 4;
		share *v = realloc(l->v, c * sizeof *v);

		if (v == NULL) {
			l->oom = 1;
			return 1;
		}
		l->v = v;
		l->cap = c;
	}
	sh = &l->v[l->n++];
	memset(sh, 0, sizeof *sh);
	sh->space = r->space;
	sh->rec = r->id;
	sh->rec_device = hearth_hlc_device(&r->created);
	sh->follow = f != NULL && strcmp(f, "1") == 0;
	for (size_t i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, "follow") == 0)
			sh->follow_device = hearth_hlc_device(&r->fields[i].hlc);
	return 0;
}

static void shares_free(shares *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		hearth_space_state_free(l->v[i].st);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* 1 if device is the employee's: the space's creator's. */
static int creator_device(const hearth_space_state *st, uint64_t device)
{
	size_t i, j;

	if (device == st->root_device)
		return 1;
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (!m->has_identity ||
		    memcmp(m->identity.sign_pk, st->creator, HEARTH_ID_SIGN_PUBLICBYTES) != 0)
			continue;
		for (j = 0; j < m->ndevices; j++)
			if (m->devices[j].device == device)
				return 1;
	}
	return 0;
}

/* Reads the state of share sh as seen by identity me.  Only the employee
 * decides what a share is: a journalshare record or a "follow" written by
 * another member (the counsellor can write in the space) does not count,
 * so a counsellor cannot make new entries follow. */
static hearth_status share_read(hearth_store *s, share *sh, const hearth_identity_public *me)
{
	hearth_space_state *st;
	hearth_status ret;
	size_t i;

	if ((ret = hearth_space_load(s, &sh->space, &sh->st)) != HEARTH_OK)
		return ret;
	st = sh->st;
	if (!st->known || !creator_device(st, sh->rec_device))
		return HEARTH_OK;
	sh->valid = 1;
	sh->follow = sh->follow && creator_device(st, sh->follow_device);
	sh->mine = st->known && memcmp(st->creator, me->sign_pk, HEARTH_ID_SIGN_PUBLICBYTES) == 0;
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (!m->has_identity)
			continue;
		if (memcmp(m->identity.sign_pk, me->sign_pk, HEARTH_ID_SIGN_PUBLICBYTES) == 0)
			sh->member = 1;
		if (m->role != HEARTH_ROLE_COUNSELLOR)
			continue;
		if (sh->counsellor == NULL || (sh->counsellor->removed && !m->removed))
			sh->counsellor = m;
	}
	return HEARTH_OK;
}

/* Every share space this vault holds, read; the first record of a space
 * its creator wrote stands for it (the employee writes one). */
static hearth_status shares_load(hearth_store *s, const hearth_identity_public *me,
				 shares *l)
{
	hearth_status ret;
	size_t i, j, k = 0;

	memset(l, 0, sizeof *l);
	ret = hearth_store_each(s, HEARTH_KIND_SHARE, 0, shares_cb, l);
	if (ret == HEARTH_OK && l->oom)
		ret = hearth_fail(HEARTH_ENOMEM, "out of memory listing shares");
	for (i = 0; ret == HEARTH_OK && i < l->n; i++) {
		for (j = 0; j < k && !hearth_id_equal(&l->v[j].space, &l->v[i].space); j++)
			;
		if (j < k)
			continue;
		l->v[k] = l->v[i];
		ret = share_read(s, &l->v[k], me);
		if (ret != HEARTH_OK || !l->v[k].valid) {
			hearth_space_state_free(l->v[k].st);
			l->v[k].st = NULL;
			continue;
		}
		k++;
	}
	l->n = k;
	if (ret != HEARTH_OK)
		shares_free(l);
	return ret;
}

static int share_active(const share *sh)
{
	return sh->counsellor != NULL && !sh->counsellor->removed;
}

/* ---- copies ------------------------------------------------------------------ */

typedef struct find_copy {
	hearth_store *s;
	const hearth_id *space;   /* NULL: any */
	int found;
	hearth_status (*each)(hearth_store *s, const hearth_id *copy);
} find_copy;

static hearth_status find_copy_cb(const hearth_cw_rec *r, void *ctx)
{
	find_copy *f = ctx;
	hearth_record *rec = NULL;
	hearth_status st;

	if ((st = hearth_record_load(f->s, &r->id, &rec)) != HEARTH_OK)
		return st;
	if (f->space == NULL || hearth_id_equal(&rec->space, f->space)) {
		f->found = 1;
		if (f->each != NULL)
			st = f->each(f->s, &r->id);
	}
	hearth_record_free(rec);
	return st;
}

/* The live copies of entry (in space, or anywhere): found, or each
 * handed to each. */
static hearth_status copies_of(hearth_store *s, const hearth_id *entry, const hearth_id *space,
			       hearth_status (*each)(hearth_store *, const hearth_id *),
			       int *found)
{
	char hex[HEARTH_ID_HEX + 1];
	find_copy f = { s, space, 0, each };
	hearth_status st;

	hearth_id_to_hex(entry, hex);
	st = hearth_cw_select_eq(s, HEARTH_KIND_SHARED_ENTRY, "source", hex, find_copy_cb, &f);
	if (found != NULL)
		*found = f.found;
	return st;
}

/* Copies one field of from into record id, when it is set. */
static hearth_status copy_field(hearth_store *s, const hearth_id *id, const hearth_record *from,
				const char *name)
{
	const char *v = hearth_record_field(from, name);

	return v != NULL ? hearth_record_set(s, id, name, v) : HEARTH_OK;
}

/* Copies the journal entry (a live record of this vault's private space)
 * into space, unless a copy is there; *copied is set when one is made. */
static hearth_status copy_entry(hearth_store *s, const hearth_id *space,
				const hearth_record *entry, int *copied)
{
	static const char *const entry_fields[] = { "date", "mood", "text" };
	static const char *const screening_fields[] = {
		"instrument", "version", "display", "total", "band", "positive",
		"flags", "risk", "answers", "lang", "at",
	};
	char hex[HEARTH_ID_HEX + 1];
	hearth_record *scr = NULL;
	const char *link;
	hearth_status st;
	hearth_id copy, sid;
	size_t i;
	int found;

	*copied = 0;
	if ((st = copies_of(s, &entry->id, space, NULL, &found)) != HEARTH_OK || found)
		return st;
	hearth_id_to_hex(&entry->id, hex);
	if ((st = hearth_record_create(s, space, HEARTH_KIND_SHARED_ENTRY, &copy)) != HEARTH_OK ||
	    (st = hearth_record_set(s, &copy, "source", hex)) != HEARTH_OK)
		return st;
	for (i = 0; i < sizeof entry_fields / sizeof entry_fields[0]; i++)
		if ((st = copy_field(s, &copy, entry, entry_fields[i])) != HEARTH_OK)
			return st;
	/* A self-screening travels inside its entry's copy: the linked
	 * record itself stays private. */
	link = hearth_record_field(entry, "screening");
	if (link != NULL && hearth_cw_id(link, &sid)) {
		st = hearth_record_load(s, &sid, &scr);
		if (st == HEARTH_ENOTFOUND) {
			hearth_errdetail_clear();
			st = HEARTH_OK;
		}
		for (i = 0; st == HEARTH_OK && scr != NULL && !scr->deleted &&
		     i < sizeof screening_fields / sizeof screening_fields[0]; i++)
			st = copy_field(s, &copy, scr, screening_fields[i]);
		hearth_record_free(scr);
		if (st != HEARTH_OK)
			return st;
	}
	*copied = 1;
	return HEARTH_OK;
}

static void detail_of(char out[64], const hearth_id *space, size_t n)
{
	char hex[HEARTH_ID_HEX + 1];

	hearth_id_to_hex(space, hex);
	snprintf(out, 64, "space=%s entries=%zu", hex, n);
}

/* Loads a live journal entry of this vault's private space. */
static hearth_status load_entry(hearth_store *s, const hearth_id *id, hearth_record **out)
{
	hearth_id priv = hearth_store_private_space(s);
	char hex[HEARTH_ID_HEX + 1];
	hearth_status st;

	st = hearth_record_load(s, id, out);
	if (st == HEARTH_ENOTFOUND || (st == HEARTH_OK &&
	    ((*out)->deleted || strcmp((*out)->kind, HEARTH_JOURNAL_KIND) != 0 ||
	     !hearth_id_equal(&(*out)->space, &priv)))) {
		hearth_record_free(*out);
		*out = NULL;
		hearth_id_to_hex(id, hex);
		return hearth_fail(HEARTH_ENOTFOUND, "no journal entry '%s'", hex);
	}
	return st;
}

/* ---- share ------------------------------------------------------------------- */

/* Makes the share space: created by this vault, the counsellor invited
 * and approved at once, the journalshare record. */
static hearth_status share_space_make(hearth_store *s, const hearth_share_contact_info *c,
				      const char *name, int follow, hearth_share_result *out)
{
	hearth_invitation inv;
	char *code = NULL, *req = NULL;
	hearth_status st;
	hearth_id rec;

	if ((st = hearth_space_create(s, name, &out->space)) != HEARTH_OK ||
	    (st = hearth_space_invite(s, &out->space, HEARTH_ROLE_COUNSELLOR, 0, &code)) != HEARTH_OK ||
	    (st = hearth_invitation_parse(code, &inv)) != HEARTH_OK)
		goto out;
	if ((req = request_text(&out->space, inv.token, &c->identity, c->cert)) == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory writing a share code");
		goto out;
	}
	if ((st = hearth_space_approve(s, &out->space, req, NULL, out->fingerprint)) != HEARTH_OK ||
	    (st = hearth_record_create(s, &out->space, HEARTH_KIND_SHARE, &rec)) != HEARTH_OK ||
	    (st = hearth_record_set(s, &rec, "follow", follow ? "1" : "0")) != HEARTH_OK)
		goto out;
	out->created = 1;
out:
	free(code);
	free(req);
	return st;
}

static hearth_status share_locked(hearth_store *s, const hearth_share_request *req,
				  hearth_share_result *out)
{
	hearth_share_contact_info c;
	hearth_identity_public me;
	hearth_journal_list *all = NULL;
	hearth_record *e = NULL;
	const share *active = NULL;
	char detail[64], shortid[9];
	shares l;
	hearth_status st;
	size_t i, n;
	int copied;

	if ((st = hearth_share_contact_parse(req->contact, &c)) != HEARTH_OK)
		return st;
	if ((st = my_identity(s, &me)) != HEARTH_OK)
		return st;
	if (memcmp(me.sign_pk, c.identity.sign_pk, HEARTH_ID_SIGN_PUBLICBYTES) == 0)
		return hearth_fail(HEARTH_EINVAL,
			"this is your own contact code: ask the counsellor for theirs");
	/* Every entry named must be one of this journal's before anything
	 * is written. */
	for (i = 0; i < req->n; i++) {
		if ((st = load_entry(s, &req->entries[i], &e)) != HEARTH_OK)
			return st;
		hearth_record_free(e);
		e = NULL;
	}
	if ((st = shares_load(s, &me, &l)) != HEARTH_OK)
		return st;
	for (i = 0; i < l.n; i++)
		if (l.v[i].mine && share_active(&l.v[i]))
			active = &l.v[i];
	memset(out, 0, sizeof *out);
	if (active != NULL && memcmp(active->counsellor->identity.sign_pk, c.identity.sign_pk,
				     HEARTH_ID_SIGN_PUBLICBYTES) != 0) {
		hearth_id_to_hex(&active->space, detail);
		memcpy(shortid, detail, 8);
		shortid[8] = '\0';
		st = hearth_fail(HEARTH_ESTATE,
			"your journal is shared with another counsellor now (share %s): end that share first",
			shortid);
		goto out;
	}
	if (active != NULL) {
		out->space = active->space;
		out->follow = active->follow;
		hearth_fingerprint(&active->counsellor->identity, out->fingerprint);
		/* The same person from another device: the share goes on, but
		 * its key was sealed to the devices approved, not this one. */
		out->other_device = 1;
		for (i = 0; i < active->counsellor->ndevices; i++)
			if (active->counsellor->devices[i].device == c.device.device)
				out->other_device = 0;
		if (req->all && !active->follow &&
		    (st = hearth_record_set(s, &active->rec, "follow", "1")) != HEARTH_OK)
			goto out;
	} else {
		const char *name = req->name != NULL ? req->name : HEARTH_SHARE_DEFAULT_NAME;

		if ((st = hearth_text_check("name", name)) != HEARTH_OK ||
		    (st = share_space_make(s, &c, name, req->all, out)) != HEARTH_OK)
			goto out;
	}
	out->follow |= req->all;
	if (req->all && (st = hearth_journal_entries(s, NULL, NULL, &all)) != HEARTH_OK)
		goto out;
	n = all != NULL ? all->n : req->n;
	for (i = 0; i < n; i++) {
		if ((st = load_entry(s, all != NULL ? &all->items[i].id : &req->entries[i],
				     &e)) != HEARTH_OK ||
		    (st = copy_entry(s, &out->space, e, &copied)) != HEARTH_OK)
			goto out;
		hearth_record_free(e);
		e = NULL;
		if (copied)
			out->copied++;
		else
			out->already++;
	}
	detail_of(detail, &out->space, out->copied);
	st = hearth_audit_append(s, HEARTH_AUDIT_JOURNAL_SHARE, &out->space, detail);
out:
	hearth_record_free(e);
	hearth_journal_list_free(all);
	shares_free(&l);
	return st;
}

hearth_status hearth_journal_share(hearth_store *s, const hearth_share_request *req,
				   hearth_share_result *out)
{
	hearth_share_result res;
	hearth_store_step step;
	hearth_status st;

	if (s == NULL || req == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store or share given");
	if (!req->all && (req->n == 0 || req->entries == NULL))
		return hearth_fail(HEARTH_EINVAL, "name the journal entries to share, or share them all");
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	st = hearth_store_step_end(s, &step, share_locked(s, req, &res));
	if (st == HEARTH_OK)
		*out = res;
	return st;
}

/* ---- journal hooks (share_private.h) ------------------------------------------- */

hearth_status hearth_share_follow_locked(hearth_store *s, const hearth_id *entry)
{
	hearth_identity_public me;
	hearth_record *e = NULL;
	char detail[64];
	hearth_status st;
	shares l;
	size_t i;
	int copied, any = 0;

	/* Nothing to load for a journal that was never shared. */
	memset(&l, 0, sizeof l);
	if ((st = hearth_store_each(s, HEARTH_KIND_SHARE, 0, shares_cb, &l)) != HEARTH_OK ||
	    l.oom) {
		shares_free(&l);
		return st != HEARTH_OK ? st : hearth_fail(HEARTH_ENOMEM, "out of memory listing shares");
	}
	for (i = 0; i < l.n; i++)
		any |= l.v[i].follow;
	shares_free(&l);
	if (!any)
		return HEARTH_OK;
	if ((st = my_identity(s, &me)) != HEARTH_OK || (st = shares_load(s, &me, &l)) != HEARTH_OK)
		return st;
	if ((st = load_entry(s, entry, &e)) != HEARTH_OK)
		goto out;
	for (i = 0; i < l.n; i++) {
		if (!l.v[i].mine || !l.v[i].follow || !share_active(&l.v[i]))
			continue;
		if ((st = copy_entry(s, &l.v[i].space, e, &copied)) != HEARTH_OK)
			goto out;
		detail_of(detail, &l.v[i].space, (size_t)copied);
		if (copied && (st = hearth_audit_append(s, HEARTH_AUDIT_JOURNAL_SHARE,
							&l.v[i].space, detail)) != HEARTH_OK)
			goto out;
	}
out:
	hearth_record_free(e);
	shares_free(&l);
	return st;
}

static hearth_status delete_copy(hearth_store *s, const hearth_id *copy)
{
	return hearth_record_delete(s, copy);
}

hearth_status hearth_share_forget_locked(hearth_store *s, const hearth_id *entry)
{
	return copies_of(s, entry, NULL, delete_copy, NULL);
}

hearth_status hearth_share_copied(hearth_store *s, const hearth_id *entry, int *shared)
{
	return copies_of(s, entry, NULL, NULL, shared);
}

/* ---- unshare ----------------------------------------------------------------- */

typedef struct count_ctx {
	const hearth_id *space;
	size_t n;
} count_ctx;

static int count_cb(const hearth_record *r, void *ctx)
{
	count_ctx *c = ctx;

	c->n += hearth_id_equal(&r->space, c->space);
	return 0;
}

static hearth_status count_copies(hearth_store *s, const hearth_id *space, size_t *n)
{
	count_ctx c = { space, 0 };
	hearth_status st;

	st = hearth_store_each(s, HEARTH_KIND_SHARED_ENTRY, 0, count_cb, &c);
	*n = c.n;
	return st;
}

static hearth_status unshare_locked(hearth_store *s, const hearth_id *space,
				    hearth_unshare_result *out)
{
	hearth_identity_public me;
	const share *sh = NULL;
	hearth_status st;
	shares l;
	size_t i;

	if ((st = my_identity(s, &me)) != HEARTH_OK || (st = shares_load(s, &me, &l)) != HEARTH_OK)
		return st;
	for (i = 0; i < l.n; i++)
		if (l.v[i].mine && hearth_id_equal(&l.v[i].space, space))
			sh = &l.v[i];
	if (sh == NULL) {
		st = hearth_fail(HEARTH_ENOTFOUND, "this is not a share of your journal");
		goto out;
	}
	if (!share_active(sh)) {
		st = hearth_fail(HEARTH_ESTATE, "this share has ended already");
		goto out;
	}
	memset(out, 0, sizeof *out);
	hearth_fingerprint(&sh->counsellor->identity, out->fingerprint);
	if ((st = count_copies(s, space, &out->kept)) != HEARTH_OK ||
	    (st = hearth_space_remove(s, space, &sh->counsellor->record)) != HEARTH_OK)
		goto out;
	/* After the removal: written in the new epoch, which only this vault
	 * holds. */
	if (sh->follow && (st = hearth_record_set(s, &sh->rec, "follow", "0")) != HEARTH_OK)
		goto out;
	st = hearth_audit_append(s, HEARTH_AUDIT_JOURNAL_UNSHARE, space, NULL);
out:
	shares_free(&l);
	return st;
}

hearth_status hearth_journal_unshare(hearth_store *s, const hearth_id *space,
				     hearth_unshare_result *out)
{
	hearth_unshare_result res;
	hearth_store_step step;
	hearth_status st;

	if (s == NULL || space == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no share named");
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	st = hearth_store_step_end(s, &step, unshare_locked(s, space, &res));
	if (st == HEARTH_OK)
		*out = res;
	return st;
}

/* ---- listing ------------------------------------------------------------------ */

/* The counsellor's ties, from sharelink records of this vault's private
 * space. */
typedef struct link {
	hearth_id rec, space, person;
} link;

typedef struct links {
	hearth_id priv;
	link *v;
	size_t n, cap;
	int oom;
} links;

static int links_cb(const hearth_record *r, void *ctx)
{
	links *l = ctx;
	link k;

	if (!hearth_id_equal(&r->space, &l->priv) ||
	    !hearth_cw_id(hearth_record_field(r, "space"), &k.space) ||
	    !hearth_cw_id(hearth_record_field(r, "person"), &k.person))
		return 0;
	k.rec = r->id;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 4;
		link *v = realloc(l->v, c * sizeof *v);

		if (v == NULL) {
			l->oom = 1;
			return 1;
		}
		l->v = v;
		l->cap = c;
	}
	l->v[l->n++] = k;
	return 0;
}

static hearth_status links_load(hearth_store *s, links *l)
{
	hearth_status st;

	memset(l, 0, sizeof *l);
	l->priv = hearth_store_private_space(s);
	st = hearth_store_each(s, HEARTH_KIND_SHARE_LINK, 0, links_cb, l);
	if (st == HEARTH_OK && l->oom)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory listing shares");
	if (st != HEARTH_OK)
		free(l->v);
	return st;
}

static const link *link_of(const links *l, const hearth_id *space)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (hearth_id_equal(&l->v[i].space, space))
			return &l->v[i];
	return NULL;
}

typedef struct name_ctx {
	const hearth_id *space;
	char *name;
} name_ctx;

static int name_cb(const hearth_record *r, void *ctx)
{
	name_ctx *c = ctx;
	const char *v = hearth_record_field(r, "name");

	if (!hearth_id_equal(&r->space, c->space) || v == NULL)
		return 0;
	c->name = strdup(v);
	return 1;
}

hearth_status hearth_shares_each(hearth_store *s, hearth_share_cb cb, void *ctx)
{
	hearth_identity_public me;
	hearth_status st;
	shares l;
	links k;
	size_t i, j;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list shares: no callback");
	if ((st = my_identity(s, &me)) != HEARTH_OK || (st = shares_load(s, &me, &l)) != HEARTH_OK)
		return st;
	if ((st = links_load(s, &k)) != HEARTH_OK) {
		shares_free(&l);
		return st;
	}
	for (i = 0; i < l.n && st == HEARTH_OK; i++) {
		const share *sh = &l.v[i];
		const hearth_space_member *lead = NULL;
		const link *ln = link_of(&k, &sh->space);
		name_ctx nc = { &sh->space, NULL };
		hearth_share_info info;
		int stop;

		if (!sh->st->known || (!sh->mine && !sh->member))
			continue;
		memset(&info, 0, sizeof info);
		info.space = sh->space;
		info.mine = sh->mine;
		info.active = share_active(sh);
		info.follow = sh->follow && info.active;
		for (j = 0; j < sh->st->nmembers; j++)
			if (sh->st->members[j].has_identity &&
			    memcmp(sh->st->members[j].identity.sign_pk, sh->st->creator,
				   HEARTH_ID_SIGN_PUBLICBYTES) == 0)
				lead = &sh->st->members[j];
		if (lead != NULL)
			hearth_fingerprint(&lead->identity, info.employee);
		if (sh->counsellor != NULL)
			hearth_fingerprint(&sh->counsellor->identity, info.counsellor);
		if (ln != NULL && !sh->mine) {
			info.linked = 1;
			info.person = ln->person;
		}
		if ((st = count_copies(s, &sh->space, &info.entries)) != HEARTH_OK ||
		    (st = hearth_store_each(s, HEARTH_KIND_SPACEINFO, 0, name_cb, &nc)) != HEARTH_OK)
			break;
		info.name = nc.name;
		stop = cb(&info, ctx) != 0;
		free(nc.name);
		if (stop)
			break;
	}
	free(k.v);
	shares_free(&l);
	return st;
}

typedef struct resolve_ctx {
	const char *text;
	size_t len;
	int mine;
	size_t n;
	hearth_id found;
} resolve_ctx;

static int resolve_cb(const hearth_share_info *i, void *ctx)
{
	resolve_ctx *r = ctx;
	char hex[HEARTH_ID_HEX + 1];
	size_t k;

	if (i->mine != r->mine)
		return 0;
	hearth_id_to_hex(&i->space, hex);
	for (k = 0; k < r->len; k++)
		if ((r->text[k] | 0x20) != hex[k])
			return 0;
	r->found = i->space;
	r->n++;
	return 0;
}

hearth_status hearth_share_resolve(hearth_store *s, const char *text, int mine, hearth_id *out)
{
	resolve_ctx r;
	hearth_status st;
	size_t k;

	if (s == NULL || text == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no share named");
	memset(&r, 0, sizeof r);
	r.text = text;
	r.len = strlen(text);
	r.mine = mine != 0;
	for (k = 0; k < r.len; k++)
		if (!((text[k] >= '0' && text[k] <= '9') ||
		      ((text[k] | 0x20) >= 'a' && (text[k] | 0x20) <= 'f')))
			break;
	if (k < r.len || r.len < HEARTH_ID_MIN_PREFIX || r.len > HEARTH_ID_HEX)
		return hearth_fail(HEARTH_EINVAL,
			"'%s' is not a share id: give at least %u of its hex digits",
			text, HEARTH_ID_MIN_PREFIX);
	if ((st = hearth_shares_each(s, resolve_cb, &r)) != HEARTH_OK)
		return st;
	if (r.n == 0)
		return hearth_fail(HEARTH_ENOTFOUND, "no share '%s' in this vault", text);
	if (r.n > 1)
		return hearth_fail(HEARTH_EAMBIGUOUS, "'%s' names more than one share", text);
	*out = r.found;
	return HEARTH_OK;
}

/* ---- the counsellor's side ------------------------------------------------------ */

static hearth_status link_locked(hearth_store *s, const hearth_id *space, const hearth_id *person)
{
	char hex[HEARTH_ID_HEX + 1], detail[8 + HEARTH_ID_HEX];
	hearth_identity_public me;
	hearth_record *p = NULL;
	const link *ln;
	hearth_status st;
	hearth_id rec;
	shares l;
	links k;
	size_t i;
	int found = 0;

	if ((st = hearth_cw_load(s, person, "person", &p)) != HEARTH_OK)
		return st;
	hearth_record_free(p);
	if ((st = my_identity(s, &me)) != HEARTH_OK || (st = shares_load(s, &me, &l)) != HEARTH_OK)
		return st;
	for (i = 0; i < l.n; i++)
		found |= !l.v[i].mine && l.v[i].member && hearth_id_equal(&l.v[i].space, space);
	shares_free(&l);
	if (!found)
		return hearth_fail(HEARTH_ENOTFOUND, "no share received in this vault has that id");
	if ((st = links_load(s, &k)) != HEARTH_OK)
		return st;
	ln = link_of(&k, space);
	if (ln != NULL) {
		rec = ln->rec;
	} else if ((st = hearth_record_create(s, NULL, HEARTH_KIND_SHARE_LINK, &rec)) != HEARTH_OK ||
		   (st = hearth_cw_set_id(s, &rec, "space", space)) != HEARTH_OK) {
		goto out;
	}
	if ((st = hearth_cw_set_id(s, &rec, "person", person)) != HEARTH_OK)
		goto out;
	hearth_id_to_hex(space, hex);
	snprintf(detail, sizeof detail, "space=%s", hex);
	st = hearth_audit_append(s, HEARTH_AUDIT_SHARE_LINK, person, detail);
out:
	free(k.v);
	return st;
}

hearth_status hearth_share_link(hearth_store *s, const hearth_id *space, const hearth_id *person)
{
	hearth_store_step step;
	hearth_status st;

	if (s == NULL || space == NULL || person == NULL)
		return hearth_fail(HEARTH_EINVAL, "no share or person named");
	if ((st = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return st;
	return hearth_store_step_end(s, &step, link_locked(s, space, person));
}

typedef struct person_ctx {
	const links *k;
	const hearth_id *person;
	hearth_record_cb cb;
	void *ctx;
} person_ctx;

static int person_cb(const hearth_record *r, void *ctx)
{
	person_ctx *c = ctx;
	const link *ln = link_of(c->k, &r->space);

	if (ln == NULL || !hearth_id_equal(&ln->person, c->person))
		return 0;
	return c->cb(r, c->ctx);
}

hearth_status hearth_share_person_each(hearth_store *s, const hearth_id *person,
				       hearth_record_cb cb, void *ctx)
{
	person_ctx c;
	hearth_status st;
	links k;

	if (s == NULL || person == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store, person or callback given");
	if ((st = links_load(s, &k)) != HEARTH_OK)
		return st;
	c.k = &k;
	c.person = person;
	c.cb = cb;
	c.ctx = ctx;
	if (k.n > 0)
		st = hearth_store_each(s, HEARTH_KIND_SHARED_ENTRY, 0, person_cb, &c);
	free(k.v);
	return st;
}
