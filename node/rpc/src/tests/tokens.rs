//! The token methods answer the values the transactions set.
//!
//! Blocks of signed transactions change every token for known dev accounts;
//! then each `ect_*` … `ecosystem_*` and `bridge_*` method is called over HTTP
//! and its whole answer (field names included) compared with a value worked
//! out here by hand from the amounts the test chose. Nothing expected is
//! computed by the runtime or a pallet.
//!
//! The plan, amounts in ECT unless said otherwise (no transaction fees on this
//! chain, so balances move by exactly these amounts):
//!
//! - genesis: Alice 40,000,000, Bob 20,000,000, Charlie … Ferdie 10,000,000
//!   each, the bridge account its existential deposit (0.001); Alice is sudo
//!   and holds every role;
//! - #1: Alice sets the Silver VIP benefits (sudo), sends Bob 1,000, scores
//!   him (set 650, award 50, one achievement), issues herself 1,000 credits
//!   and lists 400 at 2 per credit, mints certificate 1 to herself (listed at
//!   50) and certificate 2 to Bob, mints Bob gems of value 300 and 250; Bob
//!   stakes 2,000 ECT and opens a Bronze EST position of 3,650;
//! - #2, a minute later: Bob buys 150 credits (300), retires 40, buys
//!   certificate 1 (50) and locks 500 on the bridge;
//! - #3: Alice's `batch_all` over ECT, CCR, ECS and EGM: all of it lands;
//! - #4: the same kind of batch whose last call fails: none of it lands.

use super::{author_block, code_of, start_config};
use crate::{rpc_module, start, RpcDeps, StaticSystemInfo};
use codec::{Decode, Encode};
use ecochain_client::{ChainSpec, Client, TransactionPool};
use ecochain_runtime::{signing::sign_immortal, AccountId, Runtime, RuntimeCall, RuntimeEvent, ECT};
use frame_system::{EventRecord, Phase};
use jsonrpsee::{
    core::{client::ClientT, traits::ToRpcParams},
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, H160, H256};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave, Eve};
use sp_runtime::DispatchError;
use std::{collections::BTreeSet, sync::Arc};

/// Every token method the node serves.
pub(super) const TOKEN_METHODS: &[&str] = &[
    "ect_info",
    "ect_balance",
    "ecs_profile",
    "ecs_levels",
    "ecs_benefits",
    "ccr_balance",
    "ccr_marketplace",
    "ccr_retirements",
    "ecr_certificates",
    "ecr_verify",
    "est_position",
    "est_rewards",
    "est_tiers",
    "egm_balance",
    "egm_vipStatus",
    "egm_benefits",
    "ecosystem_balance",
    "ecosystem_stats",
    "bridge_status",
    "bridge_transfer",
    "bridge_commitment",
    "bridge_messageProof",
];

/// The token methods that take an account as their first parameter.
const ACCOUNT_METHODS: &[&str] = &[
    "ect_balance",
    "ecs_profile",
    "ecs_benefits",
    "ccr_balance",
    "ccr_retirements",
    "ecr_certificates",
    "est_position",
    "est_rewards",
    "egm_balance",
    "egm_vipStatus",
    "egm_benefits",
    "ecosystem_balance",
];

/// Unix milliseconds of block #1; each later block comes a minute after the one before.
const T1: u64 = 1_700_000_000_000;
const MINUTE_MS: u64 = 60_000;
const DAY_SECS: u64 = 86_400;
const YEAR_SECS: u64 = 365 * DAY_SECS;

/// How the token methods render an integer (module doc of `tokens.rs`): a
/// JSON number up to 2^53 - 1, a decimal string above.
fn int(value: u128) -> Value {
    match u64::try_from(value) {
        Ok(small) if small < 1 << 53 => json!(small),
        _ => json!(value.to_string()),
    }
}

fn ss58(who: Sr25519Keyring) -> String {
    who.to_account_id().to_ss58check()
}

/// Text as the bounded byte strings the calls take.
fn text<S: TryFrom<Vec<u8>>>(s: &str) -> S {
    S::try_from(s.as_bytes().to_vec()).unwrap_or_else(|_| panic!("{s:?} fits its bound"))
}

/// The message destination the test sets.
const DESTINATION: pallet_bridge::Destination =
    pallet_bridge::Destination { chain_id: 31_337, bridge: H160([0xb1; 20]), light_client: H160([0xc1; 20]) };

fn sudo(call: RuntimeCall) -> RuntimeCall {
    RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })
}

/// A dev account signing in nonce order.
struct Signer {
    key: Sr25519Keyring,
    nonce: u32,
    genesis: H256,
}

impl Signer {
    fn new(key: Sr25519Keyring, genesis: H256) -> Self {
        Self { key, nonce: 0, genesis }
    }

