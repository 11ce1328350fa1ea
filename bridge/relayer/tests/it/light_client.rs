//! EcoLightClient, EcoBridge and EcoTimelock against a real anvil, without a
//! chain. A small model written here, independent of the pallet and of the
//! relayer, stands in for EcoChain: it appends messages to the depth-32 keccak
//! tree, builds roots and proofs, and signs commitments with its validators'
//! keys. The contracts must accept exactly what that chain committed to,
//! whoever relays it, and nothing else.

use crate::harness::{start_anvil, Proc};
use abi::{EcoBridge, EcoLightClient, EcoTimelock, WrappedECR, WrappedECT};
use alloy::{
    eips::BlockNumberOrTag,
    network::EthereumWallet,
    primitives::{keccak256, Address, Bytes, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::{local::PrivateKeySigner, SignerSync},
    sol_types::{sol_data, SolCall, SolEvent, SolType, SolValue},
};
use ecochain_relayer::keys::evm_dev_key;

/// Bindings generated from the committed artifacts (not the relayer's own).
pub mod abi {
    #![allow(missing_docs)]
    alloy::sol!(
        #[sol(rpc, all_derives)]
        EcoLightClient,
        "../contracts/out/EcoLightClient.json"
    );
    alloy::sol!(
        #[sol(rpc, all_derives)]
        EcoBridge,
        "../contracts/out/EcoBridge.json"
    );
    alloy::sol!(
        #[sol(rpc, all_derives)]
        EcoTimelock,
        "../contracts/out/EcoTimelock.json"
    );
    alloy::sol!(
        #[sol(rpc, all_derives)]
        WrappedECT,
        "../contracts/out/WrappedECT.json"
    );
    alloy::sol!(
        #[sol(rpc, all_derives)]
        WrappedECR,
        "../contracts/out/WrappedECR.json"
    );
}

type Certificate = WrappedECR::Certificate;
type LightClient = EcoLightClient::EcoLightClientInstance<DynProvider>;
type Bridge = EcoBridge::EcoBridgeInstance<DynProvider>;

const ANVIL_CHAIN_ID: u64 = 31_337;
const ECT: u128 = 1_000_000_000_000_000_000;
const KIND_ECT: u8 = 0;
const KIND_ECR: u8 = 1;
const KIND_SET: u8 = 2;
const DEPTH: usize = 32;
const DAY: u64 = 86_400;

// ---------------------------------------------------------------------------
// The model of the chain: messages, tree, validator sets, commitments.
// ---------------------------------------------------------------------------

fn hash_pair(left: B256, right: B256) -> B256 {
    keccak256([left.as_slice(), right.as_slice()].concat())
}

/// `zero[h]`: the root of an empty subtree of height `h`.
fn zero_hashes() -> [B256; DEPTH + 1] {
    let mut zero = [B256::ZERO; DEPTH + 1];
    for h in 0..DEPTH {
        zero[h + 1] = hash_pair(zero[h], zero[h]);
    }
    zero
}

/// The append-only tree of depth 32: leaf `i` is `keccak256(message i)`.
#[derive(Default, Clone)]
struct Tree {
    leaves: Vec<B256>,
}

impl Tree {
    /// Each level's non-empty prefix, from the leaves (level 0) to the root (level 32).
    fn levels(&self) -> Vec<Vec<B256>> {
        let zero = zero_hashes();
        let mut levels = vec![self.leaves.clone()];
        for h in 0..DEPTH {
            let above =
                levels[h].chunks(2).map(|pair| hash_pair(pair[0], pair.get(1).copied().unwrap_or(zero[h]))).collect();
            levels.push(above);
        }
        levels
    }

    fn root(&self) -> B256 {
        self.levels()[DEPTH].first().copied().unwrap_or(zero_hashes()[DEPTH])
    }

    /// The 32 siblings of leaf `index`, bottom-up.
    fn proof(&self, index: u64) -> [B256; DEPTH] {
        let zero = zero_hashes();
        let levels = self.levels();
        let mut proof = [B256::ZERO; DEPTH];
        let mut i = index as usize;
        for h in 0..DEPTH {
            proof[h] = levels[h].get(i ^ 1).copied().unwrap_or(zero[h]);
            i >>= 1;
        }
        proof
    }
}

/// The root a proof leads to from `leaf` at `index` (the spec's verification loop).
fn fold(leaf: B256, index: u64, proof: &[B256; DEPTH]) -> B256 {
    let mut node = leaf;
    for (i, sibling) in proof.iter().enumerate() {
        node = if (index >> i) & 1 == 1 { hash_pair(*sibling, node) } else { hash_pair(node, *sibling) };
    }
    node
}

/// `abi.encode(genesis, chainId, target, nonce, kind, payload)`.
fn message(genesis: B256, chain_id: u64, target: Address, nonce: u64, kind: u8, payload: Vec<u8>) -> Bytes {
    // (`u8` is no `SolValue`: alloy encodes `u8` sequences as `bytes`.)
    type Message = (
        sol_data::FixedBytes<32>,
        sol_data::Uint<256>,
        sol_data::Address,
        sol_data::Uint<64>,
        sol_data::Uint<8>,
        sol_data::Bytes,
    );
    Message::abi_encode_params(&(genesis, U256::from(chain_id), target, nonce, kind, Bytes::from(payload))).into()
}

fn ect_payload(to: Address, amount: u128) -> Vec<u8> {
    (to, U256::from(amount)).abi_encode_params()
}

fn ecr_payload(to: Address, token: u64, cert: &Certificate) -> Vec<u8> {
    (to, U256::from(token), cert.clone()).abi_encode_params()
}

fn set_payload(set_id: u64, validators: &[Address], weights: &[U256]) -> Vec<u8> {
    (set_id, validators.to_vec(), weights.to_vec()).abi_encode_params()
}

fn commitment_hash(genesis: B256, block: u64, root: B256, set_id: u64) -> B256 {
    keccak256((genesis, block, root, set_id).abi_encode_params())
}

/// A raw (no EIP-191 prefix) 65-byte signature r ++ s ++ v, v in {27, 28}.
fn signature(key: &PrivateKeySigner, hash: B256) -> Bytes {
    let bytes = key.sign_hash_sync(&hash).expect("sign").as_bytes();
    assert!(bytes[64] == 27 || bytes[64] == 28, "v is {}", bytes[64]);
    Bytes::from(bytes.to_vec())
}

/// A validator set: keys ordered by ascending address.
#[derive(Clone)]
struct ValidatorSet {
    id: u64,
    keys: Vec<PrivateKeySigner>,
    weights: Vec<U256>,
}

impl ValidatorSet {
    /// `n` validators of weight 1 with keys derived from `seed`.
    fn new(id: u64, seed: &str, n: usize) -> Self {
        Self::weighted(id, seed, &vec![1; n])
    }

    /// Validators with the given weights (in ascending address order).
    fn weighted(id: u64, seed: &str, weights: &[u64]) -> Self {
        let mut keys: Vec<PrivateKeySigner> = (0..weights.len())
            .map(|i| PrivateKeySigner::from_bytes(&keccak256(format!("{seed} validator {i}"))).expect("key"))
            .collect();
        keys.sort_by_key(|k| k.address());
        Self { id, keys, weights: weights.iter().map(|w| U256::from(*w)).collect() }
    }

    fn addresses(&self) -> Vec<Address> {
        self.keys.iter().map(|k| k.address()).collect()
    }

    /// Signatures of validators `which` (indexes, in the order given) of the
    /// commitment to `root` at `block`.
    fn sign(&self, genesis: B256, block: u64, root: B256, which: &[usize]) -> Vec<Bytes> {
        let hash = commitment_hash(genesis, block, root, self.id);
        which.iter().map(|i| signature(&self.keys[*i], hash)).collect()
    }
}

/// EcoChain as the contracts see it: its genesis and its committed messages.
#[derive(Clone)]
struct Chain {
    genesis: B256,
    messages: Vec<Bytes>,
    tree: Tree,
    /// Last committed block.
    block: u64,
}

impl Chain {
    fn new() -> Self {
        Self { genesis: keccak256("EcoChain test genesis"), messages: Vec::new(), tree: Tree::default(), block: 0 }
    }

    /// Append a message; returns its nonce.
    fn send(&mut self, chain_id: u64, target: Address, kind: u8, payload: Vec<u8>) -> u64 {
        let nonce = self.messages.len() as u64;
        let bytes = message(self.genesis, chain_id, target, nonce, kind, payload);
        self.tree.leaves.push(keccak256(&bytes));
        self.messages.push(bytes);
        nonce
    }

    /// The proof of message `nonce` under the current root.
    fn proof(&self, nonce: u64) -> [B256; DEPTH] {
        self.tree.proof(nonce)
    }
}

// ---------------------------------------------------------------------------
// The EVM side.
// ---------------------------------------------------------------------------

/// Send a call and wait for it to be mined; the decoded revert on failure.
macro_rules! send {
    ($call:expr) => {
        async {
            match $call.send().await {
                Ok(pending) => {
                    let receipt = pending.get_receipt().await.map_err(|e| e.to_string())?;
                    if receipt.status() {
                        Ok(receipt)
                    } else {
                        Err(format!("reverted in {}", receipt.transaction_hash))
                    }
                }
                Err(e) => Err(describe(&e)),
            }
        }
    };
}

/// A contract error with its decoded revert when one of our contracts defines it.
fn describe(e: &alloy::contract::Error) -> String {
    if let Some(decoded) = e.as_decoded_interface_error::<EcoBridge::EcoBridgeErrors>() {
        return format!("{decoded:?}");
    }
    if let Some(decoded) = e.as_decoded_interface_error::<EcoLightClient::EcoLightClientErrors>() {
        return format!("{decoded:?}");
    }
    if let Some(decoded) = e.as_decoded_interface_error::<EcoTimelock::EcoTimelockErrors>() {
        return format!("{decoded:?}");
    }
    e.to_string()
}

/// Assert that `result` failed with an error naming `what`.
#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, String>, what: &str) {
    let e = result.expect_err(what);
    assert!(e.contains(what), "expected {what}, got {e}");
}

