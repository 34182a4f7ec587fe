//! Property tests: any value inside the constraints validates and round-trips through
//! JSON unchanged; any value outside is rejected with the error at the field's `loc`.

use proptest::prelude::*;
use serde_json::json;
use tablemodel::Schema;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
struct Item {
    #[field(min_length = 1, max_length = 10)]
    name: String,
    #[field(ge = -5, le = 500)]
    quantity: i32,
    #[field(ge = 0.0)]
    weight: Option<f64>,
    tags: Vec<String>,
}

proptest! {
    #[test]
    fn valid_items_round_trip(
        name in "\\PC{1,10}",
        quantity in -5i32..=500,
        weight in proptest::option::of(0.0f64..1e9),
        tags in proptest::collection::vec("\\PC{0,5}", 0..4),
    ) {
        let item = Item { name, quantity, weight, tags };
        let back = Item::validate_json(serde_json::to_vec(&item).unwrap()).unwrap();
        prop_assert_eq!(back, item);
    }

    #[test]
    fn out_of_range_quantities_fail_at_quantity(quantity in prop_oneof![i64::MIN..-5i64, 501i64..i64::MAX]) {
        let err = Item::validate(&json!({"name": "x", "quantity": quantity, "tags": []})).unwrap_err();
        prop_assert_eq!(err.errors().len(), 1);
        prop_assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), json!(["quantity"]));
        let kind = err.errors()[0].kind.to_string();
        prop_assert!(["greater_than_equal", "less_than_equal", "int_parsing_size"].contains(&kind.as_str()), "{}", kind);
    }

    #[test]
    fn too_long_names_fail_at_name(name in "\\PC{11,40}") {
        let err = Item::validate(&json!({"name": name, "quantity": 1, "tags": []})).unwrap_err();
        prop_assert_eq!(err.errors()[0].kind.as_ref(), "string_too_long");
        prop_assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), json!(["name"]));
    }

    #[test]
    fn a_bad_tag_is_located_by_index(position in 0usize..5, bad in any::<i64>()) {
        let mut tags: Vec<serde_json::Value> = (0..5).map(|i| json!(format!("t{i}"))).collect();
        tags[position] = json!(bad);
        let err = Item::validate(&json!({"name": "x", "quantity": 1, "tags": tags})).unwrap_err();
        prop_assert_eq!(serde_json::to_value(&err.errors()[0].loc).unwrap(), json!(["tags", position]));
    }
}
