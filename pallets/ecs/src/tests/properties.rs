//! Property test: random award / set_score sequences keep the score within the
//! max, never lower a level, and leave exactly the badges 0..=level.

use crate::{mock::*, MaxScore, Scores, PERIOD_SECS};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
enum Op {
    Award(u64, u32),
    SetScore(u64, u32),
    Wait(u64),
}

fn account() -> impl Strategy<Value = u64> {
    1u64..=4
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (account(), prop_oneof![0u32..=600, 0u32..=12_000, Just(u32::MAX)]).prop_map(|(a, p)| Op::Award(a, p)),
        (account(), prop_oneof![0u32..=1_200, 0u32..=11_000]).prop_map(|(a, s)| Op::SetScore(a, s)),
        (0u64..=PERIOD_SECS).prop_map(Op::Wait),
    ]
}

/// What the model expects of an account: score, level, monthly score and its period.
#[derive(Default, Clone, Copy)]
struct Expected {
    score: u32,
    level: u32,
    monthly: u32,
    period: u64,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn scores_levels_and_badges_stay_consistent(ops in proptest::collection::vec(op(), 1..60)) {
        ExtBuilder::default().build_and_execute(|| {
            let max = MaxScore::<Test>::get();
            let mut model: BTreeMap<u64, Expected> = BTreeMap::new();
            let mut levels_seen: BTreeMap<u64, u32> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Award(a, p) => {
                        let result = Ecs::award(oracle(), a, p, text("prop"));
                        assert_eq!(result.is_ok(), p > 0);
                        if p > 0 {
                            let e = model.entry(a).or_default();
                            let period = Ecs::current_period();
                            if e.period != period {
                                e.period = period;
                                e.monthly = 0;
                            }
                            let score = e.score.saturating_add(p).min(max);
                            e.monthly += score - e.score;
                            e.score = score;
                            e.level = e.level.max(Ecs::level_for_score(score));
                        }
                    }
                    Op::SetScore(a, s) => {
                        let result = Ecs::set_score(oracle(), a, s);
                        assert_eq!(result.is_ok(), s <= max);
                        if s <= max {
                            let e = model.entry(a).or_default();
                            e.score = s;
                            e.level = e.level.max(Ecs::level_for_score(s));
                        }
                    }
                    Op::Wait(s) => advance_secs(s),
                }
                for a in 1u64..=4 {
                    let profile = Ecs::profile(&a);
                    assert!(profile.score <= max, "score above max");
                    let held = levels_seen.entry(a).or_default();
                    assert!(profile.level >= *held, "a level decreased");
                    *held = profile.level;
                    match model.get(&a) {
                        Some(e) => {
                            assert_eq!(profile.score, e.score);
                            assert_eq!(profile.level, e.level);
                            let monthly = if e.period == Ecs::current_period() { e.monthly } else { 0 };
                            assert_eq!(profile.monthly_score, monthly);
                            assert_eq!(profile.badges, (0..=e.level).collect::<Vec<_>>());
                            for id in 0..8 {
                                assert_eq!(Ecs::balance_of(&a, id), u32::from(id <= e.level), "badge {id}");
                            }
                        }
                        None => {
                            assert!(Scores::<Test>::get(a).is_none());
                            assert!(profile.badges.is_empty());
                            assert_eq!(Ecs::balance_of(&a, 0), 0);
                        }
                    }
                }
                check_invariants();
            }
        });
    }
}
