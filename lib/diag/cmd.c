/* Pieces of the verify commands: shell-safe words and the trust store's
 * s_client options. */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

bool td_shell_safe(const char *s)
{
    if (!s[0])
        return false;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/+-:@,=", *p))
            return false;
    return true;
}

void td_store_option(const char *store, char *out, size_t cap)
{
    out[0] = '\0';
    const char *f = strncmp(store, "ca-file ", 8) == 0 ? store + 8 : NULL;
    const char *d = strstr(store, "ca-path ");
    if (d == store || (d && d >= store + 2 && d[-2] == ',' && d[-1] == ' '))
        d += 8;
    else
        d = NULL;
    char file[300] = "";
    if (f) {
        const char *end = d ? d - 10 : f + strlen(f);
        size_t len = (size_t)(end - f);
        if (end > f && len < sizeof file) {
            memcpy(file, f, len);
            file[len] = '\0';
        }
    }
    size_t used = 0;
    if (file[0] && strchr(file, '\'') == NULL)
        used = (size_t)snprintf(out, cap, td_shell_safe(file) ? " -CAfile %s" : " -CAfile '%s'", file);
    if (d && strchr(d, '\'') == NULL && used < cap)
        snprintf(out + used, cap - used, td_shell_safe(d) ? " -CApath %s" : " -CApath '%s'", d);
}
