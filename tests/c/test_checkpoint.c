/*
 * C tests of the checkpoint and Merkle proof functions of the signcore C ABI
 * (DESIGN.md §12): signcore_checkpoint_verify, signcore_verify_inclusion,
 * signcore_verify_consistency, signcore_merkle_root.
 *
 * The note, keys and proofs below were produced by the Rust core (whose
 * trees and notes agree with Go's golang.org/x/mod/sumdb, see make test-go):
 * five events with hashes SHA256("event 0".."event 4"), a checkpoint of
 * origin "example.com/log" signed by that key and by a witness.
 * Plain C99; also compiles as C++. The last line is "N passed, M failed".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "signcore.h"
#include "check.h"

static void unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static const char NOTE[] =
    "example.com/log\n5\nSo/g2B+qbvPQ0LWl300SkmeLdVFNp2iCBhWFbFYUsFU=\n\n"
    "\xe2\x80\x94 example.com/log m+XTxp5vXjFG0dy1PA/GzQRcJCe2VyXNDXcEBqPaMPAV4uJeZii+O/MMAFJrM/glrNIo2vrvRrg7gHrWhULgSvj+Ng0=\n"
    "\xe2\x80\x94 witness.example dJZ5+OIt+LnbEfdE1wrLfVINqD5zqpG6wXSpu14OxOg8fAHh9HdvUpYmFBnaSAoqbbj4u4xh/EcaynLdClog9ClHpg8=\n";
static const char *const VA = "example.com/log+9be5d3c6+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c";
static const char *const VB = "witness.example+749679f8+AYE5dw6ofRdfVqNUZsNMfszLjYqRtO43ol32D1uPybOU";
static const char *const EVENTS[5] = {
    "5beeaf427ee0bfcd1a7b6f63010f2745110cf23ae088b859275cd0aad369561b",
    "fb378474af5953bec611fcb2602c5b61271c1f233b60c0adba76d5d6f47a50c4",
    "7f1ee17eb6d4b1815c8c0580dfb7ca0d3d5c3cde523da817ef7d3b1e96f6d5b8",
    "6c5cd6775eb412207f7f71f11f09047f1475b2b7526063195b777a230fe4c2a6",
    "2d245d477b973c0895afc098b46762967f728e5aec8555d81ceaf1996d4c33e0",
};
static const char ROOT5[] = "4a8fe0d81faa6ef3d0d0b5a5df4d1292678b75514da768820615856c5614b055";
static const char ROOT2[] = "81f5c95d6bef476e64b9599984e1033ec99eca3610a7750c7cca284764e35530";
static const char INCL3[] = /* leaf 3 of 5: three hashes */
    "844a329ebe8751c7fefa6a46cac076e69401ad5b04f8ddd016d23e4a2d8e10e7"
    "81f5c95d6bef476e64b9599984e1033ec99eca3610a7750c7cca284764e35530"
    "5a303f540cf9422b15446a945c7c78d27242002e9974b99f6cc3934ba71a64e6";
static const char CONS2[] = /* tree 2 in tree 5: two hashes */
    "142ab973a5179883865d97260e51b25f3b9ef5cc9d436b749209520ed67337a2"
    "5a303f540cf9422b15446a945c7c78d27242002e9974b99f6cc3934ba71a64e6";

static signcore_status verify_note(const char *note, size_t len, const char *origin, const char *const *keys,
                                   size_t nkeys, size_t threshold, signcore_checkpoint *cp, signcore_error *err)
{
    return signcore_checkpoint_verify((const uint8_t *)note, len, origin, keys, nkeys, threshold, cp, err);
}

