//! `key generate | inspect | insert` and loading the consensus key.

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
    // An ed25519 key is also a libp2p identity (a validator's peer id).
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

/// Write the consensus key's secret URI to `path` (mode 0600).
pub fn insert(path: &Path, suri: &str, dev_chain: bool) -> anyhow::Result<String> {
    if is_dev_suri(suri) && !dev_chain {
        bail!("dev keys (//Alice …) are refused outside development and local chains");
    }
    let pair = ed25519::Pair::from_string(suri, None).map_err(|e| anyhow::anyhow!("invalid secret URI: {e:?}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, suri.trim()).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(format!("0x{}", hex::encode(pair.public().0)))
}

/// Load the ed25519 consensus key from a file holding a secret URI or hex seed.
pub fn load_consensus_key(path: &Path, dev_chain: bool) -> anyhow::Result<ed25519::Pair> {
    let suri = std::fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))?;
    if is_dev_suri(&suri) && !dev_chain {
        bail!("{}: dev keys (//Alice …) are refused outside development and local chains", path.display());
    }
    ed25519::Pair::from_string(suri.trim(), None)
        .map_err(|e| anyhow::anyhow!("{}: invalid consensus key: {e:?}", path.display()))
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
    fn generated_keys_parse() {
        let out = generate(Scheme::Ed25519, 12, true).expect("generates");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let phrase = v["secretPhrase"].as_str().expect("phrase");
        assert!(!is_dev_suri(phrase));
        assert!(inspect(phrase, Scheme::Ed25519, true).expect("inspects").contains("publicKey"));
    }
}
