#!/usr/bin/env bash
# Regenerates the error texts of the clients too heavy to run in every test
# run (Node.js, Java, Go) against the faulty servers the explain tests start
# (start_fault in tests/integration/lib.sh), into
# tests/data/captured/CLIENT/FAULT.txt, each with the version that wrote it
# in tests/data/captured/CLIENT/VERSION.  tests/integration/t_explain_captured.sh
# reads them back.  A client that is not installed is skipped.
#
#   scripts/capture-errors.sh [node] [java] [go]     (default: all three)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUTDIR="$ROOT/tests/data/captured"
# lib.sh is the test library: temp dir, servers, certificates.
# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh"

FAULTS=(untrusted incomplete expired hostname self tls10 nocipher plain nocert)
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(node java go)

NODE_CLIENT='const https = require("https");
https.get(process.argv[1], { timeout: 5000 }, (r) => { r.resume(); })
  .on("error", (e) => { console.error(e); process.exitCode = 1; });'

JAVA_CLIENT='public class Capture {
    public static void main(String[] a) throws Exception {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(a[0]).openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        c.getResponseCode();
    }
}'

GO_CLIENT='package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	cfg := &tls.Config{}
	if len(os.Args) > 2 && os.Args[2] != "" {
		pool := x509.NewCertPool()
		pem, err := os.ReadFile(os.Args[2])
		if err != nil {
			fmt.Println(err)
			os.Exit(2)
		}
		pool.AppendCertsFromPEM(pem)
		cfg.RootCAs = pool
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
	if _, err := c.Get(os.Args[1]); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}'

# capture CLIENT FAULT URL: one client's text against the running fault.
capture() {
    local client=$1 fault=$2 url=$3 out="$OUTDIR/$1/$2.txt"
    case "$client" in
        node)
            NODE_EXTRA_CA_CERTS=${FAULT_CA:-} timeout 20 node -e "$NODE_CLIENT" "$url" >"$out" 2>&1
            ;;
        java)
            local ts=()
            if [ -n "${FAULT_CA:-}" ]; then
                rm -f "$T/trust.p12"
                keytool -importcert -noprompt -alias ca -file "$FAULT_CA" -keystore "$T/trust.p12" \
                    -storetype PKCS12 -storepass changeit >/dev/null 2>&1
                ts=(-Djavax.net.ssl.trustStore="$T/trust.p12" -Djavax.net.ssl.trustStorePassword=changeit)
            fi
            (cd "$T" && timeout 60 java "${ts[@]}" Capture.java "$url") >"$out" 2>&1
            ;;
        go)
            timeout 60 "$T/goclient" "$url" "${FAULT_CA:-}" >"$out" 2>&1
            ;;
    esac
    # the temp dir's name changes at every run: keep the texts stable
    sed -i "s|$T|/tmp/capture|g" "$out"
    echo "  $client/$fault: $(grep -m1 -iE 'error|exception|x509|tls' "$out" | head -c 120)"
}

clients=()
for c in "${want[@]}"; do
    case "$c" in
        node) command -v node >/dev/null && clients+=(node) && node --version >"$T/node.v" ;;
        java) command -v java >/dev/null && clients+=(java) && java -version 2>&1 | head -1 >"$T/java.v" &&
            printf '%s\n' "$JAVA_CLIENT" >"$T/Capture.java" ;;
        go) if command -v go >/dev/null; then
                printf '%s\n' "$GO_CLIENT" >"$T/main.go"
                (cd "$T" && go mod init capture >/dev/null 2>&1 && go build -o goclient . ) && clients+=(go) &&
                    go version >"$T/go.v"
            fi ;;
        *) echo "usage: $0 [node] [java] [go]" >&2; exit 2 ;;
    esac
done
[ ${#clients[@]} -gt 0 ] || { echo "capture-errors.sh: none of ${want[*]} is installed" >&2; exit 1; }
for c in "${clients[@]}"; do
    rm -rf "${OUTDIR:?}/$c"
    mkdir -p "$OUTDIR/$c"
    cp "$T/$c.v" "$OUTDIR/$c/VERSION"
    echo "$c: $(cat "$OUTDIR/$c/VERSION")"
done
for f in "${FAULTS[@]}"; do
    start_fault "$f"
    for c in "${clients[@]}"; do
        capture "$c" "$f" "https://127.0.0.1:$PORT/"
    done
done
stop_all
echo "captured into $OUTDIR"
exit 0
