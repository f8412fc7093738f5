/*
 * C conformance and misuse tests of the signcore C ABI (include/signcore.h).
 *
 * Runs the shared vectors through the C API: RFC 8785 pairs (jcs/input ->
 * jcs/output), generated/jcs_cases.json, generated/audit_chains.json (exact
 * (index, code) sets), generated/keystores.json, Wycheproof Ed25519 and
 * HMAC-SHA256; then misuse: NULL for every pointer argument, zero and
 * too-small capacities, invalid UTF-8, unknown key ids, uninitialised and
 * double-wiped keys, and the environment signer rules.
 *
 * Plain C99; also compiles as C++ (g++ -x c++). JSON vectors are read with
 * cJSON. Usage: test_signcore [VECTORS_DIR] (default $SIGNCORE_VECTORS, else
 * ../shared/vectors). The last line is "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "signcore.h"

/* ------------------------------------------------------------------ harness */

static long g_passed, g_failed;
static long s_passed, s_failed;
static const char *s_name = "";
static int s_reported;

static void check_(bool ok, const char *file, int line, const char *what)
{
    if (ok) {
        g_passed++;
        s_passed++;
        return;
    }
    g_failed++;
    s_failed++;
    if (s_reported++ < 20)
        fprintf(stderr, "FAIL [%s] %s:%d: %s\n", s_name, file, line, what);
}

#define CHECK(cond, what) check_((cond) ? true : false, __FILE__, __LINE__, (what))

static void check_status_(signcore_status got, signcore_status want, const char *file, int line, const char *expr)
{
    char what[512];
    if (got == want) {
        check_(true, file, line, expr);
        return;
    }
    snprintf(what, sizeof what, "%s: got %s (%d), want %s (%d)", expr, signcore_status_code((int)got), (int)got,
             signcore_status_code((int)want), (int)want);
    check_(false, file, line, what);
}

#define CHECK_STATUS(expr, want) check_status_((expr), (want), __FILE__, __LINE__, #expr)

static void begin_set(const char *name)
{
    s_name = name;
    s_passed = s_failed = 0;
    s_reported = 0;
}

static void end_set(void)
{
    printf("set %-28s %6ld ok %4ld bad\n", s_name, s_passed, s_failed);
}

/* ------------------------------------------------------------------ helpers */

static char g_vectors[1024];
/* The directory of this file (tests/c), for the repository's own fixtures. */
static char g_tests_dir[1024] = "tests/c";

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = (char *)malloc((size_t)size + 1);
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[size] = '\0';
    if (len)
        *len = (size_t)size;
    return buf;
}

static char *read_vector(const char *rel, size_t *len)
{
    char path[2048];
    char *text;
    snprintf(path, sizeof path, "%s/%s", g_vectors, rel);
    text = read_file(path, len);
    if (!text)
        fprintf(stderr, "cannot read %s\n", path);
    return text;
}

static cJSON *read_json(const char *rel)
{
    size_t len = 0;
    char *text = read_vector(rel, &len);
    cJSON *json;
    if (!text)
        return NULL;
    json = cJSON_ParseWithLength(text, len);
    free(text);
    if (!json)
        fprintf(stderr, "cannot parse %s\n", rel);
    return json;
}

/*
 * cJSON prints a double with 15 significant digits whenever that reads back
 * "close enough" (within DBL_EPSILON), which can change its value. The
 * payloads must keep their exact values (their hashes depend on them), so
 * turn every number into raw text with 17 significant digits: glibc's strtod
 * (cJSON's parser) and printf are exact, and 17 digits round-trip any double.
 */
static void exact_numbers(cJSON *node)
{
    cJSON *child;
    if (cJSON_IsNumber(node)) {
        char text[40];
        size_t len = (size_t)snprintf(text, sizeof text, "%.17g", node->valuedouble);
        char *raw = (char *)malloc(len + 1);
        if (raw) {
            memcpy(raw, text, len + 1);
            node->type = cJSON_Raw;
            node->valuestring = raw; /* freed by cJSON_Delete (default hooks: free) */
        }
        return;
    }
    for (child = node->child; child; child = child->next)
        exact_numbers(child);
}

static const char *str_member(const cJSON *obj, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, name));
}

/* Decodes hex through the API; returns a malloc'd buffer (never NULL on success). */
static uint8_t *unhex(const char *hex, size_t *out_len)
{
    size_t n = strlen(hex), written = 0;
    uint8_t *buf = (uint8_t *)malloc(n / 2 + 1);
    if (!buf)
        return NULL;
    if (signcore_hex_decode(hex, n, buf, n / 2 + 1, &written) != SIGNCORE_OK) {
        free(buf);
        return NULL;
    }
    *out_len = written;
    return buf;
}

static void to_hex(const uint8_t *bytes, size_t len, char *out, size_t cap)
{
    size_t written = 0;
    if (signcore_hex_encode(bytes, len, out, cap, &written) != SIGNCORE_OK && cap > 0)
        out[0] = '\0';
}

static bool hex_equal_ci(const char *a, const char *b)
{
    size_t i;
    if (strlen(a) != strlen(b))
        return false;
    for (i = 0; a[i]; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

static bool all_bytes(const void *p, size_t len, uint8_t value)
{
    const uint8_t *b = (const uint8_t *)p;
    size_t i;
    for (i = 0; i < len; i++)
        if (b[i] != value)
            return false;
    return true;
}

static bool contains_ci(const char *haystack, const char *needle)
{
    size_t n = strlen(needle), i, j;
    if (n == 0)
        return false;
    for (i = 0; haystack[i]; i++) {
        for (j = 0; j < n && haystack[i + j]; j++)
            if (tolower((unsigned char)haystack[i + j]) != tolower((unsigned char)needle[j]))
                break;
        if (j == n)
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------- JCS sets */

static void test_rfc8785_pairs(void)
{
    static const char *const names[] = {"arrays", "french", "structures", "unicode", "values", "weird"};
    size_t i;
    begin_set("rfc8785 jcs/input->output");
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[256];
        size_t in_len = 0, want_len = 0, needed = 0, written = 0;
        char *input, *want, *out;
        snprintf(rel, sizeof rel, "jcs/input/%s.json", names[i]);
        input = read_vector(rel, &in_len);
        snprintf(rel, sizeof rel, "jcs/output/%s.json", names[i]);
        want = read_vector(rel, &want_len);
        CHECK(input && want, names[i]);
        if (!input || !want) {
            free(input);
            free(want);
            continue;
        }
        /* Size query, then the real call. */
        CHECK_STATUS(signcore_canonicalize(input, in_len, NULL, 0, &needed, NULL), SIGNCORE_BUFFER_TOO_SMALL);
        CHECK(needed == want_len, names[i]);
        out = (char *)malloc(needed ? needed : 1);
        CHECK_STATUS(signcore_canonicalize(input, in_len, out, needed, &written, NULL), SIGNCORE_OK);
        CHECK(written == want_len && memcmp(out, want, want_len) == 0, names[i]);
        free(out);
        free(input);
        free(want);
    }
    end_set();
}

static void test_jcs_cases(void)
{
    cJSON *cases = read_json("generated/jcs_cases.json"), *c;
    char *out = (char *)malloc(1 << 16);
    begin_set("generated/jcs_cases.json");
    CHECK(cases && cJSON_GetArraySize(cases) == 300, "300 cases");
    cJSON_ArrayForEach(c, cases)
    {
        const char *input = str_member(c, "input"), *want = str_member(c, "expected");
        size_t written = 0;
        signcore_error err;
        if (!input || !want) {
            CHECK(false, "case shape");
            continue;
        }
        CHECK_STATUS(signcore_canonicalize(input, strlen(input), out, 1 << 16, &written, &err), SIGNCORE_OK);
        CHECK(written == strlen(want) && memcmp(out, want, written) == 0, input);
        /* Canonical output is a fixed point. */
        {
            size_t again = 0;
            char *copy = (char *)malloc(written ? written : 1);
            memcpy(copy, out, written);
            CHECK_STATUS(signcore_canonicalize(copy, written, out, 1 << 16, &again, NULL), SIGNCORE_OK);
            CHECK(again == written && memcmp(out, copy, written) == 0, "fixed point");
            free(copy);
        }
    }
    free(out);
    cJSON_Delete(cases);
    end_set();
}

/* -------------------------------------------------------------- audit chains */

static const char *const FINDING_CODES[] = {"", "CHAIN_BROKEN", "HASH_MISMATCH", "UNKNOWN_KEY", "SIGNATURE_INVALID",
                                            "MALFORMED"};

static bool finding_listed(const signcore_finding *f, size_t n, long index, const char *code)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((long)f[i].index == index && strcmp(signcore_finding_code_str((int)f[i].code), code) == 0)
            return true;
    return false;
}

static void check_chain(const char *name, const char *events, const char *ring, const cJSON *expected, int n_events)
{
    enum { CAP = 128 };
    signcore_finding *findings = (signcore_finding *)malloc(CAP * sizeof *findings);
    signcore_chain_report report;
    signcore_error err;
    int n_expected = cJSON_GetArraySize(expected);
    const cJSON *pair;
    size_t i;
    signcore_status st = signcore_verify_chain(events, strlen(events), ring, strlen(ring), NULL, findings, CAP,
                                               &report, &err);
    CHECK_STATUS(st, n_expected ? SIGNCORE_CHAIN_INVALID : SIGNCORE_OK);
    CHECK(err.status == st, name);
    if (st != SIGNCORE_OK && st != SIGNCORE_CHAIN_INVALID) {
        fprintf(stderr, "  %s: %s\n", name, err.message);
        free(findings);
        return;
    }
    CHECK(report.checked == (uint64_t)n_events, name);
    CHECK(report.findings_total == (uint64_t)n_expected, name);
    CHECK(report.findings_written == (size_t)n_expected, name);
    CHECK(report.ok == (n_expected == 0), name);
    /* Exact set: every expected pair found, every finding expected. */
    cJSON_ArrayForEach(pair, expected)
    {
        long index = (long)cJSON_GetArrayItem(pair, 0)->valuedouble;
        const char *code = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 1));
        CHECK(code && finding_listed(findings, report.findings_written, index, code), name);
    }
    for (i = 0; i < report.findings_written; i++) {
        bool listed = false;
        int code = (int)findings[i].code;
        CHECK(code >= 1 && code <= 5 && findings[i].message[0] != '\0', name);
        cJSON_ArrayForEach(pair, expected)
        {
            if ((long)cJSON_GetArrayItem(pair, 0)->valuedouble == (long)findings[i].index && code >= 1 && code <= 5 &&
                strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(pair, 1)), FINDING_CODES[code]) == 0)
                listed = true;
        }
        CHECK(listed, name);
        /* In index order. */
        if (i > 0)
            CHECK(findings[i].index >= findings[i - 1].index, name);
    }
    /* A one-slot array: the first finding only, the total still counted. */
    if (n_expected > 0) {
        signcore_finding one;
        signcore_chain_report small;
        CHECK_STATUS(signcore_verify_chain(events, strlen(events), ring, strlen(ring), NULL, &one, 1, &small, NULL),
                     SIGNCORE_CHAIN_INVALID);
        CHECK(small.findings_total == (uint64_t)n_expected && small.findings_written == 1, name);
        CHECK(one.index == findings[0].index && one.code == findings[0].code, name);
        CHECK_STATUS(signcore_verify_chain(events, strlen(events), ring, strlen(ring), NULL, NULL, 0, &small, NULL),
                     SIGNCORE_CHAIN_INVALID);
        CHECK(small.findings_total == (uint64_t)n_expected && small.findings_written == 0, name);
    }
    free(findings);
}

/* For a chain that verifies: the C API recomputes every hash and signature. */
static void check_chain_recomputed(const cJSON *events, const char *signing_keys)
{
    const cJSON *event;
    signcore_key key = {{0}};
    cJSON_ArrayForEach(event, events)
    {
        char *payload = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(event, "payload"));
        const char *prev = str_member(event, "prev_hash"), *hash = str_member(event, "hash");
        const char *kid = str_member(event, "kid"), *sig_hex = str_member(event, "signature");
        char digest_hex[SIGNCORE_HASH_HEX_BYTES];
        uint8_t digest[SIGNCORE_HASH_BYTES], sig[SIGNCORE_MAX_SIGNATURE_BYTES];
        char sig_text[SIGNCORE_MAX_SIGNATURE_HEX_BYTES];
        size_t sig_len = 0;
        CHECK_STATUS(signcore_audit_digest_hex(payload, strlen(payload), prev, digest_hex, NULL), SIGNCORE_OK);
        CHECK(hash && hex_equal_ci(digest_hex, hash), "audit digest");
        if (prev) {
            size_t prev_len = 0;
            uint8_t *prev_raw = unhex(prev, &prev_len);
            CHECK(prev_raw && prev_len == 32, "prev_hash hex");
            if (prev_raw) {
                CHECK_STATUS(signcore_audit_digest(payload, strlen(payload), prev_raw, digest, NULL), SIGNCORE_OK);
                free(prev_raw);
            }
        } else {
            CHECK_STATUS(signcore_audit_digest(payload, strlen(payload), NULL, digest, NULL), SIGNCORE_OK);
        }
        {
            char raw_hex[SIGNCORE_HASH_HEX_BYTES];
            to_hex(digest, sizeof digest, raw_hex, sizeof raw_hex);
            CHECK(strcmp(raw_hex, digest_hex) == 0, "raw digest twin");
        }
        CHECK_STATUS(signcore_key_from_keystore(&key, signing_keys, strlen(signing_keys), kid, NULL), SIGNCORE_OK);
        CHECK_STATUS(signcore_key_sign(&key, digest, sizeof digest, sig, sizeof sig, &sig_len), SIGNCORE_OK);
        to_hex(sig, sig_len, sig_text, sizeof sig_text);
        CHECK(sig_hex && hex_equal_ci(sig_text, sig_hex), "signature recomputed");
        CHECK_STATUS(signcore_key_verify(&key, digest, sizeof digest, sig, sig_len), SIGNCORE_OK);
        cJSON_free(payload);
    }
    CHECK_STATUS(signcore_key_wipe(&key), SIGNCORE_OK);
}

