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
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

import pyoxigraph as ox

from igfkg.core.errors import DataFileError

__all__ = ["Article", "Deletion", "Heading", "Limits", "read_records"]

# Identifiers are checked with full matches (``re.fullmatch``): ``$`` would accept a trailing
# newline, which would then end up inside an IRI.
_PMID = re.compile(r"[1-9][0-9]{0,9}")
_MESH_UI = re.compile(r"[DCQ][0-9]{6,9}")
_NLM_ID = re.compile(r"[0-9A-Za-z]{1,20}")
_YEAR = re.compile(r"[0-9]{4}")
_LANGUAGE = re.compile(r"[a-z]{3}")  # an ISO 639-2 code as NLM writes it ("eng")
# The first element start tag (skipping the XML declaration, comments and DOCTYPE).
_START_TAG = re.compile(rb"<([A-Za-z_][A-Za-z0-9_.-]*)")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_HEAD = 1 << 16
_CHUNK = 1 << 16  # bytes fed to the XML parser at a time (at most the smallest limit)


class Limits(NamedTuple):
    """Bounds on one input file, in bytes of decompressed input (see the README's
    *Configuration*): the whole file, one record (or line), one token (a text, comment, tag
    or attribute: the bytes between two markup delimiters; for text formats, one line)."""

    max_bytes: int
    max_record: int
    max_token: int

    @classmethod
    def from_settings(cls) -> Limits:
        from igfkg.core.config import settings

        s = settings()
        return cls(s.ingest_max_bytes, s.ingest_max_record, s.ingest_max_token)


class Guarded:
    """A binary stream that counts what it hands out and stops at the limits: more than
    ``max_bytes`` in all, or a run of more than ``max_token`` bytes without a delimiter
    (``<`` or ``>`` for XML, a newline for text), is a DataFileError naming the file and the
    limit. Reads return at most 64 KiB, so a run inside one read is within any limit.

    >>> import io
    >>> data = io.BytesIO(b"<a>" + b"x" * 70000 + b"</a>")
    >>> g = Guarded(data, "t.xml", Limits(1 << 20, 1 << 20, 1 << 16))
    >>> while g.read(1 << 16): pass  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.DataFileError: t.xml: a text, comment or tag longer than 65536 bytes ...
    """

    def __init__(
        self, raw: IO[bytes], path: str, limits: Limits, delimiters: bytes = b"<>"
    ) -> None:
        self.raw = raw
        self.path = path
        self.limits = limits
        self.delimiters = [bytes([d]) for d in delimiters]
        self.total = 0
        self.run = 0  # bytes since the last delimiter

    def read(self, size: int = -1) -> bytes:
        size = _CHUNK if size is None or size < 0 else min(size, _CHUNK)
        try:
            chunk = self.raw.read(size)
        except (EOFError, OSError, zlib.error) as error:
            raise DataFileError(self.path, f"truncated or unreadable: {error}") from None
        self.total += len(chunk)
        if self.total > self.limits.max_bytes:
            raise DataFileError(
                self.path,
                f"more than {self.limits.max_bytes} bytes (decompressed) (IGFKG_INGEST_MAX_BYTES)",
            )
        firsts = [i for d in self.delimiters if (i := chunk.find(d)) >= 0]
        if not firsts:
            self.run += len(chunk)
        else:
            self.run += min(firsts)
            if self.run > self.limits.max_token:
                self._too_long()
            self.run = len(chunk) - 1 - max(chunk.rfind(d) for d in self.delimiters)
        if self.run > self.limits.max_token:
            self._too_long()
        return chunk

    def _too_long(self) -> None:
        what = "a text, comment or tag" if self.delimiters != [b"\n"] else "a line"
        raise DataFileError(
            self.path,
            f"{what} longer than {self.limits.max_token} bytes (IGFKG_INGEST_MAX_TOKEN)",
        )

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Guarded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(slots=True)
class Heading:
    """A MeSH heading: descriptor UI, its major flag, and (qualifier UI, major flag) pairs."""

    descriptor: str
    descriptor_major: bool
    qualifiers: list[tuple[str, bool]] = field(default_factory=list)
    label: str = ""


