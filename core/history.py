"""One history record per save of a row with lists (many-to-many fields) or child rows.

django-simple-history writes a record on every save of the row and another on every
change of each of its many-to-many fields: one form that changes a commitment's places
and parties leaves three records, which read as three changes. ``one_history_record``
makes such a save one record, written once everything is saved.
"""

import contextlib


@contextlib.contextmanager
def one_history_record(instance, records, history_type="~"):
    """Within the block, saves of ``instance`` and changes to its many-to-many fields
    make no history record; at its end, ``records`` (the model's ``HistoricalRecords``)
    writes one, with everything as it then is. Nothing is written if the block fails."""
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    records.create_historical_record(instance, history_type)
