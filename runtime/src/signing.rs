//! Building signed extrinsics natively (the node's benchmark tool and tests;
//! wallets do the same with @polkadot/api or subxt).

use crate::{Address, Nonce, RuntimeCall, SignedPayload, TxExtension, UncheckedExtrinsic};
use codec::Encode;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{generic::Era, MultiSignature};

/// The transaction extensions for `nonce` and `era`.
pub fn tx_extension(nonce: Nonce, era: Era) -> TxExtension {
    (
        frame_system::CheckNonZeroSender::new(),
        pallet_permissions::CheckAllowListed::new(),
        frame_system::CheckSpecVersion::new(),
        frame_system::CheckTxVersion::new(),
        frame_system::CheckGenesis::new(),
        frame_system::CheckEra::from(era),
        frame_system::CheckNonce::from(nonce),
        frame_system::CheckWeight::new(),
    )
}

/// Sign `call` with an sr25519 key, immortal, for the chain whose genesis hash
/// is `genesis_hash`.
pub fn sign_immortal(
    call: RuntimeCall,
    signer: &sr25519::Pair,
    nonce: Nonce,
    genesis_hash: H256,
) -> UncheckedExtrinsic {
    sign(call, signer, nonce, genesis_hash, Era::Immortal, genesis_hash)
}

/// Sign `call` with an sr25519 key; `era_block_hash` is the hash of the block
/// the era starts at (the genesis hash for immortal transactions).
pub fn sign(
    call: RuntimeCall,
    signer: &sr25519::Pair,
    nonce: Nonce,
    genesis_hash: H256,
    era: Era,
    era_block_hash: H256,
) -> UncheckedExtrinsic {
    let extension = tx_extension(nonce, era);
    let version = crate::version();
    let implicit = ((), (), version.spec_version, version.transaction_version, genesis_hash, era_block_hash, (), ());
    let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
    let signature = payload.using_encoded(|bytes| signer.sign(bytes));
    let who: crate::AccountId = signer.public().into();
    UncheckedExtrinsic::new_signed(call, Address::Id(who), MultiSignature::Sr25519(signature).into(), extension)
}
