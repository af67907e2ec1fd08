"""The rule catalogue: every validation rule with a stable ID, a severity, a level and bilingual messages.

Rules live in `rules_*.py` modules, each calling `register`; `all_rules()` loads them all.
Message templates use `str.format` fields filled from the issue's context (value, column, ...).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

SEVERITIES = ("error", "warning")
LEVELS = ("file", "record", "warning")
RULE_MODULES = (
    "zc_pipeline.intake.rules_monthly",
    "zc_pipeline.intake.rules_programme",
    "zc_pipeline.intake.registry",
)

_RULES: dict[str, "Rule"] = {}


@dataclass(frozen=True)
class Rule:
    rule_id: str  # stable, e.g. "F001" file error, "R010" record error, "W001" warning
    level: str  # file: rejects the whole file; record: rejects the park-month; warning: flags only
    applies_to: str  # xlsx | csv | both | registry | verification | funding
    message_zh: str
    message_en: str

    @property
    def severity(self) -> str:
        return "warning" if self.level == "warning" else "error"

    def messages(self, **context) -> tuple[str, str]:
        return self.message_zh.format(**context), self.message_en.format(**context)


def register(*rules: Rule) -> None:
    for rule in rules:
        if rule.level not in LEVELS:
            raise ValueError(f"{rule.rule_id}: unknown level {rule.level!r}")
        known = _RULES.get(rule.rule_id)
        if known is not None and known != rule:
            raise ValueError(f"rule id {rule.rule_id} registered twice with different content")
        _RULES[rule.rule_id] = rule


def all_rules() -> dict[str, Rule]:
    for name in RULE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return dict(sorted(_RULES.items()))


class Issues:
    """The one issue collector of the intake: each row is the place its reader gives, the rule id,
    the rule's severity and its zh/en message. Readers differ only in how they name a place."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def record(self, rule_id: str, place: dict, **message_fields) -> dict:
        r = rule(rule_id)
        zh, en = r.messages(**message_fields)
        row = {**place, "severity": r.severity, "rule_id": rule_id, "message_zh": zh, "message_en": en}
        self.rows.append(row)
        return row


def rule(rule_id: str) -> Rule:
    rules = all_rules()
    if rule_id not in rules:
        raise KeyError(f"unknown rule id {rule_id!r}")
    return rules[rule_id]
