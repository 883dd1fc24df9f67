//! Runs the shared scenarios (`tests/scenarios/*.json`, see README.md there)
//! against the Rust API. The Python runner
//! (`python/tests/test_shared_scenarios.py`) runs the same files: both must
//! see the same outcomes, error kinds, rules and fields.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::collections::HashMap;
use std::sync::Arc;

use contactkeeper::*;
use serde_json::{json, Value};

/// What a step gave: a value to compare, names to bind, or an error.
type StepResult = Result<(Value, Vec<Value>), Error>;

/// A bound name: an account, a contact or a resource.
#[derive(Clone, Copy, Debug)]
enum Bound {
    Account(AccountId),
    Contact(ContactId),
    Resource(ResourceId),
}

struct Runner {
    dir: Directory,
    clock: Arc<ManualClock>,
    names: HashMap<String, Bound>,
    /// What `create_account` made, to bind.
    pending: Vec<Bound>,
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn duty_name(d: &Duty) -> String {
    match d {
        Duty::Technical { rank, .. } => format!("{} technical", rank.name()),
        Duty::Billing { rank } => format!("{} billing", rank.name()),
    }
}

fn roles(v: Option<&Value>) -> RoleSet {
    let names = v.and_then(Value::as_array).cloned().unwrap_or_default();
    RoleSet::of(
        &names
            .iter()
            .map(|r| Role::from_name(s(r)).unwrap())
            .collect::<Vec<_>>(),
    )
}

impl Runner {
    fn new() -> Runner {
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-03-01 12:00 UTC),
        ));
        let dir = Directory::builder(Arc::new(MemoryStore::new()))
            .clock(clock.clone())
            .hash_cost(HashCost {
                m_kib: 256,
                t: 1,
                p: 1,
            })
            .unwrap()
            .build();
        Runner {
            dir,
            clock,
            names: HashMap::new(),
            pending: Vec::new(),
        }
    }

    fn account(&self, v: &Value) -> AccountId {
        match self.names[s(v)] {
            Bound::Account(a) => a,
            other => panic!("{v} is {other:?}, not an account"),
        }
    }

    fn contact(&self, v: &Value) -> ContactId {
        match self.names[s(v)] {
            Bound::Contact(c) => c,
            other => panic!("{v} is {other:?}, not a contact"),
        }
    }

    fn resource(&self, v: &Value) -> ResourceId {
        match self.names[s(v)] {
            Bound::Resource(r) => r,
            other => panic!("{v} is {other:?}, not a resource"),
        }
    }

    fn opt_contact(&self, v: Option<&Value>) -> Option<ContactId> {
        v.map(|v| self.contact(v))
    }

    fn actor(&self, v: &Value) -> Actor {
        let name = s(v);
        if name == "system" {
            Actor::System
        } else if let Some(rest) = name.strip_prefix("support:") {
            let (agent, reason) = rest.split_once(':').unwrap();
            Actor::support_desk(agent, reason)
        } else if let Some(p) = name.strip_prefix("partner:") {
            Actor::partner(p)
        } else {
            Actor::contact(self.contact(v))
        }
    }

    fn new_contact(spec: &Value) -> NewContact {
        let mut profile = Profile::new(s(&spec["name"]), s(&spec["email"]));
        profile.business_phone = spec.get("business_phone").map(|p| s(p).to_owned());
        let mut nc =
            NewContact::new(s(&spec["login"]), profile).with_roles(roles(spec.get("roles")));
        if let Some(pw) = spec.get("password") {
            nc = nc.with_password(Password::new(s(pw)));
        }
        nc
    }

    fn run(&mut self, step: &Value) -> StepResult {
        let d = &self.dir;
        let op = s(&step["op"]);
        let actor = step.get("actor").map(|a| self.actor(a));
        let a = actor.as_ref().unwrap_or(&Actor::System);
        let acct = || self.account(&step["account"]);
        let c = || self.contact(&step["contact"]);
        let unit = |r: Result<(), Error>| r.map(|()| (Value::Null, Vec::new()));
        match op {
            "create_account" => {
                let owner = &step["owner"];
                let owner = match owner.as_str() {
                    Some(login) => NewOwner::Existing(login.to_owned()),
                    None => NewOwner::New(Self::new_contact(owner)),
                };
                let new = NewAccount {
                    name: s(&step["name"]).to_owned(),
                    plan: Plan::default(),
                    owner,
                };
                let created = d.create_account(a, &new)?;
                self.bind_pair(created.account, created.owner);
                Ok((Value::Null, Vec::new()))
            }
            "create_contact" => {
                let added = d.create_contact(a, acct(), &Self::new_contact(&step["contact"]))?;
                Ok((Value::Null, vec![json!(["contact", added.contact.get()])]))
            }
            "add_existing_contact" => {
                let added = d.add_existing_contact(
                    a,
                    acct(),
                    s(&step["login"]),
                    roles(step.get("roles")),
                    &TechScope::All,
                )?;
                Ok((Value::Null, vec![json!(["contact", added.contact.get()])]))
            }
            "update_contact" => {
                let ch = &step["changes"];
                let text = |k: &str| ch.get(k).map(|v| s(v).to_owned());
                let optional = |k: &str| ch.get(k).map(|v| v.as_str().map(str::to_owned));
                let update = ProfileUpdate {
                    name: text("name"),
                    email: text("email"),
                    time_zone: text("time_zone"),
                    job_title: optional("job_title"),
                    business_phone: optional("business_phone"),
                    alternate_email: optional("alternate_email"),
                    cell_phone: optional("cell_phone"),
                    ..Default::default()
                };
                let changed = d.update_contact(a, acct(), c(), &update)?;
                let names: Vec<&str> = changed.iter().map(|f| f.name()).collect();
                Ok((json!(names), Vec::new()))
            }
            "delete_contact" => unit(match self.opt_contact(step.get("replacement")) {
                Some(r) => d.delete_contact_with_replacement(a, acct(), c(), r),
                None => d.delete_contact(a, acct(), c()),
            }),
            "set_roles" => {
                unit(d.set_roles(a, acct(), c(), roles(step.get("roles")), &TechScope::All))
            }
            "transfer_ownership" => unit(d.transfer_ownership(a, acct(), c())),
            "authorize" => {
                let p = Permission::from_name(s(&step["permission"])).unwrap();
                unit(d.authorize(a, acct(), p))
            }
            "allows" => {
                let p = Permission::from_name(s(&step["permission"])).unwrap();
                Ok((json!(d.access(a, acct())?.allows(p)), Vec::new()))
            }
            "sign_in" => {
                let ip = step.get("ip").map_or("192.0.2.1", s).parse().unwrap();
                let password = Password::new(s(&step["password"]));
                let account = step.get("account").map(|v| self.account(v));
                let o = d.sign_in(&SignInRequest {
                    login: s(&step["login"]),
                    password: &password,
                    ip,
                    account,
                    device_token: None,
                    remember_device: false,
                })?;
                let lock = match &o {
                    SignInOutcome::Locked(l) => json!(match l.kind {
                        LockKind::Automatic => "automatic",
                        LockKind::Manual => "manual",
                    }),
                    _ => Value::Null,
                };
                Ok((json!({"outcome": o.name(), "lock": lock}), Vec::new()))
            }
            "set_lock_policy" => {
                let policy = step["max_attempts"].as_u64().map(|n| LockPolicy {
                    max_attempts: n as u32,
                });
                unit(d.set_lock_policy(a, acct(), policy))
            }
            "reset_password" => {
                let how = match step.get("channel").map(s) {
                    None => ManagerReset::TemporaryPassword,
                    Some(name) => {
                        ManagerReset::SendSecret(RecoveryChannel::from_name(name).unwrap())
                    }
                };
                d.reset_password(a, acct(), c(), how)?;
                Ok((Value::Null, Vec::new()))
            }
            "reset_two_factor" => unit(d.reset_two_factor(a, acct(), c())),
            "accept_invitation" => unit(d.accept_invitation(a, acct())),
            "decline_invitation" => unit(d.decline_invitation(a, acct())),
            "check_login" => Ok((
                json!(d.check_login(a, acct(), s(&step["login"]))?),
                Vec::new(),
            )),
            "lock_contact" => unit(d.lock_contact(a, acct(), c())),
            "unlock_contact" => unit(d.unlock_contact(a, acct(), c())),
            "set_ip_allowlist" => {
                let ranges: Vec<&str> = step["ranges"].as_array().unwrap().iter().map(s).collect();
                let ip = s(&step["current_ip"]).parse().unwrap();
                unit(d.set_ip_allowlist(a, acct(), &ranges, ip))
            }
            "add_resource" => {
                let new = NewResource {
                    kind: s(&step["kind"]).to_owned(),
                    name: s(&step["name"]).to_owned(),
                    primary: self.contact(&step["primary"]),
                    secondary: self.opt_contact(step.get("secondary")),
                };
                let id = d.add_resource(a, acct(), &new)?;
                Ok((Value::Null, vec![json!(["resource", id.get()])]))
            }
            "remove_resource" => {
                unit(d.remove_resource(a, acct(), self.resource(&step["resource"])))
            }
            "set_billing_contacts" => unit(d.set_billing_contacts(
                a,
                acct(),
                self.contact(&step["primary"]),
                self.opt_contact(step.get("secondary")),
            )),
            "duties" => {
                let duties = d.duties(a, acct(), c())?;
                Ok((
                    json!(duties.iter().map(duty_name).collect::<Vec<_>>()),
                    Vec::new(),
                ))
            }
            "reassign_duties" => {
                let moved = d.reassign_duties(
                    a,
                    acct(),
                    self.contact(&step["from"]),
                    self.contact(&step["to"]),
                )?;
                Ok((json!(moved), Vec::new()))
            }
            "advance" => {
                self.clock
                    .advance(time::Duration::seconds(step["seconds"].as_i64().unwrap()));
                Ok((Value::Null, Vec::new()))
            }
            "verify_audit" => {
                let v = d.verify_audit(a, acct())?;
                Ok((
                    json!(matches!(v, AuditVerification::Intact { .. })),
                    Vec::new(),
                ))
            }
            "audit_count" => {
                let query = AuditQuery {
                    operation: step
                        .get("operation")
                        .map(|o| Operation::from_name(s(o)).unwrap()),
                    limit: AuditQuery::MAX_LIMIT,
                    ..AuditQuery::default()
                };
                let wanted = step.get("outcome").map(s);
                let n = d
                    .audit_entries(a, acct(), &query)?
                    .iter()
                    .filter(|e| match wanted {
                        None => true,
                        Some("ok") => e.outcome == Outcome::Success,
                        Some(_) => e.outcome != Outcome::Success,
                    })
                    .count();
                Ok((json!(n), Vec::new()))
            }
            "set_technical_contacts" => unit(d.set_technical_contacts(
                a,
                acct(),
                self.resource(&step["resource"]),
                self.contact(&step["primary"]),
                self.opt_contact(step.get("secondary")),
            )),
            "resource" => {
                let r = d.resource(a, acct(), self.resource(&step["resource"]))?;
                let v = json!({
                    "name": r.name,
                    "primary": self.name_of(r.primary),
                    "secondary": r.secondary.map(|s| self.name_of(s)),
                });
                Ok((v, Vec::new()))
            }
            "designate" => {
                let info = step.get("info").cloned().unwrap_or(json!({}));
                let text = |k: &str| info.get(k).map(|v| s(v).to_owned());
                let info = DutyInfo {
                    email: text("email"),
                    business_phone: text("business_phone"),
                };
                unit(d.designate(a, acct(), c(), self.duty(&step["duty"]), &info))
            }
            "create_contact_with_duty" => {
                let new = Self::new_contact(&step["contact"]);
                let added =
                    d.create_contact_with_duty(a, acct(), &new, self.duty(&step["duty"]))?;
                Ok((Value::Null, vec![json!(["contact", added.contact.get()])]))
            }
            "add_resource_with_new_primary" => {
                let new = Self::new_contact(&step["contact"]);
                let added = d.add_resource_with_new_primary(
                    a,
                    acct(),
                    s(&step["kind"]),
                    s(&step["name"]),
                    &new,
                    self.opt_contact(step.get("secondary")),
                )?;
                Ok((
                    Value::Null,
                    vec![
                        json!(["resource", added.resource.get()]),
                        json!(["contact", added.contact.contact.get()]),
                    ],
                ))
            }
            "search_contacts" => {
                let query = ContactQuery {
                    sort: ContactSort::from_name(step.get("sort").map_or("id", s)).unwrap(),
                    role: step.get("role").map(|r| Role::from_name(s(r)).unwrap()),
                    locked: step.get("locked").map(|l| s(l) == "locked"),
                    text: step.get("text").map(|t| s(t).to_owned()),
                    cursor: None,
                    limit: MAX_PAGE,
                };
                let page = d.search_contacts(a, acct(), &query)?;
                let rows: Vec<Value> = page
                    .contacts
                    .iter()
                    .map(|c| {
                        json!({
                            "login": c.login,
                            "owner": c.owner,
                            "lock": c.lock.map(|l| match l.kind {
                                LockKind::Automatic => "automatic",
                                LockKind::Manual => "manual",
                            }),
                        })
                    })
                    .collect();
                Ok((json!(rows), Vec::new()))
            }
            "password_status" => {
                let p = d.password_status(a, acct(), c())?;
                let now = self.clock.now();
                let days = p
                    .expires_at
                    .map(|e| (e - now).whole_seconds().div_euclid(86_400));
                let v = json!({
                    "set": p.set,
                    "expires_in_days": days,
                    "must_change": p.must_change,
                    "change_required": p.change_required,
                });
                Ok((v, Vec::new()))
            }
            "two_factor_status" => {
                let t = d.two_factor_status(a, acct(), c())?;
                let v = json!({
                    "method": t.method.map(|m| m.name()),
                    "phone": t.phone,
                    "assigned": t.assigned.map(|f| json!({"method": f.method.name(), "phone": f.phone})),
                    "enrollment_pending": t.enrollment_pending,
                    "required": t.required,
                });
                Ok((v, Vec::new()))
            }
            "set_two_factor_method" => {
                let method = TwoFactorMethod::from_name(s(&step["method"])).unwrap();
                let phone = step.get("phone").map(s);
                unit(d.set_two_factor_method(a, acct(), c(), method, phone))
            }
            "set_require_two_factor" => {
                unit(d.set_require_two_factor(a, acct(), step["required"].as_bool().unwrap()))
            }
            "security_questions" => Ok((json!(d.security_questions(a, acct(), c())?), Vec::new())),
            "set_security_answers" => {
                let answers: Vec<SecurityAnswer> = step["answers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|qa| SecurityAnswer {
                        question: qa[0].as_u64().unwrap() as u16,
                        answer: Secret::new(s(&qa[1])),
                    })
                    .collect();
                let pw = Password::new(s(&step["password"]));
                unit(d.set_security_answers(a, acct(), &answers, &pw))
            }
            "check_security_answer" => {
                let ok = d.check_security_answer(
                    a,
                    acct(),
                    c(),
                    step["question"].as_u64().unwrap() as u16,
                    &Secret::new(s(&step["answer"])),
                )?;
                Ok((json!(ok), Vec::new()))
            }
            "assignable_roles" => {
                let roles = d.access(a, acct())?.assignable_roles();
                let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
                Ok((json!(names), Vec::new()))
            }
            "set_procurement" => {
                unit(d.set_procurement(a, acct(), step["enabled"].as_bool().unwrap()))
            }
            "send_billing_notice" => {
                let to = d.send_billing_notice(
                    a,
                    acct(),
                    s(&step["subject"]),
                    step.get("body").map_or("Details inside.", s),
                )?;
                Ok((json!(to.map(|c| self.name_of(c))), Vec::new()))
            }
            "set_notification_prefs" => {
                let p = &step["prefs"];
                let on = |k: &str| p.get(k).is_none_or(|v| v.as_bool().unwrap());
                let prefs = NotificationPrefs {
                    security: on("security"),
                    maintenance: on("maintenance"),
                    billing: on("billing"),
                    milestones: on("milestones"),
                };
                unit(d.set_notification_prefs(a, acct(), c(), prefs))
            }
            other => panic!("unknown op {other}"),
        }
    }

    /// The name a contact was bound to.
    fn name_of(&self, id: ContactId) -> String {
        self.names
            .iter()
            .find(|(_, b)| matches!(b, Bound::Contact(c) if *c == id))
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| panic!("contact {id} is bound to no name"))
    }

    /// A duty: `{"resource": name, "rank"}` or `{"billing": true, "rank"}`.
    fn duty(&self, v: &Value) -> DutyTarget {
        let rank = Rank::from_name(v.get("rank").map_or("primary", s)).unwrap();
        match v.get("resource") {
            Some(r) => DutyTarget::Technical(self.resource(r), rank),
            None => DutyTarget::Billing(rank),
        }
    }

    fn bind_pair(&mut self, account: AccountId, owner: ContactId) {
        self.pending = vec![Bound::Account(account), Bound::Contact(owner)];
    }
}

