"""Login forms that refuse an over-long user name at the field. Django's login form only
tells the browser its maximum length; a longer one typed or posted by hand went on to the
login and to django-axes, whose record of the attempt cannot hold it (a 500). And the
user's own reminder setting."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from .models import ReminderState


class BoundedUsernameMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(BoundedUsernameMixin, AuthenticationForm):
    pass


class AdminLoginForm(BoundedUsernameMixin, AdminAuthenticationForm):
    pass


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderState
        fields = ["opted_out"]
