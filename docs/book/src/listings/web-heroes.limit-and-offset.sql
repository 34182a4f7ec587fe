SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" ORDER BY "hero"."id" ASC LIMIT ? OFFSET ?
    params: [1, 1]
