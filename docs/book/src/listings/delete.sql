SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Spider-Boy"]
BEGIN IMMEDIATE
DELETE FROM "hero" WHERE "hero"."id" = ?
    params: [2]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Spider-Boy"]
BEGIN IMMEDIATE
DELETE FROM "hero" WHERE "hero"."age" IS NULL
COMMIT
