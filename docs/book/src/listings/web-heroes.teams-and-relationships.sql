BEGIN IMMEDIATE
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "id", "name", "headquarters"
    params: ["Preventers", "Sharp Tower"]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [1]
BEGIN IMMEDIATE
UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: [1, 1]
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
BEGIN IMMEDIATE
UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: [42, 2]
    error: database error [SQLITE_CONSTRAINT_FOREIGNKEY]: FOREIGN KEY constraint failed (constraint `FOREIGN KEY`) in `UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"`
SELECT 1 FROM "team" WHERE "id" = ? LIMIT 1
    params: [42]
