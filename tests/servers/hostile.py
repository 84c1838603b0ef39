#!/usr/bin/env python3
"""Hostile and broken TLS servers for tlsdiag's integration tests.

    hostile.py --port P --mode MODE [--host 127.0.0.1] [--drip SEC] [--idle SEC]
    hostile.py --list
    hostile.py --selftest

Listens on HOST:P, prints "ready" once listening, serves any number of
connections (one thread each) and exits on SIGTERM or SIGINT.  Every mode
answers each ClientHello with one fault that no client can get past, and
none alerts about it: tlsdiag must call each a failure, never a healthy
server.  The ClientHello parser, the record and message builders and the
built-in certificate are tests/servers/fake_tls.py's.

The answers below TLS 1.3 are TLS 1.2 (or the hello's legacy_version when
lower) and choose, in this order, the first offered of 0x009C, 0x002F, 0x0035,
0x000A (RSA key exchange: no ServerKeyExchange needed); without one of them
the answer is a handshake_failure alert.  SSLv2-format hellos are closed,
except by `drip`.

Modes
  drip              a valid first flight (ServerHello, Certificate,
                    ServerHelloDone), one byte every --drip seconds (1.5)
  cert-random       a Certificate holding 1200 random bytes
  cert-truncated    a Certificate holding the first half of the certificate's DER
  cert-huge-length  a Certificate whose DER claims 2^31-1 bytes
  cert-tiny         a Certificate of 10,000 tiny certificates (empty shells)
  version           a ServerHello with a version above every one offered
                    (supported_versions 0x0305 to a TLS 1.3 hello)
  suite             a ServerHello choosing suite 0xC0FF, never offered
  group             TLS 1.3 hellos: a ServerHello key share in a group the
                    hello neither lists nor shares; other hellos with
                    supported_groups and an ECDHE_RSA suite: a
                    ServerKeyExchange on such a curve; else handshake_failure
  hrr-loop          TLS 1.3 hellos: a HelloRetryRequest (for a listed group
                    without a share), and another for every ClientHello that
                    follows on the connection; other hellos: protocol_version
  close-after-hello a ServerHello alone, then FIN
  huge-record       a record header claiming 65535 bytes (over 2^14+2048)
  empty-records     1000 empty handshake records
  alert-level       an alert of level 7 (neither warning nor fatal)

Standard library only.
"""

import argparse
import os
import struct
import sys
import time

import fake_tls as ft

CT_CCS = 20
HS_SERVER_KEY_EXCHANGE = 12

RSA_SUITES = (0x009C, 0x002F, 0x0035, 0x000A)
ECDHE_RSA_SUITES = (0xC02F, 0xC030, 0xC013, 0xC014)
TLS13_SUITES = (0x1301, 0x1302, 0x1303)
UNOFFERED_SUITE = 0xC0FF
# Candidates for a group a hello does not offer: secp521r1, x448,
# ffdhe2048, and an unassigned code point no hello lists.
UNOFFERED_GROUPS = (0x0019, 0x001E, 0x0100, 0x0042)
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
CCS_RECORD = ft.record(CT_CCS, ft.TLS12, b"\x01")
# A certificate's outer shape with an empty tbsCertificate: RFC 5280
# section 4.1 says no certificate looks like this.
TINY_CERT = bytes.fromhex("3008" "3000" "3001" "00" "030100")
TINY_COUNT = 10000

MODES = ("drip", "cert-random", "cert-truncated", "cert-huge-length", "cert-tiny", "version", "suite", "group",
         "hrr-loop", "close-after-hello", "huge-record", "empty-records", "alert-level")


# --------------------------------------------------------------------------
# Building answers


def offers13(hello):
    return ft.TLS13 in (hello.supported_versions or [])


def first_offered(hello, prefs, version):
    for s in prefs:
        if s in hello.suites and (version >= ft.TLS12 or s not in ft.TLS12_ONLY):
            return s
    return None


def server_hello(version, suite, exts=b"", random=None, session_id=b""):
    body = (ft.u16(version) + (random or os.urandom(32)) + ft.vec8(session_id) + ft.u16(suite) + ft.u8(0)
            + (ft.vec16(exts) if exts else b""))
    return ft.handshake(ft.HS_SERVER_HELLO, body)


def ext(etype, data):
    return ft.u16(etype) + ft.vec16(data)


