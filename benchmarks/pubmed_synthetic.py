"""Realistic synthetic PubMed XML (PubmedArticleSet, 2025 DTD shape) for ingest benchmarks.

Journals, years, titles, publication types, chemicals and 5-15 MeSH headings per article (with
qualifiers and major-topic flags) are drawn from the real MeSH tree. PMIDs start at 90000001,
far above real ones; the files are benchmark data only.

Run: ``python benchmarks/pubmed_synthetic.py OUTDIR --articles 100000 --per-file 10000``.
"""

from __future__ import annotations

import argparse
import gzip
import random
from pathlib import Path
from xml.sax.saxutils import escape

from synthetic import DEFAULT_TREE, QUALIFIERS, TOPICS, read_tree

PUBLICATION_TYPES = [
    ("D016428", "Journal Article"),
    ("D016454", "Review"),
    ("D016449", "Randomized Controlled Trial"),
    ("D013485", "Research Support"),
]
WORDS = [
    "insulin", "growth", "factor", "diabetes", "receptor", "signalling", "therapy", "glucose",
    "resistance", "hormone", "axis", "binding", "protein", "clinical", "trial", "outcome",
    "patients", "model",
]  # fmt: skip


def article_xml(
    rng: random.Random, pmid: int, descriptors: list[str], names: dict[str, str]
) -> str:
    chosen = set(rng.sample(descriptors, rng.randint(5, 15)))
    if rng.random() < 0.2:
        chosen.add(rng.choice(TOPICS))
    headings = []
    for d in sorted(chosen):
        quals = rng.sample(QUALIFIERS, rng.choice([0, 0, 1, 1, 2]))
        major = "Y" if rng.random() < 0.25 and not quals else "N"
        q_xml = "".join(
            f'<QualifierName UI="{q}" MajorTopicYN="{"Y" if rng.random() < 0.3 else "N"}">'
            "q</QualifierName>"
            for q in quals
        )
        headings.append(
            f'<MeshHeading><DescriptorName UI="{d}" MajorTopicYN="{major}">'
            f"{escape(names[d])}</DescriptorName>{q_xml}</MeshHeading>"
        )
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
    pt_ui, pt_name = rng.choice(PUBLICATION_TYPES)
    journal = rng.randrange(2000)
    chem = rng.choice(TOPICS)
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal>'
        f"<JournalIssue><PubDate><Year>{1980 + rng.randrange(45)}</Year></PubDate></JournalIssue>"
        f"<Title>Synthetic Journal {journal}</Title>"
        f"<ISOAbbreviation>Synth J {journal}</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{escape(title)}</ArticleTitle>"
        f'<ELocationID EIdType="doi" ValidYN="Y">10.9999/synthetic.{pmid}</ELocationID>'
        f'<PublicationTypeList><PublicationType UI="{pt_ui}">{pt_name}</PublicationType>'
        f"</PublicationTypeList></Article>"
        f"<MedlineJournalInfo><MedlineTA>Synth J {journal}</MedlineTA>"
        f"<NlmUniqueID>99{journal:07d}</NlmUniqueID></MedlineJournalInfo>"
        f'<ChemicalList><Chemical><RegistryNumber>0</RegistryNumber><NameOfSubstance UI="{chem}">'
        f"{escape(names.get(chem, 'x'))}</NameOfSubstance></Chemical></ChemicalList>"
        f"<MeshHeadingList>{''.join(headings)}</MeshHeadingList></MedlineCitation>"
        f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f"</ArticleIdList></PubmedData></PubmedArticle>\n"
    )


def write_files(
    outdir: Path, articles: int, per_file: int, seed: int = 7, tree: Path = DEFAULT_TREE
) -> list[Path]:
    """Write ``articles`` synthetic records as gzipped PubMed XML files of ``per_file`` each."""
    names, _ = read_tree(tree)
    descriptors = sorted(names)
    rng = random.Random(seed)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, articles, per_file):
        path = outdir / f"synthetic{start // per_file + 1:04d}.xml.gz"
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
            for i in range(start, min(start + per_file, articles)):
                out.write(article_xml(rng, 90_000_001 + i, descriptors, names))
            out.write("</PubmedArticleSet>\n")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    args = parser.parse_args()
    for path in write_files(args.outdir, args.articles, args.per_file):
        print(path)


if __name__ == "__main__":
    main()