/// Decoded events of type `E` in `receipt`.
fn events<E: SolEvent>(receipt: &TransactionReceipt) -> Vec<E> {
    receipt.inner.logs().iter().filter_map(|log| E::decode_log(&log.inner).ok().map(|l| l.data)).collect()
}

fn provider(url: &str, signer: PrivateKeySigner) -> DynProvider {
    // The nonce is read for every transaction, so refused calls leave no gap.
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url.parse().expect("url"))
        .erased()
}

fn account(i: u32) -> Address {
    evm_dev_key(i).expect("derive").address()
}

/// anvil and providers for its accounts 0 (deployer, admin), 1 (guardian),
/// 4 (user) and 5 (a relayer holding no role anywhere).
struct Evm {
    _anvil: Proc,
    _dir: tempfile::TempDir,
    admin: DynProvider,
    guardian: DynProvider,
    user: DynProvider,
    relayer: DynProvider,
}

impl Evm {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let (anvil, url) = start_anvil(dir.path());
        let p = |i| provider(&url, evm_dev_key(i).expect("derive"));
        Self { admin: p(0), guardian: p(1), user: p(4), relayer: p(5), _anvil: anvil, _dir: dir }
    }

    /// Move anvil's clock `secs` forward and mine a block.
    async fn advance(&self, secs: u64) {
        let _: serde_json::Value =
            self.admin.raw_request("evm_increaseTime".into(), (secs,)).await.expect("evm_increaseTime");
        let _: serde_json::Value =
            self.admin.raw_request("evm_mine".into(), serde_json::json!([])).await.expect("evm_mine");
    }

    async fn now(&self) -> u64 {
        let block = self.admin.get_block_by_number(BlockNumberOrTag::Latest).await.expect("block").expect("latest");
        block.header.timestamp
    }

    /// Advance to just after the start of a `period`, so a test has (almost) a
    /// whole period before the next one starts.
    async fn align(&self, period: u64) {
        let now = self.now().await;
        self.advance(period - now % period).await;
    }

    async fn deploy_light_client(&self, genesis: B256, set: &ValidatorSet, admin: Address) -> LightClient {
        let lc =
            EcoLightClient::deploy(self.admin.clone(), genesis, set.id, set.addresses(), set.weights.clone(), admin)
                .await
                .map_err(|e| describe(&e))
                .expect("deploy EcoLightClient");
        EcoLightClient::new(*lc.address(), self.relayer.clone())
    }
}

/// A light client and a bridge on it, deployed by account 0 (the admin
/// unless given), the chain model and its current validator set.
struct Fixture {
    evm: Evm,
    chain: Chain,
    set: ValidatorSet,
    /// The light client as the relayer sees it.
    lc: LightClient,
    /// The bridge as the relayer sees it.
    bridge: Bridge,
    /// The bridge as the user (account 4) sees it.
    user_bridge: Bridge,
    wect: WrappedECT::WrappedECTInstance<DynProvider>,
    wecr: WrappedECR::WrappedECRInstance<DynProvider>,
}

