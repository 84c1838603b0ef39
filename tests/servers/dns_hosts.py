#!/usr/bin/env python3
"""A tiny authoritative DNS server for tests: a hosts table over UDP.

usage: dns_hosts.py PORT NAME=IP[,IP...] [NAME=IP[,IP...]...]

Answers A queries for each NAME with every IPv4 address listed, in the
order given (so a name can resolve to several addresses, as behind DNS
round robin); other query types for a known name get an empty NOERROR
answer, unknown names NXDOMAIN.  Names match case-insensitively, a
trailing dot ignored.

Listens on UDP 127.0.0.1:PORT and prints "ready" once bound ("ready PORT"
when PORT is 0 and the kernel chose it).  Stops on SIGTERM or SIGINT.
Standard library only.
"""

import ipaddress
import select
import signal
import socket
import struct
import sys

TYPE_A = 1
CLASS_IN = 1


def parse_question(msg):
    """(labels as a lower-case dotted name, qtype, offset past the question),
    or None when the message is not a query we can answer."""
    if len(msg) < 12:
        return None
    flags, qdcount = struct.unpack("!HH", msg[2:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    labels = []
    pos = 12
    while True:
        if pos >= len(msg):
            return None
        length = msg[pos]
        pos += 1
        if length == 0:
            break
        if length > 63 or pos + length > len(msg):
            return None
        labels.append(msg[pos:pos + length].decode("ascii", "replace").lower())
        pos += length
    if pos + 4 > len(msg):
        return None
    qtype = struct.unpack("!H", msg[pos:pos + 2])[0]
    return ".".join(labels), qtype, pos + 4


def build_reply(msg, table):
    parsed = parse_question(msg)
    if parsed is None:
        return None
    name, qtype, end = parsed
    qid, flags = struct.unpack("!HH", msg[:4])
    addrs = table.get(name)
    rcode = 3 if addrs is None else 0
    answers = []
    if addrs and qtype == TYPE_A:
        for a in addrs:
            # owner name: a compression pointer to the question at offset 12
            answers.append(struct.pack("!HHHIH", 0xC00C, TYPE_A, CLASS_IN, 30, 4) + a)
    # response, opcode and RD copied, authoritative, recursion available
    rflags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    header = struct.pack("!HHHHHH", qid, rflags, 1, len(answers), 0, 0)
    return header + msg[12:end] + b"".join(answers)


def parse_table(args):
    table = {}
    for arg in args:
        name, sep, ips = arg.partition("=")
        if not sep or not name or not ips:
            raise ValueError("expected NAME=IP[,IP...], got %r" % arg)
        packed = [ipaddress.IPv4Address(ip).packed for ip in ips.split(",")]
        table[name.lower().rstrip(".")] = packed
    return table


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: dns_hosts.py PORT NAME=IP[,IP...]...\n")
        return 2
    try:
        port = int(argv[1], 10)
        if not 0 <= port <= 65535:
            raise ValueError("port out of range")
        table = parse_table(argv[2:])
    except ValueError as e:
        sys.stderr.write("dns_hosts: %s\n" % e)
        return 2

    stopping = []
    signal.signal(signal.SIGTERM, lambda s, f: stopping.append(s))
    signal.signal(signal.SIGINT, lambda s, f: stopping.append(s))

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    print("ready" if port else "ready %d" % sock.getsockname()[1], flush=True)
    while not stopping:
        try:
            ready, _, _ = select.select([sock], [], [], 0.2)
        except InterruptedError:
            continue
        if not ready:
            continue
        try:
            msg, peer = sock.recvfrom(4096)
        except OSError:
            continue
        reply = build_reply(msg, table)
        if reply is not None:
            try:
                sock.sendto(reply, peer)
            except OSError:
                pass
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
