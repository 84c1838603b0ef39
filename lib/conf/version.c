/* Which version of the server is installed: its defaults depend on it
 * (nginx added TLSv1.3 to ssl_protocols in 1.23.4). */
#include "conf/conf.h"

#include <stdio.h>
#include <string.h>

#include "util/str.h"

void td_conf_binary_version(const char *cmd, const char *marker, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    char line[256];
    while (fgets(line, sizeof line, p)) {
        const char *v = strstr(line, marker);
        if (v && !buf[0]) {
            v += strlen(marker);
            td_errbuf(buf, cap, "%.*s", (int)strspn(v, "0123456789."), v);
        }
    }
    pclose(p);
}
