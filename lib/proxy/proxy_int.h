/* Inside the proxy engines: what engine.c shares with http.c and socks.c. */
#ifndef TD_PROXY_INT_H
#define TD_PROXY_INT_H

#include "proxy/proxy.h"

/* td_proxy_conn.state: 0 and up are the protocol's own steps. */
#define TD_PX_STATE_UP (-1)

/* Records the failure (reason made printable) and returns FAIL. */
td_px_step td_px_failed(td_proxy_conn *c, td_pxf_kind kind, int code, const char *reason);
/* Copies n bytes as text, every byte outside printable ASCII as '?'. */
void td_px_printable(char *dst, size_t cap, const uint8_t *p, size_t n);

bool td_px_http_start(td_proxy_conn *c, td_wr *out);
/* Parses c->in[0..n_in) again from the start: MORE until the head is whole. */
td_px_step td_px_http_feed(td_proxy_conn *c);
bool td_px_socks_start(td_proxy_conn *c, td_wr *out);
td_px_step td_px_socks_feed(td_proxy_conn *c, td_wr *out);

#endif
