//! `key generate | inspect | insert | generate-node-key | inspect-node-key`,
//! loading the consensus key, and the node key (the libp2p identity, apart
//! from the consensus key: a network handshake never touches consensus keys).

use crate::cli::Scheme;
use anyhow::{bail, Context};
use sp_core::{
    crypto::{Ss58Codec, DEV_PHRASE},
    ed25519, sr25519, Pair,
};
use std::path::Path;

fn describe<P: Pair>(suri: &str, phrase: Option<&str>, json: bool) -> anyhow::Result<String>
where
    P::Public: Ss58Codec + AsRef<[u8]>,
{
    let (pair, seed) =
        P::from_string_with_seed(suri, None).map_err(|e| anyhow::anyhow!("invalid secret URI: {e:?}"))?;
    let public = pair.public();
    let address = public.to_ss58check_with_version(ecochain_runtime::SS58_PREFIX.into());
    let public_hex = format!("0x{}", hex::encode(public.as_ref()));
    let seed_hex = seed.map(|s| format!("0x{}", hex::encode(s.as_ref())));
    // An ed25519 key is also a libp2p identity (the peer id of a node key).
    let peer_id = <[u8; 32]>::try_from(public.as_ref())
        .ok()
        .filter(|_| std::any::type_name::<P>().contains("ed25519"))
        .and_then(|k| ecochain_consensus::peer_id_of_public(k).ok());
    Ok(if json {
        serde_json::json!({
            "secretPhrase": phrase,
            "secretSeed": seed_hex,
            "publicKey": public_hex,
            "ss58Address": address,
            "peerId": peer_id,
        })
        .to_string()
    } else {
        let mut out = String::new();
        if let Some(p) = phrase {
            out.push_str(&format!("Secret phrase:     {p}\n"));
        }
        if let Some(s) = seed_hex {
            out.push_str(&format!("Secret seed:       {s}\n"));
        }
        out.push_str(&format!("Public key (hex):  {public_hex}\nSS58 address:      {address}"));
        if let Some(id) = peer_id {
            out.push_str(&format!("\nPeer ID:           {id}"));
        }
        out
    })
}

/// `key generate`: a new 12-word phrase.
pub fn generate(scheme: Scheme, words: usize, json: bool) -> anyhow::Result<String> {
    if words != 12 {
        bail!("only 12-word phrases are generated (got --words {words})");
    }
    match scheme {
        Scheme::Sr25519 => {
            let (_, phrase, _) = sr25519::Pair::generate_with_phrase(None);
            describe::<sr25519::Pair>(&phrase, Some(&phrase), json)
        }
        Scheme::Ed25519 => {
            let (_, phrase, _) = ed25519::Pair::generate_with_phrase(None);
            describe::<ed25519::Pair>(&phrase, Some(&phrase), json)
        }
    }
}

/// `key inspect`.
pub fn inspect(suri: &str, scheme: Scheme, json: bool) -> anyhow::Result<String> {
    match scheme {
        Scheme::Sr25519 => describe::<sr25519::Pair>(suri, None, json),
        Scheme::Ed25519 => describe::<ed25519::Pair>(suri, None, json),
    }
}

/// Whether a secret URI derives from the well-known dev phrase (`//Alice` …).
pub fn is_dev_suri(suri: &str) -> bool {
    let suri = suri.trim();
    suri.starts_with("//") || suri.starts_with(DEV_PHRASE)
}

/// Whether `public` is one of the well-known dev keys (`//Alice` … `//Ferdie`,
/// their stashes, `//One`, `//Two`), however its secret was written (URI,
/// phrase or hex seed).
pub fn is_dev_key(public: &ed25519::Public) -> bool {
    sp_keyring::Ed25519Keyring::from_public(public).is_some()
}

fn parse_key(suri: &str) -> anyhow::Result<ed25519::Pair> {
    ed25519::Pair::from_string(suri.trim(), None).map_err(|e| anyhow::anyhow!("invalid secret URI: {e:?}"))
}

fn refuse_dev_key(pair: &ed25519::Pair, suri: &str, dev_chain: bool) -> anyhow::Result<()> {
    if !dev_chain && (is_dev_key(&pair.public()) || is_dev_suri(suri)) {
        bail!("dev keys (//Alice …) are refused outside development and local chains");
    }
    Ok(())
}

/// Write the consensus key's secret URI to `path`. The file is created with
/// mode 0600 (never readable by others, not even for an instant).
pub fn insert(path: &Path, suri: &str, dev_chain: bool) -> anyhow::Result<String> {
    let pair = parse_key(suri)?;
    refuse_dev_key(&pair, suri, dev_chain)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Replace any older file: a new one gets the mode at creation.
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("replacing {}", path.display()))
        }
        _ => {}
    }
    write_private(path, suri.trim().as_bytes())?;
    Ok(format!("0x{}", hex::encode(pair.public().0)))
}

/// Create `path` (and its directory) with mode 0600 and write `bytes`: the
/// file is never readable by others, not even for an instant.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, bytes).with_context(|| format!("writing {}", path.display()))?;
    file.sync_all().with_context(|| format!("syncing {}", path.display()))?;
    Ok(())
}

