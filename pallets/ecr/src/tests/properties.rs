//! Property test: random sequences of ECR calls keep ownership invariants.

use crate::{mock::*, Certificates, Listings, OwnedTokens, TokenCount};
use ecochain_primitives::ECT;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Mint(u64),
    Transfer(u64, u64, u64),
    Approve(u64, u64, Option<u64>),
    ApproveAll(u64, u64, bool),
    Burn(u64, u64),
    List(u64, u64, u128),
    Cancel(u64, u64),
    Buy(u64, u64),
    Revoke(u64),
    Lock(u64, u64),
    Unlock(u64, u64),
}

fn account() -> impl Strategy<Value = u64> {
    1u64..=4
}

/// A caller for an operation on a token: 0 stands for the token's current owner,
/// so that owner-only calls succeed often enough to matter.
fn caller() -> impl Strategy<Value = u64> {
    0u64..=4
}

/// A token selector: 0 names a token that does not exist, others pick among
/// the candidates of the operation (existing, listed or locked tokens).
fn token() -> impl Strategy<Value = u64> {
    0u64..=16
}

fn pick(selector: u64, candidates: Vec<u64>) -> u64 {
    match (selector, candidates.len() as u64) {
        (0, _) | (_, 0) => 999,
        (s, n) => candidates[((s - 1) % n) as usize],
    }
}

fn existing(selector: u64) -> u64 {
    pick(selector, Certificates::<Test>::iter_keys().collect())
}

fn listed(selector: u64) -> u64 {
    pick(selector, Listings::<Test>::iter_keys().collect())
}

fn locked(selector: u64) -> u64 {
    pick(selector, Certificates::<Test>::iter().filter(|(_, c)| c.locked).map(|(id, _)| id).collect())
}

fn resolve(caller: u64, token: u64) -> u64 {
    if caller == 0 {
        Ecr::owner_of(token).unwrap_or(ALICE)
    } else {
        caller
    }
}

fn price() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..=3, (1u128..=600).prop_map(|x| x * ECT)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => account().prop_map(Op::Mint),
        3 => (caller(), token(), account()).prop_map(|(a, t, b)| Op::Transfer(a, t, b)),
        1 => (caller(), token(), proptest::option::of(account())).prop_map(|(a, t, b)| Op::Approve(a, t, b)),
        1 => (account(), account(), any::<bool>()).prop_map(|(a, b, x)| Op::ApproveAll(a, b, x)),
        1 => (caller(), token()).prop_map(|(a, t)| Op::Burn(a, t)),
        2 => (caller(), token(), price()).prop_map(|(a, t, p)| Op::List(a, t, p)),
        1 => (caller(), token()).prop_map(|(a, t)| Op::Cancel(a, t)),
        3 => (account(), token()).prop_map(|(a, t)| Op::Buy(a, t)),
        1 => token().prop_map(Op::Revoke),
        1 => (caller(), token()).prop_map(|(a, t)| Op::Lock(a, t)),
        1 => (account(), token()).prop_map(|(a, t)| Op::Unlock(a, t)),
    ]
}

/// Independent recount: each token appears in exactly one owner's index, its owner's.
fn check_ownership() {
    let mut seen = std::collections::BTreeMap::new();
    for (owner, ids) in OwnedTokens::<Test>::iter() {
        for id in ids {
            assert!(seen.insert(id, owner).is_none(), "token {id} indexed twice");
        }
    }
    let owners: std::collections::BTreeMap<_, _> = Certificates::<Test>::iter().map(|(id, c)| (id, c.owner)).collect();
    assert_eq!(seen, owners, "owner indexes match certificate owners exactly");
    assert_eq!(owners.len() as u64, TokenCount::<Test>::get(), "count matches");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn ownership_invariants_hold(ops in proptest::collection::vec(op(), 1..80)) {
        ExtBuilder::default().build_and_execute(|| {
            for op in ops {
                // Errors are expected; only the invariants matter.
                let _ = match op {
                    Op::Mint(to) => Ecr::mint(RuntimeOrigin::signed(ISSUER), to, bytes(b"t"), 1, 1, bytes(b"")),
                    Op::Transfer(a, t, b) => {
                        let t = existing(t);
                        Ecr::transfer(RuntimeOrigin::signed(resolve(a, t)), t, b)
                    },
                    Op::Approve(a, t, b) => {
                        let t = existing(t);
                        Ecr::approve(RuntimeOrigin::signed(resolve(a, t)), t, b)
                    },
                    Op::ApproveAll(a, b, x) => Ecr::set_approval_for_all(RuntimeOrigin::signed(a), b, x),
                    Op::Burn(a, t) => {
                        let t = existing(t);
                        Ecr::burn(RuntimeOrigin::signed(resolve(a, t)), t)
                    },
                    Op::List(a, t, p) => {
                        let t = existing(t);
                        Ecr::list(RuntimeOrigin::signed(resolve(a, t)), t, p)
                    },
                    Op::Cancel(a, t) => {
                        let t = listed(t);
                        Ecr::cancel(RuntimeOrigin::signed(resolve(a, t)), t)
                    },
                    Op::Buy(a, t) => Ecr::buy(RuntimeOrigin::signed(a), listed(t)),
                    Op::Revoke(t) => Ecr::revoke(RuntimeOrigin::signed(ISSUER), existing(t)),
                    Op::Lock(a, t) => {
                        let t = existing(t);
                        Ecr::do_lock(t, &resolve(a, t)).map(|_| ())
                    },
                    Op::Unlock(a, t) => Ecr::do_unlock(locked(t), &a),
                };
                check_invariants();
                check_ownership();
            }
        });
    }
}
