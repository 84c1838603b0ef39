#!/usr/bin/env python3
"""A scripted STARTTLS server for tlsdiag's integration tests.

    starttls_server.py --port P --proto PROTO --cert PEM --key KEY [--mode MODE]

Listens on 127.0.0.1:P, prints "ready" once listening, serves any number of
connections (one thread each) and exits on SIGTERM or SIGINT.  Each
connection speaks PROTO's exchange up to its go-ahead, then a TLS handshake
with Python's ssl module (CERT holds the leaf and its chain), and then
closes.  For the protocols no server in the test packages speaks without a
heavy setup (LMTP, NNTP, ManageSieve, IRC, XMPP server to server), for
faults no real server shows on demand, and in place of a real server that
cannot run where the tests do (the test says why).

PROTO: smtp, lmtp, imap, pop3, ftp, nntp, sieve, irc, xmpp, xmpp-server,
ldap, postgres, mysql.

MODE:
  ok        the exchange as the protocol has it (default)
  inject    the go-ahead followed at once, in the same write, by more bytes
            (as a server answering commands injected before the upgrade
            would, CVE-2011-0411)
  refuse    no upgrade, the way servers without TLS say it: SMTP leaves
            STARTTLS out of its EHLO answer, IMAP its capabilities, XMPP its
            features, MySQL the CLIENT_SSL flag; the others refuse the
            command (LMTP 454, FTP 530, LDAP unavailable, PostgreSQL N, ...)
  bare      SMTP and LMTP as in "ok" behind a bare "220 ready" greeting,
            which fits SMTP and FTP alike (no upgrade is picked from it)
  alpn      the upgrade as in "ok", then a hello whose ALPN list lacks
            "postgresql" is answered with the alert no_application_protocol,
            as PostgreSQL 17 does (a hello without ALPN is served)
"""
import argparse
import signal
import socket
import ssl
import struct
import sys
import threading


def read_line(conn, buf):
    while b"\n" not in buf[0]:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError
        buf[0] += chunk
    line, buf[0] = buf[0].split(b"\n", 1)
    return line.rstrip(b"\r")


def read_until(conn, buf, marker):
    while marker not in buf[0]:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError
        buf[0] += chunk
    buf[0] = buf[0].split(marker, 1)[1]


def read_exact(conn, buf, n):
    # Never more than asked: a MySQL client sends its ClientHello right after
    # the SSLRequest, and those bytes belong to the TLS handshake.
    while len(buf[0]) < n:
        chunk = conn.recv(n - len(buf[0]))
        if not chunk:
            raise EOFError
        buf[0] += chunk
    data, buf[0] = buf[0][:n], buf[0][n:]
    return data


# Each script speaks up to the go-ahead and returns (go-ahead, what "inject"
# adds), or None when it refused the upgrade (it has said so already).

def mail(hello, capable_line):
    def script(conn, buf, mode):
        conn.sendall(b"220 ready\r\n" if mode == "bare" else b"220 mail.test ESMTP scripted\r\n")
        if not read_line(conn, buf).upper().startswith(hello):
            return None
        refuse = mode == "refuse"
        if hello == b"EHLO" and refuse:
            conn.sendall(b"250-mail.test\r\n250 PIPELINING\r\n")
            return None
        conn.sendall(b"250-mail.test\r\n250-PIPELINING\r\n" + capable_line)
        read_line(conn, buf)  # STARTTLS
        if refuse:
            conn.sendall(b"454 4.7.0 TLS not available due to local problem\r\n")
            return None
        return b"220 2.0.0 Ready to start TLS\r\n", b"250 injected\r\n"
    return script


def imap(conn, buf, mode):
    caps = b"IMAP4rev1" if mode == "refuse" else b"IMAP4rev1 STARTTLS"
    conn.sendall(b"* OK [CAPABILITY " + caps + b"] scripted ready\r\n")
    tag = read_line(conn, buf).split(b" ", 1)[0]
    if mode == "refuse":
        conn.sendall(tag + b" BAD TLS support isn't enabled.\r\n")
        return None
    return tag + b" OK Begin TLS negotiation now.\r\n", b"* OK injected\r\n"


