//! The operations of `security_questions`: the `impl Directory` methods of its SPEC section,
//! each loading its facts, applying the rules of `mod.rs` and committing
//! through the Directory's runner.

use super::{check_questions, normalize_answer, SecurityAnswer, StoredAnswer};
use crate::audit::Operation;
use crate::credentials::Password;
use crate::error::Error;
use crate::ids::{AccountId, ContactId};
use crate::notify::ops::security_notice;
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
        let id = self.own_contact(actor, account, Operation::SecurityAnswers)?;
        let hashed = check_questions(answers)
            .and_then(|()| self.check_current_password(id, Some(current_password)))
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
            });
        let hashed = match hashed {
            Ok(h) => h,
            Err(e) => {
                self.record_refusal(actor, Operation::SecurityAnswers, Some(account), None, &e);
                return Err(e);
            }
        };
        self.write_op(
            actor,
            Operation::SecurityAnswers,
            account,
            Some(id.to_string()),
            |tx, _| {
                tx.contact_mut(id)?.credentials.security_answers = hashed.clone();
                tx.audit(
                    account,
                    Operation::SecurityAnswers,
                    Some(id.to_string()),
                    vec!["security_questions".into()],
                    None,
                );
                security_notice(tx, id, account, "security_questions")
            },
        )
    }

    /// The questions a contact chose (indexes into the catalogue), for
    /// the support desk to ask one; never the answers (F4).
    pub fn security_questions(
        &self,
        actor: &Actor,
        account: AccountId,
        contact: ContactId,
    ) -> Result<Vec<u16>, Error> {
        self.read(actor, Operation::Read, account, |tx, access| {
            let own = actor.contact_id() == Some(contact);
            access.require(if own {
                Permission::ManageOwnSettings
            } else {
                Permission::CheckSecurityAnswers
            })?;
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
        let checked = self.read(
            actor,
            Operation::SecurityAnswerCheck,
            account,
            |tx, access| {
                access.require(Permission::CheckSecurityAnswers)?;
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
            },
        )?;
        self.run(
            actor,
            Operation::SecurityAnswerCheck,
            Some(account),
            None,
            |tx| {
                tx.audit(
                    account,
                    Operation::SecurityAnswerCheck,
                    Some(contact.to_string()),
                    Vec::new(),
                    Some(format!(
                        "question {question}: {}",
                        if checked { "match" } else { "no match" }
                    )),
                );
                Ok(())
            },
        )?;
        Ok(checked)
    }
}
