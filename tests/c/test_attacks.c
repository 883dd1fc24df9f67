/* The attack suite through the C API (SPEC A3, B1, B7, C7, D1, D5, D7, D8, D10; the Rust
 * suite is core/tests/attacks.rs): a contact with one role in one account
 * tries to take over a contact holding more, or a login's other accounts,
 * or to outlast an invitation's sender.
 * Each refusal is CK_RULE_VIOLATION naming its rule. */
#include <stdint.h>
#include <stdlib.h>

#include "ck_test.h"

static ck_directory *dir;
static const char *PW = "correct horse battery";
static const char *IP = "192.0.2.10";

static uint64_t contact(uint64_t account, const char *login, uint32_t roles) {
    ck_actor sys = ck_actor_system();
    char email[64];
    snprintf(email, sizeof email, "%s@example.com", login);
    ck_new_contact nc = ck_test_contact(login, login, email, PW, roles);
    ck_contact_added added = {0};
    OK(ck_create_contact(dir, &sys, account, &nc, &added));
    return added.contact;
}

static uint64_t account(const char *owner_login, uint64_t *owner) {
    ck_actor sys = ck_actor_system();
    char email[64];
    snprintf(email, sizeof email, "%s@example.com", owner_login);
    ck_new_contact o = ck_test_contact(owner_login, owner_login, email, PW, 0);
    ck_plan plan = {"business", 20, 0, "EUR", NULL, 0};
    ck_account_created created;
    OK(ck_create_account(dir, &sys, "Acme", &plan, &o, &created));
    *owner = created.owner;
    return created.account;
}

/* Checks a refusal by `rule`. */
#define REFUSED(rule, call)                                    \
    do {                                                       \
        EXPECT(CK_RULE_VIOLATION, call);                       \
        CHECK(STREQ(ck_last_error_rule(), rule));              \
    } while (0)

static ck_sign_in_outcome sign_in(const char *login, const char *pw) {
    ck_sign_in_result *r = NULL;
    ck_result rc = ck_sign_in(dir, login, pw, IP, 0, &r);
    CHECK(rc == CK_OK);
    ck_sign_in_outcome o = rc == CK_OK ? r->outcome : CK_INVALID_LOGIN;
    if (r != NULL) OK(ck_sign_in_result_free(r));
    return o;
}

