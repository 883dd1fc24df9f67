//! D1's bounds and formats, without a store.

use super::*;

fn problem(hash: &str) -> Option<Problem> {
    match check_import(hash) {
        Ok(_) => None,
        Err(Error::InvalidInput { field, problem }) => {
            assert_eq!(field, Field::PasswordHash);
            Some(problem)
        }
        Err(e) => panic!("{e:?}"),
    }
}

const SALT: &str = "c29tZXNhbHRzb21lc2FsdA";
const DIGEST: &str = "3wRje04+DeLGVq8PHwn5ibVJE9K0VO+ttM+26cPEPoA";

fn argon(params: &str) -> String {
    format!("$argon2id$v=19${params}${SALT}${DIGEST}")
}

// rule D1
#[test]
fn argon2_costs_up_to_the_bounds_are_imported_and_one_more_is_not() {
    assert_eq!(problem(&argon("m=262144,t=10,p=8")), None);
    for over in ["m=262145,t=1,p=1", "m=64,t=11,p=1", "m=256,t=1,p=9"] {
        assert_eq!(problem(&argon(over)), Some(Problem::OutOfRange), "{over}");
    }
    for kind in ["argon2i", "argon2d"] {
        let h = format!("${kind}$v=19$m=64,t=1,p=1${SALT}${DIGEST}");
        assert_eq!(problem(&h), None, "{kind}");
    }
}

// rule D1
#[test]
fn repeated_unknown_or_missing_parameters_are_malformed() {
    for params in [
        "m=64,t=1,p=1,m=64",
        "m=64,t=1,t=2,p=1",
        "m=64,t=1,p=1,x=3",
        "m=64,t=1",
        "m=64,t=1,p=1,keyid=AA",
    ] {
        assert_eq!(
            problem(&argon(params)),
            Some(Problem::Malformed),
            "{params}"
        );
    }
    let truncated = argon("m=64,t=1,p=1");
    for cut in [10, 30, truncated.len() - DIGEST.len() - 1] {
        assert_eq!(
            problem(&truncated[..cut]),
            Some(Problem::Malformed),
            "{cut}"
        );
    }
    assert_eq!(
        problem("$argon2id$v=18$m=64,t=1,p=1$c29tZXNhbHQ$aGFzaA"),
        Some(Problem::Malformed)
    );
}

const BCRYPT_BODY: &str = "wSJyXzsSX2GgBvdc9L35muwFU0kZqnjjSahY1Iwfd8CeJRmlxDdPK";

// rule D1
#[test]
fn bcrypt_costs_up_to_14_are_imported() {
    for prefix in ["$2a$", "$2b$", "$2y$"] {
        assert_eq!(problem(&format!("{prefix}14${BCRYPT_BODY}")), None);
        assert_eq!(
            problem(&format!("{prefix}15${BCRYPT_BODY}")),
            Some(Problem::OutOfRange)
        );
    }
    for bad in [
        format!("$2b$03${BCRYPT_BODY}"),
        format!("$2b$1x${BCRYPT_BODY}"),
        format!("$2b$+4${BCRYPT_BODY}"),
        format!("$2b$04${}", &BCRYPT_BODY[1..]),
        format!("$2b$04${}!", &BCRYPT_BODY[1..]),
        format!("$2x$04${BCRYPT_BODY}"),
    ] {
        assert_eq!(problem(&bad), Some(Problem::Malformed), "{bad}");
    }
}

// rule D1
#[test]
fn django_pbkdf2_up_to_two_million_iterations_is_imported() {
    let digest = "7XXVUS/P72Ldk1WnkbSk+N2FTA6qKHapYLmjhMp6ZR0=";
    assert_eq!(
        problem(&format!("pbkdf2_sha256$2000000$salt${digest}")),
        None
    );
    assert_eq!(
        problem(&format!("pbkdf2_sha256$2000001$salt${digest}")),
        Some(Problem::OutOfRange)
    );
    assert_eq!(
        problem(&format!("pbkdf2_sha256$99999999999$salt${digest}")),
        Some(Problem::Malformed)
    );
    for bad in [
        format!("pbkdf2_sha256$0$salt${digest}"),
        format!("pbkdf2_sha256$0100$salt${digest}"),
        format!("pbkdf2_sha256$-1$salt${digest}"),
        format!("pbkdf2_sha256$1000$${digest}"),
        format!("pbkdf2_sha256$1000$salt${}", &digest[4..]),
        format!("pbkdf2_sha256$1000$salt${digest}$extra"),
        "pbkdf2_sha1$1000$salt$AAAA".to_owned(),
    ] {
        assert_eq!(problem(&bad), Some(Problem::Malformed), "{bad}");
    }
}

// rule D1
#[test]
fn anything_else_is_malformed() {
    for bad in [
        "",
        "plain text",
        "$1$md5crypt$x",
        &"$argon2id$".repeat(60),
        "$2b$04$é",
    ] {
        assert_eq!(problem(bad), Some(Problem::Malformed), "{bad}");
    }
    assert!(!verify_legacy(Family::Bcrypt, "x", "$2b$99$nonsense"));
    assert!(!verify_legacy(
        Family::Pbkdf2Sha256,
        "x",
        "pbkdf2_sha256$1$s$AAAA"
    ));
}
