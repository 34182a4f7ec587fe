SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN IMMEDIATE
UPDATE "hero" SET "age" = ? WHERE "hero"."id" = ? RETURNING "name", "secret_name", "age", "team_id", "id"
    params: [16, 2]
COMMIT
