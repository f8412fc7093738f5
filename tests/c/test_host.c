/*
 * C tests of the host API of the C ABI (DESIGN.md §13): compliance burn
 * signatures and evidence packages signed by the Rust core
 * (tests/c/host_fixture.json, regenerated and checked by core/tests/host.rs)
 * and verified here, plus burns signed here, tampered evidence and misuse;
 * burns and §8 archives that core/examples/interop_fixtures.rs signs at test
 * time (INTEROP_DIR).
 *
 * Plain C99; also compiles as C++. Usage: test_host FIXTURE WORKDIR INTEROP_DIR.
 * The last line is "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "signcore.h"
#include "check.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)size + 1);
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[size] = 0;
        *len = (size_t)size;
    }
    return buf;
}

static void write_file(const char *dir, const char *path, const char *content)
{
    char full[4096];
    FILE *f;
    snprintf(full, sizeof full, "%s/%s", dir, path);
    /* one level of subdirectory is enough for the fixture */
    {
        char *slash = strrchr(full, '/');
        if (slash && slash > full + strlen(dir)) {
            *slash = 0;
            mkdir(full, 0700);
            *slash = '/';
        }
    }
    f = fopen(full, "wb");
    if (f) {
        fputs(content, f);
        fclose(f);
    }
}

static cJSON *g_fixture;
static char *g_keystore;

static void load_key(signcore_key *key, const char *key_id)
{
    CHECK_STATUS(signcore_key_from_keystore(key, g_keystore, strlen(g_keystore), key_id, NULL), SIGNCORE_OK);
}

static void test_burns_from_rust(void)
{
    const cJSON *burn;
    cJSON_ArrayForEach(burn, cJSON_GetObjectItem(g_fixture, "burns"))
    {
        const char *key_id = cJSON_GetObjectItem(burn, "key_id")->valuestring;
        const char *hash = cJSON_GetObjectItem(burn, "burn_hash")->valuestring;
        const char *sig = cJSON_GetObjectItem(burn, "signature")->valuestring;
        signcore_key key = {{0}};
        char out[SIGNCORE_BURN_SIGNATURE_BYTES];
        size_t out_len = 0;
        char upper[SIGNCORE_BURN_SIGNATURE_BYTES];
        size_t i;
        load_key(&key, key_id);
        /* signed in Rust, verified from C */
        CHECK_STATUS(signcore_verify_burn(&key, hash, strlen(hash), sig, strlen(sig)), SIGNCORE_OK);
        /* signed from C: the same text (both algorithms are deterministic) */
        CHECK_STATUS(signcore_sign_burn(&key, hash, strlen(hash), out, sizeof out, &out_len), SIGNCORE_OK);
        CHECK(out_len == strlen(sig) && strcmp(out, sig) == 0);
        /* hex of either case */
        snprintf(upper, sizeof upper, "%s", sig);
        for (i = 4; upper[i]; i++)
            if (upper[i] >= 'a' && upper[i] <= 'f')
                upper[i] = (char)(upper[i] - 'a' + 'A');
        CHECK_STATUS(signcore_verify_burn(&key, hash, strlen(hash), upper, strlen(upper)), SIGNCORE_OK);
        /* another hash text: invalid */
        CHECK_STATUS(signcore_verify_burn(&key, "other", 5, sig, strlen(sig)), SIGNCORE_SIGNATURE_INVALID);
        /* not sig_<hex> */
        CHECK_STATUS(signcore_verify_burn(&key, hash, strlen(hash), sig + 4, strlen(sig) - 4),
                     SIGNCORE_INVALID_BURN_SIGNATURE);
        CHECK_STATUS(signcore_verify_burn(&key, hash, strlen(hash), "sig_zz", 6), SIGNCORE_INVALID_BURN_SIGNATURE);
        CHECK_STATUS(signcore_verify_burn(&key, hash, strlen(hash), "sig_00", 6), SIGNCORE_INVALID_LENGTH);
        /* buffers: too small reports the size needed, NULL checks */
        out_len = 0;
        CHECK_STATUS(signcore_sign_burn(&key, hash, strlen(hash), out, 10, &out_len), SIGNCORE_BUFFER_TOO_SMALL);
        CHECK(out_len == strlen(sig) + 1);
        CHECK_STATUS(signcore_sign_burn(&key, hash, strlen(hash), NULL, 0, &out_len), SIGNCORE_BUFFER_TOO_SMALL);
        CHECK_STATUS(signcore_sign_burn(&key, NULL, 0, out, sizeof out, &out_len), SIGNCORE_NULL_POINTER);
        CHECK_STATUS(signcore_sign_burn(&key, hash, strlen(hash), out, sizeof out, NULL), SIGNCORE_NULL_POINTER);
        CHECK_STATUS(signcore_verify_burn(&key, hash, strlen(hash), NULL, 0), SIGNCORE_NULL_POINTER);
        CHECK_STATUS(signcore_sign_burn(NULL, hash, strlen(hash), out, sizeof out, &out_len), SIGNCORE_NULL_POINTER);
        signcore_key_wipe(&key);
        CHECK_STATUS(signcore_sign_burn(&key, hash, strlen(hash), out, sizeof out, &out_len),
                     SIGNCORE_KEY_NOT_INITIALIZED);
    }
}