int main(void) {
    ck_directory_options o = ck_test_options();
    OK(ck_directory_new(&o, &dir));
    uint64_t alice = 0, victor = 0;
    uint64_t acct = account("alice", &alice);
    uint64_t other = account("victor", &victor);
    uint64_t carl = contact(acct, "carl", CK_ROLE_CONTACT_MANAGER);
    uint64_t sara = contact(acct, "sara", CK_ROLE_SECURITY_MANAGER);
    uint64_t pat = contact(acct, "pat", 0);
    ck_actor cm = ck_actor_contact(carl);
    char *temporary = NULL;

    /* rule C7: the contact manager takes over the security manager. */
    REFUSED("C7", ck_reset_password(dir, &cm, acct, sara, CK_RESET_TEMPORARY_PASSWORD, &temporary));
    CHECK(temporary == NULL);
    REFUSED("C7", ck_reset_password(dir, &cm, acct, sara, CK_RESET_SEND_EMAIL, &temporary));
    REFUSED("C7", ck_reset_two_factor(dir, &cm, acct, sara));
    ck_profile_update email = {0};
    email.email = "carl-now@example.com";
    ck_string_list *changed = NULL;
    REFUSED("C7", ck_update_contact(dir, &cm, acct, sara, &email, &changed));
    CHECK(changed == NULL);
    CHECK(sign_in("sara", PW) == CK_SIGNED_IN);
    /* ... while a contact with no role it lacks is its to reset. */
    OK(ck_reset_password(dir, &cm, acct, pat, CK_RESET_TEMPORARY_PASSWORD, &temporary));
    CHECK(temporary != NULL);
    CHECK(sign_in("pat", temporary) == CK_PASSWORD_CHANGE_REQUIRED);
    OK(ck_string_free(temporary));
    temporary = NULL;

    /* rule D7: its own password, only by a secret to its own channels. */
    REFUSED("D8", ck_reset_password(dir, &cm, acct, carl, CK_RESET_TEMPORARY_PASSWORD, &temporary));
    OK(ck_reset_password(dir, &cm, acct, carl, CK_RESET_SEND_EMAIL, &temporary));

    /* rule A3: ownership never goes to a contact locked by hand. */
    ck_actor owner = ck_actor_contact(alice);
    OK(ck_lock_contact(dir, &owner, acct, carl));
    REFUSED("A3", ck_transfer_ownership(dir, &owner, acct, carl));
    OK(ck_unlock_contact(dir, &owner, acct, carl));

    /* rule C7, E5: account B's owner ends the automatic lock of a login
     * shared with account A. */
    ck_actor sys = ck_actor_system();
    ck_contact_added added = {0};
    OK(ck_add_existing_contact(dir, &sys, other, "sara", 0, NULL, &added));
    OK(ck_set_lock_policy(dir, &sys, acct, true, 2));
    for (int i = 0; i < 3; i++) sign_in("sara", "guessing wrong");
    CHECK(sign_in("sara", PW) == CK_LOCKED);
    ck_actor b = ck_actor_contact(victor);
    REFUSED("C7", ck_unlock_contact(dir, &b, other, sara));
    REFUSED("C7", ck_reset_password(dir, &b, other, sara, CK_RESET_TEMPORARY_PASSWORD, &temporary));
    CHECK(sign_in("sara", PW) == CK_LOCKED);

    /* rule B7, E2: account B's owner adopts pat, then locks it out with a
     * one-attempt policy. The invitation waits for pat; B's policy does
     * not reach it. */
    OK(ck_add_existing_contact(dir, &b, other, "pat", 0, NULL, &added));
    CHECK(added.pending && added.contact == pat);
    OK(ck_set_lock_policy(dir, &b, other, true, 1));
    sign_in("pat", "guessing wrong");
    CHECK(sign_in("pat", PW) != CK_LOCKED); /* A's policy allows 2 */
    REFUSED("B7", ck_accept_invitation(dir, &b, other));
    ck_actor p = ck_actor_contact(pat);
    OK(ck_decline_invitation(dir, &p, other));
    REFUSED("B7", ck_accept_invitation(dir, &p, other));

    /* rule F1, C7: the contact manager sets the security manager's 2FA
     * phone to its own; a contact with no role it lacks, it may. */
    REFUSED("C7", ck_set_two_factor_method(dir, &cm, acct, sara, CK_2FA_SMS, "+1 555 0100"));
    REFUSED("D8", ck_set_two_factor_method(dir, &cm, acct, carl, CK_2FA_SMS, "+1 555 0100"));
    EXPECT(CK_INVALID_INPUT, ck_set_two_factor_method(dir, &cm, acct, pat, CK_2FA_SMS, NULL));
    OK(ck_set_two_factor_method(dir, &cm, acct, pat, CK_2FA_EMAIL, NULL));

    /* rule C7, B7: account B invites a plain contact of A as contact
     * manager; A's contact manager resets it before it answers, to accept
     * for it. */
    uint64_t quinn = contact(acct, "quinn", 0);
    OK(ck_add_existing_contact(dir, &b, other, "quinn", CK_ROLE_CONTACT_MANAGER, NULL, &added));
    CHECK(added.pending);
    REFUSED("C7", ck_reset_password(dir, &cm, acct, quinn, CK_RESET_TEMPORARY_PASSWORD, &temporary));
    CHECK(temporary == NULL);
    ck_actor q = ck_actor_contact(quinn);
    OK(ck_accept_invitation(dir, &q, other));

    /* rule B7, C6: an invitation outlives its sender's power. */
    OK(ck_add_existing_contact(dir, &cm, acct, "victor", CK_ROLE_CONTACT_MANAGER, NULL, &added));
    OK(ck_set_roles(dir, &owner, acct, carl, 0, NULL));
    REFUSED("B7", ck_accept_invitation(dir, &b, acct));
    OK(ck_set_roles(dir, &owner, acct, carl, CK_ROLE_CONTACT_MANAGER, NULL));
    OK(ck_accept_invitation(dir, &b, acct));

    /* rule B1: check login is bounded per actor. */
    bool exists = false;
    int refused = 0;
    for (int i = 0; i < 30; i++) {
        ck_result r = ck_check_login(dir, &cm, acct, "victor", &exists);
        if (r == CK_RULE_VIOLATION) refused++;
    }
    /* its invitation of victor counted as one check */
    CHECK(refused == 1 && STREQ(ck_last_error_rule(), "B1"));

    OK(ck_directory_free(dir));

    /* rule D5: the directory-wide throttle; an unknown login and a real
     * login of an account with no lock policy answer alike at every
     * attempt. */
    ck_directory_options t = ck_test_options();
    t.throttle_attempts = 0;
    EXPECT(CK_INVALID_INPUT, ck_directory_new(&t, &dir));
    t.throttle_attempts = 101;
    EXPECT(CK_INVALID_INPUT, ck_directory_new(&t, &dir));
    t.throttle_attempts = 3;
    OK(ck_directory_new(&t, &dir));
    uint64_t zed = 0;
    account("zed", &zed);
    /* rule D10: zed's own client asks for a device token; it comes only
     * when asked for. */
    ck_sign_in_result *r = NULL;
    OK(ck_sign_in_device(dir, "zed", PW, IP, 0, NULL, false, &r));
    CHECK(r != NULL && r->outcome == CK_SIGNED_IN && r->device_token == NULL);
    OK(ck_sign_in_result_free(r));
    OK(ck_sign_in_device(dir, "zed", PW, IP, 0, NULL, true, &r));
    CHECK(r != NULL && r->device_token != NULL && strlen(r->device_token) == 64);
    char device[65] = {0};
    if (r != NULL && r->device_token != NULL) strncpy(device, r->device_token, 64);
    OK(ck_sign_in_result_free(r));
    for (int i = 0; i < 3; i++) {
        CHECK(sign_in("zed", "guessing wrong") == CK_INVALID_LOGIN);
        CHECK(sign_in("nobody-here", "guessing wrong") == CK_INVALID_LOGIN);
    }
    CHECK(sign_in("zed", PW) == CK_LOCKED);
    CHECK(sign_in("nobody-here", PW) == CK_LOCKED);
    /* rule D10: the client with the token passes the lock others caused;
     * a token it was never given, or one of another login, does not. */
    OK(ck_sign_in_device(dir, "zed", PW, IP, 0, device, false, &r));
    CHECK(r != NULL && r->outcome == CK_SIGNED_IN && r->device_token == NULL);
    OK(ck_sign_in_result_free(r));
    OK(ck_sign_in_device(dir, "zed", PW, IP, 0, "0123456789abcdef", false, &r));
    CHECK(r != NULL && r->outcome == CK_LOCKED);
    OK(ck_sign_in_result_free(r));
    OK(ck_sign_in_device(dir, "nobody-here", PW, IP, 0, device, false, &r));
    CHECK(r != NULL && r->outcome == CK_LOCKED);
    OK(ck_sign_in_result_free(r));
    r = NULL;
    EXPECT(CK_INVALID_UTF8, ck_sign_in_device(dir, "zed", PW, IP, 0, "\xff\xfe", false, &r));
    CHECK(r == NULL);
    /* rule D1: a legacy hash imported (bcrypt, made by Python's bcrypt),
     * verified and upgraded; one beyond the bounds, or not UTF-8, is
     * refused. */
    ck_actor sys2 = ck_actor_system();
    uint64_t home = 0;
    uint64_t zacct = account("yolanda", &home);
    ck_new_contact old = ck_test_contact("oldie", "Oldie", "oldie@example.com", NULL, 0);
    old.password_hash = "$2b$04$wSJyXzsSX2GgBvdc9L35muwFU0kZqnjjSahY1Iwfd8CeJRmlxDdPK";
    ck_contact_added got = {0};
    OK(ck_create_contact(dir, &sys2, zacct, &old, &got));
    CHECK(sign_in("oldie", "correct horse battery") == CK_SIGNED_IN);
    ck_new_contact costly = ck_test_contact("costly", "C", "c@example.com", NULL, 0);
    costly.password_hash = "$2b$31$wSJyXzsSX2GgBvdc9L35muwFU0kZqnjjSahY1Iwfd8CeJRmlxDdPK";
    EXPECT(CK_INVALID_INPUT, ck_create_contact(dir, &sys2, zacct, &costly, &got));
    costly.password_hash = "$2b$04$\xff\xfe";
    EXPECT(CK_INVALID_UTF8, ck_create_contact(dir, &sys2, zacct, &costly, &got));

    uint64_t purged = 7;
    OK(ck_purge_throttle(dir, &purged));
    CHECK(purged == 0);
    OK(ck_purge_throttle(dir, NULL));
    EXPECT(CK_NULL_POINTER, ck_purge_throttle(NULL, &purged));
    OK(ck_directory_free(dir));
    return ck_report("test_attacks");
}
