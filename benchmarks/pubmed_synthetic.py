"""Realistic synthetic PubMed XML (PubmedArticleSet, 2025 DTD shape) for ingest benchmarks.

Journals, years, titles, publication types, chemicals and 5-15 MeSH headings per article (with
qualifiers and major-topic flags) are drawn from the real MeSH tree. PMIDs start at 90000001,
far above real ones; the files are benchmark data only.

Abstracts are shaped like those of the 163 real records in
``tests/data/real/pubmed/metapub__pmid_fixtures_merged_163.xml.gz`` (145 have one, 89 %; mean
1,402 characters, median 1,351; 197 words of 6.1 characters; 9 sentences; a sixth structured,
with about 4 labelled sections, 1,831 characters): sentences of words drawn from
:data:`FUNCTION_WORDS` and :data:`CONTENT_WORDS` (no real sentence is copied), with numbers,
statistics, Greek letters, some italics and the names of the article's own MeSH descriptors
(the generated ones: mean 1,392 characters, median 1,378, 191 words of 6.3 characters, 17 %
structured with 4 sections). Each article's abstract and language come from a generator seeded
by its PMID alone, so the rest of a record is the same with or without them (``abstracts=0``,
``language=False``). One title in 25 has a character outside ASCII, as real ones do.

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
#: The share of records with an abstract (145 of the 163 real records).
ABSTRACT_SHARE = 0.89
#: The share of titles with a character outside ASCII (6 of the 163), so that a file's text is
#: not pure ASCII, which Python handles faster than any real baseline file.
NON_ASCII_TITLES = 0.04
#: Words of synthetic abstracts: short function words (each drawn 3 times as often) and
#: longer content words; their mix gives the real mean of ~6.1 characters per word.
FUNCTION_WORDS = [
    "the", "of", "and", "in", "to", "a", "with", "was", "were", "for", "by", "on", "is", "that",
    "as", "from", "at", "or", "not", "than", "may", "these", "this", "both", "between", "after",
]  # fmt: skip
CONTENT_WORDS = [
    "insulin", "growth", "factor", "diabetes", "receptor", "signalling", "therapy", "glucose",
    "resistance", "hormone", "axis", "binding", "protein", "clinical", "trial", "outcome",
    "patients", "model", "expression", "increased", "decreased", "reduced", "improved",
    "associated", "significantly", "levels", "plasma", "serum", "tissue", "cells", "response",
    "treatment", "mice", "rats", "human", "subjects", "controls", "cohort", "baseline",
    "follow-up", "months", "weeks", "dose", "administration", "secretion", "sensitivity",
    "metabolism", "pathway", "activation", "inhibition", "regulation", "mechanisms",
    "complications", "retinopathy", "nephropathy", "neuropathy", "vascular", "endothelial",
    "oxidative", "stress", "inflammation", "adipose", "hepatic", "skeletal", "muscle", "kidney",
    "retina", "concentrations", "measured", "compared", "observed", "suggest", "indicate",
    "demonstrated", "analysis", "regression", "randomised", "placebo", "double-blind",
    "prospective", "retrospective", "multivariate", "adjusted", "risk", "mortality", "incidence",
    "prevalence", "population", "children", "adults", "adolescents", "women", "men", "older",
    "type", "diabetic", "glycaemic", "control", "HbA1c", "IGF-1", "IGFBP-3", "GH", "mRNA",
    "phosphorylation", "kinase", "Akt", "mTOR", "apoptosis", "proliferation", "differentiation",
    "study", "studies", "data", "results", "effect", "effects", "role", "function", "changes",
    "potential", "novel", "chronic", "acute", "severe", "moderate", "early", "long-term",
    "short-term", "independent", "higher", "lower", "markers", "biomarkers", "genetic",
    "variants", "polymorphism", "syndrome", "disease", "disorder", "injury", "recovery",
    "intervention", "exercise", "diet", "obesity", "body", "mass", "index", "weight", "lipid",
    "cholesterol", "triglycerides", "blood", "pressure", "cardiovascular", "events", "therapeutic",
    "efficacy", "safety", "adverse", "tolerated", "hypoglycaemia", "oedema", "recombinant",
    "injection", "subcutaneous", "infusion", "clamp", "uptake", "transport", "secreted",
]  # fmt: skip
_WORDS = FUNCTION_WORDS + CONTENT_WORDS
_WEIGHTS = [3.0] * len(FUNCTION_WORDS) + [1.0] * len(CONTENT_WORDS)
_CUMULATIVE = [sum(_WEIGHTS[: i + 1]) for i in range(len(_WEIGHTS))]
STRUCTURES = [
    ("BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"),
    ("OBJECTIVE", "METHODS", "RESULTS", "CONCLUSION"),
    ("AIMS", "METHODS", "RESULTS", "CONCLUSIONS"),
    ("BACKGROUND", "OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"),
    ("PURPOSE OF REVIEW", "RECENT FINDINGS", "SUMMARY"),
]
_CATEGORY = {
    "BACKGROUND": "BACKGROUND", "OBJECTIVE": "OBJECTIVE", "AIMS": "OBJECTIVE",
    "METHODS": "METHODS", "DESIGN": "METHODS", "RESULTS": "RESULTS",
    "CONCLUSIONS": "CONCLUSIONS", "CONCLUSION": "CONCLUSIONS",
}  # fmt: skip
#: Languages of records (NLM's ISO 639-2 codes), English for most.
LANGUAGES = ["eng"] * 92 + ["ger", "fre", "jpn", "rus", "spa", "chi", "ita", "por"]


def _sentence(rng: random.Random, topics: list[str]) -> str:
    """One sentence of 8-34 words, with a statistic, a number or a topic now and then."""
    words = rng.choices(_WORDS, cum_weights=_CUMULATIVE, k=rng.randint(8, 34))
    roll = rng.random()
    if roll < 0.15:
        words.append(f"(n = {rng.randint(12, 4000)})")
    elif roll < 0.25:
        words.append(f"(p < 0.{rng.choice(['05', '01', '001'])})")
    elif roll < 0.32:
        low = rng.uniform(0.5, 2.0)
        words.append(f"(OR {low + 0.4:.2f}; 95% CI {low:.2f} to {low + 0.9:.2f})")
    elif roll < 0.36:
        words.insert(rng.randrange(len(words)), rng.choice(["β-cell", "α-subunit", "37 °C"]))
    if topics and rng.random() < 0.35:
        words.insert(rng.randrange(len(words)), rng.choice(topics).lower())
    if rng.random() < 0.05:
        i = rng.randrange(len(words))
        words[i] = f"<i>{words[i]}</i>"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, topics: list[str], length: int) -> str:
    """Sentences until about ``length`` characters (escaped XML text, italics kept)."""
    sentences: list[str] = []
    size = 0
    while size < length:
        sentence = _sentence(rng, topics)
        sentences.append(sentence)
        size += len(sentence) + 1
    return escape(" ".join(sentences)).replace("&lt;i&gt;", "<i>").replace("&lt;/i&gt;", "</i>")


def abstract_xml(pmid: int, topics: list[str], share: float = ABSTRACT_SHARE) -> str:
    """The ``Abstract`` element of a synthetic record (or nothing, for 1 - ``share`` of them),
    from a generator seeded by ``pmid`` alone."""
    rng = random.Random(f"abstract-{pmid}")
    if rng.random() >= share:
        return ""
    if rng.random() < 1 / 6:
        labels = rng.choice(STRUCTURES)
        total = max(300, int(rng.gauss(1430, 500)))
        parts = []
        for label in labels:
            category = _CATEGORY.get(label, "UNASSIGNED")
            text = _paragraph(rng, topics, total // len(labels))
            parts.append(
                f'<AbstractText Label="{label}" NlmCategory="{category}">{text}</AbstractText>'
            )
        body = "".join(parts)
    else:
        text = _paragraph(rng, topics, max(80, int(rng.gauss(1210, 480))))
        body = f"<AbstractText>{text}</AbstractText>"
    if rng.random() < 0.3:
        body += (
            f"<CopyrightInformation>© {2000 + pmid % 25} Synthetic Press.</CopyrightInformation>"
        )
    return f"<Abstract>{body}</Abstract>"


def language_xml(pmid: int) -> str:
    """The ``Language`` element of a synthetic record (seeded by ``pmid`` alone)."""
    return f"<Language>{random.Random(f'language-{pmid}').choice(LANGUAGES)}</Language>"


def article_xml(
    rng: random.Random,
    pmid: int,
    descriptors: list[str],
    names: dict[str, str],
    abstracts: float = ABSTRACT_SHARE,
    language: bool = True,
) -> str:
    """One ``PubmedArticle``; ``abstracts`` is the share of records given an abstract."""
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
    topics = [names[d] for d in sorted(chosen) if d in names]
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
    if random.Random(f"title-{pmid}").random() < NON_ASCII_TITLES:
        title = title[:-1] + " in β-cells."
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
        f"{abstract_xml(pmid, topics, abstracts) if abstracts else ''}"
        f"{language_xml(pmid) if language else ''}"
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
    outdir: Path,
    articles: int,
    per_file: int,
    seed: int = 7,
    tree: Path = DEFAULT_TREE,
    abstracts: float = ABSTRACT_SHARE,
    language: bool = True,
) -> list[Path]:
    """Write ``articles`` synthetic records as gzipped PubMed XML files of ``per_file`` each
    (``abstracts``: the share with an abstract; ``language``: whether records give one)."""
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
                pmid = 90_000_001 + i
                out.write(article_xml(rng, pmid, descriptors, names, abstracts, language))
            out.write("</PubmedArticleSet>\n")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument(
        "--abstracts", type=float, default=ABSTRACT_SHARE, help="share of records with one"
    )
    args = parser.parse_args()
    for path in write_files(args.outdir, args.articles, args.per_file, abstracts=args.abstracts):
        print(path)


if __name__ == "__main__":
    main()
