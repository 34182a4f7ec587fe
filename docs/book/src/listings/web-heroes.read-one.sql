SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id", "team"."name", "team"."headquarters", "team"."id" FROM "hero" LEFT JOIN "team" ON "team"."id" = "hero"."team_id" WHERE "hero"."id" = ? ORDER BY "team"."id" ASC
    params: [1]
SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id", "team"."name", "team"."headquarters", "team"."id" FROM "hero" LEFT JOIN "team" ON "team"."id" = "hero"."team_id" WHERE "hero"."id" = ? ORDER BY "team"."id" ASC
    params: [9000]
