/* SSLv2 cipher specs (draft-hickman-netscape-ssl-00, appendix C).  Only the
 * seven kinds ever deployed; an SSLv2 ServerHello listing anything else is
 * reported by code. */
#include "registry/registry.h"

static const td_v2spec specs[] = {
    { 0x010080, "SSL_CK_RC4_128_WITH_MD5", 128, TD_CLASS_RC4 },
    { 0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", 40, TD_CLASS_EXPORT },
    { 0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5", 128, TD_CLASS_CBC },
    { 0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", 40, TD_CLASS_EXPORT },
    { 0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5", 128, TD_CLASS_CBC },
    { 0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", 56, TD_CLASS_DES },
    /* 112 to match the TLS 3DES suites: meet-in-the-middle halves the 168-bit key. */
    { 0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", 112, TD_CLASS_3DES },
};

size_t td_v2spec_count(void)
{
    return sizeof specs / sizeof specs[0];
}

const td_v2spec *td_v2spec_at(size_t i)
{
    return i < td_v2spec_count() ? &specs[i] : NULL;
}

const td_v2spec *td_v2spec_by_id(uint32_t id)
{
    for (size_t i = 0; i < td_v2spec_count(); i++)
        if (specs[i].id == id)
            return &specs[i];
    return NULL;
}
