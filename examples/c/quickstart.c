/* A portal's day with contactkeeper, from C, kept in a SQLite file.
 *
 * Build (after `cargo build -p contactkeeper-ffi`):
 *   cc -Wall -Wextra -Wpedantic -Werror -I include examples/c/quickstart.c \
 *      -L target/debug -lcontactkeeper -Wl,-rpath,target/debug -o quickstart
 * or with pkg-config (see README.md, "From C"). Run: ./quickstart [FILE]
 * (by default contactkeeper-quickstart-c.db in /tmp).
 *
 * The same day as examples/rust/quickstart.rs and the Python quickstart:
 * the portal creates an account, adds contacts with roles, fills in a
 * computer's properties (a new user as its primary, an existing one lacking
 * a phone as its secondary), signs contacts in (one gets locked out), draws
 * the Account Contacts page, transfers ownership and reads the audit log in
 * the reader's time zone. Run it twice: the second run signs the new owner
 * in, finds the account in his account switcher and carries on. Every call
 * returns a ck_result; ck_last_error_message() says why one failed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contactkeeper.h"

/* The demo's passwords (a real portal never has one in its code). */
static const char *BOB_PASSWORD = "account manager passphrase 4";
static const char *CAROL_PASSWORD = "tech lead passphrase 9";

/* Stops the demo on an unexpected error, saying why. */
static void must(ck_result r, const char *what) {
    if (r != CK_OK) {
        fprintf(stderr, "%s failed: %s (%s, rule %s)\n", what, ck_result_name((uint32_t)r),
                ck_last_error_message(), ck_last_error_rule() ? ck_last_error_rule() : "-");
        fprintf(stderr, "(a file left by an unfinished run? delete it to start over)\n");
        exit(1);
    }
}

/* The portal's notifier: here it only prints. A real one sends email or
 * SMS, and answers CK_RETRY_LATER when it cannot right now. It may be
 * called from any thread. */
static int32_t notify(void *userdata, const ck_notification *n) {
    (void)userdata;
    printf("   [notify %s] to %s: %s\n", n->kind_name, n->to_len ? n->to[0] : "-", n->subject);
    return CK_DELIVERED;
}

static ck_new_contact new_contact(const char *login, const char *name, const char *email,
                                  const char *password, uint32_t roles) {
    ck_new_contact c;
    memset(&c, 0, sizeof c);
    c.login = login;
    c.profile.name = name;
    c.profile.email = email;
    c.roles = roles;
    c.tech_scope.all = true;
    c.password = password;
    return c;
}

/* What adding a contact costs, as a person reads it ("5.00 USD"). */
static void print_cost(const ck_contact_added *added) {
    if (!added->charged) return;
    char *text = NULL;
    must(ck_money_text(&added->charge, &text), "money text");
    printf(" (beyond the plan: %s)", text);
    ck_string_free(text);
}

/* Signs in, presenting `device` (a device token, D10, or NULL); when
 * `keep` is not NULL, asks for a new token and copies it there (65 bytes).
 * Signs out again; returns the outcome and, when signed in, the contact. */
static ck_sign_in_outcome sign_in(ck_directory *dir, const char *login, const char *password,
                                  const char *ip, const char *device, char *keep,
                                  uint64_t *contact) {
    ck_sign_in_result *r = NULL;
    must(ck_sign_in_device(dir, login, password, ip, 0, device, keep != NULL, &r), "sign in");
    if (keep != NULL && r->device_token != NULL) {
        strncpy(keep, r->device_token, 64);
        keep[64] = '\0';
    }
    ck_sign_in_outcome o = r->outcome;
    if (contact != NULL) *contact = r->contact;
    if (r->token != NULL) must(ck_sign_out(dir, r->token), "sign out");
    ck_sign_in_result_free(r); /* also wipes the token */
    return o;
}

/* Seed 004's Account Contacts page: the contacts by name, the owner and
 * the padlocks (E7). */
static void contacts_page(ck_directory *dir, const ck_actor *actor, uint64_t account) {
    ck_contact_query q = {CK_SORT_NAME, 0, CK_LOCK_FILTER_ANY, NULL, NULL, 100};
    ck_contact_page *page = NULL;
    must(ck_search_contacts(dir, actor, account, &q, &page), "search contacts");
    printf("   the Account Contacts page:\n");
    for (size_t i = 0; i < page->len; i++) {
        const ck_contact *c = &page->items[i];
        const char *padlock = c->lock.kind == CK_LOCK_MANUAL      ? "locked by hand"
                              : c->lock.kind == CK_LOCK_AUTOMATIC ? "locked (too many failures)"
                                                                  : "";
        printf("   %-12s %-24s %-6s %s\n", c->login, c->profile.email, c->owner ? "owner" : "",
               padlock);
    }
    ck_contact_page_free(page);
}

/* The last entries of the audit log, at the reader's local time (I3), and
 * the state of its hash chain (J3). */
