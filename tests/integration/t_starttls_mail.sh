#!/usr/bin/env bash
# STARTTLS on mail ports, against real servers: Postfix (SMTP, RFC 3207) and
# Dovecot (IMAP and POP3, RFC 2595), each started once in $T.  For each: a
# healthy listener checked through the upgrade, one serving an expired leaf
# (CERT_EXPIRED found through the upgrade), one without TLS
# (STARTTLS_UNAVAILABLE in the protocol's own terms); and the SMTP port
# checked without --starttls, where the greeting picks the upgrade.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd openssl
[ -x /usr/lib/postfix/sbin/master ] || die "Postfix is not installed (run scripts/deps.sh test)"
command -v dovecot >/dev/null || die "Dovecot is not installed (run scripts/deps.sh test)"
[ "$(id -u)" = 0 ] || die "Postfix and Dovecot drop privileges to their own users: run as root"

# The servers drop privileges: their users must reach the files in $T.
chmod 755 "$T"
make_starttls_certs mail.test

# ---- Postfix: one master, three smtpd listeners -------------------------------
SMTP_OK=$(free_port) SMTP_OLD=$(free_port) SMTP_NONE=$(free_port)
start_postfix "$T/mail.test-good.pem" "$T/mail.test.key" "$SMTP_OK" \
    "$SMTP_OLD -o smtpd_tls_cert_file=$T/mail.test-expired.pem -o smtpd_tls_key_file=$T/mail.test-old.key" \
    "$SMTP_NONE -o smtpd_tls_security_level=none"

# ---- Dovecot: IMAP and POP3, a healthy certificate and an expired one ------------
DV=$T/dovecot
mkdir -p "$DV/run" "$DV/state"
IMAP_OK=$(free_port) POP3_OK=$(free_port) IMAP_OLD=$(free_port) POP3_OLD=$(free_port)
IMAP_NONE=$(free_port) POP3_NONE=$(free_port)
dovecot_conf() { # FILE SSL CERT KEY IMAP POP3 RUN
    cat >"$1" <<CF
base_dir = $7
state_dir = $DV/state
log_path = $DV/log.$5
protocols = imap pop3
listen = 127.0.0.1
ssl = $2
ssl_cert = <$3
ssl_key = <$4
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = static
  args = password=unused
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DV/home
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $5
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $6
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service pop3-login {
  chroot =
}
CF
}
# Dovecot takes its certificate per instance: three of them, one config each.
dovecot_conf "$DV/ok.conf" yes "$T/mail.test-good.pem" "$T/mail.test.key" "$IMAP_OK" "$POP3_OK" "$DV/run/ok"
dovecot_conf "$DV/old.conf" yes "$T/mail.test-expired.pem" "$T/mail.test-old.key" "$IMAP_OLD" "$POP3_OLD" "$DV/run/old"
dovecot_conf "$DV/none.conf" no "$T/mail.test-good.pem" "$T/mail.test.key" "$IMAP_NONE" "$POP3_NONE" "$DV/run/none"
for c in ok old none; do
    mkdir -p "$DV/run/$c"
    start_bg dovecot -F -c "$DV/$c.conf"
done
wait_port "$IMAP_OK" 10 && wait_port "$POP3_OLD" 10 && wait_port "$POP3_NONE" 10 \
    || die "Dovecot did not start: $(cat "$DV"/log.* 2>/dev/null | tail -5)"

# ---- SMTP ------------------------------------------------------------------------
CASE=smtp-healthy
check_starttls_healthy smtp "$SMTP_OK" mail.test
assert_jq '.observations.versions["TLS 1.2"].supported == true and .observations.versions["TLS 1.3"].supported == true' \
    "versions enumerated through the upgrade"
assert_jq '.observations.connections > 20' "every probe made its own upgraded connection"

CASE=smtp-expired
check_starttls_expired smtp "$SMTP_OLD" mail.test

CASE=smtp-no-tls
check_starttls_unavailable smtp "$SMTP_NONE" "STARTTLS not in the EHLO answer"
assert_jq '[.findings[] | select(.id == "STARTTLS_UNAVAILABLE") | .fix] | .[0] | test("smtpd_tls_security_level")' \
    "the fix names Postfix's smtpd_tls_* settings"

# Without --starttls: the SMTP greeting picks the upgrade, and the report says so.
CASE=smtp-auto
run_check --sni mail.test --ca-file "$T/root.pem" "127.0.0.1:$SMTP_OK"
assert_no_fail
assert_jq '.target.starttls.protocol == "smtp" and .target.starttls.auto == true and .target.starttls.greeting == "SMTP"' \
    "the upgrade was chosen from the SMTP greeting, and said"
assert_no_finding NOT_TLS

# Without --starttls on the port without TLS: still NOT_TLS, naming the flag and the refusal.
CASE=smtp-auto-no-tls
run_check "127.0.0.1:$SMTP_NONE"
assert_finding NOT_TLS
assert_finding_text NOT_TLS "STARTTLS not in the EHLO answer"
assert_jq '[.findings[] | select(.id == "NOT_TLS") | .fix] | .[0] | test("--starttls smtp")' "NOT_TLS names --starttls smtp"
assert_jq '.target.starttls.failed | test("STARTTLS not in the EHLO answer")' "the report says the upgrade was tried"

# ---- IMAP and POP3 -------------------------------------------------------------------
check_starttls_three imap mail.test "$IMAP_OK" "$IMAP_OLD" "$IMAP_NONE" "STARTTLS not in the IMAP capabilities" \
    'Dovecot: .ssl = yes'
check_starttls_three pop3 mail.test "$POP3_OK" "$POP3_OLD" "$POP3_NONE" "STLS answered .-ERR" 'Dovecot: .ssl = yes'

# The same verify command, run: it fails while STARTTLS is missing, and
# succeeds on the healthy port.
CASE=verify
assert_true "s_client -starttls smtp completes on the healthy port" bash -c \
    "timeout 5 openssl s_client -connect 127.0.0.1:$SMTP_OK -starttls smtp </dev/null >/dev/null 2>&1"
assert_true "s_client -starttls smtp fails where STARTTLS is missing" bash -c \
    "! timeout 5 openssl s_client -connect 127.0.0.1:$SMTP_NONE -starttls smtp </dev/null >/dev/null 2>&1"
finish
