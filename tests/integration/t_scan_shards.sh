#!/usr/bin/env bash
# tlsdiag scan on a fleet of 131 targets: four shards merged equal one run,
# the per-IP cap counted by a proxy, SIGINT then resume (every target
# exactly once), text mode.  The fleet and the assertions are t_scan.sh's.
PART=shards PORTS=32
# shellcheck source-path=SCRIPTDIR source=t_scan.sh
source "$(dirname "$0")/t_scan.sh"
