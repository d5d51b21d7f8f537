"""Evidence sentences as N-Triples of the evidence graph (see ``ontology/igfkg-reading.ttl``).

Every node has an IRI made from the PMID and offsets (no blank nodes), so the same reading of
the same abstract gives the same triples, and a re-read changes only what changed.

>>> from igfkg.literature.reading.cues import SentenceCues
>>> from igfkg.literature.reading.matcher import Mention
>>> s = SentenceEvidence(0, 14, "", (Mention(0, 5, ("https://w3id.org/igfkg/kb/igf-1",)),),
...                      SentenceCues(True, False, ("may",), (), ()))
>>> lines = sentence_lines("15832492", "IGF-I may help.", s, "https://w3id.org/igfkg/reading/x")
>>> print(lines[1].replace("https://w3id.org/igfkg/", "igfkg:"))
<igfkg:evidence/15832492/0-14> <igfkg:inArticle> <http://www.ncbi.nlm.nih.gov/pubmed/15832492> .

Each sentence also points at its *yearly evidence* nodes (:func:`yearly_iri`): one per year and
entity the sentence names, and one per year and pair of entities it names together
(:func:`yearly_pair_iri`). They hold the numbers of their sentences, hedged and negated
sentences and articles (kept by :mod:`igfkg.literature.evidence`), so an entity's (or a pair's)
evidence is counted by summing a few numbers whatever the size of the corpus, and its newest
sentences are found by reading only the years that hold them.

>>> index_keys(["x:b", "x:a", "x:b"])
['x:a', 'x:b']
>>> pair_keys(["x:c", "x:a", "x:b"])
[('x:a', 'x:b'), ('x:a', 'x:c'), ('x:b', 'x:c')]
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from igfkg.core.rdfwriter import XSD, literal
from igfkg.core.vocabulary import Vocabulary
from igfkg.literature.reading.reader import VERSION, SentenceEvidence

__all__ = [
    "EVIDENCE",
    "EVIDENCE_GRAPH",
    "activity_iri",
    "activity_lines",
    "article_evidence_lines",
    "candidate_iri",
    "candidate_lines",
    "index_keys",
    "pair_keys",
    "sentence_lines",
    "yearly_iri",
    "yearly_lines",
    "yearly_pair_iri",
    "yearly_pair_lines",
]

IGFKG = "https://w3id.org/igfkg/"
EVIDENCE = IGFKG + "evidence/"
CANDIDATE = IGFKG + "candidate/"
YEARLY = IGFKG + "evidence-year/"
EVIDENCE_GRAPH = IGFKG + "graph/literature-evidence"
PUBMED = "http://www.ncbi.nlm.nih.gov/pubmed/"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDFS_COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"
_DIRECTION = {
    "increase": "IncreaseCue",
    "decrease": "DecreaseCue",
    "improve": "ImproveCue",
    "impair": "ImpairCue",
}


def _p(local: str) -> str:
    return f"<{IGFKG}{local}>"


def _int(value: int) -> str:
    return f'"{value}"^^<{XSD}integer>'


def _bool(value: bool) -> str:
    return f'"{str(value).lower()}"^^<{XSD}boolean>'


def activity_iri(vocabulary: Vocabulary) -> str:
    """The reading activity of a vocabulary: one IRI per reader version and vocabulary."""
    key = hashlib.sha256(f"{VERSION}\x00{vocabulary.digest}".encode()).hexdigest()
    return f"{IGFKG}reading/{key[:16]}"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - installed dependencies
        return "unknown"


def activity_lines(vocabulary: Vocabulary) -> list[str]:
    """N-Triples describing the reading activity: method version, libraries, vocabulary."""
    a = f"<{activity_iri(vocabulary)}>"
    libraries = ", ".join(
        f"{name} {_version(name)}" for name in ("spacy", "negspacy", "pyahocorasick")
    )
    return [
        f"{a} {RDF_TYPE} {_p('ReadingActivity')} .",
        f"{a} {RDF_TYPE} <{PROV}Activity> .",
        f"{a} {RDFS_LABEL} {literal(f'igfkg literature reader {VERSION}')} .",
        f"{a} {_p('readerVersion')} {literal(VERSION)} .",
        f"{a} {_p('vocabularyDigest')} {literal(vocabulary.digest)} .",
        f"{a} {RDFS_COMMENT} {literal('Machine-read with ' + libraries + '.')} .",
    ]


def sentence_lines(
    pmid: str, text: str, s: SentenceEvidence, activity: str, year: str = ""
) -> list[str]:
    """N-Triples of one evidence sentence of article ``pmid`` (whose abstract is ``text``,
    published in ``year``, "" if unknown)."""
    node = f"{EVIDENCE}{pmid}/{s.start}-{s.end}"
    n = f"<{node}>"
    out = [
        f"{n} {RDF_TYPE} {_p('EvidenceSentence')} .",
        f"{n} {_p('inArticle')} <{PUBMED}{pmid}> .",
        f"{n} <{NIF}beginIndex> {_int(s.start)} .",
        f"{n} <{NIF}endIndex> {_int(s.end)} .",
        f"{n} <{NIF}anchorOf> {literal(text[s.start : s.end])} .",
        f"{n} {_p('hedged')} {_bool(s.cues.hedged)} .",
        f"{n} {_p('negated')} {_bool(s.cues.negated)} .",
        f"{n} <{PROV}wasGeneratedBy> <{activity}> .",
    ]
    add = out.append
    if s.section:
        add(f"{n} {_p('abstractSection')} {literal(s.section)} .")
    for cue in s.cues.hedge_cues:
        add(f"{n} {_p('sentenceHedgeCue')} {literal(cue)} .")
    for cue in s.cues.negation_cues:
        add(f"{n} {_p('sentenceNegationCue')} {literal(cue)} .")
    for kind in s.cues.directions:
        add(f"{n} {_p('directionCue')} {_p(_DIRECTION[kind])} .")
    concepts: dict[str, None] = {}
    for m in s.mentions:
        mention = f"<{node}/m{m.start}-{m.end}>"
        add(f"{n} {_p('hasMention')} {mention} .")
        add(f"{mention} {RDF_TYPE} {_p('EntityMention')} .")
        add(f"{mention} <{NIF}beginIndex> {_int(m.start)} .")
        add(f"{mention} <{NIF}endIndex> {_int(m.end)} .")
        for concept in m.concepts:
            add(f"{mention} {_p('mentionOf')} <{concept}> .")
            concepts[concept] = None
    for concept in concepts:
        add(f"{n} {_p('mentionsEntity')} <{concept}> .")
    for claim in s.claims:
        add(f"{n} {_p('mentionsEntitiesOfClaim')} {literal(claim)} .")
    for a, b in s.candidates:
        add(f"<{candidate_iri(a, b)}> {_p('evidenceSentence')} {n} .")
    for key in index_keys(concepts):
        add(f"{n} {_p('inYearlyEvidence')} <{yearly_iri(key, year)}> .")
    for a, b in pair_keys(concepts):
        add(f"{n} {_p('inYearlyPairEvidence')} <{yearly_pair_iri(a, b, year)}> .")
    return out


def index_keys(concepts: Iterable[str]) -> list[str]:
    """The index keys of a sentence naming ``concepts`` (IRIs): each concept's IRI, once."""
    return sorted(set(concepts))


