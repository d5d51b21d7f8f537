"""User shapes per SHACL construct family, and synthetic article data that violates each of
them a known number of times (for ``bench_shacl.py``).

The data are the synthetic MeSH-indexed articles of ``synthetic.py`` (a sample of the real
MeSH 2015 tree as descriptors), plus a few benchmark-only properties in ``ex:`` (citation
counts, pages, preprint IDs); every ``FAULT_EVERY``-th article carries one kind of fault, so
each family finds violations and both engines must find the same ones.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from synthetic import DEFAULT_TREE, TOPICS, article_triples, mesh_triples, read_tree

EX = "http://example.org/bench/"
IGFKG = "https://w3id.org/igfkg/"
MESH = "http://id.nlm.nih.gov/mesh/"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
TRIPLES_PER_ARTICLE = 35  # about: synthetic.py's articles, their descriptors and extras
FAULT_EVERY = 400

_PREFIXES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <{XSD}> .
@prefix ex: <{EX}> .
@prefix igfkg: <{IGFKG}> .
@prefix meshv: <{MESHV}> .
@prefix dct: <{DCT}> .
@prefix bibo: <{BIBO}> .
"""

#: family -> Turtle shapes (every shape that reports results is an IRI, so reports of two
#: processes compare term for term)
FAMILIES: dict[str, str] = {
    "value type, cardinality": """
ex:ArticleCore a sh:NodeShape ; sh:targetClass igfkg:JournalArticle ;
  sh:property ex:ac-title, ex:ac-pmid, ex:ac-issued, ex:ac-journal, ex:ac-mesh .
ex:ac-title sh:path dct:title ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string .
ex:ac-pmid sh:path bibo:pmid ; sh:minCount 1 ; sh:maxCount 1 .
ex:ac-issued sh:path dct:issued ; sh:maxCount 1 ; sh:datatype xsd:gYear .
ex:ac-journal sh:path igfkg:publishedIn ; sh:minCount 1 ; sh:nodeKind sh:IRI .
ex:ac-mesh sh:path igfkg:hasMeshDescriptor ; sh:class meshv:TopicalDescriptor .
""",
    "property paths": """
ex:ArticlePaths a sh:NodeShape ; sh:targetClass igfkg:JournalArticle ;
  sh:property ex:ap-pair-descriptor, ex:ap-title-or-label, ex:ap-journal .
ex:ap-pair-descriptor sh:path ( igfkg:hasMeshDescriptorQualifierPair meshv:hasDescriptor ) ;
  sh:class meshv:TopicalDescriptor .
ex:ap-title-or-label sh:path [ sh:alternativePath ( dct:title rdfs:label ) ] ; sh:minCount 1 .
ex:ap-journal sh:path [ sh:zeroOrOnePath igfkg:publishedIn ] ; sh:nodeKind sh:IRI .
ex:DescriptorPaths a sh:NodeShape ; sh:targetClass meshv:TopicalDescriptor ;
  sh:property ex:dp-indexed-by, ex:dp-ancestors, ex:dp-self-and-ancestors .
ex:dp-indexed-by sh:path [ sh:inversePath igfkg:hasMeshDescriptor ] ;
  sh:class igfkg:JournalArticle .
ex:dp-ancestors sh:path [ sh:oneOrMorePath meshv:broaderDescriptor ] ;
  sh:class meshv:TopicalDescriptor .
ex:dp-self-and-ancestors sh:path [ sh:zeroOrMorePath meshv:broaderDescriptor ] ;
  sh:nodeKind sh:IRI .
""",
    "value range, string": """
ex:ArticleValues a sh:NodeShape ; sh:targetClass igfkg:JournalArticle ;
  sh:property ex:av-citations, ex:av-pmid, ex:av-title .
ex:av-citations sh:path ex:citations ; sh:datatype xsd:integer ;
  sh:minInclusive 0 ; sh:maxExclusive 100000 .
ex:av-pmid sh:path bibo:pmid ; sh:pattern "^[0-9]+$" ; sh:maxLength 9 .
ex:av-title sh:path dct:title ; sh:minLength 10 .
ex:DescriptorLabels a sh:NodeShape ; sh:targetClass meshv:TopicalDescriptor ;
  sh:property ex:dl-label .
ex:dl-label sh:path rdfs:label ; sh:languageIn ( "en" ) ; sh:uniqueLang true .
""",
    "logical, shape-based": """
ex:ArticleLogic a sh:NodeShape ; sh:targetClass igfkg:JournalArticle ;
  sh:or ( [ sh:path dct:title ; sh:minCount 1 ] [ sh:path rdfs:label ; sh:minCount 1 ] ) ;
  sh:not [ sh:class ex:Retracted ] ;
  sh:xone ( [ sh:path bibo:pmid ; sh:minCount 1 ] [ sh:path ex:preprint ; sh:minCount 1 ] ) ;
  sh:and ( [ sh:path dct:source ; sh:minCount 1 ] [ sh:path dct:source ; sh:maxCount 1 ] ) ;
  sh:property ex:al-descriptor .
ex:al-descriptor sh:path igfkg:hasMeshDescriptor ; sh:node ex:DescriptorNode .
ex:DescriptorNode a sh:NodeShape ;
  sh:property [ sh:path meshv:identifier ; sh:minCount 1 ; sh:maxCount 1 ] ,
              [ sh:path rdfs:label ; sh:minCount 1 ] .
""",
    "qualified value shapes": """
ex:ArticleQualified a sh:NodeShape ; sh:targetClass igfkg:JournalArticle ;
  sh:property ex:aq-typed, ex:aq-untyped .
ex:aq-typed sh:path igfkg:hasMeshDescriptor ;
  sh:qualifiedValueShape [ sh:class meshv:TopicalDescriptor ] ; sh:qualifiedMinCount 3 .
ex:aq-untyped sh:path igfkg:hasMeshDescriptor ;
  sh:qualifiedValueShape [ sh:not [ sh:class meshv:TopicalDescriptor ] ] ;
  sh:qualifiedMaxCount 0 .
""",
    "SPARQL constraints": f"""
ex:ArticleSparql a sh:NodeShape ; sh:targetClass igfkg:JournalArticle ;
  sh:sparql [ sh:select \"\"\"SELECT $this ?value WHERE {{
      $this <{IGFKG}hasMajorMeshDescriptor> ?value .
      FILTER NOT EXISTS {{ $this <{IGFKG}hasMeshDescriptor> ?value }} }}\"\"\" ] ;
  sh:sparql [ sh:select \"\"\"SELECT $this ?value WHERE {{
      $this <{IGFKG}hasMeshDescriptorQualifierPair> ?value .
      ?value <{MESHV}hasDescriptor> ?d ; <{MESHV}hasQualifier> ?q .
      FILTER (STR(?value) != CONCAT(STR(?d), SUBSTR(STR(?q), 28))) }}\"\"\" ] ;
  sh:property ex:as-typed .
ex:as-typed sh:path igfkg:hasMeshDescriptor ;
  sh:sparql [ sh:select \"\"\"SELECT $this ?value WHERE {{
      $this $PATH ?value .
      FILTER NOT EXISTS {{ ?value a <{MESHV}TopicalDescriptor> }} }}\"\"\" ] .
""",
    "property pairs, in, hasValue, closed": """
ex:ArticlePairs a sh:NodeShape ; sh:targetClass igfkg:JournalArticle ;
  sh:property ex:pp-disjoint, ex:pp-pages, ex:pp-source, ex:pp-type .
ex:pp-disjoint sh:path igfkg:hasMeshDescriptor ;
  sh:disjoint igfkg:hasMeshDescriptorQualifierPair .
ex:pp-pages sh:path ex:firstPage ; sh:lessThanOrEquals ex:lastPage .
ex:pp-source sh:path dct:source ; sh:in ( "synthetic" "pubmed" ) .
ex:pp-type sh:path rdf:type ; sh:hasValue igfkg:JournalArticle .
ex:PairClosed a sh:NodeShape ; sh:targetClass meshv:DescriptorQualifierPair ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path meshv:hasDescriptor ] , [ sh:path meshv:hasQualifier ] .
""",
}