static void test_audit_chains(void)
{
    cJSON *doc = read_json("generated/audit_chains.json"), *scenario;
    char *ring, *keystore;
    int scenarios = 0;
    begin_set("generated/audit_chains.json");
    if (!doc) {
        CHECK(false, "audit_chains.json");
        end_set();
        return;
    }
    exact_numbers(cJSON_GetObjectItemCaseSensitive(doc, "scenarios"));
    ring = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "ring"));
    keystore = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "signing_keys"));
    cJSON_ArrayForEach(scenario, cJSON_GetObjectItemCaseSensitive(doc, "scenarios"))
    {
        const char *name = str_member(scenario, "name");
        const cJSON *events = cJSON_GetObjectItemCaseSensitive(scenario, "events");
        const cJSON *expected = cJSON_GetObjectItemCaseSensitive(scenario, "expected");
        char *events_text = cJSON_PrintUnformatted(events);
        scenarios++;
        check_chain(name, events_text, ring, expected, cJSON_GetArraySize(events));
        /* A keystore is also accepted as a ring (public keys derived). */
        check_chain(name, events_text, keystore, expected, cJSON_GetArraySize(events));
        if (cJSON_GetArraySize(expected) == 0)
            check_chain_recomputed(events, keystore);
        cJSON_free(events_text);
    }
    CHECK(scenarios == 15, "15 scenarios");
    /* The ring's key metadata matches the published key hashes. */
    {
        const cJSON *meta;
        signcore_key key = {{0}};
        cJSON_ArrayForEach(meta, cJSON_GetObjectItemCaseSensitive(doc, "key_metadata"))
        {
            signcore_key_info info;
            CHECK_STATUS(signcore_key_from_keystore(&key, keystore, strlen(keystore), str_member(meta, "key_id"), NULL),
                         SIGNCORE_OK);
            CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_OK);
            CHECK(strcmp(info.key_hash_hex, str_member(meta, "key_hash")) == 0, "key_hash");
            CHECK(strcmp(signcore_alg_str((int)info.alg), str_member(meta, "alg")) == 0, "alg");
        }
        signcore_key_wipe(&key);
    }
    /* A slice of a chain verifies against its anchor. */
    {
        const cJSON *events = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "scenarios"), 0), "events");
        cJSON *slice = cJSON_Duplicate(events, 1);
        const char *anchor = str_member(cJSON_GetArrayItem(events, 9), "hash");
        char *text;
        signcore_chain_report report;
        signcore_finding f[4];
        cJSON_DeleteItemFromArray(slice, 0);
        while (cJSON_GetArraySize(slice) > 40)
            cJSON_DeleteItemFromArray(slice, 0);
        text = cJSON_PrintUnformatted(slice);
        CHECK_STATUS(signcore_verify_chain(text, strlen(text), ring, strlen(ring), anchor, f, 4, &report, NULL),
                     SIGNCORE_OK);
        CHECK(report.checked == 40 && report.ok, "slice with anchor");
        CHECK_STATUS(signcore_verify_chain(text, strlen(text), ring, strlen(ring), NULL, f, 4, &report, NULL),
                     SIGNCORE_CHAIN_INVALID);
        CHECK(report.findings_total == 1 && f[0].index == 0 && f[0].code == SIGNCORE_FINDING_CHAIN_BROKEN,
              "slice without anchor");
        CHECK_STATUS(signcore_verify_chain(text, strlen(text), ring, strlen(ring), "zz", f, 4, &report, NULL),
                     SIGNCORE_INVALID_HEX);
        cJSON_free(text);
        cJSON_Delete(slice);
    }
    cJSON_free(ring);
    cJSON_free(keystore);
    cJSON_Delete(doc);
    end_set();
}

/* ----------------------------------------------------------------- keystores */

static void test_keystores(void)
{
    cJSON *doc = read_json("generated/keystores.json"), *item;
    const cJSON *valid, *expected;
    char *keystore;
    signcore_key_info infos[SIGNCORE_MAX_KEYS];
    size_t count = 0, i;
    int n_expected;
    signcore_error err;
    signcore_key key = {{0}};
    begin_set("generated/keystores.json");
    if (!doc) {
        CHECK(false, "keystores.json");
        end_set();
        return;
    }
    valid = cJSON_GetObjectItemCaseSensitive(doc, "valid");
    expected = cJSON_GetObjectItemCaseSensitive(valid, "expected");
    n_expected = cJSON_GetArraySize(expected);
    keystore = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(valid, "keystore"));

    /* All metadata at once, in file order. */
    CHECK_STATUS(signcore_keystore_metadata(keystore, strlen(keystore), infos, SIGNCORE_MAX_KEYS, &count, &err),
                 SIGNCORE_OK);
    CHECK(count == (size_t)n_expected, "metadata count");
    for (i = 0; i < count && i < (size_t)n_expected; i++) {
        const cJSON *want = cJSON_GetArrayItem(expected, (int)i);
        const char *label = str_member(want, "label");
        CHECK(strcmp(infos[i].key_id, str_member(want, "key_id")) == 0, "key_id");
        CHECK(infos[i].key_id_len == strlen(str_member(want, "key_id")), "key_id_len");
        CHECK(strcmp(signcore_alg_str((int)infos[i].alg), str_member(want, "alg")) == 0, "alg");
        CHECK(strcmp(infos[i].key_hash_hex, str_member(want, "key_hash")) == 0, "key_hash");
        if (label) {
            CHECK(infos[i].has_label && strcmp(infos[i].label, label) == 0, "label");
        } else {
            CHECK(!infos[i].has_label && infos[i].label[0] == '\0' && infos[i].label_len == 0, "no label");
        }
        CHECK(infos[i].source == SIGNCORE_SOURCE_KEYSTORE, "source");
    }
    /* And key by key, through signcore_key. */
    cJSON_ArrayForEach(item, expected)
    {
        signcore_key_info info;
        uint8_t hash[SIGNCORE_HASH_BYTES];
        char hash_hex[SIGNCORE_HASH_HEX_BYTES];
        CHECK_STATUS(signcore_key_from_keystore(&key, keystore, strlen(keystore), str_member(item, "key_id"), &err),
                     SIGNCORE_OK);
        CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_OK);
        CHECK(strcmp(info.key_id, str_member(item, "key_id")) == 0, "key_id");
        CHECK(strcmp(info.key_hash_hex, str_member(item, "key_hash")) == 0, "key_hash");
        CHECK_STATUS(signcore_key_hash(&key, hash), SIGNCORE_OK);
        to_hex(hash, sizeof hash, hash_hex, sizeof hash_hex);
        CHECK(strcmp(hash_hex, str_member(item, "key_hash")) == 0, "signcore_key_hash");
    }
    CHECK_STATUS(signcore_key_from_keystore(&key, keystore, strlen(keystore), "no-such-key", &err),
                 SIGNCORE_KEY_NOT_FOUND);
    CHECK(err.status == SIGNCORE_KEY_NOT_FOUND && err.message[0] != '\0', "unknown key id message");
    /* The failed load left the previous key in place. */
    CHECK_STATUS(signcore_key_metadata(&key, &infos[0]), SIGNCORE_OK);

    /* Every broken keystore is refused, and no message holds its secrets. */
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "broken"))
    {
        const char *name = str_member(item, "name");
        char *text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(item, "keystore"));
        const cJSON *secret;
        signcore_error err2;
        signcore_key other = {{0}};
        signcore_status st = signcore_keystore_metadata(text, strlen(text), infos, SIGNCORE_MAX_KEYS, &count, &err);
        CHECK(st != SIGNCORE_OK && st != SIGNCORE_BUFFER_TOO_SMALL, name);
        CHECK(err.status == st && err.message[0] != '\0', name);
        CHECK_STATUS(signcore_key_from_keystore(&other, text, strlen(text), "a", &err2), st);
        CHECK_STATUS(signcore_key_metadata(&other, &infos[0]), SIGNCORE_KEY_NOT_INITIALIZED);
        cJSON_ArrayForEach(secret, cJSON_GetObjectItemCaseSensitive(item, "secrets"))
        {
            const char *s = cJSON_GetStringValue(secret);
            char head[17];
            CHECK(s != NULL, name);
            if (!s)
                continue;
            snprintf(head, sizeof head, "%s", s);
            CHECK(!contains_ci(err.message, s) && !contains_ci(err2.message, s), name);
            if (strlen(s) >= 16)
                CHECK(!contains_ci(err.message, head) && !contains_ci(err2.message, head), name);
        }
        if (strcmp(name, "hmac-65-bytes") == 0)
            CHECK(strstr(err.message, "64") != NULL, "the error says why: at most 64 bytes");
        if (strcmp(name, "duplicate-id") == 0)
            CHECK(err.record_index == 1, "the error names the record");
        cJSON_free(text);
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "raw"))
    {
        const char *text = str_member(item, "text");
        signcore_status st = signcore_keystore_metadata(text, strlen(text), infos, SIGNCORE_MAX_KEYS, &count, &err);
        CHECK(st != SIGNCORE_OK, str_member(item, "name"));
        CHECK(err.offset != (size_t)-1, "a JSON error has an offset");
        CHECK_STATUS(signcore_key_from_keystore(&key, text, strlen(text), "a", NULL), st);
    }
    signcore_key_wipe(&key);
    cJSON_free(keystore);
    cJSON_Delete(doc);
    end_set();
}

/* ---------------------------------------------------------------- wycheproof */

static void test_wycheproof_ed25519(void)
{
    cJSON *doc = read_json("wycheproof/ed25519_test.json"), *group, *tc;
    int tests = 0;
    begin_set("wycheproof ed25519 verify");
    cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(doc, "testGroups"))
    {
        size_t pk_len = 0;
        uint8_t *pk = unhex(str_member(cJSON_GetObjectItemCaseSensitive(group, "publicKey"), "pk"), &pk_len);
        CHECK(pk && pk_len == 32, "public key");
        cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(group, "tests"))
        {
            size_t msg_len = 0, sig_len = 0;
            uint8_t *msg = unhex(str_member(tc, "msg"), &msg_len);
            uint8_t *sig = unhex(str_member(tc, "sig"), &sig_len);
            const char *result = str_member(tc, "result");
            signcore_status st;
            char what[64];
            tests++;
            snprintf(what, sizeof what, "tcId %d", cJSON_GetObjectItemCaseSensitive(tc, "tcId")->valueint);
            if (!msg || !sig) {
                /* Odd-length hex in the vector: an invalid signature encoding. */
                CHECK(strcmp(result, "invalid") == 0, what);
            } else {
                st = signcore_ed25519_verify(pk, msg, msg_len, sig, sig_len);
                if (strcmp(result, "valid") == 0)
                    check_status_(st, SIGNCORE_OK, __FILE__, __LINE__, what);
                else
                    CHECK(st != SIGNCORE_OK, what);
            }
            free(msg);
            free(sig);
        }
        free(pk);
    }
    CHECK(tests == 151, "151 Ed25519 tests");
    cJSON_Delete(doc);
    end_set();

    /* Signing: RFC 8032 §7.1 TEST 1-3 seeds give the signatures Wycheproof lists
     * for their public keys (tcId 80-82). */
    begin_set("rfc8032 ed25519 sign");
    {
        static const char *const seeds[] = {
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        };
        static const char *const msgs[] = {"", "72", "af82"};
        static const char *const sigs[] = {
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        };
        static const char *const pks[] = {
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        };
        int i;
        for (i = 0; i < 3; i++) {
            signcore_key key = {{0}};
            size_t seed_len = 0, msg_len = 0, sig_len = 0;
            uint8_t *seed = unhex(seeds[i], &seed_len), *msg = unhex(msgs[i], &msg_len);
            uint8_t sig[SIGNCORE_ED25519_SIG_BYTES], pk[32];
            char text[SIGNCORE_MAX_SIGNATURE_HEX_BYTES];
            CHECK_STATUS(signcore_key_from_ed25519_seed(&key, "rfc8032", seed), SIGNCORE_OK);
            CHECK_STATUS(signcore_key_public_key(&key, pk), SIGNCORE_OK);
            to_hex(pk, 32, text, sizeof text);
            CHECK(strcmp(text, pks[i]) == 0, "public key from seed");
            CHECK_STATUS(signcore_key_sign(&key, msg, msg_len, sig, sizeof sig, &sig_len), SIGNCORE_OK);
            to_hex(sig, sig_len, text, sizeof text);
            CHECK(sig_len == 64 && strcmp(text, sigs[i]) == 0, "RFC 8032 signature");
            CHECK_STATUS(signcore_key_verify(&key, msg, msg_len, sig, sig_len), SIGNCORE_OK);
            CHECK_STATUS(signcore_ed25519_verify(pk, msg, msg_len, sig, sig_len), SIGNCORE_OK);
            sig[0] ^= 1;
            CHECK_STATUS(signcore_key_verify(&key, msg, msg_len, sig, sig_len), SIGNCORE_SIGNATURE_INVALID);
            CHECK_STATUS(signcore_key_verify(&key, msg, msg_len, sig, 63), SIGNCORE_INVALID_LENGTH);
            signcore_key_wipe(&key);
            free(seed);
            free(msg);
        }
    }
    end_set();

    /* The stored (expanded) Ed25519 form over many seeds: what a key made
     * from the seed signs equals what the same seed loaded from a keystore
     * signs, byte for byte (RFC 8032 is deterministic), and verifies with the
     * bare public key; a changed message does not. */
    begin_set("ed25519 sign/verify, 64 seeds");
    {
        int i, j;
        for (i = 0; i < 64; i++) {
            signcore_key a = {{0}}, b = {{0}};
            uint8_t seed[32], msg[64], sig_a[64], sig_b[64], pk[32];
            char keystore[160], seed_hex[65];
            size_t msg_len = (size_t)(i * 7) % sizeof msg, len_a = 0, len_b = 0;
            for (j = 0; j < 32; j++)
                seed[j] = (uint8_t)(i * 31 + j * 7 + 1);
            for (j = 0; j < (int)sizeof msg; j++)
                msg[j] = (uint8_t)(i ^ (j * 13));
            to_hex(seed, sizeof seed, seed_hex, sizeof seed_hex);
            snprintf(keystore, sizeof keystore, "[{\"key_id\":\"k\",\"alg\":\"ed25519\",\"secret_hex\":\"%s\"}]",
                     seed_hex);
            CHECK_STATUS(signcore_key_from_ed25519_seed(&a, "k", seed), SIGNCORE_OK);
            CHECK_STATUS(signcore_key_from_keystore(&b, keystore, strlen(keystore), "k", NULL), SIGNCORE_OK);
            CHECK_STATUS(signcore_key_sign(&a, msg, msg_len, sig_a, sizeof sig_a, &len_a), SIGNCORE_OK);
            CHECK_STATUS(signcore_key_sign(&b, msg, msg_len, sig_b, sizeof sig_b, &len_b), SIGNCORE_OK);
            CHECK(len_a == 64 && len_b == 64 && memcmp(sig_a, sig_b, 64) == 0, "same seed, same signature");
            CHECK_STATUS(signcore_key_public_key(&a, pk), SIGNCORE_OK);
            CHECK_STATUS(signcore_ed25519_verify(pk, msg, msg_len, sig_a, len_a), SIGNCORE_OK);
            CHECK_STATUS(signcore_key_verify(&b, msg, msg_len, sig_a, len_a), SIGNCORE_OK);
            msg[0] ^= 0x80;
            CHECK_STATUS(signcore_ed25519_verify(pk, msg, msg_len == 0 ? 1 : msg_len, sig_a, len_a),
                         SIGNCORE_SIGNATURE_INVALID);
            signcore_key_wipe(&a);
            signcore_key_wipe(&b);
        }
    }
    end_set();
}

