//! F1's sealing, without a store.

use super::*;

fn ring(current: u32, older: &[u32]) -> Keyring {
    let key = |id: u32| SealingKey::new(id, &[id as u8; SEALING_KEY_LEN]).unwrap();
    Keyring::new(key(current), older.iter().map(|i| key(*i)).collect())
}

const A: ContactId = ContactId(7);

// rule F1
#[test]
fn a_sealed_secret_opens_only_for_its_contact_and_under_a_held_key() {
    let r = ring(1, &[]);
    let s = r.seal(A, "totp secret", b"twenty bytes of key!").unwrap();
    assert_eq!(s.key_id, 1);
    assert!(!s
        .ciphertext
        .windows(20)
        .any(|w| w == b"twenty bytes of key!"));
    assert_eq!(
        &r.open(A, "totp secret", &s).unwrap()[..],
        b"twenty bytes of key!"
    );
    // Another contact's, another purpose, altered: refused, typed.
    for (who, purpose) in [(ContactId(8), "totp secret"), (A, "other")] {
        assert!(matches!(
            r.open(who, purpose, &s),
            Err(Error::Store(StoreError::Corrupt(_)))
        ));
    }
    let mut altered = s.clone();
    altered.ciphertext[0] ^= 1;
    assert!(r.open(A, "totp secret", &altered).is_err());
    // Two seals of one secret differ (random nonces).
    assert_ne!(
        r.seal(A, "totp secret", b"x").unwrap(),
        r.seal(A, "totp secret", b"x").unwrap()
    );
    // Under a key the ring does not hold: a typed error that names the id only.
    let Err(Error::Store(StoreError::Corrupt(why))) = ring(2, &[]).open(A, "totp secret", &s)
    else {
        panic!("an unknown key opened a secret")
    };
    assert!(why.contains("key id 1"), "{why}");
}

// rule F1: rotation: older keys open, the current one seals.
#[test]
fn an_older_key_opens_and_the_secret_is_sealed_again_under_the_current_one() {
    let old = ring(1, &[]);
    let mut e = Enrollment {
        method: crate::second_factor::TwoFactorMethod::Totp,
        sealed_secret: Some(old.seal_totp(A, b"secret").unwrap()),
        totp_secret: None,
        phone: None,
        last_step: None,
        since: time::OffsetDateTime::UNIX_EPOCH,
    };
    let new = ring(2, &[1]);
    assert!(new.is_stale(e.sealed_secret.as_ref().unwrap()));
    assert_eq!(&new.totp_secret(A, &mut e).unwrap().unwrap()[..], b"secret");
    assert_eq!(e.sealed_secret.as_ref().unwrap().key_id, 2);
    assert!(!new.is_stale(e.sealed_secret.as_ref().unwrap()));
    // A secret an earlier version kept in the clear is sealed at its use.
    e.sealed_secret = None;
    e.totp_secret = Some(b"clear".to_vec());
    assert_eq!(&new.totp_secret(A, &mut e).unwrap().unwrap()[..], b"clear");
    assert_eq!(e.totp_secret, None);
    assert_eq!(e.sealed_secret.as_ref().unwrap().key_id, 2);
}

// rule F1: keys are exactly 32 bytes and never printed.
#[test]
fn keys_have_one_length_and_no_debug_output() {
    for len in [0, 16, 31, 33, 64] {
        assert_eq!(
            SealingKey::new(1, &vec![9; len]).unwrap_err(),
            Error::invalid(Field::SealingKey, Problem::Malformed)
        );
    }
    let k = SealingKey::new(3, &[0xab; SEALING_KEY_LEN]).unwrap();
    let shown = format!("{k:?}");
    assert!(
        !shown.contains("171") && !shown.to_lowercase().contains("ab, "),
        "{shown}"
    );
    let s = ring(1, &[]).seal(A, "p", b"x").unwrap();
    assert!(!format!("{s:?}").contains("ciphertext"));
}
