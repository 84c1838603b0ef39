# tlsdiag build.  `make` builds the library and the command; `make check`
# runs every test (scripts/test.sh); `make SAN=1` builds with ASan/UBSan into
# build-san/; `make install` (DESTDIR, PREFIX) installs the command, its man
# page and shell completions, the static library, its header and tlsdiag.pc.
CC      ?= cc
PKGS    := libssl libcrypto jansson libcares zlib sqlite3 libpq
# The libraries that ship no pkg-config file, and libpcap, whose file lists
# the libraries of its static build (systemd, D-Bus) that a static link of
# a program against tlsdiag would then need: tlsdiag.pc names them as such.
PLAIN_LIBS := -lpcap -lev -lm
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(PLAIN_LIBS)
# tlsdiag.pc names libpq by its library, not its pkg-config file: libpq.pc's
# static flags name libpgcommon and libpgport, archives libpq-dev does not
# ship, so `pkg-config --static` users could not link.  Nothing of libpq's
# headers reaches tlsdiag.h.
PC_REQUIRES := $(filter-out libpq,$(PKGS))
PC_LIBS := -lpq $(PLAIN_LIBS)

ifeq ($(SAN),1)
B       := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT     := -O1 -g
else
B       := build
SANFLAGS :=
OPT     := -O2 -g
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
CFLAGS  := $(BASE_CFLAGS) -Iinclude -Ilib
# The command is a user of the public API like any other: it sees
# include/tlsdiag.h and nothing of lib/.
SRC_CFLAGS := $(BASE_CFLAGS) -Iinclude
LDFLAGS := $(SANFLAGS)
LDLIBS  := $(PKG_LIBS)

LIB_SRC := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
# The client profiles (data/clients.json) are compiled into the library as
# generated C (scripts/embed.sh), so the command needs no data file at run
# time.
CLIENTS_GEN := $(B)/gen/clients_data.c
LIB_OBJ += $(B)/gen/clients_data.o
# Mozilla's server-side TLS guidelines (lint --profile), the same way; a
# new version of the guidelines is a new file named here.
MOZILLA_JSON := data/mozilla/server-side-tls-5.7.json
LIB_OBJ += $(B)/gen/mozilla_data.o
# The knowledge of `tlsdiag explain` and `tlsdiag logs` likewise: the
# hand-written tables of data/explain/, and the OpenSSL reason, verify and
# alert table scripts/gen-openssl.sh writes from the installed OpenSSL's
# headers and library (so it follows an OpenSSL upgrade at the next build).
X_NAMES := patterns map alerts causes openssl
X_FILE_patterns := data/explain/patterns.tsv
X_FILE_map := data/explain/openssl-map.tsv
X_FILE_alerts := data/explain/alerts.tsv
X_FILE_causes := data/explain/causes.tsv
LIB_OBJ += $(patsubst %,$(B)/gen/x_%_data.o,$(X_NAMES))
# The history's schema migrations (db/migrations/), likewise compiled in:
# opening a database applies them, with no file to find at run time.
MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
LIB_OBJ += $(B)/gen/migrations.o
OSSL_INC := $(shell pkg-config --variable=includedir openssl 2>/dev/null || echo /usr/include)/openssl
OSSL_HDRS := $(wildcard $(addprefix $(OSSL_INC)/,sslerr.h x509_vfy.h ssl3.h tls1.h opensslv.h))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))

.PHONY: all check unit fuzz clean install uninstall print-pkgs
all: $(B)/tlsdiag $(UNIT_BIN)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(SRC_CFLAGS) -MMD -MP -c $< -o $@

$(B)/libtlsdiag.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/tlsdiag: $(B)/src/main.o $(B)/libtlsdiag.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libtlsdiag.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libtlsdiag.a $(LDFLAGS) $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

# libFuzzer targets: clang, ASan+UBSan.  The library is compiled once with
# the fuzzer's instrumentation (fuzzer-no-link: coverage without libFuzzer's
# main) into build-fuzz/libtlsdiag.a, which every target links.
FUZZ_SAN    := -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude -Ilib $(PKG_CFLAGS)
FUZZ_CFLAGS := $(FUZZ_SAN) -fsanitize=fuzzer,address,undefined
FUZZ_GEN    := build-fuzz/gen/clients_data.c build-fuzz/gen/mozilla_data.c \
               $(patsubst %,build-fuzz/gen/x_%_data.c,$(X_NAMES)) build-fuzz/gen/migrations.c
