"""What ``recommender recommend`` imports (issue 11: the CLI's whole process near its floor).

Not a timed test: it checks *which* packages a run loads, the figure that decides the start-up
cost (``benchmarks/bench_cli.py`` prints the times).  scikit-learn, SciPy and skops are the
training stack (about 0.7 s a process), pandera the schema checker (about 0.3 s; a snapshot
checked once never needs it), the rest are extras a one-shot answer never uses.  The
contract modules (profile, response, predictions) must not need pandas: it is the largest
import left on the recommend path (about 0.3 s), and a path that reads the catalog without it
must be able to answer with them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Packages ``recommender recommend`` must not import, with or without the models.
NOT_NEEDED = ("sklearn", "scipy", "skops", "pandera", "streamlit", "plotly", "fastapi",
              "uvicorn", "boto3", "botocore", "dask", "distributed", "matplotlib")
#: What the contract modules may not pull in.
NOT_IN_CONTRACT = ("pandas", "pyarrow", "numpy", *NOT_NEEDED)


def _loaded(code: str) -> set[str]:
    """Top-level package names in ``sys.modules`` after running ``code`` in a fresh process."""
    probe = textwrap.dedent(code) + textwrap.dedent("""
        import json, sys
        print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
    """)
    # ``-c`` from the work tree: the package is found there, as ``python -m recommender`` does.
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_cli_recommend_imports_no_training_stack_or_extras(tmp_path: Path) -> None:
    # Both runs in one process: the union of what they import must avoid every package
    # (so each run does).  The first run loads the model artifacts, the second does not.
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({"name": "small", "region": "us-east-1",
                                   "compute": {"vcpus": 2, "memory_gib": 4}}))
    loaded = _loaded(f"""
        import contextlib, io
        from recommender.surfaces.cli.main import main
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["recommend", {str(profile)!r}]) == 0
            assert main(["recommend", {str(profile)!r}, "--rules-only"]) == 0
        assert '"recommendations"' in buf.getvalue()
    """)
    assert "recommender" in loaded  # the probe really ran the CLI
    assert sorted(loaded & set(NOT_NEEDED)) == []


def test_contract_modules_import_no_pandas() -> None:
    loaded = _loaded("""
        import recommender.core.errors, recommender.core.predictions
        import recommender.core.profile, recommender.core.response
        import recommender.core.response_fields
    """)
    assert "pydantic" in loaded  # the contract's models were built
    assert sorted(loaded & set(NOT_IN_CONTRACT)) == []


#: What a warm CLI answer must not import: the tables' readers and the training stack.
HEAVY = {"pandas", "pyarrow", "sklearn", "scipy"}


def _warm_is_light(cache: Path, body: str, *, cold_reads_tables: bool = True,
                   also: frozenset[str] = frozenset()) -> None:
    """Run ``body`` (CLI calls through ``main``, output in ``buf``) in a first process that
    fills ``cache`` (its own directory, so the test is independent of the user's), then in a
    second, warm one, which must import none of :data:`HEAVY` (nor ``also``).  With
    ``cold_reads_tables`` the first must have imported pandas (it built the cache)."""
    code = f"""
        import contextlib, io, os
        os.environ["RECOMMENDER_CACHE_DIR"] = {str(cache)!r}
        from recommender.surfaces.cli.main import main
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
{textwrap.indent(textwrap.dedent(body).strip(), " " * 12)}
    """
    first, warm = _loaded(code), _loaded(code)
    if cold_reads_tables:
        assert "pandas" in first  # the cold run read the tables
    assert "recommender" in warm
    assert sorted(warm & (HEAVY | also)) == []


def test_warm_recommend_imports_no_pandas_or_pyarrow(tmp_path: Path) -> None:
    # Issue 11: a warm process (indexes and schema markers on disk from an earlier run) reads
    # every rule look-up from the derived cache, so neither pandas (about 0.4 s) nor pyarrow
    # (about 0.1 s) is imported, with or without the models.
    _warm_is_light(tmp_path / "cache", """
        assert main(["recommend", "examples/profile.json"]) == 0
        assert main(["recommend", "examples/profile.json", "--rules-only"]) == 0
        assert '"recommendations"' in buf.getvalue()
    """)


def test_warm_lambda_and_object_storage_answers_import_no_pandas(tmp_path: Path) -> None:
    # The Lambda path (unit prices per architecture and region, the maximum-timeout fact), the
    # EFS/S3 options (their per-class unit-price rows) and the instance-store option (local SSD
    # types joined with their prices) read the derived cache too: before, each warm process
    # parsed unit_prices, facts or ec2 with pandas (about 0.4 s) for them.
    profiles = ["tests/golden/lambda_events.profile.json",
                "tests/golden/storage_web_archive.profile.json",
                "tests/golden/storage_shared_files.profile.json",
                "examples/aws_scenarios/istore.json"]
    _warm_is_light(tmp_path / "cache", f"""
        for p in {profiles!r}:
            assert main(["recommend", p]) == 0
        assert buf.getvalue().count('"recommendations"') == {len(profiles)}
    """)


def test_warm_batch_job_answer_imports_no_pandas(tmp_path: Path) -> None:
    # A batch job whose runtime the model predicts reads the runtime model's spec arrays, its
    # default candidates' types and the region's on-demand prices from the derived cache
    # (recommender.models.runtime_index): before, every warm process parsed the ec2 and
    # ec2_prices tables with pandas (about 0.4 s of a 1.1 s run) to answer it.
    _warm_is_light(tmp_path / "cache", """
        assert main(["recommend", "tests/golden/batch_job_runtime.profile.json"]) == 0
        assert "Predicted runtime on" in buf.getvalue()  # the runtime model answered
    """)


def test_warm_prediction_commands_import_no_pandas(tmp_path: Path) -> None:
    # predict-runtime, lambda-memory and next-run share the CLI module that registers
    # ``train``; its options come from recommender.models.train_args, so these commands do not
    # import the training stack (before: tqdm, the data loaders and pandas, ~0.6 s a process).
    _warm_is_light(tmp_path / "cache", """
        assert main(["predict-runtime", "examples/job.json"]) == 0
        assert main(["lambda-memory", "examples/function.json"]) == 0
        assert main(["next-run", "examples/next_run.json"]) == 0
        assert buf.getvalue().count("{") >= 3
    """, cold_reads_tables=False, also=frozenset({"tqdm"}))
