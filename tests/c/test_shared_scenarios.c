/* Runs the shared scenarios (the JSON files of tests/scenarios, see the README there)
 * through the C API: the same files the Rust runner (tests/scenarios/run.rs)
 * and the Python runner (python/tests/test_shared_scenarios.py) run, with
 * the same outcomes, error kinds, rules and fields. The scenario directory
 * is the first argument. JSON is read with cJSON (Debian's libcjson-dev). */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>

#include "ck_test.h"

enum kind { ACCOUNT, CONTACT, RESOURCE };

typedef struct {
    char name[64];
    enum kind kind;
    uint64_t id;
} binding;

static binding names[256];
static size_t nnames;
static ck_directory *dir;
static ck_manual_clock *clk;
static char where[512];

/* What a step made, to bind, in order. */
typedef struct {
    enum kind kind;
    uint64_t id;
} made;

static made created[4];
static size_t ncreated;

#define FAIL(...)                                  \
    do {                                           \
        ck_failed++;                               \
        fprintf(stderr, "%s: ", where);            \
        fprintf(stderr, __VA_ARGS__);              \
        fprintf(stderr, "\n");                     \
    } while (0)

static void make(enum kind k, uint64_t id) {
    if (ncreated < sizeof created / sizeof created[0]) created[ncreated++] = (made){k, id};
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *item(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static uint64_t lookup(const char *name, enum kind k) {
    for (size_t i = 0; name != NULL && i < nnames; i++)
        if (strcmp(names[i].name, name) == 0 && names[i].kind == k) return names[i].id;
    FAIL("no %s is bound to %s", k == ACCOUNT ? "account" : k == CONTACT ? "contact" : "resource",
         name ? name : "(null)");
    return 0;
}

static uint64_t opt_contact(const cJSON *step, const char *key) {
    const char *n = str(step, key);
    return n == NULL ? 0 : lookup(n, CONTACT);
}

static cJSON *name_of(uint64_t contact) {
    for (size_t i = 0; contact != 0 && i < nnames; i++)
        if (names[i].kind == CONTACT && names[i].id == contact) return cJSON_CreateString(names[i].name);
    return cJSON_CreateNull();
}

static ck_actor actor_of(const char *name) {
    if (name == NULL || strcmp(name, "system") == 0) return ck_actor_system();
    if (strncmp(name, "support:", 8) == 0) {
        static char agent[64];
        const char *rest = name + 8, *colon = strchr(rest, ':');
        size_t n = colon ? (size_t)(colon - rest) : strlen(rest);
        if (n >= sizeof agent) n = sizeof agent - 1;
        memcpy(agent, rest, n);
        agent[n] = 0;
        return ck_actor_support_desk(agent, colon ? colon + 1 : "");
    }
    if (strncmp(name, "partner:", 8) == 0) return ck_actor_partner(name + 8);
    return ck_actor_contact(lookup(name, CONTACT));
}

static uint32_t role_flag(const char *name) {
    for (uint32_t bit = 1; bit <= 16; bit <<= 1)
        if (STREQ(ck_role_name(bit), name)) return bit;
    FAIL("unknown role %s", name);
    return 0;
}

static uint32_t roles_of(const cJSON *list) {
    uint32_t roles = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, list) roles |= role_flag(r->valuestring);
    return roles;
}

static uint32_t permission_of(const char *name) {
    for (uint32_t p = 0; p < 32; p++)
        if (STREQ(ck_permission_name(p), name)) return p;
    FAIL("unknown permission %s", name);
    return 999;
}

static cJSON *role_names(uint32_t roles) {
    cJSON *list = cJSON_CreateArray();
    for (uint32_t bit = 1; bit <= 16; bit <<= 1)
        if (roles & bit) cJSON_AddItemToArray(list, cJSON_CreateString(ck_role_name(bit)));
    return list;
}

static ck_new_contact new_contact(const cJSON *spec) {
    ck_new_contact c = ck_test_contact(str(spec, "login"), str(spec, "name"), str(spec, "email"),
                                       str(spec, "password"), roles_of(item(spec, "roles")));
    c.profile.business_phone = str(spec, "business_phone");
    return c;
}

static ck_duty duty_of(const cJSON *spec) {
    const char *rank = str(spec, "rank");
    ck_duty d = {CK_DUTY_BILLING, 0, rank && strcmp(rank, "secondary") == 0 ? CK_RANK_SECONDARY
                                                                           : CK_RANK_PRIMARY};
    if (str(spec, "resource") != NULL) {
        d.kind = CK_DUTY_TECHNICAL;
        d.resource = lookup(str(spec, "resource"), RESOURCE);
    }
    return d;
}

static const char *lock_name(ck_lock_kind k) {
    return k == CK_LOCK_AUTOMATIC ? "automatic" : k == CK_LOCK_MANUAL ? "manual" : NULL;
}

static cJSON *opt_string(const char *s) {
    return s == NULL ? cJSON_CreateNull() : cJSON_CreateString(s);
}

static const char *method_name(ck_two_factor_method m) {
    switch (m) {
    case CK_2FA_TOTP: return "totp";
    case CK_2FA_SMS: return "sms";
    case CK_2FA_VOICE: return "voice";
    case CK_2FA_EMAIL: return "email";
    }
    return "unknown";
}

static uint32_t method_of(const char *name) {
    for (uint32_t m = 0; m < 4; m++)
        if (STREQ(method_name((ck_two_factor_method)m), name)) return m;
    FAIL("unknown method %s", name);
    return 99;
}

static bool flag(const cJSON *step, const char *key, bool otherwise) {
    const cJSON *v = item(step, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : otherwise;
}

/* The manual clock's time: where each scenario starts, plus its advances. */
static const int64_t START = 1772366400; /* 2026-03-01T12:00:00Z */
static int64_t clock_now = START;

static int64_t now_unix(void) {
    return clock_now;
}

static int64_t floor_days(int64_t seconds) {
    int64_t d = seconds / 86400;
    return (seconds % 86400 != 0 && seconds < 0) ? d - 1 : d;
}

/* Runs one step; `*value` gets what it returns to compare, if anything. */
static ck_result run(const cJSON *step, cJSON **value) {
    const char *op = str(step, "op");
    ck_actor a = actor_of(str(step, "actor"));
    uint64_t acct = str(step, "account") ? lookup(str(step, "account"), ACCOUNT) : 0;
    uint64_t c = str(step, "contact") ? lookup(str(step, "contact"), CONTACT) : 0;
    ck_tech_scope all = {true, NULL, 0};
    ck_result r;
    *value = NULL;

    if (strcmp(op, "create_account") == 0) {
        const cJSON *owner = item(step, "owner");
        ck_account_created out;
        if (cJSON_IsString(owner)) {
            r = ck_create_account_existing_owner(dir, &a, str(step, "name"), NULL, owner->valuestring, &out);
        } else {
            ck_new_contact o = new_contact(owner);
            r = ck_create_account(dir, &a, str(step, "name"), NULL, &o, &out);
        }
        if (r == CK_OK) {
            make(ACCOUNT, out.account);
            make(CONTACT, out.owner);
        }
        return r;
    }
    if (strcmp(op, "create_contact") == 0) {
        ck_new_contact n = new_contact(item(step, "contact"));
        ck_contact_added out;
        r = ck_create_contact(dir, &a, acct, &n, &out);
        if (r == CK_OK) make(CONTACT, out.contact);
        return r;
    }
    if (strcmp(op, "add_existing_contact") == 0) {
        ck_contact_added out;
        r = ck_add_existing_contact(dir, &a, acct, str(step, "login"), roles_of(item(step, "roles")),
                                    &all, &out);
        if (r == CK_OK) make(CONTACT, out.contact);
        return r;
    }
    if (strcmp(op, "update_contact") == 0) {
        const cJSON *ch = item(step, "changes");
        ck_profile_update u;
        memset(&u, 0, sizeof u);
        u.name = str(ch, "name");
        u.email = str(ch, "email");
        u.time_zone = str(ch, "time_zone");
        /* JSON null clears an optional field: "" in C. */
        const char *keys[] = {"job_title", "business_phone", "alternate_email", "cell_phone"};
        const char **slots[] = {&u.job_title, &u.business_phone, &u.alternate_email, &u.cell_phone};
        for (size_t i = 0; i < 4; i++) {
            const cJSON *v = item(ch, keys[i]);
            if (cJSON_IsNull(v)) *slots[i] = "";
            else if (cJSON_IsString(v)) *slots[i] = v->valuestring;
        }
        ck_string_list *changed = NULL;
        r = ck_update_contact(dir, &a, acct, c, &u, &changed);
        if (r == CK_OK) {
            *value = cJSON_CreateArray();
            for (size_t i = 0; i < changed->len; i++)
                cJSON_AddItemToArray(*value, cJSON_CreateString(changed->items[i]));
            CHECK(ck_string_list_free(changed) == CK_OK);
        }
        return r;
    }
    if (strcmp(op, "delete_contact") == 0) {
        uint64_t repl = opt_contact(step, "replacement");
        return repl ? ck_delete_contact_with_replacement(dir, &a, acct, c, repl)
                    : ck_delete_contact(dir, &a, acct, c);
    }
    if (strcmp(op, "set_roles") == 0)
        return ck_set_roles(dir, &a, acct, c, roles_of(item(step, "roles")), &all);
    if (strcmp(op, "transfer_ownership") == 0) return ck_transfer_ownership(dir, &a, acct, c);
    if (strcmp(op, "authorize") == 0)
        return ck_authorize(dir, &a, acct, permission_of(str(step, "permission")));
    if (strcmp(op, "allows") == 0 || strcmp(op, "assignable_roles") == 0) {
        ck_access *acc = NULL;
        r = ck_access_get(dir, &a, acct, &acc);
        if (r == CK_OK) {
            if (strcmp(op, "allows") == 0) {
                uint32_t p = permission_of(str(step, "permission"));
                *value = cJSON_CreateBool(p < 32 && (acc->permissions & (1u << p)) != 0);
            } else {
                *value = role_names(acc->assignable_roles);
            }
            CHECK(ck_access_free(acc) == CK_OK);
        }
        return r;
    }
    if (strcmp(op, "sign_in") == 0) {
        const char *ip = str(step, "ip") ? str(step, "ip") : "192.0.2.1";
        ck_sign_in_result *res = NULL;
        r = ck_sign_in(dir, str(step, "login"), str(step, "password"), ip, acct, &res);
        if (r == CK_OK) {
            *value = cJSON_CreateObject();
            cJSON_AddStringToObject(*value, "outcome", ck_sign_in_outcome_name((uint32_t)res->outcome));
            cJSON_AddItemToObject(*value, "lock", opt_string(res->outcome == CK_LOCKED
                                                                  ? lock_name(res->lock.kind)
                                                                  : NULL));
            CHECK(ck_sign_in_result_free(res) == CK_OK);
        }
        return r;
    }
    if (strcmp(op, "set_lock_policy") == 0) {
        const cJSON *n = item(step, "max_attempts");
        return ck_set_lock_policy(dir, &a, acct, cJSON_IsNumber(n), cJSON_IsNumber(n) ? (uint32_t)n->valuedouble : 0);
    }
    if (strcmp(op, "reset_password") == 0) {
        const char *ch = str(step, "channel");
        uint32_t how = ch == NULL                           ? CK_RESET_TEMPORARY_PASSWORD
                       : strcmp(ch, "email") == 0           ? CK_RESET_SEND_EMAIL
                       : strcmp(ch, "alternate_email") == 0 ? CK_RESET_SEND_ALTERNATE_EMAIL
                                                            : CK_RESET_SEND_CELL_PHONE;
        char *temporary = NULL;
        r = ck_reset_password(dir, &a, acct, c, how, &temporary);
        /* Freeing succeeds and clears the last error: only after a success. */
        if (r == CK_OK && temporary != NULL) CHECK(ck_string_free(temporary) == CK_OK);
        return r;
    }
    if (strcmp(op, "reset_two_factor") == 0) return ck_reset_two_factor(dir, &a, acct, c);
    if (strcmp(op, "accept_invitation") == 0) return ck_accept_invitation(dir, &a, acct);
    if (strcmp(op, "decline_invitation") == 0) return ck_decline_invitation(dir, &a, acct);
    if (strcmp(op, "check_login") == 0) {
        bool exists = false;
        r = ck_check_login(dir, &a, acct, str(step, "login"), &exists);
        if (r == CK_OK) *value = cJSON_CreateBool(exists);
        return r;
    }
    if (strcmp(op, "lock_contact") == 0) return ck_lock_contact(dir, &a, acct, c);
    if (strcmp(op, "unlock_contact") == 0) return ck_unlock_contact(dir, &a, acct, c);
    if (strcmp(op, "set_ip_allowlist") == 0) {
        const char *ranges[32];
        size_t n = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, item(step, "ranges")) if (n < 32) ranges[n++] = v->valuestring;
        return ck_set_ip_allowlist(dir, &a, acct, ranges, n, str(step, "current_ip"));
    }
    if (strcmp(op, "add_resource") == 0) {
        uint64_t id = 0;
        r = ck_add_resource(dir, &a, acct, str(step, "kind"), str(step, "name"),
                            lookup(str(step, "primary"), CONTACT), opt_contact(step, "secondary"), &id);
        if (r == CK_OK) make(RESOURCE, id);
        return r;
    }
    if (strcmp(op, "remove_resource") == 0)
        return ck_remove_resource(dir, &a, acct, lookup(str(step, "resource"), RESOURCE));
    if (strcmp(op, "set_technical_contacts") == 0)
        return ck_set_technical_contacts(dir, &a, acct, lookup(str(step, "resource"), RESOURCE),
                                         lookup(str(step, "primary"), CONTACT),
                                         opt_contact(step, "secondary"));
    if (strcmp(op, "resource") == 0) {
        ck_resource *res = NULL;
        r = ck_resource_get(dir, &a, acct, lookup(str(step, "resource"), RESOURCE), &res);
        if (r == CK_OK) {
            *value = cJSON_CreateObject();
            cJSON_AddStringToObject(*value, "name", res->name);
            cJSON_AddItemToObject(*value, "primary", name_of(res->primary));
            cJSON_AddItemToObject(*value, "secondary", name_of(res->secondary));
            CHECK(ck_resource_free(res) == CK_OK);
        }
        return r;
    }
    if (strcmp(op, "set_billing_contacts") == 0)
        return ck_set_billing_contacts(dir, &a, acct, lookup(str(step, "primary"), CONTACT),
                                       opt_contact(step, "secondary"));
    if (strcmp(op, "duties") == 0) {
        ck_duty_list *duties = NULL;
        r = ck_duties(dir, &a, acct, c, &duties);
        if (r == CK_OK) {
            *value = cJSON_CreateArray();
            for (size_t i = 0; i < duties->len; i++) {
                char text[64];
                snprintf(text, sizeof text, "%s %s",
                         duties->items[i].rank == CK_RANK_SECONDARY ? "secondary" : "primary",
                         duties->items[i].kind == CK_DUTY_TECHNICAL ? "technical" : "billing");
                cJSON_AddItemToArray(*value, cJSON_CreateString(text));
            }
            CHECK(ck_duty_list_free(duties) == CK_OK);
        }
        return r;
    }
    if (strcmp(op, "reassign_duties") == 0) {
        size_t moved = 0;
        r = ck_reassign_duties(dir, &a, acct, lookup(str(step, "from"), CONTACT),
                               lookup(str(step, "to"), CONTACT), &moved);
        if (r == CK_OK) *value = cJSON_CreateNumber((double)moved);
        return r;
    }
    if (strcmp(op, "designate") == 0) {
        ck_duty d = duty_of(item(step, "duty"));
        const cJSON *info = item(step, "info");
        ck_duty_info i = {str(info, "email"), str(info, "business_phone")};
        return ck_designate(dir, &a, acct, c, &d, info ? &i : NULL);
    }
    if (strcmp(op, "create_contact_with_duty") == 0) {
        ck_new_contact n = new_contact(item(step, "contact"));
        ck_duty d = duty_of(item(step, "duty"));
        ck_contact_added out;
        r = ck_create_contact_with_duty(dir, &a, acct, &n, &d, &out);
        if (r == CK_OK) make(CONTACT, out.contact);
        return r;
    }
    if (strcmp(op, "add_resource_with_new_primary") == 0) {
        ck_new_contact n = new_contact(item(step, "contact"));
        ck_resource_added out;
        r = ck_add_resource_with_new_primary(dir, &a, acct, str(step, "kind"), str(step, "name"), &n,
                                             opt_contact(step, "secondary"), &out);
        if (r == CK_OK) {
            make(RESOURCE, out.resource);
            make(CONTACT, out.contact.contact);
        }
        return r;
    }
    if (strcmp(op, "search_contacts") == 0) {
        const char *sort = str(step, "sort"), *locked = str(step, "locked");
        ck_contact_query q = {CK_SORT_ID, 0, CK_LOCK_FILTER_ANY, str(step, "text"), NULL, 1000};
        if (sort != NULL)
            q.sort = strcmp(sort, "name") == 0    ? CK_SORT_NAME
                     : strcmp(sort, "login") == 0 ? CK_SORT_LOGIN
                     : strcmp(sort, "email") == 0 ? CK_SORT_EMAIL
                                                  : CK_SORT_ID;
        if (str(step, "role") != NULL) q.role = role_flag(str(step, "role"));
        if (locked != NULL)
            q.locked = strcmp(locked, "locked") == 0 ? CK_LOCK_FILTER_LOCKED : CK_LOCK_FILTER_UNLOCKED;
        ck_contact_page *page = NULL;
        r = ck_search_contacts(dir, &a, acct, &q, &page);
        if (r == CK_OK) {
            *value = cJSON_CreateArray();
            for (size_t i = 0; i < page->len; i++) {
                const ck_contact *v = &page->items[i];
                cJSON *row = cJSON_CreateObject();
                cJSON_AddStringToObject(row, "login", v->login);
                cJSON_AddBoolToObject(row, "owner", v->owner);
                cJSON_AddItemToObject(row, "lock", opt_string(lock_name(v->lock.kind)));
                cJSON_AddItemToArray(*value, row);
            }
            CHECK(ck_contact_page_free(page) == CK_OK);
        }
        return r;
    }
    if (strcmp(op, "password_status") == 0) {
        ck_password_status p;
        r = ck_password_status_get(dir, &a, acct, c, &p);
        if (r == CK_OK) {
            *value = cJSON_CreateObject();
            cJSON_AddBoolToObject(*value, "set", p.set);
            cJSON_AddItemToObject(*value, "expires_in_days",
                                  p.has_dates ? cJSON_CreateNumber((double)floor_days(p.expires_at - now_unix()))
                                              : cJSON_CreateNull());
            cJSON_AddBoolToObject(*value, "must_change", p.must_change);
            cJSON_AddBoolToObject(*value, "change_required", p.change_required);
        }
        return r;
    }
    if (strcmp(op, "two_factor_status") == 0) {
        ck_two_factor_status *t = NULL;
        r = ck_two_factor_status_get(dir, &a, acct, c, &t);
        if (r == CK_OK) {
            *value = cJSON_CreateObject();
            cJSON_AddItemToObject(*value, "method", opt_string(t->enrolled ? method_name(t->method) : NULL));
            cJSON_AddItemToObject(*value, "phone", opt_string(t->phone));
            if (t->assigned) {
                cJSON *as = cJSON_CreateObject();
                cJSON_AddStringToObject(as, "method", method_name(t->assigned_method));
                cJSON_AddItemToObject(as, "phone", opt_string(t->assigned_phone));
                cJSON_AddItemToObject(*value, "assigned", as);
            } else {
                cJSON_AddNullToObject(*value, "assigned");
            }
            cJSON_AddBoolToObject(*value, "enrollment_pending", t->enrollment_pending);
            cJSON_AddBoolToObject(*value, "required", t->required);
            CHECK(ck_two_factor_status_free(t) == CK_OK);
        }
        return r;
    }
    if (strcmp(op, "set_two_factor_method") == 0)
        return ck_set_two_factor_method(dir, &a, acct, c, method_of(str(step, "method")), str(step, "phone"));
    if (strcmp(op, "set_require_two_factor") == 0)
        return ck_set_require_two_factor(dir, &a, acct, flag(step, "required", false));
    if (strcmp(op, "security_questions") == 0) {
        uint16_t q[8];
        size_t len = 0;
        r = ck_security_questions(dir, &a, acct, c, q, 8, &len);
        if (r == CK_OK) {
            *value = cJSON_CreateArray();
            for (size_t i = 0; i < len && i < 8; i++) cJSON_AddItemToArray(*value, cJSON_CreateNumber(q[i]));
        }
        return r;
    }
    if (strcmp(op, "set_security_answers") == 0) {
        ck_security_answer answers[8];
        size_t n = 0;
        const cJSON *qa;
        cJSON_ArrayForEach(qa, item(step, "answers")) if (n < 8) {
            answers[n].question = (uint16_t)cJSON_GetArrayItem(qa, 0)->valuedouble;
            answers[n].answer = cJSON_GetArrayItem(qa, 1)->valuestring;
            n++;
        }
        return ck_set_security_answers(dir, &a, acct, answers, n, str(step, "password"));
    }
    if (strcmp(op, "check_security_answer") == 0) {
        bool matches = false;
        r = ck_check_security_answer(dir, &a, acct, c, (uint16_t)item(step, "question")->valuedouble,
                                     str(step, "answer"), &matches);
        if (r == CK_OK) *value = cJSON_CreateBool(matches);
        return r;
    }
    if (strcmp(op, "set_procurement") == 0)
        return ck_set_procurement(dir, &a, acct, flag(step, "enabled", false));
    if (strcmp(op, "send_billing_notice") == 0) {
        uint64_t to = 0;
        const char *body = str(step, "body") ? str(step, "body") : "Details inside.";
        r = ck_send_billing_notice(dir, &a, acct, str(step, "subject"), body, &to);
        if (r == CK_OK) *value = name_of(to);
        return r;
    }
    if (strcmp(op, "set_notification_prefs") == 0) {
        const cJSON *p = item(step, "prefs");
        ck_notification_prefs prefs = {flag(p, "security", true), flag(p, "maintenance", true),
                                       flag(p, "billing", true), flag(p, "milestones", true)};
        return ck_set_notification_prefs(dir, &a, acct, c, &prefs);
    }
    if (strcmp(op, "advance") == 0) {
        int64_t seconds = (int64_t)item(step, "seconds")->valuedouble;
        r = ck_manual_clock_advance(clk, seconds);
        if (r == CK_OK) clock_now += seconds;
        return r;
    }
    if (strcmp(op, "verify_audit") == 0) {
        ck_audit_verification v;
        r = ck_audit_verify(dir, &a, acct, &v);
        if (r == CK_OK) *value = cJSON_CreateBool(v.intact);
        return r;
    }
    if (strcmp(op, "audit_count") == 0) {
        ck_audit_query q;
        memset(&q, 0, sizeof q);
        q.operation = str(step, "operation");
        q.limit = 1000;
        const char *outcome = str(step, "outcome");
        ck_audit_entry_list *entries = NULL;
        r = ck_audit_entries(dir, &a, acct, &q, &entries);
        if (r == CK_OK) {
            size_t n = 0;
            for (size_t i = 0; i < entries->len; i++) {
                bool ok = entries->items[i].outcome_code == CK_OK;
                if (outcome == NULL || ok == (strcmp(outcome, "ok") == 0)) n++;
            }
            *value = cJSON_CreateNumber((double)n);
            CHECK(ck_audit_entry_list_free(entries) == CK_OK);
        }
        return r;
    }
    FAIL("unknown op %s", op);
    return CK_OK;
}

/* Compares the last error with a step's `expect`. */
static void check_error(ck_result r, const cJSON *want) {
    const char *kind = str(want, "error");
    if (kind == NULL) {
        FAIL("unexpected %s: %s", ck_result_name((uint32_t)r), ck_last_error_message());
        return;
    }
    if (!STREQ(ck_result_name((uint32_t)r), kind)) {
        FAIL("expected %s, got %s: %s", kind, ck_result_name((uint32_t)r), ck_last_error_message());
        return;
    }
    struct {
        const char *key;
        const char *got;
    } details[] = {
        {"rule", ck_last_error_rule()},           {"field", ck_last_error_field()},
        {"problem", ck_last_error_problem()},     {"entity", ck_last_error_entity()},
        {"permission", ck_last_error_permission()}, {"reason", ck_last_error_reason()},
    };
    for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
        const char *w = str(want, details[i].key);
        if (w != NULL && !STREQ(w, details[i].got))
            FAIL("%s: expected %s, got %s", details[i].key, w, details[i].got ? details[i].got : "NULL");
        else if (w != NULL)
            ck_passed++;
    }
    const cJSON *missing = item(want, "missing");
    if (missing != NULL) {
        size_t i = 0;
        const cJSON *m;
        cJSON_ArrayForEach(m, missing) {
            if (!STREQ(ck_last_error_field_at(i), m->valuestring)) FAIL("missing[%zu]: %s", i, m->valuestring);
            i++;
        }
        if (ck_last_error_field_count() != i) FAIL("missing: %zu fields", ck_last_error_field_count());
    }
}

