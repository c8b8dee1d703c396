from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        # The guided revision lives in pledges, below this app: its "Revise" uses this
        # app's service, which carries the focus areas of the promises over too (as the
        # admin's action does, dialogues.admin.RevisingPledgeAdmin).
        from pledges.revision_views import RevisionStartView

        from . import services

        RevisionStartView.revise_pledge = staticmethod(services.pledge_revise)
