SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [3]
BEGIN IMMEDIATE
DELETE FROM "hero" WHERE "hero"."id" = ?
    params: [3]
COMMIT
SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [3]
