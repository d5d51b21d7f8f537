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
from typing import IO

from igfkg.errors import DataFileError

__all__ = ["Article", "Deletion", "Heading", "read_records"]

_PMID = re.compile(r"^[1-9][0-9]{0,9}$")
_MESH_UI = re.compile(r"^[DCQ][0-9]{6,9}$")
_NLM_ID = re.compile(r"^[0-9A-Za-z]{1,20}$")


@dataclass
class Heading:
    """A MeSH heading: descriptor UI, its major flag, and (qualifier UI, major flag) pairs."""

    descriptor: str
    descriptor_major: bool
    qualifiers: list[tuple[str, bool]] = field(default_factory=list)
    label: str = ""


@dataclass
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


def _article(path: Path, citation: ET.Element, data: ET.Element | None) -> Article:
    pmid_text = _text(citation.find("PMID"))
    pmid = _check(path, pmid_text, _PMID, "PMID", "record")
    where = f"PMID {pmid}"
    art = citation.find("Article")
    rec = Article(pmid=pmid)
    if art is not None:
        rec.title = _text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle"))
        journal = art.find("Journal")
        if journal is not None:
            rec.journal = _text(journal.find("ISOAbbreviation")) or _text(journal.find("Title"))
            issue = journal.find("JournalIssue/PubDate")
            if issue is not None:
                year = _text(issue.find("Year")) or _text(issue.find("MedlineDate"))[:4]
                rec.year = year if re.fullmatch(r"[0-9]{4}", year) else ""
        for pt in art.findall("PublicationTypeList/PublicationType"):
            ui = pt.get("UI")
            if ui:
                rec.publication_types.append(
                    _check(path, ui, _MESH_UI, "publication type UI", where)
                )
        for loc in art.findall("ELocationID"):
            if loc.get("EIdType") == "doi" and not rec.doi:
                rec.doi = _text(loc)
    info = citation.find("MedlineJournalInfo")
    if info is not None:
        rec.journal_id = _text(info.find("NlmUniqueID"))
        if rec.journal_id and not _NLM_ID.match(rec.journal_id):
            rec.journal_id = ""
        if not rec.journal:
            rec.journal = _text(info.find("MedlineTA"))
    if data is not None:
        for aid in data.findall("ArticleIdList/ArticleId"):  # the article's own ids only
            if aid.get("IdType") == "doi" and not rec.doi:
                rec.doi = _text(aid)
    for chem in citation.findall("ChemicalList/Chemical/NameOfSubstance"):
        ui = chem.get("UI")
        if ui:
            rec.chemicals.append(_check(path, ui, _MESH_UI, "substance UI", where))
    for mh in citation.findall("MeshHeadingList/MeshHeading"):
        desc = mh.find("DescriptorName")
        if desc is None or not desc.get("UI"):
            raise DataFileError(str(path), f"{where}: MeSH heading without a descriptor UI")
        heading = Heading(
            _check(path, desc.get("UI", ""), _MESH_UI, "descriptor UI", where),
            desc.get("MajorTopicYN") == "Y",
            label=_text(desc),
        )
        for q in mh.findall("QualifierName"):
            ui = _check(path, q.get("UI", ""), _MESH_UI, "qualifier UI", where)
            heading.qualifiers.append((ui, q.get("MajorTopicYN") == "Y"))
        rec.headings.append(heading)
    return rec


def read_pubmed_xml(path: Path) -> Iterator[Article | Deletion]:
    """Stream the records of a PubMed XML file (.xml or .xml.gz)."""
    with _open(path) as handle:
        depth = 0
        citation: ET.Element | None = None
        try:
            for event, elem in ET.iterparse(handle, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if depth == 1 and elem.tag not in ("PubmedArticleSet", "MedlineCitationSet"):
                        raise DataFileError(str(path), f"not PubMed XML: root <{elem.tag}>", 1)
                    continue
                depth -= 1
                tag = elem.tag
                if tag == "MedlineCitation":
                    if depth == 1:  # MedlineCitationSet: the citation is the record
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
        ui = lookup.get("D|" + name.casefold())
        if ui is None:
            raise DataFileError(
                str(path),
                f"MeSH descriptor {name!r} is not in the loaded "
                "MeSH; ingest MeSH first (igfkg ingest mesh)",
                number,
            )
        heading = Heading(ui, bool(m["star"]), label=name)
        for part in (m["quals"] or "").split("/")[1:]:
            qname = part.lstrip("*").strip()
            qui = lookup.get("Q|" + qname.casefold())
            if qui is None:
                raise DataFileError(
                    str(path),
                    f"MeSH qualifier {qname!r} is not in the loaded "
                    "MeSH; ingest MeSH first (igfkg ingest mesh)",
                    number,
                )
            heading.qualifiers.append((qui, part.startswith("*")))
        rec.headings.append(heading)
    return rec


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
