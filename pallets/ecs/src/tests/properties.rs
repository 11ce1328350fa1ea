//! Property tests: ECS against a reference model.
//!
//! [`Model`] is plain Rust written from SPEC §3 "ECS": scores 0 ..= 10,000;
//! the ladder Seed 0, Sprout 100, Tree 500, Forest 1,000, Ecosystem 5,000 (a
//! score reaches the highest level whose required score it meets), editable
//! by the admin; a level that only rises, with one badge per level reached;
//! `award` adding points saturating at the max; the monthly score counting the
//! points credited in the current 30-day period; achievements. The model keeps
//! its own clock and ladder and never asks the pallet what level a score
//! reaches.
//!
//! After every call the result (exact error included), the profiles, badges,
//! ladder, counters and the `LevelUp` / `ScoreUpdated` events must equal the
//! model's.

use super::cases;
use crate::{mock::*, Error, Event};
use frame_support::BoundedVec;
use proptest::prelude::*;
use sp_runtime::DispatchError;
use std::collections::BTreeMap;

const MAX_SCORE: u32 = 10_000;
const PERIOD_SECS: u64 = 30 * 24 * 60 * 60;
const ACCOUNTS: [u64; 4] = [ALICE, BOB, 3, 4];
/// The mock's `MaxLevels` and `MaxAchievements`.
const MAX_LEVELS: usize = 6;
const MAX_ACHIEVEMENTS: usize = 3;

#[derive(Clone, Debug)]
struct LevelM {
    name: Vec<u8>,
    required: u32,
    /// `None`: genesis benefits, not modelled.
    benefits: Option<Vec<Vec<u8>>>,
}

#[derive(Clone, Debug, Default)]
struct RecordM {
    score: u32,
    level: u32,
    period: u64,
    monthly: u32,
    achievements: Vec<Vec<u8>>,
}

#[derive(Clone, Debug)]
struct Model {
    now_secs: u64,
    ladder: Vec<LevelM>,
    records: BTreeMap<u64, RecordM>,
    transactions: u64,
    /// `LevelUp` and `ScoreUpdated` events of the last call.
    events: Vec<Event<Test>>,
}

type Outcome = Result<(), DispatchError>;

fn err(e: Error<Test>) -> Outcome {
    Err(e.into())
}

impl Model {
    fn new() -> Self {
        let level = |name: &str, required| LevelM { name: name.into(), required, benefits: None };
        Self {
            now_secs: 1_000,
            ladder: vec![
                level("Seed", 0),
                level("Sprout", 100),
                level("Tree", 500),
                level("Forest", 1_000),
                level("Ecosystem", 5_000),
            ],
            records: BTreeMap::new(),
            transactions: 0,
            events: vec![],
        }
    }

    fn period(&self) -> u64 {
        self.now_secs / PERIOD_SECS
    }

    /// The highest level whose required score `score` meets.
    fn level_reached(&self, score: u32) -> u32 {
        let mut reached = 0;
        for (i, level) in self.ladder.iter().enumerate() {
            if score >= level.required {
                reached = i as u32;
            }
        }
        reached
    }

    fn set(&mut self, user: u64, mut record: RecordM, score: u32) {
        record.score = score;
        let reached = self.level_reached(score);
        if reached > record.level {
            record.level = reached;
            self.events.push(Event::LevelUp { user, level: reached });
        }
        self.events.push(Event::ScoreUpdated { user, score, level: record.level });
        self.records.insert(user, record);
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        self.events.clear();
        let out = self.apply_inner(op);
        if out.is_ok() && !matches!(op, Op::Wait(_)) {
            self.transactions += 1;
        }
        out
    }

