//! Compile-time diagnostics of `#[observe]`: every invalid use is rejected
//! with an error at the offending token, and every option compiles.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
