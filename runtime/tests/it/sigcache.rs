//! The signature cache: a valid triple is verified once, an invalid one never
//! remembered, the set is bounded, and the wrapper is `MultiSignature` on the wire
//! and in metadata.

use codec::{Decode, Encode};
use ecochain_runtime::{
    sigcache::{CacheStats, CachedSignature, SignatureCache},
    AccountId, Signature,
};
use sp_core::{sr25519, Pair};
use sp_runtime::{traits::IdentifyAccount, MultiSigner};

fn signed(message: &[u8]) -> (Signature, AccountId) {
    let pair = sr25519::Pair::from_string("//Alice", None).expect("dev seed");
    (Signature::Sr25519(pair.sign(message)), MultiSigner::Sr25519(pair.public()).into_account())
}

#[test]
fn a_valid_triple_is_verified_once() {
    let cache = SignatureCache::new(8);
    let (signature, signer) = signed(b"payload");
    assert!(cache.verify(&signature, b"payload", &signer));
    assert!(cache.verify(&signature, b"payload", &signer));
    assert_eq!(cache.stats(), CacheStats { len: 1, hits: 1, misses: 1 });
}

#[test]
fn an_invalid_triple_is_never_remembered() {
    let cache = SignatureCache::new(8);
    let (signature, signer) = signed(b"payload");
    let bob: AccountId =
        MultiSigner::Sr25519(sr25519::Pair::from_string("//Bob", None).expect("dev seed").public()).into_account();
    assert!(cache.verify(&signature, b"payload", &signer));
    // Same signature, another message or another signer: verified, and refused, every time.
    for _ in 0..2 {
        assert!(!cache.verify(&signature, b"other", &signer));
        assert!(!cache.verify(&signature, b"payload", &bob));
    }
    assert_eq!(cache.stats(), CacheStats { len: 1, hits: 0, misses: 5 });
}

#[test]
fn the_cache_is_bounded() {
    let cache = SignatureCache::new(2);
    for i in 0..5u8 {
        let (signature, signer) = signed(&[i]);
        assert!(cache.verify(&signature, &[i], &signer));
    }
    assert_eq!(cache.stats().len, 2);
}

#[test]
fn same_encoding_and_metadata_as_multisignature() {
    let (signature, _) = signed(b"payload");
    let cached = CachedSignature(signature.clone());
    assert_eq!(cached.encode(), signature.encode());
    assert_eq!(CachedSignature::decode(&mut &signature.encode()[..]).expect("decodes"), cached);
    assert_eq!(scale_info::meta_type::<CachedSignature>(), scale_info::meta_type::<Signature>());
}