/// The libp2p peer id of a node key seed.
pub fn node_peer_id(seed: [u8; 32]) -> anyhow::Result<String> {
    ecochain_consensus::peer_id_of(seed).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Read a node key file: the hex of a 32-byte ed25519 seed, private to its owner.
pub fn load_node_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading node key {}", path.display()))?;
    check_private(path)?;
    let text = text.trim();
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text))
        .with_context(|| format!("{}: a node key is the hex of a 32-byte seed", path.display()))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| anyhow::anyhow!("{}: expected a 32-byte seed, got {} bytes", path.display(), bytes.len()))
}

/// Read the node key at `path`, or create it (a new random seed) if there is none.
pub fn load_or_create_node_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    if path.exists() {
        return load_node_key(path);
    }
    let (_, seed) = ed25519::Pair::generate();
    write_private(path, hex::encode(seed).as_bytes())?;
    Ok(seed)
}

/// `key generate-node-key`: a new node key in `path` (refusing to overwrite
/// one); prints its peer id, the id to allow-list or register with
/// `permissions.setNodeId`.
pub fn generate_node_key(path: &Path) -> anyhow::Result<String> {
    if path.exists() {
        bail!("{} exists; a node key is not overwritten (its peer id may be registered)", path.display());
    }
    node_peer_id(load_or_create_node_key(path)?)
}

/// `key node-id-proof`: the node key's signature over its registration for
/// `account` (`permissions.setNodeId(peerId, proof)`), as JSON.
pub fn node_id_proof(file: &Path, account: &str) -> anyhow::Result<String> {
    let seed = load_node_key(file)?;
    let account = parse_account(account)?;
    let pair = ed25519::Pair::from_seed(&seed);
    let proof = pair.sign(&pallet_permissions::node_id_payload(&account));
    Ok(serde_json::json!({
        "peerId": node_peer_id(seed)?,
        "account": account.to_ss58check_with_version(ecochain_runtime::SS58_PREFIX.into()),
        "proof": format!("0x{}", hex::encode(proof.0)),
    })
    .to_string())
}

/// An account as SS58 text or 0x-prefixed hex of its 32 bytes.
fn parse_account(text: &str) -> anyhow::Result<sp_core::crypto::AccountId32> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x") {
        let bytes = hex::decode(hex).context("account: bad hex")?;
        let raw = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| anyhow::anyhow!("account: expected 32 bytes"))?;
        return Ok(raw.into());
    }
    sp_core::crypto::AccountId32::from_ss58check(text).map_err(|e| anyhow::anyhow!("account `{text}`: {e:?}"))
}

/// The node key of a well-known dev consensus key (`//Alice` gives
/// `//Alice//node`): what a dev or local chain's validator uses when it has no
/// node key file, matching the node ids of those chains' genesis.
pub fn dev_node_key(consensus: &ed25519::Public) -> Option<[u8; 32]> {
    let keyring = sp_keyring::Ed25519Keyring::from_public(consensus)?;
    let (_, seed) = ed25519::Pair::from_string_with_seed(&format!("{}//node", keyring.to_seed()), None).ok()?;
    seed
}

/// Write a new secp256k1 bridge key to `path` (never overwriting a file);
/// returns its EVM address.
pub fn generate_bridge_key(path: &Path) -> anyhow::Result<sp_core::H160> {
    if path.exists() {
        bail!("{} exists: not overwritten", path.display());
    }
    let secret = sp_core::ecdsa::Pair::generate().0.seed();
    write_private(path, format!("0x{}\n", hex::encode(secret)).as_bytes())?;
    crate::bridge_signer::read_secret(path)
        .and_then(|s| ecochain_primitives::bridge_key::address(&s).ok_or_else(|| anyhow::anyhow!("invalid bridge key")))
}

/// The dev bridge key (`//Alice` …) of a well-known dev consensus key.
pub fn dev_bridge_secret(consensus: &ed25519::Public) -> Option<[u8; 32]> {
    let keyring = sp_keyring::Ed25519Keyring::from_public(consensus)?;
    Some(ecochain_primitives::bridge_key::dev_secret(&format!("{keyring:?}")))
}

