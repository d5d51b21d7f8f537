"""PubMed/MEDLINE records: streaming parsers for PubMed XML and the MEDLINE text format.

PubMed XML as NLM distributes it (baseline and update files, E-utilities efetch output, the older
``MedlineCitationSet``), plain or gzipped, is read with a streaming parser that frees each record
once read, so memory stays flat. ``DeleteCitation`` elements give :class:`Deletion` records.

>>> from pathlib import Path
>>> recs = list(read_records(Path("tests/data/pubmed/seed-like.xml")))
>>> [type(r).__name__ for r in recs]
['Article']
>>> recs[0].pmid, [(h.descriptor, h.qualifiers) for h in recs[0].headings][:1]
('15832492', [('D003922', [('Q000188', True), ('Q000503', False)])])
"""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from igfkg.core.errors import DataFileError

__all__ = ["Article", "Deletion", "Heading", "read_records"]

_PMID = re.compile(r"^[1-9][0-9]{0,9}$")
_MESH_UI = re.compile(r"^[DCQ][0-9]{6,9}$")
_NLM_ID = re.compile(r"^[0-9A-Za-z]{1,20}$")
_YEAR = re.compile(r"^[0-9]{4}$")
# The first element start tag (skipping the XML declaration, comments and DOCTYPE).
_START_TAG = re.compile(rb"<([A-Za-z_][A-Za-z0-9_.-]*)")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_HEAD = 1 << 16


@dataclass(slots=True)
class Heading:
    """A MeSH heading: descriptor UI, its major flag, and (qualifier UI, major flag) pairs."""

    descriptor: str
    descriptor_major: bool
    qualifiers: list[tuple[str, bool]] = field(default_factory=list)
    label: str = ""


@dataclass(slots=True)
class Article:
    """The parts of a PubMed record igfkg keeps."""

    pmid: str
    title: str = ""
    journal: str = ""
    journal_id: str = ""
    year: str = ""
    doi: str = ""
    publication_types: list[str] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    chemicals: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Deletion:
    """A DeleteCitation: PMIDs to remove."""

    pmids: list[str]


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        return gzip.open(raw)  # type: ignore[return-value]
    return raw


def _text(elem: ET.Element | None) -> str:
    return " ".join("".join(elem.itertext()).split()) if elem is not None else ""


def _check(path: Path, value: str, pattern: re.Pattern[str], what: str, where: str) -> str:
    if not pattern.match(value):
        raise DataFileError(str(path), f"{where}: invalid {what} {value!r}")
    return value


def _journal(rec: Article, journal: ET.Element) -> None:
    for child in journal:
        tag = child.tag
        if tag == "ISOAbbreviation":
            rec.journal = _text(child) or rec.journal
        elif tag == "Title" and not rec.journal:
            rec.journal = _text(child)
        elif tag == "JournalIssue":
            date = child.find("PubDate")
            if date is not None:
                year = _text(date.find("Year")) or _text(date.find("MedlineDate"))[:4]
                rec.year = year if _YEAR.match(year) else ""


def _headings(path: Path, rec: Article, headings: ET.Element, where: str) -> None:
    add = rec.headings.append
    for mh in headings:
        if mh.tag != "MeshHeading":
            continue
        desc = None
        qualifiers = []
        for child in mh:
            tag = child.tag
            if tag == "QualifierName":
                qui = child.get("UI", "")
                if not _MESH_UI.match(qui):
                    _check(path, qui, _MESH_UI, "qualifier UI", where)
                qualifiers.append((qui, child.get("MajorTopicYN") == "Y"))
            elif tag == "DescriptorName":
                desc = child
        ui = desc.get("UI") if desc is not None else None
        if not ui:
            raise DataFileError(str(path), f"{where}: MeSH heading without a descriptor UI")
        if not _MESH_UI.match(ui):
            _check(path, ui, _MESH_UI, "descriptor UI", where)
        add(Heading(ui, desc.get("MajorTopicYN") == "Y", qualifiers))  # type: ignore[union-attr]


