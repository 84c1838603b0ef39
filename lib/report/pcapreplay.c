/* The Replay section of `tlsdiag pcap --replay` (text) and its JSON line. */
#include <stdio.h>

#include "diag/replay.h"
#include "registry/registry.h"
#include "report/jline.h"
#include "report/json_int.h"
#include "report/pcap_int.h"

static void answer_words(td_str *b, const td_replay_answer *a)
{
    char name[80];
    if (a->outcome == TD_REPLAY_HELLO)
        td_str_printf(b, "answered (%s%s)", a->hrr ? "HelloRetryRequest, " : "",
                      td_suite_label(a->suite, name, sizeof name));
    else if (a->outcome == TD_REPLAY_ALERT)
        td_str_printf(b, "alert %s", td_alert_name(a->alert_desc, "unknown"));
    else
        td_str_add(b, td_replay_outcome_name(a->outcome));
}

static void step_words(td_str *b, const td_replay_step *st)
{
    char name[80];
    if (st->drop == TD_DROP_NOTHING)
        td_str_add(b, "the captured hello");
    else if (st->drop == TD_DROP_EXTENSION)
        td_str_printf(b, "without %s", td_ext_label(st->values[0], name, sizeof name));
    else if (st->drop == TD_DROP_GROUP)
        td_str_printf(b, "without the group %s", td_group_label(st->values[0], name, sizeof name));
    else
        td_str_printf(b, "without %zu of the %s", st->n_values ? st->n_values : 1, td_drop_kind_name(st->drop));
}

static void line(FILE *f, const char *label, const td_replay_answer *a, const td_replay_step *st)
{
    td_str b;
    td_str_init(&b);
    if (st)
        step_words(&b, st);
    else
        td_str_add(&b, label);
    td_str_printf(&b, " (%zu bytes): ", a->hello_len);
    answer_words(&b, a);
    fprintf(f, "  %s\n", b.s ? b.s : "");
    td_str_free(&b);
}

/* What the replay concluded, in one sentence. */
static void conclusion(const td_cap_replay *rp, td_str *b)
{
    const td_replay_result *r = &rp->res;
    char what[160];
    td_replay_culprit(r, what, sizeof what);
    if (!r->rejected)
        td_str_printf(b, "the captured hello works against %s now: no failure", rp->target);
    else if (r->found && !r->stable)
        td_str_printf(b, "the answer was not stable: %s seemed to be turned down, but the second try disagreed; "
                         "nothing is named", what);
    else if (!r->found)
        td_str_printf(b, "%s turns the captured hello down, and no single element removed lets it through%s",
                      rp->target, r->out_of_connections ? " (connections ran out)" : "");
}

void td_cap_replay_text(const td_cap_replay *rp, FILE *f, bool verbose)
{
    const td_replay_result *r = &rp->res;
    if (!rp->ran)
        return;
    fprintf(f, "Replay of stream %lu to %s (%s)\n", rp->stream, rp->target, rp->addr);
    for (size_t k = 0; k < r->n_steps; k++) {
        if (k == 1 && r->baseline_sent)
            line(f, "tlsdiag's own hello", &r->baseline, NULL);
        if (verbose || k == 0 || (r->found && k == r->culprit_step))
            line(f, "", &r->steps[k].answer, &r->steps[k]);
    }
    if (r->confirm_sent) {
        line(f, "again, the captured hello", &r->confirm_full, NULL);
        line(f, "again, without the culprit", &r->confirm_without, NULL);
    }
    td_str b;
    td_str_init(&b);
    conclusion(rp, &b);
    if (b.s)
        fprintf(f, "  %s\n", b.s);
    td_str_free(&b);
    for (size_t k = 0; k < rp->fs.n; k++)
        td_cap_finding_text(f, &rp->fs.v[k], verbose, "root cause: ");
    fputc('\n', f);
}

static void answer_json(td_str *b, const char *key, const td_replay_answer *a)
{
    td_jl_open(b, key, '{');
    td_jl_str(b, "outcome", td_replay_outcome_name(a->outcome));
    td_jl_int(b, "hello_bytes", (int64_t)a->hello_len);
    if (a->outcome == TD_REPLAY_ALERT)
        td_jl_str(b, "alert", td_alert_name(a->alert_desc, "unknown"));
    td_jl_close(b, '}');
}

int td_cap_replay_json(const td_cap_replay *rp, FILE *f)
{
    const td_replay_result *r = &rp->res;
    if (!rp->ran)
        return 0;
    char what[160];
    td_replay_culprit(r, what, sizeof what);
    td_str b;
    td_str_init(&b);
    td_jl_open(&b, NULL, '{');
    td_jl_str(&b, "type", "replay");
    td_jl_int(&b, "stream", (int64_t)rp->stream);
    td_jl_str(&b, "target", rp->target);
    td_jl_str(&b, "address", rp->addr);
    td_jl_bool(&b, "accepted", !r->rejected);
    td_jl_open(&b, "steps", '[');
    for (size_t k = 0; k < r->n_steps; k++) {
        const td_replay_step *st = &r->steps[k];
        td_jl_open(&b, NULL, '{');
        td_jl_str(&b, "drop", td_drop_kind_name(st->drop));
        td_jl_open(&b, "values", '[');
        for (size_t i = 0; i < st->n_values && i < TD_REPLAY_MAX_VALUES; i++)
            td_jl_int(&b, NULL, st->values[i]);
        td_jl_close(&b, ']');
        answer_json(&b, "answer", &st->answer);
        td_jl_close(&b, '}');
    }
    td_jl_close(&b, ']');
    if (r->baseline_sent)
        answer_json(&b, "baseline", &r->baseline);
    td_jl_str(&b, "culprit", r->found && r->stable ? what : NULL);
    td_jl_bool(&b, "confirmed", r->confirm_sent);
    td_jl_bool(&b, "stable", r->stable);
    bool err = false;
    td_cap_dumped(&b, "findings", td_json_findings(&rp->fs, NULL, &err), err);
    td_jl_close(&b, '}');
    td_str_addn(&b, "\n", 1);
    int rc = !b.err && fwrite(b.s, 1, b.len, f) == b.len ? 0 : -1;
    td_str_free(&b);
    return rc;
}
