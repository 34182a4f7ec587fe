//! SQLModel's many-to-many chapter, 001–003: heroes in several teams through a link table,
//! adding and removing links, and a link model with its own `is_training` column reachable
//! from both sides; on SQLite and PostgreSQL.

use tablemodel::prelude::*;

use tablemodel_testkit::on_every_backend;

mod plain {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct HeroTeamLink {
        #[field(primary_key, foreign_key = "team.id")]
        pub(crate) team_id: Option<i64>,
        #[field(primary_key, foreign_key = "hero.id")]
        pub(crate) hero_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct Team {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        pub(crate) headquarters: String,
        #[relationship(back_populates = "teams", link_model = HeroTeamLink)]
        pub(crate) heroes: Related<Vec<Hero>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        pub(crate) secret_name: String,
        pub(crate) age: Option<i32>,
        #[relationship(back_populates = "heroes", link_model = HeroTeamLink)]
        pub(crate) teams: Related<Vec<Team>>,
    }

    pub(crate) fn team(name: &str, hq: &str) -> Team {
        Team { id: None, name: name.into(), headquarters: hq.into(), heroes: Related::NotLoaded }
    }

    pub(crate) fn hero(name: &str, secret: &str, age: Option<i32>, teams: Vec<Team>) -> Hero {
        Hero { id: None, name: name.into(), secret_name: secret.into(), age, teams: Related::from(teams) }
    }
}

fn team_names(teams: &[plain::Team]) -> Vec<&str> {
    teams.iter().map(|t| t.name.as_str()).collect()
}

fn hero_names(heroes: &[plain::Hero]) -> Vec<&str> {
    heroes.iter().map(|h| h.name.as_str()).collect()
}

async fn seed_plain(engine: &Engine) -> Session {
    use plain::*;
    engine.create_all::<(Team, Hero, HeroTeamLink)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let z_force = s.add(team("Z-Force", "Sister Margaret's Bar")).await.unwrap();
    let preventers = s.add(team("Preventers", "Sharp Tower")).await.unwrap();
    s.add(hero("Deadpond", "Dive Wilson", None, vec![z_force, preventers.clone()])).await.unwrap();
    s.add(hero("Rusty-Man", "Tommy Sharp", Some(48), vec![preventers.clone()])).await.unwrap();
    s.add(hero("Spider-Boy", "Pedro Parqueador", None, vec![preventers])).await.unwrap();
    s.commit().await.unwrap();
    s
}

/// 001: heroes created with their teams; both sides load through the link table.
async fn tutorial001_create_with_links(engine: Engine) {
    use plain::*;
    let mut s = seed_plain(&engine).await;
    let links = s.exec(select::<HeroTeamLink>()).await.unwrap();
    assert_eq!(links.len(), 4);
    let heroes = s.exec(select::<Hero>().order_by(Hero::id()).load(Hero::teams())).await.unwrap();
    let teams: Vec<(&str, Vec<&str>)> =
        heroes.iter().map(|h| (h.name.as_str(), team_names(h.teams.get().unwrap()))).collect();
    assert_eq!(
        teams,
        [
            ("Deadpond", vec!["Z-Force", "Preventers"]),
            ("Rusty-Man", vec!["Preventers"]),
            ("Spider-Boy", vec!["Preventers"])
        ]
    );
    let preventers = s.exec(select::<Team>().filter(Team::name().eq("Preventers")).load(Team::heroes())).await.unwrap();
    assert_eq!(hero_names(preventers[0].heroes.get().unwrap()), ["Deadpond", "Rusty-Man", "Spider-Boy"]);
    // Many-to-many back-references are not filled: only the loaded owners would be listed.
    assert!(preventers[0].heroes.get().unwrap().iter().all(|h| !h.teams.is_loaded()));
}

/// 002: appending to one side adds a link row; removing deletes it.
async fn tutorial002_update_links(engine: Engine) {
    use plain::*;
    let mut s = seed_plain(&engine).await;
    let spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    let mut z_force = s.one(select::<Team>().filter(Team::name().eq("Z-Force"))).await.unwrap();
    s.load(&mut z_force, Team::heroes()).await.unwrap();
    z_force.heroes.get_mut().unwrap().push(spider.clone());
    s.save(&mut z_force).await.unwrap();
    s.commit().await.unwrap();
    let mut spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    s.load(&mut spider, Hero::teams()).await.unwrap();
    assert_eq!(team_names(spider.teams.get().unwrap()), ["Z-Force", "Preventers"]);

    spider.teams.get_mut().unwrap().retain(|t| t.name != "Z-Force");
    s.save(&mut spider).await.unwrap();
    s.commit().await.unwrap();
    s.load(&mut z_force, Team::heroes()).await.unwrap();
    assert_eq!(hero_names(z_force.heroes.get().unwrap()), ["Deadpond"]);
    s.load(&mut spider, Hero::teams()).await.unwrap();
    assert_eq!(team_names(spider.teams.get().unwrap()), ["Preventers"]);
    assert_eq!(s.exec(select::<HeroTeamLink>()).await.unwrap().len(), 4);

    // Deleting a hero deletes its link rows.
    let deadpond = s.one(select::<Hero>().filter(Hero::name().eq("Deadpond"))).await.unwrap();
    s.delete(&deadpond).await.unwrap();
    s.commit().await.unwrap();
    assert_eq!(s.exec(select::<HeroTeamLink>()).await.unwrap().len(), 2);
}

mod with_extra {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table, table_name = "heroteamlink")]
    pub(crate) struct HeroTeamLink {
        #[field(primary_key, foreign_key = "team.id")]
        pub(crate) team_id: Option<i64>,
        #[field(primary_key, foreign_key = "hero.id")]
        pub(crate) hero_id: Option<i64>,
        #[field(default = false)]
        pub(crate) is_training: bool,
        #[relationship(back_populates = "hero_links")]
        pub(crate) team: Related<Team>,
        #[relationship(back_populates = "team_links")]
        pub(crate) hero: Related<Hero>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct Team {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        pub(crate) headquarters: String,
        #[relationship(back_populates = "team")]
        pub(crate) hero_links: Related<Vec<HeroTeamLink>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table)]
    pub(crate) struct Hero {
        #[field(primary_key)]
        pub(crate) id: Option<i64>,
        pub(crate) name: String,
        pub(crate) secret_name: String,
        pub(crate) age: Option<i32>,
        #[relationship(back_populates = "hero")]
        pub(crate) team_links: Related<Vec<HeroTeamLink>>,
    }

    pub(crate) fn link(team: &Team, hero: Hero, is_training: bool) -> HeroTeamLink {
        HeroTeamLink {
            team_id: None,
            hero_id: None,
            is_training,
            team: Related::from(team.clone()),
            hero: Related::from(hero),
        }
    }

    pub(crate) fn hero(name: &str, secret: &str, age: Option<i32>) -> Hero {
        Hero { id: None, name: name.into(), secret_name: secret.into(), age, team_links: Related::NotLoaded }
    }

    pub(crate) fn team(name: &str, hq: &str) -> Team {
        Team { id: None, name: name.into(), headquarters: hq.into(), hero_links: Related::NotLoaded }
    }
}

