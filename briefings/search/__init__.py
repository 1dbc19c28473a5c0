"""Static search: tokens, postings, pinyin pairs and the files the browser reads.

``build_search_index(briefings, base_path=...)`` returns every file under ``search/``;
``themes/default/static/search-core.mjs`` is its reader.
"""

from briefings.search.index import build_search_index

__all__ = ["build_search_index"]
