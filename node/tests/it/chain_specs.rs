use std::process::Command;

fn build_spec(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ecochain")).arg("build-spec").args(args).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8")
}

fn committed(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("chain-specs").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn committed_chain_specs_are_reproducible() {
    assert_eq!(committed("dev.json").trim(), build_spec(&["--dev"]).trim(), "regenerate chain-specs/dev.json");
    assert_eq!(
        committed("local.json").trim(),
        build_spec(&["--chain", "local"]).trim(),
        "regenerate chain-specs/local.json"
    );
}

#[test]
fn raw_spec_has_the_same_genesis() {
    let raw = build_spec(&["--dev", "--raw"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("raw.json");
    std::fs::write(&path, raw).expect("write");
    let a = ecochain_client::ChainSpec::from_file(&path).expect("parses").build_storage().expect("builds");
    let b = ecochain_client::ChainSpec::development().expect("dev").build_storage().expect("builds");
    assert_eq!(a.top, b.top);
}
