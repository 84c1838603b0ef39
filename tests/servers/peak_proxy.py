#!/usr/bin/env python3
"""A loopback TCP forwarder on several ports that records how many
connections were open at once, over all of its ports together.

usage: peak_proxy.py UPSTREAM_PORT PEAK_FILE LISTEN_PORT...

Listens on 127.0.0.1:LISTEN_PORT for each port given and forwards every
connection to 127.0.0.1:UPSTREAM_PORT.  Writes "TOTAL PEAK" to PEAK_FILE
(by rename) after every accept and close: connections accepted so far and
the most that were open at the same time.  Prints "ready" once listening.
Standard library only.
"""
import asyncio
import os
import signal
import sys

state = {"open": 0, "peak": 0, "total": 0}


def record(path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (state["total"], state["peak"]))
    os.replace(tmp, path)


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.transport.abort()


async def main():
    upstream, path, ports = int(sys.argv[1]), sys.argv[2], [int(p) for p in sys.argv[3:]]

    async def handle(reader, writer):
        state["open"] += 1
        state["total"] += 1
        state["peak"] = max(state["peak"], state["open"])
        record(path)
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", upstream)
            await asyncio.gather(pipe(reader, uw), pipe(ur, writer))
            uw.close()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            state["open"] -= 1
            record(path)

    for p in ports:
        await asyncio.start_server(handle, "127.0.0.1", p, backlog=512)
    record(path)
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    asyncio.run(main())