static void test_wycheproof_hmac(void)
{
    cJSON *doc = read_json("wycheproof/hmac_sha256_test.json"), *group, *tc;
    int tests = 0, long_keys = 0, truncated = 0;
    begin_set("wycheproof hmac-sha256");
    cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(doc, "testGroups"))
    {
        int tag_bits = cJSON_GetObjectItemCaseSensitive(group, "tagSize")->valueint;
        cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(group, "tests"))
        {
            size_t key_len = 0, msg_len = 0, tag_len = 0;
            uint8_t *key = unhex(str_member(tc, "key"), &key_len);
            uint8_t *msg = unhex(str_member(tc, "msg"), &msg_len);
            uint8_t *tag = unhex(str_member(tc, "tag"), &tag_len);
            bool valid = strcmp(str_member(tc, "result"), "valid") == 0;
            char what[64];
            signcore_status st;
            tests++;
            snprintf(what, sizeof what, "tcId %d", cJSON_GetObjectItemCaseSensitive(tc, "tcId")->valueint);
            CHECK(key && msg && tag && (int)tag_len * 8 == tag_bits, what);
            if (!key || !msg || !tag) {
                free(key);
                free(msg);
                free(tag);
                continue;
            }
            /* The interoperable one-shot: RFC 2104 keys of any length, tags of 16..32 bytes. */
            st = signcore_hmac_sha256_verify(key, key_len, msg, msg_len, tag, tag_len);
            if (valid)
                check_status_(st, SIGNCORE_OK, __FILE__, __LINE__, what);
            else
                CHECK(st != SIGNCORE_OK, what);
            if (tag_len < 32)
                truncated++;
            /* signcore_key: the keystore policy (1..=64-byte secrets, full tags). */
            {
                signcore_key k = {{0}};
                st = signcore_key_from_hmac_secret(&k, "wycheproof", key, key_len);
                if (key_len > SIGNCORE_HMAC_MAX_SECRET_BYTES) {
                    long_keys++;
                    CHECK_STATUS(st, SIGNCORE_INVALID_KEY);
                } else {
                    uint8_t out[SIGNCORE_HMAC_TAG_BYTES];
                    size_t out_len = 0;
                    CHECK_STATUS(st, SIGNCORE_OK);
                    CHECK_STATUS(signcore_key_sign(&k, msg, msg_len, out, sizeof out, &out_len), SIGNCORE_OK);
                    CHECK((memcmp(out, tag, tag_len) == 0) == valid, what);
                    if (tag_len == 32)
                        CHECK((signcore_key_verify(&k, msg, msg_len, tag, tag_len) == SIGNCORE_OK) == valid, what);
                    else
                        CHECK_STATUS(signcore_key_verify(&k, msg, msg_len, tag, tag_len), SIGNCORE_INVALID_LENGTH);
                }
                signcore_key_wipe(&k);
            }
            free(key);
            free(msg);
            free(tag);
        }
    }
    CHECK(tests == 174, "174 HMAC tests");
    CHECK(long_keys > 0 && truncated > 0, "long keys and truncated tags covered");
    {
        /* Tags shorter than 16 bytes are refused, even when they match. */
        static const uint8_t k[] = {1, 2, 3};
        uint8_t tag[32];
        size_t n = 0;
        signcore_key key = {{0}};
        signcore_key_from_hmac_secret(&key, "k", k, sizeof k);
        signcore_key_sign(&key, k, sizeof k, tag, sizeof tag, &n);
        CHECK_STATUS(signcore_hmac_sha256_verify(k, sizeof k, k, sizeof k, tag, 16), SIGNCORE_OK);
        CHECK_STATUS(signcore_hmac_sha256_verify(k, sizeof k, k, sizeof k, tag, 15), SIGNCORE_INVALID_LENGTH);
        CHECK_STATUS(signcore_hmac_sha256_verify(k, sizeof k, k, sizeof k, tag, 0), SIGNCORE_INVALID_LENGTH);
        CHECK_STATUS(signcore_hmac_sha256_verify(k, 0, k, sizeof k, tag, 32), SIGNCORE_INVALID_KEY);
        signcore_key_wipe(&key);
    }
    cJSON_Delete(doc);
    end_set();
}

/* ----------------------------------------------------------------- manifests */

