/* Every result code of the C API, and the bad input of issue 6: NULL for
 * pointer parameters, invalid UTF-8, unterminated strings, freed-twice and
 * foreign handles, unknown enum values, a notifier returning an unknown
 * value, a buffer too small for a CSV export, and a panic inside the
 * library (rule K1, K2). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#include <sys/stat.h>
#include <unistd.h>

#include "ck_test.h"

/* What the log callback received. */
static struct {
    int count;
    uint32_t level;
    char text[512];
} logged;

static void log_message(void *userdata, uint32_t level, const char *message) {
    CHECK(userdata == &logged);
    logged.count++;
    logged.level = level;
    snprintf(logged.text, sizeof logged.text, "%s", message);
}

static int notify_answer = CK_DELIVERED;
static int notify_calls = 0;

static int32_t notify(void *userdata, const ck_notification *n) {
    (void)userdata;
    (void)n;
    notify_calls++;
    return notify_answer;
}

static ck_directory *dir;
static uint64_t acct, alice, bob, carol;

static void setup(void) {
    ck_directory_options o = ck_test_options();
    o.notify = notify;
    OK(ck_directory_new(&o, &dir));
    ck_actor sys = ck_actor_system();
    ck_new_contact owner = ck_test_contact("alice", "Alice", "alice@acme.example",
                                           "correct horse battery", 0);
    ck_account_created created;
    OK(ck_create_account(dir, &sys, "Acme", NULL, &owner, &created));
    acct = created.account;
    alice = created.owner;
    ck_actor a = ck_actor_contact(alice);
    ck_new_contact b = ck_test_contact("bob", "Bob", "bob@acme.example", "tr0ub4dor&3xyz", 0);
    ck_contact_added added;
    OK(ck_create_contact(dir, &a, acct, &b, &added));
    bob = added.contact;
    ck_new_contact c = ck_test_contact("carol", "Carol", "carol@acme.example", NULL,
                                       CK_ROLE_TECHNICAL_ADMIN);
    c.profile.business_phone = "+1 555 0100";
    OK(ck_create_contact(dir, &a, acct, &c, &added));
    carol = added.contact;
}

