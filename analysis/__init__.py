"""Who says what about Russia–North Korea cooperation.

Public API: ``read_paths`` / ``read_url`` (ingest), ``analyze`` (pipeline), ``Store`` (DuckDB), and the
records in ``analysis.records``. The analysis never imports Streamlit.
"""

__version__ = "0.1.0"