    fn sign(&mut self, call: RuntimeCall) -> Vec<u8> {
        let xt = sign_immortal(call, &self.key.pair(), self.nonce, self.genesis).encode();
        self.nonce += 1;
        xt
    }
}

/// The JSON-RPC client, remembering which token methods were called.
struct Rpc {
    http: HttpClient,
    called: BTreeSet<String>,
}

impl Rpc {
    /// The answer of `method`, which must succeed.
    async fn get(&mut self, method: &str, params: impl ToRpcParams + Send) -> Value {
        self.called.insert(method.to_owned());
        self.http.request(method, params).await.unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// The JSON-RPC error code of `method`, which must fail.
    async fn error(&mut self, method: &str, params: impl ToRpcParams + Send) -> i32 {
        match self.http.request::<Value, _>(method, params).await {
            Ok(answer) => panic!("{method} answered {answer} instead of an error"),
            Err(err) => code_of(err),
        }
    }
}

/// What went wrong in `block`: `(extrinsic index, error)` of every failed
/// extrinsic and every failed `sudo` call.
fn failures(client: &Client, block: H256) -> Vec<(u32, DispatchError)> {
    use sp_crypto_hashing::twox_128;
    let key = [twox_128(b"System"), twox_128(b"Events")].concat();
    let raw = client.storage(&block, &key).expect("events readable").unwrap_or_default();
    let events = Vec::<EventRecord<RuntimeEvent, H256>>::decode(&mut &raw[..]).expect("events decode");
    events
        .into_iter()
        .filter_map(|record| {
            let Phase::ApplyExtrinsic(index) = record.phase else { return None };
            match record.event {
                RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
                    Some((index, dispatch_error))
                }
                RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Err(e) }) => Some((index, e)),
                _ => None,
            }
        })
        .collect()
}

fn ect_transfer(to: AccountId, amount: u128) -> RuntimeCall {
    RuntimeCall::Ect(pallet_ect::Call::transfer { to, amount })
}

fn ccr_transfer(to: AccountId, batch: u32, amount: u128) -> RuntimeCall {
    RuntimeCall::Ccr(pallet_ccr::Call::transfer { to, batch, amount })
}

fn ecs_award(user: AccountId, points: u32, reason: &str) -> RuntimeCall {
    RuntimeCall::Ecs(pallet_ecs::Call::award { user, points, reason: text(reason) })
}

fn egm_mint(to: AccountId, gem_type: &str, rarity: u8, value: u128, metadata: &str) -> RuntimeCall {
    RuntimeCall::Egm(pallet_egm::Call::mint { to, gem_type: text(gem_type), rarity, value, metadata: text(metadata) })
}

fn ecr_mint(to: AccountId, certificate_type: &str, impact_score: u32, rarity: u8, metadata: &str) -> RuntimeCall {
    RuntimeCall::Ecr(pallet_ecr::Call::mint {
        to,
        certificate_type: text(certificate_type),
        impact_score,
        rarity,
        metadata: text(metadata),
    })
}

