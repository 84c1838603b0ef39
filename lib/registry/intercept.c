/* TLS interception products by the name of the CA they re-sign with: secure
 * web gateways, firewalls, antivirus HTTPS scanning, debugging proxies.
 * Each entry is text the product puts in the name of the CA it makes (or
 * ships) and tells administrators to distribute, with where that name is
 * written down: the vendor's page where it names the CA, else a public
 * report that quotes the issuer as the product made it (a comment beside
 * such an entry says so).  The text is matched, case aside, anywhere in an
 * issuer's RFC 2253 name, so none may occur in a public CA's name (the unit
 * test checks the system's CA bundle): an issuer carrying one comes from
 * the product, not from the server.  That is why Cloudflare's entries are
 * longer than the vendor's name, which its public intermediates carry.
 * Products whose CA each customer names freely (Squid ssl_bump, Check
 * Point, Cisco Secure Web Appliance, most firewalls' own CAs) can only be
 * found by comparing chains. */
#include "registry/registry.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const td_intercept_product products[] = {
    { "Zscaler Internet Access", "secure web gateway", "Zscaler",
      "https://help.zscaler.com/unified/choosing-ca-certificate-ssl-inspection" },
    { "Netskope", "secure web gateway", "Netskope", "https://docs.netskope.com/en/certificates/" },
    /* PAN-OS has no default forward-trust CA: the administrator generates
     * one and names it; this catches those named after the vendor. */
    { "Palo Alto Networks firewall", "firewall", "Palo Alto Networks",
      "https://docs.paloaltonetworks.com/pan-os/10-2/pan-os-admin/certificate-management" },
    /* Fortinet_CA_SSL, the default SSL inspection CA, is what the
     * configuration calls the certificate; the certificate itself is named
     * CN=<the unit's serial>,O=Fortinet, as the FortiOS REST API output
     * quoted in this pull request shows. */
    { "Fortinet FortiGate", "firewall", "O=Fortinet", "https://github.com/centreon/centreon-plugins/pull/5473" },
    /* ProxySG signs with the keyring the administrator picks, built-in ones
     * included (Broadcom KB 168181); the appliance names its own
     * certificates after Blue Coat (O=Blue Coat Systems, Inc.,OU=Blue Coat
     * SGVA Series in this article). */
    { "Blue Coat / Symantec ProxySG", "secure web gateway", "Blue Coat",
      "https://knowledge.broadcom.com/external/article/168179/renew-the-proxysg-appliance-certificate.html" },
    { "Cisco Umbrella", "secure web gateway", "Cisco Umbrella",
      "https://docs.umbrella.com/umbrella-user-guide/docs/add-customer-ca-signed-root-certificate" },
    /* Zero Trust Gateway's per-account CA since the shared one below
     * expired on 2025-02-02. */
    { "Cloudflare Zero Trust Gateway", "secure web gateway", "Gateway CA - Cloudflare Managed",
      "https://developers.cloudflare.com/cloudflare-one/team-and-resources/devices/user-side-certificates/"
      "manual-deployment/" },
    { "Cloudflare Zero Trust Gateway", "secure web gateway", "Cloudflare for Teams ECC Certificate Authority",
      "https://developers.cloudflare.com/cloudflare-one/connections/connect-devices/warp/user-side-certificates/"
      "install-cert-with-warp/" },
    /* The built-in signing CA (SecurityAppliance_SSL_CA in the firewall's
     * settings) is CN=Sophos SSL CA_<serial>,O=Sophos in the copy of it
     * this file carries. */
    { "Sophos Firewall", "firewall", "Sophos SSL CA",
      "https://github.com/actorpus/WIKIrace/blob/57eca2b4ef091040afa2e2bbf4e7345a836819de/WIKIRace.py" },
    /* The issuer as a user pasted it: O=AO Kaspersky Lab,
     * CN=Kaspersky Web Anti-Virus Certification Authority. */
    { "Kaspersky", "antivirus", "Kaspersky", "https://github.com/keybase/client/issues/7228" },
    { "ESET", "antivirus", "ESET SSL Filter",
      "https://support.eset.com/en/kb6672-certificate-notifications-in-eset-windows-home-products" },
    /* The chain as a user pasted it: CN=Avast Web/Mail Shield Root and,
     * for servers with untrusted certificates, ... Self-signed Root. */
    { "Avast", "antivirus", "Avast Web/Mail Shield", "https://github.com/mscdex/node-imap/issues/741" },
    /* No page found quotes AVG's CA; this report shows AVG Web Shield
     * re-signing.  The text follows Avast's and Norton's shields (one
     * vendor since 2016 and 2022), whose CAs are quoted beside them. */
    { "AVG", "antivirus", "AVG Web/Mail Shield", "https://github.com/curl/curl/issues/11268" },
    /* The issuer as a user pasted it: CN=Norton Web/Mail Shield
     * Self-signed Root,O=Norton Web/Mail Shield. */
    { "Norton", "antivirus", "Norton Web/Mail Shield", "https://github.com/matlab/matlab-mcp-server/issues/100" },
    { "Bitdefender", "antivirus", "Bitdefender",
      "https://www.bitdefender.com/business/support/en/77212-342964-general.html" },
    { "mitmproxy", "debugging proxy", "mitmproxy", "https://docs.mitmproxy.org/stable/concepts-certificates/" },
    { "Charles Proxy", "debugging proxy", "Charles Proxy CA",
      "https://www.charlesproxy.com/documentation/using-charles/ssl-certificates/" },
    { "Fiddler", "debugging proxy", "DO_NOT_TRUST_FiddlerRoot",
      "https://docs.telerik.com/fiddler/configure-fiddler/capturing-traffic/configureforios" },
    /* The issuer as a user pasted it: OU=PortSwigger CA,CN=PortSwigger CA. */
    { "Burp Suite", "debugging proxy", "PortSwigger CA", "https://github.com/mitmproxy/mitmproxy/issues/4713" },
};

size_t td_intercept_count(void)
{
    return sizeof products / sizeof products[0];
}

const td_intercept_product *td_intercept_at(size_t i)
{
    return i < td_intercept_count() ? &products[i] : NULL;
}

/* Case-insensitive strstr. */
static bool contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

const td_intercept_product *td_intercept_match(const char *dn)
{
    for (size_t i = 0; dn && i < td_intercept_count(); i++)
        if (contains(dn, products[i].ca_name))
            return &products[i];
    return NULL;
}

bool td_text_contains(const char *hay, const char *needle)
{
    return needle[0] && contains(hay, needle);
}
