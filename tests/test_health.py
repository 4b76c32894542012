"""`/healthz` tells a load balancer whether this process can serve."""

from __future__ import annotations

from tests.faults import break_database, break_redis


def test_healthy_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"db": "ok", "redis": "ok", "workers": 0}


def test_names_the_database_when_it_is_down(app, client):
    break_database(app)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["db"] == "down"
    assert response.json["redis"] == "ok"


def test_names_redis_when_it_is_down(app, client, tmp_path):
    break_redis(app, tmp_path)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"db": "ok", "redis": "down"}
