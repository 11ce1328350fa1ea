//! Property tests: ECR against a reference model.
//!
//! [`Model`] is plain Rust written from SPEC §3 "ECR" (ERC-721 semantics):
//! certificates with ids from 1 upward, minted verified by issuers; owners
//! transfer and burn; one approved account per token (cleared by every
//! transfer) and operators for all of an owner's tokens; the token's issuer or
//! the admin revokes (verified = false, the owner keeps it); a market where
//! the owner lists at a price, cancels, and a buyer pays at most `max_price`
//! ECT for the token, atomically (refused while ECT is paused); and the
//! bridge's lock / unlock. It also holds the ECT free balances purchases move;
//! from `pallet-balances` it takes only that a buyer keeps the existential
//! deposit (1 unit in the mock).
//!
//! After every call the result (exact error included), every certificate
//! (owner, issuer, verified, locked), approval, operator, listing, ECT balance
//! and the counters must equal the model's.

use super::cases;
use crate::{mock::*, Error, TokenId};
use ecochain_primitives::ECT;
use proptest::prelude::*;
use sp_runtime::DispatchError;
use std::collections::{BTreeMap, BTreeSet};

const ACCOUNTS: [u64; 6] = [ALICE, BOB, CHARLIE, 4, ISSUER, ISSUER2];
/// `pallet-balances`' existential deposit in the mock (`TestDefaultConfig`).
const ED: u128 = 1;

#[derive(Clone, Debug)]
struct TokenM {
    owner: u64,
    issuer: u64,
    rarity: u8,
    verified: bool,
    locked: bool,
    approved: Option<u64>,
}

#[derive(Clone, Debug)]
struct Model {
    ect: BTreeMap<u64, u128>,
    ect_paused: bool,
    issuers: BTreeSet<u64>,
    tokens: BTreeMap<TokenId, TokenM>,
    minted: TokenId,
    operators: BTreeSet<(u64, u64)>,
    /// Token -> (seller, price).
    listings: BTreeMap<TokenId, (u64, u128)>,
    transactions: u64,
}

type Outcome = Result<(), DispatchError>;

fn err(e: Error<Test>) -> Outcome {
    Err(e.into())
}

impl Model {
    fn new() -> Self {
        Self {
            ect: ACCOUNTS.iter().map(|a| (*a, if *a <= CHARLIE { 1_000 * ECT } else { 0 })).collect(),
            ect_paused: false,
            issuers: BTreeSet::from([ISSUER, ISSUER2]),
            tokens: BTreeMap::new(),
            minted: 0,
            operators: BTreeSet::new(),
            listings: BTreeMap::new(),
            transactions: 0,
        }
    }

    fn count_of(&self, who: u64) -> usize {
        self.tokens.values().filter(|t| t.owner == who).count()
    }

    fn token(&self, id: TokenId) -> Result<TokenM, DispatchError> {
        self.tokens.get(&id).cloned().ok_or_else(|| Error::<Test>::UnknownToken.into())
    }

    /// The selected token and the caller, when the caller owns it and it is
    /// not locked (the pallet's checks for burn, list and lock, in its order).
    fn owned_unlocked(&self, caller: &Caller, sel: &TokenSel) -> Result<(TokenId, u64, TokenM), DispatchError> {
        let id = self.pick(sel);
        let who = self.caller(caller, id);
        let t = self.token(id)?;
        if t.owner != who {
            return Err(Error::<Test>::NotOwner.into());
        }
        if t.locked {
            return Err(Error::<Test>::TokenLocked.into());
        }
        Ok((id, who, t))
    }

    /// Give `id` to `to`: its approval and listing go.
    fn move_token(&mut self, id: TokenId, to: u64) -> Outcome {
        if self.count_of(to) >= MAX_TOKENS as usize {
            return err(Error::TooManyTokens);
        }
        let t = self.tokens.get_mut(&id).expect("moved token exists");
        t.owner = to;
        t.approved = None;
        self.listings.remove(&id);
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        let out = self.apply_inner(op);
        let dispatched = !matches!(op, Op::Lock(..) | Op::Unlock(..) | Op::PauseEct | Op::RemoveIssuer);
        if out.is_ok() && dispatched {
            self.transactions += 1;
        }
        out
    }

