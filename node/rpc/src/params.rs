//! Parsing parameters and rendering results: pure functions, unit-tested.
//!
//! Conventions (Substrate's): bytes and hashes are `0x`-prefixed lowercase hex;
//! block numbers are accepted as JSON numbers or hex strings; accounts as SS58
//! addresses (any prefix) or 32-byte hex.

use crate::error::{invalid_params, server_error, RpcResult};
use ecochain_client::Client;
use ecochain_runtime::AccountId;
use jsonrpsee::types::Params;
use serde_json::Value;
use sp_core::{crypto::Ss58Codec, H256};

/// Largest integer a JavaScript number holds exactly (2^53 - 1).
pub(crate) const MAX_SAFE_INTEGER: u128 = (1 << 53) - 1;

/// `0x`-prefixed lowercase hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; 2 + 2 * bytes.len()];
    out[..2].copy_from_slice(b"0x");
    hex::encode_to_slice(bytes, &mut out[2..]).expect("twice the length");
    String::from_utf8(out).expect("hex is ASCII")
}

/// Bytes from hex, with or without `0x`.
pub(crate) fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    hex::decode(digits).map_err(|e| format!("{s:?} is not hex: {e}"))
}

/// A 32-byte hash from hex.
pub(crate) fn parse_h256(s: &str) -> Result<H256, String> {
    let bytes = parse_hex(s)?;
    if bytes.len() != 32 {
        return Err(format!("{s:?} is not a 32-byte hash"));
    }
    Ok(H256::from_slice(&bytes))
}

/// A block number: a JSON number, a `0x` hex string or a decimal string.
pub(crate) fn parse_block_number(value: &Value) -> Result<u32, String> {
    let number: u128 = match value {
        Value::Number(n) => n.as_u64().map(u128::from).ok_or_else(|| format!("{n} is not a block number"))?,
        Value::String(s) => match s.strip_prefix("0x") {
            Some(digits) if !digits.is_empty() => {
                u128::from_str_radix(digits, 16).map_err(|_| format!("{s:?} is not a hex block number"))?
            }
            _ => s.parse().map_err(|_| format!("{s:?} is not a block number"))?,
        },
        other => return Err(format!("{other} is not a block number")),
    };
    u32::try_from(number).map_err(|_| format!("{number} exceeds the largest block number {}", u32::MAX))
}

/// An account: an SS58 address (any network prefix) or 32-byte hex.
pub(crate) fn parse_account(s: &str) -> Result<AccountId, String> {
    if s.starts_with("0x") {
        let bytes = parse_hex(s)?;
        let raw: [u8; 32] = bytes.try_into().map_err(|_| format!("{s:?} is not a 32-byte account id"))?;
        return Ok(AccountId::from(raw));
    }
    AccountId::from_ss58check_with_version(s)
        .map(|(account, _)| account)
        .map_err(|e| format!("{s:?} is neither an SS58 address nor 32-byte hex: {e:?}"))
}

/// Rewrites integer literals outside strings whose magnitude exceeds
/// [`MAX_SAFE_INTEGER`] as decimal strings, so JavaScript clients do not round
/// them (u128 balances). Everything else is left byte for byte.
pub(crate) fn quote_big_integers(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len() + 16);
    let mut i = 0;
    let mut last = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Skip the string, honouring escapes.
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                let token = &json[start..i];
                let digits = token.strip_prefix('-').unwrap_or(token);
                let integer = digits.bytes().all(|b| b.is_ascii_digit());
                let big =
                    integer && (digits.len() > 39 || digits.parse::<u128>().map_or(true, |n| n > MAX_SAFE_INTEGER));
                if big {
                    out.push_str(&json[last..start]);
                    out.push('"');
                    out.push_str(token);
                    out.push('"');
                    last = i;
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&json[last.min(json.len())..]);
    out
}

/// Object keys whose byte-array values are text (names, symbols, metadata …).
const TEXT_KEYS: &[&str] = &[
    "name",
    "symbol",
    "levelName",
    "certificateType",
    "gemType",
    "metadata",
    "beneficiary",
    "verificationId",
    "description",
    "projectName",
    "projectId",
    "standard",
    "methodology",
    "location",
];

/// Object keys whose values are lists of texts (`Vec<Vec<u8>>`): an empty
/// list stays a list.
const TEXT_LIST_KEYS: &[&str] = &["benefits", "achievements"];

/// A JSON array of byte values as text: UTF-8 when it is, `0x` hex otherwise.
pub(crate) fn bytes_as_text(value: &Value) -> Option<Value> {
    let Value::Array(items) = value else { return None };
    let bytes = items.iter().map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok())).collect::<Option<Vec<u8>>>()?;
    Some(Value::String(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => to_hex(e.as_bytes()),
    }))
}

/// A list of texts (`Vec<Vec<u8>>`) as a list of strings.
pub(crate) fn byte_lists_as_text(value: &Value) -> Option<Value> {
    let Value::Array(items) = value else { return None };
    items.iter().map(bytes_as_text).collect::<Option<Vec<_>>>().map(Value::Array)
}

/// Renders, recursively, the byte-array values of [`TEXT_KEYS`] as strings
/// and those of [`TEXT_LIST_KEYS`] as lists of strings.
pub(crate) fn render_text_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                let text = if TEXT_KEYS.contains(&key.as_str()) {
                    bytes_as_text(field)
                } else if TEXT_LIST_KEYS.contains(&key.as_str()) {
                    byte_lists_as_text(field)
                } else {
                    None
                };
                if let Some(text) = text {
                    *field = text;
                    continue;
                }
                render_text_fields(field);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(render_text_fields),
        _ => {}
    }
}

