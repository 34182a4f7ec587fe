//! Every input of the fixture gives exactly Pydantic's answer: the same error list (type,
//! loc, msg, input, ctx, in the same order), or the same dumped value.

use tablemodel::Schema;

use crate::models::{Profile, fixture};

#[test]
fn every_input_gets_pydantics_answer() {
    let fixture = fixture();
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30, "the fixture holds the whole table");
    let mut mismatches = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let got = match Profile::validate_json(input) {
            Ok(profile) => serde_json::json!({"ok": profile.dump()}),
            Err(errors) => serde_json::json!({"errors": errors.to_json()}),
        };
        let want = match case.get("ok") {
            Some(ok) => serde_json::json!({"ok": ok}),
            None => serde_json::json!({"errors": case["errors"]}),
        };
        if got != want {
            mismatches.push(format!("{name}:\n  input {input}\n  ours     {got}\n  pydantic {want}"));
        }
    }
    assert!(mismatches.is_empty(), "{} case(s) differ from Pydantic:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn errors_display_like_pydantic() {
    let err = Profile::validate_json(r#"{"name": ""}"#).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("7 validation errors for Profile\nname\n  String should have at least 1 character"),
        "{text}"
    );
    assert!(text.contains("\nage\n  Field required [type=missing"), "{text}");
}

#[test]
fn serde_deserialize_validates_too() {
    let err = serde_json::from_str::<Profile>(r#"{"name": "x"}"#).unwrap_err();
    assert!(err.to_string().contains("Field required"), "{err}");
}
