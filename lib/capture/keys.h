/* TLS 1.3 records of a captured connection opened with the session keys
 * a client logged (SSLKEYLOGFILE: curl, Firefox, Chrome, Go, Java agents,
 * `openssl s_client -keylogfile`): the server's Certificate and
 * CertificateRequest, the client's Certificate, and the alerts either side
 * sent encrypted become observations like the ones a TLS 1.2 capture
 * shows in the clear, for the same rules. */
#ifndef TD_CAPTURE_KEYS_H
#define TD_CAPTURE_KEYS_H

#include "capture/conn.h"

/* After td_cap_conn_finish's own work: nothing when c has no key log, no
 * client random, or did not negotiate TLS 1.3. */
void td_cap_decrypt(td_cap_conn *c);

#endif
