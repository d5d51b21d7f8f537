"""The hand-labelled evaluation set of the literature reader (``tests/data/reading/``).

The sentences come from the real PubMed records of the shared data folder and the seed abstract;
the repository keeps only identifiers, offsets, hashes, labels and cue words (see
``tests/data/reading/README.md``). Run from the repository root:

- ``python scripts/eval_set.py`` (``check``): recompute every sentence from the records, verify
  its sha, every mention span against its recorded text and the concept list, every cue against
  the sentence; print a one-paragraph summary (exit 1 with the problems otherwise).
- ``python scripts/eval_set.py concepts``: write ``concepts.tsv``, the concepts labelled against,
  from the bundled KB (``--check``: exit 1 when it is out of date).
- ``python scripts/eval_set.py select SCRATCH``: write a labelling scratch file for the selected
  sentences (with their text, for the labeller: keep it outside the repository).
- ``python scripts/eval_set.py convert SCRATCH``: turn the labelled scratch file into
  ``eval-sentences.tsv`` (mention strings to offsets, shas).
- ``python scripts/eval_set.py show``: print every labelled sentence, recomputed from the records,
  with its mentions in brackets and its flags and cues (to review the labels; not for the
  repository).

The PubMed records are read from ``../shared/data/pubmed`` (relative to the repository root) when
that folder is there, else from the unchanged copies in ``tests/data/real/pubmed``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import random
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "reading"
SENTENCES = OUT / "eval-sentences.tsv"
CONCEPTS = OUT / "concepts.tsv"
SEED = "seed"
SEED_PMID = "15832492"
SEED_IRI = "http://www.ncbi.nlm.nih.gov/pubmed/" + SEED_PMID
ENTITY = "https://w3id.org/igfkg/Entity"

# An abstract is on the topic when its text, title or MeSH headings match this.
TOPIC = re.compile(
    r"diabet|insulin|glucose|glycem|glycaem|hyperglyc|HbA1c|growth hormone|somatotropin|\bGH\b"
    r"|IGF|insulin-like|somatomedin|obes(e|ity)|overweight|adipos|body mass|\bBMI\b"
    r"|metabolic syndrome|retinopath|nephropath|neuropath",
    re.IGNORECASE,
)
FILL_SEED = 18  # random.Random seed of the fill with other abstracts
FILL_TARGET = 235  # sentences in all: whole other abstracts are added until this is reached

COLUMNS = [
    "source_file",
    "pmid",
    "start",
    "end",
    "sha",
    "hedged",
    "negated",
    "hedge_cues",
    "negation_cues",
    "mentions",
    "mention_texts",
    "selection",
]


def pubmed_dir() -> Path:
    """The folder of PubMed XML files: the shared data folder, else the repository's copies."""
    shared = ROOT.parent / "shared" / "data" / "pubmed"
    return shared if shared.is_dir() else ROOT / "tests" / "data" / "real" / "pubmed"


def abstract_text(article: ET.Element) -> str:
    """The abstract of a ``PubmedArticle``: its ``AbstractText`` sections, white space collapsed,
    ``Label: `` before a labelled one, joined by line breaks; empty sections skipped."""
    sections = []
    for elem in article.findall("MedlineCitation/Article/Abstract/AbstractText"):
        text = " ".join("".join(elem.itertext()).split())
        if text:
            label = elem.get("Label")
            sections.append(f"{label}: {text}" if label else text)
    return "\n".join(sections)


@dataclass
class Record:
    source_file: str
    pmid: str
    abstract: str
    topic: bool


def _root(path: Path) -> ET.Element:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return ET.fromstring(data)


def seed_abstract() -> str:
    """The seed abstract: the ``dcterms:abstract`` of PMID 15832492 in the KB's article.ttl."""
    import rdflib

    graph = rdflib.Graph().parse(ROOT / "ontology" / "kb" / "article.ttl")
    value = graph.value(rdflib.URIRef(SEED_IRI), rdflib.DCTERMS.abstract)
    return str(value)


