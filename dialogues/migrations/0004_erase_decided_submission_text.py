"""Erase the text and place of the "Tyck till" messages already decided on, as the
privacy page promises for every decision (dialogues.services now erases them when the
decision is saved). Cannot be undone: the words are gone."""

from django.db import migrations


def erase(apps, schema_editor):
    submission_model = apps.get_model("dialogues", "Submission")
    submission_model.objects.exclude(status="pending").update(message="", place="")


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0003_concern_answer")]

    operations = [migrations.RunPython(erase, migrations.RunPython.noop)]
