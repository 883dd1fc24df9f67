/* A minimal test harness for the C tests of contactkeeper: CHECK macros,
 * counters, and the closing line "N passed, N failed" that CI reads. */
#ifndef CK_TEST_H
#define CK_TEST_H

#include <stdio.h>
#include <string.h>

#include "contactkeeper.h"

static int ck_passed = 0;
static int ck_failed = 0;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (cond) {                                                                     \
            ck_passed++;                                                                \
        } else {                                                                        \
            ck_failed++;                                                                \
            fprintf(stderr, "%s:%d: FAILED: %s (last error: %s)\n", __FILE__, __LINE__, \
                    #cond, ck_last_error_message());                                    \
        }                                                                               \
    } while (0)

/* Checks that `call` returns `code`. */
#define EXPECT(code, call)                                                                 \
    do {                                                                                   \
        ck_result ck_r_ = (call);                                                          \
        if (ck_r_ == (code)) {                                                             \
            ck_passed++;                                                                   \
        } else {                                                                           \
            ck_failed++;                                                                   \
            fprintf(stderr, "%s:%d: FAILED: %s gave %s, expected %s (last error: %s)\n",   \
                    __FILE__, __LINE__, #call, ck_result_name((uint32_t)ck_r_),            \
                    ck_result_name((uint32_t)(code)), ck_last_error_message());            \
        }                                                                                  \
    } while (0)

#define OK(call) EXPECT(CK_OK, call)

#define STREQ(a, b) ((a) != NULL && (b) != NULL && strcmp((a), (b)) == 0)

/* Prints the closing line; returns the process's exit status. */
static inline int ck_report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, ck_passed, ck_failed);
    return ck_failed == 0 ? 0 : 1;
}

/* Options for tests: a cheap hash cost (the default is deliberately
 * expensive) and notifications delivered on the caller's thread. */
static inline ck_directory_options ck_test_options(void) {
    ck_directory_options o = ck_directory_options_default();
    o.hash_m_kib = 64;
    o.hash_t = 1;
    o.hash_p = 1;
    o.delivery_timeout_ms = 0;
    return o;
}

static inline ck_profile ck_test_profile(const char *name, const char *email) {
    ck_profile p;
    memset(&p, 0, sizeof p);
    p.name = name;
    p.email = email;
    return p;
}

static inline ck_new_contact ck_test_contact(const char *login, const char *name, const char *email,
                                      const char *password, uint32_t roles) {
    ck_new_contact c;
    memset(&c, 0, sizeof c);
    c.login = login;
    c.profile = ck_test_profile(name, email);
    c.roles = roles;
    c.tech_scope.all = true;
    c.password = password;
    return c;
}

#endif