def pair_keys(concepts: Iterable[str]) -> list[tuple[str, str]]:
    """The pairs of entities (IRIs) a sentence naming ``concepts`` names together, each once,
    its two IRIs in code-point order."""
    named = index_keys(concepts)
    return [(a, b) for i, a in enumerate(named) for b in named[i + 1 :]]


def yearly_iri(key: str, year: str) -> str:
    """The yearly evidence node of an entity (IRI) and a publication year ("": none)."""
    digest = hashlib.sha256(f"{key}\x00{year}".encode()).hexdigest()[:20]
    return f"{YEARLY}{digest}"


def yearly_lines(key: str, year: str) -> list[str]:
    """N-Triples defining the yearly evidence node of an entity (IRI) and a year (its counts
    are kept by the store's writer)."""
    y = f"<{yearly_iri(key, year)}>"
    out = [f"{y} {RDF_TYPE} {_p('YearlyEvidence')} .", f"{y} {_p('yearlyEvidenceOf')} <{key}> ."]
    if year:
        out.append(f"{y} {_p('indexYear')} {_int(int(year))} .")
    return out


def yearly_pair_iri(a: str, b: str, year: str) -> str:
    """The yearly evidence node of two entities (IRIs, either order) and a year ("": none).

    >>> yearly_pair_iri("x:a", "x:b", "2001") == yearly_pair_iri("x:b", "x:a", "2001")
    True
    """
    first, second = sorted((a, b))
    return yearly_iri(f"{first} {second}", year)


