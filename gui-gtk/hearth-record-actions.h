/*
 * gui-gtk/hearth-record-actions.h - the small dialogs and rows shared by
 * several pages: completing a follow-up, recording an unreachable attempt,
 * adding a follow-up, acting on an appointment (held, no-show, move,
 * cancel one or the rest of a series), writing and amending notes.  Each
 * calls one core function and reports what it did in a toast.
 */
#ifndef HEARTH_RECORD_ACTIONS_H
#define HEARTH_RECORD_ACTIONS_H

#include "hearth/appointment.h"
#include "hearth/followup.h"
#include "hearth/note.h"
#include "hearth-window.h"

G_BEGIN_DECLS

/* Asks for the outcome, then marks the follow-up done. */
void hearth_followup_done_ask(HearthWindow *win, const hearth_id *id);

/* Records an attempt that did not reach the person. */
void hearth_followup_unreachable_run(HearthWindow *win, const hearth_id *id);

/* Asks for a due date, reason and priority, then adds a follow-up. */
void hearth_followup_add_ask(HearthWindow *win, const hearth_id *person);

/* Offers what can be done with an appointment. */
void hearth_appt_actions_ask(HearthWindow *win, const hearth_id *id);

/* Writes a note for person (about appt if non-NULL), or an amendment of
 * note amends. */
void hearth_note_write_ask(HearthWindow *win, const hearth_id *person,
			   const hearth_id *appt, const hearth_id *amends);

/* Shows a note with its amendments, with an Amend button. */
void hearth_note_dialog_show(HearthWindow *win, const hearth_id *note);

/* A row for a follow-up: reason, person, due/overdue in words, and Done
 * and Not Reached buttons for a pending one. */
GtkWidget *hearth_followup_row_new(HearthWindow *win,
				   const hearth_followup_item *f,
				   gboolean show_person);

/* A row for an appointment: time, person, place; activating it offers the
 * appointment actions. */
GtkWidget *hearth_appt_row_new(HearthWindow *win, const hearth_appt_item *a,
			       gboolean show_date);

/* "Overdue by 3 days", "Due today", "Due Tue 2026-03-17". */
char *hearth_due_text(const char *due, int32_t days_overdue, const char *today);

/* Conflicts as sentences naming the dates ("Clashes on 2026-03-14 10:00
 * with another booking for the same person."), one per line. */
char *hearth_conflicts_text(const hearth_conflict *c, size_t n);

G_END_DECLS

#endif /* HEARTH_RECORD_ACTIONS_H */
