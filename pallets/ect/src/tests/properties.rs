//! Property test: random sequences of ECT calls keep supply invariants.

use crate::mock::*;
use ecochain_primitives::ECT;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Transfer(u64, u64, u128),
    Approve(u64, u64, u128),
    TransferFrom(u64, u64, u64, u128),
    Burn(u64, u128),
    Mint(u64, u128),
    Stake(u64, u128),
    Unstake(u64, u128),
    Claim(u64),
    Wait(u64),
}

fn account() -> impl Strategy<Value = u64> {
    1u64..=4
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..=10, (0u128..=2_000).prop_map(|x| x * ECT)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (account(), account(), amount()).prop_map(|(a, b, x)| Op::Transfer(a, b, x)),
        (account(), account(), amount()).prop_map(|(a, b, x)| Op::Approve(a, b, x)),
        (account(), account(), account(), amount()).prop_map(|(a, b, c, x)| Op::TransferFrom(a, b, c, x)),
        (account(), amount()).prop_map(|(a, x)| Op::Burn(a, x)),
        (account(), amount()).prop_map(|(a, x)| Op::Mint(a, x)),
        (account(), amount()).prop_map(|(a, x)| Op::Stake(a, x)),
        (account(), amount()).prop_map(|(a, x)| Op::Unstake(a, x)),
        account().prop_map(Op::Claim),
        (0u64..=40_000_000).prop_map(Op::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn supply_invariants_hold(ops in proptest::collection::vec(op(), 1..40)) {
        ExtBuilder::default().build_and_execute(|| {
            for op in ops {
                // Errors are expected; only the invariants matter.
                let _ = match op {
                    Op::Transfer(a, b, x) => Ect::transfer(RuntimeOrigin::signed(a), b, x),
                    Op::Approve(a, b, x) => Ect::approve(RuntimeOrigin::signed(a), b, x),
                    Op::TransferFrom(s, o, t, x) => Ect::transfer_from(RuntimeOrigin::signed(s), o, t, x),
                    Op::Burn(a, x) => Ect::burn(RuntimeOrigin::signed(a), x),
                    Op::Mint(a, x) => Ect::mint(RuntimeOrigin::root(), a, x),
                    Op::Stake(a, x) => Ect::stake(RuntimeOrigin::signed(a), x),
                    Op::Unstake(a, x) => Ect::unstake(RuntimeOrigin::signed(a), x),
                    Op::Claim(a) => Ect::claim_rewards(RuntimeOrigin::signed(a)),
                    Op::Wait(s) => { advance_secs(s); Ok(()) }
                };
                check_invariants();
            }
        });
    }
}
