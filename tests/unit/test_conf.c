/* Unit tests for lib/conf (the nginx parser, includes, the nginx -T split,
 * the effective policy) and lib/report/lint_diff.c (the unified diff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "lint.h"

typedef struct parsed {
    td_cobs o;
    td_ctree t;
    char main_path[256];
    int rc;
} parsed;

/* Parses text as `nginx -T` output. */
static void parse_dump(parsed *p, const char *dump)
{
    memset(p, 0, sizeof *p);
    p->t.files = &p->o.files;
    p->t.notes = &p->o.notes;
    p->rc = td_conf_parse_nginx(&p->t, "-", dump, strlen(dump), p->main_path, sizeof p->main_path);
}

static void done(parsed *p)
{
    td_ctree_free(&p->t);
    td_cobs_free(&p->o);
}

static const td_cnode *child(const td_cnode *n, const char *name)
{
    const td_cnode *c = td_cnode_find(n, name);
    if (!c)
        fail_msg("no %s", name);
    return c;
}

static bool has_note(const parsed *p, const char *text)
{
    for (size_t i = 0; i < p->o.notes.n; i++)
        if (strstr(p->o.notes.v[i].text, text))
            return true;
    return false;
}

static void test_lexer_and_dump(void **state)
{
    (void)state;
    parsed p;
    parse_dump(&p, "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                   "# configuration file /etc/nginx/nginx.conf:\n"
                   "events {}\n"
                   "http {\n"
                   "    # a comment; with { braces }\n"
                   "    include conf.d/*.conf;\n"
                   "    ssl_ciphers \"ECDHE-RSA-AES128-GCM-SHA256:\\\"q\\\"\" 'single quoted';\n"
                   "    set ${x}y a\\ b;\n"
                   "}\n"
                   "\n"
                   "# configuration file /etc/nginx/conf.d/a.conf:\n"
                   "server { listen 443 ssl; }\n"
                   "\n");
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.main_path, "/etc/nginx/nginx.conf");
    assert_int_equal(p.o.files.n, 2);
    const td_cnode *http = child(&p.t.root, "http");
    assert_true(http->block);
    assert_int_equal(http->loc.line, 2);
    const td_cnode *ciphers = child(http, "ssl_ciphers");
    assert_int_equal(ciphers->nargs, 2);
    assert_string_equal(ciphers->args[0], "ECDHE-RSA-AES128-GCM-SHA256:\"q\"");
    assert_string_equal(ciphers->args[1], "single quoted");
    assert_int_equal(ciphers->loc.line, 5);
    const td_cnode *set = child(http, "set");
    assert_string_equal(set->args[0], "${x}y");
    assert_string_equal(set->args[1], "a b");
    /* the include's contents take its place, with their own file and line */
    const td_cnode *srv = child(http, "server");
    assert_string_equal(srv->loc.file, "/etc/nginx/conf.d/a.conf");
    assert_int_equal(srv->loc.line, 1);
    const td_cnode *listen = child(srv, "listen");
    const td_cfile *f = td_cfile_find(&p.o.files, "/etc/nginx/conf.d/a.conf");
    assert_non_null(f);
    assert_int_equal(listen->end - listen->start, strlen("listen 443 ssl;"));
    assert_memory_equal(f->text + listen->start, "listen 443 ssl;", listen->end - listen->start);
    assert_null(td_cnode_find(http, "include"));
    done(&p);
}

static void test_bad_syntax_is_noted(void **state)
{
    (void)state;
    parsed p;
    parse_dump(&p, "# configuration file /n.conf:\n"
                   "}\n"
                   "http { ; server { listen 443 ssl }\n"
                   "include nothing/*.conf;\n"
                   "include /missing.conf;\n"
                   "ssl_ciphers \"unterminated;\n");
    assert_int_equal(p.rc, 0);
    assert_true(has_note(&p, "unexpected '}' skipped"));
    assert_true(has_note(&p, "unexpected ';' skipped"));
    assert_true(has_note(&p, "listen is not ended by ';'"));
    assert_true(has_note(&p, "the file ends inside a block"));
    done(&p);
    parse_dump(&p, "# configuration file /n.conf:\nhttp { include x/*.conf; include /missing.conf; }\n");
    assert_true(has_note(&p, "include x/*.conf matches no file"));
    assert_true(has_note(&p, "include /missing.conf: no such file in the nginx -T output"));
    done(&p);
    parse_dump(&p, "no marker at all\n");
    assert_int_equal(p.rc, -1);
    assert_non_null(strstr(p.t.err, "not the output of nginx -T"));
    done(&p);
}

