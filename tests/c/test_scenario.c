/* A full scenario through the C API: every Directory operation a portal
 * needs, on the in-memory store, with a manual clock and a notifier
 * callback (SPEC A-J). */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "ck_test.h"

/* What the notifier saw: the last secret (reset secret, one-time code) and
 * who got milestone notices. Single-threaded here: delivery is inline. */
static struct {
    char secret[256];
    int count[8];
    uint64_t unreachable;       /* answered CK_UNDELIVERABLE */
    uint64_t milestone_to[8];
    int milestones;
    int calls;
} seen;

static int32_t notify(void *userdata, const ck_notification *n) {
    CHECK(userdata == &seen);
    seen.calls++;
    CHECK(n->kind_name != NULL && n->subject != NULL && n->body != NULL);
    CHECK(n->to_len >= 1 && n->to != NULL && n->to[0] != NULL);
    if ((int)n->kind >= 0 && (int)n->kind < 8) seen.count[n->kind]++;
    if (n->secret != NULL) {
        snprintf(seen.secret, sizeof seen.secret, "%s", n->secret);
        CHECK(strstr(n->body, n->secret) != NULL);
    }
    if (n->kind == CK_NOTIFY_MILESTONE && seen.milestones < 8)
        seen.milestone_to[seen.milestones++] = n->recipient;
    return n->recipient == seen.unreachable ? CK_UNDELIVERABLE : CK_DELIVERED;
}

static ck_directory *dir;
static ck_manual_clock *clk;
static uint64_t acct, alice, bob, carol, dave;
static const char *IP = "192.0.2.10";

static ck_sign_in_outcome sign_in(const char *login, const char *pw, uint64_t account,
                                  ck_sign_in_result **out) {
    *out = NULL;
    ck_result r = ck_sign_in(dir, login, pw, IP, account, out);
    CHECK(r == CK_OK);
    return r == CK_OK ? (*out)->outcome : CK_INVALID_LOGIN;
}

static void accounts(void) {
    ck_actor sys = ck_actor_system();
    const char *options[] = {"users", "services", "reports", "backups"};
    ck_plan plan = {"business", 3, 500, "EUR", options, 4};
    ck_new_contact owner = ck_test_contact("alice", "Alice Owner", "alice@acme.example",
                                           "correct horse battery", 0);
    owner.profile.business_phone = "+1 555 0101";
    owner.profile.time_zone = "Europe/Paris";
    ck_account_created created;
    OK(ck_create_account(dir, &sys, "Acme Corp", &plan, &owner, &created));
    acct = created.account;
    alice = created.owner;

    ck_actor a = ck_actor_contact(alice);
    ck_account *view = NULL;
    OK(ck_account_get(dir, &a, acct, &view));
    CHECK(STREQ(view->name, "Acme Corp") && view->owner == alice && view->contacts == 1);
    CHECK(STREQ(view->plan.name, "business") && view->plan.tech_options_len == 4);
    CHECK(STREQ(view->plan.currency, "EUR") && view->partner == NULL);
    OK(ck_account_free(view));

    plan.included_contacts = 4;
    OK(ck_set_plan(dir, &a, acct, &plan));
    ck_service svc = {"mail", "Mail", true, "services"};
    OK(ck_register_service(dir, &sys, acct, &svc));
    ck_service hidden = {"fax", "Fax", false, "services"};
    OK(ck_register_service(dir, &sys, acct, &hidden));
    ck_service_list *services = NULL;
    OK(ck_services(dir, &a, acct, &services));
    CHECK(services->len == 2); /* the owner sees every service (A8) */
    OK(ck_service_list_free(services));
    OK(ck_set_procurement(dir, &sys, acct, true));
    OK(ck_set_procurement(dir, &sys, acct, false));
    EXPECT(CK_PERMISSION_DENIED, ck_set_procurement(dir, &a, acct, true));
    bool charged = true;
    ck_money price;
    OK(ck_contact_charge(dir, &a, acct, &charged, &price));
    CHECK(!charged);
    /* Money as a person reads it: the currency's decimals, then its code. */
    char *text = NULL;
    ck_money five = {500, "USD"}, yen = {500, "JPY"}, dinar = {1250, "KWD"};
    OK(ck_money_text(&five, &text));
    CHECK(STREQ(text, "5.00 USD"));
    OK(ck_string_free(text));
    OK(ck_money_text(&yen, &text));
    CHECK(STREQ(text, "500 JPY"));
    OK(ck_string_free(text));
    OK(ck_money_text(&dinar, &text));
    CHECK(STREQ(text, "1.250 KWD"));
    OK(ck_string_free(text));
    EXPECT(CK_NULL_POINTER, ck_money_text(NULL, &text));
    EXPECT(CK_NULL_POINTER, ck_money_text(&five, NULL));

    /* A partner resells an account. */
    ck_actor partner = ck_actor_partner("reseller-1");
    ck_new_contact o2 = ck_test_contact("zed", "Zed", "zed@other.example", NULL, 0);
    OK(ck_create_account(dir, &partner, "Other Inc", NULL, &o2, &created));
    ck_actor z = ck_actor_contact(created.owner);
    OK(ck_account_get(dir, &z, created.account, &view));
    CHECK(STREQ(view->partner, "reseller-1"));
    OK(ck_account_free(view));
}