/// Checks an error against a step's `expect`.
fn check_error(e: &Error, want: &Value, at: &str) {
    assert_eq!(e.code().name(), s(&want["error"]), "{at}: {e}");
    if let Some(rule) = want.get("rule") {
        assert_eq!(e.rule(), Some(s(rule)), "{at}: {e}");
    }
    let detail = |key: &str, got: Option<&str>| {
        if let Some(w) = want.get(key) {
            assert_eq!(got, Some(s(w)), "{at}: {key} of {e}");
        }
    };
    match e {
        Error::InvalidInput { field, problem } => {
            detail("field", Some(field.name()));
            detail("problem", Some(problem.name()));
        }
        Error::NotFound { entity } | Error::AlreadyExists { entity } => {
            detail("entity", Some(entity.name()))
        }
        Error::PermissionDenied { permission } => detail("permission", Some(permission.name())),
        Error::Unauthenticated { reason } => detail("reason", Some(reason.name())),
        Error::NotEligible { missing } => {
            if let Some(w) = want.get("missing") {
                let got: Vec<&str> = missing.iter().map(|f| f.name()).collect();
                assert_eq!(json!(got), *w, "{at}");
            }
        }
        Error::DutiesHeld { duties } => {
            if let Some(w) = want.get("duties") {
                assert_eq!(
                    json!(duties.iter().map(duty_name).collect::<Vec<_>>()),
                    *w,
                    "{at}"
                );
            }
        }
        _ => {}
    }
}

