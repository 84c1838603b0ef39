#!/usr/bin/env python3
"""A TCP relay that cuts a TLS server's plaintext handshake into 1-byte records.

    frag_relay.py --port P --upstream U [--host 127.0.0.1]

Listens on HOST:P and connects each client to HOST:U.  Client bytes pass
through unchanged.  From the server, every handshake record (content type
22) before the server's ChangeCipherSpec is re-framed as records of one
payload byte each, with the same record version; RFC 5246 section 6.2.1
allows a handshake message to be fragmented across any number of records.
From the ChangeCipherSpec on (the records after it are encrypted), and for
every other content type, the bytes pass through as they came.

Prints "ready" on stdout once listening, and on stderr, per connection, how
many 1-byte handshake records it sent.
"""
import argparse
import socket
import sys
import threading

CT_CCS = 20
CT_HANDSHAKE = 22
HEADER = 5


def reframe(header, payload):
    """One handshake record as records of 1-byte payload."""
    version = header[1:3]
    return b"".join(bytes([CT_HANDSHAKE]) + version + b"\x00\x01" + payload[i:i + 1]
                    for i in range(len(payload)))


def pump_client(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def pump_server(src, dst, conn_id):
    """Server to client: re-frames the plaintext handshake records."""
    buf = b""
    plaintext = True
    records = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if not plaintext:
                dst.sendall(data)
                continue
            buf += data
            out = []
            while plaintext and len(buf) >= HEADER:
                length = int.from_bytes(buf[3:5], "big")
                if len(buf) < HEADER + length:
                    break
                header, payload = buf[:HEADER], buf[HEADER:HEADER + length]
                buf = buf[HEADER + length:]
                if header[0] == CT_HANDSHAKE and length > 0:
                    out.append(reframe(header, payload))
                    records += length
                else:
                    out.append(header + payload)
                    plaintext = header[0] != CT_CCS
            if not plaintext:
                out.append(buf)
                buf = b""
            # one write per read, the way a stack that fragments would send
            dst.sendall(b"".join(out))
    except OSError:
        pass
    finally:
        sys.stderr.write("conn %d: %d one-byte handshake records\n" % (conn_id, records))
        sys.stderr.flush()
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve_conn(client, args, conn_id):
    try:
        upstream = socket.create_connection((args.host, args.upstream), timeout=10)
        upstream.settimeout(None)
    except OSError as e:
        sys.stderr.write("conn %d: upstream: %s\n" % (conn_id, e))
        client.close()
        return
    t = threading.Thread(target=pump_client, args=(client, upstream), daemon=True)
    t.start()
    pump_server(upstream, client, conn_id)
    t.join(timeout=30)
    client.close()
    upstream.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, args.port))
    ls.listen(64)
    print("ready", flush=True)
    conn_id = 0
    while True:
        client, _ = ls.accept()
        conn_id += 1
        threading.Thread(target=serve_conn, args=(client, args, conn_id), daemon=True).start()


if __name__ == "__main__":
    main()