static void test_manifest(void)
{
    static const uint8_t seed_a[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static const uint8_t seed_b[32] = {42};
    static const uint8_t secret_c[] = "c-secret";
    static const char content[] = "{\"release\": \"1.2.3\", \"files\": [\"a\", \"b\"]}";
    signcore_key a = {{0}}, b = {{0}}, c = {{0}}, d = {{0}};
    uint8_t digest[32], pk[32], sig[64];
    char digest_hex[65], pk_a[65], pk_b[65], sig_hex[5][129], ring[1024], manifest[2048];
    size_t n = 0;
    signcore_manifest_report report;
    signcore_signer_check checks[8];
    signcore_error err;
    int i;
    begin_set("manifest n-of-m");
    CHECK_STATUS(signcore_key_from_ed25519_seed(&a, "release-a", seed_a), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_from_ed25519_seed(&b, "release-b", seed_b), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_from_hmac_secret(&c, "release-c", secret_c, sizeof secret_c - 1), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_from_hmac_secret(&d, "outsider", secret_c, 4), SIGNCORE_OK);
    CHECK_STATUS(signcore_audit_digest_hex(content, strlen(content), NULL, digest_hex, NULL), SIGNCORE_OK);
    CHECK_STATUS(signcore_audit_digest(content, strlen(content), NULL, digest, NULL), SIGNCORE_OK);
    signcore_key_public_key(&a, pk);
    to_hex(pk, 32, pk_a, sizeof pk_a);
    signcore_key_public_key(&b, pk);
    to_hex(pk, 32, pk_b, sizeof pk_b);
    snprintf(ring, sizeof ring,
             "[{\"kid\":\"release-a\",\"alg\":\"ed25519\",\"public_key\":\"%s\"},"
             "{\"kid\":\"release-b\",\"alg\":\"ed25519\",\"public_key\":\"%s\"},"
             "{\"kid\":\"release-c\",\"alg\":\"hmac-sha256\",\"secret_hex\":\"%s\"}]",
             pk_a, pk_b, "632d736563726574" /* "c-secret" */);
    {
        const signcore_key *signers[4] = {&a, &b, &c, &d};
        for (i = 0; i < 4; i++) {
            signcore_key_sign(signers[i], digest, 32, sig, sizeof sig, &n);
            if (i == 2)
                sig[5] ^= 0x40; /* c's signature does not verify */
            to_hex(sig, n, sig_hex[i], sizeof sig_hex[i]);
        }
    }
    snprintf(manifest, sizeof manifest,
             "{\"digest\":\"%s\",\"signatures\":["
             "{\"kid\":\"release-a\",\"alg\":\"ed25519\",\"signature\":\"%s\"},"
             "{\"kid\":\"release-b\",\"alg\":\"ed25519\",\"signature\":\"%s\"},"
             "{\"kid\":\"release-c\",\"alg\":\"hmac-sha256\",\"signature\":\"%s\"},"
             "{\"kid\":\"outsider\",\"alg\":\"hmac-sha256\",\"signature\":\"%s\"},"
             "{\"kid\":\"release-a\",\"alg\":\"ed25519\",\"signature\":\"%s\"},"
             "{\"kid\":\"release-b\"}]}",
             digest_hex, sig_hex[0], sig_hex[1], sig_hex[2], sig_hex[3], sig_hex[0]);
    CHECK_STATUS(signcore_verify_manifest(manifest, strlen(manifest), ring, strlen(ring), 2, checks, 8, &report, &err),
                 SIGNCORE_OK);
    CHECK(report.met && report.valid == 2 && report.invalid == 1 && report.unknown == 1 && report.duplicate == 1 &&
              report.malformed == 1 && report.threshold == 2,
          "counts");
    CHECK(report.signers_total == 6 && report.signers_written == 6, "signer totals");
    CHECK(memcmp(report.digest, digest, 32) == 0, "digest");
    CHECK(checks[0].status == SIGNCORE_SIGNER_VALID && checks[1].status == SIGNCORE_SIGNER_VALID &&
              checks[2].status == SIGNCORE_SIGNER_INVALID && checks[3].status == SIGNCORE_SIGNER_UNKNOWN &&
              checks[4].status == SIGNCORE_SIGNER_DUPLICATE && checks[5].status == SIGNCORE_SIGNER_MALFORMED,
          "verdicts");
    CHECK(checks[3].has_kid && strcmp(checks[3].kid, "outsider") == 0 && checks[3].index == 3, "kid");
    CHECK(strcmp(signcore_signer_status_str((int)checks[4].status), "duplicate") == 0, "verdict name");
    CHECK_STATUS(signcore_verify_manifest(manifest, strlen(manifest), ring, strlen(ring), 3, checks, 2, &report, NULL),
                 SIGNCORE_THRESHOLD_NOT_MET);
    CHECK(!report.met && report.valid == 2 && report.signers_total == 6 && report.signers_written == 2, "3-of-3");
    CHECK_STATUS(signcore_verify_manifest(manifest, strlen(manifest), ring, strlen(ring), 0, checks, 8, &report, &err),
                 SIGNCORE_INVALID_THRESHOLD);
    CHECK_STATUS(signcore_verify_manifest(manifest, strlen(manifest), ring, strlen(ring), 1, NULL, 0, &report, NULL),
                 SIGNCORE_OK);
    {
        static const char short_digest[] = "{\"digest\":\"00\",\"signatures\":[]}";
        CHECK_STATUS(signcore_verify_manifest(short_digest, sizeof short_digest - 1, ring, strlen(ring), 1, NULL, 0,
                                              &report, NULL),
                     SIGNCORE_INVALID_LENGTH);
    }
    CHECK_STATUS(signcore_verify_manifest("[]", 2, ring, strlen(ring), 1, NULL, 0, &report, NULL), SIGNCORE_INVALID_JSON);
    signcore_key_wipe(&a);
    signcore_key_wipe(&b);
    signcore_key_wipe(&c);
    signcore_key_wipe(&d);
    end_set();
}

/* -------------------------------------------------------------------- misuse */

static void test_null_pointers(void)
{
    static const char json[] = "{\"b\":1,\"a\":2}";
    static const uint8_t bytes[32] = {1};
    static const char ring[] = "[]";
    char out[128];
    uint8_t raw[64];
    size_t n = 777;
    signcore_key key = {{0}}, good = {{0}};
    signcore_key_info info;
    signcore_finding findings[2];
    signcore_chain_report chain_report;
    signcore_signer_check checks[2];
    signcore_manifest_report manifest_report;
    signcore_error err;
    const signcore_status NP = SIGNCORE_NULL_POINTER;
    begin_set("misuse: NULL pointers");
    signcore_key_from_hmac_secret(&good, "good", bytes, 32);

    CHECK_STATUS(signcore_canonicalize(NULL, 0, out, sizeof out, &n, &err), NP);
    CHECK(err.status == NP && err.message[0] != '\0', "error details for NULL");
    CHECK_STATUS(signcore_canonicalize(NULL, sizeof json - 1, out, sizeof out, &n, NULL), NP);
    CHECK_STATUS(signcore_canonicalize(json, sizeof json - 1, NULL, sizeof out, &n, NULL), NP);
    CHECK_STATUS(signcore_canonicalize(json, sizeof json - 1, out, sizeof out, NULL, NULL), NP);
    CHECK(n == 777, "written untouched on NULL");

    CHECK_STATUS(signcore_audit_digest_hex(NULL, 0, NULL, out, NULL), NP);
    CHECK_STATUS(signcore_audit_digest_hex(json, sizeof json - 1, NULL, NULL, NULL), NP);
    CHECK_STATUS(signcore_audit_digest(NULL, 0, NULL, raw, NULL), NP);
    CHECK_STATUS(signcore_audit_digest(json, sizeof json - 1, NULL, NULL, NULL), NP);

    CHECK_STATUS(signcore_hex_encode(NULL, 0, out, sizeof out, &n), NP);
    CHECK_STATUS(signcore_hex_encode(bytes, 4, NULL, sizeof out, &n), NP);
    CHECK_STATUS(signcore_hex_encode(bytes, 4, out, sizeof out, NULL), NP);
    CHECK_STATUS(signcore_hex_decode(NULL, 0, raw, sizeof raw, &n), NP);
    CHECK_STATUS(signcore_hex_decode("abcd", 4, NULL, sizeof raw, &n), NP);
    CHECK_STATUS(signcore_hex_decode("abcd", 4, raw, sizeof raw, NULL), NP);

    CHECK_STATUS(signcore_key_from_keystore(NULL, "[]", 2, "a", NULL), NP);
    CHECK_STATUS(signcore_key_from_keystore(&key, NULL, 0, "a", NULL), NP);
    CHECK_STATUS(signcore_key_from_keystore(&key, "[]", 2, NULL, NULL), NP);
    CHECK_STATUS(signcore_key_from_hmac_secret(NULL, "k", bytes, 8), NP);
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, NULL, bytes, 8), NP);
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "k", NULL, 8), NP);
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "k", NULL, 0), NP);
    CHECK_STATUS(signcore_key_from_ed25519_seed(NULL, "k", bytes), NP);
    CHECK_STATUS(signcore_key_from_ed25519_seed(&key, NULL, bytes), NP);
    CHECK_STATUS(signcore_key_from_ed25519_seed(&key, "k", NULL), NP);
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_KEY_NOT_INITIALIZED);

    CHECK_STATUS(signcore_key_sign(NULL, bytes, 32, raw, sizeof raw, &n), NP);
    CHECK_STATUS(signcore_key_sign(&good, NULL, 32, raw, sizeof raw, &n), NP);
    CHECK_STATUS(signcore_key_sign(&good, bytes, 32, NULL, sizeof raw, &n), NP);
    CHECK_STATUS(signcore_key_sign(&good, bytes, 32, raw, sizeof raw, NULL), NP);
    CHECK_STATUS(signcore_key_verify(NULL, bytes, 32, raw, 32), NP);
    CHECK_STATUS(signcore_key_verify(&good, NULL, 32, raw, 32), NP);
    CHECK_STATUS(signcore_key_verify(&good, bytes, 32, NULL, 32), NP);
    CHECK_STATUS(signcore_key_hash(NULL, raw), NP);
    CHECK_STATUS(signcore_key_hash(&good, NULL), NP);
    CHECK_STATUS(signcore_key_public_key(NULL, raw), NP);
    CHECK_STATUS(signcore_key_public_key(&good, NULL), NP);
    CHECK_STATUS(signcore_key_metadata(NULL, &info), NP);
    CHECK_STATUS(signcore_key_metadata(&good, NULL), NP);
    CHECK_STATUS(signcore_key_wipe(NULL), NP);

    CHECK_STATUS(signcore_keystore_metadata(NULL, 0, &info, 1, &n, NULL), NP);
    CHECK_STATUS(signcore_keystore_metadata("[]", 2, NULL, 1, &n, NULL), NP);
    CHECK_STATUS(signcore_keystore_metadata("[]", 2, &info, 1, NULL, NULL), NP);
    CHECK_STATUS(signcore_keystore_metadata("[]", 2, NULL, 0, &n, NULL), SIGNCORE_OK);
    CHECK(n == 0, "empty keystore");

    CHECK_STATUS(signcore_ed25519_verify(NULL, bytes, 32, raw, 64), NP);
    CHECK_STATUS(signcore_ed25519_verify(bytes, NULL, 32, raw, 64), NP);
    CHECK_STATUS(signcore_ed25519_verify(bytes, bytes, 32, NULL, 64), NP);
    CHECK_STATUS(signcore_hmac_sha256_verify(NULL, 8, bytes, 32, raw, 32), NP);
    CHECK_STATUS(signcore_hmac_sha256_verify(bytes, 8, NULL, 32, raw, 32), NP);
    CHECK_STATUS(signcore_hmac_sha256_verify(bytes, 8, bytes, 32, NULL, 32), NP);

    CHECK_STATUS(signcore_verify_chain(NULL, 0, ring, 2, NULL, findings, 2, &chain_report, NULL), NP);
    CHECK_STATUS(signcore_verify_chain("[]", 2, NULL, 0, NULL, findings, 2, &chain_report, NULL), NP);
    CHECK_STATUS(signcore_verify_chain("[]", 2, ring, 2, NULL, NULL, 2, &chain_report, NULL), NP);
    CHECK_STATUS(signcore_verify_chain("[]", 2, ring, 2, NULL, findings, 2, NULL, NULL), NP);
    CHECK_STATUS(signcore_verify_chain("[]", 2, ring, 2, NULL, NULL, 0, &chain_report, NULL), SIGNCORE_OK);
    CHECK(chain_report.checked == 0 && chain_report.ok, "empty chain");

    CHECK_STATUS(signcore_verify_manifest(NULL, 0, ring, 2, 1, checks, 2, &manifest_report, NULL), NP);
    CHECK_STATUS(signcore_verify_manifest("{}", 2, NULL, 0, 1, checks, 2, &manifest_report, NULL), NP);
    CHECK_STATUS(signcore_verify_manifest("{}", 2, ring, 2, 1, NULL, 2, &manifest_report, NULL), NP);
    CHECK_STATUS(signcore_verify_manifest("{}", 2, ring, 2, 1, checks, 2, NULL, NULL), NP);

#if defined(SIGNCORE_FEATURE_STD)
    CHECK_STATUS(signcore_key_from_env(NULL, NULL, NULL, NULL, NULL), NP);
#endif

    /* The string functions accept any int. */
    CHECK(strcmp(signcore_status_code(SIGNCORE_OK), "OK") == 0, "status code");
    CHECK(strcmp(signcore_status_code(SIGNCORE_KEY_NOT_FOUND), "KEY_NOT_FOUND") == 0, "status code");
    CHECK(strcmp(signcore_status_code(-1), "UNKNOWN") == 0, "unknown status code");
    CHECK(strcmp(signcore_status_str(123456), "unknown signcore status") == 0, "unknown status");
    CHECK(signcore_status_str(SIGNCORE_NULL_POINTER)[0] != '\0', "status string");
    CHECK(strcmp(signcore_alg_str(99), "unknown") == 0 && strcmp(signcore_finding_code_str(0), "UNKNOWN") == 0 &&
              strcmp(signcore_signer_status_str(-5), "?") == 0 && strcmp(signcore_key_source_str(42), "unknown") == 0,
          "unknown enum values");
    signcore_key_wipe(&good);
    end_set();
}

static void test_capacities(void)
{
    static const char json[] = "{\"z\": [1e21, 1E-7, -0], \"a\": \"\\u00e9\"}";
    static const char want[] = "{\"a\":\"\xc3\xa9\",\"z\":[1e+21,1e-7,0]}";
    const size_t want_len = sizeof want - 1;
    char out[128];
    uint8_t raw[128];
    size_t n;
    signcore_key hmac = {{0}}, ed = {{0}};
    signcore_key_info infos[8];
    signcore_error err;
    static const uint8_t seed[32] = {9};
    begin_set("misuse: capacities");

    /* Zero capacity, with and without a buffer: the size needed, nothing written. */
    memset(out, 0xAA, sizeof out);
    n = 0;
    CHECK_STATUS(signcore_canonicalize(json, sizeof json - 1, out, 0, &n, &err), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == want_len && all_bytes(out, sizeof out, 0xAA), "cap 0");
    CHECK(strstr(err.message, "bytes needed") != NULL, "message says the size");
    n = 0;
    CHECK_STATUS(signcore_canonicalize(json, sizeof json - 1, out, want_len - 1, &n, NULL), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == want_len && all_bytes(out, sizeof out, 0xAA), "cap needed-1");
    CHECK_STATUS(signcore_canonicalize(json, sizeof json - 1, out, want_len, &n, NULL), SIGNCORE_OK);
    CHECK(n == want_len && memcmp(out, want, want_len) == 0 && (uint8_t)out[want_len] == 0xAA, "exact capacity");

    /* Hex: the needed size counts the NUL. */
    memset(out, 0xAA, sizeof out);
    CHECK_STATUS(signcore_hex_encode(seed, 4, out, 8, &n), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == 9 && all_bytes(out, sizeof out, 0xAA), "hex cap");
    CHECK_STATUS(signcore_hex_encode(seed, 4, NULL, 0, &n), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == 9, "hex size query");
    CHECK_STATUS(signcore_hex_encode(seed, 4, out, 9, &n), SIGNCORE_OK);
    CHECK(n == 8 && strcmp(out, "09000000") == 0, "hex");
    CHECK_STATUS(signcore_hex_encode(seed, 0, out, 1, &n), SIGNCORE_OK);
    CHECK(n == 0 && out[0] == '\0', "empty hex");
    memset(raw, 0xAA, sizeof raw);
    CHECK_STATUS(signcore_hex_decode("ABcd01", 6, raw, 2, &n), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == 3 && all_bytes(raw, sizeof raw, 0xAA), "unhex cap");
    CHECK_STATUS(signcore_hex_decode("ABcd0", 5, raw, 8, &n), SIGNCORE_INVALID_HEX);
    CHECK_STATUS(signcore_hex_decode("ABcdzz", 6, raw, 8, &n), SIGNCORE_INVALID_HEX);
    CHECK(all_bytes(raw, sizeof raw, 0xAA), "nothing written on bad hex");
    CHECK_STATUS(signcore_hex_decode("ABcd01", 6, raw, 3, &n), SIGNCORE_OK);
    CHECK(n == 3 && raw[0] == 0xab && raw[1] == 0xcd && raw[2] == 0x01 && raw[3] == 0xAA, "unhex");

    /* Signatures: 32 or 64 bytes. */
    signcore_key_from_hmac_secret(&hmac, "h", seed, 32);
    signcore_key_from_ed25519_seed(&ed, "e", seed);
    memset(raw, 0xAA, sizeof raw);
    CHECK_STATUS(signcore_key_sign(&hmac, seed, 32, NULL, 0, &n), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == SIGNCORE_HMAC_TAG_BYTES, "hmac size query");
    CHECK_STATUS(signcore_key_sign(&hmac, seed, 32, raw, 31, &n), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == 32 && all_bytes(raw, sizeof raw, 0xAA), "hmac cap 31");
    CHECK_STATUS(signcore_key_sign(&ed, seed, 32, raw, 63, &n), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == SIGNCORE_ED25519_SIG_BYTES && all_bytes(raw, sizeof raw, 0xAA), "ed25519 cap 63");
    CHECK_STATUS(signcore_key_sign(&ed, seed, 32, raw, 0, &n), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == 64, "ed25519 cap 0");
    CHECK_STATUS(signcore_key_sign(&ed, seed, 32, raw, 64, &n), SIGNCORE_OK);
    CHECK(n == 64 && raw[64] == 0xAA, "ed25519 exact");
    CHECK_STATUS(signcore_key_sign(&ed, seed, 0, raw, 64, &n), SIGNCORE_OK);

    /* Keystore metadata: the count needed, nothing written. */
    {
        static const char ks[] = "[{\"key_id\":\"a\",\"alg\":\"hmac\",\"secret_hex\":\"01\"},"
                                 "{\"key_id\":\"b\",\"alg\":\"hmac\",\"secret_hex\":\"02\",\"label\":\"B\"}]";
        memset(infos, 0xAA, sizeof infos);
        CHECK_STATUS(signcore_keystore_metadata(ks, sizeof ks - 1, infos, 1, &n, &err), SIGNCORE_BUFFER_TOO_SMALL);
        CHECK(n == 2 && all_bytes(infos, sizeof infos, 0xAA), "metadata cap 1");
        CHECK(strstr(err.message, "2 records needed") != NULL, "capacity message counts records");
        CHECK_STATUS(signcore_keystore_metadata(ks, sizeof ks - 1, NULL, 0, &n, NULL), SIGNCORE_BUFFER_TOO_SMALL);
        CHECK(n == 2, "metadata count query");
        CHECK_STATUS(signcore_keystore_metadata(ks, sizeof ks - 1, infos, 2, &n, &err), SIGNCORE_OK);
        CHECK(n == 2 && strcmp(infos[1].label, "B") == 0 && !infos[0].has_label, "metadata");
        CHECK(err.status == SIGNCORE_OK && err.message[0] == '\0', "error cleared on success");
    }

    /* Digest outputs are untouched on failure. */
    memset(out, 0xAA, sizeof out);
    CHECK_STATUS(signcore_audit_digest_hex("{", 1, NULL, out, &err), SIGNCORE_INVALID_JSON);
    CHECK(err.offset == 1, "JSON error offset");
    CHECK_STATUS(signcore_audit_digest_hex("{}", 2, "abc", out, NULL), SIGNCORE_INVALID_HEX);
    CHECK_STATUS(signcore_audit_digest_hex("{}", 2, "abcd", out, NULL), SIGNCORE_INVALID_LENGTH);
    CHECK(all_bytes(out, sizeof out, 0xAA), "digest untouched");
    CHECK_STATUS(signcore_audit_digest_hex("{}", 2, NULL, out, NULL), SIGNCORE_OK);
    CHECK(strlen(out) == 64 && (uint8_t)out[65] == 0xAA, "65 bytes written");
    /* Overlapping input and output are refused. */
    {
        char buf[64] = "[1,2]";
        CHECK_STATUS(signcore_canonicalize(buf, 5, buf + 2, 32, &n, NULL), SIGNCORE_INVALID_ARGUMENT);
        CHECK_STATUS(signcore_canonicalize(buf, 5, buf + 8, 32, &n, NULL), SIGNCORE_OK);
        CHECK(n == 5 && memcmp(buf + 8, "[1,2]", 5) == 0, "disjoint is fine");
    }
    signcore_key_wipe(&hmac);
    signcore_key_wipe(&ed);
    end_set();
}

