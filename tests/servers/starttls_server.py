#!/usr/bin/env python3
"""A scripted STARTTLS server for tlsdiag's integration tests.

    starttls_server.py --port P --proto PROTO --cert PEM --key KEY [--mode MODE]

Listens on 127.0.0.1:P, prints "ready" once listening, serves any number of
connections (one thread each) and exits on SIGTERM or SIGINT.  Each
connection speaks PROTO's plain-text exchange up to its go-ahead, then a TLS
handshake with Python's ssl module (CERT holds the leaf and its chain), and
then closes.  For the protocols no server in the test packages speaks
without a heavy setup (LMTP, NNTP, ManageSieve, IRC, XMPP server to server),
and for faults no real server shows on demand.

PROTO: lmtp, nntp, sieve, irc, xmpp-server.

MODE:
  ok        the exchange as the RFC has it (default)
  inject    the go-ahead followed at once, in the same write, by one more
            line (as a server answering commands injected before the
            upgrade would, CVE-2011-0411)
  refuse    the go-ahead replaced by the protocol's refusal
"""
import argparse
import signal
import socket
import ssl
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


# Each script speaks up to the client's upgrade command and returns the
# go-ahead, the refusal, and the line "inject" adds.
def lmtp(conn, buf):
    conn.sendall(b"220 lmtp.test LMTP ready\r\n")
    if not read_line(conn, buf).upper().startswith(b"LHLO"):
        return None
    conn.sendall(b"250-lmtp.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
    read_line(conn, buf)  # STARTTLS
    return b"220 2.0.0 Ready to start TLS\r\n", b"454 4.7.0 TLS not available due to local problem\r\n", b"250 injected\r\n"


# A greeting, then one command (STARTTLS) answered: the go-ahead, the
# refusal, and the line "inject" adds.
GREET_THEN_COMMAND = {
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

    def script(conn, buf):
        conn.sendall(greeting)
        read_line(conn, buf)
        return go, refusal, extra
    return script


def xmpp_server(conn, buf):
    read_until(conn, buf, b">")  # the XML declaration
    read_until(conn, buf, b">")  # the stream header
    conn.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
                 b"xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='dir.test' version='1.0'>"
                 b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                 b"</stream:features>")
    read_until(conn, buf, b"/>")  # <starttls .../>
    return (b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
            b"<message>injected</message>")


SCRIPTS = {"lmtp": lmtp, "xmpp-server": xmpp_server}
SCRIPTS.update({p: greet_then_command(p) for p in GREET_THEN_COMMAND})


def serve(conn, script, mode, ctx):
    buf = [b""]
    try:
        conn.settimeout(10)
        answers = script(conn, buf)
        if answers is None:
            return
        go, refusal, extra = answers
        if mode == "refuse":
            conn.sendall(refusal)
            return
        conn.sendall(go + extra if mode == "inject" else go)
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
    ap.add_argument("--mode", choices=["ok", "inject", "refuse"], default="ok")
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
