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

#[test]
fn key_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, out) = ecochain(&["key", "insert", "--chain", "local", "--suri", "//Alice"], dir.path());
    assert!(ok, "dev keys are fine on the local chain: {out}");
    let spec = dir.path().join("live.json");
    let mut live: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../chain-specs/local.json"))
            .expect("spec"),
    )
    .expect("json");
    live["chainType"] = "Live".into();
    live["id"] = "ecochain_live".into();
    std::fs::write(&spec, live.to_string()).expect("write");
    let (ok, out) =
        ecochain(&["key", "insert", "--chain", spec.to_str().expect("utf8"), "--suri", "//Alice"], dir.path());
    assert!(!ok && out.contains("refused"), "dev keys are refused on a live chain: {out}");
}
