#!/usr/bin/env python3
"""A stand-in DNS server on 127.0.0.1 for tests that must not reach real DNS.

usage: dns_stub.py PORT MODE

MODE is one of
  nxdomain   answer every query with NXDOMAIN (rcode 3)
  silent     read queries and never answer (the client times out)
  a=IP       answer A queries with IP; AAAA and other types get no records
  refused    answer every query with REFUSED (rcode 5)
  servfail   answer every query with SERVFAIL (rcode 2)

Listens on UDP 127.0.0.1:PORT.  Prints "ready" on stdout once bound (with
PORT 0 the line is "ready <port>", naming the port the kernel chose).
Exits cleanly on SIGTERM or SIGINT.  Standard library only.
"""

import ipaddress
import select
import signal
import socket
import struct
import sys

QTYPE_A = 1
RCODE = {"nxdomain": 3, "refused": 5, "servfail": 2}


def question_end(msg):
    """Offset just past the first question, or None when it is malformed."""
    i = 12
    while True:
        if i >= len(msg):
            return None
        n = msg[i]
        i += 1
        if n == 0:
            break
        # Queries carry no compression pointers; anything else is garbage.
        if n > 63 or i + n > len(msg):
            return None
        i += n
    if i + 4 > len(msg):
        return None
    return i + 4


def answer(query, mode, ip):
    if len(query) < 12:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None  # a response, or nothing we can echo back sensibly
    end = question_end(query)
    if end is None:
        return None
    question = query[12:end]
    qtype = struct.unpack("!H", question[-4:-2])[0]

    rcode = RCODE.get(mode, 0)
    records = b""
    if ip is not None and qtype == QTYPE_A:
        # Name as a pointer to the question (offset 12), class IN, TTL 60.
        records = struct.pack("!HHHIH", 0xC00C, QTYPE_A, 1, 60, 4) + ip
    # QR, the query's opcode and RD, AA; RA.
    rflags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    header = struct.pack("!HHHHHH", qid, rflags, 1, 1 if records else 0, 0, 0)
    return header + question + records


def die_with_parent():
    """Ask Linux to SIGTERM us when the parent exits.

    Launchers such as version-manager shims put a wrapper process between
    the test and this interpreter; signalling the wrapper's pid would
    otherwise leave the stub running with its port bound.
    """
    try:
        import ctypes
        import os

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        parent = os.getppid()
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent was already gone
            os.kill(os.getpid(), signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: dns_stub.py PORT nxdomain|silent|a=IP|refused|servfail\n")
        return 2
    try:
        port = int(argv[1], 10)
        if not 0 <= port <= 65535:
            raise ValueError
    except ValueError:
        sys.stderr.write("dns_stub: bad port %r\n" % argv[1])
        return 2

    mode = argv[2]
    ip = None
    if mode.startswith("a="):
        try:
            ip = ipaddress.IPv4Address(mode[2:]).packed
        except ValueError:
            sys.stderr.write("dns_stub: bad IPv4 address %r\n" % mode[2:])
            return 2
        mode = "a"
    elif mode not in ("nxdomain", "silent", "refused", "servfail"):
        sys.stderr.write("dns_stub: unknown mode %r\n" % mode)
        return 2

    stop = []

    def on_signal(signum, frame):
        stop.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    die_with_parent()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    if port == 0:
        print("ready %d" % sock.getsockname()[1], flush=True)
    else:
        print("ready", flush=True)

    try:
        while not stop:
            # A short wait so a signal is noticed promptly even when idle.
            try:
                readable, _, _ = select.select([sock], [], [], 0.2)
            except InterruptedError:
                continue
            if not readable:
                continue
            try:
                query, peer = sock.recvfrom(4096)
            except OSError:
                continue
            if mode == "silent":
                continue
            reply = answer(query, mode, ip)
            if reply is not None:
                try:
                    sock.sendto(reply, peer)
                except OSError:
                    pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
