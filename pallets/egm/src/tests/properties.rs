//! Property tests: EGM against a reference model.
//!
//! [`Model`] is plain Rust written from SPEC §3 "EGM": gems (owner, value) with
//! ids from 1 upward; each account's VIP status from the total value of the
//! gems it holds against the thresholds (default None < 100, Bronze >= 100,
//! Silver >= 500, Gold >= 1,000, Platinum >= 5,000; editable by the admin);
//! premium features with a required status, a gem-value cost and a duration,
//! whose access checks the status before burning, burns the gems named, and
//! grants (or extends an unexpired grant of the same registration) until
//! `start + duration`. The model keeps its own clock and computes statuses
//! itself.
//!
//! After every call the result (exact error included), every account's gems,
//! value, status (and the next threshold), grants, the features, the stats,
//! the counters and the `VipStatusChanged` events must equal the model's.

use super::cases;
use crate::{mock::*, Error, Event, FeatureId, GemId, VipStatus, VipThresholds};
use proptest::prelude::*;
use sp_runtime::DispatchError;
use std::collections::BTreeMap;

const ACCOUNTS: [u64; 5] = [ALICE, BOB, CHARLIE, 4, MINTER];
const FEATURES: [FeatureId; 5] = [1, 2, 3, 4, 5];
/// The mock's `MaxGemsPerOwner` and `MaxFeatures`.
const MAX_GEMS: usize = 8;
const MAX_FEATURES: usize = 4;

/// `(bronze, silver, gold, platinum)` minimum values.
type Thresholds = [u128; 4];
const STATUSES: [VipStatus; 5] =
    [VipStatus::None, VipStatus::Bronze, VipStatus::Silver, VipStatus::Gold, VipStatus::Platinum];

fn status_for(t: &Thresholds, value: u128) -> VipStatus {
    let reached = t.iter().filter(|min| value >= **min).count();
    STATUSES[reached]
}

#[derive(Clone, Debug, PartialEq)]
struct FeatureM {
    required: VipStatus,
    cost: u128,
    duration_secs: u64,
    registration: u32,
}

#[derive(Clone, Debug)]
struct Model {
    now_ms: u64,
    thresholds: Thresholds,
    /// Gem id -> (owner, value).
    gems: BTreeMap<GemId, (u64, u128)>,
    /// Each account's gems, in the order they arrived.
    owned: BTreeMap<u64, Vec<GemId>>,
    minted: GemId,
    features: BTreeMap<FeatureId, FeatureM>,
    registrations: u32,
    /// (account, feature) -> (expires at ms, registration).
    grants: BTreeMap<(u64, FeatureId), (u64, u32)>,
    transactions: u64,
    /// `VipStatusChanged` events of the last call.
    events: Vec<Event<Test>>,
}

type Outcome = Result<(), DispatchError>;

fn err(e: Error<Test>) -> Outcome {
    Err(e.into())
}

impl Model {
    fn new() -> Self {
        let feature =
            |required, cost, duration_secs, registration| FeatureM { required, cost, duration_secs, registration };
        Self {
            now_ms: START_MS,
            thresholds: [100, 500, 1_000, 5_000],
            gems: BTreeMap::new(),
            owned: BTreeMap::new(),
            minted: 0,
            features: BTreeMap::from([
                (FREE, feature(VipStatus::None, 0, 86_400, 1)),
                (SILVER_LOUNGE, feature(VipStatus::Silver, 0, 3_600, 2)),
                (PREMIUM, feature(VipStatus::Bronze, 300, 30 * 86_400, 3)),
            ]),
            registrations: 3,
            grants: BTreeMap::new(),
            transactions: 0,
            events: vec![],
        }
    }

    fn value_of(&self, who: u64) -> u128 {
        self.owned.get(&who).map_or(0, |ids| ids.iter().map(|id| self.gems[id].1).sum())
    }

    fn status_of(&self, who: u64) -> VipStatus {
        status_for(&self.thresholds, self.value_of(who))
    }