static void verify(const char *package, const char *dir, int allow_unsigned, signcore_evidence_report *report,
                   char *json, size_t json_cap, signcore_status want)
{
    size_t json_len = 0;
    signcore_error error;
    CHECK_STATUS(signcore_verify_evidence(package, strlen(package), g_keystore, strlen(g_keystore), dir,
                                          allow_unsigned, report, json, json_cap, json_cap ? &json_len : NULL, &error),
                 want);
    if (want == SIGNCORE_OK && json_cap)
        CHECK(json_len == strlen(json));
}

static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    size_t n;
    char *out;
    if (!at)
        return NULL;
    n = strlen(text) - strlen(from) + strlen(to) + 1;
    out = (char *)malloc(n);
    if (!out)
        return NULL;
    memcpy(out, text, (size_t)(at - text));
    strcpy(out + (at - text), to);
    strcat(out, at + strlen(from));
    return out;
}

static void test_evidence_from_rust(const char *workdir)
{
    const cJSON *evidence = cJSON_GetObjectItem(g_fixture, "evidence");
    const char *package = cJSON_GetObjectItem(evidence, "package")->valuestring;
    const cJSON *file;
    signcore_evidence_report report;
    char json[4096];
    char path[4096];
    char *edited;
    signcore_error error;

    cJSON_ArrayForEach(file, cJSON_GetObjectItem(evidence, "files"))
        write_file(workdir, cJSON_GetObjectItem(file, "path")->valuestring,
                   cJSON_GetObjectItem(file, "content")->valuestring);

    /* the package alone, then against the directory */
    verify(package, NULL, 0, &report, json, sizeof json, SIGNCORE_OK);
    CHECK(report.ok == 1 && report.signature == SIGNCORE_EVIDENCE_SIGNATURE_VALID && report.files == 2);
    CHECK(report.files_checked == 0 && report.findings == 0);
    CHECK(strstr(json, "\"ok\":true") != NULL);
    verify(package, workdir, 0, &report, NULL, 0, SIGNCORE_OK);
    CHECK(report.ok == 1 && report.files_checked == 1);

    /* changed file */
    write_file(workdir, "summary.json", "{\"ok\":fals}");
    verify(package, workdir, 0, &report, json, sizeof json, SIGNCORE_OK);
    CHECK(report.ok == 0 && report.findings == 1 && strstr(json, "HASH_MISMATCH") != NULL);
    write_file(workdir, "summary.json", "{\"ok\":true}");
    /* extra file */
    write_file(workdir, "extra.txt", "x");
    verify(package, workdir, 0, &report, json, sizeof json, SIGNCORE_OK);
    CHECK(report.ok == 0 && strstr(json, "EXTRA_FILE") != NULL);
    snprintf(path, sizeof path, "%s/extra.txt", workdir);
    unlink(path);
    /* missing file */
    snprintf(path, sizeof path, "%s/logs/run.log", workdir);
    unlink(path);
    verify(package, workdir, 0, &report, json, sizeof json, SIGNCORE_OK);
    CHECK(report.ok == 0 && strstr(json, "FILE_MISSING") != NULL);
    write_file(workdir, "logs/run.log", "started\nfinished\n");
    verify(package, workdir, 0, &report, NULL, 0, SIGNCORE_OK);
    CHECK(report.ok == 1);

    /* edited package: the signature no longer verifies */
    edited = replace(package, "R4.5", "R4.6");
    CHECK(edited != NULL);
    if (edited) {
        verify(edited, NULL, 0, &report, json, sizeof json, SIGNCORE_OK);
        CHECK(report.ok == 0 && report.signature == SIGNCORE_EVIDENCE_SIGNATURE_INVALID);
        CHECK(strstr(json, "SIGNATURE_INVALID") != NULL);
        free(edited);
    }
    /* unsigned package: a finding unless allowed */
    {
        const char *sig_at = strstr(package, "\"signature\":{");
        const char *end = sig_at ? strchr(sig_at, '}') : NULL;
        if (sig_at && end) {
            size_t head = (size_t)(sig_at - package);
            char *unsigned_pkg = (char *)malloc(strlen(package) + 32);
            memcpy(unsigned_pkg, package, head);
            strcpy(unsigned_pkg + head, "\"signature\":null");
            strcat(unsigned_pkg, end + 1);
            verify(unsigned_pkg, NULL, 0, &report, NULL, 0, SIGNCORE_OK);
            CHECK(report.ok == 0 && report.signature == SIGNCORE_EVIDENCE_SIGNATURE_UNSIGNED);
            verify(unsigned_pkg, NULL, 1, &report, NULL, 0, SIGNCORE_OK);
            CHECK(report.ok == 1);
            free(unsigned_pkg);
        } else {
            CHECK(!"fixture package has a signature block");
        }
    }
    /* unreadable input: coded errors with a message */
    edited = replace(package, "\"files\"", "\"filez\"");
    if (edited) {
        CHECK_STATUS(signcore_verify_evidence(edited, strlen(edited), g_keystore, strlen(g_keystore), NULL, 0, &report,
                                              NULL, 0, NULL, &error),
                     SIGNCORE_INVALID_EVIDENCE);
        CHECK(error.status == SIGNCORE_INVALID_EVIDENCE);
        CHECK(strstr(error.message, "invalid evidence package") != NULL);
        free(edited);
    }
    CHECK_STATUS(signcore_verify_evidence("[1", 2, g_keystore, strlen(g_keystore), NULL, 0, &report, NULL, 0, NULL, NULL),
                 SIGNCORE_INVALID_JSON);
    CHECK_STATUS(signcore_verify_evidence(package, strlen(package), g_keystore, strlen(g_keystore),
                                          "/nonexistent-dir", 0, &report, NULL, 0, NULL, &error),
                 SIGNCORE_IO_ERROR);
    CHECK(error.status == SIGNCORE_IO_ERROR && strstr(error.message, "/nonexistent-dir") != NULL);
    /* a symbolic link inside the directory: NOT_PACKAGEABLE, naming it */
    snprintf(path, sizeof path, "%s/link", workdir);
    CHECK(symlink("summary.json", path) == 0);
    CHECK_STATUS(signcore_verify_evidence(package, strlen(package), g_keystore, strlen(g_keystore), workdir, 0,
                                          &report, NULL, 0, NULL, &error),
                 SIGNCORE_NOT_PACKAGEABLE);
    CHECK(error.status == SIGNCORE_NOT_PACKAGEABLE && strstr(error.message, "link") != NULL);
    unlink(path);
    /* more meta entries than the core's limit: LIMIT_EXCEEDED */
    {
        char *big = (char *)malloc(16384);
        size_t at = 0;
        int i;
        at += (size_t)sprintf(big + at, "{\"created_at\":\"2026-12-01T08:00:00Z\",\"files\":[],"
                                        "\"format\":\"signcore-evidence/1\",\"meta\":{");
        for (i = 0; i < 300; i++)
            at += (size_t)sprintf(big + at, "%s\"k%03d\":\"v\"", i ? "," : "", i);
        sprintf(big + at, "},\"signature\":null}");
        CHECK_STATUS(signcore_verify_evidence(big, strlen(big), g_keystore, strlen(g_keystore), NULL, 1, &report, NULL,
                                              0, NULL, &error),
                     SIGNCORE_LIMIT_EXCEEDED);
        free(big);
    }
    /* a ring that is not a ring: the ring's own status */
    CHECK_STATUS(signcore_verify_evidence(package, strlen(package), "[{\"kid\":1}]", 11, NULL, 0, &report, NULL, 0,
                                          NULL, &error),
                 SIGNCORE_INVALID_KEY_RING);
    CHECK_STATUS(signcore_verify_evidence(NULL, 0, g_keystore, strlen(g_keystore), NULL, 0, &report, NULL, 0, NULL,
                                          NULL),
                 SIGNCORE_NULL_POINTER);
    CHECK_STATUS(signcore_verify_evidence(package, strlen(package), g_keystore, strlen(g_keystore), NULL, 0, NULL,
                                          NULL, 0, NULL, NULL),
                 SIGNCORE_NULL_POINTER);
    {
        size_t need = 0;
        CHECK_STATUS(signcore_verify_evidence(package, strlen(package), g_keystore, strlen(g_keystore), NULL, 0,
                                              &report, json, 8, &need, NULL),
                     SIGNCORE_BUFFER_TOO_SMALL);
        CHECK(need > 8 && report.ok == 1);
    }
}