/// 003: a link model with `is_training`, created through its two relationships, read from
/// both sides, and updated through a hero's links.
async fn tutorial003_link_model_with_extra_field(engine: Engine) {
    use with_extra::*;
    engine.create_all::<(Team, Hero, HeroTeamLink)>().await.unwrap();
    let mut s = engine.session().await.unwrap();
    let z_force = s.add(team("Z-Force", "Sister Margaret's Bar")).await.unwrap();
    let preventers = s.add(team("Preventers", "Sharp Tower")).await.unwrap();
    let deadpond = s.add(hero("Deadpond", "Dive Wilson", None)).await.unwrap();
    s.add(link(&z_force, deadpond.clone(), false)).await.unwrap();
    s.add(link(&preventers, deadpond, true)).await.unwrap();
    s.add(link(&preventers, hero("Spider-Boy", "Pedro Parqueador", None), true)).await.unwrap();
    s.add(link(&preventers, hero("Rusty-Man", "Tommy Sharp", Some(48)), false)).await.unwrap();
    s.commit().await.unwrap();

    let teams = s
        .exec(select::<Team>().order_by(Team::id()).load(Team::hero_links().then(HeroTeamLink::hero())))
        .await
        .unwrap();
    // Loading the links fills each link's `team` from the team it was loaded for.
    for team in &teams {
        assert!(team.hero_links.get().unwrap().iter().all(|l| l.team.get().is_some_and(|t| t.name == team.name)));
    }
    let seen: Vec<(&str, Vec<(&str, bool)>)> = teams
        .iter()
        .map(|t| {
            let links = t.hero_links.get().unwrap();
            (t.name.as_str(), links.iter().map(|l| (l.hero.get().unwrap().name.as_str(), l.is_training)).collect())
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("Z-Force", vec![("Deadpond", false)]),
            ("Preventers", vec![("Deadpond", true), ("Spider-Boy", true), ("Rusty-Man", false)]),
        ]
    );

    // Spider-Boy joins Z-Force in training, then finishes training at the Preventers.
    let spider = s.one(select::<Hero>().filter(Hero::name().eq("Spider-Boy"))).await.unwrap();
    let mut z_force = teams[0].clone();
    z_force.hero_links.get_mut().unwrap().push(link(&teams[0], spider.clone(), true));
    s.save(&mut z_force).await.unwrap();
    s.commit().await.unwrap();

    let mut spider = s
        .exec(
            select::<Hero>().filter(Hero::name().eq("Spider-Boy")).load(Hero::team_links().then(HeroTeamLink::team())),
        )
        .await
        .unwrap()
        .remove(0);
    for l in spider.team_links.get_mut().unwrap() {
        if l.team.get().unwrap().name == "Preventers" {
            l.is_training = false;
        }
    }
    s.save(&mut spider).await.unwrap();
    s.commit().await.unwrap();
    let links = s
        .exec(
            select::<HeroTeamLink>().filter(HeroTeamLink::hero_id().eq(spider.id.unwrap())).load(HeroTeamLink::team()),
        )
        .await
        .unwrap();
    let mut training: Vec<(String, bool)> =
        links.iter().map(|l| (l.team.get().unwrap().name.clone(), l.is_training)).collect();
    training.sort();
    assert_eq!(training, [("Preventers".to_owned(), false), ("Z-Force".to_owned(), true)]);
}

on_every_backend!(tutorial001_create_with_links, tutorial002_update_links, tutorial003_link_model_with_extra_field);