static void audit_tail(ck_directory *dir, const ck_actor *actor, uint64_t account, size_t n) {
    ck_audit_entry_list *entries = NULL;
    must(ck_audit_entries(dir, actor, account, NULL, &entries), "audit entries");
    for (size_t i = entries->len > n ? entries->len - n : 0; i < entries->len; i++) {
        const ck_audit_entry *e = &entries->items[i];
        printf("   #%llu %s %s by %s\n", (unsigned long long)e->seq, e->at_local, e->operation,
               e->actor);
    }
    ck_audit_entry_list_free(entries);
    ck_audit_verification v;
    must(ck_audit_verify(dir, actor, account, &v), "verify");
    printf("   chain %s: %llu entries\n", v.intact ? "intact" : "BROKEN",
           (unsigned long long)v.entries);
}

/* A later run: bob's account switcher shows the account he owns. */
static void later_run(ck_directory *dir, uint64_t bob) {
    ck_actor as_bob = ck_actor_contact(bob);
    printf("== Bob, the owner from an earlier run, signs in; his account switcher (I5):\n");
    ck_membership_list *mine = NULL;
    must(ck_my_accounts(dir, &as_bob, &mine), "my accounts");
    uint64_t account = 0;
    for (size_t i = 0; i < mine->len; i++) {
        printf("   %-12s %s\n", mine->items[i].account_name, mine->items[i].owner ? "owner" : "contact");
        if (mine->items[i].owner) account = mine->items[i].account;
    }
    ck_membership_list_free(mine);
    if (account == 0) {
        fprintf(stderr, "bob owns no account: delete the file to start over\n");
        exit(1);
    }
    ck_account *view = NULL;
    must(ck_account_get(dir, &as_bob, account, &view), "account");
    char login[32], email[64];
    snprintf(login, sizeof login, "visitor%u", view->contacts);
    snprintf(email, sizeof email, "%s@acme.example", login);
    ck_account_free(view);
    ck_new_contact v = new_contact(login, "A Visitor", email, NULL, 0);
    ck_contact_added added;
    must(ck_create_contact(dir, &as_bob, account, &v, &added), "add a visitor");
    printf("   bob adds %s", login);
    print_cost(&added);
    printf("\n");
    contacts_page(dir, &as_bob, account);
    audit_tail(dir, &as_bob, account, 4);
}