fn batch_all(calls: Vec<RuntimeCall>) -> RuntimeCall {
    RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_methods_answer_the_values_the_transactions_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = Client::open(dir.path(), &Default::default(), ChainSpec::development().expect("spec")).expect("open");
    let genesis = client.genesis_hash();
    let deps = RpcDeps {
        client: client.clone(),
        pool: TransactionPool::new(client.clone(), Default::default()),
        system: Arc::new(StaticSystemInfo { peer_id: "12D3KooWtest".into(), authority: true }),
        consensus: None,
    };
    let (addr, handle) =
        start(start_config(0), rpc_module(deps, start_config(0)).expect("workers start")).await.expect("starts");
    let mut rpc = Rpc {
        http: HttpClientBuilder::default().build(format!("http://{addr}")).expect("http client"),
        called: BTreeSet::new(),
    };
    let (alice, bob, dave) = (Alice.to_account_id(), Bob.to_account_id(), Dave.to_account_id());
    let newcomer = AccountId::new([0x42; 32]);
    let (mut alice_tx, mut bob_tx) = (Signer::new(Alice, genesis), Signer::new(Bob, genesis));
    let (t1, t2, t3, t4) = (T1, T1 + MINUTE_MS, T1 + 2 * MINUTE_MS, T1 + 3 * MINUTE_MS);

    // ECT issued at genesis: the six endowments and the bridge account's
    // existential deposit. Nothing below mints ECT.
    let ect_supply = 100_000_000 * ECT + ECT / 1_000;
    let ect_info = |staked: u128| {
        json!({
            "name": "EcoToken",
            "symbol": "ECT",
            "decimals": 18,
            "totalSupply": int(ect_supply),
            "circulatingSupply": int(ect_supply - staked),
            "maxSupply": int(1_000_000_000 * ECT),
            "totalStaked": int(staked),
            "apyBps": 500,
            "paused": false,
        })
    };
    let est_info = |supply: u128| {
        json!({
            "name": "EcoStake",
            "symbol": "EST",
            "decimals": 18,
            "totalSupply": int(supply),
            "tiers": 4,
        })
    };

    // ---------------------------------------------------------------- genesis
    let stats = rpc.get("ecosystem_stats", rpc_params![genesis]).await;
    assert_eq!(
        stats,
        json!({
            "blockNumber": 0,
            "ect": ect_info(0),
            "est": est_info(0),
            "ccr": { "batches": 0, "totalIssued": 0, "totalRetired": 0, "retirements": 0, "openListings": 0 },
            "ecrCertificates": 0,
            "egm": { "minted": 0, "live": 0, "totalValue": 0 },
            "validators": 1,
            // Six endowed dev accounts and the bridge account.
            "holders": { "ect": 7, "ecs": 0, "ccr": 0, "ecr": 0, "est": 0, "egm": 0 },
            "transactions": { "ect": 0, "ecs": 0, "ccr": 0, "ecr": 0, "est": 0, "egm": 0 },
        })
    );

    // ---------------------------------------------------------------- #1
    let silver_benefits = ["Silver lounge", "5% off eco fees"];
    let block1_xts = vec![
        alice_tx.sign(RuntimeCall::Sudo(pallet_sudo::Call::sudo {
            call: Box::new(RuntimeCall::Egm(pallet_egm::Call::set_vip_benefits {
                status: pallet_egm::VipStatus::Silver,
                benefits: silver_benefits.iter().map(|b| text(b)).collect::<Vec<_>>().try_into().expect("two fit"),
            })),
        })),
        alice_tx.sign(ect_transfer(bob.clone(), 1_000 * ECT)),
        alice_tx.sign(RuntimeCall::Ecs(pallet_ecs::Call::set_score { user: bob.clone(), score: 650 })),
        alice_tx.sign(ecs_award(bob.clone(), 50, "planted 50 trees")),
        alice_tx.sign(RuntimeCall::Ecs(pallet_ecs::Call::grant_achievement {
            user: bob.clone(),
            name: text("First forest"),
        })),
        alice_tx.sign(RuntimeCall::Ccr(pallet_ccr::Call::issue {
            to: alice.clone(),
            amount: 1_000,
            verification_id: text("VCS-2023-001"),
            issue_date: t1 - DAY_SECS * 1_000,
            expiry_date: t1 + YEAR_SECS * 1_000,
        })),
        alice_tx.sign(RuntimeCall::Ccr(pallet_ccr::Call::list { batch: 1, amount: 400, price_per_unit: 2 * ECT })),
        alice_tx.sign(ecr_mint(alice.clone(), "reforestation", 80, 3, "ipfs://cert-1")),
        alice_tx.sign(ecr_mint(bob.clone(), "solar", 120, 4, "ipfs://cert-2")),
        alice_tx.sign(RuntimeCall::Ecr(pallet_ecr::Call::list { token_id: 1, price: 50 * ECT })),
        alice_tx.sign(egm_mint(bob.clone(), "emerald", 2, 300, "ipfs://gem-1")),
        alice_tx.sign(egm_mint(bob.clone(), "ruby", 3, 250, "ipfs://gem-2")),
        bob_tx.sign(RuntimeCall::Ect(pallet_ect::Call::stake { amount: 2_000 * ECT })),
        bob_tx.sign(RuntimeCall::Est(pallet_est::Call::stake { tier: 0, amount: 3_650 * ECT })),
    ];
    let mut block1_xts = block1_xts;
    block1_xts.push(
        alice_tx
            .sign(sudo(RuntimeCall::Bridge(pallet_bridge::Call::set_destination { destination: Some(DESTINATION) }))),
    );
    let block1 = author_block(&client, block1_xts, t1);
    assert_eq!(failures(&client, block1), vec![], "every call of #1 succeeded");

    // ---------------------------------------------------------------- #2
    let bridge_recipient = H160::repeat_byte(0x11);
    let block2_xts = vec![
        bob_tx.sign(RuntimeCall::Ccr(pallet_ccr::Call::buy { listing: 1, amount: 150 })),
        bob_tx.sign(RuntimeCall::Ccr(pallet_ccr::Call::retire {
            batch: 1,
            amount: 40,
            beneficiary: text("Bob's flights 2023"),
        })),
        bob_tx.sign(RuntimeCall::Ecr(pallet_ecr::Call::buy { token_id: 1, max_price: 50 * ECT })),
        bob_tx.sign(RuntimeCall::Bridge(pallet_bridge::Call::lock_ect {
            amount: 500 * ECT,
            recipient: bridge_recipient,
        })),
    ];
    let block2 = author_block(&client, block2_xts, t2);
    assert_eq!(failures(&client, block2), vec![], "every call of #2 succeeded");

    // ECT.
    assert_eq!(rpc.get("ect_info", rpc_params![]).await, ect_info(2_000 * ECT));
    // 2,000 staked at T1 for the 60 s up to #2, at 500 bps.
    let bob_ect_rewards = 2_000 * ECT * 500 * 60 / (YEAR_SECS as u128 * 10_000);
    let bob_ect = json!({
        "free": int((20_000_000 + 1_000 - 2_000 - 3_650 - 150 * 2 - 50 - 500) * ECT),
        "staked": int(2_000 * ECT),
        "otherHeld": int(3_650 * ECT),
        "pendingRewards": int(bob_ect_rewards),
    });
    assert_eq!(rpc.get("ect_balance", rpc_params![ss58(Bob)]).await, bob_ect);
    assert_eq!(
        rpc.get("ect_balance", rpc_params![ss58(Bob), block1]).await,
        json!({
            "free": int((20_000_000 + 1_000 - 2_000 - 3_650) * ECT),
            "staked": int(2_000 * ECT),
            "otherHeld": int(3_650 * ECT),
            "pendingRewards": 0,
        }),
        "at #1, where nothing has accrued yet"
    );
    let alice_ect_after_2 = (40_000_000 - 1_000 + 150 * 2 + 50) * ECT;
    assert_eq!(
        rpc.get("ect_balance", rpc_params![ss58(Alice)]).await,
        json!({ "free": int(alice_ect_after_2), "staked": 0, "otherHeld": 0, "pendingRewards": 0 })
    );
    // A 32-byte hex account is the same account.
    let bob_hex = format!("0x{}", hex::encode(<AccountId as AsRef<[u8]>>::as_ref(&bob)));
    assert_eq!(rpc.get("ect_balance", rpc_params![bob_hex]).await, bob_ect);

    // ECS.
    let bob_ecs = json!({
        "score": 700,
        "level": 2,
        "levelName": "Tree",
        "monthlyScore": 50,
        "achievements": ["First forest"],
        "badges": [0, 1, 2],
    });
    assert_eq!(rpc.get("ecs_profile", rpc_params![ss58(Bob)]).await, bob_ecs);
    assert_eq!(
        rpc.get("ecs_profile", rpc_params![ss58(Eve)]).await,
        json!({ "score": 0, "level": 0, "levelName": "Seed", "monthlyScore": 0, "achievements": [], "badges": [] }),
        "an account no oracle touched"
    );
    assert_eq!(
        rpc.get("ecs_levels", rpc_params![]).await,
        json!([
            { "id": 0, "name": "Seed", "requiredScore": 0, "benefits": ["Seed badge", "EcoScore profile"] },
            { "id": 1, "name": "Sprout", "requiredScore": 100, "benefits": ["Sprout badge", "Community challenges"] },
            {
                "id": 2,
                "name": "Tree",
                "requiredScore": 500,
                "benefits": ["Tree badge", "Early access to new eco projects"],
            },
            { "id": 3, "name": "Forest", "requiredScore": 1000, "benefits": ["Forest badge", "Governance proposals"] },
            {
                "id": 4,
                "name": "Ecosystem",
                "requiredScore": 5000,
                "benefits": ["Ecosystem badge", "Ambassador status"],
            },
        ])
    );
    assert_eq!(
        rpc.get("ecs_benefits", rpc_params![ss58(Bob)]).await,
        json!(["Tree badge", "Early access to new eco projects"])
    );
    assert_eq!(rpc.get("ecs_benefits", rpc_params![ss58(Eve)]).await, json!([]));

    // CCR: 1,000 issued to Alice, 400 listed, 150 of them bought by Bob, who retired 40.
    let bob_ccr = json!({
        "batches": [{ "batch": 1, "amount": 110, "expired": false }],
        "total": 110,
        "totalActive": 110,
        "totalExpired": 0,
        "listed": 0,
    });
    assert_eq!(rpc.get("ccr_balance", rpc_params![ss58(Bob)]).await, bob_ccr);
    assert_eq!(
        rpc.get("ccr_balance", rpc_params![ss58(Alice)]).await,
        json!({
            "batches": [{ "batch": 1, "amount": 600, "expired": false }],
            "total": 600,
            "totalActive": 600,
            "totalExpired": 0,
            "listed": 250,
        })
    );
    let marketplace = json!([{
        "id": 1,
        "seller": ss58(Alice),
        "batch": 1,
        "amount": 250,
        "pricePerUnit": int(2 * ECT),
        "expiryDate": t1 + YEAR_SECS * 1_000,
        "expired": false,
    }]);
    assert_eq!(rpc.get("ccr_marketplace", rpc_params![]).await, marketplace);
    assert_eq!(
        rpc.get("ccr_retirements", rpc_params![ss58(Bob)]).await,
        json!([{
            "id": 1,
            "batch": 1,
            "account": ss58(Bob),
            "amount": 40,
            "beneficiary": "Bob's flights 2023",
            "at": t2,
        }])
    );
    assert_eq!(rpc.get("ccr_retirements", rpc_params![ss58(Alice)]).await, json!([]));

    // ECR: certificate 1 minted to Alice and bought by Bob, certificate 2 minted to Bob.
    let certificate1 = json!({
        "owner": ss58(Bob),
        "issuer": ss58(Alice),
        "certificateType": "reforestation",
        "impactScore": 80,
        "rarity": 3,
        "metadata": "ipfs://cert-1",
        "issuedAt": t1,
        "verified": true,
        "locked": false,
    });
    let certificate2 = json!({
        "owner": ss58(Bob),
        "issuer": ss58(Alice),
        "certificateType": "solar",
        "impactScore": 120,
        "rarity": 4,
        "metadata": "ipfs://cert-2",
        "issuedAt": t1,
        "verified": true,
        "locked": false,
    });
    assert_eq!(
        rpc.get("ecr_certificates", rpc_params![ss58(Bob)]).await,
        json!([[1, certificate1.clone()], [2, certificate2.clone()]])
    );
    assert_eq!(rpc.get("ecr_certificates", rpc_params![ss58(Alice)]).await, json!([]));
    assert_eq!(rpc.get("ecr_verify", rpc_params![1]).await, certificate1);
    assert_eq!(rpc.get("ecr_verify", rpc_params!["2"]).await, certificate2, "a decimal string id");
    let mut at_mint = certificate1.clone();
    at_mint["owner"] = json!(ss58(Alice));
    assert_eq!(rpc.get("ecr_verify", rpc_params![1, block1]).await, at_mint, "before the sale");

    // EST: 3,650 in Bronze (30 days, 600 bps) pays 3,650 × 6% × 30/365 = 18 at maturity.
    let start_secs = t1 / 1_000;
    let bronze_secs = 30 * DAY_SECS;
    let est_reward = 3_650 * ECT * 600 * u128::from(bronze_secs) / (u128::from(YEAR_SECS) * 10_000);
    assert_eq!(est_reward, 18 * ECT);
    assert_eq!(
        rpc.get("est_position", rpc_params![ss58(Bob)]).await,
        json!([{
            "id": 1,
            "owner": ss58(Bob),
            "tier": 0,
            "amount": int(3_650 * ECT),
            "start": start_secs,
            "duration": bronze_secs,
            "apyBps": 600,
            "active": true,
        }])
    );
    assert_eq!(
        rpc.get("est_rewards", rpc_params![ss58(Bob)]).await,
        json!({
            "positions": [{
                "position": 1,
                "reward": int(est_reward),
                "maturesAt": start_secs + bronze_secs,
                "matured": false,
            }],
            "atMaturity": int(est_reward),
            "matured": 0,
            "unpaid": 0,
        })
    );
    assert_eq!(rpc.get("est_position", rpc_params![ss58(Alice)]).await, json!([]));
    assert_eq!(
        rpc.get("est_tiers", rpc_params![]).await,
        json!([
            { "id": 0, "name": "Bronze", "durationDays": 30, "apyBps": 600, "minAmount": int(100 * ECT) },
            { "id": 1, "name": "Silver", "durationDays": 90, "apyBps": 800, "minAmount": int(1_000 * ECT) },
            { "id": 2, "name": "Gold", "durationDays": 180, "apyBps": 1_000, "minAmount": int(5_000 * ECT) },
            { "id": 3, "name": "Platinum", "durationDays": 365, "apyBps": 1_200, "minAmount": int(10_000 * ECT) },
        ])
    );

    // EGM: gems of value 300 + 250 = 550 make Bob Silver (500 ≤ 550 < 1,000).
    assert_eq!(
        rpc.get("egm_balance", rpc_params![ss58(Bob)]).await,
        json!([
            [1, {
                "owner": ss58(Bob),
                "minter": ss58(Alice),
                "gemType": "emerald",
                "rarity": 2,
                "value": 300,
                "metadata": "ipfs://gem-1",
                "mintedAt": t1,
            }],
            [2, {
                "owner": ss58(Bob),
                "minter": ss58(Alice),
                "gemType": "ruby",
                "rarity": 3,
                "value": 250,
                "metadata": "ipfs://gem-2",
                "mintedAt": t1,
            }],
        ])
    );
    let bob_vip = json!({ "status": "Silver", "totalValue": 550, "nextStatus": "Gold", "nextThreshold": 1_000 });
    assert_eq!(rpc.get("egm_vipStatus", rpc_params![ss58(Bob)]).await, bob_vip);
    assert_eq!(
        rpc.get("egm_benefits", rpc_params![ss58(Bob)]).await,
        json!({ "status": "Silver", "benefits": silver_benefits })
    );
    assert_eq!(
        rpc.get("egm_vipStatus", rpc_params![ss58(Eve)]).await,
        json!({ "status": "None", "totalValue": 0, "nextStatus": "Bronze", "nextThreshold": 100 })
    );
    assert_eq!(rpc.get("egm_benefits", rpc_params![ss58(Eve)]).await, json!({ "status": "None", "benefits": [] }));
    assert_eq!(rpc.get("egm_balance", rpc_params![ss58(Eve)]).await, json!([]));

    // Bob holds all six tokens.
    assert_eq!(
        rpc.get("ecosystem_balance", rpc_params![ss58(Bob)]).await,
        json!({ "ect": bob_ect, "ecs": bob_ecs, "ccr": bob_ccr, "ecr": 2, "est": int(3_650 * ECT), "egm": bob_vip })
    );
    assert_eq!(
        rpc.get("ecosystem_balance", rpc_params![ss58(Eve)]).await,
        json!({
            "ect": { "free": int(10_000_000 * ECT), "staked": 0, "otherHeld": 0, "pendingRewards": 0 },
            "ecs": { "score": 0, "level": 0, "levelName": "Seed", "monthlyScore": 0, "achievements": [], "badges": [] },
            "ccr": { "batches": [], "total": 0, "totalActive": 0, "totalExpired": 0, "listed": 0 },
            "ecr": 0,
            "est": 0,
            "egm": { "status": "None", "totalValue": 0, "nextStatus": "Bronze", "nextThreshold": 100 },
        }),
        "an account holding ECT only"
    );

    // Bridge: Bob locked 500 for 0x11…11 (no limits set, threshold 2 by default).
    assert_eq!(
        rpc.get("bridge_status", rpc_params![]).await,
        json!({
            "paused": false,
            "threshold": 2,
            "limits": null,
            "periodUsage": [0, 0, 0],
            "nextNonce": 1,
            "lockedEct": int(500 * ECT),
            "pendingReleases": 0,
            "destination": {
                "chainId": 31_337,
                "bridge": format!("0x{}", "b1".repeat(20)),
                "lightClient": format!("0x{}", "c1".repeat(20)),
            },
            "setId": 0,
            "genesis": format!("{genesis:?}"),
        })
    );
    assert_eq!(
        rpc.get("bridge_transfer", rpc_params![0]).await,
        json!({
            "asset": { "ect": int(500 * ECT) },
            "sender": ss58(Bob),
            "recipient": format!("0x{}", "11".repeat(20)),
            "at": t2,
        })
    );

    // ---------------------------------------------------------------- #3: an atomic batch that lands
    let batch = alice_tx.sign(batch_all(vec![
        ect_transfer(dave.clone(), 25 * ECT),
        ect_transfer(newcomer.clone(), 10 * ECT),
        ccr_transfer(dave.clone(), 1, 100),
        ecs_award(dave.clone(), 120, "recycling"),
        egm_mint(dave.clone(), "sapphire", 1, 120, "ipfs://gem-3"),
    ]));
    let block3 = author_block(&client, vec![batch], t3);
    assert_eq!(failures(&client, block3), vec![]);

    let alice_ect =
        json!({ "free": int(alice_ect_after_2 - 35 * ECT), "staked": 0, "otherHeld": 0, "pendingRewards": 0 });
    let alice_ccr = json!({
        "batches": [{ "batch": 1, "amount": 500, "expired": false }],
        "total": 500,
        "totalActive": 500,
        "totalExpired": 0,
        "listed": 250,
    });
    let dave_ect = json!({ "free": int(10_000_025 * ECT), "staked": 0, "otherHeld": 0, "pendingRewards": 0 });
    let dave_ccr = json!({
        "batches": [{ "batch": 1, "amount": 100, "expired": false }],
        "total": 100,
        "totalActive": 100,
        "totalExpired": 0,
        "listed": 0,
    });
    let dave_ecs = json!({
        "score": 120,
        "level": 1,
        "levelName": "Sprout",
        "monthlyScore": 120,
        "achievements": [],
        "badges": [0, 1],
    });
    let dave_gems = json!([[3, {
        "owner": ss58(Dave),
        "minter": ss58(Alice),
        "gemType": "sapphire",
        "rarity": 1,
        "value": 120,
        "metadata": "ipfs://gem-3",
        "mintedAt": t3,
    }]]);
    let dave_vip = json!({ "status": "Bronze", "totalValue": 120, "nextStatus": "Silver", "nextThreshold": 500 });
    let newcomer_ect = json!({ "free": int(10 * ECT), "staked": 0, "otherHeld": 0, "pendingRewards": 0 });
    let newcomer_hex = format!("0x{}", "42".repeat(32));
    let next = rpc.get("system_accountNextIndex", rpc_params![ss58(Alice)]).await;
    assert_eq!(next, json!(14), "13 transactions in #1, the batch in #3");
    let after_batch = [
        ("ect_balance", ss58(Alice), alice_ect.clone()),
        ("ccr_balance", ss58(Alice), alice_ccr.clone()),
        ("ect_balance", ss58(Dave), dave_ect.clone()),
        ("ccr_balance", ss58(Dave), dave_ccr.clone()),
        ("ecs_profile", ss58(Dave), dave_ecs.clone()),
        ("egm_balance", ss58(Dave), dave_gems.clone()),
        ("egm_vipStatus", ss58(Dave), dave_vip.clone()),
        ("egm_benefits", ss58(Dave), json!({ "status": "Bronze", "benefits": [] })),
        ("ect_balance", newcomer_hex.clone(), newcomer_ect.clone()),
    ];
    for (method, who, expected) in &after_batch {
        assert_eq!(&rpc.get(method, rpc_params![who]).await, expected, "{method} {who} after the batch");
    }

    // ---------------------------------------------------------------- #4: an atomic batch whose last call fails
    let failing = alice_tx.sign(batch_all(vec![
        ect_transfer(dave.clone(), 25 * ECT),
        ccr_transfer(dave.clone(), 1, 100),
        ecs_award(dave.clone(), 100, "composting"),
        egm_mint(dave.clone(), "opal", 1, 500, "ipfs://gem-4"),
        // Alice holds 500 credits.
        ccr_transfer(dave.clone(), 1, 1_000_000),
    ]));
    let block4 = author_block(&client, vec![failing.clone()], t4);
    let insufficient: DispatchError = pallet_ccr::Error::<Runtime>::InsufficientBalance.into();
    assert_eq!(failures(&client, block4), vec![(1, insufficient)], "the batch failed on its CCR transfer");
    let block: Value = rpc.get("chain_getBlock", rpc_params![block4]).await;
    assert_eq!(
        block["block"]["extrinsics"][1],
        json!(format!("0x{}", hex::encode(&failing))),
        "the failed batch is included"
    );
    let next: Value = rpc.get("system_accountNextIndex", rpc_params![ss58(Alice)]).await;
    assert_eq!(next, json!(15), "the failed batch spent Alice's nonce");
    for (method, who, expected) in &after_batch {
        assert_eq!(&rpc.get(method, rpc_params![who]).await, expected, "{method} {who} unchanged by the failed batch");
    }

    // Counted by hand over #1 … #4 (the failed batch counts nothing):
    // ECT: transfer to Bob, Bob's stake, the batch's two transfers. Holders:
    //   the 7 of genesis and the newcomer.
    // ECS: set_score, award, grant_achievement, the batch's award. Holders: Bob, Dave.
    // CCR: issue, list, buy, retire, the batch's transfer. Holders: Alice,
    //   Bob, Dave; 1,000 issued, 40 retired, 1 listing open.
    // ECR: two mints, list, buy. Holder: Bob, owning both certificates.
    // EST: Bob's stake. Holder: Bob.
    // EGM: set_vip_benefits (by sudo), three mints (300 + 250 + 120). Holders: Bob, Dave.
    assert_eq!(
        rpc.get("ecosystem_stats", rpc_params![]).await,
        json!({
            "blockNumber": 4,
            "ect": ect_info(2_000 * ECT),
            "est": est_info(3_650 * ECT),
            "ccr": { "batches": 1, "totalIssued": 1_000, "totalRetired": 40, "retirements": 1, "openListings": 1 },
            "ecrCertificates": 2,
            "egm": { "minted": 3, "live": 3, "totalValue": 670 },
            "validators": 1,
            "holders": { "ect": 8, "ecs": 2, "ccr": 3, "ecr": 1, "est": 1, "egm": 2 },
            "transactions": { "ect": 4, "ecs": 4, "ccr": 5, "ecr": 4, "est": 1, "egm": 4 },
        })
    );
    assert_eq!(rpc.get("ccr_marketplace", rpc_params![]).await, marketplace, "unchanged since #2");

    // ---------------------------------------------------------------- #5: Alice certifies the bridge's commitment
    // The lock of #2 is message 0; no commitment is certified before Alice signs.
    assert_eq!(rpc.get("bridge_commitment", rpc_params![]).await, Value::Null);
    assert_eq!(rpc.get("bridge_messageProof", rpc_params![0]).await, Value::Null);
    let signing = client.runtime_api(client.best_hash()).bridge_signing().expect("api").expect("pending");
    let alice_bridge = ecochain_primitives::bridge_key::dev_secret("Alice");
    let signature = ecochain_primitives::bridge_key::sign(&alice_bridge, &signing.hash.0).expect("signs");
    let bare =
        ecochain_runtime::UncheckedExtrinsic::new_bare(RuntimeCall::Bridge(pallet_bridge::Call::sign_commitment {
            block_number: signing.commitment.block_number,
            signature,
        }));
    let block5 = author_block(&client, vec![bare.encode()], T1 + 4 * MINUTE_MS);
    assert_eq!(failures(&client, block5), vec![], "the signature is accepted");
    let alice_key = format!("{:?}", ecochain_runtime::genesis::dev_bridge_key(Alice));
    let commitment = json!({
        "genesis": format!("{genesis:?}"),
        "blockNumber": 2,
        "root": format!("{:?}", signing.commitment.root),
        "messages": 1,
        "setId": 0,
        "hash": format!("{:?}", signing.hash),
        "signatures": [{ "signer": alice_key, "signature": format!("0x{}", hex::encode(signature)) }],
    });
    assert_eq!(rpc.get("bridge_commitment", rpc_params![]).await, commitment);
    let proof = rpc.get("bridge_messageProof", rpc_params![0]).await;
    assert_eq!(proof["commitment"], commitment);
    // The proof folds the leaf to the root, as the EVM contract checks it.
    let bytes = |v: &Value| hex::decode(v.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
    let leaf = sp_crypto_hashing::keccak_256(&bytes(&proof["message"]));
    assert_eq!(bytes(&proof["leaf"]), leaf);
    let siblings = proof["proof"].as_array().expect("proof");
    assert_eq!(siblings.len(), 32);
    let root = siblings
        .iter()
        .fold(leaf, |node, sibling| sp_crypto_hashing::keccak_256(&[&node[..], &bytes(sibling)[..]].concat()));
    assert_eq!(format!("0x{}", hex::encode(root)), format!("{:?}", signing.commitment.root));
    assert_eq!(rpc.get("bridge_messageProof", rpc_params![1]).await, Value::Null, "no message 1");

    // ---------------------------------------------------------------- errors
    for method in ACCOUNT_METHODS {
        assert_eq!(rpc.error(method, rpc_params!["not an address"]).await, -32602, "{method}: not an address");
        assert_eq!(rpc.error(method, rpc_params!["0x1234"]).await, -32602, "{method}: 2-byte hex");
        assert_eq!(rpc.error(method, rpc_params![42]).await, -32602, "{method}: a number");
        assert_eq!(rpc.error(method, rpc_params![]).await, -32602, "{method}: no account");
    }
    for bad in [json!("one"), json!(-1), json!(1.5), json!([1])] {
        assert_eq!(rpc.error("ecr_verify", rpc_params![&bad]).await, -32602, "token id {bad}");
        assert_eq!(rpc.error("bridge_transfer", rpc_params![&bad]).await, -32602, "nonce {bad}");
        assert_eq!(rpc.error("bridge_messageProof", rpc_params![&bad]).await, -32602, "nonce {bad}");
    }
    // A well-formed id nothing carries is no error: the answer is `null`, as
    // Substrate answers for an unknown block or storage key.
    assert_eq!(rpc.get("ecr_verify", rpc_params![99]).await, Value::Null);
    assert_eq!(rpc.get("bridge_transfer", rpc_params![1]).await, Value::Null);
    // A token the node does not know.
    assert_eq!(rpc.error("xyz_balance", rpc_params![ss58(Bob)]).await, -32601);
    assert_eq!(rpc.error("ect_info", rpc_params![H256::repeat_byte(9)]).await, -32000, "unknown block");
    assert_eq!(rpc.error("ect_info", rpc_params![genesis, 1]).await, -32602, "too many parameters");
    assert_eq!(rpc.get("ect_info", rpc_params![]).await, ect_info(2_000 * ECT), "still serving");

    // Every token method was called, and the node serves no other.
    let listed = rpc.get("rpc_methods", rpc_params![]).await;
    let prefixes = ["ect_", "ecs_", "ccr_", "ecr_", "est_", "egm_", "ecosystem_", "bridge_"];
    let listed: BTreeSet<String> = listed["methods"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(Value::as_str)
        .filter(|m| prefixes.iter().any(|p| m.starts_with(p)))
        .map(str::to_owned)
        .collect();
    let expected: BTreeSet<String> = TOKEN_METHODS.iter().map(|m| (*m).to_owned()).collect();
    assert_eq!(listed, expected);
    let called: BTreeSet<String> =
        rpc.called.iter().filter(|m| prefixes.iter().any(|p| m.starts_with(p))).cloned().collect();
    assert_eq!(called, expected, "every token method is checked");

    handle.stop().expect("stops");
}
