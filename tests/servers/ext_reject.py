#!/usr/bin/env python3
"""A TLS server that turns down ClientHellos carrying one given extension.

    ext_reject.py --port P --reject-ext TYPE [--host 127.0.0.1] [--idle SEC] [--verbose]
    ext_reject.py --selftest

The fault the replay of `tlsdiag pcap --replay` exists to name: a server (or
the box in front of it) that fails every hello with a certain extension,
so one client fails while others get through.  TYPE is the extension's
code point, decimal or 0x-hex (23: extended_master_secret, 0xff01:
renegotiation_info).

A hello carrying TYPE gets a fatal handshake_failure(40) alert and a close.
Any other hello gets a ServerHello good enough for a client to see that it
was accepted, and nothing after it:
  - a hello offering TLS 1.3 with a key share: a TLS 1.3 ServerHello
    (supported_versions, key_share for the first share's group with random
    bytes of that group's size) choosing the first of 0x1301, 0x1302,
    0x1303 offered;
  - otherwise a TLS 1.2 (or lower) ServerHello, Certificate and
    ServerHelloDone choosing the first of 0x009C, 0x002F, 0x0035 offered (RSA
    key exchange: no ServerKeyExchange needed; fake_tls.py's certificate);
  - a hello offering none of these: a close without an alert.
SSLv2-format hellos carry no extensions and are closed without an answer.

Built on fake_tls.py (same directory); standard library only.
"""

import argparse
import os
import socket
import sys
import threading

import fake_tls as ft

TLS13_SUITES = (0x1301, 0x1302, 0x1303)
TLS12_SUITES = (0x009C, 0x002F, 0x0035)
# key_exchange sizes, RFC 8446 section 4.2.8.2; anything else gets 32 bytes
SHARE_SIZES = {0x0017: 65, 0x0018: 97, 0x0019: 133, 0x001D: 32, 0x001E: 56}


def reject_type(text):
    v = int(text, 0)
    if not 0 <= v <= 0xFFFF:
        raise argparse.ArgumentTypeError("an extension type is 0 to 65535")
    return v


def tls13_server_hello(hello, suite):
    group = next(g for g in hello.share_groups if not ft.is_grease(g))
    share = os.urandom(SHARE_SIZES.get(group, 32))
    if group in (0x0017, 0x0018, 0x0019):
        share = b"\x04" + share[1:]
    exts = (ft.u16(ft.EXT_SUPPORTED_VERSIONS) + ft.vec16(ft.u16(ft.TLS13))
            + ft.u16(ft.EXT_KEY_SHARE) + ft.vec16(ft.u16(group) + ft.vec16(share)))
    body = ft.u16(ft.TLS12) + os.urandom(32) + ft.vec8(hello.session_id) + ft.u16(suite) + ft.u8(0) + ft.vec16(exts)
    return ft.record(ft.CT_HANDSHAKE, ft.TLS12, ft.handshake(ft.HS_SERVER_HELLO, body))


def answer(hello, reject, certs):
    """The bytes to send for a parsed hello (b"": close without a word)."""
    if hello.sslv2:
        return b""
    if any(t == reject for t, _ in hello.extensions):
        return ft.alert(min(hello.legacy_version, ft.TLS12), ft.ALERT_HANDSHAKE_FAILURE)
    offered13 = hello.max_version >= ft.TLS13 and any(not ft.is_grease(g) for g in hello.share_groups)
    for s in TLS13_SUITES:
        if offered13 and s in hello.suites:
            return tls13_server_hello(hello, s)
    version = min(hello.legacy_version, ft.TLS12)
    for s in TLS12_SUITES:
        if s in hello.suites and (version >= ft.TLS12 or s not in ft.TLS12_ONLY):
            return ft.server_flight(version, s, hello.wants_reneg_info, certs, True)
    return b""


def serve_conn(conn, args, certs):
    conn.settimeout(args.idle)
    try:
        hello = ft.read_client_hello(ft.recv_exact_fn(conn))
        if hello is not None:
            data = answer(hello, args.reject_ext, certs)
            if args.verbose:
                sys.stderr.write("ext_reject: %d extensions, %s\n" % (
                    len(hello.extensions), "rejected" if data[:1] == b"\x15" else "answered"))
            if data:
                conn.sendall(data)
    except (ft.ParseError, EOFError, OSError):
        pass
    ft.fin_close(conn)


# --------------------------------------------------------------------------
# Selftest