static void contacts(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_contact_added added;
    ck_new_contact b = ck_test_contact("bob", "Bob Manager", "bob@acme.example",
                                       "tr0ub4dor&3 horse", CK_ROLE_CONTACT_MANAGER);
    OK(ck_create_contact(dir, &a, acct, &b, &added));
    bob = added.contact;
    CHECK(!added.charged);

    /* rule C3: a host-declared chargeable action, gated by the library. */
    ck_actor sys = ck_actor_system();
    ck_actor bm = ck_actor_contact(bob);
    OK(ck_authorize_charge(dir, &bm, acct, "disk.upgrade", CK_PERMISSION_MANAGE_CONTACTS, 1250,
                           "EUR"));
    OK(ck_set_procurement(dir, &sys, acct, true));
    EXPECT(CK_PERMISSION_DENIED, ck_authorize_charge(dir, &bm, acct, "disk.upgrade",
                                                     CK_PERMISSION_MANAGE_CONTACTS, 1250, "EUR"));
    CHECK(STREQ(ck_last_error_rule(), "C2"));
    OK(ck_authorize_charge(dir, &bm, acct, "disk.upgrade", CK_PERMISSION_MANAGE_CONTACTS, 0,
                           "EUR")); /* what costs nothing is not chargeable */
    OK(ck_authorize_charge(dir, &a, acct, "disk.upgrade", CK_PERMISSION_MANAGE_CONTACTS, 1250,
                           "EUR"));
    EXPECT(CK_INVALID_INPUT, ck_authorize_charge(dir, &a, acct, "Disk Upgrade",
                                                 CK_PERMISSION_MANAGE_CONTACTS, 1, "EUR"));
    CHECK(STREQ(ck_last_error_field(), "charge_action"));
    EXPECT(CK_INVALID_INPUT, ck_authorize_charge(dir, &a, acct, "disk", CK_PERMISSION_MANAGE_CONTACTS,
                                                 (uint64_t)INT64_MAX + 1, "EUR"));
    CHECK(STREQ(ck_last_error_field(), "price"));
    EXPECT(CK_NULL_POINTER, ck_authorize_charge(dir, &a, acct, NULL, CK_PERMISSION_MANAGE_CONTACTS,
                                                1, "EUR"));
    EXPECT(CK_INVALID_ARGUMENT, ck_authorize_charge(dir, &a, acct, "disk", 999, 1, "EUR"));
    OK(ck_set_procurement(dir, &sys, acct, false));
    const char *scope_opts[] = {"users", "reports"};
    ck_new_contact c = ck_test_contact("carol", "Carol Tech", "carol@acme.example",
                                       "tech lead passphrase", CK_ROLE_TECHNICAL_ADMIN);
    c.profile.business_phone = "+1 555 0102";
    c.tech_scope.all = false;
    c.tech_scope.options = scope_opts;
    c.tech_scope.options_len = 2;
    OK(ck_create_contact(dir, &a, acct, &c, &added));
    carol = added.contact;
    ck_new_contact d = ck_test_contact("dave", "Dave", "dave@acme.example",
                                       "quiet river stones", 0);
    d.profile.business_phone = "+1 555 0103";
    OK(ck_create_contact(dir, &a, acct, &d, &added));
    dave = added.contact;
    /* The fifth contact is beyond the plan's four: chargeable (A7). */
    bool charged = false;
    ck_money price;
    OK(ck_contact_charge(dir, &a, acct, &charged, &price));
    CHECK(charged && price.minor_units == 500 && STREQ(price.currency, "EUR"));

    /* The second way (B1): a login used on another account. */
    ck_actor bb = ck_actor_contact(bob);
    bool exists = false;
    OK(ck_check_login(dir, &bb, acct, "ZED", &exists));
    CHECK(exists);
    OK(ck_add_existing_contact(dir, &a, acct, "zed", 0, NULL, &added));
    CHECK(added.charged && added.charge.minor_units == 500 && added.pending);
    uint64_t zed = added.contact;
    /* B7: zed is only invited; it sees the invitation and accepts it. */
    ck_pending_member_list *pending = NULL;
    OK(ck_pending_invitations(dir, &a, acct, &pending));
    CHECK(pending->len == 1 && pending->items[0].contact == zed);
    CHECK(STREQ(pending->items[0].login, "zed") && pending->items[0].roles == 0);
    OK(ck_pending_member_list_free(pending));
    ck_actor z = ck_actor_contact(zed);
    ck_invitation_list *mine = NULL;
    OK(ck_invitations(dir, &z, &mine));
    CHECK(mine->len == 1 && mine->items[0].account == acct);
    CHECK(STREQ(mine->items[0].account_name, "Acme Corp"));
    CHECK(mine->items[0].expires_at - mine->items[0].invited_at == 14 * 86400);
    OK(ck_invitation_list_free(mine));
    EXPECT(CK_RULE_VIOLATION, ck_accept_invitation(dir, &bb, acct));
    CHECK(STREQ(ck_last_error_rule(), "B7"));
    OK(ck_accept_invitation(dir, &z, acct));
    EXPECT(CK_RULE_VIOLATION, ck_accept_invitation(dir, &z, acct));
    EXPECT(CK_RULE_VIOLATION, ck_decline_invitation(dir, &z, acct));

    /* Edit: a manager edits a standard contact; "" clears a field. */
    ck_profile_update u;
    memset(&u, 0, sizeof u);
    u.job_title = "Engineer";
    u.cell_phone = "+1 555 0199";
    ck_string_list *changed = NULL;
    OK(ck_update_contact(dir, &bb, acct, dave, &u, &changed));
    CHECK(changed->len == 2);
    OK(ck_string_list_free(changed));
    memset(&u, 0, sizeof u);
    u.cell_phone = "";
    OK(ck_update_contact(dir, &bb, acct, dave, &u, NULL));
    ck_contact *view = NULL;
    OK(ck_contact_get(dir, &a, acct, dave, &view));
    CHECK(STREQ(view->profile.job_title, "Engineer") && view->profile.cell_phone == NULL);
    CHECK(STREQ(view->login, "dave") && STREQ(view->profile.time_zone, "UTC"));
    CHECK(view->lock.kind == CK_LOCK_NONE && !view->owner && view->accounts == 1);
    OK(ck_contact_free(view));
    /* Not the owner (A6), not a shared profile (B6). */
    u.cell_phone = NULL;
    u.name = "Mallory";
    EXPECT(CK_RULE_VIOLATION, ck_update_contact(dir, &bb, acct, alice, &u, NULL));
    CHECK(STREQ(ck_last_error_rule(), "A6"));
    EXPECT(CK_RULE_VIOLATION, ck_update_contact(dir, &bb, acct, zed, &u, NULL));
    CHECK(STREQ(ck_last_error_rule(), "B6"));

    /* Roles (C1, C6) and the permission listing (C2). */
    EXPECT(CK_RULE_VIOLATION,
           ck_set_roles(dir, &bb, acct, dave, CK_ROLE_BILLING_MANAGER, NULL));
    CHECK(STREQ(ck_last_error_rule(), "C6"));
    OK(ck_set_roles(dir, &a, acct, dave, CK_ROLE_BILLING_MANAGER | CK_ROLE_SECURITY_MANAGER,
                    NULL));
    ck_access *access = NULL;
    OK(ck_access_get(dir, &bb, acct, &access));
    CHECK(access->standing == CK_STANDING_MEMBER);
    CHECK(access->permissions & (1u << CK_PERMISSION_MANAGE_CONTACTS));
    CHECK(!(access->permissions & (1u << CK_PERMISSION_MANAGE_BILLING)));
    CHECK(access->assignable_roles == CK_ROLE_CONTACT_MANAGER);
    OK(ck_access_free(access));
    OK(ck_access_get(dir, &a, acct, &access));
    CHECK(access->standing == CK_STANDING_OWNER && access->roles == CK_ROLES_ALL);
    OK(ck_access_free(access));
    OK(ck_authorize(dir, &a, acct, CK_PERMISSION_TRANSFER_OWNERSHIP));

    /* Listing, paged. */
    ck_contact_list *list = NULL;
    OK(ck_list_contacts(dir, &a, acct, 0, 3, &list));
    CHECK(list->len == 3);
    uint64_t last = list->items[2].id;
    OK(ck_contact_list_free(list));
    OK(ck_list_contacts(dir, &a, acct, last, 1000, &list));
    CHECK(list->len == 2);
    OK(ck_contact_list_free(list));

    /* Preferences (I2), and a delete of the shared contact. */
    ck_notification_prefs prefs = {true, false, true, true};
    OK(ck_set_notification_prefs(dir, &a, acct, dave, &prefs));
    OK(ck_delete_contact(dir, &bb, acct, zed));
}