FUZZ_OBJ    := $(patsubst %.c,build-fuzz/obj/%.o,$(LIB_SRC) $(FUZZ_GEN))
fuzz: $(FUZZ_BIN)
# Generated sources stay: they are inputs of the objects, not leftovers.
.SECONDARY: $(FUZZ_GEN)
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_SAN) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@
build-fuzz/libtlsdiag.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $^
build-fuzz/%: fuzz/%.c build-fuzz/libtlsdiag.a
	clang $(FUZZ_CFLAGS) -o $@ $< build-fuzz/libtlsdiag.a $(PKG_LIBS)

$(CLIENTS_GEN): data/clients.json scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh td_clients_json data/clients.json > $@.tmp && mv $@.tmp $@

$(B)/gen/clients_data.o: $(CLIENTS_GEN)
	$(CC) $(CFLAGS) -c $< -o $@

%/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-migrations.sh db/migrations > $@.tmp && mv $@.tmp $@

$(B)/gen/migrations.o: $(B)/gen/migrations.c lib/history/migrate.h
	$(CC) $(CFLAGS) -c $< -o $@

%/gen/mozilla_data.c: $(MOZILLA_JSON) scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh td_mozilla_json $(MOZILLA_JSON) > $@.tmp && mv $@.tmp $@

$(B)/gen/mozilla_data.o: $(B)/gen/mozilla_data.c
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/gen/x_%_data.o: $(B)/gen/x_%_data.c
	$(CC) $(CFLAGS) -c $< -o $@

%/gen/openssl.tsv: scripts/gen-openssl.sh $(OSSL_HDRS)
	@mkdir -p $(dir $@)
	sh scripts/gen-openssl.sh $(CC) > $@.tmp && mv $@.tmp $@

# x_NAME_data.c from its data file, for the build directory DIR.
define x_embed
$(1)/gen/x_$(2)_data.c: $(if $(filter openssl,$(2)),$(1)/gen/openssl.tsv,$(X_FILE_$(2))) scripts/embed.sh
	@mkdir -p $$(dir $$@)
	sh scripts/embed.sh td_x_$(2)_tsv $$< > $$@.tmp && mv $$@.tmp $$@
endef
$(foreach d,$(B) build-fuzz,$(foreach n,$(X_NAMES),$(eval $(call x_embed,$(d),$(n)))))

# The fuzz library holds the generated tables too.
build-fuzz/gen/clients_data.c: data/clients.json scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh td_clients_json data/clients.json > $@.tmp && mv $@.tmp $@

check: all
	scripts/test.sh

clean:
	rm -rf build build-san build-fuzz

# Installation.  PREFIX is where the files will live (written into
# tlsdiag.pc); DESTDIR is prepended only while copying, for packaging.
PREFIX  ?= /usr/local
# The library's directory; Debian's multiarch layout passes
# /usr/lib/<triplet> so cross builds find tlsdiag.pc.
LIBDIR  ?= $(PREFIX)/lib
DESTDIR ?=
VERSION := $(shell sed -n 's/.*define TLSDIAG_VERSION "\(.*\)"/\1/p' include/tlsdiag.h)
# Each installed file as DIRECTORY/NAME=SOURCE, so install and uninstall
# read one list.
INSTALL_FILES := \
    $(PREFIX)/bin/tlsdiag=$(B)/tlsdiag \
    $(PREFIX)/share/man/man1/tlsdiag.1=docs/tlsdiag.1 \
    $(LIBDIR)/libtlsdiag.a=$(B)/libtlsdiag.a \
    $(PREFIX)/include/tlsdiag.h=include/tlsdiag.h \
    $(LIBDIR)/pkgconfig/tlsdiag.pc=$(B)/tlsdiag.pc \
    $(PREFIX)/share/bash-completion/completions/tlsdiag=dist/tlsdiag.bash \
    $(PREFIX)/share/zsh/site-functions/_tlsdiag=dist/_tlsdiag.zsh
inst_dest = $(DESTDIR)$(firstword $(subst =, ,$(1)))
inst_src = $(lastword $(subst =, ,$(1)))

# tlsdiag.pc is written at each install: it records PREFIX, which may differ
# from the last install's.
install: $(B)/tlsdiag $(B)/libtlsdiag.a
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@REQUIRES@|$(PC_REQUIRES)|' -e 's|@LIBS@|$(PC_LIBS)|' dist/tlsdiag.pc.in > $(B)/tlsdiag.pc
	$(foreach f,$(INSTALL_FILES),install -D -m $(if $(filter $(PREFIX)/bin/%,$(f)),755,644) \
	    $(call inst_src,$(f)) $(call inst_dest,$(f)) &&) true

# The pkg-config modules the library needs (debian/rules maps them to the
# -dev packages that ship them).
print-pkgs:
	@echo $(PKGS)

uninstall:
	rm -f $(foreach f,$(INSTALL_FILES),$(call inst_dest,$(f)))

-include $(LIB_OBJ:.o=.d) $(B)/src/main.d $(FUZZ_OBJ:.o=.d)