def shapes_turtle(family: str) -> str:
    """One family's shapes as a Turtle document."""
    return _PREFIXES + FAMILIES[family]


def _article(i: int) -> str:
    return f"<http://www.ncbi.nlm.nih.gov/pubmed/{90_000_001 + i}>"


def _faults(i: int, kind: int, descriptors: list[str]) -> Iterator[str]:
    """Fault ``kind`` on article ``i`` (triples added; removals are done by the caller)."""
    art, d = _article(i), descriptors[i % len(descriptors)]
    yield from [
        [f'{art} <{BIBO}pmid> "PMC{i}" .'],  # second pmid, and not digits
        [f'{art} <{DCT}issued> "1995" .'],  # second date, a plain string
        [f'{art} <{IGFKG}publishedIn> "a journal" .'],  # a literal journal
        [f"{art} <{IGFKG}hasMeshDescriptor> <{MESH}D99{i:07d}> ."],  # untyped descriptor
        [f'{art} <{EX}citations> "-3"^^<{XSD}integer> .'],  # below the range
        [f"{art} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}Retracted> ."],
        [f'{art} <{EX}preprint> "pre-{i}" .'],  # pmid and preprint: xone fails
        [f"{art} <{IGFKG}hasMajorMeshDescriptor> <{MESH}{d}> ."],  # major, not indexed
        [
            f"{art} <{IGFKG}hasMeshDescriptorQualifierPair> <{MESH}{d}Q000188> .",
            f"<{MESH}{d}Q000188> <{MESHV}hasDescriptor> <{MESH}{d}> .",
            f"<{MESH}{d}Q000188> <{MESHV}hasQualifier> <{MESH}Q000503> .",  # IRI != D+Q
            f'<{MESH}{d}Q000188> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .',
        ],
        [
            f'{art} <{EX}firstPage> "30"^^<{XSD}integer> .',
            f'{art} <{EX}lastPage> "20"^^<{XSD}integer> .',
        ],
        [f'{art} <{DCT}source> "other" .'],  # two sources, one not in the list
        [f"<{EX}note-{i}> <{IGFKG}hasMeshDescriptor> <{MESH}{d}> ."],  # indexed by a non-article
    ][kind]


