use frame_support::{assert_noop, assert_ok};
use pallet_permissions::mock::*;
use pallet_permissions::{Error, Event, NextChange};
use sp_runtime::DispatchError;

#[test]
fn add_validator_takes_effect_at_the_scheduled_height() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(4)));
        assert_eq!(last_event(), Event::ValidatorChangeScheduled { at: 6, validators: vec![V1, V2, V3, 4] }.into());
        run_to_block(5);
        assert_eq!(validator_accounts(), vec![V1, V2, V3]);
        run_to_block(6);
        assert_eq!(validator_accounts(), vec![V1, V2, V3, 4]);
        assert_eq!(last_event(), Event::ValidatorSetChanged { validators: vec![V1, V2, V3, 4] }.into());
        assert!(NextChange::<Test>::get().is_none());
    });
}

#[test]
fn add_validator_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::signed(V1), 4, key(4), bridge(4)),
            DispatchError::BadOrigin
        );
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::root(), V1, key(9), bridge(9)),
            Error::<Test>::AlreadyValidator
        );
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::root(), 4, key(1), bridge(1)),
            Error::<Test>::DuplicateConsensusKey
        );
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(4)));
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::root(), 5, key(5), bridge(5)),
            Error::<Test>::ChangePending
        );
        assert_noop!(Permissions::remove_validator(RuntimeOrigin::root(), V1), Error::<Test>::ChangePending);
    });
}

#[test]
fn set_is_bounded() {
    ExtBuilder::default().build_and_execute(|| {
        for n in 4..=8u8 {
            assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), u64::from(n), key(n), bridge(n)));
            run_to_block(System::block_number() + 5);
            Permissions::note_author(key(n), System::block_number());
        }
        assert_eq!(validator_accounts().len(), 8);
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::root(), 9, key(9), bridge(9)),
            Error::<Test>::TooManyValidators
        );
    });
}

#[test]
fn remove_validator_and_never_empty() {
    ExtBuilder::default().validators(vec![(V1, key(1)), (V2, key(2))]).build_and_execute(|| {
        assert_noop!(Permissions::remove_validator(RuntimeOrigin::root(), 7), Error::<Test>::NotValidator);
        assert_ok!(Permissions::remove_validator(RuntimeOrigin::root(), V2));
        run_to_block(6);
        assert_eq!(validator_accounts(), vec![V1]);
        assert_noop!(Permissions::remove_validator(RuntimeOrigin::root(), V1), Error::<Test>::WouldEmptySet);
    });
}

#[test]
#[should_panic(expected = "at least one validator")]
fn genesis_without_validators_is_refused() {
    ExtBuilder::default().validators(vec![]).build();
}

#[test]
#[should_panic(expected = "appears twice")]
fn genesis_with_duplicate_keys_is_refused() {
    ExtBuilder::default().validators(vec![(V1, key(1)), (V2, key(1))]).build();
}

#[test]
fn a_change_that_would_lose_quorum_is_refused() {
    ExtBuilder::default().validators(vec![(V1, key(1)), (V2, key(2)), (V3, key(3)), (4, key(4))]).build_and_execute(
        || {
            // Everyone authors for a while, except validator 4, who goes quiet.
            for n in 2..=40u64 {
                run_to_block(n);
                for v in 1..=3u8 {
                    Permissions::note_author(key(v), n);
                }
            }
            // 5 validators need 4 online: 3 online + the newcomer is enough...
            assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 5, key(5), bridge(5)));
            pallet_permissions::NextChange::<Test>::kill();
            // ...but with validator 3 quiet too, 2 + the newcomer is not.
            for n in 41..=80u64 {
                run_to_block(n);
                Permissions::note_author(key(1), n);
                Permissions::note_author(key(2), n);
            }
            assert_noop!(
                Permissions::add_validator(RuntimeOrigin::root(), 5, key(5), bridge(5)),
                Error::<Test>::WouldLoseQuorum
            );
            for n in 81..=82u64 {
                run_to_block(n);
                Permissions::note_author(key(3), n);
            }
            // Removing an online validator leaves 2 online of 3 (quorum 3): refused.
            assert_noop!(Permissions::remove_validator(RuntimeOrigin::root(), V1), Error::<Test>::WouldLoseQuorum);
            // Removing the quiet one leaves 3 online of 3: fine.
            assert_ok!(Permissions::remove_validator(RuntimeOrigin::root(), 4));
        },
    );
}

#[test]
fn the_author_digest_marks_a_validator_online() {
    use frame_support::traits::Hooks;
    ExtBuilder::default().build_and_execute(|| {
        run_to_block(50);
        assert!(!Permissions::is_online(&key(1), 3));
        System::deposit_log(sp_runtime::DigestItem::PreRuntime(pallet_permissions::AUTHOR_ENGINE, key(1).to_vec()));
        Permissions::on_initialize(50);
        assert!(Permissions::is_online(&key(1), 3));
        assert_eq!(pallet_permissions::LastAuthored::<Test>::get(key(1)), Some(50));
    });
}

#[test]
fn bridge_keys_follow_the_set_and_rotate_at_once() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(Permissions::bridge_keys(), vec![bridge(1), bridge(2), bridge(3)]);
        // A key is set on add and counts once the validator joins.
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(4)));
        assert_eq!(Permissions::bridge_keys(), vec![bridge(1), bridge(2), bridge(3)]);
        assert!(take_key_changes().is_empty());
        run_to_block(6);
        assert_eq!(take_key_changes(), vec![vec![bridge(1), bridge(2), bridge(3), bridge(4)]]);
        // Rotation takes effect at once and is reported.
        assert_ok!(Permissions::set_bridge_key(RuntimeOrigin::signed(V2), bridge(9)));
        assert_eq!(last_event(), Event::BridgeKeySet { who: V2, key: bridge(9) }.into());
        assert_eq!(take_key_changes(), vec![vec![bridge(1), bridge(3), bridge(4), bridge(9)]]);
        // Setting the same key again changes nothing.
        assert_ok!(Permissions::set_bridge_key(RuntimeOrigin::signed(V2), bridge(9)));
        assert!(take_key_changes().is_empty());
        // A removed validator's key stops counting when the removal takes effect.
        for n in 1..=4 {
            Permissions::note_author(key(n), 6);
        }
        assert_ok!(Permissions::remove_validator(RuntimeOrigin::root(), V3));
        run_to_block(11);
        assert_eq!(take_key_changes(), vec![vec![bridge(1), bridge(4), bridge(9)]]);
    });
}

#[test]
fn bridge_key_errors() {
    ExtBuilder::default().build_and_execute(|| {
        // Not a validator, a zero key, another validator's key (current or scheduled).
        assert_noop!(Permissions::set_bridge_key(RuntimeOrigin::signed(7), bridge(7)), Error::<Test>::NotValidator);
        assert_noop!(Permissions::set_bridge_key(RuntimeOrigin::signed(V1), bridge(0)), Error::<Test>::BadBridgeKey);
        assert_noop!(Permissions::set_bridge_key(RuntimeOrigin::signed(V1), bridge(2)), Error::<Test>::BadBridgeKey);
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(3)),
            Error::<Test>::BadBridgeKey
        );
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(0)),
            Error::<Test>::BadBridgeKey
        );
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4), bridge(4)));
        assert_noop!(Permissions::set_bridge_key(RuntimeOrigin::signed(V1), bridge(4)), Error::<Test>::BadBridgeKey);
        assert!(take_key_changes().is_empty());
    });
}
