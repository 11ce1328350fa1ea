//! # ECS — EcoScore
//!
//! A soulbound score per account with level badges (the seeds' ERC-1155
//! `EcoScore` contract, SPEC §3 "ECS"):
//!
//! - every account has a **score** from 0 to the max score (10,000 by default,
//!   set in genesis); score oracles ([`Role::Oracle`]) [`award`](Pallet::award)
//!   points (saturating at the max) and [`set_score`](Pallet::set_score)
//!   directly, and [`grant_achievement`](Pallet::grant_achievement)s;
//! - scores map to a **ladder of levels**, by default 0 Seed (<100), 1 Sprout
//!   (>=100), 2 Tree (>=500), 3 Forest (>=1,000), 4 Ecosystem (>=5,000), each
//!   with a name, required score and benefits; the ladder comes from genesis and
//!   the admin origin edits or extends it with [`set_level`](Pallet::set_level);
//! - an account's **level only rises** (the seed's `LevelUp` rule): lowering the
//!   score keeps the level reached. Each level reached holds one badge,
//!   [`Pallet::balance_of`]`(account, level_id) = 1`, and badges cannot move:
//!   there is no transfer call. An account enters the book — and holds the Seed
//!   badge — the first time an oracle awards, sets or grants it anything. Ladder
//!   edits apply to an account at its next score change;
//! - `monthly_score` counts the points `award` credited in the current 30-day
//!   period (period index = Unix seconds / 30 days), starting again from 0 when
//!   a new period begins.
//!
//! ECS moves no ECT.
//!
//! Statistics: [`Holders`] counts the accounts in the book (each holds at
//! least the Seed badge), [`TransactionCount`] the successful calls of this
//! pallet.

pub use pallet::*;

mod types;
pub mod weights;

pub use types::{
    default_levels, BenefitList, GenesisLevel, LevelId, LevelInfo, LevelView, ScoreProfile, ScoreRecord, Text,
};
pub use weights::WeightInfo;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// Default max score: 10,000.
pub const DEFAULT_MAX_SCORE: u32 = 10_000;
/// Length of a `monthly_score` period: 30 days, in seconds.
pub const PERIOD_SECS: u64 = 30 * ecochain_primitives::SECONDS_PER_DAY;

/// Why a ladder of required scores is invalid.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LadderFault {
    /// The ladder has no level.
    Empty,
    /// Level 0 requires a score other than 0.
    FirstNotZero,
    /// The level at this index does not require more than the one before it.
    NotAscending(usize),
    /// The level at this index requires more than the max score.
    AboveMax(usize),
}

/// Checks that required scores start at 0, ascend strictly and stay within `max_score`.
pub fn check_ladder(required: impl IntoIterator<Item = u32>, max_score: u32) -> Result<(), LadderFault> {
    let mut previous: Option<u32> = None;
    for (index, score) in required.into_iter().enumerate() {
        match previous {
            None if score != 0 => return Err(LadderFault::FirstNotZero),
            Some(before) if score <= before => return Err(LadderFault::NotAscending(index)),
            _ => {}
        }
        if score > max_score {
            return Err(LadderFault::AboveMax(index));
        }
        previous = Some(score);
    }
    previous.map(|_| ()).ok_or(LadderFault::Empty)
}