def client_hello(suites, exts, legacy=ft.TLS12):
    """A ClientHello record with these suites and (type, data) extensions."""
    blob = b"".join(ft.u16(t) + ft.vec16(d) for t, d in exts)
    body = (ft.u16(legacy) + os.urandom(32) + ft.vec8(os.urandom(32)) + ft.vec16(b"".join(ft.u16(s) for s in suites))
            + ft.vec8(b"\0") + ft.vec16(blob))
    return ft.record(ft.CT_HANDSHAKE, ft.TLS10, ft.handshake(ft.HS_CLIENT_HELLO, body))


EMS = (23, b"")
VERSIONS13 = (ft.EXT_SUPPORTED_VERSIONS, ft.vec8(ft.u16(0x3A3A) + ft.u16(ft.TLS13) + ft.u16(ft.TLS12)))
SHARE = (ft.EXT_KEY_SHARE, ft.vec16(ft.u16(0x3A3A) + ft.vec16(b"\0") + ft.u16(0x001D) + ft.vec16(os.urandom(32))))


def first_item(data):
    items, _ = ft.parse_server_flight(data)
    return items[0] if items else None


def selftest_answers(certs):
    failures = []
    cases = (
        ("TLS 1.2 hello with the extension", client_hello([0xC02F, 0x009C], [EMS]), 23, ("alert", 2, 40)),
        ("TLS 1.2 hello without it", client_hello([0xC02F, 0x009C], [(0xFF01, b"\0")]), 23, ("hs", 2)),
        ("TLS 1.3 hello with it", client_hello([0x1301, 0x009C], [VERSIONS13, SHARE, EMS]), 23, ("alert", 2, 40)),
        ("TLS 1.3 hello without it", client_hello([0x1301, 0x009C], [VERSIONS13, SHARE]), 23, ("hs", 2)),
        ("no suite in common", client_hello([0xC02B], []), 23, None),
    )
    for name, rec, reject, expect in cases:
        hello = ft.parse_client_hello_bytes(rec)
        data = answer(hello, reject, certs)
        item = first_item(data)
        got = item[:len(expect)] if item and expect else item
        if got != expect:
            failures.append("%s: expected %r, got %r" % (name, expect, item and item[:3]))
    # The TLS 1.3 answer names TLS 1.3 and the client's x25519 share.
    hello = ft.parse_client_hello_bytes(client_hello([0x1302, 0x1301], [VERSIONS13, SHARE]))
    _, _, body, _ = first_item(answer(hello, 23, certs))
    _, _, suite, _, exts = ft.parse_server_hello(body)
    if suite != 0x1301 or exts.get(ft.EXT_SUPPORTED_VERSIONS) != ft.u16(ft.TLS13) or \
            exts.get(ft.EXT_KEY_SHARE, b"")[:4] != ft.u16(0x001D) + ft.u16(32):
        failures.append("TLS 1.3 ServerHello: suite 0x%04x, extensions %r" % (suite, sorted(exts)))
    return failures


def selftest_socket(certs):
    """One rejected and one answered hello over loopback."""
    failures = []
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    args = argparse.Namespace(reject_ext=23, idle=5.0, verbose=False)
    for name, rec, want in (("rejected", client_hello([0x009C], [EMS]), b"\x15\x03\x03\x00\x02\x02\x28"),
                            ("answered", client_hello([0x009C], []), b"\x16\x03\x03")):
        c = socket.create_connection(ls.getsockname(), timeout=5)
        conn, _ = ls.accept()
        t = threading.Thread(target=serve_conn, args=(conn, args, certs), daemon=True)
        t.start()
        c.sendall(rec)
        got = b""
        try:
            while len(got) < len(want):
                b = c.recv(65536)
                if not b:
                    break
                got += b
        except OSError as e:
            got = repr(e).encode()
        c.close()
        t.join(6)
        if not got.startswith(want):
            failures.append("socket %s: expected %r, got %r" % (name, want, got[:16]))
    ls.close()
    return failures


def selftest():
    certs = [ft.load_cert(None)]
    failures = selftest_answers(certs) + selftest_socket(certs)
    for f in failures:
        print("FAIL " + f)
    print("ext_reject selftest: %s" % ("%d failures" % len(failures) if failures else "ok"))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description="A TLS server that rejects hellos carrying one extension (test fixture).")
    ap.add_argument("--port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--reject-ext", type=reject_type, help="extension type to reject (decimal or 0x-hex)")
    ap.add_argument("--idle", type=float, default=30.0, help="per-connection socket timeout (s)")
    ap.add_argument("--verbose", action="store_true", help="log each hello to stderr")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    if args.selftest:
        return selftest()
    if args.port is None or args.reject_ext is None:
        ap.error("--port and --reject-ext are required")
    certs = [ft.load_cert(None)]
    ft.listen_and_serve(args, lambda conn: serve_conn(conn, args, certs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
