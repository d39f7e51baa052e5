/*
 * hearth/hearth.h - everything libhearth offers, in one include.
 */
#ifndef HEARTH_HEARTH_H
#define HEARTH_HEARTH_H

#include "hearth/status.h"
#include "hearth/crypto.h"
#include "hearth/vfs.h"
#include "hearth/identity.h"
#include "hearth/hlc.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/envelope.h"
#include "hearth/sync.h"
#include "hearth/vault.h"
#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/space.h"
#include "hearth/spaces.h"
#include "hearth/audit.h"
#include "hearth/timeutil.h"
#include "hearth/vocab.h"
#include "hearth/casework.h"
#include "hearth/person.h"
#include "hearth/followup.h"
#include "hearth/overview.h"
#include "hearth/appointment.h"
#include "hearth/note.h"
#include "hearth/activity.h"
#include "hearth/instruments.h"
#include "hearth/screening.h"
#include "hearth/settings.h"
#include "hearth/reports.h"
#include "hearth/journal.h"

#define HEARTH_VERSION "0.1.0"

#endif /* HEARTH_HEARTH_H */
