#include "scan/state.h"
#include "util/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUCKETS 8192

typedef struct key {
    struct key *next;
    char text[];
} key;

struct td_scan_state {
    int fd;
    key *keys[BUCKETS];
};

static size_t hash(const char *t)
{
    return (size_t)(td_hash(t) % BUCKETS);
}

static int remember(td_scan_state *st, const char *text, size_t len)
{
    key *k = malloc(sizeof *k + len + 1);
    if (!k)
        return -1;
    memcpy(k->text, text, len);
    k->text[len] = '\0';
    size_t h = hash(k->text);
    k->next = st->keys[h];
    st->keys[h] = k;
    return 0;
}

/* Reads every whole line; cuts off a torn last one so the next record
 * starts on a line of its own. */
static int load(td_scan_state *st)
{
    FILE *f = fdopen(dup(st->fd), "r");
    if (!f)
        return -1;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    off_t whole = 0;
    int rc = 0;
    while ((n = getline(&buf, &cap, f)) > 0) {
        if (buf[n - 1] != '\n')
            break;
        whole += n;
        if (n > 1 && remember(st, buf, (size_t)n - 1) != 0) {
            rc = -1;
            break;
        }
    }
    free(buf);
    fclose(f);
    if (rc == 0 && lseek(st->fd, 0, SEEK_END) != whole && ftruncate(st->fd, whole) != 0)
        rc = -1;
    return rc;
}

td_scan_state *td_scan_state_open(const char *path, char *err, size_t errlen)
{
    td_scan_state *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    st->fd = -1;
    if (!path)
        return st;
    st->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (st->fd < 0 || load(st) != 0) {
        snprintf(err, errlen, "cannot use state file '%s': %s", path, strerror(errno));
        td_scan_state_close(st);
        return NULL;
    }
    return st;
}

bool td_scan_state_has(const td_scan_state *st, const char *text)
{
    if (!st)
        return false;
    for (const key *k = st->keys[hash(text)]; k; k = k->next)
        if (strcmp(k->text, text) == 0)
            return true;
    return false;
}

int td_scan_state_add(td_scan_state *st, const char *text)
{
    if (!st)
        return 0;
    size_t len = strlen(text);
    if (st->fd < 0)
        return remember(st, text, len);
    char *rec = malloc(len + 1);
    if (!rec)
        return -1;
    memcpy(rec, text, len);
    rec[len] = '\n';
    ssize_t n;
    do
        n = write(st->fd, rec, len + 1);
    while (n < 0 && errno == EINTR);
    free(rec);
    if (n != (ssize_t)(len + 1))
        return -1;
    return fdatasync(st->fd);
}

void td_scan_state_close(td_scan_state *st)
{
    if (!st)
        return;
    if (st->fd >= 0)
        close(st->fd);
    for (size_t b = 0; b < BUCKETS; b++) {
        while (st->keys[b]) {
            key *k = st->keys[b];
            st->keys[b] = k->next;
            free(k);
        }
    }
    free(st);
}
