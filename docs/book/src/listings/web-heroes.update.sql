SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN IMMEDIATE
UPDATE "hero" SET "age" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: [16, 2]
COMMIT
