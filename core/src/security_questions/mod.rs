//! Security questions (SPEC F4): three distinct questions from a fixed
//! catalogue; answers normalised and stored only as argon2id hashes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Field, Problem};
use crate::secret::Secret;

/// The catalogue of questions a contact chooses from, by index.
pub const CATALOGUE: [&str; 12] = [
    "What was the name of your first pet?",
    "In what city were you born?",
    "What was the name of your first school?",
    "What is your oldest sibling's middle name?",
    "What was the make of your first car?",
    "In what city did your parents meet?",
    "What was your childhood nickname?",
    "What is the name of the street you grew up on?",
    "What was the first concert you attended?",
    "What is your favourite book from childhood?",
    "What was the name of your first employer?",
    "In what town was your first job?",
];

/// How many questions every contact answers.
pub const QUESTIONS: usize = 3;

/// A question and its answer, as a contact gives them.
#[derive(Clone)]
pub struct SecurityAnswer {
    /// The question's index in [`CATALOGUE`].
    pub question: u16,
    /// The answer.
    pub answer: Secret,
}

impl fmt::Debug for SecurityAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecurityAnswer")
            .field("question", &self.question)
            .finish_non_exhaustive()
    }
}

/// A question and the argon2id hash of its normalised answer, as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAnswer {
    /// The question's index in [`CATALOGUE`].
    pub question: u16,
    /// The PHC string of the normalised answer.
    pub hash: String,
}

impl fmt::Debug for StoredAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredAnswer")
            .field("question", &self.question)
            .finish_non_exhaustive()
    }
}

/// Checks that there are three distinct questions from the catalogue.
pub(crate) fn check_questions(answers: &[SecurityAnswer]) -> Result<(), Error> {
    if answers.len() != QUESTIONS {
        return Err(Error::invalid(Field::SecurityQuestion, Problem::OutOfRange));
    }
    for (i, a) in answers.iter().enumerate() {
        if usize::from(a.question) >= CATALOGUE.len() {
            return Err(Error::invalid(Field::SecurityQuestion, Problem::NotOffered));
        }
        if answers[..i].iter().any(|b| b.question == a.question) {
            return Err(Error::invalid(Field::SecurityQuestion, Problem::Duplicate));
        }
    }
    Ok(())
}

/// An answer as compared: trimmed, case-folded, inner white space collapsed
/// to one space (F4). Refused when empty or longer than 200 characters.
pub fn normalize_answer(answer: &str) -> Result<String, Error> {
    if answer.len() > 2000 {
        return Err(Error::invalid(
            Field::SecurityAnswer,
            Problem::TooLong { max: 200 },
        ));
    }
    let folded = answer
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if folded.is_empty() {
        return Err(Error::invalid(Field::SecurityAnswer, Problem::Empty));
    }
    if folded.chars().count() > 200 {
        return Err(Error::invalid(
            Field::SecurityAnswer,
            Problem::TooLong { max: 200 },
        ));
    }
    if folded.chars().any(char::is_control) {
        return Err(Error::invalid(
            Field::SecurityAnswer,
            Problem::ControlCharacter,
        ));
    }
    Ok(folded)
}

pub(crate) mod ops;
