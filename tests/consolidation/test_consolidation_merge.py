"""Merge rules on in-memory returns: by id, exactly once, duplicates, refusals, damaged rows."""

from __future__ import annotations

from datetime import date, datetime

from consolidation_helpers import SECTOR_A, SECTOR_B, SECTOR_C, ret, small_plan
from hypothesis import given, settings
from hypothesis import strategies as st

from barometro import scoring
from barometro.consolidation import (
    Decision,
    IssueKind,
    RowState,
    merge_returns,
    merged_plan,
)
from barometro.scoring import score_plan
from barometro.settings import load_profile
from barometro.validators import Status
from barometro.validators.context import ExtraRow

PLAN = small_plan()


def _kinds(result) -> list[IssueKind]:
    return [i.kind for i in result.issues]


def test_every_indicator_once_with_its_source_file():
    result = merge_returns(
        PLAN, [ret("a.xlsx", "Settore A", SECTOR_A), ret("b.xlsx", "Settore B", SECTOR_B),
               ret("c.xlsx", "Settore C", SECTOR_C)]
    )
    assert [r.indicator.id for r in result.rows] == [i.id for i in PLAN.indicators]
    assert all(r.state is RowState.RETURNED for r in result.rows)
    assert result.row("SOC-02-01").source == "a.xlsx"
    assert result.row("SOC-01-01").actual == 53
    assert result.row("AMB-02-01").source_cell == "Ambiente!6"
    assert not result.blocked
    assert result.issues == ()


def test_missing_sector_is_listed_non_pervenuto_with_its_sector():
    result = merge_returns(PLAN, [ret("a.xlsx", "Settore A", SECTOR_A), ret("b.xlsx", "Settore B", SECTOR_B)])
    missing = [r for r in result.rows if not r.state.returned]
    assert {r.indicator.id for r in missing} == {"SOC-01-01", "SOC-01-02"}
    assert all(r.state is RowState.MISSING and r.indicator.sector == "Settore C" for r in missing)
    summary = {s.sector: s for s in result.sectors}
    assert summary["Settore C"].state == "non_pervenuto"
    assert summary["Settore C"].expected == 2 and summary["Settore C"].returned == 0
    assert summary["Settore A"].state == "pervenuto" and summary["Settore A"].used_file == "a.xlsx"


def test_file_with_errors_refused_unless_included_and_then_marked():
    returns = [ret("a.xlsx", "Settore A", SECTOR_A), ret("b.xlsx", "Settore B", SECTOR_B, Status.ERRORS)]
    refused = merge_returns(PLAN, returns)
    assert {o.source.name: o.decision for o in refused.files}["b.xlsx"] is Decision.REFUSED_ERRORS
    assert refused.row("AMB-02-01").state is RowState.MISSING_REFUSED
    assert refused.row("AMB-02-01").reason == "b.xlsx"
    assert IssueKind.REFUSED_FILE in _kinds(refused)
    assert {s.sector: s.state for s in refused.sectors}["Settore B"] == "respinto"

    included = merge_returns(PLAN, returns, include_errors=True)
    assert {o.source.name: o.decision for o in included.files}["b.xlsx"] is Decision.ACCEPTED_WITH_ERRORS
    assert included.row("AMB-02-01").state is RowState.RETURNED_WITH_ERRORS
    assert included.row("AMB-02-01").actual == 17
    assert IssueKind.INCLUDED_WITH_ERRORS in _kinds(included)
    assert {s.sector: s.state for s in included.sectors}["Settore B"] == "con_errori"


def test_warnings_do_not_block():
    result = merge_returns(PLAN, [ret("a.xlsx", "Settore A", SECTOR_A, Status.WARNINGS)])
    assert result.row("AMB-01-01").state is RowState.RETURNED


def test_two_returns_for_one_sector_block_without_prefer():
    returns = [ret("a.xlsx", "Settore A", SECTOR_A), ret("a_v2.xlsx", "Settore A", {**SECTOR_A, "AMB-01-02": 95})]
    result = merge_returns(PLAN, returns)
    assert result.blocked
    assert IssueKind.CONFLICT in _kinds(result)
    assert all(o.decision is Decision.CONFLICT for o in result.files)
    assert result.row("AMB-01-02").state is RowState.MISSING_CONFLICT
    assert "a.xlsx" in result.row("AMB-01-02").reason and "a_v2.xlsx" in result.row("AMB-01-02").reason
    assert {s.sector: s.state for s in result.sectors}["Settore A"] == "conflitto"