# A greeting, then one command answered: the go-ahead, the refusal, and the
# bytes "inject" adds.
GREET_THEN_COMMAND = {
    "pop3": (b"+OK scripted ready\r\n", b"+OK Begin TLS negotiation now.\r\n",
             b"-ERR TLS support isn't enabled.\r\n", b"+OK injected\r\n"),
    "ftp": (b"220 scripted FTP ready\r\n", b"234 Proceed with negotiation.\r\n",
            b"530 Please login with USER and PASS.\r\n", b"230 injected\r\n"),
    "nntp": (b"200 news.test ready\r\n", b"382 Continue with TLS negotiation\r\n",
             b"580 Can not initiate TLS negotiation\r\n", b"211 injected\r\n"),
    "sieve": (b'"IMPLEMENTATION" "scripted"\r\n"SIEVE" "fileinto"\r\n"STARTTLS"\r\n"VERSION" "1.0"\r\nOK "ready"\r\n',
              b'OK "Begin TLS negotiation now."\r\n', b'NO "TLS unavailable"\r\n', b'OK "injected"\r\n'),
    "irc": (b":irc.test NOTICE * :*** Looking up your hostname...\r\n",
            b":irc.test 670 * :STARTTLS successful, go ahead with TLS handshake\r\n",
            b":irc.test 691 * :STARTTLS failed\r\n", b":irc.test NOTICE * :injected\r\n"),
}


def greet_then_command(proto):
    greeting, go, refusal, extra = GREET_THEN_COMMAND[proto]

    def script(conn, buf, mode):
        conn.sendall(greeting)
        read_line(conn, buf)
        if mode == "refuse":
            conn.sendall(refusal)
            return None
        return go, extra
    return script


NS_TLS = b"urn:ietf:params:xml:ns:xmpp-tls"


def xmpp(ns):
    def script(conn, buf, mode):
        read_until(conn, buf, b">")  # the XML declaration
        read_until(conn, buf, b">")  # the stream header
        conn.sendall(b"<?xml version='1.0'?><stream:stream xmlns='" + ns +
                     b"' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='dir.test' version='1.0'>")
        if mode == "refuse" and ns == b"jabber:client":
            conn.sendall(b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                         b"<mechanism>PLAIN</mechanism></mechanisms></stream:features>")
            return None
        conn.sendall(b"<stream:features><starttls xmlns='" + NS_TLS + b"'><required/></starttls></stream:features>")
        read_until(conn, buf, b"/>")  # <starttls .../>
        if mode == "refuse":
            conn.sendall(b"<failure xmlns='" + NS_TLS + b"'/>")
            return None
        return b"<proceed xmlns='" + NS_TLS + b"'/>", b"<message>injected</message>"
    return script


def ldap(conn, buf, mode):
    # RFC 4511 section 4.12: an ExtendedResponse to the StartTLS request.
    head = read_exact(conn, buf, 2)
    read_exact(conn, buf, head[1])
    oid = b"1.3.6.1.4.1.1466.20037"
    code, diag = (52, b"TLS not configured") if mode == "refuse" else (0, b"")
    body = b"\x0a\x01" + bytes([code]) + b"\x04\x00\x04" + bytes([len(diag)]) + diag + b"\x8a" + bytes([len(oid)]) + oid
    op = b"\x78" + bytes([len(body)]) + body
    msg = b"\x02\x01\x01" + op
    answer = b"\x30" + bytes([len(msg)]) + msg
    if mode == "refuse":
        conn.sendall(answer)
        return None
    return answer, b"\x30\x03\x02\x01\x02"


def postgres(conn, buf, mode):
    if struct.unpack("!II", read_exact(conn, buf, 8)) != (8, 80877103):
        return None
    if mode == "refuse":
        conn.sendall(b"N")
        return None
    return b"S", b"E"


