/*
 * Stack scan of the signcore C ABI (issue 8, item 12): after a call that
 * handled secret material has returned (and the key was wiped), how many
 * copies of that secret are left in the stack region the call used?
 *
 * For each call: paint() fills a region of REGION_BYTES below the current
 * stack pointer with a marker byte and records where it is; a non-inlined
 * wrapper makes the call (its callee frames reuse the painted region); the
 * key is wiped; scan() copies the region out (volatile reads) and counts the
 * copies of every secret pattern in it: 8-byte windows of the HMAC secret, of
 * the HMAC key blocks (secret XOR ipad/opad), of the Ed25519 seed, and of
 * the expanded secret (the clamped scalar, reduced or not, and the nonce
 * prefix of SHA-512(seed)). A "copy" is one distinct start address of a run
 * of matching windows, so a full 32-byte copy counts once.
 *
 * Keys, inputs and outputs live in static storage, outside the region.
 * What it cannot see: secrets held in registers, or in transformed forms
 * (radix-16 scalar digits, SHA-256/512 internal states other than the
 * padded key blocks).
 *
 * Plain C99, built without sanitizers (they instrument the stack) and not run
 * under valgrind (reading dead stack is what it is for). Prints one line per
 * call and "N passed, M failed": a check passes when a call that the C ABI
 * scrubs leaves zero copies; STACK_SCAN_REPORT_ONLY=1 reports without failing.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signcore.h"

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

#define REGION_BYTES (128u * 1024u)
#define MARKER 0xA5u

/* ------------------------------------------------------------ the secrets */

static const uint8_t HMAC_SECRET[32] = {0x24, 0x3f, 0x6a, 0x88, 0x85, 0xa3, 0x08, 0xd3, 0x13, 0x19, 0x8a,
                                        0x2e, 0x03, 0x70, 0x73, 0x44, 0xa4, 0x09, 0x38, 0x22, 0x29, 0x9f,
                                        0x31, 0xd0, 0x08, 0x2e, 0xfa, 0x98, 0xec, 0x4e, 0x6c, 0x89};
#define HMAC_HEX "243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89"
static const uint8_t SEED[32] = {0xb7, 0xe1, 0x51, 0x62, 0x8a, 0xed, 0x2a, 0x6a, 0xbf, 0x71, 0x58,
                                 0x80, 0x9c, 0xf4, 0xf3, 0xc7, 0x62, 0xe7, 0x16, 0x0f, 0x38, 0xb4,
                                 0xda, 0x56, 0xa7, 0x84, 0xd9, 0x04, 0x51, 0x90, 0xcf, 0xef};
#define SEED_HEX "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef"
/* SHA-512(SEED): the lower half clamped (as ed25519-dalek keeps it before
 * reduction), the same reduced mod l, and the upper half (nonce prefix). */
static const uint8_t SCALAR_CLAMPED[32] = {0x78, 0x5e, 0x6e, 0xe0, 0x2e, 0x4c, 0x80, 0x03, 0xb1, 0xad, 0x49,
                                           0x25, 0x0e, 0x6a, 0xb0, 0xc6, 0xd6, 0xa8, 0xab, 0x2e, 0xb2, 0xda,
                                           0x15, 0x86, 0xca, 0x8a, 0x40, 0x8c, 0xec, 0x8a, 0xa2, 0x67};
static const uint8_t SCALAR_REDUCED[32] = {0xea, 0x66, 0xab, 0xb2, 0x90, 0xf9, 0x11, 0xf3, 0xaa, 0x00, 0x7c,
                                           0x53, 0xd6, 0x8e, 0x76, 0x49, 0xd6, 0xa8, 0xab, 0x2e, 0xb2, 0xda,
                                           0x15, 0x86, 0xca, 0x8a, 0x40, 0x8c, 0xec, 0x8a, 0xa2, 0x07};
static const uint8_t PREFIX[32] = {0xbd, 0xec, 0xb3, 0x43, 0x54, 0xdf, 0xaf, 0xe3, 0xc9, 0xb1, 0x26,
                                   0xc5, 0x7b, 0xd1, 0xc2, 0xf3, 0xc7, 0x80, 0xf8, 0xc5, 0xaa, 0xfd,
                                   0xc8, 0x4c, 0xa2, 0xd1, 0xfd, 0x3e, 0x69, 0xfe, 0x61, 0xc9};
static uint8_t HMAC_IPAD[32], HMAC_OPAD[32];

