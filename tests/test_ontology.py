"""The ontology: header metadata, labelled and defined terms, entities typed by its classes."""

from __future__ import annotations

import re

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from igfkg.core import resources
from igfkg.explore.catalog import catalog

IGFKG = "https://w3id.org/igfkg/"
ONTOLOGY = rdflib.URIRef(IGFKG + "ontology")


def _ontology() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in resources.ontology_files():
        g.parse(path)
    return g


def _kb() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in resources.kb_files():
        g.parse(path)
    return g


def test_header() -> None:
    g = _ontology()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in g
    version = str(g.value(ONTOLOGY, OWL.versionIRI))
    assert re.fullmatch(r"https://w3id\.org/igfkg/ontology/\d{4}-\d{2}-\d{2}", version)
    assert str(g.value(ONTOLOGY, DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"
    assert str(g.value(ONTOLOGY, DCTERMS.source)) == "http://www.ncbi.nlm.nih.gov/pubmed/15832492"
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.created):
        assert g.value(ONTOLOGY, p) is not None, p
    assert list(g.objects(None, OWL.imports)) == []


def test_every_term_has_label_and_definition() -> None:
    g = _ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {s for k in kinds for s in g.subjects(RDF.type, k) if str(s).startswith(IGFKG)}
    assert len(terms) > 60
    for term in terms:
        assert g.value(term, RDFS.label) is not None, term
        assert g.value(term, SKOS.definition) is not None, term


def test_object_properties_have_domain_or_range_and_alignment() -> None:
    g = _ontology()
    props = [s for s in g.subjects(RDF.type, OWL.ObjectProperty) if str(s).startswith(IGFKG)]
    for p in props:
        assert g.value(p, RDFS.domain) is not None or g.value(p, RDFS.range) is not None, p
    aligned = {
        str(o)
        for p in props
        for m in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.relatedMatch)
        for o in g.objects(p, m)
    }
    for expected in [
        "http://purl.obolibrary.org/obo/RO_0002606",
        "http://purl.obolibrary.org/obo/RO_0003302",
        "https://w3id.org/biolink/vocab/has_adverse_event",
    ]:
        assert expected in aligned


def test_entities_are_named_individuals_of_ontology_classes() -> None:
    ontology, kb = _ontology(), _kb()
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    entities = {s for s in kb.subjects(RDF.type, OWL.NamedIndividual)}
    assert len(entities) > 60
    for entity in entities:
        types = set(kb.objects(entity, RDF.type)) - {OWL.NamedIndividual}
        assert types, entity
        assert types <= classes, (entity, types - classes)


def test_catalog_exports_as_sib_sparql_examples() -> None:
    g = rdflib.Graph().parse(data=catalog().to_sib_turtle(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    executables = set(g.subjects(RDF.type, sh.SPARQLExecutable))
    assert len(executables) == len(catalog())
    for ex in executables:
        assert g.value(ex, RDFS.comment) is not None
        assert "SELECT" in str(g.value(ex, sh.select))
