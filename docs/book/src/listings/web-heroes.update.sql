SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" FROM "hero" WHERE "hero"."id" = ?
    params: [2]
BEGIN IMMEDIATE
UPDATE "hero" SET "name" = ?, "secret_name" = ?, "age" = ?, "team_id" = ? WHERE "hero"."id" = ? RETURNING "id", "name", "secret_name", "age", "team_id"
    params: ["Spider-Boy", "Pedro Parqueador", 16, NULL, 2]
COMMIT