@dataclass(slots=True)
class Article:
    """The parts of a PubMed record igfkg keeps.

    ``abstract``: the English abstract (XML: the ``AbstractText`` sections of
    ``Article/Abstract`` in order, each white-space-normalised, ``"LABEL: text"`` when labelled,
    joined by ``"\\n"``, empty ones skipped; MEDLINE: the ``AB`` field, normalised).
    ``languages``: the article's ISO 639-2 codes (``Language`` / ``LA``; other values skipped).
    """

    pmid: str
    title: str = ""
    journal: str = ""
    journal_id: str = ""
    year: str = ""
    doi: str = ""
    publication_types: list[str] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    chemicals: list[str] = field(default_factory=list)
    abstract: str = ""
    languages: list[str] = field(default_factory=list)
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


def open_guarded(path: Path, limits: Limits | None = None, delimiters: bytes = b"<>") -> Guarded:
    """``path`` (plain or gzipped) as a :class:`Guarded` stream within ``limits`` (default:
    the configured ones)."""
    return Guarded(_open(path), str(path), limits or Limits.from_settings(), delimiters)


def _text(elem: ET.Element | None) -> str:
    return " ".join("".join(elem.itertext()).split()) if elem is not None else ""


class _BadValueError(DataFileError):
    """An invalid identifier in an XML record; its line is found afterwards."""

    def __init__(self, path: str, message: str, value: str) -> None:
        super().__init__(path, message)
        self.value = value


def _check(path: Path, value: str, pattern: re.Pattern[str], what: str, where: str) -> str:
    if not pattern.fullmatch(value):
        raise _BadValueError(str(path), f"{where}: invalid {what} {value!r}", value)
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
                rec.year = year if _YEAR.fullmatch(year) else ""


