//! The benchmark chain spec: the development genesis plus `N` funded sender
//! accounts `//bench//0` … `//bench//{N-1}` (dev phrase, hard junctions).
//!
//! Its chain type is `Development`, so `ecochain --chain bench.json` runs it
//! like `--dev`: Alice seals every block at once and every block is final.

use anyhow::Context;
use ecochain_client::{chain_spec::Genesis, ChainSpec};
use ecochain_primitives::{Balance, ECT};
use ecochain_runtime::AccountId;
use sp_core::{crypto::DeriveJunction, sr25519, Pair};

/// What each benchmark account holds at genesis.
pub const BENCH_ENDOWMENT: Balance = 1_000 * ECT;

/// Most benchmark accounts (the added supply stays far below the ECT cap).
pub const MAX_BENCH_ACCOUNTS: u32 = 100_000;

/// The sr25519 keys of `//bench//0` … `//bench//{n-1}`, derived once from
/// `//bench` (deriving each SURI from the phrase would repeat the PBKDF2).
pub fn bench_pairs(n: u32) -> anyhow::Result<Vec<sr25519::Pair>> {
    let root = sr25519::Pair::from_string("//bench", None).map_err(|e| anyhow::anyhow!("deriving //bench: {e:?}"))?;
    (0..n)
        .map(|i| {
            root.derive(std::iter::once(DeriveJunction::hard(u64::from(i))), None)
                .map(|(pair, _)| pair)
                .map_err(|e| anyhow::anyhow!("deriving //bench//{i}: {e:?}"))
        })
        .collect()
}

/// The dev accounts `//Alice` … `//Ferdie`.
pub fn dev_pairs() -> Vec<sr25519::Pair> {
    use sp_keyring::Sr25519Keyring::*;
    [Alice, Bob, Charlie, Dave, Eve, Ferdie].into_iter().map(|k| k.pair()).collect()
}

/// The account of a key.
pub fn account(pair: &sr25519::Pair) -> AccountId {
    pair.public().into()
}

/// The development spec with `accounts` funded benchmark accounts (also on
/// the account allow-list, in case someone switches it on).
pub fn bench_spec(accounts: u32) -> anyhow::Result<ChainSpec> {
    anyhow::ensure!(accounts <= MAX_BENCH_ACCOUNTS, "at most {MAX_BENCH_ACCOUNTS} benchmark accounts");
    bench_spec_for(&bench_pairs(accounts)?, accounts)
}

/// The `local` spec (Alice, Bob, Charlie and Dave validating under BFT) with
/// `accounts` funded benchmark accounts on its account allow-list; same chain
/// id as `local`, so `scripts/local-testnet.sh` runs it unchanged.
pub fn bench_local_spec(accounts: u32) -> anyhow::Result<ChainSpec> {
    anyhow::ensure!(accounts <= MAX_BENCH_ACCOUNTS, "at most {MAX_BENCH_ACCOUNTS} benchmark accounts");
    let mut config = ecochain_runtime::genesis::local_testnet();
    fund(&mut config, &bench_pairs(accounts)?);
    let mut spec = ChainSpec::local_testnet().context("local spec")?;
    spec.name = format!("EcoChain Local Benchmark ({accounts} accounts)");
    spec.genesis =
        Genesis::RuntimeGenesis { config: serde_json::to_value(config).context("genesis to JSON")?, code: None };
    Ok(spec)
}

fn fund(config: &mut ecochain_runtime::RuntimeGenesisConfig, pairs: &[sr25519::Pair]) {
    for pair in pairs {
        let who = account(pair);
        config.balances.balances.push((who.clone(), BENCH_ENDOWMENT));
        config.permissions.allowed_accounts.push(who);
    }
}

/// [`bench_spec`] for keys already derived (`pairs` are `//bench//0..accounts`).
pub fn bench_spec_for(pairs: &[sr25519::Pair], accounts: u32) -> anyhow::Result<ChainSpec> {
    anyhow::ensure!(accounts <= MAX_BENCH_ACCOUNTS, "at most {MAX_BENCH_ACCOUNTS} benchmark accounts");
    let mut config = ecochain_runtime::genesis::development();
    fund(&mut config, pairs);
    let mut spec = ChainSpec::development().context("development spec")?;
    spec.name = format!("EcoChain Benchmark ({accounts} accounts)");
    spec.id = "ecochain_bench".into();
    spec.genesis =
        Genesis::RuntimeGenesis { config: serde_json::to_value(config).context("genesis to JSON")?, code: None };
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Decode;
    use ecochain_client::ChainType;

    #[test]
    fn derived_keys_are_the_suris() {
        let pairs = bench_pairs(3).expect("derive");
        for (i, pair) in pairs.iter().enumerate() {
            let expected = sr25519::Pair::from_string(&format!("//bench//{i}"), None).expect("suri");
            assert_eq!(pair.public(), expected.public(), "//bench//{i}");
        }
    }

    #[test]
    fn bench_spec_builds_and_funds_every_account() {
        let spec = bench_spec(50).expect("spec");
        assert_eq!(spec.chain_type, ChainType::Development);
        assert!(spec.is_dev());
        let json = spec.to_json().expect("json");
        let back: ChainSpec = serde_json::from_str(&json).expect("parses");
        let storage = back.build_storage().expect("genesis builds");
        for pair in bench_pairs(50).expect("derive") {
            let who = account(&pair);
            let key = frame_system_account_key(&who);
            let raw = storage.top.get(&key).expect("account stored");
            // frame_system::AccountInfo: nonce, consumers, providers, sufficients, then AccountData.
            let (nonce, _consumers, _providers, _sufficients, data) =
                <(u32, u32, u32, u32, pallet_balances::AccountData<Balance>)>::decode(&mut &raw[..]).expect("decodes");
            assert_eq!(data.free, BENCH_ENDOWMENT);
            assert_eq!(nonce, 0);
        }
    }

    #[test]
    fn too_many_accounts_is_an_error() {
        assert!(bench_spec(MAX_BENCH_ACCOUNTS + 1).is_err());
    }

    /// `System::Account` key: twox128("System") ++ twox128("Account") ++ blake2_128_concat(who).
    fn frame_system_account_key(who: &AccountId) -> Vec<u8> {
        use codec::Encode;
        let mut key = sp_crypto_hashing::twox_128(b"System").to_vec();
        key.extend(sp_crypto_hashing::twox_128(b"Account"));
        let encoded = who.encode();
        key.extend(sp_crypto_hashing::blake2_128(&encoded));
        key.extend(encoded);
        key
    }
}
