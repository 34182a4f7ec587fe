//! The example app's models are found by the registry from a program that links the app
//! but names none of its models, the way the `db` subcommands find them.

use heroes as _;

#[test]
fn the_registry_holds_team_and_hero() {
    let schema = tablemodel::registry::schema().unwrap();
    let names: Vec<&str> = schema.tables.keys().map(String::as_str).collect();
    assert_eq!(names, ["hero", "team"]);
    let hero = schema.table("hero").unwrap();
    assert_eq!(hero.foreign_keys[0].referenced_table, "team");
    assert_eq!(hero.indexes.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["ix_hero_name", "ix_hero_age"]);
}