static const char KEYSTORE_HMAC[] = "[{\"key_id\":\"scan-hmac\",\"alg\":\"hmac-sha256\",\"secret_hex\":\"" HMAC_HEX "\"}]";
static const char KEYSTORE_ED[] = "[{\"key_id\":\"scan-ed\",\"alg\":\"ed25519\",\"secret_hex\":\"" SEED_HEX "\"}]";
static const char KEYSTORE_BOTH[] = "[{\"key_id\":\"scan-hmac\",\"alg\":\"hmac-sha256\",\"secret_hex\":\"" HMAC_HEX
                                    "\",\"label\":\"scan\"},"
                                    "{\"key_id\":\"scan-ed\",\"alg\":\"ed25519\",\"secret_hex\":\"" SEED_HEX "\"}]";

/* --------------------------------------------------------- paint and scan */

/* The painted region's address, kept as an integer: it is dead stack by design. */
static volatile uintptr_t g_region;
static uint8_t *g_copy;

static NOINLINE void paint(void)
{
    volatile uint8_t region[REGION_BYTES];
    size_t i;
    for (i = 0; i < REGION_BYTES; i++)
        region[i] = MARKER;
    g_region = (uintptr_t)region;
}

struct pattern {
    const char *name;
    const uint8_t *bytes;
    size_t len;
};

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Distinct copies of `pat` (runs of its 8-byte windows) in the copied region. */
static long count_copies(const uint8_t *mem, size_t n, const uint8_t *pat, size_t plen)
{
    uint64_t windows[64];
    size_t nw = plen - 7, p, j;
    long copies = 0;
    intptr_t last_start = INTPTR_MIN;
    for (j = 0; j < nw; j++)
        windows[j] = load64(pat + j);
    for (p = 0; p + 8 <= n; p++) {
        uint64_t v = load64(mem + p);
        for (j = 0; j < nw; j++) {
            if (v == windows[j]) {
                intptr_t start = (intptr_t)p - (intptr_t)j;
                /* Consecutive windows of one copy share a start. */
                if (start != last_start) {
                    copies++;
                    last_start = start;
                }
                break;
            }
        }
    }
    return copies;
}

static NOINLINE void snapshot(void)
{
    const volatile uint8_t *region = (const volatile uint8_t *)g_region;
    size_t i;
    for (i = 0; i < REGION_BYTES; i++)
        g_copy[i] = region[i];
}

/* Bytes from the top of the region down to the deepest byte written: the
 * call's depth, or the scrubbed size when the call scrubbed more. */
static size_t stack_used(void)
{
    size_t i;
    for (i = 0; i < REGION_BYTES; i++)
        if (g_copy[i] != MARKER)
            return REGION_BYTES - i;
    return 0;
}

/* ---------------------------------------------------------------- calls */

static signcore_key g_key, g_key2;
static signcore_key_info g_infos[4];
static signcore_finding g_findings[8];
static signcore_chain_report g_report;
static signcore_error g_err;
static uint8_t g_sig[64], g_msg[32] = {1, 2, 3};
static size_t g_n;
static char *g_chain;
static size_t g_chain_len;
static signcore_status g_status;

static NOINLINE void call_from_keystore_hmac(void)
{
    g_status = signcore_key_from_keystore(&g_key, KEYSTORE_HMAC, sizeof KEYSTORE_HMAC - 1, "scan-hmac", &g_err);
}
static NOINLINE void call_from_keystore_ed(void)
{
    g_status = signcore_key_from_keystore(&g_key, KEYSTORE_ED, sizeof KEYSTORE_ED - 1, "scan-ed", &g_err);
}
static NOINLINE void call_from_hmac_secret(void)
{
    g_status = signcore_key_from_hmac_secret(&g_key, "scan-hmac", HMAC_SECRET, sizeof HMAC_SECRET);
}
static NOINLINE void call_from_seed(void)
{
    g_status = signcore_key_from_ed25519_seed(&g_key, "scan-ed", SEED);
}
static NOINLINE void call_metadata(void)
{
    g_status = signcore_keystore_metadata(KEYSTORE_BOTH, sizeof KEYSTORE_BOTH - 1, g_infos, 4, &g_n, &g_err);
}
static NOINLINE void call_sign(void)
{
    g_status = signcore_key_sign(&g_key, g_msg, sizeof g_msg, g_sig, sizeof g_sig, &g_n);
}
static NOINLINE void call_verify(void)
{
    g_status = signcore_key_verify(&g_key, g_msg, sizeof g_msg, g_sig, g_n);
}
static NOINLINE void call_verify_chain(void)
{
    g_status = signcore_verify_chain(g_chain, g_chain_len, KEYSTORE_BOTH, sizeof KEYSTORE_BOTH - 1, NULL, g_findings,
                                     8, &g_report, &g_err);
}
static uint8_t g_hash[32], g_public[32];
static NOINLINE void call_key_hash(void)
{
    g_status = signcore_key_hash(&g_key, g_hash);
}
static NOINLINE void call_public_key(void)
{
    g_status = signcore_key_public_key(&g_key, g_public);
}
static NOINLINE void call_key_metadata(void)
{
    g_status = signcore_key_metadata(&g_key, &g_infos[0]);
}
static NOINLINE void call_hmac_verify(void)
{
    g_status = signcore_hmac_sha256_verify(HMAC_SECRET, sizeof HMAC_SECRET, g_msg, sizeof g_msg, g_sig, 32);
}
/* The control: a plain C function that leaves a copy of the seed behind. */
static volatile uint8_t g_sink;
static NOINLINE void call_control(void)
{
    volatile uint8_t copy[32];
    size_t i;
    for (i = 0; i < sizeof copy; i++)
        copy[i] = SEED[i];
    g_sink = copy[5];
    g_status = SIGNCORE_OK;
}
static char g_ring[1024];
static NOINLINE void call_public_ring(void)
{
    g_status = signcore_keystore_public_ring(KEYSTORE_BOTH, sizeof KEYSTORE_BOTH - 1, true, g_ring, sizeof g_ring,
                                             &g_n, NULL, &g_err);
}
#if defined(SIGNCORE_FEATURE_STD)
static char g_ks_path[64];
static NOINLINE void call_from_env(void)
{
    g_status = signcore_key_from_env(&g_key, NULL, NULL, NULL, &g_err);
}
#endif

