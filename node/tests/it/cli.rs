use ecochain_primitives::ECT;
use ecochain_testkit::*;
use sp_keyring::Sr25519Keyring::{Alice, Bob};
use std::{path::Path, process::Command, time::Duration};

fn ecochain(args: &[&str], base: &Path) -> (bool, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_ecochain")).args(args).arg("--base-path").arg(base).output().expect("runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// export-blocks from one node, import-blocks into a fresh base path (every
/// block re-executed), check-block, purge-chain.
#[tokio::test(flavor = "multi_thread")]
async fn export_import_check_and_purge() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let mut node = Node::start(a.path()).await;
    let genesis = node.genesis_hash().await;
    let hashes = vec![
        node.submit(&transfer(Alice, Bob, ECT, 0, genesis)).await,
        node.submit(&transfer(Alice, Bob, ECT, 1, genesis)).await,
    ];
    node.wait_included(&hashes, Duration::from_secs(30)).await;
    let (number, hash, _) = node.best().await;
    node.stop();

    let export = a.path().join("blocks.bin");
    let export_arg = export.to_str().expect("utf8 path");
    let to = number.to_string();
    let (ok, out) = ecochain(&["export-blocks", "--dev", "--from", "1", "--to", &to, export_arg], a.path());
    assert!(ok, "{out}");
    let (ok, out) = ecochain(&["import-blocks", "--dev", export_arg], b.path());
    assert!(ok, "{out}");
    assert!(out.contains(&format!("imported {number} blocks")), "{out}");
    let (ok, out) = ecochain(&["check-block", "--dev", &to], b.path());
    assert!(ok && out.contains("is valid"), "{out}");
    assert!(out.contains(&format!("{hash:?}")), "same hash after import: {out}");
    // Importing again skips what is stored.
    let (ok, out) = ecochain(&["import-blocks", "--dev", export_arg], b.path());
    assert!(ok && out.contains("imported 0 blocks"), "{out}");
    let (ok, out) = ecochain(&["purge-chain", "--dev", "-y"], b.path());
    assert!(ok, "{out}");
    assert!(!b.path().join("chains/ecochain_dev/db").exists());
}

#[test]
fn a_corrupt_export_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bogus = dir.path().join("bogus.bin");
    std::fs::write(&bogus, b"not blocks").expect("write");
    let (ok, out) = ecochain(&["import-blocks", "--dev", bogus.to_str().expect("utf8")], dir.path());
    assert!(!ok && out.contains("not an ecochain block export"), "{out}");
}

/// A `Live` chain spec (the `local` one, renamed) written in `dir`.
fn live_spec(dir: &Path) -> std::path::PathBuf {
    let mut live = crate::local_spec();
    live["chainType"] = "Live".into();
    live["id"] = "ecochain_live".into();
    let spec = dir.join("live.json");
    std::fs::write(&spec, live.to_string()).expect("write");
    spec
}

#[test]
fn key_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, out) = ecochain(&["key", "insert", "--chain", "local", "--suri", "//Alice"], dir.path());
    assert!(ok, "dev keys are fine on the local chain: {out}");
    let spec = live_spec(dir.path());
    let (ok, out) =
        ecochain(&["key", "insert", "--chain", spec.to_str().expect("utf8"), "--suri", "//Alice"], dir.path());
    assert!(!ok && out.contains("refused"), "dev keys are refused on a live chain: {out}");
}

#[test]
fn dev_spec_version_is_for_development_chains_and_higher_versions_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = live_spec(dir.path());
    let next = (ecochain_runtime::VERSION.spec_version + 1).to_string();
    let (ok, out) = ecochain(&["--chain", spec.to_str().expect("utf8"), "--dev-spec-version", &next], dir.path());
    assert!(!ok && out.contains("development chains only"), "{out}");
    let same = ecochain_runtime::VERSION.spec_version.to_string();
    let (ok, out) = ecochain(&["--dev", "--dev-spec-version", &same], dir.path());
    assert!(!ok && out.contains("must be above"), "{out}");
}

#[test]
fn node_key_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("node_key");
    let key = |cmd: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_ecochain")).args(["key", cmd, "--file"]).arg(&file).output();
        let out = out.expect("runs");
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let (ok, id) = key("generate-node-key");
    assert!(ok && id.trim().starts_with("12D3KooW"), "{id}");
    let (ok, again) = key("inspect-node-key");
    assert!(ok && again.trim() == id.trim(), "{again} vs {id}");
    let (ok, out) = key("generate-node-key");
    assert!(!ok && out.contains("not overwritten"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_refuses_a_runtime_older_than_the_one_its_chain_enacted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let next = (ecochain_runtime::VERSION.spec_version + 1).to_string();
    let args: Vec<String> = ["--dev", "--dev-spec-version", &next].iter().map(|s| s.to_string()).collect();
    let mut node = Node::spawn(dir.path(), free_port(), &args).await;
    node.wait_height(1, Duration::from_secs(30)).await;
    node.stop();
    // Back without the flag: the chain enacted a newer version than this runtime.
    let (ok, out) = ecochain(&["--dev", "--rpc-port", &free_port().to_string()], dir.path());
    assert!(!ok && out.contains(&format!("enacted spec_version {next}")), "{out}");
}