/* Issue 12: every host error a C function returns has its own status, code and text. */
static void test_host_status_codes(void)
{
    static const struct {
        signcore_status status;
        const char *code;
    } codes[] = {
        {SIGNCORE_INVALID_BURN_SIGNATURE, "INVALID_BURN_SIGNATURE"},
        {SIGNCORE_INVALID_EVIDENCE, "INVALID_EVIDENCE"},
        {SIGNCORE_IO_ERROR, "IO_ERROR"},
        {SIGNCORE_NOT_PACKAGEABLE, "NOT_PACKAGEABLE"},
    };
    size_t i;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *text = signcore_status_str((int)codes[i].status);
        CHECK(strcmp(signcore_status_code((int)codes[i].status), codes[i].code) == 0);
        CHECK(text != NULL && strcmp(text, "unknown signcore status") != 0 &&
              strcmp(text, signcore_status_str((int)SIGNCORE_OTHER_ERROR)) != 0);
        CHECK((int)codes[i].status >= 5100 && (int)codes[i].status < 5200);
    }
}

/*
 * Burns signed by the Rust host API at test time (core/examples/interop_fixtures.rs
 * writes DIR/burns.json; one burn hash is new on every run), verified here
 * through the C ABI; any altered signature or burn hash must fail.
 */