static void sign_in_and_locks(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_sign_in_result *r = NULL;

    /* Signed in, a session, sign-out (D5, D8). */
    CHECK(sign_in("bob", "tr0ub4dor&3 horse", 0, &r) == CK_SIGNED_IN);
    CHECK(r->token != NULL && r->contact == bob && r->account == acct);
    CHECK(r->stage == CK_STAGE_FULL && r->expires_at > 0);
    char token[128];
    snprintf(token, sizeof token, "%s", r->token);
    OK(ck_sign_in_result_free(r));
    ck_session *s = NULL;
    OK(ck_authenticate(dir, token, &s));
    CHECK(s->contact == bob && STREQ(s->ip, IP) && s->stage == CK_STAGE_FULL);
    OK(ck_session_free(s));
    uint64_t who = 0;
    OK(ck_session_actor(dir, token, &who));
    CHECK(who == bob);
    OK(ck_sign_out(dir, token));
    EXPECT(CK_UNAUTHENTICATED, ck_authenticate(dir, token, &s));

    /* Invalid credentials; then the lock policy locks the login (E1, E2). */
    CHECK(sign_in("bob", "wrong", 0, &r) == CK_INVALID_LOGIN);
    OK(ck_sign_in_result_free(r));
    CHECK(sign_in("nobody", "wrong", 0, &r) == CK_INVALID_LOGIN);
    OK(ck_sign_in_result_free(r));
    OK(ck_set_lock_policy(dir, &a, acct, true, 3));
    ck_sign_in_outcome o = CK_INVALID_LOGIN;
    for (int i = 0; i < 10 && o != CK_LOCKED; i++) {
        o = sign_in("bob", "wrong", 0, &r);
        if (o == CK_LOCKED) CHECK(r->lock.kind == CK_LOCK_AUTOMATIC && r->lock.until > 0);
        OK(ck_sign_in_result_free(r));
    }
    CHECK(o == CK_LOCKED);
    /* While locked no password is checked (E3). */
    CHECK(sign_in("bob", "tr0ub4dor&3 horse", 0, &r) == CK_LOCKED);
    OK(ck_sign_in_result_free(r));
    ck_contact_list *list = NULL;
    OK(ck_list_contacts(dir, &a, acct, 0, 100, &list));
    int marked = 0;
    for (size_t i = 0; i < list->len; i++)
        if (list->items[i].id == bob) marked = list->items[i].lock.kind == CK_LOCK_AUTOMATIC;
    CHECK(marked); /* the padlock (E7) */
    OK(ck_contact_list_free(list));
    OK(ck_unlock_contact(dir, &a, acct, bob)); /* E5 */
    CHECK(sign_in("bob", "tr0ub4dor&3 horse", 0, &r) == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));
    /* The cool-off ends by itself too (E2). */
    for (int i = 0; i < 10; i++) {
        o = sign_in("dave", "wrong", 0, &r);
        OK(ck_sign_in_result_free(r));
        if (o == CK_LOCKED) break;
    }
    CHECK(o == CK_LOCKED);
    OK(ck_manual_clock_advance(clk, 31 * 60));
    /* Sessions past their idle lifetime leave the store when purged (D8):
     * bob's, 31 minutes unused. */
    uint64_t purged = 0;
    OK(ck_purge_expired_sessions(dir, &purged));
    CHECK(purged >= 1);
    OK(ck_purge_expired_sessions(dir, &purged));
    CHECK(purged == 0);
    OK(ck_purge_expired_sessions(dir, NULL));
    EXPECT(CK_NULL_POINTER, ck_purge_expired_sessions(NULL, &purged));
    CHECK(sign_in("dave", "quiet river stones", 0, &r) == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));

    /* A manual lock (E6). */
    OK(ck_lock_contact(dir, &a, acct, dave));
    CHECK(sign_in("dave", "quiet river stones", 0, &r) == CK_LOCKED);
    CHECK(r->lock.kind == CK_LOCK_MANUAL);
    OK(ck_sign_in_result_free(r));
    OK(ck_unlock_contact(dir, &a, acct, dave));

    /* IP allowlist (G1, G2). */
    const char *ranges[] = {"10.0.0.0/8"};
    EXPECT(CK_RULE_VIOLATION, ck_set_ip_allowlist(dir, &a, acct, ranges, 1, "192.0.2.1"));
    CHECK(STREQ(ck_last_error_rule(), "G2"));
    OK(ck_set_ip_allowlist(dir, &a, acct, ranges, 1, "10.1.2.3"));
    CHECK(sign_in("dave", "quiet river stones", 0, &r) == CK_IP_NOT_ALLOWED);
    OK(ck_sign_in_result_free(r));
    OK(ck_set_ip_allowlist(dir, &a, acct, NULL, 0, "10.1.2.3"));

    /* A contact of two accounts names one (D5). */
    ck_actor sys = ck_actor_system();
    ck_account_created other;
    ck_new_contact o2 = ck_test_contact("yuri", "Yuri", "yuri@b.example", NULL, 0);
    OK(ck_create_account(dir, &sys, "Beta", NULL, &o2, &other));
    ck_actor y = ck_actor_contact(other.owner);
    ck_contact_added added;
    OK(ck_add_existing_contact(dir, &y, other.account, "carol", 0, NULL, &added));
    /* Invited, it is no member there yet (B7). */
    CHECK(sign_in("carol", "tech lead passphrase", other.account, &r) == CK_INVALID_LOGIN);
    OK(ck_sign_in_result_free(r));
    ck_actor cc = ck_actor_contact(carol);
    OK(ck_accept_invitation(dir, &cc, other.account));
    CHECK(sign_in("carol", "tech lead passphrase", 0, &r) == CK_ACCOUNT_REQUIRED);
    CHECK(r->accounts_len == 2 && r->token == NULL);
    OK(ck_sign_in_result_free(r));
    CHECK(sign_in("carol", "tech lead passphrase", other.account, &r) == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));
}

