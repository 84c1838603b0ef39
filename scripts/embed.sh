#!/bin/sh
# Turns a data file into C source that defines it as a byte array, so the
# library carries the data and the command needs no file at run time.
#
#   scripts/embed.sh SYMBOL FILE > out.c
#
# defines `const unsigned char SYMBOL[]` (the file's bytes and a final
# NUL) and `const size_t SYMBOL_len` (the file's length).  Bytes are written
# as hex values rather than a string literal so that no byte of the file (a
# quote, a backslash, a "??" trigraph, a non-ASCII character) needs
# escaping, and unsigned so that bytes over 0x7f convert without a warning.
# POSIX sh and od only.
set -eu

if [ "$#" -ne 2 ]; then
    echo "usage: $0 SYMBOL FILE" >&2
    exit 2
fi
sym=$1
file=$2
case $sym in
    [A-Za-z_]*) ;;
    *) echo "$0: bad C identifier: $sym" >&2; exit 2 ;;
esac
case $sym in
    *[!A-Za-z0-9_]*) echo "$0: bad C identifier: $sym" >&2; exit 2 ;;
esac
if [ ! -r "$file" ]; then
    echo "$0: cannot read $file" >&2
    exit 2
fi

printf '/* Generated from %s by scripts/embed.sh: do not edit. */\n' "$file"
printf '#include <stddef.h>\n\n'
printf 'const unsigned char %s[] = {\n' "$sym"
od -An -v -tx1 "$file" | sed -e 's/[[:space:]]*$//' -e '/^$/d' \
    -e 's/[[:space:]]*\([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '0x00\n};\n'
printf 'const size_t %s_len = sizeof %s - 1;\n' "$sym" "$sym"
