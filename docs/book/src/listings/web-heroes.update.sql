SELECT "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id", "hero"."id" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN IMMEDIATE
UPDATE "hero" SET "name" = ?, "secret_name" = ?, "age" = ?, "team_id" = ? WHERE "hero"."id" = ? RETURNING "name", "secret_name", "age", "team_id", "id"
    params: ["Spider-Boy", "Pedro Parqueador", 16, NULL, 2]
COMMIT
