//! Property test: random stake / unstake / time / tier edits keep EST's
//! invariants (checked after every step), and every successful unstake gives
//! back exactly the principal plus, at maturity, the reward (minted or owed).

use crate::{mock::*, UnpaidRewards};
use ecochain_primitives::{Balance, ECT};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Stake(u64, u32, u128),
    /// Unstake the account's k-th active position (modulo their number).
    UnstakeOwn(u64, usize),
    /// Unstake any position id (mostly fails: someone else's, closed, unknown).
    Unstake(u64, u64),
    Wait(u64),
    SetTier(u32, u32, u32, u128),
    RemoveTier(u32),
    Claim(u64),
    Burn(u64, u128),
    /// Pause ECT, check that nothing moves, unpause.
    Paused(u64, u32, u128),
}

fn account() -> impl Strategy<Value = u64> {
    1u64..=4
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![
        1 => 0u128..=10,
        1 => (0u128..=200).prop_map(|x| x * ECT),
        4 => (100u128..=12_000).prop_map(|x| x * ECT),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (account(), 0u32..=4, amount()).prop_map(|(a, t, x)| Op::Stake(a, t, x)),
        3 => (account(), 0usize..4).prop_map(|(a, k)| Op::UnstakeOwn(a, k)),
        1 => (account(), 0u64..=20).prop_map(|(a, p)| Op::Unstake(a, p)),
        3 => prop_oneof![0u64..=100, 0u64..=40_000_000].prop_map(Op::Wait),
        1 => (0u32..=5, 0u32..=400, 0u32..=10_001, amount()).prop_map(|(t, d, y, m)| Op::SetTier(t, d, y, m)),
        1 => (0u32..=5).prop_map(Op::RemoveTier),
        1 => account().prop_map(Op::Claim),
        1 => (account(), 0u128..=(100 * ECT)).prop_map(|(a, x)| Op::Burn(a, x)),
        1 => (account(), 0u32..=4, amount()).prop_map(|(a, t, x)| Op::Paused(a, t, x)),
    ]
}

fn owed_plus_total(who: u64) -> Balance {
    use frame_support::traits::fungible::Inspect;
    Balances::total_balance(&who) + UnpaidRewards::<Test>::get(who)
}

/// Unstake `p` as `a`; on success the account gains exactly the principal back
/// plus, at maturity, the reward (minted, or owed if the max supply is reached).
fn check_unstake(a: u64, p: u64) {
    let position = Est::position(p);
    let before = owed_plus_total(a);
    let free_before = Balances::free_balance(a);
    if Est::unstake(RuntimeOrigin::signed(a), p).is_ok() {
        let position = position.expect("unstaked a known position");
        let reward = if now_secs() >= position.matures_at() { position.reward_at_maturity() } else { 0 };
        assert_eq!(owed_plus_total(a), before + reward, "principal kept, reward paid or owed");
        assert!(Balances::free_balance(a) >= free_before + position.amount, "principal released");
        assert!(!Est::position(p).expect("kept").active);
    } else {
        assert_eq!(owed_plus_total(a), before, "a failed unstake changes nothing");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn positions_est_and_holds_agree(
        ops in proptest::collection::vec(op(), 1..50),
        room in prop_oneof![Just(1_000_000 * ECT), 0u128..=(50 * ECT)],
    ) {
        let balances = vec![(ALICE, 20_000 * ECT), (BOB, 1_100 * ECT), (CHARLIE, 15_000 * ECT)];
        let issuance: Balance = balances.iter().map(|(_, b)| b).sum();
        ExtBuilder::default().balances(balances).max_supply(issuance + room).build_and_execute(|| {
            for op in ops {
                // Errors are expected; the invariants and the payouts matter.
                match op {
                    Op::Stake(a, t, x) => {
                        let before = owed_plus_total(a);
                        let _ = Est::stake(RuntimeOrigin::signed(a), t, x);
                        assert_eq!(owed_plus_total(a), before, "staking moves no ECT out of the account");
                    }
                    Op::UnstakeOwn(a, k) => {
                        let ids: Vec<u64> = Est::positions(&a).iter().map(|p| p.id).collect();
                        if !ids.is_empty() {
                            check_unstake(a, ids[k % ids.len()]);
                        }
                    }
                    Op::Unstake(a, p) => check_unstake(a, p),
                    Op::Wait(s) => advance_secs(s),
                    Op::SetTier(t, d, y, m) => {
                        let _ = Est::set_tier(RuntimeOrigin::root(), t, name("T"), d, y, m);
                    }
                    Op::RemoveTier(t) => {
                        let _ = Est::remove_tier(RuntimeOrigin::root(), t);
                    }
                    Op::Claim(a) => {
                        let _ = Est::claim_rewards(RuntimeOrigin::signed(a));
                    }
                    Op::Burn(a, x) => {
                        let _ = Ect::burn(RuntimeOrigin::signed(a), x);
                    }
                    Op::Paused(a, t, x) => {
                        assert!(Ect::pause(RuntimeOrigin::root()).is_ok());
                        let before = owed_plus_total(a);
                        let free_before = Balances::free_balance(a);
                        let paused = Err(pallet_ect::Error::<Test>::TokenPaused.into());
                        assert_eq!(Est::stake(RuntimeOrigin::signed(a), t, x), paused);
                        if let Some(p) = Est::positions(&a).first() {
                            assert_eq!(Est::unstake(RuntimeOrigin::signed(a), p.id), paused);
                        }
                        assert_eq!((owed_plus_total(a), Balances::free_balance(a)), (before, free_before));
                        assert!(Ect::unpause(RuntimeOrigin::root()).is_ok());
                    }
                }
                check_invariants();
            }
            // Whatever happened, every open position can still be closed.
            for who in 1..=4u64 {
                for p in Est::positions(&who) {
                    assert!(Est::unstake(RuntimeOrigin::signed(who), p.id).is_ok());
                }
            }
            assert_eq!(Est::total_staked(), 0);
        });
    }
}