/* ---------------------------------------------------------------- driver */

static long g_passed, g_failed;
static bool g_report_only;

/* Runs `call` on a painted region (after `setup`, outside it) and reports copies. */
static void scan(const char *name, void (*setup)(void), void (*call)(void), bool wipe_after, bool expect_clean)
{
    static const struct pattern patterns[] = {
        {"hmac-secret", HMAC_SECRET, 32}, {"hmac-ipad", HMAC_IPAD, 32},         {"hmac-opad", HMAC_OPAD, 32},
        {"ed-seed", SEED, 32},            {"ed-scalar", SCALAR_CLAMPED, 32},     {"ed-scalar-red", SCALAR_REDUCED, 32},
        {"ed-prefix", PREFIX, 32},
    };
    long counts[sizeof patterns / sizeof patterns[0]], total = 0;
    size_t i;
    if (setup)
        setup();
    paint();
    call();
    if (wipe_after)
        signcore_key_wipe(&g_key);
    snapshot();
    printf("stack-scan: %-38s %-13s", name, signcore_status_code((int)g_status));
    for (i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        counts[i] = count_copies(g_copy, REGION_BYTES, patterns[i].bytes, patterns[i].len);
        total += counts[i];
        if (counts[i])
            printf(" %s x%ld", patterns[i].name, counts[i]);
    }
    printf("%s (stack used: %lu bytes)\n", total ? "" : " clean", (unsigned long)stack_used());
    if (!expect_clean) { /* the control: the scan must see the copy it left */
        if (total > 0) {
            g_passed++;
        } else {
            printf("FAIL %s: the scan found no copy (it cannot see this stack)\n", name);
            g_failed++;
        }
    } else if (g_status != SIGNCORE_OK && g_status != SIGNCORE_CHAIN_INVALID) {
        printf("FAIL %s returned %s\n", name, signcore_status_code((int)g_status));
        g_failed++;
    } else if (total == 0 || g_report_only) {
        g_passed++;
    } else {
        printf("FAIL %s left %ld secret copies on the stack\n", name, total);
        g_failed++;
    }
}

static void setup_hmac_key(void)
{
    signcore_key_from_hmac_secret(&g_key, "scan-hmac", HMAC_SECRET, sizeof HMAC_SECRET);
    g_n = 32;
}
static void setup_ed_key(void)
{
    signcore_key_from_ed25519_seed(&g_key, "scan-ed", SEED);
    g_n = 64;
}
static void setup_hmac_signed(void)
{
    setup_hmac_key();
    signcore_key_sign(&g_key, g_msg, sizeof g_msg, g_sig, sizeof g_sig, &g_n);
}
static void setup_ed_signed(void)
{
    setup_ed_key();
    signcore_key_sign(&g_key, g_msg, sizeof g_msg, g_sig, sizeof g_sig, &g_n);
}

