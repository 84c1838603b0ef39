#!/usr/bin/env python3
"""A scripted, misbehaving TLS server for tlsdiag's integration tests.

    fake_tls.py --port P --mode MODE [--host 127.0.0.1] [--cert FILE]
                [--records one|separate] [--idle SEC]
    fake_tls.py --selftest

Listens on HOST:P, prints "ready" once listening, serves any number of
connections (one thread each, every socket with a timeout) and exits on
SIGTERM or SIGINT.  It parses just enough of a ClientHello (record and
handshake headers, legacy_version, cipher suites, extensions: SNI,
supported_versions, renegotiation_info; and SSLv2-format hellos) to answer the
way a broken or old server would.  It never completes a handshake: after its
first flight it only waits for the client to go away.

Modes
  reset       read the hello, then close with SO_LINGER(1,0): a TCP RST
  close       read the hello, then close normally (FIN)
  silent      read the hello, never answer
  alert80     answer every hello with a fatal internal_error(80) alert
  sslv3       an SSLv3-only server: any TLS-format hello is answered at
              min(legacy_version, SSLv3) (an SSLv3 server knows nothing of
              supported_versions) choosing, in the server's order, the first
              offered of 0x000A, 0x0005, 0x002F; ServerHello + Certificate +
              ServerHelloDone.  SSLv2-format hellos are closed without answer.
  sslv2       a TLS 1.2 server that also speaks SSLv2: an SSLv2 CLIENT-HELLO
              (version 0x0002) gets an SSLv2 SERVER-HELLO listing the offered
              specs among 0x0700C0, 0x010080, 0x030080; TLS hellos get a TLS
              1.2 (or lower) ServerHello choosing 0x009C, 0x002F or 0x0035.
  intolerant  a TLS 1.0-1.2 server that RESETS the connection when the hello
              offers a version above TLS 1.2: legacy_version > 0x0303, or any
              supported_versions entry > 0x0303 (GREASE values included, as
              they are above 0x0303 too).  Other hellos are answered normally
              (suites 0x009C, 0x002F, 0x0035; renegotiation_info when asked).
  noreneg     a TLS 1.0-1.2 server whose ServerHello never carries
              renegotiation_info, even when the client sent the SCSV or the
              extension (suites 0x009C, 0x002F, 0x0035).
  tls10only   a TLS 1.0-only server: every hello offering TLS 1.0 or newer is
              answered with a TLS 1.0 ServerHello (suites 0x002F, 0x0035,
              0x000A; renegotiation_info when asked).
  http        answers anything with an HTTP/1.1 400 and closes
  ssh         sends an OpenSSH banner on connect, then waits
  smtp        sends an ESMTP 220 banner; answers any bytes with a 500
  imap, pop3, ftp  send their greeting on connect; answer bytes with an error
  greet220    sends a bare "220 welcome" greeting, which fits SMTP and FTP
              alike; answers any bytes with a 500

The TLS modes choose only RSA key exchange suites, so no ServerKeyExchange
(and no private key) is ever needed.  Hellos whose max version is below the
server's min get a protocol_version(70) alert; no common suite gets
handshake_failure(40).  The ServerHello carries renegotiation_info only when
the client offered it (extension or SCSV 0x00FF), as RFC 5746 requires, and
no other extension.

Records: `--records one` coalesces the whole flight in one record (default
for sslv2 and intolerant), `--records separate` puts each handshake message in
its own record (default for sslv3, noreneg, tls10only, alert80).  Records
longer than 2^14 are split either way.

--cert takes a DER or PEM certificate; without it a built-in self-signed RSA
certificate (CN fake-tls.test) is sent.  Standard library only.
"""

import argparse
import base64
import os
import signal
import socket
import struct
import sys
import threading

# --------------------------------------------------------------------------
# Constants

SSL2 = 0x0002
SSL3 = 0x0300
TLS10 = 0x0301
TLS11 = 0x0302
TLS12 = 0x0303
TLS13 = 0x0304

CT_ALERT = 21
CT_HANDSHAKE = 22

HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_HELLO_DONE = 14

EXT_SNI = 0x0000
EXT_SUPPORTED_GROUPS = 0x000A
EXT_SUPPORTED_VERSIONS = 0x002B
EXT_KEY_SHARE = 0x0033
EXT_RENEG_INFO = 0xFF01
SCSV_RENEG = 0x00FF

ALERT_HANDSHAKE_FAILURE = 40
ALERT_PROTOCOL_VERSION = 70
ALERT_INTERNAL_ERROR = 80

MAX_RECORD = 16384
MAX_HELLO = 1 << 17  # refuse to buffer more than this for one ClientHello