static void every_core_code(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor b = ck_actor_contact(bob);

    /* 1 invalid_input, with its field, problem and rule. */
    ck_new_contact bad = ck_test_contact("dave", "", "dave@acme.example", NULL, 0);
    ck_contact_added added = {0};
    added.contact = 777;
    EXPECT(CK_INVALID_INPUT, ck_create_contact(dir, &a, acct, &bad, &added));
    CHECK(STREQ(ck_last_error_field(), "name"));
    CHECK(STREQ(ck_last_error_problem(), "empty"));
    CHECK(STREQ(ck_last_error_rule(), "B2"));
    CHECK(ck_last_error_code() == CK_INVALID_INPUT);
    CHECK(ck_last_error_field_count() == 1);
    CHECK(added.contact == 777); /* out-parameters are written only on success */

    /* 2 permission_denied: bob holds no role (C2). */
    ck_new_contact e = ck_test_contact("erin", "Erin", "erin@acme.example", NULL, 0);
    EXPECT(CK_PERMISSION_DENIED, ck_create_contact(dir, &b, acct, &e, &added));
    CHECK(STREQ(ck_last_error_rule(), "C2"));
    CHECK(STREQ(ck_last_error_permission(), "manage_contacts"));
    CHECK(ck_last_error_entity() == NULL && ck_last_error_reason() == NULL);
    EXPECT(CK_PERMISSION_DENIED,
           ck_authorize(dir, &b, acct, CK_PERMISSION_MANAGE_CONTACTS));

    /* 3 not_found. */
    ck_contact *view = NULL;
    EXPECT(CK_NOT_FOUND, ck_contact_get(dir, &a, acct, 12345, &view));
    CHECK(view == NULL);
    CHECK(STREQ(ck_last_error_entity(), "contact") && ck_last_error_permission() == NULL);

    /* 4 already_exists: the login is taken (B3: case-insensitively). */
    ck_new_contact dup = ck_test_contact("BOB", "Bob 2", "bob2@acme.example", NULL, 0);
    EXPECT(CK_ALREADY_EXISTS, ck_create_contact(dir, &a, acct, &dup, &added));
    CHECK(STREQ(ck_last_error_entity(), "login"));

    /* 5 rule_violation: the owner cannot be deleted (A5). */
    EXPECT(CK_RULE_VIOLATION, ck_delete_contact(dir, &a, acct, alice));
    CHECK(STREQ(ck_last_error_rule(), "A5"));

    /* 9 output: a file that cannot be created, and a disk that is full. */
    EXPECT(CK_OUTPUT,
           ck_audit_export_csv_file(dir, &a, acct, NULL, "/nonexistent-dir/audit.csv", NULL));
    EXPECT(CK_OUTPUT, ck_audit_export_csv_file(dir, &a, acct, NULL, "/dev/full", NULL));

    /* 10 unauthenticated. */
    ck_session *s = NULL;
    EXPECT(CK_UNAUTHENTICATED, ck_authenticate(dir, "not-a-token", &s));
    CHECK(STREQ(ck_last_error_rule(), "D8"));
    CHECK(STREQ(ck_last_error_reason(), "invalid_token"));

    /* 11 invalid_credentials: the current password is wrong (D8). */
    EXPECT(CK_INVALID_CREDENTIALS,
           ck_change_password(dir, &b, acct, "wrong password", "a new passphrase 1"));

    /* 12 not_eligible: bob has no business phone (H4). */
    uint64_t res = 0;
    EXPECT(CK_NOT_ELIGIBLE, ck_add_resource(dir, &a, acct, "computer", "pc-1", bob, 0, &res));
    CHECK(ck_last_error_field_count() >= 1);
    CHECK(STREQ(ck_last_error_field_at(0), "business_phone") ||
          STREQ(ck_last_error_field_at(1), "business_phone"));
    CHECK(ck_last_error_field_at(99) == NULL);

    /* 13 duties_held: carol is a primary technical contact (B5). */
    OK(ck_add_resource(dir, &a, acct, "computer", "pc-1", carol, 0, &res));
    EXPECT(CK_DUTIES_HELD, ck_delete_contact(dir, &a, acct, carol));
    CHECK(STREQ(ck_last_error_rule(), "B5"));

    /* A success clears the last error. */
    OK(ck_authorize(dir, &a, acct, CK_PERMISSION_MANAGE_CONTACTS));
    CHECK(ck_last_error_code() == CK_OK);
    CHECK(STREQ(ck_last_error_message(), ""));
    CHECK(ck_last_error_rule() == NULL);

    /* Codes 7 (store) and 8 (random_unavailable) keep their numbers. */
    CHECK(STREQ(ck_result_name(7), "store"));
    CHECK(STREQ(ck_result_name(8), "random_unavailable"));
    CHECK(STREQ(ck_result_name(999), "unknown"));
}

/* 6 conflict: with one attempt allowed, two contacts created at once in
 * one account conflict (the loser changes nothing). */
struct racer {
    ck_directory *d;
    uint64_t account, owner;
    const char *login;
    ck_result result;
};

static pthread_barrier_t start;

static void *race(void *p) {
    struct racer *r = p;
    ck_actor a = ck_actor_contact(r->owner);
    ck_new_contact c = ck_test_contact(r->login, "Racer", "racer@acme.example",
                                       "a long enough passphrase", 0);
    ck_contact_added out;
    pthread_barrier_wait(&start);
    r->result = ck_create_contact(r->d, &a, r->account, &c, &out);
    return NULL;
}

static void conflict(void) {
    ck_directory_options o = ck_directory_options_default(); /* the real hash cost */
    o.max_attempts = 1;
    ck_directory *d = NULL;
    OK(ck_directory_new(&o, &d));
    ck_actor sys = ck_actor_system();
    ck_new_contact owner = ck_test_contact("olga", "Olga", "olga@acme.example", NULL, 0);
    ck_account_created c;
    OK(ck_create_account(d, &sys, "Race", NULL, &owner, &c));
    int seen = 0;
    pthread_barrier_init(&start, NULL, 2);
    for (int round = 0; round < 20 && !seen; round++) {
        char l1[32], l2[32];
        snprintf(l1, sizeof l1, "racer-a-%d", round);
        snprintf(l2, sizeof l2, "racer-b-%d", round);
        struct racer r1 = {d, c.account, c.owner, l1, CK_OK};
        struct racer r2 = {d, c.account, c.owner, l2, CK_OK};
        pthread_t t1, t2;
        pthread_create(&t1, NULL, race, &r1);
        pthread_create(&t2, NULL, race, &r2);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        if (r1.result == CK_CONFLICT || r2.result == CK_CONFLICT) {
            seen = 1;
            CHECK(r1.result == CK_OK || r2.result == CK_OK);
        }
    }
    pthread_barrier_destroy(&start);
    /* Under a tool that runs one thread at a time (valgrind) the race may
     * not happen; where threads run in parallel it must. */
    if (getenv("CK_TEST_SERIAL_THREADS") == NULL) {
        CHECK(seen);
    }
    OK(ck_directory_free(d));
}

