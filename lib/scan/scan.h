/* The insides of td_scan: the public functions are in include/tlsdiag.h. */
#ifndef TD_SCAN_SCAN_H
#define TD_SCAN_SCAN_H

#include "../../include/tlsdiag.h"

#endif