/* A two-event chain: one HMAC-signed, one Ed25519-signed (built outside the region). */
static void build_chain(void)
{
    static const char *const payloads[2] = {"{\"n\":1}", "{\"n\":2}"};
    char prev[65] = "", hash[65], sighex[129];
    uint8_t digest[32], prev_raw[32];
    size_t cap = 4096, used = 0, k, n;
    g_chain = (char *)malloc(cap);
    used += (size_t)snprintf(g_chain + used, cap - used, "[");
    for (k = 0; k < 2; k++) {
        signcore_key *key = k == 0 ? &g_key : &g_key2;
        if (k == 0)
            signcore_key_from_hmac_secret(key, "scan-hmac", HMAC_SECRET, sizeof HMAC_SECRET);
        else
            signcore_key_from_ed25519_seed(key, "scan-ed", SEED);
        signcore_audit_digest(payloads[k], strlen(payloads[k]), k ? prev_raw : NULL, digest, NULL);
        signcore_hex_encode(digest, 32, hash, sizeof hash, &n);
        signcore_key_sign(key, digest, 32, g_sig, sizeof g_sig, &n);
        signcore_hex_encode(g_sig, n, sighex, sizeof sighex, &n);
        used += (size_t)snprintf(g_chain + used, cap - used,
                                 "%s{\"payload\":%s,\"hash\":\"%s\",\"prev_hash\":%s%s%s,\"kid\":\"%s\",\"alg\":\"%s\","
                                 "\"signature\":\"%s\"}",
                                 k ? "," : "", payloads[k], hash, k ? "\"" : "", k ? prev : "null", k ? "\"" : "",
                                 k ? "scan-ed" : "scan-hmac", k ? "ed25519" : "hmac-sha256", sighex);
        memcpy(prev, hash, sizeof hash);
        memcpy(prev_raw, digest, sizeof digest);
        signcore_key_wipe(key);
    }
    used += (size_t)snprintf(g_chain + used, cap - used, "]");
    g_chain_len = used;
}

int main(void)
{
    size_t i;
    const char *only = getenv("STACK_SCAN_REPORT_ONLY");
    g_report_only = only && strcmp(only, "0") != 0;
    g_copy = (uint8_t *)malloc(REGION_BYTES);
    if (!g_copy)
        return 2;
    for (i = 0; i < 32; i++) {
        HMAC_IPAD[i] = HMAC_SECRET[i] ^ 0x36;
        HMAC_OPAD[i] = HMAC_SECRET[i] ^ 0x5c;
    }
    printf("stack-scan: signcore %s, %u KiB region below the caller, copies per secret pattern after the call%s\n",
           signcore_version(), REGION_BYTES / 1024, g_report_only ? " (report only)" : "");
    build_chain();

    scan("control: C copy of the seed", NULL, call_control, false, false);
    scan("signcore_key_from_keystore (hmac)", NULL, call_from_keystore_hmac, true, true);
    scan("signcore_key_from_keystore (ed25519)", NULL, call_from_keystore_ed, true, true);
    scan("signcore_key_from_hmac_secret", NULL, call_from_hmac_secret, true, true);
    scan("signcore_key_from_ed25519_seed", NULL, call_from_seed, true, true);
    scan("signcore_keystore_metadata", NULL, call_metadata, false, true);
    scan("signcore_key_sign (hmac)", setup_hmac_key, call_sign, true, true);
    scan("signcore_key_sign (ed25519)", setup_ed_key, call_sign, true, true);
    scan("signcore_key_verify (hmac)", setup_hmac_signed, call_verify, true, true);
    scan("signcore_key_verify (ed25519)", setup_ed_signed, call_verify, true, true);
    scan("signcore_verify_chain (keystore ring)", NULL, call_verify_chain, false, true);
    scan("signcore_keystore_public_ring (+hmac)", NULL, call_public_ring, false, true);
    scan("signcore_key_hash (hmac)", setup_hmac_key, call_key_hash, true, true);
    scan("signcore_key_metadata (ed25519)", setup_ed_key, call_key_metadata, true, true);
    scan("signcore_key_public_key (ed25519)", setup_ed_key, call_public_key, true, true);
    scan("signcore_hmac_sha256_verify", setup_hmac_signed, call_hmac_verify, true, true);
#if defined(SIGNCORE_FEATURE_STD)
    {
        FILE *f;
        snprintf(g_ks_path, sizeof g_ks_path, "/tmp/signcore-scan-%ld.json", (long)getpid());
        f = fopen(g_ks_path, "wb");
        if (f) {
            fwrite(KEYSTORE_BOTH, 1, sizeof KEYSTORE_BOTH - 1, f);
            fclose(f);
        }
        setenv("RITMA_KEYSTORE_PATH", g_ks_path, 1);
        setenv("RITMA_KEY_ID", "scan-ed", 1);
        scan("signcore_key_from_env (keystore, ed25519)", NULL, call_from_env, true, true);
        setenv("RITMA_KEY_ID", "scan-hmac", 1);
        scan("signcore_key_from_env (keystore, hmac)", NULL, call_from_env, true, true);
        unlink(g_ks_path);
    }
#endif
    free(g_chain);
    free(g_copy);
    printf("%ld passed, %ld failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