static void test_inputs(void)
{
    signcore_key key = {{0}};
    signcore_key_info info;
    char out[64];
    size_t n;
    signcore_error err;
    static const uint8_t secret[65] = {7};
    begin_set("misuse: bad inputs");
    /* Invalid UTF-8, in JSON and in C string arguments. */
    CHECK_STATUS(signcore_canonicalize("\"\xff\"", 3, out, sizeof out, &n, &err), SIGNCORE_INVALID_UTF8);
    CHECK(strstr(err.message, "UTF-8") != NULL && err.offset != (size_t)-1, "utf-8 message");
    CHECK_STATUS(signcore_canonicalize("\"\xed\xa0\x80\"", 5, out, sizeof out, &n, NULL), SIGNCORE_INVALID_UTF8);
    CHECK_STATUS(signcore_canonicalize("\"\\ud800\"", 8, out, sizeof out, &n, NULL), SIGNCORE_LONE_SURROGATE);
    CHECK_STATUS(signcore_canonicalize("{\"a\":1,\"a\":2}", 13, out, sizeof out, &n, NULL), SIGNCORE_DUPLICATE_MEMBER);
    CHECK_STATUS(signcore_canonicalize("1e400", 5, out, sizeof out, &n, NULL), SIGNCORE_NUMBER_OUT_OF_RANGE);
    CHECK_STATUS(signcore_canonicalize("[] x", 4, out, sizeof out, &n, NULL), SIGNCORE_INVALID_JSON);
    CHECK_STATUS(signcore_canonicalize("", 0, out, sizeof out, &n, NULL), SIGNCORE_INVALID_JSON);
    {
        char deep[200];
        memset(deep, '[', 100);
        memset(deep + 100, ']', 100);
        CHECK_STATUS(signcore_canonicalize(deep, 200, out, sizeof out, &n, NULL), SIGNCORE_LIMIT_EXCEEDED);
    }
    /* Embedded NUL bytes are data, not terminators. */
    CHECK_STATUS(signcore_canonicalize("[1]\0", 4, out, sizeof out, &n, NULL), SIGNCORE_INVALID_JSON);
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "\xc3\x28", secret, 8), SIGNCORE_INVALID_UTF8);
    CHECK_STATUS(signcore_key_from_keystore(&key, "[]", 2, "\xff", NULL), SIGNCORE_INVALID_UTF8);
    /* Key ids: non-empty, at most 64 bytes. */
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "", secret, 8), SIGNCORE_INVALID_ARGUMENT);
    CHECK_STATUS(signcore_key_from_hmac_secret(&key,
                                               "0123456789012345678901234567890123456789012345678901234567890123456789",
                                               secret, 8),
                 SIGNCORE_INVALID_ARGUMENT);
    /* HMAC secrets: 1..=64 bytes. */
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "k", secret, 0), SIGNCORE_INVALID_KEY);
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "k", secret, 65), SIGNCORE_INVALID_KEY);
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "k", secret, 64), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_public_key(&key, (uint8_t *)out), SIGNCORE_INVALID_ARGUMENT);
    /* Unknown key ids. */
    CHECK_STATUS(signcore_key_from_keystore(&key, "[]", 2, "a", &err), SIGNCORE_KEY_NOT_FOUND);
    {
        static const char short_seed[] = "[{\"key_id\":\"a\",\"alg\":\"ed25519\",\"secret_hex\":\"00\"}]";
        static const char rsa[] = "[{\"key_id\":\"a\",\"alg\":\"rsa-sha256\",\"secret_hex\":\"00\"}]";
        CHECK_STATUS(signcore_key_from_keystore(&key, short_seed, sizeof short_seed - 1, "a", &err),
                     SIGNCORE_INVALID_KEYSTORE);
        CHECK(err.record_index == 0 && strstr(err.message, "record 0") != NULL, "names the record");
        CHECK_STATUS(signcore_key_from_keystore(&key, rsa, sizeof rsa - 1, "a", &err), SIGNCORE_UNSUPPORTED_ALGORITHM);
        CHECK(strstr(err.message, "rsa-sha256") != NULL, "rsa-sha256 named");
    }
    /* The key from before is still there. */
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_OK);
    CHECK(strcmp(info.key_id, "k") == 0 && info.source == SIGNCORE_SOURCE_EXPLICIT, "key kept");
    /* Rings: bad records are input errors, not findings. */
    {
        static const char bad_ring[] = "[{\"kid\":\"x\",\"alg\":\"ed25519\",\"public_key\":\"zz\"}]";
        signcore_chain_report report;
        CHECK_STATUS(signcore_verify_chain("[]", 2, bad_ring, sizeof bad_ring - 1, NULL, NULL, 0, &report, &err),
                     SIGNCORE_INVALID_KEY_RING);
        /* Issue 8 item 15: a ring error says "key ring", not "keystore". */
        CHECK(strstr(err.message, "key ring") != NULL && strstr(err.message, "keystore") == NULL &&
                  err.record_index == 0,
              "ring error labelled as a key ring");
        CHECK_STATUS(signcore_verify_chain("{}", 2, "[]", 2, NULL, NULL, 0, &report, NULL), SIGNCORE_INVALID_JSON);
        CHECK_STATUS(signcore_verify_chain("[{}]", 4, "[]", 2, NULL, NULL, 0, &report, NULL), SIGNCORE_CHAIN_INVALID);
        CHECK(report.checked == 1 && report.findings_total == 1, "malformed event is a finding");
    }
    signcore_key_wipe(&key);
    end_set();
}