static void passwords_and_recovery(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor d = ck_actor_contact(dave);
    ck_sign_in_result *r = NULL;

    OK(ck_set_password_policy(dir, &a, acct, 12, 6));
    EXPECT(CK_INVALID_INPUT, ck_set_password_policy(dir, &a, acct, 4, 5));
    OK(ck_change_password(dir, &d, acct, "quiet river stones", "quiet river stones 2"));
    EXPECT(CK_INVALID_INPUT, ck_change_password(dir, &d, acct, "quiet river stones 2", "short"));
    CHECK(STREQ(ck_last_error_field(), "password"));

    /* A manager's temporary password (D7), then a forced change (D4). */
    char *temp = NULL;
    OK(ck_reset_password(dir, &a, acct, dave, CK_RESET_TEMPORARY_PASSWORD, &temp));
    CHECK(temp != NULL && strlen(temp) == 16);
    CHECK(sign_in("dave", temp, 0, &r) == CK_PASSWORD_CHANGE_REQUIRED);
    CHECK(r->stage == CK_STAGE_PASSWORD_CHANGE);
    char token[128];
    snprintf(token, sizeof token, "%s", r->token);
    OK(ck_sign_in_result_free(r));
    uint64_t who = 0;
    EXPECT(CK_UNAUTHENTICATED, ck_session_actor(dir, token, &who)); /* D4: not yet */
    OK(ck_change_password_with_session(dir, token, temp, "quiet river stones 3", &r));
    CHECK(r->outcome == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));
    OK(ck_string_free(temp));
    char *none = (char *)1;
    OK(ck_reset_password(dir, &a, acct, dave, CK_RESET_SEND_EMAIL, &none));
    CHECK(none == NULL && seen.secret[0] != '\0');
    OK(ck_set_must_change_password(dir, &a, acct, dave, false));

    /* Forgotten password (D6, E4): the secret arrives through the notifier. */
    seen.secret[0] = '\0';
    OK(ck_request_password_reset(dir, "dave", CK_RECOVERY_EMAIL));
    CHECK(seen.secret[0] != '\0');
    EXPECT(CK_UNAUTHENTICATED,
           ck_complete_password_reset(dir, "dave", "000000", "quiet river stones 4"));
    OK(ck_complete_password_reset(dir, "dave", seen.secret, "quiet river stones 4"));
    OK(ck_request_password_reset(dir, "nobody-at-all", CK_RECOVERY_CELL_PHONE));
    CHECK(sign_in("dave", "quiet river stones 4", 0, &r) == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));
    OK(ck_change_password(dir, &d, acct, "quiet river stones 4", "quiet river stones 5"));
}

/* A security manager requires every contact to change its password (D2). */
static void forced_change(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_sign_in_result *r = NULL;
    char token[128];
    OK(ck_manual_clock_advance(clk, 60));
    OK(ck_require_password_change(dir, &a, acct));
    CHECK(sign_in("bob", "tr0ub4dor&3 horse", 0, &r) == CK_PASSWORD_CHANGE_REQUIRED);
    snprintf(token, sizeof token, "%s", r->token);
    OK(ck_sign_in_result_free(r));
    r = NULL;
    OK(ck_change_password_with_session(dir, token, "tr0ub4dor&3 horse", "a brand new passphrase",
                                       &r));
    CHECK(r != NULL && r->outcome == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));
}

