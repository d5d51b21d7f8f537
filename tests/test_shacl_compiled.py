"""The compiled SHACL engine against pySHACL: the same (focus, path, value, shape, component,
severity) results on small graphs, family by family; refusals by name; ill-formed shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from igfkg.core.errors import IgfkgError
from igfkg.quality.fastshacl import UnsupportedShapeError as FastUnsupported
from igfkg.quality.shacl import validate
from igfkg.quality.shacl.compiled import ShapesError, UnsupportedShapeError, validate_compiled
from igfkg.quality.shacl.engine import validate_pyshacl
from igfkg.quality.shacl.report import Report

PRE = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://x/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""
SH = "http://www.w3.org/ns/shacl#"

DATA = """
ex:a ex:p ex:b, "x", 3 ; a ex:C ; ex:q ex:b ; ex:n 1, 2 .
ex:b a ex:D ; ex:p ex:c ; ex:n 5 ; ex:m 4 .
ex:D rdfs:subClassOf ex:C .
ex:c ex:p "y"@en, "z"@en, "w"@fr ; ex:q ex:a ; ex:n 2.5, "2"^^xsd:decimal ; ex:m 3 .
[] ex:p 5 ; a ex:C ; ex:q [ ex:p "deep" ] .
ex:d ex:r "2002-02-28"^^xsd:date, "2020"^^xsd:gYear, "1"^^xsd:integer, "x"^^ex:T, "s" .
<http://x/odd%20iri?q=1#f> ex:p "quote \\" and\\nnewline", "tab\\t"@en-GB ; a ex:C .
"""


def _graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=PRE + text, format="turtle")


def _key(report: Report) -> list[tuple[object, ...]]:
    return sorted(
        ((r.focus, r.path, r.value, r.shape, r.component, r.severity) for r in report.results),
        key=str,
    )


def _same(shapes: str, data: str = DATA) -> Report:
    """Compiled and pySHACL give the same results; the compiled report conforms iff it has
    no result (pySHACL's allow_warnings says otherwise for warnings)."""
    d, s = _graph(data), _graph(shapes)
    compiled = validate_compiled(d, s, fallback=False)
    reference = validate_pyshacl(d, s)
    assert _key(compiled) == _key(reference)
    assert compiled.conforms is (not compiled.results)
    assert set(compiled.engines.values()) == {"compiled"}
    return compiled


def _components(report: Report) -> set[str]:
    return {r.component.removeprefix(SH) for r in report.results}


def test_targets_all_kinds() -> None:
    report = _same("""
        ex:S1 sh:targetNode ex:a, "lit", ex:nowhere ; sh:nodeKind sh:IRI .
        ex:S2 sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 3 ] .
        ex:S3 sh:targetSubjectsOf ex:q ; sh:property [ sh:path ex:n ; sh:maxCount 1 ] .
        ex:S4 sh:targetObjectsOf ex:q ; sh:nodeKind sh:BlankNodeOrLiteral .
        ex:C2 a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    """)
    focus = {r.focus for r in report.results}
    assert rdflib.Literal("lit") in focus  # a literal target node
    assert any(isinstance(f, rdflib.BNode) for f in focus)  # subclass instance, blank node
    assert rdflib.URIRef("http://x/b") in focus  # rdfs:subClassOf* in the data


def test_implicit_class_target() -> None:
    report = _same("""
        ex:C a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:n ; sh:minCount 1 ] .
    """)
    assert len(report.results) == 2  # the blank node and the odd IRI, both without ex:n


def test_paths() -> None:
    report = _same("""
        ex:S sh:targetNode ex:a, ex:nowhere, "lit" ;
          sh:property [ sh:path ( ex:p ex:p ) ; sh:maxCount 2 ] ;
          sh:property [ sh:path [ sh:inversePath ex:q ] ; sh:nodeKind sh:Literal ] ;
          sh:property [ sh:path [ sh:alternativePath ( ex:q [ sh:inversePath ex:q ] ) ] ;
                        sh:maxCount 1 ] ;
          sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:nodeKind sh:IRI ] ;
          sh:property [ sh:path [ sh:oneOrMorePath ex:p ] ; sh:datatype xsd:string ] ;
          sh:property [ sh:path [ sh:zeroOrOnePath ex:q ] ; sh:class ex:C ] .
    """)
    # zero-length paths reach focus nodes absent from the graph, literals included
    assert ("lit", "lit") in {(str(r.focus), str(r.value)) for r in report.results}
    assert rdflib.URIRef("http://x/nowhere") in {r.value for r in report.results}


def test_severity_deactivated_and_conforms() -> None:
    report = _same("""
        ex:S sh:targetNode ex:a ; sh:severity sh:Warning ; sh:nodeKind sh:Literal .
        ex:T sh:targetNode ex:a ; sh:severity sh:Info ;
             sh:property [ sh:path ex:p ; sh:maxCount 0 ; sh:severity sh:Warning ] .
        ex:U sh:targetNode ex:a ; sh:deactivated true ; sh:nodeKind sh:Literal .
        ex:V sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:deactivated true ;
             sh:maxCount 0 ] .
    """)
    assert {r.severity.removeprefix(SH) for r in report.results} == {"Warning"}
    assert report.conforms is False  # a warning is a result: the graph does not conform


def test_value_type() -> None:
    report = _same("""
        ex:S sh:targetNode ex:a, ex:c, ex:d ;
          sh:property [ sh:path ex:p ; sh:class ex:C ] ;
          sh:property [ sh:path ex:r ; sh:datatype xsd:date ] ;
          sh:property [ sh:path ex:r ; sh:datatype ex:T ] ;
          sh:property [ sh:path ex:r ; sh:datatype xsd:string ] ;
          sh:property [ sh:path ex:p ; sh:datatype rdf:langString ] ;
          sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] ;
          sh:property [ sh:path ex:p ; sh:nodeKind sh:BlankNodeOrIRI ] ;
          sh:property [ sh:path ex:p ; sh:nodeKind sh:IRIOrLiteral ] ;
          sh:property [ sh:path ex:p ; sh:nodeKind sh:BlankNode ] .
    """)
    assert _components(report) == {"ClassConstraintComponent", "DatatypeConstraintComponent",
                                   "NodeKindConstraintComponent"}  # fmt: skip


@pytest.mark.parametrize(
    ("literal", "datatype"),
    [('"abcd"', "xsd:gYear"), ('"2002-02-30"', "xsd:date"), ('"1.5"', "xsd:integer"),
     ('"maybe"', "xsd:boolean"), ('"2002-13-01T00:00:00"', "xsd:dateTime")],
)  # fmt: skip
def test_ill_typed_literals_violate_datatype(literal: str, datatype: str) -> None:
    # Not compared with pySHACL: it lets some ill-typed literals pass (issue 14).
    data = _graph(f"ex:a ex:r {literal}^^{datatype} .")
    shapes = _graph(
        f"ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:r ; sh:datatype {datatype} ] ."
    )
    report = validate_compiled(data, shapes, fallback=False)
    assert len(report.results) == 1
    assert not report.conforms


def test_well_typed_literal_passes_datatype() -> None:
    data = _graph('ex:a ex:r "2002-02-28"^^xsd:date, "2020"^^xsd:gYear .')
    shapes = _graph("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:r ; "
                    "sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYear ] ) ] .")  # fmt: skip
    assert validate_compiled(data, shapes, fallback=False).conforms


def test_cardinality_and_range() -> None:
    report = _same("""
        ex:S sh:targetNode ex:a, ex:b, ex:c, ex:d ;
          sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:maxCount 2 ] ;
          sh:property [ sh:path ex:n ; sh:minInclusive 2 ; sh:maxExclusive 5 ] ;
          sh:property [ sh:path ex:p ; sh:minExclusive 1 ] ;
          sh:property [ sh:path ex:r ; sh:maxInclusive "2010-01-01"^^xsd:date ] .
    """)
    assert "MinInclusiveConstraintComponent" in _components(report)


def test_strings() -> None:
    _same("""
        ex:S sh:targetNode ex:a, ex:c, <http://x/odd%20iri?q=1#f> ;
          sh:property [ sh:path ex:p ; sh:minLength 2 ; sh:maxLength 4 ] ;
          sh:property [ sh:path ex:p ; sh:pattern "^Y|\\"" ; sh:flags "i" ] ;
          sh:property [ sh:path ex:p ; sh:languageIn ( "en" "de" ) ] ;
          sh:property [ sh:path ex:p ; sh:uniqueLang true ] .
    """)


def test_property_pairs() -> None:
    _same("""
        ex:S sh:targetNode ex:a, ex:b, ex:c ;
          sh:property [ sh:path ex:p ; sh:equals ex:q ] ;
          sh:property [ sh:path ex:p ; sh:disjoint ex:q ] ;
          sh:property [ sh:path ex:n ; sh:lessThan ex:m ] ;
          sh:property [ sh:path ex:n ; sh:lessThanOrEquals ex:m ] .
        ex:N sh:targetNode ex:a ; sh:equals ex:q ; sh:disjoint ex:p .
    """)


def test_has_value_in_closed() -> None:
    report = _same("""
        ex:S sh:targetNode ex:a, ex:c, ex:d ;
          sh:property [ sh:path ex:p ; sh:hasValue 3 ] ;
          sh:property [ sh:path ex:r ; sh:in ( "1"^^xsd:integer "s" ex:b ) ] .
        ex:T sh:targetNode ex:a, ex:b ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
          sh:property [ sh:path ex:p ] ; sh:property [ sh:path ex:n ] .
        ex:U sh:targetNode ex:nowhere ; sh:hasValue ex:nowhere ; sh:in ( ex:nowhere ) .
    """)
    closed = [r for r in report.results if r.component == SH + "ClosedConstraintComponent"]
    assert {str(r.path) for r in closed} == {"http://x/q", "http://x/m"}


def test_logical_and_shape_based() -> None:
    _same("""
        ex:S sh:targetNode ex:a, ex:b, ex:c, "lit" ;
          sh:not ex:HasQ ; sh:and ( ex:HasP [ sh:nodeKind sh:IRI ] ) ;
          sh:or ( ex:HasQ [ sh:property [ sh:path ex:m ; sh:minCount 1 ] ] ) ;
          sh:xone ( ex:HasQ ex:HasP ) ;
          sh:property [ sh:path ex:p ; sh:node ex:HasP ] .
        ex:HasP sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        ex:HasQ sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:class ex:C ] .
        ex:Nested sh:targetNode ex:a ; sh:property [ sh:path ex:p ;
          sh:property [ sh:path ex:p ; sh:maxCount 1 ] ] .
    """)


def test_qualified_value_shapes() -> None:
    _same("""
        ex:S sh:targetNode ex:a, ex:c ;
          sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:nodeKind sh:Literal ] ;
                        sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 2 ] .
        ex:D1 sh:targetNode ex:a, ex:c ;
          sh:property ex:QA, ex:QB .
        ex:QA sh:path ex:p ; sh:qualifiedValueShape [ sh:datatype xsd:string ] ;
          sh:qualifiedValueShapesDisjoint true ; sh:qualifiedMinCount 1 .
        ex:QB sh:path ex:p ; sh:qualifiedValueShape [ sh:nodeKind sh:Literal ] ;
          sh:qualifiedValueShapesDisjoint true ; sh:qualifiedMaxCount 1 .
    """)


def test_hostile_terms_are_bound_not_pasted() -> None:
    _same("""
        ex:S sh:targetNode <http://x/odd%20iri?q=1#f> , "quote \\" and\\nnewline" ;
          sh:property [ sh:path ex:p ; sh:in ( "quote \\" and\\nnewline" ) ] ;
          sh:property [ sh:path ex:p ; sh:hasValue "tab\\t"@en-GB ] .
    """)


@pytest.mark.parametrize(
    ("shapes", "construct"),
    [("ex:S sh:targetNode ex:a ; sh:hasValue [] .", "sh:hasValue with a blank node"),
     ("ex:S sh:targetNode ex:a ; sh:in ( [] ) .", "sh:in with a blank-node member"),
     ("ex:S sh:targetNode ex:a ; sh:node ex:S .", "recursive shape"),
     ("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype xsd:language ] .",
      "xsd:language"),
     ("ex:S sh:targetNode ex:a ; ex:custom 1 .", "<http://x/custom>")],
)  # fmt: skip
def test_refused_by_name_and_fallback(shapes: str, construct: str) -> None:
    data, graph = _graph(DATA), _graph(shapes)
    with pytest.raises(UnsupportedShapeError, match=construct) as caught:
        validate(data, graph, engine="fast")
    assert isinstance(caught.value, FastUnsupported)
    assert isinstance(caught.value, IgfkgError)
    assert caught.value.exit_code == 2
    report = validate(data, graph, engine="auto")
    assert report.engines["http://x/S"] == "pyshacl"
    assert _key(report) == _key(validate_pyshacl(data, graph))


def test_fallback_mixes_engines_without_duplicates() -> None:
    data = _graph(DATA)
    shapes = _graph("""
        ex:Fast sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .
        ex:Slow sh:targetNode ex:a ; sh:node ex:Used, ex:Helper ; ex:custom 1 .
        ex:Used sh:targetNode ex:b ; sh:property [ sh:path ex:zz ; sh:minCount 1 ] .
        ex:Helper sh:property [ sh:path ex:p ; sh:maxCount 1 ] .
    """)
    report = validate(data, shapes, engine="auto")
    # ex:Used is compiled for its own targets and given to pySHACL (targets removed) for ex:Slow
    assert report.engines["http://x/Fast"] == report.engines["http://x/Used"] == "compiled"
    assert report.engines["http://x/Slow"] == report.engines["http://x/Helper"] == "pyshacl"
    assert _key(report) == _key(validate_pyshacl(data, shapes))


@pytest.mark.parametrize(
    "shapes",
    ['ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount "a" ] .',
     "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:maxCount -1 ] .",
     'ex:S sh:targetNode ex:a ; sh:property [ sh:path "p" ; sh:minCount 1 ] .',
     "ex:S sh:targetNode ex:a ; sh:property [ sh:path ( ex:p ) ; sh:minCount 1 ] .",
     "ex:S sh:targetNode ex:a ; sh:property [ sh:path [ sh:inversePath ex:p ; "
     "sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ] .",
     "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p, ex:q ; sh:minCount 1 ] .",
     "ex:S sh:targetNode ex:a ; sh:nodeKind ex:Nope .",
     'ex:S sh:targetNode ex:a ; sh:datatype "x" .'],
)  # fmt: skip
def test_ill_formed_shapes(shapes: str) -> None:
    for engine in ("fast", "auto"):
        with pytest.raises(ShapesError) as caught:
            validate(_graph(DATA), _graph(shapes), engine=engine)
        assert caught.value.exit_code == 2


def test_literals_oxigraph_would_rewrite_are_refused() -> None:
    # Oxigraph stores "4.0"^^xsd:decimal as "4": a different RDF term; sh:in must not match 4.0
    data = _graph("ex:a ex:n 4.0 .")
    shapes = _graph("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:n ; sh:in ( 4.0 ) ] .")
    with pytest.raises(UnsupportedShapeError, match="stored by Oxigraph as another term"):
        validate(data, shapes, engine="fast")
    assert validate(data, shapes, engine="auto").conforms


def test_data_literals_oxigraph_would_merge_go_to_pyshacl() -> None:
    data = _graph('ex:a ex:n 4.0, "4.00"^^xsd:decimal .')
    shapes = _graph("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:n ; sh:maxCount 1 ] .")
    with pytest.raises(UnsupportedShapeError, match="one term in Oxigraph"):
        validate(data, shapes, engine="fast")
    report = validate(data, shapes, engine="auto")
    assert set(report.engines.values()) == {"pyshacl"}
    assert _components(report) == {"MaxCountConstraintComponent"}


def test_result_multiplicity() -> None:
    # one result per parent focus (nested property shapes), per pair (lessThan), per
    # duplicated language (uniqueLang): the readings of the W3C suite
    data = _graph("""
        ex:p1 ex:addr ex:home . ex:p2 ex:addr ex:home . ex:home ex:city "x" .
        ex:i ex:n 5 ; ex:m 1, 2 ; ex:l "a"@en, "b"@en, "c"@fr, "d"@fr .
    """)
    shapes = _graph("""
        ex:S sh:targetNode ex:p1, ex:p2 ; sh:property [ sh:path ex:addr ;
            sh:property [ sh:path ex:city ; sh:nodeKind sh:IRI ] ] .
        ex:T sh:targetNode ex:i ; sh:property [ sh:path ex:n ; sh:lessThan ex:m ] ;
            sh:property [ sh:path ex:l ; sh:uniqueLang true ] .
    """)
    report = validate_compiled(data, shapes, fallback=False)
    counts = {c: sum(r.component == SH + c for r in report.results) for c in
              ("NodeKindConstraintComponent", "LessThanConstraintComponent",
               "UniqueLangConstraintComponent")}  # fmt: skip
    assert counts == dict.fromkeys(counts, 2)
    assert {r.focus for r in report.results if "NodeKind" in r.component} == {
        rdflib.URIRef("http://x/home")
    }


SPARQL_SHAPES = """
ex:S sh:targetNode ex:a, ex:b, ex:c, ex:nowhere ; sh:sparql [
    sh:prefixes [ sh:declare [ sh:prefix "ex" ; sh:namespace "http://x/"^^xsd:anyURI ] ] ;
    sh:select \"\"\"SELECT $this ?value WHERE {
        { FILTER(bound($this)) }  # pre-bound even in a nested group
        $this ex:p ?value . FILTER(isIRI(?value) || "$this" = "$this")
        BIND($this AS ?that) FILTER(?that != ex:b)
    }\"\"\" ] .
ex:P sh:targetNode ex:a ; sh:path ex:p ; sh:sparql [
    sh:select \"\"\"SELECT $this ?value WHERE { $this $PATH ?value .
        { SELECT $this WHERE { $this <http://x/q> ?o } } }\"\"\" ] .
"""


def test_sparql_constraints_pre_bind_this() -> None:
    report = _same(SPARQL_SHAPES)
    assert {r.component.removeprefix(SH) for r in report.results} == {"SPARQLConstraintComponent"}
    assert rdflib.URIRef("http://x/b") not in {r.focus for r in report.results}
    assert all(r.constraint is not None for r in report.results)


@pytest.mark.parametrize(
    "select",
    ["SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }",
     "SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }",
     "SELECT $this WHERE { SERVICE <http://x/s> { $this ?p ?o } }",
     "SELECT $this WHERE { { SELECT ?o WHERE { ?s ?p ?o } } }",
     "SELECT $this WHERE { BIND(1 AS $this) }",
     "SELECT $this WHERE { $this ?p ?o "],
)  # fmt: skip
def test_sparql_constraints_ill_formed(select: str) -> None:
    shapes = _graph(f'ex:S sh:targetNode ex:a ; sh:sparql [ sh:select """{select}""" ] .')
    for engine in ("fast", "auto"):
        with pytest.raises(ShapesError):
            validate(_graph(DATA), shapes, engine=engine)


def test_sparql_constraint_on_blank_focus_runs_once_for_all_focus_nodes() -> None:
    # one query joined with the focus pattern: blank focus nodes need no writing into text
    shapes = _graph("""ex:S sh:targetClass ex:C ; sh:sparql [ sh:select
        "SELECT $this WHERE { $this <http://x/p> 5 }" ] .""")
    data = _graph(DATA)
    report = validate(data, shapes, engine="fast")
    assert report.engines["http://x/S"] == "compiled"
    assert _key(report) == _key(validate_pyshacl(data, shapes))
    assert len(report.results) == 1


def test_sparql_constraint_needing_substitution_on_blank_focus_goes_to_pyshacl() -> None:
    # bound($this) in a nested group differs between a join and substitution: per focus node,
    # where a blank node cannot be written into the query
    shapes = _graph("""ex:S sh:targetClass ex:C ; sh:sparql [ sh:select
        "SELECT $this WHERE { $this <http://x/p> 5 . { FILTER (bound($this)) } }" ] .""")
    data = _graph(DATA)
    with pytest.raises(UnsupportedShapeError, match="blank-node focus node"):
        validate(data, shapes, engine="fast")
    report = validate(data, shapes, engine="auto")
    assert report.engines["http://x/S"] == "pyshacl"
    assert _key(report) == _key(validate_pyshacl(data, shapes))
    assert len(report.results) == 1


def test_constant_matching_a_rewritten_data_literal_is_refused() -> None:
    # the data's 4.0 is stored as "4"^^xsd:decimal by Oxigraph: sh:in must not accept it
    data = _graph("ex:a ex:n 4.0 .")
    shapes = _graph(
        'ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:n ; sh:in ( "4"^^xsd:decimal ) ] .'
    )
    with pytest.raises(UnsupportedShapeError, match="another literal Oxigraph stores"):
        validate(data, shapes, engine="fast")
    report = validate(data, shapes, engine="auto")
    assert _components(report) == {"InConstraintComponent"}


def test_pattern_oxigraph_cannot_run_is_refused() -> None:
    shapes = _graph(
        'ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:pattern "(a)\\\\1" ] .'
    )
    with pytest.raises(UnsupportedShapeError, match="sh:pattern"):
        validate(_graph(DATA), shapes, engine="fast")


def test_language_tags_keep_their_case() -> None:
    data = _graph('ex:a ex:p "x"@en-GB .')
    shapes = _graph("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:maxLength 0 ] .")
    (result,) = validate_compiled(data, shapes, fallback=False).results
    assert result.value == rdflib.Literal("x", lang="en-GB")
    assert isinstance(result.value, rdflib.Literal)
    assert result.value.language == "en-GB"


def test_ill_typed_literal_rdflib_merged_with_a_well_typed_one_goes_to_pyshacl() -> None:
    # rdflib reads "none"^^xsd:boolean as "false" (flagged ill-typed): next to a real
    # "false" the two cannot be told apart, so the compiled engine does not guess
    data = _graph('ex:a ex:r "none"^^xsd:boolean . ex:b ex:r false .')
    shapes = _graph(
        "ex:S sh:targetNode ex:a, ex:b ; sh:property [ sh:path ex:r ; sh:datatype xsd:boolean ] ."
    )
    with pytest.raises(UnsupportedShapeError, match="both ill-typed and well-typed"):
        validate(data, shapes, engine="fast")
    assert set(validate(data, shapes, engine="auto").engines.values()) == {"pyshacl"}


def test_existence_shortcut_for_counts_matches_pyshacl() -> None:
    # minCount 1 / maxCount 0 test one step instead of the closure: same answers
    _same("""
        ex:S sh:targetNode ex:a, ex:b, ex:c, ex:nowhere, "lit" ;
          sh:property [ sh:path [ sh:oneOrMorePath ex:q ] ; sh:minCount 1 ] ;
          sh:property [ sh:path ( ex:p [ sh:oneOrMorePath ex:p ] ) ; sh:minCount 1 ] ;
          sh:property [ sh:path ( ex:q [ sh:zeroOrMorePath ex:zz ] ) ; sh:maxCount 0 ] ;
          sh:property [ sh:path [ sh:alternativePath ( ex:m [ sh:zeroOrOnePath ex:zz ] ) ] ;
                        sh:minCount 1 ] ;
          sh:property [ sh:path [ sh:alternativePath ( ex:m [ sh:oneOrMorePath ex:n ] ) ] ;
                        sh:maxCount 0 ] ;
          sh:property [ sh:path [ sh:inversePath [ sh:oneOrMorePath ex:q ] ] ; sh:minCount 1 ] .
    """)


def test_datatype_lexical_spaces_beyond_oxigraph_numbers() -> None:
    # valid XSD literals Oxigraph cannot cast (10^30 is no 64-bit integer) still conform
    data = _graph("""ex:a ex:i 1000000000000000000000000000000, "1.5"^^xsd:integer ;
        ex:d "123456789012345678901234567890.5"^^xsd:decimal, 2.5 .""")
    shapes = _graph("""ex:S sh:targetNode ex:a ;
        sh:property [ sh:path ex:i ; sh:datatype xsd:integer ] ;
        sh:property [ sh:path ex:d ; sh:datatype xsd:decimal ] ;
        sh:property [ sh:path ex:d ; sh:datatype xsd:byte ] .""")
    report = validate_compiled(data, shapes, fallback=False)
    assert sorted(
        str(r.value) for r in report.results if r.path == rdflib.URIRef("http://x/i")
    ) == ["1.5"]
    assert len(report.results) == 3  # and both decimals, which are not bytes


def test_datatype_oxigraph_changes_is_refused() -> None:
    # Oxigraph stores "-5"^^xsd:byte as "-5"^^xsd:integer: neither datatype can be checked
    data = _graph('ex:a ex:b "-5"^^xsd:byte .')
    for dt in ("xsd:byte", "xsd:integer"):
        shapes = _graph(
            f"ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:b ; sh:datatype {dt} ] ."
        )
        with pytest.raises(UnsupportedShapeError, match="another datatype"):
            validate(data, shapes, engine="fast")
        assert _key(validate(data, shapes, engine="auto")) == _key(validate_pyshacl(data, shapes))


# Constraint queries, each with whether one set-oriented query may answer for all focus nodes
# (else substitution per focus node); either way the report must equal pySHACL's.
SET_ORIENTED = [
    ("SELECT $this ?value WHERE { $this ex:p ?value . FILTER (isLiteral(?value)) }", True),
    ("SELECT $this WHERE { FILTER NOT EXISTS { $this ex:m ?any } }", True),
    ("SELECT ?value WHERE { $this ex:n ?value . FILTER (?value > 1) }", True),
    ("SELECT $this WHERE { $this ex:p ?v OPTIONAL { ?v ex:n ?n } FILTER (!bound(?n)) }", True),
    ("SELECT $this WHERE { { $this ex:q ?x } UNION { $this ex:m ?x } }", True),
    ("SELECT $this WHERE { BIND (isIRI($this) AS ?iri) FILTER (?iri) }", True),
    ("SELECT $this WHERE { ?x ex:q ?y OPTIONAL { ?y ex:q $this } FILTER (!bound(?x)) }", True),
    ("SELECT $this WHERE { $this ex:p ?z { ?x ex:q ?y OPTIONAL { ?y ex:q $this } } }", False),
    ("SELECT $this WHERE { { FILTER (isIRI($this)) } }", False),
    ("SELECT $this WHERE { { SELECT $this WHERE { $this ex:n ?n } LIMIT 1 } }", False),
    ("SELECT $this WHERE { $this ex:n ?n } LIMIT 1", False),
]


@pytest.mark.parametrize(("query", "once"), SET_ORIENTED)
def test_set_oriented_sparql_constraints_equal_substitution(query: str, once: bool) -> None:
    from igfkg.quality.shacl.sparql_constraints import set_oriented

    text = "PREFIX ex: <http://x/>\n" + query
    assert (set_oriented(text, "?this a <http://x/C>") is not None) is once
    shapes = _graph(
        f'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "{text.replace(chr(10), " ")}" ] .'
    )
    data = _graph(DATA.replace("[] ex:p 5 ; a ex:C", "ex:e ex:p 5 ; a ex:C"))
    report = validate(data, shapes, engine="fast")
    assert _key(report) == _key(validate_pyshacl(data, shapes))


# -- data files read by Oxigraph itself ------------------------------------------------------

FILE_SHAPES = """
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:p ; sh:datatype xsd:string ] ,
              [ sh:path ex:p ; sh:languageIn ( "en" ) ] ,
              [ sh:path ex:n ; sh:maxInclusive 2 ] ,
              [ sh:path ex:q ; sh:class ex:D ] .
ex:R a sh:NodeShape ; sh:targetNode ex:d ;
  sh:property [ sh:path ex:r ; sh:datatype xsd:gYear ] .
"""


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(PRE + text, encoding="utf-8")
    return path


def _canonical(report: Report) -> list[str]:
    """Results with blank nodes unnamed and language tags in lower case: what two parsers
    of one file agree on (RDF 1.1 lets a parser lower-case language tags; Oxigraph's does)."""

    def term(node: object) -> str:
        if isinstance(node, rdflib.BNode):
            return "_:"
        if isinstance(node, rdflib.Literal) and node.language:
            return rdflib.Literal(str(node), lang=node.language.lower()).n3()
        return str(node)

    return sorted(" ".join(term(x) for x in key) for key in _key(report))


def test_files_read_by_oxigraph_give_the_graph_answers(tmp_path: Path) -> None:
    shapes = _graph(FILE_SHAPES)
    path = _file(tmp_path, "data.ttl", DATA)
    from_file = validate([path], shapes, engine="fast")
    assert _canonical(from_file) == _canonical(validate(_graph(DATA), shapes, engine="fast"))
    assert _canonical(from_file) == _canonical(validate_pyshacl(_graph(DATA), shapes))
    assert len(from_file.results) > 3


def test_file_literals_are_reported_as_written(tmp_path: Path) -> None:
    # Oxigraph stores 2.50 as 2.5: results name the term as written
    shapes = _graph("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:n ; sh:maxInclusive 1 ] .")
    path = _file(tmp_path, "data.ttl", 'ex:a ex:n 2.50 , "x"@en .')
    values = {str(r.value) for r in validate([path], shapes, engine="fast").results}
    assert values == {"2.50", "x"}


def test_ill_formed_literal_in_a_file_fails_its_datatype(tmp_path: Path) -> None:
    shapes = _graph(
        "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:y ; sh:datatype xsd:gYear ] ."
    )
    path = _file(tmp_path, "data.ttl", 'ex:a ex:y "abcd"^^xsd:gYear, "2020"^^xsd:gYear .')
    report = validate([path], shapes, engine="fast")
    assert [str(r.value) for r in report.results] == ["abcd"]


def test_colliding_file_literals_are_refused_then_validated_by_pyshacl(tmp_path: Path) -> None:
    shapes = _graph("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:n ; sh:maxCount 1 ] .")
    path = _file(tmp_path, "data.ttl", 'ex:a ex:n "4.0"^^xsd:decimal, "4.00"^^xsd:decimal .')
    with pytest.raises(UnsupportedShapeError, match="one term in Oxigraph"):
        validate([path], shapes, engine="fast")
    report = validate([path], shapes, engine="auto")
    assert _components(report) == {"MaxCountConstraintComponent"}
    assert set(report.engines.values()) == {"pyshacl"}


def test_blank_nodes_of_two_files_stay_apart(tmp_path: Path) -> None:
    shapes = _graph("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .")
    one = _file(tmp_path, "one.ttl", "_:x a ex:C ; ex:p 1 .")
    two = _file(tmp_path, "two.ttl", "_:x a ex:C ; ex:p 2 .")
    report = validate([one, two], shapes, engine="fast")
    assert report.conforms
    assert len(validate([one, one], shapes, engine="fast").results) == 0


def test_syntax_error_in_a_data_file_names_file_and_line(tmp_path: Path) -> None:
    from igfkg.core.errors import DataFileError

    path = tmp_path / "bad.nt"
    path.write_text('<http://x/a> <http://x/p> "1" .\n<http://x/a> <http://x/p> .\n')
    shapes = _graph("ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .")
    with pytest.raises(DataFileError, match=r"bad\.nt:2:"):
        validate([path], shapes, engine="fast")