/* The first run: a portal's day from an empty directory. */
static void first_run(ck_directory *dir) {
    printf("== The host creates an account and its owner in one step (A1)\n");
    ck_actor host = ck_actor_system();
    const char *tech_options[] = {"users", "services", "reports"};
    ck_plan plan = {"standard", 3, 500, "USD", tech_options, 3};
    ck_new_contact owner = new_contact("alice", "Alice Owner", "alice@acme.example", NULL, 0);
    owner.profile.time_zone = "Europe/Paris";
    ck_account_created acme;
    must(ck_create_account(dir, &host, "Acme Corp", &plan, &owner, &acme), "create account");
    uint64_t account = acme.account, alice = acme.owner;
    ck_actor as_alice = ck_actor_contact(alice);
    ck_money price = {500, "USD"};
    char *each = NULL;
    must(ck_money_text(&price, &each), "money text");
    printf("   Acme Corp, owned by alice; 3 contacts included, then %s each (A7)\n", each);
    ck_string_free(each);

    printf("== The owner adds contacts with roles (B1, C1)\n");
    ck_contact_added added;
    ck_new_contact b = new_contact("bob", "Bob Manager", "bob@acme.example", BOB_PASSWORD,
                                   CK_ROLE_CONTACT_MANAGER);
    b.profile.time_zone = "America/New_York";
    must(ck_create_contact(dir, &as_alice, account, &b, &added), "add bob");
    uint64_t bob = added.contact;
    ck_actor as_bob = ck_actor_contact(bob);
    ck_new_contact c = new_contact("carol", "Carol Tech", "carol@acme.example", CAROL_PASSWORD, 0);
    c.profile.business_phone = "+1 555 0102";
    c.profile.time_zone = "Asia/Kolkata";
    must(ck_create_contact(dir, &as_bob, account, &c, &added), "add carol");
    uint64_t carol = added.contact;
    ck_actor as_carol = ck_actor_contact(carol);
    ck_new_contact d = new_contact("dave", "Dave", "dave@acme.example", NULL, 0);
    must(ck_create_contact(dir, &as_bob, account, &d, &added), "add dave");
    uint64_t dave = added.contact;
    printf("   bob (contact manager), carol, dave");
    print_cost(&added);
    printf("\n");

    printf("== Bob manages contacts, but cannot grant a role he lacks (C6)\n");
    if (ck_set_roles(dir, &as_bob, account, carol, CK_ROLE_TECHNICAL_ADMIN, NULL) != CK_OK)
        printf("   refused: %s (rule %s)\n", ck_last_error_message(), ck_last_error_rule());
    const char *options[] = {"users", "reports"};
    ck_tech_scope scope = {false, options, 2};
    must(ck_set_roles(dir, &as_alice, account, carol, CK_ROLE_TECHNICAL_ADMIN, &scope), "set roles");
    ck_access *access = NULL;
    must(ck_access_get(dir, &as_carol, account, &access), "access");
    printf("   alice makes carol a technical administrator:");
    for (uint32_t p = 0; p < 32; p++)
        if (access->permissions & (1u << p)) printf(" %s", ck_permission_name(p));
    printf("\n");
    ck_access_free(access);

    printf("== Carol fills in a computer's properties (seed 000: H1, H4, H5)\n");
    ck_new_contact erin = new_contact("erin", "Erin Ops", "erin@acme.example", NULL, 0);
    erin.profile.business_phone = "+1 555 0105";
    ck_resource_added made;
    must(ck_add_resource_with_new_primary(dir, &as_carol, account, "computer", "pc-1", &erin, 0,
                                          &made),
         "add a computer");
    printf("   New User: erin is created as pc-1's primary technical contact, in one step\n");
    ck_duty secondary = {CK_DUTY_TECHNICAL, made.resource, CK_RANK_SECONDARY};
    if (ck_designate(dir, &as_carol, account, dave, &secondary, NULL) == CK_NOT_ELIGIBLE)
        printf("   dave as secondary: %s: the form asks for it\n", ck_last_error_message());
    ck_duty_info info = {NULL, "+1 555 0104"};
    must(ck_designate(dir, &as_carol, account, dave, &secondary, &info), "designate dave");
    printf("   with his business phone supplied, dave is pc-1's secondary\n");

    printf("== Sign-in, a lock that others cause, and a device token (D5, E2, D10)\n");
    must(ck_set_lock_policy(dir, &as_alice, account, true, 3), "lock policy");
    char laptop[65] = {0};
    sign_in(dir, "carol", CAROL_PASSWORD, "192.0.2.10", NULL, laptop, NULL);
    printf("   carol signs in from her laptop, which keeps a device token\n");
    for (int i = 0; i < 4; i++) {
        ck_sign_in_outcome o = sign_in(dir, "carol", "a wrong guess", "198.51.100.7", NULL, NULL, NULL);
        printf("   someone else guesses: %s\n", ck_sign_in_outcome_name((uint32_t)o));
    }
    ck_sign_in_outcome browser = sign_in(dir, "carol", CAROL_PASSWORD, "192.0.2.10", NULL, NULL, NULL);
    printf("   carol, from a new browser: %s\n", ck_sign_in_outcome_name((uint32_t)browser));
    ck_sign_in_outcome own = sign_in(dir, "carol", CAROL_PASSWORD, "192.0.2.10", laptop, NULL, NULL);
    printf("   carol, from her laptop: %s\n", ck_sign_in_outcome_name((uint32_t)own));
    must(ck_lock_contact(dir, &as_bob, account, dave), "lock dave");
    printf("   bob locks dave by hand (E6)\n");
    contacts_page(dir, &as_bob, account);
    must(ck_unlock_contact(dir, &as_alice, account, carol), "unlock");
    printf("   the owner ends carol's lock (E5)\n");

    printf("== Nobody but the owner touches the owner (A6)\n");
    ck_profile_update u;
    memset(&u, 0, sizeof u);
    u.email = "bob-again@acme.example";
    if (ck_update_contact(dir, &as_bob, account, alice, &u, NULL) != CK_OK)
        printf("   refused: %s (rule %s)\n", ck_last_error_message(), ck_last_error_rule());

    printf("== Ownership moves to Bob (A3); both are told\n");
    must(ck_transfer_ownership(dir, &as_alice, account, bob), "transfer");
    must(ck_delete_contact(dir, &as_bob, account, alice), "delete alice");
    printf("   the former owner can now be deleted (A5)\n");
    uint64_t billed = 0;
    must(ck_send_billing_notice(dir, &host, account, "Your invoice is ready", "5.00 USD", &billed),
         "billing notice");
    if (billed == bob) printf("   billing notices go to the owner until a billing contact is set (H7)\n");

    printf("== The audit log, as carol reads it (in her zone, I3), and as CSV (J2)\n");
    audit_tail(dir, &as_carol, account, 3);
    char *csv = NULL;
    size_t len = 0;
    uint64_t rows = 0;
    must(ck_audit_export_csv_alloc(dir, &as_carol, account, NULL, &csv, &len, &rows), "export");
    printf("   %.*s", (int)(strcspn(csv, "\n") + 1), csv);
    printf("   ... %llu entries\n", (unsigned long long)rows);
    ck_string_free(csv);
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/tmp/contactkeeper-quickstart-c.db";
    printf("contactkeeper %s\n== The directory is kept in %s\n", ck_version(), path);

    /* One directory for the whole portal, shared by all its threads. */
    ck_directory_options opts = ck_directory_options_default();
    opts.notify = notify;
    opts.notify_userdata = NULL;
    ck_directory *dir = NULL;
    must(ck_directory_open(path, &opts, &dir), "open the directory");

    /* The first run ends with bob owning the account; a later run signs him
     * in and finds it in his account switcher. */
    uint64_t bob = 0;
    if (sign_in(dir, "bob", BOB_PASSWORD, "192.0.2.20", NULL, NULL, &bob) == CK_SIGNED_IN)
        later_run(dir, bob);
    else
        first_run(dir);

    must(ck_directory_free(dir), "free the directory");
    printf("== Run it again to carry on; delete the file to start over\n");
    return 0;
}
