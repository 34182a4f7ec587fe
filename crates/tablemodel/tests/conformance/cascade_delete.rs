//! SQLModel's cascade-delete chapter, variants 001–005: what deleting a team does to its
//! heroes under `cascade_delete`, `ondelete` SET NULL (by the ORM, then by the database
//! with `passive_deletes`) and RESTRICT, on SQLite (foreign keys on) and PostgreSQL.

use tablemodel::DbErrorKind;
use tablemodel::prelude::*;

use tablemodel_testkit::{SqlLog, on_every_backend};

macro_rules! models {
    ($module:ident, $ondelete:literal, $($rel:tt)*) => {
        mod $module {
            use tablemodel::prelude::*;

            #[derive(Model, Debug, Clone, PartialEq)]
            #[model(table)]
            pub(crate) struct Team {
                #[field(primary_key)]
                pub(crate) id: Option<i64>,
                pub(crate) name: String,
                pub(crate) headquarters: String,
                #[relationship(back_populates = "team", $($rel)*)]
                pub(crate) heroes: Related<Vec<Hero>>,
            }

            #[derive(Model, Debug, Clone, PartialEq)]
            #[model(table)]
            pub(crate) struct Hero {
                #[field(primary_key)]
                pub(crate) id: Option<i64>,
                pub(crate) name: String,
                pub(crate) secret_name: String,
                #[field(foreign_key = "team.id", ondelete = $ondelete)]
                pub(crate) team_id: Option<i64>,
                #[relationship(back_populates = "heroes")]
                pub(crate) team: Related<Option<Team>>,
            }

            /// The chapter's data: Wakaland with Black Lion and Princess Sure-E, and a hero
            /// of another team.
            pub(crate) async fn seed(engine: &Engine) -> Session {
                engine.create_all::<(Team, Hero)>().await.unwrap();
                let mut s = engine.session().await.unwrap();
                let hero = |name: &str, secret: &str| Hero {
                    id: None, name: name.into(), secret_name: secret.into(), team_id: None, team: Related::NotLoaded,
                };
                s.add(Team {
                    id: None, name: "Preventers".into(), headquarters: "Sharp Tower".into(),
                    heroes: Related::from(vec![hero("Rusty-Man", "Tommy Sharp")]),
                }).await.unwrap();
                s.add(Team {
                    id: None, name: "Wakaland".into(), headquarters: "Wakaland Capital City".into(),
                    heroes: Related::from(vec![hero("Black Lion", "Trevor Challa"), hero("Princess Sure-E", "Sure-E")]),
                }).await.unwrap();
                s.commit().await.unwrap();
                s
            }

            pub(crate) async fn wakaland(s: &mut Session) -> Team {
                s.one(select::<Team>().filter(Team::name().eq("Wakaland"))).await.unwrap()
            }

            pub(crate) async fn hero_named(s: &mut Session, name: &str) -> Option<Hero> {
                s.first(select::<Hero>().filter(Hero::name().eq(name))).await.unwrap()
            }
        }
    };
}

models!(cascade, "CASCADE", cascade_delete);
models!(set_null, "SET NULL",);
models!(passive_set_null, "SET NULL", passive_deletes = "all");
models!(restrict, "RESTRICT", passive_deletes = "all");

/// The INSERT, UPDATE and DELETE statements of the log, in order.
fn data_changes(log: &SqlLog) -> Vec<String> {
    let changes = ["INSERT", "UPDATE", "DELETE"];
    log.statements().into_iter().filter(|sql| changes.iter().any(|k| sql.starts_with(k))).collect()
}

/// 001: `cascade_delete`: deleting the team deletes its heroes.
async fn tutorial001_cascade_delete(engine: Engine) {
    use cascade::*;
    let mut s = seed(&engine).await;
    let team = wakaland(&mut s).await;
    s.delete(&team).await.unwrap();
    s.commit().await.unwrap();
    assert!(hero_named(&mut s, "Black Lion").await.is_none());
    assert!(hero_named(&mut s, "Princess Sure-E").await.is_none());
    assert!(hero_named(&mut s, "Rusty-Man").await.is_some(), "other teams' heroes stay");
}