    fn apply_inner(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Award { oracle, user, points } => {
                if !oracle {
                    return err(Error::NotOracle);
                }
                if points == 0 {
                    return err(Error::ZeroPoints);
                }
                let mut record = self.records.get(&user).cloned().unwrap_or_default();
                if record.period != self.period() {
                    record.period = self.period();
                    record.monthly = 0;
                }
                let score = record.score.saturating_add(points).min(MAX_SCORE);
                record.monthly += score - record.score;
                self.set(user, record, score);
                Ok(())
            }
            Op::SetScore { oracle, user, score } => {
                if !oracle {
                    return err(Error::NotOracle);
                }
                if score > MAX_SCORE {
                    return err(Error::ScoreAboveMax);
                }
                let record = self.records.get(&user).cloned().unwrap_or_default();
                self.set(user, record, score);
                Ok(())
            }
            Op::Grant { oracle, user, ref name } => {
                if !oracle {
                    return err(Error::NotOracle);
                }
                if name.is_empty() {
                    return err(Error::EmptyName);
                }
                let mut record = self.records.get(&user).cloned().unwrap_or_default();
                if record.achievements.contains(name) {
                    return err(Error::AchievementAlreadyGranted);
                }
                if record.achievements.len() >= MAX_ACHIEVEMENTS {
                    return err(Error::TooManyAchievements);
                }
                record.achievements.push(name.clone());
                self.records.insert(user, record);
                Ok(())
            }
            Op::SetLevel { admin, id, ref name, required, ref benefits } => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if name.is_empty() {
                    return err(Error::EmptyName);
                }
                let mut ladder = self.ladder.clone();
                let level = LevelM { name: name.clone(), required, benefits: Some(benefits.clone()) };
                let index = id as usize;
                if index < ladder.len() {
                    ladder[index] = level;
                } else if index == ladder.len() && ladder.len() < MAX_LEVELS {
                    ladder.push(level);
                } else if index == ladder.len() {
                    return err(Error::TooManyLevels);
                } else {
                    return err(Error::UnknownLevel);
                }
                // Level 0 needs score 0; each next level more than the one before; none above the max.
                for (i, level) in ladder.iter().enumerate() {
                    if i == 0 && level.required != 0 {
                        return err(Error::FirstLevelNotZero);
                    }
                    if i > 0 && level.required <= ladder[i - 1].required {
                        return err(Error::LevelsNotAscending);
                    }
                    if level.required > MAX_SCORE {
                        return err(Error::RequiredScoreAboveMax);
                    }
                }
                self.ladder = ladder;
                Ok(())
            }
            Op::Wait(secs) => {
                self.now_secs += secs;
                Ok(())
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Award { oracle: bool, user: u64, points: u32 },
    SetScore { oracle: bool, user: u64, score: u32 },
    Grant { oracle: bool, user: u64, name: Vec<u8> },
    SetLevel { admin: bool, id: u32, name: Vec<u8>, required: u32, benefits: Vec<Vec<u8>> },
    Wait(u64),
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![Just(ALICE), Just(BOB), Just(3), Just(4)]
}

fn privileged() -> impl Strategy<Value = bool> {
    prop_oneof![9 => Just(true), 1 => Just(false)]
}

/// Scores near the default thresholds (99/100, 499/500, ...) and anywhere.
fn score() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => prop_oneof![Just(0u32), Just(100), Just(500), Just(1_000), Just(5_000), Just(10_000)]
            .prop_flat_map(|t| t.saturating_sub(1)..=t.saturating_add(1)),
        3 => 0u32..=1_200,
        2 => 0u32..=11_000,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let points = prop_oneof![0u32..=600, 0u32..=12_000, Just(u32::MAX)];
    let achievement =
        prop_oneof![Just(vec![]), Just(b"a".to_vec()), Just(b"b".to_vec()), Just(b"c".to_vec()), Just(b"d".to_vec())];
    let level_name = prop_oneof![9 => Just(b"L".to_vec()), 1 => Just(vec![])];
    let benefits = proptest::collection::vec(prop_oneof![Just(b"x".to_vec()), Just(b"y".to_vec())], 0..=2);
    let set_level = (privileged(), 0u32..=7, level_name, score(), benefits)
        .prop_map(|(admin, id, name, required, benefits)| Op::SetLevel { admin, id, name, required, benefits });
    prop_oneof![
        6 => (privileged(), account(), points).prop_map(|(oracle, user, points)| Op::Award { oracle, user, points }),
        4 => (privileged(), account(), score()).prop_map(|(oracle, user, score)| Op::SetScore { oracle, user, score }),
        1 => (privileged(), account(), achievement).prop_map(|(oracle, user, name)| Op::Grant { oracle, user, name }),
        2 => set_level,
        3 => prop_oneof![0u64..=1_000, 0u64..=PERIOD_SECS, Just(PERIOD_SECS)].prop_map(Op::Wait),
    ]
}

