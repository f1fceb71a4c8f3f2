from django.urls import path

from kaimen.org import auth, security_views, views

app_name = "org"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_change_view, name="password_change"),
    path("otp/", auth.otp_view, name="otp"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("units/<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:unit_id>/active/", views.unit_set_active, name="unit_set_active"),
    path("people/", views.people_list, name="people_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/phone/", views.person_reveal_phone, name="person_reveal_phone"),
    path("people/<int:person_id>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:person_id>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:person_id>/password/",
        views.person_reset_password,
        name="person_reset_password",
    ),
    path("people/<int:person_id>/roles/", views.membership_add, name="membership_add"),
    path("people/<int:person_id>/tokens/", views.person_token_issue, name="person_token_issue"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("roles/<int:membership_id>/end/", views.membership_end, name="membership_end"),
    path("security/", security_views.security_home, name="security"),
    path("security/unlock/", security_views.security_unlock, name="security_unlock"),
]
