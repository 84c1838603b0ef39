#!/usr/bin/env bash
# STARTTLS on directory, chat and file-transfer ports, against real servers:
# slapd (LDAP StartTLS, RFC 4511 extended operation 1.3.6.1.4.1.1466.20037),
# Prosody (XMPP, RFC 6120) and vsftpd (FTP AUTH TLS, RFC 4217), each started
# in $T three ways: healthy, serving an expired leaf (CERT_EXPIRED found
# through the upgrade), and without TLS (STARTTLS_UNAVAILABLE in the
# protocol's terms).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd openssl slapd prosody vsftpd
[ "$(id -u)" = 0 ] || die "vsftpd and Prosody need root to start (Prosody with run_as_root): run as root"

# The servers drop privileges: their users must reach the files in $T.
chmod 755 "$T"
make_starttls_certs dir.test
chmod 644 "$T"/*.key

# ---- slapd ---------------------------------------------------------------------------
LD=$T/ldap
slapd_start() { # NAME PORT [CERT KEY]
    mkdir -p "$LD/$1"
    {
        echo "include /etc/ldap/schema/core.schema"
        echo "pidfile $LD/$1/slapd.pid"
        echo "modulepath /usr/lib/ldap"
        echo "moduleload back_mdb"
        if [ -n "${3:-}" ]; then
            echo "TLSCertificateFile $3"
            echo "TLSCertificateKeyFile $4"
        fi
        echo "database mdb"
        echo "suffix dc=test"
        echo "directory $LD/$1"
    } >"$LD/$1.conf"
    start_bg slapd -d 0 -f "$LD/$1.conf" -h "ldap://127.0.0.1:$2/"
}
LDAP_OK=$(free_port) LDAP_OLD=$(free_port) LDAP_NONE=$(free_port)
slapd_start ok "$LDAP_OK" "$T/dir.test-good.pem" "$T/dir.test.key"
slapd_start old "$LDAP_OLD" "$T/dir.test-expired.pem" "$T/dir.test-old.key"
slapd_start none "$LDAP_NONE"

# ---- Prosody ---------------------------------------------------------------------------
PR=$T/prosody
prosody_start() { # NAME PORT [CERT KEY]
    mkdir -p "$PR/$1"
    chown prosody "$PR/$1" 2>/dev/null || true
    {
        echo "run_as_root = true"
        echo "daemonize = false"
        echo "pidfile = \"$PR/$1/prosody.pid\""
        echo "data_path = \"$PR/$1\""
        echo "log = { { levels = { min = \"info\" }, to = \"file\", filename = \"$PR/$1/log\" } }"
        echo "c2s_ports = { $2 }"
        echo "c2s_interfaces = { \"127.0.0.1\" }"
        echo "s2s_ports = { }"
        echo "component_ports = { }"
        echo "http_ports = { }"
        echo "https_ports = { }"
        echo "c2s_direct_tls_ports = { }"
        echo "certificates = \"$PR/$1/none\""
        if [ -n "${3:-}" ]; then
            echo "modules_enabled = { \"tls\"; \"saslauth\"; \"disco\" }"
            echo "modules_disabled = { \"s2s\"; \"posix\" }"
            echo "ssl = { certificate = \"$3\"; key = \"$4\" }"
        else
            # Without mod_tls Prosody offers no <starttls/> at all.
            echo "modules_enabled = { \"saslauth\"; \"disco\" }"
            echo "modules_disabled = { \"s2s\"; \"posix\"; \"tls\" }"
            echo "c2s_require_encryption = false"
            echo "allow_unencrypted_plain_auth = true"
        fi
        echo "VirtualHost \"dir.test\""
    } >"$PR/$1.cfg.lua"
    start_bg prosody -F --config "$PR/$1.cfg.lua"
}
XMPP_OK=$(free_port) XMPP_OLD=$(free_port) XMPP_NONE=$(free_port)
prosody_start ok "$XMPP_OK" "$T/dir.test-good.pem" "$T/dir.test.key"
prosody_start old "$XMPP_OLD" "$T/dir.test-expired.pem" "$T/dir.test-old.key"
prosody_start none "$XMPP_NONE"

# ---- vsftpd --------------------------------------------------------------------------------
FT=$T/ftp
mkdir -p "$FT/empty"
vsftpd_start() { # NAME PORT [CERT KEY]
    {
        echo "listen=YES"
        echo "listen_address=127.0.0.1"
        echo "listen_port=$2"
        echo "background=NO"
        echo "anonymous_enable=NO"
        echo "local_enable=YES"
        echo "pasv_enable=NO"
        echo "seccomp_sandbox=NO"
        echo "nopriv_user=nobody"
        echo "secure_chroot_dir=$FT/empty"
        if [ -n "${3:-}" ]; then
            echo "ssl_enable=YES"
            echo "rsa_cert_file=$3"
            echo "rsa_private_key_file=$4"
        else
            echo "ssl_enable=NO"
        fi
    } >"$FT/$1.conf"
    start_bg vsftpd "$FT/$1.conf"
}
FTP_OK=$(free_port) FTP_OLD=$(free_port) FTP_NONE=$(free_port)
vsftpd_start ok "$FTP_OK" "$T/dir.test-good.pem" "$T/dir.test.key"
vsftpd_start old "$FTP_OLD" "$T/dir.test-expired.pem" "$T/dir.test-old.key"
vsftpd_start none "$FTP_NONE"

for p in "$LDAP_OK" "$LDAP_OLD" "$LDAP_NONE" "$XMPP_OK" "$XMPP_OLD" "$XMPP_NONE" "$FTP_OK" "$FTP_OLD" "$FTP_NONE"; do
    wait_port "$p" 15 "" || die "a server did not start on $p: $(tail -3 "$T"/bg.*.log "$PR"/*/log 2>/dev/null)"
done

check_starttls_three ldap dir.test "$LDAP_OK" "$LDAP_OLD" "$LDAP_NONE" "StartTLS answered resultCode [0-9]+" \
    "olcTLSCertificateFile"
# The stream names the domain Prosody serves.
check_starttls_three xmpp dir.test "$XMPP_OK" "$XMPP_OLD" "$XMPP_NONE" "STARTTLS not in the XMPP stream features" \
    "Prosody" --sni dir.test
check_starttls_three ftp dir.test "$FTP_OK" "$FTP_OLD" "$FTP_NONE" 'AUTH TLS answered .5[0-9][0-9] ' "ssl_enable=YES"
finish