static void test_key_lifecycle(void)
{
    static const uint8_t secret[] = "test-ci-signing-key";
    static const uint8_t msg[32] = {5};
    signcore_key key, other;
    signcore_key_info info;
    uint8_t sig[64], hash[32];
    size_t n = 0;
    begin_set("misuse: key lifecycle");
    CHECK(sizeof(signcore_key) == SIGNCORE_KEY_STORAGE_BYTES && signcore_key_storage_bytes() == sizeof(signcore_key),
          "storage size");
    CHECK(signcore_key_storage_align() == SIGNCORE_KEY_STORAGE_ALIGN && SIGNCORE_KEY_STORAGE_ALIGN <= 8 &&
              SIGNCORE_KEY_STORAGE_WORDS * 8 == SIGNCORE_KEY_STORAGE_BYTES,
          "storage alignment");
    CHECK(signcore_hash_bytes() == SIGNCORE_HASH_BYTES && signcore_ed25519_sig_bytes() == SIGNCORE_ED25519_SIG_BYTES &&
              signcore_hmac_tag_bytes() == 32 && signcore_max_signature_bytes() == 64 &&
              signcore_ed25519_seed_bytes() == 32 && signcore_ed25519_public_key_bytes() == 32 &&
              signcore_key_id_max_bytes() == SIGNCORE_KEY_ID_MAX_BYTES && signcore_max_keys() == SIGNCORE_MAX_KEYS,
          "size functions");
    CHECK(strlen(signcore_version()) > 0, "version");

    /* Never initialised: zeroed and garbage storage are both refused. */
    memset(&key, 0, sizeof key);
    CHECK_STATUS(signcore_key_sign(&key, msg, 32, sig, sizeof sig, &n), SIGNCORE_KEY_NOT_INITIALIZED);
    memset(&key, 0x5A, sizeof key);
    CHECK_STATUS(signcore_key_sign(&key, msg, 32, sig, sizeof sig, &n), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK_STATUS(signcore_key_verify(&key, msg, 32, sig, 32), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK_STATUS(signcore_key_hash(&key, hash), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK_STATUS(signcore_key_public_key(&key, hash), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_KEY_NOT_INITIALIZED);

    /* Misaligned storage is refused, not used. */
    {
        union {
            signcore_key key;
            unsigned char bytes[sizeof(signcore_key) + 8];
        } u;
        memset(&u, 0, sizeof u);
        CHECK_STATUS(signcore_key_wipe((signcore_key *)(void *)(u.bytes + 1)), SIGNCORE_INVALID_ARGUMENT);
        CHECK_STATUS(signcore_key_from_hmac_secret((signcore_key *)(void *)(u.bytes + 4), "k", secret, 4),
                     SIGNCORE_INVALID_ARGUMENT);
        CHECK(all_bytes(&u, sizeof u, 0), "misaligned storage untouched");
    }

    /* Initialise (over garbage), use, wipe, wipe again. */
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "local", secret, sizeof secret - 1), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_sign(&key, msg, 32, sig, sizeof sig, &n), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_OK);
    CHECK(strcmp(info.key_id, "local") == 0 && info.alg == SIGNCORE_ALG_HMAC_SHA256 && !info.has_label, "metadata");
    /* A copy works until wiped separately (documented). */
    memcpy(&other, &key, sizeof key);
    CHECK_STATUS(signcore_key_verify(&other, msg, 32, sig, n), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_wipe(&other), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_wipe(&key), SIGNCORE_OK);
    CHECK(all_bytes(&key, sizeof key, 0), "wipe zeroes every byte");
    CHECK_STATUS(signcore_key_sign(&key, msg, 32, sig, sizeof sig, &n), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK_STATUS(signcore_key_verify(&key, msg, 32, sig, 32), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK_STATUS(signcore_key_wipe(&key), SIGNCORE_OK);
    CHECK(all_bytes(&key, sizeof key, 0), "double wipe");
    /* Refill an initialised key with another algorithm. */
    CHECK_STATUS(signcore_key_from_hmac_secret(&key, "a", secret, 8), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_from_ed25519_seed(&key, "b", msg), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_OK);
    CHECK(strcmp(info.key_id, "b") == 0 && info.alg == SIGNCORE_ALG_ED25519, "refilled");
    CHECK_STATUS(signcore_key_wipe(&key), SIGNCORE_OK);
    end_set();
}

/* ------------------------------------------------- issue 8: core fixes */

/* Appends one signed event (payload given as JSON text) to `buf`; `prev` is
 * updated to its hash. Returns false when the payload cannot be digested. */
static bool append_event(char *buf, size_t cap, size_t *used, const char *payload, uint8_t prev[32], bool first,
                         const signcore_key *key, const char *kid, const char *alg)
{
    uint8_t digest[32], sig[64];
    char hash_hex[65], prev_hex[65], sig_hex[129];
    size_t n = 0;
    bool ok = signcore_audit_digest(payload, strlen(payload), first ? NULL : prev, digest, NULL) == SIGNCORE_OK;
    if (!ok)
        memset(digest, 0x11, sizeof digest);
    signcore_key_sign(key, digest, 32, sig, sizeof sig, &n);
    to_hex(digest, 32, hash_hex, sizeof hash_hex);
    to_hex(prev, 32, prev_hex, sizeof prev_hex);
    to_hex(sig, n, sig_hex, sizeof sig_hex);
    *used += (size_t)snprintf(buf + *used, cap - *used,
                              "%s{\"payload\":%s,\"hash\":\"%s\",\"prev_hash\":%s%s%s,\"kid\":\"%s\",\"alg\":\"%s\","
                              "\"signature\":\"%s\"}",
                              first ? "[" : ",", payload, hash_hex, first ? "" : "\"", first ? "null" : prev_hex,
                              first ? "" : "\"", kid, alg, sig_hex);
    memcpy(prev, digest, 32);
    return ok;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A keystore of `count` HMAC keys "k-<i>" (secret = 32 bytes derived from i). */
static char *make_keystore(size_t count, size_t *len)
{
    size_t cap = count * 128 + 16, used = 0, i;
    char *ks = (char *)malloc(cap);
    if (!ks)
        return NULL;
    used += (size_t)snprintf(ks + used, cap - used, "[");
    for (i = 0; i < count; i++)
        used += (size_t)snprintf(ks + used, cap - used,
                                 "%s{\"key_id\":\"k-%lu\",\"alg\":\"hmac-sha256\",\"secret_hex\":\"%064lx\"}",
                                 i ? "," : "", (unsigned long)i, (unsigned long)(i * 2654435761u + 1));
    used += (size_t)snprintf(ks + used, cap - used, "]");
    *len = used;
    return ks;
}

static void test_core_fixes(void)
{
    static const uint8_t seed[32] = {61, 62, 63, 64, 65};
    signcore_key key = {{0}}, twin = {{0}};
    signcore_finding findings[8];
    signcore_chain_report report;
    signcore_error err;
    uint8_t prev[32] = {0}, pk[32], digest[32], sig[64];
    char *events = (char *)malloc(64 * 1024), *payload = (char *)malloc(256);
    char pk_hex[65], ring[512], manifest[1024], sig_hex[129], digest_hex[65];
    size_t used = 0, depth, n = 0;
    begin_set("issue 8: core fixes via C");
    if (!events || !payload) {
        CHECK(false, "malloc");
        free(events);
        free(payload);
        end_set();
        return;
    }
    CHECK_STATUS(signcore_key_from_ed25519_seed(&key, "deep", seed), SIGNCORE_OK);
    signcore_key_public_key(&key, pk);
    to_hex(pk, 32, pk_hex, sizeof pk_hex);
    snprintf(ring, sizeof ring, "[{\"kid\":\"deep\",\"alg\":\"ed25519\",\"public_key\":\"%s\"}]", pk_hex);

    /* Item 2: payloads nested 62..65 deep under the event envelope. 62..64
     * are canonicalized and signed, so they verify; 65 cannot be digested and
     * is MALFORMED at its index, not an error for the whole chain. */
    for (depth = 62; depth <= 65; depth++) {
        bool digestible;
        memset(payload, '[', depth);
        memset(payload + depth, ']', depth);
        payload[2 * depth] = '\0';
        digestible = append_event(events, 64 * 1024, &used, payload, prev, depth == 62, &key, "deep", "ed25519");
        CHECK(digestible == (depth <= SIGNCORE_MAX_DEPTH), "payload digestible up to SIGNCORE_MAX_DEPTH");
    }
    used += (size_t)snprintf(events + used, 64 * 1024 - used, "]");
    CHECK_STATUS(signcore_verify_chain(events, used, ring, strlen(ring), NULL, findings, 8, &report, &err),
                 SIGNCORE_CHAIN_INVALID);
    CHECK(report.checked == 4 && report.findings_total == 1, "depth 62..65: four events checked, one finding");
    CHECK(report.findings_written == 1 && findings[0].index == 3 && findings[0].code == SIGNCORE_FINDING_MALFORMED,
          "depth 65 is MALFORMED at index 3");
    /* Only the first three: a clean chain. */
    {
        char *cut = NULL;
        size_t k = 0;
        char *p = events;
        /* find the 4th event start */
        for (; (p = strstr(p, ",{\"payload\":")) != NULL; p++)
            if (++k == 3) {
                cut = p;
                break;
            }
        if (cut) {
            cut[0] = ']';
            CHECK_STATUS(signcore_verify_chain(events, (size_t)(cut - events) + 1, ring, strlen(ring), NULL, findings,
                                               8, &report, &err),
                         SIGNCORE_OK);
            CHECK(report.checked == 3 && report.ok, "depth 62..64 verify");
        } else {
            CHECK(false, "4th event");
        }
    }

    /* Item 3: one key under two kids counts once toward a threshold. */
    CHECK_STATUS(signcore_key_from_ed25519_seed(&twin, "twin-b", seed), SIGNCORE_OK);
    snprintf(ring, sizeof ring,
             "[{\"kid\":\"twin-a\",\"alg\":\"ed25519\",\"public_key\":\"%s\"},"
             "{\"kid\":\"twin-b\",\"alg\":\"ed25519\",\"public_key\":\"%s\"}]",
             pk_hex, pk_hex);
    signcore_audit_digest("{\"release\":1}", 13, NULL, digest, NULL);
    to_hex(digest, 32, digest_hex, sizeof digest_hex);
    signcore_key_sign(&twin, digest, 32, sig, sizeof sig, &n);
    to_hex(sig, n, sig_hex, sizeof sig_hex);
    snprintf(manifest, sizeof manifest,
             "{\"digest\":\"%s\",\"signatures\":[{\"kid\":\"twin-a\",\"alg\":\"ed25519\",\"signature\":\"%s\"},"
             "{\"kid\":\"twin-b\",\"alg\":\"ed25519\",\"signature\":\"%s\"}]}",
             digest_hex, sig_hex, sig_hex);
    {
        signcore_manifest_report mr;
        signcore_signer_check checks[2];
        CHECK_STATUS(signcore_verify_manifest(manifest, strlen(manifest), ring, strlen(ring), 2, checks, 2, &mr, &err),
                     SIGNCORE_THRESHOLD_NOT_MET);
        CHECK(mr.valid == 1 && !mr.met, "one key under two kids: valid = 1");
        CHECK(checks[0].status == SIGNCORE_SIGNER_VALID && checks[1].status == SIGNCORE_SIGNER_DUPLICATE,
              "the second kid of the same key is a duplicate");
        CHECK_STATUS(signcore_verify_manifest(manifest, strlen(manifest), ring, strlen(ring), 1, NULL, 0, &mr, &err),
                     SIGNCORE_OK);
    }

    /* Item 8: a 17-key keystore is a ring in the std build; 16,000 keys load fast. */
    {
        size_t ks_len = 0, count = 0;
        char *ks = make_keystore(17, &ks_len);
        signcore_key k16 = {{0}};
        double t0;
        used = 0;
        memset(prev, 0, sizeof prev);
        CHECK_STATUS(signcore_key_from_keystore(&k16, ks, ks_len, "k-16", &err), SIGNCORE_OK);
        append_event(events, 64 * 1024, &used, "{\"n\":1}", prev, true, &k16, "k-16", "hmac-sha256");
        used += (size_t)snprintf(events + used, 64 * 1024 - used, "]");
#if defined(SIGNCORE_FEATURE_STD)
        CHECK_STATUS(signcore_verify_chain(events, used, ks, ks_len, NULL, findings, 8, &report, &err), SIGNCORE_OK);
        CHECK(report.checked == 1 && report.ok, "17-key keystore as a ring");
#endif
        signcore_key_wipe(&k16);
        free(ks);
        /* SIGNCORE_TEST_BIG_KEYSTORE: fewer keys under valgrind (tests/c/run.sh). */
        const char *big_env = getenv("SIGNCORE_TEST_BIG_KEYSTORE");
        size_t big = big_env ? (size_t)strtoul(big_env, NULL, 10) : 16000;
        char last[32];
        if (big < 1)
            big = 1;
        snprintf(last, sizeof last, "k-%lu", (unsigned long)(big - 1));
        ks = make_keystore(big, &ks_len);
        t0 = now_ms();
        CHECK_STATUS(signcore_keystore_metadata(ks, ks_len, NULL, 0, &count, &err), SIGNCORE_BUFFER_TOO_SMALL);
        CHECK(count == big, "every key counted");
        printf("%lu-key keystore (%lu bytes): metadata count %.1f ms", (unsigned long)big, (unsigned long)ks_len,
               now_ms() - t0);
        t0 = now_ms();
        CHECK_STATUS(signcore_key_from_keystore(&k16, ks, ks_len, last, &err), SIGNCORE_OK);
        printf(", load the last key %.1f ms", now_ms() - t0);
#if defined(SIGNCORE_FEATURE_STD)
        t0 = now_ms();
        CHECK_STATUS(signcore_verify_chain("[]", 2, ks, ks_len, NULL, NULL, 0, &report, &err), SIGNCORE_OK);
        printf(", as a ring %.1f ms", now_ms() - t0);
#endif
        printf("\n");
        signcore_key_wipe(&k16);
        free(ks);
    }
    signcore_key_wipe(&key);
    signcore_key_wipe(&twin);
    free(events);
    free(payload);
    end_set();
}

/*
 * Issue 8 item 10: what each build accepts. This binary links the std build,
 * which moves the member table to the heap past SIGNCORE_MAX_OPEN_MEMBERS
 * (the no_std build refuses such input with SIGNCORE_LIMIT_EXCEEDED; it is
 * built by ffi-c/build-thumbv7em.sh, not run here).
 */
static void test_limits_per_build(void)
{
    size_t members = SIGNCORE_MAX_OPEN_MEMBERS + 44, i, used = 0, n = 0, cap = 16 * 1024;
    char *json = (char *)malloc(cap), *out = (char *)malloc(cap);
    signcore_error err;
    begin_set("limits per build (std)");
    if (!json || !out) {
        CHECK(false, "malloc");
        free(json);
        free(out);
        end_set();
        return;
    }
    used += (size_t)snprintf(json + used, cap - used, "{");
    for (i = members; i > 0; i--) /* reverse order: canonicalization must sort */
        used += (size_t)snprintf(json + used, cap - used, "%s\"m%04lu\":%lu", i == members ? "" : ",",
                                 (unsigned long)i, (unsigned long)i);
    used += (size_t)snprintf(json + used, cap - used, "}");
#if defined(SIGNCORE_FEATURE_STD)
    CHECK_STATUS(signcore_canonicalize(json, used, out, cap, &n, &err), SIGNCORE_OK);
    CHECK(n == used && strncmp(out, "{\"m0001\":1,\"m0002\":2,", 21) == 0, "300 members, sorted");
    {
        char hex[65];
        CHECK_STATUS(signcore_audit_digest_hex(json, used, NULL, hex, &err), SIGNCORE_OK);
    }
#else
    CHECK_STATUS(signcore_canonicalize(json, used, out, cap, &n, &err), SIGNCORE_LIMIT_EXCEEDED);
#endif
    free(json);
    free(out);
    end_set();
}

/*
 * Issue 8 item 7: signcore_verify_chain writes neither findings nor the report
 * when it returns an input error, also when the array is unreadable only
 * after events that have findings (trailing data, a truncated archive).
 */
static void test_chain_error_writes_nothing(void)
{
    static const char *const bad[] = {
        "[{},{},{}] x",     /* trailing data */
        "[{},{},{}",        /* truncated after the last event */
        "[{},{},{},",       /* truncated after a comma */
        "[{},{},{} {}]",    /* a missing comma */
        "[{},{},{}]]",      /* an extra bracket */
    };
    signcore_finding findings[4];
    signcore_chain_report report;
    signcore_error err;
    size_t i;
    begin_set("verify_chain: errors write nothing");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t cap;
        for (cap = 0; cap <= 4; cap += 2) {
            memset(findings, 0xAA, sizeof findings);
            memset(&report, 0xAA, sizeof report);
            CHECK_STATUS(signcore_verify_chain(bad[i], strlen(bad[i]), "[]", 2, NULL, cap ? findings : NULL, cap,
                                               &report, &err),
                         SIGNCORE_INVALID_JSON);
            CHECK(all_bytes(findings, sizeof findings, 0xAA), "no finding written on an input error");
            CHECK(all_bytes(&report, sizeof report, 0xAA), "no report written on an input error");
            CHECK(err.status == SIGNCORE_INVALID_JSON && err.offset != (size_t)-1, "error details");
        }
    }
    /* The same events in a well-formed array: three MALFORMED findings. */
    memset(findings, 0xAA, sizeof findings);
    CHECK_STATUS(signcore_verify_chain("[{},{},{}]", 10, "[]", 2, NULL, findings, 2, &report, &err),
                 SIGNCORE_CHAIN_INVALID);
    CHECK(report.checked == 3 && report.findings_total == 3 && report.findings_written == 2 && !report.ok,
          "bounded log");
    CHECK(findings[0].index == 0 && findings[1].index == 1 && findings[0].code == SIGNCORE_FINDING_MALFORMED,
          "findings written");
    CHECK(all_bytes(&findings[2], 2 * sizeof findings[0], 0xAA), "only findings_cap written");
    end_set();
}

/*
 * Issue 8 item 13: a corrupted signcore_key never crashes a call and never
 * signs. Every byte of a valid HMAC and Ed25519 key is flipped (two ways)
 * and sign, verify, hash, public key and metadata are called. Every
 * corruption must be refused by every call (SIGNCORE_KEY_NOT_INITIALIZED for
 * the tag's bytes, SIGNCORE_KEY_CORRUPTED for any other) with no output
 * written: the storage keeps the secret (HMAC secret, Ed25519 seed) as
 * plain bytes under the keyed checksum, so a flipped seed or secret byte is
 * refused like any other. Then the tag followed by random bytes.
 * (corruption_outcome still classifies the other outcomes, to report them.)
 */
enum corruption_outcome { REFUSED, UNCHANGED, FAILS_CLOSED, BAD };

static enum corruption_outcome corruption_outcome(const signcore_key *bad, const signcore_key *good,
                                                  signcore_status want)
{
    static const uint8_t msg[32] = {1, 2, 3};
    uint8_t sig[64], good_sig[64], hash[32], good_hash[32], pub[32], good_pub[32];
    signcore_key_info info, good_info;
    size_t n = 77, good_n = 0;
    signcore_status got[5], good_pub_status;
    int i;
    bool refused = true, untouched;
    memset(sig, 0xAA, sizeof sig);
    memset(hash, 0xAA, sizeof hash);
    memset(pub, 0xAA, sizeof pub);
    memset(&info, 0xAA, sizeof info);
    got[0] = signcore_key_sign(bad, msg, sizeof msg, sig, sizeof sig, &n);
    got[1] = signcore_key_verify(bad, msg, sizeof msg, sig, 64);
    got[2] = signcore_key_hash(bad, hash);
    got[3] = signcore_key_public_key(bad, pub);
    got[4] = signcore_key_metadata(bad, &info);
    untouched = n == 77 && all_bytes(sig, sizeof sig, 0xAA) && all_bytes(hash, sizeof hash, 0xAA) &&
                all_bytes(pub, sizeof pub, 0xAA) && all_bytes(&info, sizeof info, 0xAA);
    for (i = 0; i < 5; i++)
        refused = refused && got[i] == want;
    if (refused)
        return untouched ? REFUSED : BAD;
    /* Not refused: every answer must be the intact key's, or the signature must fail closed. */
    signcore_key_sign(good, msg, sizeof msg, good_sig, sizeof good_sig, &good_n);
    signcore_key_hash(good, good_hash);
    good_pub_status = signcore_key_public_key(good, good_pub);
    signcore_key_metadata(good, &good_info);
    if (got[0] != SIGNCORE_OK || got[2] != SIGNCORE_OK || got[4] != SIGNCORE_OK || got[3] != good_pub_status ||
        memcmp(hash, good_hash, 32) != 0 || (good_pub_status == SIGNCORE_OK && memcmp(pub, good_pub, 32) != 0) ||
        strcmp(info.key_id, good_info.key_id) != 0 || info.alg != good_info.alg)
        return BAD;
    if (n == good_n && memcmp(sig, good_sig, n) == 0)
        return UNCHANGED;
    return signcore_key_verify(good, msg, sizeof msg, sig, n) == SIGNCORE_SIGNATURE_INVALID ? FAILS_CLOSED : BAD;
}

static void test_key_corruption(void)
{
    static const uint8_t secret[] = "corruption-test-secret";
    static const uint8_t seed[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    static const uint8_t flips[2] = {0x01, 0xFF};
    signcore_key good, bad;
    size_t off, f;
    int kind, trial;
    long counts[2][4] = {{0}};
    uint32_t rng = 0x12345678u;
    char what[128];
    begin_set("misuse: corrupted keys");
    for (kind = 0; kind < 2; kind++) {
        memset(&good, 0, sizeof good);
        if (kind == 0)
            CHECK_STATUS(signcore_key_from_hmac_secret(&good, "hmac", secret, sizeof secret - 1), SIGNCORE_OK);
        else
            CHECK_STATUS(signcore_key_from_ed25519_seed(&good, "ed", seed), SIGNCORE_OK);
        for (off = 0; off < sizeof good; off++) {
            for (f = 0; f < sizeof flips; f++) {
                signcore_status want = off < 8 ? SIGNCORE_KEY_NOT_INITIALIZED : SIGNCORE_KEY_CORRUPTED;
                enum corruption_outcome outcome;
                memcpy(&bad, &good, sizeof bad);
                ((uint8_t *)&bad)[off] ^= flips[f];
                outcome = corruption_outcome(&bad, &good, want);
                counts[kind][outcome]++;
                snprintf(what, sizeof what, "%s key, byte %lu ^ 0x%02x: not refused by every call (outcome %d)",
                         kind ? "ed25519" : "hmac", (unsigned long)off, flips[f], (int)outcome);
                CHECK(outcome == REFUSED, what);
            }
        }
        /* The tag followed by random bytes (the forged-storage case). */
        for (trial = 0; trial < 200; trial++) {
            memcpy(&bad, &good, 8);
            for (off = 8; off < sizeof bad; off++) {
                rng = rng * 1103515245u + 12345u;
                ((uint8_t *)&bad)[off] = (uint8_t)(rng >> 16);
            }
            CHECK(corruption_outcome(&bad, &good, SIGNCORE_KEY_CORRUPTED) == REFUSED, "random storage refused");
        }
        /* The intact key still works, a byte-for-byte copy too; wiping a corrupted key is fine. */
        memcpy(&bad, &good, sizeof bad);
        {
            static const uint8_t msg[32] = {4};
            uint8_t sig[64];
            size_t n = 0;
            CHECK_STATUS(signcore_key_sign(&bad, msg, 32, sig, sizeof sig, &n), SIGNCORE_OK);
            CHECK_STATUS(signcore_key_verify(&good, msg, 32, sig, n), SIGNCORE_OK);
        }
        ((uint8_t *)&bad)[100] ^= 1;
        CHECK_STATUS(signcore_key_wipe(&bad), SIGNCORE_OK);
        CHECK(all_bytes(&bad, sizeof bad, 0), "corrupted key wiped");
        signcore_key_wipe(&good);
        printf("corrupted %s key: %lu flips: %ld refused, %ld no effect, %ld signatures that fail closed\n",
               kind ? "ed25519" : "hmac", (unsigned long)(2 * sizeof good), counts[kind][REFUSED],
               counts[kind][UNCHANGED], counts[kind][FAILS_CLOSED]);
    }
    CHECK(strcmp(signcore_status_code((int)SIGNCORE_KEY_CORRUPTED), "KEY_CORRUPTED") == 0, "status code");
    end_set();
}

/* ----------------------------------------------------------- environment */

#if defined(SIGNCORE_FEATURE_STD)
static char g_warnings[2048];
static int g_warning_count;

static void on_warning(void *ctx, const char *message)
{
    size_t used = strlen(g_warnings);
    (void)ctx;
    g_warning_count++;
    snprintf(g_warnings + used, sizeof g_warnings - used, "%s\n", message);
}

static const char *const ENV_VARS[] = {
    "AUDIT_SIGNING_KMS_KEY_ID", "AUDIT_SIGNING_ALG", "AWS_REGION", "AWS_DEFAULT_REGION", "SIGNING_PROXY_URL",
    "SIGNING_PROXY_API_KEY", "RITMA_KEY_ID", "RITMA_KEYSTORE_PATH", "RITMA_KEY_HASH", "RITMA_KEY_LABEL",
    "UTLD_PACKAGE_SIG_KEY", "AUDIT_SIGNING_KEY", "AUDIT_SIGNING_PRIVATE_KEY", "AUDIT_SIGNING_SECRET",
    "MOCK_AUDIT_SIGNING_KEY", "REQUIRE_KMS", "NODE_ENV",
};

static void clear_env(void)
{
    size_t i;
    for (i = 0; i < sizeof ENV_VARS / sizeof ENV_VARS[0]; i++)
        unsetenv(ENV_VARS[i]);
    g_warnings[0] = '\0';
    g_warning_count = 0;
}

static signcore_status from_env(signcore_key *key, signcore_key_source *source, signcore_error *err)
{
    return signcore_key_from_env(key, source, on_warning, NULL, err);
}

static void test_env(void)
{
    signcore_key key = {{0}};
    signcore_key_info info;
    signcore_key_source source = SIGNCORE_SOURCE_EXPLICIT;
    signcore_error err;
    char path[] = "/tmp/signcore-ks-XXXXXX";
    static const char ks[] = "[{\"key_id\":\"node-1\",\"alg\":\"ed25519\",\"secret_hex\":"
                             "\"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\",\"label\":\"edge\"}]";
    int fd;
    begin_set("signcore_key_from_env");

    clear_env();
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_NO_SIGNER);
    CHECK(source == SIGNCORE_SOURCE_NONE && strstr(err.message, "no signer configured") != NULL, "rule 7");
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_KEY_NOT_INITIALIZED);

    setenv("MOCK_AUDIT_SIGNING_KEY", "dev-mock-key", 1);
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_OK);
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_OK);
    CHECK(source == SIGNCORE_SOURCE_MOCK && info.source == SIGNCORE_SOURCE_MOCK && strcmp(info.key_id, "mock") == 0 &&
              info.alg == SIGNCORE_ALG_HMAC_SHA256,
          "rule 6: mock");
    CHECK(g_warning_count == 1 && strstr(g_warnings, "mock") != NULL && !strstr(g_warnings, "dev-mock-key"),
          "mock warning");

    setenv("AUDIT_SIGNING_KEY", "test-ci-signing-key", 1);
    g_warnings[0] = '\0';
    CHECK_STATUS(from_env(&key, NULL, &err), SIGNCORE_OK);
    signcore_key_metadata(&key, &info);
    CHECK(strcmp(info.key_id, "local") == 0 && info.source == SIGNCORE_SOURCE_LOCAL_ENV, "rule 5: local");
    CHECK(!strstr(g_warnings, "test-ci-signing-key"), "no secret in warnings");
    {
        /* The local HMAC key is the value's UTF-8 bytes. */
        signcore_key same = {{0}};
        uint8_t h1[32], h2[32];
        signcore_key_from_hmac_secret(&same, "x", (const uint8_t *)"test-ci-signing-key", 19);
        signcore_key_hash(&key, h1);
        signcore_key_hash(&same, h2);
        CHECK(memcmp(h1, h2, 32) == 0, "local key bytes");
        signcore_key_wipe(&same);
    }
    setenv("AUDIT_SIGNING_ALG", "rsa-sha256", 1);
    CHECK_STATUS(from_env(&key, NULL, &err), SIGNCORE_INVALID_SIGNER_CONFIG);
    unsetenv("AUDIT_SIGNING_ALG");

    setenv("UTLD_PACKAGE_SIG_KEY", "hmac:00ff00ff", 1);
    CHECK_STATUS(from_env(&key, &source, NULL), SIGNCORE_OK);
    signcore_key_metadata(&key, &info);
    CHECK(source == SIGNCORE_SOURCE_LEGACY_ENV && strcmp(info.key_id, "legacy-env") == 0, "rule 4: legacy");
    setenv("UTLD_PACKAGE_SIG_KEY", "no-colon", 1);
    CHECK_STATUS(from_env(&key, NULL, &err), SIGNCORE_INVALID_SIGNER_CONFIG);
    unsetenv("UTLD_PACKAGE_SIG_KEY");

    /* Production refuses mock and environment secrets. */
    setenv("NODE_ENV", "production", 1);
    signcore_key_wipe(&key);
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_SIGNER_REQUIRED);
    CHECK(strncmp(err.message, "Audit signing is required", 25) == 0, "production message");
    CHECK(!strstr(err.message, "test-ci-signing-key") && !strstr(err.message, "dev-mock-key"), "no secret in message");
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_KEY_NOT_INITIALIZED);

    /* Rule 3: the node keystore qualifies in production. */
    fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, ks, sizeof ks - 1) == (ssize_t)(sizeof ks - 1), "keystore file");
    if (fd >= 0)
        close(fd);
    setenv("RITMA_KEYSTORE_PATH", path, 1);
    setenv("RITMA_KEY_ID", "node-1", 1);
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_OK);
    signcore_key_metadata(&key, &info);
    CHECK(source == SIGNCORE_SOURCE_KEYSTORE && strcmp(info.key_id, "node-1") == 0 && info.has_label &&
              strcmp(info.label, "edge") == 0 && info.alg == SIGNCORE_ALG_ED25519,
          "rule 3: keystore");
    /* A keystore that cannot serve the id: a warning, then the next rule. */
    setenv("RITMA_KEY_ID", "node-2", 1);
    g_warnings[0] = '\0';
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_SIGNER_REQUIRED);
    CHECK(strstr(g_warnings, "RITMA_KEY_ID") != NULL, "keystore warning");
    unsetenv("NODE_ENV");
    g_warnings[0] = '\0';
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_OK);
    CHECK(source == SIGNCORE_SOURCE_LOCAL_ENV, "fell through to rule 5");
    CHECK(!contains_ci(g_warnings, "9d61b19deffd5a60"), "no keystore secret in warnings");
    setenv("RITMA_KEYSTORE_PATH", "/nonexistent/node_keystore.json", 1);
    g_warnings[0] = '\0';
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_OK);
    CHECK(strstr(g_warnings, "cannot be read") != NULL, "unreadable keystore warning");
    unlink(path);

    /* REQUIRE_KMS admits only remote signers. */
    setenv("REQUIRE_KMS", "true", 1);
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_SIGNER_REQUIRED);
    CHECK(strncmp(err.message, "Audit signing is required", 25) == 0 && strstr(err.message, "REQUIRE_KMS"),
          "REQUIRE_KMS message");
    setenv("SIGNING_PROXY_URL", "http://127.0.0.1:9", 1);
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_REMOTE_SIGNER_CONFIGURED);
    CHECK(source == SIGNCORE_SOURCE_PROXY && strstr(err.message, "SIGNING_PROXY_URL"), "rule 2: proxy");
    setenv("AUDIT_SIGNING_KMS_KEY_ID", "arn:aws:kms:eu-west-1:000000000000:key/test", 1);
    signcore_key_wipe(&key);
    CHECK_STATUS(from_env(&key, &source, &err), SIGNCORE_REMOTE_SIGNER_CONFIGURED);
    CHECK(source == SIGNCORE_SOURCE_KMS && strstr(err.message, "AUDIT_SIGNING_KMS_KEY_ID"), "rule 1: kms");
    CHECK_STATUS(signcore_key_metadata(&key, &info), SIGNCORE_KEY_NOT_INITIALIZED);
    CHECK(strcmp(signcore_key_source_str((int)source), "kms") == 0, "source name");
    clear_env();
    signcore_key_wipe(&key);
    end_set();
}
#endif

