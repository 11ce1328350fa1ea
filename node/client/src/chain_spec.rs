//! Chain specs: the JSON file a network is defined by.
//!
//! The format follows Substrate's (`name`, `id`, `chainType`, `bootNodes`,
//! `protocolId`, `properties`, `genesis`), so operators recognise it. The
//! genesis is either `{"runtimeGenesis": {"config": <RuntimeGenesisConfig>}}`
//! (readable, produced by `build-spec`) or `{"raw": {"top": {"0xkey": "0xvalue"}}}`
//! (produced by `build-spec --raw`). There is no `code`: the runtime is native.

use ecochain_runtime::RuntimeGenesisConfig;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sp_runtime::{BuildStorage, Storage};
use std::{collections::BTreeMap, path::Path};

/// Errors reading or building a chain spec.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be read.
    #[error("cannot read chain spec {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// The JSON is not a chain spec.
    #[error("invalid chain spec: {0}")]
    Json(#[from] serde_json::Error),
    /// The genesis config violates an invariant.
    #[error("invalid genesis: {0}")]
    Genesis(String),
    /// A raw key or value is not hex.
    #[error("invalid raw genesis entry {0}")]
    Hex(String),
}

/// The kind of chain, as `system_chainType` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainType {
    /// A single-node development chain.
    Development,
    /// A local test network.
    Local,
    /// A live network.
    Live,
    /// Anything else.
    Custom,
}

/// A chain spec.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainSpec {
    /// Human name (`system_chain`).
    pub name: String,
    /// Short id, also the default directory name under the base path.
    pub id: String,
    /// Kind of chain.
    pub chain_type: ChainType,
    /// Multiaddresses of boot nodes.
    #[serde(default)]
    pub boot_nodes: Vec<String>,
    /// Network protocol id.
    #[serde(default)]
    pub protocol_id: Option<String>,
    /// Properties for wallets (`system_properties`): ss58Format, tokenSymbol, tokenDecimals.
    #[serde(default)]
    pub properties: Map<String, Value>,
    /// The genesis state.
    pub genesis: Genesis,
}

/// The genesis section.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Genesis {
    /// A runtime genesis config, built natively.
    RuntimeGenesis {
        /// The full `RuntimeGenesisConfig` as JSON.
        config: Value,
        /// The value of `:code` at genesis (hex): the identity of the runtime
        /// the spec was made with, so the genesis hash does not change with the
        /// binary that reads the spec. Absent: this binary's identity.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// Raw storage.
    Raw {
        /// Top-level storage, hex keys to hex values.
        top: BTreeMap<String, String>,
        /// Child tries (unused, kept for format compatibility).
        #[serde(default, rename = "childrenDefault")]
        children_default: BTreeMap<String, Value>,
    },
}

