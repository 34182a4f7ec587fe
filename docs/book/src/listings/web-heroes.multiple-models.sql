BEGIN IMMEDIATE
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "name", "secret_name", "age", "team_id", "id"
    params: ["Deadpond", "Dive Wilson", NULL, NULL]
COMMIT
BEGIN IMMEDIATE
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "name", "secret_name", "age", "team_id", "id"
    params: ["Spider-Boy", "Pedro Parqueador", NULL, NULL]
COMMIT
BEGIN IMMEDIATE
INSERT INTO "hero" ("name", "secret_name", "age", "team_id") VALUES (?, ?, ?, ?) RETURNING "name", "secret_name", "age", "team_id", "id"
    params: ["Rusty-Man", "Tommy Sharp", 48, NULL]
COMMIT
