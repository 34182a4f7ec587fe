SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."name" = ? LIMIT 2
    params: ["Spider-Boy"]
BEGIN IMMEDIATE
UPDATE "hero" SET "age" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age"
    params: [16, 2]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN IMMEDIATE
UPDATE "hero" SET "name" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age"
    params: ["Spider-Youngster", 2]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN IMMEDIATE
UPDATE "hero" SET "age" = ? WHERE "hero"."name" = ?
    params: [49, "Rusty-Man"]
COMMIT
