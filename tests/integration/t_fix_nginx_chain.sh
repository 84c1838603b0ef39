#!/usr/bin/env bash
# Fix advice for CHAIN_INCOMPLETE, applied: nginx serving the leaf without
# the intermediate that signed it.  The test builds the full-chain file the
# way the fix text says (its `cat leaf intermediate > fullchain` command,
# with this test's files), points the directive the advice names for nginx
# at it, restarts nginx, checks again (the finding is gone) and runs the
# finding's verify command from the first report (verification succeeds).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test
PORT=$(free_port tcp)
start_nginx <<NGX
    server {
        listen 127.0.0.1:$PORT ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_certificate $T/app.test.pem;
        ssl_certificate_key $T/app.test.key;
        location / { return 200 "ok\n"; }
    }
NGX
NGINX_PID=$BG_PID
wait_port "$PORT" 10 || die "nginx did not start"
assert_true "s_client with the root as anchor: unable to get local issuer certificate" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'unable to get local issuer certificate'"

CASE=faulty
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_INCOMPLETE
assert_exit 1
cp "$OUT" "$T/before.json"
run_verify CHAIN_INCOMPLETE "$T/before.json"
assert_true "its verify command fails against the faulty server" test "$VERIFY_RC" != 0
fix_directive nginx CHAIN_INCOMPLETE "$T/before.json"
assert_true "the nginx advice names ssl_certificate" grep -q '^ssl_certificate\b' <<<"$FIX_DIRECTIVE"

# The advice's recipe for the file: `cat leaf.pem intermediate.pem > fullchain.pem`.
# shellcheck disable=SC2016  # backticks in the advice, not a command
recipe=$(finding_field CHAIN_INCOMPLETE fix "$T/before.json" | grep -oE '`cat [^`]+>[^`]+`' | head -n1 | tr -d '`')
[ -n "$recipe" ] || die "the CHAIN_INCOMPLETE advice no longer says how to build the full chain: $(finding_field CHAIN_INCOMPLETE fix "$T/before.json")"
echo "  recipe: $recipe"
read -r -a words <<<"${recipe%%>*}"
outfile=$(tr -d ' ' <<<"${recipe#*>}")
files=()
for w in "${words[@]:1}"; do
    case "$w" in
        *leaf*|*cert*) files+=("$T/app.test.pem") ;;
        *inter*|*chain*|*ca*) files+=("$T/inter.pem") ;;
        *) die "cannot map '$w' of the recipe '$recipe' to a file of this test" ;;
    esac
done
cat "${files[@]}" >"$T/$outfile"
assert_true "the recipe puts the leaf first, then the intermediate" \
    test "${files[*]}" = "$T/app.test.pem $T/inter.pem"

CASE=fixed
nginx_apply "$NGINX_DIR/nginx.conf" "${FIX_DIRECTIVE%;} $T/$outfile;"
restart_nginx "$PORT"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_no_finding CHAIN_INCOMPLETE
assert_no_fail
assert_jq '.observations.handshake.chain | length == 2' "two certificates sent"
assert_verify_ok CHAIN_INCOMPLETE "$T/before.json"
assert_true "verify output: Verify return code: 0 (ok)" grep -q 'Verify return code: 0 (ok)' "$T/verify.out"
finish
