#!/usr/bin/env bash
# The tlsdiag lab: local servers with known faults, diagnosed one by one.
#
#   demo/run.sh [--json] [LAB...]     (LAB names: the `wanted` tests below)
#
# Each lab starts a real server (nginx, openssl s_server, gnutls-serv, or a
# small scripted server) on 127.0.0.1, runs `tlsdiag check` against it,
# stops it, and checks that the diagnosis names the fault the lab was built
# with.  Everything runs in a private network namespace with only loopback
# when one can be made, so nothing leaves the machine.  Exit status: 0 when
# every lab was diagnosed as expected, 1 otherwise.
ISOLATE_NET=1
# The lab reuses the integration tests' server helpers.
source "$(dirname "$0")/../tests/integration/lib.sh"

JSON=0
WANT=()
for a in "$@"; do
    case "$a" in
        --json) JSON=1 ;;
        -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) WANT+=("$a") ;;
    esac
done

if [ ! -x "$TLSDIAG" ]; then
    echo "demo: $TLSDIAG is missing; build it first (make)" >&2
    exit 2
fi
COLOR=()
[ -t 1 ] || COLOR=(--no-color)

make_leaf server
make_leaf app.test "DNS:app.test,DNS:localhost,IP:127.0.0.1"
make_leaf ecdsa.test "DNS:ecdsa.test,DNS:localhost,IP:127.0.0.1" ec256
make_dh1024

RESULTS=()
MISSES=0

# lab NAME EXPECTED_ID DESCRIPTION -- then the caller has started the server
# and set PORT; ARGS after the target go to tlsdiag.
diagnose() {
    local name=$1 expect=$2 desc=$3
    shift 3
    printf '\n\033[1m━━ lab %s: %s\033[0m\n' "$name" "$desc" 2>/dev/null
    echo "\$ tlsdiag check --ca-file ca.pem $* "
    # The lab's certificates come from its own CA: trust it, as a client of
    # an internal service would.
    set -- --ca-file "${CA_FILE:-$T/ca.pem}" "$@"
    if [ "$JSON" = 1 ]; then
        "$TLSDIAG" check --json --timeout 2 "$@" >"$T/$name.json"
        cat "$T/$name.json"
    else
        "$TLSDIAG" check "${COLOR[@]}" --timeout 2 "$@"
        "$TLSDIAG" check --json --timeout 2 "$@" >"$T/$name.json"
    fi
    judge "$name" "$expect" "$T/$name.json"
}

# judge NAME EXPECTED_ID JSON: records whether the findings of JSON (one
# document, or JSON lines whose objects carry findings) name EXPECTED_ID,
# or, for "-", hold no failure.
judge() {
    local name=$1 expect=$2 json=$3 ids
    ids=$(jq -rs '[.[] | .findings[]?.id] | unique | join(" ")' "$json" 2>/dev/null)
    if [ "$expect" = "-" ]; then
        if jq -se '[.[] | .findings[]? | select(.severity == "fail")] | length == 0' "$json" >/dev/null 2>&1; then
            RESULTS+=("ok    $name: healthy, no failure found (${ids:-no findings})")
        else
            RESULTS+=("MISS  $name: expected no failure, got: $ids")
            MISSES=$((MISSES + 1))
        fi
    elif jq -se --arg id "$expect" 'any(.[] | .findings[]?; .id == $id)' "$json" >/dev/null 2>&1; then
        RESULTS+=("ok    $name: $expect")
    else
        RESULTS+=("MISS  $name: expected $expect, got: ${ids:-nothing}")
        MISSES=$((MISSES + 1))
    fi
}

