use ecochain_primitives::{Role, RoleProvider as _};
use frame_support::{assert_noop, assert_ok, dispatch::DispatchInfo};
use pallet_permissions::mock::*;
use pallet_permissions::{CheckAllowListed, Error, Event, ACCOUNT_NOT_ALLOWED};
use sp_runtime::{
    traits::DispatchTransaction,
    transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
    DispatchError,
};

fn validate(who: u64) -> Result<(), TransactionValidityError> {
    let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
    CheckAllowListed::<Test>::new()
        .validate_only(Some(who).into(), &call, &DispatchInfo::default(), 0, TransactionSource::External, 0)
        .map(|_| ())
}

#[test]
fn allow_list_off_accepts_everyone() {
    ExtBuilder::default().build_and_execute(|| {
        assert_ok!(validate(OUTSIDER));
    });
}

#[test]
fn allow_list_on_refuses_outsiders_at_validation() {
    ExtBuilder::default().allow_list().build_and_execute(|| {
        assert_eq!(validate(OUTSIDER), Err(InvalidTransaction::Custom(ACCOUNT_NOT_ALLOWED).into()));
        assert_ok!(validate(4));
        assert_ok!(validate(V1)); // validators are always allowed
        assert_ok!(Permissions::add_account(RuntimeOrigin::root(), OUTSIDER));
        assert_eq!(last_event(), Event::AccountAdded { who: OUTSIDER }.into());
        assert_ok!(validate(OUTSIDER));
        assert_ok!(Permissions::remove_account(RuntimeOrigin::root(), OUTSIDER));
        assert_eq!(last_event(), Event::AccountRemoved { who: OUTSIDER }.into());
        assert!(validate(OUTSIDER).is_err());
        assert_ok!(Permissions::set_account_allow_list(RuntimeOrigin::root(), false));
        assert_eq!(last_event(), Event::AccountAllowListSet { enabled: false }.into());
        assert_ok!(validate(OUTSIDER));
    });
}

#[test]
fn account_list_errors() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Permissions::add_account(RuntimeOrigin::root(), 4), Error::<Test>::AccountAlreadyAllowed);
        assert_noop!(Permissions::remove_account(RuntimeOrigin::root(), 7), Error::<Test>::AccountNotAllowed);
        assert_noop!(Permissions::add_account(RuntimeOrigin::signed(V1), 7), DispatchError::BadOrigin);
        assert_noop!(Permissions::set_account_allow_list(RuntimeOrigin::signed(V1), true), DispatchError::BadOrigin);
    });
}

const OTHER: &[u8] = b"12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo";

#[test]
fn node_allow_list() {
    ExtBuilder::default().build_and_execute(|| {
        assert!(Permissions::is_node_allowed(b"12D3KooWGenesisNode"));
        assert!(!Permissions::is_node_allowed(OTHER));
        assert_ok!(Permissions::add_node(RuntimeOrigin::root(), OTHER.to_vec()));
        assert_eq!(last_event(), Event::NodeAdded { peer_id: OTHER.to_vec() }.into());
        assert!(Permissions::is_node_allowed(OTHER));
        assert_eq!(Permissions::allowed_nodes().len(), 2);
        assert_noop!(Permissions::add_node(RuntimeOrigin::root(), OTHER.to_vec()), Error::<Test>::NodeAlreadyAllowed);
        assert_noop!(Permissions::add_node(RuntimeOrigin::root(), vec![]), Error::<Test>::BadPeerId);
        assert_noop!(Permissions::add_node(RuntimeOrigin::root(), vec![b'a'; 65]), Error::<Test>::BadPeerId);
        assert_noop!(Permissions::add_node(RuntimeOrigin::root(), b"12D3KooWOther".to_vec()), Error::<Test>::BadPeerId);
        assert_noop!(
            Permissions::add_node(RuntimeOrigin::root(), b"12D3KooW0000000000000000000000000000000000".to_vec()),
            Error::<Test>::BadPeerId
        );
        assert_ok!(Permissions::remove_node(RuntimeOrigin::root(), OTHER.to_vec()));
        assert_eq!(last_event(), Event::NodeRemoved { peer_id: OTHER.to_vec() }.into());
        assert_noop!(Permissions::remove_node(RuntimeOrigin::root(), OTHER.to_vec()), Error::<Test>::NodeNotAllowed);
        assert_noop!(Permissions::add_node(RuntimeOrigin::signed(V1), b"x".to_vec()), DispatchError::BadOrigin);
    });
}

#[test]
fn roles() {
    ExtBuilder::default().build_and_execute(|| {
        assert!(Permissions::has_role(&5, Role::Oracle));
        assert!(!Permissions::has_role(&5, Role::Minter));
        assert_ok!(Permissions::grant_role(RuntimeOrigin::root(), 5, Role::Minter));
        assert_eq!(last_event(), Event::RoleGranted { who: 5, role: Role::Minter }.into());
        assert_eq!(Permissions::roles_of(&5).len(), 2);
        assert_noop!(
            Permissions::grant_role(RuntimeOrigin::root(), 5, Role::Minter),
            Error::<Test>::RoleAlreadyGranted
        );
        assert_ok!(Permissions::revoke_role(RuntimeOrigin::root(), 5, Role::Oracle));
        assert_eq!(last_event(), Event::RoleRevoked { who: 5, role: Role::Oracle }.into());
        assert!(!Permissions::has_role(&5, Role::Oracle));
        assert_noop!(Permissions::revoke_role(RuntimeOrigin::root(), 5, Role::Oracle), Error::<Test>::RoleNotGranted);
        assert_noop!(Permissions::grant_role(RuntimeOrigin::signed(V1), 5, Role::Relayer), DispatchError::BadOrigin);
    });
}

#[test]
fn signed_transactions_longer_than_the_cap_are_refused() {
    use pallet_permissions::TRANSACTION_TOO_LARGE;
    ExtBuilder::default().build_and_execute(|| {
        let call = RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 4096] });
        let check = |len: usize| {
            CheckAllowListed::<Test>::new()
                .validate_only(Some(4).into(), &call, &DispatchInfo::default(), len, TransactionSource::External, 0)
                .map(|_| ())
        };
        assert_ok!(check(2048));
        assert_eq!(check(2049), Err(InvalidTransaction::Custom(TRANSACTION_TOO_LARGE).into()));
        // Unsigned (bare) transactions are left to their own checks: not refused for their length here.
        let bare = CheckAllowListed::<Test>::new()
            .validate_only(
                frame_system::RawOrigin::None.into(),
                &call,
                &DispatchInfo::default(),
                1 << 20,
                TransactionSource::External,
                0,
            )
            .map(|_| ());
        assert_ne!(bare, Err(InvalidTransaction::Custom(TRANSACTION_TOO_LARGE).into()));
    });
}
