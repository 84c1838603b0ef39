/* TLS interception products by the name of the CA they re-sign with: secure
 * web gateways, firewalls, antivirus HTTPS scanning, debugging proxies.
 * Each entry is text the product puts in the name of the CA it makes (or
 * ships) and tells administrators to distribute, with the vendor's page
 * that names it (or its documentation, where the name is what the product
 * is seen to use).  None of these vendors runs a public CA, so an issuer
 * carrying the text comes from the product, not from the server.
 * Products whose CA each customer names freely (Squid ssl_bump, most
 * firewalls' own CAs) can only be found by comparing chains. */
#include "registry/registry.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const td_intercept_product products[] = {
    { "Zscaler Internet Access", "secure web gateway", "Zscaler",
      "https://help.zscaler.com/unified/choosing-ca-certificate-ssl-inspection" },
    { "Netskope", "secure web gateway", "Netskope", "https://docs.netskope.com/en/certificates/" },
    { "Palo Alto Networks firewall", "firewall", "Palo Alto Networks", "https://docs.paloaltonetworks.com/" },
    { "Fortinet FortiGate", "firewall", "Fortinet_CA_SSL",
      "https://community.fortinet.com/fortigate-3/"
      "technical-tip-how-to-enable-deep-inspection-and-import-a-certificate-in-the-browser-98489" },
    { "Fortinet FortiGate", "firewall", "O=Fortinet", "https://docs.fortinet.com/" },
    { "Blue Coat / Symantec ProxySG", "secure web gateway", "Blue Coat", "https://knowledge.broadcom.com/" },
    { "Cisco Umbrella", "secure web gateway", "Cisco Umbrella",
      "https://docs.umbrella.com/umbrella-user-guide/docs/add-customer-ca-signed-root-certificate" },
    { "Kaspersky", "antivirus", "Kaspersky", "https://support.kaspersky.com/" },
    { "ESET", "antivirus", "ESET SSL Filter",
      "https://support.eset.com/en/kb6672-certificate-notifications-in-eset-windows-home-products" },
    { "Avast", "antivirus", "Avast Web/Mail Shield", "https://support.avast.com/" },
    { "AVG", "antivirus", "AVG Web/Mail Shield", "https://support.avg.com/" },
    { "Bitdefender", "antivirus", "Bitdefender",
      "https://www.bitdefender.com/business/support/en/77212-342964-general.html" },
    { "mitmproxy", "debugging proxy", "mitmproxy", "https://docs.mitmproxy.org/stable/concepts-certificates/" },
    { "Charles Proxy", "debugging proxy", "Charles Proxy CA",
      "https://www.charlesproxy.com/documentation/using-charles/ssl-certificates/" },
    { "Fiddler", "debugging proxy", "DO_NOT_TRUST_FiddlerRoot", "https://docs.telerik.com/fiddler/" },
    { "Burp Suite", "debugging proxy", "PortSwigger CA", "https://portswigger.net/burp/documentation/" },
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
