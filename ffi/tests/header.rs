//! The checked-in `include/contactkeeper.h` is what cbindgen generates from
//! this crate now (ARCHITECTURE: a test fails when the header is stale).
//!
//! `CK_REGENERATE_HEADER=1 cargo test -p contactkeeper-ffi --test header`
//! rewrites it.

use std::path::PathBuf;

#[test]
fn header_is_up_to_date() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../include/contactkeeper.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let fresh = String::from_utf8(fresh).unwrap();
    if std::env::var_os("CK_REGENERATE_HEADER").is_some() {
        std::fs::write(&header, &fresh).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&header).unwrap_or_default();
    if checked_in != fresh {
        let tmp = std::env::temp_dir().join("contactkeeper.h.fresh");
        std::fs::write(&tmp, &fresh).unwrap();
        panic!(
            "include/contactkeeper.h is stale: the fresh one is in {} (diff them); \
             regenerate with CK_REGENERATE_HEADER=1 cargo test -p contactkeeper-ffi --test header",
            tmp.display()
        );
    }
}

#[test]
fn every_function_is_documented() {
    // Each `CK_API`-level declaration in the header has a comment above it.
    let header = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/contactkeeper.h"),
    )
    .unwrap();
    let lines: Vec<&str> = header.lines().collect();
    let mut functions = 0;
    for (i, line) in lines.iter().enumerate() {
        let is_decl = !line.starts_with(' ')
            && !line.starts_with("//")
            && !line.starts_with('#')
            && !line.starts_with("typedef")
            && line.contains(" ck_")
            && line.contains('(');
        if is_decl {
            functions += 1;
            assert!(
                i > 0 && lines[i - 1].starts_with("//"),
                "undocumented function in the header: {line}"
            );
        }
    }
    assert!(functions > 90, "only {functions} functions found");
}

#[test]
fn version_macros_match_cargo_toml() {
    let header = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/contactkeeper.h"),
    )
    .unwrap();
    for (name, value) in [
        ("CK_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("CK_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("CK_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(
            header.contains(&format!("#define {name} {value}\n")),
            "{name} is not {value} in the header"
        );
    }
}
