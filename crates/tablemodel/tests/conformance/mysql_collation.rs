//! What `eq` on strings does on MySQL, as the README documents it: the default collation
//! compares case-insensitively, a binary collation exactly.

use tablemodel::prelude::*;

#[derive(Model, Debug)]
#[model(table)]
pub(crate) struct Loose {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    pub(crate) name: String,
}

#[derive(Model, Debug)]
#[model(table)]
pub(crate) struct Exact {
    #[field(primary_key)]
    pub(crate) id: Option<i64>,
    #[field(sql_type = "VARCHAR(255) COLLATE utf8mb4_bin")]
    pub(crate) name: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn string_equality_follows_the_column_collation() {
    let engine = Engine::connect(&tablemodel_testkit::mysql_url()).await.unwrap();
    engine.create_all::<(Loose, Exact)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    s.add(Loose { id: None, name: "Deadpond".into() }).await.unwrap();
    s.add(Exact { id: None, name: "Deadpond".into() }).await.unwrap();
    s.commit().await.unwrap();
    let loose = s.all(select::<Loose>().filter(Loose::name().eq("deadpond"))).await.unwrap();
    assert_eq!(loose.len(), 1, "the default collation ignores case");
    let exact = s.all(select::<Exact>().filter(Exact::name().eq("deadpond"))).await.unwrap();
    assert!(exact.is_empty(), "a binary collation compares exactly");
    let exact = s.all(select::<Exact>().filter(Exact::name().eq("Deadpond"))).await.unwrap();
    assert_eq!(exact.len(), 1);
}

/// `eq_exact` finds only the exact spelling on every backend, also where `eq` ignores case
/// and accents (MariaDB's default collation).
mod eq_exact {
    use super::Loose;
    use tablemodel::prelude::*;

    tablemodel_testkit::on_every_backend!(compares_character_for_character);

    async fn compares_character_for_character(engine: Engine) {
        engine.create_all::<(Loose,)>().await.unwrap();
        let mut s = engine.session().await.unwrap();
        for name in ["Deadpond", "deadpond", "Déadpond"] {
            s.add(Loose { id: None, name: name.into() }).await.unwrap();
        }
        s.commit().await.unwrap();
        let names = |rows: Vec<Loose>| rows.into_iter().map(|h| h.name).collect::<Vec<_>>();
        let loose = s.all(select::<Loose>().filter(Loose::name().eq("deadpond")).order_by(Loose::id())).await.unwrap();
        if engine.dialect() == Dialect::Mysql {
            assert_eq!(
                names(loose),
                ["Deadpond", "deadpond", "Déadpond"],
                "the default collation ignores case and accents"
            );
        } else {
            assert_eq!(names(loose), ["deadpond"]);
        }
        for name in ["Deadpond", "deadpond", "Déadpond"] {
            let exact = s.all(select::<Loose>().filter(Loose::name().eq_exact(name))).await.unwrap();
            assert_eq!(names(exact), [name]);
        }
        assert!(s.all(select::<Loose>().filter(Loose::name().eq_exact("DEADPOND"))).await.unwrap().is_empty());
    }
}
