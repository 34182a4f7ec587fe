SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" <= ? LIMIT 1
    params: [35]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" < ? LIMIT 1
    params: [25]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Deadpond"]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."age" <= ? LIMIT 2
    params: [35]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Nobody"]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."id" = ?
    params: [1]
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."id" = ?
    params: [9001]