static void checkpoints(void)
{
    signcore_checkpoint cp;
    signcore_error err;
    uint8_t root[32];
    const char *both[2] = {VA, VB};
    size_t len = strlen(NOTE);

    unhex(ROOT5, root);
    memset(&cp, 0, sizeof cp);
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", both, 1, 1, &cp, &err), SIGNCORE_OK);
    CHECK(cp.size == 5);
    CHECK(memcmp(cp.root, root, 32) == 0);
    CHECK(cp.verified == 1 && cp.unknown == 1 && cp.signed_by == 1);
    CHECK(cp.body_len == strlen("example.com/log\n5\nSo/g2B+qbvPQ0LWl300SkmeLdVFNp2iCBhWFbFYUsFU=\n"));
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", both, 2, 2, &cp, NULL), SIGNCORE_OK);
    CHECK(cp.verified == 2 && cp.unknown == 0 && cp.signed_by == 3);

    /* Refusals, each with a reason. */
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", both, 2, 3, &cp, &err), SIGNCORE_THRESHOLD_NOT_MET);
    CHECK(strstr(err.message, "2 trusted key(s) signed the note, 3 required") != NULL);
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", both + 1, 1, 1, &cp, &err), SIGNCORE_OK); /* witness alone */
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", both, 0, 1, &cp, &err), SIGNCORE_THRESHOLD_NOT_MET);
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", both, 2, 0, &cp, &err), SIGNCORE_INVALID_THRESHOLD);
    CHECK_STATUS(verify_note(NOTE, len, "other.example/log", both, 2, 1, &cp, &err), SIGNCORE_ORIGIN_MISMATCH);
    CHECK(err.status == SIGNCORE_ORIGIN_MISMATCH && strlen(err.message) > 0);
    {
        char forged[sizeof NOTE];
        memcpy(forged, NOTE, sizeof NOTE);
        forged[16] = '6'; /* size 5 -> 6 */
        CHECK_STATUS(verify_note(forged, len, "example.com/log", both, 2, 1, &cp, &err), SIGNCORE_SIGNATURE_INVALID);
        CHECK(strstr(err.message, "9be5d3c6") != NULL);
        forged[16] = '5';
        forged[len - 5] ^= 1; /* a flipped byte in the witness signature */
        CHECK_STATUS(verify_note(forged, len, "example.com/log", both, 1, 1, &cp, &err), SIGNCORE_OK);
        CHECK_STATUS(verify_note(forged, len, "example.com/log", both, 2, 1, &cp, &err), SIGNCORE_SIGNATURE_INVALID);
    }
    /* The signature block cut off; a control character; not UTF-8. */
    CHECK_STATUS(verify_note(NOTE, 63, "example.com/log", both, 2, 1, &cp, &err), SIGNCORE_MALFORMED_NOTE);
    {
        char bad[sizeof NOTE];
        memcpy(bad, NOTE, sizeof NOTE);
        bad[3] = '\t';
        CHECK_STATUS(verify_note(bad, len, "example.com/log", both, 2, 1, &cp, &err), SIGNCORE_MALFORMED_NOTE);
        bad[3] = (char)0xff;
        CHECK_STATUS(verify_note(bad, len, "example.com/log", both, 2, 1, &cp, &err), SIGNCORE_MALFORMED_NOTE);
    }
    {
        const char *bad_keys[1] = {"example.com/log+00000000+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c"};
        CHECK_STATUS(verify_note(NOTE, len, "example.com/log", bad_keys, 1, 1, &cp, &err), SIGNCORE_INVALID_VERIFIER_KEY);
        CHECK(strstr(err.message, "key id") != NULL);
        bad_keys[0] = "no-plus-signs";
        CHECK_STATUS(verify_note(NOTE, len, "example.com/log", bad_keys, 1, 1, &cp, &err), SIGNCORE_INVALID_VERIFIER_KEY);
    }
    {
        const char *many[17];
        for (int i = 0; i < 17; i++)
            many[i] = VA;
        CHECK_STATUS(verify_note(NOTE, len, "example.com/log", many, 17, 1, &cp, &err), SIGNCORE_LIMIT_EXCEEDED);
        CHECK_STATUS(verify_note(NOTE, len, "example.com/log", many, 16, 1, &cp, &err), SIGNCORE_OK);
    }
    /* A note that is not a checkpoint. */
    {
        static const char hello[] = "hello\n\n\xe2\x80\x94 example.com/log m+XTxp5vXjFG0dy1PA/GzQRcJCe2VyXNDXcEBqPaMPAV4uJeZii+O/MMAFJrM/glrNIo2vrvRrg7gHrWhULgSvj+Ng0=\n";
        CHECK_STATUS(verify_note(hello, strlen(hello), "example.com/log", both, 1, 1, &cp, &err), SIGNCORE_SIGNATURE_INVALID);
    }
    /* NULL pointers are errors, not crashes. */
    CHECK_STATUS(verify_note(NULL, len, "example.com/log", both, 2, 1, &cp, &err), SIGNCORE_NULL_POINTER);
    CHECK_STATUS(verify_note(NOTE, len, NULL, both, 2, 1, &cp, &err), SIGNCORE_NULL_POINTER);
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", NULL, 2, 1, &cp, &err), SIGNCORE_NULL_POINTER);
    CHECK_STATUS(verify_note(NOTE, len, "example.com/log", both, 2, 1, NULL, &err), SIGNCORE_NULL_POINTER);
    {
        const char *with_null[2] = {VA, NULL};
        CHECK_STATUS(verify_note(NOTE, len, "example.com/log", with_null, 2, 1, &cp, &err), SIGNCORE_NULL_POINTER);
    }
    CHECK(strcmp(signcore_status_code((int)SIGNCORE_ORIGIN_MISMATCH), "ORIGIN_MISMATCH") == 0);
}

