/* ALPN protocol lists, RFC 7301 section 3.1:
 *   opaque ProtocolName<1..2^8-1>;
 *   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList; */
#include "alpn.h"

#include <string.h>

#define MAX_NAME 255u
#define MAX_LIST 0xffffu

bool td_alpn_write(td_wr *w, const char *list)
{
    if (!list || !list[0])
        return false; /* the list holds at least one name */
    for (;;) {
        size_t n = strcspn(list, ",");
        if (n < 1 || n > MAX_NAME)
            return false;
        td_wr_open(w, 1);
        td_wr_bytes(w, list, n);
        td_wr_close(w);
        if (list[n] == '\0')
            return true;
        list += n + 1;
    }
}

bool td_alpn_next(td_rd *list, td_rd *name)
{
    return td_rd_prefixed8(list, name) && !td_rd_empty(name);
}

bool td_alpn_list_ok(const uint8_t *p, size_t len)
{
    if (len > MAX_LIST)
        return false;
    td_rd list, name;
    td_rd_init(&list, p, len);
    if (td_rd_empty(&list))
        return false;
    while (!td_rd_empty(&list))
        if (!td_alpn_next(&list, &name))
            return false;
    return true;
}
