//! Property test: random sequences of mint / transfer / burn / access keep
//! gem ownership and per-account value totals consistent, and match a simple
//! model of who owns what.

use crate::{mock::*, GemId, HeldValue, LastGemId};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Op {
    Mint(u64, u64, u8, u128),
    Transfer(u64, GemId, u64),
    Burn(u64, GemId),
    Access(u64, u32, Vec<GemId>),
    /// Access naming the caller's first `n` gems (so paid accesses succeed often).
    AccessOwned(u64, u32, usize),
    Thresholds(u128),
    Wait(u64),
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..=4, Just(MINTER)]
}

fn gem_id() -> impl Strategy<Value = GemId> {
    0u64..=24
}

fn value() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..=10, 50u128..=700, Just(5_000)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (account(), account(), 0u8..=6, value()).prop_map(|(m, to, r, v)| Op::Mint(m, to, r, v)),
        3 => (account(), gem_id(), account()).prop_map(|(a, g, b)| Op::Transfer(a, g, b)),
        2 => (account(), gem_id()).prop_map(|(a, g)| Op::Burn(a, g)),
        2 => (account(), 1u32..=4, proptest::collection::vec(gem_id(), 0..4))
            .prop_map(|(a, f, gems)| Op::Access(a, f, gems)),
        2 => (account(), 1u32..=4, 0usize..=4).prop_map(|(a, f, n)| Op::AccessOwned(a, f, n)),
        1 => (1u128..=200).prop_map(Op::Thresholds),
        1 => (0u64..=200_000).prop_map(Op::Wait),
    ]
}

/// Model: gem id -> (owner, value).
type Model = BTreeMap<GemId, (u64, u128)>;

fn check_model(model: &Model) {
    for who in [1u64, 2, 3, 4, MINTER] {
        let mut expected: Vec<(GemId, u128)> =
            model.iter().filter(|(_, (o, _))| *o == who).map(|(id, (_, v))| (*id, *v)).collect();
        expected.sort();
        let mut actual: Vec<(GemId, u128)> = Egm::gems(&who).into_iter().map(|(id, g)| (id, g.value)).collect();
        actual.sort();
        assert_eq!(actual, expected, "gems of {who}");
        let sum: u128 = expected.iter().map(|(_, v)| v).sum();
        assert_eq!(HeldValue::<Test>::get(who), sum, "held value of {who}");
        assert_eq!(Egm::vip_status(&who).total_value, sum);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn ownership_and_value_invariants_hold(ops in proptest::collection::vec(op(), 1..60)) {
        ExtBuilder::default().build_and_execute(|| {
            let mut model = Model::new();
            for op in ops {
                // Errors are expected; the model follows only what succeeded.
                match op {
                    Op::Mint(m, to, r, v) => {
                        let res = Egm::mint(RuntimeOrigin::signed(m), to, bounded(b"opal"), r, v, bounded(b""));
                        if res.is_ok() {
                            model.insert(LastGemId::<Test>::get(), (to, v));
                        }
                    }
                    Op::Transfer(a, g, b) => {
                        if Egm::transfer(RuntimeOrigin::signed(a), g, b).is_ok() {
                            model.get_mut(&g).expect("transferred gem is modelled").0 = b;
                        }
                    }
                    Op::Burn(a, g) => {
                        if Egm::burn(RuntimeOrigin::signed(a), g).is_ok() {
                            model.remove(&g);
                        }
                    }
                    Op::Access(..) | Op::AccessOwned(..) => {
                        let (a, f, gems) = match op {
                            Op::AccessOwned(a, f, n) => {
                                (a, f, Egm::gems(&a).into_iter().map(|(id, _)| id).take(n).collect())
                            }
                            Op::Access(a, f, gems) => (a, f, gems),
                            _ => unreachable!("matched above"),
                        };
                        let before = Egm::status_of(&a);
                        let res = Egm::access_feature(RuntimeOrigin::signed(a), f, gem_list(&gems));
                        if res.is_ok() {
                            assert!(Egm::has_access(&a, f));
                            let feature = crate::Features::<Test>::get(f).expect("accessed feature exists");
                            assert!(before >= feature.required_status);
                            let burned: u128 = gems.iter().map(|g| model[g].1).sum();
                            assert!(burned >= feature.gem_value_cost);
                            for g in &gems {
                                assert_eq!(model.remove(g).map(|(o, _)| o), Some(a));
                            }
                        }
                    }
                    Op::Thresholds(b) => {
                        let t = crate::VipThresholds { bronze: b, silver: b * 5, gold: b * 10, platinum: b * 50 };
                        assert!(Egm::set_vip_thresholds(RuntimeOrigin::root(), t).is_ok());
                    }
                    Op::Wait(s) => advance_secs(s),
                }
                check_invariants();
                check_model(&model);
            }
        });
    }
}
