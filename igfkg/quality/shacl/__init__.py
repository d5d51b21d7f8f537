"""A SHACL validator for any data and any shapes: shapes compiled to set-oriented SPARQL run
inside Oxigraph (``fast``), pySHACL as the reference (``pyshacl``), or each shape by the
compiled checks where they are exact and by pySHACL where not (``auto``). The report uses the
W3C SHACL vocabulary.

>>> import rdflib
>>> shapes = rdflib.Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://x/> .
...   ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
... ''', format="turtle")
>>> data = rdflib.Graph().parse(data="<http://x/a> <http://x/q> 1 .", format="turtle")
>>> report = validate(data, shapes, engine="pyshacl")
>>> report.conforms, [r.component.rsplit("#")[-1] for r in report.results]
(False, ['MinCountConstraintComponent'])
"""

from __future__ import annotations

from igfkg.quality.shacl.engine import ENGINES, validate
from igfkg.quality.shacl.report import Report, Result

__all__ = ["ENGINES", "Report", "Result", "validate"]
