"""Synthetic MeSH-indexed article graphs for benchmarks, drawn from the real MeSH tree.

Articles follow the KB's model of the seed article (igfkg:JournalArticle; igfkg:hasMeshDescriptor,
igfkg:hasMeshDescriptorQualifierPair and their hasMajor... sub-properties; NLM's pair resources).
They are benchmark data only: their PMIDs start at 90000001, far above real ones, and each
carries dcterms:source "synthetic".
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
from collections.abc import Iterator
from pathlib import Path

#: The MeSH 2015 tree table (an unchanged, gzipped copy of the shared real data).
DEFAULT_TREE = (
    Path(__file__).resolve().parents[1]
    / "tests/data/real/mesh/dhimmel__mesh2015_tree-numbers.tsv.gz"
)
MESH = "http://id.nlm.nih.gov/mesh/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
IGFKG = "https://w3id.org/igfkg/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
# Descriptors of the KB (diabetes, IGF-1, insulin, complications, ...): a fifth of the synthetic
# articles get one of them, so the literature queries have something to find.
TOPICS = [
    "D003920",
    "D003922",
    "D003924",
    "D007334",
    "D007328",
    "D048909",
    "D003929",
    "D003925",
    "D007333",
    "D013006",
    "D018969",
    "D017526",
]
QUALIFIERS = ["Q000188", "Q000503", "Q000502", "Q000627", "Q000097", "Q000175", "Q000378"]


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_tree(path: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Descriptor labels and broader descriptors from the MeSH tree-number table."""
    names: dict[str, str] = {}
    trees: dict[str, list[str]] = {}
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            names[row["mesh_id"]] = row["mesh_name"]
            trees.setdefault(row["mesh_id"], []).append(row["mesh_tree_number"])
    by_tree = {t: d for d, ts in trees.items() for t in ts}
    broader = {
        d: {by_tree[t.rsplit(".", 1)[0]] for t in ts if "." in t and t.rsplit(".", 1)[0] in by_tree}
        for d, ts in trees.items()
    }
    return names, broader


def mesh_triples(names: dict[str, str], broader: dict[str, set[str]]) -> Iterator[str]:
    """The MeSH descriptors as NLM's MeSH RDF writes them (type, label, identifier, broader)."""
    for d, name in names.items():
        iri = f"<{MESH}{d}>"
        yield f"{iri} {RDF_TYPE} <{MESHV}TopicalDescriptor> ."
        yield f"{iri} {LABEL} {_lit(name)}@en ."
        yield f"{iri} <{MESHV}identifier> {_lit(d)} ."
        for b in sorted(broader[d]):
            yield f"{iri} <{MESHV}broaderDescriptor> <{MESH}{b}> ."


def article_triples(n: int, descriptors: list[str], seed: int = 42) -> Iterator[str]:
    """``n`` synthetic articles with 5-15 MeSH headings each."""
    rng = random.Random(seed)
    pairs: set[str] = set()
    for i in range(n):
        pmid = 90_000_001 + i
        art = f"<http://www.ncbi.nlm.nih.gov/pubmed/{pmid}>"
        yield f"{art} {RDF_TYPE} <{IGFKG}JournalArticle> ."
        yield f"{art} <http://purl.org/dc/terms/title> {_lit(f'Synthetic article {pmid}')} ."
        yield f"{art} <http://purl.org/ontology/bibo/pmid> {_lit(str(pmid))} ."
        year = 1990 + rng.randrange(35)
        yield (
            f'{art} <http://purl.org/dc/terms/issued> "{year}"'
            "^^<http://www.w3.org/2001/XMLSchema#gYear> ."
        )
        yield f"{art} <{IGFKG}publishedIn> <{IGFKG}kb/journal-synthetic-{rng.randrange(200)}> ."
        yield f'{art} <http://purl.org/dc/terms/source> "synthetic" .'
        chosen = set(rng.sample(descriptors, rng.randint(5, 15)))
        if rng.random() < 0.2:
            chosen.add(rng.choice(TOPICS))
        for d in sorted(chosen):
            q = rng.choice(QUALIFIERS) if rng.random() < 0.5 else ""
            yield f"{art} <{IGFKG}hasMeshDescriptor> <{MESH}{d}> ."
            major = rng.random() < 0.3
            if q:
                pair = f"<{MESH}{d}{q}>"
                yield f"{art} <{IGFKG}hasMeshDescriptorQualifierPair> {pair} ."
                if major:
                    yield f"{art} <{IGFKG}hasMajorMeshDescriptorQualifierPair> {pair} ."
                if d + q not in pairs:
                    pairs.add(d + q)
                    yield f"{pair} {RDF_TYPE} <{MESHV}DescriptorQualifierPair> ."
                    yield f"{pair} <{MESHV}hasDescriptor> <{MESH}{d}> ."
                    yield f"{pair} <{MESHV}hasQualifier> <{MESH}{q}> ."
            elif major:
                yield f"{art} <{IGFKG}hasMajorMeshDescriptor> <{MESH}{d}> ."


def write_graph(path: Path, articles: int, tree: Path = DEFAULT_TREE) -> int:
    """Write MeSH + ``articles`` synthetic articles as N-Triples; return the triple count."""
    names, broader = read_tree(tree)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for line in mesh_triples(names, broader):
            out.write(line + "\n")
            count += 1
        for line in article_triples(articles, sorted(names)):
            out.write(line + "\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--articles", type=int, default=16_000)
    parser.add_argument("--mesh-tree", type=Path, default=DEFAULT_TREE)
    args = parser.parse_args()
    print(write_graph(args.output, args.articles, args.mesh_tree), "triples")


if __name__ == "__main__":
    main()
