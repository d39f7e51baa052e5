/*
 * gui-gtk/hearth-exercises-page.h - the 5-4-3-2-1 grounding exercise, one step per card.
 */
#ifndef HEARTH_EXERCISES_PAGE_H
#define HEARTH_EXERCISES_PAGE_H

#include "hearth-window.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_EXERCISES_PAGE (hearth_exercises_page_get_type())
G_DECLARE_FINAL_TYPE(HearthExercisesPage, hearth_exercises_page, HEARTH, EXERCISES_PAGE, AdwBin)

HearthExercisesPage *hearth_exercises_page_new(HearthWindow *win);

G_END_DECLS

#endif /* HEARTH_EXERCISES_PAGE_H */
