/* Who the client of a captured connection is: JA3, JA4 and the nearest
 * client profile (lib/diag/fingerprint.c), remembered per distinct offer,
 * since the clients of one capture are few and its connections many. */
#ifndef TD_CAPTURE_WHO_H
#define TD_CAPTURE_WHO_H

#include "obs/capobs.h"
#include "wire/chello.h"

typedef struct td_cap_whomemo td_cap_whomemo;

td_cap_whomemo *td_cap_whomemo_new(void);
void td_cap_whomemo_free(td_cap_whomemo *m);
/* Fills the fingerprint fields of o from the parsed hello h; m may be
 * NULL (nothing remembered). */
void td_cap_who(td_cap_whomemo *m, const td_chello *h, td_capobs *o);

#endif