def _article(path: Path, citation: ET.Element, data: ET.Element | None) -> Article:
    """One record, read in a single pass over the citation's children."""
    pmid = _check(path, _text(citation.find("PMID")), _PMID, "PMID", "record")
    where = f"PMID {pmid}"
    rec = Article(pmid=pmid)
    medline_ta = ""
    title = vernacular = ""
    for part in citation:
        tag = part.tag
        if tag == "Article":
            for child in part:
                ctag = child.tag
                if ctag == "ArticleTitle":
                    title = _text(child)
                elif ctag == "VernacularTitle":
                    vernacular = _text(child)
                elif ctag == "Journal":
                    _journal(rec, child)
                elif ctag == "PublicationTypeList":
                    for pt in child:
                        ui = pt.get("UI")
                        if ui:
                            rec.publication_types.append(
                                _check(path, ui, _MESH_UI, "publication type UI", where)
                            )
                elif ctag == "ELocationID" and child.get("EIdType") == "doi" and not rec.doi:
                    rec.doi = _text(child)
        elif tag == "MeshHeadingList":
            _headings(path, rec, part, where)
        elif tag == "MedlineJournalInfo":
            jid = _text(part.find("NlmUniqueID"))
            rec.journal_id = jid if _NLM_ID.match(jid) else ""
            medline_ta = _text(part.find("MedlineTA"))
        elif tag == "ChemicalList":
            for chem in part:
                name = chem.find("NameOfSubstance")
                ui = name.get("UI") if name is not None else None
                if ui:
                    rec.chemicals.append(_check(path, ui, _MESH_UI, "substance UI", where))
    rec.title = title or vernacular
    rec.journal = rec.journal or medline_ta
    if data is not None and not rec.doi:
        for aid in data.iterfind("ArticleIdList/ArticleId"):  # the article's own ids only
            if aid.get("IdType") == "doi":
                rec.doi = _text(aid)
                break
    return rec


def _root_tag(handle: io.BufferedReader[Any]) -> str | None:
    """The root element's name, from the head of the file (None when not found there)."""
    head = _COMMENT.sub(b"", handle.peek(_HEAD)[:_HEAD])
    match = _START_TAG.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def read_pubmed_xml(path: Path) -> Iterator[Article | Deletion]:
    """Stream the records of a PubMed XML file (.xml or .xml.gz)."""
    with _open(path) as raw, io.BufferedReader(raw, _HEAD) as handle:  # type: ignore[type-var]
        citation: ET.Element | None = None
        try:
            root = _root_tag(handle)
            if root is None and len(handle.peek(_HEAD)) >= _HEAD:
                raise DataFileError(
                    str(path), "not PubMed XML: no root element in the first 64 KiB"
                )
            if root is not None and root not in ("PubmedArticleSet", "MedlineCitationSet"):
                raise DataFileError(str(path), f"not PubMed XML: root <{root}>", 1)
            citation_is_record = root == "MedlineCitationSet"
            # End events only (start events would cost a fifth of the parse); the record
            # structure is known from the root element.
            for _, elem in ET.iterparse(handle):
                tag = elem.tag
                if tag == "MedlineCitation":
                    if citation_is_record:
                        yield _article(path, elem, None)
                        elem.clear()
                    else:
                        citation = elem
                elif tag == "PubmedArticle":
                    if citation is not None:
                        yield _article(path, citation, elem.find("PubmedData"))
                    citation = None
                    elem.clear()
                elif tag == "DeleteCitation":
                    pmids = [
                        _check(path, _text(p), _PMID, "PMID", "DeleteCitation")
                        for p in elem.findall("PMID")
                    ]
                    yield Deletion(pmids)
                    elem.clear()
                elif tag == "PubmedBookArticle":
                    citation = None
                    elem.clear()
        except ET.ParseError as error:
            line, column = error.position
            if "no element found" in str(error):
                if line <= 1 and column == 0:
                    raise DataFileError(str(path), "empty file: no XML content") from None
                raise DataFileError(
                    str(path), "truncated XML: the file ends inside a record", line, column
                ) from None
            raise DataFileError(str(path), f"malformed XML: {error.msg}", line, column) from None
        except (EOFError, OSError, gzip.BadGzipFile) as error:
            raise DataFileError(str(path), f"truncated or unreadable: {error}") from None


