/* The pass/fail counters and CHECK / CHECK_STATUS of the C test programs
 * test_host.c and test_checkpoint.c (one copy; C99 and C++11). */
#ifndef SIGNCORE_TESTS_CHECK_H
#define SIGNCORE_TESTS_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "signcore.h"

static long g_passed, g_failed;

static void check_(bool ok, const char *file, int line, const char *what)
{
    if (ok) {
        g_passed++;
        return;
    }
    g_failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
}

#define CHECK(cond) check_((cond) ? true : false, __FILE__, __LINE__, #cond)
#define CHECK_STATUS(expr, want)                                                                                  \
    do {                                                                                                          \
        signcore_status got_ = (expr);                                                                            \
        if (got_ != (want))                                                                                       \
            fprintf(stderr, "  got %s, want %s\n", signcore_status_code((int)got_), signcore_status_code((int)(want))); \
        check_(got_ == (want), __FILE__, __LINE__, #expr " == " #want);                                           \
    } while (0)

#endif
