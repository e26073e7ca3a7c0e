"""``/healthz`` tells a load balancer whether the app and its database are up."""

from __future__ import annotations

from pathlib import Path


def test_healthz_reports_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["dialect"] in {"sqlite", "postgresql"}
    assert body["database"]["ms"] >= 0


def test_healthz_is_503_when_the_database_is_down(make_app, tmp_path: Path):
    unreachable = "sqlite:///" + str(tmp_path / "no-such-folder" / "assess.sqlite3")
    app = make_app(DATABASE_URL=unreachable)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": {"ok": False}}