def test_prefer_decides_which_return_wins():
    returns = [ret("a.xlsx", "Settore A", SECTOR_A), ret("a_v2.xlsx", "Settore A", {**SECTOR_A, "AMB-01-02": 95})]
    result = merge_returns(PLAN, returns, prefer=["a_v2.xlsx"])
    assert not result.blocked
    assert result.row("AMB-01-02").actual == 95 and result.row("AMB-01-02").source == "a_v2.xlsx"
    decisions = {o.source.name: o for o in result.files}
    assert decisions["a.xlsx"].decision is Decision.SUPERSEDED and decisions["a.xlsx"].detail == "a_v2.xlsx"
    dup = [i for i in result.issues if i.kind is IssueKind.DUPLICATE_SECTOR]
    assert dup and dup[0].sector == "Settore A" and dup[0].params["winner"] == "a_v2.xlsx"
    # by full path too
    by_path = merge_returns(PLAN, returns, prefer=["/ritorni/a.xlsx"])
    assert by_path.row("AMB-01-02").actual == 80


def test_identical_copies_are_not_a_conflict():
    returns = [ret("a.xlsx", "Settore A", SECTOR_A, sha="same"), ret("copia/a.xlsx", "Settore A", SECTOR_A, sha="same")]
    result = merge_returns(PLAN, returns)
    assert not result.blocked
    assert sorted(o.decision for o in result.files) == sorted([Decision.ACCEPTED, Decision.IDENTICAL_COPY])


def test_unused_prefer_is_reported():
    result = merge_returns(PLAN, [ret("a.xlsx", "Settore A", SECTOR_A)], prefer=["nessuno.xlsx"])
    assert [i.file for i in result.issues if i.kind is IssueKind.PREFER_UNUSED] == ["nessuno.xlsx"]


def test_added_and_foreign_rows_are_reported_never_kept():
    # What the validator carries for rows outside the file's plan rows: a row without an id,
    # an id the plan does not have, an indicator of another sector.
    extra = (ExtraRow("Ambiente", 9, ""), ExtraRow("Ambiente", 10, "AMB-01-99"), ExtraRow("Sociale", 8, "SOC-01-01"))
    result = merge_returns(
        PLAN, [ret("a.xlsx", "Settore A", SECTOR_A, Status.ERRORS, extra_rows=extra)], include_errors=True,
    )
    added = [i for i in result.issues if i.kind is IssueKind.ADDED_ROW]
    assert {(i.indicator_id, i.where) for i in added} == {("", "Ambiente!9"), ("AMB-01-99", "Ambiente!10")}
    foreign = [i for i in result.issues if i.kind is IssueKind.FOREIGN_ROW]
    assert [(i.indicator_id, i.where) for i in foreign] == [("SOC-01-01", "Sociale!8")]
    assert "AMB-01-99" not in {r.indicator.id for r in result.rows}
    assert result.row("SOC-01-01").state is RowState.MISSING  # not taken from Settore A's file
    assert len(result.rows) == len(PLAN.indicators)


def test_deleted_row_is_reported_and_listed_missing():
    rows = {k: v for k, v in SECTOR_A.items() if k != "AMB-01-02"}
    result = merge_returns(PLAN, [ret("a.xlsx", "Settore A", rows)])
    row = result.row("AMB-01-02")
    assert row.state is RowState.MISSING_DELETED and row.reason == "a.xlsx"
    assert [(i.kind, i.indicator_id) for i in result.issues] == [(IssueKind.DELETED_ROW, "AMB-01-02")]
    assert {s.sector: s.state for s in result.sectors}["Settore A"] == "incompleto"


def test_reordered_rows_merge_by_id_not_position():
    reordered = dict(reversed(list(SECTOR_A.items())))
    a = ret("a.xlsx", "Settore A", reordered)
    assert a.rows["SOC-02-01"].row == 6  # first row of the file now holds the last indicator
    result = merge_returns(PLAN, [a])
    assert result.row("AMB-01-01").actual == 1
    assert result.row("AMB-01-02").actual == 80
    assert result.row("SOC-02-01").actual == 0