    fn apply_inner(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Mint { issuer, to, rarity, empty_type } => {
                if !self.issuers.contains(&issuer) {
                    return err(Error::NotIssuer);
                }
                if !(1..=5).contains(&rarity) {
                    return err(Error::InvalidRarity);
                }
                if empty_type {
                    return err(Error::EmptyCertificateType);
                }
                if self.count_of(to) >= MAX_TOKENS as usize {
                    return err(Error::TooManyTokens);
                }
                self.minted += 1;
                let token = TokenM { owner: to, issuer, rarity, verified: true, locked: false, approved: None };
                self.tokens.insert(self.minted, token);
                Ok(())
            }
            Op::Transfer(ref caller, ref sel, to) => {
                let id = self.pick(sel);
                let who = self.caller(caller, id);
                let t = self.token(id)?;
                let authorized = who == t.owner || self.operators.contains(&(t.owner, who)) || t.approved == Some(who);
                if !authorized {
                    return err(Error::NotAuthorized);
                }
                if t.locked {
                    return err(Error::TokenLocked);
                }
                if t.owner == to {
                    return err(Error::TransferToSelf);
                }
                self.move_token(id, to)
            }
            Op::Approve(ref caller, ref sel, spender) => {
                let id = self.pick(sel);
                let who = self.caller(caller, id);
                let t = self.token(id)?;
                if who != t.owner && !self.operators.contains(&(t.owner, who)) {
                    return err(Error::NotAuthorized);
                }
                if t.locked {
                    return err(Error::TokenLocked);
                }
                if spender == Some(t.owner) {
                    return err(Error::ApproveToOwner);
                }
                self.tokens.get_mut(&id).expect("exists").approved = spender;
                Ok(())
            }
            Op::ApproveAll(owner, operator, approved) => {
                if owner == operator {
                    return err(Error::ApproveToCaller);
                }
                if approved {
                    self.operators.insert((owner, operator));
                } else {
                    self.operators.remove(&(owner, operator));
                }
                Ok(())
            }
            Op::Burn(ref caller, ref sel) => {
                let (id, _, _) = self.owned_unlocked(caller, sel)?;
                self.tokens.remove(&id);
                self.listings.remove(&id);
                Ok(())
            }
            Op::Revoke(by, ref sel) => {
                let id = self.pick(sel);
                if let Some(who) = by {
                    if !self.issuers.contains(&who) {
                        return err(Error::NotIssuer);
                    }
                }
                let t = self.token(id)?;
                if by.is_some_and(|who| who != t.issuer) {
                    return err(Error::NotTokenIssuer);
                }
                if !t.verified {
                    return err(Error::AlreadyRevoked);
                }
                self.tokens.get_mut(&id).expect("exists").verified = false;
                self.listings.remove(&id);
                Ok(())
            }
            Op::List(ref caller, ref sel, price) => {
                let (id, who, t) = self.owned_unlocked(caller, sel)?;
                if !t.verified {
                    return err(Error::CertificateRevoked);
                }
                if price == 0 {
                    return err(Error::ZeroPrice);
                }
                self.listings.insert(id, (who, price));
                Ok(())
            }
            Op::Cancel(ref caller, ref sel) => {
                let id = self.pick(sel);
                let who = self.caller(caller, id);
                let Some(&(seller, _)) = self.listings.get(&id) else { return err(Error::NotListed) };
                if seller != who {
                    return err(Error::NotOwner);
                }
                self.listings.remove(&id);
                Ok(())
            }
            Op::Buy(buyer, ref sel, ref max) => {
                let id = self.pick(sel);
                let Some(&(seller, price)) = self.listings.get(&id) else { return err(Error::NotListed) };
                if price > max.resolve(price) {
                    return err(Error::PriceTooHigh);
                }
                let t = self.token(id)?;
                if t.owner == buyer {
                    return err(Error::BuyOwnToken);
                }
                if t.locked {
                    return err(Error::TokenLocked);
                }
                if self.ect_paused {
                    return Err(pallet_ect::Error::<Test>::TokenPaused.into());
                }
                if price > self.ect[&buyer].saturating_sub(ED) {
                    return err(Error::InsufficientBalance);
                }
                self.move_token(id, buyer)?;
                *self.ect.get_mut(&buyer).expect("model account") -= price;
                *self.ect.get_mut(&seller).expect("model account") += price;
                Ok(())
            }
            Op::Lock(ref caller, ref sel) => {
                let (id, _, _) = self.owned_unlocked(caller, sel)?;
                let t = self.tokens.get_mut(&id).expect("exists");
                t.locked = true;
                t.approved = None;
                self.listings.remove(&id);
                Ok(())
            }
            Op::Unlock(ref sel, to) => {
                let id = self.pick(sel);
                let t = self.token(id)?;
                if !t.locked {
                    return err(Error::NotLocked);
                }
                if t.owner != to {
                    self.move_token(id, to)?;
                }
                self.tokens.get_mut(&id).expect("exists").locked = false;
                Ok(())
            }
            Op::PauseEct => {
                self.ect_paused = !self.ect_paused;
                Ok(())
            }
            Op::RemoveIssuer => {
                self.issuers.remove(&ISSUER2);
                Ok(())
            }
        }
    }

    fn pick(&self, sel: &TokenSel) -> TokenId {
        let from = |ids: Vec<TokenId>, k: usize| if ids.is_empty() { 999 } else { ids[k % ids.len()] };
        match *sel {
            TokenSel::Existing(k) => from(self.tokens.keys().copied().collect(), k),
            TokenSel::Listed(k) => from(self.listings.keys().copied().collect(), k),
            TokenSel::Locked(k) => from(self.tokens.iter().filter(|(_, t)| t.locked).map(|(id, _)| *id).collect(), k),
            TokenSel::Raw(id) => id,
        }
    }

    fn caller(&self, caller: &Caller, id: TokenId) -> u64 {
        match *caller {
            Caller::Owner => self.tokens.get(&id).map_or(ALICE, |t| t.owner),
            Caller::Approved => self.tokens.get(&id).and_then(|t| t.approved).unwrap_or(BOB),
            Caller::Account(a) => a,
        }
    }
}