static void proofs(void)
{
    uint8_t events[5 * 32], root5[32], root2[32], incl[3 * 32], cons[2 * 32], out[32];
    signcore_error err;
    for (int i = 0; i < 5; i++)
        unhex(EVENTS[i], events + 32 * i);
    unhex(ROOT5, root5);
    unhex(ROOT2, root2);
    unhex(INCL3, incl);
    unhex(CONS2, cons);

    CHECK_STATUS(signcore_merkle_root(events, 5, out, &err), SIGNCORE_OK);
    CHECK(memcmp(out, root5, 32) == 0);
    CHECK_STATUS(signcore_merkle_root(events, 2, out, &err), SIGNCORE_OK);
    CHECK(memcmp(out, root2, 32) == 0);
    CHECK_STATUS(signcore_merkle_root(NULL, 0, out, &err), SIGNCORE_OK);
    CHECK(out[0] == 0xe3 && out[1] == 0xb0 && out[31] == 0x55); /* SHA256() */
    CHECK_STATUS(signcore_merkle_root(NULL, 1, out, &err), SIGNCORE_NULL_POINTER);
    CHECK_STATUS(signcore_merkle_root(events, 1, NULL, &err), SIGNCORE_NULL_POINTER);

    CHECK_STATUS(signcore_verify_inclusion(events + 3 * 32, 3, 5, incl, 3, root5, &err), SIGNCORE_OK);
    CHECK_STATUS(signcore_verify_inclusion(events + 2 * 32, 3, 5, incl, 3, root5, &err), SIGNCORE_ROOT_MISMATCH);
    CHECK_STATUS(signcore_verify_inclusion(events + 3 * 32, 2, 5, incl, 3, root5, &err), SIGNCORE_ROOT_MISMATCH);
    CHECK_STATUS(signcore_verify_inclusion(events + 3 * 32, 3, 5, incl, 2, root5, &err), SIGNCORE_INVALID_PROOF_LENGTH);
    CHECK(strstr(err.message, "2 hashes") != NULL);
    CHECK_STATUS(signcore_verify_inclusion(events + 3 * 32, 5, 5, incl, 3, root5, &err), SIGNCORE_INDEX_OUT_OF_RANGE);
    CHECK_STATUS(signcore_verify_inclusion(events + 3 * 32, 3, 5, NULL, 3, root5, &err), SIGNCORE_NULL_POINTER);
    CHECK_STATUS(signcore_verify_inclusion(events + 3 * 32, 3, 5, incl, 1000, root5, &err), SIGNCORE_INVALID_PROOF_LENGTH);
    CHECK_STATUS(signcore_verify_inclusion(events, 0, 1, NULL, 0, events, &err), SIGNCORE_ROOT_MISMATCH); /* leaf != event */
    incl[40] ^= 1;
    CHECK_STATUS(signcore_verify_inclusion(events + 3 * 32, 3, 5, incl, 3, root5, &err), SIGNCORE_ROOT_MISMATCH);
    incl[40] ^= 1;

    CHECK_STATUS(signcore_verify_consistency(2, 5, root2, root5, cons, 2, &err), SIGNCORE_OK);
    CHECK_STATUS(signcore_verify_consistency(2, 5, root5, root5, cons, 2, &err), SIGNCORE_ROOT_MISMATCH);
    CHECK_STATUS(signcore_verify_consistency(2, 5, root2, root2, cons, 2, &err), SIGNCORE_ROOT_MISMATCH);
    CHECK_STATUS(signcore_verify_consistency(2, 5, root2, root5, cons, 1, &err), SIGNCORE_INVALID_PROOF_LENGTH);
    CHECK_STATUS(signcore_verify_consistency(0, 5, root2, root5, cons, 2, &err), SIGNCORE_INVALID_TREE_SIZE);
    CHECK_STATUS(signcore_verify_consistency(6, 5, root2, root5, cons, 2, &err), SIGNCORE_INVALID_TREE_SIZE);
    CHECK_STATUS(signcore_verify_consistency(5, 5, root5, root5, NULL, 0, &err), SIGNCORE_OK);
    CHECK_STATUS(signcore_verify_consistency(5, 5, root5, root2, NULL, 0, &err), SIGNCORE_ROOT_MISMATCH);
    CHECK_STATUS(signcore_verify_consistency(2, 5, NULL, root5, cons, 2, &err), SIGNCORE_NULL_POINTER);
    cons[0] ^= 1;
    CHECK_STATUS(signcore_verify_consistency(2, 5, root2, root5, cons, 2, &err), SIGNCORE_ROOT_MISMATCH);
}

int main(void)
{
    checkpoints();
    proofs();
    printf("checkpoint: %ld passed, %ld failed\n", g_passed, g_failed);
    printf("%ld passed, %ld failed\n", g_passed, g_failed);
    return g_failed != 0;
}
