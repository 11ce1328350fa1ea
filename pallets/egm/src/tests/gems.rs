use crate::{mock::*, Error, Event, GemCount, GemStats, Gems, HeldValue, LastGemId, OwnedGems, VipStatus};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;

#[test]
fn mint_numbers_gems_from_one() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(LastGemId::<Test>::get(), 0);
        assert_ok!(Egm::mint(RuntimeOrigin::signed(MINTER), ALICE, bounded(b"emerald"), 5, 150, bounded(b"ipfs://e")));
        System::assert_has_event(Event::GemMinted { gem: 1, minter: MINTER, to: ALICE, rarity: 5, value: 150 }.into());
        let gem = Egm::gem(1).expect("gem 1 exists");
        assert_eq!(gem.owner, ALICE);
        assert_eq!(gem.minter, MINTER);
        assert_eq!(gem.gem_type, b"emerald".to_vec());
        assert_eq!(gem.rarity, 5);
        assert_eq!(gem.value, 150);
        assert_eq!(gem.metadata, b"ipfs://e".to_vec());
        assert_eq!(gem.minted_at, START_MS);
        assert_eq!(mint_gem(ALICE, 10), 2);
        assert_eq!(mint_gem(BOB, 10), 3);
        let ids: Vec<u64> = Egm::gems(&ALICE).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, vec![1, 2]);
        assert_eq!(HeldValue::<Test>::get(ALICE), 160);
        assert_eq!(Egm::stats(), GemStats { minted: 3, live: 3, total_value: 170 });
    });
}

#[test]
fn mint_requires_the_minter_role() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Egm::mint(RuntimeOrigin::signed(ALICE), ALICE, bounded(b"ruby"), 1, 10, bounded(b"")),
            Error::<Test>::NotMinter
        );
        assert_noop!(
            Egm::mint(RuntimeOrigin::root(), ALICE, bounded(b"ruby"), 1, 10, bounded(b"")),
            DispatchError::BadOrigin
        );
    });
}

#[test]
fn mint_checks_rarity() {
    ExtBuilder::default().build_and_execute(|| {
        for rarity in [0u8, 6, 255] {
            assert_noop!(
                Egm::mint(RuntimeOrigin::signed(MINTER), ALICE, bounded(b"ruby"), rarity, 10, bounded(b"")),
                Error::<Test>::InvalidRarity
            );
        }
        for rarity in 1u8..=5 {
            assert_ok!(Egm::mint(RuntimeOrigin::signed(MINTER), ALICE, bounded(b"ruby"), rarity, 10, bounded(b"")));
        }
    });
}

#[test]
fn mint_refuses_a_full_owner_and_overflow() {
    ExtBuilder::default().build_and_execute(|| {
        for _ in 0..MaxGemsPerOwner::get() {
            mint_gem(ALICE, 1);
        }
        assert_noop!(
            Egm::mint(RuntimeOrigin::signed(MINTER), ALICE, bounded(b"ruby"), 1, 1, bounded(b"")),
            Error::<Test>::TooManyGems
        );
        mint_gem(BOB, u128::MAX - 10);
        assert_noop!(
            Egm::mint(RuntimeOrigin::signed(MINTER), BOB, bounded(b"ruby"), 1, 11, bounded(b"")),
            Error::<Test>::Overflow
        );
        // The global total overflows as well.
        assert_noop!(
            Egm::mint(RuntimeOrigin::signed(MINTER), CHARLIE, bounded(b"ruby"), 1, 11, bounded(b"")),
            Error::<Test>::Overflow
        );
    });
}

#[test]
fn transfer_moves_the_gem_and_its_value() {
    ExtBuilder::default().build_and_execute(|| {
        let gem = mint_gem(ALICE, 600);
        let other = mint_gem(ALICE, 50);
        assert_eq!(Egm::vip_status(&ALICE).status, VipStatus::Silver);
        assert_ok!(Egm::transfer(RuntimeOrigin::signed(ALICE), gem, BOB));
        System::assert_has_event(Event::GemTransferred { gem, from: ALICE, to: BOB, value: 600 }.into());
        System::assert_has_event(
            Event::VipStatusChanged { who: ALICE, from: VipStatus::Silver, to: VipStatus::None }.into(),
        );
        System::assert_last_event(
            Event::VipStatusChanged { who: BOB, from: VipStatus::None, to: VipStatus::Silver }.into(),
        );
        assert_eq!(Egm::gem(gem).expect("exists").owner, BOB);
        assert_eq!(OwnedGems::<Test>::get(ALICE).into_inner(), vec![other]);
        assert_eq!(OwnedGems::<Test>::get(BOB).into_inner(), vec![gem]);
        assert_eq!(HeldValue::<Test>::get(ALICE), 50);
        assert_eq!(HeldValue::<Test>::get(BOB), 600);
        // The last gem leaving an account removes its index and value entries.
        assert_ok!(Egm::transfer(RuntimeOrigin::signed(ALICE), other, BOB));
        assert!(!OwnedGems::<Test>::contains_key(ALICE));
        assert!(!HeldValue::<Test>::contains_key(ALICE));
        assert_eq!(Egm::gems(&ALICE), vec![]);
    });
}