def flight12(version, suite, certs, extra=b""):
    """ServerHello, Certificate, [extra messages], ServerHelloDone in one
    record per message."""
    msgs = [server_hello(version, suite), ft.certificate_msg(certs)]
    if extra:
        msgs.append(extra)
    msgs.append(ft.handshake(ft.HS_SERVER_HELLO_DONE, b""))
    return b"".join(ft.record(ft.CT_HANDSHAKE, version, m) for m in msgs)


def answer12(hello, certs, suite=None, version=None):
    """A TLS 1.2-style flight with these certificates, or handshake_failure."""
    v = min(hello.legacy_version, ft.TLS12)
    s = suite or first_offered(hello, RSA_SUITES, v)
    if s is None:
        return ft.alert(v, ft.ALERT_HANDSHAKE_FAILURE)
    return flight12(version or v, s, certs)


def unoffered_group(hello):
    for g in UNOFFERED_GROUPS:
        if g not in hello.groups and g not in hello.share_groups:
            return g
    return None


def answer_group(hello, cert):
    g = unoffered_group(hello)
    if offers13(hello):
        s = first_offered(hello, TLS13_SUITES, ft.TLS13)
        if s is None or g is None:
            return ft.alert(ft.TLS12, ft.ALERT_HANDSHAKE_FAILURE)
        exts = ext(ft.EXT_SUPPORTED_VERSIONS, ft.u16(ft.TLS13)) + ext(ft.EXT_KEY_SHARE, ft.u16(g) + ft.vec16(os.urandom(32)))
        sh = server_hello(ft.TLS12, s, exts, session_id=hello.session_id)
        return ft.record(ft.CT_HANDSHAKE, ft.TLS12, sh) + CCS_RECORD
    v = min(hello.legacy_version, ft.TLS12)
    s = first_offered(hello, ECDHE_RSA_SUITES, v)
    if not hello.groups or s is None or g is None:
        return ft.alert(v, ft.ALERT_HANDSHAKE_FAILURE)
    # RFC 8422 section 5.4: named_curve, the curve, an uncompressed point;
    # then the signature (RFC 5246 section 7.4.3), random bytes here.
    params = ft.u8(3) + ft.u16(g) + ft.vec8(b"\x04" + os.urandom(64))
    sig = (ft.u16(0x0401) if v >= ft.TLS12 else b"") + ft.vec16(os.urandom(256))
    return flight12(v, s, [cert], ft.handshake(HS_SERVER_KEY_EXCHANGE, params + sig))


def answer_version(hello, cert):
    if offers13(hello):
        s = first_offered(hello, TLS13_SUITES, ft.TLS13) or UNOFFERED_SUITE
        exts = ext(ft.EXT_SUPPORTED_VERSIONS, ft.u16(0x0305))
        return ft.record(ft.CT_HANDSHAKE, ft.TLS12, server_hello(ft.TLS12, s, exts, session_id=hello.session_id))
    above = hello.legacy_version + 1
    return answer12(hello, [cert], version=above)


def hrr(hello, group):
    s = first_offered(hello, TLS13_SUITES, ft.TLS13)
    exts = ext(ft.EXT_SUPPORTED_VERSIONS, ft.u16(ft.TLS13)) + ext(ft.EXT_KEY_SHARE, ft.u16(group))
    return ft.record(ft.CT_HANDSHAKE, ft.TLS12,
                     server_hello(ft.TLS12, s, exts, random=HRR_RANDOM, session_id=hello.session_id)) + CCS_RECORD


def hrr_group(hello):
    """A group the hello lists but sent no share for (RFC 8446 section
    4.1.4), so that this HelloRetryRequest is a valid one: only the next is
    the fault."""
    for g in hello.groups:
        if g not in hello.share_groups and not ft.is_grease(g):
            return g
    return None


def answer_hrr(hello):
    if not offers13(hello) or first_offered(hello, TLS13_SUITES, ft.TLS13) is None:
        return ft.alert(min(hello.legacy_version, ft.TLS12), ft.ALERT_PROTOCOL_VERSION), "close"
    g = hrr_group(hello)
    if g is None:
        return ft.alert(ft.TLS12, ft.ALERT_HANDSHAKE_FAILURE), "close"
    return hrr(hello, g), "hrr-loop"