static void second_factor(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor b = ck_actor_contact(bob);
    ck_sign_in_result *r = NULL;
    ck_enrollment *e = NULL;
    char token[128];

    /* Email codes (F1): enroll with a code from the notifier. */
    seen.secret[0] = '\0';
    OK(ck_begin_two_factor_enrollment(dir, &b, acct, CK_2FA_EMAIL, NULL, "tr0ub4dor&3 horse",
                                      &e));
    CHECK(e->method == CK_2FA_EMAIL && e->otpauth_uri == NULL);
    OK(ck_enrollment_free(e));
    CHECK(seen.secret[0] != '\0');
    OK(ck_confirm_two_factor_enrollment(dir, &b, acct, seen.secret));
    seen.secret[0] = '\0';
    CHECK(sign_in("bob", "tr0ub4dor&3 horse", 0, &r) == CK_SECOND_FACTOR_REQUIRED);
    CHECK(r->method == CK_2FA_EMAIL && r->stage == CK_STAGE_SECOND_FACTOR);
    snprintf(token, sizeof token, "%s", r->token);
    OK(ck_sign_in_result_free(r));
    OK(ck_resend_second_factor_code(dir, token));
    EXPECT(CK_UNAUTHENTICATED, ck_complete_second_factor(dir, token, "nope", &r));
    OK(ck_complete_second_factor(dir, token, seen.secret, &r));
    CHECK(r->outcome == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));
    OK(ck_reset_two_factor(dir, &a, acct, bob)); /* F2 */

    /* An authenticator app (TOTP), codes computed as the app would. */
    OK(ck_begin_two_factor_enrollment(dir, &b, acct, CK_2FA_TOTP, NULL, "tr0ub4dor&3 horse", &e));
    CHECK(strncmp(e->otpauth_uri, "otpauth://totp/", 15) == 0);
    char secret[128];
    snprintf(secret, sizeof secret, "%s", e->secret_base32);
    OK(ck_enrollment_free(e));
    int64_t now = 0;
    OK(ck_directory_now(dir, &now));
    uint32_t code = 0;
    OK(ck_totp_code(secret, (uint64_t)now, &code));
    char digits[16];
    snprintf(digits, sizeof digits, "%06u", (unsigned)code);
    OK(ck_confirm_two_factor_enrollment(dir, &b, acct, digits));
    OK(ck_manual_clock_advance(clk, 60));
    CHECK(sign_in("bob", "tr0ub4dor&3 horse", 0, &r) == CK_SECOND_FACTOR_REQUIRED);
    CHECK(r->method == CK_2FA_TOTP);
    snprintf(token, sizeof token, "%s", r->token);
    OK(ck_sign_in_result_free(r));
    OK(ck_totp_code(secret, (uint64_t)now + 60, &code));
    snprintf(digits, sizeof digits, "%06u", (unsigned)code);
    OK(ck_complete_second_factor(dir, token, digits, &r));
    CHECK(r->outcome == CK_SIGNED_IN);
    OK(ck_sign_in_result_free(r));
    OK(ck_reset_two_factor(dir, &a, acct, bob));

    /* The account requires 2FA: enrollment from the session (F3). */
    OK(ck_set_require_two_factor(dir, &a, acct, true));
    CHECK(sign_in("carol", "tech lead passphrase", acct, &r) == CK_ENROLLMENT_REQUIRED);
    snprintf(token, sizeof token, "%s", r->token);
    OK(ck_sign_in_result_free(r));
    seen.secret[0] = '\0';
    OK(ck_begin_enrollment_with_session(dir, token, CK_2FA_EMAIL, NULL, &e));
    OK(ck_enrollment_free(e));
    OK(ck_confirm_enrollment_with_session(dir, token, seen.secret, &r));
    CHECK(r->outcome == CK_SIGNED_IN && r->token != NULL);
    OK(ck_sign_in_result_free(r));
    OK(ck_set_require_two_factor(dir, &a, acct, false));
}

static void questions(void) {
    ck_actor d = ck_actor_contact(dave);
    CHECK(ck_security_question_count() >= 3);
    CHECK(ck_security_question_text(0) != NULL);
    CHECK(ck_security_question_text(ck_security_question_count()) == NULL);
    ck_security_answer answers[3] = {{0, "Rex"}, {1, "Lyon"}, {4, "Citroen"}};
    OK(ck_set_security_answers(dir, &d, acct, answers, 3, "quiet river stones 5"));
    uint16_t qs[3];
    size_t n = 0;
    EXPECT(CK_BUFFER_TOO_SMALL, ck_security_questions(dir, &d, acct, dave, qs, 2, &n));
    CHECK(n == 3);
    OK(ck_security_questions(dir, &d, acct, dave, qs, 3, &n));
    CHECK(n == 3 && qs[0] == 0 && qs[1] == 1 && qs[2] == 4);
    ck_actor desk = ck_actor_support_desk("agent-7", "caller verification");
    bool match = false;
    OK(ck_check_security_answer(dir, &desk, acct, dave, 1, "  LYON ", &match));
    CHECK(match);
    OK(ck_check_security_answer(dir, &desk, acct, dave, 1, "Paris", &match));
    CHECK(!match);
}

