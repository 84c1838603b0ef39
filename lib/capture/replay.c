/* `tlsdiag pcap --replay HOST[:PORT]`: which connection's hello is sent,
 * where to, and the finding the replay's answers lead to.  The probe
 * (lib/probe/replay.c) makes the connections; lib/diag/replay.c judges. */
#include <stdio.h>
#include <stdlib.h>

#include "capture/capture_int.h"
#include "capture/conn.h"
#include "diag/replay.h"
#include "net/net.h"
#include "util/hostport.h"
#include "util/str.h"

#define REPLAY_TIMEOUT_S 5.0
#define REPLAY_DEFAULT_PORT 443

td_status td_capture_set_replay(td_capture *c, const char *target)
{
    if (!c || !target)
        return TD_ERR_USAGE;
    td_cap_replay *rp = c->replay ? c->replay : calloc(1, sizeof *rp);
    if (!rp)
        return TD_ERR_INTERNAL;
    c->replay = rp;
    snprintf(rp->target, sizeof rp->target, "%s", target);
    char why[256];
    bool v6;
    if (td_split_host_port(target, "target", rp->host, sizeof rp->host, &rp->port, &v6, why, sizeof why) != 0) {
        snprintf(c->error, sizeof c->error, "--replay needs HOST[:PORT]: %s", why);
        return TD_ERR_USAGE;
    }
    if (!rp->port)
        rp->port = REPLAY_DEFAULT_PORT;
    return TD_OK;
}

void td_cap_replay_offer(td_cap_replay *rp, bool stream_set, td_cap_conn *conn, bool failed)
{
    if (!conn->hello_msg)
        return;
    /* With --stream only that connection is judged; else the first failed
     * one wins over a first that worked. */
    if (rp->msg && (stream_set || rp->failed || !failed))
        return;
    free(rp->msg);
    rp->msg = conn->hello_msg;
    rp->len = conn->hello_msg_len;
    rp->stream = conn->obs.stream;
    rp->failed = failed;
    conn->hello_msg = NULL;
}

void td_cap_replay_free(td_cap_replay *rp)
{
    if (!rp)
        return;
    free(rp->msg);
    td_findings_free(&rp->fs);
    free(rp);
}

td_status td_capture_replay(td_capture *c)
{
    td_cap_replay *rp = c ? c->replay : NULL;
    if (!rp)
        return TD_ERR_USAGE;
    if (!rp->msg || !td_chello_parse(&rp->hello, rp->msg, rp->len)) {
        snprintf(c->error, sizeof c->error, "--replay: the capture holds no whole ClientHello to send");
        return TD_ERR_USAGE;
    }
    td_addr addr;
    size_t n = 0;
    char err[160] = "";
    if (td_resolve(rp->host, rp->port, NULL, REPLAY_TIMEOUT_S, &addr, 1, &n, err, sizeof err) != 0 || n == 0) {
        snprintf(c->error, sizeof c->error, "--replay: cannot resolve '%.100s': %s", rp->host, err[0] ? err : "no address");
        return TD_ERR_USAGE;
    }
    td_hostport(rp->addr, sizeof rp->addr, addr.text, rp->port);
    td_replay_req req = {.hello = &rp->hello, .addr = addr, .timeout_s = REPLAY_TIMEOUT_S, .bisect = true};
    if (td_replay_run(&req, &rp->res) != 0) {
        snprintf(c->error, sizeof c->error, "--replay: %s", rp->res.error);
        return TD_ERR_USAGE;
    }
    if (rp->res.steps[0].answer.outcome == TD_REPLAY_NO_CONNECT) {
        snprintf(c->error, sizeof c->error, "--replay: cannot connect to %s: %s", rp->addr,
                 rp->res.steps[0].answer.detail);
        return TD_ERR_USAGE;
    }
    td_replay_confirm(&req, &rp->res);
    td_replay_view v = {.r = &rp->res, .target = rp->target, .file = c->file, .stream = rp->stream};
    td_diagnose_replay(&v, &rp->fs);
    rp->ran = true;
    return TD_OK;
}
