/* check.h - the project's minimal test harness.
 * Every test program counts its checks and ends by printing
 * "N passed, N failed" alone on a line; the exit status is non-zero when any
 * check failed, so CTest sees the failure too. A check that fails prints where
 * and what, and the program goes on, so one run shows every broken case. */
#ifndef FD_CHECK_H
#define FD_CHECK_H
#include <stdio.h>
#include <string.h>

static int check_passed_; /* checks that held */
static int check_failed_; /* checks that did not */

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (cond) {                                                        \
            check_passed_++;                                               \
        } else {                                                           \
            check_failed_++;                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
        }                                                                  \
    } while (0)

#define CHECK_MSG(cond, ...)                                               \
    do {                                                                   \
        if (cond) {                                                        \
            check_passed_++;                                               \
        } else {                                                           \
            check_failed_++;                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__,         \
                    __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

#define CHECK_INT(a, b)                                                    \
    do {                                                                   \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);    \
        CHECK_MSG(check_a_ == check_b_, "%lld != %lld", check_a_,          \
                  check_b_);                                               \
    } while (0)

#define CHECK_STR(a, b)                                                    \
    do {                                                                   \
        const char *check_a_ = (a), *check_b_ = (b);                       \
        CHECK_MSG(check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0, \
                  "\"%s\" != \"%s\"", check_a_ ? check_a_ : "(null)",      \
                  check_b_ ? check_b_ : "(null)");                         \
    } while (0)

/* Prints the closing line and returns the exit status for main(). */
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed_, check_failed_);
    fflush(stdout);
    return check_failed_ == 0 ? 0 : 1;
}

#endif