# A TLS-speaking server profile: (min version, max version, suite preference,
# sends renegotiation_info when asked, coalesce the flight in one record).
PROFILES = {
    "sslv3":      (SSL3, SSL3, (0x000A, 0x0005, 0x002F), True, False),
    "sslv2":      (TLS10, TLS12, (0x009C, 0x002F, 0x0035), True, True),
    "intolerant": (TLS10, TLS12, (0x009C, 0x002F, 0x0035), True, True),
    "noreneg":    (TLS10, TLS12, (0x009C, 0x002F, 0x0035), False, False),
    "tls10only":  (TLS10, TLS10, (0x002F, 0x0035, 0x000A), True, False),
}
SSL2_SPECS = (0x0700C0, 0x010080, 0x030080)
# Suites defined for TLS 1.2 only (RFC 5288): never chosen below TLS 1.2.
TLS12_ONLY = (0x009C, 0x009D)

BANNERS = {
    "ssh":  (b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", None),
    "smtp": (b"220 mail.example.test ESMTP Postfix\r\n", b"500 5.5.2 Error: bad syntax\r\n"),
    "imap": (b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", b"* BAD Error in IMAP command received by server.\r\n"),
    "pop3": (b"+OK POP3 ready\r\n", b"-ERR Unknown command.\r\n"),
    "ftp":  (b"220 (vsFTPd 3.0.3)\r\n", b"500 Unknown command.\r\n"),
    "greet220": (b"220 welcome\r\n", b"500 Unknown command.\r\n"),
}
HTTP_400 = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

MODES = ("reset", "close", "silent", "alert80", "http") + tuple(PROFILES) + tuple(BANNERS)

DEFAULT_CERT_B64 = (
    "MIIDPjCCAiagAwIBAgIUc5OCv59W40PGVKtnD7TNkMxLUckwDQYJKoZIhvcNAQELBQAwGDEWMBQG"
    "A1UEAwwNZmFrZS10bHMudGVzdDAgFw0yNjExMjMxMDQwMzdaGA8yMTI2MTAzMDEwNDAzN1owGDEW"
    "MBQGA1UEAwwNZmFrZS10bHMudGVzdDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKpr"
    "uFxJWBLRmOxvipzBYOkXAwqR7GuI7sx3xqtvOCD9Iuf1o4pP8zL856FNMYSSkUiyO+YgqwUI0sqr"
    "TM48CBR/YFB1iDvc5iddTmQPhxLrCRSVoHoZjqNYffKjM1XvJNHH3m6PrHklRVZFYlanLweSuA/E"
    "Zq3wfMeakN5Uonp+89irF0X/g8WOmqtsqZRO/PP/KFgxFQY3wPM43FGCAiDhGEK+pGAD51c76Z3Y"
    "IZza9r9R6iQMeXYJ68R+Ulj6IAcqkD2ebzGPSmgVtf/yYrh5reMLeM7k+w8ctS9hwshnBeGVn1M3"
    "KmVu6xB5ZJMp9npCkYvbezC2PTF0bRAWRtkCAwEAAaN+MHwwHQYDVR0OBBYEFKcOAHi++d7U6v7r"
    "/vx73tS0xxuaMB8GA1UdIwQYMBaAFKcOAHi++d7U6v7r/vx73tS0xxuaMA8GA1UdEwEB/wQFMAMB"
    "Af8wKQYDVR0RBCIwIIINZmFrZS10bHMudGVzdIIJbG9jYWxob3N0hwR/AAABMA0GCSqGSIb3DQEB"
    "CwUAA4IBAQAhT0XWVxOO9ZcFll0Ms1iB3UJQKySZAL8X/DZYFCRUBcLHRhdy5JzxBlNJh+ptN+j1"
    "SuI/nBMaUJu5wZ9o+w2X3G9RXX9luKdFqBwgYeLvVEEvcMHzZyuDB1kB5VY1Lhb+OvI3J0hIs4ls"
    "gBVemDkZ8FM4CGgZLVNk+8ph8fro13jXA40DeloL1PCq7hw/CbSRf3GRWNkWtDFKCMTpvGEvkmXu"
    "tC4uJE35ou8+HEA/5GUkiZg9SIV4NBCBPS7vcwjYCRmxci/jjKExky1+CBpeYJid6xI0kZ9QqRsn"
    "cJbZFUD/z/4Ub5pQ12KN5BoT9a8FRRzxHKCcP6/jPCrA7UbH"
)

# --------------------------------------------------------------------------
# Encoding helpers


def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u24(v):
    return struct.pack("!I", v)[1:]


def vec8(b):
    return u8(len(b)) + b


def vec16(b):
    return u16(len(b)) + b


def vec24(b):
    return u24(len(b)) + b


def is_grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)


class ParseError(Exception):
    pass


class Reader:
    """Bounds-checked cursor over bytes."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def left(self):
        return len(self.data) - self.pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ParseError("truncated: need %d bytes at offset %d of %d" % (n, self.pos, len(self.data)))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("!H", self.take(2))[0]

    def u24(self):
        return struct.unpack("!I", b"\0" + self.take(3))[0]

    def vec8(self):
        return self.take(self.u8())

    def vec16(self):
        return self.take(self.u16())

    def vec24(self):
        return self.take(self.u24())


# --------------------------------------------------------------------------
# ClientHello parsing


class Hello:
    """What the server needs to know about a ClientHello."""

    def __init__(self):
        self.sslv2 = False          # SSLv2-format record
        self.record_version = 0
        self.legacy_version = 0
        self.suites = []            # u16 suites (SSLv2: 3-byte specs with a zero first byte)
        self.v2_specs = []          # SSLv2 3-byte cipher specs
        self.extensions = []        # [(type, data)]
        self.supported_versions = None
        self.session_id = b""
        self.groups = []            # supported_groups
        self.share_groups = []      # groups of the key_share entries
        self.sni = None
        self.reneg_ext = False
        self.length = 0             # bytes of the handshake message (or SSLv2 message)

    @property
    def max_version(self):
        """The newest version offered, GREASE ignored."""
        if self.sslv2:
            return self.legacy_version
        vs = [v for v in (self.supported_versions or []) if not is_grease(v)]
        return max(vs + [self.legacy_version]) if vs else self.legacy_version

    @property
    def wants_reneg_info(self):
        return self.reneg_ext or SCSV_RENEG in self.suites


def parse_client_hello_body(body, hello):
    """Parses the body of a ClientHello handshake message into hello."""
    r = Reader(body)
    hello.legacy_version = r.u16()
    r.take(32)
    hello.session_id = r.vec8()
    suites = r.vec16()
    if len(suites) % 2:
        raise ParseError("odd cipher suite list length")
    hello.suites = [struct.unpack("!H", suites[i:i + 2])[0] for i in range(0, len(suites), 2)]
    r.vec8()  # compression methods
    if r.left() == 0:
        return hello
    exts = Reader(r.vec16())
    while exts.left():
        etype = exts.u16()
        edata = exts.vec16()
        hello.extensions.append((etype, edata))
        if etype == EXT_SUPPORTED_VERSIONS:
            vr = Reader(edata)
            lst = vr.vec8()
            hello.supported_versions = [struct.unpack("!H", lst[i:i + 2])[0] for i in range(0, len(lst) - 1, 2)]
        elif etype == EXT_SNI:
            sr = Reader(Reader(edata).vec16())
            while sr.left():
                ntype = sr.u8()
                name = sr.vec16()
                if ntype == 0 and hello.sni is None:
                    hello.sni = name.decode("ascii", "replace")
        elif etype == EXT_RENEG_INFO:
            hello.reneg_ext = True
        elif etype == EXT_SUPPORTED_GROUPS:
            lst = Reader(edata).vec16()
            hello.groups = [struct.unpack("!H", lst[i:i + 2])[0] for i in range(0, len(lst) - 1, 2)]
        elif etype == EXT_KEY_SHARE:
            kr = Reader(Reader(edata).vec16())
            while kr.left():
                hello.share_groups.append(kr.u16())
                kr.vec16()
    return hello


def parse_sslv2_hello(msg, hello):
    """Parses an SSLv2 CLIENT-HELLO message (without its 2-byte header)."""
    r = Reader(msg)
    if r.u8() != 1:
        raise ParseError("SSLv2 message is not CLIENT-HELLO")
    hello.sslv2 = True
    hello.legacy_version = r.u16()
    spec_len, sid_len, chal_len = r.u16(), r.u16(), r.u16()
    specs = r.take(spec_len)
    r.take(sid_len)
    r.take(chal_len)
    if spec_len % 3:
        raise ParseError("SSLv2 cipher spec list not a multiple of 3")
    for i in range(0, spec_len, 3):
        spec = (specs[i] << 16) | (specs[i + 1] << 8) | specs[i + 2]
        hello.v2_specs.append(spec)
        if specs[i] == 0:
            hello.suites.append(spec & 0xFFFF)
    hello.length = len(msg)
    return hello


def looks_sslv2(first3):
    """An SSLv2 record with a 2-byte header carrying a CLIENT-HELLO."""
    return len(first3) >= 3 and (first3[0] & 0x80) and first3[2] == 1


def read_client_hello(recv_exact):
    """Reads one ClientHello through recv_exact(n) -> bytes (raises EOFError
    or socket.timeout).  Returns a Hello, or None when the bytes are not a
    TLS/SSL hello at all."""
    head = recv_exact(3)
    if looks_sslv2(head):
        length = ((head[0] & 0x7F) << 8) | head[1]
        rest = recv_exact(length - 1) if length > 1 else b""
        return parse_sslv2_hello(head[2:] + rest, Hello())
    if head[0] != CT_HANDSHAKE or head[1] not in (2, 3):
        return None
    hello = Hello()
    hello.record_version = (head[1] << 8) | head[2]
    hs = b""
    need = None
    first = True
    while need is None or len(hs) < need:
        if not first:
            rh = recv_exact(5)
            if rh[0] != CT_HANDSHAKE:
                raise ParseError("record type %d inside the ClientHello" % rh[0])
            length = struct.unpack("!H", rh[3:5])[0]
        else:
            length = struct.unpack("!H", recv_exact(2))[0]
            first = False
        if length == 0 or length > MAX_RECORD + 2048:
            raise ParseError("bad record length %d" % length)
        hs += recv_exact(length)
        if need is None and len(hs) >= 4:
            if hs[0] != HS_CLIENT_HELLO:
                raise ParseError("handshake type %d, not ClientHello" % hs[0])
            need = 4 + struct.unpack("!I", b"\0" + hs[1:4])[0]
            if need > MAX_HELLO:
                raise ParseError("ClientHello too long")
    hello.length = need
    return parse_client_hello_body(hs[4:need], hello)


def parse_client_hello_bytes(data):
    """read_client_hello over a byte string (for the selftest)."""
    r = Reader(data)

    def recv_exact(n):
        if r.left() < n:
            raise EOFError
        return r.take(n)

    return read_client_hello(recv_exact)


# --------------------------------------------------------------------------
# Building the server's answers


def record(ctype, version, payload):
    """One or more records carrying payload (split at 2^14)."""
    out = b""
    for i in range(0, max(len(payload), 1), MAX_RECORD):
        chunk = payload[i:i + MAX_RECORD]
        out += u8(ctype) + u16(version) + vec16(chunk)
    return out


def handshake(htype, body):
    return u8(htype) + vec24(body)


def alert(version, desc, level=2):
    return record(CT_ALERT, version, u8(level) + u8(desc))


def server_hello(version, suite, reneg_info):
    exts = b""
    if reneg_info:
        exts += u16(EXT_RENEG_INFO) + vec16(vec8(b""))
    body = u16(version) + os.urandom(32) + vec8(b"") + u16(suite) + u8(0)
    if exts:
        body += vec16(exts)
    return handshake(HS_SERVER_HELLO, body)


def certificate_msg(certs):
    return handshake(HS_CERTIFICATE, vec24(b"".join(vec24(c) for c in certs)))


def server_flight(version, suite, reneg_info, certs, coalesce):
    msgs = [server_hello(version, suite, reneg_info), certificate_msg(certs),
            handshake(HS_SERVER_HELLO_DONE, b"")]
    if coalesce:
        return record(CT_HANDSHAKE, version, b"".join(msgs))
    return b"".join(record(CT_HANDSHAKE, version, m) for m in msgs)


def sslv2_server_hello(cert, specs):
    conn_id = os.urandom(16)
    body = (u8(4) + u8(0) + u8(1) + u16(SSL2) + u16(len(cert)) + u16(3 * len(specs))
            + u16(len(conn_id)) + cert + b"".join(struct.pack("!I", s)[1:] for s in specs) + conn_id)
    return u16(0x8000 | len(body)) + body


def sslv2_error(code=0x0001):
    body = u8(0) + u16(code)  # ERROR, NO-CIPHER-ERROR by default
    return u16(0x8000 | len(body)) + body


def tls_answer(profile, hello, certs, coalesce):
    """The flight a server of this profile sends for a TLS-format hello."""
    vmin, vmax, prefs, reneg, _ = profile
    client_max = hello.legacy_version  # these servers predate supported_versions
    if client_max < vmin:
        return alert(vmin, ALERT_PROTOCOL_VERSION)
    version = min(client_max, vmax)
    for s in prefs:
        if s in hello.suites and (version >= TLS12 or s not in TLS12_ONLY):
            return server_flight(version, s, reneg and hello.wants_reneg_info, certs, coalesce)
    return alert(version, ALERT_HANDSHAKE_FAILURE)


def answer(mode, hello, certs, coalesce=None):
    """Decides what to do with a parsed hello: returns (bytes, then) where
    then is 'wait' (read until the client leaves), 'close' or 'reset'."""
    if mode == "reset":
        return b"", "reset"
    if mode == "close":
        return b"", "close"
    if mode == "silent":
        return b"", "wait"
    if mode == "alert80":
        version = TLS10 if hello.sslv2 else min(max(hello.legacy_version, SSL3), TLS12)
        return alert(version, ALERT_INTERNAL_ERROR), "close"
    profile = PROFILES[mode]
    if coalesce is None:
        coalesce = profile[4]
    if hello.sslv2 and (mode == "sslv3" or hello.legacy_version < SSL3):
        if mode != "sslv2":
            return b"", "close"
        specs = [s for s in hello.v2_specs if s in SSL2_SPECS]
        if not specs:
            return sslv2_error(), "close"
        return sslv2_server_hello(certs[0], specs), "wait"
    if mode == "intolerant":
        offered = [hello.legacy_version] + list(hello.supported_versions or [])
        if max(offered) > TLS12:
            return b"", "reset"
    return tls_answer(profile, hello, certs, coalesce), "wait"


# --------------------------------------------------------------------------
# Serving


def load_cert(path):
    if path is None:
        return base64.b64decode(DEFAULT_CERT_B64)
    with open(path, "rb") as f:
        data = f.read()
    if b"-----BEGIN CERTIFICATE-----" in data:
        b64 = data.split(b"-----BEGIN CERTIFICATE-----", 1)[1].split(b"-----END CERTIFICATE-----", 1)[0]
        return base64.b64decode(b"".join(b64.split()))
    return data


def drain(conn, limit=1 << 20):
    """Reads until EOF, timeout or limit bytes."""
    got = 0
    try:
        while got < limit:
            b = conn.recv(65536)
            if not b:
                return
            got += len(b)
    except OSError:
        return


def recv_exact_fn(conn):
    """recv_exact(n) for read_client_hello over a socket: exactly n bytes,
    EOFError when the peer closes first."""
    def recv_exact(n):
        buf = b""
        while len(buf) < n:
            b = conn.recv(n - len(buf))
            if not b:
                raise EOFError
            buf += b
        return buf
    return recv_exact


def rst_close(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def fin_close(conn):
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(2)
        drain(conn)
    except OSError:
        pass
    conn.close()


def serve_conn(conn, args, certs):
    conn.settimeout(args.idle)
    try:
        mode = args.mode
        if mode in BANNERS:
            greeting, reply = BANNERS[mode]
            conn.sendall(greeting)
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                if reply:
                    conn.sendall(reply)
            conn.close()
            return
        if mode == "http":
            b = conn.recv(65536)
            if b:
                conn.sendall(HTTP_400)
            fin_close(conn)
            return

        try:
            hello = read_client_hello(recv_exact_fn(conn))
        except ParseError as e:
            log(args, "unparsable hello: %s" % e)
            fin_close(conn)
            return
        if hello is None:
            fin_close(conn)
            return
        log(args, "hello: %s max=0x%04x suites=%d sni=%s" % (
            "SSLv2" if hello.sslv2 else "TLS", hello.max_version, len(hello.suites), hello.sni))
        data, then = answer(mode, hello, certs, args.coalesce)
        if data:
            conn.sendall(data)
        if then == "reset":
            rst_close(conn)
        elif then == "close":
            fin_close(conn)
        else:
            drain(conn)
            conn.close()
    except (EOFError, OSError):
        try:
            conn.close()
        except OSError:
            pass


def log(args, msg):
    if args.verbose:
        sys.stderr.write("fake_tls[%s]: %s\n" % (args.mode, msg))
        sys.stderr.flush()


def serve(args):
    certs = [load_cert(args.cert)]
    listen_and_serve(args, lambda conn: serve_conn(conn, args, certs))


def listen_and_serve(args, handle):
    """Listens on args.host:args.port, prints "ready", and runs handle(conn)
    in a thread of its own for every connection until SIGTERM or SIGINT."""
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, args.port))
    ls.listen(64)

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    try:
        while True:
            conn, _ = ls.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
    finally:
        ls.close()


# --------------------------------------------------------------------------
# Selftest: build hellos, answer them, parse the answers back.


def build_client_hello(legacy_version, suites, versions=None, sni=None, reneg_ext=False,
                       record_version=TLS10, split_at=None):
    exts = b""
    if sni is not None:
        name = sni.encode()
        exts += u16(EXT_SNI) + vec16(vec16(u8(0) + vec16(name)))
    if versions is not None:
        exts += u16(EXT_SUPPORTED_VERSIONS) + vec16(vec8(b"".join(u16(v) for v in versions)))
    if reneg_ext:
        exts += u16(EXT_RENEG_INFO) + vec16(vec8(b""))
    body = (u16(legacy_version) + os.urandom(32) + vec8(b"") + vec16(b"".join(u16(s) for s in suites))
            + vec8(b"\0"))
    if exts:
        body += vec16(exts)
    hs = handshake(HS_CLIENT_HELLO, body)
    if split_at is None:
        return record(CT_HANDSHAKE, record_version, hs)
    return record(CT_HANDSHAKE, record_version, hs[:split_at]) + record(CT_HANDSHAKE, record_version, hs[split_at:])


def build_sslv2_hello(version, specs):
    challenge = os.urandom(16)
    body = (u8(1) + u16(version) + u16(3 * len(specs)) + u16(0) + u16(len(challenge))
            + b"".join(struct.pack("!I", s)[1:] for s in specs) + challenge)
    return u16(0x8000 | len(body)) + body


def parse_server_flight(data):
    """Parses a server's answer into a list of ('hs', type, body, record_version),
    ('alert', level, desc, record_version) or ('sslv2', msg) items, and the
    number of records."""
    out = []
    r = Reader(data)
    nrec = 0
    hsbuf = b""
    hsver = None
    while r.left():
        if r.data[r.pos] & 0x80:
            length = r.u16() & 0x7FFF
            out.append(("sslv2", r.take(length)))
            nrec += 1
            continue
        ctype, ver, payload = r.u8(), r.u16(), r.vec16()
        nrec += 1
        if ctype == CT_ALERT:
            if len(payload) != 2:
                raise ParseError("alert record of %d bytes" % len(payload))
            out.append(("alert", payload[0], payload[1], ver))
        elif ctype == CT_HANDSHAKE:
            hsbuf += payload
            hsver = ver
            while len(hsbuf) >= 4:
                mlen = struct.unpack("!I", b"\0" + hsbuf[1:4])[0]
                if len(hsbuf) < 4 + mlen:
                    break
                out.append(("hs", hsbuf[0], hsbuf[4:4 + mlen], hsver))
                hsbuf = hsbuf[4 + mlen:]
        else:
            raise ParseError("unexpected record type %d" % ctype)
    if hsbuf:
        raise ParseError("%d bytes of an unfinished handshake message" % len(hsbuf))
    return out, nrec


def parse_server_hello(body):
    r = Reader(body)
    version = r.u16()
    r.take(32)
    sid = r.vec8()
    suite = r.u16()
    comp = r.u8()
    exts = {}
    if r.left():
        er = Reader(r.vec16())
        while er.left():
            t = er.u16()
            exts[t] = er.vec16()
    if r.left():
        raise ParseError("trailing bytes in ServerHello")
    return version, sid, suite, comp, exts


def parse_certificate(body):
    r = Reader(body)
    lr = Reader(r.vec24())
    if r.left():
        raise ParseError("trailing bytes in Certificate")
    certs = []
    while lr.left():
        certs.append(lr.vec24())
    return certs


def selftest():
    cert = load_cert(None)
    certs = [cert]
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    modern = [0x1301, 0x1302, 0x1303, 0xC02F, 0xC030, 0x009C, 0x002F, 0x0035, 0x000A, SCSV_RENEG]
    hellos = {
        "tls13": build_client_hello(TLS12, modern, versions=[0x0A0A, TLS13, TLS12], sni="a.test"),
        "tls13only": build_client_hello(TLS12, [0x1301, 0x1302], versions=[TLS13]),
        "tls12": build_client_hello(TLS12, [0xC02F, 0x009C, 0x002F], sni="b.test", reneg_ext=True),
        "tls12split": build_client_hello(TLS12, [0x002F, 0x000A], split_at=20),
        "tls12noreneg": build_client_hello(TLS12, [0x002F]),
        "tls10": build_client_hello(TLS10, [0x002F, 0x000A, SCSV_RENEG]),
        "tls10gcm": build_client_hello(TLS10, [0x009C, 0x0035]),
        "ssl3": build_client_hello(SSL3, [0x000A, 0x0005], record_version=SSL3),
        "ssl3_rc4": build_client_hello(SSL3, [0x0005, 0x0004], record_version=SSL3),
        "future": build_client_hello(TLS12, [0x002F], versions=[0x0305, TLS12]),
        "ecdhe_only": build_client_hello(TLS12, [0xC02F, 0xC030]),
        "sslv2": build_sslv2_hello(SSL2, [0x010080, 0x030080, 0x060040, 0x0700C0]),
        "sslv2_none": build_sslv2_hello(SSL2, [0x060040]),
        "sslv2compat": build_sslv2_hello(TLS10, [0x00002F, 0x00000A, 0x010080]),
    }
    parsed = {k: parse_client_hello_bytes(v) for k, v in hellos.items()}

    # the parser
    h = parsed["tls13"]
    check(h.sni == "a.test" and h.supported_versions == [0x0A0A, TLS13, TLS12] and h.max_version == TLS13,
          "tls13 hello: sni/supported_versions/max")
    check(h.wants_reneg_info and not h.reneg_ext, "tls13 hello: SCSV seen")
    check(parsed["tls12"].reneg_ext and parsed["tls12"].max_version == TLS12, "tls12 hello: reneg ext")
    check(parsed["tls12split"].suites == [0x002F, 0x000A], "hello split over two records")
    check(parsed["sslv2"].sslv2 and parsed["sslv2"].v2_specs[0] == 0x010080, "sslv2 hello specs")
    check(parsed["sslv2compat"].suites == [0x002F, 0x000A], "sslv2 compat hello suites")
    check(parse_client_hello_bytes(b"GET / HTTP/1.1\r\n\r\n") is None, "http request is not a hello")
    try:
        parse_client_hello_bytes(build_client_hello(TLS12, [0x002F])[:-3])
        failures.append("truncated hello not detected")
    except EOFError:
        pass

    def flight(mode, key):
        data, then = answer(mode, parsed[key], certs)
        items, nrec = parse_server_flight(data) if data else ([], 0)
        return items, nrec, then

    def expect_hello(mode, key, version, suite, reneg, records):
        items, nrec, then = flight(mode, key)
        what = "%s/%s" % (mode, key)
        types = [i[1] for i in items if i[0] == "hs"]
        check(types == [HS_SERVER_HELLO, HS_CERTIFICATE, HS_SERVER_HELLO_DONE], what + ": message types %r" % types)
        check(nrec == records, what + ": %d records, expected %d" % (nrec, records))
        check(then == "wait", what + ": then " + then)
        if len(items) != 3:
            return
        v, sid, s, comp, exts = parse_server_hello(items[0][2])
        check(v == version and items[0][3] == version, what + ": version 0x%04x" % v)
        check(s == suite, what + ": suite 0x%04x, expected 0x%04x" % (s, suite))
        check(comp == 0 and sid == b"", what + ": compression/session id")
        check((EXT_RENEG_INFO in exts) == reneg, what + ": renegotiation_info %s" % (EXT_RENEG_INFO in exts))
        if reneg and EXT_RENEG_INFO in exts:
            check(exts[EXT_RENEG_INFO] == b"\0", what + ": renegotiation_info not empty")
        check(parse_certificate(items[1][2]) == certs, what + ": certificate")
        check(items[2][2] == b"", what + ": ServerHelloDone not empty")

    def expect_alert(mode, key, desc):
        items, _, then = flight(mode, key)
        check(len(items) == 1 and items[0][0] == "alert" and items[0][1:3] == (2, desc),
              "%s/%s: expected fatal alert %d, got %r" % (mode, key, desc, items))

    def expect_nothing(mode, key, then_expected):
        data, then = answer(mode, parsed[key], certs)
        check(data == b"" and then == then_expected, "%s/%s: expected %s, got %r %s" % (mode, key, then_expected, data[:8], then))

    for key in hellos:
        expect_alert("alert80", key, ALERT_INTERNAL_ERROR)
        expect_nothing("reset", key, "reset")
        expect_nothing("close", key, "close")
        expect_nothing("silent", key, "wait")

    # sslv3: everything answered at SSLv3, separate records
    expect_hello("sslv3", "tls13", SSL3, 0x000A, True, 3)
    expect_hello("sslv3", "tls12", SSL3, 0x002F, True, 3)
    expect_hello("sslv3", "ssl3", SSL3, 0x000A, False, 3)
    expect_hello("sslv3", "ssl3_rc4", SSL3, 0x0005, False, 3)
    expect_alert("sslv3", "tls13only", ALERT_HANDSHAKE_FAILURE)
    expect_nothing("sslv3", "sslv2", "close")
    # sslv2: SSLv2 SERVER-HELLO with the intersection, TLS 1.2 otherwise, coalesced
    items, nrec, then = flight("sslv2", "sslv2")
    check(len(items) == 1 and items[0][0] == "sslv2", "sslv2/sslv2: one SSLv2 message")
    if items and items[0][0] == "sslv2":
        m = Reader(items[0][1])
        check(m.u8() == 4 and m.u8() == 0 and m.u8() == 1 and m.u16() == SSL2, "sslv2 SERVER-HELLO header")
        cl, sl, il = m.u16(), m.u16(), m.u16()
        check(m.take(cl) == cert, "sslv2 SERVER-HELLO certificate")
        specs = m.take(sl)
        check([int.from_bytes(specs[i:i + 3], "big") for i in range(0, sl, 3)] == [0x010080, 0x030080, 0x0700C0],
              "sslv2 SERVER-HELLO specs")
        check(il == 16 and len(m.take(il)) == 16 and m.left() == 0, "sslv2 SERVER-HELLO connection id")
    items, _, _ = flight("sslv2", "sslv2_none")
    check(len(items) == 1 and items[0][0] == "sslv2" and items[0][1][0] == 0, "sslv2/sslv2_none: ERROR message")
    expect_hello("sslv2", "tls13", TLS12, 0x009C, True, 1)
    expect_hello("sslv2", "tls10", TLS10, 0x002F, True, 1)
    expect_hello("sslv2", "tls10gcm", TLS10, 0x0035, False, 1)
    expect_hello("sslv2", "sslv2compat", TLS10, 0x002F, False, 1)
    expect_alert("sslv2", "ecdhe_only", ALERT_HANDSHAKE_FAILURE)
    expect_alert("sslv2", "ssl3", ALERT_PROTOCOL_VERSION)
    # intolerant
    expect_nothing("intolerant", "tls13", "reset")
    expect_nothing("intolerant", "tls13only", "reset")
    expect_nothing("intolerant", "future", "reset")
    expect_hello("intolerant", "tls12", TLS12, 0x009C, True, 1)
    expect_hello("intolerant", "tls12noreneg", TLS12, 0x002F, False, 1)
    expect_hello("intolerant", "tls10", TLS10, 0x002F, True, 1)
    # noreneg
    expect_hello("noreneg", "tls13", TLS12, 0x009C, False, 3)
    expect_hello("noreneg", "tls12", TLS12, 0x009C, False, 3)
    expect_hello("noreneg", "tls10", TLS10, 0x002F, False, 3)
    expect_alert("noreneg", "ssl3", ALERT_PROTOCOL_VERSION)
    # tls10only
    expect_hello("tls10only", "tls13", TLS10, 0x002F, True, 3)
    expect_hello("tls10only", "tls12", TLS10, 0x002F, True, 3)
    expect_hello("tls10only", "tls12split", TLS10, 0x002F, False, 3)
    expect_alert("tls10only", "ssl3", ALERT_PROTOCOL_VERSION)
    expect_alert("tls10only", "ecdhe_only", ALERT_HANDSHAKE_FAILURE)

    # big certificate: the flight must be split into records of at most 2^14
    big = [b"\x30" + os.urandom(40000)]
    data, _ = answer("noreneg", parsed["tls12"], big)
    items, nrec = parse_server_flight(data)
    check(nrec >= 5 and parse_certificate(items[1][2]) == big, "large certificate split across records")
    r = Reader(data)
    while r.left():
        r.take(3)
        check(len(r.vec16()) <= MAX_RECORD, "record longer than 2^14")

    failures += selftest_sockets(hellos)
    for f in failures:
        print("FAIL " + f)
    print("selftest: %s (%d failures)" % ("ok" if not failures else "FAILED", len(failures)))
    return 0 if not failures else 1


def selftest_sockets(hellos):
    """Runs a few modes over real loopback sockets."""
    failures = []
    for mode, key, expect in (("reset", "tls12", "reset"), ("close", "tls12", "eof"),
                              ("noreneg", "tls12", "data"), ("http", "tls12", "HTTP/1.1 400"),
                              ("smtp", None, "220 "), ("intolerant", "tls13", "reset"),
                              ("silent", "tls12", "timeout")):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.bind(("127.0.0.1", 0))
        ls.listen(4)
        args = argparse.Namespace(mode=mode, idle=5.0, coalesce=None, verbose=False)
        port = ls.getsockname()[1]
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn, _ = ls.accept()
        t = threading.Thread(target=serve_conn, args=(conn, args, [load_cert(None)]), daemon=True)
        t.start()
        c.settimeout(1.0 if expect == "timeout" else 5.0)
        got = "?"
        try:
            if key:
                c.sendall(hellos[key])
            b = c.recv(65536)
            got = "eof" if not b else ("data" if b[0] == CT_HANDSHAKE else b.decode("latin-1"))
        except ConnectionResetError:
            got = "reset"
        except socket.timeout:
            got = "timeout"
        c.close()
        ls.close()
        t.join(6)
        if not got.startswith(expect):
            failures.append("socket %s/%s: expected %s, got %r" % (mode, key, expect, got[:40]))
    return failures


def main():
    ap = argparse.ArgumentParser(description="A scripted, misbehaving TLS server (test fixture).")
    ap.add_argument("--port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--mode", choices=MODES)
    ap.add_argument("--cert", help="certificate to send (DER or PEM)")
    ap.add_argument("--records", choices=("one", "separate"),
                    help="coalesce the flight in one record, or one record per message")
    ap.add_argument("--idle", type=float, default=30.0, help="per-connection socket timeout (s)")
    ap.add_argument("--verbose", action="store_true", help="log each hello to stderr")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    if args.selftest:
        return selftest()
    if args.port is None or args.mode is None:
        ap.error("--port and --mode are required")
    args.coalesce = None if args.records is None else args.records == "one"
    serve(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