static void test_burns_interop(const char *dir)
{
    char path[4096];
    char *text, *keystore;
    size_t len = 0, n = 0;
    cJSON *fixture;
    const cJSON *burn;
    snprintf(path, sizeof path, "%s/burns.json", dir);
    text = read_file(path, &len);
    fixture = text ? cJSON_Parse(text) : NULL;
    free(text);
    CHECK(fixture != NULL);
    if (!fixture)
        return;
    keystore = cJSON_PrintUnformatted(cJSON_GetObjectItem(fixture, "keystore"));
    cJSON_ArrayForEach(burn, cJSON_GetObjectItem(fixture, "burns"))
    {
        const char *key_id = cJSON_GetObjectItem(burn, "key_id")->valuestring;
        const char *hash = cJSON_GetObjectItem(burn, "burn_hash")->valuestring;
        const char *sig = cJSON_GetObjectItem(burn, "signature")->valuestring;
        signcore_key key = {{0}};
        char altered[SIGNCORE_BURN_SIGNATURE_BYTES + 1];
        char other_hash[512];
        size_t i, sig_len = strlen(sig);
        CHECK_STATUS(signcore_key_from_keystore(&key, keystore, strlen(keystore), key_id, NULL), SIGNCORE_OK);
        CHECK_STATUS(signcore_verify_burn(&key, hash, strlen(hash), sig, sig_len), SIGNCORE_OK);
        /* every hex digit altered in turn: never verifies */
        for (i = 4; i < sig_len && sig_len < sizeof altered; i++) {
            memcpy(altered, sig, sig_len + 1);
            altered[i] = altered[i] == '0' ? '1' : '0';
            if (signcore_verify_burn(&key, hash, strlen(hash), altered, sig_len) != SIGNCORE_SIGNATURE_INVALID) {
                CHECK(!"an altered burn signature verified");
                break;
            }
        }
        snprintf(other_hash, sizeof other_hash, "%sx", hash);
        CHECK_STATUS(signcore_verify_burn(&key, other_hash, strlen(other_hash), sig, sig_len),
                     SIGNCORE_SIGNATURE_INVALID);
        signcore_key_wipe(&key);
        n++;
    }
    CHECK(n == 6);
    printf("interop: %lu burns signed by the Rust host API verified from C\n", (unsigned long)n);
    free(keystore);
    cJSON_Delete(fixture);
}