static void test_include_loop(void **state)
{
    (void)state;
    parsed p;
    parse_dump(&p, "# configuration file /n.conf:\nhttp { include /a.conf; }\n\n"
                   "# configuration file /a.conf:\ninclude /b.conf;\n\n"
                   "# configuration file /b.conf:\ninclude /a.conf;\n\n");
    assert_int_equal(p.rc, -1);
    assert_non_null(strstr(p.t.err, "include loop: /a.conf -> /b.conf -> /a.conf"));
    done(&p);
}

static void test_effective(void **state)
{
    (void)state;
    parsed p;
    parse_dump(&p, "# configuration file /n.conf:\n"
                   "http {\n"
                   "    ssl_protocols TLSv1.2;\n"
                   "    proxy_ssl_server_name on;\n"
                   "    server {\n"
                   "        listen 127.0.0.1:443 ssl;\n"
                   "        server_name a.test;\n"
                   "        ssl_certificate a.pem;\n"
                   "        ssl_certificate_key a.key;\n"
                   "        location / { location /x { proxy_pass https://up.test:8443/x; } }\n"
                   "    }\n"
                   "    server {\n"
                   "        listen 127.0.0.1:443 ssl default_server;\n"
                   "        server_name b.test;\n"
                   "        ssl_protocols TLSv1.3;\n"
                   "        location / { proxy_ssl_server_name off; proxy_pass https://[::1]/; }\n"
                   "    }\n"
                   "    server { listen 8080; }\n"
                   "}\n");
    assert_int_equal(p.rc, 0);
    td_conf_nginx_effective(&p.t.root, "1.22.1", &p.o);
    assert_int_equal(p.o.n_vh, 3);
    const td_cvhost *a = &p.o.vh[0], *b = &p.o.vh[1], *c = &p.o.vh[2];
    assert_true(a->tls && b->tls && !c->tls);
    assert_string_equal(a->protocols.value, "TLSv1.2");
    assert_int_equal(a->protocols.loc.line, 2);
    assert_int_equal(a->versions_written, TD_CV_TLS12);
    assert_int_equal(b->versions_written, TD_CV_TLS13);
    /* the default server of the address decides the versions of both */
    assert_int_equal(a->versions_from, 1);
    assert_int_equal(b->versions_from, 1);
    assert_string_equal(a->ciphers.value, "HIGH:!aNULL:!MD5");
    assert_null(a->ciphers.loc.file);
    assert_int_equal(a->n_certs, 1);
    assert_string_equal(a->certs[0].cert.value, "a.pem");
    assert_string_equal(a->certs[0].key.value, "a.key");
    assert_int_equal(a->n_ups, 1);
    assert_string_equal(a->ups[0].host, "up.test");
    assert_true(a->ups[0].sni_on);
    assert_int_equal(a->ups[0].sni.loc.line, 3);
    assert_false(a->ups[0].verify_on);
    assert_int_equal(b->n_ups, 1);
    assert_string_equal(b->ups[0].host, "[::1]");
    assert_false(b->ups[0].sni_on);
    assert_int_equal(p.o.n_ls, 2);
    assert_string_equal(p.o.ls[0].addr, "127.0.0.1:443");
    assert_int_equal(p.o.ls[0].def, 1);
    assert_string_equal(p.o.ls[1].addr, "*:8080");
    assert_false(p.o.ls[1].tls);
    done(&p);
    /* nginx 1.23.4 added TLSv1.3 to the default */
    parse_dump(&p, "# configuration file /n.conf:\nhttp { server { listen 443 ssl; } }\n");
    td_conf_nginx_effective(&p.t.root, "1.22.1", &p.o);
    assert_string_equal(p.o.vh[0].protocols.value, "TLSv1 TLSv1.1 TLSv1.2");
    done(&p);
    parse_dump(&p, "# configuration file /n.conf:\nhttp { server { listen 443 ssl; } }\n");
    td_conf_nginx_effective(&p.t.root, "1.24.0", &p.o);
    assert_string_equal(p.o.vh[0].protocols.value, "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3");
    done(&p);
}

/* Writes text to a temporary file; its path in path.  remove_temp() takes
 * the directory away. */
static char dir[64];
static const char *const temp_names[] = { "haproxy.cfg", "site.conf", "httpd.conf" };

