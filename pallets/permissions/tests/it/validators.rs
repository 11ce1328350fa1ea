use frame_support::{assert_noop, assert_ok};
use pallet_permissions::mock::*;
use pallet_permissions::{Error, Event, NextChange};
use sp_runtime::DispatchError;

#[test]
fn add_validator_takes_effect_at_the_scheduled_height() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4)));
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
        assert_noop!(Permissions::add_validator(RuntimeOrigin::signed(V1), 4, key(4)), DispatchError::BadOrigin);
        assert_noop!(Permissions::add_validator(RuntimeOrigin::root(), V1, key(9)), Error::<Test>::AlreadyValidator);
        assert_noop!(
            Permissions::add_validator(RuntimeOrigin::root(), 4, key(1)),
            Error::<Test>::DuplicateConsensusKey
        );
        assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), 4, key(4)));
        assert_noop!(Permissions::add_validator(RuntimeOrigin::root(), 5, key(5)), Error::<Test>::ChangePending);
        assert_noop!(Permissions::remove_validator(RuntimeOrigin::root(), V1), Error::<Test>::ChangePending);
    });
}

#[test]
fn set_is_bounded() {
    ExtBuilder::default().build_and_execute(|| {
        for n in 4..=8u8 {
            assert_ok!(Permissions::add_validator(RuntimeOrigin::root(), u64::from(n), key(n)));
            run_to_block(System::block_number() + 5);
        }
        assert_eq!(validator_accounts().len(), 8);
        assert_noop!(Permissions::add_validator(RuntimeOrigin::root(), 9, key(9)), Error::<Test>::TooManyValidators);
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