# lab_cmd NAME EXPECTED_ID DESCRIPTION CMD ARGS...: another tlsdiag command
# (lint, pcap, ...) shown as text, then judged from its --json.
lab_cmd() {
    local name=$1 expect=$2 desc=$3 cmd=$4
    shift 4
    printf '\n\033[1m━━ lab %s: %s\033[0m\n' "$name" "$desc" 2>/dev/null
    echo "\$ tlsdiag $cmd $*"
    if [ "$JSON" = 1 ]; then
        "$TLSDIAG" "$cmd" --json "$@" >"$T/$name.json"
        cat "$T/$name.json"
    else
        # Of these commands, only lint colours its text.
        local color=()
        [ "$cmd" != lint ] || color=("${COLOR[@]}")
        "$TLSDIAG" "$cmd" "${color[@]}" "$@"
        "$TLSDIAG" "$cmd" --json "$@" >"$T/$name.json"
    fi
    judge "$name" "$expect" "$T/$name.json"
}

wanted() {
    [ ${#WANT[@]} -eq 0 ] && return 0
    local w
    for w in "${WANT[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

if wanted healthy; then
    PORT=$(free_port)
    start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name app.test;
        ssl_certificate $T/app.test-chain.pem;
        ssl_certificate_key $T/app.test.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305;
        return 200 "ok\n";
    }
NGX
    wait_port "$PORT" 10 || die "nginx did not start"
    diagnose healthy - "nginx with TLS 1.2 + 1.3 and modern suites" --sni app.test "127.0.0.1:$PORT"
    stop_all
fi

if wanted refused; then
    PORT=$(free_port)
    diagnose refused CONNECT_REFUSED "nothing listens on the port" "127.0.0.1:$PORT"
fi

if wanted reset; then
    start_fake reset
    diagnose reset RESET_AFTER_CLIENTHELLO "a server that aborts the connection on every ClientHello" "127.0.0.1:$PORT"
    stop_all
fi

if wanted http; then
    start_fake http
    diagnose http NOT_TLS "plain HTTP on the port a client expects TLS on" "127.0.0.1:$PORT"
    stop_all
fi

if wanted smtp; then
    start_fake smtp
    diagnose smtp NOT_TLS "a mail server that wants STARTTLS" "127.0.0.1:$PORT"
    stop_all
fi

if wanted tls10; then
    start_s_server -tls1 -cipher 'DEFAULT@SECLEVEL=0'
    diagnose tls10 PROTOCOL_TOO_OLD "openssl s_server stuck at TLS 1.0" "127.0.0.1:$PORT"
    stop_all
fi

if wanted intolerant; then
    start_fake intolerant
    diagnose intolerant VERSION_INTOLERANCE "a server that resets hellos offering TLS 1.3" "127.0.0.1:$PORT"
    stop_all
fi

if wanted ecdsa-rsa-suites; then
    PORT=$(free_port)
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -quiet -cert "$T/ecdsa.test.pem" \
        -key "$T/ecdsa.test.key" -no_tls1_3 -cipher aRSA
    wait_port "$PORT" 10 || die "s_server did not start"
    diagnose ecdsa-rsa-suites NO_SHARED_CIPHER "an ECDSA certificate with only RSA suites configured" "127.0.0.1:$PORT"
    stop_all
fi

if wanted 3des; then
    PORT=$(free_port)
    start_bg gnutls-serv --port "$PORT" --x509certfile "$T/app.test.pem" --x509keyfile "$T/app.test.key" \
        --priority 'NONE:+VERS-TLS1.2:+3DES-CBC:+RSA:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL'
    wait_port "$PORT" 10 || die "gnutls-serv did not start"
    diagnose 3des WEAK_CIPHERS_ONLY "GnuTLS serving only 3DES (a suite this machine's OpenSSL cannot speak)" "127.0.0.1:$PORT"
    stop_all
fi

if wanted dh1024; then
    start_s_server -no_tls1_3 -cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' -dhparam "$T/dh1024.pem"
    diagnose dh1024 DH_TOO_SMALL "DHE with a 1024-bit group" "127.0.0.1:$PORT"
    stop_all
fi

if wanted ffdhe-only; then
    start_s_server -tls1_3 -groups ffdhe2048
    diagnose ffdhe-only NO_SHARED_GROUP "TLS 1.3 with the ffdhe2048 group only" "127.0.0.1:$PORT"
    stop_all
fi

if wanted sni; then
    PORT=$(free_port)
    start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl default_server;
        ssl_reject_handshake on;
    }
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name app.test;
        ssl_certificate $T/app.test-chain.pem;
        ssl_certificate_key $T/app.test.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        return 200 "ok\n";
    }