def records(folder: Path | None = None) -> dict[tuple[str, str], Record]:
    """Every record with an abstract, keyed by (source file, PMID); a PMID found in several files
    is kept from the first file (in name order). The seed comes first, as source ``seed``."""
    out = {(SEED, SEED_PMID): Record(SEED, SEED_PMID, seed_abstract(), True)}
    seen = {SEED_PMID}
    for path in sorted((folder or pubmed_dir()).glob("*.xml*")):
        for article in _root(path).iter("PubmedArticle"):
            pmid = article.findtext("MedlineCitation/PMID") or ""
            text = abstract_text(article)
            if pmid in seen or not text:
                continue
            seen.add(pmid)
            title = "".join(article.find("MedlineCitation/Article/ArticleTitle").itertext())  # type: ignore[union-attr]
            mesh = [
                d.text or ""
                for d in article.findall("MedlineCitation/MeshHeadingList/MeshHeading/*")
            ]
            topic = bool(TOPIC.search("\n".join([text, title, *mesh])))
            out[(path.name, pmid)] = Record(path.name, pmid, text, topic)
    return out


def sentences(text: str) -> list[tuple[int, int, str]]:
    from igfkg.literature.reading.sentences import sentences as split

    return split(text)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def selection(recs: dict[tuple[str, str], Record]) -> list[tuple[Record, str]]:
    """The selected abstracts with why: the seed, every on-topic abstract, then other abstracts in
    a fixed random order until the sentences reach ``FILL_TARGET``."""
    chosen = [(r, SEED if r.source_file == SEED else "topic") for r in recs.values() if r.topic]
    total = sum(len(sentences(r.abstract)) for r, _ in chosen)
    others = [r for r in recs.values() if not r.topic]
    random.Random(FILL_SEED).shuffle(others)
    for rec in others:
        if total >= FILL_TARGET:
            break
        chosen.append((rec, "other"))
        total += len(sentences(rec.abstract))
    return chosen


# --- concepts -------------------------------------------------------------------------------


def concept_rows() -> list[list[str]]:
    """The concepts of the evaluation set: the KB's entities (class igfkg:Entity or below) with
    their labels and synonyms, the labels of the MeSH descriptors they skos:exactMatch as
    synonyms, and every other MeSH descriptor of the store as ``MESH:D…``."""
    import igfkg
    from igfkg.core.namespaces import compact

    kg = igfkg.open()
    idx = kg.name_index()

    def ancestors(cls: str) -> set[str]:
        out: set[str] = set()
        todo = [cls]
        while todo:
            for parent in idx.parents.get(todo.pop(), ()):
                if parent not in out:
                    out.add(parent)
                    todo.append(parent)
        return out

    entities = {
        iri
        for iri, types in idx.types.items()
        if any(t == ENTITY or ENTITY in ancestors(t) for t in types)
    }
    exact: dict[str, list[str]] = {iri: [] for iri in entities}
    related: dict[str, list[str]] = {iri: [] for iri in entities}
    for entry in idx.entries:
        if entry.entity in entities and entry.kind in ("exact synonym", "related synonym"):
            (exact if entry.scope == "exact" else related)[entry.entity].append(entry.text)
    mesh_rows = []
    query = (Path(__file__).parent / "eval_set_mesh.rq").read_text(encoding="utf-8")
    by_descriptor: dict[str, tuple[str, set[str]]] = {}
    for row in kg.select(query):
        descriptor, label, entity = (t.value if t is not None else "" for t in row)
        names = by_descriptor.setdefault(descriptor, (label, set()))[1]
        if entity in entities:
            names.add(entity)
    for descriptor, (label, mapped) in sorted(by_descriptor.items()):
        for entity in mapped:
            exact[entity].append(label)
        if not mapped:
            mesh_rows.append([compact(descriptor), label, "meshv:TopicalDescriptor", "", ""])

    def unique(names: list[str], but: set[str]) -> str:
        seen = {n.casefold() for n in but}
        out = []
        for name in names:
            if name.casefold() not in seen:
                seen.add(name.casefold())
                out.append(name)
        return ";".join(out)

    rows = []
    for iri in sorted(entities, key=compact):
        label = idx.labels[iri]
        kinds = ",".join(sorted(compact(t) for t in idx.types[iri]))
        syn = unique(exact[iri], {label})
        rel = unique(related[iri], {label, *exact[iri]})
        rows.append([compact(iri), label, kinds, syn, rel])
    return rows + mesh_rows


def concepts_text() -> str:
    lines = ["curie\tlabel\tclass\tsynonyms\trelated_synonyms"]
    lines += ["\t".join(row) for row in concept_rows()]
    return "\n".join(lines) + "\n"


def known_concepts() -> set[str]:
    with CONCEPTS.open(encoding="utf-8", newline="") as f:
        return {row["curie"] for row in csv.DictReader(f, delimiter="\t")}