static void run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(where, sizeof where, "%s", path);
        FAIL("cannot open");
        return;
    }
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    cJSON *scenario = cJSON_Parse(text);
    if (scenario == NULL) {
        snprintf(where, sizeof where, "%s", path);
        FAIL("not JSON");
        return;
    }
    clock_now = START;
    OK(ck_manual_clock_new(START, &clk));
    ck_directory_options o = ck_test_options();
    o.hash_m_kib = 256;
    o.clock = clk;
    OK(ck_directory_new(&o, &dir));
    nnames = 0;
    int i = 0;
    const cJSON *step;
    cJSON_ArrayForEach(step, item(scenario, "steps")) {
        snprintf(where, sizeof where, "%s step %d (%s)", path, i++, str(step, "op"));
        const cJSON *want = item(step, "expect");
        cJSON *value = NULL;
        ncreated = 0;
        ck_result r = run(step, &value);
        if (r != CK_OK) {
            check_error(r, want);
            cJSON_Delete(value);
            continue;
        }
        if (str(want, "error") != NULL) FAIL("expected %s, got success", str(want, "error"));
        const cJSON *outcome = item(want, "outcome");
        if (outcome != NULL) {
            const cJSON *got = item(value, "outcome");
            if (!cJSON_Compare(got, outcome, true)) FAIL("outcome %s", got ? got->valuestring : "none");
            const cJSON *lock = item(want, "lock");
            if (lock != NULL && !cJSON_Compare(item(value, "lock"), lock, true)) FAIL("lock");
        }
        const cJSON *v = item(want, "value");
        if (v != NULL) {
            if (value != NULL && cJSON_Compare(value, v, true)) {
                ck_passed++;
            } else {
                char *got = value ? cJSON_PrintUnformatted(value) : NULL;
                char *exp = cJSON_PrintUnformatted(v);
                FAIL("value: expected %s, got %s", exp, got ? got : "nothing");
                free(got);
                free(exp);
            }
        }
        cJSON_Delete(value);
        const cJSON *bind = item(step, "bind");
        size_t k = 0;
        const cJSON *n;
        if (cJSON_IsString(bind)) {
            if (ncreated == 0) FAIL("nothing to bind");
            else if (nnames < 256) {
                snprintf(names[nnames].name, sizeof names[nnames].name, "%s", bind->valuestring);
                names[nnames].kind = created[0].kind;
                names[nnames++].id = created[0].id;
            }
        } else {
            cJSON_ArrayForEach(n, bind) {
                if (k >= ncreated) {
                    FAIL("nothing to bind to %s", n->valuestring);
                    break;
                }
                if (nnames < 256) {
                    snprintf(names[nnames].name, sizeof names[nnames].name, "%s", n->valuestring);
                    names[nnames].kind = created[k].kind;
                    names[nnames++].id = created[k].id;
                }
                k++;
            }
        }
    }
    cJSON_Delete(scenario);
    OK(ck_directory_free(dir));
    OK(ck_manual_clock_free(clk));
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <scenario directory>\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 2;
    }
    char *files[128];
    size_t nfiles = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nfiles < 128) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
            size_t size = strlen(argv[1]) + n + 2;
            files[nfiles] = malloc(size);
            if (files[nfiles] == NULL) break;
            snprintf(files[nfiles++], size, "%s/%s", argv[1], e->d_name);
        }
    }
    closedir(d);
    qsort(files, nfiles, sizeof files[0], by_name);
    CHECK(nfiles >= 3);
    for (size_t i = 0; i < nfiles; i++) {
        printf("-- %s\n", files[i]);
        run_file(files[i]);
        free(files[i]);
    }
    printf("scenario files: %zu\n", nfiles);
    return ck_report("test_shared_scenarios");
}
