"""Fit the refusal model (chat/refusal.py) on the dev splits of bench/refusal.json.

``python -m bench.refusal_fit [--rows bench/refusal.json] [--out chat/refusal_model.json]``

Reads the signals ``bench.refusal`` recorded for every question of the three
sets (shipped corpus, committee hearings, report PDFs), keeps the *dev* split
of all of them together, and fits a logistic regression (L2-penalised,
classes weighed equally, Newton's method in numpy) of "the documents do not
answer this" on ``chat.refusal.FEATURES``. The threshold is then the highest
probability cut whose false refusals on dev, the two hard cuts included,
stay within ``MAX_FALSE_REFUSALS`` of the answerable questions; with a tie in
recall the cut sits halfway into the gap, away from both neighbours. The
hold-out splits are never read here. Run ``python -m bench.refusal`` again
afterwards to score the new model on both splits.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bench.refusal import HERE, MAX_FALSE_REFUSALS, REPO, refused_by
from chat.refusal import FEATURES, NO_MODEL, RefusalModel
from chat.scoring import DEFAULT_CONFIG

L2 = 1.0  # penalty on the weights (not the bias); the features are all in [0, 1]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of a class-balanced, L2-penalised logistic regression (Newton's method)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    sample = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * n
    penalty = np.diag([l2] * d + [0.0])
    w = np.zeros(d + 1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-xb @ w))
        grad = xb.T @ (sample * (p - y)) + penalty @ w
        hess = xb.T @ (xb * (sample * p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w[:d], float(w[d])


def choose_cuts(rows: list[dict], weights: np.ndarray, bias: float) -> tuple[float, float]:
    """The weak-evidence cut and the probability cut with the best dev recall within the false-refusal cap.

    The weak-evidence cut is searched from the old single threshold (``AnswerConfig.abstain_below``)
    down in steps of 0.01; with equal recall the fewer false refusals win, then the higher cut (the smaller
    change).
    """
    base = RefusalModel(tuple(float(w) for w in weights), bias, 1.0)
    probs = [base.probability(_signals(r)) if r.get("signals") else 1.0 for r in rows]
    answerable = sum(r["answerable"] for r in rows)
    allowed = int(MAX_FALSE_REFUSALS * answerable)
    best = ((-1, 0), 1.0, DEFAULT_CONFIG.abstain_below)
    for step in range(16):
        weak = round(DEFAULT_CONFIG.abstain_below - 0.01 * step, 2)
        hard = [refused_by(r, NO_MODEL, weak, DEFAULT_CONFIG.refuse_missing) for r in rows]
        for t in sorted(set(probs) | {1.0}):
            refused = [h or p >= t for h, p in zip(hard, probs, strict=True)]
            false = sum(f and r["answerable"] for f, r in zip(refused, rows, strict=True))
            tp = sum(f and not r["answerable"] for f, r in zip(refused, rows, strict=True))
            # the best recall; with equal recall, fewer false refusals
            if false <= allowed and (tp, -false) > best[0]:
                best = ((tp, -false), t, weak)
    _, t, weak = best
    # halfway between the lowest refused probability and the next one below it
    below = [p for p in probs if p < t]
    return weak, ((t + max(below)) / 2 if below and t < 1.0 else t)


def _signals(row: dict):
    from chat.refusal import Signals

    return Signals(**row["signals"], absent=tuple(row.get("absent") or ()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.refusal_fit", description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=Path, default=HERE / "refusal.json")
    ap.add_argument("--out", type=Path, default=REPO / "chat" / "refusal_model.json")
    args = ap.parse_args(argv)
    data = json.loads(args.rows.read_text(encoding="utf-8"))
    dev = [r for rs in data["rows"].values() for r in rs if r["split"] == "dev"]
    scored = [r for r in dev if r.get("signals")]
    x = np.array([[r["signals"][f] for f in FEATURES] for r in scored], dtype=float)
    y = np.array([0 if r["answerable"] else 1 for r in scored], dtype=float)
    weights, bias = fit_logistic(x, y)
    refuse_below, threshold = choose_cuts(dev, weights, bias)
    model = {
        "about": "Refusal model of chat/refusal.py, fitted by `python -m bench.refusal_fit` on the dev splits "
                 "of bench/refusal.json (shipped corpus, qmsum-dev hearings, pdf-dev reports together).",
        "features": list(FEATURES),
        "weights": {f: round(float(w), 4) for f, w in zip(FEATURES, weights, strict=True)},
        "bias": round(bias, 4),
        "threshold": round(threshold, 4),
        "refuse_below": refuse_below,
        "l2": L2,
        "max_false_refusals": MAX_FALSE_REFUSALS,
        "dev_questions": len(dev),
        "dev_unanswerable": int(sum(not r["answerable"] for r in dev)),
    }
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(model, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
