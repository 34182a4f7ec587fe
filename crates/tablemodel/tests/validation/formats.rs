//! `format = "email"` and `format = "url"`, behind the `email` and `url` cargo features.

use serde_json::json;
use tablemodel::Schema;
use tablemodel::prelude::*;

#[derive(Model, Debug)]
struct Contact {
    #[field(format = "email")]
    email: String,
    #[field(format = "url")]
    homepage: Option<String>,
}

#[test]
fn good_addresses_and_urls_pass() {
    let c =
        Contact::validate(&json!({"email": "dive.wilson@example.com", "homepage": "https://example.com/x"})).unwrap();
    assert_eq!(c.email, "dive.wilson@example.com");
    assert!(Contact::validate(&json!({"email": "a@b.co", "homepage": null})).is_ok());
}

#[test]
fn bad_ones_are_reported_together() {
    let err = Contact::validate(&json!({"email": "not-an-email", "homepage": "example.com"})).unwrap_err();
    let errors = err.errors();
    assert_eq!(errors.len(), 2, "{err}");
    assert_eq!((errors[0].kind.as_ref(), &errors[0].input), ("value_error", &json!("not-an-email")));
    assert!(errors[0].msg.starts_with("value is not a valid email address: "), "{}", errors[0].msg);
    assert_eq!(errors[1].kind, "url_parsing");
    assert_eq!(errors[1].msg, "Input should be a valid URL, relative URL without a base");
}

#[test]
fn formats_appear_in_the_schema() {
    let schema = Contact::model_json_schema();
    assert_eq!(schema["properties"]["email"]["format"], "email");
    assert_eq!(schema["properties"]["homepage"]["anyOf"][0]["format"], "uri");
}