NGX
    wait_port "$PORT" 10 || die "nginx did not start"
    diagnose sni SNI_REQUIRED "nginx rejecting handshakes without SNI" --sni app.test "127.0.0.1:$PORT"
    stop_all
fi

if wanted mtls; then
    start_s_server -no_tls1_3 -Verify 1 -CAfile "$T/ca.pem"
    diagnose mtls CLIENT_CERT_REQUIRED "a server that demands a client certificate" "127.0.0.1:$PORT"
    stop_all
fi

if wanted noreneg; then
    start_fake noreneg
    diagnose noreneg RENEGOTIATION_INSECURE "a TLS 1.2 server without RFC 5746 support" "127.0.0.1:$PORT"
    stop_all
fi

# Certificate labs: a root and an intermediate of the lab's own, trusted
# through --ca-file like a private CA.
make_ca_tree root inter

if wanted expired; then
    make_leaf_signed_by inter old.test "start=$(date_from_now -400)" "end=$(date_from_now -35)"
    cat "$T/old.test.pem" "$T/inter.pem" >"$T/old.test-chain.pem"
    start_nginx_tls "$T/old.test-chain.pem" old.test
    CA_FILE="$T/root.pem" diagnose expired CERT_EXPIRED "nginx serving a certificate that expired 35 days ago" \
        --sni old.test "127.0.0.1:$PORT"
    stop_all
fi

if wanted no-intermediate; then
    mkdir -p "$T/aia"
    cp "$T/inter.der" "$T/aia/inter.der"
    start_http_dir "$T/aia"
    make_leaf_signed_by inter shop.test "aia=http://127.0.0.1:$HTTP_PORT/inter.der"
    start_nginx_tls shop.test shop.test
    CA_FILE="$T/root.pem" diagnose no-intermediate CHAIN_INCOMPLETE \
        "nginx sending the leaf without its intermediate (the AIA URL works: browsers cope, curl does not)" \
        --sni shop.test "127.0.0.1:$PORT"
    stop_all
fi

if wanted wildcard; then
    make_leaf_signed_by inter wild "cn=*.example.test" "sans=DNS:*.example.test"
    cat "$T/wild.pem" "$T/inter.pem" >"$T/wild-chain.pem"
    start_nginx_tls "$T/wild-chain.pem" wild
    CA_FILE="$T/root.pem" diagnose wildcard HOSTNAME_MISMATCH "a *.example.test certificate asked for a.b.example.test" \
        --sni a.b.example.test "127.0.0.1:$PORT"
    stop_all
fi

if wanted java8; then
    start_s_server -tls1_3
    diagnose java8 CLIENT_INCOMPATIBLE "a TLS 1.3-only server, seen from a Java 8 service (--client java-8)" \
        --client java-8 "127.0.0.1:$PORT"
    stop_all
fi

if wanted starttls; then
    make_starttls_certs mail.test
    start_scripted_starttls smtp ok "$T/mail.test-expired.pem" "$T/mail.test-old.key"
    CA_FILE="$T/root.pem" diagnose starttls CERT_EXPIRED \
        "a mail server whose certificate expired, found through SMTP STARTTLS" \
        --starttls smtp --sni mail.test "127.0.0.1:$PORT"
    stop_all
fi

if wanted proxy; then
    if [ -x /usr/sbin/squid ]; then
        start_nginx_tls app.test-chain app.test
        ORIGIN=$PORT
        PROXY=$(free_port)
        start_squid <<SQUID