#[test]
fn transfer_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let gem = mint_gem(ALICE, 10);
        assert_noop!(Egm::transfer(RuntimeOrigin::signed(ALICE), 99, BOB), Error::<Test>::UnknownGem);
        assert_noop!(Egm::transfer(RuntimeOrigin::signed(BOB), gem, CHARLIE), Error::<Test>::NotGemOwner);
        assert_noop!(Egm::transfer(RuntimeOrigin::signed(ALICE), gem, ALICE), Error::<Test>::TransferToSelf);
        assert_noop!(Egm::transfer(RuntimeOrigin::root(), gem, BOB), DispatchError::BadOrigin);
        for _ in 0..MaxGemsPerOwner::get() {
            mint_gem(BOB, 1);
        }
        assert_noop!(Egm::transfer(RuntimeOrigin::signed(ALICE), gem, BOB), Error::<Test>::TooManyGems);
    });
}

#[test]
fn burn_destroys_the_gem() {
    ExtBuilder::default().build_and_execute(|| {
        let gem = mint_gem(ALICE, 120);
        assert_eq!(Egm::vip_status(&ALICE).status, VipStatus::Bronze);
        assert_ok!(Egm::burn(RuntimeOrigin::signed(ALICE), gem));
        System::assert_has_event(Event::GemBurned { gem, owner: ALICE, value: 120 }.into());
        System::assert_last_event(
            Event::VipStatusChanged { who: ALICE, from: VipStatus::Bronze, to: VipStatus::None }.into(),
        );
        assert!(!Gems::<Test>::contains_key(gem));
        assert!(Egm::gem(gem).is_none());
        assert_eq!(HeldValue::<Test>::get(ALICE), 0);
        assert_eq!(GemCount::<Test>::get(), 0);
        assert_eq!(Egm::stats(), GemStats { minted: 1, live: 0, total_value: 0 });
        // Ids are never reused.
        assert_eq!(mint_gem(ALICE, 1), 2);
    });
}

#[test]
fn burn_errors() {
    ExtBuilder::default().build_and_execute(|| {
        let gem = mint_gem(ALICE, 10);
        assert_noop!(Egm::burn(RuntimeOrigin::signed(ALICE), 42), Error::<Test>::UnknownGem);
        assert_noop!(Egm::burn(RuntimeOrigin::signed(BOB), gem), Error::<Test>::NotGemOwner);
        assert_noop!(Egm::burn(RuntimeOrigin::signed(MINTER), gem), Error::<Test>::NotGemOwner);
        assert_noop!(Egm::burn(RuntimeOrigin::root(), gem), DispatchError::BadOrigin);
    });
}

#[test]
fn try_state_detects_a_broken_value_total() {
    ExtBuilder::default().build().execute_with(|| {
        mint_gem(ALICE, 10);
        assert!(Egm::do_try_state().is_ok());
        HeldValue::<Test>::insert(ALICE, 11);
        assert!(Egm::do_try_state().is_err());
        HeldValue::<Test>::insert(ALICE, 10);
        OwnedGems::<Test>::mutate(BOB, |o| o.try_push(1).expect("room"));
        assert!(Egm::do_try_state().is_err());
    });
}

#[test]
fn holders_and_transactions_are_counted() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!((Egm::holders(), Egm::transactions()), (0, 0));
        let a = mint_gem(ALICE, 10);
        let b = mint_gem(ALICE, 20);
        assert_eq!((Egm::holders(), Egm::transactions()), (1, 2));
        assert_ok!(Egm::transfer(RuntimeOrigin::signed(ALICE), a, BOB));
        assert_eq!((Egm::holders(), Egm::transactions()), (2, 3));
        assert_noop!(Egm::burn(RuntimeOrigin::signed(ALICE), a), Error::<Test>::NotGemOwner);
        assert_ok!(Egm::burn(RuntimeOrigin::signed(ALICE), b));
        assert_eq!((Egm::holders(), Egm::transactions()), (1, 4));
    });
}