def cert_fault(mode, cert):
    if mode == "cert-random":
        junk = bytearray(os.urandom(1200))
        junk[0] = 0x5A  # never a SEQUENCE by chance
        junk[1] = 0x10  # a short length, so the tag is what gives it away, whatever the random bytes
        return [bytes(junk)]
    if mode == "cert-truncated":
        return [cert[:len(cert) // 2]]
    if mode == "cert-huge-length":
        return [b"\x30\x84\x7f\xff\xff\xff" + cert[4:]]
    return [TINY_CERT] * TINY_COUNT


def answer(mode, hello, cert):
    """(bytes, then): then is 'wait', 'close', 'drip' (send the bytes one at
    a time) or 'hrr-loop' (answer every further ClientHello with another
    HelloRetryRequest)."""
    if mode == "drip":
        data = ft.server_flight(ft.TLS12, 0x002F, False, [cert], False) if hello.sslv2 else answer12(hello, [cert])
        return data, "drip"
    if hello.sslv2:
        return b"", "close"
    if mode.startswith("cert-"):
        return answer12(hello, cert_fault(mode, cert)), "wait"
    if mode == "version":
        return answer_version(hello, cert), "wait"
    if mode == "suite":
        return answer12(hello, [cert], suite=UNOFFERED_SUITE), "wait"
    if mode == "group":
        return answer_group(hello, cert), "wait"
    if mode == "hrr-loop":
        return answer_hrr(hello)
    if mode == "close-after-hello":
        v = min(hello.legacy_version, ft.TLS12)
        s = first_offered(hello, RSA_SUITES, v)
        if s is None:
            return ft.alert(v, ft.ALERT_HANDSHAKE_FAILURE), "close"
        return ft.record(ft.CT_HANDSHAKE, v, server_hello(v, s)), "close"
    if mode == "huge-record":
        return b"\x16\x03\x03\xff\xff" + bytes(64), "wait"
    if mode == "empty-records":
        return b"\x16\x03\x03\x00\x00" * 1000, "wait"
    if mode == "alert-level":
        return ft.record(ft.CT_ALERT, ft.TLS12, b"\x07\x28"), "close"
    raise ValueError(mode)


# --------------------------------------------------------------------------
# Serving


def next_hello(recv_exact):
    """The next ClientHello on a connection, skipping the change_cipher_spec
    a TLS 1.3 client sends after a HelloRetryRequest (RFC 8446 appendix
    D.4)."""
    while True:
        head = recv_exact(5)
        if head[0] != CT_CCS:
            break
        recv_exact(struct.unpack("!H", head[3:5])[0])
    pending = [head]

    def replay(n):
        if pending:
            b = pending.pop()
            if len(b) > n:
                pending.append(b[n:])
                b = b[:n]
            return b if len(b) == n else b + recv_exact(n - len(b))
        return recv_exact(n)

    return ft.read_client_hello(replay)


def drip(conn, data, interval):
    for i in range(len(data)):
        conn.sendall(data[i:i + 1])
        time.sleep(interval)


def hrr_loop(conn, recv_exact, rounds=8):
    for _ in range(rounds):
        hello = next_hello(recv_exact)
        if hello is None or hello.sslv2:
            return
        g = hrr_group(hello) or (hello.share_groups[0] if hello.share_groups else 0x0017)
        conn.sendall(hrr(hello, g))


def serve_conn(conn, args, cert):
    conn.settimeout(args.idle)
    try:
        recv_exact = ft.recv_exact_fn(conn)
        try:
            hello = ft.read_client_hello(recv_exact)
        except ft.ParseError:
            ft.fin_close(conn)
            return
        if hello is None:
            ft.fin_close(conn)
            return
        data, then = answer(args.mode, hello, cert)
        if then == "drip":
            drip(conn, data, args.drip)
        elif data:
            conn.sendall(data)
        if then == "hrr-loop":
            hrr_loop(conn, recv_exact)
        if then == "close":
            ft.fin_close(conn)
        else:
            ft.drain(conn)
            conn.close()
    except (EOFError, OSError, ft.ParseError):
        try:
            conn.close()
        except OSError:
            pass


def serve(args):
    cert = ft.load_cert(None)
    ft.listen_and_serve(args, lambda conn: serve_conn(conn, args, cert))


# --------------------------------------------------------------------------
# Selftest: every mode's answer to a TLS 1.2 and a TLS 1.3 hello, parsed back


def selftest():
    cert = ft.load_cert(None)
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    def hello_of(data):
        return ft.parse_client_hello_bytes(data)

    h12 = hello_of(ft.build_client_hello(ft.TLS12, [0xC02F, 0x009C, 0x002F]))
    h12.groups = [0x001D, 0x0017]
    h13 = hello_of(ft.build_client_hello(ft.TLS12, [0x1301, 0xC02F, 0x002F], versions=[ft.TLS13, ft.TLS12]))
    h13.groups = [0x001D, 0x0017, 0x0018]
    h13.share_groups = [0x001D]

    def items(data):
        # fake_tls's reader knows no change_cipher_spec: the one a TLS 1.3
        # answer ends with goes first
        if data.endswith(CCS_RECORD):
            data = data[:-len(CCS_RECORD)]
        out, _ = ft.parse_server_flight(data)
        return out

    def hs_types(data):
        return [i[1] for i in items(data) if i[0] == "hs"]

    for mode in MODES:
        for name, h in (("tls12", h12), ("tls13", h13)):
            data, then = answer(mode, h, cert)
            what = "%s/%s" % (mode, name)
            check(len(data) > 0 or then == "close", what + ": answers")
            if mode in ("huge-record", "empty-records"):
                check(data[:3] == b"\x16\x03\x03", what + ": a handshake record header")
                continue
            if mode == "alert-level":
                check(data == b"\x15\x03\x03\x00\x02\x07\x28", what + ": alert of level 7")
                continue
            if mode == "hrr-loop":
                if name == "tls13":
                    sh = items(data)[0][2]
                    check(sh[2:34] == HRR_RANDOM and then == "hrr-loop", what + ": a HelloRetryRequest")
                    check(sh.endswith(ft.u16(0x0017)), what + ": for secp256r1, listed without a share")
                else:
                    check(items(data)[0][0] == "alert", what + ": protocol_version")
                continue
            first = items(data)[0]
            check(first[0] == "hs" and first[1] == ft.HS_SERVER_HELLO, what + ": a ServerHello first")
            version, _, suite, _, exts = ft.parse_server_hello(first[2])
            if mode == "suite":
                check(suite == UNOFFERED_SUITE, what + ": suite 0xC0FF")
            if mode == "version":
                chosen = struct.unpack("!H", exts[ft.EXT_SUPPORTED_VERSIONS])[0] if ft.EXT_SUPPORTED_VERSIONS in exts else version
                check(chosen > h.max_version, what + ": version 0x%04x above the offer" % chosen)
            if mode == "group" and name == "tls13":
                g = struct.unpack("!H", exts[ft.EXT_KEY_SHARE][:2])[0]
                check(g not in h.groups and g not in h.share_groups, what + ": group 0x%04x unoffered" % g)
            if mode == "group" and name == "tls12":
                check(HS_SERVER_KEY_EXCHANGE in hs_types(data), what + ": a ServerKeyExchange")
            if mode == "close-after-hello":
                check(hs_types(data) == [ft.HS_SERVER_HELLO] and then == "close", what + ": ServerHello, then FIN")
            if mode.startswith("cert-") or mode == "drip":
                check(hs_types(data) == [ft.HS_SERVER_HELLO, ft.HS_CERTIFICATE, ft.HS_SERVER_HELLO_DONE],
                      what + ": ServerHello, Certificate, ServerHelloDone")
            if mode == "cert-tiny":
                certs = ft.parse_certificate([i for i in items(data) if i[0] == "hs"][1][2])
                check(len(certs) == TINY_COUNT and certs[0] == TINY_CERT, what + ": 10,000 tiny certificates")
            if mode == "cert-huge-length":
                certs = ft.parse_certificate([i for i in items(data) if i[0] == "hs"][1][2])
                check(certs[0][:6] == b"\x30\x84\x7f\xff\xff\xff", what + ": a DER length of 2^31-1")
    for f in failures:
        print("FAIL " + f)
    print("selftest: %s (%d failures)" % ("ok" if not failures else "FAILED", len(failures)))
    return 0 if not failures else 1


def main():
    ap = argparse.ArgumentParser(description="Hostile and broken TLS servers (test fixture).")
    ap.add_argument("--port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--mode", choices=MODES)
    ap.add_argument("--drip", type=float, default=1.5, help="seconds between bytes in drip mode")
    ap.add_argument("--idle", type=float, default=30.0, help="per-connection socket timeout (s)")
    ap.add_argument("--list", action="store_true", help="print the modes, one a line")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    if args.list:
        print("\n".join(MODES))
        return 0
    if args.selftest:
        return selftest()
    if args.port is None or args.mode is None:
        ap.error("--port and --mode are required")
    serve(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