    fn count_of(&self, who: u64) -> usize {
        self.owned.get(&who).map_or(0, Vec::len)
    }

    /// Run `change` on `who`'s gems, noting a status change.
    fn with_status_watch(&mut self, who: u64, change: impl FnOnce(&mut Self)) {
        let before = self.status_of(who);
        change(self);
        let after = self.status_of(who);
        if before != after {
            self.events.push(Event::VipStatusChanged { who, from: before, to: after });
        }
    }

    fn take(&mut self, who: u64, gem: GemId) {
        let ids = self.owned.get_mut(&who).expect("owner has gems");
        ids.retain(|g| *g != gem);
        if ids.is_empty() {
            self.owned.remove(&who);
        }
    }

    fn grant_counts(&self, who: u64, feature: FeatureId) -> Option<u64> {
        let (expires, registration) = *self.grants.get(&(who, feature))?;
        let current = self.features.get(&feature).is_some_and(|f| f.registration == registration);
        (current && expires > self.now_ms).then_some(expires)
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
            Op::Mint { minter, to, rarity, value } => {
                if !minter {
                    return err(Error::NotMinter);
                }
                if !(1..=5).contains(&rarity) {
                    return err(Error::InvalidRarity);
                }
                if self.count_of(to) >= MAX_GEMS {
                    return err(Error::TooManyGems);
                }
                self.minted += 1;
                let id = self.minted;
                self.with_status_watch(to, |m| {
                    m.gems.insert(id, (to, value));
                    m.owned.entry(to).or_default().push(id);
                });
                Ok(())
            }
            Op::Transfer(who, ref gem, to) => {
                let gem = gem.resolve(self);
                let Some(&(owner, _)) = self.gems.get(&gem) else { return err(Error::UnknownGem) };
                if owner != who {
                    return err(Error::NotGemOwner);
                }
                if who == to {
                    return err(Error::TransferToSelf);
                }
                if self.count_of(to) >= MAX_GEMS {
                    return err(Error::TooManyGems);
                }
                let (from_before, to_before) = (self.status_of(who), self.status_of(to));
                self.take(who, gem);
                self.owned.entry(to).or_default().push(gem);
                self.gems.get_mut(&gem).expect("exists").0 = to;
                for (account, before) in [(who, from_before), (to, to_before)] {
                    let after = self.status_of(account);
                    if before != after {
                        self.events.push(Event::VipStatusChanged { who: account, from: before, to: after });
                    }
                }
                Ok(())
            }
            Op::Burn(who, ref gem) => {
                let gem = gem.resolve(self);
                let Some(&(owner, _)) = self.gems.get(&gem) else { return err(Error::UnknownGem) };
                if owner != who {
                    return err(Error::NotGemOwner);
                }
                self.with_status_watch(who, |m| {
                    m.take(who, gem);
                    m.gems.remove(&gem);
                });
                Ok(())
            }
            Op::SetThresholds(admin, t) => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if !(0 < t[0] && t[0] < t[1] && t[1] < t[2] && t[2] < t[3]) {
                    return err(Error::ThresholdsNotAscending);
                }
                self.thresholds = t;
                Ok(())
            }
            Op::Register { admin, id, required, cost, duration_secs } => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                if self.features.contains_key(&id) {
                    return err(Error::FeatureExists);
                }
                if self.features.len() >= MAX_FEATURES {
                    return err(Error::TooManyFeatures);
                }
                if duration_secs == 0 {
                    return err(Error::ZeroDuration);
                }
                self.registrations += 1;
                let registration = self.registrations;
                self.features.insert(id, FeatureM { required, cost, duration_secs, registration });
                Ok(())
            }
            Op::Remove(admin, id) => {
                if !admin {
                    return Err(DispatchError::BadOrigin);
                }
                self.features.remove(&id).map(|_| ()).ok_or(Error::<Test>::UnknownFeature.into())
            }
            Op::Access(who, feature, ref gems) => {
                let gems = self.resolve_all(who, gems);
                let Some(f) = self.features.get(&feature).cloned() else { return err(Error::UnknownFeature) };
                if self.status_of(who) < f.required {
                    return err(Error::VipStatusTooLow);
                }
                let mut burned = 0;
                if f.cost == 0 {
                    if !gems.is_empty() {
                        return err(Error::GemsNotNeeded);
                    }
                } else {
                    for (i, gem) in gems.iter().enumerate() {
                        if gems[..i].contains(gem) {
                            return err(Error::DuplicateGem);
                        }
                        let Some(&(owner, value)) = self.gems.get(gem) else { return err(Error::UnknownGem) };
                        if owner != who {
                            return err(Error::NotGemOwner);
                        }
                        burned += value;
                    }
                    if burned < f.cost {
                        return err(Error::InsufficientGemValue);
                    }
                }
                let start = self.grant_counts(who, feature).unwrap_or(self.now_ms);
                self.with_status_watch(who, |m| {
                    for gem in &gems {
                        m.take(who, *gem);
                        m.gems.remove(gem);
                    }
                });
                self.grants.insert((who, feature), (start + f.duration_secs * 1_000, f.registration));
                Ok(())
            }
            Op::Prune(who, feature) => {
                if !self.grants.contains_key(&(who, feature)) {
                    return err(Error::NoGrant);
                }
                if self.grant_counts(who, feature).is_some() {
                    return err(Error::GrantStillValid);
                }
                self.grants.remove(&(who, feature));
                Ok(())
            }
            Op::Wait(secs) => {
                self.now_ms += secs * 1_000;
                Ok(())
            }
        }
    }

    fn resolve_all(&self, who: u64, gems: &GemList) -> Vec<GemId> {
        match gems {
            GemList::Owned(n) => self.owned.get(&who).map_or(vec![], |ids| ids.iter().take(*n).copied().collect()),
            GemList::Picked(sel) => sel.iter().map(|g| g.resolve(self)).collect(),
        }
    }
}