fn properties() -> Map<String, Value> {
    let value = json!({
        "ss58Format": ecochain_runtime::SS58_PREFIX,
        "tokenSymbol": ecochain_runtime::TOKEN_SYMBOL,
        "tokenDecimals": ecochain_runtime::TOKEN_DECIMALS,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl ChainSpec {
    fn from_preset(name: &str, id: &str, chain_type: ChainType, config: RuntimeGenesisConfig) -> Result<Self, Error> {
        Ok(Self {
            name: name.into(),
            id: id.into(),
            chain_type,
            boot_nodes: Vec::new(),
            protocol_id: Some("ecochain".into()),
            properties: properties(),
            genesis: Genesis::RuntimeGenesis {
                config: serde_json::to_value(config)?,
                code: Some(format!("0x{}", hex::encode(ecochain_runtime::identity::build_identity()))),
            },
        })
    }

    /// The single-validator development chain (`--dev`).
    pub fn development() -> Result<Self, Error> {
        Self::from_preset(
            "EcoChain Development",
            "ecochain_dev",
            ChainType::Development,
            ecochain_runtime::genesis::development(),
        )
    }

    /// The four-validator local test network.
    pub fn local_testnet() -> Result<Self, Error> {
        Self::from_preset(
            "EcoChain Local Testnet",
            "ecochain_local",
            ChainType::Local,
            ecochain_runtime::genesis::local_testnet(),
        )
    }

    /// A built-in spec by name (`dev`, `local`) or a spec file.
    pub fn load(name_or_path: &str) -> Result<Self, Error> {
        match name_or_path {
            "dev" | "development" => Self::development(),
            "local" | "local_testnet" => Self::local_testnet(),
            path => Self::from_file(Path::new(path)),
        }
    }

    /// Read a spec file.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.display().to_string(), source })?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Whether dev keys (`//Alice` …) are acceptable on this chain.
    pub fn is_dev(&self) -> bool {
        matches!(self.chain_type, ChainType::Development | ChainType::Local)
    }

    /// The genesis storage. Invariant violations in a genesis config (supply
    /// above the cap, no validators, bad tiers …) are reported, not panicked.
    pub fn build_storage(&self) -> Result<Storage, Error> {
        match &self.genesis {
            Genesis::RuntimeGenesis { config, code } => {
                let code = match code {
                    Some(hex) => decode_hex(hex)?,
                    None => ecochain_runtime::identity::build_identity(),
                };
                let config: RuntimeGenesisConfig = serde_json::from_value(config.clone())?;
                let built = std::panic::catch_unwind(move || config.build_storage());
                match built {
                    Ok(Ok(mut storage)) => {
                        // What a polkadot-sdk chain keeps at `:code`: here the native runtime's identity.
                        storage.top.insert(sp_core::storage::well_known_keys::CODE.to_vec(), code);
                        Ok(storage)
                    }
                    Ok(Err(e)) => Err(Error::Genesis(e)),
                    Err(panic) => Err(Error::Genesis(
                        panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "genesis build panicked".into()),
                    )),
                }
            }
            Genesis::Raw { top, .. } => {
                let mut storage = Storage::default();
                for (k, v) in top {
                    let key = decode_hex(k)?;
                    let value = decode_hex(v)?;
                    storage.top.insert(key, value);
                }
                Ok(storage)
            }
        }
    }

    /// The same spec with a raw genesis.
    pub fn to_raw(&self) -> Result<Self, Error> {
        let storage = self.build_storage()?;
        let top = storage
            .top
            .into_iter()
            .map(|(k, v)| (format!("0x{}", hex::encode(k)), format!("0x{}", hex::encode(v))))
            .collect();
        Ok(Self { genesis: Genesis::Raw { top, children_default: BTreeMap::new() }, ..self.clone() })
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Result<String, Error> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

fn decode_hex(s: &str) -> Result<Vec<u8>, Error> {
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|_| Error::Hex(s.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_spec_round_trips_through_raw() {
        let spec = ChainSpec::development().expect("dev spec");
        let raw = spec.to_raw().expect("raw");
        let json = raw.to_json().expect("json");
        let back: ChainSpec = serde_json::from_str(&json).expect("parses");
        assert_eq!(back.build_storage().expect("raw builds").top, spec.build_storage().expect("builds").top);
        assert_eq!(back.properties["tokenSymbol"], "ECT");
        // Both carry the runtime's identity at `:code`, as clients expect.
        let code = back.build_storage().expect("builds").top.remove(sp_core::storage::well_known_keys::CODE);
        assert_eq!(code, Some(ecochain_runtime::identity::build_identity()));
        assert_eq!(back.properties["tokenDecimals"], 18);
    }

    #[test]
    fn invalid_genesis_is_an_error_not_a_panic() {
        let mut config = ecochain_runtime::genesis::development();
        config.permissions.validators.clear();
        let spec = ChainSpec::from_preset("bad", "bad", ChainType::Live, config).expect("spec");
        let err = spec.build_storage().expect_err("refused");
        assert!(err.to_string().contains("at least one validator"), "{err}");
    }
}
