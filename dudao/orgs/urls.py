from django.urls import path

from dudao.orgs.views import accounts, audit, auth, imports, register, town_groups, tree

app_name = "orgs"
urlpatterns = [
    path("", tree.index, name="index"),
    path("region/<str:code>/", tree.region, name="region"),
    path("region/<str:code>/new/", tree.create_child, name="create_child"),
    path("region/<str:code>/rename/", tree.rename, name="rename"),
    path("region/<str:code>/move/", tree.move, name="move"),
    path("region/<str:code>/close/", tree.close, name="close"),
    path("region/<str:code>/departments/new/", tree.create_department, name="create_department"),
    path("department/<id:pk>/", tree.department, name="department"),
    path("county/<str:code>/schools/", register.schools, name="schools"),
    path("county/<str:code>/schools/new/", register.open_school, name="open_school"),
    path("county/<str:code>/schools/import/", imports.register_import, name="register_import"),
    path("county/<str:code>/schools/template.xlsx", imports.register_template, name="register_template"),
    path("county/<str:code>/town-groups/", town_groups.town_groups, name="town_groups"),
    path("school/<str:code>/", register.school, name="school"),
    path("school/<str:code>/change/", register.change_school, name="change_school"),
    path("school/<str:code>/<str:how>/", register.end_school, name="end_school"),
    path("region/<str:code>/accounts/", accounts.accounts, name="accounts"),
    path("region/<str:code>/accounts/new/", accounts.create_account, name="create_account"),
    path("region/<str:code>/accounts/import/", imports.accounts_import, name="accounts_import"),
    path("region/<str:code>/accounts/template.xlsx", imports.accounts_template, name="accounts_template"),
    path("account/<id:pk>/", accounts.account, name="account"),
    path("account/<id:pk>/<str:what>/", accounts.account_action, name="account_action"),
    path("region/<str:code>/audit/", audit.audit, name="audit"),
]

# Mounted under /accounts/ before Django's own auth URLs (dudao/urls.py): the login that sends a
# temporary password to the first-password page.
auth_urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("first-password/", auth.first_password, name="first_password"),
]
