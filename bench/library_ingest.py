"""python -m bench.library_ingest [--docs 5183] [--tokens 1630000] [--out FILE.json]

A SciFact-sized library through the product's own command line, as a user ingests one.

BEIR SciFact is 5,183 abstracts, 7.6 MB of English: about 1.6M of the default model's
word pieces at the 4.7 characters a piece that the committee hearings of
../shared/eval/qmsum-dev have. The dataset is not on this machine (nothing is downloaded),
so ``--docs`` short synthetic documents (a title and a paragraph or two of the prose of
bench/engine_scale.py each) are written holding ``--tokens`` word pieces in all, then
``python -m ingest FOLDER --index-dir INDEX`` runs in a fresh process. The invented words
cut into about 1.8 times as many word pieces per character as English, so the library is
sized by word pieces, which is what the encoder's time follows, not by characters.

Recorded: wall seconds of the command (the model load included), the ingest process's
peak resident memory, documents, passages and word pieces. Retrieval quality (SciFact's
nDCG@10) is not measured: its questions and judgements are not here either.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCIFACT_DOCS = 5183
SCIFACT_TOKENS = 1_630_000  # 7.6 MB of English at 4.67 characters a word piece (qmsum-dev's hearings)


def write_library(folder: Path, docs: int, tokens: int, seed: int = 0) -> int:
    """``docs`` abstracts in ``folder`` holding about ``tokens`` word pieces of the default model in all;
    returns the word pieces written."""
    from transformers import AutoTokenizer

    from bench.engine_scale import Writer
    from index.embed import default_model_path

    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    count = lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])  # noqa: E731
    folder.mkdir(parents=True, exist_ok=True)
    w, written = Writer(seed), 0
    for n in range(docs):
        want = (tokens - written) // (docs - n)  # what is left, spread over the documents left
        title = " ".join(w.words(6)).title()
        sentences, have = [], count(title)
        while have < want:
            sentence = w.sentence(w.country() if w.rng.random() < 0.2 else None)
            sentences.append(sentence)
            have += count(sentence)
        (folder / f"abstract-{n:05d}.txt").write_text(f"{title}\n\n{' '.join(sentences)}\n", encoding="utf-8")
        written += have
    return written


def run(docs: int = SCIFACT_DOCS, tokens: int = SCIFACT_TOKENS) -> dict:
    with tempfile.TemporaryDirectory(prefix="quotable-library-") as tmp:
        corpus, index_dir = Path(tmp) / "library", Path(tmp) / "index"
        pieces = write_library(corpus, docs, tokens)
        chars = sum(p.stat().st_size for p in corpus.iterdir())
        env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "ingest", str(corpus), "--index-dir", str(index_dir)],
                              cwd=REPO, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"ingest failed ({proc.returncode}): {proc.stderr[-2000:]}")
        manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    return {
        "documents": docs,
        "passages": manifest["passages"],
        "word_pieces": pieces,
        "bytes": chars,
        "ingest_s": round(seconds, 1),
        "ingest_min": round(seconds / 60, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "word_pieces_per_s": round(pieces / seconds),
        "cpus": os.cpu_count(),
        "command": "python -m ingest FOLDER --index-dir INDEX (fresh process, model load included)",
        "stands_in_for": f"BEIR SciFact: {SCIFACT_DOCS} abstracts, 7.6 MB, ~{SCIFACT_TOKENS:,} word pieces",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.library_ingest", description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=SCIFACT_DOCS)
    ap.add_argument("--tokens", type=int, default=SCIFACT_TOKENS, help="word pieces in all (default: SciFact's)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "library_ingest.json")
    args = ap.parse_args(argv)
    result = run(args.docs, args.tokens)
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
