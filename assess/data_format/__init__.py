"""assess's data as plain, versioned JSON: one serializer for the export and import, the read
API, CSV and the data the PDF report embeds.

- :mod:`assess.data_format.values`: how single values (times, dates, bytes, answers) are written;
- :mod:`assess.data_format.serializer`: model objects as records and back, per kind
  (``FORMAT_VERSION``, ``KINDS``, ``assessment_record``, ``answer_records``, ...);
- :mod:`assess.data_format.schema`: the JSON Schema per format version, shipped in ``schemas/``
  and published in ``docs/formats/``;
- :mod:`assess.data_format.export_file` and :mod:`assess.data_format.import_file`: whole files.
"""

from assess.data_format.serializer import FORMAT_NAME, FORMAT_VERSION

__all__ = ["FORMAT_NAME", "FORMAT_VERSION"]
