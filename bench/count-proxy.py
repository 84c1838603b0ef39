#!/usr/bin/env python3
"""A loopback TCP forwarder that counts the connections it accepts.

usage: count-proxy.py LISTEN_PORT TARGET_PORT COUNT_FILE

Listens on 127.0.0.1:LISTEN_PORT and forwards every accepted connection, with
no added delay, to 127.0.0.1:TARGET_PORT. The running total of accepted
connections is written to COUNT_FILE (atomically, by rename) once listening
(as 0, which also tells the caller that the proxy is ready), after each accept,
and again on SIGUSR1. The total only grows: a caller measures one run as the
difference between the totals read before and after it.

Half-closes are passed on (EOF becomes a write_eof on the other side) and a
reset or error on one side aborts the other, so the scanners behind it see the
target's behaviour as closely as a userspace relay allows.
"""
import asyncio
import os
import signal
import sys


def usage():
    sys.stderr.write("usage: count-proxy.py LISTEN_PORT TARGET_PORT COUNT_FILE\n")
    sys.exit(2)


if len(sys.argv) != 4:
    usage()
try:
    LISTEN, TARGET = int(sys.argv[1]), int(sys.argv[2])
except ValueError:
    usage()
COUNT_FILE = sys.argv[3]
HOST = "127.0.0.1"
count = 0
live = set()  # handler tasks of open connections, cancelled on shutdown


def write_count():
    tmp = COUNT_FILE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % count)
    os.replace(tmp, COUNT_FILE)


async def pump(reader, writer, peer):
    """Copy reader -> writer until EOF; on error, abort both directions."""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        writer.transport.abort()
        peer.transport.abort()


async def handle(cr, cw):
    global count
    count += 1
    write_count()
    live.add(asyncio.current_task())
    try:
        await forward(cr, cw)
    except asyncio.CancelledError:  # shutdown: end quietly, the process exits next
        cw.transport.abort()
    finally:
        live.discard(asyncio.current_task())


async def forward(cr, cw):
    try:
        ur, uw = await asyncio.open_connection(HOST, TARGET)
    except OSError:
        cw.transport.abort()
        return
    await asyncio.gather(pump(cr, uw, cw), pump(ur, cw, uw), return_exceptions=True)
    for w in (cw, uw):
        w.close()


async def main():
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, write_count)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    srv = await asyncio.start_server(handle, HOST, LISTEN, backlog=1024)
    write_count()
    await stop.wait()
    srv.close()
    for task in list(live):
        task.cancel()
    await asyncio.gather(*live, return_exceptions=True)
    write_count()


asyncio.run(main())
