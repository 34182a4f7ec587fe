SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" ORDER BY "hero"."id" ASC LIMIT 3 OFFSET 0
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" ORDER BY "hero"."id" ASC LIMIT 3 OFFSET 3
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" ORDER BY "hero"."id" ASC LIMIT 3 OFFSET 6
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" > ? ORDER BY "hero"."id" ASC LIMIT 2 OFFSET 1
    params: [32]
