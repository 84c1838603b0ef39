/* Unit tests for lib/diag/catalog.c: the table in code and the catalog in
 * docs/diagnoses.md say the same, and the lookups hold together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/catalog.h"

#define DOCS "docs/diagnoses.md"
#define SHARED "../shared/diagnoses.md"

/* One ID row of a catalog table: "| ID | severity | detected when | test |". */
typedef struct row {
    char id[64];
    char section[128]; /* the "## " heading above it */
    char severity[16]; /* first word of the severity column */
    int planned;       /* "*planned*" in the detection column */
    int seen;
} row;

static size_t read_rows(const char *path, row *rows, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (tests run from the project root)", path);
    char line[4096], section[128] = "";
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "## ", 3) == 0) {
            snprintf(section, sizeof section, "%.127s", line + 3);
            section[strcspn(section, "\n")] = '\0';
            continue;
        }
        if (line[0] != '|' || line[1] != ' ')
            continue;
        char id[64] = "";
        size_t k = 0;
        const char *p = line + 2;
        while (k + 1 < sizeof id && ((*p >= 'A' && *p <= 'Z') || *p == '_' || (*p >= '0' && *p <= '9')))
            id[k++] = *p++;
        id[k] = '\0';
        /* An ID has an underscore or is all capitals of some length; the
         * header row ("| ID |") is not one. */
        if (k < 4 || *p != ' ' || strcmp(id, "ID") == 0)
            continue;
        assert_true(n < max);
        row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        snprintf(r->id, sizeof r->id, "%s", id);
        snprintf(r->section, sizeof r->section, "%s", section);
        const char *sev = strchr(p, '|');
        if (sev) {
            sev++;
            while (*sev == ' ')
                sev++;
            size_t m = 0;
            while (m + 1 < sizeof r->severity && sev[m] >= 'a' && sev[m] <= 'z') {
                r->severity[m] = sev[m];
                m++;
            }
            const char *det = strchr(sev, '|');
            r->planned = det && strstr(det, "*planned*") != NULL;
        }
    }
    fclose(f);
    return n;
}

static const char *sev_word(td_severity s)
{
    return s == TD_SEV_FAIL ? "fail" : s == TD_SEV_WARN ? "warn" : "info";
}

static void test_docs_agree(void **state)
{
    (void)state;
    static row rows[256];
    size_t n = read_rows(DOCS, rows, 256);
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++) {
        td_id id = td_id_by_name(rows[i].id);
        if (id == TD_ID_NONE)
            fail_msg("%s: %s is documented but not in lib/diag/catalog.h", DOCS, rows[i].id);
        const td_catalog_entry *e = td_catalog(id);
        for (size_t j = 0; j < i; j++)
            if (strcmp(rows[j].id, rows[i].id) == 0)
                fail_msg("%s: %s is documented twice", DOCS, rows[i].id);
        const char *title = td_section_title(e->section);
        if (strncmp(rows[i].section, title, strlen(title)) != 0)
            fail_msg("%s: documented under '%s', the table says '%s'", rows[i].id, rows[i].section, title);
        if (strcmp(rows[i].severity, sev_word(e->severity)) != 0)
            fail_msg("%s: documented severity '%s' first, the table says '%s'", rows[i].id, rows[i].severity,
                     sev_word(e->severity));
        if (rows[i].planned != (int)e->planned)
            fail_msg("%s: documented as %s, the table says %s", rows[i].id, rows[i].planned ? "planned" : "detected",
                     e->planned ? "planned" : "detected");
    }
    /* ... and every ID of the table is documented. */
    for (int i = TD_ID_NONE + 1; i < TD_ID_COUNT; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++)
            found |= strcmp(rows[j].id, td_id_name((td_id)i)) == 0;
        if (!found)
            fail_msg("%s is in the table but not in %s", td_id_name((td_id)i), DOCS);
    }
}

/* The public catalog the project answers to: every ID it names is in the
 * table.  It lives beside the project, not in it. */
static void test_public_catalog_covered(void **state)
{
    (void)state;
    FILE *f = fopen(SHARED, "r");
    if (!f) {
        print_message("note: %s is not beside this checkout\n", SHARED);
        skip();
    }
    fclose(f);
    static row rows[256];
    size_t n = read_rows(SHARED, rows, 256);
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++)
        if (td_id_by_name(rows[i].id) == TD_ID_NONE)
            fail_msg("%s names %s, which lib/diag/catalog.h lacks", SHARED, rows[i].id);
}

static void test_lookups(void **state)
{
    (void)state;
    for (int i = TD_ID_NONE + 1; i < TD_ID_COUNT; i++) {
        const td_catalog_entry *e = td_catalog((td_id)i);
        assert_non_null(e);
        assert_int_equal(e->id, i);
        assert_int_equal(td_id_by_name(e->name), i);
        assert_true(e->layer >= 0 && e->layer <= 6);
        /* causes are catalog IDs, never the ID itself */
        for (const td_id *c = td_id_causes((td_id)i); *c != TD_ID_NONE; c++) {
            assert_non_null(td_catalog(*c));
            assert_int_not_equal(*c, i);
            assert_true(td_id_may_be_symptom_of((td_id)i, *c));
        }
    }
    assert_null(td_catalog(TD_ID_NONE));
    assert_null(td_catalog(TD_ID_COUNT));
    assert_string_equal(td_id_name(TD_ID_COUNT), "?");
    assert_int_equal(td_id_by_name("NO_SUCH_ID"), TD_ID_NONE);
    assert_int_equal(td_id_by_name("no_shared_cipher"), TD_ID_NONE); /* IDs are exact */
    assert_int_equal(td_id_by_name(NULL), TD_ID_NONE);
    assert_false(td_id_may_be_symptom_of(TD_ID_PROTOCOL_TOO_OLD, TD_ID_LEGACY_PROTOCOL_ENABLED));
    assert_true(td_id_may_be_symptom_of(TD_ID_LEGACY_PROTOCOL_ENABLED, TD_ID_PROTOCOL_TOO_OLD));
}

static void test_reason_tokens(void **state)
{
    (void)state;
    assert_null(td_reason_token(TD_REASON_NONE));
    assert_null(td_reason_token(TD_REASON_COUNT));
    for (int i = TD_REASON_NONE + 1; i < TD_REASON_COUNT; i++) {
        const char *t = td_reason_token((td_reason)i);
        assert_non_null(t);
        /* stable lower-case tokens for machines */
        for (const char *p = t; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
        for (int j = TD_REASON_NONE + 1; j < i; j++)
            assert_string_not_equal(t, td_reason_token((td_reason)j));
    }
    assert_string_equal(td_reason_token(TD_REASON_CN_ONLY), "cn-only");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docs_agree),
        cmocka_unit_test(test_public_catalog_covered),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_reason_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