#[derive(Debug, Clone)]
enum TokenSel {
    Existing(usize),
    Listed(usize),
    Locked(usize),
    Raw(TokenId),
}

#[derive(Debug, Clone)]
enum Caller {
    /// The token's owner (so owner-only calls succeed often enough to matter).
    Owner,
    /// The token's approved account, if any.
    Approved,
    Account(u64),
}

/// The most a buyer pays, relative to the listing's price.
#[derive(Debug, Clone)]
enum MaxPrice {
    Exact,
    Below,
    Above,
    Any,
}

impl MaxPrice {
    fn resolve(&self, price: u128) -> u128 {
        match self {
            MaxPrice::Exact => price,
            MaxPrice::Below => price.saturating_sub(1),
            MaxPrice::Above => price.saturating_add(ECT),
            MaxPrice::Any => u128::MAX,
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Mint {
        issuer: u64,
        to: u64,
        rarity: u8,
        empty_type: bool,
    },
    Transfer(Caller, TokenSel, u64),
    Approve(Caller, TokenSel, Option<u64>),
    ApproveAll(u64, u64, bool),
    Burn(Caller, TokenSel),
    /// `None`: the admin revokes.
    Revoke(Option<u64>, TokenSel),
    List(Caller, TokenSel, u128),
    Cancel(Caller, TokenSel),
    Buy(u64, TokenSel, MaxPrice),
    /// The bridge locks (`do_lock`) and unlocks (`do_unlock`).
    Lock(Caller, TokenSel),
    Unlock(TokenSel, u64),
    /// Toggle ECT's pause flag (admin).
    PauseEct,
    /// `ISSUER2` loses the issuer role.
    RemoveIssuer,
}

fn account() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 1u64..=4, 1 => Just(ISSUER)]
}

fn caller() -> impl Strategy<Value = Caller> {
    prop_oneof![5 => Just(Caller::Owner), 1 => Just(Caller::Approved), 2 => account().prop_map(Caller::Account)]
}

