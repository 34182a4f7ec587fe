SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" ORDER BY "hero"."id" ASC LIMIT 1 OFFSET 1
