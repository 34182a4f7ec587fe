SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT ?
    params: ["Spider-Boy", 2]
BEGIN IMMEDIATE
DELETE FROM "hero" WHERE "hero"."id" = ?
    params: [2]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT ?
    params: ["Spider-Boy", 2]
BEGIN IMMEDIATE
DELETE FROM "hero" WHERE "hero"."age" IS NULL
COMMIT
