/* TLS_INTERCEPTED: the certificate a client gets is not the server's own
 * but one something in the path (a proxy, a gateway, antivirus) made for
 * it.  Four signs: the issuer is a known interception product's CA
 * (lib/registry/intercept.c) over a leaf for the host asked for; the chain through the proxy differs from the
 * one the server sends without it; no CA in the chain has the name the
 * user expects (--expect-issuer); the leaf's key matches none of the pins
 * (--pin).  The fix is on the client's side.  No I/O here. */
#include <stdio.h>
#include <string.h>

#include "../cert/cert.h"
#include "../registry/registry.h"
#include "advice.h"
#include "finding.h"

#define FIX_TRUST_PROXY_CA                                                                                      \
    "The certificate comes from the interceptor, not the server: clients behind it need its CA in their trust " \
    "store (ask its administrators for the CA certificate in PEM), or the destination exempted from "           \
    "inspection. Per runtime: the system store (Debian/Ubuntu: copy it to "                                   \
    "/usr/local/share/ca-certificates/proxy.crt and run update-ca-certificates; RHEL: "                        \
    "/etc/pki/ca-trust/source/anchors/ and update-ca-trust), in container images too, which carry their own "   \
    "store; Java `keytool -importcert -cacerts -alias proxy -file proxy-ca.pem` (Java 9+; before: -keystore "   \
    "$JAVA_HOME/jre/lib/security/cacerts); Python requests and pip use certifi, not the system store: "        \
    "REQUESTS_CA_BUNDLE (and PIP_CERT) naming a bundle of the public roots plus proxy-ca.pem; Node.js "         \
    "NODE_EXTRA_CA_CERTS=proxy-ca.pem; Go SSL_CERT_FILE=bundle.pem (or the system store); curl --cacert "      \
    "bundle.pem. Where no interception is expected, treat it as an attack and report it."

/* Only the product's name in the issuer says interception when nothing was
 * compared: the server may be such a device itself (a FortiGate's SSL VPN
 * with a certificate its own CA made). */
#define FIX_DEVICE_ITSELF                                                                                  \
    " If the server is itself the product's device (its VPN or admin portal), the certificate comes from " \
    "the device's own CA: give it one from a CA the clients trust instead."

#define FIX_EXPECTED                                                                                        \
    " If the server's own certificate changed on purpose (a new CA, a new key), update the expected issuer " \
    "or the pins instead."

struct signs {
    const td_intercept_product *product; /* the issuer is its CA */
    char product_dn[256];
    char leaf_issuer[256];
    char direct_issuer[256];             /* the leaf's issuer without the proxy, when it differs */
    bool issuer_expected;                /* some CA in the chain is named like --expect-issuer */
    bool pin_matched;
    uint8_t leaf_pin[32];
    bool leaf_pin_ok;
};

static bool leaf_issuer(const td_cert *c, char *dst, size_t cap)
{
    td_cert_info ci;
    char err[64];
    if (td_cert_info_from_der(td_cert_der(c), &ci, err, sizeof err) != 0)
        return false;
    snprintf(dst, cap, "%s", ci.issuer);
    return true;
}

/* The chain the checks saw: the full handshake's, else the TLS 1.2 flight's. */
static const td_cert *seen_chain(const td_obs *o, size_t *n)
{
    *n = o->hs.n_chain ? o->hs.n_chain : o->n_certs;
    return o->hs.n_chain ? o->hs.chain : o->certs;
}

static void gather(const td_obs *o, const td_cert *chain, size_t n, struct signs *sg)
{
    for (size_t i = 0; i < n; i++) {
        td_cert_info ci;
        char err[64];
        if (td_cert_info_from_der(td_cert_der(&chain[i]), &ci, err, sizeof err) != 0)
            continue;
        if (i == 0)
            snprintf(sg->leaf_issuer, sizeof sg->leaf_issuer, "%s", ci.issuer);
        if (!sg->product && (sg->product = td_intercept_match(ci.issuer)))
            snprintf(sg->product_dn, sizeof sg->product_dn, "%s", ci.issuer);
        sg->issuer_expected |= td_text_contains(ci.issuer, o->expect.issuer);
    }
    sg->leaf_pin_ok = td_cert_spki_sha256(td_cert_der(&chain[0]), sg->leaf_pin);
    for (size_t i = 0; sg->leaf_pin_ok && i < o->expect.n_pins; i++)
        sg->pin_matched |= memcmp(o->expect.pins[i], sg->leaf_pin, 32) == 0;
    /* Another leaf from another issuer than the server sends directly: a
     * second backend with another certificate keeps its issuer. */
    const td_hs *d = &o->proxy.direct;
    char direct[256];
    if (d->done && d->n_chain && (d->chain[0].len != chain[0].len ||
                                  memcmp(d->chain[0].der, chain[0].der, chain[0].len) != 0) &&
        leaf_issuer(&d->chain[0], direct, sizeof direct) && strcmp(direct, sg->leaf_issuer) != 0)
        snprintf(sg->direct_issuer, sizeof sg->direct_issuer, "%s", direct);
}