static void designations(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor sys = ck_actor_system();
    uint64_t pc = 0, nas = 0;
    OK(ck_add_resource(dir, &a, acct, "computer", "pc-1", carol, dave, &pc));
    OK(ck_add_resource(dir, &a, acct, "computer", "nas-1", carol, 0, &nas));
    EXPECT(CK_RULE_VIOLATION, ck_set_technical_contacts(dir, &a, acct, nas, carol, carol));
    CHECK(STREQ(ck_last_error_rule(), "H2"));
    ck_resource *res = NULL;
    OK(ck_resource_get(dir, &a, acct, pc, &res));
    CHECK(STREQ(res->name, "pc-1") && res->primary == carol && res->secondary == dave);
    OK(ck_resource_free(res));
    ck_resource_list *rl = NULL;
    OK(ck_resources(dir, &a, acct, 0, 10, &rl));
    CHECK(rl->len == 2);
    OK(ck_resource_list_free(rl));
    ck_duty_list *duties = NULL;
    OK(ck_duties(dir, &a, acct, carol, &duties));
    CHECK(duties->len == 2 && duties->items[0].kind == CK_DUTY_TECHNICAL);
    OK(ck_duty_list_free(duties));

    /* Milestones (H6): the primary, or the secondary when it is unreachable. */
    seen.milestones = 0;
    OK(ck_report_milestone(dir, &sys, acct, pc, CK_MILESTONE_SOFTWARE_READY, NULL));
    CHECK(seen.milestones == 1 && seen.milestone_to[0] == carol);
    seen.unreachable = carol;
    OK(ck_report_milestone(dir, &sys, acct, pc, CK_MILESTONE_OTHER, "agent upgraded"));
    CHECK(seen.milestones == 3 && seen.milestone_to[2] == dave);
    seen.unreachable = 0;
    /* A primary that turned milestones off is not unreachable: nobody. */
    ck_notification_prefs no_milestones = {true, true, true, false};
    OK(ck_set_notification_prefs(dir, &a, acct, carol, &no_milestones));
    OK(ck_report_milestone(dir, &sys, acct, pc, CK_MILESTONE_SOFTWARE_READY, NULL));
    CHECK(seen.milestones == 3);
    ck_notification_prefs all_on = {true, true, true, true};
    OK(ck_set_notification_prefs(dir, &a, acct, carol, &all_on));

    /* Billing contacts (H7), bulk reassignment (H3), create with a duty (H5). */
    /* Billing notices (H7): to the owner until a billing contact is set,
       then to it; only the host sends them. */
    uint64_t billed = 0;
    int bills = seen.count[CK_NOTIFY_BILLING];
    OK(ck_send_billing_notice(dir, &sys, acct, "Invoice ready", "Invoice 42: 5.00 USD.", &billed));
    CHECK(billed == alice && seen.count[CK_NOTIFY_BILLING] == bills + 1);
    EXPECT(CK_PERMISSION_DENIED, ck_send_billing_notice(dir, &a, acct, "Invoice", "x", NULL));
    EXPECT(CK_INVALID_INPUT, ck_send_billing_notice(dir, &sys, acct, "", "x", NULL));
    OK(ck_set_billing_contacts(dir, &a, acct, dave, 0));
    OK(ck_send_billing_notice(dir, &sys, acct, "Payment failed", "Card declined.", &billed));
    CHECK(billed == dave && seen.count[CK_NOTIFY_BILLING] == bills + 2);
    uint64_t p = 0, s = 1;
    OK(ck_billing_contacts(dir, &a, acct, &p, &s));
    CHECK(p == dave && s == 0);
    size_t moved = 0;
    OK(ck_reassign_duties(dir, &a, acct, carol, alice, &moved));
    CHECK(moved == 2);
    ck_new_contact eve = ck_test_contact("eve", "Eve", "eve@acme.example", NULL, 0);
    ck_duty duty = {CK_DUTY_TECHNICAL, nas, CK_RANK_SECONDARY};
    ck_contact_added added;
    EXPECT(CK_NOT_ELIGIBLE, ck_create_contact_with_duty(dir, &a, acct, &eve, &duty, &added));
    bool exists = true;
    OK(ck_check_login(dir, &a, acct, "eve", &exists));
    CHECK(!exists); /* neither half happened */
    eve.profile.business_phone = "+1 555 0104";
    OK(ck_create_contact_with_duty(dir, &a, acct, &eve, &duty, &added));

    /* Delete with replacement (B5). */
    EXPECT(CK_DUTIES_HELD, ck_delete_contact(dir, &a, acct, dave));
    OK(ck_delete_contact_with_replacement(dir, &a, acct, dave, added.contact));
    OK(ck_billing_contacts(dir, &a, acct, &p, &s));
    CHECK(p == added.contact);
    OK(ck_remove_resource(dir, &a, acct, nas));

    /* H4: designate an existing contact, supplying the phone it lacks in the
       same step (seed 000's User Information form); only what it lacks. */
    ck_new_contact gus_new = ck_test_contact("gus", "Gus", "gus@acme.example", NULL, 0);
    OK(ck_create_contact(dir, &sys, acct, &gus_new, &added));
    uint64_t gus = added.contact;
    ck_duty pc_primary = {CK_DUTY_TECHNICAL, pc, CK_RANK_PRIMARY};
    EXPECT(CK_NOT_ELIGIBLE, ck_designate(dir, &a, acct, gus, &pc_primary, NULL));
    ck_duty_info rewrite = {"attacker@evil.example", "+1 555 0105"};
    EXPECT(CK_RULE_VIOLATION, ck_designate(dir, &a, acct, gus, &pc_primary, &rewrite));
    CHECK(STREQ(ck_last_error_rule(), "H4"));
    ck_duty_info phone = {NULL, "+1 555 0105"};
    OK(ck_designate(dir, &a, acct, gus, &pc_primary, &phone));
    OK(ck_resource_get(dir, &a, acct, pc, &res));
    CHECK(res->primary == gus);
    OK(ck_resource_free(res));
    ck_contact *gv = NULL;
    OK(ck_contact_get(dir, &a, acct, gus, &gv));
    CHECK(STREQ(gv->profile.business_phone, "+1 555 0105"));
    CHECK(STREQ(gv->profile.email, "gus@acme.example"));
    OK(ck_contact_free(gv));

    /* H5: a resource with a new contact as its primary, in one step; the new
       contact gets no role. */
    ck_new_contact hal = ck_test_contact("hal", "Hal", "hal@acme.example", NULL, 0);
    hal.profile.business_phone = "+1 555 0106";
    ck_resource_added made;
    hal.roles = CK_ROLE_CONTACT_MANAGER;
    EXPECT(CK_RULE_VIOLATION,
           ck_add_resource_with_new_primary(dir, &a, acct, "computer", "pc-2", &hal, gus, &made));
    CHECK(STREQ(ck_last_error_rule(), "H5"));
    OK(ck_check_login(dir, &a, acct, "hal", &exists));
    CHECK(!exists);
    hal.roles = 0;
    OK(ck_add_resource_with_new_primary(dir, &a, acct, "computer", "pc-2", &hal, gus, &made));
    OK(ck_resource_get(dir, &a, acct, made.resource, &res));
    CHECK(res->primary == made.contact.contact && res->secondary == gus);
    CHECK(STREQ(res->name, "pc-2") && !made.contact.pending);
    OK(ck_resource_free(res));
}

static void ownership(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor b = ck_actor_contact(bob);
    int before = seen.count[CK_NOTIFY_OWNERSHIP_RECEIVED];
    OK(ck_transfer_ownership(dir, &a, acct, bob)); /* A3 */
    CHECK(seen.count[CK_NOTIFY_OWNERSHIP_RECEIVED] == before + 1);
    EXPECT(CK_PERMISSION_DENIED, ck_transfer_ownership(dir, &a, acct, alice));
    ck_actor no_reason = ck_actor_support_desk("agent-7", "");
    EXPECT(CK_INVALID_INPUT, ck_transfer_ownership(dir, &no_reason, acct, alice)); /* A4 */
    CHECK(STREQ(ck_last_error_field(), "reason"));
    ck_actor desk = ck_actor_support_desk("agent-7", "owner left the company");
    OK(ck_transfer_ownership(dir, &desk, acct, alice));
    ck_account *view = NULL;
    OK(ck_account_get(dir, &b, acct, &view));
    CHECK(view->owner == alice);
    OK(ck_account_free(view));
    EXPECT(CK_PERMISSION_DENIED, ck_send_maintenance_notice(dir, &a, acct, "x", "y", NULL));
}

