//! Each signature verified once per node.
//!
//! A node checks a transaction's signature when its pool admits it, again when
//! the pool re-validates it after a block, again when it builds the block and
//! once more when it imports a block from a peer. sr25519 verification is the
//! largest single cost of a transfer (about 40 µs native), so the node keeps a
//! bounded set of the `(signature, signer, message)` triples it has already
//! found valid, and the runtime consults it before verifying.
//!
//! The extrinsic's signature type is [`CachedSignature`]: the same SCALE
//! encoding and the same metadata type as `MultiSignature` (clients see no
//! difference), whose [`Verify`] looks the triple up in the [`SignatureCache`]
//! the node registers as an externalities extension ([`SignatureCacheExt`]).
//! A triple enters the set only after a successful verification, and its key
//! is a blake2-256 digest of the whole triple, so a hit means this exact
//! signature over this exact payload by this exact signer was verified here
//! before. Without the extension (tests, tools) every check verifies.

use alloc::sync::Arc;
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::sync::atomic::{AtomicU64, Ordering};
use ecochain_primitives::{AccountId, Signature};
use parking_lot::Mutex;
use schnellru::{ByLength, LruMap};
use sp_runtime::traits::{Lazy, Verify};

/// How many verified triples a node remembers by default: eight times the
/// pool's default capacity, about 4 MiB.
pub const DEFAULT_CAPACITY: u32 = 65_536;

/// Verified `(signature, signer, message)` digests, least recently used forgotten first.
pub struct SignatureCache {
    verified: Mutex<LruMap<[u8; 32], (), ByLength>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl core::fmt::Debug for SignatureCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let stats = self.stats();
        f.debug_struct("SignatureCache").field("len", &stats.len).field("hits", &stats.hits).finish()
    }
}

/// Counters of a [`SignatureCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Triples remembered now.
    pub len: usize,
    /// Checks answered from the cache.
    pub hits: u64,
    /// Checks that had to verify.
    pub misses: u64,
}

impl SignatureCache {
    /// An empty cache holding at most `capacity` triples (at least one).
    pub fn new(capacity: u32) -> Self {
        Self {
            verified: Mutex::new(LruMap::new(ByLength::new(capacity.max(1)))),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Hit and miss counts and the current size.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            len: self.verified.lock().len(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    fn key(signature: &Signature, signer: &AccountId, message: &[u8]) -> [u8; 32] {
        let mut preimage = Vec::with_capacity(signature.size_hint() + 32 + message.len());
        signature.encode_to(&mut preimage);
        preimage.extend_from_slice(signer.as_ref());
        preimage.extend_from_slice(message);
        sp_crypto_hashing::blake2_256(&preimage)
    }

    /// `signature.verify(message, signer)`, answered from the cache when this
    /// triple was verified before; a valid triple is remembered.
    pub fn verify(&self, signature: &Signature, message: &[u8], signer: &AccountId) -> bool {
        let key = Self::key(signature, signer, message);
        if self.verified.lock().get(&key).is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let valid = signature.verify(message, signer);
        if valid {
            self.verified.lock().insert(key, ());
        }
        valid
    }
}

impl Default for SignatureCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

sp_externalities::decl_extension! {
    /// The node's [`SignatureCache`], registered for every runtime call.
    pub struct SignatureCacheExt(Arc<SignatureCache>);
}

/// The cache of the runtime call in progress, if the node registered one.
fn current_cache() -> Option<Arc<SignatureCache>> {
    use sp_externalities::ExternalitiesExt;
    sp_externalities::with_externalities(|mut ext| ext.extension::<SignatureCacheExt>().map(|c| c.0.clone())).flatten()
}

/// The extrinsic signature: a `MultiSignature` (same encoding, same metadata
/// type) whose verification goes through the node's [`SignatureCache`].
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking)]
pub struct CachedSignature(pub Signature);

impl scale_info::TypeInfo for CachedSignature {
    // Metadata names `MultiSignature` itself, so clients sign exactly as before.
    type Identity = Signature;

    fn type_info() -> scale_info::Type {
        Signature::type_info()
    }
}

impl From<Signature> for CachedSignature {
    fn from(signature: Signature) -> Self {
        Self(signature)
    }
}

impl Verify for CachedSignature {
    type Signer = <Signature as Verify>::Signer;

    fn verify<L: Lazy<[u8]>>(&self, mut message: L, signer: &AccountId) -> bool {
        match current_cache() {
            Some(cache) => cache.verify(&self.0, message.get(), signer),
            None => self.0.verify(message, signer),
        }
    }
}
