BEGIN IMMEDIATE
CREATE TABLE IF NOT EXISTS "team" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "headquarters" VARCHAR NOT NULL )
CREATE INDEX IF NOT EXISTS "ix_team_name" ON "team" ("name")
CREATE TABLE IF NOT EXISTS "hero" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "secret_name" VARCHAR NOT NULL, "age" INTEGER NULL, "team_id" INTEGER NULL, FOREIGN KEY ("team_id") REFERENCES "team" ("id") ON DELETE CASCADE )
CREATE INDEX IF NOT EXISTS "ix_hero_name" ON "hero" ("name")
CREATE INDEX IF NOT EXISTS "ix_hero_age" ON "hero" ("age")
COMMIT
BEGIN IMMEDIATE
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Z-Force", "Sister Margaret's Bar"]
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Deadpond", "Dive Wilson", NULL, 1]
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Wakaland", "Wakaland Capital City"]
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Black Lion", "Trevor Challa", 35, 2]
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Princess Sure-E", "Sure-E", NULL, 2]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Deadpond"]
SELECT "team"."id", "team"."name", "team"."headquarters" FROM "team" WHERE "team"."id" IN (?) ORDER BY "team"."id" ASC
    params: [1]
SELECT "team"."id", "team"."name", "team"."headquarters" FROM "team" ORDER BY "team"."id" ASC
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."team_id" IN (?, ?) ORDER BY "hero"."id" ASC
    params: [1, 2]
BEGIN IMMEDIATE
UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: [NULL, 1]
COMMIT
BEGIN IMMEDIATE
DELETE FROM "hero" WHERE "hero"."team_id" = ?
    params: [2]
DELETE FROM "team" WHERE "team"."id" = ?
    params: [2]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" ORDER BY "hero"."id" ASC