/* Issue 11: signcore_verify_archive over the §8 archives interop_fixtures.rs signs at test time. */
static char *read_in(const char *dir, const char *name)
{
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return read_file(path, &len);
}

static bool all_bytes(const void *p, size_t n, unsigned char v)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

static signcore_status verify_archive(const char *archive, const char *ring, size_t threshold, const char *anchor,
                                      signcore_finding *findings, size_t cap, signcore_archive_report *report)
{
    signcore_error error;
    memset(report, 0xAA, sizeof *report);
    return signcore_verify_archive(archive, strlen(archive), ring, strlen(ring), threshold, anchor, findings, cap,
                                   report, &error);
}

static bool has_finding(const signcore_finding *f, size_t n, signcore_finding_code code, uint64_t index)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (f[i].code == code && f[i].index == index && f[i].message[0] != 0)
            return true;
    return false;
}

static void test_archives(const char *dir)
{
    char *ring = read_in(dir, "archive-ring.json");
    char *valid = read_in(dir, "archive-valid.json");
    char *truncated = read_in(dir, "archive-truncated.json");
    char *unsigned_archive = read_in(dir, "archive-unsigned.json");
    char *cosigned = read_in(dir, "archive-cosigned.json");
    signcore_finding f[8];
    signcore_archive_report r;
    const uint64_t ARCHIVE = SIGNCORE_ARCHIVE_FINDING_INDEX;
    char *edited;
    long n = g_passed;
    CHECK(ring && valid && truncated && unsigned_archive && cosigned);
    if (!(ring && valid && truncated && unsigned_archive && cosigned))
        goto done;

    /* valid, signed by one of the three keys */
    CHECK_STATUS(verify_archive(valid, ring, 1, NULL, f, 8, &r), SIGNCORE_OK);
    CHECK(r.ok && r.checked == 4 && r.findings_total == 0 && r.findings_written == 0 && r.archive_findings == 0);
    CHECK(r.has_range && r.range_first == 0 && r.range_size == 4 && !r.has_anchor && all_bytes(r.anchor, 32, 0));
    CHECK(r.has_head && r.has_digest && r.has_manifest && r.threshold == 1 && r.valid_signers == 1);
    CHECK(r.invalid_signers == 0 && r.unknown_signers == 0 && !r.has_checkpoint && r.checkpoint_size == 0);
    {
        /* range.head is the last event's hash, as the archive states it */
        cJSON *doc = cJSON_Parse(valid);
        const cJSON *events = cJSON_GetObjectItem(doc, "events");
        const char *last = cJSON_GetObjectItem(cJSON_GetArrayItem(events, 3), "hash")->valuestring;
        char head_hex[SIGNCORE_HASH_HEX_BYTES];
        size_t written = 0;
        CHECK_STATUS(signcore_hex_encode(r.head, 32, head_hex, sizeof head_hex, &written), SIGNCORE_OK);
        CHECK(strcmp(head_hex, last) == 0);
        /* the expected anchor: genesis is "null"; any hash is a RANGE_MISMATCH */
        CHECK_STATUS(verify_archive(valid, ring, 1, "null", f, 8, &r), SIGNCORE_OK);
        CHECK_STATUS(verify_archive(valid, ring, 1, last, f, 8, &r), SIGNCORE_ARCHIVE_INVALID);
        CHECK(r.findings_total == 1 && has_finding(f, 1, SIGNCORE_FINDING_RANGE_MISMATCH, ARCHIVE));
        CHECK_STATUS(verify_archive(valid, ring, 1, "zz00000000000000000000000000000000000000000000000000000000000000", f, 8, &r),
                     SIGNCORE_INVALID_HEX);
        cJSON_Delete(doc);
    }
    /* the threshold is the verifier's: 2 is not met by one signature */
    CHECK_STATUS(verify_archive(valid, ring, 2, NULL, f, 8, &r), SIGNCORE_ARCHIVE_INVALID);
    CHECK(!r.ok && r.findings_total == 1 && r.archive_findings == 1 && r.valid_signers == 1 && r.threshold == 2);
    CHECK(has_finding(f, 1, SIGNCORE_FINDING_THRESHOLD_NOT_MET, ARCHIVE));

    /* truncated: last event cut, range and manifest kept */
    CHECK_STATUS(verify_archive(truncated, ring, 1, NULL, f, 8, &r), SIGNCORE_ARCHIVE_INVALID);
    CHECK(!r.ok && r.checked == 3 && r.range_size == 4 && r.archive_findings == r.findings_total);
    CHECK(r.findings_written == r.findings_total && r.findings_total >= 2);
    CHECK(has_finding(f, r.findings_written, SIGNCORE_FINDING_RANGE_MISMATCH, ARCHIVE));
    CHECK(has_finding(f, r.findings_written, SIGNCORE_FINDING_ARCHIVE_DIGEST_MISMATCH, ARCHIVE));
    /* a bounded log: only findings_cap entries written, all counted */
    memset(f, 0xAA, sizeof f);
    CHECK_STATUS(verify_archive(truncated, ring, 1, NULL, f, 1, &r), SIGNCORE_ARCHIVE_INVALID);
    CHECK(r.findings_written == 1 && r.findings_total >= 2 && all_bytes(&f[1], sizeof f[1], 0xAA));
    CHECK_STATUS(verify_archive(truncated, ring, 1, NULL, NULL, 0, &r), SIGNCORE_ARCHIVE_INVALID);
    CHECK(r.findings_written == 0 && r.findings_total >= 2);

    /* unsigned: THRESHOLD_NOT_MET only */
    CHECK_STATUS(verify_archive(unsigned_archive, ring, 1, NULL, f, 8, &r), SIGNCORE_ARCHIVE_INVALID);
    CHECK(r.findings_total == 1 && r.checked == 4 && r.valid_signers == 0);
    CHECK(has_finding(f, 1, SIGNCORE_FINDING_THRESHOLD_NOT_MET, ARCHIVE));

    /* 2-of-3 cosigned */
    CHECK_STATUS(verify_archive(cosigned, ring, 2, NULL, f, 8, &r), SIGNCORE_OK);
    CHECK(r.ok && r.valid_signers == 2 && r.threshold == 2);
    CHECK_STATUS(verify_archive(cosigned, ring, 3, NULL, f, 8, &r), SIGNCORE_ARCHIVE_INVALID);
    CHECK(r.findings_total == 1 && has_finding(f, 1, SIGNCORE_FINDING_THRESHOLD_NOT_MET, ARCHIVE));

    /* an archive carrying its signed checkpoint: checked against the events */
    {
        char *checkpointed = read_in(dir, "archive-checkpoint.json");
        CHECK(checkpointed != NULL);
        if (checkpointed) {
            CHECK_STATUS(verify_archive(checkpointed, ring, 1, NULL, f, 8, &r), SIGNCORE_OK);
            CHECK(r.ok && r.has_checkpoint && r.checkpoint_size == 4 && r.checkpoint_root_checked);
            CHECK(!all_bytes(r.checkpoint_root, 32, 0));
            free(checkpointed);
        }
    }

    /* an edited event: the chain finding at its index first, then the digest */
    edited = replace(valid, "\"export\"", "\"exp0rt\"");
    CHECK(edited != NULL);
    if (edited) {
        CHECK_STATUS(verify_archive(edited, ring, 1, NULL, f, 8, &r), SIGNCORE_ARCHIVE_INVALID);
        CHECK(r.findings_total == 2 && r.archive_findings == 1);
        CHECK(f[0].code == SIGNCORE_FINDING_HASH_MISMATCH && f[0].index == 1);
        CHECK(f[1].code == SIGNCORE_FINDING_ARCHIVE_DIGEST_MISMATCH && f[1].index == ARCHIVE);
        free(edited);
    }

    /* input errors: nothing written */
    memset(f, 0xAA, sizeof f);
    CHECK_STATUS(verify_archive(valid, ring, 0, NULL, f, 8, &r), SIGNCORE_INVALID_THRESHOLD);
    CHECK(all_bytes(&r, sizeof r, 0xAA) && all_bytes(f, sizeof f, 0xAA));
    {
        /* cut in the middle of the events: findings held back, never written */
        char *cut = (char *)malloc(strlen(truncated) + 1);
        size_t half = strlen(truncated) / 2;
        signcore_error error;
        memcpy(cut, truncated, half);
        cut[half] = 0;
        memset(&r, 0xAA, sizeof r);
        CHECK_STATUS(signcore_verify_archive(cut, half, ring, strlen(ring), 1, NULL, f, 8, &r, &error),
                     SIGNCORE_INVALID_JSON);
        CHECK(error.status == SIGNCORE_INVALID_JSON && error.offset != (size_t)-1);
        CHECK(all_bytes(&r, sizeof r, 0xAA) && all_bytes(f, sizeof f, 0xAA));
        free(cut);
    }
    edited = replace(valid, "signcore-archive/1", "signcore-archive/2");
    if (edited) {
        CHECK_STATUS(verify_archive(edited, ring, 1, NULL, f, 8, &r), SIGNCORE_INVALID_JSON);
        free(edited);
    }
    CHECK_STATUS(verify_archive("[]", ring, 1, NULL, f, 8, &r), SIGNCORE_INVALID_JSON);
    CHECK_STATUS(verify_archive(valid, "[{\"kid\":1}]", 1, NULL, f, 8, &r), SIGNCORE_INVALID_KEY_RING);
    CHECK(all_bytes(f, sizeof f, 0xAA));
    CHECK_STATUS(signcore_verify_archive(NULL, 0, ring, strlen(ring), 1, NULL, f, 8, &r, NULL), SIGNCORE_NULL_POINTER);
    CHECK_STATUS(signcore_verify_archive(valid, strlen(valid), ring, strlen(ring), 1, NULL, NULL, 8, &r, NULL),
                 SIGNCORE_NULL_POINTER);
    CHECK_STATUS(signcore_verify_archive(valid, strlen(valid), ring, strlen(ring), 1, NULL, f, 8, NULL, NULL),
                 SIGNCORE_NULL_POINTER);
    CHECK(strcmp(signcore_finding_code_str(SIGNCORE_FINDING_ARCHIVE_DIGEST_MISMATCH), "ARCHIVE_DIGEST_MISMATCH") == 0);
    CHECK(strcmp(signcore_finding_code_str(SIGNCORE_FINDING_RANGE_MISMATCH), "RANGE_MISMATCH") == 0);
    CHECK(strcmp(signcore_finding_code_str(SIGNCORE_FINDING_THRESHOLD_NOT_MET), "THRESHOLD_NOT_MET") == 0);
    CHECK(strcmp(signcore_finding_code_str(SIGNCORE_FINDING_CHECKPOINT_MISMATCH), "CHECKPOINT_MISMATCH") == 0);
    CHECK(strcmp(signcore_status_code((int)SIGNCORE_ARCHIVE_INVALID), "ARCHIVE_INVALID") == 0);
    printf("archives: %ld checks (valid, truncated, unsigned, 2-of-3 cosigned, edited, input errors)\n",
           g_passed - n);
done:
    free(ring);
    free(valid);
    free(truncated);
    free(unsigned_archive);
    free(cosigned);
}

int main(int argc, char **argv)
{
    size_t len = 0;
    char *text;
    if (argc < 4) {
        fprintf(stderr, "usage: test_host FIXTURE WORKDIR INTEROP_DIR\n");
        return 2;
    }
    text = read_file(argv[1], &len);
    g_fixture = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!g_fixture) {
        printf("cannot read %s\n0 passed, 1 failed\n", argv[1]);
        return 1;
    }
    g_keystore = cJSON_PrintUnformatted(cJSON_GetObjectItem(g_fixture, "keystore"));
    test_burns_from_rust();
    test_evidence_from_rust(argv[2]);
    test_host_status_codes();
    test_burns_interop(argv[3]);
    test_archives(argv[3]);
    free(g_keystore);
    cJSON_Delete(g_fixture);
    printf("%ld passed, %ld failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
