"""The sign-in page: Django's LoginView, with the account pause (429) and what a sign-in leaves.

See ``motcua.accounts.signin`` for the limits."""

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS

from motcua.accounts import signin, signin_methods
from motcua.accounts.forms import PAUSED, LoginForm
from motcua.audit.services import audit_record
from motcua.lib.clients import client_ip


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        # This browser is now a known device for the account; the sign-in is in the audit log.
        signin.remember_device(self.request, response, user.get_username())
        self.request.session[signin_methods.SESSION_KEY] = signin_methods.PASSWORD
        audit_record(action="accounts.sign_in", actor=user, obj=user, ip=client_ip(self.request))
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code=PAUSED):
            response.status_code = 429
        return response