def yearly_pair_lines(a: str, b: str, year: str) -> list[str]:
    """N-Triples defining the yearly evidence node of two entities and a year (its counts are
    kept by the store's writer)."""
    y = f"<{yearly_pair_iri(a, b, year)}>"
    out = [
        f"{y} {RDF_TYPE} {_p('YearlyPairEvidence')} .",
        f"{y} {_p('yearlyPairEvidenceOf')} <{a}> .",
        f"{y} {_p('yearlyPairEvidenceOf')} <{b}> .",
    ]
    if year:
        out.append(f"{y} {_p('indexYear')} {_int(int(year))} .")
    return out


def candidate_iri(a: str, b: str) -> str:
    """The candidate statement of two entities, whichever is named first: one node per pair
    for the whole corpus (its sentences point at it), defined by :func:`candidate_lines`.

    >>> candidate_iri("x:a", "x:b") == candidate_iri("x:b", "x:a")
    True
    """
    first, second = sorted((a, b))
    key = hashlib.sha256(f"{first} {second}".encode()).hexdigest()[:20]
    return f"{CANDIDATE}{key}"


def candidate_lines(a: str, b: str) -> list[str]:
    """N-Triples defining the candidate statement of two entities (subject: the first IRI in
    code-point order); written once, shared by every sentence naming the pair."""
    first, second = sorted((a, b))
    c = f"<{candidate_iri(a, b)}>"
    return [
        f"{c} {RDF_TYPE} {_p('CandidateStatement')} .",
        f"{c} {_p('candidateSubject')} <{first}> .",
        f"{c} {_p('candidateObject')} <{second}> .",
    ]


def article_evidence_lines(
    pmid: str, text: str, sentences: list[SentenceEvidence], activity: str, year: str = ""
) -> list[str]:
    """N-Triples of all evidence sentences of one article (published in ``year``), and the
    definitions of the candidate statements and yearly evidence nodes they point at (shared
    with other articles: see :func:`igfkg.literature.evidence.evidence_change`)."""
    out: list[str] = []
    pairs: dict[tuple[str, str], None] = {}
    keys: dict[str, None] = {}
    named: dict[tuple[str, str], None] = {}
    for s in sentences:
        out += sentence_lines(pmid, text, s, activity, year)
        pairs.update(dict.fromkeys(tuple(sorted(p)) for p in s.candidates))  # type: ignore[misc]
        concepts = [c for m in s.mentions for c in m.concepts]
        keys.update(dict.fromkeys(index_keys(concepts)))
        named.update(dict.fromkeys(pair_keys(concepts)))
    for a, b in pairs:
        out += candidate_lines(a, b)
    for key in keys:
        out += yearly_lines(key, year)
    for a, b in named:
        out += yearly_pair_lines(a, b, year)
    return out
