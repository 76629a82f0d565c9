"""The evaluation engine (pure: numpy/pandas, no Django).

>>> from dudao.engine import evaluate_table, county_result
>>> from dudao.standards import load
>>> ev = evaluate_table(frame, load("national-2017"))      # every county in the frame
>>> result = county_result(ev, "130102")                     # one county (a CountyResult)
>>> result.levels["primary"].indicators["L1"].cv
>>> result.to_json()                                         # the JSON of docs/evaluate-json.md
"""

from dudao.engine.county import county_result, result_summary
from dudao.engine.evaluate import Evaluation, evaluate_prepared, evaluate_table
from dudao.engine.items import judge_areas, parse_item_values
from dudao.engine.prepare import Prepared, prepare
from dudao.engine.problems import InputError, Problem
from dudao.engine.result import CountyResult, ResultSummary
from dudao.engine.rules import TOLERANCE, compare, round_half_up
from dudao.engine.weighted import weighted_cv

__all__ = [
    "TOLERANCE",
    "CountyResult",
    "Evaluation",
    "InputError",
    "Prepared",
    "Problem",
    "ResultSummary",
    "compare",
    "county_result",
    "evaluate_prepared",
    "evaluate_table",
    "judge_areas",
    "parse_item_values",
    "prepare",
    "result_summary",
    "round_half_up",
    "weighted_cv",
]
