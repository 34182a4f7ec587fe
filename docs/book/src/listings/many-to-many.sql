BEGIN IMMEDIATE
CREATE TABLE IF NOT EXISTS "team" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "headquarters" VARCHAR NOT NULL )
CREATE TABLE IF NOT EXISTS "hero" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "secret_name" VARCHAR NOT NULL, "age" INTEGER NULL )
CREATE TABLE IF NOT EXISTS "heroteamlink" ( "team_id" INTEGER NOT NULL, "hero_id" INTEGER NOT NULL, "is_training" BOOLEAN NOT NULL, PRIMARY KEY ("team_id", "hero_id"), FOREIGN KEY ("team_id") REFERENCES "team" ("id"), FOREIGN KEY ("hero_id") REFERENCES "hero" ("id") )
COMMIT
BEGIN IMMEDIATE
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Z-Force", "Sister Margaret's Bar"]
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Preventers", "Sharp Tower"]
INSERT INTO "hero" ("name", "secret_name", "age") VALUES (?, ?, ?) RETURNING "id", "name", "secret_name", "age"
    params: ["Deadpond", "Dive Wilson", NULL]
INSERT INTO "heroteamlink" ("team_id", "hero_id", "is_training") VALUES (?, ?, ?) RETURNING "team_id", "hero_id", "is_training"
    params: [1, 1, false]
INSERT INTO "heroteamlink" ("team_id", "hero_id", "is_training") VALUES (?, ?, ?) RETURNING "team_id", "hero_id", "is_training"
    params: [2, 1, true]
INSERT INTO "hero" ("name", "secret_name", "age") VALUES (?, ?, ?) RETURNING "id", "name", "secret_name", "age"
    params: ["Spider-Boy", "Pedro Parqueador", NULL]
INSERT INTO "heroteamlink" ("team_id", "hero_id", "is_training") VALUES (?, ?, ?) RETURNING "team_id", "hero_id", "is_training"
    params: [2, 2, true]
INSERT INTO "hero" ("name", "secret_name", "age") VALUES (?, ?, ?) RETURNING "id", "name", "secret_name", "age"
    params: ["Rusty-Man", "Tommy Sharp", 48]
INSERT INTO "heroteamlink" ("team_id", "hero_id", "is_training") VALUES (?, ?, ?) RETURNING "team_id", "hero_id", "is_training"
    params: [2, 3, false]
COMMIT
SELECT "team"."id", "team"."name", "team"."headquarters" FROM "team" ORDER BY "team"."id" ASC
SELECT "heroteamlink"."team_id", "heroteamlink"."hero_id", "heroteamlink"."is_training" FROM "heroteamlink" WHERE "heroteamlink"."team_id" IN (?, ?) ORDER BY "heroteamlink"."team_id" ASC, "heroteamlink"."hero_id" ASC
    params: [1, 2]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."id" IN (?) ORDER BY "hero"."id" ASC
    params: [1]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."id" IN (?, ?, ?) ORDER BY "hero"."id" ASC
    params: [1, 2, 3]
SELECT "heroteamlink"."team_id", "heroteamlink"."hero_id", "heroteamlink"."is_training" FROM "heroteamlink" INNER JOIN "hero" ON "heroteamlink"."hero_id" = "hero"."id" WHERE "hero"."name" = ? LIMIT 2
    params: ["Spider-Boy"]
BEGIN IMMEDIATE
UPDATE "heroteamlink" SET "is_training" = ? WHERE "heroteamlink"."team_id" = ? AND "heroteamlink"."hero_id" = ? RETURNING "team_id", "hero_id", "is_training"
    params: [false, 2, 2]
COMMIT