# --- scratch file ---------------------------------------------------------------------------
# A block per sentence:
#   ## source_file pmid start end
#   # the sentence text (for the labeller; ignored)
#   H: cue;cue          hedge cues (empty: not hedged)
#   N: cue;cue          negation cues (empty: not negated)
#   M: text=CURIE; text#2=CURIE; ...
# A mention ``text=CURIE`` labels every occurrence of ``text`` (case-sensitive, not inside a word,
# not inside a longer labelled mention); ``text#2,3=CURIE`` only its 2nd and 3rd occurrences.


def write_scratch(path: Path) -> int:
    recs = records()
    lines = []
    n = 0
    for rec, why in selection(recs):
        lines.append(f"### {rec.source_file} {rec.pmid} {why}")
        for start, end, text in sentences(rec.abstract):
            lines += [f"## {rec.source_file} {rec.pmid} {start} {end}", f"# {text}"]
            lines += ["H: ", "N: ", "M: ", ""]
            n += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def _boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def resolve(sentence: str, specs: list[tuple[str, str]]) -> list[tuple[int, int, str, str]]:
    """Mention specs (``text`` or ``text#2,3``, CURIE) to spans (start, end, text, CURIE)."""
    spans: list[tuple[int, int, str, str]] = []
    parsed = []
    for spec, curie in specs:
        text, _, which = spec.partition("#")
        wanted = {int(i) for i in which.split(",")} if which else None
        parsed.append((text, wanted, curie))
    for text, wanted, curie in sorted(parsed, key=lambda p: -len(p[0])):
        found = [
            m.start()
            for m in re.finditer(re.escape(text), sentence)
            if _boundary(sentence, m.start(), m.end())
        ]
        picked = 0
        for i, start in enumerate(found, 1):
            end = start + len(text)
            if wanted is not None and i not in wanted:
                continue
            same = [c for s, e, _, c in spans if (s, e) == (start, end)]
            if same and curie not in same:  # one span naming two concepts ("type 1 and 2 ...")
                spans.append((start, end, text, curie))
                picked += 1
                continue
            if any(s < end and start < e for s, e, _, _ in spans):
                if wanted is not None:
                    raise ValueError(f"{text!r}#{i} overlaps another mention")
                continue
            spans.append((start, end, text, curie))
            picked += 1
        if not picked:
            raise ValueError(f"mention {text!r} not found in: {sentence}")
    return sorted(spans)


def convert(path: Path) -> list[dict[str, str]]:
    recs = records()
    why = {(r.source_file, r.pmid): w for r, w in selection(recs)}
    rows: list[dict[str, str]] = []
    current: dict[str, str] = {}
    sentence = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            if line.startswith("## "):
                source, pmid, start, end = line[3:].split()
                sentence = recs[(source, pmid)].abstract[int(start) : int(end)]
                current = {
                    "source_file": source,
                    "pmid": pmid,
                    "start": start,
                    "end": end,
                    "sha": sha(sentence),
                    "selection": why[(source, pmid)],
                }
                rows.append(current)
            elif line.startswith(("H:", "N:")):
                cues = [c.strip() for c in line[2:].split(";") if c.strip()]
                key = "hedge" if line[0] == "H" else "negation"
                current[f"{key}_cues"] = ";".join(cues)
                current["hedged" if key == "hedge" else "negated"] = "1" if cues else "0"
            elif line.startswith("M:"):
                specs = []
                for item in line[2:].split(";"):
                    if item.strip():
                        text, _, curie = item.strip().rpartition("=")
                        specs.append((text, curie))
                spans = resolve(sentence, specs)
                current["mentions"] = ";".join(f"{s}-{e}={c}" for s, e, _, c in spans)
                current["mention_texts"] = ";".join(t for _, _, t, _ in spans)
        except (ValueError, KeyError) as err:
            raise SystemExit(f"{path}:{number}: {err}") from err
    return rows


def write_rows(rows: list[dict[str, str]]) -> None:
    with SENTENCES.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# --- check ----------------------------------------------------------------------------------


def read_rows(path: Path = SENTENCES) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def mentions(row: dict[str, str]) -> list[tuple[int, int, str]]:
    """The (start, end, CURIE) mentions of a row."""
    out = []
    for item in filter(None, row["mentions"].split(";")):
        span, _, curie = item.partition("=")
        start, _, end = span.partition("-")
        out.append((int(start), int(end), curie))
    return out