fn token(kind: fn(usize) -> TokenSel) -> impl Strategy<Value = TokenSel> {
    prop_oneof![8 => any::<usize>().prop_map(kind), 1 => (0u64..=20).prop_map(TokenSel::Raw)]
}

fn price() -> impl Strategy<Value = u128> {
    prop_oneof![0u128..=3, (1u128..=600).prop_map(|x| x * ECT), Just(1_000 * ECT - 1), Just(1_000 * ECT)]
}

fn op() -> impl Strategy<Value = Op> {
    let issuer = prop_oneof![4 => Just(ISSUER), 2 => Just(ISSUER2), 1 => Just(ALICE)];
    let rarity = prop_oneof![9 => 1u8..=5, 1 => Just(0u8), 1 => Just(6u8)];
    let empty_type = prop_oneof![9 => Just(false), 1 => Just(true)];
    let mint = (issuer.clone(), account(), rarity, empty_type).prop_map(|(issuer, to, rarity, empty_type)| Op::Mint {
        issuer,
        to,
        rarity,
        empty_type,
    });
    let spender = proptest::option::of(account());
    let revoker = prop_oneof![Just(None), issuer.prop_map(Some)];
    let max_price =
        prop_oneof![Just(MaxPrice::Exact), Just(MaxPrice::Below), Just(MaxPrice::Above), Just(MaxPrice::Any)];
    prop_oneof![
        4 => mint,
        3 => (caller(), token(TokenSel::Existing), account()).prop_map(|(c, t, b)| Op::Transfer(c, t, b)),
        2 => (caller(), token(TokenSel::Existing), spender).prop_map(|(c, t, b)| Op::Approve(c, t, b)),
        1 => (account(), account(), any::<bool>()).prop_map(|(a, b, x)| Op::ApproveAll(a, b, x)),
        1 => (caller(), token(TokenSel::Existing)).prop_map(|(c, t)| Op::Burn(c, t)),
        1 => (revoker, token(TokenSel::Existing)).prop_map(|(by, t)| Op::Revoke(by, t)),
        3 => (caller(), token(TokenSel::Existing), price()).prop_map(|(c, t, p)| Op::List(c, t, p)),
        1 => (caller(), token(TokenSel::Listed)).prop_map(|(c, t)| Op::Cancel(c, t)),
        4 => (account(), token(TokenSel::Listed), max_price).prop_map(|(a, t, m)| Op::Buy(a, t, m)),
        1 => (caller(), token(TokenSel::Existing)).prop_map(|(c, t)| Op::Lock(c, t)),
        1 => (token(TokenSel::Locked), account()).prop_map(|(t, a)| Op::Unlock(t, a)),
        1 => Just(Op::PauseEct),
        1 => Just(Op::RemoveIssuer),
    ]
}

fn run(model: &Model, op: &Op) -> Outcome {
    let signed = RuntimeOrigin::signed;
    let on = |caller: &Caller, sel: &TokenSel| {
        let id = model.pick(sel);
        (model.caller(caller, id), id)
    };
    match *op {
        Op::Mint { issuer, to, rarity, empty_type } => {
            let kind: &[u8] = if empty_type { b"" } else { b"solar" };
            Ecr::mint(signed(issuer), to, bytes(kind), 7, rarity, bytes(b"ipfs://c"))
        }
        Op::Transfer(ref c, ref t, to) => {
            let (who, id) = on(c, t);
            Ecr::transfer(signed(who), id, to)
        }
        Op::Approve(ref c, ref t, spender) => {
            let (who, id) = on(c, t);
            Ecr::approve(signed(who), id, spender)
        }
        Op::ApproveAll(owner, operator, approved) => Ecr::set_approval_for_all(signed(owner), operator, approved),
        Op::Burn(ref c, ref t) => {
            let (who, id) = on(c, t);
            Ecr::burn(signed(who), id)
        }
        Op::Revoke(by, ref t) => Ecr::revoke(by.map_or(RuntimeOrigin::root(), signed), model.pick(t)),
        Op::List(ref c, ref t, price) => {
            let (who, id) = on(c, t);
            Ecr::list(signed(who), id, price)
        }
        Op::Cancel(ref c, ref t) => {
            let (who, id) = on(c, t);
            Ecr::cancel(signed(who), id)
        }
        Op::Buy(buyer, ref t, ref max) => {
            let id = model.pick(t);
            let price = crate::Listings::<Test>::get(id).map_or(0, |l| l.price);
            Ecr::buy(signed(buyer), id, max.resolve(price))
        }
        Op::Lock(ref c, ref t) => {
            let (who, id) = on(c, t);
            Ecr::do_lock(id, &who).map(|_| ())
        }
        Op::Unlock(ref t, to) => Ecr::do_unlock(model.pick(t), &to),
        Op::PauseEct => {
            if pallet_ect::Paused::<Test>::get() {
                Ect::unpause(RuntimeOrigin::root())
            } else {
                Ect::pause(RuntimeOrigin::root())
            }
        }
        Op::RemoveIssuer => {
            remove_issuer(ISSUER2);
            Ok(())
        }
    }
}