/// A gem: the k-th live gem (modulo their number), or any id.
#[derive(Debug, Clone)]
enum GemSel {
    Live(usize),
    Raw(GemId),
}

impl GemSel {
    fn resolve(&self, model: &Model) -> GemId {
        match *self {
            GemSel::Live(k) if !model.gems.is_empty() => {
                *model.gems.keys().nth(k % model.gems.len()).expect("index within length")
            }
            GemSel::Live(_) => 0,
            GemSel::Raw(id) => id,
        }
    }
}

#[derive(Debug, Clone)]
enum GemList {
    /// The caller's first n gems.
    Owned(usize),
    Picked(Vec<GemSel>),
}

#[derive(Debug, Clone)]
enum Op {
    Mint { minter: bool, to: u64, rarity: u8, value: u128 },
    Transfer(u64, GemSel, u64),
    Burn(u64, GemSel),
    SetThresholds(bool, Thresholds),
    Register { admin: bool, id: FeatureId, required: VipStatus, cost: u128, duration_secs: u64 },
    Remove(bool, FeatureId),
    Access(u64, FeatureId, GemList),
    Prune(u64, FeatureId),
    Wait(u64),
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 1u64..=4, 1 => Just(MINTER)]
}

fn admin() -> impl Strategy<Value = bool> {
    prop_oneof![9 => Just(true), 1 => Just(false)]
}

fn gem() -> impl Strategy<Value = GemSel> {
    prop_oneof![4 => any::<usize>().prop_map(GemSel::Live), 1 => (0u64..=24).prop_map(GemSel::Raw)]
}

/// Values near the default thresholds and anywhere.
fn value() -> impl Strategy<Value = u128> {
    prop_oneof![
        2 => prop_oneof![Just(100u128), Just(500), Just(1_000), Just(5_000)].prop_flat_map(|t| (t - 1)..=(t + 1)),
        3 => 0u128..=10,
        3 => 50u128..=700,
    ]
}

fn status() -> impl Strategy<Value = VipStatus> {
    (0usize..5).prop_map(|i| STATUSES[i])
}