_MH = re.compile(r"^(?P<star>\*)?(?P<name>[^/]+?)(?P<quals>(/\*?[^/]+)*)$")


def read_medline(path: Path, lookup: dict[str, str]) -> Iterator[Article]:
    """Stream the records of a MEDLINE text file (``TAG - value`` lines, blank-line separated).

    MEDLINE gives MeSH headings by name; ``lookup`` maps ``"D|name"`` and ``"Q|name"``
    (lower-cased descriptor and qualifier names) to UIs, from the MeSH loaded in the store. An
    unknown name is an error.
    """
    record: dict[str, list[tuple[int, str]]] = {}
    last = ""
    try:
        handle = _open(path)
        lines = io.TextIOWrapper(handle, encoding="utf-8")
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                if record:
                    yield _medline_article(path, record, lookup)
                record, last = {}, ""
                continue
            if line.startswith("      ") and last:
                n, value = record[last][-1]
                record[last][-1] = (n, value + " " + line.strip())
                continue
            tag, sep, value = line[:4].strip(), line[4:6], line[6:]
            if sep != "- " or not tag:
                raise DataFileError(str(path), f"not a MEDLINE line: {line[:60]!r}", number)
            record.setdefault(tag, []).append((number, value.strip()))
            last = tag
        if record:
            yield _medline_article(path, record, lookup)
        handle.close()
    except UnicodeDecodeError as error:
        raise DataFileError(str(path), f"not UTF-8 text: {error.reason}") from None


def _medline_article(
    path: Path, record: dict[str, list[tuple[int, str]]], lookup: dict[str, str]
) -> Article:
    if "PMID" not in record:
        first = min(n for values in record.values() for n, _ in values)
        raise DataFileError(str(path), "MEDLINE record without PMID", first)
    line, pmid = record["PMID"][0]
    _check(path, pmid, _PMID, "PMID", f"line {line}")
    rec = Article(pmid=pmid, line=line)
    rec.title = " ".join(record.get("TI", [(0, "")])[0][1].split())
    rec.journal = record.get("TA", [(0, "")])[0][1]
    jid = record.get("JID", [(0, "")])[0][1]
    rec.journal_id = jid if _NLM_ID.match(jid) else ""
    year = record.get("DP", [(0, "")])[0][1][:4]
    rec.year = year if re.fullmatch(r"[0-9]{4}", year) else ""
    for _, value in record.get("LID", []) + record.get("AID", []):
        if value.endswith("[doi]") and not rec.doi:
            rec.doi = value[: -len("[doi]")].strip()
    for number, value in record.get("MH", []):
        m = _MH.match(value)
        if m is None:
            raise DataFileError(str(path), f"bad MH line {value!r}", number)
        name = m["name"].strip()
        heading = Heading(_ui(path, lookup, "D", name, number), bool(m["star"]), label=name)
        for part in (m["quals"] or "").split("/")[1:]:
            qui = _ui(path, lookup, "Q", part.lstrip("*").strip(), number)
            heading.qualifiers.append((qui, part.startswith("*")))
        rec.headings.append(heading)
    return rec


def _ui(path: Path, lookup: dict[str, str], kind: str, name: str, line: int) -> str:
    """The UI of a MeSH descriptor (``kind`` D) or qualifier (Q) named in a MEDLINE MH line."""
    ui = lookup.get(f"{kind}|{name.casefold()}")
    if ui is None:
        what = "descriptor" if kind == "D" else "qualifier"
        raise DataFileError(
            str(path),
            f"MeSH {what} {name!r} is not in the loaded MeSH; ingest MeSH first "
            "(igfkg ingest mesh)",
            line,
        )
    return ui


def is_medline(path: Path) -> bool:
    """True for MEDLINE text files (.nbib, .txt, .medline)."""
    name = path.name.lower()
    return name.endswith((".nbib", ".txt", ".medline", ".nbib.gz", ".txt.gz"))


def read_records(path: Path, lookup: dict[str, str] | None = None) -> Iterator[Article | Deletion]:
    """The records of a PubMed XML or MEDLINE file, streamed."""
    if is_medline(path):
        yield from read_medline(path, lookup or {})
    else:
        yield from read_pubmed_xml(path)