/// 002: `ondelete = "SET NULL"` without passive deletes: the ORM clears the heroes' key
/// with an UPDATE before it deletes the team.
async fn tutorial002_set_null_by_the_orm(engine: Engine) {
    use set_null::*;
    let mut s = seed(&engine).await;
    let team = wakaland(&mut s).await;
    let log = SqlLog::capture();
    s.delete(&team).await.unwrap();
    s.commit().await.unwrap();
    let writes = data_changes(&log);
    assert_eq!(writes.len(), 2, "the heroes' UPDATE, then the team's DELETE: {writes:#?}");
    assert!(writes[0].starts_with(r#"UPDATE "hero" SET "team_id" = "#), "{writes:#?}");
    assert!(writes[1].starts_with(r#"DELETE FROM "team""#), "{writes:#?}");
    for name in ["Black Lion", "Princess Sure-E"] {
        assert_eq!(hero_named(&mut s, name).await.unwrap().team_id, None, "{name} has no team");
    }
}

/// 003: `passive_deletes`: the ORM sends only the team's DELETE and the database's
/// ON DELETE SET NULL clears the heroes' key.
async fn tutorial003_set_null_by_the_database(engine: Engine) {
    use passive_set_null::*;
    let mut s = seed(&engine).await;
    let team = wakaland(&mut s).await;
    let log = SqlLog::capture();
    s.delete(&team).await.unwrap();
    s.commit().await.unwrap();
    let writes = data_changes(&log);
    assert_eq!(writes.len(), 1, "only the team's DELETE, no UPDATE of the heroes: {writes:#?}");
    assert!(writes[0].starts_with(r#"DELETE FROM "team""#), "{writes:#?}");
    for name in ["Black Lion", "Princess Sure-E"] {
        assert_eq!(hero_named(&mut s, name).await.unwrap().team_id, None, "{name} has no team");
    }
}

/// 004: RESTRICT: deleting a team that still has heroes is an integrity error naming the
/// constraint; the session rolls back and goes on.
async fn tutorial004_restrict_refuses(engine: Engine) {
    use restrict::*;
    let mut s = seed(&engine).await;
    let team = wakaland(&mut s).await;
    let Err(Error::Database(db)) = s.delete(&team).await else { panic!("RESTRICT must refuse the delete") };
    assert_eq!(db.kind, DbErrorKind::ForeignKeyViolation, "{db:?}");
    assert_eq!(db.constraint.as_deref(), Some("hero_team_id_fkey"), "the same name on every backend");
    assert_eq!(db.table.as_deref(), Some("hero"), "the table holding the key");
    s.rollback().await.unwrap();
    assert_eq!(wakaland(&mut s).await.name, "Wakaland", "nothing was deleted");
    assert_eq!(hero_named(&mut s, "Black Lion").await.unwrap().team_id, team.id);
}

/// 005: RESTRICT, after the heroes are moved out of the team the delete succeeds.
async fn tutorial005_restrict_after_clearing(engine: Engine) {
    use restrict::*;
    let mut s = seed(&engine).await;
    let mut team = wakaland(&mut s).await;
    s.load(&mut team, Team::heroes()).await.unwrap();
    team.heroes = Related::from(vec![]);
    s.save(&mut team).await.unwrap();
    s.delete(&team).await.unwrap();
    s.commit().await.unwrap();
    assert!(s.first(select::<Team>().filter(Team::name().eq("Wakaland"))).await.unwrap().is_none());
    for name in ["Black Lion", "Princess Sure-E"] {
        assert_eq!(hero_named(&mut s, name).await.unwrap().team_id, None, "{name} has no team");
    }
}

on_every_backend!(
    tutorial001_cascade_delete,
    tutorial002_set_null_by_the_orm,
    tutorial003_set_null_by_the_database,
    tutorial004_restrict_refuses,
    tutorial005_restrict_after_clearing,
);