impl Fixture {
    /// Three validators of weight 1, no caps to speak of, a one-day period.
    async fn new() -> Self {
        Self::with(Evm::start(), ValidatorSet::new(0, "set0", 3), U256::MAX, U256::MAX, DAY, None).await
    }

    async fn with(
        evm: Evm,
        set: ValidatorSet,
        ect_cap: U256,
        ecr_cap: U256,
        period: u64,
        admin: Option<Address>,
    ) -> Self {
        let chain = Chain::new();
        let admin = admin.unwrap_or(account(0));
        let lc = evm.deploy_light_client(chain.genesis, &set, admin).await;
        let bridge = EcoBridge::deploy(
            evm.admin.clone(),
            *lc.address(),
            admin,
            account(1),
            ect_cap,
            ecr_cap,
            U256::from(period),
        )
        .await
        .map_err(|e| describe(&e))
        .expect("deploy EcoBridge");
        let user_bridge = EcoBridge::new(*bridge.address(), evm.user.clone());
        let wect = WrappedECT::new(bridge.ect().call().await.expect("ect"), evm.user.clone());
        let wecr = WrappedECR::new(bridge.ecr().call().await.expect("ecr"), evm.user.clone());
        let bridge = EcoBridge::new(*bridge.address(), evm.relayer.clone());
        Self { evm, chain, set, lc, bridge, user_bridge, wect, wecr }
    }

    fn bridge_address(&self) -> Address {
        *self.bridge.address()
    }

    /// Append an ECT transfer to `to` for this bridge; returns its nonce.
    fn send_ect(&mut self, to: Address, amount: u128) -> u64 {
        let target = self.bridge_address();
        self.chain.send(ANVIL_CHAIN_ID, target, KIND_ECT, ect_payload(to, amount))
    }

    /// Append an ECR transfer to `to` for this bridge; returns its nonce.
    fn send_ecr(&mut self, to: Address, token: u64, cert: &Certificate) -> u64 {
        let target = self.bridge_address();
        self.chain.send(ANVIL_CHAIN_ID, target, KIND_ECR, ecr_payload(to, token, cert))
    }

    /// Commit the current root at the next block, signed by every validator of
    /// the current set, and submit it (as the relayer); returns the root and the receipt.
    async fn commit(&mut self) -> (B256, TransactionReceipt) {
        let all: Vec<usize> = (0..self.set.keys.len()).collect();
        self.commit_by(&all).await.expect("commitment accepted")
    }

    /// Commit the current root at the next block signed by validators `which`.
    async fn commit_by(&mut self, which: &[usize]) -> Result<(B256, TransactionReceipt), String> {
        let block = self.chain.block + 1;
        let root = self.chain.tree.root();
        let signatures = self.set.sign(self.chain.genesis, block, root, which);
        let receipt = send!(self.lc.submitCommitment(block, root, self.set.id, signatures)).await?;
        self.chain.block = block;
        Ok((root, receipt))
    }

    /// Mint message `nonce` under `root` with the model's proof, as the relayer.
    async fn mint(&self, nonce: u64, root: B256) -> Result<TransactionReceipt, String> {
        let message = self.chain.messages[nonce as usize].clone();
        send!(self.bridge.mint(message, root, self.chain.proof(nonce))).await
    }
}

fn cert(metadata: &str) -> Certificate {
    Certificate { certType: "solar-offset".into(), impact: 420, rarity: 4, metadata: metadata.into() }
}

// ---------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------

