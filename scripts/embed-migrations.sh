#!/bin/sh
# Turns the schema migrations of db/migrations/ into C source, so the
# library applies them without reading any file at run time.
#
#   scripts/embed-migrations.sh DIR > out.c
#
# A migration is DIR/NNNN_NAME.sql (for every database) or
# DIR/NNNN_NAME.BACKEND.sql (BACKEND sqlite or postgresql: that database
# only).  Defines `const td_migration td_migrations[]` in file-name order and
# `const size_t td_n_migrations`; lib/history/migrate.c checks the numbering.
# The SQL is written as hex bytes, as scripts/embed.sh does, so no byte of
# it needs escaping.  POSIX sh and od only.
set -eu

if [ "$#" -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1

printf '/* Generated from %s by scripts/embed-migrations.sh: do not edit. */\n' "$dir"
printf '#include "history/migrate.h"\n\n'
n=0
for f in "$dir"/[0-9][0-9][0-9][0-9]_*.sql; do
    [ -e "$f" ] || continue
    printf 'static const unsigned char m%d[] = {\n' "$n"
    od -An -v -tx1 "$f" | sed -e 's/[[:space:]]*$//' -e '/^$/d' \
        -e 's/[[:space:]]*\([0-9a-f][0-9a-f]\)/0x\1,/g'
    printf '0x00\n};\n'
    n=$((n + 1))
done
printf '\nconst td_migration td_migrations[] = {\n'
n=0
for f in "$dir"/[0-9][0-9][0-9][0-9]_*.sql; do
    [ -e "$f" ] || continue
    base=$(basename "$f" .sql)
    version=$(printf '%s' "$base" | cut -c1-4 | sed 's/^0*//')
    rest=${base#????_}
    case $rest in
        *.sqlite) name=${rest%.sqlite} backend='"sqlite"' ;;
        *.postgresql) name=${rest%.postgresql} backend='"postgresql"' ;;
        *.*) echo "$0: $f: the backend is sqlite or postgresql" >&2; exit 2 ;;
        *) name=$rest backend=NULL ;;
    esac
    case $name in
        *[!A-Za-z0-9_-]*|'') echo "$0: $f: a name of letters, digits, _ and -" >&2; exit 2 ;;
    esac
    printf '    { %s, "%s", %s, (const char *)m%d },\n' "${version:-0}" "$name" "$backend" "$n"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "$0: no migration in $dir" >&2; exit 2; }
printf '};\nconst size_t td_n_migrations = sizeof td_migrations / sizeof td_migrations[0];\n'
