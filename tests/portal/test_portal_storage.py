"""The storage layer on SQLite (the data folder) and on a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from portal_helpers import postgres_cluster

from barometro.portal.blobs import BlobStore, BlobTooLarge
from barometro.portal.config import PortalConfig
from barometro.portal.migrations import LATEST, SchemaTooNew, applied, migrate
from barometro.portal.storage import Storage, make_engine


@pytest.fixture(scope="module")
def pg_url():  # noqa: ANN201
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):  # noqa: ANN001, ANN201
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        engine = make_engine(url)
        with engine.begin() as conn:  # a clean schema for each test
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    s = Storage(PortalConfig(data_dir=tmp_path / "dati", database_url=url))
    yield s
    s.close()


def _campaign(store: Storage, n_sectors: int = 2) -> int:
    src = store.blobs.put_bytes(b"plan")
    master = store.blobs.put_bytes(b"master")
    tpl = [store.blobs.put_bytes(f"tpl{i}".encode()) for i in range(n_sectors)]
    return store.add_campaign(ente="Comune", year=2021, deadline=None, settings_name="cremona", source=src,
                              source_name="p.txt", source_kind="report", master=master, problems=[],
                              sectors=[{"name": f"S{i}", "slug": f"s{i}", "owners": "", "indicators": 1,
                                        "template_sha": t.sha256} for i, t in enumerate(tpl)],
                              blobs=tpl, actor="t")


def test_schema_is_migrated_to_the_latest(store):
    assert applied(store.engine) == list(range(1, LATEST + 1))
    assert migrate(store.engine) == []  # idempotent


def test_versions_of_one_sector_are_numbered_without_gaps_under_concurrency(store):
    cid = _campaign(store)
    sector = store.sectors(cid)[0]
    blobs = [store.blobs.put_bytes(f"ritorno {i}".encode()) for i in range(20)]
    numbers: list[int] = []
    errors: list[BaseException] = []

    def upload(i: int) -> None:
        try:
            numbers.append(store.add_version(sector, blobs[i], f"r{i}.xlsx", "t"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(numbers) == list(range(1, 21))
    assert {v["sha256"] for v in store.versions(sector.id)} == {b.sha256 for b in blobs}


def test_dashboard_counts_the_newest_version_and_the_newest_valid(store):
    cid = _campaign(store, 3)
    s0, s1, _ = store.sectors(cid)
    for status in ("avvisi", "errori"):
        n = store.add_version(s0, store.blobs.put_bytes(status.encode()), "x.xlsx", "t")
        store.finish_version(s0, n, status=status, counts={"errore": 2 if status == "errori" else 0, "avviso": 1},
                             report_it="{}", report_en="{}", seconds=0.01)
    rows = {r["name"]: r for r in store.dashboard(cid)}
    assert rows["S0"]["latest"] == 2 and rows["S0"]["status"] == "errori" and rows["S0"]["errors"] == 2
    assert rows["S0"]["valid_version"] == 1 and rows["S0"]["n_versions"] == 2
    assert rows["S1"]["latest"] is None and rows["S2"]["n_versions"] is None
    assert [c["name"] for c in store.newest_valid(cid)] == ["S0"]


def test_audit_events_record_who_what_and_the_hash(store):
    cid = _campaign(store)
    s = store.sectors(cid)[0]
    blob = store.blobs.put_bytes(b"ritorno")
    store.add_version(s, blob, "r.xlsx", "settore:S0")
    ev = store.events(campaign_id=cid)
    assert ev[0]["action"] == "upload" and ev[0]["actor"] == "settore:S0" and ev[0]["sha256"] == blob.sha256
    assert {e["action"] for e in ev} >= {"campaign_created", "upload"}


def test_sqlite_is_in_wal_mode_in_the_data_folder(tmp_path):
    s = Storage(PortalConfig(data_dir=tmp_path / "dati"))
    s.close()
    db = tmp_path / "dati" / "portale.sqlite3"
    assert db.is_file()
    assert sqlite3.connect(db).execute("pragma journal_mode").fetchone()[0] == "wal"


def test_an_older_data_folder_is_upgraded_and_keeps_its_data(tmp_path):
    cfg = PortalConfig(data_dir=tmp_path / "dati")
    (tmp_path / "dati").mkdir()
    engine = make_engine(cfg.db_url)
    assert migrate(engine, target=1) == [1]
    with engine.begin() as conn:
        conn.execute(sa.text("insert into users (username, password_hash, created_at, disabled) "
                             "values ('vecchio', 'h', '2022-01-01', 0)"))
    engine.dispose()
    s = Storage(cfg)  # the current portal opens the version-1 folder
    assert s.migrated == [2]
    assert s.user_by_name("vecchio")["last_login_at"] is None
    assert applied(s.engine) == [1, 2]
    s.close()


def test_a_newer_data_folder_is_refused(tmp_path):
    cfg = PortalConfig(data_dir=tmp_path / "dati")
    s = Storage(cfg)
    with s.engine.begin() as conn:
        conn.execute(sa.text("insert into schema_migrations values (99, 'future', 'x')"))
    with pytest.raises(SchemaTooNew):
        migrate(s.engine)
    s.close()


def test_blobs_are_stored_once_by_hash_and_never_overwritten(tmp_path):
    bs = BlobStore(tmp_path / "file", tmp_path / "tmp")
    a = bs.put_bytes(b"uno")
    assert a.sha256 == hashlib.sha256(b"uno").hexdigest()
    path = bs.path(a.sha256)
    mtime = path.stat().st_mtime_ns
    again = bs.put_bytes(b"uno")
    assert again == a and path.stat().st_mtime_ns == mtime
    assert list(bs.all_hashes()) == [a.sha256]
    assert bs.verify(a.sha256)
    path.write_bytes(b"manomesso")
    assert not bs.verify(a.sha256)
    with pytest.raises(BlobTooLarge), bs.writer(limit=10) as w:
        w.write(b"x" * 11)
    assert not any((tmp_path / "tmp").iterdir())
    with pytest.raises(ValueError):
        bs.path("../../etc/passwd")


@pytest.mark.postgres
def test_the_portal_runs_on_postgresql(pg_url, tmp_path):
    """The whole app on PostgreSQL: campaign, uploads, dashboard, audit (files stay in the folder)."""
    from portal_env import start_env
    from portal_helpers import fill

    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    e = start_env(tmp_path, database_url=pg_url)
    try:
        assert not (tmp_path / "dati" / "portale.sqlite3").exists()
        sector = "Settore Polizia Locale"
        blank = e.template(sector, tmp_path / "b.xlsx")
        assert e.upload(sector, blank).json()["status"] == "errori"
        ok = e.upload(sector, fill(blank, tmp_path / "f.xlsx")).json()
        assert ok["status"] in ("ok", "avvisi") and ok["version"] == 2
        rows = {s["sector"]: s for s in e.client.get(f"/api/v1/campaigns/{e.cid}", headers=e.bearer).json()["sectors"]}
        assert rows[sector]["versions"] == 2 and rows[sector]["valid_version"] == 2
        e.office_session()
        assert e.client.get(f"/ufficio/campagne/{e.cid}").status_code == 200
        assert "file caricato" in e.client.get("/ufficio/registro").text
    finally:
        e.client.__exit__(None, None, None)