http_port 127.0.0.1:$PROXY
acl SSL_ports port 1
acl CONNECT method CONNECT
http_access deny CONNECT !SSL_ports
http_access allow localhost
http_access deny all
SQUID
        wait_port "$PROXY" 20 || die "squid did not start"
        diagnose proxy PROXY_FAILURE "a corporate proxy whose rules refuse the server's port (Squid, 403)" \
            --proxy "http://127.0.0.1:$PROXY" --sni app.test "localhost:$ORIGIN"
        stop_all
    else
        RESULTS+=("MISS  proxy: squid is not installed (scripts/deps.sh test installs it)")
        MISSES=$((MISSES + 1))
    fi
fi

if wanted lint; then
    # The leaf without its intermediate, and an upstream reached over TLS
    # without SNI: two classic mistakes nginx -t accepts.
    make_leaf_signed_by inter site.test
    mkdir -p "$T/lint"
    cat >"$T/lint/nginx.conf" <<NGX
events {}
http {
    server {
        listen 127.0.0.1:8443 ssl;
        server_name site.test;
        ssl_certificate $T/site.test.pem;
        ssl_certificate_key $T/site.test.key;
        location / { proxy_pass https://backend.site.test; }
    }
}
NGX
    CA_FILE="$T/root.pem" lab_cmd lint CONFIG_UPSTREAM_NO_SNI \
        "an nginx configuration: leaf without intermediate, proxy_pass https:// without SNI" \
        lint --ca-file "$T/root.pem" "$T/lint/nginx.conf"
fi

if wanted scan; then
    # A small fleet: the healthy server, an expired certificate, a closed
    # port, one list, one event loop.
    make_leaf_signed_by inter fleet-old.test "start=$(date_from_now -400)" "end=$(date_from_now -3)"
    cat "$T/fleet-old.test.pem" "$T/inter.pem" >"$T/fleet-old.test-chain.pem"
    start_nginx_tls "$T/fleet-old.test-chain.pem" fleet-old.test
    OLD=$PORT
    NGINX_NAME=fleet-ok start_nginx_tls app.test-chain app.test
    OK=$PORT
    CLOSED=$(free_port)
    printf '# the lab fleet\n127.0.0.1:%s sni=app.test\n127.0.0.1:%s sni=fleet-old.test\n127.0.0.1:%s\n' \
        "$OK" "$OLD" "$CLOSED" >"$T/fleet.txt"
    cat "$T/ca.pem" "$T/root.pem" >"$T/fleet-ca.pem"
    lab_cmd scan CERT_EXPIRED "a fleet of three: healthy, an expired certificate, a closed port" \
        scan --profile quick --ca-file "$T/fleet-ca.pem" "$T/fleet.txt"
    stop_all
fi

if wanted pcap; then
    # What tcpdump saw while curl refused a self-signed server: the capture
    # alone names the fault and the client's side of it.
    make_self_signed self.test
    start_s_server_cert "$T/self.test.pem" "$T/self.test.key"
    start_capture "$T/lab.pcap" -i lo -s 0 "tcp port $PORT"
    # TLS 1.2: in TLS 1.3 the client's alert is encrypted (--keylog reads it).
    curl -s -o /dev/null --max-time 5 --tls-max 1.2 --resolve "self.test:$PORT:127.0.0.1" \
        "https://self.test:$PORT/" || true
    stop_capture
    lab_cmd pcap CLIENT_REJECTED_CERT "a capture of curl refusing a self-signed certificate (tcpdump -w)" \
        pcap "$T/lab.pcap"
    stop_all
fi

printf '\n\033[1m━━ summary\033[0m\n' 2>/dev/null
for r in "${RESULTS[@]}"; do echo "  $r"; done
echo "${#RESULTS[@]} labs, $MISSES not diagnosed as expected"
[ "$MISSES" -eq 0 ]
