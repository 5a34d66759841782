"""Fuzzing the normaliser (issue 18): a few thousand mutants of the golden corpus, random
damage mixed with the hostile shapes of the issue (tests/support/fuzzmail.py), parsed in a
fresh interpreter. None may break the parser's contract (an exception, a string that is
not NFC or holds a NUL), take more than the per-message budget of CPU time, or make the
process's memory peak past the budget. FUZZ_SEED and FUZZ_CASES explore further."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.paths import ROOT

BUDGET_CPU_SECONDS = 2.0  # per message
BUDGET_PEAK_MB = 200  # the whole process: interpreter, parser, the largest mutant


def test_mutated_golden_mail_keeps_the_contract_within_budget() -> None:
    seed = os.environ.get("FUZZ_SEED", "18")
    cases = os.environ.get("FUZZ_CASES", "3000")
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.fuzzmail", "--seed", seed, "--cases", cases],
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    report = json.loads(done.stdout)
    assert report["cases"] == int(cases)
    assert report["failure_count"] == 0, report["failures"]
    assert report["slowest_cpu_seconds"] < BUDGET_CPU_SECONDS, report
    assert report["peak_mb"] < BUDGET_PEAK_MB, report
