//! Relayer keys: from a file or the environment, never from the repository.
//!
//! The well-known development keys (`//Alice`…, the dev phrase; the anvil
//! accounts of the `test … junk` mnemonic) are refused unless the chain they
//! sign for is a development chain.

use alloy::signers::local::{coins_bip39::English, MnemonicBuilder, PrivateKeySigner};
use anyhow::{anyhow, bail, Context};
use sp_core::{crypto::DEV_PHRASE, sr25519, Pair};
use std::path::Path;

/// Environment variable holding the chain secret URI when no file is configured.
pub const CHAIN_KEY_ENV: &str = "ECOCHAIN_RELAYER_CHAIN_KEY";
/// Environment variable holding the EVM private key when no file is configured.
pub const EVM_KEY_ENV: &str = "ECOCHAIN_RELAYER_EVM_KEY";
/// The mnemonic of anvil's and hardhat's pre-funded accounts.
pub const EVM_DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// EVM chain ids of local development nodes (anvil, hardhat, geth --dev).
pub const EVM_DEV_CHAIN_IDS: [u64; 2] = [31_337, 1_337];

fn read_secret(file: Option<&Path>, env: &str) -> anyhow::Result<String> {
    let secret = match file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("cannot read key file {}", path.display()))?
        }
        None => std::env::var(env).map_err(|_| anyhow!("no key: set a key_file in the config or {env}"))?,
    };
    let secret = secret.trim().to_string();
    anyhow::ensure!(!secret.is_empty(), "the key is empty");
    Ok(secret)
}

/// Whether a secret URI uses the public development phrase (written out, or
/// implied by a bare derivation path such as `//Alice` or `/Alice`).
pub fn is_dev_uri(uri: &str) -> bool {
    let phrase: Vec<&str> =
        uri.split("//").next().unwrap_or("").split('/').next().unwrap_or("").split_whitespace().collect();
    phrase.is_empty() || phrase == DEV_PHRASE.split_whitespace().collect::<Vec<_>>()
}

/// Whether `public` is one of the well-known keyring accounts.
pub fn is_dev_account(public: &sr25519::Public) -> bool {
    sp_keyring::Sr25519Keyring::iter().any(|k| k.public() == *public)
}

/// Load the chain (sr25519) key. `dev_chain`: whether the node reports a
/// `Development` or `Local` chain type.
pub fn chain_key(file: Option<&Path>, dev_chain: bool) -> anyhow::Result<sr25519::Pair> {
    let uri = read_secret(file, CHAIN_KEY_ENV)?;
    let pair = sr25519::Pair::from_string(&uri, None).map_err(|e| anyhow!("invalid chain secret URI: {e:?}"))?;
    if !dev_chain && (is_dev_uri(&uri) || is_dev_account(&pair.public())) {
        bail!("refusing a well-known development key on a chain that is not a development chain");
    }
    Ok(pair)
}

/// The `index`-th anvil development account.
pub fn evm_dev_key(index: u32) -> anyhow::Result<PrivateKeySigner> {
    Ok(MnemonicBuilder::<English>::default().phrase(EVM_DEV_MNEMONIC).index(index)?.build()?)
}

/// Load the EVM key (hex private key). `chain_id`: the EVM chain it signs for.
pub fn evm_key(file: Option<&Path>, chain_id: u64) -> anyhow::Result<PrivateKeySigner> {
    let hex_key = read_secret(file, EVM_KEY_ENV)?;
    let signer: PrivateKeySigner = hex_key.parse().map_err(|e| anyhow!("invalid EVM private key: {e}"))?;
    if !EVM_DEV_CHAIN_IDS.contains(&chain_id) {
        for index in 0..20 {
            if evm_dev_key(index)?.address() == signer.address() {
                bail!("refusing anvil development account {index} on EVM chain {chain_id}");
            }
        }
    }
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> std::path::PathBuf {
        let path = dir.join("key");
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn dev_chain_keys_only_on_dev_chains() {
        let dir = tempfile::tempdir().expect("dir");
        let path = write(dir.path(), "//Alice\n");
        assert!(chain_key(Some(&path), true).is_ok());
        let err = chain_key(Some(&path), false).err().expect("refused");
        assert!(err.to_string().contains("development key"));
        let alice_seed = format!("0x{}", hex::encode(sp_keyring::Sr25519Keyring::Alice.pair().to_raw_vec()));
        for dev in ["/Alice", &format!("{}  //Bob", DEV_PHRASE.replace(' ', "  ")), "//relayer//1", &alice_seed] {
            if let Ok(pair) = sr25519::Pair::from_string(dev, None) {
                let _ = pair;
                assert!(chain_key(Some(&write(dir.path(), dev)), false).is_err(), "{dev} accepted");
            }
        }
        let (own, phrase, _) = sr25519::Pair::generate_with_phrase(None);
        let path = write(dir.path(), &phrase);
        assert_eq!(chain_key(Some(&path), false).expect("own key").public(), own.public());
    }

    #[test]
    fn anvil_keys_only_on_dev_evm_chains() {
        let dir = tempfile::tempdir().expect("dir");
        let dev = evm_dev_key(3).expect("derive");
        let path = write(dir.path(), &hex::encode(dev.to_bytes()));
        assert!(evm_key(Some(&path), 31_337).is_ok());
        assert!(evm_key(Some(&path), 137).is_err());
        let own = PrivateKeySigner::random();
        let path = write(dir.path(), &hex::encode(own.to_bytes()));
        assert_eq!(evm_key(Some(&path), 137).expect("own key").address(), own.address());
        assert!(evm_key(Some(&write(dir.path(), "zz")), 137).is_err());
    }
}
