SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [1]
SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [9000]
