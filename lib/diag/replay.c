/* A culprit named by the replay becomes a finding.  VERSION_INTOLERANCE's
 * meaning in the catalog covers a server that breaks on a larger or
 * extended hello: here the extension, group, suites or size it breaks on
 * are known exactly. */
#include "diag/replay.h"

#include <stdio.h>
#include <string.h>

#include "diag/advice.h"
#include "registry/registry.h"
#include "util/str.h"

void td_replay_culprit(const td_replay_result *r, char *buf, size_t len)
{
    char name[80];
    buf[0] = '\0';
    if (!r->found)
        return;
    const td_replay_step *st = &r->steps[r->culprit_step];
    uint16_t v = st->n_values ? st->values[0] : 0;
    switch (st->drop) {
    case TD_DROP_NOTHING: return;
    case TD_DROP_PADDING: snprintf(buf, len, "the padding extension (a hello of %zu bytes)", r->steps[0].answer.hello_len); return;
    case TD_DROP_EXTENSION: snprintf(buf, len, "the extension %s", td_ext_label(v, name, sizeof name)); return;
    case TD_DROP_GROUP: snprintf(buf, len, "the group %s", td_group_label(v, name, sizeof name)); return;
    case TD_DROP_SUITES: snprintf(buf, len, "the cipher suite %s", td_suite_label(v, name, sizeof name)); return;
    case TD_DROP_SIGALGS: snprintf(buf, len, "the signature algorithm 0x%04x", v); return;
    }
}

static void answer_text(td_str *b, const td_replay_answer *a)
{
    td_str_add(b, td_replay_outcome_name(a->outcome));
    if (a->outcome == TD_REPLAY_ALERT)
        td_str_printf(b, " %s", td_alert_name(a->alert_desc, "unknown"));
}

/* The client-side workaround for what was named. */
static const char *client_side(td_drop_kind k)
{
    switch (k) {
    case TD_DROP_PADDING: return "turn off the padding extension (OpenSSL: SSL_OP_TLSEXT_PADDING off)";
    case TD_DROP_EXTENSION: return "disable that extension in the client (OpenSSL: SSL_OP_NO_ENCRYPT_THEN_MAC for "
                                   "encrypt_then_mac, no post-handshake auth for post_handshake_auth; Java: "
                                   "jdk.tls.client.disableExtensions)";
    case TD_DROP_GROUP: return "leave that group out of the client's groups (OpenSSL -groups, Java "
                               "jdk.tls.namedGroups)";
    case TD_DROP_SUITES: return "leave that suite out of the client's list (curl --ciphers, OpenSSL -cipher)";
    case TD_DROP_SIGALGS: return "leave that signature algorithm out (OpenSSL -sigalgs)";
    case TD_DROP_NOTHING: break;
    }
    return "";
}

void td_diagnose_replay(const td_replay_view *v, td_findings *out)
{
    const td_replay_result *r = v->r;
    if (!r->rejected || !r->found || !r->confirm_sent || !r->stable)
        return;
    const td_replay_step *st = &r->steps[r->culprit_step];
    char what[160];
    td_replay_culprit(r, what, sizeof what);
    td_str sum, ev, fix, ver;
    td_str_init(&sum);
    td_str_init(&ev);
    td_str_init(&fix);
    td_str_init(&ver);
    td_str_printf(&sum, "%s turns down the captured client's hello because of %s", v->target, what);
    td_str_add(&ev, "the captured hello replayed: ");
    answer_text(&ev, &r->steps[0].answer);
    td_str_printf(&ev, " (%zu bytes); without %s: answered; confirmed on fresh connections: full hello ", r->steps[0].answer.hello_len, what);
    answer_text(&ev, &r->confirm_full);
    td_str_add(&ev, ", without it answered again");
    if (r->baseline_sent) {
        td_str_add(&ev, "; tlsdiag's own hello: ");
        answer_text(&ev, &r->baseline);
    }
    td_str_printf(&fix, "Server side: the server or a device in front of it (load balancer, firewall or IPS with TLS "
                        "inspection, e.g. older F5 BIG-IP, Citrix ADC or Cisco ASA/FTD firmware) mishandles %s; "
                        "RFC 8446 section 4.1.2 lets a client send any extension and a server must ignore what it "
                        "does not know: upgrade it. Client side, until then: %s.",
                  what, client_side(st->drop));
    td_str_add(&ver, "tlsdiag pcap ");
    bool safe = td_shell_safe(v->file) && td_shell_safe(v->target);
    td_str_printf(&ver, "%s --stream %lu --replay %s", safe ? v->file : "FILE", v->stream, safe ? v->target : "HOST:PORT");
    td_finding *f = td_findings_take(out, TD_ID_VERSION_INTOLERANCE, TD_SEV_FAIL, &sum, &ev, fix.s, &ver);
    if (f)
        f->reason = st->drop == TD_DROP_GROUP ? TD_REASON_GROUP : st->drop == TD_DROP_SUITES ? TD_REASON_SUITE : TD_REASON_NONE;
    td_str_free(&fix);
}