static void remove_temp(void)
{
    char path[128];
    for (size_t i = 0; dir[0] && i < sizeof temp_names / sizeof *temp_names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, temp_names[i]);
        unlink(path);
    }
    if (dir[0])
        rmdir(dir);
}

static void temp_file(char *path, size_t cap, const char *name, const char *text)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/test_conf.XXXXXX");
        assert_non_null(mkdtemp(dir));
    }
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void parse_file(parsed *p, int (*fn)(td_ctree *, const char *, char *, size_t), const char *path)
{
    memset(p, 0, sizeof *p);
    p->t.files = &p->o.files;
    p->t.notes = &p->o.notes;
    p->rc = fn(&p->t, path, p->main_path, sizeof p->main_path);
}

static void test_haproxy(void **state)
{
    (void)state;
    char path[256];
    temp_file(path, sizeof path, "haproxy.cfg",
              "# comment\n"
              "global\n"
              "    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n"
              "    ssl-default-bind-ciphers \"ECDHE+AESGCM\"  # trailing comment\n"
              "frontend fe\n"
              "    bind :443,127.0.0.1:8443 ssl crt /nonexistent/a.pem ssl-min-ver TLSv1.0 ciphers AES128-SHA\n"
              "    bind :80\n"
              "backend be\n"
              "    default-server ssl\n"
              "    server s1 10.0.0.1:443 verify none\n"
              "    server s2 10.0.0.2:443 sni str(b\\ c)\n");
    parsed p;
    parse_file(&p, td_conf_parse_haproxy, path);
    assert_int_equal(p.rc, 0);
    const td_cnode *g = child(&p.t.root, "global");
    const td_cnode *ciphers = child(g, "ssl-default-bind-ciphers");
    assert_string_equal(ciphers->args[0], "ECDHE+AESGCM");
    assert_int_equal(ciphers->loc.line, 4);
    const td_cfile *f = td_cfile_find(&p.o.files, path);
    assert_memory_equal(f->text + ciphers->start, "ssl-default-bind-ciphers \"ECDHE+AESGCM\"",
                        ciphers->end - ciphers->start);
    td_conf_haproxy_effective(&p.t.root, "2.6.12", &p.o);
    assert_int_equal(p.o.n_vh, 2); /* the ssl bind line and the backend */
    const td_cvhost *v = &p.o.vh[0];
    assert_int_equal(v->n_listens, 2);
    assert_string_equal(v->listens[0].addr, "*:443");
    assert_string_equal(v->listens[1].addr, "127.0.0.1:8443");
    /* the bind line's versions and ciphers replace the global ones */
    assert_int_equal(v->versions_written, TD_CV_TLS10 | TD_CV_TLS11 | TD_CV_TLS12 | TD_CV_TLS13);
    assert_int_equal(v->protocols.loc.line, 6);
    assert_string_equal(v->ciphers.value, "AES128-SHA");
    assert_int_equal(v->n_shadowed, 2);
    assert_string_equal(v->shadowed[0].name, "ssl-default-bind-options");
    assert_string_equal(v->shadowed[1].name, "ssl-default-bind-ciphers");
    assert_string_equal(v->protocols.prefix, "bind :443,127.0.0.1:8443 ssl crt /nonexistent/a.pem ciphers AES128-SHA ");
    assert_int_equal(v->n_certs, 1);
    assert_string_equal(v->certs[0].cert.value, "/nonexistent/a.pem");
    const td_cvhost *b = &p.o.vh[1];
    assert_false(b->tls);
    assert_int_equal(b->n_ups, 2);
    assert_false(b->ups[0].sni_on);
    assert_false(b->ups[0].verify_on);
    assert_true(b->ups[1].sni_on);
    assert_true(b->ups[1].verify_on);
    done(&p);
}

