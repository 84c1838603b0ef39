#!/usr/bin/env python3
"""Rewrites captures for tlsdiag's pcap tests (libpcap format in, Ethernet
or Linux cooked v2 link, IPv4 or IPv6, TCP).

    pcaptool.py pcapng IN OUT       the same packets as a pcapng file
    pcaptool.py reorder IN OUT      the server's largest segment cut in
                                    three and sent 3, 1, a piece overlapping
                                    1 and 2, 2, then 1 again
    pcaptool.py multiply IN OUT N   the connections of IN, N times over,
                                    each copy with its own client address
    pcaptool.py count IN            prints the number of packets

Checksums are left as they were: tlsdiag, like tcpdump, does not check
them.
"""
import struct
import sys

ETHERNET, SLL2 = 1, 276


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("pcaptool: %s is not a little-endian pcap file" % path)
    header = data[:24]
    snaplen, link = struct.unpack("<II", data[16:24])
    pkts, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        pkts.append([sec, frac, orig, bytearray(data[off + 16:off + 16 + incl])])
        off += 16 + incl
    return header, link, snaplen, magic, pkts


def write_pcap(path, header, pkts):
    with open(path, "wb") as f:
        f.write(header)
        for sec, frac, orig, frame in pkts:
            f.write(struct.pack("<IIII", sec, frac, len(frame), max(orig, len(frame))))
            f.write(frame)


def ip_offset(link, frame):
    if link == ETHERNET:
        return 14
    if link == SLL2:
        return 20
    sys.exit("pcaptool: link type %d not handled" % link)


def tcp_view(link, frame):
    """(ip offset, ip version, tcp offset, payload offset, payload end)"""
    ip = ip_offset(link, frame)
    ver = frame[ip] >> 4
    if ver == 4:
        ihl = (frame[ip] & 15) * 4
        total = struct.unpack(">H", frame[ip + 2:ip + 4])[0]
        tcp, end = ip + ihl, ip + total
    else:
        plen = struct.unpack(">H", frame[ip + 4:ip + 6])[0]
        tcp, end = ip + 40, ip + 40 + plen
    doff = (frame[tcp + 12] >> 4) * 4
    return ip, ver, tcp, tcp + doff, end


def set_ip_len(frame, ip, ver, payload_end):
    if ver == 4:
        frame[ip + 2:ip + 4] = struct.pack(">H", payload_end - ip)
    else:
        frame[ip + 4:ip + 6] = struct.pack(">H", payload_end - ip - 40)


def cmd_pcapng(inp, out):
    header, link, snaplen, magic, pkts = read_pcap(inp)
    ns = magic == 0xA1B23C4D

    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    with open(out, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        # if_tsresol: 10^-9 or 10^-6
        opts = struct.pack("<HHB3x", 9, 1, 9 if ns else 6) + struct.pack("<HH", 0, 0)
        f.write(block(1, struct.pack("<HHI", link, 0, snaplen) + opts))
        for sec, frac, orig, frame in pkts:
            ts = sec * (10**9 if ns else 10**6) + frac
            f.write(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), orig) + bytes(frame)))


def client_ports(link, pkts):
    """The ports that sent a SYN without ACK: the clients'."""
    ports = set()
    for p in pkts:
        _, _, tcp, _, _ = tcp_view(link, p[3])
        if p[3][tcp + 13] & 0x12 == 0x02:
            ports.add(struct.unpack(">H", p[3][tcp:tcp + 2])[0])
    return ports


def cmd_reorder(inp, out):
    header, link, _, _, pkts = read_pcap(inp)
    clients = client_ports(link, pkts)
    best, size = None, 0
    for i, p in enumerate(pkts):
        _, _, tcp, pay, end = tcp_view(link, p[3])
        sport = struct.unpack(">H", p[3][tcp:tcp + 2])[0]
        if end - pay > size and sport not in clients:  # the server's side
            best, size = i, end - pay
    if best is None or size < 30:
        sys.exit("pcaptool: no server segment to cut")
    sec, frac, orig, frame = pkts[best]
    ip, ver, tcp, pay, end = tcp_view(link, frame)
    seq = struct.unpack(">I", frame[tcp + 4:tcp + 8])[0]
    data = bytes(frame[pay:end])
    cuts = [0, size // 3, 2 * size // 3, size]

    def piece(a, b, dt):
        f = bytearray(frame[:pay]) + data[a:b]
        f[tcp + 4:tcp + 8] = struct.pack(">I", (seq + a) & 0xFFFFFFFF)
        set_ip_len(f, ip, ver, pay + (b - a))
        return [sec, frac + dt, pay + (b - a), f]

    third, first = piece(cuts[2], cuts[3], 0), piece(cuts[0], cuts[1], 1)
    overlap = piece(cuts[1] - 5, cuts[1] + 5, 2)
    second, again = piece(cuts[1], cuts[2], 3), piece(cuts[0], cuts[1], 4)
    pkts[best:best + 1] = [third, first, overlap, second, again]
    write_pcap(out, header, pkts)


def cmd_multiply(inp, out, n):
    """Each copy gets its own client address (its last three bytes: the
    copy's number plus 65536, so 127.1.0.0 and up on loopback), so that no
    two connections share an address and port pair, and starts a second
    after the one before ends.  Written as it goes: only IN is held."""
    header, link, _, _, pkts = read_pcap(inp)
    clients = client_ports(link, pkts)
    span = pkts[-1][0] - pkts[0][0] + 1 if pkts else 1
    with open(out, "wb", buffering=1 << 20) as f:
        f.write(header)
        for k in range(n):
            addr = struct.pack(">I", k + (1 << 16))[1:]
            for sec, frac, orig, frame in pkts:
                g = bytearray(frame)
                ip, ver, tcp, _, _ = tcp_view(link, g)
                sport, dport = struct.unpack(">HH", g[tcp:tcp + 4])
                # the last three bytes of the source or destination address
                src = ip + (12 if ver == 4 else 8) + (4 if ver == 4 else 16) - 3
                dst = src + (4 if ver == 4 else 16)
                if sport in clients:
                    g[src:src + 3] = addr
                if dport in clients:
                    g[dst:dst + 3] = addr
                f.write(struct.pack("<IIII", sec + k * span, frac, len(g), max(orig, len(g))))
                f.write(g)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "pcapng":
        cmd_pcapng(sys.argv[2], sys.argv[3])
    elif cmd == "reorder":
        cmd_reorder(sys.argv[2], sys.argv[3])
    elif cmd == "multiply":
        cmd_multiply(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "count":
        print(len(read_pcap(sys.argv[2])[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