# What str.split() splits ASCII text on, besides single spaces (and a double space).
_ASCII_SPACES = ("  ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _normalised(text: str) -> str:
    """``" ".join(text.split())``, without splitting ASCII text that is already normalised
    (most abstracts: 1.6 µs instead of 8.4 µs for a 1.4 kB one, measured).

    >>> _normalised(" a\\tb  c\\n"), _normalised("a b"), _normalised("a\\xa0b")
    ('a b c', 'a b', 'a b')
    """
    if text.isascii() and text[:1] != " " and text[-1:] != " ":
        for space in _ASCII_SPACES:
            if space in text:
                break
        else:
            return text
    return " ".join(text.split())


def _abstract(abstract: ET.Element) -> str:
    """The text of an ``Abstract`` element (see :class:`Article`).

    >>> xml = (
    ...     '<Abstract><AbstractText Label="AIMS">To <i>test</i>\\n it.</AbstractText>'
    ...     '<AbstractText Label="EMPTY"> </AbstractText><AbstractText>Done.</AbstractText>'
    ...     "<CopyrightInformation>(c) X</CopyrightInformation></Abstract>"
    ... )
    >>> print(_abstract(ET.fromstring(xml)))
    AIMS: To test it.
    Done.
    """
    sections = []
    for part in abstract:
        if part.tag == "AbstractText":
            text = _normalised("".join(part.itertext()))  # = _text(part)
            if text:
                label = part.get("Label")
                sections.append(f"{label}: {text}" if label else text)
    return "\n".join(sections)


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
                if not _MESH_UI.fullmatch(qui):
                    _check(path, qui, _MESH_UI, "qualifier UI", where)
                qualifiers.append((qui, child.get("MajorTopicYN") == "Y"))
            elif tag == "DescriptorName":
                desc = child
        ui = desc.get("UI") if desc is not None else None
        if not ui:
            raise DataFileError(str(path), f"{where}: MeSH heading without a descriptor UI")
        if not _MESH_UI.fullmatch(ui):
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
                elif ctag == "Abstract":
                    rec.abstract = _abstract(child)
                elif ctag == "Language":
                    code = _text(child)
                    if _LANGUAGE.fullmatch(code):
                        rec.languages.append(code)
        elif tag == "MeshHeadingList":
            _headings(path, rec, part, where)
        elif tag == "MedlineJournalInfo":
            jid = _text(part.find("NlmUniqueID"))
            rec.journal_id = jid if _NLM_ID.fullmatch(jid) else ""
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
    check_iris(path, rec, where)
    return rec


PUBMED = "http://www.ncbi.nlm.nih.gov/pubmed/"
MESH = "http://id.nlm.nih.gov/mesh/"
JOURNAL = "https://w3id.org/igfkg/journal/nlm/"
LANGUAGE = "http://id.loc.gov/vocabulary/iso639-2/"


def check_iris(path: Path, rec: Article, where: str) -> None:
    """Check every IRI the record will be written with (pyoxigraph's IRI parser): a bad one
    is a DataFileError naming the value, and nothing of the file is written."""
    uis = [*rec.publication_types, *rec.chemicals]
    for h in rec.headings:
        uis.append(h.descriptor)
        uis.extend(h.descriptor + q for q, _ in h.qualifiers)
    iris = [PUBMED + rec.pmid, f"https://pubmed.ncbi.nlm.nih.gov/{rec.pmid}/"]
    iris += [MESH + ui for ui in uis]
    if rec.journal_id:
        iris.append(JOURNAL + rec.journal_id)
    iris += [LANGUAGE + code for code in rec.languages]
    for value in iris:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise _BadValueError(str(path), f"{where}: invalid IRI {value!r}", value) from None


def _root_tag(head: bytes) -> str | None:
    """The root element's name, from the head of the file (None when not found there)."""
    match = _START_TAG.search(_COMMENT.sub(b"", head[:_HEAD]))
    return match.group(1).decode("ascii", "replace") if match else None


_RECORDS = ("PubmedArticle", "DeleteCitation", "PubmedBookArticle")


def read_pubmed_xml(path: Path, limits: Limits | None = None) -> Iterator[Article | Deletion]:
    """Stream the records of a PubMed XML file (.xml or .xml.gz), within ``limits``."""
    done = [0, 0]  # records read, and 1 for a MedlineCitationSet
    try:
        yield from _pubmed_xml(path, limits, done)
    except _BadValueError as error:
        records = (*_RECORDS, "MedlineCitation") if done[1] else _RECORDS
        line = _line_of(path, done[0], error.value, records, limits)
        raise DataFileError(str(path), error.message, line) from None


def _pubmed_xml(path: Path, limits: Limits | None, done: list[int]) -> Iterator[Article | Deletion]:
    with open_guarded(path, limits) as handle:
        parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
        citation: ET.Element | None = None
        record_start = 0
        max_record = handle.limits.max_record
        try:
            head = handle.read(_HEAD)
            root = _root_tag(head)
            if root is None and len(head) >= _HEAD:
                raise DataFileError(
                    str(path), "not PubMed XML: no root element in the first 64 KiB"
                )
            if root is not None and root not in ("PubmedArticleSet", "MedlineCitationSet"):
                raise DataFileError(str(path), f"not PubMed XML: root <{root}>", 1)
            citation_is_record = root == "MedlineCitationSet"
            done[1] = int(citation_is_record)
            chunk = head
            while True:
                if chunk:
                    _feed(path, parser, chunk)
                else:
                    _feed(path, parser, None)
                # End events only (start events would cost a fifth of the parse); the record
                # structure is known from the root element.
                for _, elem in events(parser):
                    tag = elem.tag
                    if tag == "MedlineCitation":
                        if citation_is_record:
                            yield _article(path, elem, None)
                            elem.clear()
                            done[0] += 1
                            record_start = handle.total
                        else:
                            citation = elem
                    elif tag == "PubmedArticle":
                        if citation is not None:
                            yield _article(path, citation, elem.find("PubmedData"))
                        citation = None
                        elem.clear()
                        done[0] += 1
                        record_start = handle.total
                    elif tag == "DeleteCitation":
                        pmids = [
                            _check(path, _text(p), _PMID, "PMID", "DeleteCitation")
                            for p in elem.findall("PMID")
                        ]
                        yield Deletion(pmids)
                        elem.clear()
                        done[0] += 1
                        record_start = handle.total
                    elif tag == "PubmedBookArticle":
                        citation = None
                        elem.clear()
                        done[0] += 1
                        record_start = handle.total
                if not chunk:
                    break
                if handle.total - record_start > max_record:
                    raise DataFileError(
                        str(path),
                        f"a record (or the text between two) longer than {max_record} bytes "
                        "(IGFKG_INGEST_MAX_RECORD)",
                    )
                chunk = handle.read(_CHUNK)
        except ET.ParseError as error:
            line, column = error.position
            if "no element found" in str(error):
                if line <= 1 and column == 0:
                    raise DataFileError(str(path), "empty file: no XML content") from None
                raise DataFileError(
                    str(path), "truncated XML: the file ends inside a record", line, column
                ) from None
            raise DataFileError(str(path), f"malformed XML: {error.msg}", line, column) from None


def events(parser: ET.XMLPullParser[ET.Element]) -> Iterator[tuple[str, ET.Element]]:
    """The parser's pending (event, element) pairs (start and end events only)."""
    pending: Iterator[Any] = parser.read_events()
    for event, elem in pending:
        if isinstance(elem, ET.Element):
            yield event, elem


def _feed(path: Path, parser: ET.XMLPullParser[ET.Element], chunk: bytes | None) -> None:
    """Feed the parser (``None``: the end of the input); an encoding the parser cannot read
    (unknown, or multi-byte) is a DataFileError naming the declaration."""
    try:
        if chunk is None:
            parser.close()
        else:
            parser.feed(chunk)
    except (LookupError, ValueError) as error:
        if isinstance(error, DataFileError):
            raise
        raise DataFileError(str(path), f"cannot read the XML: {error}", 1) from None


def _line_of(
    path: Path, record: int, value: str, records: tuple[str, ...], limits: Limits | None
) -> int | None:
    """The line of the element holding ``value`` in record number ``record`` (0-based), found
    by parsing again line by line (only when reporting an error)."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
    seen, number, rest = 0, 0, b""
    try:
        with open_guarded(path, limits) as handle:
            while chunk := handle.read(_CHUNK):
                *lines, rest = (rest + chunk).split(b"\n")
                for line in lines:
                    number += 1
                    parser.feed(line + b"\n")
                    for _, elem in events(parser):
                        if seen == record and (
                            value in elem.attrib.values() or _text(elem) == value
                        ):
                            return number
                        if elem.tag in records:
                            seen += 1
                            elem.clear()
                            if seen > record:
                                return number
    except (ET.ParseError, DataFileError, LookupError, ValueError):
        return None
    return number + 1 if rest else None


_MH = re.compile(r"(?P<star>\*)?(?P<name>[^/]+?)(?P<quals>(/\*?[^/]+)*)")


def text_lines(path: Path, limits: Limits | None = None) -> Iterator[tuple[int, str]]:
    """The numbered lines of a UTF-8 text file (plain or gzipped), without line ends, within
    ``limits`` (a line longer than the token limit, or text that is not UTF-8, is a
    DataFileError naming the file and line).
    """
    number, rest = 0, b""
    with open_guarded(path, limits, b"\n") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            *lines, rest = (rest + chunk).split(b"\n")
            if not chunk:
                lines, rest = ([rest] if rest else []), b""
            for raw in lines:
                number += 1
                try:
                    yield number, raw.decode("utf-8").removesuffix("\r")
                except UnicodeDecodeError as error:
                    bad = raw[max(error.start - 10, 0) : error.end + 10]
                    raise DataFileError(
                        str(path), f"not UTF-8 text: {bad!r} ({error.reason})", number
                    ) from None
            if not chunk:
                return


def read_medline(
    path: Path, lookup: dict[str, str], limits: Limits | None = None
) -> Iterator[Article]:
    """Stream the records of a MEDLINE text file (``TAG - value`` lines, blank-line separated).

    MEDLINE gives MeSH headings by name; ``lookup`` maps ``"D|name"`` and ``"Q|name"``
    (lower-cased descriptor and qualifier names) to UIs, from the MeSH loaded in the store. An
    unknown name is an error.
    """
    limits = limits or Limits.from_settings()
    record: dict[str, list[tuple[int, str]]] = {}
    last = ""
    size = 0
    for number, line in text_lines(path, limits):
        if not line.strip():
            if record:
                yield _medline_article(path, record, lookup)
            record, last, size = {}, "", 0
            continue
        size += len(line) + 1
        if size > limits.max_record:
            raise DataFileError(
                str(path),
                f"a record longer than {limits.max_record} bytes (IGFKG_INGEST_MAX_RECORD)",
                number,
            )
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


def _medline_article(
    path: Path, record: dict[str, list[tuple[int, str]]], lookup: dict[str, str]
) -> Article:
    if "PMID" not in record:
        first = min(n for values in record.values() for n, _ in values)
        raise DataFileError(str(path), "MEDLINE record without PMID", first)
    line, pmid = record["PMID"][0]
    if not _PMID.fullmatch(pmid):
        raise DataFileError(str(path), f"invalid PMID {pmid!r}", line)
    rec = Article(pmid=pmid, line=line)
    rec.title = " ".join(record.get("TI", [(0, "")])[0][1].split())
    rec.journal = record.get("TA", [(0, "")])[0][1]
    jid = record.get("JID", [(0, "")])[0][1]
    rec.journal_id = jid if _NLM_ID.fullmatch(jid) else ""
    year = record.get("DP", [(0, "")])[0][1][:4]
    rec.year = year if _YEAR.fullmatch(year) else ""
    rec.abstract = " ".join(record.get("AB", [(0, "")])[0][1].split())
    rec.languages = [code for _, code in record.get("LA", []) if _LANGUAGE.fullmatch(code)]
    for _, value in record.get("LID", []) + record.get("AID", []):
        if value.endswith("[doi]") and not rec.doi:
            rec.doi = value[: -len("[doi]")].strip()
    for number, value in record.get("MH", []):
        m = _MH.fullmatch(value)
        if m is None:
            raise DataFileError(str(path), f"bad MH line {value!r}", number)
        name = m["name"].strip()
        heading = Heading(_ui(path, lookup, "D", name, number), bool(m["star"]), label=name)
        for part in (m["quals"] or "").split("/")[1:]:
            qui = _ui(path, lookup, "Q", part.lstrip("*").strip(), number)
            heading.qualifiers.append((qui, part.startswith("*")))
        rec.headings.append(heading)
    try:
        check_iris(path, rec, f"PMID {pmid}")
    except _BadValueError as error:
        raise DataFileError(str(path), error.message, line) from None
    return rec


def _ui(path: Path, lookup: dict[str, str], kind: str, name: str, line: int) -> str:
    """The UI of a MeSH descriptor (``kind`` D) or qualifier (Q) named in a MEDLINE MH line."""
    ui = lookup.get(f"{kind}|{name.casefold()}")
    if ui is not None and not _MESH_UI.fullmatch(ui):
        raise DataFileError(str(path), f"MeSH {name!r} has an invalid UI {ui!r} in the store", line)
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
