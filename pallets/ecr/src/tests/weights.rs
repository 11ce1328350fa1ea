use crate::{mock::Test, weights::SubstrateWeight, WeightInfo};

#[test]
fn weights_are_positive_and_fit_a_block() {
    type W = SubstrateWeight<Test>;
    let all = [
        W::mint(),
        W::transfer(),
        W::approve(),
        W::set_approval_for_all(),
        W::burn(),
        W::revoke(),
        W::list(),
        W::cancel(),
        W::buy(),
    ];
    for w in all {
        assert!(w.ref_time() > 0);
        assert!(w.proof_size() > 0 && w.proof_size() < 64 * 1024);
    }
    // Sales touch the most state.
    assert!(W::buy().all_gte(W::transfer()));
}
