#!/usr/bin/env python3
"""A TCP proxy in front of a real server that limits or stalls connections.

    rate_proxy.py --port P --upstream U --mode MODE [--limit N] [--window S]
                  [--every K] [--host 127.0.0.1]

Listens on HOST:P and relays each accepted connection to HOST:U, except:

  --mode limit   at most N connections (default 10) are relayed in any
                 window of S seconds (default 10); every connection beyond
                 that is accepted and closed at once with SO_LINGER 0, so
                 the client gets a TCP RST.  Connections that were reset do
                 not count against the limit (a token bucket's refusals do
                 not take tokens).
  --mode stall   every K-th connection (default 3) is accepted and then
                 neither relayed nor answered: the proxy reads and discards
                 what the client sends until the client closes.
  --mode pass    every connection is relayed.

Prints "ready" on stdout once listening, then one line per connection:

    conn SEQ T relay|reset|stall

where SEQ counts connections from 1 and T is the monotonic time of the
accept in seconds with microseconds, so a test can count how many
connections started in any interval.
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time
from collections import deque

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frag_relay import pump_client as pump  # noqa: E402  (bytes across as they come)

LOCK = threading.Lock()


def log(line):
    with LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def relay(client, host, upstream):
    try:
        server = socket.create_connection((host, upstream), timeout=10)
        server.settimeout(None)
    except OSError:
        client.close()
        return
    a = threading.Thread(target=pump, args=(client, server), daemon=True)
    b = threading.Thread(target=pump, args=(server, client), daemon=True)
    a.start()
    b.start()
    a.join()
    b.join()
    client.close()
    server.close()


def reset(client):
    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def stall(client):
    """Accepted, never answered: what a wedged backend looks like."""
    try:
        while client.recv(65536):
            pass
    except OSError:
        pass
    client.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--mode", choices=["limit", "stall", "pass"], required=True)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--window", type=float, default=10.0)
    ap.add_argument("--every", type=int, default=3)
    args = ap.parse_args()

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, args.port))
    ls.listen(256)
    print("ready", flush=True)

    relayed = deque()  # accept times of the connections relayed, last window
    seq = 0
    while True:
        client, _ = ls.accept()
        now = time.monotonic()
        seq += 1
        if args.mode == "limit":
            while relayed and relayed[0] <= now - args.window:
                relayed.popleft()
            if len(relayed) >= args.limit:
                log("conn %d %.6f reset" % (seq, now))
                reset(client)
                continue
            relayed.append(now)
        elif args.mode == "stall" and seq % args.every == 0:
            log("conn %d %.6f stall" % (seq, now))
            threading.Thread(target=stall, args=(client,), daemon=True).start()
            continue
        log("conn %d %.6f relay" % (seq, now))
        threading.Thread(target=relay, args=(client, args.host, args.upstream), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
