#!/usr/bin/env bash
# tlsdiag explain on the texts Node.js, Java and Go wrote against the faulty
# servers of start_fault (tests/data/captured, made by
# scripts/capture-errors.sh with the versions in each VERSION file): each
# must rank the server's fault first, or among the first two (three where
# noted) with the deciding check named.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

DATA="$ROOT/tests/data/captured"
# fault ID N
EXPECT="untrusted UNTRUSTED_CA 2
incomplete CHAIN_INCOMPLETE 2
expired CERT_EXPIRED 1
hostname HOSTNAME_MISMATCH 1
self SELF_SIGNED 2
tls10 PROTOCOL_TOO_OLD 2
nocipher NO_SHARED_CIPHER 2
plain NOT_TLS 1
nocert CLIENT_CERT_REQUIRED 1"

n=0
for dir in "$DATA"/*/; do
    client=$(basename "$dir")
    [ -f "$dir/VERSION" ] || continue
    echo "$client: $(cat "$dir/VERSION")"
    while read -r fault id top; do
        [ -f "$dir/$fault.txt" ] || continue
        # Java ("PKIX path building failed") and Go ("signed by unknown
        # authority") say the same of a self-signed leaf, a missing
        # intermediate and an unknown root: three readings.
        case "$client/$fault" in java/self | go/self) top=3 ;; esac
        CASE="$client/$fault"
        run_explain "$dir/$fault.txt"
        assert_cause "$id" "$top"
        assert_jq ".software.name == \"$client\"" "$client wrote it"
        n=$((n + 1))
    done <<<"$EXPECT"
done
CASE=""
assert_true "texts of at least two clients are there ($n)" test "$n" -ge 18
finish