def mysql(conn, buf, mode):
    # Protocol::HandshakeV10, CLIENT_SSL (0x0800) among the capability flags or not.
    caps = 0xf7fe if mode == "refuse" else 0xfffe
    payload = (b"\x0a" + b"10.11.6-scripted\x00" + struct.pack("<I", 1) + b"abcdefgh\x00" + struct.pack("<H", caps) +
               b"\x21" + struct.pack("<H", 2) + struct.pack("<H", 0x81bf) + b"\x15" + b"\x00" * 10 +
               b"ijklmnopqrst\x00" + b"mysql_native_password\x00")
    conn.sendall(struct.pack("<I", len(payload))[:3] + b"\x00" + payload)
    if mode == "refuse":
        read_exact(conn, buf, 1)  # until the client gives up
        return None
    head = read_exact(conn, buf, 4)
    read_exact(conn, buf, head[0] | head[1] << 8 | head[2] << 16)  # the SSLRequest
    # No answer in this protocol: "inject" sends bytes nobody asked for.
    return b"", b"\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00"


SCRIPTS = {
    "smtp": mail(b"EHLO", b"250 STARTTLS\r\n"),
    "lmtp": mail(b"LHLO", b"250 STARTTLS\r\n"),
    "imap": imap,
    "xmpp": xmpp(b"jabber:client"),
    "xmpp-server": xmpp(b"jabber:server"),
    "ldap": ldap,
    "postgres": postgres,
    "mysql": mysql,
}
SCRIPTS.update({p: greet_then_command(p) for p in GREET_THEN_COMMAND})


def offered_alpn(conn):
    """The ALPN names of the ClientHello waiting on conn (peeked, not read),
    or None when it has no ALPN extension or is not a TLS ClientHello."""
    # MSG_WAITALL: the peek waits for the whole record (or the timeout).
    head = conn.recv(5, socket.MSG_PEEK | socket.MSG_WAITALL)
    if len(head) < 5 or head[0] != 0x16:
        return None
    want = 5 + struct.unpack("!H", head[3:5])[0]
    rec = conn.recv(want, socket.MSG_PEEK | socket.MSG_WAITALL)
    body = rec[5 + 4:]  # record header, handshake header
    try:
        i = 2 + 32  # client_version, random
        i += 1 + body[i]  # session_id
        i += 2 + struct.unpack("!H", body[i:i + 2])[0]  # cipher_suites
        i += 1 + body[i]  # compression_methods
        end = i + 2 + struct.unpack("!H", body[i:i + 2])[0]
        i += 2
        while i + 4 <= end:
            typ, n = struct.unpack("!HH", body[i:i + 4])
            if typ == 16:  # application_layer_protocol_negotiation (RFC 7301)
                names, j, stop = [], i + 6, i + 4 + n
                while j < stop:
                    names.append(body[j + 1:j + 1 + body[j]])
                    j += 1 + body[j]
                return names
            i += 4 + n
    except (IndexError, struct.error):
        pass
    return None


def serve(conn, script, mode, ctx):
    buf = [b""]
    try:
        conn.settimeout(10)
        answers = script(conn, buf, mode)
        if answers is None:
            return
        go, extra = answers
        conn.sendall(go + extra if mode == "inject" else go)
        if mode == "alpn":
            names = offered_alpn(conn)
            if names is not None and b"postgresql" not in names:
                conn.sendall(b"\x15\x03\x03\x00\x02\x02\x78")  # fatal no_application_protocol
                return
        tls = ctx.wrap_socket(conn, server_side=True)
        try:
            tls.recv(1)
        except (ssl.SSLError, OSError):
            pass
        tls.close()
    except (EOFError, OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--proto", choices=sorted(SCRIPTS), required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--mode", choices=["ok", "inject", "refuse", "alpn", "bare"], default="ok")
    a = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(64)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    while True:
        conn, _ = ls.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(conn, SCRIPTS[a.proto], a.mode, ctx), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