fn thresholds() -> impl Strategy<Value = Thresholds> {
    prop_oneof![
        4 => (1u128..=200).prop_map(|b| [b, b * 5, b * 10, b * 50]),
        1 => [0u128..=600, 0u128..=600, 0u128..=1_200, 0u128..=6_000],
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let mint = (admin(), account(), 0u8..=6, value()).prop_map(|(minter, to, rarity, value)| Op::Mint {
        minter,
        to,
        rarity,
        value,
    });
    let register =
        (admin(), 1u32..=5, status(), prop_oneof![Just(0u128), 1u128..=600], prop_oneof![Just(0u64), 1u64..=100_000])
            .prop_map(|(admin, id, required, cost, duration_secs)| Op::Register {
                admin,
                id,
                required,
                cost,
                duration_secs,
            });
    let gems = prop_oneof![
        2 => (0usize..=4).prop_map(GemList::Owned),
        1 => proptest::collection::vec(gem(), 0..=4).prop_map(GemList::Picked),
    ];
    prop_oneof![
        5 => mint,
        4 => (account(), gem(), account()).prop_map(|(a, g, b)| Op::Transfer(a, g, b)),
        2 => (account(), gem()).prop_map(|(a, g)| Op::Burn(a, g)),
        1 => (admin(), thresholds()).prop_map(|(a, t)| Op::SetThresholds(a, t)),
        1 => register,
        1 => (admin(), 1u32..=5).prop_map(|(a, f)| Op::Remove(a, f)),
        4 => (account(), prop_oneof![4 => 1u32..=3, 1 => 4u32..=5], gems).prop_map(|(a, f, g)| Op::Access(a, f, g)),
        1 => (account(), 1u32..=5).prop_map(|(a, f)| Op::Prune(a, f)),
        2 => prop_oneof![0u64..=4_000, 0u64..=200_000].prop_map(Op::Wait),
    ]
}

/// Single calls, and now and then a feature removed and registered again under
/// the same id (a new registration: grants of the old one no longer count).
fn ops() -> impl Strategy<Value = Vec<Op>> {
    let required = prop_oneof![2 => Just(VipStatus::None), 1 => status()];
    let cost = prop_oneof![2 => Just(0u128), 1 => 1u128..=600];
    let replace = (1u32..=3, required, cost, 1u64..=100_000).prop_map(|(id, required, cost, duration_secs)| {
        vec![Op::Remove(true, id), Op::Register { admin: true, id, required, cost, duration_secs }]
    });
    proptest::collection::vec(prop_oneof![9 => op().prop_map(|o| vec![o]), 1 => replace], 1..36)
        .prop_map(|groups| groups.into_iter().flatten().take(40).collect())
}

fn run(model: &Model, op: &Op) -> Outcome {
    let origin = |admin: bool| if admin { RuntimeOrigin::root() } else { RuntimeOrigin::signed(ALICE) };
    match *op {
        Op::Mint { minter, to, rarity, value } => {
            let caller = RuntimeOrigin::signed(if minter { MINTER } else { ALICE });
            Egm::mint(caller, to, bounded(b"opal"), rarity, value, bounded(b""))
        }
        Op::Transfer(a, ref g, b) => Egm::transfer(RuntimeOrigin::signed(a), g.resolve(model), b),
        Op::Burn(a, ref g) => Egm::burn(RuntimeOrigin::signed(a), g.resolve(model)),
        Op::SetThresholds(admin, [bronze, silver, gold, platinum]) => {
            Egm::set_vip_thresholds(origin(admin), VipThresholds { bronze, silver, gold, platinum })
        }
        Op::Register { admin, id, required, cost, duration_secs } => {
            Egm::register_feature(origin(admin), id, bounded(b"f"), required, cost, duration_secs)
        }
        Op::Remove(admin, id) => Egm::remove_feature(origin(admin), id),
        Op::Access(a, f, ref gems) => {
            Egm::access_feature(RuntimeOrigin::signed(a), f, gem_list(&model.resolve_all(a, gems)))
        }
        Op::Prune(a, f) => Egm::prune_grant(RuntimeOrigin::signed(BOB), a, f),
        Op::Wait(secs) => {
            advance_secs(secs);
            Ok(())
        }
    }
}

fn assert_matches(model: &Model, step: usize, op: &Op) {
    let ctx = |what: &str| format!("step {step} {op:?}: {what}");
    assert_eq!(now_ms(), model.now_ms, "{}", ctx("clock"));
    let mut holders = 0;
    for who in ACCOUNTS {
        let gems: Vec<(GemId, u64, u128)> = Egm::gems(&who).into_iter().map(|(id, g)| (id, g.owner, g.value)).collect();
        let ids = model.owned.get(&who).cloned().unwrap_or_default();
        let expected: Vec<(GemId, u64, u128)> = ids.iter().map(|id| (*id, who, model.gems[id].1)).collect();
        assert_eq!(gems, expected, "{}", ctx(&format!("gems of {who}")));
        holders += u64::from(!ids.is_empty());

        let vip = Egm::vip_status(&who);
        let value = model.value_of(who);
        let status = status_for(&model.thresholds, value);
        let next = STATUSES.iter().position(|s| *s == status).and_then(|i| STATUSES.get(i + 1)).copied();
        let next_threshold = next.map(|s| model.thresholds[STATUSES.iter().position(|x| *x == s).expect("listed") - 1]);
        assert_eq!(
            (vip.status, vip.total_value, vip.next_status, vip.next_threshold),
            (status, value, next, next_threshold),
            "{}",
            ctx(&format!("VIP status of {who}"))
        );
        let grants: Vec<(FeatureId, u64)> = Egm::grants(&who).into_iter().map(|g| (g.feature, g.expires_at)).collect();
        let expected: Vec<(FeatureId, u64)> =
            FEATURES.iter().filter_map(|f| model.grant_counts(who, *f).map(|e| (*f, e))).collect();
        assert_eq!(grants, expected, "{}", ctx(&format!("grants of {who}")));
        for f in FEATURES {
            assert_eq!(Egm::has_access(&who, f), model.grant_counts(who, f).is_some(), "{}", ctx("has_access"));
        }
    }
    let features: Vec<(FeatureId, VipStatus, u128, u64)> =
        Egm::features().into_iter().map(|f| (f.id, f.required_status, f.gem_value_cost, f.duration_secs)).collect();
    let expected: Vec<(FeatureId, VipStatus, u128, u64)> =
        model.features.iter().map(|(id, f)| (*id, f.required, f.cost, f.duration_secs)).collect();
    assert_eq!(features, expected, "{}", ctx("features"));
    let stats = Egm::stats();
    let total: u128 = model.gems.values().map(|g| g.1).sum();
    assert_eq!(
        (stats.minted, stats.live, stats.total_value),
        (model.minted, model.gems.len() as u64, total),
        "{}",
        ctx("stats")
    );
    assert_eq!(Egm::holders(), holders, "{}", ctx("holders"));
    assert_eq!(Egm::transactions(), model.transactions, "{}", ctx("transactions"));
    let events: Vec<Event<Test>> = System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Egm(e @ Event::VipStatusChanged { .. }) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events, model.events, "{}", ctx("VipStatusChanged events"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random mixes of mint, transfer, burn, threshold changes, feature
    /// registration and removal, access (paid, free, refused), grant pruning
    /// and time leave the pallet exactly where the model is.
    #[test]
    fn egm_matches_the_model(ops in ops()) {
        ExtBuilder::default().build_and_execute(|| {
            let mut model = Model::new();
            for (step, op) in ops.iter().enumerate() {
                System::reset_events();
                let actual = run(&model, op);
                let expected = model.apply(op);
                assert_eq!(actual, expected, "step {step}: {op:?}");
                check_invariants();
                assert_matches(&model, step + 1, op);
            }
        });
    }
}
