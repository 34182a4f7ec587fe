SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" ORDER BY "hero"."id" ASC LIMIT ? OFFSET ?
    params: [3, 0]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" ORDER BY "hero"."id" ASC LIMIT ? OFFSET ?
    params: [3, 3]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" ORDER BY "hero"."id" ASC LIMIT ? OFFSET ?
    params: [3, 6]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" > ? ORDER BY "hero"."id" ASC LIMIT ? OFFSET ?
    params: [32, 2, 1]
