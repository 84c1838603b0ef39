/* Version names for reports and evidence. */
#include "tls.h"

const char *td_version_name(uint16_t v)
{
    switch (v) {
    case TD_SSL2:  return "SSLv2";
    case TD_SSL3:  return "SSLv3";
    case TD_TLS10: return "TLS 1.0";
    case TD_TLS11: return "TLS 1.1";
    case TD_TLS12: return "TLS 1.2";
    case TD_TLS13: return "TLS 1.3";
    default:
        /* A fixed string keeps this reentrant: the scheduler, reporters and
         * probes may name several versions in one printf.  Callers that want
         * the code point print it in hex beside the name. */
        return "unknown";
    }
}
