"""`roi-ml bench` keeps working (issue 8): a smoke run on tiny, and its report by hand.

The smoke run measures only the ingestion pipeline so the suite stays fast; the large runs
live in docs/benchmarks.md, never in the test suite, and nothing here asserts a speed.
"""

import csv

from roi_ml.bench import _insert_after_table, bench, node_report, read_node_timings


def test_bench_on_tiny_records_every_node_with_its_stage(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Measurements\n\n| date | size | step | wall time | peak memory "
                   "| command | machine |\n|---|---|---|---|---|---|---|\n| old | row |\n\n## Later\n")
    results = bench("tiny", 4, "ingestion", tmp_path / "work", reuse=False, record=True, doc=doc)
    assert [r.step for r in results] == ["simulate", "kedro run --pipelines ingestion"]
    assert all(r.seconds > 0 and r.peak_rss_mb > 0 for r in results)

    nodes = read_node_timings(tmp_path / "work" / "node_timings.csv")
    assert len(nodes) >= 10
    assert {n["stage"] for n in nodes} == {"ingestion"}
    assert all(n["seconds"] >= 0 and n["peak_rss_mb"] > 0 for n in nodes)
    # a node's time is its loads + its run + its saves, and saving (where lazy work happens) counts
    assert all(abs(n["seconds"] - n["load_seconds"] - n["run_seconds"] - n["save_seconds"]) < 0.01
               for n in nodes)
    assert any(n["save_seconds"] > 0 for n in nodes) and any(n["load_seconds"] > 0 for n in nodes)

    text = doc.read_text()
    assert "| old | row |" in text  # earlier rows are kept
    table = text.split("## Measurements", 1)[1].split("## Later", 1)[0]
    assert table.count("| tiny |") == 2  # the two new rows went into the existing table
    new_rows = [line for line in table.splitlines() if "| tiny |" in line]
    # seven cells like the header (date, size, step, wall time, peak memory, command, machine)
    assert all(line.count(" | ") == 6 and line.startswith("| ") and line.endswith(" |")
               for line in new_rows)
    assert "## Per-node measurements" in text and "| ingestion |" in text.split("## Per-node", 1)[1]


def test_node_report_sums_stages_and_ranks_nodes_by_hand():
    nodes = [
        {"node": "a", "stage": "events", "seconds": 2.0, "rss_mb": 100.0, "peak_rss_mb": 300.0, "raised_peak_mb": 50.0},
        {"node": "b", "stage": "events", "seconds": 1.0, "rss_mb": 90.0, "peak_rss_mb": 350.0, "raised_peak_mb": 50.0},
        {"node": "c", "stage": "kpis", "seconds": 4.0, "rss_mb": 80.0, "peak_rss_mb": 360.0, "raised_peak_mb": 10.0},
    ]
    report = node_report(nodes, size="tiny", events=2_000_000, total_seconds=9.0, peak_mb=360.0,
                         command="roi-ml bench --size tiny")
    lines = report.splitlines()
    # kpis (4 s) before events (2 + 1 = 3 s); per million events: 4 / 2 = 2.0 and 3 / 2 = 1.5
    kpis = lines.index(next(line for line in lines if line.startswith("| kpis |")))
    events = lines.index(next(line for line in lines if line.startswith("| events |")))
    assert kpis < events
    assert lines[kpis] == "| kpis | 1 | 4.0 s | 2.0 | 360 MB |"
    assert lines[events] == "| events | 2 | 3.0 s | 1.5 | 350 MB |"
    slowest = [line for line in lines if line.startswith("| c |") or line.startswith("| a |")]
    assert slowest[0].startswith("| c |")
    assert "2,000,000 GA4 events" in lines[0]


def test_rows_go_to_the_end_of_the_measurements_table():
    text = "# B\n\n## Measurements\n\n| h |\n|---|\n| 1 |\n\nafter\n"
    assert _insert_after_table(text, "## Measurements", "| 2 |") == \
        "# B\n\n## Measurements\n\n| h |\n|---|\n| 1 |\n| 2 |\n\nafter\n"
    assert "| 2 |" in _insert_after_table("# B\n", "## Measurements", "| 2 |")


def test_timings_file_round_trip(tmp_path):
    path = tmp_path / "t.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["order", "node", "stage", "seconds", "rss_mb", "peak_rss_mb", "raised_peak_mb"])
        w.writerow([1, "n", "kpis", "1.5", "10", "20", "0"])
    assert read_node_timings(path)[0]["seconds"] == 1.5
    assert read_node_timings(tmp_path / "missing.csv") == []
