-- wrk script: POST a new hero as JSON.
wrk.method = "POST"
wrk.body = '{"name": "Bench Hero", "secret_name": "Load Test", "age": 30, "team_id": 1}'
wrk.headers["Content-Type"] = "application/json"