fn run_file(path: &std::path::Path) {
    let scenario: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut r = Runner::new();
    for (i, step) in scenario["steps"].as_array().unwrap().iter().enumerate() {
        let at = format!("{} step {i} ({})", path.display(), s(&step["op"]));
        let want = step.get("expect").cloned().unwrap_or(json!({}));
        r.pending.clear();
        match r.run(step) {
            Err(e) => {
                assert!(want.get("error").is_some(), "{at}: unexpected {e}");
                check_error(&e, &want, &at);
            }
            Ok((value, created)) => {
                assert!(
                    want.get("error").is_none(),
                    "{at}: expected {}, got success",
                    want["error"]
                );
                if let Some(outcome) = want.get("outcome") {
                    assert_eq!(value["outcome"], *outcome, "{at}");
                    if let Some(lock) = want.get("lock") {
                        assert_eq!(value["lock"], *lock, "{at}");
                    }
                }
                if let Some(v) = want.get("value") {
                    assert_eq!(value, *v, "{at}");
                }
                let mut bound: Vec<Bound> = std::mem::take(&mut r.pending);
                for c in created {
                    let id = c[1].as_u64().unwrap();
                    bound.push(match c[0].as_str() {
                        Some("contact") => Bound::Contact(ContactId(id)),
                        _ => Bound::Resource(ResourceId(id)),
                    });
                }
                if let Some(b) = step.get("bind") {
                    let names: Vec<Value> = match b {
                        Value::Array(v) => v.clone(),
                        one => vec![one.clone()],
                    };
                    assert!(bound.len() >= names.len(), "{at}: nothing to bind");
                    for (n, v) in names.iter().zip(bound) {
                        r.names.insert(s(n).to_owned(), v);
                    }
                }
            }
        }
    }
}

#[test]
fn every_shared_scenario_runs_in_rust() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "no scenarios in {}", dir.display());
    for f in &files {
        eprintln!("-- {}", f.display());
        run_file(f);
    }
}
