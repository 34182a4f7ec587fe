SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" ORDER BY "hero"."id" ASC LIMIT 1 OFFSET 1