/*
 * Issue 8 item 15: messages name what is wrong (never a secret).
 * Item 14: the public ring exported from a keystore verifies its chains.
 */
static void test_messages_and_public_ring(void)
{
    static const char ks[] =
        "[{\"key_id\":\"node-ed\",\"alg\":\"ed25519\",\"secret_hex\":"
        "\"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\",\"label\":\"edge\"},"
        "{\"key_id\":\"node-hmac\",\"alg\":\"hmac-sha256\",\"secret_hex\":\"00112233445566778899aabbccddeeff\"}]";
    signcore_key key = {{0}};
    signcore_error err;
    signcore_key_info infos[1];
    signcore_chain_report report;
    signcore_finding findings[4];
    char ring[1024], events[2048];
    uint8_t prev[32] = {0};
    size_t n = 0, omitted = 99, used = 0;
    begin_set("issue 8: messages, public ring");
    /* KEY_NOT_FOUND names the key id. */
    CHECK_STATUS(signcore_key_from_keystore(&key, ks, sizeof ks - 1, "node-missing", &err), SIGNCORE_KEY_NOT_FOUND);
    CHECK(strstr(err.message, "node-missing") != NULL, "KEY_NOT_FOUND names the key id");
    /* Capacities are named: bytes for byte buffers, records for arrays. */
    CHECK_STATUS(signcore_canonicalize("[1,2]", 5, events, 2, &n, &err), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == 5 && strstr(err.message, "5 bytes") != NULL, "byte capacity named");
    CHECK_STATUS(signcore_keystore_metadata(ks, sizeof ks - 1, infos, 1, &n, &err), SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(n == 2 && strstr(err.message, "2 records") != NULL, "record capacity named");
    /* No secret in any message. */
    CHECK(!contains_ci(err.message, "9d61b19d") && !contains_ci(err.message, "00112233"), "no secret");

    /* Item 14: the public ring holds the Ed25519 public key only. */
    CHECK_STATUS(signcore_keystore_public_ring(ks, sizeof ks - 1, false, NULL, 0, &n, NULL, &err),
                 SIGNCORE_BUFFER_TOO_SMALL);
    memset(ring, 0xAA, sizeof ring);
    CHECK_STATUS(signcore_keystore_public_ring(ks, sizeof ks - 1, false, ring, n - 1, &n, &omitted, &err),
                 SIGNCORE_BUFFER_TOO_SMALL);
    CHECK(all_bytes(ring, sizeof ring, 0xAA) && omitted == 99, "too small: nothing written");
    CHECK_STATUS(signcore_keystore_public_ring(ks, sizeof ks - 1, false, ring, sizeof ring - 1, &n, &omitted, &err),
                 SIGNCORE_OK);
    ring[n] = '\0';
    CHECK(omitted == 1 && strstr(ring, "\"kid\":\"node-ed\"") != NULL &&
              strstr(ring, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a") != NULL,
          "public ring: the Ed25519 public key");
    CHECK(!contains_ci(ring, "9d61b19d") && !contains_ci(ring, "00112233") && strstr(ring, "node-hmac") == NULL,
          "public ring: no secret, no HMAC entry");
    /* A chain signed by the keystore's Ed25519 key verifies against it. */
    CHECK_STATUS(signcore_key_from_keystore(&key, ks, sizeof ks - 1, "node-ed", &err), SIGNCORE_OK);
    append_event(events, sizeof events, &used, "{\"n\":1}", prev, true, &key, "node-ed", "ed25519");
    append_event(events, sizeof events, &used, "{\"n\":2}", prev, false, &key, "node-ed", "ed25519");
    used += (size_t)snprintf(events + used, sizeof events - used, "]");
    CHECK_STATUS(signcore_verify_chain(events, used, ring, n, NULL, findings, 4, &report, &err), SIGNCORE_OK);
    CHECK(report.checked == 2 && report.ok, "verified with the public ring");
    /* HMAC entries only on request (then it is a secret ring). */
    CHECK_STATUS(signcore_keystore_public_ring(ks, sizeof ks - 1, true, ring, sizeof ring - 1, &n, &omitted, &err),
                 SIGNCORE_OK);
    ring[n] = '\0';
    CHECK(omitted == 0 && strstr(ring, "00112233445566778899aabbccddeeff") != NULL, "HMAC entries on request");
    /* A refused keystore writes nothing and names the record. */
    memset(ring, 0xAA, sizeof ring);
    {
        static const char bad[] = "[{\"key_id\":\"x\",\"alg\":\"ed25519\",\"secret_hex\":\"00\"}]";
        CHECK_STATUS(signcore_keystore_public_ring(bad, sizeof bad - 1, false, ring, sizeof ring, &n, NULL, &err),
                     SIGNCORE_INVALID_KEYSTORE);
    }
    CHECK(all_bytes(ring, sizeof ring, 0xAA) && err.record_index == 0, "refused keystore: nothing written");
    CHECK_STATUS(signcore_keystore_public_ring(NULL, 0, false, ring, sizeof ring, &n, NULL, NULL),
                 SIGNCORE_NULL_POINTER);
    signcore_key_wipe(&key);
#if defined(SIGNCORE_FEATURE_STD)
    /* KEYSTORE_UNREADABLE names the path and the OS error (in the warning). */
    clear_env();
    setenv("RITMA_KEYSTORE_PATH", "/nonexistent/dir/node_keystore.json", 1);
    setenv("RITMA_KEY_ID", "node-ed", 1);
    setenv("MOCK_AUDIT_SIGNING_KEY", "dev-mock-key", 1);
    CHECK_STATUS(from_env(&key, NULL, &err), SIGNCORE_OK);
    CHECK(strstr(g_warnings, "/nonexistent/dir/node_keystore.json") != NULL &&
              (strstr(g_warnings, "No such file") != NULL || strstr(g_warnings, "not found") != NULL),
          "unreadable keystore: path and OS error named");
    /* Bad hex in an environment key names the variable, not the value. */
    clear_env();
    setenv("AUDIT_SIGNING_KEY", "zz-not-hex-zz", 1);
    setenv("AUDIT_SIGNING_ALG", "ed25519", 1);
    CHECK_STATUS(from_env(&key, NULL, &err), SIGNCORE_INVALID_HEX);
    CHECK(strstr(err.message, "AUDIT_SIGNING_KEY") != NULL && strstr(err.message, "zz-not-hex-zz") == NULL,
          "bad env hex names the variable");
    clear_env();
    setenv("UTLD_PACKAGE_SIG_KEY", "hmac:0g", 1);
    CHECK_STATUS(from_env(&key, NULL, &err), SIGNCORE_INVALID_HEX);
    CHECK(strstr(err.message, "UTLD_PACKAGE_SIG_KEY") != NULL, "legacy env hex names the variable");
    clear_env();
    signcore_key_wipe(&key);
#endif
    end_set();
}

/* ---------------------------------------------------------------------- main */


/* ---------------------------------------------------------------- rsa-sha256 */

#if defined(SIGNCORE_FEATURE_STD)
/* Wycheproof RSASSA-PKCS1-v1_5/SHA-256: each test signs msg; the signature
 * verifies over the pre-computed digest SHA256(msg) (DESIGN.md §2, KMS
 * MessageType=DIGEST). Then a chain signed by AWS KMS (the ministack
 * emulator, ffi-node/test/kms.suite.js) verified offline with its public ring. */
static void test_rsa(void)
{
    static const char *const files[] = {"wycheproof/rsa_signature_2048_sha256_test.json",
                                        "wycheproof/rsa_signature_3072_sha256_test.json",
                                        "wycheproof/rsa_signature_4096_sha256_test.json"};
    /* SIGNCORE_TEST_RSA_EVERY: check every Nth test only (valgrind). */
    const char *every_env = getenv("SIGNCORE_TEST_RSA_EVERY");
    int every = every_env ? atoi(every_env) : 1, tests = 0, run = 0;
    size_t f;
    begin_set("wycheproof rsa-sha256 verify");
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        cJSON *doc = read_json(files[f]), *group, *tc;
        cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(doc, "testGroups"))
        {
            size_t der_len = 0;
            uint8_t *der = unhex(str_member(group, "publicKeyDer"), &der_len);
            CHECK(der != NULL, "publicKeyDer");
            cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(group, "tests"))
            {
                size_t msg_len = 0, sig_len = 0;
                uint8_t digest[32];
                uint8_t *msg, *sig;
                const char *result = str_member(tc, "result");
                char what[96];
                signcore_status st;
                if (tests++ % (every > 0 ? every : 1) != 0)
                    continue;
                run++;
                msg = unhex(str_member(tc, "msg"), &msg_len);
                sig = unhex(str_member(tc, "sig"), &sig_len);
                snprintf(what, sizeof what, "%s tcId %d", files[f],
                         cJSON_GetObjectItemCaseSensitive(tc, "tcId")->valueint);
                CHECK_STATUS(signcore_sha256(msg ? msg : (const uint8_t *)"", msg_len, digest), SIGNCORE_OK);
                st = signcore_rsa_sha256_verify(der, der_len, digest, sig ? sig : (const uint8_t *)"", sig_len);
                if (strcmp(result, "valid") == 0)
                    check_status_(st, SIGNCORE_OK, __FILE__, __LINE__, what);
                else /* invalid, and "acceptable" (MissingNull): the strict verifier refuses */
                    CHECK(st == SIGNCORE_SIGNATURE_INVALID || st == SIGNCORE_INVALID_LENGTH, what);
                free(msg);
                free(sig);
            }
            free(der);
        }
        cJSON_Delete(doc);
    }
    CHECK(tests == 776, "776 Wycheproof RSA tests");
    printf("vectors: wycheproof rsa-sha256: %d of %d checked\n", run, tests);
    CHECK_STATUS(signcore_rsa_sha256_verify((const uint8_t *)"\x30\x00", 2, (const uint8_t *)"01234567890123456789012345678901",
                                            (const uint8_t *)"", 0),
                 SIGNCORE_INVALID_KEY);
    CHECK_STATUS(signcore_rsa_sha256_verify(NULL, 0, NULL, NULL, 0), SIGNCORE_NULL_POINTER);
    end_set();

    begin_set("kms rsa-2048 chain (offline)");
    {
        char path[2048];
        size_t events_len = 0, ring_len = 0;
        char *events, *ring, *tampered, *at;
        signcore_chain_report report;
        signcore_finding findings[8];
        signcore_error err;
        snprintf(path, sizeof path, "%s/../kms/rsa2048-chain.json", g_tests_dir);
        events = read_file(path, &events_len);
        snprintf(path, sizeof path, "%s/../kms/rsa2048-ring.json", g_tests_dir);
        ring = read_file(path, &ring_len);
        CHECK(events && ring, "tests/kms chain and ring");
        if (events && ring) {
            CHECK_STATUS(signcore_verify_chain(events, events_len, ring, ring_len, NULL, findings, 8, &report, &err),
                         SIGNCORE_OK);
            CHECK(report.checked == 20 && report.ok, "20 KMS-signed events verify");
            /* One flipped signature digit: SIGNATURE_INVALID at that event. */
            tampered = (char *)malloc(events_len + 1);
            memcpy(tampered, events, events_len + 1);
            at = strstr(tampered, "\"signature\"");
            at = at ? strchr(at + 12, '"') : NULL;
            if (at) {
                at[5] = at[5] == '0' ? '1' : '0';
                CHECK_STATUS(
                    signcore_verify_chain(tampered, events_len, ring, ring_len, NULL, findings, 8, &report, &err),
                    SIGNCORE_CHAIN_INVALID);
                CHECK(report.findings_total == 1 && findings[0].index == 0 &&
                          strcmp(signcore_finding_code_str((int)findings[0].code), "SIGNATURE_INVALID") == 0,
                      "tampered KMS signature found");
            }
            free(tampered);
        }
        free(events);
        free(ring);
    }
    end_set();
}
#endif

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("SIGNCORE_VECTORS");
    snprintf(g_vectors, sizeof g_vectors, "%s", dir ? dir : "../shared/vectors");
    if (getenv("SIGNCORE_TESTS_DIR"))
        snprintf(g_tests_dir, sizeof g_tests_dir, "%s", getenv("SIGNCORE_TESTS_DIR"));
    printf("signcore %s C API tests (%s), vectors: %s\n", signcore_version(),
#ifdef __cplusplus
           "C++",
#else
           "C",
#endif
           g_vectors);

    test_rfc8785_pairs();
    test_jcs_cases();
    test_audit_chains();
    test_keystores();
    test_wycheproof_ed25519();
    test_wycheproof_hmac();
    test_manifest();
    test_null_pointers();
    test_capacities();
    test_inputs();
    test_key_lifecycle();
    test_key_corruption();
    test_chain_error_writes_nothing();
    test_limits_per_build();
    test_core_fixes();
    test_messages_and_public_ring();
#if defined(SIGNCORE_FEATURE_STD)
    test_env();
    test_rsa();
#endif

    printf("%ld passed, %ld failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
