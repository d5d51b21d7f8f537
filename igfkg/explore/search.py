"""Names people type: an in-memory index of the KB's entity names, for ranked search
(autocomplete) and for grounding names to entities.

The index holds the labels, synonyms (``skos:altLabel`` exact, ``skos:hiddenLabel`` related,
with their scope from the SKOS-XL label nodes of ``ontology/kb/synonyms.ttl``) and mapped
identifiers of the curated KB's entities only: it is built from the KB's named graph with three
small queries, never from ingested articles, so its size does not grow with the literature.
Names are compared by :func:`igfkg.core.text.normalize` (shared with the literature reader).

>>> normalize("GH/IGF-1 axis") == normalize("GH–IGF-1 axis")
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import ParameterError
from igfkg.core.namespaces import GRAPH_KB, GRAPH_ONTOLOGY, IGFKG, compact
from igfkg.core.text import normalize, tokens

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["NameIndex", "SearchHit", "normalize", "tokens"]

_ENTITY = IGFKG + "Entity"


# What a match is, best first; scores of a whole-name match by kind.
KINDS = ("label", "exact synonym", "identifier", "related synonym")
_WHOLE = {"label": 1.0, "exact synonym": 0.95, "identifier": 0.9, "related synonym": 0.7}


@dataclass(frozen=True)
class Entry:
    """One name of an entity in the index."""

    entity: str
    text: str
    kind: str  # one of KINDS
    scope: str  # exact, related, broad, narrow (labels and identifiers: exact)
    key: str = field(compare=False)
    words: tuple[str, ...] = field(compare=False)


@dataclass(frozen=True)
class SearchHit:
    """A ranked answer of :meth:`NameIndex.search`: the entity, how it matched, and a score in
    (0, 1] (1 for its label typed in full)."""

    iri: str
    curie: str
    label: str
    types: tuple[str, ...]
    matched: str
    match: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        """The hit as a JSON-ready dict."""
        out = asdict(self)
        out["types"] = list(self.types)
        return out


_ENTITIES = sparql.load("igfkg.explore", "search-entities")

_NAMES = sparql.load("igfkg.explore", "search-names")

_IDS = sparql.load("igfkg.explore", "search-ids")

_CLASSES = sparql.load("igfkg.explore", "search-classes")


def _bare_id(curie: str) -> list[str]:
    """The ways an identifier is typed: its CURIE and, for MeSH, DrugBank and UniProt, the bare
    accession."""
    prefix, _, local = curie.partition(":")
    return [curie, local] if prefix in ("MESH", "DRUGBANK", "UniProtKB") else [curie]


class NameIndex:
    """The names of the KB's entities, normalised, for :meth:`search` and :meth:`exact`."""

    def __init__(self, entries: Iterable[Entry], labels: dict[str, str], types: dict[str, set[str]],
                 class_labels: dict[str, str], parents: dict[str, set[str]]) -> None:  # fmt: skip
        self.entries = list(entries)
        self.labels = labels
        self.types = types
        self.class_labels = class_labels
        self.parents = parents
        self.by_key: dict[str, list[Entry]] = {}
        for entry in self.entries:
            self.by_key.setdefault(entry.key, []).append(entry)
        self._grounder: Any = None

    @classmethod
    def build(cls, kg: GraphPort) -> NameIndex:
        """The index of the KB's named graph of ``kg``."""
        # The graph and namespace IRIs are igfkg's own constants, never user text.
        kb, ontology, ns = ox.NamedNode(GRAPH_KB), ox.NamedNode(GRAPH_ONTOLOGY), ox.Literal(IGFKG)
        labels: dict[str, str] = {}
        types: dict[str, set[str]] = {}
        for row in kg.select(sparql.fill(_ENTITIES, kb=kb, ns=ns)):
            entity, kind, label = (t.value if t is not None else "" for t in row)
            if kind.startswith(IGFKG) and entity.startswith(IGFKG + "kb/"):
                types.setdefault(entity, set()).add(kind)
                labels.setdefault(entity, label)
        entries = [_entry(e, label, "label", "exact") for e, label in labels.items()]
        for row in kg.select(sparql.fill(_NAMES, kb=kb)):
            name, text, hidden, given = (t.value if t is not None else None for t in row)
            if name in labels and text:
                scope = given or ("related" if hidden == "true" else "exact")
                kind = "exact synonym" if scope == "exact" else "related synonym"
                entries.append(_entry(name, text, kind, scope))
        for row in kg.select(sparql.fill(_IDS, kb=kb)):
            entity, iri = (t.value if t is not None else "" for t in row)
            if entity in labels and (curie := compact(iri)) != iri:
                entries += [_entry(entity, i, "identifier", "exact") for i in _bare_id(curie)]
        class_labels: dict[str, str] = {}
        parents: dict[str, set[str]] = {}
        rows = kg.select(sparql.fill(_CLASSES, ontology=ontology, ns=ns))
        for row in rows:
            klass, class_label, parent = (t.value if t is not None else None for t in row)
            if klass and class_label:
                class_labels.setdefault(klass, class_label)
                if parent:
                    parents.setdefault(klass, set()).add(parent)
        return cls(sorted(set(entries), key=_order), labels, types, class_labels, parents)

    def grounder(self) -> Any:
        """A gilda ``Grounder`` over the labels and exact synonyms (built on first use; None
        without gilda). It grounds what the normalised keys miss, such as plural forms."""
        if self._grounder is None:
            try:
                from gilda.grounder import Grounder
                from gilda.process import normalize as gilda_normalize
                from gilda.term import Term as GildaTerm
            except ImportError:  # pragma: no cover - gilda is a dependency
                return None
            terms = [
                GildaTerm(
                    gilda_normalize(e.text),
                    e.text,
                    "igfkg",
                    e.entity,
                    self.labels[e.entity],
                    "name" if e.kind == "label" else "synonym",
                    "igfkg",
                )
                for e in self.entries
                if e.kind in ("label", "exact synonym")
            ]
            self._grounder = Grounder(terms=terms)
        return self._grounder

    # -- types ---------------------------------------------------------------------------

    def type_labels(self, entity: str) -> tuple[str, ...]:
        """The labels of an entity's asserted igfkg classes."""
        return tuple(sorted(self.class_labels.get(t, compact(t)) for t in self.types[entity]))

    def _ancestors(self, klass: str) -> set[str]:
        seen: set[str] = set()
        todo = [klass]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += self.parents.get(current, ())
        return seen

    def resolve_type(self, name: str) -> str:
        """The class IRI named by ``name``: a local name (``Drug``), CURIE (``igfkg:Drug``),
        IRI or label (``peptide hormone``), in any case."""
        wanted = normalize(name.strip().strip("<>").removeprefix("igfkg:").removeprefix(IGFKG))
        classes = {k: v for k, v in self.class_labels.items() if _ENTITY in self._ancestors(k)}
        for klass, label in sorted(classes.items()):
            if wanted in (normalize(klass.removeprefix(IGFKG)), normalize(label)):
                return klass
        known = sorted(k.removeprefix(IGFKG) for k in classes)
        raise ParameterError(f"unknown type {name!r}; known types: {', '.join(known)}")

    def of_type(self, klass: str) -> set[str]:
        return {e for e, ts in self.types.items() if any(klass in self._ancestors(t) for t in ts)}

    # -- lookup --------------------------------------------------------------------------

    def exact(self, text: str) -> list[Entry]:
        """The entries (labels and synonyms, not identifiers) whose key is that of ``text``."""
        return [e for e in self.by_key.get(normalize(text), []) if e.kind != "identifier"]

    def search(self, text: str, *, type: str | None = None, limit: int = 10) -> list[SearchHit]:
        """Entities ranked by how well one of their names matches ``text``: the whole name,
        the start of a name, the start of each word, a part of a name, then near spellings.

        >>> from igfkg.graph import open
        >>> [h.label for h in open().search("igfbp 3")][:1]
        ['IGF binding protein 3']
        """
        key = normalize(text)
        if not key:
            return []
        words = tokens(text)
        allowed = self.of_type(self.resolve_type(type)) if type else None
        best: dict[str, tuple[float, int, Entry]] = {}
        for entry in self.entries:
            if allowed is not None and entry.entity not in allowed:
                continue
            score = _score(key, words, entry)
            if score <= 0:
                continue
            rank = (score, -KINDS.index(entry.kind), entry)
            current = best.get(entry.entity)
            if current is None or rank[:2] > current[:2]:
                best[entry.entity] = rank
        if len(best) < limit and len(key) >= 4:
            self._near(key, best, allowed)
        ranked = sorted(best.values(), key=lambda r: (-r[0], -r[1], self.labels[r[2].entity]))
        return [
            SearchHit(
                iri=e.entity,
                curie=compact(e.entity),
                label=self.labels[e.entity],
                types=self.type_labels(e.entity),
                matched=e.text,
                match=e.kind,
                score=round(score, 3),
            )
            for score, _, e in ranked[:limit]
        ]

    def _near(
        self, key: str, best: dict[str, tuple[float, int, Entry]], allowed: set[str] | None
    ) -> None:
        """Add entities with a name spelled close to ``key`` (a typo), scored below any
        partial match."""
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        for entry in self.entries:
            if entry.entity in best or entry.kind == "identifier":
                continue
            if allowed is not None and entry.entity not in allowed:
                continue
            matcher.set_seq1(entry.key)
            if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
                continue
            ratio = matcher.ratio()
            if ratio >= 0.8:
                best[entry.entity] = (round(0.4 * ratio, 3), -KINDS.index(entry.kind), entry)


def _entry(entity: str, text: str, kind: str, scope: str) -> Entry:
    return Entry(entity, text, kind, scope, normalize(text), tuple(tokens(text)))


def _order(entry: Entry) -> tuple[str, int, str]:
    return (entry.entity, KINDS.index(entry.kind), entry.text)


def _score(key: str, words: list[str], entry: Entry) -> float:
    """How well the typed ``key`` (with its ``words``) matches one name; 0 for no match."""
    weight = 0.8 if entry.kind == "related synonym" else 1.0
    if entry.key == key:
        return _WHOLE[entry.kind]
    if entry.kind == "identifier":
        return 0.0
    if entry.key.startswith(key):
        return weight * (0.6 + 0.2 * len(key) / len(entry.key))
    if all(any(w.startswith(q) for w in entry.words) for q in words):
        covered = sum(len(q) for q in words) / max(1, sum(len(w) for w in entry.words))
        return weight * (0.45 + 0.15 * covered)
    if len(key) >= 3 and key in entry.key:
        return weight * (0.4 + 0.1 * len(key) / len(entry.key))
    return 0.0
