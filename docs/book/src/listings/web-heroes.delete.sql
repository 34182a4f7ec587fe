SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [3]
BEGIN IMMEDIATE
DELETE FROM "hero" WHERE "hero"."id" = ?
    params: [3]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [3]