def problems(rows: list[dict[str, str]]) -> list[str]:
    """Everything wrong with the rows, checked against the records and the concept list."""
    recs = records()
    concepts = known_concepts()
    out = []
    seen = set()
    for n, row in enumerate(rows, 2):
        where = f"{SENTENCES.name}:{n}"
        key = (row["source_file"], row["pmid"])
        if key not in recs:
            out.append(f"{where}: no abstract for {key}")
            continue
        start, end = int(row["start"]), int(row["end"])
        if (key, start) in seen:
            out.append(f"{where}: sentence listed twice")
        seen.add((key, start))
        if (start, end) not in {(s, e) for s, e, _ in sentences(recs[key].abstract)}:
            out.append(f"{where}: {start}-{end} is not a sentence of the abstract")
        sentence = recs[key].abstract[start:end]
        if sha(sentence) != row["sha"]:
            out.append(f"{where}: sha differs")
        texts = row["mention_texts"].split(";") if row["mention_texts"] else []
        spans = mentions(row)
        if len(texts) != len(spans):
            out.append(f"{where}: {len(spans)} mentions but {len(texts)} mention texts")
        last = (0, 0)
        for (s, e, curie), text in zip(spans, texts, strict=False):
            if not 0 <= s < e <= len(sentence) or (s < last[1] and (s, e) != last):
                out.append(f"{where}: span {s}-{e} outside the sentence or overlapping")
            elif sentence[s:e] != text:
                out.append(f"{where}: span {s}-{e} is {sentence[s:e]!r}, labelled {text!r}")
            if curie not in concepts:
                out.append(f"{where}: {curie} is not in {CONCEPTS.name}")
            last = (s, e)
        for flag, cues in (("hedged", "hedge_cues"), ("negated", "negation_cues")):
            listed = [c for c in row[cues].split(";") if c]
            if row[flag] != ("1" if listed else "0"):
                out.append(f"{where}: {flag}={row[flag]} but cues {listed}")
            for cue in listed:
                if cue.casefold() not in sentence.casefold():
                    out.append(f"{where}: cue {cue!r} not in the sentence")
    return out


def summary(rows: list[dict[str, str]]) -> str:
    by_source: Counter[str] = Counter(r["source_file"] for r in rows)
    by_selection: Counter[str] = Counter(r["selection"] for r in rows)
    n_mentions = sum(len(mentions(r)) for r in rows)
    with_mentions = sum(1 for r in rows if r["mentions"])
    hedged = sum(r["hedged"] == "1" for r in rows)
    negated = sum(r["negated"] == "1" for r in rows)
    abstracts = len({(r["source_file"], r["pmid"]) for r in rows})
    return (
        f"{len(rows)} sentences from {abstracts} abstracts ("
        + ", ".join(f"{k} {v}" for k, v in sorted(by_selection.items()))
        + f"); {with_mentions} with mentions, {n_mentions} mentions; "
        f"{hedged} hedged, {negated} negated; per file: "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items()))
        + "; every sha, span, cue and concept verified"
    )


def show(rows: list[dict[str, str]]) -> None:
    """Print each sentence with ``[text|CURIE]`` mentions, ``H``/``N`` flags and cues."""
    recs = records()
    for row in rows:
        text = recs[(row["source_file"], row["pmid"])].abstract[int(row["start"]) : int(row["end"])]
        spans: dict[tuple[int, int], list[str]] = {}
        for start, end, curie in mentions(row):
            spans.setdefault((start, end), []).append(curie)
        for (start, end), curies in sorted(spans.items(), reverse=True):
            text = f"{text[:start]}[{text[start:end]}|{','.join(curies)}]{text[end:]}"
        flags = ("H" if row["hedged"] == "1" else "-") + ("N" if row["negated"] == "1" else "-")
        cues = f"{row['hedge_cues']} / {row['negation_cues']}"
        print(f"{row['source_file']} {row['pmid']} {row['start']} {flags} {cues} :: {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("check")
    sub.add_parser("show")
    concepts = sub.add_parser("concepts")
    concepts.add_argument("--check", action="store_true")
    sub.add_parser("select").add_argument("scratch", type=Path)
    sub.add_parser("convert").add_argument("scratch", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.command == "concepts":
        text = concepts_text()
        if args.check:
            current = CONCEPTS.read_text(encoding="utf-8") if CONCEPTS.exists() else ""
            return 0 if current == text else 1
        OUT.mkdir(parents=True, exist_ok=True)
        CONCEPTS.write_text(text, encoding="utf-8")
        return 0
    if args.command == "select":
        print(f"{write_scratch(args.scratch)} sentences written to {args.scratch}")
        return 0
    if args.command == "convert":
        write_rows(convert(args.scratch))
    rows = read_rows()
    if args.command == "show":
        show(rows)
        return 0
    found = problems(rows)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        return 1
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
