/*
 * audit_chain.c: sign a short hash-chained audit log with signcore's C API
 * (keys from a node keystore), export the keystore's public ring, verify the
 * chain against that ring (no secret reaches the verifier), then tamper with
 * it and show the findings.
 *
 *   cc -std=c99 -I include ffi-c/examples/audit_chain.c target/release/libsigncore.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o audit_chain && ./audit_chain
 *
 * No heap: keys live in caller storage (signcore_key), every output goes to
 * a fixed buffer. Exits 0 when everything behaved as expected.
 */
#include <stdio.h>
#include <string.h>

#include "signcore.h"

#define EVENTS 3

static int fail(const char *what, signcore_status st, const signcore_error *err)
{
    fprintf(stderr, "%s: %s (%s)%s%s\n", what, signcore_status_code((int)st), signcore_status_str((int)st),
            err ? ": " : "", err ? err->message : "");
    return 1;
}

int main(void)
{
    static const char *const payloads[EVENTS] = {
        "{\"action\": \"login\", \"actor\": \"alice\", \"seq\": 1}",
        "{\"seq\": 2, \"actor\": \"alice\", \"action\": \"export\", \"rows\": 1.5e3}",
        "{\"actor\": \"bob\", \"action\": \"logout\", \"seq\": 3, \"note\": \"caf\\u00e9\"}",
    };
    /* A node keystore (DESIGN.md §3; normally a file): the RFC 8032 test 1
     * seed and an HMAC secret. */
    static const char keystore[] =
        "[{\"key_id\":\"node-ed25519\",\"alg\":\"ed25519\",\"label\":\"edge\",\"secret_hex\":"
        "\"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\"},"
        "{\"key_id\":\"node-hmac\",\"alg\":\"hmac-sha256\",\"secret_hex\":\"6578616d706c652d686d61632d736563726574\"}]";

    signcore_key ed_key = {{0}}, hmac_key = {{0}};
    /* Every event is signed with the Ed25519 key, which a public ring can verify. */
    const signcore_key *keys[EVENTS] = {&ed_key, &ed_key, &ed_key};
    signcore_key_info info;
    signcore_error err;
    signcore_status st;
    uint8_t hash[SIGNCORE_HASH_BYTES], prev[SIGNCORE_HASH_BYTES], sig[SIGNCORE_MAX_SIGNATURE_BYTES];
    char hash_hex[SIGNCORE_HASH_HEX_BYTES], prev_hex[SIGNCORE_HASH_HEX_BYTES];
    char sig_hex[SIGNCORE_MAX_SIGNATURE_HEX_BYTES];
    char events[4096], ring[1024], canonical[256];
    size_t used = 0, n = 0, i, omitted = 0, ring_len = 0;
    signcore_finding findings[8];
    signcore_chain_report report;
    int status = 0;

    if ((st = signcore_key_from_keystore(&ed_key, keystore, sizeof keystore - 1, "node-ed25519", &err)) != SIGNCORE_OK)
        return fail("ed25519 key", st, &err);
    if ((st = signcore_key_from_keystore(&hmac_key, keystore, sizeof keystore - 1, "node-hmac", &err)) != SIGNCORE_OK)
        return fail("hmac key", st, &err);
    for (i = 0; i < 2; i++) {
        signcore_key_metadata(i == 0 ? &ed_key : &hmac_key, &info);
        printf("key %-13s %-11s key_hash %s\n", info.key_id, signcore_alg_str((int)info.alg), info.key_hash_hex);
    }

    /* Sign: hash = SHA256(canonical(payload) || prev hash bytes); sign the 32 raw bytes. */
    used += (size_t)snprintf(events + used, sizeof events - used, "[");
    for (i = 0; i < EVENTS; i++) {
        signcore_key_info meta;
        st = signcore_audit_digest(payloads[i], strlen(payloads[i]), i ? prev : NULL, hash, &err);
        if (st != SIGNCORE_OK)
            return fail("digest", st, &err);
        st = signcore_key_sign(keys[i], hash, sizeof hash, sig, sizeof sig, &n);
        if (st != SIGNCORE_OK)
            return fail("sign", st, NULL);
        signcore_key_metadata(keys[i], &meta);
        signcore_hex_encode(hash, sizeof hash, hash_hex, sizeof hash_hex, &n);
        signcore_hex_encode(sig, meta.alg == SIGNCORE_ALG_ED25519 ? 64 : 32, sig_hex, sizeof sig_hex, &n);
        if (i)
            signcore_hex_encode(prev, sizeof prev, prev_hex, sizeof prev_hex, &n);
        used += (size_t)snprintf(events + used, sizeof events - used,
                                 "%s{\"id\":\"evt-%u\",\"payload\":%s,\"hash\":\"%s\",\"prev_hash\":%s%s%s,"
                                 "\"kid\":\"%s\",\"alg\":\"%s\",\"signature\":\"%s\"}",
                                 i ? "," : "", (unsigned)i, payloads[i], hash_hex, i ? "\"" : "",
                                 i ? prev_hex : "null", i ? "\"" : "", meta.key_id,
                                 signcore_alg_str((int)meta.alg), sig_hex);
        memcpy(prev, hash, sizeof prev);
        st = signcore_canonicalize(payloads[i], strlen(payloads[i]), canonical, sizeof canonical - 1, &n, NULL);
        if (st != SIGNCORE_OK)
            return fail("canonicalize", st, NULL);
        canonical[n] = '\0';
        printf("event %u  %s  %s\n", (unsigned)i, hash_hex, canonical);
    }
    snprintf(events + used, sizeof events - used, "]");

    /* The verifier's ring: exported from the keystore, public keys only (the
     * HMAC key has no public part and is left out). Hand verifiers this, never
     * the keystore. */
    st = signcore_keystore_public_ring(keystore, sizeof keystore - 1, false, ring, sizeof ring - 1, &ring_len,
                                       &omitted, &err);
    if (st != SIGNCORE_OK)
        return fail("public ring", st, &err);
    ring[ring_len] = '\0';
    printf("public ring (%lu HMAC key left out): %s\n", (unsigned long)omitted, ring);

    st = signcore_verify_chain(events, strlen(events), ring, ring_len, NULL, findings, 8, &report, &err);
    printf("verify: %s, %llu events checked, %llu findings\n", signcore_status_code((int)st),
           (unsigned long long)report.checked, (unsigned long long)report.findings_total);
    if (st != SIGNCORE_OK)
        status = fail("verify", st, &err);

    /* Tamper: alice exported 1500 rows; make it 15. */
    {
        char *rows = strstr(events, "1.5e3");
        if (rows)
            memcpy(rows, "15   ", 5);
    }
    st = signcore_verify_chain(events, strlen(events), ring, ring_len, NULL, findings, 8, &report, &err);
    printf("after tampering: %s, %llu findings\n", signcore_status_code((int)st),
           (unsigned long long)report.findings_total);
    for (i = 0; i < report.findings_written; i++)
        printf("  event %llu: %s: %s\n", (unsigned long long)findings[i].index,
               signcore_finding_code_str((int)findings[i].code), findings[i].message);
    if (st != SIGNCORE_CHAIN_INVALID || report.findings_total != 1 || findings[0].index != 1 ||
        findings[0].code != SIGNCORE_FINDING_HASH_MISMATCH)
        status = fail("tampered chain", st, &err);

    signcore_key_wipe(&ed_key);
    signcore_key_wipe(&hmac_key);
    if (signcore_key_sign(&ed_key, hash, sizeof hash, sig, sizeof sig, &n) != SIGNCORE_KEY_NOT_INITIALIZED)
        status = fail("wiped key still signs", st, NULL);
    printf("%s\n", status == 0 ? "example ok" : "example FAILED");
    return status;
}
