/* The capture reader's side of certificate verification: each chain a
 * server sent is verified against the system store before the rules run,
 * once per distinct chain, name and day (a capture of a busy server
 * carries the same chain thousands of times). */
#ifndef TD_CAPTURE_TRUST_H
#define TD_CAPTURE_TRUST_H

#include "obs/capobs.h"

typedef struct td_cap_trustmemo td_cap_trustmemo;

td_cap_trustmemo *td_cap_trustmemo_new(void);
void td_cap_trustmemo_free(td_cap_trustmemo *m);
/* Sets o->trust for the chain o carries (left NULL without a chain, or
 * when the store cannot be opened or memory runs out). */
void td_cap_trust_fill(td_cap_trustmemo *m, td_capobs *o);

#endif