static void audit(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor sys = ck_actor_system();
    size_t sent = 0;
    OK(ck_send_maintenance_notice(dir, &sys, acct, "Maintenance", "Tonight 22:00 UTC", &sent));
    CHECK(sent >= 3);

    ck_audit_query q;
    memset(&q, 0, sizeof q);
    q.limit = 1000;
    q.operation = "ownership.transfer";
    ck_audit_entry_list *entries = NULL;
    OK(ck_audit_entries(dir, &a, acct, &q, &entries));
    CHECK(entries->len >= 3); /* two transfers and the refused ones */
    printf("ownership entries: %zu\n", entries->len);
    int with_reason = 0;
    for (size_t i = 0; i < entries->len; i++) {
        const ck_audit_entry *e = &entries->items[i];
        CHECK(e->account == acct && e->seq > 0 && e->at > 0);
        /* I3: in the reader's zone (alice's is Europe/Paris), with the offset. */
        CHECK(e->at_local != NULL && (strstr(e->at_local, "CET (UTC+01:00)") != NULL ||
                                      strstr(e->at_local, "CEST (UTC+02:00)") != NULL));
        if (e->detail && strstr(e->detail, "owner left the company")) with_reason++;
    }
    CHECK(with_reason == 1);
    OK(ck_audit_entry_list_free(entries));
    OK(ck_audit_entries(dir, &a, acct, NULL, &entries));
    printf("default page: %zu\n", entries->len);
    CHECK(entries->len > 50 && entries->len <= 100);
    OK(ck_audit_entry_list_free(entries));

    /* I3: a time as a contact reads it; an unknown zone is an error. */
    char *when = NULL;
    OK(ck_local_time(1772955000, "America/New_York", &when));
    CHECK(STREQ(when, "2026-03-08 03:30 EDT (UTC-04:00)"));
    OK(ck_string_free(when));
    when = NULL;
    EXPECT(CK_INVALID_INPUT, ck_local_time(1772955000, "Nowhere/Land", &when));
    CHECK(when == NULL && STREQ(ck_last_error_field_at(0), "time_zone"));

    char *csv = NULL;
    size_t len = 0;
    uint64_t rows = 0;
    OK(ck_audit_export_csv_alloc(dir, &a, acct, NULL, &csv, &len, &rows));
    printf("csv rows: %llu\n", (unsigned long long)rows);
    CHECK(len == strlen(csv) && rows > 50);
    OK(ck_string_free(csv));
    char path[] = "/tmp/ck-audit-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    OK(ck_audit_export_csv_file(dir, &a, acct, NULL, path, &rows));
    FILE *f = fopen(path, "r");
    char line[512] = {0};
    CHECK(f != NULL && fgets(line, sizeof line, f) != NULL);
    CHECK(strstr(line, "operation") != NULL);
    if (f) fclose(f);
    unlink(path);

    ck_audit_verification v;
    OK(ck_audit_verify(dir, &a, acct, &v));
    CHECK(v.intact && v.entries > 50 && v.problem == CK_CHAIN_OK);
    OK(ck_directory_audit_verify(dir, &sys, &v));
    CHECK(v.intact);
    EXPECT(CK_PERMISSION_DENIED, ck_directory_audit_verify(dir, &a, &v));
    OK(ck_directory_audit_entries(dir, &sys, NULL, &entries));
    OK(ck_audit_entry_list_free(entries));

    /* rule J4: the host prunes the directory chain behind a checkpoint */
    ck_sign_in_result *guess = NULL;
    CHECK(sign_in("nobody-here", "a wrong guess", 0, &guess) == CK_INVALID_LOGIN);
    OK(ck_sign_in_result_free(guess));
    OK(ck_manual_clock_advance(clk, 91 * 86400));
    uint64_t pruned = 0;
    EXPECT(CK_PERMISSION_DENIED, ck_prune_directory_audit(dir, &a, 90, &pruned));
    EXPECT(CK_INVALID_INPUT, ck_prune_directory_audit(dir, &sys, -1, &pruned));
    EXPECT(CK_NULL_POINTER, ck_prune_directory_audit(NULL, &sys, 90, &pruned));
    OK(ck_prune_directory_audit(dir, &sys, INT64_MAX, &pruned));
    CHECK(pruned == 0);
    OK(ck_prune_directory_audit(dir, &sys, 90, &pruned));
    CHECK(pruned >= 1);
    OK(ck_prune_directory_audit(dir, &sys, 90, NULL));
    OK(ck_directory_audit_verify(dir, &sys, &v));
    CHECK(v.intact && v.entries >= 1);
    OK(ck_directory_audit_entries(dir, &sys, NULL, &entries));
    CHECK(entries->len >= 1 && strcmp(entries->items[entries->len - 1].operation, "audit.prune") == 0);
    OK(ck_audit_entry_list_free(entries));

    ck_outbox_list *pending = NULL;
    OK(ck_pending_notifications(dir, 100, &pending));
    CHECK(pending->len == 0); /* everything was delivered inline */
    OK(ck_outbox_list_free(pending));
    ck_delivery_report report;
    OK(ck_deliver_pending(dir, &report));
    CHECK(report.delivered == 0 && report.retry_later == 0);
}