fn assert_matches(model: &Model, step: usize, op: &Op) {
    let ctx = |what: &str| format!("step {step} {op:?}: {what}");
    let mut holders = 0;
    for who in ACCOUNTS {
        assert_eq!(Balances::free_balance(who), model.ect[&who], "{}", ctx(&format!("ECT of {who}")));
        let ids: Vec<TokenId> = Ecr::certificates(&who).into_iter().map(|(id, _)| id).collect();
        let expected: Vec<TokenId> = model.tokens.iter().filter(|(_, t)| t.owner == who).map(|(id, _)| *id).collect();
        assert_eq!(ids, expected, "{}", ctx(&format!("certificates of {who}")));
        assert_eq!(Ecr::balance_of(&who), expected.len() as u32, "{}", ctx("balance_of"));
        holders += u64::from(!expected.is_empty());
        for operator in ACCOUNTS {
            assert_eq!(
                Ecr::is_approved_for_all(&who, &operator),
                model.operators.contains(&(who, operator)),
                "{}",
                ctx(&format!("operator {who}->{operator}"))
            );
        }
    }
    for id in 1..=model.minted + 1 {
        let actual = Ecr::verify(id).map(|r| (r.owner, r.issuer, r.rarity, r.verified, r.locked));
        let expected = model.tokens.get(&id).map(|t| (t.owner, t.issuer, t.rarity, t.verified, t.locked));
        assert_eq!(actual, expected, "{}", ctx(&format!("certificate {id}")));
        let approved = model.tokens.get(&id).and_then(|t| t.approved);
        assert_eq!(Ecr::approved(id), approved, "{}", ctx(&format!("approval of {id}")));
    }
    let listings: Vec<(TokenId, u64, u128)> =
        Ecr::listings().into_iter().map(|l| (l.token_id, l.seller, l.price)).collect();
    let expected: Vec<(TokenId, u64, u128)> = model.listings.iter().map(|(id, (s, p))| (*id, *s, *p)).collect();
    assert_eq!(listings, expected, "{}", ctx("listings"));
    assert_eq!(Ecr::total_supply(), model.tokens.len() as u64, "{}", ctx("total supply"));
    assert_eq!(Balances::total_issuance(), 3_000 * ECT, "{}", ctx("ECR never creates or destroys ECT"));
    assert_eq!(Ecr::holders(), holders, "{}", ctx("holders"));
    assert_eq!(Ecr::transactions(), model.transactions, "{}", ctx("transactions"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Random mixes of mint, transfer (by owner, operator or approved),
    /// approve, approve-for-all, burn, revoke, list / buy (with `max_price`
    /// below, at and above the price) / cancel, bridge lock / unlock, ECT pause
    /// and issuer removal leave the pallet exactly where the model is.
    #[test]
    fn ecr_matches_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        ExtBuilder::default().build_and_execute(|| {
            let mut model = Model::new();
            for (step, op) in ops.iter().enumerate() {
                let actual = run(&model, op);
                let expected = model.apply(op);
                assert_eq!(actual, expected, "step {step}: {op:?}");
                check_invariants();
                assert_matches(&model, step + 1, op);
            }
        });
    }
}
