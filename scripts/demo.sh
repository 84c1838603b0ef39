#!/usr/bin/env bash
# Builds tlsdiag and runs the bundled lab: local servers with known faults,
# started, diagnosed and stopped one by one (demo/run.sh).  Installs missing
# Debian packages first (as root); works offline once they are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
make -j"$(nproc)" build/tlsdiag
exec demo/run.sh "$@"
