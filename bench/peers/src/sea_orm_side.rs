//! SeaORM: an entity, `find_by_id`, `ActiveModel::insert` in a transaction, `find().filter()`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use crate::{ROUNDS, create_sql, emit, per_op_async, seed_sql};

mod hero {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "hero")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub secret_name: String,
        pub age: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) async fn run(url: &str, postgres: bool) {
    let backend = if postgres { "postgres" } else { "sqlite" };
    let (get_n, write_n, filter_n) = if postgres { (500, 100, 100) } else { (2000, 200, 200) };
    let db = Database::connect(url).await.unwrap();
    for statement in create_sql(postgres).split("; ") {
        db.execute_unprepared(statement).await.unwrap();
    }
    if !postgres {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await.unwrap();
    }
    db.execute_unprepared(&seed_sql()).await.unwrap();

    let mut samples = Vec::new();
    for round in 0..ROUNDS {
        samples.push(
            per_op_async(get_n, async |i| {
                let id = ((i as usize + round) % 1000 + 1) as i64;
                std::hint::black_box(hero::Entity::find_by_id(id).one(&db).await.unwrap().unwrap());
            })
            .await,
        );
    }
    emit(backend, "get by key", "sea-orm", &samples);

    let mut samples = Vec::new();
    for _ in 0..ROUNDS {
        samples.push(
            per_op_async(filter_n, async |_| {
                let rows = hero::Entity::find()
                    .filter(hero::Column::Age.gte(10))
                    .order_by_asc(hero::Column::Name)
                    .limit(100)
                    .all(&db)
                    .await
                    .unwrap();
                std::hint::black_box(rows);
            })
            .await,
        );
    }
    emit(backend, "filter+order+limit 100", "sea-orm", &samples);

    let mut samples = Vec::new();
    for _ in 0..ROUNDS {
        samples.push(
            per_op_async(write_n, async |_| {
                let txn = db.begin().await.unwrap();
                let h = hero::ActiveModel {
                    name: Set("n".to_owned()),
                    secret_name: Set("s".to_owned()),
                    age: Set(Some(1)),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .unwrap();
                txn.commit().await.unwrap();
                std::hint::black_box(h);
            })
            .await,
        );
    }
    emit(backend, "insert one + commit", "sea-orm", &samples);
}
