/* The diagnosis catalog: the table behind catalog.h. */
#include "diag/catalog.h"

#include <string.h>

#define C(x) TD_ID_##x

/* What each finding may be a symptom of, for lib/diag/rank.c and the
 * reports.  The order is the order of preference when several are there. */
static const td_id causes[TD_ID_COUNT][TD_CATALOG_MAX_CAUSES] = {
    /* A reset, close, silence or alert that some hellos get while others
     * work is the server refusing those hellos. */
    [C(RESET_AFTER_CLIENTHELLO)] = { C(VERSION_INTOLERANCE), C(NO_SHARED_CIPHER) },
    [C(CLOSED_AFTER_CLIENTHELLO)] = { C(VERSION_INTOLERANCE), C(NO_SHARED_CIPHER) },
    [C(HANDSHAKE_TIMEOUT)] = { C(VERSION_INTOLERANCE), C(NO_SHARED_CIPHER) },
    [C(SERVER_ALERT)] = { C(VERSION_INTOLERANCE), C(NO_SHARED_CIPHER) },
    /* A server stuck below TLS 1.2 accepts only legacy versions and lacks
     * TLS 1.3: one fault, said three ways. */
    [C(LEGACY_PROTOCOL_ENABLED)] = { C(PROTOCOL_TOO_OLD) },
    [C(TLS13_MISSING)] = { C(PROTOCOL_TOO_OLD) },
    /* "Modern clients share no suite" already says the list is all weak. */
    [C(WEAK_CIPHERS_ONLY)] = { C(NO_SHARED_CIPHER) },
    /* With an issuer in the leaf's place (CHAIN_ORDER at fail), every
     * verdict on "the leaf" is about the wrong certificate. */
    [C(HOSTNAME_MISMATCH)] = { C(CHAIN_ORDER) },
    [C(NO_SAN)] = { C(CHAIN_ORDER), C(HOSTNAME_MISMATCH) },
    [C(CERT_EXPIRED)] = { C(CHAIN_ORDER) },
    [C(CERT_NOT_YET_VALID)] = { C(CHAIN_ORDER) },
    [C(CERT_EXPIRING_SOON)] = { C(CHAIN_ORDER) },
    /* A certificate re-signed by an interceptor is untrusted because of it. */
    [C(CHAIN_INCOMPLETE)] = { C(TLS_INTERCEPTED), C(CHAIN_ORDER) },
    [C(UNTRUSTED_CA)] = { C(TLS_INTERCEPTED), C(CHAIN_ORDER) },
    [C(SELF_SIGNED)] = { C(TLS_INTERCEPTED), C(CHAIN_ORDER) },
    [C(CHAIN_CERT_EXPIRED)] = { C(CHAIN_ORDER) },
    [C(KEY_TOO_SMALL)] = { C(CHAIN_ORDER) },
    [C(WEAK_SIGNATURE)] = { C(CHAIN_ORDER) },
    [C(CERT_PURPOSE)] = { C(CHAIN_ORDER) },
    /* In a capture, the client's refusal of the chain is the symptom of
     * what is wrong with it. */
    [C(CLIENT_REJECTED_CERT)] = { C(CHAIN_ORDER), C(CHAIN_INCOMPLETE), C(UNTRUSTED_CA), C(SELF_SIGNED),
                                  C(CERT_EXPIRED), C(CERT_NOT_YET_VALID), C(CHAIN_CERT_EXPIRED),
                                  C(KEY_TOO_SMALL), C(WEAK_SIGNATURE), C(CERT_PURPOSE) },
    [C(CLIENT_ALERT)] = { C(CHAIN_ORDER), C(CHAIN_INCOMPLETE), C(UNTRUSTED_CA), C(SELF_SIGNED),
                          C(CERT_EXPIRED), C(CERT_NOT_YET_VALID), C(CHAIN_CERT_EXPIRED), C(KEY_TOO_SMALL),
                          C(WEAK_SIGNATURE), C(CERT_PURPOSE) },
    /* A client fails for a reason a server-side finding states for all
     * (rank.c picks among these by the client's typed reason). */
    [C(CLIENT_INCOMPATIBLE)] = { C(PROTOCOL_TOO_OLD), C(NO_SHARED_CIPHER), C(WEAK_CIPHERS_ONLY),
                                 C(NO_SHARED_GROUP), C(DH_TOO_SMALL), C(KEY_TOO_SMALL),
                                 C(CHAIN_INCOMPLETE), C(CHAIN_ORDER), C(CHAIN_CERT_EXPIRED),
                                 C(UNTRUSTED_CA), C(SELF_SIGNED), C(HOSTNAME_MISMATCH), C(NO_SAN),
                                 C(SNI_DEFAULT_CERT), C(CERT_EXPIRED), C(CERT_NOT_YET_VALID),
                                 C(WEAK_SIGNATURE), C(CERT_PURPOSE), C(SNI_REQUIRED),
                                 C(VERSION_INTOLERANCE), C(SERVER_PROTOCOL_VIOLATION), C(SERVER_ALERT),
                                 C(RESET_AFTER_CLIENTHELLO), C(CLOSED_AFTER_CLIENTHELLO), C(HANDSHAKE_TIMEOUT) },
};

static const td_catalog_entry table[TD_ID_COUNT] = {
#define TD_CATALOG_ROW(n, sec, sev, lay, plan) \
    [TD_ID_##n] = { TD_ID_##n, #n, TD_SEC_##sec, TD_SEV_##sev, lay, plan },
    TD_CATALOG(TD_CATALOG_ROW)
#undef TD_CATALOG_ROW
};

const td_catalog_entry *td_catalog(td_id id)
{
    if (id <= TD_ID_NONE || id >= TD_ID_COUNT)
        return NULL;
    return &table[id];
}

const char *td_id_name(td_id id)
{
    const td_catalog_entry *e = td_catalog(id);
    return e ? e->name : "?";
}

td_id td_id_by_name(const char *name)
{
    if (!name)
        return TD_ID_NONE;
    for (int i = TD_ID_NONE + 1; i < TD_ID_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return (td_id)i;
    return TD_ID_NONE;
}

bool td_id_may_be_symptom_of(td_id symptom, td_id cause)
{
    if (!td_catalog(symptom) || !td_catalog(cause))
        return false;
    for (size_t i = 0; i < TD_CATALOG_MAX_CAUSES && causes[symptom][i] != TD_ID_NONE; i++)
        if (causes[symptom][i] == cause)
            return true;
    return false;
}

const td_id *td_id_causes(td_id symptom)
{
    return td_catalog(symptom) ? causes[symptom] : NULL;
}

const char *td_section_title(td_section s)
{
    switch (s) {
    case TD_SEC_REACH: return "Reaching the server";
    case TD_SEC_NEGOTIATE: return "Negotiating the protocol";
    case TD_SEC_CERT: return "The certificate";
    case TD_SEC_TIME: return "Over time and across servers";
    case TD_SEC_CLIENT_SIDE: return "The client's side";
    case TD_SEC_CONFIG: return "Configuration";
    case TD_SEC_CLIENTS: return "Clients";
    }
    return "?";
}

static const char *const reason_tokens[TD_REASON_COUNT] = {
#define TD_REASON_ROW(n, tok) [TD_REASON_##n] = tok,
    TD_REASONS(TD_REASON_ROW)
#undef TD_REASON_ROW
};

const char *td_reason_token(td_reason r)
{
    if (r <= TD_REASON_NONE || r >= TD_REASON_COUNT)
        return NULL;
    return reason_tokens[r];
}
