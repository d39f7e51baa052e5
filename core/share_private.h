/*
 * share_private.h - what the journal (core/journal.c) asks of the consent
 * shares (core/share.c, hearth/share.h).  Not installed.
 *
 * The hooks run inside the caller's transaction and write nothing when
 * the journal was never shared.
 */
#ifndef HEARTH_SHARE_PRIVATE_H
#define HEARTH_SHARE_PRIVATE_H

#include "hearth/status.h"
#include "hearth/store.h"

/* A new journal entry: copied into each active share of this journal
 * that new entries follow (one made or extended with all).  Audit:
 * journal.share for each copy. */
hearth_status hearth_share_follow_locked(hearth_store *s, const hearth_id *entry);

/* A journal entry being deleted: its copies in every share go too. */
hearth_status hearth_share_forget_locked(hearth_store *s, const hearth_id *entry);

/* *shared: 1 when a live copy of the journal entry is in a share (the
 * counsellor may hold it, even after the share ended), else 0. */
hearth_status hearth_share_copied(hearth_store *s, const hearth_id *entry, int *shared);

#endif /* HEARTH_SHARE_PRIVATE_H */