static void verify_cmd(const td_obs *o, const td_advice *adv, td_str *v)
{
    if (o->expect.n_pins) {
        /* curl exits 90 while the key differs from every pin. */
        td_str_printf(v, "curl -v%s --pinnedpubkey '", adv->curl_proxy);
        for (size_t i = 0; i < o->expect.n_pins; i++) {
            char pin[64];
            td_pin_text(o->expect.pins[i], pin, sizeof pin);
            td_str_printf(v, "%s%s", i ? ";" : "", pin);
        }
        td_str_printf(v, "' -o /dev/null https://%s/", adv->connect);
        return;
    }
    td_str_printf(v, "curl -v%s --cacert proxy-ca.pem -o /dev/null https://%s/", adv->curl_proxy, adv->connect);
}

void td_diagnose_intercept(const td_obs *o, td_findings *out)
{
    size_t n;
    const td_cert *chain = seen_chain(o, &n);
    if (n == 0)
        return;
    struct signs sg;
    memset(&sg, 0, sizeof sg);
    gather(o, chain, n, &sg);
    td_advice adv;
    td_advice_init(&adv, o);
    /* An interceptor mints a leaf for the name the client asked for.  A leaf
     * that names another host under a product's CA is the device's own
     * certificate (a FortiGate's or a ProxySG's factory one, its CN a serial
     * number): the product is the server, not something in the path. */
    if (sg.product) {
        td_name_check nc;
        td_cert_check_name_der(td_cert_der(&chain[0]), adv.name, &nc);
        if (!nc.ok)
            sg.product = NULL;
    }
    bool issuer_wrong = o->expect.issuer[0] && !sg.issuer_expected;
    bool pin_wrong = o->expect.n_pins && !sg.pin_matched;
    if (!sg.product && !sg.direct_issuer[0] && !issuer_wrong && !pin_wrong)
        return;

    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The certificate for %s is not the server's own", o->host);
    if (sg.product)
        td_str_printf(&s, ": it is issued by the interception CA of %s (%s)", sg.product->product, sg.product->kind);
    else if (sg.direct_issuer[0])
        td_str_printf(&s, ": through the proxy %s it is issued by another CA than without it", o->proxy.hostport);
    else if (issuer_wrong)
        td_str_printf(&s, ": no CA in its chain is named like '%s'", o->expect.issuer);
    else
        td_str_add(&s, ": its public key matches none of the pins");
    bool product_only = sg.product && !sg.direct_issuer[0] && !o->proxy.used;
    if (product_only)
        td_str_printf(&s, ", unless the server itself runs %s and serves a certificate its CA made",
                      sg.product->product);
    if (sg.product || sg.direct_issuer[0])
        td_str_add(&s, ". Clients that do not trust the interceptor's CA refuse it.");
    else
        td_str_add(&s, ". A client that pins the key or expects the issuer refuses it.");

    td_str_printf(&e, "leaf issued by '%s'", sg.leaf_issuer);
    if (sg.product)
        td_str_printf(&e, "; '%s' is %s's (%s)", sg.product_dn, sg.product->product, sg.product->source);
    if (sg.direct_issuer[0])
        td_str_printf(&e, "; without the proxy the leaf is issued by '%s'", sg.direct_issuer);
    else if (o->proxy.direct_note[0])
        td_str_printf(&e, "; %s", o->proxy.direct_note);
    if (issuer_wrong)
        td_str_printf(&e, "; --expect-issuer '%s' matches no issuer in the chain", o->expect.issuer);
    if (pin_wrong && sg.leaf_pin_ok) {
        char pin[64];
        td_pin_text(sg.leaf_pin, pin, sizeof pin);
        td_str_printf(&e, "; the leaf's key is %s, not one of the %zu pins given", pin, o->expect.n_pins);
    }

    verify_cmd(o, &adv, &v);
    bool expected = issuer_wrong || pin_wrong;
    const char *fix = expected       ? FIX_TRUST_PROXY_CA FIX_EXPECTED
                      : product_only ? FIX_TRUST_PROXY_CA FIX_DEVICE_ITSELF
                                     : FIX_TRUST_PROXY_CA;
    td_finding *f = td_findings_take(out, TD_ID_TLS_INTERCEPTED, expected ? TD_SEV_FAIL : TD_SEV_WARN, &s, &e, fix, &v);
    if (f) {
        f->reason = TD_REASON_TRUST;
        f->cert = 0;
    }
}
