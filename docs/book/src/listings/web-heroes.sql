BEGIN
CREATE TABLE IF NOT EXISTS "team" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "headquarters" VARCHAR NOT NULL )
CREATE INDEX IF NOT EXISTS "ix_team_name" ON "team" ("name")
CREATE TABLE IF NOT EXISTS "hero" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "secret_name" VARCHAR NOT NULL, "age" INTEGER NULL, "team_id" INTEGER NULL, FOREIGN KEY ("team_id") REFERENCES "team" ("id") ON DELETE SET NULL )
CREATE INDEX IF NOT EXISTS "ix_hero_name" ON "hero" ("name")
CREATE INDEX IF NOT EXISTS "ix_hero_age" ON "hero" ("age")
COMMIT
BEGIN
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Deadpond", "Dive Wilson", NULL, NULL]
COMMIT
BEGIN
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Spider-Boy", "Pedro Parqueador", NULL, NULL]
COMMIT
BEGIN
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Rusty-Man", "Tommy Sharp", 48, NULL]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [1]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [9000]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" ORDER BY "hero"."id" ASC LIMIT ? OFFSET ?
    params: [1, 1]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN
UPDATE "hero" SET "name" = ?, "secret_name" = ?, "age" = ?, "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Spider-Boy", "Pedro Parqueador", 16, NULL, 2]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [3]
BEGIN
DELETE FROM "hero" WHERE "hero"."id" = ?
    params: [3]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [3]
BEGIN
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Preventers", "Sharp Tower"]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [1]
BEGIN
UPDATE "hero" SET "name" = ?, "secret_name" = ?, "age" = ?, "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Deadpond", "Dive Wilson", NULL, 1, 1]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [1]
SELECT "team"."id", "team"."name", "team"."headquarters" FROM "team" WHERE "team"."id" IN (?) ORDER BY "team"."id" ASC
    params: [1]
SELECT "team"."id", "team"."name", "team"."headquarters" FROM "team" WHERE "team"."id" = ?
    params: [1]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."team_id" IN (?) ORDER BY "hero"."id" ASC
    params: [1]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN
UPDATE "hero" SET "name" = ?, "secret_name" = ?, "age" = ?, "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Spider-Boy", "Pedro Parqueador", 16, 42, 2]
    error: database error [SQLITE_CONSTRAINT_FOREIGNKEY]: FOREIGN KEY constraint failed (constraint `FOREIGN KEY`) in `UPDATE "hero" SET "name" = ?, "secret_name" = ?, "age" = ?, "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"`
SELECT 1 FROM "team" WHERE "id" = ? LIMIT 1
    params: [42]