/* What the seeds' screens read back (I5). */
static void screens(void) {
    ck_actor a = ck_actor_contact(alice);
    ck_actor sys = ck_actor_system();
    ck_contact *found = NULL;
    OK(ck_find_contact(dir, &a, acct, " DAVE ", &found));
    CHECK(found->id == dave && found->locked_by == NULL);
    OK(ck_contact_free(found));
    EXPECT(CK_NOT_FOUND, ck_find_contact(dir, &a, acct, "nobody-at-all", &found));
    EXPECT(CK_NULL_POINTER, ck_find_contact(dir, &a, acct, NULL, &found));

    /* The padlock says who locked by hand (E6). */
    OK(ck_lock_contact(dir, &a, acct, dave));
    ck_contact *view = NULL;
    OK(ck_contact_get(dir, &a, acct, dave, &view));
    char label[64];
    snprintf(label, sizeof label, "contact:%llu", (unsigned long long)alice);
    CHECK(view->lock.kind == CK_LOCK_MANUAL && STREQ(view->locked_by, label));
    OK(ck_contact_free(view));
    OK(ck_unlock_contact(dir, &a, acct, dave));

    /* General tab (D3, D4). */
    ck_password_status ps;
    OK(ck_password_status_get(dir, &a, acct, dave, &ps));
    CHECK(ps.set && ps.has_dates && ps.expires_at - ps.changed_at == 365 * 86400);
    CHECK(!ps.must_change);
    OK(ck_set_must_change_password(dir, &a, acct, dave, true));
    OK(ck_password_status_get(dir, &a, acct, dave, &ps));
    CHECK(ps.must_change && ps.change_required);
    OK(ck_set_must_change_password(dir, &a, acct, dave, false));
    EXPECT(CK_NULL_POINTER, ck_password_status_get(dir, &a, acct, dave, NULL));

    /* Login options tab (F1, F3). */
    ck_actor d = ck_actor_contact(dave);
    ck_two_factor_status *tf = NULL;
    OK(ck_two_factor_status_get(dir, &d, acct, dave, &tf));
    CHECK(!tf->required && !tf->enrollment_pending);
    CHECK(tf->enrolled || tf->phone == NULL);
    OK(ck_two_factor_status_free(tf));
    OK(ck_set_require_two_factor(dir, &a, acct, true));
    OK(ck_two_factor_status_get(dir, &a, acct, dave, &tf));
    CHECK(tf->required);
    OK(ck_two_factor_status_free(tf));
    OK(ck_set_require_two_factor(dir, &a, acct, false));

    /* The account's policies (D2, E1, F3, G1). */
    ck_security_policy *pol = NULL;
    OK(ck_security_policy_get(dir, &d, acct, &pol));
    bool was_enabled = pol->lock_enabled;
    uint32_t was_max = pol->max_attempts;
    CHECK(pol->password_min_length == 12 && pol->password_history == 6); /* as set above */
    OK(ck_security_policy_free(pol));
    OK(ck_set_lock_policy(dir, &a, acct, true, 4));
    const char *ranges[] = {"10.0.0.0/8", "192.0.2.0/24"};
    OK(ck_set_ip_allowlist(dir, &a, acct, ranges, 2, "192.0.2.7"));
    OK(ck_security_policy_get(dir, &d, acct, &pol));
    CHECK(pol->lock_enabled && pol->max_attempts == 4 && !pol->require_two_factor);
    CHECK(pol->ip_allowlist_len == 2 && STREQ(pol->ip_allowlist[0], "10.0.0.0/8"));
    OK(ck_security_policy_free(pol));
    OK(ck_set_ip_allowlist(dir, &a, acct, NULL, 0, "192.0.2.7"));
    OK(ck_set_lock_policy(dir, &a, acct, was_enabled, was_enabled ? was_max : 1));

    /* The Account Contacts page: sorted, filtered, paged (I5). */
    ck_contact_list *all = NULL;
    OK(ck_list_contacts(dir, &a, acct, 0, 1000, &all));
    size_t total = all->len;
    OK(ck_contact_list_free(all));
    ck_contact_query q = {CK_SORT_LOGIN, 0, CK_LOCK_FILTER_ANY, NULL, NULL, 1};
    char prev[128] = "";
    size_t listed = 0;
    char cursor[512];
    for (;;) {
        ck_contact_page *page = NULL;
        OK(ck_search_contacts(dir, &a, acct, &q, &page));
        CHECK(page->len <= 1);
        if (page->len == 1) {
            CHECK(strcasecmp(prev, page->items[0].login) < 0);
            snprintf(prev, sizeof prev, "%s", page->items[0].login);
            listed++;
        }
        bool more = page->next != NULL;
        if (more) snprintf(cursor, sizeof cursor, "%s", page->next);
        OK(ck_contact_page_free(page));
        if (!more || listed > total) break;
        q.cursor = cursor;
    }
    CHECK(listed == total);
    ck_contact_query by_text = {CK_SORT_NAME, 0, CK_LOCK_FILTER_UNLOCKED, "DAVE", NULL, 10};
    ck_contact_page *page = NULL;
    OK(ck_search_contacts(dir, &a, acct, &by_text, &page));
    CHECK(page->len == 1 && page->items[0].id == dave && page->next == NULL);
    OK(ck_contact_page_free(page));
    ck_contact_query managers = {CK_SORT_ID, CK_ROLE_CONTACT_MANAGER, 0, NULL, NULL, 10};
    OK(ck_search_contacts(dir, &a, acct, &managers, &page));
    CHECK(page->len >= 2); /* the owner holds every role */
    OK(ck_contact_page_free(page));
    ck_contact_query bad = q;
    bad.sort = 9;
    EXPECT(CK_INVALID_ARGUMENT, ck_search_contacts(dir, &a, acct, &bad, &page));
    bad = q;
    bad.role = CK_ROLE_CONTACT_MANAGER | CK_ROLE_BILLING_MANAGER;
    EXPECT(CK_INVALID_ARGUMENT, ck_search_contacts(dir, &a, acct, &bad, &page));
    bad = q;
    bad.cursor = "junk";
    EXPECT(CK_INVALID_INPUT, ck_search_contacts(dir, &a, acct, &bad, &page));
    CHECK(STREQ(ck_last_error_field(), "cursor") && STREQ(ck_last_error_rule(), "I5"));
    bad = q;
    bad.limit = 0;
    EXPECT(CK_INVALID_INPUT, ck_search_contacts(dir, &a, acct, &bad, &page));
    EXPECT(CK_NULL_POINTER, ck_search_contacts(dir, &a, acct, NULL, &page));

    /* The account switcher (B6). */
    ck_membership_list *mine = NULL;
    OK(ck_my_accounts(dir, &a, &mine));
    CHECK(mine->len == 1 && mine->items[0].account == acct && mine->items[0].owner);
    CHECK(STREQ(mine->items[0].account_name, "Acme Corp"));
    OK(ck_membership_list_free(mine));
    EXPECT(CK_PERMISSION_DENIED, ck_my_accounts(dir, &sys, &mine));
    EXPECT(CK_NULL_POINTER, ck_my_accounts(dir, &a, NULL));
}

int main(void) {
    OK(ck_manual_clock_new(1767225600, &clk)); /* 2026-01-01 */
    ck_directory_options o = ck_test_options();
    o.notify = notify;
    o.notify_userdata = &seen;
    o.clock = clk;
    OK(ck_directory_new(&o, &dir));
    accounts();
    contacts();
    sign_in_and_locks();
    passwords_and_recovery();
    screens();
    second_factor();
    questions();
    designations();
    ownership();
    forced_change();
    audit();
    CHECK(seen.calls > 20);
    OK(ck_directory_free(dir));
    OK(ck_manual_clock_free(clk));
    return ck_report("test_scenario");
}
