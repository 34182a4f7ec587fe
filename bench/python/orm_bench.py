"""The ORM cases of crates/tablemodel/benches/vs_raw.rs, written with SQLModel: get by key,
insert one row + commit, filter + order + limit 100, on the same table and data. Prints one
JSON object per case: {"backend", "case", "median_us", "min_us", "max_us"}.

    python orm_bench.py sqlite:////tmp/x.db
    python orm_bench.py postgresql+psycopg2://postgres@127.0.0.1:5432/db
"""

import json
import statistics
import sys
import time

from sqlmodel import Field, Session, SQLModel, create_engine, select

ROUNDS = 15


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    secret_name: str
    age: int | None = None


def per_op(iterations, body):
    start = time.perf_counter()
    for i in range(iterations):
        body(i)
    return (time.perf_counter() - start) / iterations * 1e6


def report(backend, case, samples):
    print(json.dumps({
        "backend": backend, "case": case, "side": "python-sqlmodel",
        "median_us": statistics.median(samples), "min_us": min(samples), "max_us": max(samples),
    }), flush=True)


def main(url):
    backend = "sqlite" if url.startswith("sqlite") else "postgres"
    engine = create_engine(url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as s:
        for i in range(1000):
            s.add(Hero(name=f"hero {i}", secret_name=f"secret {i}", age=i % 90))
        s.commit()

    with Session(engine) as s:
        samples = []
        for r in range(ROUNDS):
            samples.append(per_op(300, lambda i: s.get(Hero, (i + r) % 1000 + 1)))
            s.expunge_all()  # SQLAlchemy's identity map would otherwise answer from memory
        report(backend, "get by key", samples)

        def query(_):
            s.exec(select(Hero).where(Hero.age >= 10).order_by(Hero.name).limit(100)).all()
            s.expunge_all()

        report(backend, "filter+order+limit 100", [per_op(30, query) for _ in range(ROUNDS)])

        def insert(_):
            hero = Hero(name="n", secret_name="s", age=1)
            s.add(hero)
            s.commit()
            s.refresh(hero)

        report(backend, "insert one + commit", [per_op(50, insert) for _ in range(ROUNDS)])


if __name__ == "__main__":
    main(sys.argv[1])
