BEGIN IMMEDIATE
CREATE TABLE IF NOT EXISTS "hero" ( "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR NOT NULL, "secret_name" VARCHAR NOT NULL, "age" INTEGER NULL )
COMMIT
BEGIN IMMEDIATE
INSERT INTO "hero" ("name", "secret_name", "age") VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?) RETURNING "id", "name", "secret_name", "age"
    params: ["Deadpond", "Dive Wilson", NULL, "Spider-Boy", "Pedro Parqueador", NULL, "Rusty-Man", "Tommy Sharp", 48]
COMMIT
SELECT "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" FROM "hero"
SELECT "hero"."name", "hero"."age" FROM "hero"