/// The level a score reaches on a valid ladder: the last level whose required score is at most `score`.
pub fn level_for(required: impl IntoIterator<Item = u32>, score: u32) -> LevelId {
    let reached = required.into_iter().take_while(|r| *r <= score).count();
    LevelId::try_from(reached.saturating_sub(1)).unwrap_or(LevelId::MAX)
}

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use ecochain_primitives::{Role, RoleProvider};
    use frame_support::{pallet_prelude::*, traits::UnixTime};
    use frame_system::pallet_prelude::*;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    /// A level as stored under this runtime's bounds.
    pub type LevelOf<T> = LevelInfo<<T as Config>::MaxNameLen, <T as Config>::MaxBenefits>;
    /// An account's record under this runtime's bounds.
    pub type RecordOf<T> = ScoreRecord<<T as Config>::MaxNameLen, <T as Config>::MaxAchievements>;
    /// A bounded name (level, benefit, achievement).
    pub type NameOf<T> = Text<<T as Config>::MaxNameLen>;
    /// A level's bounded benefits.
    pub type BenefitsOf<T> = BenefitList<<T as Config>::MaxNameLen, <T as Config>::MaxBenefits>;
    /// A bounded award reason.
    pub type ReasonOf<T> = Text<<T as Config>::MaxReasonLen>;

    /// Configuration of the ECS pallet.
    #[pallet::config]
    pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
        /// Origin allowed to edit the level ladder.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Who holds [`Role::Oracle`] (the permissions pallet).
        type Roles: RoleProvider<Self::AccountId>;
        /// Wall-clock time (`pallet-timestamp`), read in seconds for the 30-day periods.
        type Time: UnixTime;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
        /// Most levels the ladder may hold.
        #[pallet::constant]
        type MaxLevels: Get<u32>;
        /// Most benefits one level may list.
        #[pallet::constant]
        type MaxBenefits: Get<u32>;
        /// Longest level, benefit or achievement name, in bytes.
        #[pallet::constant]
        type MaxNameLen: Get<u32>;
        /// Most achievements one account may hold.
        #[pallet::constant]
        type MaxAchievements: Get<u32>;
        /// Longest award reason, in bytes.
        #[pallet::constant]
        type MaxReasonLen: Get<u32>;
    }

    /// The highest score an account may have.
    #[pallet::storage]
    pub type MaxScore<T> = StorageValue<_, u32, ValueQuery>;

    /// The level ladder; a level's id is its index. Never empty after genesis.
    #[pallet::storage]
    pub type Levels<T: Config> = StorageValue<_, BoundedVec<LevelOf<T>, T::MaxLevels>, ValueQuery>;

    /// Score records of the accounts the oracles have touched.
    #[pallet::storage]
    pub type Scores<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, RecordOf<T>>;

    /// Number of accounts in the book (with a score record, so holding badges).
    #[pallet::storage]
    pub type Holders<T> = StorageValue<_, u64, ValueQuery>;

    /// Number of successful calls of this pallet.
    #[pallet::storage]
    pub type TransactionCount<T> = StorageValue<_, u64, ValueQuery>;

    /// Genesis configuration of ECS.
    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// The highest score (0 means the default, 10,000).
        pub max_score: u32,
        /// The ladder, level 0 first (empty means [`default_levels`]). Level 0
        /// must require 0 and required scores must ascend strictly up to the max score.
        pub levels: Vec<GenesisLevel>,
        #[serde(skip)]
        #[doc(hidden)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            let max_score = if self.max_score == 0 { DEFAULT_MAX_SCORE } else { self.max_score };
            let levels = if self.levels.is_empty() { default_levels() } else { self.levels.clone() };
            if let Err(fault) = check_ladder(levels.iter().map(|l| l.required_score), max_score) {
                match fault {
                    LadderFault::Empty => panic!("ECS genesis: the ladder has no level"),
                    LadderFault::FirstNotZero => panic!("ECS genesis: level 0 must require score 0"),
                    LadderFault::NotAscending(i) => {
                        panic!("ECS genesis: level {i} must require more than level {}", i - 1)
                    }
                    LadderFault::AboveMax(i) => panic!("ECS genesis: level {i} requires more than the max score"),
                }
            }
            let mut ladder = BoundedVec::<LevelOf<T>, T::MaxLevels>::new();
            for (i, level) in levels.iter().enumerate() {
                assert!(!level.name.is_empty(), "ECS genesis: level {i} has an empty name");
                let name = NameOf::<T>::try_from(level.name.as_bytes().to_vec())
                    .unwrap_or_else(|_| panic!("ECS genesis: level {i} name is longer than MaxNameLen"));
                let benefits: Vec<NameOf<T>> = level
                    .benefits
                    .iter()
                    .map(|b| {
                        NameOf::<T>::try_from(b.as_bytes().to_vec())
                            .unwrap_or_else(|_| panic!("ECS genesis: a benefit of level {i} is longer than MaxNameLen"))
                    })
                    .collect();
                let benefits = BenefitsOf::<T>::try_from(benefits)
                    .unwrap_or_else(|_| panic!("ECS genesis: level {i} has more than MaxBenefits benefits"));
                ladder
                    .try_push(LevelInfo { name, required_score: level.required_score, benefits })
                    .unwrap_or_else(|_| panic!("ECS genesis: more than MaxLevels levels"));
            }
            MaxScore::<T>::put(max_score);
            Levels::<T>::put(ladder);
        }
    }

    /// Events of the ECS pallet.
    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An oracle awarded points to an account.
        Awarded {
            /// Account awarded.
            user: T::AccountId,
            /// Points credited (less than asked when the score reached the max).
            points: u32,
            /// Why the points were awarded.
            reason: ReasonOf<T>,
        },
        /// An account's score changed (emitted after any award or set).
        ScoreUpdated {
            /// Account scored.
            user: T::AccountId,
            /// New score.
            score: u32,
            /// The account's level after the change (the highest reached).
            level: LevelId,
        },
        /// An account reached a higher level and now holds its badge (and those below).
        LevelUp {
            /// Account promoted.
            user: T::AccountId,
            /// New level.
            level: LevelId,
        },
        /// An oracle granted an achievement to an account.
        AchievementGranted {
            /// Account honoured.
            user: T::AccountId,
            /// Achievement name.
            name: NameOf<T>,
        },
        /// The admin set (replaced or appended) a level of the ladder.
        LevelSet {
            /// Level id.
            level: LevelId,
            /// Display name.
            name: NameOf<T>,
            /// Lowest score that reaches the level.
            required_score: u32,
            /// What holders of the level enjoy.
            benefits: BenefitsOf<T>,
        },
    }

    /// Errors of the ECS pallet.
    #[pallet::error]
    pub enum Error<T> {
        /// The caller does not hold the Oracle role.
        NotOracle,
        /// The award is of zero points.
        ZeroPoints,
        /// The score is above the max score.
        ScoreAboveMax,
        /// The name is empty.
        EmptyName,
        /// The account already holds this achievement.
        AchievementAlreadyGranted,
        /// The account holds the most achievements allowed.
        TooManyAchievements,
        /// The level id is neither an existing level nor the next one.
        UnknownLevel,
        /// The ladder holds the most levels allowed.
        TooManyLevels,
        /// Level 0 must require score 0.
        FirstLevelNotZero,
        /// Required scores must ascend strictly with the level id.
        LevelsNotAscending,
        /// The required score is above the max score.
        RequiredScoreAboveMax,
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Add `points` to `user`'s score, saturating at the max score; the
        /// points credited count towards the current 30-day `monthly_score`.
        ///
        /// Origin: signed, holding [`Role::Oracle`] (else [`Error::NotOracle`]).
        /// Emits [`Event::Awarded`], [`Event::LevelUp`] when a higher level is
        /// reached, then [`Event::ScoreUpdated`].
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::award())]
        pub fn award(origin: OriginFor<T>, user: T::AccountId, points: u32, reason: ReasonOf<T>) -> DispatchResult {
            Self::ensure_oracle(origin)?;
            Self::do_award(&user, points, reason)?;
            Self::note_transaction();
            Ok(())
        }

        /// Set `user`'s score to `score` (at most the max score). A lower score
        /// keeps the level reached.
        ///
        /// Origin: signed, holding [`Role::Oracle`] (else [`Error::NotOracle`]).
        /// Emits [`Event::LevelUp`] when a higher level is reached, then [`Event::ScoreUpdated`].
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::set_score())]
        pub fn set_score(origin: OriginFor<T>, user: T::AccountId, score: u32) -> DispatchResult {
            Self::ensure_oracle(origin)?;
            Self::do_set_score(&user, score)?;
            Self::note_transaction();
            Ok(())
        }

        /// Grant `user` the achievement `name` (non-empty, once per account, up
        /// to `MaxAchievements`).
        ///
        /// Origin: signed, holding [`Role::Oracle`] (else [`Error::NotOracle`]).
        /// Emits [`Event::AchievementGranted`].
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::grant_achievement())]
        pub fn grant_achievement(origin: OriginFor<T>, user: T::AccountId, name: NameOf<T>) -> DispatchResult {
            Self::ensure_oracle(origin)?;
            Self::do_grant_achievement(&user, name)?;
            Self::note_transaction();
            Ok(())
        }

        /// Replace level `level_id`, or append it when it is the next id. The
        /// ladder must stay valid: level 0 requires 0, required scores ascend
        /// strictly and stay within the max score. Accounts keep the levels they
        /// reached; a changed threshold applies at their next score change.
        ///
        /// Origin: admin. Emits [`Event::LevelSet`].
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_level())]
        pub fn set_level(
            origin: OriginFor<T>,
            level_id: LevelId,
            name: NameOf<T>,
            required_score: u32,
            benefits: BenefitsOf<T>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_set_level(level_id, name, required_score, benefits)?;
            Self::note_transaction();
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        fn ensure_oracle(origin: OriginFor<T>) -> Result<T::AccountId, DispatchError> {
            let who = ensure_signed(origin)?;
            ensure!(T::Roles::has_role(&who, Role::Oracle), Error::<T>::NotOracle);
            Ok(who)
        }

        /// Store `user`'s record, counting the account in [`Holders`] when it enters the book.
        fn store_record(user: &T::AccountId, record: RecordOf<T>) {
            if !Scores::<T>::contains_key(user) {
                Holders::<T>::mutate(|n| *n = n.saturating_add(1));
            }
            Scores::<T>::insert(user, record);
        }

        /// Count one successful call in [`TransactionCount`].
        fn note_transaction() {
            TransactionCount::<T>::mutate(|n| *n = n.saturating_add(1));
        }

        /// Number of accounts in the book.
        pub fn holders() -> u64 {
            Holders::<T>::get()
        }

        /// Number of successful calls of this pallet.
        pub fn transactions() -> u64 {
            TransactionCount::<T>::get()
        }

        /// Index of the current 30-day period.
        pub fn current_period() -> u64 {
            T::Time::now().as_secs() / PERIOD_SECS
        }

        /// The level `score` reaches on the current ladder.
        pub fn level_for_score(score: u32) -> LevelId {
            level_for(Levels::<T>::get().iter().map(|l| l.required_score), score)
        }

        /// Store `score` in `record`, raise the level if the score reaches a
        /// higher one, and emit `LevelUp` / `ScoreUpdated`.
        fn apply_score(user: &T::AccountId, mut record: RecordOf<T>, score: u32) {
            record.score = score;
            let reached = Self::level_for_score(score);
            if reached > record.level {
                record.level = reached;
                Self::deposit_event(Event::LevelUp { user: user.clone(), level: reached });
            }
            let level = record.level;
            Self::store_record(user, record);
            Self::deposit_event(Event::ScoreUpdated { user: user.clone(), score, level });
        }

        /// Credit `points` (saturating at the max score) and count them in the monthly score.
        pub fn do_award(user: &T::AccountId, points: u32, reason: ReasonOf<T>) -> DispatchResult {
            ensure!(points > 0, Error::<T>::ZeroPoints);
            let mut record = Scores::<T>::get(user).unwrap_or_default();
            let period = Self::current_period();
            if record.period != period {
                record.period = period;
                record.monthly_score = 0;
            }
            let score = record.score.saturating_add(points).min(MaxScore::<T>::get());
            let credited = score.saturating_sub(record.score);
            record.monthly_score = record.monthly_score.saturating_add(credited);
            Self::deposit_event(Event::Awarded { user: user.clone(), points: credited, reason });
            Self::apply_score(user, record, score);
            Ok(())
        }

        /// Set the score outright; the level never falls.
        pub fn do_set_score(user: &T::AccountId, score: u32) -> DispatchResult {
            ensure!(score <= MaxScore::<T>::get(), Error::<T>::ScoreAboveMax);
            let record = Scores::<T>::get(user).unwrap_or_default();
            Self::apply_score(user, record, score);
            Ok(())
        }

        /// Add an achievement to the account's list.
        pub fn do_grant_achievement(user: &T::AccountId, name: NameOf<T>) -> DispatchResult {
            ensure!(!name.is_empty(), Error::<T>::EmptyName);
            let mut record = Scores::<T>::get(user).unwrap_or_default();
            ensure!(!record.achievements.contains(&name), Error::<T>::AchievementAlreadyGranted);
            record.achievements.try_push(name.clone()).map_err(|_| Error::<T>::TooManyAchievements)?;
            Self::store_record(user, record);
            Self::deposit_event(Event::AchievementGranted { user: user.clone(), name });
            Ok(())
        }

        /// Replace or append a level, keeping the ladder valid.
        pub fn do_set_level(
            level_id: LevelId,
            name: NameOf<T>,
            required_score: u32,
            benefits: BenefitsOf<T>,
        ) -> DispatchResult {
            ensure!(!name.is_empty(), Error::<T>::EmptyName);
            let mut ladder = Levels::<T>::get();
            let index = usize::try_from(level_id).map_err(|_| Error::<T>::UnknownLevel)?;
            let level = LevelInfo { name: name.clone(), required_score, benefits: benefits.clone() };
            let len = ladder.len();
            match ladder.get_mut(index) {
                Some(slot) => *slot = level,
                None if index == len => ladder.try_push(level).map_err(|_| Error::<T>::TooManyLevels)?,
                None => return Err(Error::<T>::UnknownLevel.into()),
            }
            check_ladder(ladder.iter().map(|l| l.required_score), MaxScore::<T>::get()).map_err(|fault| {
                match fault {
                    LadderFault::FirstNotZero => Error::<T>::FirstLevelNotZero,
                    LadderFault::AboveMax(_) => Error::<T>::RequiredScoreAboveMax,
                    // The ladder is not empty here; `Empty` cannot occur.
                    LadderFault::NotAscending(_) | LadderFault::Empty => Error::<T>::LevelsNotAscending,
                }
            })?;
            Levels::<T>::put(ladder);
            Self::deposit_event(Event::LevelSet { level: level_id, name, required_score, benefits });
            Ok(())
        }

        /// Current score of `who` (0 for an untouched account).
        pub fn score(who: &T::AccountId) -> u32 {
            Scores::<T>::get(who).map(|r| r.score).unwrap_or(0)
        }

        /// Badge balance (ERC-1155 `balanceOf`): 1 when `who` has reached level
        /// `level_id`, else 0. Badges never move.
        pub fn balance_of(who: &T::AccountId, level_id: LevelId) -> u32 {
            Scores::<T>::get(who).map_or(0, |r| u32::from(level_id <= r.level))
        }

        /// Ids of the badges `who` holds: `0..=level`, or none for an untouched account.
        pub fn badges(who: &T::AccountId) -> Vec<LevelId> {
            Scores::<T>::get(who).map(|r| (0..=r.level).collect()).unwrap_or_default()
        }

        /// Score, level, monthly score, achievements and badges of `who`.
        pub fn profile(who: &T::AccountId) -> ScoreProfile {
            let Some(record) = Scores::<T>::get(who) else {
                return ScoreProfile {
                    level_name: Self::level(0).map(|l| l.name).unwrap_or_default(),
                    ..Default::default()
                };
            };
            let monthly_score = if record.period == Self::current_period() { record.monthly_score } else { 0 };
            ScoreProfile {
                score: record.score,
                level: record.level,
                level_name: Self::level(record.level).map(|l| l.name).unwrap_or_default(),
                monthly_score,
                achievements: record.achievements.iter().map(|a| a.to_vec()).collect(),
                badges: (0..=record.level).collect(),
            }
        }

        /// One level of the ladder, if it exists.
        pub fn level(level_id: LevelId) -> Option<LevelView> {
            let index = usize::try_from(level_id).ok()?;
            Levels::<T>::get().get(index).map(|l| Self::view(level_id, l))
        }

        /// The whole ladder, level 0 first.
        pub fn levels() -> Vec<LevelView> {
            Levels::<T>::get()
                .iter()
                .enumerate()
                .map(|(i, l)| Self::view(LevelId::try_from(i).unwrap_or(LevelId::MAX), l))
                .collect()
        }

        /// Benefits of level `level_id`, if it exists.
        pub fn benefits(level_id: LevelId) -> Option<Vec<Vec<u8>>> {
            Self::level(level_id).map(|l| l.benefits)
        }

        /// Benefits `who` enjoys: those of the level reached (none for an untouched account).
        pub fn benefits_of(who: &T::AccountId) -> Vec<Vec<u8>> {
            Scores::<T>::get(who).and_then(|r| Self::benefits(r.level)).unwrap_or_default()
        }

        fn view(id: LevelId, level: &LevelOf<T>) -> LevelView {
            LevelView {
                id,
                name: level.name.to_vec(),
                required_score: level.required_score,
                benefits: level.benefits.iter().map(|b| b.to_vec()).collect(),
            }
        }

        /// The pallet's invariants: the ladder is valid (non-empty, level 0
        /// requires 0, strictly ascending, within the max score, named); every
        /// record's score is within the max, its level exists and its
        /// achievements are non-empty and distinct.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let max = MaxScore::<T>::get();
            let ladder = Levels::<T>::get();
            ensure!(check_ladder(ladder.iter().map(|l| l.required_score), max).is_ok(), "the level ladder is invalid");
            ensure!(ladder.iter().all(|l| !l.name.is_empty()), "a level has an empty name");
            ensure!(
                Scores::<T>::iter_keys().count() as u64 == Holders::<T>::get(),
                "Holders differs from the accounts in the book"
            );
            for (_, record) in Scores::<T>::iter() {
                ensure!(record.score <= max, "a score is above the max score");
                ensure!((record.level as usize) < ladder.len(), "a record's level is not on the ladder");
                for (i, a) in record.achievements.iter().enumerate() {
                    ensure!(!a.is_empty(), "an achievement has an empty name");
                    ensure!(!record.achievements[..i].contains(a), "an achievement is held twice");
                }
            }
            Ok(())
        }
    }
}
