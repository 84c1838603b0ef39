#!/usr/bin/env bash
# The text report fits a screen: against real faulty servers (a TLS 1.3-only
# s_server that old clients cannot reach, an s_server with a 1024-bit DH
# group, nginx serving an expired certificate), the default report at
# COLUMNS=80 is at most 45 lines, opens with the verdict, names the root
# cause with its fix and verify command (intact once its " \" continuations
# are joined), and keeps every line to 80 columns but those of the verify
# command.  -v gives the long form: more lines, every finding ID, each
# verify command on one line.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx

# text_report FILE ARGS...: the text report of `check ARGS` at COLUMNS=80
# (stdout is a file, so COLUMNS decides the width).
text_report() {
    local file=$1
    shift
    COLUMNS=80 timeout -k 5 120 "$TLSDIAG" check --no-color --timeout 2 --deadline 60 "$@" >"$file" 2>"$T/text.err"
}

# screen_facts FILE: "LINES OVERLONG" — how many lines, and how many of them
# are wider than 80 columns without belonging to a verify command (its
# "verify:" line and the lines its " \" continuations carry on to).
screen_facts() {
    "$PYTHON" - "$1" <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
over, in_verify = 0, False
for line in lines:
    verify = in_verify or line.lstrip().startswith("verify:")
    in_verify = verify and line.endswith(" \\")
    if len(line) > 80 and not verify:
        over += 1
        print(f"overlong: {line}", file=sys.stderr)
print(len(lines), over)
EOF
}

# root_verify FILE: the first verify command of the report, its " \"
# continuations joined back into one line.
root_verify() {
    "$PYTHON" - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"verify: +((?:.* \\\n)*.*)\n", text)
print(re.sub(r" \\\n +", " ", m.group(1)) if m else "")
EOF
}

# screen_case NAME ARGS...: the JSON report (for the IDs and the root
# cause's verify command), the short text report and the long one, and the
# assertions on them.
screen_case() {
    CASE=$1
    shift
    run_check "$@"
    local short="$T/$CASE.txt" long="$T/$CASE-v.txt" root verify facts id
    root=$(jq -r '.root_cause.id // empty' "$OUT")
    verify=$(jq -r '.findings[.root_cause.index].verify // empty' "$OUT")
    text_report "$short" "$@"
    text_report "$long" -v "$@"
    echo "  short report:"
    sed 's/^/    | /' "$short"

    facts=$(screen_facts "$short")
    assert_true "a root cause with a verify command (JSON)" test -n "$root" -a -n "$verify"
    assert_true "at most 45 lines at COLUMNS=80 (got ${facts% *})" test "${facts% *}" -le 45
    assert_true "no line wider than 80 columns but the verify command's" test "${facts#* }" -eq 0
    assert_true "the first line is the verdict" grep -qE '^(FAIL|WARN)  127\.0\.0\.1:[0-9]+ — ' <(head -1 "$short")
    assert_true "the first screen names the root cause $root" grep -qE "^\[(FAIL|WARN)\] $root( |$)" <(head -40 "$short")
    assert_true "the first screen has its fix" grep -qE '^ +fix: ' <(head -40 "$short")
    assert_true "the first screen has its verify command" grep -qE '^ +verify: ' <(head -40 "$short")
    assert_true "the verify command is intact once joined" test "$(root_verify "$short")" = "$verify"
    assert_true "the short form points at -v" grep -q 'tlsdiag check -v' "$short"
    assert_true "no evidence in the short form" bash -c "! grep -q '^ *evidence: ' '$short'"

    facts=$(screen_facts "$long" 2>/dev/null)
    assert_true "-v is longer (${facts% *} lines)" test "${facts% *}" -gt "$(wc -l <"$short")"
    for id in $(jq -r '[.findings[].id] | unique | .[]' "$OUT"); do
        assert_true "-v names $id" grep -qE "^\[(FAIL|WARN|INFO)\] $id " "$long"
    done
    assert_true "-v has the observations" grep -q '^Observations$' "$long"
    assert_true "-v has the root's verify command on one line" grep -qxF "       verify:   $verify" "$long"
}

make_leaf server

start_s_server -tls1_3
screen_case tls13-only --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_jq '[.clients[] | select(.result == "fail")] | length >= 3' "old clients fail against TLS 1.3 only"

make_dh1024 "$T/dh1024.pem"
start_s_server -no_tls1_3 -cipher 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384@SECLEVEL=0' \
    -dhparam "$T/dh1024.pem"
screen_case dh1024 --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_jq '.root_cause.id == "DH_TOO_SMALL"' "the root cause is DH_TOO_SMALL"
assert_true "one line for the clients it shuts out" \
    grep -qE '^       [0-9]+ of [0-9]+ clients fail because of it: OpenSSL 3' "$T/dh1024.txt"

make_ca_tree root inter
make_leaf_signed_by inter app.test "start=$(date_from_now -400)" "end=$(date_from_now -10)"
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test
screen_case expired --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_jq '.root_cause.id == "CERT_EXPIRED"' "the root cause is CERT_EXPIRED"
assert_true "the Certificate step says it expired" grep -q '✗ Certificate .*' "$T/expired.txt"

finish
