"""Keep the done counts (``ProgressCount``) equal to the activities on every write path.

Signals, against the house rule of no logic in signals, because the counts are derived
data kept like an index: every path that changes what counts (the coordinators'
services, the Django admin with its measurement inline and deletions, django-simple-
history's revert, the demo, the test factories, a shell) saves or deletes an Activity or
a Measurement through the ORM, and these handlers are the one place that sees them all,
as a database trigger would; a trigger cannot, because which period a day falls in is
Python (``pledges.progress``). The handlers only say what to recount;
``pledges.services.progress_counts_refresh`` recounts it, in the transaction of the write.

What bypasses ``save()`` and ``delete()`` (``bulk_create``, ``QuerySet.update``, SQL,
``loaddata``) is not seen: run ``manage.py rebuild_progress`` after it;
``rebuild_progress --check`` finds any difference.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from simple_history.signals import pre_create_historical_record

from .models import Activity, Commitment, Measurement, Pledge
from .services import progress_counts_touch

# Sent when the done counts were rewritten in bulk (rebuild_progress), which no save()
# signal sees: what shows them (the public page cache) is stale.
counts_rebuilt = Signal()

# What decides where an activity counts; a change to anything else changes no count.
ACTIVITY_COUNTED = ("commitment_id", "date", "status", "site_id")
# What decides a commitment's periods and what its quantity sums.
COMMITMENT_PERIODS = ("pledge_id", "target_period", "school_year_only", "quantity")
PLEDGE_PERIODS = ("valid_from", "valid_to")


def _stored(instance, names, update_fields):
    """The stored values of ``names`` before this save, or None for a new row (or a save
    of other fields only)."""
    if instance.pk is None or (
        update_fields is not None
        and not ({name.removesuffix("_id") for name in names} & set(update_fields))
    ):
        return None
    return type(instance).objects.filter(pk=instance.pk).values_list(*names).first()


def _values(instance, names):
    values = []
    for name in names:
        field = instance._meta.get_field(name.removesuffix("_id"))
        values.append(field.to_python(getattr(instance, name)))
    return tuple(values)


def _counted_day(values):
    """The (commitment id, date) a done activity counts on; None for any other."""
    commitment_id, day, status, _site_id = values
    return (commitment_id, day) if status == Activity.Status.DONE else None


@receiver(pre_save, sender=Activity)
def remember_activity(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._counted_before = None if raw else _stored(instance, ACTIVITY_COUNTED, update_fields)


@receiver(post_save, sender=Activity)
def recount_activity(sender, instance, raw=False, created=False, **kwargs):
    before = instance.__dict__.pop("_counted_before", None)
    if raw:
        return
    after = _values(instance, ACTIVITY_COUNTED)
    if before == after:
        return
    days = {_counted_day(values) for values in (before, after) if values} - {None}
    if days:
        progress_counts_touch(days=days)


@receiver(post_delete, sender=Activity)
def recount_deleted_activity(sender, instance, **kwargs):
    day = _counted_day(_values(instance, ACTIVITY_COUNTED))
    if day:
        progress_counts_touch(days={day})


@receiver(post_save, sender=Measurement)
@receiver(post_delete, sender=Measurement)
def recount_measurement(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if Measurement.activity.is_cached(instance):
        activity = instance.activity
        values = _values(activity, ACTIVITY_COUNTED)
    else:
        # Also when its activity is being deleted with it: the activity's row is then
        # still there, and its own deletion recounts after.
        values = (
            Activity.objects.filter(pk=instance.activity_id).values_list(*ACTIVITY_COUNTED).first()
        )
    day = values and _counted_day(values)
    if day:
        progress_counts_touch(days={day})


@receiver(pre_save, sender=Commitment)
def remember_commitment(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._periods_before = None if raw else _stored(instance, COMMITMENT_PERIODS, update_fields)


@receiver(post_save, sender=Commitment)
def recount_commitment(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_periods_before", None)
    if not raw and before is not None and before != _values(instance, COMMITMENT_PERIODS):
        progress_counts_touch(commitments={instance.pk})


@receiver(pre_save, sender=Pledge)
def remember_pledge(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._periods_before = None if raw else _stored(instance, PLEDGE_PERIODS, update_fields)


@receiver(post_save, sender=Pledge)
def recount_pledge(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_periods_before", None)
    if not raw and before is not None and before != _values(instance, PLEDGE_PERIODS):
        progress_counts_touch(
            commitments=set(
                Commitment.objects.filter(pledge=instance.pk).values_list("pk", flat=True)
            )
        )


@receiver(pre_create_historical_record, sender=Activity.history.model)
def snapshot_measured(sender, instance, history_instance, **kwargs):
    """Every history record of an activity holds its measured values as they are then,
    whoever writes it (the services, the admin, a revert): the history reads one record
    per save, with the figures beside the fields. History keeping, not business logic."""
    history_instance.measured = dict(
        Measurement.objects.filter(activity_id=instance.pk).values_list("quantity_id", "value")
    )
