/* Concurrency from C (issue 6, item 6): several pthreads sign in, edit and
 * read through ONE directory handle at once. Built with -fsanitize=thread.
 *
 * What ThreadSanitizer sees here: every memory access of the C side (the
 * threads, the notifier callback and its userdata, the views the library
 * returns) and the synchronisation of pthreads. The Rust library itself is
 * not instrumented (that needs a nightly toolchain, which CI machines do
 * not have): its own thread safety rests on Rust's type system (a
 * Directory is Send + Sync, the core forbids unsafe code) and on the
 * core's concurrency tests. Helgrind is not used: it does not understand
 * the futex-based locks of Rust's standard library and reports them as
 * races. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>

#include "ck_test.h"

#define THREADS 4
#define ROUNDS 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int notified = 0;

static int32_t notify(void *userdata, const ck_notification *n) {
    pthread_mutex_t *m = userdata;
    pthread_mutex_lock(m);
    notified += n->to_len > 0;
    pthread_mutex_unlock(m);
    return CK_DELIVERED;
}

static ck_directory *dir;
static uint64_t acct, owner;
static uint64_t members[THREADS];
static const char *logins[THREADS] = {"t0", "t1", "t2", "t3"};

struct job {
    int index;
    int ok, bad;
};

static void tally(struct job *j, int good) {
    if (good) j->ok++; else j->bad++;
}

static void *work(void *p) {
    struct job *j = p;
    ck_actor owner_actor = ck_actor_contact(owner);
    for (int round = 0; round < ROUNDS; round++) {
        ck_sign_in_result *r = NULL;
        tally(j, ck_sign_in(dir, logins[j->index], "a shared test passphrase", "192.0.2.1", 0,
                            &r) == CK_OK && r->outcome == CK_SIGNED_IN);
        uint64_t who = 0;
        if (r != NULL && r->token != NULL)
            tally(j, ck_session_actor(dir, r->token, &who) == CK_OK && who == members[j->index]);
        ck_actor me = ck_actor_contact(members[j->index]);
        char title[32];
        snprintf(title, sizeof title, "Title %d", round);
        ck_profile_update u;
        memset(&u, 0, sizeof u);
        u.job_title = title;
        tally(j, ck_update_contact(dir, &me, acct, members[j->index], &u, NULL) == CK_OK);
        /* The owner edits too, concurrently: retried on conflict. */
        tally(j, ck_set_roles(dir, &owner_actor, acct, members[j->index],
                              round % 2 ? CK_ROLE_CONTACT_MANAGER : 0, NULL) == CK_OK);
        ck_contact_list *list = NULL;
        tally(j, ck_list_contacts(dir, &me, acct, 0, 100, &list) == CK_OK &&
                     list->len == THREADS + 1);
        ck_contact_list_free(list);
        tally(j, ck_authorize(dir, &me, acct, CK_PERMISSION_READ_AUDIT) == CK_OK);
        if (r != NULL && r->token != NULL) tally(j, ck_sign_out(dir, r->token) == CK_OK);
        ck_sign_in_result_free(r);
    }
    return NULL;
}

int main(void) {
    ck_directory_options o = ck_test_options();
    o.notify = notify;
    o.notify_userdata = &lock;
    OK(ck_directory_new(&o, &dir));
    ck_actor sys = ck_actor_system();
    ck_new_contact own = ck_test_contact("owner", "Owner", "owner@acme.example", NULL, 0);
    ck_account_created c;
    OK(ck_create_account(dir, &sys, "Threads", NULL, &own, &c));
    acct = c.account;
    owner = c.owner;
    ck_actor a = ck_actor_contact(owner);
    for (int i = 0; i < THREADS; i++) {
        ck_new_contact m = ck_test_contact(logins[i], "Member", "member@acme.example",
                                           "a shared test passphrase", 0);
        ck_contact_added added;
        OK(ck_create_contact(dir, &a, acct, &m, &added));
        members[i] = added.contact;
    }
    pthread_t threads[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i].index = i;
        jobs[i].ok = jobs[i].bad = 0;
        CHECK(pthread_create(&threads[i], NULL, work, &jobs[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK(jobs[i].bad == 0);
        CHECK(jobs[i].ok == ROUNDS * 7);
    }
    pthread_mutex_lock(&lock);
    CHECK(notified > 0);
    pthread_mutex_unlock(&lock);
    ck_audit_verification v;
    OK(ck_audit_verify(dir, &a, acct, &v));
    CHECK(v.intact);
    OK(ck_directory_free(dir));
    return ck_report("test_threads");
}