KINDS = 12


def data_lines(articles: int, descriptors: int, tree: Path = DEFAULT_TREE) -> Iterator[str]:
    """``articles`` synthetic articles over ``descriptors`` real MeSH descriptors, with faults.

    Besides the faults of :func:`_faults`: every ``FAULT_EVERY``-th article from offset 13
    loses its title (and a label is not given), one descriptor in 500 loses its identifier
    and gets a German label, one in 700 a second English label, one in 900 a broader
    descriptor that is not typed.
    """
    names, broader = read_tree(tree)
    rng = random.Random(7)
    chosen = sorted(set(rng.sample(sorted(names), descriptors)) | set(TOPICS))
    keep = set(chosen)
    sub_names = {d: names[d] for d in chosen}
    sub_broader = {d: {b for b in broader[d] if b in keep} for d in chosen}
    position = {d: k for k, d in enumerate(chosen)}
    for line in mesh_triples(sub_names, sub_broader):
        if f"<{MESHV}identifier>" in line:
            d = line.split(">", 1)[0].rsplit("/", 1)[-1]
            if position[d] % 500 == 1:
                continue
        yield line
    for k, d in enumerate(chosen):
        iri = f"<{MESH}{d}>"
        if k % 500 == 1:
            yield f'{iri} <http://www.w3.org/2000/01/rdf-schema#label> "Deskriptor {d}"@de .'
        if k % 700 == 2:
            yield f'{iri} <http://www.w3.org/2000/01/rdf-schema#label> "Second {d}"@en .'
        if k % 900 == 3:
            yield f"{iri} <{MESHV}broaderDescriptor> <{MESH}D98{k:07d}> ."
    title = f"<{DCT}title>"
    current = -1
    for line in article_triples(articles, chosen):
        subject = line.split(" ", 1)[0]
        if not subject.startswith("<http://www.ncbi.nlm.nih.gov/pubmed/"):
            yield line
            continue
        i = int(subject.rsplit("/", 1)[-1][:-1]) - 90_000_001
        if i != current:
            current = i
            yield f'{subject} <{EX}citations> "{i % 997}"^^<{XSD}integer> .'
            if i % FAULT_EVERY < KINDS:
                yield from _faults(i, i % FAULT_EVERY, chosen)
            elif i % 4 == 0:
                yield f'{subject} <{EX}firstPage> "{i % 90 + 1}"^^<{XSD}integer> .'
                yield f'{subject} <{EX}lastPage> "{i % 90 + 9}"^^<{XSD}integer> .'
        if line.split(" ", 2)[1] == title and i % FAULT_EVERY == 13:
            continue
        yield line