static void test_apache(void **state)
{
    (void)state;
    char path[256], site[256];
    temp_file(site, sizeof site, "site.conf",
              "<VirtualHost *:${P}>\n"
              "    ServerName a.test\n"
              "    ServerAlias b.test\n"
              "    SSLEngine on\n"
              "    SSLProtocol -all \\\n"
              "        +TLSv1.2\n"
              "    SSLCertificateFile /nonexistent/c.pem\n"
              "</VirtualHost>\n");
    char main_text[512];
    snprintf(main_text, sizeof main_text,
             "Define P 8443\n"
             "<IfModule ssl_module>\n    SSLProtocol all -SSLv3\n    SSLSessionTickets off\n</IfModule>\n"
             "<IfModule !ssl_module>\n    SSLSessionTickets on\n</IfModule>\n"
             "IncludeOptional nothing/*.conf\n"
             "Include %s\n", site);
    temp_file(path, sizeof path, "httpd.conf", main_text);
    parsed p;
    parse_file(&p, td_conf_parse_apache, path);
    assert_int_equal(p.rc, 0);
    assert_true(has_note(&p, "does not hold"));
    assert_true(has_note(&p, "matches no file"));
    td_conf_apache_effective(&p.t.root, "2.4.62", &p.o);
    assert_int_equal(p.o.n_vh, 1);
    const td_cvhost *v = &p.o.vh[0];
    assert_true(v->tls);
    assert_string_equal(v->listens[0].addr, "*:8443");
    assert_int_equal(v->n_names, 2);
    /* the continuation line joined, the VirtualHost's own setting first */
    assert_string_equal(v->protocols.value, "-all +TLSv1.2");
    assert_int_equal(v->protocols.loc.line, 5);
    assert_int_equal(v->versions_written, TD_CV_TLS12);
    /* the server level's, from the <IfModule> that holds */
    assert_string_equal(v->tickets.value, "off");
    assert_int_equal(v->n_certs, 1);
    assert_string_equal(v->certs[0].cert.value, "/nonexistent/c.pem");
    done(&p);
}

static void add_edit(td_lint *l, const td_cfile *f, const char *old, const char *text, bool insert)
{
    const char *at = strstr(f->text, old);
    assert_non_null(at);
    size_t s = (size_t)(at - f->text);
    td_finding *x = td_findings_add(&l->findings, TD_ID_TLS13_MISSING, TD_SEV_INFO, "s", "e", NULL, NULL);
    assert_non_null(x);
    size_t start = insert ? s + strlen(old) : s, end = s + strlen(old);
    td_finding_set_edit(&l->findings, x, f->path, start, end, text);
}

static void test_diff(void **state)
{
    (void)state;
    td_lint *l = td_lint_new();
    assert_non_null(l);
    snprintf(l->obs.main_file, sizeof l->obs.main_file, "/etc/nginx/nginx.conf");
    const char *text = "http {\n"
                       "    ssl_protocols TLSv1 TLSv1.2;\n"
                       "    server {\n"
                       "        listen 443 ssl;\n"
                       "        location / {\n"
                       "            proxy_pass https://up;\n"
                       "        }\n"
                       "    }\n"
                       "}\n";
    const td_cfile *f = td_cfile_add(&l->obs.files, "/etc/nginx/nginx.conf", text, strlen(text));
    assert_non_null(f);
    add_edit(l, f, "ssl_protocols TLSv1 TLSv1.2;", "ssl_protocols TLSv1.2 TLSv1.3;", false);
    add_edit(l, f, "location / {", "proxy_ssl_server_name on;", true);
    add_edit(l, f, "location / {", "proxy_ssl_verify on;", true);
    add_edit(l, f, "ssl_protocols TLSv1 TLSv1.2;", "ssl_protocols TLSv1.2 TLSv1.3;", false); /* the same: once */
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    assert_int_equal(td_lint_write_diff(l, m), 0);
    fclose(m);
    const char *want = "# tlsdiag lint --diff: apply with  cd /etc/nginx/ && patch -p0 < THIS-FILE\n"
                       "--- nginx.conf\n"
                       "+++ nginx.conf\n"
                       "@@ -1,8 +1,10 @@\n"
                       " http {\n"
                       "-    ssl_protocols TLSv1 TLSv1.2;\n"
                       "+    ssl_protocols TLSv1.2 TLSv1.3;\n"
                       "     server {\n"
                       "         listen 443 ssl;\n"
                       "         location / {\n"
                       "+            proxy_ssl_server_name on;\n"
                       "+            proxy_ssl_verify on;\n"
                       "             proxy_pass https://up;\n"
                       "         }\n"
                       "     }\n";
    assert_string_equal(out, want);
    free(out);
    td_lint_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lexer_and_dump),
        cmocka_unit_test(test_bad_syntax_is_noted),
        cmocka_unit_test(test_include_loop),
        cmocka_unit_test(test_effective),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_haproxy),
        cmocka_unit_test(test_apache),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    remove_temp();
    return rc;
}
