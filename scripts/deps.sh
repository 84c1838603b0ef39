#!/usr/bin/env bash
# Installs the Debian packages tlsdiag needs, and only those that are missing.
#
#   scripts/deps.sh build   compiler, libraries, fuzzing toolchain
#   scripts/deps.sh test    build + the real servers and tools the tests drive
#   scripts/deps.sh bench   test + the scanners the benchmarks compare against
#
# Nothing is fetched when every package is already installed (works offline);
# otherwise `apt-get update` runs once, then `apt-get install`.  Installing
# needs root.
set -euo pipefail

BUILD_PKGS=(build-essential pkg-config libssl-dev libev-dev libjansson-dev
            libc-ares-dev libpcap-dev libcmocka-dev clang llvm libclang-rt-14-dev
            openssl zlib1g-dev libsqlite3-dev libpq-dev)
TEST_PKGS=("${BUILD_PKGS[@]}" nginx-light haproxy apache2 gnutls-bin python3 jq iproute2 procps
           curl wget dpkg-dev debhelper lintian tidy chromium squid-openssl dante-server
           python3-yaml tcpdump iptables)
# The servers behind STARTTLS (mail, directory, databases, chat, FTP).
TEST_PKGS+=(postfix dovecot-imapd dovecot-pop3d slapd ldap-utils postgresql mariadb-server prosody vsftpd)
BENCH_PKGS=("${TEST_PKGS[@]}" sslscan nmap tcpdump tshark testssl.sh debootstrap)

usage() {
    echo "usage: $0 build|test|bench" >&2
    exit 2
}

[ $# -eq 1 ] || usage
case "$1" in
    build) want=("${BUILD_PKGS[@]}") ;;
    test)  want=("${TEST_PKGS[@]}") ;;
    bench) want=("${BENCH_PKGS[@]}") ;;
    -h|--help) echo "usage: $0 build|test|bench"; exit 0 ;;
    *) usage ;;
esac

installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [ "$status" = "install ok installed" ]
}

missing=()
for p in "${want[@]}"; do
    installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps.sh: all $1 packages are installed"
    exit 0
fi

echo "deps.sh: missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: installing needs root; run: sudo $0 $1" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Another install in progress holds dpkg's lock: wait for it rather than fail.
APT=(apt-get -o DPkg::Lock::Timeout=600)
"${APT[@]}" update -q
"${APT[@]}" install -y -q --no-install-recommends "${missing[@]}"

still=()
for p in "${missing[@]}"; do
    installed "$p" || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
    echo "deps.sh: still missing after install: ${still[*]}" >&2
    exit 1
fi
echo "deps.sh: installed ${missing[*]}"
