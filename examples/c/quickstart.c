/* A portal's day with contactkeeper, from C.
 *
 * Build (after `cargo build -p contactkeeper-ffi`):
 *   cc -Wall -Wextra -Wpedantic -Werror -I include examples/c/quickstart.c \
 *      -L target/debug -lcontactkeeper -Wl,-rpath,target/debug -o quickstart
 * or with pkg-config (see README.md, "From C").
 *
 * The portal creates an account, adds contacts with roles, signs them in
 * (one gets locked out and unlocked), transfers ownership, names technical
 * contacts and exports the audit log as CSV. Every call returns a
 * ck_result; ck_last_error_message() says why one failed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contactkeeper.h"

/* Stops the demo on an unexpected error, saying why. */
static void must(ck_result r, const char *what) {
    if (r != CK_OK) {
        fprintf(stderr, "%s failed: %s (%s, rule %s)\n", what, ck_result_name((uint32_t)r),
                ck_last_error_message(),
                ck_last_error_rule() ? ck_last_error_rule() : "-");
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

/* Signs in, presenting `device` (a device token, D10, or NULL); when
 * `keep` is not NULL, asks for a new token and copies it there (65 bytes). */
static void sign_in_with(ck_directory *dir, const char *login, const char *password,
                         const char *device, char *keep) {
    ck_sign_in_result *r = NULL;
    must(ck_sign_in_device(dir, login, password, "192.0.2.10", 0, device, keep != NULL, &r),
         "sign in");
    if (keep != NULL && r->device_token != NULL) {
        strncpy(keep, r->device_token, 64);
        keep[64] = '\0';
    }
    static const char *outcomes[] = {
        "signed in",  "password change required", "second factor required",
        "enrollment required", "locked", "ip not allowed", "invalid login or password",
        "account required"};
    printf("   %s: %s", login, outcomes[r->outcome]);
    if (r->outcome == CK_LOCKED)
        printf(" (%s lock)", r->lock.kind == CK_LOCK_MANUAL ? "manual" : "automatic");
    printf("\n");
    if (r->token != NULL) must(ck_sign_out(dir, r->token), "sign out");
    ck_sign_in_result_free(r); /* also wipes the token */
}

static void sign_in(ck_directory *dir, const char *login, const char *password) {
    sign_in_with(dir, login, password, NULL, NULL);
}

int main(void) {
    printf("contactkeeper %s\n", ck_version());

    /* One directory for the whole portal, shared by all its threads. */
    ck_directory_options opts = ck_directory_options_default();
    opts.notify = notify;
    opts.notify_userdata = NULL;
    ck_directory *dir = NULL;
    must(ck_directory_new(&opts, &dir), "open the directory");

    printf("== The host creates an account and its owner in one step (A1)\n");
    ck_actor host = ck_actor_system();
    ck_new_contact owner = new_contact("alice", "Alice Owner", "alice@acme.example",
                                       "correct horse battery", 0);
    owner.profile.business_phone = "+1 555 0100";
    ck_account_created acme;
    must(ck_create_account(dir, &host, "Acme Corp", NULL, &owner, &acme), "create account");
    uint64_t account = acme.account, alice = acme.owner;
    ck_actor as_alice = ck_actor_contact(alice);

    printf("== The owner adds contacts with roles (B1, C1)\n");
    ck_contact_added added;
    ck_new_contact b = new_contact("bob", "Bob Manager", "bob@acme.example",
                                   "tr0ub4dor&3 horse", CK_ROLE_CONTACT_MANAGER);
    must(ck_create_contact(dir, &as_alice, account, &b, &added), "add bob");
    uint64_t bob = added.contact;
    ck_new_contact c = new_contact("carol", "Carol Tech", "carol@acme.example",
                                   "tech lead passphrase", CK_ROLE_TECHNICAL_ADMIN);
    c.profile.business_phone = "+1 555 0102";
    must(ck_create_contact(dir, &as_alice, account, &c, &added), "add carol");
    uint64_t carol = added.contact;

    printf("== Bob manages contacts but cannot grant a role he lacks (C6)\n");
    ck_actor as_bob = ck_actor_contact(bob);
    ck_result r = ck_set_roles(dir, &as_bob, account, carol, CK_ROLE_BILLING_MANAGER, NULL);
    printf("   refused: %s (rule %s)\n", ck_last_error_message(), ck_last_error_rule());
    if (r != CK_RULE_VIOLATION) return 1;
    ck_access *access = NULL;
    must(ck_access_get(dir, &as_bob, account, &access), "access");
    printf("   bob's menu:");
    for (uint32_t p = 0; p <= CK_PERMISSION_SEND_NOTICES; p++)
        if (access->permissions & (1u << p)) printf(" %s", ck_permission_name(p));
    printf("\n");
    ck_access_free(access);

    printf("== Sign-in, a lock after too many failures, and an unlock (D5, E1-E5, D10)\n");
    must(ck_set_lock_policy(dir, &as_alice, account, true, 3), "lock policy");
    char laptop[65] = {0}; /* bob's laptop keeps a device token (D10) */
    sign_in_with(dir, "bob", "tr0ub4dor&3 horse", NULL, laptop);
    for (int i = 0; i < 4; i++) sign_in(dir, "bob", "wrong guess");
    sign_in(dir, "bob", "tr0ub4dor&3 horse"); /* locked: no password is checked */
    printf("   from bob's laptop, with its device token:\n");
    sign_in_with(dir, "bob", "tr0ub4dor&3 horse", laptop, NULL); /* signed in */
    ck_contact_list *list = NULL;
    must(ck_list_contacts(dir, &as_alice, account, 0, 100, &list), "list");
    for (size_t i = 0; i < list->len; i++)
        printf("   %-6s %s\n", list->items[i].login,
               list->items[i].lock.kind == CK_LOCK_NONE ? "" : "(locked)");
    ck_contact_list_free(list);
    must(ck_unlock_contact(dir, &as_alice, account, bob), "unlock");
    sign_in(dir, "bob", "tr0ub4dor&3 horse");

    printf("== Ownership moves to Bob (A3); Alice keeps the standard roles\n");
    must(ck_transfer_ownership(dir, &as_alice, account, bob), "transfer");
    ck_account *view = NULL;
    must(ck_account_get(dir, &as_bob, account, &view), "account");
    printf("   owner of %s is now contact %llu\n", view->name, (unsigned long long)view->owner);
    ck_account_free(view);

    printf("== Carol is the technical contact of a computer, Alice its secondary (H1, H2)\n");
    uint64_t pc = 0;
    must(ck_add_resource(dir, &as_bob, account, "computer", "backup-server-1", carol, alice, &pc),
         "add resource");
    must(ck_report_milestone(dir, &host, account, pc, CK_MILESTONE_INITIAL_BACKUP_COMPLETED, NULL),
         "milestone");

    printf("== The audit log, verified and exported as CSV (J2, J3)\n");
    ck_audit_verification v;
    must(ck_audit_verify(dir, &as_alice, account, &v), "verify");
    printf("   chain intact: %s, %llu entries\n", v.intact ? "yes" : "NO",
           (unsigned long long)v.entries);
    char *csv = NULL;
    size_t len = 0;
    uint64_t rows = 0;
    must(ck_audit_export_csv_alloc(dir, &as_alice, account, NULL, &csv, &len, &rows), "export");
    printf("   %llu rows, %zu bytes; the first line:\n   ", (unsigned long long)rows, len);
    fwrite(csv, 1, strcspn(csv, "\n") + 1, stdout);
    ck_string_free(csv);

    must(ck_directory_free(dir), "free the directory");
    printf("done\n");
    return 0;
}
