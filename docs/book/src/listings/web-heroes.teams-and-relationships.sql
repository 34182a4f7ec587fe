BEGIN IMMEDIATE
INSERT INTO "team" ("name", "headquarters") VALUES (?, ?) RETURNING "name", "headquarters", "id"
    params: ["Preventers", "Sharp Tower"]
COMMIT
SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [1]
BEGIN IMMEDIATE
UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "name", "secret_name", "age", "team_id", "id"
    params: [1, 1]
COMMIT
SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id", "team"."name", "team"."headquarters", "team"."id" FROM "hero" LEFT JOIN "team" ON "team"."id" = "hero"."team_id" WHERE "hero"."id" = ? ORDER BY "team"."id" ASC
    params: [1]
SELECT "team"."name", "team"."headquarters", "team"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "team" LEFT JOIN "hero" ON "hero"."team_id" = "team"."id" WHERE "team"."id" = ? ORDER BY "hero"."id" ASC
    params: [1]
SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN IMMEDIATE
UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "name", "secret_name", "age", "team_id", "id"
    params: [42, 2]
    error: database error [SQLITE_CONSTRAINT_FOREIGNKEY]: FOREIGN KEY constraint failed (constraint `FOREIGN KEY`) in `UPDATE "hero" SET "team_id" = ? WHERE "hero"."id" = ? RETURNING "name", "secret_name", "age", "team_id", "id"`
SELECT 1 FROM "team" WHERE "id" = ? LIMIT 1
    params: [42]
