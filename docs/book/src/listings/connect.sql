BEGIN IMMEDIATE
CREATE TABLE IF NOT EXISTS "team" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "headquarters" VARCHAR NOT NULL )
CREATE INDEX IF NOT EXISTS "ix_team_name" ON "team" ("name")
CREATE TABLE IF NOT EXISTS "hero" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "secret_name" VARCHAR NOT NULL, "age" INTEGER NULL, "team_id" INTEGER NULL, FOREIGN KEY ("team_id") REFERENCES "team" ("id") )
CREATE INDEX IF NOT EXISTS "ix_hero_name" ON "hero" ("name")
CREATE INDEX IF NOT EXISTS "ix_hero_age" ON "hero" ("age")
COMMIT
BEGIN IMMEDIATE
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Preventers", "Sharp Tower"]
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Z-Force", "Sister Margaret's Bar"]
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Deadpond", "Dive Wilson", NULL, 2, "Rusty-Man", "Tommy Sharp", 48, 1, "Spider-Boy", "Pedro Parqueador", NULL, NULL]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "team"."id", "team"."name", "team"."headquarters" FROM "hero" INNER JOIN "team" ON "hero"."team_id" = "team"."id" ORDER BY "hero"."id" ASC
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "team"."id", "team"."name", "team"."headquarters" FROM "hero" LEFT JOIN "team" ON "hero"."team_id" = "team"."id" ORDER BY "hero"."id" ASC
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" INNER JOIN "team" ON "hero"."team_id" = "team"."id" WHERE "team"."name" = ? ORDER BY "hero"."id" ASC
    params: ["Preventers"]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Spider-Boy"]
BEGIN IMMEDIATE
UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: [1, 3]
COMMIT
BEGIN IMMEDIATE
UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: [NULL, 3]
COMMIT
