"""Documents offices have → draft briefings: text, web pages, Word and WPS files.

One door per format: ``text`` (UTF-8/GBK text), ``html`` (saved pages; the stdlib parser),
``word`` (the only importer of mammoth), ``office`` (LibreOffice for .doc/.wps). They all
bring a document to blocks (``blocks``); ``clutter`` takes out web-page furniture,
``structure`` makes the agenda into headings, ``opening`` finds the meeting's facts,
``convert`` runs these in order, ``draft`` assembles the front matter, ``sources`` reads files.
"""

from .convert import Options, import_any, import_text
from .draft import FRONT_KEYS, Draft, Fields, ImportResult
from .text import decode_bytes

__all__ = ["FRONT_KEYS", "Draft", "Fields", "ImportResult", "Options", "decode_bytes", "import_any", "import_text"]