static void boundary_codes(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor sys = ck_actor_system();
    ck_contact_added added;
    ck_account_created created;
    ck_contact *view = NULL;
    ck_contact_list *list = NULL;
    ck_sign_in_result *sr = NULL;
    bool flag = false;
    uint64_t id = 0;

    /* 100 null_pointer: the directory, the actor, required strings, outs. */
    EXPECT(CK_NULL_POINTER, ck_directory_new(NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_authorize(NULL, &a, acct, 0));
    EXPECT(CK_NULL_POINTER, ck_authorize(dir, NULL, acct, 0));
    EXPECT(CK_NULL_POINTER, ck_contact_get(dir, &a, acct, bob, NULL));
    EXPECT(CK_NULL_POINTER, ck_list_contacts(dir, &a, acct, 0, 10, NULL));
    EXPECT(CK_NULL_POINTER, ck_create_contact(dir, &a, acct, NULL, &added));
    ck_new_contact nologin = ck_test_contact(NULL, "X", "x@acme.example", NULL, 0);
    EXPECT(CK_NULL_POINTER, ck_create_contact(dir, &a, acct, &nologin, &added));
    ck_new_contact noemail = ck_test_contact("x", "X", NULL, NULL, 0);
    EXPECT(CK_NULL_POINTER, ck_create_contact(dir, &a, acct, &noemail, &added));
    ck_new_contact ok = ck_test_contact("xavier", "X", "x@acme.example", NULL, 0);
    EXPECT(CK_NULL_POINTER, ck_create_contact(dir, &a, acct, &ok, NULL));
    EXPECT(CK_NULL_POINTER, ck_create_account(dir, &sys, NULL, NULL, &ok, &created));
    EXPECT(CK_NULL_POINTER, ck_create_account(dir, &sys, "N", NULL, NULL, &created));
    EXPECT(CK_NULL_POINTER, ck_create_account_existing_owner(dir, &sys, "N", NULL, NULL, &created));
    EXPECT(CK_NULL_POINTER, ck_account_get(dir, &a, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_set_plan(dir, &a, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_register_service(dir, &sys, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_services(dir, &a, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_contact_charge(dir, &a, acct, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_transfer_ownership(NULL, &a, acct, bob));
    EXPECT(CK_NULL_POINTER, ck_send_maintenance_notice(dir, &sys, acct, NULL, "b", NULL));
    EXPECT(CK_NULL_POINTER, ck_check_login(dir, &a, acct, NULL, &flag));
    EXPECT(CK_NULL_POINTER, ck_check_login(dir, &a, acct, "bob", NULL));
    EXPECT(CK_NULL_POINTER, ck_add_existing_contact(dir, &a, acct, NULL, 0, NULL, &added));
    EXPECT(CK_NULL_POINTER, ck_invitations(dir, &a, NULL));
    EXPECT(CK_NULL_POINTER, ck_pending_invitations(dir, &a, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_accept_invitation(NULL, &a, acct));
    EXPECT(CK_NULL_POINTER, ck_decline_invitation(dir, NULL, acct));
    OK(ck_invitation_list_free(NULL));
    OK(ck_pending_member_list_free(NULL));
    EXPECT(CK_NULL_POINTER, ck_update_contact(dir, &a, acct, bob, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_delete_contact(NULL, &a, acct, bob));
    EXPECT(CK_NULL_POINTER, ck_delete_contact_with_replacement(dir, NULL, acct, bob, carol));
    EXPECT(CK_NULL_POINTER, ck_set_roles(dir, NULL, acct, bob, 0, NULL));
    EXPECT(CK_NULL_POINTER, ck_access_get(dir, &a, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_set_notification_prefs(dir, &a, acct, bob, NULL));
    EXPECT(CK_NULL_POINTER, ck_sign_in(dir, NULL, "pw", "192.0.2.1", 0, &sr));
    EXPECT(CK_NULL_POINTER, ck_sign_in(dir, "bob", NULL, "192.0.2.1", 0, &sr));
    EXPECT(CK_NULL_POINTER, ck_sign_in(dir, "bob", "pw", NULL, 0, &sr));
    EXPECT(CK_NULL_POINTER, ck_sign_in(dir, "bob", "pw", "192.0.2.1", 0, NULL));
    EXPECT(CK_NULL_POINTER, ck_complete_second_factor(dir, NULL, "123456", &sr));
    EXPECT(CK_NULL_POINTER, ck_complete_second_factor(dir, "t", NULL, &sr));
    EXPECT(CK_NULL_POINTER, ck_resend_second_factor_code(dir, NULL));
    EXPECT(CK_NULL_POINTER, ck_authenticate(dir, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_session_actor(dir, "t", NULL));
    EXPECT(CK_NULL_POINTER, ck_sign_out(dir, NULL));
    EXPECT(CK_NULL_POINTER, ck_change_password(dir, &a, acct, NULL, "new"));
    EXPECT(CK_NULL_POINTER, ck_change_password_with_session(dir, "t", "c", NULL, &sr));
    EXPECT(CK_NULL_POINTER, ck_reset_password(dir, &a, acct, bob, 0, NULL));
    EXPECT(CK_NULL_POINTER, ck_set_must_change_password(dir, NULL, acct, bob, true));
    EXPECT(CK_NULL_POINTER, ck_set_password_policy(dir, NULL, acct, 10, 5));
    EXPECT(CK_NULL_POINTER, ck_require_password_change(NULL, &a, acct));
    EXPECT(CK_NULL_POINTER, ck_request_password_reset(dir, NULL, 0));
    EXPECT(CK_NULL_POINTER, ck_complete_password_reset(dir, "bob", NULL, "pw"));
    EXPECT(CK_NULL_POINTER, ck_set_lock_policy(dir, NULL, acct, true, 3));
    EXPECT(CK_NULL_POINTER, ck_lock_contact(dir, NULL, acct, bob));
    EXPECT(CK_NULL_POINTER, ck_unlock_contact(NULL, &a, acct, bob));
    EXPECT(CK_NULL_POINTER, ck_set_ip_allowlist(dir, &a, acct, NULL, 1, "192.0.2.1"));
    EXPECT(CK_NULL_POINTER, ck_set_ip_allowlist(dir, &a, acct, NULL, 0, NULL));
    EXPECT(CK_NULL_POINTER, ck_set_require_two_factor(dir, NULL, acct, true));
    EXPECT(CK_NULL_POINTER, ck_begin_two_factor_enrollment(dir, &a, acct, 0, NULL, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_confirm_two_factor_enrollment(dir, &a, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_begin_enrollment_with_session(dir, NULL, 0, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_confirm_enrollment_with_session(dir, "t", NULL, &sr));
    EXPECT(CK_NULL_POINTER, ck_reset_two_factor(dir, NULL, acct, bob));
    EXPECT(CK_NULL_POINTER, ck_totp_code(NULL, 0, NULL));
    CHECK(ck_version_number() == CK_VERSION_NUMBER);
    CHECK(CK_VERSION_NUMBER == CK_VERSION_MAJOR * 10000 + CK_VERSION_MINOR * 100 + CK_VERSION_PATCH);
    CHECK(STREQ(ck_sign_in_outcome_name(CK_SIGNED_IN), "signed_in"));
    CHECK(STREQ(ck_sign_in_outcome_name(CK_INVALID_LOGIN), "invalid_credentials"));
    CHECK(STREQ(ck_sign_in_outcome_name(CK_ACCOUNT_REQUIRED), "account_required"));
    CHECK(ck_sign_in_outcome_name(99) == NULL);
    char *when = NULL;
    EXPECT(CK_NULL_POINTER, ck_local_time(0, NULL, &when));
    EXPECT(CK_NULL_POINTER, ck_local_time(0, "UTC", NULL));
    EXPECT(CK_INVALID_ARGUMENT, ck_local_time(INT64_MAX, "UTC", &when));
    EXPECT(CK_NULL_POINTER, ck_set_security_answers(dir, &a, acct, NULL, 3, "pw"));
    EXPECT(CK_NULL_POINTER, ck_security_questions(dir, &a, acct, alice, NULL, 3, NULL));
    EXPECT(CK_NULL_POINTER, ck_check_security_answer(dir, &sys, acct, bob, 0, NULL, &flag));
    EXPECT(CK_NULL_POINTER, ck_add_resource(dir, &a, acct, NULL, "n", carol, 0, &id));
    EXPECT(CK_NULL_POINTER, ck_add_resource(dir, &a, acct, "k", "n", carol, 0, NULL));
    EXPECT(CK_NULL_POINTER, ck_set_technical_contacts(NULL, &a, acct, 1, carol, 0));
    EXPECT(CK_NULL_POINTER, ck_remove_resource(dir, NULL, acct, 1));
    EXPECT(CK_NULL_POINTER, ck_resource_get(dir, &a, acct, 1, NULL));
    EXPECT(CK_NULL_POINTER, ck_resources(dir, &a, acct, 0, 10, NULL));
    EXPECT(CK_NULL_POINTER, ck_duties(dir, &a, acct, carol, NULL));
    EXPECT(CK_NULL_POINTER, ck_reassign_duties(NULL, &a, acct, carol, bob, NULL));
    EXPECT(CK_NULL_POINTER, ck_set_billing_contacts(dir, NULL, acct, carol, 0));
    EXPECT(CK_NULL_POINTER, ck_billing_contacts(dir, &a, acct, NULL, &id));
    EXPECT(CK_NULL_POINTER, ck_create_contact_with_duty(dir, &a, acct, &ok, NULL, &added));
    EXPECT(CK_NULL_POINTER, ck_send_billing_notice(dir, &sys, acct, NULL, "b", NULL));
    EXPECT(CK_NULL_POINTER, ck_send_billing_notice(dir, &sys, acct, "s", NULL, NULL));
    ck_duty some_duty = {CK_DUTY_BILLING, 0, CK_RANK_PRIMARY};
    EXPECT(CK_NULL_POINTER, ck_designate(dir, &a, acct, carol, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_designate(dir, NULL, acct, carol, &some_duty, NULL));
    ck_duty bad_duty = {7, 0, CK_RANK_PRIMARY};
    EXPECT(CK_INVALID_ARGUMENT, ck_designate(dir, &a, acct, carol, &bad_duty, NULL));
    ck_resource_added made;
    EXPECT(CK_NULL_POINTER, ck_add_resource_with_new_primary(dir, &a, acct, "k", "n", NULL, 0, &made));
    EXPECT(CK_NULL_POINTER, ck_add_resource_with_new_primary(dir, &a, acct, "k", "n", &ok, 0, NULL));
    EXPECT(CK_NULL_POINTER, ck_add_resource_with_new_primary(dir, &a, acct, NULL, "n", &ok, 0, &made));
    EXPECT(CK_NULL_POINTER, ck_report_milestone(dir, &sys, acct, 1, CK_MILESTONE_OTHER, NULL));
    EXPECT(CK_NULL_POINTER, ck_audit_entries(dir, &a, acct, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_directory_audit_entries(dir, NULL, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_audit_export_csv(dir, &a, acct, NULL, NULL, 10, &id, NULL));
    EXPECT(CK_NULL_POINTER, ck_audit_export_csv_alloc(dir, &a, acct, NULL, NULL, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_audit_export_csv_file(dir, &a, acct, NULL, NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_audit_verify(dir, &a, acct, NULL));
    EXPECT(CK_NULL_POINTER, ck_directory_audit_verify(dir, &sys, NULL));
    EXPECT(CK_NULL_POINTER, ck_pending_notifications(dir, 10, NULL));
    EXPECT(CK_NULL_POINTER, ck_deliver_pending(NULL, NULL));
    EXPECT(CK_NULL_POINTER, ck_directory_now(dir, NULL));
    EXPECT(CK_NULL_POINTER, ck_manual_clock_new(0, NULL));
    EXPECT(CK_NULL_POINTER, ck_manual_clock_set(NULL, 0));
    EXPECT(CK_NULL_POINTER, ck_manual_clock_advance(NULL, 0));
    CHECK(ck_last_error_code() == CK_NULL_POINTER);

    /* _free(NULL) is a no-op for every free function. */
    OK(ck_directory_free(NULL));
    OK(ck_manual_clock_free(NULL));
    OK(ck_string_free(NULL));
    OK(ck_account_free(NULL));
    OK(ck_service_list_free(NULL));
    OK(ck_contact_free(NULL));
    OK(ck_contact_list_free(NULL));
    OK(ck_string_list_free(NULL));
    OK(ck_access_free(NULL));
    OK(ck_sign_in_result_free(NULL));
    OK(ck_session_free(NULL));
    OK(ck_enrollment_free(NULL));
    OK(ck_resource_free(NULL));
    OK(ck_resource_list_free(NULL));
    OK(ck_duty_list_free(NULL));
    OK(ck_audit_entry_list_free(NULL));
    OK(ck_outbox_list_free(NULL));

    /* 101 invalid_utf8. */
    EXPECT(CK_INVALID_UTF8, ck_check_login(dir, &a, acct, "b\xff\xfeob", &flag));
    ck_new_contact badutf = ck_test_contact("x", "N\xc3", "x@acme.example", NULL, 0);
    EXPECT(CK_INVALID_UTF8, ck_create_contact(dir, &a, acct, &badutf, &added));
    EXPECT(CK_INVALID_UTF8, ck_sign_in(dir, "bob", "\xc0\xaf", "192.0.2.1", 0, &sr));

    /* 102 buffer_too_small: the size needed is reported, and enough works. */
    char small[16];
    size_t need = 0;
    EXPECT(CK_BUFFER_TOO_SMALL,
           ck_audit_export_csv(dir, &a, acct, NULL, small, sizeof small, &need, NULL));
    CHECK(need > sizeof small);
    size_t cap = need + 4096; /* the export itself is audited: leave room */
    char *big = malloc(cap);
    size_t len = 0;
    uint64_t rows = 0;
    OK(ck_audit_export_csv(dir, &a, acct, NULL, big, cap, &len, &rows));
    CHECK(len >= need - 1 && big[len] == '\0' && rows > 0);
    CHECK(strncmp(big, "seq,", 4) == 0 || strstr(big, "operation") != NULL);
    free(big);
    uint16_t qs[1];
    size_t nq = 0;
    /* Zero-capacity with no answers set: fits (none). */
    OK(ck_security_questions(dir, &a, acct, alice, qs, 0, &nq));
    CHECK(nq == 0);

    /* 103 internal: a panic inside the library does not abort the host,
       and writes nothing to stderr: it goes to the log callback, if any. */
    fflush(stderr);
    int saved = dup(2);
    FILE *capture = tmpfile();
    CHECK(saved >= 0 && capture != NULL);
    dup2(fileno(capture), 2);
    EXPECT(CK_INTERNAL, ck_selftest_panic());
    logged.count = 0;
    ck_set_log(log_message, &logged);
    EXPECT(CK_INTERNAL, ck_selftest_panic());
    ck_set_log(NULL, NULL);
    EXPECT(CK_INTERNAL, ck_selftest_panic());
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    CHECK(ftell(capture) == 0); /* nothing on stderr, three panics later */
    fclose(capture);
    CHECK(logged.count == 1 && logged.level == CK_LOG_ERROR);
    CHECK(strstr(logged.text, "internal error") != NULL && strstr(logged.text, "index out of bounds") != NULL);
    CHECK(strstr(ck_last_error_message(), "panic") != NULL);
    OK(ck_authorize(dir, &a, acct, CK_PERMISSION_READ_AUDIT)); /* still usable */

    /* 104 invalid_handle: freed twice, foreign, wrong type, used after free. */
    OK(ck_contact_get(dir, &a, acct, bob, &view));
    OK(ck_contact_free(view));
    EXPECT(CK_INVALID_HANDLE, ck_contact_free(view));
    int on_stack = 42;
    EXPECT(CK_INVALID_HANDLE, ck_contact_free((ck_contact *)&on_stack));
    EXPECT(CK_INVALID_HANDLE, ck_string_free((char *)"not ours"));
    OK(ck_list_contacts(dir, &a, acct, 0, 10, &list));
    EXPECT(CK_INVALID_HANDLE, ck_contact_free((ck_contact *)list)); /* a list, not a contact */
    OK(ck_contact_list_free(list));
    ck_directory *d2 = NULL;
    OK(ck_directory_new(NULL, &d2));
    OK(ck_directory_free(d2));
    EXPECT(CK_INVALID_HANDLE, ck_directory_free(d2));
    EXPECT(CK_INVALID_HANDLE, ck_authorize(d2, &a, acct, 0)); /* used after free */
    uint64_t fake[4] = {1, 2, 3, 4};
    EXPECT(CK_INVALID_HANDLE, ck_authorize((const ck_directory *)fake, &a, acct, 0));
    EXPECT(CK_INVALID_HANDLE, ck_directory_free((ck_directory *)fake));
    ck_manual_clock *clk = NULL;
    OK(ck_manual_clock_new(1700000000, &clk));
    OK(ck_manual_clock_free(clk));
    EXPECT(CK_INVALID_HANDLE, ck_manual_clock_free(clk));
    EXPECT(CK_INVALID_HANDLE, ck_manual_clock_advance(clk, 5));

    /* 105 unterminated_string: no NUL within CK_MAX_STRING bytes. */
    char *huge = malloc(CK_MAX_STRING + 16);
    memset(huge, 'a', CK_MAX_STRING + 16);
    EXPECT(CK_UNTERMINATED_STRING, ck_check_login(dir, &a, acct, huge, &flag));
    huge[CK_MAX_STRING] = '\0'; /* exactly the limit: read, then refused as too long */
    EXPECT(CK_INVALID_INPUT, ck_check_login(dir, &a, acct, huge, &flag));
    free(huge);

    /* 106 invalid_argument: unknown enum and flag values. */
    EXPECT(CK_INVALID_ARGUMENT, ck_authorize(dir, &a, acct, 99));
    ck_actor weird = a;
    weird.kind = 9;
    EXPECT(CK_INVALID_ARGUMENT, ck_authorize(dir, &weird, acct, 0));
    EXPECT(CK_INVALID_ARGUMENT, ck_set_roles(dir, &a, acct, bob, 64, NULL));
    EXPECT(CK_INVALID_ARGUMENT, ck_request_password_reset(dir, "bob", 7));
    EXPECT(CK_INVALID_ARGUMENT, ck_reset_password(dir, &a, acct, bob, 9, (char **)&view));
    EXPECT(CK_INVALID_ARGUMENT, ck_report_milestone(dir, &sys, acct, 1, 5, NULL));
    EXPECT(CK_INVALID_ARGUMENT, ck_begin_two_factor_enrollment(dir, &a, acct, 8, NULL, "pw",
                                                              (ck_enrollment **)&view));
    ck_audit_query q = {0};
    q.limit = 10;
    q.operation = "no.such.operation";
    ck_audit_entry_list *entries = NULL;
    EXPECT(CK_INVALID_ARGUMENT, ck_audit_entries(dir, &a, acct, &q, &entries));
    CHECK(ck_permission_name(99) == NULL && ck_role_name(3) == NULL);
    CHECK(STREQ(ck_permission_name(CK_PERMISSION_READ_AUDIT), "read_audit"));
    CHECK(STREQ(ck_role_name(CK_ROLE_TECHNICAL_ADMIN), "technical_admin"));
}

/* A notifier that answers a value the library does not know: the
 * notification counts as "retry later" and stays pending; it is delivered
 * once the notifier works and the retry is due. */
static void unknown_callback_value(void) {
    ck_manual_clock *clk = NULL;
    OK(ck_manual_clock_new(1700000000, &clk));
    ck_directory_options o = ck_test_options();
    o.notify = notify;
    o.clock = clk;
    ck_directory *d = NULL;
    OK(ck_directory_new(&o, &d));
    ck_actor sys = ck_actor_system();
    ck_new_contact owner = ck_test_contact("uma", "Uma", "uma@acme.example", NULL, 0);
    ck_account_created c;
    OK(ck_create_account(d, &sys, "Callbacks", NULL, &owner, &c));
    ck_actor a = ck_actor_contact(c.owner);
    ck_new_contact v = ck_test_contact("vic", "Vic", "vic@acme.example", NULL, 0);
    ck_contact_added added;
    OK(ck_create_contact(d, &a, c.account, &v, &added));

    notify_answer = 42;
    int calls = notify_calls;
    OK(ck_lock_contact(d, &a, c.account, added.contact)); /* a security notice (E6, I2) */
    CHECK(notify_calls == calls + 1);
    ck_outbox_list *pending = NULL;
    OK(ck_pending_notifications(d, 100, &pending));
    CHECK(pending->len == 1);
    CHECK(pending->len == 1 && pending->items[0].attempts == 1);
    CHECK(pending->len == 1 && pending->items[0].notification.kind == CK_NOTIFY_SECURITY);
    CHECK(pending->len == 1 && pending->items[0].notification.recipient == added.contact);
    OK(ck_outbox_list_free(pending));

    notify_answer = CK_DELIVERED;
    ck_delivery_report report;
    OK(ck_deliver_pending(d, &report)); /* not due yet: nothing tried */
    CHECK(report.delivered == 0);
    /* An hour later the retry is due, and delivered. */
    OK(ck_manual_clock_advance(clk, 3600));
    OK(ck_manual_clock_free(clk)); /* the directory keeps its own reference */
    int64_t now = 0;
    OK(ck_directory_now(d, &now));
    CHECK(now == 1700000000 + 3600);
    OK(ck_deliver_pending(d, &report));
    CHECK(report.delivered == 1 && report.retry_later == 0);
    OK(ck_pending_notifications(d, 100, &pending));
    CHECK(pending->len == 0);
    OK(ck_outbox_list_free(pending));
    OK(ck_directory_free(d));
}

/* 7 store, and a directory on SQLite: what one handle commits, another
 * handle on the same file sees; a file that cannot be opened, or that is
 * not a database, gives CK_STORE and is left as it was. */
static void sqlite_store(void) {
    char dir_template[] = "/tmp/ck-c-test-XXXXXX";
    char *tmp = mkdtemp(dir_template);
    CHECK(tmp != NULL);
    char path[256], missing[256], junk[256];
    snprintf(path, sizeof path, "%s/directory.db", tmp);
    snprintf(missing, sizeof missing, "%s/no/such/dir/directory.db", tmp);
    snprintf(junk, sizeof junk, "%s/junk.txt", tmp);

    ck_directory *d = NULL;
    OK(ck_directory_open(path, NULL, &d));
    ck_actor sys = ck_actor_system();
    ck_new_contact owner = ck_test_contact("sqlo", "Sql Owner", "sqlo@acme.example", NULL, 0);
    ck_account_created c;
    OK(ck_create_account(d, &sys, "Persisted", NULL, &owner, &c));
    OK(ck_directory_free(d));

    ck_directory *again = NULL;
    OK(ck_directory_open(path, NULL, &again));
    ck_account *a = NULL;
    OK(ck_account_get(again, &sys, c.account, &a));
    CHECK(a->owner == c.owner);
    CHECK(STREQ(a->name, "Persisted"));
    OK(ck_account_free(a));
    OK(ck_directory_free(again));

    ck_directory *none = NULL;
    EXPECT(CK_STORE, ck_directory_open(missing, NULL, &none));
    CHECK(none == NULL);
    FILE *f = fopen(junk, "w");
    CHECK(f != NULL);
    fputs("this is not a database, and it stays as it is\n", f);
    fclose(f);
    EXPECT(CK_STORE, ck_directory_open(junk, NULL, &none));
    CHECK(none == NULL);
    f = fopen(junk, "r");
    char line[128] = {0};
    CHECK(f != NULL && fgets(line, sizeof line, f) != NULL);
    fclose(f);
    CHECK(STREQ(line, "this is not a database, and it stays as it is\n"));
    EXPECT(CK_NULL_POINTER, ck_directory_open(NULL, NULL, &none));

    /* rule F1: the file's sealing key beside it, owner-only; keys given in
     * the options instead, each of 32 bytes with distinct ids. */
    char key_path[300];
    snprintf(key_path, sizeof key_path, "%s.key", path);
    struct stat st;
    CHECK(stat(key_path, &st) == 0 && (st.st_mode & 0777) == 0600);
    uint8_t bytes[32] = {1};
    ck_sealing_key keys[2] = {{2, bytes, 32}, {1, bytes, 32}};
    ck_directory_options o = ck_test_options();
    o.sealing_keys = keys;
    o.sealing_keys_len = 2;
    OK(ck_directory_new(&o, &none));
    uint64_t resealed = 9;
    OK(ck_reseal_secrets(none, c.account, &resealed));
    CHECK(resealed == 0);
    OK(ck_directory_free(none));
    none = NULL;
    keys[1].id = 2;
    EXPECT(CK_INVALID_INPUT, ck_directory_new(&o, &none));
    keys[1].id = 1;
    keys[0].key_len = 16;
    EXPECT(CK_INVALID_INPUT, ck_directory_new(&o, &none));
    keys[0].key = NULL;
    EXPECT(CK_NULL_POINTER, ck_directory_new(&o, &none));
    CHECK(none == NULL);
    EXPECT(CK_NULL_POINTER, ck_reseal_secrets(NULL, c.account, &resealed));

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
}

int main(void) {
    printf("contactkeeper %s (header %d.%d.%d)\n", ck_version(), CK_VERSION_MAJOR,
           CK_VERSION_MINOR, CK_VERSION_PATCH);
    setup();
    every_core_code();
    boundary_codes();
    unknown_callback_value();
    conflict();
    sqlite_store();
    OK(ck_directory_free(dir));
    return ck_report("test_errors");
}
