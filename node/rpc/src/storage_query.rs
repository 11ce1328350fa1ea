//! Storage queries of the new JSON-RPC spec, shared by `chainHead_v1_storage`
//! and `archive_v1_storage`: parsing the `items` parameter and reading one
//! page of one item's answer at a block.
//!
//! An item is a key and one of `value`, `hash`, `closestDescendantMerkleValue`,
//! `descendantsValues`, `descendantsHashes`. Answers are JSON objects with
//! `key` and the field the type asks for; an absent key answers nothing.
//! Descendant queries are read a page at a time, resuming after the last key
//! of the previous page, so no query holds more than a page in memory.

use crate::{
    error::{client_error, invalid_params, server_error, RpcResult},
    params::{parse_hex, to_hex},
};
use ecochain_client::Client;
use serde_json::{json, Map, Value};
use sp_core::H256;
use sp_runtime::traits::{BlakeTwo256, Hash as _};
use sp_state_machine::{Backend, IterArgs};

/// Most items one storage request may name.
pub(crate) const MAX_ITEMS: usize = 1024;

/// What an item asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Value,
    Hash,
    ClosestDescendantMerkleValue,
    DescendantsValues,
    DescendantsHashes,
}

impl Kind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "value" => Self::Value,
            "hash" => Self::Hash,
            "closestDescendantMerkleValue" => Self::ClosestDescendantMerkleValue,
            "descendantsValues" => Self::DescendantsValues,
            "descendantsHashes" => Self::DescendantsHashes,
            _ => return None,
        })
    }

    fn descendants(self) -> bool {
        matches!(self, Self::DescendantsValues | Self::DescendantsHashes)
    }
}

/// One requested item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) key: Vec<u8>,
    pub(crate) kind: Kind,
    /// Resume descendants after this key (`archive_v1_storage`'s `paginationStartKey`).
    pub(crate) start_after: Option<Vec<u8>>,
}

/// The `items` parameter: an array of `{key, type[, paginationStartKey]}`.
pub(crate) fn parse_items(value: Option<&Value>) -> RpcResult<Vec<Item>> {
    let Some(Value::Array(items)) = value else { return Err(invalid_params("items must be an array")) };
    if items.len() > MAX_ITEMS {
        return Err(invalid_params(format!("at most {MAX_ITEMS} items per request, got {}", items.len())));
    }
    items
        .iter()
        .map(|item| {
            let field = |name: &str| item.get(name).and_then(Value::as_str);
            let key = field("key").ok_or_else(|| invalid_params(format!("item without a hex key: {item}")))?;
            let key = parse_hex(key).map_err(|e| invalid_params(format!("item key: {e}")))?;
            let kind = field("type")
                .and_then(Kind::parse)
                .ok_or_else(|| invalid_params(format!("item type must be one of value, hash, closestDescendantMerkleValue, descendantsValues, descendantsHashes: {item}")))?;
            let start_after = match item.get("paginationStartKey") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if kind.descendants() => {
                    Some(parse_hex(s).map_err(|e| invalid_params(format!("paginationStartKey: {e}")))?)
                }
                Some(other) => return Err(invalid_params(format!("paginationStartKey not valid here: {other}"))),
            };
            Ok(Item { key, kind, start_after })
        })
        .collect()
}

/// The `childTrie` parameter: this chain has no child tries, so any child
/// trie key names an empty trie. `Ok(true)` when one was given.
pub(crate) fn parse_child_trie(value: Option<&Value>) -> RpcResult<bool> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(s)) => parse_hex(s).map(|_| true).map_err(|e| invalid_params(format!("childTrie: {e}"))),
        Some(other) => Err(invalid_params(format!("childTrie must be null or a hex key, got {other}"))),
    }
}

/// One page of `item`'s answer at `at`: up to `limit` entries, and the key to
/// resume after when more may follow (descendant queries only).
pub(crate) fn read_page(
    client: &Client,
    at: &H256,
    item: &Item,
    after: Option<&[u8]>,
    limit: usize,
) -> RpcResult<(Vec<Value>, Option<Vec<u8>>)> {
    let state = client.state_at(at).map_err(client_error)?;
    let state_error = |e: String| server_error(format!("state: {e}"));
    let entry = |key: &[u8], field: &str, value: String| {
        let mut object = Map::new();
        object.insert("key".into(), json!(to_hex(key)));
        object.insert(field.into(), json!(value));
        Value::Object(object)
    };
    let hash = |value: &[u8]| to_hex(BlakeTwo256::hash(value).as_bytes());
    match item.kind {
        Kind::Value | Kind::Hash => {
            let Some(v) = state.storage(&item.key).map_err(state_error)? else { return Ok((Vec::new(), None)) };
            let found = match item.kind {
                Kind::Hash => entry(&item.key, "hash", hash(&v)),
                _ => entry(&item.key, "value", to_hex(&v)),
            };
            Ok((vec![found], None))
        }
        Kind::ClosestDescendantMerkleValue => {
            let merkle = state.closest_merkle_value(&item.key).map_err(state_error)?.map(|value| match value {
                sp_trie::MerkleValue::Node(node) => to_hex(&node),
                sp_trie::MerkleValue::Hash(hash) => to_hex(hash.as_ref()),
            });
            Ok((merkle.map(|m| entry(&item.key, "closestDescendantMerkleValue", m)).into_iter().collect(), None))
        }
        Kind::DescendantsValues | Kind::DescendantsHashes => {
            let mut args = IterArgs::default();
            args.prefix = Some(&item.key);
            let after = after.or(item.start_after.as_deref());
            args.start_at = after;
            args.start_at_exclusive = true;
            let mut entries = Vec::new();
            let mut last = None;
            for pair in state.pairs(args).map_err(state_error)? {
                let (key, value) = pair.map_err(state_error)?;
                if entries.len() == limit {
                    return Ok((entries, last));
                }
                entries.push(if item.kind == Kind::DescendantsValues {
                    entry(&key, "value", to_hex(&value))
                } else {
                    entry(&key, "hash", hash(&value))
                });
                last = Some(key);
            }
            Ok((entries, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_parse_and_refuse_what_the_spec_does_not_allow() {
        let items = parse_items(Some(&json!([
            {"key": "0x01", "type": "value"},
            {"key": "0x0203", "type": "descendantsHashes", "paginationStartKey": "0x020304"},
            {"key": "0x", "type": "closestDescendantMerkleValue"},
        ])))
        .expect("valid items");
        assert_eq!(items[0], Item { key: vec![1], kind: Kind::Value, start_after: None });
        assert_eq!(items[1].start_after, Some(vec![2, 3, 4]));
        assert_eq!(items[2].kind, Kind::ClosestDescendantMerkleValue);
        for bad in [
            json!({"key": "0x01"}),
            json!([{"key": "0x01", "type": "values"}]),
            json!([{"key": "zz", "type": "value"}]),
            json!([{"type": "value"}]),
            json!([{"key": "0x01", "type": "value", "paginationStartKey": "0x02"}]),
        ] {
            assert!(parse_items(Some(&bad)).is_err(), "{bad} is refused");
        }
        let many = Value::Array(vec![json!({"key": "0x01", "type": "value"}); MAX_ITEMS + 1]);
        assert!(parse_items(Some(&many)).is_err(), "too many items");
        assert_eq!(parse_child_trie(None), Ok(false));
        assert_eq!(parse_child_trie(Some(&json!("0x0102"))), Ok(true));
        assert!(parse_child_trie(Some(&json!(5))).is_err());
    }
}