/// A runtime type as JSON: its serde output with big integers quoted
/// ([`quote_big_integers`]) and text fields as strings ([`render_text_fields`]).
pub(crate) fn to_client_json<T: serde::Serialize>(value: &T) -> RpcResult {
    let text = serde_json::to_string(value).map_err(|e| server_error(format!("cannot serialize: {e}")))?;
    let mut json: Value =
        serde_json::from_str(&quote_big_integers(&text)).map_err(|e| server_error(format!("cannot serialize: {e}")))?;
    render_text_fields(&mut json);
    Ok(json)
}

/// Serde JSON of a value that holds no 128-bit integers.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> RpcResult {
    serde_json::to_value(value).map_err(|e| server_error(format!("cannot serialize: {e}")))
}

/// Positional parameters of one call.
pub(crate) struct Args(Vec<Value>);

impl Args {
    /// Positional parameters, at most `max` of them. Absent parameters are an empty list.
    pub(crate) fn parse(params: &Params<'_>, max: usize) -> RpcResult<Self> {
        let values = match params.as_str() {
            None => Vec::new(),
            Some(raw) => match serde_json::from_str::<Value>(raw) {
                Ok(Value::Array(values)) => values,
                Ok(Value::Null) => Vec::new(),
                Ok(Value::Object(_)) => {
                    return Err(invalid_params("named parameters are not supported, pass an array"))
                }
                Ok(other) => vec![other],
                Err(e) => return Err(invalid_params(e)),
            },
        };
        if values.len() > max {
            return Err(invalid_params(format!("expected at most {max} parameters, got {}", values.len())));
        }
        Ok(Self(values))
    }

    /// The `i`th parameter, `None` when absent or null.
    pub(crate) fn get(&self, i: usize) -> Option<&Value> {
        self.0.get(i).filter(|v| !v.is_null())
    }

    /// The `i`th parameter as a string.
    pub(crate) fn str(&self, i: usize, what: &str) -> RpcResult<Option<&str>> {
        match self.get(i) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(invalid_params(format!("{what} must be a string, got {other}"))),
        }
    }

    /// The required `i`th parameter as a string.
    pub(crate) fn required_str(&self, i: usize, what: &str) -> RpcResult<&str> {
        self.str(i, what)?.ok_or_else(|| invalid_params(format!("missing {what}")))
    }

    /// The required `i`th parameter as hex bytes.
    pub(crate) fn bytes(&self, i: usize, what: &str) -> RpcResult<Vec<u8>> {
        parse_hex(self.required_str(i, what)?).map_err(|e| invalid_params(format!("{what}: {e}")))
    }

    /// The optional `i`th parameter as hex bytes.
    pub(crate) fn opt_bytes(&self, i: usize, what: &str) -> RpcResult<Option<Vec<u8>>> {
        self.str(i, what)?.map(|s| parse_hex(s).map_err(|e| invalid_params(format!("{what}: {e}")))).transpose()
    }

    /// The optional `i`th parameter as a block hash.
    pub(crate) fn hash(&self, i: usize) -> RpcResult<Option<H256>> {
        self.str(i, "block hash")?.map(|s| parse_h256(s).map_err(invalid_params)).transpose()
    }

    /// The required `i`th parameter as a list of hex keys, at most `max`.
    pub(crate) fn keys(&self, i: usize, max: usize) -> RpcResult<Vec<Vec<u8>>> {
        let Some(value) = self.get(i) else { return Err(invalid_params("missing list of storage keys")) };
        let Value::Array(items) = value else { return Err(invalid_params("storage keys must be an array")) };
        if items.len() > max {
            return Err(invalid_params(format!("at most {max} storage keys, got {}", items.len())));
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => parse_hex(s).map_err(|e| invalid_params(format!("storage key: {e}"))),
                other => Err(invalid_params(format!("storage key must be a hex string, got {other}"))),
            })
            .collect()
    }

    /// The required `i`th parameter as an account.
    pub(crate) fn account(&self, i: usize) -> RpcResult<AccountId> {
        parse_account(self.required_str(i, "account")?).map_err(invalid_params)
    }

    /// The required `i`th parameter as an unsigned integer (JSON number or decimal/hex string).
    pub(crate) fn u64(&self, i: usize, what: &str) -> RpcResult<u64> {
        match self.get(i) {
            Some(Value::Number(n)) => {
                n.as_u64().ok_or_else(|| invalid_params(format!("{what} must be a non-negative integer")))
            }
            Some(Value::String(s)) => match s.strip_prefix("0x") {
                Some(digits) => u64::from_str_radix(digits, 16),
                None => s.parse(),
            }
            .map_err(|_| invalid_params(format!("{what}: {s:?} is not an integer"))),
            Some(other) => Err(invalid_params(format!("{what} must be an integer, got {other}"))),
            None => Err(invalid_params(format!("missing {what}"))),
        }
    }
}

/// The block `hash` names, the best block when `None`; unknown blocks are an error.
pub(crate) fn block_or_best(client: &Client, hash: Option<H256>) -> RpcResult<H256> {
    let Some(hash) = hash else { return Ok(client.best_hash()) };
    match client.header(&hash) {
        Ok(Some(_)) => Ok(hash),
        Ok(None) => Err(server_error(format!("Unknown block {hash:?}"))),
        Err(e) => Err(crate::error::client_error(e)),
    }
}