fn run(op: &Op) -> Outcome {
    let caller = |ok: bool| RuntimeOrigin::signed(if ok { ORACLE } else { ALICE });
    match *op {
        Op::Award { oracle, user, points } => Ecs::award(caller(oracle), user, points, text("prop")),
        Op::SetScore { oracle, user, score } => Ecs::set_score(caller(oracle), user, score),
        Op::Grant { oracle, user, ref name } => Ecs::grant_achievement(caller(oracle), user, text_of(name)),
        Op::SetLevel { admin, id, ref name, required, ref benefits } => {
            let origin = if admin { RuntimeOrigin::root() } else { RuntimeOrigin::signed(ORACLE) };
            let benefits: Vec<_> = benefits.iter().map(|b| text_of(b)).collect();
            Ecs::set_level(origin, id, text_of(name), required, BoundedVec::truncate_from(benefits))
        }
        Op::Wait(secs) => {
            advance_secs(secs);
            Ok(())
        }
    }
}

fn text_of(bytes: &[u8]) -> BoundedVec<u8, MaxNameLen> {
    bytes.to_vec().try_into().expect("short names")
}

fn assert_matches(model: &Model, step: usize, op: &Op) {
    let ctx = |what: &str| format!("step {step} {op:?}: {what}");
    let levels = Ecs::levels();
    assert_eq!(levels.len(), model.ladder.len(), "{}", ctx("ladder length"));
    for (i, (actual, expected)) in levels.iter().zip(&model.ladder).enumerate() {
        assert_eq!(
            (actual.id, &actual.name, actual.required_score),
            (i as u32, &expected.name, expected.required),
            "{}",
            ctx("ladder")
        );
        if let Some(benefits) = &expected.benefits {
            assert_eq!(&actual.benefits, benefits, "{}", ctx("benefits"));
        }
    }
    for who in ACCOUNTS {
        let profile = Ecs::profile(&who);
        match model.records.get(&who) {
            Some(r) => {
                let monthly = if r.period == model.period() { r.monthly } else { 0 };
                assert_eq!(
                    (profile.score, profile.level, profile.monthly_score),
                    (r.score, r.level, monthly),
                    "{}",
                    ctx(&format!("score, level, monthly of {who}"))
                );
                assert_eq!(profile.level_name, model.ladder[r.level as usize].name, "{}", ctx("level name"));
                assert_eq!(profile.achievements, r.achievements, "{}", ctx("achievements"));
                assert_eq!(profile.badges, (0..=r.level).collect::<Vec<_>>(), "{}", ctx("badges"));
                for id in 0..8 {
                    assert_eq!(Ecs::balance_of(&who, id), u32::from(id <= r.level), "{}", ctx(&format!("badge {id}")));
                }
            }
            None => {
                assert_eq!((profile.score, profile.level, profile.monthly_score), (0, 0, 0), "{}", ctx("not in book"));
                assert!(profile.badges.is_empty(), "{}", ctx("no badge outside the book"));
                assert_eq!(Ecs::balance_of(&who, 0), 0, "{}", ctx("no Seed badge outside the book"));
            }
        }
    }
    assert_eq!(Ecs::holders(), model.records.len() as u64, "{}", ctx("holders"));
    assert_eq!(Ecs::transactions(), model.transactions, "{}", ctx("transactions"));
    let events: Vec<Event<Test>> =
        ecs_events().into_iter().filter(|e| matches!(e, Event::LevelUp { .. } | Event::ScoreUpdated { .. })).collect();
    assert_eq!(events, model.events, "{}", ctx("LevelUp / ScoreUpdated events"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random mixes of award, set_score, grant_achievement, set_level (ladder
    /// edits, valid or not) and time leave the pallet exactly where the model is.
    #[test]
    fn ecs_matches_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        ExtBuilder::default().build_and_execute(|| {
            let mut model = Model::new();
            for (step, op) in ops.iter().enumerate() {
                System::reset_events();
                let actual = run(op);
                let expected = model.apply(op);
                assert_eq!(actual, expected, "step {step}: {op:?}");
                check_invariants();
                assert_matches(&model, step + 1, op);
            }
        });
    }
}
