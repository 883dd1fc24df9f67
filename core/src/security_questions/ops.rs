//! The operations of `security_questions`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use super::{check_questions, normalize_answer, SecurityAnswer, StoredAnswer};
use crate::audit::Operation;
use crate::credentials::Password;
use crate::error::Error;
use crate::ids::{AccountId, ContactId};
use crate::notify::ops::security_notice;
use crate::op::{Done, Op};
use crate::roles::{Actor, Permission};
use crate::Directory;

impl Directory {
    /// Sets one's three security questions and answers (F4); the current
    /// password is asked for again (D8). Answers are normalised and
    /// stored only as argon2id hashes.
    pub fn set_security_answers(
        &self,
        actor: &Actor,
        account: AccountId,
        answers: &[SecurityAnswer],
        current_password: &Password,
    ) -> Result<(), Error> {
        let op = Op::new(Operation::SecurityAnswers, account);
        let prepare = |id| {
            check_questions(answers)
                .and_then(|()| self.check_current_password(id, Some(current_password), None))
                .and_then(|()| {
                    answers
                        .iter()
                        .map(|a| {
                            let n = normalize_answer(a.answer.expose())?;
                            Ok(StoredAnswer {
                                question: a.question,
                                hash: self.hasher.hash(&n)?,
                            })
                        })
                        .collect::<Result<Vec<_>, Error>>()
                })
        };
        self.own_change(actor, op, prepare, |tx, id, hashed| {
            tx.contact_mut(id)?.credentials.security_answers = hashed.clone();
            security_notice(tx, id, account, "security_questions")?;
            Ok(Done::new(()).fields(["security_questions"]))
        })
    }

    /// The questions a contact chose (indexes into the catalogue), for
    /// the support desk to ask one; never the answers (F4).
    pub fn security_questions(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<u16>, Error> {
        let op = Op::new(Operation::Read, account).on_contact(
            actor,
            contact,
            Permission::CheckSecurityAnswers,
        );
        self.read(actor, op, |tx, _| {
            tx.member(account, contact)?;
            Ok(tx
                .contact(contact)?
                .credentials
                .security_answers
                .iter()
                .map(|a| a.question)
                .collect())
        })
    }

    /// The support desk checks one answer a caller gives (F4): whether it
    /// matches, never what the stored answer is. Audited with its result.
    pub fn check_security_answer(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
        question: u16,
        answer: &crate::secret::Secret,
    ) -> Result<bool, Error> {
        let op = Op::new(Operation::SecurityAnswerCheck, account)
            .on(contact)
            .needs(Permission::CheckSecurityAnswers);
        let checked = self.read(actor, op.clone(), |tx, _| {
            tx.member(account, contact)?;
            let stored = tx
                .contact(contact)?
                .credentials
                .security_answers
                .iter()
                .find(|a| a.question == question)
                .map(|a| a.hash.clone());
            let n = normalize_answer(answer.expose())?;
            Ok(match stored {
                Some(h) => self.hasher.verify(&n, &h),
                None => {
                    self.hasher.verify_dummy(&n);
                    false
                }
            })
        })?;
        let result = if checked { "match" } else { "no match" };
        self.run(actor, &op, |_| {
            Ok(Done::new(()).detail(Some(format!("question {question}: {result}"))))
        })?;
        Ok(checked)
    }
}
