/* libFuzzer target: the capture-to-records path of `tlsdiag pcap`.
 *
 * The input is a capture file (pcap or pcapng) read by libpcap from
 * memory: frames, TCP reassembly, TLS records, the first flight, the rules
 * and both reports.  The same bytes are also decoded as one frame of every
 * link type the reader takes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture/frame.h"
#include "tlsdiag.h"

static const int links[] = { TD_LINK_NULL, TD_LINK_ETHERNET, TD_LINK_RAW, TD_LINK_LOOP,
                             TD_LINK_SLL, TD_LINK_IPV4, TD_LINK_IPV6, TD_LINK_SLL2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t k = 0; k < sizeof links / sizeof links[0]; k++) {
        td_pkt p;
        const char *why = NULL;
        td_frame r = td_frame_decode(links[k], data, size, &p, &why);
        if (r == TD_FRAME_BAD && !why)
            abort();
        if (r == TD_FRAME_TCP && td_rd_left(&p.payload) > p.payload_len)
            abort();
    }

    td_capture *c = td_capture_new();
    if (!c)
        return 0;
    td_status st = td_capture_read_mem(c, data, size);
    if (st != TD_OK && !td_capture_error(c))
        abort();
    if (st == TD_OK) {
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            td_capture_write_text(c, devnull, TD_TEXT_VERBOSE);
            td_capture_write_json(c, devnull);
            fclose(devnull);
        }
    }
    td_capture_free(c);
    return 0;
}
