#!/usr/bin/env bash
# Prints the Debian packages that ship the given pkg-config modules, as a
# Depends list ("libssl-dev, libjansson-dev, ..."): tlsdiag.pc requires
# them, so the -dev package must pull them in.  Reads only the local
# pkg-config and dpkg databases.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 MODULE..." >&2; exit 2; }
for m in "$@"; do
    pc=$(pkg-config --path "$m") || { echo "$0: no pkg-config module $m" >&2; exit 1; }
    pc=$(readlink -f "$pc")
    dpkg -S "$pc" | head -1 | cut -d: -f1
done | sort -u | paste -sd, | sed 's/,/, /g'
