/* Who is the client: fingerprints of a received ClientHello and the
 * nearest simulated client profile.  No I/O.
 *
 * JA3 (Salesforce) and JA4 (FoxIO, TLS over TCP) name a hello the way
 * other tools and threat feeds do; the profile match says which client of
 * lib/registry/clients.h it looks like, so that what the simulation knows
 * about that client applies to the captured one. */
#ifndef TD_DIAG_FINGERPRINT_H
#define TD_DIAG_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/clients.h"
#include "wire/chello.h"

/* "771,4865-4866-...,0-23-65281-...,29-23-24,0" and its MD5 in lower-case
 * hex; GREASE values (RFC 8701) left out.  Long lists make a long string:
 * the buffer holds the longest a td_chello can give. */
#define TD_JA3_MAX (8 + 6 * (TD_CHELLO_MAX_SUITES + TD_CHELLO_MAX_EXTS + 2 * TD_CHELLO_MAX_LIST))
typedef struct td_ja3 {
    char text[TD_JA3_MAX];
    char md5[33];
} td_ja3;

/* "t13d1516h2_8daaf6152771_e5627efa2ab1"; raw is the same with the sorted
 * lists in place of their hashes (FoxIO's JA4_r). */
#define TD_JA4_MAX 40
#define TD_JA4_RAW_MAX (16 + 5 * (TD_CHELLO_MAX_SUITES + TD_CHELLO_MAX_EXTS + TD_CHELLO_MAX_LIST))
typedef struct td_ja4 {
    char fp[TD_JA4_MAX];
    char raw[TD_JA4_RAW_MAX];
} td_ja4;

/* 0, or -1 when the digest cannot be computed (OpenSSL refused MD5 or
 * SHA-256: a FIPS-only provider). */
int td_fp_ja3(const td_chello *h, td_ja3 *out);
int td_fp_ja4(const td_chello *h, td_ja4 *out);

/* The nearest profile by what the hello offered: versions, cipher suites,
 * groups, signature algorithms and extension types (the ones that vary
 * from connection to connection left out: server_name, padding,
 * pre_shared_key, early_data, GREASE).  Scores are per mille; below
 * TD_FP_THRESHOLD no name is given. */
#define TD_FP_THRESHOLD 930
#define TD_FP_MAX_TIES  8
typedef struct td_fp_match {
    const td_client *client;   /* the match, or NULL: "unknown client" */
    const td_client *nearest;  /* the best score even below the threshold */
    unsigned score;            /* nearest's score, 0..1000 */
    /* every profile scoring as high as nearest (nearest first): profiles
     * whose hellos are the same (Chrome and Edge) cannot be told apart */
    const td_client *ties[TD_FP_MAX_TIES];
    size_t n_ties;
} td_fp_match;

/* 0, or -1 when the profiles' own hellos could not be built (then *out
 * says "unknown client"). */
int td_fp_match_client(const td_chello *h, td_fp_match *out);

#endif
