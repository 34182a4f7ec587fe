//! Compile-fail tests: the mistakes the type system and the derive must reject, with the
//! messages a user sees.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}