def test_row_of_another_sector_is_reported_and_not_taken():
    rows_a = {**SECTOR_A, "SOC-01-01": 999}
    result = merge_returns(PLAN, [ret("a.xlsx", "Settore A", rows_a), ret("c.xlsx", "Settore C", SECTOR_C)])
    assert result.row("SOC-01-01").actual == 53 and result.row("SOC-01-01").source == "c.xlsx"
    assert [(i.kind, i.indicator_id) for i in result.issues] == [(IssueKind.FOREIGN_ROW, "SOC-01-01")]


def test_refusals_name_the_reason():
    returns = [
        ret("rotto.xlsx", None, {}, Status.UNREADABLE, scope=None),
        ret("master.xlsx", None, {}, Status.WARNINGS, scope="master"),
        ret("ignoto.xlsx", "Settore Z", {"AMB-01-01": 1}),
    ]
    result = merge_returns(PLAN, returns)
    decisions = {o.source.name: o.decision for o in result.files}
    assert decisions == {
        "rotto.xlsx": Decision.REFUSED_UNREADABLE,
        "master.xlsx": Decision.REFUSED_NOT_A_RETURN,
        "ignoto.xlsx": Decision.REFUSED_UNKNOWN_SECTOR,
    }
    assert all(not r.state.returned for r in result.rows)


def test_deadline_against_file_time():
    returns = [
        ret("a.xlsx", "Settore A", SECTOR_A, mtime=datetime(2022, 3, 31, 23, 59)),
        ret("b.xlsx", "Settore B", SECTOR_B, mtime=datetime(2022, 4, 1, 0, 1)),
    ]
    result = merge_returns(PLAN, returns, deadline=date(2022, 3, 31))
    on_time = {s.sector: s.on_time for s in result.sectors}
    assert on_time == {"Settore A": True, "Settore B": False, "Settore C": None}


def test_scores_are_the_scoring_core_ones():
    cremona = load_profile("cremona")
    result = merge_returns(
        PLAN, [ret("a.xlsx", "Settore A", SECTOR_A), ret("b.xlsx", "Settore B", SECTOR_B),
               ret("c.xlsx", "Settore C", SECTOR_C)]
    )
    scores = score_plan(merged_plan(PLAN, result), cremona)
    # Ambiente, Cremona method: mean of 100, 80, 100 and the neutralised one as 0.
    assert abs(scores.line["AMB"] - (100 + 80 + 100 + 0) / 4) < 1e-9
    soc = [53 / 85 * 100, 100.0, 0.0]
    assert abs(scores.line["SOC"] - sum(soc) / 3) < 1e-9
    assert abs(scores.ente - (scores.line["AMB"] + scores.line["SOC"]) / 2) < 1e-9
    assert abs(scores.objective["SOC-01"] - scoring.objective_score([(60, soc[0]), (40, 100)])) < 1e-9


SECTOR_ROWS = {"Settore A": SECTOR_A, "Settore B": SECTOR_B, "Settore C": SECTOR_C}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(SECTOR_ROWS)), st.sampled_from(list(Status)), st.booleans()),
        max_size=6,
    ),
    st.booleans(),
)
def test_property_each_plan_indicator_exactly_once(specs, include_errors):
    returns = []
    for n, (sector, status, drop_one) in enumerate(specs):
        rows = dict(SECTOR_ROWS[sector])
        if drop_one:
            rows.pop(next(iter(rows)))
        returns.append(ret(f"f{n}.xlsx", sector, rows, status))
    result = merge_returns(PLAN, returns, include_errors=include_errors)
    assert [r.indicator.id for r in result.rows] == [i.id for i in PLAN.indicators]
    for r in result.rows:
        assert r.state.returned == bool(r.source and r.actual is not None) or r.state is RowState.MISSING_DELETED
    assert len(result.files) == len(returns)
    used = [o for o in result.files if o.decision.used]
    assert len({o.source.sector for o in used}) == len(used)  # at most one file per sector