#[test]
fn the_model_tree_matches_the_spec() {
    let zero = zero_hashes();
    assert_eq!(Tree::default().root(), zero[DEPTH], "an empty tree is zero[32]");
    let mut tree = Tree::default();
    for i in 0..5u64 {
        tree.leaves.push(keccak256(i.to_be_bytes()));
    }
    let root = tree.root();
    for i in 0..5u64 {
        assert_eq!(fold(tree.leaves[i as usize], i, &tree.proof(i)), root, "leaf {i}");
    }
    // By hand: leaves a, b, c -> keccak(keccak(a,b), keccak(c,0)) and then zero[h] above.
    let [a, b, c] = [tree.leaves[0], tree.leaves[1], tree.leaves[2]];
    let mut node = hash_pair(hash_pair(a, b), hash_pair(c, zero[0]));
    for z in zero.iter().take(DEPTH).skip(2) {
        node = hash_pair(node, *z);
    }
    tree.leaves.truncate(3);
    assert_eq!(tree.root(), node);
    assert_ne!(fold(a, 1, &tree.proof(0)), node, "a proof is bound to its index");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_mints_ect_and_ecr_proven_under_a_signed_root_and_returns_burn() {
    let mut fx = Fixture::new().await;
    let user = account(4);
    let relayer = account(5);

    // The contract's commitment hash is the model's.
    let root = fx.chain.tree.root();
    let hash = fx.lc.commitmentHash(7, root, 0).call().await.expect("commitmentHash");
    assert_eq!(hash, commitment_hash(fx.chain.genesis, 7, root, 0));
    assert_eq!(fx.lc.genesis().call().await.expect("genesis"), fx.chain.genesis);
    let set = fx.lc.validators().call().await.expect("validators");
    assert_eq!((set.members, set.weights), (fx.set.addresses(), fx.set.weights.clone()));

    let ect_nonce = fx.send_ect(user, 100 * ECT);
    let metadata = "ipfs://QmCert/\"solar\" é";
    let ecr_nonce = fx.send_ecr(user, 42, &cert(metadata));
    let (root, receipt) = fx.commit().await;
    let accepted = events::<EcoLightClient::CommitmentAccepted>(&receipt);
    assert_eq!(accepted.len(), 1);
    assert_eq!((accepted[0].blockNumber, accepted[0].root, accepted[0].setId), (1, root, 0));
    assert_eq!(accepted[0].signedWeight, U256::from(3));
    assert!(fx.lc.isAccepted(root).call().await.expect("isAccepted"));
    assert_eq!(fx.lc.latestBlock().call().await.expect("latestBlock"), 1);

    // The relayer holds no role on either contract.
    for role in [
        fx.bridge.DEFAULT_ADMIN_ROLE().call().await.expect("role"),
        fx.bridge.GUARDIAN_ROLE().call().await.expect("role"),
    ] {
        assert!(!fx.bridge.hasRole(role, relayer).call().await.expect("hasRole"));
        assert!(!fx.lc.hasRole(role, relayer).call().await.expect("hasRole"));
    }

    let receipt = fx.mint(ect_nonce, root).await.expect("mint ECT");
    let minted = events::<EcoBridge::Minted>(&receipt);
    assert_eq!(minted.len(), 1);
    assert_eq!((minted[0].nonce, minted[0].kind, minted[0].to), (ect_nonce, KIND_ECT, user));
    assert_eq!(minted[0].amountOrId, U256::from(100 * ECT));
    assert_eq!(fx.wect.balanceOf(user).call().await.expect("balance"), U256::from(100 * ECT));
    assert_eq!(fx.wect.balanceOf(relayer).call().await.expect("balance"), U256::ZERO);
    assert!(fx.bridge.processed(ect_nonce).call().await.expect("processed"));

    fx.mint(ecr_nonce, root).await.expect("mint ECR");
    assert_eq!(fx.wecr.ownerOf(U256::from(42)).call().await.expect("owner"), user);
    let twin = fx.wecr.certificate(U256::from(42)).call().await.expect("certificate");
    assert_eq!((twin.certType.as_str(), twin.impact, twin.rarity), ("solar-offset", 420, 4));
    assert_eq!(twin.metadata, metadata);
    let uri = fx.wecr.tokenURI(U256::from(42)).call().await.expect("tokenURI");
    assert!(uri.starts_with("data:application/json;base64,"), "{uri}");
    assert_eq!(fx.wecr.totalSupply().call().await.expect("supply"), U256::from(1));

    // Returns: the chain side is unchanged.
    let user_bridge = &fx.user_bridge;
    let recipient = B256::repeat_byte(0xaa);
    let one = U256::from(ECT);
    refused(send!(user_bridge.returnEct(one, B256::ZERO)).await, "ZeroRecipient");
    refused(send!(user_bridge.returnEct(U256::from(ECT / 10_000), recipient)).await, "AmountTooSmall");
    refused(send!(user_bridge.returnEct(U256::from(u128::MAX) + U256::from(1), recipient)).await, "AmountTooLarge");
    refused(send!(fx.bridge.returnEcr(U256::from(42), recipient)).await, "NotOwnerNorApproved");
    let receipt = send!(user_bridge.returnEct(one * U256::from(60), recipient)).await.expect("return ECT");
    let returned = events::<EcoBridge::Returned>(&receipt);
    assert_eq!(
        (returned[0].returnNonce, returned[0].kind, returned[0].from, returned[0].chainRecipient),
        (0, KIND_ECT, user, recipient)
    );
    assert_eq!(returned[0].amountOrId, one * U256::from(60));
    send!(user_bridge.returnEcr(U256::from(42), recipient)).await.expect("return ECR");
    assert_eq!(fx.wect.totalSupply().call().await.expect("supply"), one * U256::from(40));
    assert_eq!(fx.wecr.totalSupply().call().await.expect("supply"), U256::ZERO);
    assert!(fx.wecr.certificate(U256::from(42)).call().await.is_err(), "burned certificate data");
    assert_eq!(user_bridge.nextReturnNonce().call().await.expect("nonce"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_altered_replayed_and_misdirected_messages_are_refused() {
    let mut fx = Fixture::new().await;
    let user = account(4);
    let bridge = fx.bridge_address();
    let lc = *fx.lc.address();
    let genesis = fx.chain.genesis;

    let good = fx.send_ect(user, 5 * ECT);
    let other_chain = fx.chain.send(1, bridge, KIND_ECT, ect_payload(user, 5 * ECT));
    let other_target = fx.chain.send(ANVIL_CHAIN_ID, lc, KIND_ECT, ect_payload(user, 5 * ECT));
    let set_kind =
        fx.chain.send(ANVIL_CHAIN_ID, bridge, KIND_SET, set_payload(1, &fx.set.addresses(), &fx.set.weights));
    let unknown_kind = fx.chain.send(ANVIL_CHAIN_ID, bridge, 7, ect_payload(user, 5 * ECT));
    let ecr = fx.send_ecr(user, 9, &cert("x"));
    let (root, _) = fx.commit().await;

    // A root nobody committed.
    let mut ahead = fx.chain.tree.clone();
    ahead.leaves.push(keccak256("not committed"));
    let unaccepted = ahead.root();
    refused(fx.mint(good, unaccepted).await, "UnknownRoot");

    // Forged: a message the chain never sent, at a fresh nonce and at a used one.
    let forged = message(genesis, ANVIL_CHAIN_ID, bridge, 6, KIND_ECT, ect_payload(user, 1_000 * ECT));
    refused(send!(fx.bridge.mint(forged, root, fx.chain.proof(6))).await, "BadProof");
    let forged = message(genesis, ANVIL_CHAIN_ID, bridge, good, KIND_ECT, ect_payload(user, 1_000 * ECT));
    refused(send!(fx.bridge.mint(forged, root, fx.chain.proof(good))).await, "BadProof");
    // Altered amount and recipient, with the original proof.
    let altered = message(genesis, ANVIL_CHAIN_ID, bridge, good, KIND_ECT, ect_payload(user, 5 * ECT + 1));
    refused(send!(fx.bridge.mint(altered, root, fx.chain.proof(good))).await, "BadProof");
    let altered = message(genesis, ANVIL_CHAIN_ID, bridge, good, KIND_ECT, ect_payload(account(5), 5 * ECT));
    refused(send!(fx.bridge.mint(altered, root, fx.chain.proof(good))).await, "BadProof");
    // A committed message with another message's proof; a proof with one sibling changed.
    let ecr_message = fx.chain.messages[ecr as usize].clone();
    refused(send!(fx.bridge.mint(ecr_message, root, fx.chain.proof(good))).await, "BadProof");
    let mut bent = fx.chain.proof(good);
    bent[31] = B256::repeat_byte(1);
    refused(send!(fx.bridge.mint(fx.chain.messages[good as usize].clone(), root, bent)).await, "BadProof");
    // Another EcoChain; a nonce beyond the tree; bytes that are no message.
    let foreign = message(B256::repeat_byte(7), ANVIL_CHAIN_ID, bridge, good, KIND_ECT, ect_payload(user, 5 * ECT));
    refused(send!(fx.bridge.mint(foreign, root, fx.chain.proof(good))).await, "WrongGenesis");
    let far = message(genesis, ANVIL_CHAIN_ID, bridge, 1 << 32, KIND_ECT, ect_payload(user, 5 * ECT));
    refused(send!(fx.bridge.mint(far, root, fx.chain.proof(good))).await, "NonceTooLarge");
    assert!(send!(fx.bridge.mint(Bytes::from(vec![1u8; 100]), root, fx.chain.proof(good))).await.is_err());

    // Committed, but for another chain id, another contract, another kind.
    refused(fx.mint(other_chain, root).await, "WrongChain");
    refused(fx.mint(other_target, root).await, "WrongTarget");
    refused(fx.mint(set_kind, root).await, "WrongKind");
    refused(fx.mint(unknown_kind, root).await, "WrongKind");

    // The genuine message mints once.
    fx.mint(good, root).await.expect("mint");
    refused(fx.mint(good, root).await, "AlreadyProcessed");
    // Under a later root too: same nonce, still once.
    let at_root = fx.chain.tree.clone();
    fx.send_ect(user, ECT);
    let (later, _) = fx.commit().await;
    refused(fx.mint(good, later).await, "AlreadyProcessed");
    // An older accepted root still proves what it committed (the tree only
    // grows), with the proof of the tree as it was at that root.
    let ecr_message = fx.chain.messages[ecr as usize].clone();
    refused(send!(fx.bridge.mint(ecr_message.clone(), root, fx.chain.proof(ecr))).await, "BadProof");
    send!(fx.bridge.mint(ecr_message, root, at_root.proof(ecr))).await.expect("mint under the older root");
    assert_eq!(fx.wect.balanceOf(user).call().await.expect("balance"), U256::from(5 * ECT));
    assert_eq!(fx.wecr.ownerOf(U256::from(9)).call().await.expect("owner"), user);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commitments_need_more_than_two_thirds_of_the_current_set_by_ascending_distinct_members() {
    let evm = Evm::start();
    let chain = Chain::new();
    let genesis = chain.genesis;
    let root = keccak256("a root");
    let admin = account(0);

    // Three equal validators: 2 of 3 is exactly 2/3 and is refused.
    let three = ValidatorSet::new(0, "three", 3);
    let lc = evm.deploy_light_client(genesis, &three, admin).await;
    refused(send!(lc.submitCommitment(1, root, 0, three.sign(genesis, 1, root, &[0, 2]))).await, "NotEnoughWeight");
    refused(send!(lc.submitCommitment(1, root, 0, vec![])).await, "NotEnoughWeight");
    send!(lc.submitCommitment(1, root, 0, three.sign(genesis, 1, root, &[0, 1, 2]))).await.expect("3 of 3");

    // Four equal validators: 3 of 4 passes, 2 of 4 does not.
    let four = ValidatorSet::new(0, "four", 4);
    let lc = evm.deploy_light_client(genesis, &four, admin).await;
    refused(send!(lc.submitCommitment(1, root, 0, four.sign(genesis, 1, root, &[1, 3]))).await, "NotEnoughWeight");
    send!(lc.submitCommitment(1, root, 0, four.sign(genesis, 1, root, &[0, 2, 3]))).await.expect("3 of 4");
    assert!(lc.isAccepted(root).call().await.expect("isAccepted"));
    assert!(!lc.isAccepted(keccak256("another root")).call().await.expect("isAccepted"));

    // Weights, not heads: 3 + 1 of 6 is exactly 2/3; 3 + 1 + 1 passes; 1 + 1 + 1 does not.
    let weighted = ValidatorSet::weighted(0, "weighted", &[3, 1, 1, 1]);
    let lc = evm.deploy_light_client(genesis, &weighted, admin).await;
    refused(send!(lc.submitCommitment(1, root, 0, weighted.sign(genesis, 1, root, &[0, 1]))).await, "NotEnoughWeight");
    refused(
        send!(lc.submitCommitment(1, root, 0, weighted.sign(genesis, 1, root, &[1, 2, 3]))).await,
        "NotEnoughWeight",
    );
    let receipt =
        send!(lc.submitCommitment(1, root, 0, weighted.sign(genesis, 1, root, &[0, 2, 3]))).await.expect("5 of 6");
    assert_eq!(events::<EcoLightClient::CommitmentAccepted>(&receipt)[0].signedWeight, U256::from(5));

    // Signer order and membership, on the four-validator client (latest block 1).
    let lc = evm.deploy_light_client(genesis, &four, admin).await;
    let sign = |which: &[usize]| four.sign(genesis, 2, root, which);
    refused(send!(lc.submitCommitment(2, root, 0, sign(&[0, 0, 1, 2]))).await, "SignersNotAscending");
    refused(send!(lc.submitCommitment(2, root, 0, sign(&[0, 1, 1, 2]))).await, "SignersNotAscending");
    refused(send!(lc.submitCommitment(2, root, 0, sign(&[1, 0, 2]))).await, "SignersNotAscending");
    refused(send!(lc.submitCommitment(2, root, 0, sign(&[0, 2, 1, 3]))).await, "SignersNotAscending");
    // A non-member among members, in ascending order.
    let outsider = ValidatorSet::new(0, "outsider", 1);
    let hash = commitment_hash(genesis, 2, root, 0);
    let mut signers: Vec<&PrivateKeySigner> = vec![&four.keys[0], &four.keys[1], &outsider.keys[0]];
    signers.sort_by_key(|k| k.address());
    let signatures: Vec<Bytes> = signers.iter().map(|k| signature(k, hash)).collect();
    refused(send!(lc.submitCommitment(2, root, 0, signatures)).await, "NotValidator");
    // Members' signatures of something else recover to strangers.
    let other = four.sign(genesis, 2, keccak256("other root"), &[0]);
    refused(send!(lc.submitCommitment(2, root, 0, other)).await, "NotValidator");
    let other_genesis = four.sign(B256::repeat_byte(9), 2, root, &[0]);
    refused(send!(lc.submitCommitment(2, root, 0, other_genesis)).await, "NotValidator");
    // Malformed signatures: high s (the malleable twin), v not 27/28, short.
    let good = sign(&[0, 1, 2]);
    let order =
        U256::from_str_radix("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16).expect("n");
    let mut twin = good[0].to_vec();
    let s = U256::from_be_slice(&twin[32..64]);
    twin[32..64].copy_from_slice(&(order - s).to_be_bytes::<32>());
    twin[64] = if twin[64] == 27 { 28 } else { 27 };
    let high_s = vec![Bytes::from(twin), good[1].clone(), good[2].clone()];
    refused(send!(lc.submitCommitment(2, root, 0, high_s)).await, "BadSignature");
    let mut bad_v = good[0].to_vec();
    bad_v[64] -= 27;
    refused(send!(lc.submitCommitment(2, root, 0, vec![Bytes::from(bad_v)])).await, "BadSignature");
    let short = Bytes::from(good[0][..64].to_vec());
    refused(send!(lc.submitCommitment(2, root, 0, vec![short])).await, "BadSignature");

    // Block numbers only go up; the set id must be the current one.
    send!(lc.submitCommitment(5, root, 0, four.sign(genesis, 5, root, &[0, 1, 2]))).await.expect("block 5");
    let next = keccak256("next");
    refused(send!(lc.submitCommitment(5, next, 0, four.sign(genesis, 5, next, &[0, 1, 2]))).await, "OldBlock");
    refused(send!(lc.submitCommitment(4, next, 0, four.sign(genesis, 4, next, &[0, 1, 2]))).await, "OldBlock");
    let mut as_set_1 = four.clone();
    as_set_1.id = 1;
    refused(send!(lc.submitCommitment(6, next, 1, as_set_1.sign(genesis, 6, next, &[0, 1, 2]))).await, "WrongSet");
    assert!(!lc.isAccepted(next).call().await.expect("isAccepted"));
    assert_eq!(lc.latestBlock().call().await.expect("latestBlock"), 5);

    // Deployment checks the set.
    let unsorted = four.addresses().into_iter().rev().collect::<Vec<_>>();
    let deploy = |validators: Vec<Address>, weights: Vec<U256>| {
        let deployer = evm.admin.clone();
        async move {
            EcoLightClient::deploy(deployer, genesis, 0, validators, weights, admin)
                .await
                .map(|_| ())
                .map_err(|e| describe(&e))
        }
    };
    refused(deploy(unsorted, four.weights.clone()).await, "ValidatorsNotAscending");
    refused(deploy(four.addresses(), vec![U256::from(1); 3]).await, "LengthMismatch");
    refused(deploy(vec![], vec![]).await, "EmptyValidatorSet");
    let zero_weight = vec![U256::from(1), U256::ZERO, U256::from(1), U256::from(1)];
    refused(deploy(four.addresses(), zero_weight).await, "ZeroWeight");
    let mut with_zero = four.addresses();
    with_zero[0] = Address::ZERO;
    refused(deploy(with_zero, four.weights.clone()).await, "ZeroValidator");
    deploy(four.addresses(), four.weights.clone()).await.expect("a valid set deploys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proven_set_change_moves_the_light_client_to_the_next_set() {
    let mut fx = Fixture::new().await;
    let user = account(4);
    let lc = *fx.lc.address();
    let bridge = fx.bridge_address();
    let next = ValidatorSet::weighted(1, "set1", &[2, 1, 1, 1]);

    let change = fx.chain.send(ANVIL_CHAIN_ID, lc, KIND_SET, set_payload(1, &next.addresses(), &next.weights));
    let skip = fx.chain.send(ANVIL_CHAIN_ID, lc, KIND_SET, set_payload(3, &next.addresses(), &next.weights));
    let stale = fx.chain.send(ANVIL_CHAIN_ID, lc, KIND_SET, set_payload(0, &next.addresses(), &next.weights));
    let to_bridge = fx.chain.send(ANVIL_CHAIN_ID, bridge, KIND_SET, set_payload(1, &next.addresses(), &next.weights));
    let other_chain = fx.chain.send(1, lc, KIND_SET, set_payload(1, &next.addresses(), &next.weights));
    let transfer = fx.send_ect(user, ECT);
    let mut unsorted = next.addresses();
    unsorted.swap(0, 1);
    let bad_set = fx.chain.send(ANVIL_CHAIN_ID, lc, KIND_SET, set_payload(1, &unsorted, &next.weights));
    let (root, _) = fx.commit().await; // block 1, signed by set 0
    let apply = |nonce: u64| {
        let message = fx.chain.messages[nonce as usize].clone();
        fx.lc.applySetChange(message, root, fx.chain.proof(nonce))
    };

    refused(send!(apply(skip)).await, "BadSetId");
    refused(send!(apply(stale)).await, "BadSetId");
    refused(send!(apply(to_bridge)).await, "WrongTarget");
    refused(send!(apply(other_chain)).await, "WrongChain");
    refused(send!(apply(transfer)).await, "WrongKind");
    refused(send!(apply(bad_set)).await, "ValidatorsNotAscending");
    let mut forged = next.clone();
    forged.keys.truncate(1);
    let forged = message(
        fx.chain.genesis,
        ANVIL_CHAIN_ID,
        lc,
        change,
        KIND_SET,
        set_payload(1, &forged.addresses(), &[U256::from(1)]),
    );
    refused(send!(fx.lc.applySetChange(forged, root, fx.chain.proof(change))).await, "BadProof");
    assert_eq!(fx.lc.currentSetId().call().await.expect("set id"), 0);

    // Anyone applies the genuine change.
    let receipt = send!(apply(change)).await.expect("apply the set change");
    let changed = events::<EcoLightClient::ValidatorSetChanged>(&receipt);
    assert_eq!((changed[0].setId, changed[0].validators.clone()), (1, next.addresses()));
    refused(send!(apply(change)).await, "BadSetId");
    assert_eq!(fx.lc.currentSetId().call().await.expect("set id"), 1);
    let set = fx.lc.validators().call().await.expect("validators");
    assert_eq!((set.members, set.weights), (next.addresses(), next.weights.clone()));
    assert_eq!(fx.lc.totalWeight().call().await.expect("total"), U256::from(5));
    for old in fx.set.addresses() {
        assert_eq!(fx.lc.weightOf(old).call().await.expect("weight"), U256::ZERO, "old weight left");
    }

    // Set 0 no longer certifies anything: not under its own id, not under set 1's.
    let later = fx.send_ect(user, 2 * ECT);
    refused(fx.commit_by(&[0, 1, 2]).await, "WrongSet");
    fx.set.id = 1;
    refused(fx.commit_by(&[0, 1, 2]).await, "NotValidator");
    // Set 1 does; 2 + 1 of 5 is not enough, 2 + 1 + 1 is.
    fx.set = next.clone();
    refused(fx.commit_by(&[0, 1]).await, "NotEnoughWeight");
    let (root1, _) = fx.commit_by(&[0, 2, 3]).await.expect("set 1 commitment");
    fx.mint(transfer, root1).await.expect("mint under set 1's root");
    fx.mint(later, root1).await.expect("mint the later transfer");
    assert_eq!(fx.wect.balanceOf(user).call().await.expect("balance"), U256::from(3 * ECT));

    // The emergency path: admin only, ids only go up, the set is checked.
    let admin_lc = EcoLightClient::new(lc, fx.evm.admin.clone());
    let rescue = ValidatorSet::new(7, "rescue", 3);
    // A transfer certified by set 1 and not minted yet.
    let unminted = fx.send_ect(user, ECT);
    let (root1b, _) = fx.commit_by(&[0, 2, 3]).await.expect("set 1 commitment");
    let resume = fx.chain.block;
    refused(
        send!(fx.lc.emergencySetValidators(7, rescue.addresses(), rescue.weights.clone(), resume)).await,
        "AccessControlUnauthorizedAccount",
    );
    refused(
        send!(admin_lc.emergencySetValidators(1, rescue.addresses(), rescue.weights.clone(), resume)).await,
        "BadSetId",
    );
    refused(send!(admin_lc.emergencySetValidators(7, vec![], vec![], resume)).await, "EmptyValidatorSet");
    refused(
        send!(admin_lc.emergencySetValidators(7, rescue.addresses(), vec![U256::from(1)], resume)).await,
        "LengthMismatch",
    );
    let mut reversed = rescue.addresses();
    reversed.reverse();
    refused(
        send!(admin_lc.emergencySetValidators(7, reversed, rescue.weights.clone(), resume)).await,
        "ValidatorsNotAscending",
    );

    // Set 1's keys are stolen. The thieves commit a forged tree (with a SET
    // message for their own set 2) at the last block number there is, which
    // blocks every honest commitment after it.
    let thieves = ValidatorSet::new(2, "thieves", 3);
    let mut forged = fx.chain.clone();
    let forged_set = forged.send(ANVIL_CHAIN_ID, lc, KIND_SET, set_payload(2, &thieves.addresses(), &thieves.weights));
    let forged_root = forged.tree.root();
    let all: Vec<usize> = (0..fx.set.keys.len()).collect();
    let stolen = fx.set.sign(fx.chain.genesis, u64::MAX, forged_root, &all);
    send!(fx.lc.submitCommitment(u64::MAX, forged_root, 1, stolen)).await.expect("stolen keys sign anything");
    refused(fx.commit_by(&all).await, "OldBlock");

    // The emergency set starts a new epoch: no root of the old one proves
    // anything any more, the forged SET message included, and commitments
    // resume after the chain's real last block.
    let receipt = send!(admin_lc.emergencySetValidators(7, rescue.addresses(), rescue.weights.clone(), resume))
        .await
        .expect("emergency set");
    assert_eq!(events::<EcoLightClient::ValidatorSetChanged>(&receipt)[0].setId, 7);
    let started = &events::<EcoLightClient::EpochStarted>(&receipt)[0];
    assert_eq!((started.epoch, started.setId, started.resumeAfter), (1, 7, resume));
    assert_eq!(fx.lc.latestBlock().call().await.expect("latestBlock"), resume);
    for root in [forged_root, root1, root1b] {
        assert!(!fx.lc.isAccepted(root).call().await.expect("isAccepted"), "a root of the old epoch");
    }
    let forged_message = forged.messages[forged_set as usize].clone();
    refused(send!(fx.lc.applySetChange(forged_message, forged_root, forged.proof(forged_set))).await, "UnknownRoot");
    // The transfer certified in the old epoch but not minted: the new set's
    // commitment of the same tree proves it; minted transfers stay minted.
    refused(fx.mint(unminted, root1b).await, "UnknownRoot");
    fx.set = rescue;
    let last = fx.send_ect(user, ECT);
    let (root7, _) = fx.commit().await;
    fx.mint(unminted, root7).await.expect("mint under set 7's root");
    fx.mint(last, root7).await.expect("mint under set 7's root");
    refused(fx.mint(transfer, root7).await, "AlreadyProcessed");
    assert_eq!(fx.wect.balanceOf(user).call().await.expect("balance"), U256::from(5 * ECT));
    // A chain change to set 2 is now behind the current id.
    let late = fx.chain.send(ANVIL_CHAIN_ID, lc, KIND_SET, set_payload(2, &next.addresses(), &next.weights));
    let (root8, _) = fx.commit().await;
    let message = fx.chain.messages[late as usize].clone();
    refused(send!(fx.lc.applySetChange(message, root8, fx.chain.proof(late))).await, "BadSetId");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caps_hold_per_period_and_the_guardian_pauses_but_only_the_admin_unpauses() {
    let evm = Evm::start();
    evm.align(DAY).await;
    let set = ValidatorSet::new(0, "set0", 3);
    let mut fx = Fixture::with(evm, set, U256::from(10 * ECT), U256::from(1), DAY, None).await;
    let user = account(4);

    let six = fx.send_ect(user, 6 * ECT);
    let five = fx.send_ect(user, 5 * ECT);
    let four = fx.send_ect(user, 4 * ECT);
    let first = fx.send_ecr(user, 1, &cert("one"));
    let second = fx.send_ecr(user, 2, &cert("two"));
    let (root, _) = fx.commit().await;

    fx.mint(six, root).await.expect("6 of 10");
    refused(fx.mint(five, root).await, "CapExceeded");
    fx.mint(four, root).await.expect("10 of 10");
    fx.mint(first, root).await.expect("1 of 1");
    refused(fx.mint(second, root).await, "CapExceeded");
    let available = fx.bridge.available().call().await.expect("available");
    assert_eq!((available.ectAvailable, available.ecrAvailable), (U256::ZERO, U256::ZERO));
    assert!(!fx.bridge.processed(five).call().await.expect("processed"), "a capped message stays unprocessed");

    // The next period: the capped messages mint.
    fx.evm.advance(DAY).await;
    let available = fx.bridge.available().call().await.expect("available");
    assert_eq!((available.ectAvailable, available.ecrAvailable), (U256::from(10 * ECT), U256::from(1)));
    fx.mint(five, root).await.expect("5 of 10 in the next period");
    fx.mint(second, root).await.expect("1 of 1 in the next period");
    assert_eq!(fx.wect.balanceOf(user).call().await.expect("balance"), U256::from(15 * ECT));
    assert_eq!(fx.wecr.totalSupply().call().await.expect("supply"), U256::from(2));
    assert_eq!(fx.bridge.ectMinted().call().await.expect("minted"), U256::from(5 * ECT));

    // Caps: admin only; a zero period is refused.
    let admin = EcoBridge::new(fx.bridge_address(), fx.evm.admin.clone());
    let guardian = EcoBridge::new(fx.bridge_address(), fx.evm.guardian.clone());
    let cap = U256::from(100 * ECT);
    refused(send!(guardian.setCaps(cap, U256::from(5), U256::from(DAY))).await, "AccessControlUnauthorizedAccount");
    refused(send!(admin.setCaps(cap, U256::from(5), U256::ZERO)).await, "ZeroPeriod");
    let receipt = send!(admin.setCaps(cap, U256::from(5), U256::from(DAY))).await.expect("setCaps");
    let set = events::<EcoBridge::CapsSet>(&receipt);
    assert_eq!((set[0].ectCap, set[0].ecrCap, set[0].period), (cap, U256::from(5), U256::from(DAY)));
    assert_eq!(fx.bridge.ectCap().call().await.expect("cap"), cap);

    // Pause: the guardian (or the admin) pauses; only the admin unpauses.
    let more = fx.send_ect(user, ECT);
    let (root, _) = fx.commit().await;
    refused(send!(fx.bridge.pause()).await, "AccessControlUnauthorizedAccount");
    send!(guardian.pause()).await.expect("guardian pauses");
    refused(fx.mint(more, root).await, "EnforcedPause");
    refused(send!(fx.user_bridge.returnEct(U256::from(ECT), B256::repeat_byte(1))).await, "EnforcedPause");
    refused(send!(guardian.unpause()).await, "AccessControlUnauthorizedAccount");
    send!(admin.unpause()).await.expect("admin unpauses");
    fx.mint(more, root).await.expect("mint after unpause");
    send!(admin.pause()).await.expect("admin pauses");
    send!(admin.unpause()).await.expect("admin unpauses");
    send!(fx.user_bridge.returnEct(U256::from(ECT), B256::repeat_byte(1))).await.expect("return after unpause");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_actions_wait_out_the_timelock() {
    let evm = Evm::start();
    let proposer = account(0);
    let timelock =
        EcoTimelock::deploy(evm.admin.clone(), U256::from(3600), vec![proposer], vec![proposer], Address::ZERO)
            .await
            .map_err(|e| describe(&e))
            .expect("deploy EcoTimelock");
    let set = ValidatorSet::new(0, "set0", 3);
    let fx = Fixture::with(evm, set, U256::MAX, U256::MAX, DAY, Some(*timelock.address())).await;
    let admin_role = fx.bridge.DEFAULT_ADMIN_ROLE().call().await.expect("role");
    assert!(fx.bridge.hasRole(admin_role, *timelock.address()).call().await.expect("hasRole"));
    assert!(!fx.bridge.hasRole(admin_role, proposer).call().await.expect("hasRole"));
    assert!(fx.lc.hasRole(admin_role, *timelock.address()).call().await.expect("hasRole"));

    // The deployer is no admin of the bridge or the light client.
    let deployer_bridge = EcoBridge::new(fx.bridge_address(), fx.evm.admin.clone());
    refused(
        send!(deployer_bridge.setCaps(U256::from(1), U256::from(1), U256::from(60))).await,
        "AccessControlUnauthorizedAccount",
    );
    let deployer_lc = EcoLightClient::new(*fx.lc.address(), fx.evm.admin.clone());
    let rescue = ValidatorSet::new(5, "rescue", 3);
    refused(
        send!(deployer_lc.emergencySetValidators(5, rescue.addresses(), rescue.weights.clone(), 0)).await,
        "AccessControlUnauthorizedAccount",
    );

    // Through the timelock: scheduled, refused before the delay, executed after it.
    let caps = EcoBridge::setCapsCall { ectCap_: U256::from(1), ecrCap_: U256::from(2), period_: U256::from(60) };
    let emergency = EcoLightClient::emergencySetValidatorsCall {
        setId: 5,
        validators_: rescue.addresses(),
        weights: rescue.weights.clone(),
        resumeAfter: 0,
    };
    let calls =
        [(fx.bridge_address(), Bytes::from(caps.abi_encode())), (*fx.lc.address(), emergency.abi_encode().into())];
    let salt = B256::ZERO;
    for (target, data) in &calls {
        refused(
            send!(timelock.schedule(*target, U256::ZERO, data.clone(), B256::ZERO, salt, U256::from(60))).await,
            "TimelockInsufficientDelay",
        );
        send!(timelock.schedule(*target, U256::ZERO, data.clone(), B256::ZERO, salt, U256::from(3600)))
            .await
            .expect("schedule");
        refused(
            send!(timelock.execute(*target, U256::ZERO, data.clone(), B256::ZERO, salt)).await,
            "TimelockUnexpectedOperationState",
        );
    }
    fx.evm.advance(3600).await;
    for (target, data) in &calls {
        send!(timelock.execute(*target, U256::ZERO, data.clone(), B256::ZERO, salt)).await.expect("execute");
    }
    assert_eq!(fx.bridge.ectCap().call().await.expect("cap"), U256::from(1));
    assert_eq!(fx.bridge.ecrCap().call().await.expect("cap"), U256::from(2));
    assert_eq!(fx.bridge.period().call().await.expect("period"), U256::from(60));
    assert_eq!(fx.lc.currentSetId().call().await.expect("set id"), 5);
    assert_eq!(fx.lc.validators().call().await.expect("validators").members, rescue.addresses());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gas_of_commitments_mints_and_set_changes() {
    let mut gas = Vec::new();
    for (n, signers) in [(4usize, 3usize), (100, 67)] {
        let set = ValidatorSet::new(0, &format!("gas{n}"), n);
        let mut fx = Fixture::with(Evm::start(), set, U256::MAX, U256::MAX, DAY, None).await;
        let user = account(4);
        let lc = *fx.lc.address();
        let next = ValidatorSet::new(1, &format!("gas{n} next"), n);
        let ect1 = fx.send_ect(user, 5 * ECT);
        let ect2 = fx.send_ect(user, 7 * ECT);
        let ecr = fx.send_ecr(user, 77, &cert("ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"));
        let change = fx.chain.send(ANVIL_CHAIN_ID, lc, KIND_SET, set_payload(1, &next.addresses(), &next.weights));
        let which: Vec<usize> = (0..signers).collect();
        let (root, receipt) = fx.commit_by(&which).await.expect("commitment");
        gas.push((format!("submitCommitment, {n} validators, {signers} signatures"), receipt.gas_used));
        if n == 4 {
            let receipt = fx.mint(ect1, root).await.expect("mint");
            gas.push(("mint ECT (first mint)".into(), receipt.gas_used));
            let receipt = fx.mint(ect2, root).await.expect("mint");
            gas.push(("mint ECT".into(), receipt.gas_used));
            let receipt = fx.mint(ecr, root).await.expect("mint");
            gas.push(("mint ECR".into(), receipt.gas_used));
        }
        let message = fx.chain.messages[change as usize].clone();
        let receipt = send!(fx.lc.applySetChange(message, root, fx.chain.proof(change))).await.expect("applySetChange");
        gas.push((format!("applySetChange, {n} -> {n} validators"), receipt.gas_used));
    }
    for (what, used) in gas {
        println!("gas: {what}: {used}");
    }
}