/// Refuse a key file that users other than its owner may read or write.
pub(crate) fn check_private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.permissions().mode();
        if mode & 0o077 != 0 {
            bail!(
                "{}: key file is accessible by other users (mode {:o}); run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    Ok(())
}

/// Load the ed25519 consensus key from a file holding a secret URI or hex seed.
pub fn load_consensus_key(path: &Path, dev_chain: bool) -> anyhow::Result<ed25519::Pair> {
    check_private(path)?;
    let suri = std::fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))?;
    let pair = parse_key(&suri).with_context(|| format!("{}: invalid consensus key", path.display()))?;
    refuse_dev_key(&pair, &suri, dev_chain).with_context(|| path.display().to_string())?;
    Ok(pair)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_alice() {
        let out = inspect("//Alice", Scheme::Sr25519, true).expect("inspects");
        assert!(out.contains("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"), "{out}");
    }

    #[test]
    fn dev_keys_refused_outside_dev_chains() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("consensus");
        assert!(insert(&path, "//Alice", false).is_err());
        assert!(insert(&path, "//Alice", true).is_ok());
        assert!(load_consensus_key(&path, false).is_err());
        assert!(load_consensus_key(&path, true).is_ok());
    }

    #[test]
    fn dev_keys_are_recognised_by_public_key() {
        // Alice's seed written as hex carries no `//` prefix: its public key gives it away.
        let seed = ed25519::Pair::from_string_with_seed("//Alice", None).expect("derives").1.expect("seed");
        let hex_seed = format!("0x{}", hex::encode(seed));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("consensus");
        assert!(insert(&path, &hex_seed, false).is_err());
        assert!(insert(&path, &hex_seed, true).is_ok());
        assert!(load_consensus_key(&path, false).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("consensus");
        let (_, phrase, _) = ed25519::Pair::generate_with_phrase(None);
        insert(&path, &phrase, false).expect("written");
        let mode = std::fs::metadata(&path).expect("exists").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        load_consensus_key(&path, false).expect("loads");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let Err(err) = load_consensus_key(&path, false) else { panic!("a world-readable key is refused") };
        assert!(err.to_string().contains("accessible by other users"), "{err}");
    }

    #[test]
    fn dev_node_keys_are_the_node_ids_of_the_dev_genesis() {
        use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
        let names = [
            (Ed25519Keyring::Alice, Sr25519Keyring::Alice),
            (Ed25519Keyring::Bob, Sr25519Keyring::Bob),
            (Ed25519Keyring::Charlie, Sr25519Keyring::Charlie),
            (Ed25519Keyring::Dave, Sr25519Keyring::Dave),
            (Ed25519Keyring::Eve, Sr25519Keyring::Eve),
            (Ed25519Keyring::Ferdie, Sr25519Keyring::Ferdie),
        ];
        for (ed, sr) in names {
            let seed = dev_node_key(&ed.public()).expect("a dev key");
            let expected = ecochain_runtime::genesis::dev_node_id(sr).expect("listed");
            assert_eq!(node_peer_id(seed).expect("peer id"), expected, "{ed:?}");
            // And not the consensus key's own libp2p identity.
            assert_ne!(ecochain_consensus::peer_id_of_public(ed.public().0).expect("id"), expected);
        }
        let (other, _) = ed25519::Pair::generate();
        assert!(dev_node_key(&other.public()).is_none());
    }

    #[test]
    fn a_node_id_proof_verifies_for_its_account_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("node_key");
        let id = generate_node_key(&file).expect("generated");
        let alice = sp_keyring::Sr25519Keyring::Alice.to_account_id();
        let out: serde_json::Value =
            serde_json::from_str(&node_id_proof(&file, &alice.to_ss58check()).expect("signs")).expect("json");
        assert_eq!(out["peerId"], id.as_str());
        let proof = hex::decode(out["proof"].as_str().expect("proof").trim_start_matches("0x")).expect("hex");
        let signature = ed25519::Signature::from_raw(proof.try_into().expect("64 bytes"));
        let public = ed25519::Public::from_raw(pallet_permissions::ed25519_of_peer_id(id.as_bytes()).expect("ed25519"));
        assert!(ed25519::Pair::verify(&signature, pallet_permissions::node_id_payload(&alice), &public));
        let bob = sp_keyring::Sr25519Keyring::Bob.to_account_id();
        assert!(!ed25519::Pair::verify(&signature, pallet_permissions::node_id_payload(&bob), &public));
        // The same account written as hex.
        let hex_account = format!("0x{}", hex::encode(<[u8; 32]>::from(alice)));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&node_id_proof(&file, &hex_account).expect("signs"))
                .expect("json")["proof"],
            out["proof"]
        );
        assert!(node_id_proof(&file, "not an account").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn node_keys_are_created_private_and_checked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("network").join("node_key");
        let id = generate_node_key(&path).expect("generated");
        assert!(id.starts_with("12D3KooW"), "{id}");
        assert_eq!(std::fs::metadata(&path).expect("exists").permissions().mode() & 0o777, 0o600);
        assert!(generate_node_key(&path).is_err(), "never overwritten");
        assert_eq!(node_peer_id(load_or_create_node_key(&path).expect("loads")).expect("id"), id);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(load_node_key(&path).is_err(), "a readable node key is refused");
        for (bad, why) in [("zz", "hex"), ("00ff", "32-byte")] {
            let p = dir.path().join(bad);
            write_private(&p, bad.as_bytes()).expect("written");
            let err = load_node_key(&p).expect_err("refused").to_string();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn generated_keys_parse() {
        let out = generate(Scheme::Ed25519, 12, true).expect("generates");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let phrase = v["secretPhrase"].as_str().expect("phrase");
        assert!(!is_dev_suri(phrase));
        assert!(inspect(phrase, Scheme::Ed25519, true).expect("inspects").contains("publicKey"));
    }
}
